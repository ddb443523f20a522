// The verbs of oci-netns-hook. Each returns the process exit code; main catches what escapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace ocinetns {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the operation failed and policy says fail
inline constexpr int kExitBadInput = 2;  // bad state input, config or usage

struct GlobalOptions {
  std::string config_path;  // empty: $OCI_NETNS_HOOK_CONFIG or the default
};

int run_create_runtime(const GlobalOptions& options);
int run_poststop(const GlobalOptions& options);
int run_validate(const GlobalOptions& options);
int run_sandbox_allowlist();  // hidden verb: the seccomp allowlist of each stage

// Options of the admin verbs (hook_admin.cpp).
struct GcOptions {
  bool dry_run = false;
  std::int64_t pending_grace_seconds = 120;  // kDefaultPendingGraceSeconds
  std::int64_t every_seconds = 0;            // > 0: a pass every so many seconds until SIGTERM
};
struct AdminOptions {
  bool list_json = false;
  GcOptions gc;
};
// Adds `list [--json]` and `gc [--dry-run] [--pending-grace S] [--every S]`; each sets `code` when
// it runs.
void add_admin_verbs(CLI::App& app, const GlobalOptions& options, AdminOptions& admin, int& code);

// `[--config FILE] exec TARGET [--] CMD [ARGS...]` (hook_exec.cpp), taken from argv before CLI11
// parses: nullopt if argv is not that verb, else the exit code (CMD's own status when it ran:
// this process becomes CMD). add_exec_verb only lists it in --help.
std::optional<int> run_exec_argv(int argc, char** argv);
void add_exec_verb(CLI::App& app);

}  // namespace ocinetns
