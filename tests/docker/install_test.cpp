// install/install.sh and install/uninstall.sh against a private dockerd (its own config file,
// socket, data root, exec root and pidfile, in its own network namespace), with every path the
// scripts touch redirected into a temporary directory: unregistering a default runtime leaves
// dockerd alive and answering, uninstall refuses while a stopped container names the runtime,
// a hooks.d file install did not write is backed up and put back byte for byte, a dry run works
// on a fresh copy of the tree, and the installed binaries are stripped.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

std::string source_dir() {
  return OCI_NETNS_SOURCE_DIR;
}

// The build the tests run from (the scripts' --build-dir: nothing is rebuilt).
std::string build_dir() {
  std::string runtime = OCI_NETNS_RUNTIME_BIN;
  return runtime.substr(0, runtime.rfind("/hook/"));
}

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

void must(const CommandResult& r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + " failed: " + r.err + r.out);
}

// One install's private paths, and the scripts run with them. `docker` (when given) is the
// private dockerd: the scripts edit its daemon.json, SIGHUP it through its pidfile, and reach it
// through DOCKER_HOST with Debian's 20.10 client first on PATH.
class Installation {
 public:
  explicit Installation(DockerDaemon* docker = nullptr) : t_("oci-netns-install"), docker_(docker) {
    must(run({"mkdir", "-p", t_.file("client")}), "mkdir");
    must(run({"ln", "-s", "/usr/bin/docker", t_.file("client/docker")}), "ln");
    options_.env = {"PATH=" + t_.file("client") +
                    ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    if (docker_ != nullptr) options_.env.push_back("DOCKER_HOST=unix://" + docker_->socket());
  }

  [[nodiscard]] std::string file(const std::string& name) const { return t_.file(name); }
  [[nodiscard]] std::string bin(const std::string& exe) const { return file("prefix/bin/" + exe); }

  [[nodiscard]] std::string flags() const {
    std::string daemon_json = docker_ ? docker_->daemon_json_path() : file("daemon.json");
    std::string pidfile = docker_ ? docker_->pidfile() : file("docker.pid");
    return " --prefix " + quote(file("prefix")) + " --hooks-dir " + quote(file("hooks.d")) +
           " --daemon-json " + quote(daemon_json) + " --docker-pidfile " + quote(pidfile) +
           " --containerd-config " + quote(file("containerd/config.toml")) + " --config-dir " +
           quote(file("etc")) + " --systemd-dir " + quote(file("systemd")) + " --manifest-dir " +
           quote(file("var"));
  }
  CommandResult install(const std::string& extra = "") const {
    return sh(source_dir() + "/install/install.sh --build-dir " + quote(build_dir()) + flags() +
                  " " + extra,
              options_);
  }
  CommandResult uninstall(const std::string& extra = "") const {
    return sh(
        source_dir() + "/install/uninstall.sh --manifest-dir " + quote(file("var")) + " " + extra,
        options_);
  }

 private:
  TempDir t_;
  DockerDaemon* docker_;
  CommandOptions options_;
};

// A private dockerd whose daemon.json registers no runtime of ours (install.sh adds it).
DockerDaemon::Options unregistered(nlohmann::json daemon_json = nlohmann::json::object()) {
  DockerDaemon::Options options;
  options.register_shim = false;
  options.daemon_json = std::move(daemon_json);
  return options;
}

nlohmann::json daemon_json_of(const DockerDaemon& docker) {
  return nlohmann::json::parse(read_text(docker.daemon_json_path()));
}

std::string default_runtime(const DockerDaemon& docker) {
  auto r = docker.docker({"info", "-f", "{{.DefaultRuntime}}"}, 30);
  return r.ok() ? trim(r.out) : "(docker info failed: " + r.err + ")";
}

// dockerd is alive a while after the scripts returned (a bad reload panics it within ms).
::testing::AssertionResult survives(DockerDaemon& docker) {
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (!docker.alive()) {
    return ::testing::AssertionFailure() << "dockerd died:\n" << docker.log();
  }
  auto r = docker.docker({"info"}, 30);
  if (!r.ok()) return ::testing::AssertionFailure() << "docker info: " << r.err;
  return ::testing::AssertionSuccess();
}

class DockerInstall : public ::testing::Test {
 protected:
  void SetUp() override { OCI_NETNS_REQUIRE(docker_unavailable_reason()); }
};

// Finding 1: uninstall used to write {"runtimes": {}} without a default-runtime, and dockerd
// 20.10 panicked on the SIGHUP reload (its current default had no runtime any more).
TEST_F(DockerInstall, UninstallAfterDefaultRuntimeLeavesDockerdAliveWithRunc) {
  DockerDaemon docker(unregistered());
  Installation inst(&docker);
  auto r = inst.install("--docker --default-runtime");
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.out.find("reloaded and answers"), std::string::npos) << r.out;
  ASSERT_TRUE(survives(docker));
  EXPECT_EQ(default_runtime(docker), "oci-netns");

