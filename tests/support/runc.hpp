// Test support for real runc containers: a busybox-static rootfs, bundles made from `runc spec`,
// and containers that are deleted (with their bundle) when the object goes out of scope.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/command.hpp"

namespace ocinetns::test {

// A read-only rootfs holding /bin/busybox (from Debian's busybox-static) and its applet links,
// built once per build tree under a lock. Returns its path.
std::string busybox_rootfs();

// Skips the current test (GTEST_SKIP with the reason) unless we are root and runc exists.
// In CI (CI=true) missing prerequisites fail instead of skipping.
#define OCI_NETNS_REQUIRE_RUNC()                                                       \
  do {                                                                                 \
    std::string why_ = ::ocinetns::test::runc_unavailable_reason();                    \
    if (!why_.empty()) {                                                               \
      if (::ocinetns::test::in_ci()) FAIL() << "prerequisite missing in CI: " << why_; \
      GTEST_SKIP() << why_;                                                            \
    }                                                                                  \
  } while (0)

std::string runc_unavailable_reason();
bool in_ci();

// A private scratch directory, removed recursively on destruction (after unmounting anything
// left below it).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "oci-netns-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text, int mode = 0644);
std::string read_text(const std::string& path);
bool path_exists(const std::string& path);

// Settings a test gives the hook through its own config file.
struct HookEnv {
  std::string config_path;            // passed as OCI_NETNS_HOOK_CONFIG in the hook entry's env
  std::vector<std::string> env = {};  // more NAME=VALUE entries for the hook's env
};

// A runc bundle in a temporary directory. spec() starts as `runc spec` output with terminal off
// and the shared busybox rootfs; tests edit it, then RuncContainer writes it.
class RuncBundle {
 public:
  explicit RuncBundle(std::vector<std::string> args = {"sleep", "3600"});
  nlohmann::json& spec() { return spec_; }
  [[nodiscard]] const std::string& dir() const { return dir_.path(); }
  // Registers the hook at createRuntime and poststop (as a config.json hook, like runc users do).
  void add_hook(const HookEnv& env, int timeout_seconds = 10);
  // Removes the network namespace entry: the container shares the runtime's (host) network.
  void use_host_network();
  // Joins an existing network namespace by path (like `--network container:X` or a pod).
  void join_network(const std::string& netns_path);
  void add_annotation(const std::string& key, const std::string& value);
  void write() const;

 private:
  TempDir dir_;
  nlohmann::json spec_;
};

// The runc --root all tests use, so tests never see Docker's or the host's containers.
std::string test_runc_root();

// A container started with `runc run -d`; its stdout/stderr go to files in the bundle. The
// destructor runs `runc delete --force`, so a failing test still cleans up.
class RuncContainer {
 public:
  RuncContainer(std::string id, RuncBundle& bundle);
  ~RuncContainer();
  RuncContainer(const RuncContainer&) = delete;
  RuncContainer& operator=(const RuncContainer&) = delete;

  // `runc run -d`. Returns the command result (non-zero if a hook failed the start).
  CommandResult start();
  [[nodiscard]] int pid() const;  // from `runc state`, 0 if not running
  CommandResult exec(const std::vector<std::string>& args) const;
  CommandResult kill_and_delete();  // kill KILL, wait, delete: poststop runs here
  CommandResult runc(const std::vector<std::string>& args) const;
  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] std::string output() const;  // the container's stdout so far

 private:
  std::string id_;
  RuncBundle& bundle_;
  bool started_ = false;
};

// Helpers for assertions on the host.
bool mountinfo_has(const std::string& mount_point);  // an exact mount point in our mountinfo
int mountinfo_count(const std::string& mount_point);
int mounts_under(const std::string& prefix);  // mount points that start with `prefix`
std::vector<std::string> dir_entries(const std::string& dir);  // names; none if it is missing
std::vector<std::string> ip_netns_list();                      // names from `ip netns list`
unsigned long long inode_of(const std::string& path);          // stat().st_ino, 0 if missing

}  // namespace ocinetns::test
