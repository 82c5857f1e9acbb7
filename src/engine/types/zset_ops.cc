// See zset.h. Redis t_zset.c's pops (genericZpopCommand), ZRANDMEMBER,
// ZUNION/ZINTER/ZDIFF(+STORE)/ZINTERCARD (zunionInterDiffGenericCommand)
// and ZSCAN (scanGenericCommand for sorted sets).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>
#include <vector>

#include "base/glob.h"
#include "base/hash.h"
#include "engine/types/set.h"
#include "engine/types/zset.h"
#include "engine/types/zset_internal.h"
#include "engine/value.h"

namespace vireo::engine::zset {

using detail::IsLp;
using detail::Lp;
using detail::Sl;

// ---------------------------------------------------------------- pops

namespace {

OpStatus PopFrom(Keyspace& ks, int db, std::string_view key, Entry* e, bool max, int64_t count,
                 PopSink& out) {
  if (count == 0) {
    // Why: ZPOPMIN key 0 answers an empty array and changes nothing.
    out.Begin(key, 0);
    return OpStatus::kOk;
  }
  auto llen = static_cast<int64_t>(detail::Length(e));
  int64_t n = count > llen ? llen : count;
  out.Begin(key, n);
  char buf[32];
  for (int64_t i = 0; i < n; i++) {
    if (IsLp(e)) {
      uint8_t* l = Lp(e);
      uint8_t* eptr = lp::Seek(l, max ? -2 : 0);
      out.Item(detail::LpMember(eptr, buf), detail::LpScore(lp::Next(l, eptr)));
      e->v.ptr = detail::LpDeletePair(l, eptr);
    } else {
      zsl::ZSet* zs = Sl(e);
      zsl::Node* x = max ? zs->last() : zs->first();
      out.Item(x->member(), x->score);
      zs->DeleteNode(x);
      zs->ShrinkIfNeeded();
    }
  }
  // Why: one "zpopmin"/"zpopmax" event for the whole pop, dirty per element.
  ks.Modified(db, key, notify::kZset, max ? "zpopmax" : "zpopmin", n);
  if (detail::Length(e) == 0) ks.DeleteEmptied(db, key);
  return OpStatus::kOk;
}

}  // namespace

OpStatus PopMinMax(Keyspace& ks, int db, std::string_view key, bool max, int64_t count,
                   PopSink& out) {
  auto r = ks.FindOfType(db, key, ObjType::kZset, kLookupWrite);
  if (!r.ok()) return r.status();
  return PopFrom(ks, db, key, *r, max, count, out);
}

OpStatus MPop(Keyspace& ks, int db, std::span<const std::string_view> keys, bool max,
              int64_t count, PopSink& out) {
  for (std::string_view key : keys) {
    auto r = ks.FindOfType(db, key, ObjType::kZset, kLookupWrite);
    if (r.status() == OpStatus::kNotFound) continue;
    if (!r.ok()) return r.status();
    return PopFrom(ks, db, key, *r, max, count, out);
  }
  return OpStatus::kNotFound;
}

// ---------------------------------------------------------------- ZRANDMEMBER

namespace {

detail::Cursor RandomCursor(const Entry* e) {
  if (IsLp(e)) {
    uint64_t n = detail::LpPairs(Lp(e));
    return detail::Cursor::AtLp(Lp(e), lp::Seek(Lp(e), static_cast<int64_t>(2 * (base::Random64() % n))));
  }
  // Why: a random rank is exactly uniform (Redis's dictGetFairRandomKey is
  // only close to it), in O(log N) through the spans.
  return detail::Cursor::AtNode(Sl(e)->ByRank(1 + base::Random64() % Sl(e)->size()));
}

// Emits `count` of the `size` members, each subset equally likely, in set
// order (selection sampling; Redis's CASE 3 / lpRandomPairsUnique).
void EmitSample(const Entry* e, uint64_t size, uint64_t count, Sink& out) {
  char buf[32];
  uint64_t left = count;
  uint64_t i = 0;
  for (detail::Cursor c = detail::First(e); c.valid() && left; c.Next(), i++) {
    if (base::Random64() % (size - i) < left) {
      out.Item(c.member(buf), out.want_scores ? c.score() : 0);
      left--;
    }
  }
}

}  // namespace

OpStatus RandMember(Keyspace& ks, int db, std::string_view key, bool has_count, int64_t l,
                    Sink& out) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok()) return r.status();
  const Entry* e = *r;
  char buf[32];
  uint64_t size = detail::Length(e);
  if (!has_count) {
    detail::Cursor c = RandomCursor(e);
    out.Begin(1);
    out.Item(c.member(buf), out.want_scores ? c.score() : 0);
    out.End(1);
    return OpStatus::kOk;
  }
  bool uniq = l >= 0;
  uint64_t count = uniq ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  if (count == 0) {
    out.Begin(0);
    out.End(0);
    return OpStatus::kOk;
  }
  // CASE 1: repeats allowed (or a single member).
  if (!uniq || count == 1) {
    out.Begin(static_cast<int64_t>(count));
    for (uint64_t i = 0; i < count; i++) {
      detail::Cursor c = RandomCursor(e);
      out.Item(c.member(buf), out.want_scores ? c.score() : 0);
    }
    out.End(count);
    return OpStatus::kOk;
  }
  uint64_t n = count < size ? count : size;
  out.Begin(static_cast<int64_t>(n));
  if (count >= size) {
    // CASE 2: the whole set.
    for (detail::Cursor c = detail::First(e); c.valid(); c.Next())
      out.Item(c.member(buf), out.want_scores ? c.score() : 0);
  } else if (count * 3 > size || IsLp(e)) {
    // CASE 3 (and a listpack's CASE 4): a uniform sample.
    EmitSample(e, size, count, out);
  } else {
    // CASE 4: random picks until `count` distinct ones.
    std::unordered_set<const zsl::Node*> seen;
    seen.reserve(count);
    while (seen.size() < count) {
      const zsl::Node* x = Sl(e)->ByRank(1 + base::Random64() % size);
      if (!seen.insert(x).second) continue;
      out.Item(x->member(), x->score);
    }
  }
  out.End(n);
  return OpStatus::kOk;
}

