// A real Docker config.json goes through the shim's rewrite unchanged except for the added
// hooks: unknown fields, key order, 64-bit signed and unsigned integers all survive.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "common/base/errors.hpp"
#include "common/model/shim_rewrite.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

std::string fixture() {
  return test::read_text(std::string(OCI_NETNS_SOURCE_DIR) +
                         "/tests/unit/fixtures/docker-config.json");
}

std::vector<HookDefinition> shipped_hooks() {
  std::vector<HookDefinition> hooks;
  for (const char* f : {"oci-netns-hook-createruntime.json", "oci-netns-hook-poststop.json"}) {
    std::string path = std::string(OCI_NETNS_SOURCE_DIR) + "/install/hooks.d/" + f;
    hooks.push_back(parse_hook_definition(test::read_text(path), f));
  }
  return hooks;
}

std::vector<std::string> keys(const Json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

TEST(ShimRewrite, DockerConfigUnchangedExceptHooks) {
  std::string original = fixture();
  std::vector<std::string> warnings;
  auto rewritten = rewrite_bundle_config(original, shipped_hooks(), warnings);
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_TRUE(warnings.empty());

  // Integers are written digit for digit (a double round trip would print 9.223372036854772e18).
  for (const char* n : {"9223372036854771712", "18446744073709551615", "-9223372036854775808",
                        "9223372036854775807", "4294967295", "2.5"}) {
    EXPECT_NE(rewritten->find(n), std::string::npos) << n;
  }
  Json before = Json::parse(original);
  Json after = Json::parse(*rewritten);
  EXPECT_EQ(keys(after), keys(before));
  EXPECT_EQ(keys(after["linux"]["resources"]["memory"]),
            keys(before["linux"]["resources"]["memory"]));
  EXPECT_EQ(after["linux"]["resources"]["memory"]["swappiness"].get<std::uint64_t>(),
            18446744073709551615ULL);
  EXPECT_EQ(after["linux"]["resources"]["memory"]["limit"].get<std::int64_t>(),
            9223372036854771712LL);
  EXPECT_EQ(after["process"]["env"][2], "A=<b> & c");  // Go's \u003c escapes keep their meaning

  ASSERT_EQ(after["hooks"]["createRuntime"].size(), 1u);
  EXPECT_EQ(after["hooks"]["createRuntime"][0]["args"],
            Json::array({"oci-netns-hook", "createRuntime"}));
  ASSERT_EQ(after["hooks"]["poststop"].size(), 1u);
  EXPECT_EQ(after["hooks"]["prestart"], before["hooks"]["prestart"]);  // Docker's setkey hook

  // Without the added stages the document is exactly the original.
  after["hooks"].erase("createRuntime");
  after["hooks"].erase("poststop");
  EXPECT_EQ(after, before);
  EXPECT_EQ(after.dump(), before.dump());

  // A second pass (retried create) changes nothing.
  EXPECT_FALSE(rewrite_bundle_config(*rewritten, shipped_hooks(), warnings).has_value());
}

TEST(ShimRewrite, NoMatchingHooksMeansNoWrite) {
  EXPECT_FALSE(rewrite_bundle_config(fixture(), {}, *std::make_unique<std::vector<std::string>>())
                   .has_value());
}

TEST(ShimRewrite, InvalidConfigIsAnError) {
  std::vector<std::string> warnings;
  EXPECT_THROW(rewrite_bundle_config("{\"a\":", shipped_hooks(), warnings), InputError);
  EXPECT_THROW(rewrite_bundle_config("{\"a\":1,\"a\":2}", shipped_hooks(), warnings), InputError);
}

}  // namespace
}  // namespace ocinetns
