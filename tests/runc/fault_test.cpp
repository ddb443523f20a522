// Crash and damage tests: the hook SIGKILLed after every step of createRuntime and poststop (each
// point of common/base/fault.hpp's kFaultPoints), then the container lifecycle or gc; a corrupt
// record at poststop; a state directory that is not writable. Each ends with no leaked mount,
// reference file, record or index entry, an untouched `ip netns add` entry and an unchanged host
// sysctl.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <sstream>

#include "common/base/fault.hpp"
#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

constexpr const char* kSysctlFile = "/proc/sys/net/ipv4/tcp_keepalive_time";
constexpr const char* kSysctlValue = "617";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// What must be unchanged at the end of every test: an `ip netns add` entry next to ours in
// /run/netns, the /run/netns mount itself, and the host's value of the configured sysctl.
class Bystanders {
 public:
  Bystanders() : foreign_(ops_name("ocifault-foreign")) {
    foreign_ino_ = inode_of("/run/netns/" + foreign_.name());
    host_sysctl_ = trimmed(read_text(kSysctlFile));
    EXPECT_NE(foreign_ino_, 0u);
    EXPECT_NE(host_sysctl_, kSysctlValue) << "the test could not tell the values apart";
  }
  void expect_untouched() const {
    std::string path = "/run/netns/" + foreign_.name();
    EXPECT_EQ(inode_of(path), foreign_ino_) << "the foreign reference was touched";
    EXPECT_EQ(mountinfo_count(path), 1);
    EXPECT_EQ(mountinfo_count("/run/netns"), 1) << "stacked /run/netns mounts";
    EXPECT_EQ(trimmed(read_text(kSysctlFile)), host_sysctl_) << "host sysctl changed";
  }

 private:
  IpNetns foreign_;
  unsigned long long foreign_ino_ = 0;
  std::string host_sysctl_;
};

// Nothing of container `id` is left: no mount, no reference file, no record, no index entry.
void expect_nothing_left(const OpsConfig& cfg, const std::string& id) {
  EXPECT_EQ(mountinfo_count(cfg.ref(id)), 0) << "leaked mount";
  EXPECT_FALSE(path_exists(cfg.ref(id))) << "leaked reference file";
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/containers"), std::vector<std::string>{})
      << "leaked record";
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/netns"), std::vector<std::string>{})
      << "leaked index entry";
}

// /run/netns (so the foreign entry sits next to ours), a private state_dir, and a sysctl so the
// sysctl steps run (sysctl_errors "fail", the default).
nlohmann::json fault_config() {
  return {{"sysctls", {{"net.ipv4.tcp_keepalive_time", kSysctlValue}}}};
}

std::string fault_env(const FaultPointInfo& point) {
  return "OCI_NETNS_FAULT=" + std::string(point.name);
}

// The exit status of a hook run that passes `point`: SIGKILL, except that a killed sysctl child
// makes createRuntime fail (sysctl_errors "fail") after rolling back its reference.
int expected_exit(const FaultPointInfo& point) {
  return point.stage == FaultStage::kSysctlChild ? 1 : 128 + SIGKILL;
}

class Fault : public ::testing::TestWithParam<FaultPointInfo> {};

