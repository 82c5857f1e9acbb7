// Shared helpers for command handlers (src/commands/*.cc).
//
// A handler reads c.argv (string_views valid until it returns), calls one
// engine operation (engine/keyspace.h, engine/types/*.h) on the client's
// database, and replies through c.reply. It never signals a change, counts
// dirty or touches WATCH itself: the engine reports every mutation to the
// keyspace listener. Errors go through Err()/ErrStatus() so errorstats and
// failed_calls count them; engine statuses map to Redis's texts in
// server/errors.h. A write whose effect must reach replicas and the AOF in
// another form (SET EX as SET PXAT, EXPIRE as PEXPIREAT, ...) says so with
// PropagateAs(); otherwise the command itself is propagated when it changed
// the dataset.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "base/numbers.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"
#include "server/client.h"
#include "server/errors.h"
#include "server/latency_histogram.h"
#include "server/server.h"

namespace vireo::commands {

using engine::OpStatus;
using server::Client;
using server::g_server;
using server::LatencyHistogram;
using server::FindCommandLatencyHistogram;
using server::ResetCommandLatencyHistograms;

inline void Err(Client& c, std::string_view msg) {
  c.reply.Error(msg);
  g_server->CountError(msg);
}
// Replies the error for an engine status (server::err::For).
inline void ErrStatus(Client& c, OpStatus s) { Err(c, server::err::For(s)); }
inline void ErrWrongType(Client& c) { Err(c, server::err::kWrongType); }
inline void ErrSyntax(Client& c) { Err(c, server::err::kSyntax); }

// The keyspace and the client's database.
inline engine::Keyspace& KS() { return g_server->keyspace(); }

// Propagates `argv` (in the client's db) instead of the command itself
// (Redis's rewriteClientCommandVector / alsoPropagate + prevent).
inline void PropagateAs(Client& c, std::span<const std::string_view> argv) {
  g_server->propagator().Add(c.db_index, argv);
  c.flags |= server::kClientPreventProp;
}
inline void PropagateAs(Client& c, std::initializer_list<std::string_view> argv) {
  PropagateAs(c, std::span<const std::string_view>(argv.begin(), argv.size()));
}
// Propagates the command even when it changed nothing (Redis's
// forceCommandPropagation: FLUSHALL on an empty server).
inline void ForcePropagation(Client& c) { c.flags |= server::kClientForceProp; }
// To replicas only, not the AOF (forceCommandPropagation(c, PROPAGATE_REPL):
// PUBLISH, so that subscribers of replicas get the message).
inline void ForceReplicaPropagation(Client& c) { c.flags |= server::kClientForcePropRepl; }

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
// Redis's addReplySubcommandSyntaxError: "ERR unknown subcommand or wrong
// number of arguments for '<argv[1]>'. Try <ARGV[0]> HELP."
void ReplySubcommandSyntaxError(Client& c);

}  // namespace vireo::commands
