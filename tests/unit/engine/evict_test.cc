// Unit tests for engine::Evictor (evict.h): the eviction pool's order and
// size for each scored policy (LRU idle time, LFU inverted counter,
// volatile-ttl nearest expire), ghosts skipped, volatile policies never
// choosing keys without TTL, the tenacity time limits, the memory state,
// Perform()'s results and what an eviction reports to the listener.
// Runs without a server.
#include "engine/evict.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "base/memory.h"
#include "engine/types/string.h"

namespace vireo::engine {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // unix ms

// Records evictions and their events (the rest is ignored).
class EvictListener final : public KeyspaceListener {
 public:
  std::vector<std::string> log;
  void KeyModified(int, std::string_view k) override { log.push_back("modified:" + std::string(k)); }
  void KeyEvent(int, std::string_view ev, int, std::string_view k) override {
    log.push_back(std::string(ev) + ":" + std::string(k));
  }
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view k) override { log.push_back("KeyEvicted:" + std::string(k)); }
  void KeyReady(int, std::string_view) override {}
  void BeforeFlush(int) override {}
  void BeforeSwap(int, int) override {}
};

class EvictTest : public ::testing::Test {
 protected:
  EvictTest() : ks(2), ev(&ks) {
    ks.options().SetNow(kNow);
    ks.set_listener(&rec);
    ev.options().samples = 1000;  // sample whole (small) databases
  }
  void Policy(EvictionPolicy p) { ks.options().maxmemory_policy = p; }
  // A key whose LRU field is `lru` (idle clock / LFU word), TTL optional.
  void Add(int db, const std::string& key, uint32_t lru, int64_t expire_at = -1) {
    str::SetParams p;
    p.expire_at_ms = expire_at;
    ASSERT_EQ(str::Set(ks, db, key, "v", p), OpStatus::kOk);
    ks.db(db).Find(key)->lru = lru;
  }
  std::vector<std::string> PoolKeys() const {
    std::vector<std::string> out;
    for (const auto& p : ev.pool())
      if (p.used) out.push_back(p.key);
    return out;
  }

  Keyspace ks;
  Evictor ev;
  EvictListener rec;
};

TEST_F(EvictTest, LruPoolKeepsTheSixteenIdlestBestLast) {
  Policy(EvictionPolicy::kAllkeysLru);
  uint32_t clock = ks.options().lru_clock();
  for (int i = 0; i < 40; i++) Add(0, "k" + std::to_string(i), clock - static_cast<uint32_t>(i));
  ev.Populate(0);
  std::vector<std::string> keys = PoolKeys();
  ASSERT_EQ(keys.size(), 16u);
  // ascending idle time: k24 (idle 24 s) ... k39 (idle 39 s, the best)
  for (int i = 0; i < 16; i++) EXPECT_EQ(keys[static_cast<size_t>(i)], "k" + std::to_string(24 + i));
  EXPECT_EQ(ev.pool()[15].idle, 39000u);
  int db = -1;
  std::string best;
  ASSERT_TRUE(ev.PopBest(&db, &best));
  EXPECT_EQ(best, "k39");
  EXPECT_EQ(db, 0);
}

TEST_F(EvictTest, PoolSpansDatabasesAndSkipsGhosts) {
  Policy(EvictionPolicy::kAllkeysLru);
  uint32_t clock = ks.options().lru_clock();
  Add(0, "a", clock - 5);
  Add(1, "b", clock - 50);
  Add(1, "c", clock - 10);
  ev.Populate(0);
  ev.Populate(1);
  ks.Delete(1, "b", false);  // the best candidate is gone: a ghost
  int db = -1;
  std::string best;
  ASSERT_TRUE(ev.PopBest(&db, &best));
  EXPECT_EQ(best, "c");
  EXPECT_EQ(db, 1);
  ASSERT_TRUE(ev.PopBest(&db, &best));
  EXPECT_EQ(best, "a");
  EXPECT_FALSE(ev.PopBest(&db, &best));
}

TEST_F(EvictTest, LfuRanksTheLeastUsedBest) {
  Policy(EvictionPolicy::kAllkeysLfu);
  uint32_t minutes = static_cast<uint32_t>((kNow / 60000) & 65535);
  Add(0, "hot", (minutes << 8) | 200);
  Add(0, "warm", (minutes << 8) | 20);
  Add(0, "cold", (minutes << 8) | 1);
  ev.Populate(0);
  EXPECT_EQ(PoolKeys(), (std::vector<std::string>{"hot", "warm", "cold"}));
  EXPECT_EQ(ev.pool()[2].idle, 254u);  // 255 - counter
}

