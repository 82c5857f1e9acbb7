// Sorted-set encodings: the skiplist + member index (ranks, ranges, score
// updates against a reference model, span invariants), the listpack pair
// helpers (Redis's score bytes: integers when integral, "%.17g" text
// otherwise) and the conversions between the two.
#include "engine/encoding/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/encoding/listpack.h"
#include "engine/types/zset_internal.h"
#include "engine/value.h"

namespace vireo::engine {
namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> Walk(const zsl::ZSet& z) {
  std::vector<std::pair<double, std::string>> out;
  for (const zsl::Node* n = z.first(); n; n = zsl::ZSet::next(n))
    out.emplace_back(n->score, std::string(n->member()));
  return out;
}

// Every forward link's span equals the level-0 distance it jumps, backward
// links mirror level 0, and the index holds exactly the listed nodes.
void CheckInvariants(zsl::ZSet& z) {
  std::vector<const zsl::Node*> order;
  for (const zsl::Node* n = z.first(); n; n = zsl::ZSet::next(n)) order.push_back(n);
  ASSERT_EQ(order.size(), z.size());
  ASSERT_EQ(z.dict().size(), z.size());
  for (size_t i = 0; i < order.size(); i++) {
    EXPECT_EQ(order[i]->backward, i ? order[i - 1] : nullptr);
    EXPECT_EQ(z.Rank(order[i]), i + 1);
    EXPECT_EQ(z.ByRank(i + 1), order[i]);
    EXPECT_EQ(z.Find(order[i]->member()), order[i]);
  }
  EXPECT_EQ(z.last(), order.empty() ? nullptr : order.back());
}

TEST(Skiplist, InsertOrdersByScoreThenMember) {
  zsl::ZSet z;
  z.Insert(2, "b");
  z.Insert(1, "z");
  z.Insert(2, "a");
  z.Insert(-INFINITY, "m");
  z.Insert(INFINITY, "n");
  auto w = Walk(z);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(w[0].second, "m");
  EXPECT_EQ(w[1].second, "z");
  EXPECT_EQ(w[2].second, "a");
  EXPECT_EQ(w[3].second, "b");
  EXPECT_EQ(w[4].second, "n");
  CheckInvariants(z);
}

TEST(Skiplist, RandomOperationsMatchModel) {
  std::mt19937 rng(7);
  zsl::ZSet z;
  Model model;
  std::map<std::string, double> scores;
  for (int i = 0; i < 20000; i++) {
    std::string m = "m" + std::to_string(rng() % 500);
    double s = static_cast<double>(rng() % 50);
    int op = static_cast<int>(rng() % 3);
    auto it = scores.find(m);
    if (op == 0 && it == scores.end()) {
      z.Insert(s, m);
      model.insert({s, m});
      scores[m] = s;
    } else if (op == 1 && it != scores.end()) {
      z.UpdateScore(z.Find(m), s);
      model.erase({it->second, m});
      model.insert({s, m});
      it->second = s;
    } else if (op == 2) {
      bool had = it != scores.end();
      EXPECT_EQ(z.Delete(m), had);
      if (had) {
        model.erase({it->second, m});
        scores.erase(it);
      }
    }
  }
  auto w = Walk(z);
  std::vector<std::pair<double, std::string>> want(model.begin(), model.end());
  EXPECT_EQ(w, want);
  CheckInvariants(z);
}

TEST(Skiplist, ScoreAndLexRanges) {
  zsl::ZSet z;
  for (int i = 0; i < 100; i++) z.Insert(i, "m" + std::to_string(1000 + i));
  zsl::ScoreRange r{10, 20, true, false};
  EXPECT_EQ(z.FirstInRange(r)->score, 11);
  EXPECT_EQ(z.LastInRange(r)->score, 20);
  zsl::ScoreRange empty{5, 5, true, false};
  EXPECT_EQ(z.FirstInRange(empty), nullptr);
  EXPECT_EQ(z.FirstInRange({200, 300, false, false}), nullptr);
  EXPECT_EQ(z.DeleteRangeByScore(r), 10u);
  EXPECT_EQ(z.size(), 90u);
  CheckInvariants(z);
  EXPECT_EQ(z.DeleteRangeByRank(1, 5), 5u);
  EXPECT_EQ(z.first()->score, 5);
  CheckInvariants(z);

  zsl::ZSet l;
  for (const char* m : {"a", "b", "c", "d", "e"}) l.Insert(0, m);
  zsl::LexRange lr;
  lr.min = "b";
  lr.max = "d";
  lr.maxex = true;
  EXPECT_EQ(l.FirstInLexRange(lr)->member(), "b");
  EXPECT_EQ(l.LastInLexRange(lr)->member(), "c");
  zsl::LexRange all;
  all.min_kind = zsl::LexRange::kMinusInf;
  all.max_kind = zsl::LexRange::kPlusInf;
  EXPECT_FALSE(all.Empty());
  EXPECT_EQ(l.DeleteRangeByLex(lr), 2u);
  EXPECT_EQ(l.DeleteRangeByLex(all), 3u);
  EXPECT_EQ(l.size(), 0u);
  zsl::LexRange inverted;
  inverted.min_kind = zsl::LexRange::kPlusInf;
  inverted.max_kind = zsl::LexRange::kMinusInf;
  EXPECT_TRUE(inverted.Empty());
}

TEST(Skiplist, BulkBuildAndBinaryMembers) {
  zsl::ZSet z;
  std::string bin("a\0b", 3);
  z.AddUnlinked(3, bin);
  z.AddUnlinked(1, "x");
  z.Find("x")->score = 5;  // an accumulator may change scores before linking
  z.LinkAll();
  auto w = Walk(z);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].second, bin);
  EXPECT_EQ(w[1].second, "x");
  CheckInvariants(z);
}

