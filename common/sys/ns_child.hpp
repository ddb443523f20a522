// The one way this project runs code inside other namespaces: a forked child. setns(2) and
// unshare(2) move only the calling thread, so the work happens in a child that is a copy of one
// thread, and this process never changes namespace. Used by the sysctl writer and prober
// (common/sys/sysctl_apply.cpp) and by netlink's socket hand-over (common/sys/netlink.cpp).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include "common/base/unique_fd.hpp"

namespace ocinetns {

class NsChild {
 public:
  // How the child talks back. Either way the parent reads EOF once the child has exited.
  enum class Channel {
    // A pipe (pipe(7)): a write of at most PIPE_BUF bytes is atomic, so fixed-size reports never
    // interleave or tear. The one createRuntime's seccomp allowlist permits (sandbox_filter.cpp).
    kPipe,
    // A SOCK_SEQPACKET socketpair (unix(7)), which can carry descriptors (SCM_RIGHTS).
    kSocketPair,
  };

  // Forks a child for `what` (named in errors), connected to this process by `channel`. The
  // child gets PR_SET_PDEATHSIG SIGKILL (if this process is killed, e.g. by a runtime's hook
  // timeout, the child goes with it), runs `body(channel fd)` and is _exit(0)ed. `body` must only
  // make async-signal-safe calls on data prepared before the fork. Throws std::system_error.
  template <typename Body>
  static NsChild start(const char* what, Channel channel, const Body& body) {
    NsChild child = fork_child(what, channel);
    if (child.pid_ == 0) {
      body(child.child_end_.get());
      ::_exit(0);
    }
    return child;
  }

  NsChild(const NsChild&) = delete;
  NsChild& operator=(const NsChild&) = delete;
  NsChild(NsChild&& other) noexcept;
  NsChild& operator=(NsChild&&) = delete;
  // Closes this end and reaps the child if wait() was not called.
  ~NsChild();

  // This process's end of the channel.
  [[nodiscard]] int channel() const noexcept { return parent_end_.get(); }
  // Closes this end and reaps the child; returns its wait status. Throws std::system_error.
  int wait();

 private:
  NsChild() = default;
  static NsChild fork_child(const char* what, Channel channel);

  const char* what_ = "";
  pid_t pid_ = -1;
  UniqueFd parent_end_;
  UniqueFd child_end_;  // open in the child only
};

}  // namespace ocinetns
