// See listpack.h. The encodings, backlen arithmetic and header rules follow
// Redis 7.0's listpack.c so the bytes are identical.
#include "engine/encoding/listpack.h"

#include <cstring>

#include "base/memory.h"
#include "base/numbers.h"

namespace vireo::engine::lp {
namespace {

constexpr uint16_t kNumUnknown = 65535;

// Encoding bytes (Redis's LP_ENCODING_*).
constexpr uint8_t k6BitStr = 0x80;
constexpr uint8_t k13BitInt = 0xC0;
constexpr uint8_t k12BitStr = 0xE0;
constexpr uint8_t k32BitStr = 0xF0;
constexpr uint8_t k16BitInt = 0xF1;
constexpr uint8_t k24BitInt = 0xF2;
constexpr uint8_t k32BitInt = 0xF3;
constexpr uint8_t k64BitInt = 0xF4;

void SetBytes(uint8_t* lp, uint32_t v) {
  lp[0] = v & 0xff;
  lp[1] = (v >> 8) & 0xff;
  lp[2] = (v >> 16) & 0xff;
  lp[3] = (v >> 24) & 0xff;
}
uint16_t NumHeader(const uint8_t* lp) { return uint16_t(lp[4] | lp[5] << 8); }
void SetNum(uint8_t* lp, uint64_t n) {
  // Why: a count that does not fit is stored as "unknown" (65535), and
  // lpLength counts the elements when it meets one.
  uint16_t v = n >= kNumUnknown ? kNumUnknown : static_cast<uint16_t>(n);
  lp[4] = v & 0xff;
  lp[5] = v >> 8;
}

// Redis's lpEncodeBacklen: the size of encoding+data, 7 bits per byte,
// most significant first, every byte but the first with the high bit set
// (it is read backwards from the entry's last byte).
size_t BacklenSize(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}
void EncodeBacklen(uint8_t* buf, uint64_t l) {
  size_t n = BacklenSize(l);
  for (size_t i = 0; i < n; i++) {
    size_t shift = 7 * (n - 1 - i);
    uint8_t b = (l >> shift) & 127;
    buf[i] = i == 0 ? b : (b | 128);
  }
  if (n == 1) buf[0] = static_cast<uint8_t>(l);
}
// Reads a backlen whose last byte is at p; UINT64_MAX when malformed.
uint64_t DecodeBacklen(const uint8_t* p) {
  uint64_t val = 0, shift = 0;
  for (;;) {
    val |= uint64_t(p[0] & 127) << shift;
    if (!(p[0] & 128)) break;
    shift += 7;
    p--;
    if (shift > 28) return UINT64_MAX;
  }
  return val;
}

// Bytes of encoding+data of the entry at p (p[0] must be a valid encoding).
uint64_t EncodedSizeUnsafe(const uint8_t* p) {
  uint8_t b = p[0];
  if ((b & 0x80) == 0) return 1;
  if ((b & 0xC0) == k6BitStr) return 1 + (b & 0x3F);
  if ((b & 0xE0) == k13BitInt) return 2;
  if ((b & 0xF0) == k12BitStr) return 2 + ((uint64_t(b & 0x0F) << 8) | p[1]);
  switch (b) {
    case k16BitInt: return 3;
    case k24BitInt: return 4;
    case k32BitInt: return 5;
    case k64BitInt: return 9;
    case k32BitStr:
      return 5 + (uint64_t(p[1]) | uint64_t(p[2]) << 8 | uint64_t(p[3]) << 16 | uint64_t(p[4]) << 24);
    case kEof: return 1;
    default: return 0;
  }
}
// Bytes needed to know an entry's length from its first byte, 0 when the
// encoding is invalid (Redis's lpCurrentEncodedSizeBytes).
size_t SizeBytes(uint8_t b) {
  if ((b & 0x80) == 0 || (b & 0xC0) == k6BitStr || (b & 0xE0) == k13BitInt) return 1;
  if ((b & 0xF0) == k12BitStr) return 2;
  switch (b) {
    case k16BitInt: case k24BitInt: case k32BitInt: case k64BitInt: case kEof: return 1;
    case k32BitStr: return 5;
    default: return 0;
  }
}

// An element encoded into a small buffer (integers) or described as a
// string header + the caller's bytes.
struct Encoded {
  uint8_t hdr[9];
  size_t hdr_len = 0;       // encoding bytes (all of an integer)
  std::string_view data;    // string bytes (empty for integers)
  size_t body() const { return hdr_len + data.size(); }
  size_t total() const { return body() + BacklenSize(body()); }
};

void EncodeInt(int64_t v, Encoded* e) {
  uint8_t* b = e->hdr;
  if (v >= 0 && v <= 127) {
    b[0] = static_cast<uint8_t>(v);
    e->hdr_len = 1;
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = v < 0 ? (uint64_t(1) << 13) + v : uint64_t(v);
    b[0] = static_cast<uint8_t>((u >> 8) | k13BitInt);
    b[1] = u & 0xff;
    e->hdr_len = 2;
  } else {
    int bytes;
    uint8_t enc;
    if (v >= -32768 && v <= 32767) {
      bytes = 2, enc = k16BitInt;
    } else if (v >= -8388608 && v <= 8388607) {
      bytes = 3, enc = k24BitInt;
    } else if (v >= -2147483648LL && v <= 2147483647LL) {
      bytes = 4, enc = k32BitInt;
    } else {
      bytes = 8, enc = k64BitInt;
    }
    // Two's complement in `bytes` bytes, little-endian.
    uint64_t u = static_cast<uint64_t>(v);
    b[0] = enc;
    for (int i = 0; i < bytes; i++) b[1 + i] = (u >> (8 * i)) & 0xff;
    e->hdr_len = 1 + bytes;
  }
}

void EncodeString(std::string_view s, Encoded* e) {
  // Why: lpEncodeGetType stores strings that are canonical int64 text as
  // integers.
  int64_t v;
  if (base::StringToInt64(s, &v)) {
    EncodeInt(v, e);
    return;
  }
  size_t len = s.size();
  uint8_t* b = e->hdr;
  if (len < 64) {
    b[0] = static_cast<uint8_t>(k6BitStr | len);
    e->hdr_len = 1;
  } else if (len < 4096) {
    b[0] = static_cast<uint8_t>(k12BitStr | (len >> 8));
    b[1] = len & 0xff;
    e->hdr_len = 2;
  } else {
    b[0] = k32BitStr;
    for (int i = 0; i < 4; i++) b[1 + i] = (len >> (8 * i)) & 0xff;
    e->hdr_len = 5;
  }
  e->data = s;
}

// Redis's lpInsert: `ele` null deletes the element at p.
uint8_t* InsertEncoded(uint8_t* lp, const Encoded* ele, uint8_t* p, Where where, uint8_t** newp) {
  if (ele == nullptr) where = Where::kReplace;
  if (where == Where::kAfter) {
    // Why: "after" is "before the next element" (or before the EOF).
    p += EntrySize(p);
    where = Where::kBefore;
  }
  size_t poff = static_cast<size_t>(p - lp);
  uint32_t old_bytes = Bytes(lp);
  size_t replaced = where == Where::kReplace ? EntrySize(p) : 0;
  size_t add = ele ? ele->total() : 0;
  size_t new_bytes = old_bytes + add - replaced;
  if (new_bytes > old_bytes) {
    lp = static_cast<uint8_t*>(base::Realloc(lp, new_bytes));
  }
  uint8_t* dst = lp + poff;
  // Move the tail (everything after the replaced entry, EOF included).
  memmove(dst + add, dst + replaced, old_bytes - poff - replaced);
  if (ele) {
    memcpy(dst, ele->hdr, ele->hdr_len);
    if (!ele->data.empty()) memcpy(dst + ele->hdr_len, ele->data.data(), ele->data.size());
    EncodeBacklen(dst + ele->body(), ele->body());
  }
  if (new_bytes < old_bytes) lp = static_cast<uint8_t*>(base::Realloc(lp, new_bytes));
  SetBytes(lp, static_cast<uint32_t>(new_bytes));
  uint16_t num = NumHeader(lp);
  if (num != kNumUnknown) {
    if (ele && replaced == 0) SetNum(lp, uint64_t(num) + 1);
    if (!ele) SetNum(lp, num - 1);
  }
  if (newp) {
    *newp = lp + poff;
    if (!ele && (*newp)[0] == kEof) *newp = nullptr;
  }
  return lp;
}

}  // namespace

std::string_view Elem::ToString(char* buf) const {
  if (!is_int()) return sv();
  return {buf, base::Int64ToChars(v, buf)};
}

uint8_t* New(size_t capacity) {
  size_t n = capacity > kHeaderSize + 1 ? capacity : kHeaderSize + 1;
  auto* lp = static_cast<uint8_t*>(base::Alloc(n));
  SetBytes(lp, kHeaderSize + 1);
  SetNum(lp, 0);
  lp[kHeaderSize] = kEof;
  return lp;
}

void Free(uint8_t* lp) { base::Free(lp); }

uint8_t* ShrinkToFit(uint8_t* lp) {
  size_t bytes = Bytes(lp);
  if (base::AllocSize(lp) > bytes) return static_cast<uint8_t*>(base::Realloc(lp, bytes));
  return lp;
}

uint32_t Length(const uint8_t* lp) {
  uint16_t n = NumHeader(lp);
  if (n != kNumUnknown) return n;
  uint32_t count = 0;
  for (const uint8_t* p = First(lp); p; p = Next(lp, p)) count++;
  return count;
}

uint32_t Length(uint8_t* lp) {
  uint32_t count = Length(static_cast<const uint8_t*>(lp));
  // Why: like lpLength, a recount that fits is written back to the header.
  if (NumHeader(lp) == kNumUnknown && count < kNumUnknown) SetNum(lp, count);
  return count;
}

size_t EntrySize(const uint8_t* p) {
  uint64_t body = EncodedSizeUnsafe(p);
  return body + BacklenSize(body);
}

const uint8_t* First(const uint8_t* lp) {
  const uint8_t* p = lp + kHeaderSize;
  return p[0] == kEof ? nullptr : p;
}

const uint8_t* Next(const uint8_t*, const uint8_t* p) {
  p += EntrySize(p);
  return p[0] == kEof ? nullptr : p;
}

const uint8_t* Prev(const uint8_t* lp, const uint8_t* p) {
  if (p == lp + kHeaderSize) return nullptr;
  uint64_t body = DecodeBacklen(p - 1);
  return p - body - BacklenSize(body);
}

const uint8_t* Last(const uint8_t* lp) {
  const uint8_t* eof = lp + Bytes(lp) - 1;
  return Prev(lp, eof);
}

const uint8_t* Seek(const uint8_t* lp, int64_t index) {
  int64_t n = Length(lp);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return nullptr;
  // Why: like lpSeek, walk from the nearer end.
  if (index > n / 2) {
    const uint8_t* p = Last(lp);
    for (int64_t i = n - 1; i > index; i--) p = Prev(lp, p);
    return p;
  }
  const uint8_t* p = First(lp);
  for (int64_t i = 0; i < index; i++) p = Next(lp, p);
  return p;
}

Elem Get(const uint8_t* p) {
  Elem e;
  uint8_t b = p[0];
  if ((b & 0x80) == 0) {
    e.v = b & 0x7F;
    return e;
  }
  if ((b & 0xC0) == k6BitStr) {
    e.s = p + 1;
    e.len = b & 0x3F;
    return e;
  }
  if ((b & 0xE0) == k13BitInt) {
    uint64_t u = (uint64_t(b & 0x1F) << 8) | p[1];
    e.v = u >= (1u << 12) ? int64_t(u) - (1 << 13) : int64_t(u);
    return e;
  }
  if ((b & 0xF0) == k12BitStr) {
    e.len = (uint32_t(b & 0x0F) << 8) | p[1];
    e.s = p + 2;
    return e;
  }
  if (b == k32BitStr) {
    e.len = uint32_t(p[1]) | uint32_t(p[2]) << 8 | uint32_t(p[3]) << 16 | uint32_t(p[4]) << 24;
    e.s = p + 5;
    return e;
  }
  int bytes = b == k16BitInt ? 2 : b == k24BitInt ? 3 : b == k32BitInt ? 4 : 8;
  uint64_t u = 0;
  for (int i = 0; i < bytes; i++) u |= uint64_t(p[1 + i]) << (8 * i);
  if (bytes < 8) {
    uint64_t sign = uint64_t(1) << (8 * bytes - 1);
    e.v = (u & sign) ? int64_t(u) - int64_t(sign << 1) : int64_t(u);
  } else {
    e.v = static_cast<int64_t>(u);
  }
  return e;
}

bool GetInt(const uint8_t* p, int64_t* out) {
  Elem e = Get(p);
  if (e.is_int()) {
    *out = e.v;
    return true;
  }
  return base::StringToInt64(e.sv(), out);
}

bool Equals(const uint8_t* p, std::string_view s) {
  Elem e = Get(p);
  if (!e.is_int()) return e.len == s.size() && (s.empty() || memcmp(e.s, s.data(), s.size()) == 0);
  // Why: an integer element equals only its canonical text (strings that
  // parse as integers were stored as integers, others cannot match).
  if (s.empty() || s.size() > 20) return false;
  int64_t v;
  return base::StringToInt64(s, &v) && v == e.v;
}

uint8_t* Insert(uint8_t* lp, std::string_view s, uint8_t* p, Where where, uint8_t** newp) {
  Encoded e;
  EncodeString(s, &e);
  return InsertEncoded(lp, &e, p, where, newp);
}

uint8_t* InsertInt(uint8_t* lp, int64_t v, uint8_t* p, Where where, uint8_t** newp) {
  Encoded e;
  EncodeInt(v, &e);
  return InsertEncoded(lp, &e, p, where, newp);
}

uint8_t* Append(uint8_t* lp, std::string_view s) {
  return Insert(lp, s, lp + Bytes(lp) - 1, Where::kBefore);
}
uint8_t* AppendInt(uint8_t* lp, int64_t v) {
  return InsertInt(lp, v, lp + Bytes(lp) - 1, Where::kBefore);
}
uint8_t* Prepend(uint8_t* lp, std::string_view s) {
  return Insert(lp, s, lp + kHeaderSize, Where::kBefore);
}
uint8_t* PrependInt(uint8_t* lp, int64_t v) {
  return InsertInt(lp, v, lp + kHeaderSize, Where::kBefore);
}
uint8_t* Replace(uint8_t* lp, uint8_t** p, std::string_view s) {
  return Insert(lp, s, *p, Where::kReplace, p);
}
uint8_t* ReplaceInt(uint8_t* lp, uint8_t** p, int64_t v) {
  return InsertInt(lp, v, *p, Where::kReplace, p);
}

uint8_t* Delete(uint8_t* lp, uint8_t** p) { return InsertEncoded(lp, nullptr, *p, Where::kReplace, p); }

uint8_t* DeleteRangeAt(uint8_t* lp, uint8_t** p, size_t num) {
  if (num == 0) return lp;
  uint8_t* start = *p;
  uint8_t* end = start;
  size_t deleted = 0;
  while (deleted < num && end[0] != kEof) {
    end += EntrySize(end);
    deleted++;
  }
  size_t poff = static_cast<size_t>(start - lp);
  uint32_t old_bytes = Bytes(lp);
  size_t gone = static_cast<size_t>(end - start);
  memmove(start, end, old_bytes - poff - gone);
  uint16_t n = NumHeader(lp);
  SetBytes(lp, static_cast<uint32_t>(old_bytes - gone));
  // Why: lpDeleteRangeWithEntry recounts an unknown header (lpLength).
  uint64_t numele = n != kNumUnknown ? n : Length(lp) + deleted;
  SetNum(lp, numele - deleted);
  lp = ShrinkToFit(lp);
  *p = lp + poff;
  if ((*p)[0] == kEof) *p = nullptr;
  return lp;
}

uint8_t* DeleteRange(uint8_t* lp, int64_t index, size_t num) {
  uint8_t* p = Seek(lp, index);
  if (num == 0 || p == nullptr) return lp;
  return DeleteRangeAt(lp, &p, num);
}

uint8_t* AppendAll(uint8_t* lp, const uint8_t* src) {
  uint32_t add = Bytes(src) - kHeaderSize - 1;
  if (add == 0) return lp;
  uint32_t old_bytes = Bytes(lp);
  uint64_t count = uint64_t(Length(lp)) + Length(src);
  lp = static_cast<uint8_t*>(base::Realloc(lp, old_bytes + add));
  // Entries are self-contained (each carries its own backlen): the bodies
  // concatenate byte for byte.
  memcpy(lp + old_bytes - 1, src + kHeaderSize, add);
  lp[old_bytes - 1 + add] = kEof;
  SetBytes(lp, old_bytes + add);
  SetNum(lp, count);
  return lp;
}

const uint8_t* Find(const uint8_t* lp, const uint8_t* p, std::string_view s, unsigned skip) {
  // Why: lpFind compares integers numerically against the needle parsed
  // once; the needle's int form is computed lazily here the same way.
  int64_t needle = 0;
  int needle_state = -1;  // -1 unknown, 0 not an int, 1 int
  unsigned skipcnt = 0;
  while (p) {
    if (skipcnt == 0) {
      Elem e = Get(p);
      if (!e.is_int()) {
        if (e.len == s.size() && (s.empty() || memcmp(e.s, s.data(), s.size()) == 0)) return p;
      } else {
        if (needle_state < 0) needle_state = (s.size() <= 20 && base::StringToInt64(s, &needle)) ? 1 : 0;
        if (needle_state == 1 && needle == e.v) return p;
      }
      skipcnt = skip;
    } else {
      skipcnt--;
    }
    p = Next(lp, p);
  }
  return nullptr;
}

bool ValidateNext(const uint8_t* lp, size_t size, const uint8_t* p, const uint8_t** next) {
  // Offsets, not pointers, so a huge declared length cannot overflow.
  size_t off = static_cast<size_t>(p - lp);
  if (off < kHeaderSize || off > size - 1) return false;
  if (p[0] == kEof) {
    *next = nullptr;
    return true;
  }
  size_t lenbytes = SizeBytes(p[0]);
  if (lenbytes == 0) return false;
  if (off + lenbytes > size - 1) return false;
  uint64_t body = EncodedSizeUnsafe(p);
  uint64_t bl = BacklenSize(body);
  uint64_t entry = body + bl;
  if (off + entry > size - 1) return false;
  uint64_t prevlen = DecodeBacklen(p + entry - 1);
  if (prevlen == UINT64_MAX || prevlen + bl != entry) return false;
  *next = p + entry;
  return true;
}

bool ValidateIntegrity(const uint8_t* lp, size_t size, bool deep, uint32_t* count_out) {
  if (size < kHeaderSize + 1) return false;
  if (Bytes(lp) != size) return false;
  if (lp[size - 1] != kEof) return false;
  if (!deep) return true;
  uint32_t count = 0;
  const uint8_t* p = lp + kHeaderSize;
  while (p[0] != kEof) {
    const uint8_t* next;
    if (!ValidateNext(lp, size, p, &next) || next == nullptr) return false;
    p = next;
    count++;
  }
  if (p != lp + size - 1) return false;
  uint16_t n = NumHeader(lp);
  if (n != kNumUnknown && n != count) return false;
  if (count_out) *count_out = count;
  return true;
}

size_t EncodedSize(std::string_view s) {
  Encoded e;
  EncodeString(s, &e);
  return e.total();
}

}  // namespace vireo::engine::lp
