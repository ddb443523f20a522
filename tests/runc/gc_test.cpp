// `oci-netns-hook gc` against the real kernel: references whose container died without poststop
// are removed (mount, file, record, index), while live references, `ip netns add` namespaces and
// young pending records are left alone; interrupted createRuntime runs are finished.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "common/base/scope_guard.hpp"
#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

bool listed(const std::string& name) {
  auto names = ip_netns_list();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// state_dir/netns/<dev>-<ino>: the index entry createRuntime makes for a namespace.
std::string index_entry(const OpsConfig& cfg, pid_t pid) {
  struct stat st {};
  EXPECT_EQ(::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st), 0);
  return cfg.state_dir() + "/netns/" + std::to_string(st.st_dev) + "-" + std::to_string(st.st_ino);
}

nlohmann::json list_json(const OpsConfig& cfg) {
  auto r = cfg.hook({"list", "--json"});
  EXPECT_TRUE(r.ok()) << r.err;
  return nlohmann::json::parse(r.out);
}

nlohmann::json entry_named(const nlohmann::json& doc, const std::string& name) {
  for (const auto& e : doc.at("entries")) {
    if (e.at("name") == name) return e;
  }
  return nullptr;
}

TEST(Gc, RemovesOnlyTheReferenceWhoseContainerIsGone) {
  OCI_NETNS_REQUIRE_RUNC();
  // /run/netns itself, so an `ip netns add` namespace sits next to ours; the state directory is
  // private, so gc only ever sees this test's records.
  OpsConfig cfg("/run/netns");
  std::string dead_id = ops_name("ocigc-dead");
  std::string live_id = ops_name("ocigc-live");
  NetnsProcess dead;
  NetnsProcess live;
  RefCleanup dead_cleanup(cfg, dead_id);
  RefCleanup live_cleanup(cfg, live_id);
  IpNetns foreign(ops_name("ocigc-foreign"));

  auto made = cfg.hook({"createRuntime"}, OpsConfig::state(dead_id, dead.pid()));
  ASSERT_TRUE(made.ok()) << made.err;
  made = cfg.hook({"createRuntime"}, OpsConfig::state(live_id, live.pid()));
  ASSERT_TRUE(made.ok()) << made.err;
  std::string dead_index = index_entry(cfg, dead.pid());
  ASSERT_TRUE(mountinfo_has(cfg.ref(dead_id)));
  ASSERT_TRUE(path_exists(dead_index));

  dead.kill_now();  // the container dies; its poststop never runs

  auto listing = list_json(cfg);
  EXPECT_EQ(entry_named(listing, dead_id).at("state"), "stale");
  EXPECT_EQ(entry_named(listing, dead_id).at("pid"), nullptr);
  EXPECT_EQ(entry_named(listing, live_id).at("state"), "live");
  EXPECT_EQ(entry_named(listing, live_id).at("pid"), live.pid());
  EXPECT_EQ(entry_named(listing, foreign.name()).at("owner"), "foreign");

  auto dry = cfg.hook({"gc", "--dry-run"});
  ASSERT_TRUE(dry.ok()) << dry.err;
  EXPECT_TRUE(contains(dry.out, "would remove /run/netns/" + dead_id)) << dry.out;
  EXPECT_FALSE(contains(dry.out, live_id)) << dry.out;
  EXPECT_TRUE(mountinfo_has(cfg.ref(dead_id))) << "--dry-run changed something";
  EXPECT_TRUE(path_exists(cfg.record(dead_id)));

  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "removed /run/netns/" + dead_id)) << gc.out;
  EXPECT_FALSE(contains(gc.out, live_id)) << gc.out;
  EXPECT_FALSE(contains(gc.out, foreign.name())) << gc.out;

  // Exactly the dead reference is gone: its file, its mount, its record, its index entry.
  EXPECT_FALSE(path_exists(cfg.ref(dead_id)));
  EXPECT_FALSE(mountinfo_has(cfg.ref(dead_id)));
  EXPECT_FALSE(listed(dead_id));
  EXPECT_FALSE(path_exists(cfg.record(dead_id)));
  EXPECT_FALSE(path_exists(dead_index));
  // The live reference and the foreign namespace (which has no process at all) survive.
  EXPECT_TRUE(listed(live_id));
  EXPECT_TRUE(mountinfo_has(cfg.ref(live_id)));
  EXPECT_EQ(inode_of(cfg.ref(live_id)), live.netns_inode());
  EXPECT_TRUE(path_exists(cfg.record(live_id)));
  EXPECT_TRUE(listed(foreign.name()));
  EXPECT_TRUE(mountinfo_has("/run/netns/" + foreign.name()));

  auto again = cfg.hook({"gc"});
  EXPECT_TRUE(again.ok()) << again.err;
  EXPECT_EQ(again.out, "");
}

