// The hook binary fed bad or hostile state on stdin: exit status, one clear stderr line naming
// the field, and nothing created in the (private) netns and state directories.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/runc/ops_fixtures.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

class HookInput : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      if (in_ci()) FAIL() << "prerequisite missing in CI: needs root";
      GTEST_SKIP() << "needs root";
    }
    write_text(config_path(), R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                                  dir_.file("state") + R"("})");
  }
  std::string config_path() const { return dir_.file("config.json"); }
  CommandResult hook(const std::string& stage, const std::string& input) {
    return run_hook({stage}, input, {"OCI_NETNS_HOOK_CONFIG=" + config_path()});
  }
  // Nothing at all was made: no directories, so certainly no reference, mount or record.
  void expect_nothing_created() {
    EXPECT_FALSE(path_exists(dir_.file("netns")));
    EXPECT_FALSE(path_exists(dir_.file("state")));
  }
  TempDir dir_{"oci-netns-input"};
};

struct BadCase {
  const char* label;
  std::string input;
  const char* expected;  // substring of the single error line
};

TEST_F(HookInput, BadInputIsRefusedWithOneLineAndNothingCreated) {
  std::string mib(1024 * 1024 + 1, ' ');
  std::string deep(200000, '[');
  std::string deep_objects;
  for (int i = 0; i < 200000; ++i) deep_objects += "{\"a\":";
  const BadCase cases[] = {
      {"empty", "", "empty input"},
      {"null", "null", "state: expected a JSON object"},
      {"array", "[]", "state: expected a JSON object"},
      {"not json", "hello", "state: invalid JSON"},
      {"missing id", R"({"pid":1})", "id: missing"},
      {"id type", R"({"id":7,"pid":1})", "id: expected a string"},
      {"missing pid", R"({"id":"x"})", "pid: missing"},
      {"pid type", R"({"id":"x","pid":"1"})", "pid: expected an integer"},
      {"pid zero", R"({"id":"x","pid":0})", "pid: must be > 0"},
      {"pid negative", R"({"id":"x","pid":-1})", "pid: must not be negative"},
      {"pid huge", R"({"id":"x","pid":1e300})", "pid: expected an integer"},
      {"pid range", R"({"id":"x","pid":4294967296})", "pid: out of range"},
      {"no such process", R"({"id":"x","pid":4194000})", "pid: process 4194000 does not exist"},
      {"slash id", R"({"id":"../../etc","pid":1})", "id: must not contain"},
      {"dotdot id", R"({"id":"..","pid":1})", "id: must not contain \"..\""},
      {"nul id", R"({"id":"a\u0000b","pid":1})", "id: must not contain NUL or control"},
      {"newline id", R"({"id":"a\nb","pid":1})", "id: must not contain NUL or control"},
      {"bad utf8", "{\"id\":\"\xc3\x28\",\"pid\":1}", "state: invalid JSON"},
      {"raw NUL in id", std::string("{\"id\":\"a\0b\",\"pid\":1}", 20), "state: invalid JSON"},
      {"raw newline in id", "{\"id\":\"a\nb\",\"pid\":1}", "state: invalid JSON"},
      {"true", "true", "state: expected a JSON object"},
      {"id array", R"({"id":["x"],"pid":1})", "id: expected a string"},
      {"id too long", R"({"id":")" + std::string(201, 'a') + R"(","pid":1})", "longer than 200"},
      {"pid float", R"({"id":"x","pid":1.5})", "pid: expected an integer"},
      {"pid below int64", R"({"id":"x","pid":-99999999999999999999})", "pid: expected an integer"},
      {"pid u64 max", R"({"id":"x","pid":18446744073709551615})", "pid: out of range"},
      {"annotations type", R"({"id":"x","pid":1,"annotations":["k"]})", "annotations: expected"},
      {"annotation value type", R"({"id":"x","pid":1,"annotations":{"k":1}})",
       "annotations.k: expected a string"},
      {"bundle type", R"({"id":"x","pid":1,"bundle":{}})", "bundle: expected a string"},
      {"duplicate", R"({"id":"a","id":"b","pid":1})", "duplicate key \"id\""},
      {"nested duplicate", R"({"id":"a","pid":1,"annotations":{"k":"1","k":"2"}})",
       "duplicate key \"k\""},
      {"deep", deep, "nesting deeper than"},
      {"deep objects", deep_objects, "nesting deeper than"},
      {"over 1 MiB", mib, "input exceeds 1048576 bytes"},
  };
  for (const auto& c : cases) {
    auto r = hook("createRuntime", c.input);
    EXPECT_EQ(r.exit_code, 2) << c.label << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.label << ": " << r.err;
    EXPECT_EQ(line_count(r.err), 1) << c.label << ": " << r.err;
    expect_nothing_created();
  }
}

