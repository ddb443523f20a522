// Table of runtime command lines the shim must understand: which ones rewrite config.json, which
// bundle they name, and the --log/--log-format that errors must go to.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/model/shim_argv.hpp"

namespace ocinetns {
namespace {

struct ArgvCase {
  std::vector<std::string> argv;  // after argv[0]
  std::string subcommand;
  std::optional<std::string> bundle;  // nullopt: passthrough, no rewrite
  std::string log = "";
  std::string log_format = "text";
};

// gtest prints a failing case's argv instead of its bytes.
void PrintTo(const ArgvCase& c, std::ostream* os) {
  for (const auto& word : c.argv) *os << word << ' ';
}

ShimArgs parse(const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return parse_shim_argv(views);
}

class ShimArgvTable : public ::testing::TestWithParam<ArgvCase> {};

TEST_P(ShimArgvTable, Parses) {
  const ArgvCase& c = GetParam();
  ShimArgs a = parse(c.argv);
  EXPECT_EQ(a.subcommand, c.subcommand);
  EXPECT_EQ(a.bundle, c.bundle);
  EXPECT_EQ(a.rewrites_config(), c.bundle.has_value());
  EXPECT_EQ(a.log_path, c.log);
  EXPECT_EQ(a.log_format, c.log_format);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ShimArgvTable,
    ::testing::Values(
        // Docker 20.10's exact create, as dockerd runs it (its runtime log is the bundle's
        // log.json, in JSON).
        ArgvCase{{"--root", "/run/docker/runtime-runc/moby", "--log", "/B/log.json", "--log-format",
                  "json", "create", "--bundle", "/B", "--pid-file", "/B/init.pid", "4e2d1a6b"},
                 "create",
                 "/B",
                 "/B/log.json",
                 "json"},
        // containerd's go-runc adds --systemd-cgroup (boolean) before the subcommand.
        ArgvCase{
            {"--root", "/r", "--log", "/B/log.json", "--log-format", "json", "--systemd-cgroup",
             "create", "--bundle", "/B", "--pid-file", "/B/init.pid", "id"},
            "create",
            "/B",
            "/B/log.json",
            "json"},
        ArgvCase{{"--debug", "run", "-d", "-b", "/B", "id"}, "run", "/B"},
        ArgvCase{{"run", "--bundle=/B", "id"}, "run", "/B"},
        ArgvCase{{"create", "-b=/B", "id"}, "create", "/B"},
        ArgvCase{{"--root=/r", "--log=/l", "--log-format=json", "create", "-bundle", "/B", "id"},
                 "create",
                 "/B",
                 "/l",
                 "json"},
        // No --bundle: runc uses the current directory.
        ArgvCase{{"create", "--pid-file", "/p", "id"}, "create", "."},
        ArgvCase{{"run", "id"}, "run", "."},
        // --pid-file's value that looks like a bundle flag is not a bundle.
        ArgvCase{{"create", "--pid-file", "-b", "id"}, "create", "."},
        // The last --bundle wins, as with Go's flag package.
        ArgvCase{{"create", "-b", "/one", "--bundle", "/two", "id"}, "create", "/two"},
        // --criu takes a value; an unknown global flag before a subcommand is boolean...
        ArgvCase{
            {"--criu", "/usr/sbin/criu", "--new-flag", "create", "-b", "/B", "id"}, "create", "/B"},
        // ...and takes the next word when that is not a subcommand.
        ArgvCase{{"--new-opt", "value", "--log", "/l", "run", "-b", "/B", "id"}, "run", "/B", "/l"},
        // Passthrough verbs: no bundle, no rewrite.
        ArgvCase{{"--root", "/r", "--log", "/l", "--log-format", "json", "start", "id"},
                 "start",
                 std::nullopt,
                 "/l",
                 "json"},
        ArgvCase{{"--root", "/r", "kill", "id", "15"}, "kill", std::nullopt},
        ArgvCase{{"--root", "/r", "delete", "--force", "id"}, "delete", std::nullopt},
        ArgvCase{{"--root", "/r", "state", "id"}, "state", std::nullopt},
        ArgvCase{
            {"--root", "/r", "exec", "--process", "/p.json", "-d", "id"}, "exec", std::nullopt},
        ArgvCase{{"features"}, "features", std::nullopt}, ArgvCase{{"--version"}, "", std::nullopt},
        ArgvCase{{}, "", std::nullopt},
        // Malformed: left for the runtime to reject, never rewritten.
        ArgvCase{{"create", "--bundle"}, "", std::nullopt}, ArgvCase{{"--root"}, "", std::nullopt}),
    [](const ::testing::TestParamInfo<ArgvCase>& param) {
      // Test names: the index plus the subcommand, e.g. "3_run" or "19_none".
      std::string sub = param.param.subcommand.empty() ? "none" : param.param.subcommand;
      return std::to_string(param.index) + "_" + sub;
    });

}  // namespace
}  // namespace ocinetns
