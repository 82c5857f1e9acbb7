// The replica side of replication (see replication.h): REPLICAOF, the
// handshake with our master, the RDB transfer and load, the master link
// as a client, ACKs and the cached master — Redis 7.0's replication.c
// replica half, with its log lines (tests and operators grep them).
//
// Why non-blocking where Redis blocks: Redis reads handshake replies with
// a synchronous read of up to 5 s; here each reply line is read as it
// arrives (byte by byte, so nothing after it is consumed: the RDB or the
// stream that follows belongs to the next stage). The diskless load reads
// the socket blocking with repl-timeout as Redis does, serving other
// clients -LOADING between chunks.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/ascii.h"
#include "base/files.h"
#include "base/numbers.h"
#include "net/listener.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "replication/replication.h"
#include "server/client_info.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::replication {

using server::Log;
using server::LogLevel;
namespace rdb = persistence::rdb;

namespace {
int64_t Now() { return time(nullptr); }
// Redis's REPL_MAX_WRITTEN_BEFORE_FSYNC.
constexpr int64_t kFsyncEvery = 8 * 1024 * 1024;
}  // namespace

class LinkHandler final : public net::EventLoop::Handler {
 public:
  explicit LinkHandler(Replication* r) : r_(r) {}
  void OnEvents(uint32_t events) override { r_->OnLinkEvent(events); }

 private:
  Replication* r_;
};

// ---------------------------------------------------------------------------
// REPLICAOF

void Replication::ReplicaofCommand(Client& c) {
  auto error = [&](std::string_view msg) {
    c.reply.Error(msg);
    srv_->CountError(msg);
  };
  if (srv_->cfg().cluster_enabled) {
    error("ERR REPLICAOF not allowed in cluster mode.");
    return;
  }
  if (failover_state_ != FailoverState::kNone) {
    error("ERR REPLICAOF not allowed while failing over.");
    return;
  }
  if (base::EqNoCase(c.argv[1], "no") && base::EqNoCase(c.argv[2], "one")) {
    if (is_replica()) {
      UnsetMaster();
      Log(LogLevel::kNotice, "MASTER MODE enabled (user request from '%s')", server::ClientInfoString(c).c_str());
    }
  } else {
    if (c.flags & server::kClientSlave) {
      error("ERR Command is not valid when client is a replica.");
      return;
    }
    int64_t port;
    if (!base::StringToInt64(c.argv[2], &port) || port < 0 || port > 65535) {
      error("ERR Invalid master port");
      return;
    }
    std::string host(c.argv[1]);
    if (is_replica() && base::EqNoCase(masterhost_, host) && masterport_ == port) {
      Log(LogLevel::kNotice,
          "REPLICAOF would result into synchronization with the master we are already connected with. No "
          "operation performed.");
      c.reply.Raw("+OK Already connected to specified master\r\n");
      return;
    }
    SetMaster(host, static_cast<int>(port));
    Log(LogLevel::kNotice, "REPLICAOF %s:%d enabled (user request from '%s')", masterhost_.c_str(), masterport_,
        server::ClientInfoString(c).c_str());
  }
  c.reply.Ok();
}

void Replication::SetMaster(const std::string& host, int port) {
  bool was_master = masterhost_.empty();
  masterhost_ = host;
  masterport_ = port;
  srv_->cfg().masterhost = host;
  srv_->cfg().masterport = port;
  srv_->SyncKeyspaceOptions();
  server::SetLogRole('S');
  // Freeing the link caches it (we may continue with a partial resync).
  if (master_) master_->Close();
  DisconnectBlockedClients();
  CancelHandshake(false);
  // Why: a master turning replica can still partially resync with its new
  // master when that one was its replica (it shares this history).
  if (was_master) {
    DiscardCachedMaster();
    CacheMasterUsingMyself();
  }
  link_state_ = LinkState::kConnect;
  Log(LogLevel::kNotice, "Connecting to MASTER %s:%d", masterhost_.c_str(), masterport_);
  ConnectWithMaster();
}

void Replication::DisconnectBlockedClients() {
  // Redis's disconnectAllBlockedClients: what they wait for (a key on a
  // master, replicas' ACKs) will not come the same way on a replica.
  static constexpr std::string_view kMsg =
      "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
  for (Client* c = srv_->clients_head(); c; c = c->next) {
    if (!(c->flags & server::kClientBlocked) || !c->bstate) continue;
    if (c->flags & server::kClientWaitAcks) WaitForget(*c);
    srv_->blocking().Forget(*c);
    c->reply.Error(kMsg);
    srv_->CountError(kMsg);
    c->flags |= server::kClientCloseAfterReply;
    srv_->AddPendingWrite(c);
  }
}

