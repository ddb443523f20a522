// Where warnings and errors reach the operator: runc discards a hook's stderr when the hook
// succeeds (and engines show a runtime's stderr only when it fails), so by default each warning
// and error also goes to syslog when /dev/log exists, else to a file under /var/log. The
// destination is opened on the first message, never on a start that logs nothing worse than info.
#pragma once

#include <string>
#include <string_view>

#include "common/base/logging.hpp"
#include "common/base/unique_fd.hpp"

namespace ocinetns {

inline constexpr const char* kDefaultLogFile = "/var/log/oci-netns-hook.log";
inline constexpr const char* kSyslogSocket = "/dev/log";
// A message is cut to this many bytes (a line in a file, a datagram to syslog).
inline constexpr std::size_t kMaxOperatorLogMessage = 2048;

// Whether `settings` name no destination of their own (log.file empty, log.syslog false): then
// warnings and errors go to the default destination.
bool uses_default_log_destination(const LogSettings& settings);

// One destination, opened lazily: `file` if it is not empty (appended, created 0640); else syslog
// on `syslog_socket` if that exists and accepts a connection, else `fallback_file`. An empty
// `fallback_file` and `file` with no socket: nowhere. Writes never throw, and a destination that
// cannot be opened is not tried again (stderr has every message anyway).
class OperatorLog {
 public:
  OperatorLog(std::string program, std::string file, std::string syslog_socket,
              std::string fallback_file);
  // The default destination (kSyslogSocket, else kDefaultLogFile). In test builds
  // (OCI_NETNS_TEST_BUILD) $OCI_NETNS_TEST_DEV_LOG and $OCI_NETNS_TEST_DEFAULT_LOG replace those
  // paths, and with neither set there is none, so tests never write the host's syslog or /var/log.
  static OperatorLog default_destination(std::string program);
  // What `settings` ask for: their file, else syslog if set, else the default destination.
  static OperatorLog for_settings(std::string program, const LogSettings& settings);

  // `priority` is a syslog(3) severity (LOG_ERR, LOG_WARNING, ...); `level` its word in a file.
  void write(int priority, std::string_view level, std::string_view message) noexcept;

 private:
  void open_destination() noexcept;

  std::string program_;
  std::string file_;
  std::string syslog_socket_;
  std::string fallback_file_;
  bool opened_ = false;
  bool syslog_ = false;
  bool stream_ = false;  // syslog on a stream socket
  UniqueFd fd_;
};

}  // namespace ocinetns
