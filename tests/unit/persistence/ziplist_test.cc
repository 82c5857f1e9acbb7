// Unit tests for persistence/ziplist: the ziplists of real Redis RDB files
// (tests/assets of Redis 7.0), every entry encoding, the conversion to a
// listpack byte for byte against what redis-server 7.0.15 makes of the same
// ziplist (RESTORE of a version-9 payload, then DUMP), the duplicate check
// of hash/zset ziplists, and the rejection of corrupt ziplists.
#include "persistence/ziplist.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/encoding/listpack.h"

namespace vireo::persistence::ziplist {
namespace {

namespace lp = engine::lp;
using Bytes = std::vector<uint8_t>;

Bytes FromHex(std::string_view hex) {
  Bytes b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return b;
}

std::string ToHex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) s += {d[p[i] >> 4], d[p[i] & 15]};
  return s;
}

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = uint8_t(v >> (8 * i));
}

// A tiny ziplist encoder: entries are given as their encoding+data bytes,
// the builder adds the prevlen (1 byte, or 5 when forced or needed) and the
// header.
class Builder {
 public:
  Builder& Raw(const Bytes& enc, bool big_prevlen = false) {
    Bytes e;
    if (prev_ < 254 && !big_prevlen) {
      e.push_back(uint8_t(prev_));
    } else {
      e.resize(5);
      e[0] = 0xFE;
      PutU32(&e[1], prev_);
    }
    e.insert(e.end(), enc.begin(), enc.end());
    tail_ = 10 + body_.size();
    body_.insert(body_.end(), e.begin(), e.end());
    prev_ = uint32_t(e.size());
    n_++;
    return *this;
  }
  Builder& Str(std::string_view s, bool big_prevlen = false) {
    Bytes enc;
    size_t n = s.size();
    if (n <= 63) {
      enc = {uint8_t(n)};
    } else if (n <= 16383) {
      enc = {uint8_t(0x40 | (n >> 8)), uint8_t(n & 0xFF)};
    } else {
      enc = {0x80, uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
    }
    enc.insert(enc.end(), s.begin(), s.end());
    return Raw(enc, big_prevlen);
  }
  // An integer in the smallest encoding, as Redis's zipTryEncoding picks.
  Builder& Int(int64_t v) {
    if (v >= 0 && v <= 12) return Raw({uint8_t(0xF1 + v)});
    if (v >= INT8_MIN && v <= INT8_MAX) return IntAs(0xFE, v, 1);
    if (v >= INT16_MIN && v <= INT16_MAX) return IntAs(0xC0, v, 2);
    if (v >= -(1 << 23) && v < (1 << 23)) return IntAs(0xF0, v, 3);
    if (v >= INT32_MIN && v <= INT32_MAX) return IntAs(0xD0, v, 4);
    return IntAs(0xE0, v, 8);
  }
  Builder& IntAs(uint8_t enc, int64_t v, int bytes) {
    Bytes e{enc};
    for (int i = 0; i < bytes; i++) e.push_back(uint8_t(uint64_t(v) >> (8 * i)));
    return Raw(e);
  }
  Bytes Build(int count = -1) const {
    Bytes z(10);
    PutU32(&z[0], uint32_t(10 + body_.size() + 1));
    PutU32(&z[4], uint32_t(tail_));
    uint16_t c = count < 0 ? uint16_t(n_ < 65535 ? n_ : 65535) : uint16_t(count);
    z[8] = uint8_t(c);
    z[9] = uint8_t(c >> 8);
    z.insert(z.end(), body_.begin(), body_.end());
    z.push_back(0xFF);
    return z;
  }

 private:
  Bytes body_;
  uint32_t prev_ = 0;
  size_t tail_ = 10;
  size_t n_ = 0;
};

// The entries as text ("i:<v>" for integers, "s:<bytes>" for strings).
std::vector<std::string> Entries(const Bytes& z) {
  std::vector<std::string> out;
  bool ok = ForEach(z.data(), z.size(), [&](const Entry& e) {
    out.push_back(e.is_int() ? "i:" + std::to_string(e.v) : "s:" + std::string(e.sv()));
    return true;
  });
  EXPECT_TRUE(ok);
  return out;
}

bool Deep(const Bytes& z) { return ValidateIntegrity(z.data(), z.size(), true); }

std::string ConvertHex(const Bytes& z) {
  uint8_t* l = ToListpack(z.data(), z.size());
  if (l == nullptr) return "null";
  std::string h = ToHex(l, lp::Bytes(l));
  lp::Free(l);
  return h;
}

std::string PairsHex(const Bytes& z) {
  uint8_t* l = PairsToListpack(z.data(), z.size());
  EXPECT_EQ(l != nullptr, ValidatePairsNoDups(z.data(), z.size()));
  if (l == nullptr) return "null";
  std::string h = ToHex(l, lp::Bytes(l));
  lp::Free(l);
  return h;
}

// ---- real files ---------------------------------------------------------------

TEST(ZiplistTest, HashZiplistOfRedisAssets) {
  // tests/assets/hash-ziplist.rdb (RDB 9): hash {f1: v1, f2: v2}.
  Bytes z = FromHex("1b00000016000000040000026631040276310402663204027632ff");
  uint32_t count = 0;
  ASSERT_TRUE(ValidateIntegrity(z.data(), z.size(), true, &count));
  EXPECT_EQ(count, 4u);
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"s:f1", "s:v1", "s:f2", "s:v2"}));
  uint8_t* want = lp::New();
  for (const char* s : {"f1", "v1", "f2", "v2"}) want = lp::Append(want, s);
  EXPECT_EQ(PairsHex(z), ToHex(want, lp::Bytes(want)));
  lp::Free(want);
}

