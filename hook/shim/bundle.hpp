// The bundle's config.json on disk: read it, rewrite it with common/model/shim_rewrite.hpp, and
// replace it atomically.
#pragma once

#include <string>
#include <vector>

#include "common/model/hooks_d.hpp"

namespace ocinetns {

// The I/O around it: reads `<bundle>/config.json` (an error if unreadable), rewrites it
// atomically with the same mode when hooks were added. Returns true if the file changed.
bool rewrite_bundle(const std::string& bundle, const std::vector<HookDefinition>& hooks,
                    std::vector<std::string>& warnings);

}  // namespace ocinetns
