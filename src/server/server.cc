// See server.h. The loop, listeners, accept, cron and shutdown.
#include "server/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.h"
#include "base/hash.h"
#include "base/memory.h"
#include "base/proc_title.h"
#include "engine/lazyfree.h"
#include "server/acl.h"
#include "server/client_admin.h"
#include "server/log.h"

namespace vireo::server {

Server* g_server = nullptr;

namespace {
volatile sig_atomic_t g_signal = 0;
volatile sig_atomic_t g_shutdown_scheduled = 0;
char g_temp_rdb[64];  // temp-<pid>.rdb, formatted before the handler runs
void OnSignal(int sig) {
  // Why: a second SIGINT while a shutdown is scheduled (maybe saving the
  // final RDB right now) means "quit now": Redis's sigShutdownHandler
  // removes the save's temp file and exits 1 (it also logs "You insist...
  // exiting now.", which our logger cannot do from a signal handler).
  if (g_shutdown_scheduled && sig == SIGINT) {
    unlink(g_temp_rdb);
    _exit(1);
  }
  g_shutdown_scheduled = 1;
  g_signal = sig;
}
}  // namespace

Server::Server() {
  g_server = this;
  UpdateTime();
  start_time_ms = now_ms();
  stat_reset_time = now_ms();
  base::RandomHex(run_id, 40);
  run_id[40] = '\0';
  base::SeedRandom(static_cast<uint64_t>(base::UnixTimeUs()) ^ static_cast<uint64_t>(getpid()));
  base::g_hash_seed = base::Random64();
  // The command families register themselves before the config is loaded
  // (main.cc), as Redis populates its table first: rename-command is
  // checked at load.
  config.SetRenameCommandHandler([this](std::string_view from, std::string_view to,
                                        std::string* err) { return commands_.Rename(from, to, err); });
}

Server::~Server() {
  for (Client* c = clients_head_; c;) {
    Client* n = c->next;
    delete c;
    c = n;
  }
  g_server = nullptr;
}

void Server::UpdateTime() {
  now_us_ = base::UnixTimeUs();
  if (keyspace_) {
    engine::KeyspaceOptions& o = keyspace_->options();
    o.SetNow(now_ms());
    // Why: while clients are paused Redis keeps the dataset constant: no
    // lazy or active expiry (expireIfNeeded / activeExpireCycle).
    o.expire_paused = paused();
  }
}

// The server's side of the keyspace listener: WATCH, and the DELs that the
// AOF and replicas need for keys removed by expiry or eviction. Keyspace
// notifications and client tracking plug in here.
class Server::KeyspaceEvents final : public engine::KeyspaceListener {
 public:
  explicit KeyspaceEvents(Server* s) : s_(s) {}
  void KeyModified(int db, std::string_view key) override {
    s_->watches_->Touch(db, key);
    if (s_->tracking_.clients() > 0) s_->tracking_.InvalidateKey(key, true);
  }
  void KeyEvent(int type, std::string_view event, int db, std::string_view key) override {
    s_->pubsub_.NotifyKeyspaceEvent(s_->cfg().notify_keyspace_events, type, event, db, key);
  }
  void KeyExpired(int db, std::string_view key) override {
    // Why: a master propagates expiry as an explicit DEL (UNLINK when
    // lazyfree-lazy-expire), so replicas and the AOF stay consistent.
    s_->propagator_.Add(db, {s_->cfg().lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
    if (s_->tracking_.clients() > 0) s_->tracking_.ModifiedByServer(key);
  }
  void KeyReady(int db, std::string_view key) override { s_->blocking_.SignalReady(db, key); }
  void KeyEvicted(int db, std::string_view key) override {
    s_->propagator_.Add(db, {s_->cfg().lazyfree_lazy_eviction ? "UNLINK" : "DEL", key});
    if (s_->tracking_.clients() > 0) s_->tracking_.ModifiedByServer(key);
  }
  void BeforeFlush(int db) override { s_->watches_->TouchAllInDb(db, -1); }
  // Why: tracked keys are not per db; a flush invalidates everything
  // with one null message (trackingInvalidateKeysOnFlush).
  void Flushed(int) override { s_->tracking_.InvalidateAll(); }
  void BeforeSwap(int db1, int db2) override {
    s_->blocking_.SignalDb(db1);
    s_->blocking_.SignalDb(db2);
    s_->watches_->TouchAllInDb(db1, db2);
    s_->watches_->TouchAllInDb(db2, db1);
    // Why no tracking here: Redis 7.0.15's SWAPDB (dbSwapDatabases) sends
    // no invalidation and keeps the tracking table; only flushes do.
  }

 private:
  Server* s_;
};

bool Server::UpdateProcTitle() {
  std::optional<std::string> title = config.ExpandProcTitle(exec_argv.empty() ? "" : exec_argv[0]);
  if (!title) return false;
  base::SetProcTitle(*title);
  return true;
}

void Server::SyncKeyspaceOptions() {
  const Config& c = cfg();
  engine::KeyspaceOptions& o = keyspace_->options();
  // Why the cluster too: a cluster replica restarted from nodes.conf is a
  // replica (no active expiry of its master's keys) before the cron gives
  // it a replication link (Redis's iAmMaster).
  o.replica = !c.masterhost.empty() || (cluster_ && cluster_->IAmReplica());
  o.replica_read_only = c.replica_read_only;
  o.lazyfree_lazy_expire = c.lazyfree_lazy_expire;
  o.lazyfree_lazy_server_del = c.lazyfree_lazy_server_del;
  o.lazyfree_lazy_user_del = c.lazyfree_lazy_user_del;
  o.lazyfree_lazy_user_flush = c.lazyfree_lazy_user_flush;
  o.maxmemory_policy = static_cast<engine::EvictionPolicy>(c.maxmemory_policy);
  o.maxmemory = c.maxmemory;
  o.lfu_log_factor = c.lfu_log_factor;
  o.lfu_decay_time = c.lfu_decay_time;
  o.active_expire_effort = c.active_expire_effort;
  o.max_string_len = c.proto_max_bulk_len;
  o.hash_max_listpack_entries = static_cast<uint64_t>(c.hash_max_listpack_entries);
  o.hash_max_listpack_value = static_cast<uint64_t>(c.hash_max_listpack_value);
  o.set_max_intset_entries = static_cast<uint64_t>(c.set_max_intset_entries);
  o.zset_max_listpack_entries = static_cast<uint64_t>(c.zset_max_listpack_entries);
  o.zset_max_listpack_value = static_cast<uint64_t>(c.zset_max_listpack_value);
  o.list_max_listpack_size = c.list_max_listpack_size;
  o.list_compress_depth = c.list_compress_depth;
}

bool Server::Init(std::string* err) {
  const Config& c = cfg();
  keyspace_ = std::make_unique<engine::Keyspace>(c.databases);
  watches_ = std::make_unique<WatchRegistry>(keyspace_.get());
  keyspace_events_ = std::make_unique<KeyspaceEvents>(this);
  snapshots_ = std::make_unique<Snapshotter>(this);
  aof_ = std::make_unique<Aof>(this);
  aof_->Init();
  keyspace_->set_listener(keyspace_events_.get());
  SyncKeyspaceOptions();
  InitMaxmemory();
  UpdateTime();
  config.OnChange({"replicaof", "replica-read-only", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
                   "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "maxmemory-policy",
                   "maxmemory", "lfu-log-factor", "lfu-decay-time", "active-expire-effort",
                   "proto-max-bulk-len", "hash-max-listpack-entries",
                   "hash-max-listpack-value", "set-max-intset-entries",
                   "zset-max-listpack-entries", "zset-max-listpack-value",
                   "list-max-listpack-size", "list-compress-depth"},
                  [this](std::string*) {
                    SyncKeyspaceOptions();
                    return true;
                  });
  // Why: Redis publishes a notification only for the classes in
  // notify-keyspace-events and only with K or E; the keyspace skips the
  // listener call for everything else.
  auto sync_events = [this](std::string*) {
    int f = cfg().notify_keyspace_events;
    keyspace_->set_event_mask((f & (kNotifyKeyspace | kNotifyKeyevent)) ? f : 0);
    return true;
  };
  sync_events(nullptr);
  config.OnChange("notify-keyspace-events", sync_events);
  // ACL SETUSER closes the subscribers whose channels a user loses; the
  // ACL asks pub/sub what each client listens to.
  acl::Get().SetSubscriptionLister(
      [](Client& c, std::vector<std::string>* channels, std::vector<std::string>* patterns) {
        if (!c.pubsub) return;
        channels->assign(c.pubsub->channels.begin(), c.pubsub->channels.end());
        channels->insert(channels->end(), c.pubsub->shard_channels.begin(),
                         c.pubsub->shard_channels.end());
        patterns->assign(c.pubsub->patterns.begin(), c.pubsub->patterns.end());
      });
  exec_cmd_ = commands_.Find("exec");
  // Why: Redis applies a new template at once (updateProcTitleTemplate),
  // whatever set-proc-title says.
  config.OnChange("proc-title-template", [this](std::string* err) {
    if (UpdateProcTitle()) return true;
    *err = "failed to set process title";
    return false;
  });
  // Redis's updateAppendonly: switching on starts the first rewrite (the
  // AOF is "on" once it ends), switching off closes the file.
  config.OnChange("appendonly", [this](std::string* err) {
    if (!cfg().appendonly && aof_->enabled()) {
      aof_->Stop();
    } else if (cfg().appendonly && !aof_->enabled() && !aof_->Start()) {
      *err = "Unable to turn on AOF. Check server logs.";
      return false;
    }
    return true;
  });
  config.OnChange("aof-disable-auto-gc", [this](std::string*) {
    if (!cfg().aof_disable_auto_gc) aof_->DeleteHistoryFiles();
    return true;
  });
  config.OnChange("port", [this](std::string* err) { return ReListenTcp(err); });
  config.OnChange("bind", [this](std::string* err) { return ReListenTcp(err); });
  if (!commands_.missing().empty()) {
    *err = "commands without metadata: ";
    for (auto& m : commands_.missing()) *err += m + " ";
    return false;
  }
  return true;
}

Client* Server::FindClient(uint64_t id) {
  // Why an index: tracking looks up every client a key is remembered for.
  auto it = clients_by_id_.find(id);
  return it == clients_by_id_.end() || it->second->closed() ? nullptr : it->second;
}

void Server::LinkClient(Client* c) {
  clients_by_id_[c->id] = c;
  c->linked = true;
  c->prev = clients_tail_;
  c->next = nullptr;
  if (clients_tail_)
    clients_tail_->next = c;
  else
    clients_head_ = c;
  clients_tail_ = c;
  num_clients_++;
}

void Server::OnClientClosed(Client* c) {
  if (repl_ && (c->repl || (c->flags & (kClientSlave | kClientMaster | kClientWaitAcks))))
    repl_->ClientClosed(*c);
  ForgetClientMemory(c);
  watches_->UnwatchAll(*c);
  blocking_.Forget(*c);
  c->mstate.clear();
  if (c->flags & kClientMonitor) {
    monitors.erase(std::remove(monitors.begin(), monitors.end(), c), monitors.end());
  }
  pending_writes_.erase(std::remove(pending_writes_.begin(), pending_writes_.end(), c),
                        pending_writes_.end());
  shutdown_waiters_.erase(std::remove(shutdown_waiters_.begin(), shutdown_waiters_.end(), c),
                          shutdown_waiters_.end());
  paused_clients.erase(std::remove(paused_clients.begin(), paused_clients.end(), c),
                       paused_clients.end());
  // Unlink from the list now so CLIENT LIST no longer shows it
  // (socket-less clients were never in it).
  if (!c->linked) return;
  c->linked = false;
  clients_by_id_.erase(c->id);
  if (c->prev)
    c->prev->next = c->next;
  else
    clients_head_ = c->next;
  if (c->next)
    c->next->prev = c->prev;
  else
    clients_tail_ = c->prev;
  c->prev = c->next = nullptr;
  num_clients_--;
}

void Server::ScheduleFree(Client* c) { to_free_.push_back(c); }

void Server::FreePendingClients() {
  if (to_free_.empty()) return;
  auto v = std::move(to_free_);
  to_free_.clear();
  for (Client* c : v) delete c;
}

void Server::AddPendingWrite(Client* c) {
  if (c->flags & kClientPendingWrite) return;
  c->flags |= kClientPendingWrite;
  pending_writes_.push_back(c);
}

// ---------------------------------------------------------------------------
// Listeners

bool Server::OpenTcpListeners(int port, const std::vector<std::string>& bind,
                              std::vector<std::unique_ptr<net::Listener>>* out,
                              std::vector<std::string>* addrs, std::string* err) {
  const Config& c = cfg();
  if (port == 0) return true;
  for (std::string addr : bind) {
    // Why: Redis 7 lets an address start with '-' to mean "skip it when
    // the address is not available" (EADDRNOTAVAIL / unsupported family).
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr = addr.substr(1);
    std::string why;
    int err_no = 0;
    auto l = net::Listener::OpenTcp(&loop_, addr, port, c.tcp_backlog, &why, &err_no);
    if (!l) {
      if (optional && (err_no == EADDRNOTAVAIL || err_no == EAFNOSUPPORT ||
                       err_no == EPROTONOSUPPORT || err_no == ESOCKTNOSUPPORT ||
                       err_no == EPFNOSUPPORT)) {
        continue;
      }
      Log(LogLevel::kWarning, "Warning: Could not create server TCP listening socket %s:%d: %s",
          addr.c_str(), port, why.c_str());
      *err = "Failed listening on port " + std::to_string(port) + " (TCP), aborting.";
      return false;
    }
    addrs->push_back(addr + ":" + std::to_string(port));
    out->push_back(std::move(l));
  }
  return true;
}

bool Server::Listen(std::string* err) {
  const Config& c = cfg();
  tcp_port = c.port;
  tcp_bind_ = c.bind;
  if (!OpenTcpListeners(c.port, c.bind, &listeners_, &listen_addrs, err)) return false;
  if (!c.unixsocket.empty()) {
    std::string why;
    auto l = net::Listener::OpenUnix(&loop_, c.unixsocket, c.unixsocketperm, c.tcp_backlog, &why);
    if (!l) {
      *err = "Failed opening Unix socket: " + why;
      return false;
    }
    listeners_.push_back(std::move(l));
  }
  if (listeners_.empty()) {
    *err = "Configured to not listen anywhere, exiting.";
    return false;
  }
  for (auto& l : listeners_) StartAccept(l.get());
  return true;
}

void Server::StartAccept(net::Listener* l) {
  l->Start([this](int fd, net::Listener* from) { AcceptClient(fd, from->unix_socket(), from->laddr()); });
}

bool Server::ReListenTcp(std::string* err) {
  const int port = cfg().port;
  const std::vector<std::string> bind = cfg().bind;
  if (port == tcp_port && bind == tcp_bind_) return true;  // nothing changed
  std::vector<std::unique_ptr<net::Listener>> fresh, keep, old;
  std::vector<std::string> addrs;
  std::string why;
  for (auto& l : listeners_) (l->unix_socket() ? keep : old).push_back(std::move(l));
  listeners_.clear();
  if (port == tcp_port) {
    // Why: Redis's changeBindAddr closes the old sockets first (same port)
    // and reopens the old addresses when the new ones fail.
    old.clear();
    if (!OpenTcpListeners(port, bind, &fresh, &addrs, &why)) {
      fresh.clear();
      addrs.clear();
      OpenTcpListeners(tcp_port, tcp_bind_, &fresh, &addrs, &why);
      for (auto& l : fresh) StartAccept(l.get());
      for (auto& l : fresh) keep.push_back(std::move(l));
      listeners_ = std::move(keep);
      listen_addrs = std::move(addrs);
      *err = "Failed to bind to specified addresses.";
      return false;
    }
  } else if (!OpenTcpListeners(port, bind, &fresh, &addrs, &why)) {
    // Why: changeListenPort opens the new port first and keeps the old one
    // when that fails.
    for (auto& l : old) keep.push_back(std::move(l));
    listeners_ = std::move(keep);
    *err = "Unable to listen on this port";
    return false;
  }
  old.clear();
  for (auto& l : fresh) {
    StartAccept(l.get());
    keep.push_back(std::move(l));
  }
  listeners_ = std::move(keep);
  listen_addrs = std::move(addrs);
  tcp_port = port;
  tcp_bind_ = bind;
  return true;
}

static bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr.rfind("[::1]:", 0) == 0;
}

void Server::AcceptClient(int fd, bool unix_socket, const std::string& laddr) {
  UpdateTime();
  const Config& c = cfg();
  if (!unix_socket) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (c.tcp_keepalive > 0) {
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
      int idle = c.tcp_keepalive;
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
      int intvl = idle / 3 > 0 ? idle / 3 : 1;
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
      int cnt = 3;
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    }
  }
  // Why: Redis names a unix-socket client "path:0" on both ends.
  std::string peer = unix_socket ? laddr : net::PeerAddress(fd);
  // Why: Redis accepts the connection, writes this error and closes when
  // maxclients is reached (acceptCommonHandler).
  if (num_clients_ >= static_cast<size_t>(c.maxclients)) {
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    ssize_t w = ::write(fd, kMsg, sizeof(kMsg) - 1);
    (void)w;
    stats.rejected_conn++;
    ::close(fd);
    return;
  }
  // Why: Redis 7.0 protected mode refuses non-loopback clients when the
  // default user has no password.
  if (c.protected_mode && (acl::Get().default_user()->flags & acl::kUserNopass) && !unix_socket &&
      !IsLoopback(peer)) {
    static const char kDenied[] =
        "-DENIED Redis is running in protected mode because protected mode is enabled and no "
        "password is set for the default user. In this mode connections are only accepted from "
        "the loopback interface. If you want to connect from external computers to Redis you may "
        "adopt one of the following solutions: 1) Just disable protected mode sending the command "
        "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
        "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
        "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
        "Alternatively you can just disable the protected mode by editing the Redis configuration "
        "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
        "If you started the server manually just for testing, restart it with the "
        "'--protected-mode no' option. 4) Setup a bind address or an authentication password. "
        "NOTE: You only need to do one of the above things in order for the server to start "
        "accepting connections from the outside.\r\n";
    ssize_t w = ::write(fd, kDenied, sizeof(kDenied) - 1);
    (void)w;
    stats.rejected_conn++;
    ::close(fd);
    return;
  }
  if (unix_socket)
    Log(LogLevel::kVerbose, "Accepted connection to %s", cfg().unixsocket.c_str());
  else
    Log(LogLevel::kVerbose, "Accepted %s", peer.c_str());
  auto* cl = new Client(this, &loop_, fd, unix_socket);
  cl->id = next_client_id++;
  cl->addr = peer;
  cl->laddr = unix_socket ? laddr : net::LocalAddress(fd);
  cl->ctime_ms = now_ms();
  acl::Get().AttachDefault(*cl);
  LinkClient(cl);
  stats.numconnections++;
  if (!cl->Start()) {
    Log(LogLevel::kWarning, "Error registering fd event for the new client: %s (fd=%d)",
        strerror(errno), fd);
    cl->Close();
  }
}

// ---------------------------------------------------------------------------
// Loop

bool Server::OpenListeners() {
  std::string err;
  if (Listen(&err)) return true;
  Log(LogLevel::kWarning, "%s", err.c_str());
  return false;
}

void Server::CloseListenersInChild() {
  for (auto& l : listeners_) ::close(l->fd());
  for (int fd : fork_close_fds_) ::close(fd);
}

void Server::SetChildProcTitle(const char* title) {
  if (!cfg().set_proc_title) return;
  if (std::optional<std::string> t = config.ExpandProcTitle(title)) base::SetProcTitle(*t);
}

void Server::ProcessEventsWhileBlocked() {
  UpdateTime();
  loop_.RunOnce(0);
  // Redis's whileBlockedCron: a SIGTERM / SIGINT while loading shuts the
  // server down now, without saving (the dataset is half loaded).
  if (g_signal && snapshots_->loading()) {
    int sig = g_signal;
    g_signal = 0;
    (void)sig;
    Log(LogLevel::kWarning, "Received shutdown signal during loading, scheduling shutdown.");
    std::string err;
    if (PrepareShutdown(true, false, true, false, &err) && FinishShutdown()) exit(0);
  }
  auto v = std::move(pending_writes_);
  pending_writes_.clear();
  for (Client* c : v) {
    if (!c->closed()) c->Flush();
  }
  FreePendingClients();
}

int Server::Run() {
  if (listeners_.empty() && !OpenListeners()) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  snprintf(g_temp_rdb, sizeof(g_temp_rdb), "temp-%d.rdb", static_cast<int>(getpid()));
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  Log(LogLevel::kNotice, "Ready to accept connections");
  ArmCron();
  for (;;) {
    BeforeSleep();
    if (shutdown_asap && FinishShutdown()) break;
    loop_.RunOnce();
    if (g_signal) {
      int sig = g_signal;
      g_signal = 0;
      Log(LogLevel::kWarning, "Received %s scheduling shutdown...",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
      // Why not now: Redis shuts down from the cron (DEBUG PAUSE-CRON
      // holds it, SHUTDOWN ABORT cancels it).
      signal_shutdown_ = sig;
    }
  }
  return 0;
}

void Server::BeforeSleep() {
  UpdateTime();
  // Redis's clusterBeforeSleep comes first: state, config, failover steps.
  if (cluster_) cluster_->BeforeSleep();
  if (active_expire_enabled && !paused()) ActiveExpireCycle(true);
  if (blocking_.has_work()) blocking_.ServeReady();
  // Anything a step outside a command left for the AOF and replicas.
  propagator_.Flush(false);
  // REPLCONF GETACK for WAIT, and the WAITs their replicas acknowledged.
  if (repl_) repl_->BeforeSleep();
  // Why here: the AOF is written (and with `always` synced) before any
  // reply of this iteration goes out (Redis's beforeSleep).
  if (aof_->enabled()) aof_->Flush(false);
  // Keys changed under BCAST prefixes during this iteration.
  tracking_.BroadcastPending();
  if (!pending_writes_.empty()) {
    auto v = std::move(pending_writes_);
    pending_writes_.clear();
    for (Client* c : v) {
      if (c->closed()) continue;
      c->Flush();
      if (cfg().maxmemory_clients != 0) UpdateClientMemory(c);
    }
  }
  // Redis's beforeSleep: disconnect clients using too much memory.
  if (cfg().maxmemory_clients != 0) EvictClients(nullptr);
  FreePendingClients();
}

void Server::ArmCron() {
  if (hz <= 0) hz = cfg().hz > 0 ? cfg().hz : 10;
  loop_.AddTimer(1000000 / hz, [this] {
    Cron();
    ArmCron();
  });
}

void Server::RecordMetric(Stats::Metric& m, uint64_t value) {
  int64_t now = now_ms();
  int64_t t = now - m.last_time;
  uint64_t ops = value - m.last_value;
  uint64_t per_sec = t > 0 ? ops * 1000 / static_cast<uint64_t>(t) : 0;
  m.samples[m.idx] = per_sec;
  m.idx = (m.idx + 1) % Stats::kSamples;
  m.last_time = now;
  m.last_value = value;
}

double Server::MetricAverage(const Stats::Metric& m) {
  uint64_t sum = 0;
  for (uint64_t s : m.samples) sum += s;
  return static_cast<double>(sum) / Stats::kSamples;
}

void Server::Cron() {
  UpdateTime();
  cron_loops++;
  // Why: Redis's dynamic-hz raises the cron frequency with the number of
  // clients (MAX_CLIENTS_PER_CLOCK_TICK = 200) so clientsCron keeps up.
  hz = cfg().hz > 0 ? cfg().hz : 10;
  if (cfg().dynamic_hz) {
    while (num_clients_ / static_cast<size_t>(hz) > 200) {
      hz *= 2;
      if (hz > 500) {
        hz = 500;
        break;
      }
    }
  }
  // Every 100 ms: instantaneous metrics (Redis's run_with_period(100)).
  int period = 1000 / hz;
  // DEBUG PAUSE-CRON: skip the cron's work (Redis checks after hz).
  if (cron_paused) return;
  if (period <= 100 ? (cron_loops % (100 / period) == 0) : true) {
    RecordMetric(stats.ops, stats.numcommands);
    RecordMetric(stats.net_in, stats.net.input_bytes);
    RecordMetric(stats.net_out, stats.net.output_bytes);
  }
  size_t used = base::UsedMemory();
  if (used > stats.peak_memory) {
    stats.peak_memory = used;
    stats.peak_memory_time = now_ms();
  }
  if (pause_end_ms) ExpirePauses(*this);
  ShutdownCron();
  // Why: a CONFIG SET tracking-table-max-keys takes effect even when idle.
  if (tracking_.clients() > 0) tracking_.LimitUsedSlots();
  if (signal_shutdown_) {
    // Redis's serverCron shutdown step: shutdown-on-sigint/-sigterm flags
    // (default: save when save points exist); a failed save keeps the
    // server running.
    int sig = signal_shutdown_;
    signal_shutdown_ = 0;
    int f = sig == SIGINT ? cfg().shutdown_on_sigint : cfg().shutdown_on_sigterm;
    std::string err;
    if (!PrepareShutdown(f & kShutdownNoSave, f & kShutdownSave, f & kShutdownNow, f & kShutdownForce,
                         &err) &&
        !shutdown_mstime_) {
      g_shutdown_scheduled = 0;
      Log(LogLevel::kWarning,
          "SIGTERM received but errors trying to shut down the server, check the logs for more "
          "information");
    }
  }
  ClientsCron();
  DatabasesCron();
  PersistenceCron();
  if (repl_) repl_->Cron();
  // Why not while loading: Redis runs no cron then (only file events), so
  // the failure detector does not count the load's pauses against peers.
  if (cluster_ && !snapshots_->loading() && !snapshots_->async_loading()) cluster_->Cron();
  for (auto& h : cron_hooks_) h();
}

void Server::PersistenceCron() {
  // Redis's serverCron order: a scheduled AOF rewrite first, then either
  // reap the child or start a save point's BGSAVE / an automatic rewrite,
  // then the AOF's postponed flush and write-error retry, and last a
  // scheduled BGSAVE.
  aof_->CronScheduledRewrite();
  if (child_.active()) {
    ChildType type = child_.type();
    int code = 0, sig = 0;
    if (child_.Reap(&code, &sig)) {
      if (type == ChildType::kRdb) {
        snapshots_->BackgroundDone(code, sig);
      } else {
        aof_->RewriteDone(code, sig);
      }
    }
  } else {
    snapshots_->CronSavePoints();
    aof_->CronAutoRewrite();
  }
  aof_->CronFlush();
  snapshots_->CronScheduled();
}

void Server::ClientsCron() {
  // Why: like Redis, process a slice of clients per call so that every
  // client is visited about once per second whatever their number.
  size_t n = num_clients_;
  if (n == 0) return;
  size_t iterations = n / static_cast<size_t>(hz);
  if (iterations < 5) iterations = n < 5 ? n : 5;
  int64_t now = now_ms();
  int timeout = cfg().timeout;
  // Walk from the head each time, using a rotating cursor by id.
  std::vector<Client*> batch;
  batch.reserve(iterations);
  size_t skip = clients_cron_cursor_ % n;
  size_t i = 0;
  for (Client* c = clients_head_; c && batch.size() < iterations; c = c->next, i++) {
    if (i < skip) continue;
    batch.push_back(c);
  }
  for (Client* c = clients_head_; c && batch.size() < iterations && i < skip + iterations; c = c->next, i++)
    batch.push_back(c);
  clients_cron_cursor_ = skip + batch.size();
  for (Client* c : batch) {
    if (c->closed()) continue;
    // Why not replicas nor our master: their links have their own
    // timeout (repl-timeout), as Redis's clientsCronHandleTimeout.
    if (timeout > 0 && !(c->flags & (kClientMonitor | kClientPubsub | kClientSlave | kClientMaster | kClientBlocked)) &&
        now - c->last_interaction_ms > static_cast<int64_t>(timeout) * 1000) {
      Log(LogLevel::kVerbose, "Closing idle client");
      c->Close();
      continue;
    }
    // Cluster: a client blocked on a key whose slot moved away is answered
    // with the redirection (clientsCronHandleTimeout).
    if (cluster_ && (c->flags & kClientBlocked)) cluster_->RedirectBlocked(*c);
    c->EnforceOutputLimits();
    if (c->closed()) continue;
    if (cfg().maxmemory_clients != 0) UpdateClientMemory(c);
    // Idle means more than 2 s without input. Why in ms: Redis compares
    // whole seconds (unixtime - lastinteraction > 2), which releases a
    // buffer up to a second later; releasing at 2 s is never observable
    // otherwise and keeps idle clients small sooner.
    c->CronResizeBuffers(now - c->last_interaction_ms > 2000);
  }
}

void Server::DatabasesCron() {
  if (active_expire_enabled && !paused()) ActiveExpireCycle(false);
  // Resize and incrementally rehash (Redis's tryResizeHashTables +
  // incrementallyRehash, 1 ms per call).
  // Why not with a child: rehashing would dirty every page it moves, which
  // copy-on-write then duplicates (Redis skips it with a child alive too).
  if (!child_.active()) keyspace_->CronResize(1000);
}

void Server::ActiveExpireCycle(bool fast) {
  // Why not on a replica: its master sends the DELs (Redis's databasesCron
  // runs the cycle only when iAmMaster()); a writable replica expires just
  // the keys its own clients gave a TTL (expireSlaveKeys), in the slow
  // cycle only.
  if (keyspace_->options().replica) {
    if (!fast) {
      keyspace_->ExpireReplicaKeys();
      propagator_.Flush(false);
    }
    return;
  }
  int64_t elapsed = keyspace_->ActiveExpireCycle(fast, hz);
  if (elapsed > 0) LatencyAdd("expire-cycle", static_cast<uint64_t>(elapsed / 1000));
  // Why: the cycle's DELs are propagated one by one, never wrapped in
  // MULTI/EXEC (Redis sets propagate_no_multi for it).
  propagator_.Flush(false);
}

void Server::LatencyAdd(const char* event, uint64_t ms) {
  long long threshold = cfg().latency_monitor_threshold;
  if (threshold <= 0 || ms < static_cast<uint64_t>(threshold)) return;
  LatencyEvent& ev = latency_events[event];
  int32_t now = static_cast<int32_t>(unixtime());
  int prev = (ev.idx + LatencyEvent::kHistory - 1) % LatencyEvent::kHistory;
  if (ev.samples[prev].time == now) {
    if (ms > ev.samples[prev].latency_ms) ev.samples[prev].latency_ms = static_cast<uint32_t>(ms);
    if (ms > ev.max) ev.max = static_cast<uint32_t>(ms);
    return;
  }
  ev.samples[ev.idx].time = now;
  ev.samples[ev.idx].latency_ms = static_cast<uint32_t>(ms);
  if (ms > ev.max) ev.max = static_cast<uint32_t>(ms);
  ev.idx = (ev.idx + 1) % LatencyEvent::kHistory;
}

void Server::SlowlogPush(Client& c, int64_t duration_us) {
  SlowlogEntry e;
  e.id = slowlog_next_id++;
  e.time = unixtime();
  e.duration_us = duration_us;
  // Why: Redis keeps at most 32 arguments (the last one says how many more)
  // and truncates each to 128 bytes with "... (N more bytes)".
  size_t argc = c.argv.size();
  size_t keep = argc > 32 ? 32 : argc;
  for (size_t i = 0; i < keep; i++) {
    if (argc > 32 && i == 31) {
      e.argv.push_back("... (" + std::to_string(argc - 31) + " more arguments)");
      break;
    }
    std::string_view a = c.argv[i];
    if (a.size() > 128) {
      e.argv.push_back(std::string(a.substr(0, 128)) + "... (" + std::to_string(a.size() - 128) +
                       " more bytes)");
    } else {
      e.argv.emplace_back(a);
    }
  }
  e.peer = c.addr;
  e.cname = c.name;
  slowlog.push_front(std::move(e));
  while (slowlog.size() > cfg().slowlog_max_len) slowlog.pop_back();
}

void Server::ResetStats() {
  keyspace_->stats() = engine::KeyspaceStats{};
  if (repl_) repl_->ResetStats();
  engine::lazyfree::ResetStats();
  evictor_->ResetStats();
  Stats fresh;
  fresh.peak_memory = base::UsedMemory();
  fresh.peak_memory_time = now_ms();
  stats = fresh;
  errorstats.clear();
  commands_.ResetStats();
  stat_reset_time = now_ms();
}

void Server::CountError(std::string_view msg) {
  stats.total_error_replies++;
  // Why: errorstats keys by the first word of the error ("ERR", "WRONGTYPE").
  size_t sp = msg.find(' ');
  std::string code(msg.substr(0, sp == std::string_view::npos ? msg.size() : sp));
  // Redis caps the number of distinct error codes tracked at 128.
  if (errorstats.size() >= 128 && errorstats.find(code) == errorstats.end()) return;
  errorstats[code]++;
}

bool Server::AbortSignalShutdown() {
  if (!signal_shutdown_) return false;
  signal_shutdown_ = 0;
  g_shutdown_scheduled = 0;
  return true;
}

bool Server::PrepareShutdown(bool nosave, bool save, bool now, bool force, std::string* err, Client* requester) {
  // Why: a sentinel has no dataset; Redis forces NOSAVE in sentinel mode.
  if (sentinel_mode) {
    nosave = true;
    save = false;
  }
  // Redis's prepareForShutdown: a SHUTDOWN while one waits for replicas
  // waits with it.
  if (shutdown_mstime_) {
    if (requester) shutdown_waiters_.push_back(requester);
    *err = "";
    return false;
  }
  // Why: a half-loaded dataset must never overwrite the RDB (Redis forces
  // NOSAVE while loading).
  if (snapshots_->loading()) {
    save = false;
    nosave = true;
  }
  Log(LogLevel::kWarning, "User requested shutdown...");
  // Replicas catch up first (shutdown-timeout seconds at most): writes
  // are paused, the replicas are asked for their offsets, and the cron
  // finishes the shutdown when they are in sync or time is up.
  if (!now && cfg().shutdown_timeout != 0 && repl_ && !repl_->ReadyToShutdown()) {
    shutdown_mstime_ = now_ms() + static_cast<int64_t>(cfg().shutdown_timeout) * 1000;
    shutdown_nosave_ = nosave;
    shutdown_save_ = save;
    shutdown_force_ = force;
    if (!paused()) repl_->SendGetackNow();
    PauseFor(*this, kPauseDuringShutdown, INT64_MAX, true);
    Log(LogLevel::kNotice, "Waiting for replicas before shutting down.");
    if (requester) shutdown_waiters_.push_back(requester);
    *err = "";
    return false;
  }
  return FinishShutdownSteps(nosave, save, force, err);
}

bool Server::FinishShutdownSteps(bool nosave, bool save, bool force, std::string* err) {
  // Redis's finishShutdown.
  if (repl_) repl_->LogShutdownReplicas();
  if (snapshots_->child_running()) {
    Log(LogLevel::kWarning, "There is a child saving an .rdb. Killing it!");
    snapshots_->KillChild();
  }
  // The AOF: a rewrite is killed (the AOF has everything anyway), unless
  // it is the first one after CONFIG SET appendonly yes; then the buffer
  // is written and synced.
  if (!aof_->PrepareShutdown(force)) {
    *err = "ERR Errors trying to SHUTDOWN. Check logs.";
    return false;
  }
  // Redis saves an RDB when asked to (SAVE) or when save points are set
  // (unless NOSAVE); a failed save stops the shutdown unless FORCE.
  if (save || (!nosave && !cfg().save_params.empty())) {
    Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
    if (!snapshots_->SaveForeground()) {
      if (force) {
        Log(LogLevel::kWarning, "Error trying to save the DB. Exit anyway.");
      } else {
        Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
        *err = "ERR Errors trying to SHUTDOWN. Check logs.";
        return false;
      }
    }
  }
  shutdown_asap = true;
  return true;
}

void Server::CancelShutdown() {
  shutdown_mstime_ = 0;
  shutdown_asap = false;
  UnpauseFor(*this, kPauseDuringShutdown);
  // Redis's replyToClientsBlockedOnShutdown.
  static constexpr std::string_view kErr = "ERR Errors trying to SHUTDOWN. Check logs.";
  for (Client* c : shutdown_waiters_) {
    c->reply.Error(kErr);
    CountError(kErr);
    AddPendingWrite(c);
  }
  shutdown_waiters_.clear();
}

void Server::ShutdownCron() {
  if (!shutdown_mstime_) return;
  if (now_ms() < shutdown_mstime_ && repl_ && !repl_->ReadyToShutdown()) return;
  std::string err;
  if (FinishShutdownSteps(shutdown_nosave_, shutdown_save_, shutdown_force_, &err)) return;
  // The shutdown failed: the server keeps running.
  CancelShutdown();
}

bool Server::AbortShutdown() {
  if (shutdown_mstime_) {
    CancelShutdown();
    return true;
  }
  return AbortSignalShutdown();
}

bool Server::FinishShutdown() {
  // Flush replies that are already queued (e.g. to clients that asked).
  for (Client* c = clients_head_; c; c = c->next) c->Flush();
  if (!cfg().pidfile.empty()) {
    Log(LogLevel::kNotice, "Removing the pid file.");
    unlink(cfg().pidfile.c_str());
  }
  for (auto& l : listeners_) {
    if (l->unix_socket()) {
      Log(LogLevel::kNotice, "Removing the unix socket file.");
      unlink(l->path().c_str());
    }
  }
  listeners_.clear();
  Log(LogLevel::kWarning, "Redis is now ready to exit, bye bye...");
  return true;
}

}  // namespace vireo::server
