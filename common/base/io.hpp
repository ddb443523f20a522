// Small file and descriptor helpers: bounded reads, atomic writes relative to a directory fd.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/unique_fd.hpp"

namespace ocinetns {

// Reads everything from `fd` up to `max_bytes`. Throws InputError("<what>: input exceeds ...")
// if there is more, std::system_error on a read error.
std::string read_all_limited(int fd, std::size_t max_bytes, std::string_view what);

// Throws for a failed open of `name` relative to `dir_fd` (AT_FDCWD: a path) that failed with
// `err`: InputError("<context>: is a symbolic link, refusing to follow it") if `name` is one
// (O_NOFOLLOW fails with ELOOP, or ENOTDIR with O_DIRECTORY), else std::system_error.
[[noreturn]] void throw_open_error(int dir_fd, const std::string& name, int err,
                                   const std::string& context);

// Opens `path` (O_CLOEXEC added) or throws std::system_error naming the path (InputError for a
// symlink refused by O_NOFOLLOW).
UniqueFd open_or_throw(const std::string& path, int flags, mode_t mode = 0);

// openat() relative to `dir_fd`, never following a final symlink. Returns an invalid fd and
// sets `err` on failure instead of throwing, for callers that handle ENOENT themselves.
UniqueFd open_at_nofollow(int dir_fd, const std::string& name, int flags, int& err,
                          mode_t mode = 0);

// Whether read_regular_file follows a final symlink (packages install hooks.d files and configs
// as links) or refuses it (the state store, whose entries are only ever our own files).
enum class Symlinks { kFollow, kRefuse };

// A file's text and the fstat(2) it was read under (the mode, for a rewrite that keeps it).
struct FileText {
  std::string text;
  struct stat st {};
};

// Runs on the opened file's fstat(2) before a byte is read; throws to refuse the file (e.g.
// check_trusted_owner for the files that steer a root process).
using FileCheck = std::function<void(const struct stat&)>;

// The one way a whole file is read: opens `name` relative to `dir_fd` (AT_FDCWD: a path)
// O_RDONLY|O_NONBLOCK (a FIFO planted there can stall neither the open nor the read), checks that
// it is a regular file, runs `check`, and reads at most `max_bytes`. nullopt if there is no such
// file (ENOENT). Messages name "<what> `<display>`": std::system_error for a failed open, fstat or
// read; InputError for a refused symlink, not a regular file, or more than `max_bytes`.
std::optional<FileText> read_regular_file(int dir_fd, const std::string& name,
                                          std::size_t max_bytes, std::string_view what,
                                          const std::string& display, Symlinks symlinks,
                                          const FileCheck& check = {});

// read_regular_file of `name` in `dir_fd`, refusing symlinks, named by `name`: the text, or
// nullopt if it is absent.
std::optional<std::string> read_file_at(int dir_fd, const std::string& name, std::size_t max_bytes,
                                        std::string_view what);

// Writes `data` to `name` in `dir_fd` atomically: a temporary file in the same directory,
// fsync-free (state under /run is tmpfs), then renameat over the target. Mode is `mode`. The
// temporary file is "..<name>.tmp.<pid>" (is_atomic_temp_name).
void write_file_atomic_at(int dir_fd, const std::string& name, std::string_view data, mode_t mode,
                          std::string_view what);

// True for write_file_atomic_at's temporary names, and for "..". They begin with "..", which no
// entry of the state store can: a container id may begin with '.' but never contain "..", and
// records (<id>.json), sharer entries (<id>) and netns index entries (<dev>-<ino>) begin with
// the id or a digit.
inline bool is_atomic_temp_name(std::string_view name) {
  return name.starts_with("..");
}

// Creates directory `path` and missing parents with `mode` (like mkdir -p); existing is fine.
void make_dirs(const std::string& path, mode_t mode);

}  // namespace ocinetns
