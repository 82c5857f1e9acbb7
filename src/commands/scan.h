// The argument parsing shared by SCAN, HSCAN, SSCAN and ZSCAN (Redis's
// parseScanCursorOrReply and the option loop of scanGenericCommand).
//
// Why shared: the four commands must agree on every error (an invalid
// cursor, COUNT < 1, an unknown option) and on the order they are checked;
// the per-type commands differ only in what they iterate.
#pragma once

#include <cstdint>
#include <string_view>

#include "commands/common.h"

namespace vireo::commands {

struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // a MATCH other than "*"
  bool has_type = false;     // TYPE (SCAN only)
  std::string_view type;
};

// Redis's parseScanCursorOrReply: strtoul semantics ("" is 0, "-1" wraps,
// "+1" is 1) but no leading space, no trailing bytes, no overflow.
bool ParseScanCursor(Client& c, std::string_view arg, uint64_t* cursor);

// COUNT / MATCH (/ TYPE when allow_type) from argv[first] on; replies the
// error (syntax, not an integer) and returns false on bad input.
bool ParseScanOptions(Client& c, size_t first, bool allow_type, ScanOptions* out);

}  // namespace vireo::commands
