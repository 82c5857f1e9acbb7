// See lazyfree.h.
#include "engine/lazyfree.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <pthread.h>
#include <sched.h>

#include "engine/value.h"

namespace vireo::engine::lazyfree {
namespace {

std::atomic<size_t> g_pending{0};  // Redis's lazyfree_objects
std::atomic<size_t> g_freed{0};    // Redis's lazyfreed_objects

struct Job {
  Entry* entry = nullptr;  // one value, or
  Db* db = nullptr;        // a detached database
  size_t objects = 0;      // what it counts in g_pending
};

// The worker thread (Redis's BIO_LAZY_FREE). Started on first use so that
// a server that never frees lazily runs no extra thread; joined at exit after
// the queue is drained.
class Worker {
 public:
  ~Worker() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!thread_.joinable()) return;
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Submit(Job job) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
      queue_.push_back(job);
    }
    cv_.notify_all();
  }

  void Drain() {
    std::unique_lock<std::mutex> lk(mu_);
    idle_cv_.wait(lk, [this] { return queue_.empty() && !busy_; });
  }

 private:
  void Run() {
    // Why (not in Redis): freeing a big value takes hundreds of ms of CPU;
    // where the thread shares a core with the event loop (a pinned or a
    // one-core server) it must not delay requests. SCHED_IDLE lets the loop
    // preempt it at once and costs nothing when a core is free.
    sched_param sp{};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left to free
      Job job = queue_.front();
      queue_.pop_front();
      busy_ = true;
      lk.unlock();
      if (job.entry) engine::FreeEntry(job.entry);
      delete job.db;  // ~Db frees every entry, TTL node and bucket array
      g_pending.fetch_sub(job.objects, std::memory_order_relaxed);
      g_freed.fetch_add(job.objects, std::memory_order_relaxed);
      lk.lock();
      busy_ = false;
      if (queue_.empty()) idle_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> queue_;
  std::thread thread_;
  bool stop_ = false;
  bool busy_ = false;
};

Worker& TheWorker() {
  static Worker w;
  return w;
}

}  // namespace

void FreeEntry(Entry* e, bool lazy) {
  if (lazy && FreeEffort(e) > kThreshold) {
    g_pending.fetch_add(1, std::memory_order_relaxed);
    TheWorker().Submit(Job{e, nullptr, 1});
    return;
  }
  engine::FreeEntry(e);
}

void FreeDbAsync(std::unique_ptr<Db> db) {
  size_t n = db->size();
  g_pending.fetch_add(n, std::memory_order_relaxed);
  TheWorker().Submit(Job{nullptr, db.release(), n});
}

void Drain() { TheWorker().Drain(); }

size_t PendingObjects() { return g_pending.load(std::memory_order_relaxed); }
size_t FreedObjects() { return g_freed.load(std::memory_order_relaxed); }
void ResetStats() { g_freed.store(0, std::memory_order_relaxed); }

}  // namespace vireo::engine::lazyfree
