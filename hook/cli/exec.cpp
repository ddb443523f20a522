// The admin verb `exec TARGET [--] CMD [ARGS...]`: runs CMD in the network namespace of the
// container TARGET names, entered through our reference file as `ip netns exec` enters one.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/base/errors.hpp"
#include "common/base/logging.hpp"
#include "common/model/exec_target.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/record.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/netns_exec.hpp"
#include "common/sys/record_store.hpp"
#include "config/config.hpp"
#include "hook/cli/commands.hpp"

namespace ocinetns {
namespace {

// What a failure of exec itself exits with, apart from CMD's own status (the convention of
// `docker exec` and env(1)): 125 the namespace could not be entered, 126 CMD could not be run,
// 127 CMD was not found. An unknown or ambiguous TARGET is usage: kExitBadInput (2).
constexpr int kExitCannotEnter = 125;
constexpr int kExitCannotRun = 126;
constexpr int kExitNotFound = 127;

struct Target {
  ExecCandidate candidate;
  std::string netns_dir;
  NsId netns;
};

// Every record that names a reference: an owner's own, a sharer's through its owner.
std::vector<Target> gather_targets(const RecordStore& store) {
  std::vector<Target> out;
  std::vector<std::string> ids = store.ids();
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    std::optional<Record> r;
    try {
      r = store.load(id);
    } catch (const InputError& e) {
      spdlog::debug("exec: {}", e.what());  // `list` and `gc` report damaged records
      continue;
    }
    if (!r || r->status != RecordStatus::kComplete) continue;
    Target t{{r->name, r->container_name, r->id}, r->netns_dir, r->netns};
    if (r->sharer) {
      std::optional<std::string> owner_id = store.netns_owner(r->netns);
      std::optional<Record> owner;
      try {
        if (owner_id) owner = store.load(*owner_id);
      } catch (const InputError&) {
      }
      if (!owner || owner->sharer || owner->netns != r->netns) continue;
      t.candidate.reference = owner->name;
      t.netns_dir = owner->netns_dir;
    }
    out.push_back(std::move(t));
  }
  return out;
}

int run_exec(const GlobalOptions& options, const std::string& target,
             std::vector<std::string> command) {
  if (!command.empty() && command.front() == "--") command.erase(command.begin());
  if (command.empty()) {
    spdlog::error("exec: no command given (oci-netns-hook exec TARGET [--] CMD [ARGS...])");
    return kExitBadInput;
  }
  Config cfg;
  try {
    cfg = load_config(resolve_config_path(options.config_path));
    init_logging("oci-netns-hook", cfg.log);
  } catch (const std::exception& e) {
    spdlog::error("exec: {}", e.what());
    return kExitBadInput;
  }
  std::vector<Target> targets;
  try {
    RecordStore store = RecordStore::open(cfg.state_dir, /*create=*/false);
    if (store.valid()) targets = gather_targets(store);
  } catch (const std::exception& e) {
    spdlog::error("exec: {}", e.what());
    return kExitCannotEnter;
  }
  std::vector<ExecCandidate> candidates;
  for (const Target& t : targets) candidates.push_back(t.candidate);
  ExecTargetMatch match = match_exec_target(target, candidates);
  if (match.index < 0) {
    spdlog::error("{}", match.problem);
    return kExitBadInput;
  }
  const Target& t = targets[static_cast<std::size_t>(match.index)];
  std::string path = t.netns_dir + "/" + t.candidate.reference;
  try {
    UniqueFd dir = open_dir_if_exists(t.netns_dir);
    std::string why = "its directory is gone";
    UniqueFd ns = dir ? open_netns_entry(dir.get(), t.candidate.reference, why) : UniqueFd();
    if (!ns) throw InputError(fmt::format("`{}`: {}", path, why));
    // The reference must still be the recorded namespace: a name can be removed and made again
    // for another container between our reading the record and opening it.
    if (ns_id_of_fd(ns.get(), path) != t.netns) {
      throw InputError(
          fmt::format("`{}` no longer holds the namespace of container {}", path, t.candidate.id));
    }
    enter_netns_like_ip_netns(ns.get(), t.candidate.reference);
  } catch (const std::exception& e) {
    spdlog::error("exec: {}", e.what());
    return kExitCannotEnter;
  }
  spdlog::default_logger()->flush();
  exec_command(command);
  int err = errno;
  spdlog::error("exec: cannot run `{}`: {}", command.front(), std::strerror(err));
  return err == ENOENT ? kExitNotFound : kExitCannotRun;
}

}  // namespace

VerbRun setup_exec(CLI::App& sub, const GlobalOptions& /*options*/) {
  sub.allow_extras();  // never parsed: run_exec_argv() has taken `exec` already
  return [] {};
}

std::optional<int> run_exec_argv(int argc, char** argv) {
  GlobalOptions options;
  int i = 1;
  // The global option may come before the verb, as for every other verb.
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      options.config_path = argv[++i];
    } else if (a.starts_with("--config=")) {
      options.config_path = std::string(a.substr(9));
    } else {
      break;
    }
  }
  if (i >= argc || std::string_view(argv[i]) != "exec") return std::nullopt;
  ++i;
  if (i >= argc || std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
    std::fprintf(i >= argc ? stderr : stdout,
                 "Usage: oci-netns-hook [--config FILE] exec TARGET [--] CMD [ARGS...]\n"
                 "Runs CMD in the network namespace of TARGET (reference name, container name, "
                 "full id or unique id prefix of at least 4 characters), entered through its "
                 "reference like `ip netns exec`. Exit: CMD's status; 2 unknown or ambiguous "
                 "TARGET; 125 cannot enter; 126 cannot run CMD; 127 CMD not found.\n");
    return i >= argc ? kExitBadInput : kExitOk;
  }
  std::string target = argv[i++];
  std::vector<std::string> command(argv + i, argv + argc);
  return run_exec(options, target, std::move(command));
}

}  // namespace ocinetns
