// The hook's stage command lines recognised without CLI11, and everything handed to the CLI.
#include <gtest/gtest.h>

#include "common/model/hook_argv.hpp"

namespace ocinetns {
namespace {

std::optional<StageCommand> parse(std::vector<std::string_view> args) {
  return parse_stage_argv(args);
}

TEST(StageArgv, BareStages) {
  EXPECT_EQ(parse({"createRuntime"})->stage, HookStage::kCreateRuntime);
  EXPECT_EQ(parse({"prestart"})->stage, HookStage::kCreateRuntime);
  auto p = parse({"poststop"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->stage, HookStage::kPoststop);
  EXPECT_EQ(p->config_path, "");
}

TEST(StageArgv, ConfigBeforeOrAfterTheStageInBothForms) {
  for (const auto& args : {std::vector<std::string_view>{"--config", "/etc/x.json", "poststop"},
                           std::vector<std::string_view>{"--config=/etc/x.json", "poststop"},
                           std::vector<std::string_view>{"poststop", "--config", "/etc/x.json"},
                           std::vector<std::string_view>{"poststop", "--config=/etc/x.json"}}) {
    auto p = parse_stage_argv(args);
    ASSERT_TRUE(p) << args.front() << " " << args.back();
    EXPECT_EQ(p->stage, HookStage::kPoststop);
    EXPECT_EQ(p->config_path, "/etc/x.json");
  }
  EXPECT_EQ(parse({"--config", "c.json", "createRuntime"})->config_path, "c.json");
}

TEST(StageArgv, EverythingElseGoesToTheCli) {
  for (const auto& args : {
           std::vector<std::string_view>{},
           std::vector<std::string_view>{"list"},
           std::vector<std::string_view>{"--help"},
           std::vector<std::string_view>{"poststop", "--help"},
           std::vector<std::string_view>{"creatRuntime"},
           std::vector<std::string_view>{"Poststop"},
           std::vector<std::string_view>{"poststop", "extra"},
           std::vector<std::string_view>{"poststop", "createRuntime"},
           std::vector<std::string_view>{"--config", "poststop"},
           std::vector<std::string_view>{"--config=", "poststop"},
           std::vector<std::string_view>{"--config", "--help", "poststop"},
           std::vector<std::string_view>{"--config", "a", "--config", "b", "poststop"},
           std::vector<std::string_view>{"--configx=/a", "poststop"},
           std::vector<std::string_view>{"--config", "/a", "poststop", "--config", "/b"},
           std::vector<std::string_view>{"validate", "--config", "/a"},
       }) {
    EXPECT_FALSE(parse_stage_argv(args)) << (args.empty() ? "(none)" : args.front());
  }
}

}  // namespace
}  // namespace ocinetns
