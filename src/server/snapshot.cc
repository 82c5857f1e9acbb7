// Snapshots on disk (see snapshot.h).
#include "server/snapshot.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/clock.h"
#include "base/files.h"
#include "base/memory.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "server/log.h"
#include "server/replication_hooks.h"
#include "server/server.h"
#include "vireo/version.h"

namespace vireo::server {
namespace {

namespace rdb = persistence::rdb;

// Redis's CONFIG_BGSAVE_RETRY_DELAY: seconds between failed BGSAVE retries.
constexpr int64_t kBgsaveRetryDelay = 5;
// Redis's REDIS_AUTOSYNC_BYTES (rdb-save-incremental-fsync).
constexpr size_t kAutosyncBytes = 4 * 1024 * 1024;

std::string Cwd() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof(buf)) ? buf : "unknown";
}

}  // namespace

// ---------------------------------------------------------------------------
// Saving

bool Snapshotter::WriteFile(bool in_child) {
  const Config& cfg = srv_->cfg();
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "temp-%d.rdb", static_cast<int>(getpid()));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    Log(LogLevel::kWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %s", tmp,
        Cwd().c_str(), strerror(errno));
    return false;
  }
  rdb::Writer w(fd, cfg.rdb_save_incremental_fsync ? kAutosyncBytes : 0);
  rdb::AuxFields aux;
  aux.redis_ver = VIREO_REDIS_VERSION;
  aux.ctime = time(nullptr);
  aux.used_mem = static_cast<int64_t>(base::UsedMemory());
  // rdbPopulateSaveInfo: the replication id / offset, so a restarted
  // master or replica can partially resync.
  if (srv_->replication()) srv_->replication()->FillSaveInfo(&aux);
  rdb::SaveOptions opts;
  opts.compression = cfg.rdbcompression;
  opts.checksum = cfg.rdbchecksum;
  opts.key_save_delay = cfg.rdb_key_save_delay;
  auto on_key = [&](uint64_t keys) {
    if (in_child) srv_->child().ReportProgress(keys);
  };
  bool ok = rdb::WriteSnapshot(w, srv_->keyspace(), aux, opts, on_key) && w.Sync();
  if (!ok) {
    Log(LogLevel::kWarning, "Write error saving DB on disk: %s", strerror(w.error()));
    close(fd);
    unlink(tmp);
    return false;
  }
  if (close(fd) != 0) {
    Log(LogLevel::kWarning, "Write error saving DB on disk: %s", strerror(errno));
    unlink(tmp);
    return false;
  }
  if (rename(tmp, cfg.dbfilename.c_str()) == -1) {
    Log(LogLevel::kWarning,
        "Error moving temp DB file %s on the final destination %s (in server root dir %s): %s", tmp,
        cfg.dbfilename.c_str(), Cwd().c_str(), strerror(errno));
    unlink(tmp);
    return false;
  }
  base::FsyncDirOf(cfg.dbfilename);
  Log(LogLevel::kNotice, "DB saved on disk");
  return true;
}

bool Snapshotter::SaveForeground() {
  rdb_saves_++;
  if (!WriteFile(false)) return false;
  srv_->keyspace().dirty = 0;
  lastsave = time(nullptr);
  lastbgsave_ok_ = true;
  return true;
}

bool Snapshotter::child_running() const { return srv_->child().type() == ChildType::kRdb; }

bool Snapshotter::StartBackgroundSave() {
  ForkChild& child = srv_->child();
  if (child.active()) return false;
  rdb_saves_++;
  dirty_before_bgsave_ = srv_->keyspace().dirty;
  lastbgsave_try_ = time(nullptr);
  pid_t pid = child.Start(ChildType::kRdb, "redis-rdb-bgsave", [this] {
    if (!WriteFile(true)) return false;
    srv_->child().ReportFinal("RDB");
    return true;
  });
  if (pid < 0) {
    lastbgsave_ok_ = false;
    Log(LogLevel::kWarning, "Can't save in background: fork: %s", strerror(errno));
    return false;
  }
  Log(LogLevel::kNotice, "Background saving started by pid %ld", static_cast<long>(pid));
  child_pid_ = pid;
  save_time_start_ = time(nullptr);
  return true;
}

