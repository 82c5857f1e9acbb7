// engine::zset over a Keyspace: the events and dirty amounts of Redis 7.0's
// t_zset.c (including "del" after the command's event when a set empties),
// pops, ranges, and sets as ZUNION/ZINTER/ZDIFF inputs through a registered
// SetReader (a fake one here: the set type plugs the real one in).
#include "engine/types/zset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/encoding/listpack.h"
#include "engine/keyspace.h"
#include "engine/value.h"

namespace vireo::engine {
namespace {

class Events : public KeyspaceListener {
 public:
  std::vector<std::string> seen;
  void KeyModified(int, std::string_view key) override { seen.push_back("mod:" + std::string(key)); }
  void KeyEvent(int, std::string_view event, int, std::string_view key) override {
    seen.push_back(std::string(event) + ":" + std::string(key));
  }
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view) override {}
  void KeyReady(int, std::string_view) override {}
  void BeforeFlush(int) override {}
  void BeforeSwap(int, int) override {}
};

class ZsetOps : public ::testing::Test {
 protected:
  void SetUp() override {
    ks.set_listener(&ev);
    ks.set_event_mask(~0);
    ks.AddModifiedInterest(1);
  }
  void Add(std::string_view key, std::vector<zset::ScoreMember> pairs, int flags = 0) {
    zset::AddResult r;
    ASSERT_EQ(zset::Add(ks, 0, key, flags, pairs, &r), OpStatus::kOk);
  }
  std::vector<std::pair<std::string, double>> All(std::string_view key) {
    struct S : zset::Sink {
      std::vector<std::pair<std::string, double>> v;
      void Begin(int64_t) override {}
      void Item(std::string_view m, double s) override { v.emplace_back(std::string(m), s); }
      void End(size_t) override {}
    } s;
    zset::RangeSpec spec;
    spec.start = 0;
    spec.end = -1;
    zset::Range(ks, 0, key, spec, s);
    return s.v;
  }
  Keyspace ks{16};
  Events ev;
};

TEST_F(ZsetOps, AddReportsEventsAndDirty) {
  zset::AddResult r;
  std::vector<zset::ScoreMember> p = {{1, "a"}, {2, "b"}};
  ASSERT_EQ(zset::Add(ks, 0, "z", 0, p, &r), OpStatus::kOk);
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(ks.dirty, 2);
  EXPECT_EQ(ev.seen, (std::vector<std::string>{"new:z", "mod:z", "zadd:z"}));
  ev.seen.clear();
  ASSERT_EQ(zset::Add(ks, 0, "z", 0, p, &r), OpStatus::kOk);  // nothing changes
  EXPECT_TRUE(ev.seen.empty());
  EXPECT_EQ(ks.dirty, 2);
  std::vector<zset::ScoreMember> inc = {{-INFINITY, "c"}};
  ASSERT_EQ(zset::Add(ks, 0, "z", zset::kAddIncr, inc, &r), OpStatus::kOk);
  inc[0].score = INFINITY;
  EXPECT_EQ(zset::Add(ks, 0, "z", zset::kAddIncr, inc, &r), OpStatus::kNanScore);
  EXPECT_EQ(ks.dirty, 3);
}

TEST_F(ZsetOps, RemovalsEmitDelAfterTheirEvent) {
  Add("z", {{1, "a"}, {2, "b"}});
  ev.seen.clear();
  std::vector<std::string_view> m = {"a", "b", "c"};
  EXPECT_EQ(*zset::Rem(ks, 0, "z", m), 2);
  EXPECT_EQ(ev.seen, (std::vector<std::string>{"mod:z", "zrem:z", "del:z"}));
  EXPECT_EQ(ks.Find(0, "z"), nullptr);

  Add("p", {{1, "a"}, {2, "b"}, {3, "c"}});
  ev.seen.clear();
  struct P : zset::PopSink {
    std::string key;
    std::vector<std::string> items;
    void Begin(std::string_view k, int64_t) override { key = k; }
    void Item(std::string_view m, double) override { items.emplace_back(m); }
  } out;
  std::vector<std::string_view> keys = {"nokey", "p"};
  long long dirty = ks.dirty;
  ASSERT_EQ(zset::MPop(ks, 0, keys, true, 10, out), OpStatus::kOk);
  EXPECT_EQ(out.key, "p");
  EXPECT_EQ(out.items, (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(ks.dirty - dirty, 3);
  EXPECT_EQ(ev.seen, (std::vector<std::string>{"mod:p", "zpopmax:p", "del:p"}));
  EXPECT_EQ(zset::MPop(ks, 0, keys, true, 1, out), OpStatus::kNotFound);
}

TEST_F(ZsetOps, EventNamesOfRangeAndStoreCommands) {
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}});
  Add("z", {{1, "a"}}, zset::kAddIncr);
  ev.seen.clear();
  zset::RangeSpec spec;
  spec.type = zset::RangeSpec::kScore;
  spec.score = {3, 3, false, false};
  EXPECT_EQ(*zset::RemRange(ks, 0, "z", spec), 1);
  spec.type = zset::RangeSpec::kRank;
  spec.start = 0;
  spec.end = 0;
  EXPECT_EQ(*zset::RemRange(ks, 0, "z", spec), 1);
  spec.type = zset::RangeSpec::kLex;
  spec.lex.min_kind = zset::LexRange::kMinusInf;
  spec.lex.max_kind = zset::LexRange::kPlusInf;
  std::vector<std::string_view> keys = {"z"};
  zset::SetOpSpec so;
  so.keys = keys;
  so.op = zset::SetOpKind::kInter;
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "i", so), 2);
  EXPECT_EQ(*zset::RemRange(ks, 0, "z", spec), 2);
  EXPECT_EQ(ev.seen, (std::vector<std::string>{
                         "mod:z", "zremrangebyscore:z", "mod:z", "zremrangebyrank:z", "new:i", "mod:i",
                         "zinterstore:i", "mod:z", "zremrangebylex:z", "del:z"}));
}

