// String commands (Redis t_string.c): GET SET SETNX SETEX PSETEX GETSET
// GETDEL GETEX MGET MSET MSETNX APPEND STRLEN INCR DECR INCRBY DECRBY
// INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
//
// Encodings follow Redis: a stored value is int when it parses as a 64-bit
// integer of <= 20 chars, embstr up to 44 bytes, raw beyond; APPEND and
// SETRANGE always leave raw; INCRBYFLOAT stores embstr/raw text. Writes that
// Redis propagates in another form set c.rewritten_argv (SET ... PXAT,
// INCRBYFLOAT as SET ... KEEPTTL, GETEX as PEXPIREAT/PERSIST/DEL).
#include <climits>
#include <cmath>
#include <cstring>
#include <vector>

#include "commands/common.h"

namespace vireo::commands {
namespace {

using engine::Enc;
using engine::Entry;
using engine::ObjType;

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

void ErrExpireTime(Client& c) { Err(c, "ERR invalid expire time in '" + CmdName(c) + "' command"); }

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

// Creates an entry for value `v` with tryObjectEncoding's choice.
Entry* MakeString(std::string_view key, std::string_view v) {
  int64_t iv;
  Enc e = engine::ChooseStringEncoding(v, &iv);
  if (e == Enc::kInt) return engine::NewIntEntry(key, iv);
  return engine::NewStringEntry(key, v, e);
}

// getGenericCommand: replies the value (or null); false on WRONGTYPE.
bool GetGeneric(Client& c) {
  Entry* e = server::LookupRead(c, c.argv[1]);
  if (!e) {
    c.reply.Null();
    return true;
  }
  if (e->otype() != ObjType::kString) {
    ErrWrongType(c);
    return false;
  }
  char buf[32];
  c.reply.Bulk(StrVal(e, buf));
  return true;
}

std::string MsString(int64_t ms) { return std::to_string(ms); }

// setGenericCommand. ok/abort replies: nullptr = "+OK" / null.
void SetGeneric(Client& c, int flags, std::string_view key, std::string_view val,
                std::string_view expire, bool seconds, const char* ok_reply,
                const char* abort_reply) {
  int64_t when = 0;
  if ((flags & kExpireFlags) && !ExpireMs(c, expire, flags, seconds, &when)) return;
  if (flags & kSetGet) {
    if (!GetGeneric(c)) return;
  }
  bool found = server::LookupWrite(c, key) != nullptr;
  if (((flags & kSetNx) && found) || ((flags & kSetXx) && !found)) {
    if (!(flags & kSetGet)) {
      if (abort_reply)
        c.reply.Raw(abort_reply);
      else
        c.reply.Null();
    }
    return;
  }
  Entry* e = MakeString(key, val);
  server::SetKey(c, c.db, e, flags & kKeepTtl);
  Dirty();
  if (flags & kExpireFlags) {
    c.db->SetExpire(e, when);
    // Why: Redis 7.0 propagates SET with a relative TTL as SET ... PXAT.
    c.rewritten_argv = {"SET", std::string(key), std::string(val), "PXAT", MsString(when)};
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
  Entry* e = MakeString(c.argv[1], c.argv[2]);
  server::SetKey(c, c.db, e, false);
  Dirty();
  c.rewritten_argv = {"SET", std::string(c.argv[1]), std::string(c.argv[2])};
}

void CmdGetDel(Client& c) {
  if (!GetGeneric(c)) return;
  if (c.db->Find(c.argv[1])) {
    server::DeleteKey(c, c.db, c.argv[1]);
    Dirty();
  }
}

void CmdGetEx(Client& c) {
  int flags = 0;
  std::string_view expire;
  if (!ParseExtended(c, 2, CmdKind::kGet, &flags, &expire)) return;
  Entry* e = server::LookupRead(c, c.argv[1]);
  if (!e) {
    c.reply.Null();
    return;
  }
  if (e->otype() != ObjType::kString) {
    ErrWrongType(c);
    return;
  }
  int64_t when = 0;
  if ((flags & kExpireFlags) && !ExpireMs(c, expire, flags, flags & (kEx | kExAt), &when)) return;
  char buf[32];
  c.reply.Bulk(StrVal(e, buf));
  std::string key(c.argv[1]);
  if ((flags & (kPxAt | kExAt)) && when <= g_server->now_ms()) {
    // Why: an absolute time already in the past deletes the key (and is
    // propagated as DEL/UNLINK), as Redis's getexCommand does.
    bool lazy = g_server->cfg().lazyfree_lazy_expire;
    server::DeleteKey(c, c.db, key, lazy);
    c.rewritten_argv = {lazy ? "UNLINK" : "DEL", key};
    Dirty();
  } else if (flags & kExpireFlags) {
    c.db->SetExpire(e, when);
    server::SignalModifiedKey(c.db, key);
    c.rewritten_argv = {"PEXPIREAT", key, MsString(when)};
    Dirty();
  } else if (flags & kPersist) {
    if (c.db->RemoveExpire(e)) {
      server::SignalModifiedKey(c.db, key);
      c.rewritten_argv = {"PERSIST", key};
      Dirty();
    }
  }
}

void CmdMGet(Client& c) {
  c.reply.ArrayLen(static_cast<int64_t>(c.argv.size() - 1));
  char buf[32];
  for (size_t j = 1; j < c.argv.size(); j++) {
    Entry* e = server::LookupRead(c, c.argv[j]);
    if (!e || e->otype() != ObjType::kString)
      c.reply.Null();
    else
      c.reply.Bulk(StrVal(e, buf));
  }
}

void MSetGeneric(Client& c, bool nx) {
  if (c.argv.size() % 2 == 0) {
    Err(c, "ERR wrong number of arguments for '" + CmdName(c) + "' command");
    return;
  }
  if (nx) {
    for (size_t j = 1; j < c.argv.size(); j += 2) {
      if (server::LookupWrite(c, c.argv[j])) {
        c.reply.Raw(":0\r\n");
        return;
      }
    }
  }
  for (size_t j = 1; j < c.argv.size(); j += 2) {
    server::SetKey(c, c.db, MakeString(c.argv[j], c.argv[j + 1]), false);
  }
  Dirty(static_cast<long long>((c.argv.size() - 1) / 2));
  if (nx)
    c.reply.Raw(":1\r\n");
  else
    c.reply.Ok();
}

void CmdMSet(Client& c) { MSetGeneric(c, false); }
void CmdMSetNx(Client& c) { MSetGeneric(c, true); }

bool CheckStringLength(Client& c, int64_t size, int64_t append) {
  int64_t total;
  if (__builtin_add_overflow(size, append, &total) || total > g_server->cfg().proto_max_bulk_len) {
    Err(c, server::err::kStringTooLong);
    return false;
  }
  return true;
}

// Makes the entry at `link` a raw string with its bytes in a HeapString big
// enough for `need` bytes (Redis's dbUnshareStringValue + sdsMakeRoomFor).
Entry* MakeRawHeap(Client& c, Entry** link, size_t need) {
  Entry* e = *link;
  if ((e->flags & Entry::kFlagHeapStr) && e->enc == static_cast<uint8_t>(Enc::kRaw)) {
    e->v.str = engine::HeapString::Reserve(e->v.str, need);
    return e;
  }
  char buf[32];
  std::string_view cur = StrVal(e, buf);
  Entry* n = engine::NewStringEntry(e->key(), {}, Enc::kRaw);
  // NewStringEntry stored an empty inline string; switch to a heap string.
  n->flags |= Entry::kFlagHeapStr;
  n->inline_len = 0;
  n->v.str = engine::HeapString::Create(cur, need > cur.size() ? need : cur.size());
  // Shrink the entry allocation: the inline part is empty already.
  server::ReplaceValue(c.db, link, n);
  return n;
}

void CmdAppend(Client& c) {
  std::string_view key = c.argv[1], add = c.argv[2];
  Entry* e = server::LookupWrite(c, key);
  size_t total;
  if (!e) {
    Entry* n = MakeString(key, add);
    server::SetKey(c, c.db, n, false);
    total = add.size();
  } else {
    if (e->otype() != ObjType::kString) {
      ErrWrongType(c);
      return;
    }
    char buf[32];
    size_t cur = StrVal(e, buf).size();
    if (!CheckStringLength(c, static_cast<int64_t>(cur), static_cast<int64_t>(add.size()))) return;
    Entry** link = c.db->FindLink(key);
    e = MakeRawHeap(c, link, cur + add.size());
    engine::HeapString* h = e->v.str;
    if (!add.empty()) memcpy(h->data + h->len, add.data(), add.size());
    h->len += add.size();
    total = h->len;
    server::SignalModifiedKey(c.db, key);
  }
  Dirty();
  c.reply.Int(static_cast<int64_t>(total));
}

void CmdStrlen(Client& c) {
  Entry* e = server::LookupRead(c, c.argv[1]);
  if (!e) {
    c.reply.Raw(":0\r\n");
    return;
  }
  if (e->otype() != ObjType::kString) {
    ErrWrongType(c);
    return;
  }
  char buf[32];
  c.reply.Int(static_cast<int64_t>(StrVal(e, buf).size()));
}

void IncrDecr(Client& c, int64_t incr) {
  std::string_view key = c.argv[1];
  Entry* e = server::LookupWrite(c, key);
  int64_t value = 0;
  if (e) {
    if (e->otype() != ObjType::kString) {
      ErrWrongType(c);
      return;
    }
    if (e->is_int()) {
      value = e->v.ival;
    } else if (!base::StringToInt64(e->str(), &value)) {
      Err(c, server::err::kNotInt);
      return;
    }
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    Err(c, server::err::kOverflow);
    return;
  }
  value += incr;
  if (e && e->is_int()) {
    e->v.ival = value;  // in place, TTL kept
    server::SignalModifiedKey(c.db, key);
  } else if (e) {
    Entry** link = c.db->FindLink(key);
    server::ReplaceValue(c.db, link, engine::NewIntEntry(key, value));
    server::SignalModifiedKey(c.db, key);
  } else {
    server::SetKey(c, c.db, engine::NewIntEntry(key, value), false);
  }
  Dirty();
  c.reply.Int(value);
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
    Err(c, "ERR decrement would overflow");
    return;
  }
  IncrDecr(c, -incr);
}

void CmdIncrByFloat(Client& c) {
  std::string_view key = c.argv[1];
  Entry* e = server::LookupWrite(c, key);
  long double value = 0, incr;
  if (e) {
    if (e->otype() != ObjType::kString) {
      ErrWrongType(c);
      return;
    }
    if (e->is_int()) {
      value = static_cast<long double>(e->v.ival);
    } else if (!base::StringToLongDouble(e->str(), &value)) {
      Err(c, server::err::kNotFloat);
      return;
    }
  }
  if (!base::StringToLongDouble(c.argv[2], &incr)) {
    Err(c, server::err::kNotFloat);
    return;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    Err(c, "ERR increment would produce NaN or Infinity");
    return;
  }
  std::string s = base::LongDoubleToString(value);
  // Why: createStringObjectFromLongDouble makes embstr/raw text, never int.
  Enc enc = s.size() <= engine::kEmbstrSizeLimit ? Enc::kEmbstr : Enc::kRaw;
  Entry* n = engine::NewStringEntry(key, s, enc);
  if (e) {
    server::ReplaceValue(c.db, c.db->FindLink(key), n);
    server::SignalModifiedKey(c.db, key);
  } else {
    server::SetKey(c, c.db, n, false);
  }
  Dirty();
  c.reply.Bulk(s);
  // Why: always propagated as SET with the final value (float formatting
  // must not differ on replicas or after an AOF reload).
  c.rewritten_argv = {"SET", std::string(key), s, "KEEPTTL"};
}

void CmdGetRange(Client& c) {
  int64_t start, end;
  if (!ParseInt(c, c.argv[2], &start) || !ParseInt(c, c.argv[3], &end)) return;
  Entry* e = server::LookupRead(c, c.argv[1]);
  if (!e) {
    c.reply.Raw("$0\r\n\r\n");
    return;
  }
  if (e->otype() != ObjType::kString) {
    ErrWrongType(c);
    return;
  }
  char buf[32];
  std::string_view s = StrVal(e, buf);
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
  std::string_view key = c.argv[1], value = c.argv[3];
  int64_t offset;
  if (!ParseInt(c, c.argv[2], &offset)) return;
  if (offset < 0) {
    Err(c, "ERR offset is out of range");
    return;
  }
  Entry* e = server::LookupWrite(c, key);
  if (!e) {
    if (value.empty()) {
      c.reply.Raw(":0\r\n");
      return;
    }
    if (!CheckStringLength(c, offset, static_cast<int64_t>(value.size()))) return;
    size_t total = static_cast<size_t>(offset) + value.size();
    Entry* n = engine::NewStringEntry(key, {}, Enc::kRaw);
    n->flags |= Entry::kFlagHeapStr;
    n->v.str = engine::HeapString::Create({}, total);
    memset(n->v.str->data, 0, total);
    memcpy(n->v.str->data + offset, value.data(), value.size());
    n->v.str->len = total;
    server::SetKey(c, c.db, n, false);
    Dirty();
    c.reply.Int(static_cast<int64_t>(total));
    return;
  }
  if (e->otype() != ObjType::kString) {
    ErrWrongType(c);
    return;
  }
  char buf[32];
  size_t olen = StrVal(e, buf).size();
  if (value.empty()) {
    c.reply.Int(static_cast<int64_t>(olen));
    return;
  }
  if (!CheckStringLength(c, offset, static_cast<int64_t>(value.size()))) return;
  size_t need = static_cast<size_t>(offset) + value.size();
  e = MakeRawHeap(c, c.db->FindLink(key), need > olen ? need : olen);
  engine::HeapString* h = e->v.str;
  if (need > h->len) {
    memset(h->data + h->len, 0, need - h->len);
    h->len = need;
  }
  memcpy(h->data + offset, value.data(), value.size());
  server::SignalModifiedKey(c.db, key);
  Dirty();
  c.reply.Int(static_cast<int64_t>(h->len));
}

void CmdLcs(Client& c) {
  Entry* ea = server::LookupRead(c, c.argv[1]);
  Entry* eb = server::LookupRead(c, c.argv[2]);
  if ((ea && ea->otype() != ObjType::kString) || (eb && eb->otype() != ObjType::kString)) {
    Err(c, "ERR The specified keys must contain string values");
    return;
  }
  char bufa[32], bufb[32];
  std::string a(ea ? StrVal(ea, bufa) : std::string_view());
  std::string b(eb ? StrVal(eb, bufb) : std::string_view());
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
    Err(c, "ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    Err(c, "ERR String too long for LCS");
    return;
  }
  uint32_t alen = static_cast<uint32_t>(a.size()), blen = static_cast<uint32_t>(b.size());
  unsigned long long cells = static_cast<unsigned long long>(alen + 1) * (blen + 1);
  unsigned long long bytes = cells * sizeof(uint32_t);
  if (bytes > static_cast<unsigned long long>(g_server->cfg().proto_max_bulk_len)) {
    Err(c, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
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
