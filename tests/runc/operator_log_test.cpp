// The operator's log (common/base/operator_log.hpp) where the test needs root: a file of another
// user at the default path is never appended to.
#include <gtest/gtest.h>
#include <syslog.h>
#include <unistd.h>

#include "common/base/operator_log.hpp"
#include "tests/support/runc.hpp"

namespace ocinetns {
namespace {

class OperatorLogTest : public ::testing::Test {
 protected:
  test::TempDir dir_{"oci-netns-oplog"};
};

TEST_F(OperatorLogTest, AnotherUsersFileAtTheDefaultPathIsNotAppendedTo) {
  ASSERT_EQ(::geteuid(), 0u) << "the runc suite runs as root";
  std::string file = dir_.file("log");
  test::write_text(file, "nobody's\n");
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  OperatorLog log("prog", "", "", file);
  log.write(LOG_WARNING, "warning", "planted");
  EXPECT_EQ(test::read_text(file), "nobody's\n");
}

}  // namespace
}  // namespace ocinetns