TEST(ZiplistTest, OldIntegerEncodingsOfRedis24) {
  // tests/assets/encodings.rdb (RDB 4), key list_zipped: Redis 2.4 had no
  // 4-bit immediates and wrote 1, 2, 3 as int16.
  Bytes z = FromHex(
      "30000000250000000800"
      "00c00100" "04c00200" "04c00300" "040161" "030162" "030163"
      "03d0a0860100" "06e000bca06501000000ff");
  ASSERT_TRUE(Deep(z));
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"i:1", "i:2", "i:3", "s:a", "s:b", "s:c", "i:100000",
                                                  "i:6000000000"}));
  // The listpack stores them in its own smallest encodings.
  uint8_t* want = lp::New();
  for (int64_t v : {1, 2, 3}) want = lp::AppendInt(want, v);
  for (const char* s : {"a", "b", "c"}) want = lp::Append(want, s);
  want = lp::AppendInt(want, 100000);
  want = lp::AppendInt(want, 6000000000);
  EXPECT_EQ(ConvertHex(z), ToHex(want, lp::Bytes(want)));
  lp::Free(want);
}

TEST(ZiplistTest, QuicklistNodeAndZsetOfRedisAssets) {
  // list-quicklist.rdb (RDB 8): one node holding the immediate 7.
  Bytes node = FromHex("0d0000000a0000000100" "00f8" "ff");
  EXPECT_EQ(Entries(node), (std::vector<std::string>{"i:7"}));
  EXPECT_EQ(ConvertHex(node), "0900000001000701ff");
  // zset-ziplist.rdb: {one: 1, two: 2}, the scores as immediates.
  Bytes zs = FromHex("19000000160000000400" "00036f6e65" "05f2" "020374776f" "05f3" "ff");
  EXPECT_EQ(Entries(zs), (std::vector<std::string>{"s:one", "i:1", "s:two", "i:2"}));
  EXPECT_NE(PairsHex(zs), "null");
}

// ---- conversion, byte for byte against redis-server ---------------------------

TEST(ZiplistTest, EveryIntegerEncodingConvertsAsRedis) {
  // "a", 0..12, then the edges of int8/16/24/32/64, then "q"; the output is
  // the node redis-server 7.0.15 DUMPs after RESTOREing it.
  Builder b;
  b.Str("a");
  for (int64_t v = 0; v <= 12; v++) b.Int(v);
  for (int64_t v : {int64_t(-1), int64_t(127), int64_t(128), int64_t(-129), int64_t(32767), int64_t(32768),
                    int64_t(-32769), int64_t((1 << 23) - 1), int64_t(1 << 23), int64_t(-(1 << 23) - 1),
                    int64_t(INT32_MAX), int64_t(INT32_MAX) + 1, int64_t(INT32_MIN) - 1, INT64_MAX, INT64_MIN}) {
    b.Int(v);
  }
  b.Str("q");
  Bytes z = b.Build();
  EXPECT_EQ(ToHex(z.data(), z.size()),
            "86000000820000001e0000016103f102f202f302f402f502f602f702f802f902fa02fb02fc02fd02feff03fe7f03c080"
            "0004c07fff04c0ff7f04f000800005f0ff7fff05f0ffff7f05d00000800006d0ffff7fff06d0ffffff7f06e0000000"
            "80000000000ae0ffffff7fffffffff0ae0ffffffffffffff7f0ae000000000000000800a0171ff");
  std::vector<std::string> e = Entries(z);
  ASSERT_EQ(e.size(), 30u);
  EXPECT_EQ(e[1], "i:0");
  EXPECT_EQ(e[13], "i:12");
  EXPECT_EQ(e[14], "i:-1");
  EXPECT_EQ(e[23], "i:-8388609");
  EXPECT_EQ(e[27], "i:9223372036854775807");
  EXPECT_EQ(e[28], "i:-9223372036854775808");
  EXPECT_EQ(ConvertHex(z),
            "7f0000001e0081610200010101020103010401050106010701080109010a010b010c01dfff027f01c08002df7f02f1"
            "ff7f03f200800004f2ff7fff04f2ffff7f04f30000800005f3ffff7fff05f3ffffff7f05f4000000800000000009f4"
            "ffffff7fffffffff09f4ffffffffffffff7f09f4000000000000008009817102ff");
}

