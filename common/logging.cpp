// spdlog sinks: stderr ("program: level: message", which runtimes show on hook failure), an
// append-only file with timestamps, and syslog(3) with the program as ident.
#include "common/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

#include <memory>
#include <vector>

namespace ocinetns {

void init_logging(const std::string& program, const LogSettings& settings) {
  std::vector<spdlog::sink_ptr> sinks;
  auto err_sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  err_sink->set_pattern("%n: %l: %v");
  sinks.push_back(err_sink);
  if (!settings.file.empty()) {
    try {
      auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(settings.file, false);
      file_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n[%P] %l: %v");
      sinks.push_back(file_sink);
    } catch (const spdlog::spdlog_ex& e) {
      err_sink->log(spdlog::details::log_msg(program, spdlog::level::warn,
                                             fmt::format("log file disabled: {}", e.what())));
    }
  }
  if (settings.syslog) {
    auto sys_sink = std::make_shared<spdlog::sinks::syslog_sink_st>(program, LOG_PID, LOG_DAEMON,
                                                                     /*enable_formatting=*/false);
    sinks.push_back(sys_sink);
  }
  auto logger = std::make_shared<spdlog::logger>(program, sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(settings.level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ocinetns
