// System layer for namespace files: opening a process's namespace without a PID-reuse race,
// identifying namespaces, and preparing the netns directory the way iproute2 does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/base/unique_fd.hpp"
#include "common/model/ns_id.hpp"
#include "common/model/proc_stat.hpp"

namespace ocinetns {

NsId ns_id_of_fd(int fd, const std::string& what);

// A namespace of a live process, opened race-free: pidfd_open(2) first, then /proc/<pid>/ns/<kind>
// through a /proc/<pid> directory fd, then the pidfd is polled (readable = exited, pidfd_open(2))
// so a recycled PID cannot hand us someone else's namespace.
struct ProcessNs {
  UniqueFd ns;
  NsId id;
  std::uint64_t start_time = 0;  // /proc/<pid>/stat field 22, with the pid it names the process
};

// `kind` is "net" or "ipc"; `nstype` the matching CLONE_NEW* flag, checked with NS_GET_NSTYPE.
// Throws InputError("pid: process P does not exist") if the process is gone, system_error else.
ProcessNs open_process_ns(pid_t pid, const char* kind, int nstype);

// Identity of this process's own namespace of `kind` (the runtime's: hooks run in it).
NsId self_ns_id(const char* kind);

// /proc/<pid>/stat of the process whose /proc/<pid> directory `proc_pid_dir` is, parsed by the
// one parser (common/model/proc_stat.hpp); nullopt if the process is gone or the text is not a
// stat line.
std::optional<ProcStat> read_process_stat_at(int proc_pid_dir);
// The same for `pid` (nullopt for pid <= 0).
std::optional<ProcStat> read_process_stat(pid_t pid);

// What sits at a name inside the netns directory.
enum class RefKind { kAbsent, kNamespace, kEmptyFile, kOther };
struct RefInfo {
  RefKind kind = RefKind::kAbsent;
  NsId id;  // for kNamespace
};
// Inspects `name` in `dir_fd` without following symlinks or blocking on FIFOs.
RefInfo inspect_reference(int dir_fd, const std::string& name);

// Makes `path` (and parents) exist and be a shared mount point, as iproute2's netns_add does:
// mount("", dir, MS_SHARED|MS_REC); on EINVAL bind-mount the dir onto itself and retry. The
// step runs under flock(LOCK_EX) on the directory, the lock iproute2 takes, so parallel hooks
// and `ip netns add` never stack self-bind mounts. Returns an O_PATH fd of the mounted directory.
UniqueFd prepare_netns_dir(const std::string& path);

// Opens an existing directory (O_DIRECTORY|O_NOFOLLOW). Invalid fd if absent.
UniqueFd open_dir_if_exists(const std::string& path);

// Creates `name` in `dir_fd` with O_EXCL (errno EEXIST is returned in `err`, fd invalid).
UniqueFd create_reference_file(int dir_fd, const std::string& name, int& err);

// Bind-mounts the namespace `ns_fd` onto the file `target_fd`, both through /proc/self/fd magic
// links so that no path component can be swapped for a symlink in between (as runc does).
void bind_namespace(int ns_fd, int target_fd, const std::string& display_src,
                    const std::string& display_dst);

// umount2(MNT_DETACH|UMOUNT_NOFOLLOW) `name` in the directory `dir_fd`, reached through the
// /proc/self/fd magic link so that no path component is looked up again; EINVAL (not a mount)
// and ENOENT are fine. `display` names it in errors.
void detach_mount(int dir_fd, const std::string& name, const std::string& display);

// unlinkat; ENOENT is fine.
void unlink_at(int dir_fd, const std::string& name, const std::string& display);

}  // namespace ocinetns
