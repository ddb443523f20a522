// Unit tests for deferred per-interface sysctls (common/deferred_sysctls.hpp) and the shim's
// reading of `start ID` (common/shim_argv.hpp).
#include "common/model/deferred_sysctls.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/base/errors.hpp"
#include "common/model/shim_argv.hpp"
#include "common/model/sysctl_key.hpp"

namespace ocinetns {
namespace {

SysctlWrite write_of(const std::string& key, const std::string& value, SysctlSource source) {
  return SysctlWrite{normalize_sysctl_key(key), value, source};
}

TEST(DeferredSysctls, JsonRoundTripKeepsKeysValuesAndSources) {
  DeferredSysctls d{"ctr1", 4242, 99, NsId{4, 4026532001}, {}};
  d.writes.push_back(write_of("net.ipv4.conf.eth0.arp_ignore", "2", SysctlSource::kConfig));
  d.writes.push_back(write_of("net/ipv4/conf/eth0.100/forwarding", "1", SysctlSource::kAnnotation));
  DeferredSysctls back = deferred_from_json(deferred_to_json(d), "test");
  EXPECT_EQ(back.id, "ctr1");
  EXPECT_EQ(back.pid, 4242);
  EXPECT_EQ(back.pid_start_time, 99u);
  EXPECT_EQ(back.netns, d.netns);
  ASSERT_EQ(back.writes.size(), 2u);
  EXPECT_EQ(back.writes[0].key.path, "net/ipv4/conf/eth0/arp_ignore");
  EXPECT_EQ(back.writes[1].key.path, "net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(back.writes[1].value, "1");
  EXPECT_EQ(back.writes[1].source, SysctlSource::kAnnotation);
}

TEST(DeferredSysctls, BadEntriesAreInputErrors) {
  EXPECT_THROW(deferred_from_json("nope", "t"), InputError);
  EXPECT_THROW(deferred_from_json(R"({"version":2})", "t"), InputError);
  std::string base =
      R"({"version":1,"id":"c","pid":1,"pid_start_time":1,"netns":{"dev":1,"ino":2},)";
  EXPECT_THROW(
      deferred_from_json(
          base + R"("writes":[{"key":"kernel.hostname","value":"x","source":"config"}]})", "t"),
      InputError);  // not a namespaced key
  EXPECT_THROW(
      deferred_from_json(
          base +
              R"("writes":[{"key":"net.ipv4.conf.eth0.arp_ignore","value":"","source":"config"}]})",
          "t"),
      InputError);  // empty value
  EXPECT_THROW(
      deferred_from_json(
          R"({"version":1,"id":"../x","pid":1,"pid_start_time":1,"netns":{"dev":1,"ino":2},"writes":[]})",
          "t"),
      InputError);
}

TEST(DeferredSysctls, OnlyAMissingInterfaceKeyIsDeferrable) {
  EXPECT_TRUE(deferrable(normalize_sysctl_key("net.ipv4.conf.eth0.arp_ignore"), ENOENT));
  EXPECT_FALSE(deferrable(normalize_sysctl_key("net.ipv4.conf.eth0.arp_ignore"), EACCES));
  // Not per-interface, or on an interface every namespace has: it will not appear later.
  EXPECT_FALSE(deferrable(normalize_sysctl_key("net.ipv4.tcp_keepalive_time"), ENOENT));
  EXPECT_FALSE(deferrable(normalize_sysctl_key("net.ipv4.conf.all.arp_ignore"), ENOENT));
  EXPECT_FALSE(deferrable(normalize_sysctl_key("net.ipv4.conf.lo.arp_ignore"), ENOENT));
}

TEST(ShimArgv, StartCarriesTheContainerId) {
  EXPECT_EQ(parse_shim_argv({"--root", "/r", "--log", "/l", "start", "abc"}).container_id, "abc");
  EXPECT_EQ(parse_shim_argv({"start", "abc"}).subcommand, "start");
  EXPECT_EQ(parse_shim_argv({"start"}).container_id, "");
  EXPECT_EQ(parse_shim_argv({"kill", "abc", "KILL"}).container_id, "");
  EXPECT_FALSE(parse_shim_argv({"start", "abc"}).rewrites_config());
}

}  // namespace
}  // namespace ocinetns
