// CRC-16/XMODEM, one table lookup per byte, and the hash-tag rule (see
// crc16.h). The table is built at compile time from the polynomial, MSB
// first (the CRC is not reflected).
#include "base/crc16.h"

#include <array>

namespace vireo::base {
namespace {

constexpr uint16_t kPoly = 0x1021;

constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; i++) {
    auto c = static_cast<uint16_t>(i << 8);
    for (int k = 0; k < 8; k++) {
      c = (c & 0x8000) ? static_cast<uint16_t>((c << 1) ^ kPoly) : static_cast<uint16_t>(c << 1);
    }
    t[i] = c;
  }
  return t;
}

constexpr std::array<uint16_t, 256> kTable = MakeTable();
static_assert(kTable[1] == 0x1021 && kTable[255] == 0x1ef0);

}  // namespace

uint16_t Crc16(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint16_t crc = 0;
  for (size_t i = 0; i < len; i++) {
    crc = static_cast<uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ p[i]) & 0xff]);
  }
  return crc;
}

int KeyHashSlot(std::string_view key) {
  constexpr int kMask = kClusterSlots - 1;
  size_t s = key.find('{');
  if (s != std::string_view::npos) {
    size_t e = key.find('}', s + 1);
    // Why hash the whole key for "{}" or an unclosed '{': Redis's
    // keyHashSlot only uses a tag with at least one byte, and looks no
    // further than the first '{' and the first '}' after it.
    if (e != std::string_view::npos && e > s + 1) return Crc16(key.data() + s + 1, e - s - 1) & kMask;
  }
  return Crc16(key.data(), key.size()) & kMask;
}

}  // namespace vireo::base
