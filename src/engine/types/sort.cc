// See sort.h. The order of steps, the LIMIT clamping and the comparison
// rules follow sortCommandGeneric / sortCompare in Redis 7.0's sort.c.
#include "engine/types/sort.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "engine/encoding/quicklist.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/string.h"
#include "engine/types/zset_internal.h"

namespace vireo::engine::sort {
namespace {

struct Item {
  std::string obj;
  double score = 0;
  std::optional<std::string> cmp;  // ALPHA with BY: the BY value
};

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the
// first '*' is replaced by the element, and a "->field" suffix reads a hash
// field. Nothing (nullopt) when the pattern has no '*', the key is missing
// or of the wrong type, or the field is absent.
std::optional<std::string> LookupByPattern(Keyspace& ks, int db, std::string_view pattern,
                                           std::string_view subst) {
  if (pattern == "#") return std::string(subst);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  // Why: "->" at the very end is part of the key name, not a field access.
  bool has_field = arrow != std::string_view::npos && arrow + 2 < pattern.size();
  std::string_view rest = pattern.substr(star + 1);
  if (has_field) {
    field = pattern.substr(arrow + 2);
    rest = pattern.substr(star + 1, arrow - star - 1);
  }
  std::string key;
  key.reserve(star + subst.size() + rest.size());
  key.append(pattern.substr(0, star)).append(subst).append(rest);
  Entry* e = ks.Find(db, key, kLookupRead);
  if (e == nullptr) return std::nullopt;
  char buf[32];
  if (has_field) {
    if (e->otype() != ObjType::kHash) return std::nullopt;
    hash::Elem v;
    if (!hash::GetField(e, field, &v)) return std::nullopt;
    return std::string(v.ToString(buf));
  }
  if (e->otype() != ObjType::kString) return std::nullopt;
  return std::string(str::Value(e, buf));
}

// compareStringObjects: bytes, then length.
int CompareBinary(std::string_view a, std::string_view b) {
  int c = memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// Loads the elements to sort into *v. For a list or sorted set that is
// not sorted (dontsort), only [start, end] in native order (reversed with
// DESC), as Redis's direct loading does; then *start/*end become 0-based
// in *v.
void Load(const Entry* e, bool dontsort, bool desc, int64_t* start, int64_t* end,
          std::vector<Item>* v) {
  char buf[32];
  if (e->otype() == ObjType::kList) {
    ql::Quicklist* q = list::QL(e);
    if (dontsort) {
      if (*end < *start) return;
      int64_t len = static_cast<int64_t>(q->count);
      ql::Iter it(q, desc ? ql::kStartTail : ql::kStartHead);
      it.Seek(desc ? len - *start - 1 : *start);
      ql::Item item;
      int64_t want = *end - *start + 1;
      while (static_cast<int64_t>(v->size()) < want && it.Next(&item))
        v->push_back(Item{std::string(item.View(buf)), 0, std::nullopt});
      *end -= *start;
      *start = 0;
      return;
    }
    ql::Iter it(q, ql::kStartHead);
    ql::Item item;
    while (it.Next(&item)) v->push_back(Item{std::string(item.View(buf)), 0, std::nullopt});
  } else if (e->otype() == ObjType::kSet) {
    set::FnSink sink([&](std::string_view m) { v->push_back(Item{std::string(m), 0, std::nullopt}); });
    set::ForEachMember(e, sink);
  } else if (dontsort) {
    // A sorted set in its own order, DESC from the top.
    int64_t len = static_cast<int64_t>(zset::detail::Length(e));
    int64_t n = *end - *start + 1;
    zset::detail::Cursor c = desc ? zset::detail::AtRank(e, static_cast<uint64_t>(len - *start - 1))
                                  : zset::detail::AtRank(e, static_cast<uint64_t>(*start));
    for (int64_t i = 0; i < n && c.valid(); i++) {
      v->push_back(Item{std::string(c.member(buf)), 0, std::nullopt});
      if (desc)
        c.Prev();
      else
        c.Next();
    }
    *end -= *start;
    *start = 0;
  } else {
    for (zset::detail::Cursor c = zset::detail::First(e); c.valid(); c.Next())
      v->push_back(Item{std::string(c.member(buf)), 0, std::nullopt});
  }
}

}  // namespace

OpStatus Sort(Keyspace& ks, int db, std::string_view key, const Spec& spec, Output* out,
              int64_t* stored) {
  bool dontsort = spec.dontsort;
  bool alpha = spec.alpha;
  bool use_by = spec.has_by;
  Entry* e = ks.Find(db, key, kLookupRead);
  if (e && e->otype() != ObjType::kList && e->otype() != ObjType::kSet &&
      e->otype() != ObjType::kZset)
    return OpStatus::kWrongType;
  if (e && dontsort && e->otype() == ObjType::kSet && (spec.has_store || spec.from_script)) {
    // Why: a set has no order of its own; what is stored (or replicated
    // from a script) must not depend on the table's layout.
    dontsort = false;
    alpha = true;
    use_by = false;
  }
  // Why: Redis converts a listpack sorted set to a skiplist for SORT, for
  // good (OBJECT ENCODING shows it afterwards).
  if (e && e->otype() == ObjType::kZset) zset::detail::Convert(e, Enc::kSkiplist);

  int64_t vectorlen = 0;
  if (e) {
    switch (e->otype()) {
      case ObjType::kList: vectorlen = static_cast<int64_t>(list::QL(e)->count); break;
      case ObjType::kSet: vectorlen = static_cast<int64_t>(set::Size(e)); break;
      default: vectorlen = static_cast<int64_t>(zset::detail::Length(e)); break;
    }
  }
  int64_t start = std::min(std::max(spec.limit_start, int64_t{0}), vectorlen);
  int64_t limit_count = std::min(std::max(spec.limit_count, int64_t{-1}), vectorlen);
  int64_t end = limit_count < 0 ? vectorlen - 1 : start + limit_count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  std::vector<Item> v;
  if (e) {
    v.reserve(static_cast<size_t>(vectorlen));
    Load(e, dontsort && e->otype() != ObjType::kSet, spec.desc, &start, &end, &v);
  }

  if (!dontsort) {
    bool conversion_error = false;
    for (Item& it : v) {
      std::optional<std::string> byval;
      if (use_by) {
        byval = LookupByPattern(ks, db, spec.by, it.obj);
        if (!byval) continue;
      }
      const std::string& src = use_by ? *byval : it.obj;
      if (alpha) {
        if (use_by) it.cmp = std::move(byval);
      } else {
        // Why: Redis parses with strtod: leading spaces, hex and "inf" are
        // accepted; trailing bytes, overflow and NaN are errors.
        errno = 0;
        char* eptr = nullptr;
        it.score = strtod(src.c_str(), &eptr);
        if (eptr[0] != '\0' || errno == ERANGE || std::isnan(it.score)) conversion_error = true;
      }
    }
    if (conversion_error) return OpStatus::kNotDouble;
    bool desc = spec.desc;
    auto cmp = [&](const Item& a, const Item& b) {
      int c;
      if (!alpha) {
        if (a.score != b.score) {
          c = a.score > b.score ? 1 : -1;
        } else {
          // Why: equal scores compare the elements, so the order is
          // deterministic.
          c = CompareBinary(a.obj, b.obj);
        }
      } else if (use_by) {
        if (!a.cmp || !b.cmp) {
          c = (!a.cmp && !b.cmp) ? 0 : (!a.cmp ? -1 : 1);
        } else {
          c = CompareBinary(*a.cmp, *b.cmp);
        }
      } else {
        c = CompareBinary(a.obj, b.obj);
      }
      return desc ? c > 0 : c < 0;
    };
    std::stable_sort(v.begin(), v.end(), cmp);
  }

  int64_t n = end - start + 1;
  if (n < 0) n = 0;
  size_t getop = spec.gets.size();
  int64_t outputlen = getop ? static_cast<int64_t>(getop) * n : n;
  Output res;
  res.reserve(static_cast<size_t>(outputlen));
  for (int64_t j = start; j <= end; j++) {
    const std::string& obj = v[static_cast<size_t>(j)].obj;
    if (getop == 0) {
      res.emplace_back(obj);
      continue;
    }
    for (std::string_view pat : spec.gets) res.push_back(LookupByPattern(ks, db, pat, obj));
  }

  if (!spec.has_store) {
    *out = std::move(res);
    return OpStatus::kOk;
  }
  *stored = outputlen;
  if (outputlen > 0) {
    Entry* dst = list::NewListEntry(ks, spec.store);
    ql::Quicklist* q = list::QL(dst);
    // Why: a GET that found nothing stores an empty string.
    for (const auto& s : res) ql::PushTail(q, s ? std::string_view(*s) : std::string_view());
    ks.SetKey(db, dst);
    ks.Event(notify::kList, "sortstore", db, spec.store);
    ks.dirty += outputlen;
  } else if (ks.Find(db, spec.store, kLookupWrite)) {
    ks.Delete(db, spec.store, ks.options().lazyfree_lazy_server_del);
  }
  return OpStatus::kOk;
}

}  // namespace vireo::engine::sort
