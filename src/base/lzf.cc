// See lzf.h. A re-implementation of liblzf 3.6's algorithm with Redis's
// build settings; positions are kept as offsets into the input (liblzf's
// LZF_USE_OFFSETS on 64-bit), and the hash table starts (logically)
// cleared, so a slot that was never written can never produce a match.
#include "base/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace vireo::base {

namespace {

constexpr int kHashLog = 16;
constexpr uint32_t kHashSize = 1u << kHashLog;
constexpr uint32_t kMaxLiteral = 1u << 5;
constexpr size_t kMaxOffset = 1u << 13;
constexpr uint32_t kMaxRef = (1u << 8) + (1u << 3);

inline uint32_t First(const uint8_t* p) { return (static_cast<uint32_t>(p[0]) << 8) | p[1]; }
inline uint32_t Next(uint32_t v, const uint8_t* p) { return (v << 8) | p[2]; }
// liblzf's VERY_FAST hash.
inline uint32_t Slot(uint32_t h) { return ((h >> (3 * 8 - kHashLog)) - h * 5) & (kHashSize - 1); }

}  // namespace

size_t LzfCompress(const void* in_data, size_t in_len, void* out_data, size_t out_len) {
  if (in_len == 0 || out_len == 0) return 0;
  // liblzf works on unsigned int lengths.
  if (in_len > UINT32_MAX) return 0;
  const uint8_t* in = static_cast<const uint8_t*>(in_data);
  uint8_t* out = static_cast<uint8_t*>(out_data);
  // The last position seen for each hash, stored as base + offset. Why a
  // base and not a cleared table: Redis calls this for every string over 20
  // bytes of a snapshot, and clearing 64K slots per call cost more than the
  // compression (55% of a SAVE in memset). A slot below `base` was written
  // by an earlier call and reads as 0 = none, exactly like a cleared slot
  // (liblzf rejects a reference to the very first byte anyway). 64-bit
  // stamps never wrap in practice.
  static thread_local std::vector<uint64_t> stamps(kHashSize, 0);
  static thread_local uint64_t next_base = 1;
  const uint64_t base = next_base;
  next_base += in_len + 1;
  auto get = [&](uint32_t slot) -> size_t {
    uint64_t v = stamps[slot];
    return v >= base ? static_cast<size_t>(v - base) : 0;
  };
  auto put = [&](uint32_t slot, size_t pos) { stamps[slot] = base + pos; };

  size_t ip = 0;
  size_t op = 1;  // the first literal run's header goes at out[0]
  int64_t lit = 0;
  uint32_t hval = First(in);
  while (ip + 2 < in_len) {
    hval = Next(hval, in + ip);
    uint32_t slot = Slot(hval);
    size_t ref = get(slot);
    put(slot, ip);
    size_t off = ip - ref - 1;  // wraps (no match) when ref >= ip
    if (off < kMaxOffset && ref > 0 && in[ref + 2] == in[ip + 2] && in[ref] == in[ip] &&
        in[ref + 1] == in[ip + 1]) {
      uint32_t len = 2;
      uint32_t maxlen = static_cast<uint32_t>(in_len - ip - len);
      if (maxlen > kMaxRef) maxlen = kMaxRef;
      if (op + 3 + 1 >= out_len && op - (lit == 0 ? 1 : 0) + 3 + 1 >= out_len) return 0;
      out[op - lit - 1] = static_cast<uint8_t>(lit - 1);  // close the literal run
      if (lit == 0) op--;                                  // (drop it when empty)
      // liblzf compares 16 bytes unchecked first when there is room, then
      // one by one up to maxlen; the resulting length can exceed maxlen by
      // up to two bytes, which is still inside the input.
      bool done = false;
      if (maxlen > 16) {
        for (int k = 0; k < 16; k++) {
          len++;
          if (in[ref + len] != in[ip + len]) {
            done = true;
            break;
          }
        }
      }
      if (!done) {
        do {
          len++;
        } while (len < maxlen && in[ref + len] == in[ip + len]);
      }
      len -= 2;  // encoded as the match length - 2
      ip++;
      if (len < 7) {
        out[op++] = static_cast<uint8_t>((off >> 8) + (len << 5));
      } else {
        out[op++] = static_cast<uint8_t>((off >> 8) + (7u << 5));
        out[op++] = static_cast<uint8_t>(len - 7);
      }
      out[op++] = static_cast<uint8_t>(off);
      lit = 0;
      op++;  // start a new literal run
      ip += len + 1;
      if (ip + 2 >= in_len) break;
      // VERY_FAST: hash only the last two positions of the match.
      ip -= 2;
      hval = First(in + ip);
      hval = Next(hval, in + ip);
      put(Slot(hval), ip);
      ip++;
      hval = Next(hval, in + ip);
      put(Slot(hval), ip);
      ip++;
    } else {
      if (op >= out_len) return 0;
      lit++;
      out[op++] = in[ip++];
      if (lit == kMaxLiteral) {
        out[op - lit - 1] = static_cast<uint8_t>(lit - 1);
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > out_len) return 0;  // at most 3 bytes can be missing here
  while (ip < in_len) {
    lit++;
    out[op++] = in[ip++];
    if (lit == kMaxLiteral) {
      out[op - lit - 1] = static_cast<uint8_t>(lit - 1);
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = static_cast<uint8_t>(lit - 1);
  if (lit == 0) op--;
  return op;
}

size_t LzfDecompress(const void* in_data, size_t in_len, void* out_data, size_t out_len) {
  const uint8_t* in = static_cast<const uint8_t*>(in_data);
  uint8_t* out = static_cast<uint8_t*>(out_data);
  size_t ip = 0, op = 0;
  if (in_len == 0) return 0;
  do {
    uint32_t ctrl = in[ip++];
    if (ctrl < (1u << 5)) {  // literal run of ctrl + 1 bytes
      ctrl++;
      if (op + ctrl > out_len) return 0;
      if (ip + ctrl > in_len) return 0;
      memcpy(out + op, in + ip, ctrl);
      op += ctrl;
      ip += ctrl;
    } else {  // back reference
      size_t len = ctrl >> 5;
      size_t back = (static_cast<size_t>(ctrl & 0x1f) << 8) + 1;
      if (ip >= in_len) return 0;
      if (len == 7) {
        len += in[ip++];
        if (ip >= in_len) return 0;
      }
      back += in[ip++];
      if (op + len + 2 > out_len) return 0;
      if (back > op) return 0;
      len += 2;
      size_t ref = op - back;
      for (size_t k = 0; k < len; k++) out[op++] = out[ref++];  // may overlap
    }
  } while (ip < in_len);
  return op;
}

}  // namespace vireo::base
