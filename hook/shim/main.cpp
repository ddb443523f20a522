// oci-netns-runtime entry point: a runc/crun shim. On create/run it adds the matching hooks.d
// hooks to the bundle's config.json; then, for every command, it execs the real runtime with
// the original arguments. Passthrough does no JSON work beyond the shim's own config file, and
// never fails because of it.
#include <sched.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/errors.hpp"
#include "common/base/operator_log.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/shim_argv.hpp"
#include "common/sys/deferred_store.hpp"
#include "common/sys/hooks_d_load.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/self_exec.hpp"
#include "common/sys/sysctl_apply.hpp"
#include "config/config.hpp"
#include "hook/shim/bundle.hpp"
#include "hook/shim/shim_log.hpp"
#include "hook/shim/shim_runtime.hpp"

namespace ocinetns {
namespace {

constexpr const char* kProgram = "oci-netns-runtime";

// Where the shim's warnings and errors go: stderr (which engines show when the runtime fails),
// the runtime's --log file in its format (which Docker/containerd read for the error message),
// and the operator's log (common/base/operator_log.hpp), since engines show neither when the
// command succeeds. The operator's log is opened on the first message only. A passthrough command's
// warnings stay off stderr: go-runc reads `state` output with stderr and stdout combined and
// parses it as JSON, so one line there would break containerd's view of every container.
class Reporter {
 public:
  explicit Reporter(const ShimArgs& args) : args_(args) {}
  void use_settings(const LogSettings& settings) { settings_ = settings; }

  void warning(const std::string& message) { report(LOG_WARNING, "warning", message); }
  // Only to the operator's log, and only at level info or debug.
  void info(const std::string& message) {
    if (settings_.level != "info" && settings_.level != "debug") return;
    if (!log_) log_.emplace(OperatorLog::for_settings(kProgram, settings_));
    log_->write(LOG_INFO, "info", message);
  }
  void error(const std::string& message) { report(LOG_ERR, "error", message); }

 private:
  void report(int priority, const char* level, const std::string& message) {
    if (priority == LOG_ERR || args_.rewrites_config()) {
      std::fprintf(stderr, "%s: %s: %s\n", kProgram, level, message.c_str());
    }
    append_runtime_log(args_.log_path, args_.log_format, level,
                       std::string(kProgram) + ": " + message);
    if (settings_.level == "off" || (settings_.level == "error" && priority != LOG_ERR)) return;
    if (!log_) log_.emplace(OperatorLog::for_settings(kProgram, settings_));
    log_->write(priority, level, message);
  }

