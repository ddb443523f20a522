// libFuzzer target: the config loader must only ever throw ConfigError on bad documents.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ocinetns::parse_config(text, "fuzz");
  } catch (const ocinetns::ConfigError&) {
  }
  return 0;
}
