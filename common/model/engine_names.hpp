// What the hook reads to learn the name people use for a container ({name}), parsed (pure
// logic): Docker's config.v2.json found through the bundle's mounts, and conmon's argv for
// Podman. Never the engine's API: Podman holds the container's lock while hooks run and dockerd
// is inside its start path, so a call back would deadlock or stall the start.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ocinetns {

// Bounds on what is read for a name (a larger file is refused, never truncated).
inline constexpr std::size_t kMaxSpecBytes = 4 * 1024 * 1024;      // the bundle's config.json
inline constexpr std::size_t kMaxDockerConfigBytes = 1024 * 1024;  // config.v2.json
inline constexpr std::size_t kMaxCmdlineBytes = 64 * 1024;         // /proc/<pid>/cmdline

// True if the template has a {name} placeholder: only then does the hook read anything extra.
bool template_uses_name(std::string_view tmpl);

// A Kubernetes pod sandbox's name as `<namespace>_<pod name>`, from the sandbox's own
// annotations (never kubelet's or the runtime's API): containerd's CRI
// io.kubernetes.cri.container-type "sandbox" with io.kubernetes.cri.sandbox-namespace and -name,
// CRI-O io.kubernetes.cri-o.ContainerType "sandbox" with io.kubernetes.pod.namespace and .name.
// Both parts are mapped with map_engine_name(). nullopt for anything else.
std::optional<std::string> kubernetes_pod_name(
    const std::map<std::string, std::string>& annotations);

// True for a Kubernetes app container (CRI container type "container"): it joins its sandbox's
// namespace, so it needs no name of its own and nothing else is read for one.
bool kubernetes_app_container(const std::map<std::string, std::string>& annotations);

// Docker's per-container directory, `<data-root>/containers/<id>`, from the OCI spec: dockerd
// bind-mounts its `hostname`, `hosts` and `resolv.conf` onto /etc/{hostname,hosts,resolv.conf},
// so the data root is read from the spec, never guessed. nullopt if no such mount names a
// directory `containers/<id>` (not a Docker container, or `--network host` without them).
std::optional<std::string> docker_container_dir(const nlohmann::json& spec, std::string_view id);

// The name `docker ps` shows, from config.v2.json's text: its "Name" without the leading '/'.
// The file's "ID" must be `id`. Throws InputError("config.v2.json: <reason>").
std::string docker_name_from_config(std::string_view text, std::string_view id);

// The container name from conmon's argv (/proc/<pid>/cmdline: NUL-separated): `-n NAME` or
// `--name NAME` (also `--name=NAME`), after checking that `-c`/`--cid` is `id`. Throws
// InputError("conmon argv: <reason>").
std::string conmon_name_from_argv(std::string_view cmdline, std::string_view id);

}  // namespace ocinetns
