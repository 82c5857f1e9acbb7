// engine::list over a Keyspace: what each operation reports to the
// listener (KeyModified, KeyReady for a created list, Redis 7.0's event
// names in t_list.c's order) and
// how much it counts in `dirty`, WRONGTYPE and missing-key outcomes, the
// value-table row (dup, free effort, memory usage sampling, digest), and
// the list options taken at creation.
#include "engine/types/list.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/encoding/quicklist.h"
#include "engine/types/string.h"
#include "engine/value.h"

namespace vireo::engine {
namespace {

class Recorder : public KeyspaceListener {
 public:
  std::vector<std::string> calls;
  void KeyModified(int, std::string_view key) override { calls.push_back("mod:" + std::string(key)); }
  void KeyEvent(int, std::string_view event, int, std::string_view key) override {
    calls.push_back(std::string(event) + ":" + std::string(key));
  }
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view) override {}
  void KeyReady(int, std::string_view key) override { calls.push_back("ready:" + std::string(key)); }
  void BeforeFlush(int) override {}
  void BeforeSwap(int, int) override {}
};

class ListTest : public ::testing::Test {
 protected:
  ListTest() : ks(2) {
    ks.set_listener(&rec);
    ks.AddModifiedInterest(1);
    ks.AddReadyInterest(1);
    ks.set_event_mask(~0);
  }
  std::vector<std::string> Take() {
    std::vector<std::string> out;
    out.swap(rec.calls);
    return out;
  }
  std::vector<std::string> Range(std::string_view key) {
    std::vector<std::string> out;
    auto f = [&](std::string_view s, size_t, size_t) { out.emplace_back(s); };
    list::Range(ks, 0, key, 0, -1, f);
    return out;
  }
  OpResult<size_t> Push(std::string_view key, std::vector<std::string_view> v, bool left = false,
                        bool xx = false) {
    return list::Push(ks, 0, key, v, left, xx);
  }
  Keyspace ks;
  Recorder rec;
  static void Ignore(std::string_view, size_t, size_t) {}
};

using V = std::vector<std::string>;

TEST_F(ListTest, PushEventsAndDirty) {
  EXPECT_EQ(*Push("l", {"a", "b", "c"}), 3u);
  EXPECT_EQ(Take(), (V{"new:l", "ready:l", "mod:l", "rpush:l"}));
  EXPECT_EQ(ks.dirty, 3);
  EXPECT_EQ(*Push("l", {"z"}, true), 4u);
  EXPECT_EQ(Take(), (V{"mod:l", "lpush:l"}));
  EXPECT_EQ(Push("missing", {"x"}, false, true).status(), OpStatus::kNotFound);
  EXPECT_EQ(ks.Find(0, "missing"), nullptr);
  EXPECT_EQ(Range("l"), (V{"z", "a", "b", "c"}));
  str::Set(ks, 0, "s", "v", {});
  Take();
  EXPECT_EQ(Push("s", {"x"}).status(), OpStatus::kWrongType);
  EXPECT_TRUE(Take().empty());
}

TEST_F(ListTest, PopEventsDeleteWhenEmptied) {
  Push("l", {"a", "b", "c"});
  Take();
  long long d0 = ks.dirty;
  std::vector<std::string> got;
  auto f = [&](std::string_view s, size_t i, size_t n) {
    got.push_back(std::string(s) + "/" + std::to_string(i) + "/" + std::to_string(n));
  };
  EXPECT_EQ(*list::Pop(ks, 0, "l", false, -1, f), 1u);
  EXPECT_EQ(got, (V{"c/0/1"}));
  EXPECT_EQ(Take(), (V{"mod:l", "rpop:l"}));
  EXPECT_EQ(*list::Pop(ks, 0, "l", true, 0, f), 0u);  // LPOP l 0: nothing changes
  EXPECT_TRUE(Take().empty());
  got.clear();
  EXPECT_EQ(*list::Pop(ks, 0, "l", true, 5, f), 2u);
  EXPECT_EQ(got, (V{"a/0/2", "b/1/2"}));
  EXPECT_EQ(Take(), (V{"mod:l", "lpop:l", "del:l"}));
  EXPECT_EQ(ks.dirty - d0, 3);
  EXPECT_EQ(ks.Find(0, "l"), nullptr);
  EXPECT_EQ(list::Pop(ks, 0, "l", true, -1, f).status(), OpStatus::kNotFound);
  // Right pops with a count come out tail first.
  Push("r", {"1", "2", "3", "4"});
  got.clear();
  list::Pop(ks, 0, "r", false, 3, f);
  EXPECT_EQ(got, (V{"4/0/3", "3/1/3", "2/2/3"}));
}

TEST_F(ListTest, MPopChecksKeysInOrder) {
  str::Set(ks, 0, "s", "v", {});
  Push("b", {"1", "2", "3"});
  Take();
  std::vector<std::string_view> keys{"a", "b", "s"};
  size_t idx = 99;
  std::vector<std::string> got;
  auto f = [&](std::string_view s, size_t, size_t) { got.emplace_back(s); };
  EXPECT_EQ(*list::MPop(ks, 0, keys, false, 2, &idx, f), 2u);
  EXPECT_EQ(idx, 1u);
  EXPECT_EQ(got, (V{"3", "2"}));
  EXPECT_EQ(Take(), (V{"mod:b", "rpop:b"}));
  std::vector<std::string_view> keys2{"a", "s", "b"};
  EXPECT_EQ(list::MPop(ks, 0, keys2, true, 1, &idx, f).status(), OpStatus::kWrongType);
  // count < 0: BLPOP/BRPOP's single element.
  got.clear();
  EXPECT_EQ(*list::MPop(ks, 0, keys, true, -1, &idx, f), 1u);
  EXPECT_EQ(idx, 1u);
  EXPECT_EQ(got, (V{"1"}));
  std::vector<std::string_view> keys3{"a", "c"};
  EXPECT_EQ(list::MPop(ks, 0, keys3, true, 1, &idx, f).status(), OpStatus::kNotFound);
}

TEST_F(ListTest, MoveEventsOrderAndRotation) {
  Push("src", {"a", "b"});
  Take();
  long long d0 = ks.dirty;
  std::string moved;
  auto f = [&](std::string_view s, size_t, size_t) { moved = s; };
  EXPECT_EQ(list::Move(ks, 0, "src", "dst", false, true, f), OpStatus::kOk);
  EXPECT_EQ(moved, "b");
  EXPECT_EQ(Take(), (V{"new:dst", "ready:dst", "mod:dst", "lpush:dst", "mod:src", "rpop:src"}));
  EXPECT_EQ(ks.dirty - d0, 1);
  EXPECT_EQ(list::Move(ks, 0, "src", "dst", true, false, f), OpStatus::kOk);
  EXPECT_EQ(Take(), (V{"mod:dst", "rpush:dst", "mod:src", "lpop:src", "del:src"}));
  EXPECT_EQ(Range("dst"), (V{"b", "a"}));
  // Same key: rotation, even with one element.
  EXPECT_EQ(list::Move(ks, 0, "dst", "dst", true, false, f), OpStatus::kOk);
  EXPECT_EQ(Range("dst"), (V{"a", "b"}));
  Push("one", {"x"});
  EXPECT_EQ(list::Move(ks, 0, "one", "one", false, true, f), OpStatus::kOk);
  EXPECT_EQ(Range("one"), (V{"x"}));
  // The destination's type is checked before popping.
  str::Set(ks, 0, "s", "v", {});
  EXPECT_EQ(list::Move(ks, 0, "dst", "s", true, true, f), OpStatus::kWrongType);
  EXPECT_EQ(Range("dst"), (V{"a", "b"}));
  EXPECT_EQ(list::Move(ks, 0, "nosuch", "s", true, true, f), OpStatus::kNotFound);
  EXPECT_EQ(list::Move(ks, 0, "s", "dst", true, true, f), OpStatus::kWrongType);
}

TEST_F(ListTest, InsertSetRemTrimEvents) {
  Push("l", {"a", "b", "a", "c", "a"});
  Take();
  long long d0 = ks.dirty;
  EXPECT_EQ(*list::Insert(ks, 0, "l", true, "b", "x"), 6);
  EXPECT_EQ(*list::Insert(ks, 0, "l", false, "zz", "x"), -1);
  EXPECT_EQ(list::Insert(ks, 0, "nol", false, "zz", "x").status(), OpStatus::kNotFound);
  EXPECT_EQ(Take(), (V{"mod:l", "linsert:l"}));
  EXPECT_EQ(list::Set(ks, 0, "l", -1, "A"), OpStatus::kOk);
  EXPECT_EQ(list::Set(ks, 0, "l", 6, "A"), OpStatus::kIndexOutOfRange);
  EXPECT_EQ(list::Set(ks, 0, "nol", 0, "A"), OpStatus::kNotFound);
  EXPECT_EQ(Take(), (V{"mod:l", "lset:l"}));
  EXPECT_EQ(*list::Rem(ks, 0, "l", -1, "a"), 1u);
  EXPECT_EQ(*list::Rem(ks, 0, "l", 0, "q"), 0u);
  EXPECT_EQ(Take(), (V{"mod:l", "lrem:l"}));
  EXPECT_EQ(Range("l"), (V{"a", "b", "x", "c", "A"}));
  EXPECT_EQ(list::Trim(ks, 0, "l", 0, -1), OpStatus::kOk);
  EXPECT_EQ(Take(), (V{"mod:l", "ltrim:l"}));  // even when nothing was removed
  EXPECT_EQ(list::Trim(ks, 0, "l", 1, 2), OpStatus::kOk);
  EXPECT_EQ(Range("l"), (V{"b", "x"}));
  EXPECT_EQ(ks.dirty - d0, 1 + 1 + 1 + 0 + 3);
  EXPECT_EQ(list::Trim(ks, 0, "l", 5, 1), OpStatus::kOk);
  EXPECT_EQ(Take(), (V{"mod:l", "ltrim:l", "mod:l", "ltrim:l", "del:l"}));
  EXPECT_EQ(list::Trim(ks, 0, "l", 0, 1), OpStatus::kNotFound);
  Push("r", {"z", "z"});
  Take();
  EXPECT_EQ(*list::Rem(ks, 0, "r", 0, "z"), 2u);
  EXPECT_EQ(Take(), (V{"mod:r", "lrem:r", "del:r"}));
}

TEST_F(ListTest, IndexAndPos) {
  Push("l", {"a", "1", "b", "1", "c", "1"});
  std::string got;
  auto f = [&](std::string_view s, size_t, size_t) { got = s; };
  EXPECT_TRUE(*list::Index(ks, 0, "l", -2, f));
  EXPECT_EQ(got, "c");
  EXPECT_FALSE(*list::Index(ks, 0, "l", 6, f));
  std::vector<int64_t> m;
  EXPECT_EQ(list::Pos(ks, 0, "l", "1", 1, 0, 0, &m), OpStatus::kOk);
  EXPECT_EQ(m, (std::vector<int64_t>{1, 3, 5}));
  m.clear();
  list::Pos(ks, 0, "l", "1", -2, 0, 0, &m);
  EXPECT_EQ(m, (std::vector<int64_t>{3, 1}));
  m.clear();
  list::Pos(ks, 0, "l", "1", 1, -1, 3, &m);
  EXPECT_EQ(m, (std::vector<int64_t>{1}));
  m.clear();
  list::Pos(ks, 0, "l", "01", 1, 0, 0, &m);  // integers compare by their text
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(list::Pos(ks, 0, "nol", "1", 1, 0, 0, &m), OpStatus::kNotFound);
}

TEST_F(ListTest, ValueRowAndOptions) {
  ks.options().list_max_listpack_size = 2;
  ks.options().list_compress_depth = 1;
  std::vector<std::string> vals;
  for (int i = 0; i < 20; i++) vals.push_back(std::string(80, 'a' + i));
  std::vector<std::string_view> views(vals.begin(), vals.end());
  list::Push(ks, 0, "l", views, false, false);
  Entry* e = ks.Find(0, "l");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->encoding(), Enc::kQuicklist);
  EXPECT_EQ(list::QL(e)->fill, 2);
  EXPECT_EQ(list::QL(e)->compress, 1u);
  EXPECT_EQ(FreeEffort(e), 10u);  // the number of nodes
  // Later option changes do not touch existing lists.
  ks.options().list_max_listpack_size = -2;
  list::Push(ks, 0, "l", views, false, false);
  EXPECT_EQ(list::QL(e)->fill, 2);
  // MEMORY USAGE: sampling scales the sampled nodes' average to all nodes.
  size_t all = EntryMemoryUsage(e, 0);
  size_t sampled = EntryMemoryUsage(e, 5);
  EXPECT_GT(all, 20u * 80);
  EXPECT_NEAR(static_cast<double>(sampled), static_cast<double>(all), all * 0.5);
  Entry* d = DupEntry(e, "copy");
  ASSERT_NE(d, nullptr);
  uint8_t d1[20] = {}, d2[20] = {};
  EXPECT_TRUE(DigestValue(e, d1));
  EXPECT_TRUE(DigestValue(d, d2));
  EXPECT_EQ(0, memcmp(d1, d2, 20));
  EXPECT_EQ(list::QL(d)->len, list::QL(e)->len);
  FreeEntry(d);
}

}  // namespace
}  // namespace vireo::engine
