// RedisLink: an asynchronous client connection to another Redis server, run
// by Vireo's own event loop (what hiredis's async context is to Redis).
//
// Why our own and not hiredis: Sentinel's links to masters, replicas and
// other Sentinels (and later the cluster bus or replication handshakes) must
// live on net::EventLoop with no second reactor, and read replies with
// protocol::ReplyParser (RESP2 and RESP3).
//
// I/O model, as Connection's: the socket is non-blocking; during the
// connect only writability is watched, then readability for good. A command
// is appended to an output buffer and, when connected, written at once with
// one send(); writability is watched only while bytes remain. A readiness
// event reads once, up to 16 KB, and delivers every reply completed.
//
// Replies are matched to commands in order (a FIFO of callbacks). Pub/sub:
//  - once a (P|S)SUBSCRIBE was sent, an array whose first element is
//    "message", "pmessage" or "smessage" (any case) goes to on_push and does
//    not consume a callback. After a RESP3 push frame was seen the link
//    knows the peer speaks RESP3, and plain arrays are never routed so (in
//    RESP3 messages are push frames);
//  - RESP3 push frames (>) always go to on_push, except subscribe
//    confirmations below;
//  - (un)subscribe confirmations: a (P|S)(UN)SUBSCRIBE with N channels gets
//    N confirmations; the first goes to the command's callback, the other
//    N-1 to on_push. Without arguments, an UNSUBSCRIBE gets one per channel
//    subscribed then (at least one): the link tracks the subscriptions from
//    the confirmations to know how many. A confirmation no command waits for
//    goes to on_push.
//
// Callbacks: on_connect once per Connect ("" or the error text); on_disconnect
// once when an established link is lost (peer closed, socket error, protocol
// error), never for Close() and never for a failed connect (on_connect says
// it); a ReplyFn gets nullptr when the link closes or dies first. Any
// callback may call Close() or Send() on its link (Close() stops the delivery
// of replies already read); the owner must not delete the link inside a
// callback (post the delete). Send() on a closed link posts cb(nullptr) to
// the loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.h"
#include "protocol/reply_parser.h"

namespace vireo::net {

class RedisLink final : public EventLoop::Handler {
 public:
  // nullptr: the link closed or died before the reply came.
  using ReplyFn = std::function<void(const protocol::RespValue* reply)>;
  using PushFn = std::function<void(const protocol::RespValue& msg)>;
  // "" = success.
  using EventFn = std::function<void(const std::string& err)>;

  explicit RedisLink(EventLoop* loop);
  // Closes (pending ReplyFns get nullptr; no on_disconnect).
  ~RedisLink() override;
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Starts a non-blocking connect to `host` (a numeric IPv4/IPv6 address, or
  // a name resolved with getaddrinfo, which blocks) and `port`, bound to
  // `source_addr` when not empty. false + *err when it fails at once (bad
  // address, socket error, a link already open); a refused connect is
  // reported later through on_connect.
  bool Connect(const std::string& host, int port, const std::string& source_addr, std::string* err);

  void set_on_connect(EventFn fn) { on_connect_ = std::move(fn); }
  void set_on_disconnect(EventFn fn) { on_disconnect_ = std::move(fn); }
  void set_on_push(PushFn fn) { on_push_ = std::move(fn); }

  // Queues a command (a RESP multibulk) and its reply callback (may be
  // empty). Allowed before the connect completes: sent once connected.
  void Send(const std::vector<std::string>& argv, ReplyFn cb);
  void Send(std::initializer_list<std::string_view> argv, ReplyFn cb);

  // Commands queued or sent whose reply has not come yet.
  size_t pending() const { return pending_.size(); }
  bool connected() const { return state_ == State::kConnected; }
  bool connecting() const { return state_ == State::kConnecting; }
  // Bytes queued but not yet written.
  size_t output_pending() const { return out_.size() - out_pos_; }
  int fd() const { return fd_; }

  // Closes now: pending ReplyFns get nullptr; on_disconnect is not called.
  void Close();

  void OnEvents(uint32_t events) override;

 private:
  enum class State { kIdle, kConnecting, kConnected, kClosed };
  // Which pub/sub command a queued entry is (to count its confirmations).
  enum class SubKind : uint8_t { kNone, kChannel, kPattern, kShard };
  struct SubCommand {
    const char* name;
    SubKind kind;
    bool unsubscribe;
  };
  static const SubCommand kSubCommands[6];

  struct Pending {
    ReplyFn cb;
    SubKind sub = SubKind::kNone;
    bool unsubscribe = false;
    // Confirmations still expected; -1: an argument-less unsubscribe whose
    // count is known only when its first confirmation arrives.
    int64_t confirmations = 0;
    bool delivered = false;  // the callback already had its confirmation
  };

  void SendViews(const std::string_view* argv, size_t argc, ReplyFn cb);
  void Enqueue(std::string_view name, size_t argc, ReplyFn cb);
  void ConnectDone();
  void FailConnect(const std::string& err);
  void ReadFromSocket();
  // Writes what the kernel takes; false on a socket error.
  bool WriteOut();
  void UpdateMask();
  void Dispatch(protocol::RespValue& reply);
  // The kind of a (un)subscribe confirmation, kNone when `reply` is not one.
  static SubKind Confirmation(const protocol::RespValue& reply, bool* unsubscribe);
  // Records the subscription a confirmation reports.
  void Track(const protocol::RespValue& reply, SubKind kind, bool unsubscribe);
  std::set<std::string>& Subscriptions(SubKind kind);
  void Push(const protocol::RespValue& msg);
  // Unregisters and closes the socket, then fails the pending callbacks.
  void Teardown();
  void Lost(const std::string& err);

  EventLoop* loop_;
  int fd_ = -1;
  State state_ = State::kIdle;
  uint64_t epoch_ = 0;  // bumped at every teardown: a callback closed us
  EventLoop::TimerId fail_timer_ = 0;  // a connect that failed at once
  int write_errno_ = 0;
  std::string out_;
  size_t out_pos_ = 0;
  protocol::ReplyParser parser_;
  std::deque<Pending> pending_;
  bool subscribed_ = false;  // a (P|S)SUBSCRIBE was sent
  bool resp3_push_seen_ = false;
  std::set<std::string> channels_, patterns_, shard_channels_;
  EventFn on_connect_, on_disconnect_;
  PushFn on_push_;
};

}  // namespace vireo::net
