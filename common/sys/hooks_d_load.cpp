// Loading hooks.d directories as containers/common does (pkg/hooks read.go): every *.json file of
// each directory, later directories masking earlier ones; files that cannot be used are skipped
// with a warning, never fatal.
#include "common/sys/hooks_d_load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/trusted_file.hpp"
#include "common/base/unique_dir.hpp"
#include "common/base/unique_fd.hpp"

namespace ocinetns {
std::vector<HookDefinition> load_hooks_dirs(const std::vector<std::string>& dirs,
                                            std::vector<std::string>& warnings) {
  std::vector<std::vector<HookDefinition>> layers;
  for (const auto& dir : dirs) {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      if (errno != ENOENT)
        warnings.push_back(fmt::format("hooks.d `{}`: skipped: {}", dir, std::strerror(errno)));
      continue;
    }
    UniqueFd dir_fd(dfd);
    try {
      check_trusted_owner(dir_fd.get(), "hooks.d directory", dir);
    } catch (const std::exception& e) {
      warnings.push_back(fmt::format("{}; its hooks are ignored", e.what()));
      continue;
    }
    std::vector<std::string> names;
    try {
      UniqueDir listing = UniqueDir::list_fd(dir_fd.get(), dir);
      while (struct dirent* ent = listing.next()) {
        if (is_hook_file_name(ent->d_name)) names.emplace_back(ent->d_name);
      }
    } catch (const std::system_error& e) {
      warnings.push_back(fmt::format("hooks.d `{}`: cannot list: {}", dir, e.code().message()));
      continue;
    }
    std::sort(names.begin(), names.end());

    std::vector<HookDefinition> layer;
    for (const auto& name : names) {
      std::string path = dir + "/" + name;
      try {
        // Symlinks are followed (packages install them); the link lives in a trusted directory
        // and the target must itself be a trusted regular file.
        auto file = read_regular_file(
            dir_fd.get(), name, kMaxHookFileBytes, "hooks.d file", path, Symlinks::kFollow,
            [&](const struct stat& st) { check_trusted_owner(st, "hooks.d file", path); });
        if (!file) throw_errno(ENOENT, fmt::format("open hooks.d file `{}`", path));
        HookDefinition def = parse_hook_definition(file->text, path);
        def.name = name;
        // containers/common refuses a hook whose executable does not exist (os.Stat).
        std::string exe = def.hook["path"].get<std::string>();
        if (struct stat exe_st{}; ::stat(exe.c_str(), &exe_st) != 0) {
          throw_last_errno(fmt::format("{}: hook.path `{}`", path, exe));
        }
        layer.push_back(std::move(def));
      } catch (const std::exception& e) {
        warnings.push_back(fmt::format("hooks.d file skipped: {}", e.what()));
      }
    }
    layers.push_back(std::move(layer));
  }
  return merge_hook_layers(std::move(layers));
}

}  // namespace ocinetns
