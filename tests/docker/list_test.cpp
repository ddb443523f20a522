// `oci-netns-hook list --json` against a real Docker container (private dockerd, runtime shim):
// eth0 carries the address `docker inspect` reports, its host-side peer is the veth that
// `ip -o link` finds through eth0's peer ifindex, and that veth's bridge is docker0.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"
#include "tests/support/json_lookup.hpp"

namespace ocinetns::test {
namespace {

// From `ip -o link` lines "<ifindex>: <name>[@<peer>]: <...> ... master <bridge> ...", the line
// of `ifindex` split into name, peer ("if8" or a name) and master.
struct IpLink {
  std::string name, peer, master;
};
IpLink ip_link_with_index(const std::string& ip_o_link, int ifindex) {
  std::istringstream lines(ip_o_link);
  std::string prefix = std::to_string(ifindex) + ": ";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    IpLink out;
    std::string rest = line.substr(prefix.size());
    std::string name = rest.substr(0, rest.find(':'));
    auto at = name.find('@');
    out.name = name.substr(0, at);
    if (at != std::string::npos) out.peer = name.substr(at + 1);
    if (auto m = line.find(" master "); m != std::string::npos) {
      std::string tail = line.substr(m + 8);
      out.master = tail.substr(0, tail.find(' '));
    }
    return out;
  }
  return {};
}

TEST(DockerList, Eth0AddressHostVethAndBridgeDocker0) {
  OCI_NETNS_REQUIRE(docker_unavailable_reason());
  DockerDaemon& docker = DockerDaemon::shared();
  std::string name = unique_name("oci-netns-docker-list");
  ScopeGuard cleanup([&] { docker.docker({"rm", "-f", name}); });
  auto started = docker.docker(
      {"run", "-d", "--runtime", "oci-netns", "--name", name, kBusyboxImage, "sleep", "3600"});
  ASSERT_TRUE(started.ok()) << started.err << docker.hooks().log();
  std::string id = trim(started.out);
  std::string pid = docker.inspect(id, "{{.State.Pid}}");
  ASSERT_FALSE(pid.empty());
  std::string address = docker.inspect(id,
                                       "{{.NetworkSettings.IPAddress}}/"
                                       "{{.NetworkSettings.IPPrefixLen}}");
  ASSERT_GT(address.size(), 2u);

  // What an operator does by hand: eth0@ifN inside, then N on the host side.
  auto inside = run({"nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "-o", "link"});
  ASSERT_TRUE(inside.ok()) << inside.err;
  auto host = docker.in_daemon_netns({"ip", "-o", "link"});
  ASSERT_TRUE(host.ok()) << host.err;

  auto listed = docker.in_daemon_netns({hook_binary(), "list", "--json"},
                                       {"OCI_NETNS_HOOK_CONFIG=" + docker.hooks().config_path()});
  ASSERT_TRUE(listed.ok()) << listed.err;
  auto doc = nlohmann::json::parse(listed.out);
  const nlohmann::json* entry = find_by(doc.at("entries"), "container_id", id);
  ASSERT_NE(entry, nullptr) << listed.out;
  EXPECT_EQ(entry->at("name"), id);
  EXPECT_EQ(entry->at("state"), "live");
  EXPECT_EQ(entry->at("pid"), std::stoi(pid));
  EXPECT_EQ(entry->at("netns_inode"), inode_of("/proc/" + pid + "/ns/net"));
  const nlohmann::json* eth0 = find_by(entry->at("interfaces"), "name", "eth0");
  ASSERT_NE(eth0, nullptr) << entry->dump(2);
  EXPECT_EQ(eth0->at("kind"), "veth");
  const auto& addrs = eth0->at("addresses");
  EXPECT_NE(std::find(addrs.begin(), addrs.end(), address), addrs.end()) << eth0->dump(2);

  ASSERT_TRUE(eth0->at("peer").is_object()) << eth0->dump(2);
  EXPECT_EQ(eth0->at("peer").at("netns"), "host");
  int peer_index = eth0->at("peer").at("ifindex").get<int>();
  IpLink eth0_ip = ip_link_with_index(inside.out, eth0->at("ifindex").get<int>());
  EXPECT_EQ(eth0_ip.name, "eth0");
  EXPECT_EQ(eth0_ip.peer, "if" + std::to_string(peer_index)) << inside.out;
  IpLink host_veth = ip_link_with_index(host.out, peer_index);
  EXPECT_FALSE(host_veth.name.empty()) << host.out;
  EXPECT_EQ(eth0->at("peer").at("name"), host_veth.name);
  EXPECT_EQ(host_veth.master, "docker0") << host.out;
  EXPECT_EQ(eth0->at("peer").at("bridge"), "docker0");
}

}  // namespace
}  // namespace ocinetns::test