// Enough stale references for gc to unmount them as a batch from several threads (it does for 16
// or more): every one of them is gone, mount, file and record, and the live namespace's two
// references, one of them an alias like the stale ones, are untouched.
TEST(Gc, ManyStaleReferencesAreRemovedAsABatchAndOnlyThey) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg("", {{"shared_netns", "alias"}});
  constexpr int kDying = 3;
  constexpr int kPerNamespace = 15;  // 45 stale references in all
  std::vector<std::unique_ptr<RefCleanup>> cleanups;
  std::vector<std::unique_ptr<NetnsProcess>> dying;
  std::vector<std::string> stale_ids;
  for (int d = 0; d < kDying; ++d) {
    dying.push_back(std::make_unique<NetnsProcess>());
    for (int j = 0; j < kPerNamespace; ++j) {
      std::string id = ops_name("ocigc-batch" + std::to_string(d) + "-" + std::to_string(j));
      cleanups.push_back(std::make_unique<RefCleanup>(cfg, id));
      auto made = cfg.hook({"createRuntime"}, OpsConfig::state(id, dying.back()->pid()));
      ASSERT_TRUE(made.ok()) << made.err;
      ASSERT_TRUE(mountinfo_has(cfg.ref(id)));
      stale_ids.push_back(id);
    }
  }
  NetnsProcess live;
  std::vector<std::string> live_ids{ops_name("ocigc-batch-live"), ops_name("ocigc-batch-alias")};
  for (const std::string& id : live_ids) {
    cleanups.push_back(std::make_unique<RefCleanup>(cfg, id));
    auto made = cfg.hook({"createRuntime"}, OpsConfig::state(id, live.pid()));
    ASSERT_TRUE(made.ok()) << made.err;
  }
  for (auto& p : dying) p->kill_now();  // poststop never runs for any of them

  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_EQ(std::count(gc.out.begin(), gc.out.end(), '\n'), kDying * kPerNamespace) << gc.out;
  for (const std::string& id : stale_ids) {
    EXPECT_TRUE(contains(gc.out, "removed " + cfg.ref(id) + " ")) << id << "\n" << gc.out;
    EXPECT_FALSE(mountinfo_has(cfg.ref(id))) << id;
    EXPECT_FALSE(path_exists(cfg.ref(id))) << id;
    EXPECT_FALSE(path_exists(cfg.record(id))) << id;
  }
  for (const std::string& id : live_ids) {
    EXPECT_FALSE(contains(gc.out, id)) << gc.out;
    EXPECT_TRUE(mountinfo_has(cfg.ref(id))) << id;
    EXPECT_EQ(inode_of(cfg.ref(id)), live.netns_inode()) << id;
    EXPECT_TRUE(path_exists(cfg.record(id))) << id;
  }
  auto again = cfg.hook({"gc"});
  EXPECT_TRUE(again.ok()) << again.err;
  EXPECT_EQ(again.out, "");
}

TEST(Gc, ForgetsRecordWhoseReferenceFileVanished) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  std::string id = ops_name("ocigc-vanished");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid())).ok());
  // Someone ran `umount` + `rm` by hand (what `ip netns delete` does).
  ASSERT_TRUE(run({"umount", cfg.ref(id)}).ok());
  ASSERT_EQ(::unlink(cfg.ref(id).c_str()), 0);

  EXPECT_EQ(entry_named(list_json(cfg), id).at("state"), "gone");
  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "forgot " + cfg.ref(id))) << gc.out;
  EXPECT_FALSE(path_exists(cfg.record(id)));
  EXPECT_EQ(entry_named(list_json(cfg), id), nullptr);
}

// createRuntime SIGKILLed at each fault point leaves a pending record (see
// common/sys/reference.cpp).
struct FaultCase {
  const char* point;
  bool file_left;  // the O_EXCL file exists
  bool mounted;    // the namespace is mounted on it
};
constexpr FaultCase kFaults[] = {
    {"create.after_record", false, false},
    {"create.after_file", true, false},
    {"create.after_mount", true, true},
};

