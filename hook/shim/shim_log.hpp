// Runtime-format log lines for the shim, so engines read its errors from the runtime's --log file.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace ocinetns {

// One line as runc's logrus writes it: with format "json",
// {"level":"error","msg":"...","time":"2026-11-23T09:14:57Z"}; otherwise logrus text,
// time="..." level=error msg="...". `level` is a logrus level name (error, warning).
// The line ends with '\n'.
std::string format_runtime_log_line(std::string_view format, std::string_view level,
                                    std::string_view msg, std::time_t when);

// Appends a line to the runtime log at `path` (created 0644 if missing, as runc does). Failures
// are ignored: the message also goes to stderr and logging must not hide the original error.
void append_runtime_log(const std::string& path, std::string_view format, std::string_view level,
                        std::string_view msg);

}  // namespace ocinetns
