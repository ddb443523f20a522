// Real Podman 4.3 (hooks.d, runc) with name_template "{name}": the name comes from conmon's argv
// (conmon is the parent of the `runc create` that runs the hook); `podman run --name`, a pod's
// containers (one reference, the infra container's name) and `podman rm`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

class PodmanNames : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(podman_unavailable_reason());
    // A pod's infra container gets no --ulimit: containers.conf gives it run_flags()'s.
    static PodmanEngine engine(PodmanEngine::Options{
        .hook_config = {{"name_template", "{name}"}},
        .containers_conf =
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"});
    engine_ = &engine;
  }
  CommandResult run_container(const std::string& name, const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv{"run", "-d", "--name", name};
    argv.insert(argv.end(), flags.begin(), flags.end());
    for (const auto& f : PodmanEngine::run_flags()) argv.push_back(f);
    argv.push_back(kBusyboxImage);
    argv.insert(argv.end(), {"sleep", "3600"});
    return engine_->podman(argv);
  }
  std::string netns_of(const std::string& name) {
    return "/proc/" + engine_->inspect(name, "{{.State.Pid}}") + "/ns/net";
  }

  PodmanEngine* engine_ = nullptr;
};

TEST_F(PodmanNames, RunByNameAndRm) {
  std::string name = unique_name("web");
  ScopeGuard cleanup([&] { engine_->podman({"rm", "-f", "-t", "0", name}); });
  auto started = run_container(name);
  ASSERT_TRUE(started.ok()) << started.err << engine_->hooks().log();
  std::string id = engine_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u);
  EXPECT_TRUE(netns_listed(name)) << engine_->hooks().log();
  EXPECT_FALSE(netns_listed(id));
  EXPECT_EQ(inode_of("/run/netns/" + name), inode_of(netns_of(name)));
  auto rec = nlohmann::json::parse(read_text(engine_->hooks().record_path(id)));
  EXPECT_EQ(rec["container_name"], name);
  EXPECT_EQ(engine_->hooks().log().find("{name}"), std::string::npos) << engine_->hooks().log();

  ASSERT_TRUE(engine_->podman({"rm", "-f", "-t", "0", name}).ok());
  EXPECT_FALSE(netns_listed(name));
  EXPECT_FALSE(path_exists("/run/netns/" + name));
  EXPECT_FALSE(path_exists(engine_->hooks().record_path(id)));
}

TEST_F(PodmanNames, PodContainersShareTheInfraContainersReference) {
  std::string pod = unique_name("shop");
  ScopeGuard cleanup([&] {
    engine_->podman({"pod", "rm", "-f", "-t", "0", pod});
    // A create that fails after our createRuntime (Podman then skips poststop) leaves a
    // reference only gc removes; the state directory goes with the engine.
    run({hook_binary(), "--config", engine_->hooks().config_path(), "gc", "--pending-grace", "0"});
  });
  // No pause image can be built here (no catatonit): busybox sleeping is the infra container.
  auto imported = engine_->podman({"import", "--change", R"(ENTRYPOINT ["sleep", "3600"])",
                                   busybox_rootfs_tar(), "oci-netns-infra:test"});
  ASSERT_TRUE(imported.ok()) << imported.err;
  auto made = engine_->podman({"pod", "create", "--name", pod, "--infra-name", pod + "-infra",
                               "--infra-image", "oci-netns-infra:test"});
  ASSERT_TRUE(made.ok()) << made.err;
  std::string a = unique_name("shop-a");
  std::string b = unique_name("shop-b");
  for (const auto& c : {a, b}) {
    auto r = run_container(c, {"--pod", pod});
    ASSERT_TRUE(r.ok()) << r.err << engine_->hooks().log();
  }
  std::string infra = pod + "-infra";
  EXPECT_TRUE(netns_listed(infra)) << engine_->hooks().log();
  EXPECT_FALSE(netns_listed(a));
  EXPECT_FALSE(netns_listed(b));
  unsigned long long ino = inode_of(netns_of(a));
  EXPECT_EQ(inode_of("/run/netns/" + infra), ino);
  // One reference of ours for the pod, beside Podman's own pin (netns-<uuid>).
  std::vector<std::string> ours;
  for (const auto& r : references_to(ino)) {
    if (!r.starts_with("netns-")) ours.push_back(r);
  }
  EXPECT_EQ(ours, std::vector<std::string>{infra});

  ASSERT_TRUE(engine_->podman({"pod", "rm", "-f", "-t", "0", pod}).ok());
  EXPECT_FALSE(netns_listed(infra));
  EXPECT_FALSE(path_exists("/run/netns/" + infra));
}

}  // namespace
}  // namespace ocinetns::test