TEST_F(HookInput, ExitedProcessIsRefused) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  auto r = hook("createRuntime", R"({"id":"gone","pid":)" + std::to_string(child) + "}");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("pid: process"), std::string::npos) << r.err;
  expect_nothing_created();
}

TEST_F(HookInput, HostNamespacePidYieldsNoReference) {
  // Our own pid shares the hook's network namespace: the host's.
  auto r = hook("createRuntime", R"({"id":"hostpid","pid":)" + std::to_string(getpid()) + "}");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("host's network namespace"), std::string::npos) << r.err;
  expect_nothing_created();
}

// A pid in the host's namespaces (our own) with a sysctl configured: no reference, and the host
// value is never written, whatever sysctl_errors says.
TEST_F(HookInput, HostNamespacePidNeverChangesAHostSysctl) {
  const std::string sysctl = "/proc/sys/net/ipv4/tcp_keepalive_time";
  std::string before = read_text(sysctl);
  ASSERT_NE(before, "619\n") << "the test could not tell the values apart";
  // host_namespace_sysctls: skip (the default) starts the container, fail fails it; neither
  // depends on sysctl_errors.
  for (const char* policy : {"skip", "fail"}) {
    for (const char* errors : {"fail", "warn"}) {
      SCOPED_TRACE(std::string(policy) + "/" + errors);
      write_text(config_path(), R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":")" +
                                    dir_.file("state") +
                                    R"(","sysctls":{"net.ipv4.tcp_keepalive_time":"619"},)" +
                                    R"("sysctl_errors":")" + errors +
                                    R"(","host_namespace_sysctls":")" + policy + R"("})");
      auto r =
          hook("createRuntime", R"({"id":"hostsysctl","pid":)" + std::to_string(getpid()) + "}");
      EXPECT_EQ(r.exit_code, std::string(policy) == "fail" ? 1 : 0) << r.err;
      EXPECT_NE(r.err.find("host's network namespace"), std::string::npos) << r.err;
      EXPECT_EQ(read_text(sysctl), before);
      expect_nothing_created();
    }
  }
}