// A set type stand-in: the value is a std::vector<std::string> (not owned).
size_t FakeLen(const Entry* e) { return static_cast<std::vector<std::string>*>(e->v.ptr)->size(); }
void FakeEach(const Entry* e, void (*fn)(std::string_view, void*), void* ctx) {
  for (const auto& m : *static_cast<std::vector<std::string>*>(e->v.ptr)) fn(m, ctx);
}
bool FakeHas(const Entry* e, std::string_view m) {
  auto* v = static_cast<std::vector<std::string>*>(e->v.ptr);
  return std::find(v->begin(), v->end(), m) != v->end();
}
const zset::SetReader kFakeReader = {FakeLen, FakeEach, FakeHas};

TEST_F(ZsetOps, SetsAreInputsWithScoreOne) {
  static std::vector<std::string> members = {"a", "x"};
  Entry* s = AllocEntry("s", 0);
  s->type = static_cast<uint8_t>(ObjType::kSet);
  s->enc = static_cast<uint8_t>(Enc::kHashtable);
  s->v.ptr = &members;
  ks.SetKey(0, s);
  Add("z", {{5, "a"}, {INFINITY, "b"}});
  std::vector<std::string_view> keys = {"z", "s"};
  zset::SetOpSpec spec;
  spec.keys = keys;
  spec.op = zset::SetOpKind::kUnion;
  zset::RegisterSetReader(&kFakeReader);
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "out", spec), 3);
  EXPECT_EQ(All("out"), (std::vector<std::pair<std::string, double>>{{"x", 1}, {"a", 6}, {"b", INFINITY}}));
  double w[] = {0, 2};
  spec.weights = w;
  spec.op = zset::SetOpKind::kInter;
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "out", spec), 1);
  EXPECT_EQ(All("out"), (std::vector<std::pair<std::string, double>>{{"a", 2}}));
  spec.weights = nullptr;
  spec.op = zset::SetOpKind::kDiff;
  std::vector<std::string_view> rev = {"s", "z"};
  spec.keys = rev;
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "out", spec), 1);
  EXPECT_EQ(All("out"), (std::vector<std::pair<std::string, double>>{{"x", 1}}));
  EXPECT_EQ(*zset::InterCard(ks, 0, keys, 0, false), 1);
  // inf * 0 is 0 (Redis turns the NaN into 0).
  spec.keys = keys;
  spec.op = zset::SetOpKind::kUnion;
  double zero[] = {0, 0};
  spec.weights = zero;
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "out", spec), 3);
  for (auto& [m, sc] : All("out")) EXPECT_EQ(sc, 0) << m;
  zset::RegisterSetReader(nullptr);
  // The set entry does not own its vector: take it out before teardown.
  s->type = static_cast<uint8_t>(ObjType::kString);
  s->enc = static_cast<uint8_t>(Enc::kInt);
  s->v.ival = 0;
}

