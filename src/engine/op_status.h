// OpStatus / OpResult<T>: how an engine operation says what happened.
//
// Why: the engine knows nothing of replies or error texts. An operation
// returns a status (and a value when it succeeds); the command layer maps a
// status to Redis's exact error line in one place (server/errors.h), so
// the same condition always produces the same bytes whichever command hit
// it. No exceptions on the data path.
//
// Statuses that are not errors in every command (kNotFound, kExists,
// kSkipped) are outcomes the handler turns into its own reply (null, 0, ...).
#pragma once

#include <cstdint>
#include <utility>

namespace vireo::engine {

enum class OpStatus : uint8_t {
  kOk = 0,
  kNotFound,        // the key does not exist
  kWrongType,       // the key holds another type
  kNotInteger,      // the stored value is not an integer (or out of range)
  kNotFloat,        // the stored value or the argument is not a valid float
  kOverflow,        // increment or decrement would overflow
  kNanOrInfinity,   // the float result would be NaN or infinite
  kStringTooLong,   // the result would exceed proto-max-bulk-len
  kSameObject,      // source and destination are the same key
  kDbOutOfRange,    // a database index outside 0..databases-1
  kExists,          // the destination exists (NX semantics): nothing done
  kSkipped,         // a condition (NX/XX/GT/LT) was not met: nothing done
  kOffsetOutOfRange,// SETRANGE with a negative offset
  kUnknownType,     // a value type this operation cannot handle
  kIndexOutOfRange, // LSET: the index is outside the list
  kNanScore,        // a sorted-set score would become NaN (ZADD INCR / ZINCRBY)
  kHashNotInteger,  // HINCRBY: the field's value is not an integer
  kHashNotFloat,    // HINCRBYFLOAT: the field's value is not a float
  kNotDouble,       // SORT: an element or BY value is not a number
};

// A value or a status. `ok()` is true only for kOk; value() is then valid.
template <class T>
class OpResult {
 public:
  OpResult(OpStatus s) : status_(s) {}  // NOLINT: implicit from a status
  OpResult(T v) : status_(OpStatus::kOk), value_(std::move(v)) {}  // NOLINT

  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }

 private:
  OpStatus status_;
  T value_{};
};

}  // namespace vireo::engine
