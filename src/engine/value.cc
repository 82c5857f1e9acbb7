// See value.h. The table of per-type operations, filled at compile time.
#include "engine/value.h"

#include "base/memory.h"
#include "base/sha1.h"
#include "engine/types/hash.h"
#include "engine/types/list.h"
#include "engine/types/set.h"
#include "engine/types/string.h"
#include "engine/types/zset.h"

namespace vireo::engine {
namespace {

// Indexed by ObjType. Types that do not exist yet have null rows.
constexpr ValueOps kValueOps[kNumObjTypes] = {
    /* kString */ {str::FreeValue, str::FreeEffort, str::Dup, str::MemoryUsage, str::Digest},
    /* kList */ {list::FreeValue, list::FreeEffort, list::Dup, list::MemoryUsage, list::Digest},
    /* kSet */ {set::FreeValue, set::FreeEffort, set::Dup, set::MemoryUsage, set::Digest},
    /* kZset */ {zset::FreeValue, zset::FreeEffort, zset::Dup, zset::MemoryUsage, zset::Digest},
    /* kHash */ {hash::FreeValue, hash::FreeEffort, hash::Dup, hash::MemoryUsage, hash::Digest},
    /* kModule */ {},
    /* kStream */ {},
};

}  // namespace

const ValueOps& OpsOf(ObjType t) {
  static constexpr ValueOps kNone{};
  auto i = static_cast<size_t>(t);
  return i < kNumObjTypes ? kValueOps[i] : kNone;
}

void FreeEntrySlow(Entry* e) {
  const ValueOps& ops = OpsOf(e->otype());
  if (ops.free_value) ops.free_value(e);
  base::Free(e);
}

size_t FreeEffort(const Entry* e) {
  const ValueOps& ops = OpsOf(e->otype());
  // "Everything else is a single allocation."
  return ops.free_effort ? ops.free_effort(e) : 1;
}

Entry* DupEntry(const Entry* e, std::string_view newkey) {
  const ValueOps& ops = OpsOf(e->otype());
  return ops.dup ? ops.dup(e, newkey) : nullptr;
}

size_t EntryMemoryUsage(const Entry* e, size_t samples) {
  const ValueOps& ops = OpsOf(e->otype());
  return ops.memory_usage ? ops.memory_usage(e, samples) : base::AllocSize(e);
}

bool DigestValue(const Entry* e, uint8_t digest[20]) {
  const ValueOps& ops = OpsOf(e->otype());
  if (!ops.digest) return false;
  ops.digest(e, digest);
  return true;
}

void XorDigest(uint8_t digest[20], const void* p, size_t len) {
  base::Sha1 s;
  s.Update(p, len);
  uint8_t h[20];
  s.Final(h);
  for (int j = 0; j < 20; j++) digest[j] ^= h[j];
}

void MixDigest(uint8_t digest[20], const void* p, size_t len) {
  XorDigest(digest, p, len);
  base::Sha1 s;
  s.Update(digest, 20);
  s.Final(digest);
}

}  // namespace vireo::engine
