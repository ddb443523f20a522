// Observations for list and gc: one /proc scan, reference inspection, the store's records.
#include "hook/cli/observe.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "common/base/errors.hpp"
#include "common/base/logging.hpp"
#include "common/base/unique_dir.hpp"
#include "common/sys/reference.hpp"

namespace ocinetns {

// Every network namespace some process is in: one pass over /proc/<pid>/ns/net, so gc costs one
// scan however many records there are. stat(2) follows the nsfs magic link to the namespace's
// (dev, ino). A process that exits mid-scan, or whose ns link we may not read (ptrace access
// mode, proc(5)), is skipped.
NsIdSet scan_netns_in_use() {
  NsIdSet in_use;
  UniqueDir proc = UniqueDir::list_path("/proc");
  int proc_fd = ::dirfd(proc.get());
  while (struct dirent* e = proc.next()) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::string rel = std::string(e->d_name) + "/ns/net";
    struct stat st {};
    if (::fstatat(proc_fd, rel.c_str(), &st, 0) == 0) {
      in_use.insert(
          NsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)});
    }
  }
  return in_use;
}

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

std::vector<std::string> sorted_dir_names(int dir_fd, const std::string& display) {
  std::vector<std::string> names;
  UniqueDir listing = UniqueDir::list_fd(dir_fd, display);
  while (struct dirent* e = listing.next()) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace ocinetns
