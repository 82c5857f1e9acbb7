// See log.h.
#include "server/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <memory>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>

namespace vireo::server {

namespace {
std::shared_ptr<spdlog::logger> g_logger;
int g_level = 2;
char g_role = 'M';
}  // namespace

bool SetupLogging(const std::string& logfile, int level, bool syslog_enabled,
                  const std::string& syslog_ident, int syslog_facility, std::string* err) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    if (logfile.empty()) {
      sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(logfile, false));
    }
    if (syslog_enabled) {
      sinks.push_back(std::make_shared<spdlog::sinks::syslog_sink_mt>(syslog_ident, LOG_PID,
                                                                     syslog_facility, false));
    }
  } catch (const spdlog::spdlog_ex& e) {
    if (err) *err = e.what();
    return false;
  }
  auto logger = std::make_shared<spdlog::logger>("vireo", sinks.begin(), sinks.end());
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  g_logger = logger;
  g_level = level;
  return true;
}

void SetLogLevel(int level) { g_level = level; }
void SetLogRole(char role) { g_role = role; }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level; }

void LogRaw(const std::string& s) {
  if (g_logger)
    g_logger->info(s);
  else
    fprintf(stdout, "%s\n", s.c_str());
}

void Log(LogLevel level, const char* fmt, ...) {
  if (static_cast<int>(level) < g_level) return;
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  static const char kLevelChar[] = ".-*#";
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char tbuf[64];
  size_t off = strftime(tbuf, sizeof(tbuf), "%d %b %Y %H:%M:%S.", &tm);
  snprintf(tbuf + off, sizeof(tbuf) - off, "%03d", static_cast<int>(tv.tv_usec / 1000));
  char line[4300];
  snprintf(line, sizeof(line), "%d:%c %s %c %s", static_cast<int>(getpid()), g_role, tbuf,
           kLevelChar[static_cast<int>(level) > 3 ? 3 : static_cast<int>(level)], msg);
  if (g_logger) {
    g_logger->info(line);
  } else {
    fprintf(stdout, "%s\n", line);
    fflush(stdout);
  }
}

}  // namespace vireo::server
