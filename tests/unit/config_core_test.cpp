// Unit tests for the config loader's core keys: defaults, types, unknown keys, paths, policies.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.hpp"
#include "tests/support/config_problems.hpp"
#include "tests/support/runc.hpp"

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
  EXPECT_EQ(c.host_namespace_sysctls, HostSysctlPolicy::kSkip);
  EXPECT_EQ(c.log.file, "");
  EXPECT_FALSE(c.log.syslog);
}

TEST(ConfigCore, ShippedDefaultFileParses) {
  std::string path = std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json";
  // Its text, parsed: loading the file would check its owner, which is the clone's user here.
  Config c = parse_config(test::read_text(path), path);
  EXPECT_EQ(c.netns_dir, "/run/netns");
  EXPECT_EQ(c.runtime.hooks_dirs.size(), 2u);
  // The shipped file names no log destination: warnings and errors go to the default one.
  EXPECT_EQ(c.log, LogSettings{});
  EXPECT_EQ(c.host_namespace_sysctls, HostSysctlPolicy::kSkip);
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

// Every key with a fixed set of values names them all when given another.
TEST(ConfigCore, ChoiceKeysListTheirValues) {
  EXPECT_EQ(
      test::config_problems(R"({"sandbox":"x","shared_netns":"y"})"),
      (std::vector<std::string>{"cfg: sandbox: expected \"errno\", \"kill\" or \"off\", got \"x\"",
                                "cfg: shared_netns: expected \"skip\" or \"alias\", got \"y\""}));
  EXPECT_EQ(parse_config(R"({"sandbox":"off","shared_netns":"alias"})", "cfg").sandbox,
            SandboxMode::kOff);
  EXPECT_EQ(parse_config(R"({"shared_netns":"alias"})", "cfg").shared_netns,
            SharedNetnsPolicy::kAlias);
}

TEST(ConfigCore, HostNamespaceSysctlsPolicy) {
  EXPECT_EQ(parse_config(R"({"host_namespace_sysctls":"fail"})", "cfg").host_namespace_sysctls,
            HostSysctlPolicy::kFail);
  EXPECT_EQ(parse_config(R"({"host_namespace_sysctls":"skip"})", "cfg").host_namespace_sysctls,
            HostSysctlPolicy::kSkip);
  EXPECT_EQ(test::config_problems(R"({"host_namespace_sysctls":"warn"})"),
            std::vector<std::string>{
                "cfg: host_namespace_sysctls: expected \"skip\" or \"fail\", got \"warn\""});
  EXPECT_EQ(
      test::config_problems(R"({"host_namespace_sysctls":false})"),
      std::vector<std::string>{"cfg: host_namespace_sysctls: expected a string, got boolean"});
}

TEST(ConfigCore, NotJsonOrNotObject) {
  EXPECT_EQ(test::config_problems("[]"), std::vector<std::string>{"cfg: expected a JSON object"});
  EXPECT_EQ(test::config_problems("{").size(), 1u);
  EXPECT_EQ(test::config_problems(R"({"on_error":"warn","on_error":"fail"})"),
            std::vector<std::string>{"cfg: config: duplicate key \"on_error\""});
}

// salvage_config: each key on its own, only with the value parse_config() would accept.
TEST(ConfigSalvage, EachKeyIsTakenOnlyWithAValidValue) {
  SalvagedSettings s =
      salvage_config(R"({"bogus":1,"netns_dir":"/tmp/n//","state_dir":"/tmp/s",)"
                     R"("runtime":{"path":"/usr/bin/crun","hooks_dirs":["/a","/b/"],"typo":1}})");
  EXPECT_EQ(s.netns_dir, "/tmp/n");  // normalised as the loader does
  EXPECT_EQ(s.state_dir, "/tmp/s");
  EXPECT_EQ(s.runtime_path, "/usr/bin/crun");
  EXPECT_EQ(s.hooks_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(salvage_config(R"({"runtime":{"hooks_dirs":[]}})").hooks_dirs,
            std::vector<std::string>{});  // what the admin set: no hooks.d directory at all

  struct Case {
    const char* label;
    const char* text;
  };
  const Case nothing[] = {
      {"not JSON", R"({"netns_dir":"/tmp/n")"},
      {"duplicate key", R"({"state_dir":"/a","state_dir":"/b"})"},
      {"not an object", R"(["/tmp/n"])"},
      {"absent", R"({"bogus":1})"},
      {"relative dirs", R"({"netns_dir":"n","state_dir":"s"})"},
      {"empty dirs", R"({"netns_dir":"","state_dir":""})"},
      {"dotdot dirs", R"({"netns_dir":"/run/../etc","state_dir":"/a/.."})"},
      {"wrong types",
       R"({"netns_dir":1,"state_dir":["/s"],"runtime":{"path":2,"hooks_dirs":"/h"}})"},
      {"runtime not an object", R"({"runtime":"/usr/bin/runc"})"},
      {"relative runtime", R"({"runtime":{"path":"runc","hooks_dirs":["/a","rel"]}})"},
      {"empty runtime path, hooks_dirs not paths", R"({"runtime":{"path":"","hooks_dirs":[1]}})"},
      {"hooks_dirs with ..", R"({"runtime":{"hooks_dirs":["/a","/b/../c"]}})"},
      {"the pair collides", R"({"netns_dir":"/x","state_dir":"/x/"})"},
      {"netns_dir is the default state_dir", R"({"netns_dir":"/run/oci-netns-hook"})"},
      {"state_dir is the default netns_dir", R"({"state_dir":"/run/netns/"})"},
  };
  for (const Case& c : nothing) {
    SCOPED_TRACE(c.label);
    SalvagedSettings got = salvage_config(c.text);
    EXPECT_TRUE(got.empty()) << got.netns_dir.value_or("-") << " " << got.state_dir.value_or("-")
                             << " " << got.runtime_path.value_or("-");
  }
}

// A rejected file whose state_dir is the one at fault still gives its valid netns_dir: the
// record then goes to the default state_dir, which names that netns_dir.
TEST(ConfigSalvage, KeysAreIndependent) {
  SalvagedSettings s = salvage_config(R"({"netns_dir":"/tmp/n","state_dir":"rel"})");
  EXPECT_EQ(s.netns_dir, "/tmp/n");
  EXPECT_FALSE(s.state_dir);
  s = salvage_config(R"({"runtime":{"path":"rel","hooks_dirs":["/h"]}})");
  EXPECT_FALSE(s.runtime_path);
  EXPECT_EQ(s.hooks_dirs, std::vector<std::string>{"/h"});
}

}  // namespace
}  // namespace ocinetns
