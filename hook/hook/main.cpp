// oci-netns-hook entry point. The OCI stages run on every container start and stop and are
// dispatched here (common/model/hook_argv.hpp: a stage, alone or with --config); every other
// command line (`list`, `gc`, `validate`, `--help`, a malformed one) is exec'd into
// oci-netns-hook-cli, so this binary links no CLI11 or <iostream> (common/sys/self_exec.hpp says
// why). The stage always comes from argv, never from the state's `status` (crun and runc disagree
// on it).
#include <spdlog/spdlog.h>

#include <exception>
#include <string_view>
#include <vector>

#include "common/base/logging.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/hook_argv.hpp"
#include "common/sys/self_exec.hpp"
#include "hook/hook/stages.hpp"

namespace ocinetns {
namespace {

// The stages by HookStage.
struct StageEntry {
  HookStage stage;
  void (*run)(const GlobalOptions&);
};
constexpr StageEntry kStages[] = {
    {HookStage::kCreateRuntime, run_create_runtime},
    {HookStage::kPoststop, run_poststop},
};

}  // namespace
}  // namespace ocinetns

int main(int argc, char** argv) {
  using namespace ocinetns;
  init_logging("oci-netns-hook", LogSettings{});
  try {
    if (auto command = parse_stage_argv(std::vector<std::string_view>(argv + 1, argv + argc))) {
      for (const auto& entry : kStages) {
        if (entry.stage == command->stage) entry.run(GlobalOptions{command->config_path});
      }
      return kExitOk;
    }
    exec_sibling(kCliName, argv);
  } catch (const std::exception& e) {
    if (*e.what() != '\0') spdlog::error("{}", e.what());
    return exit_code_of(e);
  }
}
