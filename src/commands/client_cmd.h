// Client-state helpers shared by CLIENT (client_cmd.cc) and the connection
// commands (connection.cc: HELLO SETNAME, RESET).
#pragma once

#include <string>
#include <string_view>

#include "server/client.h"
#include "server/client_info.h"

namespace vireo::commands {

// Redis's clientSetNameOrReply: validates (printable ASCII '!'..'~', no
// spaces) and sets the name ("" clears it). On error replies and returns false.
bool SetClientNameOrReply(server::Client& c, std::string_view name);

// Syncs c.reply.muted with the CLIENT REPLY flags (OFF, or SKIP for the
// command being run).
void UpdateReplyMute(server::Client& c);

// Redis's redactClientCommandArgument: SLOWLOG and MONITOR (which read argv
// after the handler) show "(redacted)" instead of a secret argument.
inline void RedactArgument(server::Client& c, size_t i) {
  if (i < c.argv.size()) c.argv[i] = "(redacted)";
}

using server::ClientInfoString;
using server::ClientMemoryUsage;

}  // namespace vireo::commands
