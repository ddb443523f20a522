// Unit tests for the sysctl part of the config: `sysctls`, `annotation_sysctls`, `sysctl_errors`;
// every invalid key is reported, each naming the key.
#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"
#include "tests/support/config_problems.hpp"

namespace ocinetns {
namespace {

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(SysctlConfig, DefaultsAreEmptyAndFail) {
  Config c = parse_config("{}", "cfg");
  EXPECT_TRUE(c.sysctls.empty());
  EXPECT_TRUE(c.annotation_sysctls.empty());
  EXPECT_EQ(c.sysctl_errors, ErrorPolicy::kFail);
}

TEST(SysctlConfig, ParsesTheKeepaliveExample) {
  Config c = parse_config(R"({
    "sysctls": {"net.ipv4.tcp_keepalive_time": "600", "net.ipv4.tcp_keepalive_intvl": "60",
                "net/ipv4/tcp_keepalive_probes": "5"},
    "annotation_sysctls": ["net.ipv4.tcp_keepalive_*", "net.core.somaxconn"],
    "sysctl_errors": "warn"})",
                          "cfg");
  ASSERT_EQ(c.sysctls.size(), 3u);
  EXPECT_EQ(c.sysctls[0].key.path, "net/ipv4/tcp_keepalive_time");
  EXPECT_EQ(c.sysctls[0].value, "600");
  EXPECT_EQ(c.sysctls[1].key.path, "net/ipv4/tcp_keepalive_intvl");
  EXPECT_EQ(c.sysctls[2].key.path, "net/ipv4/tcp_keepalive_probes");
  ASSERT_EQ(c.annotation_sysctls.size(), 2u);
  EXPECT_TRUE(c.annotation_sysctls[0].prefix);
  EXPECT_FALSE(c.annotation_sysctls[1].prefix);
  EXPECT_EQ(c.sysctl_errors, ErrorPolicy::kWarn);
}

TEST(SysctlConfig, KeepsFileOrderNotAlphabetical) {
  Config c =
      parse_config(R"({"sysctls":{"net.z.b":"1","kernel.shmmni":"2","net.a.c":"3"}})", "cfg");
  ASSERT_EQ(c.sysctls.size(), 3u);
  EXPECT_EQ(c.sysctls[0].key.path, "net/z/b");
  EXPECT_EQ(c.sysctls[1].key.path, "kernel/shmmni");
  EXPECT_EQ(c.sysctls[2].key.path, "net/a/c");
}

TEST(SysctlConfig, EveryInvalidKeyIsReportedAndNamed) {
  std::string big(kMaxSysctlValueBytes + 1, '7');
  auto problems = test::config_problems(R"({"sysctls":{)"
                                        R"("kernel.hostname":"x",)"
                                        R"("vm.swappiness":"1",)"
                                        R"("fs.file-max":"5",)"
                                        R"("net/../kernel/shmmax":"1",)"
                                        R"("/proc/sys/net/ipv4/ip_forward":"1",)"
                                        R"("":"1",)"
                                        R"("net.ipv4.ip_forward":"1\n",)"
                                        R"("net.ipv4.tcp_syncookies":"1\u00000",)"
                                        R"("net.ipv4.tcp_keepalive_time":")" +
                                        big +
                                        R"(",)"
                                        R"("net.ipv4.tcp_keepalive_intvl":"60"}})");
  ASSERT_EQ(problems.size(), 9u);
  for (const char* key : {"kernel.hostname", "vm.swappiness", "fs.file-max", "net/../kernel/shmmax",
                          "/proc/sys/net/ipv4/ip_forward", "net.ipv4.ip_forward",
                          "net.ipv4.tcp_syncookies", "net.ipv4.tcp_keepalive_time"}) {
    EXPECT_TRUE(any_contains(problems, std::string("sysctl ") + key + ":")) << key;
  }
  EXPECT_TRUE(any_contains(problems, "empty key"));
  EXPECT_FALSE(any_contains(problems, "tcp_keepalive_intvl")) << "the valid key is fine";
  for (const auto& p : problems) {
    EXPECT_TRUE(p.starts_with("cfg: ")) << p;
    EXPECT_EQ(p.find('\n'), std::string::npos) << p;
  }
}

TEST(SysctlConfig, ValuesMustBeStrings) {
  auto problems =
      test::config_problems(R"({"sysctls":{"net.ipv4.ip_forward":1,"kernel.shmmni":null}})");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_TRUE(
      any_contains(problems, "sysctls.net.ipv4.ip_forward: expected a string value, got number"));
  EXPECT_TRUE(any_contains(problems, "sysctls.kernel.shmmni: expected a string value, got null"));
  EXPECT_TRUE(any_contains(test::config_problems(R"({"sysctls":["net.ipv4.ip_forward=1"]})"),
                           "sysctls: expected an object"));
}

TEST(SysctlConfig, TwoSpellingsOfOneKeyAreAnError) {
  auto problems =
      test::config_problems(R"({"sysctls":{"net.ipv4.ip_forward":"1","net/ipv4/ip_forward":"0"}})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("net/ipv4/ip_forward"), std::string::npos);
  EXPECT_NE(problems[0].find("same key as \"net.ipv4.ip_forward\""), std::string::npos);
}

TEST(SysctlConfig, AllowlistProblemsAreEachReported) {
  auto problems = test::config_problems(
      R"({"annotation_sysctls":["net.ipv4.*","vm.*","kernel.hostname","net.*.x",7,""]})");
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_TRUE(any_contains(problems, "annotation_sysctls vm.*"));
  EXPECT_TRUE(any_contains(problems, "sysctl kernel.hostname"));
  EXPECT_TRUE(any_contains(problems, "annotation_sysctls net.*.x"));
  EXPECT_TRUE(any_contains(problems, "annotation_sysctls[4]: expected a string"));
  EXPECT_TRUE(any_contains(problems, "annotation_sysctls: empty entry"));
  EXPECT_TRUE(any_contains(test::config_problems(R"({"annotation_sysctls":"net.*"})"),
                           "annotation_sysctls: expected an array"));
}

TEST(SysctlConfig, SysctlErrorsIsWarnOrFail) {
  EXPECT_EQ(parse_config(R"({"sysctl_errors":"fail"})", "cfg").sysctl_errors, ErrorPolicy::kFail);
  auto problems = test::config_problems(R"({"sysctl_errors":"ignore"})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("sysctl_errors: expected \"warn\" or \"fail\", got \"ignore\""),
            std::string::npos);
  EXPECT_TRUE(any_contains(test::config_problems(R"({"sysctl_errors":true})"),
                           "sysctl_errors: expected a string"));
}

}  // namespace
}  // namespace ocinetns
