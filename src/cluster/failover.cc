// Replica failover, votes, manual failover and replica migration (Redis
// 7.0.15's clusterHandleSlaveFailover, clusterSendFailoverAuthIfNeeded,
// clusterGetSlaveRank, clusterFailoverReplaceYourMaster, the manual
// failover functions and clusterHandleSlaveMigration).
//
// The election: when its master is FAIL, a replica waits 500 ms plus a
// random 0-500 ms plus 1 s per better-placed replica (rank by replication
// offset, so the most up-to-date one usually wins), bumps currentEpoch and
// asks every master for its vote. Each master votes once per epoch, and
// at most once per 2 node timeouts for the same failed master. A majority
// of the masters serving slots makes the replica the new master with the
// election's epoch as its configEpoch; PONGs tell everybody.
//
// CLUSTER FAILOVER (no option) is the lossless one: the replica sends
// MFSTART, the master pauses writes and announces its offset, the replica
// waits until it has processed exactly that offset and only then runs the
// election with FORCEACK (masters vote even though the master is up).
#include <cinttypes>
#include <random>

#include "cluster/cluster.h"
#include "server/client_admin.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::cluster {

using server::Log;
using server::LogLevel;

namespace {
constexpr int64_t kCantFailoverRelogPeriod = 10;      // seconds
constexpr int64_t kReplicaMigrationDelay = 5000;      // CLUSTER_SLAVE_MIGRATION_DELAY
}  // namespace

void Cluster::SendFailoverAuthIfNeeded(Node* node, const Message& request) {
  Node* master = node->replicaof;
  uint64_t req_current_epoch = request.current_epoch;
  uint64_t req_config_epoch = request.config_epoch;
  bool force_ack = request.mflags0 & kMfForceAck;
  // Only masters serving slots vote.
  if (myself_->is_replica() || myself_->numslots == 0) return;
  if (req_current_epoch < current_epoch) {
    Log(LogLevel::kWarning, "Failover auth denied to %.40s: reqEpoch (%" PRIu64 ") < curEpoch(%" PRIu64 ")",
        node->name.c_str(), req_current_epoch, current_epoch);
    return;
  }
  if (last_vote_epoch == current_epoch) {
    Log(LogLevel::kWarning, "Failover auth denied to %.40s: already voted for epoch %" PRIu64,
        node->name.c_str(), current_epoch);
    return;
  }
  if (node->is_master() || master == nullptr || (!master->failed() && !force_ack)) {
    if (node->is_master()) {
      Log(LogLevel::kWarning, "Failover auth denied to %.40s: it is a master node", node->name.c_str());
    } else if (master == nullptr) {
      Log(LogLevel::kWarning, "Failover auth denied to %.40s: I don't know its master", node->name.c_str());
    } else {
      Log(LogLevel::kWarning, "Failover auth denied to %.40s: its master is up", node->name.c_str());
    }
    return;
  }
  int64_t timeout = srv_->cfg().cluster_node_timeout;
  int64_t now = srv_->now_ms();
  if (now - master->voted_time < timeout * 2) {
    Log(LogLevel::kWarning,
        "Failover auth denied to %.40s: can't vote about this master before %lld milliseconds",
        node->name.c_str(), static_cast<long long>(timeout * 2 - (now - master->voted_time)));
    return;
  }
  // The replica's claimed slots must not be owned by a newer config.
  for (int j = 0; j < kSlots; j++) {
    if (!SlotBit(request.slots, j)) continue;
    if (slots_[j] == nullptr || SlotBit(owner_not_claiming_, j) || slots_[j]->config_epoch <= req_config_epoch)
      continue;
    Log(LogLevel::kWarning, "Failover auth denied to %.40s: slot %d epoch (%" PRIu64 ") > reqEpoch (%" PRIu64 ")",
        node->name.c_str(), j, slots_[j]->config_epoch, req_config_epoch);
    return;
  }
  last_vote_epoch = current_epoch;
  master->voted_time = now;
  DoBeforeSleep(kTodoSaveConfig | kTodoFsyncConfig);
  SendFailoverAuth(node);
  Log(LogLevel::kWarning, "Failover auth granted to %.40s for epoch %" PRIu64, node->name.c_str(), current_epoch);
}

int Cluster::GetReplicaRank() {
  Node* master = myself_->replicaof;
  if (!master) return 0;
  int64_t myoffset = MyReplOffset();
  int rank = 0;
  for (Node* r : master->replicas) {
    if (r != myself_ && !(r->flags & kNodeNoFailover) && r->repl_offset > myoffset) rank++;
  }
  return rank;
}

