// Records of what the hook made: one JSON file per container in the state directory. poststop,
// list and gc act only on what a record names. The model and its JSON form (pure); the store that
// reads and writes them is common/sys/record_store.hpp.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/ns_id.hpp"

namespace ocinetns {

inline constexpr std::size_t kMaxRecordBytes = 64 * 1024;

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
  // alive: when the owner stops, the reference passes to a live sharer (common/sys/reference.cpp).
  bool sharer = false;
  // The engine's name for the container ({name}: Docker's, Podman's, a pod's), empty if
  // unknown; for `list` and `exec TARGET`. Optional in the JSON, so older records still load.
  std::string container_name;
};

std::string record_to_json(const Record& record);
// Throws InputError("record <what>: ...") if the text is not a valid record.
Record record_from_json(std::string_view text, std::string_view what);

// The file a record is stored in inside <state_dir>/containers: "<id>.json".
std::string record_file_name(const std::string& id);
// The container id a record file name stores, or nullopt for a name that is not a record file.
std::optional<std::string> record_id_of_file_name(std::string_view name);
// The netns index and sharers entry name for a namespace: "<dev>-<ino>".
std::string netns_index_name(const NsId& ns);

}  // namespace ocinetns
