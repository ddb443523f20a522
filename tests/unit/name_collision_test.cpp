// Unit tests for the collision rule's candidate names and the mapping of engine names
// (common/model/name_collision.hpp).
#include "common/model/name_collision.hpp"

#include <gtest/gtest.h>
#include <limits.h>

#include <set>
#include <string>

#include "common/model/naming.hpp"

namespace ocinetns {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(NameCandidates, RenderedNameFirstThenTheShortIdThenLonger) {
  auto c = name_candidates("web", kId);
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[0], "web");
  EXPECT_EQ(c[1], "web-0123456789ab");
  EXPECT_EQ(c[2], "web-0123456789abcdef0123");
  EXPECT_EQ(c.back(), "web-" + kId);
  std::set<std::string> unique(c.begin(), c.end());
  EXPECT_EQ(unique.size(), c.size());
  for (std::size_t i = 2; i < c.size(); ++i) EXPECT_GT(c[i].size(), c[i - 1].size());
}

TEST(NameCandidates, DeterministicAndDifferentPerContainer) {
  EXPECT_EQ(name_candidates("web", kId), name_candidates("web", kId));
  std::string other = "fedcba9876543210" + kId.substr(16);
  EXPECT_NE(name_candidates("web", kId)[1], name_candidates("web", other)[1]);
}

TEST(NameCandidates, ShortIdGivesOneFallback) {
  auto c = name_candidates("web", "abc");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1], "web-abc");
}

TEST(NameCandidates, EveryCandidateIsAValidNameEvenForLongNamesAndOddIds) {
  std::string long_name(NAME_MAX, 'n');
  std::string odd_id = "a:b@c" + std::string(190, 'x');
  for (const auto& c : name_candidates(long_name, odd_id)) {
    EXPECT_LE(c.size(), static_cast<std::size_t>(NAME_MAX));
    EXPECT_NO_THROW(validate_netns_name(c)) << c;
  }
  EXPECT_EQ(name_candidates("web", "a:b@c")[1], "web-a_b_c");
}

TEST(MapEngineName, AcceptedNamesAreKept) {
  EXPECT_EQ(map_engine_name("web"), "web");
  EXPECT_EQ(map_engine_name("shop_web-1.2"), "shop_web-1.2");
  EXPECT_EQ(map_engine_name(""), "");
}

TEST(MapEngineName, OtherCharactersAreMappedNotRefused) {
  EXPECT_EQ(map_engine_name("a/b"), "a_b");
  EXPECT_EQ(map_engine_name("../etc"), "_._etc");  // "." inside a name is accepted
  EXPECT_EQ(map_engine_name("-x"), "_x");
  EXPECT_EQ(map_engine_name(".hidden"), "_hidden");
  EXPECT_EQ(map_engine_name(std::string("a\0b\n", 4)), "a_b_");
  std::string mapped = map_engine_name("caf\xc3\xa9");
  EXPECT_EQ(mapped, "caf__");
  EXPECT_NO_THROW(validate_netns_name(mapped));
  EXPECT_EQ(map_engine_name(std::string(1000, 'x')).size(), kMaxEngineNameLength);
}

}  // namespace
}  // namespace ocinetns
