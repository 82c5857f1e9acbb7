// Unit tests for engine::Keyspace and the string operations over it: lazy
// expiry (and its suspension while clients are paused), lookups' stats and
// flags, what every mutation reports to the listener (KeyModified, events,
// KeyExpired, BeforeFlush/BeforeSwap) and how much it counts in `dirty`,
// RENAME/MOVE/COPY/EXPIRE/FLUSH/SWAPDB semantics, the active expire cycle,
// and the listener interest masks. Runs without a server: a fake listener
// records the calls.
#include "engine/keyspace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/types/string.h"
#include "engine/value.h"

namespace vireo::engine {
namespace {

struct Call {
  std::string what;  // "modified", "event:<name>", "expired", "flush", "swap"
  int db;
  std::string key;
  bool operator==(const Call& o) const { return what == o.what && db == o.db && key == o.key; }
};

std::ostream& operator<<(std::ostream& os, const Call& c) {
  return os << "{" << c.what << "," << c.db << "," << c.key << "}";
}

class RecordingListener : public KeyspaceListener {
 public:
  std::vector<Call> calls;
  void KeyModified(int db, std::string_view key) override { calls.push_back({"modified", db, std::string(key)}); }
  void KeyEvent(int, std::string_view event, int db, std::string_view key) override {
    calls.push_back({"event:" + std::string(event), db, std::string(key)});
  }
  void KeyExpired(int db, std::string_view key) override { calls.push_back({"expired", db, std::string(key)}); }
  void KeyEvicted(int db, std::string_view key) override { calls.push_back({"evicted", db, std::string(key)}); }
  void KeyReady(int db, std::string_view key) override { calls.push_back({"ready", db, std::string(key)}); }
  void BeforeFlush(int db) override { calls.push_back({"flush", db, ""}); }
  void BeforeSwap(int a, int b) override { calls.push_back({"swap", a, std::to_string(b)}); }
  bool Has(const Call& c) const {
    for (const Call& x : calls)
      if (x == c) return true;
    return false;
  }
};

constexpr int64_t kNow = 1'700'000'000'000;  // a fixed "now" in unix ms
constexpr int kAllEvents = ~0;

class KeyspaceTest : public ::testing::Test {
 protected:
  KeyspaceTest() : ks(4) {
    ks.options().SetNow(kNow);
    ks.set_listener(&rec);
    ks.AddModifiedInterest(1);
    ks.set_event_mask(kAllEvents);
  }
  void SetStr(int db, const std::string& key, const std::string& val, int64_t expire_at = -1) {
    str::SetParams p;
    p.expire_at_ms = expire_at;
    ASSERT_EQ(str::Set(ks, db, key, val, p), OpStatus::kOk);
  }
  std::string GetStr(int db, const std::string& key) {
    char buf[32];
    auto r = str::Get(ks, db, key, buf);
    return r.ok() ? std::string(*r) : "<" + std::to_string(static_cast<int>(r.status())) + ">";
  }

