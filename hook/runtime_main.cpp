// oci-netns-runtime entry point: a runc/crun shim. On create/run it adds the matching hooks.d
// hooks to the bundle's config.json; then, for every command, it execs the real runtime with
// the original arguments. Passthrough does no JSON work beyond the shim's own config file.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.hpp"
#include "common/hooks_d.hpp"
#include "common/self_exec.hpp"
#include "common/shim_argv.hpp"
#include "common/shim_log.hpp"
#include "common/shim_rewrite.hpp"
#include "common/shim_runtime.hpp"
#include "config/config.hpp"
#include "hook/runtime_admin.hpp"

namespace ocinetns {
namespace {

// stderr (which engines show when the runtime fails) plus the runtime's --log file in its
// format (which Docker/containerd read for the error message).
void report(const ShimArgs& args, const char* level, const std::string& message) {
  std::fprintf(stderr, "oci-netns-runtime: %s: %s\n", level, message.c_str());
  append_runtime_log(args.log_path, args.log_format, level, "oci-netns-runtime: " + message);
}

[[noreturn]] void exec_runtime(const std::string& runtime, int argc, char** argv) {
  std::vector<char*> new_argv;
  new_argv.push_back(const_cast<char*>(runtime.c_str()));
  for (int i = 1; i < argc; ++i) new_argv.push_back(argv[i]);
  new_argv.push_back(nullptr);
  if (::setenv(kShimActiveEnv, "1", 1) != 0) throw_last_errno("setenv");
  ::execv(runtime.c_str(), new_argv.data());
  throw_last_errno("exec `" + runtime + "`");
}

int shim_main(int argc, char** argv) {
  std::vector<std::string_view> words(argv + 1, argv + argc);
  ShimArgs args = parse_shim_argv(words);
  try {
    if (std::getenv(kShimActiveEnv) != nullptr) {
      throw InputError(std::string("refusing to run recursively (") + kShimActiveEnv +
                       " is set): the configured runtime leads back to oci-netns-runtime");
    }
    Config config = load_config(resolve_config_path(""));
    const char* path_env = std::getenv("PATH");
    std::string runtime =
        resolve_runtime(config.runtime.path, path_env == nullptr ? "" : path_env, self_file_id());
    if (args.rewrites_config()) {
      std::vector<std::string> warnings;
      auto hooks = load_hooks_dirs(config.runtime.hooks_dirs, warnings);
      rewrite_bundle(*args.bundle, hooks, warnings);
      for (const auto& w : warnings) report(args, "warning", w);
    }
    exec_runtime(runtime, argc, argv);
  } catch (const std::exception& e) {
    report(args, "error", describe(e));
    return 1;
  }
}

}  // namespace
}  // namespace ocinetns

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == ocinetns::kAdminFlag) {
    // The admin verbs use CLI11, which this binary does not link (common/self_exec.hpp).
    try {
      ocinetns::exec_sibling(ocinetns::kCliName, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "oci-netns-runtime: %s\n", ocinetns::describe(e).c_str());
      return 1;
    }
  }
  return ocinetns::shim_main(argc, argv);
}