  r = inst.uninstall();
  EXPECT_TRUE(r.ok()) << r.out << r.err;
  ASSERT_TRUE(survives(docker));
  EXPECT_EQ(default_runtime(docker), "runc");
  auto j = daemon_json_of(docker);
  EXPECT_EQ(j.value("default-runtime", ""), "runc") << j.dump();
  EXPECT_FALSE(j["runtimes"].contains("oci-netns")) << j.dump();
  EXPECT_FALSE(path_exists(inst.bin("oci-netns-runtime")));
}

// The previous default comes back when it is still registered.
TEST_F(DockerInstall, UninstallRestoresThePreviousDefaultRuntime) {
  DockerDaemon docker(unregistered(
      {{"runtimes", {{"other", {{"path", "/usr/bin/runc"}}}}}, {"default-runtime", "other"}}));
  Installation inst(&docker);
  auto r = inst.install("--docker --default-runtime");
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(default_runtime(docker), "oci-netns");
  r = inst.uninstall();
  EXPECT_TRUE(r.ok()) << r.out << r.err;
  ASSERT_TRUE(survives(docker));
  EXPECT_EQ(default_runtime(docker), "other");
  auto j = daemon_json_of(docker);
  EXPECT_EQ(j.value("default-runtime", ""), "other") << j.dump();
  EXPECT_TRUE(j["runtimes"].contains("other")) << j.dump();
  EXPECT_FALSE(j["runtimes"].contains("oci-netns")) << j.dump();
}

