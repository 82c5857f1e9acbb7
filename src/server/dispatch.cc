// Command dispatch: Redis 7.0's processCommand checks, in its order, and
// call() with its bookkeeping (commandstats, errorstats, slowlog, latency
// monitor, MONITOR feed, propagation).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/ascii.h"
#include "base/clock.h"
#include "base/numbers.h"
#include "base/split_args.h"
#include "server/acl.h"
#include "server/client.h"
#include "server/client_admin.h"
#include "server/errors.h"
#include "server/latency_histogram.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server {

namespace {


// Redis's rejectCommand: error reply, flag a transaction, count.
bool AllowedInPubsubContext(const Command& cmd) {
  if (cmd.parent) return false;
  static constexpr std::string_view kAllowed[] = {"ping",        "subscribe",    "ssubscribe",
                                                  "unsubscribe", "sunsubscribe", "psubscribe",
                                                  "punsubscribe", "quit",        "reset"};
  for (std::string_view n : kAllowed)
    if (cmd.name == n) return true;
  return false;
}

// EXEC's view of its queue (Redis's mstate.cmd_flags / cmd_inv_flags).
bool QueuedWrite(const Client& c) {
  for (const QueuedCommand& q : c.mstate)
    if (q.cmd->has(kCmdWrite)) return true;
  return false;
}
bool QueuedAllLoading(const Client& c) {
  for (const QueuedCommand& q : c.mstate)
    if (!q.cmd->has(kCmdLoading)) return false;
  return true;
}

void Reject(Server& s, Client& c, Command* cmd, std::string_view msg) {
  if (c.flags & kClientMulti) c.flags |= kClientDirtyExec;
  if (cmd) cmd->rejected_calls++;
  if (cmd && cmd->name == "exec") {
    // Why: Redis's execCommandAbort: a rejected EXEC discards the
    // transaction and says why, without the "ERR " of the original error.
    c.mstate.clear();
    c.flags &= ~(kClientMulti | kClientDirtyCas | kClientDirtyExec);
    s.watches().UnwatchAll(c);
    std::string line = err::ExecAbort(msg);
    c.reply.Error(line);
    s.CountError(line);
    return;
  }
  c.reply.Error(msg);
  s.CountError(msg);
}

void FeedMonitors(Server& s, Client& c, int dbid) {
  // "+<sec>.<usec> [<db> <addr>] "arg" "arg"..."
  std::string line;
  char buf[128];
  int64_t us = s.now_us();
  snprintf(buf, sizeof(buf), "+%lld.%06lld ", static_cast<long long>(us / 1000000),
           static_cast<long long>(us % 1000000));
  line += buf;
  if (c.flags & kClientUnixSocket)
    snprintf(buf, sizeof(buf), "[%d unix:%s] ", dbid, s.cfg().unixsocket.c_str());
  else
    snprintf(buf, sizeof(buf), "[%d %s] ", dbid, c.addr.c_str());
  line += buf;
  const auto& argv = c.argv;
  for (size_t i = 0; i < argv.size(); i++) {
    if (i) line.push_back(' ');
    base::AppendRepr(&line, argv[i]);
  }
  line += "\r\n";
  std::vector<Client*> targets = s.monitors;  // a client may close below
  for (Client* m : targets) {
    if (m->closed()) continue;
    m->out().Append(line);
    s.AddPendingWrite(m);
    m->EnforceOutputLimits();
  }
}

// A blocked command that timed out or met CLIENT UNBLOCK runs again only
// to be answered here (Redis's replyToBlockedClientTimedOut /
// unblockClientOnError + updateStatsOnUnblock): a null array or
// -UNBLOCKED, counted as one call of the command.
void AnswerUnblocked(Server& s, Client& c) {
  Command* cmd = s.commands().Lookup(c.argv);
  bool error = c.bstate->outcome == BlockState::Outcome::kError;
  if (error) {
    std::string_view msg = c.bstate->error.empty() ? err::kUnblocked : std::string_view(c.bstate->error);
    c.reply.Error(msg);
    s.CountError(msg);
  } else {
    c.reply.NullArray();
  }
  if (cmd) {
    cmd->calls++;
    if (error) cmd->failed_calls++;
  }
  s.stats.numcommands++;
  s.blocking().Finished(c);
}

// Redis's queueMultiCommand: a copy of the command for EXEC.
void QueueCommand(Client& c, Command* cmd) {
  QueuedCommand q;
  q.cmd = cmd;
  q.argv.reserve(c.argv.size());
  for (auto a : c.argv) q.argv.emplace_back(a);
  c.mstate.push_back(std::move(q));
}

}  // namespace

