// Generic keyspace commands (Redis db.c, expire.c, object.c): DEL UNLINK
// EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX COPY MOVE TOUCH EXPIRE
// PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST and
// OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP.
//
// These work on any value type: values move between keys and databases as
// whole entries (RekeyEntry / Db::Unlink + Add), and COPY duplicates through
// DupEntry, which aggregate types extend. Lookups go through the keyspace
// layer with the same LOOKUP_* flags Redis uses, so hit/miss stats, LRU/LFU
// touches and lazy expiry happen exactly where they do in Redis. The EXPIRE
// family is propagated as PEXPIREAT with an absolute time (or DEL/UNLINK
// when the time is already past), through c.rewritten_argv.
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/glob.h"
#include "commands/common.h"

namespace vireo::commands {
namespace {

using engine::Db;
using engine::Entry;
using server::LookupKey;

constexpr std::string_view kIntRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";

// Redis's getIntFromObjectOrReply: with `msg` empty the two stock errors.
bool ParseInt32(Client& c, std::string_view s, int* out, std::string_view msg = {}) {
  int64_t v;
  if (!base::StringToInt64(s, &v)) {
    Err(c, msg.empty() ? server::err::kNotInt : msg);
    return false;
  }
  if (v < INT_MIN || v > INT_MAX) {
    Err(c, msg.empty() ? kIntRange : msg);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Redis's selectDb range check (the target of COPY DB / MOVE).
Db* DbByIndex(int id) {
  if (id < 0 || id >= g_server->num_dbs()) return nullptr;
  return g_server->db(id);
}

std::string_view TypeNameOf(const Entry* e) { return e ? engine::TypeName(e->otype()) : "none"; }

// ------------------------------------------------------------ DEL UNLINK EXISTS TYPE

void DelGeneric(Client& c, bool lazy) {
  int64_t deleted = 0;
  for (size_t j = 1; j < c.argv.size(); j++) {
    // Why: an expired key is removed as an expiry (stats, DEL propagation),
    // not counted as deleted by this command — Redis's expireIfNeeded first.
    server::ExpireIfNeeded(c.db, c.argv[j]);
    if (server::DeleteKey(c, c.db, c.argv[j], lazy)) {
      Dirty();
      deleted++;
    }
  }
  c.reply.Int(deleted);
}

void CmdDel(Client& c) { DelGeneric(c, g_server->cfg().lazyfree_lazy_user_del); }
void CmdUnlink(Client& c) { DelGeneric(c, true); }

void CmdExists(Client& c) {
  int64_t count = 0;
  for (size_t j = 1; j < c.argv.size(); j++)
    if (LookupKey(c, c.db, c.argv[j], server::kLookupNoTouch)) count++;
  c.reply.Int(count);
}

void CmdType(Client& c) {
  Entry* e = LookupKey(c, c.db, c.argv[1], server::kLookupNoTouch);
  c.reply.Simple(TypeNameOf(e));
}

// ------------------------------------------------------------ KEYS SCAN RANDOMKEY

void CmdKeys(Client& c) {
  std::string_view pattern = c.argv[1];
  bool allkeys = pattern == "*";
  Db* db = c.db;
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  db->keys().ForEach([&](Entry* e) {
    std::string_view key = e->key();
    if (!allkeys && !base::GlobMatch(pattern, key, false)) return;
    // Why: KEYS hides logically expired keys but does not delete them.
    if (server::KeyIsExpired(db, e)) return;
    c.reply.Bulk(key);
    n++;
  });
  c.reply.EndDeferredArray(d, n);
}

// Redis's parseScanCursorOrReply: strtoul semantics ("" is 0, "-1" wraps,
// "+1" is 1) but no leading space, no trailing bytes, no overflow.
bool ParseScanCursor(Client& c, std::string_view arg, uint64_t* cursor) {
  std::string s(arg);
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  unsigned long v = strtoul(p, &end, 10);
  if (isspace(static_cast<unsigned char>(p[0])) || end[0] != '\0' || errno == ERANGE) {
    Err(c, "ERR invalid cursor");
    return false;
  }
  *cursor = v;
  return true;
}

void CmdScan(Client& c) {
  uint64_t cursor;
  if (!ParseScanCursor(c, c.argv[1], &cursor)) return;
  int64_t count = 10;
  std::string_view pat;
  bool use_pattern = false;
  bool has_type = false;
  std::string_view type;
  for (size_t i = 2; i < c.argv.size();) {
    size_t left = c.argv.size() - i;
    std::string_view opt = c.argv[i];
    if (EqNoCase(opt, "count") && left >= 2) {
      if (!ParseInt(c, c.argv[i + 1], &count)) return;
      if (count < 1) {
        ErrSyntax(c);
        return;
      }
      i += 2;
    } else if (EqNoCase(opt, "match") && left >= 2) {
      pat = c.argv[i + 1];
      use_pattern = pat != "*";
      i += 2;
    } else if (EqNoCase(opt, "type") && left >= 2) {
      type = c.argv[i + 1];
      has_type = true;
      i += 2;
    } else {
      ErrSyntax(c);
      return;
    }
  }

  std::vector<std::string> keys;
  Db* db = c.db;
  // Why: at most COUNT*10 bucket steps, so a sparse table cannot block the
  // server; the reply may then hold few or no keys. An empty table ends the
  // iteration (cursor 0) whatever cursor was given.
  int64_t maxiterations = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  do {
    cursor = db->keys().Scan(cursor, [&](Entry* e) { keys.emplace_back(e->key()); });
  } while (cursor && maxiterations-- && keys.size() < static_cast<uint64_t>(count));

  size_t out = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    const std::string& k = keys[i];
    if (use_pattern && !base::GlobMatch(pat, k, false)) continue;
    if (has_type) {
      // Why: Redis checks the type with a real read lookup (stats counted,
      // an expired key is deleted and then reads as "none").
      Entry* e = LookupKey(c, db, k, server::kLookupNoTouch);
      if (!EqNoCase(type, TypeNameOf(e))) continue;
    }
    if (server::ExpireIfNeeded(db, k)) continue;
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
  Db* db = c.db;
  int maxtries = 100;
  bool allvolatile = db->size() == db->expires_size();
  for (;;) {
    Entry* e = db->keys().RandomNode();
    if (!e) {
      c.reply.Null();
      return;
    }
    std::string key(e->key());
    if (e->has_expire()) {
      // Why: Redis's dbRandomKey guard — a replica does not delete expired
      // keys, so a db made only of expired keys would loop forever.
      if (allvolatile && !g_server->cfg().masterhost.empty() && --maxtries == 0) {
        c.reply.Bulk(key);
        return;
      }
      if (server::ExpireIfNeeded(db, key)) continue;
    }
    c.reply.Bulk(key);
    return;
  }
}

// ------------------------------------------------------------ RENAME COPY MOVE

void RenameGeneric(Client& c, bool nx) {
  std::string_view src = c.argv[1], dst = c.argv[2];
  bool samekey = src == dst;
  Entry* o = server::LookupWrite(c, src);
  if (!o) {
    Err(c, server::err::kNoKey);
    return;
  }
  // Why: renaming a key to itself is a no-op, but only once the source is
  // known to exist (a missing key still errors).
  if (samekey) {
    if (nx)
      c.reply.Int(0);
    else
      c.reply.Ok();
    return;
  }
  int64_t expire = c.db->GetExpire(o);
  if (server::LookupWrite(c, dst)) {
    if (nx) {
      c.reply.Int(0);
      return;
    }
    server::DeleteKey(c, c.db, dst, g_server->cfg().lazyfree_lazy_server_del);
  }
  Entry* e = c.db->Unlink(src);
  Entry* n = server::RekeyEntry(e, dst);
  c.db->Add(n);
  if (expire != -1) c.db->SetExpire(n, expire);
  server::SignalModifiedKey(c.db, src);
  server::SignalModifiedKey(c.db, dst);
  Dirty();
  if (nx)
    c.reply.Int(1);
  else
    c.reply.Ok();
}

void CmdRename(Client& c) { RenameGeneric(c, false); }
void CmdRenameNx(Client& c) { RenameGeneric(c, true); }

void CmdCopy(Client& c) {
  Db* src = c.db;
  Db* dst = c.db;
  int srcid = c.db_index, dbid = c.db_index;
  bool replace = false;
  for (size_t j = 3; j < c.argv.size(); j++) {
    size_t additional = c.argv.size() - j - 1;
    if (EqNoCase(c.argv[j], "replace")) {
      replace = true;
    } else if (EqNoCase(c.argv[j], "db") && additional >= 1) {
      if (!ParseInt32(c, c.argv[j + 1], &dbid)) return;
      dst = DbByIndex(dbid);
      if (!dst) {
        Err(c, server::err::kDbIndex);
        return;
      }
      j++;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  if (g_server->cfg().cluster_enabled && (srcid != 0 || dbid != 0)) {
    Err(c, "ERR Copying to another database is not allowed in cluster mode");
    return;
  }
  std::string_view key = c.argv[1], newkey = c.argv[2];
  if (src == dst && key == newkey) {
    Err(c, server::err::kSameObject);
    return;
  }
  Entry* o = server::LookupRead(c, key);
  if (!o) {
    c.reply.Int(0);
    return;
  }
  int64_t expire = src->GetExpire(o);
  bool del = false;
  if (LookupKey(c, dst, newkey, server::kLookupWrite)) {
    if (!replace) {
      c.reply.Int(0);
      return;
    }
    del = true;
  }
  Entry* n = server::DupEntry(o, newkey);
  if (!n) {
    Err(c, "ERR unknown type object");
    return;
  }
  if (del) server::DeleteKey(c, dst, newkey, g_server->cfg().lazyfree_lazy_server_del);
  dst->Add(n);
  if (expire != -1) dst->SetExpire(n, expire);
  server::SignalModifiedKey(dst, newkey);
  Dirty();
  c.reply.Int(1);
}

void CmdMove(Client& c) {
  if (g_server->cfg().cluster_enabled) {
    Err(c, "ERR MOVE is not allowed in cluster mode");
    return;
  }
  Db* src = c.db;
  int dbid;
  if (!ParseInt32(c, c.argv[2], &dbid)) return;
  Db* dst = DbByIndex(dbid);
  if (!dst) {
    Err(c, server::err::kDbIndex);
    return;
  }
  if (src == dst) {
    Err(c, server::err::kSameObject);
    return;
  }
  std::string_view key = c.argv[1];
  Entry* o = server::LookupWrite(c, key);
  if (!o) {
    c.reply.Int(0);
    return;
  }
  int64_t expire = src->GetExpire(o);
  if (LookupKey(c, dst, key, server::kLookupWrite)) {
    c.reply.Int(0);
    return;
  }
  // The entry itself moves: same key, same value, LRU kept.
  Entry* e = src->Unlink(key);
  dst->Add(e);
  if (expire != -1) dst->SetExpire(e, expire);
  server::SignalModifiedKey(src, key);
  server::SignalModifiedKey(dst, key);
  Dirty();
  c.reply.Int(1);
}

void CmdTouch(Client& c) {
  int64_t touched = 0;
  for (size_t j = 1; j < c.argv.size(); j++)
    if (server::LookupRead(c, c.argv[j])) touched++;
  c.reply.Int(touched);
}

// ------------------------------------------------------------ EXPIRE family

constexpr int kExpireNx = 1 << 0;
constexpr int kExpireXx = 1 << 1;
constexpr int kExpireGt = 1 << 2;
constexpr int kExpireLt = 1 << 3;

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
      Err(c, "ERR Unsupported option " + std::string(opt));
      return false;
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    Err(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    Err(c, "ERR GT and LT options at the same time are not compatible");
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
  auto bad = [&c] { Err(c, "ERR invalid expire time in '" + CmdName(c) + "' command"); };
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

  Entry* e = server::LookupWrite(c, key);
  if (!e) {
    c.reply.Int(0);
    return;
  }
  if (flags) {
    int64_t current = c.db->GetExpire(e);
    if ((flags & kExpireNx) && current != -1) {
      c.reply.Int(0);
      return;
    }
    if ((flags & kExpireXx) && current == -1) {
      c.reply.Int(0);
      return;
    }
    // Why: no TTL counts as an infinite one — GT always fails on it, LT
    // always passes.
    if ((flags & kExpireGt) && (when <= current || current == -1)) {
      c.reply.Int(0);
      return;
    }
    if ((flags & kExpireLt) && current != -1 && when >= current) {
      c.reply.Int(0);
      return;
    }
  }

  std::string k(key);
  bool already_expired = when <= g_server->now_ms() && g_server->cfg().masterhost.empty();
  if (already_expired) {
    // Why: a time in the past deletes the key now, and replicas/AOF get an
    // explicit DEL (UNLINK with lazyfree-lazy-expire), as Redis does.
    bool lazy = g_server->cfg().lazyfree_lazy_expire;
    server::DeleteKey(c, c.db, k, lazy);
    Dirty();
    c.rewritten_argv = {lazy ? "UNLINK" : "DEL", k};
    c.reply.Int(1);
    return;
  }
  c.db->SetExpire(e, when);
  c.reply.Int(1);
  // Why: Redis 7.0 propagates every form as PEXPIREAT <absolute ms> (keeping
  // the NX/XX/GT/LT arguments), so replicas agree on the deadline.
  if (!is_pexpireat) {
    c.rewritten_argv.clear();
    c.rewritten_argv.reserve(c.argv.size());
    c.rewritten_argv.emplace_back("PEXPIREAT");
    c.rewritten_argv.emplace_back(k);
    c.rewritten_argv.emplace_back(std::to_string(when));
    for (size_t j = 3; j < c.argv.size(); j++) c.rewritten_argv.emplace_back(c.argv[j]);
  }
  server::SignalModifiedKey(c.db, k);
  Dirty();
}

void CmdExpire(Client& c) { ExpireGeneric(c, g_server->now_ms(), true, false); }
void CmdPExpire(Client& c) { ExpireGeneric(c, g_server->now_ms(), false, false); }
void CmdExpireAt(Client& c) { ExpireGeneric(c, 0, true, false); }
void CmdPExpireAt(Client& c) { ExpireGeneric(c, 0, false, true); }

// Redis's ttlGenericCommand.
void TtlGeneric(Client& c, bool output_ms, bool output_abs) {
  Entry* e = LookupKey(c, c.db, c.argv[1], server::kLookupNoTouch);
  if (!e) {
    c.reply.Int(-2);
    return;
  }
  int64_t expire = c.db->GetExpire(e);
  if (expire == -1) {
    c.reply.Int(-1);
    return;
  }
  int64_t ttl = output_abs ? expire : expire - g_server->now_ms();
  if (ttl < 0) ttl = 0;
  // Why: Redis rounds with (ttl+500)/1000; do it unsigned so a TTL near
  // LLONG_MAX gives the same digits without signed overflow.
  c.reply.Int(output_ms ? ttl : static_cast<int64_t>((static_cast<uint64_t>(ttl) + 500) / 1000));
}

void CmdTtl(Client& c) { TtlGeneric(c, false, false); }
void CmdPTtl(Client& c) { TtlGeneric(c, true, false); }
void CmdExpireTime(Client& c) { TtlGeneric(c, false, true); }
void CmdPExpireTime(Client& c) { TtlGeneric(c, true, true); }

void CmdPersist(Client& c) {
  Entry* e = server::LookupWrite(c, c.argv[1]);
  if (e && c.db->RemoveExpire(e)) {
    server::SignalModifiedKey(c.db, c.argv[1]);
    Dirty();
    c.reply.Int(1);
    return;
  }
  c.reply.Int(0);
}

// ------------------------------------------------------------ OBJECT

// Redis's objectCommandLookupOrReply: no LRU touch, stats counted.
Entry* ObjectLookup(Client& c) {
  Entry* e = LookupKey(c, c.db, c.argv[2], server::kLookupNoTouch);
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
  if (e) c.reply.Int(server::IsSharedInteger(e) ? INT_MAX : 1);
}

void CmdObjectIdletime(Client& c) {
  Entry* e = ObjectLookup(c);
  if (!e) return;
  if (server::LfuPolicy()) {
    Err(c,
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    return;
  }
  c.reply.Int(static_cast<int64_t>(server::EstimateIdleTimeMs(e) / 1000));
}

void CmdObjectFreq(Client& c) {
  Entry* e = ObjectLookup(c);
  if (!e) return;
  if (!server::LfuPolicy()) {
    Err(c,
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
    return;
  }
  c.reply.Int(static_cast<int64_t>(server::LfuDecrAndReturn(e)));
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
