// Error types: InputError for bad input/config, std::system_error (via throw_errno) for syscalls.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace ocinetns {

// Problems in what we were given (state JSON, config, hooks.d files, argv). Never retried.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws std::system_error for `err` (captured by the caller right after the failing call),
// with `context` naming the operation and object, e.g. "mount `/proc/42/ns/net` on `/run/netns/x`".
[[noreturn]] void throw_errno(int err, const std::string& context);

// Convenience for the common case: captures errno immediately.
[[noreturn]] inline void throw_last_errno(const std::string& context) {
  throw_errno(errno, context);
}

}  // namespace ocinetns
