// Runtime lookup for the shim: stat(2) follows symlinks, so a `runc` that is a link to the shim
// has the shim's inode and is skipped.
#include "hook/shim/shim_runtime.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

enum class Candidate { kUsable, kMissing, kIsSelf };

Candidate check(const std::string& path, const FileId& self) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    return Candidate::kMissing;
  }
  if (FileId{st.st_dev, st.st_ino} == self) return Candidate::kIsSelf;
  return Candidate::kUsable;
}

}  // namespace

FileId self_file_id() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) throw_last_errno("stat `/proc/self/exe`");
  return {st.st_dev, st.st_ino};
}

std::string resolve_runtime(const std::string& configured, const std::string& path_env,
                            const FileId& self) {
  if (!configured.empty()) {
    switch (check(configured, self)) {
      case Candidate::kUsable:
        return configured;
      case Candidate::kIsSelf:
        throw InputError(fmt::format(
            "runtime.path `{}` is oci-netns-runtime itself; set it to the real runc or crun",
            configured));
      case Candidate::kMissing:
        throw InputError(fmt::format("runtime.path `{}`: not an executable file", configured));
    }
  }
  std::string_view dirs =
      path_env.empty() ? std::string_view(kDefaultPath) : std::string_view(path_env);
  while (true) {
    auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    // Relative entries (including the empty one, POSIX's "current directory") are skipped: the
    // cwd of a create is the bundle, and the runtime must never come from there.
    if (dir.starts_with("/")) {
      for (const char* name : {"runc", "crun"}) {
        std::string candidate = dir + "/" + name;
        if (check(candidate, self) == Candidate::kUsable) return candidate;
      }
    }
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  throw InputError(fmt::format(
      "no runc or crun found on PATH ({}) other than oci-netns-runtime itself; set runtime.path",
      path_env.empty() ? kDefaultPath : path_env));
}

}  // namespace ocinetns
