// See blocking.h.
#include "commands/blocking.h"

#include <cmath>

#include "server/blocking.h"

namespace vireo::commands {

bool ParseBlockTimeout(Client& c, std::string_view arg, int64_t* deadline_ms) {
  long double ft;
  if (!base::StringToLongDouble(arg, &ft)) {
    Err(c, server::err::kTimeoutNotFloat);
    return false;
  }
  long double ms = ceill(ft * 1000.0L);
  // Why: Redis converts with (long long)ceill(t * 1000); on x86 a value out
  // of range (inf, 1e30) becomes LLONG_MIN, so it is "negative".
  int64_t tval = (ms >= 9223372036854775807.0L || ms < -9223372036854775807.0L)
                     ? INT64_MIN
                     : static_cast<int64_t>(ms);
  if (tval < 0) {
    Err(c, server::err::kTimeoutNegative);
    return false;
  }
  if (tval > 0) {
    // Why: Redis adds the time without a check; an overflow gives a
    // deadline its timeout table never reaches: it waits forever.
    int64_t now = g_server->now_ms();
    tval = tval > INT64_MAX - now ? 0 : tval + now;
  }
  *deadline_ms = tval;
  return true;
}

void BlockOrTimeout(Client& c, std::span<const std::string_view> keys, engine::ObjType type,
                    int64_t deadline_ms, bool null_bulk) {
  server::BlockingRegistry& b = g_server->blocking();
  if (!b.CanBlock(c)) {
    if (null_bulk)
      c.reply.Null();
    else
      c.reply.NullArray();
    return;
  }
  b.Block(c, keys, type, deadline_ms);
}

}  // namespace vireo::commands
