// The real seccomp filter, installed in a forked child: syscalls outside the stage's allowlist
// are refused (EPERM, or SIGSYS in kill mode) while the hook's own kind of work still succeeds.
#include "common/sandbox.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>

namespace ocinetns {
namespace {

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

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

TEST(Sandbox, ExecveAndPtraceAreRefusedWithEperm) {
  int status = in_sandboxed_child(SandboxStage::kCreateRuntime, SandboxViolation::kErrno, [] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    execve("/bin/true", argv, envp);
    if (errno != EPERM) return 1;
    errno = 0;
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
