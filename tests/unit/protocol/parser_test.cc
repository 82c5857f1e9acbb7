// Unit tests for protocol/RequestParser against Redis 7.0's
// processMultibulkBuffer / processInlineBuffer behaviour.
//
// Error texts and edge cases were checked against a live redis-server 7.0.15
// (raw bytes on a socket; the reply is "-ERR " + the text below).
#include "protocol/parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::protocol {
namespace {

using namespace std::string_literals;
using Status = RequestParser::Status;
using Args = std::vector<std::string>;

// Drives a RequestParser the way server/client.cc does: one query buffer,
// a read position, Reset() after every complete request, optional
// compaction (memmove of the unparsed tail to the front + Rebase).
class Feeder {
 public:
  explicit Feeder(RequestParser::Limits limits = {}, bool compact = false)
      : limits_(limits), compact_(compact) {}

  void Feed(std::string_view data) {
    buf_.append(data.data(), data.size());
    Drain();
  }

  void Drain() {
    while (qpos_ < buf_.size() && error.empty()) {
      size_t consumed = 0;
      Status st = parser_.Parse(buf_.data(), qpos_, buf_.size(), limits_, &consumed);
      if (st == Status::kIncomplete) break;
      if (st == Status::kError) {
        error = parser_.error();
        break;
      }
      EXPECT_GT(consumed, 0u);
      EXPECT_LE(consumed, buf_.size() - qpos_);
      if (st == Status::kCommand) {
        std::vector<std::string_view> views;
        parser_.BuildArgs(buf_.data(), &views);
        EXPECT_EQ(views.size(), parser_.argc());
        Args a;
        for (auto v : views) a.emplace_back(v);
        cmds.push_back(std::move(a));
      } else {
        empties++;
      }
      qpos_ += consumed;
      parser_.Reset();
    }
    if (compact_ && qpos_ > 0) {
      buf_.erase(0, qpos_);
      parser_.Rebase(qpos_);
      qpos_ = 0;
    }
  }

  size_t unparsed() const { return buf_.size() - qpos_; }
  RequestParser& parser() { return parser_; }

  std::vector<Args> cmds;
  int empties = 0;
  std::string error;

 private:
  RequestParser parser_;
  RequestParser::Limits limits_;
  bool compact_;
  std::string buf_;
  size_t qpos_ = 0;
};

std::string Mb(const Args& args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

// Parses a complete buffer in one go; returns the error text or "".
std::string ErrorOf(std::string_view input, RequestParser::Limits limits = {}) {
  Feeder f(limits);
  f.Feed(input);
  return f.error;
}

// ------------------------------------------------------------------ basics

TEST(RequestParser, SimpleMultibulk) {
  RequestParser p;
  std::string in = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
  size_t consumed = 0;
  ASSERT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, in.size());
  EXPECT_EQ(p.argc(), 3u);
  std::vector<std::string_view> args;
  p.BuildArgs(in.data(), &args);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0], "SET");
  EXPECT_EQ(args[1], "k");
  EXPECT_EQ(args[2], "value");
  // Zero copy: the views point into the input buffer.
  EXPECT_GE(args[2].data(), in.data());
  EXPECT_LT(args[2].data(), in.data() + in.size());
}

TEST(RequestParser, StartOffsetAndConsumedAreRelative) {
  std::string in = "xxxxx*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nECHO\r\n";
  RequestParser p;
  size_t consumed = 0;
  ASSERT_EQ(p.Parse(in.data(), 5, in.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, 14u);
  std::vector<std::string_view> args;
  p.BuildArgs(in.data(), &args);
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0], "PING");
  p.Reset();
  ASSERT_EQ(p.Parse(in.data(), 19, in.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, 14u);
  p.BuildArgs(in.data(), &args);
  EXPECT_EQ(args[0], "ECHO");
}

TEST(RequestParser, NothingToParse) {
  RequestParser p;
  size_t consumed = 7;
  std::string in = "abc";
  EXPECT_EQ(p.Parse(in.data(), 3, 3, {}, &consumed), Status::kIncomplete);
  EXPECT_EQ(p.Parse(in.data(), 0, 0, {}, &consumed), Status::kIncomplete);
}

TEST(RequestParser, BinarySafeBulk) {
  std::string payload = "a\r\nb\0c\n*$"s;
  Feeder f;
  f.Feed(Mb({"SET", "k", payload}));
  ASSERT_EQ(f.cmds.size(), 1u);
  EXPECT_EQ(f.cmds[0][2], payload);
}