void Cluster::LogCantFailover(int reason) {
  int64_t nolog_fail_time = srv_->cfg().cluster_node_timeout + 5000;
  if (reason == cant_failover_reason && srv_->unixtime() - last_cant_failover_log < kCantFailoverRelogPeriod)
    return;
  cant_failover_reason = reason;
  // Why quiet at first: right after the master fails these are expected.
  if (myself_->replicaof && myself_->replicaof->failed() &&
      srv_->now_ms() - myself_->replicaof->fail_time < nolog_fail_time)
    return;
  const char* msg;
  switch (reason) {
    case kCantDataAge:
      msg = "Disconnected from master for longer than allowed. Please check the "
            "'cluster-replica-validity-factor' configuration option.";
      break;
    case kCantWaitingDelay: msg = "Waiting the delay before I can start a new failover."; break;
    case kCantExpired: msg = "Failover attempt expired."; break;
    case kCantWaitingVotes: msg = "Waiting for votes, but majority still not reached."; break;
    default: msg = "Unknown reason code."; break;
  }
  last_cant_failover_log = srv_->unixtime();
  Log(LogLevel::kWarning, "Currently unable to failover: %s", msg);
}

void Cluster::FailoverReplaceYourMaster() {
  Node* oldmaster = myself_->replicaof;
  if (myself_->is_master() || oldmaster == nullptr) return;
  SetNodeAsMaster(myself_);
  srv_->replication()->ClusterUnsetMaster();
  for (int j = 0; j < kSlots; j++) {
    if (SlotBit(oldmaster->slots, j)) {
      DelSlot(j);
      AddSlot(myself_, j);
    }
  }
  UpdateState();
  SaveConfigOrDie(true);
  BroadcastPong(false);
  ResetManualFailover();
}

void Cluster::HandleReplicaFailover() {
  int64_t now = srv_->now_ms();
  int64_t auth_age = now - failover_auth_time;
  int needed_quorum = size_ / 2 + 1;
  bool manual = mf_end != 0 && mf_can_start;
  todo_ &= ~kTodoHandleFailover;
  int64_t timeout = srv_->cfg().cluster_node_timeout;
  int64_t auth_timeout = std::max<int64_t>(timeout * 2, 2000);
  int64_t auth_retry_time = auth_timeout * 2;
  if (myself_->is_master() || myself_->replicaof == nullptr || (!myself_->replicaof->failed() && !manual) ||
      (srv_->cfg().cluster_replica_no_failover && !manual) || myself_->replicaof->numslots == 0) {
    cant_failover_reason = kCantNone;
    return;
  }
  // How old our data is: since the last interaction with the master, or
  // since the link went down; the node timeout itself does not count.
  int64_t data_age = srv_->replication()->master_data_age_ms();
  if (data_age > timeout) data_age -= timeout;
  int factor = srv_->cfg().cluster_replica_validity_factor;
  if (factor && data_age > static_cast<int64_t>(srv_->cfg().repl_ping_replica_period) * 1000 + timeout * factor) {
    if (!manual) {
      LogCantFailover(kCantDataAge);
      return;
    }
  }
  if (auth_age > auth_retry_time) {
    static std::mt19937 rng{std::random_device{}()};
    failover_auth_time = now + 500 + static_cast<int64_t>(rng() % 500);
    failover_auth_count = 0;
    failover_auth_sent = false;
    failover_auth_rank = GetReplicaRank();
    failover_auth_time += failover_auth_rank * 1000;
    if (mf_end) {
      failover_auth_time = now;
      failover_auth_rank = 0;
      DoBeforeSleep(kTodoHandleFailover);
    }
    Log(LogLevel::kWarning, "Start of election delayed for %lld milliseconds (rank #%d, offset %lld).",
        static_cast<long long>(failover_auth_time - now), failover_auth_rank,
        static_cast<long long>(MyReplOffset()));
    // Our offset reaches the other replicas so they can rank themselves.
    BroadcastPong(true);
    return;
  }
  if (!failover_auth_sent && mf_end == 0) {
    int newrank = GetReplicaRank();
    if (newrank > failover_auth_rank) {
      long long added = (newrank - failover_auth_rank) * 1000LL;
      failover_auth_time += added;
      failover_auth_rank = newrank;
      Log(LogLevel::kWarning, "Replica rank updated to #%d, added %lld milliseconds of delay.", newrank, added);
    }
  }
  if (now < failover_auth_time) {
    LogCantFailover(kCantWaitingDelay);
    return;
  }
  if (auth_age > auth_timeout) {
    LogCantFailover(kCantExpired);
    return;
  }
  if (!failover_auth_sent) {
    current_epoch++;
    failover_auth_epoch = current_epoch;
    Log(LogLevel::kWarning, "Starting a failover election for epoch %" PRIu64 ".", current_epoch);
    RequestFailoverAuth();
    failover_auth_sent = true;
    DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState | kTodoFsyncConfig);
    return;
  }
  if (failover_auth_count >= needed_quorum) {
    Log(LogLevel::kWarning, "Failover election won: I'm the new master.");
    if (myself_->config_epoch < failover_auth_epoch) {
      myself_->config_epoch = failover_auth_epoch;
      Log(LogLevel::kWarning, "configEpoch set to %" PRIu64 " after successful failover", myself_->config_epoch);
    }
    FailoverReplaceYourMaster();
  } else {
    LogCantFailover(kCantWaitingVotes);
  }
}