// Finding 6: a stopped container created under the runtime could not start again after
// uninstall (`Unknown runtime specified oci-netns`); uninstall checked running ones only.
TEST_F(DockerInstall, UninstallRefusesWhileAStoppedContainerUsesTheRuntime) {
  DockerDaemon docker(unregistered());
  Installation inst(&docker);
  auto r = inst.install("--docker --default-runtime");
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  std::string name = unique_name("stopped");
  r = docker.docker({"run", "--runtime", "oci-netns", "--name", name, kBusyboxImage, "true"});
  ASSERT_TRUE(r.ok()) << r.err << "\nhook log:\n" << docker.hooks().log();
  ASSERT_EQ(docker.inspect(name, "{{.State.Status}}"), "exited");
  // One created without --runtime records the default of its creation time: ours.
  std::string created = unique_name("created");
  r = docker.docker({"create", "--name", created, kBusyboxImage, "true"});
  ASSERT_TRUE(r.ok()) << r.err;

  r = inst.uninstall();
  EXPECT_FALSE(r.ok()) << r.out;
  EXPECT_NE(r.err.find(name + " (exited)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(created + " (created)"), std::string::npos) << r.err;
  EXPECT_TRUE(daemon_json_of(docker)["runtimes"].contains("oci-netns"));
  EXPECT_TRUE(path_exists(inst.bin("oci-netns-runtime")));
  EXPECT_TRUE(path_exists(inst.file("var/install-manifest")));

  r = inst.uninstall("--force");
  EXPECT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot start again"), std::string::npos) << r.err;
  ASSERT_TRUE(survives(docker));
  EXPECT_FALSE(daemon_json_of(docker)["runtimes"].contains("oci-netns"));
  EXPECT_FALSE(path_exists(inst.bin("oci-netns-runtime")));
}

// Finding 7: install overwrote hooks.d files (and binaries) it had not written, and uninstall
// then deleted them. Now they are backed up into the manifest directory and put back.
TEST_F(DockerInstall, InstallBacksUpFilesItDidNotWriteAndUninstallPutsThemBack) {
  Installation inst;
  std::string hook_file = inst.file("hooks.d/oci-netns-hook-createruntime.json");
  std::string theirs = R"({"version":"1.0.0","hook":{"path":"/opt/theirs"},"when":{"always":true},)"
                       "\"stages\":[\"prestart\"]}\n  trailing bytes\n";
  must(run({"mkdir", "-p", inst.file("hooks.d")}), "mkdir");
  write_text(hook_file, theirs, 0600);
  std::string cli = inst.bin("oci-netns-hook-cli");
  must(run({"mkdir", "-p", inst.file("prefix/bin")}), "mkdir");
  write_text(cli, "#!/bin/sh\necho an older cli\n", 0750);

  auto r = inst.install();
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.out.find("backed up " + hook_file), std::string::npos) << r.out;
  EXPECT_NE(read_text(hook_file).find(inst.bin("oci-netns-hook")), std::string::npos);
  // Installing again over our own files backs nothing else up and keeps the first backup.
  r = inst.install();
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(r.out.find("backed up"), std::string::npos) << r.out;
  std::string manifest = read_text(inst.file("var/install-manifest"));
  EXPECT_EQ(sh("sort " + quote(inst.file("var/install-manifest")) + " | uniq -d").out, "");
  EXPECT_EQ(manifest.find("backup " + hook_file), manifest.rfind("backup " + hook_file))
      << manifest;

  r = inst.uninstall();
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(read_text(hook_file), theirs);
  struct stat st {};
  ASSERT_EQ(::stat(hook_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_text(cli), "#!/bin/sh\necho an older cli\n");
  ASSERT_EQ(::stat(cli.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  // What install wrote where nothing was is gone, and so is the backup.
  EXPECT_FALSE(path_exists(inst.file("hooks.d/oci-netns-hook-poststop.json")));
  EXPECT_FALSE(path_exists(inst.bin("oci-netns-runtime")));
  EXPECT_FALSE(path_exists(inst.file("var/backup")));
}

// `--names`: a config install.sh writes names references {name}; an existing (admin's) config is
// never edited, only a line says how to switch. The written file is one the hook accepts.
TEST_F(DockerInstall, NamesWritesANewConfigWithNameTemplateAndLeavesAnExistingOneAlone) {
  Installation inst;
  auto r = inst.install("--names");
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  std::string cfg = inst.file("etc/config.json");
  EXPECT_NE(read_text(cfg).find(R"("name_template": "{name}")"), std::string::npos)
      << read_text(cfg);
  auto valid = run({inst.bin("oci-netns-hook-cli"), "validate", "--config", cfg});
  EXPECT_TRUE(valid.ok()) << valid.out << valid.err;
  ASSERT_TRUE(inst.uninstall().ok());

  must(run({"mkdir", "-p", inst.file("etc")}), "mkdir");
  const std::string admins = "{\"name_template\": \"{short_id}\"}\n";
  write_text(cfg, admins, 0644);
  r = inst.install("--names");
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(read_text(cfg), admins);
  EXPECT_NE(r.out.find("--names: set \"name_template\": \"{name}\""), std::string::npos) << r.out;
  ASSERT_TRUE(inst.uninstall().ok());
  EXPECT_EQ(read_text(cfg), admins);
}

// Finding 5: `install.sh --dry-run` on a fresh clone exited 127 (it ran a binary it had not
// built). A copy of the tree's files (what git tracks, plus new files it does not ignore) with
// no build directory: exit 0, and neither the copy nor the target paths get a file.
TEST_F(DockerInstall, DryRunOnAFreshCloneWritesNothing) {
  if (!path_exists(source_dir() + "/.git")) GTEST_SKIP() << "not a git checkout";
  TempDir t("oci-netns-clone");
  std::string clone = t.file("src");
  must(sh("mkdir -p " + quote(clone) + " && cd " + quote(source_dir()) +
          " && git ls-files -z --cached --others --exclude-standard |"
          " tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C " +
          quote(clone)),
       "copy the tree");
  ASSERT_TRUE(path_exists(clone + "/install/install.sh"));
  auto listing = [&] { return sh("cd " + quote(t.path()) + " && find . | sort").out; };
  std::string before = listing();
  std::string target = t.file("target");
  std::string flags =
      " --prefix " + quote(target + "/prefix") + " --hooks-dir " + quote(target + "/hooks.d") +
      " --daemon-json " + quote(target + "/daemon.json") + " --docker-pidfile " +
      quote(target + "/docker.pid") + " --containerd-config " + quote(target + "/config.toml") +
      " --config-dir " + quote(target + "/etc") + " --systemd-dir " + quote(target + "/systemd") +
      " --manifest-dir " + quote(target + "/var");
  std::string script = clone +
                       "/install/install.sh --dry-run --docker --default-runtime --containerd"
                       " --podman" +
                       flags;
  auto r = sh(script);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("would build in " + clone + "/build-release"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("would add runtimes.oci-netns"), std::string::npos) << r.out;
  r = sh(script + " --debug-info --debug-dir " + quote(target + "/debug"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(listing(), before);
  EXPECT_FALSE(path_exists(target));
}

// Finding 8: install.sh installed the build's unstripped binaries (33, 27 and 50 MB with
// RelWithDebInfo). They are stripped; --debug-info keeps the debug info as separate files named
// by .gnu_debuglink. install.sh and demo.sh build through install/build.sh, into one tree.
TEST_F(DockerInstall, InstalledBinariesAreStrippedAndDebugInfoIsSeparate) {
  auto sections = [](const std::string& path) { return run({"readelf", "-S", "-W", path}).out; };
  ASSERT_NE(sections(std::string(OCI_NETNS_RUNTIME_BIN)).find(".debug_info"), std::string::npos)
      << "the test build has no debug info to strip";
  Installation inst;
  auto r = inst.install();
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  for (const char* exe : {"oci-netns-hook", "oci-netns-runtime", "oci-netns-hook-cli"}) {
    std::string s = sections(inst.bin(exe));
    EXPECT_NE(s.find(".text"), std::string::npos) << exe;
    EXPECT_EQ(s.find(".debug_info"), std::string::npos) << exe;
    EXPECT_EQ(s.find(".symtab"), std::string::npos) << exe;
  }
  CommandResult version = run({inst.bin("oci-netns-hook"), "--version"});
  EXPECT_TRUE(version.ok()) << version.err;
  ASSERT_TRUE(inst.uninstall().ok());

  Installation with_debug;
  r = with_debug.install("--debug-info --debug-dir " + quote(with_debug.file("debug")));
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  std::string debug_file =
      with_debug.file("debug") + with_debug.bin("oci-netns-runtime") + ".debug";
  EXPECT_NE(sections(debug_file).find(".debug_info"), std::string::npos) << debug_file;
  std::string s = sections(with_debug.bin("oci-netns-runtime"));
  EXPECT_EQ(s.find(".debug_info"), std::string::npos);
  EXPECT_NE(s.find(".gnu_debuglink"), std::string::npos);
  r = with_debug.uninstall();
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_FALSE(path_exists(debug_file));

  // One build tree for both scripts: install.sh's default and demo.sh's are install/build.sh's.
  std::string shared = trim(run({source_dir() + "/install/build.sh", "--dir"}).out);
  EXPECT_EQ(shared, source_dir() + "/build-release");
  r = sh(source_dir() + "/install/install.sh --dry-run" + inst.flags());
  EXPECT_NE(r.out.find("would build in " + shared + ":"), std::string::npos) << r.out;
  std::string demo = read_text(source_dir() + "/install/demo.sh");
  EXPECT_NE(demo.find("./install/build.sh --dir"), std::string::npos);
  EXPECT_EQ(demo.find("cmake"), std::string::npos) << "demo.sh builds a tree of its own";
}

}  // namespace
}  // namespace ocinetns::test
