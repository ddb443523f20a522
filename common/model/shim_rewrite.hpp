// The shim's config.json rewrite: add matching hooks.d hooks and change nothing else (pure;
// hook/shim/bundle.hpp reads and writes the file).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/hooks_d.hpp"

namespace ocinetns {

// Bundle config.json files are produced by engines (Docker's are ~10-30 KiB); be generous.
inline constexpr std::size_t kMaxBundleConfigBytes = 16 * 1024 * 1024;

// Parses `config_text` keeping key order and 64-bit integers exactly, injects the matching
// hooks, and returns the new document, or nullopt when nothing had to be added (the caller then
// leaves the file alone). Throws InputError if config.json is not valid JSON or has a malformed
// `hooks`. Per-hook problems go to `warnings`.
std::optional<std::string> rewrite_bundle_config(std::string_view config_text,
                                                 const std::vector<HookDefinition>& hooks,
                                                 std::vector<std::string>& warnings);

}  // namespace ocinetns
