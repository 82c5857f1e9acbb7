// Unit tests for protocol::ReplyParser: every RESP2 and RESP3 reply type,
// nesting, nulls, attributes (dropped), feeding byte by byte versus whole,
// the limits, and malformed streams (kError, never a crash).
#include "protocol/reply_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vireo::protocol {
namespace {

using Type = RespValue::Type;
using Status = ReplyParser::Status;

std::vector<RespValue> ParseAll(std::string_view bytes, Status* st = nullptr, std::string* err = nullptr) {
  ReplyParser p;
  std::vector<RespValue> out;
  Status s = p.Feed(bytes, &out);
  if (st) *st = s;
  if (err) *err = p.error();
  return out;
}

RespValue One(std::string_view bytes) {
  Status st;
  std::string err;
  auto out = ParseAll(bytes, &st, &err);
  EXPECT_EQ(st, Status::kDone) << err;
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? RespValue{} : out[0];
}

// Feeds one byte at a time; every prefix but the last must ask for more
// (or be done between replies).
std::vector<RespValue> ByteByByte(std::string_view bytes, Status* last) {
  ReplyParser p;
  std::vector<RespValue> out;
  Status st = Status::kDone;
  for (char c : bytes) {
    st = p.Feed(std::string_view(&c, 1), &out);
    if (st == Status::kError) break;
  }
  *last = st;
  return out;
}

TEST(ReplyParser, Resp2Types) {
  RespValue v = One("+OK\r\n");
  EXPECT_EQ(v.type, Type::kSimple);
  EXPECT_EQ(v.text(), "OK");

  v = One("-ERR unknown command\r\n");
  EXPECT_TRUE(v.is_error());
  EXPECT_EQ(v.str, "ERR unknown command");

  v = One(":-42\r\n");
  EXPECT_EQ(v.type, Type::kInteger);
  EXPECT_EQ(v.integer, -42);
  EXPECT_EQ(One(":9223372036854775807\r\n").integer, INT64_MAX);

  v = One("$5\r\nhe\r\no\r\n");
  EXPECT_EQ(v.type, Type::kBulk);
  EXPECT_EQ(v.str, std::string("he\r\no")) << "a bulk body may hold CRLF";

  v = One("$0\r\n\r\n");
  EXPECT_EQ(v.type, Type::kBulk);
  EXPECT_EQ(v.str, "");

  EXPECT_TRUE(One("$-1\r\n").is_null());
  EXPECT_TRUE(One("*-1\r\n").is_null());

  v = One("*3\r\n$3\r\nfoo\r\n:1\r\n*0\r\n");
  ASSERT_EQ(v.type, Type::kArray);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].str, "foo");
  EXPECT_EQ(v[1].integer, 1);
  EXPECT_EQ(v[2].type, Type::kArray);
  EXPECT_EQ(v[2].size(), 0u);
}

TEST(ReplyParser, Resp3Types) {
  EXPECT_TRUE(One("_\r\n").is_null());

  RespValue v = One(",3.14\r\n");
  EXPECT_EQ(v.type, Type::kDouble);
  EXPECT_EQ(v.str, "3.14");
  EXPECT_EQ(One(",inf\r\n").str, "inf");
  EXPECT_EQ(One(",-inf\r\n").str, "-inf");
  EXPECT_EQ(One(",nan\r\n").type, Type::kDouble);
  EXPECT_EQ(One(",1e+300\r\n").str, "1e+300");

  v = One("#t\r\n");
  EXPECT_EQ(v.type, Type::kBool);
  EXPECT_TRUE(v.boolean);
  EXPECT_FALSE(One("#f\r\n").boolean);

  v = One("(-3492890328409238509324850943850943825024385\r\n");
  EXPECT_EQ(v.type, Type::kBigNum);
  EXPECT_EQ(v.str, "-3492890328409238509324850943850943825024385");

  v = One("=15\r\ntxt:Some string\r\n");
  EXPECT_EQ(v.type, Type::kVerbatim);
  EXPECT_EQ(v.format, "txt");
  EXPECT_EQ(v.str, "Some string");

  v = One("!21\r\nSYNTAX invalid syntax\r\n");
  EXPECT_TRUE(v.is_error()) << "a blob error is an error";
  EXPECT_EQ(v.str, "SYNTAX invalid syntax");

  v = One("%2\r\n+first\r\n:1\r\n+second\r\n#f\r\n");
  ASSERT_TRUE(v.is_map());
  ASSERT_EQ(v.size(), 4u) << "k1, v1, k2, v2";
  EXPECT_EQ(v[0].str, "first");
  EXPECT_EQ(v[1].integer, 1);
  EXPECT_EQ(v[2].str, "second");
  EXPECT_FALSE(v[3].boolean);

  v = One("~2\r\n+a\r\n+b\r\n");
  EXPECT_EQ(v.type, Type::kSet);
  EXPECT_TRUE(v.is_array());
  EXPECT_EQ(v.size(), 2u);

  v = One(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhey\r\n");
  EXPECT_EQ(v.type, Type::kPush);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[2].str, "hey");

  EXPECT_EQ(One("%0\r\n").type, Type::kMap);
  EXPECT_EQ(One("~0\r\n").size(), 0u);
}

