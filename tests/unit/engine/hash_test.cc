// Unit tests for engine::hash (types/hash.h): the listpack -> hashtable
// conversions at Redis's thresholds (entries, value length, HINCRBY /
// HINCRBYFLOAT results, HSETNX), the listpack bytes equal to what Redis
// builds, what each write reports (events, dirty, "del" of an emptied
// hash), the value-table rows (dup, digest independent of encoding, memory,
// free effort), HSCAN and HRANDFIELD's cases.
#include "engine/types/hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/memory.h"
#include "engine/encoding/strmap.h"
#include "engine/types/string.h"
#include "engine/value.h"

namespace vireo::engine {
namespace {

class Recorder : public KeyspaceListener {
 public:
  std::vector<std::string> calls;
  void KeyModified(int, std::string_view key) override { calls.push_back("modified:" + std::string(key)); }
  void KeyEvent(int, std::string_view event, int, std::string_view key) override {
    calls.push_back(std::string(event) + ":" + std::string(key));
  }
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view) override {}
  void KeyReady(int, std::string_view) override {}
  void BeforeFlush(int) override {}
  void BeforeSwap(int, int) override {}
};

class HashTest : public ::testing::Test {
 protected:
  HashTest() : ks(2) {
    ks.options().SetNow(1'700'000'000'000);
    ks.set_listener(&rec);
    ks.AddModifiedInterest(1);
    ks.set_event_mask(~0);
  }
  int64_t HSet(const std::string& key, std::vector<std::string_view> pairs) {
    auto r = hash::Set(ks, 0, key, pairs);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  }
  Entry* E(const std::string& key) { return ks.Find(0, key, kLookupNoTouch); }
  Enc EncOf(const std::string& key) { return E(key)->encoding(); }
  std::string Get(const std::string& key, std::string_view field) {
    auto r = hash::Find(ks, 0, key);
    if (!r.ok()) return "<no key>";
    hash::Elem v;
    if (!hash::GetField(*r, field, &v)) return "<no field>";
    char buf[32];
    return std::string(v.ToString(buf));
  }
  std::map<std::string, std::string> All(const std::string& key) {
    std::map<std::string, std::string> out;
    char fb[32], vb[32];
    hash::ForEach(E(key), [&](const hash::Elem& f, const hash::Elem& v) {
      out[std::string(f.ToString(fb))] = std::string(v.ToString(vb));
    });
    return out;
  }
  Keyspace ks;
  Recorder rec;
};

TEST_F(HashTest, SetGetAndEvents) {
  EXPECT_EQ(HSet("h", {"a", "1", "b", "x"}), 2);
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"new:h", "modified:h", "hset:h"}));
  EXPECT_EQ(ks.dirty, 2);
  EXPECT_EQ(HSet("h", {"a", "2", "c", "3"}), 1);
  EXPECT_EQ(ks.dirty, 4);  // pairs, not changes
  EXPECT_EQ(Get("h", "a"), "2");
  EXPECT_EQ(Get("h", "b"), "x");
  EXPECT_EQ(Get("h", "z"), "<no field>");
  EXPECT_EQ(hash::Length(E("h")), 3u);
  EXPECT_EQ(EncOf("h"), Enc::kListpack);
  ks.options().SetNow(1'700'000'000'000);
}

