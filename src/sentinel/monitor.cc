// Sentinel monitoring: the links to every instance, the periodic PING /
// INFO / hello, what INFO tells (role, replicas, offsets, priority, the
// replica's view of its master), hello messages (other sentinels, epochs,
// a newer configuration of the master), and replica reconfiguration
// (Redis 7.0.15's sentinel.c, "Redis instances monitoring" part).
//
// Links are net::RedisLink connections on the server's loop. A link's
// connections are never freed inside their own callbacks: a closed
// connection is handed to the loop to be deleted after the current event.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "base/ascii.h"
#include "base/split_args.h"
#include "sentinel/sentinel.h"
#include "server/log.h"

namespace vireo::sentinel {

using protocol::RespValue;
using server::Log;
using server::LogLevel;

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

// Why atoi semantics: Redis reads INFO fields with atoi / strtoull.
long long Atoll(std::string_view s) { return atoll(std::string(s).c_str()); }

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t p = s.find("\r\n", start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 2;
  }
  return out;
}

}  // namespace

std::string Sentinel::MapCommand(const Instance* ri, const char* command) const {
  if (ri->master) ri = ri->master;
  auto it = ri->renamed_commands.find(base::AsciiLowerCopy(command));
  return it == ri->renamed_commands.end() ? std::string(command) : it->second.second;
}

bool Sentinel::SendCommand(Instance* ri, std::vector<std::string> argv,
                           std::function<void(Instance*, const RespValue&)> on_reply) {
  Link* link = ri->link.get();
  if (!link->cc) return false;
  link->pending_commands++;
  std::weak_ptr<Instance*> who = ri->self;
  std::weak_ptr<Link> wlink = ri->link;
  net::RedisLink* cc = link->cc.get();
  cc->Send(argv, [who, wlink, cc, on_reply = std::move(on_reply)](const RespValue* r) {
    if (!r) return;  // closed before the reply came
    auto l = wlink.lock();
    if (!l || l->cc.get() != cc) return;
    l->pending_commands--;
    auto h = who.lock();
    if (!h || !*h || !on_reply) return;
    on_reply(*h, *r);
  });
  return true;
}

void Sentinel::CloseLinkConnection(Link* link, bool pubsub) {
  std::unique_ptr<net::RedisLink>& slot = pubsub ? link->pc : link->cc;
  if (!slot) return;
  if (!pubsub) link->pending_commands = 0;
  link->disconnected = true;
  std::shared_ptr<net::RedisLink> conn(slot.release());
  conn->Close();
  // Why deferred: we may be inside one of this connection's callbacks.
  srv_->loop().Post([conn]() {});
}

void Sentinel::OnLinkLost(const std::shared_ptr<Link>& link, uint64_t generation, bool pubsub) {
  if (link->generation != generation) return;
  std::unique_ptr<net::RedisLink>& slot = pubsub ? link->pc : link->cc;
  if (!slot) return;
  std::shared_ptr<net::RedisLink> conn(slot.release());
  link->disconnected = true;
  srv_->loop().Post([conn]() {});
}

void Sentinel::SendAuthIfNeeded(Instance* ri, net::RedisLink* l) {
  const std::string* pass = nullptr;
  const std::string* user = nullptr;
  if (ri->is_master() || ri->is_slave()) {
    Instance* m = ri->is_master() ? ri : ri->master;
    if (m->has_auth_pass) pass = &m->auth_pass;
    if (m->has_auth_user) user = &m->auth_user;
  } else if (!sentinel_auth_pass.empty()) {
    pass = &sentinel_auth_pass;
    if (!sentinel_auth_user.empty()) user = &sentinel_auth_user;
  } else if (!srv_->cfg().requirepass.empty()) {
    // Why: without sentinel-pass a sentinel uses its own requirepass with
    // the other sentinels (they are expected to share it).
    pass = &srv_->cfg().requirepass;
  }
  if (!pass) return;
  std::vector<std::string> argv{MapCommand(ri, "AUTH")};
  if (user) argv.push_back(*user);
  argv.push_back(*pass);
  // Only the command connection's replies are counted as pending.
  if (l == ri->link->cc.get()) {
    SendCommand(ri, std::move(argv), nullptr);
  } else {
    l->Send(argv, [](const RespValue*) {});
  }
}