std::string point_test_name(const ::testing::TestParamInfo<FaultPointInfo>& info) {
  std::string name(info.param.name);
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

// runc runs the hooks: createRuntime killed at the point makes `runc run` fail and runc runs
// poststop; poststop killed at the point (by `runc delete`) is run again, as an engine's cleanup
// retry does.
TEST_P(Fault, KilledThenContainerLifecycleLeavesNothing) {
  OCI_NETNS_REQUIRE_RUNC();
  const FaultPointInfo& point = GetParam();
  Bystanders bystanders;
  OpsConfig cfg("/run/netns", fault_config());
  std::string id = ops_name("ocifault-run");
  RefCleanup cleanup(cfg, id);
  RuncBundle bundle;
  bundle.add_hook({cfg.path()});
  bool in_poststop = point.stage == FaultStage::kRemove;
  bundle.spec()["hooks"][in_poststop ? "poststop" : "createRuntime"][0]["env"].push_back(
      fault_env(point));
  RuncContainer c(id, bundle);
  auto started = c.start();
  if (in_poststop) {
    ASSERT_TRUE(started.ok()) << started.err;
    ASSERT_TRUE(mountinfo_has(cfg.ref(id)));
    auto deleted = c.kill_and_delete();
    EXPECT_TRUE(contains(deleted.err, "killed")) << point.name << " not hit: " << deleted.err;
    auto again = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
    EXPECT_EQ(again.exit_code, 0) << again.err;
  } else {
    EXPECT_FALSE(started.ok()) << point.name << " not hit";
    EXPECT_TRUE(contains(started.err,
                         point.stage == FaultStage::kSysctlChild ? "killed by signal 9" : "killed"))
        << started.err;
    c.runc({"delete", "--force", id});
  }
  expect_nothing_left(cfg, id);
  bystanders.expect_untouched();
}

// No poststop at all (the container died, the engine never deleted it): gc collects.
TEST_P(Fault, KilledThenGcLeavesNothing) {
  OCI_NETNS_REQUIRE_RUNC();
  const FaultPointInfo& point = GetParam();
  Bystanders bystanders;
  OpsConfig cfg("/run/netns", fault_config());
  std::string id = ops_name("ocifault-gc");
  RefCleanup cleanup(cfg, id);
  NetnsProcess proc;
  if (point.stage == FaultStage::kRemove) {
    auto made = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
    ASSERT_TRUE(made.ok()) << made.err;
    ASSERT_TRUE(mountinfo_has(cfg.ref(id)));
    proc.kill_now();
    auto r = cfg.hook({"poststop"}, OpsConfig::state(id, 0), {fault_env(point)});
    EXPECT_EQ(r.exit_code, expected_exit(point)) << point.name << " not hit: " << r.err;
  } else {
    auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()), {fault_env(point)});
    EXPECT_EQ(r.exit_code, expected_exit(point)) << point.name << " not hit: " << r.err;
    proc.kill_now();
  }
  auto gc = cfg.hook({"gc"});
  EXPECT_TRUE(gc.ok()) << gc.out << gc.err;
  expect_nothing_left(cfg, id);
  EXPECT_FALSE(contains(gc.out, "foreign")) << gc.out;
  bystanders.expect_untouched();
}

bool shared_netns_stage(FaultStage stage) {
  return stage == FaultStage::kShareJoin || stage == FaultStage::kShareLeave ||
         stage == FaultStage::kHandOver;
}

