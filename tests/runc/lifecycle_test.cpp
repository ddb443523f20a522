// Real runc containers with the hook registered in config.json: the reference appears in
// `ip netns list` while the container runs and everything is gone after `runc delete`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

std::string unique_id(const std::string& base) {
  return base + "-" + std::to_string(getpid());
}

bool listed(const std::string& name) {
  auto names = ip_netns_list();
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(RuncLifecycle, ReferenceVisibleWhileRunningAndGoneAfterDelete) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle bundle;
  bundle.add_hook({});
  std::string id = unique_id("life");
  RuncContainer c(id, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  int pid = c.pid();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(listed(id));
  EXPECT_EQ(inode_of("/run/netns/" + id), inode_of("/proc/" + std::to_string(pid) + "/ns/net"));
  EXPECT_TRUE(mountinfo_has("/run/netns/" + id));
  EXPECT_TRUE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));

  auto deleted = c.kill_and_delete();
  ASSERT_TRUE(deleted.ok()) << deleted.err;
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));
}

}  // namespace
}  // namespace ocinetns::test