TEST_F(HashTest, WrongType) {
  str::SetParams p;
  ASSERT_EQ(str::Set(ks, 0, "s", "v", p), OpStatus::kOk);
  std::vector<std::string_view> pairs = {"f", "v"};
  EXPECT_EQ(hash::Set(ks, 0, "s", pairs).status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::SetNx(ks, 0, "s", "f", "v").status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::Del(ks, 0, "s", pairs).status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::IncrBy(ks, 0, "s", "f", 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::IncrByFloat(ks, 0, "s", "f", 1).status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::Find(ks, 0, "s").status(), OpStatus::kWrongType);
  EXPECT_EQ(hash::Find(ks, 0, "nokey").status(), OpStatus::kNotFound);
}

TEST_F(HashTest, ListpackBytesAreRedisBytes) {
  // HSET h a 1 b hello in Redis 7.0.15: header, "a" (6-bit str), 1 (7-bit
  // uint), "b", "hello", each followed by its backlen.
  HSet("h", {"a", "1", "b", "hello"});
  const auto* l = static_cast<const uint8_t*>(E("h")->v.ptr);
  std::vector<uint8_t> got(l, l + lp::Bytes(l));
  std::vector<uint8_t> want = {22, 0, 0, 0, 4, 0, 0x81, 'a', 2, 1, 1, 0x81, 'b', 2,
                               0x85, 'h', 'e', 'l', 'l', 'o', 6, 0xFF};
  EXPECT_EQ(got, want);
}

TEST_F(HashTest, ConvertsPastTheEntriesLimit) {
  ks.options().hash_max_listpack_entries = 4;
  HSet("h", {"a", "1", "b", "2", "c", "3", "d", "4"});
  EXPECT_EQ(EncOf("h"), Enc::kListpack);
  HSet("h", {"e", "5"});
  EXPECT_EQ(EncOf("h"), Enc::kHashtable);
  EXPECT_EQ(All("h"), (std::map<std::string, std::string>{
                          {"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}}));
  // Never back, even when emptied down to one field.
  std::vector<std::string_view> del = {"a", "b", "c", "d"};
  EXPECT_EQ(*hash::Del(ks, 0, "h", del), 4);
  EXPECT_EQ(EncOf("h"), Enc::kHashtable);
  // A lowered limit converts on the next write, even an update.
  ks.options().hash_max_listpack_entries = 512;
  HSet("u", {"a", "1", "b", "2", "c", "3"});
  ks.options().hash_max_listpack_entries = 2;
  EXPECT_EQ(EncOf("u"), Enc::kListpack);
  HSet("u", {"a", "1"});
  EXPECT_EQ(EncOf("u"), Enc::kHashtable);
  // Zero entries: the first field converts.
  ks.options().hash_max_listpack_entries = 0;
  HSet("z", {"a", "1"});
  EXPECT_EQ(EncOf("z"), Enc::kHashtable);
}

TEST_F(HashTest, ConvertsOnLongFieldsOrValues) {
  ks.options().hash_max_listpack_value = 8;
  HSet("v", {"f", "12345678"});
  EXPECT_EQ(EncOf("v"), Enc::kListpack);
  HSet("v", {"f", "123456789"});
  EXPECT_EQ(EncOf("v"), Enc::kHashtable);
  HSet("k", {"123456789", "x"});
  EXPECT_EQ(EncOf("k"), Enc::kHashtable);
  // HSETNX checks both strings; an existing field is not written.
  ASSERT_TRUE(*hash::SetNx(ks, 0, "n", "a", "1"));
  EXPECT_FALSE(*hash::SetNx(ks, 0, "n", "a", "123456789"));
  EXPECT_EQ(EncOf("n"), Enc::kListpack);
  EXPECT_TRUE(*hash::SetNx(ks, 0, "n", "b", "123456789"));
  EXPECT_EQ(EncOf("n"), Enc::kHashtable);
  // HINCRBYFLOAT: the result's length decides (hash.tcl's test).
  HSet("s", {"tmp", "0"});
  HSet("b", {"tmp", "0"});
  EXPECT_EQ(*hash::IncrByFloat(ks, 0, "s", "tmp", 0.000005L), "0.000005");
  EXPECT_EQ(*hash::IncrByFloat(ks, 0, "b", "tmp", 0.0000005L), "0.0000005");
  EXPECT_EQ(EncOf("s"), Enc::kListpack);
  EXPECT_EQ(EncOf("b"), Enc::kHashtable);
  // ... and the field's.
  hash::IncrByFloat(ks, 0, "s2", "abcdefgh", 1);
  hash::IncrByFloat(ks, 0, "b2", "abcdefghi", 1);
  EXPECT_EQ(EncOf("s2"), Enc::kListpack);
  EXPECT_EQ(EncOf("b2"), Enc::kHashtable);
  // HINCRBY: a 9-digit result.
  HSet("i", {"f", "99999999"});
  EXPECT_EQ(*hash::IncrBy(ks, 0, "i", "f", 1), 100000000);
  EXPECT_EQ(EncOf("i"), Enc::kHashtable);
  EXPECT_EQ(Get("i", "f"), "100000000");
}

TEST_F(HashTest, DelReportsAndRemovesAnEmptiedHash) {
  HSet("h", {"a", "1", "b", "2"});
  rec.calls.clear();
  long long dirty = ks.dirty;
  std::vector<std::string_view> none = {"x", "y"};
  EXPECT_EQ(*hash::Del(ks, 0, "h", none), 0);
  EXPECT_TRUE(rec.calls.empty());
  EXPECT_EQ(ks.dirty, dirty);
  std::vector<std::string_view> all = {"a", "x", "b", "a"};
  EXPECT_EQ(*hash::Del(ks, 0, "h", all), 2);
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"modified:h", "hdel:h", "del:h"}));
  EXPECT_EQ(ks.dirty, dirty + 2);
  EXPECT_EQ(E("h"), nullptr);
  EXPECT_EQ(hash::Del(ks, 0, "h", all).status(), OpStatus::kNotFound);
}

TEST_F(HashTest, IncrByErrorsAndOverflow) {
  HSet("h", {"s", "hello", "sp", " 11", "n", "-9223372036854775484"});
  EXPECT_EQ(hash::IncrBy(ks, 0, "h", "s", 1).status(), OpStatus::kHashNotInteger);
  EXPECT_EQ(hash::IncrBy(ks, 0, "h", "sp", 1).status(), OpStatus::kHashNotInteger);
  EXPECT_EQ(*hash::IncrBy(ks, 0, "h", "n", -1), -9223372036854775485LL);
  EXPECT_EQ(hash::IncrBy(ks, 0, "h", "n", -10000).status(), OpStatus::kOverflow);
  EXPECT_EQ(hash::IncrByFloat(ks, 0, "h", "s", 1).status(), OpStatus::kHashNotFloat);
  EXPECT_EQ(*hash::IncrByFloat(ks, 0, "f", "x", 1.23L), "1.23");
  rec.calls.clear();
  EXPECT_EQ(*hash::IncrByFloat(ks, 0, "f", "x", 0.77L), "2");
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"modified:f", "hincrbyfloat:f"}));
  HSet("f", {"big", "1e4932"});
  EXPECT_EQ(hash::IncrByFloat(ks, 0, "f", "big", 1e4932L).status(), OpStatus::kNanOrInfinity);
}