std::vector<FaultPointInfo> points_where(bool shared) {
  std::vector<FaultPointInfo> out;
  for (const auto& point : kFaultPoints) {
    if (shared_netns_stage(point.stage) == shared) out.push_back(point);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryPoint, Fault, ::testing::ValuesIn(points_where(false)),
                         point_test_name);

// The names in the config's netns_dir that hold namespace `ino`.
std::vector<std::string> names_holding(const OpsConfig& cfg, unsigned long long ino) {
  std::vector<std::string> out;
  for (const auto& name : dir_entries(cfg.netns_dir())) {
    if (inode_of(cfg.ref(name)) == ino) out.push_back(name);
  }
  return out;
}

// Container A alone in a new network namespace with its reference made (A's createRuntime ran,
// `a_created` says whether it succeeded), and B's init joining that namespace. Both references
// are cleaned up however the test ends (members go in reverse order: B's init, A's, then B's and
// A's references).
struct SharedPair {
  SharedPair(const OpsConfig& cfg, const std::string& tag)
      : a(ops_name(tag + "-a")),
        b(ops_name(tag + "-b")),
        cleanup_a(cfg, a),
        cleanup_b(cfg, b),
        a_created(cfg.hook({"createRuntime"}, OpsConfig::state(a, a_proc.pid())).ok()),
        ino(a_proc.netns_inode()),
        b_proc(a_proc) {}
  std::string a;
  std::string b;
  RefCleanup cleanup_a;
  RefCleanup cleanup_b;
  NetnsProcess a_proc;
  bool a_created;
  unsigned long long ino;
  JoinerProcess b_proc;
};

class SharedFault : public ::testing::TestWithParam<FaultPointInfo> {};

// A owns the namespace, B joined it. The hook is killed at the point (B's createRuntime, B's
// poststop, or A's poststop handing the reference to B); then the lifecycle goes on without a
// retry and gc runs. While B runs it keeps a reference to the namespace; at the end nothing is
// left in the netns directory, the mount table or the state directory.
TEST_P(SharedFault, KilledThenReferenceStaysWhileUsedAndNothingIsLeft) {
  OCI_NETNS_REQUIRE_RUNC();
  const FaultPointInfo& point = GetParam();
  OpsConfig cfg;
  SharedPair pair(cfg, "ocishfault");
  ASSERT_TRUE(pair.a_created);
  const std::string& a = pair.a;
  const std::string& b = pair.b;
  NetnsProcess& a_proc = pair.a_proc;
  JoinerProcess& b_proc = pair.b_proc;
  unsigned long long ino = pair.ino;
  auto hook_with = [&](FaultStage stage, const std::vector<std::string>& args,
                       const std::string& input) {
    std::vector<std::string> env;
    if (point.stage == stage) env.push_back(fault_env(point));
    auto r = cfg.hook(args, input, env);
    if (point.stage == stage) {
      EXPECT_EQ(r.exit_code, 128 + SIGKILL) << point.name << " not hit: " << r.err;
    } else {
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
  };
  hook_with(FaultStage::kShareJoin, {"createRuntime"}, OpsConfig::state(b, b_proc.pid()));
  EXPECT_EQ(names_holding(cfg, ino), std::vector<std::string>{a});

  if (point.stage == FaultStage::kShareLeave) {
    b_proc.kill_now();
    hook_with(FaultStage::kShareLeave, {"poststop"}, OpsConfig::state(b, 0));
    auto gc = cfg.hook({"gc"});
    EXPECT_TRUE(gc.ok()) << gc.out << gc.err;
    EXPECT_EQ(names_holding(cfg, ino), std::vector<std::string>{a}) << gc.out;
    a_proc.kill_now();
    EXPECT_EQ(cfg.hook({"poststop"}, OpsConfig::state(a, 0)).exit_code, 0);
  } else {
    a_proc.kill_now();
    hook_with(FaultStage::kHandOver, {"poststop"}, OpsConfig::state(a, 0));
    auto gc = cfg.hook({"gc"});
    EXPECT_TRUE(gc.ok()) << gc.out << gc.err;
    EXPECT_EQ(names_holding(cfg, ino).size(), 1u) << "B's namespace lost its reference: " << gc.out;
    b_proc.kill_now();
    EXPECT_EQ(cfg.hook({"poststop"}, OpsConfig::state(b, 0)).exit_code, 0);
  }
  auto gc = cfg.hook({"gc"});
  EXPECT_TRUE(gc.ok()) << gc.out << gc.err;
  for (const auto& id : {a, b}) {
    EXPECT_EQ(mountinfo_count(cfg.ref(id)), 0) << "leaked mount " << id;
    EXPECT_FALSE(path_exists(cfg.ref(id))) << "leaked reference file " << id;
  }
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/containers"), std::vector<std::string>{})
      << "leaked record: " << gc.out;
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/netns"), std::vector<std::string>{})
      << "leaked index entry: " << gc.out;
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/sharers"), std::vector<std::string>{})
      << "leaked sharer entry: " << gc.out;
}

INSTANTIATE_TEST_SUITE_P(SharedNetnsPoint, SharedFault, ::testing::ValuesIn(points_where(true)),
                         point_test_name);

// A hook run in the background that OCI_NETNS_FAULT_STOP holds (SIGSTOP) at a fault point until
// resume(); found by a tag in its environment. SIGKILLed on destruction if still held.
class HeldHook {
 public:
  HeldHook(const OpsConfig& cfg, std::vector<std::string> args, std::string input,
           std::string_view point)
      : tag_(ops_name("held")) {
    std::vector<std::string> env{"OCI_NETNS_FAULT_STOP=" + std::string(point),
                                 "OCI_NETNS_TEST_TAG=" + tag_};
    result_ = std::async(std::launch::async,
                         [&cfg, args = std::move(args), input = std::move(input),
                          env = std::move(env)] { return cfg.hook(args, input, env); });
  }
  ~HeldHook() {
    if (pid_ > 0 && result_.valid() &&
        result_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ::kill(pid_, SIGKILL);
    }
  }
  HeldHook(const HeldHook&) = delete;
  HeldHook& operator=(const HeldHook&) = delete;

  // True once the hook stopped itself at the point (10 s at most).
  bool wait_held() {
    for (int i = 0; i < 1000; ++i) {
      if (result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return false;
      for (const auto& entry : dir_entries("/proc")) {
        if (entry.empty() || !std::isdigit(static_cast<unsigned char>(entry[0]))) continue;
        std::ifstream environ("/proc/" + entry + "/environ");
        std::stringstream text;
        text << environ.rdbuf();
        std::string want = "OCI_NETNS_TEST_TAG=" + tag_;
        std::string env = text.str();
        if (env.find(want + '\0') == std::string::npos) continue;
        std::string stat = read_text("/proc/" + entry + "/stat");
        std::size_t close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'T') {
          pid_ = std::stoi(entry);
          return true;
        }
      }
      ::usleep(10000);
    }
    return false;
  }
  void resume() const { ::kill(pid_, SIGCONT); }
  CommandResult result() { return result_.get(); }

 private:
  std::string tag_;
  pid_t pid_ = -1;
  std::future<CommandResult> result_;
};

// A hook run in the background, to show that it waits for a held one.
std::future<CommandResult> hook_async(const OpsConfig& cfg, std::vector<std::string> args,
                                      std::string input) {
  return std::async(std::launch::async, [&cfg, args = std::move(args), input = std::move(input)] {
    return cfg.hook(args, input);
  });
}

// Nothing of A and B is left in the netns directory, the mount table or the state directory.
void expect_shared_nothing_left(const OpsConfig& cfg, const std::string& a, const std::string& b) {
  for (const auto& id : {a, b}) {
    EXPECT_EQ(mountinfo_count(cfg.ref(id)), 0) << "leaked mount " << id;
    EXPECT_FALSE(path_exists(cfg.ref(id))) << "leaked reference file " << id;
  }
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/containers"), std::vector<std::string>{})
      << "leaked record";
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/netns"), std::vector<std::string>{})
      << "leaked index entry";
  EXPECT_EQ(dir_entries(cfg.state_dir() + "/sharers"), std::vector<std::string>{})
      << "leaked sharer entry";
}

// B's poststop has loaded its sharer record and is held there (its init still runs: the window
// in which A's take_heir can still find B alive). A's poststop must wait for it, not pass the
// reference to B, whose poststop would then delete the owner record just written for it and
// leave a mount no record names. Once both finish, nothing is left.
TEST(SharedOrder, OwnerPoststopWaitsForASharersPoststop) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  SharedPair pair(cfg, "ocishord");
  ASSERT_TRUE(pair.a_created);
  const std::string& a = pair.a;
  const std::string& b = pair.b;
  NetnsProcess& a_proc = pair.a_proc;
  JoinerProcess& b_proc = pair.b_proc;
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(b, b_proc.pid())).ok());

  HeldHook b_stop(cfg, {"poststop"}, OpsConfig::state(b, 0), "remove.sharer_loaded");
  ASSERT_TRUE(b_stop.wait_held()) << "B's poststop did not stop at remove.sharer_loaded";
  a_proc.kill_now();
  auto a_stop = hook_async(cfg, {"poststop"}, OpsConfig::state(a, 0));
  EXPECT_EQ(a_stop.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "A's poststop did not wait for B's";
  b_stop.resume();
  CommandResult b_result = b_stop.result();
  CommandResult a_result = a_stop.get();
  EXPECT_EQ(b_result.exit_code, 0) << b_result.err;
  EXPECT_EQ(a_result.exit_code, 0) << a_result.err;
  EXPECT_NE(a_result.err.find("removed " + cfg.ref(a)), std::string::npos) << a_result.err;
  expect_shared_nothing_left(cfg, a, b);
}

