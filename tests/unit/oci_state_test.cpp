// Unit tests for OCI state parsing: runc and crun variants and every refused input.
#include "common/model/oci_state.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/base/errors.hpp"

namespace ocinetns {
namespace {

std::string error_of(const std::string& text, PidRule rule = PidRule::kRequired) {
  try {
    parse_oci_state(text, rule);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OciState, ParsesRuncCreateRuntimeState) {
  auto s = parse_oci_state(R"({"ociVersion":"1.0.2-dev","id":"abc","status":"creating","pid":4242,)"
                           R"("bundle":"/run/b","annotations":{"k":"v"}})",
                           PidRule::kRequired);
  EXPECT_EQ(s.id, "abc");
  EXPECT_EQ(s.pid, 4242);
  EXPECT_EQ(s.bundle, "/run/b");
  EXPECT_EQ(s.status, "creating");
  EXPECT_EQ(s.annotations.at("k"), "v");
}

TEST(OciState, ParsesCrunVariants) {
  // crun: ociVersion "1.0", status "created" at createRuntime, "root" field, pid 0 at poststop.
  auto create = parse_oci_state(
      R"({"ociVersion":"1.0","id":"c1","pid":17,"root":"rootfs","bundle":"/b","status":"created"})",
      PidRule::kRequired);
  EXPECT_EQ(create.pid, 17);
  auto stop = parse_oci_state(R"({"ociVersion":"1.0","id":"c1","pid":0,"status":"stopped"})",
                              PidRule::kOptional);
  EXPECT_EQ(stop.pid, 0);
}

TEST(OciState, RuncPoststopWithoutPid) {
  auto s = parse_oci_state(R"({"id":"abc","status":"stopped","bundle":"/b"})", PidRule::kOptional);
  EXPECT_EQ(s.pid, 0);
  EXPECT_EQ(error_of(R"({"id":"abc","status":"stopped"})"), "pid: missing");
}

TEST(OciState, RefusesNonObjects) {
  EXPECT_NE(error_of("").find("empty input"), std::string::npos);
  EXPECT_NE(error_of("   \n").find("empty input"), std::string::npos);
  EXPECT_EQ(error_of("null"), "state: expected a JSON object");
  EXPECT_EQ(error_of("[]"), "state: expected a JSON object");
  EXPECT_EQ(error_of("42"), "state: expected a JSON object");
  EXPECT_NE(error_of("{").find("state: invalid JSON"), std::string::npos);
}

TEST(OciState, RefusesMissingOrMistypedFields) {
  EXPECT_EQ(error_of(R"({"pid":1})"), "id: missing");
  EXPECT_EQ(error_of(R"({"id":5,"pid":1})"), "id: expected a string");
  EXPECT_EQ(error_of(R"({"id":"a","pid":"1"})"), "pid: expected an integer");
  EXPECT_EQ(error_of(R"({"id":"a","pid":1.5})"), "pid: expected an integer");
  EXPECT_EQ(error_of(R"({"id":"a","pid":0})"), "pid: must be > 0");
  EXPECT_EQ(error_of(R"({"id":"a","pid":-3})"), "pid: must not be negative");
  EXPECT_EQ(error_of(R"({"id":"a","pid":99999999999})"), "pid: out of range");
  EXPECT_EQ(error_of(R"({"id":"a","pid":18446744073709551615})"), "pid: out of range");
  EXPECT_EQ(error_of(R"({"id":"a","pid":1,"annotations":[]})"), "annotations: expected an object");
  EXPECT_EQ(error_of(R"({"id":"a","pid":1,"annotations":{"k":1}})"),
            "annotations.k: expected a string");
  EXPECT_EQ(error_of(R"({"id":"a","pid":1,"bundle":7})"), "bundle: expected a string");
}

TEST(OciState, RefusesDangerousIds) {
  EXPECT_EQ(error_of(R"({"id":"","pid":1})"), "id: must not be empty");
  EXPECT_EQ(error_of(R"({"id":"a/b","pid":1})"), "id: must not contain '/'");
  EXPECT_EQ(error_of(R"({"id":"..","pid":1})"), "id: must not contain \"..\" or be \".\"");
  EXPECT_EQ(error_of(R"({"id":"a..b","pid":1})"), "id: must not contain \"..\" or be \".\"");
  EXPECT_EQ(error_of(R"({"id":".","pid":1})"), "id: must not contain \"..\" or be \".\"");
  EXPECT_EQ(error_of(R"({"id":"a\u0000b","pid":1})"),
            "id: must not contain NUL or control characters");
  EXPECT_EQ(error_of(R"({"id":"a\nb","pid":1})"), "id: must not contain NUL or control characters");
  EXPECT_EQ(error_of(R"({"id":"a\u007fb","pid":1})"),
            "id: must not contain NUL or control characters");
  EXPECT_EQ(error_of(R"({"id":")" + std::string(201, 'a') + R"(","pid":1})"),
            "id: longer than 200 characters");
}

TEST(OciState, RefusesHostileJson) {
  EXPECT_EQ(error_of(R"({"id":"a","id":"b","pid":1})"), "state: duplicate key \"id\"");
  EXPECT_NE(error_of("{\"id\":\"\xff\xfe\",\"pid\":1}").find("invalid JSON"), std::string::npos);
  std::string deep(200000, '[');
  EXPECT_NE(error_of(deep).find("nesting deeper than"), std::string::npos);
  std::string nested_obj;
  for (int i = 0; i < 200000; ++i) nested_obj += "{\"a\":";
  EXPECT_NE(error_of(nested_obj).find("nesting deeper than"), std::string::npos);
  std::string huge = R"({"id":"a","pid":1,"x":")" + std::string(1024 * 1024, 'x') + "\"}";
  EXPECT_EQ(error_of(huge), "state: input exceeds 1048576 bytes");
}

}  // namespace
}  // namespace ocinetns
