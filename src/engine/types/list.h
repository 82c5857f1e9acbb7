// Lists: the value-table row and the list commands' operations over the
// Keyspace (Redis 7.0.15's t_list.c).
//
// A list value is always a quicklist (engine/encoding/quicklist.h): Redis
// 7.0 has no other list encoding (listpack-encoded small lists came in
// 7.2), so OBJECT ENCODING answers "quicklist". A new list takes the
// current list-max-listpack-size / list-compress-depth; later CONFIG SETs
// do not change existing lists (as Redis).
//
// Each operation looks the key up with Redis's flags (reads: kLookupRead,
// writes: kLookupWrite), checks the type, changes the quicklist, and
// reports the change with Redis 7.0's event names and dirty amounts: a
// created key emits "new" (SetKeyAt), the command its own event
// (Modified), and a list left empty is removed after it (DeleteEmptied,
// "del"). Elements are handed to the caller through ElemFn while the list
// is still untouched (no copies): the views are valid only during the call.
//
// Operations the blocking commands reuse (BLPOP BRPOP BLMPOP BLMOVE
// BRPOPLPUSH): Pop (one key, with or without a count), MPop (the first
// non-empty of several keys, as LMPOP/BLMPOP), Move (LMOVE semantics) and
// Length. They do the same lookups, events and dirty as the non-blocking
// commands; the blocking layer only adds the waiting and its propagation
// forms (Redis serves a blocked client with the same t_list.c helpers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"

namespace vireo::engine::ql {
struct Quicklist;
}

namespace vireo::engine::list {

// A non-owning callable `void(std::string_view elem, size_t i, size_t n)`:
// element i (0-based) of n to be produced, so a handler can write an array
// header at i == 0 without a deferred length.
class ElemFn {
 public:
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, ElemFn>)
  ElemFn(F&& f)  // NOLINT: implicit from any callable (it outlives the call)
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, std::string_view s, size_t i, size_t n) {
          (*static_cast<std::remove_reference_t<F>*>(o))(s, i, n);
        }) {}
  void operator()(std::string_view s, size_t i, size_t n) const { call_(obj_, s, i, n); }

 private:
  void* obj_;
  void (*call_)(void*, std::string_view, size_t, size_t);
};

// ---- values ----------------------------------------------------------------
// The quicklist of a list entry.
inline ql::Quicklist* QL(const Entry* e) { return static_cast<ql::Quicklist*>(e->v.ptr); }
// A new, empty list entry with the keyspace's current list options.
Entry* NewListEntry(const Keyspace& ks, std::string_view key);

// ---- value table rows (value.h) ------------------------------------------------
void FreeValue(Entry* e);
size_t FreeEffort(const Entry* e);  // number of nodes (lazyfreeGetFreeEffort)
Entry* Dup(const Entry* e, std::string_view newkey);
size_t MemoryUsage(const Entry* e, size_t samples);  // objectComputeSize's sampling
void Digest(const Entry* e, uint8_t digest[20]);

// ---- DEBUG ---------------------------------------------------------------------------
// DEBUG QUICKLIST <key> [full]: prints quicklistRepr to stdout for a list
// entry (the caller checks enc == kQuicklist and replies). For DEBUG
// LISTPACK of a listpack value use ql::LpRepr; DEBUG
// QUICKLIST-PACKED-THRESHOLD is ql::SetPackedThreshold.
void Repr(const Entry* e, bool full);

// ---- operations ---------------------------------------------------------------------
// LLEN (also for the blocking layer: 0 with kNotFound).
OpResult<size_t> Length(Keyspace& ks, int db, std::string_view key, int lookup = kLookupRead);

// LPUSH/RPUSH (left = head), LPUSHX/RPUSHX (xx: kNotFound when the key is
// missing, nothing created). Returns the new length. Events: "new" for a
// created key, then "lpush"/"rpush"; dirty += number of elements.
OpResult<size_t> Push(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> elems, bool left, bool xx);