// ---------------------------------------------------------------- set operations

namespace {

// The set type's reader (engine/types/set.h); tests may swap in another.
size_t SetLength(const Entry* e) { return set::Size(e); }
void SetForEach(const Entry* e, void (*fn)(std::string_view, void*), void* ctx) {
  set::FnSink sink([&](std::string_view m) { fn(m, ctx); });
  set::ForEachMember(e, sink);
}
const SetReader kSetTypeReader = {SetLength, SetForEach, set::ContainsMember};
const SetReader* g_set_reader = &kSetTypeReader;

struct Src {
  const Entry* e = nullptr;  // nullptr: a missing key (empty)
  double weight = 1;
  size_t len = 0;
};

size_t SrcLen(const Entry* e) {
  if (!e) return 0;
  if (e->otype() == ObjType::kZset) return detail::Length(e);
  return g_set_reader->length(e);
}

template <typename Fn>
void SrcForEach(const Entry* e, Fn&& fn) {
  if (e->otype() == ObjType::kZset) {
    char buf[32];
    for (detail::Cursor c = detail::First(e); c.valid(); c.Next()) fn(c.member(buf), c.score());
    return;
  }
  // Why: set members count with score 1 (zuiNext over OBJ_SET).
  g_set_reader->for_each(
      e, [](std::string_view m, void* ctx) { (*static_cast<Fn*>(ctx))(m, 1.0); }, &fn);
}

bool SrcFind(const Entry* e, std::string_view member, double* score) {
  if (e->otype() == ObjType::kZset) return detail::FindScore(e, member, score);
  if (!g_set_reader->contains(e, member)) return false;
  *score = 1.0;
  return true;
}

void Aggregate(double* target, double val, zset::Aggregate agg) {
  switch (agg) {
    case zset::Aggregate::kSum:
      *target += val;
      // Why: inf + -inf is taken as 0, not NaN (zunionInterAggregate).
      if (std::isnan(*target)) *target = 0.0;
      break;
    case zset::Aggregate::kMin:
      *target = val < *target ? val : *target;
      break;
    case zset::Aggregate::kMax:
      *target = val > *target ? val : *target;
      break;
  }
}

// Looks the keys up (WRONGTYPE for anything but a zset or a set).
OpStatus LookupSources(Keyspace& ks, int db, std::span<const std::string_view> keys,
                       const double* weights, std::vector<Src>* src) {
  src->resize(keys.size());
  for (size_t i = 0; i < keys.size(); i++) {
    Entry* e = ks.Find(db, keys[i]);
    if (e) {
      if (e->otype() != ObjType::kZset && (e->otype() != ObjType::kSet || !g_set_reader))
        return OpStatus::kWrongType;
      (*src)[i].e = e;
    }
    (*src)[i].len = SrcLen(e);
    if (weights) (*src)[i].weight = weights[i];
  }
  return OpStatus::kOk;
}

// The intersection walk: calls fn(member, score) for each member of every
// source; stops when fn returns false.
template <typename Fn>
void Intersect(std::vector<Src>& src, zset::Aggregate agg, Fn&& fn) {
  // Why: Redis sorts the inputs by size (qsort, stable on glibc's merge
  // sort), smallest first, and walks the smallest.
  std::stable_sort(src.begin(), src.end(), [](const Src& a, const Src& b) { return a.len < b.len; });
  if (src[0].len == 0) return;
  bool go = true;
  SrcForEach(src[0].e, [&](std::string_view m, double s) {
    if (!go) return;
    double score = src[0].weight * s;
    if (std::isnan(score)) score = 0;
    size_t j = 1;
    for (; j < src.size(); j++) {
      double v;
      if (!SrcFind(src[j].e, m, &v)) break;
      Aggregate(&score, v * src[j].weight, agg);
    }
    if (j == src.size()) go = fn(m, score);
  });
}

// Builds the result of a union/inter/diff as a skiplist zset, with the
// longest and total member lengths (for the conversion back to listpack).
zsl::ZSet* Compute(std::vector<Src>& src, const SetOpSpec& spec, size_t* maxlen, size_t* totlen) {
  auto* dst = new zsl::ZSet();
  *maxlen = *totlen = 0;
  auto track = [&](std::string_view m) {
    *totlen += m.size();
    if (m.size() > *maxlen) *maxlen = m.size();
  };
  switch (spec.op) {
    case SetOpKind::kInter:
      Intersect(src, spec.aggregate, [&](std::string_view m, double s) {
        dst->Insert(s, m);
        track(m);
        return true;
      });
      break;
    case SetOpKind::kUnion:
      std::stable_sort(src.begin(), src.end(),
                       [](const Src& a, const Src& b) { return a.len < b.len; });
      for (const Src& s : src) {
        if (s.len == 0) continue;
        SrcForEach(s.e, [&](std::string_view m, double v) {
          double score = s.weight * v;
          if (std::isnan(score)) score = 0;
          zsl::Node* x = dst->Find(m);
          if (x) {
            Aggregate(&x->score, score, spec.aggregate);
          } else {
            dst->AddUnlinked(score, m);
            track(m);
          }
        });
      }
      dst->LinkAll();
      break;
    case SetOpKind::kDiff: {
      if (src[0].len == 0) break;
      // Why: a later input that is the first one removes everything.
      for (size_t j = 1; j < src.size(); j++)
        if (src[j].e == src[0].e) return dst;
      SrcForEach(src[0].e, [&](std::string_view m, double s) {
        for (size_t j = 1; j < src.size(); j++) {
          double v;
          if (src[j].e && SrcFind(src[j].e, m, &v)) return;
        }
        dst->Insert(s, m);
        track(m);
      });
      break;
    }
  }
  return dst;
}

const char* StoreEvent(SetOpKind op) {
  switch (op) {
    case SetOpKind::kUnion: return "zunionstore";
    case SetOpKind::kInter: return "zinterstore";
    case SetOpKind::kDiff: return "zdiffstore";
  }
  return "";
}

}  // namespace

