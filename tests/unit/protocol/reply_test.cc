// Unit tests for protocol/ReplyBuilder (RESP2 / RESP3 bytes) and
// protocol/ReplyBuffer (chunks, deferred headers, iovecs, consumption).
//
// Bytes marked "redis 7.0.15" come from a live redis-server 7.0.15
// (DEBUG PROTOCOL <type> under HELLO 2 / HELLO 3, ZSCORE, CLIENT INFO).
#include "protocol/reply.h"

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <climits>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "protocol/reply_buffer.h"

namespace vireo::protocol {
namespace {

using namespace std::string_literals;

// Pending bytes of a buffer, gathered through FillIov (what writev sends).
std::string Contents(const ReplyBuffer& b) {
  std::vector<struct iovec> iov(b.chunk_count() + 1);
  int n = b.FillIov(iov.data(), static_cast<int>(iov.size()));
  std::string s;
  for (int i = 0; i < n; i++) s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  EXPECT_EQ(s.size(), b.pending());
  return s;
}

// Runs fn on a fresh builder with the given protocol and returns the bytes.
template <typename Fn>
std::string Build(int resp, Fn&& fn) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.resp = resp;
  fn(rb);
  return Contents(buf);
}

struct Both {
  std::string resp2, resp3;
};
template <typename Fn>
Both BuildBoth(Fn&& fn) {
  return {Build(2, fn), Build(3, fn)};
}

#define EXPECT_RESP(fn, want2, want3)          \
  do {                                         \
    Both got_ = BuildBoth(fn);                 \
    EXPECT_EQ(got_.resp2, want2) << "RESP2";   \
    EXPECT_EQ(got_.resp3, want3) << "RESP3";   \
  } while (0)

// ------------------------------------------------------------ ReplyBuilder

TEST(ReplyBuilder, SimpleAndOk) {
  EXPECT_RESP([](ReplyBuilder& r) { r.Simple("PONG"); }, "+PONG\r\n", "+PONG\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Simple(""); }, "+\r\n", "+\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Ok(); }, "+OK\r\n", "+OK\r\n");
}

TEST(ReplyBuilder, Error) {
  EXPECT_RESP([](ReplyBuilder& r) { r.Error("ERR syntax error"); }, "-ERR syntax error\r\n",
              "-ERR syntax error\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Error("WRONGTYPE Operation"); }, "-WRONGTYPE Operation\r\n",
              "-WRONGTYPE Operation\r\n");
  // Newlines would break the protocol: replaced by spaces.
  EXPECT_RESP([](ReplyBuilder& r) { r.Error("ERR a\r\nb\nc\rd"); }, "-ERR a  b c d\r\n",
              "-ERR a  b c d\r\n");
}

TEST(ReplyBuilder, Integers) {
  // redis 7.0.15: DEBUG PROTOCOL integer -> ":12345\r\n" in both protocols.
  EXPECT_RESP([](ReplyBuilder& r) { r.Int(12345); }, ":12345\r\n", ":12345\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Int(0); }, ":0\r\n", ":0\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Int(-1); }, ":-1\r\n", ":-1\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Int(INT64_MAX); }, ":9223372036854775807\r\n",
              ":9223372036854775807\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Int(INT64_MIN); }, ":-9223372036854775808\r\n",
              ":-9223372036854775808\r\n");
}

TEST(ReplyBuilder, Bulk) {
  // redis 7.0.15: DEBUG PROTOCOL string.
  EXPECT_RESP([](ReplyBuilder& r) { r.Bulk("Hello World"); }, "$11\r\nHello World\r\n",
              "$11\r\nHello World\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  std::string bin = "a\0b\r\n"s;
  EXPECT_RESP([&](ReplyBuilder& r) { r.Bulk(bin); }, "$5\r\n" + bin + "\r\n", "$5\r\n" + bin + "\r\n");
  // Around the small/large path switch (4096) and beyond a chunk.
  for (size_t n : {4095u, 4096u, 4097u, 16383u, 16384u, 16385u, 100000u, 1000000u}) {
    std::string v(n, 'x');
    v.front() = 'A';
    v.back() = 'Z';
    std::string want = "$" + std::to_string(n) + "\r\n" + v + "\r\n";
    EXPECT_RESP([&](ReplyBuilder& r) { r.Bulk(v); }, want, want);
  }
}

TEST(ReplyBuilder, BulkInt) {
  EXPECT_RESP([](ReplyBuilder& r) { r.BulkInt(42); }, "$2\r\n42\r\n", "$2\r\n42\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.BulkInt(-7); }, "$2\r\n-7\r\n", "$2\r\n-7\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.BulkInt(INT64_MIN); }, "$20\r\n-9223372036854775808\r\n",
              "$20\r\n-9223372036854775808\r\n");
}

