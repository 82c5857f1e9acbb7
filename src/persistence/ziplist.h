// Ziplist: the compact list encoding of Redis 2.6 to 6.2, read-only here.
// Redis 7.0 no longer keeps ziplists in memory, but RDB files of versions
// 7 to 9 (and DUMP payloads of those versions) carry them for small lists
// (RDB_TYPE_LIST_ZIPLIST, and every node of RDB_TYPE_LIST_QUICKLIST),
// small hashes (RDB_TYPE_HASH_ZIPLIST) and small sorted sets
// (RDB_TYPE_ZSET_ZIPLIST). The RDB loader validates each one and converts
// it into a listpack (engine/encoding/listpack.h) on load, exactly as Redis
// 7.0.15's rdbLoadObject does; this module is that validator and converter.
//
// Layout (ziplist.c): <zlbytes u32 LE> <zltail u32 LE: offset of the last
// entry> <zllen u16 LE, 65535 = count them> <entry>* <0xFF>. An entry is
// <prevlen> <encoding> <data>:
//   prevlen   size of the previous entry: 1 byte when < 254, else 0xFE and
//             a u32 LE (5 bytes);
//   encoding  00pppppp          string of up to 63 bytes
//             01pppppp qqqqqqqq string of up to 16383 bytes (14-bit BE)
//             10______ + u32 BE string of up to 2^32-1 bytes
//             0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8
//             (all LE two's complement), 0xF1..0xFD the values 0..12 in
//             the encoding byte itself (4-bit immediate minus one).
//
// Every function here is safe on arbitrary bytes (they are fuzzed): the
// walk never reads outside [zl, zl + size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "engine/encoding/listpack.h"

namespace vireo::persistence::ziplist {

inline constexpr size_t kHeaderSize = 10;
inline constexpr uint8_t kEnd = 0xFF;

// One entry as stored: a string (s, len) or an integer (v), the same shape
// as a listpack element. ToString gives the text Redis compares duplicate
// hash fields / zset members by.
using Entry = engine::lp::Elem;

// Redis's ziplistValidateIntegrity. Shallow: at least header + terminator,
// zlbytes == size, the last byte 0xFF, zltail <= size - 1. Deep, also every
// entry: a known encoding, prevlen and data inside the ziplist, prevlen equal
// to the previous entry's size (0 for the first), the walk ending exactly at
// the terminator, zltail at the last entry (when there is one), and zllen
// equal to the count unless it is 65535. `count` (when not null) receives
// the number of entries after a successful deep validation.
bool ValidateIntegrity(const uint8_t* zl, size_t size, bool deep, uint32_t* count = nullptr);

// The deep walk of ValidateIntegrity calling cb(ud, entry) on each entry in
// order, as Redis's ziplistValidateIntegrity calls its entry callback: the
// entry is checked before the callback sees it, the whole-ziplist checks
// (end, tail, count) come after the last one. Returns false (stopping) at
// the first failure or when cb returns false; callers discard what the
// callbacks built when it does.
using EntryFn = bool (*)(void* ud, const Entry& e);
bool Walk(const uint8_t* zl, size_t size, EntryFn cb, void* ud, uint32_t* count = nullptr);

// Walk with a lambda: fn(const Entry&) -> bool.
template <typename Fn>
bool ForEach(const uint8_t* zl, size_t size, Fn&& fn) {
  using F = std::remove_reference_t<Fn>;
  return Walk(
      zl, size, [](void* ud, const Entry& e) { return bool((*static_cast<F*>(ud))(e)); },
      const_cast<void*>(static_cast<const void*>(&fn)));
}

// A new listpack holding the ziplist's entries, strings appended as Redis's
// lpAppend does (one that is canonical int64 text becomes an integer) and
// integers as lpAppendInteger: the bytes of rdbLoadObject's
// _ziplistEntryConvertAndValidate (RDB_TYPE_LIST_QUICKLIST nodes). Validates
// deep while converting; nullptr when the ziplist is invalid ("Ziplist
// integrity check failed."). An empty ziplist gives an empty listpack (the
// loader skips those). Allocated with base::Alloc (lp::Free).
uint8_t* ToListpack(const uint8_t* zl, size_t size);

// Redis's ziplistPairsConvertAndValidateIntegrity for hash and zset
// ziplists: deep validation, an even number of entries, and no duplicate
// among the even entries (fields / members), compared as text so the
// string "5" and the integer 5 are the same field. nullptr on any failure
// ("Hash ziplist integrity check failed." / "Zset ziplist ...").
uint8_t* PairsToListpack(const uint8_t* zl, size_t size);
// The same checks without building the listpack.
bool ValidatePairsNoDups(const uint8_t* zl, size_t size);

}  // namespace vireo::persistence::ziplist
