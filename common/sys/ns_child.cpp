// Forking and reaping NsChild.
#include "common/sys/ns_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <cerrno>
#include <utility>

#include "common/base/errors.hpp"

namespace ocinetns {

NsChild NsChild::fork_child(const char* what, Channel channel) {
  int pair[2];  // [0] the parent's end (a pipe's read end), [1] the child's
  if (channel == Channel::kPipe) {
    if (::pipe2(pair, O_CLOEXEC) != 0) throw_last_errno(fmt::format("pipe for {}", what));
  } else if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    throw_last_errno(fmt::format("socketpair for {}", what));
  }
  NsChild child;
  child.what_ = what;
  child.parent_end_ = UniqueFd(pair[0]);
  child.child_end_ = UniqueFd(pair[1]);
  child.pid_ = ::fork();
  if (child.pid_ < 0) throw_last_errno(fmt::format("fork {}", what));
  if (child.pid_ == 0) {
    child.parent_end_.reset();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  } else {
    child.child_end_.reset();
  }
  return child;
}

NsChild::NsChild(NsChild&& other) noexcept
    : what_(other.what_),
      pid_(std::exchange(other.pid_, -1)),
      parent_end_(std::move(other.parent_end_)),
      child_end_(std::move(other.child_end_)) {}

NsChild::~NsChild() {
  if (pid_ <= 0) return;
  parent_end_.reset();  // a child still writing gets EPIPE and ends
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

int NsChild::wait() {
  parent_end_.reset();
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      pid_ = -1;
      throw_errno(err, fmt::format("wait for {}", what_));
    }
  }
  pid_ = -1;
  return status;
}

}  // namespace ocinetns
