// The node table, the slot map and nodes.conf (Redis 7.0.15's cluster.c:
// clusterLoadConfig / clusterSaveConfig / clusterLockConfig, the node
// and slot primitives, clusterUpdateState, clusterGenNodeDescription).
//
// nodes.conf is exactly CLUSTER NODES (without handshake nodes) plus a
// "vars currentEpoch N lastVoteEpoch M" line, so redis-server and Vireo
// read each other's files. It is rewritten whole on every change. A change
// that must survive a power loss (epochs, votes, failovers) is written to
// a temporary file, fsynced and renamed over the old one, and the lock
// moved to the new file; the others are one in-place write, as Redis's
// (see SaveConfig). Why the lock moves: Redis 7.0 flock()s nodes.conf for
// the process lifetime so that two nodes never share one file; a rename
// leaves our lock on the old inode, so the new file is locked before the
// old lock is dropped.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>

#include "base/ascii.h"
#include "base/files.h"
#include "base/hash.h"
#include "base/split_args.h"
#include "cluster/cluster.h"
#include "net/tcp.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::cluster {

using server::Log;
using server::LogLevel;

namespace {
// Why these numbers: Redis's CLUSTER_FAIL_UNDO_TIME_MULT, the rejoin delays
// and CLUSTER_WRITABLE_DELAY of clusterUpdateState.
constexpr int64_t kFailUndoTimeMult = 2;
constexpr int64_t kMaxRejoinDelay = 5000;
constexpr int64_t kMinRejoinDelay = 500;
constexpr int64_t kWritableDelay = 2000;
constexpr int64_t kBlacklistTtl = 60;  // seconds

bool ValidNodeId(std::string_view id) {
  if (id.size() != kNameLen) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string RandomName() {
  char buf[kNameLen];
  base::RandomHex(buf, static_cast<int>(kNameLen));
  return std::string(buf, kNameLen);
}

// Redis's representClusterNodeFlags.
void AppendFlags(std::string* out, uint16_t flags) {
  static const std::pair<uint16_t, const char*> kNames[] = {
      {kNodeMyself, "myself,"}, {kNodeMaster, "master,"},         {kNodeSlave, "slave,"},
      {kNodePFail, "fail?,"},   {kNodeFail, "fail,"},             {kNodeHandshake, "handshake,"},
      {kNodeNoAddr, "noaddr,"}, {kNodeNoFailover, "nofailover,"},
  };
  size_t orig = out->size();
  for (auto& [f, name] : kNames) {
    if (flags & f) out->append(name);
  }
  if (out->size() == orig) out->append("noflags,");
  out->pop_back();
}

}  // namespace

// --- nodes -------------------------------------------------------------------

Node* Cluster::LookupNode(std::string_view name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.get();
}

Node* Cluster::CreateNode(std::string_view name, uint16_t flags) {
  auto* n = new Node();
  n->name = name.empty() ? RandomName() : std::string(name);
  n->ctime = srv_->now_ms();
  n->flags = flags;
  // Why: Redis starts pong_received at 0 and data_received at 0 too; a new
  // node is pinged by the cron as soon as its link is up.
  return n;
}

void Cluster::AddNode(Node* n) {
  order_.push_back(n);
  nodes_.emplace(n->name, std::unique_ptr<Node>(n));
}

void Cluster::DelNode(Node* del) {
  // Slots it was migrating/importing, failure reports it made, its links.
  for (int j = 0; j < kSlots; j++) {
    if (importing_[j] == del) importing_[j] = nullptr;
    if (migrating_[j] == del) migrating_[j] = nullptr;
    if (slots_[j] == del) DelSlot(j);
  }
  for (Node* n : order_) {
    if (n == del) continue;
    DelFailureReport(n, del);
  }
  // clusterNodeRemoveSlave / freeClusterNode's share.
  if (del->is_replica() && del->replicaof) RemoveReplica(del->replicaof, del);
  for (Node* r : del->replicas) r->replicaof = nullptr;
  // Every link naming the node goes, not only node->link and
  // node->inbound_link: an older inbound link replaced by a newer one from
  // the same peer still points at it.
  for (Link* l : std::vector<Link*>(links_)) {
    if (l->node == del) FreeLink(l);
  }
  if (mf_replica == del) mf_replica = nullptr;
  order_.erase(std::find(order_.begin(), order_.end(), del));
  nodes_.erase(del->name);
}

void Cluster::RenameNode(Node* n, std::string_view name) {
  Log(LogLevel::kDebug, "Renaming node %.40s into %.40s", n->name.c_str(), std::string(name).c_str());
  auto it = nodes_.find(n->name);
  std::unique_ptr<Node> owned = std::move(it->second);
  nodes_.erase(it);
  n->name = std::string(name);
  nodes_.emplace(n->name, std::move(owned));
}

bool Cluster::AddReplica(Node* master, Node* replica) {
  if (std::find(master->replicas.begin(), master->replicas.end(), replica) != master->replicas.end())
    return false;
  master->replicas.push_back(replica);
  master->flags |= kNodeMigrateTo;
  return true;
}

bool Cluster::RemoveReplica(Node* master, Node* replica) {
  auto it = std::find(master->replicas.begin(), master->replicas.end(), replica);
  if (it == master->replicas.end()) return false;
  master->replicas.erase(it);
  if (master->replicas.empty()) master->flags &= ~kNodeMigrateTo;
  return true;
}

int Cluster::CountNonFailingReplicas(const Node* n) const {
  int ok = 0;
  for (Node* r : n->replicas) {
    if (!r->failed()) ok++;
  }
  return ok;
}

void Cluster::SetNodeAsMaster(Node* n) {
  if (n->is_master()) return;
  if (n->replicaof) {
    RemoveReplica(n->replicaof, n);
    if (n != myself_) n->flags |= kNodeMigrateTo;
  }
  n->flags &= ~kNodeSlave;
  n->flags |= kNodeMaster;
  n->replicaof = nullptr;
  DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState);
}

