// vireo-server: command line, config, daemonize, pidfile, logging, run.
//
// The command line is redis-server's: `vireo-server [/path/to/conf] [-]
// [--directive value ...]`, plus -v/--version and -h/--help. With
// `--sentinel` (or named vireo-sentinel / redis-sentinel) it runs as a
// Sentinel (sentinel/sentinel.h) instead of a data node.
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/memory.h"
#include "base/proc_title.h"
#include "commands/registry.h"
#include "server/acl.h"
#include "server/log.h"
#include "cluster/cluster.h"
#include "replication/replication.h"
#include "sentinel/sentinel.h"
#include "server/server.h"
#include "vireo/version.h"

using vireo::server::LogLevel;
using vireo::server::Log;

namespace {

void Version() {
  printf("Vireo server v=%s redis_version=%s sha=00000000:0 malloc=%s bits=64 build=0\n",
         VIREO_VERSION, VIREO_REDIS_VERSION, vireo::base::AllocatorName());
  exit(0);
}

void Usage(const char* prog) {
  fprintf(stderr,
          "Usage: %s [/path/to/redis.conf] [options] [-]\n"
          "       %s - (read config from stdin)\n"
          "       %s -v or --version\n"
          "       %s -h or --help\n\n"
          "Examples:\n"
          "       %s (run the server with default conf)\n"
          "       echo 'maxmemory 128mb' | %s -\n"
          "       %s /etc/redis/6379.conf\n"
          "       %s --port 7777\n"
          "       %s --port 7777 --replicaof 127.0.0.1 8888\n"
          "       %s /etc/myredis.conf --loglevel verbose -\n"
          "       %s /etc/myredis.conf --loglevel verbose\n\n",
          prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog);
  exit(1);
}

void Daemonize() {
  if (fork() != 0) exit(0);  // parent exits
  setsid();
  int fd = open("/dev/null", O_RDWR, 0);
  if (fd != -1) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

// Why: Redis logs a crash report (crash-log-enabled) before dying on a
// fatal signal; ours is the signal and a backtrace, then the default action.
void OnCrash(int sig, siginfo_t* info, void*) {
  Log(LogLevel::kWarning, "Vireo %s crashed by signal: %d, si_code: %d", VIREO_VERSION, sig,
      info ? info->si_code : 0);
  void* frames[64];
  int n = backtrace(frames, 64);
  char** names = backtrace_symbols(frames, n);
  Log(LogLevel::kWarning, "------ STACK TRACE ------");
  for (int i = 0; i < n; i++) Log(LogLevel::kWarning, "%s", names ? names[i] : "?");
  signal(sig, SIG_DFL);
  raise(sig);
}

void SetupCrashLog(bool enabled) {
#if defined(__SANITIZE_ADDRESS__)
  (void)enabled;  // the sanitizer runtime reports crashes itself
#else
  if (!enabled) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = OnCrash;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
#endif
}

void CreatePidFile(const std::string& path) {
  FILE* f = fopen(path.c_str(), "w");
  if (!f) {
    Log(LogLevel::kWarning, "Failed to write PID file: %s", strerror(errno));
    return;
  }
  fprintf(f, "%d\n", static_cast<int>(getpid()));
  fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2) {
    if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) Version();
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) Usage(argv[0]);
  }
  const bool sentinel_mode = vireo::sentinel::IsSentinelInvocation(argc, argv);
  const char* mode_name = sentinel_mode ? "sentinel" : "standalone";
  auto* srv = new vireo::server::Server();
  srv->sentinel_mode = sentinel_mode;
  // Why: like Redis (populateCommandTable before loading the config), the
  // table exists before the config so rename-command can be checked at load.
  // In sentinel mode it holds only the sentinel-mode commands.
  vireo::commands::RegisterAllCommands(srv->commands());
  srv->commands().ApplyMode(sentinel_mode);
  // Redis's initSentinelConfig + initSentinel: before the config, whose
  // `sentinel` lines fill the sentinel's tables.
  std::unique_ptr<vireo::sentinel::Sentinel> sentinel;
  if (sentinel_mode) {
    sentinel = vireo::sentinel::Create(srv);
    sentinel->InstallConfigHooks();
  }
  // Why: Redis makes the executable path absolute before `dir` can chdir.
  char resolved[PATH_MAX];
  srv->executable = realpath(argv[0], resolved) ? resolved : argv[0];
  for (int i = 0; i < argc; i++) srv->exec_argv.emplace_back(argv[i]);
  std::string text, file, err;
  if (!srv->config.BuildFromArgs(argc, argv, &text, &file, &err)) {
    fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  // From here argv's memory may hold the process title (proc-title-template).
  vireo::base::ProcTitleInit(argc, argv);
  std::string report;
  if (!srv->config.Load(text, &report)) {
    fprintf(stderr, "%s", report.c_str());
    return 1;
  }
  if (sentinel) {
    if (!sentinel->LoadQueuedConfig(&report)) {
      fprintf(stderr, "%s", report.c_str());
      return 1;
    }
    if (!sentinel->CheckConfigFile(&err)) {
      Log(LogLevel::kWarning, "%s", err.c_str());
      return 1;
    }
    vireo::server::SetLogRole('X');
  }
  auto& cfg = srv->cfg();
  if (cfg.daemonize) {
    if (cfg.logfile.empty()) cfg.logfile = "/dev/null";
    Daemonize();
  }
  if (!vireo::server::SetupLogging(cfg.logfile, cfg.loglevel, cfg.syslog_enabled, cfg.syslog_ident,
                                   cfg.syslog_facility, &err)) {
    fprintf(stderr, "Can't open the log file: %s\n", err.c_str());
    return 1;
  }
  SetupCrashLog(cfg.crash_log_enabled);
  Log(LogLevel::kNotice, "oO0OoO0OoO0Oo Vireo is starting oO0OoO0OoO0Oo");
  Log(LogLevel::kNotice,
      "Vireo version=%s (Redis %s compatible), bits=64, commit=00000000, modified=0, pid=%d, just started",
      VIREO_VERSION, VIREO_REDIS_VERSION, static_cast<int>(getpid()));
  if (file.empty()) {
    Log(LogLevel::kWarning,
        "Warning: no config file specified, using the default config. In order to specify a config "
        "file use %s /path/to/redis.conf",
        argv[0]);
  } else {
    Log(LogLevel::kNotice, "Configuration loaded");
  }
  for (const std::string& name : srv->config.InactiveUsed()) {
    Log(LogLevel::kWarning,
        "Directive '%s' is accepted but not active yet in Vireo: the feature it configures is not "
        "implemented, so it has no effect.",
        name.c_str());
  }
  // Redis's ACLLoadUsersAtStartup: requirepass, `user` lines, the aclfile.
  if (!vireo::server::acl::Get().LoadAtStartup(&err)) {
    Log(LogLevel::kWarning, "%s", err.c_str());
    return 1;
  }
  if (!srv->Init(&err)) {
    Log(LogLevel::kWarning, "%s", err.c_str());
    return 1;
  }
  srv->set_replication(vireo::replication::Create(srv));
  // Redis's clusterInit (after initServer, before the listeners' report):
  // nodes.conf locked and loaded, the bus port open, keys indexed by slot.
  if (cfg.cluster_enabled && !sentinel_mode) {
    mode_name = "cluster";
    auto cl = vireo::cluster::Create(srv);
    if (!cl->Init()) return 1;
    srv->set_cluster(std::move(cl));
    srv->SyncKeyspaceOptions();
  }
  // Why this order (Redis's main): listen first (a busy port ends the
  // process before the logo, which test harnesses rely on to retry on
  // another port), then the pidfile, the process title, the logo.
  if (!srv->OpenListeners()) return 1;
  std::string pidfile = cfg.pidfile;
  if (cfg.daemonize && pidfile.empty()) pidfile = "/var/run/redis.pid";
  if (!pidfile.empty()) {
    cfg.pidfile = pidfile;
    CreatePidFile(pidfile);
  }
  if (cfg.set_proc_title) srv->UpdateProcTitle();
  // Why: like Redis, the logo goes to an interactive stdout (or always with
  // always-show-logo); otherwise a one-line summary is logged.
  if (cfg.always_show_logo ||
      (!cfg.syslog_enabled && cfg.logfile.empty() && isatty(fileno(stdout)))) {
    char logo[1024];
    snprintf(logo, sizeof(logo),
             "\n"
             "        __   __ _                 \n"
             "        \\ \\ / /(_) _ __  ___  ___    Vireo %s (Redis %s compatible) 64 bit\n"
             "         \\ V / | || '__|/ _ \\/ _ \\   Running in %s mode\n"
             "          \\_/  |_||_|   \\___|\\___/   Port: %d\n"
             "                                   PID: %d\n",
             VIREO_VERSION, VIREO_REDIS_VERSION, mode_name, cfg.port,
             static_cast<int>(getpid()));
    vireo::server::LogRaw(logo);
  } else {
    Log(LogLevel::kNotice, "Running mode=%s, port=%d.", mode_name, cfg.port);
  }
  if (sentinel) {
    // Redis's sentinel main: no dataset to load; sentinelIsRunning.
    sentinel->Start();
    int rc = srv->Run();
    sentinel.reset();
    delete srv;
    return rc;
  }
  Log(LogLevel::kNotice, "Server initialized");
  // Redis's main: the AOF manifest, then loadDataFromDisk (the AOF when
  // appendonly is on, else dump.rdb; a bad file ends the process, logged
  // why), then the AOF is opened (a BASE written for an empty start) and
  // its history files removed.
  vireo::server::Aof& aof = srv->aof();
  if (!aof.LoadManifestFromDisk()) return 1;
  if (aof.enabled()) {
    srv->snapshots().lastsave = time(nullptr);
    auto r = aof.LoadAtStartup();
    if (r == vireo::server::Aof::LoadResult::kFailed || r == vireo::server::Aof::LoadResult::kOpenErr) return 1;
  } else if (!srv->snapshots().LoadAtStartup()) {
    return 1;
  }
  // Redis's verifyClusterConfigWithData: keys only in db 0, and slots we
  // hold keys for are ours (or being imported).
  if (auto* cl = vireo::cluster::Get(); cl && !cl->VerifyConfigWithData()) {
    Log(LogLevel::kWarning, "You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
    return 1;
  }
  if (!aof.OpenOnServerStart()) return 1;
  aof.DeleteHistoryFiles();
  srv->replication()->Start();
  int rc = srv->Run();
  delete srv;
  return rc;
}
