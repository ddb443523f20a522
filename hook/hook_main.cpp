// oci-netns-hook entry point. The OCI stages run on every container start and stop, always as a
// bare verb (hooks.d args, the shim's hooks), and are dispatched here; every other command line
// (`list`, `gc`, `validate`, `--config`, `--help`) is exec'd into oci-netns-hook-cli, so this
// binary links no CLI11 or <iostream> (common/self_exec.hpp says why). The stage always comes
// from argv, never from the state's `status` (crun and runc disagree on it).
#include <cstdio>
#include <string_view>

#include "common/errors.hpp"
#include "common/logging.hpp"
#include "common/self_exec.hpp"
#include "hook/hook_commands.hpp"

int main(int argc, char** argv) {
  using namespace ocinetns;
  init_logging("oci-netns-hook", LogSettings{});
  if (argc == 2) {
    std::string_view verb = argv[1];
    GlobalOptions options;
    if (verb == "createRuntime" || verb == "prestart") return run_create_runtime(options);
    if (verb == "poststop") return run_poststop(options);
  }
  try {
    exec_sibling(kCliName, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "oci-netns-hook: %s\n", describe(e).c_str());
  }
  return kExitFailure;
}
