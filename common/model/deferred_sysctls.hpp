// Per-interface sysctls that could not be written at createRuntime because the interface did not
// exist yet (Docker 26.0 and 28+ attach eth0 after `runc create`, before `runc start`): the model
// and its JSON form (pure logic). The store is common/deferred_store.hpp.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/ns_id.hpp"
#include "common/model/sysctl_plan.hpp"

namespace ocinetns {

inline constexpr std::size_t kMaxDeferredBytes = 256 * 1024;

struct DeferredSysctls {
  std::string id;
  pid_t pid = 0;  // the container's init, as createRuntime saw it
  std::uint64_t pid_start_time = 0;
  NsId netns;  // its network namespace: the shim writes only if the init is still in it
  std::vector<SysctlWrite> writes;
};

std::string deferred_to_json(const DeferredSysctls& d);
// Keys are normalised and values validated again, as the config's are. Throws InputError.
DeferredSysctls deferred_from_json(std::string_view text, std::string_view what);

// True for a failed write of `key` that can wait for its interface: a per-interface key
// (sysctl_interface) whose /proc/sys file was absent (`err` ENOENT).
bool deferrable(const SysctlKey& key, int err);

}  // namespace ocinetns