void RegisterSetReader(const SetReader* r) { g_set_reader = r ? r : &kSetTypeReader; }

OpStatus SetOp(Keyspace& ks, int db, const SetOpSpec& spec, Sink& out) {
  std::vector<Src> src;
  OpStatus st = LookupSources(ks, db, spec.keys, spec.weights, &src);
  if (st != OpStatus::kOk || spec.invalid) return st == OpStatus::kOk ? OpStatus::kSkipped : st;
  size_t maxlen, totlen;
  zsl::ZSet* dst = Compute(src, spec, &maxlen, &totlen);
  out.Begin(static_cast<int64_t>(dst->size()));
  for (const zsl::Node* x = dst->first(); x; x = zsl::ZSet::next(x)) out.Item(x->member(), x->score);
  out.End(dst->size());
  delete dst;
  return OpStatus::kOk;
}

OpResult<int64_t> SetOpStore(Keyspace& ks, int db, std::string_view dstkey, const SetOpSpec& spec) {
  std::vector<Src> src;
  OpStatus st = LookupSources(ks, db, spec.keys, spec.weights, &src);
  if (st != OpStatus::kOk || spec.invalid) return st == OpStatus::kOk ? OpStatus::kSkipped : st;
  size_t maxlen, totlen;
  zsl::ZSet* dst = Compute(src, spec, &maxlen, &totlen);
  Entry* e = AllocEntry(dstkey, 0);
  e->type = static_cast<uint8_t>(ObjType::kZset);
  e->enc = static_cast<uint8_t>(Enc::kSkiplist);
  e->v.ptr = dst;
  if (dst->size()) detail::ConvertToListpackIfNeeded(e, maxlen, totlen, ks.options());
  return detail::StoreResult(ks, db, dstkey, e, StoreEvent(spec.op));
}

