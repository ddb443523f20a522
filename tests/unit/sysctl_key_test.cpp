// Unit tests for sysctl key normalisation and validation: sysctl(8)'s dotted and slashed forms,
// every refused family and shape, value rules, and allowlist patterns (exact and prefix*).
#include "common/model/sysctl_key.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

std::string key_error(std::string_view key) {
  try {
    normalize_sysctl_key(key);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string value_error(std::string_view value) {
  try {
    validate_sysctl_value("net.ipv4.ip_forward", value);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string pattern_error(std::string_view pattern) {
  try {
    parse_sysctl_pattern(pattern);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SysctlKey, DottedFormSplitsOnDots) {
  SysctlKey k = normalize_sysctl_key("net.ipv4.tcp_keepalive_time");
  EXPECT_EQ(k.path, "net/ipv4/tcp_keepalive_time");
  EXPECT_EQ(k.display, "net.ipv4.tcp_keepalive_time");
  EXPECT_EQ(k.ns, SysctlNamespace::kNet);
}

TEST(SysctlKey, SlashedFormKeepsDotsInsideComponents) {
  SysctlKey k = normalize_sysctl_key("net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(k.path, "net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(k.ns, SysctlNamespace::kNet);
}

TEST(SysctlKey, DottedFormTurnsSlashIntoLiteralDot) {
  // procps sysctl(8): in the dotted form "eth0/100" names the VLAN interface "eth0.100".
  SysctlKey k = normalize_sysctl_key("net.ipv4.conf.eth0/100.forwarding");
  EXPECT_EQ(k.path, "net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(k.display, "net.ipv4.conf.eth0/100.forwarding");
}

TEST(SysctlKey, BothFormsOfTheSameKeyAreEqual) {
  EXPECT_EQ(normalize_sysctl_key("net.ipv4.ip_forward").path,
            normalize_sysctl_key("net/ipv4/ip_forward").path);
  EXPECT_EQ(normalize_sysctl_key("fs.mqueue.msg_max").path,
            normalize_sysctl_key("fs/mqueue/msg_max").path);
}

TEST(SysctlKey, IpcKeysGoToTheIpcNamespace) {
  for (const char* key :
       {"kernel.shmmni", "kernel.shmmax", "kernel.shmall", "kernel.shm_rmid_forced",
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "fs.mqueue.queues_max",
        "fs/mqueue/msgsize_max", "kernel/shmmni"}) {
    SysctlKey k = normalize_sysctl_key(key);
    EXPECT_EQ(k.ns, SysctlNamespace::kIpc) << key;
  }
  EXPECT_EQ(normalize_sysctl_key("kernel.shmmni").path, "kernel/shmmni");
}

TEST(SysctlKey, RefusesKernelKeysOutsideIpc) {
  for (const char* key : {"kernel.hostname", "kernel.domainname", "kernel.core_pattern",
                          "kernel.modprobe", "kernel.sem_extra", "kernel", "kernel.shm.x"}) {
    std::string err = key_error(key);
    EXPECT_NE(err.find(key), std::string::npos) << key << ": " << err;
    EXPECT_NE(err.find("not namespaced"), std::string::npos) << key << ": " << err;
  }
}

TEST(SysctlKey, RefusesVm) {
  for (const char* key : {"vm.swappiness", "vm/overcommit_memory", "vm.drop_caches"}) {
    std::string err = key_error(key);
    EXPECT_NE(err.find(key), std::string::npos) << err;
    EXPECT_NE(err.find("vm.* is not namespaced"), std::string::npos) << err;
  }
}

TEST(SysctlKey, RefusesOtherFs) {
  for (const char* key : {"fs.file-max", "fs.protected_symlinks", "fs.mqueue", "fs/inotify/x"}) {
    std::string err = key_error(key);
    EXPECT_NE(err.find(key), std::string::npos) << err;
    EXPECT_NE(err.find("only fs.mqueue.*"), std::string::npos) << err;
  }
}

TEST(SysctlKey, RefusesOtherFamiliesAndIncompleteNet) {
  EXPECT_NE(key_error("dev.raid.speed_limit_max").find("not a namespaced key"), std::string::npos);
  EXPECT_NE(key_error("user.max_user_namespaces").find("not a namespaced key"), std::string::npos);
  EXPECT_NE(key_error("net").find("incomplete key"), std::string::npos);
}

TEST(SysctlKey, RefusesDotDot) {
  for (const char* key : {"net/../kernel/hostname", "net/ipv4/..", "net/./ipv4",
                          "net.ipv4.conf.a//b.forwarding", "net/ipv4/conf/a..b/forwarding"}) {
    std::string err = key_error(key);
    EXPECT_NE(err.find("'..' is not allowed"), std::string::npos) << key << ": " << err;
  }
}

TEST(SysctlKey, RefusesAbsolutePaths) {
  for (const char* key : {"/proc/sys/net/ipv4/ip_forward", "/net/ipv4/ip_forward"}) {
    std::string err = key_error(key);
    EXPECT_NE(err.find("absolute paths are not allowed"), std::string::npos) << err;
    EXPECT_NE(err.find(key), std::string::npos) << err;
  }
}

TEST(SysctlKey, RefusesEmptyKeyAndEmptyComponents) {
  EXPECT_EQ(key_error(""), "sysctl: empty key");
  EXPECT_NE(key_error("net..ipv4").find("empty path component"), std::string::npos);
  EXPECT_NE(key_error("net.ipv4.").find("empty path component"), std::string::npos);
  EXPECT_NE(key_error(".net.ipv4").find("empty path component"), std::string::npos);
  EXPECT_NE(key_error("net//ipv4").find("empty path component"), std::string::npos);
}

TEST(SysctlKey, RefusesControlCharactersAndEscapesThemInTheMessage) {
  std::string err = key_error(std::string("net.ipv4.ip_forward\n", 20));
  EXPECT_NE(err.find("NUL or newline in key"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << "the message must stay one line";
  EXPECT_NE(err.find("\\x0a"), std::string::npos) << err;
  err = key_error(std::string("net.ipv4\0.x", 11));
  EXPECT_NE(err.find("NUL or newline in key"), std::string::npos) << err;
  EXPECT_NE(key_error("net.ipv4.ip forward").find("not allowed in key"), std::string::npos);
  EXPECT_NE(key_error("net.ipv4.*").find("not allowed in key"), std::string::npos);
}

TEST(SysctlKey, RefusesOverlongKeysAndComponents) {
  EXPECT_NE(key_error("net." + std::string(2000, 'a')).find("key longer than"), std::string::npos);
  EXPECT_NE(key_error("net.ipv4.conf." + std::string(256, 'a') + ".forwarding")
                .find("component longer than"),
            std::string::npos);
  EXPECT_EQ(key_error("net.ipv4.conf." + std::string(255, 'a') + ".forwarding"), "");
}

TEST(SysctlValue, AcceptsOrdinaryValuesUpTo4KiB) {
  EXPECT_EQ(value_error("600"), "");
  EXPECT_EQ(value_error("250 32000\t32 128"), "");  // kernel.sem style: several fields
  EXPECT_EQ(value_error(std::string(kMaxSysctlValueBytes, '1')), "");
}

TEST(SysctlValue, RefusesNewlineNulEmptyAndOver4KiB) {
  EXPECT_NE(value_error("1\n").find("newline or NUL"), std::string::npos);
  EXPECT_NE(value_error("1\n2").find("newline or NUL"), std::string::npos);
  EXPECT_NE(value_error(std::string("1\0"
                                    "2",
                                    3))
                .find("newline or NUL"),
            std::string::npos);
  EXPECT_NE(value_error("").find("empty value"), std::string::npos);
  std::string err = value_error(std::string(kMaxSysctlValueBytes + 1, '1'));
  EXPECT_NE(err.find("value longer than 4096 bytes"), std::string::npos) << err;
  // Every value error names the key it belongs to.
  EXPECT_NE(err.find("net.ipv4.ip_forward"), std::string::npos) << err;
}

TEST(SysctlPattern, ExactEntriesMatchOnlyThatKeyInEitherForm) {
  std::vector<SysctlPattern> allow{parse_sysctl_pattern("net.ipv4.tcp_keepalive_time")};
  EXPECT_FALSE(allow[0].prefix);
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_keepalive_time")));
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net/ipv4/tcp_keepalive_time")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_keepalive_intvl")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_keepalive_time2")));
}

TEST(SysctlPattern, PrefixEntriesMatchKeysStartingWithThem) {
  std::vector<SysctlPattern> allow{parse_sysctl_pattern("net.ipv4.tcp_keepalive_*"),
                                   parse_sysctl_pattern("kernel.shm*"),
                                   parse_sysctl_pattern("net/ipv6/conf/*")};
  EXPECT_TRUE(allow[0].prefix);
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_keepalive_intvl")));
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_keepalive_probes")));
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("kernel.shmmni")));
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv6.conf.eth0/100.mtu")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.tcp_syncookies")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("kernel.msgmax")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.conf.all.forwarding")));
}

TEST(SysctlPattern, ComponentPrefixDoesNotMatchALongerComponent) {
  // "net.ipv4.conf.eth0.*" is the interface eth0, not eth0.100 (a different interface).
  std::vector<SysctlPattern> allow{parse_sysctl_pattern("net.ipv4.conf.eth0.*")};
  EXPECT_EQ(allow[0].path, "net/ipv4/conf/eth0/");
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.ipv4.conf.eth0.forwarding")));
  EXPECT_FALSE(sysctl_allowed(allow, normalize_sysctl_key("net/ipv4/conf/eth0.100/forwarding")));
}

TEST(SysctlPattern, StarAloneAllowsEveryNamespacedKey) {
  std::vector<SysctlPattern> allow{parse_sysctl_pattern("*")};
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("net.core.somaxconn")));
  EXPECT_TRUE(sysctl_allowed(allow, normalize_sysctl_key("fs.mqueue.msg_max")));
}

TEST(SysctlPattern, EmptyAllowlistAllowsNothing) {
  EXPECT_FALSE(sysctl_allowed({}, normalize_sysctl_key("net.core.somaxconn")));
}

TEST(SysctlPattern, RefusesMalformedEntries) {
  EXPECT_EQ(pattern_error(""), "annotation_sysctls: empty entry");
  EXPECT_NE(pattern_error("net.*.forwarding").find("only allowed at the end"), std::string::npos);
  EXPECT_NE(pattern_error("net.**").find("only allowed at the end"), std::string::npos);
  EXPECT_NE(pattern_error("kernel.hostname").find("not namespaced"), std::string::npos);
  EXPECT_NE(pattern_error("net/../kernel/*").find("'..' is not allowed"), std::string::npos);
  EXPECT_NE(pattern_error("/proc/sys/net/*").find("absolute paths"), std::string::npos);
  std::string err = pattern_error("vm.*");
  EXPECT_NE(err.find("vm.*"), std::string::npos) << err;
  EXPECT_NE(err.find("matches no namespaced key"), std::string::npos) << err;
}

TEST(SysctlInterface, ConfAndNeighKeysNameTheirInterface) {
  EXPECT_EQ(sysctl_interface(normalize_sysctl_key("net.ipv4.conf.eth0.forwarding")), "eth0");
  EXPECT_EQ(sysctl_interface(normalize_sysctl_key("net.ipv6.conf.eth0/100.disable_ipv6")),
            "eth0.100");
  EXPECT_EQ(sysctl_interface(normalize_sysctl_key("net/ipv4/neigh/veth1.2/gc_stale_time")),
            "veth1.2");
  EXPECT_EQ(sysctl_interface(normalize_sysctl_key("net.mpls.conf.eth1.input")), "eth1");
}

TEST(SysctlInterface, EntriesEveryNamespaceHasAndOtherKeysNameNone) {
  for (const char* key :
       {"net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.rp_filter",
        "net.ipv6.conf.lo.disable_ipv6", "net.ipv4.neigh.default.gc_thresh1", "net.ipv4.ip_forward",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.conf.eth0", "net.core.somaxconn",
        "net.conf.eth0.x", "kernel.shmmax", "fs.mqueue.msg_max"}) {
    EXPECT_EQ(sysctl_interface(normalize_sysctl_key(key)), "") << key;
  }
}

TEST(SysctlInterface, ForInterfaceReplacesOnlyTheInterface) {
  SysctlKey k = normalize_sysctl_key("net.ipv4.conf.eth0/100.forwarding");
  SysctlKey d = sysctl_for_interface(k, "default");
  EXPECT_EQ(d.path, "net/ipv4/conf/default/forwarding");
  EXPECT_EQ(d.display, "net.ipv4.conf.default.forwarding");
  EXPECT_EQ(d.ns, SysctlNamespace::kNet);
  EXPECT_EQ(
      sysctl_for_interface(normalize_sysctl_key("net/ipv6/neigh/eth0/retrans_time_ms"), "lo").path,
      "net/ipv6/neigh/lo/retrans_time_ms");
  // A key that names no interface is returned as it is.
  EXPECT_EQ(sysctl_for_interface(normalize_sysctl_key("net.ipv4.ip_forward"), "default").path,
            "net/ipv4/ip_forward");
}

}  // namespace
}  // namespace ocinetns
