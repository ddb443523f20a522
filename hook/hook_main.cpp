// oci-netns-hook entry point. The OCI stages run on every container start and stop and are
// dispatched here (common/hook_argv.hpp: a stage, alone or with --config); every other command
// line (`list`, `gc`, `validate`, `--help`, a malformed one) is exec'd into oci-netns-hook-cli, so
// this binary links no CLI11 or <iostream> (common/self_exec.hpp says why). The stage always comes
// from argv, never from the state's `status` (crun and runc disagree on it).
#include <cstdio>
#include <string_view>
#include <vector>

#include "common/errors.hpp"
#include "common/hook_argv.hpp"
#include "common/logging.hpp"
#include "common/self_exec.hpp"
#include "hook/hook_commands.hpp"

int main(int argc, char** argv) {
  using namespace ocinetns;
  init_logging("oci-netns-hook", LogSettings{});
  if (auto command = parse_stage_argv(std::vector<std::string_view>(argv + 1, argv + argc))) {
    GlobalOptions options{command->config_path};
    return command->stage == HookStage::kPoststop ? run_poststop(options)
                                                  : run_create_runtime(options);
  }
  try {
    exec_sibling(kCliName, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "oci-netns-hook: %s\n", describe(e).c_str());
  }
  return kExitFailure;
}
