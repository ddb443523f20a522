// Real-engine test harness: private dockerd, podman and containerd instances that register the
// built hook, import a busybox-static image, and tear down only what they started (by PID).
//
// Facts measured on these hosts that shape it:
// - dockerd (20.10) creates the bridge docker0 (172.17.0.1/16), sets the FORWARD policy to DROP
//   and adds DOCKER chains, and never removes docker0 when it stops. Tests must not change the
//   host's network namespace, so the private dockerd runs in a network namespace of its own
//   (unshare(CLONE_NEWNET) before exec, lo up): docker0 keeps its default name and address but
//   lives, with the veths and any iptables state, in that namespace, and vanishes with it. Two
//   test processes can then run dockerds at the same time without sharing a docker0. The mount
//   namespace is the host's, so references in /run/netns are visible to the test. A
//   `--network host` container shares dockerd's namespace, which is also the runtime's, so the
//   hook's host-network detection (compare with its own /proc/self/ns/net) is exercised as on a
//   real host. Host-side checks of the bridge/veths must run in_daemon_netns().
// - dockerd starts its own containerd child (exec-root/containerd/containerd.sock) unless
//   --containerd is given; it stops it on SIGTERM. It is ready in about 0.5 s here.
// - dockerd 20.10 writes a trust key to /etc/docker/key.json unless daemon.json sets
//   "deprecated-key-path"; we point it into the temporary directory.
// - "iptables": false keeps dockerd from touching bridge-nf/iptables at all (the namespace would
//   contain them, but there is nothing to test there).
// - The shim gets its config from OCI_NETNS_HOOK_CONFIG in dockerd's (or containerd's)
//   environment: dockerd -> containerd -> containerd-shim-runc-v2 -> runtime pass it down.
//   daemon.json cannot set a per-runtime environment, so the second runtime
//   ("oci-netns-nomatch") is a two-line sh wrapper that sets it and execs the shim.
// - podman 4.3 here uses CNI (netavark is not installed; we pass --network-backend cni so that
//   stays true if it ever is), reads /etc/cni/net.d unless --network-config-dir is
//   given, and its default conflist adds iptables rules (firewall, portmap, ipMasq). We give it a
//   private conflist (bridge only, host-local IPAM with a private dataDir) and run every podman
//   command in a private network namespace held by a `sleep infinity` process, so cni-podman0
//   and the veths stay out of the host's namespace. conmon's cleanup command inherits the same
//   namespace and global flags. `podman rm -f` waits 10 s for busybox sleep (PID 1 ignores
//   SIGTERM) unless `-t 0` is given.
// - containerd 1.6 runs with a config file giving root, state, grpc/ttrpc/debug addresses
//   under the temporary directory and the CRI plugin disabled. `ctr images import` needs an
//   image archive; a plain rootfs tar is refused, so we write an OCI image layout.
#include "tests/support/engines.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ocinetns::test {
namespace {

constexpr const char* kDockerd = "/usr/sbin/dockerd";
// Debian's docker.io client; /usr/local/bin/docker on these hosts is a newer one that shadows it.
constexpr const char* kDockerClient = "/usr/bin/docker";
constexpr const char* kContainerd = "/usr/bin/containerd";
constexpr const char* kCtr = "/usr/bin/ctr";
constexpr const char* kPodman = "/usr/bin/podman";

std::string tail(const std::string& text, std::size_t max = 4000) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

std::string common_reason() {
  std::string why = runc_unavailable_reason();
  if (!why.empty()) return why;
  if (access("/usr/bin/nsenter", X_OK) != 0) return "nsenter (util-linux) is not installed";
  return "";
}

std::string shim_reason() {
  if (access(runtime_binary().c_str(), X_OK) != 0) {
    return "the runtime shim is not built: " + runtime_binary();
  }
  return "";
}

std::string find_runc() {
  auto r = sh("command -v runc");
  std::string path = trim(r.out);
  if (!r.ok() || path.empty()) throw std::runtime_error("runc is not on PATH");
  return path;
}

// Builds `target` once per build tree under a lock, by `make(tmp_path)` then rename.
std::string build_once(const std::string& name,
                       const std::function<void(const std::string&)>& make) {
  std::string target = std::string(OCI_NETNS_BINARY_DIR) + "/" + name;
  std::string lock_path = target + ".lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) throw std::runtime_error("cannot open " + lock_path);
  ::flock(lock, LOCK_EX);
  try {
    if (!path_exists(target)) {
      std::string tmp = target + ".tmp";
      make(tmp);
      if (::rename(tmp.c_str(), target.c_str()) != 0) {
        throw std::runtime_error("rename " + tmp + " failed");
      }
    }
  } catch (...) {
    ::close(lock);
    throw;
  }
  ::close(lock);
  return target;
}

void must(const CommandResult& r, const std::string& what) {
  if (!r.ok())
    throw std::runtime_error(what + " failed (exit " + std::to_string(r.exit_code) +
                             "): " + tail(r.err + r.out));
}

std::string sha256_of(const std::string& path) {
  auto r = run({"sha256sum", path});
  must(r, "sha256sum " + path);
  return r.out.substr(0, 64);
}

long long size_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("stat " + path + " failed");
  return static_cast<long long>(st.st_size);
}

