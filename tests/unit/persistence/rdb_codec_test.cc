// Unit tests of the RDB value codec (persistence/rdb_io, rdb_save,
// rdb_load's payload side) and of CRC-64/Jones (base/crc64):
//  - Crc64: the check value, incremental == one-shot, and a bitwise
//    reference over random inputs;
//  - string encodings through Writer::String / DumpPayload against the
//    bytes redis-server 7.0.15 gives for DUMP of the same strings (LZF,
//    int8/16/32, a too-big int as text, 6/14/32-bit lengths);
//  - DumpPayload -> VerifyDumpPayload -> ReadDumpPayload round trips of
//    every type and encoding, comparing content and encoding after load;
//  - Redis's conversions on load (thresholds of the loading side);
//  - handmade corrupt payloads: nullptr, no crash, no leak (the ASan build
//    runs these too).
// Snapshots (WriteSnapshot / LoadSnapshot) are in rdb_snapshot_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/crc64.h"
#include "engine/encoding/intset.h"
#include "engine/encoding/listpack.h"
#include "engine/value.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "rdb_test_util.h"

namespace vireo::persistence::rdb {
namespace {

using engine::Enc;
using engine::Entry;
using testutil::FromHex;
using testutil::Hex;
using testutil::WithTrailer;
using Args = std::vector<std::string_view>;

constexpr int64_t kNow = 1700000000000;

// ---------------------------------------------------------------------------
// CRC-64/Jones

uint64_t BitwiseCrc64(uint64_t crc, const uint8_t* p, size_t n) {
  // Reflected CRC-64/Jones bit by bit: the textbook form the tables derive from.
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
  }
  return crc;
}

TEST(Crc64Test, CheckValue) {
  EXPECT_EQ(base::Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(base::Crc64(0, "", 0), 0u);
  EXPECT_EQ(base::Crc64(0x1234, "", 0), 0x1234u);
}

TEST(Crc64Test, IncrementalEqualsOneShot) {
  std::string s;
  for (int i = 0; i < 1000; i++) s.push_back(static_cast<char>(i * 31 + 7));
  uint64_t one = base::Crc64(0, s.data(), s.size());
  for (size_t cut : {0, 1, 7, 8, 9, 63, 500, 999, 1000}) {
    uint64_t c = base::Crc64(0, s.data(), cut);
    c = base::Crc64(c, s.data() + cut, s.size() - cut);
    EXPECT_EQ(c, one) << "cut " << cut;
  }
  // Byte by byte (the tail loop only).
  uint64_t c = 0;
  for (char ch : s) c = base::Crc64(c, &ch, 1);
  EXPECT_EQ(c, one);
}

TEST(Crc64Test, AgreesWithBitwiseReference) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; round++) {
    for (size_t len = 0; len <= 100; len++) {
      std::vector<uint8_t> buf(len + 3);
      for (auto& b : buf) b = static_cast<uint8_t>(rng());
      // Unaligned starts too (the 8-byte loop reads with memcpy).
      const uint8_t* p = buf.data() + round % 4;
      uint64_t seed = round % 2 ? rng() : 0;
      ASSERT_EQ(base::Crc64(seed, p, len), BitwiseCrc64(seed, p, len)) << "len " << len;
    }
  }
  EXPECT_EQ(BitwiseCrc64(0, reinterpret_cast<const uint8_t*>("123456789"), 9), 0xe9c6d914c4b8d9caULL);
}

// ---------------------------------------------------------------------------
// String encodings against redis-server 7.0.15's DUMP bytes.
//
// The vectors were taken once from /usr/bin/redis-server 7.0.15 (SET k v;
// DUMP k), with rdbcompression yes unless said otherwise. Pat() is the
// generator used for them: 7-byte steps with a twist every 251 bytes, so
// short runs do not compress and long ones partly do.

std::string Pat(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>((i * 7 + (i / 251) * 13) % 256);
  return s;
}

std::string WriterString(std::string_view s, bool compress = true) {
  Writer w;
  w.set_compression(compress);
  w.String(s);
  return w.buffer();
}

std::string DumpOf(std::string_view val, bool compress = true) {
  Entry* e = engine::str::MakeString("k", val);
  std::string p = DumpPayload(e, compress);
  engine::FreeEntry(e);
  return p;
}