TEST_F(EvictTest, VolatileTtlRanksTheNearestExpireBest) {
  Policy(EvictionPolicy::kVolatileTtl);
  Add(0, "later", 0, kNow + 100000);
  Add(0, "soon", 0, kNow + 1000);
  Add(0, "persistent", 0);
  Add(0, "middle", 0, kNow + 50000);
  ev.Populate(0);
  EXPECT_EQ(PoolKeys(), (std::vector<std::string>{"later", "middle", "soon"}));
}

TEST_F(EvictTest, VolatilePoliciesIgnoreKeysWithoutTtl) {
  Policy(EvictionPolicy::kVolatileLru);
  Add(0, "p", 0);
  Add(0, "v", 0, kNow + 1000);
  ev.Populate(0);
  EXPECT_EQ(PoolKeys(), (std::vector<std::string>{"v"}));
  // PERSIST after sampling turns the candidate into a ghost
  ks.Persist(0, "v");
  int db;
  std::string best;
  EXPECT_FALSE(ev.PopBest(&db, &best));
}

TEST_F(EvictTest, TimeLimitFollowsTenacity) {
  ev.options().tenacity = 0;
  EXPECT_EQ(ev.TimeLimitUs(), 0u);
  ev.options().tenacity = 10;
  EXPECT_EQ(ev.TimeLimitUs(), 500u);
  ev.options().tenacity = 20;
  EXPECT_EQ(ev.TimeLimitUs(), 2022u);  // 500 * 1.15^10
  ev.options().tenacity = 100;
  EXPECT_EQ(ev.TimeLimitUs(), ULLONG_MAX);
}

TEST_F(EvictTest, StateSubtractsNotCountedMemory) {
  size_t used = base::UsedMemory();
  ks.options().maxmemory = used / 2;
  EXPECT_TRUE(ev.State().over);
  ev.set_not_counted([used] { return used; });
  MaxmemoryState st = ev.State(true);
  EXPECT_FALSE(st.over);
  EXPECT_EQ(st.level, 0.0f);
  EXPECT_EQ(ev.NotCounted(), used);
  ks.options().maxmemory = 0;
  EXPECT_FALSE(ev.State().over);
}

TEST_F(EvictTest, PerformEvictsThroughTheKeyspaceAndReports) {
  Policy(EvictionPolicy::kAllkeysRandom);
  ks.set_event_mask(notify::kEvicted);
  ks.AddModifiedInterest(1);
  Add(0, "only", 0);
  rec.log.clear();
  ks.options().maxmemory = 1;  // always over: everything goes, then kFail
  EXPECT_EQ(ev.Perform(), EvictResult::kFail);
  EXPECT_EQ(ks.size(0), 0u);
  EXPECT_EQ(ks.stats().evicted_keys, 1u);
  EXPECT_EQ(rec.log, (std::vector<std::string>{"modified:only", "evicted:only", "KeyEvicted:only"}));
}

TEST_F(EvictTest, NoevictionFailsAndVolatileRandomSparesPersistentKeys) {
  Add(0, "p", 0);
  Add(1, "v", 0, kNow + 1000);
  ks.options().maxmemory = 1;
  Policy(EvictionPolicy::kNoEviction);
  EXPECT_EQ(ev.Perform(), EvictResult::kFail);
  EXPECT_EQ(ks.size(0) + ks.size(1), 2u);
  Policy(EvictionPolicy::kVolatileRandom);
  EXPECT_EQ(ev.Perform(), EvictResult::kFail);
  EXPECT_EQ(ks.size(0), 1u);
  EXPECT_EQ(ks.size(1), 0u);
}

TEST_F(EvictTest, NoEvictionWhilePausedOrOnAnIgnoringReplica) {
  Policy(EvictionPolicy::kAllkeysRandom);
  Add(0, "k", 0);
  ks.options().maxmemory = 1;
  ks.options().expire_paused = true;
  EXPECT_EQ(ev.Perform(), EvictResult::kOk);
  ks.options().expire_paused = false;
  ks.options().replica = true;
  EXPECT_EQ(ev.Perform(), EvictResult::kOk);
  ev.options().replica_ignore = false;
  EXPECT_EQ(ev.Perform(), EvictResult::kFail);
  EXPECT_EQ(ks.size(0), 0u);
}

TEST_F(EvictTest, UnderTheLimitIsOk) {
  Policy(EvictionPolicy::kAllkeysLru);
  Add(0, "k", 0);
  ks.options().maxmemory = base::UsedMemory() + (64u << 20);
  EXPECT_EQ(ev.Perform(), EvictResult::kOk);
  EXPECT_EQ(ks.size(0), 1u);
}

}  // namespace
}  // namespace vireo::engine
