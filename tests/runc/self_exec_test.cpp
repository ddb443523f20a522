// Where the hook and the shim look for oci-netns-hook-cli.
#include <gtest/gtest.h>

#include "common/sys/self_exec.hpp"

namespace ocinetns {
namespace {

TEST(SiblingPath, SameDirectoryAsTheRunningFile) {
  EXPECT_EQ(sibling_path("/usr/local/bin/oci-netns-hook", kCliName),
            "/usr/local/bin/oci-netns-hook-cli");
  EXPECT_EQ(sibling_path("/oci-netns-hook", "x"), "/x");
}

TEST(SiblingPath, FileReplacedByAnUpgradeStillNamesItsDirectory) {
  // proc(5): /proc/self/exe of a process whose file was unlinked reads "PATH (deleted)".
  EXPECT_EQ(sibling_path("/usr/bin/oci-netns-hook (deleted)", kCliName),
            "/usr/bin/oci-netns-hook-cli");
}

TEST(SiblingPath, RelativeOrEmptyGivesNothing) {
  EXPECT_EQ(sibling_path("", kCliName), "");
  EXPECT_EQ(sibling_path("oci-netns-hook", kCliName), "");
  EXPECT_EQ(sibling_path("bin/oci-netns-hook", kCliName), "");
}

}  // namespace
}  // namespace ocinetns
