// Sysctl keys and values: normalisation of sysctl(8)'s dotted and slashed forms, the namespaced
// families we accept, and the annotation allowlist (pure logic, no /proc access).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocinetns {

inline constexpr std::size_t kMaxSysctlValueBytes = 4096;
inline constexpr std::size_t kMaxSysctlKeyBytes = 1024;
inline constexpr std::size_t kMaxSysctlComponentBytes = 255;  // NAME_MAX
inline constexpr std::string_view kSysctlAnnotationPrefix = "oci-netns-hook.sysctl/";

// Which namespace a key lives in; it decides which namespace the hook joins before writing.
enum class SysctlNamespace { kNet, kIpc };

struct SysctlKey {
  std::string path;     // relative to /proc/sys, '/'-separated: "net/ipv4/conf/eth0.100/forwarding"
  std::string display;  // the form the user wrote, for messages
  SysctlNamespace ns = SysctlNamespace::kNet;
};

// One key and its value, as the config sets it (value already validated).
struct SysctlSetting {
  SysctlKey key;
  std::string value;
};

// Normalises and validates a key. Dotted keys split on '.'; a key whose first separator is '/'
// splits on '/' and keeps dots inside components (sysctl(8): "net/ipv4/conf/eth0.100/forwarding").
// In the dotted form a '/' inside a component stands for a literal '.', as procps does.
// Accepts only net.* and the IPC-namespaced keys kernel.shm*, kernel.msg*, kernel.sem and
// fs.mqueue.*. Throws InputError("sysctl <key>: <reason>").
SysctlKey normalize_sysctl_key(std::string_view key);

// Value rules: not empty, no newline or NUL, at most kMaxSysctlValueBytes.
// Throws InputError("sysctl <key>: <reason>").
void validate_sysctl_value(std::string_view key, std::string_view value);

// An allowlist entry: an exact key, or a prefix ending in '*'.
struct SysctlPattern {
  std::string path;  // normalised like a key; for a prefix, the part before '*'
  bool prefix = false;
  std::string display;
};

// Throws InputError("annotation_sysctls: ...") for a malformed pattern.
SysctlPattern parse_sysctl_pattern(std::string_view pattern);

bool sysctl_allowed(const std::vector<SysctlPattern>& allowlist, const SysctlKey& key);

std::string_view sysctl_namespace_name(SysctlNamespace ns);

// The interface a per-interface key names: net.<family>.conf.<ifname>.* or
// net.<family>.neigh.<ifname>.*, for an ifname other than all, default and lo (which every
// network namespace has). Empty for any other key. Such a key exists only once the interface
// does, which engines may arrange after createRuntime.
std::string_view sysctl_interface(const SysctlKey& key);

// `key` with its interface replaced by `ifname` (for a key sysctl_interface() names one):
// net.ipv4.conf.eth0.forwarding -> net.ipv4.conf.default.forwarding.
SysctlKey sysctl_for_interface(const SysctlKey& key, std::string_view ifname);

// A key as it may appear in a message: control bytes escaped (\xNN), cut after 256 bytes.
std::string printable_sysctl_key(std::string_view key);

}  // namespace ocinetns