TEST(ReplyBuilder, Nulls) {
  // redis 7.0.15: DEBUG PROTOCOL null -> "$-1" / "_".
  EXPECT_RESP([](ReplyBuilder& r) { r.Null(); }, "$-1\r\n", "_\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.NullArray(); }, "*-1\r\n", "_\r\n");
}

TEST(ReplyBuilder, Aggregates) {
  // redis 7.0.15: DEBUG PROTOCOL array / set / map.
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        r.ArrayLen(3);
        r.Int(0);
        r.Int(1);
        r.Int(2);
      },
      "*3\r\n:0\r\n:1\r\n:2\r\n", "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        r.SetLen(3);
        r.Int(0);
        r.Int(1);
        r.Int(2);
      },
      "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        r.MapLen(3);
        for (int i = 0; i < 3; i++) {
          r.Int(i);
          r.Bool(i == 1);
        }
      },
      "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  // Pub/Sub messages are plain arrays in RESP2.
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        r.PushLen(2);
        r.Bulk("server-cpu-usage");
        r.Int(42);
      },
      "*2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.EmptyArray(); }, "*0\r\n", "*0\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.ArrayLen(0); }, "*0\r\n", "*0\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.MapLen(0); }, "*0\r\n", "%0\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.ArrayLen(-1); }, "*-1\r\n", "*-1\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.ArrayLen(123456789012LL); }, "*123456789012\r\n",
              "*123456789012\r\n");
}

TEST(ReplyBuilder, Double) {
  // redis 7.0.15: DEBUG PROTOCOL double -> "$5\r\n3.141\r\n" / ",3.141\r\n".
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(3.141); }, "$5\r\n3.141\r\n", ",3.141\r\n");
  // redis 7.0.15 (HELLO 3): ZADD z 1.5 m; ZSCORE -> ",1.5"; ZADD z inf m -> ",inf".
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(std::numeric_limits<double>::infinity()); },
              "$3\r\ninf\r\n", ",inf\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(-std::numeric_limits<double>::infinity()); },
              "$4\r\n-inf\r\n", ",-inf\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
              ",0.10000000000000001\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Double(1e300); }, "$23\r\n1.0000000000000001e+300\r\n",
              ",1.0000000000000001e+300\r\n");
}

TEST(ReplyBuilder, Bool) {
  // redis 7.0.15: DEBUG PROTOCOL true / false.
  EXPECT_RESP([](ReplyBuilder& r) { r.Bool(true); }, ":1\r\n", "#t\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Bool(false); }, ":0\r\n", "#f\r\n");
}

TEST(ReplyBuilder, Verbatim) {
  // redis 7.0.15: DEBUG PROTOCOL verbatim.
  EXPECT_RESP([](ReplyBuilder& r) { r.Verbatim("This is a verbatim\nstring"); },
              "$25\r\nThis is a verbatim\nstring\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Verbatim("# x", "mkd"); }, "$3\r\n# x\r\n", "=7\r\nmkd:# x\r\n");
  EXPECT_RESP([](ReplyBuilder& r) { r.Verbatim(""); }, "$0\r\n\r\n", "=4\r\ntxt:\r\n");
}

TEST(ReplyBuilder, BigNumber) {
  // redis 7.0.15: DEBUG PROTOCOL bignum.
  EXPECT_RESP([](ReplyBuilder& r) { r.BigNumber("1234567999999999999999999999999999999"); },
              "$37\r\n1234567999999999999999999999999999999\r\n",
              "(1234567999999999999999999999999999999\r\n");
}

TEST(ReplyBuilder, Raw) {
  EXPECT_RESP([](ReplyBuilder& r) { r.Raw("+QUEUED\r\n"); }, "+QUEUED\r\n", "+QUEUED\r\n");
}

TEST(ReplyBuilder, MutedDropsEverything) {
  std::string out = Build(3, [](ReplyBuilder& r) {
    r.muted = true;
    auto d = r.BeginDeferred();
    r.Simple("x");
    r.Ok();
    r.Error("ERR e");
    r.Int(1);
    r.Bulk("b");
    r.Bulk(std::string(10000, 'b'));
    r.BulkInt(5);
    r.Null();
    r.NullArray();
    r.ArrayLen(1);
    r.MapLen(1);
    r.SetLen(1);
    r.PushLen(1);
    r.Double(1.5);
    r.Bool(true);
    r.Verbatim("v");
    r.EmptyArray();
    r.BigNumber("1");
    r.Raw("raw");
    r.EndDeferredArray(d, 3);
    r.muted = false;
    r.Ok();
  });
  EXPECT_EQ(out, "+OK\r\n");
}

// -------------------------------------------------------- deferred lengths

TEST(ReplyBuilder, DeferredArraySimple) {
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        auto d = r.BeginDeferred();
        r.Bulk("a");
        r.Bulk("b");
        r.EndDeferredArray(d, 2);
      },
      "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  // Empty buffer, nothing appended in between.
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        auto d = r.BeginDeferred();
        r.EndDeferredArray(d, 0);
      },
      "*0\r\n", "*0\r\n");
  // After earlier replies.
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        r.Ok();
        auto d = r.BeginDeferred();
        r.Int(1);
        r.EndDeferredSet(d, 1);
        r.Ok();
      },
      "+OK\r\n*1\r\n:1\r\n+OK\r\n", "+OK\r\n~1\r\n:1\r\n+OK\r\n");
}

