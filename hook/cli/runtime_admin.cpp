// Admin verbs: edit Docker's daemon.json robustly (ordered, 64-bit safe JSON) for the install
// scripts, which must not depend on python3 or jq being present on the host.
#include "hook/cli/runtime_admin.hpp"

#include <fcntl.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/unique_fd.hpp"
#include "common/model/exit_policy.hpp"
#include "common/model/shim_daemon_json.hpp"

namespace ocinetns {
namespace {

struct DaemonJson {
  std::string text;  // empty if the file does not exist yet
  mode_t mode = 0644;
};

DaemonJson read_if_present(const std::string& path) {
  DaemonJson out;
  if (auto file = read_regular_file(AT_FDCWD, path, 4 * 1024 * 1024, "daemon.json", path,
                                    Symlinks::kFollow)) {
    out.text = std::move(file->text);
    out.mode = file->st.st_mode & 07777;
  }
  return out;
}

void write_beside(const std::string& path, const std::string& text, mode_t mode) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  make_dirs(dir, 0755);
  UniqueFd dir_fd = open_or_throw(dir, O_RDONLY | O_DIRECTORY);
  write_file_atomic_at(dir_fd.get(), name, text, mode, "daemon.json");
}

void report(const DaemonJsonEdit& edit) {
  std::printf("changed=%d\nprevious_default=%s\n", edit.changed ? 1 : 0,
              edit.previous_default.value_or("").c_str());
  if (edit.new_default) std::printf("default=%s\n", edit.new_default->c_str());
}

}  // namespace

int run_admin(int argc, char** argv) {
  CLI::App app{"oci-netns-runtime admin verbs (used by install.sh / uninstall.sh)"};
  app.require_subcommand(1);
  std::string file = "/etc/docker/daemon.json";
  std::string name = "oci-netns";
  std::string path;
  std::string restore_default;
  bool make_default = false;
  bool dry_run = false;
  auto* reg = app.add_subcommand("docker-register", "add the runtime to daemon.json");
  reg->add_option("--file", file, "daemon.json path");
  reg->add_option("--name", name, "runtime name");
  reg->add_option("--path", path, "absolute path of oci-netns-runtime")->required();
  reg->add_flag("--default", make_default, "also set default-runtime");
  reg->add_flag("--dry-run", dry_run, "print the result instead of writing it");
  auto* unreg = app.add_subcommand("docker-unregister", "remove the runtime from daemon.json");
  unreg->add_option("--file", file, "daemon.json path");
  unreg->add_option("--name", name, "runtime name");
  unreg->add_option("--restore-default", restore_default,
                    "default-runtime to put back if it is the removed runtime");
  unreg->add_flag("--dry-run", dry_run, "print the result instead of writing it");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : exit_code(FailureKind::kBadInput, ExitPolicy{});
  }
  try {
    DaemonJson current = read_if_present(file);
    DaemonJsonEdit edit = reg->parsed()
                              ? docker_register_runtime(current.text, name, path, make_default)
                              : docker_unregister_runtime(current.text, name, restore_default);
    if (dry_run) {
      std::fputs(edit.text.c_str(), stdout);
    } else if (edit.changed) {
      write_beside(file, edit.text, current.mode);
    }
    report(edit);
    return kExitOk;
  } catch (const std::exception& e) {
    // install.sh and uninstall.sh read any failure here, a daemon.json that is not an object
    // included, as "the edit failed": exit 1 for all of them.
    std::fprintf(stderr, "oci-netns-runtime: %s\n", e.what());
    return exit_code(FailureKind::kFailed, ExitPolicy{});
  }
}

}  // namespace ocinetns
