// See evict.h. Redis 7.0's evict.c: the pool, the memory state and the
// eviction loop.
#include "engine/evict.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "base/clock.h"
#include "base/memory.h"
#include "engine/lazyfree.h"
#include "engine/lru.h"

namespace vireo::engine {

namespace {

bool IsLru(EvictionPolicy p) {
  return p == EvictionPolicy::kAllkeysLru || p == EvictionPolicy::kVolatileLru;
}
bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllkeysLfu || p == EvictionPolicy::kVolatileLfu;
}
bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllkeysRandom || p == EvictionPolicy::kVolatileRandom;
}

// The samples of one evictionPoolPopulate call (maxmemory-samples may be
// large; the buffers grow once and are reused).
thread_local std::vector<Entry*> g_key_samples;
thread_local std::vector<ExpireNode*> g_ttl_samples;

}  // namespace

Evictor::Evictor(Keyspace* ks) : ks_(ks) {
  // Why: Redis allocates each pool entry's cached sds once
  // (evictionPoolAlloc) so that sampled keys are copied, not allocated.
  for (auto& p : pool_) p.key.reserve(kCachedKeySize);
  best_.reserve(kCachedKeySize);
}

bool Evictor::AllKeys() const {
  EvictionPolicy p = ks_->options().maxmemory_policy;
  return p == EvictionPolicy::kAllkeysLru || p == EvictionPolicy::kAllkeysLfu ||
         p == EvictionPolicy::kAllkeysRandom;
}

MaxmemoryState Evictor::State(bool with_level) const {
  MaxmemoryState st;
  st.total = base::UsedMemory();
  size_t maxmemory = ks_->options().maxmemory;
  if (maxmemory == 0) return st;
  if (st.total <= maxmemory && !with_level) return st;
  // Why: the AOF buffer and replica output buffers are left out, or the
  // DELs that eviction itself propagates would feed more eviction.
  size_t overhead = NotCounted();
  size_t used = st.total > overhead ? st.total - overhead : 0;
  st.level = static_cast<float>(used) / static_cast<float>(maxmemory);
  if (st.total <= maxmemory || used <= maxmemory) return st;
  st.over = true;
  st.logical = used;
  st.tofree = used - maxmemory;
  return st;
}

bool Evictor::OverAfterAlloc(size_t more) const {
  size_t maxmemory = ks_->options().maxmemory;
  if (maxmemory == 0) return false;
  size_t used = base::UsedMemory();
  size_t overhead = NotCounted();
  used = used > overhead ? used - overhead : 0;
  return used + more > maxmemory;
}

namespace {
const Evictor* g_expand_guard = nullptr;
// Redis's HASHTABLE_MAX_LOAD_FACTOR: past it a table grows whatever the
// memory, or lookups would degrade.
constexpr double kMaxLoadFactor = 1.618;
}  // namespace

void SetExpandGuard(const Evictor* e) { g_expand_guard = e; }

Evictor::~Evictor() {
  if (g_expand_guard == this) g_expand_guard = nullptr;
}

bool KeyspaceExpandAllowed(size_t more_mem, double used_ratio) {
  // Why: Redis refuses to grow a keyspace table (a big allocation at once)
  // when that alone would pass maxmemory, which would evict keys only to
  // make room for the bigger table.
  if (g_expand_guard == nullptr || used_ratio > kMaxLoadFactor) return true;
  return !g_expand_guard->OverAfterAlloc(more_mem);
}

uint64_t Evictor::TimeLimitUs() const {
  int t = std::clamp(opts_.tenacity, 0, 100);
  // Why: Redis's evictionTimeLimitUs: linear 0..500us up to 10, then a 15%
  // geometric progression (about 2 minutes at 99), unlimited at 100.
  if (t <= 10) return 50ull * static_cast<uint64_t>(t);
  if (t < 100) return static_cast<uint64_t>(500.0 * pow(1.15, t - 10.0));
  return ULLONG_MAX;
}

