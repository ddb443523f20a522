// The admin verbs `list` and `gc`: they gather what the kernel says about each record and netns
// entry (one /proc scan, reference inspection, netlink inside each namespace) and hand it to the
// pure decision (common/gc_plan) and rendering (common/inventory) code.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include "common/deferred_store.hpp"
#include "common/errors.hpp"
#include "common/gc_plan.hpp"
#include "common/inventory.hpp"
#include "common/io.hpp"
#include "common/logging.hpp"
#include "common/netlink.hpp"
#include "common/netns.hpp"
#include "common/netns_exec.hpp"
#include "common/record.hpp"
#include "common/reference.hpp"
#include "config/config.hpp"
#include "hook/hook_commands.hpp"

namespace ocinetns {
namespace {

// Every network namespace some process is in: one pass over /proc/<pid>/ns/net, so gc costs one
// scan however many records there are. stat(2) follows the nsfs magic link to the namespace's
// (dev, ino). A process that exits mid-scan, or whose ns link we may not read (ptrace access
// mode, proc(5)), is skipped.
NsIdSet scan_netns_in_use() {
  NsIdSet in_use;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) throw_last_errno("opendir `/proc`");
  int proc_fd = ::dirfd(proc);
  while (struct dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::string rel = std::string(e->d_name) + "/ns/net";
    struct stat st {};
    if (::fstatat(proc_fd, rel.c_str(), &st, 0) == 0) {
      in_use.insert(
          NsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
    }
  }
  ::closedir(proc);
  return in_use;
}

// Directory fds by path, so 10,000 records in one netns_dir open it once.
class DirCache {
 public:
  int get(const std::string& path) {
    auto it = dirs_.find(path);
    if (it == dirs_.end()) it = dirs_.emplace(path, open_dir_if_exists(path)).first;
    return it->second.get();  // -1 if the directory does not exist
  }

