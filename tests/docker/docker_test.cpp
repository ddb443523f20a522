// Real Docker 20.10 with the oci-netns-runtime shim registered in daemon.json: `docker run
// --runtime oci-netns` makes the container visible to `ip netns`, with the eth0 address docker
// reports; `docker rm -f` removes it all; host and container: network modes, restart, the
// configured sysctl, a runtime whose hooks match nothing, and 30 containers in parallel.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

class Docker : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(docker_unavailable_reason());
    docker_ = &DockerDaemon::shared();
  }

  // `docker run -d --runtime R --name NAME flags... image args...`; returns the id or "".
  std::string start(const std::string& name, const std::vector<std::string>& args,
                    const std::vector<std::string>& flags = {},
                    const std::string& runtime = "oci-netns") {
    std::vector<std::string> argv{"run", "-d", "--runtime", runtime, "--name", name};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(kBusyboxImage);
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = docker_->docker(argv);
    EXPECT_TRUE(r.ok()) << r.err << "\nhook log:\n" << docker_->hooks().log();
    return r.ok() ? trim(r.out) : "";
  }
  int pid_of(const std::string& id) {
    std::string pid = docker_->inspect(id, "{{.State.Pid}}");
    return pid.empty() ? 0 : std::stoi(pid);
  }
  void remove(const std::string& name) { docker_->docker({"rm", "-f", name}); }
  nlohmann::json record(const std::string& id) {
    return nlohmann::json::parse(read_text(docker_->hooks().record_path(id)), nullptr, false);
  }
  void expect_gone(const std::string& id) {
    std::string ref = "/run/netns/" + id;
    EXPECT_FALSE(netns_listed(id));
    EXPECT_FALSE(path_exists(ref));
    EXPECT_EQ(mountinfo_count(ref), 0);
    EXPECT_FALSE(path_exists(docker_->hooks().record_path(id))) << docker_->hooks().log();
  }

  DockerDaemon* docker_ = nullptr;
};

TEST_F(Docker, ReferenceVisibleWithEth0AndRemovedByRmForce) {
  std::string name = unique_name("oci-netns-docker-life");
  ScopeGuard cleanup([&] { remove(name); });
  std::string id = start(name, {"sleep", "3600"});
  ASSERT_EQ(id.size(), 64u);
  int pid = pid_of(id);
  ASSERT_GT(pid, 0);
  std::string ref = "/run/netns/" + id;

  EXPECT_TRUE(netns_listed(id)) << docker_->hooks().log();
  EXPECT_EQ(inode_of(ref), inode_of("/proc/" + std::to_string(pid) + "/ns/net"));
  EXPECT_EQ(mountinfo_count(ref), 1);
  EXPECT_TRUE(path_exists(docker_->hooks().record_path(id)));
  std::string ip = docker_->inspect(id, "{{.NetworkSettings.IPAddress}}");
  ASSERT_FALSE(ip.empty());
  auto addr = run({"ip", "netns", "exec", id, "ip", "-o", "addr", "show", "dev", "eth0"});
  ASSERT_TRUE(addr.ok()) << addr.err;
  EXPECT_NE(addr.out.find("inet " + ip + "/"), std::string::npos) << addr.out;

  auto removed = docker_->docker({"rm", "-f", id});
  ASSERT_TRUE(removed.ok()) << removed.err;
  expect_gone(id);
}

TEST_F(Docker, ConfiguredSysctlIsWhatTheFirstCommandReads) {
  std::string name = unique_name("oci-netns-docker-sysctl");
  ScopeGuard cleanup([&] { remove(name); });
  std::string sysctl_file = "/proc/sys/net/ipv4/tcp_keepalive_time";
  std::string host_before = trim(read_text(sysctl_file));
  std::string daemon_before = trim(docker_->in_daemon_netns({"cat", sysctl_file}).out);
  ASSERT_NE(host_before, kTestSysctlValue) << "the test could not tell the values apart";
  ASSERT_NE(daemon_before, kTestSysctlValue);
  auto r = docker_->docker(
      {"run", "--runtime", "oci-netns", "--name", name, kBusyboxImage, "cat", sysctl_file});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(trim(r.out), kTestSysctlValue) << docker_->hooks().log();
  // Neither the host's namespace nor the runtime's (the daemon's) was changed.
  EXPECT_EQ(trim(read_text(sysctl_file)), host_before);
  EXPECT_EQ(trim(docker_->in_daemon_netns({"cat", sysctl_file}).out), daemon_before);
  std::string id = docker_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  ASSERT_TRUE(docker_->docker({"rm", "-f", id}).ok());
  expect_gone(id);
}

