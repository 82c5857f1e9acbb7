// See connection.h.
#include "net/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/memory.h"

namespace vireo::net {

namespace {
// Redis's PROTO_IOBUF_LEN (the size of one read) and PROTO_RESIZE_THRESHOLD.
constexpr size_t kIoBufLen = 16 * 1024;
constexpr size_t kResizeThreshold = 32 * 1024;
constexpr size_t kMaxIov = IOV_MAX < 64 ? IOV_MAX : 64;
}  // namespace

Connection::Connection(EventLoop* loop, int fd, ConnectionHandler* handler, NetStats* stats,
                       std::vector<std::string_view>* argv)
    : loop_(loop), fd_(fd), handler_(handler), stats_(stats), argv_(argv) {}

Connection::~Connection() {
  Close();
  base::Free(qbuf_);
}

const char* Connection::EventsString() const {
  if (closed_) return "";
  return writing_ ? "rw" : "r";
}

bool Connection::Start() { return loop_->Add(fd_, EventLoop::kReadable, this); }

void Connection::OnEvents(uint32_t events) {
  if (closed_) return;
  if (events & EventLoop::kReadable) ReadFromSocket();
  if (!closed_ && writing_ && (events & EventLoop::kWritable)) handler_->OnWritable();
}

size_t Connection::ReadWant() const {
  // Why: like Redis with PROTO_MBULK_BIG_ARG, a big argument gets a buffer
  // sized for it, so it is read straight into place, not via 16k copies.
  size_t want = kIoBufLen;
  int64_t big = parser_.pending_bulk_len();
  if (parser_.in_multibulk() && big >= static_cast<int64_t>(protocol::kMbulkBigArg)) {
    size_t have = qlen_ - qpos_;
    size_t need = static_cast<size_t>(big) + 2;
    if (need > have) want = need - have;
    if (want < kIoBufLen) want = kIoBufLen;
  }
  return want;
}

void Connection::EnsureRoom(size_t need) {
  // Compact first: move the unparsed tail to the front.
  if (qpos_ > 0) {
    size_t tail = qlen_ - qpos_;
    if (tail) memmove(qbuf_, qbuf_ + qpos_, tail);
    parser_.Rebase(qpos_);
    qlen_ = tail;
    qpos_ = 0;
  }
  if (qcap_ - qlen_ >= need) return;
  qbuf_ = static_cast<char*>(base::Realloc(qbuf_, qlen_ + need));
  qcap_ = base::AllocSize(qbuf_);
}

void Connection::ReadFromSocket() {
  // Reads until the socket is drained (a read that does not fill the room
  // it was given), processing after each read, so a pipeline larger than
  // one buffer is answered with one write. Why not one read per event:
  // Redis reads once but into a query buffer that grows greedily, so it
  // takes a big pipeline in one read; a fixed 16 KB read would split it
  // over loop iterations, each with its own write.
  for (;;) {
    size_t want = ReadWant();
    if (qcap_ - qlen_ < want) EnsureRoom(want);
    size_t room = qcap_ - qlen_;
    ssize_t n = ::read(fd_, qbuf_ + qlen_, room);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      handler_->OnConnectionLost(ConnectionHandler::CloseReason::kError);
      return;
    }
    if (n == 0) {
      handler_->OnConnectionLost(ConnectionHandler::CloseReason::kPeerClosed);
      return;
    }
    qlen_ += static_cast<size_t>(n);
    stats_->input_bytes += static_cast<uint64_t>(n);
    stats_->reads_processed++;
    if (qlen_ - qpos_ > qpeak_) qpeak_ = qlen_ - qpos_;
    if (qlen_ - qpos_ > handler_->QueryBufferLimit()) {
      // Why: Redis closes (without a reply) a client whose query buffer
      // exceeds client-query-buffer-limit.
      handler_->OnConnectionLost(ConnectionHandler::CloseReason::kQueryBufferLimit);
      return;
    }
    ProcessInput();
    if (closed_ || held_ || static_cast<size_t>(n) < room) return;
  }
}