// A's poststop is held in the hand-over to B, right after B's record became the owner's. B's
// poststop (B gone meanwhile) must wait, then remove the reference as its owner: one owner
// record while anything runs in the namespace, nothing once both are gone.
TEST(SharedOrder, SharersPoststopWaitsForTheOwnersHandOver) {
  OCI_NETNS_REQUIRE_RUNC();
  OpsConfig cfg;
  SharedPair pair(cfg, "ocishord");
  ASSERT_TRUE(pair.a_created);
  const std::string& a = pair.a;
  const std::string& b = pair.b;
  NetnsProcess& a_proc = pair.a_proc;
  JoinerProcess& b_proc = pair.b_proc;
  unsigned long long ino = pair.ino;
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(b, b_proc.pid())).ok());

  a_proc.kill_now();
  HeldHook a_stop(cfg, {"poststop"}, OpsConfig::state(a, 0), "handover.after_record");
  ASSERT_TRUE(a_stop.wait_held()) << "A's poststop did not stop at handover.after_record";
  EXPECT_EQ(names_holding(cfg, ino), std::vector<std::string>{a});
  b_proc.kill_now();
  auto b_stop = hook_async(cfg, {"poststop"}, OpsConfig::state(b, 0));
  EXPECT_EQ(b_stop.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
      << "B's poststop did not wait for A's hand-over";
  a_stop.resume();
  CommandResult a_result = a_stop.result();
  CommandResult b_result = b_stop.get();
  EXPECT_EQ(a_result.exit_code, 0) << a_result.err;
  EXPECT_EQ(b_result.exit_code, 0) << b_result.err;
  EXPECT_NE(a_result.err.find("passed from " + a + " to " + b), std::string::npos) << a_result.err;
  EXPECT_NE(b_result.err.find("removed " + cfg.ref(a)), std::string::npos) << b_result.err;
  expect_shared_nothing_left(cfg, a, b);
}

