// Sets: the two encodings, the conversions between them at Redis's moments,
// the value operations the value table needs, and the set commands'
// operations over the Keyspace (Redis 7.0 t_set.c).
//
// Encodings: `intset` (engine/encoding/intset.h: Redis's sorted integer
// blob) while every member is an integer (Redis's string2ll rules) and there
// are at most set-max-intset-entries of them; `hashtable` (strset.h)
// otherwise. A set never converts back, except where Redis builds a new set:
// the SPOP-with-count path that keeps the remaining members in a fresh set,
// and the results of SINTERSTORE/SUNIONSTORE/SDIFFSTORE, which start as an
// empty intset and convert as members are added.
//
// Each operation looks the keys up with Redis's flags, checks the types,
// makes the change, and reports it (KeyModified, Redis 7.0's event names,
// dirty) through the Keyspace. Members handed to a MemberSink point into the
// keyspace or a temporary and are valid only during the call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"

namespace vireo::engine::set {

// Receives the members of a reply, one at a time.
class MemberSink {
 public:
  virtual void Member(std::string_view m) = 0;

 protected:
  ~MemberSink() = default;
};
// A MemberSink over a lambda: `FnSink s([&](std::string_view m) {...});`.
template <class Fn>
class FnSink final : public MemberSink {
 public:
  explicit FnSink(Fn fn) : fn_(std::move(fn)) {}
  void Member(std::string_view m) override { fn_(m); }

 private:
  Fn fn_;
};

// ---- value table rows (value.h) ----------------------------------------
void FreeValue(Entry* e);
size_t FreeEffort(const Entry* e);
Entry* Dup(const Entry* e, std::string_view newkey);
size_t MemoryUsage(const Entry* e, size_t samples);
void Digest(const Entry* e, uint8_t digest[20]);

// ---- construction (tests, RDB later) -------------------------------------
// A set entry holding `members` with SADD's encoding choices.
Entry* NewSetEntry(std::string_view key, std::span<const std::string_view> members,
                   const KeyspaceOptions& o);
// Number of members of a set entry.
size_t Size(const Entry* e);

// ---- operations ---------------------------------------------------------
// SADD: the number of members added.
OpResult<int64_t> Add(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members);
// SREM: the number removed (0 for a missing key).
OpResult<int64_t> Rem(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members);
// SCARD (0 for a missing key).
OpResult<int64_t> Card(Keyspace& ks, int db, std::string_view key);
// SISMEMBER.
OpResult<bool> IsMember(Keyspace& ks, int db, std::string_view key, std::string_view member);
// SMISMEMBER: one 0/1 per member (all 0 for a missing key).
OpResult<std::vector<uint8_t>> MIsMember(Keyspace& ks, int db, std::string_view key,
                                         std::span<const std::string_view> members);
// SMOVE: whether the member moved (or, src == dst, is a member).
OpResult<bool> Move(Keyspace& ks, int db, std::string_view src, std::string_view dst,
                    std::string_view member);

// SPOP without count: the member removed (kNotFound for a missing key).
OpResult<std::string> Pop(Keyspace& ks, int db, std::string_view key);
// SPOP with count (> 0): members go to `sink`, the number of members popped
// is returned. *whole is set, before any member reaches the sink, when the
// whole set goes (Redis then propagates DEL; otherwise one SREM per member,
// in the order given to the sink).
OpResult<int64_t> PopCount(Keyspace& ks, int db, std::string_view key, uint64_t count,
                           MemberSink& sink, bool* whole);
// SRANDMEMBER without count; ints are formatted into buf (>= 21 bytes).
OpResult<std::string_view> RandMember(Keyspace& ks, int db, std::string_view key, char* buf);
// SRANDMEMBER with count (negative: repetitions allowed): the number of
// members sent to `sink` (0 for a missing key or count 0).
OpResult<int64_t> RandMemberCount(Keyspace& ks, int db, std::string_view key, int64_t count,
                                  MemberSink& sink);

// SINTER / SMEMBERS: the number of members sent to sink.
OpResult<int64_t> Inter(Keyspace& ks, int db, std::span<const std::string_view> keys,
                        MemberSink& sink);
// SINTERCARD (limit 0 = none).
OpResult<int64_t> InterCard(Keyspace& ks, int db, std::span<const std::string_view> keys,
                            uint64_t limit);
// SINTERSTORE: the size of the stored result.
OpResult<int64_t> InterStore(Keyspace& ks, int db, std::string_view dst,
                             std::span<const std::string_view> keys);

enum class SetOp { kUnion, kDiff };
// SUNION / SDIFF: the number of members sent to sink.
OpResult<int64_t> UnionDiff(Keyspace& ks, int db, std::span<const std::string_view> keys, SetOp op,
                            MemberSink& sink);
// SUNIONSTORE / SDIFFSTORE: the size of the stored result.
OpResult<int64_t> UnionDiffStore(Keyspace& ks, int db, std::string_view dst,
                                 std::span<const std::string_view> keys, SetOp op);

// SSCAN's receiver. Start() runs once the key is known to be a set and
// returns COUNT, or -1 when the options are invalid (it replied the error).
// Why: Redis parses SSCAN's options only after the lookup, so a missing key
// or a wrong type wins over a syntax error.
class ScanSink : public MemberSink {
 public:
  virtual int64_t Start() = 0;

 protected:
  ~ScanSink() = default;
};
// SSCAN step over a hashtable set (an intset is returned whole, next cursor
// 0): members go to sink; returns the next cursor. kNotFound for a missing
// key, kSkipped when Start() refused.
OpResult<uint64_t> Scan(Keyspace& ks, int db, std::string_view key, uint64_t cursor,
                        ScanSink& sink);

}  // namespace vireo::engine::set
