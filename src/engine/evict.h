// Evictor: maxmemory key eviction (Redis 7.0's evict.c).
//
// Owns what Redis keeps in evict.c: the eviction pool (EVPOOL_SIZE best
// candidates across all databases, each with a cached key buffer so a
// sampled key costs no allocation), the memory-state computation
// (getMaxmemoryState, minus the memory eviction must not count), the
// eviction loop with its maxmemory-eviction-tenacity time limit, and the
// "keep evicting" state (EVICT_RUNNING) that the server continues from a
// loop timer. Keys are removed through Keyspace::Evict, the keyspace's one
// deletion path for evictions (event "evicted", WATCH, propagation).
//
// It knows nothing of clients or the server: the server copies the
// directives into options(), tells it what memory to leave out
// (set_not_counted: the AOF buffer and replica output buffers, once they
// exist) and calls Perform() before commands and from its timer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/keyspace.h"

namespace vireo::engine {

// Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL.
enum class EvictResult { kOk, kRunning, kFail };

struct EvictOptions {
  int samples = 5;                 // maxmemory-samples
  int tenacity = 10;               // maxmemory-eviction-tenacity (0..100)
  bool lazy = false;               // lazyfree-lazy-eviction
  bool replica_ignore = true;      // replica-ignore-maxmemory
};

// Redis's getMaxmemoryState results.
struct MaxmemoryState {
  bool over = false;     // true: C_ERR (above maxmemory after the overhead)
  size_t total = 0;      // used_memory as reported
  size_t logical = 0;    // used_memory minus what is not counted
  size_t tofree = 0;     // logical - maxmemory
  float level = 0;       // logical / maxmemory
};

class Evictor {
 public:
  // Redis's EVPOOL_SIZE and EVPOOL_CACHED_SDS_SIZE.
  static constexpr int kPoolSize = 16;
  static constexpr size_t kCachedKeySize = 255;

  explicit Evictor(Keyspace* ks);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  EvictOptions& options() { return opts_; }
  // The bytes of used_memory that eviction leaves out (Redis's
  // freeMemoryGetNotCountedMemory). Empty: nothing.
  void set_not_counted(std::function<size_t()> f) { not_counted_ = std::move(f); }
  size_t NotCounted() const { return not_counted_ ? not_counted_() : 0; }
  // Receives Redis's latency samples "eviction-del", "eviction-cycle" and
  // "eviction-lazyfree" (ms), for the latency monitor.
  void set_latency_hook(std::function<void(const char*, uint64_t)> f) { latency_ = std::move(f); }

  // Redis's getMaxmemoryState (with_level: compute `level` even when under).
  MaxmemoryState State(bool with_level = false) const;
  bool OverLimit() const { return State().over; }
  // Redis's overMaxmemoryAfterAlloc: would `more` bytes pass maxmemory?
  bool OverAfterAlloc(size_t more) const;

  // Redis's performEvictions. kOk also when eviction is not allowed now
  // (clients paused, a replica ignoring maxmemory), as Redis fakes it.
  EvictResult Perform();
  // Redis's isEvictionProcRunning: a cycle hit its time limit with memory
  // still over; the server keeps calling Perform() from a timer until it
  // returns something else, then calls StopRunning().
  bool running() const { return running_; }
  void StartRunning() { running_ = true; }
  void StopRunning() { running_ = false; }

  // Redis's evictionTimeLimitUs for the configured tenacity.
  uint64_t TimeLimitUs() const;
  // INFO total_eviction_exceeded_time / current_eviction_exceeded_time (ms).
  uint64_t total_exceeded_ms() const;
  uint64_t current_exceeded_ms() const;
  void ResetStats() {
    total_exceeded_us_ = 0;
    exceeded_since_us_ = 0;
  }

  // The pool, best candidate last (tests).
  struct PoolEntry {
    uint64_t idle = 0;  // the score: higher evicts first
    int db = 0;
    bool used = false;
    std::string key;    // capacity kCachedKeySize reserved once
  };
  const std::array<PoolEntry, kPoolSize>& pool() const { return pool_; }
  // One evictionPoolPopulate step for db (tests call it directly).
  void Populate(int db);
  // Pops the best live candidate of the pool (ghosts skipped); false when
  // the pool has none. Fills *db and *key.
  bool PopBest(int* db, std::string* key);

 private:
  bool SafeToEvict() const;
  bool AllKeys() const;
  // Picks the next key to evict per the policy; false when none.
  bool PickKey(int* db, std::string* key);
  void Insert(uint64_t idle, int db, std::string_view key);
  void UpdateMetrics(EvictResult r);

  Keyspace* ks_;
  EvictOptions opts_;
  std::function<size_t()> not_counted_;
  std::function<void(const char*, uint64_t)> latency_;
  std::array<PoolEntry, kPoolSize> pool_;
  std::string best_;        // reused buffer for the chosen key
  unsigned next_db_ = 0;    // random policies: the next db to try
  bool running_ = false;
  int64_t exceeded_since_us_ = 0;  // 0: not over the limit
  uint64_t total_exceeded_us_ = 0;
};

// The evictor whose maxmemory limits the growth of the keyspace tables
// (KeyspaceExpandAllowed in db.h); null: no limit. The server sets its own.
void SetExpandGuard(const Evictor* e);

}  // namespace vireo::engine
