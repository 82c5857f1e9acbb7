// Loading the AOF (see aof.h): the files of the manifest in order, each
// either an RDB (a base written with aof-use-rdb-preamble, or an old-style
// AOF with an RDB preamble) followed by commands, or commands only; the
// commands run in a socket-less client exactly as Redis's
// loadSingleAppendOnlyFile runs them (no checks, no stats, MULTI queued
// until EXEC). Also the upgrade of an old single appendonly.aof and DEBUG
// LOADAOF.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "base/clock.h"
#include "base/files.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "server/aof.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server {
namespace {

namespace mf = persistence::aof;
namespace rdb = persistence::rdb;

// Redis's AOF_ANNOTATION_LINE_MAX_LEN: the fgets buffer for the "*<n>",
// "$<n>" and "#..." lines.
constexpr int kLineMax = 1024;

}  // namespace

void Aof::UpgradePrepare() {
  const Config& cfg = srv_->cfg();
  if (!base::DirCreateIfMissing(cfg.appenddirname)) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir %s: %s", cfg.appenddirname.c_str(),
        strerror(errno));
    exit(1);
  }
  mf::FileInfo fi;
  fi.name = cfg.appendfilename;
  fi.seq = 1;
  fi.type = mf::FileType::kBase;
  manifest_.base = fi;
  manifest_.curr_base_seq = 1;
  manifest_.dirty = true;
  // Why the manifest first: if we crash before the move, the next start
  // sees the old file still in `dir` and upgrades again.
  if (!PersistManifest(manifest_)) exit(1);
  std::string to = Path(cfg.appendfilename);
  if (rename(cfg.appendfilename.c_str(), to.c_str()) == -1) {
    Log(LogLevel::kWarning, "Error trying to move the old AOF file %s into dir %s: %s", cfg.appendfilename.c_str(),
        cfg.appenddirname.c_str(), strerror(errno));
    exit(1);
  }
  Log(LogLevel::kNotice, "Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).",
      cfg.appendfilename.c_str(), cfg.appenddirname.c_str());
}

