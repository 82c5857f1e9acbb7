// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE (server/snapshot.h
// does the work) and DUMP / RESTORE (the payload codec is
// src/persistence/rdb_save.h / rdb_load.h), as Redis 7.0.15's rdb.c and
// cluster.c answer them.
#include <string>

#include "base/ascii.h"
#include "commands/common.h"
#include "commands/registry.h"
#include "engine/lru.h"
#include "engine/value.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "server/acl.h"
#include "server/server.h"
#include "server/snapshot.h"

namespace vireo::commands {
namespace {

using engine::Entry;
using server::Client;

// Redis's shared.err: a bare "-ERR" when a save fails (the log says why).
constexpr std::string_view kBareErr = "ERR";

void CmdSave(Client& c) {
  server::Snapshotter& s = g_server->snapshots();
  // Why only a BGSAVE child: SAVE runs in the foreground next to an AOF
  // rewrite (Redis checks child_type == CHILD_TYPE_RDB).
  if (s.child_running()) return Err(c, "ERR Background save already in progress");
  if (s.SaveForeground()) {
    c.reply.Ok();
  } else {
    Err(c, kBareErr);
  }
}

void CmdBgsave(Client& c) {
  bool schedule = false;
  if (c.argv.size() > 1) {
    if (c.argv.size() == 2 && base::EqNoCase(c.argv[1], "schedule")) {
      schedule = true;
    } else {
      return ErrSyntax(c);
    }
  }
  server::Snapshotter& s = g_server->snapshots();
  // Why MULTI schedules: Redis does not fork inside EXEC (server.in_exec);
  // SCHEDULE waits for another kind of child (an AOF rewrite) to end.
  bool in_exec = c.flags & server::kClientMulti;
  if (s.child_running()) {
    Err(c, "ERR Background save already in progress");
  } else if (g_server->child().active() || in_exec) {
    if (schedule || in_exec) {
      s.bgsave_scheduled = true;
      c.reply.Simple("Background saving scheduled");
    } else {
      Err(c,
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
          "schedule a BGSAVE whenever possible.");
    }
  } else if (s.StartBackgroundSave()) {
    c.reply.Simple("Background saving started");
  } else {
    Err(c, kBareErr);
  }
}

// Redis's bgrewriteaofCommand.
void CmdBgrewriteaof(Client& c) {
  server::Aof& aof = g_server->aof();
  bool in_exec = c.flags & server::kClientMulti;
  if (aof.child_running()) {
    Err(c, "ERR Background append only file rewriting already in progress");
  } else if (g_server->child().active() || in_exec) {
    aof.rewrite_scheduled = true;
    // Why: a manual rewrite lifts the retry limit of failed automatic ones.
    aof.ResetRewriteFailures();
    c.reply.Simple("Background append only file rewriting scheduled");
  } else if (aof.StartRewrite()) {
    c.reply.Simple("Background append only file rewriting started");
  } else {
    Err(c, "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  }
}

void CmdLastsave(Client& c) { c.reply.Int(g_server->snapshots().lastsave); }

void CmdDump(Client& c) {
  Entry* e = KS().Find(c.db_index, c.argv[1]);
  if (!e) return c.reply.Null();
  c.reply.Bulk(persistence::rdb::DumpPayload(e, g_server->cfg().rdbcompression));
}

// Whether RESTORE validates the payload deeply (sanitize-dump-payload):
// "clients" exempts the master link and users with skip-sanitize-payload.
bool DeepSanitize(const Client& c) {
  int mode = g_server->cfg().sanitize_dump_payload;
  if (mode == 1) return true;
  if (mode != 2) return false;
  if (c.user && (c.user->flags & server::acl::kUserSkipSanitize)) return false;
  return true;
}

void CmdRestore(Client& c) {
  int64_t lfu_freq = -1, lru_idle = -1;
  bool replace = false, absttl = false;
  for (size_t j = 4; j < c.argv.size(); j++) {
    size_t additional = c.argv.size() - j - 1;
    std::string_view a = c.argv[j];
    if (base::EqNoCase(a, "replace")) {
      replace = true;
    } else if (base::EqNoCase(a, "absttl")) {
      absttl = true;
    } else if (base::EqNoCase(a, "idletime") && additional >= 1 && lfu_freq == -1) {
      if (!ParseInt(c, c.argv[j + 1], &lru_idle)) return;
      if (lru_idle < 0) return Err(c, "ERR Invalid IDLETIME value, must be >= 0");
      j++;
    } else if (base::EqNoCase(a, "freq") && additional >= 1 && lru_idle == -1) {
      if (!ParseInt(c, c.argv[j + 1], &lfu_freq)) return;
      if (lfu_freq < 0 || lfu_freq > 255) return Err(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
      j++;
    } else {
      return ErrSyntax(c);
    }
  }
  // Why this order (BUSYKEY, then the TTL, then the payload): Redis's.
  std::string_view key = c.argv[1];
  if (!replace && KS().Find(c.db_index, key, engine::kLookupWrite)) {
    return Err(c, "BUSYKEY Target key name already exists.");
  }
  int64_t ttl;
  if (!ParseInt(c, c.argv[2], &ttl)) return;
  if (ttl < 0) return Err(c, "ERR Invalid TTL value, must be >= 0");
  std::string_view payload = c.argv[3];
  if (!persistence::rdb::VerifyDumpPayload(payload, true, nullptr)) {
    return Err(c, "ERR DUMP payload version or checksum are wrong");
  }
  persistence::rdb::LoadOptions lo;
  lo.deep = DeepSanitize(c);
  lo.sanitizations = &g_server->stats.dump_payload_sanitizations;
  engine::Keyspace& ks = KS();
  Entry* e = persistence::rdb::ReadDumpPayload(payload, key, ks.options(), lo);
  if (!e) return Err(c, "ERR Bad data format");
  int64_t when = -1;
  if (ttl) when = absttl ? ttl : ttl + ks.options().now_ms;
  if (!engine::SetLruOrLfu(e, lfu_freq, lru_idle, ks.options())) e->lru = engine::NewObjectLru(ks.options());
  bool deleted;
  engine::OpStatus st = ks.Restore(c.db_index, e, when, replace, &deleted);
  if (st == engine::OpStatus::kSkipped) {
    // An already-expired TTL: what was replaced is propagated as a DEL.
    if (deleted) PropagateAs(c, {"DEL", key});
    return c.reply.Ok();
  }
  if (ttl && !absttl) {
    // Why: replicas and the AOF get the absolute time (rewritten argv).
    std::string abs = std::to_string(when);
    std::vector<std::string_view> v(c.argv.begin(), c.argv.end());
    v[2] = abs;
    v.emplace_back("ABSTTL");
    PropagateAs(c, v);
  }
  c.reply.Ok();
}

}  // namespace

void RegisterPersistenceFamily(server::CommandTable& t) {
  t.Register("save", CmdSave);
  t.Register("bgsave", CmdBgsave);
  t.Register("bgrewriteaof", CmdBgrewriteaof);
  t.Register("lastsave", CmdLastsave);
  t.Register("dump", CmdDump);
  t.Register("restore", CmdRestore);
  // Why the same handler: RESTORE-ASKING is RESTORE flagged "asking", so
  // it runs in a slot being imported (MIGRATE sends it in cluster mode).
  t.Register("restore-asking", CmdRestore);
}

}  // namespace vireo::commands