 private:
  std::map<std::string, UniqueFd> dirs_;
};

RefObservation observe_reference(DirCache& dirs, const Record& record) {
  int dir = dirs.get(record.netns_dir);
  if (dir < 0) return RefObservation::kAbsent;
  RefInfo info = inspect_reference(dir, record.name);
  switch (info.kind) {
    case RefKind::kAbsent:
      return RefObservation::kAbsent;
    case RefKind::kEmptyFile:
      return RefObservation::kEmptyFile;
    case RefKind::kNamespace:
      return info.id == record.netns ? RefObservation::kIntact : RefObservation::kReplaced;
    case RefKind::kOther:
      break;
  }
  return RefObservation::kReplaced;
}

// The record that owns `sharer`'s namespace in the index, if it is an owner with its reference
// intact.
std::optional<Record> intact_owner_of(DirCache& dirs, const RecordStore& store,
                                      const Record& sharer) {
  std::optional<std::string> owner = store.netns_owner(sharer.netns);
  if (!owner || *owner == sharer.id) return std::nullopt;
  std::optional<Record> record;
  try {
    record = store.load(*owner);
  } catch (const InputError&) {
    return std::nullopt;
  }
  if (!record || record->sharer || record->netns != sharer.netns ||
      observe_reference(dirs, *record) != RefObservation::kIntact) {
    return std::nullopt;
  }
  return record;
}

RecordFacts gather_facts(DirCache& dirs, const NsIdSet& in_use, const RecordStore& store,
                         const Record& record, std::int64_t now) {
  RecordFacts f;
  f.status = record.status;
  f.init_alive = record_init_alive(record);
  f.netns_in_use = in_use.contains(record.netns);
  f.age_seconds = now - record.created;
  if (record.sharer) {
    f.sharer = true;
    f.ref = RefObservation::kAbsent;  // a sharer has no reference of its own
    f.owner_intact = f.init_alive && intact_owner_of(dirs, store, record).has_value();
    return f;
  }
  f.ref = observe_reference(dirs, record);
  return f;
}

Config load_admin_config(const GlobalOptions& options) {
  Config cfg = load_config(resolve_config_path(options.config_path));
  init_logging("oci-netns-hook", cfg.log);
  return cfg;
}

struct HostSide {
  UniqueFd ns;  // /proc/self/ns/net: the namespace host-side veth peers are looked up in
  std::vector<NetLink> links;
};

// Reads the interfaces inside `ns_fd` into `entry`; a failure is recorded, never thrown: one
// unreadable namespace must not hide the others.
void fill_interfaces(ListEntry& entry, int ns_fd, const HostSide& host) {
  try {
    RouteSocket sock = RouteSocket::open_in(ns_fd, entry.path);
    std::vector<NetLink> links = sock.links();
    std::vector<NetAddress> addresses = sock.addresses();
    HostLinks host_links{host.links, std::nullopt, false};
    try {
      host_links.nsid = sock.nsid_of(host.ns.get());
      host_links.nsid_known = true;
    } catch (const std::system_error& e) {
      spdlog::debug("RTM_GETNSID in {}: {}", entry.path, e.what());
    }
    entry.interfaces = describe_interfaces(links, addresses, host_links);
  } catch (const std::exception& e) {
    entry.error = describe(e);
  }
}

ListEntry record_entry(const Record& record, const RecordFacts& facts, DirCache& dirs,
                       const RecordStore& store, const HostSide& host) {
  ListEntry e;
  e.name = record.name;
  e.path = record.netns_dir + "/" + record.name;
  e.owner = EntryOwner::kHook;
  e.container_id = record.id;
  e.container_name = record.container_name;
  e.pid = facts.init_alive ? record.pid : 0;
  e.netns_inode = record.netns.ino;
  e.state = to_string(record_state(facts));
  if (facts.sharer) {
    // The reference it uses is its owner's (listed with the interfaces on the owner's line).
    if (std::optional<Record> owner = intact_owner_of(dirs, store, record)) {
      e.name = owner->name;
      e.path = owner->netns_dir + "/" + owner->name;
    }
    return e;
  }
  if (facts.ref != RefObservation::kIntact) return e;
  int dir = dirs.get(record.netns_dir);
  std::string why;
  UniqueFd ns = dir >= 0 ? open_netns_entry(dir, record.name, why) : UniqueFd();
  if (!ns || ns_id_of_fd(ns.get(), e.path) != record.netns) {
    e.state = "gone";  // removed (or replaced) between inspection and opening
    return e;
  }
  fill_interfaces(e, ns.get(), host);
  return e;
}

std::vector<std::string> sorted_dir_names(int dir_fd) {
  std::vector<std::string> names;
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_last_errno("open netns directory");
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    throw_last_errno("opendir netns directory");
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

int run_list(const GlobalOptions& options, bool json) {
  Config cfg;
  try {
    cfg = load_admin_config(options);
  } catch (const std::exception& e) {
    spdlog::error("list: {}", e.what());
    return kExitBadInput;
  }
  try {
    HostSide host;
    host.ns = open_or_throw("/proc/self/ns/net", O_RDONLY);
    host.links = RouteSocket::open_here().links();
    NsIdSet in_use = scan_netns_in_use();
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    DirCache dirs;
    std::vector<ListEntry> entries;
    std::set<std::string> ours;  // names in cfg.netns_dir that records claim

    RecordStore store = RecordStore::open(cfg.state_dir, /*create=*/false);
    std::vector<std::string> ids = store.valid() ? store.ids() : std::vector<std::string>{};
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      std::optional<Record> record;
      try {
        record = store.load(id);
      } catch (const InputError& e) {
        ListEntry bad;
        bad.name = id;
        bad.owner = EntryOwner::kHook;
        bad.container_id = id;
        bad.state = "gone";
        bad.error = e.what();
        entries.push_back(std::move(bad));
        continue;
      }
      if (!record) continue;  // poststop removed it while we listed
      RecordFacts facts = gather_facts(dirs, in_use, store, *record, now);
      // A name that now holds something else is listed again below, as foreign.
      if (!record->sharer && record->netns_dir == cfg.netns_dir &&
          facts.ref != RefObservation::kReplaced) {
        ours.insert(record->name);
      }
      entries.push_back(record_entry(*record, facts, dirs, store, host));
    }

    int dir = dirs.get(cfg.netns_dir);
    if (dir >= 0) {
      for (const std::string& name : sorted_dir_names(dir)) {
        if (ours.contains(name)) continue;
        ListEntry e;
        e.name = name;
        e.path = cfg.netns_dir + "/" + name;
        e.owner = EntryOwner::kForeign;
        e.state = "foreign";
        std::string why;
        UniqueFd ns = open_netns_entry(dir, name, why);
        if (!ns) {
          if (why == "gone") {
            e.state = "gone";  // deleted while we listed: not an error
          } else {
            e.error = why;
          }
        } else {
          e.netns_inode = ns_id_of_fd(ns.get(), e.path).ino;
          fill_interfaces(e, ns.get(), host);
        }
        entries.push_back(std::move(e));
      }
    }

    mark_same_netns(entries);
    if (json) {
      std::fputs((list_to_json(entries).dump(2) + "\n").c_str(), stdout);
    } else {
      std::fputs(render_table(entries).c_str(), stdout);
    }
    return kExitOk;
  } catch (const std::exception& e) {
    spdlog::error("list: {}", describe(e));
    return kExitFailure;
  }
}

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
      spdlog::error("gc: {}: {}", ns_path, describe(e));
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
  for (const std::string& name : sorted_dir_names(dir.get())) {
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
      spdlog::error("gc: {}: {}", path, describe(e));
      ++failures;
    }
  }
  return acted;
}