TEST(ZiplistTest, Int24IsSignExtended) {
  Bytes z = Builder().IntAs(0xF0, -2, 3).IntAs(0xF0, 0x7FFFFF, 3).IntAs(0xF0, -(1 << 23), 3).Build();
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"i:-2", "i:8388607", "i:-8388608"}));
  // Why: any int width is accepted for any value (Redis 2.4 wrote int16
  // for small ones): 5 as int64 reads back as 5.
  Bytes wide = Builder().IntAs(0xE0, 5, 8).IntAs(0xD0, -5, 4).IntAs(0xFE, 0, 1).Build();
  EXPECT_EQ(Entries(wide), (std::vector<std::string>{"i:5", "i:-5", "i:0"}));
}

TEST(ZiplistTest, StringsThatAreIntegersBecomeListpackIntegers) {
  // Ziplist strings (not integer encodings) "123", "-5", "007", "-0",
  // 2^63 and "1 ": lpAppend stores the canonical int64 texts as integers.
  Bytes z = FromHex("36000000310000000600000331323305022d35040330303705022d300413393232333337323033363835343737"
                    "3538303815023120ff");
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"s:123", "s:-5", "s:007", "s:-0", "s:9223372036854775808",
                                                  "s:1 "}));
  EXPECT_EQ(ConvertHex(z),
            "2e00000006007b01dffb028330303704822d300393393232333337323033363835343737353830381482312003ff");
}

TEST(ZiplistTest, HashAndZsetPairsConvertAsRedis) {
  // Hash {f1: v1, "2": 300} and zset {one: 1, two: 2.5}.
  Bytes h = FromHex("19000000140000000400000266310402763104f302c02c01ff");
  EXPECT_EQ(PairsHex(h), "14000000040082663103827631030201c12c02ff");
  Bytes zs = FromHex("1c00000016000000040000036f6e6505f2020374776f0503322e35ff");
  EXPECT_EQ(PairsHex(zs), "180000000400836f6e650401018374776f0483322e3504ff");
}

TEST(ZiplistTest, StringLengthEncodings) {
  std::string s63(63, 'a'), s64(64, 'b'), s16383(16383, 'c'), s16384(16384, 'd');
  Bytes z = Builder().Str("").Str(s63).Str(s64).Str(s16383).Str(s16384).Str("e").Build();
  ASSERT_TRUE(Deep(z));
  // 6-bit: one byte; 14-bit: 0x40 | high 6 bits, then the low byte.
  EXPECT_EQ(z[10 + 1 + 1 + 1], 63);
  std::vector<std::string> e = Entries(z);
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0], "s:");
  EXPECT_EQ(e[1], "s:" + s63);
  EXPECT_EQ(e[2], "s:" + s64);
  EXPECT_EQ(e[3], "s:" + s16383);
  EXPECT_EQ(e[4], "s:" + s16384);
  uint8_t* want = lp::New();
  for (const std::string& s : {std::string(), s63, s64, s16383, s16384, std::string("e")}) {
    want = lp::Append(want, s);
  }
  EXPECT_EQ(ConvertHex(z), ToHex(want, lp::Bytes(want)));
  lp::Free(want);
}

