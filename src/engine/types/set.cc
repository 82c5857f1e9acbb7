// See set.h. Redis 7.0 t_set.c's semantics over the Keyspace.
#include "engine/types/set.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "base/memory.h"
#include "base/numbers.h"
#include "engine/encoding/intset.h"
#include "engine/encoding/strset.h"
#include "engine/value.h"

namespace vireo::engine::set {
namespace {

using strset::StrSet;

// A set value: an intset blob or a StrSet (what Entry::enc/v.ptr hold).
struct Val {
  Enc enc = Enc::kIntset;
  void* ptr = nullptr;

  bool is_intset() const { return enc == Enc::kIntset; }
  uint8_t* is() const { return static_cast<uint8_t*>(ptr); }
  StrSet* ht() const { return static_cast<StrSet*>(ptr); }
  size_t size() const { return is_intset() ? intset::Length(is()) : ht()->size(); }
};

Val Of(const Entry* e) { return {e->encoding(), e->v.ptr}; }
void Store(Entry* e, const Val& v) {
  e->enc = static_cast<uint8_t>(v.enc);
  e->v.ptr = v.ptr;
}
Val NewIntsetVal() { return {Enc::kIntset, intset::New()}; }
Val NewHtVal() { return {Enc::kHashtable, new StrSet()}; }

// Redis's setTypeCreate: an intset when the first member is an integer.
Val CreateFor(std::string_view first) {
  int64_t v;
  return base::StringToInt64(first, &v) ? NewIntsetVal() : NewHtVal();
}

void FreeVal(const Val& v) {
  if (v.is_intset())
    intset::Free(v.is());
  else
    delete v.ht();
}

Entry* NewEntry(std::string_view key, const Val& v) {
  Entry* e = AllocEntry(key, 0);
  e->type = static_cast<uint8_t>(ObjType::kSet);
  Store(e, v);
  return e;
}

// fn(std::string_view) for every member (intset members as decimal text).
template <typename Fn>
void ForEach(const Val& v, Fn&& fn) {
  if (v.is_intset()) {
    char buf[base::kLongStrSize];
    uint32_t n = intset::Length(v.is());
    for (uint32_t i = 0; i < n; i++) {
      int64_t x = intset::Get(v.is(), i);
      fn(std::string_view(buf, base::Int64ToChars(x, buf)));
    }
  } else {
    v.ht()->ForEach(fn);
  }
}

uint64_t MaxIntsetEntries(const KeyspaceOptions& o) {
  // Why: Redis caps set-max-intset-entries at 1G "due to intset internals".
  constexpr uint64_t kCap = 1u << 30;
  return o.set_max_intset_entries >= kCap ? kCap : o.set_max_intset_entries;
}

// Redis's setTypeConvert(OBJ_ENCODING_HT).
void ConvertToHt(Val& v) {
  auto* s = new StrSet();
  ForEach(v, [&](std::string_view m) { s->Add(m); });
  intset::Free(v.is());
  v = {Enc::kHashtable, s};
}

// Redis's setTypeAdd: converts on a non-integer member or past
// set-max-intset-entries.
bool AddTo(Val& v, std::string_view m, const KeyspaceOptions& o) {
  if (!v.is_intset()) return v.ht()->Add(m);
  int64_t x;
  if (base::StringToInt64(m, &x)) {
    bool added;
    v.ptr = intset::Add(v.is(), x, &added);
    if (added && intset::Length(v.is()) > MaxIntsetEntries(o)) ConvertToHt(v);
    return added;
  }
  ConvertToHt(v);
  v.ht()->Add(m);
  return true;
}

bool RemoveFrom(Val& v, std::string_view m) {
  if (!v.is_intset()) return v.ht()->Remove(m);
  int64_t x;
  if (!base::StringToInt64(m, &x)) return false;
  bool removed;
  v.ptr = intset::Remove(v.is(), x, &removed);
  return removed;
}

bool Contains(const Val& v, std::string_view m) {
  if (!v.is_intset()) return v.ht()->Contains(m);
  int64_t x;
  return base::StringToInt64(m, &x) && intset::Find(v.is(), x);
}

// Redis's setTypeRandomElement (ints formatted into buf).
std::string_view RandomMember(const Val& v, char* buf) {
  if (v.is_intset()) return {buf, base::Int64ToChars(intset::Random(v.is()), buf)};
  return v.ht()->Random();
}

// The sets named by `keys` (nullptr for missing ones), looked up for
// reading in order; kWrongType at the first non-set.
OpStatus LookupSets(Keyspace& ks, int db, std::span<const std::string_view> keys,
                    std::vector<Entry*>* out) {
  out->reserve(keys.size());
  for (std::string_view k : keys) {
    Entry* e = ks.Find(db, k, kLookupRead);
    if (e && e->otype() != ObjType::kSet) return OpStatus::kWrongType;
    out->push_back(e);
  }
  return OpStatus::kOk;
}

// Stores a STORE command's result at dst, or deletes dst when it is empty
// (Redis's tail of sinterGenericCommand / sunionDiffGenericCommand).
int64_t StoreResult(Keyspace& ks, int db, std::string_view dst, Val& v, std::string_view event) {
  auto n = static_cast<int64_t>(v.size());
  if (n > 0) {
    ks.SetKey(db, NewEntry(dst, v));
    ks.Event(notify::kSet, event, db, dst);
    ks.dirty++;
    return n;
  }
  FreeVal(v);
  ks.Delete(db, dst, ks.options().lazyfree_lazy_server_del);
  return 0;
}

// The intersection of the (non-missing) sets: fn(member) for each member
// of the smallest set found in all the others; stops when fn returns false.
template <typename Fn>
void Intersect(std::vector<Entry*>& sets, Fn&& fn) {
  // Why stable: Redis's qsort is glibc's merge sort, so sets of equal size
  // keep their order and the same set is iterated.
  std::stable_sort(sets.begin(), sets.end(),
                   [](const Entry* a, const Entry* b) { return Size(a) < Size(b); });
  Val first = Of(sets[0]);
  bool stop = false;
  ForEach(first, [&](std::string_view m) {
    if (stop) return;
    for (size_t j = 1; j < sets.size(); j++) {
      if (sets[j] == sets[0]) continue;
      if (!Contains(Of(sets[j]), m)) return;
    }
    if (!fn(m)) stop = true;
  });
}

// sunionDiffGenericCommand's computation into a new value (starting as an
// empty intset, converting as Redis's setTypeAdd does).
Val ComputeUnionDiff(const KeyspaceOptions& o, std::vector<Entry*>& sets, SetOp op) {
  bool sameset = false;
  for (size_t j = 1; j < sets.size(); j++)
    if (sets[j] && sets[j] == sets[0]) sameset = true;
  int algo = 1;
  if (op == SetOp::kDiff && sets[0] && !sameset) {
    // Why: Redis picks the O(N*M) or the O(total) algorithm by this
    // estimate, and the result's encoding and order depend on which.
    long long one = 0, two = 0;
    for (Entry* s : sets) {
      if (!s) continue;
      one += static_cast<long long>(Size(sets[0]));
      two += static_cast<long long>(Size(s));
    }
    one /= 2;
    algo = one <= two ? 1 : 2;
    if (algo == 1 && sets.size() > 1) {
      std::stable_sort(sets.begin() + 1, sets.end(), [](const Entry* a, const Entry* b) {
        return (a ? Size(a) : 0) > (b ? Size(b) : 0);
      });
    }
  }
  Val dst = NewIntsetVal();
  if (op == SetOp::kUnion) {
    for (Entry* s : sets)
      if (s) ForEach(Of(s), [&](std::string_view m) { AddTo(dst, m, o); });
  } else if (sameset || !sets[0]) {
    // A key repeated as the first one, or a missing first key: empty.
  } else if (algo == 1) {
    ForEach(Of(sets[0]), [&](std::string_view m) {
      for (size_t j = 1; j < sets.size(); j++) {
        if (!sets[j]) continue;
        if (sets[j] == sets[0] || Contains(Of(sets[j]), m)) return;
      }
      AddTo(dst, m, o);
    });
  } else {
    for (size_t j = 0; j < sets.size(); j++) {
      if (!sets[j]) continue;
      if (j == 0) {
        ForEach(Of(sets[j]), [&](std::string_view m) { AddTo(dst, m, o); });
      } else {
        ForEach(Of(sets[j]), [&](std::string_view m) { RemoveFrom(dst, m); });
      }
      if (dst.size() == 0) break;
    }
  }
  return dst;
}

}  // namespace

// ---------------------------------------------------------------- value table

void FreeValue(Entry* e) { FreeVal(Of(e)); }

size_t FreeEffort(const Entry* e) {
  // Why: lazyfreeGetFreeEffort counts a hashtable set's members; an intset
  // is one allocation.
  return e->encoding() == Enc::kHashtable ? Size(e) : 1;
}

Entry* Dup(const Entry* e, std::string_view newkey) {
  // Why: setTypeDup keeps the encoding.
  Val v = Of(e);
  if (v.is_intset()) return NewEntry(newkey, {Enc::kIntset, intset::Dup(v.is())});
  Val d = NewHtVal();
  v.ht()->ForEach([&](std::string_view m) { d.ht()->Add(m); });
  return NewEntry(newkey, d);
}

size_t MemoryUsage(const Entry* e, size_t samples) {
  Val v = Of(e);
  size_t n = base::AllocSize(e);
  if (v.is_intset()) return n + base::AllocSize(v.ptr);
  return n + base::AllocSize(v.ptr) + v.ht()->MemoryUsage(samples);
}

void Digest(const Entry* e, uint8_t digest[20]) {
  // Why xor: the digest of a set does not depend on the member order.
  ForEach(Of(e), [&](std::string_view m) { XorDigest(digest, m.data(), m.size()); });
}

Entry* NewSetEntry(std::string_view key, std::span<const std::string_view> members,
                   const KeyspaceOptions& o) {
  Val v = members.empty() ? NewIntsetVal() : CreateFor(members[0]);
  for (std::string_view m : members) AddTo(v, m, o);
  return NewEntry(key, v);
}

size_t Size(const Entry* e) { return Of(e).size(); }

// ---------------------------------------------------------------- operations

OpResult<int64_t> Add(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members) {
  Entry** link = ks.FindLinkForWrite(db, key);
  Entry* e = link ? *link : nullptr;
  if (e && e->otype() != ObjType::kSet) return OpStatus::kWrongType;
  Val v = e ? Of(e) : CreateFor(members[0]);
  int64_t added = 0;
  for (std::string_view m : members)
    if (AddTo(v, m, ks.options())) added++;
  if (e) {
    Store(e, v);
  } else {
    ks.SetKeyAt(db, nullptr, NewEntry(key, v), kSetKeyNoSignal);
  }
  if (added) ks.Modified(db, key, notify::kSet, "sadd", added);
  return added;
}

OpResult<int64_t> Rem(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupWrite);
  if (!r.ok()) return r.status() == OpStatus::kNotFound ? OpResult<int64_t>(0) : r.status();
  Entry* e = *r;
  Val v = Of(e);
  int64_t deleted = 0;
  bool emptied = false;
  for (std::string_view m : members) {
    if (!RemoveFrom(v, m)) continue;
    deleted++;
    // Why: Redis stops at the member that empties the set.
    if (v.size() == 0) {
      emptied = true;
      break;
    }
  }
  Store(e, v);
  if (deleted) ks.Modified(db, key, notify::kSet, "srem", deleted);
  if (emptied) ks.DeleteEmptied(db, key);
  return deleted;
}

