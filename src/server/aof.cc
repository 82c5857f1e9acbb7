// The append-only file: writing, fsync, rewrites, the manifest on disk
// (see aof.h; loading is aof_load.cc).
#include "server/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/clock.h"
#include "base/files.h"
#include "base/memory.h"
#include "persistence/aof_commands.h"
#include "persistence/rdb_save.h"
#include "server/fork_child.h"
#include "server/log.h"
#include "server/server.h"
#include "vireo/version.h"

namespace vireo::server {
namespace {

namespace mf = persistence::aof;
namespace rdb = persistence::rdb;

// Redis's REDIS_AUTOSYNC_BYTES (aof-rewrite-incremental-fsync).
constexpr size_t kAutosyncBytes = 4 * 1024 * 1024;
// Redis's AOF_WRITE_LOG_ERROR_RATE: seconds between write-error log lines.
constexpr int64_t kWriteErrorLogRate = 30;
// Redis's AOF_REWRITE_LIMITE_THRESHOLD / _MAX_MINUTES.
constexpr uint64_t kRewriteLimitThreshold = 3;
constexpr int kRewriteLimitMaxMinutes = 60;

// Redis's aofWrite: retries short writes and EINTR.
ssize_t WriteAll(int fd, const char* p, size_t len) {
  ssize_t total = 0;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return total ? total : -1;
    }
    len -= static_cast<size_t>(n);
    p += n;
    total += n;
  }
  return total;
}

}  // namespace

// ---------------------------------------------------------------------------
// The fsync thread

FsyncThread::~FsyncThread() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FsyncThread::Start() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void FsyncThread::Submit(int fd, bool close_after) { Push(Job{fd, true, close_after}); }

void FsyncThread::SubmitClose(int fd) { Push(Job{fd, false, true}); }

void FsyncThread::Push(Job job) {
  {
    std::unique_lock<std::mutex> lk(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    // A full ring (64 files waiting on a stuck disk) waits for room.
    done_cv_.wait(lk, [this] { return count_ < kMaxJobs; });
    jobs_[(head_ + count_) % kMaxJobs] = job;
    count_++;
    if (job.sync) pending_.fetch_add(1, std::memory_order_acq_rel);
  }
  cv_.notify_one();
}

void FsyncThread::Drain() {
  std::unique_lock<std::mutex> lk(mu_);
  done_cv_.wait(lk, [this] { return count_ == 0 && !running_; });
}

void FsyncThread::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stop_ || count_ > 0; });
      if (count_ == 0) return;
      job = jobs_[head_];
      head_ = (head_ + 1) % kMaxJobs;
      count_--;
      running_ = true;
    }
    // Why EBADF / EINVAL are not errors: the descriptor may have been
    // closed (AOF switched off) or be of a kind without fsync (Redis's bio).
    if (job.sync) {
      if (fdatasync(job.fd) == -1 && errno != EBADF && errno != EINVAL) {
        error_.store(errno, std::memory_order_release);
      } else {
        error_.store(0, std::memory_order_release);
      }
    }
    if (job.close_after) close(job.fd);
    {
      std::lock_guard<std::mutex> lk(mu_);
      running_ = false;
      if (job.sync) pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
    done_cv_.notify_all();
  }
}

// ---------------------------------------------------------------------------
// State

Aof::Aof(Server* srv) : srv_(srv) {}

Aof::~Aof() {
  if (fd_ >= 0) close(fd_);
}

void Aof::Init() {
  fsync_.Start();
  state_ = srv_->cfg().appendonly ? State::kOn : State::kOff;
  if (enabled()) srv_->propagator().AddSink(this);
  last_fsync_ = time(nullptr);
}

std::string Aof::Path(std::string_view name) const {
  return srv_->cfg().appenddirname + "/" + std::string(name);
}

bool Aof::child_running() const { return srv_->child().type() == ChildType::kAof; }

int Aof::last_write_errno() const {
  int e = fsync_.error();
  return e ? e : last_write_errno_;
}

// ---------------------------------------------------------------------------
// The manifest on disk

