// libFuzzer target: the OCI state parser (both pid rules) must only ever throw InputError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/base/errors.hpp"
#include "common/model/oci_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto rule : {ocinetns::PidRule::kRequired, ocinetns::PidRule::kOptional}) {
    try {
      auto state = ocinetns::parse_oci_state(text, rule);
      ocinetns::validate_container_id(state.id);  // an accepted id is always valid
    } catch (const ocinetns::InputError&) {
    }
  }
  return 0;
}
