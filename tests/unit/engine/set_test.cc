// Unit tests for engine/types/set: the keyspace events and dirty amounts of
// Redis 7.0's t_set.c for every write (sadd, srem, spop, smove's srem/sadd,
// the STORE events, del when a set empties or a STORE result is empty),
// the encoding conversions at Redis's moments, and the value-table row
// (dup keeps the encoding, digest ignores order, free effort).
#include "engine/types/set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/value.h"

namespace vireo::engine {
namespace {

class Recorder : public KeyspaceListener {
 public:
  std::vector<std::string> events;  // "event:key"
  void KeyModified(int, std::string_view) override {}
  void KeyEvent(int, std::string_view ev, int, std::string_view key) override {
    events.push_back(std::string(ev) + ":" + std::string(key));
  }
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view) override {}
  void KeyReady(int, std::string_view) override {}
  void BeforeFlush(int) override {}
  void BeforeSwap(int, int) override {}
};

class SetOpsTest : public ::testing::Test {
 protected:
  SetOpsTest() : ks(16) {
    ks.set_listener(&rec);
    ks.set_event_mask(~0);
    ks.AddModifiedInterest(1);
  }
  ~SetOpsTest() override { ks.set_listener(nullptr); }
  using Args = std::vector<std::string_view>;
  int64_t Add(std::string_view key, Args m) { return *set::Add(ks, 0, key, m); }
  Enc EncOf(std::string_view key) { return ks.Find(0, key)->encoding(); }
  std::vector<std::string> Take() {
    auto e = std::move(rec.events);
    rec.events.clear();
    return e;
  }
  struct Collect : set::MemberSink {
    std::vector<std::string> got;
    void Member(std::string_view m) override { got.emplace_back(m); }
  };

