// Real runc containers with sysctls configured: the application's first command reads the values
// set inside its namespaces, the host's values never change, and every failure stops the container
// with a line naming the key.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>

#include "common/sys/netns.hpp"
#include "common/sys/sysctl_apply.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

const std::string kAnn = "oci-netns-hook.sysctl/";

std::string host_sysctl(const std::string& path) {
  std::string v = read_text("/proc/sys/" + path);
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

// Records host values at construction; at destruction a changed value is a test failure and is
// put back, so a broken hook cannot leave the host modified.
class HostSysctls {
 public:
  HostSysctls() {
    for (const char* p : {"net/ipv4/tcp_keepalive_time", "net/ipv4/tcp_keepalive_intvl",
                          "net/ipv4/tcp_keepalive_probes", "kernel/shmmni",
                          "net/core/netdev_max_backlog", "net/ipv4/ip_forward"}) {
      before_[p] = host_sysctl(p);
    }
  }
  ~HostSysctls() {
    for (const auto& [path, value] : before_) {
      if (host_sysctl(path) != value) {
        ADD_FAILURE() << "host sysctl " << path << " changed; restoring " << value;
        write_text("/proc/sys/" + path, value + "\n");
      }
    }
  }
  void expect_unchanged() const {
    for (const auto& [path, value] : before_) EXPECT_EQ(host_sysctl(path), value) << path;
  }
  const std::string& operator[](const std::string& path) const { return before_.at(path); }

 private:
  std::map<std::string, std::string> before_;
};

class RuncSysctl : public ::testing::Test {
 protected:
  void SetUp() override { OCI_NETNS_REQUIRE_RUNC(); }

  // Writes a config with private directories plus `extra` members (JSON text without braces).
  HookEnv config(const std::string& extra) {
    std::string text = R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                       dir_.file("state") + R"(","log":{"file":")" + log_path() + R"("})";
    if (!extra.empty()) text += "," + extra;
    write_text(dir_.file("config.json"), text + "}");
    return HookEnv{dir_.file("config.json")};
  }
  std::string log_path() const { return dir_.file("hook.log"); }
  std::string log() const { return read_text(log_path()); }
  std::string id(const std::string& base) const { return base + "-" + std::to_string(getpid()); }
  bool reference_left(const std::string& cid) const {
    return path_exists(dir_.file("netns/" + cid)) ||
           path_exists(dir_.file("state/containers/" + cid + ".json")) ||
           mountinfo_has(dir_.file("netns/" + cid));
  }

  TempDir dir_{"oci-netns-sysctl"};
};

// The app prints the given /proc/sys files, then sleeps.
std::vector<std::string> reader(const std::vector<std::string>& paths) {
  std::string script = "cat";
  for (const auto& p : paths) script += " /proc/sys/" + p;
  return {"sh", "-c", script + "; echo done; sleep 3600"};
}

// Waits for the container's first command to finish printing (not a timing assertion: the
// deadline only bounds a broken run).
std::string wait_output(const RuncContainer& c) {
  for (int i = 0; i < 200; ++i) {
    std::string out = c.output();
    if (out.find("done\n") != std::string::npos) return out;
    usleep(50000);
  }
  return c.output();
}

TEST_F(RuncSysctl, AppReadsConfiguredAnnotatedAndIpcValuesAndHostIsUnchanged) {
  HostSysctls host;
  RuncBundle bundle(
      reader({"net/ipv4/tcp_keepalive_time", "net/ipv4/tcp_keepalive_intvl", "kernel/shmmni"}));
  bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"613",)"
                         R"("kernel.shmmni":"5003"},)"
                         R"("annotation_sysctls":["net.ipv4.tcp_keepalive_*"])"));
  bundle.add_annotation(kAnn + "net.ipv4.tcp_keepalive_intvl", "47");
  RuncContainer c(id("sysctl-ok"), bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  EXPECT_EQ(wait_output(c), "613\n47\n5003\ndone\n");
  EXPECT_NE(host["net/ipv4/tcp_keepalive_time"], "613");
  EXPECT_NE(host["kernel/shmmni"], "5003");
  EXPECT_NE(log().find("set sysctl net.ipv4.tcp_keepalive_intvl=47"), std::string::npos) << log();
  auto deleted = c.kill_and_delete();
  EXPECT_TRUE(deleted.ok()) << deleted.err;
  host.expect_unchanged();
}

