// Unit tests for parsing what Docker and Podman leave for a container's name
// (common/model/engine_names.hpp) and for the {name} placeholder (common/naming.hpp).
#include "common/model/engine_names.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/base/errors.hpp"
#include "common/model/naming.hpp"

namespace ocinetns {
namespace {

const std::string kId = "4f7a0c1d2e3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f";

std::string error_of(auto fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

nlohmann::json spec_with(const std::string& dest, const std::string& source) {
  return {{"mounts",
           {{{"destination", "/proc"}, {"source", "proc"}},
            {{"destination", dest}, {"source", source}, {"options", {"rbind"}}}}}};
}

TEST(TemplateUsesName, OnlyThePlaceholder) {
  EXPECT_TRUE(template_uses_name("{name}"));
  EXPECT_TRUE(template_uses_name("ctr-{name}"));
  EXPECT_FALSE(template_uses_name("{id}"));
  EXPECT_FALSE(template_uses_name("{annotation:name}"));
}

TEST(DockerContainerDir, FromTheBindMountedHostnameHostsOrResolvConf) {
  std::string dir = "/var/lib/docker/containers/" + kId;
  for (const char* file : {"hostname", "hosts", "resolv.conf"}) {
    auto got = docker_container_dir(spec_with(std::string("/etc/") + file, dir + "/" + file), kId);
    ASSERT_TRUE(got) << file;
    EXPECT_EQ(*got, dir);
  }
  // Any data root: it is read from the spec, not guessed.
  EXPECT_EQ(
      docker_container_dir(spec_with("/etc/hosts", "/srv/d/containers/" + kId + "/hosts"), kId),
      "/srv/d/containers/" + kId);
}

TEST(DockerContainerDir, AnythingElseIsNotDocker) {
  std::string dir = "/var/lib/docker/containers/" + kId;
  // Podman's userdata directory, another id, another file, dot-dot, relative, no mounts.
  EXPECT_FALSE(docker_container_dir(
      spec_with("/etc/hostname",
                "/var/lib/containers/storage/overlay-containers/" + kId + "/userdata/hostname"),
      kId));
  EXPECT_FALSE(docker_container_dir(spec_with("/etc/hostname", dir + "/hostname"), "other"));
  EXPECT_FALSE(docker_container_dir(spec_with("/etc/hostname", dir + "/hosts"), kId));
  EXPECT_FALSE(docker_container_dir(spec_with("/etc/passwd", dir + "/passwd"), kId));
  EXPECT_FALSE(docker_container_dir(
      spec_with("/etc/hosts", "/x/containers/../containers/" + kId + "/hosts"), kId));
  EXPECT_FALSE(docker_container_dir(
      spec_with("/etc/hosts", "/x/containers/" + kId + "/../" + kId + "/hosts"), kId));
  EXPECT_FALSE(docker_container_dir(spec_with("/etc/hosts", "containers/" + kId + "/hosts"), kId));
  EXPECT_FALSE(docker_container_dir(nlohmann::json::object(), kId));
  EXPECT_FALSE(docker_container_dir(nlohmann::json{{"mounts", "x"}}, kId));
  EXPECT_FALSE(docker_container_dir(nlohmann::json{{"mounts", {1, {{"destination", 2}}}}}, kId));
}

TEST(DockerNameFromConfig, NameWithoutTheLeadingSlash) {
  EXPECT_EQ(docker_name_from_config(R"({"ID":")" + kId + R"(","Name":"/web","State":{}})", kId),
            "web");
}

TEST(DockerNameFromConfig, BadFilesSayWhy) {
  EXPECT_NE(error_of([] { docker_name_from_config("not json", kId); }).find("config.v2.json"),
            std::string::npos);
  EXPECT_NE(error_of([] { docker_name_from_config("[]", kId); }).find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of([] { docker_name_from_config(R"({"Name":"/web"})", kId); }).find("\"ID\""),
            std::string::npos);
  EXPECT_NE(error_of([] {
              docker_name_from_config(R"({"ID":"other","Name":"/web"})", kId);
            }).find("not this container"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              docker_name_from_config(R"({"ID":")" + kId + R"("})", kId);
            }).find("no \"Name\""),
            std::string::npos);
  EXPECT_NE(error_of([] {
              docker_name_from_config(R"({"ID":")" + kId + R"(","Name":"/"})", kId);
            }).find("empty"),
            std::string::npos);
  std::string huge = R"({"ID":")" + kId + R"(","Name":"/web","Pad":")" +
                     std::string(kMaxDockerConfigBytes, 'x') + "\"}";
  EXPECT_NE(error_of([&] { docker_name_from_config(huge, kId); }), "");
}

std::string argv(std::initializer_list<std::string> args) {
  std::string out;
  for (const auto& a : args) {
    out += a;
    out.push_back('\0');
  }
  return out;
}

TEST(ConmonNameFromArgv, ShortLongAndEqualsForms) {
  EXPECT_EQ(conmon_name_from_argv(argv({"/usr/bin/conmon", "--api-version", "1", "-c", kId, "-u",
                                        kId, "-r", "/usr/bin/runc", "-b", "/b", "-n", "web"}),
                                  kId),
            "web");
  EXPECT_EQ(conmon_name_from_argv(argv({"conmon", "--cid", kId, "--name", "db"}), kId), "db");
  EXPECT_EQ(conmon_name_from_argv(argv({"conmon", "--cid=" + kId, "--name=db"}), kId), "db");
}

TEST(ConmonNameFromArgv, WrongIdOrNoNameIsRefused) {
  EXPECT_NE(error_of([] {
              conmon_name_from_argv(argv({"conmon", "-c", "other", "-n", "web"}), kId);
            }).find("not this container"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              conmon_name_from_argv(argv({"conmon", "-n", "web"}), kId);
            }).find("no -c"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              conmon_name_from_argv(argv({"conmon", "-c", kId}), kId);
            }).find("no -n"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              conmon_name_from_argv(argv({"conmon", "-c", kId, "-n"}), kId);
            }).find("no -n"),
            std::string::npos);
}

