// The real seccomp filter, installed in a forked child: syscalls outside the stage's allowlist
// are refused (EPERM, or SIGSYS in kill mode) while the hook's own kind of work still succeeds.
// Also: the precomputed BPF the hook loads is exactly what libseccomp builds.
#include "common/sys/sandbox.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string>

#include "common/sys/sandbox_filter.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

// Sanitizer builds allow what LeakSanitizer needs (ptrace, clone, kill, prctl): the refusal of
// those is only checked in normal builds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

// Runs `body` in a child after entering the sandbox; returns the child's wait status.
int in_sandboxed_child(SandboxStage stage, SandboxViolation violation,
                       const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    try {
      enter_sandbox(stage, violation);
    } catch (...) {
      _exit(100);
    }
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Compares instruction by instruction so a failure names the first difference.
void expect_same_program(const std::vector<sock_filter>& expected,
                         const std::vector<sock_filter>& actual, const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const sock_filter& e = expected[i];
    const sock_filter& a = actual[i];
    ASSERT_TRUE(same_instruction(e, a))
        << what << ": instruction " << i << " is {" << a.code << ", " << int{a.jt} << ", "
        << int{a.jf} << ", " << a.k << "}, libseccomp makes {" << e.code << ", " << int{e.jt}
        << ", " << int{e.jf} << ", " << e.k << "}";
  }
}

TEST(SandboxProgram, PrecomputedProgramIsWhatLibseccompBuildsForThisPid) {
  // Two pids, so that the substitution of the pid is checked as well as the copy.
  for (pid_t pid : {getpid(), pid_t{4194303}}) {
    for (auto stage : {SandboxStage::kCreateRuntime, SandboxStage::kPoststop}) {
      for (auto violation : {SandboxViolation::kErrno, SandboxViolation::kKill}) {
        std::string what = fmt::format("stage {}, mode {}, pid {}", static_cast<int>(stage),
                                       static_cast<int>(violation), pid);
        std::vector<sock_filter> loaded = sandbox_program(stage, violation, pid);
        ASSERT_FALSE(loaded.empty()) << what;
        // The cache-skipping load, then exactly libseccomp's program.
        EXPECT_TRUE(same_instruction(loaded.front(), kSkipActionCache)) << what;
        expect_same_program(export_sandbox_filter(stage, violation, pid),
                            std::vector<sock_filter>(loaded.begin() + 1, loaded.end()), what);
      }
    }
  }
}

// The prefix must end the kernel's action-cache emulation (kernel/seccomp.c,
// seccomp_is_const_allow(): only loads of `nr` and `arch` are emulated) and must not be mistaken
// for either of those loads.
TEST(SandboxProgram, PrefixLoadsNeitherTheSyscallNumberNorTheArchitecture) {
  EXPECT_EQ(kSkipActionCache.code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_NE(kSkipActionCache.k, offsetof(seccomp_data, nr));
  EXPECT_NE(kSkipActionCache.k, offsetof(seccomp_data, arch));
  EXPECT_LT(kSkipActionCache.k, sizeof(seccomp_data));
  // libseccomp's program loads the architecture next, so the prefix's value is never used.
  auto program = export_sandbox_filter(SandboxStage::kPoststop, SandboxViolation::kErrno, getpid());
  ASSERT_FALSE(program.empty());
  EXPECT_EQ(program.front().code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(program.front().k, offsetof(seccomp_data, arch));
}

TEST(SandboxProgram, ModesAndStagesDiffer) {
  pid_t pid = getpid();
  auto create_errno = sandbox_program(SandboxStage::kCreateRuntime, SandboxViolation::kErrno, pid);
  auto create_kill = sandbox_program(SandboxStage::kCreateRuntime, SandboxViolation::kKill, pid);
  auto poststop = sandbox_program(SandboxStage::kPoststop, SandboxViolation::kErrno, pid);
  auto same = [](const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_instruction);
  };
  EXPECT_FALSE(same(create_errno, create_kill));
  EXPECT_FALSE(same(create_errno, poststop));
  EXPECT_LT(poststop.size(), create_errno.size());  // createRuntime allows more
}

TEST(Sandbox, ExecveAndPtraceAreRefusedWithEperm) {
  int status = in_sandboxed_child(SandboxStage::kCreateRuntime, SandboxViolation::kErrno, [] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    execve("/bin/true", argv, envp);
    if (errno != EPERM) return 1;
    errno = 0;
    if (kSanitizerBuild) return 0;
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != -1 || errno != EPERM) return 2;
    return 0;
  });
  EXPECT_EQ(exit_code(status), 0) << "status " << status;
}

