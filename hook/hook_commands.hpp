// The verbs of oci-netns-hook. Each returns the process exit code; main catches what escapes.
#pragma once

#include <string>

namespace ocinetns {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed and policy says fail
inline constexpr int kExitBadInput = 2;  // bad state input, config or usage

struct GlobalOptions {
  std::string config_path;  // empty: $OCI_NETNS_HOOK_CONFIG or the default
};

int run_create_runtime(const GlobalOptions& options);
int run_poststop(const GlobalOptions& options);
int run_validate(const GlobalOptions& options);

}  // namespace ocinetns
