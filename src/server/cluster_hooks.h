// The cluster module's face to the server: what dispatch, the loop, INFO
// and Pub/Sub ask of src/cluster/ when cluster-enabled is yes.
//
// Why an interface here and not an include of src/cluster/: the arrows go
// cluster -> server (the bus runs on the server's loop, failover drives
// replication and client pauses); the server only calls through this small
// surface, set by main (Server::set_cluster). Without it (cluster-enabled
// no, or unit tests embedding a server) no command is ever redirected.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vireo::server {

class Client;
struct Command;

class ClusterHooks {
 public:
  virtual ~ClusterHooks() = default;

  // Redis's processCommand cluster step (getNodeByQuery +
  // clusterRedirectClient): true when `cmd` may run here; otherwise *err
  // holds the reply (MOVED / ASK / TRYAGAIN / CROSSSLOT / CLUSTERDOWN).
  virtual bool Route(Client& c, Command* cmd, std::string* err) = 0;
  // Redis's clusterRedirectBlockedClientIfNeeded: a client blocked on keys
  // whose slot moved away (or the cluster went down) is answered with the
  // redirection and unblocked. True when it was.
  virtual bool RedirectBlocked(Client& c) = 0;

  // Redis's clusterBeforeSleep (state update, config save, failover steps).
  virtual void BeforeSleep() = 0;
  // Redis's clusterCron, paced by the module itself (every 100 ms).
  virtual void Cron() = 0;

  // INFO stats / memory: cluster bus connections and their buffers.
  virtual size_t links_count() const = 0;
  virtual size_t links_memory() const = 0;

  // Redis's clusterPropagatePublish: a PUBLISH reaches every node, an
  // SPUBLISH the nodes of our shard.
  virtual void PropagatePublish(std::string_view channel, std::string_view message, bool sharded) = 0;

  // nodeIsSlave(myself): a cluster replica keeps expired keys when loading
  // (Redis's iAmMaster), even before its replication link is configured.
  virtual bool IAmReplica() const = 0;

  // The config changed (CONFIG SET of cluster-announce-* or
  // cluster-replica-no-failover): refresh what myself announces.
  virtual void ConfigChanged() = 0;
};

}  // namespace vireo::server
