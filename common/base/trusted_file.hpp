// Ownership check for files that steer the root-run hook and shim: the config file and hooks.d.
#pragma once

#include <sys/stat.h>

#include <string_view>

namespace ocinetns {

// Checks that an opened file or directory is owned by root and not group/world-writable (a
// non-root user who can write it could otherwise steer a process that runs as root).
// Throws InputError("<what> `path`: refused, ..."). Only a build-time option relaxes it
// (OCI_NETNS_ALLOW_UNTRUSTED_CONFIG, test builds only), never the config itself.
void check_trusted_owner(int fd, std::string_view what, std::string_view path);
// The same check on a stat(2) result the caller already has.
void check_trusted_owner(const struct stat& st, std::string_view what, std::string_view path);

}  // namespace ocinetns