TEST(RdbStringTest, LzfOfThousandAsMatchesRedis) {
  const std::string redis =
      "00c31243e8016161e0ff00e0ff00e0ff00e0c3000161610a0086c212db54819e3c";
  std::string a(1000, 'a');
  // The payload minus the type byte and the 10-byte trailer is the string.
  EXPECT_EQ(Hex(WriterString(a)), redis.substr(2, redis.size() - 2 - 20));
  EXPECT_EQ(Hex(DumpOf(a)), redis);
  EXPECT_EQ(StringSize(a, true), WriterString(a).size());
  // rdbcompression no: 14-bit length + the bytes.
  std::string plain = DumpOf(a, false);
  ASSERT_EQ(plain.size(), 1013u);
  EXPECT_EQ(Hex(plain.substr(0, 3)), "0043e8");
  EXPECT_EQ(Hex(plain.substr(1003)), "0a0097cf8743c73c22a1");
}

TEST(RdbStringTest, IntEncodingsMatchRedis) {
  struct Case {
    const char* val;
    const char* redis;
  } cases[] = {
      {"12345", "00c139300a009d94ea2793fc08b9"},
      {"-1", "00c0ff0a000c937e2485089dc5"},
      {"2147483647", "00c2ffffff7f0a002c74e59ee02eada1"},
      // Past int32: the 10 characters as a plain string.
      {"2147483648", "000a323134373438333634380a00e7b129a34c1d76ee"},
  };
  for (const auto& c : cases) {
    std::string redis = c.redis;
    EXPECT_EQ(Hex(DumpOf(c.val)), redis) << c.val;
    EXPECT_EQ(Hex(WriterString(c.val)), redis.substr(2, redis.size() - 2 - 20)) << c.val;
  }
  // Non-canonical integers stay strings ("007", "+1", " 1").
  EXPECT_EQ(Hex(WriterString("007")), "03303037");
  EXPECT_EQ(Hex(WriterString("+1")), "022b31");
  EXPECT_EQ(Hex(WriterString("-0")), "022d30");
  // The int16 boundary.
  EXPECT_EQ(Hex(WriterString("-32768")), "c10080");
  EXPECT_EQ(Hex(WriterString("128")), "c18000");
}

TEST(RdbStringTest, LengthEncodingsMatchRedis) {
  // 6-bit length (10 bytes).
  EXPECT_EQ(Hex(DumpOf(Pat(10))), "000a00070e151c232a31383f0a00481627d08ccb02cf");
  // 14-bit length (100 bytes, LZF gains nothing).
  std::string p100 = DumpOf(Pat(100));
  EXPECT_EQ(Hex(p100.substr(0, 3)), "004064");
  EXPECT_EQ(p100.substr(3, 100), Pat(100));
  EXPECT_EQ(Hex(p100.substr(103)), "0a00f3536c55bf46cdbc");
  // 32-bit length (20000 bytes) with rdbcompression no; the CRC in the
  // trailer covers the rest.
  std::string p20k = DumpOf(Pat(20000), false);
  ASSERT_EQ(p20k.size(), 20016u);
  EXPECT_EQ(Hex(p20k.substr(0, 12)), "008000004e2000070e151c23");
  EXPECT_EQ(Hex(p20k.substr(20006)), "0a009c926caf924032b6");
  // The same compressed: 14-bit compressed length, 32-bit original length.
  std::string c20k = DumpOf(Pat(20000));
  ASSERT_EQ(c20k.size(), 1148u);
  EXPECT_EQ(Hex(c20k.substr(0, 12)), "00c344698000004e201f0007");
  EXPECT_EQ(Hex(c20k.substr(1138)), "0a00d3aa271ee35e7c54");
  // DEBUG OBJECT's serializedlength: the value without type and trailer.
  Entry* e = engine::str::MakeString("k", Pat(20000));
  EXPECT_EQ(SerializedLength(e, true), c20k.size() - 1 - kDumpTrailer);
  EXPECT_EQ(SerializedLength(e, false), p20k.size() - 1 - kDumpTrailer);
  engine::FreeEntry(e);
}

TEST(RdbStringTest, LenAndReaderRoundTrip) {
  Writer w;
  for (uint64_t v : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) w.Len(v);
  EXPECT_EQ(Hex(w.buffer()), "00" "3f" "4040" "7fff" "8000004000" "80ffffffff" "810000000100000000");
  for (uint64_t v : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) {
    EXPECT_EQ(LenSize(v), [&] {
      Writer x;
      x.Len(v);
      return x.buffer().size();
    }());
  }
  Reader r(w.buffer().data(), w.buffer().size());
  for (uint64_t v : {0ull, 63ull, 64ull, 16383ull, 16384ull, 4294967295ull, 4294967296ull}) {
    uint64_t got;
    ASSERT_TRUE(r.Len(&got));
    EXPECT_EQ(got, v);
  }
  uint64_t x;
  EXPECT_FALSE(r.Len(&x));
  EXPECT_FALSE(r.error().empty());
  // Strings of every encoding read back (int, LZF, raw), also as blobs.
  for (std::string s : {std::string("12345"), std::string("-2147483648"), std::string(1000, 'a'),
                        Pat(100), Pat(20000), std::string()}) {
    std::string enc = WriterString(s);
    Reader rs(enc.data(), enc.size());
    std::string out;
    ASSERT_TRUE(rs.String(&out));
    EXPECT_EQ(out, s);
    EXPECT_EQ(rs.processed(), enc.size());
    Reader rb(enc.data(), enc.size());
    size_t n = 0;
    uint8_t* blob = rb.Blob(&n);
    ASSERT_TRUE(blob != nullptr || s.empty());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(blob), n), s);
    base::Free(blob);
  }
}