bool Server::ProcessCommand(Client& c) {
  // Redis's current_client: who the running command belongs to (tracking's
  // NOLOOP and held invalidations); nested runs (blocked clients served
  // after this command) set their own and give it back.
  struct CurrentClient {
    Client** slot;
    Client* saved;
    ~CurrentClient() { *slot = saved; }
  } current_guard{&current_client_, current_client_};
  current_client_ = &c;
  UpdateTime();
  if (c.bstate && c.bstate->outcome != BlockState::Outcome::kNone &&
      !(c.bstate->answer_on_timeout && c.bstate->outcome == BlockState::Outcome::kTimeout)) {
    AnswerUnblocked(*this, c);
    return true;
  }
  // Why: Redis 7.0 handles QUIT before the command lookup (no auth needed,
  // also inside MULTI): reply OK and close after the reply.
  if (base::EqNoCase(c.argv[0], "quit")) {
    c.reply.Ok();
    c.flags |= kClientCloseAfterReply;
    return true;
  }
  Command* cmd = commands_.Lookup(c.argv);
  c.cmd = cmd;
  // Why: Redis sets lastcmd at lookup (CLIENT LIST cmd=), so it names a
  // queued or rejected command too, and is NULL after an unknown one.
  c.last_cmd = cmd;
  if (!cmd) {
    // Why: Redis formats these with printf's %.128s / %.*s, so every
    // argument is cut at 128 bytes and at its first NUL byte.
    auto cstr = [](std::string_view a, size_t max) {
      a = a.substr(0, std::min(max, a.size()));
      size_t nul = a.find('\0');
      return std::string(nul == std::string_view::npos ? a : a.substr(0, nul));
    };
    std::string msg;
    if (commands_.IsContainer(c.argv[0])) {
      std::string up = cstr(c.argv[0], 128);
      for (char& ch : up) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
      msg = err::UnknownSubcommand(cstr(c.argv[1], 128), up);
    } else {
      std::string args;
      for (size_t i = 1; i < c.argv.size() && args.size() < 128; i++) {
        args += "'" + cstr(c.argv[i], 128 - args.size()) + "' ";
      }
      msg = err::UnknownCommand(cstr(c.argv[0], 128), args);
    }
    Reject(*this, c, nullptr, msg);
    return true;
  }
  int argc = static_cast<int>(c.argv.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity || !cmd->handler) {
    Reject(*this, c, cmd, err::WrongArgs(cmd->name));
    return true;
  }
  if (cmd->has(kCmdProtected)) {
    int mode = cmd->parent == nullptr && cmd->name == "debug" ? cfg().enable_debug_command
                                                               : cfg().enable_module_command;
    bool local = (c.flags & kClientUnixSocket) || c.addr.rfind("127.", 0) == 0 ||
                 c.addr.rfind("[::1]:", 0) == 0;
    if (mode == 0 || (mode == 2 && !local)) {
      const char* what = cmd->name == "debug" ? "DEBUG" : "MODULE";
      const char* opt = cmd->name == "debug" ? "enable-debug-command" : "enable-module-command";
      Reject(*this, c, cmd, err::ProtectedCommand(what, opt));
      return true;
    }
  }
  if (!c.authenticated && !cmd->has(kCmdNoAuth) && acl::Get().DefaultNeedsAuth()) {
    Reject(*this, c, cmd, err::kNoAuth);
    return true;
  }
  if ((c.flags & kClientMulti) && cmd->has(kCmdNoMulti)) {
    Reject(*this, c, cmd, err::kNotInMulti);
    return true;
  }
  // ACL (Redis's ACLCheckAllPerm): users with all commands, keys and
  // channels are never checked.
  if (c.user && !c.user->superuser) {
    std::string msg;
    if (!acl::Get().CheckClient(c, cmd, &msg)) {
      Reject(*this, c, cmd, msg);
      return true;
    }
  }
  // Cluster redirection (Redis's order: after ACL, before maxmemory), not
  // for our master's stream nor for commands that take no key.
  if (cluster_ && !ObeyClient(c) &&
      (cmd->has(kCmdMovableKeys) || cmd->meta->num_key_specs > 0 || cmd == exec_cmd_)) {
    if (std::string redirect; !cluster_->Route(c, cmd, &redirect)) {
      if (cmd == exec_cmd_) {
        // Why not Reject: Redis discards the transaction and replies the
        // redirection itself, without EXECABORT.
        c.mstate.clear();
        c.flags &= ~(kClientMulti | kClientDirtyCas | kClientDirtyExec);
        watches().UnwatchAll(c);
        cmd->rejected_calls++;
        c.reply.Error(redirect);
        CountError(redirect);
      } else {
        Reject(*this, c, cmd, redirect);
      }
      return true;
    }
  }
  // maxmemory: evict, then refuse deny-oom commands (server/maxmemory.cc);
  // nothing at all to do (no call) without a limit.
  if (const Config& conf = cfg(); conf.maxmemory != 0 || conf.maxmemory_clients != 0) {
    if (std::string_view oom; !CheckMaxmemory(c, cmd, &oom)) {
      if (!oom.empty()) Reject(*this, c, cmd, oom);
      return true;
    }
  }
  // Why: Redis bounds the tracking table before each command, right after
  // the maxmemory step and before the Pub/Sub-context, pause and MULTI
  // queueing steps (trackingLimitUsedSlots in processCommand): a command
  // queued in MULTI still gets its evicted keys' invalidations first.
  if (tracking_.clients() > 0) tracking_.LimitUsedSlots();
  // Redis's writeCommandsDeniedByDiskError: after a failed BGSAVE with save
  // points and stop-writes-on-bgsave-error, writes (and, oddly, PING) get
  // -MISCONF until a save succeeds.
  // The AOF's write errors deny the same commands (after the RDB's).
  bool obey = ObeyClient(c);
  bool is_write = cmd->has(kCmdWrite) || (cmd == exec_cmd_ && QueuedWrite(c));
  // Why not for our master: a replica applies its master's stream even
  // when it cannot persist (Redis logs it, replica-ignore-disk-write-errors).
  if (!obey && (snapshots_->WritesDenied() || aof_->WritesDenied()) &&
      (cmd->has(kCmdWrite) || cmd->name == "ping" || (cmd == exec_cmd_ && QueuedWrite(c)))) {
    if (snapshots_->WritesDenied()) {
      Reject(*this, c, cmd, err::kMisconfRdb);
    } else {
      Reject(*this, c, cmd, err::MisconfAof(aof_->last_write_errno()));
    }
    return true;
  }
  if (repl_) {
    // min-replicas-to-write, then a read-only replica (Redis's order).
    if (is_write && !repl_->good_replicas_ok()) {
      Reject(*this, c, cmd, err::kNoReplicas);
      return true;
    }
    if (is_write && !obey && cfg().replica_read_only && repl_->is_replica()) {
      Reject(*this, c, cmd, err::kReadonlyReplica);
      return true;
    }
  }
  // Why: a RESP2 connection in subscribed mode reads only push frames, so
  // Redis lets it run just the commands that make sense there; RESP3
  // interleaves replies and pushes, without limits.
  if ((c.flags & kClientPubsub) && c.resp() == 2 && !AllowedInPubsubContext(*cmd)) {
    Reject(*this, c, cmd, err::PubsubContext(cmd->name));
    return true;
  }
  // replica-serve-stale-data no: while the link with our master is down
  // only the commands flagged "stale" (INFO, REPLICAOF, ...) run.
  if (repl_ && repl_->is_replica() && !repl_->master_link_up() && !cfg().replica_serve_stale_data &&
      !cmd->has(kCmdStale)) {
    Reject(*this, c, cmd, err::kMasterDown);
    return true;
  }
  // Loading the dataset (startup): only commands flagged "loading" run, and
  // EXEC only when everything it queued may (is_denyloading_command).
  if (snapshots_->loading() && (!cmd->has(kCmdLoading) || (cmd == exec_cmd_ && !QueuedAllLoading(c)))) {
    Reject(*this, c, cmd, err::kLoading);
    return true;
  }
  // A replica loading its master's RDB beside the data it serves (swapdb,
  // same history): only what would disturb the load is refused.
  if (snapshots_->async_loading() && cmd->has(kCmdNoAsyncLoading)) {
    Reject(*this, c, cmd, err::kLoading);
    return true;
  }
  // Why: a MONITOR client is flagged as a replica in Redis, and replicas
  // may not touch the keyspace.
  if ((c.flags & (kClientMonitor | kClientSlave)) &&
      (cmd->has(kCmdWrite) || cmd->has(kCmdReadonly) || cmd->has(kCmdMayReplicate))) {
    Reject(*this, c, cmd, err::kReplicaKeyspace);
    return true;
  }
  // CLIENT PAUSE: hold the command (client_admin.h), as Redis blocks the
  // client (BLOCKED_POSTPONE) before MULTI would queue it.
  // Why not replicas: they are never paused (their ACKs must flow).
  if (pause_end_ms && !(c.flags & kClientSlave) && PauseHoldsCommand(*this, c, *cmd)) return false;
  if ((c.flags & kClientMulti) && cmd->name != "exec" && cmd->name != "discard" &&
      cmd->name != "multi" && cmd->name != "watch" && cmd->name != "quit" && cmd->name != "reset") {
    QueueCommand(c, cmd);
    c.reply.Raw("+QUEUED\r\n");
    return true;
  }
  // Why not for a blocked command running again (a served BLPOP, a WAIT
  // that timed out): Redis sets woff only after a command it dispatched, so
  // the GETACK a WAIT caused does not count as this client's write.
  bool was_blocked = c.bstate != nullptr;
  Call(c, cmd);
  if (repl_ && !was_blocked) c.woff = repl_->master_offset();
  if (c.bstate && !(c.flags & kClientBlocked)) blocking_.Finished(c);
  // Why: Redis serves the clients blocked on keys this command made ready
  // right after it (handleClientsBlockedOnKeys in processCommand), so a
  // pipelined LPUSH + LLEN already sees the element taken.
  if (call_depth_ == 0 && blocking_.has_work()) blocking_.ServeReady();
  return true;
}

