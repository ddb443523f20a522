// runc-style argv parsing for the shim. Go's flag package accepts both `-name` and `--name`, and
// `-name=value`; a flag takes the next word as its value unless it is boolean.
#include "common/model/shim_argv.hpp"

#include <algorithm>
#include <array>

namespace ocinetns {
namespace {

// Global options that take a value: runc 1.1 (root, log, log-format, criu, rootless) and crun
// 1.8 (log-level, cgroup-manager).
constexpr std::array<std::string_view, 7> kGlobalValueFlags = {
    "root", "log", "log-format", "criu", "rootless", "log-level", "cgroup-manager"};

// Subcommand names of runc and crun. Used only to decide whether an unknown global flag is
// boolean: if the next word is a subcommand, the flag cannot have consumed it.
constexpr std::array<std::string_view, 21> kSubcommands = {
    "checkpoint", "create", "delete", "events", "exec",    "features", "init",
    "kill",       "list",   "pause",  "ps",     "restore", "resume",   "run",
    "spec",       "start",  "state",  "update", "help",    "h",        "mounts"};

// Value-taking flags of `create` and `run` other than --bundle (runc 1.1, crun 1.8).
constexpr std::array<std::string_view, 3> kCreateValueFlags = {"pid-file", "console-socket",
                                                               "preserve-fds"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view name) {
  return std::find(set.begin(), set.end(), name) != set.end();
}

// A flag word split into its name (without dashes) and an inline `=value`.
struct Flag {
  std::string_view name;
  std::optional<std::string_view> value;
};

std::optional<Flag> split_flag(std::string_view word) {
  if (word.size() < 2 || word.front() != '-' || word == "--") return std::nullopt;
  word.remove_prefix(word.starts_with("--") ? 2 : 1);
  Flag flag{word, std::nullopt};
  if (auto eq = word.find('='); eq != std::string_view::npos) {
    flag.name = word.substr(0, eq);
    flag.value = word.substr(eq + 1);
  }
  return flag;
}

}  // namespace

ShimArgs parse_shim_argv(const std::vector<std::string_view>& args) {
  ShimArgs out;
  std::size_t i = 0;
  // Global options, up to the first word that is not a flag.
  for (; i < args.size(); ++i) {
    auto flag = split_flag(args[i]);
    if (!flag) break;
    std::optional<std::string_view> value = flag->value;
    bool takes_value = contains(kGlobalValueFlags, flag->name);
    if (!takes_value && !flag->value && i + 1 < args.size()) {
      // An unknown flag takes the next word unless that word is a flag or a subcommand.
      std::string_view next = args[i + 1];
      bool known_bool = flag->name == "debug" || flag->name == "systemd-cgroup" ||
                        flag->name == "help" || flag->name == "h" || flag->name == "version" ||
                        flag->name == "v";
      takes_value = !known_bool && !next.starts_with("-") && !contains(kSubcommands, next);
    }
    if (takes_value && !value) {
      if (i + 1 >= args.size()) return ShimArgs{};  // malformed: let the runtime say so
      value = args[++i];
    }
    if (!value) continue;
    if (flag->name == "log") out.log_path = std::string(*value);
    if (flag->name == "log-format") out.log_format = std::string(*value);
  }
  if (i >= args.size()) return out;
  out.subcommand = std::string(args[i]);
  if (out.subcommand == "start") {
    // `runc start <container-id>`: start takes no flags of its own but --help.
    for (++i; i < args.size(); ++i) {
      if (!args[i].starts_with("-")) {
        out.container_id = std::string(args[i]);
        break;
      }
    }
    return out;
  }
  if (out.subcommand != "create" && out.subcommand != "run") return out;

  // The subcommand's flags. The last --bundle wins, as with Go's flag package.
  std::string bundle = ".";
  for (++i; i < args.size(); ++i) {
    if (args[i] == "--") break;
    auto flag = split_flag(args[i]);
    if (!flag) continue;  // the container id
    bool is_bundle = flag->name == "bundle" || flag->name == "b";
    if (!is_bundle && !contains(kCreateValueFlags, flag->name)) continue;  // boolean flag
    std::string_view value;
    if (flag->value) {
      value = *flag->value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      out.subcommand.clear();  // malformed: pass through, the runtime reports it
      return out;
    }
    if (is_bundle) bundle = value.empty() ? "." : std::string(value);
  }
  out.bundle = bundle;
  return out;
}

}  // namespace ocinetns
