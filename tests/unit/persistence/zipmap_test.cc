// Unit tests for persistence/zipmap: the zipmap of Redis's hash-zipmap.rdb
// asset, the conversion to a listpack byte for byte against what
// redis-server 7.0.15 makes of the same zipmap (RESTORE of a version-9
// payload, then DUMP), free bytes, 5-byte lengths, the count byte, the
// duplicate / size refusal and corrupt zipmaps.
#include "persistence/zipmap.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/encoding/listpack.h"

namespace vireo::persistence::zipmap {
namespace {

namespace lp = engine::lp;
using Bytes = std::vector<uint8_t>;

// The bytes of a literal, NULs included.
template <size_t N>
Bytes B(const char (&s)[N]) {
  return Bytes(s, s + N - 1);
}

std::string ToHex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) s += {d[p[i] >> 4], d[p[i] & 15]};
  return s;
}

// A zipmap encoder: canonical lengths, `free` unused bytes after each value.
Bytes Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs, uint8_t free = 0) {
  auto len = [](Bytes* out, size_t n) {
    if (n < 254) {
      out->push_back(uint8_t(n));
      return;
    }
    out->push_back(0xFE);
    for (int i = 0; i < 4; i++) out->push_back(uint8_t(n >> (8 * i)));
  };
  Bytes z{uint8_t(pairs.size() < 254 ? pairs.size() : 254)};
  for (const auto& [f, v] : pairs) {
    len(&z, f.size());
    z.insert(z.end(), f.begin(), f.end());
    len(&z, v.size());
    z.push_back(free);
    z.insert(z.end(), v.begin(), v.end());
    z.insert(z.end(), free, 0);
  }
  z.push_back(kEnd);
  return z;
}

bool Deep(const Bytes& z) { return ValidateIntegrity(z.data(), z.size(), true); }

struct Result {
  std::string hex;  // "null" when refused
  bool has_dups = false;
  size_t maxlen = 0;
  uint32_t bad_flen = 0;
};

Result Convert(const Bytes& z) {
  Result r;
  uint8_t* l = ToListpack(z.data(), z.size(), &r.has_dups, &r.maxlen, &r.bad_flen);
  if (l == nullptr) {
    r.hex = "null";
    return r;
  }
  EXPECT_TRUE(lp::ValidateIntegrity(l, lp::Bytes(l), true));
  r.hex = ToHex(l, lp::Bytes(l));
  lp::Free(l);
  return r;
}

std::string ListpackHex(const std::vector<std::string>& elems) {
  uint8_t* l = lp::New();
  for (const std::string& e : elems) l = lp::Append(l, e);
  std::string h = ToHex(l, lp::Bytes(l));
  lp::Free(l);
  return h;
}

TEST(ZipmapTest, HashZipmapOfRedisAssets) {
  // tests/assets/hash-zipmap.rdb (RDB 3): {f1: v1, f2: v2}.
  Bytes z = B("\x02\x02" "f1" "\x02\x00" "v1" "\x02" "f2" "\x02\x00" "v2" "\xff");
  EXPECT_EQ(z, Zipmap({{"f1", "v1"}, {"f2", "v2"}}));
  ASSERT_TRUE(Deep(z));
  Result r = Convert(z);
  EXPECT_EQ(r.hex, ListpackHex({"f1", "v1", "f2", "v2"}));
  EXPECT_EQ(r.maxlen, 2u);
  EXPECT_FALSE(r.has_dups);
}

TEST(ZipmapTest, ConvertsAsRedisWithFreeBytes) {
  // {f1: v1, "12": "-3"} with 2 free bytes after each value; the listpack
  // is the one redis-server DUMPs (12 and -3 stored as integers).
  Bytes z = Zipmap({{"f1", "v1"}, {"12", "-3"}}, 2);
  EXPECT_EQ(ToHex(z.data(), z.size()), "0202663102027631000002313202022d330000ff");
  ASSERT_TRUE(Deep(z));
  EXPECT_EQ(Convert(z).hex, "14000000040082663103827631030c01dffd02ff");
  // One pair, 3 free bytes (redis-server: the same listpack as without).
  Bytes f = B("\x01\x02" "ab" "\x01\x03" "x" "\x00\x00\x00" "\xff");
  ASSERT_TRUE(Deep(f));
  EXPECT_EQ(Convert(f).hex, "0e000000020082616203817802ff");
}

TEST(ZipmapTest, FiveByteLengths) {
  std::string big(300, 'k');
  std::string val(260, 'v');
  Bytes z = Zipmap({{big, "1"}, {"f", val}});
  EXPECT_EQ(z[1], 0xFE);
  ASSERT_TRUE(Deep(z));
  Result r = Convert(z);
  EXPECT_EQ(r.hex, ListpackHex({big, "1", "f", val}));
  EXPECT_EQ(r.maxlen, 300u);
}