  Keyspace ks;
  RecordingListener rec;
};

TEST_F(KeyspaceTest, SetGetAndDirty) {
  SetStr(0, "k", "hello");
  EXPECT_EQ(GetStr(0, "k"), "hello");
  EXPECT_EQ(ks.dirty, 1);
  EXPECT_TRUE(rec.Has({"event:new", 0, "k"}));
  EXPECT_TRUE(rec.Has({"modified", 0, "k"}));
  EXPECT_TRUE(rec.Has({"event:set", 0, "k"}));
  EXPECT_EQ(ks.stats().hits, 1u);
  char buf[32];
  EXPECT_EQ(str::Get(ks, 0, "missing", buf).status(), OpStatus::kNotFound);
  EXPECT_EQ(ks.stats().misses, 1u);
  EXPECT_TRUE(rec.Has({"event:keymiss", 0, "missing"}));
  // NX on an existing key does nothing and counts nothing.
  str::SetParams nx;
  nx.nx = true;
  EXPECT_EQ(str::Set(ks, 0, "k", "x", nx), OpStatus::kSkipped);
  EXPECT_EQ(ks.dirty, 1);
  EXPECT_EQ(GetStr(0, "k"), "hello");
}

TEST_F(KeyspaceTest, KeyReadyOnlyWhileSomeoneWaits) {
  SetStr(0, "a", "1");
  EXPECT_FALSE(rec.Has({"ready", 0, "a"}));
  ks.AddReadyInterest(1);
  SetStr(0, "b", "1");  // created
  EXPECT_TRUE(rec.Has({"ready", 0, "b"}));
  EXPECT_EQ(ks.Rename(0, "b", "c", false), OpStatus::kOk);  // moved in
  EXPECT_TRUE(rec.Has({"ready", 0, "c"}));
  ks.AddReadyInterest(-1);
  SetStr(0, "d", "1");
  EXPECT_FALSE(rec.Has({"ready", 0, "d"}));
}

TEST_F(KeyspaceTest, LazyExpiryDeletesAndReports) {
  SetStr(0, "gone", "v", kNow - 1);
  SetStr(0, "alive", "v", kNow + 1000);
  rec.calls.clear();
  EXPECT_EQ(ks.Find(0, "gone"), nullptr);
  EXPECT_EQ(ks.size(0), 1u);
  EXPECT_EQ(ks.stats().expired_keys, 1u);
  // Redis's order: "expired" event, the change, then the DEL propagation.
  ASSERT_GE(rec.calls.size(), 3u);
  EXPECT_EQ(rec.calls[0], (Call{"event:expired", 0, "gone"}));
  EXPECT_EQ(rec.calls[1], (Call{"modified", 0, "gone"}));
  EXPECT_EQ(rec.calls[2], (Call{"expired", 0, "gone"}));
  EXPECT_NE(ks.Find(0, "alive"), nullptr);
  // An expiry is not a change of the dataset by a command: no dirty.
  EXPECT_EQ(ks.dirty, 2);
}

TEST_F(KeyspaceTest, NoExpireLookupAndPausedExpiryKeepTheKey) {
  SetStr(0, "stale", "v", kNow - 1);
  EXPECT_EQ(ks.Find(0, "stale", kLookupNoExpire), nullptr);
  EXPECT_EQ(ks.size(0), 1u);
  EXPECT_TRUE(ks.IsExpired(0, "stale"));
  ks.options().expire_paused = true;
  EXPECT_EQ(ks.Find(0, "stale"), nullptr);
  EXPECT_TRUE(ks.ExpireIfNeeded(0, "stale"));
  EXPECT_EQ(ks.size(0), 1u);
  EXPECT_EQ(ks.stats().expired_keys, 0u);
  ks.ActiveExpireCycle(false, 10);
  EXPECT_EQ(ks.size(0), 1u) << "the active cycle keeps the dataset constant too";
  ks.options().expire_paused = false;
  EXPECT_EQ(ks.Find(0, "stale"), nullptr);
  EXPECT_EQ(ks.size(0), 0u);
  EXPECT_EQ(ks.stats().expired_keys, 1u);
}

TEST_F(KeyspaceTest, OverwriteDropsTtlUnlessKept) {
  SetStr(0, "k", "a", kNow + 5000);
  Entry* e = ks.Find(0, "k");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(ks.GetExpire(0, e), kNow + 5000);
  str::SetParams keep;
  keep.keep_ttl = true;
  ASSERT_EQ(str::Set(ks, 0, "k", "b", keep), OpStatus::kOk);
  EXPECT_EQ(ks.GetExpire(0, ks.Find(0, "k")), kNow + 5000);
  SetStr(0, "k", "c");
  EXPECT_EQ(ks.GetExpire(0, ks.Find(0, "k")), -1);
}

TEST_F(KeyspaceTest, ExpireConditionsAndPastTimes) {
  SetStr(0, "k", "v");
  bool deleted = false;
  EXPECT_EQ(ks.Expire(0, "nokey", kNow + 10, 0, &deleted), OpStatus::kNotFound);
  EXPECT_EQ(ks.Expire(0, "k", kNow + 10, kExpireXx, &deleted), OpStatus::kSkipped);
  EXPECT_EQ(ks.Expire(0, "k", kNow + 10, kExpireGt, &deleted), OpStatus::kSkipped)
      << "no TTL counts as infinite: GT fails";
  EXPECT_EQ(ks.Expire(0, "k", kNow + 10, kExpireLt, &deleted), OpStatus::kOk);
  EXPECT_EQ(ks.Expire(0, "k", kNow + 20, kExpireNx, &deleted), OpStatus::kSkipped);
  EXPECT_EQ(ks.Expire(0, "k", kNow + 20, kExpireGt, &deleted), OpStatus::kOk);
  EXPECT_FALSE(deleted);
  EXPECT_TRUE(rec.Has({"event:expire", 0, "k"}));
  long long before = ks.dirty;
  EXPECT_EQ(ks.Expire(0, "k", kNow, 0, &deleted), OpStatus::kOk);
  EXPECT_TRUE(deleted) << "a time not in the future deletes the key";
  EXPECT_EQ(ks.size(0), 0u);
  EXPECT_EQ(ks.dirty, before + 1);
  EXPECT_TRUE(rec.Has({"event:del", 0, "k"}));
  // A replica waits for its master's DEL instead.
  SetStr(0, "r", "v");
  ks.options().replica = true;
  EXPECT_EQ(ks.Expire(0, "r", kNow - 5, 0, &deleted), OpStatus::kOk);
  EXPECT_FALSE(deleted);
  EXPECT_EQ(ks.size(0), 1u);
}

TEST_F(KeyspaceTest, PersistReportsOnlyWhenATtlWasRemoved) {
  SetStr(0, "k", "v");
  EXPECT_FALSE(ks.Persist(0, "k"));
  SetStr(0, "t", "v", kNow + 100);
  rec.calls.clear();
  EXPECT_TRUE(ks.Persist(0, "t"));
  EXPECT_EQ(rec.calls, (std::vector<Call>{{"modified", 0, "t"}, {"event:persist", 0, "t"}}));
}

TEST_F(KeyspaceTest, RenameMovesValueAndTtl) {
  SetStr(0, "a", std::string(300, 'x'), kNow + 100);  // a heap string
  SetStr(0, "b", "old");
  EXPECT_EQ(ks.Rename(0, "zz", "b", false), OpStatus::kNotFound);
  EXPECT_EQ(ks.Rename(0, "a", "a", false), OpStatus::kSkipped);
  EXPECT_EQ(ks.Rename(0, "a", "b", true), OpStatus::kExists);
  rec.calls.clear();
  long long before = ks.dirty;
  EXPECT_EQ(ks.Rename(0, "a", "b", false), OpStatus::kOk);
  EXPECT_EQ(ks.dirty, before + 1);
  EXPECT_EQ(GetStr(0, "b"), std::string(300, 'x'));
  EXPECT_EQ(ks.GetExpire(0, ks.Find(0, "b")), kNow + 100);
  EXPECT_EQ(ks.Find(0, "a"), nullptr);
  EXPECT_TRUE(rec.Has({"event:rename_from", 0, "a"}));
  EXPECT_TRUE(rec.Has({"event:rename_to", 0, "b"}));
  EXPECT_TRUE(rec.Has({"modified", 0, "a"}));
  EXPECT_TRUE(rec.Has({"modified", 0, "b"}));
}

TEST_F(KeyspaceTest, MoveAndCopy) {
  SetStr(0, "k", "12345", kNow + 100);
  EXPECT_EQ(ks.Move(0, "k", 0), OpStatus::kSameObject);
  SetStr(1, "k", "there");
  EXPECT_EQ(ks.Move(0, "k", 1), OpStatus::kExists);
  EXPECT_EQ(ks.Move(0, "k", 2), OpStatus::kOk);
  EXPECT_EQ(GetStr(2, "k"), "12345");
  EXPECT_EQ(ks.Find(2, "k")->encoding(), Enc::kInt);
  EXPECT_EQ(ks.GetExpire(2, ks.Find(2, "k")), kNow + 100);
  EXPECT_TRUE(rec.Has({"event:move_from", 0, "k"}));
  EXPECT_TRUE(rec.Has({"event:move_to", 2, "k"}));

  EXPECT_EQ(ks.Copy(2, "k", 2, "k", false), OpStatus::kSameObject);
  EXPECT_EQ(ks.Copy(2, "nope", 3, "k", false), OpStatus::kNotFound);
  EXPECT_EQ(ks.Copy(2, "k", 1, "k", false), OpStatus::kExists);
  EXPECT_EQ(ks.Copy(2, "k", 1, "k", true), OpStatus::kOk);
  EXPECT_EQ(GetStr(1, "k"), "12345");
  EXPECT_EQ(GetStr(2, "k"), "12345");
  EXPECT_EQ(ks.GetExpire(1, ks.Find(1, "k")), kNow + 100);
  EXPECT_TRUE(rec.Has({"event:copy_to", 1, "k"}));
}

TEST_F(KeyspaceTest, FlushAndSwapTellTheListenerFirst) {
  SetStr(0, "a", "1");
  SetStr(0, "b", "2");
  SetStr(1, "c", "3");
  rec.calls.clear();
  long long before = ks.dirty;
  ks.SwapDb(0, 1);
  EXPECT_EQ(rec.calls, (std::vector<Call>{{"swap", 0, "1"}}));
  EXPECT_EQ(GetStr(0, "c"), "3");
  EXPECT_EQ(GetStr(1, "a"), "1");
  EXPECT_EQ(ks.dirty, before + 1);
  rec.calls.clear();
  EXPECT_EQ(ks.Flush(-1, false), 3);
  EXPECT_EQ(rec.calls.size(), 4u);
  EXPECT_EQ(rec.calls[0], (Call{"flush", 0, ""}));
  EXPECT_EQ(ks.dirty, before + 1 + 3);
  EXPECT_EQ(ks.size(0) + ks.size(1), 0u);
}

TEST_F(KeyspaceTest, ActiveExpireCycleReclaimsExpiredKeys) {
  for (int i = 0; i < 200; i++) SetStr(0, "e" + std::to_string(i), "v", kNow - 1);
  for (int i = 0; i < 50; i++) SetStr(0, "l" + std::to_string(i), "v", kNow + 100000);
  rec.calls.clear();
  for (int round = 0; round < 50 && ks.size(0) > 50; round++) ks.ActiveExpireCycle(false, 10);
  EXPECT_EQ(ks.size(0), 50u);
  EXPECT_EQ(ks.stats().expired_keys, 200u);
  size_t expired_reports = 0;
  for (const Call& c : rec.calls) expired_reports += c.what == "expired";
  EXPECT_EQ(expired_reports, 200u);
}

TEST_F(KeyspaceTest, InterestMasksSilenceTheListener) {
  ks.AddModifiedInterest(-1);
  ks.set_event_mask(notify::kGeneric);
  SetStr(0, "k", "v");
  EXPECT_TRUE(rec.calls.empty()) << "no watcher, and string/new events not wanted";
  ks.Delete(0, "k", false);
  EXPECT_EQ(rec.calls, (std::vector<Call>{{"event:del", 0, "k"}}));
  // KeyExpired is always delivered: the DEL must reach replicas and the AOF.
  SetStr(0, "x", "v", kNow - 1);
  rec.calls.clear();
  ks.Find(0, "x");
  EXPECT_EQ(rec.calls, (std::vector<Call>{{"expired", 0, "x"}}));
}

TEST_F(KeyspaceTest, StringOperations) {
  EXPECT_EQ(*str::IncrBy(ks, 0, "n", 5), 5);
  EXPECT_EQ(*str::IncrBy(ks, 0, "n", -7), -2);
  EXPECT_EQ(ks.Find(0, "n")->encoding(), Enc::kInt);
  EXPECT_EQ(str::IncrBy(ks, 0, "n", INT64_MIN).status(), OpStatus::kOverflow);
  SetStr(0, "s", "abc");
  EXPECT_EQ(str::IncrBy(ks, 0, "s", 1).status(), OpStatus::kNotInteger);
  EXPECT_EQ(*str::Append(ks, 0, "s", "def"), 6u);
  EXPECT_EQ(ks.Find(0, "s")->encoding(), Enc::kRaw);
  EXPECT_EQ(*str::SetRange(ks, 0, "s", 8, "Z"), 9u);
  EXPECT_EQ(GetStr(0, "s"), std::string("abcdef\0\0Z", 9));
  EXPECT_EQ(str::SetRange(ks, 0, "s", -1, "x").status(), OpStatus::kOffsetOutOfRange);
  EXPECT_EQ(*str::SetRange(ks, 0, "missing", 3, ""), 0u);
  EXPECT_EQ(ks.Find(0, "missing"), nullptr);
  EXPECT_EQ(*str::IncrByFloat(ks, 0, "f", "10.5"), "10.5");
  EXPECT_EQ(*str::IncrByFloat(ks, 0, "f", "0.1"), "10.6");
  EXPECT_EQ(str::IncrByFloat(ks, 0, "f", "x").status(), OpStatus::kNotFloat);
  EXPECT_EQ(ks.Find(0, "f")->encoding(), Enc::kEmbstr);
  ks.options().max_string_len = 10;
  EXPECT_EQ(str::Append(ks, 0, "s", "0123").status(), OpStatus::kStringTooLong);
  // Wrong type (a forged non-string entry).
  Entry* e = AllocEntry("list", 0);
  e->type = static_cast<uint8_t>(ObjType::kStream);  // a type without a value row yet
  ks.SetKey(0, e);
  char buf[32];
  EXPECT_EQ(str::Get(ks, 0, "list", buf).status(), OpStatus::kWrongType);
  EXPECT_EQ(str::IncrBy(ks, 0, "list", 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(ks.Copy(0, "list", 1, "l2", false), OpStatus::kUnknownType)
      << "a type without a dup operation cannot be copied";
}

TEST_F(KeyspaceTest, MSetNxSetsNothingWhenAnyKeyExists) {
  SetStr(0, "b", "old");
  std::vector<std::string_view> argv{"MSETNX", "a", "1", "b", "2"};
  EXPECT_EQ(str::MSet(ks, 0, argv, 1, true), OpStatus::kSkipped);
  EXPECT_EQ(ks.Find(0, "a"), nullptr);
  long long before = ks.dirty;
  EXPECT_EQ(str::MSet(ks, 0, argv, 1, false), OpStatus::kOk);
  EXPECT_EQ(ks.dirty, before + 2);
  EXPECT_EQ(GetStr(0, "b"), "2");
}

TEST(ValueTable, DupDigestAndMemory) {
  Entry* a = str::MakeString("k", "hello world");
  Entry* b = DupEntry(a, "copy");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->key(), "copy");
  EXPECT_EQ(b->encoding(), Enc::kEmbstr);
  uint8_t da[20] = {}, db[20] = {};
  ASSERT_TRUE(DigestValue(a, da));
  ASSERT_TRUE(DigestValue(b, db));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(da), 20), std::string(reinterpret_cast<char*>(db), 20));
  EXPECT_GT(EntryMemoryUsage(a), 0u);
  EXPECT_EQ(FreeEffort(a), 1u);
  FreeEntry(a);
  FreeEntry(b);
}

}  // namespace
}  // namespace vireo::engine
