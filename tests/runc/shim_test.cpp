// The oci-netns-runtime shim in front of real runc, driven the way Docker and containerd drive
// it: hooks.d registration adds the hook, a container with no matching hook runs unchanged, and
// shim errors land in the runtime's --log file as JSON lines.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <sstream>

#include "common/base/unique_fd.hpp"
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
    write_config();
  }
  [[nodiscard]] std::string hooks_dir() const { return dir_.file("hooks.d"); }
  [[nodiscard]] std::string config() const { return dir_.file("config.json"); }
  [[nodiscard]] std::string file(const std::string& name) const { return dir_.file(name); }

  // The config: hooks_dirs, then `extra` members (JSON text without braces).
  void write_config(const std::string& extra = "") const {
    std::string text = R"({"runtime":{"hooks_dirs":[")" + hooks_dir() + R"("]})";
    if (!extra.empty()) text += "," + extra;
    write_text(config(), text + "}");
  }

  // The shipped hooks.d files with hook.path pointing at the built hook and `when` replaced,
  // into `dir` (hooks_dir() by default). `env` is added to the hook's environment.
  void install_hooks(const std::string& when = R"({"always":true})",
                     const std::vector<std::string>& env = {}, std::string dir = "") const {
    if (dir.empty()) dir = hooks_dir();
    for (const char* stage : {"createRuntime", "poststop"}) {
      std::string lower = std::string(stage) == "poststop" ? "poststop" : "createruntime";
      auto j =
          nlohmann::json::parse(read_text(std::string(OCI_NETNS_SOURCE_DIR) +
                                          "/install/hooks.d/oci-netns-hook-" + lower + ".json"));
      j["hook"]["path"] = hook_binary();
      j["hook"]["env"] = {"OCI_NETNS_HOOK_CONFIG=" + config()};
      for (const auto& e : env) j["hook"]["env"].push_back(e);
      j["when"] = nlohmann::json::parse(when);
      write_text(dir + "/oci-netns-hook-" + lower + ".json", j.dump(2));
    }
  }

  // `oci-netns-runtime --root R --log B/log.json --log-format json <args>` with the container's
  // stdio in files, so no pipe of ours stays open. `env` is a prefix of shell assignments.
  CommandResult shim(const std::string& bundle, const std::string& args,
                     const std::string& env = "") const {
    auto r = sh(env + " OCI_NETNS_HOOK_CONFIG='" + config() + "' '" + shim_binary() + "' --root '" +
                test_runc_root() + "' --log '" + bundle + "/log.json' --log-format json " + args +
                " </dev/null >'" + bundle + "/stdout' 2>'" + bundle + "/stderr'");
    r.err = read_text(bundle + "/stderr");
    r.out = read_text(bundle + "/stdout");
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

// A container user's 256 KiB annotation (Kubernetes' limit for all of a pod's annotations)
// against a `when.annotations` pattern that makes backtracking and std::regex's polynomial mode
// blow up: the shim still matches in linear time, so create completes and adds the hook (the
// suite's ctest TIMEOUT is what the old std::regex matcher ran into).
TEST(RuncShim, LongAnnotationAgainstAnAlternationPatternStillCreates) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks(R"({"annotations":{"^io\\.example\\.":"(a|aa)+b"}})");
  RuncBundle bundle;
  // Keys are written sorted: the long value that does not match is searched first.
  bundle.add_annotation("io.example.big", std::string(256 * 1024, 'a'));
  bundle.add_annotation("io.example.small", "aab");
  bundle.write();
  std::string id = unique_id("shim-long-ann");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "create --bundle '" + bundle.dir() + "' --pid-file '" +
                                        bundle.dir() + "/init.pid' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  auto spec = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
  ASSERT_TRUE(spec.contains("hooks")) << "no hook added";
  EXPECT_EQ(spec["hooks"]["createRuntime"].size(), 1u);
  EXPECT_EQ(spec["annotations"]["io.example.big"].get<std::string>().size(), 256u * 1024);
  EXPECT_TRUE(listed(id));  // the added createRuntime hook ran
  EXPECT_TRUE(c.kill_and_delete().ok());
  EXPECT_FALSE(listed(id));
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

// A hooks.d directory or file that a non-root user could write is refused with a warning naming
// it and the reason; the container runs without those hooks. The shim's own config likewise
// (an error: the real runtime never runs). Only a build-time option turns the check off.
TEST(RuncShim, UntrustedHooksDAndConfigAreRefused) {
  OCI_NETNS_REQUIRE_RUNC();
#ifdef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
  GTEST_SKIP() << "built with OCI_NETNS_ALLOW_UNTRUSTED_CONFIG: ownership checks are off";
#endif
  struct Case {
    const char* label;
    void (*spoil)(const ShimSetup&);
    const char* expected;
  };
  const Case cases[] = {
      {"directory mode 0777", [](const ShimSetup& s) { ::chmod(s.hooks_dir().c_str(), 0777); },
       "hooks.d directory `%D`: refused, writable by group or others (mode 0777)"},
      {"directory owned by nobody",
       [](const ShimSetup& s) { EXPECT_EQ(::chown(s.hooks_dir().c_str(), 65534, 65534), 0); },
       "hooks.d directory `%D`: refused, owned by uid 65534 instead of root"},
      {"file mode 0666",
       [](const ShimSetup& s) {
         ::chmod((s.hooks_dir() + "/oci-netns-hook-createruntime.json").c_str(), 0666);
       },
       "hooks.d file `%D/oci-netns-hook-createruntime.json`: refused, writable by group or "
       "others (mode 0666)"},
      {"file owned by nobody",
       [](const ShimSetup& s) {
         EXPECT_EQ(
             ::chown((s.hooks_dir() + "/oci-netns-hook-createruntime.json").c_str(), 65534, 65534),
             0);
       },
       "hooks.d file `%D/oci-netns-hook-createruntime.json`: refused, owned by uid 65534"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.label);
    ShimSetup setup;
    setup.install_hooks();
    k.spoil(setup);
    std::string expected = k.expected;
    expected.replace(expected.find("%D"), 2, setup.hooks_dir());
    RuncBundle bundle;
    bundle.write();
    std::string id = unique_id("shim-untrusted");
    RuncContainer c(id, bundle);
    auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
    ASSERT_TRUE(r.ok()) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_NE(read_text(bundle.dir() + "/log.json").find(expected), std::string::npos);
    auto spec = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
    EXPECT_FALSE(spec.contains("hooks") && spec["hooks"].contains("createRuntime"));
    EXPECT_GT(c.pid(), 0);
    EXPECT_FALSE(listed(id));
    c.kill_and_delete();
  }

  // An untrusted config is not used at all: not its hooks_dirs, and not its runtime.path (here
  // /bin/true, which would "succeed" without making a container). The container starts with the
  // hooks of the default hooks_dirs (an empty directory here) and the error is reported.
  ShimSetup setup;
  setup.install_hooks();
  write_text(setup.config(),
             R"({"runtime":{"path":"/bin/true","hooks_dirs":[")" + setup.hooks_dir() + R"("]}})");
  ::chmod(setup.config().c_str(), 0666);
  TempDir defaults("oci-netns-shim-defaults");
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-untrusted-config");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'",
                      "OCI_NETNS_TEST_DEFAULT_HOOKS_DIR='" + defaults.path() + "'");
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_NE(r.err.find("error: config not used, adding the hooks of the default hooks_dirs: "
                       "config `" +
                       setup.config() + "`: refused, writable by group or others"),
            std::string::npos)
      << r.err;
  auto spec = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
  EXPECT_FALSE(spec.contains("hooks") && spec["hooks"].contains("createRuntime"));
  EXPECT_GT(c.pid(), 0);
  EXPECT_FALSE(listed(id));
}