void interrupt_create(const OpsConfig& cfg, const std::string& id, pid_t pid,
                      const FaultCase& fault) {
  auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, pid),
                    {std::string("OCI_NETNS_FAULT=") + fault.point});
  ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "is this a -DOCI_NETNS_TEST_BUILD=ON build? " << r.err;
  ASSERT_TRUE(contains(read_text(cfg.record(id)), "\"pending\""));
  ASSERT_EQ(path_exists(cfg.ref(id)), fault.file_left);
  ASSERT_EQ(mountinfo_has(cfg.ref(id)), fault.mounted);
}

TEST(Gc, InterruptedCreateRuntimeOfLiveContainerIsLeftWhileYoungThenFinished) {
  OCI_NETNS_REQUIRE_RUNC();
  for (const FaultCase& fault : kFaults) {
    SCOPED_TRACE(fault.point);
    OpsConfig cfg;
    std::string id = ops_name("ocigc-pending");
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    interrupt_create(cfg, id, proc.pid(), fault);

    // A young pending record of a live container may be a createRuntime still running.
    auto young = cfg.hook({"gc"});
    ASSERT_TRUE(young.ok()) << young.err;
    EXPECT_EQ(young.out, "");
    EXPECT_TRUE(path_exists(cfg.record(id)));
    EXPECT_EQ(entry_named(list_json(cfg), id).at("state"), "pending");

    auto gc = cfg.hook({"gc", "--pending-grace", "0"});
    ASSERT_TRUE(gc.ok()) << gc.err;
    if (fault.mounted) {
      // It got as far as the mount: the reference is good, the record is completed.
      EXPECT_TRUE(contains(gc.out, "completed " + cfg.ref(id))) << gc.out;
      EXPECT_TRUE(contains(read_text(cfg.record(id)), "\"complete\""));
      EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
      EXPECT_EQ(entry_named(list_json(cfg), id).at("state"), "live");
      // poststop now removes it as usual.
      ASSERT_TRUE(cfg.hook({"poststop"}, OpsConfig::state(id, 0)).ok());
      EXPECT_FALSE(path_exists(cfg.ref(id)));
    } else {
      EXPECT_TRUE(contains(gc.out, cfg.ref(id))) << gc.out;
      EXPECT_FALSE(path_exists(cfg.record(id)));
      EXPECT_FALSE(path_exists(cfg.ref(id)));
    }
  }
}

TEST(Gc, InterruptedCreateRuntimeOfDeadContainerIsRemovedAtOnce) {
  OCI_NETNS_REQUIRE_RUNC();
  for (const FaultCase& fault : kFaults) {
    SCOPED_TRACE(fault.point);
    OpsConfig cfg;
    std::string id = ops_name("ocigc-pdead");
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    interrupt_create(cfg, id, proc.pid(), fault);
    std::string index = index_entry(cfg, proc.pid());
    proc.kill_now();

    auto gc = cfg.hook({"gc"});  // default grace: the init is gone, so nothing is in progress
    ASSERT_TRUE(gc.ok()) << gc.err;
    EXPECT_TRUE(contains(gc.out, cfg.ref(id))) << gc.out;
    EXPECT_FALSE(path_exists(cfg.record(id)));
    EXPECT_FALSE(path_exists(cfg.ref(id)));
    EXPECT_FALSE(mountinfo_has(cfg.ref(id)));
    EXPECT_FALSE(path_exists(index));
  }
}

TEST(Gc, IndexClaimWithoutRecordIsForgottenOnceOld) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  std::string id = ops_name("ocigc-claim");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  // An index claim without a record: createRuntime now writes the record before it claims (a
  // killed hook leaves a claim that poststop releases), but older versions claimed first, and
  // a record can be lost by hand. Make the state directory with a first run, then fake it.
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid())).ok());
  ASSERT_TRUE(cfg.hook({"poststop"}, OpsConfig::state(id, 0)).ok());
  std::string index = index_entry(cfg, proc.pid());
  ASSERT_FALSE(path_exists(index));
  write_text(index, id, 0600);
  ASSERT_FALSE(path_exists(cfg.record(id)));

  auto young = cfg.hook({"gc"});  // may be a claim in progress
  ASSERT_TRUE(young.ok()) << young.err;
  EXPECT_EQ(young.out, "");
  EXPECT_TRUE(path_exists(index));

  auto gc = cfg.hook({"gc", "--pending-grace", "0"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "forgot " + index)) << gc.out;
  EXPECT_FALSE(path_exists(index));
  // The namespace can be registered again afterwards.
  auto again = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
  ASSERT_TRUE(again.ok()) << again.err;
  EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
}

