// Test support: finding an entry in a JSON array of objects.
#include "tests/support/json_lookup.hpp"

namespace ocinetns::test {

const nlohmann::json* find_by(const nlohmann::json& array, const std::string& key,
                              const std::string& value) {
  for (const auto& e : array) {
    if (e.at(key) == value) return &e;
  }
  return nullptr;
}

}  // namespace ocinetns::test
