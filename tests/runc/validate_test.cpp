// `oci-netns-hook validate` on sysctl keys: a key that does not exist in a fresh network (or IPC)
// namespace is a problem naming it (exit 2), a per-interface key is a warning (exit 0), and the
// check changes nothing on the host. Needs root (the check makes throwaway namespaces), and drops
// it to show the check is skipped in one line without.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/runc/ops_fixtures.hpp"
#include "tests/support/command.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

std::string host_sysctl(const std::string& path) {
  return read_text("/proc/sys/" + path);
}

class Validate : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      if (in_ci()) FAIL() << "prerequisite missing in CI: needs root";
      GTEST_SKIP() << "needs root";
    }
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);  // readable by nobody too
    for (const char* p : {"net/ipv4/tcp_keepalive_time", "net/ipv4/conf/all/forwarding",
                          "net/core/netdev_max_backlog", "kernel/shmmax"}) {
      host_before_[p] = host_sysctl(p);
    }
    netns_before_ = ip_netns_list();
  }
  void TearDown() override {
    // validate only stats, in namespaces of its own: the host's values and netns list stay.
    for (const auto& [path, value] : host_before_) EXPECT_EQ(host_sysctl(path), value) << path;
    EXPECT_EQ(ip_netns_list(), netns_before_);
  }

  CommandResult validate(const std::string& config_json) {
    std::string path = dir_.file("config.json");
    write_text(path, config_json);
    return run_hook({"validate", "--config", path}, "");
  }
  std::string config_path() const { return dir_.file("config.json"); }

  TempDir dir_{"oci-netns-validate"};
  std::map<std::string, std::string> host_before_;
  std::vector<std::string> netns_before_;
};

TEST_F(Validate, MisspeltKeyIsOneLineNamingItAndExitsTwo) {
  auto r = validate(
      R"({"sysctls":{"net.ipv4.tcp_keepalive_tme":"600","net.ipv4.tcp_keepalive_time":"600"}})");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(line_count(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("sysctls.net.ipv4.tcp_keepalive_tme: does not exist in a fresh network "
                       "namespace"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(": ok"), std::string::npos) << r.out;
}

TEST_F(Validate, KeyOnlyTheHostsNamespaceHasIsAProblem) {
  // net.core.netdev_max_backlog exists in the initial network namespace only: the host's
  // /proc/sys has it, a container's never does, so every start would fail to set it.
  ASSERT_TRUE(path_exists("/proc/sys/net/core/netdev_max_backlog"));
  auto r = validate(R"({"sysctls":{"net.core.netdev_max_backlog":"2000"}})");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("net.core.netdev_max_backlog: does not exist in a fresh network namespace"),
            std::string::npos)
      << r.out;
}

TEST_F(Validate, MisspeltIpcKeyAndAllowlistEntryAreProblems) {
  auto r = validate(
      R"({"sysctls":{"kernel.shmmaxx":"1"},)"
      R"("annotation_sysctls":["net.ipv4.tcp_keepalive_intvl","net/ipv4/tcp_keepalive_prbes",)"
      R"("net.ipv4.tcp_nonexistent_*"]})");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(line_count(r.out), 2) << r.out;
  EXPECT_NE(r.out.find("sysctls.kernel.shmmaxx: does not exist in a fresh IPC namespace"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("annotation_sysctls net/ipv4/tcp_keepalive_prbes: does not exist in a "
                       "fresh network namespace"),
            std::string::npos)
      << r.out;
  // A prefix entry names no particular key and is not checked.
  EXPECT_EQ(r.out.find("tcp_nonexistent"), std::string::npos) << r.out;
}

TEST_F(Validate, ExistingKeysInBothFormsPass) {
  auto r = validate(
      R"({"sysctls":{"net.ipv4.tcp_keepalive_time":"600","net/ipv4/conf/all/forwarding":"1",)"
      R"("net.ipv6.conf.lo.disable_ipv6":"0","net.ipv4.neigh.lo.gc_stale_time":"60",)"
      R"("kernel.shmmax":"68719476736","fs.mqueue.msg_max":"10"},)"
      R"("annotation_sysctls":["net.ipv4.tcp_keepalive_intvl","net.ipv4.tcp_*"]})");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, config_path() + ": ok\n");
}

TEST_F(Validate, InterfaceKeyIsAWarningAndExitsZero) {
  auto r = validate(
      R"({"sysctls":{"net.ipv4.conf.eth0.forwarding":"1","net.ipv6.neigh.eth0/100.retrans_time_ms":"900"}})");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(line_count(r.out), 3) << r.out;
  EXPECT_NE(r.out.find("warning: sysctls.net.ipv4.conf.eth0.forwarding: interface eth0 does not "
                       "exist in a fresh network namespace"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("interface eth0.100"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(config_path() + ": ok"), std::string::npos) << r.out;
}

TEST_F(Validate, InterfaceKeyNoInterfaceHasIsAProblem) {
  auto r = validate(R"({"sysctls":{"net.ipv4.conf.eth0.forwardin":"1"}})");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(line_count(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("sysctls.net.ipv4.conf.eth0.forwardin: does not exist in a fresh network "
                       "namespace for any interface"),
            std::string::npos)
      << r.out;
}

TEST_F(Validate, DirectoryIsNotAKey) {
  auto r = validate(R"({"sysctls":{"net.ipv4.conf.all":"1"}})");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("sysctls.net.ipv4.conf.all: a directory of keys, not a key"),
            std::string::npos)
      << r.out;
}

TEST_F(Validate, WithoutRootTheCheckIsSkippedInOneLine) {
  write_text(config_path(), R"({"sysctls":{"net.ipv4.tcp_keepalive_tme":"600"}})");
  auto r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hook_binary(),
                "validate", "--config", config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(line_count(r.out), 2) << r.out;
  EXPECT_NE(r.out.find("sysctl keys: existence not checked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(config_path() + ": ok"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ocinetns::test
