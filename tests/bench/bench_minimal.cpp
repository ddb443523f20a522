// The kernel-work floor for tests/bench: a static program that makes only the syscalls the hook's
// design requires for one reference (common/DESIGN.md, "How it works"), with no config, no JSON library, no
// logging library and no sandbox. createRuntime: open the namespace through a pidfd, check it is
// not our own, make the netns directory a shared mount point under flock, write a pending record,
// claim the netns index entry, create the O_EXCL file, bind-mount, verify, rewrite the record as
// complete. poststop: read the record, check the reference, unmount, unlink, release, forget.
// Timed next to the exec floor and the hook, it shows what any implementation of that design
// costs on the machine. It does not read the config: it uses the `netns` and `state` directories
// that tests/bench/bench_main.cpp lays out next to $OCI_NETNS_HOOK_CONFIG, or the netns directory
// $OCI_NETNS_BENCH_NETNS_DIR names (the host's /run/netns). Not for production: every failure
// just exits 1.
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

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr std::size_t kPathMax = 1024;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "bench_minimal: %s failed\n", what);
  std::exit(1);
}

// The string value of "key" in a flat JSON object, or the digits of a number (enough for the
// states bench_main.cpp writes; not a JSON parser).
bool json_value(const char* text, const char* key, char* out, std::size_t size) {
  char quoted[64];
  std::snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char* p = std::strstr(text, quoted);
  if (p == nullptr) return false;
  p += std::strlen(quoted);
  while (*p == ':' || *p == ' ' || *p == '"') ++p;
  std::size_t n = 0;
  while (*p != '\0' && *p != '"' && *p != ',' && *p != '}' && n + 1 < size) out[n++] = *p++;
  out[n] = '\0';
  return n > 0;
}

int open_dir(int at, const char* path, int flags, mode_t mode) {
  int fd = ::openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
  if (fd < 0 && errno == ENOENT && ::mkdirat(at, path, mode) == 0) {
    fd = ::openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
  }
  if (fd < 0) fail(path);
  return fd;
}

// Writes the record of `id` for the namespace `ns` with `status` to `dir`/`name` through a
// temporary file and rename(2), as records are written.
void write_record(int dir, const char* name, const char* id, const struct stat& ns,
                  const char* status) {
  char text[kPathMax];
  std::snprintf(text, sizeof text, "{\"id\":\"%s\",\"dev\":%lu,\"ino\":%lu,\"status\":\"%s\"}", id,
                static_cast<unsigned long>(ns.st_dev), static_cast<unsigned long>(ns.st_ino),
                status);
  char tmp[kPathMax];
  std::snprintf(tmp, sizeof tmp, ".%s.tmp", name);
  int fd = ::openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail("create record");
  auto len = static_cast<ssize_t>(std::strlen(text));
  if (::write(fd, text, static_cast<std::size_t>(len)) != len) fail("write record");
  ::close(fd);
  if (::renameat(dir, tmp, dir, name) != 0) fail("rename record");
}

