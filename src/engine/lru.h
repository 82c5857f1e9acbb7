// LRU / LFU data of a key (Entry::lru, Redis's robj->lru).
//
// Under an LFU maxmemory-policy the field holds (minutes << 8 | log counter),
// otherwise the LRU clock in seconds. The functions are Redis's (evict.c):
// the same counters, the same decay, so OBJECT FREQ / IDLETIME answer the
// same numbers and eviction (later) picks the same victims.
#pragma once

#include <cstdint>

#include "engine/keyspace_options.h"
#include "engine/object.h"

namespace vireo::engine {

// The value of a freshly created object (Redis's createObject).
uint32_t NewObjectLfu(const KeyspaceOptions& o);
inline uint32_t NewObjectLru(const KeyspaceOptions& o) {
  return o.lfu() ? NewObjectLfu(o) : o.lru_clock();
}
// An access (the touch in Redis's lookupKey: LRU clock, or updateLFU).
void TouchLfu(Entry* e, const KeyspaceOptions& o);
inline void TouchEntry(Entry* e, const KeyspaceOptions& o) {
  if (o.lfu())
    TouchLfu(e, o);
  else
    e->lru = o.lru_clock();
}
// Redis's LFUDecrAndReturn (OBJECT FREQ).
uint64_t LfuDecrAndReturn(const Entry* e, const KeyspaceOptions& o);
// Redis's estimateObjectIdleTime, in ms (OBJECT IDLETIME).
uint64_t EstimateIdleTimeMs(const Entry* e, const KeyspaceOptions& o);
// Redis's objectSetLRUOrLFU for a loaded / restored key: the LFU counter
// (0..255) under an LFU policy, else the idle time in seconds; a negative
// value means "not given". True when something was set.
bool SetLruOrLfu(Entry* e, int64_t lfu_freq, int64_t lru_idle_s, const KeyspaceOptions& o);

}  // namespace vireo::engine
