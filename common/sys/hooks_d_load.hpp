// Reading hooks.d directories from disk into the definitions common/model/hooks_d.hpp parses,
// layers and matches.
#pragma once

#include <string>
#include <vector>

#include "common/model/hooks_d.hpp"

namespace ocinetns {

// Reads every hooks.d directory in `dirs` (increasing precedence) and merges them. Missing
// directories are skipped silently; a directory or file not owned by root or writable by group
// or others, and files that do not parse, are skipped with a message in `warnings`.
std::vector<HookDefinition> load_hooks_dirs(const std::vector<std::string>& dirs,
                                            std::vector<std::string>& warnings);

}  // namespace ocinetns
