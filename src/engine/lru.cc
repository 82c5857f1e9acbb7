// See lru.h.
#include "engine/lru.h"

#include <cstdlib>

namespace vireo::engine {
namespace {

// Redis's LFU_INIT_VAL.
constexpr uint32_t kLfuInitVal = 5;
// Redis's LRU_CLOCK_MAX.
constexpr uint64_t kLruClockMax = (1u << 24) - 1;

uint32_t LfuTimeInMinutes(const KeyspaceOptions& o) {
  return static_cast<uint32_t>((o.now_ms / 1000 / 60) & 65535);
}

uint32_t LfuTimeElapsed(uint32_t ldt, const KeyspaceOptions& o) {
  uint32_t now = LfuTimeInMinutes(o);
  if (now >= ldt) return now - ldt;
  return 65535 - ldt + now;
}

uint32_t LfuLogIncr(uint32_t counter, const KeyspaceOptions& o) {
  if (counter == 255) return 255;
  // Why: Redis draws from rand(), so the probability curve is the same.
  double r = static_cast<double>(rand()) / RAND_MAX;
  double baseval = static_cast<double>(counter) - kLfuInitVal;
  if (baseval < 0) baseval = 0;
  double p = 1.0 / (baseval * o.lfu_log_factor + 1);
  if (r < p) counter++;
  return counter;
}

}  // namespace

uint32_t NewObjectLfu(const KeyspaceOptions& o) { return (LfuTimeInMinutes(o) << 8) | kLfuInitVal; }

uint64_t LfuDecrAndReturn(const Entry* e, const KeyspaceOptions& o) {
  uint32_t ldt = e->lru >> 8;
  uint64_t counter = e->lru & 255;
  uint64_t periods =
      o.lfu_decay_time > 0 ? LfuTimeElapsed(ldt, o) / static_cast<uint64_t>(o.lfu_decay_time) : 0;
  if (periods) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

void TouchLfu(Entry* e, const KeyspaceOptions& o) {
  uint32_t counter = LfuLogIncr(static_cast<uint32_t>(LfuDecrAndReturn(e, o)), o);
  e->lru = (LfuTimeInMinutes(o) << 8) | counter;
}

uint64_t EstimateIdleTimeMs(const Entry* e, const KeyspaceOptions& o) {
  uint64_t clock = o.lru_clock();
  uint64_t lru = e->lru;
  if (clock >= lru) return (clock - lru) * 1000;
  return (clock + (kLruClockMax - lru)) * 1000;
}

// Why the LRU branch also runs under non-LRU policies: Redis keeps the
// idle time of a loaded key whenever the policy is not LFU, so OBJECT
// IDLETIME after a restart answers what was saved.
bool SetLruOrLfu(Entry* e, int64_t lfu_freq, int64_t lru_idle_s, const KeyspaceOptions& o) {
  if (o.lfu()) {
    if (lfu_freq < 0) return false;
    e->lru = (LfuTimeInMinutes(o) << 8) | static_cast<uint32_t>(lfu_freq & 0xFF);
    return true;
  }
  if (lru_idle_s < 0) return false;
  int64_t clock = o.lru_clock();
  int64_t abs = clock - lru_idle_s;  // 1 s resolution, as LRU_CLOCK_RESOLUTION
  // A wrapped clock: half-way in the future makes it the oldest key.
  if (abs < 0) abs = (clock + static_cast<int64_t>(kLruClockMax / 2)) % static_cast<int64_t>(kLruClockMax);
  e->lru = static_cast<uint32_t>(abs);
  return true;
}

}  // namespace vireo::engine
