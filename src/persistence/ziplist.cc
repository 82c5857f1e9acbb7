// See ziplist.h. The entry decoder mirrors Redis 7.0's zipEntrySafe and
// ziplistValidateIntegrity, with offsets instead of pointers so that no
// length from the input can make an address outside the block.
#include "persistence/ziplist.h"

#include <cstdint>

#include "base/numbers.h"
#include "engine/encoding/strset.h"

namespace vireo::persistence::ziplist {
namespace lp = engine::lp;

namespace {

constexpr uint16_t kCountUnknown = 65535;
// A prevlen byte of 254 announces a 4-byte prevlen (ZIP_BIG_PREVLEN).
constexpr uint8_t kBigPrevlen = 254;

// Encoding bytes (Redis's ZIP_STR_* / ZIP_INT_*). A string's first byte is
// masked with kStrMask to get its encoding; an integer's is the whole byte.
constexpr uint8_t kStrMask = 0xC0;
constexpr uint8_t kStr06 = 0x00;
constexpr uint8_t kStr14 = 0x40;
constexpr uint8_t kStr32 = 0x80;
constexpr uint8_t kInt16 = 0xC0;
constexpr uint8_t kInt32 = 0xD0;
constexpr uint8_t kInt64 = 0xE0;
constexpr uint8_t kInt24 = 0xF0;
constexpr uint8_t kInt8 = 0xFE;
constexpr uint8_t kImmMin = 0xF1;
constexpr uint8_t kImmMax = 0xFD;

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t ReadU64(const uint8_t* p) { return uint64_t(ReadU32(p)) | uint64_t(ReadU32(p + 4)) << 32; }

// Bytes of the encoding+length header (Redis's zipEncodingLenSize); 0 for
// a byte that is no encoding (0xC1..0xCF, 0xD1..0xDF, 0xE1..0xEF, 0xFF).
unsigned LenSize(uint8_t enc) {
  switch (enc) {
    case kInt16:
    case kInt32:
    case kInt64:
    case kInt24:
    case kInt8:
    case kStr06: return 1;
    case kStr14: return 2;
    case kStr32: return 5;
    default: return enc >= kImmMin && enc <= kImmMax ? 1 : 0;
  }
}

// Data bytes of an integer encoding (0 for the 4-bit immediates).
uint32_t IntSize(uint8_t enc) {
  switch (enc) {
    case kInt8: return 1;
    case kInt16: return 2;
    case kInt24: return 3;
    case kInt32: return 4;
    case kInt64: return 8;
    default: return 0;
  }
}

int64_t LoadInt(const uint8_t* p, uint8_t enc) {
  switch (enc) {
    case kInt8: return static_cast<int8_t>(p[0]);
    case kInt16: return static_cast<int16_t>(uint16_t(p[0] | p[1] << 8));
    // Why: int24 is three little-endian bytes, sign-extended (Redis loads
    // them into the top of an int32 and shifts right by 8).
    case kInt24:
      return static_cast<int32_t>(uint32_t(p[0]) << 8 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 24) >> 8;
    case kInt32: return static_cast<int32_t>(ReadU32(p));
    case kInt64: return static_cast<int64_t>(ReadU64(p));
    // Why: the immediate stores value + 1 in the low nibble (0xF1 is 0).
    default: return (enc & 0x0F) - 1;
  }
}

// An entry's decoded header.
struct Raw {
  uint32_t prevlen = 0;
  size_t header = 0;  // prevlen + encoding/length bytes
  uint32_t len = 0;   // string bytes, or integer data bytes
  uint8_t enc = 0;
  size_t total() const { return header + len; }
};

// Redis's zipEntrySafe(validate_prevlen = 1) on the entry at `off`:
// every header byte, the data and the previous entry (off - prevlen) must
// lie within [first entry, terminator]. Redis's fast path (header far from
// the end) and slow path accept the same entries; this is the slow one.
bool DecodeSafe(const uint8_t* zl, size_t size, size_t off, Raw* e) {
  const size_t first = kHeaderSize;
  const size_t last = size - 1;  // the terminator
  if (off < first || off > last) return false;
  size_t prevlensize = zl[off] < kBigPrevlen ? 1 : 5;
  if (off + prevlensize > last) return false;
  uint8_t enc = zl[off + prevlensize];
  if (enc < kStrMask) enc &= kStrMask;
  unsigned lensize = LenSize(enc);
  if (lensize == 0) return false;
  if (off + prevlensize + lensize > last) return false;
  e->prevlen = prevlensize == 1 ? zl[off] : ReadU32(zl + off + 1);
  const uint8_t* h = zl + off + prevlensize;
  if (enc == kStr06) {
    e->len = h[0] & 0x3F;
  } else if (enc == kStr14) {
    e->len = uint32_t(h[0] & 0x3F) << 8 | h[1];
  } else if (enc == kStr32) {
    // Why: the 32-bit string length is big-endian, unlike every other
    // multi-byte field of the ziplist.
    e->len = uint32_t(h[1]) << 24 | uint32_t(h[2]) << 16 | uint32_t(h[3]) << 8 | h[4];
  } else {
    e->len = IntSize(enc);
  }
  e->enc = enc;
  e->header = prevlensize + lensize;
  if (off + e->header + e->len > last) return false;
  if (e->prevlen > off - first) return false;
  return true;
}

Entry ToEntry(const uint8_t* zl, size_t off, const Raw& r) {
  Entry e;
  const uint8_t* data = zl + off + r.header;
  if (r.enc < kStrMask) {
    e.s = data;
    e.len = r.len;
  } else {
    e.v = LoadInt(data, r.enc);
  }
  return e;
}

// Redis's shallow checks.
bool CheckHeader(const uint8_t* zl, size_t size) {
  if (size < kHeaderSize + 1) return false;
  if (ReadU32(zl) != size) return false;
  if (zl[size - 1] != kEnd) return false;
  if (ReadU32(zl + 4) > size - 1) return false;
  return true;
}

// Appends one ziplist entry to *lp the way rdbLoadObject's conversion
// callbacks do: lpAppend for strings, lpAppendInteger for integers.
bool AppendEntry(uint8_t** lp, const Entry& e) {
  // Why: a listpack counts its bytes in a u32; an entry grows by at most
  // 10 bytes of header and backlen. Redis never meets this (ziplists were
  // capped at 1GB), but the input here is untrusted.
  if (uint64_t(lp::Bytes(*lp)) + e.len + 10 > UINT32_MAX) return false;
  *lp = e.is_int() ? lp::AppendInt(*lp, e.v) : lp::Append(*lp, e.sv());
  return true;
}

// The shared walk of ValidatePairsNoDups and PairsToListpack; appends to
// *lp when lp is not null.
bool PairsWalk(const uint8_t* zl, size_t size, uint8_t** lp) {
  engine::strset::StrSet fields;
  uint64_t n = 0;
  bool ok = ForEach(zl, size, [&](const Entry& e) {
    // Why: Redis adds every even entry (field / member) to a dict as an
    // sds of its text (sdsfromlonglong for an integer) and fails on the
    // first one already there.
    if ((n++ & 1) == 0) {
      char buf[base::kLongStrSize];
      if (!fields.Add(e.ToString(buf))) return false;
    }
    return lp == nullptr || AppendEntry(lp, e);
  });
  // Why: a field without its value (an odd count) fails the check too.
  return ok && (n & 1) == 0;
}

}  // namespace

bool Walk(const uint8_t* zl, size_t size, EntryFn cb, void* ud, uint32_t* count_out) {
  if (!CheckHeader(zl, size)) return false;
  const uint16_t header_count = uint16_t(zl[8] | zl[9] << 8);
  uint32_t count = 0;
  size_t off = kHeaderSize;
  size_t prev_off = 0;  // 0: no entry yet (entries start at kHeaderSize)
  size_t prev_size = 0;
  // Safe: off <= size - 1 on entry (size >= 11) and after every entry
  // (DecodeSafe keeps its end at or before the terminator).
  while (zl[off] != kEnd) {
    Raw r;
    if (!DecodeSafe(zl, size, off, &r)) return false;
    // Why: the first entry's prevlen must be 0, every other one the size
    // of the entry before it (so the ziplist can be walked backwards).
    if (r.prevlen != prev_size) return false;
    if (cb && !cb(ud, ToEntry(zl, off, r))) return false;
    prev_size = r.total();
    prev_off = off;
    off += r.total();
    count++;
  }
  // A 0xFF where an entry should start ends the walk early: refused.
  if (off != size - 1) return false;
  // Why: Redis checks zltail only when there is an entry; an empty
  // ziplist's tail just has to be inside it (CheckHeader).
  if (prev_off != 0 && prev_off != ReadU32(zl + 4)) return false;
  if (header_count != kCountUnknown && count != header_count) return false;
  if (count_out) *count_out = count;
  return true;
}

bool ValidateIntegrity(const uint8_t* zl, size_t size, bool deep, uint32_t* count) {
  if (!deep) return CheckHeader(zl, size);
  return Walk(zl, size, nullptr, nullptr, count);
}

uint8_t* ToListpack(const uint8_t* zl, size_t size) {
  uint8_t* out = lp::New();
  if (!ForEach(zl, size, [&](const Entry& e) { return AppendEntry(&out, e); })) {
    lp::Free(out);
    return nullptr;
  }
  // Why: Redis builds into lpNew(encoded_len) and shrinks it afterwards.
  return lp::ShrinkToFit(out);
}

uint8_t* PairsToListpack(const uint8_t* zl, size_t size) {
  uint8_t* out = lp::New();
  if (!PairsWalk(zl, size, &out)) {
    lp::Free(out);
    return nullptr;
  }
  return lp::ShrinkToFit(out);
}

bool ValidatePairsNoDups(const uint8_t* zl, size_t size) { return PairsWalk(zl, size, nullptr); }

}  // namespace vireo::persistence::ziplist
