// The state-directory store of records (common/model/record.hpp), the netns index and the sharer
// entries. All file I/O goes relative to the state directory's fd and never follows symlinks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/unique_fd.hpp"
#include "common/model/record.hpp"

namespace ocinetns {

// Holds flock(2) LOCK_EX on the state directory until it goes (RecordStore::lock).
class StoreLock {
 public:
  StoreLock() = default;
  explicit StoreLock(int fd) : fd_(fd) {}
  StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

 private:
  int fd_ = -1;  // the store's own descriptor, not closed here
};

class RecordStore {
 public:
  // Opens (and with `create`, makes, mode 0700) the state directory and its subdirectories.
  // Without `create`, a missing directory yields a store with valid() == false.
  static RecordStore open(const std::string& state_dir, bool create);

  [[nodiscard]] bool valid() const { return records_.valid(); }
  [[nodiscard]] const std::string& dir() const { return dir_; }

  // nullopt if no record exists; throws InputError if it is corrupt.
  [[nodiscard]] std::optional<Record> load(const std::string& id) const;
  void save(const Record& record) const;
  void remove(const std::string& id) const;
  // Every container id that has a record (O(n); for list and gc only).
  [[nodiscard]] std::vector<std::string> ids() const;

  // Serialises a sharer's registration, a sharer's removal and an owner's hand-over or removal
  // (common/sys/reference.cpp): each reads sharer and owner state the others change. flock(2) on
  // the state directory's descriptor the store already holds, so it costs no open; processes
  // of other stores of the same directory wait for each other. Blocks until it is held.
  [[nodiscard]] StoreLock lock() const;

  // The netns index maps a namespace to the container that registered it, so that a shared
  // netns is found in O(1). claim_netns creates the entry with O_EXCL and returns the owner
  // (ourselves if the claim succeeded).
  [[nodiscard]] std::string claim_netns(const NsId& ns, const std::string& id) const;
  void set_netns_owner(const NsId& ns, const std::string& id) const;
  // Removes the entry only if `id` owns it.
  void release_netns(const NsId& ns, const std::string& id) const;
  [[nodiscard]] std::optional<std::string> netns_owner(const NsId& ns) const;

  // Sharers of a netns: one empty file per container in <state_dir>/sharers/<dev>-<ino>/, so the
  // owner's poststop finds them with one directory read (one failed open when there are none).
  void add_sharer(const NsId& ns, const std::string& id) const;
  // Removes the entry, and the netns's directory once it is empty; an absent entry is fine.
  void remove_sharer(const NsId& ns, const std::string& id) const;
  // The ids with an entry for `ns`, sorted; none if the directory does not exist.
  [[nodiscard]] std::vector<std::string> sharers(const NsId& ns) const;

 private:
  [[nodiscard]] UniqueFd open_sharers(bool create) const;

  std::string dir_;
  UniqueFd root_;     // <state_dir>
  UniqueFd records_;  // <state_dir>/containers
  UniqueFd index_;    // <state_dir>/netns
};

// The entries of a store directory, unsorted: all but "." and ".." and write_file_atomic_at's
// temporaries (is_atomic_temp_name). For gc, list and a netns's sharers.
std::vector<std::string> dir_names(int dir_fd, const std::string& display);

}  // namespace ocinetns