void Replication::UnsetMaster() {
  if (!is_replica()) return;
  masterhost_.clear();
  srv_->cfg().masterhost.clear();
  srv_->SyncKeyspaceOptions();
  server::SetLogRole('M');
  if (master_) master_->Close();
  DiscardCachedMaster();
  CancelHandshake(false);
  // PSYNC2: the old history stays valid (as replid2) for our replicas,
  // which we disconnect so they resync with us as their master.
  ShiftReplicationId();
  DisconnectReplicas();
  link_state_ = LinkState::kNone;
  slaveseldb_ = -1;
  no_replicas_since_ = Now();
  down_since_ = 0;
  if (srv_->cfg().appendonly && !srv_->aof().enabled()) srv_->aof().Start();
}

bool Replication::is_replica() const { return !srv_->cfg().masterhost.empty(); }

int64_t Replication::replica_processed_offset() const {
  int64_t off = 0;
  if (!masterhost_.empty()) {
    if (master_ && master_->repl) {
      off = static_cast<const MasterLink*>(master_->repl.get())->reploff;
    } else if (cached_master_) {
      off = cached_master_->reploff;
    }
  }
  return off < 0 ? 0 : off;
}

int64_t Replication::master_data_age_ms() const {
  // Why whole seconds: Redis computes both from unixtime.
  int64_t now = srv_->unixtime();
  if (link_state_ == LinkState::kConnected && master_) return (now - master_->last_interaction_ms / 1000) * 1000;
  return (now - down_since_) * 1000;
}

void Replication::Start() {
  if (!srv_->cfg().masterhost.empty()) {
    masterhost_ = srv_->cfg().masterhost;
    masterport_ = srv_->cfg().masterport;
    server::SetLogRole('S');
    // Why: the cron connects (Redis sets REPL_STATE_CONNECT when it reads
    // replicaof from the config file).
    link_state_ = LinkState::kConnect;
  }
  // Why now: Redis's first replicationCron runs with the first serverCron,
  // right after startup (a replica connects at once, and the cron loop
  // counter moves past 0 before any replica can attach, so none gets a
  // first-tick PING).
  Cron();
}

// ---------------------------------------------------------------------------
// Connecting and the handshake

void Replication::CloseLinkFd() {
  if (link_fd_ < 0) return;
  srv_->loop().Remove(link_fd_);
  close(link_fd_);
  link_fd_ = -1;
}

bool Replication::ConnectWithMaster() {
  struct addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string port = std::to_string(masterport_);
  int rc = getaddrinfo(masterhost_.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    Log(LogLevel::kWarning, "Unable to connect to MASTER: %s", gai_strerror(rc));
    return false;
  }
  int fd = -1;
  int err = 0;
  for (struct addrinfo* p = res; p; p = p->ai_next) {
    fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    err = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    Log(LogLevel::kWarning, "Unable to connect to MASTER: %s", strerror(err ? err : errno));
    return false;
  }
  link_fd_ = fd;
  if (!link_handler_) link_handler_ = std::make_unique<LinkHandler>(this);
  srv_->loop().Add(fd, net::EventLoop::kWritable, link_handler_.get());
  transfer_lastio_ = Now();
  link_state_ = LinkState::kConnecting;
  line_.clear();
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync started");
  return true;
}

void Replication::AbortTransfer() {
  CloseLinkFd();
  if (transfer_fd_ >= 0) {
    close(transfer_fd_);
    unlink(transfer_tmpfile_.c_str());
    transfer_fd_ = -1;
    transfer_tmpfile_.clear();
  }
}

void Replication::CancelHandshake(bool reconnect) {
  if (link_state_ == LinkState::kTransfer) {
    AbortTransfer();
    link_state_ = LinkState::kConnect;
  } else if (link_state_ >= LinkState::kConnecting && link_state_ <= LinkState::kReceivePsyncReply) {
    CloseLinkFd();
    link_state_ = LinkState::kConnect;
  } else {
    return;
  }
  if (!reconnect) return;
  Log(LogLevel::kNotice, "Reconnecting to MASTER %s:%d after failure", masterhost_.c_str(), masterport_);
  ConnectWithMaster();
}

bool Replication::SendCommand(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  size_t off = 0;
  int64_t deadline = srv_->now_ms() + 5000;
  while (off < out.size()) {
    ssize_t n = write(link_fd_, out.data() + off, out.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      // Why a short wait: handshake commands are tiny and the socket's
      // buffer empty; Redis writes them synchronously too.
      if (srv_->now_ms() > deadline) return false;
      usleep(1000);
    } else {
      return false;
    }
  }
  return true;
}

