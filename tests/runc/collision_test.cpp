// The collision rule (common/model/name_collision.hpp) through the real hook binary: two containers
// whose template renders the same name, and names held by something we did not make, each
// checked with the references' inodes, the mount table and the records.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/model/name_collision.hpp"
#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

constexpr const char* kNameKey = "io.test.name";

std::string state_named(const std::string& id, pid_t pid, const std::string& name) {
  nlohmann::json s = nlohmann::json::parse(OpsConfig::state(id, pid));
  s["annotations"] = {{kNameKey, name}};
  return s.dump();
}

// A config whose template renders the annotation, so that two ids can ask for one name.
nlohmann::json named_config() {
  return {{"name_template", std::string("{annotation:") + kNameKey + "}"}, {"on_error", "fail"}};
}

// Removes, on scope exit, the records of `ids` (poststop) and then anything still mounted or
// present in the private netns directory: whatever the test left, nothing stays.
class DirCleanup {
 public:
  DirCleanup(const OpsConfig& cfg, std::vector<std::string> ids)
      : cfg_(cfg), ids_(std::move(ids)) {}
  ~DirCleanup() {
    for (const auto& id : ids_) cfg_.hook({"poststop"}, OpsConfig::state(id, 0));
    auto listing = run({"ls", "-A", cfg_.netns_dir()});
    std::string name;
    for (char c : listing.out + "\n") {
      if (c != '\n') {
        name += c;
        continue;
      }
      if (!name.empty()) {
        std::string path = cfg_.ref(name);
        while (mountinfo_has(path)) run({"umount", "-l", path});
        ::unlink(path.c_str());
      }
      name.clear();
    }
  }
  DirCleanup(const DirCleanup&) = delete;
  DirCleanup& operator=(const DirCleanup&) = delete;

 private:
  const OpsConfig& cfg_;
  std::vector<std::string> ids_;
};

TEST(Collision, SecondContainerOfOneNameGetsTheFallbackAndEachRemovalIsItsOwn) {
  for (bool first_stops_first : {true, false}) {
    SCOPED_TRACE(first_stops_first ? "first stops first" : "second stops first");
    OpsConfig cfg("", named_config());
    std::string name = ops_name("web");
    std::string a = ops_name("aaaaaaaaaaaaaaaa");
    std::string b = ops_name("bbbbbbbbbbbbbbbb");
    DirCleanup cleanup(cfg, {a, b});
    NetnsProcess pa;
    NetnsProcess pb;
    auto r = cfg.hook({"createRuntime"}, state_named(a, pa.pid(), name));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(inode_of(cfg.ref(name)), pa.netns_inode());

    r = cfg.hook({"createRuntime"}, state_named(b, pb.pid(), name));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string fallback = name + "-" + b.substr(0, 12);
    EXPECT_EQ(warning_count(r.err), 1) << r.err;
    EXPECT_TRUE(contains(r.err, "`" + cfg.ref(name) + "`: held by container " + a)) << r.err;
    EXPECT_TRUE(contains(r.err, "using " + cfg.ref(fallback) + " instead")) << r.err;
    EXPECT_EQ(inode_of(cfg.ref(name)), pa.netns_inode());
    EXPECT_EQ(inode_of(cfg.ref(fallback)), pb.netns_inode());
    EXPECT_EQ(mountinfo_count(cfg.ref(fallback)), 1);
    auto record = nlohmann::json::parse(read_text(cfg.record(b)));
    EXPECT_EQ(record["name"], fallback);

    // createRuntime again for the same container: the same fallback, nothing new.
    r = cfg.hook({"createRuntime"}, state_named(b, pb.pid(), name));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(mountinfo_count(cfg.ref(fallback)), 1);
    EXPECT_EQ(run({"ls", "-A", cfg.netns_dir()}).out, name + "\n" + fallback + "\n");

    const std::string& first = first_stops_first ? a : b;
    const std::string& second = first_stops_first ? b : a;
    const std::string& first_ref = first_stops_first ? name : fallback;
    const std::string& second_ref = first_stops_first ? fallback : name;
    const NetnsProcess& second_proc = first_stops_first ? pb : pa;
    r = cfg.hook({"poststop"}, OpsConfig::state(first, 0));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(path_exists(cfg.ref(first_ref)));
    EXPECT_EQ(inode_of(cfg.ref(second_ref)), second_proc.netns_inode());
    EXPECT_EQ(mountinfo_count(cfg.ref(second_ref)), 1);
    r = cfg.hook({"poststop"}, OpsConfig::state(second, 0));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(path_exists(cfg.ref(second_ref)));
    EXPECT_EQ(mountinfo_count(cfg.ref(second_ref)), 0);
    EXPECT_FALSE(path_exists(cfg.record(a)));
    EXPECT_FALSE(path_exists(cfg.record(b)));
  }
}

TEST(Collision, ForeignEntryIsNeverOverwrittenAndTheFallbackGrowsWhileTaken) {
  OpsConfig cfg("", named_config());
  std::string name = ops_name("db");
  std::string id = ops_name("0123456789abcdef0123456789abcdef");
  DirCleanup cleanup(cfg, {id});
  NetnsProcess proc;
  ::mkdir(cfg.netns_dir().c_str(), 0755);
  std::vector<std::string> candidates = name_candidates(name, id);
  ASSERT_GE(candidates.size(), 3u);
  // The name and its first fallback are held by files we did not make.
  write_text(cfg.ref(candidates[0]), "not ours\n");
  write_text(cfg.ref(candidates[1]), "not ours either\n");
  auto r = cfg.hook({"createRuntime"}, state_named(id, proc.pid(), name));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(warning_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "already exists and was not made by oci-netns-hook; refusing to "
                       "overwrite it; using " +
                           cfg.ref(candidates[2]) + " instead"))
      << r.err;
  EXPECT_EQ(candidates[2], name + "-" + id.substr(0, 12 + kFallbackIdStep));
  EXPECT_EQ(inode_of(cfg.ref(candidates[2])), proc.netns_inode());
  r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(cfg.ref(candidates[2])));
  EXPECT_EQ(read_text(cfg.ref(candidates[0])), "not ours\n");
  EXPECT_EQ(read_text(cfg.ref(candidates[1])), "not ours either\n");
}

TEST(Collision, IpNetnsAddNameIsKeptAndTheContainerIsNamedBesideIt) {
  OpsConfig cfg("/run/netns", named_config());
  IpNetns foreign(ops_name("ocicollide"));
  unsigned long long foreign_ino = inode_of("/run/netns/" + foreign.name());
  ASSERT_NE(foreign_ino, 0u);
  std::string id = ops_name("fedcba9876543210");
  std::string fallback = foreign.name() + "-" + id.substr(0, 12);
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  auto r = cfg.hook({"createRuntime"}, state_named(id, proc.pid(), foreign.name()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "was not made by oci-netns-hook")) << r.err;
  auto names = ip_netns_list();
  EXPECT_NE(std::find(names.begin(), names.end(), fallback), names.end());
  EXPECT_EQ(inode_of("/run/netns/" + fallback), proc.netns_inode());
  EXPECT_EQ(inode_of("/run/netns/" + foreign.name()), foreign_ino);
  r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists("/run/netns/" + fallback));
  EXPECT_EQ(inode_of("/run/netns/" + foreign.name()), foreign_ino);
  EXPECT_EQ(mountinfo_count("/run/netns/" + foreign.name()), 1);
}

}  // namespace
}  // namespace ocinetns::test
