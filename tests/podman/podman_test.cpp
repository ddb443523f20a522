// Real Podman 4.3 running the hook natively from hooks.d: the reference appears in `ip netns list`
// with the container's eth0, `podman rm -f` removes file, mount and record, and the configured
// sysctl is what the container's first command reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

class Podman : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(podman_unavailable_reason());
    engine_ = &PodmanEngine::shared();
  }
  // `podman run` with our flags; `detach` adds -d.
  CommandResult run_container(const std::string& name, const std::vector<std::string>& args,
                              bool detach, const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv{"run", "--name", name};
    if (detach) argv.push_back("-d");
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const auto& f : PodmanEngine::run_flags()) argv.push_back(f);
    argv.push_back(kBusyboxImage);
    argv.insert(argv.end(), args.begin(), args.end());
    return engine_->podman(argv);
  }
  void remove(const std::string& name) { engine_->podman({"rm", "-f", "-t", "0", name}); }

  PodmanEngine* engine_ = nullptr;
};

TEST_F(Podman, ReferenceVisibleWithEth0AndRemovedByRmForce) {
  std::string name = unique_name("oci-netns-podman-life");
  ScopeGuard cleanup([&] { remove(name); });
  auto started = run_container(name, {"sleep", "3600"}, true);
  ASSERT_TRUE(started.ok()) << started.err << engine_->hooks().log();
  std::string id = engine_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  int pid = std::stoi(engine_->inspect(name, "{{.State.Pid}}"));
  ASSERT_GT(pid, 0);
  std::string ref = "/run/netns/" + id;

  EXPECT_TRUE(netns_listed(id)) << engine_->hooks().log();
  EXPECT_EQ(inode_of(ref), inode_of("/proc/" + std::to_string(pid) + "/ns/net"));
  EXPECT_EQ(mountinfo_count(ref), 1);
  EXPECT_TRUE(path_exists(engine_->hooks().record_path(id)));
  std::string ip = engine_->inspect(name, "{{.NetworkSettings.IPAddress}}");
  ASSERT_FALSE(ip.empty());
  auto addr = run({"ip", "netns", "exec", id, "ip", "-o", "addr", "show", "dev", "eth0"});
  ASSERT_TRUE(addr.ok()) << addr.err;
  EXPECT_NE(addr.out.find("inet " + ip + "/"), std::string::npos) << addr.out;

  auto removed = engine_->podman({"rm", "-f", "-t", "0", name});
  ASSERT_TRUE(removed.ok()) << removed.err;
  EXPECT_FALSE(netns_listed(id));
  EXPECT_FALSE(path_exists(ref));
  EXPECT_EQ(mountinfo_count(ref), 0);
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id))) << engine_->hooks().log();
}

TEST_F(Podman, ConfiguredSysctlIsWhatTheFirstCommandReads) {
  std::string name = unique_name("oci-netns-podman-sysctl");
  ScopeGuard cleanup([&] { remove(name); });
  std::string sysctl_file = "/proc/sys/net/ipv4/tcp_keepalive_time";
  std::string host_before = trim(read_text(sysctl_file));
  ASSERT_NE(host_before, kTestSysctlValue) << "the test could not tell the values apart";
  auto r = run_container(name, {"cat", sysctl_file}, false);
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(trim(r.out), kTestSysctlValue) << engine_->hooks().log();
  EXPECT_EQ(trim(read_text(sysctl_file)), host_before);
  // The container exited: podman's cleanup ran poststop, and rm leaves nothing.
  std::string id = engine_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", name}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id)));
}

TEST_F(Podman, HostNetworkGetsNoReference) {
  std::string name = unique_name("oci-netns-podman-host");
  ScopeGuard cleanup([&] { remove(name); });
  auto started = run_container(name, {"sleep", "3600"}, true, {"--network", "host"});
  ASSERT_TRUE(started.ok()) << started.err;
  std::string id = engine_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  EXPECT_EQ(engine_->inspect(name, "{{.State.Status}}"), "running");
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id)));
}

