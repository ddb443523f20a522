// /proc/<pid>/stat fields (proc(5)): "pid (comm) state ppid ...", where comm may itself hold
// spaces and ')', so fields are counted from the last ')'.
#include "common/model/proc_stat.hpp"

namespace ocinetns {

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return std::nullopt;
  std::string_view rest = text.substr(close + 2);  // field 3 onwards, space-separated
  ProcStat out;
  out.state = rest.front();
  // The unsigned decimal field starting at `pos`, or nullopt.
  auto number_at = [&](std::size_t pos) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    bool digits = false;
    for (; pos < rest.size() && rest[pos] >= '0' && rest[pos] <= '9'; ++pos) {
      value = value * 10 + static_cast<std::uint64_t>(rest[pos] - '0');
      digits = true;
    }
    return digits ? std::optional(value) : std::nullopt;
  };
  std::size_t pos = 0;
  for (int field = 3; field < 22; ++field) {
    pos = rest.find(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
    if (field == 3) {
      std::optional<std::uint64_t> ppid = number_at(pos);
      if (!ppid) return std::nullopt;
      out.ppid = static_cast<std::int64_t>(*ppid);
    }
  }
  std::optional<std::uint64_t> start = number_at(pos);
  if (!start) return std::nullopt;
  out.start_time = *start;
  return out;
}

}  // namespace ocinetns
