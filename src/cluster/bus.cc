// The cluster bus transport (Redis 7.0.15's cluster.c: the accept, read,
// write and connect handlers, clusterSendMessage, clusterBuildMessageHdr,
// clusterSendPing and the other senders).
//
// A Link is a raw non-blocking socket on the server's EventLoop with a
// receive buffer cut into frames by bus_message.h's PeekFrame, and a send
// buffer written when the socket is writable. Outbound links are made by
// the cron (one per known node, reconnected when lost); inbound links are
// accepted here and attached to a node by the first message naming it.
//
// Why links are deleted late: a packet handler may free the link it is
// reading from (a PONG from the wrong node, a handshake for a node we
// already know), so FreeLink only closes the socket and unhooks the link;
// the object dies in the next BeforeSleep.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include "cluster/cluster.h"
#include "net/tcp.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::cluster {

using server::Log;
using server::LogLevel;

namespace {
constexpr size_t kReadChunk = 16 * 1024;

std::mt19937_64& Rng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}
}  // namespace

// --- Link ----------------------------------------------------------------------

Link::Link(Cluster* cl, int fd, bool in, Node* n, bool conn)
    : ctime(cl->srv()->now_ms()), inbound(in), node(n), connecting(conn), cl_(cl), fd_(fd) {}

Link::~Link() { Close(); }

void Link::Close() {
  if (fd_ < 0) return;
  cl_->srv()->loop().Remove(fd_);
  ::close(fd_);
  fd_ = -1;
}

void Link::Send(std::string_view bytes) {
  if (fd_ < 0) return;
  if (sndpos_ == sndbuf_.size()) {
    sndbuf_.clear();
    sndpos_ = 0;
  }
  sndbuf_.append(bytes.data(), bytes.size());
  if (!connecting) UpdateMask();
}

void Link::UpdateMask() {
  if (fd_ < 0) return;
  uint32_t mask = net::EventLoop::kReadable;
  if (connecting || sndpos_ < sndbuf_.size()) mask |= net::EventLoop::kWritable;
  cl_->srv()->loop().SetMask(fd_, mask);
}

bool Link::WriteOut() {
  while (sndpos_ < sndbuf_.size()) {
    ssize_t n = ::write(fd_, sndbuf_.data() + sndpos_, sndbuf_.size() - sndpos_);
    if (n > 0) {
      sndpos_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    Log(LogLevel::kDebug, "I/O error writing to node link: %s", n == 0 ? "closed" : strerror(errno));
    return false;
  }
  if (sndpos_ == sndbuf_.size()) {
    sndbuf_.clear();
    sndpos_ = 0;
  }
  return true;
}

void Link::OnEvents(uint32_t events) {
  if (fd_ < 0) return;
  if (connecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == -1) err = errno;
    if (err != 0) {
      Log(LogLevel::kVerbose, "Connection with Node %.40s at %s:%d failed: %s",
          node ? node->name.c_str() : "?", node ? node->ip.c_str() : "?", node ? node->cport : 0,
          strerror(err));
      cl_->FreeLink(this);
      return;
    }
    connecting = false;
    // Redis's clusterLinkConnectHandler: a PING (or MEET) at once, so the
    // failure detector has a fresh ping time, keeping an older one.
    int64_t old_ping_sent = node->ping_sent;
    cl_->SendPing(this, (node->flags & kNodeMeet) ? kMsgMeet : kMsgPing);
    if (old_ping_sent) node->ping_sent = old_ping_sent;
    node->flags &= ~kNodeMeet;
    Log(LogLevel::kDebug, "Connecting with Node %.40s at %s:%d", node->name.c_str(), node->ip.c_str(),
        node->cport);
    UpdateMask();
    return;
  }
  if (events & net::EventLoop::kWritable) {
    if (!WriteOut()) {
      cl_->FreeLink(this);
      return;
    }
    UpdateMask();
  }
  if (events & net::EventLoop::kReadable) ReadPackets();
}

void Link::ReadPackets() {
  for (;;) {
    size_t old = rcvbuf_.size();
    rcvbuf_.resize(old + kReadChunk);
    ssize_t n = ::read(fd_, rcvbuf_.data() + old, kReadChunk);
    if (n <= 0) {
      rcvbuf_.resize(old);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      Log(LogLevel::kDebug, "I/O error reading from node link: %s",
          n == 0 ? "connection closed" : strerror(errno));
      cl_->FreeLink(this);
      return;
    }
    rcvbuf_.resize(old + static_cast<size_t>(n));
    if (static_cast<size_t>(n) < kReadChunk) break;
  }
  size_t pos = 0;
  while (fd_ >= 0) {
    uint32_t totlen = 0;
    std::string_view rest(rcvbuf_.data() + pos, rcvbuf_.size() - pos);
    Frame f = PeekFrame(rest, &totlen);
    if (f == Frame::kNeedMore) break;
    if (f == Frame::kBad) {
      Log(LogLevel::kWarning, "Bad message length or signature received from Cluster bus.");
      cl_->FreeLink(this);
      return;
    }
    std::string_view frame = rest.substr(0, totlen);
    pos += totlen;
    Message m;
    std::string err;
    if (!Decode(frame, &m, &err)) {
      // Why counted: Redis counts a packet by type before checking it.
      if (m.type < kMsgTypeCount) cl_->stats_received_[m.type]++;
      // Why dropped and not fatal: Redis's clusterProcessPacket ignores a
      // packet whose lengths do not add up (another version silently) and
      // keeps the link.
      if (m.ver == kProtoVer) Log(LogLevel::kWarning, "%s", err.c_str());
      continue;
    }
    for (uint16_t t : m.unknown_ext_types) Log(LogLevel::kWarning, "Received unknown extension type %d", t);
    if (!cl_->ProcessPacket(this, m)) return;  // the link was freed
  }
  if (fd_ >= 0) rcvbuf_.erase(0, pos);
}

