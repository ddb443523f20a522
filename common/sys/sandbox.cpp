// Entering the hook's seccomp sandbox: the build's precomputed BPF (common/sys/sandbox_filter.hpp)
// with the hook's pid filled in, loaded with seccomp(2), and kill mode's SIGSYS reporter.
#include "common/sys/sandbox.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/base/errors.hpp"
#include "common/sys/sandbox_filter.hpp"
#include "sandbox_bpf.inc"  // generated::kSandboxPrograms, made by common/tools/sandbox_bpf_gen.cpp

namespace ocinetns {
namespace {

// Kill mode's reporter. Everything here is async-signal-safe (signal-safety(7)): a line built in
// a stack buffer, write(2), raise(3).
int g_report_fds[2] = {STDERR_FILENO, -1};

void append(char*& p, const char* end, const char* text) {
  while (*text != '\0' && p < end) *p++ = *text++;
}

void append_number(char*& p, const char* end, long value) {
  char digits[24];
  int n = 0;
  unsigned long v = value < 0 ? 0UL - static_cast<unsigned long>(value) : value;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < static_cast<int>(sizeof digits));
  if (value < 0 && p < end) *p++ = '-';
  while (n > 0 && p < end) *p++ = digits[--n];
}

void on_sigsys(int, siginfo_t* info, void*) {
  int saved = errno;
  char line[256];
  char* p = line;
  const char* end = line + sizeof line - 1;
  append(p, end, program_invocation_short_name);
  append(p, end, "[");
  append_number(p, end, ::getpid());
  append(p, end, "]: critical: sandbox: syscall ");
  append_number(p, end, info->si_syscall);
  append(p, end, " is not in the allowlist (sandbox \"kill\"), killing the hook\n");
  for (int fd : g_report_fds) {
    if (fd >= 0) (void)!::write(fd, line, static_cast<std::size_t>(p - line));
  }
  errno = saved;
  // SA_RESETHAND made SIGSYS's action SIG_DFL on entry and SA_NODEFER left it unblocked: raising
  // it ends the process with SIGSYS, which runtimes report ("signal: bad system call"). raise(3)
  // is tgkill at our own pid (allowed); in a forked child, the refused tgkill traps again and the
  // kernel delivers SIGSYS with the default action all the same.
  ::raise(SIGSYS);
  ::_exit(128 + SIGSYS);
}

void install_reporter(const std::string& log_file) {
  if (!log_file.empty()) {
    // Kept open for the life of the process: the handler cannot open files.
    g_report_fds[1] = ::open(log_file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  }
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGSYS, &sa, nullptr) != 0) throw_last_errno("sigaction SIGSYS");
}

}  // namespace

std::vector<sock_filter> sandbox_program(SandboxStage stage, SandboxViolation violation,
                                         pid_t pid) {
  const SandboxProgram& p =
      generated::kSandboxPrograms[stage == SandboxStage::kPoststop ? 1 : 0]
                                 [violation == SandboxViolation::kKill ? 1 : 0];
  std::vector<sock_filter> program(p.insns, p.insns + p.size);
  for (std::size_t i = 0; i < p.pid_slot_count; ++i) {
    program[p.pid_slots[i]].k = static_cast<std::uint32_t>(pid);
  }
  return program;
}

void enter_sandbox(SandboxStage stage, SandboxViolation violation, const std::string& log_file) {
  // Kill mode traps rather than using SCMP_ACT_KILL_PROCESS: a killed process cannot say why, and
  // the kernel's audit record is not where admins look for a hook failure. With SCMP_ACT_TRAP the
  // refused syscall still never runs (seccomp(2): SECCOMP_RET_TRAP skips it), our handler logs
  // one line, then the process dies by SIGSYS. rt_sigaction(SIGSYS) is refused, so nothing can
  // replace the handler afterwards; blocking SIGSYS does not help either, since the kernel forces
  // a blocked seccomp SIGSYS back to the default action (kernel/signal.c,
  // force_sig_info_to_task).
  std::vector<sock_filter> program = sandbox_program(stage, violation, ::getpid());
  if (violation == SandboxViolation::kKill) install_reporter(log_file);
  // What seccomp_load(3) does with libseccomp's default attributes: no_new_privs first (seccomp(2)
  // refuses a filter from a process without it or CAP_SYS_ADMIN), then the filter, no flags. The
  // program starts with kSkipActionCache (common/sys/sandbox_filter.hpp says why).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_last_errno("prctl PR_SET_NO_NEW_PRIVS");
  sock_fprog fprog{static_cast<unsigned short>(program.size()), program.data()};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    throw_last_errno("seccomp SECCOMP_SET_MODE_FILTER");
  }
}

#ifdef OCI_NETNS_TEST_BUILD
void sandbox_probe() {
  const char* probe = std::getenv("OCI_NETNS_TEST_SANDBOX_PROBE");
  if (probe == nullptr || std::strcmp(probe, "execve") != 0) return;
  const char* marker = std::getenv("OCI_NETNS_TEST_SANDBOX_MARKER");
  char* argv[] = {const_cast<char*>("touch"),
                  const_cast<char*>(marker != nullptr ? marker : "/nonexistent/marker"), nullptr};
  char* envp[] = {nullptr};
  ::execve("/bin/touch", argv, envp);
  throw_last_errno("sandbox probe: execve /bin/touch");
}
#endif

}  // namespace ocinetns
