// The `validate` verb: every problem the config loader finds, then whether each sysctl key the
// config names exists in the namespaces a container starts with (a misspelt key would otherwise
// pass here and fail every container start). The check runs in throwaway namespaces of a forked
// child (common/sys/sysctl_apply.hpp) and only stats; nothing anywhere is written. Also the
// hidden `sandbox-allowlist` verb, which prints the seccomp allowlist of each stage.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include "common/base/errors.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/sysctl_key.hpp"
#include "common/sys/sandbox.hpp"
#include "common/sys/sysctl_apply.hpp"
#include "config/config.hpp"
#include "hook/cli/commands.hpp"

namespace ocinetns {
namespace {

// One key the config names, as a message should call it ("sysctls.net.ipv4.ip_forward").
struct NamedKey {
  std::string label;
  SysctlKey key;
};

std::vector<NamedKey> configured_keys(const Config& cfg) {
  std::vector<NamedKey> out;
  for (const auto& s : cfg.sysctls) out.push_back({"sysctls." + s.key.display, s.key});
  // Exact allowlist entries only: a prefix names no particular key.
  for (const auto& p : cfg.annotation_sysctls) {
    if (p.prefix) continue;
    SysctlKey key = normalize_sysctl_key(p.path);  // the '/' form normalises to itself
    key.display = p.display;
    out.push_back({"annotation_sysctls " + p.display, std::move(key)});
  }
  return out;
}

// A per-interface key is checked on lo, the one interface every network namespace has and whose
// conf and neigh entries hold the same keys as any other's. kTwin's directory is probed too: a
// family without an entry for lo (net.mpls.conf without mpls_router) cannot be checked this way.
constexpr std::string_view kTwin = "lo";

SysctlKey twin_dir(const SysctlKey& key) {
  std::string_view ifname = sysctl_interface(key);  // a view into key.path
  SysctlKey dir = key;
  dir.path = key.path.substr(0, static_cast<std::size_t>(ifname.data() - key.path.data()));
  dir.path += kTwin;
  return dir;
}

struct Findings {
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  std::string skipped;  // why nothing could be checked, if so
};

Findings check_keys_exist(const std::vector<NamedKey>& keys) {
  Findings f;
  // Probe list: each key, or for an interface key its twin on lo and that entry's directory (the
  // interface itself cannot exist in a fresh namespace).
  std::vector<SysctlKey> probe_keys;
  for (const auto& k : keys) {
    if (sysctl_interface(k.key).empty()) {
      probe_keys.push_back(k.key);
    } else {
      probe_keys.push_back(sysctl_for_interface(k.key, kTwin));
      probe_keys.push_back(twin_dir(k.key));
    }
  }
  std::vector<SysctlProbe> probes = probe_fresh_sysctls(probe_keys);
  for (const auto& p : probes) {
    if (p.presence == SysctlPresence::kUnchecked && (p.err == EPERM || p.err == EACCES)) {
      f.skipped = fmt::format(
          "sysctl keys: existence not checked (a throwaway network namespace needs root: {})",
          std::generic_category().message(p.err));
      return f;
    }
  }
  std::size_t next = 0;
  for (const auto& k : keys) {
    std::string_view ns = sysctl_namespace_name(k.key.ns);
    std::string_view ifname = sysctl_interface(k.key);
    const SysctlProbe& probe = probes[next++];
    if (!ifname.empty()) {
      const SysctlProbe& dir = probes[next++];
      const SysctlKey twin = sysctl_for_interface(k.key, kTwin);
      if (dir.presence == SysctlPresence::kPresent || dir.presence == SysctlPresence::kNotAKey) {
        if (probe.presence == SysctlPresence::kMissing) {
          f.problems.push_back(
              fmt::format("{}: does not exist in a fresh {} namespace for any interface (no {})",
                          k.label, ns, twin.display));
          continue;
        }
        if (probe.presence == SysctlPresence::kNotAKey) {
          f.problems.push_back(fmt::format("{}: a directory of keys, not a key", k.label));
          continue;
        }
      }
      f.warnings.push_back(fmt::format(
          "warning: {}: interface {} does not exist in a fresh {} namespace, so the key exists "
          "only once it is added{}",
          k.label, ifname, ns,
          probe.presence == SysctlPresence::kPresent ? fmt::format(" (checked as {})", twin.display)
                                                     : std::string()));
      continue;
    }
    switch (probe.presence) {
      case SysctlPresence::kPresent:
        break;
      case SysctlPresence::kMissing:
        f.problems.push_back(
            fmt::format("{}: does not exist in a fresh {} namespace", k.label, ns));
        break;
      case SysctlPresence::kNotAKey:
        f.problems.push_back(fmt::format("{}: a directory of keys, not a key", k.label));
        break;
      case SysctlPresence::kUnchecked:
        f.warnings.push_back(fmt::format("warning: {}: existence not checked: {}", k.label,
                                         std::generic_category().message(probe.err)));
        break;
    }
  }
  return f;
}

void run_validate(const GlobalOptions& options) {
  std::string path = resolve_config_path(options.config_path);
  Config cfg;
  try {
    cfg = load_config(path);
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) std::fprintf(stdout, "%s\n", problem.c_str());
    throw Failure(FailureKind::kBadInput, ExitPolicy{}, "");
  } catch (const std::exception& e) {
    std::fprintf(stdout, "%s\n", e.what());
    throw Failure(FailureKind::kBadInput, ExitPolicy{}, "");
  }
  Findings f;
  try {
    f = check_keys_exist(configured_keys(cfg));
  } catch (const std::system_error& e) {
    f.skipped = fmt::format("sysctl keys: existence not checked: {}", e.what());
  }
  for (const auto& line : f.problems) std::fprintf(stdout, "%s\n", line.c_str());
  for (const auto& line : f.warnings) std::fprintf(stdout, "%s\n", line.c_str());
  if (!f.skipped.empty()) std::fprintf(stdout, "%s\n", f.skipped.c_str());
  if (!f.problems.empty()) throw Failure(FailureKind::kBadInput, ExitPolicy{}, "");
  std::fprintf(stdout, "%s: ok\n", path.c_str());
}

void run_sandbox_allowlist() {
  for (auto [stage, name] : {std::pair{SandboxStage::kCreateRuntime, "createRuntime"},
                             std::pair{SandboxStage::kPoststop, "poststop"}}) {
    std::fprintf(stdout, "%s:\n", name);
    for (const auto& line : describe_sandbox(stage)) std::fprintf(stdout, "  %s\n", line.c_str());
  }
}

}  // namespace

VerbRun setup_validate(CLI::App& /*sub*/, const GlobalOptions& options) {
  return [&options] { run_validate(options); };
}

VerbRun setup_sandbox_allowlist(CLI::App& /*sub*/, const GlobalOptions& /*options*/) {
  return [] { run_sandbox_allowlist(); };
}

}  // namespace ocinetns