  Keyspace ks;
  Recorder rec;
};

using V = std::vector<std::string>;

TEST_F(SetOpsTest, SaddSremEventsAndDirty) {
  EXPECT_EQ(Add("s", {"1", "2", "2"}), 2);
  EXPECT_EQ(Take(), (V{"new:s", "sadd:s"}));
  EXPECT_EQ(ks.dirty, 2);
  EXPECT_EQ(Add("s", {"1"}), 0);
  EXPECT_TRUE(Take().empty());
  EXPECT_EQ(ks.dirty, 2);
  EXPECT_EQ(*set::Rem(ks, 0, "s", Args{"9"}), 0);
  EXPECT_TRUE(Take().empty());
  EXPECT_EQ(*set::Rem(ks, 0, "s", Args{"1", "2", "3"}), 2);
  EXPECT_EQ(Take(), (V{"srem:s", "del:s"}));
  EXPECT_EQ(ks.dirty, 4);
  EXPECT_EQ(ks.Find(0, "s"), nullptr);
}

TEST_F(SetOpsTest, EncodingsFollowRedis) {
  Add("s", {"1", "-7", "9223372036854775807"});
  EXPECT_EQ(EncOf("s"), Enc::kIntset);
  Add("s", {"01"});  // not string2ll-canonical
  EXPECT_EQ(EncOf("s"), Enc::kHashtable);
  ks.options().set_max_intset_entries = 3;
  Add("t", {"1", "2", "3"});
  EXPECT_EQ(EncOf("t"), Enc::kIntset);
  Add("t", {"4"});
  EXPECT_EQ(EncOf("t"), Enc::kHashtable);
  Add("u", {"x"});
  EXPECT_EQ(EncOf("u"), Enc::kHashtable);
}

TEST_F(SetOpsTest, SpopEventsAndReencode) {
  Add("s", {"a"});
  Take();
  long long d = ks.dirty;
  auto r = set::Pop(ks, 0, "s");
  EXPECT_EQ(*r, "a");
  EXPECT_EQ(Take(), (V{"spop:s", "del:s"}));
  EXPECT_EQ(ks.dirty, d + 1);
  EXPECT_EQ(set::Pop(ks, 0, "s").status(), OpStatus::kNotFound);

  // The "keep the remaining members in a new set" path rebuilds an intset.
  Add("h", {"x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
  set::Rem(ks, 0, "h", Args{"x"});
  EXPECT_EQ(EncOf("h"), Enc::kHashtable);
  Take();
  Collect c;
  bool whole = true;
  d = ks.dirty;
  EXPECT_EQ(*set::PopCount(ks, 0, "h", 9, c, &whole), 9);
  EXPECT_FALSE(whole);
  EXPECT_EQ(c.got.size(), 9u);
  EXPECT_EQ(Take(), (V{"spop:h"}));
  EXPECT_EQ(ks.dirty, d + 9);
  EXPECT_EQ(EncOf("h"), Enc::kIntset);
  EXPECT_EQ(*set::Card(ks, 0, "h"), 1);

  Collect all;
  EXPECT_EQ(*set::PopCount(ks, 0, "h", 5, all, &whole), 1);
  EXPECT_TRUE(whole);
  EXPECT_EQ(Take(), (V{"spop:h", "del:h"}));
}

TEST_F(SetOpsTest, SmoveEvents) {
  Add("a", {"1", "2"});
  Add("b", {"1"});
  Take();
  long long d = ks.dirty;
  EXPECT_TRUE(*set::Move(ks, 0, "a", "b", "1"));  // already in b: no sadd
  EXPECT_EQ(Take(), (V{"srem:a"}));
  EXPECT_EQ(ks.dirty, d + 1);
  EXPECT_TRUE(*set::Move(ks, 0, "a", "c", "2"));
  EXPECT_EQ(Take(), (V{"srem:a", "del:a", "new:c", "sadd:c"}));
  EXPECT_EQ(ks.dirty, d + 3);
  EXPECT_FALSE(*set::Move(ks, 0, "nokey", "c", "2"));
  EXPECT_TRUE(Take().empty());
}

TEST_F(SetOpsTest, StoreEvents) {
  Add("a", {"1", "2"});
  Add("b", {"2", "3"});
  Take();
  long long d = ks.dirty;
  EXPECT_EQ(*set::InterStore(ks, 0, "d", Args{"a", "b"}), 1);
  EXPECT_EQ(Take(), (V{"new:d", "sinterstore:d"}));
  EXPECT_EQ(*set::UnionDiffStore(ks, 0, "d", Args{"a", "b"}, set::SetOp::kUnion), 3);
  EXPECT_EQ(Take(), (V{"sunionstore:d"}));
  EXPECT_EQ(*set::UnionDiffStore(ks, 0, "d", Args{"a", "a"}, set::SetOp::kDiff), 0);
  EXPECT_EQ(Take(), (V{"del:d"}));
  EXPECT_EQ(*set::UnionDiffStore(ks, 0, "d", Args{"a", "a"}, set::SetOp::kDiff), 0);
  EXPECT_TRUE(Take().empty());
  EXPECT_EQ(ks.dirty, d + 3);
  EXPECT_EQ(*set::UnionDiffStore(ks, 0, "d", Args{"a", "b"}, set::SetOp::kDiff), 1);
  EXPECT_EQ(Take(), (V{"new:d", "sdiffstore:d"}));
}

TEST_F(SetOpsTest, ValueTableRow) {
  Add("i", {"3", "1", "2"});
  Add("h", {"b", "a", "c"});
  Entry* i = ks.Find(0, "i");
  Entry* h = ks.Find(0, "h");
  EXPECT_EQ(FreeEffort(i), 1u);
  EXPECT_EQ(FreeEffort(h), 3u);
  Entry* hd = DupEntry(h, "h2");
  Entry* id = DupEntry(i, "i2");
  EXPECT_EQ(hd->encoding(), Enc::kHashtable);
  EXPECT_EQ(id->encoding(), Enc::kIntset);
  uint8_t d1[20] = {}, d2[20] = {};
  ASSERT_TRUE(DigestValue(h, d1));
  ASSERT_TRUE(DigestValue(hd, d2));
  EXPECT_EQ(memcmp(d1, d2, 20), 0);
  // Same members added in another order: same digest.
  Add("h3", {"c", "a", "b"});
  uint8_t d3[20] = {};
  DigestValue(ks.Find(0, "h3"), d3);
  EXPECT_EQ(memcmp(d1, d3, 20), 0);
  EXPECT_GT(EntryMemoryUsage(h), EntryMemoryUsage(i));
  FreeEntry(hd);
  FreeEntry(id);
}

TEST_F(SetOpsTest, WrongTypeEverywhere) {
  Entry* e = AllocEntry("str", 0);
  ks.SetKey(0, e);
  Collect c;
  bool whole;
  EXPECT_EQ(set::Add(ks, 0, "str", Args{"a"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(set::Rem(ks, 0, "str", Args{"a"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(set::Card(ks, 0, "str").status(), OpStatus::kWrongType);
  EXPECT_EQ(set::PopCount(ks, 0, "str", 1, c, &whole).status(), OpStatus::kWrongType);
  EXPECT_EQ(set::Inter(ks, 0, Args{"nokey", "str"}, c).status(), OpStatus::kWrongType);
  EXPECT_EQ(set::InterStore(ks, 0, "d", Args{"nokey", "str"}).status(), OpStatus::kWrongType);
  EXPECT_EQ(set::UnionDiff(ks, 0, Args{"str"}, set::SetOp::kDiff, c).status(),
            OpStatus::kWrongType);
}

}  // namespace
}  // namespace vireo::engine