// --- slots -------------------------------------------------------------------

namespace {
bool MastersHaveReplicas(const std::vector<Node*>& nodes) {
  for (Node* n : nodes) {
    if (!n->is_replica() && !n->replicas.empty()) return true;
  }
  return false;
}
}  // namespace

bool Cluster::AddSlot(Node* n, int slot) {
  if (slots_[slot]) return false;
  if (!SlotBit(n->slots, slot)) {
    SetSlotBit(n->slots, slot, true);
    n->numslots++;
    // Why: Redis marks a master that just got its first slot as a target
    // for replica migration when replicas exist in the cluster.
    if (n->numslots == 1 && MastersHaveReplicas(order_)) n->flags |= kNodeMigrateTo;
  }
  slots_[slot] = n;
  return true;
}

bool Cluster::DelSlot(int slot) {
  Node* n = slots_[slot];
  if (!n) return false;
  // Why: the shard channels of a slot this shard stops serving are
  // unsubscribed (removeChannelsInSlot).
  if (n == myself_ || (myself_->replicaof && n == myself_->replicaof)) {
    srv_->pubsub().RemoveShardChannelsInSlot(slot);
  }
  if (SlotBit(n->slots, slot)) {
    SetSlotBit(n->slots, slot, false);
    n->numslots--;
  }
  slots_[slot] = nullptr;
  return true;
}

int Cluster::DelNodeSlots(Node* n) {
  int deleted = 0;
  for (int j = 0; j < kSlots; j++) {
    if (SlotBit(n->slots, j)) {
      DelSlot(j);
      deleted++;
    }
  }
  return deleted;
}

void Cluster::CloseAllSlots() {
  migrating_.fill(nullptr);
  importing_.fill(nullptr);
}

// --- epochs --------------------------------------------------------------------

uint64_t Cluster::MaxEpoch() const {
  uint64_t max = 0;
  for (Node* n : order_) max = std::max(max, n->config_epoch);
  return std::max(max, current_epoch);
}

bool Cluster::BumpConfigEpochWithoutConsensus() {
  uint64_t max = MaxEpoch();
  if (myself_->config_epoch == 0 || myself_->config_epoch != max) {
    current_epoch++;
    myself_->config_epoch = current_epoch;
    DoBeforeSleep(kTodoSaveConfig | kTodoFsyncConfig);
    Log(LogLevel::kWarning, "New configEpoch set to %" PRIu64, myself_->config_epoch);
    return true;
  }
  return false;
}

