// Sentinel: Redis 7.0.15's sentinel mode (sentinel.c) on Vireo's loop.
//
// `vireo-server sentinel.conf --sentinel` (or a binary named
// vireo-sentinel / redis-sentinel) runs this instead of a data node: no
// keyspace is loaded or saved; the server keeps its clients, pub/sub, ACL
// and INFO, and the command table holds only the sentinel-mode commands.
//
// The state is Redis's: a table of monitored masters, each with the
// replicas it reported (INFO) and the other sentinels that announced
// themselves on its `__sentinel__:hello` channel. Every instance has a link
// (a command connection, and for data nodes a pub/sub connection) made of
// net::RedisLink; links to the same sentinel are shared between masters.
//
//  - config.cc: the `sentinel ...` directives (queued during the config
//    load and applied in Redis's order: pre-monitor, monitor, the rest), the
//    lines CONFIG REWRITE writes for them, and the flush (rewrite + fsync)
//    after every state change.
//  - monitor.cc: links (AUTH, CLIENT SETNAME, SUBSCRIBE), PING / INFO /
//    hello periods, the INFO parser (role, replicas, offsets, priority),
//    hello processing (sentinel discovery, epochs, +switch-master from a
//    newer configuration), replica reconfiguration outside failovers.
//  - failover.cc: SDOWN, ODOWN through IS-MASTER-DOWN-BY-ADDR, the vote and
//    the leader, the failover state machine, TILT, and the timer.
//  - scripts.cc: notification and client-reconfig scripts.
//  - events.cc: instances, addresses, events (log + pub/sub + script).
//
// The SENTINEL command and the sentinel-mode INFO / ROLE / PUBLISH live in
// commands/sentinel_cmd.cc and read this state.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/redis_link.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::sentinel {

// True when argv asks for sentinel mode: a program name containing
// "redis-sentinel" or "vireo-sentinel", or a "--sentinel" argument
// (Redis's checkForSentinelMode).
bool IsSentinelInvocation(int argc, char** argv);

inline constexpr int kDefaultPort = 26379;
inline constexpr const char* kHelloChannel = "__sentinel__:hello";

// Instance flags (SRI_*).
enum : uint32_t {
  kMaster = 1 << 0,
  kSlave = 1 << 1,
  kSentinel = 1 << 2,
  kSDown = 1 << 3,
  kODown = 1 << 4,
  kMasterDown = 1 << 5,
  kFailoverInProgress = 1 << 6,
  kPromoted = 1 << 7,
  kReconfSent = 1 << 8,
  kReconfInprog = 1 << 9,
  kReconfDone = 1 << 10,
  kForceFailover = 1 << 11,
  kScriptKillSent = 1 << 12,
  kMasterReboot = 1 << 13,
};

enum class FailoverState { kNone, kWaitStart, kSelectSlave, kSendSlaveofNoOne, kWaitPromotion, kReconfSlaves, kUpdateConfig };
const char* FailoverStateName(FailoverState s);

struct Addr {
  std::string hostname;  // as given
  std::string ip;        // resolved ("" when unresolved with resolve-hostnames)
  int port = 0;
};

// The connections to one instance and what failure detection needs.
struct Link {
  int refcount = 1;
  bool disconnected = true;
  int pending_commands = 0;
  std::unique_ptr<net::RedisLink> cc;  // commands
  std::unique_ptr<net::RedisLink> pc;  // pub/sub (data nodes only)
  int64_t cc_conn_time = 0, pc_conn_time = 0, pc_last_activity = 0;
  int64_t last_avail_time = 0;  // last valid PING reply
  int64_t act_ping_time = 0;    // the pending PING was sent then (0: none pending)
  int64_t last_ping_time = 0;
  int64_t last_pong_time = 0;   // last PING reply of any kind
  int64_t last_reconn_time = 0;
  uint64_t generation = 0;      // bumped on every close: stale callbacks check it
};

