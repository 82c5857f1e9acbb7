// The master side of replication (see replication.h): the stream, SYNC /
// PSYNC, REPLCONF, the full sync (disk or diskless), WAIT, min-replicas
// and the once-a-second housekeeping — Redis 7.0's replication.c master
// half, with its log lines.
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/ascii.h"
#include "base/hash.h"
#include "base/memory.h"
#include "base/numbers.h"
#include "base/split_args.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_save.h"
#include "replication/replication.h"
#include "server/client_info.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"
#include "vireo/version.h"

namespace vireo::replication {

using server::Log;
using server::LogLevel;
namespace rdb = persistence::rdb;

namespace {
Replication* g_repl = nullptr;

int64_t Now() { return time(nullptr); }

const char* StateName(ReplicaState s) {
  switch (s) {
    case ReplicaState::kWaitBgsaveStart:
    case ReplicaState::kWaitBgsaveEnd: return "wait_bgsave";
    case ReplicaState::kSendBulk: return "send_bulk";
    case ReplicaState::kOnline: return "online";
    case ReplicaState::kRdbTransmitted: return "rdb_transmitted";
  }
  return "";
}

ReplicaLink& LinkOf(Client& c) { return *static_cast<ReplicaLink*>(c.repl.get()); }

// Writes a reply line straight to the socket, as Redis's connWrite of
// +FULLRESYNC / +CONTINUE: the output buffer holds the stream from here on.
bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void ReplyError(Server* srv, Client& c, std::string_view msg) {
  c.reply.Error(msg);
  srv->CountError(msg);
}

bool WriteDirect(Client& c, const std::string& s) {
  if (c.fd < 0) return false;
  ssize_t n = write(c.fd, s.data(), s.size());
  return n == static_cast<ssize_t>(s.size());
}
}  // namespace

const char* ReplicaStateName(ReplicaState s) { return StateName(s); }

Replication* Get() { return g_repl; }

Replication::Replication(Server* srv) : srv_(srv) {
  g_repl = this;
  ChangeReplicationId();
  ClearReplicationId2();
  buf_.set_backlog_size(srv->cfg().repl_backlog_size);
  no_replicas_since_ = Now();
  srv->config.OnChange("repl-backlog-size", [this](std::string*) {
    buf_.set_backlog_size(srv_->cfg().repl_backlog_size);
    return true;
  });
  srv->config.OnChange({"min-replicas-to-write", "min-replicas-max-lag"}, [this](std::string*) {
    RefreshGoodReplicas();
    return true;
  });
}

Replication::~Replication() {
  if (buf_.backlog_active()) srv_->propagator().RemoveSink(this);
  ClosePipe();
  CloseLinkFd();
  if (g_repl == this) g_repl = nullptr;
}

std::unique_ptr<Replication> Create(Server* srv) { return std::make_unique<Replication>(srv); }

// ---------------------------------------------------------------------------
// Replication IDs and the backlog

void Replication::ChangeReplicationId() {
  base::RandomHex(replid_, 40);
  replid_[40] = '\0';
}

void Replication::ClearReplicationId2() {
  memset(replid2_, '0', 40);
  replid2_[40] = '\0';
  second_replid_offset_ = -1;
}

void Replication::ShiftReplicationId() {
  memcpy(replid2_, replid_, sizeof(replid_));
  // Why +1: a replica asks for the first byte it lacks; having the same
  // history up to master_repl_offset means it may ask for the next byte.
  second_replid_offset_ = buf_.master_offset() + 1;
  ChangeReplicationId();
  Log(LogLevel::kWarning,
      "Setting secondary replication ID to %s, valid up to offset: %lld. New replication ID is %s", replid2_,
      static_cast<long long>(second_replid_offset_), replid_);
}

void Replication::CreateBacklog() {
  if (buf_.backlog_active()) return;
  buf_.CreateBacklog();
  // Why: the first command after a (re)created backlog must select its db.
  slaveseldb_ = -1;
  srv_->propagator().AddSink(this);
}

void Replication::FreeBacklog() {
  if (!buf_.backlog_active()) return;
  buf_.FreeBacklog();
  srv_->propagator().RemoveSink(this);
}

server::ReplicationHooks::Memory Replication::memory() const {
  // Why this split (Redis's getMemoryOverheadData): the backlog and the
  // replicas share one buffer; what exceeds repl-backlog-size while
  // replicas are attached is charged to them.
  Memory m;
  m.total = buf_.memory();
  int64_t limit = srv_->cfg().repl_backlog_size;
  if (!replicas_.empty() && static_cast<int64_t>(m.total) > limit) {
    m.replicas = m.total - static_cast<size_t>(limit);
    m.backlog = static_cast<size_t>(limit);
  } else {
    m.backlog = m.total;
  }
  return m;
}

// ---------------------------------------------------------------------------
// The stream

void Replication::Feed(int dbid, std::span<const std::string_view> argv) {
  // Why: a replica proxies its master's bytes instead (same ids and
  // offsets down the chain), so its own writes never reach its replicas.
  if (is_replica() || !buf_.backlog_active()) return;
  thread_local std::string out;
  out.clear();
  char num[32];
  if (slaveseldb_ != dbid) {
    int n = snprintf(num, sizeof(num), "%d", dbid);
    out += "*2\r\n$6\r\nSELECT\r\n$";
    out += std::to_string(n);
    out += "\r\n";
    out.append(num, static_cast<size_t>(n));
    out += "\r\n";
    slaveseldb_ = dbid;
  }
  out.push_back('*');
  out += std::to_string(argv.size());
  out += "\r\n";
  for (std::string_view a : argv) {
    out.push_back('$');
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
  FeedBytes(out.data(), out.size());
}

void Replication::FeedBytes(const char* p, size_t n) {
  bool new_block = false;
  ReplBuffer::Cursor start = buf_.Append(p, n, &new_block);
  AttachWaitingReplicas(start, new_block);
  // Why after: the replicas just attached pin their start block (Redis
  // trims once a new block was added, after the attachments).
  if (new_block) buf_.Trim();
}

void Replication::AttachWaitingReplicas(const ReplBuffer::Cursor& start, bool new_block) {
  if (replicas_.empty()) return;
  std::vector<Client*> v = replicas_;  // a limit may close one
  for (Client* c : v) {
    ReplicaLink& l = LinkOf(*c);
    // canFeedReplicaReplBuffer: not for RDB-only replicas nor before the
    // snapshot point.
    if (l.rdb_only || l.state == ReplicaState::kWaitBgsaveStart) continue;
    if (!l.cursor.attached()) buf_.Attach(&l.cursor, start);
    if (l.stream_started) srv_->AddPendingWrite(c);
    if (new_block) CheckReplicaOutputLimit(*c, l);
  }
}

void Replication::CheckReplicaOutputLimit(Client& c, ReplicaLink& l) {
  const server::Config::ClientOutputBufferLimit& lim = srv_->cfg().cobl_replica;
  size_t used = l.output_memory();
  // Why: a replica may always hold a backlog's worth (Redis raises a hard
  // limit under repl-backlog-size to it), or every burst the backlog can
  // absorb would drop it.
  size_t hard_limit = lim.hard;
  auto backlog = static_cast<size_t>(srv_->cfg().repl_backlog_size);
  if (hard_limit && hard_limit < backlog) hard_limit = backlog;
  bool hard = hard_limit && used >= hard_limit;
  bool soft = lim.soft && used >= lim.soft;
  int64_t now = Now();
  if (soft) {
    if (c.obuf_soft_limit_reached_time == 0) {
      c.obuf_soft_limit_reached_time = now;
      soft = false;
    } else if (now - c.obuf_soft_limit_reached_time <= lim.soft_seconds) {
      soft = false;
    }
  } else {
    c.obuf_soft_limit_reached_time = 0;
  }
  if (!hard && !soft) return;
  Log(LogLevel::kWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
      server::ClientInfoString(c).c_str());
  srv_->stats.client_outbuf_limit_disconnections++;
  c.Close();
}

size_t ReplicaLink::output_memory() const {
  if (!cursor.attached()) return 0;
  // Redis's getClientOutputBufferMemoryUsage for a replica: from the start
  // of its block to the end of the buffer's last block.
  const ReplBuffer& b = r_->buffer();
  return static_cast<size_t>(b.master_offset() + 1 - cursor.block->repl_offset);
}

ReplicaLink::~ReplicaLink() {
  if (cursor.attached()) r_->buffer().Detach(&cursor);
  if (dbfd >= 0) close(dbfd);
}

bool ReplicaLink::Flush(Client& c) {
  // Why: a replica never gets replies; one that made us reply is broken
  // (Redis 7.0 disconnects it).
  if (!c.out().empty()) {
    Log(LogLevel::kWarning, "Replica generated a reply to command '%s', disconnecting it: %s",
        c.last_cmd ? c.last_cmd->name.c_str() : "<unknown>", server::ClientInfoString(c).c_str());
    c.Close();
    return false;
  }
  net::Connection* conn = c.connection();
  if (!conn) return true;
  if (state == ReplicaState::kSendBulk) {
    // sendBulkToSlave: the "$<len>\r\n" preamble, then the file.
    if (!preamble.empty()) {
      struct iovec iov{preamble.data(), preamble.size()};
      ssize_t n = conn->WriteIov(&iov, 1);
      if (n < 0) {
        Log(LogLevel::kWarning, "Write error sending RDB preamble to replica: %s", strerror(errno));
        c.Close();
        return false;
      }
      r_->stat_net_repl_output += static_cast<uint64_t>(n);
      preamble.erase(0, static_cast<size_t>(n));
      if (!preamble.empty()) return true;
    }
    char buf[16 * 1024];
    // Why a bounded loop: Redis sends one buffer per writable event; a few
    // per call keep one replica from stalling the loop.
    for (int i = 0; i < 64 && dboff < dbsize; i++) {
      ssize_t len = pread(dbfd, buf, sizeof(buf), dboff);
      if (len <= 0) {
        Log(LogLevel::kWarning, "Read error sending DB to replica: %s", len == 0 ? "premature EOF" : strerror(errno));
        c.Close();
        return false;
      }
      struct iovec iov{buf, static_cast<size_t>(len)};
      ssize_t n = conn->WriteIov(&iov, 1);
      if (n < 0) {
        Log(LogLevel::kWarning, "Write error sending DB to replica: %s", strerror(errno));
        c.Close();
        return false;
      }
      if (n == 0) return true;  // writability is watched
      dboff += n;
      r_->stat_net_repl_output += static_cast<uint64_t>(n);
    }
    if (dboff < dbsize) {
      conn->WatchWritable();
      return true;
    }
    close(dbfd);
    dbfd = -1;
    conn->StopWatchingWritable();
    r_->PutOnline(c, *this);
    if (c.closed()) return false;
    if (state == ReplicaState::kOnline) r_->StartStream(c, *this);
    return true;
  }
  if (state == ReplicaState::kWaitBgsaveEnd && pipe_writing) {
    // rdbPipeWriteHandler: the rest of the current diskless chunk.
    struct iovec iov{const_cast<char*>(r_->pipe_data()) + pipe_off, r_->pipe_len() - pipe_off};
    ssize_t n = conn->WriteIov(&iov, 1);
    if (n < 0) {
      Log(LogLevel::kWarning, "Write error sending DB to replica: %s", strerror(errno));
      c.Close();
      return false;
    }
    pipe_off += static_cast<size_t>(n);
    r_->stat_net_repl_output += static_cast<uint64_t>(n);
    if (pipe_off < r_->pipe_len()) {
      last_partial_write = Now();
      conn->WatchWritable();
      return true;
    }
    pipe_writing = false;
    last_partial_write = 0;
    conn->StopWatchingWritable();
    r_->PipeWriteDone();
    return true;
  }
  if (state != ReplicaState::kOnline || !stream_started || !cursor.attached()) return true;
  ReplBuffer& b = r_->buffer();
  while (b.Pending(cursor) > 0) {
    struct iovec iov[64];
    int cnt = b.FillIov(cursor, iov, 64);
    ssize_t n = conn->WriteIov(iov, cnt);
    if (n < 0) {
      c.Close();
      return false;
    }
    if (n == 0) return true;  // writability is watched
    b.Advance(&cursor, static_cast<size_t>(n));
    r_->stat_net_repl_output += static_cast<uint64_t>(n);
  }
  conn->StopWatchingWritable();
  return true;
}

// ---------------------------------------------------------------------------
// SYNC / PSYNC

std::string Replication::ReplicaName(const Client& c) const {
  // replicationGetSlaveName: the announced ip (or the peer's), and the
  // listening port when known.
  std::string ip = c.repl ? ReplicaIp(c) : c.addr.substr(0, c.addr.rfind(':'));
  int port = c.repl ? static_cast<const ReplicaLink&>(*c.repl).listening_port : 0;
  if (port) return ip + ":" + std::to_string(port);
  return ip + ":<unknown-replica-port>";
}

bool Replication::TryPartialResync(Client& c, ReplicaLink& l, std::string_view replid, int64_t offset) {
  bool id1 = base::EqNoCase(replid, replid_);
  bool id2 = base::EqNoCase(replid, replid2_);
  if (!id1 && (!id2 || offset > second_replid_offset_)) {
    if (replid.empty() || replid[0] != '?') {
      if (!id1 && !id2) {
        Log(LogLevel::kNotice,
            "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%.*s', my "
            "replication IDs are '%s' and '%s')",
            static_cast<int>(replid.size()), replid.data(), replid_, replid2_);
      } else {
        Log(LogLevel::kNotice,
            "Partial resynchronization not accepted: Requested offset for second ID was %lld, but I can reply up "
            "to %lld",
            static_cast<long long>(offset), static_cast<long long>(second_replid_offset_));
      }
    } else {
      Log(LogLevel::kNotice, "Full resync requested by replica %s", ReplicaName(c).c_str());
    }
    return false;
  }
  if (!buf_.CanServe(offset)) {
    Log(LogLevel::kNotice, "Unable to partial resync with replica %s for lack of backlog (Replica request was: %lld).",
        ReplicaName(c).c_str(), static_cast<long long>(offset));
    if (offset > buf_.master_offset()) {
      Log(LogLevel::kWarning,
          "Warning: replica %s tried to PSYNC with an offset that is greater than the master replication offset.",
          ReplicaName(c).c_str());
    }
    return false;
  }
  c.flags |= server::kClientSlave;
  l.synced = true;
  l.state = ReplicaState::kOnline;
  l.ack_time = Now();
  l.start_stream_on_ack = false;
  replicas_.push_back(&c);
  std::string reply = l.capa_psync2 ? "+CONTINUE " + std::string(replid_) + "\r\n" : "+CONTINUE\r\n";
  if (!WriteDirect(c, reply)) {
    c.Close();
    return true;
  }
  int64_t len = buf_.backlog_offset() + buf_.histlen() - offset;
  buf_.AttachAt(&l.cursor, offset);
  l.stream_started = true;
  srv_->AddPendingWrite(&c);
  Log(LogLevel::kNotice,
      "Partial resynchronization request from %s accepted. Sending %lld bytes of backlog starting from offset %lld.",
      ReplicaName(c).c_str(), static_cast<long long>(len), static_cast<long long>(offset));
  RefreshGoodReplicas();
  return true;
}

bool Replication::SetupForFullResync(Client& c, ReplicaLink& l, int64_t offset) {
  l.psync_initial_offset = offset;
  l.state = ReplicaState::kWaitBgsaveEnd;
  // Why: the stream this replica accumulates from here must start with a
  // SELECT (replicationSetupSlaveForFullResync).
  slaveseldb_ = -1;
  if (!l.pre_psync) {
    std::string reply = "+FULLRESYNC " + std::string(replid_) + " " + std::to_string(offset) + "\r\n";
    if (!WriteDirect(c, reply)) {
      c.Close();
      return false;
    }
  }
  return true;
}

void Replication::SyncCommand(Client& c) {
  if (c.flags & server::kClientSlave) return;
  if (!c.connection()) return;
  bool psync = base::EqNoCase(c.argv[0], "psync");
  if (psync && c.argv.size() > 3 && base::EqNoCase(c.argv[3], "failover")) {
    Log(LogLevel::kWarning, "Failover request received for replid %.*s.", static_cast<int>(c.argv[1].size()),
        c.argv[1].data());
    if (!is_replica()) {
      ReplyError(srv_, c, "ERR PSYNC FAILOVER can't be sent to a master.");
      return;
    }
    if (base::EqNoCase(c.argv[1], replid_)) {
      UnsetMaster();
      Log(LogLevel::kNotice, "MASTER MODE enabled (failover request from '%s')", server::ClientInfoString(c).c_str());
    } else {
      ReplyError(srv_, c, "ERR PSYNC FAILOVER replid must match my replid.");
      return;
    }
  }
  // Don't let replicas sync with us while we are failing over.
  if (failover_state_ != FailoverState::kNone) {
    ReplyError(srv_, c, "NOMASTERLINK Can't SYNC while failing over");
    return;
  }
  if (is_replica() && link_state_ != LinkState::kConnected) {
    ReplyError(srv_, c, "NOMASTERLINK Can't SYNC while not connected with my master");
    return;
  }
  if (!c.out().empty()) {
    ReplyError(srv_, c, "ERR SYNC and PSYNC are invalid with pending output");
    return;
  }
  if (!c.repl) c.repl = std::make_unique<ReplicaLink>(this);
  ReplicaLink& l = LinkOf(c);
  // A filtered RDB only goes through a socket (never over dump.rdb).
  if (l.exclude_data && !l.capa_eof) {
    ReplyError(srv_, c, "ERR Filtered replica requires EOF capability");
    return;
  }
  Log(LogLevel::kNotice, "Replica %s asks for synchronization", ReplicaName(c).c_str());
  if (psync) {
    int64_t offset;
    if (!base::StringToInt64(c.argv[2], &offset)) {
      c.reply.Error(server::err::kNotInt);
      srv_->CountError(server::err::kNotInt);
      Log(LogLevel::kWarning, "Replica %s asks for synchronization but with a wrong offset", ReplicaName(c).c_str());
      return;
    }
    if (TryPartialResync(c, l, c.argv[1], offset)) {
      stat_sync_partial_ok++;
      return;
    }
    if (c.argv[1].empty() || c.argv[1][0] != '?') stat_sync_partial_err++;
  } else {
    // Why: SYNC is the old protocol (redis-cli --replica): no ACKs expected.
    l.pre_psync = true;
  }
  stat_sync_full++;
  l.state = ReplicaState::kWaitBgsaveStart;
  if (srv_->cfg().repl_disable_tcp_nodelay) {
    int zero = 0;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(zero));
  }
  c.flags |= server::kClientSlave;
  l.synced = true;
  replicas_.push_back(&c);
  if (replicas_.size() == 1 && !buf_.backlog_active()) {
    // Why a new id: without a backlog there is no history to continue.
    ChangeReplicationId();
    ClearReplicationId2();
    CreateBacklog();
    Log(LogLevel::kNotice, "Replication backlog created, my new replication IDs are '%s' and '%s'", replid_,
        replid2_);
  }
  server::Snapshotter& snap = srv_->snapshots();
  if (snap.child_running() && !snap.socket_child()) {
    // CASE 1: a BGSAVE to disk runs: attach to it when another replica is
    // already recording the differences since its fork.
    Client* other = nullptr;
    for (Client* r : replicas_) {
      if (r == &c) continue;
      ReplicaLink& o = LinkOf(*r);
      if (o.state == ReplicaState::kWaitBgsaveEnd && (!o.rdb_only || l.rdb_only)) {
        other = r;
        break;
      }
    }
    if (other && (l.capa_eof || !LinkOf(*other).capa_eof) && l.exclude_data == LinkOf(*other).exclude_data) {
      ReplicaLink& o = LinkOf(*other);
      if (!l.rdb_only && o.cursor.attached()) buf_.Attach(&l.cursor, o.cursor);
      SetupForFullResync(c, l, o.psync_initial_offset);
      Log(LogLevel::kNotice, "Waiting for end of BGSAVE for SYNC");
    } else {
      Log(LogLevel::kNotice, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    }
  } else if (snap.socket_child()) {
    Log(LogLevel::kNotice, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
  } else {
    const server::Config& cfg = srv_->cfg();
    if (cfg.repl_diskless_sync && l.capa_eof && cfg.repl_diskless_sync_delay) {
      Log(LogLevel::kNotice, "Delay next BGSAVE for diskless SYNC");
    } else if (!srv_->child().active()) {
      StartBgsaveForReplication(l.capa_eof, l.exclude_data);
    } else {
      Log(LogLevel::kNotice,
          "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
    }
  }
}

bool Replication::StartBgsaveForReplication(bool mincapa_eof, bool exclude_data) {
  bool socket_target = (srv_->cfg().repl_diskless_sync || exclude_data) && mincapa_eof;
  Log(LogLevel::kNotice, "Starting BGSAVE for SYNC with target: %s", socket_target ? "replicas sockets" : "disk");
  bool ok = socket_target ? StartDisklessChild(exclude_data) : srv_->snapshots().StartBackgroundSave();
  if (ok && !socket_target && srv_->cfg().rdb_del_sync_files) rdb_generated_by_replication_ = true;
  if (!ok) {
    Log(LogLevel::kWarning, "BGSAVE for replication failed");
    std::vector<Client*> v = replicas_;
    for (Client* c : v) {
      ReplicaLink& l = LinkOf(*c);
      if (l.state != ReplicaState::kWaitBgsaveStart) continue;
      replicas_.erase(std::remove(replicas_.begin(), replicas_.end(), c), replicas_.end());
      c->flags &= ~server::kClientSlave;
      l.synced = false;
      ReplyError(srv_, *c, "ERR BGSAVE failed, replication can't continue");
      c->flags |= server::kClientCloseAfterReply;
      srv_->AddPendingWrite(c);
    }
    return false;
  }
  if (!socket_target) {
    for (Client* c : replicas_) {
      ReplicaLink& l = LinkOf(*c);
      if (l.state == ReplicaState::kWaitBgsaveStart && l.exclude_data == exclude_data)
        SetupForFullResync(*c, l, buf_.master_offset());
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The diskless child and its pipe

class PipeReader final : public net::EventLoop::Handler {
 public:
  explicit PipeReader(Replication* r) : r_(r) {}
  void OnEvents(uint32_t) override { r_->OnPipeReadable(); }

 private:
  Replication* r_;
};

bool Replication::StartDisklessChild(bool exclude_data) {
  if (srv_->child().active() || pipe_read_fd_ >= 0) return false;
  int rdb_pipe[2], exit_pipe[2];
  if (pipe2(rdb_pipe, O_CLOEXEC) != 0) return false;
  if (pipe2(exit_pipe, O_CLOEXEC) != 0) {
    close(rdb_pipe[0]);
    close(rdb_pipe[1]);
    return false;
  }
  pipe_conns_.clear();
  for (Client* c : replicas_) {
    ReplicaLink& l = LinkOf(*c);
    if (l.state != ReplicaState::kWaitBgsaveStart || l.exclude_data != exclude_data) continue;
    pipe_conns_.push_back(c);
    SetupForFullResync(*c, l, buf_.master_offset());
  }
  rdb::AuxFields aux;
  aux.redis_ver = VIREO_REDIS_VERSION;
  aux.ctime = time(nullptr);
  aux.used_mem = 0;
  FillSaveInfo(&aux);
  const server::Config& cfg = srv_->cfg();
  int wfd = rdb_pipe[1], safe_to_exit = exit_pipe[0];
  pid_t pid = srv_->child().Start(server::ChildType::kRdb, "redis-rdb-to-slaves", [&]() {
    close(rdb_pipe[0]);
    close(exit_pipe[1]);
    // rdbSaveRioWithEOFMark: "$EOF:<40 random chars>\r\n", the RDB, the mark.
    // Why the framing is written around the Writer: the RDB's CRC covers
    // its own bytes only.
    char mark[41];
    base::RandomHex(mark, 40);
    std::string head = "$EOF:" + std::string(mark, 40) + "\r\n";
    bool ok = WriteAll(wfd, head.data(), head.size());
    rdb::SaveOptions opts;
    opts.compression = cfg.rdbcompression;
    opts.checksum = cfg.rdbchecksum;
    opts.key_save_delay = cfg.rdb_key_save_delay;
    aux.used_mem = static_cast<int64_t>(base::UsedMemory());
    if (ok) {
      rdb::Writer w(wfd);
      // Why 16 KB (Redis's PROTO_IOBUF_LEN for rioFd): the replicas get
      // the snapshot as it is made, not in big late bursts.
      w.set_flush_bytes(16 * 1024);
      // Why an empty keyspace: a filtered RDB carries no data (the aux
      // fields tell the replica where the stream starts).
      engine::Keyspace empty(1);
      ok = rdb::WriteSnapshot(w, exclude_data ? empty : srv_->keyspace(), aux, opts,
                              [&](uint64_t keys) { srv_->child().ReportProgress(keys); }) &&
           w.Flush();
    }
    if (ok) ok = WriteAll(wfd, mark, 40);
    if (ok) srv_->child().ReportFinal("RDB");
    close(wfd);
    // Wait until the parent has read everything (it closes the other end).
    char dummy;
    ssize_t rd = read(safe_to_exit, &dummy, 1);
    (void)rd;
    return ok;
  });
  close(rdb_pipe[1]);
  close(exit_pipe[0]);
  if (pid < 0) {
    Log(LogLevel::kWarning, "Can't save in background: fork: %s", strerror(errno));
    for (Client* c : pipe_conns_) {
      ReplicaLink& l = LinkOf(*c);
      if (l.state == ReplicaState::kWaitBgsaveEnd) l.state = ReplicaState::kWaitBgsaveStart;
    }
    close(rdb_pipe[0]);
    close(exit_pipe[1]);
    pipe_conns_.clear();
    return false;
  }
  Log(LogLevel::kNotice, "Background RDB transfer started by pid %ld", static_cast<long>(pid));
  srv_->snapshots().SocketChildStarted(pid);
  pipe_read_fd_ = rdb_pipe[0];
  child_exit_pipe_ = exit_pipe[1];
  fcntl(pipe_read_fd_, F_SETFL, fcntl(pipe_read_fd_, F_GETFL) | O_NONBLOCK);
  pipe_buf_.resize(16 * 1024);
  pipe_len_ = 0;
  pipe_writing_ = 0;
  pipe_handler_ = std::make_unique<PipeReader>(this);
  srv_->loop().Add(pipe_read_fd_, net::EventLoop::kReadable, pipe_handler_.get());
  return true;
}

void Replication::OnPipeReadable() {
  while (pipe_read_fd_ >= 0 && pipe_writing_ == 0) {
    ssize_t n = read(pipe_read_fd_, pipe_buf_.data(), pipe_buf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      Log(LogLevel::kWarning, "Diskless rdb transfer, read error sending DB to replicas: %s", strerror(errno));
      std::vector<Client*> v = pipe_conns_;
      for (Client* c : v)
        if (c) c->Close();
      srv_->snapshots().KillChild();
      return;
    }
    if (n == 0) {
      int up = 0;
      for (Client* c : pipe_conns_)
        if (c) up++;
      srv_->loop().Remove(pipe_read_fd_);
      Log(LogLevel::kWarning, "Diskless rdb transfer, done reading from pipe, %d replicas still up.", up);
      // Now the child may exit: its exit puts the replicas online.
      if (child_exit_pipe_ >= 0) close(child_exit_pipe_);
      child_exit_pipe_ = -1;
      return;
    }
    pipe_len_ = static_cast<size_t>(n);
    int alive = 0;
    for (Client*& c : pipe_conns_) {
      if (!c) continue;
      ReplicaLink& l = LinkOf(*c);
      struct iovec iov{pipe_buf_.data(), pipe_len_};
      ssize_t w = c->connection() ? c->connection()->WriteIov(&iov, 1) : -1;
      if (w < 0) {
        Log(LogLevel::kWarning, "Diskless rdb transfer, write error sending DB to replica: %s", strerror(errno));
        Client* dead = c;
        c = nullptr;
        dead->Close();
        continue;
      }
      stat_net_repl_output += static_cast<uint64_t>(w);
      l.pipe_off = static_cast<size_t>(w);
      if (l.pipe_off != pipe_len_) {
        l.last_partial_write = Now();
        l.pipe_writing = true;
        pipe_writing_++;
        // The rest goes when the socket can take it (ReplicaLink::Flush).
        c->connection()->WatchWritable();
      }
      alive++;
    }
    if (alive == 0) {
      Log(LogLevel::kWarning, "Diskless rdb transfer, last replica dropped, killing fork child.");
      srv_->snapshots().KillChild();
      return;
    }
    if (pipe_writing_) {
      // Stop reading until every replica took this chunk.
      srv_->loop().SetMask(pipe_read_fd_, net::EventLoop::kNone);
      return;
    }
  }
}

void Replication::PipeWriteDone() {
  if (pipe_writing_ > 0) pipe_writing_--;
  if (pipe_writing_ == 0 && pipe_read_fd_ >= 0) {
    srv_->loop().SetMask(pipe_read_fd_, net::EventLoop::kReadable);
    OnPipeReadable();
  }
}

void Replication::ClosePipe() {
  if (pipe_read_fd_ >= 0) {
    srv_->loop().Remove(pipe_read_fd_);
    close(pipe_read_fd_);
    pipe_read_fd_ = -1;
  }
  if (child_exit_pipe_ >= 0) close(child_exit_pipe_);
  child_exit_pipe_ = -1;
  pipe_conns_.clear();
  pipe_writing_ = 0;
  pipe_len_ = 0;
}

void Replication::BgsaveDone(bool ok, bool socket_target) {
  if (socket_target) ClosePipe();
  // updateSlavesWaitingBgsave.
  std::vector<Client*> v = replicas_;
  for (Client* c : v) {
    ReplicaLink& l = LinkOf(*c);
    if (l.state != ReplicaState::kWaitBgsaveEnd) continue;
    if (!ok) {
      Log(LogLevel::kWarning, "SYNC failed. BGSAVE child returned an error");
      c->Close();
      continue;
    }
    if (socket_target) {
      Log(LogLevel::kNotice,
          "Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK from slave to enable "
          "streaming",
          ReplicaName(*c).c_str());
      // Why wait for the ACK: the replica finds the end of an EOF-framed
      // RDB by its last 40 bytes; nothing may follow them until it says it
      // is done (it then ACKs).
      PutOnline(*c, l);
      if (c->closed()) continue;
      l.start_stream_on_ack = true;
    } else {
      const std::string& file = srv_->cfg().dbfilename;
      struct stat st;
      l.dbfd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
      if (l.dbfd < 0 || fstat(l.dbfd, &st) != 0) {
        Log(LogLevel::kWarning, "SYNC failed. Can't open/stat DB after BGSAVE: %s", strerror(errno));
        c->Close();
        continue;
      }
      l.dboff = 0;
      l.dbsize = st.st_size;
      l.state = ReplicaState::kSendBulk;
      l.preamble = "$" + std::to_string(static_cast<long long>(st.st_size)) + "\r\n";
      srv_->AddPendingWrite(c);
    }
  }
}

void Replication::PutOnline(Client& c, ReplicaLink& l) {
  if (l.rdb_only) {
    l.state = ReplicaState::kRdbTransmitted;
    Log(LogLevel::kNotice, "RDB transfer completed, rdb only replica (%s) should be disconnected asap",
        ReplicaName(c).c_str());
    c.flags |= server::kClientCloseAsap;
    c.Close();
    return;
  }
  l.state = ReplicaState::kOnline;
  l.ack_time = Now();
  RefreshGoodReplicas();
  Log(LogLevel::kNotice, "Synchronization with replica %s succeeded", ReplicaName(c).c_str());
}

void Replication::StartStream(Client& c, ReplicaLink& l) {
  l.start_stream_on_ack = false;
  l.stream_started = true;
  srv_->AddPendingWrite(&c);
}

// ---------------------------------------------------------------------------
// REPLCONF

void Replication::ReplconfCommand(Client& c) {
  auto& argv = c.argv;
  auto error = [&](std::string_view msg) {
    c.reply.Error(msg);
    srv_->CountError(msg);
  };
  if (argv.size() % 2 == 0) {
    error(server::err::kSyntax);
    return;
  }
  if (!c.repl && !(c.flags & server::kClientMaster)) c.repl = std::make_unique<ReplicaLink>(this);
  for (size_t j = 1; j < argv.size(); j += 2) {
    std::string_view opt = argv[j], val = argv[j + 1];
    if (base::EqNoCase(opt, "listening-port")) {
      int64_t port;
      if (!base::StringToInt64(val, &port)) {
        error(server::err::kNotInt);
        return;
      }
      if (c.repl && !(c.flags & server::kClientMaster)) LinkOf(c).listening_port = static_cast<int>(port);
    } else if (base::EqNoCase(opt, "ip-address")) {
      // Why 46: Redis's NET_HOST_STR_LEN is 256 in 7.0.
      if (val.size() >= 256) {
        error("ERR REPLCONF ip-address provided by replica instance is too long: " + std::to_string(val.size()) +
              " bytes");
        return;
      }
      if (c.repl && !(c.flags & server::kClientMaster)) LinkOf(c).announced_ip = std::string(val);
    } else if (base::EqNoCase(opt, "capa")) {
      if (c.repl && !(c.flags & server::kClientMaster)) {
        if (base::EqNoCase(val, "eof")) LinkOf(c).capa_eof = true;
        else if (base::EqNoCase(val, "psync2")) LinkOf(c).capa_psync2 = true;
      }
    } else if (base::EqNoCase(opt, "ack")) {
      // Why no reply: an ACK is sent by a replica while we stream to it.
      if (!(c.flags & server::kClientSlave)) return;
      int64_t off;
      if (!base::StringToInt64(val, &off)) return;
      ReplicaLink& l = LinkOf(c);
      if (off > l.ack_off) l.ack_off = off;
      l.ack_time = Now();
      if (l.state == ReplicaState::kWaitBgsaveEnd && srv_->snapshots().child_running()) {
        // The child may have ended without the cron noticing yet.
      }
      if (l.start_stream_on_ack && l.state == ReplicaState::kOnline) StartStream(c, l);
      return;
    } else if (base::EqNoCase(opt, "getack")) {
      if (is_replica() && master_) SendAck();
      return;
    } else if (base::EqNoCase(opt, "rdb-only")) {
      int64_t v;
      // Redis's getRangeLongFromObjectOrReply(0, 1): its two texts.
      if (!base::StringToInt64(val, &v)) {
        error(std::string(server::err::kNotInt));
        return;
      }
      if (v < 0 || v > 1) {
        error("ERR value is out of range, value must between 0 and 1");
        return;
      }
      if (c.repl && !(c.flags & server::kClientMaster)) LinkOf(c).rdb_only = v == 1;
    } else if (base::EqNoCase(opt, "rdb-filter-only")) {
      // Why: redis-cli --replica asks for an RDB without data ("") and
      // then only reads the stream; "functions" keeps the functions (none
      // here yet), never the keys.
      auto filters = base::SplitArgs(val);
      if (!filters) {
        error("ERR Missing rdb-filter-only values");
        return;
      }
      for (const std::string& f : *filters) {
        if (!base::EqNoCase(f, "functions")) {
          error("ERR Unsupported rdb-filter-only option: " + f);
          return;
        }
      }
      if (c.repl && !(c.flags & server::kClientMaster)) LinkOf(c).exclude_data = true;
    } else {
      error("ERR Unrecognized REPLCONF option: " + std::string(opt));
      return;
    }
  }
  c.reply.Ok();
}

// ---------------------------------------------------------------------------
// WAIT and min-replicas

int Replication::CountAcks(int64_t offset) const {
  int n = 0;
  for (Client* c : replicas_) {
    const ReplicaLink& l = *static_cast<const ReplicaLink*>(c->repl.get());
    if (l.state == ReplicaState::kOnline && l.ack_off >= offset) n++;
  }
  return n;
}

void Replication::WaitCommand(Client& c) {
  if (is_replica()) {
    std::string_view msg =
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
        "configured to be writable (which is not the default) writes to replicas are just local and are not "
        "propagated.";
    c.reply.Error(msg);
    srv_->CountError(msg);
    return;
  }
  int64_t numreplicas;
  if (!base::StringToInt64(c.argv[1], &numreplicas)) {
    c.reply.Error(server::err::kNotInt);
    srv_->CountError(server::err::kNotInt);
    return;
  }
  int64_t timeout;
  if (!base::StringToInt64(c.argv[2], &timeout)) {
    c.reply.Error(server::err::kTimeout);
    srv_->CountError(server::err::kTimeout);
    return;
  }
  if (timeout < 0) {
    std::string_view msg = "ERR timeout is negative";
    c.reply.Error(msg);
    srv_->CountError(msg);
    return;
  }
  // Running again after a wake-up or a timeout: the offset is the one it
  // first waited for.
  int64_t offset = c.woff;
  auto it = std::find_if(waits_.begin(), waits_.end(), [&](const WaitState& w) { return w.c == &c; });
  if (it != waits_.end()) offset = it->offset;
  int acks = CountAcks(offset);
  bool timed_out = c.bstate && c.bstate->outcome == server::BlockState::Outcome::kTimeout;
  if (acks >= numreplicas || (c.flags & server::kClientMulti) || timed_out || !srv_->blocking().CanBlock(c)) {
    if (it != waits_.end()) waits_.erase(it);
    c.flags &= ~server::kClientWaitAcks;
    c.reply.Int(acks);
    return;
  }
  if (it == waits_.end()) waits_.push_back(WaitState{&c, offset, static_cast<long>(numreplicas)});
  int64_t deadline = timeout > 0 ? srv_->now_ms() + timeout : 0;
  srv_->blocking().Block(c, {}, engine::ObjType::kString, deadline);
  c.bstate->answer_on_timeout = true;
  c.flags |= server::kClientWaitAcks;
  get_ack_ = true;
}

void Replication::WaitForget(Client& c) {
  waits_.erase(std::remove_if(waits_.begin(), waits_.end(), [&](const WaitState& w) { return w.c == &c; }),
               waits_.end());
  c.flags &= ~server::kClientWaitAcks;
}

bool Replication::ReadyToShutdown() const {
  for (Client* c : replicas_)
    if (static_cast<const ReplicaLink&>(*c->repl).ack_off != buf_.master_offset()) return false;
  return true;
}

void Replication::LogShutdownReplicas() {
  int n = 0, lagging = 0;
  int64_t now = Now();
  for (Client* c : replicas_) {
    const ReplicaLink& l = LinkOf(*c);
    n++;
    if (l.ack_off == buf_.master_offset()) continue;
    lagging++;
    long lag = l.state == ReplicaState::kOnline ? static_cast<long>(now - l.ack_time) : 0;
    Log(LogLevel::kWarning, "Lagging replica %s reported offset %lld behind master, lag=%ld, state=%s.",
        ReplicaName(*c).c_str(), static_cast<long long>(buf_.master_offset() - l.ack_off), lag,
        StateName(l.state));
  }
  if (n > 0) Log(LogLevel::kNotice, "%d of %d replicas are in sync when shutting down.", n - lagging, n);
}

void Replication::SendGetack() {
  // Why in the stream: the ACK must count everything before it.
  static constexpr std::string_view kArgv[] = {"REPLCONF", "GETACK", "*"};
  Feed(slaveseldb_, std::span<const std::string_view>(kArgv, 3));
}

void Replication::BeforeSleep() {
  if (get_ack_ && !srv_->paused()) {
    if (!is_replica()) SendGetack();
    get_ack_ = false;
  }
  if (waits_.empty()) return;
  // processClientsWaitingReplicas.
  std::vector<WaitState> v = waits_;
  bool woke = false;
  for (const WaitState& w : v) {
    if (CountAcks(w.offset) >= w.numreplicas && (w.c->flags & server::kClientBlocked)) {
      srv_->blocking().Wake(*w.c);
      woke = true;
    }
  }
  if (woke) srv_->blocking().ServeReady();
}

bool Replication::good_replicas_ok() const {
  const server::Config& cfg = srv_->cfg();
  return is_replica() || !cfg.min_replicas_max_lag || !cfg.min_replicas_to_write ||
         good_replicas_ >= cfg.min_replicas_to_write;
}

void Replication::RefreshGoodReplicas() {
  const server::Config& cfg = srv_->cfg();
  if (!cfg.min_replicas_to_write || !cfg.min_replicas_max_lag) return;
  int good = 0;
  int64_t now = Now();
  for (Client* c : replicas_) {
    ReplicaLink& l = LinkOf(*c);
    if (l.state == ReplicaState::kOnline && now - l.ack_time <= cfg.min_replicas_max_lag) good++;
  }
  good_replicas_ = good;
}

// ---------------------------------------------------------------------------
// Clients leaving, housekeeping

void Replication::ClientClosed(Client& c) {
  if (c.flags & server::kClientWaitAcks) WaitForget(c);
  if (&c == master_) {
    HandleMasterDisconnection();
    return;
  }
  if (!(c.flags & server::kClientSlave)) return;
  auto it = std::find(replicas_.begin(), replicas_.end(), &c);
  if (it == replicas_.end()) return;
  replicas_.erase(it);
  ReplicaLink& l = LinkOf(c);
  // Why kill the BGSAVE: without save points it only served this replica;
  // a new sync can fork at once, and its memory goes now (Redis's
  // freeClient, anyOtherSlaveWaitRdb).
  if (srv_->cfg().save_params.empty() && l.state == ReplicaState::kWaitBgsaveEnd &&
      srv_->snapshots().child_running() && !srv_->snapshots().socket_child() &&
      std::none_of(replicas_.begin(), replicas_.end(),
                   [](Client* r) { return LinkOf(*r).state == ReplicaState::kWaitBgsaveEnd; })) {
    srv_->snapshots().KillChild();
    Log(LogLevel::kWarning, "Background saving terminated by signal %d", SIGUSR1);
  }
  if (l.cursor.attached()) buf_.Detach(&l.cursor);
  // Why first: the next chunk must not go to this closing replica.
  for (Client*& p : pipe_conns_)
    if (p == &c) p = nullptr;
  if (l.pipe_writing) {
    l.pipe_writing = false;
    PipeWriteDone();
  }
  if (l.state == ReplicaState::kOnline) Log(LogLevel::kNotice, "Connection with replica %s lost.", ReplicaName(c).c_str());
  if (replicas_.empty()) no_replicas_since_ = Now();
  RefreshGoodReplicas();
  // Why: a diskless transfer nobody listens to any more is pointless.
  if (srv_->snapshots().socket_child() && !pipe_conns_.empty() &&
      std::all_of(pipe_conns_.begin(), pipe_conns_.end(), [](Client* p) { return p == nullptr; })) {
    Log(LogLevel::kWarning, "Diskless rdb transfer, last replica dropped, killing fork child.");
    srv_->snapshots().KillChild();
  }
}

void Replication::DisconnectReplicas() {
  std::vector<Client*> v = replicas_;
  for (Client* c : v) c->Close();
}

bool Replication::ShouldStartPendingFork(bool* mincapa_eof, bool* rdb_only) const {
  if (srv_->child().active()) return false;
  const server::Config& cfg = srv_->cfg();
  int waiting = 0;
  int64_t max_idle = 0;
  bool first = true, capa = true, req = false;
  int64_t now = srv_->now_ms();
  for (Client* c : replicas_) {
    const ReplicaLink& l = *static_cast<const ReplicaLink*>(c->repl.get());
    if (l.state != ReplicaState::kWaitBgsaveStart) continue;
    if (first) {
      req = l.exclude_data;
    } else if (req != l.exclude_data) {
      continue;
    }
    int64_t idle = (now - c->last_interaction_ms) / 1000;
    if (idle > max_idle) max_idle = idle;
    waiting++;
    capa = first ? l.capa_eof : (capa && l.capa_eof);
    first = false;
  }
  if (waiting && (!cfg.repl_diskless_sync ||
                  (cfg.repl_diskless_sync_max_replicas > 0 && waiting >= cfg.repl_diskless_sync_max_replicas) ||
                  max_idle >= cfg.repl_diskless_sync_delay)) {
    *mincapa_eof = capa;
    *rdb_only = req;
    return true;
  }
  return false;
}

void Replication::MasterCron() {
  const server::Config& cfg = srv_->cfg();
  int64_t now = Now();
  // Why not during a FAILOVER with a deadline: a PING would move the
  // offset the target must reach while writes are paused.
  bool manual_failover = failover_end_time_ && srv_->paused();
  if (!replicas_.empty() && cfg.repl_ping_replica_period > 0 && cron_loops_ % cfg.repl_ping_replica_period == 0 &&
      !manual_failover) {
    static constexpr std::string_view kPing[] = {"PING"};
    Feed(slaveseldb_, std::span<const std::string_view>(kPing, 1));
  }
  std::vector<Client*> v = replicas_;
  for (Client* c : v) {
    ReplicaLink& l = LinkOf(*c);
    // Why a newline: it keeps a replica waiting for its RDB from timing
    // out, and is valid protocol it ignores.
    bool presync = l.state == ReplicaState::kWaitBgsaveStart ||
                   (l.state == ReplicaState::kWaitBgsaveEnd && !srv_->snapshots().socket_child());
    if (presync && c->fd >= 0) {
      ssize_t w = write(c->fd, "\n", 1);
      (void)w;
    }
  }
  for (Client* c : v) {
    if (c->closed()) continue;
    ReplicaLink& l = LinkOf(*c);
    if (l.state == ReplicaState::kOnline) {
      if (l.pre_psync) continue;
      if (now - l.ack_time > cfg.repl_timeout) {
        Log(LogLevel::kWarning, "Disconnecting timedout replica (streaming sync): %s", ReplicaName(*c).c_str());
        c->Close();
        continue;
      }
    }
    if (l.state == ReplicaState::kWaitBgsaveEnd && srv_->snapshots().socket_child() && l.last_partial_write != 0 &&
        now - l.last_partial_write > cfg.repl_timeout) {
      Log(LogLevel::kWarning, "Disconnecting timedout replica (full sync): %s", ReplicaName(*c).c_str());
      c->Close();
    }
  }
  if (replicas_.empty() && cfg.repl_backlog_ttl && buf_.backlog_active() && !is_replica()) {
    if (now - no_replicas_since_ > cfg.repl_backlog_ttl) {
      // Why a new id: the history is gone, nobody may continue it.
      ChangeReplicationId();
      ClearReplicationId2();
      FreeBacklog();
      Log(LogLevel::kNotice, "Replication backlog freed after %d seconds without connected replicas.",
          static_cast<int>(cfg.repl_backlog_ttl));
    }
  }
  bool capa = false, req = false;
  if (ShouldStartPendingFork(&capa, &req)) StartBgsaveForReplication(capa, req);
  // removeRDBUsedToSyncReplicas.
  if (!cfg.rdb_del_sync_files) {
    rdb_generated_by_replication_ = false;
  } else if (rdb_generated_by_replication_ && cfg.save_params.empty() && !cfg.appendonly) {
    bool busy = std::any_of(replicas_.begin(), replicas_.end(), [](Client* c) {
      ReplicaState s = static_cast<ReplicaLink*>(c->repl.get())->state;
      return s == ReplicaState::kWaitBgsaveStart || s == ReplicaState::kWaitBgsaveEnd || s == ReplicaState::kSendBulk;
    });
    struct stat st;
    if (!busy && lstat(cfg.dbfilename.c_str(), &st) == 0) {
      rdb_generated_by_replication_ = false;
      Log(LogLevel::kNotice, "Removing the RDB file used to feed replicas in a persistence-less instance");
      unlink(cfg.dbfilename.c_str());
    }
  }
  RefreshGoodReplicas();
}

void Replication::Cron() {
  // Why not while loading: the cron also runs between the chunks of a
  // load (serving -LOADING), and the transfer being loaded must not time
  // out or reconnect under it (Redis's whileBlockedCron has no
  // replicationCron).
  if (srv_->snapshots().loading() || srv_->snapshots().async_loading()) return;
  // Every tick: a FAILOVER's target may have caught up.
  UpdateFailoverStatus();
  // Redis runs replicationCron once a second, ten times a second while
  // failing over (the handshake with the target goes faster).
  int64_t now = srv_->now_ms();
  if (now - last_cron_ms_ < (failover_state_ != FailoverState::kNone ? 100 : 1000)) return;
  last_cron_ms_ = now;
  ReplicaCron();
  MasterCron();
  cron_loops_++;
}

// ---------------------------------------------------------------------------
// Persistence

void Replication::FillSaveInfo(rdb::AuxFields* aux) {
  // rdbPopulateSaveInfo.
  if (!is_replica() && buf_.backlog_active()) {
    aux->with_repl = true;
    aux->repl_stream_db = slaveseldb_ == -1 ? 0 : slaveseldb_;
  } else if (master_) {
    aux->with_repl = true;
    aux->repl_stream_db = master_->db_index;
  } else if (cached_master_) {
    aux->with_repl = true;
    aux->repl_stream_db = cached_master_->dbid;
  } else {
    return;
  }
  aux->repl_id = replid_;
  aux->repl_offset = buf_.master_offset();
}

// Redis's iAmMaster: in cluster mode the node's role in nodes.conf counts,
// even before the cluster cron configured the replication link.
bool Replication::IAmMaster() const {
  return !is_replica() && !(srv_->cluster() && srv_->cluster()->IAmReplica());
}

void Replication::PrepareStartupLoad(rdb::FileLoadOptions* o) {
  if (!IAmMaster()) return;
  // Why: keys found expired while a master loads are deleted; its replicas
  // (which may still hold them) get the DELs through the backlog.
  CreateBacklog();
  o->on_expired = [this](int db, std::string_view key) {
    std::string_view argv[] = {"DEL", key};
    Feed(db, std::span<const std::string_view>(argv, 2));
  };
}

void Replication::RestoreFromRdb(const rdb::LoadInfo& info) {
  bool valid = info.repl_id.size() == 40 && info.repl_offset != -1 && info.repl_stream_db != -1;
  if (valid) {
    if (!IAmMaster()) {
      memcpy(replid_, info.repl_id.data(), 40);
      buf_.set_master_offset(info.repl_offset);
      // A replica restarted from its RDB can continue where it left.
      CacheMasterUsingMyself();
      cached_master_->dbid = info.repl_stream_db;
    } else {
      // A master restarted from its RDB: its old id becomes the second one,
      // so replicas that followed it may partially resync.
      memcpy(replid2_, info.repl_id.data(), 40);
      second_replid_offset_ = info.repl_offset + 1;
      buf_.set_master_offset(buf_.master_offset() + info.repl_offset);
      buf_.Rebase(info.repl_offset);
      no_replicas_since_ = Now();
    }
  }
  if (!valid && buf_.backlog_active()) FreeBacklog();
}

}  // namespace vireo::replication
