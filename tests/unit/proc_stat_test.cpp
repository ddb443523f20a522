// The one /proc/<pid>/stat parser (common/model/proc_stat.hpp): the fields after a comm that
// holds spaces and ')', and text that is not a stat line.
#include <gtest/gtest.h>

#include <string>

#include "common/model/proc_stat.hpp"

namespace ocinetns {
namespace {

TEST(ProcStat, ParsesStateParentAndStartTimeEvenWithHostileComm) {
  std::string stat =
      "4242 (a) b) Z (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 2314240 "
      "200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  auto parsed = parse_proc_stat(stat);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->state, 'S');
  EXPECT_EQ(parsed->start_time, 987654u);
  EXPECT_EQ(parsed->ppid, 1);
  EXPECT_FALSE(parse_proc_stat("garbage").has_value());
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 2").has_value());
}

}  // namespace
}  // namespace ocinetns
