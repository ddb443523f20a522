// Pure parsing of rtnetlink replies (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWNSID) from raw receive
// buffers, and building the request messages. No sockets here: common/sys/netlink.hpp does the I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ocinetns {

// One network interface as RTM_GETLINK reports it (rtnetlink(7)).
struct NetLink {
  int index = 0;
  std::string name;    // IFLA_IFNAME
  std::string kind;    // IFLA_LINKINFO/IFLA_INFO_KIND, e.g. "veth", "bridge"; empty if none
  unsigned flags = 0;  // ifi_flags (IFF_UP, ...)
  int link = 0;        // IFLA_LINK: for a veth, the peer's ifindex (in the peer's netns)
  std::optional<int> link_netnsid;  // IFLA_LINK_NETNSID: the peer lives in another netns
  int master = 0;                   // IFLA_MASTER: the bridge (or bond) this link is enslaved to
};

// One address as RTM_GETADDR reports it.
struct NetAddress {
  int index = 0;   // ifa_index
  int family = 0;  // AF_INET or AF_INET6
  int prefixlen = 0;
  std::string address;  // IFA_LOCAL if present (the local end), else IFA_ADDRESS; inet_ntop text
  [[nodiscard]] std::string cidr() const { return address + "/" + std::to_string(prefixlen); }
};

// What one receive buffer of a dump said about the dump as a whole.
struct DumpStatus {
  bool done = false;         // NLMSG_DONE seen: the dump is complete
  bool interrupted = false;  // NLM_F_DUMP_INTR: the table changed mid-dump, retry it
  int error = 0;             // a positive errno from NLMSG_ERROR, 0 if none
};

// Parse one receive buffer. Messages whose nlmsg_seq differs from `seq` are ignored (a stale
// reply to an earlier request). Throws InputError on a malformed (truncated) message.
DumpStatus parse_link_dump(std::span<const std::uint8_t> buf, std::uint32_t seq,
                           std::vector<NetLink>& out);
DumpStatus parse_addr_dump(std::span<const std::uint8_t> buf, std::uint32_t seq,
                           std::vector<NetAddress>& out);

// The reply to RTM_GETNSID: the nsid, or nullopt if the kernel says none is assigned
// (NETNSA_NSID_NOT_ASSIGNED). `status.error` is set from an NLMSG_ERROR reply.
std::optional<int> parse_nsid_reply(std::span<const std::uint8_t> buf, std::uint32_t seq,
                                    DumpStatus& status);

// Request messages, ready to send(2).
std::vector<std::uint8_t> build_dump_request(std::uint16_t type,
                                             std::uint32_t seq);  // GETLINK/ADDR
std::vector<std::uint8_t> build_getnsid_request(int ns_fd, std::uint32_t seq);

}  // namespace ocinetns
