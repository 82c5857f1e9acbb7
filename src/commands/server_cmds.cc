// Database-level server commands (Redis db.c / server.c): DBSIZE FLUSHDB
// FLUSHALL SWAPDB TIME.
//
// FLUSH* and SWAPDB are the Keyspace's Flush/SwapDb (watchers are touched
// through its listener; ASYNC hands the old tables to the lazyfree thread).
#include <sys/time.h>

#include "commands/common.h"

namespace vireo::commands {
namespace {

void CmdDbSize(Client& c) { c.reply.Int(static_cast<int64_t>(KS().size(c.db_index))); }

// Redis's getFlushCommandFlags: [ASYNC|SYNC], default lazyfree-lazy-user-flush.
bool ParseFlushFlags(Client& c, bool* async) {
  if (c.argv.size() == 1) {
    *async = KS().options().lazyfree_lazy_user_flush;
  } else if (c.argv.size() == 2 && EqNoCase(c.argv[1], "sync")) {
    *async = false;
  } else if (c.argv.size() == 2 && EqNoCase(c.argv[1], "async")) {
    *async = true;
  } else {
    ErrSyntax(c);
    return false;
  }
  return true;
}

void CmdFlushDb(Client& c) {
  bool async;
  if (!ParseFlushFlags(c, &async)) return;
  KS().Flush(c.db_index, async);
  // Why: Redis forces FLUSHDB into the replication stream / AOF even when
  // the db was already empty (forceCommandPropagation).
  ForcePropagation(c);
  c.reply.Ok();
}

void CmdFlushAll(Client& c) {
  bool async;
  if (!ParseFlushFlags(c, &async)) return;
  KS().Flush(-1, async);
  // Redis's flushAllDataAndResetRDB: a running BGSAVE would write the old
  // data, so it is killed; with save points the empty dataset is saved now.
  server::Snapshotter& snap = g_server->snapshots();
  snap.KillChild();
  if (!g_server->cfg().save_params.empty()) snap.SaveForeground();
  // Why: as FLUSHDB, always propagated (forceCommandPropagation).
  ForcePropagation(c);
  c.reply.Ok();
}

void CmdSwapDb(Client& c) {
  if (g_server->cfg().cluster_enabled) {
    Err(c, server::err::kSwapdbInCluster);
    return;
  }
  int64_t id1, id2;
  // Why: getIntFromObjectOrReply with a custom message: any parse or int
  // range failure says "invalid first/second DB index".
  if (!base::StringToInt64(c.argv[1], &id1) || id1 < INT32_MIN || id1 > INT32_MAX) {
    Err(c, server::err::kFirstDbIndex);
    return;
  }
  if (!base::StringToInt64(c.argv[2], &id2) || id2 < INT32_MIN || id2 > INT32_MAX) {
    Err(c, server::err::kSecondDbIndex);
    return;
  }
  if (!KS().valid_db(id1) || !KS().valid_db(id2)) return ErrStatus(c, OpStatus::kDbOutOfRange);
  KS().SwapDb(static_cast<int>(id1), static_cast<int>(id2));
  c.reply.Ok();
}

void CmdTime(Client& c) {
  // Why: TIME reads the clock now, not the cached loop time.
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  c.reply.ArrayLen(2);
  c.reply.BulkInt(tv.tv_sec);
  c.reply.BulkInt(tv.tv_usec);
}

}  // namespace

void RegisterServerFamily(server::CommandTable& t) {
  t.Register("dbsize", CmdDbSize);
  t.Register("flushdb", CmdFlushDb);
  t.Register("flushall", CmdFlushAll);
  t.Register("swapdb", CmdSwapDb);
  t.Register("time", CmdTime);
}

}  // namespace vireo::commands
