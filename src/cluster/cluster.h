// Cluster: this node's view of a Redis Cluster (cluster-enabled yes).
//
// Redis 7.0.15's cluster.c, split by responsibility:
//  - state.cc: the node table, the slot map, epochs, nodes.conf (load,
//    atomic rewrite with fsync, the lock held while running), CLUSTER
//    NODES lines, the cluster state (ok/fail);
//  - bus.cc: the bus listener on port+10000 (or cluster-port), one link
//    per connection (outbound to every known node, inbound from them),
//    framing and sending of bus_message.h's messages;
//  - gossip.cc: what each received message does (handshake, gossip,
//    failure reports, PFAIL/FAIL, slot ownership and UPDATE, epoch
//    collisions, Pub/Sub) and the 10 Hz cron that pings and detects;
//  - failover.cc: replica election and promotion, votes, manual failover
//    (CLUSTER FAILOVER), replica migration;
//  - route.cc: the dispatcher's redirections (getNodeByQuery);
//  - hooks.cc: the ClusterHooks the server calls, INFO cluster.
// The CLUSTER command (commands/cluster_cmd.cc) reads and changes this
// state through the public calls below.
//
// Everything runs on the server's loop thread. Nodes are owned by the
// table; deleting one (DelNode) clears every pointer to it (slots,
// migration markers, replica lists, failure reports, links).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/bus_message.h"
#include "net/event_loop.h"
#include "net/listener.h"
#include "server/cluster_hooks.h"

namespace vireo::server {
class Server;
class Client;
}  // namespace vireo::server

namespace vireo::cluster {

struct Node;

// One bus connection (Redis's clusterLink). Outbound links belong to their
// node (node->link); inbound ones are attached to the node once its first
// message names it (node->inbound_link).
class Link final : public net::EventLoop::Handler {
 public:
  Link(class Cluster* cl, int fd, bool inbound, Node* node, bool connecting);
  ~Link() override;
  void OnEvents(uint32_t events) override;
  // Queues a message (sent when the socket is writable).
  void Send(std::string_view bytes);
  bool closed() const { return fd_ < 0; }
  int fd() const { return fd_; }
  size_t send_pending() const { return sndbuf_.size() - sndpos_; }
  size_t memory() const { return sndbuf_.capacity() + rcvbuf_.capacity(); }

  int64_t ctime;
  bool inbound;
  Node* node;
  bool connecting;

 private:
  friend class Cluster;
  void Close();
  void ReadPackets();
  bool WriteOut();
  void UpdateMask();

  Cluster* cl_;
  int fd_;
  std::string rcvbuf_;
  std::string sndbuf_;
  size_t sndpos_ = 0;
};

struct FailReport {
  Node* node;    // the master that reported the failure
  int64_t time;  // when it last reported it
};

// Redis's clusterNode.
struct Node {
  std::string name;  // 40 hex characters
  int64_t ctime = 0;
  uint64_t config_epoch = 0;
  uint16_t flags = 0;
  SlotBitmap slots{};
  int numslots = 0;
  std::vector<Node*> replicas;
  Node* replicaof = nullptr;
  uint64_t last_in_ping_gossip = 0;
  int64_t ping_sent = 0, pong_received = 0, data_received = 0;
  int64_t fail_time = 0, voted_time = 0;
  int64_t repl_offset_time = 0, orphaned_time = 0;
  int64_t repl_offset = 0;
  std::string ip;
  std::string hostname;
  int port = 0, pport = 0, cport = 0;
  Link* link = nullptr;          // outbound
  Link* inbound_link = nullptr;  // inbound
  std::vector<FailReport> fail_reports;

  bool is_master() const { return flags & kNodeMaster; }
  bool is_replica() const { return flags & kNodeSlave; }
  bool in_handshake() const { return flags & kNodeHandshake; }
  bool has_addr() const { return !(flags & kNodeNoAddr); }
  bool timed_out() const { return flags & kNodePFail; }
  bool failed() const { return flags & kNodeFail; }
  bool myself() const { return flags & kNodeMyself; }
};

// A manual failover's time limit (CLUSTER_MF_TIMEOUT); the master pauses
// writes for twice as long (CLUSTER_MF_PAUSE_MULT).
inline constexpr int64_t kMfTimeout = 5000;
inline constexpr int64_t kMfPauseMult = 2;

// clusterBeforeSleep's to-do bits (CLUSTER_TODO_*).
enum Todo : int {
  kTodoHandleFailover = 1,
  kTodoUpdateState = 2,
  kTodoSaveConfig = 4,
  kTodoFsyncConfig = 8,
  kTodoHandleManualFailover = 16,
};

// Why a replica cannot fail over (CLUSTER_CANT_FAILOVER_*), logged once.
enum CantFailover : int {
  kCantNone = 0,
  kCantDataAge,
  kCantWaitingDelay,
  kCantExpired,
  kCantWaitingVotes,
};

class Cluster final : public server::ClusterHooks {
 public:
  explicit Cluster(server::Server* srv);
  ~Cluster() override;

