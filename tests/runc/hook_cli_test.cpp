// The hook's command line: a misspelt or missing verb is one clear line and exit 2; --version
// and --help succeed. Runs the built binary; nothing is created, so it needs no root.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/support/command.hpp"

namespace ocinetns::test {
namespace {

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(HookCli, UnknownVerbIsNamedInOneLine) {
  for (const auto& args : {std::vector<std::string>{"creatRuntime"},
                           std::vector<std::string>{"--config", "/nonexistent", "lst"}}) {
    CommandResult r = run_hook(args, "");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("unknown command `" + args.back() + "`"), std::string::npos) << r.err;
    EXPECT_EQ(lines(r.err), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(HookCli, MissingVerbAndUnknownOptionExitTwo) {
  EXPECT_EQ(run_hook({}, "").exit_code, 2);
  CommandResult r = run_hook({"list", "--bogus"}, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
}

TEST(HookCli, VersionAndHelpSucceed) {
  CommandResult v = run_hook({"--version"}, "");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("oci-netns-hook ", 0), 0u) << v.out;
  CommandResult h = run_hook({"--help"}, "");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* verb : {"createRuntime", "poststop", "list", "gc"}) {
    EXPECT_NE(h.out.find(verb), std::string::npos) << verb;
  }
}

}  // namespace
}  // namespace ocinetns::test
