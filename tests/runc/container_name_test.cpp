// {name} through the real hook binary, with the files Docker leaves laid out by the test (a
// bundle whose config.json bind-mounts <root>/containers/<id>/hostname, and its config.v2.json)
// and with a runtime whose parent is not a real conmon: a good name is used, and every bad input
// falls back to the id with exactly one warning line.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/runc/ops_fixtures.hpp"

namespace ocinetns::test {
namespace {

// A Docker-like layout: <root>/containers/<id>/{hostname,config.v2.json} and a bundle whose
// config.json bind-mounts the hostname file, as dockerd's spec does.
class FakeDocker {
 public:
  explicit FakeDocker(std::string id) : id_(std::move(id)) {
    ::mkdir(root_.file("containers").c_str(), 0700);
    ::mkdir(dir().c_str(), 0700);
    write_text(dir() + "/hostname", "web\n");
    nlohmann::json spec{{"ociVersion", "1.0.2"},
                        {"mounts",
                         {{{"destination", "/etc/hostname"},
                           {"source", dir() + "/hostname"},
                           {"type", "bind"},
                           {"options", {"rbind", "rprivate"}}}}}};
    write_text(bundle_.file("config.json"), spec.dump());
  }
  [[nodiscard]] std::string dir() const { return root_.file("containers/" + id_); }
  [[nodiscard]] std::string config_v2() const { return dir() + "/config.v2.json"; }
  [[nodiscard]] std::string root_file(const std::string& name) const { return root_.file(name); }
  void write_config(const std::string& id, const std::string& name) const {
    write_text(config_v2(), nlohmann::json{{"ID", id}, {"Name", name}, {"State", {}}}.dump());
  }
  [[nodiscard]] std::string state(pid_t pid) const {
    return nlohmann::json{{"ociVersion", "1.0.2"},
                          {"id", id_},
                          {"status", "creating"},
                          {"pid", pid},
                          {"bundle", bundle_.path()}}
        .dump();
  }