  // Redis's clusterInit: locks and loads (or creates) nodes.conf, opens
  // the bus port. False (logged) when the node cannot start.
  bool Init();
  // Redis's verifyClusterConfigWithData, after the dataset is loaded.
  bool VerifyConfigWithData();

  // --- ClusterHooks -----------------------------------------------------
  bool Route(server::Client& c, server::Command* cmd, std::string* err) override;
  bool RedirectBlocked(server::Client& c) override;
  void BeforeSleep() override;
  void Cron() override;
  // CLUSTER INFO's text.
  std::string InfoText() const;
  size_t links_count() const override;
  size_t links_memory() const override;
  void PropagatePublish(std::string_view channel, std::string_view message, bool sharded) override;
  void ConfigChanged() override;
  bool IAmReplica() const override { return myself_ && myself_->is_replica(); }

  // --- state (state.cc) --------------------------------------------------
  Node* myself() const { return myself_; }
  Node* LookupNode(std::string_view name) const;
  const std::vector<Node*>& nodes() const { return order_; }
  Node* slot_owner(int slot) const { return slots_[slot]; }
  Node* migrating_to(int slot) const { return migrating_[slot]; }
  Node* importing_from(int slot) const { return importing_[slot]; }
  void set_migrating(int slot, Node* n) { migrating_[slot] = n; }
  void set_importing(int slot, Node* n) { importing_[slot] = n; }
  bool state_ok() const { return state_ok_; }
  int size() const { return size_; }
  uint64_t current_epoch = 0;
  uint64_t last_vote_epoch = 0;
  void DoBeforeSleep(int todo) { todo_ |= todo; }

  Node* CreateNode(std::string_view name, uint16_t flags);
  void AddNode(Node* n);
  void DelNode(Node* n);
  void RenameNode(Node* n, std::string_view name);
  // Slot ownership (clusterAddSlot / clusterDelSlot): false when the slot
  // is already taken / not assigned.
  bool AddSlot(Node* n, int slot);
  bool DelSlot(int slot);
  int DelNodeSlots(Node* n);
  void CloseAllSlots();
  void SetNodeAsMaster(Node* n);
  bool AddReplica(Node* master, Node* replica);
  bool RemoveReplica(Node* master, Node* replica);
  int CountNonFailingReplicas(const Node* n) const;
  // clusterSetMaster: makes myself a replica of `n` (replicating it).
  void SetMyMaster(Node* n);
  // CLUSTER RESET.
  void Reset(bool hard);
  uint64_t MaxEpoch() const;
  // clusterBumpConfigEpochWithoutConsensus: false when already the max.
  bool BumpConfigEpochWithoutConsensus();
  void HandleConfigEpochCollision(Node* sender);
  // Failure reports (clusterNodeAddFailureReport ...).
  bool AddFailureReport(Node* failing, Node* sender);
  bool DelFailureReport(Node* node, Node* sender);
  int FailureReportsCount(Node* node);
  void MarkNodeAsFailingIfNeeded(Node* node);
  void ClearNodeFailureIfNeeded(Node* node);
  // CLUSTER FORGET's 60-second ban.
  void BlacklistAdd(Node* n);
  bool BlacklistExists(std::string_view name);
  // Starts a handshake with ip:port@cport (CLUSTER MEET); false with
  // errno EINVAL / EAGAIN.
  bool StartHandshake(const std::string& ip, int port, int cport);
  void UpdateState();
  bool SaveConfig(bool do_fsync);
  void SaveConfigOrDie(bool do_fsync);
  // CLUSTER NODES (filter: flags whose nodes are left out).
  std::string NodesDescription(uint16_t filter, bool use_pport);
  std::string NodeDescription(Node* n, bool use_pport, const std::vector<int>* ranges);
  // The address a client should use for `n` (cluster-preferred-endpoint-type).
  std::string PreferredEndpoint(const Node* n) const;
  // Announced ports (deriveAnnouncedPorts).
  void AnnouncedPorts(int* port, int* pport, int* cport) const;

