// See client.h.
#include "server/client.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/memory.h"
#include "commands/client_cmd.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server {

namespace {
// Redis's PROTO_IOBUF_LEN: the size of one read.
constexpr size_t kIoBufLen = 16 * 1024;
}  // namespace

Client::Client(Server* srv, Socket sock, bool unix_socket)
    : reply(&out_), srv_(srv), sock_(std::move(sock)) {
  fd = sock_.native_handle();
  if (unix_socket) flags |= kClientUnixSocket;
  asio::error_code ec;
  sock_.non_blocking(true, ec);
}

Client::~Client() {
  base::Free(qbuf_);
}

size_t Client::argv_mem() const {
  size_t n = 0;
  for (auto a : argv) n += a.size();
  return n;
}

const char* Client::EventsString() const {
  if (writing_) return reading_ ? "rw" : "w";
  return reading_ ? "r" : "";
}

void Client::Start() {
  last_interaction_ms = srv_->now_ms();
  ArmRead();
}

void Client::ArmRead() {
  if (reading_ || closed_) return;
  reading_ = true;
  waits_++;
  sock_.async_wait(Socket::wait_read, [this](const asio::error_code& ec) { OnReadable(ec); });
}

void Client::EnsureRoom(size_t need) {
  // Compact first: move the unparsed tail to the front.
  if (qpos_ > 0) {
    size_t tail = qlen_ - qpos_;
    if (tail) memmove(qbuf_, qbuf_ + qpos_, tail);
    parser_.Rebase(qpos_);
    qlen_ = tail;
    qpos_ = 0;
  }
  if (qcap_ - qlen_ >= need) return;
  size_t cap = qlen_ + need;
  qbuf_ = static_cast<char*>(base::Realloc(qbuf_, cap));
  qcap_ = base::AllocSize(qbuf_);
}

void Client::OnReadable(const asio::error_code& ec) {
  waits_--;
  reading_ = false;
  if (closed_) {
    MaybeFree();
    return;
  }
  if (ec) {
    Close();
    return;
  }
  srv_->UpdateTime();
  for (;;) {
    // Why: like Redis with PROTO_MBULK_BIG_ARG, a big argument gets a buffer
    // sized for it so it is read straight into place, not via 16k copies.
    size_t want = kIoBufLen;
    int64_t big = parser_.pending_bulk_len();
    if (parser_.in_multibulk() && big >= static_cast<int64_t>(protocol::kMbulkBigArg)) {
      size_t have = qlen_ - qpos_;
      size_t need = static_cast<size_t>(big) + 2;
      if (need > have) want = need - have;
      if (want < kIoBufLen) want = kIoBufLen;
    }
    if (qcap_ - qlen_ < want) EnsureRoom(want);
    ssize_t n = ::read(fd, qbuf_ + qlen_, qcap_ - qlen_);
    if (n > 0) {
      size_t avail = qcap_ - qlen_;
      qlen_ += static_cast<size_t>(n);
      srv_->stats.net_input_bytes += static_cast<uint64_t>(n);
      srv_->stats.total_reads_processed++;
      last_interaction_ms = srv_->now_ms();
      if (qlen_ - qpos_ > static_cast<size_t>(srv_->cfg().client_query_buffer_limit)) {
        // Why: Redis closes (without a reply) a client whose query buffer
        // exceeds client-query-buffer-limit.
        Log(LogLevel::kWarning, "Closing client that reached max query buffer length: id=%llu addr=%s (qbuf initial bytes: ...)",
            static_cast<unsigned long long>(id), addr.c_str());
        srv_->stats.client_qbuf_limit_disconnections++;
        Close();
        return;
      }
      ProcessInput();
      if (closed_) return;
      if (static_cast<size_t>(n) < avail) break;  // socket drained
      if (flags & kClientPendingCommand) break;     // paused
      continue;
    }
    if (n == 0) {
      if (LogEnabled(LogLevel::kVerbose)) {
        Log(LogLevel::kVerbose, "Client closed connection %s",
            commands::ClientInfoString(*this).c_str());
      }
      Close();
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR) continue;
    Close();
    return;
  }
  if (!closed_) ArmRead();  // also with CloseAfterReply: notice EOF
}

void Client::ProtocolError(const std::string& msg) {
  // Why: Redis replies "-ERR Protocol error: ..." and closes after the reply.
  std::string line = "ERR " + msg;
  reply.Error(line);
  srv_->CountError(line);
  flags |= kClientCloseAfterReply;
  // Why: Redis closes "after the reply"; with CLIENT REPLY OFF/SKIP no reply
  // is ever queued, so the connection stays open (Redis does the same).
  if (!out_.empty()) srv_->AddPendingWrite(this);
}

