// Hashes: the two encodings, the conversion between them, the value-table
// rows, and the hash commands' operations over the Keyspace (Redis 7.0
// t_hash.c semantics).
//
// Encodings (Entry::enc):
//  - kListpack: `v.ptr` is a listpack of field, value, field, value... in
//    insertion order, byte for byte Redis's (engine/encoding/listpack.h);
//  - kHashtable: `v.ptr` is a StrMap (engine/encoding/strmap.h).
// A hash starts as a listpack and converts to a table exactly when Redis
// converts (hash-max-listpack-entries exceeded after a write, a field or
// value longer than hash-max-listpack-value written, or the listpack would
// pass 1GB), never back.
//
// Fields and values are read as lp::Elem (a string or, in a listpack, an
// integer), pointing into the hash: valid until the next write to the
// keyspace. Each write operation reports its change (KeyModified, Redis's
// event, dirty) and removes a hash it emptied ("del" after the command's
// event), as the t_hash.c commands do.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/encoding/listpack.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"

namespace vireo::engine::hash {

using Elem = lp::Elem;

// ---- value table rows (value.h) ---------------------------------------------
void FreeValue(Entry* e);
size_t FreeEffort(const Entry* e);
Entry* Dup(const Entry* e, std::string_view newkey);
size_t MemoryUsage(const Entry* e, size_t samples);
void Digest(const Entry* e, uint8_t digest[20]);

// ---- reading a hash entry (from Find) ------------------------------------------
// The live hash at key for a read (hit/miss stats, LRU): kNotFound,
// kWrongType, or the entry.
OpResult<Entry*> Find(Keyspace& ks, int db, std::string_view key);
size_t Length(const Entry* e);
// The value of `field`; false when absent. (A table lookup may do one step
// of incremental rehashing, as Redis's dictFind does, hence non-const.)
bool GetField(Entry* e, std::string_view field, Elem* out);
// Bytes of a value as text (an integer's digits), as HSTRLEN counts.
size_t ElemLength(const Elem& v);
// Calls fn(Elem field, Elem value) for every pair in storage order.
template <typename Fn>
void ForEach(const Entry* e, Fn&& fn);

// HSCAN over the entry: a listpack is returned whole with cursor 0 (as
// Redis does for compact encodings); a table is scanned from `cursor` until
// `count` fields or count*10 buckets were visited. Pairs matching `pattern`
// (when use_pattern) are appended flat to *out. Returns the next cursor.
uint64_t Scan(Entry* e, uint64_t cursor, int64_t count, std::string_view pattern,
              bool use_pattern, std::vector<Elem>* out);

// ---- writes --------------------------------------------------------------------
// HSET/HMSET over (field, value) pairs (an even number): the number of
// fields added. Creates the key. Event "hset", dirty += pairs.
OpResult<int64_t> Set(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> pairs);
// HSETNX: true when the field was set (event "hset", dirty 1).
OpResult<bool> SetNx(Keyspace& ks, int db, std::string_view key, std::string_view field,
                     std::string_view value);
// HDEL: the number of fields removed (event "hdel", dirty += removed; the
// key goes when emptied). kNotFound for a missing key.
OpResult<int64_t> Del(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> fields);
// HINCRBY: the new value. kHashNotInteger when the stored value is not an
// integer, kOverflow. Event "hincrby".
OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, std::string_view field,
                         int64_t incr);
// HINCRBYFLOAT (incr already checked finite): the new value as stored
// (Redis's long double formatting). kHashNotFloat, kNanOrInfinity. Event
// "hincrbyfloat".
OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view field, long double incr);

// ---- HRANDFIELD ----------------------------------------------------------------
// A random field (and value): kNotFound, kWrongType or kOk.
OpStatus RandomField(Keyspace& ks, int db, std::string_view key, Elem* field);

// Receives HRANDFIELD <count> results: Begin(n) once with the number of
// elements (fields) that follow, then Emit per element (value null without
// WITHVALUES). Emit returns false to stop early (the client is gone, as
// Redis's CLIENT_CLOSE_ASAP check).
class RandomSink {
 public:
  virtual ~RandomSink() = default;
  virtual void Begin(uint64_t n) = 0;
  virtual bool Emit(const Elem& field, const Elem* value) = 0;
};
// HRANDFIELD key count [WITHVALUES] with Redis 7.0's four strategies:
// negative count (repetitions, random order), count >= size (everything),
// count close to size (copy then remove), small count (unique picks).
// kNotFound / kWrongType for a missing / wrong key (the sink is not called).
OpStatus RandomFields(Keyspace& ks, int db, std::string_view key, int64_t count,
                      bool withvalues, RandomSink& sink);

// ---- internals shared with tests ---------------------------------------------
// The listpack -> table conversion (hashTypeConvert); no-op on a table.
void ConvertToTable(Entry* e);
// A new empty listpack-encoded hash entry (createHashObject).
Entry* NewHashEntry(std::string_view key);

}  // namespace vireo::engine::hash

#include "engine/types/hash_inl.h"