TEST_F(Docker, HostNetworkGetsNoReference) {
  std::string name = unique_name("oci-netns-docker-host");
  ScopeGuard cleanup([&] { remove(name); });
  std::string id = start(name, {"sleep", "3600"}, {"--network", "host"});
  ASSERT_EQ(id.size(), 64u);
  EXPECT_EQ(docker_->inspect(id, "{{.State.Status}}"), "running");
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(docker_->hooks().record_path(id)));
  // It really is the daemon's namespace (the runtime's), not a private one.
  EXPECT_EQ(inode_of("/proc/" + std::to_string(pid_of(id)) + "/ns/net"),
            inode_of(docker_->netns_path()));
}

TEST_F(Docker, ContainerNetworkModeGetsNoDuplicate) {
  std::string first_name = unique_name("oci-netns-docker-owner");
  std::string second_name = unique_name("oci-netns-docker-joiner");
  ScopeGuard cleanup([&] {
    remove(second_name);
    remove(first_name);
  });
  std::string first = start(first_name, {"sleep", "3600"});
  ASSERT_EQ(first.size(), 64u);
  std::string second = start(second_name, {"sleep", "3600"}, {"--network", "container:" + first});
  ASSERT_EQ(second.size(), 64u);
  unsigned long long ino = inode_of("/proc/" + std::to_string(pid_of(first)) + "/ns/net");
  ASSERT_EQ(inode_of("/proc/" + std::to_string(pid_of(second)) + "/ns/net"), ino);

  EXPECT_EQ(references_to(ino), std::vector<std::string>{first});
  EXPECT_FALSE(path_exists("/run/netns/" + second));

  // The joiner's poststop must leave the owner's reference alone.
  ASSERT_TRUE(docker_->docker({"rm", "-f", second}).ok());
  EXPECT_EQ(references_to(ino), std::vector<std::string>{first});
  ASSERT_TRUE(docker_->docker({"rm", "-f", first}).ok());
  expect_gone(first);
}

// The owner stops first (issue 13, finding 9): the joiner still runs in the namespace, so the
// reference passes to it (same name) and goes when the joiner is removed.
TEST_F(Docker, ContainerNetworkModeReferenceOutlivesTheOwner) {
  std::string first_name = unique_name("oci-netns-docker-owner");
  std::string second_name = unique_name("oci-netns-docker-joiner");
  ScopeGuard cleanup([&] {
    remove(second_name);
    remove(first_name);
  });
  std::string first = start(first_name, {"sleep", "3600"});
  ASSERT_EQ(first.size(), 64u);
  std::string second = start(second_name, {"sleep", "3600"}, {"--network", "container:" + first});
  ASSERT_EQ(second.size(), 64u);
  int second_pid = pid_of(second);
  unsigned long long ino = inode_of("/proc/" + std::to_string(second_pid) + "/ns/net");
  ASSERT_EQ(references_to(ino), std::vector<std::string>{first});

  ASSERT_TRUE(docker_->docker({"stop", "-t", "0", first}).ok());
  EXPECT_EQ(references_to(ino), std::vector<std::string>{first});
  auto identify = run({"ip", "netns", "identify", std::to_string(second_pid)});
  EXPECT_NE(identify.out.find(first), std::string::npos) << identify.out << identify.err;

  ASSERT_TRUE(docker_->docker({"rm", "-f", second}).ok());
  EXPECT_EQ(references_to(ino), std::vector<std::string>{});
  ASSERT_TRUE(docker_->docker({"rm", "-f", first}).ok());
  expect_gone(first);
  expect_gone(second);
}

