// containerd 1.6's CRI driven over gRPC the way kubelet drives a node (RunPodSandbox,
// CreateContainer, StartContainer, StopContainer, RemoveContainer, StopPodSandbox,
// RemovePodSandbox), with the runc runtime's BinaryName pointed at oci-netns-runtime and today's
// id-named references (name_template "{id}"): what an operator checks with `ip netns`.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "tests/cri/cri_pod.hpp"
#include "tests/support/cri_node.hpp"

namespace ocinetns::test {
namespace {

// The CRI's own pin of the sandbox's network namespace: the path in the sandbox's runc bundle
// config.json (linux.namespaces, type "network"); "" when the spec has none (host network).
std::string cri_pin(const CriNode& node, const std::string& sandbox_id) {
  auto spec = nlohmann::json::parse(read_text(node.bundle(sandbox_id) + "/config.json"));
  for (const auto& ns : spec["linux"]["namespaces"]) {
    if (ns.value("type", "") == "network") return ns.value("path", "");
  }
  return "";
}

// /var/run is a symlink to /run here; mountinfo names the mount point by its real path.
std::string real_run_path(const std::string& path) {
  return path.rfind("/var/run/", 0) == 0 ? path.substr(4) : path;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class Cri : public ::testing::Test {
 protected:
  // The hook config of the node: one configured sysctl the tests read back; "warn" because with
  // "fail" a host-network pod would be refused (the hook never writes host sysctls).
  virtual nlohmann::json hook_config() const {
    return {{"sysctls", {{kTestSysctlKey, kTestSysctlValue}}}, {"sysctl_errors", "warn"}};
  }

  void SetUp() override {
    OCI_NETNS_REQUIRE(cri_unavailable_reason());
    CriNode::Options options;
    options.hook_config = hook_config();
    node_ = std::make_unique<CriNode>(options);
    cri_ = std::make_unique<CriClient>(node_->socket());
    ASSERT_TRUE(cri_->wait_ready(30)) << node_->log();
  }

  void TearDown() override {
    // Pods a failed test left behind (its Pod objects already tried): remove them while
    // containerd still runs, so their pins and our references go too.
    if (cri_ && node_) {
      try {
        for (const auto& id : cri_->list_pod_sandboxes()) {
          try {
            cri_->stop_pod_sandbox(id);
            cri_->remove_pod_sandbox(id);
          } catch (const CriError& e) {
            ADD_FAILURE() << "cleanup of sandbox " << id << ": " << e.what();
          }
        }
      } catch (const CriError&) {
      }
    }
    cri_.reset();
    node_.reset();
  }

  std::string hook_log() const { return node_->hooks().log(); }

  // After a pod's teardown: no reference, no CRI pin, no mount left in /run/netns for it, and
  // no record or sharer entry in the state directory.
  void expect_nothing_left(const std::string& sandbox_id, const std::string& pin,
                           unsigned long long ino) {
    EXPECT_FALSE(path_exists("/run/netns/" + sandbox_id));
    EXPECT_FALSE(netns_listed(sandbox_id));
    EXPECT_EQ(mountinfo_count("/run/netns/" + sandbox_id), 0);
    if (!pin.empty()) {
      EXPECT_FALSE(path_exists(pin));
      EXPECT_EQ(mountinfo_count(real_run_path(pin)), 0);
    }
    EXPECT_TRUE(references_to(ino).empty());
    EXPECT_TRUE(dir_entries(node_->hooks().state_dir() + "/containers").empty()) << hook_log();
    EXPECT_TRUE(dir_entries(node_->hooks().state_dir() + "/sharers").empty()) << hook_log();
  }

  std::unique_ptr<CriNode> node_;
  std::unique_ptr<CriClient> cri_;
};

TEST_F(Cri, SandboxReferenceIsListedHoldsTheCriPinsNamespaceAndThePodsAddress) {
  Pod pod(*cri_, {});
  std::string pin = cri_pin(*node_, pod.id());
  ASSERT_EQ(pin.rfind("/var/run/netns/cni-", 0), 0u) << pin;
  unsigned long long ino = inode_of(pin);
  ASSERT_NE(ino, 0u);

  EXPECT_TRUE(netns_listed(pod.id())) << hook_log();
  EXPECT_EQ(inode_of("/run/netns/" + pod.id()), ino);
  EXPECT_EQ(mountinfo_count("/run/netns/" + pod.id()), 1);
  EXPECT_TRUE(path_exists(node_->hooks().record_path(pod.id())));

  std::string ip = pod.ip();
  ASSERT_EQ(ip.rfind("10.233.7.", 0), 0u) << ip;
  auto addr = run({"ip", "netns", "exec", pod.id(), "ip", "-o", "-4", "addr"});
  ASSERT_TRUE(addr.ok()) << addr.err;
  EXPECT_NE(addr.out.find("inet " + ip + "/24"), std::string::npos) << addr.out;
  // The bridge has no address (isGateway false) and lives in the node's namespace, not the host's.
  auto bridge = node_->in_node_netns({"ip", "-o", "-4", "addr", "show", "dev", "cri-test0"});
  EXPECT_TRUE(bridge.ok()) << bridge.err;
  EXPECT_EQ(trim(bridge.out), "");
  EXPECT_FALSE(run({"ip", "link", "show", "dev", "cri-test0"}).ok());

  // `oci-netns-hook list`, run where the node's links are: the pod's eth0 with its IP, the veth
  // peer on the bridge, and the CRI's pin marked as the same namespace as our reference.
  auto listed = node_->in_node_netns({hook_binary(), "list", "--json"},
                                     {"OCI_NETNS_HOOK_CONFIG=" + node_->hooks().config_path()});
  ASSERT_TRUE(listed.ok()) << listed.err;
  auto doc = nlohmann::json::parse(listed.out);
  std::string pin_name = pin.substr(pin.rfind('/') + 1);
  bool ours = false;
  bool pinned = false;
  bool eth0 = false;
  for (const auto& e : doc["entries"]) {
    if (e["name"] == pod.id() && e["owner"] == "hook") {
      ours = true;
      EXPECT_EQ(e["state"], "live");
      for (const auto& i : e["interfaces"]) {
        if (i["name"] != "eth0") continue;
        eth0 = true;
        // Its IPv4 address first; an IPv6 link-local one may follow.
        ASSERT_FALSE(i["addresses"].empty()) << i.dump();
        EXPECT_EQ(i["addresses"][0], ip + "/24");
        EXPECT_EQ(i["peer"]["netns"], "host");
        EXPECT_EQ(i["peer"]["bridge"], "cri-test0");
      }
    }
    if (e["name"] == pin_name) {
      pinned = true;
      EXPECT_EQ(e["owner"], "foreign");
      EXPECT_EQ(e["same_netns_as"], pod.id());
    }
  }
  EXPECT_TRUE(ours && pinned && eth0) << listed.out;

  ASSERT_NO_THROW(pod.teardown());
  expect_nothing_left(pod.id(), pin, ino);
}

// App containers join the sandbox's namespace (/proc/<pause pid>/ns/net): with shared_netns
// "skip" each is recorded as a sharer and gets no name of its own, however many there are.
TEST_F(Cri, OneReferencePerPodHoweverManyContainers) {
  Pod pod(*cri_, {});
  std::string pin = cri_pin(*node_, pod.id());
  unsigned long long ino = inode_of(pin);
  std::string app = pod.add_container("app");
  std::string sidecar = pod.add_container("sidecar");

  std::string pin_name = pin.substr(pin.rfind('/') + 1);
  EXPECT_EQ(sorted(references_to(ino)), sorted({pod.id(), pin_name})) << hook_log();
  for (const auto& id : {app, sidecar}) {
    EXPECT_FALSE(path_exists("/run/netns/" + id));
    auto record = nlohmann::json::parse(read_text(node_->hooks().record_path(id)));
    EXPECT_TRUE(record.value("sharer", false)) << record.dump();
  }

  // A container going away leaves the pod's reference alone.
  ASSERT_NO_THROW(pod.remove_container(app));
  EXPECT_FALSE(path_exists(node_->hooks().record_path(app)));
  EXPECT_EQ(inode_of("/run/netns/" + pod.id()), ino);

  ASSERT_NO_THROW(pod.teardown());
  expect_nothing_left(pod.id(), pin, ino);
}

TEST_F(Cri, HostNetworkPodGetsNoReference) {
  PodSpec spec;
  spec.name = "hostnet";
  spec.host_network = true;
  auto before = sorted(dir_entries("/run/netns"));
  Pod pod(*cri_, spec);
  std::string app = pod.add_container("app");
  EXPECT_EQ(cri_pin(*node_, pod.id()), "");
  EXPECT_FALSE(path_exists("/run/netns/" + pod.id()));
  EXPECT_FALSE(path_exists("/run/netns/" + app));
  EXPECT_EQ(sorted(dir_entries("/run/netns")), before);
  EXPECT_TRUE(dir_entries(node_->hooks().state_dir() + "/containers").empty()) << hook_log();
  // The hook ran for both and saw the runtime's own namespace (the node's, here).
  for (const auto& id : {pod.id(), app}) {
    EXPECT_NE(hook_log().find("skipped " + id), std::string::npos) << hook_log();
  }
  ASSERT_NO_THROW(pod.teardown());
  EXPECT_EQ(sorted(dir_entries("/run/netns")), before);
}

// runc writes the spec's linux.sysctl (the pod's securityContext.sysctls) after createRuntime,
// so a pod's own value wins; a pod without one reads the configured value.
TEST_F(Cri, PodSysctlsWinOverConfiguredOnes) {
  PodSpec plain;
  plain.name = "plain";
  PodSpec tuned;
  tuned.name = "tuned";
  tuned.sysctls = {{kTestSysctlKey, "300"}};
  Pod a(*cri_, plain);
  Pod b(*cri_, tuned);
  auto read = [](const std::string& ref) {
    auto r = run({"ip", "netns", "exec", ref, "cat", "/proc/sys/net/ipv4/tcp_keepalive_time"});
    return r.ok() ? trim(r.out) : "error: " + r.err;
  };
  EXPECT_EQ(read(a.id()), kTestSysctlValue) << hook_log();
  EXPECT_EQ(read(b.id()), "300") << hook_log();
  // The app container sees the pod's value too: it is the same namespace.
  a.add_container("app");
  EXPECT_EQ(read(a.id()), kTestSysctlValue);
}

// containerd dies with pods running (its shims keep them), comes back on the same state, and
// kubelet's teardown then removes everything: poststop runs from the restarted containerd.
TEST_F(Cri, ContainerdKilledAndRestartedThenTeardownRemovesEverything) {
  Pod pod(*cri_, {});
  std::string pin = cri_pin(*node_, pod.id());
  unsigned long long ino = inode_of(pin);
  pod.add_container("app");

  node_->kill_containerd();
  EXPECT_TRUE(netns_listed(pod.id()));
  EXPECT_EQ(inode_of("/run/netns/" + pod.id()), ino);
  node_->start_containerd();
  ASSERT_TRUE(cri_->wait_ready(30)) << node_->log();
  EXPECT_EQ(cri_->pod_sandbox_status(pod.id()).status().state(), runtime::v1::SANDBOX_READY);

  ASSERT_NO_THROW(pod.teardown()) << node_->log();
  expect_nothing_left(pod.id(), pin, ino);
}

// A fresh node: /run/netns is a plain directory when containerd pins the first sandbox, and the
// hook's createRuntime then makes it a mount point (self-bind, MS_BIND|MS_REC). Without the
// hook's detaching of the originals the recursive bind copied, the pin's original mount stayed
// underneath, hidden, and StopPodSandbox failed ("failed to remove netns: unlinkat
// /run/netns/cni-...: device or resource busy") on every retry, so kubelet could never remove the
// pod. It changes /run/netns only when the directory is empty (other suites' leftovers would be
// hidden), and puts the self-bind back (and any hidden pin away) on the way out.
TEST_F(Cri, PodPinnedBeforeNetnsDirIsAMountPointStillTearsDown) {
  if (!dir_entries("/run/netns").empty()) {
    GTEST_SKIP() << "/run/netns is not empty";
  }
  if (mountinfo_has("/run/netns")) {
    ASSERT_EQ(::umount2("/run/netns", MNT_DETACH), 0);
  }
  std::string pin;
  struct Repair {
    std::string& pin;
    ~Repair() {
      if (!pin.empty() && mountinfo_has(real_run_path(pin))) {
        ::umount2("/run/netns", MNT_DETACH);
        ::umount2(pin.c_str(), MNT_DETACH);
        ::unlink(pin.c_str());
      }
      try {
        make_netns_dir_a_mount_point();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
  } repair{pin};
  Pod pod(*cri_, {});
  pin = cri_pin(*node_, pod.id());
  unsigned long long ino = inode_of(pin);
  EXPECT_TRUE(netns_listed(pod.id())) << hook_log();
  EXPECT_NO_THROW(pod.teardown());
  expect_nothing_left(pod.id(), pin, ino);
}

// ---- <namespace>_<pod> names ----------------------------------------------------------------
// The "{name}" placeholder (Kubernetes pod names from the sandbox annotations) and the
// name-collision fallback; the expected names come from kubernetes_reference_name().
class CriPodNames : public Cri {
 protected:
  nlohmann::json hook_config() const override {
    auto config = Cri::hook_config();
    config["name_template"] = "{name}";
    return config;
  }
};

TEST_F(CriPodNames, PodIsListedAsNamespaceUnderscoreName) {
  Pod pod(*cri_, {});
  std::string name = kubernetes_reference_name(pod.spec());
  EXPECT_EQ(name, "shop_web");
  std::string pin = cri_pin(*node_, pod.id());
  unsigned long long ino = inode_of(pin);
  EXPECT_TRUE(netns_listed(name)) << hook_log();
  EXPECT_EQ(inode_of("/run/netns/" + name), ino);
  auto addr = run({"ip", "netns", "exec", name, "ip", "-o", "-4", "addr"});
  EXPECT_NE(addr.out.find("inet " + pod.ip() + "/"), std::string::npos) << addr.out;
  pod.add_container("app");
  EXPECT_EQ(sorted(references_to(ino)), sorted({name, pin.substr(pin.rfind('/') + 1)}));
  ASSERT_NO_THROW(pod.teardown());
  EXPECT_FALSE(path_exists("/run/netns/" + name));
  expect_nothing_left(pod.id(), pin, ino);
}

TEST_F(CriPodNames, SamePodNameInAnotherNamespaceGetsItsOwnName) {
  PodSpec other;
  other.ns = "other";
  Pod shop(*cri_, {});
  Pod other_pod(*cri_, other);
  EXPECT_TRUE(netns_listed(kubernetes_reference_name(shop.spec())));
  EXPECT_TRUE(netns_listed(kubernetes_reference_name(other)));
  EXPECT_EQ(kubernetes_reference_name(other), "other_web");
  EXPECT_NE(inode_of("/run/netns/shop_web"), inode_of("/run/netns/other_web"));
}

// A second sandbox for the same pod while the first still exists gets a reference of its own
// (the collision fallback), and removing the first leaves the second's alone.
TEST_F(CriPodNames, SecondSandboxOfTheSamePodGetsAReference) {
  Pod first(*cri_, {});
  PodSpec retry;
  retry.attempt = 1;
  auto second = std::make_unique<Pod>(*cri_, retry);
  unsigned long long second_ino = inode_of(cri_pin(*node_, second->id()));
  auto refs = references_to(second_ino);
  EXPECT_EQ(refs.size(), 2u) << hook_log();  // its CRI pin and our fallback name
  ASSERT_NO_THROW(first.teardown());
  EXPECT_EQ(references_to(second_ino).size(), 2u) << hook_log();
}

}  // namespace
}  // namespace ocinetns::test
