// Unit tests of whole RDB files: WriteSnapshot -> LoadSnapshot of a
// Keyspace with several databases and every type, TTLs (an already
// expired key skipped on a master, kept on a replica), the LRU idle / LFU
// frequency opcodes under the matching maxmemory-policy, the checksum on
// and off, a flipped byte, a truncation at every offset, bad headers,
// duplicate keys, and the file-descriptor Writer/Reader paths.
// The value codec itself is tested in rdb_codec_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/crc64.h"
#include "engine/lru.h"
#include "engine/value.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "rdb_test_util.h"

namespace vireo::persistence::rdb {
namespace {

using engine::Entry;
using testutil::Dataset;
using Args = std::vector<std::string_view>;

constexpr int64_t kNow = 1700000000000;

// A handmade RDB 10 file: the header, `hex` (opcodes and keys), a zero
// CRC (not checked).
std::string FileOf(std::string_view hex) {
  return "REDIS0010" + testutil::FromHex(hex) + std::string(8, '\0');
}

class RdbSnapshotTest : public ::testing::Test {
 protected:
  RdbSnapshotTest() : ks(16) { ks.options().SetNow(kNow); }

  std::string Save(const SaveOptions& so = {}) {
    Writer w;
    AuxFields aux;
    aux.redis_ver = "7.0.15";
    aux.ctime = kNow / 1000;
    aux.used_mem = 123456;
    EXPECT_TRUE(WriteSnapshot(w, ks, aux, so));
    return w.buffer();
  }

  // A fresh 16-db keyspace with ks's options, loaded from `file`.
  struct Loaded {
    engine::Keyspace ks{16};
    LoadInfo info;
    std::string err;
    bool ok = false;
  };
  std::unique_ptr<Loaded> Load(const std::string& file, FileLoadOptions o = {}) {
    auto l = std::make_unique<Loaded>();
    l->ks.options() = ks.options();
    if (o.now_ms == 0) o.now_ms = ks.options().now_ms;
    Reader r(file.data(), file.size());
    l->ok = LoadSnapshot(r, l->ks, o, &l->info, &l->err);
    return l;
  }

  void Set(int db, std::string_view key, std::string_view val, int64_t expire_at = -1) {
    engine::str::SetParams sp;
    sp.expire_at_ms = expire_at;
    ASSERT_EQ(engine::str::Set(ks, db, key, val, sp), engine::OpStatus::kOk);
  }

  // Every type in db 0, a few keys with TTLs in db 3, one key in db 15.
  void Populate() {
    Set(0, "s-int", "12345");
    Set(0, "s-emb", "hello");
    Set(0, "s-raw", std::string(100, 'r'));
    ASSERT_TRUE(engine::list::Push(ks, 0, "l", Args{"a", "b", "3"}, false, false).ok());
    ks.options().list_max_listpack_size = 2;
    ks.options().list_compress_depth = 1;
    std::vector<std::string> elems;
    for (int i = 0; i < 10; i++) elems.push_back(std::string(50, static_cast<char>('a' + i)));
    std::vector<std::string_view> ev(elems.begin(), elems.end());
    ASSERT_TRUE(engine::list::Push(ks, 0, "l-comp", ev, false, false).ok());
    ks.options().list_max_listpack_size = -2;
    ks.options().list_compress_depth = 0;
    ASSERT_TRUE(engine::hash::Set(ks, 0, "h-lp", Args{"f", "v", "n", "1"}).ok());
    std::string long_value(70, 'v');
    ASSERT_TRUE(engine::hash::Set(ks, 0, "h-ht", Args{"f", long_value}).ok());
    ASSERT_TRUE(engine::set::Add(ks, 0, "set-is", Args{"1", "2", "-3"}).ok());
    ASSERT_TRUE(engine::set::Add(ks, 0, "set-ht", Args{"x", "y", "1"}).ok());
    engine::zset::AddResult r;
    std::vector<engine::zset::ScoreMember> zp = {{1, "a"}, {INFINITY, "b"}, {-2.5, "c"}};
    ASSERT_EQ(engine::zset::Add(ks, 0, "z-lp", 0, zp, &r), engine::OpStatus::kOk);
    ks.options().zset_max_listpack_entries = 1;
    ASSERT_EQ(engine::zset::Add(ks, 0, "z-sl", 0, zp, &r), engine::OpStatus::kOk);
    ks.options().zset_max_listpack_entries = 128;
    Set(3, "ttl-s", "v", kNow + 100000);
    ASSERT_TRUE(engine::hash::Set(ks, 3, "ttl-h", Args{"a", "b"}).ok());
    bool deleted = false;
    ASSERT_EQ(ks.Expire(3, "ttl-h", kNow + 5000, 0, &deleted), engine::OpStatus::kOk);
    Set(3, "no-ttl", "w");
    Set(15, "last-db", "z");
  }