// --- links ---------------------------------------------------------------------

void Cluster::FreeLink(Link* link) {
  if (link->closed() && std::find(dead_links_.begin(), dead_links_.end(), link) != dead_links_.end())
    return;
  link->Close();
  if (link->node) {
    if (link->node->link == link) link->node->link = nullptr;
    if (link->node->inbound_link == link) link->node->inbound_link = nullptr;
  }
  link->node = nullptr;
  std::erase(links_, link);
  dead_links_.push_back(link);
}

void Cluster::ReapLinks() {
  for (Link* l : dead_links_) delete l;
  dead_links_.clear();
}

void Cluster::AcceptBusConnection(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  Log(LogLevel::kVerbose, "Accepting cluster node connection from %s", net::PeerAddress(fd).c_str());
  auto* link = new Link(this, fd, true, nullptr, false);
  if (!srv_->loop().Add(fd, net::EventLoop::kReadable, link)) {
    delete link;
    return;
  }
  links_.push_back(link);
}

bool Cluster::ConnectNode(Node* node) {
  std::string err;
  int connect_errno = 0;
  int fd = net::TcpConnect(node->ip, node->cport, srv_->cfg().bind_source_addr, &err, &connect_errno);
  if (fd < 0) {
    Log(LogLevel::kDebug, "Unable to connect to Cluster Node [%s]:%d -> %s", node->ip.c_str(), node->cport,
        err.c_str());
    return false;
  }
  auto* link = new Link(this, fd, false, node, true);
  if (!srv_->loop().Add(fd, net::EventLoop::kWritable, link)) {
    delete link;
    return false;
  }
  node->link = link;
  links_.push_back(link);
  return true;
}

size_t Cluster::links_count() const { return links_.size(); }

size_t Cluster::links_memory() const {
  size_t total = 0;
  for (const Link* l : links_) total += l->memory() + sizeof(Link);
  return total;
}

// --- messages ---------------------------------------------------------------------

int64_t Cluster::MyReplOffset() const {
  auto* r = srv_->replication();
  if (!r) return 0;
  return myself_->is_replica() ? r->replica_processed_offset() : r->master_offset();
}

void Cluster::BuildHeader(Message* m, uint16_t type) {
  Node* master = (myself_->is_replica() && myself_->replicaof) ? myself_->replicaof : myself_;
  m->ver = 1;
  m->type = type;
  m->sender = myself_->name;
  m->myip = srv_->cfg().cluster_announce_ip.substr(0, kIpLen - 1);
  int port, pport, cport;
  AnnouncedPorts(&port, &pport, &cport);
  m->slots = master->slots;
  m->slaveof = myself_->replicaof ? myself_->replicaof->name : std::string();
  m->port = static_cast<uint16_t>(port);
  m->pport = static_cast<uint16_t>(pport);
  m->cport = static_cast<uint16_t>(cport);
  m->flags = myself_->flags;
  // Why 0 for ok: CLUSTER_OK is 0 and CLUSTER_FAIL 1 on the wire.
  m->state = state_ok_ ? 0 : 1;
  m->current_epoch = current_epoch;
  m->config_epoch = master->config_epoch;
  m->offset = static_cast<uint64_t>(MyReplOffset());
  m->mflags0 = 0;
  if (myself_->is_master() && mf_end) m->mflags0 |= kMfPaused;
}

namespace {
Gossip GossipOf(const Node* n) {
  Gossip g;
  g.name = n->name;
  g.ping_sent = static_cast<uint32_t>(n->ping_sent / 1000);
  g.pong_received = static_cast<uint32_t>(n->pong_received / 1000);
  g.ip = n->ip;
  g.port = static_cast<uint16_t>(n->port);
  g.cport = static_cast<uint16_t>(n->cport);
  g.flags = n->flags;
  g.pport = static_cast<uint16_t>(n->pport);
  return g;
}
}  // namespace

