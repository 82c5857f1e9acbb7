// Sorted sets: Redis 7.0's t_zset.c semantics over the Keyspace.
//
// Encodings (Redis's): a listpack of (member, score) pairs ordered by score
// then member while the set has at most zset-max-listpack-entries members
// of at most zset-max-listpack-value bytes, a skiplist + member index
// (encoding/skiplist.h) beyond. A set converts when an insertion would
// exceed a threshold (or the listpack would pass 1GB); the *STORE commands
// build a skiplist and convert it back when the result fits
// (zsetConvertToListpackIfNeeded). Nothing else converts back.
//
// Each operation looks the key up with Redis's flags, checks the type,
// changes the value and reports the change (KeyModified, Redis 7.0's event
// name, dirty in Redis's amounts) through the Keyspace; an emptied key is
// removed with DeleteEmptied after the command's own event. Results that
// are sequences go to a Sink, so handlers reply while the engine walks the
// value (no intermediate copy), and the *STORE forms reuse the same walks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/encoding/skiplist.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"

namespace vireo::engine::zset {

using zsl::LexRange;
using zsl::ScoreRange;

// ---- value table rows (value.h) ----------------------------------------
void FreeValue(Entry* e);
size_t FreeEffort(const Entry* e);
Entry* Dup(const Entry* e, std::string_view newkey);
size_t MemoryUsage(const Entry* e, size_t samples);
void Digest(const Entry* e, uint8_t digest[20]);
// Number of members of a zset entry.
size_t Length(const Entry* e);

// ---- where results go ------------------------------------------------------
// Begin(n) comes first: n is the number of items when known, -1 otherwise;
// End(count) comes last with the number of Item() calls.
class Sink {
 public:
  virtual ~Sink() = default;
  // False when the scores are not used (ZRANGE without WITHSCORES): a
  // listpack walk then skips parsing them.
  bool want_scores = true;
  virtual void Begin(int64_t n) = 0;
  virtual void Item(std::string_view member, double score) = 0;
  virtual void End(size_t count) = 0;
};

// ---- parsing (Redis's zslParseRange / zslParseLexRange) -----------------
// Score bounds: "(" makes a bound exclusive; strtod semantics (leading
// spaces, hex, "inf" accepted; NaN rejected). False on a bad bound.
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r);
// Lex bounds: "[x" / "(x" / "-" / "+". Views point into the arguments.
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r);

// ---- ZADD / ZINCRBY / ZREM ---------------------------------------------------
enum AddFlag : int { kAddNx = 1, kAddXx = 2, kAddGt = 4, kAddLt = 8, kAddIncr = 16 };
struct ScoreMember {
  double score;
  std::string_view member;
};
struct AddResult {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;  // pairs not skipped by NX/XX/GT/LT
  double score = 0;       // INCR: the new score
};
// kWrongType, kNanScore (an increment produced NaN; earlier pairs stay), kOk.
OpStatus Add(Keyspace& ks, int db, std::string_view key, int flags,
             std::span<const ScoreMember> pairs, AddResult* out);
// ZREM: the number removed (0 for a missing key).
OpResult<int64_t> Rem(Keyspace& ks, int db, std::string_view key,
                      std::span<const std::string_view> members);

// ---- reads ---------------------------------------------------------------------
OpResult<int64_t> Card(Keyspace& ks, int db, std::string_view key);
// kNotFound when the key or the member is missing.
OpResult<double> Score(Keyspace& ks, int db, std::string_view key, std::string_view member);
// ZMSCORE: found[i]/scores[i] per member (a missing key is an empty set).
OpStatus MScore(Keyspace& ks, int db, std::string_view key,
                std::span<const std::string_view> members, double* scores, bool* found);
// 0-based rank, -1 for a missing member; kNotFound for a missing key.
OpResult<int64_t> Rank(Keyspace& ks, int db, std::string_view key, std::string_view member,
                       bool reverse);
OpResult<int64_t> Count(Keyspace& ks, int db, std::string_view key, const ScoreRange& r);
OpResult<int64_t> LexCount(Keyspace& ks, int db, std::string_view key, const LexRange& r);

// ---- ranges (ZRANGE and friends) ----------------------------------------------
struct RangeSpec {
  enum Type { kRank, kScore, kLex } type = kRank;
  bool reverse = false;
  int64_t start = 0, end = 0;  // kRank
  ScoreRange score;            // kScore
  LexRange lex;                // kLex
  int64_t offset = 0;          // LIMIT (kScore, kLex)
  int64_t limit = -1;
};
// Emits the range into `out` (kNotFound: missing key, nothing emitted).
OpStatus Range(Keyspace& ks, int db, std::string_view key, const RangeSpec& spec, Sink& out);
// ZRANGESTORE: stores the range at dst (deleting dst when empty); the count.
OpResult<int64_t> RangeStore(Keyspace& ks, int db, std::string_view dst, std::string_view src,
                             const RangeSpec& spec);
