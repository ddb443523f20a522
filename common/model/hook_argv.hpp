// The hook's hot-path command lines: a stage, alone or with `--config PATH`, in the forms hooks.d
// files and the README use. Recognised without CLI11 so that oci-netns-hook links no CLI11
// (common/sys/self_exec.hpp); anything else goes to oci-netns-hook-cli, which parses it with CLI11.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocinetns {

enum class HookStage { kCreateRuntime, kPoststop };

struct StageCommand {
  HookStage stage = HookStage::kCreateRuntime;
  std::string config_path;  // empty: $OCI_NETNS_HOOK_CONFIG or the default
};

// The arguments after argv[0]. Accepts `STAGE`, `--config P STAGE`, `--config=P STAGE`,
// `STAGE --config P` and `STAGE --config=P`, where STAGE is createRuntime, prestart (an alias of
// createRuntime, for older runtimes) or poststop, and P is non-empty and does not start with '-'.
// Returns nullopt for anything else, including every form CLI11 would reject, so errors and help
// text come from one place.
std::optional<StageCommand> parse_stage_argv(const std::vector<std::string_view>& args);

}  // namespace ocinetns
