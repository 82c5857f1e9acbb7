// KeyspaceOptions: everything the engine needs to know about the server's
// configuration and clock, as plain values.
//
// Why a struct and not a pointer to the server: the engine must run without
// a server (unit tests, tools, the RDB loader) and must not reach into
// globals. The server copies the relevant directives in at startup and on
// every CONFIG SET of one of them (a config hook), and sets `now_ms` once
// per event-loop iteration and per command, so one command sees one time —
// Redis's cached server.mstime.
#pragma once

#include <cstdint>

namespace vireo::engine {

// Redis's maxmemory-policy values (same order as the config enum).
enum class EvictionPolicy : int {
  kNoEviction = 0,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
};

struct KeyspaceOptions {
  // The cached clock: unix time in ms (set with SetNow, which also caches
  // the LRU clock derived from it).
  int64_t now_ms = 0;
  void SetNow(int64_t ms) {
    now_ms = ms;
    lru_clock_ = static_cast<uint32_t>(ms / 1000) & ((1u << 24) - 1);
  }
  // A replica (replicaof set): EXPIRE with a time in the past does not
  // delete, and RANDOMKEY stops looping over expired keys.
  bool replica = false;
  // Why these two (Redis's expireIfNeeded on a replica): an expired key is
  // reported missing but kept until the master's DEL arrives — except for
  // a write on a writable replica (replica-read-only no), which deletes it;
  // and while our master's commands run no key counts as expired at all,
  // so the stream applies exactly as on the master.
  bool replica_read_only = true;
  bool applying_master = false;
  // Clients are paused (CLIENT PAUSE): expired keys are reported missing
  // but not deleted, so the dataset stays constant (Redis's expireIfNeeded).
  bool expire_paused = false;
  // Loading a dataset (RDB or AOF): nothing counts as expired, and an
  // EXPIRE / RESTORE with a time already past sets it instead of deleting
  // (Redis's keyIsExpired and checkAlreadyExpired test server.loading), so
  // an AOF replays to exactly the dataset it recorded.
  bool loading = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  EvictionPolicy maxmemory_policy = EvictionPolicy::kNoEviction;
  uint64_t maxmemory = 0;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  int active_expire_effort = 1;
  // proto-max-bulk-len: the largest string APPEND/SETRANGE may build.
  int64_t max_string_len = 512ll * 1024 * 1024;
  // Compact-encoding thresholds (Redis's *-max-listpack-* / intset configs):
  // a value converts to its big encoding past these, never back (except
  // lists, which Redis 7.0 also does not shrink back).
  uint64_t hash_max_listpack_entries = 512;
  uint64_t hash_max_listpack_value = 64;
  uint64_t set_max_intset_entries = 512;
  uint64_t zset_max_listpack_entries = 128;
  uint64_t zset_max_listpack_value = 64;
  // list-max-listpack-size: > 0 entries per quicklist node, < 0 a size class
  // (-1 4KB ... -5 64KB); list-compress-depth: nodes left uncompressed at
  // each end (0 = no compression).
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;

  bool lfu() const {
    return maxmemory_policy == EvictionPolicy::kVolatileLfu ||
           maxmemory_policy == EvictionPolicy::kAllkeysLfu;
  }
  bool lru_or_lfu() const {
    return lfu() || maxmemory_policy == EvictionPolicy::kVolatileLru ||
           maxmemory_policy == EvictionPolicy::kAllkeysLru;
  }
  // Redis's LRU_CLOCK: seconds, 24 bits.
  uint32_t lru_clock() const { return lru_clock_; }

 private:
  uint32_t lru_clock_ = 0;
};

}  // namespace vireo::engine