// Writes `text` into the layout's blob store and returns its descriptor.
nlohmann::json add_blob(const std::string& layout, const std::string& media_type,
                        const std::string& file) {
  std::string digest = sha256_of(file);
  long long size = size_of(file);
  std::string blob = layout + "/blobs/sha256/" + digest;
  if (::rename(file.c_str(), blob.c_str()) != 0) throw std::runtime_error("rename " + file);
  return {{"mediaType", media_type}, {"digest", "sha256:" + digest}, {"size", size}};
}

// The hook config of the shared engines: one sysctl the tests read back. sysctl_errors is
// "warn" because with "fail" the hook refuses to start a host-network container when sysctls are
// configured (it never writes host sysctls), and the host-network tests share this engine.
nlohmann::json shared_hook_config() {
  return {{"sysctls", {{kTestSysctlKey, kTestSysctlValue}}}, {"sysctl_errors", "warn"}};
}

bool process_alive(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

// cmdline of `pid` contains `needle`: makes sure a PID read from a file is still ours.
bool cmdline_contains(pid_t pid, const std::string& needle) {
  std::string cmd = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  for (auto& c : cmd) {
    if (c == '\0') c = ' ';
  }
  return cmd.find(needle) != std::string::npos;
}

// lo comes up DOWN in a new network namespace; daemons expect 127.0.0.1 to work.
bool bring_lo_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  ok = ok && ::ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

bool wait_until(const std::function<bool()>& ready, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ready();
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string unique_name(const std::string& base) {
  return base + "-" + std::to_string(getpid());
}

std::string runtime_binary() {
#ifdef OCI_NETNS_RUNTIME_BIN
  return OCI_NETNS_RUNTIME_BIN;
#else
  return std::string(OCI_NETNS_BINARY_DIR) + "/hook/oci-netns-runtime";
#endif
}

std::string docker_unavailable_reason() {
  if (access(kDockerd, X_OK) != 0) return "dockerd (docker.io) is not installed";
  if (access(kDockerClient, X_OK) != 0) return "the docker.io client is not installed";
  std::string why = common_reason();
  return why.empty() ? shim_reason() : why;
}

std::string podman_unavailable_reason() {
  if (access(kPodman, X_OK) != 0) return "podman is not installed";
  return common_reason();
}

std::string containerd_unavailable_reason() {
  if (access(kContainerd, X_OK) != 0 || access(kCtr, X_OK) != 0) {
    return "containerd is not installed";
  }
  std::string why = common_reason();
  return why.empty() ? shim_reason() : why;
}

// ---- images ---------------------------------------------------------------------------------

std::string busybox_rootfs_tar() {
  return build_once("test-busybox-rootfs.tar", [](const std::string& tmp) {
    must(run({"tar", "-C", busybox_rootfs(), "-cf", tmp, "--exclude=./.complete", "."}),
         "tar of the busybox rootfs");
  });
}

std::string busybox_oci_archive() {
  return busybox_oci_archive_as("test-busybox-oci.tar",
                                std::string("docker.io/library/") + kBusyboxImage,
                                {{"Env", {"PATH=/bin"}}, {"Cmd", {"sh"}}});
}

std::string busybox_oci_archive_as(const std::string& file_name, const std::string& image_name,
                                   const nlohmann::json& image_config) {
  return build_once(file_name, [&](const std::string& tmp) {
    TempDir work("oci-netns-oci-layout");
    std::string layout = work.file("layout");
    must(run({"mkdir", "-p", layout + "/blobs/sha256"}), "mkdir");
    std::string layer_file = work.file("layer.tar");
    std::string layer_digest = sha256_of(busybox_rootfs_tar());
    must(run({"cp", busybox_rootfs_tar(), layer_file}), "cp layer");
    nlohmann::json layer = add_blob(layout, "application/vnd.oci.image.layer.v1.tar", layer_file);
    nlohmann::json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config", image_config},
        {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + layer_digest}}}}};
    write_text(work.file("config.json"), config.dump());
    nlohmann::json config_desc =
        add_blob(layout, "application/vnd.oci.image.config.v1+json", work.file("config.json"));
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"config", config_desc},
                               {"layers", {layer}}};
    write_text(work.file("manifest.json"), manifest.dump());
    nlohmann::json manifest_desc =
        add_blob(layout, "application/vnd.oci.image.manifest.v1+json", work.file("manifest.json"));
    // containerd names the image from io.containerd.image.name.
    manifest_desc["annotations"] = {{"io.containerd.image.name", image_name},
                                    {"org.opencontainers.image.ref.name", "test"}};
    nlohmann::json index = {{"schemaVersion", 2}, {"manifests", {manifest_desc}}};
    write_text(layout + "/index.json", index.dump());
    write_text(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    must(run({"tar", "-C", layout, "-cf", tmp, "."}), "tar of the OCI layout");
  });
}

