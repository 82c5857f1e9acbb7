// LZF: round trips, and that a call's output does not depend on earlier
// calls (the hash table is cleared logically per call, see lzf.cc), which
// is what makes our RDB strings byte-identical to Redis's.
#include "base/lzf.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace vireo::base {
namespace {

std::string Compress(const std::string& in) {
  std::string out(in.size() + 16, '\0');
  size_t n = LzfCompress(in.data(), in.size(), out.data(), in.size() > 4 ? in.size() - 4 : 0);
  out.resize(n);
  return out;
}

std::vector<std::string> Corpus() {
  std::mt19937 rng(7);
  std::vector<std::string> v;
  v.push_back(std::string(1000, 'a'));
  v.push_back("abcabcabcabcabcabcabcabcabcabcabc");
  for (int i = 0; i < 200; i++) {
    size_t len = 21 + rng() % 3000;
    std::string s(len, '\0');
    int alphabet = 2 + static_cast<int>(rng() % 30);
    for (char& c : s) c = static_cast<char>('a' + rng() % static_cast<unsigned>(alphabet));
    v.push_back(s);
  }
  return v;
}

TEST(Lzf, RoundTrip) {
  for (const std::string& s : Corpus()) {
    std::string c = Compress(s);
    if (c.empty()) continue;  // incompressible within len-4
    std::string back(s.size(), '\0');
    ASSERT_EQ(LzfDecompress(c.data(), c.size(), back.data(), back.size()), s.size());
    EXPECT_EQ(back, s);
  }
}

TEST(Lzf, OutputIndependentOfEarlierCalls) {
  std::vector<std::string> corpus = Corpus();
  std::vector<std::string> first;
  for (const std::string& s : corpus) first.push_back(Compress(s));
  // Same inputs in reverse order, interleaved with others: same bytes.
  for (size_t i = corpus.size(); i-- > 0;) {
    Compress(corpus[(i * 7) % corpus.size()]);
    EXPECT_EQ(Compress(corpus[i]), first[i]) << i;
  }
}

TEST(Lzf, KnownVector) {
  // 1000 x 'a' as redis-server 7.0.15 stores it (DUMP payload body).
  std::string c = Compress(std::string(1000, 'a'));
  const unsigned char want[] = {0x01, 0x61, 0x61, 0xe0, 0xff, 0x00, 0xe0, 0xff, 0x00,
                                0xe0, 0xff, 0x00, 0xe0, 0xc3, 0x00, 0x01, 0x61, 0x61};
  EXPECT_EQ(c, std::string(reinterpret_cast<const char*>(want), sizeof(want)));
}

}  // namespace
}  // namespace vireo::base
