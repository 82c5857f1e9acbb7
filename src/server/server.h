// Server: the process-wide state and the event loop.
//
// One net::EventLoop (epoll) run by the main thread; every data structure is
// touched only from it. The loop is Redis's: run every ready handler (reads,
// accepts, timers), then BeforeSleep() flushes the clients that have pending
// replies (one writev each), then block in epoll again. The cron timer runs
// at `hz` and drives active expiry, client timeouts, idle-buffer release,
// stats sampling and the incremental rehash of idle databases; later modules
// (replication, cluster, sentinel) join through AddCronHook().
//
// The keyspace (engine::Keyspace) is owned here and reports every change to
// the server's listener (server.cc), which feeds WATCH (watch.h) and the
// propagation of expiry DELs; keyspace notifications and client tracking
// join there later.
//
// Extension points for the modules that come later:
//  - Propagator::AddSink (propagation.h): the one door for AOF and
//    replication; every write reaches each sink once, in effect form.
//  - AddCronHook(): a function run on every cron tick.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/evict.h"
#include "engine/keyspace.h"
#include "net/connection.h"
#include "net/event_loop.h"
#include "net/listener.h"
#include "server/client.h"
#include "server/cluster_hooks.h"
#include "server/command.h"
#include "server/config.h"
#include "server/fork_child.h"
#include "server/propagation.h"
#include "server/pubsub.h"
#include "server/replication_hooks.h"
#include "server/snapshot.h"
#include "server/aof.h"
#include "server/tracking.h"
#include "server/watch.h"

namespace vireo::server {

struct Stats {
  uint64_t numcommands = 0;
  uint64_t numconnections = 0;
  uint64_t rejected_conn = 0;
  uint64_t evictedclients = 0;
  net::NetStats net;  // bytes and reads/writes of every connection
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t client_qbuf_limit_disconnections = 0;
  uint64_t client_outbuf_limit_disconnections = 0;
  uint64_t io_reads_processed = 0;
  uint64_t dump_payload_sanitizations = 0;
  uint64_t total_forks = 0;
  int64_t last_fork_usec = 0;
  size_t peak_memory = 0;
  int64_t peak_memory_time = 0;
  // instantaneous metrics (samples taken by the cron)
  static constexpr int kSamples = 16;
  struct Metric {
    int64_t last_time = 0;
    uint64_t last_value = 0;
    uint64_t samples[kSamples] = {};
    int idx = 0;
  };
  Metric ops, net_in, net_out;
};

struct SlowlogEntry {
  int64_t id;
  int64_t time;
  int64_t duration_us;
  std::vector<std::string> argv;
  std::string peer;
  std::string cname;
};

struct LatencySample {
  int32_t time;
  uint32_t latency_ms;
};
struct LatencyEvent {
  static constexpr int kHistory = 160;
  LatencySample samples[kHistory] = {};
  int idx = 0;
  uint32_t max = 0;
};

class Server {
 public:
  Server();
  ~Server();

  // Opens the listening sockets (logging why not, as Redis, on failure).
  bool OpenListeners();
  // Runs the loop until shutdown (opening the listeners first if main did
  // not). Returns the process exit code.
  int Run();
  // Initialization split out for tests that embed a server without sockets.
  bool Init(std::string* err);

  // --- time -------------------------------------------------------------
  int64_t now_ms() const { return now_us_ / 1000; }
  int64_t now_us() const { return now_us_; }
  void UpdateTime();
  int64_t unixtime() const { return now_us_ / 1000000; }

  // --- keyspace -----------------------------------------------------------
  engine::Keyspace& keyspace() { return *keyspace_; }
  int num_dbs() const { return keyspace_->num_dbs(); }
  WatchRegistry& watches() { return *watches_; }
  Propagator& propagator() { return propagator_; }
  BlockingRegistry& blocking() { return blocking_; }
  PubSub& pubsub() { return pubsub_; }
  Tracking& tracking() { return tracking_; }
  // The client whose command is being processed (Redis's current_client),
  // and whether a command is executing (Redis's fixed_time_expire).
  Client* current_client() const { return current_client_; }
  bool in_call() const { return call_depth_ > 0; }

  // --- clients ----------------------------------------------------------
  Client* clients_head() { return clients_head_; }
  size_t num_clients() const { return num_clients_; }
  Client* FindClient(uint64_t id);
  void AddPendingWrite(Client* c);
  void ScheduleFree(Client* c);
  uint64_t next_client_id = 1;
  std::vector<Client*> monitors;
  // Clients paused (Redis's pause purposes: CLIENT PAUSE, a SHUTDOWN
  // waiting for replicas, FAILOVER): each purpose has its end and mode;
  // pause_end_ms / pause_write_only are the effective pause (the latest
  // end, ALL beating WRITE), recomputed by client_admin.cc.
  enum PausePurpose { kPauseByCommand = 0, kPauseDuringShutdown, kPauseDuringFailover, kPausePurposes };
  struct PauseEvent {
    bool active = false;
    int64_t end = 0;
    bool write_only = true;
  };
  PauseEvent pause_events[kPausePurposes];
  int64_t pause_end_ms = 0;
  bool pause_write_only = false;
  bool paused() const { return pause_end_ms > now_ms(); }
  std::vector<Client*> paused_clients;