bool Aof::WriteManifestFile(const std::string& text) {
  const Config& cfg = srv_->cfg();
  std::string name = mf::ManifestName(cfg.appendfilename);
  std::string tmp_name = mf::TempManifestName(cfg.appendfilename);
  std::string path = Path(name), tmp = Path(tmp_name);
  int fd = open(tmp.c_str(), O_WRONLY | O_TRUNC | O_CREAT, 0644);
  if (fd == -1) {
    Log(LogLevel::kWarning, "Can't open the AOF manifest file %s: %s", tmp_name.c_str(), strerror(errno));
    return false;
  }
  bool ok = true;
  if (WriteAll(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    Log(LogLevel::kWarning, "Error trying to write the temporary AOF manifest file %s: %s", tmp_name.c_str(),
        strerror(errno));
    ok = false;
  } else if (fsync(fd) == -1) {
    Log(LogLevel::kWarning, "Fail to fsync the temp AOF file %s: %s.", tmp_name.c_str(), strerror(errno));
    ok = false;
  } else if (rename(tmp.c_str(), path.c_str()) != 0) {
    Log(LogLevel::kWarning, "Error trying to rename the temporary AOF manifest file %s into %s: %s",
        tmp_name.c_str(), name.c_str(), strerror(errno));
    ok = false;
  } else {
    base::FsyncDirOf(path);
  }
  close(fd);
  return ok;
}

bool Aof::PersistManifest(mf::Manifest& m) {
  if (!m.dirty) return true;
  if (!WriteManifestFile(mf::Format(m))) return false;
  m.dirty = false;
  return true;
}

bool Aof::LoadManifestFromDisk() {
  const Config& cfg = srv_->cfg();
  manifest_ = mf::Manifest{};
  // Why absent is fine: a server that never had an AOF (or an old-style
  // one, upgraded when loading) has neither the dir nor the manifest.
  if (!base::DirExists(cfg.appenddirname)) return true;
  std::string name = mf::ManifestName(cfg.appendfilename);
  std::string path = Path(name);
  if (!base::FileExists(path)) return true;
  FILE* f = fopen(path.c_str(), "r");
  if (!f) {
    Log(LogLevel::kWarning, "Fatal error: can't open the AOF manifest file %s for reading: %s", path.c_str(),
        strerror(errno));
    return false;
  }
  std::string text;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) text.append(chunk, n);
  bool read_error = ferror(f);
  fclose(f);
  std::string err, line;
  int line_no = 0;
  bool ok = !read_error && mf::Parse(text, &manifest_, &err, &line_no, &line);
  if (read_error) err = "Read AOF manifest failed";
  if (!ok) {
    Log(LogLevel::kWarning, "\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
    if (!line.empty()) {
      Log(LogLevel::kWarning, "Reading the manifest file, at line %d\n", line_no);
      Log(LogLevel::kWarning, ">>> '%s'\n", line.c_str());
    }
    Log(LogLevel::kWarning, "%s\n", err.c_str());
    return false;
  }
  return true;
}

void Aof::DeleteHistoryFiles() {
  if (srv_->cfg().aof_disable_auto_gc || manifest_.history.empty()) return;
  for (const mf::FileInfo& fi : manifest_.history) {
    Log(LogLevel::kNotice, "Removing the history file %s in the background", fi.name.c_str());
    BackgroundUnlink(Path(fi.name));
  }
  manifest_.history.clear();
  manifest_.dirty = true;
  PersistManifest(manifest_);
}

void Aof::BackgroundUnlink(const std::string& path) {
  // Redis's bg_unlink: unlink while holding the file open, so the close
  // that frees a big file's blocks (slow on some file systems) happens on
  // the background thread.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd == -1) {
    unlink(path.c_str());
    return;
  }
  if (unlink(path.c_str()) == -1) {
    close(fd);
    return;
  }
  fsync_.SubmitClose(fd);
}

