// hooks.d parsing and matching, following containers/common pkg/hooks (1.0.0/hook.go, when.go,
// read.go, hooks.go) so the shim injects exactly what Podman and CRI-O would.
#include "common/model/hooks_d.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

// Stages containers/common accepts (1.0.0/hook.go Validate).
constexpr std::string_view kStages[] = {"prestart",       "createRuntime", "createContainer",
                                        "startContainer", "poststart",     "poststop"};

[[noreturn]] void bad(std::string_view name, std::string_view field, std::string_view reason) {
  throw InputError(fmt::format("{}: {}: {}", name, field, reason));
}

// At most 80 bytes of `text`, for messages: a hook file may hold a long pattern, and RE2's errors
// can repeat it.
std::string clipped(const std::string& text) {
  return text.size() > 80 ? text.substr(0, 80) + "..." : text;
}

HookPattern compile(std::string_view name, std::string_view field, const std::string& text) {
  // containers/common compiles with Go's regexp, whose syntax RE2 defines; both run in time
  // linear in the input, so a container user's long annotation cannot stall the shim whatever
  // pattern root wrote. Defaults match Go's: UTF-8, leftmost-first, `.` not matching \n, ^ and $
  // at the ends of the text unless (?m).
  RE2::Options options;
  options.set_log_errors(false);    // the error becomes the warning naming the file
  options.set_never_capture(true);  // only whether it matches is asked
  options.set_max_mem(kMaxHookPatternMemory);
  auto re = std::make_shared<const RE2>(text, options);
  if (!re->ok()) {
    bad(name, field,
        fmt::format("invalid regular expression \"{}\": {}", clipped(text), clipped(re->error())));
  }
  if (re->ProgramSize() > kMaxHookPatternInstructions) {
    bad(name, field,
        fmt::format("regular expression \"{}\" too large ({} instructions, at most {})",
                    clipped(text), re->ProgramSize(), kMaxHookPatternInstructions));
  }
  return HookPattern{text, std::move(re)};
}

// An unanchored search, as Go's regexp.MatchString.
bool search(const HookPattern& p, const std::string& s) {
  return RE2::PartialMatch(s, *p.re);
}

std::vector<std::string> string_array(const Json& j, std::string_view name,
                                      std::string_view field) {
  if (!j.is_array()) bad(name, field, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& item : j) {
    if (!item.is_string()) bad(name, field, "expected an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Json parse_hook_entry(const Json& j, std::string_view name) {
  if (!j.is_object()) bad(name, "hook", "expected an object");
  Json entry = Json::object();
  auto path = j.find("path");
  if (path == j.end() || !path->is_string() || path->get<std::string>().empty()) {
    bad(name, "hook.path", "missing required property");
  }
  if (path->get<std::string>().front() != '/') bad(name, "hook.path", "must be an absolute path");
  entry["path"] = *path;
  if (auto args = j.find("args"); args != j.end())
    entry["args"] = string_array(*args, name, "hook.args");
  if (auto env = j.find("env"); env != j.end()) entry["env"] = string_array(*env, name, "hook.env");
  if (auto timeout = j.find("timeout"); timeout != j.end()) {
    // runtime-spec: timeout, if set, MUST be greater than zero.
    if (!timeout->is_number_integer() || timeout->get<long long>() <= 0) {
      bad(name, "hook.timeout", "expected an integer greater than zero");
    }
    entry["timeout"] = *timeout;
  }
  return entry;
}

HookWhen parse_when(const Json& j, std::string_view name) {
  if (!j.is_object()) bad(name, "when", "expected an object");
  HookWhen when;
  for (const auto& [key, value] : j.items()) {
    if (key == "always" || key == "hasBindMounts") {
      if (!value.is_boolean()) bad(name, "when." + key, "expected a boolean");
      (key == "always" ? when.always : when.has_bind_mounts) = value.get<bool>();
    } else if (key == "annotations") {
      if (!value.is_object()) bad(name, "when.annotations", "expected an object of regex -> regex");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) bad(name, "when.annotations." + k, "expected a string");
        when.annotations.emplace_back(compile(name, "when.annotations key", k),
                                      compile(name, "when.annotations." + k, v.get<std::string>()));
      }
    } else if (key == "commands") {
      for (const auto& c : string_array(value, name, "when.commands")) {
        when.commands.push_back(compile(name, "when.commands", c));
      }
    }
  }
  if (!when.always && when.annotations.empty() && when.commands.empty() && !when.has_bind_mounts) {
    bad(name, "when",
        "at least one condition is required (always, annotations, commands, hasBindMounts)");
  }
  return when;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Hook entries compare by meaning, not key order.
bool same_hook(const Json& a, const Json& b) {
  return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump());
}

}  // namespace