// Every listed point is named exactly once in the sources, so none is listed but never reached
// (the runs above prove each is hit; an unlisted name does not compile).
TEST(FaultPoints, EachListedPointIsInTheCodeOnce) {
  std::string sources;
  for (const char* file :
       {"/common/sys/reference.cpp", "/common/sys/sysctl_apply.cpp", "/hook/hook/stages.cpp"}) {
    sources += read_text(std::string(OCI_NETNS_SOURCE_DIR) + file);
  }
  std::size_t uses = 0;
  for (std::size_t pos = 0;
       (pos = sources.find("OCI_NETNS_FAULT_POINT(\"", pos)) != std::string::npos; ++pos) {
    ++uses;
  }
  std::size_t expected = 0;
  for (const auto& point : kFaultPoints) {
    std::string call = "OCI_NETNS_FAULT_POINT(\"" + std::string(point.name) + "\")";
    std::size_t n = 0;
    for (std::size_t pos = 0; (pos = sources.find(call, pos)) != std::string::npos; ++pos) ++n;
    // remove.after_unlink follows both kinds of unlink (a mounted and an unmounted reference).
    std::size_t want = point.name == "remove.after_unlink" ? 2 : 1;
    EXPECT_EQ(n, want) << point.name;
    expected += want;
  }
  EXPECT_EQ(uses, expected) << "a fault point outside the three files checked here";
}

// poststop whose record is damaged: one clear error line, exit 0 (a failing poststop breaks
// `runc delete`), and nothing removed: the record cannot prove the reference is ours.
TEST(FaultState, CorruptRecordAtPoststopKeepsTheReference) {
  OCI_NETNS_REQUIRE_RUNC();
  struct Damage {
    const char* label;
    std::string (*make)(const std::string& good);
    const char* expected;
  };
  const Damage damages[] = {
      {"garbage", [](const std::string&) { return std::string("\x01not json{{{\n"); },
       "invalid JSON"},
      {"truncated", [](const std::string& good) { return good.substr(0, good.size() / 2); },
       "invalid JSON"},
      {"wrong type",
       [](const std::string& good) {
         auto j = nlohmann::json::parse(good);
         j["netns"]["ino"] = "12345";
         return j.dump();
       },
       "corrupt"},
      {"not an object", [](const std::string&) { return std::string("[1,2]"); },
       "not a JSON object"},
      {"empty", [](const std::string&) { return std::string(); }, "invalid JSON"},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.label);
    Bystanders bystanders;
    OpsConfig cfg("/run/netns");
    std::string id = ops_name("ocifault-corrupt");
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid())).ok());
    std::string bad = damage.make(read_text(cfg.record(id)));
    write_text(cfg.record(id), bad, 0600);

    auto r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_TRUE(contains(r.err, "poststop " + id + ": record")) << r.err;
    EXPECT_TRUE(contains(r.err, damage.expected)) << r.err;
    // Nothing damaged: the reference still holds the container's namespace, the record is as
    // we left it, the index entry is still there.
    EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
    EXPECT_EQ(mountinfo_count(cfg.ref(id)), 1);
    EXPECT_EQ(read_text(cfg.record(id)), bad);
    EXPECT_EQ(dir_entries(cfg.state_dir() + "/netns").size(), 1u);
    // gc reports it too and leaves it alone.
    auto gc = cfg.hook({"gc"});
    EXPECT_EQ(gc.exit_code, 1) << gc.err;
    EXPECT_TRUE(contains(gc.err, id)) << gc.err;
    EXPECT_EQ(mountinfo_count(cfg.ref(id)), 1);
    bystanders.expect_untouched();
    // Clean up by hand: the hook rightly refuses to.
    run({"umount", cfg.ref(id)});
    ::unlink(cfg.ref(id).c_str());
    ::unlink(cfg.record(id).c_str());
    for (const auto& e : dir_entries(cfg.state_dir() + "/netns")) {
      ::unlink((cfg.state_dir() + "/netns/" + e).c_str());
    }
  }
}

