// Parsing of what Docker and Podman leave behind for a container's name (pure logic).
#include "common/model/engine_names.hpp"

#include <fmt/format.h>

#include <vector>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"
#include "common/model/name_collision.hpp"

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

namespace {

struct CriKeys {
  const char* type;
  const char* ns;
  const char* name;
};
constexpr CriKeys kCriKeys[] = {
    {"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-namespace",
     "io.kubernetes.cri.sandbox-name"},
    {"io.kubernetes.cri-o.ContainerType", "io.kubernetes.pod.namespace", "io.kubernetes.pod.name"},
};

std::string_view annotation(const std::map<std::string, std::string>& annotations,
                            const char* key) {
  auto it = annotations.find(key);
  return it == annotations.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace

std::optional<std::string> kubernetes_pod_name(
    const std::map<std::string, std::string>& annotations) {
  for (const CriKeys& keys : kCriKeys) {
    if (annotation(annotations, keys.type) != "sandbox") continue;
    std::string_view ns = annotation(annotations, keys.ns);
    std::string_view name = annotation(annotations, keys.name);
    if (ns.empty() || name.empty()) continue;
    return map_engine_name(ns) + "_" + map_engine_name(name);
  }
  return std::nullopt;
}

bool kubernetes_app_container(const std::map<std::string, std::string>& annotations) {
  for (const CriKeys& keys : kCriKeys) {
    if (annotation(annotations, keys.type) == "container") return true;
  }
  return false;
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

}  // namespace ocinetns
