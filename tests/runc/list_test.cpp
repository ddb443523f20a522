// `oci-netns-hook list` against a real runc container wired like Docker wires one: a veth pair
// with one end inside the container's netns (with an address) and the host end enslaved to a
// bridge. list must find the interface, its address, the host peer and the bridge over netlink,
// and show an `ip netns add` namespace as foreign.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "tests/runc/ops_fixtures.hpp"
#include "tests/support/json_lookup.hpp"

namespace ocinetns::test {
namespace {

int host_ifindex(const std::string& name) {
  // `ip -o link show NAME` starts with "<ifindex>: ".
  auto r = run({"ip", "-o", "link", "show", name});
  return r.ok() ? std::stoi(r.out) : 0;
}

TEST(List, RuncContainerShowsVethAddressHostPeerAndBridgeAndForeignEntry) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg("/run/netns");  // /run/netns for `ip netns add`; private records
  RuncBundle bundle;
  bundle.add_hook({cfg.path()});
  std::string id = ops_name("ocilist");
  RuncContainer c(id, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  int pid = c.pid();
  ASSERT_GT(pid, 0);
  std::string netns = "/proc/" + std::to_string(pid) + "/ns/net";

  std::string tag = std::to_string(getpid() % 100000);
  HostLink bridge("olb" + tag);
  HostLink host_end("olh" + tag);
  std::string inner = "olc" + tag;
  std::string octet = std::to_string(getpid() % 250 + 1);
  std::string address = "10.213." + octet + ".2/24";
  ASSERT_TRUE(run({"ip", "link", "add", bridge.name(), "type", "bridge"}).ok());
  ASSERT_TRUE(
      run({"ip", "link", "add", host_end.name(), "type", "veth", "peer", "name", inner}).ok());
  ASSERT_TRUE(run({"ip", "link", "set", host_end.name(), "master", bridge.name()}).ok());
  ASSERT_TRUE(run({"ip", "link", "set", inner, "netns", std::to_string(pid)}).ok());
  ASSERT_TRUE(run({"nsenter", "--net=" + netns, "ip", "addr", "add", address, "dev", inner}).ok());
  ASSERT_TRUE(run({"nsenter", "--net=" + netns, "ip", "link", "set", inner, "up"}).ok());

  IpNetns foreign(ops_name("ocilist-foreign"));
  ASSERT_TRUE(
      run({"ip", "-n", foreign.name(), "addr", "add", "10.213." + octet + ".9/32", "dev", "lo"})
          .ok());

  auto r = cfg.hook({"list", "--json"});
  ASSERT_TRUE(r.ok()) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc.at("version"), 1);
  const nlohmann::json* ours = find_by(doc.at("entries"), "name", id);
  ASSERT_NE(ours, nullptr) << r.out;
  EXPECT_EQ(ours->at("owner"), "hook");
  EXPECT_EQ(ours->at("container_id"), id);
  EXPECT_EQ(ours->at("pid"), pid);
  EXPECT_EQ(ours->at("state"), "live");
  EXPECT_EQ(ours->at("netns_inode"), inode_of(netns));
  EXPECT_EQ(ours->at("error"), nullptr);
  ASSERT_NE(find_by(ours->at("interfaces"), "name", "lo"), nullptr);
  const nlohmann::json* veth = find_by(ours->at("interfaces"), "name", inner);
  ASSERT_NE(veth, nullptr) << ours->dump(2);
  EXPECT_EQ(veth->at("kind"), "veth");
  EXPECT_EQ(veth->at("up"), true);
  EXPECT_EQ(veth->at("addresses"), nlohmann::json::array({address}));
  ASSERT_TRUE(veth->at("peer").is_object()) << veth->dump(2);
  EXPECT_EQ(veth->at("peer").at("netns"), "host");
  EXPECT_EQ(veth->at("peer").at("name"), host_end.name());
  EXPECT_EQ(veth->at("peer").at("ifindex"), host_ifindex(host_end.name()));
  EXPECT_EQ(veth->at("peer").at("bridge"), bridge.name());

  const nlohmann::json* other = find_by(doc.at("entries"), "name", foreign.name());
  ASSERT_NE(other, nullptr) << r.out;
  EXPECT_EQ(other->at("owner"), "foreign");
  EXPECT_EQ(other->at("state"), "foreign");
  EXPECT_EQ(other->at("container_id"), nullptr);
  EXPECT_EQ(other->at("netns_inode"), inode_of("/run/netns/" + foreign.name()));
  const nlohmann::json* lo = find_by(other->at("interfaces"), "name", "lo");
  ASSERT_NE(lo, nullptr);
  EXPECT_EQ(lo->at("addresses"), nlohmann::json::array({"10.213." + octet + ".9/32"}));

  // The table for people carries the same facts on the container's rows.
  auto table = cfg.hook({"list"});
  ASSERT_TRUE(table.ok()) << table.err;
  EXPECT_NE(table.out.find("NAME"), std::string::npos);
  std::string veth_line;
  std::istringstream lines(table.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(inner) != std::string::npos) veth_line = line;
  }
  EXPECT_NE(veth_line.find(address), std::string::npos) << table.out;
  EXPECT_NE(veth_line.find(host_end.name()), std::string::npos) << table.out;
  EXPECT_NE(veth_line.find(bridge.name()), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(foreign.name()), std::string::npos) << table.out;
}

}  // namespace
}  // namespace ocinetns::test
