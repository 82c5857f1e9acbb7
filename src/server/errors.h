// Redis's exact error replies, kept in one place (server.c createSharedObjects
// and the command files). Handlers reply with these constants, and with
// For() for the status an engine operation returned; texts are without the
// leading '-' and trailing CRLF.
#pragma once

#include <string_view>

#include "engine/op_status.h"

namespace vireo::server::err {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoKey = "ERR no such key";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kTimeout = "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kUnknownType = "ERR unknown type object";

// The error line for an engine status. Statuses that are outcomes rather
// than errors (kOk, kExists, kSkipped) have none: "" is returned, and a
// handler that gets one there has a bug.
constexpr std::string_view For(engine::OpStatus s) {
  using engine::OpStatus;
  switch (s) {
    case OpStatus::kNotFound: return kNoKey;
    case OpStatus::kWrongType: return kWrongType;
    case OpStatus::kNotInteger: return kNotInt;
    case OpStatus::kNotFloat: return kNotFloat;
    case OpStatus::kOverflow: return kOverflow;
    case OpStatus::kNanOrInfinity: return kNanOrInfinity;
    case OpStatus::kStringTooLong: return kStringTooLong;
    case OpStatus::kSameObject: return kSameObject;
    case OpStatus::kDbOutOfRange: return kDbIndex;
    case OpStatus::kOffsetOutOfRange: return kOffsetOutOfRange;
    case OpStatus::kUnknownType: return kUnknownType;
    case OpStatus::kOk:
    case OpStatus::kExists:
    case OpStatus::kSkipped:
      break;
  }
  return "";
}

}  // namespace vireo::server::err
