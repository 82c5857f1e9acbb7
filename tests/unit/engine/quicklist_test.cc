// Quicklist: node layouts identical to redis-server 7.0.15 for scripted
// command sequences (testdata/quicklist_redis7015.txt, generated from
// DUMPs by gen_quicklist_golden.py and replayed here through
// engine::list), and the structure's own rules: fill by count and by size,
// the 8 KB safety limit, PLAIN nodes past the packed threshold, LZF
// compression of inner nodes and its round trip, iteration both ways,
// insert/delete/replace at every position against a model, DelRange,
// Dup, Rotate, node export/import and validation.
#include "engine/encoding/quicklist.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "base/memory.h"
#include "base/sha1.h"
#include "engine/encoding/listpack.h"
#include "engine/keyspace.h"
#include "engine/types/list.h"

namespace vireo::engine {
namespace {

// Restores the default packed threshold after each test.
class Quicklist : public ::testing::Test {
 protected:
  void TearDown() override { ql::SetPackedThreshold(0); }
};

std::vector<std::string> Contents(ql::Quicklist* q, ql::Direction dir = ql::kStartHead) {
  std::vector<std::string> out;
  ql::Iter it(q, dir);
  ql::Item e;
  char buf[32];
  while (it.Next(&e)) out.emplace_back(e.View(buf));
  return out;
}

std::vector<unsigned> NodeCounts(const ql::Quicklist* q) {
  std::vector<unsigned> out;
  for (const ql::Node* n = q->head; n; n = n->next) out.push_back(n->count);
  return out;
}

// ---------------------------------------------------------------- golden replay

std::string Expand(const std::string& a) {
  if (a.rfind("r:", 0) == 0) {
    size_t c = a.find(':', 2);
    return std::string(std::stoul(a.substr(c + 1)), a[2]);
  }
  if (a.rfind("p:", 0) == 0) {
    size_t c = a.find(':', 2);
    return std::string(std::stoul(a.substr(2, c - 2)), 'x') + a.substr(c + 1);
  }
  return a;
}

std::string Sha1Hex(const uint8_t* p, size_t n) {
  base::Sha1 s;
  s.Update(p, n);
  uint8_t h[20];
  s.Final(h);
  char out[41];
  for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
  return out;
}

void Replay(Keyspace& ks, const std::vector<std::string>& a) {
  auto noop = [](std::string_view, size_t, size_t) {};
  const std::string& op = a[0];
  std::vector<std::string_view> views(a.begin() + 2, a.end());
  if (op == "RPUSH" || op == "LPUSH") {
    list::Push(ks, 0, a[1], views, op == "LPUSH", false);
  } else if (op == "LPOP" || op == "RPOP") {
    list::Pop(ks, 0, a[1], op == "LPOP", a.size() > 2 ? std::stoll(a[2]) : -1, noop);
  } else if (op == "LSET") {
    list::Set(ks, 0, a[1], std::stoll(a[2]), a[3]);
  } else if (op == "LINSERT") {
    list::Insert(ks, 0, a[1], a[2] == "AFTER", a[3], a[4]);
  } else if (op == "LREM") {
    list::Rem(ks, 0, a[1], std::stoll(a[2]), a[3]);
  } else if (op == "LTRIM") {
    list::Trim(ks, 0, a[1], std::stoll(a[2]), std::stoll(a[3]));
  } else if (op == "LMOVE") {
    list::Move(ks, 0, a[1], a[2], a[3] == "LEFT", a[4] == "LEFT", noop);
  } else {
    FAIL() << "unknown op " << op;
  }
}

TEST_F(Quicklist, NodeLayoutsMatchRedis7015) {
  std::string path = __FILE__;
  path = path.substr(0, path.rfind('/')) + "/testdata/quicklist_redis7015.txt";
  std::ifstream f(path);
  ASSERT_TRUE(f.good()) << path;
  std::string line;
  int scenarios = 0;
  std::unique_ptr<Keyspace> ks;
  std::string name;
  std::vector<std::string> expected, got;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (tag == "scenario") {
      ls >> name;
      ks = std::make_unique<Keyspace>(1);
      expected.clear();
    } else if (tag == "config") {
      int fill, depth;
      size_t thr;
      ls >> fill >> depth >> thr;
      ks->options().list_max_listpack_size = fill;
      ks->options().list_compress_depth = depth;
      ASSERT_TRUE(ql::SetPackedThreshold(thr));
    } else if (tag == "cmd") {
      std::vector<std::string> args;
      std::string a;
      while (ls >> a) args.push_back(Expand(a));
      Replay(*ks, args);
    } else if (tag == "node") {
      std::string rest;
      std::getline(ls, rest);
      expected.push_back(rest);
    } else if (tag == "end") {
      got.clear();
      Entry* e = ks->Find(0, "k", kLookupNoTouch);
      if (e) {
        ql::Quicklist* q = list::QL(e);
        EXPECT_TRUE(ql::CheckConsistency(q)) << name;
        for (const ql::Node* n = q->head; n; n = n->next) {
          const uint8_t* data;
          size_t len;
          bool comp;
          ql::NodeData(n, &data, &len, &comp);
          got.push_back(" " + std::to_string(n->container) + " " + std::to_string(comp) + " " +
                        std::to_string(len) + " " + Sha1Hex(data, len));
        }
      }
      EXPECT_EQ(expected, got) << "scenario " << name;
      scenarios++;
      ql::SetPackedThreshold(0);
    }
  }
  EXPECT_EQ(scenarios, 14);
}

// ---------------------------------------------------------------- fill rules

TEST_F(Quicklist, CountFill) {
  ql::Quicklist* q = ql::Create(3, 0);
  for (int i = 0; i < 10; i++) ql::PushTail(q, std::to_string(i));
  EXPECT_EQ(NodeCounts(q), (std::vector<unsigned>{3, 3, 3, 1}));
  for (int i = 0; i < 4; i++) ql::PushHead(q, "h" + std::to_string(i));
  EXPECT_EQ(NodeCounts(q), (std::vector<unsigned>{1, 3, 3, 3, 3, 1}));
  EXPECT_EQ(q->count, 14u);
  EXPECT_EQ(q->len, 6u);
  EXPECT_TRUE(ql::CheckConsistency(q));
  ql::Release(q);
}

TEST_F(Quicklist, SizeFillAndSafetyLimit) {
  // -1: 4 KB nodes. Each 100-byte element adds 100 + 8 to the estimate.
  ql::Quicklist* q = ql::Create(-1, 0);
  std::string v(100, 'a');
  for (int i = 0; i < 100; i++) ql::PushTail(q, v);
  for (const ql::Node* n = q->head; n; n = n->next) EXPECT_LE(n->sz, 4096u);
  EXPECT_EQ(q->head->count, 39u);  // 7 + 38*103 + 108 <= 4096 admits a 39th
  ql::Release(q);
  // A count fill still stops at 8 KB per node.
  q = ql::Create(1000, 0);
  std::string w(1000, 'b');
  for (int i = 0; i < 20; i++) ql::PushTail(q, w);
  for (const ql::Node* n = q->head; n; n = n->next) EXPECT_LE(n->sz, 8192u);
  EXPECT_EQ(q->head->count, 8u);
  ql::Release(q);
  // Out-of-range settings are clamped as Redis does.
  q = ql::Create(-10, -3);
  EXPECT_EQ(q->fill, -5);
  EXPECT_EQ(q->compress, 0u);
  ql::SetOptions(q, 1 << 20, 1 << 20);
  EXPECT_EQ(q->fill, 32767);
  EXPECT_EQ(q->compress, 65535u);
  ql::Release(q);
}

TEST_F(Quicklist, PlainNodes) {
  ASSERT_TRUE(ql::SetPackedThreshold(10));
  EXPECT_EQ(ql::PackedThreshold(), 10u);
  ql::Quicklist* q = ql::Create(-2, 0);
  ql::PushTail(q, "a");
  ql::PushTail(q, std::string(10, 'P'));
  ql::PushTail(q, "b");
  ql::PushHead(q, std::string(20, 'Q'));
  ASSERT_EQ(q->len, 4u);
  EXPECT_TRUE(q->head->plain());
  EXPECT_TRUE(q->head->next->next->plain());
  EXPECT_EQ(Contents(q), (std::vector<std::string>{std::string(20, 'Q'), "a", std::string(10, 'P'), "b"}));
  EXPECT_EQ(Contents(q, ql::kStartTail),
            (std::vector<std::string>{"b", std::string(10, 'P'), "a", std::string(20, 'Q')}));
  // Replace plain by packed, packed by plain.
  EXPECT_TRUE(ql::ReplaceAtIndex(q, 2, "small"));
  EXPECT_TRUE(ql::ReplaceAtIndex(q, 3, std::string(12, 'R')));
  EXPECT_EQ(Contents(q), (std::vector<std::string>{std::string(20, 'Q'), "a", "small", std::string(12, 'R')}));
  EXPECT_TRUE(ql::CheckConsistency(q));
  std::string popped;
  ql::Pop(q, true, [&](const ql::Item& e) {
    char b[32];
    popped = e.View(b);
  });
  EXPECT_EQ(popped, std::string(20, 'Q'));
  EXPECT_TRUE(ql::CheckConsistency(q));
  ql::Release(q);
  EXPECT_FALSE(ql::SetPackedThreshold((size_t(1) << 32)));
  EXPECT_TRUE(ql::SetPackedThreshold(0));
  EXPECT_EQ(ql::PackedThreshold(), size_t(1) << 30);
}

// ---------------------------------------------------------------- compression

TEST_F(Quicklist, CompressionOfInnerNodesAndRoundTrip) {
  ql::Quicklist* q = ql::Create(4, 1);
  std::vector<std::string> model;
  for (int i = 0; i < 40; i++) {
    std::string v = std::string(60, 'a' + i % 26) + std::to_string(i);
    ql::PushTail(q, v);
    model.push_back(v);
  }
  ASSERT_EQ(q->len, 10u);
  EXPECT_FALSE(q->head->compressed());
  EXPECT_FALSE(q->tail->compressed());
  for (const ql::Node* n = q->head->next; n != q->tail; n = n->next) {
    EXPECT_TRUE(n->compressed());
    std::vector<uint8_t> raw(n->sz);
    ASSERT_TRUE(ql::Decompress(n, raw.data()));
    EXPECT_TRUE(lp::ValidateIntegrity(raw.data(), raw.size(), true));
  }
  EXPECT_TRUE(ql::CheckConsistency(q));
  EXPECT_EQ(Contents(q), model);
  // Reading through an inner node leaves it compressed again.
  ql::Iter* it = new ql::Iter(q, ql::kStartHead);
  ql::Item e;
  ASSERT_TRUE(ql::GetAtIndex(it, 17, &e));
  char buf[32];
  EXPECT_EQ(e.View(buf), model[17]);
  delete it;
  for (const ql::Node* n = q->head->next; n != q->tail; n = n->next) EXPECT_TRUE(n->compressed());
  // Small or incompressible nodes stay raw (MIN_COMPRESS_BYTES, IMPROVE).
  ql::Quicklist* s = ql::Create(1, 1);
  for (int i = 0; i < 3; i++) ql::PushTail(s, "x");
  EXPECT_FALSE(s->head->next->compressed());
  ql::Release(s);
  ql::Release(q);
}

// ---------------------------------------------------------------- model checks

TEST_F(Quicklist, InsertDeleteReplaceAtEveryPosition) {
  for (int fill : {1, 2, 3, -1}) {
    for (int depth : {0, 1, 2}) {
      for (size_t pos = 0; pos < 12; pos++) {
        for (int op = 0; op < 4; op++) {
          ql::Quicklist* q = ql::Create(fill, depth);
          std::vector<std::string> model;
          for (int i = 0; i < 12; i++) {
            std::string v = std::string(50, 'a' + i) + std::to_string(i);
            ql::PushTail(q, v);
            model.push_back(v);
          }
          ql::Iter it(q, ql::kStartHead);
          ql::Item e;
          ASSERT_TRUE(ql::GetAtIndex(&it, static_cast<long long>(pos), &e));
          std::string nv = "new" + std::to_string(pos);
          if (op == 0) {
            it.InsertBefore(&e, nv);
            model.insert(model.begin() + pos, nv);
          } else if (op == 1) {
            it.InsertAfter(&e, nv);
            model.insert(model.begin() + pos + 1, nv);
          } else if (op == 2) {
            it.Replace(&e, nv);
            model[pos] = nv;
          } else {
            it.Delete(&e);
            model.erase(model.begin() + pos);
          }
          it.Release();
          SCOPED_TRACE("fill " + std::to_string(fill) + " depth " + std::to_string(depth) +
                       " pos " + std::to_string(pos) + " op " + std::to_string(op));
          EXPECT_TRUE(ql::CheckConsistency(q));
          EXPECT_EQ(Contents(q), model);
          ql::Release(q);
        }
      }
    }
  }
}

TEST_F(Quicklist, RandomOperationsAgainstModel) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; round++) {
    int fill = static_cast<int>(rng() % 8) - 5;
    if (fill == 0) fill = 2;
    int depth = static_cast<int>(rng() % 3);
    ql::SetPackedThreshold(round % 3 == 0 ? 64 : 0);
    ql::Quicklist* q = ql::Create(fill, depth);
    std::vector<std::string> model;
    for (int step = 0; step < 400; step++) {
      int op = static_cast<int>(rng() % 7);
      std::string v = (rng() % 3 == 0) ? std::to_string(static_cast<int>(rng() % 2000) - 1000)
                                        : std::string(rng() % 120, 'a' + rng() % 3);
      if (op <= 1 || model.empty()) {
        bool head = rng() % 2;
        ql::Push(q, v, head);
        model.insert(head ? model.begin() : model.end(), v);
      } else if (op == 2) {
        bool head = rng() % 2;
        ql::Pop(q, head, [](const ql::Item&) {});
        model.erase(head ? model.begin() : model.end() - 1);
      } else if (op == 3) {
        long i = static_cast<long>(rng() % model.size());
        ASSERT_TRUE(ql::ReplaceAtIndex(q, i, v));
        model[i] = v;
      } else if (op == 4) {
        long start = static_cast<long>(rng() % model.size());
        long count = static_cast<long>(rng() % 5) + 1;
        ql::DelRange(q, start, count);
        model.erase(model.begin() + start,
                    model.begin() + std::min<long>(start + count, static_cast<long>(model.size())));
      } else if (op == 5) {
        ql::Rotate(q);
        if (model.size() > 1) {
          model.insert(model.begin(), model.back());
          model.pop_back();
        }
      } else {
        long i = static_cast<long>(rng() % model.size());
        ql::Iter it(q, ql::kStartHead);
        ql::Item e;
        ASSERT_TRUE(ql::GetAtIndex(&it, i, &e));
        bool after = rng() % 2;
        if (after)
          it.InsertAfter(&e, v);
        else
          it.InsertBefore(&e, v);
        model.insert(model.begin() + i + (after ? 1 : 0), v);
      }
      ASSERT_TRUE(ql::CheckConsistency(q)) << "round " << round << " step " << step;
    }
    EXPECT_EQ(Contents(q), model);
    std::vector<std::string> rev(model.rbegin(), model.rend());
    EXPECT_EQ(Contents(q, ql::kStartTail), rev);
    // Dup copies node for node.
    ql::Quicklist* d = ql::Dup(q);
    EXPECT_EQ(NodeCounts(d), NodeCounts(q));
    EXPECT_EQ(Contents(d), model);
    EXPECT_TRUE(ql::CheckConsistency(d));
    ql::Release(d);
    ql::Release(q);
  }
}

