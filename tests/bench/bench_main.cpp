// Benchmark driver behind tests/bench/run.sh: times the hook, the shim and runc next to their
// baselines, interleaved within one run (A,B,C,A,B,C...), and prints medians, p99s and ratios
// against the targets (tests/bench/README.md), plus a JSON copy. It is not a test: it asserts
// nothing and exits non-zero only when it cannot measure (a command failed, setup broke).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/sys/netns.hpp"
#include "common/sys/reference.hpp"
#include "common/sys/self_exec.hpp"
#include "tests/support/command.hpp"
#include "tests/support/engines.hpp"
#include "tests/support/runc.hpp"

extern char** environ;

namespace ocinetns::bench {
namespace {

using test::busybox_rootfs;
using test::read_text;
using test::write_text;

struct Params {
  int hook_n = 500;
  int e2e_n = 200;
  int shim_state_n = 200;
  int shim_create_n = 100;
  std::vector<int> scale_entries{10, 1000, 10000};
  int scale_n = 200;
  int gc_stale = 10000;
  int gc_per_netns = 100;  // records sharing one dead namespace (tests/bench/README.md)
  int docker_n = 25;
  int podman_n = 20;
  int fs_n = 300;        // pairs per series in the filesystems section
  int fs_churn = 10000;  // files created and deleted on each filesystem before it is timed
};

Params smoke_params() {
  Params p;
  p.hook_n = 20;
  p.e2e_n = 3;
  p.shim_state_n = 10;
  p.shim_create_n = 3;
  p.scale_entries = {10, 100, 1000};
  p.scale_n = 10;
  p.gc_stale = 300;
  p.docker_n = 2;
  p.podman_n = 2;
  p.fs_n = 5;
  p.fs_churn = 200;
  return p;
}

struct Options {
  bool smoke = false;
  std::string hook;
  std::string runtime;
  std::string floor;
  std::string minimal;    // the kernel-work floor, tests/bench/bench_minimal.cpp
  std::string floor_pie;  // optional: the exec floor linked -static-pie with the hook's hardening
  std::string floor_sandbox;  // optional: floor_pie plus the hook's seccomp filter
  std::string json_path;
  std::string bin_dir;  // where the binaries under test are copied before anything is timed
  std::string work;     // private scratch directory under /run (same filesystem as /run/netns)
  // Optional: other hook binaries timed alongside (before/after), each with a label.
  std::vector<std::pair<std::string, std::string>> baseline_hooks;
  std::vector<std::string> only;  // sections to run (default: all)
  // --private-run: a tmpfs /run (scratch and /run/netns) in a mount namespace of the benchmark's
  // own. By default the hook works on this machine's real /run/netns, in its mount namespace.
  bool private_run = false;
  [[nodiscard]] bool wants(const std::string& section) const {
    return only.empty() || std::find(only.begin(), only.end(), section) != only.end();
  }
};

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path == nullptr ? "/usr/sbin:/usr/bin:/sbin:/bin" : path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error(name + " not found in PATH");
}

// One timed run: wall time from fork to reaped exit, and the child's peak RSS, minor page
// faults and CPU time, user + system (wait4(2)). CPU time is what other load on the machine
// changes least: it leaves out the time the child waited for a CPU (and for I/O).
struct Outcome {
  double ms = 0;
  long max_rss_kb = 0;
  int status = -1;  // exit code, 128+N for signal N
  long minflt = 0;
  double cpu_ms = -1;
};

// Every child writes stderr to one log file opened once, so every series pays the same for it.
int g_stderr_log = -1;
std::string g_stderr_log_path;

Outcome spawn(const std::vector<std::string>& argv, const std::string& input,
              const std::vector<std::string>& env = {}) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(g_stderr_log, STDERR_FILENO);
    ::execve(argp[0], argp.data(), envp.data());
    ::_exit(127);
  }
  ::close(in[0]);
  std::size_t done = 0;
  while (done < input.size()) {
    ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
    if (n <= 0) break;  // the child does not read its stdin (runc state): fine
    done += static_cast<std::size_t>(n);
  }
  ::close(in[1]);
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  auto end = std::chrono::steady_clock::now();
  Outcome out;
  out.ms = std::chrono::duration<double, std::milli>(end - start).count();
  out.max_rss_kb = ru.ru_maxrss;
  out.minflt = ru.ru_minflt;
  auto tv_ms = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
  };
  out.cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

std::string stderr_tail() {
  std::string log = read_text(g_stderr_log_path);
  return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
}

// Runs a command whose success the measurement depends on; throws with its stderr otherwise.
Outcome must(const std::vector<std::string>& argv, const std::string& input = "",
             const std::vector<std::string>& env = {}) {
  Outcome o = spawn(argv, input, env);
  if (o.status != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error(
        fmt::format("`{}` exited {}; stderr log tail:\n{}", cmd, o.status, stderr_tail()));
  }
  return o;
}

// A series of samples (milliseconds, minor page faults) and the peak RSS seen.
struct Series {
  std::string name;
  std::vector<double> ms;
  long max_rss_kb = 0;
  std::vector<long> faults;
  std::vector<double> cpu;

  void add(const Outcome& o) { add(o.ms, o.max_rss_kb, o.minflt, o.cpu_ms); }
  void add(double sample_ms, long rss_kb, long minflt = -1, double cpu_ms = -1) {
    ms.push_back(sample_ms);
    max_rss_kb = std::max(max_rss_kb, rss_kb);
    if (minflt >= 0) faults.push_back(minflt);
    if (cpu_ms >= 0) cpu.push_back(cpu_ms);
  }
  // The median CPU time per sample, or -1 when it was not measured.
  [[nodiscard]] double median_cpu() const {
    if (cpu.empty()) return -1;
    return Series{name, cpu, 0, {}, {}}.median();
  }
  // The median of the minor page faults per sample, or -1 when they were not counted.
  [[nodiscard]] long median_faults() const {
    if (faults.empty()) return -1;
    std::vector<long> v = faults;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  }
  [[nodiscard]] double quantile(double q) const {
    if (ms.empty()) return 0;
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    if (q == 0.5) {
      std::size_t n = v.size();
      return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(idx, v.size() - 1)];
  }
  [[nodiscard]] double median() const { return quantile(0.5); }
  [[nodiscard]] double p99() const { return quantile(0.99); }
};

// A measured value next to its target: a ratio of medians or an absolute value.
struct Check {
  std::string name;
  double value = 0;
  double target = 0;
  std::string unit;       // "x" for ratios
  double cpu_ratio = -1;  // the same ratio of median CPU times, where both were measured
  [[nodiscard]] bool informational() const { return target <= 0; }
  [[nodiscard]] bool pass() const { return value <= target; }
};

struct Report {
  std::vector<Series> series;
  std::vector<Check> checks;
  std::vector<std::string> notes;

  Series& add_series(const std::string& name) {
    series.push_back(Series{name, {}, 0, {}, {}});
    return series.back();
  }
  void ratio(const std::string& name, const Series& a, const Series& b, double target) {
    double cpu = a.median_cpu() > 0 && b.median_cpu() > 0 ? a.median_cpu() / b.median_cpu() : -1;
    checks.push_back(Check{name, a.median() / b.median(), target, "x", cpu});
  }
};