Aof::LoadResult Aof::LoadOne(const std::string& name, uint64_t* progress_base) {
  const Config& cfg = srv_->cfg();
  Snapshotter& snap = srv_->snapshots();
  std::string path = Path(name);
  FILE* fp = fopen(path.c_str(), "r");
  if (!fp) {
    int en = errno;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 || errno != ENOENT) {
      Log(LogLevel::kWarning, "Fatal error: can't open the append log file %s for reading: %s", name.c_str(),
          strerror(en));
      return LoadResult::kOpenErr;
    }
    Log(LogLevel::kWarning, "The append log file %s doesn't exist: %s", name.c_str(), strerror(errno));
    return LoadResult::kNotExist;
  }
  struct stat st;
  if (fstat(fileno(fp), &st) == 0 && st.st_size == 0) {
    fclose(fp);
    return LoadResult::kEmpty;
  }
  LoadResult ret = LoadResult::kOk;
  off_t valid_up_to = 0, valid_before_multi = 0;
  uint64_t reported = 0;  // bytes of this file shown in loading_loaded_bytes
  Client fake(srv_);
  fake.flags |= kClientDenyBlocking;
  fake.reply.muted = true;
  std::vector<std::string> args;
  enum { kOkEnd, kReadErr, kFmtErr, kUnexpectedEof, kFailed } end = kOkEnd;

  char sig[5];
  bool is_rdb = pread(fileno(fp), sig, 5, 0) == 5 && memcmp(sig, "REDIS", 5) == 0;
  if (is_rdb) {
    // Why "old style" by name: a file named appendfilename itself is a
    // pre-7.0 AOF with an RDB preamble (moved here by the upgrade).
    bool old_style = name == cfg.appendfilename;
    Log(LogLevel::kNotice, old_style ? "Reading RDB preamble from AOF file..." : "Reading RDB base file on AOF loading...");
    rdb::Reader r(fileno(fp), static_cast<uint64_t>(st.st_size));
    rdb::FileLoadOptions o = snap.LoadOptions(false, load_serve_, *progress_base);
    // Why keep expired keys: the commands that follow may touch them, as
    // in Redis (RDBFLAGS_AOF_PREAMBLE loads everything).
    o.skip_expired = false;
    rdb::LoadInfo info;
    std::string err;
    bool ok = rdb::LoadSnapshot(r, srv_->keyspace(), o, &info, &err);
    for (const std::string& n : info.notes) Log(LogLevel::kNotice, "%s", n.c_str());
    if (!ok) {
      bool short_read = err.rfind("Short read", 0) == 0;
      // Why two endings: Redis's rdbReportError outside a file load stops
      // the server on corruption, and carries on after a short read.
      if (short_read) {
        Log(LogLevel::kWarning,
            "Internal error in RDB reading offset %llu, function at rdb_load.cc -> Unexpected EOF reading RDB "
            "file. Failure loading rdb format from socket, assuming connection error, resuming operation.",
            static_cast<unsigned long long>(r.processed()));
      } else {
        Log(LogLevel::kWarning, "Internal error in RDB reading offset %llu, function at rdb_load.cc -> %s. Failure loading rdb format",
            static_cast<unsigned long long>(r.processed()), err.c_str());
        Log(LogLevel::kWarning, "Terminating server after rdb file reading failure.");
        exit(1);
      }
      Log(LogLevel::kWarning,
          old_style ? "Error reading the RDB preamble of the AOF file %s, AOF loading aborted"
                    : "Error reading the RDB base file %s, AOF loading aborted",
          name.c_str());
      end = kUnexpectedEof;
      valid_up_to = 0;
    } else {
      reported = r.processed();
      snap.LoadingProgress(*progress_base + reported);
      if (fseeko(fp, static_cast<off_t>(r.processed()), SEEK_SET) == -1) end = kReadErr;
      if (old_style) Log(LogLevel::kNotice, "Reading the remaining AOF tail...");
      valid_up_to = static_cast<off_t>(r.processed());
    }
  }

  long loops = 0;
  char buf[kLineMax];
  while (end == kOkEnd) {
    // Serve the clients from time to time (-LOADING) and show progress.
    if (!(loops++ % 1024)) {
      off_t pos = ftello(fp);
      if (pos > 0) reported = static_cast<uint64_t>(pos);
      snap.LoadingProgress(*progress_base + reported);
      if (load_serve_) srv_->ProcessEventsWhileBlocked();
    }
    if (!fgets(buf, sizeof(buf), fp)) {
      if (!feof(fp)) end = kReadErr;
      break;
    }
    if (buf[0] == '#') continue;  // annotations (#TS:...)
    if (buf[0] != '*') {
      end = kFmtErr;
      break;
    }
    if (buf[1] == '\0') {
      end = kReadErr;
      break;
    }
    int argc = atoi(buf + 1);
    if (argc < 1) {
      end = kFmtErr;
      break;
    }
    args.resize(static_cast<size_t>(argc));
    for (int j = 0; j < argc; j++) {
      char* res = fgets(buf, sizeof(buf), fp);
      if (!res || buf[0] != '$') {
        end = res ? kFmtErr : kReadErr;
        break;
      }
      long len = strtol(buf + 1, nullptr, 10);
      std::string& a = args[static_cast<size_t>(j)];
      a.resize(len > 0 ? static_cast<size_t>(len) : 0);
      if (len > 0 && fread(a.data(), static_cast<size_t>(len), 1, fp) == 0) {
        end = kReadErr;
        break;
      }
      // Why not checked: Redis discards the two bytes after the argument
      // without looking at them.
      char crlf[2];
      if (fread(crlf, 2, 1, fp) == 0) {
        end = kReadErr;
        break;
      }
    }
    if (end != kOkEnd) break;
    fake.argv.clear();
    for (const std::string& a : args) fake.argv.emplace_back(a);
    Command* cmd = srv_->commands().Lookup(fake.argv);
    if (!cmd) {
      Log(LogLevel::kWarning, "Unknown command '%s' reading the append only file %s", args[0].c_str(), name.c_str());
      end = kFailed;
      break;
    }
    if (cmd->name == "multi") valid_before_multi = valid_up_to;
    if (!srv_->RunLoadedCommand(fake, cmd)) {
      Log(LogLevel::kWarning, "Wrong number of arguments for '%s' reading the append only file %s", args[0].c_str(),
          name.c_str());
      end = kFailed;
      break;
    }
    if (cfg.aof_load_truncated) valid_up_to = ftello(fp);
    if (cfg.key_load_delay) rdb::DebugDelay(cfg.key_load_delay);
  }
  // A read error at end of file is a truncated file.
  if (end == kReadErr && feof(fp)) end = kUnexpectedEof;
  // Why: a MULTI without its EXEC at the end is treated as a truncation
  // (what it queued is dropped and, with aof-load-truncated, cut off).
  if (end == kOkEnd && (fake.flags & kClientMulti)) {
    Log(LogLevel::kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", name.c_str());
    valid_up_to = valid_before_multi;
    end = kUnexpectedEof;
  }
  switch (end) {
    case kOkEnd:
      break;
    case kReadErr:
      Log(LogLevel::kWarning, "Unrecoverable error reading the append only file %s: %s", name.c_str(),
          strerror(errno));
      ret = LoadResult::kFailed;
      break;
    case kUnexpectedEof: {
      bool recovered = false;
      if (cfg.aof_load_truncated) {
        Log(LogLevel::kWarning, "!!! Warning: short read while loading the AOF file %s!!!", name.c_str());
        Log(LogLevel::kWarning, "!!! Truncating the AOF %s at offset %llu !!!", name.c_str(),
            static_cast<unsigned long long>(valid_up_to));
        if (valid_up_to == -1 || truncate(path.c_str(), valid_up_to) == -1) {
          if (valid_up_to == -1) {
            Log(LogLevel::kWarning, "Last valid command offset is invalid");
          } else {
            Log(LogLevel::kWarning, "Error truncating the AOF file %s: %s", name.c_str(), strerror(errno));
          }
        } else if (fd_ != -1 && lseek(fd_, 0, SEEK_END) == -1) {
          Log(LogLevel::kWarning, "Can't seek the end of the AOF file %s: %s", name.c_str(), strerror(errno));
        } else {
          Log(LogLevel::kWarning, "AOF %s loaded anyway because aof-load-truncated is enabled", name.c_str());
          ret = LoadResult::kTruncated;
          recovered = true;
        }
      }
      if (!recovered) {
        Log(LogLevel::kWarning,
            "Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, "
            "then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the "
            "'aof-load-truncated' configuration option to yes and restart the server.",
            name.c_str());
        ret = LoadResult::kFailed;
      }
      break;
    }
    case kFmtErr:
      Log(LogLevel::kWarning,
          "Bad file format reading the append only file %s: make a backup of your AOF file, then use "
          "./redis-check-aof --fix <filename.manifest>",
          name.c_str());
      ret = LoadResult::kFailed;
      break;
    case kFailed:
      ret = LoadResult::kFailed;
      break;
  }
  if (ret == LoadResult::kOk || ret == LoadResult::kTruncated) {
    off_t pos = ftello(fp);
    if (pos > 0) reported = static_cast<uint64_t>(pos);
    *progress_base += reported;
    snap.LoadingProgress(*progress_base);
  }
  // Anything queued by a MULTI left open is dropped with the client.
  fake.mstate.clear();
  fake.flags &= ~kClientMulti;
  fclose(fp);
  return ret;
}

