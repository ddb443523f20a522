// System layer for rtnetlink: NETLINK_ROUTE sockets bound to a chosen network namespace, and
// RTM_GETLINK / RTM_GETADDR / RTM_GETNSID requests over them. Parsing is in netlink_parse.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/unique_fd.hpp"
#include "common/model/netlink_parse.hpp"

namespace ocinetns {

// A NETLINK_ROUTE socket. A netlink socket answers for the netns it was created in, whichever
// thread or process later uses it (netlink(7), net/netlink/af_netlink.c: sock_net is fixed at
// socket()), so a socket made inside a container's netns can be used from the host process.
class RouteSocket {
 public:
  // A socket in the calling thread's netns.
  static RouteSocket open_here();
  // A socket in the netns `ns_fd`. setns(2) changes the calling *thread's* netns, so it happens
  // in a forked child (single-threaded by construction), which creates the socket and hands it
  // back over a socketpair with SCM_RIGHTS (unix(7)). This process never changes namespace.
  static RouteSocket open_in(int ns_fd, const std::string& what);

  [[nodiscard]] std::vector<NetLink> links();
  [[nodiscard]] std::vector<NetAddress> addresses();
  // The nsid this socket's netns uses for the netns `ns_fd` (RTM_GETNSID with NETNSA_FD), or
  // nullopt if it has none. IFLA_LINK_NETNSID values are in the same numbering.
  [[nodiscard]] std::optional<int> nsid_of(int ns_fd);

 private:
  explicit RouteSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  void send_request(const std::vector<std::uint8_t>& msg, const char* what);
  std::vector<std::uint8_t> receive(const char* what);
  template <typename T, typename Parse>
  std::vector<T> dump(std::uint16_t type, const char* what, Parse parse);

  UniqueFd fd_;
  std::uint32_t seq_ = 0;
};

}  // namespace ocinetns
