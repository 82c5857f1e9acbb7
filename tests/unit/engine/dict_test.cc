// Unit tests for engine/HashTable: basic operations at scale, incremental
// rehashing (growing and shrinking), Redis's SCAN guarantee across resizes,
// random sampling.
#include "engine/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vireo::engine {
namespace {

struct TNode {
  TNode* next = nullptr;
  std::string key;
  int value = 0;
};
struct TTraits {
  static std::string_view Key(const TNode* n) { return n->key; }
};
using Table = HashTable<TNode, TTraits>;

// Owns the nodes; the table only links them.
class Fixture {
 public:
  TNode* Make(const std::string& key, int value = 0) {
    auto n = std::make_unique<TNode>();
    n->key = key;
    n->value = value;
    TNode* p = n.get();
    nodes_[p] = std::move(n);
    return p;
  }
  void Insert(const std::string& key, int value = 0) { t.Insert(Make(key, value)); }
  bool Remove(const std::string& key) {
    TNode* n = t.Remove(key);
    if (!n) return false;
    EXPECT_EQ(n->key, key);
    nodes_.erase(n);
    return true;
  }
  ~Fixture() {
    // Unlink everything before the nodes die.
    t.Clear([](TNode*) {});
  }
  Table t;

 private:
  std::unordered_map<TNode*, std::unique_ptr<TNode>> nodes_;
};

std::string K(int i) { return "key:" + std::to_string(i); }

// Restores the global resize flag of the test instantiation.
struct ResizeGuard {
  explicit ResizeGuard(bool allowed) { Table::SetResizeAllowed(allowed); }
  ~ResizeGuard() { Table::SetResizeAllowed(true); }
};

void FinishRehash(Table& t) {
  while (t.Rehash(1000)) {
  }
}

// Inserts K(n), K(n+1), ... until an insert starts a new expansion while the
// table holds at least min_size keys: the rehash has just begun.
void GrowUntilFreshRehash(Fixture& f, size_t min_size, int* n) {
  for (;;) {
    bool was = f.t.rehashing();
    f.Insert(K(*n), *n);
    (*n)++;
    if (!was && f.t.rehashing() && f.t.size() >= min_size) return;
  }
}

// ------------------------------------------------------------ basics

TEST(HashTable, EmptyTable) {
  Table t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.buckets(), 0u);
  EXPECT_FALSE(t.rehashing());
  EXPECT_EQ(t.Find("x"), nullptr);
  EXPECT_EQ(t.FindLink("x"), nullptr);
  EXPECT_EQ(t.Remove("x"), nullptr);
  EXPECT_EQ(t.RandomNode(), nullptr);
  int calls = 0;
  EXPECT_EQ(t.Scan(0, [&](TNode*) { calls++; }), 0u);
  EXPECT_EQ(t.Scan(12345, [&](TNode*) { calls++; }), 0u);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(t.Rehash(10));
  t.ShrinkIfNeeded();
  EXPECT_EQ(t.MemoryUsage(), 0u);
}

TEST(HashTable, StatsInRedisFormat) {
  Fixture f;
  EXPECT_EQ(f.t.Stats(), "No stats available for empty dictionaries\n");
  for (int i = 0; i < 3; i++) f.Insert(K(i));
  std::string s = f.t.Stats();
  EXPECT_EQ(s.rfind("Hash table 0 stats (main hash table):\n table size: 4\n"
                    " number of elements: 3\n different slots: ", 0), 0u) << s;
  EXPECT_NE(s.find(" Chain length distribution:\n   0: "), std::string::npos) << s;
}

