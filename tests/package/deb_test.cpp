// The Debian package that `install/build.sh --deb` makes (built for these tests by the
// package.build_deb fixture, tests/CMakeLists.txt): lintian reports nothing but the static-linking
// override; the files stay under /usr and /etc/oci-netns-hook, stripped, with a man page per
// command; and on this host `dpkg -i` makes Podman register its containers at once, `dpkg -r`
// refuses while a reference is in use and then leaves nothing mounted or running, and
// `dpkg --purge` removes the config but not a file the admin put beside it.
//
// Installing changes the host (/usr/bin, /etc/oci-netns-hook, hooks.d). The test that installs
// refuses to start if any of it is there already, purges the package again even when it fails,
// and checks that /usr/share/containers/oci ends exactly as it was.
#include <glob.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

constexpr const char* kPackage = "oci-netns-hook";
const std::vector<std::string> kPrograms = {"oci-netns-hook", "oci-netns-runtime",
                                            "oci-netns-hook-cli"};

std::string deb_unavailable_reason() {
  if (geteuid() != 0) return "needs root";
  for (const char* tool : {"/usr/bin/dpkg", "/usr/bin/dpkg-deb", "/usr/bin/dpkg-query"}) {
    if (access(tool, X_OK) != 0) return std::string(tool) + " is missing (not a Debian host)";
  }
  if (access("/usr/bin/lintian", X_OK) != 0) return "lintian is not installed (install/deps.sh)";
  return "";
}

// The one package the fixture left in its build tree ("" if there is none, or several).
std::string built_deb() {
  std::string pattern = std::string(OCI_NETNS_DEB_BUILD_DIR) + "/oci-netns-hook_*.deb";
  glob_t g{};
  std::string path;
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc == 1) path = g.gl_pathv[0];
  ::globfree(&g);
  return path;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// dpkg with no terminal and no question: a conffile prompt would fail the test, not hang it.
CommandResult dpkg(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"dpkg"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.env = {"DEBIAN_FRONTEND=noninteractive"};
  options.timeout_seconds = 300;
  return run(argv, options);
}

// dpkg's status of the package: "install ok installed", "deinstall ok config-files", or "" when
// dpkg knows nothing of it.
std::string package_status() {
  auto r = run({"dpkg-query", "-W", "-f=${Status}", kPackage});
  return r.ok() ? trim(r.out) : "";
}

// Every path below `dir` with its type, mode and content hash ("absent" if `dir` is missing).
std::string tree_snapshot(const std::string& dir) {
  if (!path_exists(dir)) return "absent";
  auto r = sh("cd '" + dir +
              "' && find . -printf '%p %y %m\\n' | sort && find . -type f -print0 | sort -z |"
              " xargs -0 -r sha256sum");
  return r.out + r.err;
}

// Mount points under /run/netns in this mount namespace (the host's: the test runs there).
std::set<std::string> netns_mounts() {
  std::set<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    if (mount_point.rfind("/run/netns/", 0) == 0) out.insert(mount_point);
  }
  return out;
}