int Replication::ReadLine(std::string* out) {
  for (;;) {
    char ch;
    ssize_t n = read(link_fd_, &ch, 1);
    if (n == 1) {
      stat_net_repl_input++;
      if (ch == '\n') {
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        *out = std::move(line_);
        line_.clear();
        transfer_lastio_ = Now();
        return 1;
      }
      line_.push_back(ch);
      if (line_.size() > 1024 * 1024) return -1;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    Log(LogLevel::kWarning, "Failed to read response from the server: %s", n == 0 ? "Connection lost" : strerror(errno));
    return -1;
  }
}

void Replication::OnLinkEvent(uint32_t events) {
  (void)events;
  if (link_state_ == LinkState::kTransfer) {
    ReadBulkPayload();
    return;
  }
  SyncWithMaster();
}

// PSYNC results (Redis's PSYNC_*).
enum PsyncResult { kPsyncWaitReply, kPsyncContinue, kPsyncFullResync, kPsyncNotSupported, kPsyncTryLater, kPsyncWriteError };

int Replication::TryPartialResync(bool read_reply) {
  if (!read_reply) {
    master_initial_offset_ = -1;
    std::string id, off;
    if (cached_master_) {
      id = cached_master_->replid;
      off = std::to_string(cached_master_->reploff + 1);
      Log(LogLevel::kNotice, "Trying a partial resynchronization (request %s:%s).", id.c_str(), off.c_str());
    } else {
      Log(LogLevel::kNotice, "Partial resynchronization not possible (no cached master)");
      id = "?";
      off = "-1";
    }
    // Why FAILOVER: the target promotes itself when it sees its master's
    // id with it (a coordinated switchover).
    bool ok = failover_state_ == FailoverState::kInProgress ? SendCommand({"PSYNC", id, off, "FAILOVER"})
                                                             : SendCommand({"PSYNC", id, off});
    if (!ok) {
      Log(LogLevel::kWarning, "Unable to send PSYNC to master: %s", strerror(errno));
      return kPsyncWriteError;
    }
    return kPsyncWaitReply;
  }
  std::string reply;
  int r = ReadLine(&reply);
  if (r == 0) return kPsyncWaitReply;
  if (r < 0) {
    Log(LogLevel::kWarning, "Master did not reply to PSYNC, will try later");
    return kPsyncTryLater;
  }
  // Why: newlines keep the link alive while the master prepares the RDB.
  if (reply.empty()) return kPsyncWaitReply;
  if (reply.compare(0, 11, "+FULLRESYNC") == 0) {
    size_t a = reply.find(' ');
    size_t b = a == std::string::npos ? a : reply.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos || b - a - 1 != 40) {
      Log(LogLevel::kWarning, "Master replied with wrong +FULLRESYNC syntax.");
      memset(master_replid_, 0, sizeof(master_replid_));
    } else {
      memcpy(master_replid_, reply.data() + a + 1, 40);
      master_replid_[40] = '\0';
      master_initial_offset_ = strtoll(reply.c_str() + b + 1, nullptr, 10);
      Log(LogLevel::kNotice, "Full resync from master: %s:%lld", master_replid_,
          static_cast<long long>(master_initial_offset_));
    }
    return kPsyncFullResync;
  }
  if (reply.compare(0, 9, "+CONTINUE") == 0) {
    Log(LogLevel::kNotice, "Successful partial resynchronization with master.");
    // PSYNC2: the master may continue our history under a new id.
    if (reply.size() == 10 + 40 && cached_master_) {
      std::string id = reply.substr(10, 40);
      if (id != cached_master_->replid) {
        Log(LogLevel::kWarning, "Master replication ID changed to %s", id.c_str());
        memcpy(replid2_, cached_master_->replid, 41);
        second_replid_offset_ = buf_.master_offset() + 1;
        memcpy(replid_, id.c_str(), 41);
        memcpy(cached_master_->replid, id.c_str(), 41);
        DisconnectReplicas();
      }
    }
    int fd = link_fd_;
    srv_->loop().Remove(fd);
    link_fd_ = -1;
    CreateMasterClient(fd, cached_master_ ? cached_master_->dbid : 0, true);
    if (!buf_.backlog_active()) CreateBacklog();
    return kPsyncContinue;
  }
  if (reply.compare(0, 13, "-NOMASTERLINK") == 0 || reply.compare(0, 8, "-LOADING") == 0) {
    Log(LogLevel::kNotice, "Master is currently unable to PSYNC but should be in the future: %s", reply.c_str());
    return kPsyncTryLater;
  }
  if (reply.compare(0, 4, "-ERR") != 0) {
    Log(LogLevel::kWarning, "Unexpected reply to PSYNC from master: %s", reply.c_str());
  } else {
    Log(LogLevel::kNotice, "Master does not support PSYNC or is in error state (reply: %s)", reply.c_str());
  }
  return kPsyncNotSupported;
}

