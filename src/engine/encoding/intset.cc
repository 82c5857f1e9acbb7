// See intset.h. Redis 7.0 intset.c's semantics over base::Alloc'd blocks.
#include "engine/encoding/intset.h"

#include "base/hash.h"
#include "base/memory.h"

namespace vireo::engine::intset {
namespace {

void WriteU32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}

// The value at pos for a given width (little-endian on any host).
int64_t GetEncoded(const uint8_t* is, uint32_t pos, uint32_t enc) {
  const uint8_t* p = is + kHeaderSize + size_t(pos) * enc;
  uint64_t u = 0;
  for (uint32_t i = 0; i < enc; i++) u |= uint64_t(p[i]) << (8 * i);
  if (enc == kEnc64) return static_cast<int64_t>(u);
  if (enc == kEnc32) return static_cast<int32_t>(static_cast<uint32_t>(u));
  return static_cast<int16_t>(static_cast<uint16_t>(u));
}

void Set(uint8_t* is, uint32_t pos, int64_t v) {
  uint32_t enc = Encoding(is);
  uint8_t* p = is + kHeaderSize + size_t(pos) * enc;
  uint64_t u = static_cast<uint64_t>(v);
  for (uint32_t i = 0; i < enc; i++) p[i] = uint8_t(u >> (8 * i));
}

uint8_t* Resize(uint8_t* is, uint32_t len) {
  return static_cast<uint8_t*>(base::Realloc(is, kHeaderSize + size_t(len) * Encoding(is)));
}

// Moves the values from `from` to the end so they start at `to`.
void MoveTail(uint8_t* is, uint32_t from, uint32_t to) {
  uint32_t enc = Encoding(is);
  size_t bytes = size_t(Length(is) - from) * enc;
  uint8_t* base = is + kHeaderSize;
  memmove(base + size_t(to) * enc, base + size_t(from) * enc, bytes);
}

// Redis's intsetUpgradeAndAdd: v does not fit the current width, so it is
// either below every value (negative) or above every value.
uint8_t* UpgradeAndAdd(uint8_t* is, int64_t v) {
  uint32_t cur = Encoding(is);
  uint32_t len = Length(is);
  uint32_t prepend = v < 0 ? 1 : 0;
  WriteU32(is, ValueEncoding(v));
  is = Resize(is, len + 1);
  // Why back to front: the wider values overlap the narrower ones.
  for (uint32_t i = len; i-- > 0;) Set(is, i + prepend, GetEncoded(is, i, cur));
  Set(is, prepend ? 0 : len, v);
  WriteU32(is + 4, len + 1);
  return is;
}

}  // namespace

uint8_t* New() {
  auto* is = static_cast<uint8_t*>(base::Alloc(kHeaderSize));
  WriteU32(is, kEnc16);
  WriteU32(is + 4, 0);
  return is;
}

void Free(uint8_t* is) { base::Free(is); }

uint8_t* Dup(const uint8_t* is) {
  size_t n = BlobLen(is);
  auto* d = static_cast<uint8_t*>(base::Alloc(n));
  memcpy(d, is, n);
  return d;
}

int64_t Get(const uint8_t* is, uint32_t pos) { return GetEncoded(is, pos, Encoding(is)); }

bool Search(const uint8_t* is, int64_t v, uint32_t* pos) {
  uint32_t len = Length(is);
  if (len == 0) {
    *pos = 0;
    return false;
  }
  // Why: Redis checks both ends first, so appends and prepends of ordered
  // input do not binary-search.
  if (v > Get(is, len - 1)) {
    *pos = len;
    return false;
  }
  if (v < Get(is, 0)) {
    *pos = 0;
    return false;
  }
  int64_t lo = 0, hi = int64_t(len) - 1;
  while (hi >= lo) {
    int64_t mid = (lo + hi) / 2;
    int64_t cur = Get(is, uint32_t(mid));
    if (v > cur) {
      lo = mid + 1;
    } else if (v < cur) {
      hi = mid - 1;
    } else {
      *pos = uint32_t(mid);
      return true;
    }
  }
  *pos = uint32_t(lo);
  return false;
}

uint8_t* Add(uint8_t* is, int64_t v, bool* added) {
  *added = true;
  if (ValueEncoding(v) > Encoding(is)) return UpgradeAndAdd(is, v);
  uint32_t pos;
  if (Search(is, v, &pos)) {
    *added = false;
    return is;
  }
  uint32_t len = Length(is);
  is = Resize(is, len + 1);
  if (pos < len) MoveTail(is, pos, pos + 1);
  Set(is, pos, v);
  WriteU32(is + 4, len + 1);
  return is;
}

uint8_t* Remove(uint8_t* is, int64_t v, bool* removed) {
  *removed = false;
  uint32_t pos;
  if (ValueEncoding(v) > Encoding(is) || !Search(is, v, &pos)) return is;
  uint32_t len = Length(is);
  *removed = true;
  if (pos < len - 1) MoveTail(is, pos + 1, pos);
  WriteU32(is + 4, len - 1);
  return Resize(is, len - 1);
}

int64_t Random(const uint8_t* is) {
  return Get(is, static_cast<uint32_t>(base::Random64() % Length(is)));
}

bool ValidateIntegrity(const uint8_t* p, size_t size, bool deep) {
  if (p == nullptr || size < kHeaderSize) return false;
  uint32_t enc = Encoding(p);
  if (enc != kEnc16 && enc != kEnc32 && enc != kEnc64) return false;
  uint64_t count = Length(p);
  // Why 64-bit: count * 8 cannot overflow, so a huge length cannot wrap
  // around to match a small buffer.
  if (kHeaderSize + count * enc != size) return false;
  // Why: Redis rejects an empty intset (a set key is never empty).
  if (count == 0) return false;
  if (!deep) return true;
  int64_t prev = GetEncoded(p, 0, enc);
  for (uint32_t i = 1; i < count; i++) {
    int64_t cur = GetEncoded(p, i, enc);
    if (cur <= prev) return false;
    prev = cur;
  }
  return true;
}

}  // namespace vireo::engine::intset
