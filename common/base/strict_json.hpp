// Strict JSON parsing for untrusted input: size and depth limits, duplicate keys refused.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace ocinetns {

struct JsonLimits {
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_depth = 64;
};

// Parses `text` as JSON. Throws InputError("<what>: <reason>") for invalid JSON, invalid UTF-8,
// duplicate object keys, nesting deeper than the limit, or input larger than the limit.
nlohmann::json parse_strict_json(std::string_view text, std::string_view what,
                                 const JsonLimits& limits = {});

// Same, but keeps object key order (used where we rewrite someone else's file).
nlohmann::ordered_json parse_strict_ordered_json(std::string_view text, std::string_view what,
                                                 const JsonLimits& limits = {});

}  // namespace ocinetns