  // --- bus (bus.cc) ------------------------------------------------------
  void SendPing(Link* link, uint16_t type);
  void BroadcastPong(bool local_replicas_only);
  void BroadcastMessage(const std::string& bytes, uint16_t type);
  void SendFail(const std::string& nodename);
  void SendUpdate(Link* link, Node* node);
  void SendMfStart(Node* node);
  void RequestFailoverAuth();
  void SendFailoverAuth(Node* node);
  void FreeLink(Link* link);
  void AcceptBusConnection(int fd);
  // Fills a message header as clusterBuildMessageHdr.
  void BuildHeader(Message* m, uint16_t type);
  void CountSent(uint16_t type) {
    if (type < kMsgTypeCount) stats_sent_[type]++;
  }

  // --- gossip (gossip.cc) ----------------------------------------------------
  // Returns false when the link was freed while processing.
  bool ProcessPacket(Link* link, const Message& m);
  void UpdateSlotsConfigWith(Node* sender, uint64_t sender_config_epoch, const SlotBitmap& slots);

  // --- failover (failover.cc) ----------------------------------------------
  void HandleReplicaFailover();
  void HandleManualFailover();
  void ManualFailoverCheckTimeout();
  void ResetManualFailover();
  void HandleReplicaMigration(int max_replicas);
  void SendFailoverAuthIfNeeded(Node* node, const Message& request);
  void FailoverReplaceYourMaster();
  // CLUSTER FAILOVER [FORCE|TAKEOVER]: the error to reply, or "".
  std::string StartManualFailover(bool force, bool takeover);
  int64_t mf_end = 0;
  Node* mf_replica = nullptr;  // master side: the replica in manual failover
  int64_t mf_master_offset = -1;
  bool mf_can_start = false;
  int64_t failover_auth_time = 0;
  int failover_auth_count = 0;
  bool failover_auth_sent = false;
  int failover_auth_rank = 0;
  uint64_t failover_auth_epoch = 0;
  int cant_failover_reason = kCantNone;
  int64_t last_cant_failover_log = 0;
  int64_t stats_pfail_nodes = 0;
  // DEBUG DROP-CLUSTER-PACKET-FILTER: received packets of this type are
  // dropped (-1: none), to test failure detection.
  int64_t drop_packet_filter = -1;
  uint64_t stat_links_buffer_limit_exceeded = 0;
  std::array<long long, kMsgTypeCount> stats_sent_{};
  std::array<long long, kMsgTypeCount> stats_received_{};

  server::Server* srv() const { return srv_; }
  // Replication offset this node announces (master_repl_offset, or the
  // replica's processed offset).
  int64_t MyReplOffset() const;

 private:
  friend class Link;
  bool LoadConfig(bool* found);
  bool LockConfig();
  void ProcessGossipSection(const Message& m, Link* link);
  bool UpdateAddressIfNeeded(Node* node, Link* link, const Message& m);
  Node* NodeFromLinkAndMsg(Link* link, const Message& m);
  int GetReplicaRank();
  void LogCantFailover(int reason);
  // clusterNodeCronHandleReconnect: true when the node needs no more work.
  bool CronHandleReconnect(Node* node, int64_t handshake_timeout, int64_t now);
  bool ConnectNode(Node* node);
  void ReapLinks();

  server::Server* srv_;
  Node* myself_ = nullptr;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> nodes_;
  std::vector<Node*> order_;  // nodes_ in insertion order (CLUSTER NODES)
  std::array<Node*, kSlots> slots_{};
  std::array<Node*, kSlots> migrating_{};
  std::array<Node*, kSlots> importing_{};
  SlotBitmap owner_not_claiming_{};
  std::map<std::string, int64_t, std::less<>> blacklist_;  // name -> expire (s)
  bool state_ok_ = false;
  int size_ = 1;
  int todo_ = 0;
  int64_t first_update_state_ms_ = 0;
  int64_t among_minority_time_ = 0;
  int64_t last_cron_ms_ = 0;
  uint64_t cron_iteration_ = 0;
  uint64_t pings_sent_ = 0;
  int config_lock_fd_ = -1;
  std::string config_path_;
  std::string prev_announce_ip_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::vector<Link*> links_;      // every live link
  std::vector<Link*> dead_links_;  // closed, deleted at the next BeforeSleep
};

// The cluster of this process (null unless cluster-enabled).
Cluster* Get();
std::unique_ptr<Cluster> Create(server::Server* srv);

// The hash slot of a key (Redis's keyHashSlot, with hash tags).
int KeySlot(std::string_view key);

}  // namespace vireo::cluster