void Client::ProcessInput() {
  protocol::RequestParser::Limits limits;
  limits.proto_max_bulk_len = srv_->cfg().proto_max_bulk_len;
  while (qpos_ < qlen_ && !closed_) {
    if (flags & (kClientCloseAfterReply | kClientCloseAsap)) break;
    if (flags & kClientPendingCommand) break;  // paused: waits for unpause
    limits.auth_required = !authenticated && !srv_->cfg().requirepass.empty();
    size_t consumed = 0;
    auto st = parser_.Parse(qbuf_, qpos_, qlen_, limits, &consumed);
    if (st == protocol::RequestParser::Status::kIncomplete) break;
    if (st == protocol::RequestParser::Status::kError) {
      ProtocolError(parser_.error());
      parser_.Reset();
      qpos_ = qlen_;
      break;
    }
    if (st == protocol::RequestParser::Status::kEmpty) {
      qpos_ += consumed;
      parser_.Reset();
      continue;
    }
    parser_.BuildArgs(qbuf_, &argv);
    flags |= kClientExecuting;
    bool ran = srv_->ProcessCommand(*this);
    flags &= ~kClientExecuting;
    if (ran) {
      // CLIENT REPLY SKIP, as Redis's resetClient: a command's end clears
      // the skip, and turns a pending SKIP (set by this command) into one,
      // so everything until the next command's end is muted.
      flags &= ~kClientReplySkip;
      if (flags & kClientReplySkipNext) flags = (flags & ~kClientReplySkipNext) | kClientReplySkip;
      reply.muted = (flags & (kClientReplyOff | kClientReplySkip)) != 0;
    }
    if (!ran) {
      // CLIENT PAUSE holds this command: parse it again once unpaused.
      parser_.Reset();
      argv.clear();
      flags |= kClientPendingCommand;
      srv_->paused_clients.push_back(this);
      break;
    }
    qpos_ += consumed;
    parser_.Reset();
    argv.clear();
    if (closed_) return;
    EnforceOutputLimits();
    if (closed_) return;
  }
  if (qpos_ == qlen_) {
    qpos_ = qlen_ = 0;
    parser_.Rebase(0);
  }
  if (!out_.empty()) srv_->AddPendingWrite(this);
}

void Client::ResumeProcessing() {
  flags &= ~kClientPendingCommand;
  if (closed_) return;
  ProcessInput();
  if (!closed_ && !reading_ && !(flags & kClientCloseAfterReply)) ArmRead();
}

bool Client::Flush() {
  if (closed_) return false;
  flags &= ~kClientPendingWrite;
  while (!out_.empty()) {
    struct iovec iov[IOV_MAX < 64 ? IOV_MAX : 64];
    int cnt = out_.FillIov(iov, static_cast<int>(sizeof(iov) / sizeof(iov[0])));
    ssize_t n = ::writev(fd, iov, cnt);
    if (n > 0) {
      out_.Consume(static_cast<size_t>(n));
      srv_->stats.net_output_bytes += static_cast<uint64_t>(n);
      srv_->stats.total_writes_processed++;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!writing_) {
        writing_ = true;
        waits_++;
        sock_.async_wait(Socket::wait_write, [this](const asio::error_code& ec) { OnWritable(ec); });
      }
      return true;
    }
    Close();
    return false;
  }
  if (flags & kClientCloseAfterReply) {
    Close();
    return false;
  }
  return true;
}

void Client::OnWritable(const asio::error_code& ec) {
  waits_--;
  writing_ = false;
  if (closed_) {
    MaybeFree();
    return;
  }
  if (ec) {
    Close();
    return;
  }
  Flush();
}

void Client::Close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  sock_.cancel(ec);
  srv_->OnClientClosed(this);
  sock_.close(ec);
  fd = -1;
  MaybeFree();
}

void Client::MaybeFree() {
  if (closed_ && waits_ == 0 && !in_free_list_) {
    in_free_list_ = true;
    srv_->ScheduleFree(this);
  }
}

bool Client::OutputBufferLimitReached() {
  const Config& cfg = srv_->cfg();
  // Why: Redis counts only what overflows the static reply buffer, and
  // classes clients as normal or pubsub (monitors count as normal).
  const Config::ClientOutputBufferLimit& lim =
      (flags & kClientPubsub) ? cfg.cobl_pubsub : cfg.cobl_normal;
  size_t used = out_.overflow_bytes();
  bool hard = lim.hard && used >= lim.hard;
  bool soft = lim.soft && used >= lim.soft;
  if (soft) {
    if (obuf_soft_limit_reached_time == 0) {
      obuf_soft_limit_reached_time = srv_->now_ms() / 1000;
      soft = false;  // first time we see the soft limit reached
    } else if (srv_->now_ms() / 1000 - obuf_soft_limit_reached_time <= lim.soft_seconds) {
      soft = false;  // not long enough yet
    }
  } else {
    obuf_soft_limit_reached_time = 0;
  }
  return hard || soft;
}

void Client::EnforceOutputLimits() {
  if (closed_ || out_.overflow_bytes() == 0) return;
  if (!OutputBufferLimitReached()) return;
  Log(LogLevel::kWarning,
      "Client id=%llu addr=%s laddr=%s fd=%d name=%s scheduled to be closed ASAP for overcoming "
      "of output buffer limits.",
      static_cast<unsigned long long>(id), addr.c_str(), laddr.c_str(), fd, name.c_str());
  srv_->stats.client_outbuf_limit_disconnections++;
  Close();
}

void Client::ReleaseIdleBuffers() {
  if (qpos_ == qlen_ && !parser_.in_multibulk() && qbuf_) {
    base::Free(qbuf_);
    qbuf_ = nullptr;
    qcap_ = qlen_ = qpos_ = 0;
  }
  if (out_.empty()) out_.Release();
}

}  // namespace vireo::server
