// Hidden admin verbs of oci-netns-runtime used by install/install.sh and uninstall.sh.
#pragma once

#include "common/sys/self_exec.hpp"

namespace ocinetns {

// `oci-netns-runtime --oci-netns-admin docker-register|docker-unregister ...`. `argc`/`argv`
// start at kAdminFlag. Returns the exit code.
int run_admin(int argc, char** argv);

}  // namespace ocinetns
