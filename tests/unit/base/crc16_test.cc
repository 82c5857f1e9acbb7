// CRC16 and KeyHashSlot against redis-server 7.0.15: every expected slot
// below was read from `redis-cli -p <port> cluster keyslot <key>` (binary
// keys through redis-py) of a redis-server started with cluster-enabled
// yes, so a mismatch means a client would be sent to the wrong node.
#include "base/crc16.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vireo::base {
namespace {

TEST(Crc16, XmodemCheckValue) {
  EXPECT_EQ(Crc16("123456789", 9), 0x31c3);
  EXPECT_EQ(Crc16("", 0), 0);
  // One bit at a time, the definition: polynomial 0x1021, MSB first.
  std::string s = "The quick brown fox";
  uint16_t crc = 0;
  for (unsigned char c : s) {
    crc ^= static_cast<uint16_t>(c << 8);
    for (int k = 0; k < 8; k++) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
  }
  EXPECT_EQ(Crc16(s.data(), s.size()), crc);
}

TEST(Crc16, KeyHashSlotMatchesRedis) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"foo", 12182},
      {"bar", 5061},
      {"", 0},
      {"123456789", 12739},
      {"hello world", 15332},
      // A tag: only "user1000" is hashed.
      {"{user1000}.following", 3443},
      {"{user1000}.followers", 3443},
      {"{user1000}", 3443},
      {"user1000", 3443},
      // An empty first tag: the whole key, even with a later "{bar}".
      {"foo{}{bar}", 8363},
      {"{}", 15257},
      {"abc{}", 16021},
      {"{}abc", 5980},
      {"x{}y{z}", 15453},
      // No '}' after the first '{': the whole key.
      {"{a", 10276},
      {"a{bc", 13842},
      {"{", 4092},
      {"}", 12090},
      {"a}", 5921},
      // A '}' before the first '{' does not count.
      {"}{a}", 15495},
      {"{a}", 15495},
      {"a{b}c", 3300},
      // The first '{' and the first '}' after it: tags "{b" and "b".
      {"{{b}}", 6215},
      {"{b}}", 3300},
      {"a{bc}d{ef}", 12685},
      // Binary keys.
      {std::string("\xff\xfe", 2), 3374},
      {std::string("\x00", 1), 0},
      {std::string("a\0b", 3), 8383},
      {std::string("{\x00}", 3), 0},
      {std::string("\x80{\xc3\xa9}\x01", 6), 10180},
      {std::string(1000, 'x'), 3195},
  };
  for (const auto& [key, slot] : cases) EXPECT_EQ(KeyHashSlot(key), slot) << "key '" << key << "'";
  std::string all(256, '\0');
  for (int i = 0; i < 256; i++) all[static_cast<size_t>(i)] = static_cast<char>(i);
  EXPECT_EQ(KeyHashSlot(all), 16155);
}

TEST(Crc16, TagSharesSlotAndRange) {
  for (int i = 0; i < 1000; i++) {
    std::string k = "key:" + std::to_string(i);
    int s = KeyHashSlot(k);
    EXPECT_GE(s, 0);
    EXPECT_LT(s, kClusterSlots);
    EXPECT_EQ(KeyHashSlot("{" + k + "}:other"), s);
    EXPECT_EQ(KeyHashSlot("prefix{" + k + "}"), s);
  }
}

}  // namespace
}  // namespace vireo::base