std::unique_ptr<net::RedisLink> Sentinel::OpenLink(Instance* ri, bool pubsub) {
  auto l = std::make_unique<net::RedisLink>(&srv_->loop());
  std::string err;
  // Why bind-source-addr: Redis binds sentinel links there too.
  std::string source;
  for (auto& [n, v] : srv_->config.Get({"bind-source-addr"})) source = v;
  if (!l->Connect(ri->addr.ip, ri->addr.port, source, &err)) {
    Event(LogLevel::kDebug, pubsub ? "-pubsub-link-reconnection" : "-cmd-link-reconnection", ri, true, " #" + err);
    return nullptr;
  }
  std::shared_ptr<Link> link = ri->link;
  uint64_t gen = link->generation;
  auto lost = [this, wl = std::weak_ptr<Link>(link), gen, pubsub](const std::string& e) {
    if (auto lk = wl.lock()) OnLinkLost(lk, gen, pubsub);
  };
  l->set_on_connect([lost](const std::string& e) {
    if (!e.empty()) lost(e);
  });
  l->set_on_disconnect(lost);
  return l;
}

void Sentinel::ReconnectInstance(Instance* ri) {
  Link* link = ri->link.get();
  if (!link->disconnected) return;
  if (ri->addr.port == 0) return;  // invalid address
  int64_t now = Now();
  if (now - link->last_reconn_time < periods.ping) return;
  link->last_reconn_time = now;
  link->generation++;

  if (!link->cc) {
    if (resolve_hostnames) {
      std::string ip;
      if (ResolveHost(ri->addr.hostname, &ip)) ri->addr.ip = ip;
    }
    link->cc = OpenLink(ri, false);
    if (link->cc) {
      link->pending_commands = 0;
      link->cc_conn_time = Now();
      SendAuthIfNeeded(ri, link->cc.get());
      char name[64];
      snprintf(name, sizeof(name), "sentinel-%.8s-cmd", myid_.c_str());
      SendCommand(ri, {MapCommand(ri, "CLIENT"), "SETNAME", name}, nullptr);
      SendPing(ri);
    }
  }
  if ((ri->flags & (kMaster | kSlave)) && !link->pc) {
    link->pc = OpenLink(ri, true);
    if (link->pc) {
      link->pc_conn_time = Now();
      SendAuthIfNeeded(ri, link->pc.get());
      char name[64];
      snprintf(name, sizeof(name), "sentinel-%.8s-pubsub", myid_.c_str());
      link->pc->Send({MapCommand(ri, "CLIENT"), "SETNAME", name}, [](const RespValue*) {});
      std::weak_ptr<Instance*> who = ri->self;
      auto on_msg = [this, who](const RespValue& msg) {
        auto h = who.lock();
        if (h && *h) ReceiveHello(*h, msg);
      };
      link->pc->set_on_push(on_msg);
      std::weak_ptr<Link> wlink = ri->link;
      net::RedisLink* pc = link->pc.get();
      link->pc->Send({MapCommand(ri, "SUBSCRIBE"), kHelloChannel}, [this, on_msg, wlink, pc](const RespValue* r) {
        if (!r) return;
        auto lk = wlink.lock();
        // Why: hiredis (Redis's client) drops a subscribed connection whose
        // SUBSCRIBE is refused (-NOAUTH with the wrong credentials), so the
        // instance shows as disconnected until it is fixed.
        if (r->is_error()) {
          if (lk && lk->pc.get() == pc) CloseLinkConnection(lk.get(), true);
          return;
        }
        on_msg(*r);
      });
    }
  }
  if (link->cc && (ri->is_sentinel() || link->pc)) link->disconnected = false;
}

bool Sentinel::SendPing(Instance* ri) {
  if (!SendCommand(ri, {MapCommand(ri, "PING")}, [this](Instance* i, const RespValue& r) { OnPing(i, r); })) {
    return false;
  }
  ri->link->last_ping_time = Now();
  // Only the first of several pending pings starts the idle clock.
  if (ri->link->act_ping_time == 0) ri->link->act_ping_time = ri->link->last_ping_time;
  return true;
}

void Sentinel::OnPing(Instance* ri, const RespValue& r) {
  Link* link = ri->link.get();
  if (r.type == RespValue::Type::kSimple || r.type == RespValue::Type::kError) {
    // Why LOADING and MASTERDOWN count: the instance is alive, just busy.
    if (StartsWith(r.str, "PONG") || StartsWith(r.str, "LOADING") || StartsWith(r.str, "MASTERDOWN")) {
      link->last_avail_time = Now();
      link->act_ping_time = 0;
      if ((ri->flags & kMasterReboot) && StartsWith(r.str, "PONG")) ri->flags &= ~kMasterReboot;
    } else if (StartsWith(r.str, "BUSY") && (ri->flags & kSDown) && !(ri->flags & kScriptKillSent)) {
      // A script blocks the instance: try to kill it (only once per SDOWN).
      SendCommand(ri, {MapCommand(ri, "SCRIPT"), "KILL"}, nullptr);
      ri->flags |= kScriptKillSent;
    }
  }
  link->last_pong_time = Now();
}

