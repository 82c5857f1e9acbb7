// HashTable: chained hash table with incremental rehashing and Redis's SCAN.
//
// Why this shape (the same as Redis's dict.c): two power-of-two bucket
// arrays; while growing or shrinking, every operation moves one bucket from
// the old to the new array (and the cron spends a millisecond budget on it),
// so there is never a resize pause. SCAN walks buckets in reverse-binary
// order, which guarantees that every element present for the whole scan is
// returned at least once even if the table is resized between calls.
//
// Nodes are intrusive: the table stores `Node*` and threads chains through
// `node->next`. The node owns its key bytes; Traits tells the table how to
// read it:
//   struct Traits { static std::string_view Key(const Node*); };
// The table never allocates or frees nodes, only bucket arrays.
// Traits may also declare `static constexpr size_t kMaxLoad = N;` (default
// 1, Redis's dict): the table grows when it holds N nodes per bucket, and
// resizes to about one node per bucket. Chains get longer (N/2 on average
// before a grow), bucket arrays N times smaller: a trade for tables of small
// nodes where the 8-byte bucket is a large share of each member's cost.
//
// Invariants: table_[1] is non-empty only while rehashing (rehash_idx_ >= 0);
// buckets of table_[0] below rehash_idx_ are empty; used_ counts all nodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "base/hash.h"
#include "base/memory.h"

namespace vireo::engine {

template <typename Node, typename Traits>
class HashTable {
 public:
  static constexpr size_t kInitialSize = 4;
  // Why: Redis refuses to resize while a fork child is alive unless the
  // table is 5x overloaded (dict_force_resize_ratio).
  static constexpr size_t kForceResizeRatio = 5;

  // Nodes per bucket that trigger a grow (Traits::kMaxLoad, default 1).
  static constexpr size_t kMaxLoad = [] {
    if constexpr (requires { Traits::kMaxLoad; })
      return static_cast<size_t>(Traits::kMaxLoad);
    else
      return size_t{1};
  }();

  HashTable() = default;
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;
  ~HashTable() { FreeTables(); }

  size_t size() const { return used_[0] + used_[1]; }
  bool empty() const { return size() == 0; }
  size_t buckets() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }
  static void SetResizeAllowed(bool allowed) { resize_allowed_ = allowed; }

  static uint64_t Hash(std::string_view key) { return base::HashBytes(key); }

  Node* Find(std::string_view key) {
    Node** link = FindLink(key);
    return link ? *link : nullptr;
  }