TEST_F(RuncSysctl, DisallowedAnnotationIsNotAppliedUnderWarn) {
  HostSysctls host;
  RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time", "net/ipv4/tcp_keepalive_intvl"}));
  bundle.add_hook(config(R"("annotation_sysctls":["net.ipv4.tcp_keepalive_time"],)"
                         R"("sysctl_errors":"warn")"));
  bundle.add_annotation(kAnn + "net.ipv4.tcp_keepalive_time", "614");
  bundle.add_annotation(kAnn + "net.ipv4.tcp_keepalive_intvl", "48");
  RuncContainer c(id("sysctl-deny"), bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  std::string out = wait_output(c);
  EXPECT_TRUE(out.starts_with("614\n")) << out;
  EXPECT_EQ(out.find("\n48\n"), std::string::npos) << out;
  EXPECT_NE(log().find("annotation oci-netns-hook.sysctl/net.ipv4.tcp_keepalive_intvl not "
                       "applied: sysctl net.ipv4.tcp_keepalive_intvl: not allowed by "
                       "annotation_sysctls"),
            std::string::npos)
      << log();
  c.kill_and_delete();
  host.expect_unchanged();
}

TEST_F(RuncSysctl, DisallowedAnnotationFailsTheContainerUnderFail) {
  HostSysctls host;
  RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_intvl"}));
  bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"615"})"));
  bundle.add_annotation(kAnn + "net.ipv4.tcp_keepalive_intvl", "49");
  std::string cid = id("sysctl-deny-fail");
  RuncContainer c(cid, bundle);
  auto started = c.start();
  EXPECT_FALSE(started.ok());
  EXPECT_NE(started.err.find("oci-netns-hook.sysctl/net.ipv4.tcp_keepalive_intvl"),
            std::string::npos)
      << started.err;
  EXPECT_EQ(c.output(), "") << "the application must not have started";
  EXPECT_FALSE(reference_left(cid));
  host.expect_unchanged();
}

TEST_F(RuncSysctl, EachInvalidConfigKeyIsNamedAndNothingOfTheConfigIsApplied) {
  HostSysctls host;
  struct Case {
    std::string member;    // one more member of "sysctls"
    std::string expected;  // in the hook's error
  };
  const Case cases[] = {
      {R"("kernel.hostname":"evil")", "sysctl kernel.hostname: not namespaced"},
      {R"("vm.swappiness":"1")", "sysctl vm.swappiness: vm.* is not namespaced"},
      {R"("fs.file-max":"5")", "sysctl fs.file-max: not namespaced"},
      {R"("net/../kernel/shmmni":"6000")", "sysctl net/../kernel/shmmni: '..' is not allowed"},
      {R"("/proc/sys/net/ipv4/ip_forward":"1")",
       "sysctl /proc/sys/net/ipv4/ip_forward: absolute paths are not allowed"},
      {R"("":"1")", "sysctl: empty key"},
      {R"("net.ipv4.ip_forward":"1\n")", "sysctl net.ipv4.ip_forward: value contains a newline"},
      {R"("net.ipv4.ip_forward":"1\u0000")",
       "sysctl net.ipv4.ip_forward: value contains a newline or NUL"},
      {R"("net.ipv4.ip_forward":")" + std::string(kMaxSysctlValueBytes + 1, '1') + "\"",
       "sysctl net.ipv4.ip_forward: value longer than 4096 bytes"},
  };
  int n = 0;
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.expected);
    RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time"}));
    HookEnv env = config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"616",)" + tc.member + "}");
    std::string default_log = dir_.file("default.log");
    env.env = {"OCI_NETNS_TEST_DEFAULT_LOG=" + default_log};
    bundle.add_hook(env);
    std::string cid = id("sysctl-bad" + std::to_string(n++));
    RuncContainer c(cid, bundle);
    // The whole file is rejected, so its valid key is not applied either, and the container
    // starts on the built-in defaults (README "A config that cannot be used"): the kernel's
    // value for a new network namespace (TCP_KEEPALIVE_TIME, two hours), whatever the host's is.
    // Only the file's directories are kept: the reference is made there.
    auto started = c.start();
    ASSERT_TRUE(started.ok()) << started.err;
    EXPECT_EQ(wait_output(c), "7200\ndone\n");
    std::string logged = read_text(default_log);
    EXPECT_NE(logged.find("error: createRuntime: config not used, running with the built-in "
                          "defaults (no sysctls; its netns_dir and state_dir kept): " +
                          dir_.file("config.json") + ": " + tc.expected),
              std::string::npos)
        << logged;
    EXPECT_EQ(inode_of(dir_.file("netns/" + cid)),
              inode_of("/proc/" + std::to_string(c.pid()) + "/ns/net"));
    EXPECT_TRUE(path_exists(dir_.file("state/containers/" + cid + ".json")));
    EXPECT_FALSE(path_exists("/run/netns/" + cid));
    c.kill_and_delete();
    EXPECT_FALSE(reference_left(cid));
    EXPECT_FALSE(path_exists("/run/netns/" + cid));
    host.expect_unchanged();
  }
}

