// Logging setup: spdlog, synchronous, single-threaded sinks (no logger threads), to stderr and
// optionally a file and syslog. Library code logs at debug level at most; mains log actions.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace ocinetns {

struct LogSettings {
  std::string level = "info";
  std::string file;
  bool syslog = false;
  bool operator==(const LogSettings&) const = default;
};

// Installs the default logger named `program`. With no file and no syslog in `settings`,
// warnings and errors also go to the default destination (common/base/operator_log.hpp). Safe to
// call again (e.g. after the config loaded). A log file that cannot be opened is reported on stderr
// and otherwise ignored: logging must never stop a container.
void init_logging(const std::string& program, const LogSettings& settings);

}  // namespace ocinetns
