// Unit tests for rtnetlink parsing with hand-built message buffers (no sockets).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>

#include "common/base/errors.hpp"
#include "common/model/netlink_parse.hpp"

namespace ocinetns {
namespace {

constexpr std::uint32_t kSeq = 77;

// Builds one receive buffer message by message, with netlink(7) alignment.
class Buffer {
 public:
  // Starts a message; attributes follow until the next begin()/bytes().
  Buffer& begin(std::uint16_t type, std::uint32_t seq = kSeq, std::uint16_t flags = NLM_F_MULTI) {
    finish();
    start_ = data_.size();
    nlmsghdr hdr{};
    hdr.nlmsg_type = type;
    hdr.nlmsg_flags = flags;
    hdr.nlmsg_seq = seq;
    put(&hdr, sizeof hdr);
    return *this;
  }
  Buffer& link(int index, unsigned flags = IFF_UP) {
    begin(RTM_NEWLINK);
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    ifi.ifi_flags = flags;
    put(&ifi, sizeof ifi);
    return *this;
  }
  Buffer& addr(int family, int index, int prefixlen) {
    begin(RTM_NEWADDR);
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<unsigned char>(family);
    ifa.ifa_index = static_cast<unsigned>(index);
    ifa.ifa_prefixlen = static_cast<unsigned char>(prefixlen);
    put(&ifa, sizeof ifa);
    return *this;
  }
  Buffer& attr(std::uint16_t type, const void* payload, std::size_t len) {
    rtattr rta{};
    rta.rta_type = type;
    rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    put(&rta, sizeof rta);
    put(payload, len);
    return *this;
  }
  Buffer& str(std::uint16_t type, const std::string& s) {
    return attr(type, s.c_str(), s.size() + 1);
  }
  Buffer& u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, sizeof v); }
  Buffer& ip(std::uint16_t type, int family, const char* text) {
    std::uint8_t raw[16];
    EXPECT_EQ(inet_pton(family, text, raw), 1);
    return attr(type, raw, family == AF_INET ? 4 : 16);
  }
  // IFLA_LINKINFO { IFLA_INFO_KIND kind }, nested.
  Buffer& kind(const std::string& kind) {
    Buffer inner;
    inner.str(IFLA_INFO_KIND, kind);
    return attr(IFLA_LINKINFO | NLA_F_NESTED, inner.data_.data(), inner.data_.size());
  }
  Buffer& done(std::uint32_t seq = kSeq) {
    begin(NLMSG_DONE, seq);
    int zero = 0;
    put(&zero, sizeof zero);
    return *this;
  }
  Buffer& error(int err) {
    begin(NLMSG_ERROR);
    nlmsgerr e{};
    e.error = -err;
    put(&e, sizeof e);
    return *this;
  }
  std::vector<std::uint8_t> bytes() {
    finish();
    return data_;
  }

 private:
  void put(const void* p, std::size_t len) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    data_.insert(data_.end(), b, b + len);
    data_.resize(NLMSG_ALIGN(data_.size()), 0);
  }
  void finish() {
    if (start_ == std::string::npos) return;
    auto len = static_cast<std::uint32_t>(data_.size() - start_);
    std::memcpy(data_.data() + start_, &len, sizeof len);
    start_ = std::string::npos;
  }
  std::vector<std::uint8_t> data_;
  std::size_t start_ = std::string::npos;
};

TEST(NetlinkParse, LinkDumpWithVethPeerNetnsidAndMaster) {
  Buffer b;
  b.link(1).str(IFLA_IFNAME, "lo");
  b.link(7).str(IFLA_IFNAME, "eth0").u32(IFLA_LINK, 8).u32(IFLA_LINK_NETNSID, 0).kind("veth");
  b.link(9, 0).str(IFLA_IFNAME, "br0").kind("bridge");
  b.link(10).str(IFLA_IFNAME, "vethA").u32(IFLA_MASTER, 9).kind("veth");
  b.done();
  std::vector<NetLink> links;
  auto buf = b.bytes();
  DumpStatus st = parse_link_dump(buf, kSeq, links);
  EXPECT_TRUE(st.done);
  EXPECT_EQ(st.error, 0);
  EXPECT_FALSE(st.interrupted);
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[0].name, "lo");
  EXPECT_EQ(links[0].kind, "");
  EXPECT_FALSE(links[0].link_netnsid.has_value());
  EXPECT_EQ(links[1].index, 7);
  EXPECT_EQ(links[1].name, "eth0");
  EXPECT_EQ(links[1].kind, "veth");
  EXPECT_EQ(links[1].link, 8);
  ASSERT_TRUE(links[1].link_netnsid.has_value());
  EXPECT_EQ(*links[1].link_netnsid, 0);
  EXPECT_TRUE(links[1].flags & IFF_UP);
  EXPECT_EQ(links[2].kind, "bridge");
  EXPECT_FALSE(links[2].flags & IFF_UP);
  EXPECT_EQ(links[3].master, 9);
}

