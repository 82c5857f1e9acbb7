// See zset.h. Redis t_zset.c's value handling, ZADD/ZREM, the reads and the
// range commands; pops, ZRANDMEMBER, the set operations and ZSCAN are in
// zset_ops.cc, the listpack and conversions in zset_listpack.cc.
#include "engine/types/zset.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/memory.h"
#include "engine/types/zset_internal.h"
#include "engine/value.h"

namespace vireo::engine::zset {

using detail::IsLp;
using detail::Lp;
using detail::Sl;

// ---------------------------------------------------------------- value table

size_t Length(const Entry* e) { return detail::Length(e); }

void FreeValue(Entry* e) {
  if (IsLp(e))
    lp::Free(Lp(e));
  else
    delete Sl(e);
}

size_t FreeEffort(const Entry* e) {
  // Why: lazyfreeGetFreeEffort counts a skiplist's nodes, a listpack is one block.
  return IsLp(e) ? 1 : Sl(e)->size();
}

Entry* Dup(const Entry* e, std::string_view newkey) {
  Entry* n = AllocEntry(newkey, 0);
  n->type = e->type;
  n->enc = e->enc;
  if (IsLp(e)) {
    uint32_t sz = lp::Bytes(Lp(e));
    auto* l = static_cast<uint8_t*>(base::Alloc(sz));
    memcpy(l, Lp(e), sz);
    n->v.ptr = l;
  } else {
    // Why: zsetDup copies from the tail so each insertion stops at the head.
    auto* zs = new zsl::ZSet();
    for (const zsl::Node* x = Sl(e)->last(); x; x = x->backward) zs->Insert(x->score, x->member());
    n->v.ptr = zs;
  }
  return n;
}

size_t MemoryUsage(const Entry* e, size_t samples) {
  size_t n = base::AllocSize(e);
  if (IsLp(e)) return n + base::AllocSize(Lp(e));
  const zsl::ZSet* zs = Sl(e);
  n += zs->HeaderBytes();
  // Why: objectComputeSize averages the first `samples` nodes (0 = all).
  size_t seen = 0, bytes = 0;
  for (const zsl::Node* x = zs->first(); x && (samples == 0 || seen < samples); x = x->level[0].forward) {
    bytes += zsl::ZSet::NodeBytes(x);
    seen++;
  }
  if (seen) n += static_cast<size_t>(static_cast<double>(bytes) / seen * zs->size());
  return n;
}

void Digest(const Entry* e, uint8_t digest[20]) {
  char buf[128];
  char mbuf[32];
  auto mix = [&](std::string_view member, double score) {
    uint8_t ele[20] = {0};
    MixDigest(ele, member.data(), member.size());
    int n = snprintf(buf, sizeof(buf), "%.17g", score);
    MixDigest(ele, buf, static_cast<size_t>(n));
    XorDigest(digest, ele, 20);
  };
  if (IsLp(e)) {
    for (detail::Cursor c = detail::First(e); c.valid(); c.Next()) mix(c.member(mbuf), c.score());
  } else {
    Sl(e)->dict().ForEach([&](const zsl::Node* x) { mix(x->member(), x->score); });
  }
}

// ---------------------------------------------------------------- parsing

namespace {

// One zslParseRange bound: strtod over the C string (an embedded NUL ends
// it, as in Redis), NaN refused.
bool ParseBound(std::string_view s, double* v, bool* ex) {
  *ex = !s.empty() && s[0] == '(';
  if (*ex) s.remove_prefix(1);
  std::string tmp(s);
  char* end = nullptr;
  *v = strtod(tmp.c_str(), &end);
  return end[0] == '\0' && !std::isnan(*v);
}

bool ParseLexBound(std::string_view s, std::string_view* v, LexRange::Kind* kind, bool* ex) {
  if (s.empty()) return false;
  // Why: Redis reads c[1] of a C string, so "+\0..." is "+".
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() > 1 && s[1] != '\0') return false;
      *kind = s[0] == '+' ? LexRange::kPlusInf : LexRange::kMinusInf;
      *ex = true;
      return true;
    case '(':
    case '[':
      *kind = LexRange::kValue;
      *ex = s[0] == '(';
      *v = s.substr(1);
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r) {
  return ParseBound(min, &r->min, &r->minex) && ParseBound(max, &r->max, &r->maxex);
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r) {
  return ParseLexBound(min, &r->min, &r->min_kind, &r->minex) &&
         ParseLexBound(max, &r->max, &r->max_kind, &r->maxex);
}

// ---------------------------------------------------------------- ZADD / ZREM

namespace {

enum AddOut { kOutAdded = 1, kOutUpdated = 2, kOutNop = 4 };

// Redis's zsetAdd: false when the score (after INCR) is NaN.
bool AddOne(Entry* e, double score, std::string_view member, int flags, int* out,
            double* newscore, const KeyspaceOptions& o) {
  *out = 0;
  if (std::isnan(score)) return false;
  double cur;
  uint8_t* eptr = nullptr;
  zsl::Node* node = nullptr;
  bool exists;
  if (IsLp(e)) {
    eptr = detail::LpFind(Lp(e), member, &cur);
    exists = eptr != nullptr;
  } else {
    node = Sl(e)->Find(member);
    exists = node != nullptr;
    if (exists) cur = node->score;
  }
  if (!exists) {
    if (flags & kAddXx) {
      *out = kOutNop;
      return true;
    }
    detail::AddNew(e, member, score, o);
    *newscore = score;
    *out = kOutAdded;
    return true;
  }
  if (flags & kAddNx) {
    *out = kOutNop;
    return true;
  }
  if (flags & kAddIncr) {
    score += cur;
    if (std::isnan(score)) return false;
  }
  if (((flags & kAddLt) && score >= cur) || ((flags & kAddGt) && score <= cur)) {
    *out = kOutNop;
    return true;
  }
  *newscore = score;
  if (score != cur) {
    if (eptr) {
      e->v.ptr = detail::LpDeletePair(Lp(e), eptr);
      e->v.ptr = detail::LpInsert(Lp(e), member, score);
    } else {
      Sl(e)->UpdateScore(node, score);
    }
    *out = kOutUpdated;
  }
  return true;
}

}  // namespace

OpStatus Add(Keyspace& ks, int db, std::string_view key, int flags,
             std::span<const ScoreMember> pairs, AddResult* res) {
  *res = AddResult{};
  Entry** link = ks.FindLinkForWrite(db, key);
  Entry* e = link ? *link : nullptr;
  if (e && e->otype() != ObjType::kZset) return OpStatus::kWrongType;
  const KeyspaceOptions& o = ks.options();
  if (!e) {
    if (flags & kAddXx) return OpStatus::kOk;
    // Why: a first member longer than zset-max-listpack-value (or a zero
    // entries limit) creates the skiplist directly.
    bool big = o.zset_max_listpack_entries == 0 ||
               o.zset_max_listpack_value < pairs[0].member.size();
    e = detail::NewEntry(key, big ? Enc::kSkiplist : Enc::kListpack);
    ks.SetKeyAt(db, nullptr, e, kSetKeyNoSignal);
  }
  OpStatus st = OpStatus::kOk;
  for (const ScoreMember& p : pairs) {
    int out;
    double ns = p.score;
    if (!AddOne(e, p.score, p.member, flags, &out, &ns, o)) {
      st = OpStatus::kNanScore;
      break;
    }
    if (out & kOutAdded) res->added++;
    if (out & kOutUpdated) res->updated++;
    if (!(out & kOutNop)) res->processed++;
    res->score = ns;
  }
  if (res->added || res->updated) {
    // Why: on the NaN error Redis skips the dirty increment (goto cleanup)
    // but still signals and notifies.
    ks.Modified(db, key, notify::kZset, (flags & kAddIncr) ? "zincr" : "zadd",
                st == OpStatus::kOk ? res->added + res->updated : 0);
  }
  return st;
}

OpResult<int64_t> Rem(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members) {
  auto r = ks.FindOfType(db, key, ObjType::kZset, kLookupWrite);
  if (r.status() == OpStatus::kNotFound) return int64_t{0};
  if (!r.ok()) return r.status();
  Entry* e = *r;
  int64_t deleted = 0;
  bool emptied = false;
  for (std::string_view m : members) {
    if (detail::Remove(e, m)) deleted++;
    if (detail::Length(e) == 0) {
      emptied = true;
      break;
    }
  }
  if (deleted) {
    ks.Modified(db, key, notify::kZset, "zrem", deleted);
    if (emptied) ks.DeleteEmptied(db, key);
  }
  return deleted;
}

// ---------------------------------------------------------------- reads

OpResult<int64_t> Card(Keyspace& ks, int db, std::string_view key) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (r.status() == OpStatus::kNotFound) return int64_t{0};
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(detail::Length(*r));
}

