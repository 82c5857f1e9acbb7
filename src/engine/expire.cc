// The keyspace's background work: Redis 7.0's active expire cycle and the
// cron's table resizing (see keyspace.h).
//
// The active cycle samples keys with a TTL, bucket by bucket from a cursor
// kept per database, deletes the expired ones, and keeps going while more
// than `acceptable_stale` percent of the sample was expired — within a time
// budget: 25% of the cron period for the slow cycle (run from the cron),
// 1 ms for the fast one (run before the loop sleeps, at most every 2 ms, and
// only when the last cycle hit its time limit or the stale estimate is high).
// The knobs and their effort scaling are Redis's, so expired keys are
// reclaimed at the same pace.
#include "base/clock.h"
#include "engine/keyspace.h"

namespace vireo::engine {

int64_t Keyspace::ActiveExpireCycle(bool fast, int hz) {
  // Why: while clients are paused the dataset stays constant (Redis's
  // activeExpireCycle returns at once then).
  if (options_.expire_paused || options_.loading) return 0;
  int effort = options_.active_expire_effort - 1;
  const long keys_per_loop = 20 + 20 / 4 * effort;
  const long fast_duration = 1000 + 1000 / 4 * effort;
  const long slow_time_perc = 25 + 2 * effort;
  const long acceptable_stale = 10 - effort;
  int64_t start = base::MonotonicUs();
  if (fast) {
    if (!expire_timelimit_exit_ && stats_.expired_stale_perc < acceptable_stale) return 0;
    if (start < expire_last_fast_cycle_us_ + fast_duration * 2) return 0;
    expire_last_fast_cycle_us_ = start;
  }
  int dbs_per_call = 16;
  if (dbs_per_call > num_dbs() || expire_timelimit_exit_) dbs_per_call = num_dbs();
  if (hz <= 0) hz = 10;
  long long timelimit = slow_time_perc * 1000000 / hz / 100;
  expire_timelimit_exit_ = false;
  if (timelimit <= 0) timelimit = 1;
  if (fast) timelimit = fast_duration;
  long total_sampled = 0, total_expired = 0;
  int iteration = 0;
  std::string key;
  for (int j = 0; j < dbs_per_call && !expire_timelimit_exit_; j++) {
    int dbid = static_cast<int>(expire_current_db_ % static_cast<unsigned>(num_dbs()));
    Db& d = D(dbid);
    expire_current_db_++;
    long sampled, expired;
    do {
      iteration++;
      size_t num = d.expires_size();
      if (num == 0) {
        d.avg_ttl = 0;
        break;
      }
      size_t slots = d.expires().slots();
      int64_t now = options_.now_ms;
      // Why: below 1% fill, sampling is too expensive; wait for a resize.
      if (slots > 4 && num * 100 / slots < 1) break;
      expired = 0;
      sampled = 0;
      long long ttl_sum = 0, ttl_samples = 0;
      if (num > static_cast<size_t>(keys_per_loop)) num = static_cast<size_t>(keys_per_loop);
      long max_buckets = static_cast<long>(num) * 20, checked = 0;
      while (sampled < static_cast<long>(num) && checked < max_buckets) {
        checked += d.expires().VisitBucket(d.expires_cursor, [&](ExpireNode* n) {
          int64_t ttl = n->when - now;
          if (Db::IsExpiredAt(n->when, now)) {
            key.assign(n->entry->key());
            DeleteExpired(dbid, key);
            expired++;
          }
          if (ttl > 0) {
            ttl_sum += ttl;
            ttl_samples++;
          }
          sampled++;
        });
        d.expires_cursor++;
      }
      total_expired += expired;
      total_sampled += sampled;
      if (ttl_samples) {
        long long avg = ttl_sum / ttl_samples;
        if (d.avg_ttl == 0) d.avg_ttl = avg;
        d.avg_ttl = (d.avg_ttl / 50) * 49 + (avg / 50);
      }
      if ((iteration & 0xf) == 0 && base::MonotonicUs() - start > timelimit) {
        expire_timelimit_exit_ = true;
        stats_.expired_time_cap_reached_count++;
        break;
      }
    } while (sampled == 0 || (expired * 100 / sampled) > acceptable_stale);
  }
  int64_t elapsed = base::MonotonicUs() - start;
  stats_.expire_cycle_time_used += static_cast<uint64_t>(elapsed);
  double perc = total_sampled ? static_cast<double>(total_expired) / total_sampled : 0;
  stats_.expired_stale_perc = perc * 0.05 + stats_.expired_stale_perc * 0.95;
  return elapsed;
}

void Keyspace::CronResize(int64_t budget_us) {
  int dbs = num_dbs();
  int per_call = dbs < 16 ? dbs : 16;
  for (int j = 0; j < per_call; j++) {
    Db& d = D(resize_db_cursor_ % dbs);
    resize_db_cursor_++;
    d.keys().ShrinkIfNeeded();
    d.expires().ShrinkIfNeeded();
  }
  int64_t start = base::MonotonicUs();
  for (int j = 0; j < dbs; j++) {
    Db& d = D(j);
    while (d.keys().rehashing() || d.expires().rehashing()) {
      d.keys().Rehash(100);
      d.expires().Rehash(100);
      if (base::MonotonicUs() - start > budget_us) return;
    }
  }
  // The slot index's resizes in progress (cluster mode), likewise.
  for (int j = 0; j < dbs; j++) {
    while (D(j).MigrateSlots(1024)) {
      if (base::MonotonicUs() - start > budget_us) return;
    }
  }
}

}  // namespace vireo::engine