TEST(HashTable, InsertFindRemove100k) {
  Fixture f;
  const int n = 100000;
  for (int i = 0; i < n; i++) {
    f.Insert(K(i), i);
    ASSERT_EQ(f.t.size(), static_cast<size_t>(i + 1));
  }
  for (int i = 0; i < n; i++) {
    TNode* node = f.t.Find(K(i));
    ASSERT_NE(node, nullptr) << i;
    ASSERT_EQ(node->value, i);
  }
  for (int i = n; i < n + 1000; i++) ASSERT_EQ(f.t.Find(K(i)), nullptr);
  // Prefix / suffix keys of existing ones are different keys.
  EXPECT_EQ(f.t.Find("key:"), nullptr);
  EXPECT_EQ(f.t.Find("key:10000x"), nullptr);
  EXPECT_EQ(f.t.Find(""), nullptr);
  EXPECT_GE(f.t.buckets(), f.t.size() / 2);
  size_t visited = 0;
  f.t.ForEach([&](TNode*) { visited++; });
  EXPECT_EQ(visited, static_cast<size_t>(n));
  // Remove the even keys.
  for (int i = 0; i < n; i += 2) ASSERT_TRUE(f.Remove(K(i))) << i;
  EXPECT_EQ(f.t.size(), static_cast<size_t>(n / 2));
  for (int i = 0; i < n; i++) {
    TNode* node = f.t.Find(K(i));
    if (i % 2 == 0)
      ASSERT_EQ(node, nullptr) << i;
    else
      ASSERT_TRUE(node && node->value == i) << i;
  }
  EXPECT_FALSE(f.Remove(K(0)));
  for (int i = 1; i < n; i += 2) ASSERT_TRUE(f.Remove(K(i)));
  EXPECT_TRUE(f.t.empty());
  EXPECT_EQ(f.t.Find(K(1)), nullptr);
}

TEST(HashTable, BinaryKeys) {
  Fixture f;
  std::string a("a\0b", 3), b("a\0c", 3), c("a", 1);
  f.Insert(a, 1);
  f.Insert(b, 2);
  f.Insert(c, 3);
  f.Insert("", 4);
  EXPECT_EQ(f.t.Find(a)->value, 1);
  EXPECT_EQ(f.t.Find(b)->value, 2);
  EXPECT_EQ(f.t.Find(c)->value, 3);
  EXPECT_EQ(f.t.Find("")->value, 4);
  EXPECT_EQ(f.t.Find(std::string("a\0", 2)), nullptr);
}

TEST(HashTable, FindLinkAndReplace) {
  Fixture f;
  for (int i = 0; i < 1000; i++) f.Insert(K(i), i);
  for (int i = 0; i < 1000; i += 7) {
    TNode** link = f.t.FindLink(K(i));
    ASSERT_NE(link, nullptr);
    ASSERT_EQ((*link)->key, K(i));
    TNode* repl = f.Make(K(i), -i);
    Table::Replace(link, repl);
  }
  EXPECT_EQ(f.t.size(), 1000u);
  for (int i = 0; i < 1000; i++) {
    TNode* n = f.t.Find(K(i));
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->value, i % 7 == 0 ? -i : i);
  }
  EXPECT_EQ(f.t.FindLink("missing"), nullptr);
}

// -------------------------------------------------------- incremental rehash

TEST(HashTable, FindDuringIncrementalRehash) {
  Fixture f;
  // Insert until an expansion of a big table starts.
  int n = 0;
  GrowUntilFreshRehash(f, 4000, &n);
  ASSERT_TRUE(f.t.rehashing());
  const size_t total_buckets = f.t.buckets();
  // Both tables exist: old + new (twice as big).
  EXPECT_GT(total_buckets, f.t.size());

  // Move a part of the buckets by hand, then check every key is reachable
  // while the rest is still in the old table.
  int checks_mid_rehash = 0;
  while (f.t.rehashing()) {
    f.t.Rehash(50);
    if (!f.t.rehashing()) break;
    EXPECT_EQ(f.t.buckets(), total_buckets);
    size_t count = 0;
    f.t.ForEach([&](TNode*) { count++; });
    ASSERT_EQ(count, static_cast<size_t>(n));
    // Find() itself also advances the rehash by one bucket per call.
    for (int i = 0; i < n; i += 97) ASSERT_NE(f.t.Find(K(i)), nullptr) << i;
    checks_mid_rehash++;
  }
  EXPECT_GT(checks_mid_rehash, 3);
  EXPECT_LT(f.t.buckets(), total_buckets);  // old table freed
  for (int i = 0; i < n; i++) ASSERT_NE(f.t.Find(K(i)), nullptr) << i;
}

