// hooks.d directories on disk (common/sys/hooks_d_load.hpp): masking by file name, ordering,
// files skipped with a warning, and the ownership rule (refused writable directories and files,
// which needs root to set up).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/base/errors.hpp"
#include "common/sys/hooks_d_load.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

std::string hook_file(const std::string& when, const std::string& stages = R"(["createRuntime"])",
                      const std::string& path = "/bin/true") {
  return R"({"version":"1.0.0","hook":{"path":")" + path +
         R"(","args":["x","createRuntime"],"timeout":5},"when":)" + when + R"(,"stages":)" +
         stages + "}";
}

Json spec_with(const std::string& extra) {
  return Json::parse(R"({"ociVersion":"1.0.2","process":{"args":["/usr/sbin/init","x"]})" + extra +
                     "}");
}

// The directory loader on real files (no root needed except for the ownership rule).
class HooksDLoad : public ::testing::Test {
 protected:
  test::TempDir usr_{"hooksd-usr"};
  test::TempDir etc_{"hooksd-etc"};
  void SetUp() override {
    ::chmod(usr_.path().c_str(), 0755);
    ::chmod(etc_.path().c_str(), 0755);
  }
};

TEST_F(HooksDLoad, MasksOrdersAndSkipsInvalidWithWarnings) {
  test::write_text(usr_.file("10-a.json"), hook_file(R"({"always":true})"));
  test::write_text(usr_.file("20-b.json"), hook_file(R"({"always":true})"));
  test::write_text(etc_.file("20-b.json"), hook_file(R"({"always":true})", R"(["poststop"])"));
  test::write_text(etc_.file("05-broken.json"), "{");
  test::write_text(etc_.file("06-missing-exe.json"),
                   hook_file(R"({"always":true})", R"(["poststop"])", "/nonexistent/hook"));
  test::write_text(etc_.file("notes.txt"), "ignored");
  std::vector<std::string> warnings;
  auto hooks = load_hooks_dirs({usr_.path(), "/nonexistent/hooks.d", etc_.path()}, warnings);
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0].name, "10-a.json");
  EXPECT_EQ(hooks[1].name, "20-b.json");
  EXPECT_EQ(hooks[1].stages, std::vector<std::string>{"poststop"});
  ASSERT_EQ(warnings.size(), 2u) << ::testing::PrintToString(warnings);
  EXPECT_NE(warnings[0].find("05-broken.json"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("/nonexistent/hook"), std::string::npos) << warnings[1];
}

TEST_F(HooksDLoad, RefusesWritableDirectoriesAndFiles) {
#ifdef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
  GTEST_SKIP() << "built with OCI_NETNS_ALLOW_UNTRUSTED_CONFIG: ownership checks are off";
#endif
  test::write_text(usr_.file("10-a.json"), hook_file(R"({"always":true})"), 0666);
  test::write_text(etc_.file("20-b.json"), hook_file(R"({"always":true})"));
  ::chmod(etc_.path().c_str(), 0777);
  std::vector<std::string> warnings;
  auto hooks = load_hooks_dirs({usr_.path(), etc_.path()}, warnings);
  EXPECT_TRUE(hooks.empty());
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("10-a.json"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find(etc_.path()), std::string::npos) << warnings[1];
  if (::geteuid() == 0) {
    EXPECT_NE(warnings[0].find("writable by group or others"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find("writable by group or others"), std::string::npos) << warnings[1];
  }
}

TEST_F(HooksDLoad, FileWithAPatternRe2RejectsIsSkippedWithAWarningNamingIt) {
  // An inline flag loads (Go's syntax); a back-reference is ECMAScript only.
  test::write_text(usr_.file("10-a.json"), hook_file(R"({"commands":["(?i)^/USR/"]})"));
  test::write_text(usr_.file("20-backref.json"), hook_file(R"({"commands":["(sh)\\1"]})"));
  std::vector<std::string> warnings;
  auto hooks = load_hooks_dirs({usr_.path()}, warnings);
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].name, "10-a.json");
  EXPECT_TRUE(hook_matches(hooks[0], spec_with("")));
  ASSERT_EQ(warnings.size(), 1u) << ::testing::PrintToString(warnings);
  EXPECT_NE(warnings[0].find("20-backref.json"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("when.commands"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace ocinetns
