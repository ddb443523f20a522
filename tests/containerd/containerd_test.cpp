// Real containerd 1.6 with `ctr run --runc-binary <oci-netns-runtime>`: the shim adds the hooks,
// the reference appears in `ip netns list` for the ctr id, and deleting the task removes file,
// mount and record; the configured sysctl is read first; --net-host gets no reference.
#include <gtest/gtest.h>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

class Containerd : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(containerd_unavailable_reason());
    ctrd_ = &ContainerdDaemon::shared();
  }
  ContainerdDaemon* ctrd_ = nullptr;
};

TEST_F(Containerd, ReferenceVisibleAndRemovedWithTheTask) {
  std::string id = unique_name("oci-netns-ctr-life");
  ScopeGuard cleanup([&] { ctrd_->remove_container(id); });
  auto started = ctrd_->run_container(id, {"sleep", "3600"});
  ASSERT_TRUE(started.ok()) << started.err << ctrd_->hooks().log();
  int pid = ctrd_->task_pid(id);
  ASSERT_GT(pid, 0);
  std::string ref = "/run/netns/" + id;
  std::string netns = "/proc/" + std::to_string(pid) + "/ns/net";
  ASSERT_NE(inode_of(netns), inode_of("/proc/self/ns/net"));

  EXPECT_TRUE(netns_listed(id)) << ctrd_->hooks().log();
  EXPECT_EQ(inode_of(ref), inode_of(netns));
  EXPECT_EQ(mountinfo_count(ref), 1);
  EXPECT_TRUE(path_exists(ctrd_->hooks().record_path(id)));
  // ctr sets up no CNI: the namespace holds only the loopback runc configured.
  auto addr = run({"ip", "netns", "exec", id, "ip", "-o", "addr"});
  ASSERT_TRUE(addr.ok()) << addr.err;
  EXPECT_NE(addr.out.find("inet 127.0.0.1/8"), std::string::npos) << addr.out;

  auto removed = ctrd_->remove_container(id);
  ASSERT_TRUE(removed.ok()) << removed.err;
  EXPECT_FALSE(netns_listed(id));
  EXPECT_FALSE(path_exists(ref));
  EXPECT_EQ(mountinfo_count(ref), 0);
  EXPECT_FALSE(path_exists(ctrd_->hooks().record_path(id))) << ctrd_->hooks().log();
}

TEST_F(Containerd, ConfiguredSysctlIsWhatTheFirstCommandReads) {
  std::string id = unique_name("oci-netns-ctr-sysctl");
  ScopeGuard cleanup([&] { ctrd_->remove_container(id); });
  // Attached (no -d): ctr copies the container's stdout and returns when it exits.
  auto r = ctrd_->ctr({"run", "--runc-binary", runtime_binary(), ctrd_->image_ref(), id, "cat",
                       "/proc/sys/net/ipv4/tcp_keepalive_time"});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(trim(r.out), kTestSysctlValue) << ctrd_->hooks().log();
  ASSERT_TRUE(ctrd_->remove_container(id).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(ctrd_->hooks().record_path(id)));
}

TEST_F(Containerd, HostNetworkGetsNoReference) {
  std::string id = unique_name("oci-netns-ctr-host");
  ScopeGuard cleanup([&] { ctrd_->remove_container(id); });
  auto started = ctrd_->ctr({"run", "-d", "--net-host", "--runc-binary", runtime_binary(),
                             ctrd_->image_ref(), id, "sleep", "3600"});
  ASSERT_TRUE(started.ok()) << started.err;
  int pid = ctrd_->task_pid(id);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(inode_of("/proc/" + std::to_string(pid) + "/ns/net"), inode_of("/proc/self/ns/net"));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(ctrd_->hooks().record_path(id)));
}

}  // namespace
}  // namespace ocinetns::test
