// Unit tests of the AOF's pure parts: the manifest text format (every
// error Redis 7.0's aofLoadManifestFromFile reports, quoting of odd names,
// the file naming and rotation rules) and the command form (a command's
// RESP bytes; a whole keyspace written as commands and replayed into an
// empty one gives the same dataset, big values split 64 items a command).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/keyspace.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/string.h"
#include "engine/types/zset.h"
#include "persistence/aof_commands.h"
#include "persistence/aof_manifest.h"
#include "persistence/rdb_io.h"
#include "rdb_test_util.h"

namespace vireo::persistence::aof {
namespace {

using Args = std::vector<std::string_view>;

Manifest MustParse(std::string_view text) {
  Manifest m;
  std::string err, line;
  int n = 0;
  EXPECT_TRUE(Parse(text, &m, &err, &n, &line)) << err;
  return m;
}

std::string ParseError(std::string_view text, int* line_no = nullptr, std::string* line = nullptr) {
  Manifest m;
  std::string err, l;
  int n = 0;
  EXPECT_FALSE(Parse(text, &m, &err, &n, &l));
  if (line_no) *line_no = n;
  if (line) *line = l;
  return err;
}

TEST(AofManifest, ParsesAndFormatsBaseHistoryIncr) {
  const char* text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n";
  Manifest m = MustParse(text);
  ASSERT_TRUE(m.base);
  EXPECT_EQ(m.base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m.curr_base_seq, 2);
  EXPECT_EQ(m.curr_incr_seq, 4);
  ASSERT_EQ(m.history.size(), 1u);
  ASSERT_EQ(m.incrs.size(), 2u);
  EXPECT_EQ(Format(m), text);
}

TEST(AofManifest, CommentsKeysAnyCaseAndUnknownKeys) {
  Manifest m = MustParse(
      "# a comment\n"
      "FILE a.base.rdb SEQ 1 TYPE b future x\n"
      "  file a.incr.aof seq 1 type i  \r\n");
  ASSERT_TRUE(m.base);
  EXPECT_EQ(m.incrs.size(), 1u);
  // Only comments: fine, and empty.
  EXPECT_TRUE(MustParse("# nothing\n").empty());
}

TEST(AofManifest, RedisErrors) {
  EXPECT_EQ(ParseError(""), "Found an empty AOF manifest");
  // Why: fgets without a newline at the end reads a "too long" line.
  EXPECT_EQ(ParseError("file a seq 1 type b"), "The AOF manifest file contains too long line");
  EXPECT_EQ(ParseError("file " + std::string(1100, 'x') + " seq 1 type b\n"),
            "The AOF manifest file contains too long line");
  int line_no = 0;
  std::string line;
  EXPECT_EQ(ParseError("file a seq 1 type b\n\n", &line_no, &line), "Invalid AOF manifest file format");
  EXPECT_EQ(line_no, 2);
  EXPECT_EQ(ParseError("file a seq 1 type\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(ParseError("file a seq 0 type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(ParseError("file a seq 1 type b x\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(ParseError("file \"a seq 1 type b\n"), "Invalid AOF manifest file format");
  EXPECT_EQ(ParseError("file dir/a seq 1 type b\n"), "File can't be a path, just a filename");
  EXPECT_EQ(ParseError("file a seq 1 type b\nfile b seq 2 type b\n"), "Found duplicate base file information");
  EXPECT_EQ(ParseError("file a seq 2 type i\nfile b seq 2 type i\n", &line_no, &line),
            "Found a non-monotonic sequence number");
  EXPECT_EQ(line_no, 2);
  EXPECT_EQ(line, "file b seq 2 type i");
  EXPECT_EQ(ParseError("file a seq 1 type x\n"), "Unknown AOF file type");
}

TEST(AofManifest, OddNamesAreQuotedAndReadBack) {
  Manifest m;
  FileInfo fi;
  fi.name = "a b\n\"c\"";
  fi.seq = 1;
  fi.type = FileType::kBase;
  m.base = fi;
  std::string text = Format(m);
  EXPECT_EQ(text, "file \"a b\\n\\\"c\\\"\" seq 1 type b\n");
  Manifest back = MustParse(text);
  ASSERT_TRUE(back.base);
  EXPECT_EQ(back.base->name, fi.name);
}

TEST(AofManifest, RotationAsARewriteDoes) {
  Manifest m = MustParse(
      "file appendonly.aof.1.base.rdb seq 1 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type i\n");
  // The rewrite starts: a new incr file.
  EXPECT_EQ(NewIncr(&m, "appendonly.aof"), "appendonly.aof.2.incr.aof");
  // It ends: a new base, old base and rewritten incr become history.
  EXPECT_EQ(NewBase(&m, "appendonly.aof", false), "appendonly.aof.2.base.aof");
  MarkRewrittenIncrsAsHistory(&m, true);
  EXPECT_EQ(Format(m),
            "file appendonly.aof.2.base.aof seq 2 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type h\n"
            "file appendonly.aof.1.base.rdb seq 1 type h\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  EXPECT_TRUE(m.dirty);
  // With the AOF off (no file being written) every incr file goes.
  MarkRewrittenIncrsAsHistory(&m, false);
  EXPECT_TRUE(m.incrs.empty());
  EXPECT_EQ(m.history.front().name, "appendonly.aof.2.incr.aof");
  EXPECT_EQ(LastIncr(&m, "x.aof"), "x.aof.3.incr.aof");
  EXPECT_EQ(ManifestName("x.aof"), "x.aof.manifest");
  EXPECT_EQ(TempManifestName("x.aof"), "temp-x.aof.manifest");
  EXPECT_EQ(TempIncrName("x.aof"), "temp-x.aof.incr");
}

TEST(AofCommands, RespBytes) {
  std::string out;
  AppendCommand(&out, Args{"SET", "k", ""});
  EXPECT_EQ(out, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  out.clear();
  AppendSelect(&out, 12);
  EXPECT_EQ(out, "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n");
  out.clear();
  AppendTimestamp(&out, 1700000000);
  EXPECT_EQ(out, "#TS:1700000000\r\n");
}

// A minimal replayer of what WriteCommands emits, through the engine APIs.
void Replay(std::string_view text, engine::Keyspace& ks) {
  size_t pos = 0;
  auto line = [&] {
    size_t e = text.find("\r\n", pos);
    std::string_view l = text.substr(pos, e - pos);
    pos = e + 2;
    return l;
  };
  int db = 0;
  while (pos < text.size()) {
    std::string_view l = line();
    if (l[0] == '#') continue;
    ASSERT_EQ(l[0], '*');
    int argc = std::stoi(std::string(l.substr(1)));
    std::vector<std::string> a;
    for (int i = 0; i < argc; i++) {
      size_t len = std::stoul(std::string(line().substr(1)));
      a.emplace_back(text.substr(pos, len));
      pos += len + 2;
    }
    std::vector<std::string_view> rest(a.begin() + 2, a.end());
    if (a[0] == "SELECT") {
      db = std::stoi(a[1]);
    } else if (a[0] == "SET") {
      engine::str::SetParams sp;
      ASSERT_EQ(engine::str::Set(ks, db, a[1], a[2], sp), engine::OpStatus::kOk);
    } else if (a[0] == "RPUSH") {
      ASSERT_TRUE(engine::list::Push(ks, db, a[1], rest, false, false).ok());
    } else if (a[0] == "SADD") {
      ASSERT_TRUE(engine::set::Add(ks, db, a[1], rest).ok());
    } else if (a[0] == "HMSET") {
      ASSERT_TRUE(engine::hash::Set(ks, db, a[1], rest).ok());
    } else if (a[0] == "ZADD") {
      std::vector<engine::zset::ScoreMember> sm;
      for (size_t i = 0; i < rest.size(); i += 2) sm.push_back({std::stod(std::string(rest[i])), rest[i + 1]});
      engine::zset::AddResult r;
      ASSERT_EQ(engine::zset::Add(ks, db, a[1], 0, sm, &r), engine::OpStatus::kOk);
    } else if (a[0] == "PEXPIREAT") {
      bool deleted = false;
      ASSERT_EQ(ks.Expire(db, a[1], std::stoll(a[2]), 0, &deleted), engine::OpStatus::kOk);
    } else {
      FAIL() << "unexpected " << a[0];
    }
  }
}

TEST(AofCommands, KeyspaceRoundTripsThroughCommands) {
  engine::Keyspace ks(16);
  ks.options().SetNow(1700000000000);
  engine::str::SetParams sp;
  ASSERT_EQ(engine::str::Set(ks, 0, "s-int", "12345", sp), engine::OpStatus::kOk);
  ASSERT_EQ(engine::str::Set(ks, 0, "s-raw", std::string(100, 'r'), sp), engine::OpStatus::kOk);
  std::vector<std::string> elems;
  for (int i = 0; i < 130; i++) elems.push_back(i % 2 ? std::to_string(i) : "e" + std::to_string(i));
  std::vector<std::string_view> ev(elems.begin(), elems.end());
  ASSERT_TRUE(engine::list::Push(ks, 0, "l", ev, false, false).ok());
  ASSERT_TRUE(engine::set::Add(ks, 0, "set-is", Args{"1", "2", "-3"}).ok());
  ASSERT_TRUE(engine::set::Add(ks, 0, "set-ht", ev).ok());
  ASSERT_TRUE(engine::hash::Set(ks, 2, "h", Args{"f", "v", "n", "1"}).ok());
  std::vector<engine::zset::ScoreMember> zp = {{1, "a"}, {INFINITY, "b"}, {-2.5, "c"}, {0.1, "d"}};
  engine::zset::AddResult r;
  ASSERT_EQ(engine::zset::Add(ks, 3, "z", 0, zp, &r), engine::OpStatus::kOk);
  ks.options().zset_max_listpack_entries = 1;
  ASSERT_EQ(engine::zset::Add(ks, 3, "z-sl", 0, zp, &r), engine::OpStatus::kOk);
  bool deleted = false;
  ASSERT_EQ(ks.Expire(3, "z", 1700000100000, 0, &deleted), engine::OpStatus::kOk);

  rdb::Writer w;
  RewriteOptions opts;
  opts.timestamp = true;
  opts.now_s = 1700000000;
  ASSERT_TRUE(WriteCommands(w, ks, opts));
  const std::string& text = w.buffer();
  EXPECT_EQ(text.rfind("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", 0), 0u);
  // 130 list elements: RPUSH of 64, 64 and 2.
  EXPECT_NE(text.find("*66\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n"), std::string::npos);
  EXPECT_NE(text.find("*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n"), std::string::npos);
  EXPECT_NE(text.find("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nz\r\n$13\r\n1700000100000\r\n"), std::string::npos);

  engine::Keyspace back(16);
  back.options().SetNow(1700000000000);
  Replay(text, back);
  EXPECT_EQ(rdb::testutil::Dataset(back), rdb::testutil::Dataset(ks));
  EXPECT_EQ(back.db(3).GetExpire(back.Find(3, "z", engine::kLookupNoTouch)), 1700000100000);
}

}  // namespace
}  // namespace vireo::persistence::aof
