// NsChild (common/sys/ns_child.hpp): the child's namespace changes stay in the child, its reports
// reach the parent on either channel, and its exit status comes back.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "common/sys/ns_child.hpp"

namespace ocinetns {
namespace {

std::uint64_t own_netns_inode() {
  struct stat st {};
  EXPECT_EQ(::stat("/proc/self/ns/net", &st), 0);
  return st.st_ino;
}

TEST(NsChild, UnshareInTheChildLeavesTheParentsNamespaceAndReportsBack) {
  ASSERT_EQ(::geteuid(), 0u) << "the runc suite runs as root";
  const std::uint64_t before = own_netns_inode();
  for (auto channel : {NsChild::Channel::kPipe, NsChild::Channel::kSocketPair}) {
    NsChild child = NsChild::start("the test child", channel, [](int fd) {
      std::uint64_t ino = 0;
      struct stat st {};
      if (::unshare(CLONE_NEWNET) == 0 && ::stat("/proc/self/ns/net", &st) == 0) ino = st.st_ino;
      (void)!::write(fd, &ino, sizeof ino);
    });
    std::uint64_t child_ino = 0;
    ASSERT_EQ(::read(child.channel(), &child_ino, sizeof child_ino),
              static_cast<ssize_t>(sizeof child_ino));
    int status = child.wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_NE(child_ino, 0u);
    EXPECT_NE(child_ino, before);  // the child was in a namespace of its own
    EXPECT_EQ(own_netns_inode(), before);
  }
}

TEST(NsChild, AChildThatNeverReportsGivesEofAndIsReaped) {
  NsChild child = NsChild::start("the test child", NsChild::Channel::kPipe, [](int) {});
  char byte = 0;
  EXPECT_EQ(::read(child.channel(), &byte, 1), 0);
  int status = child.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace ocinetns