// ---- listpack encoding ---------------------------------------------------------

TEST(ZsetListpack, ScoresStoredAsRedisDoes) {
  uint8_t* l = lp::New();
  l = zset::detail::LpInsert(l, "a", 1.5);
  l = zset::detail::LpInsert(l, "b", 3);
  l = zset::detail::LpInsert(l, "c", -0.0);
  l = zset::detail::LpInsert(l, "d", INFINITY);
  l = zset::detail::LpInsert(l, "e", 1e300);
  // Order: c(0) a(1.5) b(3) e(1e300) d(inf).
  std::vector<std::string> got;
  char buf[32];
  for (const uint8_t* p = lp::First(l); p; p = lp::Next(l, p)) {
    lp::Elem el = lp::Get(p);
    got.push_back(el.is_int() ? "#" + std::to_string(el.v) : std::string(el.ToString(buf)));
  }
  std::vector<std::string> want = {"c", "#0",  "a", "1.5", "b", "#3",
                                   "e", "1.0000000000000001e+300", "d", "inf"};
  EXPECT_EQ(got, want);
  double s;
  ASSERT_NE(zset::detail::LpFind(l, "e", &s), nullptr);
  EXPECT_EQ(s, 1e300);
  EXPECT_EQ(zset::detail::LpFind(l, "zz", &s), nullptr);
  uint64_t deleted;
  l = zset::detail::LpDeleteRangeByScore(l, {1, 3, false, false}, &deleted);
  EXPECT_EQ(deleted, 2u);
  EXPECT_EQ(zset::detail::LpPairs(l), 3u);
  lp::Free(l);
}

TEST(ZsetListpack, ConversionRoundTrip) {
  Entry* e = zset::detail::NewEntry("k", Enc::kListpack);
  KeyspaceOptions o;
  o.zset_max_listpack_entries = 4;
  for (int i = 0; i < 4; i++) zset::detail::AddNew(e, std::to_string(i * 7), i * 0.5, o);
  EXPECT_EQ(e->encoding(), Enc::kListpack);
  uint8_t d1[20] = {0}, d2[20] = {0};
  DigestValue(e, d1);
  zset::detail::AddNew(e, "x", 100, o);
  EXPECT_EQ(e->encoding(), Enc::kSkiplist);
  EXPECT_TRUE(zset::detail::Remove(e, "x"));
  DigestValue(e, d2);
  EXPECT_EQ(0, memcmp(d1, d2, 20));  // the digest does not depend on the encoding
  zset::detail::ConvertToListpackIfNeeded(e, 2, 8, o);
  EXPECT_EQ(e->encoding(), Enc::kListpack);
  EXPECT_EQ(zset::detail::Length(e), 4u);
  double s;
  EXPECT_TRUE(zset::detail::FindScore(e, "21", &s));
  EXPECT_EQ(s, 1.5);
  Entry* copy = DupEntry(e, "k2");
  EXPECT_EQ(0, memcmp(copy->v.ptr, e->v.ptr, lp::Bytes(zset::detail::Lp(e))));
  FreeEntry(copy);
  FreeEntry(e);
}

}  // namespace
}  // namespace vireo::engine