 private:
  std::string id_;
  TempDir root_{"oci-netns-docker-root"};
  TempDir bundle_{"oci-netns-bundle"};
};

nlohmann::json name_config() {
  return {{"name_template", "{name}"}};
}

TEST(ContainerName, DockerNameFromConfigV2WithoutTheSlash) {
  OpsConfig cfg("", name_config());
  std::string id = ops_name("0a1b2c3d4e5f");
  std::string name = ops_name("web");
  FakeDocker docker(id);
  docker.write_config(id, "/" + name);
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  auto r = cfg.hook({"createRuntime"}, docker.state(proc.pid()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(warning_count(r.err), 0) << r.err;
  EXPECT_EQ(inode_of(cfg.ref(name)), proc.netns_inode());
  EXPECT_FALSE(path_exists(cfg.ref(id)));
  auto record = nlohmann::json::parse(read_text(cfg.record(id)));
  EXPECT_EQ(record["name"], name);
  EXPECT_EQ(record["container_name"], name);
  r = cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(path_exists(cfg.ref(name)));
}

TEST(ContainerName, DockerNameWithOtherCharactersIsMapped) {
  OpsConfig cfg("", name_config());
  std::string id = ops_name("0a1b2c3d4e5f");
  FakeDocker docker(id);
  docker.write_config(id, "/we b:1");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  auto r = cfg.hook({"createRuntime"}, docker.state(proc.pid()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(warning_count(r.err), 0) << r.err;
  EXPECT_EQ(inode_of(cfg.ref("we_b_1")), proc.netns_inode());
  cfg.hook({"poststop"}, OpsConfig::state(id, 0));
  EXPECT_FALSE(path_exists(cfg.ref("we_b_1")));
}

// Each bad config.v2.json: the id is used, with one warning that says why.
TEST(ContainerName, BadDockerFilesFallBackToTheIdWithOneLine) {
  struct Case {
    const char* what;
    const char* expect;
    void (*prepare)(const FakeDocker&, const std::string& id);
  };
  const Case cases[] = {
      {"huge", "larger than",
       [](const FakeDocker& d, const std::string& id) {
         write_text(d.config_v2(), R"({"ID":")" + id + R"(","Name":"/web","Pad":")" +
                                       std::string(2 * 1024 * 1024, 'x') + "\"}");
       }},
      {"not JSON", "config.v2.json",
       [](const FakeDocker& d, const std::string&) { write_text(d.config_v2(), "{not json"); }},
      {"symlink", "is a symbolic link",
       [](const FakeDocker& d, const std::string& id) {
         write_text(d.root_file("elsewhere.json"),
                    nlohmann::json{{"ID", id}, {"Name", "/web"}}.dump());
         ASSERT_EQ(::symlink(d.root_file("elsewhere.json").c_str(), d.config_v2().c_str()), 0);
       }},
      {"not root-owned", "not root",
       [](const FakeDocker& d, const std::string& id) {
         d.write_config(id, "/web");
         ASSERT_EQ(::chown(d.config_v2().c_str(), 65534, 65534), 0);
       }},
      {"another id", "not this container",
       [](const FakeDocker& d, const std::string&) { d.write_config("other", "/web"); }},
      {"missing", "No such file", [](const FakeDocker&, const std::string&) {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    OpsConfig cfg("", name_config());
    std::string id = ops_name("0a1b2c3d4e5f");
    FakeDocker docker(id);
    c.prepare(docker, id);
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    auto r = cfg.hook({"createRuntime"}, docker.state(proc.pid()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(warning_count(r.err), 1) << r.err;
    EXPECT_TRUE(contains(r.err, "warning: createRuntime " + id + ": {name}: ")) << r.err;
    EXPECT_TRUE(contains(r.err, c.expect)) << r.err;
    EXPECT_TRUE(contains(r.err, "; using the id")) << r.err;
    EXPECT_FALSE(path_exists(cfg.ref("web")));
    EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
  }
}

// Not Docker's (no such mounts) and the runtime's parent is not conmon: the id, one line.
TEST(ContainerName, ParentThatIsNotConmonFallsBackToTheId) {
  OpsConfig cfg("", name_config());
  std::string id = ops_name("plain");
  NetnsProcess proc;
  RefCleanup cleanup(cfg, id);
  auto r = cfg.hook({"createRuntime"}, OpsConfig::state(id, proc.pid()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(warning_count(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "not a Docker container, and not Podman's: the runtime's parent"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "is not conmon; using the id")) << r.err;
  EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
}

// A process that only looks like conmon: a copy of dash named conmon, as the runtime's parent
// (conmon -> sh, standing in for runc -> the hook). Owned by nobody it is refused before its
// argv is read; owned by root, its `-c` (dash's script) is not the container id. Both: the id.
TEST(ContainerName, FakeConmonIsNotTrusted) {
  struct Case {
    const char* what;
    uid_t owner;
    const char* expect;
  };
  for (const Case& c : {Case{"owned by nobody", 65534, "is not a root-owned file"},
                        Case{"owned by root", 0, "-c is sh "}}) {
    SCOPED_TRACE(c.what);
    OpsConfig cfg("", name_config());
    std::string id = ops_name("podlike");
    NetnsProcess proc;
    RefCleanup cleanup(cfg, id);
    TempDir bin("oci-netns-fakeconmon");
    ::chmod(bin.path().c_str(), 0755);
    std::string conmon = bin.file("conmon");
    ASSERT_TRUE(run({"cp", "/bin/dash", conmon}).ok());
    ASSERT_EQ(::chown(conmon.c_str(), c.owner, c.owner), 0);
    ::chmod(conmon.c_str(), 0755);
    write_text(cfg.file("state.json"), OpsConfig::state(id, proc.pid()));
    write_text(bin.file("runtime.sh"),
               "\"$HOOK\" --config \"$CFG\" createRuntime < \"$STATE\"\n"
               "echo \"rc=$?\" >&2\n");
    // `; true` keeps each shell from exec'ing its last command, so the chain stays 3 deep.
    CommandOptions options;
    options.env = {"HOOK=" + hook_binary(), "CFG=" + cfg.path(), "STATE=" + cfg.file("state.json")};
    auto r = run({conmon, "-c", "sh " + bin.file("runtime.sh") + "; true"}, options);
    EXPECT_TRUE(contains(r.err, "rc=0")) << r.err;
    EXPECT_EQ(warning_count(r.err), 1) << r.err;
    EXPECT_TRUE(contains(r.err, c.expect)) << r.err;
    EXPECT_TRUE(contains(r.err, "; using the id")) << r.err;
    EXPECT_EQ(inode_of(cfg.ref(id)), proc.netns_inode());
  }
}

}  // namespace
}  // namespace ocinetns::test