void Cluster::HandleConfigEpochCollision(Node* sender) {
  // Why: two masters with one configEpoch (after a manual failover or
  // SET-CONFIG-EPOCH) — the one with the lexicographically smaller node id
  // takes a new epoch, so the collision ends without coordination.
  if (sender->config_epoch != myself_->config_epoch || !sender->is_master() ||
      !myself_->is_master())
    return;
  if (sender->name <= myself_->name) return;
  current_epoch++;
  myself_->config_epoch = current_epoch;
  SaveConfigOrDie(true);
  Log(LogLevel::kVerbose, "WARNING: configEpoch collision with node %.40s. configEpoch set to %" PRIu64,
      sender->name.c_str(), myself_->config_epoch);
}

// --- failure reports -------------------------------------------------------------

bool Cluster::AddFailureReport(Node* failing, Node* sender) {
  for (FailReport& r : failing->fail_reports) {
    if (r.node == sender) {
      r.time = srv_->now_ms();
      return false;
    }
  }
  failing->fail_reports.push_back({sender, srv_->now_ms()});
  return true;
}

namespace {
// Why: reports older than twice the node timeout no longer count
// (CLUSTER_FAIL_REPORT_VALIDITY_MULT).
void CleanupFailureReports(Node* n, int64_t now, int64_t node_timeout) {
  int64_t max_age = node_timeout * 2;
  std::erase_if(n->fail_reports, [&](const FailReport& r) { return now - r.time > max_age; });
}
}  // namespace

bool Cluster::DelFailureReport(Node* node, Node* sender) {
  auto it = std::find_if(node->fail_reports.begin(), node->fail_reports.end(),
                         [&](const FailReport& r) { return r.node == sender; });
  if (it == node->fail_reports.end()) return false;
  node->fail_reports.erase(it);
  CleanupFailureReports(node, srv_->now_ms(), srv_->cfg().cluster_node_timeout);
  return true;
}

int Cluster::FailureReportsCount(Node* node) {
  CleanupFailureReports(node, srv_->now_ms(), srv_->cfg().cluster_node_timeout);
  return static_cast<int>(node->fail_reports.size());
}

void Cluster::MarkNodeAsFailingIfNeeded(Node* node) {
  int needed_quorum = size_ / 2 + 1;
  if (!node->timed_out() || node->failed()) return;
  int failures = FailureReportsCount(node);
  if (myself_->is_master()) failures++;
  if (failures < needed_quorum) return;
  Log(LogLevel::kNotice, "Marking node %.40s as failing (quorum reached).", node->name.c_str());
  node->flags &= ~kNodePFail;
  node->flags |= kNodeFail;
  node->fail_time = srv_->now_ms();
  SendFail(node->name);
  DoBeforeSleep(kTodoUpdateState | kTodoSaveConfig);
}

void Cluster::ClearNodeFailureIfNeeded(Node* node) {
  int64_t now = srv_->now_ms();
  if (node->is_replica() || node->numslots == 0) {
    Log(LogLevel::kNotice, "Clear FAIL state for node %.40s: %s is reachable again.", node->name.c_str(),
        node->is_replica() ? "replica" : "master without slots");
    node->flags &= ~kNodeFail;
    DoBeforeSleep(kTodoUpdateState | kTodoSaveConfig);
  }
  if (node->is_master() && node->numslots > 0 &&
      now - node->fail_time > srv_->cfg().cluster_node_timeout * kFailUndoTimeMult) {
    Log(LogLevel::kNotice,
        "Clear FAIL state for node %.40s: is reachable again and nobody is serving its slots after some "
        "time.",
        node->name.c_str());
    node->flags &= ~kNodeFail;
    DoBeforeSleep(kTodoUpdateState | kTodoSaveConfig);
  }
}

// --- blacklist (CLUSTER FORGET) ------------------------------------------------------

void Cluster::BlacklistAdd(Node* n) {
  blacklist_[n->name] = srv_->unixtime() + kBlacklistTtl;
}

bool Cluster::BlacklistExists(std::string_view name) {
  int64_t now = srv_->unixtime();
  std::erase_if(blacklist_, [&](const auto& kv) { return kv.second < now; });
  return blacklist_.count(name) > 0;
}

