// See hash.h. Redis 7.0 t_hash.c's semantics over the Keyspace: the
// listpack/table encodings and conversion rules (hashTypeTryConversion,
// hashTypeSet), the commands' events and dirty amounts, and HRANDFIELD's
// sampling strategies.
#include "engine/types/hash.h"

#include <algorithm>
#include <cmath>
#include <climits>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "base/glob.h"
#include "base/hash.h"
#include "base/memory.h"
#include "base/numbers.h"
#include "engine/encoding/strmap.h"
#include "engine/value.h"

namespace vireo::engine::hash {
namespace {

uint8_t* Lp(const Entry* e) { return static_cast<uint8_t*>(e->v.ptr); }
StrMap* Map(const Entry* e) { return static_cast<StrMap*>(e->v.ptr); }
bool IsListpack(const Entry* e) { return e->encoding() == Enc::kListpack; }

// The value after the field at fp, or nullptr when the field is absent.
uint8_t* LpFindValue(uint8_t* l, std::string_view field) {
  uint8_t* fp = lp::First(l);
  if (fp == nullptr) return nullptr;
  fp = lp::Find(l, fp, field, 1);
  return fp ? lp::Next(l, fp) : nullptr;
}

// Redis's hashTypeTryConversion: before a write of these strings, a
// listpack converts when one is longer than hash-max-listpack-value or
// their total would take the listpack past its safety limit.
void TryConversion(const KeyspaceOptions& o, Entry* e, std::span<const std::string_view> strs) {
  if (!IsListpack(e)) return;
  size_t sum = 0;
  for (std::string_view s : strs) {
    if (s.size() > o.hash_max_listpack_value) {
      ConvertToTable(e);
      return;
    }
    sum += s.size();
  }
  if (!lp::SafeToAdd(Lp(e), sum)) ConvertToTable(e);
}

// Redis's hashTypeSet: true when the field was added.
bool SetField(const KeyspaceOptions& o, Entry* e, std::string_view field, std::string_view value) {
  // Why here too: HINCRBY/HINCRBYFLOAT write values that never went
  // through TryConversion (a float result longer than the limit converts).
  if (IsListpack(e) &&
      (field.size() > o.hash_max_listpack_value || value.size() > o.hash_max_listpack_value))
    ConvertToTable(e);
  if (!IsListpack(e)) return Map(e)->Set(field, value);
  uint8_t* l = Lp(e);
  bool update = false;
  if (uint8_t* vp = LpFindValue(l, field)) {
    l = lp::Replace(l, &vp, value);
    update = true;
  } else {
    l = lp::Append(l, field);
    l = lp::Append(l, value);
  }
  e->v.ptr = l;
  // Why also on update: the entries limit may have been lowered by CONFIG
  // SET since the hash was built; Redis checks after every write.
  if (lp::Length(l) / 2 > o.hash_max_listpack_entries) ConvertToTable(e);
  return !update;
}

// Redis's hashTypeDelete: true when the field existed.
bool DeleteField(Entry* e, std::string_view field) {
  if (!IsListpack(e)) return Map(e)->Erase(field);
  uint8_t* l = Lp(e);
  uint8_t* fp = lp::First(l);
  if (fp == nullptr) return false;
  fp = lp::Find(l, fp, field, 1);
  if (fp == nullptr) return false;
  e->v.ptr = lp::DeleteRangeAt(l, &fp, 2);
  return true;
}

// hashTypeLookupWriteOrCreate: the hash at key for a write, created (and
// added, "new" event) when missing.
OpResult<Entry*> LookupWriteOrCreate(Keyspace& ks, int db, std::string_view key) {
  Entry** link = ks.FindLinkForWrite(db, key);
  if (link) {
    if ((*link)->otype() != ObjType::kHash) return OpStatus::kWrongType;
    return *link;
  }
  Entry* e = NewHashEntry(key);
  ks.SetKeyAt(db, nullptr, e, kSetKeyNoSignal);
  return e;
}

}  // namespace

// ---------------------------------------------------------------- encodings

Entry* NewHashEntry(std::string_view key) {
  Entry* e = AllocEntry(key, 0);
  e->type = static_cast<uint8_t>(ObjType::kHash);
  e->enc = static_cast<uint8_t>(Enc::kListpack);
  e->v.ptr = lp::New(0);
  return e;
}

void ConvertToTable(Entry* e) {
  if (!IsListpack(e)) return;
  uint8_t* l = Lp(e);
  auto* m = new StrMap();
  // Why presized: hashTypeConvertListpack does dictExpand(length) first.
  m->Reserve(lp::Length(l) / 2);
  char fbuf[base::kLongStrSize], vbuf[base::kLongStrSize];
  ForEach(e, [&](const Elem& f, const Elem& v) { m->Add(f.ToString(fbuf), v.ToString(vbuf)); });
  lp::Free(l);
  e->v.ptr = m;
  e->enc = static_cast<uint8_t>(Enc::kHashtable);
}

// ---------------------------------------------------------------- value table

void FreeValue(Entry* e) {
  if (IsListpack(e))
    lp::Free(Lp(e));
  else
    delete Map(e);
}

size_t FreeEffort(const Entry* e) {
  // Why: lazyfreeGetFreeEffort counts a dict's elements, and a listpack as
  // one allocation.
  return IsListpack(e) ? 1 : Map(e)->size();
}

Entry* Dup(const Entry* e, std::string_view newkey) {
  Entry* n = AllocEntry(newkey, 0);
  n->type = e->type;
  n->enc = e->enc;
  if (IsListpack(e)) {
    // Why exact size: hashTypeDup copies lpBytes() into a fresh block.
    size_t sz = lp::Bytes(Lp(e));
    auto* copy = static_cast<uint8_t*>(base::Alloc(sz));
    memcpy(copy, Lp(e), sz);
    n->v.ptr = copy;
  } else {
    n->v.ptr = Map(e)->Dup();
  }
  return n;
}

size_t MemoryUsage(const Entry* e, size_t samples) {
  size_t n = base::AllocSize(e);
  if (IsListpack(e)) return n + base::AllocSize(Lp(e));
  return n + base::AllocSize(Map(e)) + Map(e)->SampledSize(samples);
}

void Digest(const Entry* e, uint8_t digest[20]) {
  // Why: xorObjectDigest mixes field then value into a per-pair digest and
  // xors the pairs together, so the result does not depend on order.
  char fbuf[base::kLongStrSize], vbuf[base::kLongStrSize];
  ForEach(e, [&](const Elem& f, const Elem& v) {
    uint8_t ele[20] = {};
    std::string_view fs = f.ToString(fbuf), vs = v.ToString(vbuf);
    MixDigest(ele, fs.data(), fs.size());
    MixDigest(ele, vs.data(), vs.size());
    XorDigest(digest, ele, 20);
  });
}

// ---------------------------------------------------------------- reading

OpResult<Entry*> Find(Keyspace& ks, int db, std::string_view key) {
  return ks.FindOfType(db, key, ObjType::kHash, kLookupRead);
}

size_t Length(const Entry* e) {
  if (IsListpack(e)) return lp::Length(static_cast<const uint8_t*>(e->v.ptr)) / 2;
  return Map(e)->size();
}

bool GetField(Entry* e, std::string_view field, Elem* out) {
  if (IsListpack(e)) {
    uint8_t* vp = LpFindValue(Lp(e), field);
    if (vp == nullptr) return false;
    *out = lp::Get(vp);
    return true;
  }
  const StrMapNode* n = Map(e)->Find(field);
  if (n == nullptr) return false;
  *out = internal::ElemOf(n->value());
  return true;
}

size_t ElemLength(const Elem& v) {
  if (!v.is_int()) return v.len;
  // sdigits10: the sign counts.
  uint64_t u = v.v < 0 ? 0 - static_cast<uint64_t>(v.v) : static_cast<uint64_t>(v.v);
  return static_cast<size_t>(base::DigitCount(u)) + (v.v < 0 ? 1 : 0);
}

uint64_t Scan(Entry* e, uint64_t cursor, int64_t count, std::string_view pattern,
              bool use_pattern, std::vector<Elem>* out) {
  char buf[base::kLongStrSize];
  auto add = [&](const Elem& f, const Elem& v) {
    if (use_pattern && !base::GlobMatch(pattern, f.ToString(buf), false)) return;
    out->push_back(f);
    out->push_back(v);
  };
  if (IsListpack(e)) {
    // Why whole: compact encodings are small; Redis returns them in one
    // call with cursor 0 and keeps no state.
    ForEach(e, add);
    return 0;
  }
  // Why doubled: scanGenericCommand counts fields and values (COUNT 10
  // asks for 10 pairs), and visits at most 10x that many buckets.
  uint64_t want = count > INT64_MAX / 2 ? UINT64_MAX / 20 : static_cast<uint64_t>(count) * 2;
  uint64_t maxiter = want > UINT64_MAX / 10 ? UINT64_MAX : want * 10;
  uint64_t collected = 0;
  StrMap* m = Map(e);
  do {
    cursor = m->Scan(cursor, [&](const StrMapNode* n) {
      collected += 2;
      add(internal::ElemOf(n->field()), internal::ElemOf(n->value()));
    });
  } while (cursor && maxiter-- && collected < want);
  return cursor;
}

// ---------------------------------------------------------------- writes

OpResult<int64_t> Set(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> pairs) {
  auto r = LookupWriteOrCreate(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  const KeyspaceOptions& o = ks.options();
  TryConversion(o, e, pairs);
  int64_t created = 0;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) created += SetField(o, e, pairs[i], pairs[i + 1]);
  // Why dirty = pairs, not changes: hsetCommand adds (argc-2)/2.
  ks.Modified(db, key, notify::kHash, "hset", static_cast<long long>(pairs.size() / 2));
  return created;
}

OpResult<bool> SetNx(Keyspace& ks, int db, std::string_view key, std::string_view field,
                     std::string_view value) {
  auto r = LookupWriteOrCreate(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  Elem cur;
  if (GetField(e, field, &cur)) return false;
  const std::string_view pair[2] = {field, value};
  TryConversion(ks.options(), e, pair);
  SetField(ks.options(), e, field, value);
  ks.Modified(db, key, notify::kHash, "hset", 1);
  return true;
}

OpResult<int64_t> Del(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> fields) {
  auto r = ks.FindOfType(db, key, ObjType::kHash, kLookupWrite);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  int64_t deleted = 0;
  bool emptied = false;
  for (std::string_view f : fields) {
    if (!DeleteField(e, f)) continue;
    deleted++;
    // Why stop: once the hash is empty Redis deletes the key and ignores
    // the remaining fields.
    if (Length(e) == 0) {
      emptied = true;
      break;
    }
  }
  if (deleted) {
    ks.Modified(db, key, notify::kHash, "hdel", deleted);
    if (emptied) ks.DeleteEmptied(db, key);
  }
  return deleted;
}

OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, std::string_view field,
                         int64_t incr) {
  auto r = LookupWriteOrCreate(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  int64_t value = 0;
  Elem cur;
  if (GetField(e, field, &cur)) {
    if (cur.is_int()) {
      value = cur.v;
    } else if (!base::StringToInt64(cur.sv(), &value)) {
      return OpStatus::kHashNotInteger;
    }
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value)))
    return OpStatus::kOverflow;
  value += incr;
  char buf[base::kLongStrSize];
  SetField(ks.options(), e, field, {buf, base::Int64ToChars(value, buf)});
  ks.Modified(db, key, notify::kHash, "hincrby", 1);
  return value;
}

OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view field, long double incr) {
  auto r = LookupWriteOrCreate(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  long double value = 0;
  Elem cur;
  if (GetField(e, field, &cur)) {
    if (cur.is_int()) {
      value = static_cast<long double>(cur.v);
    } else if (!base::StringToLongDouble(cur.sv(), &value)) {
      return OpStatus::kHashNotFloat;
    }
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) return OpStatus::kNanOrInfinity;
  std::string s = base::LongDoubleToString(value);
  SetField(ks.options(), e, field, s);
  ks.Modified(db, key, notify::kHash, "hincrbyfloat", 1);
  return s;
}

// ---------------------------------------------------------------- HRANDFIELD

namespace {

// Redis's HRANDFIELD_SUB_STRATEGY_MUL and HRANDFIELD_RANDOM_SAMPLE_LIMIT.
constexpr uint64_t kSubStrategyMul = 3;
constexpr uint64_t kRandomSampleLimit = 1000;

uint64_t RandBelow(uint64_t n) { return base::Random64() % n; }

Elem LpGetAt(const uint8_t* l, uint64_t index) { return lp::Get(lp::Seek(l, static_cast<int64_t>(index))); }

// lpRandomPairs: `count` pairs with repetitions, in the random order they
// were drawn (picked indexes are sorted for one pass over the listpack).
void LpRandomPairs(const uint8_t* l, uint64_t total, uint64_t count, std::vector<Elem>* keys,
                   std::vector<Elem>* vals) {
  struct Pick {
    uint64_t index, order;
  };
  std::vector<Pick> picks(count);
  for (uint64_t i = 0; i < count; i++) picks[i] = {RandBelow(total), i};
  std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) { return a.index < b.index; });
  keys->resize(count);
  if (vals) vals->resize(count);
  const uint8_t* p = lp::First(l);
  uint64_t pair = 0, k = 0;
  while (p && k < count) {
    const uint8_t* vp = lp::Next(l, p);
    while (k < count && picks[k].index == pair) {
      (*keys)[picks[k].order] = lp::Get(p);
      if (vals) (*vals)[picks[k].order] = lp::Get(vp);
      k++;
    }
    pair++;
    p = lp::Next(l, vp);
  }
}

}  // namespace

