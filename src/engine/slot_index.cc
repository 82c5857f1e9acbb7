// See slot_index.h. The per-slot pointer sets: array sizes, probing,
// backward-shift deletion, and the (incremental) resizes.
#include "engine/slot_index.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "base/memory.h"

namespace vireo::engine {
namespace {

constexpr size_t kNotFound = ~size_t{0};

// The array sizes, in cells: 1, 2, 4, 6, then four per doubling (8, 10,
// 12, 14, 16, 20, 24, 28, 32, 40, ...). Why: they are exactly jemalloc's
// size classes (8-byte cells), so no allocation carries slack, and a grow
// is about x1.25, so a slot just grown is still 3/5 full. Powers of two
// would leave every slot of a uniformly filled keyspace half empty at once
// (1M keys: ~61 per slot, all in 128-cell arrays, 17 bytes a key).
uint32_t NextCap(uint32_t cap) {
  if (cap < 4) return cap * 2;
  if (cap < 8) return cap + 2;
  uint32_t p = 1u << (31 - __builtin_clz(cap));  // the power of two below
  return cap + p / 4;
}

// Keys an array takes before it grows: 3/4 of it (a 1-cell array: its one
// key, so a slot with a single key pays 8 bytes).
size_t MaxLoad(uint32_t cap) { return cap == 1 ? 1 : size_t{cap} * 3 / 4; }

// The smallest size that takes n keys.
uint32_t CapFor(size_t n) {
  uint32_t cap = 1;
  while (MaxLoad(cap) < n) cap = NextCap(cap);
  return cap;
}

// Fibonacci hashing of the address (the product's top bits depend on every
// bit of the pointer; the low 4 are always 0), mapped onto [0, cap) by a
// multiply instead of a modulo.
size_t Home(const Entry* e, uint32_t cap) {
  uint64_t h = (reinterpret_cast<uintptr_t>(e) * 0x9E3779B97F4A7C15ULL) >> 32;
  return static_cast<size_t>((h * cap) >> 32);
}

size_t Next(size_t i, uint32_t cap) { return i + 1 == cap ? 0 : i + 1; }

Entry** NewArray(uint32_t cap) {
  auto** a = static_cast<Entry**>(base::Alloc(size_t{cap} * sizeof(Entry*)));
  memset(a, 0, size_t{cap} * sizeof(Entry*));
  return a;
}

// Stores e in the first free cell from its home (a live array has no
// tombstones).
void Put(Entry** cells, uint32_t cap, Entry* e) {
  size_t i = Home(e, cap);
  while (cells[i] != nullptr) i = Next(i, cap);
  cells[i] = e;
}

// The cell holding e, or kNotFound. Tombstones (old arrays only) are
// passed over: they never equal e.
size_t Find(Entry* const* cells, uint32_t cap, const Entry* e) {
  for (size_t i = Home(e, cap);; i = Next(i, cap)) {
    if (cells[i] == e) return i;
    if (cells[i] == nullptr) return kNotFound;
  }
}

// Empties cell i of a live array and shifts back the later cells of its
// run that may move (linear probing's deletion without tombstones): a key
// may fill the hole unless its home lies cyclically in (hole, its cell].
void EraseAt(Entry** cells, uint32_t cap, size_t i) {
  cells[i] = nullptr;
  for (size_t j = Next(i, cap); cells[j] != nullptr; j = Next(j, cap)) {
    size_t k = Home(cells[j], cap);
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      cells[i] = cells[j];
      cells[j] = nullptr;
      i = j;
    }
  }
}

}  // namespace

void SlotIndex::Migrate(int slot, size_t n) {
  Slot& s = slots_[slot];
  Move& m = moves_[slot];
  for (; n > 0 && m.moved < m.old_cap; n--, m.moved++) {
    Entry* e = m.old[m.moved];
    if (e == nullptr || e == Tomb()) continue;
    Put(s.cells, s.cap, e);
    // Why a tombstone, not null: probes for keys not yet moved may start
    // below `moved` and must run on to them. Empty cells stay empty, so
    // every probe of the old array still ends (it was at most 3/4 full).
    m.old[m.moved] = Tomb();
  }
  if (m.moved == m.old_cap) EndMove(slot);
}

void SlotIndex::EndMove(int slot) {
  base::Free(moves_[slot].old);
  moves_[slot] = Move{};
  moving_--;
}

