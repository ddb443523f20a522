// Records of what the hook made: one JSON file per container in the state directory. poststop,
// list and gc act only on what a record names. The model and its JSON form are pure; RecordStore
// does the file I/O, always relative to the state directory's fd and never following symlinks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/netns.hpp"
#include "common/unique_fd.hpp"

namespace ocinetns {

enum class RecordStatus { kPending, kComplete };

struct Record {
  std::string id;
  std::string name;       // reference file name inside netns_dir
  std::string netns_dir;  // the directory it was made in (config may change later)
  NsId netns;
  pid_t pid = 0;
  std::uint64_t pid_start_time = 0;
  std::int64_t created = 0;  // unix seconds
  RecordStatus status = RecordStatus::kPending;
  bool alias = false;  // a second name for a netns another container registered
  // A container that joined a netns another container registered (shared_netns "skip"): it has
  // no reference of its own (`name` is the one it would get) but keeps the namespace's reference
  // alive: when the owner stops, the reference passes to a live sharer (common/reference.cpp).
  bool sharer = false;
  // The engine's name for the container ({name}: Docker's, Podman's), empty if unknown; for
  // `list` and `exec TARGET`. Optional in the JSON, so older records still load.
  std::string container_name;
};

std::string record_to_json(const Record& record);
// Throws InputError("record <what>: ...") if the text is not a valid record.
Record record_from_json(std::string_view text, std::string_view what);

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
  // (common/reference.cpp): each reads sharer and owner state the others change. flock(2) on
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

std::string record_file_name(const std::string& id);
// The entries of a store directory, unsorted: all but "." and ".." and write_file_atomic_at's
// temporaries (is_atomic_temp_name). For gc, list and a netns's sharers.
std::vector<std::string> dir_names(int dir_fd, const std::string& display);
std::string netns_index_name(const NsId& ns);

}  // namespace ocinetns
