// Replication: Redis 7.0's master and replica roles (replication.c), as
// the server's ReplicationHooks.
//
// One object holds the state both roles share, because a replica is also
// a master for its own replicas (chained replication) and either can be
// promoted: the replication IDs and offsets (PSYNC2: replid, replid2 and
// second_repl_offset, so a promoted replica keeps serving partial
// resyncs), the stream buffer with its backlog (repl_buffer.h), and the
// list of attached replicas.
//
//  - master.cc: the master side. It is the kPropagateRepl sink of the one
//    propagation door (SELECT + the command, RESP-encoded once into the
//    shared buffer); SYNC / PSYNC (+FULLRESYNC or +CONTINUE), REPLCONF,
//    the full sync from a BGSAVE file or diskless through a pipe from the
//    fork child ($EOF:<mark> framing, several replicas per snapshot), the
//    stream written from each replica's cursor, PINGs, timeouts, the
//    backlog TTL, min-replicas and WAIT.
//  - replica.cc: the replica side. REPLICAOF, the non-blocking handshake
//    state machine (PING, AUTH, REPLCONF, PSYNC) with Redis's log lines,
//    the transfer to disk or straight into the keyspace
//    (repl-diskless-load), the master link as a Client whose stream runs
//    through the normal dispatcher, ACKs, the cached master for partial
//    resyncs, and proxying the master's bytes to our own replicas.
//  - info.cc: INFO replication and ROLE.
//
// Knows the server (clients, loop, snapshots, config); the server knows
// only the ReplicationHooks interface.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.h"
#include "replication/repl_buffer.h"
#include "server/client.h"
#include "server/propagation.h"
#include "server/replication_hooks.h"

namespace vireo::server {
class Server;
}

namespace vireo::replication {

using server::Client;
using server::Server;

// Redis's SLAVE_STATE_* (a replica attached to us).
enum class ReplicaState { kWaitBgsaveStart, kWaitBgsaveEnd, kSendBulk, kOnline, kRdbTransmitted };

// Redis's failover_state (FAILOVER, failover.cc).
enum class FailoverState { kNone, kWaitForSync, kInProgress };

// Redis's REPL_STATE_* (our link to our master).
enum class LinkState {
  kNone,
  kConnect,
  kConnecting,
  kReceivePingReply,
  kSendHandshake,
  kReceiveAuthReply,
  kReceivePortReply,
  kReceiveIpReply,
  kReceiveCapaReply,
  kSendPsync,
  kReceivePsyncReply,
  kTransfer,
  kConnected,
};

class Replication;

// A replica attached to us: the per-client state Redis keeps in client
// (replstate, slave_capa, repl_ack_off, ref_repl_buf_node...).
class ReplicaLink final : public server::ClientReplState {
 public:
  ReplicaLink(Replication* r) : r_(r) {}
  ~ReplicaLink() override;
  bool owns_output() const override { return synced; }
  bool Flush(Client& c) override;
  size_t output_memory() const override;

  Replication* r_;
  bool synced = false;  // SYNC/PSYNC done: the socket is ours
  ReplicaState state = ReplicaState::kWaitBgsaveStart;
  bool capa_eof = false, capa_psync2 = false;
  bool pre_psync = false;  // came with SYNC (redis-cli --replica): no ACKs
  bool rdb_only = false;   // REPLCONF rdb-only 1
  bool exclude_data = false;  // REPLCONF rdb-filter-only (Redis's slave_req)
  int listening_port = 0;
  std::string announced_ip;
  int64_t ack_off = 0;
  int64_t ack_time = 0;  // unix seconds
  int64_t psync_initial_offset = 0;
  bool start_stream_on_ack = false;
  bool stream_started = false;  // the cursor is written
  int64_t last_partial_write = 0;
  // Disk transfer.
  int dbfd = -1;
  off_t dboff = 0, dbsize = 0;
  std::string preamble;
  // Diskless transfer: bytes of the current pipe chunk already written.
  size_t pipe_off = 0;
  bool pipe_writing = false;
  ReplBuffer::Cursor cursor;
};

// Our master's link: the offsets Redis keeps in server.master.
class MasterLink final : public server::ClientReplState {
 public:
  bool owns_output() const override { return false; }
  bool Flush(Client&) override { return true; }
  size_t output_memory() const override { return 0; }
  char replid[41] = {};
  int64_t reploff = 0;       // applied
  int64_t read_reploff = 0;  // received (same: we apply as we parse)
  std::string pending;       // bytes of a MULTI not applied yet
  bool pre_psync = false;
};

// What survives a lost link for a partial resync (Redis's cached_master).
struct CachedMaster {
  char replid[41] = {};
  int64_t reploff = 0;
  int dbid = 0;
};

class Replication final : public server::ReplicationHooks, public server::PropagationSink {
 public:
  explicit Replication(Server* srv);
  ~Replication() override;