off_t Aof::FileSize(const std::string& name, int* status) const {
  struct stat st;
  if (stat(Path(name).c_str(), &st) == -1) {
    if (status) *status = errno == ENOENT ? 1 : 2;
    Log(LogLevel::kWarning, "Unable to obtain the AOF file %s length. stat: %s", name.c_str(), strerror(errno));
    return 0;
  }
  if (status) *status = 0;
  return st.st_size;
}

bool Aof::OpenOnServerStart() {
  if (state_ != State::kOn) return true;
  const Config& cfg = srv_->cfg();
  if (!base::DirCreateIfMissing(cfg.appenddirname)) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir %s: %s", cfg.appenddirname.c_str(),
        strerror(errno));
    return false;
  }
  // Why: a server starting without any AOF writes a BASE of what it has
  // right away, so the directory always describes the whole dataset.
  size_t incrs = manifest_.incrs.size();
  if (!manifest_.base && incrs == 0) {
    std::string base = mf::NewBase(&manifest_, cfg.appendfilename, cfg.aof_use_rdb_preamble);
    if (!RewriteToFile(Path(base), false)) return false;
    Log(LogLevel::kNotice, "Creating AOF base file %s on server start", base.c_str());
  }
  std::string name = mf::LastIncr(&manifest_, cfg.appendfilename);
  fd_ = open(Path(name).c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd_ == -1) {
    Log(LogLevel::kWarning, "Can't open the append-only file %s: %s", name.c_str(), strerror(errno));
    return false;
  }
  if (!PersistManifest(manifest_)) return false;
  last_incr_size_ = FileSize(name, nullptr);
  last_incr_fsync_offset_ = last_incr_size_;
  Log(LogLevel::kNotice, incrs ? "Opening AOF incr file %s on server start" : "Creating AOF incr file %s on server start",
      name.c_str());
  return true;
}

// ---------------------------------------------------------------------------
// Feeding and flushing

void Aof::Feed(int dbid, std::span<const std::string_view> argv) {
  // Why the record is built even when dropped: Redis tracks the selected
  // db and the timestamp either way; only an AOF that is on (or waiting for
  // its first rewrite, which is running) keeps the bytes.
  bool keep = state_ == State::kOn || (state_ == State::kWaitRewrite && child_running());
  if (srv_->cfg().aof_timestamp_enabled && cur_timestamp_ < srv_->unixtime()) {
    cur_timestamp_ = srv_->unixtime();
    if (keep) mf::AppendTimestamp(&buf_, cur_timestamp_);
  }
  if (dbid != selected_db_) {
    if (keep) mf::AppendSelect(&buf_, dbid);
    selected_db_ = dbid;
  }
  if (keep) mf::AppendCommand(&buf_, argv);
}

