// Sentinel instances and events: creating, finding, resetting and removing
// monitored masters, replicas and sentinels; addresses; sentinelEvent (log
// line, pub/sub message on the sentinel itself, notification script); the
// process-wide sentinel object.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

#include "base/ascii.h"
#include "base/glob.h"
#include "base/hash.h"
#include "sentinel/sentinel.h"
#include "server/log.h"

namespace vireo::sentinel {

using server::Log;
using server::LogLevel;

namespace {
Sentinel* g_sentinel = nullptr;
}  // namespace

Sentinel* Get() { return g_sentinel; }

std::unique_ptr<Sentinel> Create(server::Server* srv) {
  auto s = std::make_unique<Sentinel>(srv);
  g_sentinel = s.get();
  return s;
}

bool IsSentinelInvocation(int argc, char** argv) {
  const char* exec_name = strrchr(argv[0], '/');
  exec_name = exec_name ? exec_name + 1 : argv[0];
  // Why vireo-sentinel too: our binary's own sentinel name, as
  // redis-sentinel is Redis's.
  if (strstr(exec_name, "redis-sentinel") || strstr(exec_name, "vireo-sentinel")) return true;
  for (int j = 1; j < argc; j++) {
    if (strcmp(argv[j], "--sentinel") == 0) return true;
  }
  return false;
}

const char* FailoverStateName(FailoverState s) {
  switch (s) {
    case FailoverState::kNone: return "none";
    case FailoverState::kWaitStart: return "wait_start";
    case FailoverState::kSelectSlave: return "select_slave";
    case FailoverState::kSendSlaveofNoOne: return "send_slaveof_noone";
    case FailoverState::kWaitPromotion: return "wait_promotion";
    case FailoverState::kReconfSlaves: return "reconf_slaves";
    case FailoverState::kUpdateConfig: return "update_config";
  }
  return "unknown";
}

const char* Instance::TypeName() const {
  if (flags & kMaster) return "master";
  if (flags & kSlave) return "slave";
  if (flags & kSentinel) return "sentinel";
  return "unknown";
}

Sentinel::Sentinel(server::Server* srv) : srv_(srv) {
  // Why seeded: the failover start delays and timer periods are random so
  // that sentinels started together do not act in lockstep.
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  srand(static_cast<unsigned>(tv.tv_sec ^ getpid() ^ tv.tv_usec));
  previous_time_ = Now();
}

Sentinel::~Sentinel() {
  if (timer_) srv_->loop().CancelTimer(timer_);
  if (g_sentinel == this) g_sentinel = nullptr;
}

// Why wall-clock milliseconds (mstime): TILT exists to notice the system
// clock jumping, which a monotonic clock would hide.
int64_t Sentinel::Now() const {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

bool Sentinel::ResolveHost(const std::string& host, std::string* ip) const {
  struct addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // Why: without resolve-hostnames Redis accepts IP addresses only.
  if (!resolve_hostnames) hints.ai_flags = AI_NUMERICHOST;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
  char buf[INET6_ADDRSTRLEN];
  bool ok = false;
  if (res->ai_family == AF_INET) {
    ok = inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof(buf));
  } else if (res->ai_family == AF_INET6) {
    ok = inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr, buf, sizeof(buf));
  }
  freeaddrinfo(res);
  if (ok) *ip = buf;
  return ok;
}

const std::string& Sentinel::AnnounceAddr(const Addr& a) const { return announce_hostnames ? a.hostname : a.ip; }

std::string Sentinel::AnnounceAddrAndPort(const Addr& a) const {
  const std::string& h = AnnounceAddr(a);
  if (h.find(':') != std::string::npos) return "[" + h + "]:" + std::to_string(a.port);
  return h + ":" + std::to_string(a.port);
}

const Addr& Sentinel::CurrentMasterAddress(const Instance* master) const {
  if ((master->flags & kFailoverInProgress) && master->promoted_slave &&
      master->failover_state >= FailoverState::kReconfSlaves) {
    return master->promoted_slave->addr;
  }
  return master->addr;
}

