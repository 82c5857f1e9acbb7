// Strings: construction with Redis's encodings, the value operations the
// value table needs, and the string commands' operations over the Keyspace.
//
// Encodings follow Redis (tryObjectEncoding): a stored value is `int` when
// it parses as a 64-bit integer of at most 20 characters, `embstr` up to 44
// bytes, `raw` beyond; APPEND and SETRANGE always leave `raw` (they need
// room to grow, like an sds); INCRBYFLOAT stores embstr/raw text. Where the
// bytes physically are (inline in the entry up to kInlineMax, or in a
// HeapString) is independent of the logical encoding OBJECT ENCODING shows.
//
// Each operation looks the key up with Redis's flags, checks the type, makes
// the change, and reports it (KeyModified, the event Redis 7.0 emits, dirty)
// through the Keyspace. Returned string_views point into the keyspace and
// are valid until the next write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/numbers.h"
#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/op_status.h"

namespace vireo::engine::str {

// ---- construction -------------------------------------------------------
// An entry for a string value; `enc` is kInt (ival used), kEmbstr or kRaw.
Entry* NewStringEntry(std::string_view key, std::string_view val, Enc enc);
Entry* NewIntEntry(std::string_view key, int64_t v);
// Redis's tryObjectEncoding decision: kInt (and *iv) for integers of <= 20
// chars, kEmbstr up to 44 bytes, kRaw beyond.
inline Enc ChooseStringEncoding(std::string_view s, int64_t* iv) {
  // Why: tryObjectEncoding only tries integers up to 20 chars and keeps
  // strings of <= 44 bytes as embstr.
  if (s.size() <= 20 && base::StringToInt64(s, iv)) return Enc::kInt;
  return s.size() <= kEmbstrSizeLimit ? Enc::kEmbstr : Enc::kRaw;
}
// An entry for `val` with tryObjectEncoding's choice of encoding.
inline Entry* MakeString(std::string_view key, std::string_view val) {
  int64_t iv;
  Enc e = ChooseStringEncoding(val, &iv);
  if (e == Enc::kInt) return NewIntEntry(key, iv);
  return NewStringEntry(key, val, e);
}
// The value bytes, formatting an int into buf (>= 21 bytes).
std::string_view Value(const Entry* e, char* buf);
// Whether Redis would hold this value as one of its shared integers
// (0..9999, unless maxmemory with an LRU/LFU policy disables sharing):
// OBJECT REFCOUNT and DEBUG OBJECT then say 2147483647.
bool IsSharedInteger(const Entry* e, const KeyspaceOptions& o);

// ---- value table rows (value.h) ----------------------------------------
void FreeValue(Entry* e);
size_t FreeEffort(const Entry* e);
Entry* Dup(const Entry* e, std::string_view newkey);
size_t MemoryUsage(const Entry* e, size_t samples);
void Digest(const Entry* e, uint8_t digest[20]);

// ---- operations ---------------------------------------------------------
// GET: kNotFound, kWrongType, or the value.
OpResult<std::string_view> Get(Keyspace& ks, int db, std::string_view key, char* buf,
                               int lookup = kLookupRead);

struct SetParams {
  bool nx = false;
  bool xx = false;
  bool keep_ttl = false;
  int64_t expire_at_ms = -1;  // absolute unix ms, -1 = none
};
// SET (and SETNX/SETEX/PSETEX/GETSET): kSkipped when NX/XX says no.
OpStatus Set(Keyspace& ks, int db, std::string_view key, std::string_view val,
             const SetParams& p);
// MSET / MSETNX over (key, value) pairs; with nx, kSkipped when any key
// exists (nothing is set).
OpStatus MSet(Keyspace& ks, int db, const std::vector<std::string_view>& argv, size_t first,
              bool nx);
// INCR/DECR/INCRBY/DECRBY: the new value.
OpResult<int64_t> IncrBy(Keyspace& ks, int db, std::string_view key, int64_t incr);
// INCRBYFLOAT: the new value as stored (Redis's long double formatting);
// `incr` is the unparsed argument (kNotFloat when it is not a number, after
// the stored value was checked, as Redis orders its errors).
OpResult<std::string> IncrByFloat(Keyspace& ks, int db, std::string_view key,
                                  std::string_view incr);
// APPEND: the new length.
OpResult<size_t> Append(Keyspace& ks, int db, std::string_view key, std::string_view data);
// SETRANGE: the new length (kOffsetOutOfRange for a negative offset,
// kStringTooLong past proto-max-bulk-len).
OpResult<size_t> SetRange(Keyspace& ks, int db, std::string_view key, int64_t offset,
                          std::string_view value);

}  // namespace vireo::engine::str