struct Instance {
  // Callbacks of replies hold `self` weakly: it is cleared when the
  // instance goes, so a late reply on a shared link finds nothing.
  std::shared_ptr<Instance*> self = std::make_shared<Instance*>(this);
  ~Instance() { *self = nullptr; }
  uint32_t flags = 0;
  std::string name;   // master: its name; replica: "ip:port"; sentinel: its run id
  std::string runid;  // "" when unknown
  uint64_t config_epoch = 0;
  Addr addr;
  std::shared_ptr<Link> link;
  int64_t last_pub_time = 0, last_hello_time = 0, last_master_down_reply_time = 0;
  int64_t s_down_since_time = 0, o_down_since_time = 0;
  int64_t down_after_period = 0;
  int64_t master_reboot_down_after_period = 0, master_reboot_since_time = 0;
  int64_t info_refresh = 0;
  // rename-command: lower-case old name -> (old name as given, new name);
  // Redis's dict is case-insensitive but keeps the spelling it was given.
  std::map<std::string, std::pair<std::string, std::string>> renamed_commands;
  uint32_t role_reported = 0;
  int64_t role_reported_time = 0, slave_conf_change_time = 0;
  // master
  std::map<std::string, std::unique_ptr<Instance>> sentinels;
  std::map<std::string, std::unique_ptr<Instance>> slaves;
  unsigned quorum = 0;
  int parallel_syncs = 1;
  std::string auth_pass, auth_user;
  bool has_auth_pass = false, has_auth_user = false;
  // replica
  int64_t master_link_down_time = 0;
  int slave_priority = 100;
  int replica_announced = 1;
  int64_t slave_reconf_sent_time = 0;
  Instance* master = nullptr;
  std::string slave_master_host;
  bool has_slave_master_host = false;
  int slave_master_port = 0;
  bool slave_master_link_up = false;
  uint64_t slave_repl_offset = 0;
  // failover
  std::string leader;  // master: the leader for leader_epoch; sentinel: its vote
  uint64_t leader_epoch = 0, failover_epoch = 0;
  FailoverState failover_state = FailoverState::kNone;
  int64_t failover_state_change_time = 0, failover_start_time = 0, failover_timeout = 0;
  int64_t failover_delay_logged = 0;
  Instance* promoted_slave = nullptr;
  // SENTINEL FAILOVER <name> COORDINATED (beyond Redis 7.0): the promotion
  // is the master's own FAILOVER command, so no acknowledged write is lost.
  bool coordinated = false;
  std::string notification_script, client_reconfig_script;
  std::string info;  // cached INFO text
  bool has_info = false;

  bool is_master() const { return flags & kMaster; }
  bool is_slave() const { return flags & kSlave; }
  bool is_sentinel() const { return flags & kSentinel; }
  const char* TypeName() const;
};

// Timing parameters (SENTINEL DEBUG changes them).
struct Periods {
  int64_t info = 10000, ping = 1000, ask = 1000, publish = 2000;
  int64_t default_down_after = 30000, tilt_trigger = 2000, tilt_period = 30000;
  int64_t slave_reconf_timeout = 10000, min_link_reconnect = 15000, election_timeout = 10000;
  int64_t script_max_runtime = 60000, script_retry_delay = 30000;
  int64_t default_failover_timeout = 180000;
};

struct ScriptJob {
  bool running = false;
  int retry_num = 0;
  std::vector<std::string> argv;
  int64_t start_time = 0;
  pid_t pid = 0;
};

enum SimFailure : unsigned long { kSimNone = 0, kSimCrashAfterElection = 1, kSimCrashAfterPromotion = 2 };

class Sentinel {
 public:
  explicit Sentinel(server::Server* srv);
  ~Sentinel();
  Sentinel(const Sentinel&) = delete;
  Sentinel& operator=(const Sentinel&) = delete;

