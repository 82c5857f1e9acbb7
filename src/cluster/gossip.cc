// What each bus message does, and the cluster cron (Redis 7.0.15's
// clusterProcessPacket, clusterProcessGossipSection,
// nodeUpdateAddressIfNeeded, clusterUpdateSlotsConfigWith, clusterCron and
// clusterBeforeSleep).
//
// The rules follow Redis to the letter because every node of a mixed
// cluster must reach the same conclusions from the same messages: epochs
// only grow, the higher configEpoch wins a slot, failure reports only
// count from masters, and a node's identity is its 40-char name (an
// address is only where to find it).
#include <algorithm>
#include <cinttypes>
#include <random>

#include "cluster/cluster.h"
#include "net/listener.h"
#include "server/client_admin.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::cluster {

using server::Log;
using server::LogLevel;

Node* Cluster::NodeFromLinkAndMsg(Link* link, const Message& m) {
  if (link->node && !link->node->in_handshake()) return link->node;
  Node* sender = LookupNode(m.sender);
  // Why only inbound: an outbound link knows its node from the start.
  if (sender && !link->node) {
    if (sender->inbound_link && sender->inbound_link != link) {
      Log(LogLevel::kDebug, "Replacing inbound link fd %d from node %.40s with fd %d",
          sender->inbound_link->fd(), sender->name.c_str(), link->fd());
    }
    sender->inbound_link = link;
    link->node = sender;
  }
  return sender;
}

void Cluster::ProcessGossipSection(const Message& m, Link* link) {
  Node* sender = link->node ? link->node : LookupNode(m.sender);
  for (const Gossip& g : m.gossip) {
    Node* node = LookupNode(g.name);
    if (node) {
      // Failure reports count only from masters.
      if (sender && sender->is_master() && node != myself_) {
        if (g.flags & (kNodeFail | kNodePFail)) {
          if (AddFailureReport(node, sender)) {
            Log(LogLevel::kVerbose, "Node %.40s reported node %.40s as not reachable.", sender->name.c_str(),
                node->name.c_str());
          }
          MarkNodeAsFailingIfNeeded(node);
        } else if (DelFailureReport(node, sender)) {
          Log(LogLevel::kVerbose, "Node %.40s reported node %.40s is back online.", sender->name.c_str(),
              node->name.c_str());
        }
      }
      // Why: a node others hear from recently is not pinged by us in vain;
      // its pong time follows theirs (never in the future, 500 ms slack).
      if (!(g.flags & (kNodeFail | kNodePFail)) && node->ping_sent == 0 && FailureReportsCount(node) == 0) {
        int64_t pongtime = static_cast<int64_t>(g.pong_received) * 1000;
        if (pongtime <= srv_->now_ms() + 500 && pongtime > node->pong_received) node->pong_received = pongtime;
      }
      // A node we cannot reach, seen at another address by a node that
      // can: try the new address.
      if ((node->flags & (kNodeFail | kNodePFail)) && !(g.flags & kNodeNoAddr) &&
          !(g.flags & (kNodeFail | kNodePFail)) &&
          (node->ip != g.ip || node->port != g.port || node->cport != g.cport)) {
        if (node->link) FreeLink(node->link);
        node->ip = g.ip;
        node->port = g.port;
        node->pport = g.pport;
        node->cport = g.cport;
        node->flags &= ~kNodeNoAddr;
      }
    } else if (sender && !(g.flags & kNodeNoAddr) && !BlacklistExists(g.name)) {
      // Why not a handshake: the address may belong to another cluster by
      // now; the node is trusted because a known node vouches for it.
      Node* n = CreateNode(g.name, g.flags);
      n->ip = g.ip;
      n->port = g.port;
      n->pport = g.pport;
      n->cport = g.cport;
      AddNode(n);
    }
  }
}