int create_runtime(const char* state, const char* id, int netns_dir_fd, const char* netns_dir,
                   int containers, int index) {
  char pid_text[32];
  if (!json_value(state, "pid", pid_text, sizeof pid_text)) fail("pid");
  pid_t pid = std::atoi(pid_text);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) fail("pidfd_open");
  char path[kPathMax];
  std::snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
  int ns = ::open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) fail(path);
  struct pollfd pfd {
    pidfd, POLLIN, 0
  };
  if (::poll(&pfd, 1, 0) != 0) fail("poll pidfd");
  if (::ioctl(ns, NS_GET_NSTYPE) != CLONE_NEWNET) fail("NS_GET_NSTYPE");
  struct stat ns_st {};
  struct stat self_st {};
  if (::fstat(ns, &ns_st) != 0 || ::stat("/proc/self/ns/net", &self_st) != 0) fail("stat ns");
  if (ns_st.st_ino == self_st.st_ino && ns_st.st_dev == self_st.st_dev) return 0;  // host netns

  if (::flock(netns_dir_fd, LOCK_EX) != 0) fail("flock");
  if (::mount("", netns_dir, "none", MS_SHARED, nullptr) != 0) {
    if (errno != EINVAL || ::mount(netns_dir, netns_dir, "none", MS_BIND | MS_REC, nullptr) != 0 ||
        ::mount("", netns_dir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
      fail("make the netns directory shared");
    }
  }
  int dir = ::open(netns_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) fail("reopen the netns directory");

  char record_name[kPathMax];
  std::snprintf(record_name, sizeof record_name, "%s.json", id);
  write_record(containers, record_name, id, ns_st, "pending");
  char index_name[64];
  std::snprintf(index_name, sizeof index_name, "%lu-%lu", static_cast<unsigned long>(ns_st.st_dev),
                static_cast<unsigned long>(ns_st.st_ino));
  int claim =
      ::openat(index, index_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (claim >= 0) {
    if (::write(claim, id, std::strlen(id)) < 0) fail("write index");
    ::close(claim);
  }

  int file = ::openat(dir, id, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (file < 0) fail("create the reference");
  char src[64];
  char dst[64];
  std::snprintf(src, sizeof src, "/proc/self/fd/%d", ns);
  std::snprintf(dst, sizeof dst, "/proc/self/fd/%d", file);
  if (::mount(src, dst, "none", MS_BIND, nullptr) != 0) fail("bind mount");
  int made = ::openat(dir, id, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sfs {};
  if (made < 0 || ::fstatfs(made, &sfs) != 0 || sfs.f_type != NSFS_MAGIC) fail("verify");
  write_record(containers, record_name, id, ns_st, "complete");
  std::fprintf(stderr, "bench_minimal: created %s/%s for %s\n", netns_dir, id, id);
  return 0;
}

int poststop(const char* id, const char* netns_dir, int containers, int index) {
  char record_name[kPathMax];
  std::snprintf(record_name, sizeof record_name, "%s.json", id);
  int fd = ::openat(containers, record_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;  // nothing recorded: nothing to do
  char record[kPathMax];
  ssize_t n = ::read(fd, record, sizeof record - 1);
  ::close(fd);
  if (n <= 0) fail("read record");
  record[n] = '\0';
  char dev[32];
  char ino[32];
  if (!json_value(record, "dev", dev, sizeof dev) || !json_value(record, "ino", ino, sizeof ino)) {
    fail("parse record");
  }
  int dir = ::open(netns_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) fail("open the netns directory");
  int ref = ::openat(dir, id, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sfs {};
  struct stat st {};
  if (ref >= 0 && ::fstatfs(ref, &sfs) == 0 && sfs.f_type == NSFS_MAGIC && ::fstat(ref, &st) == 0 &&
      st.st_ino == std::strtoul(ino, nullptr, 10)) {
    char path[kPathMax];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dir, id);
    if (::umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) != 0) fail("umount");
    if (::unlinkat(dir, id, 0) != 0) fail("unlink the reference");
  }
  char index_name[80];
  std::snprintf(index_name, sizeof index_name, "%s-%s", dev, ino);
  ::unlinkat(index, index_name, 0);
  if (::unlinkat(containers, record_name, 0) != 0) fail("unlink record");
  std::fprintf(stderr, "bench_minimal: removed %s/%s for %s\n", netns_dir, id, id);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  static char state[65536];
  std::size_t used = 0;
  ssize_t n = 0;
  while ((n = ::read(STDIN_FILENO, state + used, sizeof state - 1 - used)) > 0) {
    used += static_cast<std::size_t>(n);
  }
  state[used] = '\0';
  const char* config = std::getenv("OCI_NETNS_HOOK_CONFIG");
  if (argc < 2 || config == nullptr || std::strrchr(config, '/') == nullptr) fail("usage");
  int base_len = static_cast<int>(std::strrchr(config, '/') - config);
  char netns_dir[kPathMax];
  char state_dir[kPathMax];
  const char* netns_env = std::getenv("OCI_NETNS_BENCH_NETNS_DIR");
  int netns_len = netns_env == nullptr
                      ? std::snprintf(netns_dir, sizeof netns_dir, "%.*s/netns", base_len, config)
                      : std::snprintf(netns_dir, sizeof netns_dir, "%s", netns_env);
  if (netns_len >= int{kPathMax} ||
      std::snprintf(state_dir, sizeof state_dir, "%.*s/state", base_len, config) >= int{kPathMax}) {
    fail("directory names");
  }
  char id[256];
  if (!json_value(state, "id", id, sizeof id)) fail("id");

  bool create = std::strcmp(argv[1], "createRuntime") == 0;
  int state_fd = open_dir(AT_FDCWD, state_dir, O_NOFOLLOW, 0700);
  int containers = open_dir(state_fd, "containers", O_NOFOLLOW, 0700);
  int index = open_dir(state_fd, "netns", O_NOFOLLOW, 0700);
  if (!create) return poststop(id, netns_dir, containers, index);
  int netns_dir_fd = open_dir(AT_FDCWD, netns_dir, O_NOFOLLOW, 0755);
  return create_runtime(state, id, netns_dir_fd, netns_dir, containers, index);
}
