// The real seccomp filter, installed in a forked child: syscalls outside the stage's allowlist
// are refused (EPERM, or SIGSYS in kill mode) while the hook's own kind of work still succeeds.
#include "common/sandbox.hpp"

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

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string>

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
  std::string line = "[" + std::to_string(pid) + "]: critical: sandbox: syscall " +
                     std::to_string(__NR_execve) + " is not in the allowlist";
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
