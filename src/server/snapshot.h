// Snapshots: RDB files on disk — SAVE, BGSAVE in a forked child, save
// points, the save at shutdown and FLUSHALL, loading at startup and DEBUG
// RELOAD, and the INFO persistence state (Redis 7.0's rdb.c / server.c
// parts that are not the format; the format is src/persistence/).
//
// Why fork, as Redis does: the child writes a consistent image of the
// dataset while the parent keeps serving, and the kernel's copy-on-write
// costs only the pages the parent changes meanwhile (reported as
// rdb_last_cow_size). A fork-less design would need a second copy or
// versioned values; docs/persistence.md has the measurement that chose this.
//
// The child: closes the listening sockets (a dead parent must free the
// port), writes temp-<pid>.rdb, fsyncs, renames it over dbfilename, reports
// its copy-on-write size through a pipe and _exit()s. The parent reaps it
// in the cron (Redis's checkChildrenDone) and updates lastsave, dirty and
// the status that -MISCONF depends on.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "persistence/rdb_load.h"

namespace vireo::server {

class Server;

class Snapshotter {
 public:
  explicit Snapshotter(Server* srv) : srv_(srv) {}
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  // --- saving ------------------------------------------------------------
  // Redis's rdbSave in the foreground (SAVE, shutdown, FLUSHALL, DEBUG
  // RELOAD): false on failure (logged). On success dirty = 0, lastsave.
  bool SaveForeground();
  // Redis's rdbSaveBackground: false when a child is already running or
  // fork failed (logged).
  bool StartBackgroundSave();
  // Whether the server's child is a BGSAVE (Redis's child_type ==
  // CHILD_TYPE_RDB).
  bool child_running() const;
  // Kills the saving child (FLUSHALL, shutdown) and removes its temp file;
  // not an error for -MISCONF (Redis kills with SIGUSR1).
  void KillChild();
  // BGSAVE SCHEDULE / BGSAVE inside MULTI: start when possible.
  bool bgsave_scheduled = false;

  // The BGSAVE child exited (the server's cron reaped it).
  void BackgroundDone(int exitcode, int bysignal);
  // A diskless replication child (rdbSaveToSlavesSockets) was forked by
  // the replication module: INFO shows a BGSAVE in progress, and its end
  // goes back to that module.
  void SocketChildStarted(pid_t pid);
  bool socket_child() const { return socket_child_ && child_running(); }
  // Once per cron tick with no child running: a save point's BGSAVE.
  // True when one started.
  bool CronSavePoints();
  // Once per cron tick: a scheduled BGSAVE when no child runs.
  void CronScheduled();

  // Redis's writeCommandsDeniedByDiskError (the RDB part): -MISCONF.
  // Inline and the status first: it runs before every command.
  bool WritesDenied() const { return !lastbgsave_ok_ && WritesDeniedSlow(); }

  // --- loading -------------------------------------------------------------
  enum class LoadResult { kOk, kNotFound, kFailed };
  // Loads dbfilename into the (empty or, with merge, current) keyspace.
  // At startup clients are served -LOADING between chunks.
  // A replica's load of its master's RDB serves -LOADING as startup does
  // (`serve`) and wants the aux fields (*info).
  LoadResult LoadFile(bool at_startup, bool merge, bool serve = false,
                      persistence::rdb::LoadInfo* info_out = nullptr);
  // Startup: load if the file exists, exit the process on a bad file as
  // Redis does (after logging why). Returns false to exit.
  bool LoadAtStartup();
  bool loading() const { return loading_; }
  // Called with each loading progress step (a replica keeps its master's
  // link alive with newlines while it loads).
  std::function<void()> load_tick;

  // Redis's startLoading / loadingAbsProgress / stopLoading, shared with
  // the AOF loader: -LOADING, the INFO loading_* fields, deny-loading
  // configs, and no key expires while loading (Redis's keyIsExpired).
  // `async` (a replica's swapdb load of the same history): clients keep
  // reading the current data meanwhile, only no-async-loading commands get
  // -LOADING, and the keyspace served is not the one being loaded.
  void StartLoading(uint64_t total_bytes, bool async = false);
  bool async_loading() const { return async_loading_; }
  void LoadingProgress(uint64_t loaded_bytes) { loading_loaded_ = loaded_bytes; }
  void StopLoading();
  // The options for loading an RDB stream with the current config;
  // progress goes to LoadingProgress (plus `progress_base`) and serves the
  // clients when `serve` (at startup).
  persistence::rdb::FileLoadOptions LoadOptions(bool merge, bool serve, uint64_t progress_base = 0);
  void set_rdb_used_mem(int64_t v) { loading_rdb_used_mem_ = v > 0 ? static_cast<uint64_t>(v) : 0; }

  // --- state for INFO / LASTSAVE ---------------------------------------------
  int64_t lastsave = 0;  // unix seconds of the last successful save
  void AppendInfo(std::string* s) const;
  // The loading_* fields, present only while loading (after the AOF ones).
  void AppendLoadingInfo(std::string* s) const;

 private:
  // Writes the snapshot to dbfilename via temp-<pid>.rdb (Redis's rdbSave).
  bool WriteFile(bool in_child);
  bool WritesDeniedSlow() const;
  void DiskBackgroundDone(int exitcode, int bysignal);
  bool socket_child_ = false;

  Server* srv_;
  pid_t child_pid_ = -1;  // the BGSAVE child being reaped / killed
  int64_t save_time_start_ = -1;  // unix seconds
  int64_t save_time_last_ = -1;
  int64_t lastbgsave_try_ = 0;
  bool lastbgsave_ok_ = true;
  long long dirty_before_bgsave_ = 0;
  uint64_t rdb_saves_ = 0;
  // Loading.
  bool loading_ = false;
  bool async_loading_ = false;
  int64_t loading_start_ = 0;
  uint64_t loading_total_ = 0, loading_loaded_ = 0, loading_rdb_used_mem_ = 0;
  uint64_t last_load_keys_loaded_ = 0, last_load_keys_expired_ = 0;
};

}  // namespace vireo::server
