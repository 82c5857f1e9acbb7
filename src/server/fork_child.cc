// The server's forked child (see fork_child.h).
#include "server/fork_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "engine/keyspace.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server {
namespace {

// What the child tells the parent (Redis's child info pipe).
struct Report {
  int final;  // 1: the copy-on-write size at the end of a successful job
  uint64_t keys;
  size_t cow;
};

void SendReport(int fd, const Report& r) {
  if (write(fd, &r, sizeof(r)) != static_cast<ssize_t>(sizeof(r))) {
    // Redis's sendChildInfoGeneric: the parent is gone (killed): stop.
    Log(LogLevel::kWarning, "Child failed reporting info to parent, exiting. %s", strerror(errno));
    _exit(1);
  }
}

}  // namespace

size_t PrivateDirtyBytes() {
  FILE* f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return 0;
  char line[256];
  size_t total = 0;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "Private_Dirty:", 14) == 0) total += strtoull(line + 14, nullptr, 10) * 1024;
  }
  fclose(f);
  return total;
}

ForkChild::~ForkChild() {
  if (pipe_[0] >= 0) close(pipe_[0]);
  if (pipe_[1] >= 0) close(pipe_[1]);
}

pid_t ForkChild::Start(ChildType type, const char* title, const std::function<bool()>& body) {
  if (active()) {
    errno = EBUSY;
    return -1;
  }
  if (pipe_[0] < 0 && pipe2(pipe_, O_CLOEXEC) == 0) fcntl(pipe_[0], F_SETFL, O_NONBLOCK);
  // Drop reports a killed child may have left.
  ReadReports();
  keys_total_ = 0;
  for (int i = 0; i < srv_->num_dbs(); i++) keys_total_ += srv_->keyspace().size(i);
  keys_processed_ = 0;
  cow_size_ = cow_peak_ = 0;
  cow_updated_ms_ = 0;
  int64_t start_us = base::MonotonicUs();
  pid_t pid = fork();
  if (pid == 0) {
    // Why 'C': Redis's log lines from a child say so.
    SetLogRole('C');
    // Why close the read end: a report to a parent that died then fails
    // (EPIPE) and the child stops instead of finishing for nobody.
    if (pipe_[0] >= 0) close(pipe_[0]);
    pipe_[0] = -1;
    // Why: the port must be free if the parent dies while we work.
    srv_->CloseListenersInChild();
    srv_->SetChildProcTitle(title);
    last_report_ms_ = base::MonotonicUs() / 1000;
    keys_done_child_ = 0;
    bool ok = body();
    _exit(ok ? 0 : 1);
  }
  if (pid < 0) return -1;
  int64_t took = base::MonotonicUs() - start_us;
  srv_->LatencyAdd("fork", static_cast<uint64_t>(took / 1000));
  srv_->stats.last_fork_usec = took;
  srv_->stats.total_forks++;
  pid_ = pid;
  type_ = type;
  engine::SetTableResizeAllowed(false);
  return pid;
}

void ForkChild::ReportProgress(uint64_t keys) {
  keys_done_child_ = keys;
  // Why every 1024 keys and once a second: Redis's rdbSaveDb /
  // rewriteAppendOnlyFileRio report the child's progress at that pace.
  if ((keys & 1023) != 0) return;
  int64_t now = base::MonotonicUs() / 1000;
  if (now - last_report_ms_ < 1000) return;
  last_report_ms_ = now;
  Report r{0, keys, PrivateDirtyBytes()};
  SendReport(pipe_[1], r);
}



void ForkChild::ReportFinal(const char* what) {
  size_t cow = PrivateDirtyBytes();
  if (cow) {
    Log(LogLevel::kNotice, "Fork CoW for %s: current %zu MB, peak %zu MB, average %zu MB", what, cow >> 20,
        cow >> 20, cow >> 20);
  }
  Report r{1, keys_done_child_, cow};
  SendReport(pipe_[1], r);
}

void ForkChild::ReadReports() {
  if (pipe_[0] < 0) return;
  Report r;
  while (read(pipe_[0], &r, sizeof(r)) == static_cast<ssize_t>(sizeof(r))) {
    if (r.final) {
      (type_ == ChildType::kAof ? last_aof_cow_ : last_rdb_cow_) = r.cow;
    } else {
      cow_size_ = r.cow;
      cow_peak_ = std::max(cow_peak_, r.cow);
      cow_updated_ms_ = srv_->now_ms();
      keys_processed_ = r.keys;
    }
  }
}

void ForkChild::Reset() {
  pid_ = -1;
  type_ = ChildType::kNone;
  cow_size_ = 0;
  engine::SetTableResizeAllowed(true);
}

bool ForkChild::Reap(int* exitcode, int* bysignal) {
  if (!active()) return false;
  ReadReports();
  int status;
  pid_t p = waitpid(pid_, &status, WNOHANG);
  if (p != pid_) return false;
  ReadReports();
  *exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  *bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  Reset();
  return true;
}

void ForkChild::Kill() {
  if (!active()) return;
  kill(pid_, SIGUSR1);
  int status;
  waitpid(pid_, &status, 0);
  ReadReports();
  Reset();
}

void ForkChild::AppendInfo(std::string* s) const {
  bool running = active();
  double perc = keys_total_ ? 100.0 * static_cast<double>(keys_processed_) / static_cast<double>(keys_total_) : 0;
  char buf[512];
  snprintf(buf, sizeof(buf),
           "current_cow_peak:%zu\r\n"
           "current_cow_size:%zu\r\n"
           "current_cow_size_age:%lld\r\n"
           "current_fork_perc:%.2f\r\n"
           "current_save_keys_processed:%llu\r\n"
           "current_save_keys_total:%llu\r\n",
           running ? cow_peak_ : 0, running ? cow_size_ : 0,
           static_cast<long long>(running && cow_updated_ms_ ? (srv_->now_ms() - cow_updated_ms_) / 1000 : 0),
           running ? perc : 0.0, static_cast<unsigned long long>(running ? keys_processed_ : 0),
           static_cast<unsigned long long>(running ? keys_total_ : 0));
  s->append(buf);
}

}  // namespace vireo::server
