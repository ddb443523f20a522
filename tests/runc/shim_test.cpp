// The oci-netns-runtime shim in front of real runc, driven the way Docker and containerd drive
// it: hooks.d registration adds the hook, a container with no matching hook runs unchanged, and
// shim errors land in the runtime's --log file as JSON lines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
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

  ShimSetup setup;
  setup.install_hooks();
  ::chmod(setup.config().c_str(), 0666);
  RuncBundle bundle;
  bundle.write();
  std::string id = unique_id("shim-untrusted-config");
  RuncContainer c(id, bundle);
  auto r = setup.shim(bundle.dir(), "run -d --bundle '" + bundle.dir() + "' '" + id + "'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("config `" + setup.config() + "`: refused, writable by group or others"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(run({"runc", "--root", test_runc_root(), "state", id}).ok());
}

}  // namespace
}  // namespace ocinetns::test

namespace ocinetns::test {
namespace {

// A stand-in dockerd: /bin/sleep under the name `dockerd` (so /proc/<pid>/comm matches), whose
// death by SIGHUP proves the install scripts reloaded it through the pidfile.
class FakeDockerd {
 public:
  FakeDockerd(const TempDir& dir, const std::string& pidfile) {
    std::string exe = dir.file("dockerd");
    if (!path_exists(exe)) sh("cp /bin/sleep '" + exe + "'");
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
  // The signal that ended the process, 0 if it is still running after a short wait.
  int ended_by() {
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
      }
      usleep(10000);
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
};

TEST(InstallScripts, InstallRegistersAndUninstallRestoresExactly) {
  if (::geteuid() != 0) {
    if (in_ci()) FAIL() << "prerequisite missing in CI: needs root";
    GTEST_SKIP() << "install.sh needs root";
  }
  TempDir t("oci-netns-install");
  std::string daemon_json = t.file("daemon.json");
  std::string original =
      R"({"log-level":"warn","runtimes":{"other":{"path":"/bin/true"}},"default-runtime":"other",)"
      R"("default-ulimits":{"nofile":{"Name":"nofile","Hard":9223372036854775807,"Soft":1024}}})";
  write_text(daemon_json, original);
  std::string flags = " --prefix '" + t.file("prefix") + "' --hooks-dir '" + t.file("hooks.d") +
                      "' --daemon-json '" + daemon_json + "' --docker-pidfile '" +
                      t.file("docker.pid") + "' --containerd-config '" +
                      t.file("containerd/config.toml") + "' --config-dir '" + t.file("etc") +
                      "' --manifest-dir '" + t.file("var") + "' --systemd-dir '" +
                      t.file("systemd") + "'";
  std::string src = OCI_NETNS_SOURCE_DIR;
  std::string build = std::string(OCI_NETNS_RUNTIME_BIN);
  build = build.substr(0, build.rfind("/hook/"));

  {
    FakeDockerd dockerd(t, t.file("docker.pid"));
    auto r = sh(src + "/install/install.sh --build-dir '" + build +
                "' --docker --default-runtime --containerd" + flags);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(dockerd.ended_by(), SIGHUP) << r.out;
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
      sh(src + "/install/install.sh --build-dir '" + build + "' --docker --default-runtime" + flags)
          .ok());
  std::string manifest = read_text(t.file("var/install-manifest"));
  EXPECT_EQ(manifest.find("docker-runtime"), manifest.rfind("docker-runtime")) << manifest;

  {
    FakeDockerd dockerd(t, t.file("docker.pid"));
    auto r = sh(src + "/install/uninstall.sh --force --manifest-dir '" + t.file("var") + "'");
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_EQ(dockerd.ended_by(), SIGHUP) << r.out;
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

}  // namespace
}  // namespace ocinetns::test
