// See list.h. Redis 7.0.15's t_list.c semantics over the Keyspace: the
// same quicklist calls in the same order (so node layouts match), the same
// events and dirty amounts.
#include "engine/types/list.h"

#include <string>

#include "base/memory.h"
#include "engine/encoding/quicklist.h"
#include "engine/value.h"

namespace vireo::engine::list {
namespace {

constexpr const char* PopEvent(bool left) { return left ? "lpop" : "rpop"; }
constexpr const char* PushEvent(bool left) { return left ? "lpush" : "rpush"; }

// addListRangeReply's walk: shows start..end (negative from the tail), in
// reverse from end when `reverse`. Returns the number shown.
size_t EmitRange(ql::Quicklist* q, int64_t start, int64_t end, bool reverse, const ElemFn& out) {
  int64_t llen = static_cast<int64_t>(q->count);
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  // Why: start >= 0 here, so end < 0 also lands in the empty case.
  if (start > end || start >= llen) return 0;
  if (end >= llen) end = llen - 1;
  size_t rangelen = static_cast<size_t>(end - start + 1);
  // Why: LIST_HEAD direction (reverse) walks from the tail towards the head.
  ql::Iter it(q, reverse ? ql::kStartTail : ql::kStartHead);
  it.Seek(reverse ? end : start);
  ql::Item e;
  char buf[32];
  for (size_t i = 0; i < rangelen && it.Next(&e); i++) out(e.View(buf), i, rangelen);
  return rangelen;
}

// listElementsRemoved: the pop event, then "del" when emptied; dirty += n.
void ElementsRemoved(Keyspace& ks, int db, std::string_view key, bool left, Entry* e,
                     size_t n) {
  ks.Modified(db, key, notify::kList, PopEvent(left), static_cast<long long>(n));
  if (QL(e)->count == 0) ks.DeleteEmptied(db, key);
}

// popGenericCommand / listPopRangeAndReplyWithKey on a found list.
size_t PopFromEntry(Keyspace& ks, int db, std::string_view key, Entry* e, bool left,
                    int64_t count, const ElemFn& out) {
  ql::Quicklist* q = QL(e);
  if (count < 0) {
    char buf[32];
    ql::Pop(q, left, [&](const ql::Item& it) { out(it.View(buf), 0, 1); });
    ElementsRemoved(ks, db, key, left, e, 1);
    return 1;
  }
  int64_t llen = static_cast<int64_t>(q->count);
  int64_t rangelen = count > llen ? llen : count;
  int64_t rangestart = left ? 0 : -rangelen;
  int64_t rangeend = left ? rangelen - 1 : -1;
  EmitRange(q, rangestart, rangeend, !left, out);
  ql::DelRange(q, static_cast<long>(rangestart), static_cast<long>(rangelen));
  ElementsRemoved(ks, db, key, left, e, static_cast<size_t>(rangelen));
  return static_cast<size_t>(rangelen);
}

}  // namespace

// ---------------------------------------------------------------- values

Entry* NewListEntry(const Keyspace& ks, std::string_view key) {
  Entry* e = AllocEntry(key, 0);
  e->type = static_cast<uint8_t>(ObjType::kList);
  e->enc = static_cast<uint8_t>(Enc::kQuicklist);
  e->v.ptr = ql::Create(ks.options().list_max_listpack_size, ks.options().list_compress_depth);
  return e;
}

void FreeValue(Entry* e) { ql::Release(QL(e)); }

size_t FreeEffort(const Entry* e) { return QL(e)->len; }

Entry* Dup(const Entry* e, std::string_view newkey) {
  Entry* n = AllocEntry(newkey, 0);
  n->type = static_cast<uint8_t>(ObjType::kList);
  n->enc = static_cast<uint8_t>(Enc::kQuicklist);
  n->v.ptr = ql::Dup(QL(e));
  return n;
}

size_t MemoryUsage(const Entry* e, size_t samples) {
  const ql::Quicklist* q = QL(e);
  size_t asize = base::AllocSize(e) + base::AllocSize(q);
  // Why: objectComputeSize samples the first `samples` nodes (node struct
  // + listpack allocation) and scales the average to all nodes.
  size_t elesize = 0, n = 0;
  for (const ql::Node* node = q->head; node && (samples == 0 || n < samples); node = node->next) {
    elesize += sizeof(ql::Node) + base::AllocSize(node->entry);
    n++;
  }
  if (n) asize += static_cast<size_t>(static_cast<double>(elesize) / n * q->len);
  return asize;
}

void Digest(const Entry* e, uint8_t digest[20]) {
  ql::Iter it(QL(e), ql::kStartHead);
  ql::Item item;
  char buf[32];
  while (it.Next(&item)) {
    std::string_view v = item.View(buf);
    MixDigest(digest, v.data(), v.size());
  }
}

void Repr(const Entry* e, bool full) { ql::Repr(QL(e), full); }

// ---------------------------------------------------------------- operations

OpResult<size_t> Length(Keyspace& ks, int db, std::string_view key, int lookup) {
  auto r = ks.FindOfType(db, key, ObjType::kList, lookup);
  if (!r.ok()) return r.status();
  return static_cast<size_t>(QL(*r)->count);
}

OpResult<size_t> Push(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> elems, bool left, bool xx) {
  Entry** link = ks.FindLinkForWrite(db, key);
  Entry* e;
  if (link) {
    e = *link;
    if (e->otype() != ObjType::kList) return OpStatus::kWrongType;
  } else {
    if (xx) return OpStatus::kNotFound;
    e = NewListEntry(ks, key);
    // Why: dbAdd emits "new" but does not signal; the push below does.
    ks.SetKeyAt(db, nullptr, e, kSetKeyNoSignal);
  }
  ql::Quicklist* q = QL(e);
  for (std::string_view v : elems) ql::Push(q, v, left);
  ks.Modified(db, key, notify::kList, PushEvent(left), static_cast<long long>(elems.size()));
  return static_cast<size_t>(q->count);
}

OpResult<size_t> Pop(Keyspace& ks, int db, std::string_view key, bool left, int64_t count,
                     const ElemFn& out) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  // Why: "LPOP key 0" answers an empty array once the key was checked.
  if (count == 0) return size_t{0};
  return PopFromEntry(ks, db, key, *r, left, count, out);
}