void Aof::Flush(bool force) {
  const Config& cfg = srv_->cfg();
  int64_t now = srv_->unixtime();
  bool sync_in_progress = false;
  bool everysec = cfg.appendfsync == kAofFsyncEverysec;
  bool always = cfg.appendfsync == kAofFsyncAlways;
  bool do_write = !buf_.empty();
  if (!do_write) {
    // Why fsync with nothing to write: an earlier write may not be synced
    // yet (everysec fsyncs at most once a second; a switch to always).
    bool unsynced = last_incr_fsync_offset_ != last_incr_size_;
    bool everysec_due = everysec && unsynced && now > last_fsync_ && !(sync_in_progress = fsync_.pending() != 0);
    if (!everysec_due && !(always && unsynced)) return;
  }
  if (do_write) {
    if (everysec) sync_in_progress = fsync_.pending() != 0;
    if (everysec && !force && sync_in_progress) {
      // Why postpone: on Linux write(2) blocks behind a running fsync of
      // the same file; wait up to 2 seconds before writing anyway.
      if (flush_postponed_start_ == 0) {
        flush_postponed_start_ = now;
        return;
      }
      if (now - flush_postponed_start_ < 2) return;
      delayed_fsync_++;
      Log(LogLevel::kNotice,
          "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for "
          "fsync to complete, this may slow down Redis.");
    }
    if (flush_sleep_us) usleep(static_cast<useconds_t>(flush_sleep_us));
    int64_t t0 = base::MonotonicUs();
    ssize_t n = WriteAll(fd_, buf_.data(), buf_.size());
    uint64_t ms = static_cast<uint64_t>((base::MonotonicUs() - t0) / 1000);
    srv_->LatencyAdd(sync_in_progress          ? "aof-write-pending-fsync"
                     : srv_->child().active() ? "aof-write-active-child"
                                              : "aof-write-alone",
                     ms);
    srv_->LatencyAdd("aof-write", ms);
    flush_postponed_start_ = 0;
    if (n != static_cast<ssize_t>(buf_.size())) {
      bool can_log = now - last_write_error_log_ > kWriteErrorLogRate;
      if (can_log) last_write_error_log_ = now;
      if (n == -1) {
        if (can_log) Log(LogLevel::kWarning, "Error writing to the AOF file: %s", strerror(errno));
        last_write_errno_ = errno;
      } else {
        if (can_log) {
          Log(LogLevel::kWarning, "Short write while writing to the AOF file: (nwritten=%lld, expected=%lld)",
              static_cast<long long>(n), static_cast<long long>(buf_.size()));
        }
        if (ftruncate(fd_, last_incr_size_) == -1) {
          if (can_log) {
            Log(LogLevel::kWarning,
                "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the "
                "next time it starts.  ftruncate: %s",
                strerror(errno));
          }
        } else {
          n = -1;  // nothing partial is left in the file
        }
        last_write_errno_ = ENOSPC;
      }
      if (always) {
        // Why exit: the reply is already queued and the write cannot be
        // undone, and `always` promised that acknowledged means on disk.
        Log(LogLevel::kWarning,
            "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        _exit(1);
      }
      last_write_ok_ = false;
      if (n > 0) {
        current_size_ += n;
        last_incr_size_ += n;
        buf_.erase(0, static_cast<size_t>(n));
      }
      return;
    }
    if (!last_write_ok_) {
      Log(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
      last_write_ok_ = true;
    }
    current_size_ += n;
    last_incr_size_ += n;
    // Why: keep the buffer's capacity while small (Redis reuses a < 4KB
    // sds), free a big one.
    if (buf_.capacity() < 4000) {
      buf_.clear();
    } else {
      std::string().swap(buf_);
    }
  }
  // no-appendfsync-on-rewrite: no fsync while a child does heavy I/O.
  if (cfg.no_appendfsync_on_rewrite && srv_->child().active()) return;
  if (always) {
    int64_t t0 = base::MonotonicUs();
    if (fdatasync(fd_) == -1) {
      Log(LogLevel::kWarning, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. Exiting...",
          strerror(errno));
      _exit(1);
    }
    srv_->LatencyAdd("aof-fsync-always", static_cast<uint64_t>((base::MonotonicUs() - t0) / 1000));
    last_incr_fsync_offset_ = last_incr_size_;
    last_fsync_ = now;
  } else if (everysec && now > last_fsync_) {
    if (!sync_in_progress) {
      fsync_.Submit(fd_, false);
      last_incr_fsync_offset_ = last_incr_size_;
    }
    last_fsync_ = now;
  }
}

// ---------------------------------------------------------------------------
// appendonly yes / no at runtime

bool Aof::Start() {
  state_ = State::kWaitRewrite;
  srv_->propagator().AddSink(this);
  Client* cur = srv_->current_client();
  bool in_exec = cur && (cur->flags & kClientMulti);
  if (srv_->child().active() && !child_running()) {
    rewrite_scheduled = true;
    Log(LogLevel::kWarning,
        "AOF was enabled but there is already another background operation. An AOF background was scheduled to "
        "start when possible.");
  } else if (in_exec) {
    rewrite_scheduled = true;
    Log(LogLevel::kWarning,
        "AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
  } else {
    // Why kill a running rewrite: it does not accumulate the buffer the
    // new AOF needs (it was started with AOF off).
    if (child_running()) {
      Log(LogLevel::kWarning,
          "AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and "
          "starting a rewrite now.");
      KillChild();
    }
    if (!StartRewrite()) {
      state_ = State::kOff;
      srv_->propagator().RemoveSink(this);
      Log(LogLevel::kWarning,
          "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above "
          "logs for more info about the error.");
      return false;
    }
  }
  last_fsync_ = time(nullptr);
  if (fsync_.error()) {
    Log(LogLevel::kWarning, "AOF reopen, just ignore the AOF fsync error in bio job");
    fsync_.ClearError();
  }
  if (!last_write_ok_) {
    Log(LogLevel::kWarning, "AOF reopen, just ignore the last error.");
    last_write_ok_ = true;
  }
  return true;
}

void Aof::Stop() {
  Flush(true);
  if (fd_ >= 0) {
    if (fdatasync(fd_) == -1) {
      Log(LogLevel::kWarning, "Fail to fsync the AOF file: %s", strerror(errno));
    } else {
      last_fsync_ = time(nullptr);
    }
    fsync_.Drain();
    close(fd_);
  }
  fd_ = -1;
  selected_db_ = -1;
  state_ = State::kOff;
  srv_->propagator().RemoveSink(this);
  rewrite_scheduled = false;
  last_incr_size_ = 0;
  last_incr_fsync_offset_ = 0;
  KillChild();
  std::string().swap(buf_);
}

// ---------------------------------------------------------------------------
// Rewrites

bool Aof::RewriteToFile(const std::string& path, bool in_child) {
  const Config& cfg = srv_->cfg();
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%d.aof", static_cast<int>(getpid()));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    Log(LogLevel::kWarning, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): %s", strerror(errno));
    return false;
  }
  rdb::Writer w(fd, cfg.aof_rewrite_incremental_fsync ? kAutosyncBytes : 0);
  auto on_key = [&](uint64_t keys) {
    if (in_child) srv_->child().ReportProgress(keys);
  };
  bool ok;
  if (cfg.aof_use_rdb_preamble) {
    rdb::AuxFields aux;
    aux.redis_ver = VIREO_REDIS_VERSION;
    aux.ctime = time(nullptr);
    aux.used_mem = static_cast<int64_t>(base::UsedMemory());
    aux.aof_base = true;
    rdb::SaveOptions opts;
    opts.compression = cfg.rdbcompression;
    opts.checksum = cfg.rdbchecksum;
    opts.key_save_delay = cfg.rdb_key_save_delay;
    ok = rdb::WriteSnapshot(w, srv_->keyspace(), aux, opts, on_key);
  } else {
    mf::RewriteOptions opts;
    opts.timestamp = cfg.aof_timestamp_enabled;
    opts.now_s = time(nullptr);
    opts.key_save_delay = cfg.rdb_key_save_delay;
    ok = mf::WriteCommands(w, srv_->keyspace(), opts, on_key);
  }
  ok = ok && w.Sync();
  int err = w.error() ? w.error() : errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    Log(LogLevel::kWarning, "Write error writing append only file on disk: %s", strerror(err));
    unlink(tmp);
    return false;
  }
  if (rename(tmp, path.c_str()) == -1) {
    Log(LogLevel::kWarning, "Error moving temp append only file on the final destination: %s", strerror(errno));
    unlink(tmp);
    return false;
  }
  return true;
}