TEST_F(Podman, ContainerNetworkModeGetsNoDuplicate) {
  std::string first_name = unique_name("oci-netns-podman-owner");
  std::string second_name = unique_name("oci-netns-podman-joiner");
  ScopeGuard cleanup([&] {
    remove(second_name);
    remove(first_name);
  });
  ASSERT_TRUE(run_container(first_name, {"sleep", "3600"}, true).ok());
  auto joined =
      run_container(second_name, {"sleep", "3600"}, true, {"--network", "container:" + first_name});
  ASSERT_TRUE(joined.ok()) << joined.err;
  std::string first = engine_->inspect(first_name, "{{.Id}}");
  std::string second = engine_->inspect(second_name, "{{.Id}}");
  unsigned long long ino =
      inode_of("/proc/" + engine_->inspect(first_name, "{{.State.Pid}}") + "/ns/net");
  ASSERT_EQ(inode_of("/proc/" + engine_->inspect(second_name, "{{.State.Pid}}") + "/ns/net"), ino);
  // Podman's own pin (/run/netns/netns-<uuid>) is not ours; only one reference is the hook's.
  EXPECT_TRUE(path_exists("/run/netns/" + first));
  EXPECT_FALSE(path_exists("/run/netns/" + second));
  // The joiner is recorded as a sharer, so that the reference would outlive the owner.
  ASSERT_TRUE(path_exists(engine_->hooks().record_path(second)));
  EXPECT_EQ(
      nlohmann::json::parse(read_text(engine_->hooks().record_path(second))).value("sharer", false),
      true);

  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", second_name}).ok());
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(second)));
  EXPECT_EQ(inode_of("/run/netns/" + first), ino);
  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", first_name}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + first));
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(first)));
}

TEST_F(Podman, RestartReferenceFollowsTheNewPid) {
  std::string name = unique_name("oci-netns-podman-restart");
  ScopeGuard cleanup([&] { remove(name); });
  ASSERT_TRUE(run_container(name, {"sleep", "3600"}, true).ok());
  std::string id = engine_->inspect(name, "{{.Id}}");
  std::string old_pid = engine_->inspect(name, "{{.State.Pid}}");
  ASSERT_TRUE(path_exists("/run/netns/" + id));

  auto restarted = engine_->podman({"restart", "-t", "0", name});
  ASSERT_TRUE(restarted.ok()) << restarted.err;
  std::string new_pid = engine_->inspect(name, "{{.State.Pid}}");
  ASSERT_NE(new_pid, old_pid);
  EXPECT_EQ(inode_of("/run/netns/" + id), inode_of("/proc/" + new_pid + "/ns/net"))
      << engine_->hooks().log();
  EXPECT_EQ(mountinfo_count("/run/netns/" + id), 1);

  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", name}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id)));
}

// A create that fails after our createRuntime ran: a second hooks.d file, sorted after ours and
// matching only this container, exits 1 at createRuntime. Podman skips poststop then, so our
// reference outlives `podman rm`; the next `gc` (one run, no grace to wait out) removes it.
TEST_F(Podman, FailedCreateIsCollectedByTheNextGcAtOnce) {
  std::string name = unique_name("oci-netns-podman-failed");
  ScopeGuard cleanup([&] { remove(name); });
  std::string failing = engine_->hooks().hooks_dir() + "/zz-oci-netns-test-fail.json";
  write_text(failing, R"({"version": "1.0.0", "hook": {"path": "/bin/false"},
      "when": {"annotations": {"^oci-netns-test-fail$": "^)" +
                          name + R"($"}},
      "stages": ["createRuntime"]})");
  ScopeGuard drop_failing([&] { ::unlink(failing.c_str()); });
  auto started =
      run_container(name, {"sleep", "3600"}, true, {"--annotation", "oci-netns-test-fail=" + name});
  ASSERT_FALSE(started.ok()) << "the failing hook did not fail the create";
  std::string id = engine_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u) << engine_->hooks().log();
  std::string ref = "/run/netns/" + id;
  ASSERT_TRUE(path_exists(engine_->hooks().record_path(id)))
      << "createRuntime did not run: " << engine_->hooks().log();
  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", name}).ok());

  // Measured: the record is complete and names an init that is gone, so gc needs no grace.
  auto record = nlohmann::json::parse(read_text(engine_->hooks().record_path(id)));
  EXPECT_EQ(record.value("status", ""), "complete");
  auto gc = run_hook({"--config", engine_->hooks().config_path(), "gc"}, "");
  EXPECT_TRUE(gc.ok()) << gc.out << gc.err;
  EXPECT_FALSE(path_exists(ref)) << gc.out << engine_->hooks().log();
  EXPECT_EQ(mountinfo_count(ref), 0);
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id))) << gc.out;
}

}  // namespace
}  // namespace ocinetns::test
