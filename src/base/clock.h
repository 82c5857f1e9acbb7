// Wall and monotonic clocks in Redis's units.
//
// The server caches the time once per event-loop iteration (like Redis's
// server.mstime) so that one command sees one time; engine code receives the
// cached "now" explicitly rather than reading a clock.
#pragma once

#include <cstdint>
#include <ctime>

namespace vireo::base {

inline int64_t UnixTimeUs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
inline int64_t UnixTimeMs() { return UnixTimeUs() / 1000; }
inline int64_t MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace vireo::base
