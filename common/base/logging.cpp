// spdlog sinks: stderr ("program: level: message", which runtimes show on hook failure), an
// append-only file with timestamps, syslog(3) with the program as ident, and, when the settings
// name neither, the operator's default destination for warnings and errors
// (common/base/operator_log.hpp).
#include "common/base/logging.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

#include <memory>
#include <vector>

#include "common/base/operator_log.hpp"

namespace ocinetns {
namespace {

// Warnings and errors to OperatorLog::default_destination(), which opens nothing until the first
// of them: a container start that logs only info costs one object here and no syscall.
class DefaultDestinationSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit DefaultDestinationSink(const std::string& program)
      : log_(OperatorLog::default_destination(program)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    int priority = msg.level >= spdlog::level::critical ? LOG_CRIT
                   : msg.level == spdlog::level::err    ? LOG_ERR
                                                        : LOG_WARNING;
    auto level = spdlog::level::to_string_view(msg.level);
    log_.write(priority, std::string_view(level.data(), level.size()),
               std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  OperatorLog log_;
};

}  // namespace

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
  if (uses_default_log_destination(settings)) {
    auto default_sink = std::make_shared<DefaultDestinationSink>(program);
    default_sink->set_level(spdlog::level::warn);
    sinks.push_back(default_sink);
  }
  auto logger = std::make_shared<spdlog::logger>(program, sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(settings.level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ocinetns
