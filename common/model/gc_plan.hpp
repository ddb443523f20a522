// The staleness decision for list and gc: given what was observed about one record (its
// reference, its init process, whether any process is still in its namespace), what the record
// is and what gc should do with it. Pure: the observations are gathered by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/model/ns_id.hpp"
#include "common/model/proc_stat.hpp"
#include "common/model/record.hpp"

namespace ocinetns {

// What sits at the record's name now.
enum class RefObservation {
  kIntact,     // a namespace reference holding the recorded netns
  kAbsent,     // no file
  kEmptyFile,  // our O_EXCL file with no namespace mounted on it
  kReplaced,   // another namespace, or something that is not a reference: not ours any more
};

struct RecordFacts {
  RecordStatus status = RecordStatus::kComplete;
  RefObservation ref = RefObservation::kIntact;
  bool init_alive = false;       // the recorded pid exists with the recorded start time
  bool netns_in_use = false;     // some process's /proc/<pid>/ns/net is the recorded netns
  std::int64_t age_seconds = 0;  // now - record.created
  // Sharer records only (Record::sharer): the namespace's owner record has its reference intact.
  bool sharer = false;
  bool owner_intact = false;
};

// The state list shows for a record.
enum class RecordState {
  kLive,     // the container (or another process) still uses the namespace
  kStale,    // nobody uses the namespace: poststop never ran
  kPending,  // createRuntime has not finished (or was interrupted)
  kGone,     // the reference is no longer there (or no longer ours)
  kShared,   // a sharer whose container runs in a namespace another record's reference holds
};

enum class GcAction {
  kKeep,      // live, or a createRuntime that may still be running
  kRemove,    // unmount + unlink the reference, then drop the record (remove_recorded)
  kForget,    // drop the record only; the name is absent or holds something not ours
  kComplete,  // an interrupted createRuntime got as far as the mount: mark the record complete
  kAdopt,     // a live sharer whose namespace lost its reference: make one for it
};

struct GcDecision {
  GcAction action = GcAction::kKeep;
  std::string reason;  // one phrase for the operator, e.g. "container gone"
};

// A pending record younger than this with a live init may belong to a createRuntime that is
// still running (runc's default hook timeout is far shorter); gc leaves it alone.
inline constexpr std::int64_t kDefaultPendingGraceSeconds = 120;

RecordState record_state(const RecordFacts& facts);
GcDecision plan_gc(const RecordFacts& facts, std::int64_t pending_grace_seconds);

// The set of network namespaces any process is in, from one scan of /proc/*/ns/net.
struct NsIdHash {
  std::size_t operator()(const NsId& id) const noexcept {
    return std::hash<std::uint64_t>{}(id.ino * 1000003u ^ id.dev);
  }
};
using NsIdSet = std::unordered_set<NsId, NsIdHash>;

// The recorded init still runs: same start time (a recycled pid has another) and not a zombie.
// A zombie has already left its namespaces (its /proc/<pid>/ns links are gone), and it stays a
// zombie as long as its parent does not reap it: an init re-parented to a pid 1 that never calls
// wait(2) (measured here) would otherwise look alive forever.
bool init_matches(const std::optional<ProcStat>& stat, std::uint64_t recorded_start_time);

const char* to_string(RecordState state);
const char* to_string(GcAction action);

}  // namespace ocinetns
