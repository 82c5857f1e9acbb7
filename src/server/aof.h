// The append-only file, Redis 7.0's multi-part AOF: every write reaches
// disk as the command that makes it, so a restart replays what was
// acknowledged (with appendfsync always: everything acknowledged).
//
// Owns, as Redis's aof.c: the AOF state (off / on / waiting for the first
// rewrite after CONFIG SET appendonly yes), the manifest in appenddirname
// (src/persistence/aof_manifest.h for the format), the write buffer fed by
// the propagation door (this is the kPropagateAof sink) and written once
// per event-loop iteration before any reply goes out, fsync (always: in
// the loop; everysec: on a background thread, so a slow disk does not stall
// the loop; no: never), BGREWRITEAOF in a forked child (a new BASE: an RDB
// with aof-use-rdb-preamble, else commands; the parent rotates to a new
// INCR file when the rewrite starts, so nothing is buffered twice as in
// 7.0), auto-aof-rewrite, the history cleanup, loading at startup and
// DEBUG LOADAOF (aof_load.cc), the upgrade of an old single appendonly.aof,
// -MISCONF on write errors, and the INFO aof_* fields.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "persistence/aof_manifest.h"
#include "server/propagation.h"

namespace vireo::server {

class Server;

// The fsync thread (Redis's bio BIO_AOF_FSYNC / BIO_CLOSE_AOF jobs).
// Why a fixed ring and no allocation on the thread: a fork (BGSAVE, AOF
// rewrite) while this thread sits inside the allocator would leave the
// child with an allocator lock nobody releases (seen with ASan's
// allocator); fdatasync and close take no such lock.
class FsyncThread {
 public:
  FsyncThread() = default;
  ~FsyncThread();
  // Starts the thread. Why at server start and not on first use: a thread
  // being created allocates (TLS, its state), and a fork at that moment
  // (a rewrite starts right after its first job) could copy a held
  // allocator lock into the child.
  void Start();
  // fdatasync(fd) in the background; with `close_after`, close it then.
  void Submit(int fd, bool close_after);
  // close(fd) in the background (Redis's bg_unlink: the caller unlinked the
  // file while holding it open, so the last close, which frees the file's
  // blocks, happens here).
  void SubmitClose(int fd);
  // fsync jobs queued or running (Redis's bioPendingJobsOfType).
  uint64_t pending() const { return pending_.load(std::memory_order_acquire); }
  // Waits until every job is done (shutdown, appendonly no).
  void Drain();
  // The last background fsync failed: its errno (0 = fine).
  int error() const { return error_.load(std::memory_order_acquire); }
  void ClearError() { error_.store(0, std::memory_order_release); }

 private:
  struct Job {
    int fd;
    bool sync;
    bool close_after;
  };
  void Push(Job job);
  void Run();
  static constexpr size_t kMaxJobs = 64;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  Job jobs_[kMaxJobs];
  size_t head_ = 0, count_ = 0;
  bool running_ = false;  // a job taken and not finished
  std::atomic<uint64_t> pending_{0};
  std::atomic<int> error_{0};
  bool stop_ = false;
  std::thread thread_;
};

class Aof final : public PropagationSink {
 public:
  enum class State { kOff, kOn, kWaitRewrite };
  // Redis's AOF_OK ... AOF_TRUNCATED load results.
  enum class LoadResult { kOk, kNotExist, kEmpty, kOpenErr, kFailed, kTruncated };

  explicit Aof(Server* srv);
  ~Aof() override;
  Aof(const Aof&) = delete;
  Aof& operator=(const Aof&) = delete;

  State state() const { return state_; }
  bool enabled() const { return state_ != State::kOff; }

  // --- startup (Redis's main: aofLoadManifestFromDisk, loadDataFromDisk,
  // aofOpenIfNeededOnServerStart, aofDelHistoryFiles). Each returns false
  // when the process must exit (the reason is logged). -----------------------
  // Sets the state from `appendonly`.
  void Init();
  bool LoadManifestFromDisk();
  // Loads the files of the manifest (upgrading an old appendonly.aof
  // first). Only when enabled.
  LoadResult LoadAtStartup();
  bool OpenOnServerStart();
  void DeleteHistoryFiles();