void Snapshotter::KillChild() {
  if (!child_running()) return;
  srv_->child().Kill();
  if (socket_child_) {
    // The replicas fed by it are dropped by the replication module.
    BackgroundDone(0, SIGUSR1);
    return;
  }
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "temp-%d.rdb", static_cast<int>(child_pid_));
  unlink(tmp);
  child_pid_ = -1;
  save_time_start_ = -1;
}

void Snapshotter::SocketChildStarted(pid_t pid) {
  socket_child_ = true;
  child_pid_ = pid;
  save_time_start_ = time(nullptr);
}

void Snapshotter::BackgroundDone(int exitcode, int bysignal) {
  bool ok = !bysignal && exitcode == 0;
  if (socket_child_) {
    // Redis's backgroundSaveDoneHandlerSocket: nothing on disk changed.
    if (ok) {
      Log(LogLevel::kNotice, "Background RDB transfer terminated with success");
    } else if (!bysignal) {
      Log(LogLevel::kWarning, "Background transfer error");
    } else {
      Log(LogLevel::kWarning, "Background transfer terminated by signal %d", bysignal);
    }
    socket_child_ = false;
    save_time_last_ = time(nullptr) - save_time_start_;
    save_time_start_ = -1;
    child_pid_ = -1;
    if (srv_->replication()) srv_->replication()->BgsaveDone(ok, true);
    return;
  }
  DiskBackgroundDone(exitcode, bysignal);
  if (srv_->replication()) srv_->replication()->BgsaveDone(ok, false);
}

void Snapshotter::DiskBackgroundDone(int exitcode, int bysignal) {
  // Redis's backgroundSaveDoneHandlerDisk.
  if (!bysignal && exitcode == 0) {
    Log(LogLevel::kNotice, "Background saving terminated with success");
    srv_->keyspace().dirty -= dirty_before_bgsave_;
    lastsave = time(nullptr);
    lastbgsave_ok_ = true;
  } else if (!bysignal) {
    Log(LogLevel::kWarning, "Background saving error");
    lastbgsave_ok_ = false;
  } else {
    Log(LogLevel::kWarning, "Background saving terminated by signal %d", bysignal);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-%d.rdb", static_cast<int>(child_pid_));
    unlink(tmp);
    // Why: SIGUSR1 is how a child is killed on purpose, not a failure.
    if (bysignal != SIGUSR1) lastbgsave_ok_ = false;
  }
  save_time_last_ = time(nullptr) - save_time_start_;
  save_time_start_ = -1;
  child_pid_ = -1;
}

bool Snapshotter::CronSavePoints() {
  int64_t now = time(nullptr);
  bool retry_ok = now - lastbgsave_try_ > kBgsaveRetryDelay || lastbgsave_ok_;
  long long dirty = srv_->keyspace().dirty;
  for (const Config::SaveParam& sp : srv_->cfg().save_params) {
    // Redis's serverCron: enough changes, enough time, and not right after
    // a failure (retry every CONFIG_BGSAVE_RETRY_DELAY seconds).
    if (dirty >= sp.changes && now - lastsave > sp.seconds && retry_ok) {
      Log(LogLevel::kNotice, "%d changes in %d seconds. Saving...", sp.changes, static_cast<int>(sp.seconds));
      StartBackgroundSave();
      return true;
    }
  }
  return false;
}

void Snapshotter::CronScheduled() {
  if (!bgsave_scheduled || srv_->child().active()) return;
  int64_t now = time(nullptr);
  bool retry_ok = now - lastbgsave_try_ > kBgsaveRetryDelay || lastbgsave_ok_;
  if (retry_ok && StartBackgroundSave()) bgsave_scheduled = false;
}

bool Snapshotter::WritesDeniedSlow() const {
  const Config& cfg = srv_->cfg();
  return cfg.stop_writes_on_bgsave_error && !cfg.save_params.empty();
}

// ---------------------------------------------------------------------------
// Loading

