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
};

std::string record_to_json(const Record& record);
// Throws InputError("record <what>: ...") if the text is not a valid record.
Record record_from_json(std::string_view text, std::string_view what);

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

  // The netns index maps a namespace to the container that registered it, so that a shared
  // netns is found in O(1). claim_netns creates the entry with O_EXCL and returns the owner
  // (ourselves if the claim succeeded).
  [[nodiscard]] std::string claim_netns(const NsId& ns, const std::string& id) const;
  void set_netns_owner(const NsId& ns, const std::string& id) const;
  // Removes the entry only if `id` owns it.
  void release_netns(const NsId& ns, const std::string& id) const;
  [[nodiscard]] std::optional<std::string> netns_owner(const NsId& ns) const;

 private:
  std::string dir_;
  UniqueFd records_;  // <state_dir>/containers
  UniqueFd index_;    // <state_dir>/netns
};

std::string record_file_name(const std::string& id);
std::string netns_index_name(const NsId& ns);

}  // namespace ocinetns
