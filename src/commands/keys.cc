// Generic keyspace commands (Redis db.c, expire.c, object.c): DEL UNLINK
// EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE TOUCH EXPIRE
// PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST and
// OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP.
//
// These work on any value type; the Keyspace (engine/keyspace.h) does the
// moving, copying and expiring. Lookups use the same LOOKUP_* flags Redis
// uses, so hit/miss stats, LRU/LFU touches and lazy expiry happen exactly
// where they do in Redis. The EXPIRE family is propagated as PEXPIREAT with
// an absolute time (or DEL/UNLINK when the time is already past).
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/glob.h"
#include "commands/common.h"
#include "commands/scan.h"
#include "engine/lru.h"
#include "engine/types/string.h"

namespace vireo::commands {
namespace {

using engine::Entry;
using engine::kLookupNoTouch;
using engine::kLookupRead;

// Redis's getIntFromObjectOrReply: with `msg` empty the two stock errors.
bool ParseInt32(Client& c, std::string_view s, int* out, std::string_view msg = {}) {
  int64_t v;
  if (!base::StringToInt64(s, &v)) {
    Err(c, msg.empty() ? server::err::kNotInt : msg);
    return false;
  }
  if (v < INT_MIN || v > INT_MAX) {
    Err(c, msg.empty() ? server::err::kIntRange : msg);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

std::string_view TypeNameOf(const Entry* e) { return e ? engine::TypeName(e->otype()) : "none"; }

// ------------------------------------------------------------ DEL UNLINK EXISTS TYPE

void DelGeneric(Client& c, bool lazy) {
  engine::Keyspace& ks = KS();
  int64_t deleted = 0;
  for (size_t j = 1; j < c.argv.size(); j++) {
    // Why: an expired key is removed as an expiry (stats, DEL propagation),
    // not counted as deleted by this command — Redis's expireIfNeeded first.
    ks.ExpireIfNeeded(c.db_index, c.argv[j]);
    if (ks.Delete(c.db_index, c.argv[j], lazy)) deleted++;
  }
  c.reply.Int(deleted);
}

void CmdDel(Client& c) { DelGeneric(c, KS().options().lazyfree_lazy_user_del); }
void CmdUnlink(Client& c) { DelGeneric(c, true); }

void CmdExists(Client& c) {
  int64_t count = 0;
  for (size_t j = 1; j < c.argv.size(); j++)
    if (KS().Find(c.db_index, c.argv[j], kLookupNoTouch)) count++;
  c.reply.Int(count);
}

void CmdType(Client& c) { c.reply.Simple(TypeNameOf(KS().Find(c.db_index, c.argv[1], kLookupNoTouch))); }

// ------------------------------------------------------------ KEYS SCAN RANDOMKEY

void CmdKeys(Client& c) {
  std::string_view pattern = c.argv[1];
  bool allkeys = pattern == "*";
  engine::Keyspace& ks = KS();
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  ks.db(c.db_index).keys().ForEach([&](Entry* e) {
    std::string_view key = e->key();
    if (!allkeys && !base::GlobMatch(pattern, key, false)) return;
    // Why: KEYS hides logically expired keys but does not delete them.
    if (ks.IsExpired(c.db_index, e)) return;
    c.reply.Bulk(key);
    n++;
  });
  c.reply.EndDeferredArray(d, n);
}

void CmdScan(Client& c) {
  uint64_t cursor;
  if (!ParseScanCursor(c, c.argv[1], &cursor)) return;
  ScanOptions opt;
  if (!ParseScanOptions(c, 2, /*allow_type=*/true, &opt)) return;
  int64_t count = opt.count;
  std::string_view pat = opt.pattern;
  bool use_pattern = opt.use_pattern;
  bool has_type = opt.has_type;
  std::string_view type = opt.type;

  std::vector<std::string> keys;
  engine::Keyspace& ks = KS();
  cursor = ks.ScanKeys(c.db_index, cursor, count, &keys);

  size_t out = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    const std::string& k = keys[i];
    if (use_pattern && !base::GlobMatch(pat, k, false)) continue;
    if (has_type) {
      // Why: Redis checks the type with a real read lookup (stats counted,
      // an expired key is deleted and then reads as "none").
      Entry* e = ks.Find(c.db_index, k, kLookupNoTouch);
      if (!EqNoCase(type, TypeNameOf(e))) continue;
    }
    if (ks.ExpireIfNeeded(c.db_index, k)) continue;
    if (out != i) keys[out] = std::move(keys[i]);
    out++;
  }
  keys.resize(out);

  c.reply.ArrayLen(2);
  c.reply.BulkInt(static_cast<int64_t>(cursor));
  c.reply.ArrayLen(static_cast<int64_t>(keys.size()));
  for (const std::string& k : keys) c.reply.Bulk(k);
}

void CmdRandomKey(Client& c) {
  std::string key;
  if (KS().RandomKey(c.db_index, &key))
    c.reply.Bulk(key);
  else
    c.reply.Null();
}

// ------------------------------------------------------------ RENAME COPY MOVE

void RenameGeneric(Client& c, bool nx) {
  OpStatus st = KS().Rename(c.db_index, c.argv[1], c.argv[2], nx);
  if (st == OpStatus::kNotFound) return ErrStatus(c, st);
  if (nx)
    c.reply.Int(st == OpStatus::kOk ? 1 : 0);
  else
    c.reply.Ok();
}

void CmdRename(Client& c) { RenameGeneric(c, false); }
void CmdRenameNx(Client& c) { RenameGeneric(c, true); }

void CmdCopy(Client& c) {
  int srcid = c.db_index, dbid = c.db_index;
  bool replace = false;
  for (size_t j = 3; j < c.argv.size(); j++) {
    size_t additional = c.argv.size() - j - 1;
    if (EqNoCase(c.argv[j], "replace")) {
      replace = true;
    } else if (EqNoCase(c.argv[j], "db") && additional >= 1) {
      if (!ParseInt32(c, c.argv[j + 1], &dbid)) return;
      if (!KS().valid_db(dbid)) return ErrStatus(c, OpStatus::kDbOutOfRange);
      j++;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  if (g_server->cfg().cluster_enabled && (srcid != 0 || dbid != 0)) {
    Err(c, server::err::kCopyDbInCluster);
    return;
  }
  OpStatus st = KS().Copy(srcid, c.argv[1], dbid, c.argv[2], replace);
  if (st == OpStatus::kSameObject || st == OpStatus::kUnknownType) return ErrStatus(c, st);
  c.reply.Int(st == OpStatus::kOk ? 1 : 0);
}

void CmdMove(Client& c) {
  if (g_server->cfg().cluster_enabled) {
    Err(c, server::err::kMoveInCluster);
    return;
  }
  int dbid;
  if (!ParseInt32(c, c.argv[2], &dbid)) return;
  if (!KS().valid_db(dbid)) return ErrStatus(c, OpStatus::kDbOutOfRange);
  OpStatus st = KS().Move(c.db_index, c.argv[1], dbid);
  if (st == OpStatus::kSameObject) return ErrStatus(c, st);
  c.reply.Int(st == OpStatus::kOk ? 1 : 0);
}

void CmdTouch(Client& c) {
  int64_t touched = 0;
  for (size_t j = 1; j < c.argv.size(); j++)
    if (KS().Find(c.db_index, c.argv[j], kLookupRead)) touched++;
  c.reply.Int(touched);
}

// ------------------------------------------------------------ EXPIRE family

using engine::kExpireGt;
using engine::kExpireLt;
using engine::kExpireNx;
using engine::kExpireXx;

// Redis's parseExtendedExpireArgumentsOrReply.
bool ParseExpireFlags(Client& c, int* flags) {
  for (size_t j = 3; j < c.argv.size(); j++) {
    std::string_view opt = c.argv[j];
    if (EqNoCase(opt, "nx"))
      *flags |= kExpireNx;
    else if (EqNoCase(opt, "xx"))
      *flags |= kExpireXx;
    else if (EqNoCase(opt, "gt"))
      *flags |= kExpireGt;
    else if (EqNoCase(opt, "lt"))
      *flags |= kExpireLt;
    else {
      Err(c, server::err::UnsupportedOption(opt));
      return false;
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    Err(c, server::err::kExpireNxAndOthers);
    return false;
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    Err(c, server::err::kExpireGtAndLt);
    return false;
  }
  return true;
}

// Redis's expireGenericCommand. basetime: now for the relative forms, 0 for
// the absolute ones. `is_pexpireat` keeps argv as is for propagation.
void ExpireGeneric(Client& c, int64_t basetime, bool seconds, bool is_pexpireat) {
  std::string_view key = c.argv[1];
  int flags = 0;
  if (!ParseExpireFlags(c, &flags)) return;
  int64_t when;
  if (!ParseInt(c, c.argv[2], &when)) return;
  auto bad = [&c] { Err(c, server::err::InvalidExpireTime(CmdName(c))); };
  // Why: negative values are allowed; only overflow of the unit conversion
  // or of the base time addition is an error.
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
      bad();
      return;
    }
    when *= 1000;
  }
  if (when > LLONG_MAX - basetime) {
    bad();
    return;
  }
  when += basetime;

  engine::Keyspace& ks = KS();
  bool deleted = false;
  OpStatus st = ks.Expire(c.db_index, key, when, flags, &deleted);
  if (st != OpStatus::kOk) return c.reply.Int(0);
  c.reply.Int(1);
  if (deleted) {
    // Why: a time in the past deletes the key now, and replicas/AOF get an
    // explicit DEL (UNLINK with lazyfree-lazy-expire), as Redis does.
    PropagateAs(c, {ks.options().lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
  } else if (!is_pexpireat) {
    // Why: Redis 7.0 propagates every form as PEXPIREAT <absolute ms>
    // (keeping the NX/XX/GT/LT arguments), so replicas agree on the deadline.
    char ms[base::kLongStrSize];
    std::vector<std::string_view> v{"PEXPIREAT", key, {ms, base::Int64ToChars(when, ms)}};
    for (size_t j = 3; j < c.argv.size(); j++) v.push_back(c.argv[j]);
    PropagateAs(c, v);
  }
}

void CmdExpire(Client& c) { ExpireGeneric(c, KS().options().now_ms, true, false); }
void CmdPExpire(Client& c) { ExpireGeneric(c, KS().options().now_ms, false, false); }
void CmdExpireAt(Client& c) { ExpireGeneric(c, 0, true, false); }
void CmdPExpireAt(Client& c) { ExpireGeneric(c, 0, false, true); }

// Redis's ttlGenericCommand.
void TtlGeneric(Client& c, bool output_ms, bool output_abs) {
  Entry* e = KS().Find(c.db_index, c.argv[1], kLookupNoTouch);
  if (!e) {
    c.reply.Int(-2);
    return;
  }
  int64_t expire = KS().GetExpire(c.db_index, e);
  if (expire == -1) {
    c.reply.Int(-1);
    return;
  }
  int64_t ttl = output_abs ? expire : expire - KS().options().now_ms;
  if (ttl < 0) ttl = 0;
  // Why: Redis rounds with (ttl+500)/1000; do it unsigned so a TTL near
  // LLONG_MAX gives the same digits without signed overflow.
  c.reply.Int(output_ms ? ttl : static_cast<int64_t>((static_cast<uint64_t>(ttl) + 500) / 1000));
}

void CmdTtl(Client& c) { TtlGeneric(c, false, false); }
void CmdPTtl(Client& c) { TtlGeneric(c, true, false); }
void CmdExpireTime(Client& c) { TtlGeneric(c, false, true); }
void CmdPExpireTime(Client& c) { TtlGeneric(c, true, true); }

void CmdPersist(Client& c) { c.reply.Int(KS().Persist(c.db_index, c.argv[1]) ? 1 : 0); }

// ------------------------------------------------------------ OBJECT

// Redis's objectCommandLookupOrReply: no LRU touch, stats counted, no
// keymiss event (LOOKUP_NONOTIFY).
Entry* ObjectLookup(Client& c) {
  Entry* e = KS().Find(c.db_index, c.argv[2], kLookupNoTouch | engine::kLookupNoNotify);
  if (!e) c.reply.Null();
  return e;
}

void CmdObjectEncoding(Client& c) {
  Entry* e = ObjectLookup(c);
  if (e) c.reply.Bulk(engine::EncodingName(e->encoding()));
}


void CmdObjectRefcount(Client& c) {
  Entry* e = ObjectLookup(c);
  // Why: shared objects report INT_MAX (OBJ_SHARED_REFCOUNT).
  if (e) c.reply.Int(engine::str::IsSharedInteger(e, KS().options()) ? INT_MAX : 1);
}

void CmdObjectIdletime(Client& c) {
  Entry* e = ObjectLookup(c);
  if (!e) return;
  if (KS().options().lfu()) {
    Err(c, server::err::kLfuIdletime);
    return;
  }
  c.reply.Int(static_cast<int64_t>(engine::EstimateIdleTimeMs(e, KS().options()) / 1000));
}

void CmdObjectFreq(Client& c) {
  Entry* e = ObjectLookup(c);
  if (!e) return;
  if (!KS().options().lfu()) {
    Err(c, server::err::kNoLfuFreq);
    return;
  }
  c.reply.Int(static_cast<int64_t>(engine::LfuDecrAndReturn(e, KS().options())));
}

void CmdObjectHelp(Client& c) {
  static const char* const kHelp[] = {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      nullptr,
  };
  ReplyHelp(c, kHelp);
}

}  // namespace

void RegisterKeysFamily(server::CommandTable& t) {
  t.Register("del", CmdDel);
  t.Register("unlink", CmdUnlink);
  t.Register("exists", CmdExists);
  t.Register("type", CmdType);
  t.Register("keys", CmdKeys);
  t.Register("scan", CmdScan);
  t.Register("randomkey", CmdRandomKey);
  t.Register("rename", CmdRename);
  t.Register("renamenx", CmdRenameNx);
  t.Register("copy", CmdCopy);
  t.Register("move", CmdMove);
  t.Register("touch", CmdTouch);
  t.Register("expire", CmdExpire);
  t.Register("pexpire", CmdPExpire);
  t.Register("expireat", CmdExpireAt);
  t.Register("pexpireat", CmdPExpireAt);
  t.Register("ttl", CmdTtl);
  t.Register("pttl", CmdPTtl);
  t.Register("expiretime", CmdExpireTime);
  t.Register("pexpiretime", CmdPExpireTime);
  t.Register("persist", CmdPersist);
  t.Register("object|encoding", CmdObjectEncoding);
  t.Register("object|freq", CmdObjectFreq);
  t.Register("object|idletime", CmdObjectIdletime);
  t.Register("object|refcount", CmdObjectRefcount);
  t.Register("object|help", CmdObjectHelp);
}

}  // namespace vireo::commands
