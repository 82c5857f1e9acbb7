// Shared helpers for command handlers (src/commands/*.cc).
//
// A handler reads c.argv (string_views valid until it returns), performs one
// keyspace operation through server/keyspace.h, and replies through
// c.reply. Errors go through Err() so errorstats and failed_calls count
// them. Every change to the dataset bumps g_server->dirty (via Dirty()), which
// drives propagation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "base/numbers.h"
#include "engine/object.h"
#include "server/client.h"
#include "server/errors.h"
#include "server/keyspace.h"
#include "server/server.h"

namespace vireo::commands {

using server::Client;
using server::g_server;

inline void Err(Client& c, std::string_view msg) {
  c.reply.Error(msg);
  g_server->CountError(msg);
}
inline void ErrWrongType(Client& c) { Err(c, server::err::kWrongType); }
inline void ErrSyntax(Client& c) { Err(c, server::err::kSyntax); }
inline void Dirty(long long n = 1) { g_server->dirty += n; }

using base::EqNoCase;

// Redis's getLongLongFromObjectOrReply: "value is not an integer or out of range".
inline bool ParseInt(Client& c, std::string_view s, int64_t* out,
                     std::string_view msg = server::err::kNotInt) {
  if (base::StringToInt64(s, out)) return true;
  Err(c, msg);
  return false;
}

// Redis's getRangeLongFromObjectOrReply.
inline bool ParseIntRange(Client& c, std::string_view s, int64_t min, int64_t max, int64_t* out,
                          std::string_view msg) {
  int64_t v;
  if (!base::StringToInt64(s, &v) || v < min || v > max) {
    Err(c, msg);
    return false;
  }
  *out = v;
  return true;
}

// Redis's getPositiveLongFromObjectOrReply.
inline bool ParsePositive(Client& c, std::string_view s, int64_t* out, std::string_view msg) {
  return ParseIntRange(c, s, 0, INT64_MAX, out, msg);
}

// Uppercase name of the current command (for messages like "ERR invalid
// expire time in 'set' command" Redis uses the lowercase fullname).
inline const std::string& CmdName(Client& c) { return c.cmd->name; }

// Replies the "help" text of a container command (Redis's addReplyHelp):
// "<NAME> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" + lines +
// "HELP" + "    Print this help."
void ReplyHelp(Client& c, const char* const* lines);

// The string value of a string entry (int formatted into buf).
inline std::string_view StrVal(const engine::Entry* e, char* buf) {
  return engine::StringValue(e, buf);
}

}  // namespace vireo::commands
