// A namespace's identity: the nsfs device and inode (what `ip netns identify` compares). Pure
// data, shared by the record model, the gc plan and the namespace syscalls.
#pragma once

#include <cstdint>

namespace ocinetns {

struct NsId {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  friend bool operator==(const NsId&, const NsId&) = default;
  [[nodiscard]] bool empty() const { return dev == 0 && ino == 0; }
};

}  // namespace ocinetns
