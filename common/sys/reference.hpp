// Netns references: making /run/netns/<name> for a container at createRuntime and removing it at
// poststop, with a record in the state directory so that only what we made is ever removed.
#pragma once

#include <string>

#include "common/model/oci_state.hpp"
#include "common/model/record.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/record_store.hpp"

namespace ocinetns {

struct ReferenceSettings {
  std::string netns_dir = "/run/netns";
  std::string state_dir = "/run/oci-netns-hook";
  bool alias_shared = false;  // give a container that joins a registered netns its own name too
};

enum class CreateOutcome { kCreated, kAlreadyPresent, kSkippedHostNetwork, kSkippedShared };

struct CreateResult {
  CreateOutcome outcome = CreateOutcome::kCreated;
  std::string path;   // the reference, for messages
  std::string owner;  // kSkippedShared: the container that registered the netns
  std::string owner_path;
  // Set when the rendered name was taken and the collision rule gave the container a fallback
  // (`path` is the fallback's): the name it asked for and why it could not have it.
  std::string requested_name;
  std::string taken_reason;
};

// Makes the reference `name` for container `state.id` whose network namespace is `net`.
// Idempotent for the same container and namespace. A name held by another container's reference
// or by anything we did not make is never overwritten: the container gets the first free
// fallback of the collision rule instead (common/name_collision.hpp; result.requested_name says
// so), InputError only if every fallback is taken too. `container_name` (the engine's name for
// the container, may be empty) goes into the record for `list` and `exec`. Any failure part-way
// rolls back what this call made.
CreateResult create_reference(const ReferenceSettings& settings, const OciState& state,
                              const std::string& name, const ProcessNs& net,
                              const std::string& container_name = {});

enum class RemoveOutcome {
  kRemoved,
  kNothingToDo,
  kRecordOnly,
  kHandedOver,  // another container still in the namespace now owns the reference (`heir`)
  kUnshared,    // a sharer's record: the namespace's reference is its owner's, left in place
};

struct RemoveResult {
  RemoveOutcome outcome = RemoveOutcome::kNothingToDo;
  std::string path;
  std::string note;  // why a reference was left in place, if it was
  std::string heir;  // kHandedOver: the container that owns the reference now
};

// poststop: removes the reference recorded for `id`, if it still points at the recorded netns,
// and then the record. No record means nothing to do.
RemoveResult remove_reference(const ReferenceSettings& settings, const std::string& id);

// Removes what `record` describes (used by poststop and gc). An owner's intact reference whose
// namespace a live sharer still uses is not removed but passed to that sharer (its record becomes
// the owner's, same name); sharers whose container is gone are dropped on the way. A sharer's
// record removes only itself.
RemoveResult remove_recorded(const RecordStore& store, const Record& record);

// The process `pid` still runs with `start_time` (0: any) and is not a zombie.
bool process_matches(pid_t pid, std::uint64_t start_time);
// The record's init still runs.
inline bool record_init_alive(const Record& record) {
  return process_matches(record.pid, record.pid_start_time);
}

}  // namespace ocinetns