OpResult<int64_t> InterCard(Keyspace& ks, int db, std::span<const std::string_view> keys,
                            int64_t limit, bool invalid) {
  std::vector<Src> src;
  OpStatus st = LookupSources(ks, db, keys, nullptr, &src);
  if (st != OpStatus::kOk || invalid) return st == OpStatus::kOk ? OpStatus::kSkipped : st;
  int64_t card = 0;
  Intersect(src, zset::Aggregate::kSum, [&](std::string_view, double) {
    card++;
    return !(limit && card >= limit);
  });
  return card;
}

// ---------------------------------------------------------------- ZSCAN

OpResult<uint64_t> Scan(Keyspace& ks, int db, std::string_view key, uint64_t cursor,
                        const ScanParams& p, std::vector<std::string>* out) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok()) return r.status();
  if (p.prepare && !p.prepare(p.ctx)) return OpStatus::kSkipped;
  const Entry* e = *r;
  int64_t count = p.count;
  std::string_view pattern = p.pattern;
  bool use_pattern = p.use_pattern;
  auto keep = [&](std::string_view m) {
    return !use_pattern || base::GlobMatch(pattern, m, false);
  };
  if (IsLp(e)) {
    // Why: a listpack is returned whole, its scores as stored.
    char mb[32], sb[32];
    const uint8_t* l = Lp(e);
    for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, lp::Next(l, p))) {
      std::string_view m = detail::LpMember(p, mb);
      if (!keep(m)) continue;
      out->emplace_back(m);
      out->emplace_back(lp::Get(lp::Next(l, p)).ToString(sb));
    }
    return uint64_t{0};
  }
  // Why: scanGenericCommand doubles COUNT for pairs and stops after
  // COUNT*10 bucket visits; the pattern is applied afterwards.
  uint64_t want = static_cast<uint64_t>(count) > UINT64_MAX / 2 ? UINT64_MAX : static_cast<uint64_t>(count) * 2;
  uint64_t maxiter = want > UINT64_MAX / 10 ? UINT64_MAX : want * 10;
  uint64_t emitted = 0;
  char buf[128];
  do {
    cursor = Sl(e)->dict().Scan(cursor, [&](const zsl::Node* x) {
      emitted += 2;
      if (!keep(x->member())) return;
      out->emplace_back(x->member());
      int n;
      if (std::isinf(x->score))
        n = snprintf(buf, sizeof(buf), "%s", x->score > 0 ? "inf" : "-inf");
      else
        n = snprintf(buf, sizeof(buf), "%.17Lg", static_cast<long double>(x->score));
      out->emplace_back(buf, static_cast<size_t>(n));
    });
  } while (cursor && maxiter-- != 0 && emitted < want);
  return cursor;
}

}  // namespace vireo::engine::zset
