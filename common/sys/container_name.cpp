// Reading Docker's config.v2.json and conmon's argv for a container's name, trusting only what
// root wrote (a container's own user could otherwise choose the name of its reference).
#include "common/sys/container_name.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/strict_json.hpp"
#include "common/base/unique_fd.hpp"
#include "common/model/engine_names.hpp"
#include "common/model/proc_stat.hpp"

namespace ocinetns {
namespace {

// Opens `path` for reading as a root-owned regular file that is not a symlink (O_NOFOLLOW makes
// open(2) fail with ELOOP on one), and reads at most `max_bytes` of it. Throws InputError naming
// the path and the reason; std::system_error for other failures.
std::string read_root_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP) throw InputError(fmt::format("`{}` is a symbolic link", path));
    throw std::system_error(err, std::generic_category(), fmt::format("open `{}`", path));
  }
  UniqueFd file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("fstat `{}`", path));
  if (!S_ISREG(st.st_mode)) throw InputError(fmt::format("`{}` is not a regular file", path));
  if (st.st_uid != 0) {
    throw InputError(fmt::format("`{}` is owned by uid {}, not root", path, st.st_uid));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    throw InputError(fmt::format("`{}` is larger than {} bytes", path, max_bytes));
  }
  return read_all_limited(fd, max_bytes, path);
}

std::string docker_name(const std::string& dir, const std::string& id) {
  struct stat st {};
  // The directory itself: root's, and not a symlink (lstat does not follow the last component).
  if (::lstat(dir.c_str(), &st) != 0) throw_last_errno(fmt::format("lstat `{}`", dir));
  if (!S_ISDIR(st.st_mode) || st.st_uid != 0) {
    throw InputError(fmt::format("`{}` is not a root-owned directory", dir));
  }
  std::string path = dir + "/config.v2.json";
  try {
    return docker_name_from_config(read_root_file(path, kMaxDockerConfigBytes), id);
  } catch (const InputError& e) {
    throw InputError(fmt::format("`{}`: {}", path, e.what()));
  }
}

pid_t parent_of(pid_t pid) {
  std::string path = fmt::format("/proc/{}/stat", pid);
  UniqueFd fd = open_or_throw(path, O_RDONLY);
  std::optional<ProcStat> stat = parse_proc_stat(read_all_limited(fd.get(), 4096, path));
  if (!stat || stat->ppid <= 1) throw InputError(fmt::format("`{}`: no parent process", path));
  return static_cast<pid_t>(stat->ppid);
}

// The hook's parent is the runtime (`runc create`, or our shim exec'd as it); the runtime's
// parent is conmon when Podman started the container. /proc/<pid> is owned by the process's
// effective uid (proc(5)), and /proc/<pid>/exe is the executable it runs: both must be root's,
// the executable named conmon, before its argv says anything.
std::string podman_name(const std::string& id) {
  pid_t runtime = ::getppid();
  pid_t conmon = parent_of(runtime);
  std::string proc = fmt::format("/proc/{}", conmon);
  char exe[4096];
  ssize_t n = ::readlink((proc + "/exe").c_str(), exe, sizeof exe - 1);
  if (n < 0) throw_last_errno(fmt::format("readlink `{}/exe`", proc));
  std::string_view target(exe, static_cast<std::size_t>(n));
  std::string_view base = target.substr(target.rfind('/') + 1);
  if (base != "conmon") {
    throw InputError(fmt::format("the runtime's parent (pid {}, {}) is not conmon", conmon,
                                 target.substr(0, 256)));
  }
  struct stat st {};
  if (::stat(proc.c_str(), &st) != 0) throw_last_errno(fmt::format("stat `{}`", proc));
  if (st.st_uid != 0) {
    throw InputError(fmt::format("conmon (pid {}) runs as uid {}, not root", conmon, st.st_uid));
  }
  if (::stat((proc + "/exe").c_str(), &st) != 0) {
    throw_last_errno(fmt::format("stat `{}/exe`", proc));
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != 0) {
    throw InputError(fmt::format("conmon (pid {}): its executable {} is not a root-owned file",
                                 conmon, target.substr(0, 256)));
  }
  std::string cmdline_path = proc + "/cmdline";
  UniqueFd fd = open_or_throw(cmdline_path, O_RDONLY);
  std::string cmdline = read_all_limited(fd.get(), kMaxCmdlineBytes, cmdline_path);
  try {
    return conmon_name_from_argv(cmdline, id);
  } catch (const InputError& e) {
    throw InputError(fmt::format("conmon (pid {}): {}", conmon, e.what()));
  }
}

}  // namespace

NameLookup find_container_name(const OciState& state) {
  NameLookup out;
  // A Kubernetes pod's sandbox names its pod in its annotations; an app container of the pod
  // joins the sandbox's namespace and needs none (no name, no problem: the id, silently).
  out.source = "kubernetes";
  if (std::optional<std::string> pod = kubernetes_pod_name(state.annotations)) {
    out.name = *pod;
    return out;
  }
  if (kubernetes_app_container(state.annotations)) return out;
  out.source.clear();
  try {
    std::optional<std::string> docker_dir;
    if (!state.bundle.empty()) {
      std::string spec_path = state.bundle + "/config.json";
      try {
        nlohmann::json spec = parse_strict_json(read_root_file(spec_path, kMaxSpecBytes), spec_path,
                                                {.max_bytes = kMaxSpecBytes, .max_depth = 64});
        docker_dir = docker_container_dir(spec, state.id);
      } catch (const std::exception&) {
        // Not a spec we can read (a rootless bundle, an engine that writes it elsewhere): no
        // Docker directory, so the Podman check decides.
      }
    }
    if (docker_dir) {
      out.source = "docker";
      out.name = docker_name(*docker_dir, state.id);
    } else {
      out.source = "podman";
      out.name = podman_name(state.id);
    }
  } catch (const std::exception& e) {
    out.name.clear();
    out.problem = out.source == "docker"
                      ? std::string(e.what())
                      : fmt::format("not a Docker container, and not Podman's: {}", e.what());
  }
  return out;
}

}  // namespace ocinetns
