// Deferred per-interface sysctls: the JSON form and which failures can wait (pure logic).
#include "common/model/deferred_sysctls.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"
#include "common/model/oci_state.hpp"
#include "common/model/sysctl_key.hpp"

namespace ocinetns {
namespace {

constexpr int kVersion = 1;

}  // namespace

std::string deferred_to_json(const DeferredSysctls& d) {
  nlohmann::ordered_json j;
  j["version"] = kVersion;
  j["id"] = d.id;
  j["pid"] = d.pid;
  j["pid_start_time"] = d.pid_start_time;
  j["netns"] = {{"dev", d.netns.dev}, {"ino", d.netns.ino}};
  j["writes"] = nlohmann::ordered_json::array();
  for (const auto& w : d.writes) {
    j["writes"].push_back(
        {{"key", w.key.path},
         {"value", w.value},
         {"source", w.source == SysctlSource::kAnnotation ? "annotation" : "config"}});
  }
  return j.dump() + "\n";
}

DeferredSysctls deferred_from_json(std::string_view text, std::string_view what) {
  std::string ctx = fmt::format("deferred sysctls {}", what);
  try {
    auto j = parse_strict_json(text, ctx, {.max_bytes = kMaxDeferredBytes, .max_depth = 8});
    if (!j.is_object() || j.value("version", 0) != kVersion) {
      throw InputError(fmt::format("{}: not a version {} object", ctx, kVersion));
    }
    DeferredSysctls d;
    d.id = j.at("id").get<std::string>();
    validate_container_id(d.id);
    d.pid = j.at("pid").get<pid_t>();
    d.pid_start_time = j.at("pid_start_time").get<std::uint64_t>();
    d.netns.dev = j.at("netns").at("dev").get<std::uint64_t>();
    d.netns.ino = j.at("netns").at("ino").get<std::uint64_t>();
    for (const auto& w : j.at("writes")) {
      SysctlWrite write;
      // Slashed form: normalize_sysctl_key keeps dots inside components (eth0.100).
      write.key = normalize_sysctl_key(w.at("key").get<std::string>());
      write.value = w.at("value").get<std::string>();
      validate_sysctl_value(write.key.display, write.value);
      write.source = w.at("source").get<std::string>() == "annotation" ? SysctlSource::kAnnotation
                                                                       : SysctlSource::kConfig;
      d.writes.push_back(std::move(write));
    }
    return d;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: corrupt ({})", ctx, e.what()));
  }
}

bool deferrable(const SysctlKey& key, int err) {
  return err == ENOENT && !sysctl_interface(key).empty();
}

}  // namespace ocinetns
