// A minimal CRI client for the cri suite: the runtime.v1.RuntimeService calls kubelet makes to
// run a pod (our api.proto subset), over containerd's unix socket, each with a deadline.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "api.grpc.pb.h"

namespace ocinetns::test {

// A failed CRI call: the method, the gRPC status code and the runtime's message.
class CriError : public std::runtime_error {
 public:
  CriError(const std::string& method, const grpc::Status& status);
  [[nodiscard]] grpc::StatusCode code() const { return code_; }

 private:
  grpc::StatusCode code_;
};

class CriClient {
 public:
  explicit CriClient(const std::string& socket_path, int deadline_seconds = 60);

  // Whether the CRI service answers (ListPodSandbox succeeds) within `seconds`.
  bool wait_ready(int seconds);

  std::string run_pod_sandbox(const runtime::v1::PodSandboxConfig& config);
  runtime::v1::PodSandboxStatusResponse pod_sandbox_status(const std::string& id,
                                                           bool verbose = false);
  std::vector<std::string> list_pod_sandboxes();
  void stop_pod_sandbox(const std::string& id);
  void remove_pod_sandbox(const std::string& id);

  std::string create_container(const std::string& sandbox_id,
                               const runtime::v1::ContainerConfig& config,
                               const runtime::v1::PodSandboxConfig& sandbox_config);
  void start_container(const std::string& id);
  void stop_container(const std::string& id, long timeout_seconds = 0);
  void remove_container(const std::string& id);

 private:
  template <typename Request, typename Response, typename Method>
  Response call(const char* name, Method method, const Request& request);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<runtime::v1::RuntimeService::Stub> stub_;
  int deadline_seconds_;
};

}  // namespace ocinetns::test
