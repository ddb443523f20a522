// Sysctl writing: a forked child that joins the container's namespaces.
// setns(2) changes only the calling thread's namespaces, and /proc/sys/net resolves against the
// opening task's network namespace (net/sysctl_net.c), as do the IPC keys (ipc/ipc_sysctl.c), so
// the child must be inside the container's namespaces before it opens anything under /proc/sys.
#include "common/sys/sysctl_apply.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <system_error>

#include "common/base/errors.hpp"
#include "common/base/fault.hpp"
#include "common/base/unique_fd.hpp"
#include "common/sys/ns_child.hpp"

namespace ocinetns {

namespace {

// What the child reports per write. Fixed size, written with one write(2) each: a pipe write of
// at most PIPE_BUF bytes is atomic (pipe(7)), so reports never interleave or tear.
enum class Step : std::int32_t { kDone, kJoin, kVerify, kOpen, kWrite, kShortWrite };
struct Report {
  std::uint32_t index;
  Step step;
  std::int32_t err;
};

struct NsSlot {
  const char* kind;       // "net" / "ipc"
  const char* self_path;  // the child's view of its own namespace after setns
  int nstype;             // CLONE_NEWNET / CLONE_NEWIPC
  const ProcessNs* target = nullptr;
  bool needed = false;
  bool host = false;  // the container shares the runtime's namespace: never touched
};

std::size_t slot_of(SysctlNamespace ns) {
  return ns == SysctlNamespace::kNet ? 0 : 1;
}

void send_report(int fd, std::uint32_t index, Step step, int err) {
  Report r{index, step, err};
  while (::write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

// The writing child: only syscalls on data prepared by the parent (no allocation, no logging).
void write_child(int report_fd, const std::array<NsSlot, 2>& slots,
                 const std::vector<SysctlWrite>& writes, const std::vector<std::string>& paths) {
  OCI_NETNS_FAULT_POINT("sysctl-child");
  std::array<bool, 2> joined{false, false};
  std::array<Step, 2> fail_step{Step::kJoin, Step::kJoin};
  std::array<int, 2> fail_err{0, 0};
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const NsSlot& slot = slots[s];
    if (!slot.needed || slot.host) continue;
    if (::setns(slot.target->ns.get(), slot.nstype) != 0) {
      fail_err[s] = errno;
      continue;
    }
    // Belt and braces: confirm the switch before any write, so a kernel or fd mix-up can never
    // turn into a write to the host's /proc/sys.
    struct stat st {};
    if (::stat(slot.self_path, &st) != 0) {
      fail_step[s] = Step::kVerify;
      fail_err[s] = errno;
      continue;
    }
    if (static_cast<std::uint64_t>(st.st_dev) != slot.target->id.dev ||
        static_cast<std::uint64_t>(st.st_ino) != slot.target->id.ino) {
      fail_step[s] = Step::kVerify;
      fail_err[s] = EXDEV;
      continue;
    }
    joined[s] = true;
  }
  for (std::size_t i = 0; i < writes.size(); ++i) {
    std::size_t s = slot_of(writes[i].key.ns);
    auto index = static_cast<std::uint32_t>(i);
    if (slots[s].host) continue;  // the parent already marked it skipped
    if (!joined[s]) {
      send_report(report_fd, index, fail_step[s], fail_err[s]);
      continue;
    }
    int fd = ::open(paths[i].c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      send_report(report_fd, index, Step::kOpen, errno);
      continue;
    }
    const std::string& value = writes[i].value;
    ssize_t n = ::write(fd, value.data(), value.size());
    int err = errno;
    ::close(fd);
    if (n < 0) {
      send_report(report_fd, index, Step::kWrite, err);
    } else if (static_cast<std::size_t>(n) != value.size()) {
      send_report(report_fd, index, Step::kShortWrite, EIO);
    } else {
      send_report(report_fd, index, Step::kDone, 0);
    }
  }
}

std::string short_value(const std::string& value) {
  std::string out;
  for (unsigned char c : value.substr(0, 64)) {
    out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  }
  if (value.size() > 64) out += "...";
  return out;
}

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

std::string failure_message(const SysctlWrite& w, Step step, int err) {
  std::string_view ns = sysctl_namespace_name(w.key.ns);
  switch (step) {
    case Step::kJoin:
      return fmt::format("sysctl {}: not written, cannot join the container's {} namespace: {}",
                         w.key.display, ns, errno_text(err));
    case Step::kVerify:
      return fmt::format(
          "sysctl {}: not written, could not confirm the switch into the container's {} "
          "namespace: {}",
          w.key.display, ns, errno_text(err));
    case Step::kOpen:
      if (err == ENOENT) {
        return fmt::format(
            "sysctl {}: does not exist in the container's {} namespace{}", w.key.display, ns,
            !sysctl_interface(w.key).empty() ? " (the interface may not exist yet at createRuntime)"
                                             : "");
      }
      return fmt::format("sysctl {}: cannot open /proc/sys/{}: {}", w.key.display, w.key.path,
                         errno_text(err));
    case Step::kWrite:
      return fmt::format("sysctl {}: writing \"{}\" failed: {}", w.key.display,
                         short_value(w.value), errno_text(err));
    case Step::kShortWrite:
      return fmt::format("sysctl {}: the kernel accepted only part of \"{}\"", w.key.display,
                         short_value(w.value));
    case Step::kDone:
      break;
  }
  return {};
}

std::string wait_status_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "stopped";
}

// Runs `child(report_fd)` in an NsChild (common/sys/ns_child.hpp) and collects one Report per
// index below `count`; an index the child never reported stays empty. `what` names the child in
// errors.
struct ChildReports {
  std::vector<std::optional<Report>> reports;
  int status = 0;  // the child's wait status
};

template <typename Child>
ChildReports run_reporting_child(std::size_t count, const char* what, const Child& child) {
  NsChild proc = NsChild::start(what, NsChild::Channel::kPipe, child);
  ChildReports out;
  out.reports.resize(count);
  Report r{};
  std::size_t have = 0;
  for (;;) {
    ssize_t n = ::read(proc.channel(), reinterpret_cast<char*>(&r) + have, sizeof r - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child exited (or a read error, handled as missing reports)
    have += static_cast<std::size_t>(n);
    if (have < sizeof r) continue;
    have = 0;
    if (r.index < count) out.reports[r.index] = r;
  }
  out.status = proc.wait();
  return out;
}

}  // namespace

std::vector<SysctlOutcome> apply_sysctls(const std::vector<SysctlWrite>& writes,
                                         const SysctlTargets& targets) {
  std::vector<SysctlOutcome> outcomes;
  if (writes.empty()) return outcomes;

  std::array<NsSlot, 2> slots{NsSlot{"net", "/proc/thread-self/ns/net", CLONE_NEWNET, targets.net},
                              NsSlot{"ipc", "/proc/thread-self/ns/ipc", CLONE_NEWIPC, targets.ipc}};
  for (const auto& w : writes) slots[slot_of(w.key.ns)].needed = true;
  for (auto& slot : slots) {
    if (!slot.needed) continue;
    if (slot.target == nullptr || !slot.target->ns.valid()) {
      throw std::logic_error(fmt::format("apply_sysctls: no {} namespace given", slot.kind));
    }
    slot.host = slot.target->id == self_ns_id(slot.kind);
  }

  // Everything the child needs is built here, before fork.
  std::vector<std::string> paths;
  paths.reserve(writes.size());
  outcomes.reserve(writes.size());
  bool any_to_write = false;
  for (const auto& w : writes) {
    paths.push_back("/proc/sys/" + w.key.path);
    SysctlOutcome o{w.key, w.value, SysctlStatus::kFailed, 0, {}};
    if (slots[slot_of(w.key.ns)].host) {
      o.status = SysctlStatus::kSkippedHostNamespace;
      o.message = fmt::format(
          "sysctl {}: not applied, the container uses the host's {} namespace (the hook never "
          "changes the host)",
          w.key.display, sysctl_namespace_name(w.key.ns));
    } else {
      any_to_write = true;
    }
    outcomes.push_back(std::move(o));
  }
  if (!any_to_write) return outcomes;

  ChildReports run = run_reporting_child(writes.size(), "the sysctl child", [&](int report_fd) {
    write_child(report_fd, slots, writes, paths);
  });
  for (std::size_t i = 0; i < writes.size(); ++i) {
    SysctlOutcome& o = outcomes[i];
    if (o.status == SysctlStatus::kSkippedHostNamespace) continue;
    if (const auto& r = run.reports[i]) {
      if (r->step == Step::kDone) {
        o.status = SysctlStatus::kApplied;
      } else {
        o.status = SysctlStatus::kFailed;
        o.err = r->err;
        o.message = failure_message(writes[i], r->step, r->err);
      }
      continue;
    }
    o.status = SysctlStatus::kFailed;
    o.err = ECHILD;
    o.message =
        fmt::format("sysctl {}: unknown whether it was written, the sysctl child ended ({})",
                    writes[i].key.display, wait_status_text(run.status));
  }
  return outcomes;
}

std::vector<SysctlProbe> probe_fresh_sysctls(const std::vector<SysctlKey>& keys) {
  std::vector<SysctlProbe> probes(keys.size());
  if (keys.empty()) return probes;
  int flags = CLONE_NEWNET;
  std::vector<std::string> paths;
  paths.reserve(keys.size());
  for (const auto& k : keys) {
    if (k.ns == SysctlNamespace::kIpc) flags |= CLONE_NEWIPC;
    paths.push_back("/proc/sys/" + k.path);
  }
  ChildReports run = run_reporting_child(keys.size(), "the sysctl probe child", [&](int report_fd) {
    // The child is single-threaded, so unshare(2) moves the task that resolves /proc/sys.
    if (::unshare(flags) != 0) {
      int err = errno;
      for (std::size_t i = 0; i < paths.size(); ++i) {
        send_report(report_fd, static_cast<std::uint32_t>(i), Step::kJoin, err);
      }
      return;
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      struct stat st {};
      int err = ::stat(paths[i].c_str(), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
      send_report(report_fd, static_cast<std::uint32_t>(i), err == 0 ? Step::kDone : Step::kOpen,
                  err);
    }
  });
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& r = run.reports[i];
    SysctlProbe& p = probes[i];
    if (!r) {
      p = {SysctlPresence::kUnchecked, ECHILD};
    } else if (r->step == Step::kDone) {
      p = {SysctlPresence::kPresent, 0};
    } else if (r->step == Step::kOpen && (r->err == ENOENT || r->err == ENOTDIR)) {
      p = {SysctlPresence::kMissing, r->err};
    } else if (r->step == Step::kOpen && r->err == EISDIR) {
      p = {SysctlPresence::kNotAKey, r->err};
    } else {
      p = {SysctlPresence::kUnchecked, r->err};
    }
  }
  return probes;
}

}  // namespace ocinetns
