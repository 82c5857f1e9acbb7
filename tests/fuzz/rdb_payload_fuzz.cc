// libFuzzer target for the RESTORE path of persistence/rdb_load: the input
// is a DUMP payload (type byte, value, 2-byte RDB version, 8-byte CRC64).
// As RESTORE does with a forged or unchecked CRC, the trailer is verified
// with check_crc=false, then the value is decoded twice, with
// sanitize-dump-payload's deep validation and without.
//
// Invariants checked (abort on violation):
//  - nothing reads outside the input, nothing leaks (ASan/LSan; the input
//    is copied into an exact-size heap block);
//  - a value the deep validation accepts is also accepted without it;
//  - a value that loaded is a well-formed entry: its key, an object type;
//  - a deep-loaded value (which the engine may then use freely) survives
//    the engine's walks (digest, memory usage, a copy) and DUMP: the new
//    payload verifies with its CRC, loads again (deep) to the same digest
//    and type, and its size is 1 + SerializedLength + the trailer.
// Without deep validation only values the loader built element by element
// (strings, hash tables, skiplists: nothing of the payload's blobs is kept)
// get the same checks; the others are only freed: like Redis with
// sanitize-dump-payload no, the engine trusts the blobs' insides then.
//
// VIREO_FUZZ_RDB_DEEP=1 in the environment skips the shallow decode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/keyspace_options.h"
#include "engine/object.h"
#include "engine/value.h"
#include "fuzz_check.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"

namespace rdb = vireo::persistence::rdb;
namespace engine = vireo::engine;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("rdb_payload_fuzz", cond)

namespace {

constexpr std::string_view kKey = "fuzz-key";

bool Digest(const engine::Entry* e, uint8_t out[20]) {
  memset(out, 0, 20);
  return engine::DigestValue(e, out);
}

// What a deep-loaded value must stand: the engine's walks and a DUMP /
// RESTORE round trip.
void CheckLoaded(engine::Entry* e, const engine::KeyspaceOptions& ko) {
  uint8_t d1[20], d2[20];
  FUZZ_CHECK(Digest(e, d1));
  FUZZ_CHECK(engine::EntryMemoryUsage(e) > 0);
  engine::Entry* copy = engine::DupEntry(e, "copy");
  FUZZ_CHECK(copy != nullptr);
  FUZZ_CHECK(Digest(copy, d2) && memcmp(d1, d2, 20) == 0);
  engine::FreeEntry(copy);

  for (bool compression : {true, false}) {
    std::string again = rdb::DumpPayload(e, compression);
    FUZZ_CHECK(again.size() == 1 + rdb::SerializedLength(e, compression) + rdb::kDumpTrailer);
    int ver = 0;
    FUZZ_CHECK(rdb::VerifyDumpPayload(again, true, &ver) && ver == rdb::kVersion);
    rdb::LoadOptions lo;
    lo.deep = true;
    // ReadDumpPayload's steps, with the reader's message on failure.
    rdb::Reader r(again.data() + 1, again.size() - 1 - rdb::kDumpTrailer);
    bool empty = false;
    engine::Entry* back = rdb::ReadValue(r, static_cast<uint8_t>(again[0]), kKey, ko, lo, &empty);
    if (back == nullptr) fprintf(stderr, "reload failed: %s\n", empty ? "empty" : r.error().c_str());
    FUZZ_CHECK(back != nullptr);
    FUZZ_CHECK(back->otype() == e->otype());
    FUZZ_CHECK(Digest(back, d2) && memcmp(d1, d2, 20) == 0);
    engine::FreeEntry(back);
  }
}

// Whether nothing of the payload's bytes is kept in the value, so that it
// is safe to walk even after a shallow validation.
bool BuiltByLoader(const engine::Entry* e) {
  return e->otype() == engine::ObjType::kString || e->encoding() == engine::Enc::kHashtable ||
         e->encoding() == engine::Enc::kSkiplist;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  std::string_view payload(reinterpret_cast<const char*>(blob.data()), size);
  int ver = 0;
  if (!rdb::VerifyDumpPayload(payload, false, &ver)) return 0;
  FUZZ_CHECK(ver <= rdb::kMaxLoadVersion);

  static const bool deep_only = getenv("VIREO_FUZZ_RDB_DEEP") != nullptr;
  engine::KeyspaceOptions ko;  // redis.conf defaults
  bool accepted[2] = {false, false};
  for (bool deep : {true, false}) {
    if (!deep && deep_only) {
      accepted[false] = accepted[true];
      continue;
    }
    rdb::LoadOptions lo;
    lo.deep = deep;
    uint64_t sanitized = 0;
    lo.sanitizations = &sanitized;
    engine::Entry* e = rdb::ReadDumpPayload(payload, kKey, ko, lo);
    accepted[deep] = e != nullptr;
    if (e == nullptr) continue;
    FUZZ_CHECK(e->key() == kKey);
    FUZZ_CHECK(static_cast<size_t>(e->otype()) < engine::kNumObjTypes);
    if (deep || BuiltByLoader(e)) CheckLoaded(e, ko);
    engine::FreeEntry(e);
  }
  FUZZ_CHECK(!accepted[true] || accepted[false]);
  return 0;
}
