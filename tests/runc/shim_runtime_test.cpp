// Runtime lookup and the shim's log line formats.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base/errors.hpp"
#include "hook/shim/shim_log.hpp"
#include "hook/shim/shim_runtime.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

FileId id_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {st.st_dev, st.st_ino};
}

class RuntimeLookup : public ::testing::Test {
 protected:
  test::TempDir dir_{"shim-path"};
  std::string a_ = dir_.path() + "/a";
  std::string b_ = dir_.path() + "/b";
  void SetUp() override {
    ASSERT_EQ(::mkdir(a_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(b_.c_str(), 0755), 0);
    test::write_text(b_ + "/runc", "#!/bin/sh\n", 0755);
    test::write_text(dir_.path() + "/shim", "#!/bin/sh\n", 0755);
  }
};

TEST_F(RuntimeLookup, SkipsTheShimUnderARuntimeName) {
  FileId self = id_of(dir_.path() + "/shim");
  ASSERT_EQ(::symlink((dir_.path() + "/shim").c_str(), (a_ + "/runc").c_str()), 0);
  EXPECT_EQ(resolve_runtime("", a_ + ":" + b_, self), b_ + "/runc");
}

TEST_F(RuntimeLookup, RuncBeforeCrunInADirectoryAndFirstDirectoryWins) {
  test::write_text(a_ + "/crun", "#!/bin/sh\n", 0755);
  test::write_text(b_ + "/crun", "#!/bin/sh\n", 0755);
  FileId self = id_of(dir_.path() + "/shim");
  EXPECT_EQ(resolve_runtime("", a_ + ":" + b_, self), a_ + "/crun");
  EXPECT_EQ(resolve_runtime("", b_ + ":" + a_, self), b_ + "/runc");
}

TEST_F(RuntimeLookup, IgnoresNonExecutablesAndRelativeEntries) {
  test::write_text(a_ + "/runc", "x", 0644);
  FileId self = id_of(dir_.path() + "/shim");
  EXPECT_EQ(resolve_runtime("", ":.:" + a_ + ":" + b_, self), b_ + "/runc");
  EXPECT_THROW(resolve_runtime("", a_, self), InputError);
}

TEST_F(RuntimeLookup, ConfiguredPathWinsButNeverTheShim) {
  FileId self = id_of(dir_.path() + "/shim");
  test::write_text(a_ + "/my-runtime", "#!/bin/sh\n", 0755);
  EXPECT_EQ(resolve_runtime(a_ + "/my-runtime", b_, self), a_ + "/my-runtime");
  EXPECT_THROW(resolve_runtime(dir_.path() + "/shim", b_, self), InputError);
  EXPECT_THROW(resolve_runtime(a_ + "/missing", b_, self), InputError);
}

TEST(ShimLog, JsonLineAsRuncWritesIt) {
  EXPECT_EQ(
      format_runtime_log_line("json", "error", "bad \"x\"\n", 0),
      "{\"level\":\"error\",\"msg\":\"bad \\\"x\\\"\\n\",\"time\":\"1970-01-01T00:00:00Z\"}\n");
}

TEST(ShimLog, TextLineAsLogrusWritesIt) {
  EXPECT_EQ(format_runtime_log_line("text", "warning", "a b", 86400),
            "time=\"1970-01-02T00:00:00Z\" level=warning msg=\"a b\"\n");
}

TEST(ShimLog, AppendsToTheLogFile) {
  test::TempDir dir("shim-log");
  std::string log = dir.file("log.json");
  test::write_text(log, "{\"level\":\"info\",\"msg\":\"runc line\"}\n");
  append_runtime_log(log, "json", "error", "first");
  append_runtime_log(log, "json", "error", "second");
  std::string text = test::read_text(log);
  EXPECT_EQ(text.find("{\"level\":\"info\""), 0u);
  EXPECT_NE(text.find("\"msg\":\"first\""), std::string::npos);
  EXPECT_LT(text.find("first"), text.find("second"));
}

}  // namespace
}  // namespace ocinetns