bool Sentinel::SendHello(Instance* ri) {
  Instance* master = ri->is_master() ? ri : ri->master;
  const Addr& maddr = CurrentMasterAddress(master);
  if (ri->link->disconnected || !ri->link->cc) return false;
  std::string ip;
  // Why even an empty one: Redis announces whatever CONFIG SET gave.
  if (announce_ip_set) {
    ip = announce_ip;
  } else {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (getsockname(ri->link->cc->fd(), reinterpret_cast<sockaddr*>(&ss), &len) == -1) return false;
    char buf[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof(buf));
    } else {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof(buf));
    }
    ip = buf;
  }
  int port = announce_port ? announce_port : srv_->cfg().port;
  std::string payload = ip + "," + std::to_string(port) + "," + myid_ + "," + std::to_string(current_epoch_) + "," +
                        master->name + "," + AnnounceAddr(maddr) + "," + std::to_string(maddr.port) + "," +
                        std::to_string(master->config_epoch);
  return SendCommand(ri, {MapCommand(ri, "PUBLISH"), kHelloChannel, payload}, [this](Instance* i, const RespValue& r) {
    if (!r.is_error()) i->last_pub_time = Now();
  });
}

void Sentinel::ForceHelloUpdateForMaster(Instance* master) {
  // Why: moving last_pub_time back makes the next timer tick send hellos.
  auto back = [this](Instance* ri) {
    if (ri->last_pub_time >= periods.publish + 1) ri->last_pub_time -= periods.publish + 1;
  };
  back(master);
  for (auto& [k, ri] : master->sentinels) back(ri.get());
  for (auto& [k, ri] : master->slaves) back(ri.get());
}

void Sentinel::SendPeriodicCommands(Instance* ri) {
  int64_t now = Now();
  Link* link = ri->link.get();
  if (link->disconnected) return;
  // Why: a link that stopped answering is not flooded (100 per owner).
  if (link->pending_commands >= 100 * link->refcount) return;
  int64_t info_period = periods.info;
  // Replicas of a master in trouble are watched every second.
  if (ri->is_slave() && ((ri->master->flags & (kODown | kFailoverInProgress)) || ri->master_link_down_time != 0)) {
    info_period = 1000;
  }
  int64_t ping_period = std::min(ri->down_after_period, periods.ping);
  if (!ri->is_sentinel() && (ri->info_refresh == 0 || now - ri->info_refresh > info_period)) SendInfo(ri);
  if (now - link->last_pong_time > ping_period && now - link->last_ping_time > ping_period / 2) SendPing(ri);
  if (now - ri->last_pub_time > periods.publish) SendHello(ri);
}

bool Sentinel::MasterLooksSane(Instance* master) {
  return (master->flags & kMaster) && master->role_reported == kMaster && !(master->flags & (kSDown | kODown)) &&
         Now() - master->info_refresh < periods.info * 2;
}

bool Sentinel::NoDownFor(Instance* ri, int64_t ms) {
  int64_t most_recent = std::max(ri->s_down_since_time, ri->o_down_since_time);
  return most_recent == 0 || Now() - most_recent > ms;
}

