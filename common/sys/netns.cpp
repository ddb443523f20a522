// Namespace and netns-directory syscalls. Pure decisions live elsewhere; this file only does I/O.
#include "common/sys/netns.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/base/errors.hpp"
#include "common/base/io.hpp"
#include "common/base/unique_dir.hpp"

namespace ocinetns {
namespace {

int sys_pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::string fd_path(int fd) {
  return fmt::format("/proc/self/fd/{}", fd);
}

}  // namespace

NsId ns_id_of_fd(int fd, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("stat `{}`", what));
  return NsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

ProcessNs open_process_ns(pid_t pid, const char* kind, int nstype) {
  std::string proc_dir = fmt::format("/proc/{}", pid);
  int pidfd = sys_pidfd_open(pid);
  if (pidfd < 0) {
    if (errno == ESRCH) throw InputError(fmt::format("pid: process {} does not exist", pid));
    throw_last_errno(fmt::format("pidfd_open {}", pid));
  }
  UniqueFd pid_guard(pidfd);
  int dfd = ::open(proc_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) throw InputError(fmt::format("pid: process {} does not exist", pid));
    throw_last_errno(fmt::format("open `{}`", proc_dir));
  }
  UniqueFd dir(dfd);
  std::string ns_rel = fmt::format("ns/{}", kind);
  std::string ns_path = fmt::format("{}/{}", proc_dir, ns_rel);
  int nfd = ::openat(dir.get(), ns_rel.c_str(), O_RDONLY | O_CLOEXEC);
  if (nfd < 0) {
    if (errno == ENOENT || errno == ESRCH) {
      throw InputError(fmt::format("pid: process {} does not exist", pid));
    }
    throw_last_errno(fmt::format("open `{}`", ns_path));
  }
  ProcessNs out;
  out.ns = UniqueFd(nfd);
  if (auto stat = read_process_stat_at(dir.get())) out.start_time = stat->start_time;
  // pidfd_open(2): the pidfd becomes readable when the process terminates. If it is still not
  // readable now, the /proc/<pid> we opened belonged to this very process.
  struct pollfd pfd {
    pidfd, POLLIN, 0
  };
  int ready = ::poll(&pfd, 1, 0);
  if (ready < 0) throw_last_errno(fmt::format("poll pidfd of {}", pid));
  if (ready > 0) throw InputError(fmt::format("pid: process {} exited", pid));

  int type = ::ioctl(out.ns.get(), NS_GET_NSTYPE);
  if (type < 0) throw_last_errno(fmt::format("ioctl NS_GET_NSTYPE `{}`", ns_path));
  if (type != nstype) throw InputError(fmt::format("`{}` is not a {} namespace", ns_path, kind));
  out.id = ns_id_of_fd(out.ns.get(), ns_path);
  return out;
}

NsId self_ns_id(const char* kind) {
  std::string path = fmt::format("/proc/self/ns/{}", kind);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_last_errno(fmt::format("stat `{}`", path));
  return NsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

std::optional<ProcStat> read_process_stat_at(int proc_pid_dir) {
  try {
    if (auto text = read_file_at(proc_pid_dir, "stat", 4096, "process stat")) {
      return parse_proc_stat(*text);
    }
  } catch (const std::exception&) {
    // The process exited while we read (ESRCH): as if it were gone.
  }
  return std::nullopt;
}

std::optional<ProcStat> read_process_stat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  int fd = ::open(fmt::format("/proc/{}", pid).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  UniqueFd dir(fd);
  return read_process_stat_at(dir.get());
}

RefInfo inspect_reference(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw_last_errno(fmt::format("open reference `{}`", name));
  }
  UniqueFd guard(fd);
  struct statfs sfs {};
  if (::fstatfs(fd, &sfs) != 0) throw_last_errno(fmt::format("statfs reference `{}`", name));
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("stat reference `{}`", name));
  if (static_cast<unsigned long>(sfs.f_type) == NSFS_MAGIC) {
    return {RefKind::kNamespace,
            NsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)}};
  }
  struct stat dir_st {};
  if (::fstat(dir_fd, &dir_st) != 0) throw_last_errno("stat netns directory");
  // An unmounted reference is the empty regular file that O_EXCL created, on the directory's fs.
  if (S_ISREG(st.st_mode) && st.st_size == 0 && st.st_dev == dir_st.st_dev) {
    return {RefKind::kEmptyFile, {}};
  }
  return {RefKind::kOther, {}};
}

