// SlotIndex: the keys of a database grouped by cluster hash slot (Redis
// 7.0's slots_to_keys), so that CLUSTER COUNTKEYSINSLOT is O(1) and listing
// or deleting a slot's keys costs O(keys in the slot), not a walk of the
// whole keyspace. Only a cluster-mode server has one (Db::EnableSlotIndex);
// Db keeps it in step with its key table on every add, replace and removal.
//
// Why this shape: Redis 7.0 threads a doubly-linked list per slot through
// 16 bytes of metadata it adds to every dictEntry (24 -> 40 bytes, the
// 32 -> 48 jemalloc class; measured: DEBUG POPULATE 1000000 takes 16.0
// bytes a key more with cluster-enabled yes, plus its 256 KB slot table).
// Our Entry has no spare room and must not grow for servers outside
// cluster mode, so the index lives beside the table: per slot, an
// open-addressing set of Entry pointers (linear probing, hashed by the
// pointer's address, at most 3/4 full, shrunk below 1/8 full). Array sizes
// follow jemalloc's size classes (growth about x1.25), so a key costs 8
// bytes over the load, 10.7 to 13.3 bytes: 11.9 a key all told for those
// 1M keys, 256 KB slot table included (slot_index_test.cc measures it). A
// per-slot chained table of small {next, Entry*} nodes, the other obvious
// choice, pays a 16-byte node plus its bucket: 24 bytes or more.
//
// Removal hashes the pointer, not the key, so it is one probe sequence
// plus the CRC16 of the key (which Redis also computes on every delete);
// ReplaceEntry (a value moving to a new allocation) takes the old pointer
// out and puts the new one in. Deletions shift later cells back (no
// tombstones in the live array).
//
// Why incremental resizing: all keys may share one slot (one hash tag);
// doubling a set of millions of pointers at once would stall the server
// for milliseconds. Arrays of more than kIncrementalCells cells move to the
// new array kMigrateStep cells per add/remove of that slot, as dict.c
// rehashes. While moving, a lookup that misses the new array probes the
// old one, where removed and already-moved cells become tombstones so the
// old probe chains stay intact; the cron moves cells too (MigrateSome, with
// the tables' incremental rehashing). Smaller arrays resize at once.
//
// Iteration order is arbitrary (Redis returns the most recently added
// first; nothing relies on it). Entry pointers in the index are never
// dereferenced except for the key's slot on removal; freeing a whole table
// only frees the arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "base/crc16.h"
#include "engine/object.h"

namespace vireo::engine {

class SlotIndex {
 public:
  static constexpr int kSlots = base::kClusterSlots;
  // Arrays up to this many cells are rebuilt at once when resized.
  static constexpr uint32_t kIncrementalCells = 4096;
  // Cells of the old array moved per add/remove while resizing.
  static constexpr size_t kMigrateStep = 64;

  SlotIndex() = default;
  ~SlotIndex() { Clear(); }
  SlotIndex(const SlotIndex&) = delete;
  SlotIndex& operator=(const SlotIndex&) = delete;

  // Adds an entry that is not in the index.
  void Add(Entry* e) { AddToSlot(base::KeyHashSlot(e->key()), e); }
  // Removes an entry that is in the index (its key bytes must be readable).
  void Remove(Entry* e) { RemoveFromSlot(base::KeyHashSlot(e->key()), e); }
  // `e` takes the place of `old` (same key).
  void Replace(Entry* old, Entry* e);
  // Forgets every entry and frees every array.
  void Clear();

  // Advances the resizes in progress by up to `cells` cells in all (the
  // cron's share, so that an old array does not wait for activity on its
  // slot to be freed). True while some remain.
  bool MigrateSome(size_t cells);

  size_t size() const { return total_; }
  size_t Count(int slot) const { return slots_ ? slots_[slot].count : 0; }
  // Bytes the index allocated (its share of used_memory).
  size_t MemoryUsage() const;

  // Calls fn(Entry*) for every entry of the slot; fn may return bool, false
  // stopping the walk. fn must not add or remove keys of this database.
  template <class F>
  void ForEach(int slot, F&& fn) const {
    if (!slots_) return;
    const Slot& s = slots_[slot];
    if (s.count == 0) return;
    if (!Visit(s.cells, s.cap, fn)) return;
    if (moves_ && moves_[slot].old) Visit(moves_[slot].old, moves_[slot].old_cap, fn);
  }

 private:
  struct Slot {
    Entry** cells;     // `cap` cells; nullptr while the slot is empty
    uint32_t count;    // keys in both arrays (this one and a Move's)
    uint32_t cap;
  };
  // An incremental resize of the same slot.
  struct Move {
    Entry** old;       // the array being moved from, or nullptr
    uint32_t moved;    // its cells [0, moved) are already moved
    uint32_t old_cap;
  };
  // Set while an old cell's key was removed or moved: probes go past it.
  static Entry* Tomb() { return reinterpret_cast<Entry*>(uintptr_t{1}); }

  template <class F>
  static bool Visit(Entry* const* cells, uint32_t cap, F& fn) {
    for (size_t i = 0; i < cap; i++) {
      Entry* e = cells[i];
      if (e == nullptr || e == Tomb()) continue;
      if constexpr (std::is_same_v<decltype(fn(e)), bool>) {
        if (!fn(e)) return false;
      } else {
        fn(e);
      }
    }
    return true;
  }

  void AddToSlot(int slot, Entry* e);
  void RemoveFromSlot(int slot, Entry* e);
  // Starts a resize of the slot to `cap` cells (done at once when small).
  void Resize(int slot, uint32_t cap);
  // Moves up to n cells of the slot's old array into the new one.
  void Migrate(int slot, size_t n);
  // Drops the slot's finished or abandoned resize.
  void EndMove(int slot);
  bool Moving(int slot) const { return moves_ && moves_[slot].old; }
  // Takes e out of the slot's live or old array (the count is the caller's).
  void Unplace(int slot, Entry* e);

  // kSlots of each, allocated on the first Add / the first incremental
  // resize: 16 bytes a slot (as Redis's table) unless some slot grew big.
  Slot* slots_ = nullptr;
  Move* moves_ = nullptr;
  size_t total_ = 0;
  uint32_t moving_ = 0;     // slots with a resize in progress
  int move_cursor_ = 0;     // where MigrateSome goes on
};

}  // namespace vireo::engine