// A read-only tmpfs the test mounts as the state directory (root ignores mode bits, so a
// read-only mount is what makes it unwritable), empty or with its subdirectories already made.
class ReadOnlyStateDir {
 public:
  explicit ReadOnlyStateDir(bool with_subdirs) {
    ::mkdir(path().c_str(), 0700);
    EXPECT_EQ(::mount("tmpfs", path().c_str(), "tmpfs", 0, "mode=0700,size=1m"), 0);
    if (with_subdirs) {
      ::mkdir((path() + "/containers").c_str(), 0700);
      ::mkdir((path() + "/netns").c_str(), 0700);
    }
    EXPECT_EQ(::mount("tmpfs", path().c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "mode=0700"), 0);
  }
  ~ReadOnlyStateDir() { ::umount2(path().c_str(), MNT_DETACH); }
  ReadOnlyStateDir(const ReadOnlyStateDir&) = delete;
  ReadOnlyStateDir& operator=(const ReadOnlyStateDir&) = delete;
  [[nodiscard]] std::string path() const { return dir_.file("state"); }

 private:
  TempDir dir_{"oci-netns-rostate"};
};

TEST(FaultState, UnwritableStateDirectoryGivesAClearErrorAndLeavesNothing) {
  OCI_NETNS_REQUIRE_RUNC();
  for (bool with_subdirs : {false, true}) {
    for (const char* policy : {"warn", "fail"}) {
      SCOPED_TRACE(std::string(policy) + (with_subdirs ? ", subdirectories present" : ", empty"));
      ReadOnlyStateDir state(with_subdirs);
      TempDir logs("oci-netns-rolog");
      std::string log = logs.file("hook.log");
      {
        OpsConfig cfg(
            "", {{"state_dir", state.path()}, {"on_error", policy}, {"log", {{"file", log}}}});
        RuncBundle bundle;
        bundle.add_hook({cfg.path()});
        std::string id = ops_name("ocifault-ro");
        RuncContainer c(id, bundle);
        auto started = c.start();
        std::string text = read_text(log);
        EXPECT_TRUE(contains(text, "Read-only file system")) << text;
        EXPECT_TRUE(contains(text, state.path())) << text;
        EXPECT_EQ(line_count(text), 1) << text;
        if (std::string(policy) == "warn") {
          ASSERT_TRUE(started.ok()) << started.err;
          EXPECT_GT(c.pid(), 0);  // the container runs, without a reference
          EXPECT_TRUE(contains(text, "on_error=warn")) << text;
        } else {
          EXPECT_FALSE(started.ok());
        }
        // Nothing half-made: no reference, no mount in the netns directory.
        EXPECT_EQ(dir_entries(cfg.netns_dir()), std::vector<std::string>{});
        EXPECT_EQ(mountinfo_count(cfg.ref(id)), 0);
        c.runc({"delete", "--force", id});
        EXPECT_EQ(dir_entries(cfg.netns_dir()), std::vector<std::string>{});
      }
      // The read-only directory is as the test made it.
      EXPECT_EQ(dir_entries(state.path()).size(), with_subdirs ? 2u : 0u);
      EXPECT_EQ(dir_entries(state.path() + "/containers"), std::vector<std::string>{});
    }
  }
}

}  // namespace
}  // namespace ocinetns::test
