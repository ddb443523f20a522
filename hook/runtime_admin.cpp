// Admin verbs: edit Docker's daemon.json robustly (ordered, 64-bit safe JSON) for the install
// scripts, which must not depend on python3 or jq being present on the host.
#include "hook/runtime_admin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>

#include "common/errors.hpp"
#include "common/io.hpp"
#include "common/shim_daemon_json.hpp"
#include "common/unique_fd.hpp"

namespace ocinetns {
namespace {

struct FileText {
  std::string text;
  mode_t mode = 0644;
};

FileText read_if_present(const std::string& path) {
  FileText out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return out;
    throw_last_errno(fmt::format("open `{}`", path));
  }
  UniqueFd guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("stat `{}`", path));
  out.mode = st.st_mode & 07777;
  out.text = read_all_limited(fd, 4 * 1024 * 1024, path);
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
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    FileText current = read_if_present(file);
    DaemonJsonEdit edit = reg->parsed()
                              ? docker_register_runtime(current.text, name, path, make_default)
                              : docker_unregister_runtime(current.text, name, restore_default);
    if (dry_run) {
      std::fputs(edit.text.c_str(), stdout);
    } else if (edit.changed) {
      write_beside(file, edit.text, current.mode);
    }
    report(edit);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "oci-netns-runtime: %s\n", describe(e).c_str());
    return 1;
  }
}

}  // namespace ocinetns