  // --- commands ---------------------------------------------------------
  CommandTable& commands() { return commands_; }
  // Runs a command for `c` (c.argv set) through all of Redis's checks.
  // Returns false when CLIENT PAUSE holds the command (not executed).
  bool ProcessCommand(Client& c);
  // Executes the looked-up command: handler, stats, slowlog, propagation.
  // Nested calls (EXEC's commands) propagate when the outermost one ends.
  void Call(Client& c, Command* cmd);
  // Counts an error reply (errorstats) — every error reply goes through it.
  void CountError(std::string_view msg);
  std::unordered_map<std::string, uint64_t> errorstats;

  // --- config, logging ----------------------------------------------------
  ConfigManager config;
  Config& cfg() { return config.cfg(); }
  std::string executable;
  std::vector<std::string> exec_argv;

  // --- stats, slowlog, latency ------------------------------------------
  Stats stats;
  std::deque<SlowlogEntry> slowlog;
  int64_t slowlog_next_id = 0;
  void SlowlogPush(Client& c, int64_t duration_us);
  std::unordered_map<std::string, LatencyEvent> latency_events;
  void LatencyAdd(const char* event, uint64_t ms);
  int64_t start_time_ms = 0;
  char run_id[41] = {};
  int64_t stat_reset_time = 0;
  void ResetStats();
  void RecordMetric(Stats::Metric& m, uint64_t value);
  static double MetricAverage(const Stats::Metric& m);

  // --- persistence (snapshot.h) --------------------------------------------
  Snapshotter& snapshots() { return *snapshots_; }
  Aof& aof() { return *aof_; }
  // The one forked child (BGSAVE or AOF rewrite).
  ForkChild& child() { return child_; }
  // A command read from the AOF (Redis's loadSingleAppendOnlyFile):
  // queued while in MULTI, else run with no checks and no stats. False
  // (nothing run) when the arity is wrong.
  bool RunLoadedCommand(Client& c, Command* cmd);
  // In a forked child: close the listening sockets without unlinking.
  void CloseListenersInChild();
  // Listening sockets on `port` for every `bind` address (Redis's
  // listenToPort; "-addr" is skipped when unavailable). Also the cluster
  // bus's. False with *err ("Failed listening on port ...").
  bool OpenTcpListeners(int port, const std::vector<std::string>& bind,
                        std::vector<std::unique_ptr<net::Listener>>* out,
                        std::vector<std::string>* addrs, std::string* err);
  // Descriptors a fork child closes too (the cluster bus listener, the
  // nodes.conf lock: a child must not keep them after the parent dies).
  void AddForkCloseFd(int fd) { fork_close_fds_.push_back(fd); }
  void RemoveForkCloseFd(int fd) { std::erase(fork_close_fds_, fd); }
  // redisSetProcTitle(title) for a child process.
  void SetChildProcTitle(const char* title);
  // Redis's processEventsWhileBlocked: serve the sockets once (replies
  // included) while a long job (loading) holds the main thread.
  void ProcessEventsWhileBlocked();

  // --- replication (src/replication/, through replication_hooks.h) -------
  // Redis's server.sentinel_mode: no keyspace persistence, sentinel-mode
  // INFO / ROLE / PUBLISH, SHUTDOWN never saves.
  bool sentinel_mode = false;
  ReplicationHooks* replication() { return repl_.get(); }
  void set_replication(std::unique_ptr<ReplicationHooks> r) { repl_ = std::move(r); }
  // Redis's mustObeyClient: our master's link (and the AOF loader, which
  // never goes through ProcessCommand).
  static bool ObeyClient(const Client& c) { return (c.flags & kClientMaster) != 0; }

  // --- cluster (src/cluster/, through cluster_hooks.h) ------------------
  // Null unless cluster-enabled is yes.
  ClusterHooks* cluster() { return cluster_.get(); }
  void set_cluster(std::unique_ptr<ClusterHooks> c) { cluster_ = std::move(c); }

  // --- cron & shutdown -------------------------------------------------
  using CronHook = std::function<void()>;
  void AddCronHook(CronHook h) { cron_hooks_.push_back(std::move(h)); }
  void RequestShutdown(int sig) { shutdown_signal_ = sig; }
  // SHUTDOWN command: returns false with *err when it cannot shut down,
  // or with an empty *err when it waits for lagging replicas (up to
  // shutdown-timeout; `requester` then gets no reply unless it fails).
  bool PrepareShutdown(bool nosave, bool save, bool now, bool force, std::string* err,
                       Client* requester = nullptr);
  // SHUTDOWN ABORT: of a shutdown waiting for replicas, or of a signal's
  // shutdown the cron has not run yet; false when there is none.
  bool AbortShutdown();
  bool AbortSignalShutdown();
  bool shutdown_asap = false;
  int64_t cron_loops = 0;
  // Effective cron frequency (hz, raised by dynamic-hz); INFO "hz".
  int hz = 0;
  int active_expire_enabled = 1;
  // DEBUG PAUSE-CRON: the cron does nothing while set.
  bool cron_paused = false;
  uint64_t unix_socket_perm = 0;
  net::EventLoop& loop() { return loop_; }
  // Listening addresses for INFO / proc title.
  std::vector<std::string> listen_addrs;
  int tcp_port = 0;

