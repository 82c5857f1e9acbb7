// Sentinel scripts: the notification script (run for every warning-level
// event of a master or its replicas: `<script> <event type> <message>`)
// and the client reconfiguration script (run on a master address change:
// `<script> <master> <leader|observer> start <from-ip> <from-port> <to-ip>
// <to-port>`), as Redis 7.0.15 runs them: a queue of at most 256 jobs, at
// most 16 running, 60 s each before SIGKILL, and a script that exits 1 or
// dies by a signal retried up to 10 times with a doubling delay from 30 s.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentinel/sentinel.h"
#include "server/log.h"

extern char** environ;

namespace vireo::sentinel {

using server::Log;
using server::LogLevel;

namespace {
constexpr size_t kMaxQueue = 256;
constexpr int kMaxRunning = 16;
constexpr int kMaxRetry = 10;
}  // namespace

void Sentinel::ScheduleScript(const std::string& path, std::vector<std::string> args) {
  ScriptJob job;
  job.argv.reserve(args.size() + 1);
  job.argv.push_back(path);
  for (std::string& a : args) job.argv.push_back(std::move(a));
  scripts_.push_back(std::move(job));
  // Over the limit: drop the oldest job that is not running.
  if (scripts_.size() > kMaxQueue) {
    for (auto it = scripts_.begin(); it != scripts_.end(); ++it) {
      if (it->running) continue;
      scripts_.erase(it);
      break;
    }
  }
}

void Sentinel::CallClientReconfScript(Instance* master, bool leader, const char* state, const Addr& from,
                                      const Addr& to) {
  if (master->client_reconfig_script.empty()) return;
  ScheduleScript(master->client_reconfig_script,
                 {master->name, leader ? "leader" : "observer", state, AnnounceAddr(from), std::to_string(from.port),
                  AnnounceAddr(to), std::to_string(to.port)});
}

void Sentinel::RunPendingScripts() {
  int64_t now = Now();
  for (auto it = scripts_.begin(); running_scripts_ < kMaxRunning && it != scripts_.end(); ++it) {
    ScriptJob& job = *it;
    if (job.running) continue;
    if (job.start_time && job.start_time > now) continue;  // a retry not due yet
    job.running = true;
    job.start_time = Now();
    job.retry_num++;
    std::vector<char*> argv;
    for (std::string& a : job.argv) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == -1) {
      // Why 99: Redis reports a fork error as signal 99.
      Event(LogLevel::kWarning, "-script-error", nullptr, false, job.argv[0] + " 99 0");
      job.running = false;
      job.pid = 0;
    } else if (pid == 0) {
      // Why: a script must not inherit our sockets, log file or epoll fd
      // (Redis marks them close-on-exec; its test suite checks).
      close_range(3, ~0U, 0);
      execve(argv[0], argv.data(), environ);
      _exit(2);  // exec failed: not retried
    } else {
      running_scripts_++;
      job.pid = pid;
      Event(LogLevel::kDebug, "+script-child", nullptr, false, std::to_string(pid));
    }
  }
}

void Sentinel::CollectTerminatedScripts() {
  int statloc;
  pid_t pid;
  while ((pid = waitpid(-1, &statloc, WNOHANG)) > 0) {
    int exitcode = WEXITSTATUS(statloc);
    int bysignal = WIFSIGNALED(statloc) ? WTERMSIG(statloc) : 0;
    Event(LogLevel::kDebug, "-script-child", nullptr, false,
          std::to_string(pid) + " " + std::to_string(exitcode) + " " + std::to_string(bysignal));
    auto it = scripts_.begin();
    for (; it != scripts_.end(); ++it) {
      if (it->running && it->pid == pid) break;
    }
    if (it == scripts_.end()) {
      Log(LogLevel::kWarning, "waitpid() returned a pid (%ld) we can't find in our scripts execution queue!",
          static_cast<long>(pid));
      continue;
    }
    if ((bysignal || exitcode == 1) && it->retry_num != kMaxRetry) {
      it->running = false;
      it->pid = 0;
      int64_t delay = periods.script_retry_delay;
      for (int n = it->retry_num; n > 1; n--) delay *= 2;
      it->start_time = Now() + delay;
    } else {
      if (bysignal || exitcode != 0) {
        Event(LogLevel::kWarning, "-script-error", nullptr, false,
              it->argv[0] + " " + std::to_string(bysignal) + " " + std::to_string(exitcode));
      }
      scripts_.erase(it);
    }
    running_scripts_--;
  }
}

void Sentinel::KillTimedoutScripts() {
  int64_t now = Now();
  for (ScriptJob& job : scripts_) {
    if (job.running && now - job.start_time > periods.script_max_runtime) {
      Event(LogLevel::kWarning, "-script-timeout", nullptr, false, job.argv[0] + " " + std::to_string(job.pid));
      kill(job.pid, SIGKILL);
    }
  }
}

}  // namespace vireo::sentinel