Instance* Sentinel::GetMaster(std::string_view name) {
  auto it = masters_.find(std::string(name));
  return it == masters_.end() ? nullptr : it->second.get();
}

Instance* Sentinel::CreateInstance(const std::string& name, uint32_t flags, const std::string& host, int port,
                                   unsigned quorum, Instance* master, const char** err) {
  if (port < 0 || port > 65535) {
    *err = "Invalid port number.";
    return nullptr;
  }
  Addr addr{host, "", port};
  if (!ResolveHost(host, &addr.ip)) {
    Log(LogLevel::kWarning, "Failed to resolve hostname '%s'", host.c_str());
    // Why: with resolve-hostnames an unresolvable name is kept (DNS may
    // come back); otherwise it is an error.
    if (!resolve_hostnames) {
      *err = "Can't resolve instance hostname.";
      return nullptr;
    }
  }
  std::string key = (flags & kSlave) ? AnnounceAddrAndPort(addr) : name;
  auto& table = (flags & kMaster) ? masters_ : (flags & kSlave) ? master->slaves : master->sentinels;
  if (table.count(key)) {
    *err = (flags & kMaster)  ? "Duplicate master name."
           : (flags & kSlave) ? "Duplicate hostname and port for replica."
                              : "Duplicate runid for sentinel.";
    return nullptr;
  }
  auto ri = std::make_unique<Instance>();
  int64_t now = Now();
  ri->flags = flags;
  ri->name = key;
  ri->addr = std::move(addr);
  ri->link = std::make_shared<Link>();
  ri->link->act_ping_time = now;
  ri->link->last_avail_time = now;
  ri->link->last_pong_time = now;
  ri->last_pub_time = now;
  ri->last_hello_time = now;
  ri->last_master_down_reply_time = now;
  ri->down_after_period = master ? master->down_after_period : periods.default_down_after;
  ri->quorum = quorum;
  ri->master = master;
  ri->failover_timeout = periods.default_failover_timeout;
  ri->role_reported = flags & (kMaster | kSlave);
  ri->role_reported_time = now;
  ri->slave_conf_change_time = now;
  Instance* raw = ri.get();
  table.emplace(key, std::move(ri));
  return raw;
}

void Sentinel::RemoveMaster(const std::string& name) { masters_.erase(name); }

Instance* Sentinel::FindByAddrAndRunId(std::map<std::string, std::unique_ptr<Instance>>& table, const std::string* ip,
                                       int port, const std::string* runid) {
  Addr want;
  if (ip) {
    want.hostname = *ip;
    want.port = port;
    if (!ResolveHost(*ip, &want.ip) && !resolve_hostnames) return nullptr;
  }
  for (auto& [k, ri] : table) {
    if (runid && ri->runid.empty()) continue;
    if (runid && ri->runid != *runid) continue;
    if (ip && !(ri->addr.port == want.port &&
                (ri->addr.ip == want.ip || base::EqNoCase(ri->addr.hostname, want.hostname)))) {
      continue;
    }
    return ri.get();
  }
  return nullptr;
}

void Sentinel::Event(LogLevel level, const char* type, Instance* ri, bool with_instance, const std::string& rest) {
  std::string msg;
  if (with_instance && ri) {
    Instance* master = ri->is_master() ? nullptr : ri->master;
    msg = std::string(ri->TypeName()) + " " + ri->name + " " + AnnounceAddr(ri->addr) + " " +
          std::to_string(ri->addr.port);
    if (master) {
      msg += " @ " + master->name + " " + AnnounceAddr(master->addr) + " " + std::to_string(master->addr.port);
    }
  }
  msg += rest;
  if (server::LogEnabled(level)) Log(level, "%s %s", type, msg.c_str());
  // Why not debug events: Redis publishes everything but LL_DEBUG.
  if (level != LogLevel::kDebug) srv_->pubsub().Publish(type, msg, false);
  if (level == LogLevel::kWarning && ri) {
    Instance* master = ri->is_master() ? ri : ri->master;
    if (master && !master->notification_script.empty()) {
      ScheduleScript(master->notification_script, {type, msg});
    }
  }
}