TEST(ReplyBuilder, DeferredMapAndSet) {
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        auto d = r.BeginDeferred();
        r.Bulk("k");
        r.Int(1);
        r.EndDeferredMap(d, 1);
      },
      "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n");
  EXPECT_RESP(
      [](ReplyBuilder& r) {
        auto d = r.BeginDeferred();
        r.Bulk("m");
        r.EndDeferredSet(d, 1);
      },
      "*1\r\n$1\r\nm\r\n", "~1\r\n$1\r\nm\r\n");
}

TEST(ReplyBuilder, DeferredNested) {
  // [ {a:1}, [x, y, [ ]], z ] with every length deferred, closed innermost first.
  auto fn = [](ReplyBuilder& r) {
    r.Simple("before");
    auto outer = r.BeginDeferred();
    auto m = r.BeginDeferred();
    r.Bulk("a");
    r.Int(1);
    r.EndDeferredMap(m, 1);
    auto inner = r.BeginDeferred();
    r.Bulk("x");
    r.Bulk("y");
    auto empty = r.BeginDeferred();
    r.EndDeferredArray(empty, 0);
    r.EndDeferredArray(inner, 3);
    r.Bulk("z");
    r.EndDeferredArray(outer, 3);
    r.Simple("after");
  };
  EXPECT_RESP(fn,
              "+before\r\n*3\r\n*2\r\n$1\r\na\r\n:1\r\n*3\r\n$1\r\nx\r\n$1\r\ny\r\n*0\r\n$1\r\nz\r\n+after\r\n",
              "+before\r\n*3\r\n%1\r\n$1\r\na\r\n:1\r\n*3\r\n$1\r\nx\r\n$1\r\ny\r\n*0\r\n$1\r\nz\r\n+after\r\n");
}

