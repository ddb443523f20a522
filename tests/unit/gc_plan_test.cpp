// Unit tests for the staleness decision behind `list` states and `gc` actions.
#include <gtest/gtest.h>

#include "common/model/gc_plan.hpp"

namespace ocinetns {
namespace {

constexpr std::int64_t kGrace = 120;

RecordFacts facts(RecordStatus status, RefObservation ref, bool init_alive, bool in_use,
                  std::int64_t age = 3600) {
  RecordFacts f;
  f.status = status;
  f.ref = ref;
  f.init_alive = init_alive;
  f.netns_in_use = in_use;
  f.age_seconds = age;
  return f;
}

constexpr auto kComplete = RecordStatus::kComplete;
constexpr auto kPending = RecordStatus::kPending;

TEST(GcPlan, LiveContainerIsKept) {
  auto f = facts(kComplete, RefObservation::kIntact, true, true);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
  EXPECT_EQ(record_state(f), RecordState::kLive);
}

TEST(GcPlan, InitGoneButAnotherProcessInNetnsIsLive) {
  // A pod's other container, or `ip netns exec`, still uses the namespace.
  auto f = facts(kComplete, RefObservation::kIntact, false, true);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
  EXPECT_EQ(record_state(f), RecordState::kLive);
}

TEST(GcPlan, InitAliveButNetnsScanMissedItIsLive) {
  // The init's own ns link may be unreadable; its pid + start time alone keeps it.
  auto f = facts(kComplete, RefObservation::kIntact, true, false);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
}

TEST(GcPlan, ContainerGoneIsStaleAndRemoved) {
  auto f = facts(kComplete, RefObservation::kIntact, false, false);
  EXPECT_EQ(record_state(f), RecordState::kStale);
  GcDecision d = plan_gc(f, kGrace);
  EXPECT_EQ(d.action, GcAction::kRemove);
  EXPECT_EQ(d.reason, "container gone");
}

TEST(GcPlan, VanishedReferenceFileForgetsTheRecordWhateverTheContainer) {
  for (bool alive : {true, false}) {
    auto f = facts(kComplete, RefObservation::kAbsent, alive, alive);
    EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kForget) << alive;
    EXPECT_EQ(record_state(f), RecordState::kGone);
  }
}

TEST(GcPlan, ReplacedNameIsNeverRemovedOnlyForgotten) {
  for (bool alive : {true, false}) {
    auto f = facts(kComplete, RefObservation::kReplaced, alive, false);
    EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kForget);
    EXPECT_EQ(record_state(f), RecordState::kGone);
  }
}

TEST(GcPlan, UnmountedReferenceOfLiveContainerIsLeftToPoststop) {
  auto f = facts(kComplete, RefObservation::kEmptyFile, true, true);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
  auto gone = facts(kComplete, RefObservation::kEmptyFile, false, false);
  EXPECT_EQ(plan_gc(gone, kGrace).action, GcAction::kRemove);
}

TEST(GcPlan, YoungPendingRecordOfLiveContainerMayBeInProgress) {
  for (auto ref : {RefObservation::kIntact, RefObservation::kAbsent, RefObservation::kEmptyFile,
                   RefObservation::kReplaced}) {
    auto f = facts(kPending, ref, true, true, 5);
    EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
    EXPECT_EQ(record_state(f), RecordState::kPending);
  }
}

TEST(GcPlan, NegativeAgeFromAClockStepCountsAsYoung) {
  auto f = facts(kPending, RefObservation::kEmptyFile, true, true, -30);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
}

TEST(GcPlan, OldPendingRecordWithMountedReferenceIsCompleted) {
  auto f = facts(kPending, RefObservation::kIntact, true, true, kGrace);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kComplete);
}

TEST(GcPlan, OldPendingRecordWithoutMountIsRemoved) {
  EXPECT_EQ(plan_gc(facts(kPending, RefObservation::kEmptyFile, true, true, kGrace), kGrace).action,
            GcAction::kRemove);
  EXPECT_EQ(plan_gc(facts(kPending, RefObservation::kAbsent, true, true, kGrace), kGrace).action,
            GcAction::kForget);
}

TEST(GcPlan, PendingRecordOfGoneContainerIsRemovedAtOnce) {
  // No grace: the init exited and nobody is in the namespace, so no createRuntime is running.
  auto intact = facts(kPending, RefObservation::kIntact, false, false, 1);
  EXPECT_EQ(plan_gc(intact, kGrace).action, GcAction::kRemove);
  auto empty = facts(kPending, RefObservation::kEmptyFile, false, false, 1);
  EXPECT_EQ(plan_gc(empty, kGrace).action, GcAction::kRemove);
  EXPECT_EQ(record_state(empty), RecordState::kGone);
  auto none = facts(kPending, RefObservation::kAbsent, false, false, 1);
  EXPECT_EQ(plan_gc(none, kGrace).action, GcAction::kForget);
}

TEST(GcPlan, ZeroGraceActsOnPendingImmediately) {
  auto f = facts(kPending, RefObservation::kIntact, true, true, 0);
  EXPECT_EQ(plan_gc(f, 0).action, GcAction::kComplete);
}

TEST(GcPlan, NamesForOutput) {
  EXPECT_STREQ(to_string(RecordState::kStale), "stale");
  EXPECT_STREQ(to_string(RecordState::kLive), "live");
  EXPECT_STREQ(to_string(GcAction::kForget), "forget");
}

TEST(GcPlan, NsIdSetDistinguishesDevices) {
  NsIdSet set;
  set.insert(NsId{4, 100});
  EXPECT_TRUE(set.contains(NsId{4, 100}));
  EXPECT_FALSE(set.contains(NsId{5, 100}));
}

TEST(ProcStat, ZombieOrRecycledPidIsNotTheInit) {
  EXPECT_TRUE(init_matches(ProcStat{'S', 100}, 100));
  EXPECT_TRUE(init_matches(ProcStat{'R', 100}, 0));  // start time not recorded
  EXPECT_FALSE(init_matches(ProcStat{'S', 101}, 100));
  EXPECT_FALSE(init_matches(ProcStat{'Z', 100}, 100));  // exited, not reaped
  EXPECT_FALSE(init_matches(ProcStat{'X', 100}, 100));
  EXPECT_FALSE(init_matches(std::nullopt, 100));
}

// Sharers (containers that joined a namespace another record's reference holds): their own init
// decides, not the namespace, which the owner's processes may keep in use.
RecordFacts sharer_facts(bool init_alive, bool owner_intact, bool in_use = true) {
  RecordFacts f = facts(kComplete, RefObservation::kAbsent, init_alive, in_use);
  f.sharer = true;
  f.owner_intact = owner_intact;
  return f;
}

TEST(GcPlan, LiveSharerOfAnIntactReferenceIsKept) {
  auto f = sharer_facts(true, true);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kKeep);
  EXPECT_EQ(record_state(f), RecordState::kShared);
}

TEST(GcPlan, SharerWhoseInitExitedIsForgottenEvenIfTheNamespaceIsInUse) {
  auto f = sharer_facts(false, true, true);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kForget);
  EXPECT_EQ(record_state(f), RecordState::kGone);
}

TEST(GcPlan, LiveSharerWhoseReferenceIsGoneIsAdopted) {
  auto f = sharer_facts(true, false);
  EXPECT_EQ(plan_gc(f, kGrace).action, GcAction::kAdopt);
  EXPECT_STREQ(to_string(GcAction::kAdopt), "adopt");
  EXPECT_STREQ(to_string(RecordState::kShared), "shared");
}

}  // namespace
}  // namespace ocinetns
