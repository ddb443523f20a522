// Strict JSON parsing of untrusted input: every malformed document is an InputError, never
// another exception that would end the hook with std::terminate.
#include <gtest/gtest.h>

#include <string>

#include "common/base/errors.hpp"
#include "common/base/strict_json.hpp"
#include "common/model/oci_state.hpp"

namespace ocinetns {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_strict_json(text, "state");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Found by fuzz_hooks_d: nlohmann reports a number overflowing a double as out_of_range.406,
// which escaped as a non-InputError and aborted the hook on a state with "pid": 1e999.
TEST(StrictJson, NumberOverflowIsAnInputError) {
  EXPECT_EQ(error_of(R"({"pid":1e999})"), "state: invalid JSON: number overflow parsing '1e999'");
  EXPECT_NE(error_of("[-1E400]"), "");
  EXPECT_THROW(parse_strict_ordered_json(R"({"timeout":3333E3333333})", "hook"), InputError);
}

TEST(StrictJson, StateWithOverflowingPidIsRefused) {
  EXPECT_THROW(
      parse_oci_state(
          R"({"ociVersion":"1.0.2","id":"x","status":"creating","pid":1e999,"bundle":"/b"})",
          PidRule::kRequired),
      InputError);
}

}  // namespace
}  // namespace ocinetns