// Reference serialization for the big deferred tests.
std::string BulkBytes(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

TEST(ReplyBuilder, DeferredAcrossChunkBoundaries) {
  // More than a chunk (16k) of elements between BeginDeferred and EndDeferred,
  // the header is inserted into a chunk that is already full or split.
  for (size_t prefix : {0u, 1u, 100u, 16000u, 16379u, 16384u, 16390u, 40000u}) {
    ReplyBuffer buf;
    ReplyBuilder rb(&buf);
    rb.resp = 3;
    std::string want;
    if (prefix) {
      std::string p(prefix, 'p');
      rb.Raw(p);
      want += p;
    }
    auto d = rb.BeginDeferred();
    std::string body;
    int n = 0;
    while (body.size() < 50000) {
      std::string e = "element-" + std::to_string(n);
      rb.Bulk(e);
      body += BulkBytes(e);
      n++;
    }
    rb.EndDeferredArray(d, n);
    rb.Simple("tail");
    want += "*" + std::to_string(n) + "\r\n" + body + "+tail\r\n";
    EXPECT_GT(buf.chunk_count(), 1u);
    EXPECT_EQ(Contents(buf), want) << "prefix " << prefix;
  }
}

TEST(ReplyBuilder, DeferredHeaderWhenChunkExactlyFull) {
  // Fill the current chunk to its exact capacity, then defer.
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.Raw("x");
  size_t cap = buf.allocated();
  std::string fill(cap - 1, 'f');
  rb.Raw(fill);
  ASSERT_EQ(buf.chunk_count(), 1u);
  ASSERT_EQ(buf.pending(), cap);
  auto d = rb.BeginDeferred();
  rb.Int(7);
  rb.EndDeferredArray(d, 1);
  EXPECT_EQ(Contents(buf), "x" + fill + "*1\r\n:7\r\n");
}

TEST(ReplyBuilder, DeferredNestedAcrossChunks) {
  // Outer deferred map whose values are deferred arrays, each > 16k.
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.resp = 2;
  std::string want_body;
  auto outer = rb.BeginDeferred();
  for (int k = 0; k < 4; k++) {
    std::string key = "key" + std::to_string(k);
    rb.Bulk(key);
    want_body += BulkBytes(key);
    auto inner = rb.BeginDeferred();
    std::string inner_body;
    int n = 0;
    while (inner_body.size() < 20000u + 3000u * k) {
      std::string e(1 + (n * 37) % 700, static_cast<char>('a' + n % 26));
      rb.Bulk(e);
      inner_body += BulkBytes(e);
      n++;
    }
    rb.EndDeferredArray(inner, n);
    want_body += "*" + std::to_string(n) + "\r\n" + inner_body;
  }
  rb.EndDeferredMap(outer, 4);
  EXPECT_EQ(Contents(buf), "*8\r\n" + want_body);
}

TEST(ReplyBuilder, DeferredAfterPartialWrite) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.Bulk(std::string(1000, 'a'));
  buf.Consume(500);
  auto d = rb.BeginDeferred();
  rb.Int(1);
  rb.Int(2);
  rb.EndDeferredArray(d, 2);
  std::string want = "$1000\r\n" + std::string(1000, 'a') + "\r\n";
  EXPECT_EQ(Contents(buf), want.substr(500) + "*2\r\n:1\r\n:2\r\n");
}

// -------------------------------------------------------------- ReplyBuffer

TEST(ReplyBuffer, EmptyBuffer) {
  ReplyBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.pending(), 0u);
  EXPECT_EQ(b.chunk_count(), 0u);
  EXPECT_EQ(b.allocated(), 0u);
  EXPECT_EQ(b.overflow_bytes(), 0u);
  struct iovec iov[4];
  EXPECT_EQ(b.FillIov(iov, 4), 0);
  b.Consume(0);
  b.Release();
  EXPECT_EQ(b.chunk_count(), 0u);
  auto pos = b.Tell();
  b.TruncateTo(pos);
  EXPECT_EQ(b.pending(), 0u);
}

TEST(ReplyBuffer, AppendReserveCommit) {
  ReplyBuffer b;
  b.Append("hello ");
  char* p = b.Reserve(10);
  memcpy(p, "world!!!", 8);
  b.Commit(5);
  b.Append(" ok", 3);
  EXPECT_EQ(Contents(b), "hello world ok");
  EXPECT_EQ(b.chunk_count(), 1u);
  EXPECT_GE(b.allocated(), ReplyBuffer::kChunkSize);
}

TEST(ReplyBuffer, ReserveLargerThanChunk) {
  ReplyBuffer b;
  b.Append("x");
  char* p = b.Reserve(100000);
  memset(p, 'y', 100000);
  b.Commit(100000);
  EXPECT_EQ(Contents(b), "x" + std::string(100000, 'y'));
  EXPECT_EQ(b.chunk_count(), 2u);
  EXPECT_EQ(b.overflow_bytes(), 100001u - ReplyBuffer::kChunkSize);
}

TEST(ReplyBuffer, ConsumePartialAndFull) {
  ReplyBuffer b;
  b.Append(std::string(100, 'a') + std::string(100, 'b'));
  b.Consume(30);
  EXPECT_EQ(b.pending(), 170u);
  struct iovec iov[4];
  ASSERT_EQ(b.FillIov(iov, 4), 1);
  EXPECT_EQ(iov[0].iov_len, 170u);
  EXPECT_EQ(static_cast<const char*>(iov[0].iov_base)[0], 'a');
  b.Consume(70);
  EXPECT_EQ(Contents(b), std::string(100, 'b'));
  b.Consume(100);
  EXPECT_TRUE(b.empty());
  // The standard first chunk is kept for reuse.
  EXPECT_EQ(b.chunk_count(), 1u);
  EXPECT_GT(b.allocated(), 0u);
  EXPECT_EQ(b.FillIov(iov, 4), 0);
  b.Append("again");
  EXPECT_EQ(Contents(b), "again");
  EXPECT_EQ(b.chunk_count(), 1u);
}