Snapshotter::LoadResult Snapshotter::LoadFile(bool at_startup, bool merge, bool serve,
                                              rdb::LoadInfo* info_out) {
  const Config& cfg = srv_->cfg();
  int fd = open(cfg.dbfilename.c_str(), O_RDONLY);
  if (fd < 0) {
    if (errno == ENOENT) return LoadResult::kNotFound;
    Log(LogLevel::kWarning, "Fatal error loading the DB: %s. Exiting.", strerror(errno));
    return LoadResult::kFailed;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    // Why: Redis fopen()s a directory fine and then fails its first read.
    close(fd);
    Log(LogLevel::kWarning, "Short read or OOM loading DB. Unrecoverable error, aborting now.");
    Log(LogLevel::kWarning, "Internal error in RDB reading offset 0, function at rdb_load.cc -> Unexpected EOF reading RDB file");
    return LoadResult::kFailed;
  }
  StartLoading(static_cast<uint64_t>(st.st_size));
  rdb::Reader r(fd, loading_total_);
  rdb::FileLoadOptions o = LoadOptions(merge, at_startup || serve);
  ReplicationHooks* repl = at_startup ? srv_->replication() : nullptr;
  if (repl) repl->PrepareStartupLoad(&o);
  rdb::LoadInfo info;
  std::string err;
  int64_t t0 = base::MonotonicUs();
  bool ok = rdb::LoadSnapshot(r, srv_->keyspace(), o, &info, &err);
  close(fd);
  for (const std::string& n : info.notes) Log(LogLevel::kNotice, "%s", n.c_str());
  StopLoading();
  set_rdb_used_mem(info.used_mem);
  if (!ok) {
    // Redis's rdbLoad failure paths: a bad header is "Fatal error loading
    // the DB: Invalid argument"; a short read or corruption is reported
    // with the offset and the process stops.
    bool header = err.rfind("Wrong signature", 0) == 0 || err.rfind("Can't handle", 0) == 0;
    Log(LogLevel::kWarning, "%s", err.c_str());
    if (header) {
      Log(LogLevel::kWarning, "Fatal error loading the DB: Invalid argument. Exiting.");
    } else {
      const char* what = err.rfind("Short read", 0) == 0           ? "Unexpected EOF reading RDB file"
                         : err.rfind("Wrong RDB checksum", 0) == 0 ? "RDB CRC error"
                                                                    : err.c_str();
      Log(LogLevel::kWarning, "Internal error in RDB reading offset %llu, function at rdb_load.cc -> %s",
          static_cast<unsigned long long>(r.processed()), what);
      Log(LogLevel::kWarning, "Terminating server after rdb file reading failure.");
    }
    return LoadResult::kFailed;
  }
  if (info_out) *info_out = info;
  last_load_keys_loaded_ = info.keys_loaded;
  last_load_keys_expired_ = info.keys_expired;
  if (info.empty_keys_skipped) {
    Log(LogLevel::kWarning, "Done loading RDB, keys loaded: %llu, keys expired: %llu, empty keys skipped: %llu.",
        static_cast<unsigned long long>(info.keys_loaded), static_cast<unsigned long long>(info.keys_expired),
        static_cast<unsigned long long>(info.empty_keys_skipped));
  } else {
    Log(LogLevel::kNotice, "Done loading RDB, keys loaded: %llu, keys expired: %llu.",
        static_cast<unsigned long long>(info.keys_loaded), static_cast<unsigned long long>(info.keys_expired));
  }
  if (at_startup) {
    Log(LogLevel::kNotice, "DB loaded from disk: %.3f seconds",
        static_cast<double>(base::MonotonicUs() - t0) / 1e6);
  }
  if (repl) repl->RestoreFromRdb(info);
  return LoadResult::kOk;
}

void Snapshotter::StartLoading(uint64_t total_bytes, bool async) {
  if (async) {
    async_loading_ = true;
  } else {
    loading_ = true;
    srv_->config.set_loading(true);  // CONFIG SET of deny-loading configs: -LOADING
    srv_->keyspace().options().loading = true;
  }
  loading_start_ = time(nullptr);
  loading_total_ = total_bytes;
  loading_loaded_ = 0;
  loading_rdb_used_mem_ = 0;
  srv_->UpdateTime();
}

void Snapshotter::StopLoading() {
  async_loading_ = false;
  loading_ = false;
  srv_->config.set_loading(false);
  srv_->keyspace().options().loading = false;
}

