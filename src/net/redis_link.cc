// RedisLink (see redis_link.h): the socket, the command FIFO and the
// pub/sub routing of an outbound link to another Redis server.
//
// Re-entrancy: every user callback is taken out of the link's state before
// it runs (a reply's entry is popped first, callbacks are copied), and every
// loop that delivers more than one thing checks `epoch_`, bumped by each
// teardown, after each callback: a Close() (or a Close() and a new Connect())
// inside a callback stops the delivery of the rest.
#include "net/redis_link.h"

#include "net/tcp.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace vireo::net {

namespace {

using protocol::RespValue;

constexpr size_t kReadChunk = 16 * 1024;

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// "message", "pmessage", "smessage": a published message, not a reply.
bool IsMessage(const RespValue& r) {
  if (!r.is_array() || r.elements.empty() || !r.elements[0].is_string()) return false;
  const std::string& k = r.elements[0].str;
  return EqualsNoCase(k, "message") || EqualsNoCase(k, "pmessage") || EqualsNoCase(k, "smessage");
}

}  // namespace

// The pub/sub commands and their confirmations (same names).
const RedisLink::SubCommand RedisLink::kSubCommands[6] = {
    {"subscribe", SubKind::kChannel, false},  {"unsubscribe", SubKind::kChannel, true},
    {"psubscribe", SubKind::kPattern, false}, {"punsubscribe", SubKind::kPattern, true},
    {"ssubscribe", SubKind::kShard, false},   {"sunsubscribe", SubKind::kShard, true},
};

RedisLink::RedisLink(EventLoop* loop) : loop_(loop) {}

RedisLink::~RedisLink() { Close(); }

bool RedisLink::Connect(const std::string& host, int port, const std::string& source_addr,
                        std::string* err) {
  if (state_ == State::kConnecting || state_ == State::kConnected) {
    *err = "already connected";
    return false;
  }
  if (port <= 0 || port > 65535) {
    *err = "invalid port";
    return false;
  }
  int connect_errno = 0;
  int fd = TcpConnect(host, port, source_addr, err, &connect_errno);
  if (fd < 0 && connect_errno == 0) return false;
  parser_.Reset();
  subscribed_ = false;
  resp3_push_seen_ = false;
  channels_.clear();
  patterns_.clear();
  shard_channels_.clear();
  state_ = State::kConnecting;
  if (fd < 0) {
    // Why not a false return: a refused connect is a connect failure like
    // one found later (loopback refuses at once), reported the same way.
    std::string msg = strerror(connect_errno);
    fail_timer_ = loop_->AddTimer(0, [this, msg] {
      fail_timer_ = 0;
      FailConnect(msg);
    });
    return true;
  }
  // Even a connect that completed at once is finished by the writability
  // event, so on_connect never runs inside Connect().
  if (!loop_->Add(fd, EventLoop::kWritable, this)) {
    *err = strerror(errno);
    ::close(fd);
    state_ = State::kIdle;
    return false;
  }
  fd_ = fd;
  return true;
}

void RedisLink::Send(const std::vector<std::string>& argv, ReplyFn cb) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  SendViews(views.data(), views.size(), std::move(cb));
}

void RedisLink::Send(std::initializer_list<std::string_view> argv, ReplyFn cb) {
  SendViews(argv.begin(), argv.size(), std::move(cb));
}

void RedisLink::SendViews(const std::string_view* argv, size_t argc, ReplyFn cb) {
  if (state_ == State::kClosed || argc == 0) {
    // Never inside Send(): the caller may hold state the callback changes.
    if (cb) loop_->Post([cb = std::move(cb)] { cb(nullptr); });
    return;
  }
  out_ += '*';
  out_ += std::to_string(argc);
  out_ += "\r\n";
  for (size_t i = 0; i < argc; i++) {
    out_ += '$';
    out_ += std::to_string(argv[i].size());
    out_ += "\r\n";
    out_.append(argv[i].data(), argv[i].size());
    out_ += "\r\n";
  }
  Enqueue(argv[0], argc, std::move(cb));
  if (state_ == State::kConnected) {
    // A failed write leaves the bytes queued and writability watched: the
    // event that follows reports the error (never a callback inside Send).
    WriteOut();
    UpdateMask();
  }
}