TEST(ReplyBuffer, ConsumeAcrossChunks) {
  ReplyBuffer b;
  std::string model;
  std::mt19937 rng(9);
  for (int i = 0; i < 300; i++) {
    std::string s(1 + rng() % 700, static_cast<char>('a' + i % 26));
    b.Append(s);
    model += s;
  }
  ASSERT_GT(b.chunk_count(), 3u);
  EXPECT_EQ(b.overflow_bytes(), model.size() - ReplyBuffer::kChunkSize);
  while (!model.empty()) {
    size_t n = std::min<size_t>(model.size(), 1 + rng() % 9000);
    b.Consume(n);
    model.erase(0, n);
    ASSERT_EQ(Contents(b), model);
  }
  EXPECT_TRUE(b.empty());
  EXPECT_LE(b.chunk_count(), 1u);
  EXPECT_EQ(b.overflow_bytes(), 0u);
}

TEST(ReplyBuffer, ConsumeEverythingKeepsAtMostOneChunk) {
  ReplyBuffer b;
  b.Append(std::string(5 * ReplyBuffer::kChunkSize, 'z'));
  b.Append(std::string(100, 'q'));
  size_t total = b.pending();
  b.Consume(total);
  EXPECT_TRUE(b.empty());
  EXPECT_LE(b.chunk_count(), 1u);
  b.Append("next");
  EXPECT_EQ(Contents(b), "next");
}

TEST(ReplyBuffer, FillIovRespectsMax) {
  ReplyBuffer b;
  std::string model;
  for (int i = 0; i < 5; i++) {
    std::string s(ReplyBuffer::kChunkSize * 2, static_cast<char>('0' + i));
    b.Append(s);
    model += s;
  }
  ASSERT_GE(b.chunk_count(), 3u);
  struct iovec iov[2];
  ASSERT_EQ(b.FillIov(iov, 2), 2);
  std::string got;
  for (auto& v : iov) got.append(static_cast<const char*>(v.iov_base), v.iov_len);
  EXPECT_EQ(got, model.substr(0, got.size()));
  // Partially consumed first chunk: the first iovec starts after what was sent.
  b.Consume(10);
  ASSERT_EQ(b.FillIov(iov, 1), 1);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len),
            model.substr(10, iov[0].iov_len));
}

TEST(ReplyBuffer, TruncateTo) {
  ReplyBuffer b;
  b.Append("keep me");
  auto pos = b.Tell();
  b.Append(std::string(50000, 'x'));
  b.Append("more");
  ASSERT_GT(b.chunk_count(), 1u);
  b.TruncateTo(pos);
  EXPECT_EQ(Contents(b), "keep me");
  EXPECT_EQ(b.chunk_count(), 1u);
  b.Append(" then");
  EXPECT_EQ(Contents(b), "keep me then");
  // Truncate with nothing appended since Tell: no-op.
  auto pos2 = b.Tell();
  b.TruncateTo(pos2);
  EXPECT_EQ(Contents(b), "keep me then");
}

TEST(ReplyBuffer, TruncateToStartOfEmptyBuffer) {
  ReplyBuffer b;
  auto pos = b.Tell();
  b.Append(std::string(40000, 'x'));
  b.TruncateTo(pos);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(Contents(b), "");
  b.Append("y");
  EXPECT_EQ(Contents(b), "y");
}

TEST(ReplyBuffer, TruncateToAfterPartialConsume) {
  ReplyBuffer b;
  b.Append("0123456789");
  b.Consume(4);
  auto pos = b.Tell();
  b.Append("abc");
  b.TruncateTo(pos);
  EXPECT_EQ(Contents(b), "456789");
  EXPECT_EQ(b.pending(), 6u);
}

TEST(ReplyBuffer, InsertAtEndAndMiddle) {
  ReplyBuffer b;
  auto p0 = b.Tell();
  b.InsertAt(p0, "A", 1);  // nothing there yet: behaves as Append
  EXPECT_EQ(Contents(b), "A");
  auto p1 = b.Tell();
  b.Append("CD");
  b.InsertAt(p1, "B", 1);
  EXPECT_EQ(Contents(b), "ABCD");
}