TEST(ReplyParser, AttributesAreDropped) {
  // Top level: the attribute precedes the reply and is not one.
  Status st;
  auto out = ParseAll("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:1\r\n:2\r\n", &st);
  ASSERT_EQ(st, Status::kDone);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, Type::kArray);
  EXPECT_EQ(out[0].size(), 2u);
  // Inside an aggregate it does not count as an element.
  RespValue v = One("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].integer, 1);
  EXPECT_EQ(v[1].integer, 2);
  // An empty attribute, then a value.
  EXPECT_EQ(One("|0\r\n:7\r\n").integer, 7);
}

TEST(ReplyParser, NestedAggregates) {
  RespValue v = One("*2\r\n*2\r\n%1\r\n+k\r\n~1\r\n_\r\n$-1\r\n>1\r\n*-1\r\n");
  ASSERT_EQ(v.size(), 2u);
  ASSERT_EQ(v[0].size(), 2u);
  ASSERT_TRUE(v[0][0].is_map());
  EXPECT_EQ(v[0][0][0].str, "k");
  EXPECT_EQ(v[0][0][1].type, Type::kSet);
  EXPECT_TRUE(v[0][0][1][0].is_null());
  EXPECT_TRUE(v[0][1].is_null());
  EXPECT_EQ(v[1].type, Type::kPush);
  EXPECT_TRUE(v[1][0].is_null());
  EXPECT_EQ(v.DebugString(), "[[{k: ~[(nil)]}, (nil)], >[(nil)]]");
}

TEST(ReplyParser, DepthLimit) {
  std::string ok, deep;
  for (int i = 0; i < ReplyParser::kMaxDepth; i++) ok += "*1\r\n";
  ok += ":1\r\n";
  RespValue v = One(ok);
  for (int i = 0; i < ReplyParser::kMaxDepth; i++) {
    ASSERT_EQ(v.size(), 1u);
    RespValue inner = v[0];
    v = inner;
  }
  EXPECT_EQ(v.integer, 1);
  for (int i = 0; i <= ReplyParser::kMaxDepth; i++) deep += "*1\r\n";
  deep += ":1\r\n";
  Status st;
  std::string err;
  ParseAll(deep, &st, &err);
  EXPECT_EQ(st, Status::kError);
  EXPECT_NE(err.find("nested"), std::string::npos) << err;
}

TEST(ReplyParser, PipelinedRepliesAndStatus) {
  ReplyParser p;
  std::vector<RespValue> out;
  EXPECT_EQ(p.Feed("+OK\r\n:1\r\n$3\r\nab", &out), Status::kNeedMore);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(p.Feed("c\r\n*2\r\n:1\r\n", &out), Status::kNeedMore);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].str, "abc");
  EXPECT_EQ(p.Feed(":2\r\n", &out), Status::kDone);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[3].size(), 2u);
  EXPECT_EQ(p.buffered(), 0u);
  EXPECT_EQ(p.Feed("", &out), Status::kDone);
}

TEST(ReplyParser, ByteByByteEqualsWhole) {
  const std::string stream =
      "+OK\r\n-ERR x\r\n:0\r\n$3\r\na\rb\r\n$-1\r\n*-1\r\n*0\r\n"
      "*3\r\n$1\r\nx\r\n*2\r\n:1\r\n_\r\n%1\r\n+k\r\n,1.5\r\n"
      "#t\r\n(12345678901234567890\r\n=9\r\nmkd:hello\r\n!3\r\nERR\r\n"
      "~2\r\n:1\r\n:2\r\n>2\r\n+pubsub\r\n+x\r\n|1\r\n+a\r\n+b\r\n+after\r\n";
  Status whole_st, split_st;
  auto whole = ParseAll(stream, &whole_st);
  auto split = ByteByByte(stream, &split_st);
  EXPECT_EQ(whole_st, Status::kDone);
  EXPECT_EQ(split_st, Status::kDone);
  ASSERT_EQ(whole.size(), 15u) << "the attribute is dropped";
  ASSERT_EQ(whole.size(), split.size());
  for (size_t i = 0; i < whole.size(); i++) {
    EXPECT_EQ(whole[i], split[i]) << i << ": " << whole[i].DebugString() << " vs " << split[i].DebugString();
  }
  EXPECT_EQ(whole.back().str, "after");
}

