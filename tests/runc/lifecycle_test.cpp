// Real runc containers with the hook registered in config.json: what `ip netns list`, the
// reference inode, /proc/self/mountinfo and the state directory show at each step.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <set>
#include <sstream>

#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

const std::string kNetnsDir = "/run/netns";
const std::string kRecords = "/run/oci-netns-hook/containers";

std::string unique_id(const std::string& base) {
  return base + "-" + std::to_string(getpid());
}

bool listed(const std::string& name) {
  auto names = ip_netns_list();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string ns_of(int pid) {
  return "/proc/" + std::to_string(pid) + "/ns/net";
}

// A config file for the hook, owned by the test.
class HookConfig {
 public:
  explicit HookConfig(const std::string& json) { write_text(path(), json); }
  [[nodiscard]] std::string path() const { return dir_.file("config.json"); }
  [[nodiscard]] HookEnv env() const { return HookEnv{path()}; }

 private:
  TempDir dir_{"oci-netns-config"};
};

// Deletes an `ip netns add` namespace on scope exit.
struct IpNetns {
  explicit IpNetns(std::string n) : name(std::move(n)) {
    auto r = run({"ip", "netns", "add", name});
    EXPECT_TRUE(r.ok()) << r.err;
  }
  ~IpNetns() { run({"ip", "netns", "del", name}); }
  std::string name;
};

void expect_all_gone(const std::string& id) {
  EXPECT_FALSE(listed(id)) << id;
  EXPECT_FALSE(path_exists(kNetnsDir + "/" + id)) << id;
  EXPECT_FALSE(mountinfo_has(kNetnsDir + "/" + id)) << id;
  EXPECT_FALSE(path_exists(kRecords + "/" + id + ".json")) << id;
}

TEST(RuncLifecycle, ReferenceVisibleWhileRunningAndGoneAfterDelete) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle bundle;
  bundle.add_hook({});
  std::string id = unique_id("life");
  RuncContainer c(id, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  int pid = c.pid();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(listed(id));
  EXPECT_EQ(inode_of(kNetnsDir + "/" + id), inode_of(ns_of(pid)));
  EXPECT_TRUE(mountinfo_has(kNetnsDir + "/" + id));
  EXPECT_TRUE(path_exists(kRecords + "/" + id + ".json"));
  // `ip netns identify` compares st_dev/st_ino the same way.
  auto identify = run({"ip", "netns", "identify", std::to_string(pid)});
  EXPECT_NE(identify.out.find(id), std::string::npos) << identify.out;

  auto deleted = c.kill_and_delete();
  ASSERT_TRUE(deleted.ok()) << deleted.err;
  expect_all_gone(id);
}

TEST(RuncLifecycle, IpNetnsExecSeesInterfaceMovedIntoContainer) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle bundle;
  bundle.add_hook({});
  std::string id = unique_id("exec");
  RuncContainer c(id, bundle);
  ASSERT_TRUE(c.start().ok());
  std::string host_end = "onh" + std::to_string(getpid() % 100000);
  std::string cont_end = "onc" + std::to_string(getpid() % 100000);
  auto cleanup = [&] { run({"ip", "link", "del", host_end}); };
  auto added = run({"ip", "link", "add", host_end, "type", "veth", "peer", "name", cont_end});
  ASSERT_TRUE(added.ok()) << added.err;
  auto moved = run({"ip", "link", "set", cont_end, "netns", id});
  if (!moved.ok()) cleanup();
  ASSERT_TRUE(moved.ok()) << moved.err;
  auto seen = run({"ip", "netns", "exec", id, "ip", "-o", "link", "show"});
  EXPECT_NE(seen.out.find(cont_end), std::string::npos) << seen.out << seen.err;
  // The container itself sees the same interface: the reference is its namespace.
  auto inside = c.exec({"ip", "-o", "link", "show"});
  EXPECT_NE(inside.out.find(cont_end), std::string::npos) << inside.out << inside.err;
  cleanup();
  ASSERT_TRUE(c.kill_and_delete().ok());
  expect_all_gone(id);
}