  // --- the propagation sink --------------------------------------------------
  int target() const override { return kPropagateAof; }
  void Feed(int dbid, std::span<const std::string_view> argv) override;

  // Redis's flushAppendOnlyFile: write the buffer (and fsync per policy).
  // Called before replies are sent on every loop iteration.
  void Flush(bool force);
  bool has_pending() const { return !buf_.empty() || last_incr_fsync_offset_ != last_incr_size_; }

  // --- runtime switches ------------------------------------------------------
  // CONFIG SET appendonly yes / no (startAppendOnly / stopAppendOnly).
  bool Start();
  void Stop();

  // --- rewrite -----------------------------------------------------------------
  // Redis's rewriteAppendOnlyFileBackground.
  bool StartRewrite();
  // The rewrite child exited (the server's cron reaped it).
  void RewriteDone(int exitcode, int bysignal);
  // Kills a running rewrite child (killAppendOnlyChild).
  void KillChild();
  bool child_running() const;
  bool rewrite_scheduled = false;
  // BGREWRITEAOF resets the failure count so a scheduled one runs now.
  void ResetRewriteFailures() { rewrite_failures_ = 0; }

  // --- cron ------------------------------------------------------------------------
  // Scheduled rewrite (first in the cron, as Redis), auto-aof-rewrite
  // (only without a child), then the postponed flush and write-error retry.
  void CronScheduledRewrite();
  void CronAutoRewrite();
  void CronFlush();

  // --- shutdown, DEBUG LOADAOF, -MISCONF, INFO ----------------------------------
  // Redis's prepareForShutdown AOF part: false when the initial rewrite
  // is still running and `force` is not set.
  bool PrepareShutdown(bool force);
  // DEBUG LOADAOF: flush, empty the dataset, reload the files.
  bool DebugLoad();
  // Redis's writeCommandsDeniedByDiskError (AOF part).
  bool WritesDenied() const { return state_ != State::kOff && (!last_write_ok_ || fsync_.error() != 0); }
  int last_write_errno() const;
  void AppendInfo(std::string* s) const;
  size_t buffer_length() const { return buf_.size(); }
  // DEBUG AOF-FLUSH-SLEEP: microseconds slept before each buffer write.
  int flush_sleep_us = 0;

 private:
  std::string Path(std::string_view name) const;
  bool PersistManifest(persistence::aof::Manifest& m);
  bool WriteManifestFile(const std::string& text);
  bool OpenNewIncrForAppend();
  bool RewriteLimited();
  // The rewrite itself (in the child, or at startup for an empty dataset):
  // writes `path` through a temp file (Redis's rewriteAppendOnlyFile).
  bool RewriteToFile(const std::string& path, bool in_child);
  void RemoveTempFiles(pid_t child);
  void BackgroundUnlink(const std::string& path);
  off_t FileSize(const std::string& name, int* status) const;
  // aof_load.cc
  LoadResult LoadFiles();
  LoadResult LoadOne(const std::string& name, uint64_t* progress_base);
  void UpgradePrepare();

  Server* srv_;
  State state_ = State::kOff;
  bool load_serve_ = false;  // loading at startup: serve -LOADING meanwhile
  persistence::aof::Manifest manifest_;
  int fd_ = -1;
  int selected_db_ = -1;
  std::string buf_;
  int64_t cur_timestamp_ = 0;
  // Sizes (Redis's aof_current_size, aof_rewrite_base_size, ...).
  long long current_size_ = 0;
  long long rewrite_base_size_ = 0;
  long long last_incr_size_ = 0;
  long long last_incr_fsync_offset_ = 0;
  int64_t last_fsync_ = 0;  // unix seconds
  int64_t flush_postponed_start_ = 0;
  uint64_t delayed_fsync_ = 0;
  bool last_write_ok_ = true;
  int last_write_errno_ = 0;
  int64_t last_write_error_log_ = 0;
  // Rewrites.
  pid_t child_pid_ = -1;
  int64_t rewrite_time_start_ = -1;
  int64_t rewrite_time_last_ = -1;
  bool last_bgrewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t rewrite_failures_ = 0;  // consecutive
  int next_delay_minutes_ = 0;
  int64_t next_rewrite_time_ = 0;
  FsyncThread fsync_;
};

}  // namespace vireo::server
