// Finding the real OCI runtime the shim execs, without ever finding the shim itself.
#pragma once

#include <sys/types.h>
#include <string>

namespace ocinetns {

// Set in the real runtime's environment; if the shim starts with it already set, the runtime
// it resolved is (a wrapper around) the shim, and it stops instead of recursing.
inline constexpr const char* kShimActiveEnv = "OCI_NETNS_RUNTIME_ACTIVE";

// Identity of an executable file: the shim compares by device and inode, which sees through
// symlinks, hard links and different spellings of the same path.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

// The shim's own identity, from /proc/self/exe.
FileId self_file_id();

// The runtime to exec. `configured` (config runtime.path) wins if non-empty; it must be an
// executable file that is not `self`. Otherwise the first `runc` or `crun` (runc first within a
// directory) found in `path_env` (a $PATH value; the usual default if empty) that is executable
// and not `self`. Throws InputError naming what was tried.
std::string resolve_runtime(const std::string& configured, const std::string& path_env,
                            const FileId& self);

}  // namespace ocinetns