TEST(RequestParser, EmptyBulkArgument) {
  Feeder f;
  f.Feed("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
  ASSERT_EQ(f.cmds.size(), 1u);
  EXPECT_EQ(f.cmds[0], (Args{"ECHO", ""}));
  // redis 7.0.15: "*1\r\n$0\r\n\r\n" runs the command "" (unknown command '').
  Feeder g;
  g.Feed("*1\r\n$0\r\n\r\nPING\r\n");
  ASSERT_EQ(g.cmds.size(), 2u);
  EXPECT_EQ(g.cmds[0], (Args{""}));
  EXPECT_EQ(g.cmds[1], (Args{"PING"}));
}

// ----------------------------------------------------------- empty requests

TEST(RequestParser, EmptyRequests) {
  struct Case {
    std::string in;
    size_t consumed;
  } cases[] = {
      {"*0\r\n", 4},
      {"*-5\r\n", 5},
      {"*-1\r\n", 5},
      {"*-9223372036854775808\r\n", 23},
      {"\r\n", 2},
      {"\n", 1},
      {"   \r\n", 5},
      {" \t \n", 4},
  };
  for (const auto& c : cases) {
    RequestParser p;
    size_t consumed = 0;
    std::string in = c.in + "PING\r\n";
    EXPECT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kEmpty) << c.in;
    EXPECT_EQ(consumed, c.consumed) << c.in;
  }
  // redis 7.0.15: "*-5\r\nPING\r\n" and "*0\r\nPING\r\n" answer one +PONG;
  // "\r\n\n  \r\nPING\r\n" answers one +PONG.
  Feeder f;
  f.Feed("*-5\r\nPING\r\n*0\r\nPING\r\n\r\n\n  \r\nPING\r\n");
  EXPECT_EQ(f.error, "");
  EXPECT_EQ(f.cmds.size(), 3u);
  EXPECT_EQ(f.empties, 5);
}

// --------------------------------------------------------------- errors

