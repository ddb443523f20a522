// Test support for the real engines (dockerd, podman, containerd): each harness object starts its
// own private instance of the engine, registers the hook (hooks.d for podman, the runtime shim for
// docker and containerd), imports a busybox-static image, and removes everything it started.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/command.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {

// The reason an engine test cannot run here ("" when it can). The engine binary, root, runc,
// busybox-static and (for docker/containerd) the built runtime shim are required.
std::string docker_unavailable_reason();
std::string podman_unavailable_reason();
std::string containerd_unavailable_reason();

// Skips the test with the reason, or fails it in CI (CI=true), like OCI_NETNS_REQUIRE_RUNC.
#define OCI_NETNS_REQUIRE(reason_expr)                                                 \
  do {                                                                                 \
    std::string why_ = (reason_expr);                                                  \
    if (!why_.empty()) {                                                               \
      if (::ocinetns::test::in_ci()) FAIL() << "prerequisite missing in CI: " << why_; \
      GTEST_SKIP() << why_;                                                            \
    }                                                                                  \
  } while (0)

std::string runtime_binary();  // the built oci-netns-runtime

// The image every engine test runs: Debian's busybox-static as an image named kBusyboxImage.
inline constexpr const char* kBusyboxImage = "oci-netns-busybox:test";
// A plain tar of busybox_rootfs() (for `docker import` / `podman import`), built once per tree.
std::string busybox_rootfs_tar();
// The same rootfs as an OCI image layout archive named docker.io/library/<kBusyboxImage>, for
// `ctr images import` (which accepts no plain rootfs tar). Built once per tree.
std::string busybox_oci_archive();
// The same rootfs as an OCI layout archive `file_name` (in the build tree, built once) holding one
// image named `image_name` whose image config ("config" object: Env, Cmd, ...) is `image_config`.
std::string busybox_oci_archive_as(const std::string& file_name, const std::string& image_name,
                                   const nlohmann::json& image_config);

// A process the test started in the background (a daemon): its own session, stdout and stderr
// appended to `log_path`, and PR_SET_PDEATHSIG=SIGTERM so it cannot outlive a crashed test. The
// destructor sends SIGTERM, waits, then SIGKILLs it; only this PID is ever signalled.
class Daemon {
 public:
  struct Options {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // extra NAME=VALUE entries
    std::string log_path;
    bool private_netns = false;  // unshare(CLONE_NEWNET) before exec, with lo up
    int stop_timeout_seconds = 30;
  };
  explicit Daemon(Options options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool alive();                    // reaps it if it has exited
  [[nodiscard]] std::string netns_path() const;  // /proc/<pid>/ns/net
  [[nodiscard]] std::string log() const;
  void stop();

 private:
  Options options_;
  pid_t pid_ = -1;
};

// The hook's test configuration and hooks.d directory. The config uses the default netns_dir
// (/run/netns, so `ip netns` sees the references) and a private state_dir; the hooks.d files are
// install/hooks.d/*.json (or equivalents while those do not exist) pointing at the built hook,
// with OCI_NETNS_HOOK_CONFIG set to this config.
class HookFiles {
 public:
  struct Options {
    std::string tag;  // part of the state_dir name: /run/oci-netns-test-<tag>-<pid>
    nlohmann::json config = nlohmann::json::object();  // extra config keys (e.g. sysctls)
    bool matching = true;  // false: the hooks' `when` matches no container
  };
  explicit HookFiles(Options options);
  ~HookFiles();
  HookFiles(const HookFiles&) = delete;
  HookFiles& operator=(const HookFiles&) = delete;

  [[nodiscard]] const std::string& config_path() const { return config_path_; }
  [[nodiscard]] const std::string& hooks_dir() const { return hooks_dir_; }
  [[nodiscard]] const std::string& state_dir() const { return state_dir_; }
  [[nodiscard]] std::string record_path(const std::string& id) const;
  [[nodiscard]] std::string log() const;  // the hook's and the shim's log file
  [[nodiscard]] std::string dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  std::string config_path_;
  std::string hooks_dir_;
  std::string state_dir_;
};

// A private dockerd (Debian docker.io 20.10) in its own network namespace; see engines.cpp for
// why. The daemon.json registers the shim as runtime "oci-netns" (hooks matching every
// container) and "oci-netns-nomatch" (the same shim with a hooks.d whose `when` matches nothing).
class DockerDaemon {
 public:
  struct Options {
    nlohmann::json hook_config = nlohmann::json::object();  // extra hook config keys
    // false: daemon.json registers no runtime (install.sh's tests register one themselves).
    bool register_shim = true;
    nlohmann::json daemon_json = nlohmann::json::object();  // extra daemon.json keys
  };
  explicit DockerDaemon(const Options& options);
  ~DockerDaemon();
  DockerDaemon(const DockerDaemon&) = delete;
  DockerDaemon& operator=(const DockerDaemon&) = delete;

  // One daemon per test process, started on first use and stopped at exit. Its hook config sets
  // net.ipv4.tcp_keepalive_time=600 (kTestSysctlValue) with sysctl_errors "warn". Note that
  // ctest runs every TEST in its own process (gtest_discover_tests), so under ctest this is one
  // daemon per test; it is ready in about 0.5 s. PodmanEngine/ContainerdDaemon::shared() alike.
  static DockerDaemon& shared();

