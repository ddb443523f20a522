// hooks.d schema 1.0.0 (common/model/hooks_d.hpp): parsing, invalid files, layer masking and
// ordering, `when` matching (containers/common semantics) and injection without duplicates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base/errors.hpp"
#include "common/model/hooks_d.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

using Json = nlohmann::ordered_json;

std::string hook_file(const std::string& when, const std::string& stages = R"(["createRuntime"])",
                      const std::string& path = "/bin/true") {
  return R"({"version":"1.0.0","hook":{"path":")" + path +
         R"(","args":["x","createRuntime"],"timeout":5},"when":)" + when + R"(,"stages":)" +
         stages + "}";
}

HookDefinition def(const std::string& when, const std::string& name = "10-a.json") {
  return parse_hook_definition(hook_file(when), name);
}

Json spec_with(const std::string& extra) {
  return Json::parse(R"({"ociVersion":"1.0.2","process":{"args":["/usr/sbin/init","x"]})" + extra +
                     "}");
}

TEST(HooksDParse, ValidFileKeepsHookFieldsInSpecOrder) {
  auto d = parse_hook_definition(
      R"({"version":"1.0.0","hook":{"timeout":3,"env":["A=b"],"args":["h","poststop"],"path":"/bin/h","x-extra":1},
          "when":{"always":true},"stages":["poststop","createRuntime"],"unknown":true})",
      "h.json");
  EXPECT_EQ(d.name, "h.json");
  EXPECT_EQ(d.hook.dump(),
            R"({"path":"/bin/h","args":["h","poststop"],"env":["A=b"],"timeout":3})");
  EXPECT_EQ(d.stages, (std::vector<std::string>{"poststop", "createRuntime"}));
  EXPECT_EQ(d.when.always, true);
}

TEST(HooksDParse, ShippedFilesAreValidOneStageEach) {
  for (const char* stage : {"createRuntime", "poststop"}) {
    std::string lower = stage == std::string("poststop") ? "poststop" : "createruntime";
    std::string path =
        std::string(OCI_NETNS_SOURCE_DIR) + "/install/hooks.d/oci-netns-hook-" + lower + ".json";
    auto d = parse_hook_definition(test::read_text(path), path);
    EXPECT_EQ(d.hook["path"], "/usr/local/bin/oci-netns-hook");
    EXPECT_EQ(d.hook["args"], Json::array({"oci-netns-hook", stage}));
    EXPECT_TRUE(d.hook.contains("timeout"));
    EXPECT_EQ(d.stages, std::vector<std::string>{stage});
    EXPECT_EQ(d.when.always, true);
  }
}

TEST(HooksDParse, InvalidFilesAreRefusedWithTheField) {
  struct Bad {
    std::string text;
    std::string field;
  };
  std::vector<Bad> cases = {
      {"not json", "invalid JSON"},
      {"[]", "expected a JSON object"},
      {R"({"hook":{"path":"/bin/true"},"when":{"always":true},"stages":["prestart"]})", "version"},
      {R"({"version":"0.1.0","hook":{"path":"/bin/true"},"when":{"always":true},"stages":["prestart"]})",
       "version"},
      {R"({"version":"1.0.0","when":{"always":true},"stages":["prestart"]})", "hook"},
      {R"({"version":"1.0.0","hook":{"args":[]},"when":{"always":true},"stages":["prestart"]})",
       "hook.path"},
      {R"({"version":"1.0.0","hook":{"path":"rel"},"when":{"always":true},"stages":["prestart"]})",
       "hook.path"},
      {R"({"version":"1.0.0","hook":{"path":"/x","args":"a"},"when":{"always":true},"stages":["prestart"]})",
       "hook.args"},
      {R"({"version":"1.0.0","hook":{"path":"/x","timeout":0},"when":{"always":true},"stages":["prestart"]})",
       "hook.timeout"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"stages":["prestart"]})", "when"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{},"stages":["prestart"]})", "when"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{"always":"yes"},"stages":["prestart"]})",
       "when.always"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{"commands":["(unclosed"]},"stages":["prestart"]})",
       "when.commands"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{"annotations":{"k":"[z-a]"}},"stages":["prestart"]})",
       "when.annotations"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{"always":true}})", "stages"},
      {R"({"version":"1.0.0","hook":{"path":"/x"},"when":{"always":true},"stages":["prestrat"]})",
       "stages"},
  };
  for (const auto& c : cases) {
    try {
      parse_hook_definition(c.text, "bad.json");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos)
          << c.text << " -> " << e.what();
    }
  }
}