// A runc container with our hooks, started through the shim, then the config breaks (a typo):
// every passthrough command still runs the runtime, each reports the problem once, and delete's
// poststop still removes the reference (the record in the default state_dir is enough).
TEST(RuncShim, BrokenConfigKeepsPassthroughWorkingAndDeleteRemovesTheReference) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  // runtime.path: a wrapper that notes each command, so the test sees which runtime ran.
  std::string wrapper = setup.file("runc-wrapper");
  std::string marks = setup.file("marks");
  write_text(wrapper, "#!/bin/sh\necho \"$*\" >>'" + marks + "'\nexec runc \"$@\"\n", 0755);
  std::string runtime =
      R"("runtime":{"path":")" + wrapper + R"(","hooks_dirs":[")" + setup.hooks_dir() + R"("]})";
  write_text(setup.config(), "{" + runtime + "}");
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-broken");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  ASSERT_TRUE(listed(id));
  ASSERT_TRUE(mountinfo_has("/run/netns/" + id));

  write_text(setup.config(), "{" + runtime + R"(,"sysctl_erors":"warn"})");  // the typo
  std::string oplog = setup.file("operator.log");
  std::string env = "OCI_NETNS_TEST_DEFAULT_LOG='" + oplog + "'";
  std::string problem = setup.config() + ": sysctl_erors: unknown key";

  auto state = setup.shim(bundle.dir(), "state '" + id + "'", env);
  ASSERT_TRUE(state.ok()) << state.err;
  // Nothing on stderr: go-runc parses `state` output with stderr and stdout combined.
  EXPECT_EQ(state.err, "");
  EXPECT_EQ(nlohmann::json::parse(state.out).value("status", ""), "running") << state.out;
  auto exec = setup.shim(bundle.dir(), "exec '" + id + "' echo exec-ok", env);
  ASSERT_TRUE(exec.ok()) << exec.err;
  EXPECT_EQ(exec.out, "exec-ok\n");
  ASSERT_TRUE(setup.shim(bundle.dir(), "kill '" + id + "' KILL", env).ok());
  for (int i = 0; i < 100; ++i) {
    auto s = setup.shim(bundle.dir(), "state '" + id + "'", env);
    if (!s.ok() || s.out.find("\"stopped\"") != std::string::npos) break;
    usleep(50000);
  }
  auto deleted = setup.shim(bundle.dir(), "delete '" + id + "'", env);
  ASSERT_TRUE(deleted.ok()) << deleted.err;
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));
  // runtime.path of the rejected (but root's, well-formed) file ran every command.
  std::string ran = read_text(marks);
  for (const char* verb : {"state", "exec", "kill", "delete"}) {
    EXPECT_NE(ran.find(std::string("--log-format json ") + verb + " "), std::string::npos)
        << verb << ": " << ran;
  }
  // Each command reported the problem once, also to the operator's log.
  std::string logged = read_text(oplog);
  EXPECT_NE(logged.find("oci-netns-runtime["), std::string::npos) << logged;
  EXPECT_NE(logged.find("warning: config not used: " + problem), std::string::npos) << logged;
  std::string log_json = read_text(bundle.dir() + "/log.json");
  EXPECT_NE(log_json.find("\"level\":\"warning\",\"msg\":\"oci-netns-runtime: config not used: " +
                          problem),
            std::string::npos)
      << log_json;
}