void Sentinel::PropagateDownAfterPeriod(Instance* master) {
  for (auto* table : {&master->slaves, &master->sentinels}) {
    for (auto& [k, ri] : *table) ri->down_after_period = master->down_after_period;
  }
}

void Sentinel::ResetMaster(Instance* ri, bool keep_sentinels, bool generate_event) {
  ri->promoted_slave = nullptr;
  ri->slaves.clear();
  if (!keep_sentinels) ri->sentinels.clear();
  CloseLinkConnection(ri->link.get(), false);
  CloseLinkConnection(ri->link.get(), true);
  ri->flags &= kMaster;
  ri->leader.clear();
  ri->failover_state = FailoverState::kNone;
  ri->coordinated = false;
  ri->failover_state_change_time = 0;
  ri->failover_start_time = 0;  // a new failover may start at once
  ri->runid.clear();
  ri->slave_master_host.clear();
  ri->has_slave_master_host = false;
  int64_t now = Now();
  ri->link->act_ping_time = now;
  ri->link->last_ping_time = 0;
  ri->link->last_avail_time = now;
  ri->link->last_pong_time = now;
  ri->role_reported_time = now;
  ri->role_reported = kMaster;
  if (generate_event) Event(LogLevel::kWarning, "+reset-master", ri, true, "");
}

int Sentinel::ResetMastersByPattern(std::string_view pattern, bool generate_event) {
  int reset = 0;
  for (auto& [name, ri] : masters_) {
    if (base::GlobMatch(pattern, name, false)) {
      ResetMaster(ri.get(), false, generate_event);
      reset++;
    }
  }
  return reset;
}

bool Sentinel::ResetMasterAndChangeAddress(Instance* master, const std::string& host, int port) {
  Addr newaddr{host, "", port};
  if (port < 0 || port > 65535) return false;
  if (!ResolveHost(host, &newaddr.ip)) return false;
  auto same = [](const Addr& a, const Addr& b) {
    return a.port == b.port && (a.ip == b.ip || base::EqNoCase(a.hostname, b.hostname));
  };
  // Every known replica but the new master, plus the old master, become
  // the replicas of the new address.
  std::vector<Addr> slaves;
  for (auto& [k, s] : master->slaves) {
    if (!same(s->addr, newaddr)) slaves.push_back(s->addr);
  }
  if (!same(newaddr, master->addr)) slaves.push_back(master->addr);
  ResetMaster(master, true, false);
  master->addr = newaddr;
  master->o_down_since_time = 0;
  master->s_down_since_time = 0;
  for (const Addr& a : slaves) {
    const char* err = nullptr;
    if (Instance* s = CreateInstance("", kSlave, a.hostname, a.port, master->quorum, master, &err)) {
      Event(LogLevel::kNotice, "+slave", s, true, "");
    }
  }
  FlushConfig();
  return true;
}

void Sentinel::DropInstanceConnections(Instance* master) {
  // New credentials for a master and its replicas: reconnect with them.
  CloseLinkConnection(master->link.get(), false);
  CloseLinkConnection(master->link.get(), true);
  for (auto& [k, s] : master->slaves) {
    CloseLinkConnection(s->link.get(), false);
    CloseLinkConnection(s->link.get(), true);
  }
}

int Sentinel::DropSentinelConnections() {
  int dropped = 0;
  for (auto& [name, m] : masters_) {
    for (auto& [k, si] : m->sentinels) {
      if (si->link->disconnected) continue;
      CloseLinkConnection(si->link.get(), true);
      CloseLinkConnection(si->link.get(), false);
      dropped++;
    }
  }
  return dropped;
}

int Sentinel::IsQuorumReachable(Instance* master, int* usable_out) {
  int usable = 1;  // myself
  int voters = static_cast<int>(master->sentinels.size()) + 1;
  for (auto& [k, ri] : master->sentinels) {
    if (ri->flags & (kSDown | kODown)) continue;
    usable++;
  }
  int result = 0;
  if (usable < static_cast<int>(master->quorum)) result |= 1;
  if (usable < voters / 2 + 1) result |= 2;
  if (usable_out) *usable_out = usable;
  return result;
}

}  // namespace vireo::sentinel