namespace {

// After the self-bind, each mount that was already below `path` (containerd's CRI pins pods as
// /run/netns/cni-<uuid> in a plain directory) exists twice: the copy MS_REC made on the new mount,
// and the original, now hidden underneath it. The original keeps its dentry a mount point
// (d_mountpoint), so the owner's later `umount` of the visible copy plus unlink fails with EBUSY
// for ever (unlink(2): EBUSY when the file is a mount point in any mount). `lower_fd` still refers
// to the directory on the mount below, and a path walk through /proc/self/fd/N starts from that
// mount, so the last component crosses into the hidden original, which is detached; the copy
// stays and refers to the same namespace. Entries that are no mount point give EINVAL. Best
// effort: a failure leaves things as iproute2's own self-bind (MS_BIND|MS_REC) would.
void detach_originals_below(int lower_fd, const std::string& path) {
  UniqueDir listing = UniqueDir::list_fd(lower_fd, path);
  while (const struct dirent* entry = listing.next()) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string below = fmt::format("{}/{}", fd_path(lower_fd), name);
    (void)::umount2(below.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
  }
}

}  // namespace

UniqueFd prepare_netns_dir(const std::string& path) {
  make_dirs(path, 0755);
  // Lock the directory inode (iproute2 ip/ipnetns.c netns_add takes the same flock).
  UniqueFd lock = open_or_throw(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (::flock(lock.get(), LOCK_EX) != 0) throw_last_errno(fmt::format("flock `{}`", path));
  // On an existing mount point only the top mount is made shared: MS_REC would walk every
  // reference mounted below it (do_change_type() visits the whole subtree), an O(n) cost per
  // container start with n references. New references need no more: a bind mount attached
  // under a shared mount joins its propagation (mount_namespaces(7)). A fresh self-bind, which
  // copied whatever was mounted below, is made rshared as iproute2 does.
  bool made_mount = false;
  while (::mount("", path.c_str(), "none", made_mount ? MS_SHARED | MS_REC : MS_SHARED, nullptr) !=
         0) {
    // EINVAL: not a mount point yet. Upgrade it by bind-mounting it onto itself, once.
    if (errno != EINVAL || made_mount) {
      throw_last_errno(fmt::format("mount --make-rshared `{}`", path));
    }
    if (::mount(path.c_str(), path.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      throw_last_errno(fmt::format("mount --rbind `{}` on `{}`", path, path));
    }
    made_mount = true;
    detach_originals_below(lock.get(), path);
  }
  // Reopen: the lock fd still points at the directory underneath a fresh self-bind mount, and a
  // file created through it would be hidden below the mount.
  UniqueFd dir = open_or_throw(path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
  return dir;  // the lock is released when `lock` closes
}

UniqueFd open_dir_if_exists(const std::string& path) {
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    throw_open_error(AT_FDCWD, path, errno, fmt::format("open `{}`", path));
  }
  return UniqueFd(fd);
}

UniqueFd create_reference_file(int dir_fd, const std::string& name, int& err) {
  // iproute2 creates the mount point with mode 0 and O_EXCL, so an existing name is never reused.
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
  err = fd < 0 ? errno : 0;
  return UniqueFd(fd);
}

void bind_namespace(int ns_fd, int target_fd, const std::string& display_src,
                    const std::string& display_dst) {
  std::string src = fd_path(ns_fd);
  std::string dst = fd_path(target_fd);
  if (::mount(src.c_str(), dst.c_str(), "none", MS_BIND, nullptr) != 0) {
    throw_last_errno(fmt::format("mount `{}` on `{}`", display_src, display_dst));
  }
}

void detach_mount(int dir_fd, const std::string& name, const std::string& display) {
  std::string path = fd_path(dir_fd) + "/" + name;
  if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
      errno != ENOENT) {
    throw_last_errno(fmt::format("umount `{}`", display));
  }
}

void unlink_at(int dir_fd, const std::string& name, const std::string& display) {
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
    throw_last_errno(fmt::format("unlink `{}`", display));
  }
}

}  // namespace ocinetns
