// See zset_internal.h. Redis t_zset.c's zzl* functions, zsetConvert, and the
// cursor over both encodings.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/memory.h"
#include "base/numbers.h"
#include "engine/types/zset_internal.h"

namespace vireo::engine::zset::detail {

namespace {

// Redis's double2ll: integral and within +-LLONG_MAX/2.
bool DoubleToInt(double d, int64_t* out) {
  if (d < static_cast<double>(-INT64_MAX / 2) || d > static_cast<double>(INT64_MAX / 2))
    return false;
  auto ll = static_cast<int64_t>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

// Redis's d2string for a score that is not stored as an integer.
size_t ScoreText(double d, char* buf, size_t cap) {
  if (std::isnan(d)) return static_cast<size_t>(snprintf(buf, cap, "nan"));
  if (std::isinf(d)) return static_cast<size_t>(snprintf(buf, cap, d < 0 ? "-inf" : "inf"));
  return static_cast<size_t>(snprintf(buf, cap, "%.17g", d));
}

// zzlInsertAt: member then score before eptr (nullptr: at the end).
uint8_t* InsertAt(uint8_t* l, uint8_t* eptr, std::string_view member, double score) {
  int64_t iv;
  bool is_int = DoubleToInt(score, &iv);
  char buf[128];
  size_t n = is_int ? 0 : ScoreText(score, buf, sizeof(buf));
  if (!eptr) {
    l = lp::Append(l, member);
    return is_int ? lp::AppendInt(l, iv) : lp::Append(l, {buf, n});
  }
  uint8_t* sptr = nullptr;
  l = lp::Insert(l, member, eptr, lp::Where::kBefore, &sptr);
  if (is_int) return lp::InsertInt(l, iv, sptr, lp::Where::kAfter);
  return lp::Insert(l, {buf, n}, sptr, lp::Where::kAfter);
}

uint8_t* Mut(const uint8_t* p) { return const_cast<uint8_t*>(p); }

const uint8_t* LpPrevPair(const uint8_t* l, const uint8_t* eptr) {
  const uint8_t* sptr = lp::Prev(l, eptr);
  return sptr ? lp::Prev(l, sptr) : nullptr;
}

bool LpInRange(const uint8_t* l, const zsl::ScoreRange& r) {
  if (r.Empty()) return false;
  const uint8_t* p = lp::Seek(l, -1);
  if (!p || !r.GteMin(LpScore(p))) return false;
  p = lp::Seek(l, 1);
  return r.LteMax(LpScore(p));
}

bool LpInLexRange(const uint8_t* l, const zsl::LexRange& r) {
  if (r.Empty()) return false;
  char buf[32];
  const uint8_t* p = lp::Seek(l, -2);
  if (!p || !r.GteMin(LpMember(p, buf))) return false;
  p = lp::Seek(l, 0);
  return r.LteMax(LpMember(p, buf));
}

const uint8_t* LpFirstInRange(const uint8_t* l, const zsl::ScoreRange& r) {
  if (!LpInRange(l, r)) return nullptr;
  for (const uint8_t* e = lp::First(l); e; e = lp::Next(l, lp::Next(l, e))) {
    double s = LpScore(lp::Next(l, e));
    if (r.GteMin(s)) return r.LteMax(s) ? e : nullptr;
  }
  return nullptr;
}

const uint8_t* LpLastInRange(const uint8_t* l, const zsl::ScoreRange& r) {
  if (!LpInRange(l, r)) return nullptr;
  for (const uint8_t* e = lp::Seek(l, -2); e; e = LpPrevPair(l, e)) {
    double s = LpScore(lp::Next(l, e));
    if (r.LteMax(s)) return r.GteMin(s) ? e : nullptr;
  }
  return nullptr;
}

const uint8_t* LpFirstInLex(const uint8_t* l, const zsl::LexRange& r) {
  if (!LpInLexRange(l, r)) return nullptr;
  char buf[32];
  for (const uint8_t* e = lp::First(l); e; e = lp::Next(l, lp::Next(l, e))) {
    std::string_view m = LpMember(e, buf);
    if (r.GteMin(m)) return r.LteMax(m) ? e : nullptr;
  }
  return nullptr;
}

const uint8_t* LpLastInLex(const uint8_t* l, const zsl::LexRange& r) {
  if (!LpInLexRange(l, r)) return nullptr;
  char buf[32];
  for (const uint8_t* e = lp::Seek(l, -2); e; e = LpPrevPair(l, e)) {
    std::string_view m = LpMember(e, buf);
    if (r.LteMax(m)) return r.GteMin(m) ? e : nullptr;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------- listpack

double LpScore(const uint8_t* sptr) {
  lp::Elem el = lp::Get(sptr);
  if (el.is_int()) return static_cast<double>(el.v);
  // Why: zzlStrtod reads at most 127 bytes with strtod.
  char buf[128];
  size_t n = el.len < sizeof(buf) - 1 ? el.len : sizeof(buf) - 1;
  memcpy(buf, el.s, n);
  buf[n] = '\0';
  return strtod(buf, nullptr);
}

std::string_view LpMember(const uint8_t* eptr, char* buf) { return lp::Get(eptr).ToString(buf); }

uint8_t* LpFind(uint8_t* l, std::string_view member, double* score) {
  uint8_t* first = lp::First(l);
  if (!first) return nullptr;
  uint8_t* e = lp::Find(l, first, member, 1);
  if (e && score) *score = LpScore(lp::Next(l, e));
  return e;
}

uint8_t* LpInsert(uint8_t* l, std::string_view member, double score) {
  char buf[32];
  for (uint8_t* e = lp::First(l); e;) {
    uint8_t* s = lp::Next(l, e);
    double sc = LpScore(s);
    if (sc > score || (sc == score && zsl::CompareMembers(LpMember(e, buf), member) > 0))
      return InsertAt(l, e, member, score);
    e = lp::Next(l, s);
  }
  return InsertAt(l, nullptr, member, score);
}

uint8_t* LpAppend(uint8_t* l, std::string_view member, double score) {
  return InsertAt(l, nullptr, member, score);
}

uint8_t* LpDeletePair(uint8_t* l, uint8_t* eptr) { return lp::DeleteRangeAt(l, &eptr, 2); }

uint8_t* LpDeleteRangeByScore(uint8_t* l, const zsl::ScoreRange& r, uint64_t* deleted) {
  *deleted = 0;
  uint8_t* e = Mut(LpFirstInRange(l, r));
  while (e) {
    uint8_t* s = lp::Next(l, e);
    if (!s || !r.LteMax(LpScore(s))) break;
    l = lp::DeleteRangeAt(l, &e, 2);
    (*deleted)++;
  }
  return l;
}

uint8_t* LpDeleteRangeByLex(uint8_t* l, const zsl::LexRange& r, uint64_t* deleted) {
  *deleted = 0;
  char buf[32];
  uint8_t* e = Mut(LpFirstInLex(l, r));
  while (e) {
    if (!r.LteMax(LpMember(e, buf))) break;
    l = lp::DeleteRangeAt(l, &e, 2);
    (*deleted)++;
  }
  return l;
}

uint8_t* LpDeleteRangeByRank(uint8_t* l, uint64_t start, uint64_t end, uint64_t* deleted) {
  uint64_t num = end - start + 1;
  *deleted = num;
  return lp::DeleteRange(l, static_cast<int64_t>(2 * (start - 1)), static_cast<size_t>(2 * num));
}

// ---------------------------------------------------------------- entries

size_t Length(const Entry* e) { return IsLp(e) ? LpPairs(Lp(e)) : Sl(e)->size(); }

Entry* NewEntry(std::string_view key, Enc enc) {
  Entry* e = AllocEntry(key, 0);
  e->type = static_cast<uint8_t>(ObjType::kZset);
  e->enc = static_cast<uint8_t>(enc);
  if (enc == Enc::kListpack)
    e->v.ptr = lp::New();
  else
    e->v.ptr = new zsl::ZSet();
  return e;
}

void Convert(Entry* e, Enc to) {
  if (e->encoding() == to) return;
  if (to == Enc::kSkiplist) {
    uint8_t* l = Lp(e);
    auto* zs = new zsl::ZSet();
    char buf[32];
    for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, lp::Next(l, p)))
      zs->Insert(LpScore(lp::Next(l, p)), LpMember(p, buf));
    lp::Free(l);
    e->v.ptr = zs;
  } else {
    zsl::ZSet* zs = Sl(e);
    uint8_t* l = lp::New();
    for (const zsl::Node* n = zs->first(); n; n = zsl::ZSet::next(n))
      l = InsertAt(l, nullptr, n->member(), n->score);
    delete zs;
    e->v.ptr = l;
  }
  e->enc = static_cast<uint8_t>(to);
}

void ConvertToListpackIfNeeded(Entry* e, size_t maxelelen, size_t totelelen,
                               const KeyspaceOptions& o) {
  if (IsLp(e)) return;
  if (Sl(e)->size() <= o.zset_max_listpack_entries && maxelelen <= o.zset_max_listpack_value &&
      lp::SafeToAdd(nullptr, totelelen))
    Convert(e, Enc::kListpack);
}

void AddNew(Entry* e, std::string_view member, double score, const KeyspaceOptions& o) {
  if (IsLp(e)) {
    uint8_t* l = Lp(e);
    // Why: zsetAdd checks the limits *before* inserting and converts first.
    if (LpPairs(l) + 1 > o.zset_max_listpack_entries || member.size() > o.zset_max_listpack_value ||
        !lp::SafeToAdd(l, member.size())) {
      Convert(e, Enc::kSkiplist);
    } else {
      e->v.ptr = LpInsert(l, member, score);
      return;
    }
  }
  Sl(e)->Insert(score, member);
}

bool FindScore(const Entry* e, std::string_view member, double* score) {
  if (IsLp(e)) return LpFind(Lp(e), member, score) != nullptr;
  zsl::Node* n = Sl(e)->Find(member);
  if (!n) return false;
  *score = n->score;
  return true;
}

bool Remove(Entry* e, std::string_view member) {
  if (IsLp(e)) {
    uint8_t* p = LpFind(Lp(e), member, nullptr);
    if (!p) return false;
    e->v.ptr = LpDeletePair(Lp(e), p);
    return true;
  }
  zsl::ZSet* zs = Sl(e);
  if (!zs->Delete(member)) return false;
  zs->ShrinkIfNeeded();
  return true;
}

// ---------------------------------------------------------------- cursor

void Cursor::Next() {
  if (lp_) {
    eptr_ = lp::Next(lp_, lp::Next(lp_, eptr_));
  } else {
    node_ = zsl::ZSet::next(node_);
  }
}

void Cursor::Prev() {
  if (lp_) {
    eptr_ = LpPrevPair(lp_, eptr_);
  } else {
    node_ = node_->backward;
  }
}

Cursor First(const Entry* e) {
  return IsLp(e) ? Cursor::AtLp(Lp(e), lp::First(Lp(e))) : Cursor::AtNode(Sl(e)->first());
}

Cursor Last(const Entry* e) {
  return IsLp(e) ? Cursor::AtLp(Lp(e), lp::Seek(Lp(e), -2)) : Cursor::AtNode(Sl(e)->last());
}

Cursor AtRank(const Entry* e, uint64_t rank) {
  if (IsLp(e)) return Cursor::AtLp(Lp(e), lp::Seek(Lp(e), static_cast<int64_t>(2 * rank)));
  // Why: as genericZrangebyrankCommand, rank 0 needs no log(N) descent.
  if (rank == 0) return Cursor::AtNode(Sl(e)->first());
  return Cursor::AtNode(Sl(e)->ByRank(rank + 1));
}

Cursor FirstInRange(const Entry* e, const zsl::ScoreRange& r) {
  if (IsLp(e)) return Cursor::AtLp(Lp(e), LpFirstInRange(Lp(e), r));
  return Cursor::AtNode(Sl(e)->FirstInRange(r));
}

Cursor LastInRange(const Entry* e, const zsl::ScoreRange& r) {
  if (IsLp(e)) return Cursor::AtLp(Lp(e), LpLastInRange(Lp(e), r));
  return Cursor::AtNode(Sl(e)->LastInRange(r));
}

Cursor FirstInLex(const Entry* e, const zsl::LexRange& r) {
  if (IsLp(e)) return Cursor::AtLp(Lp(e), LpFirstInLex(Lp(e), r));
  return Cursor::AtNode(Sl(e)->FirstInLexRange(r));
}

Cursor LastInLex(const Entry* e, const zsl::LexRange& r) {
  if (IsLp(e)) return Cursor::AtLp(Lp(e), LpLastInLex(Lp(e), r));
  return Cursor::AtNode(Sl(e)->LastInLexRange(r));
}

}  // namespace vireo::engine::zset::detail
