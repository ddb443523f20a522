// Unit tests for the sysctl plan: config values first (file order), then allowed annotation
// values; refused annotations are listed with a reason and never written.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/sys/sysctl_apply.hpp"
#include "config/config.hpp"

namespace ocinetns {
namespace {

const std::string kPrefix(kSysctlAnnotationPrefix);

std::vector<std::string> keys_of(const SysctlPlan& plan) {
  std::vector<std::string> out;
  for (const auto& w : plan.writes) out.push_back(w.key.path + "=" + w.value);
  return out;
}

std::vector<SysctlPattern> allow(std::initializer_list<const char*> patterns) {
  std::vector<SysctlPattern> out;
  for (const char* p : patterns) out.push_back(parse_sysctl_pattern(p));
  return out;
}

TEST(SysctlPlan, ConfigValuesKeepFileOrder) {
  Config cfg =
      parse_config(R"({"sysctls":{"net.ipv4.tcp_keepalive_time":"600","kernel.shmmni":"5000",)"
                   R"("net/ipv4/conf/lo/forwarding":"1","net.core.somaxconn":"1024"}})",
                   "cfg");
  SysctlPlan plan = plan_sysctls(cfg.sysctls, cfg.annotation_sysctls, {});
  EXPECT_EQ(keys_of(plan),
            (std::vector<std::string>{"net/ipv4/tcp_keepalive_time=600", "kernel/shmmni=5000",
                                      "net/ipv4/conf/lo/forwarding=1", "net/core/somaxconn=1024"}));
  EXPECT_TRUE(plan.refused.empty());
  for (const auto& w : plan.writes) EXPECT_EQ(w.source, SysctlSource::kConfig);
  EXPECT_TRUE(plan.needs(SysctlNamespace::kNet));
  EXPECT_TRUE(plan.needs(SysctlNamespace::kIpc));
}

TEST(SysctlPlan, AllowedAnnotationsComeAfterConfig) {
  Config cfg = parse_config(R"({"sysctls":{"net.ipv4.tcp_keepalive_time":"600"},)"
                            R"("annotation_sysctls":["net.ipv4.tcp_keepalive_*","kernel.msgmax"]})",
                            "cfg");
  std::map<std::string, std::string> annotations{
      {kPrefix + "net.ipv4.tcp_keepalive_intvl", "30"},
      {kPrefix + "kernel/msgmax", "16384"},
      {"io.kubernetes.pod.name", "web"},
      {"oci-netns-hook.name", "web"},
  };
  SysctlPlan plan = plan_sysctls(cfg.sysctls, cfg.annotation_sysctls, annotations);
  ASSERT_EQ(plan.writes.size(), 3u);
  EXPECT_EQ(plan.writes[0].key.path, "net/ipv4/tcp_keepalive_time");
  EXPECT_EQ(plan.writes[0].source, SysctlSource::kConfig);
  // Annotations follow in annotation-key order ("kernel/..." sorts before "net...").
  EXPECT_EQ(plan.writes[1].key.path, "kernel/msgmax");
  EXPECT_EQ(plan.writes[1].value, "16384");
  EXPECT_EQ(plan.writes[1].key.ns, SysctlNamespace::kIpc);
  EXPECT_EQ(plan.writes[1].source, SysctlSource::kAnnotation);
  EXPECT_EQ(plan.writes[2].key.path, "net/ipv4/tcp_keepalive_intvl");
  EXPECT_EQ(plan.writes[2].value, "30");
  EXPECT_TRUE(plan.refused.empty()) << "annotations without the sysctl prefix are not ours";
}

TEST(SysctlPlan, AnnotationReplacesTheConfigValueOfTheSameKey) {
  Config cfg = parse_config(
      R"({"sysctls":{"net.ipv4.tcp_keepalive_time":"600","net.core.somaxconn":"1024"},)"
      R"("annotation_sysctls":["net.ipv4.tcp_keepalive_time"]})",
      "cfg");
  SysctlPlan plan = plan_sysctls(cfg.sysctls, cfg.annotation_sysctls,
                                 {{kPrefix + "net/ipv4/tcp_keepalive_time", "120"}});
  EXPECT_EQ(keys_of(plan), (std::vector<std::string>{"net/core/somaxconn=1024",
                                                     "net/ipv4/tcp_keepalive_time=120"}));
}

TEST(SysctlPlan, AnnotationNotOnTheAllowlistIsRefused) {
  Config cfg = parse_config(R"({"annotation_sysctls":["net.ipv4.tcp_keepalive_time"]})", "cfg");
  SysctlPlan plan = plan_sysctls(
      cfg.sysctls, cfg.annotation_sysctls,
      {{kPrefix + "net.ipv4.ip_forward", "1"}, {kPrefix + "net.ipv4.tcp_keepalive_time", "300"}});
  EXPECT_EQ(keys_of(plan), (std::vector<std::string>{"net/ipv4/tcp_keepalive_time=300"}));
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].annotation, kPrefix + "net.ipv4.ip_forward");
  EXPECT_NE(plan.refused[0].reason.find("not allowed by annotation_sysctls"), std::string::npos)
      << plan.refused[0].reason;
  EXPECT_FALSE(plan.needs(SysctlNamespace::kIpc));
}