TEST_F(HookInput, StageComesFromArgvNotStatus) {
  // A poststop stdin claiming status "creating" with a pid still only runs poststop.
  auto r = hook("poststop", R"({"id":"argv","status":"creating","pid":1})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_nothing_created();
  auto usage = hook("createContainer", R"({"id":"argv","pid":1})");
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(HookInput, PoststopToleratesMissingStateButNotUnreadableInput) {
  EXPECT_EQ(hook("poststop", R"({"id":"never-created"})").exit_code, 0);
  EXPECT_EQ(hook("poststop", R"({"id":"never-created","pid":0})").exit_code, 0);
  auto garbage = hook("poststop", "not json");
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_EQ(line_count(garbage.err), 1) << garbage.err;
  expect_nothing_created();
}

// A config that cannot be used is replaced by the built-in defaults, with an error naming the
// problem: the container starts (pid 1 is in the host's network namespace, so no reference is
// made). Of the root-owned file only its valid netns_dir is kept (its state_dir is at fault).
TEST_F(HookInput, BadConfigFallsBackToTheDefaultsNamingTheKey) {
  write_text(config_path(),
             R"({"netns_dir":")" + dir_.file("netns") + R"(","state_dir":"relative","bogus":1})");
  auto r = hook("createRuntime", R"({"id":"cfg","pid":1})");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("error: createRuntime: config not used, running with the built-in "
                       "defaults (no sysctls; its netns_dir kept): " +
                       config_path() +
                       ": state_dir: must be an absolute path (and 1 more; run "
                       "`oci-netns-hook validate`)"),
            std::string::npos)
      << r.err;
  expect_nothing_created();
  auto v = run_hook({"validate", "--config", config_path()}, "");
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.out.find("state_dir: must be an absolute path"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("bogus: unknown key"), std::string::npos) << v.out;
}

// A reference made under a config with private directories, then the config breaks (a typo):
// poststop still finds the record in the file's state_dir (kept: the file is root's, well-formed
// JSON, and the key is valid) and removes the reference. A createRuntime under the broken config
// makes its reference there too, so the poststop under the fixed config finds it.
TEST_F(HookInput, BrokenConfigKeepsItsDirectoriesForTheReference) {
  NetnsProcess proc;
  std::string id = "salvage-" + std::to_string(getpid());
  std::string state = R"({"id":")" + id + R"(","pid":)" + std::to_string(proc.pid()) + "}";
  std::string good = read_text(config_path());
  std::string broken = good.substr(0, good.rfind('}')) + R"(,"on_eror":"warn"})";
  std::string ref = dir_.file("netns/" + id);
  std::string record = dir_.file("state/containers/" + id + ".json");
  auto expect_gone = [&] {
    EXPECT_FALSE(path_exists(ref));
    EXPECT_FALSE(mountinfo_has(ref));
    EXPECT_FALSE(path_exists(record));
    EXPECT_FALSE(path_exists("/run/netns/" + id));
    EXPECT_FALSE(path_exists("/run/oci-netns-hook/containers/" + id + ".json"));
  };
  // Whatever a failing run left in the default directories is removed there, with the defaults.
  struct DefaultDirsCleanup {
    std::string state;
    ~DefaultDirsCleanup() {
      run_hook({"poststop"}, state, {"OCI_NETNS_HOOK_CONFIG=/nonexistent/oci-netns/config.json"});
    }
  } cleanup{state};
  std::string kept =
      "config not used, running with the built-in defaults (no sysctls; its "
      "netns_dir and state_dir kept): " +
      config_path() + ": on_eror: unknown key";

  auto r = hook("createRuntime", state);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(inode_of(ref), proc.netns_inode());
  ASSERT_TRUE(path_exists(record));
  write_text(config_path(), broken);
  r = hook("poststop", state);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("error: poststop: " + kept), std::string::npos) << r.err;
  expect_gone();

  r = hook("createRuntime", state);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("error: createRuntime: " + kept), std::string::npos) << r.err;
  EXPECT_EQ(inode_of(ref), proc.netns_inode());
  EXPECT_TRUE(mountinfo_has(ref));
  EXPECT_TRUE(path_exists(record));
  EXPECT_FALSE(path_exists("/run/netns/" + id));
  write_text(config_path(), good);
  r = hook("poststop", state);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_gone();
}

TEST_F(HookInput, UntrustedConfigFileIsNotUsed) {
  chmod(config_path().c_str(), 0666);
  auto r = hook("createRuntime", R"({"id":"cfg","pid":1})");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(
      r.err.find("config not used, running with the built-in defaults (no sysctls): config `" +
                 config_path() + "`: refused, writable by group or others"),
      std::string::npos)
      << r.err;
  chmod(config_path().c_str(), 0644);
  ASSERT_EQ(chown(config_path().c_str(), 65534, 65534), 0);
  r = hook("createRuntime", R"({"id":"cfg","pid":1})");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("instead of root"), std::string::npos) << r.err;
  expect_nothing_created();
}

}  // namespace
}  // namespace ocinetns::test
