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
#include "server/keyspace.h"
#include "server/log.h"

namespace vireo::server {

Server* g_server = nullptr;

struct Server::Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}
  asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor;
  bool unix_socket = false;
  std::string laddr;
  std::string path;
};

namespace {
volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }
}  // namespace

Server::Server() : io_(1), cron_timer_(io_) {
  g_server = this;
  UpdateTime();
  start_time_ms = now_ms();
  stat_reset_time = now_ms();
  base::RandomHex(run_id, 40);
  run_id[40] = '\0';
  base::SeedRandom(static_cast<uint64_t>(base::UnixTimeUs()) ^ static_cast<uint64_t>(getpid()));
  base::g_hash_seed = base::Random64();
  // Why: like Redis (populateCommandTable before loading the config), the
  // table exists before the config so rename-command can be checked at load.
  RegisterAllCommands(commands_);
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

void Server::UpdateTime() { now_us_ = base::UnixTimeUs(); }

uint32_t Server::lru_clock() const {
  // Why: Redis's LRU_CLOCK has 1s resolution over 24 bits.
  return static_cast<uint32_t>(now_ms() / 1000) & ((1u << 24) - 1);
}

bool Server::Init(std::string* err) {
  const Config& c = cfg();
  for (int i = 0; i < c.databases; i++) dbs_.push_back(std::make_unique<engine::Db>(i));
  watched_keys.resize(static_cast<size_t>(c.databases));
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
  for (Client* c = clients_head_; c; c = c->next)
    if (c->id == id && !c->closed()) return c;
  return nullptr;
}

void Server::LinkClient(Client* c) {
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
  UnwatchAllKeys(*c);
  c->mstate.clear();
  if (c->flags & kClientMonitor) {
    monitors.erase(std::remove(monitors.begin(), monitors.end(), c), monitors.end());
  }
  pending_writes_.erase(std::remove(pending_writes_.begin(), pending_writes_.end(), c),
                        pending_writes_.end());
  paused_clients.erase(std::remove(paused_clients.begin(), paused_clients.end(), c),
                       paused_clients.end());
  // Unlink from the list now so CLIENT LIST no longer shows it.
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

void Server::UnpauseClients() {
  pause_end_ms = 0;
  auto v = std::move(paused_clients);
  paused_clients.clear();
  for (Client* c : v) c->ResumeProcessing();
}

// ---------------------------------------------------------------------------
// Listeners

bool Server::OpenTcpListeners(int port, const std::vector<std::string>& bind,
                              std::vector<std::unique_ptr<Listener>>* out,
                              std::vector<std::string>* addrs, std::string* err) {
  const Config& c = cfg();
  if (port != 0) {
    for (std::string addr : bind) {
      // Why: Redis 7 lets an address start with '-' to mean "skip it when
      // the address is not available" (EADDRNOTAVAIL / unsupported family).
      bool optional = !addr.empty() && addr[0] == '-';
      if (optional) addr = addr.substr(1);
      asio::error_code ec;
      asio::ip::address ip;
      if (addr == "*")
        ip = asio::ip::address_v4::any();
      else if (addr == "::*")
        ip = asio::ip::address_v6::any();
      else
        ip = asio::ip::make_address(addr, ec);
      if (ec) {
        if (optional) continue;
        *err = "Failed listening on port " + std::to_string(port) + " (TCP), aborting.";
        Log(LogLevel::kWarning, "Warning: Could not create server TCP listening socket %s:%d: %s",
            addr.c_str(), port, ec.message().c_str());
        return false;
      }
      asio::ip::tcp::endpoint ep(ip, static_cast<unsigned short>(port));
      auto l = std::make_unique<Listener>(io_);
      asio::generic::stream_protocol::endpoint gep(ep.data(), ep.size());
      l->acceptor.open(gep.protocol(), ec);
      if (!ec && ip.is_v6()) {
        int one = 1;
        setsockopt(l->acceptor.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
      }
      if (!ec) {
        int one = 1;
        setsockopt(l->acceptor.native_handle(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        l->acceptor.bind(gep, ec);
      }
      if (!ec) l->acceptor.listen(c.tcp_backlog, ec);
      if (ec) {
        if (optional && (ec == std::errc::address_not_available ||
                         ec == std::errc::address_family_not_supported ||
                         ec.value() == EADDRNOTAVAIL || ec.value() == EAFNOSUPPORT ||
                         ec.value() == EPROTONOSUPPORT)) {
          continue;
        }
        Log(LogLevel::kWarning, "Warning: Could not create server TCP listening socket %s:%d: bind: %s",
            addr.c_str(), port, ec.message().c_str());
        *err = "Failed listening on port " + std::to_string(port) + " (TCP), aborting.";
        return false;
      }
      l->acceptor.non_blocking(true, ec);
      l->laddr = (ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string()) + ":" + std::to_string(port);
      addrs->push_back(addr + ":" + std::to_string(port));
      out->push_back(std::move(l));
    }
  }
  return true;
}

bool Server::Listen(std::string* err) {
  const Config& c = cfg();
  tcp_port = c.port;
  tcp_bind_ = c.bind;
  if (!OpenTcpListeners(c.port, c.bind, &listeners_, &listen_addrs, err)) return false;
  if (!c.unixsocket.empty()) {
    unlink(c.unixsocket.c_str());
    auto l = std::make_unique<Listener>(io_);
    asio::local::stream_protocol::endpoint uep(c.unixsocket);
    asio::generic::stream_protocol::endpoint gep(uep.data(), uep.size());
    asio::error_code ec;
    l->acceptor.open(gep.protocol(), ec);
    if (!ec) l->acceptor.bind(gep, ec);
    if (!ec) l->acceptor.listen(c.tcp_backlog, ec);
    if (ec) {
      *err = "Failed opening Unix socket: " + ec.message();
      return false;
    }
    if (c.unixsocketperm) chmod(c.unixsocket.c_str(), static_cast<mode_t>(c.unixsocketperm));
    l->unix_socket = true;
    l->path = c.unixsocket;
    l->laddr = c.unixsocket + ":0";
    listeners_.push_back(std::move(l));
  }
  if (listeners_.empty()) {
    *err = "Configured to not listen anywhere, exiting.";
    return false;
  }
  for (auto& l : listeners_) StartAccept(l.get());
  return true;
}

void Server::StartAccept(Listener* l) {
  l->acceptor.async_accept([this, l](const asio::error_code& ec, Client::Socket sock) {
    // The listener may be gone (CONFIG SET port/bind): touch nothing then.
    if (ec == asio::error::operation_aborted) return;
    if (!ec) AcceptClient(std::move(sock), l->unix_socket, l->laddr);
    StartAccept(l);
  });
}

bool Server::ReListenTcp(std::string* err) {
  const int port = cfg().port;
  const std::vector<std::string> bind = cfg().bind;
  if (port == tcp_port && bind == tcp_bind_) return true;  // nothing changed
  std::vector<std::unique_ptr<Listener>> fresh, keep, old;
  std::vector<std::string> addrs;
  std::string why;
  for (auto& l : listeners_) (l->unix_socket ? keep : old).push_back(std::move(l));
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

static std::string PeerAddr(int fd, bool unix_socket, const std::string& path) {
  if (unix_socket) return path + ":0";
  sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "?:0";
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    auto* s = reinterpret_cast<sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    port = ntohs(s->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&sa);
  inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
  port = ntohs(s->sin6_port);
  // Why: Redis's formatAddr brackets IPv6 addresses: "[::1]:6379".
  return "[" + std::string(ip) + "]:" + std::to_string(port);
}

static std::string LocalAddr(int fd, bool unix_socket, const std::string& laddr) {
  if (unix_socket) return laddr;
  sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return laddr;
  char ip[INET6_ADDRSTRLEN] = "?";
  if (sa.ss_family == AF_INET) {
    auto* s = reinterpret_cast<sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(s->sin_port));
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&sa);
  inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
  return "[" + std::string(ip) + "]:" + std::to_string(ntohs(s->sin6_port));
}

static bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr.rfind("[::1]:", 0) == 0;
}

void Server::AcceptClient(Client::Socket sock, bool unix_socket, const std::string& laddr) {
  UpdateTime();
  int fd = sock.native_handle();
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
  std::string peer = PeerAddr(fd, unix_socket, laddr.substr(0, laddr.size() - 2));
  // Why: Redis accepts the connection, writes this error and closes when
  // maxclients is reached (acceptCommonHandler).
  if (num_clients_ >= static_cast<size_t>(c.maxclients)) {
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    ssize_t w = ::write(fd, kMsg, sizeof(kMsg) - 1);
    (void)w;
    stats.rejected_conn++;
    asio::error_code ec;
    sock.close(ec);
    return;
  }
  // Why: Redis 7.0 protected mode refuses non-loopback clients when the
  // default user has no password.
  if (c.protected_mode && c.requirepass.empty() && !unix_socket && !IsLoopback(peer)) {
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
    asio::error_code ec;
    sock.close(ec);
    return;
  }
  if (unix_socket)
    Log(LogLevel::kVerbose, "Accepted connection to %s", cfg().unixsocket.c_str());
  else
    Log(LogLevel::kVerbose, "Accepted %s", peer.c_str());
  auto* cl = new Client(this, std::move(sock), unix_socket);
  cl->id = next_client_id++;
  cl->addr = peer;
  cl->laddr = LocalAddr(fd, unix_socket, laddr);
  cl->ctime_ms = now_ms();
  cl->db = db(0);
  cl->authenticated = c.requirepass.empty();
  LinkClient(cl);
  stats.numconnections++;
  cl->Start();
}

// ---------------------------------------------------------------------------
// Loop

int Server::Run() {
  std::string err;
  if (!Listen(&err)) {
    Log(LogLevel::kWarning, "%s", err.c_str());
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
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
    asio::error_code ec;
    io_.run_one();
    UpdateTime();
    while (io_.poll_one()) {
    }
    if (g_signal) {
      int sig = g_signal;
      g_signal = 0;
      Log(LogLevel::kWarning, "Received %s scheduling shutdown...",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
      shutdown_asap = true;
    }
  }
  return 0;
}

void Server::BeforeSleep() {
  UpdateTime();
  if (active_expire_enabled && !paused()) ActiveExpireCycle(true);
  if (!pending_writes_.empty()) {
    auto v = std::move(pending_writes_);
    pending_writes_.clear();
    for (Client* c : v) {
      if (c->closed()) continue;
      c->Flush();
    }
  }
  FreePendingClients();
}

void Server::ArmCron() {
  if (hz <= 0) hz = cfg().hz > 0 ? cfg().hz : 10;
  cron_timer_.expires_after(std::chrono::microseconds(1000000 / hz));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec) return;
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
  if (period <= 100 ? (cron_loops % (100 / period) == 0) : true) {
    RecordMetric(stats.ops, stats.numcommands);
    RecordMetric(stats.net_in, stats.net_input_bytes);
    RecordMetric(stats.net_out, stats.net_output_bytes);
  }
  size_t used = base::UsedMemory();
  if (used > stats.peak_memory) {
    stats.peak_memory = used;
    stats.peak_memory_time = now_ms();
  }
  if (pause_end_ms && pause_end_ms <= now_ms()) UnpauseClients();
  ClientsCron();
  DatabasesCron();
  for (auto& h : cron_hooks_) h();
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
    if (timeout > 0 && !(c->flags & (kClientMonitor | kClientPubsub)) &&
        now - c->last_interaction_ms > static_cast<int64_t>(timeout) * 1000) {
      Log(LogLevel::kVerbose, "Closing idle client");
      c->Close();
      continue;
    }
    c->EnforceOutputLimits();
    if (c->closed()) continue;
    if (now - c->last_interaction_ms > 2000) c->ReleaseIdleBuffers();
  }
}

void Server::DatabasesCron() {
  if (active_expire_enabled && !paused()) ActiveExpireCycle(false);
  // Resize and incrementally rehash (Redis's tryResizeHashTables +
  // incrementallyRehash, 1 ms per call).
  int dbs = num_dbs();
  int per_call = dbs < 16 ? dbs : 16;
  for (int j = 0; j < per_call; j++) {
    engine::Db* d = db(resize_db_cursor_ % dbs);
    resize_db_cursor_++;
    d->keys().ShrinkIfNeeded();
    d->expires().ShrinkIfNeeded();
  }
  int64_t start = base::MonotonicUs();
  for (int j = 0; j < dbs; j++) {
    engine::Db* d = db(j);
    while (d->keys().rehashing() || d->expires().rehashing()) {
      d->keys().Rehash(100);
      d->expires().Rehash(100);
      if (base::MonotonicUs() - start > 1000) return;
    }
  }
}

void Server::ActiveExpireCycle(bool fast) {
  // Redis 7.0's activeExpireCycle, with the same effort knobs.
  int effort = cfg().active_expire_effort - 1;
  const long keys_per_loop = 20 + 20 / 4 * effort;
  const long fast_duration = 1000 + 1000 / 4 * effort;
  const long slow_time_perc = 25 + 2 * effort;
  const long acceptable_stale = 10 - effort;
  static unsigned current_db = 0;
  int64_t start = base::MonotonicUs();
  if (fast) {
    if (!expire_timelimit_exit && stats.expired_stale_perc < acceptable_stale) return;
    if (start < expire_last_fast_cycle_us + fast_duration * 2) return;
    expire_last_fast_cycle_us = start;
  }
  int dbs_per_call = 16;
  if (dbs_per_call > num_dbs() || expire_timelimit_exit) dbs_per_call = num_dbs();
  long long timelimit = slow_time_perc * 1000000 / hz / 100;
  expire_timelimit_exit = false;
  if (timelimit <= 0) timelimit = 1;
  if (fast) timelimit = fast_duration;
  long total_sampled = 0, total_expired = 0;
  int iteration = 0;
  for (int j = 0; j < dbs_per_call && !expire_timelimit_exit; j++) {
    engine::Db* d = db(static_cast<int>(current_db % static_cast<unsigned>(num_dbs())));
    current_db++;
    long sampled, expired;
    do {
      iteration++;
      size_t num = d->expires_size();
      if (num == 0) {
        d->avg_ttl = 0;
        break;
      }
      size_t slots = d->expires().slots();
      int64_t now = now_ms();
      if (slots > 4 && num * 100 / slots < 1) break;
      expired = 0;
      sampled = 0;
      long long ttl_sum = 0, ttl_samples = 0;
      if (num > static_cast<size_t>(keys_per_loop)) num = static_cast<size_t>(keys_per_loop);
      long max_buckets = static_cast<long>(num) * 20, checked = 0;
      while (sampled < static_cast<long>(num) && checked < max_buckets) {
        checked += d->expires().VisitBucket(d->expires_cursor, [&](engine::ExpireNode* n) {
          int64_t ttl = n->when - now;
          if (engine::Db::IsExpiredAt(n->when, now)) {
            DeleteExpiredKey(d, n->entry->key());
            expired++;
          }
          if (ttl > 0) {
            ttl_sum += ttl;
            ttl_samples++;
          }
          sampled++;
        });
        d->expires_cursor++;
      }
      total_expired += expired;
      total_sampled += sampled;
      if (ttl_samples) {
        long long avg = ttl_sum / ttl_samples;
        if (d->avg_ttl == 0) d->avg_ttl = avg;
        d->avg_ttl = (d->avg_ttl / 50) * 49 + (avg / 50);
      }
      if ((iteration & 0xf) == 0) {
        if (base::MonotonicUs() - start > timelimit) {
          expire_timelimit_exit = true;
          stats.expired_time_cap_reached_count++;
          break;
        }
      }
    } while (sampled == 0 || (expired * 100 / sampled) > acceptable_stale);
  }
  int64_t elapsed = base::MonotonicUs() - start;
  stats.expire_cycle_time_used += static_cast<uint64_t>(elapsed);
  LatencyAdd("expire-cycle", static_cast<uint64_t>(elapsed / 1000));
  double perc = total_sampled ? static_cast<double>(total_expired) / total_sampled : 0;
  stats.expired_stale_perc = perc * 0.05 + stats.expired_stale_perc * 0.95;
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
  Stats fresh;
  fresh.peak_memory = base::UsedMemory();
  fresh.peak_memory_time = now_ms();
  stats = fresh;
  errorstats.clear();
  commands_.ResetStats();
  stat_reset_time = now_ms();
}

void Server::Propagate(int dbid, const std::vector<std::string_view>& argv) {
  for (PropagationSink* s : sinks_) s->Feed(dbid, argv);
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

bool Server::PrepareShutdown(bool nosave, bool save, bool now, bool force, std::string* err) {
  // Redis's prepareForShutdown: with no replicas to wait for, NOW changes
  // nothing and the shutdown is immediate.
  (void)now;
  // Redis saves an RDB when asked to (SAVE) or when save points are set
  // (unless NOSAVE). Vireo has no RDB persistence yet: an explicit SAVE is
  // refused like a failed save (FORCE exits anyway, as Redis does); with
  // only save points configured it exits, saying so in the log.
  bool want_save = save || (!nosave && !cfg().save_params.empty());
  if (want_save) {
    if (save && !force) {
      Log(LogLevel::kWarning,
          "Error trying to save the DB, can't exit: RDB persistence is not supported by Vireo "
          "yet.");
      *err =
          "ERR SHUTDOWN SAVE is not supported by Vireo yet (no RDB persistence); use SHUTDOWN "
          "NOSAVE, or add FORCE to exit without saving";
      return false;
    }
    Log(LogLevel::kWarning,
        "Not saving the final RDB snapshot: RDB persistence is not supported by Vireo yet.");
  }
  shutdown_asap = true;
  return true;
}

bool Server::FinishShutdown() {
  Log(LogLevel::kWarning, "User requested shutdown...");
  // Flush replies that are already queued (e.g. to clients that asked).
  for (Client* c = clients_head_; c; c = c->next) c->Flush();
  if (!cfg().pidfile.empty()) {
    Log(LogLevel::kNotice, "Removing the pid file.");
    unlink(cfg().pidfile.c_str());
  }
  for (auto& l : listeners_) {
    if (l->unix_socket) {
      Log(LogLevel::kNotice, "Removing the unix socket file.");
      unlink(l->path.c_str());
    }
    asio::error_code ec;
    l->acceptor.close(ec);
  }
  Log(LogLevel::kWarning, "Redis is now ready to exit, bye bye...");
  return true;
}

}  // namespace vireo::server