TEST(HashTable, MutationsDuringIncrementalRehash) {
  Fixture f;
  int n = 0;
  GrowUntilFreshRehash(f, 2000, &n);
  ASSERT_TRUE(f.t.rehashing());
  // Insert new keys (go to the new table), remove old ones (from either).
  std::set<int> live;
  for (int i = 0; i < n; i++) live.insert(i);
  int extra = n;
  for (int round = 0; round < 200 && f.t.rehashing(); round++) {
    f.Insert(K(extra), extra);
    live.insert(extra++);
    int victim = round * 9;
    if (live.count(victim)) {
      ASSERT_TRUE(f.Remove(K(victim)));
      live.erase(victim);
    }
    ASSERT_EQ(f.t.size(), live.size());
  }
  for (int i = 0; i < extra; i++) {
    TNode* node = f.t.Find(K(i));
    if (live.count(i))
      ASSERT_TRUE(node && node->value == i) << i;
    else
      ASSERT_EQ(node, nullptr) << i;
  }
}

TEST(HashTable, RehashEmptyVisitsBudget) {
  // Rehash(n) visits at most n*10 empty buckets per call and reports progress.
  Fixture f;
  for (int i = 0; i < 5000; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  for (int i = 0; i < 5000; i++) {
    if (i % 100) {
      ASSERT_TRUE(f.Remove(K(i)));
    }
  }
  ASSERT_EQ(f.t.size(), 50u);
  FinishRehash(f.t);
  const size_t before = f.t.buckets();
  f.t.ShrinkIfNeeded();
  ASSERT_TRUE(f.t.rehashing());
  int calls = 0;
  while (f.t.Rehash(1)) calls++;
  EXPECT_GT(calls, 1);
  EXPECT_LT(f.t.buckets(), before);
  for (int i = 0; i < 5000; i += 100) ASSERT_NE(f.t.Find(K(i)), nullptr);
}

TEST(HashTable, Shrink) {
  Fixture f;
  for (int i = 0; i < 10000; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  const size_t big = f.t.buckets();
  EXPECT_GE(big, 8192u);
  // Above 10% fill: no shrink.
  for (int i = 0; i < 8000; i++) ASSERT_TRUE(f.Remove(K(i)));
  FinishRehash(f.t);
  f.t.ShrinkIfNeeded();
  EXPECT_FALSE(f.t.rehashing());
  EXPECT_EQ(f.t.buckets(), big);
  // Below 10%: shrinks to the next power of two >= used.
  for (int i = 8000; i < 9900; i++) ASSERT_TRUE(f.Remove(K(i)));
  ASSERT_EQ(f.t.size(), 100u);
  {
    ResizeGuard no_resize(false);
    f.t.ShrinkIfNeeded();  // not allowed (fork child)
    EXPECT_FALSE(f.t.rehashing());
  }
  f.t.ShrinkIfNeeded();
  EXPECT_TRUE(f.t.rehashing());
  // Keys stay reachable throughout the shrink.
  for (int i = 9900; i < 10000; i++) ASSERT_NE(f.t.Find(K(i)), nullptr);
  FinishRehash(f.t);
  EXPECT_EQ(f.t.buckets(), 128u);
  for (int i = 9900; i < 10000; i++) ASSERT_EQ(f.t.Find(K(i))->value, i);
  // Shrinking an emptied table goes down to the initial size.
  for (int i = 9900; i < 10000; i++) ASSERT_TRUE(f.Remove(K(i)));
  f.t.ShrinkIfNeeded();
  f.Insert("again", 1);  // any operation finishes the (now trivial) rehash
  FinishRehash(f.t);
  EXPECT_EQ(f.t.buckets(), Table::kInitialSize);
  EXPECT_EQ(f.t.Find("again")->value, 1);
}

TEST(HashTable, ResizeNotAllowedUntilForceRatio) {
  Fixture f;
  for (int i = 0; i < 64; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  const size_t b = f.t.buckets();
  ASSERT_EQ(b, 64u);
  {
    ResizeGuard no_resize(false);
    // Up to 5x overloaded: no expansion (Redis dict_force_resize_ratio).
    int i = 64;
    for (; f.t.size() <= b * Table::kForceResizeRatio; i++) f.Insert(K(i), i);
    EXPECT_EQ(f.t.buckets(), b);
    EXPECT_FALSE(f.t.rehashing());
    // used/size > 5 is needed: the table at 6x+ starts growing.
    for (int k = 0; k < static_cast<int>(b) + 2; k++, i++) f.Insert(K(i), i);
    EXPECT_GT(f.t.buckets(), b);
    for (int j = 0; j < i; j++) ASSERT_NE(f.t.Find(K(j)), nullptr);
  }
}

// ------------------------------------------------------------------- SCAN

// Runs a full SCAN, calling between(step) after every call; returns the keys
// seen (with multiplicity).
template <typename Between>
std::multiset<std::string> FullScan(Table& t, Between&& between, int* steps_out = nullptr) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = t.Scan(cursor, [&](TNode* n) { seen.insert(n->key); });
    between(steps);
    steps++;
    if (steps > 10000000) {
      ADD_FAILURE() << "SCAN does not terminate";
      break;
    }
  } while (cursor != 0);
  if (steps_out) *steps_out = steps;
  return seen;
}

TEST(HashTableScan, EveryKeyExactlyOnceWithoutResize) {
  Fixture f;
  for (int i = 0; i < 5000; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  int steps = 0;
  auto seen = FullScan(f.t, [](int) {}, &steps);
  EXPECT_EQ(seen.size(), 5000u);
  for (int i = 0; i < 5000; i++) ASSERT_EQ(seen.count(K(i)), 1u) << i;
  EXPECT_EQ(static_cast<size_t>(steps), f.t.buckets());
}

TEST(HashTableScan, WholeScanDuringRehash) {
  Fixture f;
  int n = 0;
  GrowUntilFreshRehash(f, 3000, &n);
  f.t.Rehash(100);
  ASSERT_TRUE(f.t.rehashing());
  auto seen = FullScan(f.t, [](int) {});
  for (int i = 0; i < n; i++) ASSERT_GE(seen.count(K(i)), 1u) << i;
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(n));
}

TEST(HashTableScan, GuaranteeWhileGrowing) {
  for (int seed = 0; seed < 5; seed++) {
    Fixture f;
    std::vector<std::string> stable;
    for (int i = 0; i < 500; i++) {
      stable.push_back("stable:" + std::to_string(seed) + ":" + std::to_string(i));
      f.Insert(stable.back(), i);
    }
    FinishRehash(f.t);
    const size_t start_buckets = f.t.buckets();
    int churn = 0;
    std::mt19937 rng(seed);
    int mid_rehash_calls = 0;
    auto seen = FullScan(f.t, [&](int) {
      mid_rehash_calls += f.t.rehashing();
      // Grow: many inserts between calls, so the table expands several
      // times and often is mid-rehash when Scan is called.
      // Bounded, so that the scan terminates.
      int k = 1 + static_cast<int>(rng() % 150);
      for (int j = 0; j < k && churn < 40000; j++) f.Insert("churn:" + std::to_string(churn++));
    });
    EXPECT_GT(f.t.buckets(), start_buckets * 8) << "table did not grow much";
    EXPECT_GT(mid_rehash_calls, 10);
    for (const auto& s : stable) ASSERT_GE(seen.count(s), 1u) << s << " seed " << seed;
  }
}

TEST(HashTableScan, GuaranteeWhileShrinking) {
  for (int seed = 0; seed < 5; seed++) {
    Fixture f;
    std::vector<std::string> stable;
    for (int i = 0; i < 300; i++) {
      stable.push_back("stable:" + std::to_string(i));
      f.Insert(stable.back(), i);
    }
    std::vector<std::string> churn;
    for (int i = 0; i < 60000; i++) {
      churn.push_back("churn:" + std::to_string(i));
      f.Insert(churn.back());
    }
    FinishRehash(f.t);
    const size_t start_buckets = f.t.buckets();
    std::mt19937 rng(seed);
    std::shuffle(churn.begin(), churn.end(), rng);
    int mid_rehash_calls = 0;
    auto seen = FullScan(f.t, [&](int) {
      mid_rehash_calls += f.t.rehashing();
      // Shrink: delete many keys between calls and let the cron resize.
      int k = 1 + static_cast<int>(rng() % 3000);
      for (int j = 0; j < k && !churn.empty(); j++) {
        ASSERT_TRUE(f.Remove(churn.back()));
        churn.pop_back();
      }
      f.t.ShrinkIfNeeded();
      if (rng() % 2) f.t.Rehash(1 + rng() % 20);
    });
    EXPECT_LT(f.t.buckets(), start_buckets / 8) << "table did not shrink much";
    EXPECT_GT(mid_rehash_calls, 10);
    for (const auto& s : stable) ASSERT_GE(seen.count(s), 1u) << s << " seed " << seed;
  }
}

TEST(HashTableScan, GuaranteeWithRandomGrowAndShrink) {
  for (int seed = 0; seed < 10; seed++) {
    Fixture f;
    std::mt19937 rng(1000 + seed);
    std::vector<std::string> stable;
    int nstable = 50 + static_cast<int>(rng() % 2000);
    for (int i = 0; i < nstable; i++) {
      stable.push_back("s" + std::to_string(i));
      f.Insert(stable.back(), i);
    }
    std::vector<std::string> churn;
    int next = 0;
    std::set<std::string> ever;  // every key that existed during the scan
    for (auto& s : stable) ever.insert(s);
    auto seen = FullScan(f.t, [&](int step) {
      // Alternate phases of growth and shrinkage.
      bool grow = (step / 8) % 2 == 0;
      int k = static_cast<int>(rng() % 100);
      for (int j = 0; j < k; j++) {
        if ((grow && churn.size() < 4000) || churn.empty()) {
          churn.push_back("c" + std::to_string(next++));
          ever.insert(churn.back());
          f.Insert(churn.back());
        } else {
          size_t idx = rng() % churn.size();
          std::swap(churn[idx], churn.back());
          ASSERT_TRUE(f.Remove(churn.back()));
          churn.pop_back();
        }
      }
      f.t.ShrinkIfNeeded();
      if (rng() % 3 == 0) f.t.Rehash(rng() % 5);
    });
    for (const auto& s : stable) ASSERT_GE(seen.count(s), 1u) << s << " seed " << seed;
    // Nothing that never existed is returned.
    for (const auto& s : seen) ASSERT_TRUE(ever.count(s)) << s;
  }
}

TEST(HashTableScan, EmptyAfterRemovals) {
  Fixture f;
  for (int i = 0; i < 100; i++) f.Insert(K(i));
  for (int i = 0; i < 100; i++) f.Remove(K(i));
  EXPECT_GT(f.t.buckets(), 0u);  // buckets still allocated
  int calls = 0;
  EXPECT_EQ(f.t.Scan(0, [&](TNode*) { calls++; }), 0u);
  EXPECT_EQ(calls, 0);
}

// ------------------------------------------------------------- RandomNode

TEST(HashTable, RandomNodeDistribution) {
  Fixture f;
  const int n = 100;
  for (int i = 0; i < n; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  std::vector<int> hits(n, 0);
  const int samples = 100000;
  for (int s = 0; s < samples; s++) {
    TNode* node = f.t.RandomNode();
    ASSERT_NE(node, nullptr);
    ASSERT_GE(node->value, 0);
    ASSERT_LT(node->value, n);
    hits[node->value]++;
  }
  const int expected = samples / n;
  for (int i = 0; i < n; i++) {
    // Bucket-then-chain sampling is not exactly uniform, but each key must
    // come up with a frequency of the same order.
    EXPECT_GT(hits[i], expected / 4) << i;
    EXPECT_LT(hits[i], expected * 4) << i;
  }
}

TEST(HashTable, RandomNodeSingleAndDuringRehash) {
  Fixture f;
  f.Insert("only", 1);
  for (int i = 0; i < 100; i++) EXPECT_EQ(f.t.RandomNode()->key, "only");
  Fixture g;
  int n = 0;
  GrowUntilFreshRehash(g, 1000, &n);
  std::vector<int> hits(n, 0);
  for (int s = 0; s < 200000; s++) {
    // RandomNode also advances the rehash; once done keep sampling anyway.
    TNode* node = g.t.RandomNode();
    ASSERT_NE(node, nullptr);
    hits[node->value]++;
  }
  int never = 0;
  for (int h : hits) never += h == 0;
  EXPECT_EQ(never, 0);
}

// --------------------------------------------------- misc: visit, swap, clear

TEST(HashTable, VisitBucketCoversEverything) {
  Fixture f;
  int n = 0;
  GrowUntilFreshRehash(f, 500, &n);
  f.t.Rehash(40);
  ASSERT_TRUE(f.t.rehashing());
  std::multiset<std::string> seen;
  size_t max_slots = f.t.slots();
  for (uint64_t c = 0; c < max_slots; c++) {
    int checked = f.t.VisitBucket(c, [&](TNode* node) { seen.insert(node->key); });
    EXPECT_EQ(checked, 2);
  }
  for (int i = 0; i < n; i++) EXPECT_GE(seen.count(K(i)), 1u);
}

TEST(HashTable, VisitBucketMayDeleteVisitedNode) {
  Fixture f;
  for (int i = 0; i < 200; i++) f.Insert(K(i), i);
  FinishRehash(f.t);
  size_t slots = f.t.slots();
  int removed = 0;
  for (uint64_t c = 0; c < slots; c++) {
    f.t.VisitBucket(c, [&](TNode* node) {
      if (node->value % 2 == 0) {
        std::string k = node->key;
        ASSERT_TRUE(f.Remove(k));
        removed++;
      }
    });
  }
  EXPECT_EQ(removed, 100);
  EXPECT_EQ(f.t.size(), 100u);
}

TEST(HashTable, SwapAndClear) {
  Fixture a, b;
  for (int i = 0; i < 1000; i++) a.Insert("a" + std::to_string(i));
  for (int i = 0; i < 10; i++) b.Insert("b" + std::to_string(i));
  a.t.Swap(b.t);
  EXPECT_EQ(a.t.size(), 10u);
  EXPECT_EQ(b.t.size(), 1000u);
  EXPECT_NE(a.t.Find("b3"), nullptr);
  EXPECT_EQ(a.t.Find("a3"), nullptr);
  EXPECT_NE(b.t.Find("a999"), nullptr);
  // Swap back so each Fixture owns the nodes of its own table.
  a.t.Swap(b.t);
  size_t released = 0;
  a.t.Clear([&](TNode*) { released++; });
  EXPECT_EQ(released, 1000u);
  EXPECT_TRUE(a.t.empty());
  EXPECT_EQ(a.t.buckets(), 0u);
  EXPECT_FALSE(a.t.rehashing());
  a.Insert("fresh", 5);
  EXPECT_EQ(a.t.Find("fresh")->value, 5);
}

}  // namespace
}  // namespace vireo::engine
