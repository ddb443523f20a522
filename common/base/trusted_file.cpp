// Ownership check for the config file and hooks.d (see trusted_file.hpp).
#include "common/base/trusted_file.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "common/base/errors.hpp"

namespace ocinetns {

void check_trusted_owner(int fd, std::string_view what, std::string_view path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_last_errno(fmt::format("stat {} `{}`", what, path));
  check_trusted_owner(st, what, path);
}

void check_trusted_owner(const struct stat& st, std::string_view what, std::string_view path) {
#ifndef OCI_NETNS_ALLOW_UNTRUSTED_CONFIG
  if (st.st_uid != 0) {
    throw InputError(
        fmt::format("{} `{}`: refused, owned by uid {} instead of root", what, path, st.st_uid));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw InputError(fmt::format("{} `{}`: refused, writable by group or others (mode {:04o})",
                                 what, path, st.st_mode & 07777));
  }
#else
  (void)st;
#endif
}

}  // namespace ocinetns