// ---------------------------------------------------------------------------
// Round trips of every type and encoding

class RdbRoundTripTest : public ::testing::Test {
 protected:
  RdbRoundTripTest() : src(1), dst(1) {
    src.options().SetNow(kNow);
    dst.options().SetNow(kNow);
  }

  Entry* Src(std::string_view key) { return src.Find(0, key, engine::kLookupNoTouch); }

  // DUMP of src's key -> verify -> decode into dst's db 0 under the same
  // key (dst's options decide the conversions). nullptr on failure.
  Entry* Load(std::string_view key, bool compression = true, bool deep = false) {
    std::string payload = DumpPayload(Src(key), compression);
    int ver = 0;
    EXPECT_TRUE(VerifyDumpPayload(payload, true, &ver));
    EXPECT_EQ(ver, kVersion);
    LoadOptions lo;
    lo.deep = deep;
    uint64_t sanitized = 0;
    lo.sanitizations = &sanitized;
    Entry* e = ReadDumpPayload(payload, key, dst.options(), lo);
    if (!e) return nullptr;
    dst.SetKey(0, e);
    return e;
  }

  // Every combination of compression and deep validation must load the
  // same content with encoding `enc`; with same_bytes the loaded value
  // dumps to the very same payload (deterministic encodings).
  void Check(std::string_view key, Enc enc, bool same_bytes) {
    ASSERT_NE(Src(key), nullptr);
    std::string want = testutil::Content(src, 0, key);
    for (bool compression : {true, false}) {
      for (bool deep : {false, true}) {
        SCOPED_TRACE(std::string(key) + (compression ? " lzf" : " nolzf") + (deep ? " deep" : ""));
        Entry* e = Load(key, compression, deep);
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->encoding(), enc) << engine::EncodingName(e->encoding());
        EXPECT_EQ(e->otype(), Src(key)->otype());
        EXPECT_EQ(testutil::Content(dst, 0, key), want);
        if (same_bytes) {
          EXPECT_EQ(Hex(DumpPayload(e, compression)), Hex(DumpPayload(Src(key), compression)));
        }
        EXPECT_EQ(SerializedLength(e, compression) + 1 + kDumpTrailer, DumpPayload(e, compression).size());
      }
    }
  }

  // Loads src's key into dst: the encoding dst's options give it, the
  // same content.
  void ExpectLoadedAs(std::string_view key, Enc enc) {
    Entry* e = Load(key);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->encoding(), enc) << key;
    EXPECT_EQ(testutil::Content(dst, 0, key), testutil::Content(src, 0, key));
  }

  void Push(std::string_view key, const std::vector<std::string>& elems) {
    std::vector<std::string_view> v(elems.begin(), elems.end());
    ASSERT_TRUE(engine::list::Push(src, 0, key, v, false, false).ok());
  }
  void HSet(std::string_view key, const std::vector<std::string>& pairs) {
    std::vector<std::string_view> v(pairs.begin(), pairs.end());
    ASSERT_TRUE(engine::hash::Set(src, 0, key, v).ok());
  }
  void SAdd(std::string_view key, const std::vector<std::string>& members) {
    std::vector<std::string_view> v(members.begin(), members.end());
    ASSERT_TRUE(engine::set::Add(src, 0, key, v).ok());
  }
  void ZAdd(std::string_view key, const std::vector<std::pair<double, std::string>>& pairs) {
    std::vector<engine::zset::ScoreMember> v;
    for (auto& [s, m] : pairs) v.push_back({s, m});
    engine::zset::AddResult r;
    ASSERT_EQ(engine::zset::Add(src, 0, key, 0, v, &r), engine::OpStatus::kOk);
  }

  engine::Keyspace src, dst;
};

