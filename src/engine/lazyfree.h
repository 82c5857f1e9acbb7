// Lazyfree: freeing big values and whole databases on a background thread
// (Redis's lazyfree.c + the BIO_LAZY_FREE worker).
//
// Who uses it: the Keyspace (UNLINK, DEL with lazyfree-lazy-user-del, expiry
// with lazyfree-lazy-expire, overwrites with lazyfree-lazy-server-del, and
// Flush(async) for FLUSHALL/FLUSHDB ASYNC and lazyfree-lazy-user-flush).
//
// Thread contract: the worker only releases memory handed to it — entries
// already unlinked from every table and Db objects that own detached tables.
// It touches nothing else: the allocator's counter base::g_used_memory is
// atomic, and the two counters below are atomics. Anything a value's free
// routine would share with the main thread (shared objects, module state)
// must not be freed here; such types must report an effort of 1 so they are
// always freed synchronously.
//
// Like Redis, a single value goes to the background only when freeing it is
// expensive: its "free effort" (roughly its number of allocations, from the
// value table in value.h) must exceed kThreshold. Strings are one
// allocation, so they are always freed in place.
#pragma once

#include <cstddef>
#include <memory>

#include "engine/db.h"
#include "engine/object.h"

namespace vireo::engine::lazyfree {

// Redis's LAZYFREE_THRESHOLD.
inline constexpr size_t kThreshold = 64;

// Frees an unlinked entry: in the background when `lazy` and its effort is
// above the threshold (Redis's freeObjAsync), otherwise now.
void FreeEntry(Entry* e, bool lazy);

// Frees a Db object (and everything in its tables) in the background. The Db
// must not be reachable from the server any more (Redis's emptyDbAsync hands
// over the old dicts the same way). Its keys count as pending objects until
// they are freed.
void FreeDbAsync(std::unique_ptr<Db> db);

// Blocks until every queued job has been freed (tests, shutdown).
void Drain();

// INFO fields: lazyfree_pending_objects (Memory) and lazyfreed_objects (Stats).
size_t PendingObjects();
size_t FreedObjects();
// CONFIG RESETSTAT resets lazyfreed_objects (Redis's lazyfreeResetStats).
void ResetStats();

}  // namespace vireo::engine::lazyfree
