// Sysctl key normalisation. The accepted families mirror what the kernel namespaces: net.* follows
// the network namespace (net/sysctl_net.c), and the IPC keys follow the IPC namespace
// (ipc/ipc_sysctl.c, ipc/mq_sysctl.c). Everything else would change the host.
#include "common/model/sysctl_key.hpp"

#include <fmt/format.h>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

bool component_char_ok(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '@' || c == ':' || c == '+';
}

// Splits a key into components following sysctl(8)'s separator rule. `allow_trailing_empty`
// is for allowlist prefixes such as "net.ipv4.*" (whose last component is empty).
std::vector<std::string> split_key(std::string_view key, std::string_view display,
                                   bool allow_trailing_empty) {
  if (key.empty()) throw InputError("sysctl: empty key");
  // PATH_MAX bounds what open(2) takes; keys from annotations are untrusted, so bound them early.
  if (key.size() > kMaxSysctlKeyBytes) {
    throw InputError(
        fmt::format("sysctl {}: key longer than {} bytes", display, kMaxSysctlKeyBytes));
  }
  if (key.front() == '/') {
    throw InputError(fmt::format("sysctl {}: absolute paths are not allowed", display));
  }
  std::size_t first_sep = key.find_first_of("./");
  bool slashed = first_sep != std::string_view::npos && key[first_sep] == '/';
  char sep = slashed ? '/' : '.';
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (;;) {
    std::size_t next = key.find(sep, pos);
    std::string part(key.substr(pos, next == std::string_view::npos ? key.npos : next - pos));
    if (!slashed) {
      for (char& c : part) {
        if (c == '/') c = '.';
      }
    }
    parts.push_back(std::move(part));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    bool last = i + 1 == parts.size();
    if (part.empty()) {
      if (last && allow_trailing_empty) continue;
      throw InputError(fmt::format("sysctl {}: empty path component", display));
    }
    if (part == "." || part == ".." || part.find("..") != std::string::npos) {
      throw InputError(fmt::format("sysctl {}: '..' is not allowed", display));
    }
    if (part.size() > kMaxSysctlComponentBytes) {
      throw InputError(fmt::format("sysctl {}: path component longer than {} bytes", display,
                                   kMaxSysctlComponentBytes));
    }
    for (unsigned char c : part) {
      if (c == 0 || c == '\n') {
        throw InputError(fmt::format("sysctl {}: NUL or newline in key", display));
      }
      if (!component_char_ok(c)) {
        throw InputError(
            fmt::format("sysctl {}: character 0x{:02x} not allowed in key", display, unsigned{c}));
      }
    }
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out.push_back('/');
    out += p;
  }
  return out;
}

}  // namespace

