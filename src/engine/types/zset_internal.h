// Sorted sets, internal: the listpack encoding's helpers (Redis's zzl*),
// the conversions between encodings, and a cursor that walks either
// encoding so the range commands are written once.
//
// Listpack layout (Redis's): member, score, member, score... ordered by
// score then member (memcmp). A score is stored as an integer when the
// double is integral and within +-LLONG_MAX/2 (double2ll), otherwise as
// d2string's text ("%.17g", "inf", "-inf"); it is read back with strtod.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/encoding/listpack.h"
#include "engine/encoding/skiplist.h"
#include "engine/keyspace.h"
#include "engine/keyspace_options.h"
#include "engine/object.h"

namespace vireo::engine::zset::detail {

// ---- listpack (zzl*) --------------------------------------------------------
double LpScore(const uint8_t* sptr);
// The member at eptr as text; integers are formatted into buf (>= 21 bytes).
std::string_view LpMember(const uint8_t* eptr, char* buf);
// Redis's zzlFind: the member's element (score in *score), or nullptr.
uint8_t* LpFind(uint8_t* lp, std::string_view member, double* score);
// Inserts a member known to be absent at its ordered place (zzlInsert).
uint8_t* LpInsert(uint8_t* lp, std::string_view member, double score);
// Appends a pair at the end (zzlInsertAt with no position).
uint8_t* LpAppend(uint8_t* lp, std::string_view member, double score);
// Deletes the pair at eptr.
uint8_t* LpDeletePair(uint8_t* lp, uint8_t* eptr);
inline uint32_t LpPairs(const uint8_t* lp) { return lp::Length(lp) / 2; }
uint8_t* LpDeleteRangeByScore(uint8_t* lp, const zsl::ScoreRange& r, uint64_t* deleted);
uint8_t* LpDeleteRangeByLex(uint8_t* lp, const zsl::LexRange& r, uint64_t* deleted);
// 1-based inclusive ranks.
uint8_t* LpDeleteRangeByRank(uint8_t* lp, uint64_t start, uint64_t end, uint64_t* deleted);

// ---- entries ----------------------------------------------------------------
inline uint8_t* Lp(const Entry* e) { return static_cast<uint8_t*>(e->v.ptr); }
inline zsl::ZSet* Sl(const Entry* e) { return static_cast<zsl::ZSet*>(e->v.ptr); }
inline bool IsLp(const Entry* e) { return e->encoding() == Enc::kListpack; }
size_t Length(const Entry* e);
// A new zset entry of the given encoding, empty.
Entry* NewEntry(std::string_view key, Enc enc);
// Redis's zsetConvert (listpack <-> skiplist).
void Convert(Entry* e, Enc to);
// Redis's zsetConvertToListpackIfNeeded (after the *STORE commands).
void ConvertToListpackIfNeeded(Entry* e, size_t maxelelen, size_t totelelen,
                               const KeyspaceOptions& o);
// Adds a member known to be absent, converting to a skiplist first when the
// listpack would outgrow the thresholds (zsetAdd's insert path).
void AddNew(Entry* e, std::string_view member, double score, const KeyspaceOptions& o);
// Looks a member up in either encoding.
bool FindScore(const Entry* e, std::string_view member, double* score);
// Removes a member from either encoding; false when absent.
bool Remove(Entry* e, std::string_view member);

// The end of every *STORE: stores `e` at dst with `event` and dirty++, or,
// when `e` is null or empty, frees it and deletes dst (a "del" when dst
// existed), as zrangeResultFinalizeStore / zunionInterDiffGenericCommand.
OpResult<int64_t> StoreResult(Keyspace& ks, int db, std::string_view dst, Entry* e,
                              std::string_view event);

// ---- a cursor over either encoding --------------------------------------------
class Cursor {
 public:
  Cursor() = default;
  static Cursor AtLp(const uint8_t* lp, const uint8_t* eptr) {
    Cursor c;
    c.lp_ = lp;
    c.eptr_ = eptr;
    return c;
  }
  static Cursor AtNode(const zsl::Node* n) {
    Cursor c;
    c.node_ = n;
    return c;
  }
  bool valid() const { return lp_ ? eptr_ != nullptr : node_ != nullptr; }
  std::string_view member(char* buf) const {
    return lp_ ? LpMember(eptr_, buf) : node_->member();
  }
  double score() const { return lp_ ? LpScore(lp::Next(lp_, eptr_)) : node_->score; }
  void Next();
  void Prev();

 private:
  const uint8_t* lp_ = nullptr;
  const uint8_t* eptr_ = nullptr;
  const zsl::Node* node_ = nullptr;
};

// Cursors at the first/last element, at a 0-based rank, and at the ends of
// a score or lex range (invalid when the range holds nothing).
Cursor First(const Entry* e);
Cursor Last(const Entry* e);
Cursor AtRank(const Entry* e, uint64_t rank);
Cursor FirstInRange(const Entry* e, const zsl::ScoreRange& r);
Cursor LastInRange(const Entry* e, const zsl::ScoreRange& r);
Cursor FirstInLex(const Entry* e, const zsl::LexRange& r);
Cursor LastInLex(const Entry* e, const zsl::LexRange& r);

}  // namespace vireo::engine::zset::detail
