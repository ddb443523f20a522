// libFuzzer target: sysctl key normalisation. An accepted key never escapes /proc/sys and
// normalising its path again gives the same path; a per-interface key put back on its own
// interface is unchanged, and moved to lo it is a key naming no interface.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/base/errors.hpp"
#include "common/model/sysctl_key.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto key = ocinetns::normalize_sysctl_key(text);
    if (key.path.empty() || key.path.front() == '/' || key.path.find("..") != std::string::npos ||
        key.path.find('\0') != std::string::npos) {
      std::abort();
    }
    if (ocinetns::normalize_sysctl_key(key.path).path != key.path) std::abort();
    std::string ifname(ocinetns::sysctl_interface(key));
    if (!ifname.empty()) {
      if (ocinetns::sysctl_for_interface(key, ifname).path != key.path) std::abort();
      auto on_lo = ocinetns::sysctl_for_interface(key, "lo");
      if (!ocinetns::sysctl_interface(on_lo).empty() ||
          ocinetns::normalize_sysctl_key(on_lo.path).path != on_lo.path) {
        std::abort();
      }
    }
  } catch (const ocinetns::InputError&) {
  }
  try {
    auto pattern = ocinetns::parse_sysctl_pattern(text);
    (void)pattern;
  } catch (const ocinetns::InputError&) {
  }
  try {
    ocinetns::validate_sysctl_value("net.ipv4.ip_forward", text);
  } catch (const ocinetns::InputError&) {
  }
  return 0;
}
