// Reference lifecycle. Order at create: netns dir -> name check -> record(pending) -> index claim
// -> O_EXCL file -> bind mount -> verify -> record(complete). The record comes before anything it
// names, so a crash between any two steps (common/base/fault.hpp lists a point after each) leaves a
// pending record naming everything that may exist, which poststop and gc can finish (see README,
// "State and recovery").
#include "common/sys/reference.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "common/base/errors.hpp"
#include "common/base/fault.hpp"
#include "common/base/io.hpp"
#include "common/base/scope_guard.hpp"
#include "common/model/gc_plan.hpp"
#include "common/model/name_collision.hpp"

namespace ocinetns {
namespace {

std::string join_path(const std::string& dir, const std::string& name) {
  return dir + "/" + name;
}

// True if `record`'s reference currently exists and points at its namespace.
bool reference_is_intact(const Record& record) {
  UniqueFd dir = open_dir_if_exists(record.netns_dir);
  if (!dir) return false;
  RefInfo info = inspect_reference(dir.get(), record.name);
  return info.kind == RefKind::kNamespace && info.id == record.netns;
}

// The record of the container `owner` names, if its reference to the namespace is intact.
std::optional<Record> intact_owner_record(const RecordStore& store, const std::string& owner) {
  if (owner.empty()) return std::nullopt;
  std::optional<Record> record;
  try {
    record = store.load(owner);
  } catch (const InputError&) {
    return std::nullopt;
  }
  if (record && reference_is_intact(*record)) return record;
  return std::nullopt;
}

// Why `name` cannot be used: the start of the warning that names the fallback. Another
// container's reference (its name may have passed to it from a namespace's first owner), or
// something we did not make, which is never overwritten.
std::string taken_reason(const RecordStore& store, const ReferenceSettings& settings,
                         const RefInfo& info, const std::string& name, const NsId& netns) {
  if (info.kind == RefKind::kNamespace) {
    std::string holder = store.netns_owner(info.id).value_or(std::string());
    std::optional<Record> held = intact_owner_record(store, holder);
    if (held && held->name == name && held->netns_dir == settings.netns_dir) {
      return fmt::format("held by container {}", holder);
    }
  }
  if (info.kind == RefKind::kEmptyFile) {
    // Another container's createRuntime in progress (its O_EXCL file, not mounted yet), or an
    // empty file someone else left: not ours to remove either way.
    return "already exists (an empty file: a reference being made, or not ours)";
  }
  return info.kind == RefKind::kNamespace && info.id == netns
             ? "already names this namespace but was not made by oci-netns-hook; refusing to "
               "overwrite it"
             : "already exists and was not made by oci-netns-hook; refusing to overwrite it";
}

// The record of what createRuntime makes (or, for a sharer, joins) for `state`'s container.
Record new_record(const ReferenceSettings& settings, const OciState& state, const std::string& name,
                  const ProcessNs& net, RecordStatus status, const std::string& container_name) {
  Record record;
  record.id = state.id;
  record.name = name;
  record.netns_dir = settings.netns_dir;
  record.netns = net.id;
  record.pid = state.pid;
  record.pid_start_time = net.start_time;
  record.created = static_cast<std::int64_t>(std::time(nullptr));
  record.status = status;
  record.container_name = container_name;
  return record;
}

// A container joining a netns that `owner_record` registered: recorded as a sharer, record first
// (it names the entry), so that the owner's poststop passes the reference on instead of removing
// it while this container still runs in the namespace.
void register_sharer(const RecordStore& store, const ReferenceSettings& settings,
                     const OciState& state, const std::string& name, const ProcessNs& net,
                     const std::string& container_name) {
  Record record = new_record(settings, state, name, net, RecordStatus::kComplete, container_name);
  record.sharer = true;
  store.save(record);
  OCI_NETNS_FAULT_POINT("share.after_record");
  store.add_sharer(net.id, state.id);
  OCI_NETNS_FAULT_POINT("share.after_entry");
}

// The first sharer of `owner`'s namespace whose container still runs; entries and records of
// sharers that are gone (or whose record no longer says so) are dropped on the way.
std::optional<Record> take_heir(const RecordStore& store, const Record& owner) {
  for (const std::string& id : store.sharers(owner.netns)) {
    if (id == owner.id) {
      store.remove_sharer(owner.netns, id);  // left by an interrupted hand-over to `owner`
      continue;
    }
    std::optional<Record> sharer;
    try {
      sharer = store.load(id);
    } catch (const InputError& e) {
      spdlog::warn("{}", e.what());  // damaged: neither used nor deleted (gc reports it)
      continue;
    }
    if (!sharer || !sharer->sharer || sharer->netns != owner.netns) {
      store.remove_sharer(owner.netns, id);
      continue;
    }
    if (record_init_alive(*sharer)) return sharer;
    spdlog::debug("dropping sharer {} of {}: its container is gone", id, owner.id);
    store.remove_sharer(owner.netns, id);
    store.remove(id);
  }
  return std::nullopt;
}

// Passes `owner`'s reference to `heir`: the heir's record becomes an owner record of the same
// name, then the index names the heir, then the owner's record goes. Each step is one atomic
// file operation; a crash in between leaves two records naming one reference, which stays
// while a process is in the namespace and is removed by whichever of them goes last.
void hand_over(const RecordStore& store, const Record& owner, Record heir) {
  heir.sharer = false;
  heir.alias = false;
  heir.name = owner.name;
  heir.netns_dir = owner.netns_dir;
  heir.status = RecordStatus::kComplete;
  store.save(heir);
  OCI_NETNS_FAULT_POINT("handover.after_record");
  store.set_netns_owner(owner.netns, heir.id);
  OCI_NETNS_FAULT_POINT("handover.after_owner");
  store.remove_sharer(owner.netns, heir.id);
  OCI_NETNS_FAULT_POINT("handover.after_entry");
  store.remove(owner.id);
}

}  // namespace

bool process_matches(pid_t pid, std::uint64_t start_time) {
  return pid > 0 && init_matches(read_process_stat(pid), start_time);
}

namespace {

// remove_recorded's work. The caller holds the store lock and `record` is what the store holds
// now: a sharer's poststop cannot remove the owner record a hand-over just wrote for it, and a
// sharer registering cannot slip in after take_heir has read the sharers.
RemoveResult remove_locked(const RecordStore& store, const Record& record) {
  RemoveResult result;
  result.path = join_path(record.netns_dir, record.name);
  if (record.sharer) {
    OCI_NETNS_FAULT_POINT("remove.sharer_loaded");
    store.remove_sharer(record.netns, record.id);
    OCI_NETNS_FAULT_POINT("remove.after_unshare");
    store.remove(record.id);
    result.outcome = RemoveOutcome::kUnshared;
    return result;
  }
  result.outcome = RemoveOutcome::kRecordOnly;
  UniqueFd dir = open_dir_if_exists(record.netns_dir);
  if (dir) {
    RefInfo info = inspect_reference(dir.get(), record.name);
    switch (info.kind) {
      case RefKind::kNamespace:
        if (info.id == record.netns) {
          if (!record.alias && record.status == RecordStatus::kComplete) {
            if (std::optional<Record> heir = take_heir(store, record)) {
              hand_over(store, record, *heir);
              result.outcome = RemoveOutcome::kHandedOver;
              result.heir = heir->id;
              return result;
            }
          }
          detach_mount(dir.get(), record.name, result.path);
          OCI_NETNS_FAULT_POINT("remove.after_umount");
          unlink_at(dir.get(), record.name, result.path);
          OCI_NETNS_FAULT_POINT("remove.after_unlink");
          result.outcome = RemoveOutcome::kRemoved;
        } else {
          result.note = "it now holds another namespace, left in place";
        }
        break;
      case RefKind::kEmptyFile:
        // Our O_EXCL file whose mount never happened (pending) or was undone (interrupted
        // poststop, or someone ran umount by hand). createRuntime checks that the name is free
        // before it writes the record, and creation is O_EXCL, so nobody else made it.
        unlink_at(dir.get(), record.name, result.path);
        OCI_NETNS_FAULT_POINT("remove.after_unlink");
        result.outcome = RemoveOutcome::kRemoved;
        break;
      case RefKind::kOther:
        result.note = "it is not a namespace reference, left in place";
        break;
      case RefKind::kAbsent:
        break;
    }
  }
  // release_netns removes the index entry only if this container owns it; a pending record's
  // alias flag may not be final yet, which is harmless for the same reason.
  if (!record.alias) store.release_netns(record.netns, record.id);
  OCI_NETNS_FAULT_POINT("remove.after_release");
  store.remove(record.id);
  OCI_NETNS_FAULT_POINT("remove.after_record");
  return result;
}

}  // namespace

RemoveResult remove_recorded(const RecordStore& store, const Record& record) {
  StoreLock lock = store.lock();
  // Loaded again under the lock: while we waited a hand-over may have made this sharer the
  // owner (same container, same namespace: remove what it is now), a poststop may have removed
  // it, or a new start of the same id may have replaced it (not what the caller decided on).
  std::optional<Record> now = store.load(record.id);
  if (!now) return {};
  if (now->netns != record.netns || now->pid != record.pid ||
      now->pid_start_time != record.pid_start_time) {
    RemoveResult result;
    result.path = join_path(now->netns_dir, now->name);
    result.note = "its record changed meanwhile (a new start of the container), left in place";
    return result;
  }
  return remove_locked(store, *now);
}

RemoveResult remove_reference(const ReferenceSettings& settings, const std::string& id) {
  RecordStore store = RecordStore::open(settings.state_dir, /*create=*/false);
  if (!store.valid()) return {};
  StoreLock lock = store.lock();  // before the load: see remove_locked
  std::optional<Record> record = store.load(id);
  if (!record) return {};
  return remove_locked(store, *record);
}

CreateResult create_reference(const ReferenceSettings& settings, const OciState& state,
                              const std::string& name, const ProcessNs& net,
                              const std::string& container_name) {
  CreateResult result;
  result.path = join_path(settings.netns_dir, name);
  if (net.id == self_ns_id("net")) {
    result.outcome = CreateOutcome::kSkippedHostNetwork;
    return result;
  }
  RecordStore store = RecordStore::open(settings.state_dir, /*create=*/true);

  // Our own earlier record for this container: the same reference again is success; anything
  // else (a pending record, an older netns after a missed poststop) is ours to clear first.
  if (std::optional<Record> previous = store.load(state.id)) {
    std::vector<std::string> names = name_candidates(name, state.id);
    if (previous->status == RecordStatus::kComplete && previous->netns == net.id &&
        std::find(names.begin(), names.end(), previous->name) != names.end() &&
        previous->netns_dir == settings.netns_dir && reference_is_intact(*previous)) {
      result.outcome = CreateOutcome::kAlreadyPresent;
      result.path = join_path(settings.netns_dir, previous->name);
      return result;
    }
    spdlog::debug("clearing earlier record of {} ({})", state.id,
                  join_path(previous->netns_dir, previous->name));
    remove_recorded(store, *previous);
  }

  // Shared netns, fast path: another container registered it and its reference is intact. A
  // netns nobody registered (every ordinary container) costs one failed open and no lock.
  if (!settings.alias_shared) {
    if (std::optional<std::string> listed = store.netns_owner(net.id);
        listed && *listed != state.id) {
      // From the owner lookup through the sharer entry under the store lock, the owner's
      // poststop (take_heir, hand_over) runs before or after all of it; read the owner again
      // now that it is held.
      StoreLock lock = store.lock();
      std::string owner = store.netns_owner(net.id).value_or(std::string());
      std::optional<Record> owner_record;
      if (owner != state.id) owner_record = intact_owner_record(store, owner);
      if (owner_record) {
        register_sharer(store, settings, state, name, net, container_name);
        result.outcome = CreateOutcome::kSkippedShared;
        result.owner = owner;
        result.owner_path = join_path(owner_record->netns_dir, owner_record->name);
        return result;
      }
    }
  }

  UniqueFd dir = prepare_netns_dir(settings.netns_dir);
  OCI_NETNS_FAULT_POINT("create.after_dir");
  // A taken name is never overwritten, and checked before the record exists: poststop and gc
  // remove the empty file or the container's namespace they find under a recorded name, so a
  // record must never name something that was there before it. The container takes the first
  // free candidate of the collision rule instead (common/name_collision.hpp).
  std::vector<std::string> candidates = name_candidates(name, state.id);
  std::size_t next = 0;
  auto take_free_name = [&]() -> std::string {
    for (; next < candidates.size(); ++next) {
      RefInfo there = inspect_reference(dir.get(), candidates[next]);
      if (there.kind == RefKind::kAbsent) return candidates[next++];
      if (next == 0) result.taken_reason = taken_reason(store, settings, there, name, net.id);
    }
    throw InputError(fmt::format("netns name `{}`: {}, and so are all its fallback names",
                                 result.path, result.taken_reason));
  };
  std::string chosen = take_free_name();
  if (chosen != name) {
    result.requested_name = name;
    result.path = join_path(settings.netns_dir, chosen);
  }

  Record record = new_record(settings, state, chosen, net, RecordStatus::kPending, container_name);
  store.save(record);
  ScopeGuard drop_record([&] { store.remove(state.id); });
  OCI_NETNS_FAULT_POINT("create.after_record");

  // Shared netns: the index entry is claimed with O_EXCL, so two containers of one pod starting
  // at once cannot both register it. The record already exists, so a crash from here on leaves
  // a claim that poststop releases.
  std::string owner = store.claim_netns(net.id, state.id);
  std::optional<StoreLock> share_lock;
  if (owner != state.id) {
    // As on the fast path; claimed again under the lock: the owner may have released the entry
    // or handed it over while we waited.
    share_lock.emplace(store.lock());
    owner = store.claim_netns(net.id, state.id);
  }
  if (owner != state.id) {
    if (std::optional<Record> owner_record = intact_owner_record(store, owner)) {
      if (!settings.alias_shared) {
        register_sharer(store, settings, state, name, net,
                        container_name);  // replaces our pending record
        drop_record.commit();
        result.outcome = CreateOutcome::kSkippedShared;
        result.owner = owner;
        result.owner_path = join_path(owner_record->netns_dir, owner_record->name);
        return result;
      }
      record.alias = true;
    } else {
      // The index names a container whose reference is gone: take the entry over.
      store.set_netns_owner(net.id, state.id);
    }
  }
  share_lock.reset();
  ScopeGuard release_claim([&] {
    if (!record.alias) store.release_netns(net.id, state.id);
  });
  OCI_NETNS_FAULT_POINT("create.after_claim");

  UniqueFd file;
  for (;;) {
    int err = 0;
    file = create_reference_file(dir.get(), record.name, err);
    if (file) break;
    if (err != EEXIST) throw_errno(err, fmt::format("create `{}`", result.path));
    // Someone made the name between our check and now (another container of the same name
    // starting at the same time): the next free candidate, recorded before it is made.
    if (result.requested_name.empty()) {
      result.requested_name = name;
      result.taken_reason =
          taken_reason(store, settings, inspect_reference(dir.get(), name), name, net.id);
    }
    record.name = take_free_name();
    result.path = join_path(settings.netns_dir, record.name);
    store.save(record);
  }
  ScopeGuard drop_file([&] { unlink_at(dir.get(), record.name, result.path); });
  OCI_NETNS_FAULT_POINT("create.after_file");

  bind_namespace(net.ns.get(), file.get(), fmt::format("/proc/{}/ns/net", state.pid), result.path);
  ScopeGuard drop_mount([&] { detach_mount(dir.get(), record.name, result.path); });
  OCI_NETNS_FAULT_POINT("create.after_mount");

  RefInfo made = inspect_reference(dir.get(), record.name);
  if (made.kind != RefKind::kNamespace || made.id != net.id) {
    throw std::runtime_error(fmt::format(
        "verify `{}`: the mounted reference is not the container's netns", result.path));
  }
  record.status = RecordStatus::kComplete;
  store.save(record);
  OCI_NETNS_FAULT_POINT("create.after_complete");

  drop_mount.commit();
  drop_file.commit();
  drop_record.commit();
  release_claim.commit();
  return result;
}

}  // namespace ocinetns
