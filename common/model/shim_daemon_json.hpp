// Editing Docker's daemon.json to register or unregister the shim as a runtime (install.sh).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ocinetns {

struct DaemonJsonEdit {
  std::string text;                             // the new file content
  bool changed = false;                         // false: the file already said this
  std::optional<std::string> previous_default;  // "default-runtime" before the edit, if set
  std::optional<std::string> new_default;       // after an unregister: "default-runtime", if set
};

// The runtime dockerd always has, whatever "runtimes" says.
inline constexpr const char* kDockerStockRuntime = "runc";

// Adds "runtimes": {<name>: {"path": <path>}} (keeping other keys of an existing entry, e.g.
// runtimeArgs) and, with `make_default`, "default-runtime": <name>. Every other key and the key
// order are kept. `text` empty means the file does not exist yet. Throws InputError if the
// document is not a JSON object or `runtimes` is not an object.
DaemonJsonEdit docker_register_runtime(std::string_view text, const std::string& name,
                                       const std::string& path, bool make_default);

// Removes runtimes.<name>, keeping "runtimes" itself (as `{}` if it becomes empty: dockerd's
// SIGHUP reload ignores a removed "runtimes" key, so the entry would stay live). If
// "default-runtime" is <name> it becomes `restore_default` when that is "runc" or still in
// "runtimes", else "runc": in the same write, never removed (a Docker 20.10 reload that leaves its
// current default without a runtime panics dockerd).
DaemonJsonEdit docker_unregister_runtime(std::string_view text, const std::string& name,
                                         const std::string& restore_default);

}  // namespace ocinetns