int run_gc(const GlobalOptions& options, const GcOptions& gc) {
  Config cfg;
  try {
    cfg = load_admin_config(options);
  } catch (const std::exception& e) {
    spdlog::error("gc: {}", e.what());
    return kExitBadInput;
  }
  int failures = 0;
  int acted = 0;
  try {
    RecordStore store = RecordStore::open(cfg.state_dir, /*create=*/false);
    if (!store.valid()) {
      spdlog::debug("gc: no state directory {}, nothing to do", cfg.state_dir);
      return kExitOk;
    }
    NsIdSet in_use = scan_netns_in_use();
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    DirCache dirs;
    std::vector<std::string> ids = store.ids();
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      try {
        std::optional<Record> record = store.load(id);
        if (!record) continue;  // poststop got there first
        RecordFacts facts = gather_facts(dirs, in_use, store, *record, now);
        GcDecision decision = plan_gc(facts, gc.pending_grace_seconds);
        if (decision.action == GcAction::kKeep) {
          // A crash between a sharer's record and its entry leaves the entry missing: without
          // it the owner's poststop would not pass the reference on.
          if (record->sharer && !gc.dry_run) {
            // Under the lock and from the record as it is now: a hand-over may have made it
            // the owner's, or its poststop removed it, since we loaded it.
            StoreLock lock = store.lock();
            std::optional<Record> now = store.load(id);
            if (now && now->sharer) store.add_sharer(now->netns, now->id);
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
            RemoveResult r = remove_recorded(store, *record);
            if (!r.note.empty()) decision.reason += "; " + r.note;
          }
        }
        std::fprintf(stdout, "%s\n", describe_action(decision, *record, gc.dry_run).c_str());
        std::fflush(stdout);
      } catch (const std::exception& e) {
        // A corrupt record names nothing we can safely remove: report it and go on.
        spdlog::error("gc: {}: {}", id, describe(e));
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
      spdlog::error("gc: deferred sysctls: {}", describe(e));
      ++failures;
    }
  } catch (const std::exception& e) {
    spdlog::error("gc: {}", describe(e));
    return kExitFailure;
  }
  spdlog::debug("gc: {} acted on, {} failed", acted, failures);
  return failures == 0 ? kExitOk : kExitFailure;
}

// `gc --every S`: for hosts without a systemd timer (a supervisor, a container sidecar, or a
// shell's `&`). One pass, then sleep; SIGTERM, SIGINT or SIGHUP end the loop between passes or
// during a pass once it finishes, with exit 0. Each pass reads the config again, so an edit
// applies at the next one, and a failing pass (bad config, unreadable state) is logged and the
// loop goes on: an operator's typo must not stop the collector.
int run_gc_every(const GlobalOptions& options, const GcOptions& gc) {
  sigset_t stop;
  ::sigemptyset(&stop);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaddset(&stop, sig);
  if (::sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) throw_last_errno("sigprocmask");
  for (;;) {
    int code = run_gc(options, gc);
    if (code != kExitOk)
      spdlog::warn("gc: pass failed (exit {}); next in {} s", code, gc.every_seconds);
    struct timespec wait {};
    wait.tv_sec = static_cast<time_t>(gc.every_seconds);
    int sig = ::sigtimedwait(&stop, nullptr, &wait);
    if (sig > 0) {
      spdlog::info("gc: {} received, exiting", ::strsignal(sig));
      return kExitOk;
    }
    if (errno != EAGAIN && errno != EINTR) throw_last_errno("sigtimedwait");
  }
}

}  // namespace

void add_admin_verbs(CLI::App& app, const GlobalOptions& options, AdminOptions& admin, int& code) {
  auto* list = app.add_subcommand(
      "list", "show every netns reference: container, pid, state, interfaces, host peer, bridge");
  list->add_flag("--json", admin.list_json, "stable JSON output (schema in README)");
  list->callback([&] { code = run_list(options, admin.list_json); });
  auto* gc =
      app.add_subcommand("gc", "remove references whose container is gone (poststop never ran)");
  gc->add_flag("--dry-run", admin.gc.dry_run, "print what would be removed, change nothing");
  gc->add_option("--pending-grace", admin.gc.pending_grace_seconds,
                 "seconds a pending record of a live container is left to its createRuntime")
      ->check(CLI::NonNegativeNumber);
  gc->add_option("--every", admin.gc.every_seconds,
                 "run a pass every SECONDS until SIGTERM (hosts without a systemd timer)")
      ->check(CLI::PositiveNumber);
  gc->callback([&] {
    code = admin.gc.every_seconds > 0 ? run_gc_every(options, admin.gc) : run_gc(options, admin.gc);
  });
}

}  // namespace ocinetns