// ---- Daemon ---------------------------------------------------------------------------------

Daemon::Daemon(Options options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw std::invalid_argument("Daemon without argv");
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  for (const auto& e : options_.env) env_storage.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = options_.argv;
  std::vector<char*> argv;
  for (auto& a : argv_copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd = ::open(options_.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + options_.log_path);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    setsid();
    // A crashed test must not leave a daemon behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(120);
    signal(SIGPIPE, SIG_DFL);  // run() ignores it, and ignored dispositions survive exec
    if (options_.private_netns && (unshare(CLONE_NEWNET) != 0 || !bring_lo_up())) _exit(121);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  pid_ = pid;
}

Daemon::~Daemon() {
  stop();
}

bool Daemon::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Daemon::stop() {
  if (!alive()) return;
  ::kill(pid_, SIGTERM);
  bool exited = wait_until([this] { return !alive(); }, options_.stop_timeout_seconds);
  if (!exited && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::string Daemon::netns_path() const {
  return "/proc/" + std::to_string(pid_) + "/ns/net";
}

std::string Daemon::log() const {
  return read_text(options_.log_path);
}

// ---- HookFiles --------------------------------------------------------------------------------

HookFiles::HookFiles(Options options) : dir_("oci-netns-hooks") {
  config_path_ = dir_.file("config.json");
  hooks_dir_ = dir_.file("hooks.d");
  state_dir_ = "/run/oci-netns-test-" + options.tag + "-" + std::to_string(getpid());
  nlohmann::json config = {{"state_dir", state_dir_},
                           {"log", {{"level", "debug"}, {"file", dir_.file("hook.log")}}},
                           {"runtime", {{"path", find_runc()}, {"hooks_dirs", {hooks_dir_}}}}};
  config.merge_patch(options.config);
  write_text(config_path_, config.dump(2));
  if (::mkdir(hooks_dir_.c_str(), 0755) != 0) throw std::runtime_error("mkdir " + hooks_dir_);

  // The shipped hooks.d files, pointed at the built hook and this config.
  std::vector<std::pair<std::string, nlohmann::json>> files;
  std::string shipped = std::string(OCI_NETNS_SOURCE_DIR) + "/install/hooks.d";
  if (DIR* d = ::opendir(shipped.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
        files.emplace_back(name, nlohmann::json::parse(read_text(shipped + "/" + name)));
      }
    }
    ::closedir(d);
  }
  if (files.empty()) {
    // install/hooks.d not written yet: the same schema 1.0.0 content by hand.
    for (const char* stage : {"createRuntime", "poststop"}) {
      files.emplace_back(std::string("oci-netns-") + stage + ".json",
                         nlohmann::json{{"version", "1.0.0"},
                                        {"hook",
                                         {{"path", "/usr/bin/oci-netns-hook"},
                                          {"args", {"oci-netns-hook", stage}},
                                          {"timeout", 10}}},
                                        {"when", {{"always", true}}},
                                        {"stages", {stage}}});
    }
  }
  for (auto& [name, j] : files) {
    j["hook"]["path"] = hook_binary();
    j["hook"]["env"] = nlohmann::json::array(
        {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "OCI_NETNS_HOOK_CONFIG=" + config_path_});
    if (!options.matching) {
      // An annotation no test container carries: the hooks exist but never match.
      j["when"] = {{"annotations", {{"^org\\.oci-netns\\.test\\.never$", "^yes$"}}}};
    }
    write_text(hooks_dir_ + "/" + name, j.dump(2));
  }
}

HookFiles::~HookFiles() {
  run({"rm", "-rf", state_dir_});
}

std::string HookFiles::record_path(const std::string& id) const {
  return state_dir_ + "/containers/" + id + ".json";
}

std::string HookFiles::log() const {
  return read_text(dir_.file("hook.log"));
}

// ---- helpers --------------------------------------------------------------------------------

std::vector<std::string> references_to(unsigned long long ino, const std::string& netns_dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(netns_dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (inode_of(netns_dir + "/" + name) == ino && mountinfo_has(netns_dir + "/" + name)) {
      names.push_back(name);
    }
  }
  ::closedir(d);
  return names;
}

bool netns_listed(const std::string& name) {
  for (const auto& n : ip_netns_list()) {
    if (n == name) return true;
  }
  return false;
}

// ---- DockerDaemon -----------------------------------------------------------------------------

DockerDaemon::DockerDaemon(const Options& options)
    : root_("oci-netns-docker"),
      hooks_({"docker", options.hook_config, true}),
      nomatch_hooks_({"docker-nomatch", nlohmann::json::object(), false}) {
  std::string wrapper = root_.file("oci-netns-nomatch");
  write_text(wrapper,
             "#!/bin/sh\nOCI_NETNS_HOOK_CONFIG='" + nomatch_hooks_.config_path() + "' exec '" +
                 runtime_binary() + "' \"$@\"\n",
             0755);
  nlohmann::json daemon_json = {{"iptables", false},
                                {"deprecated-key-path", root_.file("key.json")}};
  if (options.register_shim) {
    daemon_json["runtimes"] = {{"oci-netns", {{"path", runtime_binary()}}},
                               {"oci-netns-nomatch", {{"path", wrapper}}}};
  }
  daemon_json.update(options.daemon_json);
  write_text(root_.file("daemon.json"), daemon_json.dump(2));
  daemon_ = std::make_unique<Daemon>(
      Daemon::Options{{kDockerd, "--config-file", root_.file("daemon.json"), "--data-root",
                       root_.file("data"), "--exec-root", root_.file("exec"), "--pidfile",
                       root_.file("docker.pid"), "-H", "unix://" + socket()},
                      {"OCI_NETNS_HOOK_CONFIG=" + hooks_.config_path(),
                       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                      root_.file("dockerd.log"),
                      true,
                      30});
  bool ready = wait_until([this] { return !daemon_->alive() || docker({"version"}, 10).ok(); }, 60);
  if (!ready || !daemon_->alive()) {
    throw std::runtime_error("dockerd did not start: " + tail(daemon_->log()));
  }
  std::string pid_text = trim(read_text(root_.file("exec/containerd/containerd.pid")));
  if (!pid_text.empty()) containerd_pid_ = std::stoi(pid_text);
  must(docker({"import", busybox_rootfs_tar(), kBusyboxImage}), "docker import");
}

DockerDaemon::~DockerDaemon() {
  if (daemon_->alive()) {
    auto ids = docker({"ps", "-aq"});
    std::istringstream in(ids.out);
    std::vector<std::string> rm{"rm", "-f"};
    for (std::string id; in >> id;) rm.push_back(id);
    if (rm.size() > 2) docker(rm);
  }
  daemon_->stop();
  // dockerd stops its containerd; if dockerd had to be SIGKILLed, stop it ourselves.
  if (process_alive(containerd_pid_) && cmdline_contains(containerd_pid_, root_.path())) {
    ::kill(containerd_pid_, SIGTERM);
    wait_until([this] { return !process_alive(containerd_pid_); }, 10);
    if (process_alive(containerd_pid_)) ::kill(containerd_pid_, SIGKILL);
  }
}

DockerDaemon& DockerDaemon::shared() {
  // Destroyed by static destruction after RUN_ALL_TESTS returns (and PDEATHSIG if we crash).
  static DockerDaemon daemon(Options{shared_hook_config()});
  return daemon;
}

CommandResult DockerDaemon::docker(const std::vector<std::string>& args,
                                   int timeout_seconds) const {
  std::vector<std::string> argv{kDockerClient, "-H", "unix://" + socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_seconds = timeout_seconds;
  return run(argv, options);
}

CommandResult DockerDaemon::in_daemon_netns(const std::vector<std::string>& argv,
                                            const std::vector<std::string>& env) const {
  std::vector<std::string> full{"nsenter", "--net=" + netns_path()};
  full.insert(full.end(), argv.begin(), argv.end());
  CommandOptions options;
  options.env = env;
  return run(full, options);
}

std::string DockerDaemon::inspect(const std::string& id, const std::string& format) const {
  auto r = docker({"inspect", "-f", format, id});
  return r.ok() ? trim(r.out) : "";
}

// ---- PodmanEngine -----------------------------------------------------------------------------

PodmanEngine::PodmanEngine(const Options& options)
    : root_("oci-netns-podman"), hooks_({"podman", options.hook_config, true}) {
  must(run({"mkdir", "-p", root_.file("net"), root_.file("ipam")}), "mkdir");
  nlohmann::json conflist = {
      {"cniVersion", "0.4.0"},
      {"name", "podman"},
      {"plugins",
       {{{"type", "bridge"},
         {"bridge", "cni-podman0"},
         {"isGateway", true},
         {"ipMasq", false},
         {"ipam",
          {{"type", "host-local"},
           {"dataDir", root_.file("ipam")},
           {"routes", {{{"dst", "0.0.0.0/0"}}}},
           {"ranges", {{{{"subnet", "10.88.0.0/16"}, {"gateway", "10.88.0.1"}}}}}}}}}}};
  write_text(root_.file("net/podman.conflist"), conflist.dump(2));
  if (!options.containers_conf.empty()) {
    write_text(root_.file("containers.conf"), options.containers_conf);
    env_.push_back("CONTAINERS_CONF=" + root_.file("containers.conf"));
  }
  netns_holder_ = std::make_unique<Daemon>(
      Daemon::Options{{"/bin/sleep", "infinity"}, {}, root_.file("holder.log"), true, 5});
  if (!wait_until(
          [this] { return inode_of(netns_holder_->netns_path()) != inode_of("/proc/self/ns/net"); },
          10)) {
    throw std::runtime_error("the podman network namespace holder did not start");
  }
  prefix_ = {"nsenter",
             "--net=" + netns_holder_->netns_path(),
             kPodman,
             "--root",
             root_.file("storage"),
             "--runroot",
             root_.file("run"),
             "--tmpdir",
             root_.file("tmp"),
             "--network-config-dir",
             root_.file("net"),
             "--runtime",
             "runc",
             "--cgroup-manager",
             "cgroupfs",
             "--network-backend",
             "cni",
             "--events-backend",
             "file"};
  if (!options.system_hooks) {
    prefix_.insert(prefix_.end(), {"--hooks-dir", hooks_.hooks_dir()});
  }
  must(podman({"import", busybox_rootfs_tar(), kBusyboxImage}), "podman import");
}

PodmanEngine::~PodmanEngine() {
  podman({"rm", "-a", "-f", "-t", "0"});
  podman({"rmi", "-a", "-f"});
  netns_holder_->stop();
}

PodmanEngine& PodmanEngine::shared() {
  static PodmanEngine engine(Options{.hook_config = shared_hook_config()});
  return engine;
}

CommandResult PodmanEngine::podman(const std::vector<std::string>& args,
                                   int timeout_seconds) const {
  std::vector<std::string> argv = prefix_;
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_seconds = timeout_seconds;
  options.env = env_;
  return run(argv, options);
}

std::vector<std::string> PodmanEngine::run_flags() {
  return {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"};
}

std::string PodmanEngine::inspect(const std::string& id, const std::string& format) const {
  auto r = podman({"inspect", "-f", format, id});
  return r.ok() ? trim(r.out) : "";
}

// ---- ContainerdDaemon -------------------------------------------------------------------------

ContainerdDaemon::ContainerdDaemon(const Options& options)
    : root_("oci-netns-containerd"), hooks_({"containerd", options.hook_config, true}) {
  std::string toml =
      "version = 2\n"
      "root = \"" +
      root_.file("root") +
      "\"\n"
      "state = \"" +
      root_.file("state") +
      "\"\n"
      "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
      "[grpc]\n  address = \"" +
      root_.file("containerd.sock") +
      "\"\n"
      "[ttrpc]\n  address = \"" +
      root_.file("containerd.sock.ttrpc") +
      "\"\n"
      "[debug]\n  address = \"" +
      root_.file("debug.sock") + "\"\n";
  write_text(root_.file("config.toml"), toml);
  daemon_ =
      std::make_unique<Daemon>(Daemon::Options{{kContainerd, "--config", root_.file("config.toml")},
                                               {"OCI_NETNS_HOOK_CONFIG=" + hooks_.config_path()},
                                               root_.file("containerd.log"),
                                               false,
                                               30});
  bool ready = wait_until([this] { return !daemon_->alive() || ctr({"version"}, 10).ok(); }, 60);
  if (!ready || !daemon_->alive()) {
    throw std::runtime_error("containerd did not start: " + tail(daemon_->log()));
  }
  must(ctr({"images", "import", busybox_oci_archive()}), "ctr images import");
}

ContainerdDaemon::~ContainerdDaemon() {
  if (daemon_->alive()) {
    auto ids = ctr({"containers", "list", "-q"});
    std::istringstream in(ids.out);
    for (std::string id; in >> id;) remove_container(id);
  }
  daemon_->stop();
}

ContainerdDaemon& ContainerdDaemon::shared() {
  static ContainerdDaemon daemon(Options{shared_hook_config()});
  return daemon;
}

std::string ContainerdDaemon::image_ref() const {
  return std::string("docker.io/library/") + kBusyboxImage;
}

CommandResult ContainerdDaemon::ctr(const std::vector<std::string>& args,
                                    int timeout_seconds) const {
  std::vector<std::string> argv{kCtr, "--address", root_.file("containerd.sock")};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout_seconds = timeout_seconds;
  return run(argv, options);
}

CommandResult ContainerdDaemon::run_container(const std::string& id,
                                              const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"run", "-d", "--runc-binary", runtime_binary(), image_ref(), id};
  argv.insert(argv.end(), args.begin(), args.end());
  return ctr(argv);
}

CommandResult ContainerdDaemon::remove_container(const std::string& id) const {
  // An attached `ctr run` already deleted its task when the container exited.
  if (ctr({"task", "list", "-q"}).out.find(id) != std::string::npos) {
    ctr({"task", "kill", "-s", "SIGKILL", id});
    wait_until([&] { return task_pid(id) == 0; }, 10);
    auto deleted = ctr({"task", "delete", "-f", id});
    if (!deleted.ok()) return deleted;
  }
  return ctr({"containers", "delete", id});
}

int ContainerdDaemon::task_pid(const std::string& id) const {
  auto r = ctr({"task", "list"});
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string task, pid, status;
    fields >> task >> pid >> status;
    if (task == id && status == "RUNNING") return std::stoi(pid);
  }
  return 0;
}

}  // namespace ocinetns::test