void RedisLink::Enqueue(std::string_view name, size_t argc, ReplyFn cb) {
  Pending p;
  p.cb = std::move(cb);
  const int64_t nargs = static_cast<int64_t>(argc) - 1;
  for (const auto& s : kSubCommands) {
    if (!EqualsNoCase(name, s.name)) continue;
    p.sub = s.kind;
    p.unsubscribe = s.unsubscribe;
    if (s.unsubscribe) {
      p.confirmations = nargs > 0 ? nargs : -1;
    } else {
      // Why 0 without channels: Redis answers an arity error, a plain reply.
      p.confirmations = nargs;
      if (nargs > 0) subscribed_ = true;
    }
    break;
  }
  pending_.push_back(std::move(p));
}

void RedisLink::Close() {
  if (state_ == State::kClosed && pending_.empty() && fd_ < 0) return;
  Teardown();
}

void RedisLink::OnEvents(uint32_t events) {
  if (state_ == State::kConnecting) {
    ConnectDone();
    return;
  }
  if (state_ != State::kConnected) return;
  if (events & EventLoop::kWritable) {
    if (!WriteOut()) {
      Lost(strerror(write_errno_));
      return;
    }
    UpdateMask();
  }
  if (events & EventLoop::kReadable) ReadFromSocket();
}

void RedisLink::ConnectDone() {
  int e = 0;
  socklen_t elen = sizeof(e);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &e, &elen) != 0) e = errno;
  if (e != 0) {
    FailConnect(strerror(e));
    return;
  }
  state_ = State::kConnected;
  UpdateMask();
  const uint64_t epoch = epoch_;
  if (on_connect_) {
    EventFn fn = on_connect_;  // the callback may replace it
    fn("");
    if (epoch != epoch_) return;
  }
  // The commands queued before the connect completed.
  if (!WriteOut()) {
    Lost(strerror(write_errno_));
    return;
  }
  UpdateMask();
}

void RedisLink::FailConnect(const std::string& err) {
  Teardown();
  if (on_connect_) {
    EventFn fn = on_connect_;
    fn(err);
  }
}

void RedisLink::Lost(const std::string& err) {
  std::string msg = err;  // `err` may live in what Teardown resets
  Teardown();
  if (on_disconnect_) {
    EventFn fn = on_disconnect_;
    fn(msg);
  }
}

void RedisLink::Teardown() {
  if (fail_timer_ != 0) {
    loop_->CancelTimer(fail_timer_);
    fail_timer_ = 0;
  }
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  state_ = State::kClosed;
  epoch_++;
  out_.clear();
  out_pos_ = 0;
  parser_.Reset();
  subscribed_ = false;
  channels_.clear();
  patterns_.clear();
  shard_channels_.clear();
  // Taken out first: a callback may Close() again or Send() (posted).
  std::deque<Pending> failed;
  failed.swap(pending_);
  for (Pending& p : failed) {
    if (p.cb && !p.delivered) p.cb(nullptr);
  }
}

bool RedisLink::WriteOut() {
  if (fd_ < 0 || out_pos_ == out_.size()) return true;
  ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    write_errno_ = errno;
    return false;
  }
  out_pos_ += static_cast<size_t>(n);
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ >= 64 * 1024 && out_pos_ * 2 >= out_.size()) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  return true;
}

void RedisLink::UpdateMask() {
  if (fd_ < 0 || state_ != State::kConnected) return;
  uint32_t mask = EventLoop::kReadable;
  if (output_pending() > 0) mask |= EventLoop::kWritable;
  loop_->SetMask(fd_, mask);
}