// A process sleeping in a network namespace of its own (clone(CLONE_NEWNET) via unshare(2)),
// standing in for a container's init; with `own_netns` false, in this machine's (a
// host-network container). Killed by pid on destruction.
class NetnsSleeper {
 public:
  explicit NetnsSleeper(bool own_netns = true) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (own_netns && ::unshare(CLONE_NEWNET) != 0) ::_exit(1);
      char c = 1;
      if (::write(p[1], &c, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(p[1]);
    char c = 0;
    ssize_t n = ::read(p[0], &c, 1);
    ::close(p[0]);
    if (n != 1) throw std::runtime_error("netns sleeper failed to unshare(CLONE_NEWNET)");
  }
  ~NetnsSleeper() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  NetnsSleeper(const NetnsSleeper&) = delete;
  NetnsSleeper& operator=(const NetnsSleeper&) = delete;
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Mounts made by the benchmark stay out of the host's mount namespace: a private copy whose
// mounts still receive the host's events (rslave), as a runtime's view of /run would.
void enter_own_mount_ns() {
  if (::unshare(CLONE_NEWNS) != 0) throw std::runtime_error("unshare(CLONE_NEWNS) failed");
  if (::mount("none", "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    throw std::runtime_error("mount --make-rslave / failed");
  }
}

// --private-run: /run is a tmpfs on systemd hosts, where the hook's records, the references and
// runc's state live; on some machines (this project's VMs) it is ext4, whose unlink and
// rename-over cost dominate gc. The option puts the benchmark's scratch directory and /run/netns
// (for iproute2) on tmpfs mounts in its own mount namespace: the figures of a tmpfs /run, away
// from the host's mount propagation. The default measures this machine's real /run/netns.
void mount_tmpfs(const std::string& dir) {
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    throw std::runtime_error("mount tmpfs on " + dir + " failed");
  }
}

void use_tmpfs_run(const std::string& work) {
  for (const std::string& dir : {work, std::string("/run/netns")}) mount_tmpfs(dir);
}

std::string hook_config(const std::string& netns_dir, const std::string& state_dir,
                        const std::string& shared, const std::string& sandbox,
                        const std::string& name_template = "") {
  nlohmann::ordered_json j;
  j["netns_dir"] = netns_dir;
  j["state_dir"] = state_dir;
  j["shared_netns"] = shared;
  if (!sandbox.empty()) j["sandbox"] = sandbox;
  if (!name_template.empty()) j["name_template"] = name_template;
  j["log"] = {{"level", "info"}, {"file", ""}, {"syslog", false}};
  return j.dump(2) + "\n";
}

std::string create_state(const std::string& id, pid_t pid, const std::string& bundle = "/tmp") {
  return nlohmann::json{
      {"ociVersion", "1.0.2"}, {"id", id},         {"pid", pid},
      {"status", "creating"},  {"bundle", bundle}, {"annotations", nlohmann::json::object()}}
      .dump();
}

// What dockerd has written for container `id` by createRuntime, under `root`: its
// `containers/<id>/config.v2.json` (Name "/<id>-nm") and a bundle whose config.json bind-mounts
// that directory's hostname, hosts and resolv.conf, as Docker 20.10's does. Returns the bundle.
// Written before the timed pair: a {name} pair pays only for what the hook reads.
std::string docker_like_bundle(const std::string& root, const std::string& id) {
  std::string data = root + "/containers/" + id;
  std::string bundle = root + "/bundles/" + id;
  std::filesystem::create_directories(data);
  std::filesystem::create_directories(bundle);
  write_text(data + "/config.v2.json",
             nlohmann::json{{"ID", id}, {"Name", "/" + id + "-nm"}, {"State", {{"Running", false}}}}
                 .dump());
  nlohmann::json mounts = nlohmann::json::array();
  for (const char* f : {"hostname", "hosts", "resolv.conf"}) {
    write_text(data + "/" + f, "");
    mounts.push_back({{"destination", std::string("/etc/") + f},
                      {"type", "bind"},
                      {"source", data + "/" + f},
                      {"options", {"rbind", "rprivate"}}});
  }
  write_text(bundle + "/config.json",
             nlohmann::json{{"ociVersion", "1.0.2"}, {"mounts", mounts}}.dump());
  return bundle;
}

std::string poststop_state(const std::string& id) {
  return nlohmann::json{
      {"ociVersion", "1.0.2"}, {"id", id}, {"status", "stopped"}, {"bundle", "/tmp"}}
      .dump();
}

// Everything one hook configuration needs: its config file and the env that selects it
// (bench_minimal takes the netns directory from OCI_NETNS_BENCH_NETNS_DIR; the hook ignores it).
struct HookSetup {
  std::string netns_dir;
  std::string config_path;
  [[nodiscard]] std::vector<std::string> env() const {
    return {"OCI_NETNS_HOOK_CONFIG=" + config_path, "OCI_NETNS_BENCH_NETNS_DIR=" + netns_dir};
  }
};

// The netns directory the hook sections use: the host's /run/netns by default, where users'
// references live (a shared mount that Docker, Podman and containerd see), or "" for one of each
// setup's own (--private-run, inside the benchmark's tmpfs).
std::string g_netns_dir;

// `sandbox` empty: the config's default. `own_netns_dir`: a netns directory of the setup's own
// even on the host (scale and gc fill theirs with thousands of entries).
HookSetup make_hook_setup(const std::string& dir, const std::string& shared = "skip",
                          const std::string& sandbox = "", bool own_netns_dir = false,
                          const std::string& name_template = "") {
  ::mkdir(dir.c_str(), 0755);
  HookSetup s{own_netns_dir || g_netns_dir.empty() ? dir + "/netns" : g_netns_dir,
              dir + "/config.json"};
  write_text(s.config_path,
             hook_config(s.netns_dir, dir + "/state", shared, sandbox, name_template));
  return s;
}

// createRuntime then poststop, as runc runs them for one container. Returns the pair's cost.
Outcome hook_pair(const std::string& hook, const HookSetup& setup, const std::string& id, pid_t pid,
                  const std::string& bundle = "/tmp") {
  Outcome a = must({hook, "createRuntime"}, create_state(id, pid, bundle), setup.env());
  Outcome b = must({hook, "poststop"}, poststop_state(id), setup.env());
  return Outcome{a.ms + b.ms, std::max(a.max_rss_kb, b.max_rss_kb), 0, a.minflt + b.minflt,
                 a.cpu_ms + b.cpu_ms};
}

bool is_netns_reference(const std::string& path) {
  UniqueFd dir = open_dir_if_exists(path.substr(0, path.rfind('/')));
  if (!dir) return false;
  return inspect_reference(dir.get(), path.substr(path.rfind('/') + 1)).kind == RefKind::kNamespace;
}

// A stage whose input the hook must refuse: it exits kExitBadInput (2, hook/hook_commands.hpp)
// and leaves nothing behind. Its cost includes the first C++ exception of the process.
Outcome refused(const std::string& hook, const std::string& stage, const std::string& input,
                const HookSetup& setup) {
  Outcome o = spawn({hook, stage}, input, setup.env());
  if (o.status != 2) {
    throw std::runtime_error(fmt::format("{} {} of a refused input exited {}, not 2; stderr:\n{}",
                                         hook, stage, o.status, stderr_tail()));
  }
  return o;
}

// Two commands run one after the other (first, then second: not as function arguments, whose
// order C++ leaves open), timed as one sample: a pair of stages, as runc runs them.
void add_pair(Series& s, const std::function<Outcome()>& first,
              const std::function<Outcome()>& second) {
  Outcome a = first();
  Outcome b = second();
  s.add(a.ms + b.ms, std::max(a.max_rss_kb, b.max_rss_kb), a.minflt + b.minflt,
        a.cpu_ms + b.cpu_ms);
}

// One sample of a floor program: two runs fed the states runc gives the two stages, each given
// its stage as argv[1] as the hook is (the exec floors ignore it; the seccomp floor picks its
// stage's filter by it).
void add_floor_pair(Series& s, const std::string& bin, const std::string& id, pid_t pid,
                    const HookSetup& setup) {
  add_pair(
      s,
      [&] {
        return must({bin, "createRuntime"}, create_state(id, pid), setup.env());
      },
      [&] {
        return must({bin, "poststop"}, poststop_state(id), setup.env());
      });
}

// 1. The hook next to the exec floor and iproute2's attach + del, and its other paths (nothing
// to register, nothing to remove, input refused) next to the same exec floor.
void bench_hook(const Options& opt, const Params& p, Report& report, const NetnsSleeper& sleeper) {
  HookSetup setup = make_hook_setup(opt.work + "/hook");
  std::string ip = find_in_path("ip");
  std::string prefix = fmt::format("bench-{}", ::getpid());

  // Warm-up, and proof that the hook really makes and removes the reference.
  std::string probe = prefix + "-probe";
  must({opt.hook, "createRuntime"}, create_state(probe, sleeper.pid()), setup.env());
  if (!is_netns_reference(setup.netns_dir + "/" + probe)) {
    throw std::runtime_error("the hook did not create " + setup.netns_dir + "/" + probe);
  }
  must({opt.hook, "poststop"}, poststop_state(probe), setup.env());
  if (test::path_exists(setup.netns_dir + "/" + probe)) {
    throw std::runtime_error("the hook did not remove " + setup.netns_dir + "/" + probe);
  }

  Series& hook = report.add_series("hook createRuntime+poststop");
  Series& floor = report.add_series("exec floor (2 static execs, same stdin)");
  Series* floor_pie =
      opt.floor_pie.empty() ? nullptr : &report.add_series("exec floor, static-pie + hardening");
  // The static-pie floor with the hook's own seccomp filter loaded: what every confined hook
  // process pays before it does any work (tests/bench/bench_floor_sandbox.cpp).
  Series* floor_sandbox =
      opt.floor_sandbox.empty()
          ? nullptr
          : &report.add_series("exec floor, static-pie + hook's seccomp filter");
  Series& iproute = report.add_series("ip netns attach + ip netns del");
  // The same hook without its seccomp sandbox: what confinement costs on the hot path.
  HookSetup unconfined = make_hook_setup(opt.work + "/hook-unconfined", "skip", "off");
  Series& no_sandbox = report.add_series("hook createRuntime+poststop, sandbox off");
  // The syscalls one reference needs and nothing else: what any implementation of the design
  // costs here (its own state directory: it keeps its records in another format).
  HookSetup minimal_setup = make_hook_setup(opt.work + "/minimal");
  Series& minimal = report.add_series("minimal kernel work (bench_minimal), pair");

  // The other paths. Host network: a process in this machine's network namespace, which the
  // hook skips; its poststop then finds no record.
  NetnsSleeper host_process(/*own_netns=*/false);
  Series& host_skip = report.add_series("hook pair, host network (skip; poststop: no record)");
  Series& no_record = report.add_series("hook 2x poststop with no record");
  // Shared netns: a second container joining the namespace a first one registered (the
  // config's shared_netns "skip"): createRuntime records a sharer, poststop forgets it.
  HookSetup shared_setup = make_hook_setup(opt.work + "/hook-shared");
  std::string owner = prefix + "-owner";
  must({opt.hook, "createRuntime"}, create_state(owner, sleeper.pid()), shared_setup.env());
  Series& shared_skip = report.add_series("hook pair, shared netns (skip)");
  // Refused input: a state without "pid" for createRuntime, and one that is not JSON.
  Series& refused_pair = report.add_series("hook pair, both inputs refused");
  // The names issue's cost: the same Docker-like bundle under {id} and under {name} (which reads
  // the bundle's config.json and dockerd's config.v2.json).
  HookSetup name_setup = make_hook_setup(opt.work + "/hook-name", "skip", "", false, "{name}");
  std::string docker_root = opt.work + "/docker-like";
  Series& by_id = report.add_series("hook pair, Docker bundle, {id}");
  Series& by_name = report.add_series("hook pair, Docker bundle, {name}");
  std::vector<std::pair<std::string, Series*>> baselines;
  for (const auto& [label, bin] : opt.baseline_hooks) {
    baselines.emplace_back(bin, &report.add_series(label + " createRuntime+poststop"));
  }
  std::string pid = std::to_string(sleeper.pid());
  // One sample of each series per round. What ran just before a command changes its cost (the
  // dynamically linked `ip` leaves the CPU caches colder than the exec floor does), so each round
  // starts one series later than the last: every series follows every other equally often.
  std::string id;
  bool i_first_name_check = true;
  std::vector<std::function<void()>> round{
      [&] { hook.add(hook_pair(opt.hook, setup, id, sleeper.pid())); },
      [&] { no_sandbox.add(hook_pair(opt.hook, unconfined, id + "-u", sleeper.pid())); },
      [&] { minimal.add(hook_pair(opt.minimal, minimal_setup, id + "-m", sleeper.pid())); },
      [&] { add_floor_pair(floor, opt.floor, id, sleeper.pid(), setup); },
      [&] {
        add_pair(
            iproute,
            [&] {
              return must({ip, "netns", "attach", id, pid});
            },
            [&] {
              return must({ip, "netns", "del", id});
            });
      },
      [&] { host_skip.add(hook_pair(opt.hook, setup, id + "-h", host_process.pid())); },
      [&] {
        auto poststop = [&] {
          return must({opt.hook, "poststop"}, poststop_state(id + "-n"), setup.env());
        };
        add_pair(no_record, poststop, poststop);
      },
      [&] { shared_skip.add(hook_pair(opt.hook, shared_setup, id + "-s", sleeper.pid())); },
      [&] {
        std::string bundle = docker_like_bundle(docker_root, id + "-di");
        by_id.add(hook_pair(opt.hook, setup, id + "-di", sleeper.pid(), bundle));
      },
      [&] {
        std::string cid = id + "-dn";
        std::string bundle = docker_like_bundle(docker_root, cid);
        by_name.add(hook_pair(opt.hook, name_setup, cid, sleeper.pid(), bundle));
        if (i_first_name_check) {
          // Proof that {name} really took the Docker name (and so read config.v2.json).
          i_first_name_check = false;
          must({opt.hook, "createRuntime"}, create_state(cid, sleeper.pid(), bundle),
               name_setup.env());
          bool named = is_netns_reference(name_setup.netns_dir + "/" + cid + "-nm");
          must({opt.hook, "poststop"}, poststop_state(cid), name_setup.env());
          if (!named) throw std::runtime_error("{name} did not give " + cid + "-nm");
        }
      },
      [&] {
        add_pair(
            refused_pair,
            [&] {
              return refused(opt.hook, "createRuntime",
                             R"({"ociVersion":"1.0.2","id":")" + id + R"(","status":"creating"})",
                             setup);
            },
            [&] { return refused(opt.hook, "poststop", "not JSON", setup); });
      }};
  if (floor_pie != nullptr) {
    round.emplace_back(
        [&] { add_floor_pair(*floor_pie, opt.floor_pie, id, sleeper.pid(), setup); });
  }
  if (floor_sandbox != nullptr) {
    round.emplace_back(
        [&] { add_floor_pair(*floor_sandbox, opt.floor_sandbox, id, sleeper.pid(), setup); });
  }
  for (std::size_t b = 0; b < baselines.size(); ++b) {
    round.emplace_back([&, b] {
      baselines[b].second->add(
          hook_pair(baselines[b].first, setup, fmt::format("{}-b{}", id, b), sleeper.pid()));
    });
  }
  for (int i = 0; i < p.hook_n; ++i) {
    id = fmt::format("{}-{}", prefix, i);
    for (std::size_t k = 0; k < round.size(); ++k) round[(i + k) % round.size()]();
  }
  must({opt.hook, "poststop"}, poststop_state(owner), shared_setup.env());
  // The skip paths must have stayed skips: nothing registered for them.
  for (const std::string& left :
       {setup.netns_dir + "/" + id + "-h", setup.netns_dir + "/" + id + "-s",
        setup.netns_dir + "/" + owner}) {
    if (test::path_exists(left)) throw std::runtime_error("the hook left " + left + " behind");
  }
  report.ratio("hook / exec floor", hook, floor, 1.40);
  report.ratio("hook / ip netns attach+del", hook, iproute, 0.90);
  report.ratio("hook / minimal kernel work", hook, minimal, 1.12);
  report.ratio("minimal kernel work / exec floor", minimal, floor, 0);
  report.ratio("hook / hook with sandbox off", hook, no_sandbox, 0);
  report.ratio("host-network skip pair / exec floor", host_skip, floor, 1.15);
  report.ratio("2x poststop with no record / exec floor", no_record, floor, 1.15);
  report.ratio("shared-netns skip pair / exec floor", shared_skip, floor, 1.15);
  report.ratio("refused-input pair / exec floor", refused_pair, floor, 1.15);
  report.ratio("{name} pair / {id} pair (Docker bundle)", by_name, by_id, 1.05);
  if (floor_pie != nullptr) {
    report.ratio("static-pie exec floor / static exec floor", *floor_pie, floor, 0);
  }
  if (floor_sandbox != nullptr) {
    // The floor under the 1.15x targets: a confined, hardened process that does nothing else.
    report.ratio("static-pie + seccomp floor / exec floor", *floor_sandbox, floor, 0);
    report.ratio("2x poststop with no record / seccomp floor", no_record, *floor_sandbox, 0);
    report.ratio("host-network skip pair / seccomp floor", host_skip, *floor_sandbox, 0);
  }
  for (const auto& [bin, series] : baselines) {
    report.ratio("hook / " + series->name.substr(0, series->name.find(" createRuntime")), hook,
                 *series, 0);
  }
  report.checks.push_back(
      Check{"hook peak RSS", static_cast<double>(hook.max_rss_kb) / 1024.0, 8.0, "MiB"});
}

// A runc bundle on the shared busybox rootfs, written to `dir`.
nlohmann::json base_spec(const std::string& dir, const std::vector<std::string>& args) {
  ::mkdir(dir.c_str(), 0755);
  test::CommandResult r = test::run({"runc", "spec", "-b", dir});
  if (!r.ok()) throw std::runtime_error("runc spec failed: " + r.err);
  nlohmann::json spec = nlohmann::json::parse(read_text(dir + "/config.json"));
  spec["process"]["terminal"] = false;
  spec["process"]["args"] = args;
  spec["root"]["path"] = busybox_rootfs();
  spec["root"]["readonly"] = true;
  return spec;
}

// 2. `runc run` of busybox `true`, with the hook registered and without.
void bench_e2e(const Options& opt, const Params& p, Report& report, const std::string& runc,
               const std::string& root) {
  HookSetup setup = make_hook_setup(opt.work + "/e2e");
  std::string plain_dir = opt.work + "/bundle-plain";
  std::string hooked_dir = opt.work + "/bundle-hooked";
  nlohmann::json plain = base_spec(plain_dir, {"true"});
  write_text(plain_dir + "/config.json", plain.dump(2));
  nlohmann::json hooked = base_spec(hooked_dir, {"true"});
  nlohmann::json env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                        "OCI_NETNS_HOOK_CONFIG=" + setup.config_path};
  for (const char* stage : {"createRuntime", "poststop"}) {
    hooked["hooks"][stage].push_back(
        {{"path", opt.hook}, {"args", {"oci-netns-hook", stage}}, {"env", env}, {"timeout", 10}});
  }
  write_text(hooked_dir + "/config.json", hooked.dump(2));
  // The exec floor registered at both stages: what any hook costs runc before it does anything
  // (two process starts, runc's pipes and wait), so the with-hook ratio has a floor of its own.
  std::string floor_dir = opt.work + "/bundle-floor-hooks";
  nlohmann::json floor_hooked = base_spec(floor_dir, {"true"});
  for (const char* stage : {"createRuntime", "poststop"}) {
    floor_hooked["hooks"][stage].push_back({{"path", opt.floor}, {"args", {"bench-floor", stage}}});
  }
  write_text(floor_dir + "/config.json", floor_hooked.dump(2));

  std::string prefix = fmt::format("bench-{}-e2e", ::getpid());
  auto run_one = [&](const std::string& bundle, const std::string& id) {
    return must({runc, "--root", root, "run", "--bundle", bundle, id});
  };
  run_one(plain_dir, prefix + "-warm-a");
  run_one(hooked_dir, prefix + "-warm-b");
  run_one(floor_dir, prefix + "-warm-c");
  Series& without = report.add_series("runc run busybox true, no hook");
  Series& with = report.add_series("runc run busybox true, with hook");
  Series& floor_hooks = report.add_series("runc run busybox true, exec floor as hooks");
  for (int i = 0; i < p.e2e_n; ++i) {
    without.add(run_one(plain_dir, fmt::format("{}-a{}", prefix, i)));
    with.add(run_one(hooked_dir, fmt::format("{}-b{}", prefix, i)));
    floor_hooks.add(run_one(floor_dir, fmt::format("{}-c{}", prefix, i)));
  }
  report.ratio("runc run: with hook / without", with, without, 1.05);
  report.ratio("runc run: exec floor as hooks / without", floor_hooks, without, 0);
}

// A spec of about 30 KB: runc's default plus annotations and environment, as engines add.
std::string padded_spec(nlohmann::json spec) {
  for (int i = 0; spec.dump(2).size() < 30 * 1024; ++i) {
    spec["annotations"][fmt::format("io.example.bench.annotation-{:04}", i)] =
        std::string(64, static_cast<char>('a' + i % 26));
    spec["process"]["env"].push_back(fmt::format("BENCH_VAR_{}={}", i, std::string(40, 'x')));
  }
  spec["annotations"]["bench.match"] = "yes";
  return spec.dump(2);
}

// Three hooks.d files (root-owned, 0644) that all match, each adding a poststop hook.
std::string write_hooks_d(const Options& opt) {
  std::string dir = opt.work + "/hooks.d";
  ::mkdir(dir.c_str(), 0755);
  // Distinct args: the shim does not add a hook identical to one already in the spec.
  auto hook_file = [&](const nlohmann::json& when) {
    return nlohmann::json{{"version", "1.0.0"},
                          {"hook", {{"path", opt.floor}, {"args", {"bench-floor", when.dump()}}}},
                          {"when", when},
                          {"stages", {"poststop"}}}
        .dump(2);
  };
  write_text(dir + "/10-always.json", hook_file({{"always", true}}));
  write_text(dir + "/20-annotation.json",
             hook_file({{"annotations", {{"^bench\\.match$", "^yes$"}}}}));
  write_text(dir + "/30-command.json", hook_file({{"commands", {"true$"}}}));
  return dir;
}

// 3. The shim: passthrough `state`, and `create` with a 30 KB config.json and 3 hooks.d files.
void bench_shim(const Options& opt, const Params& p, Report& report, const std::string& runc,
                const std::string& root) {
  std::string shim_config = opt.work + "/shim-config.json";
  nlohmann::ordered_json cfg;
  cfg["runtime"] = {{"path", runc}, {"hooks_dirs", {write_hooks_d(opt)}}};
  write_text(shim_config, cfg.dump(2));
  std::vector<std::string> env{"OCI_NETNS_HOOK_CONFIG=" + shim_config};
  // The same shim exec'ing the exec floor instead of runc: its own cost and peak RSS (wait4
  // reports the larger of the shim's and the exec'd runtime's peak).
  std::string alone_config = opt.work + "/shim-alone-config.json";
  cfg["runtime"]["path"] = opt.floor;
  write_text(alone_config, cfg.dump(2));
  std::vector<std::string> alone_env{"OCI_NETNS_HOOK_CONFIG=" + alone_config};
  std::string prefix = fmt::format("bench-{}-shim", ::getpid());

  std::string state_dir = opt.work + "/bundle-state";
  write_text(state_dir + "/config.json", base_spec(state_dir, {"true"}).dump(2));
  std::string state_id = prefix + "-state";
  must({runc, "--root", root, "create", "--bundle", state_dir, state_id});
  Series& shim_state = report.add_series("oci-netns-runtime state (passthrough)");
  Series& runc_state = report.add_series("runc state");
  Series& shim_alone = report.add_series("oci-netns-runtime state, runtime = exec floor");
  for (int i = 0; i < p.shim_state_n + 1; ++i) {
    Outcome s = must({opt.runtime, "--root", root, "state", state_id}, "", env);
    Outcome r = must({runc, "--root", root, "state", state_id}, "", env);
    Outcome a = must({opt.runtime, "--root", root, "state", state_id}, "", alone_env);
    if (i == 0) continue;  // warm-up
    shim_state.add(s);
    runc_state.add(r);
    shim_alone.add(a);
  }
  must({runc, "--root", root, "delete", "--force", state_id});
  report.ratio("shim passthrough / runc (state)", shim_state, runc_state, 1.1);

  std::string shim_dir = opt.work + "/bundle-shim-create";
  std::string runc_dir = opt.work + "/bundle-runc-create";
  std::string text = padded_spec(base_spec(shim_dir, {"true"}));
  base_spec(runc_dir, {"true"});
  write_text(runc_dir + "/config.json", text);
  report.notes.push_back(
      fmt::format("shim create: config.json of {} bytes, 3 hooks.d files", text.size()));
  Series& shim_create = report.add_series("oci-netns-runtime create (30 KB spec, 3 hooks.d)");
  Series& runc_create = report.add_series("runc create (same spec)");
  for (int i = 0; i < p.shim_create_n + 1; ++i) {
    write_text(shim_dir + "/config.json", text);  // the shim rewrites it: start afresh
    std::string a = fmt::format("{}-a{}", prefix, i);
    std::string b = fmt::format("{}-b{}", prefix, i);
    Outcome s = must({opt.runtime, "--root", root, "create", "--bundle", shim_dir, a}, "", env);
    must({runc, "--root", root, "delete", "--force", a});
    Outcome r = must({runc, "--root", root, "create", "--bundle", runc_dir, b}, "", env);
    must({runc, "--root", root, "delete", "--force", b});
    if (i == 0) {
      nlohmann::json rewritten = nlohmann::json::parse(read_text(shim_dir + "/config.json"));
      if (rewritten["hooks"]["poststop"].size() != 3) {
        throw std::runtime_error("the shim did not inject the 3 hooks.d hooks");
      }
      continue;
    }
    shim_create.add(s);
    runc_create.add(r);
  }
  report.ratio("shim create / runc create", shim_create, runc_create, 1.2);
  report.checks.push_back(Check{"shim peak RSS (exec'ing the floor)",
                                static_cast<double>(shim_alone.max_rss_kb) / 1024.0, 0, "MiB"});
}

// A child process in a mount namespace of its own, so the mounts it makes (thousands of
// references) neither reach the host nor slow down the other measurements. It runs commands for
// the parent over a pipe: each request returns one Outcome.
class Worker {
 public:
  explicit Worker(std::function<void()> setup, std::function<Outcome(int)> serve) {
    int req[2];
    int rep[2];
    if (::pipe2(req, O_CLOEXEC) != 0 || ::pipe2(rep, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2 failed");
    }
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::close(req[1]);
      ::close(rep[0]);
      int code = 0;
      try {
        enter_own_mount_ns();
        setup();
        Outcome ready{0, 0, 0};
        if (::write(rep[1], &ready, sizeof ready) != sizeof ready) ::_exit(1);
        int n = 0;
        while (::read(req[0], &n, sizeof n) == sizeof n && n >= 0) {
          Outcome o = serve(n);
          if (::write(rep[1], &o, sizeof o) != sizeof o) ::_exit(1);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "bench worker: %s\n", e.what());
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    ::close(req[0]);
    ::close(rep[1]);
    req_ = req[1];
    rep_ = rep[0];
    receive();  // setup done
  }
  ~Worker() {
    int quit = -1;
    if (::write(req_, &quit, sizeof quit) != sizeof quit) ::kill(pid_, SIGKILL);
    ::close(req_);
    ::close(rep_);
    ::waitpid(pid_, nullptr, 0);
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Outcome request(int n) {
    if (::write(req_, &n, sizeof n) != sizeof n) throw std::runtime_error("bench worker is gone");
    return receive();
  }

 private:
  Outcome receive() {
    Outcome o;
    if (::read(rep_, &o, sizeof o) != sizeof o) {
      throw std::runtime_error("bench worker failed (see its message above)");
    }
    return o;
  }
  pid_t pid_ = -1;
  int req_ = -1;
  int rep_ = -1;
};

// `count` foreign references in `netns_dir` (like `ip netns add`): an O_EXCL file each, with
// `ns_pid`'s network namespace bind-mounted on it, so every entry is also a mount.
void add_foreign_entries(const std::string& netns_dir, int count, pid_t ns_pid) {
  UniqueFd dir = prepare_netns_dir(netns_dir);
  ProcessNs ns = open_process_ns(ns_pid, "net", CLONE_NEWNET);
  for (int i = 0; i < count; ++i) {
    std::string name = fmt::format("other-{:05}", i);
    int err = 0;
    UniqueFd file = create_reference_file(dir.get(), name, err);
    if (!file) throw std::runtime_error(fmt::format("create {}: {}", name, std::strerror(err)));
    bind_namespace(ns.ns.get(), file.get(), "netns", name);
  }
}

// 4a. The hook's cost with 10, 1,000 and 10,000 other references in its netns directory.
void bench_scale(const Options& opt, const Params& p, Report& report, const NetnsSleeper& sleeper) {
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Series*> series;
  for (int entries : p.scale_entries) {
    HookSetup setup =
        make_hook_setup(fmt::format("{}/scale-{}", opt.work, entries), "skip", "", true);
    std::string prefix = fmt::format("bench-{}-scale{}", ::getpid(), entries);
    pid_t pid = sleeper.pid();
    auto start = std::chrono::steady_clock::now();
    workers.push_back(std::make_unique<Worker>(
        [setup, entries, pid] {
          ::mkdir(setup.netns_dir.c_str(), 0755);
          add_foreign_entries(setup.netns_dir, entries, pid);
        },
        [&opt, setup, prefix, pid](int i) {
          return hook_pair(opt.hook, setup, fmt::format("{}-{}", prefix, i), pid);
        }));
    report.notes.push_back(fmt::format(
        "scale: {} foreign references (files + bind mounts) made in {:.1f} s", entries,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    series.push_back(&report.add_series(fmt::format("hook pair, {} other entries", entries)));
  }
  for (auto& w : workers) w->request(0);  // warm-up
  for (int i = 1; i <= p.scale_n; ++i) {
    for (std::size_t k = 0; k < workers.size(); ++k) series[k]->add(workers[k]->request(i));
  }
  for (std::size_t k = 1; k < series.size(); ++k) {
    report.ratio(fmt::format("{} entries / {} entries", p.scale_entries[k], p.scale_entries[0]),
                 *series[k], *series[0], 1.10);
  }
}

// 4b. gc of `gc_stale` stale references: records, reference files and mounts of namespaces
// whose processes are dead. On this host's /run, and again on a tmpfs (a worker's private
// mount): the same gc where every unlink frees no disk block (on ext4 mounted with `discard`, a
// record's unlink issues a discard for its data block).
void bench_gc(const Options& opt, const Params& p, Report& report, bool tmpfs) {
  std::string dir = opt.work + (tmpfs ? "/gc-tmpfs" : "/gc");
  ::mkdir(dir.c_str(), 0755);
  std::string where = tmpfs ? "tmpfs" : "this host's /run";
  std::string prefix = fmt::format("bench-{}-gc{}", ::getpid(), tmpfs ? "t" : "");
  auto made_setup = std::make_shared<HookSetup>();
  auto start = std::chrono::steady_clock::now();
  Worker worker(
      [&] {
        if (tmpfs) mount_tmpfs(dir);
        *made_setup = make_hook_setup(dir, "alias", "", true);
        const HookSetup& setup = *made_setup;
        ReferenceSettings settings{setup.netns_dir, dir + "/state", /*alias_shared=*/true};
        for (int made = 0, group = 0; made < p.gc_stale; ++group) {
          NetnsSleeper dying;  // killed at the end of the group: its references go stale
          ProcessNs net = open_process_ns(dying.pid(), "net", CLONE_NEWNET);
          for (int j = 0; j < p.gc_per_netns && made < p.gc_stale; ++j, ++made) {
            OciState state;
            state.id = fmt::format("{}-{}-{}", prefix, group, j);
            state.pid = dying.pid();
            create_reference(settings, state, state.id, net);
          }
        }
      },
      [&](int) {
        const HookSetup& setup = *made_setup;
        Outcome o = must({opt.hook, "gc"}, "", setup.env());
        test::CommandResult ls = test::sh("ls -A '" + setup.netns_dir + "' | wc -l");
        o.status = std::atoi(ls.out.c_str());  // entries left, reported back in `status`
        return o;
      });
  report.notes.push_back(fmt::format(
      "gc on {}: {} stale references ({} per dead namespace, shared_netns=alias) made in {:.1f} s",
      where, p.gc_stale, p.gc_per_netns,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  Outcome gc = worker.request(0);
  if (gc.status != 0) {
    throw std::runtime_error(fmt::format("gc left {} entries in {}/netns", gc.status, dir));
  }
  Series& s = report.add_series(fmt::format("gc, {} stale references, {}", p.gc_stale, where));
  s.add(gc.ms, gc.max_rss_kb);
  report.checks.push_back(Check{fmt::format("gc of {} stale references, {}", p.gc_stale, where),
                                gc.ms / 1000.0, tmpfs ? 0.0 : 2.0, "s"});
}

// 4c. The hook pair and the kernel-work floor on each filesystem /run can be on: this machine's
// own /run (here the root ext4, which has no journal), a tmpfs (systemd's /run), and fresh ext4
// images without and with a journal. Each runs in a worker of its own (a private mount
// namespace; an image is loop-mounted there, so the kernel unmounts it and frees its loop device
// when the worker exits), interleaved with the exec floor. Before it is timed, each filesystem
// gets `fs_churn` files made and then deleted in the directories the pairs write to: what gc of
// 3,300 stale references frees, or a node that stopped that many containers. Why it matters: on
// ext4 without a journal, every inode allocation skips the free inodes of its block group that
// were freed in the last 60 s (5 minutes while their inode-table block is dirty), reading each
// one's dtime (fs/ext4/ialloc.c: find_inode_bit() calls recently_deleted() only when
// sbi->s_journal is NULL), so a create can cost a scan of the whole group.
void bench_fs(const Options& opt, const Params& p, Report& report, const NetnsSleeper& sleeper) {
  struct Fs {
    std::string key;
    std::string label;
    std::string ext4_journal;  // for an ext4 image: "has_journal" or "^has_journal"
    bool tmpfs = false;
  };
  std::vector<Fs> kinds{{"host", "this host's /run", "", false}, {"tmpfs", "tmpfs", "", true}};
  bool loop_ok = ::access("/dev/loop-control", W_OK) == 0;
  std::string mkfs;
  try {
    mkfs = find_in_path("mkfs.ext4");
  } catch (const std::exception&) {
    loop_ok = false;
  }
  if (loop_ok) {
    kinds.push_back({"ext4-nojournal", "ext4 image, no journal", "^has_journal", false});
    kinds.push_back({"ext4-journal", "ext4 image, journal", "has_journal", false});
  } else {
    report.notes.push_back("filesystems: no loop devices or mkfs.ext4 here: ext4 images skipped");
  }
  std::string prefix = fmt::format("bench-{}-fs", ::getpid());
  pid_t pid = sleeper.pid();
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::pair<Series*, Series*>> series;  // hook pair, kernel-work floor
  std::vector<std::string> labels;
  for (const Fs& fs : kinds) {
    std::string dir = opt.work + "/fs-" + fs.key;
    ::mkdir(dir.c_str(), 0755);
    std::string image;
    if (!fs.ext4_journal.empty()) {
      // 1 GiB, sparse: 8 block groups of 8192 inodes, as a root filesystem's groups are.
      image = dir + ".img";
      UniqueFd img(::open(image.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!img || ::ftruncate(img.get(), 1L << 30) != 0) {
        throw std::runtime_error("cannot make " + image);
      }
      test::CommandResult made = test::run({mkfs, "-q", "-F", "-O", fs.ext4_journal, "-E",
                                            "lazy_itable_init=0,lazy_journal_init=0", image});
      if (!made.ok()) throw std::runtime_error("mkfs.ext4 " + image + ": " + made.err);
    }
    auto setups = std::make_shared<std::vector<HookSetup>>();
    auto start = std::chrono::steady_clock::now();
    int churn = p.fs_churn;
    std::unique_ptr<Worker> worker;
    try {
      worker = std::make_unique<Worker>(
          [fs, dir, image, setups, churn, &opt, pid, prefix] {
            if (fs.tmpfs) mount_tmpfs(dir);
            if (!image.empty()) {
              test::CommandResult m = test::run({"mount", "-o", "loop", image, dir});
              if (!m.ok()) throw std::runtime_error("mount -o loop " + image + ": " + m.err);
            }
            setups->push_back(make_hook_setup(dir + "/hook", "skip", "", true));
            setups->push_back(make_hook_setup(dir + "/minimal", "skip", "", true));
            std::vector<std::string> dirs;
            for (std::size_t k = 0; k < setups->size(); ++k) {
              const HookSetup& s = (*setups)[k];
              const std::string& bin = k == 0 ? opt.hook : opt.minimal;
              hook_pair(bin, s, fmt::format("{}-{}-warm{}", prefix, fs.key, k), pid);  // warm-up
              std::string base = s.config_path.substr(0, s.config_path.rfind('/'));
              for (const char* sub : {"/netns", "/state/containers", "/state/netns"}) {
                dirs.push_back(base + sub);
              }
            }
            // All made, then all deleted: `churn` distinct inodes freed, as when gc removes that
            // many stale references or a node stops that many containers. (A file deleted before
            // the next is made would free the same inode over and over.)
            auto churn_path = [&](int i) {
              return fmt::format("{}/churn-{}", dirs[static_cast<std::size_t>(i) % dirs.size()], i);
            };
            for (int i = 0; i < churn; ++i) {
              UniqueFd f(
                  ::open(churn_path(i).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
              if (!f) throw std::runtime_error("churn: create " + churn_path(i));
            }
            for (int i = 0; i < churn; ++i) {
              if (::unlink(churn_path(i).c_str()) != 0) {
                throw std::runtime_error("churn: unlink " + churn_path(i));
              }
            }
          },
          [&opt, setups, pid, prefix, key = fs.key](int n) {
            bool hook = n % 2 == 0;
            return hook_pair(hook ? opt.hook : opt.minimal, (*setups)[hook ? 0 : 1],
                             fmt::format("{}-{}-{}", prefix, key, n), pid);
          });
    } catch (const std::exception& e) {
      // A machine without usable loop devices (a container, say) still gets the rest measured.
      if (image.empty()) throw;
      report.notes.push_back(fmt::format("filesystems: {} skipped: {}", fs.label, e.what()));
      continue;
    }
    workers.push_back(std::move(worker));
    labels.push_back(fs.label);
    report.notes.push_back(fmt::format(
        "filesystems: {} set up, {} files created and deleted, in {:.1f} s", fs.label, churn,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    Series* hook = &report.add_series("hook pair, fs: " + fs.label);
    series.emplace_back(hook, &report.add_series("kernel work, fs: " + fs.label));
  }
  // recently_deleted() counts an inode only from the second after its deletion (dtime < now).
  ::usleep(1'100'000);
  HookSetup floor_setup = make_hook_setup(opt.work + "/fs-floor");
  Series& floor = report.add_series("exec floor (filesystems section)");
  std::vector<std::function<void()>> round;
  int n = 0;
  round.emplace_back([&] {
    add_floor_pair(floor, opt.floor, fmt::format("{}-floor-{}", prefix, n), pid, floor_setup);
  });
  for (std::size_t k = 0; k < workers.size(); ++k) {
    round.emplace_back([&, k] { series[k].first->add(workers[k]->request(2 * n)); });
    round.emplace_back([&, k] { series[k].second->add(workers[k]->request(2 * n + 1)); });
  }
  for (n = 0; n < p.fs_n; ++n) {
    for (std::size_t k = 0; k < round.size(); ++k) round[(n + k) % round.size()]();
  }
  for (std::size_t k = 0; k < labels.size(); ++k) {
    report.ratio("hook pair, fs: " + labels[k] + " / exec", *series[k].first, floor, 0);
    report.ratio("kernel work, fs: " + labels[k] + " / exec", *series[k].second, floor, 0);
  }
}

// 5. `docker run --rm` of busybox `true` with the shim as the container's runtime, next to the
// same run with runc, on a private dockerd (tests/support/engines.hpp: its own root, socket and
// network namespace; the shim registered as runtime "oci-netns", hooks matching every
// container). Alternating which goes first each round.
void bench_docker(const Params& p, Report& report) {
  std::string why = test::docker_unavailable_reason();
  if (!why.empty()) {
    report.notes.push_back("docker: section skipped: " + why);
    return;
  }
  auto start = std::chrono::steady_clock::now();
  test::DockerDaemon docker(test::DockerDaemon::Options{});
  report.notes.push_back(
      fmt::format("docker: private dockerd ready in {:.1f} s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  auto run = [&](const std::string& runtime) {
    auto t0 = std::chrono::steady_clock::now();
    test::CommandResult r =
        docker.docker({"run", "--rm", "--runtime", runtime, test::kBusyboxImage, "true"});
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok()) {
      throw std::runtime_error(
          fmt::format("docker run --runtime {} exited {}: {}", runtime, r.exit_code, r.err));
    }
    return ms;
  };
  run("oci-netns");  // warm-up: the image's layers, the shim's and runc's page cache
  run("runc");
  Series& shim = report.add_series("docker run --rm, runtime oci-netns (shim + hook)");
  Series& runc = report.add_series("docker run --rm --runtime runc");
  for (int i = 0; i < p.docker_n; ++i) {
    if (i % 2 == 0) {
      shim.add(run("oci-netns"), 0);
      runc.add(run("runc"), 0);
    } else {
      runc.add(run("runc"), 0);
      shim.add(run("oci-netns"), 0);
    }
  }
  report.ratio("docker run --rm: shim / runc", shim, runc, 1.02);
}

// 6. `podman run --rm` of busybox `true` with our hooks.d (tests/support/engines.hpp: its own
// root, --hooks-dir with the hook's files, runc) next to the same engine set-up without
// --hooks-dir, where Podman reads its default hooks.d directories, which hold none of ours here
// (checked). Alternating which goes first each round.
void bench_podman(const Params& p, Report& report) {
  std::string why = test::podman_unavailable_reason();
  if (!why.empty()) {
    report.notes.push_back("podman: section skipped: " + why);
    return;
  }
  for (const char* dir : {"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"}) {
    test::CommandResult ls = test::sh(std::string("ls -A ") + dir + " 2>/dev/null | wc -l");
    if (std::atoi(ls.out.c_str()) != 0) {
      report.notes.push_back(fmt::format(
          "podman: section skipped: {} is not empty, so a run without --hooks-dir has hooks", dir));
      return;
    }
  }
  test::PodmanEngine hooked(test::PodmanEngine::Options{});
  test::PodmanEngine::Options plain_options;
  plain_options.system_hooks = true;
  test::PodmanEngine plain(plain_options);
  auto run = [&](const test::PodmanEngine& engine) {
    std::vector<std::string> argv{"run", "--rm"};
    for (const auto& f : test::PodmanEngine::run_flags()) argv.push_back(f);
    argv.insert(argv.end(), {test::kBusyboxImage, "true"});
    auto t0 = std::chrono::steady_clock::now();
    test::CommandResult r = engine.podman(argv);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok())
      throw std::runtime_error(fmt::format("podman run exited {}: {}", r.exit_code, r.err));
    return ms;
  };
  run(hooked);  // warm-up
  run(plain);
  Series& with = report.add_series("podman run --rm, our hooks.d");
  Series& without = report.add_series("podman run --rm, no hooks");
  for (int i = 0; i < p.podman_n; ++i) {
    if (i % 2 == 0) {
      with.add(run(hooked), 0);
      without.add(run(plain), 0);
    } else {
      without.add(run(plain), 0);
      with.add(run(hooked), 0);
    }
  }
  report.ratio("podman run --rm: hooks.d / none", with, without, 1.02);
}

// Copies every binary under test into `opt.bin_dir`, as install.sh copies them into place, and
// times the copies. How a file entered the page cache changes what an exec of it costs: the hook
// as the linker wrote it measured 1.14x slower here than a `cp` of the same bytes, with the same
// number of page faults (each fault-around is dearer on the small folios the linker's writes
// leave in the page cache; a copy gets large ones), and an installed hook is a copy. The floors
// get the same treatment. The hook's CLI goes along: `gc` is exec'd into it
// (common/sys/self_exec.hpp).
void stage_binaries(Options& opt) {
  namespace fs = std::filesystem;
  fs::remove_all(opt.bin_dir);
  auto stage = [&](std::string& bin, const std::string& dir) {
    fs::create_directories(dir);
    std::string copy = (fs::path(dir) / fs::path(bin).filename()).string();
    fs::copy_file(bin, copy, fs::copy_options::overwrite_existing);
    bin = copy;
  };
  // A hook takes its CLI along into a directory of its own (the baseline has its own CLI).
  auto stage_hook = [&](std::string& hook, const std::string& dir) {
    std::string cli = sibling_path(hook, kCliName);
    if (fs::exists(cli)) stage(cli, dir);
    stage(hook, dir);
  };
  stage_hook(opt.hook, opt.bin_dir);
  stage(opt.runtime, opt.bin_dir);
  stage(opt.floor, opt.bin_dir);
  stage(opt.minimal, opt.bin_dir);
  if (!opt.floor_pie.empty()) stage(opt.floor_pie, opt.bin_dir);
  if (!opt.floor_sandbox.empty()) stage(opt.floor_sandbox, opt.bin_dir);
  for (std::size_t k = 0; k < opt.baseline_hooks.size(); ++k) {
    stage_hook(opt.baseline_hooks[k].second, fmt::format("{}/baseline-{}", opt.bin_dir, k));
  }
}

std::string machine_description() {
  struct utsname u {};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return fmt::format("{} cores, Linux {}, load average {:.2f} {:.2f} {:.2f}",
                     ::sysconf(_SC_NPROCESSORS_ONLN), u.release, load[0], load[1], load[2]);
}

std::string run_description(const Options& opt) {
  if (opt.private_run) {
    return "/run: PRIVATE tmpfs (--private-run): scratch, records and /run/netns on a tmpfs in "
           "the benchmark's own mount namespace, not this machine's /run/netns";
  }
  return "/run: this machine's real /run/netns (hook, iproute2, runc sections, in its mount "
         "namespace); scale and gc in private mount namespaces on the same /run filesystem";
}

void print_and_save(const Options& opt, const Report& report, const std::string& machine_before,
                    double seconds) {
  std::string machine_after = machine_description();
  std::printf("\noci-netns-hook benchmark%s (Release, static)\n", opt.smoke ? " [smoke]" : "");
  std::printf("machine at start: %s\nmachine at end:   %s\n", machine_before.c_str(),
              machine_after.c_str());
  std::printf("%s\n\n", run_description(opt).c_str());
  // Series: wall-clock medians and p99s; "cpu ms" is the median user + system time of the
  // same samples, "faults" their median minor page faults.
  std::printf("%-52s %6s %10s %10s %8s %9s %7s\n", "series", "N", "median ms", "p99 ms", "cpu ms",
              "peak RSS", "faults");
  for (const auto& s : report.series) {
    long faults = s.median_faults();
    double cpu = s.median_cpu();
    std::printf("%-52s %6zu %10.2f %10.2f %8s %6.1f MiB %7s\n", s.name.c_str(), s.ms.size(),
                s.median(), s.p99(), cpu < 0 ? "-" : fmt::format("{:.2f}", cpu).c_str(),
                static_cast<double>(s.max_rss_kb) / 1024.0,
                faults < 0 ? "-" : std::to_string(faults).c_str());
  }
  // Checks: the target applies to the wall-clock ratio ("value"); "cpu" is the same ratio of
  // CPU times, which load from other processes moves much less.
  std::printf("\n%-52s %10s %7s %10s %6s\n", "check (ratios are of medians)", "value", "cpu",
              "target", "");
  for (const auto& c : report.checks) {
    std::string value = fmt::format("{:.2f} {}", c.value, c.unit);
    std::string cpu = c.cpu_ratio < 0 ? "" : fmt::format("{:.2f} x", c.cpu_ratio);
    std::string target = c.informational() ? "-" : fmt::format("<= {:.2f} {}", c.target, c.unit);
    std::printf("%-52s %10s %7s %10s %6s\n", c.name.c_str(), value.c_str(), cpu.c_str(),
                target.c_str(),
                c.informational() ? ""
                : c.pass()        ? "PASS"
                                  : "MISS");
  }
  for (const auto& n : report.notes) std::printf("note: %s\n", n.c_str());
  std::printf("total time %.1f s\n", seconds);

  nlohmann::ordered_json j;
  j["smoke"] = opt.smoke;
  j["machine_start"] = machine_before;
  j["machine_end"] = machine_after;
  j["seconds"] = seconds;
  j["run_fs"] = opt.private_run ? "private tmpfs" : "host";
  j["run_description"] = run_description(opt);
  j["series"] = nlohmann::json::array();
  for (const auto& s : report.series) {
    j["series"].push_back({{"name", s.name},
                           {"n", s.ms.size()},
                           {"median_ms", s.median()},
                           {"p99_ms", s.p99()},
                           {"peak_rss_kb", s.max_rss_kb},
                           {"median_minor_faults", s.median_faults()},
                           {"median_cpu_ms", s.median_cpu()}});
  }
  j["checks"] = nlohmann::json::array();
  for (const auto& c : report.checks) {
    nlohmann::ordered_json check{{"name", c.name}, {"value", c.value}, {"unit", c.unit}};
    if (c.cpu_ratio >= 0) check["cpu_ratio"] = c.cpu_ratio;
    if (!c.informational()) {
      check["target_max"] = c.target;
      check["pass"] = c.pass();
    }
    j["checks"].push_back(check);
  }
  j["notes"] = report.notes;
  write_text(opt.json_path, j.dump(2) + "\n");
  std::printf("JSON: %s\n", opt.json_path.c_str());
}

int bench_main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--smoke") {
      opt.smoke = true;
    } else if (a == "--hook") {
      opt.hook = value();
    } else if (a == "--runtime") {
      opt.runtime = value();
    } else if (a == "--floor") {
      opt.floor = value();
    } else if (a == "--minimal") {
      opt.minimal = value();
    } else if (a == "--bin-dir") {
      opt.bin_dir = value();
    } else if (a == "--json") {
      opt.json_path = value();
    } else if (a == "--work") {
      opt.work = value();
    } else if (a == "--floor-pie") {
      opt.floor_pie = value();
    } else if (a == "--floor-sandbox") {
      opt.floor_sandbox = value();
    } else if (a == "--private-run") {
      opt.private_run = true;
    } else if (a == "--baseline-hook") {
      // [LABEL=]BIN
      std::string v = value();
      std::size_t eq = v.find('=');
      opt.baseline_hooks.emplace_back(eq == std::string::npos ? "baseline hook" : v.substr(0, eq),
                                      eq == std::string::npos ? v : v.substr(eq + 1));
    } else if (a == "--only") {
      std::string list = value();
      for (std::size_t pos = 0; pos <= list.size();) {
        std::size_t comma = std::min(list.find(',', pos), list.size());
        opt.only.push_back(list.substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else {
      throw std::runtime_error("unknown argument " + a);
    }
  }
  if (opt.hook.empty() || opt.runtime.empty() || opt.floor.empty() || opt.minimal.empty() ||
      opt.json_path.empty() || opt.work.empty()) {
    throw std::runtime_error(
        "usage: oci_netns_bench --hook BIN --runtime BIN --floor BIN --minimal BIN --json FILE "
        "--work DIR [--bin-dir DIR] [--smoke] [--only hook,e2e,shim,scale,fs,docker,podman,gc] "
        "[--floor-pie BIN] [--floor-sandbox BIN] [--baseline-hook [LABEL=]BIN]... [--private-run]");
  }
  std::vector<std::string*> bins{&opt.hook,    &opt.runtime,   &opt.floor,
                                 &opt.minimal, &opt.floor_pie, &opt.floor_sandbox};
  for (auto& b : opt.baseline_hooks) bins.push_back(&b.second);
  for (std::string* bin : bins) {
    if (bin->empty()) continue;
    char* abs = ::realpath(bin->c_str(), nullptr);  // runc runs hooks from the bundle directory
    if (abs == nullptr) throw std::runtime_error("cannot find " + *bin);
    *bin = abs;
    std::free(abs);
  }
  if (!opt.bin_dir.empty()) stage_binaries(opt);
  if (::geteuid() != 0) throw std::runtime_error("the benchmark needs root (mounts, runc)");
  Params p = opt.smoke ? smoke_params() : Params{};
  if (::mkdir(opt.work.c_str(), 0755) != 0 && errno != EEXIST) {
    throw std::runtime_error("cannot create " + opt.work);
  }
  ::mkdir("/run/netns", 0755);
  if (opt.private_run) {
    enter_own_mount_ns();
    use_tmpfs_run(opt.work);
  } else {
    g_netns_dir = "/run/netns";
  }
  g_stderr_log_path = opt.work + "/children.stderr";
  g_stderr_log = ::open(g_stderr_log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (g_stderr_log < 0) throw std::runtime_error("cannot open " + g_stderr_log_path);

  std::string machine_before = machine_description();
  auto start = std::chrono::steady_clock::now();
  std::string runc = find_in_path("runc");
  std::string root = opt.work + "/runc-root";
  busybox_rootfs();  // built once per build tree, before anything is timed
  Report report;
  report.series.reserve(64);  // Series references stay valid while sections add more
  NetnsSleeper sleeper;
  auto section = [](const char* name) { std::fprintf(stderr, "bench: %s\n", name); };
  if (opt.wants("hook")) {
    section("hook vs exec floor vs iproute2");
    bench_hook(opt, p, report, sleeper);
  }
  if (opt.wants("e2e")) {
    section("runc run with and without the hook");
    bench_e2e(opt, p, report, runc, root);
  }
  if (opt.wants("shim")) {
    section("shim");
    bench_shim(opt, p, report, runc, root);
  }
  if (opt.wants("scale")) {
    section("scale");
    bench_scale(opt, p, report, sleeper);
  }
  if (opt.wants("fs")) {
    section("filesystems");
    bench_fs(opt, p, report, sleeper);
  }
  if (opt.wants("docker")) {
    section("docker run --rm, shim vs runc");
    bench_docker(p, report);
  }
  if (opt.wants("podman")) {
    section("podman run --rm, hooks.d vs none");
    bench_podman(p, report);
  }
  if (opt.wants("gc")) {
    section("gc");
    bench_gc(opt, p, report, /*tmpfs=*/false);
    if (!opt.private_run) bench_gc(opt, p, report, /*tmpfs=*/true);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_and_save(opt, report, machine_before, seconds);
  return 0;
}

}  // namespace
}  // namespace ocinetns::bench

int main(int argc, char** argv) {
  try {
    return ocinetns::bench::bench_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: error: %s\n", e.what());
    return 1;
  }
}
