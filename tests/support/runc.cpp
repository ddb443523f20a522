// Real-runc test support. Everything a test makes is removed by the object that made it.
#include "tests/support/runc.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocinetns::test {

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string runc_unavailable_reason() {
  if (geteuid() != 0) return "needs root";
  if (!sh("command -v runc >/dev/null").ok()) return "runc is not installed";
  if (access("/bin/busybox", X_OK) != 0) return "busybox-static is not installed";
  return "";
}

void write_text(const std::string& path, const std::string& text, int mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, static_cast<mode_t>(mode));
  ::close(fd);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

unsigned long long inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + ".XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  // Detach any mount a test left below us before deleting, so rm never crosses into it.
  sh("grep -o ' " + path_ +
     "/[^ ]*' /proc/self/mountinfo | sort -r | while read m; do "
     "umount -l \"$m\"; done; rm -rf '" +
     path_ + "'");
}

std::string busybox_rootfs() {
  std::string root = std::string(OCI_NETNS_BINARY_DIR) + "/test-rootfs";
  std::string lock_path = std::string(OCI_NETNS_BINARY_DIR) + "/test-rootfs.lock";
  int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) throw std::runtime_error("cannot open " + lock_path);
  ::flock(lock, LOCK_EX);
  if (!path_exists(root + "/.complete")) {
    auto r = sh("set -e; rm -rf '" + root + "'; mkdir -p '" + root + "'; cd '" + root +
                "'; "
                "mkdir -p bin proc sys dev tmp etc root dev/pts dev/shm dev/mqueue sys/fs/cgroup; "
                "cp /bin/busybox bin/busybox; "
                "for a in $(/bin/busybox --list); do [ -e bin/$a ] || ln -s busybox bin/$a; done; "
                "echo 'root:x:0:0:root:/root:/bin/sh' > etc/passwd; echo 'root:x:0:' > etc/group; "
                "touch .complete");
    if (!r.ok()) {
      ::close(lock);
      throw std::runtime_error("building busybox rootfs failed: " + r.err);
    }
  }
  ::close(lock);
  return root;
}

std::string test_runc_root() {
  return "/run/oci-netns-test-runc";
}

RuncBundle::RuncBundle(std::vector<std::string> args) : dir_("oci-netns-bundle") {
  auto r = run({"runc", "spec", "-b", dir_.path()});
  if (!r.ok()) throw std::runtime_error("runc spec failed: " + r.err);
  spec_ = nlohmann::json::parse(read_text(dir_.file("config.json")));
  spec_["process"]["terminal"] = false;
  spec_["process"]["args"] = args;
  spec_["root"]["path"] = busybox_rootfs();
  spec_["root"]["readonly"] = true;
}

void RuncBundle::add_hook(const HookEnv& env, int timeout_seconds) {
  nlohmann::json hook_env = nlohmann::json::array();
  hook_env.push_back("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  if (!env.config_path.empty()) hook_env.push_back("OCI_NETNS_HOOK_CONFIG=" + env.config_path);
  for (const auto& e : env.env) hook_env.push_back(e);
  auto entry = [&](const char* stage) {
    return nlohmann::json{{"path", hook_binary()},
                          {"args", {"oci-netns-hook", stage}},
                          {"env", hook_env},
                          {"timeout", timeout_seconds}};
  };
  spec_["hooks"]["createRuntime"].push_back(entry("createRuntime"));
  spec_["hooks"]["poststop"].push_back(entry("poststop"));
}

void RuncBundle::use_host_network() {
  auto& ns = spec_["linux"]["namespaces"];
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& n : ns) {
    if (n.at("type") != "network") kept.push_back(n);
  }
  ns = kept;
}

void RuncBundle::join_network(const std::string& netns_path) {
  for (auto& n : spec_["linux"]["namespaces"]) {
    if (n.at("type") == "network") n["path"] = netns_path;
  }
}

void RuncBundle::add_annotation(const std::string& key, const std::string& value) {
  spec_["annotations"][key] = value;
}

void RuncBundle::write() const {
  write_text(dir_.file("config.json"), spec_.dump(2));
}

RuncContainer::RuncContainer(std::string id, RuncBundle& bundle)
    : id_(std::move(id)), bundle_(bundle) {}

RuncContainer::~RuncContainer() {
  // Always try: a half-started container (failed hook) still has state to delete.
  runc({"delete", "--force", id_});
}

CommandResult RuncContainer::runc(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"runc", "--root", test_runc_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

CommandResult RuncContainer::start() {
  bundle_.write();
  started_ = true;
  // The container inherits runc's stdio; send it to files so no pipe of ours stays open.
  std::string d = bundle_.dir();
  auto r = sh("runc --root '" + test_runc_root() + "' run -d --bundle '" + d + "' '" + id_ +
              "' </dev/null >'" + d + "/stdout' 2>'" + d + "/stderr'");
  r.err = read_text(d + "/stderr");
  return r;
}

std::string RuncContainer::output() const {
  return read_text(bundle_.dir() + "/stdout");
}

int RuncContainer::pid() const {
  auto r = runc({"state", id_});
  if (!r.ok()) return 0;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "running") return 0;
  return j.value("pid", 0);
}

CommandResult RuncContainer::exec(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"exec", id_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runc(argv);
}

CommandResult RuncContainer::kill_and_delete() {
  runc({"kill", id_, "KILL"});
  for (int i = 0; i < 100; ++i) {
    auto s = runc({"state", id_});
    if (!s.ok() || s.out.find("\"stopped\"") != std::string::npos) break;
    usleep(50000);
  }
  return runc({"delete", id_});
}

namespace {

// Mount points (field 5) in our mountinfo for which `wanted` is true.
template <typename Pred>
int count_mount_points(Pred wanted) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mp;
    fields >> id >> parent >> devno >> root >> mp;
    if (wanted(mp)) ++count;
  }
  return count;
}

}  // namespace

int mountinfo_count(const std::string& mount_point) {
  return count_mount_points([&](const std::string& mp) { return mp == mount_point; });
}

int mounts_under(const std::string& prefix) {
  return count_mount_points([&](const std::string& mp) { return mp.rfind(prefix, 0) == 0; });
}

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

bool mountinfo_has(const std::string& mount_point) {
  return mountinfo_count(mount_point) > 0;
}

std::vector<std::string> ip_netns_list() {
  std::vector<std::string> names;
  auto r = run({"ip", "netns", "list"});
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::string name = line.substr(0, line.find(' '));
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

}  // namespace ocinetns::test