OpStatus RandomField(Keyspace& ks, int db, std::string_view key, Elem* field) {
  auto r = Find(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  if (IsListpack(e)) {
    const uint8_t* l = Lp(e);
    *field = LpGetAt(l, RandBelow(Length(e)) * 2);
  } else {
    *field = internal::ElemOf(Map(e)->FairRandom()->field());
  }
  return OpStatus::kOk;
}

OpStatus RandomFields(Keyspace& ks, int db, std::string_view key, int64_t l, bool withvalues,
                      RandomSink& sink) {
  auto r = Find(ks, db, key);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  uint64_t size = Length(e);
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? static_cast<uint64_t>(l) : 0 - static_cast<uint64_t>(l);
  if (count == 0) {
    sink.Begin(0);
    return OpStatus::kOk;
  }

  // CASE 1: a negative count (repetitions allowed), or a single element.
  if (!uniq || count == 1) {
    sink.Begin(count);
    if (!IsListpack(e)) {
      StrMap* m = Map(e);
      while (count--) {
        const StrMapNode* n = m->FairRandom();
        Elem v = internal::ElemOf(n->value());
        if (!sink.Emit(internal::ElemOf(n->field()), withvalues ? &v : nullptr)) break;
      }
      return OpStatus::kOk;
    }
    // Why batches: lpRandomPairs in chunks of at most 1000, so a huge
    // count does not allocate without bound.
    std::vector<Elem> keys, vals;
    while (count) {
      uint64_t n = std::min(count, kRandomSampleLimit);
      count -= n;
      LpRandomPairs(Lp(e), size, n, &keys, withvalues ? &vals : nullptr);
      for (uint64_t i = 0; i < n; i++)
        if (!sink.Emit(keys[i], withvalues ? &vals[i] : nullptr)) return OpStatus::kOk;
    }
    return OpStatus::kOk;
  }

  // CASE 2: at least as many as there are: the whole hash.
  if (count >= size) {
    sink.Begin(size);
    ForEach(e, [&](const Elem& f, const Elem& v) { sink.Emit(f, withvalues ? &v : nullptr); });
    return OpStatus::kOk;
  }
  sink.Begin(count);

  // CASE 3: close to the size: take everything, drop random ones.
  if (count * kSubStrategyMul > size) {
    std::vector<std::pair<Elem, Elem>> all;
    all.reserve(size);
    ForEach(e, [&](const Elem& f, const Elem& v) { all.emplace_back(f, v); });
    while (all.size() > count) {
      size_t i = RandBelow(all.size());
      all[i] = all.back();
      all.pop_back();
    }
    for (auto& [f, v] : all) sink.Emit(f, withvalues ? &v : nullptr);
    return OpStatus::kOk;
  }

  // CASE 4: few of many.
  if (IsListpack(e)) {
    // lpRandomPairsUnique: selection sampling in one pass, storage order.
    const uint8_t* lpp = Lp(e);
    uint64_t remaining = count, index = 0;
    for (const uint8_t* p = lp::First(lpp); p && remaining; index++) {
      const uint8_t* vp = lp::Next(lpp, p);
      if (RandBelow(size - index) < remaining) {
        Elem v = lp::Get(vp);
        sink.Emit(lp::Get(p), withvalues ? &v : nullptr);
        remaining--;
      }
      p = lp::Next(lpp, vp);
    }
    return OpStatus::kOk;
  }
  StrMap* m = Map(e);
  std::unordered_set<std::string_view> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    const StrMapNode* n = m->FairRandom();
    if (!seen.insert(n->field()).second) continue;
    Elem v = internal::ElemOf(n->value());
    sink.Emit(internal::ElemOf(n->field()), withvalues ? &v : nullptr);
  }
  return OpStatus::kOk;
}

}  // namespace vireo::engine::hash