  // Returns the address of the link that points at the node with `key`
  // (a bucket slot or a predecessor's next field), or nullptr. The link stays
  // valid until the next mutation of the table.
  Node** FindLink(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashStep();
    uint64_t h = Hash(key);
    for (int t = 0; t <= 1; t++) {
      size_t idx = h & (size_[t] - 1);
      for (Node** link = &table_[t][idx]; *link; link = &(*link)->next) {
        std::string_view k = Traits::Key(*link);
        if (k.size() == key.size() && memcmp(k.data(), key.data(), key.size()) == 0) return link;
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  // Inserts a node whose key is not in the table.
  void Insert(Node* node) {
    if (rehashing()) RehashStep();
    ExpandIfNeeded();
    int t = rehashing() ? 1 : 0;
    size_t idx = Hash(Traits::Key(node)) & (size_[t] - 1);
    node->next = table_[t][idx];
    table_[t][idx] = node;
    used_[t]++;
  }

  // Replaces the node at `link` (from FindLink) with `node` (same key).
  static void Replace(Node** link, Node* node) {
    node->next = (*link)->next;
    *link = node;
  }

  // Unlinks and returns the node with `key`, or nullptr.
  Node* Remove(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashStep();
    uint64_t h = Hash(key);
    for (int t = 0; t <= 1; t++) {
      size_t idx = h & (size_[t] - 1);
      for (Node** link = &table_[t][idx]; *link; link = &(*link)->next) {
        Node* n = *link;
        std::string_view k = Traits::Key(n);
        if (k.size() == key.size() && memcmp(k.data(), key.data(), key.size()) == 0) {
          *link = n->next;
          used_[t]--;
          return n;
        }
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  // Calls fn(node) for every node; fn must not mutate the table. Nodes may be
  // freed by the caller only after Clear()/Detach.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int t = 0; t <= 1; t++)
      for (size_t i = 0; i < size_[t]; i++)
        for (Node* n = table_[t][i]; n;) {
          Node* next = n->next;
          fn(n);
          n = next;
        }
  }

  // Removes every node, calling release(node) on each, and frees the buckets.
  template <typename Fn>
  void Clear(Fn&& release) {
    ForEach(release);
    FreeTables();
  }

  // Hands the whole content to another table (used by FLUSHALL ASYNC and
  // SWAPDB-style moves without touching nodes).
  void Swap(HashTable& o) {
    std::swap(table_, o.table_);
    std::swap(size_, o.size_);
    std::swap(used_, o.used_);
    std::swap(rehash_idx_, o.rehash_idx_);
  }

  // One SCAN step (Redis dictScan): calls fn(node) for the nodes of the
  // bucket(s) under `cursor` and returns the next cursor (0 = done).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    if (size() == 0) return 0;
    uint64_t v = cursor;
    if (!rehashing()) {
      uint64_t m0 = size_[0] - 1;
      EmitBucket(table_[0][v & m0], fn);
      v |= ~m0;
      v = Rev(v);
      v++;
      v = Rev(v);
    } else {
      int t0 = 0, t1 = 1;
      if (size_[t0] > size_[t1]) std::swap(t0, t1);
      uint64_t m0 = size_[t0] - 1, m1 = size_[t1] - 1;
      EmitBucket(table_[t0][v & m0], fn);
      do {
        EmitBucket(table_[t1][v & m1], fn);
        v |= ~m1;
        v = Rev(v);
        v++;
        v = Rev(v);
      } while (v & (m0 ^ m1));
    }
    return v;
  }

  // A uniformly chosen bucket's random node, as Redis dictGetFairRandomKey
  // approximates: random non-empty bucket, then random chain element.
  Node* RandomNode() {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashStep();
    Node* head = nullptr;
    if (rehashing()) {
      do {
        uint64_t r = base::Random64();
        size_t span = size_[0] + size_[1] - static_cast<size_t>(rehash_idx_);
        size_t h = static_cast<size_t>(rehash_idx_) + (r % span);
        head = h >= size_[0] ? table_[1][h - size_[0]] : table_[0][h];
      } while (!head);
    } else {
      do {
        head = table_[0][base::Random64() & (size_[0] - 1)];
      } while (!head);
    }
    size_t len = 0;
    for (Node* n = head; n; n = n->next) len++;
    size_t pick = base::Random64() % len;
    Node* n = head;
    while (pick--) n = n->next;
    return n;
  }

  // Up to `count` nodes from a random stretch of buckets (Redis's
  // dictGetSomeKeys: linear walk from a random bucket of the larger table,
  // jumping elsewhere after runs of empty buckets, reservoir sampling of
  // the last chain). Returns how many were stored in out.
  size_t SomeNodes(Node** out, size_t count) {
    if (size() < count) count = size();
    if (count == 0) return 0;
    size_t maxsteps = count * 10;
    for (size_t j = 0; j < count && rehashing(); j++) RehashStep();
    int tables = rehashing() ? 2 : 1;
    size_t mask = size_[0] - 1;
    if (tables > 1 && mask < size_[1] - 1) mask = size_[1] - 1;
    size_t i = base::Random64() & mask;
    size_t emptylen = 0, stored = 0;
    while (stored < count && maxsteps--) {
      for (int t = 0; t < tables; t++) {
        // Why: buckets of table 0 below rehash_idx_ are empty.
        if (tables == 2 && t == 0 && i < static_cast<size_t>(rehash_idx_)) {
          if (i >= size_[1]) {
            i = static_cast<size_t>(rehash_idx_);
          } else {
            continue;
          }
        }
        if (i >= size_[t]) continue;
        Node* n = table_[t][i];
        if (n == nullptr) {
          if (++emptylen >= 5 && emptylen > count) {
            i = base::Random64() & mask;
            emptylen = 0;
          }
          continue;
        }
        emptylen = 0;
        for (; n; n = n->next, stored++) {
          if (stored < count) {
            out[stored] = n;
          } else {
            size_t r = base::Random64() % (stored + 1);
            if (r < count) out[r] = n;
          }
        }
        if (stored >= count) return count;
      }
      i = (i + 1) & mask;
    }
    return stored > count ? count : stored;
  }

  // Redis's dictGetFairRandomKey: a random node among a sampled stretch of
  // buckets, which evens out the bias of chains of different lengths that
  // RandomNode() has (HRANDFIELD/SRANDMEMBER distributions depend on it).
  Node* FairRandomNode() {
    Node* sample[15];
    size_t n = SomeNodes(sample, 15);
    if (n == 0) return RandomNode();
    return sample[base::Random64() % n];
  }

  // Presizes for `n` nodes (Redis's dictExpand): no-op while rehashing or
  // when the table already holds more.
  void Reserve(size_t n) {
    if (rehashing() || used_[0] > n) return;
    StartResize((n + kMaxLoad - 1) / kMaxLoad);
  }

  // Moves up to n buckets to the new table. Returns true while more remain.
  bool Rehash(size_t n) {
    if (!rehashing()) return false;
    size_t empty_visits = n * 10;
    while (n-- && used_[0] != 0) {
      while (table_[0][rehash_idx_] == nullptr) {
        rehash_idx_++;
        if (--empty_visits == 0) return true;
      }
      Node* node = table_[0][rehash_idx_];
      while (node) {
        Node* next = node->next;
        size_t idx = Hash(Traits::Key(node)) & (size_[1] - 1);
        node->next = table_[1][idx];
        table_[1][idx] = node;
        used_[0]--;
        used_[1]++;
        node = next;
      }
      table_[0][rehash_idx_] = nullptr;
      rehash_idx_++;
    }
    if (used_[0] == 0) {
      base::Free(table_[0]);
      table_[0] = table_[1];
      size_[0] = size_[1];
      used_[0] = used_[1];
      table_[1] = nullptr;
      size_[1] = 0;
      used_[1] = 0;
      rehash_idx_ = -1;
      return false;
    }
    return true;
  }

  // Shrinks when under 10% full (Redis htNeedsResize + dictResize).
  void ShrinkIfNeeded() {
    if (rehashing() || !resize_allowed_) return;
    if (size_[0] > kInitialSize && used_[0] * 100 / size_[0] < 10) {
      size_t want = (used_[0] + kMaxLoad - 1) / kMaxLoad;
      StartResize(want < kInitialSize ? kInitialSize : want);
    }
  }

  // Visits bucket (cursor & mask) of each live table, as Redis's active
  // expire cycle does with db->expires_cursor. fn may delete the node it is
  // given. Returns the number of buckets checked.
  template <typename Fn>
  int VisitBucket(uint64_t cursor, Fn&& fn) {
    int checked = 0;
    for (int t = 0; t <= 1; t++) {
      if (t == 1 && !rehashing()) break;
      if (size_[t] == 0) continue;
      checked++;
      Node* n = table_[t][cursor & (size_[t] - 1)];
      while (n) {
        Node* next = n->next;
        fn(n);
        n = next;
      }
    }
    return checked;
  }
  size_t slots() const { return size_[0] + size_[1]; }

  size_t MemoryUsage() const { return (size_[0] + size_[1]) * sizeof(Node*); }

  // Redis's dictGetStats text (DEBUG HTSTATS / HTSTATS-KEY): per table its
  // size, elements, used slots, chain lengths and their distribution.
  std::string Stats() const {
    std::string out = TableStats(0);
    if (rehashing()) out += TableStats(1);
    return out;
  }

 private:
  std::string TableStats(int t) const {
    if (used_[t] == 0) return "No stats available for empty dictionaries\n";
    constexpr size_t kVectLen = 50;  // Redis's DICT_STATS_VECTLEN
    size_t clvector[kVectLen] = {};
    size_t slots = 0, maxchain = 0, totchain = 0;
    for (size_t i = 0; i < size_[t]; i++) {
      size_t chain = 0;
      for (const Node* n = table_[t][i]; n; n = n->next) chain++;
      if (chain == 0) {
        clvector[0]++;
        continue;
      }
      slots++;
      clvector[chain < kVectLen ? chain : kVectLen - 1]++;
      if (chain > maxchain) maxchain = chain;
      totchain += chain;
    }
    char buf[512];
    snprintf(buf, sizeof(buf),
             "Hash table %d stats (%s):\n table size: %zu\n number of elements: %zu\n"
             " different slots: %zu\n max chain length: %zu\n"
             " avg chain length (counted): %.02f\n avg chain length (computed): %.02f\n"
             " Chain length distribution:\n",
             t, t == 0 ? "main hash table" : "rehashing target", size_[t], used_[t], slots,
             maxchain, static_cast<float>(totchain) / static_cast<float>(slots),
             static_cast<float>(used_[t]) / static_cast<float>(slots));
    std::string out = buf;
    for (size_t i = 0; i < kVectLen - 1; i++) {
      if (clvector[i] == 0) continue;
      snprintf(buf, sizeof(buf), "   %zu: %zu (%.02f%%)\n", i, clvector[i],
               static_cast<float>(clvector[i]) / static_cast<float>(size_[t]) * 100);
      out += buf;
    }
    return out;
  }

  static uint64_t Rev(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
    return __builtin_bswap64(v);
  }

  template <typename Fn>
  static void EmitBucket(Node* n, Fn& fn) {
    while (n) {
      Node* next = n->next;
      fn(n);
      n = next;
    }
  }

  void RehashStep() { Rehash(1); }

  static size_t NextPower(size_t n) {
    size_t s = kInitialSize;
    while (s < n) s <<= 1;
    return s;
  }

  void StartResize(size_t min_size) {
    size_t real = NextPower(min_size);
    if (real == size_[0]) return;
    Node** t = static_cast<Node**>(base::Alloc(real * sizeof(Node*)));
    memset(t, 0, real * sizeof(Node*));
    if (table_[0] == nullptr) {
      table_[0] = t;
      size_[0] = real;
      return;
    }
    table_[1] = t;
    size_[1] = real;
    rehash_idx_ = 0;
  }

  void ExpandIfNeeded() {
    if (rehashing()) return;
    if (size_[0] == 0) {
      StartResize(kInitialSize);
      return;
    }
    if (used_[0] >= size_[0] * kMaxLoad &&
        (resize_allowed_ || used_[0] / size_[0] > kForceResizeRatio * kMaxLoad) &&
        ExpandAllowed())
      StartResize((used_[0] + kMaxLoad) / kMaxLoad);
  }

  // Redis's dictTypeExpandAllowed: a table type may veto a grow
  // (Traits::ExpandAllowed(bytes of the new table, load factor)); the
  // keyspace tables do when the new table would pass maxmemory.
  bool ExpandAllowed() const {
    if constexpr (requires { Traits::ExpandAllowed(size_t{}, 0.0); }) {
      size_t more = NextPower((used_[0] + kMaxLoad) / kMaxLoad) * sizeof(Node*);
      return Traits::ExpandAllowed(more, static_cast<double>(used_[0]) / static_cast<double>(size_[0]));
    } else {
      return true;
    }
  }

  void FreeTables() {
    base::Free(table_[0]);
    base::Free(table_[1]);
    table_[0] = table_[1] = nullptr;
    size_[0] = size_[1] = 0;
    used_[0] = used_[1] = 0;
    rehash_idx_ = -1;
  }

  Node** table_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  long rehash_idx_ = -1;
  static inline bool resize_allowed_ = true;
};

}  // namespace vireo::engine
