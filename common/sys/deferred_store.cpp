// The deferred sysctls' store in the state directory, and whether the shim will see `start`.
#include "common/sys/deferred_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/model/oci_state.hpp"
#include "common/model/record.hpp"
#include "common/model/shim_argv.hpp"
#include "common/sys/record_store.hpp"
#include "common/sys/reference.hpp"

namespace ocinetns {
namespace {

constexpr const char* kDir = "deferred";

std::string file_name(const std::string& id) {
  validate_container_id(id);  // never a path: no '/', no ".."
  return id + ".json";
}

// <state_dir>/deferred, made (0700) if `create`; an invalid fd if absent and not `create`.
UniqueFd open_deferred_dir(const std::string& state_dir, bool create) {
  if (create) (void)RecordStore::open(state_dir, /*create=*/true);  // the state dir itself
  UniqueFd root = open_dir_if_exists(state_dir);
  if (!root) return UniqueFd();
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(root.get(), kDir, kFlags);
  if (fd < 0 && errno == ENOENT && create) {
    if (::mkdirat(root.get(), kDir, 0700) != 0 && errno != EEXIST) {
      throw_last_errno(fmt::format("mkdir `{}/{}`", state_dir, kDir));
    }
    fd = ::openat(root.get(), kDir, kFlags);
  }
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    throw_open_error(root.get(), kDir, errno, fmt::format("open `{}/{}`", state_dir, kDir));
  }
  return UniqueFd(fd);
}

std::string read_limited_file(const std::string& path, std::size_t max) {
  UniqueFd fd = open_or_throw(path, O_RDONLY);
  return read_all_limited(fd.get(), max, path);
}

}  // namespace

void save_deferred(const std::string& state_dir, const DeferredSysctls& d) {
  UniqueFd dir = open_deferred_dir(state_dir, /*create=*/true);
  write_file_atomic_at(dir.get(), file_name(d.id), deferred_to_json(d), 0600,
                       fmt::format("deferred sysctls of {}", d.id));
}

std::optional<DeferredSysctls> take_deferred(const std::string& state_dir, const std::string& id) {
  UniqueFd dir = open_deferred_dir(state_dir, /*create=*/false);
  if (!dir) return std::nullopt;
  std::string name = file_name(id);
  std::string what = fmt::format("{}/{}/{}", state_dir, kDir, name);
  std::optional<std::string> text = read_file_at(dir.get(), name, kMaxDeferredBytes, what);
  if (!text) return std::nullopt;
  unlink_at(dir.get(), name, what);  // taken once, whatever happens next
  DeferredSysctls d = deferred_from_json(*text, what);
  if (d.id != id)
    throw InputError(fmt::format("deferred sysctls {}: names another container", what));
  return d;
}

void drop_deferred(const std::string& state_dir, const std::string& id) {
  UniqueFd dir = open_deferred_dir(state_dir, /*create=*/false);
  if (!dir) return;
  std::string name = file_name(id);
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    throw_last_errno(fmt::format("unlink `{}/{}/{}`", state_dir, kDir, name));
  }
}

std::vector<std::string> sweep_deferred(const std::string& state_dir, bool dry_run) {
  std::vector<std::string> swept;
  UniqueFd dir = open_deferred_dir(state_dir, /*create=*/false);
  if (!dir) return swept;
  std::string dir_path = fmt::format("{}/{}", state_dir, kDir);
  std::vector<std::string> names = dir_names(dir.get(), dir_path);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!name.ends_with(".json")) continue;
    std::string what = dir_path + "/" + name;
    bool stale = true;
    try {
      std::optional<std::string> text = read_file_at(dir.get(), name, kMaxDeferredBytes, what);
      if (!text) continue;  // taken by start meanwhile
      DeferredSysctls d = deferred_from_json(*text, what);
      stale = !process_matches(d.pid, d.pid_start_time);
    } catch (const InputError&) {
      // Unreadable: nothing can apply it, and it names nothing outside this directory.
    }
    if (!stale) continue;
    if (!dry_run) unlink_at(dir.get(), name, what);
    swept.push_back(name.substr(0, name.size() - 5));
  }
  return swept;
}

bool runtime_is_shim_create(std::string_view active_env) {
  pid_t runtime = ::getppid();
  std::string proc = fmt::format("/proc/{}", runtime);
  try {
    std::string env = read_limited_file(proc + "/environ", 1024 * 1024);
    std::string wanted = std::string(active_env) + "=";
    bool active =
        env.starts_with(wanted) || env.find(std::string(1, '\0') + wanted) != std::string::npos;
    if (!active) return false;
    std::string cmdline = read_limited_file(proc + "/cmdline", 256 * 1024);
    std::vector<std::string> words;
    for (std::size_t pos = 0; pos < cmdline.size();) {
      std::size_t nul = cmdline.find('\0', pos);
      if (nul == std::string::npos) nul = cmdline.size();
      words.push_back(cmdline.substr(pos, nul - pos));
      pos = nul + 1;
    }
    std::vector<std::string_view> args(words.begin() + (words.empty() ? 0 : 1), words.end());
    return parse_shim_argv(args).subcommand == "create";
  } catch (const std::exception&) {
    return false;  // the runtime exited, or its /proc is unreadable: report as without the shim
  }
}

}  // namespace ocinetns