OpResult<int64_t> Card(Keyspace& ks, int db, std::string_view key) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupRead);
  if (!r.ok()) return r.status() == OpStatus::kNotFound ? OpResult<int64_t>(0) : r.status();
  return static_cast<int64_t>(Size(*r));
}

OpResult<bool> IsMember(Keyspace& ks, int db, std::string_view key, std::string_view member) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupRead);
  if (!r.ok()) return r.status() == OpStatus::kNotFound ? OpResult<bool>(false) : r.status();
  return Contains(Of(*r), member);
}

OpResult<std::vector<uint8_t>> MIsMember(Keyspace& ks, int db, std::string_view key,
                                         std::span<const std::string_view> members) {
  Entry* e = ks.Find(db, key, kLookupRead);
  if (e && e->otype() != ObjType::kSet) return OpStatus::kWrongType;
  std::vector<uint8_t> out(members.size(), 0);
  if (e) {
    Val v = Of(e);
    for (size_t i = 0; i < members.size(); i++) out[i] = Contains(v, members[i]) ? 1 : 0;
  }
  return out;
}

OpResult<bool> Move(Keyspace& ks, int db, std::string_view src, std::string_view dst,
                    std::string_view member) {
  Entry* s = ks.Find(db, src, kLookupWrite);
  Entry* d = ks.Find(db, dst, kLookupWrite);
  // Why: a missing source answers 0 before the destination's type is checked.
  if (!s) return false;
  if (s->otype() != ObjType::kSet || (d && d->otype() != ObjType::kSet))
    return OpStatus::kWrongType;
  if (s == d) return Contains(Of(s), member);
  Val sv = Of(s);
  if (!RemoveFrom(sv, member)) return false;
  Store(s, sv);
  ks.Modified(db, src, notify::kSet, "srem", 1);
  if (sv.size() == 0) ks.DeleteEmptied(db, src);
  if (!d) {
    Val dv = CreateFor(member);
    AddTo(dv, member, ks.options());
    ks.SetKeyAt(db, nullptr, NewEntry(dst, dv), kSetKeyNoSignal);
    ks.Modified(db, dst, notify::kSet, "sadd", 1);
    return true;
  }
  Val dv = Of(d);
  bool added = AddTo(dv, member, ks.options());
  Store(d, dv);
  if (added) ks.Modified(db, dst, notify::kSet, "sadd", 1);
  return true;
}