void Cluster::HandleReplicaMigration(int max_replicas) {
  if (!state_ok_) return;
  Node* mymaster = myself_->replicaof;
  if (!mymaster) return;
  int okreplicas = 0;
  for (Node* r : mymaster->replicas) {
    if (!r->failed() && !r->timed_out()) okreplicas++;
  }
  if (okreplicas <= srv_->cfg().cluster_migration_barrier) return;
  // The replica with the smallest name among the masters with the most
  // replicas migrates, so only one moves at a time.
  Node* candidate = myself_;
  Node* target = nullptr;
  int64_t now = srv_->now_ms();
  for (Node* n : order_) {
    int ok = 0;
    bool orphaned = true;
    if (n->is_replica() || n->failed()) orphaned = false;
    if (!(n->flags & kNodeMigrateTo)) orphaned = false;
    if (n->is_master()) ok = CountNonFailingReplicas(n);
    if (ok > 0) orphaned = false;
    if (orphaned) {
      if (!target && n->numslots > 0) target = n;
      if (!n->orphaned_time) n->orphaned_time = now;
    } else {
      n->orphaned_time = 0;
    }
    if (ok == max_replicas) {
      for (Node* r : n->replicas) {
        if (r->name < candidate->name) candidate = r;
      }
    }
  }
  if (target && candidate == myself_ && now - target->orphaned_time > kReplicaMigrationDelay) {
    Log(LogLevel::kWarning, "Migrating to orphaned master %.40s", target->name.c_str());
    SetMyMaster(target);
  }
}

void Cluster::ResetManualFailover() {
  if (mf_replica) server::UnpauseFor(*srv_, server::Server::kPauseDuringFailover);
  mf_end = 0;
  mf_can_start = false;
  mf_replica = nullptr;
  mf_master_offset = -1;
}

void Cluster::ManualFailoverCheckTimeout() {
  if (mf_end && mf_end < srv_->now_ms()) {
    Log(LogLevel::kWarning, "Manual failover timed out.");
    ResetManualFailover();
  }
}

void Cluster::HandleManualFailover() {
  if (mf_end == 0 || mf_can_start || mf_master_offset == -1) return;
  if (mf_master_offset == MyReplOffset()) {
    mf_can_start = true;
    Log(LogLevel::kWarning, "All master replication stream processed, manual failover can start.");
    DoBeforeSleep(kTodoHandleFailover);
    return;
  }
  DoBeforeSleep(kTodoHandleManualFailover);
}

std::string Cluster::StartManualFailover(bool force, bool takeover) {
  if (myself_->is_master()) return "ERR You should send CLUSTER FAILOVER to a replica";
  if (myself_->replicaof == nullptr) return "ERR I'm a replica but my master is unknown to me";
  if (!force && (myself_->replicaof->failed() || myself_->replicaof->link == nullptr)) {
    return "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE";
  }
  ResetManualFailover();
  mf_end = srv_->now_ms() + kMfTimeout;
  if (takeover) {
    // Why no election: TAKEOVER is for when no majority of masters is
    // reachable; the new configEpoch alone wins the slots.
    Log(LogLevel::kWarning, "Taking over the master (user request).");
    BumpConfigEpochWithoutConsensus();
    FailoverReplaceYourMaster();
  } else if (force) {
    Log(LogLevel::kWarning, "Forced failover user request accepted.");
    mf_can_start = true;
  } else {
    Log(LogLevel::kWarning, "Manual failover user request accepted.");
    SendMfStart(myself_->replicaof);
  }
  return {};
}

}  // namespace vireo::cluster