TEST_F(Docker, RestartReferenceFollowsTheNewPid) {
  std::string name = unique_name("oci-netns-docker-restart");
  ScopeGuard cleanup([&] { remove(name); });
  std::string id = start(name, {"sleep", "3600"});
  ASSERT_EQ(id.size(), 64u);
  int old_pid = pid_of(id);
  ASSERT_NE(inode_of("/run/netns/" + id), 0u);
  ASSERT_EQ(record(id).value("pid", 0), old_pid);

  auto restarted = docker_->docker({"restart", "-t", "0", id});
  ASSERT_TRUE(restarted.ok()) << restarted.err;
  int new_pid = pid_of(id);
  ASSERT_GT(new_pid, 0);
  ASSERT_NE(new_pid, old_pid);
  // Docker 20.10 releases the sandbox on stop and makes a new one (new SandboxID, new netns) on
  // start; poststop removed the old reference and createRuntime made one for the new init. A
  // stale reference would keep the old namespace (and its inode number) alive, so equal inodes
  // mean the reference really is the new namespace.
  unsigned long long ino = inode_of("/proc/" + std::to_string(new_pid) + "/ns/net");
  EXPECT_EQ(inode_of("/run/netns/" + id), ino);
  EXPECT_EQ(mountinfo_count("/run/netns/" + id), 1);
  nlohmann::json rec = record(id);
  EXPECT_EQ(rec.value("pid", 0), new_pid) << docker_->hooks().log();
  EXPECT_EQ(rec["netns"].value("ino", 0ull), ino);

  ASSERT_TRUE(docker_->docker({"rm", "-f", id}).ok());
  expect_gone(id);
}

TEST_F(Docker, UnchangedRunUnderTheShimWorksWhenNoHookMatches) {
  std::string name = unique_name("oci-netns-docker-nomatch");
  ScopeGuard cleanup([&] { remove(name); });
  auto r = docker_->docker(
      {"run", "--runtime", "oci-netns-nomatch", "--name", name, kBusyboxImage, "echo", "hello"});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(trim(r.out), "hello");
  std::string id = docker_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  EXPECT_EQ(docker_->inspect(id, "{{.State.ExitCode}}"), "0");
  EXPECT_EQ(docker_->inspect(id, "{{.HostConfig.Runtime}}"), "oci-netns-nomatch");
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(path_exists(docker_->hooks().record_path(id)));
}

// Issue 6: 30 containers started and removed in parallel through Docker.
TEST_F(Docker, ThirtyInParallelGiveThirtyReferencesThenNone) {
  constexpr int kCount = 30;
  std::string base = unique_name("oci-netns-docker-par");
  std::string client = "/usr/bin/docker -H unix://" + docker_->socket();
  ScopeGuard cleanup([&] {
    sh("for i in $(seq 1 " + std::to_string(kCount) + "); do " + client + " rm -f " + base +
       "-$i >/dev/null 2>&1 & done; wait");
  });
  CommandOptions slow;
  slow.timeout_seconds = 300;
  int netns_dir_mounts = mountinfo_count("/run/netns");
  auto started = sh("for i in $(seq 1 " + std::to_string(kCount) + "); do " + client +
                        " run -d --runtime oci-netns --name " + base + "-$i " + kBusyboxImage +
                        " sleep 3600 >/dev/null || echo failed $i & done; wait",
                    slow);
  ASSERT_TRUE(started.ok()) << started.err;
  EXPECT_EQ(started.out, "") << started.err;

  std::vector<std::string> ids;
  for (int i = 1; i <= kCount; ++i) {
    std::string id = docker_->inspect(base + "-" + std::to_string(i), "{{.Id}}");
    ASSERT_EQ(id.size(), 64u);
    ids.push_back(id);
  }
  for (const auto& id : ids) {
    EXPECT_TRUE(netns_listed(id));
    EXPECT_EQ(mountinfo_count("/run/netns/" + id), 1);
    EXPECT_TRUE(path_exists(docker_->hooks().record_path(id)));
  }
  // Exactly one record and one index entry per container (the state_dir is this daemon's own).
  for (const char* sub : {"/containers", "/netns"}) {
    auto r = run({"ls", "-A", docker_->hooks().state_dir() + sub});
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), kCount) << sub << ":\n" << r.out;
  }
  // /run/netns itself is mounted as before: no stacked self-bind mounts.
  EXPECT_EQ(mountinfo_count("/run/netns"), netns_dir_mounts > 0 ? netns_dir_mounts : 1);

  auto removed = sh("for i in $(seq 1 " + std::to_string(kCount) + "); do " + client + " rm -f " +
                        base + "-$i >/dev/null || echo failed $i & done; wait",
                    slow);
  ASSERT_TRUE(removed.ok()) << removed.err;
  EXPECT_EQ(removed.out, "");
  for (const auto& id : ids) expect_gone(id);
  EXPECT_EQ(mountinfo_count("/run/netns"), netns_dir_mounts > 0 ? netns_dir_mounts : 1);
  for (const char* sub : {"/containers", "/netns"}) {
    auto leftovers = run({"ls", "-A", docker_->hooks().state_dir() + sub});
    EXPECT_EQ(leftovers.out, "") << "stray entries in " << sub;
  }
}

}  // namespace
}  // namespace ocinetns::test