TEST(ZiplistTest, StringLengthsAreBigEndianAndIgnoreLowBitsOf32BitHeader) {
  // 14-bit: 0x41 0x02 = 258 bytes; 32-bit: 0x80 then a BE u32.
  std::string s258(258, 'x');
  Bytes enc14{0x41, 0x02};
  enc14.resize(2 + 258, 'x');
  Bytes enc32{0xBF, 0, 0, 0, 3, 'a', 'b', 'c'};  // Why: 10xxxxxx is 32-bit whatever x is
  Bytes z = Builder().Raw(enc14).Raw(enc32).Build();
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"s:" + s258, "s:abc"}));
  // A 32-bit header for a 1-byte string (not canonical) is valid too.
  Bytes z2 = Builder().Raw({0x80, 0, 0, 0, 1, 'z'}).Build();
  EXPECT_EQ(Entries(z2), (std::vector<std::string>{"s:z"}));
}

TEST(ZiplistTest, PrevlenOneAndFiveBytes) {
  std::string big(300, 'x');
  // After a 303-byte entry the next prevlen needs 5 bytes.
  Bytes z = Builder().Str("a").Str(big).Int(5).Str("b").Build();
  ASSERT_TRUE(Deep(z));
  size_t third = 10 + 3 + (1 + 2 + 300);
  EXPECT_EQ(z[third], 0xFE);
  EXPECT_EQ(Entries(z), (std::vector<std::string>{"s:a", "s:" + big, "i:5", "s:b"}));
  // Why: a 5-byte prevlen for a small previous entry is valid (Redis's
  // cascade update leaves them); so is one on the first entry holding 0.
  Bytes z2 = Builder().Str("a", true).Str("b", true).Build();
  EXPECT_TRUE(Deep(z2));
  EXPECT_EQ(Entries(z2), (std::vector<std::string>{"s:a", "s:b"}));
}

TEST(ZiplistTest, EmptyZiplist) {
  Bytes z = Builder().Build();
  uint32_t count = 99;
  EXPECT_TRUE(ValidateIntegrity(z.data(), z.size(), true, &count));
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(ConvertHex(z), "070000000000ff");
  // Why: with no entry Redis does not check the tail offset beyond the
  // shallow bound (<= size - 1).
  Bytes t = z;
  t[4] = 0;
  EXPECT_TRUE(Deep(t));
  // An empty hash ziplist has an even count: valid, the loader drops it.
  EXPECT_EQ(PairsHex(z), "070000000000ff");
}

TEST(ZiplistTest, UnknownCountIsCounted) {
  Bytes z = Builder().Str("a").Str("b").Build(65535);
  uint32_t count = 0;
  EXPECT_TRUE(ValidateIntegrity(z.data(), z.size(), true, &count));
  EXPECT_EQ(count, 2u);
  // The listpack gets the real count.
  EXPECT_EQ(ConvertHex(z).substr(8, 4), "0200");
}

// ---- duplicates ------------------------------------------------------------------

TEST(ZiplistTest, PairsRefuseDuplicateFields) {
  EXPECT_EQ(PairsHex(Builder().Str("f").Str("1").Str("f").Str("2").Build()), "null");
  // Why: Redis compares fields as text, so the string "5" and the integer 5
  // are the same field.
  EXPECT_EQ(PairsHex(Builder().Str("5").Str("a").Int(5).Str("b").Build()), "null");
  // Equal values are fine, and so are a field equal to another's value.
  EXPECT_NE(PairsHex(Builder().Str("a").Str("x").Str("b").Str("x").Build()), "null");
  EXPECT_NE(PairsHex(Builder().Str("a").Str("b").Str("b").Str("a").Build()), "null");
  // An odd count is a field without a value.
  EXPECT_EQ(PairsHex(Builder().Str("a").Str("b").Str("c").Build()), "null");
  // Plain lists may repeat.
  EXPECT_NE(ConvertHex(Builder().Str("a").Str("a").Str("a").Build()), "null");
}

// ---- corruption ---------------------------------------------------------------

