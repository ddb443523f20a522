// Unit tests for resolving `exec TARGET` against the records (common/exec_target.hpp).
#include "common/model/exec_target.hpp"

#include <gtest/gtest.h>

namespace ocinetns {
namespace {

const std::vector<ExecCandidate> kRecords = {
    {"web", "web", "aaaa1111bbbb2222"},
    {"db", "db", "aaaa1111cccc3333"},
    {"db-aaaa1111cccc", "db", "dddd4444eeee5555"},  // a collision's fallback
    {"web", "sidecar", "ffff6666"},                 // a sharer of web's namespace
    {"api", "", "bbbb7777"},
};

TEST(ExecTarget, ReferenceNameFirst) {
  EXPECT_EQ(match_exec_target("web", kRecords).index, 0);
  EXPECT_EQ(match_exec_target("db-aaaa1111cccc", kRecords).index, 2);
}

TEST(ExecTarget, ContainerNameThenIdThenPrefix) {
  EXPECT_EQ(match_exec_target("sidecar", kRecords).index, 3);
  EXPECT_EQ(match_exec_target("bbbb7777", kRecords).index, 4);
  EXPECT_EQ(match_exec_target("dddd", kRecords).index, 2);
  EXPECT_EQ(match_exec_target("aaaa1111b", kRecords).index, 0);
}

TEST(ExecTarget, OwnerAndSharersOfOneReferenceAreOneCandidate) {
  std::vector<ExecCandidate> shared = {{"web", "", "aaaa1"}, {"web", "", "aaaa2"}};
  EXPECT_GE(match_exec_target("aaaa", shared).index, 0);
}

TEST(ExecTarget, AmbiguousNamesTheCandidates) {
  auto m = match_exec_target("aaaa", kRecords);
  EXPECT_EQ(m.index, -1);
  EXPECT_EQ(m.problem,
            "exec: `aaaa` is ambiguous: it is the id prefix of db (container aaaa1111cccc, db), "
            "web (container aaaa1111bbbb, web)");
  // A container name two references carry (the original and a fallback).
  m = match_exec_target("db", kRecords);
  EXPECT_EQ(m.index, 1);  // but "db" is a reference name first
}

TEST(ExecTarget, UnknownAndTooShort) {
  auto m = match_exec_target("nosuch", kRecords);
  EXPECT_EQ(m.index, -1);
  EXPECT_EQ(m.problem,
            "exec: `nosuch` names no reference, container name or id; known: api, db, "
            "db-aaaa1111cccc, web");
  m = match_exec_target("aaa", kRecords);
  EXPECT_EQ(m.index, -1);
  EXPECT_NE(m.problem.find("at least 4 characters"), std::string::npos) << m.problem;
  EXPECT_EQ(match_exec_target("x", {}).problem,
            "exec: `x` names no reference, container name or id (an id prefix needs at least 4 "
            "characters)");
}

TEST(ExecTarget, AmbiguousContainerName) {
  std::vector<ExecCandidate> two = {{"db", "shop", "1111"}, {"db2", "shop", "2222"}};
  auto m = match_exec_target("shop", two);
  EXPECT_EQ(m.index, -1);
  EXPECT_NE(m.problem.find("the container name of db (container 1111, shop), db2"),
            std::string::npos)
      << m.problem;
}

}  // namespace
}  // namespace ocinetns
