// What every blocking command shares (BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH
// in list.cc, BZPOPMIN BZPOPMAX BZMPOP in zset.cc): the timeout argument
// and the decision to block or answer at once. The waiting itself is
// server/blocking.h's.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "commands/common.h"

namespace vireo::commands {

// Redis 7.0's getTimeoutFromObjectOrReply in seconds: a float, rounded up
// to ms; returns the absolute deadline in unix ms (0 = wait forever).
bool ParseBlockTimeout(Client& c, std::string_view arg, int64_t* deadline_ms);

// Blocks `c` on `keys` until one holds `type`, or, where blocking is not
// allowed (inside MULTI/EXEC, socket-less callers), answers as a timeout
// at once: a null array, or a null bulk for BLMOVE/BRPOPLPUSH
// (null_bulk), as Redis does.
void BlockOrTimeout(Client& c, std::span<const std::string_view> keys, engine::ObjType type,
                    int64_t deadline_ms, bool null_bulk = false);

}  // namespace vireo::commands
