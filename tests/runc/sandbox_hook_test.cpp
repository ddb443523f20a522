// The real hook under its seccomp sandbox (config "sandbox"): with "errno" and "kill" it still
// makes, fills (sysctls) and removes the reference of a runc container; a syscall outside the
// allowlist (the test-build probe's execve) is refused with EPERM and logged, or kills the hook
// by SIGSYS with a logged line, and the program it tried to run never runs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

class RuncSandbox : public ::testing::Test {
 protected:
  void SetUp() override { OCI_NETNS_REQUIRE_RUNC(); }

  // A config with private directories, a log file and the given sandbox mode plus `extra`
  // members (JSON text without braces).
  HookEnv config(const std::string& mode, const std::string& extra = "") {
    std::string text = R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                       dir_.file("state") + R"(","sandbox":")" + mode +
                       R"(","log":{"level":"debug","file":")" + log_path() + R"("})";
    if (!extra.empty()) text += "," + extra;
    write_text(dir_.file("config.json"), text + "}");
    return HookEnv{dir_.file("config.json")};
  }
  std::string log_path() const { return dir_.file("hook.log"); }
  std::string log() const { return path_exists(log_path()) ? read_text(log_path()) : ""; }
  std::string marker() const { return dir_.file("probe-ran"); }
  std::string id(const std::string& base) const { return base + "-" + std::to_string(getpid()); }
  std::string reference(const std::string& cid) const { return dir_.file("netns/" + cid); }
  std::string record(const std::string& cid) const {
    return dir_.file("state/containers/" + cid + ".json");
  }
  std::vector<std::string> probe_env() const {
    return {"OCI_NETNS_TEST_SANDBOX_PROBE=execve", "OCI_NETNS_TEST_SANDBOX_MARKER=" + marker()};
  }
  // Runs poststop directly (no runc) with the probe and a config in sandbox `mode`.
  CommandResult poststop_with_probe(const std::string& mode, const std::string& base) {
    HookEnv env = config(mode);
    std::vector<std::string> vars = probe_env();
    vars.push_back("OCI_NETNS_HOOK_CONFIG=" + env.config_path);
    std::string state =
        R"({"ociVersion":"1.0.2","id":")" + id(base) + R"(","status":"stopped","bundle":"/tmp"})";
    return run_hook({"poststop"}, state, vars);
  }
  // Adds the probe's variables to both hook entries of `bundle`.
  void add_probe(RuncBundle& bundle) const {
    for (const char* stage : {"createRuntime", "poststop"}) {
      for (auto& hook : bundle.spec()["hooks"][stage]) {
        for (const auto& e : probe_env()) hook["env"].push_back(e);
      }
    }
  }

  // Starts a container with the sysctl child in play, checks reference, record and the value
  // the application reads, then deletes it and checks everything is gone.
  void lifecycle(const std::string& mode, const std::string& extra) {
    RuncBundle bundle;
    std::string sysctls = R"("sysctls":{"net.ipv4.tcp_keepalive_time":"917"})";
    bundle.add_hook(config(mode, extra.empty() ? sysctls : sysctls + "," + extra));
    std::string cid = id("sbx-" + mode);
    RuncContainer c(cid, bundle);
    auto started = c.start();
    ASSERT_TRUE(started.ok()) << started.err << "\nlog:\n" << log();
    ASSERT_GT(c.pid(), 0);
    EXPECT_EQ(inode_of(reference(cid)), inode_of("/proc/" + std::to_string(c.pid()) + "/ns/net"));
    EXPECT_TRUE(mountinfo_has(reference(cid)));
    EXPECT_TRUE(path_exists(record(cid)));
    auto value = c.exec({"cat", "/proc/sys/net/ipv4/tcp_keepalive_time"});
    EXPECT_EQ(value.out, "917\n") << value.err;
    auto deleted = c.kill_and_delete();
    ASSERT_TRUE(deleted.ok()) << deleted.err << "\nlog:\n" << log();
    EXPECT_FALSE(path_exists(reference(cid)));
    EXPECT_FALSE(mountinfo_has(reference(cid)));
    EXPECT_FALSE(path_exists(record(cid)));
    std::string text = log();
    EXPECT_NE(text.find("set sysctl net.ipv4.tcp_keepalive_time=917"), std::string::npos) << text;
    EXPECT_NE(text.find("removed " + reference(cid)), std::string::npos) << text;
    EXPECT_EQ(text.find("not permitted"), std::string::npos) << text;
    EXPECT_EQ(text.find("sandbox:"), std::string::npos) << text;
  }

  TempDir dir_{"oci-netns-sandbox"};
};

