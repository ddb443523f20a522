// `cmake --install` of this build tree: everything lands under the prefix (below DESTDIR when it
// is set) and nothing else is written, an admin's /etc/oci-netns-hook/config.json (and one under
// the prefix) survives byte for byte, the files that name the binaries name the prefix's, and
// each command's man page carries every subcommand and option its --help prints.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "tests/support/engines.hpp"

namespace ocinetns::test {
namespace {

const std::vector<std::string> kPrograms = {"oci-netns-hook", "oci-netns-runtime",
                                            "oci-netns-hook-cli"};

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

// `cmake --install` of the tree these tests belong to, with `env` (e.g. DESTDIR=...).
CommandResult cmake_install(const std::string& prefix, const std::vector<std::string>& env = {}) {
  CommandOptions options;
  options.env = env;
  options.timeout_seconds = 300;
  return run({"cmake", "--install", OCI_NETNS_BINARY_DIR, "--prefix", prefix}, options);
}

// Regular files and symlinks below `dir`, relative ("./usr/bin/x"), each with its mode.
std::set<std::string> files_below(const std::string& dir) {
  auto r = sh("cd " + quote(dir) + " && find . ! -type d -printf '%p %m\\n'");
  std::set<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

struct FileState {
  bool exists = false;
  std::string text;
  unsigned mode = 0;
  long long mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

FileState state_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  FileState s{true, S_ISREG(st.st_mode) ? read_text(path) : "", st.st_mode & 07777,
              st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec};
  return s;
}

// The host paths an install rule with an absolute destination, or one that forgot DESTDIR, would
// write (the old rules wrote the first).
const std::vector<std::string> kHostPaths = {
    "/etc/oci-netns-hook",
    "/etc/oci-netns-hook/config.json",
    "/usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json",
    "/usr/lib/systemd/system/oci-netns-hook-gc.service",
    "/lib/systemd/system/oci-netns-hook-gc.service",
    "/usr/bin/oci-netns-hook",
    "/usr/local/bin/oci-netns-hook",
};

class CmakeInstall : public ::testing::Test {};

TEST_F(CmakeInstall, WritesOnlyBelowThePrefixAndKeepsAnAdminsConfig) {
  TempDir t("oci-netns-cmake-install");
  std::string dest = t.file("dest");
  // The admin's configs, where the old rule wrote (DESTDIR/etc) and where a prefix-relative
  // sysconfdir would be (DESTDIR/usr/etc): odd bytes and mode, so any rewrite shows.
  const std::string admin = "{\"netns_dir\": \"/run/netns\"}  \n// the admin's\n";
  ASSERT_TRUE(
      run({"mkdir", "-p", dest + "/etc/oci-netns-hook", dest + "/usr/etc/oci-netns-hook"}).ok());
  write_text(dest + "/etc/oci-netns-hook/config.json", admin, 0600);
  write_text(dest + "/usr/etc/oci-netns-hook/config.json", admin, 0640);
  std::set<std::string> before = files_below(dest);
  std::vector<FileState> host_before;
  for (const auto& p : kHostPaths) host_before.push_back(state_of(p));

  // Twice: a reinstall over an existing tree must keep the admin's files too.
  for (int round = 0; round < 2; ++round) {
    auto r = cmake_install("/usr", {"DESTDIR=" + dest});
    ASSERT_TRUE(r.ok()) << r.out << r.err;
  }
  EXPECT_EQ(read_text(dest + "/etc/oci-netns-hook/config.json"), admin);
  EXPECT_EQ(state_of(dest + "/etc/oci-netns-hook/config.json").mode, 0600u);
  EXPECT_EQ(read_text(dest + "/usr/etc/oci-netns-hook/config.json"), admin);
  EXPECT_EQ(state_of(dest + "/usr/etc/oci-netns-hook/config.json").mode, 0640u);

  // Every new file is below DESTDIR/usr (and none in DESTDIR/usr/etc).
  std::set<std::string> after = files_below(dest);
  std::set<std::string> added;
  for (const auto& f : after) {
    if (before.count(f) == 0) added.insert(f.substr(0, f.rfind(' ')));
  }
  for (const auto& f : added) {
    EXPECT_EQ(f.rfind("./usr/", 0), 0u) << f << " is outside the prefix /usr";
    EXPECT_NE(f.rfind("./usr/etc/", 0), 0u) << f;
  }
  for (const auto& program : kPrograms) {
    EXPECT_EQ(added.count("./usr/bin/" + program), 1u) << program;
    EXPECT_EQ(added.count("./usr/share/man/man1/" + program + ".1.gz"), 1u) << program;
  }
  for (const char* f : {"./usr/share/oci-netns-hook/config.json.default",
                        "./usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json",
                        "./usr/share/containers/oci/hooks.d/oci-netns-hook-poststop.json",
                        "./usr/lib/systemd/system/oci-netns-hook-gc.service",
                        "./usr/share/doc/oci-netns-hook/copyright"}) {
    EXPECT_EQ(added.count(f), 1u) << f << " not installed; installed:\n"
                                  << sh("cd " + quote(dest) + " && find . -type f").out;
  }
  EXPECT_EQ(read_text(dest + "/usr/share/oci-netns-hook/config.json.default"),
            read_text(std::string(OCI_NETNS_SOURCE_DIR) + "/config/config.json"));
  auto hook = nlohmann::json::parse(
      read_text(dest + "/usr/share/containers/oci/hooks.d/oci-netns-hook-createruntime.json"));
  EXPECT_EQ(hook["hook"]["path"], "/usr/bin/oci-netns-hook");

  // Without DESTDIR, into a prefix of its own: the files name that prefix, and no host path
  // changed (exists, content, mode, mtime) in either run. Not after a failure above: a rule that
  // wrote outside DESTDIR/usr would now write on the host.
  ASSERT_FALSE(HasFailure()) << "not installing without DESTDIR after the failures above";
  std::string prefix = t.file("prefix");
  auto r = cmake_install(prefix);
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  hook = nlohmann::json::parse(
      read_text(prefix + "/share/containers/oci/hooks.d/oci-netns-hook-poststop.json"));
  EXPECT_EQ(hook["hook"]["path"], prefix + "/bin/oci-netns-hook");
  EXPECT_NE(read_text(prefix + "/lib/systemd/system/oci-netns-hook-gc.service")
                .find("ExecStart=" + prefix + "/bin/oci-netns-hook gc"),
            std::string::npos);
  for (std::size_t i = 0; i < kHostPaths.size(); ++i) {
    EXPECT_TRUE(state_of(kHostPaths[i]) == host_before[i]) << kHostPaths[i] << " changed";
  }
  std::set<std::string> plain;
  for (const auto& f : files_below(prefix)) plain.insert(f.substr(0, f.rfind(' ')));
  std::set<std::string> expected;
  for (const auto& f : added) expected.insert("./" + f.substr(std::string("./usr/").size()));
  EXPECT_EQ(plain, expected) << "the same files, whatever the prefix";
}

// The roff of an installed man page with "\-" as "-", for finding option names.
std::string man_text(const std::string& path) {
  auto r = run({"sh", "-c", "gzip -dc \"$0\" | sed 's/\\\\-/-/g'", path});
  return r.out;
}

// The words a --help lists under `heading` ("Subcommands:" or "Options:"): each entry's first.
std::vector<std::string> entries(const std::string& help, const std::string& heading) {
  std::vector<std::string> out;
  std::istringstream in(help);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == heading) {
      inside = true;
    } else if (inside && line.rfind("  ", 0) == 0) {
      std::string word = line.substr(2, line.find_first_of(" ,", 2) - 2);
      if (!word.empty() && word[0] != ' ') out.push_back(word);
    } else if (inside && !line.empty()) {
      inside = false;
    }
  }
  return out;
}

TEST_F(CmakeInstall, ManPagesCarryEverySubcommandAndOptionOfHelp) {
  TempDir t("oci-netns-cmake-man");
  auto r = cmake_install(t.file("p"));
  ASSERT_TRUE(r.ok()) << r.out << r.err;
  std::string bin = std::string(OCI_NETNS_BINARY_DIR) + "/hook/";
  struct Page {
    std::string program;
    std::vector<std::string> help_prefix;  // the runtime's own --help is runc's
  };
  for (const Page& page : {Page{"oci-netns-hook", {}}, Page{"oci-netns-hook-cli", {}},
                           Page{"oci-netns-runtime", {"--oci-netns-admin"}}}) {
    std::string man = man_text(t.file("p/share/man/man1/" + page.program + ".1.gz"));
    ASSERT_FALSE(man.empty()) << page.program;
    EXPECT_NE(man.find(".SH NAME\n" + page.program + " - "), std::string::npos) << man;
    std::vector<std::string> argv{bin + page.program};
    argv.insert(argv.end(), page.help_prefix.begin(), page.help_prefix.end());
    argv.push_back("--help");
    auto help = run(argv);
    ASSERT_TRUE(help.ok()) << help.err;
    auto subcommands = entries(help.out, "Subcommands:");
    EXPECT_FALSE(subcommands.empty()) << help.out;
    for (const auto& sub : subcommands) {
      std::string heading = ".SS \"" + page.program + " ";
      for (const auto& a : page.help_prefix) heading += a + " ";
      heading += sub + "\"";
      EXPECT_NE(man.find(heading), std::string::npos) << page.program << ": no " << heading;
      std::vector<std::string> sub_argv(argv.begin(), argv.end() - 1);
      sub_argv.insert(sub_argv.end(), {sub, "--help"});
      auto sub_help = run(sub_argv);
      ASSERT_TRUE(sub_help.ok()) << sub << ": " << sub_help.err;
      for (const auto& option : entries(sub_help.out, "Options:")) {
        EXPECT_NE(man.find("\\fB" + option + "\\fR"), std::string::npos)
            << page.program << " " << sub << ": " << option << " missing from the man page";
      }
    }
  }
}

}  // namespace
}  // namespace ocinetns::test
