// Unit tests for engine/encoding/strset (the hashtable encoding of sets):
// members of every length (1- and 5-byte length headers), binary bytes,
// growth and shrinking with incremental rehash, SCAN's guarantee while the
// table resizes, and the fairness of Random() (Redis's
// dictGetFairRandomKey approach).
#include "engine/encoding/strset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/memory.h"

namespace vireo::engine::strset {
namespace {

TEST(StrSetTest, AddRemoveContains) {
  StrSet s;
  EXPECT_TRUE(s.Add("a"));
  EXPECT_FALSE(s.Add("a"));
  EXPECT_TRUE(s.Add(""));
  EXPECT_TRUE(s.Add(std::string("a\0b", 3)));
  EXPECT_TRUE(s.Contains(std::string("a\0b", 3)));
  EXPECT_FALSE(s.Contains("b"));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.Remove("a"));
  EXPECT_FALSE(s.Remove("a"));
  EXPECT_EQ(s.size(), 2u);
}

TEST(StrSetTest, LongMembers) {
  StrSet s;
  std::string m254(254, 'x'), m255(255, 'y'), m70k(70000, 'z');
  EXPECT_TRUE(s.Add(m254));
  EXPECT_TRUE(s.Add(m255));
  EXPECT_TRUE(s.Add(m70k));
  EXPECT_TRUE(s.Contains(m254));
  EXPECT_TRUE(s.Contains(m255));
  EXPECT_TRUE(s.Contains(m70k));
  std::set<std::string> seen;
  s.ForEach([&](std::string_view m) { seen.insert(std::string(m)); });
  EXPECT_EQ(seen, (std::set<std::string>{m254, m255, m70k}));
}

TEST(StrSetTest, OneAllocationPerMember) {
  size_t before = base::UsedMemory();
  {
    StrSet s;
    for (int i = 0; i < 1000; i++) s.Add("member:" + std::to_string(i));
    size_t per = (base::UsedMemory() - before) / 1000;
    // 8-byte chain pointer + 1-byte length + <= 10 bytes -> a 32-byte class,
    // plus ~4 bytes of bucket (two members per bucket): Redis pays 72.
    EXPECT_LE(per, 40u);
  }
  EXPECT_EQ(base::UsedMemory(), before);
}

TEST(StrSetTest, GrowShrinkAndScanGuarantee) {
  StrSet s;
  for (int i = 0; i < 5000; i++) s.Add(std::to_string(i) + "x");
  // A full SCAN while members are removed between steps (the table shrinks):
  // every member present for the whole scan is returned.
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = s.Scan(cursor, [&](std::string_view m) { seen.insert(std::string(m)); });
    if (step++ < 400)
      for (int k = 0; k < 10; k++) s.Remove(std::to_string(step * 10 + k) + "x");
  } while (cursor != 0);
  for (int i = 4010; i < 5000; i++) EXPECT_TRUE(seen.count(std::to_string(i) + "x")) << i;
  // Under 10% full: the table shrinks (Redis's htNeedsResize).
  for (int i = 4010; i < 4900; i++) s.Remove(std::to_string(i) + "x");
  for (int i = 0; i < 20000; i++) s.Contains("rehash");  // drive the incremental rehash
  EXPECT_EQ(s.size(), 110u);
  EXPECT_LE(s.slots(), 1024u);
}

TEST(StrSetTest, RandomIsFair) {
  // Redis's set.tcl check: 10 members, a chi-square test with 9 degrees of
  // freedom under 40 (probability 0.00001). Up to 20 members the sample is
  // the whole set, so the draw is uniform whatever the chains.
  StrSet s;
  for (int i = 0; i < 10; i++) s.Add("m" + std::to_string(i));
  std::map<std::string, int> hist;
  const int kDraws = 10000;
  for (int i = 0; i < kDraws; i++) hist[std::string(s.Random())]++;
  ASSERT_EQ(hist.size(), 10u);
  double expected = kDraws / 10.0, chi = 0;
  for (auto& [k, n] : hist) chi += (n - expected) * (n - expected) / expected;
  EXPECT_LT(chi, 40.0);
  // Bigger sets: every member is reachable (the window approach is as
  // uneven as Redis's dictGetSomeKeys, no more).
  StrSet big;
  for (int i = 0; i < 500; i++) big.Add("m" + std::to_string(i));
  std::set<std::string> seen;
  for (int i = 0; i < 50000; i++) seen.insert(std::string(big.Random()));
  EXPECT_EQ(seen.size(), 500u);
}

TEST(StrSetTest, MemoryUsageSampled) {
  StrSet s;
  for (int i = 0; i < 100; i++) s.Add("member-" + std::to_string(i));
  size_t all = s.MemoryUsage(0);
  size_t sampled = s.MemoryUsage(5);
  EXPECT_GT(all, 100u * 16);
  EXPECT_NEAR(double(all), double(sampled), double(all) * 0.25);
}

}  // namespace
}  // namespace vireo::engine::strset