TEST_F(RdbRoundTripTest, Strings) {
  engine::str::SetParams sp;
  struct Case {
    std::string key, val;
    Enc enc;
  } cases[] = {
      {"int", "12345", Enc::kInt},
      {"int64", "-9223372036854775808", Enc::kInt},
      {"int-big", "9223372036854775807", Enc::kInt},
      {"emb", "hello world", Enc::kEmbstr},
      {"emb-empty", "", Enc::kEmbstr},
      {"raw-lzf", std::string(50, 'x'), Enc::kRaw},
      {"raw", Pat(100), Enc::kRaw},
      {"long", Pat(200000), Enc::kRaw},
      {"not-int", "007", Enc::kEmbstr},
  };
  for (const auto& c : cases) {
    ASSERT_EQ(engine::str::Set(src, 0, c.key, c.val, sp), engine::OpStatus::kOk);
    EXPECT_EQ(Src(c.key)->encoding(), c.enc) << c.key;
    Check(c.key, c.enc, true);
  }
}

TEST_F(RdbRoundTripTest, ListSingleListpackNode) {
  Push("l", {"a", "b", "1", "-200", "70000", std::string(40, 'c'), "9223372036854775807"});
  EXPECT_EQ(testutil::ListNodes(Src("l")).nodes, 1u);
  Check("l", Enc::kQuicklist, true);
  EXPECT_EQ(testutil::ListNodes(dst.Find(0, "l")).nodes, 1u);
}

TEST_F(RdbRoundTripTest, ListMultiNodeKeepsNodes) {
  src.options().list_max_listpack_size = 4;
  std::vector<std::string> elems;
  for (int i = 0; i < 18; i++) elems.push_back("e" + std::to_string(i));
  Push("l", elems);
  EXPECT_EQ(testutil::ListNodes(Src("l")).nodes, 5u);
  // Why the nodes survive: Redis appends each saved listpack as a node
  // (quicklistAppendListpack), whatever the loading side's fill.
  Check("l", Enc::kQuicklist, true);
  EXPECT_EQ(testutil::ListNodes(dst.Find(0, "l")).nodes, 5u);
}

TEST_F(RdbRoundTripTest, ListCompressedNodes) {
  src.options().list_max_listpack_size = 4;
  src.options().list_compress_depth = 1;
  std::vector<std::string> elems;
  for (int i = 0; i < 20; i++) {
    std::string s;
    for (int k = 0; k < 4; k++) s += "item" + std::to_string(100 + i);
    elems.push_back(s);
  }
  Push("l", elems);
  testutil::NodeStats st = testutil::ListNodes(Src("l"));
  ASSERT_EQ(st.nodes, 5u);
  ASSERT_EQ(st.compressed, 3u);  // all but one node at each end
  // The default loader (list-compress-depth 0) keeps nodes raw.
  Check("l", Enc::kQuicklist, false);
  st = testutil::ListNodes(dst.Find(0, "l"));
  EXPECT_EQ(st.nodes, 5u);
  EXPECT_EQ(st.compressed, 0u);
  // With the same depth on the loading side the middle nodes compress again.
  dst.options().list_compress_depth = 1;
  Entry* e = Load("l");
  ASSERT_NE(e, nullptr);
  st = testutil::ListNodes(e);
  EXPECT_EQ(st.compressed, 3u);
  EXPECT_EQ(testutil::Content(dst, 0, "l"), testutil::Content(src, 0, "l"));
  EXPECT_EQ(Hex(DumpPayload(e, true)), Hex(DumpPayload(Src("l"), true)));
}

TEST_F(RdbRoundTripTest, ListPlainNodes) {
  size_t saved = engine::ql::PackedThreshold();
  ASSERT_TRUE(engine::ql::SetPackedThreshold(100));
  Push("l", {std::string(150, 'p'), "small", Pat(120), "x"});
  engine::ql::SetPackedThreshold(saved);
  testutil::NodeStats st = testutil::ListNodes(Src("l"));
  ASSERT_EQ(st.plain, 2u);
  Check("l", Enc::kQuicklist, true);
  st = testutil::ListNodes(dst.Find(0, "l"));
  EXPECT_EQ(st.plain, 2u);
  EXPECT_EQ(st.nodes, testutil::ListNodes(Src("l")).nodes);
}

TEST_F(RdbRoundTripTest, Hashes) {
  HSet("h-lp", {"f1", "v1", "f2", "2", "f3", "3.5", "neg", "-12345678901"});
  EXPECT_EQ(Src("h-lp")->encoding(), Enc::kListpack);
  Check("h-lp", Enc::kListpack, true);

  std::vector<std::string> big;
  for (int i = 0; i < 600; i++) {
    big.push_back("field" + std::to_string(i));
    big.push_back(i % 3 ? "value" + std::to_string(i) : std::to_string(i));
  }
  HSet("h-ht", big);
  EXPECT_EQ(Src("h-ht")->encoding(), Enc::kHashtable);
  Check("h-ht", Enc::kHashtable, false);

  // A table because of one long value: written as a table, loaded as one.
  HSet("h-long", {"a", "1", "b", std::string(100, 'v')});
  EXPECT_EQ(Src("h-long")->encoding(), Enc::kHashtable);
  Check("h-long", Enc::kHashtable, false);
}

