// MULTI EXEC DISCARD WATCH UNWATCH (Redis multi.c).
//
// Queueing happens in Server::ProcessCommand; EXEC runs each queued command
// through Server::Call so commandstats, slowlog and propagation see them as
// Redis does. EXEC is one top-level call: what its commands propagate goes
// out at its end, wrapped in MULTI ... EXEC when there is more than one
// (propagation.h). WATCH state lives in server/watch.h.
#include "commands/common.h"
#include "server/acl.h"

namespace vireo::commands {
namespace {

void DiscardTransaction(Client& c) {
  c.mstate.clear();
  c.flags &= ~(server::kClientMulti | server::kClientDirtyCas | server::kClientDirtyExec);
  g_server->watches().UnwatchAll(c);
}

void CmdMulti(Client& c) {
  if (c.flags & server::kClientMulti) {
    Err(c, server::err::kNestedMulti);
    return;
  }
  c.flags |= server::kClientMulti;
  c.reply.Ok();
}

void CmdDiscard(Client& c) {
  if (!(c.flags & server::kClientMulti)) {
    Err(c, server::err::kDiscardWithoutMulti);
    return;
  }
  DiscardTransaction(c);
  c.reply.Ok();
}


void CmdExec(Client& c) {
  if (!(c.flags & server::kClientMulti)) {
    Err(c, server::err::kExecWithoutMulti);
    return;
  }
  // Why: Redis 7.0 aborts when a WATCHed key expired after WATCH.
  if (g_server->watches().AnyWatchedKeyExpired(c)) c.flags |= server::kClientDirtyCas;
  if (c.flags & (server::kClientDirtyCas | server::kClientDirtyExec)) {
    if (c.flags & server::kClientDirtyExec)
      Err(c, server::err::kExecAbort);
    else
      c.reply.NullArray();
    DiscardTransaction(c);
    return;
  }
  g_server->watches().UnwatchAll(c);
  std::vector<server::QueuedCommand> queue = std::move(c.mstate);
  c.mstate.clear();
  std::vector<std::string_view> saved_argv = std::move(c.argv);
  server::Command* exec_cmd = c.cmd;
  c.reply.ArrayLen(static_cast<int64_t>(queue.size()));
  // Why: inside EXEC a blocking command answers as if timed out at once
  // (Redis's CLIENT_DENY_BLOCKING).
  uint64_t deny = c.flags & server::kClientDenyBlocking;
  c.flags |= server::kClientDenyBlocking;
  for (auto& q : queue) {
    c.argv.assign(q.argv.begin(), q.argv.end());
    // Why: Redis checks the ACL again at EXEC, in case the rules changed
    // after the command was queued.
    if (c.user && !c.user->superuser) {
      int idx = 0;
      int r = server::acl::CheckCommand(*c.user, q.cmd, c.argv, &idx);
      if (r != server::acl::kOk) {
        server::Command* saved = c.cmd;
        c.cmd = q.cmd;
        server::acl::Get().Log(c, r, server::acl::kCtxMulti, idx, {}, {});
        c.cmd = saved;
        Err(c, server::acl::ExecNopermMessage(r));
        continue;
      }
    }
    g_server->Call(c, q.cmd);
  }
  c.flags = (c.flags & ~server::kClientDenyBlocking) | deny;
  // Why: Redis keeps CLIENT_MULTI set while EXEC runs the queue (until
  // discardTransaction); SUBSCRIBE/PSUBSCRIBE rely on it to be allowed there.
  c.flags &= ~server::kClientMulti;
  c.argv = std::move(saved_argv);
  c.cmd = exec_cmd;
  c.flags &= ~(server::kClientDirtyCas | server::kClientDirtyExec);
}

void CmdWatch(Client& c) {
  if (c.flags & server::kClientMulti) {
    Err(c, server::err::kWatchInMulti);
    return;
  }
  // Why: no point in watching if the client is already dirty.
  if (c.flags & server::kClientDirtyCas) {
    c.reply.Ok();
    return;
  }
  for (size_t j = 1; j < c.argv.size(); j++) g_server->watches().Watch(c, c.argv[j]);
  c.reply.Ok();
}

void CmdUnwatch(Client& c) {
  g_server->watches().UnwatchAll(c);
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