  // --- startup (main.cc) ----------------------------------------------------
  // Redis's initSentinelConfig: port 26379, protected-mode off; and the
  // config manager's hooks for `sentinel` lines and CONFIG REWRITE.
  void InstallConfigHooks();
  // Applies the queued `sentinel` directives; false with Redis's fatal
  // config report in *report.
  bool LoadQueuedConfig(std::string* report);
  // Redis's sentinelCheckConfigFile: false with the log line in *err.
  bool CheckConfigFile(std::string* err) const;
  // sentinelIsRunning: picks and persists an ID, logs it, +monitor events,
  // and starts the timer.
  void Start();

  // --- used by the SENTINEL command and INFO / ROLE / PUBLISH --------------
  std::map<std::string, std::unique_ptr<Instance>>& masters() { return masters_; }
  Instance* GetMaster(std::string_view name);
  const std::string& myid() const { return myid_; }
  uint64_t current_epoch() const { return current_epoch_; }
  bool tilt() const { return tilt_; }
  int64_t tilt_start_time() const { return tilt_start_time_; }
  int running_scripts() const { return running_scripts_; }
  const std::deque<ScriptJob>& scripts() const { return scripts_; }
  unsigned long simfailure_flags = kSimNone;
  Periods periods;
  bool deny_scripts_reconfig = true;
  bool resolve_hostnames = false, announce_hostnames = false;
  std::string announce_ip;
  bool announce_ip_set = false;  // CONFIG SET announce-ip "" keeps an empty one
  int announce_port = 0;
  std::string sentinel_auth_pass, sentinel_auth_user;

  int64_t Now() const;
  // The address a master is at now (the promoted replica once the
  // failover reconfigures replicas).
  const Addr& CurrentMasterAddress(const Instance* master) const;
  const std::string& AnnounceAddr(const Addr& a) const;
  std::string AnnounceAddrAndPort(const Addr& a) const;

  // Redis's createSentinelRedisInstance; nullptr with *err set to Redis's
  // reason ("Duplicate master name.", ...).
  Instance* CreateInstance(const std::string& name, uint32_t flags, const std::string& host, int port,
                           unsigned quorum, Instance* master, const char** err);
  void RemoveMaster(const std::string& name);
  // sentinelEvent: log, publish (not debug) and the notification script
  // (warnings). `with_instance` prefixes "<type> <name> <ip> <port> [@ ...]".
  void Event(server::LogLevel level, const char* type, Instance* ri, bool with_instance, const std::string& msg);
  // Config flush (rewrite + fsync); false when it failed (logged).
  bool FlushConfig();
  int ResetMastersByPattern(std::string_view pattern, bool generate_event);
  void ResetMaster(Instance* ri, bool keep_sentinels, bool generate_event);
  bool ResetMasterAndChangeAddress(Instance* master, const std::string& host, int port);
  void PropagateDownAfterPeriod(Instance* master);
  void DropInstanceConnections(Instance* master);
  int DropSentinelConnections();
  // sentinelVoteLeader: the leader this sentinel votes for in req_epoch.
  std::string VoteLeader(Instance* master, uint64_t req_epoch, const std::string& req_runid, uint64_t* leader_epoch);
  Instance* SelectSlave(Instance* master);
  void StartFailover(Instance* master);
  void ProcessHelloMessage(std::string_view hello);
  // sentinelIsQuorumReachable: bit 0 no quorum, bit 1 no majority.
  int IsQuorumReachable(Instance* master, int* usable);
  Instance* FindByAddrAndRunId(std::map<std::string, std::unique_ptr<Instance>>& table, const std::string* ip,
                               int port, const std::string* runid);
  bool ResolveHost(const std::string& host, std::string* ip) const;