Aof::LoadResult Aof::LoadFiles() {
  const Config& cfg = srv_->cfg();
  // Why: an appendfilename in `dir` means a pre-7.0 AOF; it is moved into
  // the directory when there is no manifest, or when the manifest is the
  // one an interrupted upgrade wrote (only that base, not moved yet).
  if (base::FileExists(cfg.appendfilename)) {
    if (!base::DirExists(cfg.appenddirname) || manifest_.empty() ||
        (manifest_.base && manifest_.incrs.empty() && manifest_.base->name == cfg.appendfilename &&
         !base::FileExists(Path(cfg.appendfilename)))) {
      UpgradePrepare();
    }
  }
  if (manifest_.empty()) return LoadResult::kNotExist;
  size_t total_num = manifest_.loaded_files();
  int status = 0;
  off_t total_size = 0, base_size = 0;
  if (manifest_.base) {
    total_size += FileSize(manifest_.base->name, &status);
    if (status != 0) return status == 1 ? LoadResult::kFailed : LoadResult::kOpenErr;
  }
  for (const mf::FileInfo& fi : manifest_.incrs) {
    total_size += FileSize(fi.name, &status);
    if (status != 0) return status == 1 ? LoadResult::kFailed : LoadResult::kOpenErr;
  }
  if (total_size == 0) return LoadResult::kEmpty;

  Snapshotter& snap = srv_->snapshots();
  snap.StartLoading(static_cast<uint64_t>(total_size));
  // Why detached: replaying must not append what it replays.
  bool attached = enabled();
  if (attached) srv_->propagator().RemoveSink(this);
  LoadResult ret = LoadResult::kOk;
  size_t num = 0;
  uint64_t progress = 0;
  auto load = [&](const mf::FileInfo& fi, const char* what) {
    bool last = ++num == total_num;
    int64_t start = base::MonotonicUs();
    LoadResult r = LoadOne(fi.name, &progress);
    if (r == LoadResult::kOk || (r == LoadResult::kTruncated && last)) {
      Log(LogLevel::kNotice, "DB loaded from %s file %s: %.3f seconds", what, fi.name.c_str(),
          static_cast<double>(base::MonotonicUs() - start) / 1e6);
    }
    // An empty incr file is fine: some file had data (total_size > 0).
    if (r == LoadResult::kEmpty && fi.type == mf::FileType::kIncr) r = LoadResult::kOk;
    if (r == LoadResult::kTruncated && !last) {
      r = LoadResult::kFailed;
      Log(LogLevel::kWarning, "Fatal error: the truncated file is not the last file");
    }
    return r;
  };
  if (manifest_.base) {
    base_size = FileSize(manifest_.base->name, nullptr);
    ret = load(*manifest_.base, "base");
  }
  if (ret != LoadResult::kOpenErr && ret != LoadResult::kFailed) {
    for (const mf::FileInfo& fi : manifest_.incrs) {
      ret = load(fi, "incr");
      if (ret == LoadResult::kOpenErr || ret == LoadResult::kFailed) break;
    }
  }
  if (ret != LoadResult::kOpenErr && ret != LoadResult::kFailed) {
    current_size_ = total_size;
    // Why the base size: Redis does not persist the size at the last
    // rewrite, so the first auto rewrite after a restart may come early.
    rewrite_base_size_ = base_size;
  }
  if (attached) srv_->propagator().AddSink(this);
  snap.StopLoading();
  return ret;
}

Aof::LoadResult Aof::LoadAtStartup() {
  int64_t start = base::MonotonicUs();
  // Why serve only here: at startup the clients get -LOADING meanwhile;
  // DEBUG LOADAOF runs inside a command.
  load_serve_ = true;
  LoadResult r = LoadFiles();
  load_serve_ = false;
  if (r != LoadResult::kNotExist && r != LoadResult::kFailed && r != LoadResult::kOpenErr) {
    Log(LogLevel::kNotice, "DB loaded from append only file: %.3f seconds",
        static_cast<double>(base::MonotonicUs() - start) / 1e6);
  }
  return r;
}

bool Aof::DebugLoad() {
  if (enabled()) Flush(true);
  srv_->keyspace().Flush(-1, false);
  if (!LoadManifestFromDisk()) exit(1);
  DeleteHistoryFiles();
  LoadResult r = LoadFiles();
  if (r != LoadResult::kOk && r != LoadResult::kEmpty) exit(1);
  // Why: the reload must not count as changes to save or propagate.
  srv_->keyspace().dirty = 0;
  Log(LogLevel::kWarning, "Append Only File loaded by DEBUG LOADAOF");
  return true;
}

}  // namespace vireo::server
