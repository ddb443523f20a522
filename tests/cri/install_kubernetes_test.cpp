// install.sh --kubernetes (the DaemonSet's node-side registration) and uninstall.sh: against a
// scratch root holding a containerd config (non-destructive: --root), and against the cri suite's
// private containerd, which must pick the drop-in up through its imports, run pods through the
// installed shim after install.sh restarted it, and stop doing so after uninstall.sh.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "tests/cri/cri_pod.hpp"
#include "tests/support/cri_node.hpp"

namespace ocinetns::test {
namespace {

constexpr const char* kExes[] = {"oci-netns-hook-cli", "oci-netns-hook", "oci-netns-runtime"};

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

std::string install_sh() {
  return std::string(OCI_NETNS_SOURCE_DIR) + "/install/install.sh";
}

std::string uninstall_sh() {
  return std::string(OCI_NETNS_SOURCE_DIR) + "/install/uninstall.sh";
}

std::string build_hook_dir() {
  std::string runtime = OCI_NETNS_RUNTIME_BIN;
  return runtime.substr(0, runtime.rfind('/'));
}

// The image's /opt/oci-netns-hook/bin: the built binaries, stripped, for --bin-dir.
void make_bin_dir(const std::string& dir) {
  ASSERT_TRUE(run({"mkdir", "-p", dir}).ok());
  for (const char* exe : kExes) {
    auto r = run({"objcopy", "--strip-all", build_hook_dir() + "/" + exe, dir + "/" + exe});
    ASSERT_TRUE(r.ok()) << r.err;
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every file below `dir` (relative paths), sorted.
std::vector<std::string> files_under(const std::string& dir) {
  auto r = run({"find", dir, "-type", "f", "-printf", "%P\n"});
  auto files = lines_of(r.out);
  std::sort(files.begin(), files.end());
  return files;
}

// The documents of a YAML file, as JSON (Debian's python3-yaml; the python3 on PATH may lack it).
nlohmann::json yaml_documents(const std::string& path) {
  auto r = run({"/usr/bin/python3", "-c",
                "import sys, json, yaml\n"
                "print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
                path});
  if (!r.ok()) throw std::runtime_error("cannot read " + path + " as YAML: " + r.err);
  return nlohmann::json::parse(r.out);
}

std::string yaml_unavailable_reason() {
  return run({"/usr/bin/python3", "-c", "import yaml"}).ok()
             ? ""
             : "Debian's python3-yaml is not installed (the tests read the YAML manifests with it)";
}

std::string manifest_path(const std::string& name) {
  return std::string(OCI_NETNS_SOURCE_DIR) + "/install/kubernetes/" + name;
}

// A container's command and env from a DaemonSet manifest, as `env -i NAME=VALUE... command`
// (overrides replace the manifest's values).
std::vector<std::string> container_argv(const nlohmann::json& container,
                                        const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> argv{"/bin/env", "-i", "PATH=/bin"};
  for (const auto& e : container.value("env", nlohmann::json::array())) {
    std::string name = e["name"];
    argv.push_back(name + "=" +
                   (overrides.count(name) ? overrides.at(name) : e["value"].get<std::string>()));
  }
  for (const auto& a : container["command"]) argv.push_back(a);
  return argv;
}

// A node's containerd config with settings a drop-in holding only BinaryName would reset.
constexpr const char* kNodeConfig =
    "version = 2\n"
    "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
    "  sandbox_image = \"example.org/pause:9\"\n"
    "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
    "    snapshotter = \"native\"\n"
    "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
    "      runtime_type = \"io.containerd.runc.v2\"\n"
    "      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
    "        SystemdCgroup = true\n";

#define OCI_NETNS_REQUIRE_ROOT()                                     \
  do {                                                               \
    if (geteuid() != 0) {                                            \
      if (in_ci()) FAIL() << "prerequisite missing in CI: not root"; \
      GTEST_SKIP() << "install.sh needs root";                       \
    }                                                                \
  } while (0)

// The DaemonSet's init container, without an engine: the image's rootfs (build-image.sh
// --context-only: busybox-static as the only shell and tools, the stripped static binaries)
// chrooted into, with a scratch node root bind-mounted at /host holding the node's containerd
// binary (for `chroot /host containerd config dump`) and its config; every path is the node's.
TEST(KubernetesInstall, ImageInstallsUnderTheNodesRootAndUninstallUndoesIt) {
  OCI_NETNS_REQUIRE_ROOT();
  OCI_NETNS_REQUIRE(yaml_unavailable_reason());
  if (access("/usr/bin/containerd", X_OK) != 0) GTEST_SKIP() << "containerd is not installed";
  TempDir t("oci-netns-k8s-root");
  std::string root = t.file("root");
  // containerd is dynamically linked against glibc only (measured): it runs chrooted with these.
  for (std::string f :
       {"/usr/bin/containerd", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}) {
    ASSERT_TRUE(run({"mkdir", "-p", root + f.substr(0, f.rfind('/'))}).ok());
    ASSERT_TRUE(run({"cp", f, root + f}).ok()) << f;
  }
  ASSERT_TRUE(run({"mkdir", "-p", root + "/etc/containerd"}).ok());
  write_text(root + "/etc/containerd/config.toml", kNodeConfig);
  auto before = files_under(root);
  bool host_dropin_existed = path_exists("/etc/containerd/conf.d/oci-netns-hook.toml");

  CommandOptions build_env;
  build_env.env = {"OCI_NETNS_BUILD_DIR=" + std::string(OCI_NETNS_BINARY_DIR)};
  auto made = run({std::string(OCI_NETNS_SOURCE_DIR) + "/install/kubernetes/build-image.sh",
                   "--context-only", t.file("context")},
                  build_env);
  ASSERT_TRUE(made.ok()) << made.out << made.err;
  EXPECT_TRUE(path_exists(t.file("context/Dockerfile")));
  std::string image = t.file("context/rootfs");
  // What an engine gives every container: /proc and /dev (here only /dev/null, which the
  // scripts use).
  ASSERT_TRUE(run({"mkdir", "-p", image + "/host", image + "/dev", image + "/proc"}).ok());
  write_text(image + "/dev/null", "");
  struct Unmount {
    std::vector<std::string> paths;
    ~Unmount() {
      for (const auto& p : paths) run({"umount", p});
    }
  } unmount;
  ASSERT_TRUE(run({"mount", "--bind", "/dev/null", image + "/dev/null"}).ok());
  unmount.paths.push_back(image + "/dev/null");
  ASSERT_TRUE(run({"mount", "--bind", root, image + "/host"}).ok());
  unmount.paths.push_back(image + "/host");
  ASSERT_TRUE(run({"mount", "--bind", "/proc", image + "/proc"}).ok());
  unmount.paths.push_back(image + "/proc");
  // What the DaemonSets' init containers run, from the manifests, in the image (busybox's sh
  // and nothing else on PATH). containerd's restart is left out here (there is none in this
  // root): PrivateContainerdRunsPodsThroughTheInstalledShim tests it.
  auto daemonset = yaml_documents(manifest_path("daemonset.yaml")).at(0);
  auto uninstall_ds = yaml_documents(manifest_path("uninstall.yaml")).at(0);
  auto in_image = [&](const nlohmann::json& daemon_set) {
    std::vector<std::string> argv{"chroot", image};
    auto inner = container_argv(daemon_set["spec"]["template"]["spec"]["initContainers"][0],
                                {{"RESTART_CONTAINERD", "false"}});
    argv.insert(argv.end(), inner.begin(), inner.end());
    return run(argv);
  };
  auto r = in_image(daemonset);
  ASSERT_TRUE(r.ok()) << r.out << r.err;

  for (const char* exe : kExes) {
    std::string path = root + "/usr/local/bin/" + exe;
    EXPECT_EQ(access(path.c_str(), X_OK), 0) << path;
    EXPECT_FALSE(path_exists(path + ".oci-netns-tmp"));
  }
  // The static binaries run in the image, which has no libc of its own.
  auto version = run({"chroot", image, "/opt/oci-netns-hook/bin/oci-netns-hook", "--version"});
  EXPECT_TRUE(version.ok()) << version.err;
  EXPECT_EQ(version.out.rfind("oci-netns-hook ", 0), 0u) << version.out;
  // The image's binaries, byte for byte (copied beside, then renamed into place).
  for (const char* exe : kExes) {
    EXPECT_TRUE(
        run({"cmp", image + "/opt/oci-netns-hook/bin/" + exe, root + "/usr/local/bin/" + exe}).ok())
        << exe;
  }
  // hooks.d: the node's hook path, and only pod sandboxes (CRI-O's and containerd's annotation).
  for (const char* stage : {"createruntime", "poststop"}) {
    auto hook = nlohmann::json::parse(
        read_text(root + "/usr/share/containers/oci/hooks.d/oci-netns-hook-" + stage + ".json"));
    EXPECT_EQ(hook["hook"]["path"], "/usr/local/bin/oci-netns-hook");
    EXPECT_FALSE(hook["hook"].contains("env"));  // the default config path: nothing to pass
    EXPECT_EQ(hook["when"].size(), 1u);
    EXPECT_EQ(hook["when"]["annotations"],
              nlohmann::json({{"^io\\.kubernetes\\.(cri-o\\.ContainerType|cri\\.container-type)$",
                               "^sandbox$"}}));
  }
  auto config = nlohmann::json::parse(read_text(root + "/etc/oci-netns-hook/config.json"));
  EXPECT_EQ(config["name_template"], "{name}");
  EXPECT_EQ(config["sysctls"], nlohmann::json::object());
  EXPECT_EQ(config["state_dir"], "/run/oci-netns-hook");

  // The imports line is added; everything else in the node's config is kept as it was.
  std::string main_config = read_text(root + "/etc/containerd/config.toml");
  auto main_lines = lines_of(main_config);
  auto node_lines = lines_of(kNodeConfig);
  ASSERT_EQ(main_lines.size(), node_lines.size() + 1) << main_config;
  EXPECT_EQ(main_lines[1], "imports = [\"/etc/containerd/conf.d/oci-netns-hook.toml\"]");
  main_lines.erase(main_lines.begin() + 1);
  EXPECT_EQ(main_lines, node_lines);
  // containerd's own view: the shim is the runc runtime's binary and the node's settings survive
  // (an import replaces a plugin's whole section, so the drop-in carries all of them).
  auto dump = run({"chroot", root, "/usr/bin/containerd", "--config", "/etc/containerd/config.toml",
                   "config", "dump"});
  ASSERT_TRUE(dump.ok()) << dump.err;
  EXPECT_NE(dump.out.find("BinaryName = \"/usr/local/bin/oci-netns-runtime\""), std::string::npos);
  EXPECT_NE(dump.out.find("sandbox_image = \"example.org/pause:9\""), std::string::npos);
  EXPECT_NE(dump.out.find("snapshotter = \"native\""), std::string::npos);
  EXPECT_NE(dump.out.find("SystemdCgroup = true"), std::string::npos);
  EXPECT_EQ(path_exists("/etc/containerd/conf.d/oci-netns-hook.toml"), host_dropin_existed);
  // The manifest names the node's paths, not the scratch root's.
  std::string manifest = read_text(root + "/var/lib/oci-netns-hook/install-manifest");
  EXPECT_EQ(manifest.find(root), std::string::npos) << manifest;

  // A second run (the init container runs on every pod start) changes nothing.
  std::string dropin_text = read_text(root + "/etc/containerd/conf.d/oci-netns-hook.toml");
  r = in_image(daemonset);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(read_text(root + "/etc/containerd/config.toml"), main_config);
  EXPECT_EQ(read_text(root + "/etc/containerd/conf.d/oci-netns-hook.toml"), dropin_text);
  EXPECT_EQ(read_text(root + "/var/lib/oci-netns-hook/install-manifest"), manifest);

  // Uninstall without a restart: the registration goes, the binaries stay (containerd still
  // runs new pods through the shim until it restarts).
  r = in_image(uninstall_ds);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.out.find("the binaries stay"), std::string::npos) << r.out;
  EXPECT_EQ(read_text(root + "/etc/containerd/config.toml"), kNodeConfig);
  EXPECT_FALSE(path_exists(root + "/etc/containerd/conf.d/oci-netns-hook.toml"));
  EXPECT_FALSE(
      path_exists(root + "/usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json"));
  EXPECT_TRUE(path_exists(root + "/usr/local/bin/oci-netns-runtime"));
  // Run again once containerd has restarted: the rest goes, and the root is as it was.
  r = in_image(uninstall_ds);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_EQ(files_under(root), before);
}

// --skip-containerd (the RuntimeClass setup): everything but containerd's registration; and the
// Kubernetes-only options are refused without --kubernetes, before anything is written.
TEST(KubernetesInstall, SkipContainerdLeavesItsConfigAloneAndOptionsNeedKubernetes) {
  OCI_NETNS_REQUIRE_ROOT();
  TempDir t("oci-netns-k8s-skip");
  std::string root = t.file("root");
  std::string bin = t.file("image-bin");
  make_bin_dir(bin);
  ASSERT_TRUE(run({"mkdir", "-p", root + "/etc/containerd", root + "/usr/bin"}).ok());
  write_text(root + "/etc/containerd/config.toml", kNodeConfig);
  write_text(root + "/usr/bin/containerd", "#!/bin/sh\nexit 1\n", 0755);  // never run
  for (const char* option : {"--root /tmp", "--skip-containerd", "--restart-containerd"}) {
    auto refused = sh(install_sh() + " --bin-dir " + quote(bin) + " " + option + " --prefix " +
                      quote(t.file("x")));
    EXPECT_EQ(refused.exit_code, 2) << option;
    EXPECT_NE(refused.err.find("need --kubernetes"), std::string::npos) << refused.err;
    EXPECT_FALSE(path_exists(t.file("x")));
  }
  auto r = sh(install_sh() + " --kubernetes --skip-containerd --root " + quote(root) +
              " --bin-dir " + quote(bin));
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_NE(r.out.find("containerd: not registered (--skip-containerd)"), std::string::npos);
  EXPECT_EQ(read_text(root + "/etc/containerd/config.toml"), kNodeConfig);
  EXPECT_FALSE(path_exists(root + "/etc/containerd/conf.d"));
  EXPECT_TRUE(path_exists(root + "/usr/share/containers/oci/hooks.d/oci-netns-hook-poststop.json"));
  r = sh(uninstall_sh() + " --root " + quote(root));
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_FALSE(path_exists(root + "/usr/local/bin/oci-netns-runtime"));
  EXPECT_FALSE(path_exists(root + "/var/lib/oci-netns-hook/install-manifest"));
}

// The private containerd of the cri suite, with no BinaryName in its config: install.sh writes
// the drop-in, adds the imports line, restarts containerd through the node's "init" (the
// harness restarts it when it exits) and waits for it; pods then run through the installed shim
// with the installed sandbox-only hooks; uninstall.sh restarts it again and keeps the binaries
// while a pod created through them still exists.
TEST(KubernetesInstall, PrivateContainerdRunsPodsThroughTheInstalledShim) {
  OCI_NETNS_REQUIRE_ROOT();
  OCI_NETNS_REQUIRE(cri_unavailable_reason());
  TempDir t("oci-netns-k8s-ctrd");
  std::string bin = t.file("image-bin");
  make_bin_dir(bin);
  std::string state_dir = "/run/oci-netns-test-k8s-" + std::to_string(getpid());
  struct RemoveState {
    std::string dir;
    ~RemoveState() { run({"rm", "-rf", dir}); }
  } remove_state{state_dir};
  ASSERT_TRUE(run({"mkdir", "-p", t.file("node/etc/containerd")}).ok());

  CriNode::Options options;
  options.register_shim = false;
  options.config_path = t.file("node/etc/containerd/config.toml");
  options.hook_config_path = t.file("etc/config.json");
  options.supervise = true;
  CriNode node(options);
  std::string original = read_text(node.config_path());
  CriClient cri(node.socket());
  ASSERT_TRUE(cri.wait_ready(30)) << node.log();

  std::string restart = "pid=$(cat " + quote(node.pidfile()) +
                        ") && kill $pid && while kill -0 $pid 2>/dev/null; do sleep 0.1; done";
  std::string common = " --containerd-restart-cmd " + quote(restart) + " --containerd-address " +
                       quote(node.socket());
  std::string flags = " --kubernetes --bin-dir " + quote(bin) + " --prefix " +
                      quote(t.file("prefix")) + " --hooks-dir " + quote(t.file("hooks.d")) +
                      " --config-dir " + quote(t.file("etc")) + " --manifest-dir " +
                      quote(t.file("var")) + " --state-dir " + quote(state_dir) +
                      " --containerd-config " + quote(node.config_path()) + " --containerd-state " +
                      quote(node.state_dir()) + common;
  pid_t before = node.pid();
  auto r = sh(install_sh() + flags + " --restart-containerd");
  ASSERT_TRUE(r.ok()) << r.out << r.err << node.log();
  EXPECT_NE(r.out.find("containerd: answers again"), std::string::npos) << r.out;
  EXPECT_NE(node.pid(), before);
  ASSERT_TRUE(cri.wait_ready(30));

  // Until the names placeholder is on main, the hook refuses "{name}" and falls back to the
  // defaults (the id), keeping the config's state_dir and hooks_dirs.
  std::string installed_hook = t.file("prefix/bin/oci-netns-hook");
  bool names = run({installed_hook, "validate", "--config", t.file("etc/config.json")}).ok();
  {
    Pod pod(cri, {});
    std::string app = pod.add_container("app");
    std::string name = names ? kubernetes_reference_name(pod.spec()) : pod.id();
    EXPECT_TRUE(netns_listed(name)) << read_text(t.file("etc/config.json"));
    auto spec = nlohmann::json::parse(read_text(node.bundle(pod.id()) + "/config.json"));
    std::string pin;
    for (const auto& ns : spec["linux"]["namespaces"]) {
      if (ns["type"] == "network") pin = ns["path"];
    }
    EXPECT_EQ(inode_of("/run/netns/" + name), inode_of(pin));
    // The sandbox-only hooks: the app container runs no hook, so it has no record at all.
    EXPECT_EQ(dir_entries(state_dir + "/containers"), std::vector<std::string>{pod.id() + ".json"});
    EXPECT_FALSE(spec["hooks"].is_null());
    auto app_spec = nlohmann::json::parse(read_text(node.bundle(app) + "/config.json"));
    EXPECT_FALSE(app_spec.contains("hooks")) << app_spec["hooks"].dump();
    // The runc shim keeps each container's BinaryName (what uninstall.sh looks for).
    EXPECT_NE(read_text(node.bundle(pod.id()) + "/options.json").find(t.file("prefix/bin")),
              std::string::npos);

    // Uninstall with the pod running: containerd is restarted without the shim, the binaries
    // stay because the pod's containers still run through them.
    r = sh(uninstall_sh() + " --manifest-dir " + quote(t.file("var")) + " --restart-containerd" +
           common);
    ASSERT_TRUE(r.ok()) << r.out << r.err;
    EXPECT_NE(r.out.find("containers still run through"), std::string::npos) << r.out;
    EXPECT_EQ(read_text(node.config_path()), original);
    EXPECT_TRUE(path_exists(t.file("prefix/bin/oci-netns-runtime")));
    ASSERT_TRUE(cri.wait_ready(30));
    // A new pod no longer goes through the shim; the old one is torn down through it.
    PodSpec after;
    after.name = "after";
    Pod plain(cri, after);
    EXPECT_FALSE(netns_listed(plain.id()));
    EXPECT_FALSE(path_exists(state_dir + "/containers/" + plain.id() + ".json"));
    ASSERT_NO_THROW(plain.teardown());
    ASSERT_NO_THROW(pod.teardown()) << node.log();
    EXPECT_FALSE(netns_listed(name));
    EXPECT_TRUE(dir_entries(state_dir + "/containers").empty());
  }
  r = sh(uninstall_sh() + " --manifest-dir " + quote(t.file("var")) + common);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  EXPECT_FALSE(path_exists(t.file("prefix/bin/oci-netns-runtime")));
  EXPECT_FALSE(path_exists(t.file("var/install-manifest")));
  EXPECT_EQ(read_text(node.config_path()), original);
}

// The DaemonSet as the install tests ran it: what each container needs from the node.
TEST(KubernetesManifests, DaemonSetGivesTheContainersWhatTheyUse) {
  OCI_NETNS_REQUIRE(yaml_unavailable_reason());
  auto ds = yaml_documents(manifest_path("daemonset.yaml")).at(0);
  EXPECT_EQ(ds["kind"], "DaemonSet");
  EXPECT_EQ(ds["metadata"]["namespace"], "kube-system");
  const auto& pod = ds["spec"]["template"]["spec"];
  EXPECT_EQ(pod["hostPID"], true);
  std::map<std::string, nlohmann::json> volumes;
  for (const auto& v : pod["volumes"]) volumes[v["name"]] = v;
  auto config = nlohmann::json::parse(read_text(manifest_path("config.json")));
  std::string netns_dir = config["netns_dir"];
  std::string state_dir = config["state_dir"];
  // gc: the node's /run/netns with Bidirectional propagation (its unmounts must reach the
  // host) and the node's state directory, at the paths the config names.
  const auto& gc = pod["containers"][0];
  EXPECT_EQ(gc["command"],
            nlohmann::json({"/opt/oci-netns-hook/bin/oci-netns-hook", "gc", "--every", "300"}));
  EXPECT_EQ(gc["securityContext"]["privileged"], true);
  std::map<std::string, nlohmann::json> mounts;
  for (const auto& m : gc["volumeMounts"]) mounts[m["mountPath"]] = m;
  ASSERT_EQ(mounts.count(netns_dir), 1u);
  EXPECT_EQ(mounts[netns_dir]["mountPropagation"], "Bidirectional");
  EXPECT_EQ(volumes[mounts[netns_dir]["name"]]["hostPath"]["path"], netns_dir);
  ASSERT_EQ(mounts.count(state_dir), 1u);
  EXPECT_EQ(volumes[mounts[state_dir]["name"]]["hostPath"]["path"], state_dir);
  // The installer and gc both see the node's root at /host (gc's config is there).
  for (const auto& c : {pod["initContainers"][0], gc}) {
    bool host_root = false;
    for (const auto& m : c["volumeMounts"]) {
      host_root =
          host_root || (m["mountPath"] == "/host" && volumes[m["name"]]["hostPath"]["path"] == "/");
    }
    EXPECT_TRUE(host_root) << c["name"];
  }
  EXPECT_EQ(pod["initContainers"][0]["securityContext"]["privileged"], true);
  auto argv = container_argv(gc, {});
  EXPECT_NE(std::find(argv.begin(), argv.end(),
                      "OCI_NETNS_HOOK_CONFIG=/host/etc/oci-netns-hook/config.json"),
            argv.end());
}

}  // namespace
}  // namespace ocinetns::test
