// oci-netns-hook-cli entry point: the command line of oci-netns-hook (parsed with CLI11), which
// hook_main.cpp execs for everything but a stage (common/hook_argv.hpp), and the admin verbs of
// oci-netns-runtime
// (`--oci-netns-admin`, exec'd by runtime_main.cpp). argv[0] is the program the user ran.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string_view>

#include "common/logging.hpp"
#include "hook/hook_commands.hpp"
#include "hook/runtime_admin.hpp"

int main(int argc, char** argv) {
  using namespace ocinetns;
  if (argc >= 2 && std::string_view(argv[1]) == kAdminFlag) return run_admin(argc - 1, argv + 1);
  init_logging("oci-netns-hook", LogSettings{});
  if (std::optional<int> code = run_exec_argv(argc, argv)) return *code;
  GlobalOptions options;
  CLI::App app{"oci-netns-hook: registers container network namespaces in /run/netns"};
  app.set_version_flag("--version", "oci-netns-hook 0.1.0");
  app.add_option(
      "--config", options.config_path,
      "config file (default: $OCI_NETNS_HOOK_CONFIG or /etc/oci-netns-hook/config.json)");
  app.require_subcommand(1);
  app.fallthrough();  // `oci-netns-hook validate --config F` as well as `--config F validate`
  int code = kExitOk;
  auto* create = app.add_subcommand("createRuntime", "OCI hook: register the container's netns");
  auto* prestart = app.add_subcommand("prestart", "same as createRuntime (older runtimes)");
  auto* poststop = app.add_subcommand("poststop", "OCI hook: remove the container's reference");
  auto* validate = app.add_subcommand("validate", "check a config file and print every problem");
  create->callback([&] { code = run_create_runtime(options); });
  prestart->callback([&] { code = run_create_runtime(options); });
  poststop->callback([&] { code = run_poststop(options); });
  validate->callback([&] { code = run_validate(options); });
  auto* allowlist =
      app.add_subcommand("sandbox-allowlist", "print the seccomp allowlist per stage");
  allowlist->group("");  // hidden: documentation, not an operation
  allowlist->callback([&] { code = run_sandbox_allowlist(); });
  AdminOptions admin;
  add_admin_verbs(app, options, admin, code);  // list, gc (hook_admin.cpp)
  add_exec_verb(app);                          // run by run_exec_argv() above (hook_exec.cpp)
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a misspelt verb as "A subcommand is required"; name the word instead.
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && !app.remaining().empty()) {
      std::fprintf(stderr, "oci-netns-hook: unknown command `%s` (see --help)\n",
                   app.remaining().front().c_str());
      return kExitBadInput;
    }
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }
  return code;
}
