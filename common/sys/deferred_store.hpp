// The store of deferred sysctls, <state_dir>/deferred/<id>.json: the hook writes an entry at
// createRuntime, the shim takes it at `start`, poststop drops what is left (syscalls).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/deferred_sysctls.hpp"

namespace ocinetns {

// The store (syscalls). save: atomically, mode 0600, in <state_dir>/deferred (made 0700).
void save_deferred(const std::string& state_dir, const DeferredSysctls& d);
// Loads and removes the entry for `id`; nullopt if there is none.
std::optional<DeferredSysctls> take_deferred(const std::string& state_dir, const std::string& id);
// Removes the entry for `id` if there is one (poststop: a container that never started).
void drop_deferred(const std::string& state_dir, const std::string& id);
// gc: removes (unless `dry_run`) each entry whose container's init no longer runs (its poststop
// never ran) or that cannot be read, and returns their ids, sorted.
std::vector<std::string> sweep_deferred(const std::string& state_dir, bool dry_run);

// Whether the runtime that runs this hook is `<runtime> create` started by oci-netns-runtime
// (its environment has `active_env`, which the shim sets before it execs the runtime): only
// then will the shim see the container's `start` and can apply deferred writes (syscalls: reads
// the parent's /proc environ and cmdline).
bool runtime_is_shim_create(std::string_view active_env);

}  // namespace ocinetns