TEST_F(RuncSysctl, HostNetworkContainerLeavesTheHostValueAlone) {
  HostSysctls host;
  // warn: the container starts; its net key is skipped, its own IPC namespace still gets its key.
  {
    RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time", "kernel/shmmni"}));
    bundle.use_host_network();
    bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"617",)"
                           R"("kernel.shmmni":"5004"},"sysctl_errors":"warn")"));
    RuncContainer c(id("sysctl-hostnet"), bundle);
    auto started = c.start();
    ASSERT_TRUE(started.ok()) << started.err;
    EXPECT_EQ(wait_output(c), host["net/ipv4/tcp_keepalive_time"] + "\n5004\ndone\n");
    EXPECT_NE(log().find("sysctl net.ipv4.tcp_keepalive_time: not applied, the container uses "
                         "the host's network namespace"),
              std::string::npos)
        << log();
    c.kill_and_delete();
    host.expect_unchanged();
  }
  // host_namespace_sysctls=fail (the operator's choice): the skipped key is fatal, even under
  // sysctl_errors=warn, and the host is still untouched. (By default it is an info line:
  // tests/runc/shim_test.cpp.)
  {
    RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time"}));
    bundle.use_host_network();
    bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"618"},)"
                           R"("sysctl_errors":"warn","host_namespace_sysctls":"fail")"));
    RuncContainer c(id("sysctl-hostnet-fail"), bundle);
    auto started = c.start();
    EXPECT_FALSE(started.ok());
    EXPECT_NE(started.err.find("uses the host's network namespace"), std::string::npos)
        << started.err;
    host.expect_unchanged();
  }
}

TEST_F(RuncSysctl, HostIpcContainerLeavesTheHostIpcValueAlone) {
  HostSysctls host;
  RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time", "kernel/shmmni"}));
  auto& namespaces = bundle.spec()["linux"]["namespaces"];
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& n : namespaces) {
    if (n.at("type") != "ipc") kept.push_back(n);  // like `--ipc host`
  }
  namespaces = kept;
  bundle.add_hook(config(R"("sysctls":{"kernel.shmmni":"5006",)"
                         R"("net.ipv4.tcp_keepalive_time":"624"},"sysctl_errors":"warn")"));
  RuncContainer c(id("sysctl-hostipc"), bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  EXPECT_EQ(wait_output(c), "624\n" + host["kernel/shmmni"] + "\ndone\n");
  EXPECT_NE(log().find("sysctl kernel.shmmni: not applied, the container uses the host's IPC "
                       "namespace"),
            std::string::npos)
      << log();
  c.kill_and_delete();
  host.expect_unchanged();
}

TEST_F(RuncSysctl, KeyMissingInTheNamespaceGivesAClearErrorAndRollsBack) {
  HostSysctls host;
  const std::pair<std::string, std::string> cases[] = {
      // A global-only net.core key: it exists on the host but not in a child netns.
      {R"("net.core.netdev_max_backlog":"1234")",
       "sysctl net.core.netdev_max_backlog: does not exist in the container's network namespace"},
      // An interface that is not there: a runc container's new netns only has lo.
      {R"("net.ipv4.conf.eth7.forwarding":"1")",
       "sysctl net.ipv4.conf.eth7.forwarding: does not exist in the container's network "
       "namespace (the interface may not exist yet at createRuntime)"},
  };
  int n = 0;
  for (const auto& [member, expected] : cases) {
    SCOPED_TRACE(expected);
    RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time"}));
    bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"619",)" + member + "}"));
    // Like podman and crun after a failed create: no poststop runs, so createRuntime itself must
    // leave nothing behind.
    bundle.spec()["hooks"].erase("poststop");
    std::string cid = id("sysctl-missing" + std::to_string(n++));
    RuncContainer c(cid, bundle);
    auto started = c.start();
    EXPECT_FALSE(started.ok());
    EXPECT_NE(started.err.find(expected), std::string::npos) << started.err;
    EXPECT_NE(log().find("created " + dir_.file("netns/" + cid)), std::string::npos)
        << "the reference was made before the sysctls, so the rollback is what removed it";
    EXPECT_FALSE(reference_left(cid));
    host.expect_unchanged();
  }
}

