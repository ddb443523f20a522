// Config loading. Every key is checked here, once, so the hook's hot path can trust the model.
#include "config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>

#include "common/base/io.hpp"
#include "common/base/strict_json.hpp"
#include "common/base/trusted_file.hpp"
#include "common/model/naming.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;
constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

std::string join_problems(const std::vector<std::string>& problems) {
  return problems.empty() ? std::string("config: invalid") : problems.front();
}

std::string json_type(const Json& j) {
  return j.type_name();
}

class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  void problem(std::string message) { problems_.push_back(std::move(message)); }
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

  // Runs `fn`, turning an InputError into a recorded problem.
  void guarded(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const InputError& e) {
      problem(e.what());
    }
  }

  bool expect(const Json& j, const std::string& key, Json::value_t type, const char* type_name) {
    bool ok = j.type() == type || (type == Json::value_t::number_unsigned && j.is_number_integer());
    if (!ok) problem(fmt::format("{}: expected {}, got {}", key, type_name, json_type(j)));
    return ok;
  }

  std::string get_string(const Json& j, const std::string& key, std::string fallback) {
    return expect(j, key, Json::value_t::string, "a string") ? j.get<std::string>() : fallback;
  }

  std::string get_path(const Json& j, const std::string& key, std::string fallback) {
    std::string value = get_string(j, key, fallback);
    if (value.empty() || value.front() != '/') {
      problem(fmt::format("{}: must be an absolute path", key));
      return fallback;
    }
    if (value.find("/../") != std::string::npos || value.ends_with("/..") ||
        value.find('\0') != std::string::npos) {
      problem(fmt::format("{}: must not contain '..'", key));
      return fallback;
    }
    while (value.size() > 1 && value.back() == '/') value.pop_back();
    return value;
  }

  // One of the named `choices`, else a problem listing them (`expected "a", "b" or "c"`);
  // `fallback` when the value is not one of them (or not a string: get_string said so).
  template <typename T>
  T get_choice(const Json& j, const std::string& key,
               std::initializer_list<std::pair<const char*, T>> choices, T fallback) {
    std::string value = get_string(j, key, "");
    std::string expected;
    std::size_t i = 0;
    for (const auto& [name, choice] : choices) {
      if (value == name) return choice;
      if (i > 0) expected += i + 1 == choices.size() ? " or " : ", ";
      expected += fmt::format("\"{}\"", name);
      ++i;
    }
    if (j.is_string()) problem(fmt::format("{}: expected {}, got \"{}\"", key, expected, value));
    return fallback;
  }

  ErrorPolicy get_policy(const Json& j, const std::string& key, ErrorPolicy fallback) {
    return get_choice(j, key, {{"warn", ErrorPolicy::kWarn}, {"fail", ErrorPolicy::kFail}},
                      fallback);
  }

 private:
  std::string origin_;
  std::vector<std::string> problems_;
};

void parse_log(Parser& p, const Json& j, LogConfig& log) {
  if (!p.expect(j, "log", Json::value_t::object, "an object")) return;
  for (const auto& [key, value] : j.items()) {
    std::string name = "log." + key;
    if (key == "level") {
      std::string level = p.get_string(value, name, log.level);
      static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
      bool known = false;
      for (const char* l : kLevels) known = known || level == l;
      if (known) {
        log.level = level;
      } else if (value.is_string()) {
        p.problem(fmt::format("{}: unknown level \"{}\" (trace, debug, info, warn, error, off)",
                              name, level));
      }
    } else if (key == "file") {
      std::string file = p.get_string(value, name, "");
      if (!file.empty() && file.front() != '/') {
        p.problem(fmt::format("{}: must be an absolute path", name));
      } else {
        log.file = file;
      }
    } else if (key == "syslog") {
      if (p.expect(value, name, Json::value_t::boolean, "a boolean"))
        log.syslog = value.get<bool>();
    } else {
      p.problem(fmt::format("{}: unknown key", name));
    }
  }
}

// runtime.path: empty (the PATH lookup) or absolute. nullopt, with a problem, if neither.
std::optional<std::string> parse_runtime_path(Parser& p, const Json& j, const std::string& name) {
  if (!p.expect(j, name, Json::value_t::string, "a string")) return std::nullopt;
  std::string path = j.get<std::string>();
  if (!path.empty() && path.front() != '/') {
    p.problem(fmt::format("{}: must be an absolute path or empty", name));
    return std::nullopt;
  }
  return path;
}

// runtime.hooks_dirs: an array of absolute paths. nullopt, with a problem, if it is not one.
std::optional<std::vector<std::string>> parse_hooks_dirs(Parser& p, const Json& j,
                                                         const std::string& name) {
  if (!p.expect(j, name, Json::value_t::array, "an array of paths")) return std::nullopt;
  std::size_t before = p.problems().size();
  std::vector<std::string> dirs;
  for (std::size_t i = 0; i < j.size(); ++i) {
    dirs.push_back(p.get_path(j[i], fmt::format("{}[{}]", name, i), ""));
  }
  if (p.problems().size() != before) return std::nullopt;
  return dirs;
}

