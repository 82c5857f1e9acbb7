// INFO (info.cc): the text of Redis 7.0.15's INFO, for the command and for
// anyone else who needs it (LATENCY DOCTOR, DEBUG, tests).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vireo::commands {

// `args` are INFO's arguments: section names (any case), "default", "all"
// or "everything"; none means "default". Returns the text INFO replies.
std::string GenInfoString(const std::vector<std::string_view>& args);
inline std::string GenInfoString(std::string_view section) {
  return GenInfoString(std::vector<std::string_view>{section});
}

// The replication id INFO reports (40 hex chars, generated at startup).

}  // namespace vireo::commands