// Processes running one of the package's programs ("pid exe" each).
std::vector<std::string> package_processes() {
  std::vector<std::string> out;
  for (const auto& name : dir_entries("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    char target[4096];
    ssize_t n = ::readlink(("/proc/" + name + "/exe").c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    std::string exe(target, static_cast<std::size_t>(n));
    if (exe.rfind("/usr/bin/oci-netns-", 0) == 0) out.push_back(name + " " + exe);
  }
  return out;
}

bool wait_for(const std::function<bool()>& done, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

class DebPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(deb_unavailable_reason());
    deb_ = built_deb();
    ASSERT_FALSE(deb_.empty()) << "no single oci-netns-hook_*.deb in " << OCI_NETNS_DEB_BUILD_DIR
                               << ": run the package.build_deb test first (ctest adds it to any"
                                  " selection of these tests), or OCI_NETNS_BUILD_DIR="
                               << OCI_NETNS_DEB_BUILD_DIR << " install/build.sh --deb";
  }
  std::string deb_;
};

TEST_F(DebPackage, LintianReportsNothingButTheStaticLinkingOverride) {
  auto r = run({"lintian", "--info", "--show-overrides", deb_}, CommandOptions{{}, {}, {}, 300});
  std::vector<std::string> problems;
  std::multiset<std::string> overridden;
  for (const auto& line : lines_of(r.out)) {
    if (line.rfind("E: ", 0) == 0 || line.rfind("W: ", 0) == 0 || line.rfind("I: ", 0) == 0) {
      problems.push_back(line);
    }
    if (line.rfind("O: ", 0) == 0) overridden.insert(line);
  }
  EXPECT_TRUE(problems.empty()) << r.out << r.err;
  // Exactly the three overrides the override file justifies, each one used.
  std::multiset<std::string> expected;
  for (const auto& program : kPrograms) {
    expected.insert("O: oci-netns-hook: statically-linked-binary [usr/bin/" + program + "]");
  }
  EXPECT_EQ(overridden, expected) << r.out;
  // Its exit status: non-zero on an error or warning not overridden, or when lintian itself
  // failed (with --show-overrides it also counts the overridden ones, hence a second run).
  auto status =
      run({"lintian", "--fail-on", "error,warning", deb_}, CommandOptions{{}, {}, {}, 300});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
}

TEST_F(DebPackage, FilesStayUnderUsrAndEtcStrippedWithAManPagePerCommand) {
  auto contents = run({"sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -t", deb_});
  ASSERT_TRUE(contents.ok()) << contents.err;
  std::set<std::string> files;
  for (const auto& path : lines_of(contents.out)) {
    if (path.empty() || path.back() == '/') continue;
    files.insert(path);
    bool allowed = path.rfind("./usr/", 0) == 0 || path == "./etc/oci-netns-hook/config.json";
    EXPECT_TRUE(allowed) << path << " is outside /usr and /etc/oci-netns-hook/config.json";
  }
  for (const auto& program : kPrograms) {
    EXPECT_EQ(files.count("./usr/bin/" + program), 1u) << program;
    EXPECT_EQ(files.count("./usr/share/man/man1/" + program + ".1.gz"), 1u) << program;
  }
  for (const char* f :
       {"./usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json",
        "./usr/share/containers/oci/hooks.d/oci-netns-hook-poststop.json",
        "./usr/share/doc/oci-netns-hook/copyright", "./usr/share/doc/oci-netns-hook/changelog.gz",
        "./usr/share/lintian/overrides/oci-netns-hook"}) {
    EXPECT_EQ(files.count(f), 1u) << f;
  }
  auto conffiles = run({"dpkg-deb", "--info", deb_, "conffiles"});
  EXPECT_EQ(conffiles.out, "/etc/oci-netns-hook/config.json\n") << conffiles.err;

  TempDir t("oci-netns-deb");
  ASSERT_TRUE(run({"dpkg-deb", "-x", deb_, t.path()}).ok());
  for (const auto& program : kPrograms) {
    std::string sections = run({"readelf", "-S", "-W", t.file("usr/bin/" + program)}).out;
    EXPECT_NE(sections.find(".text"), std::string::npos) << program;
    for (const char* gone : {".symtab", ".debug_info", ".comment"}) {
      EXPECT_EQ(sections.find(gone), std::string::npos) << program << " keeps " << gone;
    }
  }
  // hooks.d names the packaged hook; the config is the repository's default.
  auto hook = nlohmann::json::parse(
      read_text(t.file("usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json")));
  EXPECT_EQ(hook["hook"]["path"], "/usr/bin/oci-netns-hook");
  EXPECT_EQ(read_text(t.file("etc/oci-netns-hook/config.json")),
            read_text(std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json"));
  EXPECT_NE(read_text(t.file("usr/lib/systemd/system/oci-netns-hook-gc.service"))
                .find("ExecStart=/usr/bin/oci-netns-hook gc"),
            std::string::npos);
}

TEST_F(DebPackage, PodmanRegistersAtOnceRemoveRefusesWhileInUseAndPurgeLeavesNothing) {
  OCI_NETNS_REQUIRE(podman_unavailable_reason());
  // Nothing of ours may be on the host already: purging would remove it.
  std::string status = package_status();
  ASSERT_TRUE(status.empty() || status.find("not-installed") != std::string::npos)
      << "oci-netns-hook is already known to dpkg (" << status
      << "); this test installs and purges it, so it does not run here";
  for (std::string path : {"/etc/oci-netns-hook", "/usr/bin/oci-netns-hook",
                           "/usr/bin/oci-netns-runtime", "/usr/bin/oci-netns-hook-cli",
                           "/usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json",
                           "/usr/share/containers/oci/hooks.d/oci-netns-hook-poststop.json"}) {
    ASSERT_FALSE(path_exists(path)) << path << " exists: this test installs and purges the package"
                                    << " and would remove it; it does not run here";
  }
  const std::string oci_before = tree_snapshot("/usr/share/containers/oci");
  const std::set<std::string> mounts_before = netns_mounts();

  PodmanEngine::Options options;
  options.system_hooks = true;  // what Podman reads once the package is installed
  PodmanEngine engine(options);
  const std::string name = unique_name("oci-netns-deb");
  const std::string admin_note = "/etc/oci-netns-hook/admin-note";
  ScopeGuard cleanup([&] {
    engine.podman({"rm", "-a", "-f", "-t", "0"});
    if (!package_status().empty()) {
      auto r = dpkg({"--purge", kPackage});
      if (!r.ok()) ADD_FAILURE() << "cleanup: dpkg --purge failed: " << r.out << r.err;
    }
    ::unlink(admin_note.c_str());
    ::rmdir("/etc/oci-netns-hook");
  });

  auto installed = dpkg({"-i", deb_});
  ASSERT_TRUE(installed.ok()) << installed.out << installed.err;
  EXPECT_EQ(package_status(), "install ok installed");
  EXPECT_EQ(read_text("/etc/oci-netns-hook/config.json"),
            read_text(std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json"));
  write_text(admin_note, "the admin's, not the package's\n");

  // At once: no daemon to reload, Podman reads hooks.d at every create.
  std::vector<std::string> argv{"run", "-d", "--rm", "--name", name};
  for (const auto& f : PodmanEngine::run_flags()) argv.push_back(f);
  argv.insert(argv.end(), {kBusyboxImage, "sleep", "3600"});
  auto started = engine.podman(argv);
  ASSERT_TRUE(started.ok()) << started.out << started.err;
  std::string id = engine.inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  EXPECT_TRUE(netns_listed(id)) << "ip netns list: " << run({"ip", "netns", "list"}).out;
  EXPECT_EQ(mountinfo_count("/run/netns/" + id), 1);
  auto list = run({"/usr/bin/oci-netns-hook", "list"});
  EXPECT_NE(list.out.find(id.substr(0, 12)), std::string::npos) << list.out << list.err;

  // While the reference is in use, removal is refused, naming the container, and changes nothing.
  auto refused = dpkg({"-r", kPackage});
  EXPECT_FALSE(refused.ok()) << refused.out;
  EXPECT_NE(refused.err.find("refusing to remove the package"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(id.substr(0, 12)), std::string::npos) << refused.err;
  // Still installed ("deinstall ok installed": dpkg -r changed only the selection).
  EXPECT_NE(package_status().find(" ok installed"), std::string::npos) << package_status();
  EXPECT_TRUE(netns_listed(id));
  EXPECT_TRUE(path_exists("/usr/bin/oci-netns-hook"));

  // The container stops and --rm removes it; its poststop removes the reference.
  auto stopped = engine.podman({"stop", "-t", "0", name});
  ASSERT_TRUE(stopped.ok()) << stopped.err;
  EXPECT_TRUE(wait_for(
      [&] {
        return !engine.podman({"container", "exists", name}).ok();
      },
      30))
      << "--rm did not remove " << name;
  EXPECT_TRUE(wait_for([&] { return !netns_listed(id); }, 30));
  EXPECT_EQ(mountinfo_count("/run/netns/" + id), 0);

  auto removed = dpkg({"-r", kPackage});
  ASSERT_TRUE(removed.ok()) << removed.out << removed.err;
  EXPECT_EQ(package_status(), "deinstall ok config-files");
  EXPECT_EQ(netns_mounts(), mounts_before);
  EXPECT_EQ(package_processes(), std::vector<std::string>{});
  for (const auto& program : kPrograms) EXPECT_FALSE(path_exists("/usr/bin/" + program));
  EXPECT_EQ(tree_snapshot("/usr/share/containers/oci"), oci_before);
  EXPECT_TRUE(path_exists("/etc/oci-netns-hook/config.json")) << "remove keeps the conffile";

  auto purged = dpkg({"--purge", kPackage});
  ASSERT_TRUE(purged.ok()) << purged.out << purged.err;
  EXPECT_EQ(package_status(), "");
  EXPECT_FALSE(path_exists("/etc/oci-netns-hook/config.json"));
  // A file the package did not create stays, and so does its directory.
  EXPECT_EQ(read_text(admin_note), "the admin's, not the package's\n");
  EXPECT_EQ(tree_snapshot("/usr/share/containers/oci"), oci_before);
}

}  // namespace
}  // namespace ocinetns::test