bool Aof::OpenNewIncrForAppend() {
  if (state_ == State::kOff) return true;
  const Config& cfg = srv_->cfg();
  bool waiting = state_ == State::kWaitRewrite;
  mf::Manifest temp;
  std::string name;
  if (waiting) {
    // Why a temp file: until the first rewrite ends there is no BASE the
    // writes could follow; it is renamed into the manifest then.
    name = mf::TempIncrName(cfg.appendfilename);
  } else {
    temp = manifest_;
    name = mf::NewIncr(&temp, cfg.appendfilename);
  }
  int newfd = open(Path(name).c_str(), O_WRONLY | O_TRUNC | O_CREAT, 0644);
  if (newfd == -1) {
    Log(LogLevel::kWarning, "Can't open the append-only file %s: %s", name.c_str(), strerror(errno));
    return false;
  }
  if (!waiting && !PersistManifest(temp)) {
    close(newfd);
    return false;
  }
  Log(LogLevel::kNotice, "Creating AOF incr file %s on background rewrite", name.c_str());
  // Why the old file is synced in the background: everysec allows the
  // delay and always synced it already.
  if (fd_ != -1) {
    fsync_.Submit(fd_, true);
    last_fsync_ = time(nullptr);
  }
  fd_ = newfd;
  last_incr_size_ = 0;
  last_incr_fsync_offset_ = 0;
  if (!waiting) manifest_ = std::move(temp);
  return true;
}

