// The OCI hook stages: createRuntime (also accepted as prestart) and poststop.
#include <sched.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "common/base/errors.hpp"
#include "common/base/fault.hpp"
#include "common/base/io.hpp"
#include "common/base/logging.hpp"
#include "common/model/engine_names.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/name_collision.hpp"
#include "common/model/naming.hpp"
#include "common/model/oci_state.hpp"
#include "common/sys/container_name.hpp"
#include "common/sys/deferred_store.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/reference.hpp"
#include "common/sys/sandbox.hpp"
#include "common/sys/sysctl_apply.hpp"
#include "config/config.hpp"
#include "hook/hook/stages.hpp"
#include "hook/shim/shim_runtime.hpp"  // kShimActiveEnv, which the shim sets

namespace ocinetns {
namespace {

ReferenceSettings reference_settings(const Config& cfg) {
  return ReferenceSettings{cfg.netns_dir, cfg.state_dir,
                           cfg.shared_netns == SharedNetnsPolicy::kAlias};
}

// Loads the config and switches logging to it. A config that cannot be used (unreadable,
// invalid, or not owned by root) is replaced by the built-in defaults, with an error logged: a
// typo in the file must not stop every container start or stop (README "A config that cannot be
// used"). Of a rejected file only its netns_dir and state_dir are used, and only if it is root's
// and they are valid (config/config.hpp SalvagedSettings): the references it made are there.
Config load_and_log(const GlobalOptions& options, const char* stage) {
  LoadedConfig loaded = load_config_or_defaults(resolve_config_path(options.config_path));
  if (!loaded.problem.empty()) {
    std::string kept;
    if (loaded.salvaged.netns_dir) kept = "netns_dir";
    if (loaded.salvaged.state_dir) kept += kept.empty() ? "state_dir" : " and state_dir";
    spdlog::error("{}: config not used, running with the built-in defaults (no sysctls{}): {}",
                  stage, kept.empty() ? "" : "; its " + kept + " kept", loaded.problem);
  } else if (loaded.config.log != LogSettings{}) {
    // main() installed the default settings already; building the same sinks again would only
    // cost every container start another logger and pattern formatter.
    init_logging("oci-netns-hook", loaded.config.log);
  }
  return std::move(loaded.config);
}

// Enters the seccomp sandbox the config asks for (common/sys/sandbox.hpp). Returns false, after
// logging why, if it could not.
bool confine(const Config& cfg, SandboxStage stage, const char* stage_name) {
  if (cfg.sandbox != SandboxMode::kOff) {
    try {
      enter_sandbox(
          stage,
          cfg.sandbox == SandboxMode::kKill ? SandboxViolation::kKill : SandboxViolation::kErrno,
          cfg.log.file);
    } catch (const std::system_error& e) {
      spdlog::error(
          "{}: cannot enter the sandbox: {} (config \"sandbox\": \"off\" runs unconfined)",
          stage_name, e.what());
      return false;
    }
  }
#ifdef OCI_NETNS_TEST_BUILD
  try {
    OCI_NETNS_SANDBOX_PROBE();  // tests/runc/sandbox_hook_test.cpp
  } catch (const std::system_error& e) {
    spdlog::error("{}: {}", stage_name, e.what());
  }
#endif
  return true;
}

// The engine's name for the container, mapped onto the characters reference names accept; only
// read when the template uses {name}. Not found: one warning and "" ({name} becomes the id):
// a name is never worth failing a container for.
std::string lookup_container_name(const Config& cfg, const OciState& state) {
  if (!template_uses_name(cfg.name_template)) return {};
  NameLookup found = find_container_name(state);
  if (found.name.empty()) {
    if (found.problem.empty()) {
      spdlog::debug("createRuntime {}: {{name}}: a Kubernetes app container, using the id",
                    state.id);
    } else {
      spdlog::warn("createRuntime {}: {{name}}: {}; using the id", state.id, found.problem);
    }
    return {};
  }
  std::string mapped = map_engine_name(found.name);
  if (mapped != found.name) {
    // The engine's name is not logged as it is: it may hold control characters.
    spdlog::info(
        "createRuntime {}: the {} name has characters netns names do not accept: "
        "mapped to `{}`",
        state.id, found.source, mapped);
  }
  return mapped;
}

}  // namespace

void run_create_runtime(const GlobalOptions& options) {
  Config cfg = load_and_log(options, "createRuntime");
  const ExitPolicy policy = cfg.exit_policy();

  OciState state;
  std::string name;
  std::string container_name;
  ProcessNs net;
  try {
    std::string input = read_all_limited(STDIN_FILENO, kMaxStateBytes, "state");
    // Confined from here on, parsing the container's input included. Without the sandbox the
    // hook makes nothing: on_error says whether the container starts anyway (confine() has
    // logged why).
    if (!confine(cfg, SandboxStage::kCreateRuntime, "createRuntime")) {
      throw Failure(FailureKind::kReference, policy, "");
    }
    state = parse_oci_state(input, PidRule::kRequired);
    container_name = lookup_container_name(cfg, state);
    name = render_netns_name(cfg.name_template, state.id, state.annotations, container_name);
  } catch (const InputError& e) {
    throw Failure(FailureKind::kBadInput, policy, fmt::format("createRuntime: {}", e.what()));
  } catch (const std::system_error& e) {
    throw Failure(FailureKind::kBadInput, policy, fmt::format("createRuntime: {}", e.what()));
  }
  try {
    net = open_process_ns(state.pid, "net", CLONE_NEWNET);
  } catch (const InputError& e) {  // no such process, or it exited: the state is wrong
    throw Failure(FailureKind::kBadInput, policy,
                  fmt::format("createRuntime {}: {}", state.id, e.what()));
  } catch (const std::system_error& e) {
    // The input is fine but this host refuses us the namespace (EACCES/EPERM when the hook runs
    // without privilege, e.g. from rootless Podman, which reads the same hooks.d): that is a
    // failure to make the reference, so on_error decides, and configured sysctls that can no
    // longer be applied fail the start only under sysctl_errors=fail.
    if (fails(FailureKind::kNamespace, policy)) {
      throw Failure(FailureKind::kNamespace, policy,
                    fmt::format("createRuntime {}: {}", state.id, e.what()));
    }
    spdlog::warn("createRuntime {}: {} (on_error=warn: the container starts without a reference)",
                 state.id, e.what());
    return;
  }

  // This call made the reference (or a sharer record): roll it back if sysctls fail the start.
  bool created = false;
  try {
    CreateResult r = create_reference(reference_settings(cfg), state, name, net, container_name);
    if (!r.requested_name.empty()) {
      spdlog::warn("createRuntime {}: netns name `{}/{}`: {}; using {} instead (collision rule)",
                   state.id, cfg.netns_dir, r.requested_name, r.taken_reason, r.path);
    }
    switch (r.outcome) {
      case CreateOutcome::kCreated:
        created = true;
        spdlog::info("created {} for {} (pid {}, netns inode {})", r.path, state.id, state.pid,
                     net.id.ino);
        break;
      case CreateOutcome::kAlreadyPresent:
        spdlog::info("kept {} for {} (pid {}, netns inode {}): already registered", r.path,
                     state.id, state.pid, net.id.ino);
        break;
      case CreateOutcome::kSkippedHostNetwork:
        spdlog::info("skipped {} (pid {}): it uses the host's network namespace", state.id,
                     state.pid);
        break;
      case CreateOutcome::kSkippedShared:
        created = true;
        spdlog::info(
            "shares {} of {}: {} (pid {}) joined its netns (inode {}); the reference stays while "
            "either runs",
            r.owner_path, r.owner, state.id, state.pid, net.id.ino);
        break;
    }
  } catch (const std::exception& e) {
    if (fails(FailureKind::kReference, policy)) {
      throw Failure(FailureKind::kReference, policy,
                    fmt::format("createRuntime {}: {}", state.id, e.what()));
    }
    spdlog::warn("createRuntime {}: {} (on_error=warn: the container starts without a reference)",
                 state.id, e.what());
  }

  // Sysctls: the config's, then allowed annotation values, written inside the container's
  // namespaces now, before the application starts (the runtime's linux.sysctl comes after).
  SysctlPlan plan = plan_sysctls(cfg.sysctls, cfg.annotation_sysctls, state.annotations);
  std::vector<std::string> problems;
  for (const auto& refused : plan.refused) {
    problems.push_back(
        fmt::format("annotation {} not applied: {}", refused.annotation, refused.reason));
  }
  std::vector<std::string> host_refused;  // host_namespace_sysctls=fail: fatal on its own
  const bool fail = fails(FailureKind::kSysctl, policy);
  if (!plan.writes.empty() && (problems.empty() || !fail)) {
    try {
      ProcessNs ipc;  // opened only when an IPC key is set: most configs have none
      if (plan.needs(SysctlNamespace::kIpc)) ipc = open_process_ns(state.pid, "ipc", CLONE_NEWIPC);
      std::vector<SysctlOutcome> outcomes = apply_sysctls(plan.writes, SysctlTargets{&net, &ipc});
      // Under the shim's `create`, a per-interface key whose interface is not there yet waits
      // for `start` (Docker 26.0 and 28+ attach eth0 in between; common/deferred_sysctls.hpp).
      DeferredSysctls deferred{state.id, state.pid, net.start_time, net.id, {}};
      std::optional<bool> via_shim;  // asked only when a write fails that way
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const SysctlOutcome& o = outcomes[i];
        if (o.status == SysctlStatus::kFailed && deferrable(o.key, o.err) &&
            (via_shim ? *via_shim : *(via_shim = runtime_is_shim_create(kShimActiveEnv)))) {
          deferred.writes.push_back(plan.writes[i]);
          spdlog::info(
              "deferred sysctl {}={} for {}: its interface does not exist yet; "
              "oci-netns-runtime writes it at start",
              o.key.display, o.value, state.id);
        } else if (o.status == SysctlStatus::kApplied) {
          spdlog::info("set sysctl {}={} for {}", o.key.display, o.value, state.id);
        } else if (o.status != SysctlStatus::kSkippedHostNamespace) {
          problems.push_back(o.message);
        } else if (fails(FailureKind::kHostSysctl, policy)) {
          host_refused.push_back(o.message);
        } else {
          // The host's namespace is never written: that is the hook keeping its promise, not
          // a failure, so the container starts (host_namespace_sysctls=fail makes it one).
          spdlog::info("createRuntime {}: {}", state.id, o.message);
        }
      }
      if (!deferred.writes.empty()) {
        try {
          save_deferred(cfg.state_dir, deferred);
        } catch (const std::exception& e) {
          for (const auto& w : deferred.writes) {
            problems.push_back(
                fmt::format("sysctl {}: cannot be deferred to start: {}", w.key.display, e.what()));
          }
        }
      }
      OCI_NETNS_FAULT_POINT("create.after_sysctls");
    } catch (const std::exception& e) {
      problems.push_back(fmt::format("sysctls: {}", e.what()));
    }
  }
  if (problems.empty() && host_refused.empty()) return;
  if (!fail && host_refused.empty()) {
    for (const auto& p : problems) {
      spdlog::warn("createRuntime {}: {} (sysctl_errors=warn: the container starts)", state.id, p);
    }
    return;
  }
  for (const auto& p : problems) {
    if (fail) {
      spdlog::error("createRuntime {}: {}", state.id, p);
    } else {
      spdlog::warn("createRuntime {}: {} (sysctl_errors=warn)", state.id, p);
    }
  }
  for (const auto& p : host_refused) {
    spdlog::error("createRuntime {}: {} (host_namespace_sysctls=fail)", state.id, p);
  }
  if (created) {
    // Podman and crun skip poststop when createRuntime fails, so undo our reference here.
    try {
      RemoveResult removed = remove_reference(reference_settings(cfg), state.id);
      if (removed.outcome == RemoveOutcome::kRemoved) {
        spdlog::info("removed {} for {}: the container does not start", removed.path, state.id);
      }
    } catch (const std::exception& e) {
      spdlog::error("createRuntime {}: rollback of the reference failed: {}", state.id, e.what());
    }
  }
  // Every problem is logged above, each on its own line.
  throw Failure(host_refused.empty() ? FailureKind::kSysctl : FailureKind::kHostSysctl, policy, "");
}