TEST(RuncLifecycle, HostNetworkContainerGetsNoReference) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle bundle;
  bundle.use_host_network();
  bundle.add_hook({});
  std::string id = unique_id("hostnet");
  RuncContainer c(id, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  ASSERT_GT(c.pid(), 0);
  EXPECT_EQ(inode_of(ns_of(c.pid())), inode_of("/proc/self/ns/net"));
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(path_exists(kNetnsDir + "/" + id));
  EXPECT_FALSE(path_exists(kRecords + "/" + id + ".json"));
  ASSERT_TRUE(c.kill_and_delete().ok());
}

TEST(RuncLifecycle, TwoContainersSharingOneNetnsGetOneReference) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle first_bundle;
  first_bundle.add_hook({});
  std::string first_id = unique_id("share-a");
  RuncContainer first(first_id, first_bundle);
  ASSERT_TRUE(first.start().ok());
  int first_pid = first.pid();
  ASSERT_GT(first_pid, 0);

  RuncBundle second_bundle;
  second_bundle.join_network(ns_of(first_pid));
  second_bundle.add_hook({});
  std::string second_id = unique_id("share-b");
  RuncContainer second(second_id, second_bundle);
  auto started = second.start();
  ASSERT_TRUE(started.ok()) << started.err;
  ASSERT_GT(second.pid(), 0);
  EXPECT_EQ(inode_of(ns_of(second.pid())), inode_of(ns_of(first_pid)));
  EXPECT_TRUE(listed(first_id));
  EXPECT_FALSE(listed(second_id));

  // Deleting the joiner must not take the owner's reference with it.
  ASSERT_TRUE(second.kill_and_delete().ok());
  EXPECT_TRUE(listed(first_id));
  EXPECT_EQ(inode_of(kNetnsDir + "/" + first_id), inode_of(ns_of(first_pid)));
  ASSERT_TRUE(first.kill_and_delete().ok());
  expect_all_gone(first_id);
}

// The state directory's entries for a namespace: its index entry and its sharers' directory,
// both named <dev>-<ino> of the nsfs inode.
std::string ns_key(const std::string& ns_path) {
  struct stat st {};
  if (::stat(ns_path.c_str(), &st) != 0) return "?";
  return std::to_string(st.st_dev) + "-" + std::to_string(st.st_ino);
}

void expect_ns_forgotten(const std::string& key) {
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/netns/" + key)) << "leaked index entry";
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/sharers/" + key)) << "leaked sharer entries";
}

// `ip netns identify <pid>`: the names in /run/netns that hold the process's netns.
std::string identify(int pid) {
  return run({"ip", "netns", "identify", std::to_string(pid)}).out;
}

