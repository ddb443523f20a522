// The collision rule's candidate names and the mapping of engine names (pure logic).
#include "common/model/name_collision.hpp"

#include <limits.h>

#include <algorithm>

#include "common/model/naming.hpp"

namespace ocinetns {
namespace {

bool accepted(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string map_chars(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!accepted(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

}  // namespace

std::vector<std::string> name_candidates(std::string_view name, std::string_view id) {
  std::vector<std::string> out;
  out.emplace_back(name);
  std::string safe_id = map_chars(id);
  std::vector<std::size_t> lengths;
  for (std::size_t n = kShortIdLength; n < safe_id.size(); n += kFallbackIdStep) {
    lengths.push_back(n);
  }
  lengths.push_back(safe_id.size());
  for (std::size_t n : lengths) {
    std::string suffix = "-" + safe_id.substr(0, n);
    if (suffix.size() >= NAME_MAX) suffix.resize(NAME_MAX - 1);  // ids are at most 200 bytes
    std::string base(name.substr(0, NAME_MAX - suffix.size()));
    std::string candidate = base + suffix;
    if (std::find(out.begin(), out.end(), candidate) == out.end()) {
      out.push_back(std::move(candidate));
    }
  }
  return out;
}

std::string map_engine_name(std::string_view name) {
  std::string out = map_chars(name.substr(0, kMaxEngineNameLength));
  if (!out.empty() && (out.front() == '.' || out.front() == '-')) out.front() = '_';
  return out;
}

}  // namespace ocinetns