// --- handshake -------------------------------------------------------------------------

bool Cluster::StartHandshake(const std::string& ip, int port, int cport) {
  std::string norm;
  if (!net::NormalizeIp(ip, &norm)) {
    errno = EINVAL;
    return false;
  }
  if (port <= 0 || port > 65535 || cport <= 0 || cport > 65535) {
    errno = EINVAL;
    return false;
  }
  for (Node* n : order_) {
    if (n->in_handshake() && base::EqNoCase(n->ip, norm) && n->port == port && n->cport == cport) {
      errno = EAGAIN;
      return false;
    }
  }
  Node* n = CreateNode({}, kNodeHandshake | kNodeMeet);
  n->ip = norm;
  n->port = port;
  n->cport = cport;
  AddNode(n);
  return true;
}

// --- state ------------------------------------------------------------------------------

void Cluster::UpdateState() {
  todo_ &= ~kTodoUpdateState;
  int64_t now = srv_->now_ms();
  if (first_update_state_ms_ == 0) first_update_state_ms_ = now;
  // Why: a master that just started waits a little before turning OK, so
  // that it can learn from others that its slots moved meanwhile.
  if (myself_->is_master() && !state_ok_ && now - first_update_state_ms_ < kWritableDelay) return;
  bool ok = true;
  if (srv_->cfg().cluster_require_full_coverage) {
    for (int j = 0; j < kSlots; j++) {
      if (slots_[j] == nullptr || slots_[j]->failed()) {
        ok = false;
        break;
      }
    }
  }
  int reachable = 0;
  size_ = 0;
  for (Node* n : order_) {
    if (n->is_master() && n->numslots) {
      size_++;
      if (!(n->flags & (kNodeFail | kNodePFail))) reachable++;
    }
  }
  if (reachable < size_ / 2 + 1) {
    ok = false;
    among_minority_time_ = now;
  }
  if (ok != state_ok_) {
    int64_t rejoin = std::clamp<int64_t>(srv_->cfg().cluster_node_timeout, kMinRejoinDelay, kMaxRejoinDelay);
    // Why: a master that was in the minority waits before accepting writes
    // again, giving the majority time to send it the new configuration.
    if (ok && myself_->is_master() && now - among_minority_time_ < rejoin) return;
    Log(LogLevel::kWarning, "Cluster state changed: %s", ok ? "ok" : "fail");
    state_ok_ = ok;
  }
}

// --- CLUSTER NODES / nodes.conf --------------------------------------------------------

std::string Cluster::NodeDescription(Node* n, bool use_pport, const std::vector<int>* ranges) {
  std::string ci = n->name;
  int port = use_pport && n->pport ? n->pport : n->port;
  ci += ' ';
  ci += n->ip;
  ci += ':' + std::to_string(port) + '@' + std::to_string(n->cport);
  if (!n->hostname.empty()) ci += ',' + n->hostname;
  ci += ' ';
  AppendFlags(&ci, n->flags);
  ci += ' ';
  ci += n->replicaof ? n->replicaof->name : std::string("-");
  uint64_t epoch = (n->is_replica() && n->replicaof) ? n->replicaof->config_epoch : n->config_epoch;
  ci += ' ' + std::to_string(n->ping_sent) + ' ' + std::to_string(n->pong_received) + ' ' +
        std::to_string(epoch) + ' ' + ((n->link || n->myself()) ? "connected" : "disconnected");
  if (ranges) {
    for (size_t i = 0; i + 1 < ranges->size(); i += 2) {
      int a = (*ranges)[i], b = (*ranges)[i + 1];
      ci += a == b ? " " + std::to_string(a) : " " + std::to_string(a) + "-" + std::to_string(b);
    }
  }
  if (n->myself()) {
    char buf[128];
    for (int j = 0; j < kSlots; j++) {
      if (migrating_[j]) {
        snprintf(buf, sizeof(buf), " [%d->-%.40s]", j, migrating_[j]->name.c_str());
        ci += buf;
      } else if (importing_[j]) {
        snprintf(buf, sizeof(buf), " [%d-<-%.40s]", j, importing_[j]->name.c_str());
        ci += buf;
      }
    }
  }
  return ci;
}

