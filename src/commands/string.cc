// String commands (Redis t_string.c): GET SET SETNX SETEX PSETEX GETSET
// GETDEL GETEX MGET MSET MSETNX APPEND STRLEN INCR DECR INCRBY DECRBY
// INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
//
// The handlers parse options and reply; the storing, encodings and change
// reports are engine/types/string.h's. Writes that Redis propagates in
// another form say so with PropagateAs (SET ... PXAT, GETSET and
// INCRBYFLOAT as SET, GETDEL as DEL, GETEX as PEXPIREAT/PERSIST/DEL).
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "commands/common.h"
#include "engine/types/string.h"

namespace vireo::commands {
namespace {

constexpr int kSetNx = 1 << 0;
constexpr int kSetXx = 1 << 1;
constexpr int kSetGet = 1 << 2;
constexpr int kKeepTtl = 1 << 3;
constexpr int kPersist = 1 << 4;
constexpr int kEx = 1 << 5;
constexpr int kPx = 1 << 6;
constexpr int kExAt = 1 << 7;
constexpr int kPxAt = 1 << 8;
constexpr int kExpireFlags = kEx | kPx | kExAt | kPxAt;

enum class CmdKind { kSet, kGet };

bool IsOpt2(std::string_view o, char a, char b) {
  return o.size() == 2 && (o[0] == a || o[0] == a + 32) && (o[1] == b || o[1] == b + 32);
}

// Redis's parseExtendedStringArgumentsOrReply.
bool ParseExtended(Client& c, size_t first, CmdKind kind, int* flags, std::string_view* expire) {
  for (size_t j = first; j < c.argv.size(); j++) {
    std::string_view opt = c.argv[j];
    bool has_next = j + 1 < c.argv.size();
    if (IsOpt2(opt, 'N', 'X') && !(*flags & kSetXx) && kind == CmdKind::kSet) {
      *flags |= kSetNx;
    } else if (IsOpt2(opt, 'X', 'X') && !(*flags & kSetNx) && kind == CmdKind::kSet) {
      *flags |= kSetXx;
    } else if (EqNoCase(opt, "GET") && kind == CmdKind::kSet) {
      *flags |= kSetGet;
    } else if (EqNoCase(opt, "KEEPTTL") && !(*flags & kPersist) && !(*flags & kExpireFlags) &&
               kind == CmdKind::kSet) {
      *flags |= kKeepTtl;
    } else if (EqNoCase(opt, "PERSIST") && kind == CmdKind::kGet && !(*flags & kExpireFlags) &&
               !(*flags & kKeepTtl)) {
      *flags |= kPersist;
    } else if (IsOpt2(opt, 'E', 'X') && !(*flags & (kKeepTtl | kPersist | kExAt | kPx | kPxAt)) &&
               has_next) {
      *flags |= kEx;
      *expire = c.argv[++j];
    } else if (IsOpt2(opt, 'P', 'X') && !(*flags & (kKeepTtl | kPersist | kEx | kExAt | kPxAt)) &&
               has_next) {
      *flags |= kPx;
      *expire = c.argv[++j];
    } else if (EqNoCase(opt, "EXAT") && !(*flags & (kKeepTtl | kPersist | kEx | kPx | kPxAt)) &&
               has_next) {
      *flags |= kExAt;
      *expire = c.argv[++j];
    } else if (EqNoCase(opt, "PXAT") && !(*flags & (kKeepTtl | kPersist | kEx | kExAt | kPx)) &&
               has_next) {
      *flags |= kPxAt;
      *expire = c.argv[++j];
    } else {
      ErrSyntax(c);
      return false;
    }
  }
  return true;
}

// SET ... GET is propagated without its GET arguments.
void PropagateWithoutGet(Client& c) {
  std::vector<std::string_view> v;
  v.reserve(c.argv.size());
  for (size_t j = 0; j < c.argv.size(); j++) {
    if (j >= 3 && EqNoCase(c.argv[j], "GET")) continue;
    v.push_back(c.argv[j]);
  }
  PropagateAs(c, v);
}

void ErrExpireTime(Client& c) { Err(c, server::err::InvalidExpireTime(CmdName(c))); }

// Redis's getExpireMillisecondsOrReply: absolute unix ms.
bool ExpireMs(Client& c, std::string_view arg, int flags, bool seconds, int64_t* out) {
  int64_t v;
  if (!ParseInt(c, arg, &v)) return false;
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
    ErrExpireTime(c);
    return false;
  }
  if (seconds) v *= 1000;
  if (flags & (kPx | kEx)) {
    if (__builtin_add_overflow(v, g_server->now_ms(), &v)) v = -1;
  }
  if (v <= 0) {
    ErrExpireTime(c);
    return false;
  }
  *out = v;
  return true;
}

// getGenericCommand: replies the value (or null); false on WRONGTYPE.
bool GetGeneric(Client& c) {
  char buf[32];
  auto r = engine::str::Get(KS(), c.db_index, c.argv[1], buf);
  if (r.status() == OpStatus::kNotFound) {
    c.reply.Null();
    return true;
  }
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return false;
  }
  c.reply.Bulk(*r);
  return true;
}