  // --- ReplicationHooks ------------------------------------------------------
  // Why the config: replicaof from the file holds before Start() (the
  // startup load must already know it is a replica).
  bool is_replica() const override;
  bool master_link_up() const override { return link_state_ == LinkState::kConnected; }
  bool good_replicas_ok() const override;
  int64_t master_offset() const override { return buf_.master_offset(); }
  void Cron() override;
  void BeforeSleep() override;
  void ClientClosed(Client& c) override;
  void MasterCommandDone(Client& c, const char* raw, size_t len) override;
  void WaitForget(Client& c) override;
  void BgsaveDone(bool ok, bool socket_target) override;
  void FillSaveInfo(persistence::rdb::AuxFields* aux) override;
  void PrepareStartupLoad(persistence::rdb::FileLoadOptions* o) override;
  void RestoreFromRdb(const persistence::rdb::LoadInfo& info) override;
  void Start() override;
  bool ReadyToShutdown() const override;
  void SendGetackNow() override { SendGetack(); }
  void LogShutdownReplicas() override;
  void AppendInfo(std::string* s) override;
  void ClusterSetMaster(const std::string& host, int port) override { SetMaster(host, port); }
  void ClusterUnsetMaster() override { UnsetMaster(); }
  int64_t replica_processed_offset() const override;
  int64_t master_data_age_ms() const override;
  Memory memory() const override;
  void ResetStats() override {
    stat_sync_full = stat_sync_partial_ok = stat_sync_partial_err = 0;
    stat_net_repl_input = stat_net_repl_output = 0;
  }
  Stats stats() const override {
    return Stats{stat_sync_full, stat_sync_partial_ok, stat_sync_partial_err, stat_net_repl_input,
                 stat_net_repl_output};
  }

  // --- PropagationSink (kPropagateRepl) ------------------------------------
  int target() const override { return server::kPropagateRepl; }
  void Feed(int dbid, std::span<const std::string_view> argv) override;

  // --- commands (src/commands/replication_cmd.cc) -----------------------------
  void SyncCommand(Client& c);      // SYNC and PSYNC
  void ReplconfCommand(Client& c);
  void ReplicaofCommand(Client& c);
  void RoleCommand(Client& c);
  void WaitCommand(Client& c);
  void FailoverCommand(Client& c);
  const char* failover_state_name() const;
  // DEBUG CHANGE-REPL-ID: a new id, no second one (tests of PSYNC2).
  void DebugChangeReplId() {
    ChangeReplicationId();
    ClearReplicationId2();
  }

  // --- master side, shared with ReplicaLink ------------------------------------
  Server* srv() const { return srv_; }
  ReplBuffer& buffer() { return buf_; }
  // Redis's replicationGetSlaveName: "ip:port" as the replica announced it.
  std::string ReplicaName(const Client& c) const;
  void PutOnline(Client& c, ReplicaLink& l);
  // The replica's stream may be written now.
  void StartStream(Client& c, ReplicaLink& l);
  // The diskless pipe: a replica finished writing its share of a chunk.
  void PipeWriteDone();
  const char* pipe_data() const { return pipe_buf_.data(); }
  size_t pipe_len() const { return pipe_len_; }

 private:
  friend class PipeReader;
  friend class LinkHandler;
  // --- master side (master.cc) ---------------------------------------------------
  bool IAmMaster() const;
  void CreateBacklog();
  void FreeBacklog();
  void ChangeReplicationId();
  void ClearReplicationId2();
  void ShiftReplicationId();
  bool TryPartialResync(Client& c, ReplicaLink& l, std::string_view replid, int64_t offset);
  bool StartBgsaveForReplication(bool mincapa_eof, bool exclude_data);
  bool SetupForFullResync(Client& c, ReplicaLink& l, int64_t offset);
  bool StartDisklessChild(bool exclude_data);
  void OnPipeReadable();
  void ClosePipe();
  void FeedBytes(const char* p, size_t n);
  void AttachWaitingReplicas(const ReplBuffer::Cursor& start, bool new_block);
  void CheckReplicaOutputLimit(Client& c, ReplicaLink& l);
  void MasterCron();
  void RefreshGoodReplicas();
  void DisconnectReplicas();
  int CountAcks(int64_t offset) const;
  bool ShouldStartPendingFork(bool* mincapa_eof, bool* exclude_data) const;
  void SendGetack();
  std::vector<Client*> replicas_;