TEST_F(ZsetOps, StoreResultEncodings) {
  ks.options().zset_max_listpack_entries = 2;
  Add("z", {{1, "a"}, {2, "b"}, {3, "c"}});
  EXPECT_EQ(ks.Find(0, "z")->encoding(), Enc::kSkiplist);
  zset::RangeSpec spec;
  spec.start = 0;
  spec.end = 1;
  EXPECT_EQ(*zset::RangeStore(ks, 0, "d", "z", spec), 2);
  EXPECT_EQ(ks.Find(0, "d")->encoding(), Enc::kListpack);
  spec.end = 2;
  EXPECT_EQ(*zset::RangeStore(ks, 0, "d", "z", spec), 3);
  EXPECT_EQ(ks.Find(0, "d")->encoding(), Enc::kSkiplist);
  std::vector<std::string_view> keys = {"z"};
  zset::SetOpSpec so;
  so.keys = keys;
  ks.options().zset_max_listpack_entries = 3;
  EXPECT_EQ(*zset::SetOpStore(ks, 0, "u", so), 3);
  EXPECT_EQ(ks.Find(0, "u")->encoding(), Enc::kListpack);
  spec.start = 5;
  ev.seen.clear();
  EXPECT_EQ(*zset::RangeStore(ks, 0, "d", "z", spec), 0);
  EXPECT_EQ(ev.seen, (std::vector<std::string>{"mod:d", "del:d"}));
  EXPECT_EQ(ks.Find(0, "d"), nullptr);
}

// The listpack of a DUMP from redis-server 7.0.15 after
//   ZADD z 1.5 a 3 b -0 c inf d 1e300 e 0.1 f 123 123 -5 neg
//          4611686018427387904 big 4611686018427387903 big2 -inf ninf 2.5 x
//   ZINCRBY z 1 a ; ZREM z x
// (integral scores as integers up to 2^62, others as "%.17g" text).
TEST_F(ZsetOps, ListpackBytesIdenticalToRedis) {
  const char* hex =
      "8c0000001600846e696e6605842d696e6605836e656704dffb02816302000181660293302e3130303030303030"
      "3030303030303030311481610283322e350481620203017b017b018362696704f40000000000000040098462"
      "69673205f400000000000000400981650297312e30303030303030303030303030303031652b333030188164"
      "0283696e6604ff";
  std::string want;
  for (const char* p = hex; *p; p += 2) want.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
  Add("z", {{1.5, "a"}, {3, "b"}, {-0.0, "c"}, {INFINITY, "d"}, {1e300, "e"}, {0.1, "f"},
            {123, "123"}, {-5, "neg"}, {4611686018427387904.0, "big"},
            {static_cast<double>(4611686018427387903LL), "big2"}, {-INFINITY, "ninf"}, {2.5, "x"}});
  Add("z", {{1, "a"}}, zset::kAddIncr);
  std::vector<std::string_view> rem = {"x"};
  zset::Rem(ks, 0, "z", rem);
  const Entry* e = ks.Find(0, "z");
  ASSERT_EQ(e->encoding(), Enc::kListpack);
  auto* l = static_cast<const uint8_t*>(e->v.ptr);
  ASSERT_EQ(lp::Bytes(l), want.size());
  EXPECT_EQ(0, memcmp(l, want.data(), want.size()));
}

}  // namespace
}  // namespace vireo::engine
