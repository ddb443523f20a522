// Pods for the cri suite, sent as kubelet sends them (see cri_pod.hpp).
#include "tests/cri/cri_pod.hpp"

#include <algorithm>

#include "tests/support/cri_node.hpp"

namespace ocinetns::test {

runtime::v1::PodSandboxConfig sandbox_config(const PodSpec& spec) {
  runtime::v1::PodSandboxConfig config;
  auto* metadata = config.mutable_metadata();
  metadata->set_name(spec.name);
  metadata->set_namespace_(spec.ns);
  metadata->set_uid(spec.uid.empty()
                        ? "uid-" + spec.ns + "-" + spec.name + "-" + std::to_string(spec.attempt)
                        : spec.uid);
  metadata->set_attempt(spec.attempt);
  if (!spec.host_network) config.set_hostname(spec.name);
  (*config.mutable_labels())["io.kubernetes.pod.name"] = spec.name;
  (*config.mutable_labels())["io.kubernetes.pod.namespace"] = spec.ns;
  auto* linux = config.mutable_linux();
  linux->mutable_security_context()->mutable_namespace_options()->set_network(
      spec.host_network ? runtime::v1::NODE : runtime::v1::POD);
  linux->mutable_security_context()->mutable_namespace_options()->set_pid(runtime::v1::CONTAINER);
  for (const auto& [key, value] : spec.sysctls) (*linux->mutable_sysctls())[key] = value;
  return config;
}

std::string kubernetes_reference_name(const PodSpec& spec) {
  return spec.ns + "_" + spec.name;
}

Pod::Pod(CriClient& cri, PodSpec spec)
    : cri_(cri), spec_(std::move(spec)), config_(sandbox_config(spec_)) {
  id_ = cri_.run_pod_sandbox(config_);
}

Pod::~Pod() {
  try {
    teardown();
  } catch (const std::exception&) {
    // Already reported by the test that failed; the fixture's sweep retries the sandbox.
  }
}

std::string Pod::add_container(const std::string& name, const std::vector<std::string>& command) {
  runtime::v1::ContainerConfig config;
  config.mutable_metadata()->set_name(name);
  config.mutable_image()->set_image(kAppImage);
  for (const auto& arg : command) config.add_command(arg);
  std::string id = cri_.create_container(id_, config, config_);
  containers_.push_back(id);
  cri_.start_container(id);
  return id;
}

void Pod::remove_container(const std::string& id) {
  cri_.stop_container(id, 0);
  cri_.remove_container(id);
  containers_.erase(std::remove(containers_.begin(), containers_.end(), id), containers_.end());
}

void Pod::teardown() {
  if (torn_down_) return;
  while (!containers_.empty()) remove_container(containers_.back());
  cri_.stop_pod_sandbox(id_);
  cri_.remove_pod_sandbox(id_);
  torn_down_ = true;
}

std::string Pod::ip() {
  return cri_.pod_sandbox_status(id_).status().network().ip();
}

}  // namespace ocinetns::test
