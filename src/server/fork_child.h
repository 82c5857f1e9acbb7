// The one forked child of the server (Redis's child_pid / child_type and
// childinfo.c): a BGSAVE (snapshot.cc) or an AOF rewrite (aof.cc), never
// both, as Redis allows only one child at a time (hasActiveChildProcess).
//
// Owns the fork itself (timing, the fork latency event, total_forks), the
// pipe through which the child reports its progress and copy-on-write size,
// the reaping (the owner's done handler is called by the server's cron) and
// the kill (SIGUSR1, which Redis treats as "killed on purpose", not an
// error), and the INFO current_cow_* / current_fork_perc / current_save_*
// fields, which describe whichever child runs.
//
// While a child lives, hash tables do not grow or rehash (copy-on-write
// would copy every page they touch): engine::SetTableResizeAllowed.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace vireo::server {

class Server;

enum class ChildType { kNone, kRdb, kAof };

class ForkChild {
 public:
  explicit ForkChild(Server* srv) : srv_(srv) {}
  ~ForkChild();
  ForkChild(const ForkChild&) = delete;
  ForkChild& operator=(const ForkChild&) = delete;

  bool active() const { return pid_ > 0; }
  ChildType type() const { return type_; }
  pid_t pid() const { return pid_; }

  // Forks. In the child: closes the listeners, sets the process title and
  // runs `body`, then _exit(0) when it returns true, _exit(1) otherwise.
  // In the parent: returns the child's pid, or -1 (errno set) when fork
  // failed. The keys in the dataset are what current_save_keys_total shows.
  pid_t Start(ChildType type, const char* title, const std::function<bool()>& body);

  // --- the child's side -------------------------------------------------------
  // Every 1024 keys, at most once a second: keys done and COW so far
  // (Redis's sendChildInfo CHILD_INFO_TYPE_CURRENT_INFO).
  void ReportProgress(uint64_t keys);
  // At the end of a successful job: the final COW size, logged as Redis's
  // "Fork CoW for <what>" line.
  void ReportFinal(const char* what);

  // --- the parent's side ------------------------------------------------------
  // Reads pending reports and reaps the child if it exited. True when it
  // did: *exitcode / *bysignal say how; the child is then no longer active.
  bool Reap(int* exitcode, int* bysignal);
  // Kills the child (SIGUSR1) and waits for it.
  void Kill();

  // The final COW size of the last successful child of each type.
  size_t last_cow(ChildType t) const { return t == ChildType::kAof ? last_aof_cow_ : last_rdb_cow_; }
  // INFO persistence: current_cow_peak ... current_save_keys_total.
  void AppendInfo(std::string* s) const;

 private:
  void ReadReports();
  void Reset();

  Server* srv_;
  pid_t pid_ = -1;
  ChildType type_ = ChildType::kNone;
  int pipe_[2] = {-1, -1};
  int64_t last_report_ms_ = 0;  // in the child
  uint64_t keys_done_child_ = 0;
  size_t cow_size_ = 0, cow_peak_ = 0;
  size_t last_rdb_cow_ = 0, last_aof_cow_ = 0;
  int64_t cow_updated_ms_ = 0;
  uint64_t keys_processed_ = 0, keys_total_ = 0;
};

// The bytes this process has written since the fork (Redis's
// zmalloc_get_private_dirty): what copy-on-write cost.
size_t PrivateDirtyBytes();

}  // namespace vireo::server
