// Logging in Redis's line format through spdlog.
//
//   <pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level char> <message>
//
// role is M (master), S (replica), C (child), X (sentinel); the level chars
// are Redis's ". - * #" for debug, verbose, notice, warning. The sink is
// stdout when `logfile` is empty, else the file (reopened on CONFIG SET),
// plus syslog when syslog-enabled.
#pragma once

#include <string>

namespace vireo::server {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// (Re)opens the sinks from the current config. Returns false with *err when
// the log file cannot be opened.
bool SetupLogging(const std::string& logfile, int level, bool syslog_enabled,
                  const std::string& syslog_ident, int syslog_facility, std::string* err);
void SetLogLevel(int level);
void SetLogRole(char role);
void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Raw line without the prefix (used for the startup logo/report).
void LogRaw(const std::string& s);
bool LogEnabled(LogLevel level);

}  // namespace vireo::server
