// SENTINEL and the sentinel-mode forms of INFO, ROLE and PUBLISH (Redis
// 7.0.15's sentinelCommand, sentinelInfoCommand, sentinelRoleCommand,
// sentinelPublishCommand). The state they read and change is the
// sentinel module's (sentinel/sentinel.h); these handlers parse and reply.
#include "commands/sentinel_cmd.h"

#include <unistd.h>

#include "base/glob.h"
#include "commands/common.h"
#include "commands/info.h"
#include "commands/registry.h"
#include "sentinel/sentinel.h"
#include "server/log.h"

namespace vireo::commands {

using sentinel::Instance;
using server::LogLevel;

namespace {

sentinel::Sentinel& S() { return *sentinel::Get(); }

Instance* MasterOrReply(Client& c, std::string_view name) {
  Instance* ri = S().GetMaster(name);
  if (!ri) Err(c, "ERR No such master with that name");
  return ri;
}

void FlushConfigAndReply(Client& c) {
  if (S().FlushConfig()) c.reply.Ok();
  else Err(c, "ERR Failed to save config file. Check server logs.");
}

void ReplyInstance(Client& c, Instance* ri) {
  auto& s = S();
  int64_t now = s.Now();
  auto d = c.reply.BeginDeferred();
  int fields = 0;
  auto kv = [&](const char* k, std::string_view v) {
    c.reply.Bulk(k);
    c.reply.Bulk(v);
    fields++;
  };
  auto kn = [&](const char* k, int64_t v) {
    c.reply.Bulk(k);
    c.reply.BulkInt(v);
    fields++;
  };
  kv("name", ri->name);
  kv("ip", s.AnnounceAddr(ri->addr));
  kn("port", ri->addr.port);
  kv("runid", ri->runid);
  std::string flags;
  auto flag = [&](uint32_t f, const char* n) {
    if (ri->flags & f) flags += std::string(n) + ",";
  };
  flag(sentinel::kSDown, "s_down");
  flag(sentinel::kODown, "o_down");
  flag(sentinel::kMaster, "master");
  flag(sentinel::kSlave, "slave");
  flag(sentinel::kSentinel, "sentinel");
  if (ri->link->disconnected) flags += "disconnected,";
  flag(sentinel::kMasterDown, "master_down");
  flag(sentinel::kFailoverInProgress, "failover_in_progress");
  flag(sentinel::kPromoted, "promoted");
  flag(sentinel::kReconfSent, "reconf_sent");
  flag(sentinel::kReconfInprog, "reconf_inprog");
  flag(sentinel::kReconfDone, "reconf_done");
  flag(sentinel::kForceFailover, "force_failover");
  flag(sentinel::kScriptKillSent, "script_kill_sent");
  if (!flags.empty()) flags.pop_back();
  kv("flags", flags);
  kn("link-pending-commands", ri->link->pending_commands);
  kn("link-refcount", ri->link->refcount);
  if (ri->flags & sentinel::kFailoverInProgress) kv("failover-state", sentinel::FailoverStateName(ri->failover_state));
  kn("last-ping-sent", ri->link->act_ping_time ? now - ri->link->act_ping_time : 0);
  kn("last-ok-ping-reply", now - ri->link->last_avail_time);
  kn("last-ping-reply", now - ri->link->last_pong_time);
  if (ri->flags & sentinel::kSDown) kn("s-down-time", now - ri->s_down_since_time);
  if (ri->flags & sentinel::kODown) kn("o-down-time", now - ri->o_down_since_time);
  kn("down-after-milliseconds", ri->down_after_period);
  if (ri->flags & (sentinel::kMaster | sentinel::kSlave)) {
    kn("info-refresh", ri->info_refresh ? now - ri->info_refresh : 0);
    kv("role-reported", ri->role_reported == sentinel::kMaster ? "master" : "slave");
    kn("role-reported-time", now - ri->role_reported_time);
  }
  if (ri->is_master()) {
    kn("config-epoch", static_cast<int64_t>(ri->config_epoch));
    kn("num-slaves", static_cast<int64_t>(ri->slaves.size()));
    kn("num-other-sentinels", static_cast<int64_t>(ri->sentinels.size()));
    kn("quorum", ri->quorum);
    kn("failover-timeout", ri->failover_timeout);
    kn("parallel-syncs", ri->parallel_syncs);
    if (!ri->notification_script.empty()) kv("notification-script", ri->notification_script);
    if (!ri->client_reconfig_script.empty()) kv("client-reconfig-script", ri->client_reconfig_script);
  }
  if (ri->is_slave()) {
    kn("master-link-down-time", ri->master_link_down_time);
    kv("master-link-status", ri->slave_master_link_up ? "ok" : "err");
    kv("master-host", ri->has_slave_master_host ? ri->slave_master_host : "?");
    kn("master-port", ri->slave_master_port);
    kn("slave-priority", ri->slave_priority);
    kn("slave-repl-offset", static_cast<int64_t>(ri->slave_repl_offset));
    kn("replica-announced", ri->replica_announced);
  }
  if (ri->is_sentinel()) {
    kn("last-hello-message", now - ri->last_hello_time);
    kv("voted-leader", ri->leader.empty() ? "?" : ri->leader);
    kn("voted-leader-epoch", static_cast<int64_t>(ri->leader_epoch));
  }
  c.reply.EndDeferredMap(d, fields);
}

void ReplyInstances(Client& c, std::map<std::string, std::unique_ptr<Instance>>& table) {
  auto d = c.reply.BeginDeferred();
  int n = 0;
  for (auto& [k, ri] : table) {
    // Why: replicas with replica-announced no are hidden.
    if (ri->is_slave() && !ri->replica_announced) continue;
    ReplyInstance(c, ri.get());
    n++;
  }
  c.reply.EndDeferredArray(d, n);
}

void Masters(Client& c) { ReplyInstances(c, S().masters()); }

void Master(Client& c) {
  if (Instance* ri = MasterOrReply(c, c.argv[2])) ReplyInstance(c, ri);
}

void Replicas(Client& c) {
  if (Instance* ri = MasterOrReply(c, c.argv[2])) ReplyInstances(c, ri->slaves);
}

void Sentinels(Client& c) {
  if (Instance* ri = MasterOrReply(c, c.argv[2])) ReplyInstances(c, ri->sentinels);
}

void Myid(Client& c) { c.reply.Bulk(S().myid()); }

void IsMasterDownByAddr(Client& c) {
  auto& s = S();
  int64_t port, req_epoch;
  if (!ParseInt(c, c.argv[3], &port) || !ParseInt(c, c.argv[4], &req_epoch)) return;
  std::string ip(c.argv[2]);
  Instance* ri = s.FindByAddrAndRunId(s.masters(), &ip, static_cast<int>(port), nullptr);
  // In TILT we say "not down": what we see may be wrong.
  bool isdown = !s.tilt() && ri && (ri->flags & sentinel::kSDown) && ri->is_master();
  std::string leader;
  uint64_t leader_epoch = 0;
  // A run id other than "*" asks for our vote.
  if (ri && ri->is_master() && c.argv[5] != "*") {
    leader = s.VoteLeader(ri, static_cast<uint64_t>(req_epoch), std::string(c.argv[5]), &leader_epoch);
  }
  c.reply.ArrayLen(3);
  c.reply.Int(isdown ? 1 : 0);
  c.reply.Bulk(leader.empty() ? "*" : leader);
  c.reply.Int(static_cast<int64_t>(leader_epoch));
}

void Reset(Client& c) { c.reply.Int(S().ResetMastersByPattern(c.argv[2], true)); }

void GetMasterAddrByName(Client& c) {
  auto& s = S();
  Instance* ri = s.GetMaster(c.argv[2]);
  if (!ri) {
    c.reply.NullArray();
    return;
  }
  const sentinel::Addr& a = s.CurrentMasterAddress(ri);
  c.reply.ArrayLen(2);
  c.reply.Bulk(s.AnnounceAddr(a));
  c.reply.BulkInt(a.port);
}

void Failover(Client& c) {
  auto& s = S();
  // Beyond Redis: SENTINEL FAILOVER <name> COORDINATED (Valkey 9's name).
  bool coordinated = false;
  if (c.argv.size() == 4) {
    if (!EqNoCase(c.argv[3], "coordinated")) return ErrSyntax(c);
    coordinated = true;
  } else if (c.argv.size() != 3) {
    return Err(c, server::err::WrongArgs("sentinel|failover"));
  }
  Instance* ri = MasterOrReply(c, c.argv[2]);
  if (!ri) return;
  // Why these texts: Redis passes "-INPROG ..." to addReplyError, which
  // keeps the given code.
  if (ri->flags & sentinel::kFailoverInProgress) {
    Err(c, "INPROG Failover already in progress");
    return;
  }
  if (!s.SelectSlave(ri)) {
    Err(c, "NOGOODSLAVE No suitable replica to promote");
    return;
  }
  // The master itself runs a coordinated switchover: it must be reachable.
  if (coordinated && (ri->link->disconnected || (ri->flags & (sentinel::kSDown | sentinel::kODown)))) {
    Err(c, "NOGOODMASTER The master is down: a COORDINATED failover needs it");
    return;
  }
  server::Log(LogLevel::kWarning, "Executing user requested FAILOVER of '%s'", ri->name.c_str());
  s.StartFailover(ri);
  ri->flags |= sentinel::kForceFailover;
  ri->coordinated = coordinated;
  c.reply.Ok();
}

void PendingScripts(Client& c) {
  auto& s = S();
  int64_t now = s.Now();
  c.reply.ArrayLen(static_cast<int64_t>(s.scripts().size()));
  for (const sentinel::ScriptJob& j : s.scripts()) {
    c.reply.MapLen(5);
    c.reply.Bulk("argv");
    c.reply.ArrayLen(static_cast<int64_t>(j.argv.size()));
    for (const std::string& a : j.argv) c.reply.Bulk(a);
    c.reply.Bulk("flags");
    c.reply.Bulk(j.running ? "running" : "scheduled");
    c.reply.Bulk("pid");
    c.reply.BulkInt(j.pid);
    if (j.running) {
      c.reply.Bulk("run-time");
      c.reply.BulkInt(now - j.start_time);
    } else {
      int64_t delay = j.start_time ? j.start_time - now : 0;
      c.reply.Bulk("run-delay");
      c.reply.BulkInt(delay < 0 ? 0 : delay);
    }
    c.reply.Bulk("retry-num");
    c.reply.BulkInt(j.retry_num);
  }
}

void Monitor(Client& c) {
  auto& s = S();
  int64_t quorum, port;
  if (!ParseInt(c, c.argv[5], &quorum, "ERR Invalid quorum")) return;
  if (!ParseInt(c, c.argv[4], &port, "ERR Invalid port")) return;
  if (quorum <= 0) {
    Err(c, "ERR Quorum must be 1 or greater.");
    return;
  }
  std::string ip;
  if (!s.ResolveHost(std::string(c.argv[3]), &ip)) {
    Err(c, "ERR Invalid IP address or hostname specified");
    return;
  }
  const char* err = nullptr;
  Instance* ri = s.CreateInstance(std::string(c.argv[2]), sentinel::kMaster, std::string(c.argv[3]),
                                  static_cast<int>(port), static_cast<unsigned>(quorum), nullptr, &err);
  if (!ri) {
    Err(c, std::string("ERR ") + err);
    return;
  }
  FlushConfigAndReply(c);
  s.Event(LogLevel::kWarning, "+monitor", ri, true, " quorum " + std::to_string(ri->quorum));
}

void FlushConfig(Client& c) { FlushConfigAndReply(c); }

void Remove(Client& c) {
  auto& s = S();
  Instance* ri = MasterOrReply(c, c.argv[2]);
  if (!ri) return;
  s.Event(LogLevel::kWarning, "-monitor", ri, true, "");
  s.RemoveMaster(ri->name);
  FlushConfigAndReply(c);
}

void CkQuorum(Client& c) {
  Instance* ri = MasterOrReply(c, c.argv[2]);
  if (!ri) return;
  int usable = 0;
  int result = S().IsQuorumReachable(ri, &usable);
  if (result == 0) {
    // Redis sends "+OK <n> usable Sentinels. ..." as a status line.
    c.reply.Simple("OK " + std::to_string(usable) +
                   " usable Sentinels. Quorum and failover authorization can be reached");
    return;
  }
  std::string e = "NOQUORUM " + std::to_string(usable) + " usable Sentinels. ";
  if (result & 1) e += "Not enough available Sentinels to reach the specified quorum for this master";
  if (result & 2) {
    if (result & 1) e += ". ";
    e += "Not enough available Sentinels to reach the majority and authorize a failover";
  }
  Err(c, e);
}

void InfoCache(Client& c) {
  auto& s = S();
  int64_t now = s.Now();
  std::vector<Instance*> masters;
  if (c.argv.size() > 2) {
    // Unknown names are skipped; a name given twice is listed once.
    for (size_t i = 2; i < c.argv.size(); i++) {
      Instance* ri = s.GetMaster(c.argv[i]);
      if (ri && std::find(masters.begin(), masters.end(), ri) == masters.end()) masters.push_back(ri);
    }
  } else {
    for (auto& [n, ri] : s.masters()) masters.push_back(ri.get());
  }
  c.reply.ArrayLen(static_cast<int64_t>(masters.size() * 2));
  for (Instance* ri : masters) {
    c.reply.Bulk(ri->name);
    c.reply.ArrayLen(static_cast<int64_t>(ri->slaves.size() + 1));
    auto one = [&](Instance* i, int64_t refresh) {
      c.reply.ArrayLen(2);
      c.reply.Int(refresh);
      if (i->has_info) c.reply.Bulk(i->info);
      else c.reply.Null();
    };
    one(ri, ri->info_refresh ? now - ri->info_refresh : 0);
    // Why the master's refresh time decides zero: Redis's own quirk.
    for (auto& [k, sri] : ri->slaves) one(sri.get(), ri->info_refresh ? now - sri->info_refresh : 0);
  }
}

void SimulateFailure(Client& c) {
  auto& s = S();
  s.simfailure_flags = sentinel::kSimNone;
  for (size_t j = 2; j < c.argv.size(); j++) {
    if (EqNoCase(c.argv[j], "crash-after-election")) {
      s.simfailure_flags |= sentinel::kSimCrashAfterElection;
      server::Log(LogLevel::kWarning,
                  "Failure simulation: this Sentinel will crash after being successfully elected as failover leader");
    } else if (EqNoCase(c.argv[j], "crash-after-promotion")) {
      s.simfailure_flags |= sentinel::kSimCrashAfterPromotion;
      server::Log(LogLevel::kWarning,
                  "Failure simulation: this Sentinel will crash after promoting the selected replica to master");
    } else if (EqNoCase(c.argv[j], "help")) {
      c.reply.ArrayLen(2);
      c.reply.Bulk("crash-after-election");
      c.reply.Bulk("crash-after-promotion");
      return;
    } else {
      Err(c, "ERR Unknown failure simulation specified");
      return;
    }
  }
  c.reply.Ok();
}

void Help(Client& c) {
  static const char* const kHelp[] = {
      "CKQUORUM <master-name>",
      "    Check if the current Sentinel configuration is able to reach the quorum",
      "    needed to failover a master and the majority needed to authorize the",
      "    failover.",
      "CONFIG SET <param> <value>",
      "    Set a global Sentinel configuration parameter.",
      "CONFIG GET <param>",
      "    Get global Sentinel configuration parameter.",
      "DEBUG [<param> <value> ...]",
      "    Show a list of configurable time parameters and their values (milliseconds).",
      "    Or update current configurable parameters values (one or more).",
      "GET-MASTER-ADDR-BY-NAME <master-name>",
      "    Return the ip and port number of the master with that name.",
      "FAILOVER <master-name>",
      "    Manually failover a master node without asking for agreement from other",
      "    Sentinels",
      "FLUSHCONFIG",
      "    Force Sentinel to rewrite its configuration on disk, including the current",
      "    Sentinel state.",
      "INFO-CACHE <master-name>",
      "    Return last cached INFO output from masters and all its replicas.",
      "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
      "    Check if the master specified by ip:port is down from current Sentinel's",
      "    point of view.",
      "MASTER <master-name>",
      "    Show the state and info of the specified master.",
      "MASTERS",
      "    Show a list of monitored masters and their state.",
      "MONITOR <name> <ip> <port> <quorum>",
      "    Start monitoring a new master with the specified name, ip, port and quorum.",
      "MYID",
      "    Return the ID of the Sentinel instance.",
      "PENDING-SCRIPTS",
      "    Get pending scripts information.",
      "REMOVE <master-name>",
      "    Remove master from Sentinel's monitor list.",
      "REPLICAS <master-name>",
      "    Show a list of replicas for this master and their state.",
      "RESET <pattern>",
      "    Reset masters for specific master name matching this pattern.",
      "SENTINELS <master-name>",
      "    Show a list of Sentinel instances for this master and their state.",
      "SET <master-name> <option> <value> [<option> <value> ...]",
      "    Set configuration parameters for certain masters.",
      "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
      "    Simulate a Sentinel crash.",
      nullptr};
  ReplyHelp(c, kHelp);
}

}  // namespace

void SentinelInfo(Client& c) {
  auto& s = S();
  static const char* const kSections[] = {"server", "clients", "cpu", "stats", "sentinel"};
  std::vector<std::string_view> want;
  bool all = c.argv.size() == 1;
  for (size_t i = 1; i < c.argv.size(); i++) {
    std::string_view a = c.argv[i];
    if (EqNoCase(a, "all") || EqNoCase(a, "everything") || EqNoCase(a, "default")) all = true;
    for (const char* sec : kSections) {
      if (EqNoCase(a, sec)) want.push_back(sec);
    }
  }
  if (all) want.assign(std::begin(kSections), std::end(kSections));
  bool with_sentinel = false;
  std::vector<std::string_view> base;
  for (std::string_view w : want) {
    if (w == "sentinel") with_sentinel = true;
    else base.push_back(w);
  }
  // Why: with no known section asked, INFO's own default would apply;
  // Redis answers an empty string instead.
  std::string info = base.empty() ? std::string() : GenInfoString(base);
  if (with_sentinel) {
    if (!info.empty()) info += "\r\n";
    base::AppendPrintf(&info,
                       "# Sentinel\r\nsentinel_masters:%zu\r\nsentinel_tilt:%d\r\nsentinel_tilt_since_seconds:%lld\r\n"
                       "sentinel_running_scripts:%d\r\nsentinel_scripts_queue_length:%zu\r\n"
                       "sentinel_simulate_failure_flags:%lu\r\n",
                       s.masters().size(), s.tilt() ? 1 : 0,
                       s.tilt() ? static_cast<long long>((s.Now() - s.tilt_start_time()) / 1000) : -1LL,
                       s.running_scripts(), s.scripts().size(), s.simfailure_flags);
    int id = 0;
    for (auto& [name, ri] : s.masters()) {
      const char* status = (ri->flags & sentinel::kODown) ? "odown" : (ri->flags & sentinel::kSDown) ? "sdown" : "ok";
      base::AppendPrintf(&info, "master%d:name=%s,status=%s,address=%s:%d,slaves=%zu,sentinels=%zu\r\n", id++,
                         ri->name.c_str(), status, s.AnnounceAddr(ri->addr).c_str(), ri->addr.port, ri->slaves.size(),
                         ri->sentinels.size() + 1);
    }
  }
  c.reply.Verbatim(info);
}

void SentinelRole(Client& c) {
  auto& s = S();
  c.reply.ArrayLen(2);
  c.reply.Bulk("sentinel");
  c.reply.ArrayLen(static_cast<int64_t>(s.masters().size()));
  for (auto& [name, ri] : s.masters()) c.reply.Bulk(name);
}

void SentinelPublish(Client& c) {
  // Why: other sentinels send their hello to us directly with PUBLISH.
  if (c.argv[1] != sentinel::kHelloChannel) {
    Err(c, "ERR Only HELLO messages are accepted by Sentinel instances.");
    return;
  }
  S().ProcessHelloMessage(c.argv[2]);
  c.reply.Int(1);
}

void RegisterSentinelFamily(server::CommandTable& t) {
  t.Register("sentinel|help", Help);
  t.Register("sentinel|masters", Masters);
  t.Register("sentinel|master", Master);
  t.Register("sentinel|replicas", Replicas);
  t.Register("sentinel|slaves", Replicas);
  t.Register("sentinel|sentinels", Sentinels);
  t.Register("sentinel|myid", Myid);
  t.Register("sentinel|is-master-down-by-addr", IsMasterDownByAddr);
  t.Register("sentinel|reset", Reset);
  t.Register("sentinel|get-master-addr-by-name", GetMasterAddrByName);
  t.Register("sentinel|failover", Failover);
  // Why -3: COORDINATED is an optional 4th argument Redis 7.0 does not
  // have; the handler checks the count itself.
  if (server::Command* f = t.FindByFullName("sentinel|failover")) f->arity = -3;
  t.Register("sentinel|pending-scripts", PendingScripts);
  t.Register("sentinel|monitor", Monitor);
  t.Register("sentinel|flushconfig", FlushConfig);
  t.Register("sentinel|remove", Remove);
  t.Register("sentinel|ckquorum", CkQuorum);
  t.Register("sentinel|info-cache", InfoCache);
  t.Register("sentinel|simulate-failure", SimulateFailure);
  RegisterSentinelSetFamily(t);
}

}  // namespace vireo::commands