OpResult<double> Score(Keyspace& ks, int db, std::string_view key, std::string_view member) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok()) return r.status();
  double s;
  if (!detail::FindScore(*r, member, &s)) return OpStatus::kNotFound;
  return s;
}

OpStatus MScore(Keyspace& ks, int db, std::string_view key,
                std::span<const std::string_view> members, double* scores, bool* found) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok() && r.status() != OpStatus::kNotFound) return r.status();
  for (size_t i = 0; i < members.size(); i++)
    found[i] = r.ok() && detail::FindScore(*r, members[i], &scores[i]);
  return OpStatus::kOk;
}

OpResult<int64_t> Rank(Keyspace& ks, int db, std::string_view key, std::string_view member,
                       bool reverse) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok()) return r.status();
  const Entry* e = *r;
  auto len = static_cast<int64_t>(detail::Length(e));
  int64_t rank = 0;  // 1-based
  if (IsLp(e)) {
    char buf[32];
    int64_t i = 1;
    for (detail::Cursor c = detail::First(e); c.valid(); c.Next(), i++) {
      if (c.member(buf) == member) {
        rank = i;
        break;
      }
    }
  } else {
    const zsl::Node* n = Sl(e)->Find(member);
    if (n) rank = static_cast<int64_t>(Sl(e)->Rank(n));
  }
  if (rank == 0) return int64_t{-1};
  return reverse ? len - rank : rank - 1;
}