TEST(HooksDLayers, LaterDirectoryMasksByFileNameAndOrderIgnoresCase) {
  std::vector<HookDefinition> usr = {def(R"({"always":true})", "20-b.json"),
                                     def(R"({"always":true})", "01-UPPER.json"),
                                     def(R"({"always":true})", "10-shared.json")};
  usr[2].hook["args"] = Json::array({"from-usr"});
  std::vector<HookDefinition> etc = {def(R"({"always":true})", "10-shared.json"),
                                     def(R"({"always":true})", "01-lower.json")};
  etc[0].hook["args"] = Json::array({"from-etc"});
  auto merged = merge_hook_layers({usr, etc});
  std::vector<std::string> names;
  for (const auto& d : merged) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"01-lower.json", "01-UPPER.json", "10-shared.json",
                                             "20-b.json"}));
  EXPECT_EQ(merged[2].hook["args"], Json::array({"from-etc"}));
}

TEST(HooksDLayers, OnlyJsonFilesCount) {
  EXPECT_TRUE(is_hook_file_name("a.json"));
  EXPECT_FALSE(is_hook_file_name("a.json~"));
  EXPECT_FALSE(is_hook_file_name("a.json.dpkg-old"));
  EXPECT_FALSE(is_hook_file_name(".json"));
  EXPECT_FALSE(is_hook_file_name(".a.json.tmp.1.json"));
  EXPECT_FALSE(is_hook_file_name("README"));
}

TEST(HooksDWhen, Always) {
  EXPECT_TRUE(hook_matches(def(R"({"always":true})"), spec_with("")));
  EXPECT_FALSE(hook_matches(def(R"({"always":false})"), spec_with("")));
}

TEST(HooksDWhen, AnnotationsAllPairsMustMatchSomeAnnotationUnanchored) {
  auto d = def(R"({"annotations":{"^com\\.example\\.dept$":"fluid","io\\.x":"^on$"}})");
  auto both =
      spec_with(R"(,"annotations":{"com.example.dept":"big-fluid-dynamics","a.io.x.b":"on"})");
  EXPECT_TRUE(hook_matches(d, both));
  auto value_anchored =
      spec_with(R"(,"annotations":{"com.example.dept":"fluid","a.io.x.b":"only"})");
  EXPECT_FALSE(hook_matches(d, value_anchored));
  auto key_anchored = spec_with(R"(,"annotations":{"com.example.dept.x":"fluid","io.x":"on"})");
  EXPECT_FALSE(hook_matches(d, key_anchored));
  EXPECT_FALSE(hook_matches(d, spec_with("")));
}

TEST(HooksDWhen, CommandsMatchArgsZero) {
  EXPECT_TRUE(hook_matches(def(R"({"commands":["/init$","/systemd$"]})"), spec_with("")));
  EXPECT_TRUE(hook_matches(def(R"({"commands":["sbin"]})"), spec_with("")));
  EXPECT_FALSE(hook_matches(def(R"({"commands":["^init$"]})"), spec_with("")));
  // Only args[0] is considered.
  EXPECT_FALSE(hook_matches(def(R"({"commands":["^x$"]})"), spec_with("")));
  auto no_args = Json::parse(R"({"process":{"args":[]}})");
  EXPECT_THROW(hook_matches(def(R"({"commands":["."]})"), no_args), InputError);
}

TEST(HooksDWhen, HasBindMounts) {
  auto bind = spec_with(
      R"(,"mounts":[{"destination":"/d","type":"none","source":"/s","options":["rbind","ro"]}])");
  auto typed = spec_with(R"(,"mounts":[{"destination":"/d","type":"bind","source":"/s"}])");
  auto none = spec_with(R"(,"mounts":[{"destination":"/proc","type":"proc","source":"proc"}])");
  EXPECT_TRUE(hook_matches(def(R"({"hasBindMounts":true})"), bind));
  EXPECT_TRUE(hook_matches(def(R"({"hasBindMounts":true})"), typed));
  EXPECT_FALSE(hook_matches(def(R"({"hasBindMounts":true})"), none));
  // containers/common: hasBindMounts false is a condition that never holds.
  EXPECT_FALSE(hook_matches(def(R"({"hasBindMounts":false})"), none));
}