// create/run with a config that cannot be used (and no runtime.hooks_dirs of its own): the
// container starts with the hooks of the default hooks_dirs, and the hook makes the reference with
// the built-in defaults (no sysctls); the shim and the hook each log an error, and delete removes
// the reference.
TEST(RuncShim, BrokenConfigAtCreateStartsWithTheDefaultsAndSaysSo) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  TempDir defaults("oci-netns-shim-defaults");
  ::chmod(defaults.path().c_str(), 0755);
  std::string oplog = setup.file("operator.log");
  setup.install_hooks(R"({"always":true})", {"OCI_NETNS_TEST_DEFAULT_LOG=" + oplog},
                      defaults.path());
  write_text(setup.config(), R"({"sysctls":{"net.ipv4.tcp_keepalive_time":621}})");  // not a string
  RuncBundle bundle({"sh", "-c", "cat /proc/sys/net/ipv4/tcp_keepalive_time; sleep 3600"});
  bundle.write();
  std::string id = unique_id("shim-broken-create");
  RuncContainer c(id, bundle);
  std::string env = "OCI_NETNS_TEST_DEFAULT_HOOKS_DIR='" + defaults.path() +
                    "' OCI_NETNS_TEST_DEFAULT_LOG='" + oplog + "'";
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'", env);
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  std::string problem =
      setup.config() + ": sysctls.net.ipv4.tcp_keepalive_time: expected a string value, got number";
  EXPECT_NE(
      r.err.find("error: config not used, adding the hooks of the default hooks_dirs: " + problem),
      std::string::npos)
      << r.err;
  EXPECT_NE(read_text(bundle.dir() + "/log.json").find("\"level\":\"error\""), std::string::npos);
  ASSERT_GT(c.pid(), 0);
  EXPECT_TRUE(listed(id));
  EXPECT_EQ(inode_of("/run/netns/" + id), inode_of("/proc/" + std::to_string(c.pid()) + "/ns/net"));
  for (int i = 0; i < 50 && c.output().empty(); ++i) usleep(100000);
  // Nothing of the rejected file was applied: the kernel's value for a new network namespace
  // (TCP_KEEPALIVE_TIME, two hours), whatever the host's is.
  EXPECT_EQ(c.output(), "7200\n");
  std::string logged = read_text(oplog);
  EXPECT_NE(logged.find("oci-netns-runtime["), std::string::npos) << logged;
  EXPECT_NE(logged.find("oci-netns-hook["), std::string::npos) << logged;
  EXPECT_NE(logged.find("error: createRuntime: config not used, running with the built-in "
                        "defaults (no sysctls): " +
                        problem),
            std::string::npos)
      << logged;
  EXPECT_TRUE(c.kill_and_delete().ok());
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
}

// A container created while the config was broken, with the fault in its state_dir key (so that
// key cannot be kept), has its record in the default state_dir; a poststop under the fixed config,
// whose state_dir is another, still finds it there.
TEST(RuncShim, ReferenceMadeUnderABrokenConfigIsRemovedAfterTheFix) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  std::string state_dir = setup.file("state");
  setup.write_config(R"("state_dri":")" + state_dir + "\"");  // the typo
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-fixed");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err;
  ASSERT_TRUE(listed(id));
  EXPECT_TRUE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));
  EXPECT_FALSE(path_exists(state_dir + "/containers/" + id + ".json"));
  setup.write_config(R"("state_dir":")" + state_dir + "\"");
  EXPECT_TRUE(c.kill_and_delete().ok());
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
  EXPECT_FALSE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));
}

// A container made under a config with its own netns_dir and state_dir, then the config breaks
// (a typo): delete's poststop looks in the file's state_dir (kept, since the file is root's,
// well-formed JSON and the key valid) and removes the reference; the built-in defaults alone would
// look only in /run/oci-netns-hook and leave the mount, the pinned netns and the record.
TEST(RuncShim, BrokenConfigWithPrivateDirectoriesDeleteRemovesTheReference) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  std::string netns_dir = setup.file("netns");
  std::string state_dir = setup.file("state");
  std::string dirs = R"("netns_dir":")" + netns_dir + R"(","state_dir":")" + state_dir + "\"";
  setup.write_config(dirs);
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-private-broken");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  ASSERT_GT(c.pid(), 0);
  std::string ref = netns_dir + "/" + id;
  std::string record = state_dir + "/containers/" + id + ".json";
  ASSERT_EQ(inode_of(ref), inode_of("/proc/" + std::to_string(c.pid()) + "/ns/net"));
  ASSERT_TRUE(mountinfo_has(ref));
  ASSERT_TRUE(path_exists(record));

  setup.write_config(dirs + R"(,"on_eror":"warn")");
  ASSERT_TRUE(setup.shim(bundle.dir(), "kill '" + id + "' KILL").ok());
  for (int i = 0; i < 100; ++i) {
    auto s = setup.shim(bundle.dir(), "state '" + id + "'");
    if (!s.ok() || s.out.find("\"stopped\"") != std::string::npos) break;
    usleep(50000);
  }
  auto deleted = setup.shim(bundle.dir(), "delete '" + id + "'");
  ASSERT_TRUE(deleted.ok()) << deleted.err;
  EXPECT_FALSE(path_exists(ref));
  EXPECT_FALSE(mountinfo_has(ref));
  EXPECT_FALSE(path_exists(record));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
}

