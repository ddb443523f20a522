// The shim's bundle config.json on disk (hook/shim/bundle.hpp): replaced atomically with its mode
// when hooks are added, untouched otherwise, an error when it is missing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <system_error>
#include <vector>

#include "common/model/hooks_d.hpp"
#include "hook/shim/bundle.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

std::string fixture() {
  return test::read_text(std::string(OCI_NETNS_SOURCE_DIR) +
                         "/tests/unit/fixtures/docker-config.json");
}

std::vector<HookDefinition> shipped_hooks() {
  std::vector<HookDefinition> hooks;
  for (const char* f : {"oci-netns-hook-createruntime.json", "oci-netns-hook-poststop.json"}) {
    std::string path = std::string(OCI_NETNS_SOURCE_DIR) + "/install/hooks.d/" + f;
    hooks.push_back(parse_hook_definition(test::read_text(path), f));
  }
  return hooks;
}

TEST(Bundle, BundleFileIsReplacedAtomicallyWithTheSameMode) {
  test::TempDir bundle("shim-bundle");
  test::write_text(bundle.file("config.json"), fixture(), 0600);
  struct stat before {};
  ASSERT_EQ(::stat(bundle.file("config.json").c_str(), &before), 0);
  std::vector<std::string> warnings;
  EXPECT_TRUE(rewrite_bundle(bundle.path(), shipped_hooks(), warnings));
  struct stat after {};
  ASSERT_EQ(::stat(bundle.file("config.json").c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 07777, 0600u);
  EXPECT_NE(after.st_ino, before.st_ino);  // renamed over, never written in place
  EXPECT_NE(test::read_text(bundle.file("config.json")).find("oci-netns-hook"), std::string::npos);
  // Nothing to add: the file is not touched at all.
  EXPECT_FALSE(rewrite_bundle(bundle.path(), shipped_hooks(), warnings));
  struct stat again {};
  ASSERT_EQ(::stat(bundle.file("config.json").c_str(), &again), 0);
  EXPECT_EQ(again.st_ino, after.st_ino);
  // No temporary file is left behind.
  EXPECT_TRUE(
      test::sh("ls -A '" + bundle.path() + "' | grep -v '^config.json$' | grep -q .").exit_code !=
      0);
}

TEST(Bundle, MissingConfigIsAnError) {
  test::TempDir bundle("shim-bundle");
  std::vector<std::string> warnings;
  try {
    rewrite_bundle(bundle.path(), shipped_hooks(), warnings);
    ADD_FAILURE() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ocinetns
