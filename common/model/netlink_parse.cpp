// rtnetlink message parsing. Every length is checked against the buffer before it is used
// (netlink(7): NLMSG_OK / RTA_OK semantics); headers are copied out with memcpy so an unaligned
// buffer is never dereferenced.
#include "common/model/netlink_parse.hpp"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cstring>
#include <functional>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

using Bytes = std::span<const std::uint8_t>;

template <typename T>
T read_struct(Bytes bytes) {
  T value{};
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// Walks the rtattr list in `attrs`, calling `fn(type, payload)` for each; the type has the
// NLA_F_NESTED / NLA_F_NET_BYTEORDER bits cleared.
void for_each_attr(Bytes attrs, const std::function<void(unsigned, Bytes)>& fn) {
  std::size_t pos = 0;
  while (attrs.size() - pos >= sizeof(rtattr)) {
    auto rta = read_struct<rtattr>(attrs.subspan(pos));
    if (rta.rta_len < sizeof(rtattr) || rta.rta_len > attrs.size() - pos) {
      throw InputError("netlink: truncated attribute");
    }
    fn(rta.rta_type & NLA_TYPE_MASK,
       attrs.subspan(pos + RTA_LENGTH(0), rta.rta_len - RTA_LENGTH(0)));
    pos += RTA_ALIGN(rta.rta_len);
    if (pos > attrs.size()) break;  // the last attribute need not be padded
  }
}

std::string attr_string(Bytes payload) {
  std::string s(reinterpret_cast<const char*>(payload.data()), payload.size());
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

template <typename T>
T attr_scalar(Bytes payload, const char* what) {
  if (payload.size() < sizeof(T)) throw InputError(fmt::format("netlink: short {}", what));
  return read_struct<T>(payload);
}

// Walks the messages of one receive buffer with our sequence number. `fn(type, payload)` gets
// each data message's payload (after the nlmsghdr).
DumpStatus for_each_message(Bytes buf, std::uint32_t seq,
                            const std::function<void(std::uint16_t, Bytes)>& fn) {
  DumpStatus status;
  std::size_t pos = 0;
  while (buf.size() - pos >= sizeof(nlmsghdr)) {
    auto hdr = read_struct<nlmsghdr>(buf.subspan(pos));
    if (hdr.nlmsg_len < sizeof(nlmsghdr) || hdr.nlmsg_len > buf.size() - pos) {
      throw InputError("netlink: truncated message");
    }
    Bytes payload = buf.subspan(pos + NLMSG_HDRLEN, hdr.nlmsg_len - NLMSG_HDRLEN);
    std::size_t next = pos + NLMSG_ALIGN(hdr.nlmsg_len);
    pos = next > buf.size() ? buf.size() : next;
    if (hdr.nlmsg_seq != seq) continue;
    if (hdr.nlmsg_flags & NLM_F_DUMP_INTR) status.interrupted = true;
    if (hdr.nlmsg_type == NLMSG_DONE) {
      status.done = true;
      break;
    }
    if (hdr.nlmsg_type == NLMSG_ERROR) {
      auto err = attr_scalar<nlmsgerr>(payload, "NLMSG_ERROR");
      status.error = -err.error;  // 0 is an ACK
      status.done = true;
      break;
    }
    if (hdr.nlmsg_type == NLMSG_NOOP || hdr.nlmsg_type == NLMSG_OVERRUN) continue;
    fn(hdr.nlmsg_type, payload);
  }
  return status;
}

NetLink parse_link(Bytes payload) {
  if (payload.size() < NLMSG_ALIGN(sizeof(ifinfomsg))) throw InputError("netlink: short ifinfomsg");
  auto ifi = read_struct<ifinfomsg>(payload);
  NetLink link;
  link.index = ifi.ifi_index;
  link.flags = ifi.ifi_flags;
  for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof(ifinfomsg))), [&](unsigned type, Bytes p) {
    switch (type) {
      case IFLA_IFNAME:
        link.name = attr_string(p);
        break;
      case IFLA_LINK:
        link.link = attr_scalar<std::int32_t>(p, "IFLA_LINK");
        break;
      case IFLA_LINK_NETNSID:
        link.link_netnsid = attr_scalar<std::int32_t>(p, "IFLA_LINK_NETNSID");
        break;
      case IFLA_MASTER:
        link.master = attr_scalar<std::int32_t>(p, "IFLA_MASTER");
        break;
      case IFLA_LINKINFO:
        for_each_attr(p, [&](unsigned info_type, Bytes info) {
          if (info_type == IFLA_INFO_KIND) link.kind = attr_string(info);
        });
        break;
      default:
        break;
    }
  });
  return link;
}

