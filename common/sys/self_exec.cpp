// Finding and exec'ing the CLI beside the running executable. /proc/self/exe (proc(5)) names the
// file this process was exec'd from with symlinks resolved, so a hook reached through a symlink
// still finds the CLI installed beside the real file.
#include "common/sys/self_exec.hpp"

#include <limits.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>

#include "common/base/errors.hpp"

namespace ocinetns {

std::string sibling_path(std::string_view self_exe, std::string_view name) {
  auto slash = self_exe.rfind('/');
  if (self_exe.empty() || self_exe.front() != '/' || slash == std::string_view::npos) return {};
  std::string out(self_exe.substr(0, slash + 1));
  out += name;
  return out;
}

void exec_sibling(const char* name, char** argv) {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) throw_last_errno("readlink `/proc/self/exe`");
  // readlink(2) truncates silently: a result that fills the buffer may be cut short.
  if (n >= static_cast<ssize_t>(sizeof self - 1)) {
    throw_errno(ENAMETOOLONG, "readlink `/proc/self/exe`");
  }
  std::string path = sibling_path(std::string_view(self, static_cast<std::size_t>(n)), name);
  if (path.empty()) {
    throw_errno(ENOENT, fmt::format("find {}: /proc/self/exe is not an absolute path", name));
  }
  ::execv(path.c_str(), argv);
  int err = errno;  // before formatting the message can touch it
  throw_errno(
      err, fmt::format(
               "exec `{}` (installed beside this program, it runs every command but a hook stage "
               "or a runtime command)",
               path));
}

}  // namespace ocinetns