void Replication::SyncWithMaster() {
  const server::Config& cfg = srv_->cfg();
  auto fail = [&]() {
    CloseLinkFd();
    if (transfer_fd_ >= 0) {
      close(transfer_fd_);
      transfer_fd_ = -1;
    }
    transfer_tmpfile_.clear();
    link_state_ = LinkState::kConnect;
  };
  auto write_error = [&](const char* what) {
    Log(LogLevel::kWarning, "Sending command to master in replication handshake: %s", what);
    fail();
  };
  if (link_state_ == LinkState::kNone) {
    CloseLinkFd();
    return;
  }
  if (link_state_ == LinkState::kConnecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(link_fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err) {
      Log(LogLevel::kWarning, "Error condition on socket for SYNC: %s", strerror(err));
      fail();
      return;
    }
    Log(LogLevel::kNotice, "Non blocking connect for SYNC fired the event.");
    srv_->loop().SetMask(link_fd_, net::EventLoop::kReadable);
    link_state_ = LinkState::kReceivePingReply;
    if (!SendCommand({"PING"})) write_error(strerror(errno));
    return;
  }
  std::string reply;
  auto read = [&]() -> int {
    int r = ReadLine(&reply);
    if (r < 0) {
      Log(LogLevel::kWarning, "Master did not respond to command during SYNC handshake");
      fail();
    }
    return r;
  };
  if (link_state_ == LinkState::kReceivePingReply) {
    int r = read();
    if (r <= 0) return;
    // Why these errors pass: a master with a password answers PING with
    // -NOAUTH before our AUTH; that still proves it is alive.
    if (reply.empty() || (reply[0] != '+' && reply.compare(0, 7, "-NOAUTH") != 0 &&
                          reply.compare(0, 7, "-NOPERM") != 0 &&
                          reply.compare(0, 28, "-ERR operation not permitted") != 0)) {
      Log(LogLevel::kWarning, "Error reply to PING from master: '%s'", reply.c_str());
      fail();
      return;
    }
    Log(LogLevel::kNotice, "Master replied to PING, replication can continue...");
    link_state_ = LinkState::kSendHandshake;
  }
  if (link_state_ == LinkState::kSendHandshake) {
    if (!cfg.masterauth.empty()) {
      bool ok = cfg.masteruser.empty() ? SendCommand({"AUTH", cfg.masterauth})
                                       : SendCommand({"AUTH", cfg.masteruser, cfg.masterauth});
      if (!ok) return write_error(strerror(errno));
    }
    int port = cfg.replica_announce_port ? cfg.replica_announce_port : cfg.port;
    if (!SendCommand({"REPLCONF", "listening-port", std::to_string(port)})) return write_error(strerror(errno));
    if (!cfg.replica_announce_ip.empty() && !SendCommand({"REPLCONF", "ip-address", cfg.replica_announce_ip}))
      return write_error(strerror(errno));
    if (!SendCommand({"REPLCONF", "capa", "eof", "capa", "psync2"})) return write_error(strerror(errno));
    link_state_ = LinkState::kReceiveAuthReply;
    return;
  }
  if (link_state_ == LinkState::kReceiveAuthReply && cfg.masterauth.empty())
    link_state_ = LinkState::kReceivePortReply;
  if (link_state_ == LinkState::kReceiveAuthReply) {
    if (read() <= 0) return;
    if (!reply.empty() && reply[0] == '-') {
      Log(LogLevel::kWarning, "Unable to AUTH to MASTER: %s", reply.c_str());
      fail();
      return;
    }
    link_state_ = LinkState::kReceivePortReply;
    return;
  }
  // Why not fatal: an old master may not know an option; Redis goes on.
  auto replconf_reply = [&](const char* what, LinkState next) {
    if (read() <= 0) return false;
    if (!reply.empty() && reply[0] == '-')
      Log(LogLevel::kNotice, "(Non critical) Master does not understand REPLCONF %s: %s", what, reply.c_str());
    link_state_ = next;
    return true;
  };
  if (link_state_ == LinkState::kReceivePortReply) {
    replconf_reply("listening-port", LinkState::kReceiveIpReply);
    return;
  }
  if (link_state_ == LinkState::kReceiveIpReply && cfg.replica_announce_ip.empty())
    link_state_ = LinkState::kReceiveCapaReply;
  if (link_state_ == LinkState::kReceiveIpReply) {
    replconf_reply("ip-address", LinkState::kReceiveCapaReply);
    return;
  }
  if (link_state_ == LinkState::kReceiveCapaReply && !replconf_reply("capa", LinkState::kSendPsync)) return;
  if (link_state_ == LinkState::kSendPsync) {
    if (TryPartialResync(false) == kPsyncWriteError) {
      AbortFailover("Write error to failover target");
      return write_error("Write error sending the PSYNC command.");
    }
    link_state_ = LinkState::kReceivePsyncReply;
    return;
  }
  if (link_state_ != LinkState::kReceivePsyncReply) {
    Log(LogLevel::kWarning, "syncWithMaster(): state machine error, state should be RECEIVE_PSYNC but is %d",
        static_cast<int>(link_state_));
    fail();
    return;
  }
  int r = TryPartialResync(true);
  if (r == kPsyncWaitReply) return;
  if (failover_state_ == FailoverState::kInProgress) {
    if (r == kPsyncContinue || r == kPsyncFullResync) {
      ClearFailoverState();
    } else {
      AbortFailover("Failover target rejected psync request");
      return;
    }
  }
  if (r == kPsyncTryLater) {
    fail();
    return;
  }
  if (r == kPsyncContinue) {
    Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    return;
  }
  if (r == kPsyncNotSupported) {
    Log(LogLevel::kNotice, "Retrying with SYNC...");
    if (!SendCommand({"SYNC"})) {
      Log(LogLevel::kWarning, "I/O error writing to MASTER: %s", strerror(errno));
      fail();
      return;
    }
  }
  if (!UseDisklessLoad()) {
    char tmp[256];
    int dfd = -1;
    for (int tries = 0; tries < 5 && dfd < 0; tries++) {
      snprintf(tmp, sizeof(tmp), "temp-%d.%ld.rdb", static_cast<int>(Now()), static_cast<long>(getpid()));
      dfd = open(tmp, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0644);
      if (dfd < 0) sleep(1);
    }
    if (dfd < 0) {
      Log(LogLevel::kWarning, "Opening the temp file needed for MASTER <-> REPLICA synchronization: %s",
          strerror(errno));
      fail();
      return;
    }
    transfer_tmpfile_ = tmp;
    transfer_fd_ = dfd;
  }
  link_state_ = LinkState::kTransfer;
  transfer_size_ = -1;
  transfer_read_ = 0;
  transfer_last_fsync_off_ = 0;
  transfer_lastio_ = Now();
}

