// libFuzzer target for persistence/zipmap: the small-hash encoding of
// Redis 2.4 RDB files (RDB_TYPE_HASH_ZIPMAP), which the RDB loader
// validates and converts into a listpack of field,value pairs. The input is
// the zipmap blob itself.
//
// Invariants checked (abort on violation):
//  - nothing reads outside [data, data + size) (ASan: the blob is copied
//    into an exact-size heap buffer), in the validator and in ToListpack,
//    which must be safe on blobs the validator refused too;
//  - deep acceptance implies shallow acceptance;
//  - on a deep-valid zipmap ToListpack fails only the way Redis's loader
//    does (a duplicate field or a pair too big: *has_dups);
//  - a listpack it returns is valid, holds pairs with distinct fields, and
//    no element longer (as text) than *maxlen.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "engine/encoding/listpack.h"
#include "fuzz_check.h"
#include "persistence/zipmap.h"

namespace lp = vireo::engine::lp;
namespace zm = vireo::persistence::zipmap;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("zipmap_fuzz", cond)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  const uint8_t* p = blob.data();
  bool deep = vireo::fuzz::ShallowImpliedByDeep(
      "zipmap_fuzz", [&](bool d) { return zm::ValidateIntegrity(p, size, d); });

  bool has_dups = false;
  size_t maxlen = 0;
  uint32_t bad_flen = 0;
  uint8_t* l = zm::ToListpack(p, size, &has_dups, &maxlen, &bad_flen);
  if (deep && l == nullptr) FUZZ_CHECK(has_dups);
  if (l == nullptr) return 0;
  FUZZ_CHECK(!has_dups);
  FUZZ_CHECK(lp::ValidateIntegrity(l, lp::Bytes(l), true));
  FUZZ_CHECK(lp::Length(l) % 2 == 0);
  std::set<std::string> fields;
  size_t i = 0;
  for (const uint8_t* e = lp::First(l); e != nullptr; e = lp::Next(l, e), i++) {
    char buf[32];
    std::string_view s = lp::Get(e).ToString(buf);
    FUZZ_CHECK(s.size() <= maxlen);
    if (i % 2 == 0) FUZZ_CHECK(fields.insert(std::string(s)).second);
  }
  lp::Free(l);
  return 0;
}