TEST_F(RdbRoundTripTest, Sets) {
  SAdd("s-is", {"1", "2", "3", "-5", "100000", "4000000000", "-9223372036854775808"});
  EXPECT_EQ(Src("s-is")->encoding(), Enc::kIntset);
  Check("s-is", Enc::kIntset, true);

  SAdd("s-ht", {"a", "b", "c", "1", std::string(200, 'z')});
  EXPECT_EQ(Src("s-ht")->encoding(), Enc::kHashtable);
  Check("s-ht", Enc::kHashtable, false);

  // Integers only but over set-max-intset-entries.
  std::vector<std::string> ints;
  for (int i = 0; i < 600; i++) ints.push_back(std::to_string(i * 3));
  SAdd("s-many", ints);
  EXPECT_EQ(Src("s-many")->encoding(), Enc::kHashtable);
  Check("s-many", Enc::kHashtable, false);
}

TEST_F(RdbRoundTripTest, Zsets) {
  ZAdd("z-lp", {{1, "a"}, {2.5, "b"}, {-3, "c"}, {1e-300, "d"}});
  EXPECT_EQ(Src("z-lp")->encoding(), Enc::kListpack);
  Check("z-lp", Enc::kListpack, true);

  std::vector<std::pair<double, std::string>> pairs;
  for (int i = 0; i < 200; i++) pairs.push_back({i * 1.25 - 50, "m" + std::to_string(i)});
  pairs.push_back({INFINITY, "inf"});
  pairs.push_back({-INFINITY, "ninf"});
  pairs.push_back({-0.0, "negzero"});
  pairs.push_back({0.1, "tenth"});
  pairs.push_back({1.7976931348623157e308, "max"});
  ZAdd("z-sl", pairs);
  EXPECT_EQ(Src("z-sl")->encoding(), Enc::kSkiplist);
  Check("z-sl", Enc::kSkiplist, true);
  // The scores survive bit for bit (-0.0 included).
  double score = 0;
  auto r = engine::zset::Score(dst, 0, "z-sl", "negzero");
  ASSERT_TRUE(r.ok());
  score = *r;
  EXPECT_TRUE(std::signbit(score));
  EXPECT_EQ(*engine::zset::Score(dst, 0, "z-sl", "ninf"), -INFINITY);

  // A skiplist because of one long member: stays a skiplist on load
  // (zsetConvertToListpackIfNeeded looks at the longest member).
  ZAdd("z-long", {{1, "a"}, {2, std::string(100, 'm')}});
  EXPECT_EQ(Src("z-long")->encoding(), Enc::kSkiplist);
  Check("z-long", Enc::kSkiplist, true);
}

// ---------------------------------------------------------------------------
// Conversions on load: the loading side's thresholds decide.

TEST_F(RdbRoundTripTest, ListpackHashOverLoaderLimitBecomesTable) {
  HSet("h", {"a", "1", "b", "2", "c", "3", "d", "4", "e", "5"});
  ASSERT_EQ(Src("h")->encoding(), Enc::kListpack);
  dst.options().hash_max_listpack_entries = 2;
  ExpectLoadedAs("h", Enc::kHashtable);
  dst.options().hash_max_listpack_entries = 5;  // at the limit: stays
  ExpectLoadedAs("h", Enc::kListpack);
}

TEST_F(RdbRoundTripTest, SmallSkiplistLoadsAsListpack) {
  src.options().zset_max_listpack_entries = 2;
  ZAdd("z", {{3, "c"}, {1, "a"}, {2, "b"}, {-INFINITY, "n"}, {2, "bb"}});
  ASSERT_EQ(Src("z")->encoding(), Enc::kSkiplist);
  ExpectLoadedAs("z", Enc::kListpack);
  dst.options().zset_max_listpack_entries = 2;  // as small on the loader
  ExpectLoadedAs("z", Enc::kSkiplist);
}

TEST_F(RdbRoundTripTest, IntsetOverLoaderLimitBecomesTable) {
  std::vector<std::string> ints;
  for (int i = 0; i < 10; i++) ints.push_back(std::to_string(i * 1000 - 3));
  SAdd("s", ints);
  ASSERT_EQ(Src("s")->encoding(), Enc::kIntset);
  dst.options().set_max_intset_entries = 5;
  ExpectLoadedAs("s", Enc::kHashtable);
  dst.options().set_max_intset_entries = 10;
  ExpectLoadedAs("s", Enc::kIntset);
}

