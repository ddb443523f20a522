// The configuration model (one JSON file shared by the hook and the runtime shim) and its loader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/errors.hpp"
#include "common/base/logging.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/sysctl_key.hpp"

namespace ocinetns {

inline constexpr const char* kDefaultConfigPath = "/etc/oci-netns-hook/config.json";
inline constexpr const char* kConfigEnv = "OCI_NETNS_HOOK_CONFIG";

enum class SharedNetnsPolicy { kSkip, kAlias };
// What the seccomp sandbox (common/sys/sandbox.hpp) does with a syscall outside the allowlist.
enum class SandboxMode { kErrno, kKill, kOff };

// level: trace, debug, info, warn, error, off; file: empty for none; syslog: LOG_DAEMON. With
// neither a file nor syslog, warnings and errors go to the default destination
// (common/base/operator_log.hpp).
using LogConfig = LogSettings;

struct RuntimeConfig {
  std::string path;  // empty: first runc or crun on PATH that is not the shim
  std::vector<std::string> hooks_dirs = {"/usr/share/containers/oci/hooks.d",
                                         "/etc/containers/oci/hooks.d"};
};

struct Config {
  std::string netns_dir = "/run/netns";
  std::string state_dir = "/run/oci-netns-hook";
  std::string name_template = "{id}";
  ErrorPolicy on_error = ErrorPolicy::kWarn;
  SharedNetnsPolicy shared_netns = SharedNetnsPolicy::kSkip;
  LogConfig log;
  std::vector<SysctlSetting> sysctls;  // in file order
  std::vector<SysctlPattern> annotation_sysctls;
  ErrorPolicy sysctl_errors = ErrorPolicy::kFail;
  HostSysctlPolicy host_namespace_sysctls = HostSysctlPolicy::kSkip;
  SandboxMode sandbox = SandboxMode::kErrno;
  RuntimeConfig runtime;

  // The policies exit_code() (common/model/exit_policy.hpp) decides a hook stage's status by.
  [[nodiscard]] ExitPolicy exit_policy() const {
    return ExitPolicy{on_error, sysctl_errors, host_namespace_sysctls, !sysctls.empty()};
  }
};

// All problems found in one config document; what() is the first, problems() has every one.
class ConfigError : public InputError {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Parses a config document. Unknown keys and wrong types are errors naming the key.
// Throws ConfigError listing every problem.
Config parse_config(std::string_view text, std::string_view origin);

// The path to use: `explicit_path` if non-empty, else $OCI_NETNS_HOOK_CONFIG, else the default.
std::string resolve_config_path(const std::string& explicit_path);

// Loads `path`. A missing file gives the defaults. The file must be a regular file owned by root
// and not writable by group or others (a non-root user could otherwise steer a root hook).
// Throws ConfigError or std::system_error.
Config load_config(const std::string& path);

// One line for a ConfigError: the first problem, and how many more there are.
std::string config_problem_line(const ConfigError& e);

// What a rejected config still gives (README "A config that cannot be used"): the settings
// that, taken from the built-in defaults instead, would make a command undo less or widen more
// than the admin asked (the runtime that deletes the containers, where their references and
// records are, which hooks.d directories the shim reads). Each is set only if the document is a
// well-formed JSON object and that key passes the same checks parse_config() makes.
struct SalvagedSettings {
  std::optional<std::string> netns_dir;
  std::optional<std::string> state_dir;
  std::optional<std::string> runtime_path;  // never empty
  std::optional<std::vector<std::string>> hooks_dirs;

  [[nodiscard]] bool empty() const {
    return !netns_dir && !state_dir && !runtime_path && !hooks_dirs;
  }
};

// The salvageable settings of a config document that parse_config() rejected. Only for a file
// that passed the ownership check: an untrusted file must give nothing.
SalvagedSettings salvage_config(std::string_view text);

// For the commands that must work with a config that cannot be used (every shim command, both
// hook stages): the file's config, or the built-in defaults and why.
struct LoadedConfig {
  // The file's; or, for a rejected file, Config{} with only `salvaged` applied.
  Config config;
  std::string problem;  // empty if the file was used; else one line naming the file and reason
  // For a rejected file that is owned by root and not group/world-writable: salvage_config() of
  // it. Empty otherwise (a file that was used, a missing, unreadable or untrusted one).
  SalvagedSettings salvaged;
};

// load_config(path), never throwing for the file's content, ownership or a read error.
LoadedConfig load_config_or_defaults(const std::string& path);

}  // namespace ocinetns