TEST_F(RuncSysctl, SpecLinuxSysctlWinsOverTheHooksValue) {
  HostSysctls host;
  RuncBundle bundle(reader({"net/ipv4/tcp_keepalive_time", "net/ipv4/tcp_keepalive_probes"}));
  bundle.add_hook(config(R"("sysctls":{"net.ipv4.tcp_keepalive_time":"620",)"
                         R"("net.ipv4.tcp_keepalive_probes":"4"})"));
  // runc writes linux.sysctl after the createRuntime hooks: explicit per-container settings win.
  bundle.spec()["linux"]["sysctl"] = {{"net.ipv4.tcp_keepalive_time", "621"}};
  RuncContainer c(id("sysctl-spec"), bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  EXPECT_EQ(wait_output(c), "621\n4\ndone\n");
  EXPECT_NE(log().find("set sysctl net.ipv4.tcp_keepalive_time=620"), std::string::npos) << log();
  c.kill_and_delete();
  host.expect_unchanged();
}

TEST_F(RuncSysctl, ValidatePrintsEveryProblem) {
  write_text(dir_.file("bad.json"),
             R"({"sysctls":{"kernel.hostname":"x","vm.swappiness":"1","net.ipv4.ip_forward":"1",)"
             R"("fs.file-max":"2"},"annotation_sysctls":["vm.*"],"sysctl_errors":"maybe"})");
  auto r = run_hook({"validate", "--config", dir_.file("bad.json")}, "");
  EXPECT_EQ(r.exit_code, 2);
  for (const char* needle : {"sysctl kernel.hostname", "sysctl vm.swappiness", "sysctl fs.file-max",
                             "annotation_sysctls vm.*", "sysctl_errors: expected"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << "\n" << r.out;
  }
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5) << r.out;
  EXPECT_EQ(r.out.find("ip_forward"), std::string::npos) << "the valid key is not a problem";

  write_text(dir_.file("good.json"),
             R"({"sysctls":{"net.ipv4.tcp_keepalive_time":"600"},"sysctl_errors":"warn"})");
  auto ok = run_hook({"validate", "--config", dir_.file("good.json")}, "");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find(": ok"), std::string::npos) << ok.out;
}

// The system layer alone: a namespace switch that fails must not fall through to the host.
ProcessNs wrong_type_ns() {
  // An IPC namespace fd handed over as the "network" namespace: setns(fd, CLONE_NEWNET) fails
  // with EINVAL (setns(2)), a real kernel refusal.
  ProcessNs ns;
  ns.ns = UniqueFd(::open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC));
  ns.id = ns_id_of_fd(ns.ns.get(), "/proc/self/ns/ipc");
  return ns;
}

TEST_F(RuncSysctl, FailedSetnsNeverWritesTheHost) {
  HostSysctls host;
  ProcessNs net = wrong_type_ns();
  ASSERT_TRUE(net.ns.valid());
  std::vector<SysctlWrite> writes{
      {normalize_sysctl_key("net.ipv4.tcp_keepalive_time"), "622", SysctlSource::kConfig}};
  auto outcomes = apply_sysctls(writes, SysctlTargets{&net, nullptr});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, SysctlStatus::kFailed);
  EXPECT_EQ(outcomes[0].err, EINVAL);
  EXPECT_NE(outcomes[0].message.find("not written, cannot join the container's network namespace"),
            std::string::npos)
      << outcomes[0].message;
  host.expect_unchanged();
}

TEST_F(RuncSysctl, DeadChildReportsEveryWriteAsFailed) {
  HostSysctls host;
  ProcessNs net = wrong_type_ns();
  ::setenv("OCI_NETNS_FAULT", "sysctl-child", 1);
  std::vector<SysctlWrite> writes{
      {normalize_sysctl_key("net.ipv4.tcp_keepalive_time"), "623", SysctlSource::kConfig}};
  auto outcomes = apply_sysctls(writes, SysctlTargets{&net, nullptr});
  ::unsetenv("OCI_NETNS_FAULT");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, SysctlStatus::kFailed);
  EXPECT_NE(outcomes[0].message.find("killed by signal 9"), std::string::npos)
      << outcomes[0].message;
  host.expect_unchanged();
}

}  // namespace
}  // namespace ocinetns::test