// LPOP/RPOP and the blocking pops. count < 0: pop one element (shown as
// element 0 of 1); count == 0: only the key and its type are checked
// (Redis's "LPOP key 0" fast exit: nothing changes); count > 0: up to
// count elements, in pop order. Returns the number popped; kNotFound,
// kWrongType. Events: "lpop"/"rpop", then "del" when emptied; dirty +=
// popped.
OpResult<size_t> Pop(Keyspace& ks, int db, std::string_view key, bool left, int64_t count,
                     const ElemFn& out);

// LMPOP / BLMPOP's non-blocking step, and BLPOP/BRPOP's: pops up to
// `count` (>= 1) elements — or, with count < 0, one element shown as
// element 0 of 1 (BLPOP/BRPOP) — from the first of `keys` holding a
// non-empty list. A key of another type met before that is kWrongType
// (Redis checks each key in turn); kNotFound when none holds a list (the
// caller blocks or answers null). On success *key_index is the key popped
// from and the result the number popped (the COUNT Redis propagates:
// LPOP/RPOP key <popped>; BLPOP propagates LPOP key).
OpResult<size_t> MPop(Keyspace& ks, int db, std::span<const std::string_view> keys, bool left,
                      int64_t count, size_t* key_index, const ElemFn& out);

// LMOVE / RPOPLPUSH (and BLMOVE/BRPOPLPUSH once an element is there): pops
// from `src` (from_left: head) and pushes onto `dst` (to_left: head),
// `dst` may be `src` (rotation). kNotFound when src does not exist;
// kWrongType when src, or then dst, holds another type — dst is checked
// before anything is popped, as Redis does. The moved element is shown to
// `out` (as element 0 of 1) after the move. Events, in Redis's order:
// "new" for a created dst, "lpush"/"rpush" on dst, "lpop"/"rpop" on src,
// "del" if src was emptied; dirty += 1.
OpStatus Move(Keyspace& ks, int db, std::string_view src, std::string_view dst, bool from_left,
              bool to_left, const ElemFn& out);

// LRANGE: elements start..end (negative from the tail, clamped); returns
// how many were shown (0: an empty range). kNotFound / kWrongType.
OpResult<size_t> Range(Keyspace& ks, int db, std::string_view key, int64_t start, int64_t end,
               const ElemFn& out);

// LINDEX: shows the element at idx; kNotFound for a missing key, and kOk
// with nothing shown (returns false) for an index out of range.
OpResult<bool> Index(Keyspace& ks, int db, std::string_view key, int64_t idx, const ElemFn& out);

// LSET: kNotFound ("no such key"), kWrongType, kIndexOutOfRange. "lset".
OpStatus Set(Keyspace& ks, int db, std::string_view key, int64_t idx, std::string_view elem);

// LINSERT: the new length, -1 when the pivot is not there; kNotFound for
// a missing key. "linsert" when inserted.
OpResult<int64_t> Insert(Keyspace& ks, int db, std::string_view key, bool after,
                         std::string_view pivot, std::string_view elem);

// LREM: removes up to |count| occurrences (all for 0; from the tail when
// negative); returns how many. "lrem" when any, then "del" if emptied.
OpResult<size_t> Rem(Keyspace& ks, int db, std::string_view key, int64_t count,
                     std::string_view elem);

// LTRIM: keeps start..end. kNotFound for a missing key (Redis replies OK).
// Always emits "ltrim" (even when nothing was removed), then "del" if
// emptied; dirty += removed elements.
OpStatus Trim(Keyspace& ks, int db, std::string_view key, int64_t start, int64_t end);

// LPOS: rank != 0 (negative: from the tail), count -1 = the option was not
// given (at most one match), 0 = all; maxlen 0 = no limit. Matches go to
// *out in search order. kNotFound / kWrongType.
OpStatus Pos(Keyspace& ks, int db, std::string_view key, std::string_view elem, int64_t rank,
             int64_t count, int64_t maxlen, std::vector<int64_t>* out);

}  // namespace vireo::engine::list
