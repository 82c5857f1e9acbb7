// Glob-style pattern matching with Redis's exact semantics (stringmatchlen).
//
// Owns the matcher used by KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE, ACL key
// patterns...: they must all agree with Redis byte for byte, including the
// odd corners (unterminated [classes], reversed ranges, trailing '\').
#pragma once

#include <string_view>

namespace vireo::base {

// Returns true when `str` matches `pattern`:
//   *        any sequence (including empty)
//   ?        any single byte
//   [abc]    one of the bytes; [^abc] none of them; [a-z] a range (a
//            reversed range [z-a] works too); \x inside a class is x
//   \x       the byte x literally
// With `nocase`, letters compare case-insensitively (ASCII tolower).
// Like Redis 7.0.15, a failed '*' expansion stops the search early, so
// pathological patterns cannot take exponential time.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase);

}  // namespace vireo::base