bool Aof::StartRewrite() {
  ForkChild& child = srv_->child();
  if (child.active()) return false;
  const Config& cfg = srv_->cfg();
  if (!base::DirCreateIfMissing(cfg.appenddirname)) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir %s: %s", cfg.appenddirname.c_str(),
        strerror(errno));
    last_bgrewrite_ok_ = false;
    return false;
  }
  // Why: the next command fed must SELECT again (it starts a new file).
  selected_db_ = -1;
  Flush(true);
  if (!OpenNewIncrForAppend()) {
    last_bgrewrite_ok_ = false;
    return false;
  }
  rewrites_++;
  pid_t pid = child.Start(ChildType::kAof, "redis-aof-rewrite", [this] {
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-bg-%d.aof", static_cast<int>(getpid()));
    if (!RewriteToFile(tmp, true)) return false;
    Log(LogLevel::kNotice, "Successfully created the temporary AOF base file %s", tmp);
    srv_->child().ReportFinal("AOF rewrite");
    return true;
  });
  if (pid < 0) {
    last_bgrewrite_ok_ = false;
    Log(LogLevel::kWarning, "Can't rewrite append only file in background: fork: %s", strerror(errno));
    return false;
  }
  Log(LogLevel::kNotice, "Background append only file rewriting started by pid %ld", static_cast<long>(pid));
  child_pid_ = pid;
  rewrite_scheduled = false;
  rewrite_time_start_ = time(nullptr);
  return true;
}

void Aof::RemoveTempFiles(pid_t child) {
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "temp-rewriteaof-bg-%d.aof", static_cast<int>(child));
  BackgroundUnlink(tmp);
  snprintf(tmp, sizeof(tmp), "temp-rewriteaof-%d.aof", static_cast<int>(child));
  BackgroundUnlink(tmp);
}

void Aof::KillChild() {
  if (!child_running()) return;
  Log(LogLevel::kNotice, "Killing running AOF rewrite child: %ld", static_cast<long>(child_pid_));
  srv_->child().Kill();
  RemoveTempFiles(child_pid_);
  child_pid_ = -1;
  rewrite_time_start_ = -1;
}

