// Seccomp allowlists per hook stage, built into libseccomp filters and exported as BPF. The
// lists are the syscalls the hook's code paths make after input and config are read (glibc's
// wrappers included: e.g. fork() is clone(2), stat() is newfstatat(2)). A few syscalls are allowed
// only with certain arguments (see Restriction). Checked with `strace -f` (kill mode, file + syslog
// logging, net and IPC sysctls); after seccomp(2) createRuntime made: pidfd_open openat read close
// poll ioctl(NS_GET_NSTYPE) newfstatat fstatfs mkdir mkdirat flock mount write fchmod renameat
// gettid lseek socket(AF_UNIX) connect pipe2 clone setns wait4 set_robust_list
// prctl(PR_SET_PDEATHSIG) exit_group; poststop: openat flock read close newfstatat fstatfs umount2
// unlinkat write gettid lseek socket connect exit_group (and, passing a shared namespace's
// reference to a sharer, the record writes: fchmod renameat).
#include "common/sys/sandbox_filter.hpp"

#include <linux/nsfs.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "common/base/errors.hpp"
#include "common/base/unique_fd.hpp"

namespace ocinetns {
namespace {

enum class Restriction {
  kNone,
  kIoctlRequests,   // ioctl: only NS_GET_NSTYPE (nsfs check) and TCGETS (isatty)
  kUnixSocket,      // socket: AF_UNIX only (syslog(3) on /dev/log), no network
  kOwnPid,          // kill/tgkill: only the hook's own pid (raise(3), abort(3))
  kNotSigsys,       // rt_sigaction: never for SIGSYS, so kill mode's reporter stays installed
  kNoNewNamespace,  // clone: no CLONE_NEW* flag (fork(2) for the sysctl child)
  kPdeathsig,       // prctl: only PR_SET_PDEATHSIG (the sysctl child dies with the hook)
};

struct Rule {
  const char* name;
  Restriction restriction = Restriction::kNone;
};

// Process basics: memory, signals, time, exit, reading and writing already-open descriptors.
const Rule kBase[] = {
    {"read"},
    {"write"},
    {"readv"},
    {"writev"},
    {"pread64"},
    {"close"},
    {"openat"},
    {"open"},
    {"fstat"},
    {"newfstatat"},
    {"statx"},
    {"stat"},
    {"lstat"},
    {"fstatfs"},
    {"statfs"},
    {"lseek"},
    {"fcntl"},
    {"poll"},
    {"ppoll"},
    {"brk"},
    {"mmap"},
    {"munmap"},
    {"mremap"},
    {"madvise"},
    {"mprotect"},
    {"rt_sigprocmask"},
    {"rt_sigreturn"},
    {"sigaltstack"},
    {"exit"},
    {"exit_group"},
    {"getpid"},
    {"gettid"},
    {"getuid"},
    {"geteuid"},
    {"getgid"},
    {"getegid"},
    {"getppid"},
    {"clock_gettime"},
    {"gettimeofday"},
    {"time"},
    {"futex"},
    {"getrandom"},
    {"uname"},
    {"restart_syscall"},
    {"clock_nanosleep"},
    {"nanosleep"},
    {"readlink"},
    {"readlinkat"},
    {"faccessat"},
    {"faccessat2"},
    {"access"},
    {"dup"},
    {"dup2"},
    {"dup3"},
    {"getdents64"},
    {"umask"},
    {"rseq"},
    {"set_robust_list"},
    {"prlimit64"},
    {"rt_sigaction", Restriction::kNotSigsys},
    {"ioctl", Restriction::kIoctlRequests},
    {"kill", Restriction::kOwnPid},
    {"tgkill", Restriction::kOwnPid},
    // syslog(3) and common/base/operator_log.cpp: connect to /dev/log on first use.
    {"socket", Restriction::kUnixSocket},
    {"connect"},
    {"sendto"},
    {"sendmsg"},
    // Records and references: remove, rename into place, create directories.
    {"umount2"},
    {"unlinkat"},
    {"unlink"},
    {"renameat"},
    {"renameat2"},
    {"rename"},
    {"fchmod"},
    {"fchmodat"},
    {"mkdir"},
    {"mkdirat"},
    {"fsync"},
    {"fdatasync"},
    // The state directory's lock (RecordStore::lock): poststop's removal and hand-over.
    {"flock"},
};

// createRuntime also opens the namespace (pidfd), makes the directory a shared mount point,
// bind-mounts, and applies sysctls in a forked child that joins the namespace.
const Rule kCreateRuntime[] = {
    {"pidfd_open"},
    {"mount"},
    {"setns"},
    {"wait4"},
    {"waitid"},
    {"pipe2"},
    {"pipe"},
    {"clone", Restriction::kNoNewNamespace},
    {"prctl", Restriction::kPdeathsig},
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
// Sanitizer runtimes need these to report: LeakSanitizer's StopTheWorld clones a tracer task that
// lists /proc/PID/task (getdents, not getdents64, on x86_64) and ptraces the process (prctl
// PR_SET_PTRACER, ptrace, wait4, kill). GCC's runtime symbolizes in process, so execve stays
// refused. Only sanitizer builds have these.
const Rule kSanitizer[] = {
    {"prctl"},      {"sched_yield"}, {"getrlimit"}, {"setrlimit"}, {"sched_getaffinity"},
    {"arch_prctl"}, {"tgkill"},      {"wait4"},     {"clone"},     {"pipe2"},
    {"ptrace"},     {"getpgid"},     {"getsid"},    {"waitid"},    {"kill"},
    {"getdents"}};
#define OCI_NETNS_HAVE_SANITIZER_RULES 1
#endif

const char* restriction_text(Restriction r) {
  switch (r) {
    case Restriction::kNone:
      return "";
    case Restriction::kIoctlRequests:
      return "NS_GET_NSTYPE, TCGETS only";
    case Restriction::kUnixSocket:
      return "AF_UNIX only";
    case Restriction::kOwnPid:
      return "the hook's own pid only";
    case Restriction::kNotSigsys:
      return "any signal but SIGSYS";
    case Restriction::kNoNewNamespace:
      return "no CLONE_NEW* flags";
    case Restriction::kPdeathsig:
      return "PR_SET_PDEATHSIG only";
  }
  return "";
}

std::vector<Rule> rules_for(SandboxStage stage) {
  std::vector<Rule> out(std::begin(kBase), std::end(kBase));
  if (stage == SandboxStage::kCreateRuntime) {
    out.insert(out.end(), std::begin(kCreateRuntime), std::end(kCreateRuntime));
  }
  return out;
}

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

void add_rule(scmp_filter_ctx ctx, int nr, const char* name, std::vector<scmp_arg_cmp> cmps) {
  int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, static_cast<unsigned>(cmps.size()),
                                  cmps.empty() ? nullptr : cmps.data());
  if (rc < 0) throw_errno(-rc, fmt::format("seccomp_rule_add {}", name));
}

// Adds `rule`: one seccomp rule per allowed argument pattern (rules for the same syscall are
// ORed).
void allow(scmp_filter_ctx ctx, const Rule& rule, pid_t self) {
  int nr = seccomp_syscall_resolve_name(rule.name);
  if (nr == __NR_SCMP_ERROR) return;  // not a syscall on this architecture
  auto eq = [](unsigned arg, scmp_datum_t value) {
    return scmp_arg_cmp{arg, SCMP_CMP_EQ, value, 0};
  };
  constexpr scmp_datum_t kNewNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                              CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                              CLONE_NEWCGROUP;
  auto pid = static_cast<scmp_datum_t>(self);
  switch (rule.restriction) {
    case Restriction::kNone:
      add_rule(ctx, nr, rule.name, {});
      break;
    case Restriction::kIoctlRequests:
      add_rule(ctx, nr, rule.name, {eq(1, NS_GET_NSTYPE)});
      add_rule(ctx, nr, rule.name, {eq(1, TCGETS)});
      break;
    case Restriction::kUnixSocket:
      add_rule(ctx, nr, rule.name, {eq(0, AF_UNIX)});
      break;
    case Restriction::kOwnPid:
      add_rule(ctx, nr, rule.name, {eq(0, pid)});
#ifdef OCI_NETNS_TEST_BUILD
      // Fault points (common/base/fault.hpp) raise SIGKILL in forked children too (another pid).
      if (std::strcmp(rule.name, "tgkill") == 0) add_rule(ctx, nr, rule.name, {eq(2, SIGKILL)});
#endif
      break;
    case Restriction::kNotSigsys:
      add_rule(ctx, nr, rule.name, {scmp_arg_cmp{0, SCMP_CMP_NE, SIGSYS, 0}});
      break;
    case Restriction::kNoNewNamespace:
      add_rule(ctx, nr, rule.name, {scmp_arg_cmp{0, SCMP_CMP_MASKED_EQ, kNewNamespaceFlags, 0}});
      break;
    case Restriction::kPdeathsig:
      add_rule(ctx, nr, rule.name, {eq(0, PR_SET_PDEATHSIG)});
      break;
  }
}

}  // namespace

std::vector<std::string> sandbox_allowlist(SandboxStage stage) {
  std::vector<std::string> out;
  for (const Rule& r : rules_for(stage)) out.emplace_back(r.name);
  return out;
}

std::vector<std::string> describe_sandbox(SandboxStage stage) {
  std::vector<std::string> out;
  for (const Rule& r : rules_for(stage)) {
    out.push_back(r.restriction == Restriction::kNone
                      ? std::string(r.name)
                      : fmt::format("{} ({})", r.name, restriction_text(r.restriction)));
  }
  return out;
}

std::vector<sock_filter> export_sandbox_filter(SandboxStage stage, SandboxViolation violation,
                                               pid_t pid) {
  // Kill mode traps rather than using SCMP_ACT_KILL_PROCESS: see enter_sandbox().
  uint32_t deny = violation == SandboxViolation::kKill ? SCMP_ACT_TRAP : SCMP_ACT_ERRNO(EPERM);
  std::unique_ptr<void, FilterDeleter> ctx(seccomp_init(deny));
  if (!ctx) throw_errno(ENOMEM, "seccomp_init");
  std::vector<Rule> rules = rules_for(stage);
#ifdef OCI_NETNS_HAVE_SANITIZER_RULES
  std::set<std::string> unconditional;
  for (const Rule& r : kSanitizer) unconditional.insert(r.name);
  std::erase_if(rules, [&](const Rule& r) { return unconditional.contains(r.name); });
  rules.insert(rules.end(), std::begin(kSanitizer), std::end(kSanitizer));
#endif
  for (const Rule& rule : rules) allow(ctx.get(), rule, pid);
  // seccomp_export_bpf(3) writes the program the kernel would get to a descriptor.
  UniqueFd fd(::memfd_create("oci-netns-seccomp", MFD_CLOEXEC));
  if (!fd) throw_last_errno("memfd_create for the seccomp export");
  int rc = seccomp_export_bpf(ctx.get(), fd.get());
  if (rc < 0) throw_errno(-rc, "seccomp_export_bpf");
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size < 0) throw_last_errno("lseek on the seccomp export");
  if (size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    throw_errno(EPROTO, fmt::format("seccomp export of {} bytes is not whole instructions", size));
  }
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(fd.get(), program.data(), static_cast<std::size_t>(size), 0) != size) {
    throw_last_errno("reading the seccomp export");
  }
  return program;
}

std::vector<sock_filter> loadable_sandbox_filter(SandboxStage stage, SandboxViolation violation,
                                                 pid_t pid) {
  std::vector<sock_filter> program = export_sandbox_filter(stage, violation, pid);
  program.insert(program.begin(), kSkipActionCache);
  return program;
}

}  // namespace ocinetns
