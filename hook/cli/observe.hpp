// What list and gc observe about the store and the kernel: the namespaces in use, what sits at
// each record's name, and the facts common/model/gc_plan.hpp decides on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/unique_fd.hpp"
#include "common/model/gc_plan.hpp"
#include "common/model/record.hpp"
#include "common/sys/netns.hpp"
#include "common/sys/record_store.hpp"
#include "config/config.hpp"
#include "hook/cli/commands.hpp"

namespace ocinetns {

// Every network namespace some process is in, from one scan of /proc/*/ns/net.
NsIdSet scan_netns_in_use();

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

// What sits at `record`'s name now.
RefObservation observe_reference(DirCache& dirs, const Record& record);

// The record that owns `sharer`'s namespace in the index, if it is an owner with its reference
// intact.
std::optional<Record> intact_owner_of(DirCache& dirs, const RecordStore& store,
                                      const Record& sharer);

RecordFacts gather_facts(DirCache& dirs, const NsIdSet& in_use, const RecordStore& store,
                         const Record& record, std::int64_t now);

// The config the admin verbs run with (a config that cannot be used is an error for them), with
// logging switched to it. Throws ConfigError or std::system_error.
Config load_admin_config(const GlobalOptions& options);

// The names in a directory but "." and "..", sorted. `display` names it in errors.
std::vector<std::string> sorted_dir_names(int dir_fd, const std::string& display);

}  // namespace ocinetns
