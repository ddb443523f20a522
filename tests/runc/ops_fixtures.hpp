// Fixtures for the list/gc tests: a process in a fresh netns, `ip netns add` namespaces, host links
// and a private hook config, each removed by its destructor even when the test fails.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/runc.hpp"

namespace ocinetns::test {

// A unique name per test process (other helpers run tests concurrently) and per call.
inline std::string ops_name(const std::string& base) {
  static int counter = 0;
  return base + std::to_string(getpid()) + "x" + std::to_string(++counter);
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline int line_count(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// Lines at warning level or above (the hook logs its info lines to stderr too).
inline int warning_count(const std::string& s) {
  int n = 0;
  for (std::size_t start = 0; start < s.size();) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string_view line(s.data() + start, end - start);
    if (line.find(": warning: ") != std::string_view::npos ||
        line.find(": error: ") != std::string_view::npos) {
      ++n;
    }
    start = end + 1;
  }
  return n;
}

// A background process started from `argv` with its stdio on /dev/null; `ready(*this)` is polled
// (10 s at most) until the process is what the test needs. SIGKILLed and reaped on destruction.
class ChildProcess {
 public:
  template <typename Ready>
  ChildProcess(std::vector<std::string> argv, Ready ready, const char* what) {
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    for (int i = 0; i < 1000; ++i) {
      if (ready(*this)) return;
      ::usleep(10000);
    }
    ADD_FAILURE() << what << " did not start";
  }
  ~ChildProcess() { kill_now(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string ns_path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
  [[nodiscard]] unsigned long long netns_inode() const { return inode_of(ns_path()); }
  [[nodiscard]] std::string comm() const {
    std::string c = read_text("/proc/" + std::to_string(pid_) + "/comm");
    while (!c.empty() && c.back() == '\n') c.pop_back();
    return c;
  }
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// `unshare -n sleep 600`: a process alone in a new network namespace, like a container's init.
// unshare(1) without --fork execs sleep in the same process once the netns is entered.
class NetnsProcess : public ChildProcess {
 public:
  NetnsProcess()
      : ChildProcess(
            {"unshare", "-n", "sleep", "600"},
            [self = inode_of("/proc/self/ns/net")](const ChildProcess& p) {
              return p.netns_inode() != 0 && p.netns_inode() != self && p.comm() == "sleep";
            },
            "unshare -n sleep") {}
};

// `nsenter --net=/proc/<pid>/ns/net sleep 600`: a second container's init joining the namespace
// of `owner` (nsenter execs sleep in the same process after setns).
class JoinerProcess : public ChildProcess {
 public:
  explicit JoinerProcess(const NetnsProcess& owner)
      : ChildProcess(
            {"nsenter", "--net=" + owner.ns_path(), "sleep", "600"},
            [ino = owner.netns_inode()](const ChildProcess& p) {
              return p.netns_inode() == ino && p.comm() == "sleep";
            },
            "nsenter sleep") {}
};

// `ip netns add NAME` (a foreign entry in /run/netns), deleted on destruction.
class IpNetns {
 public:
  explicit IpNetns(std::string name) : name_(std::move(name)) {
    auto r = run({"ip", "netns", "add", name_});
    EXPECT_TRUE(r.ok()) << r.err;
  }
  ~IpNetns() { run({"ip", "netns", "delete", name_}); }
  IpNetns(const IpNetns&) = delete;
  IpNetns& operator=(const IpNetns&) = delete;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A link the test made in the host netns (a bridge or a veth end); `ip link del` on destruction.
class HostLink {
 public:
  explicit HostLink(std::string name) : name_(std::move(name)) {}
  ~HostLink() { run({"ip", "link", "del", name_}); }
  HostLink(const HostLink&) = delete;
  HostLink& operator=(const HostLink&) = delete;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A private hook config: netns_dir (default: a private directory), a private state_dir (or
// `extra`'s), and any other keys in `extra`.
class OpsConfig {
 public:
  explicit OpsConfig(const std::string& netns_dir = "",
                     const nlohmann::json& extra = nlohmann::json::object())
      : dir_("oci-netns-ops") {
    netns_dir_ = netns_dir.empty() ? dir_.file("netns") : netns_dir;
    state_dir_ = extra.value("state_dir", dir_.file("state"));
    nlohmann::json cfg{{"netns_dir", netns_dir_}, {"state_dir", state_dir_}};
    cfg.update(extra);
    write_text(dir_.file("config.json"), cfg.dump());
  }
  [[nodiscard]] std::string file(const std::string& name) const { return dir_.file(name); }
  [[nodiscard]] std::string path() const { return dir_.file("config.json"); }
  [[nodiscard]] const std::string& netns_dir() const { return netns_dir_; }
  [[nodiscard]] const std::string& state_dir() const { return state_dir_; }
  [[nodiscard]] std::string record(const std::string& id) const {
    return state_dir_ + "/containers/" + id + ".json";
  }
  [[nodiscard]] std::string ref(const std::string& name) const { return netns_dir_ + "/" + name; }

  // Runs the hook with this config.
  CommandResult hook(const std::vector<std::string>& args, const std::string& input = "",
                     const std::vector<std::string>& env = {}) const {
    std::vector<std::string> full{"--config", path()};
    full.insert(full.end(), args.begin(), args.end());
    return run_hook(full, input, env);
  }
  [[nodiscard]] static std::string state(const std::string& id, pid_t pid) {
    nlohmann::json s{
        {"ociVersion", "1.0.2"}, {"id", id}, {"status", "creating"}, {"bundle", "/tmp"}};
    if (pid > 0) s["pid"] = pid;  // poststop states carry no pid
    return s.dump();
  }

 private:
  TempDir dir_;
  std::string netns_dir_;
  std::string state_dir_;
};

// Removes a reference the test had the hook make, whatever state the test left it in: poststop
// first (the record), then by hand if the mount is still there.
class RefCleanup {
 public:
  RefCleanup(const OpsConfig& cfg, std::string id) : cfg_(cfg), id_(std::move(id)) {}
  ~RefCleanup() {
    cfg_.hook({"poststop"}, OpsConfig::state(id_, 0));
    std::string path = cfg_.ref(id_);
    if (mountinfo_has(path)) run({"umount", "-l", path});
    if (path_exists(path)) ::unlink(path.c_str());
  }
  RefCleanup(const RefCleanup&) = delete;
  RefCleanup& operator=(const RefCleanup&) = delete;

 private:
  const OpsConfig& cfg_;
  std::string id_;
};

}  // namespace ocinetns::test