// ---------------------------------------------------------------------------
// The transfer

bool Replication::UseDisklessLoad() const {
  int mode = srv_->cfg().repl_diskless_load;
  if (mode == 2) return true;
  if (mode == 1) {
    for (int i = 0; i < srv_->num_dbs(); i++)
      if (srv_->keyspace().size(i) > 0) return false;
    return true;
  }
  return false;
}

void Replication::SendNewlineToMaster() {
  // Why: the master would time us out while we load; one byte is valid
  // protocol and sent whole or not at all.
  int64_t now = Now();
  if (now == newline_sent_ || link_fd_ < 0) return;
  newline_sent_ = now;
  ssize_t w = write(link_fd_, "\n", 1);
  (void)w;
}

void Replication::ReadBulkPayload() {
  bool diskless = transfer_fd_ < 0;
  if (transfer_size_ == -1) {
    std::string line;
    int r = ReadLine(&line);
    if (r == 0) return;
    if (r < 0) {
      Log(LogLevel::kWarning, "I/O error reading bulk count from MASTER: %s", strerror(errno));
      CancelHandshake(true);
      return;
    }
    if (!line.empty() && line[0] == '-') {
      Log(LogLevel::kWarning, "MASTER aborted replication with an error: %s", line.c_str() + 1);
      CancelHandshake(true);
      return;
    }
    if (line.empty()) return;  // a keepalive newline
    if (line[0] != '$') {
      Log(LogLevel::kWarning,
          "Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port "
          "are right?",
          line.c_str());
      CancelHandshake(true);
      return;
    }
    if (line.compare(1, 4, "EOF:") == 0 && line.size() >= 5 + 40) {
      usemark_ = true;
      memcpy(eofmark_, line.data() + 5, 40);
      memset(lastbytes_, 0, sizeof(lastbytes_));
      transfer_size_ = 0;
      Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF %s",
          diskless ? "to parser" : "to disk");
    } else {
      usemark_ = false;
      transfer_size_ = strtoll(line.c_str() + 1, nullptr, 10);
      Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: receiving %lld bytes from master %s",
          static_cast<long long>(transfer_size_), diskless ? "to parser" : "to disk");
    }
    if (!diskless) return;
  }
  if (!diskless) {
    char buf[16 * 1024];
    size_t want = sizeof(buf);
    if (!usemark_) {
      int64_t left = transfer_size_ - transfer_read_;
      if (left < static_cast<int64_t>(want)) want = static_cast<size_t>(left);
    }
    ssize_t n = read(link_fd_, buf, want);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      Log(LogLevel::kWarning, "I/O error trying to sync with MASTER: %s", n < 0 ? strerror(errno) : "connection lost");
      CancelHandshake(true);
      return;
    }
    stat_net_repl_input += static_cast<uint64_t>(n);
    bool eof = false;
    if (usemark_) {
      if (n >= 40) {
        memcpy(lastbytes_, buf + n - 40, 40);
      } else {
        memmove(lastbytes_, lastbytes_ + n, static_cast<size_t>(40 - n));
        memcpy(lastbytes_ + 40 - n, buf, static_cast<size_t>(n));
      }
      eof = memcmp(lastbytes_, eofmark_, 40) == 0;
    }
    transfer_lastio_ = Now();
    if (write(transfer_fd_, buf, static_cast<size_t>(n)) != n) {
      Log(LogLevel::kWarning,
          "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: %s",
          strerror(errno));
      CancelHandshake(true);
      return;
    }
    transfer_read_ += n;
    if (usemark_ && eof && ftruncate(transfer_fd_, transfer_read_ - 40) == -1) {
      Log(LogLevel::kWarning, "Error truncating the RDB file received from the master for SYNC: %s", strerror(errno));
      CancelHandshake(true);
      return;
    }
    if (transfer_read_ >= transfer_last_fsync_off_ + kFsyncEvery) {
      fdatasync(transfer_fd_);
      transfer_last_fsync_off_ = transfer_read_;
    }
    if (!usemark_ && transfer_read_ == transfer_size_) eof = true;
    if (!eof) return;
  }
  // The whole RDB is here (disk), or is about to be read (diskless).
  if (srv_->aof().enabled()) srv_->aof().Stop();
  if (srv_->snapshots().child_running()) {
    if (!diskless) {
      Log(LogLevel::kNotice,
          "Replica is about to load the RDB file received from the master, but there is a pending RDB child "
          "running. Killing process %ld and removing its temp file to avoid any race",
          static_cast<long>(srv_->child().pid()));
    }
    srv_->snapshots().KillChild();
  }
  srv_->loop().Remove(link_fd_);
  bool ok = diskless ? LoadFromSocket() : LoadFromDisk();
  if (!ok) return;
}