// RDB 11 (Redis 7.2 / Valkey 8) listpack sets: rebuilt as the intset or
// table Redis 7.0's SADD would give.
std::string SetListpackPayload(const std::vector<std::string>& members) {
  uint8_t* l = engine::lp::New();
  for (const auto& m : members) l = engine::lp::Append(l, m);
  Writer w;
  w.Byte(kTypeSetListpack);
  w.String({reinterpret_cast<const char*>(l), engine::lp::Bytes(l)});
  engine::lp::Free(l);
  return WithTrailer(w.buffer(), 11);
}

TEST_F(RdbRoundTripTest, Rdb11SetListpack) {
  struct Case {
    std::vector<std::string> members;
    Enc enc;
    const char* content;
  } cases[] = {
      {{"3", "1", "-2"}, Enc::kIntset, "S2:-2,1:1,1:3,"},
      {{"a", "1", "b"}, Enc::kHashtable, "S1:1,1:a,1:b,"},
  };
  for (const auto& c : cases) {
    std::string p = SetListpackPayload(c.members);
    ASSERT_TRUE(VerifyDumpPayload(p, true, nullptr));
    for (bool deep : {false, true}) {
      LoadOptions lo;
      lo.deep = deep;
      Entry* e = ReadDumpPayload(p, "s", dst.options(), lo);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->encoding(), c.enc);
      dst.SetKey(0, e);
      EXPECT_EQ(testutil::Content(dst, 0, "s"), c.content);
    }
  }
  // Over set-max-intset-entries: a table.
  dst.options().set_max_intset_entries = 2;
  Entry* e = ReadDumpPayload(SetListpackPayload({"1", "2", "3"}), "s", dst.options(), LoadOptions());
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->encoding(), Enc::kHashtable);
  engine::FreeEntry(e);
  // A repeated member is refused, in either encoding.
  EXPECT_EQ(ReadDumpPayload(SetListpackPayload({"1", "1"}), "s", dst.options(), LoadOptions()), nullptr);
  EXPECT_EQ(ReadDumpPayload(SetListpackPayload({"a", "a"}), "s", dst.options(), LoadOptions()), nullptr);
}

TEST_F(RdbRoundTripTest, VerifyDumpPayloadTrailer) {
  HSet("h", {"a", "1"});
  std::string p = DumpPayload(Src("h"), true);
  int ver = 0;
  EXPECT_TRUE(VerifyDumpPayload(p, true, &ver));
  std::string bad = p;
  bad[bad.size() - 1] ^= 1;  // the CRC
  EXPECT_FALSE(VerifyDumpPayload(bad, true, &ver));
  EXPECT_TRUE(VerifyDumpPayload(bad, false, &ver));
  bad = p;
  bad[2] ^= 0x40;  // the body
  EXPECT_FALSE(VerifyDumpPayload(bad, true, &ver));
  // Versions: 11 (Redis 7.2 payloads) loads, 12 does not.
  std::string body = p.substr(0, p.size() - kDumpTrailer);
  EXPECT_TRUE(VerifyDumpPayload(WithTrailer(body, 11), true, &ver));
  EXPECT_EQ(ver, 11);
  EXPECT_FALSE(VerifyDumpPayload(WithTrailer(body, 12), true, &ver));
  EXPECT_FALSE(VerifyDumpPayload(std::string(9, '\0'), false, &ver));
}

// ---------------------------------------------------------------------------
// Corrupt payloads: refused (nullptr), never a crash or a leak.

class RdbCorruptPayloadTest : public RdbRoundTripTest {
 protected:
  // Decodes `body` (type byte + value) with a valid trailer, shallow and
  // deep; true when every attempt refused it. `deep_only`: only the deep
  // validation is required to refuse (shallow may accept, as Redis's).
  static bool Refused(const std::string& body, bool deep_only = false) {
    std::string payload = WithTrailer(body);
    if (!VerifyDumpPayload(payload, true, nullptr)) return false;
    bool refused = true;
    for (bool deep : {false, true}) {
      LoadOptions lo;
      lo.deep = deep;
      Entry* e = ReadDumpPayload(payload, "k", engine::KeyspaceOptions(), lo);
      if (e) {
        engine::FreeEntry(e);
        if (deep || !deep_only) refused = false;
      }
    }
    return refused;
  }
  // The loader's message for `body` (deep validation).
  static std::string Error(const std::string& body) {
    Reader r(body.data() + 1, body.size() - 1);
    LoadOptions lo;
    lo.deep = true;
    bool empty = false;
    Entry* e = ReadValue(r, static_cast<uint8_t>(body[0]), "k", engine::KeyspaceOptions(), lo, &empty);
    if (e) engine::FreeEntry(e);
    return empty ? "(empty)" : r.error();
  }
  // The body of src's `key` as DUMP writes it (no trailer).
  std::string Body(std::string_view key, bool compression = false) {
    std::string p = DumpPayload(Src(key), compression);
    return p.substr(0, p.size() - kDumpTrailer);
  }
};