TEST(HooksDWhen, HasBindMountsIgnoresMountFieldsOfTheWrongType) {
  // Found by fuzz_hooks_d: a numeric "type" threw nlohmann's type_error out of the matcher.
  auto odd = spec_with(R"(,"mounts":[{"type":7,"options":[1,{"x":"bind"}]},"bind",[]])");
  EXPECT_FALSE(hook_matches(def(R"({"hasBindMounts":true})"), odd));
  auto later = spec_with(R"(,"mounts":[{"type":null},{"type":"bind"}])");
  EXPECT_TRUE(hook_matches(def(R"({"hasBindMounts":true})"), later));
}

TEST(HooksDWhen, AllConditionsMustHold) {
  auto d = def(R"({"always":true,"commands":["init$"],"annotations":{"^k$":"^v$"}})");
  EXPECT_TRUE(hook_matches(d, spec_with(R"(,"annotations":{"k":"v"})")));
  EXPECT_FALSE(hook_matches(d, spec_with(R"(,"annotations":{"k":"w"})")));
  auto d2 = def(R"({"always":true,"commands":["^nope$"]})");
  EXPECT_FALSE(hook_matches(d2, spec_with("")));
}

TEST(HooksDWhen, LongAnnotationValueDoesNotExhaustTheStack) {
  // A multi-megabyte value (Kubernetes puts whole manifests in annotations) must not crash the
  // regex engine.
  auto d = def(R"({"annotations":{"^big$":"z$"}})");
  Json spec = spec_with("");
  spec["annotations"]["big"] = std::string(4 * 1024 * 1024, 'a') + "z";
  EXPECT_TRUE(hook_matches(d, spec));
}

TEST(HooksDWhen, PatternWithAlternationOnA256KiBAnnotationIsLinear) {
  // 256 KiB is Kubernetes' limit for all of a pod's annotations. A backtracking engine takes
  // exponential time on `(a|aa)+b`, libstdc++'s Thompson executor quadratic (over a minute here,
  // past this suite's ctest TIMEOUT); RE2's automaton reads the value once.
  auto d = def(R"({"annotations":{"^big$":"(a|aa)+b"}})");
  Json spec = spec_with("");
  spec["annotations"]["big"] = std::string(256 * 1024, 'a');
  EXPECT_FALSE(hook_matches(d, spec));
  spec["annotations"]["big"] = std::string(256 * 1024, 'a') + "b";
  EXPECT_TRUE(hook_matches(d, spec));
  // The key patterns are searched in the same way.
  auto by_key = def(R"({"annotations":{"(a|aa)+b":""}})");
  Json keyed = spec_with("");
  keyed["annotations"][std::string(256 * 1024, 'a')] = "v";
  EXPECT_FALSE(hook_matches(by_key, keyed));
}

TEST(HooksDWhen, PatternsUseGoRegexpSyntax) {
  // Inline flags, as Go's regexp (and so Podman) accepts; ECMAScript has none.
  auto d = def(R"({"annotations":{"(?i)^IO\\.EXAMPLE\\.NETNS$":"(?i)^yes$"}})");
  EXPECT_TRUE(hook_matches(d, spec_with(R"(,"annotations":{"io.example.netns":"YES"})")));
  EXPECT_FALSE(hook_matches(d, spec_with(R"(,"annotations":{"io.example.netns":"no"})")));
  // Unicode classes and \z.
  EXPECT_TRUE(hook_matches(def(R"({"commands":["\\pL+\\z"]})"), spec_with("")));
  // `.` does not match a newline, and `$` is the end of the text, without (?s) / (?m).
  auto dot = def(R"({"annotations":{"^k$":"^a.b$"}})");
  EXPECT_FALSE(hook_matches(dot, spec_with(R"(,"annotations":{"k":"a\nb"})")));
  auto multi = def(R"({"annotations":{"^k$":"(?m)^b$"}})");
  EXPECT_TRUE(hook_matches(multi, spec_with(R"(,"annotations":{"k":"a\nb\nc"})")));
}

