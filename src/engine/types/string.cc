// See string.h. Redis t_string.c's semantics over the Keyspace.
#include "engine/types/string.h"

#include <climits>
#include <cmath>
#include <cstring>

#include "base/memory.h"
#include "base/numbers.h"
#include "engine/value.h"

namespace vireo::engine::str {

// ---------------------------------------------------------------- construction

Entry* NewStringEntry(std::string_view key, std::string_view val, Enc enc) {
  if (val.size() <= kInlineMax) {
    Entry* e = AllocEntry(key, val.size());
    e->enc = static_cast<uint8_t>(enc);
    e->inline_len = static_cast<uint32_t>(val.size());
    if (!val.empty()) memcpy(e->data + key.size(), val.data(), val.size());
    return e;
  }
  Entry* e = AllocEntry(key, 0);
  e->enc = static_cast<uint8_t>(enc);
  e->flags |= Entry::kFlagHeapStr;
  e->v.str = HeapString::Create(val, val.size());
  return e;
}

Entry* NewIntEntry(std::string_view key, int64_t v) {
  Entry* e = AllocEntry(key, 0);
  e->enc = static_cast<uint8_t>(Enc::kInt);
  e->v.ival = v;
  return e;
}

std::string_view Value(const Entry* e, char* buf) {
  if (e->is_int()) return {buf, base::Int64ToChars(e->v.ival, buf)};
  return e->str();
}

bool IsSharedInteger(const Entry* e, const KeyspaceOptions& o) {
  if (e->otype() != ObjType::kString || !e->is_int()) return false;
  if (e->v.ival < 0 || e->v.ival >= kSharedIntegers) return false;
  // Why: with maxmemory set and an LRU/LFU policy Redis stops sharing
  // integers (MAXMEMORY_FLAG_NO_SHARED_INTEGERS): each key needs its own
  // LRU/LFU field.
  return o.maxmemory == 0 || !o.lru_or_lfu();
}

// ---------------------------------------------------------------- value table

void FreeValue(Entry* e) {
  if (e->flags & Entry::kFlagHeapStr) base::Free(e->v.str);
}

size_t FreeEffort(const Entry*) { return 1; }

Entry* Dup(const Entry* e, std::string_view newkey) {
  // Why: dupStringObject keeps the encoding (int stays int but is never the
  // shared integer, embstr stays embstr, raw stays raw).
  if (e->is_int()) return NewIntEntry(newkey, e->v.ival);
  return NewStringEntry(newkey, e->str(), e->encoding());
}

size_t MemoryUsage(const Entry* e, size_t) {
  size_t n = base::AllocSize(e);
  if (e->flags & Entry::kFlagHeapStr) n += base::AllocSize(e->v.str);
  return n;
}

void Digest(const Entry* e, uint8_t digest[20]) {
  char buf[base::kLongStrSize];
  std::string_view v = Value(e, buf);
  MixDigest(digest, v.data(), v.size());
}

// ---------------------------------------------------------------- operations

namespace {

// Redis's checkStringLength.
bool FitsStringLength(const Keyspace& ks, int64_t size, int64_t append) {
  int64_t total;
  return !__builtin_add_overflow(size, append, &total) && total <= ks.options().max_string_len;
}

// Makes the entry at `link` a raw string whose bytes live in a HeapString
// with room for `need` bytes (Redis's dbUnshareStringValue + sdsMakeRoomFor).
Entry* MakeRawHeap(Keyspace& ks, int db, Entry** link, size_t need) {
  Entry* e = *link;
  if ((e->flags & Entry::kFlagHeapStr) && e->encoding() == Enc::kRaw) {
    e->v.str = HeapString::Reserve(e->v.str, need);
    return e;
  }
  char buf[32];
  std::string_view cur = Value(e, buf);
  Entry* n = AllocEntry(e->key(), 0);
  n->enc = static_cast<uint8_t>(Enc::kRaw);
  n->flags |= Entry::kFlagHeapStr;
  n->v.str = HeapString::Create(cur, need > cur.size() ? need : cur.size());
  ks.ReplaceEntry(db, link, n);
  return n;
}

}  // namespace

OpResult<std::string_view> Get(Keyspace& ks, int db, std::string_view key, char* buf, int lookup) {
  auto r = ks.FindOfType(db, key, ObjType::kString, lookup);
  if (!r.ok()) return r.status();
  return Value(*r, buf);
}

OpStatus Set(Keyspace& ks, int db, std::string_view key, std::string_view val,
             const SetParams& p) {
  Entry** link = ks.FindLinkForWrite(db, key);
  bool found = link != nullptr;
  if ((p.nx && found) || (p.xx && !found)) return OpStatus::kSkipped;
  Entry* e = MakeString(key, val);
  ks.SetKeyAt(db, link, e, p.keep_ttl ? kSetKeyKeepTtl : 0);
  ks.dirty++;
  ks.Event(notify::kString, "set", db, key);
  if (p.expire_at_ms >= 0) {
    ks.SetExpire(db, e, p.expire_at_ms);
    ks.Event(notify::kGeneric, "expire", db, key);
  }
  return OpStatus::kOk;
}

OpStatus MSet(Keyspace& ks, int db, const std::vector<std::string_view>& argv, size_t first,
              bool nx) {
  // Why: MSETNX sets nothing when any key exists.
  if (nx) {
    for (size_t j = first; j < argv.size(); j += 2)
      if (ks.Find(db, argv[j], kLookupWrite)) return OpStatus::kSkipped;
  }
  for (size_t j = first; j + 1 < argv.size(); j += 2) {
    ks.SetKey(db, MakeString(argv[j], argv[j + 1]));
    ks.Event(notify::kString, "set", db, argv[j]);
  }
  ks.dirty += static_cast<long long>((argv.size() - first) / 2);
  return OpStatus::kOk;
}

OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, int64_t incr) {
  Entry** link = ks.FindLinkForWrite(db, key);
  Entry* e = link ? *link : nullptr;
  int64_t value = 0;
  if (e) {
    if (e->otype() != ObjType::kString) return OpStatus::kWrongType;
    if (e->is_int()) {
      value = e->v.ival;
    } else if (!base::StringToInt64(e->str(), &value)) {
      return OpStatus::kNotInteger;
    }
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    return OpStatus::kOverflow;
  }
  value += incr;
  if (e && e->is_int()) {
    e->v.ival = value;  // in place, TTL kept
  } else if (e) {
    ks.ReplaceEntry(db, link, NewIntEntry(key, value));
  } else {
    ks.SetKeyAt(db, nullptr, NewIntEntry(key, value), kSetKeyNoSignal);
  }
  ks.Modified(db, key, notify::kString, "incrby");
  return value;
}

OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view incr_arg) {
  Entry** link = ks.FindLinkForWrite(db, key);
  Entry* e = link ? *link : nullptr;
  long double value = 0, incr;
  if (e) {
    if (e->otype() != ObjType::kString) return OpStatus::kWrongType;
    if (e->is_int()) {
      value = static_cast<long double>(e->v.ival);
    } else if (!base::StringToLongDouble(e->str(), &value)) {
      return OpStatus::kNotFloat;
    }
  }
  if (!base::StringToLongDouble(incr_arg, &incr)) return OpStatus::kNotFloat;
  value += incr;
  if (std::isnan(value) || std::isinf(value)) return OpStatus::kNanOrInfinity;
  std::string s = base::LongDoubleToString(value);
  // Why: createStringObjectFromLongDouble makes embstr/raw text, never int.
  Entry* n = NewStringEntry(key, s, s.size() <= kEmbstrSizeLimit ? Enc::kEmbstr : Enc::kRaw);
  if (e)
    ks.ReplaceEntry(db, link, n);
  else
    ks.SetKeyAt(db, nullptr, n, kSetKeyNoSignal);
  ks.Modified(db, key, notify::kString, "incrbyfloat");
  return s;
}

OpResult<size_t> Append(Keyspace& ks, int db, std::string_view key, std::string_view add) {
  Entry** link = ks.FindLinkForWrite(db, key);
  size_t total;
  if (!link) {
    ks.SetKeyAt(db, nullptr, MakeString(key, add), kSetKeyNoSignal);
    total = add.size();
  } else {
    Entry* e = *link;
    if (e->otype() != ObjType::kString) return OpStatus::kWrongType;
    char buf[32];
    size_t cur = Value(e, buf).size();
    if (!FitsStringLength(ks, static_cast<int64_t>(cur), static_cast<int64_t>(add.size())))
      return OpStatus::kStringTooLong;
    e = MakeRawHeap(ks, db, link, cur + add.size());
    HeapString* h = e->v.str;
    if (!add.empty()) memcpy(h->data + h->len, add.data(), add.size());
    h->len += add.size();
    total = h->len;
  }
  ks.Modified(db, key, notify::kString, "append");
  return total;
}

OpResult<size_t> SetRange(Keyspace& ks, int db, std::string_view key, int64_t offset,
                          std::string_view value) {
  if (offset < 0) return OpStatus::kOffsetOutOfRange;
  Entry** link = ks.FindLinkForWrite(db, key);
  if (!link) {
    // Why: setting nothing on a missing key creates nothing.
    if (value.empty()) return size_t{0};
    if (!FitsStringLength(ks, offset, static_cast<int64_t>(value.size())))
      return OpStatus::kStringTooLong;
    size_t total = static_cast<size_t>(offset) + value.size();
    Entry* n = AllocEntry(key, 0);
    n->enc = static_cast<uint8_t>(Enc::kRaw);
    n->flags |= Entry::kFlagHeapStr;
    n->v.str = HeapString::Create({}, total);
    memset(n->v.str->data, 0, total);
    memcpy(n->v.str->data + offset, value.data(), value.size());
    n->v.str->len = total;
    ks.SetKeyAt(db, nullptr, n, kSetKeyNoSignal);
    ks.Modified(db, key, notify::kString, "setrange");
    return total;
  }
  Entry* e = *link;
  if (e->otype() != ObjType::kString) return OpStatus::kWrongType;
  char buf[32];
  size_t olen = Value(e, buf).size();
  // Why: setting nothing answers the current length and changes nothing.
  if (value.empty()) return olen;
  if (!FitsStringLength(ks, offset, static_cast<int64_t>(value.size())))
    return OpStatus::kStringTooLong;
  size_t need = static_cast<size_t>(offset) + value.size();
  e = MakeRawHeap(ks, db, link, need > olen ? need : olen);
  HeapString* h = e->v.str;
  if (need > h->len) {
    memset(h->data + h->len, 0, need - h->len);
    h->len = need;
  }
  memcpy(h->data + offset, value.data(), value.size());
  ks.Modified(db, key, notify::kString, "setrange");
  return h->len;
}

}  // namespace vireo::engine::str
