// Unit tests for engine/encoding/intset: Redis's byte format (header, widths,
// little-endian values), upgrades on insert, search, removal, random
// elements, and ValidateIntegrity against corrupt input (what RESTORE and
// the RDB loader will feed it).
#include "engine/encoding/intset.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "base/memory.h"

namespace vireo::engine::intset {
namespace {

std::vector<uint8_t> Bytes(const uint8_t* is) { return {is, is + BlobLen(is)}; }

uint8_t* Build(std::initializer_list<int64_t> vals) {
  uint8_t* is = New();
  for (int64_t v : vals) {
    bool added;
    is = Add(is, v, &added);
  }
  return is;
}

TEST(IntsetTest, EmptyHeader) {
  uint8_t* is = New();
  EXPECT_EQ(Encoding(is), kEnc16);
  EXPECT_EQ(Length(is), 0u);
  EXPECT_EQ(BlobLen(is), 8u);
  // Why: Redis rejects an empty intset.
  EXPECT_FALSE(ValidateIntegrity(is, BlobLen(is), true));
  Free(is);
}

TEST(IntsetTest, ExactBytesOfRedis) {
  // Redis: intsetAdd(5), intsetAdd(-3), intsetAdd(300) on a new intset.
  uint8_t* is = Build({5, -3, 300});
  std::vector<uint8_t> want = {2, 0, 0, 0, 3, 0, 0, 0, 0xFD, 0xFF, 5, 0, 0x2C, 0x01};
  EXPECT_EQ(Bytes(is), want);
  EXPECT_EQ(base::AllocSize(is) >= BlobLen(is), true);
  Free(is);
}

TEST(IntsetTest, UpgradeAppendsOrPrepends) {
  uint8_t* is = Build({1, 2});
  bool added;
  is = Add(is, 70000, &added);  // int32, positive: last
  EXPECT_TRUE(added);
  EXPECT_EQ(Encoding(is), kEnc32);
  EXPECT_EQ(Get(is, 0), 1);
  EXPECT_EQ(Get(is, 2), 70000);
  is = Add(is, -5000000000LL, &added);  // int64, negative: first
  EXPECT_EQ(Encoding(is), kEnc64);
  EXPECT_EQ(Get(is, 0), -5000000000LL);
  EXPECT_EQ(Get(is, 1), 1);
  EXPECT_EQ(Get(is, 3), 70000);
  EXPECT_EQ(BlobLen(is), 8u + 4 * 8);
  EXPECT_TRUE(ValidateIntegrity(is, BlobLen(is), true));
  // Removal never downgrades (as Redis).
  bool removed;
  is = Remove(is, -5000000000LL, &removed);
  EXPECT_TRUE(removed);
  EXPECT_EQ(Encoding(is), kEnc64);
  Free(is);
}

TEST(IntsetTest, Limits) {
  uint8_t* is = Build({INT64_MAX, INT64_MIN, 0, INT16_MIN, INT16_MAX, INT32_MIN, INT32_MAX});
  EXPECT_EQ(Length(is), 7u);
  EXPECT_EQ(Min(is), INT64_MIN);
  EXPECT_EQ(Max(is), INT64_MAX);
  for (int64_t v : {INT64_MAX, INT64_MIN, int64_t{0}, int64_t{INT16_MIN}, int64_t{INT32_MAX}})
    EXPECT_TRUE(Find(is, v));
  EXPECT_FALSE(Find(is, 1));
  EXPECT_TRUE(ValidateIntegrity(is, BlobLen(is), true));
  Free(is);
}

TEST(IntsetTest, FindNeverMatchesWiderValue) {
  uint8_t* is = Build({1, 2, 3});
  EXPECT_FALSE(Find(is, 65537));  // wider than int16: no search at all
  EXPECT_FALSE(Find(is, -70000));
  Free(is);
}

TEST(IntsetTest, DuplicatesAndRemoval) {
  uint8_t* is = Build({3, 1, 2});
  bool added, removed;
  is = Add(is, 2, &added);
  EXPECT_FALSE(added);
  EXPECT_EQ(Length(is), 3u);
  is = Remove(is, 7, &removed);
  EXPECT_FALSE(removed);
  is = Remove(is, 100000, &removed);  // wider than the encoding
  EXPECT_FALSE(removed);
  is = Remove(is, 2, &removed);
  EXPECT_TRUE(removed);
  EXPECT_EQ(Get(is, 0), 1);
  EXPECT_EQ(Get(is, 1), 3);
  EXPECT_EQ(BlobLen(is), 12u);
  is = Remove(is, 1, &removed);
  is = Remove(is, 3, &removed);
  EXPECT_EQ(Length(is), 0u);
  Free(is);
}

TEST(IntsetTest, SearchPositions) {
  uint8_t* is = Build({10, 20, 30});
  uint32_t pos;
  EXPECT_FALSE(Search(is, 5, &pos));
  EXPECT_EQ(pos, 0u);
  EXPECT_FALSE(Search(is, 35, &pos));
  EXPECT_EQ(pos, 3u);
  EXPECT_FALSE(Search(is, 25, &pos));
  EXPECT_EQ(pos, 2u);
  EXPECT_TRUE(Search(is, 20, &pos));
  EXPECT_EQ(pos, 1u);
  Free(is);
}

TEST(IntsetTest, RandomAgainstStdSet) {
  std::mt19937_64 rng(42);
  uint8_t* is = New();
  std::set<int64_t> ref;
  for (int i = 0; i < 20000; i++) {
    int64_t v;
    switch (rng() % 3) {
      case 0: v = static_cast<int16_t>(rng()); break;
      case 1: v = static_cast<int32_t>(rng()); break;
      default: v = static_cast<int64_t>(rng()); break;
    }
    if (rng() % 4 == 0 && !ref.empty()) {
      v = *ref.begin();
      bool removed;
      is = Remove(is, v, &removed);
      EXPECT_TRUE(removed);
      ref.erase(v);
    } else {
      bool added;
      is = Add(is, v, &added);
      EXPECT_EQ(added, ref.insert(v).second);
    }
  }
  ASSERT_EQ(Length(is), ref.size());
  uint32_t i = 0;
  for (int64_t v : ref) EXPECT_EQ(Get(is, i++), v);
  EXPECT_TRUE(ValidateIntegrity(is, BlobLen(is), true));
  for (int k = 0; k < 100; k++) EXPECT_TRUE(ref.count(Random(is)));
  Free(is);
}

TEST(IntsetTest, RandomCoversAll) {
  uint8_t* is = Build({1, 2, 3, 4});
  std::set<int64_t> seen;
  for (int k = 0; k < 1000; k++) seen.insert(Random(is));
  EXPECT_EQ(seen.size(), 4u);
  Free(is);
}

TEST(IntsetTest, DupIsExact) {
  uint8_t* is = Build({-1, 100000, 7});
  uint8_t* d = Dup(is);
  EXPECT_EQ(Bytes(is), Bytes(d));
  Free(is);
  Free(d);
}

// ---- ValidateIntegrity ------------------------------------------------------

std::vector<uint8_t> Raw(uint32_t enc, uint32_t len, std::vector<int64_t> vals, uint32_t width) {
  std::vector<uint8_t> b(8);
  memcpy(b.data(), &enc, 4);  // the tests run on little-endian hosts
  memcpy(b.data() + 4, &len, 4);
  for (int64_t v : vals)
    for (uint32_t i = 0; i < width; i++) b.push_back(uint8_t(uint64_t(v) >> (8 * i)));
  return b;
}

TEST(IntsetValidateTest, AcceptsGood) {
  auto b = Raw(2, 3, {-1, 0, 5}, 2);
  EXPECT_TRUE(ValidateIntegrity(b.data(), b.size(), true));
  b = Raw(8, 1, {INT64_MIN}, 8);
  EXPECT_TRUE(ValidateIntegrity(b.data(), b.size(), true));
  // Shallow validation does not look at the order; a value that would fit a
  // narrower encoding is accepted (Redis does not check it either).
  b = Raw(4, 2, {5, 1}, 4);
  EXPECT_TRUE(ValidateIntegrity(b.data(), b.size(), false));
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), true));
}