OpResult<std::string> Pop(Keyspace& ks, int db, std::string_view key) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupWrite);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  Val v = Of(e);
  char buf[base::kLongStrSize];
  std::string m(RandomMember(v, buf));
  RemoveFrom(v, m);
  Store(e, v);
  ks.Modified(db, key, notify::kSet, "spop", 1);
  if (v.size() == 0) ks.DeleteEmptied(db, key);
  return m;
}

OpResult<int64_t> PopCount(Keyspace& ks, int db, std::string_view key, uint64_t count,
                           MemberSink& sink, bool* whole) {
  *whole = false;
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupWrite);
  if (!r.ok()) return r.status();
  if (count == 0) return 0;
  Entry* e = *r;
  Val v = Of(e);
  uint64_t size = v.size();
  uint64_t popped = count >= size ? size : count;
  ks.Modified(db, key, notify::kSet, "spop", static_cast<long long>(popped));

  if (count >= size) {
    // Why: Redis answers with SUNION of the one set (a new set built from
    // an empty intset, so its order), then deletes the key.
    *whole = true;
    std::vector<Entry*> one{e};
    Val u = ComputeUnionDiff(ks.options(), one, SetOp::kUnion);
    ForEach(u, [&](std::string_view m) { sink.Member(m); });
    FreeVal(u);
    ks.DeleteEmptied(db, key);
    return static_cast<int64_t>(size);
  }

  uint64_t remaining = size - count;
  char buf[base::kLongStrSize];
  // Why the factor 5 (SPOP_MOVE_STRATEGY_MUL): popping few members is done
  // by random extraction; popping most of them by building the set of the
  // members that stay, which may change the encoding (back to intset).
  if (remaining * 5 > count) {
    for (uint64_t i = 0; i < count; i++) {
      std::string_view m = RandomMember(v, buf);
      sink.Member(m);
      RemoveFrom(v, m);
    }
    Store(e, v);
  } else {
    Val keep;
    bool created = false;
    std::string m;
    for (uint64_t i = 0; i < remaining; i++) {
      m.assign(RandomMember(v, buf));
      if (!created) {
        keep = CreateFor(m);
        created = true;
      }
      AddTo(keep, m, ks.options());
      RemoveFrom(v, m);
    }
    ForEach(v, [&](std::string_view x) { sink.Member(x); });
    FreeVal(v);
    Store(e, keep);
  }
  return static_cast<int64_t>(count);
}