namespace {

// zcountCommand's rank arithmetic; without a last node (a lex range over
// members that are not in lex order) everything from the first counts.
int64_t CountBetween(const zsl::ZSet* zs, const zsl::Node* first, const zsl::Node* last) {
  auto count = static_cast<int64_t>(zs->size() - (zs->Rank(first) - 1));
  if (last) count -= static_cast<int64_t>(zs->size() - zs->Rank(last));
  return count;
}

}  // namespace

OpResult<int64_t> Count(Keyspace& ks, int db, std::string_view key, const ScoreRange& range) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (r.status() == OpStatus::kNotFound) return int64_t{0};
  if (!r.ok()) return r.status();
  const Entry* e = *r;
  if (IsLp(e)) {
    int64_t n = 0;
    for (detail::Cursor c = detail::FirstInRange(e, range); c.valid() && range.LteMax(c.score());
         c.Next())
      n++;
    return n;
  }
  const zsl::ZSet* zs = Sl(e);
  const zsl::Node* f = zs->FirstInRange(range);
  if (!f) return int64_t{0};
  const zsl::Node* l = zs->LastInRange(range);
  return CountBetween(zs, f, l);
}

OpResult<int64_t> LexCount(Keyspace& ks, int db, std::string_view key, const LexRange& range) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (r.status() == OpStatus::kNotFound) return int64_t{0};
  if (!r.ok()) return r.status();
  const Entry* e = *r;
  if (IsLp(e)) {
    char buf[32];
    int64_t n = 0;
    for (detail::Cursor c = detail::FirstInLex(e, range); c.valid() && range.LteMax(c.member(buf));
         c.Next())
      n++;
    return n;
  }
  const zsl::ZSet* zs = Sl(e);
  const zsl::Node* f = zs->FirstInLexRange(range);
  if (!f) return int64_t{0};
  const zsl::Node* l = zs->LastInLexRange(range);
  return CountBetween(zs, f, l);
}

