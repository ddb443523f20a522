// `oci-netns-hook exec TARGET [--] CMD` with references the real hook made: by reference name,
// full id and id prefix, unknown and ambiguous targets (nothing run), CMD's exit status, and
// /sys/class/net inside showing the container's interfaces, not the host's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

constexpr const char* kNameKey = "io.test.name";

// Two "containers" (processes in fresh netns) with references named by an annotation, ids
// sharing a prefix; a veth pair (both ends) in the first one's namespace.
class ExecVerb : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE_RUNC();
    common_ = ops_name("xt");
    a_ = common_ + "aaaa";
    b_ = common_ + "bbbb";
    web_ = ops_name("web");
    db_ = ops_name("db");
    for (auto [id, name, proc] : {std::tuple{a_, web_, &pa_}, std::tuple{b_, db_, &pb_}}) {
      nlohmann::json s = nlohmann::json::parse(OpsConfig::state(id, proc->pid()));
      s["annotations"] = {{kNameKey, name}};
      auto r = cfg_.hook({"createRuntime"}, s.dump());
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ASSERT_EQ(inode_of(cfg_.ref(name)), proc->netns_inode());
    }
    auto link = run({"nsenter", "--net=" + pa_.ns_path(), "ip", "link", "add", "oci-xa0", "type",
                     "veth", "peer", "name", "oci-xb0"});
    ASSERT_TRUE(link.ok()) << link.err;
  }
  void TearDown() override {
    cfg_.hook({"poststop"}, OpsConfig::state(a_, 0));
    cfg_.hook({"poststop"}, OpsConfig::state(b_, 0));
  }
  CommandResult exec(const std::vector<std::string>& args) {
    std::vector<std::string> full{"exec"};
    full.insert(full.end(), args.begin(), args.end());
    return cfg_.hook(full);
  }

  OpsConfig cfg_{"", {{"name_template", std::string("{annotation:") + kNameKey + "}"}}};
  NetnsProcess pa_;
  NetnsProcess pb_;
  std::string common_, a_, b_, web_, db_;
};

std::string trimmed(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST_F(ExecVerb, ByReferenceNameInsideTheNamespaceWithItsSysClassNet) {
  auto r = exec({web_, "--", "readlink", "/proc/self/ns/net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trimmed(r.out), trimmed(run({"readlink", pa_.ns_path()}).out));
  r = exec({web_, "ls", "/sys/class/net"});  // no "--": CMD's own words are not ours
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "lo\noci-xa0\noci-xb0\n");
  // The host's /sys is untouched: the remount happened in exec's own mount namespace.
  EXPECT_FALSE(path_exists("/sys/class/net/oci-xa0"));
  EXPECT_TRUE(path_exists("/sys/class/net/lo"));
  // Options of CMD pass through as CMD's.
  r = exec({db_, "--", "ls", "-1", "/sys/class/net"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "lo\n");
}

TEST_F(ExecVerb, ByFullIdAndUniquePrefix) {
  for (const std::string& target : {b_, common_ + "b", b_.substr(0, common_.size() + 2)}) {
    SCOPED_TRACE(target);
    auto r = exec({target, "--", "readlink", "/proc/self/ns/net"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(trimmed(r.out), trimmed(run({"readlink", pb_.ns_path()}).out));
  }
}

TEST_F(ExecVerb, ExitStatusIsPassedThrough) {
  EXPECT_EQ(exec({web_, "--", "sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(exec({web_, "--", "true"}).exit_code, 0);
  EXPECT_EQ(exec({web_, "--", "false"}).exit_code, 1);
  auto r = exec({web_, "--", "/nonexistent/cmd"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_TRUE(contains(r.err, "cannot run `/nonexistent/cmd`")) << r.err;
}

TEST_F(ExecVerb, UnknownOrAmbiguousRunsNothing) {
  std::string marker = cfg_.file("ran");
  auto r = exec({"nosuch-" + web_, "--", "touch", marker});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "`nosuch-" + web_ + "` names no reference")) << r.err;
  EXPECT_TRUE(contains(r.err, db_)) << r.err;
  EXPECT_TRUE(contains(r.err, web_)) << r.err;
  r = exec({common_, "--", "touch", marker});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "`" + common_ + "` is ambiguous: it is the id prefix of " + db_ +
                                  " (container " + b_.substr(0, 12) + "), " + web_))
      << r.err;
  r = exec({"xt", "--", "touch", marker});  // too short to be a prefix
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(path_exists(marker));
}

TEST_F(ExecVerb, AReferenceThatNoLongerHoldsTheNamespaceIsNotEntered) {
  // Someone replaced the reference (umount, then a file of the same name): exec refuses.
  ASSERT_TRUE(run({"umount", cfg_.ref(db_)}).ok());
  std::string marker = cfg_.file("ran");
  auto r = exec({db_, "--", "touch", marker});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_TRUE(contains(r.err, "not a namespace reference")) << r.err;
  EXPECT_FALSE(path_exists(marker));
}

}  // namespace
}  // namespace ocinetns::test