TEST(ReplyParser, LargeBulkFedInPieces) {
  std::string body(300000, 'z');
  std::string stream = "$" + std::to_string(body.size()) + "\r\n" + body + "\r\n+tail\r\n";
  ReplyParser p;
  std::vector<RespValue> out;
  for (size_t i = 0; i < stream.size(); i += 7) {
    ASSERT_NE(p.Feed(std::string_view(stream).substr(i, 7), &out), Status::kError) << p.error();
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].str, body);
  EXPECT_EQ(out[1].str, "tail");
}

TEST(ReplyParser, MalformedInputs) {
  struct Case {
    const char* bytes;
    const char* error_part;
  } cases[] = {
      {"x\r\n", "got \"x\" as reply type byte"},
      {"\x01", "got \"\\x01\" as reply type byte"},
      {":abc\r\n", "bad integer"},
      {":\r\n", "bad integer"},
      {":99999999999999999999\r\n", "bad integer"},
      {"$abc\r\n", "bulk string length"},
      {"$-2\r\n", "out of range"},
      {"$536870913\r\n", "out of range"},
      {"!-1\r\n", "out of range"},
      {"$3\r\nabcde\r\n", "not terminated by CRLF"},
      {"*-2\r\n", "out of range"},
      {"%-1\r\n", "out of range"},
      {"*2147483648\r\n", "out of range"},
      {"*x\r\n", "aggregate length"},
      {"#x\r\n", "bad bool"},
      {"#\r\n", "bad bool"},
      {",abc\r\n", "bad double"},
      {",\r\n", "bad double"},
      {",1.5x\r\n", "bad double"},
      {"(12a\r\n", "big number"},
      {"(-\r\n", "big number"},
      {"_x\r\n", "bad nil"},
      {"=3\r\ntxt\r\n", "verbatim"},
      {"=4\r\ntxt;\r\n", "verbatim"},
      {"$?\r\n", "bulk string length"},
      {"*1\r\n?\r\n", "reply type byte"},
      {"+OK\r\n\r\n", "got \"\\x0d\" as reply type byte"},
  };
  for (const auto& c : cases) {
    Status st;
    std::string err;
    ParseAll(c.bytes, &st, &err);
    EXPECT_EQ(st, Status::kError) << c.bytes;
    EXPECT_NE(err.find(c.error_part), std::string::npos) << c.bytes << " -> " << err;
    EXPECT_EQ(err.rfind("Protocol error, ", 0), 0u) << err;
    // The same error byte by byte.
    Status bst;
    ByteByByte(c.bytes, &bst);
    EXPECT_EQ(bst, Status::kError) << c.bytes;
  }
}

TEST(ReplyParser, ErrorIsStickyUntilReset) {
  ReplyParser p;
  std::vector<RespValue> out;
  EXPECT_EQ(p.Feed("+OK\r\n@", &out), Status::kError);
  EXPECT_EQ(out.size(), 1u) << "replies before the error are handed out";
  EXPECT_EQ(p.Feed("+OK\r\n", &out), Status::kError);
  EXPECT_EQ(out.size(), 1u);
  p.Reset();
  EXPECT_TRUE(p.error().empty());
  EXPECT_EQ(p.Feed("+OK\r\n", &out), Status::kDone);
  EXPECT_EQ(out.size(), 2u);
}

TEST(ReplyParser, HugeCountsDoNotAllocate) {
  // A header promising two billion elements: nothing is reserved for them.
  ReplyParser p;
  std::vector<RespValue> out;
  EXPECT_EQ(p.Feed("*2147483647\r\n:1\r\n", &out), Status::kNeedMore);
  EXPECT_EQ(p.Feed("%1073741823\r\n", &out), Status::kNeedMore);
  EXPECT_TRUE(out.empty());
  p.Reset();
  EXPECT_EQ(p.Feed("$536870912\r\nabc", &out), Status::kNeedMore);
}

TEST(ReplyParser, LoneCrAtChunkEnd) {
  ReplyParser p;
  std::vector<RespValue> out;
  EXPECT_EQ(p.Feed("+a\rb\r", &out), Status::kNeedMore);
  EXPECT_EQ(p.Feed("\n", &out), Status::kDone);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].str, "a\rb") << "a CR not followed by LF is part of the line";
}

}  // namespace
}  // namespace vireo::protocol