TEST(ZipmapTest, NonCanonicalFiveByteLengthIsRefused) {
  // Why: the reference redis-server refuses "0xFE + u32" for a length
  // below 254 (RESTORE: "Zipmap integrity check failed."), for fields and
  // values alike.
  EXPECT_FALSE(Deep(B("\x01\xfe\x02\x00\x00\x00" "ab" "\x01\x00" "x" "\xff")));
  EXPECT_FALSE(Deep(B("\x01\x01" "a" "\xfe\x02\x00\x00\x00\x00" "ab" "\xff")));
  // 254 itself is canonical.
  std::string f254(254, 'q');
  EXPECT_TRUE(Deep(Zipmap({{f254, "v"}})));
}

TEST(ZipmapTest, CountByte) {
  Bytes one = B("\x01\x02" "ab" "\x01\x00" "x" "\xff");
  EXPECT_TRUE(Deep(one));
  Bytes c = one;
  c[0] = 2;
  EXPECT_FALSE(Deep(c));  // count mismatch
  c[0] = 254;
  EXPECT_TRUE(Deep(c));  // "count them"
  EXPECT_EQ(Convert(c).hex, "0e000000020082616203817802ff");
  c[0] = 255;
  EXPECT_FALSE(Deep(c));  // Why: only 254 means unknown; 255 is compared
  // Why: Redis refuses an empty zipmap.
  EXPECT_FALSE(Deep(B("\x00\xff")));
  EXPECT_TRUE(ValidateIntegrity(reinterpret_cast<const uint8_t*>("\x00\xff"), 2, false));
}

TEST(ZipmapTest, ShallowChecks) {
  EXPECT_FALSE(ValidateIntegrity(nullptr, 0, false));
  Bytes one = B("\xff");
  EXPECT_FALSE(ValidateIntegrity(one.data(), 1, false));
  Bytes bad = B("\x01\x02" "ab" "\x01\x00" "x" "\xfe");
  EXPECT_FALSE(ValidateIntegrity(bad.data(), bad.size(), false));
  Bytes inner = B("\x01\x09" "ab" "\x01\x00" "x" "\xff");  // field overruns
  EXPECT_TRUE(ValidateIntegrity(inner.data(), inner.size(), false));
  EXPECT_FALSE(Deep(inner));
}

TEST(ZipmapTest, DuplicateFieldsAndBigLengths) {
  // Both end in Redis's "Hash zipmap with dup elements, or big length (1)".
  Result d = Convert(Zipmap({{"a", "x"}, {"a", "y"}}));
  EXPECT_EQ(d.hex, "null");
  EXPECT_TRUE(d.has_dups);
  EXPECT_EQ(d.bad_flen, 1u);
  // Why: the value length 0xFFFFFFFF plus 1 free byte wraps to 0 in
  // Redis's unsigned int sum: the zipmap validates, and the conversion
  // refuses it as too big for a listpack.
  Bytes wrap = B("\x01\x01" "a" "\xfe\xff\xff\xff\xff\x01" "\xff");
  EXPECT_TRUE(Deep(wrap));
  Result w = Convert(wrap);
  EXPECT_EQ(w.hex, "null");
  EXPECT_TRUE(w.has_dups);
  EXPECT_EQ(w.bad_flen, 1u);
  // Values may repeat; fields are compared as bytes.
  EXPECT_NE(Convert(Zipmap({{"a", "x"}, {"b", "x"}, {"A", "x"}})).hex, "null");
}

TEST(ZipmapTest, EveryTruncationIsRejected) {
  Bytes z = Zipmap({{"field", "value"}, {std::string(270, 'f'), "v"}}, 1);
  ASSERT_TRUE(Deep(z));
  for (size_t n = 0; n < z.size(); n++) {
    Bytes t(z.begin(), z.begin() + n);
    if (!t.empty()) t.back() = kEnd;
    EXPECT_FALSE(Deep(t)) << n;
  }
}

TEST(ZipmapTest, EverySingleByteCorruptionIsSafe) {
  Bytes z = Zipmap({{"k", "1"}, {std::string(255, 'x'), "v"}, {"12", std::string(300, 'y')}}, 2);
  ASSERT_TRUE(Deep(z));
  for (size_t i = 0; i < z.size(); i++) {
    for (int v : {0x00, 0x01, 0x02, 0x7F, 0xFD, 0xFE, 0xFF}) {
      Bytes c = z;
      c[i] = uint8_t(v);
      Result r = Convert(c);  // safe on anything, validated or not
      if (Deep(c)) {
        // A validated zipmap converts, or fails only as Redis's loader does.
        EXPECT_TRUE(r.hex != "null" || r.has_dups) << i << " " << v;
      }
    }
  }
}

}  // namespace
}  // namespace vireo::persistence::zipmap
