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
  std::size_t pos = 0;
  for (int field = 3; field < 22; ++field) {
    pos = rest.find(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
  }
  std::uint64_t value = 0;
  bool digits = false;
  for (; pos < rest.size() && rest[pos] >= '0' && rest[pos] <= '9'; ++pos) {
    value = value * 10 + static_cast<std::uint64_t>(rest[pos] - '0');
    digits = true;
  }
  if (!digits) return std::nullopt;
  out.start_time = value;
  return out;
}

}  // namespace ocinetns
