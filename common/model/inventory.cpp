// list model: interface joining and rendering.
#include "common/model/inventory.hpp"

#include <net/if.h>

#include <fmt/format.h>

#include <algorithm>

namespace ocinetns {
namespace {

const NetLink* find_link(const std::vector<NetLink>& links, int index) {
  auto it =
      std::find_if(links.begin(), links.end(), [&](const NetLink& l) { return l.index == index; });
  return it == links.end() ? nullptr : &*it;
}

std::string master_name(const std::vector<NetLink>& links, const NetLink& link) {
  if (link.master == 0) return "";
  const NetLink* master = find_link(links, link.master);
  return master ? master->name : fmt::format("#{}", link.master);
}

// A veth reports its peer's ifindex as IFLA_LINK, in the peer's namespace; IFLA_LINK_NETNSID is
// present only when that namespace differs from the link's own (rtnetlink, veth_get_link_net).
std::optional<PeerView> resolve_peer(const NetLink& link, const std::vector<NetLink>& own,
                                     const HostLinks& host) {
  if (link.kind != "veth" || link.link <= 0) return std::nullopt;
  PeerView peer;
  peer.ifindex = link.link;
  if (!link.link_netnsid) {
    peer.netns = "same";
    if (const NetLink* p = find_link(own, link.link)) {
      peer.name = p->name;
      peer.bridge = master_name(own, *p);
    }
    return peer;
  }
  bool on_host = host.nsid_known ? host.nsid && *host.nsid == *link.link_netnsid : true;
  const NetLink* p = on_host ? find_link(host.links, link.link) : nullptr;
  // Without a known nsid, the host link must be a veth pointing back at us to count.
  if (p && !host.nsid_known && (p->kind != "veth" || p->link != link.index)) p = nullptr;
  if (!p) {
    peer.netns = "other";
    return peer;
  }
  peer.netns = "host";
  peer.name = p->name;
  peer.bridge = master_name(host.links, *p);
  return peer;
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

nlohmann::ordered_json null_if_empty(const std::string& s) {
  return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

}  // namespace

std::vector<InterfaceView> describe_interfaces(const std::vector<NetLink>& links,
                                               const std::vector<NetAddress>& addresses,
                                               const HostLinks& host) {
  std::vector<InterfaceView> out;
  out.reserve(links.size());
  for (const NetLink& link : links) {
    InterfaceView view;
    view.name = link.name;
    view.ifindex = link.index;
    view.kind = link.kind;
    view.up = (link.flags & IFF_UP) != 0;
    for (const NetAddress& a : addresses) {
      if (a.index == link.index) view.addresses.push_back(a.cidr());
    }
    view.peer = resolve_peer(link, links, host);
    out.push_back(std::move(view));
  }
  return out;
}

void mark_same_netns(std::vector<ListEntry>& entries) {
  for (ListEntry& foreign : entries) {
    if (foreign.owner != EntryOwner::kForeign || foreign.netns_inode == 0) continue;
    auto ours = std::find_if(entries.begin(), entries.end(), [&](const ListEntry& e) {
      return e.owner == EntryOwner::kHook && e.state != "gone" &&
             e.netns_inode == foreign.netns_inode;
    });
    if (ours != entries.end()) foreign.same_netns_as = ours->name;
  }
}

std::string render_table(const std::vector<ListEntry>& entries) {
  using Row = std::vector<std::string>;
  std::vector<Row> rows;
  rows.push_back({"NAME", "CONTAINER", "CONTAINER NAME", "PID", "NETNS", "STATE", "INTERFACE",
                  "ADDRESSES", "HOST PEER", "BRIDGE"});
  for (const ListEntry& e : entries) {
    Row head = {e.name,
                e.owner == EntryOwner::kHook ? or_dash(e.container_id.substr(0, 12)) : "-",
                or_dash(e.container_name),
                e.pid > 0 ? std::to_string(e.pid) : "-",
                e.netns_inode > 0 ? std::to_string(e.netns_inode) : "-",
                e.same_netns_as.empty() ? e.state : e.state + ", same as " + e.same_netns_as};
    if (e.interfaces.empty()) {
      head.insert(head.end(), {e.error.empty() ? "-" : "?", "-", "-", "-"});
      rows.push_back(std::move(head));
      continue;
    }
    bool first = true;
    for (const InterfaceView& i : e.interfaces) {
      Row row = first ? head : Row(head.size(), "");
      first = false;
      std::string peer = "-";
      std::string bridge = "-";
      if (i.peer) {
        peer = !i.peer->name.empty() ? i.peer->name : fmt::format("#{}", i.peer->ifindex);
        if (i.peer->netns != "host") peer += fmt::format(" ({} netns)", i.peer->netns);
        bridge = or_dash(i.peer->bridge);
      }
      row.insert(row.end(),
                 {i.name, i.addresses.empty() ? "-" : join(i.addresses, ","), peer, bridge});
      rows.push_back(std::move(row));
    }
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const Row& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const Row& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::ordered_json list_to_json(const std::vector<ListEntry>& entries) {
  nlohmann::ordered_json doc;
  doc["version"] = 1;
  doc["entries"] = nlohmann::ordered_json::array();
  for (const ListEntry& e : entries) {
    nlohmann::ordered_json j;
    j["name"] = e.name;
    j["path"] = e.path;
    j["owner"] = e.owner == EntryOwner::kHook ? "hook" : "foreign";
    j["container_id"] = null_if_empty(e.container_id);
    j["container_name"] = null_if_empty(e.container_name);
    j["pid"] = e.pid > 0 ? nlohmann::ordered_json(e.pid) : nlohmann::ordered_json(nullptr);
    j["netns_inode"] =
        e.netns_inode > 0 ? nlohmann::ordered_json(e.netns_inode) : nlohmann::ordered_json(nullptr);
    j["state"] = e.state;
    j["interfaces"] = nlohmann::ordered_json::array();
    for (const InterfaceView& i : e.interfaces) {
      nlohmann::ordered_json ij;
      ij["name"] = i.name;
      ij["ifindex"] = i.ifindex;
      ij["kind"] = null_if_empty(i.kind);
      ij["up"] = i.up;
      ij["addresses"] = i.addresses;
      if (i.peer) {
        ij["peer"] = {{"netns", i.peer->netns},
                      {"ifindex", i.peer->ifindex},
                      {"name", null_if_empty(i.peer->name)},
                      {"bridge", null_if_empty(i.peer->bridge)}};
      } else {
        ij["peer"] = nullptr;
      }
      j["interfaces"].push_back(std::move(ij));
    }
    j["error"] = null_if_empty(e.error);
    j["same_netns_as"] = null_if_empty(e.same_netns_as);
    doc["entries"].push_back(std::move(j));
  }
  return doc;
}

}  // namespace ocinetns