  const ShimArgs& args_;
  LogSettings settings_;
  std::optional<OperatorLog> log_;
};

[[noreturn]] void exec_runtime(const std::string& runtime, int argc, char** argv) {
  std::vector<char*> new_argv;
  new_argv.push_back(const_cast<char*>(runtime.c_str()));
  for (int i = 1; i < argc; ++i) new_argv.push_back(argv[i]);
  new_argv.push_back(nullptr);
  if (::setenv(kShimActiveEnv, "1", 1) != 0) throw_last_errno("setenv");
  ::execv(runtime.c_str(), new_argv.data());
  throw_last_errno("exec `" + runtime + "`");
}

// The runtime to exec. A runtime.path salvaged from a rejected config that is no longer usable
// falls back to PATH (the lookup a config without runtime.path makes).
std::string find_runtime(const LoadedConfig& loaded, Reporter& reporter) {
  const char* path_env = std::getenv("PATH");
  std::string path = path_env == nullptr ? "" : path_env;
  FileId self = self_file_id();
  if (loaded.salvaged.runtime_path) {
    try {
      return resolve_runtime(*loaded.salvaged.runtime_path, path, self);
    } catch (const InputError& e) {
      reporter.warning(std::string(e.what()) + "; using PATH");
      return resolve_runtime("", path, self);
    }
  }
  return resolve_runtime(loaded.config.runtime.path, path, self);
}

// `start ID`: the per-interface sysctls createRuntime deferred (their interface did not exist
// yet) are written now, before the runtime's start lets the application run (runc's init waits
// on the exec fifo until then), inside the container's namespace, with the hook's sysctl_errors
// policy: false means the start must fail.
bool apply_deferred_sysctls(const Config& cfg, const std::string& id, Reporter& reporter) {
  bool fail = cfg.sysctl_errors == ErrorPolicy::kFail;
  std::vector<std::string> problems;
  try {
    std::optional<DeferredSysctls> d = take_deferred(cfg.state_dir, id);
    if (!d) return true;
    ProcessNs net = open_process_ns(d->pid, "net", CLONE_NEWNET);
    if (net.start_time != d->pid_start_time || net.id != d->netns) {
      throw InputError("the container's init is not the one createRuntime saw");
    }
    for (const auto& o : apply_sysctls(d->writes, SysctlTargets{&net, nullptr})) {
      if (o.status == SysctlStatus::kApplied) {
        reporter.info("set sysctl " + o.key.display + "=" + o.value + " for " + id +
                      " (deferred to start)");
      } else {
        problems.push_back(o.message);
      }
    }
  } catch (const std::exception& e) {
    problems.push_back(std::string("deferred sysctls: ") + e.what());
  }
  for (const auto& p : problems) {
    if (fail) {
      reporter.error("start " + id + ": " + p);
    } else {
      reporter.warning("start " + id + ": " + p + " (sysctl_errors=warn: the container starts)");
    }
  }
  return problems.empty() || !fail;
}

int shim_main(int argc, char** argv) {
  std::vector<std::string_view> words(argv + 1, argv + argc);
  ShimArgs args = parse_shim_argv(words);
  Reporter reporter(args);
  try {
    if (std::getenv(kShimActiveEnv) != nullptr) {
      throw InputError(std::string("refusing to run recursively (") + kShimActiveEnv +
                       " is set): the configured runtime leads back to oci-netns-runtime");
    }
    // A config that cannot be used never stops the runtime: every passthrough command (kill,
    // delete, exec, state, ...) runs as before, and create/run add the hooks of the file's
    // runtime.hooks_dirs if it is root's and that key is valid, else of the default hooks_dirs
    // (README "A config that cannot be used"). Nothing else of a rejected file is used but its
    // runtime.path, on the same terms (config/config.hpp SalvagedSettings).
    LoadedConfig loaded = load_config_or_defaults(resolve_config_path(""));
    reporter.use_settings(loaded.config.log);
    if (!loaded.problem.empty()) {
      if (args.rewrites_config()) {
        reporter.error(
            std::string("config not used, adding the hooks of ") +
            (loaded.salvaged.hooks_dirs ? "its runtime.hooks_dirs" : "the default hooks_dirs") +
            ": " + loaded.problem);
      } else {
        reporter.warning("config not used: " + loaded.problem);
      }
    }
    std::string runtime = find_runtime(loaded, reporter);
    if (args.rewrites_config()) {
      std::vector<std::string> warnings;
      auto hooks = load_hooks_dirs(loaded.config.runtime.hooks_dirs, warnings);
      rewrite_bundle(*args.bundle, hooks, warnings);
      for (const auto& w : warnings) reporter.warning(w);
    }
    if (args.subcommand == "start" && !args.container_id.empty() &&
        !apply_deferred_sysctls(loaded.config, args.container_id, reporter)) {
      return exit_code(FailureKind::kSysctl, loaded.config.exit_policy());
    }
    exec_runtime(runtime, argc, argv);
  } catch (const std::exception& e) {
    // The engine sees the runtime fail either way: a bad config.json and an exec that failed
    // both exit 1, as runc does for its own errors.
    reporter.error(e.what());
    return exit_code(FailureKind::kFailed, ExitPolicy{});
  }
}

}  // namespace
}  // namespace ocinetns

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == ocinetns::kAdminFlag) {
    // The admin verbs use CLI11, which this binary does not link (common/sys/self_exec.hpp).
    try {
      ocinetns::exec_sibling(ocinetns::kCliName, argv);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "oci-netns-runtime: %s\n", e.what());
      return ocinetns::exit_code(ocinetns::FailureKind::kFailed, ocinetns::ExitPolicy{});
    }
  }
  return ocinetns::shim_main(argc, argv);
}
