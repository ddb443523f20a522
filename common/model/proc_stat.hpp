// The one parser of /proc/<pid>/stat: createRuntime records the start time with it, and list and
// gc compare against it, so both sides read the same field the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ocinetns {

// Fields 3 (state), 4 (ppid) and 22 (starttime) of /proc/<pid>/stat (proc(5)); the comm field
// may hold spaces and ')'. nullopt if the text is not a stat line.
struct ProcStat {
  char state = '?';
  std::uint64_t start_time = 0;
  std::int64_t ppid = 0;  // {name} for Podman: the runtime's parent (common/sys/container_name)
};
std::optional<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace ocinetns