void Cluster::SendPing(Link* link, uint16_t type) {
  pings_sent_++;
  int nnodes = static_cast<int>(order_.size());
  int freshnodes = nnodes - 2;
  // Why a tenth of the nodes, at least 3: enough gossip for failure
  // reports to reach a majority within the node timeout (cluster.c).
  int wanted = std::max(3, nnodes / 10);
  wanted = std::min(wanted, freshnodes);
  if (!link->inbound && type == kMsgPing) link->node->ping_sent = srv_->now_ms();
  Message m;
  BuildHeader(&m, type);
  int maxiterations = wanted * 3;
  while (freshnodes > 0 && static_cast<int>(m.gossip.size()) < wanted && maxiterations-- > 0) {
    Node* n = order_[Rng()() % order_.size()];
    if (n == myself_) continue;
    // PFAIL nodes are all added at the end.
    if (n->flags & kNodePFail) continue;
    if ((n->flags & (kNodeHandshake | kNodeNoAddr)) || (n->link == nullptr && n->numslots == 0)) {
      freshnodes--;
      continue;
    }
    if (n->last_in_ping_gossip == pings_sent_) continue;
    m.gossip.push_back(GossipOf(n));
    n->last_in_ping_gossip = pings_sent_;
    freshnodes--;
  }
  // Why every PFAIL node: failure reports must spread fast to turn into a
  // FAIL within the node timeout.
  int64_t pfail_wanted = stats_pfail_nodes;
  for (Node* n : order_) {
    if (pfail_wanted <= 0) break;
    if (n->flags & (kNodeHandshake | kNodeNoAddr)) continue;
    if (!(n->flags & kNodePFail)) continue;
    m.gossip.push_back(GossipOf(n));
    pfail_wanted--;
  }
  m.hostname = myself_->hostname;
  CountSent(type);
  link->Send(Encode(m));
}

void Cluster::BroadcastMessage(const std::string& bytes, uint16_t type) {
  for (Node* n : order_) {
    if (!n->link) continue;
    if (n->flags & (kNodeMyself | kNodeHandshake)) continue;
    CountSent(type);
    n->link->Send(bytes);
  }
}

void Cluster::BroadcastPong(bool local_replicas_only) {
  for (Node* n : order_) {
    if (!n->link) continue;
    if (n == myself_ || n->in_handshake()) continue;
    if (local_replicas_only) {
      bool local = n->is_replica() && n->replicaof &&
                   (n->replicaof == myself_ || n->replicaof == myself_->replicaof);
      if (!local) continue;
    }
    SendPing(n->link, kMsgPong);
  }
}

void Cluster::SendFail(const std::string& nodename) {
  Message m;
  BuildHeader(&m, kMsgFail);
  m.fail_name = nodename;
  std::string bytes = Encode(m);
  BroadcastMessage(bytes, kMsgFail);
}

void Cluster::SendUpdate(Link* link, Node* node) {
  if (link == nullptr || link->closed()) return;
  Message m;
  BuildHeader(&m, kMsgUpdate);
  m.update_name = node->name;
  m.update_config_epoch = node->config_epoch;
  m.update_slots = node->slots;
  // Why masked: slots the node stopped claiming are not advertised.
  for (size_t i = 0; i < m.update_slots.size(); i++) m.update_slots[i] &= ~owner_not_claiming_[i];
  CountSent(kMsgUpdate);
  link->Send(Encode(m));
}

void Cluster::SendMfStart(Node* node) {
  if (!node->link) return;
  Message m;
  BuildHeader(&m, kMsgMfStart);
  CountSent(kMsgMfStart);
  node->link->Send(Encode(m));
}

void Cluster::RequestFailoverAuth() {
  Message m;
  BuildHeader(&m, kMsgFailoverAuthRequest);
  // Why FORCEACK: a manual failover asks masters to vote even though our
  // master is not failing.
  if (mf_end) m.mflags0 |= kMfForceAck;
  std::string bytes = Encode(m);
  BroadcastMessage(bytes, kMsgFailoverAuthRequest);
}

void Cluster::SendFailoverAuth(Node* node) {
  if (!node->link) return;
  Message m;
  BuildHeader(&m, kMsgFailoverAuthAck);
  CountSent(kMsgFailoverAuthAck);
  node->link->Send(Encode(m));
}

void Cluster::PropagatePublish(std::string_view channel, std::string_view message, bool sharded) {
  Message m;
  BuildHeader(&m, sharded ? kMsgPublishShard : kMsgPublish);
  m.channel = std::string(channel);
  m.payload = std::string(message);
  std::string bytes = Encode(m);
  if (!sharded) {
    BroadcastMessage(bytes, kMsgPublish);
    return;
  }
  // Redis's clusterSendPublish to the nodes of our shard (our master or
  // us, and its replicas).
  Node* master = myself_->is_replica() && myself_->replicaof ? myself_->replicaof : myself_;
  std::vector<Node*> shard{master};
  for (Node* r : master->replicas) shard.push_back(r);
  for (Node* n : shard) {
    if (n == myself_ || !n->link) continue;
    CountSent(kMsgPublishShard);
    n->link->Send(bytes);
  }
}

}  // namespace vireo::cluster