  engine::Keyspace ks;
};

TEST_F(RdbSnapshotTest, MultipleDbsTtlsAndEveryType) {
  Populate();
  std::string file = Save();
  ASSERT_EQ(file.substr(0, 9), "REDIS0010");
  ASSERT_EQ(static_cast<uint8_t>(file[file.size() - 9]), kOpEof);
  uint64_t crc = base::Crc64(0, file.data(), file.size() - 8);
  EXPECT_EQ(memcmp(&crc, file.data() + file.size() - 8, 8), 0);

  auto l = Load(file);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(Dataset(l->ks), Dataset(ks));
  EXPECT_EQ(l->info.version, 10);
  EXPECT_EQ(l->info.redis_ver, "7.0.15");
  EXPECT_EQ(l->info.ctime, kNow / 1000);
  EXPECT_EQ(l->info.used_mem, 123456);
  EXPECT_FALSE(l->info.aof_base);
  EXPECT_FALSE(l->info.checksum_skipped);
  EXPECT_EQ(l->info.keys_loaded, 15u);
  EXPECT_EQ(l->info.keys_expired, 0u);
  EXPECT_EQ(l->ks.size(0), 11u);
  EXPECT_EQ(l->ks.size(3), 3u);
  EXPECT_EQ(l->ks.size(15), 1u);
  EXPECT_EQ(l->ks.db(3).expires_size(), 2u);
  EXPECT_EQ(l->ks.GetExpire(3, l->ks.Find(3, "ttl-h")), kNow + 5000);
  // Encodings as saved (the loader's thresholds are the defaults).
  EXPECT_EQ(l->ks.Find(0, "h-ht")->encoding(), engine::Enc::kHashtable);
  EXPECT_EQ(l->ks.Find(0, "set-is")->encoding(), engine::Enc::kIntset);
  EXPECT_EQ(l->ks.Find(0, "z-sl")->encoding(), engine::Enc::kListpack);  // 3 members: converted

  // on_key counts every key. (Not the same bytes: the lookups above did
  // rehash steps, which may change the table order.)
  uint64_t seen = 0;
  Writer w;
  AuxFields aux;
  aux.redis_ver = "7.0.15";
  aux.ctime = kNow / 1000;
  aux.used_mem = 123456;
  ASSERT_TRUE(WriteSnapshot(w, ks, aux, {}, [&](uint64_t n) { seen = n; }));
  EXPECT_EQ(seen, 15u);
  EXPECT_EQ(w.buffer().size(), file.size());
}

TEST_F(RdbSnapshotTest, ExpiredKeySkippedOnMasterKeptOnReplica) {
  Set(0, "live", "1", kNow + 60000);
  Set(0, "dead", "2");
  Set(0, "plain", "3");
  // Already expired at save time (set directly: EXPIRE would delete it).
  ks.SetExpire(0, ks.db(0).Find("dead"), kNow - 1000);
  std::string file = Save();

  FileLoadOptions o;
  o.skip_expired = true;
  auto l = Load(file, o);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(l->info.keys_loaded, 2u);
  EXPECT_EQ(l->info.keys_expired, 1u);
  EXPECT_EQ(l->ks.db(0).Find("dead"), nullptr);
  EXPECT_EQ(l->ks.GetExpire(0, l->ks.db(0).Find("live")), kNow + 60000);

  o.skip_expired = false;  // a replica / an AOF preamble keeps it
  l = Load(file, o);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(l->info.keys_loaded, 3u);
  ASSERT_NE(l->ks.db(0).Find("dead"), nullptr);
  EXPECT_EQ(l->ks.GetExpire(0, l->ks.db(0).Find("dead")), kNow - 1000);
}

TEST_F(RdbSnapshotTest, LruIdleUnderLruPolicy) {
  ks.options().maxmemory_policy = engine::EvictionPolicy::kAllkeysLru;
  Set(0, "k", "v");
  ks.options().SetNow(kNow + 100000);  // 100 s later
  Entry* e = ks.db(0).Find("k");
  EXPECT_EQ(engine::EstimateIdleTimeMs(e, ks.options()), 100000u);
  Writer w;
  WriteKeyValue(w, e, -1, ks.options());
  // Why: Redis writes IDLE (seconds) before the type under an LRU policy.
  EXPECT_EQ(testutil::Hex(w.buffer().substr(0, 4)), "f8406400");  // 100 s: a 14-bit length

  auto l = Load(Save());
  ASSERT_TRUE(l->ok) << l->err;
  Entry* got = l->ks.db(0).Find("k");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(engine::EstimateIdleTimeMs(got, l->ks.options()), 100000u);

  // No eviction policy: no opcode at all.
  ks.options().maxmemory_policy = engine::EvictionPolicy::kNoEviction;
  Writer w2;
  WriteKeyValue(w2, e, -1, ks.options());
  EXPECT_EQ(static_cast<uint8_t>(w2.buffer()[0]), kTypeString);
}

TEST_F(RdbSnapshotTest, LfuFreqUnderLfuPolicy) {
  ks.options().maxmemory_policy = engine::EvictionPolicy::kAllkeysLfu;
  Set(0, "k", "v");
  Entry* e = ks.db(0).Find("k");
  ASSERT_TRUE(engine::SetLruOrLfu(e, 42, -1, ks.options()));
  EXPECT_EQ(engine::LfuDecrAndReturn(e, ks.options()), 42u);
  Writer w;
  WriteKeyValue(w, e, kNow + 1000, ks.options());
  // EXPIRETIME_MS, then FREQ with its one byte, then the type.
  std::string b = w.buffer();
  ASSERT_GE(b.size(), 12u);
  EXPECT_EQ(static_cast<uint8_t>(b[0]), kOpExpireTimeMs);
  EXPECT_EQ(static_cast<uint8_t>(b[9]), kOpFreq);
  EXPECT_EQ(static_cast<uint8_t>(b[10]), 42);
  EXPECT_EQ(static_cast<uint8_t>(b[11]), kTypeString);

  auto l = Load(Save());
  ASSERT_TRUE(l->ok) << l->err;
  Entry* got = l->ks.db(0).Find("k");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(engine::LfuDecrAndReturn(got, l->ks.options()), 42u);
}

TEST_F(RdbSnapshotTest, ChecksumOnOffAndFlippedByte) {
  Populate();
  std::string dataset = Dataset(ks);
  SaveOptions off;
  off.checksum = false;
  std::string file = Save(off);
  EXPECT_EQ(file.substr(file.size() - 8), std::string(8, '\0'));
  auto l = Load(file);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_TRUE(l->info.checksum_skipped);
  EXPECT_EQ(Dataset(l->ks), dataset);

  SaveOptions nolzf;
  nolzf.compression = false;
  std::string plain = Save(nolzf);
  EXPECT_GT(plain.size(), Save().size());
  l = Load(plain);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(Dataset(l->ks), dataset);

  // One flipped byte inside a value: the file parses, the CRC does not match.
  file = Save();
  size_t pos = file.find("hello");
  ASSERT_NE(pos, std::string::npos);
  file[pos] = 'j';
  l = Load(file);
  EXPECT_FALSE(l->ok);
  EXPECT_EQ(l->err.rfind("Wrong RDB checksum expected: (", 0), 0u) << l->err;
  // With rdbchecksum no the loader does not look.
  FileLoadOptions o;
  o.verify_checksum = false;
  l = Load(file, o);
  EXPECT_TRUE(l->ok) << l->err;
  EXPECT_EQ(testutil::Content(l->ks, 0, "s-emb"), "s5:jello,");
}

TEST_F(RdbSnapshotTest, EveryTruncationFailsCleanly) {
  Set(0, "s", "12");
  Set(0, "t", std::string(40, 'x'), kNow + 1000);
  ASSERT_TRUE(engine::list::Push(ks, 0, "l", Args{"a", "b"}, false, false).ok());
  ASSERT_TRUE(engine::hash::Set(ks, 2, "h", Args{"f", "v"}).ok());
  ASSERT_TRUE(engine::set::Add(ks, 2, "si", Args{"1", "2"}).ok());
  engine::zset::AddResult r;
  std::vector<engine::zset::ScoreMember> zp = {{1, "a"}};
  ASSERT_EQ(engine::zset::Add(ks, 5, "z", 0, zp, &r), engine::OpStatus::kOk);
  std::string file = Save();
  ASSERT_LT(file.size(), 400u);
  ASSERT_TRUE(Load(file)->ok);
  for (size_t n = 0; n < file.size(); n++) {
    auto l = Load(file.substr(0, n));
    ASSERT_FALSE(l->ok) << "cut at " << n;
    EXPECT_FALSE(l->err.empty()) << "cut at " << n;
  }
}

TEST_F(RdbSnapshotTest, BadHeadersAndOpcodes) {
  Set(0, "k", "v");
  std::string file = Save();
  std::string bad = file;
  bad[0] = 'X';
  auto l = Load(bad);
  EXPECT_FALSE(l->ok);
  EXPECT_EQ(l->err, "Wrong signature trying to load DB from file");
  bad = file;
  bad.replace(5, 4, "0012");
  l = Load(bad);
  EXPECT_FALSE(l->ok);
  EXPECT_EQ(l->err, "Can't handle RDB format version 12");
  // RDB 11 headers are accepted (Redis 7.2 / Valkey 8 files).
  bad = file;
  bad.replace(5, 4, "0011");
  FileLoadOptions nocrc;
  nocrc.verify_checksum = false;
  EXPECT_TRUE(Load(bad, nocrc)->ok);

  // A database past the configured number.
  std::string body = FileOf("fe14" "00016b0176" "ff");
  l = Load(body);
  EXPECT_FALSE(l->ok);
  EXPECT_NE(l->err.find("more than 16 databases"), std::string::npos) << l->err;
  // The same key twice: an error, unless merging (DEBUG RELOAD MERGE).
  std::string dup = FileOf("fe00" "00016b0176" "00016b0177" "ff");
  l = Load(dup);
  EXPECT_FALSE(l->ok);
  EXPECT_EQ(l->err, "RDB has duplicated key 'k' in DB 0");
  FileLoadOptions merge;
  merge.allow_dup = true;
  l = Load(dup, merge);
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(testutil::Content(l->ks, 0, "k"), "s1:w,");
  // An empty list is skipped with a note; an unknown opcode / type fails.
  l = Load(FileOf("fe00" "12" "0165" "00" "ff"));
  ASSERT_TRUE(l->ok) << l->err;
  EXPECT_EQ(l->info.empty_keys_skipped, 1u);
  EXPECT_EQ(l->ks.size(0), 0u);
  l = Load(FileOf("fe00" "e5016b0176" "ff"));
  EXPECT_FALSE(l->ok);
  EXPECT_FALSE(l->err.empty());
  // A module aux field and a function library: refused with a reason.
  l = Load(FileOf("f7"));
  EXPECT_FALSE(l->ok);
  EXPECT_NE(l->err.find("module"), std::string::npos);
  l = Load(FileOf("f5"));
  EXPECT_FALSE(l->ok);
  EXPECT_NE(l->err.find("function"), std::string::npos);
}

TEST_F(RdbSnapshotTest, FileDescriptorWriterAndReader) {
  Populate();
  // Values bigger than the 64 KB buffers so both sides go through chunks.
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  Set(1, "big", big);
  std::vector<std::string> elems;
  for (int i = 0; i < 20000; i++) elems.push_back("element-" + std::to_string(i * 7919));
  std::vector<std::string_view> ev(elems.begin(), elems.end());
  ASSERT_TRUE(engine::list::Push(ks, 1, "big-list", ev, false, false).ok());
  std::string mem = Save();

  char path[] = "/tmp/vireo-rdb-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  AuxFields aux;
  aux.redis_ver = "7.0.15";
  aux.ctime = kNow / 1000;
  aux.used_mem = 123456;
  {
    Writer w(fd, 128 * 1024);
    ASSERT_TRUE(WriteSnapshot(w, ks, aux, {}));
    ASSERT_TRUE(w.Sync());
    EXPECT_EQ(w.written(), mem.size());
  }
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  engine::Keyspace ks2(16);
  ks2.options() = ks.options();
  {
    Reader r(fd, mem.size());
    FileLoadOptions o;
    o.now_ms = kNow;
    uint64_t progress_calls = 0;
    o.progress_interval = 64 * 1024;
    o.progress = [&](uint64_t) { progress_calls++; };
    LoadInfo info;
    std::string err;
    ASSERT_TRUE(LoadSnapshot(r, ks2, o, &info, &err)) << err;
    EXPECT_EQ(r.processed(), mem.size());
    EXPECT_GT(progress_calls, 0u);
  }
  EXPECT_EQ(Dataset(ks2), Dataset(ks));
  // Truncated on disk: a short read, reported.
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(mem.size() / 2)), 0);
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  {
    engine::Keyspace ks3(16);
    Reader r(fd, mem.size() / 2);
    FileLoadOptions o;
    LoadInfo info;
    std::string err;
    EXPECT_FALSE(LoadSnapshot(r, ks3, o, &info, &err));
    EXPECT_EQ(err, "Short read or OOM loading DB. Unrecoverable error, aborting now.");
  }
  close(fd);
  unlink(path);
}

}  // namespace
}  // namespace vireo::persistence::rdb