TEST(ZiplistTest, ShallowChecksHeaderOnly) {
  Bytes z = Builder().Str("ab").Int(300).Build();
  EXPECT_TRUE(ValidateIntegrity(z.data(), z.size(), false));
  Bytes bad_entry = z;
  bad_entry[10 + 1] = 0x3F;  // the string now claims 63 bytes
  EXPECT_TRUE(ValidateIntegrity(bad_entry.data(), bad_entry.size(), false));
  EXPECT_FALSE(Deep(bad_entry));
  EXPECT_FALSE(ValidateIntegrity(z.data(), 10, false));  // too short for header + end
  Bytes n = z;
  n[0]++;
  EXPECT_FALSE(ValidateIntegrity(n.data(), n.size(), false));  // zlbytes != size
  Bytes e = z;
  e.back() = 0xFE;
  EXPECT_FALSE(ValidateIntegrity(e.data(), e.size(), false));  // no terminator
  Bytes t = z;
  PutU32(&t[4], uint32_t(z.size()));
  EXPECT_FALSE(ValidateIntegrity(t.data(), t.size(), false));  // tail past the end
  PutU32(&t[4], uint32_t(z.size() - 1));
  EXPECT_TRUE(ValidateIntegrity(t.data(), t.size(), false));
  EXPECT_FALSE(Deep(t));  // ... but not at the last entry
}

TEST(ZiplistTest, EveryTruncationIsRejected) {
  Bytes z = Builder().Str("hello").Int(70000).Str(std::string(300, 'x')).Int(-3).Build();
  for (size_t n = 0; n < z.size(); n++) {
    Bytes t(z.begin(), z.begin() + n);
    if (t.size() >= 4) PutU32(&t[0], uint32_t(n));  // a consistent zlbytes
    if (!t.empty()) t.back() = 0xFF;
    EXPECT_FALSE(Deep(t)) << n;
    EXPECT_EQ(ConvertHex(t), "null") << n;
  }
}

TEST(ZiplistTest, DeepRejections) {
  Bytes z = Builder().Str("ab").Int(300).Str("c").Build();  // entries at 10, 14, 18
  ASSERT_TRUE(Deep(z));
  auto broken = [&](size_t at, uint8_t v) {
    Bytes c = z;
    c[at] = v;
    return Deep(c);
  };
  EXPECT_FALSE(broken(10, 1));     // first prevlen must be 0
  EXPECT_FALSE(broken(14, 3));     // wrong prevlen
  EXPECT_FALSE(broken(14, 0xFE));  // 5-byte prevlen reading into the entry
  EXPECT_FALSE(broken(15, 0xC1));  // unknown integer encoding
  EXPECT_FALSE(broken(15, 0xFF));  // terminator as an encoding
  EXPECT_FALSE(broken(19, 0x05));  // string longer than what is left
  EXPECT_FALSE(broken(14, 0xFF));  // a 0xFF where an entry starts ends early
  EXPECT_FALSE(broken(8, 2));      // count mismatch
  EXPECT_FALSE(broken(8, 4));
  EXPECT_FALSE(broken(8, 0xFF));   // 0x00FF = 255 is a count, not "unknown"
  Bytes unknown = z;
  unknown[8] = unknown[9] = 0xFF;
  EXPECT_TRUE(Deep(unknown));
  EXPECT_FALSE(broken(4, 14));  // tail at the second entry
  // Bytes after the last entry before the terminator.
  Bytes extra = z;
  extra.insert(extra.end() - 1, 0x00);
  PutU32(&extra[0], uint32_t(extra.size()));
  EXPECT_FALSE(Deep(extra));
}

TEST(ZiplistTest, EverySingleByteCorruptionIsSafe) {
  // Valid answers must convert to valid listpacks with the same count;
  // the rest must be refused by every entry point (ASan checks the reads).
  Bytes z = Builder().Str("k").Int(-2).Str(std::string(260, 'v')).Int(1 << 20).Str("5").Int(5).Build();
  for (size_t i = 0; i < z.size(); i++) {
    for (int v : {0x00, 0x01, 0x3F, 0x40, 0x80, 0xC0, 0xD0, 0xE0, 0xF0, 0xF1, 0xFD, 0xFE, 0xFF}) {
      Bytes c = z;
      c[i] = uint8_t(v);
      uint32_t count = 0;
      bool ok = ValidateIntegrity(c.data(), c.size(), true, &count);
      uint8_t* l = ToListpack(c.data(), c.size());
      ASSERT_EQ(ok, l != nullptr) << i << " " << v;
      if (l) {
        EXPECT_TRUE(lp::ValidateIntegrity(l, lp::Bytes(l), true));
        EXPECT_EQ(lp::Length(l), count);
        lp::Free(l);
      }
      ValidatePairsNoDups(c.data(), c.size());
    }
  }
}

TEST(ZiplistTest, ForEachStopsWhenTheCallbackSaysSo) {
  Bytes z = Builder().Str("a").Str("b").Str("c").Build();
  int seen = 0;
  EXPECT_FALSE(ForEach(z.data(), z.size(), [&](const Entry&) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace vireo::persistence::ziplist
