// setns/unshare/mount for `oci-netns-hook exec`, and opening a reference without following it.
#include "common/sys/netns_exec.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "common/base/errors.hpp"

namespace ocinetns {

UniqueFd open_netns_entry(int dir_fd, const std::string& name, std::string& why) {
  int path_fd = ::openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (path_fd < 0) {
    why = errno == ENOENT ? "gone" : fmt::format("open: {}", std::strerror(errno));
    return UniqueFd();
  }
  UniqueFd path(path_fd);
  struct statfs sfs {};
  if (::fstatfs(path.get(), &sfs) != 0 || static_cast<unsigned long>(sfs.f_type) != NSFS_MAGIC) {
    why = "not a namespace reference";
    return UniqueFd();
  }
  int fd = ::open(fmt::format("/proc/self/fd/{}", path.get()).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = fmt::format("open: {}", std::strerror(errno));
    return UniqueFd();
  }
  UniqueFd ns(fd);
  if (::ioctl(ns.get(), NS_GET_NSTYPE) != CLONE_NEWNET) {
    why = "not a network namespace";
    return UniqueFd();
  }
  return ns;
}

void enter_netns_like_ip_netns(int netns_fd, const std::string& name) {
  if (::setns(netns_fd, CLONE_NEWNET) != 0) {
    throw_last_errno(fmt::format("setns into `{}`", name));
  }
  if (::unshare(CLONE_NEWNS) != 0) throw_last_errno("unshare(CLONE_NEWNS)");
  // Not MS_PRIVATE: iproute2 uses MS_SLAVE, so mounts the host makes later still appear here.
  if (::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) {
    throw_last_errno("mount --make-rslave /");
  }
  // As iproute2: if /sys cannot be detached (no sysfs there), the new one is mounted over it,
  // read-only if the old one is (a read-only mount cannot be shadowed by a read-write one).
  unsigned long flags = 0;
  if (::umount2("/sys", MNT_DETACH) != 0) {
    struct statvfs sv {};
    if (::statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0) flags = MS_RDONLY;
  }
  if (::mount(name.c_str(), "/sys", "sysfs", flags, nullptr) != 0) {
    throw_last_errno("mount sysfs on /sys");
  }
}

void exec_command(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
}

}  // namespace ocinetns