void parse_runtime(Parser& p, const Json& j, RuntimeConfig& rt) {
  if (!p.expect(j, "runtime", Json::value_t::object, "an object")) return;
  for (const auto& [key, value] : j.items()) {
    std::string name = "runtime." + key;
    if (key == "path") {
      if (auto path = parse_runtime_path(p, value, name)) rt.path = std::move(*path);
    } else if (key == "hooks_dirs") {
      if (auto dirs = parse_hooks_dirs(p, value, name)) rt.hooks_dirs = std::move(*dirs);
    } else {
      p.problem(fmt::format("{}: unknown key", name));
    }
  }
}

void parse_sysctls(Parser& p, const Json& j, std::vector<SysctlSetting>& out) {
  if (!p.expect(j, "sysctls", Json::value_t::object, "an object of key -> string value")) return;
  std::map<std::string, std::string> seen;  // normalised path -> spelling, to catch aliases
  for (const auto& item : j.items()) {
    // Named copies, not structured bindings: clang 14 cannot capture those in the lambda.
    const std::string& key = item.key();
    const Json& value = item.value();
    p.guarded([&] {
      SysctlKey k = normalize_sysctl_key(key);
      if (!value.is_string()) {
        throw InputError(fmt::format("sysctls.{}: expected a string value, got {}", k.display,
                                     json_type(value)));
      }
      std::string v = value.get<std::string>();
      validate_sysctl_value(key, v);
      if (auto [it, inserted] = seen.emplace(k.path, key); !inserted) {
        throw InputError(fmt::format("sysctls.{}: same key as \"{}\"", k.display, it->second));
      }
      out.push_back({std::move(k), std::move(v)});
    });
  }
}

void parse_allowlist(Parser& p, const Json& j, std::vector<SysctlPattern>& out) {
  if (!p.expect(j, "annotation_sysctls", Json::value_t::array, "an array of keys or prefixes*")) {
    return;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    std::string name = fmt::format("annotation_sysctls[{}]", i);
    if (!p.expect(j[i], name, Json::value_t::string, "a string")) continue;
    p.guarded([&] { out.push_back(parse_sysctl_pattern(j[i].get<std::string>())); });
  }
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : InputError(join_problems(problems)), problems_(std::move(problems)) {}

Config parse_config(std::string_view text, std::string_view origin) {
  Parser p(origin);
  Config cfg;
  Json doc;
  try {
    doc =
        parse_strict_ordered_json(text, "config", {.max_bytes = kMaxConfigBytes, .max_depth = 16});
  } catch (const InputError& e) {
    throw ConfigError({fmt::format("{}: {}", origin, e.what())});
  }
  if (!doc.is_object()) throw ConfigError({fmt::format("{}: expected a JSON object", origin)});

  for (const auto& [key, value] : doc.items()) {
    if (key == "netns_dir") {
      cfg.netns_dir = p.get_path(value, key, cfg.netns_dir);
    } else if (key == "state_dir") {
      cfg.state_dir = p.get_path(value, key, cfg.state_dir);
    } else if (key == "name_template") {
      std::string tmpl = p.get_string(value, key, cfg.name_template);
      p.guarded([&] {
        validate_name_template(tmpl);
        cfg.name_template = tmpl;
      });
    } else if (key == "on_error") {
      cfg.on_error = p.get_policy(value, key, cfg.on_error);
    } else if (key == "shared_netns") {
      cfg.shared_netns = p.get_choice(
          value, key, {{"skip", SharedNetnsPolicy::kSkip}, {"alias", SharedNetnsPolicy::kAlias}},
          cfg.shared_netns);
    } else if (key == "log") {
      parse_log(p, value, cfg.log);
    } else if (key == "sysctls") {
      parse_sysctls(p, value, cfg.sysctls);
    } else if (key == "annotation_sysctls") {
      parse_allowlist(p, value, cfg.annotation_sysctls);
    } else if (key == "sysctl_errors") {
      cfg.sysctl_errors = p.get_policy(value, key, cfg.sysctl_errors);
    } else if (key == "host_namespace_sysctls") {
      cfg.host_namespace_sysctls = p.get_choice(
          value, key, {{"skip", HostSysctlPolicy::kSkip}, {"fail", HostSysctlPolicy::kFail}},
          cfg.host_namespace_sysctls);
    } else if (key == "sandbox") {
      cfg.sandbox = p.get_choice(value, key,
                                 {{"errno", SandboxMode::kErrno},
                                  {"kill", SandboxMode::kKill},
                                  {"off", SandboxMode::kOff}},
                                 cfg.sandbox);
    } else if (key == "runtime") {
      parse_runtime(p, value, cfg.runtime);
    } else {
      p.problem(fmt::format("{}: unknown key", key));
    }
  }
  if (cfg.netns_dir == cfg.state_dir) p.problem("state_dir: must differ from netns_dir");
  if (!p.problems().empty()) {
    std::vector<std::string> problems;
    for (const auto& msg : p.problems()) problems.push_back(fmt::format("{}: {}", origin, msg));
    throw ConfigError(std::move(problems));
  }
  return cfg;
}

std::string resolve_config_path(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv(kConfigEnv); env != nullptr && *env != '\0') return env;
  return kDefaultConfigPath;
}