TEST(SysctlPlan, WithoutAnAllowlistEveryAnnotationIsRefused) {
  SysctlPlan plan = plan_sysctls({}, {}, {{kPrefix + "net.core.somaxconn", "10"}});
  EXPECT_TRUE(plan.writes.empty());
  ASSERT_EQ(plan.refused.size(), 1u);
}

TEST(SysctlPlan, InvalidAnnotationKeysAndValuesAreRefusedEvenWhenAllowed) {
  auto everything = allow({"*"});
  std::map<std::string, std::string> annotations{
      {kPrefix + "kernel.hostname", "evil"},
      {kPrefix + "vm.swappiness", "1"},
      {kPrefix + "fs.file-max", "1"},
      {kPrefix + "net/../kernel/hostname", "x"},
      {kPrefix + "/proc/sys/net/ipv4/ip_forward", "1"},
      {kPrefix, "1"},
      {kPrefix + "net.ipv4.ip_forward", "1\n0"},
      {kPrefix + "net.ipv4.tcp_keepalive_time", std::string(kMaxSysctlValueBytes + 1, '1')},
      {kPrefix + "net.ipv4.tcp_keepalive_intvl", ""},
      {kPrefix + "net.ipv4.conf.eth0\n.forwarding", "1"},
  };
  SysctlPlan plan = plan_sysctls({}, everything, annotations);
  EXPECT_TRUE(plan.writes.empty()) << keys_of(plan).size();
  ASSERT_EQ(plan.refused.size(), annotations.size());
  for (const auto& r : plan.refused) {
    EXPECT_TRUE(r.annotation.starts_with(kPrefix)) << r.annotation;
    EXPECT_EQ(r.annotation.find('\n'), std::string::npos) << "control bytes are escaped";
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST(SysctlPlan, TwoSpellingsOfOneKeyInAnnotationsAreRefused) {
  SysctlPlan plan = plan_sysctls(
      {}, allow({"net.*"}),
      {{kPrefix + "net.ipv4.ip_forward", "1"}, {kPrefix + "net/ipv4/ip_forward", "0"}});
  ASSERT_EQ(plan.writes.size(), 1u);
  EXPECT_EQ(plan.writes[0].value, "1");  // "net.ipv4..." sorts first and is kept
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].annotation, kPrefix + "net/ipv4/ip_forward");
  EXPECT_NE(plan.refused[0].reason.find("same key as annotation"), std::string::npos);
}

TEST(SysctlPlan, NothingConfiguredMeansNothingToDo) {
  SysctlPlan plan = plan_sysctls({}, allow({"net.*"}), {{"other", "x"}});
  EXPECT_TRUE(plan.writes.empty());
  EXPECT_TRUE(plan.refused.empty());
  EXPECT_FALSE(plan.needs(SysctlNamespace::kNet));
}

}  // namespace
}  // namespace ocinetns
