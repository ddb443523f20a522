// The one exit policy (common/model/exit_policy.hpp): each failure kind under each on_error,
// sysctl_errors and host_namespace_sysctls setting, and the code whatever ends a command maps to.
#include <gtest/gtest.h>

#include <stdexcept>
#include <system_error>

#include "common/base/errors.hpp"
#include "common/model/exit_policy.hpp"

namespace ocinetns {
namespace {

ExitPolicy warn_all() {
  return ExitPolicy{ErrorPolicy::kWarn, ErrorPolicy::kWarn, HostSysctlPolicy::kSkip, true};
}

TEST(ExitPolicy, BadInputIsTwoWhateverThePolicy) {
  EXPECT_EQ(exit_code(FailureKind::kBadInput, ExitPolicy{}), kExitBadInput);
  EXPECT_EQ(exit_code(FailureKind::kBadInput, warn_all()), kExitBadInput);
}

TEST(ExitPolicy, EachPolicyDecidesItsOwnKind) {
  ExitPolicy p = warn_all();
  EXPECT_EQ(exit_code(FailureKind::kReference, p), kExitOk);
  EXPECT_EQ(exit_code(FailureKind::kSysctl, p), kExitOk);
  EXPECT_EQ(exit_code(FailureKind::kHostSysctl, p), kExitOk);
  p.on_error = ErrorPolicy::kFail;
  EXPECT_EQ(exit_code(FailureKind::kReference, p), kExitFailure);
  EXPECT_EQ(exit_code(FailureKind::kSysctl, p), kExitOk);
  p = warn_all();
  p.sysctl_errors = ErrorPolicy::kFail;
  EXPECT_EQ(exit_code(FailureKind::kSysctl, p), kExitFailure);
  EXPECT_EQ(exit_code(FailureKind::kReference, p), kExitOk);
  p = warn_all();
  p.host_namespace_sysctls = HostSysctlPolicy::kFail;
  EXPECT_EQ(exit_code(FailureKind::kHostSysctl, p), kExitFailure);
  EXPECT_EQ(exit_code(FailureKind::kSysctl, p), kExitOk);
}

TEST(ExitPolicy, AnUnopenableNamespaceFailsUnderEitherPolicyThatLosesSomething) {
  ExitPolicy p = warn_all();
  EXPECT_EQ(exit_code(FailureKind::kNamespace, p), kExitOk);
  p.sysctl_errors = ErrorPolicy::kFail;
  EXPECT_EQ(exit_code(FailureKind::kNamespace, p), kExitFailure);
  p.sysctls_configured = false;  // no sysctls to lose: only on_error counts
  EXPECT_EQ(exit_code(FailureKind::kNamespace, p), kExitOk);
  p.on_error = ErrorPolicy::kFail;
  EXPECT_EQ(exit_code(FailureKind::kNamespace, p), kExitFailure);
}

TEST(ExitPolicy, FailureFixesItsCodeWhereItIsThrown) {
  Failure warned(FailureKind::kReference, warn_all(), "");
  EXPECT_EQ(warned.exit_code(), kExitOk);
  EXPECT_EQ(exit_code_of(warned), kExitOk);
  Failure failed(FailureKind::kFailed, warn_all(), "gc: x");
  EXPECT_EQ(exit_code_of(failed), kExitFailure);
  EXPECT_STREQ(failed.what(), "gc: x");
  EXPECT_EQ(failed.kind(), FailureKind::kFailed);
}

TEST(ExitPolicy, AnythingElseThatEndsACommand) {
  EXPECT_EQ(exit_code_of(InputError("state: x")), kExitBadInput);
  EXPECT_EQ(exit_code_of(std::system_error(EPERM, std::generic_category(), "mount")), kExitFailure);
  EXPECT_EQ(exit_code_of(std::logic_error("x")), kExitFailure);
}

}  // namespace
}  // namespace ocinetns