TEST(HooksDParse, PatternsRe2RejectsNameTheFile) {
  // Back-references and lookarounds are ECMAScript, not RE2: Podman refuses such a file too.
  const std::vector<std::string> whens = {
      R"({"commands":["(a)\\1"]})",
      R"j({"annotations":{"k(?=x)":"v"}})j",
      R"({"annotations":{"k":"a{1001}"}})",
  };
  for (const auto& when : whens) {
    try {
      parse_hook_definition(hook_file(when), "50-bad.json");
      ADD_FAILURE() << "accepted: " << when;
    } catch (const InputError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("50-bad.json"), std::string::npos) << what;
      EXPECT_NE(what.find("invalid regular expression"), std::string::npos) << what;
    }
  }
  // A program over kMaxHookPatternInstructions is refused (RE2 would take it), and one over
  // what kMaxHookPatternMemory holds does not compile at all.
  for (int repeats : {6, 1000}) {
    std::string huge = R"({"commands":[")";
    for (int i = 0; i < repeats; ++i) huge += "[a-z]{1000}";
    huge += R"("]})";
    try {
      parse_hook_definition(hook_file(huge), "51-huge.json");
      ADD_FAILURE() << "accepted " << repeats << " x [a-z]{1000}";
    } catch (const InputError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("51-huge.json: when.commands"), std::string::npos) << what;
      EXPECT_NE(what.find("too large"), std::string::npos) << what;
      EXPECT_LT(what.size(), 300u) << "the message quotes only the pattern's start";
    }
  }
  // The largest Unicode class shapes stay well inside the limit.
  EXPECT_NO_THROW(parse_hook_definition(hook_file(R"({"commands":["(?i)\\pL+"]})"), "52.json"));
}

TEST(HooksDInject, AddsToEachStageOnceInOrder) {
  auto a = parse_hook_definition(hook_file(R"({"always":true})", R"(["createRuntime","poststop"])"),
                                 "01-a.json");
  auto b = parse_hook_definition(hook_file(R"({"commands":["^nomatch$"]})"), "02-b.json");
  auto c = parse_hook_definition(hook_file(R"({"always":true})", R"(["createRuntime"])", "/bin/c"),
                                 "03-c.json");
  Json spec = spec_with(R"(,"hooks":{"prestart":[{"path":"/p"}]})");
  std::vector<std::string> warnings;
  EXPECT_TRUE(inject_hooks(spec, {a, b, c}, warnings));
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(spec["hooks"]["createRuntime"].size(), 2u);
  EXPECT_EQ(spec["hooks"]["createRuntime"][0]["path"], "/bin/true");
  EXPECT_EQ(spec["hooks"]["createRuntime"][1]["path"], "/bin/c");
  EXPECT_EQ(spec["hooks"]["poststop"].size(), 1u);
  EXPECT_EQ(spec["hooks"]["prestart"].size(), 1u);
  // Running the shim again (a retried create) adds nothing.
  Json again = spec;
  EXPECT_FALSE(inject_hooks(again, {a, b, c}, warnings));
  EXPECT_EQ(again, spec);
}

TEST(HooksDInject, IdenticalHookWithDifferentKeyOrderIsNotDuplicated) {
  auto a = parse_hook_definition(hook_file(R"({"always":true})"), "a.json");
  Json spec = spec_with(
      R"(,"hooks":{"createRuntime":[{"timeout":5,"args":["x","createRuntime"],"path":"/bin/true"}]})");
  std::vector<std::string> warnings;
  EXPECT_FALSE(inject_hooks(spec, {a}, warnings));
  EXPECT_EQ(spec["hooks"]["createRuntime"].size(), 1u);
}

TEST(HooksDInject, MalformedHooksAreAnErrorAndBadMatchesAWarning) {
  auto a = parse_hook_definition(hook_file(R"({"always":true})"), "a.json");
  std::vector<std::string> warnings;
  Json bad_hooks = spec_with(R"(,"hooks":[])");
  EXPECT_THROW(inject_hooks(bad_hooks, {a}, warnings), InputError);
  Json bad_stage = spec_with(R"(,"hooks":{"createRuntime":{}})");
  EXPECT_THROW(inject_hooks(bad_stage, {a}, warnings), InputError);
  auto cmd = parse_hook_definition(hook_file(R"({"commands":["."]})"), "cmd.json");
  Json no_args = Json::parse(R"({"process":{"args":[]}})");
  EXPECT_FALSE(inject_hooks(no_args, {cmd}, warnings));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cmd.json"), std::string::npos);
}

}  // namespace
}  // namespace ocinetns