TEST_F(RdbCorruptPayloadTest, BadListpackHeader) {
  HSet("h", {"a", "1", "b", "2"});
  std::string body = Body("h");
  ASSERT_EQ(static_cast<uint8_t>(body[0]), kTypeHashListpack);
  ASSERT_FALSE(Refused(body));
  std::string bad = body;
  bad[2] = static_cast<char>(bad[2] + 1);  // total bytes (after type and length)
  EXPECT_TRUE(Refused(bad));
  EXPECT_EQ(Error(bad), "Hash listpack integrity check failed.");
  bad = body;
  bad.back() = static_cast<char>(0xFE);  // the terminator
  EXPECT_TRUE(Refused(bad));
  bad = body;
  bad[6] = 9;  // the element count: only the deep validation counts
  EXPECT_TRUE(Refused(bad, true));
  // A zset listpack with an odd number of elements: a deep check.
  uint8_t* odd = engine::lp::New();
  for (const char* m : {"a", "1", "b"}) odd = engine::lp::Append(odd, m);
  Writer w;
  w.Byte(kTypeZsetListpack);
  w.String({reinterpret_cast<const char*>(odd), engine::lp::Bytes(odd)});
  engine::lp::Free(odd);
  EXPECT_TRUE(Refused(w.buffer(), true));
  EXPECT_EQ(Error(w.buffer()), "Zset listpack integrity check failed.");
  // A hash listpack with a repeated field: refused by the deep validation.
  HSet("d", {"a", "1", "b", "2"});
  std::string dup = Body("d");
  size_t pos = dup.find('b', 8);
  ASSERT_NE(pos, std::string::npos);
  dup[pos] = 'a';
  EXPECT_TRUE(Refused(dup, true));
}

TEST_F(RdbCorruptPayloadTest, DuplicateMembers) {
  // RDB_TYPE_SET: two strings, then two int-encoded equal members.
  EXPECT_TRUE(Refused(FromHex("020201610161")));
  EXPECT_EQ(Error(FromHex("020201610161")), "Duplicate set members detected");
  EXPECT_TRUE(Refused(FromHex("0202c001c001")));
  EXPECT_EQ(Error(FromHex("0202c001c001")), "Duplicate set members detected");
  // An intset blob with a repeated value (int16, length 2): deep check.
  EXPECT_TRUE(Refused(FromHex("0b0c" "02000000" "02000000" "0100" "0100"), true));
  // Zset members.
  std::string z = FromHex("0502" "0161") + std::string(8, '\0') + FromHex("0161") + std::string(8, '\0');
  EXPECT_TRUE(Refused(z));
  EXPECT_EQ(Error(z), "Duplicate zset fields detected");
  // A small hash (listpack path: deep check) and a big one (table path).
  EXPECT_TRUE(Refused(FromHex("0402" "0161" "0131" "0161" "0132"), true));
  Writer w;
  w.Byte(kTypeHash);
  w.Len(600);
  for (int i = 0; i < 599; i++) {
    w.String("f" + std::to_string(i));
    w.String("v");
  }
  w.String("f7");
  w.String("again");
  EXPECT_TRUE(Refused(w.buffer()));
}

TEST_F(RdbCorruptPayloadTest, NanScores) {
  double nan = NAN;
  std::string z = FromHex("0501" "016d") + std::string(reinterpret_cast<char*>(&nan), 8);
  EXPECT_TRUE(Refused(z));
  EXPECT_EQ(Error(z), "Zset with NAN score detected");
  // The pre-RDB-8 text score: 253 is nan.
  EXPECT_TRUE(Refused(FromHex("0301" "016d" "fd")));
  // Infinities are fine there.
  EXPECT_FALSE(Refused(FromHex("0302" "016d" "fe" "016e" "ff")));
}

