// Test support: collects the problems of a ConfigError for config unit tests.
#include "tests/support/config_problems.hpp"

#include "config/config.hpp"

namespace ocinetns::test {

std::vector<std::string> config_problems(const std::string& text) {
  try {
    parse_config(text, "cfg");
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace ocinetns::test
