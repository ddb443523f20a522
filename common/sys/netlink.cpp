// rtnetlink I/O: sockets, the fork+setns hand-over of a socket from another netns, and dumps.
#include "common/sys/netlink.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "common/base/errors.hpp"
#include "common/sys/ns_child.hpp"

namespace ocinetns {
namespace {

constexpr int kDumpAttempts = 5;
constexpr std::size_t kReceiveBuffer = 64 * 1024;  // netlink(7) suggests >= 8 KiB per recv

int make_route_socket() {
  return ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

// Child side of open_in: only async-signal-safe calls. Sends {errno} and, on success, the socket
// as SCM_RIGHTS.
void child_send_socket(int ns_fd, int channel) {
  int err = 0;
  int sock = -1;
  if (::setns(ns_fd, CLONE_NEWNET) != 0) {
    err = errno;
  } else {
    sock = make_route_socket();
    if (sock < 0) err = errno;
  }
  iovec iov{&err, sizeof err};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (sock >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &sock, sizeof sock);
  }
  ssize_t sent;
  do {
    sent = ::sendmsg(channel, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
}

}  // namespace

RouteSocket RouteSocket::open_here() {
  int fd = make_route_socket();
  if (fd < 0) throw_last_errno("socket NETLINK_ROUTE");
  return RouteSocket(UniqueFd(fd));
}

RouteSocket RouteSocket::open_in(int ns_fd, const std::string& what) {
  NsChild child = NsChild::start("the netlink child", NsChild::Channel::kSocketPair,
                                 [ns_fd](int channel) { child_send_socket(ns_fd, channel); });

  int err = 0;
  iovec iov{&err, sizeof err};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = ::recvmsg(child.channel(), &msg, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  int recv_err = got < 0 ? errno : 0;
  UniqueFd sock;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      sock.reset(fd);
    }
  }
  child.wait();
  if (recv_err != 0) throw_errno(recv_err, fmt::format("receive netlink socket of netns {}", what));
  if (err != 0) throw_errno(err, fmt::format("open netlink socket in netns {}", what));
  if (!sock || got != static_cast<ssize_t>(sizeof err)) {
    throw std::runtime_error(
        fmt::format("open netlink socket in netns {}: no socket received", what));
  }
  return RouteSocket(std::move(sock));
}

void RouteSocket::send_request(const std::vector<std::uint8_t>& msg, const char* what) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = ::sendto(fd_.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_last_errno(fmt::format("netlink send {}", what));
}

std::vector<std::uint8_t> RouteSocket::receive(const char* what) {
  std::vector<std::uint8_t> buf(kReceiveBuffer);
  for (;;) {
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = ::recvmsg(fd_.get(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_last_errno(fmt::format("netlink receive {}", what));
    }
    if (msg.msg_flags & MSG_TRUNC) {
      throw std::runtime_error(fmt::format("netlink receive {}: message truncated", what));
    }
    if (from.nl_pid != 0) continue;  // only the kernel (port 0) answers us
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
}

template <typename T, typename Parse>
std::vector<T> RouteSocket::dump(std::uint16_t type, const char* what, Parse parse) {
  std::vector<T> out;
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    out.clear();
    std::uint32_t seq = ++seq_;
    send_request(build_dump_request(type, seq), what);
    bool interrupted = false;
    for (;;) {
      std::vector<std::uint8_t> buf = receive(what);
      DumpStatus status = parse(std::span<const std::uint8_t>(buf), seq, out);
      interrupted = interrupted || status.interrupted;
      if (status.error != 0) throw_errno(status.error, fmt::format("netlink {}", what));
      if (status.done) break;
    }
    // NLM_F_DUMP_INTR: the table changed during the dump; the result may be inconsistent.
    if (!interrupted) return out;
  }
  throw std::runtime_error(fmt::format("netlink {}: dump kept being interrupted", what));
}

std::vector<NetLink> RouteSocket::links() {
  return dump<NetLink>(RTM_GETLINK, "RTM_GETLINK", parse_link_dump);
}

std::vector<NetAddress> RouteSocket::addresses() {
  return dump<NetAddress>(RTM_GETADDR, "RTM_GETADDR", parse_addr_dump);
}

std::optional<int> RouteSocket::nsid_of(int ns_fd) {
  std::uint32_t seq = ++seq_;
  send_request(build_getnsid_request(ns_fd, seq), "RTM_GETNSID");
  for (;;) {
    std::vector<std::uint8_t> buf = receive("RTM_GETNSID");
    DumpStatus status;
    std::optional<int> nsid = parse_nsid_reply(std::span<const std::uint8_t>(buf), seq, status);
    if (status.error != 0) throw_errno(status.error, "netlink RTM_GETNSID");
    if (status.done) return nsid;
  }
}

}  // namespace ocinetns
