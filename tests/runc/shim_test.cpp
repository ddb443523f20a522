// The oci-netns-runtime shim in front of real runc, driven the way Docker and containerd drive
// it: hooks.d registration adds the hook, a container with no matching hook runs unchanged, and
// shim errors land in the runtime's --log file as JSON lines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

std::string shim_binary() {
  return OCI_NETNS_RUNTIME_BIN;
}

bool listed(const std::string& name) {
  auto names = ip_netns_list();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A hooks.d directory and the shim config (shared with the hook) that points at it.
class ShimSetup {
 public:
  ShimSetup() {
    ::chmod(dir_.path().c_str(), 0755);
    ::mkdir(hooks_dir().c_str(), 0755);
    write_text(config(), R"({"runtime":{"hooks_dirs":[")" + hooks_dir() + R"("]}})");
  }
  [[nodiscard]] std::string hooks_dir() const { return dir_.file("hooks.d"); }
  [[nodiscard]] std::string config() const { return dir_.file("config.json"); }

  // The shipped hooks.d files with hook.path pointing at the built hook and `when` replaced.
  void install_hooks(const std::string& when = R"({"always":true})") const {
    for (const char* stage : {"createRuntime", "poststop"}) {
      std::string lower = std::string(stage) == "poststop" ? "poststop" : "createruntime";
      auto j =
          nlohmann::json::parse(read_text(std::string(OCI_NETNS_SOURCE_DIR) +
                                          "/install/hooks.d/oci-netns-hook-" + lower + ".json"));
      j["hook"]["path"] = hook_binary();
      j["hook"]["env"] = {"OCI_NETNS_HOOK_CONFIG=" + config()};
      j["when"] = nlohmann::json::parse(when);
      write_text(hooks_dir() + "/oci-netns-hook-" + lower + ".json", j.dump(2));
    }
  }

  // `oci-netns-runtime --root R --log B/log.json --log-format json <args>` with the container's
  // stdio in files, so no pipe of ours stays open.
  CommandResult shim(const std::string& bundle, const std::string& args) const {
    auto r = sh("OCI_NETNS_HOOK_CONFIG='" + config() + "' '" + shim_binary() + "' --root '" +
                test_runc_root() + "' --log '" + bundle + "/log.json' --log-format json " + args +
                " </dev/null >'" + bundle + "/stdout' 2>'" + bundle + "/stderr'");
    r.err = read_text(bundle + "/stderr");
    return r;
  }

 private:
  TempDir dir_{"oci-netns-shim"};
};

std::string unique_id(const std::string& base) {
  return base + "-" + std::to_string(getpid());
}

TEST(RuncShim, HooksDRegistrationMakesTheNamespaceVisibleUntilDelete) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  RuncBundle bundle;
  bundle.write();  // no hooks in config.json: only the shim can add them
  std::string id = unique_id("shim-life");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  int pid = c.pid();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(listed(id));
  EXPECT_EQ(inode_of("/run/netns/" + id), inode_of("/proc/" + std::to_string(pid) + "/ns/net"));
  auto spec = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
  EXPECT_EQ(spec["hooks"]["createRuntime"].size(), 1u);
  EXPECT_EQ(spec["hooks"]["poststop"].size(), 1u);

  // Passthrough verbs through the shim: kill, state, delete.
  ASSERT_TRUE(setup.shim(bundle.dir(), "kill '" + id + "' KILL").ok());
  for (int i = 0; i < 100; ++i) {
    auto s = run({shim_binary(), "--root", test_runc_root(), "state", id});
    if (!s.ok() || s.out.find("\"stopped\"") != std::string::npos) break;
    usleep(50000);
  }
  auto deleted = setup.shim(bundle.dir(), "delete '" + id + "'");
  ASSERT_TRUE(deleted.ok()) << deleted.err;
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
}

TEST(RuncShim, ContainerWithNoMatchingHookRunsUnchanged) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks(R"({"commands":["^/no/such/command$"]})");
  RuncBundle bundle({"sh", "-c", "env; echo shim-ok; sleep 3600"});
  bundle.write();
  std::string before = read_text(bundle.dir() + "/config.json");
  struct stat st_before {};
  ASSERT_EQ(::stat((bundle.dir() + "/config.json").c_str(), &st_before), 0);
  std::string id = unique_id("shim-plain");
  RuncContainer c(id, bundle);
  // cwd = bundle and no --bundle, as some callers do.
  auto r = sh("cd '" + bundle.dir() + "' && OCI_NETNS_HOOK_CONFIG='" + setup.config() + "' '" +
              shim_binary() + "' --root '" + test_runc_root() + "' run -d '" + id +
              "' </dev/null >stdout 2>stderr");
  ASSERT_TRUE(r.ok()) << read_text(bundle.dir() + "/stderr");
  ASSERT_GT(c.pid(), 0);
  EXPECT_FALSE(listed(id));
  struct stat st_after {};
  ASSERT_EQ(::stat((bundle.dir() + "/config.json").c_str(), &st_after), 0);
  EXPECT_EQ(st_after.st_ino, st_before.st_ino);  // never rewritten
  EXPECT_EQ(read_text(bundle.dir() + "/config.json"), before);
  for (int i = 0; i < 50 && c.output().find("shim-ok") == std::string::npos; ++i) usleep(100000);
  EXPECT_NE(c.output().find("shim-ok"), std::string::npos);
  // The shim's recursion marker stays in the runtime: the container (which may itself run an
  // engine with the shim) never sees it.
  EXPECT_EQ(c.output().find("OCI_NETNS_RUNTIME_ACTIVE"), std::string::npos) << c.output();
  EXPECT_TRUE(c.kill_and_delete().ok());
}

TEST(RuncShim, UnreadableConfigJsonIsAnErrorInTheJsonLog) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  TempDir bundle("oci-netns-shim-bundle");  // no config.json at all
  std::string id = unique_id("shim-err");
  auto r = setup.shim(bundle.path(), "create --bundle '" + bundle.path() + "' --pid-file '" +
                                         bundle.path() + "/init.pid' '" + id + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
  std::istringstream log(read_text(bundle.path() + "/log.json"));
  std::string line;
  int errors = 0;
  while (std::getline(log, line)) {
    auto j = nlohmann::json::parse(line);  // every line is JSON
    if (j.value("level", "") != "error") continue;
    ++errors;
    EXPECT_NE(j.value("msg", "").find("config.json"), std::string::npos) << line;
    EXPECT_TRUE(j.contains("time")) << line;
  }
  EXPECT_EQ(errors, 1);
  // The real runtime never ran: there is no container to delete.
  EXPECT_FALSE(run({"runc", "--root", test_runc_root(), "state", id}).ok());
}

TEST(RuncShim, InvalidHooksDFileIsSkippedWithAWarning) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  write_text(setup.hooks_dir() + "/00-broken.json", "{\"version\":\"1.0.0\"");
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-warn");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_NE(r.err.find("00-broken.json"), std::string::npos) << r.err;
  EXPECT_NE(read_text(bundle.dir() + "/log.json").find("\"level\":\"warning\""), std::string::npos);
  EXPECT_TRUE(listed(id));
  EXPECT_TRUE(c.kill_and_delete().ok());
  EXPECT_FALSE(listed(id));
}

}  // namespace
}  // namespace ocinetns::test