// setGenericCommand. ok/abort replies: nullptr = "+OK" / null.
void SetGeneric(Client& c, int flags, std::string_view key, std::string_view val,
                std::string_view expire, bool seconds, const char* ok_reply,
                const char* abort_reply) {
  int64_t when = 0;
  if ((flags & kExpireFlags) && !ExpireMs(c, expire, flags, seconds, &when)) return;
  if (flags & kSetGet) {
    if (!GetGeneric(c)) return;
  }
  engine::str::SetParams p;
  p.nx = flags & kSetNx;
  p.xx = flags & kSetXx;
  p.keep_ttl = flags & kKeepTtl;
  p.expire_at_ms = (flags & kExpireFlags) ? when : -1;
  if (engine::str::Set(KS(), c.db_index, key, val, p) == OpStatus::kSkipped) {
    if (!(flags & kSetGet)) {
      if (abort_reply)
        c.reply.Raw(abort_reply);
      else
        c.reply.Null();
    }
    return;
  }
  if (flags & kExpireFlags) {
    // Why: Redis 7.0 propagates a SET with a TTL as SET ... PXAT <ms>, so
    // replicas and the AOF agree on the deadline.
    char ms[base::kLongStrSize];
    PropagateAs(c, {"SET", key, val, "PXAT", {ms, base::Int64ToChars(when, ms)}});
  } else if (flags & kSetGet) {
    // Why: the GET option is dropped from what is propagated (every GET
    // argument, as Redis's setGenericCommand rebuilds argv without them).
    PropagateWithoutGet(c);
  }
  if (!(flags & kSetGet)) {
    if (ok_reply)
      c.reply.Raw(ok_reply);
    else
      c.reply.Ok();
  }
}

void CmdGet(Client& c) { GetGeneric(c); }

void CmdSet(Client& c) {
  int flags = 0;
  std::string_view expire;
  if (!ParseExtended(c, 3, CmdKind::kSet, &flags, &expire)) return;
  SetGeneric(c, flags, c.argv[1], c.argv[2], expire, flags & (kEx | kExAt), nullptr, nullptr);
}

void CmdSetNx(Client& c) { SetGeneric(c, kSetNx, c.argv[1], c.argv[2], {}, false, ":1\r\n", ":0\r\n"); }
void CmdSetEx(Client& c) { SetGeneric(c, kEx, c.argv[1], c.argv[3], c.argv[2], true, nullptr, nullptr); }
void CmdPSetEx(Client& c) { SetGeneric(c, kPx, c.argv[1], c.argv[3], c.argv[2], false, nullptr, nullptr); }

void CmdGetSet(Client& c) {
  if (!GetGeneric(c)) return;
  engine::str::Set(KS(), c.db_index, c.argv[1], c.argv[2], {});
  // Why: Redis propagates GETSET as SET (rewriteClientCommandArgument).
  PropagateAs(c, {"SET", c.argv[1], c.argv[2]});
}

void CmdGetDel(Client& c) {
  if (!GetGeneric(c)) return;
  bool lazy = KS().options().lazyfree_lazy_user_del;
  // Why: GETDEL is propagated as DEL (UNLINK with lazyfree-lazy-user-del).
  if (KS().Delete(c.db_index, c.argv[1], lazy)) PropagateAs(c, {lazy ? "UNLINK" : "DEL", c.argv[1]});
}

