// Startup of cluster mode (Redis 7.0.15's clusterInit and
// verifyClusterConfigWithData) and CLUSTER INFO's text.
#include <sys/socket.h>
#include <unistd.h>

#include <cinttypes>
#include <cstring>

#include "base/files.h"
#include "cluster/cluster.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::cluster {

using server::Log;
using server::LogLevel;

namespace {
Cluster* g_cluster = nullptr;
}  // namespace

Cluster* Get() { return g_cluster; }

std::unique_ptr<Cluster> Create(server::Server* srv) {
  auto c = std::make_unique<Cluster>(srv);
  g_cluster = c.get();
  return c;
}

Cluster::Cluster(server::Server* srv) : srv_(srv) {}

Cluster::~Cluster() {
  for (Link* l : links_) delete l;
  links_.clear();
  ReapLinks();
  if (g_cluster == this) g_cluster = nullptr;
}

bool Cluster::Init() {
  const auto& cfg = srv_->cfg();
  config_path_ = cfg.cluster_config_file;
  // Why the lock first: two nodes started on one nodes.conf would corrupt
  // each other's view of the cluster.
  if (!LockConfig()) return false;
  bool found = false;
  if (!LoadConfig(&found)) return false;
  if (!found) {
    myself_ = CreateNode({}, kNodeMyself | kNodeMaster);
    Log(LogLevel::kNotice, "No cluster configuration found, I'm %.40s", myself_->name.c_str());
    AddNode(myself_);
    SaveConfigOrDie(true);
  }
  int port = cfg.port;
  if (!cfg.cluster_port && port > 65535 - 10000) {
    Log(LogLevel::kWarning,
        "Redis port number too high. Cluster communication port is 10,000 port numbers higher than your "
        "Redis port. Your Redis port number must be 55535 or less.");
    return false;
  }
  if (cfg.bind.empty()) {
    Log(LogLevel::kWarning, "No bind address is configured, but it is required for the Cluster bus.");
    return false;
  }
  int cport = cfg.cluster_port ? cfg.cluster_port : port + 10000;
  std::vector<std::string> addrs;
  std::string err;
  if (!srv_->OpenTcpListeners(cport, cfg.bind, &listeners_, &addrs, &err)) {
    // The following log text is matched by Redis's test suite.
    Log(LogLevel::kWarning, "Failed listening on port %u (cluster), aborting.", static_cast<unsigned>(cport));
    return false;
  }
  for (auto& l : listeners_) {
    l->Start([this](int fd, net::Listener*) { AcceptBusConnection(fd); });
    srv_->AddForkCloseFd(l->fd());
  }
  AnnouncedPorts(&myself_->port, &myself_->pport, &myself_->cport);
  // Redis's apply functions: CONFIG SET of what myself announces takes
  // effect at once (CLUSTER NODES right after shows it).
  srv_->config.OnChange({"cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port",
                         "cluster-announce-tls-port", "cluster-announce-hostname", "cluster-replica-no-failover"},
                        [this](std::string*) {
                          ConfigChanged();
                          return true;
                        });
  ResetManualFailover();
  ConfigChanged();
  srv_->keyspace().EnableSlotIndex();
  return true;
}

bool Cluster::VerifyConfigWithData() {
  // Why a replica is skipped: its data is its master's, synced away soon.
  if (myself_->is_replica()) return true;
  for (int j = 1; j < srv_->num_dbs(); j++) {
    if (srv_->keyspace().size(j)) return false;
  }
  int update = 0;
  for (int j = 0; j < kSlots; j++) {
    if (!srv_->keyspace().CountKeysInSlot(j)) continue;
    if (slots_[j] == myself_ || importing_[j] != nullptr) continue;
    update++;
    if (slots_[j] == nullptr) {
      Log(LogLevel::kWarning, "I have keys for unassigned slot %d. Taking responsibility for it.", j);
      AddSlot(myself_, j);
    } else {
      Log(LogLevel::kWarning,
          "I have keys for slot %d, but the slot is assigned to another node. Setting it to importing state.",
          j);
      importing_[j] = slots_[j];
    }
  }
  if (update) SaveConfigOrDie(true);
  return true;
}

std::string Cluster::InfoText() const {
  int assigned = 0, ok = 0, pfail = 0, fail = 0;
  for (int j = 0; j < kSlots; j++) {
    Node* n = slots_[j];
    if (!n) continue;
    assigned++;
    if (n->failed()) {
      fail++;
    } else if (n->timed_out()) {
      pfail++;
    } else {
      ok++;
    }
  }
  uint64_t myepoch =
      (myself_->is_replica() && myself_->replicaof) ? myself_->replicaof->config_epoch : myself_->config_epoch;
  std::string s;
  char buf[256];
  snprintf(buf, sizeof(buf),
           "cluster_state:%s\r\ncluster_slots_assigned:%d\r\ncluster_slots_ok:%d\r\ncluster_slots_pfail:%d\r\n"
           "cluster_slots_fail:%d\r\ncluster_known_nodes:%zu\r\ncluster_size:%d\r\n"
           "cluster_current_epoch:%" PRIu64 "\r\ncluster_my_epoch:%" PRIu64 "\r\n",
           state_ok_ ? "ok" : "fail", assigned, ok, pfail, fail, order_.size(), size_, current_epoch, myepoch);
  s += buf;
  long long total = 0;
  for (uint16_t i = 0; i < kMsgTypeCount; i++) {
    if (stats_sent_[i] == 0) continue;
    total += stats_sent_[i];
    s += std::string("cluster_stats_messages_") + MsgTypeName(i) + "_sent:" + std::to_string(stats_sent_[i]) +
         "\r\n";
  }
  s += "cluster_stats_messages_sent:" + std::to_string(total) + "\r\n";
  total = 0;
  for (uint16_t i = 0; i < kMsgTypeCount; i++) {
    if (stats_received_[i] == 0) continue;
    total += stats_received_[i];
    s += std::string("cluster_stats_messages_") + MsgTypeName(i) + "_received:" +
         std::to_string(stats_received_[i]) + "\r\n";
  }
  s += "cluster_stats_messages_received:" + std::to_string(total) + "\r\n";
  s += "total_cluster_links_buffer_limit_exceeded:" + std::to_string(stat_links_buffer_limit_exceeded) + "\r\n";
  return s;
}

}  // namespace vireo::cluster
