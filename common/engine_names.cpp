// Parsing of what Docker and Podman leave behind for a container's name (pure logic).
#include "common/engine_names.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "common/errors.hpp"
#include "common/name_collision.hpp"
#include "common/strict_json.hpp"

namespace ocinetns {
namespace {

// `path`'s parent directory, or "" if it has none; "/a/b/c" -> "/a/b".
std::string_view parent_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos || slash == 0 ? std::string_view() : path.substr(0, slash);
}

std::string_view base_of(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// An absolute path without "." or ".." components or doubled slashes: one that names one place.
bool plain_absolute(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(pos, next - pos);
    if (part.empty() || part == "." || part == "..") return false;
    pos = next + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

}  // namespace

bool template_uses_name(std::string_view tmpl) {
  return tmpl.find("{name}") != std::string_view::npos;
}

std::optional<std::string> kubernetes_pod_name(
    const std::map<std::string, std::string>& annotations) {
  for (auto [ns_key, name_key] :
       {std::pair{"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-name"},
        std::pair{"io.kubernetes.pod.namespace", "io.kubernetes.pod.name"}}) {
    auto ns = annotations.find(ns_key);
    auto name = annotations.find(name_key);
    if (ns == annotations.end() || name == annotations.end() || ns->second.empty() ||
        name->second.empty()) {
      continue;
    }
    return map_engine_name(ns->second) + "_" + map_engine_name(name->second);
  }
  return std::nullopt;
}

std::optional<std::string> docker_container_dir(const nlohmann::json& spec, std::string_view id) {
  if (!spec.is_object()) return std::nullopt;
  auto mounts = spec.find("mounts");
  if (mounts == spec.end() || !mounts->is_array()) return std::nullopt;
  for (const auto& m : *mounts) {
    if (!m.is_object()) continue;
    auto dest = m.find("destination");
    auto source = m.find("source");
    if (dest == m.end() || source == m.end() || !dest->is_string() || !source->is_string()) {
      continue;
    }
    const std::string& d = dest->get_ref<const std::string&>();
    if (d != "/etc/hostname" && d != "/etc/hosts" && d != "/etc/resolv.conf") continue;
    const std::string& s = source->get_ref<const std::string&>();
    if (!plain_absolute(s) || base_of(s) != base_of(d)) continue;
    std::string_view dir = parent_of(s);
    if (base_of(dir) != id || base_of(parent_of(dir)) != "containers") continue;
    return std::string(dir);
  }
  return std::nullopt;
}

std::string docker_name_from_config(std::string_view text, std::string_view id) {
  nlohmann::json j = parse_strict_json(text, "config.v2.json",
                                       {.max_bytes = kMaxDockerConfigBytes, .max_depth = 64});
  if (!j.is_object()) throw InputError("config.v2.json: not a JSON object");
  auto got_id = j.find("ID");
  if (got_id == j.end() || !got_id->is_string()) {
    throw InputError("config.v2.json: no \"ID\" string");
  }
  if (got_id->get_ref<const std::string&>() != id) {
    throw InputError(fmt::format("config.v2.json: \"ID\" is {}, not this container",
                                 got_id->get_ref<const std::string&>().substr(0, 64)));
  }
  auto name = j.find("Name");
  if (name == j.end() || !name->is_string()) {
    throw InputError("config.v2.json: no \"Name\" string");
  }
  std::string_view n = name->get_ref<const std::string&>();
  if (n.starts_with('/')) n.remove_prefix(1);
  if (n.empty()) throw InputError("config.v2.json: \"Name\" is empty");
  return std::string(n);
}

std::string conmon_name_from_argv(std::string_view cmdline, std::string_view id) {
  std::vector<std::string_view> args;
  std::size_t pos = 0;
  while (pos < cmdline.size()) {
    std::size_t nul = cmdline.find('\0', pos);
    if (nul == std::string_view::npos) nul = cmdline.size();
    args.push_back(cmdline.substr(pos, nul - pos));
    pos = nul + 1;
  }
  std::optional<std::string_view> cid;
  std::optional<std::string_view> name;
  // conmon parses its options with GLib's GOptionContext: `-c ID`, `--cid ID`, `--cid=ID`.
  auto take = [&](std::size_t& i, std::string_view shrt, std::string_view lng,
                  std::optional<std::string_view>& out) {
    std::string_view a = args[i];
    if ((a == shrt || a == lng) && i + 1 < args.size()) {
      out = args[++i];
      return true;
    }
    if (a.size() > lng.size() && a.starts_with(lng) && a[lng.size()] == '=') {
      out = a.substr(lng.size() + 1);
      return true;
    }
    return false;
  };
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (take(i, "-c", "--cid", cid)) continue;
    take(i, "-n", "--name", name);
  }
  if (!cid) throw InputError("conmon argv: no -c CONTAINER_ID");
  if (*cid != id) {
    throw InputError(fmt::format("conmon argv: -c is {}, not this container", cid->substr(0, 64)));
  }
  if (!name || name->empty()) throw InputError("conmon argv: no -n NAME");
  return std::string(*name);
}

std::optional<pid_t> parent_pid_from_stat(std::string_view stat) {
  std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 4 >= stat.size()) return std::nullopt;
  // ") S 1234 ..." : state, then the parent pid.
  std::string_view rest = stat.substr(close + 1);
  if (rest.size() < 4 || rest[0] != ' ' || rest[2] != ' ') return std::nullopt;
  rest.remove_prefix(3);
  pid_t ppid = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
  if (ec != std::errc() || end == rest.data() || ppid < 0) return std::nullopt;
  return ppid;
}

}  // namespace ocinetns