// The shim's create under a broken config with hooks_dirs of its own adds the hooks of those
// directories (kept, like the directories above) and not those of the default hooks_dirs: a
// typo must not start running third-party hooks the admin had left out.
TEST(RuncShim, BrokenConfigAddsTheHooksOfItsOwnHooksDirsNotTheDefaults) {
  OCI_NETNS_REQUIRE_RUNC();
  ShimSetup setup;
  setup.install_hooks();
  TempDir defaults("oci-netns-shim-defaults");
  ::chmod(defaults.path().c_str(), 0755);
  std::string marker = setup.file("third-party-ran");
  nlohmann::json third_party = {
      {"version", "1.0.0"},
      {"hook", {{"path", "/bin/sh"}, {"args", {"sh", "-c", "touch '" + marker + "'"}}}},
      {"when", {{"always", true}}},
      {"stages", {"createRuntime"}}};
  write_text(defaults.file("00-third-party.json"), third_party.dump());
  setup.write_config(R"("on_eror":"warn")");  // the typo
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-broken-hooks");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'",
                      "OCI_NETNS_TEST_DEFAULT_HOOKS_DIR='" + defaults.path() + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  EXPECT_NE(r.err.find("error: config not used, adding the hooks of its runtime.hooks_dirs: " +
                       setup.config() + ": on_eror: unknown key"),
            std::string::npos)
      << r.err;
  auto spec = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
  ASSERT_TRUE(spec.contains("hooks")) << "no hook added";
  ASSERT_EQ(spec["hooks"]["createRuntime"].size(), 1u) << spec["hooks"].dump();
  EXPECT_EQ(spec["hooks"]["createRuntime"][0]["path"], hook_binary());
  EXPECT_EQ(spec["hooks"]["poststop"].size(), 1u);
  EXPECT_FALSE(path_exists(marker));
  ASSERT_GT(c.pid(), 0);
  EXPECT_TRUE(listed(id));  // the kept directory's hook ran
  EXPECT_TRUE(c.kill_and_delete().ok());
  EXPECT_FALSE(listed(id));
  EXPECT_FALSE(mountinfo_has("/run/netns/" + id));
}

// A warning under a config with no log settings reaches the default destination: the log file
// when there is no syslog socket, syslog when there is one (both private paths here; test builds
// never use the host's /dev/log or /var/log). The warning: the container's name is taken by a
// file we did not make (on_error=warn, so the container starts without a reference).
TEST(RuncShim, WarningWithNoLogSettingsReachesTheDefaultDestination) {
  OCI_NETNS_REQUIRE_RUNC();
  for (bool with_syslog : {false, true}) {
    SCOPED_TRACE(with_syslog ? "syslog" : "file");
    ShimSetup setup;
    std::string oplog = setup.file("default.log");
    std::string dev_log = setup.file("dev-log");
    UniqueFd syslog_fd;
    std::vector<std::string> env = {"OCI_NETNS_TEST_DEFAULT_LOG=" + oplog};
    if (with_syslog) {
      syslog_fd.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", dev_log.c_str());
      ASSERT_EQ(::bind(syslog_fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
      env.push_back("OCI_NETNS_TEST_DEV_LOG=" + dev_log);
    }
    setup.install_hooks(R"({"always":true})", env);
    std::string netns_dir = setup.file("netns");
    ::mkdir(netns_dir.c_str(), 0755);
    setup.write_config(R"("netns_dir":")" + netns_dir + R"(","state_dir":")" + setup.file("state") +
                       "\"");
    RuncBundle bundle;
    bundle.write();
    std::string id = unique_id(with_syslog ? "shim-warn-syslog" : "shim-warn-file");
    write_text(netns_dir + "/" + id, "not ours\n");
    RuncContainer c(id, bundle);
    auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
    ASSERT_TRUE(r.ok()) << r.err;
    EXPECT_GT(c.pid(), 0);
    std::string warning = "createRuntime " + id + ": netns name `" + netns_dir + "/" + id + "`: ";
    if (with_syslog) {
      char buf[4096];
      ssize_t n = ::recv(syslog_fd.get(), buf, sizeof buf, 0);
      ASSERT_GT(n, 0) << "nothing sent to the syslog socket";
      std::string msg(buf, static_cast<std::size_t>(n));
      EXPECT_EQ(msg.rfind("<28>", 0), 0u) << msg;  // LOG_DAEMON | LOG_WARNING
      EXPECT_NE(msg.find(" oci-netns-hook["), std::string::npos) << msg;
      EXPECT_NE(msg.find(warning), std::string::npos) << msg;
      EXPECT_FALSE(path_exists(oplog));  // syslog is preferred when its socket exists
    } else {
      std::string logged = read_text(oplog);
      EXPECT_NE(logged.find("] warning: " + warning), std::string::npos) << logged;
      EXPECT_NE(logged.find("refusing to overwrite it"), std::string::npos) << logged;
      EXPECT_EQ(logged.find(" info: "), std::string::npos) << logged;  // warn and above only
    }
    EXPECT_EQ(read_text(netns_dir + "/" + id), "not ours\n");
    c.kill_and_delete();
  }
}

// A host-network container (no network namespace in the spec) with a net.* key configured starts
// under the default policy, with an info line; host_namespace_sysctls "fail" makes it fatal.
// The host's value never changes.
TEST(RuncShim, HostNetworkContainerWithNetSysctlsStartsUnlessTheOperatorSaysFail) {
  OCI_NETNS_REQUIRE_RUNC();
  std::string before = read_text("/proc/sys/net/ipv4/tcp_keepalive_time");
  for (const char* policy : {"", "fail"}) {
    SCOPED_TRACE(policy);
    ShimSetup setup;
    setup.install_hooks();
    std::string log = setup.file("hook.log");
    std::string extra =
        R"("sysctls":{"net.ipv4.tcp_keepalive_time":"622"},"log":{"file":")" + log + R"("})";
    if (*policy != '\0') extra += std::string(R"(,"host_namespace_sysctls":")") + policy + "\"";
    setup.write_config(extra);
    RuncBundle bundle;
    bundle.use_host_network();
    bundle.write();
    std::string id = unique_id("shim-hostnet");
    RuncContainer c(id, bundle);
    auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
    std::string line = "createRuntime " + id +
                       ": sysctl net.ipv4.tcp_keepalive_time: not applied, the container uses the "
                       "host's network namespace";
    if (*policy == '\0') {
      ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
      EXPECT_GT(c.pid(), 0);
      EXPECT_NE(read_text(log).find("info: " + line), std::string::npos) << read_text(log);
      c.kill_and_delete();
    } else {
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(c.pid(), 0);
      EXPECT_NE(read_text(log).find("error: " + line), std::string::npos) << read_text(log);
    }
    EXPECT_EQ(read_text("/proc/sys/net/ipv4/tcp_keepalive_time"), before);
  }
}

}  // namespace
}  // namespace ocinetns::test

