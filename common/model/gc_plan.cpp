// Staleness rules (README, "Operations: list and gc"). A namespace counts as in use while its
// recorded init lives (pid + start time, so a recycled pid does not count) or while any process
// is in it: a pod's other containers, or `ip netns exec` into it.
#include "common/model/gc_plan.hpp"

namespace ocinetns {
namespace {

bool container_gone(const RecordFacts& f) {
  return !f.init_alive && !f.netns_in_use;
}

}  // namespace

RecordState record_state(const RecordFacts& f) {
  if (f.sharer) return f.init_alive ? RecordState::kShared : RecordState::kGone;
  switch (f.ref) {
    case RefObservation::kAbsent:
    case RefObservation::kReplaced:
    case RefObservation::kEmptyFile:
      return f.status == RecordStatus::kPending && !container_gone(f) ? RecordState::kPending
                                                                      : RecordState::kGone;
    case RefObservation::kIntact:
      break;
  }
  if (f.status == RecordStatus::kPending) return RecordState::kPending;
  return container_gone(f) ? RecordState::kStale : RecordState::kLive;
}

GcDecision plan_gc(const RecordFacts& f, std::int64_t pending_grace_seconds) {
  const bool gone = container_gone(f);
  const bool pending = f.status == RecordStatus::kPending;
  if (f.sharer) {
    // Its container's init is what keeps it: the namespace may hold other processes that are
    // the owner's.
    if (!f.init_alive) return {GcAction::kForget, "sharing container gone"};
    if (f.owner_intact) return {GcAction::kKeep, "shares the owner's reference"};
    return {GcAction::kAdopt, "the reference it shared is gone"};
  }
  // createRuntime writes the record before it creates the file and mounts: a young pending
  // record of a live container may be a hook that is running right now.
  if (pending && !gone && f.age_seconds < pending_grace_seconds) {
    return {GcAction::kKeep, "createRuntime may still be running"};
  }
  switch (f.ref) {
    case RefObservation::kIntact:
      if (gone) return {GcAction::kRemove, "container gone"};
      if (pending) return {GcAction::kComplete, "interrupted createRuntime had mounted it"};
      return {GcAction::kKeep, "live"};
    case RefObservation::kAbsent:
      return {GcAction::kForget,
              pending ? "interrupted createRuntime made no file" : "reference file vanished"};
    case RefObservation::kEmptyFile:
      if (gone) return {GcAction::kRemove, "container gone, reference not mounted"};
      if (pending) return {GcAction::kRemove, "interrupted createRuntime never mounted it"};
      // Someone unmounted a live container's reference by hand: poststop still removes it.
      return {GcAction::kKeep, "live, reference unmounted"};
    case RefObservation::kReplaced:
      return {GcAction::kForget, "the name now holds something not made by the hook"};
  }
  return {GcAction::kKeep, "unknown"};
}

bool init_matches(const std::optional<ProcStat>& stat, std::uint64_t recorded_start_time) {
  if (!stat || stat->state == 'Z' || stat->state == 'X') return false;
  return recorded_start_time == 0 || stat->start_time == recorded_start_time;
}

const char* to_string(RecordState state) {
  switch (state) {
    case RecordState::kLive:
      return "live";
    case RecordState::kStale:
      return "stale";
    case RecordState::kPending:
      return "pending";
    case RecordState::kGone:
      return "gone";
    case RecordState::kShared:
      return "shared";
  }
  return "unknown";
}

const char* to_string(GcAction action) {
  switch (action) {
    case GcAction::kKeep:
      return "keep";
    case GcAction::kRemove:
      return "remove";
    case GcAction::kForget:
      return "forget";
    case GcAction::kComplete:
      return "complete";
    case GcAction::kAdopt:
      return "adopt";
  }
  return "unknown";
}

}  // namespace ocinetns