  // `/usr/bin/docker -H unix://<our socket> args...` (/usr/local/bin/docker is a newer client).
  CommandResult docker(const std::vector<std::string>& args, int timeout_seconds = 120) const;
  // Runs argv inside the daemon's network namespace (where docker0 and the host-side veths
  // live), with extra NAME=VALUE `env`; e.g. `oci-netns-hook list` with OCI_NETNS_HOOK_CONFIG set
  // to hooks().config_path() sees each container's veth peer and the bridge docker0.
  CommandResult in_daemon_netns(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env = {}) const;
  [[nodiscard]] std::string netns_path() const { return daemon_->netns_path(); }
  [[nodiscard]] const HookFiles& hooks() const { return hooks_; }
  [[nodiscard]] std::string log() const { return daemon_->log(); }
  [[nodiscard]] std::string socket() const { return root_.file("docker.sock"); }
  [[nodiscard]] std::string daemon_json_path() const { return root_.file("daemon.json"); }
  [[nodiscard]] std::string pidfile() const { return root_.file("docker.pid"); }
  [[nodiscard]] pid_t pid() const { return daemon_->pid(); }
  [[nodiscard]] bool alive() { return daemon_->alive(); }

  // `docker inspect -f FORMAT ID`, trimmed; "" on error.
  [[nodiscard]] std::string inspect(const std::string& id, const std::string& format) const;

 private:
  TempDir root_;
  HookFiles hooks_;
  HookFiles nomatch_hooks_;
  std::unique_ptr<Daemon> daemon_;
  pid_t containerd_pid_ = 0;
};

// Podman 4.3 with its own --root/--runroot/--tmpdir, a private CNI config dir, our hooks.d via
// --hooks-dir, --runtime runc, and every command run inside a private network namespace.
class PodmanEngine {
 public:
  struct Options {
    nlohmann::json hook_config = nlohmann::json::object();
    // Non-empty: a containers.conf for every podman command (CONTAINERS_CONF), e.g. to give a
    // pod's infra container the ulimits run_flags() gives `podman run`.
    std::string containers_conf = {};
    // true: no --hooks-dir, so Podman reads its default hooks.d directories (where the .deb puts
    // its files) and the hook its default config; hooks() is then unused.
    bool system_hooks = false;
  };
  explicit PodmanEngine(const Options& options);
  ~PodmanEngine();
  PodmanEngine(const PodmanEngine&) = delete;
  PodmanEngine& operator=(const PodmanEngine&) = delete;

  static PodmanEngine& shared();

  // `podman <our global flags> args...`.
  CommandResult podman(const std::vector<std::string>& args, int timeout_seconds = 120) const;
  // The flags `podman run` needs here (ulimits: no CAP_SYS_RESOURCE on these hosts).
  static std::vector<std::string> run_flags();
  [[nodiscard]] const HookFiles& hooks() const { return hooks_; }
  [[nodiscard]] std::string inspect(const std::string& id, const std::string& format) const;

 private:
  TempDir root_;
  HookFiles hooks_;
  std::unique_ptr<Daemon> netns_holder_;
  std::vector<std::string> prefix_;
  std::vector<std::string> env_;
};

// containerd 1.6 with its own root, state, socket and config file under a temporary directory.
class ContainerdDaemon {
 public:
  struct Options {
    nlohmann::json hook_config = nlohmann::json::object();
  };
  explicit ContainerdDaemon(const Options& options);
  ~ContainerdDaemon();
  ContainerdDaemon(const ContainerdDaemon&) = delete;
  ContainerdDaemon& operator=(const ContainerdDaemon&) = delete;

  static ContainerdDaemon& shared();

  // `ctr --address <our socket> args...`.
  CommandResult ctr(const std::vector<std::string>& args, int timeout_seconds = 120) const;
  // `ctr run -d --runc-binary <shim> <image> id args...`.
  CommandResult run_container(const std::string& id, const std::vector<std::string>& args) const;
  // Kills the task (SIGKILL), deletes it (poststop runs here) and the container.
  CommandResult remove_container(const std::string& id) const;
  [[nodiscard]] int task_pid(const std::string& id) const;  // 0 if there is no running task
  [[nodiscard]] const HookFiles& hooks() const { return hooks_; }
  [[nodiscard]] std::string image_ref() const;

 private:
  TempDir root_;
  HookFiles hooks_;
  std::unique_ptr<Daemon> daemon_;
};

// The sysctl the shared engines configure, and the value the container must read first.
inline constexpr const char* kTestSysctlKey = "net.ipv4.tcp_keepalive_time";
inline constexpr const char* kTestSysctlValue = "600";

// Names in `netns_dir` whose file is a mount of the namespace with inode `ino`.
std::vector<std::string> references_to(unsigned long long ino,
                                       const std::string& netns_dir = "/run/netns");
bool netns_listed(const std::string& name);  // in `ip netns list`
std::string trim(const std::string& s);
// Polls `ready` every 100 ms until it returns true or `seconds` pass; returns its last answer.
bool wait_until(const std::function<bool()>& ready, int seconds);
// A name unique to this test process: <base>-<pid>.
std::string unique_name(const std::string& base);

}  // namespace ocinetns::test
