// config.json rewrite for the shim. nlohmann::ordered_json keeps key order and stores integers
// as int64/uint64, so engine-written limits such as 9223372036854771712 survive unchanged.
#include "common/shim_rewrite.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/errors.hpp"
#include "common/io.hpp"
#include "common/strict_json.hpp"
#include "common/unique_fd.hpp"

namespace ocinetns {

std::optional<std::string> rewrite_bundle_config(std::string_view config_text,
                                                 const std::vector<HookDefinition>& hooks,
                                                 std::vector<std::string>& warnings) {
  auto spec = parse_strict_ordered_json(config_text, "config.json",
                                        {.max_bytes = kMaxBundleConfigBytes, .max_depth = 64});
  if (!inject_hooks(spec, hooks, warnings)) return std::nullopt;
  return spec.dump();
}

bool rewrite_bundle(const std::string& bundle, const std::vector<HookDefinition>& hooks,
                    std::vector<std::string>& warnings) {
  std::string path = bundle + "/config.json";
  UniqueFd dir = open_or_throw(bundle, O_RDONLY | O_DIRECTORY);
  int fd = ::openat(dir.get(), "config.json", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw_last_errno(fmt::format("open bundle config `{}`", path));
  UniqueFd file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("stat `{}`", path));
  if (!S_ISREG(st.st_mode)) throw InputError(fmt::format("`{}`: not a regular file", path));
  std::string text = read_all_limited(fd, kMaxBundleConfigBytes, path);
  file.reset();
  std::optional<std::string> updated;
  try {
    updated = rewrite_bundle_config(text, hooks, warnings);
  } catch (const InputError& e) {
    throw InputError(fmt::format("`{}`: {}", path, e.what()));
  }
  if (!updated) return false;
  write_file_atomic_at(dir.get(), "config.json", *updated, st.st_mode & 07777, "bundle config");
  return true;
}

}  // namespace ocinetns
