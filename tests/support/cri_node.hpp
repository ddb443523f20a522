// Test support for the cri suite: a private containerd 1.6 with its CRI plugin, as a Kubernetes
// node runs it, without kubelet. Its own config, root, state, sockets and CNI configuration live
// in a temporary directory; it runs in a network namespace of its own, so the CNI bridge and the
// pods' host-side veths never appear on the host; the pause image is built from busybox-static.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tests/support/engines.hpp"

namespace ocinetns::test {

// The images the node knows: the sandbox (pause) image and the app image, both busybox-static.
inline constexpr const char* kPauseImage = "docker.io/library/oci-netns-pause:test";
inline constexpr const char* kAppImage = "docker.io/library/oci-netns-busybox:test";
// The pods' subnet (host-local IPAM on a bridge that has no address: isGateway false).
inline constexpr const char* kPodSubnet = "10.233.7.0/24";

// The reason the cri suite cannot run here ("" when it can): containerd and the runtime shim
// (containerd_unavailable_reason()), and the CNI plugins bridge, host-local and loopback.
std::string cri_unavailable_reason();

// Makes /run/netns a shared mount point the way `ip netns add` does (see cri_node.cpp for why).
void make_netns_dir_a_mount_point();

class CriNode {
 public:
  struct Options {
    nlohmann::json hook_config = nlohmann::json::object();  // extra hook config keys
    // false: the config leaves the runc runtime's BinaryName unset (install.sh registers it).
    bool register_shim = true;
    // Where config.toml is written ("": in the node's temporary directory).
    std::string config_path;
    // The hook config containerd passes down to the shim (OCI_NETNS_HOOK_CONFIG; "": the one
    // hooks() wrote, whose hooks.d matches every container). install.sh's tests name theirs.
    std::string hook_config_path;
    // true: restart containerd whenever it exits, as a node's init does (Restart=always), so
    // `kill $(cat pidfile())` restarts it.
    bool supervise = false;
  };
  explicit CriNode(Options options);
  ~CriNode();
  CriNode(const CriNode&) = delete;
  CriNode& operator=(const CriNode&) = delete;

  [[nodiscard]] std::string socket() const { return root_.file("containerd.sock"); }
  [[nodiscard]] std::string config_path() const { return config_path_; }
  [[nodiscard]] std::string pidfile() const { return root_.file("containerd.pid"); }
  [[nodiscard]] std::string state_dir() const { return root_.file("state"); }
  [[nodiscard]] const HookFiles& hooks() const { return hooks_; }
  [[nodiscard]] std::string log() const;
  // The runc bundle containerd made for a container (holds its config.json).
  [[nodiscard]] std::string bundle(const std::string& container_id) const;
  // The network namespace containerd, the CNI bridge and host-network pods run in.
  [[nodiscard]] std::string netns_path() const { return netns_holder_->netns_path(); }
  [[nodiscard]] pid_t pid();

  // `ctr --address <socket> -n k8s.io args...`.
  CommandResult ctr(const std::vector<std::string>& args, int timeout_seconds = 120) const;
  // Runs argv in the node's network namespace (where the bridge and host-side veths are), with
  // extra NAME=VALUE `env`.
  CommandResult in_node_netns(const std::vector<std::string>& argv,
                              const std::vector<std::string>& env = {}) const;

  // SIGKILLs containerd (its shims and containers keep running) and waits until it is gone.
  void kill_containerd();
  // Starts containerd again on the same config, root and state; waits until ctr answers.
  void start_containerd();

 private:
  void start_locked();
  void supervise_loop();

  Options options_;
  TempDir root_;
  HookFiles hooks_;
  std::string config_path_;
  std::unique_ptr<Daemon> netns_holder_;
  std::mutex mutex_;  // guards daemon_ (Daemon::alive() reaps; one thread at a time)
  std::unique_ptr<Daemon> daemon_;
  std::atomic<bool> stopping_{false};
  std::thread supervisor_;
};

}  // namespace ocinetns::test
