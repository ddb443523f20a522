// Self-confinement with a libseccomp allowlist, installed by the hook once it has read its input
// and config. Everything outside the stage's allowlist fails with EPERM or kills the process.
#pragma once

#include <string>
#include <vector>

namespace ocinetns {

enum class SandboxStage { kCreateRuntime, kPoststop };
enum class SandboxViolation { kErrno, kKill };

// The syscall names allowed for a stage (documented in README, "Security model").
std::vector<std::string> sandbox_allowlist(SandboxStage stage);

// Installs the filter on the calling thread and every child it forks afterwards. Sets
// no_new_privs (prctl(2) PR_SET_NO_NEW_PRIVS), which seccomp(2) requires. Throws
// std::system_error if libseccomp cannot build or load the filter.
void enter_sandbox(SandboxStage stage, SandboxViolation violation);

}  // namespace ocinetns
