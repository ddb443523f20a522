// config.json rewrite for the shim. nlohmann::ordered_json keeps key order and stores integers
// as int64/uint64, so engine-written limits such as 9223372036854771712 survive unchanged.
#include "common/model/shim_rewrite.hpp"

#include <fmt/format.h>

#include "common/base/strict_json.hpp"

namespace ocinetns {

std::optional<std::string> rewrite_bundle_config(std::string_view config_text,
                                                 const std::vector<HookDefinition>& hooks,
                                                 std::vector<std::string>& warnings) {
  auto spec = parse_strict_ordered_json(config_text, "config.json",
                                        {.max_bytes = kMaxBundleConfigBytes, .max_depth = 64});
  if (!inject_hooks(spec, hooks, warnings)) return std::nullopt;
  return spec.dump();
}

}  // namespace ocinetns
