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
  Config c = load_config(path);
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

// load_config_or_defaults: a file that cannot be used gives Config{} whole and one problem line.
class ConfigFallback : public ::testing::Test {
 protected:
  [[nodiscard]] std::string path() const { return dir_.file("config.json"); }
  void write(const std::string& text, mode_t mode = 0644) const {
    test::write_text(path(), text, static_cast<int>(mode));
  }
  // Whether files this test writes pass the ownership check (root, or a relaxed test build).
  static bool trusted() {
#ifdef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
    return true;
#else
    return ::geteuid() == 0;
#endif
  }
  test::TempDir dir_{"oci-netns-config"};
};

TEST_F(ConfigFallback, UsableFileIsUsed) {
  if (!trusted()) GTEST_SKIP() << "needs root to write a trusted config";
  write(R"({"netns_dir":"/tmp/n","runtime":{"path":"/usr/bin/crun"}})");
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_EQ(l.problem, "");
  EXPECT_EQ(l.config.netns_dir, "/tmp/n");
  EXPECT_EQ(l.runtime_path, "/usr/bin/crun");
}

TEST_F(ConfigFallback, MissingFileIsTheDefaultsWithoutAProblem) {
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_EQ(l.problem, "");
  EXPECT_EQ(l.config.netns_dir, "/run/netns");
  EXPECT_EQ(l.runtime_path, "");
}

TEST_F(ConfigFallback, InvalidFileGivesTheWholeDefaultsAndOnlyItsRuntimePath) {
  if (!trusted()) GTEST_SKIP() << "needs root to write a trusted config";
  write(R"({"netns_dir":"/tmp/n","sysctls":{"net.ipv4.ip_forward":"1"},"sandbox":"off",)"
        R"("log":{"file":"/tmp/l"},"runtime":{"path":"/usr/bin/crun","hooks_dirs":["/h"]},)"
        R"("bogus":1,"on_error":"maybe"})");
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_EQ(l.problem, path() + ": bogus: unknown key (and 1 more; run `oci-netns-hook validate`)");
  Config defaults;
  EXPECT_EQ(l.config.netns_dir, defaults.netns_dir);
  EXPECT_TRUE(l.config.sysctls.empty());
  EXPECT_EQ(l.config.sandbox, SandboxMode::kErrno);
  EXPECT_EQ(l.config.log, LogSettings{});
  EXPECT_EQ(l.config.runtime.path, "");
  EXPECT_EQ(l.config.runtime.hooks_dirs, defaults.runtime.hooks_dirs);
  EXPECT_EQ(l.runtime_path, "/usr/bin/crun");
}

TEST_F(ConfigFallback, NoRuntimePathFromJsonThatDoesNotParseOrARelativeOne) {
  if (!trusted()) GTEST_SKIP() << "needs root to write a trusted config";
  write(R"({"runtime":{"path":"/usr/bin/crun"},)");
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_NE(l.problem, "");
  EXPECT_EQ(l.runtime_path, "");
  write(R"({"runtime":{"path":"crun"}})");
  l = load_config_or_defaults(path());
  EXPECT_NE(l.problem.find("runtime.path: must be an absolute path or empty"), std::string::npos)
      << l.problem;
  EXPECT_EQ(l.runtime_path, "");
}

TEST_F(ConfigFallback, UntrustedFileGivesNothingOfItself) {
#ifdef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
  GTEST_SKIP() << "built with OCI_NETNS_ALLOW_UNTRUSTED_CONFIG: ownership checks are off";
#endif
  write(R"({"netns_dir":"/tmp/n","runtime":{"path":"/tmp/evil"}})", 0666);
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_NE(l.problem.find("config `" + path() + "`: refused, "), std::string::npos) << l.problem;
  EXPECT_EQ(l.config.netns_dir, "/run/netns");
  EXPECT_EQ(l.runtime_path, "");  // a non-root writer must never choose what root execs
}

TEST_F(ConfigFallback, UnreadablePathIsAProblemNotAnException) {
  write("{}");
  LoadedConfig l = load_config_or_defaults(path() + "/below");
  EXPECT_NE(l.problem.find("open config"), std::string::npos) << l.problem;
  EXPECT_EQ(l.runtime_path, "");
}

}  // namespace
}  // namespace ocinetns