TEST_F(HashTest, DupDigestAndMemoryAcrossEncodings) {
  HSet("lp", {"a", "1", "b", "two", "c", "-3"});
  ks.options().hash_max_listpack_entries = 0;
  HSet("ht", {"c", "-3", "b", "two", "a", "1"});
  ASSERT_EQ(EncOf("ht"), Enc::kHashtable);
  uint8_t d1[20] = {}, d2[20] = {};
  ASSERT_TRUE(DigestValue(E("lp"), d1));
  ASSERT_TRUE(DigestValue(E("ht"), d2));
  EXPECT_EQ(0, memcmp(d1, d2, 20));
  for (const char* key : {"lp", "ht"}) {
    Entry* copy = DupEntry(E(key), "copy");
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->encoding(), E(key)->encoding());
    uint8_t d3[20] = {};
    DigestValue(copy, d3);
    EXPECT_EQ(0, memcmp(d1, d3, 20));
    // The value's share (the entry blocks differ by the key length).
    EXPECT_EQ(EntryMemoryUsage(copy) - base::AllocSize(copy),
              EntryMemoryUsage(E(key)) - base::AllocSize(E(key)));
    FreeEntry(copy);
  }
  EXPECT_EQ(FreeEffort(E("lp")), 1u);
  EXPECT_EQ(FreeEffort(E("ht")), 3u);
  EXPECT_GT(EntryMemoryUsage(E("ht")), EntryMemoryUsage(E("lp")));
}

TEST_F(HashTest, ScanListpackWholeAndTableByCursor) {
  HSet("lp", {"a", "1", "bb", "2", "ab", "3"});
  std::vector<hash::Elem> out;
  EXPECT_EQ(hash::Scan(E("lp"), 0, 1, "a*", true, &out), 0u);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].sv(), "a");
  EXPECT_EQ(out[1].v, 1);
  EXPECT_EQ(out[2].sv(), "ab");
  ks.options().hash_max_listpack_entries = 16;
  for (int i = 0; i < 1000; i++) {
    std::string f = "f" + std::to_string(i);
    HSet("ht", {f, "v"});
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    out.clear();
    cursor = hash::Scan(E("ht"), cursor, 10, "", false, &out);
    for (size_t i = 0; i < out.size(); i += 2) seen.insert(std::string(out[i].sv()));
    calls++;
  } while (cursor);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 20);
}

class Collect : public hash::RandomSink {
 public:
  uint64_t begun = UINT64_MAX;
  std::vector<std::string> fields, values;
  void Begin(uint64_t n) override { begun = n; }
  bool Emit(const hash::Elem& f, const hash::Elem* v) override {
    char buf[32];
    fields.emplace_back(f.ToString(buf));
    if (v) values.emplace_back(v->ToString(buf));
    return true;
  }
};

TEST_F(HashTest, RandomFieldsCases) {
  for (uint64_t entries : {512u, 0u}) {
    ks.options().hash_max_listpack_entries = entries;
    std::string key = entries ? "lp" : "ht";
    for (int i = 0; i < 10; i++) HSet(key, {std::to_string(i), "v" + std::to_string(i)});
    ASSERT_EQ(EncOf(key), entries ? Enc::kListpack : Enc::kHashtable);
    for (int64_t count : {-25, 1, 10, 20, 8, 2, 0}) {
      Collect c;
      ASSERT_EQ(hash::RandomFields(ks, 0, key, count, true, c), OpStatus::kOk);
      uint64_t want = count < 0 ? 25 : std::min<uint64_t>(count, 10);
      EXPECT_EQ(c.begun, want) << key << " " << count;
      EXPECT_EQ(c.fields.size(), want);
      for (size_t i = 0; i < c.fields.size(); i++) EXPECT_EQ(c.values[i], "v" + c.fields[i]);
      if (count > 0) {
        std::set<std::string> uniq(c.fields.begin(), c.fields.end());
        EXPECT_EQ(uniq.size(), c.fields.size()) << key << " " << count;
      }
    }
    hash::Elem f;
    EXPECT_EQ(hash::RandomField(ks, 0, key, &f), OpStatus::kOk);
  }
  Collect c;
  EXPECT_EQ(hash::RandomFields(ks, 0, "nokey", 3, false, c), OpStatus::kNotFound);
  EXPECT_EQ(c.begun, UINT64_MAX);
}

}  // namespace
}  // namespace vireo::engine
