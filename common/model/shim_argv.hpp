// Parsing a runc-style command line (global options, subcommand, --bundle) for the runtime shim.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocinetns {

struct ShimArgs {
  std::string subcommand;           // empty when there is none (e.g. `--version`)
  std::string log_path;             // --log, empty if absent
  std::string log_format = "text";  // --log-format
  // For create/run only: the bundle directory. `--bundle`/`-b` if given, else "." (runc's
  // default is the current directory).
  std::optional<std::string> bundle;
  // For start only: the container id (the shim applies deferred sysctls before the runtime's
  // start; common/deferred_store.hpp). Empty if absent.
  std::string container_id;
  // create/run: the shim must add hooks to the bundle's config.json before exec'ing.
  [[nodiscard]] bool rewrites_config() const { return bundle.has_value(); }
};

// Parses the arguments after argv[0] the way runc (urfave/cli over Go's flag package) reads
// them: global flags in `--opt v`, `--opt=v`, `-opt v` forms, then the subcommand, then its own
// flags. Never throws: anything malformed is left for the real runtime to reject, so the shim
// only acts on a command line it fully understands and otherwise passes it through unchanged.
ShimArgs parse_shim_argv(const std::vector<std::string_view>& args);

}  // namespace ocinetns
