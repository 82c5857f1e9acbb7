// Keyspace: the databases and the rules every key obeys.
//
// Owns the `Db`s (SELECT 0..n-1) and is the only way the rest of the server
// reads or changes keys. It applies Redis's keyspace rules in one place:
//  - lazy expiry: a lookup of a logically expired key deletes it first
//    (Redis's lookupKey/expireIfNeeded), except while clients are paused
//    (the dataset is kept constant then, as Redis does);
//  - access tracking: hit/miss statistics and the LRU clock / LFU counter,
//    per the LOOKUP_* flags the command asked for;
//  - every mutation is reported once to the KeyspaceListener (WATCH,
//    notifications, tracking and propagation of expiry DELs hang there) and
//    counted in `dirty` in Redis's amounts (rdb_changes_since_last_save);
//  - lazyfree: big values and whole databases are freed on the background
//    thread when the lazyfree-* options say so;
//  - the active expire cycle and the cron's table resizing.
//
// It knows nothing of clients, replies or the server: its configuration and
// clock come in `options()` (keyspace_options.h), results are OpStatus.
// Type-specific operations (strings today, lists... later) are free
// functions in engine/types/, built on the primitives here.
//
// Entry pointers returned by lookups stay valid until the next mutation of
// the same database.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/db.h"
#include "engine/keyspace_listener.h"
#include "engine/keyspace_options.h"
#include "engine/lru.h"
#include "engine/op_status.h"

namespace vireo::engine {

// Lookup flags (Redis's LOOKUP_*).
enum LookupFlag : int {
  kLookupRead = 0,        // a read: hit/miss stats, LRU touch, keymiss event
  kLookupNoTouch = 1,     // do not update the LRU/LFU
  kLookupNoNotify = 2,    // no keymiss event
  kLookupNoStats = 4,     // do not count hits/misses
  kLookupWrite = 8,       // a lookup for a write: no stats, no keymiss event
  kLookupNoExpire = 16,   // treat an expired key as missing without deleting it
};

// SetKey flags (Redis's SETKEY_*).
enum SetKeyFlag : int {
  kSetKeyKeepTtl = 1,   // keep the TTL of an overwritten key (SET KEEPTTL)
  kSetKeyNoSignal = 2,  // no KeyModified (DEBUG POPULATE)
};

// EXPIRE's NX/XX/GT/LT conditions.
enum ExpireFlag : int { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

struct KeyspaceStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  double expired_stale_perc = 0;
  uint64_t expired_time_cap_reached_count = 0;
  uint64_t expire_cycle_time_used = 0;  // us
};

// Redis's updateDictResizePolicy: while a fork child is alive, no table of
// any kind grows unless 5x overloaded (copy-on-write would copy it all).
void SetTableResizeAllowed(bool allowed);

class Keyspace {
 public:
  explicit Keyspace(int num_dbs);
  ~Keyspace();
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  KeyspaceOptions& options() { return options_; }
  const KeyspaceOptions& options() const { return options_; }
  // The listener receives every change; null restores the no-op listener.
  void set_listener(KeyspaceListener* l) { listener_ = l ? l : &null_listener_; }
  KeyspaceListener& listener() { return *listener_; }
  // What the listener wants, so that a server with no watcher and no
  // notification pays no call per write (Redis returns early the same way:
  // touchWatchedKey with no watched keys, notifyKeyspaceEvent for a class
  // not in notify-keyspace-events). `modified_interest` counts the parties
  // that need KeyModified (WATCH with watched keys, tracking); `event_mask`
  // holds the notify:: classes KeyEvent is wanted for.
  void AddModifiedInterest(int delta) { modified_interest_ += delta; }
  void set_event_mask(int mask) { event_mask_ = mask; }
  // Parties waiting for KeyReady (clients blocked on keys).
  void AddReadyInterest(int delta) { ready_interest_ += delta; }

  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  bool valid_db(int64_t i) const { return i >= 0 && i < num_dbs(); }
  Db& db(int i) { return *dbs_[static_cast<size_t>(i)]; }
  const Db& db(int i) const { return *dbs_[static_cast<size_t>(i)]; }
  size_t size(int db) const { return dbs_[static_cast<size_t>(db)]->size(); }