void run_poststop(const GlobalOptions& options) {
  // The record names the netns_dir the reference was made in, so finding it is enough: in the
  // config's state_dir (a rejected file's own if it could be salvaged), then the default one.
  Config cfg = load_and_log(options, "poststop");
  OciState state;
  try {
    std::string input = read_all_limited(STDIN_FILENO, kMaxStateBytes, "state");
    // A poststop that cannot confine itself still cleans up (a failing poststop breaks `runc
    // delete`); confine() has logged the error.
    confine(cfg, SandboxStage::kPoststop, "poststop");
    state = parse_oci_state(input, PidRule::kOptional);
  } catch (const std::exception& e) {
    throw Failure(FailureKind::kBadInput, cfg.exit_policy(), fmt::format("poststop: {}", e.what()));
  }
  try {
    drop_deferred(cfg.state_dir, state.id);  // a container that never reached `start`
  } catch (const std::exception& e) {
    spdlog::warn("poststop {}: {}", state.id, e.what());
  }
  try {
    RemoveResult r = remove_reference(reference_settings(cfg), state.id);
    if (ReferenceSettings defaults;
        r.outcome == RemoveOutcome::kNothingToDo && cfg.state_dir != defaults.state_dir) {
      // A createRuntime that ran while the config could not be used, and its state_dir could
      // not be salvaged, recorded in the default state_dir. Only a container without a record
      // here pays for this second look.
      r = remove_reference(defaults, state.id);
    }
    switch (r.outcome) {
      case RemoveOutcome::kRemoved:
        spdlog::info("removed {} for {}", r.path, state.id);
        break;
      case RemoveOutcome::kRecordOnly:
        if (r.note.empty()) {
          spdlog::info("forgot {} for {}: the reference was already gone", r.path, state.id);
        } else {
          spdlog::warn("forgot {} for {}: {}", r.path, state.id, r.note);
        }
        break;
      case RemoveOutcome::kNothingToDo:
        spdlog::debug("poststop {}: nothing to do", state.id);
        break;
      case RemoveOutcome::kHandedOver:
        spdlog::info("kept {}: passed from {} to {}, which still uses the namespace", r.path,
                     state.id, r.heir);
        break;
      case RemoveOutcome::kUnshared:
        spdlog::debug("poststop {}: no longer shares its namespace", state.id);
        break;
    }
  } catch (const std::exception& e) {
    // A failing poststop breaks `runc delete`: logged, and gc collects what is left.
    spdlog::error("poststop {}: {}", state.id, e.what());
  }
}

}  // namespace ocinetns
