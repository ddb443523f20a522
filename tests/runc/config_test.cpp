// The config loader on real files (config/config.hpp load_config_or_defaults): a file that
// cannot be used gives the defaults and one problem line. The ownership rule needs root to
// write a trusted file, so these run in the root suite.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

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
  EXPECT_EQ(l.config.runtime.path, "/usr/bin/crun");
  EXPECT_TRUE(l.salvaged.empty());  // a file that is used is not "salvaged"
}

TEST_F(ConfigFallback, MissingFileIsTheDefaultsWithoutAProblem) {
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_EQ(l.problem, "");
  EXPECT_EQ(l.config.netns_dir, "/run/netns");
  EXPECT_EQ(l.config.runtime.path, "");
  EXPECT_TRUE(l.salvaged.empty());
}

TEST_F(ConfigFallback, InvalidFileGivesTheDefaultsAndOnlyItsSalvageableSettings) {
  if (!trusted()) GTEST_SKIP() << "needs root to write a trusted config";
  write(R"({"netns_dir":"/tmp/n","sysctls":{"net.ipv4.ip_forward":"1"},"sandbox":"off",)"
        R"("log":{"file":"/tmp/l"},"runtime":{"path":"/usr/bin/crun","hooks_dirs":["/h/"]},)"
        R"("name_template":"x-{id}","on_error":"fail","shared_netns":"alias",)"
        R"("annotation_sysctls":["net.*"],"sysctl_errors":"warn",)"
        R"("state_dir":"/tmp/s","bogus":1,"host_namespace_sysctls":"maybe"})");
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_EQ(l.problem, path() + ": bogus: unknown key (and 1 more; run `oci-netns-hook validate`)");
  Config defaults;
  // Kept: where references and records are, the runtime, the hooks.d directories.
  EXPECT_EQ(l.config.netns_dir, "/tmp/n");
  EXPECT_EQ(l.config.state_dir, "/tmp/s");
  EXPECT_EQ(l.config.runtime.path, "/usr/bin/crun");
  EXPECT_EQ(l.config.runtime.hooks_dirs, std::vector<std::string>{"/h"});
  EXPECT_EQ(l.salvaged.netns_dir, "/tmp/n");
  EXPECT_EQ(l.salvaged.state_dir, "/tmp/s");
  EXPECT_EQ(l.salvaged.runtime_path, "/usr/bin/crun");
  EXPECT_EQ(l.salvaged.hooks_dirs, std::vector<std::string>{"/h"});
  // Every other key is the built-in default.
  EXPECT_TRUE(l.config.sysctls.empty());
  EXPECT_TRUE(l.config.annotation_sysctls.empty());
  EXPECT_EQ(l.config.sandbox, defaults.sandbox);
  EXPECT_EQ(l.config.log, LogSettings{});
  EXPECT_EQ(l.config.name_template, defaults.name_template);
  EXPECT_EQ(l.config.on_error, defaults.on_error);
  EXPECT_EQ(l.config.shared_netns, defaults.shared_netns);
  EXPECT_EQ(l.config.sysctl_errors, defaults.sysctl_errors);
  EXPECT_EQ(l.config.host_namespace_sysctls, defaults.host_namespace_sysctls);
}

TEST_F(ConfigFallback, NothingFromJsonThatDoesNotParseOrFromInvalidKeys) {
  if (!trusted()) GTEST_SKIP() << "needs root to write a trusted config";
  write(R"({"runtime":{"path":"/usr/bin/crun"},"state_dir":"/tmp/s",)");
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_NE(l.problem, "");
  EXPECT_TRUE(l.salvaged.empty());
  EXPECT_EQ(l.config.runtime.path, "");
  EXPECT_EQ(l.config.state_dir, Config{}.state_dir);
  write(R"({"runtime":{"path":"crun"}})");
  l = load_config_or_defaults(path());
  EXPECT_NE(l.problem.find("runtime.path: must be an absolute path or empty"), std::string::npos)
      << l.problem;
  EXPECT_TRUE(l.salvaged.empty());
  EXPECT_EQ(l.config.runtime.path, "");
}

TEST_F(ConfigFallback, UntrustedFileGivesNothingOfItself) {
#ifdef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
  GTEST_SKIP() << "built with OCI_NETNS_ALLOW_UNTRUSTED_CONFIG: ownership checks are off";
#endif
  Config defaults;
  write(R"({"netns_dir":"/tmp/n","state_dir":"/tmp/s",)"
        R"("runtime":{"path":"/tmp/evil","hooks_dirs":["/tmp/h"]}})",
        0666);
  LoadedConfig l = load_config_or_defaults(path());
  EXPECT_NE(l.problem.find("config `" + path() + "`: refused, "), std::string::npos) << l.problem;
  EXPECT_TRUE(l.salvaged.empty());
  EXPECT_EQ(l.config.netns_dir, defaults.netns_dir);
  EXPECT_EQ(l.config.state_dir, defaults.state_dir);
  EXPECT_EQ(l.config.runtime.path, "");  // a non-root writer must never choose what root execs
  EXPECT_EQ(l.config.runtime.hooks_dirs, defaults.runtime.hooks_dirs);
  // Not root's (a test run as root chowns it to nobody): nothing either.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
    ASSERT_EQ(::chown(path().c_str(), 65534, 65534), 0);
    l = load_config_or_defaults(path());
    EXPECT_NE(l.problem.find("instead of root"), std::string::npos) << l.problem;
    EXPECT_TRUE(l.salvaged.empty());
    EXPECT_EQ(l.config.state_dir, defaults.state_dir);
    EXPECT_EQ(l.config.runtime.hooks_dirs, defaults.runtime.hooks_dirs);
  }
}

TEST_F(ConfigFallback, UnreadablePathIsAProblemNotAnException) {
  write("{}");
  LoadedConfig l = load_config_or_defaults(path() + "/below");
  EXPECT_NE(l.problem.find("open config"), std::string::npos) << l.problem;
  EXPECT_TRUE(l.salvaged.empty());
}

}  // namespace
}  // namespace ocinetns