 private:
  friend struct MonitorOps;
  void Timer();
  void ArmTimer(int64_t delay_us);
  net::EventLoop::TimerId timer_ = 0;
  void HandleInstances(std::map<std::string, std::unique_ptr<Instance>>& table);
  void HandleInstance(Instance* ri);
  void CheckTiltCondition();
  // monitor.cc
  void ReconnectInstance(Instance* ri);
  std::unique_ptr<net::RedisLink> OpenLink(Instance* ri, bool pubsub);
  void CloseLinkConnection(Link* link, bool pubsub);
  void OnLinkLost(const std::shared_ptr<Link>& link, uint64_t generation, bool pubsub);
  void SendAuthIfNeeded(Instance* ri, net::RedisLink* l);
  void SendPeriodicCommands(Instance* ri);
  bool SendPing(Instance* ri);
  bool SendHello(Instance* ri);
  void ForceHelloUpdateForMaster(Instance* master);
  bool SendSlaveOf(Instance* ri, const Addr* addr);
  void SendInfo(Instance* ri);
  bool SendCommand(Instance* ri, std::vector<std::string> argv,
                   std::function<void(Instance*, const protocol::RespValue&)> on_reply);
  void RefreshInstanceInfo(Instance* ri, const std::string& info);
  void OnPing(Instance* ri, const protocol::RespValue& r);
  void ReceiveHello(Instance* ri, const protocol::RespValue& msg);
  void TryConnectionSharing(Instance* si);
  int UpdateSentinelAddressInAllMasters(Instance* si);
  int RemoveMatchingSentinelFromMaster(Instance* master, const std::string& runid);
  std::string MapCommand(const Instance* ri, const char* command) const;
  // failover.cc
  void CheckSubjectivelyDown(Instance* ri);
  void CheckObjectivelyDown(Instance* master);
  void AskMasterStateToOtherSentinels(Instance* master, bool forced);
  bool StartFailoverIfNeeded(Instance* master);
  std::string GetLeader(Instance* master, uint64_t epoch);
  void FailoverStateMachine(Instance* master);
  void FailoverWaitStart(Instance* ri);
  void FailoverSelectSlave(Instance* ri);
  void FailoverSendSlaveOfNoOne(Instance* ri);
  void FailoverWaitPromotion(Instance* ri);
  bool SendCoordinatedFailover(Instance* master);
  void FailoverDetectEnd(Instance* master);
  void FailoverReconfNextSlave(Instance* master);
  void FailoverSwitchToPromotedSlave(Instance* master);
  void AbortFailover(Instance* ri);
  void SimFailureCrash();
  bool MasterLooksSane(Instance* master);
  bool NoDownFor(Instance* ri, int64_t ms);
  // scripts.cc
 public:
  void ScheduleScript(const std::string& path, std::vector<std::string> args);
  void CallClientReconfScript(Instance* master, bool leader, const char* state, const Addr& from, const Addr& to);
 private:
  void RunPendingScripts();
  void CollectTerminatedScripts();
  void KillTimedoutScripts();
  // config.cc
  const char* HandleConfiguration(const std::vector<std::string>& argv);
  void RewriteConfigLines(const std::function<void(std::string_view, std::string, bool)>& rewrite,
                          const std::function<void(std::string_view)>& mark);

  server::Server* srv_;
  std::map<std::string, std::unique_ptr<Instance>> masters_;
  std::string myid_;
  uint64_t current_epoch_ = 0;
  bool tilt_ = false;
  int64_t tilt_start_time_ = 0;
  int64_t previous_time_ = 0;
  int running_scripts_ = 0;
  std::deque<ScriptJob> scripts_;
  struct QueuedLine {
    std::vector<std::string> argv;
    int linenum;
    std::string line;
  };
  std::vector<QueuedLine> pre_monitor_, monitor_, post_monitor_;
  bool started_ = false;
};

// The process's sentinel (nullptr when not in sentinel mode).
Sentinel* Get();
std::unique_ptr<Sentinel> Create(server::Server* srv);

}  // namespace vireo::sentinel