TEST(KubernetesPodName, FromASandboxsContainerdOrCriOAnnotations) {
  EXPECT_EQ(kubernetes_pod_name({{"io.kubernetes.cri.container-type", "sandbox"},
                                 {"io.kubernetes.cri.sandbox-namespace", "shop"},
                                 {"io.kubernetes.cri.sandbox-name", "web"}}),
            "shop_web");
  EXPECT_EQ(kubernetes_pod_name({{"io.kubernetes.cri-o.ContainerType", "sandbox"},
                                 {"io.kubernetes.pod.namespace", "other"},
                                 {"io.kubernetes.pod.name", "web-0"}}),
            "other_web-0");
  // A crafted annotation never escapes the directory: mapped, not refused.
  EXPECT_EQ(kubernetes_pod_name({{"io.kubernetes.cri-o.ContainerType", "sandbox"},
                                 {"io.kubernetes.pod.namespace", "../x"},
                                 {"io.kubernetes.pod.name", "a/b"}}),
            "_._x_a_b");
}

TEST(KubernetesPodName, OnlySandboxes) {
  std::map<std::string, std::string> app = {{"io.kubernetes.cri.container-type", "container"},
                                            {"io.kubernetes.cri.sandbox-namespace", "shop"},
                                            {"io.kubernetes.cri.sandbox-name", "web"}};
  EXPECT_EQ(kubernetes_pod_name(app), std::nullopt);
  EXPECT_TRUE(kubernetes_app_container(app));
  EXPECT_TRUE(kubernetes_app_container({{"io.kubernetes.cri-o.ContainerType", "container"}}));
  EXPECT_EQ(kubernetes_pod_name({{"io.kubernetes.cri.sandbox-name", "web"}}), std::nullopt);
  EXPECT_EQ(kubernetes_pod_name({{"io.kubernetes.cri.container-type", "sandbox"},
                                 {"io.kubernetes.cri.sandbox-name", "web"}}),
            std::nullopt);
  EXPECT_EQ(kubernetes_pod_name({}), std::nullopt);
  EXPECT_FALSE(kubernetes_app_container({}));
}

TEST(NamePlaceholder, RendersTheNameOrTheId) {
  validate_name_template("{name}");
  validate_name_template("ctr-{name}-{short_id}");
  EXPECT_EQ(render_netns_name("{name}", kId, {}, "web"), "web");
  EXPECT_EQ(render_netns_name("docker-{name}", kId, {}, "web"), "docker-web");
  EXPECT_EQ(render_netns_name("{name}", kId, {}), kId);
  EXPECT_EQ(render_netns_name("{name}", kId, {}, ""), kId);
}

}  // namespace
}  // namespace ocinetns
