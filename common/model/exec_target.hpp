// Which reference `oci-netns-hook exec TARGET` means (pure logic): TARGET may be a reference
// name, a container name from our records, a full container id or a unique id prefix.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocinetns {

// An id prefix shorter than this is refused: with 64-hex ids, 4 characters is where `docker`
// users start to type them, and shorter ones match by accident.
inline constexpr std::size_t kMinIdPrefix = 4;

// One record, as exec sees it: `reference` is the reference file name it enters (a sharer's is
// its owner's), unique per netns directory.
struct ExecCandidate {
  std::string reference;
  std::string container_name;  // may be empty
  std::string id;
};

struct ExecTargetMatch {
  // Index into the candidates of the match; -1 when there is none (unknown or ambiguous).
  long index = -1;
  // Unknown or ambiguous: the one line naming TARGET and the candidates.
  std::string problem;
};

// Tries, in this order, and stops at the first rule that matches anything: reference name,
// container name, full id, id prefix of at least kMinIdPrefix characters. Candidates that name
// the same reference (an owner and its sharers) count once. More than one reference under the
// first matching rule is ambiguous; the problem lists them (sorted, at most 10).
ExecTargetMatch match_exec_target(std::string_view target,
                                  const std::vector<ExecCandidate>& candidates);

}  // namespace ocinetns
