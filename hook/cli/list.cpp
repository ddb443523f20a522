// The admin verb `list`: what the kernel says about each record and netns entry (hook/cli/
// observe.hpp), with the interfaces read over netlink inside each namespace, rendered by the
// pure code (common/model/inventory.hpp).
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/inventory.hpp"
#include "common/sys/netlink.hpp"
#include "common/sys/netns_exec.hpp"
#include "hook/cli/commands.hpp"
#include "hook/cli/observe.hpp"

namespace ocinetns {
namespace {

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
    entry.error = e.what();
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

void run_list(const GlobalOptions& options, bool json) {
  Config cfg;
  try {
    cfg = load_admin_config(options);
  } catch (const std::exception& e) {
    throw Failure(FailureKind::kBadInput, ExitPolicy{}, fmt::format("list: {}", e.what()));
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
      for (const std::string& name : sorted_dir_names(dir, cfg.netns_dir)) {
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
  } catch (const std::exception& e) {
    throw Failure(FailureKind::kFailed, ExitPolicy{}, fmt::format("list: {}", e.what()));
  }
}

}  // namespace

VerbRun setup_list(CLI::App& sub, const GlobalOptions& options) {
  auto json = std::make_shared<bool>(false);
  sub.add_flag("--json", *json, "stable JSON output (schema in README)");
  return [&options, json] { run_list(options, *json); };
}

}  // namespace ocinetns