void Aof::RewriteDone(int exitcode, int bysignal) {
  const Config& cfg = srv_->cfg();
  if (!bysignal && exitcode == 0) {
    Log(LogLevel::kNotice, "Background AOF rewrite terminated with success");
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "temp-rewriteaof-bg-%d.aof", static_cast<int>(child_pid_));
    mf::Manifest temp = manifest_;
    std::string base = mf::NewBase(&temp, cfg.appendfilename, cfg.aof_use_rdb_preamble);
    std::string base_path = Path(base);
    std::string incr_path;
    bool ok = true;
    if (rename(tmp, base_path.c_str()) == -1) {
      Log(LogLevel::kWarning, "Error trying to rename the temporary AOF base file %s into %s: %s", tmp,
          base_path.c_str(), strerror(errno));
      ok = false;
    } else {
      Log(LogLevel::kNotice, "Successfully renamed the temporary AOF base file %s into %s", tmp, base.c_str());
    }
    if (ok && state_ == State::kWaitRewrite) {
      std::string temp_incr = mf::TempIncrName(cfg.appendfilename);
      std::string temp_incr_path = Path(temp_incr);
      std::string incr = mf::NewIncr(&temp, cfg.appendfilename);
      incr_path = Path(incr);
      if (rename(temp_incr_path.c_str(), incr_path.c_str()) == -1) {
        Log(LogLevel::kWarning, "Error trying to rename the temporary AOF incr file %s into %s: %s",
            temp_incr_path.c_str(), incr_path.c_str(), strerror(errno));
        unlink(base_path.c_str());
        ok = false;
      } else {
        Log(LogLevel::kNotice, "Successfully renamed the temporary AOF incr file %s into %s", temp_incr.c_str(),
            incr.c_str());
      }
    }
    if (ok) {
      // Why keep the last incr when the AOF is on: it is the file being
      // written now (opened when the rewrite started).
      mf::MarkRewrittenIncrsAsHistory(&temp, fd_ != -1);
      if (!PersistManifest(temp)) {
        unlink(base_path.c_str());
        if (!incr_path.empty()) unlink(incr_path.c_str());
        ok = false;
      }
    }
    if (ok) {
      manifest_ = std::move(temp);
      if (state_ != State::kOff) {
        current_size_ = FileSize(base, nullptr) + last_incr_size_;
        rewrite_base_size_ = current_size_;
      }
      DeleteHistoryFiles();
      last_bgrewrite_ok_ = true;
      rewrite_failures_ = 0;
      Log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
      if (state_ == State::kWaitRewrite) state_ = State::kOn;
    } else {
      last_bgrewrite_ok_ = false;
      rewrite_failures_++;
    }
  } else if (!bysignal) {
    last_bgrewrite_ok_ = false;
    rewrite_failures_++;
    Log(LogLevel::kWarning, "Background AOF rewrite terminated with error");
  } else {
    // Why SIGUSR1 is no failure: it is how a rewrite is killed on purpose.
    if (bysignal != SIGUSR1) {
      last_bgrewrite_ok_ = false;
      rewrite_failures_++;
    }
    Log(LogLevel::kWarning, "Background AOF rewrite terminated by signal %d", bysignal);
  }
  RemoveTempFiles(child_pid_);
  if (state_ == State::kWaitRewrite) {
    // The temp incr file is useless without its base: start over.
    std::string().swap(buf_);
    std::string temp_incr = mf::TempIncrName(cfg.appendfilename);
    Log(LogLevel::kNotice, "Removing the temp incr aof file %s in the background", temp_incr.c_str());
    BackgroundUnlink(Path(temp_incr));
  }
  rewrite_time_last_ = time(nullptr) - rewrite_time_start_;
  rewrite_time_start_ = -1;
  child_pid_ = -1;
  if (state_ == State::kWaitRewrite) rewrite_scheduled = true;
}

bool Aof::RewriteLimited() {
  // Why: a rewrite that keeps failing would leave a trail of tiny incr
  // files; after 3 failures in a row, retry after 1, 2, 4 ... 60 minutes
  // (BGREWRITEAOF still runs at once).
  if (rewrite_failures_ < kRewriteLimitThreshold) {
    next_delay_minutes_ = 0;
    next_rewrite_time_ = 0;
    return false;
  }
  int64_t now = srv_->unixtime();
  if (next_rewrite_time_ != 0) {
    if (now < next_rewrite_time_) return true;
    next_rewrite_time_ = 0;
    return false;
  }
  next_delay_minutes_ = next_delay_minutes_ == 0 ? 1 : next_delay_minutes_ * 2;
  if (next_delay_minutes_ > kRewriteLimitMaxMinutes) next_delay_minutes_ = kRewriteLimitMaxMinutes;
  next_rewrite_time_ = now + next_delay_minutes_ * 60;
  Log(LogLevel::kWarning,
      "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d minutes",
      next_delay_minutes_);
  return true;
}

// ---------------------------------------------------------------------------
// Cron

void Aof::CronScheduledRewrite() {
  if (!srv_->child().active() && rewrite_scheduled && !RewriteLimited()) StartRewrite();
}

