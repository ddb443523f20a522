// The OCI state document a runtime passes to hooks on stdin, parsed and validated (pure logic).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace ocinetns {

inline constexpr std::size_t kMaxStateBytes = 1024 * 1024;
inline constexpr std::size_t kMaxIdLength = 200;

struct OciState {
  std::string id;
  pid_t pid = 0;  // 0 = no pid (runc omits it at poststop, crun sends 0)
  std::string bundle;
  std::string status;  // informational only: the stage always comes from argv
  std::map<std::string, std::string> annotations;
};

enum class PidRule { kRequired, kOptional };

// Parses the state JSON. Accepts runc's and crun's variants (crun: ociVersion "1.0",
// status "created" at createRuntime, pid 0 at poststop). Throws InputError naming the field.
OciState parse_oci_state(std::string_view text, PidRule pid_rule);

// Validates a container id: non-empty, <= kMaxIdLength, no '/', not "." or "..", no "..",
// no NUL or control characters. Throws InputError("id: ...").
void validate_container_id(std::string_view id);

}  // namespace ocinetns
