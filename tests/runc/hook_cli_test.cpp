// The hook's command line: a misspelt or missing verb is one clear line and exit 2; --version
// and --help succeed; without oci-netns-hook-cli beside it the hook still runs its stages and
// says which file is missing for everything else. Runs the built binaries; nothing is created
// but temporary copies, so it needs no root.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <string>

#include "tests/support/command.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns::test {
namespace {

int lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

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

// A copy of the hook and the shim in a directory without the CLI: stages need nothing else
// (a bad state is still refused by the hook itself, exit 2), every other command names the
// missing file in one line.
TEST(HookCli, WithoutTheCliStagesRunAndOtherCommandsNameTheMissingFile) {
  TempDir dir{"hook-alone"};
  std::string hook = dir.file("oci-netns-hook");
  std::string shim = dir.file("oci-netns-runtime");
  ASSERT_TRUE(run({"cp", hook_binary(), hook}).ok());
  ASSERT_TRUE(run({"cp", OCI_NETNS_RUNTIME_BIN, shim}).ok());
  std::string missing = "`" + dir.file("oci-netns-hook-cli") + "`";

  CommandOptions bad_state;
  bad_state.input = "{not json";
  CommandResult stage = run({hook, "createRuntime"}, bad_state);
  EXPECT_EQ(stage.exit_code, 2) << stage.err;
  EXPECT_EQ(stage.err.find("oci-netns-hook-cli"), std::string::npos) << stage.err;

  // A stage with --config, in both orders and forms, also runs in the hook itself: a poststop
  // for an unknown container exits 0 and, with a config root trusts, says nothing.
  std::string config = dir.file("config.json");
  write_text(config, "{\"netns_dir\": \"" + dir.file("netns") + "\", \"state_dir\": \"" +
                         dir.file("state") + "\"}\n");
  CommandOptions poststop_state;
  poststop_state.input = R"({"ociVersion":"1.0.2","id":"nope","status":"stopped","bundle":"/"})";
  for (const auto& argv : {std::vector<std::string>{hook, "--config", config, "poststop"},
                           std::vector<std::string>{hook, "poststop", "--config=" + config}}) {
    CommandResult r = run(argv, poststop_state);
    EXPECT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
    EXPECT_EQ(r.err.find("oci-netns-hook-cli"), std::string::npos) << r.err;
    if (::geteuid() == 0) {
      EXPECT_EQ(r.err, "") << argv[1];
    }
  }

  for (const auto& argv : {std::vector<std::string>{hook, "list"},
                           std::vector<std::string>{hook, "validate", "--config", config},
                           std::vector<std::string>{hook, "poststop", "--verbose"},
                           std::vector<std::string>{shim, "--oci-netns-admin", "--help"}}) {
    CommandResult r = run(argv);
    EXPECT_EQ(r.exit_code, 1) << argv[1] << ": " << r.err;
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
    EXPECT_EQ(lines(r.err), 1) << r.err;
  }
}

}  // namespace
}  // namespace ocinetns::test
