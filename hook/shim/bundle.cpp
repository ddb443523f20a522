// Reading and replacing the bundle's config.json for the shim's create and run.
#include "hook/shim/bundle.hpp"

#include <fcntl.h>

#include <fmt/format.h>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/unique_fd.hpp"
#include "common/model/shim_rewrite.hpp"

namespace ocinetns {

bool rewrite_bundle(const std::string& bundle, const std::vector<HookDefinition>& hooks,
                    std::vector<std::string>& warnings) {
  std::string path = bundle + "/config.json";
  UniqueFd dir = open_or_throw(bundle, O_RDONLY | O_DIRECTORY);
  auto file = read_regular_file(dir.get(), "config.json", kMaxBundleConfigBytes, "bundle config",
                                path, Symlinks::kFollow);
  if (!file) throw_errno(ENOENT, fmt::format("open bundle config `{}`", path));
  std::optional<std::string> updated;
  try {
    updated = rewrite_bundle_config(file->text, hooks, warnings);
  } catch (const InputError& e) {
    throw InputError(fmt::format("`{}`: {}", path, e.what()));
  }
  if (!updated) return false;
  write_file_atomic_at(dir.get(), "config.json", *updated, file->st.st_mode & 07777,
                       "bundle config");
  return true;
}

}  // namespace ocinetns