TEST(NetlinkParse, DumpSpreadOverBuffersIsDoneOnlyAtNlmsgDone) {
  std::vector<NetLink> links;
  auto first = Buffer().link(1).str(IFLA_IFNAME, "lo").bytes();
  DumpStatus st = parse_link_dump(first, kSeq, links);
  EXPECT_FALSE(st.done);
  auto second = Buffer().link(2).str(IFLA_IFNAME, "eth0").done().bytes();
  st = parse_link_dump(second, kSeq, links);
  EXPECT_TRUE(st.done);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[1].name, "eth0");
}

TEST(NetlinkParse, OtherSequenceNumbersAreIgnored) {
  // A stale NLMSG_DONE of an earlier request must not end this dump.
  std::vector<NetLink> links;
  auto buf = Buffer().done(kSeq - 1).link(3).str(IFLA_IFNAME, "x").done().bytes();
  DumpStatus st = parse_link_dump(buf, kSeq, links);
  EXPECT_TRUE(st.done);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].name, "x");
}

TEST(NetlinkParse, InterruptedDumpIsFlagged) {
  auto buf = Buffer().link(1).str(IFLA_IFNAME, "lo").bytes();
  std::vector<NetLink> links;
  EXPECT_FALSE(parse_link_dump(buf, kSeq, links).interrupted);
  std::uint16_t flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
  std::memcpy(buf.data() + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
  EXPECT_TRUE(parse_link_dump(buf, kSeq, links).interrupted);
}

TEST(NetlinkParse, ErrorMessageGivesPositiveErrno) {
  std::vector<NetLink> links;
  auto buf = Buffer().error(EPERM).bytes();
  DumpStatus st = parse_link_dump(buf, kSeq, links);
  EXPECT_TRUE(st.done);
  EXPECT_EQ(st.error, EPERM);
}

TEST(NetlinkParse, TruncatedMessageThrows) {
  auto buf = Buffer().link(1).str(IFLA_IFNAME, "lo").done().bytes();
  std::uint32_t bogus = static_cast<std::uint32_t>(buf.size() + 100);
  std::memcpy(buf.data(), &bogus, sizeof bogus);
  std::vector<NetLink> links;
  EXPECT_THROW(parse_link_dump(buf, kSeq, links), InputError);
}

TEST(NetlinkParse, TruncatedAttributeThrows) {
  auto buf = Buffer().link(1).str(IFLA_IFNAME, "eth0").done().bytes();
  // The IFLA_IFNAME rtattr starts right after nlmsghdr + ifinfomsg: claim it is huge.
  std::size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
  std::uint16_t huge = 4000;
  std::memcpy(buf.data() + at, &huge, sizeof huge);
  std::vector<NetLink> links;
  EXPECT_THROW(parse_link_dump(buf, kSeq, links), InputError);
}

TEST(NetlinkParse, ShortScalarAttributeThrows) {
  std::uint16_t two = 8;
  auto buf = Buffer().link(1).attr(IFLA_LINK, &two, sizeof two).done().bytes();
  std::vector<NetLink> links;
  EXPECT_THROW(parse_link_dump(buf, kSeq, links), InputError);
}

TEST(NetlinkParse, AddressesPreferLocalOverPeerAndKeepV6) {
  Buffer b;
  b.addr(AF_INET, 7, 24)
      .ip(IFA_ADDRESS, AF_INET, "10.213.0.254")
      .ip(IFA_LOCAL, AF_INET, "10.213.0.2");
  b.addr(AF_INET6, 7, 64).ip(IFA_ADDRESS, AF_INET6, "fd00:213::2");
  b.addr(AF_INET, 1, 8).ip(IFA_ADDRESS, AF_INET, "127.0.0.1");
  b.done();
  std::vector<NetAddress> addrs;
  auto buf = b.bytes();
  DumpStatus st = parse_addr_dump(buf, kSeq, addrs);
  EXPECT_TRUE(st.done);
  ASSERT_EQ(addrs.size(), 3u);
  EXPECT_EQ(addrs[0].cidr(), "10.213.0.2/24");
  EXPECT_EQ(addrs[0].index, 7);
  EXPECT_EQ(addrs[1].cidr(), "fd00:213::2/64");
  EXPECT_EQ(addrs[1].family, AF_INET6);
  EXPECT_EQ(addrs[2].cidr(), "127.0.0.1/8");
}

TEST(NetlinkParse, AddressWithShortPayloadIsSkipped) {
  std::uint16_t half = 1;
  auto buf = Buffer().addr(AF_INET, 2, 24).attr(IFA_ADDRESS, &half, sizeof half).done().bytes();
  std::vector<NetAddress> addrs;
  parse_addr_dump(buf, kSeq, addrs);
  EXPECT_TRUE(addrs.empty());
}

TEST(NetlinkParse, NsidReplyAssignedAndNotAssigned) {
  auto reply = [](std::int32_t id) {
    Buffer b;
    b.begin(RTM_NEWNSID, kSeq, 0);
    rtgenmsg gen{};
    // rtgenmsg is followed by padding to NLMSG_ALIGN, which Buffer::put adds.
    std::vector<std::uint8_t> raw = b.attr(NETNSA_NSID, &id, sizeof id).bytes();
    // Insert the rtgenmsg (aligned to 4 bytes) in front of the attribute.
    std::vector<std::uint8_t> out(raw.begin(), raw.begin() + NLMSG_HDRLEN);
    out.push_back(gen.rtgen_family);
    out.resize(out.size() + 3, 0);
    out.insert(out.end(), raw.begin() + NLMSG_HDRLEN, raw.end());
    auto len = static_cast<std::uint32_t>(out.size());
    std::memcpy(out.data(), &len, sizeof len);
    return out;
  };
  DumpStatus st;
  auto assigned = reply(3);
  auto nsid = parse_nsid_reply(assigned, kSeq, st);
  EXPECT_TRUE(st.done);
  ASSERT_TRUE(nsid.has_value());
  EXPECT_EQ(*nsid, 3);
  auto none = reply(NETNSA_NSID_NOT_ASSIGNED);
  nsid = parse_nsid_reply(none, kSeq, st);
  EXPECT_TRUE(st.done);
  EXPECT_FALSE(nsid.has_value());
}

TEST(NetlinkParse, RequestsHaveConsistentLengths) {
  auto dump = build_dump_request(RTM_GETLINK, 5);
  nlmsghdr hdr{};
  std::memcpy(&hdr, dump.data(), sizeof hdr);
  EXPECT_EQ(hdr.nlmsg_len, dump.size());
  EXPECT_EQ(hdr.nlmsg_type, RTM_GETLINK);
  EXPECT_EQ(hdr.nlmsg_seq, 5u);
  EXPECT_EQ(hdr.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(dump.size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)));

  auto nsid = build_getnsid_request(42, 6);
  std::memcpy(&hdr, nsid.data(), sizeof hdr);
  EXPECT_EQ(hdr.nlmsg_len, nsid.size());
  EXPECT_EQ(hdr.nlmsg_type, RTM_GETNSID);
  std::size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(rtgenmsg));
  rtattr rta{};
  std::memcpy(&rta, nsid.data() + at, sizeof rta);
  EXPECT_EQ(rta.rta_type, NETNSA_FD);
  std::uint32_t fd = 0;
  std::memcpy(&fd, nsid.data() + at + RTA_LENGTH(0), sizeof fd);
  EXPECT_EQ(fd, 42u);
}

}  // namespace
}  // namespace ocinetns
