// Listpack: Redis 7.0's compact sequence of strings and integers in one
// allocation, byte for byte (listpack.c), used by small hashes, small sorted
// sets and the nodes of quicklists.
//
// Why Redis's exact bytes: RDB files, DUMP payloads and the replication
// stream carry listpacks as opaque blobs, so a listpack built here must be
// the one redis-server would build from the same operations, and one from
// redis-server (RESTORE, RDB load) must be read and validated here.
//
// Layout: <total-bytes u32 LE> <num-elements u16 LE, 65535 = count them>
// <entry>* <0xFF>. An entry is <encoding+data> <backlen>, where backlen is
// the size of encoding+data in 1..5 bytes, 7 bits per byte read backwards,
// so the list can be walked in both directions. Integers are stored in the
// smallest of the 7/13/16/24/32/64-bit encodings; a string that parses as an
// int64 (Redis's string2ll rules) is stored as an integer.
//
// Functions take and return the block (`uint8_t*`) like Redis's lp* API:
// writes may reallocate it, so callers store the returned pointer. Element
// positions are pointers into the block (`p`), invalidated by writes unless
// the function returns the new position. Blocks are allocated with
// base::Alloc so used_memory counts them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vireo::engine::lp {

inline constexpr size_t kHeaderSize = 6;
inline constexpr uint8_t kEof = 0xFF;
// Why: Redis refuses to grow a listpack past 1GB (LISTPACK_MAX_SAFETY_SIZE)
// and converts to the big encoding first.
inline constexpr size_t kMaxSafetySize = 1u << 30;

// An element as stored: either a string (s, len) or an integer (v).
struct Elem {
  const uint8_t* s = nullptr;  // nullptr for an integer
  uint32_t len = 0;
  int64_t v = 0;
  bool is_int() const { return s == nullptr; }
  std::string_view sv() const { return {reinterpret_cast<const char*>(s), len}; }
  // The element as text; integers are formatted into buf (>= 21 bytes).
  std::string_view ToString(char* buf) const;
};

// A new empty listpack with room for `capacity` bytes (0 = exact).
uint8_t* New(size_t capacity = 0);
void Free(uint8_t* lp);
// Shrinks the allocation to the bytes used (Redis's lpShrinkToFit).
uint8_t* ShrinkToFit(uint8_t* lp);

inline uint32_t Bytes(const uint8_t* lp) {
  return uint32_t(lp[0]) | uint32_t(lp[1]) << 8 | uint32_t(lp[2]) << 16 | uint32_t(lp[3]) << 24;
}
// Number of elements (counts them when the header says 65535). The
// non-const form writes a recount that fits back into the header, as
// Redis's lpLength does (which decides the bytes later saved).
uint32_t Length(const uint8_t* lp);
uint32_t Length(uint8_t* lp);
// Whether adding `add` bytes keeps the listpack under kMaxSafetySize.
inline bool SafeToAdd(const uint8_t* lp, size_t add) {
  return (lp ? Bytes(lp) : 0) + add <= kMaxSafetySize;
}

// ---- navigation (nullptr past either end) ----------------------------------
const uint8_t* First(const uint8_t* lp);
const uint8_t* Last(const uint8_t* lp);
const uint8_t* Next(const uint8_t* lp, const uint8_t* p);
const uint8_t* Prev(const uint8_t* lp, const uint8_t* p);
// The element at `index` (negative from the end), or nullptr.
const uint8_t* Seek(const uint8_t* lp, int64_t index);
inline uint8_t* First(uint8_t* lp) { return const_cast<uint8_t*>(First(static_cast<const uint8_t*>(lp))); }
inline uint8_t* Next(uint8_t* lp, uint8_t* p) {
  return const_cast<uint8_t*>(Next(static_cast<const uint8_t*>(lp), p));
}
inline uint8_t* Prev(uint8_t* lp, uint8_t* p) {
  return const_cast<uint8_t*>(Prev(static_cast<const uint8_t*>(lp), p));
}
inline uint8_t* Last(uint8_t* lp) { return const_cast<uint8_t*>(Last(static_cast<const uint8_t*>(lp))); }
inline uint8_t* Seek(uint8_t* lp, int64_t index) {
  return const_cast<uint8_t*>(Seek(static_cast<const uint8_t*>(lp), index));
}

// ---- reading ------------------------------------------------------------------
Elem Get(const uint8_t* p);
// The element's value as an int64 when it is one or a string that parses
// as one (Redis's lpGetValue + string2ll).
bool GetInt(const uint8_t* p, int64_t* out);
// Whether the element equals `s` (an integer compares by its decimal text).
bool Equals(const uint8_t* p, std::string_view s);
// Bytes the entry at p occupies (encoding + data + backlen).
size_t EntrySize(const uint8_t* p);

// ---- writing (return the possibly moved block) ------------------------------
enum class Where { kBefore, kAfter, kReplace };
// Inserts `s` before/after `p`, or replaces the element at `p`. With
// `newp`, receives the position of the inserted/replaced element.
uint8_t* Insert(uint8_t* lp, std::string_view s, uint8_t* p, Where where, uint8_t** newp = nullptr);
uint8_t* InsertInt(uint8_t* lp, int64_t v, uint8_t* p, Where where, uint8_t** newp = nullptr);
uint8_t* Append(uint8_t* lp, std::string_view s);
uint8_t* AppendInt(uint8_t* lp, int64_t v);
uint8_t* Prepend(uint8_t* lp, std::string_view s);
uint8_t* PrependInt(uint8_t* lp, int64_t v);
uint8_t* Replace(uint8_t* lp, uint8_t** p, std::string_view s);
uint8_t* ReplaceInt(uint8_t* lp, uint8_t** p, int64_t v);
// Deletes the element at *p; *p becomes the next element (nullptr at the end).
uint8_t* Delete(uint8_t* lp, uint8_t** p);
// Deletes `num` elements starting at *p; *p as for Delete.
uint8_t* DeleteRangeAt(uint8_t* lp, uint8_t** p, size_t num);
// Deletes `num` elements from `index` (negative from the end).
uint8_t* DeleteRange(uint8_t* lp, int64_t index, size_t num);
// Appends all of `src`'s elements to `lp` (Redis's lpMerge, one direction).
uint8_t* AppendAll(uint8_t* lp, const uint8_t* src);

// ---- search -----------------------------------------------------------------
// The first element equal to `s` from `p` on, comparing one element then
// skipping `skip` (1 for hash fields / zset members in pairs), or nullptr.
const uint8_t* Find(const uint8_t* lp, const uint8_t* p, std::string_view s, unsigned skip);
inline uint8_t* Find(uint8_t* lp, uint8_t* p, std::string_view s, unsigned skip) {
  return const_cast<uint8_t*>(Find(static_cast<const uint8_t*>(lp), p, s, skip));
}

// ---- validation ---------------------------------------------------------------
// Redis's lpValidateIntegrity: the header against `size`, the terminator,
// and with `deep` every entry's encoding, bounds and backlen and the count.
// Never reads outside [lp, lp + size). `count` (when not null) receives the
// number of elements when deep.
bool ValidateIntegrity(const uint8_t* lp, size_t size, bool deep, uint32_t* count = nullptr);
// Validates one entry at p within [lp, lp+size): its encoding, length and
// backlen; *next gets the following position. Redis's lpValidateNext.
bool ValidateNext(const uint8_t* lp, size_t size, const uint8_t* p, const uint8_t** next);

// Bytes an element would take (encoding + data + backlen): for the
// size-based limits of quicklist nodes and the listpack->hashtable checks.
size_t EncodedSize(std::string_view s);

}  // namespace vireo::engine::lp
