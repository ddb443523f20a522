// The cri suite's CRI client: one deadline per call, and a failed call throws CriError naming
// the method and carrying containerd's own message (e.g. runc's error for a failed sandbox).
#include "tests/cri/cri_client.hpp"

#include <chrono>
#include <thread>

namespace ocinetns::test {

CriError::CriError(const std::string& method, const grpc::Status& status)
    : std::runtime_error(method + " failed (gRPC code " +
                         std::to_string(static_cast<int>(status.error_code())) +
                         "): " + status.error_message()),
      code_(status.error_code()) {}

CriClient::CriClient(const std::string& socket_path, int deadline_seconds)
    : channel_(grpc::CreateChannel("unix://" + socket_path, grpc::InsecureChannelCredentials())),
      stub_(runtime::v1::RuntimeService::NewStub(channel_)),
      deadline_seconds_(deadline_seconds) {}

template <typename Request, typename Response, typename Method>
Response CriClient::call(const char* name, Method method, const Request& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_seconds_));
  Response response;
  grpc::Status status = ((*stub_).*method)(&context, request, &response);
  if (!status.ok()) throw CriError(name, status);
  return response;
}

bool CriClient::wait_ready(int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    runtime::v1::ListPodSandboxResponse response;
    if (stub_->ListPodSandbox(&context, {}, &response).ok()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string CriClient::run_pod_sandbox(const runtime::v1::PodSandboxConfig& config) {
  runtime::v1::RunPodSandboxRequest request;
  *request.mutable_config() = config;
  return call<runtime::v1::RunPodSandboxRequest, runtime::v1::RunPodSandboxResponse>(
             "RunPodSandbox", &runtime::v1::RuntimeService::Stub::RunPodSandbox, request)
      .pod_sandbox_id();
}

runtime::v1::PodSandboxStatusResponse CriClient::pod_sandbox_status(const std::string& id,
                                                                    bool verbose) {
  runtime::v1::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(id);
  request.set_verbose(verbose);
  return call<runtime::v1::PodSandboxStatusRequest, runtime::v1::PodSandboxStatusResponse>(
      "PodSandboxStatus", &runtime::v1::RuntimeService::Stub::PodSandboxStatus, request);
}

std::vector<std::string> CriClient::list_pod_sandboxes() {
  auto response = call<runtime::v1::ListPodSandboxRequest, runtime::v1::ListPodSandboxResponse>(
      "ListPodSandbox", &runtime::v1::RuntimeService::Stub::ListPodSandbox, {});
  std::vector<std::string> ids;
  for (const auto& item : response.items()) ids.push_back(item.id());
  return ids;
}

void CriClient::stop_pod_sandbox(const std::string& id) {
  runtime::v1::StopPodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  call<runtime::v1::StopPodSandboxRequest, runtime::v1::StopPodSandboxResponse>(
      "StopPodSandbox", &runtime::v1::RuntimeService::Stub::StopPodSandbox, request);
}

void CriClient::remove_pod_sandbox(const std::string& id) {
  runtime::v1::RemovePodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  call<runtime::v1::RemovePodSandboxRequest, runtime::v1::RemovePodSandboxResponse>(
      "RemovePodSandbox", &runtime::v1::RuntimeService::Stub::RemovePodSandbox, request);
}

std::string CriClient::create_container(const std::string& sandbox_id,
                                        const runtime::v1::ContainerConfig& config,
                                        const runtime::v1::PodSandboxConfig& sandbox_config) {
  runtime::v1::CreateContainerRequest request;
  request.set_pod_sandbox_id(sandbox_id);
  *request.mutable_config() = config;
  *request.mutable_sandbox_config() = sandbox_config;
  return call<runtime::v1::CreateContainerRequest, runtime::v1::CreateContainerResponse>(
             "CreateContainer", &runtime::v1::RuntimeService::Stub::CreateContainer, request)
      .container_id();
}

void CriClient::start_container(const std::string& id) {
  runtime::v1::StartContainerRequest request;
  request.set_container_id(id);
  call<runtime::v1::StartContainerRequest, runtime::v1::StartContainerResponse>(
      "StartContainer", &runtime::v1::RuntimeService::Stub::StartContainer, request);
}

void CriClient::stop_container(const std::string& id, long timeout_seconds) {
  runtime::v1::StopContainerRequest request;
  request.set_container_id(id);
  request.set_timeout(timeout_seconds);
  call<runtime::v1::StopContainerRequest, runtime::v1::StopContainerResponse>(
      "StopContainer", &runtime::v1::RuntimeService::Stub::StopContainer, request);
}

void CriClient::remove_container(const std::string& id) {
  runtime::v1::RemoveContainerRequest request;
  request.set_container_id(id);
  call<runtime::v1::RemoveContainerRequest, runtime::v1::RemoveContainerResponse>(
      "RemoveContainer", &runtime::v1::RuntimeService::Stub::RemoveContainer, request);
}

}  // namespace ocinetns::test
