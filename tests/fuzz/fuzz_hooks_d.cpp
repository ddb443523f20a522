// libFuzzer target: the hooks.d 1.0.0 parser and matcher (common/model/hooks_d.hpp). The input is a
// hook file, optionally followed by a line "====" and a bundle config.json (else a fixed spec
// with annotations, a bind mount and process.args). Bad input may only ever throw InputError;
// an accepted hook injects at most once (a second injection changes nothing).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"
#include "common/model/hooks_d.hpp"

namespace {

constexpr std::string_view kSeparator = "\n====\n";

const char* const kDefaultSpec = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["/usr/sbin/nginx", "-g", "daemon off;"]},
  "mounts": [{"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}],
  "annotations": {"io.kubernetes.cri.container-type": "container", "netns.sysctl/net.ipv4.ip_forward": "1",
                  "org.example.register-netns": "true"},
  "hooks": {"poststop": [{"path": "/bin/true"}]}
})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view file = input;
  std::string_view spec_text = kDefaultSpec;
  if (auto at = input.find(kSeparator); at != std::string_view::npos) {
    file = input.substr(0, at);
    spec_text = input.substr(at + kSeparator.size());
  }
  using namespace ocinetns;
  HookDefinition def;
  try {
    def = parse_hook_definition(file, "fuzz.json");
  } catch (const InputError&) {
    return 0;
  }
  nlohmann::ordered_json spec;
  try {
    spec = parse_strict_ordered_json(spec_text, "config.json",
                                     {.max_bytes = 1 << 20, .max_depth = 64});
  } catch (const InputError&) {
    return 0;
  }
  try {
    (void)spec_has_bind_mounts(spec);
    (void)hook_matches(def, spec);
  } catch (const InputError&) {
  }
  try {
    std::vector<std::string> warnings;
    std::vector<HookDefinition> defs = merge_hook_layers({{def}, {def}});
    if (defs.size() != 1) std::abort();  // the same name masks itself
    nlohmann::ordered_json first = spec;
    inject_hooks(first, defs, warnings);
    nlohmann::ordered_json second = first;
    if (inject_hooks(second, defs, warnings) || second != first) std::abort();
  } catch (const InputError&) {
  }
  return 0;
}
