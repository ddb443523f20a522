// The one exit policy of the three programs: a command that stops throws a Failure carrying its
// kind, and exit_code() alone maps that kind and the config's on_error / sysctl_errors /
// host_namespace_sysctls to the process's exit status. Each main catches once and returns it.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace ocinetns {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the operation failed and policy says fail
inline constexpr int kExitBadInput = 2;  // bad state input, config or usage

// The config's failure policies (config keys on_error, sysctl_errors, host_namespace_sysctls).
enum class ErrorPolicy { kWarn, kFail };
// A sysctl configured for a namespace the container shares with the host (host network or IPC):
// never written; kSkip logs it at info and the container starts, kFail fails the start.
enum class HostSysctlPolicy { kSkip, kFail };

// Why a command stopped.
enum class FailureKind {
  kBadInput,    // the state on stdin, the config, or the command line is wrong
  kReference,   // the reference could not be made (or the hook could not confine itself)
  kNamespace,   // the container's namespace could not be opened: no reference, no sysctls
  kSysctl,      // a sysctl was not applied
  kHostSysctl,  // a sysctl names a namespace the container shares with the host
  kFailed,      // any other operation failed (list, gc, the shim, an exec)
};

// The policies in force; the defaults (everything fails) are what a command without a config
// (the shim's admin verbs, an exec that failed) runs with.
struct ExitPolicy {
  ErrorPolicy on_error = ErrorPolicy::kFail;
  ErrorPolicy sysctl_errors = ErrorPolicy::kFail;
  HostSysctlPolicy host_namespace_sysctls = HostSysctlPolicy::kFail;
  bool sysctls_configured = false;  // the config sets sysctls a failed namespace open loses
};

// The exit code of a command that stopped for `kind` under `policy`: kExitBadInput for bad input,
// kExitFailure where the policy says fail, kExitOk where it says warn (the container starts).
int exit_code(FailureKind kind, const ExitPolicy& policy);

// Whether a failure of `kind` stops the container under `policy` (exit_code() is not kExitOk).
inline bool fails(FailureKind kind, const ExitPolicy& policy) {
  return exit_code(kind, policy) != kExitOk;
}

// Thrown to end a command. The message is the whole line to report (empty: already reported);
// the exit code is exit_code(kind, policy), fixed where the failure happened.
class Failure : public std::runtime_error {
 public:
  Failure(FailureKind kind, const ExitPolicy& policy, const std::string& message)
      : std::runtime_error(message), kind_(kind), exit_code_(::ocinetns::exit_code(kind, policy)) {}
  [[nodiscard]] FailureKind kind() const noexcept { return kind_; }
  [[nodiscard]] int exit_code() const noexcept { return exit_code_; }

 private:
  FailureKind kind_;
  int exit_code_;
};

// The exit code for whatever ended a command, for the one catch in each main: a Failure's own,
// kExitBadInput for an InputError, kExitFailure for anything else.
int exit_code_of(const std::exception& e);

}  // namespace ocinetns
