// The admin verb `gc`: every record's facts (hook/cli/observe.hpp) through the pure decision
// (common/model/gc_plan.hpp), then the action; orphaned index and sharer entries after that.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/model/exit_policy.hpp"
#include "common/sys/deferred_store.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/reference.hpp"
#include "hook/cli/commands.hpp"
#include "hook/cli/observe.hpp"

namespace ocinetns {
namespace {

// Options of `gc`.
struct GcOptions {
  bool dry_run = false;
  std::int64_t pending_grace_seconds = kDefaultPendingGraceSeconds;
  std::int64_t every_seconds = 0;  // > 0: a pass every so many seconds until SIGTERM
};

// A live sharer whose namespace lost its reference (its owner went without passing it on, e.g.
// an older version's poststop, or a crash before the sharer's entry existed): one is made for it
// under the name it would have had, from its own init's namespace. Returns a note for the line.
std::string adopt(const Config& cfg, const Record& sharer) {
  ProcessNs net = open_process_ns(sharer.pid, "net", CLONE_NEWNET);
  if (net.start_time != sharer.pid_start_time || net.id != sharer.netns) {
    return "; its init left the namespace meanwhile, nothing made";
  }
  OciState state;
  state.id = sharer.id;
  state.pid = sharer.pid;
  ReferenceSettings settings{sharer.netns_dir, cfg.state_dir,
                             cfg.shared_netns == SharedNetnsPolicy::kAlias};
  CreateResult made = create_reference(settings, state, sharer.name, net);
  if (made.outcome == CreateOutcome::kSkippedShared) {
    return fmt::format("; it shares {} of {} now", made.owner_path, made.owner);
  }
  return "";
}

std::string describe_action(const GcDecision& d, const Record& r, bool dry_run) {
  const char* verb = "";
  switch (d.action) {
    case GcAction::kRemove:
      verb = dry_run ? "would remove" : "removed";
      break;
    case GcAction::kForget:
      verb = dry_run ? "would forget" : "forgot";
      break;
    case GcAction::kComplete:
      verb = dry_run ? "would complete" : "completed";
      break;
    case GcAction::kAdopt:
      verb = dry_run ? "would make" : "made";
      break;
    case GcAction::kKeep:
      verb = "kept";
      break;
  }
  if (r.sharer && d.action != GcAction::kAdopt) {
    return fmt::format("{} sharer {} of netns inode {}: {}", verb, r.id, r.netns.ino, d.reason);
  }
  return fmt::format("{} {}/{} (container {}): {}", verb, r.netns_dir, r.name, r.id, d.reason);
}

// Sharer entries (state_dir/sharers/<dev>-<ino>/<id>) without a sharer record for that netns:
// the sharer's poststop removes its entry before its record, so only a crash or a hand edit
// leaves one. Young entries may be a createRuntime in progress: left alone. Empty netns
// directories go too.
int sweep_orphan_sharers(const std::string& state_dir, const RecordStore& store,
                         const GcOptions& gc, std::int64_t now, int& failures) {
  std::string top_path = state_dir + "/sharers";
  UniqueFd top = open_dir_if_exists(top_path);
  if (!top) return 0;
  int acted = 0;
  std::vector<std::string> ns_names = dir_names(top.get(), top_path);
  std::sort(ns_names.begin(), ns_names.end());
  for (const std::string& ns_name : ns_names) {
    std::string ns_path = top_path + "/" + ns_name;
    try {
      UniqueFd dir = open_dir_if_exists(ns_path);
      if (!dir) continue;
      std::vector<std::string> ids = dir_names(dir.get(), ns_path);
      std::sort(ids.begin(), ids.end());
      for (const std::string& id : ids) {
        struct stat st {};
        if (::fstatat(dir.get(), id.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            now - st.st_mtime < gc.pending_grace_seconds) {
          continue;
        }
        std::optional<Record> record;
        try {
          record = store.load(id);
        } catch (const InputError&) {
          continue;  // reported with the records
        }
        if (record && record->sharer && netns_index_name(record->netns) == ns_name) continue;
        ++acted;
        if (!gc.dry_run) unlink_at(dir.get(), id, ns_path + "/" + id);
        std::fprintf(stdout, "%s %s/%s: no sharer record\n", gc.dry_run ? "would forget" : "forgot",
                     ns_path.c_str(), id.c_str());
        std::fflush(stdout);
      }
      if (!gc.dry_run) ::unlinkat(top.get(), ns_name.c_str(), AT_REMOVEDIR);  // if empty
    } catch (const std::exception& e) {
      spdlog::error("gc: {}: {}", ns_path, e.what());
      ++failures;
    }
  }
  return acted;
}

// Netns index entries (state_dir/netns/<dev>-<ino>) whose owner has no record: createRuntime
// writes its record before it claims the entry, but versions before that claimed first (a hook
// killed in between left one), and records can be deleted by hand. A later createRuntime would
// take such an entry over, but nothing else would ever delete it. Entries younger than the
// pending grace may be a claim in progress: left alone.
int sweep_orphan_index(const std::string& state_dir, const RecordStore& store, const GcOptions& gc,
                       std::int64_t now, int& failures) {
  std::string index_dir = state_dir + "/netns";
  UniqueFd dir = open_dir_if_exists(index_dir);
  if (!dir) return 0;
  int acted = 0;
  for (const std::string& name : sorted_dir_names(dir.get(), index_dir)) {
    std::string path = index_dir + "/" + name;
    try {
      struct stat st {};
      if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !S_ISREG(st.st_mode) || now - st.st_mtime < gc.pending_grace_seconds) {
        continue;
      }
      int fd = ::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) continue;  // released meanwhile
      UniqueFd file(fd);
      std::string owner = read_all_limited(fd, 4096, "netns index");
      bool plausible = !owner.empty() && owner.find('/') == std::string::npos;
      if (plausible && store.load(owner)) continue;
      ++acted;
      if (!gc.dry_run) unlink_at(dir.get(), name, path);
      std::fprintf(stdout, "%s %s (container %s): no record\n",
                   gc.dry_run ? "would forget" : "forgot", path.c_str(),
                   owner.empty() ? "-" : owner.c_str());
      std::fflush(stdout);
    } catch (const std::exception& e) {
      spdlog::error("gc: {}: {}", path, e.what());
      ++failures;
    }
  }
  return acted;
}

// A stale reference whose namespace no process is in, left for the batch below.
struct StaleReference {
  Record record;
  GcDecision decision;
  int dir_fd = -1;  // its netns directory, from gc's DirCache
};

// Unmounts the references in `batch` from a few threads at once. Each umount(2) ends in
// namespace_unlock(), which waits for an RCU grace period (synchronize_rcu_expedited(),
// fs/namespace.c) after dropping namespace_sem: 50-60 us here, most of what gc spends per
// stale reference. Waiters in several threads share grace periods, so the batch takes a fraction
// of the serial time. Only the unmount happens here, and only of a mount that still holds the
// recorded namespace; remove_recorded() then finds an empty file and does the rest in order,
// under the store lock, reporting anything that went wrong (a failure here is left to it).
// No namespace of the process changes: the threads call umount2 on paths, never setns.
void detach_in_parallel(const std::vector<StaleReference>& batch) {
  constexpr std::size_t kThreads = 8;
  if (batch.size() < 2 * kThreads) return;  // a few: not worth the threads, remove_recorded will
  auto work = [&batch](std::size_t first) {
    for (std::size_t i = first; i < batch.size(); i += kThreads) {
      const Record& r = batch[i].record;
      try {
        RefInfo info = inspect_reference(batch[i].dir_fd, r.name);
        if (info.kind == RefKind::kNamespace && info.id == r.netns) {
          detach_mount(batch[i].dir_fd, r.name, r.netns_dir + "/" + r.name);
        }
      } catch (const std::exception&) {
        // remove_recorded() meets the same problem and reports it with the record.
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  try {
    for (std::size_t t = 0; t < kThreads; ++t) threads.emplace_back(work, t);
  } catch (const std::system_error&) {
    // No more threads (RLIMIT_NPROC, memory): the ones started do their share, the rest is
    // unmounted one by one by remove_recorded().
  }
  for (std::thread& t : threads) t.join();
}

void run_gc(const GlobalOptions& options, const GcOptions& gc) {
  Config cfg;
  try {
    cfg = load_admin_config(options);
  } catch (const std::exception& e) {
    throw Failure(FailureKind::kBadInput, ExitPolicy{}, fmt::format("gc: {}", e.what()));
  }
  int failures = 0;
  int acted = 0;
  try {
    RecordStore store = RecordStore::open(cfg.state_dir, /*create=*/false);
    if (!store.valid()) {
      spdlog::debug("gc: no state directory {}, nothing to do", cfg.state_dir);
      return;
    }
    NsIdSet in_use = scan_netns_in_use();
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    DirCache dirs;
    std::vector<std::string> ids = store.ids();
    std::sort(ids.begin(), ids.end());
    std::vector<StaleReference> batch;
    auto remove_and_report = [&](Record& record, GcDecision& decision) {
      RemoveResult r = remove_recorded(store, record);
      if (!r.note.empty()) decision.reason += "; " + r.note;
      std::fprintf(stdout, "%s\n", describe_action(decision, record, false).c_str());
      std::fflush(stdout);
    };
    for (const std::string& id : ids) {
      try {
        std::optional<Record> record = store.load(id);
        if (!record) continue;  // poststop got there first
        RecordFacts facts = gather_facts(dirs, in_use, store, *record, now);
        GcDecision decision = plan_gc(facts, gc.pending_grace_seconds);
        // The common leak, a mounted reference of a namespace nobody is in (no live sharer can
        // inherit it): removed after this loop, its unmount batched with the others.
        if (decision.action == GcAction::kRemove && !gc.dry_run && !record->sharer &&
            !facts.netns_in_use && facts.ref == RefObservation::kIntact) {
          ++acted;
          int dir_fd = dirs.get(record->netns_dir);
          batch.push_back({std::move(*record), std::move(decision), dir_fd});
          continue;
        }
        if (decision.action == GcAction::kKeep) {
          // A crash between a sharer's record and its entry leaves the entry missing: without
          // it the owner's poststop would not pass the reference on.
          if (record->sharer && !gc.dry_run) {
            // Under the lock and from the record as it is now: a hand-over may have made it
            // the owner's, or its poststop removed it, since we loaded it.
            StoreLock lock = store.lock();
            std::optional<Record> current = store.load(id);
            if (current && current->sharer) store.add_sharer(current->netns, current->id);
          }
          spdlog::debug("gc: {}", describe_action(decision, *record, false));
          continue;
        }
        ++acted;
        if (!gc.dry_run) {
          if (decision.action == GcAction::kComplete) {
            record->status = RecordStatus::kComplete;
            store.save(*record);
          } else if (decision.action == GcAction::kAdopt) {
            decision.reason += adopt(cfg, *record);
          } else {
            remove_and_report(*record, decision);
            continue;
          }
        }
        std::fprintf(stdout, "%s\n", describe_action(decision, *record, gc.dry_run).c_str());
        std::fflush(stdout);
      } catch (const std::exception& e) {
        // A corrupt record names nothing we can safely remove: report it and go on.
        spdlog::error("gc: {}: {}", id, e.what());
        ++failures;
      }
    }
    detach_in_parallel(batch);
    for (StaleReference& stale : batch) {
      try {
        remove_and_report(stale.record, stale.decision);
      } catch (const std::exception& e) {
        spdlog::error("gc: {}: {}", stale.record.id, e.what());
        ++failures;
      }
    }
    acted += sweep_orphan_index(cfg.state_dir, store, gc, now, failures);
    acted += sweep_orphan_sharers(cfg.state_dir, store, gc, now, failures);
    try {
      for (const std::string& id : sweep_deferred(cfg.state_dir, gc.dry_run)) {
        ++acted;
        std::fprintf(stdout, "%s deferred sysctls of %s: its container is gone\n",
                     gc.dry_run ? "would forget" : "forgot", id.c_str());
      }
    } catch (const std::exception& e) {
      spdlog::error("gc: deferred sysctls: {}", e.what());
      ++failures;
    }
  } catch (const std::exception& e) {
    throw Failure(FailureKind::kFailed, ExitPolicy{}, fmt::format("gc: {}", e.what()));
  }
  spdlog::debug("gc: {} acted on, {} failed", acted, failures);
  // Each failure is logged above, with what it was about.
  if (failures != 0) throw Failure(FailureKind::kFailed, ExitPolicy{}, "");
}

// `gc --every S`: for hosts without a systemd timer (a supervisor, a container sidecar, or a
// shell's `&`). One pass, then sleep; SIGTERM, SIGINT or SIGHUP end the loop between passes or
// during a pass once it finishes, with exit 0. Each pass reads the config again, so an edit
// applies at the next one, and a failing pass (bad config, unreadable state) is logged and the
// loop goes on: an operator's typo must not stop the collector.
void run_gc_every(const GlobalOptions& options, const GcOptions& gc) {
  sigset_t stop;
  ::sigemptyset(&stop);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaddset(&stop, sig);
  if (::sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) throw_last_errno("sigprocmask");
  for (;;) {
    try {
      run_gc(options, gc);
    } catch (const std::exception& e) {
      if (*e.what() != '\0') spdlog::error("{}", e.what());
      spdlog::warn("gc: pass failed (exit {}); next in {} s", exit_code_of(e), gc.every_seconds);
    }
    struct timespec wait {};
    wait.tv_sec = static_cast<time_t>(gc.every_seconds);
    int sig = ::sigtimedwait(&stop, nullptr, &wait);
    if (sig > 0) {
      spdlog::info("gc: {} received, exiting", ::strsignal(sig));
      return;
    }
    if (errno != EAGAIN && errno != EINTR) throw_last_errno("sigtimedwait");
  }
}

}  // namespace

VerbRun setup_gc(CLI::App& sub, const GlobalOptions& options) {
  auto gc = std::make_shared<GcOptions>();
  sub.add_flag("--dry-run", gc->dry_run, "print what would be removed, change nothing");
  sub.add_option("--pending-grace", gc->pending_grace_seconds,
                 "seconds a pending record of a live container is left to its createRuntime")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--every", gc->every_seconds,
                 "run a pass every SECONDS until SIGTERM (hosts without a systemd timer)")
      ->check(CLI::PositiveNumber);
  return [&options, gc] {
    if (gc->every_seconds > 0) {
      run_gc_every(options, *gc);
    } else {
      run_gc(options, *gc);
    }
  };
}

}  // namespace ocinetns