rdb::FileLoadOptions Snapshotter::LoadOptions(bool merge, bool serve, uint64_t progress_base) {
  const Config& cfg = srv_->cfg();
  rdb::FileLoadOptions o;
  o.value.deep = cfg.sanitize_dump_payload == 1;
  o.value.sanitizations = &srv_->stats.dump_payload_sanitizations;
  o.skip_expired = cfg.masterhost.empty() && !(srv_->cluster() && srv_->cluster()->IAmReplica());
  o.now_ms = srv_->now_ms();
  o.allow_dup = merge;
  o.verify_checksum = cfg.rdbchecksum;
  o.key_load_delay = &cfg.key_load_delay;
  o.progress_interval = static_cast<uint64_t>(cfg.loading_process_events_interval_bytes);
  o.progress = [this, serve, progress_base](uint64_t bytes) {
    loading_loaded_ = progress_base + bytes;
    // Why only at startup: Redis serves -LOADING from here
    // (processEventsWhileBlocked); inside DEBUG RELOAD we are in a command.
    if (serve) srv_->ProcessEventsWhileBlocked();
    if (load_tick) load_tick();
  };
  return o;
}

bool Snapshotter::LoadAtStartup() {
  lastsave = time(nullptr);
  return LoadFile(true, false) != LoadResult::kFailed;
}

// ---------------------------------------------------------------------------
// INFO persistence (the RDB part; AOF fields follow in info.cc)

void Snapshotter::AppendInfo(std::string* s) const {
  char buf[2048];
  int64_t now = time(nullptr);
  bool running = child_running();
  snprintf(buf, sizeof(buf),
           "loading:%d\r\n"
           "async_loading:%d\r\n",
           loading_ ? 1 : 0, async_loading_ ? 1 : 0);
  s->append(buf);
  srv_->child().AppendInfo(s);
  snprintf(buf, sizeof(buf),
           "rdb_changes_since_last_save:%lld\r\n"
           "rdb_bgsave_in_progress:%d\r\n"
           "rdb_last_save_time:%lld\r\n"
           "rdb_last_bgsave_status:%s\r\n"
           "rdb_last_bgsave_time_sec:%lld\r\n"
           "rdb_current_bgsave_time_sec:%lld\r\n"
           "rdb_saves:%llu\r\n"
           "rdb_last_cow_size:%zu\r\n"
           "rdb_last_load_keys_expired:%llu\r\n"
           "rdb_last_load_keys_loaded:%llu\r\n",
           srv_->keyspace().dirty, running ? 1 : 0,
           static_cast<long long>(lastsave), lastbgsave_ok_ ? "ok" : "err", static_cast<long long>(save_time_last_),
           static_cast<long long>(running ? now - save_time_start_ : -1),
           static_cast<unsigned long long>(rdb_saves_), srv_->child().last_cow(ChildType::kRdb),
           static_cast<unsigned long long>(last_load_keys_expired_),
           static_cast<unsigned long long>(last_load_keys_loaded_));
  s->append(buf);
}

void Snapshotter::AppendLoadingInfo(std::string* s) const {
  if (!loading_ && !async_loading_) return;
  // Redis's ETA: elapsed time scaled by the bytes still to read.
  int64_t elapsed = time(nullptr) - loading_start_;
  uint64_t remaining = loading_total_ > loading_loaded_ ? loading_total_ - loading_loaded_ : 1;
  double perc = loading_total_ ? 100.0 * static_cast<double>(loading_loaded_) / static_cast<double>(loading_total_) : 0;
  int64_t eta = elapsed == 0 ? 1 : static_cast<int64_t>(static_cast<uint64_t>(elapsed) * remaining / (loading_loaded_ + 1));
  char buf[512];
  snprintf(buf, sizeof(buf),
           "loading_start_time:%lld\r\n"
           "loading_total_bytes:%llu\r\n"
           "loading_rdb_used_mem:%llu\r\n"
           "loading_loaded_bytes:%llu\r\n"
           "loading_loaded_perc:%.2f\r\n"
           "loading_eta_seconds:%lld\r\n",
           static_cast<long long>(loading_start_), static_cast<unsigned long long>(loading_total_),
           static_cast<unsigned long long>(loading_rdb_used_mem_), static_cast<unsigned long long>(loading_loaded_),
           perc, static_cast<long long>(eta));
  s->append(buf);
}

}  // namespace vireo::server