void Sentinel::RefreshInstanceInfo(Instance* ri, const std::string& info) {
  ri->info = info;
  ri->has_info = true;
  ri->master_link_down_time = 0;
  uint32_t role = 0;
  auto host_matches = [this](const Addr& a, const std::string& host) {
    std::string ip;
    if (!ResolveHost(host, &ip)) return base::EqNoCase(resolve_hostnames ? a.hostname : a.ip, host);
    return base::EqNoCase(a.ip, ip);
  };
  for (std::string_view l : SplitLines(info)) {
    if (l.size() >= 47 && StartsWith(l, "run_id:")) {
      std::string id(l.substr(7, 40));
      if (ri->runid.empty()) {
        ri->runid = id;
      } else if (ri->runid != id) {
        Event(LogLevel::kNotice, "+reboot", ri, true, "");
        if (ri->is_master() && ri->master_reboot_down_after_period != 0) {
          ri->flags |= kMasterReboot;
          ri->master_reboot_since_time = Now();
        }
        ri->runid = id;
      }
    }
    // Replicas a master lists: slaveN:ip=...,port=...,state=...
    if (ri->is_master() && l.size() >= 7 && StartsWith(l, "slave") && isdigit(static_cast<unsigned char>(l[5]))) {
      std::string_view ip, port;
      size_t ipos = l.find("ip=");
      if (ipos == std::string_view::npos) {
        // The pre-2.8 format: slaveN:<ip>,<port>,<state>
        size_t c = l.find(':');
        if (c == std::string_view::npos) continue;
        std::string_view rest = l.substr(c + 1);
        size_t p1 = rest.find(',');
        if (p1 == std::string_view::npos) continue;
        size_t p2 = rest.find(',', p1 + 1);
        if (p2 == std::string_view::npos) continue;
        ip = rest.substr(0, p1);
        port = rest.substr(p1 + 1, p2 - p1 - 1);
      } else {
        size_t ppos = l.find("port=");
        if (ppos == std::string_view::npos) continue;
        ip = l.substr(ipos + 3);
        ip = ip.substr(0, ip.find(','));
        port = l.substr(ppos + 5);
        port = port.substr(0, port.find(','));
      }
      Addr a{std::string(ip), "", static_cast<int>(Atoll(port))};
      bool known = false;
      if (ResolveHost(a.hostname, &a.ip)) known = ri->slaves.count(AnnounceAddrAndPort(a)) > 0;
      if (!known) {
        const char* err = nullptr;
        if (Instance* s = CreateInstance("", kSlave, a.hostname, a.port, ri->quorum, ri, &err)) {
          Event(LogLevel::kNotice, "+slave", s, true, "");
          FlushConfig();
        }
      }
    }
    if (l.size() >= 32 && StartsWith(l, "master_link_down_since_seconds")) {
      ri->master_link_down_time = Atoll(l.substr(31)) * 1000;
    }
    if (StartsWith(l, "role:master")) role = kMaster;
    else if (StartsWith(l, "role:slave")) role = kSlave;
    if (role == kSlave) {
      if (StartsWith(l, "master_host:")) {
        std::string host(l.substr(12));
        if (!ri->has_slave_master_host || !base::EqNoCase(host, ri->slave_master_host)) {
          ri->slave_master_host = host;
          ri->has_slave_master_host = true;
          ri->slave_conf_change_time = Now();
        }
      }
      if (StartsWith(l, "master_port:")) {
        int p = static_cast<int>(Atoll(l.substr(12)));
        if (ri->slave_master_port != p) {
          ri->slave_master_port = p;
          ri->slave_conf_change_time = Now();
        }
      }
      if (StartsWith(l, "master_link_status:")) ri->slave_master_link_up = base::EqNoCase(l.substr(19), "up");
      if (StartsWith(l, "slave_priority:")) ri->slave_priority = static_cast<int>(Atoll(l.substr(15)));
      if (StartsWith(l, "slave_repl_offset:")) ri->slave_repl_offset = strtoull(std::string(l.substr(18)).c_str(), nullptr, 10);
      if (StartsWith(l, "replica_announced:")) ri->replica_announced = static_cast<int>(Atoll(l.substr(18)));
    }
  }
  ri->info_refresh = Now();

  if (role != ri->role_reported) {
    ri->role_reported_time = Now();
    ri->role_reported = role;
    if (role == kSlave) ri->slave_conf_change_time = Now();
    Event(LogLevel::kVerbose, ((ri->flags & (kMaster | kSlave)) == role) ? "+role-change" : "-role-change", ri, true,
          std::string(" new reported role is ") + (role == kMaster ? "master" : "slave"));
  }
  // Nothing below runs in TILT: what we see may be wrong.
  if (tilt_) return;

  // A replica that reports being a master.
  if (ri->is_slave() && role == kMaster) {
    Instance* m = ri->master;
    if ((ri->flags & kPromoted) && (m->flags & kFailoverInProgress) &&
        m->failover_state == FailoverState::kWaitPromotion) {
      // The one we promoted: the failover goes on.
      m->config_epoch = m->failover_epoch;
      m->failover_state = FailoverState::kReconfSlaves;
      m->failover_state_change_time = Now();
      FlushConfig();
      Event(LogLevel::kWarning, "+promoted-slave", ri, true, "");
      if (simfailure_flags & kSimCrashAfterPromotion) SimFailureCrash();
      Event(LogLevel::kWarning, "+failover-state-reconf-slaves", m, true, "");
      CallClientReconfScript(m, true, "start", m->addr, ri->addr);
      ForceHelloUpdateForMaster(m);
    } else {
      // Another master: turn it back into a replica once the master looks
      // fine and it kept claiming the role for a while.
      int64_t wait_time = periods.publish * 4;
      if (!(ri->flags & kPromoted) && MasterLooksSane(m) && NoDownFor(ri, wait_time) &&
          Now() - ri->role_reported_time > wait_time) {
        if (SendSlaveOf(ri, &m->addr)) Event(LogLevel::kNotice, "+convert-to-slave", ri, true, "");
      }
    }
  }
  // A replica replicating from the wrong master.
  if (ri->is_slave() && role == kSlave &&
      (ri->slave_master_port != ri->master->addr.port || !host_matches(ri->master->addr, ri->slave_master_host))) {
    int64_t wait_time = ri->master->failover_timeout;
    if (MasterLooksSane(ri->master) && NoDownFor(ri, wait_time) && Now() - ri->slave_conf_change_time > wait_time) {
      if (SendSlaveOf(ri, &ri->master->addr)) Event(LogLevel::kNotice, "+fix-slave-config", ri, true, "");
    }
  }
  // Replicas being reconfigured by our failover.
  if (ri->is_slave() && role == kSlave && (ri->flags & (kReconfSent | kReconfInprog))) {
    Instance* promoted = ri->master->promoted_slave;
    if ((ri->flags & kReconfSent) && promoted && ri->has_slave_master_host &&
        host_matches(promoted->addr, ri->slave_master_host) && ri->slave_master_port == promoted->addr.port) {
      ri->flags &= ~kReconfSent;
      ri->flags |= kReconfInprog;
      Event(LogLevel::kNotice, "+slave-reconf-inprog", ri, true, "");
    }
    if ((ri->flags & kReconfInprog) && ri->slave_master_link_up) {
      ri->flags &= ~kReconfInprog;
      ri->flags |= kReconfDone;
      Event(LogLevel::kNotice, "+slave-reconf-done", ri, true, "");
    }
  }
}