TEST(RequestParser, ProtocolErrorTexts) {
  struct Case {
    std::string in;
    const char* err;
  } cases[] = {
      {"*abc\r\n", "Protocol error: invalid multibulk length"},
      {"*\r\n", "Protocol error: invalid multibulk length"},
      {"*-0\r\n", "Protocol error: invalid multibulk length"},
      {"*01\r\n", "Protocol error: invalid multibulk length"},
      {"*+1\r\n", "Protocol error: invalid multibulk length"},
      {"* 1\r\n", "Protocol error: invalid multibulk length"},
      {"*1 \r\n", "Protocol error: invalid multibulk length"},
      {"*3000000000\r\n", "Protocol error: invalid multibulk length"},
      {"*2147483648\r\n", "Protocol error: invalid multibulk length"},
      {"*99999999999999999999\r\n", "Protocol error: invalid multibulk length"},
      {"*1\r\nx4\r\n", "Protocol error: expected '$', got 'x'"},
      {"*1\r\n*4\r\n", "Protocol error: expected '$', got '*'"},
      {"*2\r\n$4\r\nECHO\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      // The byte after '\r' is skipped unchecked, so the next line starts at '4'.
      {"*1\r$4\r\nPING\r\n", "Protocol error: expected '$', got '4'"},
      {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$abc\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$-0\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$04\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$ 4\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$+4\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"},
      {"*1\r\n$99999999999999999999\r\n", "Protocol error: invalid bulk length"},
      {"set 'a b\r\n", "Protocol error: unbalanced quotes in request"},
      {"echo \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
      {"echo \"abc\r\n", "Protocol error: unbalanced quotes in request"},
  };
  for (auto& c : cases) {
    EXPECT_EQ(ErrorOf(c.in), c.err) << "input: " << c.in;
  }
}

TEST(RequestParser, ErrorAfterEarlierCommandsInPipeline) {
  Feeder f;
  f.Feed("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(f.cmds.size(), 2u);
  EXPECT_EQ(f.error, "Protocol error: invalid bulk length");
}

TEST(RequestParser, MultibulkCountLimits) {
  // redis 7.0.15: "*2147483647\r\n" waits for more data; INT_MAX + 1 is invalid.
  Feeder f;
  f.Feed("*2147483647\r\n");
  EXPECT_EQ(f.error, "");
  EXPECT_TRUE(f.parser().in_multibulk());
  EXPECT_EQ(f.parser().pending_bulk_len(), -1);
}

TEST(RequestParser, BulkLengthLimits) {
  // Default proto-max-bulk-len is 512mb: exactly 512mb is fine (waits).
  Feeder f;
  f.Feed("*1\r\n$536870912\r\n");
  EXPECT_EQ(f.error, "");
  EXPECT_EQ(f.parser().pending_bulk_len(), 536870912);
  // A configured limit.
  RequestParser::Limits small;
  small.proto_max_bulk_len = 10;
  EXPECT_EQ(ErrorOf("*1\r\n$11\r\n", small), "Protocol error: invalid bulk length");
  Feeder g(small);
  g.Feed("*1\r\n$10\r\n0123456789\r\n");
  EXPECT_EQ(g.error, "");
  ASSERT_EQ(g.cmds.size(), 1u);
  EXPECT_EQ(g.cmds[0][0], "0123456789");
}

TEST(RequestParser, TooBigInlineRequest) {
  // processInlineBuffer: error when no '\n' and more than 64k are buffered.
  std::string in(kInlineMaxSize, 'a');
  EXPECT_EQ(ErrorOf(in), "");  // exactly 64k: still waiting
  in.push_back('a');
  EXPECT_EQ(ErrorOf(in), "Protocol error: too big inline request");
  // Accumulated over several reads.
  Feeder f;
  for (int i = 0; i < 64; i++) f.Feed(std::string(1024, 'b'));
  EXPECT_EQ(f.error, "");
  f.Feed("b");
  EXPECT_EQ(f.error, "Protocol error: too big inline request");
}

TEST(RequestParser, TooBigMbulkCountString) {
  std::string in = "*" + std::string(kInlineMaxSize - 1, '1');  // 64k bytes total
  EXPECT_EQ(ErrorOf(in), "");
  in.push_back('1');
  EXPECT_EQ(ErrorOf(in), "Protocol error: too big mbulk count string");
}

TEST(RequestParser, TooBigBulkCountString) {
  std::string head = "*1\r\n";
  std::string in = head + "$" + std::string(kInlineMaxSize - 1, '1');
  EXPECT_EQ(ErrorOf(in), "");
  in.push_back('1');
  EXPECT_EQ(ErrorOf(in), "Protocol error: too big bulk count string");
  // Also for a later argument.
  std::string in2 = "*2\r\n$4\r\nECHO\r\n$" + std::string(kInlineMaxSize, '2');
  EXPECT_EQ(ErrorOf(in2), "Protocol error: too big bulk count string");
}

TEST(RequestParser, UnauthenticatedLimits) {
  RequestParser::Limits auth;
  auth.auth_required = true;
  EXPECT_EQ(ErrorOf("*11\r\n", auth), "Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(ErrorOf("*10\r\n", auth), "");
  EXPECT_EQ(ErrorOf("*11\r\n", {}), "");
  EXPECT_EQ(ErrorOf("*1\r\n$16385\r\n", auth), "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(ErrorOf("*1\r\n$16384\r\n", auth), "");
  EXPECT_EQ(ErrorOf("*1\r\n$16385\r\n", {}), "");
  // invalid bulk length is checked before the unauthenticated limit.
  RequestParser::Limits both = auth;
  both.proto_max_bulk_len = 20000;
  EXPECT_EQ(ErrorOf("*1\r\n$20001\r\n", both), "Protocol error: invalid bulk length");
  // invalid multibulk length is checked before the unauthenticated limit.
  EXPECT_EQ(ErrorOf("*2147483648\r\n", auth), "Protocol error: invalid multibulk length");
  // Negative counts are empty requests even when unauthenticated.
  Feeder f(auth);
  f.Feed("*-100\r\n");
  EXPECT_EQ(f.empties, 1);
  // Inline commands have no such limit.
  Feeder g(auth);
  g.Feed("a b c d e f g h i j k l m\r\n");
  ASSERT_EQ(g.cmds.size(), 1u);
  EXPECT_EQ(g.cmds[0].size(), 13u);
}

// ------------------------------------------------------------ inline

TEST(RequestParser, InlineCommands) {
  struct Case {
    std::string in;
    Args want;
  } cases[] = {
      {"PING\r\n", {"PING"}},
      {"PING\n", {"PING"}},
      {"  set   k   v  \r\n", {"set", "k", "v"}},
      {"SET \"a b\" 'c d'\r\n", {"SET", "a b", "c d"}},
      {"echo \"a\\x41b\"\r\n", {"echo", "aAb"}},
      {"echo 'a\\'b'\r\n", {"echo", "a'b"}},
      {"echo \"\\n\\r\\t\\b\\a\\\\\\\"\"\r\n", {"echo", "\n\r\t\b\a\\\""}},
      {"echo 'a\\nb'\r\n", {"echo", "a\\nb"}},
      {"echo \"\"\r\n", {"echo", ""}},
      {"echo ''\r\n", {"echo", ""}},
      {"echo foo\"bar\"\r\n", {"echo", "foobar"}},
      {"a\tb\r\n", {"a", "b"}},
      // Only one '\r' before '\n' is part of the terminator; another is blank.
      {"PING\r\r\n", {"PING"}},
      // A line starting with '$' or ':' is still an inline command.
      {"$4\r\n", {"$4"}},
  };
  for (const auto& c : cases) {
    Feeder f;
    f.Feed(c.in);
    EXPECT_EQ(f.error, "") << c.in;
    ASSERT_EQ(f.cmds.size(), 1u) << c.in;
    EXPECT_EQ(f.cmds[0], c.want) << c.in;
    EXPECT_EQ(f.unparsed(), 0u) << c.in;
  }
}

TEST(RequestParser, InlineIncompleteThenComplete) {
  Feeder f;
  f.Feed("SET k ");
  EXPECT_TRUE(f.cmds.empty());
  f.Feed("\"hello ");
  EXPECT_TRUE(f.cmds.empty());
  f.Feed("world\"\r");
  EXPECT_TRUE(f.cmds.empty());
  f.Feed("\nPING\r\n");
  ASSERT_EQ(f.cmds.size(), 2u);
  EXPECT_EQ(f.cmds[0], (Args{"SET", "k", "hello world"}));
  EXPECT_EQ(f.cmds[1], (Args{"PING"}));
}

TEST(RequestParser, InlineAndMultibulkMixed) {
  Feeder f;
  f.Feed("PING\r\n" + Mb({"ECHO", "x"}) + "ECHO y\n" + Mb({"GET", "k"}));
  ASSERT_EQ(f.cmds.size(), 4u);
  EXPECT_EQ(f.cmds[2], (Args{"ECHO", "y"}));
  EXPECT_EQ(f.cmds[3], (Args{"GET", "k"}));
}

// ---------------------------------------------- Redis skips 2 bytes after bulk

TEST(RequestParser, IgnoresTwoBytesAfterBulkPayload) {
  // redis 7.0.15: "*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n" -> +PONG +PONG.
  Feeder f;
  f.Feed("*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(f.error, "");
  ASSERT_EQ(f.cmds.size(), 2u);
  EXPECT_EQ(f.cmds[0], (Args{"PING"}));
  EXPECT_EQ(f.cmds[1], (Args{"PING"}));
  // redis 7.0.15: "*1\r\n$4\r\nPING\n\nPING\r\n" -> +PONG +PONG.
  Feeder g;
  g.Feed("*1\r\n$4\r\nPING\n\nPING\r\n");
  ASSERT_EQ(g.cmds.size(), 2u);
  // The bulk needs its two trailing bytes before it completes.
  Feeder h;
  h.Feed("*1\r\n$4\r\nPING?");
  EXPECT_TRUE(h.cmds.empty());
  h.Feed("?");
  EXPECT_EQ(h.cmds.size(), 1u);
}

TEST(RequestParser, HeaderNeedsByteAfterCR) {
  // Redis needs the '\n' (any byte) after '\r' before parsing a header line.
  RequestParser p;
  std::string in = "*1\r";
  size_t consumed = 0;
  EXPECT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kIncomplete);
  EXPECT_FALSE(p.in_multibulk());
  in += "\n$4\r";
  EXPECT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kIncomplete);
  EXPECT_TRUE(p.in_multibulk());
  EXPECT_EQ(p.pending_bulk_len(), -1);
  in += "\n";
  EXPECT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kIncomplete);
  EXPECT_EQ(p.pending_bulk_len(), 4);
  in += "PING\r\n";
  EXPECT_EQ(p.Parse(in.data(), 0, in.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, in.size());
}

// --------------------------------------------------------- chunked input

std::string SampleStream() {
  std::string s;
  s += Mb({"SET", "key:1", "hello world"});
  s += "PING\r\n";
  s += "*0\r\n";
  s += Mb({"MSET", "a", "1", "b", std::string(300, 'x'), "c", ""});
  s += "SET \"quoted key\" 'v\\'1'\n";
  s += "\r\n";
  s += Mb({"ECHO", "bin\r\n\0\xff"s});
  s += "*-1\r\n";
  s += Mb({"X"});
  return s;
}

TEST(RequestParser, OneByteAtATime) {
  const std::string s = SampleStream();
  Feeder whole;
  whole.Feed(s);
  ASSERT_EQ(whole.error, "");
  ASSERT_EQ(whole.cmds.size(), 6u);
  ASSERT_EQ(whole.empties, 3);
  EXPECT_EQ(whole.cmds[3], (Args{"SET", "quoted key", "v'1"}));
  EXPECT_EQ(whole.cmds[4], (Args{"ECHO", "bin\r\n\0\xff"s}));
  for (bool compact : {false, true}) {
    Feeder f({}, compact);
    for (char c : s) f.Feed(std::string_view(&c, 1));
    EXPECT_EQ(f.error, "");
    EXPECT_EQ(f.cmds, whole.cmds) << "compact=" << compact;
    EXPECT_EQ(f.empties, whole.empties);
    EXPECT_EQ(f.unparsed(), 0u);
  }
}

TEST(RequestParser, SplitAtEveryBoundary) {
  const std::string s = SampleStream();
  Feeder whole;
  whole.Feed(s);
  for (size_t i = 0; i <= s.size(); i++) {
    for (bool compact : {false, true}) {
      Feeder f({}, compact);
      f.Feed(std::string_view(s).substr(0, i));
      f.Feed(std::string_view(s).substr(i));
      ASSERT_EQ(f.error, "") << "split at " << i;
      ASSERT_EQ(f.cmds, whole.cmds) << "split at " << i << " compact=" << compact;
      ASSERT_EQ(f.empties, whole.empties);
    }
  }
}

TEST(RequestParser, RandomChunksWithCompaction) {
  const std::string s = SampleStream() + SampleStream() + SampleStream();
  Feeder whole;
  whole.Feed(s);
  std::mt19937 rng(11);
  for (int round = 0; round < 200; round++) {
    Feeder f({}, round % 2 == 0);
    size_t i = 0;
    while (i < s.size()) {
      size_t n = 1 + rng() % 40;
      f.Feed(std::string_view(s).substr(i, n));
      i += n;
    }
    ASSERT_EQ(f.cmds, whole.cmds) << "round " << round;
    ASSERT_EQ(f.empties, whole.empties);
  }
}

TEST(RequestParser, ErrorFoundWhenSplit) {
  const std::string s = Mb({"PING"}) + "*1\r\n$-7\r\n";
  for (size_t i = 0; i <= s.size(); i++) {
    Feeder f;
    f.Feed(s.substr(0, i));
    f.Feed(s.substr(i));
    EXPECT_EQ(f.cmds.size(), 1u);
    EXPECT_EQ(f.error, "Protocol error: invalid bulk length") << i;
  }
}

// -------------------------------------------------------------- volume

TEST(RequestParser, TenThousandPipelinedCommands) {
  std::string s;
  for (int i = 0; i < 10000; i++) {
    if (i % 3 == 0)
      s += "SET key:" + std::to_string(i) + " " + std::to_string(i) + "\r\n";
    else
      s += Mb({"SET", "key:" + std::to_string(i), std::to_string(i)});
  }
  Feeder f;
  f.Feed(s);
  ASSERT_EQ(f.error, "");
  ASSERT_EQ(f.cmds.size(), 10000u);
  for (int i = 0; i < 10000; i++) {
    ASSERT_EQ(f.cmds[i], (Args{"SET", "key:" + std::to_string(i), std::to_string(i)})) << i;
  }
  EXPECT_EQ(f.unparsed(), 0u);
  // Same in 16k reads with compaction, like the client.
  Feeder g({}, true);
  for (size_t i = 0; i < s.size(); i += 16384) g.Feed(std::string_view(s).substr(i, 16384));
  EXPECT_EQ(g.cmds, f.cmds);
}

TEST(RequestParser, BigBulkOneMegabyte) {
  std::string payload(1 << 20, '\0');
  std::mt19937 rng(5);
  for (auto& c : payload) c = static_cast<char>(rng());
  const std::string s = Mb({"SET", "big", payload}) + Mb({"GET", "big"});
  for (bool compact : {false, true}) {
    Feeder f({}, compact);
    size_t header = std::string("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048576\r\n").size();
    f.Feed(std::string_view(s).substr(0, header));
    EXPECT_TRUE(f.parser().in_multibulk());
    EXPECT_EQ(f.parser().pending_bulk_len(), 1 << 20);
    for (size_t i = header; i < s.size(); i += 16384) f.Feed(std::string_view(s).substr(i, 16384));
    ASSERT_EQ(f.error, "");
    ASSERT_EQ(f.cmds.size(), 2u);
    EXPECT_EQ(f.cmds[0][0], "SET");
    EXPECT_EQ(f.cmds[0][2].size(), payload.size());
    EXPECT_TRUE(f.cmds[0][2] == payload);
    EXPECT_EQ(f.cmds[1], (Args{"GET", "big"}));
  }
}

TEST(RequestParser, ManyArguments) {
  Args args;
  args.push_back("RPUSH");
  for (int i = 0; i < 5000; i++) args.push_back(std::to_string(i));
  Feeder f;
  f.Feed(Mb(args));
  ASSERT_EQ(f.cmds.size(), 1u);
  EXPECT_EQ(f.cmds[0], args);
}

// ---------------------------------------------------------------- Rebase

TEST(RequestParser, RebaseAfterCompaction) {
  // Two complete arguments of three are in the buffer behind 10 bytes of
  // already-consumed input; the client compacts, then more data arrives.
  const std::string cmd = Mb({"SET", "mykey", "myvalue"});
  const size_t cut = cmd.find("myvalue") - 3;  // inside the third header
  std::string buf = std::string(10, '#') + cmd.substr(0, cut);
  RequestParser p;
  size_t consumed = 0;
  ASSERT_EQ(p.Parse(buf.data(), 10, buf.size(), {}, &consumed), Status::kIncomplete);
  EXPECT_TRUE(p.in_multibulk());

  // Compact into a different allocation (as realloc may do).
  std::string moved = buf.substr(10);
  p.Rebase(10);
  moved += cmd.substr(cut);
  ASSERT_EQ(p.Parse(moved.data(), 0, moved.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, cmd.size());
  std::vector<std::string_view> args;
  p.BuildArgs(moved.data(), &args);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0], "SET");
  EXPECT_EQ(args[1], "mykey");
  EXPECT_EQ(args[2], "myvalue");
}

TEST(RequestParser, RebaseInsideBulkPayload) {
  const std::string cmd = Mb({"SET", "k", std::string(1000, 'v')});
  std::string buf = "PING\r\n" + cmd.substr(0, 500);
  RequestParser p;
  size_t consumed = 0;
  ASSERT_EQ(p.Parse(buf.data(), 0, buf.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, 6u);
  p.Reset();
  ASSERT_EQ(p.Parse(buf.data(), 6, buf.size(), {}, &consumed), Status::kIncomplete);
  EXPECT_EQ(p.pending_bulk_len(), 1000);
  std::string moved = buf.substr(6) + cmd.substr(500);
  p.Rebase(6);
  ASSERT_EQ(p.Parse(moved.data(), 0, moved.size(), {}, &consumed), Status::kCommand);
  EXPECT_EQ(consumed, cmd.size());
  std::vector<std::string_view> args;
  p.BuildArgs(moved.data(), &args);
  EXPECT_EQ(args[1], "k");
  EXPECT_EQ(args[2], std::string(1000, 'v'));
}

// ------------------------------------------------ known divergences (Redis)

// Redis 7.0 looks for the line terminator with strchr() on the sds query
// buffer, so a NUL byte before '\r' / '\n' hides the terminator: redis-server
// 7.0.15 keeps waiting for "*1\0\r\n" and for "GET a\0b\nPING\r\n" (no reply;
// after 64k it fails with "too big ..."). Vireo's parser uses memchr and
// answers differently. Disabled: documents the divergence (see report).
TEST(RequestParser, NulBeforeTerminatorHidesIt) {
  EXPECT_EQ(ErrorOf("*1\0\r\n"s), "");  // Vireo: "invalid multibulk length"
  Feeder f;
  f.Feed("GET a\0b\nPING\r\n"s);
  EXPECT_TRUE(f.cmds.empty());  // Vireo: runs GET a, then PING
  EXPECT_EQ(ErrorOf("*1\r\n$4\0\r\n"s), "");  // Vireo: "invalid bulk length"
}

}  // namespace
}  // namespace vireo::protocol
