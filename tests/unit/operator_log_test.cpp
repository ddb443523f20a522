// The operator's log (common/base/operator_log.hpp): one bounded line per message, to syslog's
// socket when it exists, else to the fallback file, opened only when the first message comes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>

#include "common/base/operator_log.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

class OperatorLogTest : public ::testing::Test {
 protected:
  // A datagram socket bound at `path`, as journald's and rsyslog's /dev/log are.
  UniqueFd bind_syslog(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }
  static std::string receive(const UniqueFd& fd) {
    char buf[8192];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  test::TempDir dir_{"oci-netns-oplog"};
};

TEST_F(OperatorLogTest, FileLinesAreAppendedWholeAndOneLineEach) {
  std::string file = dir_.file("log");
  test::write_text(file, "earlier\n");
  OperatorLog log("prog", "", dir_.file("no-socket"), file);
  log.write(LOG_WARNING, "warning", "first\nsecond");
  log.write(LOG_ERR, "error", std::string(5000, 'x'));
  std::string text = test::read_text(file);
  ASSERT_EQ(text.rfind("earlier\n", 0), 0u) << text;
  EXPECT_NE(text.find("Z prog[" + std::to_string(::getpid()) + "] warning: first second\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("] error: " + std::string(kMaxOperatorLogMessage, 'x') + " [truncated]\n"),
            std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

// open(2) of a FIFO for writing waits for a reader: without O_NONBLOCK this test never ends
// (ctest's timeout fails it), as a hook would hang until the runtime's hook timeout.
TEST_F(OperatorLogTest, AFifoAtTheDefaultFileNeitherBlocksNorIsWritten) {
  std::string fifo = dir_.file("log");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  OperatorLog log("prog", "", "", fifo);
  log.write(LOG_WARNING, "warning", "not for a fifo");
  // A reader now opened would find nothing queued.
  UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(reader);
  char buf[64];
  EXPECT_LE(::read(reader.get(), buf, sizeof buf), 0);
}

TEST_F(OperatorLogTest, AHardLinkAtTheDefaultFileIsNotAppendedTo) {
  std::string other = dir_.file("other");
  test::write_text(other, "someone else's\n");
  std::string file = dir_.file("log");
  ASSERT_EQ(::link(other.c_str(), file.c_str()), 0);
  OperatorLog log("prog", "", "", file);
  log.write(LOG_WARNING, "warning", "planted");
  EXPECT_EQ(test::read_text(other), "someone else's\n");
}

TEST_F(OperatorLogTest, NothingIsOpenedBeforeTheFirstMessage) {
  std::string file = dir_.file("log");
  { OperatorLog log("prog", "", "", file); }
  EXPECT_FALSE(test::path_exists(file));
}

TEST_F(OperatorLogTest, SyslogSocketIsPreferredAndGetsWhatSyslog3Sends) {
  std::string sock = dir_.file("dev-log");
  UniqueFd server = bind_syslog(sock);
  std::string file = dir_.file("log");
  OperatorLog log("prog", "", sock, file);
  log.write(LOG_ERR, "error", "broken");
  std::string msg = receive(server);
  EXPECT_EQ(msg.rfind("<27>", 0), 0u) << msg;  // LOG_DAEMON | LOG_ERR
  EXPECT_NE(msg.find(" prog[" + std::to_string(::getpid()) + "]: broken"), std::string::npos)
      << msg;
  EXPECT_FALSE(test::path_exists(file));
}

TEST_F(OperatorLogTest, SocketNobodyListensOnFallsBackToTheFile) {
  std::string sock = dir_.file("dev-log");
  { UniqueFd gone = bind_syslog(sock); }  // the socket file stays, nobody listens
  std::string file = dir_.file("log");
  OperatorLog log("prog", "", sock, file);
  log.write(LOG_WARNING, "warning", "still here");
  EXPECT_NE(test::read_text(file).find("warning: still here"), std::string::npos);
}

TEST_F(OperatorLogTest, SettingsChooseTheDestination) {
  EXPECT_TRUE(uses_default_log_destination(LogSettings{}));
  EXPECT_TRUE(uses_default_log_destination(LogSettings{"debug", "", false}));
  EXPECT_FALSE(uses_default_log_destination(LogSettings{"info", "/dev/null", false}));
  EXPECT_FALSE(uses_default_log_destination(LogSettings{"info", "", true}));
  std::string file = dir_.file("explicit");
  OperatorLog log = OperatorLog::for_settings("prog", LogSettings{"info", file, false});
  log.write(LOG_WARNING, "warning", "to the configured file");
  EXPECT_NE(test::read_text(file).find("to the configured file"), std::string::npos);
}

TEST_F(OperatorLogTest, SymlinkInPlaceOfTheFileIsNotFollowed) {
  std::string target = dir_.file("target");
  test::write_text(target, "");
  std::string file = dir_.file("log");
  ASSERT_EQ(::symlink(target.c_str(), file.c_str()), 0);
  OperatorLog log("prog", "", "", file);
  log.write(LOG_WARNING, "warning", "redirected?");
  EXPECT_EQ(test::read_text(target), "");
}

}  // namespace
}  // namespace ocinetns