bool Evictor::SafeToEvict() const {
  const KeyspaceOptions& o = ks_->options();
  // Why: by default replicas are exact copies of their master and leave
  // eviction to it (replica-ignore-maxmemory). The replica role is
  // options().replica (replicaof set).
  if (o.replica && opts_.replica_ignore) return false;
  // Why: while clients are paused the dataset stays static, evictions
  // included (checkClientPauseTimeoutAndReturnIfPaused).
  if (o.expire_paused) return false;
  // (Redis also skips while loading and inside a yielding long command:
  // the loader and scripts will check before calling Perform.)
  return true;
}

void Evictor::Insert(uint64_t idle, int db, std::string_view key) {
  // Find the first empty slot or the first one with a smaller score.
  int k = 0;
  while (k < kPoolSize && pool_[k].used && pool_[k].idle < idle) k++;
  if (k == 0 && pool_[kPoolSize - 1].used) {
    // Worse than everything in a full pool.
    return;
  } else if (k < kPoolSize && !pool_[k].used) {
    // An empty slot: nothing to move.
  } else if (!pool_[kPoolSize - 1].used) {
    // Free space on the right: shift k.. right; the last (empty) entry and
    // its cached buffer land at k.
    std::rotate(pool_.begin() + k, pool_.end() - 1, pool_.end());
  } else {
    // Full: drop the worst (slot 0), shift 1..k-1 left, insert at k-1.
    k--;
    std::rotate(pool_.begin(), pool_.begin() + 1, pool_.begin() + k + 1);
  }
  PoolEntry& e = pool_[k];
  e.key.assign(key);  // within the reserved capacity for keys <= 255 bytes
  e.idle = idle;
  e.db = db;
  e.used = true;
}

void Evictor::Populate(int dbid) {
  Db& db = ks_->db(dbid);
  const KeyspaceOptions& o = ks_->options();
  EvictionPolicy policy = o.maxmemory_policy;
  size_t want = static_cast<size_t>(std::max(opts_.samples, 1));
  auto score = [&](const Entry* e, const ExpireNode* n) -> uint64_t {
    if (IsLru(policy)) return EstimateIdleTimeMs(e, o);
    // Why: under LFU the pool is ordered by inverted frequency so that the
    // least used keys rank highest.
    if (IsLfu(policy)) return 255 - LfuDecrAndReturn(e, o);
    // volatile-ttl: the sooner the expire, the better the candidate.
    return ULLONG_MAX - static_cast<uint64_t>(n->when);
  };
  if (AllKeys()) {
    g_key_samples.resize(want);
    size_t n = db.keys().SomeNodes(g_key_samples.data(), want);
    for (size_t j = 0; j < n; j++) {
      Entry* e = g_key_samples[j];
      Insert(score(e, nullptr), dbid, e->key());
    }
  } else {
    g_ttl_samples.resize(want);
    size_t n = db.expires().SomeNodes(g_ttl_samples.data(), want);
    for (size_t j = 0; j < n; j++) {
      ExpireNode* x = g_ttl_samples[j];
      Insert(score(x->entry, x), dbid, x->entry->key());
    }
  }
}

bool Evictor::PopBest(int* db, std::string* key) {
  bool all = AllKeys();
  // From the best candidate (the right end) to the worst.
  for (int k = kPoolSize - 1; k >= 0; k--) {
    PoolEntry& p = pool_[k];
    if (!p.used) continue;
    Entry* e = ks_->db(p.db).Find(p.key);
    bool live = e && (all || e->has_expire());
    p.used = false;
    p.idle = 0;
    // A key deleted or persisted since it was sampled is a ghost: next.
    if (live) {
      *db = p.db;
      key->assign(p.key);
      return true;
    }
  }
  return false;
}

bool Evictor::PickKey(int* db, std::string* key) {
  EvictionPolicy policy = ks_->options().maxmemory_policy;
  bool all = AllKeys();
  int dbnum = ks_->num_dbs();
  if (IsRandom(policy)) {
    // Why: Redis visits the databases in turn (a static next_db) so every
    // db gives up keys, not only the first non-empty one.
    for (int i = 0; i < dbnum; i++) {
      int j = static_cast<int>(++next_db_ % static_cast<unsigned>(dbnum));
      Db& d = ks_->db(j);
      if (all && d.size()) {
        key->assign(d.keys().RandomNode()->key());
      } else if (!all && d.expires_size()) {
        key->assign(d.expires().RandomNode()->entry->key());
      } else {
        continue;
      }
      *db = j;
      return true;
    }
    return false;
  }
  for (;;) {
    // Why: sample every db before choosing, so the choice is global.
    size_t total = 0;
    for (int i = 0; i < dbnum; i++) {
      Db& d = ks_->db(i);
      size_t n = all ? d.size() : d.expires_size();
      if (n) {
        Populate(i);
        total += n;
      }
    }
    if (total == 0) return false;
    if (PopBest(db, key)) return true;
    // Only ghosts: sample again.
  }
}