TEST_F(Quicklist, SeekAndDelRangeNegative) {
  ql::Quicklist* q = ql::Create(3, 0);
  for (int i = 0; i < 10; i++) ql::PushTail(q, std::to_string(i));
  ql::Iter it(q, ql::kStartTail);
  ql::Item e;
  char buf[32];
  ASSERT_TRUE(ql::GetAtIndex(&it, -3, &e));
  EXPECT_EQ(e.View(buf), "7");
  EXPECT_FALSE(it.Seek(10));
  EXPECT_FALSE(it.Seek(-11));
  it.Release();
  EXPECT_TRUE(ql::DelRange(q, -4, 100));  // clamped to the tail
  EXPECT_EQ(Contents(q), (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_FALSE(ql::DelRange(q, 0, 0));
  EXPECT_FALSE(ql::DelRange(q, 6, 1));
  EXPECT_TRUE(ql::DelRange(q, 1, 3));
  EXPECT_EQ(Contents(q), (std::vector<std::string>{"0", "4", "5"}));
  EXPECT_TRUE(ql::CheckConsistency(q));
  ql::Release(q);
}

// ---------------------------------------------------------------- nodes export / import

TEST_F(Quicklist, NodesExportImportAndValidate) {
  ql::SetPackedThreshold(100);
  ql::Quicklist* q = ql::Create(2, 1);
  for (int i = 0; i < 9; i++) ql::PushTail(q, std::string(i == 4 ? 150 : 60, 'a' + i));
  ql::Quicklist* r = ql::Create(2, 1);
  for (const ql::Node* n = q->head; n; n = n->next) {
    const uint8_t* data;
    size_t len;
    bool comp;
    ql::NodeData(n, &data, &len, &comp);
    auto* raw = static_cast<uint8_t*>(base::Alloc(n->sz));
    ASSERT_TRUE(ql::Decompress(n, raw));
    ASSERT_TRUE(ql::ValidateNode(n->container, raw, n->sz, true));
    if (n->plain())
      ql::AppendPlain(r, raw, n->sz);
    else
      ql::AppendListpack(r, raw);
  }
  EXPECT_EQ(Contents(r), Contents(q));
  EXPECT_EQ(NodeCounts(r), NodeCounts(q));
  EXPECT_TRUE(ql::CheckConsistency(r));
  // Compression state follows the depth after rebuilding.
  for (const ql::Node *a = q->head, *b = r->head; a; a = a->next, b = b->next)
    EXPECT_EQ(a->compressed(), b->compressed());
  ql::Release(r);
  ql::Release(q);
  // Corrupt listpacks are refused; empty ones are valid but skipped.
  uint8_t* l = lp::New();
  EXPECT_TRUE(ql::ValidateNode(ql::kPacked, l, lp::Bytes(l), true));
  ql::Quicklist* e = ql::Create(-2, 0);
  ql::AppendListpack(e, lp::New());
  EXPECT_EQ(e->len, 0u);
  ql::Release(e);
  l = lp::Append(l, "x");
  EXPECT_TRUE(ql::ValidateNode(ql::kPacked, l, lp::Bytes(l), true));
  EXPECT_FALSE(ql::ValidateNode(ql::kPacked, l, lp::Bytes(l) - 1, true));
  EXPECT_FALSE(ql::ValidateNode(3, l, lp::Bytes(l), true));
  lp::Free(l);
}

// DEBUG QUICKLIST <key> 1 prints what redis-server 7.0.15 printed for the
// same list (addresses masked), and leaves the printed nodes decompressed
// as Redis does. testdata/quicklist_repr_redis7015.txt is redis-server's
// stdout after CONFIG SET list-max-listpack-size 2, list-compress-depth 1,
// RPUSH k a 12345 <70 x> -7 <200 y> b, DEBUG QUICKLIST k 1.
TEST_F(Quicklist, ReprMatchesRedis) {
  std::string path = __FILE__;
  path = path.substr(0, path.rfind('/')) + "/testdata/quicklist_repr_redis7015.txt";
  std::ifstream f(path);
  std::string expected((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(expected.empty());
  ql::Quicklist* q = ql::Create(2, 1);
  for (std::string v : {std::string("a"), std::string("12345"), std::string(70, 'x'),
                        std::string("-7"), std::string(200, 'y'), std::string("b")})
    ql::PushTail(q, v);
  ASSERT_TRUE(q->head->next->compressed());
  testing::internal::CaptureStdout();
  ql::Repr(q, true);
  std::string got = testing::internal::GetCapturedStdout();
  got = std::regex_replace(got, std::regex("addr: 0x[0-9a-f]+"), "addr: <masked>");
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(q->head->next->compressed());
  ql::Release(q);
}

}  // namespace
}  // namespace vireo::engine
