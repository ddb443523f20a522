// Symlinks planted where the hook writes: at the reference path, at a record, as the state
// directory, its containers/ subdirectory or the netns directory. The hook never follows one into
// another location: the target keeps its content and mounts, and the error names the path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

std::string link_target(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

// A file and a directory outside the hook's directories that a symlink points at.
class Victims {
 public:
  Victims() {
    write_text(file(), "precious\n");
    ::mkdir(dir().c_str(), 0700);
  }
  [[nodiscard]] std::string file() const { return dir_.file("victim-file"); }
  [[nodiscard]] std::string dir() const { return dir_.file("victim-dir"); }
  void expect_untouched() const {
    EXPECT_EQ(read_text(file()), "precious\n");
    EXPECT_EQ(mountinfo_count(file()), 0);
    EXPECT_EQ(dir_entries(dir()).size(), 0u) << "something was written through a symlink";
    EXPECT_EQ(mountinfo_count(dir()), 0);
  }

 private:
  TempDir dir_{"oci-netns-victim"};
};

// on_error "fail": the refusal is the hook's exit status and its one stderr line.
nlohmann::json failing() {
  return {{"on_error", "fail"}};
}

void expect_refused(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, what)) << r.err;
}

TEST(Symlink, AtTheReferencePathIsNeverFollowed) {
  OCI_NETNS_REQUIRE_RUNC();
  Victims victims;
  IpNetns foreign(ops_name("ocisym-foreign"));
  unsigned long long foreign_ino = inode_of("/run/netns/" + foreign.name());
  const std::string targets[] = {victims.file(), "/proc/self/ns/net",
                                 "/run/netns/" + foreign.name(), victims.dir() + "/dangling"};
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    OpsConfig cfg("", failing());
    std::string id = ops_name("ocisym-ref");
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    ::mkdir(cfg.netns_dir().c_str(), 0755);
    ASSERT_EQ(::symlink(target.c_str(), cfg.ref(id).c_str()), 0);

    // The collision rule names the container beside the symlink, which is never followed.
    auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.err, "warning: createRuntime " + id + ": netns name `" + cfg.ref(id) +
                                    "`: already exists and was not made by oci-netns-hook"))
        << r.err;
    std::string fallback = cfg.ref(id + "-" + id.substr(0, 12));
    EXPECT_EQ(inode_of(fallback), proc.netns_inode());
    EXPECT_EQ(link_target(cfg.ref(id)), target);  // still the same symlink
    EXPECT_EQ(mountinfo_count(cfg.ref(id)), 0);
    EXPECT_EQ(mountinfo_count(target), target == "/run/netns/" + foreign.name() ? 1 : 0);
    r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(path_exists(fallback));
    EXPECT_FALSE(path_exists(cfg.record(id)));
    EXPECT_EQ(link_target(cfg.ref(id)), target);
    victims.expect_untouched();
    EXPECT_EQ(inode_of("/run/netns/" + foreign.name()), foreign_ino);
    ::unlink(cfg.ref(id).c_str());
  }
}

TEST(Symlink, SwappedInForTheReferenceBeforePoststopIsLeftAlone) {
  OCI_NETNS_REQUIRE_RUNC();
  IpNetns foreign(ops_name("ocisym-foreign"));
  std::string foreign_path = "/run/netns/" + foreign.name();
  unsigned long long foreign_ino = inode_of(foreign_path);
  OpsConfig cfg;
  std::string id = ops_name("ocisym-swap");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid())).ok());
  // Someone replaces our reference with a symlink to another namespace reference.
  ASSERT_TRUE(run({"umount", cfg.ref(id)}).ok());
  ASSERT_EQ(::unlink(cfg.ref(id).c_str()), 0);
  ASSERT_EQ(::symlink(foreign_path.c_str(), cfg.ref(id).c_str()), 0);

  auto r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "not a namespace reference, left in place")) << r.err;
  EXPECT_EQ(link_target(cfg.ref(id)), foreign_path);
  EXPECT_EQ(mountinfo_count(foreign_path), 1);
  EXPECT_EQ(inode_of(foreign_path), foreign_ino);
  EXPECT_FALSE(path_exists(cfg.record(id)));
  ::unlink(cfg.ref(id).c_str());
}

TEST(Symlink, AtTheRecordIsNeverFollowed) {
  OCI_NETNS_REQUIRE_RUNC();
  Victims victims;
  OpsConfig cfg("", failing());
  std::string id = ops_name("ocisym-rec");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  // Make the state directory with a first container, then plant the link.
  std::string other = ops_name("ocisym-other");
  NetnsProcess other_proc;
  RefCleanup other_cleanup(cfg, other);
  ASSERT_TRUE(cfg.hook({"createRuntime"}, OpsConfig::state(other, other_proc.pid())).ok());
  ASSERT_EQ(::symlink(victims.file().c_str(), cfg.record(id).c_str()), 0);

  auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
  expect_refused(r, "is a symbolic link, refusing to follow it");
  EXPECT_TRUE(contains(r.err, id + ".json")) << r.err;
  EXPECT_FALSE(path_exists(cfg.ref(id)));
  auto stop = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_TRUE(contains(stop.err, "is a symbolic link, refusing to follow it")) << stop.err;
  EXPECT_EQ(link_target(cfg.record(id)), victims.file());
  victims.expect_untouched();
  ::unlink(cfg.record(id).c_str());
}

TEST(Symlink, AsAStateOrNetnsDirectoryIsNeverFollowed) {
  OCI_NETNS_REQUIRE_RUNC();
  enum class Where { kStateDir, kContainersDir, kNetnsDir };
  for (Where where : {Where::kStateDir, Where::kContainersDir, Where::kNetnsDir}) {
    Victims victims;
    TempDir dirs("oci-netns-symdirs");
    std::string state_dir = dirs.file("state");
    std::string netns_dir = dirs.file("netns");
    std::string link;
    switch (where) {
      case Where::kStateDir:
        link = state_dir;
        break;
      case Where::kContainersDir:
        ::mkdir(state_dir.c_str(), 0700);
        link = state_dir + "/containers";
        break;
      case Where::kNetnsDir:
        link = netns_dir;
        break;
    }
    SCOPED_TRACE(link);
    ASSERT_EQ(::symlink(victims.dir().c_str(), link.c_str()), 0);
    nlohmann::json extra = failing();
    extra["state_dir"] = state_dir;
    OpsConfig cfg(netns_dir, extra);
    std::string id = ops_name("ocisym-dir");
    NetnsProcess proc;

    auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
    expect_refused(r, "`" + link + "`: is a symbolic link, refusing to follow it");
    auto stop = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
    EXPECT_EQ(stop.exit_code, 0) << stop.err;
    // gc reads the state directory: refused the same way (the netns directory it never lists).
    auto gc = cfg.hook({"gc"});
    EXPECT_EQ(gc.exit_code, where == Where::kNetnsDir ? 0 : 1) << gc.err;
    EXPECT_EQ(link_target(link), victims.dir());
    victims.expect_untouched();
  }
}

}  // namespace
}  // namespace ocinetns::test