  KeyspaceStats& stats() { return stats_; }
  // Changes since the last save (Redis's server.dirty).
  long long dirty = 0;

  // --- lookups -------------------------------------------------------------
  // The live entry for `key`, or nullptr (Redis's lookupKey).
  Entry* Find(int db, std::string_view key, int flags = kLookupRead);
  // Like Find, but kWrongType when the key holds another type.
  OpResult<Entry*> FindOfType(int db, std::string_view key, ObjType type, int flags = kLookupRead);
  // True when the key exists and is logically expired (no deletion).
  bool IsExpired(int db, const Entry* e) const;
  bool IsExpired(int db, std::string_view key);
  // Deletes `key` when it is logically expired (Redis's expireIfNeeded);
  // true when it was expired.
  bool ExpireIfNeeded(int db, std::string_view key);
  // Absolute unix ms, or -1 without a TTL.
  int64_t GetExpire(int db, const Entry* e) { return this->db(db).GetExpire(e); }

  // --- writes (each reports to the listener) -------------------------------
  // Redis's setKey: stores `e` (ownership taken) under its key, adding it or
  // overwriting the current value; the TTL goes unless kSetKeyKeepTtl.
  // Emits "new" for an added key. Does not count dirty (callers do).
  void SetKey(int db, Entry* e, int flags = 0);
  // The same at a link from FindLinkForWrite (nullptr: the key is absent),
  // sparing a second hash lookup. No mutation may happen in between.
  void SetKeyAt(int db, Entry** link, Entry* e, int flags = 0) {
    if (link) {
      Overwrite(db, link, e, flags);
    } else {
      e->lru = NewObjectLru(options_);
      D(db).Add(e);
      Event(notify::kNew, "new", db, e->key());
    }
    if (!(flags & kSetKeyNoSignal)) SignalModified(db, e->key());
    SignalReady(db, e->key());
  }
  // Reports a keyspace event (notification) for `key`.
  void Event(int type_class, std::string_view event, int db, std::string_view key) {
    if (event_mask_ & type_class) listener_->KeyEvent(type_class, event, db, key);
  }
  // Replaces the entry at `link` (same key) by `e`, keeping TTL and LRU: a
  // value that must move to a new allocation (APPEND, INCR of a string).
  // No signal: the caller's operation reports its change with Modified().
  void ReplaceEntry(int db, Entry** link, Entry* e);
  // The link of the live entry for a write (expired keys deleted first).
  // Inline: every write starts here.
  Entry** FindLinkForWrite(int db, std::string_view key) {
    Entry** link = D(db).FindLink(key);
    if (link == nullptr) return nullptr;
    if ((*link)->has_expire() && IsExpired(db, *link)) return ExpiredForWrite(db, key);
    TouchEntry(*link, options_);
    return link;
  }
  // Reports a change made in place: KeyModified, the event, dirty += n.
  void Modified(int db, std::string_view key, int type_class, std::string_view event,
                long long dirty_incr = 1);
  // Removes a key whose aggregate value became empty (the last element
  // popped or removed): the "del" event after the command's own event, no
  // KeyModified (the caller's Modified() signalled) and no dirty (the
  // command counted its elements), freed per lazyfree-lazy-server-del, as
  // Redis's dbDelete + notifyKeyspaceEvent("del") in every type command.
  void DeleteEmptied(int db, std::string_view key);
  // RESTORE's store (restoreCommand after the payload is decoded): with
  // `replace` the current key goes first (no event, as dbDelete); a TTL
  // already past stores nothing and returns kSkipped (a replaced key is
  // then reported as deleted); otherwise "new" + "restore", dirty++. The
  // entry's LRU/LFU is the caller's. *deleted: a key was replaced.
  OpStatus Restore(int db, Entry* e, int64_t when_ms, bool replace, bool* deleted);
  // A user deletion (DEL, UNLINK, GETDEL): "del" event, dirty++.
  // False when the key does not exist.
  bool Delete(int db, std::string_view key, bool lazy);

