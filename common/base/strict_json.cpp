// Strict JSON parsing: nlohmann's parser callback enforces depth and key uniqueness while parsing,
// so a hostile document is refused before it is ever materialised in full.
#include "common/base/strict_json.hpp"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

template <typename Json>
Json parse_with_limits(std::string_view text, std::string_view what, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    throw InputError(fmt::format("{}: input exceeds {} bytes", what, limits.max_bytes));
  }
  // One key set per open object; the callback sees events in document order.
  std::vector<std::set<std::string>> open_objects;
  std::string problem;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, Json& parsed) -> bool {
    using Event = nlohmann::json::parse_event_t;
    if (static_cast<std::size_t>(depth) > limits.max_depth && problem.empty()) {
      problem = fmt::format("nesting deeper than {} levels", limits.max_depth);
    }
    if (!problem.empty()) throw InputError(fmt::format("{}: {}", what, problem));
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        break;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Event::key: {
        const auto& key = parsed.template get_ref<const std::string&>();
        if (!open_objects.empty() && !open_objects.back().insert(key).second) {
          throw InputError(fmt::format("{}: duplicate key \"{}\"", what, key));
        }
        break;
      }
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string message = e.what();
    if (auto pos = message.find("] "); pos != std::string::npos) message.erase(0, pos + 2);
    throw InputError(fmt::format("{}: invalid JSON: {}", what, message));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double (1e999) is out_of_range.406, not a parse_error.
    std::string message = e.what();
    if (auto pos = message.find("] "); pos != std::string::npos) message.erase(0, pos + 2);
    throw InputError(fmt::format("{}: invalid JSON: {}", what, message));
  }
}

}  // namespace

nlohmann::json parse_strict_json(std::string_view text, std::string_view what,
                                 const JsonLimits& limits) {
  return parse_with_limits<nlohmann::json>(text, what, limits);
}

nlohmann::ordered_json parse_strict_ordered_json(std::string_view text, std::string_view what,
                                                 const JsonLimits& limits) {
  return parse_with_limits<nlohmann::ordered_json>(text, what, limits);
}

}  // namespace ocinetns
