// The state-directory store: records, the netns index and sharer entries, as files relative to
// the state directory's descriptor.
#include "common/sys/record_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/unique_dir.hpp"
#include "common/sys/netns.hpp"

namespace ocinetns {
namespace {

UniqueFd open_subdir(int parent, const char* name, bool create, const std::string& display) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(parent, name, kFlags);
  // Made on first use only: every later container start opens it straight away.
  if (fd < 0 && errno == ENOENT && create) {
    if (::mkdirat(parent, name, 0700) != 0 && errno != EEXIST) {
      throw_last_errno(fmt::format("mkdir `{}`", display));
    }
    fd = ::openat(parent, name, kFlags);
  }
  if (fd < 0) {
    if (errno == ENOENT && !create) return UniqueFd();
    throw_open_error(parent, name, errno, fmt::format("open state directory `{}`", display));
  }
  return UniqueFd(fd);
}

}  // namespace

std::vector<std::string> dir_names(int dir_fd, const std::string& display) {
  std::vector<std::string> out;
  UniqueDir listing = UniqueDir::list_fd(dir_fd, display);
  while (struct dirent* e = listing.next()) {
    // Not "dot files": a container id may begin with '.' (runc allows ".x"), and its record or
    // sharer entry must be seen. Only "." and ".."-prefixed names (our temporaries) are skipped.
    std::string_view name = e->d_name;
    if (name == "." || is_atomic_temp_name(name)) continue;
    out.emplace_back(e->d_name);
  }
  return out;
}

RecordStore RecordStore::open(const std::string& state_dir, bool create) {
  RecordStore store;
  store.dir_ = state_dir;
  if (create) make_dirs(state_dir, 0700);
  int fd = ::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && !create) return store;
    throw_open_error(AT_FDCWD, state_dir, errno,
                     fmt::format("open state directory `{}`", state_dir));
  }
  store.root_ = UniqueFd(fd);
  store.records_ = open_subdir(store.root_.get(), "containers", create, state_dir + "/containers");
  store.index_ = open_subdir(store.root_.get(), "netns", create, state_dir + "/netns");
  if (!store.index_) store.records_.reset();
  return store;
}

std::optional<Record> RecordStore::load(const std::string& id) const {
  std::string file = record_file_name(id);
  auto text = read_file_at(records_.get(), file, kMaxRecordBytes,
                           fmt::format("record in `{}/containers`", dir_));
  if (!text) return std::nullopt;
  Record r = record_from_json(*text, dir_ + "/containers/" + file);
  if (r.id != id) throw InputError(fmt::format("record {}: names another container", file));
  return r;
}

void RecordStore::save(const Record& record) const {
  // The directory in `what`: a failed write should name where (e.g. a read-only state_dir).
  write_file_atomic_at(records_.get(), record_file_name(record.id), record_to_json(record), 0600,
                       fmt::format("record in `{}/containers`", dir_));
}

void RecordStore::remove(const std::string& id) const {
  unlink_at(records_.get(), record_file_name(id), dir_ + "/containers/" + record_file_name(id));
}

std::vector<std::string> RecordStore::ids() const {
  std::vector<std::string> out;
  for (const std::string& name : dir_names(records_.get(), dir_ + "/containers")) {
    if (auto id = record_id_of_file_name(name)) out.push_back(std::move(*id));
  }
  return out;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::flock(fd_, LOCK_UN);
}

StoreLock RecordStore::lock() const {
  int rc = 0;
  do {
    rc = ::flock(root_.get(), LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) throw_last_errno(fmt::format("flock state directory `{}`", dir_));
  return StoreLock(root_.get());
}

std::string RecordStore::claim_netns(const NsId& ns, const std::string& id) const {
  std::string name = netns_index_name(ns);
  int fd = ::openat(index_.get(), name.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    UniqueFd guard(fd);
    if (::write(fd, id.data(), id.size()) != static_cast<ssize_t>(id.size())) {
      int err = errno;
      ::unlinkat(index_.get(), name.c_str(), 0);
      throw_errno(err, fmt::format("write netns index `{}`", name));
    }
    return id;
  }
  if (errno != EEXIST)
    throw_last_errno(fmt::format("create netns index `{}/netns/{}`", dir_, name));
  return netns_owner(ns).value_or(std::string());
}

void RecordStore::set_netns_owner(const NsId& ns, const std::string& id) const {
  write_file_atomic_at(index_.get(), netns_index_name(ns), id, 0600,
                       fmt::format("netns index in `{}/netns`", dir_));
}

void RecordStore::release_netns(const NsId& ns, const std::string& id) const {
  auto owner = netns_owner(ns);
  if (owner && *owner == id) {
    unlink_at(index_.get(), netns_index_name(ns), dir_ + "/netns/" + netns_index_name(ns));
  }
}

std::optional<std::string> RecordStore::netns_owner(const NsId& ns) const {
  try {
    return read_file_at(index_.get(), netns_index_name(ns), 4096, "netns index");
  } catch (const InputError&) {
    return std::nullopt;
  }
}

UniqueFd RecordStore::open_sharers(bool create) const {
  return open_subdir(root_.get(), "sharers", create, dir_ + "/sharers");
}

void RecordStore::add_sharer(const NsId& ns, const std::string& id) const {
  std::string name = netns_index_name(ns);
  std::string display = dir_ + "/sharers/" + name;
  UniqueFd top = open_sharers(/*create=*/true);
  // remove_sharer of another container may delete the netns's directory between our mkdir and
  // our create: make it again once.
  for (int attempt = 0;; ++attempt) {
    UniqueFd dir = open_subdir(top.get(), name.c_str(), /*create=*/true, display);
    int fd = ::openat(dir.get(), id.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (errno != ENOENT || attempt > 0)
      throw_last_errno(fmt::format("create `{}/{}`", display, id));
  }
}

void RecordStore::remove_sharer(const NsId& ns, const std::string& id) const {
  UniqueFd top = open_sharers(/*create=*/false);
  if (!top) return;
  std::string name = netns_index_name(ns);
  std::string display = dir_ + "/sharers/" + name;
  UniqueFd dir = open_subdir(top.get(), name.c_str(), /*create=*/false, display);
  if (!dir) return;
  unlink_at(dir.get(), id, display + "/" + id);
  // Not empty (other sharers) or already gone: both fine.
  ::unlinkat(top.get(), name.c_str(), AT_REMOVEDIR);
}

std::vector<std::string> RecordStore::sharers(const NsId& ns) const {
  UniqueFd top = open_sharers(/*create=*/false);
  if (!top) return {};
  std::string name = netns_index_name(ns);
  std::string display = dir_ + "/sharers/" + name;
  UniqueFd dir = open_subdir(top.get(), name.c_str(), /*create=*/false, display);
  if (!dir) return {};
  std::vector<std::string> out = dir_names(dir.get(), display);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ocinetns