std::string Cluster::NodesDescription(uint16_t filter, bool use_pport) {
  // Why from the slot map and not each node's bitmap: Redis 7.0 builds the
  // ranges in one pass over server.cluster->slots (clusterGenNodesSlotsInfo).
  std::map<Node*, std::vector<int>> ranges;
  Node* cur = nullptr;
  int start = -1;
  for (int i = 0; i <= kSlots; i++) {
    Node* n = i < kSlots ? slots_[i] : nullptr;
    if (n == cur) continue;
    if (cur && !(cur->flags & filter)) {
      ranges[cur].push_back(start);
      ranges[cur].push_back(i - 1);
    }
    cur = n;
    start = i;
  }
  std::string out;
  for (Node* n : order_) {
    if (n->flags & filter) continue;
    auto it = ranges.find(n);
    out += NodeDescription(n, use_pport, it == ranges.end() ? nullptr : &it->second);
    out += '\n';
  }
  return out;
}

bool Cluster::LockConfig() {
  int fd = open(config_path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd == -1) {
    Log(LogLevel::kWarning, "Can't open %s in order to acquire a lock: %s", config_path_.c_str(),
        strerror(errno));
    return false;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
    if (errno == EWOULDBLOCK) {
      Log(LogLevel::kWarning,
          "Sorry, the cluster configuration file %s is already used by a different Redis Cluster node. "
          "Please make sure that different nodes use different cluster configuration files.",
          config_path_.c_str());
    } else {
      Log(LogLevel::kWarning, "Impossible to lock %s: %s", config_path_.c_str(), strerror(errno));
    }
    close(fd);
    return false;
  }
  config_lock_fd_ = fd;
  srv_->AddForkCloseFd(fd);
  return true;
}

bool Cluster::SaveConfig(bool do_fsync) {
  todo_ &= ~kTodoSaveConfig;
  if (do_fsync) todo_ &= ~kTodoFsyncConfig;
  std::string ci = NodesDescription(kNodeHandshake, false);
  ci += "vars currentEpoch " + std::to_string(current_epoch) + " lastVoteEpoch " +
        std::to_string(last_vote_epoch) + "\n";
  if (!do_fsync && config_lock_fd_ != -1) {
    // Why in place when no fsync is asked (SETSLOT, gossip changes), as
    // Redis: one pwrite of the new text padded with newlines to the old
    // length (blank lines are skipped when loading), then the truncation.
    // A process crash leaves the old or the new text; only a power loss
    // could lose a save that was not fsynced, and those that must survive
    // one (epochs, votes, failovers) take the durable path below. A
    // reshard saves once per SETSLOT: a temporary file each time made it
    // a third slower than Redis's.
    std::string padded = ci;
    struct stat st;
    if (fstat(config_lock_fd_, &st) == 0 && static_cast<size_t>(st.st_size) > padded.size()) {
      padded.append(static_cast<size_t>(st.st_size) - padded.size(), '\n');
    }
    if (pwrite(config_lock_fd_, padded.data(), padded.size(), 0) != static_cast<ssize_t>(padded.size())) {
      return false;
    }
    if (padded.size() != ci.size()) (void)!ftruncate(config_lock_fd_, static_cast<off_t>(ci.size()));
    return true;
  }
  // The durable path: a temporary file, fsynced, renamed over the old one.
  std::string tmp = config_path_ + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1) return false;
  bool ok = write(fd, ci.data(), ci.size()) == static_cast<ssize_t>(ci.size());
  if (ok && do_fsync && fsync(fd) == -1) ok = false;
  if (!ok) {
    close(fd);
    unlink(tmp.c_str());
    return false;
  }
  // Lock the new file before it replaces the old one (see the top).
  if (flock(fd, LOCK_EX | LOCK_NB) == -1 || rename(tmp.c_str(), config_path_.c_str()) == -1) {
    close(fd);
    unlink(tmp.c_str());
    return false;
  }
  if (do_fsync) base::FsyncDirOf(config_path_);
  if (config_lock_fd_ != -1) {
    srv_->RemoveForkCloseFd(config_lock_fd_);
    close(config_lock_fd_);
  }
  config_lock_fd_ = fd;
  srv_->AddForkCloseFd(fd);
  return true;
}