  // --- maxmemory (maxmemory.cc) ------------------------------------------
  engine::Evictor& evictor() { return *evictor_; }
  // Redis's processCommand maxmemory step: client eviction, key eviction,
  // then -OOM for deny-oom commands (and anything queued in MULTI). False
  // when the command must not run: *reject holds the error to reply, or is
  // empty when the client itself was evicted.
  bool CheckMaxmemory(Client& c, Command* cmd, std::string_view* reject);
  // performEvictions plus what the server adds: the DELs propagated at
  // once, and the timer that keeps evicting while it says kRunning.
  engine::EvictResult PerformEvictions();
  // Redis's startEvictionTimeProc (CONFIG SET maxmemory).
  void StartEvictionTimer();
  // Redis's evictClients (maxmemory-clients): frees the biggest clients
  // until client memory is under the limit. True when `current` was freed.
  bool EvictClients(Client* current);
  // DEBUG CLIENT-EVICTION: Redis's bucket table of evictable clients.
  std::string ClientEvictionBuckets();

  // Copies the directives the keyspace reads into its options.
  void SyncKeyspaceOptions();
  // Redis's redisSetProcTitle: proc-title-template with the program name.
  bool UpdateProcTitle();

  // Connection accounting
  void OnClientClosed(Client* c);
  void LinkClient(Client* c);

 private:
  friend class Client;
  void BeforeSleep();
  void Cron();
  void ArmCron();
  bool Listen(std::string* err);
  void StartAccept(net::Listener* l);
  // CONFIG SET port / bind: reopen the TCP listeners.
  bool ReListenTcp(std::string* err);
  void AcceptClient(int fd, bool unix_socket, const std::string& laddr);
  void ClientsCron();
  void DatabasesCron();
  void ActiveExpireCycle(bool fast);
  void FreePendingClients();
  bool FinishShutdown();
  bool FinishShutdownSteps(bool nosave, bool save, bool force, std::string* err);
  void CancelShutdown();
  void ShutdownCron();
  // A shutdown waiting for replicas (Redis's shutdown_mstime, flags).
  int64_t shutdown_mstime_ = 0;
  bool shutdown_nosave_ = false, shutdown_save_ = false, shutdown_force_ = false;
  std::vector<Client*> shutdown_waiters_;

  net::EventLoop loop_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::unique_ptr<engine::Keyspace> keyspace_;
  std::unique_ptr<WatchRegistry> watches_;
  // maxmemory.cc
  std::unique_ptr<engine::Evictor> evictor_;
  bool evict_timer_armed_ = false;
  size_t clients_mem_ = 0;  // client eviction: sum of Client::evict_mem
  void InitMaxmemory();
  void SyncEvictOptions();
  void ArmEvictionTimer();
  size_t ClientEvictionLimit() const;
  void UpdateClientMemory(Client* c);
  void ForgetClientMemory(Client* c);
  class KeyspaceEvents;
  std::unique_ptr<KeyspaceEvents> keyspace_events_;
  Propagator propagator_;
  BlockingRegistry blocking_{this};
  PubSub pubsub_{this};
  Tracking tracking_{this};
  std::unique_ptr<Snapshotter> snapshots_;
  std::unique_ptr<Aof> aof_;
  ForkChild child_{this};
  std::unique_ptr<ReplicationHooks> repl_;
  std::unique_ptr<ClusterHooks> cluster_;
  std::vector<int> fork_close_fds_;
  void PersistenceCron();
  Client* current_client_ = nullptr;
  std::unordered_map<uint64_t, Client*> clients_by_id_;
  int call_depth_ = 0;
  Command* exec_cmd_ = nullptr;  // EXEC is never propagated itself
  // Errors counted when the last command (or nested command) ended: a call
  // is charged failed_calls only for errors it replied itself (Redis's
  // incrCommandStatsOnError).
  uint64_t prev_err_count_ = 0;
  CommandTable commands_;
  Client* clients_head_ = nullptr;
  Client* clients_tail_ = nullptr;
  size_t num_clients_ = 0;
  std::vector<Client*> pending_writes_;
  std::vector<Client*> to_free_;
  std::vector<CronHook> cron_hooks_;
  int64_t now_us_ = 0;
  volatile int shutdown_signal_ = 0;
  int signal_shutdown_ = 0;  // SIGINT/SIGTERM received, for the cron
  int64_t shutdown_deadline_ = 0;
  size_t clients_cron_cursor_ = 0;
  std::vector<std::string> tcp_bind_;  // bind list of the open TCP listeners
};

// The one server of the process (like Redis's `server` global).
extern Server* g_server;

}  // namespace vireo::server
