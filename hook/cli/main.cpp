// oci-netns-hook-cli entry point: the command line of oci-netns-hook (parsed with CLI11), which
// hook/hook/main.cpp execs for everything but a stage (common/model/hook_argv.hpp), and the admin
// verbs of oci-netns-runtime (`--oci-netns-admin`, exec'd by hook/shim/main.cpp). argv[0] is the
// program the user ran. The verbs are one table; each verb's run throws to stop, caught here.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/logging.hpp"
#include "common/base/version.hpp"
#include "common/model/exit_policy.hpp"
#include "hook/cli/commands.hpp"
#include "hook/cli/runtime_admin.hpp"

namespace ocinetns {
namespace {

VerbRun setup_create_runtime(CLI::App& /*sub*/, const GlobalOptions& options) {
  return [&options] { run_create_runtime(options); };
}

VerbRun setup_poststop(CLI::App& /*sub*/, const GlobalOptions& options) {
  return [&options] { run_poststop(options); };
}

struct CliVerb {
  const char* name;
  const char* description;
  VerbSetup setup;
  bool hidden = false;  // documentation, not an operation: left out of --help
};

constexpr CliVerb kVerbs[] = {
    {"createRuntime", "OCI hook: register the container's netns", setup_create_runtime},
    {"prestart", "same as createRuntime (older runtimes)", setup_create_runtime},
    {"poststop", "OCI hook: remove the container's reference", setup_poststop},
    {"validate", "check a config file and print every problem", setup_validate},
    {"sandbox-allowlist", "print the seccomp allowlist per stage", setup_sandbox_allowlist,
     /*hidden=*/true},
    {"list", "show every netns reference: container, pid, state, interfaces, host peer, bridge",
     setup_list},
    {"gc", "remove references whose container is gone (poststop never ran)", setup_gc},
    {"exec",
     "run CMD in a container's network namespace: exec TARGET [--] CMD [ARGS...] (TARGET: "
     "reference name, container name, id or unique id prefix of at least 4 characters)",
     setup_exec},
};

}  // namespace
}  // namespace ocinetns

int main(int argc, char** argv) {
  using namespace ocinetns;
  if (argc >= 2 && std::string_view(argv[1]) == kAdminFlag) return run_admin(argc - 1, argv + 1);
  init_logging("oci-netns-hook", LogSettings{});
  if (std::optional<int> code = run_exec_argv(argc, argv)) return *code;
  GlobalOptions options;
  CLI::App app{"oci-netns-hook: registers container network namespaces in /run/netns"};
  app.set_version_flag("--version", std::string("oci-netns-hook ") + kVersion);
  app.add_option(
      "--config", options.config_path,
      "config file (default: $OCI_NETNS_HOOK_CONFIG or /etc/oci-netns-hook/config.json)");
  app.require_subcommand(1);
  app.fallthrough();  // `oci-netns-hook validate --config F` as well as `--config F validate`
  VerbRun chosen;
  for (const auto& verb : kVerbs) {
    CLI::App* sub = app.add_subcommand(verb.name, verb.description);
    if (verb.hidden) sub->group("");
    sub->callback([&chosen, run = verb.setup(*sub, options)] { chosen = run; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a misspelt verb as "A subcommand is required"; name the word instead.
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && !app.remaining().empty()) {
      std::fprintf(stderr, "oci-netns-hook: unknown command `%s` (see --help)\n",
                   app.remaining().front().c_str());
      return exit_code(FailureKind::kBadInput, ExitPolicy{});
    }
    return app.exit(e) == 0 ? kExitOk : exit_code(FailureKind::kBadInput, ExitPolicy{});
  }
  try {
    if (chosen) chosen();
    return kExitOk;
  } catch (const std::exception& e) {
    if (*e.what() != '\0') spdlog::error("{}", e.what());
    return exit_code_of(e);
  }
}
