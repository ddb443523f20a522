// The collision rule for reference names (pure logic): when the rendered name is already held,
// by another container's reference or by something oci-netns-hook did not make, the new
// container gets a deterministic fallback name instead of none. Shared by every source of names
// (templates, Docker and Podman names, Kubernetes pods).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ocinetns {

// The fallback suffix starts with the first kShortIdLength (12) characters of the id, the
// length `docker ps` shows, and grows by kFallbackIdStep characters while that is taken too.
inline constexpr std::size_t kFallbackIdStep = 8;

// Every name the container `id` may take for the rendered `name`, in the order they are tried:
// `name` itself, then `name-<first 12 of id>`, `name-<first 20 of id>`, ... and finally
// `name-<id>`. The id part keeps only characters validate_netns_name() accepts ('_' for the
// others) and `name` is shortened so that each candidate stays within NAME_MAX. Deterministic:
// the same name and id always give the same list, so a container that restarts (or whose
// createRuntime runs again) finds the name it had.
std::vector<std::string> name_candidates(std::string_view name, std::string_view id);

// Maps a name taken from an engine (a Docker or Podman container name, a pod name) onto the
// characters reference names accept, deterministically, instead of refusing it: each byte
// outside [A-Za-z0-9_.-] becomes '_', a leading '.' or '-' becomes '_', and the result is cut
// to kMaxEngineNameLength bytes so that a template's other text and a fallback suffix still fit
// in NAME_MAX. Returns an empty string for an empty name.
inline constexpr std::size_t kMaxEngineNameLength = 128;
std::string map_engine_name(std::string_view name);

}  // namespace ocinetns