namespace ocinetns::test {
namespace {

// A stand-in dockerd: a shell script named `dockerd` (so /proc/<pid>/comm matches) that counts
// the SIGHUPs it gets and survives them, as a real dockerd must, proving the install scripts
// reloaded it through the pidfile. fake_docker_path() holds a `docker` client that answers.
class FakeDockerd {
 public:
  // `survives_hup` false: /bin/sleep as `dockerd`, which SIGHUP kills, like a reload that panics.
  FakeDockerd(const TempDir& dir, const std::string& pidfile, bool survives_hup = true)
      : hups_(dir.file("hups")) {
    std::string exe = dir.file(survives_hup ? "dockerd" : "dying/dockerd");
    if (survives_hup) {
      write_text(exe,
                 "#!/bin/sh\ntrap 'echo hup >>" + hups_ + "' HUP\nwhile :; do sleep 0.05; done\n",
                 0755);
    } else {
      sh("mkdir -p '" + dir.file("dying") + "' && cp /bin/sleep '" + exe + "'");
    }
    write_text(hups_, "");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(exe.c_str(), "dockerd", "600", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    write_text(pidfile, std::to_string(pid_) + "\n");
    for (int i = 0; i < 100 && read_text("/proc/" + std::to_string(pid_) + "/comm") != "dockerd\n";
         ++i) {
      usleep(10000);
    }
  }
  ~FakeDockerd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // How many SIGHUPs it handled; -1 if it died.
  int hups() {
    usleep(100000);  // a trap runs once the current sleep ends
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return -1;
    }
    std::string text = read_text(hups_);
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

 private:
  std::string hups_;
  pid_t pid_ = -1;
};

// A directory whose `docker` answers every command with nothing (no containers), first on PATH.
std::string fake_docker_path(const TempDir& dir) {
  std::string bin = dir.file("fake-client");
  sh("mkdir -p '" + bin + "'");
  write_text(bin + "/docker", "#!/bin/sh\nexit 0\n", 0755);
  return "PATH=" + bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

// install.sh options that put everything it writes under `t`.
std::string scratch_install_flags(const TempDir& t) {
  return " --prefix '" + t.file("prefix") + "' --hooks-dir '" + t.file("hooks.d") +
         "' --daemon-json '" + t.file("daemon.json") + "' --docker-pidfile '" +
         t.file("docker.pid") + "' --containerd-config '" + t.file("containerd/config.toml") +
         "' --config-dir '" + t.file("etc") + "' --manifest-dir '" + t.file("var") +
         "' --systemd-dir '" + t.file("systemd") + "'";
}

// The tree these tests were built in, for install.sh --build-dir (nothing is rebuilt).
std::string built_tree() {
  std::string build = OCI_NETNS_RUNTIME_BIN;
  return build.substr(0, build.rfind("/hook/"));
}

// install.sh and uninstall.sh need root (skipped without it, failed in CI).
#define OCI_NETNS_REQUIRE_INSTALL_ROOT()                               \
  do {                                                                 \
    if (::geteuid() != 0) {                                            \
      if (in_ci()) FAIL() << "prerequisite missing in CI: needs root"; \
      GTEST_SKIP() << "install.sh needs root";                         \
    }                                                                  \
  } while (0)

TEST(InstallScripts, InstallRegistersAndUninstallRestoresExactly) {
  OCI_NETNS_REQUIRE_INSTALL_ROOT();
  TempDir t("oci-netns-install");
  std::string daemon_json = t.file("daemon.json");
  std::string original =
      R"({"log-level":"warn","runtimes":{"other":{"path":"/bin/true"}},"default-runtime":"other",)"
      R"("default-ulimits":{"nofile":{"Name":"nofile","Hard":9223372036854775807,"Soft":1024}}})";
  write_text(daemon_json, original);
  std::string flags = scratch_install_flags(t);
  std::string src = OCI_NETNS_SOURCE_DIR;
  std::string build = built_tree();
  CommandOptions client;
  client.env = {fake_docker_path(t)};

  {
    FakeDockerd dockerd(t, t.file("docker.pid"));
    auto r = sh(src + "/install/install.sh --build-dir '" + build +
                    "' --docker --default-runtime --containerd" + flags,
                client);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(dockerd.hups(), 1) << r.out;
  }
  auto j = nlohmann::ordered_json::parse(read_text(daemon_json));
  std::string runtime = t.file("prefix") + "/bin/oci-netns-runtime";
  EXPECT_EQ(j["runtimes"]["oci-netns"]["path"], runtime);
  EXPECT_EQ(j["runtimes"]["other"]["path"], "/bin/true");
  EXPECT_EQ(j["default-runtime"], "oci-netns");
  EXPECT_EQ(j["log-level"], "warn");
  EXPECT_NE(read_text(daemon_json).find("9223372036854775807"), std::string::npos);
  EXPECT_EQ(::access(runtime.c_str(), X_OK), 0);
  EXPECT_NE(read_text(t.file("hooks.d/oci-netns-hook-createruntime.json"))
                .find(t.file("prefix") + "/bin/oci-netns-hook"),
            std::string::npos);
  EXPECT_NE(read_text(t.file("containerd/config.toml")).find("BinaryName = \"" + runtime + "\""),
            std::string::npos);
  EXPECT_TRUE(path_exists(t.file("etc/config.json")));
  // The installed hook hands its command line to the CLI installed beside it.
  CommandResult version = run({t.file("prefix") + "/bin/oci-netns-hook", "--version"});
  EXPECT_TRUE(version.ok()) << version.err;
  EXPECT_EQ(version.out.rfind("oci-netns-hook ", 0), 0u) << version.out;

  // Installing again records nothing twice and keeps the original default to restore.
  ASSERT_TRUE(
      sh(src + "/install/install.sh --build-dir '" + build + "' --docker --default-runtime" + flags,
         client)
          .ok());
  std::string manifest = read_text(t.file("var/install-manifest"));
  EXPECT_EQ(manifest.find("docker-runtime"), manifest.rfind("docker-runtime")) << manifest;

  {
    FakeDockerd dockerd(t, t.file("docker.pid"));
    auto r =
        sh(src + "/install/uninstall.sh --force --manifest-dir '" + t.file("var") + "'", client);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(dockerd.hups(), 1) << r.out;
  }
  auto after = nlohmann::ordered_json::parse(read_text(daemon_json));
  auto expected = nlohmann::ordered_json::parse(original);
  EXPECT_EQ(after, expected);  // same keys, order and values: "other" stays, default restored
  for (const char* gone :
       {"prefix/bin/oci-netns-runtime", "prefix/bin/oci-netns-hook",
        "prefix/bin/oci-netns-hook-cli", "hooks.d/oci-netns-hook-createruntime.json",
        "hooks.d/oci-netns-hook-poststop.json", "containerd/config.toml", "etc/config.json",
        "var/install-manifest"}) {
    EXPECT_FALSE(path_exists(t.file(gone))) << gone;
  }
}

// uninstall.sh checks that dockerd survived the reload and says so, failing, when it did not
// (Docker 20.10 panics on some reloads; every container on the host then loses its daemon).
// uninstall.sh splits manifest lines on whitespace: a path with a space would make it remove
// the wrong files (`rm -f /tmp/x` for `/tmp/x y/...`), so install.sh refuses such paths, and
// relative ones, before doing anything.
TEST(InstallScripts, PathsWithWhitespaceOrGlobsOrRelativeAreRefusedBeforeAnything) {
  TempDir t("oci-netns-install");
  std::string src = OCI_NETNS_SOURCE_DIR;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--prefix", t.file("with space")},        {"--manifest-dir", t.file("tab\there")},
      {"--hooks-dir", t.file("glob*")},          {"--config-dir", t.file("new\nline")},
      {"--daemon-json", "relative/daemon.json"},
  };
  for (const auto& [option, value] : cases) {
    auto r = sh(src + "/install/install.sh --build-dir /nonexistent" + scratch_install_flags(t) +
                " " + option + " '" + value + "'");
    EXPECT_EQ(r.exit_code, 2) << option << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("install.sh: " + option), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << option;
    EXPECT_TRUE(dir_entries(t.path()).empty()) << option << ": install.sh wrote something";
  }
}

// With dockerd stopped its containers cannot be listed, and a stopped container created under
// our runtime would never start again: uninstall refuses unless --force.
TEST(InstallScripts, UninstallRefusesWhileDockerdIsStoppedUnlessForced) {
  OCI_NETNS_REQUIRE_INSTALL_ROOT();
  TempDir t("oci-netns-install");
  std::string flags = scratch_install_flags(t);
  std::string src = OCI_NETNS_SOURCE_DIR;
  std::string build = built_tree();
  auto r = sh(src + "/install/install.sh --build-dir '" + build + "' --docker" + flags);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  std::string uninstall = src + "/install/uninstall.sh --manifest-dir '" + t.file("var") + "'";
  r = sh(uninstall);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("is not running, so its containers cannot be checked"), std::string::npos)
      << r.err;
  EXPECT_TRUE(
      nlohmann::json::parse(read_text(t.file("daemon.json")))["runtimes"].contains("oci-netns"));
  EXPECT_TRUE(path_exists(t.file("prefix/bin/oci-netns-runtime")));
  r = sh(uninstall + " --force");
  EXPECT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_FALSE(
      nlohmann::json::parse(read_text(t.file("daemon.json")))["runtimes"].contains("oci-netns"));
  EXPECT_FALSE(path_exists(t.file("prefix/bin/oci-netns-runtime")));
}

TEST(InstallScripts, UninstallReportsADockerdThatDiesOnItsReload) {
  OCI_NETNS_REQUIRE_INSTALL_ROOT();
  TempDir t("oci-netns-install");
  std::string flags = scratch_install_flags(t);
  std::string src = OCI_NETNS_SOURCE_DIR;
  std::string build = built_tree();
  CommandOptions client;
  client.env = {fake_docker_path(t)};
  {
    FakeDockerd dockerd(t, t.file("docker.pid"));
    auto r = sh(src + "/install/install.sh --build-dir '" + build + "' --docker" + flags, client);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
  }
  FakeDockerd dying(t, t.file("docker.pid"), false);
  auto r = sh(src + "/install/uninstall.sh --manifest-dir '" + t.file("var") + "'", client);
  EXPECT_FALSE(r.ok()) << r.out;
  EXPECT_NE(r.err.find("died after reloading"), std::string::npos) << r.err;
  EXPECT_EQ(dying.hups(), -1);
  // The rest of the uninstall still ran.
  auto j = nlohmann::ordered_json::parse(read_text(t.file("daemon.json")));
  EXPECT_FALSE(j["runtimes"].contains("oci-netns")) << j.dump();
  EXPECT_FALSE(path_exists(t.file("prefix/bin/oci-netns-runtime")));
}

// Late interfaces, as Docker 26.0 and 28+ attach them: `create` through the shim (the hook finds
// no eth0 and defers its per-interface sysctl), a veth end named eth0 moved into the container's
// namespace, then `start` through the shim, which writes the sysctl before runc lets the app run:
// the app's first read sees the value.
class LateInterface : public ::testing::Test {
 protected:
  void SetUp() override { OCI_NETNS_REQUIRE_RUNC(); }
  // `oci-netns-runtime ... start ID` with its own output files (the container's stdout is
  // bundle/stdout, opened at create).
  CommandResult shim_start(const ShimSetup& setup, const RuncBundle& bundle,
                           const std::string& id) {
    auto r = sh("OCI_NETNS_HOOK_CONFIG='" + setup.config() + "' '" + shim_binary() + "' --root '" +
                test_runc_root() + "' --log '" + bundle.dir() + "/log.json' --log-format json " +
                "start '" + id + "' </dev/null >'" + bundle.dir() + "/start.out' 2>'" +
                bundle.dir() + "/start.err'");
    r.err = read_text(bundle.dir() + "/start.err");
    return r;
  }
  static std::string deferred_path(const std::string& id) {
    return "/run/oci-netns-hook/deferred/" + id + ".json";
  }
  static std::string wait_for_output(const RuncBundle& bundle) {
    std::string out;
    for (int i = 0; i < 100; ++i) {
      out = read_text(bundle.dir() + "/stdout");
      if (out.find('\n') != std::string::npos) break;
      usleep(50000);
    }
    return out;
  }
};

TEST_F(LateInterface, DeferredToStartAndTheAppsFirstReadSeesIt) {
  ShimSetup setup;
  setup.install_hooks();
  std::string log = setup.file("hook.log");
  setup.write_config(R"("sysctls":{"net.ipv4.conf.eth0.arp_ignore":"2"},"log":{"file":")" + log +
                     R"("})");
  RuncBundle bundle({"sh", "-c", "cat /proc/sys/net/ipv4/conf/eth0/arp_ignore; sleep 3600"});
  bundle.write();
  std::string id = unique_id("late-eth0");
  RuncContainer c(id, bundle);
  std::string host_end = "oci-late" + std::to_string(getpid() % 100000);
  auto r = setup.shim(bundle.dir(), "create --bundle '" + bundle.dir() + "' '" + id + "'");
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  auto state = run({"runc", "--root", test_runc_root(), "state", id});  // "created": init waits
  ASSERT_TRUE(state.ok()) << state.err;
  int pid = nlohmann::json::parse(state.out).value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(path_exists(deferred_path(id))) << read_text(log);
  EXPECT_NE(read_text(log).find("deferred sysctl net.ipv4.conf.eth0.arp_ignore=2 for " + id),
            std::string::npos)
      << read_text(log);
  EXPECT_EQ(read_text(log).find("warning"), std::string::npos) << read_text(log);