OpResult<size_t> MPop(Keyspace& ks, int db, std::span<const std::string_view> keys, bool left,
                      int64_t count, size_t* key_index, const ElemFn& out) {
  for (size_t j = 0; j < keys.size(); j++) {
    Entry* e = ks.Find(db, keys[j], kLookupWrite);
    if (!e) continue;
    if (e->otype() != ObjType::kList) return OpStatus::kWrongType;
    if (QL(e)->count == 0) continue;
    *key_index = j;
    return PopFromEntry(ks, db, keys[j], e, left, count, out);
  }
  return OpStatus::kNotFound;
}

OpStatus Move(Keyspace& ks, int db, std::string_view src, std::string_view dst, bool from_left,
              bool to_left, const ElemFn& out) {
  auto r = ks.FindOfType(db, src, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  Entry* s = *r;
  ql::Quicklist* sq = QL(s);
  // Why: only very old RDB files could hold an empty list; Redis answers null.
  if (sq->count == 0) return OpStatus::kNotFound;
  Entry* d = ks.Find(db, dst, kLookupWrite);
  if (d && d->otype() != ObjType::kList) return OpStatus::kWrongType;
  // The value is copied: pushing onto the same list may move its bytes.
  std::string value;
  ql::Pop(sq, from_left, [&](const ql::Item& it) {
    char buf[32];
    value.assign(it.View(buf));
  });
  if (!d) {
    d = NewListEntry(ks, dst);
    ks.SetKeyAt(db, nullptr, d, kSetKeyNoSignal);
  }
  ql::Push(QL(d), value, to_left);
  ks.Modified(db, dst, notify::kList, PushEvent(to_left), 0);
  out(value, 0, 1);
  ks.Modified(db, src, notify::kList, PopEvent(from_left), 1);
  if (sq->count == 0) ks.DeleteEmptied(db, src);
  return OpStatus::kOk;
}

OpResult<size_t> Range(Keyspace& ks, int db, std::string_view key, int64_t start, int64_t end,
                       const ElemFn& out) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupRead);
  if (!r.ok()) return r.status();
  return EmitRange(QL(*r), start, end, false, out);
}

OpResult<bool> Index(Keyspace& ks, int db, std::string_view key, int64_t idx, const ElemFn& out) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupRead);
  if (!r.ok()) return r.status();
  ql::Iter it(QL(*r), ql::kStartTail);
  ql::Item e;
  if (!ql::GetAtIndex(&it, idx, &e)) return false;
  char buf[32];
  out(e.View(buf), 0, 1);
  return true;
}

