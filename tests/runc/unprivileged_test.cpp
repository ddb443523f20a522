// The hook run without privilege (as rootless Podman runs the hooks.d hooks it shares with
// root): the namespace cannot be opened, which is a failure to make the reference, not bad
// input, so on_error decides and nothing is created.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

class Unprivileged : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      if (in_ci()) FAIL() << "prerequisite missing in CI: needs root (to drop it)";
      GTEST_SKIP() << "needs root";
    }
    // nobody must be able to read the (root-owned) config.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  }
  CommandResult hook_as_nobody(const std::string& extra_config) {
    std::string config = dir_.file("config.json");
    write_text(config, R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                           dir_.file("state") + "\"" + extra_config + "}");
    std::string state = R"({"ociVersion":"1.0.2","id":"unpriv)" + std::to_string(getpid()) +
                        R"(","pid":)" + std::to_string(init_.pid()) +
                        R"(,"bundle":"/nonexistent","status":"creating"})";
    CommandOptions options;
    options.input = state;
    options.env = {"OCI_NETNS_HOOK_CONFIG=" + config};
    return run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hook_binary(),
                "createRuntime"},
               options);
  }
  TempDir dir_{"oci-netns-unpriv"};
  NetnsProcess init_;
};

TEST_F(Unprivileged, WarnLetsTheContainerStartAndCreatesNothing) {
  CommandResult r = hook_as_nobody("");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("on_error=warn"), std::string::npos) << r.err;
  EXPECT_FALSE(path_exists(dir_.file("netns")));
  EXPECT_FALSE(path_exists(dir_.file("state")));
}

TEST_F(Unprivileged, FailStopsTheContainerAndCreatesNothing) {
  CommandResult r = hook_as_nobody(R"(,"on_error":"fail")");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_FALSE(path_exists(dir_.file("netns")));
  EXPECT_FALSE(path_exists(dir_.file("state")));
}

TEST_F(Unprivileged, ConfiguredSysctlsUnderSysctlErrorsFailStopTheContainer) {
  CommandResult r =
      hook_as_nobody(R"(,"sysctls":{"net.ipv4.tcp_keepalive_time":"600"},"sysctl_errors":"fail")");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(path_exists(dir_.file("state")));
}

}  // namespace
}  // namespace ocinetns::test
