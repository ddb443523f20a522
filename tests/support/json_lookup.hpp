// Test support: finding an entry in a JSON array of objects (list --json output).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ocinetns::test {

// The first element of `array` whose `key` equals `value`, or nullptr.
const nlohmann::json* find_by(const nlohmann::json& array, const std::string& key,
                              const std::string& value);

}  // namespace ocinetns::test