bool Sentinel::SendSlaveOf(Instance* ri, const Addr* addr) {
  std::string host = addr ? AnnounceAddr(*addr) : "NO";
  std::string port = addr ? std::to_string(addr->port) : "ONE";
  // Why one transaction: the role change, the config rewrite and dropping
  // the clients (so they reconnect to the right master) happen together.
  if (!SendCommand(ri, {MapCommand(ri, "MULTI")}, nullptr)) return false;
  SendCommand(ri, {MapCommand(ri, "SLAVEOF"), host, port}, nullptr);
  SendCommand(ri, {MapCommand(ri, "CONFIG"), "REWRITE"}, nullptr);
  SendCommand(ri, {MapCommand(ri, "CLIENT"), "KILL", "TYPE", "normal"}, nullptr);
  SendCommand(ri, {MapCommand(ri, "CLIENT"), "KILL", "TYPE", "pubsub"}, nullptr);
  SendCommand(ri, {MapCommand(ri, "EXEC")}, nullptr);
  // Beyond Redis (timing only): INFO right behind the transaction, so the
  // new role is seen as soon as it is taken instead of at the next INFO
  // period (up to a second during a failover).
  SendInfo(ri);
  return true;
}

void Sentinel::SendInfo(Instance* ri) {
  SendCommand(ri, {MapCommand(ri, "INFO")}, [this](Instance* i, const RespValue& r) {
    if (r.type == RespValue::Type::kBulk || r.type == RespValue::Type::kVerbatim) RefreshInstanceInfo(i, r.str);
  });
}

void Sentinel::ReceiveHello(Instance* ri, const RespValue& r) {
  ri->link->pc_last_activity = Now();
  if ((r.type != RespValue::Type::kArray && r.type != RespValue::Type::kPush) || r.elements.size() != 3) return;
  for (const RespValue& e : r.elements) {
    if (e.type != RespValue::Type::kBulk) return;
  }
  if (r.elements[0].str != "message") return;
  // Our own hello comes back to us: ignore it.
  if (r.elements[2].str.find(myid_) != std::string::npos) return;
  ProcessHelloMessage(r.elements[2].str);
}

int Sentinel::RemoveMatchingSentinelFromMaster(Instance* master, const std::string& runid) {
  if (runid.empty()) return 0;
  int removed = 0;
  for (auto it = master->sentinels.begin(); it != master->sentinels.end();) {
    if (it->second->runid == runid) {
      it = master->sentinels.erase(it);
      removed++;
    } else {
      ++it;
    }
  }
  return removed;
}

