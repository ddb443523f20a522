// The cri suite's pods: a PodSpec turned into the PodSandboxConfig kubelet would send, and a Pod
// that runs the sandbox and its app containers over the CRI and tears them down the way kubelet
// does (StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox), also on failure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/cri/cri_client.hpp"

namespace ocinetns::test {

struct PodSpec {
  std::string ns = "shop";
  std::string name = "web";
  std::string uid;  // "" = derived from ns, name and attempt
  unsigned attempt = 0;
  bool host_network = false;
  std::map<std::string, std::string> sysctls;  // LinuxPodSandboxConfig.sysctls
};

// The PodSandboxConfig kubelet sends for `spec`: metadata, hostname (empty for a host-network
// pod: it shares the node's UTS namespace), labels, and the Linux namespace options and sysctls.
runtime::v1::PodSandboxConfig sandbox_config(const PodSpec& spec);

// The name `ip netns list` should show for a pod once the name template is "{name}":
// <namespace>_<pod name>.
std::string kubernetes_reference_name(const PodSpec& spec);

class Pod {
 public:
  Pod(CriClient& cri, PodSpec spec);  // RunPodSandbox
  ~Pod();                             // teardown(), errors ignored
  Pod(const Pod&) = delete;
  Pod& operator=(const Pod&) = delete;

  // CreateContainer + StartContainer of the busybox image running `command`; returns its id.
  std::string add_container(const std::string& name,
                            const std::vector<std::string>& command = {"sleep", "3600"});
  // StopContainer (SIGKILL at once: timeout 0) + RemoveContainer.
  void remove_container(const std::string& id);
  // Every container, then the sandbox; throws CriError if a call fails.
  void teardown();

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const PodSpec& spec() const { return spec_; }
  [[nodiscard]] const std::vector<std::string>& containers() const { return containers_; }
  [[nodiscard]] std::string ip();  // PodSandboxStatus .network.ip

 private:
  CriClient& cri_;
  PodSpec spec_;
  runtime::v1::PodSandboxConfig config_;
  std::string id_;
  std::vector<std::string> containers_;
  bool torn_down_ = false;
};

}  // namespace ocinetns::test