std::string printable_sysctl_key(std::string_view key) {
  std::string out;
  for (unsigned char c : key.substr(0, 256)) {
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", unsigned{c});
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (key.size() > 256) out += "...";
  return out;
}

namespace {

SysctlNamespace classify(const std::vector<std::string>& parts, std::string_view display) {
  const std::string& family = parts[0];
  if (family == "net") {
    if (parts.size() < 2) throw InputError(fmt::format("sysctl {}: incomplete key", display));
    return SysctlNamespace::kNet;
  }
  if (family == "kernel") {
    if (parts.size() == 2 &&
        (parts[1].starts_with("shm") || parts[1].starts_with("msg") || parts[1] == "sem")) {
      return SysctlNamespace::kIpc;
    }
    throw InputError(fmt::format(
        "sysctl {}: not namespaced; only kernel.shm*, kernel.msg* and kernel.sem follow the "
        "container's IPC namespace",
        display));
  }
  if (family == "fs") {
    if (parts.size() >= 3 && parts[1] == "mqueue") return SysctlNamespace::kIpc;
    throw InputError(fmt::format(
        "sysctl {}: not namespaced; only fs.mqueue.* follows the container's IPC namespace",
        display));
  }
  if (family == "vm") {
    throw InputError(
        fmt::format("sysctl {}: vm.* is not namespaced and would change the host", display));
  }
  throw InputError(fmt::format(
      "sysctl {}: not a namespaced key (allowed: net.*, kernel.shm*, kernel.msg*, kernel.sem, "
      "fs.mqueue.*)",
      display));
}

}  // namespace

SysctlKey normalize_sysctl_key(std::string_view key) {
  std::string display = printable_sysctl_key(key);
  auto parts = split_key(key, display, /*allow_trailing_empty=*/false);
  SysctlKey out;
  out.ns = classify(parts, display);
  out.path = join(parts);
  out.display = std::move(display);
  return out;
}

void validate_sysctl_value(std::string_view key, std::string_view value) {
  std::string display = printable_sysctl_key(key);
  if (value.empty()) throw InputError(fmt::format("sysctl {}: empty value", display));
  if (value.size() > kMaxSysctlValueBytes) {
    throw InputError(
        fmt::format("sysctl {}: value longer than {} bytes", display, kMaxSysctlValueBytes));
  }
  if (value.find('\n') != std::string_view::npos || value.find('\0') != std::string_view::npos) {
    throw InputError(fmt::format("sysctl {}: value contains a newline or NUL", display));
  }
}

SysctlPattern parse_sysctl_pattern(std::string_view pattern) {
  SysctlPattern out;
  out.display = printable_sysctl_key(pattern);
  if (pattern.empty()) throw InputError("annotation_sysctls: empty entry");
  std::string_view body = pattern;
  if (body.back() == '*') {
    out.prefix = true;
    body.remove_suffix(1);
    if (body.find('*') != std::string_view::npos) {
      throw InputError(
          fmt::format("annotation_sysctls {}: '*' is only allowed at the end", out.display));
    }
    if (body.empty()) {
      out.path.clear();  // "*": every namespaced key
      return out;
    }
    // "net.ipv4.*" splits into [net, ipv4, ""], which joins to the prefix "net/ipv4/".
    auto parts = split_key(body, out.display, /*allow_trailing_empty=*/true);
    // Once the family is spelled out in full it must be one we accept; "vm.*" would never match
    // and most likely hides a misunderstanding of what the hook can set.
    if (parts.size() > 1 && parts[0] != "net" && parts[0] != "kernel" && parts[0] != "fs") {
      throw InputError(fmt::format(
          "annotation_sysctls {}: matches no namespaced key (allowed: net.*, kernel.shm*, "
          "kernel.msg*, kernel.sem, fs.mqueue.*)",
          out.display));
    }
    out.path = join(parts);
    return out;
  }
  if (body.find('*') != std::string_view::npos) {
    throw InputError(
        fmt::format("annotation_sysctls {}: '*' is only allowed at the end", out.display));
  }
  out.path = normalize_sysctl_key(body).path;
  return out;
}

bool sysctl_allowed(const std::vector<SysctlPattern>& allowlist, const SysctlKey& key) {
  for (const auto& pattern : allowlist) {
    if (pattern.prefix ? key.path.starts_with(pattern.path) : key.path == pattern.path) return true;
  }
  return false;
}

std::string_view sysctl_namespace_name(SysctlNamespace ns) {
  return ns == SysctlNamespace::kNet ? "network" : "IPC";
}

namespace {

// Where the interface component of a per-interface key starts in key.path, or npos.
// "net/<family>/conf|neigh/<ifname>/<leaf...>": the ifname is the fourth component and a leaf
// must follow it.
std::size_t interface_offset(const SysctlKey& key) {
  if (key.ns != SysctlNamespace::kNet) return std::string::npos;
  std::string_view path = key.path;
  std::size_t family_end = path.find('/', 4);  // after "net/"
  if (!path.starts_with("net/") || family_end == std::string_view::npos) return std::string::npos;
  std::string_view rest = path.substr(family_end + 1);
  for (std::string_view table : {"conf/", "neigh/"}) {
    if (!rest.starts_with(table)) continue;
    std::size_t start = family_end + 1 + table.size();
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) return std::string::npos;  // the directory, not a key
    return start;
  }
  return std::string::npos;
}

}  // namespace

std::string_view sysctl_interface(const SysctlKey& key) {
  std::size_t start = interface_offset(key);
  if (start == std::string::npos) return {};
  std::string_view path = key.path;
  std::string_view ifname = path.substr(start, path.find('/', start) - start);
  if (ifname == "all" || ifname == "default" || ifname == "lo") return {};
  return ifname;
}

SysctlKey sysctl_for_interface(const SysctlKey& key, std::string_view ifname) {
  std::size_t start = interface_offset(key);
  if (start == std::string::npos) return key;
  std::size_t end = key.path.find('/', start);
  SysctlKey out = key;
  out.path = key.path.substr(0, start) + std::string(ifname) + key.path.substr(end);
  std::string dotted = out.path;
  for (char& c : dotted) {
    if (c == '/') c = '.';
  }
  out.display = printable_sysctl_key(dotted);
  return out;
}

}  // namespace ocinetns
