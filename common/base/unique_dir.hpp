// UniqueDir: sole owner of a directory stream (DIR*); closedir(3)s it on destruction. Move-only,
// so no listing in the project holds a raw DIR* that an early return or a throw could leak.
#pragma once

#include <dirent.h>

#include <string>
#include <utility>

namespace ocinetns {

class UniqueDir {
 public:
  UniqueDir() = default;
  explicit UniqueDir(DIR* dir) noexcept : dir_(dir) {}
  UniqueDir(const UniqueDir&) = delete;
  UniqueDir& operator=(const UniqueDir&) = delete;
  UniqueDir(UniqueDir&& other) noexcept : dir_(std::exchange(other.dir_, nullptr)) {}
  UniqueDir& operator=(UniqueDir&& other) noexcept {
    if (this != &other) reset(std::exchange(other.dir_, nullptr));
    return *this;
  }
  ~UniqueDir() { reset(); }

  // A listing of the directory `dir_fd` refers to, from its start. fdopendir(3) takes ownership
  // of the descriptor it is given, so it gets a duplicate (O_CLOEXEC) opened on "." and the
  // caller keeps `dir_fd`. Throws std::system_error naming `display`.
  static UniqueDir list_fd(int dir_fd, const std::string& display);
  // A listing of `path` (opendir(3), O_CLOEXEC). Throws std::system_error naming the path.
  static UniqueDir list_path(const std::string& path);

  [[nodiscard]] DIR* get() const noexcept { return dir_; }
  [[nodiscard]] bool valid() const noexcept { return dir_ != nullptr; }
  // The next entry, nullptr at the end (readdir(3)).
  [[nodiscard]] struct dirent* next() const noexcept { return ::readdir(dir_); }

  void reset(DIR* dir = nullptr) noexcept {
    if (dir_ != nullptr) ::closedir(dir_);
    dir_ = dir;
  }

 private:
  DIR* dir_ = nullptr;
};

}  // namespace ocinetns
