// Log lines in runc's formats. containerd's go-runc and Docker read the last "error" entry of
// the --log file to explain a failed create, so this is how a shim error reaches `docker run`.
#include "hook/shim/shim_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/unique_fd.hpp"

namespace ocinetns {
namespace {

std::string rfc3339_utc(std::time_t when) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string format_runtime_log_line(std::string_view format, std::string_view level,
                                    std::string_view msg, std::time_t when) {
  std::string time = rfc3339_utc(when);
  if (format == "json") {
    nlohmann::ordered_json line;
    line["level"] = level;
    line["msg"] = msg;
    line["time"] = time;
    // Invalid UTF-8 in a message (e.g. from a path) is replaced rather than aborting the log.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  // logrus TextFormatter: key=value pairs, values quoted with Go-style escapes. A JSON string
  // literal is a valid such quoting for everything we write.
  std::string quoted =
      nlohmann::json(msg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return fmt::format("time=\"{}\" level={} msg={}\n", time, level, quoted);
}

void append_runtime_log(const std::string& path, std::string_view format, std::string_view level,
                        std::string_view msg) {
  if (path.empty()) return;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return;
  std::string line = format_runtime_log_line(format, level, msg, std::time(nullptr));
  // One write(2) with O_APPEND keeps the line whole next to the runtime's own writes.
  [[maybe_unused]] ssize_t n = ::write(fd.get(), line.data(), line.size());
}

}  // namespace ocinetns