void RedisLink::ReadFromSocket() {
  char buf[kReadChunk];
  ssize_t n = ::read(fd_, buf, sizeof(buf));
  if (n == 0) {
    Lost("Server closed the connection");
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    Lost(strerror(errno));
    return;
  }
  std::vector<RespValue> replies;
  auto st = parser_.Feed(std::string_view(buf, static_cast<size_t>(n)), &replies);
  const uint64_t epoch = epoch_;
  for (RespValue& r : replies) {
    Dispatch(r);
    if (epoch != epoch_) return;  // closed by a callback: deliver no more
  }
  if (st == protocol::ReplyParser::Status::kError) Lost(parser_.error());
}

RedisLink::SubKind RedisLink::Confirmation(const RespValue& r, bool* unsubscribe) {
  if (!r.is_array() || r.elements.size() != 3 || !r.elements[0].is_string()) return SubKind::kNone;
  const std::string& k = r.elements[0].str;
  // Why the command names: a confirmation's kind is the command's name.
  for (const auto& c : kSubCommands) {
    if (EqualsNoCase(k, c.name)) {
      *unsubscribe = c.unsubscribe;
      return c.kind;
    }
  }
  return SubKind::kNone;
}

std::set<std::string>& RedisLink::Subscriptions(SubKind kind) {
  return kind == SubKind::kPattern ? patterns_ : kind == SubKind::kShard ? shard_channels_ : channels_;
}

void RedisLink::Track(const RespValue& r, SubKind kind, bool unsubscribe) {
  const RespValue& name = r.elements[1];
  if (!name.is_string()) return;  // unsubscribe from nothing: a null channel
  if (unsubscribe) {
    Subscriptions(kind).erase(name.str);
  } else {
    Subscriptions(kind).insert(name.str);
  }
}

void RedisLink::Push(const RespValue& msg) {
  if (!on_push_) return;
  PushFn fn = on_push_;
  fn(msg);
}

void RedisLink::Dispatch(RespValue& reply) {
  const bool push = reply.type == RespValue::Type::kPush;
  if (push) resp3_push_seen_ = true;
  const bool sub_front = !pending_.empty() && pending_.front().sub != SubKind::kNone;
  // Why arrays only in RESP2 pub/sub: there a message is an array; in RESP3
  // it is a push frame and an array is always some command's reply.
  const bool pubsub_array = reply.type == RespValue::Type::kArray && !resp3_push_seen_ &&
                            (subscribed_ || sub_front);
  if (push || pubsub_array) {
    bool unsub = false;
    SubKind kind = Confirmation(reply, &unsub);
    if (kind != SubKind::kNone) {
      if (sub_front) {
        Pending& p = pending_.front();
        if (p.sub == kind && p.unsubscribe == unsub && p.confirmations != 0) {
          // An argument-less unsubscribe: one confirmation per subscription
          // at this point of the stream (at least one).
          if (p.confirmations < 0) {
            p.confirmations = std::max<int64_t>(1, static_cast<int64_t>(Subscriptions(kind).size()));
          }
          Track(reply, kind, unsub);
          p.confirmations--;
          const bool first = !p.delivered;
          p.delivered = true;
          ReplyFn cb = first ? std::move(p.cb) : ReplyFn();
          if (p.confirmations == 0) pending_.pop_front();
          if (!first) {
            Push(reply);
          } else if (cb) {
            cb(&reply);
          }
          return;
        }
      }
      Track(reply, kind, unsub);
      Push(reply);
      return;
    }
    if (push || (subscribed_ && IsMessage(reply))) {
      Push(reply);
      return;
    }
  }
  // A plain reply: the oldest command's. An entry whose callback already had
  // its first confirmation is done (Redis sent fewer than expected).
  while (!pending_.empty() && pending_.front().delivered) pending_.pop_front();
  if (pending_.empty()) return;  // a reply nobody asked for: dropped
  ReplyFn cb = std::move(pending_.front().cb);
  pending_.pop_front();
  if (cb) cb(&reply);
}

}  // namespace vireo::net
