// Self-confinement with a libseccomp allowlist, installed by the hook stages once they have read
// their input and config. The filter is built by export_sandbox_filter()
// (common/sys/sandbox_filter.hpp) at build time and loaded from the precomputed BPF at run time.
// Everything outside the stage's allowlist fails with EPERM or kills the process.
//
// The allowlist (print it with `oci-netns-hook sandbox-allowlist [createRuntime|poststop]`):
// - both stages: reading/writing open descriptors, openat/close/stat family, memory, signals,
//   time, exit; umount2, unlinkat, renameat, mkdirat, fchmod, fsync (records and references);
//   flock (the netns directory at createRuntime, the state directory's lock in both);
//   socket (AF_UNIX only), connect, sendto, sendmsg (syslog on /dev/log: log.syslog, or the
//   default destination of warnings, common/base/operator_log.hpp); ioctl limited to
//   NS_GET_NSTYPE (nsfs check) and TCGETS (isatty); kill/tgkill only at the hook's own pid
//   (raise(3), abort(3)); rt_sigaction of any signal but SIGSYS (the kill-mode reporter).
// - createRuntime adds pidfd_open, mount, setns, fork/clone, wait4, pipe2 and
//   prctl(PR_SET_PDEATHSIG) (the sysctl child, common/sys/sysctl_apply.cpp).
// Not in either list, among others: execve/execveat, ptrace, process_vm_*, bpf, init_module,
// kexec_*, reboot, pivot_root, chroot, unshare, keyctl, setuid family, network sockets.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace ocinetns {

enum class SandboxStage { kCreateRuntime, kPoststop };
enum class SandboxViolation { kErrno, kKill };

// The syscall names allowed for a stage, unconditionally or with an argument restriction.
std::vector<std::string> sandbox_allowlist(SandboxStage stage);

// One line per allowed syscall, with its argument restriction if it has one (for the docs and
// the hidden `sandbox-allowlist` verb).
std::vector<std::string> describe_sandbox(SandboxStage stage);

// The BPF program enter_sandbox() loads: the build's export of the stage's filter with `pid` as
// the hook's own pid. Equal to loadable_sandbox_filter(stage, violation, pid) (a unit test
// checks).
std::vector<sock_filter> sandbox_program(SandboxStage stage, SandboxViolation violation, pid_t pid);

// Installs the filter on the calling thread and every child it forks afterwards. Sets
// no_new_privs (prctl(2) PR_SET_NO_NEW_PRIVS), which seccomp(2) requires. In kill mode a refused
// syscall raises SIGSYS: a handler writes one line naming the syscall number to stderr and to
// `log_file` (if not empty), then the process dies by SIGSYS. Throws std::system_error if
// the filter cannot be loaded.
void enter_sandbox(SandboxStage stage, SandboxViolation violation,
                   const std::string& log_file = {});

#ifdef OCI_NETNS_TEST_BUILD
// Test builds only: if $OCI_NETNS_TEST_SANDBOX_PROBE is "execve", attempts
// execve("/bin/touch", $OCI_NETNS_TEST_SANDBOX_MARKER), a syscall no allowlist has. Throws
// std::system_error naming the call if it is refused with an errno; never returns if the exec
// runs (sandbox off) or the sandbox kills the process. Does nothing if the variable is unset.
void sandbox_probe();
#define OCI_NETNS_SANDBOX_PROBE() ::ocinetns::sandbox_probe()
#else
#define OCI_NETNS_SANDBOX_PROBE() ((void)0)
#endif

}  // namespace ocinetns
