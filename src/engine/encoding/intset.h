// Intset: Redis 7.0's sorted array of integers in one allocation, byte for
// byte (intset.c), the encoding of small all-integer sets.
//
// Why Redis's exact bytes: RDB files and DUMP payloads carry an intset as an
// opaque blob, so the one built here must be the one redis-server builds from
// the same operations, and a blob from redis-server (RESTORE, RDB load) must
// be validated (ValidateIntegrity) and then read in place.
//
// Layout: <encoding u32 LE: 2, 4 or 8 = bytes per value> <length u32 LE>
// <values, little-endian, strictly ascending>. Every value has the width of
// the widest one: adding a value that does not fit upgrades the whole array
// (it then goes first when negative, last when positive). The block is
// exactly header + length * encoding bytes, reallocated on every change as
// Redis does (so used_memory matches), with base::Alloc/Realloc.
//
// Functions take and return the block like Redis's intset* API: writes may
// reallocate it, so callers store the returned pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vireo::engine::intset {

inline constexpr size_t kHeaderSize = 8;
// Redis's INTSET_ENC_INT16/32/64.
inline constexpr uint32_t kEnc16 = 2;
inline constexpr uint32_t kEnc32 = 4;
inline constexpr uint32_t kEnc64 = 8;

inline uint32_t ReadU32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint32_t Encoding(const uint8_t* is) { return ReadU32(is); }
inline uint32_t Length(const uint8_t* is) { return ReadU32(is + 4); }
// Bytes of the blob (Redis's intsetBlobLen).
inline size_t BlobLen(const uint8_t* is) {
  return kHeaderSize + size_t(Length(is)) * Encoding(is);
}
// The smallest encoding that holds v (Redis's _intsetValueEncoding).
inline uint32_t ValueEncoding(int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX) return kEnc64;
  if (v < INT16_MIN || v > INT16_MAX) return kEnc32;
  return kEnc16;
}

// A new empty intset (int16 encoding).
uint8_t* New();
void Free(uint8_t* is);
// A copy of the blob in a new allocation.
uint8_t* Dup(const uint8_t* is);

// The value at pos (pos < Length).
int64_t Get(const uint8_t* is, uint32_t pos);
// Binary search: true when found (*pos its position); otherwise *pos is
// where it would be inserted.
bool Search(const uint8_t* is, int64_t v, uint32_t* pos);
inline bool Find(const uint8_t* is, int64_t v) {
  uint32_t pos;
  return ValueEncoding(v) <= Encoding(is) && Search(is, v, &pos);
}
// Adds v (upgrading when needed); *added says whether it was absent.
uint8_t* Add(uint8_t* is, int64_t v, bool* added);
// Removes v; *removed says whether it was present.
uint8_t* Remove(uint8_t* is, int64_t v, bool* removed);
// A random element of a non-empty intset (Redis's intsetRandom).
int64_t Random(const uint8_t* is);
inline int64_t Min(const uint8_t* is) { return Get(is, 0); }
inline int64_t Max(const uint8_t* is) { return Get(is, Length(is) - 1); }

// Redis's intsetValidateIntegrity: the header is readable, the encoding is
// 2/4/8, the size is exactly header + length * encoding, the set is not
// empty; with `deep`, the values are strictly ascending (no duplicates).
// Never reads outside [p, p + size).
bool ValidateIntegrity(const uint8_t* p, size_t size, bool deep);

}  // namespace vireo::engine::intset