TEST_F(RuncSandbox, ErrnoModeHookWorkSucceeds) {
  lifecycle("errno", "");
}

// Kill mode turns any missing allowlist entry into a dead hook, so this also proves the list
// covers syslog(3) (socket/connect/sendto) next to the file log and the sysctl child.
TEST_F(RuncSandbox, KillModeHookWorkSucceeds) {
  lifecycle("kill", R"("on_error":"fail")");
}

TEST_F(RuncSandbox, KillModeWithSyslogHookWorkSucceeds) {
  // The log object is replaced wholesale: syslog on, same file.
  RuncBundle bundle;
  std::string text = R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                     dir_.file("state") + R"(","sandbox":"kill","on_error":"fail",)" +
                     R"("log":{"level":"debug","syslog":true,"file":")" + log_path() + R"("}})";
  write_text(dir_.file("config.json"), text);
  bundle.add_hook(HookEnv{dir_.file("config.json")});
  std::string cid = id("sbx-syslog");
  RuncContainer c(cid, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err << "\nlog:\n" << log();
  EXPECT_TRUE(mountinfo_has(reference(cid)));
  ASSERT_TRUE(c.kill_and_delete().ok()) << log();
  EXPECT_FALSE(path_exists(reference(cid)));
  EXPECT_EQ(log().find("sandbox:"), std::string::npos) << log();
}

TEST_F(RuncSandbox, ErrnoModeRefusesExecveLogsItAndStillWorks) {
  RuncBundle bundle;
  bundle.add_hook(config("errno"));
  add_probe(bundle);
  std::string cid = id("sbx-probe");
  RuncContainer c(cid, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err << "\nlog:\n" << log();
  EXPECT_TRUE(mountinfo_has(reference(cid)));
  std::string text = log();
  EXPECT_NE(text.find("createRuntime: sandbox probe: execve /bin/touch: Operation not permitted"),
            std::string::npos)
      << text;
  ASSERT_TRUE(c.kill_and_delete().ok()) << log();
  EXPECT_FALSE(path_exists(reference(cid)));
  EXPECT_FALSE(path_exists(record(cid)));
  text = log();
  EXPECT_NE(text.find("poststop: sandbox probe: execve /bin/touch: Operation not permitted"),
            std::string::npos)
      << text;
  EXPECT_FALSE(path_exists(marker())) << "the refused program ran";
}

TEST_F(RuncSandbox, KillModeKillsTheHookBySigsysAndLogsTheSyscall) {
  RuncBundle bundle;
  bundle.add_hook(config("kill", R"("on_error":"warn")"));
  add_probe(bundle);
  std::string cid = id("sbx-kill");
  RuncContainer c(cid, bundle);
  auto started = c.start();
  // The hook died before it made anything, so runc fails the start whatever on_error says.
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.err.find("bad system call"), std::string::npos) << started.err;
  std::string line = "critical: sandbox: syscall " + std::to_string(__NR_execve) +
                     " is not in the allowlist (sandbox \"kill\"), killing the hook";
  EXPECT_NE(log().find(line), std::string::npos) << log();
  EXPECT_FALSE(path_exists(reference(cid)));
  EXPECT_FALSE(path_exists(record(cid)));
  EXPECT_FALSE(path_exists(marker())) << "the refused program ran";
}

// The same stage outside runc: the exit status says SIGSYS, stderr has the line.
TEST_F(RuncSandbox, KillModePoststopDiesBySigsys) {
  auto r = poststop_with_probe("kill", "sbx-stop");
  EXPECT_EQ(r.exit_code, 128 + SIGSYS) << r.err;
  EXPECT_NE(r.err.find("sandbox: syscall " + std::to_string(__NR_execve)), std::string::npos)
      << r.err;
  EXPECT_FALSE(path_exists(marker()));
}

// The control: without the sandbox the probe's program does run, so the tests above can fail.
TEST_F(RuncSandbox, OffModeLetsTheProbeRun) {
  auto r = poststop_with_probe("off", "sbx-off");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(path_exists(marker()));
}

}  // namespace
}  // namespace ocinetns::test