  // --- FAILOVER (failover.cc) ---------------------------------------------------------
  Client* FindReplica(const std::string& host, int port);
  std::string ReplicaIp(const Client& c) const;
  void ClearFailoverState();
  void AbortFailover(const char* why);
  void UpdateFailoverStatus();
  FailoverState failover_state_ = FailoverState::kNone;
  int64_t failover_end_time_ = 0;  // ms, 0 = no timeout
  bool force_failover_ = false;
  // The stream offsets before and after the GETACK FAILOVER sends: a
  // target acknowledging the first while the stream ends at the second
  // has every write (see UpdateFailoverStatus).
  int64_t failover_getack_from_ = -1, failover_getack_to_ = -1;
  bool FailoverTargetSynced(const Client& c) const;
  std::string failover_host_;
  int failover_port_ = 0;

  // --- replica side (replica.cc) -------------------------------------------------
  void SetMaster(const std::string& host, int port);
  void UnsetMaster();
  void DisconnectBlockedClients();
  bool ConnectWithMaster();
  void CancelHandshake(bool reconnect);
  void AbortTransfer();
  void OnLinkEvent(uint32_t events);
  void SyncWithMaster();
  bool SendCommand(std::initializer_list<std::string_view> args);
  // One line of the master's reply (non-blocking): 1 a line in *out, 0 not
  // yet, -1 error (logged).
  int ReadLine(std::string* out);
  int TryPartialResync(bool read_reply);
  void ReadBulkPayload();
  bool UseDisklessLoad() const;
  bool LoadFromDisk();
  bool LoadFromSocket();
  void FinishSync(int dbid);
  void CreateMasterClient(int fd, int dbid, bool resurrect);
  void CacheMasterUsingMyself();
  void DiscardCachedMaster();
  void AttachToNewMaster();
  void HandleMasterDisconnection();
  void SendAck();
  void ReplicaCron();
  void SendNewlineToMaster();
  void CloseLinkFd();

  Server* srv_;
  ReplBuffer buf_;
  char replid_[41] = {};
  char replid2_[41] = {};
  int64_t second_replid_offset_ = -1;
  int slaveseldb_ = -1;
  int64_t no_replicas_since_ = 0;  // unix seconds
  int good_replicas_ = 0;
  bool get_ack_ = false;
  int64_t cron_loops_ = 0;  // 1 Hz
  int64_t last_cron_ms_ = 0;
  std::vector<Client*> waiting_acks_;
  struct WaitState {
    Client* c;
    int64_t offset;
    long numreplicas;
  };
  std::vector<WaitState> waits_;
  // Stats (INFO stats).
 public:
  uint64_t stat_sync_full = 0, stat_sync_partial_ok = 0, stat_sync_partial_err = 0;
  uint64_t stat_net_repl_input = 0, stat_net_repl_output = 0;

 private:
  // Diskless transfer.
  int pipe_read_fd_ = -1;
  int child_exit_pipe_ = -1;  // write end: closing it lets the child exit
  std::vector<Client*> pipe_conns_;
  std::string pipe_buf_;
  size_t pipe_len_ = 0;
  int pipe_writing_ = 0;
  std::unique_ptr<net::EventLoop::Handler> pipe_handler_;
  bool rdb_generated_by_replication_ = false;

  // Replica side.
  std::string masterhost_;
  int masterport_ = 0;
  LinkState link_state_ = LinkState::kNone;
  int link_fd_ = -1;
  std::unique_ptr<net::EventLoop::Handler> link_handler_;
  std::string line_;  // partial handshake line
  int64_t transfer_lastio_ = 0;
  int64_t transfer_size_ = -1;  // -1: bulk header not read yet
  int64_t transfer_read_ = 0;
  int64_t transfer_last_fsync_off_ = 0;
  int transfer_fd_ = -1;
  std::string transfer_tmpfile_;
  bool usemark_ = false;
  char eofmark_[40] = {};
  char lastbytes_[40] = {};
  int64_t down_since_ = 0;
  char master_replid_[41] = {};
  int64_t master_initial_offset_ = -1;
  Client* master_ = nullptr;
  std::unique_ptr<CachedMaster> cached_master_;
  int64_t newline_sent_ = 0;
  bool psync_sent_ = false;
};

// The server's replication (main creates it).
std::unique_ptr<Replication> Create(Server* srv);
Replication* Get();

}  // namespace vireo::replication
