// Finding the name people use for a container ({name}) from what the engine has already written
// (syscalls: bounded reads of root-owned files and of /proc). The parsing is common/
// engine_names.hpp; this file decides what to trust.
#pragma once

#include <string>

#include "common/model/oci_state.hpp"

namespace ocinetns {

struct NameLookup {
  std::string name;     // as the engine has it (not mapped yet); empty if not found
  std::string source;   // "kubernetes", "docker" or "podman", for the log
  std::string problem;  // why no name was found: the warning's text (empty: none was needed)
};

// Kubernetes first (the pod's `<namespace>_<name>` from the annotations CRI runtimes set), then
// Docker (the spec's mounts name <data-root>/containers/<id>, whose config.v2.json must be
// a root-owned regular file, no symlink, at most kMaxDockerConfigBytes, with "ID" == state.id),
// then Podman (the hook's parent is the runtime, whose parent must be a root-run process whose
// executable is a root-owned file named conmon and whose `-c` is state.id). Never throws for
// what it finds: a name that cannot be found is `problem`, and the caller uses the id.
NameLookup find_container_name(const OciState& state);

}  // namespace ocinetns
