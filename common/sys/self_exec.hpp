// Handing a command line to oci-netns-hook-cli, the executable installed next to the hook and the
// shim. Why a second executable: CLI11 and <iostream> run static initialisers in every process
// that links them (the stream objects, the C++ locale, CLI11's validators), about 0.4 ms per
// start here (README "Performance"), and the hook starts twice per container. So the hook and
// the shim link neither; whatever their hot path does not handle is exec'd into the CLI.
#pragma once

#include <string>
#include <string_view>

namespace ocinetns {

// The command-line front end: the hook's command lines other than a stage
// (common/model/hook_argv.hpp), and the shim's admin verbs. Installed in the same directory as
// oci-netns-hook and oci-netns-runtime.
inline constexpr const char* kCliName = "oci-netns-hook-cli";

// argv[1] of the shim's command line that selects its admin verbs (hook/cli/runtime_admin.hpp),
// which the shim execs into the CLI. It is not a runtime subcommand or flag of runc or crun, so
// an engine can never reach it by accident.
inline constexpr const char* kAdminFlag = "--oci-netns-admin";

// The path of `name` in the directory of `self_exe` (a /proc/self/exe target, which may end in
// " (deleted)" after an upgrade replaced the file; only its directory is used). Empty if
// `self_exe` is not an absolute path.
std::string sibling_path(std::string_view self_exe, std::string_view name);

// Execs the sibling `name` with this process's argv (argv[0] kept, so usage and log lines still
// name the program the user ran). Only returns by throwing std::system_error that names the path.
[[noreturn]] void exec_sibling(const char* name, char** argv);

}  // namespace ocinetns
