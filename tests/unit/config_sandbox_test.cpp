// The config key "sandbox": default, the three modes, and errors that name the key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "tests/support/config_problems.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

TEST(ConfigSandbox, DefaultIsErrno) {
  EXPECT_EQ(parse_config("{}", "cfg").sandbox, SandboxMode::kErrno);
  std::string shipped = std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json";
  // Its text, parsed: loading the file would check its owner, which is the clone's user here.
  EXPECT_EQ(parse_config(test::read_text(shipped), shipped).sandbox, SandboxMode::kErrno);
}

TEST(ConfigSandbox, ParsesEachMode) {
  EXPECT_EQ(parse_config(R"({"sandbox":"errno"})", "cfg").sandbox, SandboxMode::kErrno);
  EXPECT_EQ(parse_config(R"({"sandbox":"kill"})", "cfg").sandbox, SandboxMode::kKill);
  EXPECT_EQ(parse_config(R"({"sandbox":"off"})", "cfg").sandbox, SandboxMode::kOff);
}

TEST(ConfigSandbox, BadValuesNameTheKey) {
  EXPECT_EQ(
      test::config_problems(R"({"sandbox":"strict"})"),
      std::vector<std::string>{R"(cfg: sandbox: expected "errno", "kill" or "off", got "strict")"});
  EXPECT_EQ(test::config_problems(R"({"sandbox":true})"),
            std::vector<std::string>{"cfg: sandbox: expected a string, got boolean"});
  EXPECT_EQ(test::config_problems(R"({"sandbox":"KILL"})").size(), 1u);
}

}  // namespace
}  // namespace ocinetns
