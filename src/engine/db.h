// Db: one logical database (SELECT n): the key table and the expire index.
//
// Keys live in `keys_` (Entry nodes, see object.h). Keys with a TTL also
// have an ExpireNode in `expires_`, which points at the Entry and holds the
// absolute unix time in ms; the entry's kFlagHasExpire bit says whether that
// node exists, so reading a key without TTL costs one hash lookup, not two
// (Redis looks up the expires dict on every access).
//
// Db stores and finds; it applies no policy. Expiry, LRU, events and dirty
// accounting are the Keyspace's (keyspace.h), which owns the Dbs and is
// the only user of the mutating calls here.
//
// In cluster mode the Db also keeps its keys grouped by hash slot
// (`slot_index()`, slot_index.h; EnableSlotIndex). Every key enters and
// leaves the key table through the calls below (Add, ReplaceEntry, Unlink,
// Delete, Clear, MoveContentTo, SwapContent), which keep the index in step;
// nothing else inserts into or removes from keys(). Outside cluster mode
// the index is null and costs each of those calls one untaken branch.
//
// Invariants: an ExpireNode exists iff its entry has kFlagHasExpire, and its
// `entry` pointer is the live entry (ReplaceEntry keeps it so); with a slot
// index, it holds exactly the entries of the key table.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/dict.h"
#include "engine/object.h"
#include "engine/slot_index.h"

namespace vireo::engine {

// Redis's dictExpandAllowed for the keyspace tables (defined in evict.cc):
// false when growing by `more_mem` bytes would pass maxmemory, unless the
// table is already overloaded.
bool KeyspaceExpandAllowed(size_t more_mem, double used_ratio);

struct EntryTraits {
  static std::string_view Key(const Entry* e) { return e->key(); }
  static bool ExpandAllowed(size_t more, double ratio) { return KeyspaceExpandAllowed(more, ratio); }
};

struct ExpireNode {
  ExpireNode* next;
  Entry* entry;
  int64_t when;  // unix ms
};
struct ExpireTraits {
  static std::string_view Key(const ExpireNode* n) { return n->entry->key(); }
  static bool ExpandAllowed(size_t more, double ratio) { return KeyspaceExpandAllowed(more, ratio); }
};

using KeyTable = HashTable<Entry, EntryTraits>;
using ExpireTable = HashTable<ExpireNode, ExpireTraits>;

class Db {
 public:
  explicit Db(int id) : id_(id) {}
  ~Db() { Clear(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int id() const { return id_; }
  size_t size() const { return keys_.size(); }
  size_t expires_size() const { return expires_.size(); }

  Entry* Find(std::string_view key) { return keys_.Find(key); }
  Entry** FindLink(std::string_view key) { return keys_.FindLink(key); }

  // Adds an entry whose key is absent.
  void Add(Entry* e) {
    keys_.Insert(e);
    if (slots_) [[unlikely]] slots_->Add(e);
  }
  // Replaces the entry at `link` (same key) with `e`, freeing the old one
  // unless free_old is false (the caller then owns it). keep_ttl moves the
  // TTL to the new entry; otherwise it is removed.
  void ReplaceEntry(Entry** link, Entry* e, bool keep_ttl, bool free_old = true);
  // Removes the key and its TTL and frees the entry. False when absent.
  bool Delete(std::string_view key);
  // Removes the key and its TTL from the tables without freeing the entry
  // (RENAME/MOVE/lazyfree). Returns nullptr when absent.
  Entry* Unlink(std::string_view key);

  // TTL: absolute unix ms, or -1 when the key has none.
  int64_t GetExpire(const Entry* e);
  void SetExpire(Entry* e, int64_t when_ms);
  // Removes the TTL; false when there was none.
  bool RemoveExpire(Entry* e);
  static bool IsExpiredAt(int64_t when_ms, int64_t now_ms) { return when_ms < now_ms; }

  // Frees everything.
  void Clear();
  // Moves the whole content into `other` (which must be empty) in O(1).
  void MoveContentTo(Db& other);
  // Exchanges contents with another db (SWAPDB, a replica's swapdb load).
  void SwapContent(Db& other);

  // Starts grouping keys by cluster hash slot (cluster mode), indexing the
  // keys already here. A Db keeps its choice through SwapContent: contents
  // arriving from a Db without an index are indexed on arrival, in O(keys).
  // MoveContentTo hands the index over with the content (the receiver is
  // on its way to the lazyfree thread) and starts an empty one.
  void EnableSlotIndex();
  bool slot_index_enabled() const { return slots_ != nullptr; }
  // The index, or nullptr outside cluster mode.
  const SlotIndex* slot_index() const { return slots_.get(); }
  // The cron's step of the index's incremental resizes (SlotIndex::
  // MigrateSome); true while some remain.
  bool MigrateSlots(size_t cells) { return slots_ && slots_->MigrateSome(cells); }

  KeyTable& keys() { return keys_; }
  ExpireTable& expires() { return expires_; }

  // Running average TTL estimate for INFO keyspace (Redis's db->avg_ttl).
  long long avg_ttl = 0;
  // Active expire cursor into expires_ (Redis's db->expires_cursor).
  uint64_t expires_cursor = 0;

 private:
  // Rebuilds the index from keys_ (contents that came from an unindexed Db).
  void ReindexSlots();

  int id_;
  KeyTable keys_;
  ExpireTable expires_;
  std::unique_ptr<SlotIndex> slots_;
};

}  // namespace vireo::engine