void CmdGetEx(Client& c) {
  int flags = 0;
  std::string_view expire;
  if (!ParseExtended(c, 2, CmdKind::kGet, &flags, &expire)) return;
  engine::Keyspace& ks = KS();
  std::string_view key = c.argv[1];
  char buf[32];
  auto r = engine::str::Get(ks, c.db_index, key, buf);
  if (r.status() == OpStatus::kNotFound) {
    c.reply.Null();
    return;
  }
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  int64_t when = 0;
  if ((flags & kExpireFlags) && !ExpireMs(c, expire, flags, flags & (kEx | kExAt), &when)) return;
  c.reply.Bulk(*r);
  if (flags & kExpireFlags) {
    // An absolute time already past deletes the key (propagated as
    // DEL/UNLINK); otherwise the TTL is propagated as PEXPIREAT.
    bool deleted = false;
    ks.Expire(c.db_index, key, when, 0, &deleted);
    if (deleted) {
      PropagateAs(c, {ks.options().lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
    } else {
      char ms[base::kLongStrSize];
      PropagateAs(c, {"PEXPIREAT", key, {ms, base::Int64ToChars(when, ms)}});
    }
  } else if (flags & kPersist) {
    if (ks.Persist(c.db_index, key)) PropagateAs(c, {"PERSIST", key});
  }
}

void CmdMGet(Client& c) {
  c.reply.ArrayLen(static_cast<int64_t>(c.argv.size() - 1));
  char buf[32];
  for (size_t j = 1; j < c.argv.size(); j++) {
    auto r = engine::str::Get(KS(), c.db_index, c.argv[j], buf);
    if (r.ok())
      c.reply.Bulk(*r);
    else
      c.reply.Null();
  }
}

void MSetGeneric(Client& c, bool nx) {
  if (c.argv.size() % 2 == 0) {
    Err(c, server::err::WrongArgs(CmdName(c)));
    return;
  }
  OpStatus st = engine::str::MSet(KS(), c.db_index, c.argv, 1, nx);
  if (nx)
    c.reply.Raw(st == OpStatus::kOk ? ":1\r\n" : ":0\r\n");
  else
    c.reply.Ok();
}

void CmdMSet(Client& c) { MSetGeneric(c, false); }
void CmdMSetNx(Client& c) { MSetGeneric(c, true); }

void CmdAppend(Client& c) {
  auto r = engine::str::Append(KS(), c.db_index, c.argv[1], c.argv[2]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(static_cast<int64_t>(*r));
}

void CmdStrlen(Client& c) {
  char buf[32];
  auto r = engine::str::Get(KS(), c.db_index, c.argv[1], buf);
  if (r.status() == OpStatus::kNotFound) return c.reply.Raw(":0\r\n");
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(static_cast<int64_t>(r->size()));
}

void IncrDecr(Client& c, int64_t incr) {
  auto r = engine::str::IncrBy(KS(), c.db_index, c.argv[1], incr);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdIncr(Client& c) { IncrDecr(c, 1); }
void CmdDecr(Client& c) { IncrDecr(c, -1); }
void CmdIncrBy(Client& c) {
  int64_t incr;
  if (!ParseInt(c, c.argv[2], &incr)) return;
  IncrDecr(c, incr);
}
void CmdDecrBy(Client& c) {
  int64_t incr;
  if (!ParseInt(c, c.argv[2], &incr)) return;
  if (incr == LLONG_MIN) {
    Err(c, server::err::kDecrOverflow);
    return;
  }
  IncrDecr(c, -incr);
}

void CmdIncrByFloat(Client& c) {
  std::string_view key = c.argv[1];
  auto r = engine::str::IncrByFloat(KS(), c.db_index, key, c.argv[2]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Bulk(*r);
  // Why: always propagated as SET with the final value (float formatting
  // must not differ on replicas or after an AOF reload).
  PropagateAs(c, {"SET", key, *r, "KEEPTTL"});
}

void CmdGetRange(Client& c) {
  int64_t start, end;
  if (!ParseInt(c, c.argv[2], &start) || !ParseInt(c, c.argv[3], &end)) return;
  char buf[32];
  auto r = engine::str::Get(KS(), c.db_index, c.argv[1], buf);
  if (r.status() == OpStatus::kNotFound) return c.reply.Raw("$0\r\n\r\n");
  if (!r.ok()) return ErrStatus(c, r.status());
  std::string_view s = *r;
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    c.reply.Raw("$0\r\n\r\n");
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    c.reply.Raw("$0\r\n\r\n");
    return;
  }
  c.reply.Bulk(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(Client& c) {
  int64_t offset;
  if (!ParseInt(c, c.argv[2], &offset)) return;
  auto r = engine::str::SetRange(KS(), c.db_index, c.argv[1], offset, c.argv[3]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(static_cast<int64_t>(*r));
}

void CmdLcs(Client& c) {
  char bufa[32], bufb[32];
  auto ra = engine::str::Get(KS(), c.db_index, c.argv[1], bufa);
  auto rb = engine::str::Get(KS(), c.db_index, c.argv[2], bufb);
  if (ra.status() == OpStatus::kWrongType || rb.status() == OpStatus::kWrongType) {
    Err(c, server::err::kLcsNotStrings);
    return;
  }
  std::string a(ra.ok() ? *ra : std::string_view());
  std::string b(rb.ok() ? *rb : std::string_view());
  bool getlen = false, getidx = false;
  int withmatchlen = 0;
  int64_t minmatchlen = 0;
  for (size_t j = 3; j < c.argv.size(); j++) {
    std::string_view opt = c.argv[j];
    bool more = j + 1 < c.argv.size();
    if (EqNoCase(opt, "IDX")) {
      getidx = true;
    } else if (EqNoCase(opt, "LEN")) {
      getlen = true;
    } else if (EqNoCase(opt, "WITHMATCHLEN")) {
      withmatchlen = 1;
    } else if (EqNoCase(opt, "MINMATCHLEN") && more) {
      if (!ParseInt(c, c.argv[j + 1], &minmatchlen)) return;
      if (minmatchlen < 0) minmatchlen = 0;
      j++;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  if (getidx && getlen) {
    Err(c, server::err::kLcsIdxAndLen);
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    Err(c, server::err::kLcsTooLong);
    return;
  }
  uint32_t alen = static_cast<uint32_t>(a.size()), blen = static_cast<uint32_t>(b.size());
  unsigned long long cells = static_cast<unsigned long long>(alen + 1) * (blen + 1);
  unsigned long long bytes = cells * sizeof(uint32_t);
  if (bytes > static_cast<unsigned long long>(g_server->cfg().proto_max_bulk_len)) {
    Err(c, server::err::kLcsMemory);
    return;
  }
  std::vector<uint32_t> dp(cells);
  auto LCS = [&](uint32_t i, uint32_t j) -> uint32_t& { return dp[j + i * (blen + 1)]; };
  for (uint32_t i = 0; i <= alen; i++) {
    for (uint32_t j = 0; j <= blen; j++) {
      if (i == 0 || j == 0)
        LCS(i, j) = 0;
      else if (a[i - 1] == b[j - 1])
        LCS(i, j) = LCS(i - 1, j - 1) + 1;
      else
        LCS(i, j) = std::max(LCS(i - 1, j), LCS(i, j - 1));
    }
  }
  uint32_t idx = LCS(alen, blen);
  std::string result;
  bool computelcs = getidx || !getlen;
  if (computelcs) result.assign(idx, '\0');
  uint32_t arange_start = alen, arange_end = 0, brange_start = 0, brange_end = 0;
  uint32_t arraylen = 0;
  protocol::ReplyBuilder::Deferred deferred{};
  if (getidx) {
    c.reply.MapLen(2);
    c.reply.Bulk("matches");
    deferred = c.reply.BeginDeferred();
  }
  uint32_t i = alen, j = blen;
  while (computelcs && i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (arange_start == alen) {
        arange_start = i - 1;
        arange_end = i - 1;
        brange_start = j - 1;
        brange_end = j - 1;
      } else if (arange_start == i && brange_start == j) {
        arange_start--;
        brange_start--;
      } else {
        emit = true;
      }
      if (arange_start == 0 || brange_start == 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      uint32_t l1 = LCS(i - 1, j), l2 = LCS(i, j - 1);
      if (l1 > l2)
        i--;
      else
        j--;
      if (arange_start != alen) emit = true;
    }
    uint32_t match_len = arange_end - arange_start + 1;
    if (emit) {
      if (minmatchlen == 0 || match_len >= minmatchlen) {
        if (getidx) {
          c.reply.ArrayLen(2 + withmatchlen);
          c.reply.ArrayLen(2);
          c.reply.Int(arange_start);
          c.reply.Int(arange_end);
          c.reply.ArrayLen(2);
          c.reply.Int(brange_start);
          c.reply.Int(brange_end);
          if (withmatchlen) c.reply.Int(match_len);
          arraylen++;
        }
      }
      arange_start = alen;
    }
  }
  if (getidx) {
    c.reply.Bulk("len");
    c.reply.Int(LCS(alen, blen));
    c.reply.EndDeferredArray(deferred, arraylen);
  } else if (getlen) {
    c.reply.Int(LCS(alen, blen));
  } else {
    c.reply.Bulk(result);
  }
}

}  // namespace

void RegisterStringFamily(server::CommandTable& t) {
  t.Register("get", CmdGet);
  t.Register("set", CmdSet);
  t.Register("setnx", CmdSetNx);
  t.Register("setex", CmdSetEx);
  t.Register("psetex", CmdPSetEx);
  t.Register("getset", CmdGetSet);
  t.Register("getdel", CmdGetDel);
  t.Register("getex", CmdGetEx);
  t.Register("mget", CmdMGet);
  t.Register("mset", CmdMSet);
  t.Register("msetnx", CmdMSetNx);
  t.Register("append", CmdAppend);
  t.Register("strlen", CmdStrlen);
  t.Register("incr", CmdIncr);
  t.Register("decr", CmdDecr);
  t.Register("incrby", CmdIncrBy);
  t.Register("decrby", CmdDecrBy);
  t.Register("incrbyfloat", CmdIncrByFloat);
  t.Register("getrange", CmdGetRange);
  t.Register("substr", CmdGetRange);
  t.Register("setrange", CmdSetRange);
  t.Register("lcs", CmdLcs);
}

}  // namespace vireo::commands
