// StrMap: a string -> string hash table, the big encoding of hashes
// (Redis's OBJ_ENCODING_HT for OBJ_HASH: a dict of sds field -> sds value).
//
// Why this shape: Redis spends, per field, a dictEntry (24 bytes, 32 with
// jemalloc), an sds for the field and one for the value (3-byte header,
// terminator, each rounded to a size class), plus the bucket pointer. Here a
// field is ONE allocation: the chain pointer, the field and the value with
// varint lengths ([next][flen][field][vlen][value]), so a field with a
// 12-byte name and a 12-byte value costs 48 bytes instead of 64, and one
// malloc/free instead of three.
//
// The table is engine/dict.h's HashTable (incremental rehash on every
// operation, Redis's reverse-binary SCAN guarantee, fair random sampling),
// so HSCAN/HRANDFIELD behave as Redis's dictScan/dictGetFairRandomKey.
//
// A value changed in place (HSET on an existing field, HINCRBY) keeps its
// node when the new value fits the node's allocation without wasting more
// than half of it; otherwise the node is reallocated and relinked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/dict.h"

namespace vireo::engine {

struct StrMapNode {
  StrMapNode* next;
  uint8_t data[];  // varint flen, field bytes, varint vlen, value bytes

  std::string_view field() const;
  std::string_view value() const;
};

struct StrMapTraits {
  static std::string_view Key(const StrMapNode* n) { return n->field(); }
};

class StrMap {
 public:
  using Table = HashTable<StrMapNode, StrMapTraits>;

  StrMap() = default;
  ~StrMap();
  StrMap(const StrMap&) = delete;
  StrMap& operator=(const StrMap&) = delete;

  size_t size() const { return t_.size(); }
  bool empty() const { return t_.empty(); }
  // Bucket slots of both tables (Redis's dictSlots).
  size_t slots() const { return t_.slots(); }

  // The node holding `field`, or nullptr. Does a rehash step, as dictFind.
  const StrMapNode* Find(std::string_view field) { return t_.Find(field); }
  // Adds or overwrites; true when the field was added (Redis's hashTypeSet
  // returns the opposite: "update").
  bool Set(std::string_view field, std::string_view value);
  // Adds a field known to be absent (conversion, dup).
  void Add(std::string_view field, std::string_view value);
  // Removes `field`; true when it existed. Shrinks the table when under 10%
  // full, as hashTypeDelete does after dictDelete.
  bool Erase(std::string_view field);
  // Presizes for n fields (dictExpand).
  void Reserve(size_t n) { t_.Reserve(n); }

  // fn(const StrMapNode*) for each node in table order (Redis's dict
  // iterator order: table 0 then table 1, bucket by bucket).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    t_.ForEach([&](StrMapNode* n) { fn(static_cast<const StrMapNode*>(n)); });
  }
  // One dictScan step: fn(const StrMapNode*) for the bucket(s) under cursor.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    return t_.Scan(cursor, [&](StrMapNode* n) { fn(static_cast<const StrMapNode*>(n)); });
  }
  // dictGetFairRandomKey; nullptr when empty.
  const StrMapNode* FairRandom() { return t_.FairRandomNode(); }

  // A deep copy with the same encoding (hashTypeDup: presized).
  StrMap* Dup() const;
  // Bytes of the buckets and every node (not the StrMap object itself,
  // which may live anywhere).
  size_t AllocatedSize() const;
  // Redis's objectComputeSize for an HT hash, minus the robj and the dict
  // struct: the bucket array, and the average size of the first `samples` nodes
  // (0 = all) times the number of fields.
  size_t SampledSize(size_t samples) const;
  // DEBUG HTSTATS-KEY.
  std::string Stats() const { return t_.Stats(); }

 private:
  Table t_;
};

}  // namespace vireo::engine