OpResult<std::string_view> RandMember(Keyspace& ks, int db, std::string_view key, char* buf) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupRead);
  if (!r.ok()) return r.status();
  return RandomMember(Of(*r), buf);
}

OpResult<int64_t> RandMemberCount(Keyspace& ks, int db, std::string_view key, int64_t count,
                                  MemberSink& sink) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupRead);
  if (!r.ok()) return r.status() == OpStatus::kNotFound ? OpResult<int64_t>(0) : r.status();
  bool uniq = count >= 0;
  uint64_t n = uniq ? static_cast<uint64_t>(count) : static_cast<uint64_t>(-count);
  if (n == 0) return 0;
  Val v = Of(*r);
  uint64_t size = v.size();
  char buf[base::kLongStrSize];
  // CASE 1: repetitions allowed (or one member): n independent draws.
  if (!uniq || n == 1) {
    for (uint64_t i = 0; i < n; i++) sink.Member(RandomMember(v, buf));
    return static_cast<int64_t>(n);
  }
  // CASE 2: the whole set.
  if (n >= size) {
    ForEach(v, [&](std::string_view m) { sink.Member(m); });
    return static_cast<int64_t>(size);
  }
  StrSet pick;
  // Why the factor 3 (SRANDMEMBER_SUB_STRATEGY_MUL): close to the whole
  // set, copy it and remove random members (CASE 3); otherwise add random
  // members until there are n distinct ones (CASE 4).
  if (n * 3 > size) {
    ForEach(v, [&](std::string_view m) { pick.Add(m); });
    while (pick.size() > n) pick.Remove(pick.Random());
  } else {
    while (pick.size() < n) pick.Add(RandomMember(v, buf));
  }
  pick.ForEach([&](std::string_view m) { sink.Member(m); });
  return static_cast<int64_t>(n);
}

