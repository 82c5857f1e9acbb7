// Per-type value operations: one table indexed by ObjType, filled at compile
// time in value.cc from the functions each type exports (types/*.h).
//
// Why a table and not a vtable: an Entry is the whole key (one allocation,
// see object.h); a vtable pointer per key would cost 8 bytes per key for what
// is already in `Entry::type`. The generic code that must handle any value
// (freeing, lazyfree's effort estimate, COPY, MEMORY USAGE, DEBUG DIGEST,
// later RDB encode/decode) looks the type up here. A type that does not exist
// yet has a null row: the helpers below then answer as Redis would for a
// single-allocation value, or report "not supported" (DupEntry/Digest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/memory.h"
#include "engine/object.h"

namespace vireo::engine {

struct ValueOps {
  // Frees what the value owns outside the entry block (not the block).
  void (*free_value)(Entry* e);
  // Redis's lazyfreeGetFreeEffort: about how many allocations freeing takes.
  size_t (*free_effort)(const Entry* e);
  // A deep copy of the value under `newkey` (Redis's dup*Object), fresh
  // header: no TTL flag, LRU 0 (the keyspace sets it).
  Entry* (*dup)(const Entry* e, std::string_view newkey);
  // Bytes the value uses, counting `samples` elements of aggregates (0 = all)
  // as MEMORY USAGE does; includes the entry block.
  size_t (*memory_usage)(const Entry* e, size_t samples);
  // Mixes the value into a 20-byte digest (Redis's xorObjectDigest minus the
  // type and expire parts, which the caller adds).
  void (*digest)(const Entry* e, uint8_t digest[20]);
};

const ValueOps& OpsOf(ObjType t);

// Frees an entry and its value (any type). Safe on the lazyfree thread.
// Strings, the common case, are freed without the table lookup.
void FreeEntrySlow(Entry* e);
inline void FreeEntry(Entry* e) {
  if (e->otype() == ObjType::kString) {
    if (e->flags & Entry::kFlagHeapStr) base::Free(e->v.str);
    base::Free(e);
    return;
  }
  FreeEntrySlow(e);
}
// Redis's lazyfreeGetFreeEffort (1 for single-allocation values).
size_t FreeEffort(const Entry* e);
// Deep copy under another key; nullptr when the type cannot be copied yet.
Entry* DupEntry(const Entry* e, std::string_view newkey);
// MEMORY USAGE of the value (entry block included).
size_t EntryMemoryUsage(const Entry* e, size_t samples = 0);
// Mixes the value's digest; false when the type has no digest yet.
bool DigestValue(const Entry* e, uint8_t digest[20]);

// Redis's mixDigest / xorDigest over SHA-1 (DEBUG DIGEST).
void XorDigest(uint8_t digest[20], const void* p, size_t len);
void MixDigest(uint8_t digest[20], const void* p, size_t len);

}  // namespace vireo::engine