HookDefinition parse_hook_definition(std::string_view text, std::string_view name) {
  Json doc =
      parse_strict_ordered_json(text, name, {.max_bytes = kMaxHookFileBytes, .max_depth = 8});
  if (!doc.is_object()) bad(name, "file", "expected a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_string()) {
    // 0.1.0 files have no version; they are deprecated and not supported here.
    bad(name, "version", "missing (only schema 1.0.0 is supported)");
  }
  if (*version != "1.0.0") {
    bad(name, "version",
        fmt::format("unsupported \"{}\" (expected \"1.0.0\")", version->get<std::string>()));
  }
  HookDefinition def;
  def.name = std::string(name);
  auto hook = doc.find("hook");
  if (hook == doc.end()) bad(name, "hook", "missing required property");
  def.hook = parse_hook_entry(*hook, name);
  auto when = doc.find("when");
  if (when == doc.end()) bad(name, "when", "missing required property");
  def.when = parse_when(*when, name);
  auto stages = doc.find("stages");
  if (stages == doc.end()) bad(name, "stages", "missing required property");
  def.stages = string_array(*stages, name, "stages");
  for (const auto& stage : def.stages) {
    if (std::find(std::begin(kStages), std::end(kStages), stage) == std::end(kStages)) {
      bad(name, "stages", fmt::format("unknown stage \"{}\"", stage));
    }
  }
  return def;
}

bool is_hook_file_name(std::string_view name) {
  return name.size() > 5 && name.ends_with(".json") && !name.starts_with(".");
}

std::vector<HookDefinition> merge_hook_layers(std::vector<std::vector<HookDefinition>> layers) {
  std::map<std::string, HookDefinition> by_name;
  for (auto& layer : layers) {
    for (auto& def : layer) {
      std::string key = def.name;
      by_name.insert_or_assign(std::move(key), std::move(def));
    }
  }
  std::vector<HookDefinition> out;
  for (auto& [name, def] : by_name) out.push_back(std::move(def));
  std::stable_sort(out.begin(), out.end(), [](const HookDefinition& a, const HookDefinition& b) {
    std::string la = lower(a.name), lb = lower(b.name);
    return la != lb ? la < lb : a.name < b.name;
  });
  return out;
}

bool spec_has_bind_mounts(const Json& spec) {
  auto mounts = spec.find("mounts");
  if (mounts == spec.end() || !mounts->is_array()) return false;
  for (const auto& m : *mounts) {
    if (!m.is_object()) continue;
    // A hostile config.json may put any JSON value in "type"; only the string "bind" counts.
    if (auto type = m.find("type"); type != m.end() && *type == "bind") return true;
    auto options = m.find("options");
    if (options == m.end() || !options->is_array()) continue;
    for (const auto& o : *options) {
      if (o == "bind" || o == "rbind") return true;
    }
  }
  return false;
}

bool hook_matches(const HookDefinition& def, const Json& spec) {
  const HookWhen& when = def.when;
  // Every condition that is set must hold (containers/common When.Match without the 0.1.0 "Or").
  if (when.always && !*when.always) return false;
  if (when.has_bind_mounts && !(*when.has_bind_mounts && spec_has_bind_mounts(spec))) return false;
  if (!when.annotations.empty()) {
    std::vector<std::pair<std::string, std::string>> annotations;
    if (auto a = spec.find("annotations"); a != spec.end() && a->is_object()) {
      for (const auto& [k, v] : a->items()) {
        if (v.is_string()) annotations.emplace_back(k, v.get<std::string>());
      }
    }
    for (const auto& pattern : when.annotations) {
      // Named references, not structured bindings: clang 14 cannot capture those in a lambda.
      const auto& key_re = pattern.first;
      const auto& value_re = pattern.second;
      bool found = std::any_of(annotations.begin(), annotations.end(), [&](const auto& kv) {
        return search(key_re, kv.first) && search(value_re, kv.second);
      });
      if (!found) return false;
    }
  }
  auto process = spec.find("process");
  if (!when.commands.empty() && process != spec.end() && process->is_object()) {
    auto args = process->find("args");
    if (args == process->end() || !args->is_array() || args->empty() || !(*args)[0].is_string()) {
      throw InputError(
          fmt::format("{}: when.commands: process.args must have at least one entry", def.name));
    }
    std::string command = (*args)[0].get<std::string>();
    return std::any_of(when.commands.begin(), when.commands.end(),
                       [&](const HookPattern& p) { return search(p, command); });
  }
  // With no process, `commands` is not checked (as in containers/common).
  return when.always.has_value() || when.has_bind_mounts.has_value() || !when.annotations.empty();
}

bool inject_hooks(Json& spec, const std::vector<HookDefinition>& defs,
                  std::vector<std::string>& warnings) {
  if (!spec.is_object()) throw InputError("config.json: expected a JSON object");
  if (auto h = spec.find("hooks"); h != spec.end() && !h->is_object() && !h->is_null()) {
    throw InputError("config.json: hooks: expected an object");
  }
  bool changed = false;
  for (const auto& def : defs) {
    bool match = false;
    try {
      match = hook_matches(def, spec);
    } catch (const InputError& e) {
      warnings.push_back(e.what());
    }
    if (!match) continue;
    for (const auto& stage : def.stages) {
      Json& list = spec["hooks"][stage];
      if (list.is_null()) list = Json::array();
      if (!list.is_array()) {
        throw InputError(fmt::format("config.json: hooks.{}: expected an array", stage));
      }
      bool present = std::any_of(list.begin(), list.end(), [&](const Json& existing) {
        return same_hook(existing, def.hook);
      });
      if (present) continue;
      list.push_back(def.hook);
      changed = true;
    }
  }
  return changed;
}

}  // namespace ocinetns
