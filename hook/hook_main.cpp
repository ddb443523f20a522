// oci-netns-hook entry point: parses argv with CLI11 and dispatches to a verb. The stage always
// comes from argv, never from the state's `status` (crun and runc disagree on it).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string_view>

#include "common/logging.hpp"
#include "hook/hook_commands.hpp"

int main(int argc, char** argv) {
  using namespace ocinetns;
  init_logging("oci-netns-hook", LogSettings{});
  GlobalOptions options;
  // The two OCI stages run on every container start and stop, always as a bare verb (hooks.d
  // args, the shim's hooks): dispatch them before building the CLI11 app, whose construction
  // (every verb, option and validator) is a measurable share of the hook's run time
  // (tests/bench). Anything else, `--config` included, goes through CLI11 below.
  if (argc == 2) {
    std::string_view verb = argv[1];
    if (verb == "createRuntime" || verb == "prestart") return run_create_runtime(options);
    if (verb == "poststop") return run_poststop(options);
  }
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
