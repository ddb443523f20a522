// The mapping from a failure's kind and the config's policies to an exit code (exit_policy.hpp).
#include "common/model/exit_policy.hpp"

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

int by(ErrorPolicy policy) {
  return policy == ErrorPolicy::kFail ? kExitFailure : kExitOk;
}

}  // namespace

int exit_code(FailureKind kind, const ExitPolicy& policy) {
  switch (kind) {
    case FailureKind::kBadInput:
      return kExitBadInput;
    case FailureKind::kReference:
      return by(policy.on_error);
    case FailureKind::kNamespace:
      // No reference (on_error) and, if the config sets any, no sysctls either (sysctl_errors):
      // either policy saying fail fails the start.
      if (policy.sysctls_configured && by(policy.sysctl_errors) != kExitOk) return kExitFailure;
      return by(policy.on_error);
    case FailureKind::kSysctl:
      return by(policy.sysctl_errors);
    case FailureKind::kHostSysctl:
      return policy.host_namespace_sysctls == HostSysctlPolicy::kFail ? kExitFailure : kExitOk;
    case FailureKind::kFailed:
      return kExitFailure;
  }
  return kExitFailure;
}

int exit_code_of(const std::exception& e) {
  if (const auto* failure = dynamic_cast<const Failure*>(&e)) return failure->exit_code();
  if (dynamic_cast<const InputError*>(&e) != nullptr) {
    return exit_code(FailureKind::kBadInput, ExitPolicy{});
  }
  return exit_code(FailureKind::kFailed, ExitPolicy{});
}

}  // namespace ocinetns
