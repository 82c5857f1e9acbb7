// MULTI EXEC DISCARD WATCH UNWATCH (Redis multi.c).
//
// Queueing happens in Server::ProcessCommand; EXEC runs each queued command
// through Server::Call so commandstats, slowlog and propagation see them as
// Redis does, wrapping propagated writes in MULTI ... EXEC.
#include "commands/common.h"

namespace vireo::commands {
namespace {

void DiscardTransaction(Client& c) {
  c.mstate.clear();
  c.flags &= ~(server::kClientMulti | server::kClientDirtyCas | server::kClientDirtyExec);
  server::UnwatchAllKeys(c);
}

void CmdMulti(Client& c) {
  if (c.flags & server::kClientMulti) {
    Err(c, "ERR MULTI calls can not be nested");
    return;
  }
  c.flags |= server::kClientMulti;
  c.reply.Ok();
}

void CmdDiscard(Client& c) {
  if (!(c.flags & server::kClientMulti)) {
    Err(c, "ERR DISCARD without MULTI");
    return;
  }
  DiscardTransaction(c);
  c.reply.Ok();
}


void CmdExec(Client& c) {
  if (!(c.flags & server::kClientMulti)) {
    Err(c, "ERR EXEC without MULTI");
    return;
  }
  // Why: Redis 7.0 aborts when a WATCHed key expired after WATCH.
  if (server::IsWatchedKeyExpired(c)) c.flags |= server::kClientDirtyCas;
  if (c.flags & (server::kClientDirtyCas | server::kClientDirtyExec)) {
    if (c.flags & server::kClientDirtyExec)
      Err(c, server::err::kExecAbort);
    else
      c.reply.NullArray();
    DiscardTransaction(c);
    return;
  }
  server::UnwatchAllKeys(c);
  std::vector<server::QueuedCommand> queue = std::move(c.mstate);
  c.mstate.clear();
  c.flags &= ~server::kClientMulti;
  std::vector<std::string_view> saved_argv = std::move(c.argv);
  server::Command* exec_cmd = c.cmd;
  c.reply.ArrayLen(static_cast<int64_t>(queue.size()));
  bool multi_emitted = false;
  int start_db = c.db_index;
  for (auto& q : queue) {
    c.argv.assign(q.argv.begin(), q.argv.end());
    long long dirty_before = g_server->dirty;
    if (!multi_emitted && (q.cmd->has(server::kCmdWrite) || q.cmd->has(server::kCmdMayReplicate))) {
      // Propagate MULTI lazily, before the first write (Redis 7.0 wraps
      // the transaction's effects in MULTI/EXEC).
      (void)dirty_before;
      std::vector<std::string_view> m{"MULTI"};
      g_server->Propagate(c.db_index, m);
      multi_emitted = true;
    }
    g_server->Call(c, q.cmd);
  }
  (void)start_db;
  if (multi_emitted) {
    std::vector<std::string_view> e{"EXEC"};
    g_server->Propagate(c.db_index, e);
  }
  c.argv = std::move(saved_argv);
  c.cmd = exec_cmd;
  c.flags &= ~(server::kClientDirtyCas | server::kClientDirtyExec);
}

void CmdWatch(Client& c) {
  if (c.flags & server::kClientMulti) {
    Err(c, "ERR WATCH inside MULTI is not allowed");
    return;
  }
  // Why: no point in watching if the client is already dirty.
  if (c.flags & server::kClientDirtyCas) {
    c.reply.Ok();
    return;
  }
  for (size_t j = 1; j < c.argv.size(); j++) server::WatchKey(c, c.argv[j]);
  c.reply.Ok();
}

void CmdUnwatch(Client& c) {
  server::UnwatchAllKeys(c);
  c.flags &= ~server::kClientDirtyCas;
  c.reply.Ok();
}

}  // namespace

void RegisterTransactionFamily(server::CommandTable& t) {
  t.Register("multi", CmdMulti);
  t.Register("exec", CmdExec);
  t.Register("discard", CmdDiscard);
  t.Register("watch", CmdWatch);
  t.Register("unwatch", CmdUnwatch);
}

}  // namespace vireo::commands
