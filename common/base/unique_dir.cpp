// Opening directory listings for UniqueDir.
#include "common/base/unique_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/base/errors.hpp"

namespace ocinetns {

UniqueDir UniqueDir::list_fd(int dir_fd, const std::string& display) {
  // Reopening "." gives a descriptor with its own offset: the caller's may be an O_PATH fd
  // (which getdents(2) refuses) or in use by another listing.
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_last_errno(fmt::format("open `{}`", display));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    throw_errno(err, fmt::format("opendir `{}`", display));
  }
  return UniqueDir(dir);
}

UniqueDir UniqueDir::list_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_last_errno(fmt::format("open `{}`", path));
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    throw_errno(err, fmt::format("opendir `{}`", path));
  }
  return UniqueDir(dir);
}

}  // namespace ocinetns