void Cluster::SaveConfigOrDie(bool do_fsync) {
  if (!SaveConfig(do_fsync)) {
    Log(LogLevel::kWarning, "Fatal: can't update cluster config file.");
    exit(1);
  }
}

bool Cluster::LoadConfig(bool* found) {
  *found = false;
  int fd = open(config_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    if (errno == ENOENT) return true;
    Log(LogLevel::kWarning, "Loading the cluster node config from %s: %s", config_path_.c_str(),
        strerror(errno));
    return false;
  }
  std::string text;
  char buf[65536];
  ssize_t r;
  while ((r = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(r));
  close(fd);
  // An empty file means "write the config" (a new node).
  if (text.empty()) return true;
  auto fmterr = [&]() {
    Log(LogLevel::kWarning, "Unrecoverable error: corrupted cluster config file.");
    return false;
  };
  auto get_node = [&](std::string_view name) {
    Node* n = LookupNode(name);
    if (!n) {
      n = CreateNode(name, 0);
      AddNode(n);
    }
    return n;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    auto args = base::SplitArgs(line);
    if (!args) return fmterr();
    auto& argv = *args;
    if (argv.empty()) continue;
    if (base::EqNoCase(argv[0], "vars")) {
      if (argv.size() % 2 == 0) return fmterr();
      for (size_t j = 1; j < argv.size(); j += 2) {
        if (base::EqNoCase(argv[j], "currentEpoch")) {
          current_epoch = strtoull(argv[j + 1].c_str(), nullptr, 10);
        } else if (base::EqNoCase(argv[j], "lastVoteEpoch")) {
          last_vote_epoch = strtoull(argv[j + 1].c_str(), nullptr, 10);
        } else {
          Log(LogLevel::kWarning, "Skipping unknown cluster config variable '%s'", argv[j].c_str());
        }
      }
      continue;
    }
    if (argv.size() < 8 || !ValidNodeId(argv[0])) return fmterr();
    Node* n = get_node(argv[0]);
    std::string addr = argv[1];
    size_t comma = addr.find(',');
    if (comma != std::string::npos) {
      n->hostname = addr.substr(comma + 1);
      addr.resize(comma);
    } else {
      n->hostname.clear();
    }
    size_t colon = addr.rfind(':');
    if (colon == std::string::npos) return fmterr();
    n->ip = addr.substr(0, colon);
    std::string ports = addr.substr(colon + 1);
    size_t at = ports.find('@');
    n->port = atoi(ports.c_str());
    // Why: files of older versions have no "@busport": port + 10000.
    n->cport = at == std::string::npos ? n->port + 10000 : atoi(ports.c_str() + at + 1);
    std::string_view flags = argv[2];
    while (!flags.empty()) {
      size_t c = flags.find(',');
      std::string_view f = flags.substr(0, c);
      flags = c == std::string_view::npos ? std::string_view() : flags.substr(c + 1);
      if (base::EqNoCase(f, "myself")) {
        if (myself_) return fmterr();
        myself_ = n;
        n->flags |= kNodeMyself;
      } else if (base::EqNoCase(f, "master")) {
        n->flags |= kNodeMaster;
      } else if (base::EqNoCase(f, "slave")) {
        n->flags |= kNodeSlave;
      } else if (base::EqNoCase(f, "fail?")) {
        n->flags |= kNodePFail;
      } else if (base::EqNoCase(f, "fail")) {
        n->flags |= kNodeFail;
        n->fail_time = srv_->now_ms();
      } else if (base::EqNoCase(f, "handshake")) {
        n->flags |= kNodeHandshake;
      } else if (base::EqNoCase(f, "noaddr")) {
        n->flags |= kNodeNoAddr;
      } else if (base::EqNoCase(f, "nofailover")) {
        n->flags |= kNodeNoFailover;
      } else if (base::EqNoCase(f, "noflags")) {
      } else {
        Log(LogLevel::kWarning, "Unknown flag in redis cluster config file");
        return fmterr();
      }
    }
    if (argv[3] != "-") {
      if (!ValidNodeId(argv[3])) return fmterr();
      Node* master = get_node(argv[3]);
      n->replicaof = master;
      AddReplica(master, n);
    }
    if (atoi(argv[4].c_str())) n->ping_sent = srv_->now_ms();
    if (atoi(argv[5].c_str())) n->pong_received = srv_->now_ms();
    n->config_epoch = (n->is_replica() && n->replicaof) ? 0 : strtoull(argv[6].c_str(), nullptr, 10);
    for (size_t j = 8; j < argv.size(); j++) {
      const std::string& a = argv[j];
      if (a[0] == '[') {
        // [slot->-id] or [slot-<-id]
        size_t dash = a.find('-');
        if (dash == std::string::npos || dash + 3 > a.size()) return fmterr();
        int slot = atoi(a.c_str() + 1);
        char dir = a[dash + 1];
        size_t close_br = a.find(']', dash);
        if (slot < 0 || slot >= kSlots || close_br == std::string::npos) return fmterr();
        std::string id = a.substr(dash + 3, close_br - dash - 3);
        if (!ValidNodeId(id)) return fmterr();
        Node* cn = get_node(id);
        if (dir == '>') {
          migrating_[slot] = cn;
        } else {
          importing_[slot] = cn;
        }
        continue;
      }
      int start, stop;
      size_t dash = a.find('-');
      if (dash != std::string::npos) {
        start = atoi(a.c_str());
        stop = atoi(a.c_str() + dash + 1);
      } else {
        start = stop = atoi(a.c_str());
      }
      if (start < 0 || start >= kSlots || stop < 0 || stop >= kSlots) return fmterr();
      while (start <= stop) AddSlot(n, start++);
    }
  }
  if (!myself_) return fmterr();
  *found = true;
  Log(LogLevel::kNotice, "Node configuration loaded, I'm %.40s", myself_->name.c_str());
  if (MaxEpoch() > current_epoch) current_epoch = MaxEpoch();
  return true;
}

void Cluster::Reset(bool hard) {
  if (myself_->is_replica()) {
    SetNodeAsMaster(myself_);
    srv_->replication()->ClusterUnsetMaster();
    srv_->keyspace().Flush(-1, false);
  }
  CloseAllSlots();
  ResetManualFailover();
  for (int j = 0; j < kSlots; j++) DelSlot(j);
  std::vector<Node*> others;
  for (Node* n : order_) {
    if (n != myself_) others.push_back(n);
  }
  for (Node* n : others) DelNode(n);
  if (hard) {
    current_epoch = 0;
    last_vote_epoch = 0;
    myself_->config_epoch = 0;
    Log(LogLevel::kWarning, "configEpoch set to 0 via CLUSTER RESET HARD");
    RenameNode(myself_, RandomName());
    Log(LogLevel::kNotice, "Node hard reset, now I'm %.40s", myself_->name.c_str());
  }
  DoBeforeSleep(kTodoSaveConfig | kTodoUpdateState | kTodoFsyncConfig);
}

void Cluster::SetMyMaster(Node* n) {
  if (myself_->is_master()) {
    myself_->flags &= ~(kNodeMaster | kNodeMigrateTo);
    myself_->flags |= kNodeSlave;
    CloseAllSlots();
  } else if (myself_->replicaof) {
    RemoveReplica(myself_->replicaof, myself_);
  }
  myself_->replicaof = n;
  AddReplica(n, myself_);
  srv_->replication()->ClusterSetMaster(n->ip, n->port);
  ResetManualFailover();
}

void Cluster::AnnouncedPorts(int* port, int* pport, int* cport) const {
  const auto& c = srv_->cfg();
  *port = c.cluster_announce_port ? c.cluster_announce_port : c.port;
  *pport = 0;
  *cport = c.cluster_announce_bus_port ? c.cluster_announce_bus_port
                                       : (c.cluster_port ? c.cluster_port : c.port + 10000);
}

std::string Cluster::PreferredEndpoint(const Node* n) const {
  switch (srv_->cfg().cluster_preferred_endpoint_type) {
    case 1: return n->hostname.empty() ? "?" : n->hostname;
    case 2: return "";
    default: return n->ip;
  }
}

}  // namespace vireo::cluster
