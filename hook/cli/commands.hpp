// The verbs of oci-netns-hook-cli, one table in hook/cli/main.cpp. Each adds its options to its
// CLI11 subcommand and returns what runs it once the command line is parsed; a run that returns
// means exit status 0, one that stops throws (common/model/exit_policy.hpp Failure).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "hook/hook/stages.hpp"

namespace CLI {
class App;
}

namespace ocinetns {

using VerbRun = std::function<void()>;
using VerbSetup = VerbRun (*)(CLI::App& sub, const GlobalOptions& options);

// `list [--json]` (hook/cli/list.cpp).
VerbRun setup_list(CLI::App& sub, const GlobalOptions& options);
// `gc [--dry-run] [--pending-grace S] [--every S]` (hook/cli/gc.cpp).
VerbRun setup_gc(CLI::App& sub, const GlobalOptions& options);
// `validate` (hook/cli/validate.cpp).
VerbRun setup_validate(CLI::App& sub, const GlobalOptions& options);
// `sandbox-allowlist`, hidden: the seccomp allowlist of each stage (hook/cli/validate.cpp).
VerbRun setup_sandbox_allowlist(CLI::App& sub, const GlobalOptions& options);

// `[--config FILE] exec TARGET [--] CMD [ARGS...]` (hook/cli/exec.cpp), taken from argv before
// CLI11 parses (CLI11 would read CMD's own options, e.g. the -tln of `ss -tln`, as ours): nullopt
// if argv is not that verb, else the exit status (CMD's own when it ran: this process becomes
// CMD). setup_exec only lists the verb in --help.
std::optional<int> run_exec_argv(int argc, char** argv);
VerbRun setup_exec(CLI::App& sub, const GlobalOptions& options);

}  // namespace ocinetns