  // The EXPIRE family on an existing key: kNotFound, kSkipped (a condition
  // failed), or kOk with *deleted set when `when_ms` is already past on a
  // master (the key is deleted, as Redis does).
  OpStatus Expire(int db, std::string_view key, int64_t when_ms, int flags, bool* deleted);
  // Sets the TTL of a live entry, reporting nothing (Redis's setExpire; the
  // caller's operation reports its change).
  void SetExpire(int db, Entry* e, int64_t when_ms) { SetTtl(db, e, when_ms); }
  // Removes the TTL; false when the key has none (or does not exist).
  bool Persist(int db, std::string_view key);

  // RENAME / RENAMENX: kNotFound, kExists (NX and the target exists),
  // kSkipped (a key renamed to itself: nothing to do), or kOk.
  OpStatus Rename(int db, std::string_view src, std::string_view dst, bool nx);
  // MOVE: kSameObject, kNotFound, kExists, kOk.
  OpStatus Move(int src_db, std::string_view key, int dst_db);
  // COPY: kSameObject, kNotFound, kExists (no REPLACE), kUnknownType (a
  // type without a dup operation), kOk.
  OpStatus Copy(int src_db, std::string_view key, int dst_db, std::string_view newkey,
                bool replace);
  // FLUSHDB (db >= 0) / FLUSHALL (db == -1): returns the keys removed and
  // counts them in dirty. async hands the old tables to the lazyfree thread.
  long long Flush(int db, bool async);
  // SWAPDB: exchanges the contents; dirty++.
  void SwapDb(int db1, int db2);
  // Takes every database of `loaded` (a replica's diskless load with
  // repl-diskless-load swapdb) and frees what was here (on the lazyfree
  // thread with `async`); watchers see a flush.
  void AdoptContents(Keyspace& loaded, bool async);

  // --- iteration -------------------------------------------------------------
  // A random live key (RANDOMKEY), expired keys deleted on the way; false
  // when the database is empty.
  bool RandomKey(int db, std::string* key);
  // One SCAN step over the key table: at most count*10 buckets, keys
  // appended to *out; returns the next cursor.
  uint64_t ScanKeys(int db, uint64_t cursor, int64_t count, std::vector<std::string>* out);

  // Eviction (engine/evict.h picks the key): removes `key` as Redis's
  // performEvictions does — freed lazily when `lazy`, evicted_keys++,
  // KeyModified, the "evicted" event, then KeyEvicted (the DEL/UNLINK).
  // False when the key does not exist. *freed (when given) gets the bytes
  // the deletion itself gave back, measured before the reports (whose
  // invalidation messages and DELs may allocate).
  bool Evict(int db, std::string_view key, bool lazy, long long* freed = nullptr);