// ZREMRANGEBYRANK/SCORE/LEX (the spec's LIMIT is ignored): the count removed.
OpResult<int64_t> RemRange(Keyspace& ks, int db, std::string_view key, const RangeSpec& spec);

// ---- pops (ZPOPMIN/ZPOPMAX/ZMPOP, reused by BZPOPMIN/BZPOPMAX/BZMPOP) -----------
// Receives the key a pop happens on, then the popped pairs in order.
class PopSink {
 public:
  virtual ~PopSink() = default;
  // `n`: the number of pairs that follow (min(count, length)).
  virtual void Begin(std::string_view key, int64_t n) = 0;
  virtual void Item(std::string_view member, double score) = 0;
};
// Pops up to `count` members from the min (max = false) or max end of
// `key` (Redis's genericZpopCommand for one key): kNotFound (missing key,
// nothing emitted), kWrongType, or kOk with out.Begin(key, n) then n items.
// count == 0 emits Begin(key, 0) and changes nothing. Reports "zpopmin" /
// "zpopmax" once, dirty += n, and "del" when the set is emptied.
OpStatus PopMinMax(Keyspace& ks, int db, std::string_view key, bool max, int64_t count,
                   PopSink& out);
// ZMPOP over several keys: pops from the first key that exists (kWrongType
// when that key is not a zset, as Redis checks keys in order); kNotFound
// when none exists. out.Begin receives the key popped from (the handler
// propagates ZPOPMIN/ZPOPMAX key count with it).
OpStatus MPop(Keyspace& ks, int db, std::span<const std::string_view> keys, bool max,
              int64_t count, PopSink& out);

// ---- ZRANDMEMBER ----------------------------------------------------------------
// Without has_count: one member (Begin(1), one Item). With a count, Redis's
// four cases (negative: repeats allowed). kNotFound for a missing key.
OpStatus RandMember(Keyspace& ks, int db, std::string_view key, bool has_count, int64_t count,
                    Sink& out);

// ---- ZUNION / ZINTER / ZDIFF (+STORE) / ZINTERCARD --------------------------------
enum class SetOpKind { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };
struct SetOpSpec {
  SetOpKind op = SetOpKind::kUnion;
  std::span<const std::string_view> keys;
  const double* weights = nullptr;  // keys.size() values, or null for 1
  Aggregate aggregate = Aggregate::kSum;
  // The handler found an error in the options: Redis looks the keys up
  // (WRONGTYPE first) before it parses them, so the engine only checks the
  // key types and returns kSkipped; the handler then replies its error.
  bool invalid = false;
};
// Emits the result in order; sets count as members of score 1.
OpStatus SetOp(Keyspace& ks, int db, const SetOpSpec& spec, Sink& out);
// The *STORE forms: the size stored at dst ("del" of dst when empty).
OpResult<int64_t> SetOpStore(Keyspace& ks, int db, std::string_view dst, const SetOpSpec& spec);
// ZINTERCARD: the size of the intersection, stopping at `limit` (0 = none).
// `invalid` as in SetOpSpec.
OpResult<int64_t> InterCard(Keyspace& ks, int db, std::span<const std::string_view> keys,
                            int64_t limit, bool invalid);

// ---- ZSCAN -------------------------------------------------------------------------
struct ScanParams {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // a MATCH other than "*"
  // Called once the key is known to be a zset (Redis parses ZSCAN's options
  // only then, after the missing-key and WRONGTYPE answers); it may fill
  // the fields above. false stops the scan with kSkipped.
  bool (*prepare)(void* ctx) = nullptr;
  void* ctx = nullptr;
};
// Appends member, score-text pairs whose member matches to *out and returns
// the next cursor; a listpack is returned whole (cursor 0) with its scores
// as stored, a skiplist's scores as "%.17Lg".
OpResult<uint64_t> Scan(Keyspace& ks, int db, std::string_view key, uint64_t cursor,
                        const ScanParams& p, std::vector<std::string>* out);

// ---- sets as inputs of ZUNION/ZINTER/ZDIFF ---------------------------------------
// How set values are read (Redis's zuiInitIterator / zuiFind over OBJ_SET):
// by default through engine/types/set.h; tests may register another reader
// (nullptr restores the set type's).
struct SetReader {
  size_t (*length)(const Entry* e);
  // Calls fn(member, ctx) for every member.
  void (*for_each)(const Entry* e, void (*fn)(std::string_view member, void* ctx), void* ctx);
  bool (*contains)(const Entry* e, std::string_view member);
};
void RegisterSetReader(const SetReader* r);

}  // namespace vireo::engine::zset