// The owner goes first: the reference passes to a container still in the namespace (issue 13,
// finding 9), and goes with the last one.
TEST(RuncLifecycle, SharedNetnsReferenceOutlivesTheOwnerUntilTheLastSharerStops) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle owner_bundle;
  owner_bundle.add_hook({});
  std::string owner_id = unique_id("outlive-a");
  RuncContainer owner(owner_id, owner_bundle);
  ASSERT_TRUE(owner.start().ok());
  std::string ns = ns_of(owner.pid());
  unsigned long long ino = inode_of(ns);
  std::string key = ns_key(ns);

  RuncBundle b_bundle;
  b_bundle.join_network(ns);
  b_bundle.add_hook({});
  RuncContainer b(unique_id("outlive-b"), b_bundle);
  RuncBundle c_bundle;
  c_bundle.join_network(ns);
  c_bundle.add_hook({});
  RuncContainer c(unique_id("outlive-c"), c_bundle);
  auto started = b.start();
  ASSERT_TRUE(started.ok()) << started.err;
  started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  int b_pid = b.pid();
  int c_pid = c.pid();
  ASSERT_EQ(inode_of(ns_of(b_pid)), ino);
  ASSERT_EQ(inode_of(ns_of(c_pid)), ino);
  EXPECT_FALSE(listed(b.id()));
  EXPECT_FALSE(listed(c.id()));

  ASSERT_TRUE(owner.kill_and_delete().ok());
  // Still named, by the same reference: the owner's name passed to a sharer.
  EXPECT_NE(identify(b_pid).find(owner_id), std::string::npos) << identify(b_pid);
  EXPECT_EQ(inode_of(kNetnsDir + "/" + owner_id), ino);
  EXPECT_EQ(mountinfo_count(kNetnsDir + "/" + owner_id), 1);
  // The owner's id again, in a new namespace: the name belongs to a sharer now, so the new
  // container gets the collision rule's fallback name and the sharer's reference is untouched.
  {
    HookConfig strict(R"({"on_error": "fail"})");
    RuncBundle again_bundle;
    again_bundle.add_hook(strict.env());
    RuncContainer again(owner_id, again_bundle);
    auto restarted = again.start();
    ASSERT_TRUE(restarted.ok()) << restarted.err;
    std::string fallback = owner_id + "-" + owner_id.substr(0, 12);
    EXPECT_EQ(inode_of(kNetnsDir + "/" + fallback), inode_of(ns_of(again.pid())));
    EXPECT_EQ(inode_of(kNetnsDir + "/" + owner_id), ino);
    ASSERT_TRUE(again.kill_and_delete().ok());
    EXPECT_FALSE(path_exists(kNetnsDir + "/" + fallback));
  }
  EXPECT_EQ(inode_of(kNetnsDir + "/" + owner_id), ino);

  ASSERT_TRUE(b.kill_and_delete().ok());
  EXPECT_NE(identify(c_pid).find(owner_id), std::string::npos) << identify(c_pid);
  EXPECT_EQ(inode_of(kNetnsDir + "/" + owner_id), ino);

  ASSERT_TRUE(c.kill_and_delete().ok());
  expect_all_gone(owner_id);
  expect_all_gone(b.id());
  expect_all_gone(c.id());
  expect_ns_forgotten(key);
}

// The sharers go first: the owner's reference stays until the owner stops, then nothing is left.
TEST(RuncLifecycle, SharedNetnsSharersStoppingFirstLeaveTheOwnersReference) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle owner_bundle;
  owner_bundle.add_hook({});
  std::string owner_id = unique_id("first-a");
  RuncContainer owner(owner_id, owner_bundle);
  ASSERT_TRUE(owner.start().ok());
  int owner_pid = owner.pid();
  std::string ns = ns_of(owner_pid);
  unsigned long long ino = inode_of(ns);
  std::string key = ns_key(ns);
  RuncBundle b_bundle;
  b_bundle.join_network(ns);
  b_bundle.add_hook({});
  RuncContainer b(unique_id("first-b"), b_bundle);
  ASSERT_TRUE(b.start().ok());
  ASSERT_EQ(inode_of(ns_of(b.pid())), ino);

  ASSERT_TRUE(b.kill_and_delete().ok());
  expect_all_gone(b.id());
  EXPECT_NE(identify(owner_pid).find(owner_id), std::string::npos) << identify(owner_pid);
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/sharers/" + key));

  ASSERT_TRUE(owner.kill_and_delete().ok());
  expect_all_gone(owner_id);
  expect_ns_forgotten(key);
}

TEST(RuncLifecycle, SharedNetnsAliasWhenConfigAsksForIt) {
  OCI_NETNS_REQUIRE_RUNC();
  HookConfig config(R"({"shared_netns": "alias"})");
  RuncBundle first_bundle;
  first_bundle.add_hook(config.env());
  std::string first_id = unique_id("alias-a");
  RuncContainer first(first_id, first_bundle);
  ASSERT_TRUE(first.start().ok());
  RuncBundle second_bundle;
  second_bundle.join_network(ns_of(first.pid()));
  second_bundle.add_hook(config.env());
  std::string second_id = unique_id("alias-b");
  RuncContainer second(second_id, second_bundle);
  ASSERT_TRUE(second.start().ok());
  EXPECT_TRUE(listed(first_id));
  EXPECT_TRUE(listed(second_id));
  EXPECT_EQ(inode_of(kNetnsDir + "/" + second_id), inode_of(kNetnsDir + "/" + first_id));
  ASSERT_TRUE(second.kill_and_delete().ok());
  expect_all_gone(second_id);
  EXPECT_TRUE(listed(first_id));
  ASSERT_TRUE(first.kill_and_delete().ok());
  expect_all_gone(first_id);
}

