// StrSet: the hash table of big sets (OBJECT ENCODING "hashtable").
//
// Why this shape: Redis 7.0 spends per member a dictEntry (24 bytes, 32 with
// jemalloc), an sds (3-byte header + NUL) and a bucket pointer: 72 bytes per
// member for 1,000 sets of 1,000 20-byte members. Here a member is ONE
// block, the chain pointer followed by a 1- or 5-byte length and the bytes
// (no NUL), threaded through the HashTable of dict.h (incremental rehashing,
// Redis's reverse-binary SCAN cursor), grown at two members per bucket
// instead of one: about 36 bytes per member for the same data.
//
// Random members (SPOP, SRANDMEMBER) follow Redis's dictGetFairRandomKey:
// sample up to 15 members from a linear stretch of buckets from a random
// start (HashTable::FairRandomNode) and pick one of them, falling back to a
// random bucket's random chain element; a plain random bucket would favour
// members alone in their bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/dict.h"

namespace vireo::engine::strset {

// A member: chain pointer + length header + bytes, one allocation.
// Length header: one byte when < 255, else 0xFF and a 4-byte length.
struct Node {
  Node* next;
  uint8_t data[];

  std::string_view member() const {
    if (data[0] != 0xFF) return {reinterpret_cast<const char*>(data + 1), data[0]};
    uint32_t len;
    memcpy(&len, data + 1, 4);
    return {reinterpret_cast<const char*>(data + 5), len};
  }
  static Node* Create(std::string_view m);
};

struct NodeTraits {
  static std::string_view Key(const Node* n) { return n->member(); }
  // Why 2: a member node is one small block (32 bytes for up to 23 bytes
  // of member), so the bucket pointer per member is a quarter of its cost;
  // two members per bucket before growing halve that (about 4 bytes per
  // member instead of 8) for chains of 1.5 nodes on average.
  static constexpr size_t kMaxLoad = 2;
};

class StrSet {
 public:
  using Table = HashTable<Node, NodeTraits>;

  StrSet() = default;
  StrSet(const StrSet&) = delete;
  StrSet& operator=(const StrSet&) = delete;
  ~StrSet() { Clear(); }

  size_t size() const { return table_.size(); }
  size_t slots() const { return table_.slots(); }
  // True when m was not a member.
  bool Add(std::string_view m);
  // True when m was a member; shrinks the table as Redis's setTypeRemove
  // (htNeedsResize + dictResize).
  bool Remove(std::string_view m);
  bool Contains(std::string_view m) { return table_.Find(m) != nullptr; }
  // A random member of a non-empty set (dictGetFairRandomKey).
  std::string_view Random();
  void Clear();

  // fn(std::string_view) for every member; fn must not change the set.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    table_.ForEach([&](const Node* n) { fn(n->member()); });
  }
  // One dictScan step: fn(member) for the bucket(s) under cursor; the next
  // cursor (0 = done).
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    return table_.Scan(cursor, [&](const Node* n) { fn(n->member()); });
  }
  // Redis's objectComputeSize for a hashtable set: the table, the bucket
  // array, and the average of `samples` members (0 = all) times the size.
  size_t MemoryUsage(size_t samples) const;
  // DEBUG HTSTATS-KEY.
  std::string Stats() const { return table_.Stats(); }

 private:
  Table table_;
};

}  // namespace vireo::engine::strset
