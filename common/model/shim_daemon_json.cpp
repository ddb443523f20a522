// daemon.json edits with nlohmann::ordered_json: key order and 64-bit numbers survive, unlike a
// jq 1.6 round trip, which turns large integers into doubles.
#include "common/model/shim_daemon_json.hpp"

#include <fmt/format.h>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

Json parse_daemon_json(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  Json doc = parse_strict_ordered_json(text, "daemon.json");
  if (!doc.is_object()) throw InputError("daemon.json: expected a JSON object");
  if (auto r = doc.find("runtimes"); r != doc.end() && !r->is_object()) {
    throw InputError("daemon.json: runtimes: expected an object");
  }
  if (auto d = doc.find("default-runtime"); d != doc.end() && !d->is_string()) {
    throw InputError("daemon.json: default-runtime: expected a string");
  }
  return doc;
}

DaemonJsonEdit finish(const Json& before, Json after) {
  DaemonJsonEdit edit;
  edit.changed = before != after;
  if (auto d = before.find("default-runtime"); d != before.end()) {
    edit.previous_default = d->get<std::string>();
  }
  edit.text = after.dump(2) + "\n";
  return edit;
}

}  // namespace

DaemonJsonEdit docker_register_runtime(std::string_view text, const std::string& name,
                                       const std::string& path, bool make_default) {
  if (name.empty() || path.empty() || path.front() != '/') {
    throw InputError("daemon.json: runtime name and absolute path required");
  }
  Json before = parse_daemon_json(text);
  Json doc = before;
  Json& entry = doc["runtimes"][name];
  if (!entry.is_object()) entry = Json::object();
  entry["path"] = path;
  if (make_default) doc["default-runtime"] = name;
  return finish(before, std::move(doc));
}

DaemonJsonEdit docker_unregister_runtime(std::string_view text, const std::string& name,
                                         const std::string& restore_default) {
  Json before = parse_daemon_json(text);
  Json doc = before;
  if (auto r = doc.find("runtimes"); r != doc.end()) r->erase(name);
  if (auto d = doc.find("default-runtime"); d != doc.end() && *d == name) {
    // Never remove the key or name a runtime that is gone: a reload that leaves dockerd's current
    // default without a runtime panics Docker 20.10 (the key's absence keeps the old default), and
    // one naming an unknown runtime is refused, leaving ours registered. runc is built in.
    bool known = false;
    if (!restore_default.empty() && restore_default != name) {
      auto r = doc.find("runtimes");
      known = restore_default == kDockerStockRuntime ||
              (r != doc.end() && r->contains(restore_default));
    }
    *d = known ? restore_default : std::string(kDockerStockRuntime);
  }
  DaemonJsonEdit edit = finish(before, doc);
  if (auto d = doc.find("default-runtime"); d != doc.end())
    edit.new_default = d->get<std::string>();
  return edit;
}

}  // namespace ocinetns