TEST(Gc, RuncContainerKilledWithoutPoststop) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  RuncBundle bundle;
  bundle.add_hook({cfg.path()});
  std::string id = ops_name("ocigc-runc");
  RuncContainer c(id, bundle);
  auto started = c.start();
  ASSERT_TRUE(started.ok()) << started.err;
  ASSERT_TRUE(mountinfo_has(cfg.ref(id)));
  EXPECT_EQ(entry_named(list_json(cfg), id).at("state"), "live");

  // `runc kill` without `runc delete`: the container stops, poststop does not run (as when the
  // engine or shim dies before deleting).
  ASSERT_TRUE(c.runc({"kill", id, "KILL"}).ok());
  for (int i = 0; i < 500 && contains(c.runc({"state", id}).out, "running"); ++i) ::usleep(10000);
  ASSERT_TRUE(contains(c.runc({"state", id}).out, "stopped"));
  EXPECT_EQ(entry_named(list_json(cfg), id).at("state"), "stale");

  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "removed " + cfg.ref(id))) << gc.out;
  EXPECT_FALSE(path_exists(cfg.ref(id)));
  EXPECT_FALSE(mountinfo_has(cfg.ref(id)));
  EXPECT_FALSE(path_exists(cfg.record(id)));
  // A late poststop (runc delete) finds nothing to do and still succeeds.
  auto deleted = c.runc({"delete", id});
  EXPECT_TRUE(deleted.ok()) << deleted.err;
}

// A container that joined another's namespace is a sharer: list shows it as `shared` on the
// owner's reference; once its init is gone gc drops its record and entry and keeps the owner's
// reference, which its own live init still uses.
TEST(Gc, ListShowsASharerAndGcDropsItOnceItsInitIsGone) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  std::string owner_id = ops_name("ocigc-owner");
  std::string sharer_id = ops_name("ocigc-sharer");
  RefCleanup owner_cleanup(cfg, owner_id);
  RefCleanup sharer_cleanup(cfg, sharer_id);
  NetnsProcess owner;
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(owner_id, owner.pid())).ok());
  JoinerProcess sharer(owner);
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(sharer_id, sharer.pid())).ok());
  ASSERT_TRUE(path_exists(cfg.record(sharer_id)));

  nlohmann::json doc = list_json(cfg);
  nlohmann::json shared;
  for (const auto& e : doc.at("entries")) {
    if (e.at("container_id") == sharer_id) shared = e;
  }
  ASSERT_FALSE(shared.is_null()) << doc.dump(2);
  EXPECT_EQ(shared.at("state"), "shared");
  EXPECT_EQ(shared.at("path"), cfg.ref(owner_id));
  EXPECT_EQ(shared.at("pid"), sharer.pid());

  sharer.kill_now();
  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "forgot sharer " + sharer_id)) << gc.out;
  EXPECT_FALSE(path_exists(cfg.record(sharer_id)));
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/sharers"), std::vector<std::string>{});
  EXPECT_EQ(inode_of(cfg.ref(owner_id)), owner.netns_inode());
  EXPECT_EQ(entry_named(list_json(cfg), owner_id).at("state"), "live");
}

