// Tests of the netns directory handling (common/sys/netns): what the hook does to a netns
// directory that is not a mount point yet, seen in the mount table and by the entry's owner.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/runc/ops_fixtures.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

// Unmounts whatever the test stacked on the private netns directory and on `pin`, and removes the
// pin, even when the test fails half way.
struct PrivateDirCleanup {
  const std::string& dir;
  const std::string& pin;
  ~PrivateDirCleanup() {
    for (int i = 0; i < 8 && mountinfo_has(pin); ++i) ::umount2(pin.c_str(), MNT_DETACH);
    for (int i = 0; i < 8 && mountinfo_has(dir); ++i) ::umount2(dir.c_str(), MNT_DETACH);
    for (int i = 0; i < 8 && mountinfo_has(pin); ++i) ::umount2(pin.c_str(), MNT_DETACH);
    ::unlink(pin.c_str());
  }
};

// containerd's CRI pins each pod's namespace as /run/netns/cni-<uuid> in a plain directory. When
// the hook then makes the directory a mount point (a self-bind, as iproute2 does), the pin must
// stay removable by its owner: one mount at its path, and umount + unlink succeed (a hidden copy
// of the pin below the self-bind made that unlink fail with EBUSY, and the pod never went away).
TEST(NetnsDir, AnEntryMountedBeforeTheDirectoryBecameAMountPointStaysRemovable) {
  OpsConfig cfg;
  ASSERT_EQ(::mkdir(cfg.netns_dir().c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_FALSE(mountinfo_has(cfg.netns_dir()));
  const std::string pin = cfg.ref(ops_name("cni-"));
  PrivateDirCleanup cleanup{cfg.netns_dir(), pin};
  NetnsProcess pod;
  write_text(pin, "", 0);
  ASSERT_EQ(::mount(pod.ns_path().c_str(), pin.c_str(), "none", MS_BIND, nullptr), 0)
      << std::strerror(errno);

  NetnsProcess container;
  const std::string id = ops_name("pinned");
  RefCleanup ref(cfg, id);
  auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, container.pid()));
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(inode_of(cfg.ref(id)), container.netns_inode());
  EXPECT_TRUE(mountinfo_has(cfg.netns_dir())) << "the hook made the directory a mount point";
  EXPECT_EQ(inode_of(pin), pod.netns_inode());
  EXPECT_EQ(mountinfo_count(pin), 1) << "a hidden copy of the pin is left below the self-bind";

  // The owner removes its pin the way containerd does.
  ASSERT_EQ(::umount2(pin.c_str(), MNT_DETACH), 0) << std::strerror(errno);
  EXPECT_EQ(::unlink(pin.c_str()), 0) << std::strerror(errno);
  EXPECT_FALSE(mountinfo_has(pin));
  EXPECT_FALSE(path_exists(pin));
}

}  // namespace
}  // namespace ocinetns::test