bool Cluster::UpdateAddressIfNeeded(Node* node, Link* link, const Message& m) {
  if (link == node->link) return false;
  std::string ip = m.myip;
  if (ip.empty()) {
    std::string peer = net::PeerAddress(link->fd());
    size_t colon = peer.rfind(':');
    if (colon == std::string::npos || peer[0] == '?') return false;
    ip = peer.substr(0, colon);
    if (ip.size() >= 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  }
  if (node->port == m.port && node->cport == m.cport && node->pport == m.pport && node->ip == ip) return false;
  node->ip = ip;
  node->port = m.port;
  node->pport = m.pport;
  node->cport = m.cport;
  if (node->link) FreeLink(node->link);
  node->flags &= ~kNodeNoAddr;
  Log(LogLevel::kWarning, "Address updated for node %.40s, now %s:%d", node->name.c_str(), node->ip.c_str(),
      node->port);
  if (myself_->is_replica() && myself_->replicaof == node) {
    srv_->replication()->ClusterSetMaster(node->ip, node->port);
  }
  return true;
}

void Cluster::UpdateSlotsConfigWith(Node* sender, uint64_t sender_config_epoch, const SlotBitmap& slots) {
  Node* curmaster = myself_->is_master() ? myself_ : myself_->replicaof;
  Node* newmaster = nullptr;
  std::vector<int> dirty_slots;
  int sender_slots = 0, migrated_our_slots = 0;
  if (sender == myself_) {
    Log(LogLevel::kWarning, "Discarding UPDATE message about myself.");
    return;
  }
  for (int j = 0; j < kSlots; j++) {
    if (SlotBit(slots, j)) {
      sender_slots++;
      if (slots_[j] == sender) {
        SetSlotBit(owner_not_claiming_, j, false);
        continue;
      }
      // Why: a slot we are importing is ours to assign (CLUSTER SETSLOT
      // NODE ends the migration), never taken from gossip.
      if (importing_[j]) continue;
      if (slots_[j] == nullptr || SlotBit(owner_not_claiming_, j) ||
          slots_[j]->config_epoch < sender_config_epoch) {
        if (slots_[j] == myself_ && srv_->keyspace().CountKeysInSlot(j) && sender != myself_) {
          dirty_slots.push_back(j);
        }
        if (slots_[j] == curmaster) {
          newmaster = sender;
          migrated_our_slots++;
        }
        DelSlot(j);
        AddSlot(sender, j);
        SetSlotBit(owner_not_claiming_, j, false);
        DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState | kTodoFsyncConfig);
      }
    } else if (slots_[j] == sender) {
      SetSlotBit(owner_not_claiming_, j, true);
    }
  }
  if (newmaster && curmaster->numslots == 0 &&
      (srv_->cfg().cluster_allow_replica_migration || sender_slots == migrated_our_slots)) {
    Log(LogLevel::kWarning, "Configuration change detected. Reconfiguring myself as a replica of %.40s",
        sender->name.c_str());
    SetMyMaster(sender);
    DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState | kTodoFsyncConfig);
  } else if (myself_->replicaof && myself_->replicaof->replicaof &&
             myself_->replicaof->replicaof != myself_) {
    Log(LogLevel::kWarning, "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster %.40s",
        myself_->replicaof->replicaof->name.c_str());
    SetMyMaster(myself_->replicaof->replicaof);
    DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState | kTodoFsyncConfig);
  } else {
    // Why: keys of slots we lost to a newer owner are stale; Redis deletes
    // them so the slot is clean if it ever comes back.
    for (int slot : dirty_slots) srv_->keyspace().DeleteKeysInSlot(slot);
  }
}