TEST(IntsetValidateTest, RejectsCorrupt) {
  EXPECT_FALSE(ValidateIntegrity(nullptr, 0, true));
  uint8_t tiny[7] = {2, 0, 0, 0, 0, 0, 0};
  for (size_t n = 0; n <= 7; n++) EXPECT_FALSE(ValidateIntegrity(tiny, n, false));
  // Bad encodings.
  for (uint32_t enc : {0u, 1u, 3u, 6u, 16u, 0xFFFFFFFFu}) {
    auto b = Raw(enc, 1, {1}, 8);
    b.resize(8 + (enc < 16 ? enc : 0));
    EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), true)) << enc;
  }
  // Length does not match the size (short, long, and a length that would
  // wrap a 32-bit multiplication).
  auto b = Raw(2, 3, {1, 2}, 2);
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), false));
  b = Raw(2, 1, {1, 2}, 2);
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), false));
  b = Raw(8, 0x20000001u, {1}, 8);
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), false));
  // Empty.
  b = Raw(2, 0, {}, 2);
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), false));
  // Duplicates and disorder (deep only).
  b = Raw(2, 3, {1, 1, 2}, 2);
  EXPECT_TRUE(ValidateIntegrity(b.data(), b.size(), false));
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), true));
  b = Raw(8, 2, {INT64_MAX, INT64_MIN}, 8);
  EXPECT_FALSE(ValidateIntegrity(b.data(), b.size(), true));
}

TEST(IntsetValidateTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; i++) {
    size_t n = rng() % 64;
    std::vector<uint8_t> b(n);
    for (auto& x : b) x = uint8_t(rng());
    if (n >= 8 && rng() % 2) {
      uint32_t enc = 2u << (rng() % 3);
      uint32_t len = static_cast<uint32_t>((n - 8) / enc);
      memcpy(b.data(), &enc, 4);
      memcpy(b.data() + 4, &len, 4);
    }
    bool ok = ValidateIntegrity(b.data(), b.size(), true);
    if (ok) {
      for (uint32_t k = 1; k < Length(b.data()); k++)
        EXPECT_LT(Get(b.data(), k - 1), Get(b.data(), k));
    }
  }
}

}  // namespace
}  // namespace vireo::engine::intset
