// Hook files and bundle fixtures shared by the hooks.d and bundle tests of the unit and runc
// suites: the shipped hooks.d definitions, a hooks.d file with a given `when`, and the captured
// Docker config.json.
#pragma once

#include <string>
#include <vector>

#include "common/model/hooks_d.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {

// A Docker 20.10 bundle's config.json, as dockerd wrote it (tests/unit/fixtures).
inline std::string docker_config_fixture() {
  return read_text(std::string(OCI_NETNS_SOURCE_DIR) + "/tests/unit/fixtures/docker-config.json");
}

// The two hooks.d files install/ ships, parsed.
inline std::vector<HookDefinition> shipped_hooks() {
  std::vector<HookDefinition> hooks;
  for (const char* f : {"oci-netns-hook-createruntime.json", "oci-netns-hook-poststop.json"}) {
    std::string path = std::string(OCI_NETNS_SOURCE_DIR) + "/install/hooks.d/" + f;
    hooks.push_back(parse_hook_definition(read_text(path), f));
  }
  return hooks;
}

// A hooks.d 1.0.0 file running `path` at `stages` under the condition `when` (JSON text).
inline std::string hook_file(const std::string& when,
                             const std::string& stages = R"(["createRuntime"])",
                             const std::string& path = "/bin/true") {
  return R"({"version":"1.0.0","hook":{"path":")" + path +
         R"(","args":["x","createRuntime"],"timeout":5},"when":)" + when + R"(,"stages":)" +
         stages + "}";
}

}  // namespace ocinetns::test
