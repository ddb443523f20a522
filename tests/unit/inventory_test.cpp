// Unit tests for the list model: joining links with host peers, the table and the JSON schema.
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/socket.h>

#include "common/model/inventory.hpp"

namespace ocinetns {
namespace {

NetLink link(int index, const std::string& name, const std::string& kind, int peer = 0,
             std::optional<int> netnsid = std::nullopt, int master = 0) {
  NetLink l;
  l.index = index;
  l.name = name;
  l.kind = kind;
  l.flags = IFF_UP;
  l.link = peer;
  l.link_netnsid = netnsid;
  l.master = master;
  return l;
}

NetAddress addr(int index, const std::string& a, int prefix, int family = AF_INET) {
  return NetAddress{index, family, prefix, a};
}

HostLinks docker_host() {
  HostLinks host;
  host.links = {link(1, "lo", ""), link(3, "docker0", "bridge"),
                link(8, "veth1a2b3c", "veth", 7, 2, 3)};
  host.nsid = 0;
  host.nsid_known = true;
  return host;
}

TEST(ListModel, ContainerVethResolvesToHostPeerAndBridge) {
  auto views = describe_interfaces({link(1, "lo", ""), link(7, "eth0", "veth", 8, 0)},
                                   {addr(1, "127.0.0.1", 8), addr(7, "172.17.0.2", 16),
                                    addr(7, "fe80::42:acff:fe11:2", 64, AF_INET6)},
                                   docker_host());
  ASSERT_EQ(views.size(), 2u);
  EXPECT_FALSE(views[0].peer.has_value());
  EXPECT_EQ(views[0].addresses, std::vector<std::string>{"127.0.0.1/8"});
  ASSERT_TRUE(views[1].peer.has_value());
  EXPECT_EQ(views[1].peer->netns, "host");
  EXPECT_EQ(views[1].peer->name, "veth1a2b3c");
  EXPECT_EQ(views[1].peer->bridge, "docker0");
  EXPECT_EQ(views[1].addresses,
            (std::vector<std::string>{"172.17.0.2/16", "fe80::42:acff:fe11:2/64"}));
}

TEST(ListModel, PeerInAnotherNamespaceIsNotMatchedToAHostLinkWithTheSameIndex) {
  // nsid 5 is not the host (0): host ifindex 8 is a different device that happens to match.
  auto views = describe_interfaces({link(7, "eth0", "veth", 8, 5)}, {}, docker_host());
  ASSERT_TRUE(views[0].peer.has_value());
  EXPECT_EQ(views[0].peer->netns, "other");
  EXPECT_EQ(views[0].peer->name, "");
  EXPECT_EQ(views[0].peer->ifindex, 8);
}

TEST(ListModel, HostNsidUnknownFallsBackToBackLinkCheck) {
  HostLinks host = docker_host();
  host.nsid_known = false;
  host.nsid.reset();
  auto ok = describe_interfaces({link(7, "eth0", "veth", 8, 0)}, {}, host);
  EXPECT_EQ(ok[0].peer->netns, "host");
  EXPECT_EQ(ok[0].peer->name, "veth1a2b3c");
  // Host link 8 points back at ifindex 7, not 9: not our peer.
  auto wrong = describe_interfaces({link(9, "eth1", "veth", 8, 0)}, {}, host);
  EXPECT_EQ(wrong[0].peer->netns, "other");
}

TEST(ListModel, VethPairInsideOneNamespace) {
  auto views = describe_interfaces(
      {link(4, "br9", "bridge"), link(5, "a", "veth", 6, std::nullopt, 4), link(6, "b", "veth", 5)},
      {}, docker_host());
  ASSERT_TRUE(views[2].peer.has_value());
  EXPECT_EQ(views[2].peer->netns, "same");
  EXPECT_EQ(views[2].peer->name, "a");
  EXPECT_EQ(views[2].peer->bridge, "br9");
  EXPECT_FALSE(views[0].peer.has_value());  // a bridge has no peer
}

TEST(ListModel, DownInterfaceAndUnknownMaster) {
  NetLink down = link(7, "eth0", "veth", 8, 0);
  down.flags = 0;
  HostLinks host = docker_host();
  host.links[2].master = 99;  // master not in the dump (raced away)
  auto views = describe_interfaces({down}, {}, host);
  EXPECT_FALSE(views[0].up);
  EXPECT_EQ(views[0].peer->bridge, "#99");
}

std::vector<ListEntry> sample() {
  ListEntry live;
  live.name = "web";
  live.path = "/run/netns/web";
  live.owner = EntryOwner::kHook;
  live.container_id = "0123456789abcdef0123";
  live.container_name = "web";
  live.pid = 4242;
  live.netns_inode = 4026532301;
  live.state = "live";
  live.interfaces = describe_interfaces(
      {link(1, "lo", ""), link(7, "eth0", "veth", 8, 0)},
      {addr(1, "127.0.0.1", 8), addr(7, "172.17.0.2", 16), addr(7, "10.1.0.2", 24)}, docker_host());
  ListEntry foreign;
  foreign.name = "blue";
  foreign.path = "/run/netns/blue";
  foreign.owner = EntryOwner::kForeign;
  foreign.netns_inode = 4026532999;
  foreign.state = "foreign";
  foreign.interfaces = describe_interfaces({link(1, "lo", "")}, {}, docker_host());
  foreign.interfaces[0].up = false;
  ListEntry gone;
  gone.name = "old";
  gone.path = "/run/netns/old";
  gone.owner = EntryOwner::kHook;
  gone.container_id = "old";
  gone.netns_inode = 4026532000;
  gone.state = "gone";
  return {live, foreign, gone};
}

TEST(ListRender, TableIsAlignedWithOneLinePerInterface) {
  // Columns are two spaces apart, padded to the widest cell; trailing blanks are trimmed.
  std::string expected =
      R"(NAME  CONTAINER     CONTAINER NAME  PID   NETNS       STATE    INTERFACE  ADDRESSES                  HOST PEER   BRIDGE
web   0123456789ab  web             4242  4026532301  live     lo         127.0.0.1/8                -           -
                                                               eth0       172.17.0.2/16,10.1.0.2/24  veth1a2b3c  docker0
blue  -             -               -     4026532999  foreign  lo         -                          -           -
old   old           -               -     4026532000  gone     -          -                          -           -
)";
  EXPECT_EQ(render_table(sample()), expected);
}

TEST(ListRender, EmptyListIsJustTheHeader) {
  EXPECT_EQ(render_table({}),
            "NAME  CONTAINER  CONTAINER NAME  PID  NETNS  STATE  INTERFACE  ADDRESSES  HOST PEER  "
            "BRIDGE\n");
}

TEST(ListRender, PeerOutsideTheHostIsLabelled) {
  ListEntry e;
  e.name = "x";
  e.state = "live";
  e.owner = EntryOwner::kHook;
  e.container_id = "x";
  e.interfaces = describe_interfaces({link(7, "eth0", "veth", 8, 5)}, {}, docker_host());
  std::string table = render_table({e});
  EXPECT_NE(table.find("#8 (other netns)"), std::string::npos) << table;
}

TEST(ListRender, UnreadableInterfacesShowAQuestionMark) {
  ListEntry e;
  e.name = "x";
  e.state = "foreign";
  e.error = "open netlink socket in netns /run/netns/x: Operation not permitted";
  std::string table = render_table({e});
  EXPECT_NE(table.find("foreign  ?"), std::string::npos) << table;
}

// An engine's own pin of a namespace we also hold (containerd's cni-<uuid>) says whose it is; a
// gone reference with the same inode, or another foreign entry, does not count.
TEST(ListModel, ForeignPinOfOurNamespaceNamesOurReference) {
  auto entries = sample();
  ListEntry pin = entries[1];
  pin.name = "cni-3fc0aaf8";
  pin.path = "/run/netns/cni-3fc0aaf8";
  pin.netns_inode = entries[0].netns_inode;
  ListEntry stale_pin = entries[1];
  stale_pin.name = "cni-old";
  stale_pin.netns_inode = entries[2].netns_inode;  // only the gone entry "old" has it
  entries.push_back(pin);
  entries.push_back(stale_pin);
  mark_same_netns(entries);
  EXPECT_EQ(entries[3].same_netns_as, "web");
  EXPECT_EQ(entries[1].same_netns_as, "");  // blue: nobody else holds its namespace
  EXPECT_EQ(entries[4].same_netns_as, "");
  EXPECT_EQ(entries[0].same_netns_as, "");  // ours are never marked
  std::string table = render_table(entries);
  EXPECT_NE(table.find("foreign, same as web  lo"), std::string::npos) << table;
  EXPECT_EQ(list_to_json(entries)["entries"][3]["same_netns_as"], "web");
  EXPECT_TRUE(list_to_json(entries)["entries"][4]["same_netns_as"].is_null());
}

TEST(ListJson, SchemaIsStable) {
  auto doc = list_to_json(sample());
  auto expected = nlohmann::ordered_json::parse(R"({
    "version": 1,
    "entries": [
      {"name": "web", "path": "/run/netns/web", "owner": "hook",
       "container_id": "0123456789abcdef0123", "container_name": "web", "pid": 4242, "netns_inode": 4026532301,
       "state": "live",
       "interfaces": [
         {"name": "lo", "ifindex": 1, "kind": null, "up": true, "addresses": ["127.0.0.1/8"],
          "peer": null},
         {"name": "eth0", "ifindex": 7, "kind": "veth", "up": true,
          "addresses": ["172.17.0.2/16", "10.1.0.2/24"],
          "peer": {"netns": "host", "ifindex": 8, "name": "veth1a2b3c", "bridge": "docker0"}}
       ],
       "error": null, "same_netns_as": null},
      {"name": "blue", "path": "/run/netns/blue", "owner": "foreign", "container_id": null,
       "container_name": null, "pid": null, "netns_inode": 4026532999, "state": "foreign",
       "interfaces": [
         {"name": "lo", "ifindex": 1, "kind": null, "up": false, "addresses": [], "peer": null}
       ],
       "error": null, "same_netns_as": null},
      {"name": "old", "path": "/run/netns/old", "owner": "hook", "container_id": "old",
       "container_name": null, "pid": null, "netns_inode": 4026532000, "state": "gone", "interfaces": [], "error": null,
       "same_netns_as": null}
    ]
  })");
  EXPECT_EQ(doc, expected) << doc.dump(2);
  // Key order is part of the stable format.
  EXPECT_EQ(doc.dump().substr(0, 40), R"({"version":1,"entries":[{"name":"web","p)");
}

}  // namespace
}  // namespace ocinetns
