// OCI state parsing. Field names follow the runtime-spec "State" section:
// ociVersion, id, status, pid, bundle, annotations.
#include "common/model/oci_state.hpp"

#include <fmt/format.h>

#include <limits>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"

namespace ocinetns {

void validate_container_id(std::string_view id) {
  if (id.empty()) throw InputError("id: must not be empty");
  if (id.size() > kMaxIdLength) {
    throw InputError(fmt::format("id: longer than {} characters", kMaxIdLength));
  }
  if (id == "." || id.find("..") != std::string_view::npos) {
    throw InputError("id: must not contain \"..\" or be \".\"");
  }
  for (unsigned char c : id) {
    if (c == '/') throw InputError("id: must not contain '/'");
    if (c < 0x20 || c == 0x7f) throw InputError("id: must not contain NUL or control characters");
  }
}

OciState parse_oci_state(std::string_view text, PidRule pid_rule) {
  if (text.size() > kMaxStateBytes) {
    throw InputError(fmt::format("state: input exceeds {} bytes", kMaxStateBytes));
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw InputError("state: empty input, expected the OCI state JSON object on stdin");
  }
  auto doc = parse_strict_json(text, "state", {.max_bytes = kMaxStateBytes, .max_depth = 32});
  if (!doc.is_object()) throw InputError("state: expected a JSON object");

  OciState state;
  auto id = doc.find("id");
  if (id == doc.end()) throw InputError("id: missing");
  if (!id->is_string()) throw InputError("id: expected a string");
  state.id = id->get<std::string>();
  validate_container_id(state.id);

  auto pid = doc.find("pid");
  if (pid == doc.end() || pid->is_null()) {
    if (pid_rule == PidRule::kRequired) throw InputError("pid: missing");
  } else {
    if (!pid->is_number_integer()) throw InputError("pid: expected an integer");
    // Compare as signed 64-bit first so huge unsigned values cannot wrap into range.
    if (pid->is_number_unsigned() &&
        pid->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<pid_t>::max())) {
      throw InputError("pid: out of range");
    }
    std::int64_t value = pid->get<std::int64_t>();
    if (value < 0) throw InputError("pid: must not be negative");
    if (value > std::numeric_limits<pid_t>::max()) throw InputError("pid: out of range");
    if (value == 0 && pid_rule == PidRule::kRequired) throw InputError("pid: must be > 0");
    state.pid = static_cast<pid_t>(value);
  }

  if (auto bundle = doc.find("bundle"); bundle != doc.end() && !bundle->is_null()) {
    if (!bundle->is_string()) throw InputError("bundle: expected a string");
    state.bundle = bundle->get<std::string>();
  }
  if (auto status = doc.find("status"); status != doc.end() && !status->is_null()) {
    if (!status->is_string()) throw InputError("status: expected a string");
    state.status = status->get<std::string>();
  }
  if (auto ann = doc.find("annotations"); ann != doc.end() && !ann->is_null()) {
    if (!ann->is_object()) throw InputError("annotations: expected an object");
    for (const auto& [key, value] : ann->items()) {
      if (!value.is_string()) {
        throw InputError(fmt::format("annotations.{}: expected a string", key));
      }
      state.annotations.emplace(key, value.get<std::string>());
    }
  }
  return state;
}

}  // namespace ocinetns
