// The model behind `oci-netns-hook list`: one entry per reference (made by the hook or foreign),
// the interfaces inside each namespace joined with the host's links, and its two renderings
// (an aligned table for people, stable JSON for programs). Pure: the caller gathers the data.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/model/netlink_parse.hpp"

namespace ocinetns {

// Where a veth's other end lives, seen from the namespace being listed.
struct PeerView {
  std::string netns;  // "host" (the namespace list runs in), "same", or "other"
  int ifindex = 0;
  std::string name;    // empty if not resolvable (another namespace)
  std::string bridge;  // the peer's master device (IFLA_MASTER), empty if none
};

struct InterfaceView {
  std::string name;
  int ifindex = 0;
  std::string kind;  // IFLA_INFO_KIND, empty for devices without one (lo)
  bool up = false;
  std::vector<std::string> addresses;  // "10.0.0.2/24", "fe80::1/64", in kernel order
  std::optional<PeerView> peer;        // veth only
};

enum class EntryOwner { kHook, kForeign };

struct ListEntry {
  std::string name;
  std::string path;  // netns_dir/name
  EntryOwner owner = EntryOwner::kForeign;
  std::string container_id;       // hook entries only
  std::string container_name;     // the engine's name ({name}), hook entries only, may be empty
  pid_t pid = 0;                  // the recorded init, 0 unless it is still alive
  std::uint64_t netns_inode = 0;  // 0 if unknown
  std::string state;              // live, stale, pending, gone, foreign
  std::vector<InterfaceView> interfaces;
  std::string error;  // why the interfaces could not be read, empty if they were
  // Foreign entries: the name of our reference that holds the same namespace, if any.
  std::string same_netns_as;
};

// What the host side looks like, for resolving veth peers.
struct HostLinks {
  std::vector<NetLink> links;
  // The id the listed namespace has for the host netns (RTM_GETNSID there), compared with a
  // veth's IFLA_LINK_NETNSID. nsid_known false: the query failed, match by index + back-link.
  std::optional<int> nsid;
  bool nsid_known = false;
};

// Joins a namespace's links and addresses, and resolves each veth peer against `host`.
std::vector<InterfaceView> describe_interfaces(const std::vector<NetLink>& links,
                                               const std::vector<NetAddress>& addresses,
                                               const HostLinks& host);

// Sets same_netns_as on each foreign entry whose namespace one of our references (not gone)
// also holds: an engine's own pin, e.g. containerd's cni-<uuid> or Podman's netns-<uuid>.
void mark_same_netns(std::vector<ListEntry>& entries);

// Aligned text table, one line per interface (an entry without interfaces gets one line).
std::string render_table(const std::vector<ListEntry>& entries);

// The stable JSON document (schema in README, "Operations: list and gc"); version 1.
nlohmann::ordered_json list_to_json(const std::vector<ListEntry>& entries);

}  // namespace ocinetns
