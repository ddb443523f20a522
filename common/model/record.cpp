// Record serialisation (pure: JSON text in and out, no file access).
#include "common/model/record.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"
#include "common/model/naming.hpp"
#include "common/model/oci_state.hpp"

namespace ocinetns {
namespace {

constexpr int kRecordVersion = 1;
constexpr std::string_view kRecordSuffix = ".json";

}  // namespace

std::string record_file_name(const std::string& id) {
  return id + std::string(kRecordSuffix);
}

std::optional<std::string> record_id_of_file_name(std::string_view name) {
  if (!name.ends_with(kRecordSuffix)) return std::nullopt;
  name.remove_suffix(kRecordSuffix.size());
  return std::string(name);
}

std::string netns_index_name(const NsId& ns) {
  return fmt::format("{}-{}", ns.dev, ns.ino);
}

std::string record_to_json(const Record& r) {
  nlohmann::ordered_json j;
  j["version"] = kRecordVersion;
  j["id"] = r.id;
  j["name"] = r.name;
  j["netns_dir"] = r.netns_dir;
  j["netns"] = {{"dev", r.netns.dev}, {"ino", r.netns.ino}};
  j["pid"] = r.pid;
  j["pid_start_time"] = r.pid_start_time;
  j["created"] = r.created;
  j["status"] = r.status == RecordStatus::kComplete ? "complete" : "pending";
  j["alias"] = r.alias;
  if (r.sharer) j["sharer"] = true;
  if (!r.container_name.empty()) j["container_name"] = r.container_name;
  return j.dump() + "\n";
}

Record record_from_json(std::string_view text, std::string_view what) {
  std::string ctx = fmt::format("record {}", what);
  try {
    auto j = parse_strict_json(text, ctx, {.max_bytes = kMaxRecordBytes, .max_depth = 8});
    if (!j.is_object()) throw InputError(fmt::format("{}: not a JSON object", ctx));
    if (j.value("version", 0) != kRecordVersion) {
      throw InputError(fmt::format("{}: unsupported version", ctx));
    }
    Record r;
    r.id = j.at("id").get<std::string>();
    validate_container_id(r.id);
    r.name = j.at("name").get<std::string>();
    if (r.name.empty() || r.name.find('/') != std::string::npos || r.name == "." ||
        r.name == "..") {
      throw InputError(fmt::format("{}: invalid name", ctx));
    }
    r.netns_dir = j.at("netns_dir").get<std::string>();
    if (r.netns_dir.empty() || r.netns_dir.front() != '/') {
      throw InputError(fmt::format("{}: invalid netns_dir", ctx));
    }
    r.netns.dev = j.at("netns").at("dev").get<std::uint64_t>();
    r.netns.ino = j.at("netns").at("ino").get<std::uint64_t>();
    r.pid = j.at("pid").get<pid_t>();
    r.pid_start_time = j.at("pid_start_time").get<std::uint64_t>();
    r.created = j.at("created").get<std::int64_t>();
    std::string status = j.at("status").get<std::string>();
    if (status == "complete") {
      r.status = RecordStatus::kComplete;
    } else if (status == "pending") {
      r.status = RecordStatus::kPending;
    } else {
      throw InputError(fmt::format("{}: invalid status", ctx));
    }
    r.alias = j.value("alias", false);
    r.sharer = j.value("sharer", false);
    if (r.sharer && r.alias) throw InputError(fmt::format("{}: both alias and sharer", ctx));
    r.container_name = j.value("container_name", std::string());
    if (!r.container_name.empty()) {
      validate_netns_name(r.container_name, fmt::format("{}: container_name", ctx));
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: corrupt ({})", ctx, e.what()));
  }
}

}  // namespace ocinetns
