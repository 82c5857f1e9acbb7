// Listpack: byte identity with Redis 7.0.15 (a golden listpack taken from a
// DUMP of a hash built by redis-server), navigation, writes, and validation
// of corrupt input.
#include "engine/encoding/listpack.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace vireo::engine {
namespace {

std::string TestData(const char* name) {
  std::string dir = __FILE__;
  dir = dir.substr(0, dir.rfind('/'));
  std::ifstream f(dir + "/testdata/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The values the golden file was built from: HSET h f<i> <vals[i]> in order
// with hash-max-listpack-value 10000, then DUMP (rdbcompression no).
std::vector<std::string> GoldenValues() {
  return {"a", "1", "0", "127", "128", "-1", "-4096", "4095", "4096", "-32768", "32767",
          "32768", "-8388608", "8388607", "8388608", "-2147483648", "2147483647", "2147483648",
          "-9223372036854775808", "9223372036854775807", "9223372036854775808", "01", "-0",
          std::string(63, 'x'), std::string(64, 'y'), std::string(127, 'z'),
          std::string(128, 'w'), std::string(4095, 'v'), std::string(4096, 'u'), "", "+1", " 1"};
}

std::vector<std::string> Contents(const uint8_t* l) {
  std::vector<std::string> out;
  char buf[32];
  for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, p))
    out.emplace_back(lp::Get(p).ToString(buf));
  return out;
}

TEST(Listpack, BytesIdenticalToRedis) {
  std::string golden = TestData("listpack_hash_redis7015.bin");
  ASSERT_FALSE(golden.empty());
  uint8_t* l = lp::New();
  std::vector<std::string> vals = GoldenValues();
  for (size_t i = 0; i < vals.size(); i++) {
    l = lp::Append(l, "f" + std::to_string(i));
    l = lp::Append(l, vals[i]);
  }
  ASSERT_EQ(lp::Bytes(l), golden.size());
  EXPECT_EQ(0, memcmp(l, golden.data(), golden.size()));
  lp::Free(l);
}

TEST(Listpack, ReadsRedisListpack) {
  std::string golden = TestData("listpack_hash_redis7015.bin");
  auto* g = reinterpret_cast<const uint8_t*>(golden.data());
  uint32_t count = 0;
  ASSERT_TRUE(lp::ValidateIntegrity(g, golden.size(), true, &count));
  std::vector<std::string> vals = GoldenValues();
  EXPECT_EQ(count, vals.size() * 2);
  EXPECT_EQ(lp::Length(g), vals.size() * 2);
  std::vector<std::string> got = Contents(g);
  for (size_t i = 0; i < vals.size(); i++) {
    EXPECT_EQ(got[2 * i], "f" + std::to_string(i));
    EXPECT_EQ(got[2 * i + 1], vals[i]);
  }
  // Backwards gives the same elements.
  size_t i = got.size();
  char buf[32];
  for (const uint8_t* p = lp::Last(g); p; p = lp::Prev(g, p)) {
    ASSERT_GT(i, 0u);
    EXPECT_EQ(lp::Get(p).ToString(buf), got[--i]);
  }
  EXPECT_EQ(i, 0u);
}

TEST(Listpack, IntegerEncodings) {
  uint8_t* l = lp::New();
  std::vector<int64_t> v = {0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 32768,
                            -8388608, 8388607, 8388608, INT32_MIN, INT32_MAX, 1LL << 40,
                            INT64_MIN, INT64_MAX};
  for (int64_t x : v) l = lp::AppendInt(l, x);
  size_t i = 0;
  for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, p), i++) {
    lp::Elem e = lp::Get(p);
    ASSERT_TRUE(e.is_int());
    EXPECT_EQ(e.v, v[i]);
  }
  EXPECT_EQ(i, v.size());
  // Sizes of the encodings (Redis's 7/13/16/24/32/64-bit forms + backlen).
  EXPECT_EQ(lp::EncodedSize("127"), 2u);
  EXPECT_EQ(lp::EncodedSize("128"), 3u);
  EXPECT_EQ(lp::EncodedSize("-4096"), 3u);
  EXPECT_EQ(lp::EncodedSize("4096"), 4u);
  EXPECT_EQ(lp::EncodedSize("32768"), 5u);
  EXPECT_EQ(lp::EncodedSize("8388608"), 6u);
  EXPECT_EQ(lp::EncodedSize("2147483648"), 10u);
  EXPECT_EQ(lp::EncodedSize("01"), 4u);  // not canonical: a 2-byte string
  EXPECT_EQ(lp::EncodedSize(std::string(63, 'a')), 65u);
  EXPECT_EQ(lp::EncodedSize(std::string(64, 'a')), 67u);   // 2-byte header
  EXPECT_EQ(lp::EncodedSize(std::string(126, 'a')), 130u);  // + 2-byte backlen
  EXPECT_EQ(lp::EncodedSize(std::string(4096, 'a')), 4096u + 5 + 2);
  lp::Free(l);
}

