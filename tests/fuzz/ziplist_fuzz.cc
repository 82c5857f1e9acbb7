// libFuzzer target for persistence/ziplist: the legacy list/hash/zset
// encoding the RDB loader meets in files of RDB versions 7-9 (and in DUMP
// payloads of those versions), which it validates and converts into a
// listpack. The input is the ziplist blob itself.
//
// Invariants checked (abort on violation):
//  - nothing reads outside [data, data + size) (ASan: the blob is copied
//    into an exact-size heap buffer);
//  - deep acceptance implies shallow acceptance;
//  - ToListpack succeeds exactly when the deep validation does, and gives
//    a valid listpack with the same number of elements, whose elements
//    have the same text as the ziplist's entries in the same order;
//  - PairsToListpack succeeds exactly when ValidatePairsNoDups does, only
//    for a deep-valid ziplist with an even count, and then has the same
//    bytes as ToListpack.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/encoding/listpack.h"
#include "fuzz_check.h"
#include "persistence/ziplist.h"

namespace lp = vireo::engine::lp;
namespace zl = vireo::persistence::ziplist;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("ziplist_fuzz", cond)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  const uint8_t* p = blob.data();
  uint32_t count = 0;
  bool deep = vireo::fuzz::ShallowImpliedByDeep(
      "ziplist_fuzz", [&](bool d) { return zl::ValidateIntegrity(p, size, d, &count); });

  uint8_t* l = zl::ToListpack(p, size);
  FUZZ_CHECK((l != nullptr) == deep);
  if (l != nullptr) {
    FUZZ_CHECK(lp::ValidateIntegrity(l, lp::Bytes(l), true));
    FUZZ_CHECK(lp::Length(l) == count);
    const uint8_t* e = lp::First(l);
    bool walked = zl::ForEach(p, size, [&](const zl::Entry& z) {
      FUZZ_CHECK(e != nullptr);
      char a[32], b[32];
      FUZZ_CHECK(z.ToString(a) == lp::Get(e).ToString(b));
      e = lp::Next(l, e);
      return true;
    });
    FUZZ_CHECK(walked && e == nullptr);
  }

  uint8_t* pairs = zl::PairsToListpack(p, size);
  FUZZ_CHECK((pairs != nullptr) == zl::ValidatePairsNoDups(p, size));
  if (pairs != nullptr) {
    FUZZ_CHECK(deep && count % 2 == 0);
    FUZZ_CHECK(lp::Bytes(pairs) == lp::Bytes(l) && memcmp(pairs, l, lp::Bytes(l)) == 0);
    lp::Free(pairs);
  }
  if (l != nullptr) lp::Free(l);
  return 0;
}
