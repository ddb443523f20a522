// The seccomp filter of each hook stage as libseccomp builds it. The build exports it once per
// stage and mode (common/tools/sandbox_bpf_gen.cpp) and compiles the BPF into the hook, so a
// container start loads a ready program instead of running libseccomp's compiler (tests/bench:
// building the filter was most of the sandbox's cost, about 25 page faults per run).
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/sys/sandbox.hpp"

namespace ocinetns {

// Stands for the hook's pid in an exported program (kill/tgkill are allowed only at the hook's
// own pid). It is above PID_MAX_LIMIT (2^22, include/linux/threads.h), so no real pid equals
// it; the generator also proves that it is the only constant that changes with the pid.
inline constexpr std::uint32_t kSandboxPidPlaceholder = 0x7e57a11d;

// The BPF program libseccomp makes for `stage` and `violation` with `pid` as the hook's own pid
// (seccomp_export_bpf(3)). Throws std::system_error if libseccomp fails.
std::vector<sock_filter> export_sandbox_filter(SandboxStage stage, SandboxViolation violation,
                                               pid_t pid);

// The instruction the hook's programs start with. Attaching a filter makes the kernel build its
// seccomp action cache (Linux 5.11+, kernel/seccomp.c: seccomp_cache_prepare()): under the
// siglock it emulates the new filter once for every syscall number of every architecture, to
// find the syscalls the filter always allows. The emulator gives up on the first instruction that
// reads anything but the syscall number or the architecture (seccomp_is_const_allow()). For
// libseccomp's linear chain of about 90 comparisons the emulation was about 100 us of the 140 us
// that seccomp(2) took here (tests/bench), while a cache hit would save well under 1 us over the
// hook's ~60 remaining syscalls. Loading instruction_pointer first stops every emulation at once;
// the load has no other effect, since libseccomp's program loads the architecture next.
inline constexpr sock_filter kSkipActionCache =
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, instruction_pointer));

// What the hook loads: kSkipActionCache, then the export of export_sandbox_filter(). Jumps in
// classic BPF are relative and only go forward, so the prefix moves no jump target.
std::vector<sock_filter> loadable_sandbox_filter(SandboxStage stage, SandboxViolation violation,
                                                 pid_t pid);

// Instruction equality (sock_filter, a C struct, has no operator==).
inline bool same_instruction(const sock_filter& a, const sock_filter& b) {
  return a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k;
}

// One precomputed program: `insns` as exported with kSandboxPidPlaceholder, and the indices of
// the instructions whose constant is that pid.
struct SandboxProgram {
  const sock_filter* insns;
  std::size_t size;
  const std::uint16_t* pid_slots;
  std::size_t pid_slot_count;
};

}  // namespace ocinetns