// ---------------------------------------------------------------- ranges

namespace {

void EmitRange(const Entry* e, const RangeSpec& spec, Sink& out) {
  char buf[32];
  auto llen = static_cast<int64_t>(detail::Length(e));
  if (spec.type == RangeSpec::kRank) {
    int64_t start = spec.start, end = spec.end;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      out.Begin(0);
      out.End(0);
      return;
    }
    if (end >= llen) end = llen - 1;
    int64_t n = end - start + 1;
    out.Begin(n);
    detail::Cursor c = spec.reverse ? detail::AtRank(e, static_cast<uint64_t>(llen - 1 - start))
                                    : detail::AtRank(e, static_cast<uint64_t>(start));
    for (int64_t i = 0; i < n && c.valid(); i++) {
      out.Item(c.member(buf), out.want_scores ? c.score() : 0);
      if (spec.reverse)
        c.Prev();
      else
        c.Next();
    }
    out.End(static_cast<size_t>(n));
    return;
  }
  out.Begin(-1);
  // Why: a negative offset walks off the end in Redis's `while (offset--)`.
  if (spec.offset < 0 || (spec.offset > 0 && spec.offset >= llen)) {
    out.End(0);
    return;
  }
  bool by_score = spec.type == RangeSpec::kScore;
  detail::Cursor c;
  if (by_score)
    c = spec.reverse ? detail::LastInRange(e, spec.score) : detail::FirstInRange(e, spec.score);
  else
    c = spec.reverse ? detail::LastInLex(e, spec.lex) : detail::FirstInLex(e, spec.lex);
  auto step = [&] {
    if (spec.reverse)
      c.Prev();
    else
      c.Next();
  };
  for (int64_t off = spec.offset; c.valid() && off > 0; off--) step();
  size_t count = 0;
  // Why: a negative LIMIT count means no limit (`while (limit--)` in Redis).
  for (int64_t left = spec.limit < 0 ? INT64_MAX : spec.limit; c.valid() && left != 0; left--) {
    std::string_view m = c.member(buf);
    double s = (by_score || out.want_scores) ? c.score() : 0;
    bool in = by_score ? (spec.reverse ? spec.score.GteMin(s) : spec.score.LteMax(s))
                       : (spec.reverse ? spec.lex.GteMin(m) : spec.lex.LteMax(m));
    if (!in) break;
    out.Item(m, s);
    count++;
    step();
  }
  out.End(count);
}

// Builds a zset entry from a stream of distinct members (ZRANGESTORE).
class StoreSink : public Sink {
 public:
  StoreSink(std::string_view key, const KeyspaceOptions& o) : key_(key), o_(o) {}
  ~StoreSink() override {
    if (e_) FreeEntry(e_);
  }
  void Begin(int64_t n) override {
    // Why: zrangeResultBeginStore picks the encoding from the known length.
    bool big = n > static_cast<int64_t>(o_.zset_max_listpack_entries);
    e_ = detail::NewEntry(key_, big ? Enc::kSkiplist : Enc::kListpack);
  }
  void Item(std::string_view member, double score) override {
    detail::AddNew(e_, member, score, o_);
  }
  void End(size_t) override {}
  Entry* Release() {
    Entry* e = e_;
    e_ = nullptr;
    return e;
  }