TEST_F(RdbCorruptPayloadTest, UnknownTypes) {
  for (int t : {8, 22, 23, 100, 244, 255}) {
    std::string body(1, static_cast<char>(t));
    body += FromHex("0161");
    EXPECT_TRUE(Refused(body)) << t;
  }
  EXPECT_EQ(Error(FromHex("080161")), "Unknown RDB encoding type 8");
  // Types Vireo lacks: streams and modules, with a message saying so.
  EXPECT_TRUE(Refused(FromHex("0f00")));
  EXPECT_NE(Error(FromHex("0f00")).find("stream"), std::string::npos);
  EXPECT_TRUE(Refused(FromHex("0700")));
  EXPECT_NE(Error(FromHex("0700")).find("module"), std::string::npos);
  // An unknown string encoding (RDB_ENC 4).
  EXPECT_TRUE(Refused(FromHex("00c4")));
  EXPECT_TRUE(Refused(FromHex("")));
}

TEST_F(RdbCorruptPayloadTest, LzfLies) {
  // 5 compressed bytes claiming 2 GB: refused before allocating.
  std::string huge = FromHex("00c3" "05" "807fffffff" "0461616161");
  EXPECT_TRUE(Refused(huge));
  EXPECT_EQ(Error(huge), "Invalid LZF compressed string");
  // A 64-bit original length, and a compressed length past the payload.
  EXPECT_TRUE(Refused(FromHex("00c3" "05" "81ffffffffffffffff" "0461616161")));
  EXPECT_TRUE(Refused(FromHex("00c3" "8010000000" "807fffffff" "0461616161")));
  // Plausible lengths, data that does not decompress to them.
  EXPECT_TRUE(Refused(FromHex("00c3" "03" "0a" "016161")));
  EXPECT_TRUE(Refused(FromHex("00c3" "05" "0a" "0461616161")));  // 5 bytes, not 10
  EXPECT_TRUE(Refused(FromHex("00c3" "00" "00")));
  // The same lies inside blobs (listpack hash, quicklist node).
  EXPECT_TRUE(Refused(FromHex("10c3" "05" "807fffffff" "0461616161")));
  EXPECT_TRUE(Refused(FromHex("1201" "02" "c3" "05" "807fffffff" "0461616161")));
}

TEST_F(RdbCorruptPayloadTest, BadQuicklists) {
  Push("l", {"a", "b", "c"});
  std::string body = Body("l");
  ASSERT_FALSE(Refused(body));
  std::string bad = body;
  bad[2] = 3;  // container: neither plain (1) nor packed (2)
  EXPECT_TRUE(Refused(bad));
  EXPECT_TRUE(Refused(FromHex("1201" "02" "00")));  // an empty node
  EXPECT_TRUE(Refused(FromHex("1201" "01" "00")));  // an empty plain node
  EXPECT_TRUE(Refused(FromHex("1201" "02" "03616263")));  // not a listpack
  // More nodes announced than present.
  bad = body;
  bad[1] = 2;
  EXPECT_TRUE(Refused(bad));
  // Empty aggregates are refused (RESTORE answers "Bad data format").
  EXPECT_EQ(Error(FromHex("1200")), "(empty)");
  EXPECT_TRUE(Refused(FromHex("0200")));
  EXPECT_TRUE(Refused(FromHex("0400")));
  EXPECT_TRUE(Refused(FromHex("0500")));
}

TEST_F(RdbCorruptPayloadTest, EveryTruncationRefused) {
  Push("l", {"a", "1", std::string(40, 'c')});
  src.options().list_max_listpack_size = 2;
  src.options().list_compress_depth = 1;
  std::vector<std::string> long_elems;
  for (int i = 0; i < 8; i++) long_elems.push_back(std::string(60, static_cast<char>('a' + i)));
  Push("lc", long_elems);
  HSet("h", {"f", "v", "n", "12"});
  HSet("ht", {"f", std::string(80, 'v'), "g", "1"});
  SAdd("si", {"1", "-7", "300"});
  SAdd("st", {"x", "y"});
  ZAdd("zl", {{1, "a"}, {2, "b"}});
  ZAdd("zs", {{1, "a"}, {2, std::string(70, 'b')}});
  engine::str::SetParams sp;
  ASSERT_EQ(engine::str::Set(src, 0, "s", std::string(300, 's'), sp), engine::OpStatus::kOk);
  for (const char* key : {"l", "lc", "h", "ht", "si", "st", "zl", "zs", "s"}) {
    for (bool compression : {true, false}) {
      std::string body = Body(key, compression);
      ASSERT_FALSE(Refused(body)) << key;
      for (size_t n = 0; n < body.size(); n++) {
        ASSERT_TRUE(Refused(body.substr(0, n))) << key << " cut at " << n;
      }
    }
  }
}

}  // namespace
}  // namespace vireo::persistence::rdb
