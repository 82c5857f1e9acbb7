// The replication module's face to the server: what dispatch, the cron,
// the loop, INFO and the snapshots ask of src/replication/, and what a
// Client holds when it is a replica or the link to our master.
//
// Why an interface here and not an include of src/replication/: the
// arrows go replication -> server (replication uses clients, the loop,
// the snapshots); the server only calls through this small surface, set
// by main (Server::set_replication). A server without it (unit tests that
// embed one) behaves as a master without replicas.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace vireo::persistence::rdb {
struct AuxFields;
struct FileLoadOptions;
struct LoadInfo;
}  // namespace vireo::persistence::rdb

namespace vireo::server {

class Client;

// Per-client replication state, owned by the Client: a replica attached to
// us (its sync state and stream cursor), or our master's link (offsets).
class ClientReplState {
 public:
  virtual ~ClientReplState() = default;
  // Whether this state writes the client's socket itself (a replica
  // receiving the RDB or the stream): Client::Flush then calls Flush.
  virtual bool owns_output() const = 0;
  // Writes what is pending; false when the client was closed.
  virtual bool Flush(Client& c) = 0;
  // Output bytes held for this client beyond its reply buffer (CLIENT LIST
  // omem, output buffer limits).
  virtual size_t output_memory() const = 0;
};

class ReplicationHooks {
 public:
  virtual ~ReplicationHooks() = default;

  // --- state dispatch reads before every command ---------------------------
  // replicaof is set (Redis's server.masterhost != NULL).
  virtual bool is_replica() const = 0;
  // The link with our master is up (repl_state == REPL_STATE_CONNECTED).
  virtual bool master_link_up() const = 0;
  // min-replicas-to-write is met (checkGoodReplicasStatus).
  virtual bool good_replicas_ok() const = 0;
  // master_repl_offset (a client's WAIT offset after each command).
  virtual int64_t master_offset() const = 0;

  // --- events ----------------------------------------------------------------
  // Every cron tick (the module paces its once-a-second work).
  virtual void Cron() = 0;
  // Redis's beforeSleep part: REPLCONF GETACK for WAIT, WAIT wake-ups.
  virtual void BeforeSleep() = 0;
  // A client closes: a replica leaves, or the master link is lost.
  virtual void ClientClosed(Client& c) = 0;
  // A command of our master's link was processed: advance the offsets and
  // proxy its bytes to our replicas (`raw` is the request as received).
  virtual void MasterCommandDone(Client& c, const char* raw, size_t len) = 0;
  // A client blocked in WAIT is being freed or unblocked.
  virtual void WaitForget(Client& c) = 0;
  // A BGSAVE to disk ended (the replicas waiting for it start their bulk
  // transfer or fail), or the diskless child ended.
  virtual void BgsaveDone(bool ok, bool socket_target) = 0;

  // --- persistence -------------------------------------------------------------
  // rdbPopulateSaveInfo: the repl-* aux fields of a snapshot, when there is
  // replication state worth saving.
  virtual void FillSaveInfo(persistence::rdb::AuxFields* aux) = 0;
  // loadDataFromDisk: before the startup load a master opens its backlog
  // and has the DELs of keys found expired fed to it (RDBFLAGS_FEED_REPL);
  // after it, the replication id / offset the RDB carried are restored.
  virtual void PrepareStartupLoad(persistence::rdb::FileLoadOptions* o) = 0;
  virtual void RestoreFromRdb(const persistence::rdb::LoadInfo& info) = 0;
  // Startup: connect to replicaof if configured.
  virtual void Start() = 0;

  // --- SHUTDOWN (Redis 7.0 waits for lagging replicas) ----------------------------
  // Every replica acknowledged master_repl_offset (isReadyToShutdown).
  virtual bool ReadyToShutdown() const = 0;
  // REPLCONF GETACK * to the replicas now (sendGetackToReplicas).
  virtual void SendGetackNow() = 0;
  // finishShutdown's "Lagging replica ..." and "N of M replicas are in
  // sync" lines.
  virtual void LogShutdownReplicas() = 0;

  // --- cluster (src/cluster/ drives the role of a cluster node) ------------------
  // replicationSetMaster / replicationUnsetMaster, which REPLICAOF refuses
  // in cluster mode.
  virtual void ClusterSetMaster(const std::string& host, int port) = 0;
  virtual void ClusterUnsetMaster() = 0;
  // replicationGetSlaveOffset: the master stream offset processed (the
  // cached master's when the link is down), 0 when unknown.
  virtual int64_t replica_processed_offset() const = 0;
  // How old a replica's data is (clusterHandleSlaveFailover's data_age):
  // since the last interaction with the master, or since the link went
  // down, in ms.
  virtual int64_t master_data_age_ms() const = 0;

  // --- INFO ----------------------------------------------------------------------
  virtual void AppendInfo(std::string* s) = 0;
  // INFO memory: mem_replication_backlog, mem_clients_slaves (Redis counts
  // the shared buffer beyond repl-backlog-size as the replicas'), and
  // mem_total_replication_buffers.
  struct Memory {
    size_t backlog = 0, replicas = 0, total = 0;
  };
  virtual Memory memory() const = 0;
  // INFO stats: sync_full ... total_net_repl_output_bytes.
  struct Stats {
    uint64_t sync_full = 0, sync_partial_ok = 0, sync_partial_err = 0;
    uint64_t net_input = 0, net_output = 0;
  };
  virtual Stats stats() const = 0;
  // CONFIG RESETSTAT.
  virtual void ResetStats() = 0;
};

}  // namespace vireo::server