bool SlotIndex::MigrateSome(size_t cells) {
  for (int scanned = 0; moving_ > 0 && cells > 0 && scanned <= kSlots; scanned++) {
    if (Moving(move_cursor_)) {
      const Move& m = moves_[move_cursor_];
      size_t n = std::min<size_t>(cells, m.old_cap - m.moved);
      Migrate(move_cursor_, n);
      cells -= n;
      if (Moving(move_cursor_)) break;  // the budget ran out inside this slot
    }
    move_cursor_ = (move_cursor_ + 1) % kSlots;
  }
  return moving_ > 0;
}

void SlotIndex::Resize(int slot, uint32_t cap) {
  Slot& s = slots_[slot];
  if (Moving(slot)) Migrate(slot, moves_[slot].old_cap);  // one resize at a time
  Entry** fresh = NewArray(cap);
  if (s.cap <= kIncrementalCells) {
    for (size_t i = 0; i < s.cap; i++) {
      if (s.cells[i] != nullptr) Put(fresh, cap, s.cells[i]);
    }
    base::Free(s.cells);
  } else {
    if (moves_ == nullptr) {
      moves_ = static_cast<Move*>(base::Alloc(sizeof(Move) * kSlots));
      memset(moves_, 0, sizeof(Move) * kSlots);
    }
    moves_[slot] = Move{s.cells, 0, s.cap};
    moving_++;
  }
  s.cells = fresh;
  s.cap = cap;
}

void SlotIndex::AddToSlot(int slot, Entry* e) {
  if (slots_ == nullptr) {
    slots_ = static_cast<Slot*>(base::Alloc(sizeof(Slot) * kSlots));
    memset(slots_, 0, sizeof(Slot) * kSlots);
  }
  Slot& s = slots_[slot];
  if (s.cells == nullptr) {
    s.cells = NewArray(1);
    s.cap = 1;
  } else {
    if (Moving(slot)) Migrate(slot, kMigrateStep);
    // Counting the keys still in the old array too is conservative: the new
    // array was sized for all of them.
    if (s.count + 1 > MaxLoad(s.cap)) Resize(slot, CapFor(s.count + 1));
  }
  Put(s.cells, s.cap, e);
  s.count++;
  total_++;
}

// Takes e out of the slot's arrays, the live one or the old one.
void SlotIndex::Unplace(int slot, Entry* e) {
  Slot& s = slots_[slot];
  size_t i = Find(s.cells, s.cap, e);
  if (i != kNotFound) {
    EraseAt(s.cells, s.cap, i);
    return;
  }
  assert(Moving(slot));
  Move& m = moves_[slot];
  i = Find(m.old, m.old_cap, e);
  assert(i != kNotFound);
  m.old[i] = Tomb();
}

void SlotIndex::RemoveFromSlot(int slot, Entry* e) {
  assert(slots_ != nullptr);
  Slot& s = slots_[slot];
  if (Moving(slot)) Migrate(slot, kMigrateStep);
  Unplace(slot, e);
  s.count--;
  total_--;
  if (s.count == 0) {
    base::Free(s.cells);
    s = Slot{};
    if (Moving(slot)) EndMove(slot);
    return;
  }
  // Shrink below 1/8 full to an array about half full (not while a resize
  // is still moving cells: the next removals finish it first).
  if (!Moving(slot) && s.cap > 8 && s.count < s.cap / 8) Resize(slot, CapFor(size_t{s.count} * 3 / 2));
}

void SlotIndex::Replace(Entry* old, Entry* e) {
  // In place: the slot keeps its count, so no resize and no migration step.
  int slot = base::KeyHashSlot(old->key());
  Unplace(slot, old);
  Put(slots_[slot].cells, slots_[slot].cap, e);
}

void SlotIndex::Clear() {
  if (slots_ == nullptr) return;
  for (int i = 0; i < kSlots; i++) {
    base::Free(slots_[i].cells);
    if (moves_) base::Free(moves_[i].old);
  }
  base::Free(slots_);
  base::Free(moves_);
  slots_ = nullptr;
  moves_ = nullptr;
  total_ = 0;
  moving_ = 0;
}

size_t SlotIndex::MemoryUsage() const {
  if (slots_ == nullptr) return 0;
  size_t n = base::AllocSize(slots_) + base::AllocSize(moves_);
  for (int i = 0; i < kSlots; i++) {
    n += base::AllocSize(slots_[i].cells);
    if (moves_) n += base::AllocSize(moves_[i].old);
  }
  return n;
}

}  // namespace vireo::engine