void Connection::ProcessInput() {
  if (held_ || !handler_->AcceptingInput()) {
    handler_->OnInputProcessed();
    return;
  }
  protocol::RequestParser::Limits limits;
  handler_->FillLimits(&limits);
  while (qpos_ < qlen_ && !closed_) {
    size_t consumed = 0;
    auto st = parser_.Parse(qbuf_, qpos_, qlen_, limits, &consumed);
    if (st == protocol::RequestParser::Status::kIncomplete) break;
    if (st == protocol::RequestParser::Status::kError) {
      handler_->OnProtocolError(parser_.error());
      parser_.Reset();
      qpos_ = qlen_;
      break;
    }
    if (st == protocol::RequestParser::Status::kEmpty) {
      qpos_ += consumed;
      parser_.Reset();
      continue;
    }
    parser_.BuildArgs(qbuf_, argv_);
    cur_len_ = consumed;
    ConnectionHandler::Verdict v = handler_->OnRequest(&limits);
    if (v == ConnectionHandler::Verdict::kHold) {
      held_len_ = consumed;
      held_argv_bytes_ = 0;
      for (auto a : *argv_) held_argv_bytes_ += a.size();
    }
    argv_->clear();
    parser_.Reset();
    if (v == ConnectionHandler::Verdict::kHold) {
      // The request stays in the buffer and is parsed again on resume.
      held_ = true;
      break;
    }
    qpos_ += consumed;
    if (closed_ || v == ConnectionHandler::Verdict::kStop) break;
  }
  if (qpos_ == qlen_) {
    qpos_ = qlen_ = 0;
    parser_.Rebase(0);
  }
  if (!closed_) handler_->OnInputProcessed();
}

void Connection::ResumeInput() {
  held_ = false;
  held_len_ = held_argv_bytes_ = 0;
  if (!closed_) ProcessInput();
}

void Connection::ResizeQueryBuffer(bool idle) {
  size_t used = qlen_ - qpos_;
  size_t avail = qcap_ - used;
  int64_t bulk = parser_.in_multibulk() ? parser_.pending_bulk_len() : -1;
  // Why: Redis's clientsCronResizeQueryBuffer: only when at least 4k are
  // wasted; an idle (> 2 s) client keeps just what it holds, an active one
  // is trimmed to its recent peak when the buffer is over 32k and more than
  // twice that peak (never below a bulk being read).
  if (avail > 4 * 1024 && !closed_) {
    size_t target = SIZE_MAX;
    if (idle) {
      target = used;
    } else if (qcap_ > kResizeThreshold && qcap_ / 2 > qpeak_) {
      target = used > qpeak_ ? used : qpeak_;
      if (bulk > 0 && target < static_cast<size_t>(bulk)) target = static_cast<size_t>(bulk);
    }
    if (target != SIZE_MAX) {
      if (qpos_ > 0) EnsureRoom(0);  // compact
      if (qlen_ == 0 && target == 0) {
        base::Free(qbuf_);
        qbuf_ = nullptr;
        qcap_ = 0;
        parser_.Rebase(0);
      } else {
        if (target < qlen_) target = qlen_;
        qbuf_ = static_cast<char*>(base::Realloc(qbuf_, target ? target : 1));
        qcap_ = base::AllocSize(qbuf_);
      }
    }
  }
  // The peak restarts from what is held now (or the bulk being read).
  qpeak_ = used;
  if (bulk > 0 && static_cast<size_t>(bulk) > qpeak_) qpeak_ = static_cast<size_t>(bulk);
}

Connection::FlushResult Connection::Flush(protocol::ReplyBuffer& out) {
  if (closed_) return FlushResult::kError;
  while (!out.empty()) {
    struct iovec iov[kMaxIov];
    int cnt = out.FillIov(iov, static_cast<int>(kMaxIov));
    ssize_t n = ::writev(fd_, iov, cnt);
    if (n > 0) {
      out.Consume(static_cast<size_t>(n));
      stats_->output_bytes += static_cast<uint64_t>(n);
      stats_->writes_processed++;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!writing_) {
        writing_ = true;
        loop_->SetMask(fd_, EventLoop::kReadable | EventLoop::kWritable);
      }
      return FlushResult::kPending;
    }
    return FlushResult::kError;
  }
  if (writing_) {
    writing_ = false;
    loop_->SetMask(fd_, EventLoop::kReadable);
  }
  return FlushResult::kDone;
}

ssize_t Connection::WriteIov(const struct iovec* iov, int cnt) {
  if (closed_) return -1;
  if (cnt > static_cast<int>(kMaxIov)) cnt = static_cast<int>(kMaxIov);
  for (;;) {
    ssize_t n = ::writev(fd_, iov, cnt);
    if (n > 0) {
      stats_->output_bytes += static_cast<uint64_t>(n);
      stats_->writes_processed++;
      return n;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      WatchWritable();
      return 0;
    }
    return -1;
  }
}

void Connection::WatchWritable() {
  if (closed_ || writing_) return;
  writing_ = true;
  loop_->SetMask(fd_, EventLoop::kReadable | EventLoop::kWritable);
}

void Connection::StopWatchingWritable() {
  if (closed_ || !writing_) return;
  writing_ = false;
  loop_->SetMask(fd_, EventLoop::kReadable);
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  loop_->Remove(fd_);
  ::close(fd_);
  fd_ = -1;
  writing_ = false;
}

}  // namespace vireo::net
