// Bounded reads and atomic writes. All descriptors are O_CLOEXEC so no child inherits them.
#include "common/base/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>

#include "common/base/errors.hpp"

namespace ocinetns {

std::string read_all_limited(int fd, std::size_t max_bytes, std::string_view what) {
  std::string out;
  // One page: states and configs are far smaller, and a deeper buffer would only fault in more
  // stack pages at every hook start (about 2.3 us each here, tests/bench).
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_last_errno(fmt::format("read {}", what));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      throw InputError(fmt::format("{}: input exceeds {} bytes", what, max_bytes));
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

void throw_open_error(int dir_fd, const std::string& name, int err, const std::string& context) {
  struct stat st {};
  if ((err == ELOOP || err == ENOTDIR) &&
      ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    throw InputError(fmt::format("{}: is a symbolic link, refusing to follow it", context));
  }
  throw_errno(err, context);
}

UniqueFd open_or_throw(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_open_error(AT_FDCWD, path, errno, fmt::format("open `{}`", path));
  return UniqueFd(fd);
}

UniqueFd open_at_nofollow(int dir_fd, const std::string& name, int flags, int& err, mode_t mode) {
  int fd = ::openat(dir_fd, name.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
  err = fd < 0 ? errno : 0;
  return UniqueFd(fd);
}

std::optional<FileText> read_regular_file(int dir_fd, const std::string& name,
                                          std::size_t max_bytes, std::string_view what,
                                          const std::string& display, Symlinks symlinks,
                                          const FileCheck& check) {
  int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (symlinks == Symlinks::kRefuse ? O_NOFOLLOW : 0);
  int fd = ::openat(dir_fd, name.c_str(), flags);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    std::string context = fmt::format("open {} `{}`", what, display);
    if (symlinks == Symlinks::kRefuse) throw_open_error(dir_fd, name, errno, context);
    throw_last_errno(context);
  }
  UniqueFd file(fd);
  FileText out;
  if (::fstat(fd, &out.st) != 0) throw_last_errno(fmt::format("stat {} `{}`", what, display));
  if (!S_ISREG(out.st.st_mode)) {
    throw InputError(fmt::format("{} `{}`: not a regular file", what, display));
  }
  if (check) check(out.st);
  out.text = read_all_limited(fd, max_bytes, fmt::format("{} `{}`", what, display));
  return out;
}

std::optional<std::string> read_file_at(int dir_fd, const std::string& name, std::size_t max_bytes,
                                        std::string_view what) {
  auto file = read_regular_file(dir_fd, name, max_bytes, what, name, Symlinks::kRefuse);
  if (!file) return std::nullopt;
  return std::move(file->text);
}

void write_file_atomic_at(int dir_fd, const std::string& name, std::string_view data, mode_t mode,
                          std::string_view what) {
  // The temporary name is unique per process; O_EXCL refuses to reuse anything already there.
  // Its leading ".." keeps it apart from every name a listing of the store must see.
  std::string tmp = fmt::format("..{}.tmp.{}", name, ::getpid());
  int fd =
      ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0 && errno == EEXIST) {
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    fd = ::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  }
  if (fd < 0) throw_last_errno(fmt::format("create {} `{}`", what, tmp));
  UniqueFd guard(fd);
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::unlinkat(dir_fd, tmp.c_str(), 0);
      throw_errno(err, fmt::format("write {} `{}`", what, tmp));
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    throw_errno(err, fmt::format("chmod {} `{}`", what, tmp));
  }
  guard.reset();
  if (::renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    throw_errno(err, fmt::format("rename {} `{}` to `{}`", what, tmp, name));
  }
}

void make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  // The directory exists on every container start but the first: one mkdir(2) settles that
  // (EEXIST) instead of one per path component.
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return;
  if (errno != ENOENT) throw_last_errno(fmt::format("mkdir `{}`", path));
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      throw_last_errno(fmt::format("mkdir `{}`", partial));
    }
  }
}

}  // namespace ocinetns