TEST(Listpack, InsertDeleteSeekFind) {
  uint8_t* l = lp::New();
  for (const char* s : {"b", "d", "f"}) l = lp::Append(l, s);
  l = lp::Prepend(l, "a");
  uint8_t* p = lp::Seek(l, 1);  // "b"
  l = lp::Insert(l, "c", p, lp::Where::kAfter, &p);
  EXPECT_TRUE(lp::Equals(p, "c"));
  p = lp::Seek(l, -1);  // "f"
  l = lp::Insert(l, "e", p, lp::Where::kBefore);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(lp::Length(l), 6u);
  EXPECT_EQ(lp::Seek(l, 6), nullptr);
  EXPECT_EQ(lp::Seek(l, -7), nullptr);
  EXPECT_TRUE(lp::Equals(lp::Seek(l, -6), "a"));

  p = lp::Seek(l, 2);
  l = lp::Replace(l, &p, std::string(300, 'x'));
  EXPECT_EQ(lp::Get(p).len, 300u);
  l = lp::Replace(l, &p, "12345");
  EXPECT_TRUE(lp::Get(p).is_int());
  EXPECT_TRUE(lp::Equals(p, "12345"));
  EXPECT_FALSE(lp::Equals(p, "012345"));

  // Find with skip: pairs (a,b) (12345,d) (e,f); look at the first of each.
  EXPECT_EQ(lp::Find(l, lp::First(l), "b", 1), nullptr);
  uint8_t* f = lp::Find(l, lp::First(l), "e", 1);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(lp::Equals(lp::Next(l, f), "f"));
  EXPECT_NE(lp::Find(l, lp::First(l), "12345", 1), nullptr);

  p = lp::Seek(l, 0);
  l = lp::Delete(l, &p);
  EXPECT_TRUE(lp::Equals(p, "b"));
  p = lp::Seek(l, -1);
  l = lp::Delete(l, &p);
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"b", "12345", "d", "e"}));
  l = lp::DeleteRange(l, 1, 2);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"b", "e"}));
  l = lp::DeleteRange(l, -1, 10);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(lp::ValidateIntegrity(l, lp::Bytes(l), true));

  uint8_t* other = lp::New();
  other = lp::Append(other, "y");
  other = lp::AppendInt(other, -5);
  l = lp::AppendAll(l, other);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"b", "y", "-5"}));
  EXPECT_EQ(lp::Length(l), 3u);
  EXPECT_TRUE(lp::ValidateIntegrity(l, lp::Bytes(l), true));
  lp::Free(other);
  lp::Free(l);
}

TEST(Listpack, UnknownCountHeader) {
  uint8_t* l = lp::New();
  for (int i = 0; i < 70000; i++) l = lp::AppendInt(l, i % 100);
  EXPECT_EQ(l[4] | l[5] << 8, 65535);  // too many: "unknown"
  EXPECT_EQ(lp::Length(l), 70000u);
  l = lp::DeleteRange(l, 0, 10000);
  EXPECT_EQ(lp::Length(l), 60000u);
  EXPECT_EQ(l[4] | l[5] << 8, 60000);
  EXPECT_TRUE(lp::ValidateIntegrity(l, lp::Bytes(l), true));
  lp::Free(l);
}

TEST(Listpack, ValidationRejectsCorruptInput) {
  std::string golden = TestData("listpack_hash_redis7015.bin");
  auto check = [](const std::string& s) {
    auto* p = reinterpret_cast<const uint8_t*>(s.data());
    return lp::ValidateIntegrity(p, s.size(), true);
  };
  ASSERT_TRUE(check(golden));
  EXPECT_FALSE(check(golden.substr(0, 5)));                 // shorter than a header
  EXPECT_FALSE(check(golden.substr(0, golden.size() - 1)));  // size mismatch
  std::string bad = golden;
  bad.back() = 0;  // no terminator
  EXPECT_FALSE(check(bad));
  bad = golden;
  bad[4] = 3;  // wrong count
  EXPECT_FALSE(check(bad));
  bad = golden;
  bad[6] = static_cast<char>(0xF7);  // invalid encoding byte
  EXPECT_FALSE(check(bad));
  // Random corruption never crashes (ASan checks reads stay in bounds).
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; i++) {
    std::string m = golden.substr(0, 64 + rng() % 200);
    uint32_t n = static_cast<uint32_t>(m.size());
    memcpy(m.data(), &n, 4);
    m.back() = static_cast<char>(0xFF);
    for (int k = 0; k < 3; k++) m[6 + rng() % (m.size() - 7)] = static_cast<char>(rng());
    check(m);
  }
}

}  // namespace
}  // namespace vireo::engine