bool Cluster::ProcessPacket(Link* link, const Message& m) {
  int64_t now = srv_->now_ms();
  uint16_t type = m.type;
  if (type < kMsgTypeCount) stats_received_[type]++;
  if (type == drop_packet_filter) {
    Log(LogLevel::kWarning, "Dropping packet that matches debug drop filter");
    return true;
  }
  Node* sender = NodeFromLinkAndMsg(link, m);
  if (sender) sender->data_received = now;
  uint64_t sender_current_epoch = 0, sender_config_epoch = 0;
  if (sender && !sender->in_handshake()) {
    sender_current_epoch = m.current_epoch;
    sender_config_epoch = m.config_epoch;
    if (sender_current_epoch > current_epoch) current_epoch = sender_current_epoch;
    if (sender_config_epoch > sender->config_epoch) {
      sender->config_epoch = sender_config_epoch;
      DoBeforeSleep(kTodoSaveConfig | kTodoFsyncConfig);
    }
    sender->repl_offset = static_cast<int64_t>(m.offset);
    sender->repl_offset_time = now;
    // A replica in manual failover learns the offset its paused master
    // stopped at.
    if (mf_end && myself_->is_replica() && myself_->replicaof == sender && (m.mflags0 & kMfPaused) &&
        mf_master_offset == -1) {
      mf_master_offset = sender->repl_offset;
      DoBeforeSleep(kTodoHandleManualFailover);
      Log(LogLevel::kWarning, "Received replication offset for paused master manual failover: %" PRId64,
          mf_master_offset);
    }
  }

  if (type == kMsgPing || type == kMsgMeet) {
    // Why from MEET: only cluster nodes MEET us, at the address they know
    // us by; a node without an address takes it even from a PING.
    if ((type == kMsgMeet || myself_->ip.empty()) && srv_->cfg().cluster_announce_ip.empty()) {
      std::string local = net::LocalAddress(link->fd());
      size_t colon = local.rfind(':');
      if (colon != std::string::npos && local[0] != '?') {
        std::string ip = local.substr(0, colon);
        if (ip.size() >= 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
        if (ip != myself_->ip) {
          myself_->ip = ip;
          Log(LogLevel::kWarning, "IP address for this node updated to %s", myself_->ip.c_str());
          DoBeforeSleep(kTodoSaveConfig);
        }
      }
    }
    if (!sender && type == kMsgMeet) {
      Node* n = CreateNode({}, kNodeHandshake);
      std::string ip = m.myip;
      if (ip.empty()) {
        std::string peer = net::PeerAddress(link->fd());
        size_t colon = peer.rfind(':');
        ip = colon == std::string::npos ? std::string() : peer.substr(0, colon);
        if (ip.size() >= 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
      }
      n->ip = ip;
      n->port = m.port;
      n->pport = m.pport;
      n->cport = m.cport;
      AddNode(n);
      DoBeforeSleep(kTodoSaveConfig);
      // Why trusted: a MEET is sent only by a node an admin told to join us.
      ProcessGossipSection(m, link);
    }
    SendPing(link, kMsgPong);
  }

  if (type == kMsgPing || type == kMsgPong || type == kMsgMeet) {
    if (!link->inbound) {
      if (link->node->in_handshake()) {
        if (sender) {
          // We know this node under its real name already: drop the
          // handshake node (and with it this link).
          Log(LogLevel::kVerbose, "Handshake: we already know node %.40s, updating the address if needed.",
              sender->name.c_str());
          if (UpdateAddressIfNeeded(sender, link, m)) DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
          DelNode(link->node);
          return false;
        }
        RenameNode(link->node, m.sender);
        Log(LogLevel::kDebug, "Handshake with node %.40s completed.", link->node->name.c_str());
        link->node->flags &= ~kNodeHandshake;
        link->node->flags |= m.flags & (kNodeMaster | kNodeSlave);
        DoBeforeSleep(kTodoSaveConfig);
      } else if (link->node->name != m.sender) {
        Log(LogLevel::kDebug, "PONG contains mismatching sender ID. About node %.40s added %d ms ago, having flags %d",
            link->node->name.c_str(), static_cast<int>(now - link->node->ctime), link->node->flags);
        Node* n = link->node;
        n->flags |= kNodeNoAddr;
        n->ip.clear();
        n->port = n->pport = n->cport = 0;
        FreeLink(link);
        DoBeforeSleep(kTodoSaveConfig);
        return false;
      }
    }
    if (sender) {
      sender->flags &= ~kNodeNoFailover;
      sender->flags |= m.flags & kNodeNoFailover;
    }
    if (sender && type == kMsgPing && !sender->in_handshake() && UpdateAddressIfNeeded(sender, link, m)) {
      DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
    }
    if (!link->inbound && type == kMsgPong) {
      link->node->pong_received = now;
      link->node->ping_sent = 0;
      if (link->node->timed_out()) {
        link->node->flags &= ~kNodePFail;
        DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
      } else if (link->node->failed()) {
        ClearNodeFailureIfNeeded(link->node);
      }
    }
    // Role switches.
    if (sender) {
      if (m.slaveof.empty()) {
        SetNodeAsMaster(sender);
      } else {
        Node* master = LookupNode(m.slaveof);
        if (sender->is_master()) {
          DelNodeSlots(sender);
          sender->flags &= ~(kNodeMaster | kNodeMigrateTo);
          sender->flags |= kNodeSlave;
          DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
        }
        if (master && sender->replicaof != master) {
          if (sender->replicaof) RemoveReplica(sender->replicaof, sender);
          AddReplica(master, sender);
          sender->replicaof = master;
          DoBeforeSleep(kTodoSaveConfig);
        }
      }
    }
    // Slots.
    Node* sender_master = nullptr;
    bool dirty_slots = false;
    if (sender) {
      sender_master = sender->is_master() ? sender : sender->replicaof;
      if (sender_master) dirty_slots = sender_master->slots != m.slots;
    }
    if (sender && sender->is_master() && dirty_slots) UpdateSlotsConfigWith(sender, sender_config_epoch, m.slots);
    // The sender claims slots a newer master owns: tell it (UPDATE).
    if (sender && dirty_slots) {
      for (int j = 0; j < kSlots; j++) {
        if (!SlotBit(m.slots, j)) continue;
        if (slots_[j] == sender || slots_[j] == nullptr || SlotBit(owner_not_claiming_, j)) continue;
        if (slots_[j]->config_epoch > sender_config_epoch) {
          Log(LogLevel::kVerbose, "Node %.40s has old slots configuration, sending an UPDATE message about %.40s",
              sender->name.c_str(), slots_[j]->name.c_str());
          SendUpdate(sender->link, slots_[j]);
          break;
        }
      }
    }
    if (sender && myself_->is_master() && sender->is_master() && sender_config_epoch == myself_->config_epoch) {
      HandleConfigEpochCollision(sender);
    }
    if (sender) {
      ProcessGossipSection(m, link);
      // The hostname extension (clusterProcessPingExtensions): absent
      // means the sender has none.
      if (sender->hostname != m.hostname) {
        sender->hostname = m.hostname;
        DoBeforeSleep(kTodoSaveConfig);
      }
    }
  } else if (type == kMsgFail) {
    if (sender) {
      Node* failing = LookupNode(m.fail_name);
      if (failing && !(failing->flags & (kNodeFail | kNodeMyself))) {
        Log(LogLevel::kNotice, "FAIL message received from %.40s about %.40s", m.sender.c_str(),
            m.fail_name.c_str());
        failing->flags |= kNodeFail;
        failing->fail_time = now;
        failing->flags &= ~kNodePFail;
        DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
      }
    } else {
      Log(LogLevel::kNotice, "Ignoring FAIL message from unknown node %.40s about %.40s", m.sender.c_str(),
          m.fail_name.c_str());
    }
  } else if (type == kMsgPublish || type == kMsgPublishShard) {
    if (!sender) return true;
    srv_->pubsub().Publish(m.channel, m.payload, type == kMsgPublishShard);
  } else if (type == kMsgFailoverAuthRequest) {
    if (!sender) return true;
    SendFailoverAuthIfNeeded(sender, m);
  } else if (type == kMsgFailoverAuthAck) {
    if (!sender) return true;
    // A vote counts from a master with slots, for this election's epoch.
    if (sender->is_master() && sender->numslots > 0 && sender_current_epoch >= failover_auth_epoch) {
      failover_auth_count++;
      DoBeforeSleep(kTodoHandleFailover);
    }
  } else if (type == kMsgMfStart) {
    if (!sender || sender->replicaof != myself_) return true;
    ResetManualFailover();
    mf_end = now + kMfTimeout;
    mf_replica = sender;
    server::PauseFor(*srv_, server::Server::kPauseDuringFailover, now + kMfTimeout * kMfPauseMult, true);
    Log(LogLevel::kWarning, "Manual failover requested by replica %.40s.", sender->name.c_str());
    // Why a PING now: it carries the paused offset the replica waits for.
    SendPing(link, kMsgPing);
  } else if (type == kMsgUpdate) {
    if (!sender) return true;
    Node* n = LookupNode(m.update_name);
    if (!n) return true;
    if (n->config_epoch >= m.update_config_epoch) return true;
    if (n->is_replica()) SetNodeAsMaster(n);
    n->config_epoch = m.update_config_epoch;
    DoBeforeSleep(kTodoSaveConfig | kTodoFsyncConfig);
    UpdateSlotsConfigWith(n, m.update_config_epoch, m.update_slots);
  } else if (type == kMsgModule) {
    // Why nothing: no module is loaded, so no receiver exists (Redis would
    // find none either).
  } else {
    Log(LogLevel::kWarning, "Received unknown packet type: %d", type);
  }
  return !link->closed();
}

// --- cron ---------------------------------------------------------------------------

bool Cluster::CronHandleReconnect(Node* node, int64_t handshake_timeout, int64_t now) {
  if (node->flags & (kNodeMyself | kNodeNoAddr)) return true;
  if (node->flags & kNodePFail) stats_pfail_nodes++;
  if (node->in_handshake() && now - node->ctime > handshake_timeout) {
    DelNode(node);
    return true;
  }
  if (node->link == nullptr && !ConnectNode(node)) {
    if (node->ping_sent == 0) node->ping_sent = srv_->now_ms();
  }
  return false;
}

void Cluster::Cron() {
  int64_t now = srv_->now_ms();
  // Why paced here: Redis runs clusterCron every 100 ms whatever hz is.
  if (now - last_cron_ms_ < 90) return;
  last_cron_ms_ = now;
  cron_iteration_++;
  ConfigChanged();
  int64_t timeout = srv_->cfg().cluster_node_timeout;
  int64_t handshake_timeout = std::max<int64_t>(timeout, 1000);
  stats_pfail_nodes = 0;
  std::vector<Node*> snapshot = order_;
  for (Node* n : snapshot) {
    if (std::find(order_.begin(), order_.end(), n) == order_.end()) continue;
    // cluster-link-sendbuf-limit: a link that cannot drain is dropped.
    unsigned long long limit = srv_->cfg().cluster_link_sendbuf_limit;
    for (Link* l : {n->link, n->inbound_link}) {
      if (l && limit && l->send_pending() > limit) {
        FreeLink(l);
        stat_links_buffer_limit_exceeded++;
      }
    }
    CronHandleReconnect(n, handshake_timeout, now);
  }
  // Every second, ping one of 5 random nodes: the one with the oldest pong.
  if (cron_iteration_ % 10 == 0 && !order_.empty()) {
    static std::mt19937 rng{std::random_device{}()};
    Node* min_node = nullptr;
    for (int j = 0; j < 5; j++) {
      Node* n = order_[rng() % order_.size()];
      if (n->link == nullptr || n->ping_sent != 0) continue;
      if (n->flags & (kNodeMyself | kNodeHandshake)) continue;
      if (!min_node || min_node->pong_received > n->pong_received) min_node = n;
    }
    if (min_node) SendPing(min_node->link, kMsgPing);
  }
  int orphaned_masters = 0, max_replicas = 0, this_replicas = 0;
  bool update_state = false;
  for (Node* n : std::vector<Node*>(order_)) {
    now = srv_->now_ms();
    if (n->flags & (kNodeMyself | kNodeNoAddr | kNodeHandshake)) continue;
    if (myself_->is_replica() && n->is_master() && !n->failed()) {
      int ok = CountNonFailingReplicas(n);
      if (ok == 0 && n->numslots > 0 && (n->flags & kNodeMigrateTo)) orphaned_masters++;
      max_replicas = std::max(max_replicas, ok);
      if (myself_->replicaof == n) this_replicas = ok;
    }
    int64_t ping_delay = now - n->ping_sent;
    int64_t data_delay = now - n->data_received;
    // A link that stopped answering half a timeout ago is reconnected:
    // the peer may be fine and the link stuck.
    if (n->link && now - n->link->ctime > timeout && n->ping_sent && ping_delay > timeout / 2 &&
        data_delay > timeout / 2) {
      FreeLink(n->link);
    }
    if (n->link && n->ping_sent == 0 && now - n->pong_received > timeout / 2) {
      SendPing(n->link, kMsgPing);
      continue;
    }
    if (mf_end && myself_->is_master() && mf_replica == n && n->link) {
      SendPing(n->link, kMsgPing);
      continue;
    }
    if (n->ping_sent == 0) continue;
    int64_t node_delay = std::min(ping_delay, data_delay);
    if (node_delay > timeout && !(n->flags & (kNodePFail | kNodeFail))) {
      Log(LogLevel::kDebug, "*** NODE %.40s possibly failing", n->name.c_str());
      n->flags |= kNodePFail;
      update_state = true;
    }
  }
  // A replica without a replication link (restarted from nodes.conf).
  if (myself_->is_replica() && !srv_->replication()->is_replica() && myself_->replicaof &&
      myself_->replicaof->has_addr()) {
    srv_->replication()->ClusterSetMaster(myself_->replicaof->ip, myself_->replicaof->port);
  }
  ManualFailoverCheckTimeout();
  if (myself_->is_replica()) {
    HandleManualFailover();
    HandleReplicaFailover();
    if (orphaned_masters && max_replicas >= 2 && this_replicas == max_replicas &&
        srv_->cfg().cluster_allow_replica_migration)
      HandleReplicaMigration(max_replicas);
  }
  if (update_state || !state_ok_) UpdateState();
}

void Cluster::BeforeSleep() {
  int flags = todo_;
  todo_ = 0;
  if (flags & kTodoHandleManualFailover) {
    if (myself_->is_replica()) {
      HandleManualFailover();
      HandleReplicaFailover();
    }
  } else if (flags & kTodoHandleFailover) {
    HandleReplicaFailover();
  }
  if (flags & kTodoUpdateState) UpdateState();
  if (flags & kTodoSaveConfig) SaveConfigOrDie(flags & kTodoFsyncConfig);
  ReapLinks();
}

void Cluster::ConfigChanged() {
  if (!myself_) return;
  const auto& c = srv_->cfg();
  uint16_t old = myself_->flags;
  myself_->flags &= ~kNodeNoFailover;
  if (c.cluster_replica_no_failover) myself_->flags |= kNodeNoFailover;
  if (myself_->flags != old) DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
  AnnouncedPorts(&myself_->port, &myself_->pport, &myself_->cport);
  if (c.cluster_announce_ip != prev_announce_ip_) {
    prev_announce_ip_ = c.cluster_announce_ip;
    // Empty: our address is learned again from the next MEET.
    myself_->ip = c.cluster_announce_ip.substr(0, kIpLen - 1);
  }
  myself_->hostname = c.cluster_announce_hostname;
}

}  // namespace vireo::cluster
