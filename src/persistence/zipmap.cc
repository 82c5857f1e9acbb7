// See zipmap.h. Validation mirrors the zipmapValidateIntegrity of the
// reference redis-server 7.0.15 (one check more than the release's source,
// see ValidateIntegrity); the conversion walks the zipmap as zipmapNext
// does. Both work on offsets checked against the block, so no length from
// the input can make an address outside it.
#include "persistence/zipmap.h"

#include <string_view>

#include "engine/encoding/listpack.h"
#include "engine/encoding/strset.h"

namespace vireo::persistence::zipmap {
namespace lp = engine::lp;

namespace {

// A length byte of 254 or more announces a 4-byte length (ZIPMAP_BIGLEN).
constexpr uint8_t kBigLen = 254;

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Bytes the length at p is encoded in, from its first byte
// (zipmapGetEncodedLengthSize): 255 counts as a big length too.
size_t EncodedLenSize(uint8_t b) { return b < kBigLen ? 1 : 5; }
// Bytes a length needs canonically (ZIPMAP_LEN_BYTES).
uint32_t CanonicalLenSize(uint32_t len) { return len < kBigLen ? 1 : 5; }

// zipmapDecodeLength at `off`, false when its bytes are not all in the block.
bool DecodeLen(const uint8_t* zm, size_t size, size_t off, uint32_t* len) {
  if (off >= size) return false;
  if (zm[off] < kBigLen) {
    *len = zm[off];
    return true;
  }
  if (size - off < 5) return false;
  *len = ReadU32(zm + off + 1);
  return true;
}

bool InBlock(size_t size, size_t off, size_t len) { return off <= size && len <= size - off; }

std::string_view View(const uint8_t* zm, size_t off, uint32_t len) {
  return {reinterpret_cast<const char*>(zm + off), len};
}

}  // namespace

bool ValidateIntegrity(const uint8_t* zm, size_t size, bool deep) {
  if (size < 2) return false;
  if (zm[size - 1] != kEnd) return false;
  if (!deep) return true;
  // Redis's OUT_OF_RANGE: before the first pair's bytes or past the
  // terminator. Offsets are u64 sums of at most 2^32-sized steps: no wrap.
  auto out_of_range = [&](uint64_t off) { return off < 2 || off > size - 1; };
  uint32_t count = 0;
  uint64_t p = 1;  // skip zmlen
  // A length at p whose bytes end at or before the terminator and that
  // is canonical (see below); false otherwise.
  auto read_len = [&](uint64_t at, uint32_t* len, size_t* s) {
    *s = EncodedLenSize(zm[at]);
    if (out_of_range(at + *s)) return false;
    *len = *s == 1 ? zm[at] : ReadU32(zm + at + 1);
    // Why: the reference redis-server 7.0.15 (Debian's security-patched
    // build) refuses a 5-byte length below 254, which zipmap.c of the
    // release accepts; without that check zipmapNext, which skips a length
    // by the size its value needs, would walk such a zipmap out of step.
    return *s == 1 || *len >= kBigLen;
  };
  // Safe: p <= size - 1 here (initially, and after every pair's check).
  while (zm[p] != kEnd) {
    uint32_t l;
    size_t s;
    if (!read_len(p, &l, &s)) return false;
    p += s + l;  // the field's length and bytes
    if (out_of_range(p)) return false;
    if (!read_len(p, &l, &s)) return false;
    p += s;
    uint32_t free = zm[p++];
    // Why: Redis adds the value's length and its free bytes in unsigned
    // int, so the sum wraps; a wrapped value passes here and is refused by
    // the loader's size check instead (ToListpack's *has_dups).
    p += uint32_t(l + free);
    count++;
    if (out_of_range(p)) return false;
  }
  // Why: Redis refuses an empty zipmap.
  if (count == 0) return false;
  // Why: zmlen 254 means "count them"; any other value must be the count
  // (so 255 passes only with 255 pairs).
  if (zm[0] != kBigLen && zm[0] != count) return false;
  return true;
}

uint8_t* ToListpack(const uint8_t* zm, size_t size, bool* has_dups, size_t* maxlen, uint32_t* bad_flen) {
  *has_dups = false;
  *maxlen = 0;
  engine::strset::StrSet fields;
  uint8_t* out = lp::New();
  auto fail = [&](bool dup_or_big, uint32_t flen) -> uint8_t* {
    *has_dups = dup_or_big;
    if (bad_flen) *bad_flen = flen;
    lp::Free(out);
    return nullptr;
  };
  // Why this walk: Redis's zipmapNext skips a length by the size its value
  // needs (ZIPMAP_LEN_BYTES), not by how it is encoded. ValidateIntegrity
  // refuses the lengths where the two differ, so on a validated zipmap
  // this is the validator's walk; on anything else it stays in the block
  // and fails where Redis would read past it.
  size_t off = 1;
  for (;;) {
    if (off >= size) return fail(false, 0);
    if (zm[off] == kEnd) break;
    uint32_t flen, vlen;
    if (!DecodeLen(zm, size, off, &flen)) return fail(false, 0);
    size_t fstart = off + CanonicalLenSize(flen);
    // Why u32: zipmapRawKeyLength / zipmapRawValueLength sum in unsigned int.
    off += uint32_t(CanonicalLenSize(flen) + flen);
    if (!DecodeLen(zm, size, off, &vlen)) return fail(false, 0);
    size_t vstart = off + 1 + CanonicalLenSize(vlen);
    if (!InBlock(size, vstart - 1, 1)) return fail(false, 0);
    off += uint32_t(CanonicalLenSize(vlen) + zm[vstart - 1] + 1 + vlen);
    if (flen > *maxlen) *maxlen = flen;
    if (vlen > *maxlen) *maxlen = vlen;
    if (!InBlock(size, fstart, flen)) return fail(false, 0);
    // Why one error for both: Redis checks the dup-search dict and
    // lpSafeToAdd(flen + vlen) in one condition.
    if (!fields.Add(View(zm, fstart, flen)) || !lp::SafeToAdd(out, size_t(flen) + vlen)) {
      return fail(true, flen);
    }
    if (!InBlock(size, vstart, vlen)) return fail(false, 0);
    out = lp::Append(out, View(zm, fstart, flen));
    out = lp::Append(out, View(zm, vstart, vlen));
  }
  return out;
}

}  // namespace vireo::persistence::zipmap