  // --- cluster hash slots (cluster mode) ----------------------------------
  // Groups the keys of every database by hash slot (slot_index.h), so the
  // calls below cost O(1) or O(keys in the slot). Called once at startup in
  // cluster mode, before any key exists (keys already there are indexed).
  // Outside cluster mode nothing is indexed and these see no keys.
  void EnableSlotIndex();
  bool slot_index_enabled() const { return db(0).slot_index_enabled(); }
  // The calls below act on db 0, the only database of a cluster node (as
  // Redis's server.db). Logically expired keys count and are listed until
  // something deletes them, as in Redis (no lazy expiry here).
  // CLUSTER COUNTKEYSINSLOT.
  size_t CountKeysInSlot(int slot) const;
  // CLUSTER GETKEYSINSLOT: up to `max` names of the slot's keys, appended.
  void GetKeysInSlot(int slot, size_t max, std::vector<std::string>* out) const;
  // Redis 7.0.15's delKeysInSlot (a node that lost a slot drops its keys):
  // returns how many keys were deleted. Reports nothing (see keyspace.cc).
  unsigned DeleteKeysInSlot(int slot);
  // Calls fn(Entry*) for each key of the slot (for MIGRATE-style batches);
  // fn may return bool, false stopping the walk. fn must not add or remove
  // keys of db 0 (collect them and act afterwards).
  template <class F>
  void ForEachKeyInSlot(int slot, F&& fn) const {
    if (const SlotIndex* idx = db(0).slot_index()) idx->ForEach(slot, fn);
  }

  // --- background work (the server's cron and loop) ----------------------
  // Redis 7.0's activeExpireCycle (fast or slow). Returns the us spent.
  int64_t ActiveExpireCycle(bool fast, int hz);
  // A writable replica's own expiry (Redis's expireSlaveKeys): the keys
  // that got a TTL from our clients, not from the master, which will never
  // send their DELs. Samples them at random, deletes the expired ones, and
  // stops after 3 live ones or about 1 ms. Once per cron on a replica.
  void ExpireReplicaKeys();
  // INFO stats slave_expires_tracked_keys.
  size_t replica_keys_with_expire() const { return replica_expire_keys_.size(); }
  // Shrinks oversized tables and spends up to budget_us on incremental
  // rehashing (Redis's tryResizeHashTables + incrementallyRehash), then on
  // the slot index's resizes.
  void CronResize(int64_t budget_us);

 private:
  Db& D(int i) { return *dbs_[static_cast<size_t>(i)]; }
  // Empties a database (on the lazyfree thread with `async`).
  static void ClearDb(Db& d, bool async);
  // Redis's deleteExpiredKeyAndPropagate.
  void DeleteExpired(int db, std::string_view key);
  // Every TTL goes through here (Redis's setExpire): on a writable replica
  // a key given a TTL outside the master's stream is remembered.
  void SetTtl(int db, Entry* e, int64_t when_ms);
  // key -> bitmap of the dbs (0..63) where it got such a TTL.
  std::unordered_map<std::string, uint64_t> replica_expire_keys_;
  // FindLinkForWrite's expired case: deletes the key (unless paused); nullptr.
  Entry** ExpiredForWrite(int db, std::string_view key);
  // RENAME/MOVE/COPY: adds an entry for a key known to be absent ("new"
  // event) with the source's TTL (-1 = none).
  void AddMoved(int db, Entry* e, int64_t expire);
  // SetKeyAt's overwrite (Redis's dbOverwrite).
  void Overwrite(int db, Entry** link, Entry* e, int flags);
  void SignalReady(int db, std::string_view key) {
    if (ready_interest_ > 0) listener_->KeyReady(db, key);
  }
  void SignalModified(int db, std::string_view key) {
    if (modified_interest_ > 0) listener_->KeyModified(db, key);
  }
  // Frees an unlinked entry, in the background when lazy and big.
  void Release(Entry* e, bool lazy);

  std::vector<std::unique_ptr<Db>> dbs_;
  KeyspaceOptions options_;
  KeyspaceStats stats_;
  NullKeyspaceListener null_listener_;
  KeyspaceListener* listener_ = &null_listener_;
  int modified_interest_ = 0;
  int event_mask_ = 0;
  int ready_interest_ = 0;
  // Active expire cycle state (Redis's statics in activeExpireCycle).
  unsigned expire_current_db_ = 0;
  bool expire_timelimit_exit_ = false;
  int64_t expire_last_fast_cycle_us_ = 0;
  int resize_db_cursor_ = 0;
};

}  // namespace vireo::engine
