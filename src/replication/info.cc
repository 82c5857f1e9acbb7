// INFO replication and ROLE (Redis 7.0's genRedisInfoString replication
// section and roleCommand), field for field: Sentinel, redis-cli and
// client libraries parse these.
#include <cstdarg>
#include <cstdio>
#include <ctime>

#include "base/numbers.h"
#include "replication/replication.h"
#include "server/server.h"

namespace vireo::replication {

const char* ReplicaStateName(ReplicaState s);

namespace {
bool InHandshake(LinkState s) { return s >= LinkState::kReceivePingReply && s <= LinkState::kReceivePsyncReply; }
}  // namespace

void Replication::AppendInfo(std::string* s) {
  const server::Config& cfg = srv_->cfg();
  int64_t now = time(nullptr);
  base::AppendPrintf(s, "role:%s\r\n", is_replica() ? "slave" : "master");
  if (is_replica()) {
    long long off = 1, read_off = 1;
    if (master_) {
      auto& l = static_cast<MasterLink&>(*master_->repl);
      off = l.reploff;
      read_off = l.read_reploff;
    } else if (cached_master_) {
      off = read_off = cached_master_->reploff;
    }
    base::AppendPrintf(s,
        "master_host:%s\r\n"
        "master_port:%d\r\n"
        "master_link_status:%s\r\n"
        "master_last_io_seconds_ago:%d\r\n"
        "master_sync_in_progress:%d\r\n"
        "slave_read_repl_offset:%lld\r\n"
        "slave_repl_offset:%lld\r\n",
        masterhost_.c_str(), masterport_, link_state_ == LinkState::kConnected ? "up" : "down",
        master_ ? static_cast<int>(now - master_->last_interaction_ms / 1000) : -1,
        link_state_ == LinkState::kTransfer ? 1 : 0, read_off, off);
    if (link_state_ == LinkState::kTransfer) {
      double perc = transfer_size_ > 0 ? static_cast<double>(transfer_read_) / static_cast<double>(transfer_size_) * 100 : 0;
      base::AppendPrintf(s,
          "master_sync_total_bytes:%lld\r\n"
          "master_sync_read_bytes:%lld\r\n"
          "master_sync_left_bytes:%lld\r\n"
          "master_sync_perc:%.2f\r\n"
          "master_sync_last_io_seconds_ago:%d\r\n",
          static_cast<long long>(transfer_size_), static_cast<long long>(transfer_read_),
          static_cast<long long>(transfer_size_ - transfer_read_), perc, static_cast<int>(now - transfer_lastio_));
    }
    if (link_state_ != LinkState::kConnected) {
      base::AppendPrintf(s, "master_link_down_since_seconds:%lld\r\n",
          down_since_ ? static_cast<long long>(now - down_since_) : -1LL);
    }
    base::AppendPrintf(s,
        "slave_priority:%d\r\n"
        "slave_read_only:%d\r\n"
        "replica_announced:%d\r\n",
        cfg.replica_priority, cfg.replica_read_only ? 1 : 0, cfg.replica_announced ? 1 : 0);
  }
  base::AppendPrintf(s, "connected_slaves:%zu\r\n", replicas_.size());
  if (cfg.min_replicas_to_write && cfg.min_replicas_max_lag) base::AppendPrintf(s, "min_slaves_good_slaves:%d\r\n", good_replicas_);
  int id = 0;
  for (Client* c : replicas_) {
    const ReplicaLink& l = *static_cast<const ReplicaLink*>(c->repl.get());
    long lag = l.state == ReplicaState::kOnline ? static_cast<long>(now - l.ack_time) : 0;
    base::AppendPrintf(s, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%ld\r\n", id++, ReplicaIp(*c).c_str(),
        l.listening_port, ReplicaStateName(l.state), static_cast<long long>(l.ack_off), lag);
  }
  base::AppendPrintf(s,
      "master_failover_state:%s\r\n"
      "master_replid:%s\r\n"
      "master_replid2:%s\r\n"
      "master_repl_offset:%lld\r\n"
      "second_repl_offset:%lld\r\n"
      "repl_backlog_active:%d\r\n"
      "repl_backlog_size:%lld\r\n"
      "repl_backlog_first_byte_offset:%lld\r\n"
      "repl_backlog_histlen:%lld\r\n",
      failover_state_name(), replid_, replid2_, static_cast<long long>(buf_.master_offset()),
      static_cast<long long>(second_replid_offset_), buf_.backlog_active() ? 1 : 0,
      static_cast<long long>(buf_.backlog_size()), static_cast<long long>(buf_.backlog_offset()),
      static_cast<long long>(buf_.histlen()));
}

void Replication::RoleCommand(Client& c) {
  if (!is_replica()) {
    c.reply.ArrayLen(3);
    c.reply.Bulk("master");
    c.reply.Int(buf_.master_offset());
    auto d = c.reply.BeginDeferred();
    int n = 0;
    for (Client* r : replicas_) {
      const ReplicaLink& l = *static_cast<const ReplicaLink*>(r->repl.get());
      if (l.state != ReplicaState::kOnline) continue;
      c.reply.ArrayLen(3);
      c.reply.Bulk(ReplicaIp(*r));
      c.reply.BulkInt(l.listening_port);
      c.reply.BulkInt(l.ack_off);
      n++;
    }
    c.reply.EndDeferredArray(d, n);
    return;
  }
  c.reply.ArrayLen(5);
  c.reply.Bulk("slave");
  c.reply.Bulk(masterhost_);
  c.reply.Int(masterport_);
  const char* state = "unknown";
  if (InHandshake(link_state_)) {
    state = "handshake";
  } else {
    switch (link_state_) {
      case LinkState::kNone: state = "none"; break;
      case LinkState::kConnect: state = "connect"; break;
      case LinkState::kConnecting: state = "connecting"; break;
      case LinkState::kTransfer: state = "sync"; break;
      case LinkState::kConnected: state = "connected"; break;
      default: break;
    }
  }
  c.reply.Bulk(state);
  c.reply.Int(master_ ? static_cast<MasterLink&>(*master_->repl).reploff : -1);
}

}  // namespace vireo::replication
