// Real Docker 20.10 with name_template "{name}": `docker run --name web` is `web` in `ip netns
// list`, through restart and until `docker rm`; a name held by an `ip netns add` entry or by a
// renamed container's reference gives the collision rule's fallback.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/base/scope_guard.hpp"
#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

class DockerNames : public ::testing::Test {
 protected:
  void SetUp() override {
    OCI_NETNS_REQUIRE(docker_unavailable_reason());
    // One daemon per test process (ctest runs each TEST in its own), with {name}.
    static DockerDaemon daemon(DockerDaemon::Options{.hook_config = {{"name_template", "{name}"}}});
    docker_ = &daemon;
  }
  std::string start(const std::string& name) {
    auto r = docker_->docker(
        {"run", "-d", "--runtime", "oci-netns", "--name", name, kBusyboxImage, "sleep", "3600"});
    EXPECT_TRUE(r.ok()) << r.err << "\nhook log:\n" << docker_->hooks().log();
    return r.ok() ? trim(r.out) : "";
  }
  std::string netns_of(const std::string& id) {
    return "/proc/" + docker_->inspect(id, "{{.State.Pid}}") + "/ns/net";
  }
  void remove(const std::string& name) { docker_->docker({"rm", "-f", name}); }

  DockerDaemon* docker_ = nullptr;
};

TEST_F(DockerNames, RunByNameRestartAndRm) {
  std::string name = unique_name("web");
  ScopeGuard cleanup([&] { remove(name); });
  std::string id = start(name);
  ASSERT_EQ(id.size(), 64u);
  EXPECT_TRUE(netns_listed(name)) << docker_->hooks().log();
  EXPECT_FALSE(netns_listed(id));
  EXPECT_EQ(inode_of("/run/netns/" + name), inode_of(netns_of(id)));
  auto rec = nlohmann::json::parse(read_text(docker_->hooks().record_path(id)));
  EXPECT_EQ(rec["name"], name);
  EXPECT_EQ(rec["container_name"], name);
  EXPECT_EQ(docker_->hooks().log().find("{name}"), std::string::npos) << docker_->hooks().log();

  ASSERT_TRUE(docker_->docker({"restart", "-t", "0", name}).ok());
  EXPECT_EQ(inode_of("/run/netns/" + name), inode_of(netns_of(id)));
  EXPECT_EQ(mountinfo_count("/run/netns/" + name), 1);

  ASSERT_TRUE(docker_->docker({"rm", "-f", name}).ok());
  EXPECT_FALSE(netns_listed(name));
  EXPECT_FALSE(path_exists("/run/netns/" + name));
  EXPECT_FALSE(path_exists(docker_->hooks().record_path(id)));
}

TEST_F(DockerNames, NameHeldByIpNetnsAddGetsTheFallback) {
  std::string name = unique_name("db");
  ASSERT_TRUE(run({"ip", "netns", "add", name}).ok());
  ScopeGuard del([&] { run({"ip", "netns", "del", name}); });
  unsigned long long foreign = inode_of("/run/netns/" + name);
  ScopeGuard cleanup([&] { remove(name); });
  std::string id = start(name);
  ASSERT_EQ(id.size(), 64u);
  std::string fallback = name + "-" + id.substr(0, 12);
  EXPECT_TRUE(netns_listed(fallback)) << docker_->hooks().log();
  EXPECT_EQ(inode_of("/run/netns/" + fallback), inode_of(netns_of(id)));
  EXPECT_EQ(inode_of("/run/netns/" + name), foreign);
  EXPECT_NE(docker_->hooks().log().find("using /run/netns/" + fallback + " instead"),
            std::string::npos)
      << docker_->hooks().log();
  ASSERT_TRUE(docker_->docker({"rm", "-f", name}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + fallback));
  EXPECT_EQ(inode_of("/run/netns/" + name), foreign);
}

// `docker rename` does not rename the reference: the old name stays the first container's, and
// a new container given that name gets the fallback; removing either leaves the other.
TEST_F(DockerNames, RenamedContainerKeepsItsReferenceAndANewOneOfThatNameGetsTheFallback) {
  std::string name = unique_name("api");
  std::string renamed = unique_name("api-old");
  ScopeGuard cleanup([&] {
    remove(name);
    remove(renamed);
  });
  std::string first = start(name);
  ASSERT_EQ(first.size(), 64u);
  ASSERT_TRUE(docker_->docker({"rename", name, renamed}).ok());
  std::string second = start(name);
  ASSERT_EQ(second.size(), 64u);
  std::string fallback = name + "-" + second.substr(0, 12);
  EXPECT_EQ(inode_of("/run/netns/" + name), inode_of(netns_of(first)));
  EXPECT_EQ(inode_of("/run/netns/" + fallback), inode_of(netns_of(second)))
      << docker_->hooks().log();
  EXPECT_FALSE(netns_listed(renamed));

  ASSERT_TRUE(docker_->docker({"rm", "-f", renamed}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + name));
  EXPECT_EQ(inode_of("/run/netns/" + fallback), inode_of(netns_of(second)));
  ASSERT_TRUE(docker_->docker({"rm", "-f", name}).ok());
  EXPECT_FALSE(path_exists("/run/netns/" + fallback));
}

// The README's example: `docker run --name web` -> `ip netns list` -> `oci-netns-hook exec web --
// ss -tln` shows what listens inside the container; `list` shows the name.
TEST_F(DockerNames, ExecByNameShowsTheContainersListeningSocket) {
  std::string name = unique_name("web");
  ScopeGuard cleanup([&] { remove(name); });
  auto r = docker_->docker({"run", "-d", "--runtime", "oci-netns", "--name", name, kBusyboxImage,
                            "httpd", "-f", "-p", "8080"});
  ASSERT_TRUE(r.ok()) << r.err;
  std::string id = docker_->inspect(name, "{{.Id}}");
  ASSERT_EQ(id.size(), 64u) << r.out;
  EXPECT_TRUE(netns_listed(name));
  CommandResult ss;
  for (int i = 0; i < 50; ++i) {  // httpd binds right after it starts
    ss = run({hook_binary(), "--config", docker_->hooks().config_path(), "exec", name, "--", "ss",
              "-tln"});
    if (ss.out.find(":8080") != std::string::npos) break;
    ::usleep(100000);
  }
  ASSERT_EQ(ss.exit_code, 0) << ss.err;
  EXPECT_NE(ss.out.find(":8080"), std::string::npos) << ss.out;
  EXPECT_EQ(run({"ss", "-tln"}).out.find(":8080 "), std::string::npos);  // not the host's
  // By id prefix too, and `list` has the name column.
  ss = run({hook_binary(), "--config", docker_->hooks().config_path(), "exec", id.substr(0, 12),
            "ss", "-tln"});
  EXPECT_NE(ss.out.find(":8080"), std::string::npos) << ss.err;
  auto list = run({hook_binary(), "--config", docker_->hooks().config_path(), "list", "--json"});
  ASSERT_TRUE(list.ok()) << list.err;
  bool found = false;
  nlohmann::json doc = nlohmann::json::parse(list.out);
  for (const auto& e : doc.at("entries")) {
    if (e.at("container_id") == id) {
      found = true;
      EXPECT_EQ(e.at("name"), name);
      EXPECT_EQ(e.at("container_name"), name);
    }
  }
  EXPECT_TRUE(found) << list.out;
}

}  // namespace
}  // namespace ocinetns::test
