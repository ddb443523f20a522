// The OCI hook stages of oci-netns-hook, run by hook/hook/main.cpp (the hot path) and by
// oci-netns-hook-cli for the same command lines in CLI11's forms. A stage that stops throws
// Failure (common/model/exit_policy.hpp); returning means exit status 0.
#pragma once

#include <string>

namespace ocinetns {

struct GlobalOptions {
  std::string config_path;  // empty: $OCI_NETNS_HOOK_CONFIG or the default
};

void run_create_runtime(const GlobalOptions& options);
void run_poststop(const GlobalOptions& options);

}  // namespace ocinetns
