// Test support: every problem the config loader reports for a config text.
#pragma once

#include <string>
#include <vector>

namespace ocinetns::test {

// The problems parse_config() reports for `text` (named "cfg"), empty if it parses.
std::vector<std::string> config_problems(const std::string& text);

}  // namespace ocinetns::test