TEST(ReplyBuffer, Release) {
  ReplyBuffer b;
  b.Append("pending");
  b.Release();  // not empty: nothing happens
  EXPECT_EQ(Contents(b), "pending");
  b.Consume(7);
  EXPECT_GT(b.allocated(), 0u);
  b.Release();
  EXPECT_EQ(b.chunk_count(), 0u);
  EXPECT_EQ(b.allocated(), 0u);
  b.Append("reuse");
  EXPECT_EQ(Contents(b), "reuse");
}

// Random operations against a std::string model, replies built like command
// handlers do (deferred headers nested LIFO, truncation), with partial
// writes between replies.
TEST(ReplyBuffer, RandomizedAgainstModel) {
  std::mt19937 rng(2024);
  for (int round = 0; round < 40; round++) {
    ReplyBuffer buf;
    ReplyBuilder rb(&buf);
    rb.resp = 2 + static_cast<int>(rng() % 2);
    std::string model;
    for (int reply = 0; reply < 60; reply++) {
      // One reply: maybe deferred, maybe nested, maybe truncated.
      struct Open {
        ReplyBuilder::Deferred d;
        size_t at;
        int n;
      };
      std::vector<Open> stack;
      auto emit = [&](int depth_budget, auto&& self) -> void {
        int kind = static_cast<int>(rng() % 6);
        if (kind == 0 && depth_budget > 0) {
          stack.push_back({rb.BeginDeferred(), model.size(), 0});
          int n = static_cast<int>(rng() % 8);
          for (int i = 0; i < n; i++) self(depth_budget - 1, self);
          Open o = stack.back();
          stack.pop_back();
          rb.EndDeferredArray(o.d, n);
          std::string h = "*" + std::to_string(n) + "\r\n";
          model.insert(o.at, h);
        } else if (kind == 1) {
          std::string s(rng() % 20000, static_cast<char>('a' + rng() % 26));
          rb.Bulk(s);
          model += BulkBytes(s);
        } else if (kind == 2) {
          int64_t v = static_cast<int64_t>(rng()) - (1LL << 31);
          rb.Int(v);
          model += ":" + std::to_string(v) + "\r\n";
        } else if (kind == 3) {
          std::string s(rng() % 300, 'r');
          rb.Raw(s);
          model += s;
        } else {
          std::string s(rng() % 3000, static_cast<char>('A' + rng() % 26));
          rb.Bulk(s);
          model += BulkBytes(s);
        }
      };
      if (rng() % 10 == 0) {
        auto pos = buf.Tell();
        size_t at = model.size();
        emit(3, emit);
        buf.TruncateTo(pos);
        model.resize(at);
      } else {
        emit(3, emit);
      }
      ASSERT_EQ(buf.pending(), model.size());
      // Partial write.
      if (rng() % 3 == 0 && !model.empty()) {
        size_t n = std::min<size_t>(model.size(), rng() % 30000);
        buf.Consume(n);
        model.erase(0, n);
      }
      ASSERT_EQ(Contents(buf), model) << "round " << round << " reply " << reply;
    }
  }
}

// Shared blocks (one PUBLISH frame referenced by many subscribers): the
// bytes appear in order between owned bytes, partial writes and truncation
// work, and the block is freed when the last buffer released it.
TEST(ReplyBufferShared, SharedBlockBetweenOwnedBytes) {
  std::string big(10000, 'x');
  SharedBlock* b = SharedBlock::Create("*" + big);
  ReplyBuffer one, two;
  one.Append("A");
  one.AppendShared(b);
  one.Append("B");
  two.Append(">");
  two.AppendShared(b, 1);
  b->Unref();  // the buffers hold it now
  EXPECT_EQ(Contents(one), "A*" + big + "B");
  EXPECT_EQ(Contents(two), ">" + big);
  EXPECT_EQ(one.pending(), big.size() + 3);
  one.Consume(5000);  // partly into the shared chunk
  EXPECT_EQ(Contents(one), big.substr(4998) + "B");
  one.Consume(one.pending());
  EXPECT_TRUE(one.empty());
  one.Append("next");  // never written into the shared bytes
  EXPECT_EQ(Contents(one), "next");
  EXPECT_EQ(Contents(two), ">" + big);
  auto pos = two.Tell();
  two.Append("tail");
  two.TruncateTo(pos);
  two.Append("C");
  EXPECT_EQ(Contents(two), ">" + big + "C");
  two.Consume(two.pending());
  EXPECT_TRUE(two.empty());
}

}  // namespace
}  // namespace vireo::protocol
