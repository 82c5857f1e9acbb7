// Database-level server commands (Redis db.c / server.c): DBSIZE FLUSHDB
// FLUSHALL SWAPDB TIME.
//
// FLUSH* empty through server::EmptyData (watchers touched first, ASYNC
// hands the old tables to the lazyfree thread). SWAPDB exchanges the
// *contents* of two Db objects, so every client keeps its Db pointer and
// index while seeing the other dataset — Redis swaps the dicts inside its
// redisDb structs for the same reason.
#include <sys/time.h>

#include "commands/common.h"

namespace vireo::commands {
namespace {

void CmdDbSize(Client& c) { c.reply.Int(static_cast<int64_t>(c.db->size())); }

// Redis's getFlushCommandFlags: [ASYNC|SYNC], default lazyfree-lazy-user-flush.
bool ParseFlushFlags(Client& c, bool* async) {
  if (c.argv.size() == 1) {
    *async = g_server->cfg().lazyfree_lazy_user_flush;
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
  long long removed = server::EmptyData(c.db_index, async);
  // Why: Redis counts the removed keys as changes and forces FLUSHDB into
  // the replication stream / AOF even when the db was already empty
  // (forceCommandPropagation).
  Dirty(removed);
  c.force_propagate = true;
  c.reply.Ok();
}

void CmdFlushAll(Client& c) {
  bool async;
  if (!ParseFlushFlags(c, &async)) return;
  long long removed = server::EmptyData(-1, async);
  // Why: as FLUSHDB: the removed keys count as changes, and the command is
  // always propagated (forceCommandPropagation).
  Dirty(removed);
  c.force_propagate = true;
  c.reply.Ok();
}

void CmdSwapDb(Client& c) {
  if (g_server->cfg().cluster_enabled) {
    Err(c, "ERR SWAPDB is not allowed in cluster mode");
    return;
  }
  int64_t id1, id2;
  // Why: getIntFromObjectOrReply with a custom message: any parse or int
  // range failure says "invalid first/second DB index".
  if (!base::StringToInt64(c.argv[1], &id1) || id1 < INT32_MIN || id1 > INT32_MAX) {
    Err(c, "ERR invalid first DB index");
    return;
  }
  if (!base::StringToInt64(c.argv[2], &id2) || id2 < INT32_MIN || id2 > INT32_MAX) {
    Err(c, "ERR invalid second DB index");
    return;
  }
  int n = g_server->num_dbs();
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
    Err(c, server::err::kDbIndex);
    return;
  }
  if (id1 != id2) {
    engine::Db* db1 = g_server->db(static_cast<int>(id1));
    engine::Db* db2 = g_server->db(static_cast<int>(id2));
    // Why: a WATCHed key that exists on either side sees its value change.
    server::TouchAllWatchedKeysInDb(db1, db2);
    server::TouchAllWatchedKeysInDb(db2, db1);
    db1->SwapContent(*db2);
  }
  Dirty();
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