void Sentinel::TryConnectionSharing(Instance* si) {
  if (si->runid.empty() || si->link->refcount > 1) return;
  for (auto& [name, master] : masters_) {
    if (master.get() == si->master) continue;
    Instance* match = FindByAddrAndRunId(master->sentinels, nullptr, 0, &si->runid);
    if (!match || match == si) continue;
    si->link->refcount--;
    si->link = match->link;
    match->link->refcount++;
    return;
  }
}

int Sentinel::UpdateSentinelAddressInAllMasters(Instance* si) {
  int reconfigured = 0;
  for (auto& [name, master] : masters_) {
    Instance* match = FindByAddrAndRunId(master->sentinels, nullptr, 0, &si->runid);
    if (!match) continue;
    CloseLinkConnection(match->link.get(), false);
    CloseLinkConnection(match->link.get(), true);
    if (match == si) continue;
    match->addr = si->addr;
    reconfigured++;
  }
  if (reconfigured) {
    Event(LogLevel::kNotice, "+sentinel-address-update", si, true,
          " " + std::to_string(reconfigured) + " additional matching instances");
  }
  return reconfigured;
}

void Sentinel::ProcessHelloMessage(std::string_view hello) {
  std::vector<std::string> tok = base::SplitLen(hello, ',');
  if (tok.size() != 8) return;
  Instance* master = GetMaster(tok[4]);
  if (!master) return;  // a master we do not monitor
  int port = static_cast<int>(Atoll(tok[1]));
  int master_port = static_cast<int>(Atoll(tok[6]));
  Instance* si = FindByAddrAndRunId(master->sentinels, &tok[0], port, &tok[2]);
  uint64_t current_epoch = strtoull(tok[3].c_str(), nullptr, 10);
  uint64_t master_config_epoch = strtoull(tok[7].c_str(), nullptr, 10);
  if (!si) {
    // A sentinel with the same run id but another address restarted
    // elsewhere: forget the old entry.
    int removed = RemoveMatchingSentinelFromMaster(master, tok[2]);
    if (removed) {
      Event(LogLevel::kNotice, "+sentinel-address-switch", master, true,
            " ip " + tok[0] + " port " + tok[1] + " for " + tok[2]);
    } else {
      // Another sentinel took this address: the old one is obsolete
      // everywhere.
      if (Instance* other = FindByAddrAndRunId(master->sentinels, &tok[0], port, nullptr)) {
        Event(LogLevel::kNotice, "+sentinel-invalid-addr", other, true, "");
        std::string obsolete = other->runid;
        for (auto& [n, m] : masters_) RemoveMatchingSentinelFromMaster(m.get(), obsolete);
      }
    }
    const char* err = nullptr;
    si = CreateInstance(tok[2], kSentinel, tok[0], port, master->quorum, master, &err);
    if (si) {
      if (!removed) Event(LogLevel::kNotice, "+sentinel", si, true, "");
      si->runid = tok[2];
      TryConnectionSharing(si);
      if (removed) UpdateSentinelAddressInAllMasters(si);
      FlushConfig();
    }
  }
  if (current_epoch > current_epoch_) {
    current_epoch_ = current_epoch;
    FlushConfig();
    Event(LogLevel::kWarning, "+new-epoch", master, false, std::to_string(current_epoch_));
  }
  // A newer configuration of this master: follow it.
  if (si && master->config_epoch < master_config_epoch) {
    master->config_epoch = master_config_epoch;
    std::string ip;
    bool same_host = ResolveHost(tok[5], &ip) ? base::EqNoCase(master->addr.ip, ip)
                                              : base::EqNoCase(resolve_hostnames ? master->addr.hostname : master->addr.ip, tok[5]);
    if (master_port != master->addr.port || !same_host) {
      Event(LogLevel::kWarning, "+config-update-from", si, true, "");
      Event(LogLevel::kWarning, "+switch-master", master, false,
            master->name + " " + AnnounceAddr(master->addr) + " " + std::to_string(master->addr.port) + " " + tok[5] +
                " " + tok[6]);
      Addr old = master->addr;
      ResetMasterAndChangeAddress(master, tok[5], master_port);
      CallClientReconfScript(master, false, "start", old, master->addr);
    }
  }
  if (si) si->last_hello_time = Now();
}

}  // namespace vireo::sentinel