void Evictor::UpdateMetrics(EvictResult r) {
  if (r == EvictResult::kOk) {
    if (exceeded_since_us_ != 0) {
      total_exceeded_us_ += static_cast<uint64_t>(base::MonotonicUs() - exceeded_since_us_);
      exceeded_since_us_ = 0;
    }
  } else if (exceeded_since_us_ == 0) {
    exceeded_since_us_ = base::MonotonicUs();
  }
}

uint64_t Evictor::current_exceeded_ms() const {
  if (exceeded_since_us_ == 0) return 0;
  return static_cast<uint64_t>(base::MonotonicUs() - exceeded_since_us_) / 1000;
}

uint64_t Evictor::total_exceeded_ms() const {
  uint64_t cur = exceeded_since_us_ ? static_cast<uint64_t>(base::MonotonicUs() - exceeded_since_us_) : 0;
  return (total_exceeded_us_ + cur) / 1000;
}

EvictResult Evictor::Perform() {
  // Why: not evicting when it is not safe counts as OK, without touching
  // the exceeded-time metrics (Redis's "fake EVICT_OK").
  if (!SafeToEvict()) return EvictResult::kOk;
  MaxmemoryState st = State();
  if (!st.over) {
    UpdateMetrics(EvictResult::kOk);
    return EvictResult::kOk;
  }
  if (ks_->options().maxmemory_policy == EvictionPolicy::kNoEviction) {
    UpdateMetrics(EvictResult::kFail);
    return EvictResult::kFail;
  }
  uint64_t limit = TimeLimitUs();
  int64_t start = base::MonotonicUs();
  auto elapsed = [&] { return static_cast<uint64_t>(base::MonotonicUs() - start); };
  long long freed = 0;  // may go negative
  long long keys_freed = 0;
  bool nothing_left = false;
  int db = 0;
  while (freed < static_cast<long long>(st.tofree)) {
    if (!PickKey(&db, &best_)) {
      nothing_left = true;
      break;
    }
    // Why: only what the deletion itself frees counts; the DEL propagated
    // and the tracking invalidation messages (both allocate) would
    // otherwise keep the loop from ending, a feedback loop draining the db.
    long long delta = 0;
    int64_t t0 = base::MonotonicUs();
    ks_->Evict(db, best_, opts_.lazy, &delta);
    if (latency_) latency_("eviction-del", static_cast<uint64_t>(base::MonotonicUs() - t0) / 1000);
    freed += delta;
    keys_freed++;
    if (keys_freed % 16 == 0) {
      // Why: with lazy eviction the thread frees memory the deltas above
      // do not see; check the real state now and then.
      if (opts_.lazy && !State().over) break;
      // Out of time: keep evicting from the server's timer.
      if (elapsed() > limit) {
        running_ = true;
        break;
      }
    }
  }
  EvictResult result = running_ ? EvictResult::kRunning : EvictResult::kOk;
  if (nothing_left) {
    result = EvictResult::kFail;
    // Why: nothing left to evict, but the lazyfree thread may still be
    // freeing what was evicted: wait for it a little (not past the limit).
    int64_t w0 = base::MonotonicUs();
    while (lazyfree::PendingObjects() && elapsed() < limit) {
      if (!State().over) {
        result = EvictResult::kOk;
        break;
      }
      usleep(static_cast<useconds_t>(std::min<uint64_t>(limit, 1000)));
    }
    if (latency_) latency_("eviction-lazyfree", static_cast<uint64_t>(base::MonotonicUs() - w0) / 1000);
  }
  if (latency_) latency_("eviction-cycle", elapsed() / 1000);
  UpdateMetrics(result);
  return result;
}

}  // namespace vireo::engine