void Aof::CronAutoRewrite() {
  const Config& cfg = srv_->cfg();
  if (state_ != State::kOn || srv_->child().active() || cfg.auto_aof_rewrite_percentage == 0 ||
      current_size_ <= cfg.auto_aof_rewrite_min_size)
    return;
  long long base = rewrite_base_size_ ? rewrite_base_size_ : 1;
  long long growth = (current_size_ * 100 / base) - 100;
  if (growth >= cfg.auto_aof_rewrite_percentage && !RewriteLimited()) {
    Log(LogLevel::kNotice, "Starting automatic rewriting of AOF on %lld%% growth", growth);
    StartRewrite();
  }
}

void Aof::CronFlush() {
  if (state_ == State::kOff) return;
  if (flush_postponed_start_) Flush(false);
  // Why once a second: a failed write leaves the buffer to retry, and a
  // success clears the -MISCONF state.
  if (!last_write_ok_ && srv_->cron_loops % (srv_->hz > 0 ? srv_->hz : 10) == 0) Flush(false);
}

// ---------------------------------------------------------------------------
// Shutdown, INFO

bool Aof::PrepareShutdown(bool force) {
  if (child_running()) {
    // Why refuse: with the AOF just switched on, the rewrite is the only
    // copy of the dataset the AOF will have.
    if (state_ == State::kWaitRewrite) {
      if (force) {
        Log(LogLevel::kWarning, "Writing initial AOF. Exit anyway.");
      } else {
        Log(LogLevel::kWarning, "Writing initial AOF, can't exit.");
        return false;
      }
    }
    Log(LogLevel::kWarning, "There is a child rewriting the AOF. Killing it!");
    KillChild();
  }
  if (state_ != State::kOff) {
    Log(LogLevel::kNotice, "Calling fsync() on the AOF file.");
    Flush(true);
    if (fd_ >= 0 && fdatasync(fd_) == -1) Log(LogLevel::kWarning, "Fail to fsync the AOF file: %s.", strerror(errno));
    fsync_.Drain();
  }
  return true;
}

void Aof::AppendInfo(std::string* s) const {
  int64_t now = time(nullptr);
  bool running = child_running();
  char buf[1024];
  snprintf(buf, sizeof(buf),
           "aof_enabled:%d\r\n"
           "aof_rewrite_in_progress:%d\r\n"
           "aof_rewrite_scheduled:%d\r\n"
           "aof_last_rewrite_time_sec:%lld\r\n"
           "aof_current_rewrite_time_sec:%lld\r\n"
           "aof_last_bgrewrite_status:%s\r\n"
           "aof_rewrites:%llu\r\n"
           "aof_rewrites_consecutive_failures:%llu\r\n"
           "aof_last_write_status:%s\r\n"
           "aof_last_cow_size:%zu\r\n"
           "module_fork_in_progress:0\r\n"
           "module_fork_last_cow_size:0\r\n",
           state_ != State::kOff ? 1 : 0, running ? 1 : 0, rewrite_scheduled ? 1 : 0,
           static_cast<long long>(rewrite_time_last_),
           static_cast<long long>(running && rewrite_time_start_ >= 0 ? now - rewrite_time_start_ : -1),
           last_bgrewrite_ok_ ? "ok" : "err", static_cast<unsigned long long>(rewrites_),
           static_cast<unsigned long long>(rewrite_failures_),
           last_write_ok_ && fsync_.error() == 0 ? "ok" : "err", srv_->child().last_cow(ChildType::kAof));
  s->append(buf);
  // Why `appendonly`, not the state: Redis prints these when aof_enabled
  // (the config) is set, also while waiting for the first rewrite.
  if (srv_->cfg().appendonly) {
    snprintf(buf, sizeof(buf),
             "aof_current_size:%lld\r\n"
             "aof_base_size:%lld\r\n"
             "aof_pending_rewrite:%d\r\n"
             "aof_buffer_length:%zu\r\n"
             "aof_pending_bio_fsync:%llu\r\n"
             "aof_delayed_fsync:%llu\r\n",
             current_size_, rewrite_base_size_, rewrite_scheduled ? 1 : 0, buf_.size(),
             static_cast<unsigned long long>(fsync_.pending()), static_cast<unsigned long long>(delayed_fsync_));
    s->append(buf);
  }
}

}  // namespace vireo::server
