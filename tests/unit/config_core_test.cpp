// Unit tests for the config loader's core keys: defaults, types, unknown keys, paths, policies.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "tests/support/config_problems.hpp"

namespace ocinetns {
namespace {

TEST(ConfigCore, EmptyObjectGivesDefaults) {
  Config c = parse_config("{}", "cfg");
  EXPECT_EQ(c.netns_dir, "/run/netns");
  EXPECT_EQ(c.state_dir, "/run/oci-netns-hook");
  EXPECT_EQ(c.name_template, "{id}");
  EXPECT_EQ(c.on_error, ErrorPolicy::kWarn);
  EXPECT_EQ(c.shared_netns, SharedNetnsPolicy::kSkip);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.sysctl_errors, ErrorPolicy::kFail);
}

TEST(ConfigCore, ShippedDefaultFileParses) {
  std::string path = std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json";
  Config c = load_config(path);
  EXPECT_EQ(c.netns_dir, "/run/netns");
  EXPECT_EQ(c.runtime.hooks_dirs.size(), 2u);
}

TEST(ConfigCore, MissingFileMeansDefaults) {
  Config c = load_config("/nonexistent/oci-netns-hook/config.json");
  EXPECT_EQ(c.netns_dir, "/run/netns");
}

TEST(ConfigCore, ParsesEveryCoreKey) {
  Config c =
      parse_config(R"({"netns_dir":"/tmp/ns/","state_dir":"/tmp/st","name_template":"c-{short_id}",
    "on_error":"fail","shared_netns":"alias","log":{"level":"debug","file":"/tmp/x.log","syslog":true},
    "runtime":{"path":"/usr/sbin/runc","hooks_dirs":["/a"]}})",
                   "cfg");
  EXPECT_EQ(c.netns_dir, "/tmp/ns");
  EXPECT_EQ(c.state_dir, "/tmp/st");
  EXPECT_EQ(c.name_template, "c-{short_id}");
  EXPECT_EQ(c.on_error, ErrorPolicy::kFail);
  EXPECT_EQ(c.shared_netns, SharedNetnsPolicy::kAlias);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.file, "/tmp/x.log");
  EXPECT_TRUE(c.log.syslog);
  EXPECT_EQ(c.runtime.path, "/usr/sbin/runc");
  EXPECT_EQ(c.runtime.hooks_dirs, std::vector<std::string>{"/a"});
}

TEST(ConfigCore, UnknownKeysAndWrongTypesNameTheKey) {
  EXPECT_EQ(test::config_problems(R"({"netns_dri":"/x"})"),
            std::vector<std::string>{"cfg: netns_dri: unknown key"});
  EXPECT_EQ(test::config_problems(R"({"on_error":true})"),
            std::vector<std::string>{"cfg: on_error: expected a string, got boolean"});
  EXPECT_EQ(
      test::config_problems(R"({"on_error":"ignore"})"),
      std::vector<std::string>{"cfg: on_error: expected \"warn\" or \"fail\", got \"ignore\""});
  EXPECT_EQ(test::config_problems(R"({"log":{"levle":"info"}})"),
            std::vector<std::string>{"cfg: log.levle: unknown key"});
  EXPECT_EQ(test::config_problems(R"({"log":{"level":"loud"}})").size(), 1u);
  EXPECT_EQ(test::config_problems(R"({"runtime":{"hooks_dirs":"/a"}})").size(), 1u);
}

TEST(ConfigCore, EveryProblemIsReported) {
  auto problems =
      test::config_problems(R"({"a":1,"netns_dir":"rel","state_dir":5,"name_template":"{x}"})");
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0], "cfg: a: unknown key");
  EXPECT_EQ(problems[1], "cfg: netns_dir: must be an absolute path");
  EXPECT_EQ(problems[2], "cfg: state_dir: expected a string, got number");
  EXPECT_EQ(problems[3], "cfg: name_template: unknown placeholder {x}");
}

TEST(ConfigCore, PathsMustBeSafe) {
  EXPECT_EQ(test::config_problems(R"({"netns_dir":"/run/../etc"})"),
            std::vector<std::string>{"cfg: netns_dir: must not contain '..'"});
  EXPECT_EQ(test::config_problems(R"({"netns_dir":"/x","state_dir":"/x/"})"),
            std::vector<std::string>{"cfg: state_dir: must differ from netns_dir"});
}

TEST(ConfigCore, NotJsonOrNotObject) {
  EXPECT_EQ(test::config_problems("[]"), std::vector<std::string>{"cfg: expected a JSON object"});
  EXPECT_EQ(test::config_problems("{").size(), 1u);
  EXPECT_EQ(test::config_problems(R"({"on_error":"warn","on_error":"fail"})"),
            std::vector<std::string>{"cfg: config: duplicate key \"on_error\""});
}

}  // namespace
}  // namespace ocinetns
