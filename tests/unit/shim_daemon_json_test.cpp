// daemon.json edits for install/uninstall: every existing key kept, runtimes left as {} on
// removal, default-runtime set and restored.
#include <gtest/gtest.h>

#include "common/base/errors.hpp"
#include "common/model/shim_daemon_json.hpp"

#include <nlohmann/json.hpp>

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

TEST(DaemonJson, RegisterIntoMissingFile) {
  auto e = docker_register_runtime("", "oci-netns", "/usr/local/bin/oci-netns-runtime", false);
  EXPECT_TRUE(e.changed);
  EXPECT_FALSE(e.previous_default.has_value());
  EXPECT_EQ(Json::parse(e.text).dump(),
            R"({"runtimes":{"oci-netns":{"path":"/usr/local/bin/oci-netns-runtime"}}})");
}

TEST(DaemonJson, RegisterKeepsEveryKeyAndOrder) {
  std::string text =
      R"({"log-level":"warn","default-ulimits":{"nofile":{"Name":"nofile","Hard":9223372036854775807,"Soft":1024}},
    "runtimes":{"nvidia":{"path":"/usr/bin/nvidia-container-runtime","runtimeArgs":[]}},"default-runtime":"nvidia","zz":true})";
  auto e = docker_register_runtime(text, "oci-netns", "/p/oci-netns-runtime", true);
  EXPECT_TRUE(e.changed);
  EXPECT_EQ(e.previous_default, "nvidia");
  Json j = Json::parse(e.text);
  EXPECT_EQ(
      j.dump(),
      R"({"log-level":"warn","default-ulimits":{"nofile":{"Name":"nofile","Hard":9223372036854775807,"Soft":1024}},)"
      R"("runtimes":{"nvidia":{"path":"/usr/bin/nvidia-container-runtime","runtimeArgs":[]},)"
      R"("oci-netns":{"path":"/p/oci-netns-runtime"}},"default-runtime":"oci-netns","zz":true})");
  // Registering again changes nothing.
  EXPECT_FALSE(docker_register_runtime(e.text, "oci-netns", "/p/oci-netns-runtime", true).changed);
}

TEST(DaemonJson, UnregisterKeepsEmptyRuntimesAndRestoresDefault) {
  std::string text =
      R"({"a":1,"runtimes":{"oci-netns":{"path":"/p"}},"default-runtime":"oci-netns"})";
  std::string with_nvidia =
      R"({"a":1,"runtimes":{"nvidia":{"path":"/n"},"oci-netns":{"path":"/p"}},)"
      R"("default-runtime":"oci-netns"})";
  auto e = docker_unregister_runtime(with_nvidia, "oci-netns", "nvidia");
  EXPECT_EQ(Json::parse(e.text).dump(),
            R"({"a":1,"runtimes":{"nvidia":{"path":"/n"}},"default-runtime":"nvidia"})");
  EXPECT_EQ(e.new_default, "nvidia");
  // No previous default, or one that is no longer registered: runc, never a removed key (a
  // Docker 20.10 reload without a valid default panics dockerd).
  auto plain = docker_unregister_runtime(text, "oci-netns", "");
  EXPECT_EQ(Json::parse(plain.text).dump(), R"({"a":1,"runtimes":{},"default-runtime":"runc"})");
  auto gone = docker_unregister_runtime(text, "oci-netns", "nvidia");
  EXPECT_EQ(Json::parse(gone.text).dump(), R"({"a":1,"runtimes":{},"default-runtime":"runc"})");
  EXPECT_EQ(Json::parse(docker_unregister_runtime(text, "oci-netns", "runc").text).dump(),
            R"({"a":1,"runtimes":{},"default-runtime":"runc"})");
  // Someone else's default is left alone.
  auto other = docker_unregister_runtime(
      R"({"runtimes":{"oci-netns":{"path":"/p"}},"default-runtime":"runc"})", "oci-netns", "x");
  EXPECT_EQ(Json::parse(other.text).dump(), R"({"runtimes":{},"default-runtime":"runc"})");
  EXPECT_FALSE(docker_unregister_runtime(R"({"runtimes":{}})", "oci-netns", "").changed);
}

TEST(DaemonJson, MalformedIsRefused) {
  EXPECT_THROW(docker_register_runtime("[1]", "n", "/p", false), InputError);
  EXPECT_THROW(docker_register_runtime(R"({"runtimes":[]})", "n", "/p", false), InputError);
  EXPECT_THROW(docker_register_runtime("{", "n", "/p", false), InputError);
  EXPECT_THROW(docker_register_runtime("{}", "n", "relative", false), InputError);
  EXPECT_THROW(docker_unregister_runtime(R"({"default-runtime":1})", "n", ""), InputError);
}

}  // namespace
}  // namespace ocinetns