  // What dockerd does between create and start: eth0 appears in the container's namespace.
  auto link = run({"ip", "link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns",
                   std::to_string(pid)});
  ASSERT_TRUE(link.ok()) << link.err;
  auto before = run({"nsenter", "--net=/proc/" + std::to_string(pid) + "/ns/net", "cat",
                     "/proc/sys/net/ipv4/conf/eth0/arp_ignore"});
  ASSERT_TRUE(before.ok()) << before.err;
  EXPECT_NE(before.out, "2\n");  // the value comes from the deferred write, not a default
  EXPECT_EQ(read_text(bundle.dir() + "/stdout"), "");  // the app has not run yet

  r = shim_start(setup, bundle, id);
  ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
  EXPECT_EQ(wait_for_output(bundle), "2\n");
  EXPECT_FALSE(path_exists(deferred_path(id)));
  EXPECT_NE(read_text(log).find("set sysctl net/ipv4/conf/eth0/arp_ignore=2 for " + id +
                                " (deferred to start)"),
            std::string::npos)
      << read_text(log);
  c.kill_and_delete();
  run({"ip", "link", "del", host_end});
}

TEST_F(LateInterface, StillMissingAtStartFollowsSysctlErrors) {
  for (const char* policy : {"warn", "fail"}) {
    SCOPED_TRACE(policy);
    ShimSetup setup;
    setup.install_hooks();
    setup.write_config(R"("sysctls":{"net.ipv4.conf.eth0.arp_ignore":"2"},"sysctl_errors":")" +
                       std::string(policy) + "\"");
    RuncBundle bundle({"sh", "-c", "echo app-ran; sleep 3600"});
    bundle.write();
    std::string id = unique_id(std::string("late-missing-") + policy);
    RuncContainer c(id, bundle);
    auto r = setup.shim(bundle.dir(), "create --bundle '" + bundle.dir() + "' '" + id + "'");
    ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
    ASSERT_TRUE(path_exists(deferred_path(id)));
    r = shim_start(setup, bundle, id);
    std::string logged = read_text(bundle.dir() + "/log.json");
    EXPECT_NE(logged.find("start " + id + ": sysctl net/ipv4/conf/eth0/arp_ignore: does not exist"),
              std::string::npos)
        << logged;
    if (std::string(policy) == "fail") {
      EXPECT_EQ(r.exit_code, 1) << r.err;
      usleep(200000);
      EXPECT_EQ(read_text(bundle.dir() + "/stdout"), "");  // never started
    } else {
      EXPECT_TRUE(r.ok()) << r.err;
      EXPECT_EQ(wait_for_output(bundle), "app-ran\n");
    }
    EXPECT_FALSE(path_exists(deferred_path(id)));
    c.kill_and_delete();
  }
}