TEST(Sandbox, HookWorkStillSucceeds) {
  int status = in_sandboxed_child(SandboxStage::kCreateRuntime, SandboxViolation::kErrno, [] {
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) return 2;
    struct stat st {};
    if (fstat(fd, &st) != 0) return 3;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return 4;
    pid_t child = fork();  // the sysctl writer is a forked child
    if (child < 0) return 5;
    if (child == 0) _exit(setns(fd, CLONE_NEWNET) == 0 ? 0 : 9);
    int child_status = 0;
    if (waitpid(child, &child_status, 0) != child) return 6;
    if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) return 7;
    // An ioctl request outside the two allowed ones is refused.
    int avail = 0;
    if (ioctl(fds[0], FIONREAD, &avail) != -1 || errno != EPERM) return 8;
    return 0;
  });
  EXPECT_EQ(exit_code(status), 0) << "status " << status;
}

TEST(Sandbox, PoststopCannotMountOrSetns) {
  int status = in_sandboxed_child(SandboxStage::kPoststop, SandboxViolation::kErrno, [] {
    int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    if (setns(fd, CLONE_NEWNET) != -1 || errno != EPERM) return 2;
    if (kSanitizerBuild) return 0;  // LeakSanitizer's tracer needs clone there
    if (fork() != -1 || errno != EPERM) return 3;
    return 0;
  });
  EXPECT_EQ(exit_code(status), 0) << "status " << status;
}

TEST(Sandbox, KillModeKillsOnViolation) {
  int status = in_sandboxed_child(SandboxStage::kPoststop, SandboxViolation::kKill, [] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    execve("/bin/true", argv, envp);
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(Sandbox, ArgumentRestrictionsHold) {
  int status = in_sandboxed_child(SandboxStage::kCreateRuntime, SandboxViolation::kErrno, [] {
    // syslog(3)'s AF_UNIX socket is allowed, a network socket is not.
    int unix_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (unix_fd < 0) return 1;
    close(unix_fd);
    if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM) return 2;
    // Kill mode's SIGSYS reporter cannot be replaced.
    struct sigaction sa {};
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGSYS, &sa, nullptr) != -1 || errno != EPERM) return 3;
    if (sigaction(SIGUSR1, &sa, nullptr) != 0) return 4;
    // The sysctl child's PR_SET_PDEATHSIG is allowed.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return 5;
    if (kSanitizerBuild) return 0;
    if (prctl(PR_SET_DUMPABLE, 1) != -1 || errno != EPERM) return 6;
    // Signals only to ourselves; no process with new namespaces.
    if (kill(getppid(), 0) != -1 || errno != EPERM) return 7;
    if (kill(getpid(), 0) != 0) return 8;
    if (unshare(CLONE_NEWNET) != -1 || errno != EPERM) return 9;
    if (syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EPERM) return 10;
    return 0;
  });
  EXPECT_EQ(exit_code(status), 0) << "status " << status;
}

TEST(Sandbox, KillModeLogsTheSyscallToStderrAndTheLogFile) {
  test::TempDir dir("oci-netns-sandbox-unit");
  std::string log = dir.file("hook.log");
  std::string err = dir.file("stderr");
  test::write_text(log, "");
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(100);
    try {
      enter_sandbox(SandboxStage::kPoststop, SandboxViolation::kKill, log);
    } catch (...) {
      _exit(101);
    }
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    execve("/bin/true", argv, envp);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
  std::string line =
      fmt::format("[{}]: critical: sandbox: syscall {} is not in the allowlist", pid, __NR_execve);
  EXPECT_NE(test::read_text(err).find(line), std::string::npos) << test::read_text(err);
  EXPECT_NE(test::read_text(log).find(line), std::string::npos) << test::read_text(log);
}

TEST(Sandbox, DescriptionNamesTheRestrictions) {
  auto lines = describe_sandbox(SandboxStage::kCreateRuntime);
  auto has = [&](const char* s) { return std::find(lines.begin(), lines.end(), s) != lines.end(); };
  EXPECT_TRUE(has("ioctl (NS_GET_NSTYPE, TCGETS only)"));
  EXPECT_TRUE(has("socket (AF_UNIX only)"));
  EXPECT_TRUE(has("prctl (PR_SET_PDEATHSIG only)"));
  EXPECT_TRUE(has("mount"));
  EXPECT_EQ(lines.size(), sandbox_allowlist(SandboxStage::kCreateRuntime).size());
}

TEST(Sandbox, AllowlistsAreDistinctPerStage) {
  auto create = sandbox_allowlist(SandboxStage::kCreateRuntime);
  auto stop = sandbox_allowlist(SandboxStage::kPoststop);
  auto has = [](const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  EXPECT_TRUE(has(create, "mount"));
  EXPECT_TRUE(has(create, "setns"));
  EXPECT_FALSE(has(stop, "mount"));
  EXPECT_FALSE(has(stop, "setns"));
  EXPECT_FALSE(has(create, "execve"));
  EXPECT_FALSE(has(create, "ptrace"));
}

}  // namespace
}  // namespace ocinetns