bool Replication::LoadFromDisk() {
  AttachToNewMaster();
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Flushing old data");
  srv_->keyspace().Flush(-1, srv_->cfg().replica_lazy_flush);
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Loading DB in memory");
  if (fsync(transfer_fd_) == -1) {
    Log(LogLevel::kWarning, "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: %s",
        strerror(errno));
    CancelHandshake(true);
    return false;
  }
  const std::string& dbfile = srv_->cfg().dbfilename;
  if (rename(transfer_tmpfile_.c_str(), dbfile.c_str()) == -1) {
    Log(LogLevel::kWarning, "Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %s",
        dbfile.c_str(), strerror(errno));
    CancelHandshake(true);
    return false;
  }
  base::FsyncDirOf(dbfile);
  close(transfer_fd_);
  transfer_fd_ = -1;
  transfer_tmpfile_.clear();
  rdb::LoadInfo info;
  srv_->snapshots().load_tick = [this] { SendNewlineToMaster(); };
  auto res = srv_->snapshots().LoadFile(false, false, true, &info);
  srv_->snapshots().load_tick = nullptr;
  const server::Config& cfg = srv_->cfg();
  bool del = cfg.rdb_del_sync_files && cfg.save_params.empty() && !cfg.appendonly;
  if (res != server::Snapshotter::LoadResult::kOk) {
    Log(LogLevel::kWarning, "Failed trying to load the MASTER synchronization DB from disk: %s", strerror(errno));
    CancelHandshake(true);
    if (del) {
      Log(LogLevel::kNotice, "Removing the RDB file obtained from the master. This replica has persistence disabled");
      unlink(dbfile.c_str());
    }
    return false;
  }
  if (del) {
    Log(LogLevel::kNotice, "Removing the RDB file obtained from the master. This replica has persistence disabled");
    unlink(dbfile.c_str());
  }
  FinishSync(info.repl_stream_db);
  return true;
}