// A container created but never started: poststop drops its entry. An entry whose container is
// gone without a poststop is gc's; one of a live container is kept.
TEST_F(LateInterface, NeverStartedIsDroppedByPoststopAndGcForgetsOrphans) {
  ShimSetup setup;
  setup.install_hooks();
  setup.write_config(R"("sysctls":{"net.ipv4.conf.eth0.arp_ignore":"2"})");
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("late-never");
  {
    RuncContainer c(id, bundle);
    auto r = setup.shim(bundle.dir(), "create --bundle '" + bundle.dir() + "' '" + id + "'");
    ASSERT_TRUE(r.ok()) << r.err << read_text(bundle.dir() + "/log.json");
    ASSERT_TRUE(path_exists(deferred_path(id)));
    c.kill_and_delete();
  }
  EXPECT_FALSE(path_exists(deferred_path(id)));

  TempDir state("oci-netns-late-state");
  write_text(setup.file("gc.json"), R"({"state_dir":")" + state.path() + R"("})");
  for (const char* sub : {"containers", "netns", "deferred"}) {
    ::mkdir((state.path() + "/" + sub).c_str(), 0700);
  }
  auto entry = [](const std::string& cid, pid_t pid, const std::string& start) {
    return R"({"version":1,"id":")" + cid + R"(","pid":)" + std::to_string(pid) +
           R"(,"pid_start_time":)" + start +
           R"(,"netns":{"dev":1,"ino":2},"writes":[{"key":"net/ipv4/conf/eth0/arp_ignore","value":"2","source":"config"}]})";
  };
  // Our own process stands for a live init; its start time is field 22 of /proc/self/stat.
  std::string stat = read_text("/proc/self/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int n = 3; n <= 22; ++n) fields >> field;
  write_text(state.path() + "/deferred/live.json", entry("live", getpid(), field), 0600);
  write_text(state.path() + "/deferred/gone.json", entry("gone", getpid(), "1"), 0600);
  write_text(state.path() + "/deferred/junk.json", "{", 0600);
  auto gc = run({hook_binary(), "--config", setup.file("gc.json"), "gc"});
  EXPECT_TRUE(gc.ok()) << gc.err;
  EXPECT_NE(gc.out.find("forgot deferred sysctls of gone: its container is gone"),
            std::string::npos)
      << gc.out;
  EXPECT_NE(gc.out.find("forgot deferred sysctls of junk"), std::string::npos) << gc.out;
  EXPECT_TRUE(path_exists(state.path() + "/deferred/live.json")) << gc.out;
  EXPECT_FALSE(path_exists(state.path() + "/deferred/gone.json"));
  EXPECT_FALSE(path_exists(state.path() + "/deferred/junk.json"));
}

// Without the shim (the hook in config.json, plain `runc run`) nothing can apply it later: the
// missing interface is reported at createRuntime as before (failing the start under the default
// sysctl_errors "fail"), and nothing is deferred.
TEST_F(LateInterface, WithoutTheShimItIsReportedAtCreateRuntime) {
  TempDir dir("oci-netns-late");
  std::string log = dir.file("hook.log");
  write_text(
      dir.file("config.json"),
      R"({"sysctls":{"net.ipv4.conf.eth0.arp_ignore":"2"},"log":{"file":")" + log + R"("}})");
  RuncBundle bundle;
  bundle.add_hook(HookEnv{dir.file("config.json")});
  std::string id = unique_id("late-noshim");
  RuncContainer c(id, bundle);
  auto r = c.start();  // the default sysctl_errors is "fail"
  EXPECT_FALSE(r.ok());
  EXPECT_NE(read_text(log).find("(the interface may not exist yet at createRuntime)"),
            std::string::npos)
      << read_text(log);
  EXPECT_FALSE(path_exists(deferred_path(id)));
  c.kill_and_delete();
}

}  // namespace
}  // namespace ocinetns::test
