// Hidden admin verbs of oci-netns-runtime used by install/install.sh and uninstall.sh.
#pragma once

namespace ocinetns {

// argv[0] of the shim's command line that selects the admin verbs. It is not a runtime
// subcommand or flag of runc or crun, so an engine can never reach it by accident.
inline constexpr const char* kAdminFlag = "--oci-netns-admin";

// `oci-netns-runtime --oci-netns-admin docker-register|docker-unregister ...`. `argc`/`argv`
// start at kAdminFlag. Returns the exit code.
int run_admin(int argc, char** argv);

}  // namespace ocinetns
