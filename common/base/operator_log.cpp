// The operator's log (see operator_log.hpp): one line per message to syslog's socket in the
// format syslog(3) sends, or appended to a file, each with a single write so that lines of
// concurrent hooks never interleave. Only syscalls the hook's sandbox allows: openat, socket
// (AF_UNIX), connect, sendto, write, stat, fstat.
#include "common/base/operator_log.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

namespace ocinetns {
namespace {

// The message as one line: control characters (a newline from a path, say) become spaces, and
// it is cut at kMaxOperatorLogMessage bytes.
std::string one_line(std::string_view message) {
  std::string out;
  std::size_t n = std::min(message.size(), kMaxOperatorLogMessage);
  out.reserve(n + 16);
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(message[i]);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  if (message.size() > n) out += " [truncated]";
  return out;
}

UniqueFd connect_syslog(const std::string& socket_path, bool& stream) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) return {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  // Datagrams, as journald's and rsyslog's /dev/log are; a stream socket is the fallback glibc
  // also tries.
  // Non-blocking: a syslog daemon that is stuck or backlogged must never stall a container
  // start (connect(2) on a full AF_UNIX stream backlog and send(2) on a full datagram queue
  // would otherwise wait); the message is dropped instead.
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return {};
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
      stream = type == SOCK_STREAM;
      return fd;
    }
    if (errno != EPROTOTYPE) return {};
  }
  return {};
}

}  // namespace

bool uses_default_log_destination(const LogSettings& settings) {
  return settings.file.empty() && !settings.syslog;
}

OperatorLog::OperatorLog(std::string program, std::string file, std::string syslog_socket,
                         std::string fallback_file)
    : program_(std::move(program)),
      file_(std::move(file)),
      syslog_socket_(std::move(syslog_socket)),
      fallback_file_(std::move(fallback_file)) {}

OperatorLog OperatorLog::default_destination(std::string program) {
#ifdef OCI_NETNS_TEST_BUILD
  const char* dev_log = std::getenv("OCI_NETNS_TEST_DEV_LOG");
  const char* file = std::getenv("OCI_NETNS_TEST_DEFAULT_LOG");
  return OperatorLog(std::move(program), "", dev_log != nullptr ? dev_log : "",
                     file != nullptr ? file : "");
#else
  return OperatorLog(std::move(program), "", kSyslogSocket, kDefaultLogFile);
#endif
}

OperatorLog OperatorLog::for_settings(std::string program, const LogSettings& settings) {
  if (!settings.file.empty()) return OperatorLog(std::move(program), settings.file, "", "");
  if (settings.syslog) return OperatorLog(std::move(program), "", kSyslogSocket, "");
  return default_destination(std::move(program));
}

void OperatorLog::open_destination() noexcept {
  opened_ = true;
  if (file_.empty() && !syslog_socket_.empty()) {
    struct stat st {};
    if (::stat(syslog_socket_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      fd_ = connect_syslog(syslog_socket_, stream_);
      if (fd_) {
        syslog_ = true;
        return;
      }
    }
  }
  bool fallback = file_.empty();
  const std::string& path = fallback ? fallback_file_ : file_;
  if (path.empty()) return;
  // O_NOFOLLOW: root appends here, and a symlink planted in its place must not redirect that.
  // O_NONBLOCK: a FIFO in its place must not block the hook (open(2) of a FIFO for writing waits
  // for a reader; with O_NONBLOCK it fails with ENXIO instead); it changes nothing for a file.
  fd_.reset(::open(path.c_str(),
                   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640));
  if (!fd_ || !fallback) return;  // an explicit log.file is the admin's choice (/dev/null, say)
  // The default file lives in a directory others may be able to write to (/var/log is
  // root:syslog 0775 on some distributions): only a regular file of our own user (root, for the
  // hook and the shim) with one link is appended to, so nothing planted there (a FIFO, a
  // device, another user's file, a hard link to another file) is.
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      st.st_nlink != 1) {
    fd_.reset();
  }
}

void OperatorLog::write(int priority, std::string_view level, std::string_view message) noexcept {
  try {
    if (!opened_) open_destination();
    if (!fd_) return;
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    std::string line;
    if (syslog_) {
      // What syslog(3) sends: <facility|severity>, an RFC 3164 local timestamp, ident[pid]:.
      ::localtime_r(&now, &tm);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
      line = fmt::format("<{}>{} {}[{}]: {}", LOG_DAEMON | priority, stamp, program_, ::getpid(),
                         one_line(message));
      // On a stream socket a NUL ends each message, as syslog(3) sends it.
      if (stream_) line.push_back('\0');
      [[maybe_unused]] ssize_t n =
          ::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      return;
    }
    ::gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    line = fmt::format("{} {}[{}] {}: {}\n", stamp, program_, ::getpid(), level, one_line(message));
    // One write(2) with O_APPEND keeps the line whole next to other hooks' lines.
    [[maybe_unused]] ssize_t n = ::write(fd_.get(), line.data(), line.size());
  } catch (...) {
    // Logging never fails a container start (std::bad_alloc is the only thing that can throw).
  }
}

}  // namespace ocinetns
