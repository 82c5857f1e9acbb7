// libFuzzer target for persistence/rdb_load's file loader: the input is a
// whole RDB file, loaded with LoadSnapshot from a memory Reader into a
// fresh 16-database Keyspace, as the server loads dump.rdb at startup
// (values validated shallowly, sanitize-dump-payload's default) but with
// the trailing CRC not verified (rdbchecksum no), so that mutations get
// past the checksum into the parser.
//
// Invariants checked (abort on violation):
//  - nothing reads outside the input, nothing leaks, no crash (ASan/LSan;
//    the input is in an exact-size heap block);
//  - a failed load says why (a non-empty message);
//  - a successful load accounts for its keys: keys_loaded equals the keys
//    now in the databases (no merge), and a file version in 1..11;
//  - what loaded saves again (WriteSnapshot), and that file loads (with
//    its CRC checked) to the same number of keys in each database.
//
// VIREO_FUZZ_RDB_DEEP=1 in the environment validates values deeply
// (sanitize-dump-payload yes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/keyspace.h"
#include "fuzz_check.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"

namespace rdb = vireo::persistence::rdb;
namespace engine = vireo::engine;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("rdb_file_fuzz", cond)

namespace {

constexpr int kDbs = 16;
// A fixed clock, so the same input always expires the same keys.
constexpr int64_t kNow = 1700000000000;

uint64_t TotalKeys(engine::Keyspace& ks) {
  uint64_t n = 0;
  for (int i = 0; i < kDbs; i++) n += ks.size(i);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  engine::Keyspace ks(kDbs);
  ks.options().SetNow(kNow);
  rdb::FileLoadOptions o;
  o.verify_checksum = false;
  o.now_ms = kNow;
  static const bool deep_only = getenv("VIREO_FUZZ_RDB_DEEP") != nullptr;
  o.value.deep = deep_only;
  rdb::LoadInfo info;
  std::string err;
  rdb::Reader r(blob.data(), size);
  if (!rdb::LoadSnapshot(r, ks, o, &info, &err)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  FUZZ_CHECK(info.version >= 1 && info.version <= rdb::kMaxLoadVersion);
  FUZZ_CHECK(info.keys_loaded == TotalKeys(ks));

  // Save what loaded and load it back.
  rdb::Writer w;
  rdb::AuxFields aux;
  aux.redis_ver = "7.0.15";
  FUZZ_CHECK(rdb::WriteSnapshot(w, ks, aux, rdb::SaveOptions()));
  engine::Keyspace ks2(kDbs);
  ks2.options().SetNow(kNow);
  rdb::FileLoadOptions o2;
  o2.now_ms = kNow;
  o2.value.deep = deep_only;
  rdb::LoadInfo info2;
  std::string err2;
  rdb::Reader r2(w.buffer().data(), w.buffer().size());
  bool ok = rdb::LoadSnapshot(r2, ks2, o2, &info2, &err2);
  if (!ok) fprintf(stderr, "reload failed: %s\n", err2.c_str());
  FUZZ_CHECK(ok);
  FUZZ_CHECK(info2.version == rdb::kVersion && info2.keys_expired == 0);
  for (int i = 0; i < kDbs; i++) FUZZ_CHECK(ks2.size(i) == ks.size(i));
  return 0;
}