 private:
  std::string_view key_;
  const KeyspaceOptions& o_;
  Entry* e_ = nullptr;
};

}  // namespace

OpStatus Range(Keyspace& ks, int db, std::string_view key, const RangeSpec& spec, Sink& out) {
  auto r = ks.FindOfType(db, key, ObjType::kZset);
  if (!r.ok()) return r.status();
  EmitRange(*r, spec, out);
  return OpStatus::kOk;
}

OpResult<int64_t> detail::StoreResult(Keyspace& ks, int db, std::string_view dst, Entry* e,
                              std::string_view event) {
  size_t n = e ? detail::Length(e) : 0;
  if (n) {
    ks.SetKey(db, e);
    ks.Event(notify::kZset, event, db, dst);
    ks.dirty++;
  } else {
    if (e) FreeEntry(e);
    ks.Delete(db, dst, ks.options().lazyfree_lazy_server_del);
  }
  return static_cast<int64_t>(n);
}

OpResult<int64_t> RangeStore(Keyspace& ks, int db, std::string_view dst, std::string_view src,
                             const RangeSpec& spec) {
  auto r = ks.FindOfType(db, src, ObjType::kZset);
  if (!r.ok() && r.status() != OpStatus::kNotFound) return r.status();
  StoreSink sink(dst, ks.options());
  if (r.ok()) EmitRange(*r, spec, sink);
  return detail::StoreResult(ks, db, dst, sink.Release(), "zrangestore");
}

OpResult<int64_t> RemRange(Keyspace& ks, int db, std::string_view key, const RangeSpec& spec) {
  auto r = ks.FindOfType(db, key, ObjType::kZset, kLookupWrite);
  if (r.status() == OpStatus::kNotFound) return int64_t{0};
  if (!r.ok()) return r.status();
  Entry* e = *r;
  int64_t start = 0, end = 0;
  if (spec.type == RangeSpec::kRank) {
    auto llen = static_cast<int64_t>(detail::Length(e));
    start = spec.start < 0 ? llen + spec.start : spec.start;
    end = spec.end < 0 ? llen + spec.end : spec.end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return int64_t{0};
    if (end >= llen) end = llen - 1;
  }
  uint64_t deleted = 0;
  const char* event = "zremrangebyrank";
  if (IsLp(e)) {
    switch (spec.type) {
      case RangeSpec::kRank:
        e->v.ptr = detail::LpDeleteRangeByRank(Lp(e), static_cast<uint64_t>(start + 1),
                                               static_cast<uint64_t>(end + 1), &deleted);
        break;
      case RangeSpec::kScore:
        e->v.ptr = detail::LpDeleteRangeByScore(Lp(e), spec.score, &deleted);
        break;
      case RangeSpec::kLex:
        e->v.ptr = detail::LpDeleteRangeByLex(Lp(e), spec.lex, &deleted);
        break;
    }
  } else {
    zsl::ZSet* zs = Sl(e);
    switch (spec.type) {
      case RangeSpec::kRank:
        deleted = zs->DeleteRangeByRank(static_cast<uint64_t>(start + 1),
                                        static_cast<uint64_t>(end + 1));
        break;
      case RangeSpec::kScore:
        deleted = zs->DeleteRangeByScore(spec.score);
        break;
      case RangeSpec::kLex:
        deleted = zs->DeleteRangeByLex(spec.lex);
        break;
    }
    zs->ShrinkIfNeeded();
  }
  if (spec.type == RangeSpec::kScore) event = "zremrangebyscore";
  if (spec.type == RangeSpec::kLex) event = "zremrangebylex";
  if (deleted) {
    ks.Modified(db, key, notify::kZset, event, static_cast<long long>(deleted));
    if (detail::Length(e) == 0) ks.DeleteEmptied(db, key);
  }
  return static_cast<int64_t>(deleted);
}

}  // namespace vireo::engine::zset
