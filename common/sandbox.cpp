// Seccomp allowlists per hook stage. The lists are the syscalls the hook's code paths make after
// input and config are read (glibc's static wrappers included: e.g. fork() is clone(2), stat() is
// newfstatat(2)). ioctl(2) is limited to NS_GET_NSTYPE (nsfs) and TCGETS (isatty).
#include "common/sandbox.hpp"

#include <linux/nsfs.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <fmt/format.h>

#include <cerrno>
#include <memory>

#include "common/errors.hpp"

namespace ocinetns {
namespace {

// Process basics: memory, signals, time, exit, reading and writing already-open descriptors.
const char* const kBase[] = {
    "read",          "write",          "readv",        "writev",       "pread64",
    "close",         "openat",         "open",         "fstat",        "newfstatat",
    "statx",         "stat",           "lstat",        "fstatfs",      "statfs",
    "lseek",         "fcntl",          "poll",         "ppoll",        "brk",
    "mmap",          "munmap",         "mremap",       "madvise",      "mprotect",
    "rt_sigaction",  "rt_sigprocmask", "rt_sigreturn", "sigaltstack",  "exit",
    "exit_group",    "getpid",         "gettid",       "getuid",       "geteuid",
    "getgid",        "getegid",        "getppid",      "clock_gettime", "gettimeofday",
    "time",          "futex",          "getrandom",    "uname",        "restart_syscall",
    "clock_nanosleep", "nanosleep",    "readlink",     "readlinkat",   "faccessat",
    "faccessat2",    "access",         "dup",          "dup2",         "dup3",
    "getdents64",    "umask",          "rseq",         "set_robust_list", "prlimit64",
    // syslog(3): connects to /dev/log on first use.
    "socket",        "connect",        "sendto",       "sendmsg",
    // Removing a reference and its record.
    "umount2",       "unlinkat",       "unlink",       "renameat",     "renameat2",
    "rename",        "fchmod",         "fchmodat",     "mkdir",        "mkdirat",
    "fsync",         "fdatasync",
};

// createRuntime also opens the namespace (pidfd), makes the directory a shared mount point,
// bind-mounts, and applies sysctls in a forked child that joins the namespace.
const char* const kCreateRuntime[] = {
    "pidfd_open", "flock", "mount", "setns", "clone", "clone3", "fork",
    "vfork",      "wait4", "waitid", "pipe2", "pipe", "kill",  "tgkill",
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
// Sanitizer runtimes need these to report (symbolizer, thread registry).
const char* const kSanitizer[] = {"prctl", "sched_yield", "getrlimit", "setrlimit", "execve",
                                  "sched_getaffinity", "arch_prctl", "tgkill", "wait4", "clone",
                                  "pipe2", "ptrace", "getpgid", "getsid"};
#endif

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

void allow(scmp_filter_ctx ctx, const char* name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return;  // not a syscall on this architecture
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  if (rc < 0) throw_errno(-rc, fmt::format("seccomp_rule_add {}", name));
}

}  // namespace

std::vector<std::string> sandbox_allowlist(SandboxStage stage) {
  std::vector<std::string> out(std::begin(kBase), std::end(kBase));
  if (stage == SandboxStage::kCreateRuntime) {
    out.insert(out.end(), std::begin(kCreateRuntime), std::end(kCreateRuntime));
  }
  out.emplace_back("ioctl");
  return out;
}

void enter_sandbox(SandboxStage stage, SandboxViolation violation) {
  uint32_t deny = violation == SandboxViolation::kKill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
  std::unique_ptr<void, FilterDeleter> ctx(seccomp_init(deny));
  if (!ctx) throw_errno(ENOMEM, "seccomp_init");
  for (const auto& name : sandbox_allowlist(stage)) {
    if (name != "ioctl") allow(ctx.get(), name.c_str());
  }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
  for (const char* name : kSanitizer) allow(ctx.get(), name);
#endif
  for (unsigned long request : {static_cast<unsigned long>(NS_GET_NSTYPE),
                                static_cast<unsigned long>(TCGETS)}) {
    struct scmp_arg_cmp is_request {1, SCMP_CMP_EQ, request, 0};
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, is_request);
    if (rc < 0) throw_errno(-rc, "seccomp_rule_add ioctl");
  }
  int rc = seccomp_load(ctx.get());
  if (rc < 0) throw_errno(-rc, "seccomp_load");
}

}  // namespace ocinetns