namespace {

// The config text at `path`, or nullopt if there is no file. `trusted` is set once the file
// passed the ownership check. Throws ConfigError or std::system_error.
std::optional<std::string> read_config_text(const std::string& path, bool& trusted) {
  try {
    auto file = read_regular_file(AT_FDCWD, path, kMaxConfigBytes, "config", path,
                                  Symlinks::kFollow, [&](const struct stat& st) {
                                    check_trusted_owner(st, "config", path);
                                    trusted = true;
                                  });
    if (!file) return std::nullopt;
    return std::move(file->text);
  } catch (const InputError& e) {
    // Not a regular file, not root's, or too large: a problem with the file, not the system.
    throw ConfigError({e.what()});
  }
}

// `key` of the object `doc` through `parse` with a Parser of its own: the value if the key is
// there and passes parse_config()'s checks for it, else nullopt.
template <typename Parse>
auto salvage_key(const Json& doc, const std::string& key, const std::string& name, Parse parse)
    -> decltype(parse(std::declval<Parser&>(), doc, name)) {
  auto it = doc.find(key);
  if (it == doc.end()) return std::nullopt;
  Parser p("config");
  auto value = parse(p, *it, name);
  if (!p.problems().empty()) return std::nullopt;
  return value;
}

// netns_dir, state_dir: get_path()'s checks, as parse_config() makes them.
std::optional<std::string> parse_dir(Parser& p, const Json& j, const std::string& name) {
  return p.get_path(j, name, "");
}

}  // namespace

SalvagedSettings salvage_config(std::string_view text) {
  SalvagedSettings out;
  Json doc;
  try {
    doc =
        parse_strict_ordered_json(text, "config", {.max_bytes = kMaxConfigBytes, .max_depth = 16});
  } catch (const InputError&) {
    return out;
  }
  if (!doc.is_object()) return out;
  out.netns_dir = salvage_key(doc, "netns_dir", "netns_dir", parse_dir);
  out.state_dir = salvage_key(doc, "state_dir", "state_dir", parse_dir);
  // The pair must pass the loader's last check too: a reference and a record never share a
  // directory. If they would, neither is taken.
  Config defaults;
  if (out.netns_dir.value_or(defaults.netns_dir) == out.state_dir.value_or(defaults.state_dir)) {
    out.netns_dir.reset();
    out.state_dir.reset();
  }
  if (auto rt = doc.find("runtime"); rt != doc.end() && rt->is_object()) {
    out.runtime_path = salvage_key(*rt, "path", "runtime.path", parse_runtime_path);
    if (out.runtime_path && out.runtime_path->empty()) out.runtime_path.reset();
    out.hooks_dirs = salvage_key(*rt, "hooks_dirs", "runtime.hooks_dirs", parse_hooks_dirs);
  }
  return out;
}

Config load_config(const std::string& path) {
  bool trusted = false;
  std::optional<std::string> text = read_config_text(path, trusted);
  if (!text) return Config{};
  return parse_config(*text, path);
}

std::string config_problem_line(const ConfigError& e) {
  if (e.problems().size() <= 1) return e.what();
  return fmt::format("{} (and {} more; run `oci-netns-hook validate`)", e.what(),
                     e.problems().size() - 1);
}

LoadedConfig load_config_or_defaults(const std::string& path) {
  LoadedConfig out;
  bool trusted = false;
  std::optional<std::string> text;
  try {
    text = read_config_text(path, trusted);
    if (text) out.config = parse_config(*text, path);
    return out;
  } catch (const ConfigError& e) {
    out.problem = config_problem_line(e);
  } catch (const std::exception& e) {
    out.problem = e.what();
  }
  out.config = Config{};
#ifdef OCI_NETNS_TEST_BUILD
  // The built-in hooks_dirs are the host's; tests/runc points them at a directory of its own.
  if (const char* dir = std::getenv("OCI_NETNS_TEST_DEFAULT_HOOKS_DIR"); dir && *dir != '\0') {
    out.config.runtime.hooks_dirs = {dir};
  }
#endif
  if (!trusted || !text) return out;
  out.salvaged = salvage_config(*text);
  const SalvagedSettings& kept = out.salvaged;
  if (kept.netns_dir) out.config.netns_dir = *kept.netns_dir;
  if (kept.state_dir) out.config.state_dir = *kept.state_dir;
  if (kept.runtime_path) out.config.runtime.path = *kept.runtime_path;
  if (kept.hooks_dirs) out.config.runtime.hooks_dirs = *kept.hooks_dirs;
  return out;
}

}  // namespace ocinetns
