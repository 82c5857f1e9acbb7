// libFuzzer target for engine/encoding/intset's validator.
//
// RESTORE and the RDB loader will hand intset blobs from the network or a
// file to intset::ValidateIntegrity before reading them in place, so the
// validator must reject every malformed blob without reading outside it, and
// every blob it accepts must be safe to use. The input is the blob itself;
// the first byte (when present) also picks an operation mix run on an
// accepted copy.
//
// Invariants checked (abort on violation):
//  - ValidateIntegrity never reads outside [data, data + size) (ASan: the
//    blob is copied into an exact-size heap buffer);
//  - deep acceptance implies shallow acceptance;
//  - an accepted blob has BlobLen == size, a valid encoding, a length >= 1,
//    and (deep) strictly ascending values that Search/Find locate;
//  - Add/Remove/Random on a copy of an accepted blob keep it valid.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/encoding/intset.h"

namespace is = vireo::engine::intset;

#define FUZZ_CHECK(cond)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "intset_fuzz: check failed: %s (line %d)\n", #cond, __LINE__); \
      abort();                                                               \
    }                                                                        \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> blob(data, data + size);  // exact size: ASan sees overreads
  const uint8_t* p = blob.empty() ? nullptr : blob.data();
  bool shallow = is::ValidateIntegrity(p, size, false);
  bool deep = is::ValidateIntegrity(p, size, true);
  if (deep) FUZZ_CHECK(shallow);
  if (!shallow) return 0;

  uint32_t enc = is::Encoding(p);
  FUZZ_CHECK(enc == is::kEnc16 || enc == is::kEnc32 || enc == is::kEnc64);
  FUZZ_CHECK(is::Length(p) >= 1);
  FUZZ_CHECK(is::BlobLen(p) == size);
  if (!deep) return 0;

  // Iterate and look every value up.
  uint32_t n = is::Length(p);
  for (uint32_t i = 0; i < n; i++) {
    int64_t v = is::Get(p, i);
    if (i > 0) FUZZ_CHECK(is::Get(p, i - 1) < v);
    uint32_t pos;
    FUZZ_CHECK(is::Search(p, v, &pos) && pos == i);
  }
  int64_t r = is::Random(p);
  FUZZ_CHECK(r >= is::Min(p) && r <= is::Max(p));

  // Mutate a base::Alloc'd copy: it stays valid.
  uint8_t* c = is::Dup(p);
  uint8_t op = data[0];
  bool changed;
  c = is::Add(c, static_cast<int64_t>(op) * 1000003 - 500000, &changed);
  c = is::Add(c, (op & 1) ? INT64_MIN : INT64_MAX, &changed);
  c = is::Remove(c, is::Get(c, is::Length(c) / 2), &changed);
  FUZZ_CHECK(changed);
  FUZZ_CHECK(is::ValidateIntegrity(c, is::BlobLen(c), true));
  is::Free(c);
  return 0;
}
