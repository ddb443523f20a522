// Test support: run a command and capture its exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace ocinetns::test {

struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
  [[nodiscard]] bool ok() const { return exit_code == 0; }
};

struct CommandOptions {
  std::string input;                  // written to stdin, then closed
  std::vector<std::string> env;       // extra NAME=VALUE entries
  std::string cwd;
  int timeout_seconds = 120;          // the child's process group is SIGKILLed after this
};

CommandResult run(const std::vector<std::string>& argv, const CommandOptions& options = {});

// `sh -c script`, for pipelines in tests.
CommandResult sh(const std::string& script, const CommandOptions& options = {});

// Runs the hook binary built with the tests.
CommandResult run_hook(const std::vector<std::string>& args, const std::string& input,
                       const std::vector<std::string>& env = {});

std::string hook_binary();

}  // namespace ocinetns::test