std::string state_json(const std::string& id, int pid) {
  return R"({"ociVersion":"1.0.2","id":")" + id + R"(","status":"creating","pid":)" +
         std::to_string(pid) + R"(,"bundle":"/tmp"})";
}

TEST(RuncLifecycle, CreateRuntimeTwiceLeavesOneReference) {
  OCI_NETNS_REQUIRE_RUNC();
  RuncBundle bundle;
  bundle.add_hook({});
  std::string id = unique_id("twice");
  RuncContainer c(id, bundle);
  ASSERT_TRUE(c.start().ok());
  int pid = c.pid();
  // runc already ran createRuntime once; run it again by hand with the same state.
  auto again = run_hook({"createRuntime"}, state_json(id, pid));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("already registered"), std::string::npos) << again.err;
  auto names = ip_netns_list();
  EXPECT_EQ(std::count(names.begin(), names.end(), id), 1);
  EXPECT_EQ(mountinfo_count(kNetnsDir + "/" + id), 1);
  EXPECT_EQ(inode_of(kNetnsDir + "/" + id), inode_of(ns_of(pid)));
  ASSERT_TRUE(c.kill_and_delete().ok());
  expect_all_gone(id);
}

TEST(RuncLifecycle, PoststopWithoutCreateRuntimeIsANoOp) {
  OCI_NETNS_REQUIRE_RUNC();
  IpNetns foreign(unique_id("nocreate"));
  unsigned long long before = inode_of(kNetnsDir + "/" + foreign.name);
  // A poststop for a container id equal to a foreign name: there is no record, so nothing moves.
  auto r = run_hook({"poststop"}, R"({"id":")" + foreign.name + R"(","status":"stopped"})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(listed(foreign.name));
  EXPECT_EQ(inode_of(kNetnsDir + "/" + foreign.name), before);
  // crun's variant: pid 0.
  r = run_hook({"poststop"}, R"({"ociVersion":"1.0","id":")" + foreign.name + R"(","pid":0})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(listed(foreign.name));
}

TEST(RuncLifecycle, NameCollisionWithIpNetnsAddLeavesItIntact) {
  OCI_NETNS_REQUIRE_RUNC();
  std::string id = unique_id("collide");
  std::string fallback = id + "-" + id.substr(0, 12);
  IpNetns foreign(id);
  unsigned long long foreign_ino = inode_of(kNetnsDir + "/" + id);
  ASSERT_NE(foreign_ino, 0u);

  // Under either on_error the container starts, named by the collision rule's fallback, and
  // the foreign namespace is untouched, before and after the container goes.
  for (const char* policy : {"warn", "fail"}) {
    SCOPED_TRACE(policy);
    HookConfig config(std::string(R"({"on_error": ")") + policy + R"("})");
    RuncBundle bundle;
    bundle.add_hook(config.env());
    RuncContainer c(id, bundle);
    auto started = c.start();
    ASSERT_TRUE(started.ok()) << started.err;
    EXPECT_NE(inode_of(ns_of(c.pid())), foreign_ino);
    EXPECT_EQ(inode_of(kNetnsDir + "/" + id), foreign_ino);
    EXPECT_TRUE(listed(fallback));
    EXPECT_EQ(inode_of(kNetnsDir + "/" + fallback), inode_of(ns_of(c.pid())));
    EXPECT_TRUE(path_exists(kRecords + "/" + id + ".json"));
    ASSERT_TRUE(c.kill_and_delete().ok());
    EXPECT_EQ(inode_of(kNetnsDir + "/" + id), foreign_ino);
    EXPECT_EQ(mountinfo_count(kNetnsDir + "/" + id), 1);
    EXPECT_FALSE(path_exists(kNetnsDir + "/" + fallback));
    EXPECT_FALSE(path_exists(kRecords + "/" + id + ".json"));
  }
  EXPECT_EQ(inode_of(kNetnsDir + "/" + id), foreign_ino);
}

// N containers started and then deleted all at once through runc (issue 6 asks for 100): exactly
// N references while they run and none after, /run/netns mounted once (parallel hooks must not
// stack self-bind mounts, see prepare_netns_dir), and nothing left in the state directory, which
// is private so other tests running at the same time cannot disturb the counts.
class RuncParallel : public ::testing::TestWithParam<int> {};

TEST_P(RuncParallel, StartAndDeleteGiveExactlyNReferencesThenNone) {
  OCI_NETNS_REQUIRE_RUNC();
  const int count = GetParam();
  TempDir state("oci-netns-par-state");
  const std::string state_dir = state.file("state");
  HookConfig config(R"({"state_dir":")" + state_dir + R"("})");
  std::vector<std::unique_ptr<RuncBundle>> bundles;
  std::vector<std::unique_ptr<RuncContainer>> containers;
  std::string base = unique_id("par" + std::to_string(count));
  std::string prefix = kNetnsDir + "/" + base + "-";
  std::ostringstream script;
  for (int i = 0; i < count; ++i) {
    bundles.push_back(std::make_unique<RuncBundle>());
    bundles.back()->add_hook(config.env(), 60);
    bundles.back()->write();
    std::string id = base + "-" + std::to_string(i);
    containers.push_back(std::make_unique<RuncContainer>(id, *bundles.back()));
    script << "(runc --root " << test_runc_root() << " run -d --bundle " << bundles.back()->dir()
           << " " << id << " </dev/null >/dev/null 2>" << bundles.back()->dir()
           << "/stderr || echo failed " << id << ") & ";
  }
  script << "wait";
  CommandOptions slow;
  slow.timeout_seconds = 600;
  auto started = sh(script.str(), slow);
  ASSERT_TRUE(started.ok()) << started.err;
  EXPECT_EQ(started.out, "");

  auto names = ip_netns_list();
  std::set<std::string> ours;
  for (const auto& n : names) {
    if (n.rfind(base + "-", 0) == 0) ours.insert(n);
  }
  EXPECT_EQ(ours.size(), static_cast<std::size_t>(count));
  EXPECT_EQ(mounts_under(prefix), count);
  EXPECT_EQ(dir_entries(state_dir + "/containers").size(), static_cast<std::size_t>(count));
  EXPECT_EQ(dir_entries(state_dir + "/netns").size(), static_cast<std::size_t>(count));
  for (const auto& c : containers) {
    int pid = c->pid();
    EXPECT_GT(pid, 0) << c->id();
    EXPECT_EQ(inode_of(kNetnsDir + "/" + c->id()), inode_of(ns_of(pid))) << c->id();
  }
  EXPECT_EQ(mountinfo_count(kNetnsDir), 1) << "stacked /run/netns mounts";

  std::ostringstream del;
  for (const auto& c : containers) {
    del << "runc --root " << test_runc_root() << " delete --force " << c->id() << " & ";
  }
  del << "wait";
  sh(del.str(), slow);
  ours.clear();
  for (const auto& n : ip_netns_list()) {
    if (n.rfind(base + "-", 0) == 0) ours.insert(n);
  }
  EXPECT_EQ(ours.size(), 0u);
  EXPECT_EQ(mounts_under(prefix), 0) << "stray mounts";
  for (const auto& c : containers) EXPECT_FALSE(path_exists(kNetnsDir + "/" + c->id()));
  EXPECT_EQ(dir_entries(state_dir + "/containers").size(), 0u) << "stray records";
  EXPECT_EQ(dir_entries(state_dir + "/netns").size(), 0u) << "stray index entries";
  EXPECT_EQ(mountinfo_count(kNetnsDir), 1) << "stacked /run/netns mounts";
}

INSTANTIATE_TEST_SUITE_P(Containers, RuncParallel, ::testing::Values(20, 100));

}  // namespace
}  // namespace ocinetns::test
