// libFuzzer target: the runtime shim's argv parser (common/model/shim_argv.hpp). The input is the
// command line after argv[0], one argument per line. It must never throw or crash, and a
// command line that rewrites config.json always names a non-empty bundle for create or run.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/model/shim_argv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> args;
  while (!input.empty()) {
    auto nl = input.find('\n');
    args.push_back(input.substr(0, nl));
    input = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  }
  ocinetns::ShimArgs parsed = ocinetns::parse_shim_argv(args);
  if (parsed.rewrites_config()) {
    if (parsed.subcommand != "create" && parsed.subcommand != "run") std::abort();
    if (parsed.bundle->empty()) std::abort();
  }
  return 0;
}
