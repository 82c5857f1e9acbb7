// Unit tests for engine::StrMap (the hashtable encoding of hashes): node
// layout with short and long (multi-byte varint) strings, in-place and
// reallocating value updates, growth and shrinking with incremental
// rehashing against a reference map, SCAN's guarantee across resizes,
// fair random sampling, Dup, memory accounting.
#include "engine/encoding/strmap.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/memory.h"

namespace vireo::engine {
namespace {

std::map<std::string, std::string> Contents(const StrMap& m) {
  std::map<std::string, std::string> out;
  m.ForEach([&](const StrMapNode* n) {
    EXPECT_TRUE(out.emplace(std::string(n->field()), std::string(n->value())).second);
  });
  return out;
}

TEST(StrMapTest, SetFindEraseAndLayout) {
  StrMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_TRUE(m.Set("a", "1"));
  EXPECT_FALSE(m.Set("a", "2"));
  EXPECT_TRUE(m.Set("", ""));
  std::string bin("x\0y\xff", 4);
  EXPECT_TRUE(m.Set(bin, bin + bin));
  // Lengths past one varint byte (128) and two (16384).
  std::string f200(200, 'f'), v20k(20000, 'v');
  EXPECT_TRUE(m.Set(f200, v20k));
  EXPECT_EQ(m.size(), 4u);
  ASSERT_NE(m.Find("a"), nullptr);
  EXPECT_EQ(m.Find("a")->value(), "2");
  EXPECT_EQ(m.Find("")->value(), "");
  EXPECT_EQ(m.Find(bin)->value(), bin + bin);
  EXPECT_EQ(m.Find(f200)->field(), f200);
  EXPECT_EQ(m.Find(f200)->value(), v20k);
  EXPECT_EQ(m.Find("nope"), nullptr);
  EXPECT_TRUE(m.Erase("a"));
  EXPECT_FALSE(m.Erase("a"));
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.Find("a"), nullptr);
}

TEST(StrMapTest, ValueUpdatesGrowAndShrinkTheNode) {
  StrMap m;
  m.Set("field", "x");
  size_t base_mem = m.AllocatedSize();
  // Growing past the node's block reallocates it (and relinks it).
  std::string big(1000, 'b');
  m.Set("field", big);
  EXPECT_EQ(m.Find("field")->value(), big);
  EXPECT_GT(m.AllocatedSize(), base_mem + 900);
  // A much smaller value gives the memory back.
  m.Set("field", "y");
  EXPECT_EQ(m.Find("field")->value(), "y");
  EXPECT_LT(m.AllocatedSize(), base_mem + 64);
  // Same-size updates stay in place.
  const StrMapNode* before = m.Find("field");
  m.Set("field", "z");
  EXPECT_EQ(m.Find("field"), before);
  EXPECT_EQ(before->value(), "z");
}

TEST(StrMapTest, MatchesAReferenceMapThroughRehashing) {
  StrMap m;
  std::map<std::string, std::string> ref;
  std::mt19937 rng(7);
  for (int round = 0; round < 40000; round++) {
    std::string f = "f" + std::to_string(rng() % 5000);
    switch (rng() % 4) {
      case 0:
      case 1: {
        std::string v(rng() % 40, 'a' + static_cast<char>(rng() % 26));
        bool added = ref.count(f) == 0;
        ref[f] = v;
        ASSERT_EQ(m.Set(f, v), added);
        break;
      }
      case 2:
        ASSERT_EQ(m.Erase(f), ref.erase(f) == 1);
        break;
      default: {
        const StrMapNode* n = m.Find(f);
        auto it = ref.find(f);
        ASSERT_EQ(n != nullptr, it != ref.end());
        if (n) {
          ASSERT_EQ(n->value(), it->second);
        }
      }
    }
    ASSERT_EQ(m.size(), ref.size());
  }
  EXPECT_EQ(Contents(m), ref);
  // Shrinks as it empties (hashTypeDelete resizes after deletes).
  for (int i = 0; i < 5000; i++) {
    std::string f = "f" + std::to_string(i);
    if (ref.size() > 10 && ref.erase(f)) {
      ASSERT_TRUE(m.Erase(f));
    }
  }
  // A shrink starts on a delete when not already rehashing: finish any
  // rehash, delete once more, finish again.
  std::string some = ref.begin()->first;
  for (int i = 0; i < 1000; i++) ASSERT_NE(m.Find(some), nullptr);
  ASSERT_TRUE(m.Erase(ref.rbegin()->first));
  ref.erase(ref.rbegin()->first);
  for (int i = 0; i < 1000; i++) ASSERT_NE(m.Find(some), nullptr);
  EXPECT_EQ(m.slots(), 16u);
  EXPECT_EQ(Contents(m), ref);
}

TEST(StrMapTest, ScanReturnsEveryStableFieldAcrossResizes) {
  StrMap m;
  for (int i = 0; i < 1000; i++) m.Set("k" + std::to_string(i), "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = m.Scan(cursor, [&](const StrMapNode* n) { seen.insert(std::string(n->field())); });
    // Grow, then shrink, between calls: fields present throughout must
    // still all be returned.
    if (step == 10)
      for (int i = 1000; i < 5000; i++) m.Set("k" + std::to_string(i), "v");
    if (step == 40)
      for (int i = 1000; i < 5000; i++) m.Erase("k" + std::to_string(i));
    step++;
  } while (cursor != 0);
  for (int i = 0; i < 1000; i++) EXPECT_TRUE(seen.count("k" + std::to_string(i))) << i;
}

TEST(StrMapTest, FairRandomIsCloseToUniform) {
  StrMap m;
  for (int i = 0; i < 10; i++) m.Set(std::string(1, static_cast<char>('a' + i)), "v");
  std::map<std::string, int> hits;
  const int kDraws = 20000;
  for (int i = 0; i < kDraws; i++) hits[std::string(m.FairRandom()->field())]++;
  ASSERT_EQ(hits.size(), 10u);
  // Chi-square with 9 degrees of freedom: 40 is p < 0.00001 (the bound
  // Redis's hash.tcl uses for HRANDFIELD).
  double expected = kDraws / 10.0, chi = 0;
  for (auto& [k, n] : hits) chi += (n - expected) * (n - expected) / expected;
  EXPECT_LT(chi, 40);
}

TEST(StrMapTest, ReserveAndSamplingWhileRehashing) {
  StrMap m;
  m.Reserve(1000);  // dictExpand: the next power of two
  EXPECT_EQ(m.slots(), 1024u);
  for (int i = 0; i < 1024; i++) m.Set("k" + std::to_string(i), "v");
  EXPECT_EQ(m.slots(), 1024u) << "presized: no resize up to 1024 fields";
  m.Set("one-more", "v");  // starts a rehash to 2048
  std::set<std::string> seen;
  for (int i = 0; i < 20000; i++) {
    const StrMapNode* n = m.FairRandom();  // samples both tables meanwhile
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(n->value(), "v");
    seen.insert(std::string(n->field()));
  }
  EXPECT_GT(seen.size(), 1000u);
}

TEST(StrMapTest, DupAndMemory) {
  StrMap m;
  for (int i = 0; i < 300; i++) m.Set("field:" + std::to_string(i), "value:" + std::to_string(i));
  size_t before = base::UsedMemory();
  StrMap* d = m.Dup();
  EXPECT_EQ(Contents(*d), Contents(m));
  EXPECT_GE(base::UsedMemory() - before, d->AllocatedSize());
  // Sampling extrapolates; all samples gives the exact node total.
  EXPECT_EQ(m.SampledSize(0), m.AllocatedSize());
  EXPECT_GT(m.SampledSize(5), m.AllocatedSize() / 2);
  delete d;
  EXPECT_EQ(base::UsedMemory(), before);
}

}  // namespace
}  // namespace vireo::engine
