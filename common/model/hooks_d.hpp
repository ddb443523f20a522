// The containers hooks.d format (oci-hooks(5), schema 1.0.0): parsing hook files, layering
// directories, matching `when` against a container's config.json, and injecting the hooks (pure;
// common/sys/hooks_d_load.hpp reads the directories).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace ocinetns {

// A regular expression from a hook file in RE2 syntax (Go's regexp, as containers/common uses),
// with its source text for messages. Shared so that definitions stay cheap to copy.
struct HookPattern {
  std::string text;
  std::shared_ptr<const re2::RE2> re;
};

// The `when` object. Unset members are conditions that were not given.
struct HookWhen {
  std::optional<bool> always;
  std::vector<std::pair<HookPattern, HookPattern>> annotations;  // key regex -> value regex
  std::vector<HookPattern> commands;                             // any matches process.args[0]
  std::optional<bool> has_bind_mounts;
};

// Limits on one compiled pattern. RE2's max_mem (its own default, named here) bounds the
// program and the DFA caches that matching fills; a DFA that runs out of cache falls back to
// RE2's NFA, linear in the input but with a factor of the program's size, so the program is
// capped too (half of Code Search's 10,000, which RE2's documentation sizes its budget for;
// Unicode classes such as \pL take about 1,200). A 256 KiB value then takes well under a
// millisecond against ordinary patterns, and against one built to defeat the DFA (a[ab]{999}c:
// every byte a new state) about 1.5 s per 1,000 instructions here.
inline constexpr std::int64_t kMaxHookPatternMemory = 8 << 20;
inline constexpr int kMaxHookPatternInstructions = 5000;

// A hooks.d file larger than this is refused (they are a few hundred bytes).
inline constexpr std::size_t kMaxHookFileBytes = 64 * 1024;

struct HookDefinition {
  std::string name;             // the file name: the masking and ordering key
  nlohmann::ordered_json hook;  // the runtime-spec hook entry: path, args, env, timeout
  HookWhen when;
  std::vector<std::string> stages;
};

// Parses one hooks.d file. Throws InputError("<name>: <field>: <reason>") for anything the
// 1.0.0 schema does not allow (wrong version, missing hook.path, a pattern RE2 rejects or that
// exceeds the limits below, unknown stage, no condition in `when`). Unknown keys are
// ignored, as containers/common does.
HookDefinition parse_hook_definition(std::string_view text, std::string_view name);

// Only *.json files in a hooks.d directory are hook files.
bool is_hook_file_name(std::string_view name);

// Layers directories given in increasing precedence: a hook in a later layer masks one with the
// same file name in an earlier layer. The result is ordered by file name compared
// case-insensitively (oci-hooks(5)), ties broken by the exact name.
std::vector<HookDefinition> merge_hook_layers(std::vector<std::vector<HookDefinition>> layers);

// Whether the spec bind-mounts something from the host (a mount of type "bind" or with the
// "bind"/"rbind" option).
bool spec_has_bind_mounts(const nlohmann::ordered_json& spec);

// Whether every condition in `when` holds for `spec` (containers/common semantics: patterns
// match anywhere in the string unless anchored with ^ and $; `always: false` and
// `hasBindMounts: false` never match). Throws InputError if `commands` is set and the spec's
// process.args is empty.
bool hook_matches(const HookDefinition& def, const nlohmann::ordered_json& spec);

// Appends each matching hook to spec.hooks.<stage> for each of its stages, unless an identical
// hook is already there. Returns true if the spec changed. Problems with single hooks are
// appended to `warnings`; a spec whose `hooks` has the wrong shape throws InputError.
bool inject_hooks(nlohmann::ordered_json& spec, const std::vector<HookDefinition>& defs,
                  std::vector<std::string>& warnings);

}  // namespace ocinetns