void Server::Call(Client& c, Command* cmd) {
  long long dirty_before = keyspace_->dirty;
  // Propagation flags are per call; a nested call (EXEC's commands) must
  // not see or leak its caller's.
  const uint64_t kPropFlags = kClientForceProp | kClientForcePropRepl | kClientPreventProp;
  uint64_t saved_prop_flags = c.flags & kPropFlags;
  c.flags &= ~kPropFlags;
  prev_err_count_ = stats.total_error_replies;
  Command* prev_cmd = c.cmd;
  c.cmd = cmd;
  int64_t start = base::MonotonicUs();
  int dbid = c.db_index;
  // A command running again after its client was woken (blocking.h) was
  // shown to MONITOR when it first ran.
  bool rerun = c.bstate != nullptr;
  call_depth_++;
  cmd->handler(c);
  call_depth_--;
  int64_t duration = base::MonotonicUs() - start;
  c.last_cmd = cmd;
  // Why: Redis's incrCommandStatsOnError: a command fails only by the
  // errors it replied itself; errors of nested calls (EXEC's queued
  // commands) were charged to those commands already.
  if (stats.total_error_replies > prev_err_count_) cmd->failed_calls++;
  prev_err_count_ = stats.total_error_replies;
  // Why: a command that blocked is counted (calls, time, slowlog) when it
  // is finally answered, as Redis's updateStatsOnUnblock.
  bool blocked = (c.flags & kClientBlocked) != 0;
  if (!blocked && !cmd->has(kCmdSkipSlowlog)) {
    LatencyAdd(cmd->has(kCmdFast) ? "fast-command" : "command",
               static_cast<uint64_t>(duration / 1000));
    long long slower = cfg().slowlog_log_slower_than;
    if (slower >= 0 && duration >= slower) SlowlogPush(c, duration);
  }
  if (!blocked) {
    cmd->calls++;
    cmd->usec += static_cast<uint64_t>(duration);
    stats.numcommands++;
    RecordCommandLatency(cmd, static_cast<int64_t>(duration));
  }
  // Why: the keys a read-only command fetched may now be cached by a
  // tracking client (Redis's call(): trackingRememberKeys).
  if ((c.flags & (kClientTracking | kClientTrackingBcast)) == kClientTracking &&
      cmd->has(kCmdReadonly))
    tracking_.RememberKeys(c);
  if (!rerun && !monitors.empty() && !cmd->has(kCmdSkipMonitor) && !cmd->has(kCmdAdmin))
    FeedMonitors(*this, c, dbid);
  if (propagator_.active() && cmd != exec_cmd_) {
    // The command itself, unless it emitted its own effect form (or
    // changed nothing and did not force propagation).
    // Why `>`: a save inside the command (SAVE, SHUTDOWN, FLUSHALL) resets
    // dirty; Redis's call() clamps the negative difference to no change.
    bool changed = keyspace_->dirty > dirty_before;
    if (!(c.flags & kClientPreventProp)) {
      int targets = (changed || (c.flags & kClientForceProp)) ? kPropagateAll
                    : (c.flags & kClientForcePropRepl)        ? kPropagateRepl
                                                              : 0;
      // Why direct at the top level with nothing pending: the command is
      // then the whole of what this call propagates (one command, never
      // wrapped), so the sinks can read argv in place instead of a copy.
      if (targets && call_depth_ == 0 && propagator_.pending() == 0) {
        propagator_.FeedNow(c.db_index, c.argv, targets);
      } else if (targets) {
        propagator_.Add(c.db_index, c.argv, targets);
      }
    }
  }
  c.flags = (c.flags & ~kPropFlags) | saved_prop_flags;
  // Why: what a whole top-level call produced goes out at its end, wrapped
  // in MULTI/EXEC when several commands (Redis's afterCommand), except for
  // commands that may expire arbitrary keys (SCAN, RANDOMKEY).
  if (call_depth_ == 0) {
    propagator_.Flush(!cmd->has(kCmdTouchesArbitraryKeys));
    // Invalidations for this client held while its command ran go after
    // its reply (Redis's afterCommand).
    if (tracking_.has_pending()) tracking_.HandlePending();
  }
  c.cmd = prev_cmd ? prev_cmd : cmd;
}

}  // namespace vireo::server

namespace vireo::server {

bool Server::RunLoadedCommand(Client& c, Command* cmd) {
  // Why no checks (ACL, OOM, MISCONF...): Redis's AOF loader calls the
  // command's proc directly; the file only holds what was executed. The
  // arity is checked all the same: handlers rely on it, and a damaged file
  // must not crash the server.
  int argc = static_cast<int>(c.argv.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity || !cmd->handler) return false;
  if ((c.flags & kClientMulti) && cmd != exec_cmd_) {
    QueueCommand(c, cmd);
    return true;
  }
  Client* prev = current_client_;
  current_client_ = &c;
  Command* prev_cmd = c.cmd;
  c.cmd = cmd;
  call_depth_++;
  cmd->handler(c);
  call_depth_--;
  c.cmd = prev_cmd;
  current_client_ = prev;
  // Nothing may stay pending: the sinks are detached while loading.
  if (call_depth_ == 0) propagator_.Flush(false);
  return true;
}

}  // namespace vireo::server
