// Fault-injection points for crash tests. kFaultPoints lists every point; the code names one with
// OCI_NETNS_FAULT_POINT("name"), which does not compile for a name missing from the list, so the
// tests (tests/runc/fault_test.cpp walks the list) cannot forget a point. Only builds with
// OCI_NETNS_TEST_BUILD act on them: when the environment variable OCI_NETNS_FAULT names the
// point, the process SIGKILLs itself there; when OCI_NETNS_FAULT_STOP names it, the process
// SIGSTOPs itself there (ordering tests hold it at the point, then SIGCONT it).
#pragma once

#include <string_view>

namespace ocinetns {

enum class FaultStage {
  kCreateRuntime,  // hit by createRuntime
  kRemove,         // hit wherever a reference is removed: poststop, gc, a createRuntime rollback
  kSysctlChild,    // hit in createRuntime's forked sysctl child (kills the child, not the hook)
  kShareJoin,      // hit by createRuntime of a container joining a netns another one registered
  kShareLeave,     // hit by such a sharer's poststop
  kHandOver,       // hit by the owner's poststop while a sharer still runs in the namespace
};

struct FaultPointInfo {
  std::string_view name;
  FaultStage stage;
  std::string_view after;  // the step just completed, for test messages
};

// After every step that changes the system, in the order the stages take them.
inline constexpr FaultPointInfo kFaultPoints[] = {
    {"create.after_dir", FaultStage::kCreateRuntime, "netns directory made a shared mount point"},
    {"create.after_record", FaultStage::kCreateRuntime, "pending record written"},
    {"create.after_claim", FaultStage::kCreateRuntime, "netns index entry claimed"},
    {"create.after_file", FaultStage::kCreateRuntime, "O_EXCL reference file created"},
    {"create.after_mount", FaultStage::kCreateRuntime, "namespace bind-mounted"},
    {"create.after_complete", FaultStage::kCreateRuntime, "record marked complete"},
    {"sysctl-child", FaultStage::kSysctlChild, "sysctl child forked"},
    {"create.after_sysctls", FaultStage::kCreateRuntime, "sysctls written"},
    {"remove.after_umount", FaultStage::kRemove, "reference unmounted"},
    {"remove.after_unlink", FaultStage::kRemove, "reference file unlinked"},
    {"remove.after_release", FaultStage::kRemove, "netns index entry released"},
    {"remove.after_record", FaultStage::kRemove, "record removed"},
    {"share.after_record", FaultStage::kShareJoin, "sharer record written"},
    {"share.after_entry", FaultStage::kShareJoin, "sharer entry made"},
    {"remove.sharer_loaded", FaultStage::kShareLeave, "sharer record loaded"},
    {"remove.after_unshare", FaultStage::kShareLeave, "sharer entry removed"},
    {"handover.after_record", FaultStage::kHandOver, "sharer's record made the owner's"},
    {"handover.after_owner", FaultStage::kHandOver, "netns index names the sharer"},
    {"handover.after_entry", FaultStage::kHandOver, "sharer entry removed"},
};

// Returns `name` if it is in kFaultPoints; otherwise the constant evaluation fails.
consteval const char* listed_fault_point(const char* name) {
  for (const auto& point : kFaultPoints) {
    if (point.name == std::string_view(name)) return name;
  }
  throw "OCI_NETNS_FAULT_POINT: add the point to kFaultPoints in common/base/fault.hpp";
}

#ifdef OCI_NETNS_TEST_BUILD
void fault_point(const char* name);
#define OCI_NETNS_FAULT_POINT(name) ::ocinetns::fault_point(::ocinetns::listed_fault_point(name))
#else
#define OCI_NETNS_FAULT_POINT(name) ((void)::ocinetns::listed_fault_point(name))
#endif

}  // namespace ocinetns