OpResult<int64_t> Inter(Keyspace& ks, int db, std::span<const std::string_view> keys,
                        MemberSink& sink) {
  std::vector<Entry*> sets;
  if (OpStatus st = LookupSets(ks, db, keys, &sets); st != OpStatus::kOk) return st;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return 0;
  int64_t n = 0;
  Intersect(sets, [&](std::string_view m) {
    sink.Member(m);
    n++;
    return true;
  });
  return n;
}

OpResult<int64_t> InterCard(Keyspace& ks, int db, std::span<const std::string_view> keys,
                            uint64_t limit) {
  std::vector<Entry*> sets;
  if (OpStatus st = LookupSets(ks, db, keys, &sets); st != OpStatus::kOk) return st;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) return 0;
  uint64_t n = 0;
  Intersect(sets, [&](std::string_view) {
    n++;
    return !(limit && n >= limit);
  });
  return static_cast<int64_t>(n);
}

OpResult<int64_t> InterStore(Keyspace& ks, int db, std::string_view dst,
                             std::span<const std::string_view> keys) {
  std::vector<Entry*> sets;
  if (OpStatus st = LookupSets(ks, db, keys, &sets); st != OpStatus::kOk) return st;
  Val v = NewIntsetVal();
  if (std::find(sets.begin(), sets.end(), nullptr) == sets.end()) {
    Intersect(sets, [&](std::string_view m) {
      AddTo(v, m, ks.options());
      return true;
    });
  }
  return StoreResult(ks, db, dst, v, "sinterstore");
}

OpResult<int64_t> UnionDiff(Keyspace& ks, int db, std::span<const std::string_view> keys, SetOp op,
                            MemberSink& sink) {
  std::vector<Entry*> sets;
  if (OpStatus st = LookupSets(ks, db, keys, &sets); st != OpStatus::kOk) return st;
  Val v = ComputeUnionDiff(ks.options(), sets, op);
  ForEach(v, [&](std::string_view m) { sink.Member(m); });
  auto n = static_cast<int64_t>(v.size());
  FreeVal(v);
  return n;
}

OpResult<int64_t> UnionDiffStore(Keyspace& ks, int db, std::string_view dst,
                                 std::span<const std::string_view> keys, SetOp op) {
  std::vector<Entry*> sets;
  if (OpStatus st = LookupSets(ks, db, keys, &sets); st != OpStatus::kOk) return st;
  Val v = ComputeUnionDiff(ks.options(), sets, op);
  return StoreResult(ks, db, dst, v, op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
}

OpResult<uint64_t> Scan(Keyspace& ks, int db, std::string_view key, uint64_t cursor,
                        ScanSink& sink) {
  auto r = ks.FindOfType(db, key, ObjType::kSet, kLookupRead);
  if (!r.ok()) return r.status();
  int64_t count = sink.Start();
  if (count < 0) return OpStatus::kSkipped;
  Val v = Of(*r);
  if (v.is_intset()) {
    // Why: a compact encoding is small, so Redis returns it whole with
    // cursor 0 instead of keeping iteration state.
    ForEach(v, [&](std::string_view m) { sink.Member(m); });
    return uint64_t{0};
  }
  // Why count*10: Redis bounds the buckets visited for a sparse table.
  int64_t maxiter = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  int64_t got = 0;
  do {
    cursor = v.ht()->Scan(cursor, [&](std::string_view m) {
      sink.Member(m);
      got++;
    });
  } while (cursor && maxiter-- && got < count);
  return cursor;
}

}  // namespace vireo::engine::set