// Container ids may begin with '.' (runc accepts ".x"): such a sharer's record and entry are seen
// like any other. Owner A and sharers .B and .C (name_template "c-{id}", since a netns name must
// not begin with '.'): A's poststop passes the reference to .B instead of removing it; gc
// forgets .C's record once .C is gone, and removes the reference once .B is gone too.
TEST(Gc, SharersWithDotLeadingIdsKeepTheReferenceAndAreCollected) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg("", {{"name_template", "c-{id}"}});
  std::string a = ops_name("ocigc-own");
  std::string b = "." + ops_name("ocigc-shb");
  std::string c = "." + ops_name("ocigc-shc");
  std::string ref = cfg.ref("c-" + a);
  ScopeGuard cleanup([&] {
    for (const auto& id : {a, b, c}) cfg.hook({"poststop"}, OpsConfig::state(id, 0));
    if (mountinfo_has(ref)) run({"umount", "-l", ref});
    if (path_exists(ref)) ::unlink(ref.c_str());
  });
  NetnsProcess owner;
  unsigned long long ino = owner.netns_inode();
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(a, owner.pid())).ok());
  JoinerProcess sharer_b(owner);
  JoinerProcess sharer_c(owner);
  for (auto [id, pid] : {std::pair{b, sharer_b.pid()}, std::pair{c, sharer_c.pid()}}) {
    auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, pid));
    ASSERT_TRUE(r.ok()) << r.err;
    ASSERT_TRUE(path_exists(cfg.record(id)));
  }
  std::vector<std::string> ns_dirs = dir_entries(cfg.state_dir() + "/sharers");
  ASSERT_EQ(ns_dirs.size(), 1u);
  std::vector<std::string> sharers = dir_entries(cfg.state_dir() + "/sharers/" + ns_dirs[0]);
  std::sort(sharers.begin(), sharers.end());
  EXPECT_EQ(sharers, (std::vector<std::string>{b, c}));

  owner.kill_now();
  auto stop = cfg.hook({"poststop"}, OpsConfig::state(a, 0));
  ASSERT_TRUE(stop.ok()) << stop.err;
  EXPECT_FALSE(contains(stop.err, "removed")) << stop.err;
  EXPECT_EQ(inode_of(ref), ino) << "the reference went while sharers run: " << stop.err;
  EXPECT_EQ(mountinfo_count(ref), 1);

  sharer_c.kill_now();
  auto gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "forgot sharer " + c)) << gc.out;
  EXPECT_FALSE(path_exists(cfg.record(c))) << gc.out;
  EXPECT_EQ(inode_of(ref), ino) << gc.out;

  sharer_b.kill_now();
  gc = cfg.hook({"gc"});
  ASSERT_TRUE(gc.ok()) << gc.err;
  EXPECT_TRUE(contains(gc.out, "removed " + ref)) << gc.out;
  EXPECT_EQ(mountinfo_count(ref), 0) << gc.out;
  EXPECT_FALSE(path_exists(ref)) << gc.out;
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/containers"), std::vector<std::string>{}) << gc.out;
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/netns"), std::vector<std::string>{}) << gc.out;
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/sharers"), std::vector<std::string>{}) << gc.out;
}

// `gc --every 1` in the foreground (for hosts without a systemd timer: a supervisor, a sidecar or
// a shell's `&`): it collects a reference whose container died while it runs, within a few
// seconds, and exits 0 on SIGTERM.
TEST(Gc, EveryRunsPassesUntilSigterm) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  std::string id = ops_name("ocigc-every");
  RefCleanup cleanup(cfg, id);
  std::string out_path = cfg.file("every.out");
  pid_t loop = ::fork();
  if (loop == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::string hook = hook_binary();
    std::string config = cfg.path();
    ::execl(hook.c_str(), hook.c_str(), "--config", config.c_str(), "gc", "--every", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(loop, 0);
  ScopeGuard stop_loop([&] {
    ::kill(loop, SIGKILL);
    ::waitpid(loop, nullptr, 0);
  });
  {
    NetnsProcess proc;
    auto made = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
    ASSERT_TRUE(made.ok()) << made.err;
    ::usleep(1500 * 1000);  // at least one pass sees it live and keeps it
    ASSERT_TRUE(mountinfo_has(cfg.ref(id))) << read_text(out_path);
  }  // the container dies without poststop
  bool collected = false;
  for (int i = 0; i < 50 && !collected; ++i) {
    collected = !path_exists(cfg.record(id)) && !path_exists(cfg.ref(id));
    if (!collected) ::usleep(100 * 1000);
  }
  EXPECT_TRUE(collected) << read_text(out_path);
  EXPECT_FALSE(mountinfo_has(cfg.ref(id)));
  EXPECT_TRUE(contains(read_text(out_path), "removed " + cfg.ref(id))) << read_text(out_path);

  ASSERT_EQ(::kill(loop, SIGTERM), 0);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 50 && !exited; ++i) {
    exited = ::waitpid(loop, &status, WNOHANG) == loop;
    if (!exited) ::usleep(100 * 1000);
  }
  ASSERT_TRUE(exited) << "gc --every did not exit on SIGTERM";
  stop_loop.commit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << read_text(out_path);
}

}  // namespace
}  // namespace ocinetns::test