NetAddress parse_addr(Bytes payload) {
  if (payload.size() < NLMSG_ALIGN(sizeof(ifaddrmsg))) throw InputError("netlink: short ifaddrmsg");
  auto ifa = read_struct<ifaddrmsg>(payload);
  NetAddress addr;
  addr.index = static_cast<int>(ifa.ifa_index);
  addr.family = ifa.ifa_family;
  addr.prefixlen = ifa.ifa_prefixlen;
  std::string local, address;
  std::size_t want = ifa.ifa_family == AF_INET ? 4 : ifa.ifa_family == AF_INET6 ? 16 : 0;
  auto text = [&](Bytes p) {
    if (want == 0 || p.size() < want) return std::string();
    char buf[INET6_ADDRSTRLEN] = {};
    if (::inet_ntop(ifa.ifa_family, p.data(), buf, sizeof buf) == nullptr) return std::string();
    return std::string(buf);
  };
  for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof(ifaddrmsg))), [&](unsigned type, Bytes p) {
    // rtnetlink(7): for IPv4 IFA_LOCAL is the local address and IFA_ADDRESS the peer on a
    // point-to-point link; IPv6 only sends IFA_ADDRESS. iproute2 prints IFA_LOCAL first too.
    if (type == IFA_LOCAL) local = text(p);
    if (type == IFA_ADDRESS) address = text(p);
  });
  addr.address = local.empty() ? address : local;
  return addr;
}

void put_bytes(std::vector<std::uint8_t>& out, const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  out.insert(out.end(), p, p + len);
  out.resize(NLMSG_ALIGN(out.size()), 0);
}

void finish_header(std::vector<std::uint8_t>& msg) {
  auto len = static_cast<std::uint32_t>(msg.size());
  std::memcpy(msg.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
}

}  // namespace

DumpStatus parse_link_dump(std::span<const std::uint8_t> buf, std::uint32_t seq,
                           std::vector<NetLink>& out) {
  return for_each_message(buf, seq, [&](std::uint16_t type, Bytes payload) {
    if (type == RTM_NEWLINK) out.push_back(parse_link(payload));
  });
}

DumpStatus parse_addr_dump(std::span<const std::uint8_t> buf, std::uint32_t seq,
                           std::vector<NetAddress>& out) {
  return for_each_message(buf, seq, [&](std::uint16_t type, Bytes payload) {
    if (type != RTM_NEWADDR) return;
    NetAddress addr = parse_addr(payload);
    if (!addr.address.empty()) out.push_back(std::move(addr));
  });
}

std::optional<int> parse_nsid_reply(std::span<const std::uint8_t> buf, std::uint32_t seq,
                                    DumpStatus& status) {
  std::optional<int> nsid;
  bool replied = false;
  status = for_each_message(buf, seq, [&](std::uint16_t type, Bytes payload) {
    if (type != RTM_NEWNSID) return;
    if (payload.size() < NLMSG_ALIGN(sizeof(rtgenmsg))) throw InputError("netlink: short rtgenmsg");
    for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof(rtgenmsg))), [&](unsigned t, Bytes p) {
      if (t != NETNSA_NSID) return;
      int id = attr_scalar<std::int32_t>(p, "NETNSA_NSID");
      if (id >= 0) nsid = id;  // NETNSA_NSID_NOT_ASSIGNED is -1
    });
    replied = true;
  });
  if (replied) status.done = true;
  return nsid;
}

std::vector<std::uint8_t> build_dump_request(std::uint16_t type, std::uint32_t seq) {
  std::vector<std::uint8_t> msg;
  nlmsghdr hdr{};
  hdr.nlmsg_type = type;
  hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  hdr.nlmsg_seq = seq;
  put_bytes(msg, &hdr, sizeof hdr);
  if (type == RTM_GETADDR) {
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;
    put_bytes(msg, &ifa, sizeof ifa);
  } else {
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    put_bytes(msg, &ifi, sizeof ifi);
  }
  finish_header(msg);
  return msg;
}

std::vector<std::uint8_t> build_getnsid_request(int ns_fd, std::uint32_t seq) {
  std::vector<std::uint8_t> msg;
  nlmsghdr hdr{};
  hdr.nlmsg_type = RTM_GETNSID;
  hdr.nlmsg_flags = NLM_F_REQUEST;
  hdr.nlmsg_seq = seq;
  put_bytes(msg, &hdr, sizeof hdr);
  rtgenmsg gen{};
  gen.rtgen_family = AF_UNSPEC;
  put_bytes(msg, &gen, sizeof gen);
  rtattr rta{};
  rta.rta_type = NETNSA_FD;
  rta.rta_len = RTA_LENGTH(sizeof(std::uint32_t));
  put_bytes(msg, &rta, sizeof rta);
  auto fd = static_cast<std::uint32_t>(ns_fd);
  put_bytes(msg, &fd, sizeof fd);
  finish_header(msg);
  return msg;
}

}  // namespace ocinetns