OpStatus Set(Keyspace& ks, int db, std::string_view key, int64_t idx, std::string_view elem) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  if (!ql::ReplaceAtIndex(QL(*r), static_cast<long>(idx), elem)) return OpStatus::kIndexOutOfRange;
  ks.Modified(db, key, notify::kList, "lset", 1);
  return OpStatus::kOk;
}

OpResult<int64_t> Insert(Keyspace& ks, int db, std::string_view key, bool after,
                         std::string_view pivot, std::string_view elem) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  ql::Quicklist* q = QL(*r);
  bool inserted = false;
  {
    ql::Iter it(q, ql::kStartHead);
    it.Seek(0);
    ql::Item e;
    while (it.Next(&e)) {
      if (ql::Compare(e, pivot)) {
        if (after)
          it.InsertAfter(&e, elem);
        else
          it.InsertBefore(&e, elem);
        inserted = true;
        break;
      }
    }
  }
  if (!inserted) return int64_t{-1};
  ks.Modified(db, key, notify::kList, "linsert", 1);
  return static_cast<int64_t>(q->count);
}

OpResult<size_t> Rem(Keyspace& ks, int db, std::string_view key, int64_t count,
                     std::string_view elem) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  ql::Quicklist* q = QL(*r);
  uint64_t toremove;
  size_t removed = 0;
  {
    ql::Iter it(q, count < 0 ? ql::kStartTail : ql::kStartHead);
    if (count < 0) {
      toremove = static_cast<uint64_t>(-(count + 1)) + 1;
      it.Seek(-1);
    } else {
      toremove = static_cast<uint64_t>(count);
      it.Seek(0);
    }
    ql::Item e;
    while (it.Next(&e)) {
      if (ql::Compare(e, elem)) {
        it.Delete(&e);
        removed++;
        if (toremove && removed == toremove) break;
      }
    }
  }
  if (removed) ks.Modified(db, key, notify::kList, "lrem", static_cast<long long>(removed));
  if (q->count == 0) ks.DeleteEmptied(db, key);
  return removed;
}

OpStatus Trim(Keyspace& ks, int db, std::string_view key, int64_t start, int64_t end) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupWrite);
  if (!r.ok()) return r.status();
  ql::Quicklist* q = QL(*r);
  int64_t llen = static_cast<int64_t>(q->count);
  int64_t ltrim, rtrim;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    // Out of range, or start > end: the list becomes empty.
    ltrim = llen;
    rtrim = 0;
  } else {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  ql::DelRange(q, 0, static_cast<long>(ltrim));
  ql::DelRange(q, static_cast<long>(-rtrim), static_cast<long>(rtrim));
  // Why: Redis notifies "ltrim" and signals even when nothing was removed.
  ks.Modified(db, key, notify::kList, "ltrim", ltrim + rtrim);
  if (q->count == 0) ks.DeleteEmptied(db, key);
  return OpStatus::kOk;
}

OpStatus Pos(Keyspace& ks, int db, std::string_view key, std::string_view elem, int64_t rank,
             int64_t count, int64_t maxlen, std::vector<int64_t>* out) {
  auto r = ks.FindOfType(db, key, ObjType::kList, kLookupRead);
  if (!r.ok()) return r.status();
  ql::Quicklist* q = QL(*r);
  bool from_tail = rank < 0;
  // Why: Redis negates a negative rank in a long: -LLONG_MIN stays
  // LLONG_MIN, so every match then qualifies and "matches - rank + 1"
  // wraps below any COUNT. Reproduced with wrapping arithmetic.
  int64_t erank = from_tail ? static_cast<int64_t>(uint64_t(0) - static_cast<uint64_t>(rank)) : rank;
  ql::Iter it(q, from_tail ? ql::kStartTail : ql::kStartHead);
  it.Seek(from_tail ? -1 : 0);
  int64_t llen = static_cast<int64_t>(q->count);
  int64_t index = 0, matches = 0;
  ql::Item e;
  while (it.Next(&e) && (maxlen == 0 || index < maxlen)) {
    if (ql::Compare(e, elem)) {
      matches++;
      int64_t matchindex = from_tail ? llen - index - 1 : index;
      if (matches >= erank) {
        out->push_back(matchindex);
        if (count == -1) break;
        int64_t seen = static_cast<int64_t>(static_cast<uint64_t>(matches) -
                                            static_cast<uint64_t>(erank) + 1);
        if (count && seen >= count) break;
      }
    }
    index++;
  }
  return OpStatus::kOk;
}

}  // namespace vireo::engine::list