bool Replication::LoadFromSocket() {
  const server::Config& cfg = srv_->cfg();
  bool swap = cfg.repl_diskless_load == 2;
  std::unique_ptr<engine::Keyspace> temp;
  if (swap) {
    temp = std::make_unique<engine::Keyspace>(srv_->num_dbs());
    temp->options() = srv_->keyspace().options();
    // Cluster mode: indexed while loading, so adopting it costs nothing.
    if (srv_->keyspace().slot_index_enabled()) temp->EnableSlotIndex();
  } else {
    AttachToNewMaster();
    Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Flushing old data");
    srv_->keyspace().Flush(-1, cfg.replica_lazy_flush);
  }
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Loading DB in memory");
  // Why blocking with a timeout: the RDB comes as fast as the master makes
  // it; Redis reads it the same way (connBlock + connRecvTimeout).
  int fl = fcntl(link_fd_, F_GETFL);
  fcntl(link_fd_, F_SETFL, fl & ~O_NONBLOCK);
  struct timeval tv{cfg.repl_timeout, 0};
  setsockopt(link_fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  server::Snapshotter& snap = srv_->snapshots();
  // Why async only with the same history: the data served meanwhile is a
  // past state of what is being loaded (Redis's swapdb async loading).
  bool async = swap && memcmp(replid_, master_replid_, 40) == 0;
  snap.StartLoading(static_cast<uint64_t>(transfer_size_), async);
  if (swap) temp->options().loading = true;
  rdb::Reader r(link_fd_, usemark_ ? 0 : static_cast<uint64_t>(transfer_size_));
  if (!usemark_) r.set_read_limit(static_cast<uint64_t>(transfer_size_));
  rdb::FileLoadOptions o = snap.LoadOptions(false, true);
  o.skip_expired = false;
  auto progress = o.progress;
  o.progress = [this, progress](uint64_t bytes) {
    transfer_read_ = static_cast<int64_t>(bytes);
    SendNewlineToMaster();
    if (progress) progress(bytes);
  };
  rdb::LoadInfo info;
  std::string err;
  engine::Keyspace& target = swap ? *temp : srv_->keyspace();
  bool ok = rdb::LoadSnapshot(r, target, o, &info, &err);
  if (!ok) {
    Log(LogLevel::kWarning, "Failed trying to load the MASTER synchronization DB from socket: %s", err.c_str());
  } else if (usemark_) {
    char mark[40];
    if (!r.Raw(mark, 40) || memcmp(mark, eofmark_, 40) != 0) {
      Log(LogLevel::kWarning, "Replication stream EOF marker is broken");
      ok = false;
    }
  }
  stat_net_repl_input += r.processed();
  if (!ok) {
    snap.StopLoading();
    CancelHandshake(true);
    if (swap) {
      Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Discarding temporary DB in background");
    } else {
      srv_->keyspace().Flush(-1, cfg.replica_lazy_flush);
    }
    return false;
  }
  if (swap) {
    AttachToNewMaster();
    Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
    temp->options().loading = false;
    srv_->keyspace().AdoptContents(*temp, true);
    Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Discarding old DB in background");
  }
  srv_->keyspace().dirty++;
  snap.StopLoading();
  fcntl(link_fd_, F_SETFL, fl | O_NONBLOCK);
  struct timeval zero{0, 0};
  setsockopt(link_fd_, SOL_SOCKET, SO_RCVTIMEO, &zero, sizeof(zero));
  FinishSync(info.repl_stream_db);
  return true;
}

void Replication::FinishSync(int dbid) {
  int fd = link_fd_;
  link_fd_ = -1;
  memcpy(replid_, master_replid_, sizeof(replid_));
  buf_.set_master_offset(master_initial_offset_);
  CreateMasterClient(fd, dbid, false);
  ClearReplicationId2();
  if (!buf_.backlog_active()) CreateBacklog();
  Log(LogLevel::kNotice, "MASTER <-> REPLICA sync: Finished with success");
  if (usemark_) SendAck();
  if (srv_->cfg().appendonly && !srv_->aof().enabled()) srv_->aof().Start();
}

// ---------------------------------------------------------------------------
// The master link

void Replication::AttachToNewMaster() {
  // A different dataset: the cached history is useless, our replicas must
  // resync with us, and nobody may PSYNC from our old backlog.
  DiscardCachedMaster();
  DisconnectReplicas();
  FreeBacklog();
}

void Replication::CreateMasterClient(int fd, int dbid, bool resurrect) {
  auto* c = new Client(srv_, &srv_->loop(), fd, false);
  c->id = srv_->next_client_id++;
  c->addr = net::PeerAddress(fd);
  c->laddr = net::LocalAddress(fd);
  c->ctime_ms = srv_->now_ms();
  c->last_interaction_ms = srv_->now_ms();
  c->authenticated = true;
  c->user = nullptr;  // our master may do anything
  c->flags |= server::kClientMaster;
  c->reply.muted = true;
  auto link = std::make_unique<MasterLink>();
  if (resurrect && cached_master_) {
    memcpy(link->replid, cached_master_->replid, 41);
    link->reploff = cached_master_->reploff;
    dbid = cached_master_->dbid;
    cached_master_.reset();
  } else {
    memcpy(link->replid, master_replid_, 41);
    link->reploff = master_initial_offset_;
    if (link->reploff == -1) link->pre_psync = true;
  }
  link->read_reploff = link->reploff;
  c->repl = std::move(link);
  if (dbid >= 0 && dbid < srv_->num_dbs()) c->db_index = dbid;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  srv_->LinkClient(c);
  master_ = c;
  link_state_ = LinkState::kConnected;
  down_since_ = 0;
  if (!c->Start()) {
    Log(LogLevel::kWarning, "Error resurrecting the cached master, impossible to add the readable handler: %s",
        strerror(errno));
    c->Close();
  }
}

void Replication::MasterCommandDone(Client& c, const char* raw, size_t len) {
  if (&c != master_) return;
  auto& link = static_cast<MasterLink&>(*c.repl);
  // Why wait for EXEC: the offset (and what our replicas see) only moves
  // past a transaction once it is applied whole (Redis's commandProcessed
  // skips clients in MULTI).
  link.pending.append(raw, len);
  if (c.flags & server::kClientMulti) return;
  link.reploff += static_cast<int64_t>(link.pending.size());
  link.read_reploff = link.reploff;
  stat_net_repl_input += link.pending.size();
  // Our own backlog and replicas get the same bytes (same ids and offsets
  // down the chain).
  if (buf_.backlog_active()) FeedBytes(link.pending.data(), link.pending.size());
  buf_.set_master_offset(link.reploff);
  link.pending.clear();
}

void Replication::SendAck() {
  if (!master_ || master_->closed()) return;
  auto& link = static_cast<MasterLink&>(*master_->repl);
  std::string off = std::to_string(link.reploff);
  std::string out = "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$" + std::to_string(off.size()) + "\r\n" + off + "\r\n";
  master_->out().Append(out);
  srv_->AddPendingWrite(master_);
}

void Replication::CacheMasterUsingMyself() {
  Log(LogLevel::kNotice,
      "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able "
      "to synchronize with the new master with just a partial transfer.");
  cached_master_ = std::make_unique<CachedMaster>();
  memcpy(cached_master_->replid, replid_, 41);
  cached_master_->reploff = buf_.master_offset();
  cached_master_->dbid = 0;
}

void Replication::DiscardCachedMaster() {
  if (!cached_master_) return;
  Log(LogLevel::kNotice, "Discarding previously cached master state.");
  cached_master_.reset();
}

void Replication::HandleMasterDisconnection() {
  // replicationCacheMaster + replicationHandleMasterDisconnection.
  Client* c = master_;
  master_ = nullptr;
  if (!c) return;
  auto& link = static_cast<MasterLink&>(*c->repl);
  Log(LogLevel::kWarning, "Connection with master lost.");
  Log(LogLevel::kNotice, "Caching the disconnected master state.");
  cached_master_ = std::make_unique<CachedMaster>();
  memcpy(cached_master_->replid, link.replid, 41);
  cached_master_->reploff = link.reploff;
  cached_master_->dbid = c->db_index;
  link_state_ = LinkState::kConnect;
  down_since_ = Now();
  if (is_replica()) {
    Log(LogLevel::kNotice, "Reconnecting to MASTER %s:%d", masterhost_.c_str(), masterport_);
    ConnectWithMaster();
  }
}

void Replication::ReplicaCron() {
  if (!is_replica()) return;
  const server::Config& cfg = srv_->cfg();
  int64_t now = Now();
  bool handshake = link_state_ >= LinkState::kConnecting && link_state_ <= LinkState::kReceivePsyncReply;
  if (handshake && now - transfer_lastio_ > cfg.repl_timeout) {
    Log(LogLevel::kWarning, "Timeout connecting to the MASTER...");
    CancelHandshake(true);
  }
  if (link_state_ == LinkState::kTransfer && now - transfer_lastio_ > cfg.repl_timeout) {
    Log(LogLevel::kWarning,
        "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter "
        "in redis.conf to a larger value.");
    CancelHandshake(true);
  }
  if (link_state_ == LinkState::kConnected && master_ &&
      now - master_->last_interaction_ms / 1000 > cfg.repl_timeout) {
    Log(LogLevel::kWarning, "MASTER timeout: no data nor PING received...");
    master_->Close();
  }
  if (link_state_ == LinkState::kConnect) {
    Log(LogLevel::kNotice, "Connecting to MASTER %s:%d", masterhost_.c_str(), masterport_);
    ConnectWithMaster();
  }
  if (master_ && !static_cast<MasterLink&>(*master_->repl).pre_psync) SendAck();
}

}  // namespace vireo::replication
