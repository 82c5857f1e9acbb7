// Keyspace policy on top of engine::Db: lazy expiry, hit/miss stats, LRU
// touch, WATCH invalidation, and the key-level side effects every write
// command needs. Command handlers use these, never Db directly for lookups,
// so the side effects happen exactly once and in Redis's order.
#pragma once

#include <string_view>

#include "engine/db.h"
#include "server/client.h"

namespace vireo::server {

// Lookup flags (Redis's LOOKUP_*).
enum LookupFlag : int {
  kLookupNone = 0,
  kLookupNoTouch = 1,   // do not update the LRU/LFU
  kLookupNoStats = 2,   // do not count keyspace hits/misses
  kLookupWrite = 4,     // lookup for a write (no stats)
  kLookupNoExpire = 8,  // do not delete an expired key
};

// Returns the live entry for `key` in the client's db, deleting it first if
// it is logically expired (lazy expiry). Counts hits/misses unless
// kLookupNoStats/kLookupWrite.
engine::Entry* LookupKey(Client& c, engine::Db* db, std::string_view key, int flags = kLookupNone);
inline engine::Entry* LookupRead(Client& c, std::string_view key, int flags = kLookupNone) {
  return LookupKey(c, c.db, key, flags);
}
inline engine::Entry* LookupWrite(Client& c, std::string_view key) {
  return LookupKey(c, c.db, key, kLookupWrite);
}

// True if the key exists with a TTL in the past (no deletion).
bool KeyIsExpired(engine::Db* db, engine::Entry* e);
// Deletes an expired key as Redis's deleteExpiredKeyAndPropagate does:
// stats, WATCH, propagation of DEL.
void DeleteExpiredKey(engine::Db* db, std::string_view key);

// Stores `e` under its key: adds it, or replaces the existing entry
// (keep_ttl keeps the old TTL, as SET KEEPTTL). Signals WATCH.
void SetKey(Client& c, engine::Db* db, engine::Entry* e, bool keep_ttl);
// Replaces the entry of an existing key found via its link, keeping the TTL
// (used when a value must move to a new allocation, e.g. APPEND).
void ReplaceValue(engine::Db* db, engine::Entry** link, engine::Entry* e);
// Deletes a key (sync or lazy per config), signals WATCH. False if absent.
bool DeleteKey(Client& c, engine::Db* db, std::string_view key, bool lazy = false);

// WATCH support.
void SignalModifiedKey(engine::Db* db, std::string_view key);
// FLUSHDB/FLUSHALL/SWAPDB: marks watchers of keys that exist in `db`
// (or in `other`, for SWAPDB) dirty.
void TouchAllWatchedKeysInDb(engine::Db* db, engine::Db* other);
void WatchKey(Client& c, std::string_view key);
void UnwatchAllKeys(Client& c);
bool IsWatchedKeyExpired(Client& c);

// Whether Redis would hold this value as one of its shared integers
// (0..9999, unless maxmemory with an LRU/LFU policy disables sharing);
// OBJECT REFCOUNT and DEBUG OBJECT report them as refcount 2147483647.
bool IsSharedInteger(const engine::Entry* e);

// Frees an entry possibly in the background (lazyfree for big values).
void FreeEntryMaybeLazy(engine::Entry* e, bool lazy);
// Empties databases: dbnum -1 = all. Returns number of keys removed (-1 for
// a bad dbnum). Watchers of existing keys are touched first; async hands the
// old tables to the lazyfree thread.
long long EmptyData(int dbnum, bool async);

// Redis's expireIfNeeded: deletes `key` if it is logically expired (stats,
// WATCH, DEL propagation). True when the key was expired.
bool ExpireIfNeeded(engine::Db* db, std::string_view key);

// LRU / LFU data in Entry::lru (Redis's robj->lru). Under an LFU
// maxmemory-policy it holds (minutes << 8 | log counter), else the LRU clock.
bool LfuPolicy();
// The value of a freshly created object (Redis's createObject).
uint32_t NewObjectLru();
// An access (Redis's lookupKey touch: LRU clock, or updateLFU).
void TouchEntry(engine::Entry* e);
// Redis's LFUDecrAndReturn (OBJECT FREQ).
uint64_t LfuDecrAndReturn(const engine::Entry* e);
// Redis's estimateObjectIdleTime, in ms (OBJECT IDLETIME).
uint64_t EstimateIdleTimeMs(const engine::Entry* e);

// Moves the value of an unlinked entry under another key (RENAME): returns a
// new entry with the same type, encoding, LRU and value; the old entry's
// block is released without freeing the value.
engine::Entry* RekeyEntry(engine::Entry* e, std::string_view newkey);
// Deep copy of a value under another key (COPY; Redis's dup*Object): a new
// object with a fresh LRU. Strings are built in; each aggregate type
// registers its copier. nullptr when the type has none.
using DupFn = engine::Entry* (*)(const engine::Entry* e, std::string_view newkey);
void RegisterDup(engine::ObjType type, DupFn fn);
engine::Entry* DupEntry(const engine::Entry* e, std::string_view newkey);

}  // namespace vireo::server
