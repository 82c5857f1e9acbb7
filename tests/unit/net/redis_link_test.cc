// Unit tests for net::RedisLink: against a loopback listener the test
// answers by hand (connect, refused connect, commands queued before the
// connect, pipelining, pub/sub routing in RESP2 and RESP3, peer close,
// protocol error, Close() and Send() inside callbacks), then against a real
// redis-server when /usr/bin/redis-server exists.
#include "net/redis_link.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vireo::net {
namespace {

using protocol::RespValue;

// Runs the loop until pred() or about `ms` milliseconds passed.
bool RunUntil(EventLoop& loop, const std::function<bool()>& pred, int ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    loop.RunOnce(10);
  }
  return true;
}

// A port nobody listens on (bound, then closed).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() {
    if (peer_ >= 0) close(peer_);
    close(fd_);
  }
  int port() const { return port_; }
  // Accepts the link's connection (the handshake completes without us).
  bool Accept() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 3000) != 1) return false;
    peer_ = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK);
    return peer_ >= 0;
  }
  // Runs the loop until the peer received `want` bytes; returns them.
  std::string Read(EventLoop& loop, size_t want) {
    RunUntil(loop, [&] {
      char buf[4096];
      ssize_t n = read(peer_, buf, sizeof(buf));
      if (n > 0) in_.append(buf, static_cast<size_t>(n));
      return in_.size() >= want;
    });
    std::string got = in_.substr(0, std::min(want, in_.size()));
    in_.erase(0, got.size());
    return got;
  }
  void Write(std::string_view s) { ASSERT_EQ(write(peer_, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  void ClosePeer() {
    close(peer_);
    peer_ = -1;
  }

 private:
  int fd_ = -1, port_ = 0, peer_ = -1;
  std::string in_;
};

// Records what a link reports.
struct Recorder {
  std::vector<std::string> connects, disconnects;
  std::vector<RespValue> pushes;
  void Attach(RedisLink& link) {
    link.set_on_connect([this](const std::string& e) { connects.push_back(e); });
    link.set_on_disconnect([this](const std::string& e) { disconnects.push_back(e); });
    link.set_on_push([this](const RespValue& m) { pushes.push_back(m); });
  }
};

// A reply callback that records into `out` ("<null>" for nullptr).
RedisLink::ReplyFn Into(std::vector<std::string>* out) {
  return [out](const RespValue* r) { out->push_back(r ? r->DebugString() : "<null>"); };
}

class RedisLinkTest : public ::testing::Test {
 protected:
  // A link with the recorder attached, connected to `srv`.
  RedisLink& Connected() {
    link_ = std::make_unique<RedisLink>(&loop);
    rec.Attach(*link_);
    ConnectAndAccept(*link_);
    return *link_;
  }
  void ConnectAndAccept(RedisLink& link) {
    std::string err;
    ASSERT_TRUE(link.Connect("127.0.0.1", srv.port(), "", &err)) << err;
    EXPECT_TRUE(link.connecting());
    ASSERT_TRUE(srv.Accept());
    ASSERT_TRUE(RunUntil(loop, [&] { return link.connected(); }));
  }
  EventLoop loop;
  Listener srv;
  Recorder rec;
  std::vector<std::string> replies;
  std::unique_ptr<RedisLink> link_;
};

TEST_F(RedisLinkTest, ConnectSucceeds) {
  RedisLink link(&loop);
  rec.Attach(link);
  ConnectAndAccept(link);
  ASSERT_EQ(rec.connects.size(), 1u);
  EXPECT_EQ(rec.connects[0], "");
  EXPECT_GE(link.fd(), 0);
  std::string err;
  EXPECT_FALSE(link.Connect("127.0.0.1", srv.port(), "", &err)) << "already connected";
}

TEST_F(RedisLinkTest, ConnectRefusedReportsThroughOnConnect) {
  RedisLink link(&loop);
  rec.Attach(link);
  link.Send({"PING"}, Into(&replies));
  std::string err;
  ASSERT_TRUE(link.Connect("127.0.0.1", UnusedPort(), "", &err)) << err;
  EXPECT_TRUE(rec.connects.empty()) << "never inside Connect()";
  ASSERT_TRUE(RunUntil(loop, [&] { return !rec.connects.empty(); }));
  EXPECT_EQ(rec.connects[0], "Connection refused");
  EXPECT_TRUE(rec.disconnects.empty()) << "a failed connect is not a disconnect";
  EXPECT_EQ(replies, std::vector<std::string>{"<null>"});
  EXPECT_FALSE(link.connected());
  EXPECT_FALSE(link.connecting());
  EXPECT_EQ(link.pending(), 0u);
}

TEST_F(RedisLinkTest, BadAddressesFailAtOnce) {
  RedisLink link(&loop);
  std::string err;
  EXPECT_FALSE(link.Connect("127.0.0.1", 0, "", &err));
  EXPECT_FALSE(link.Connect("127.0.0.1", srv.port(), "not-an-ip", &err));
  EXPECT_NE(err.find("source address"), std::string::npos) << err;
  EXPECT_FALSE(link.Connect("127.0.0.1", srv.port(), "::1", &err)) << "family mismatch";
  // A good source address binds.
  RedisLink bound(&loop);
  ASSERT_TRUE(bound.Connect("127.0.0.1", srv.port(), "127.0.0.1", &err)) << err;
  ASSERT_TRUE(srv.Accept());
  EXPECT_TRUE(RunUntil(loop, [&] { return bound.connected(); }));
}

TEST_F(RedisLinkTest, CommandsQueuedBeforeConnectArePipelinedInOrder) {
  RedisLink link(&loop);
  rec.Attach(link);
  link.Send({"PING"}, Into(&replies));
  std::string err;
  ASSERT_TRUE(link.Connect("127.0.0.1", srv.port(), "", &err));
  link.Send(std::vector<std::string>{"GET", "k"}, Into(&replies));
  EXPECT_EQ(link.pending(), 2u);
  ASSERT_TRUE(srv.Accept());
  const std::string want = "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  EXPECT_EQ(srv.Read(loop, want.size()), want);
  link.Send({"SET", "a", std::string_view("b\r\nc", 4)}, Into(&replies));
  const std::string set = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$4\r\nb\r\nc\r\n";
  EXPECT_EQ(srv.Read(loop, set.size()), set);
  EXPECT_EQ(link.pending(), 3u);
  // Replies split at awkward places.
  srv.Write("+PONG\r\n$3\r\nv");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 1; }));
  srv.Write("al\r\n+O");
  srv.Write("K\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 3; }));
  EXPECT_EQ(replies, (std::vector<std::string>{"PONG", "\"val\"", "OK"}));
  EXPECT_EQ(link.pending(), 0u);
}

TEST_F(RedisLinkTest, Resp2PubSubRouting) {
  RedisLink& link = Connected();
  link.Send({"SUBSCRIBE", "a", "b"}, Into(&replies));
  link.Send({"PSUBSCRIBE", "p*"}, Into(&replies));
  srv.Read(loop, 1);
  srv.Write(
      "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
      "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
      "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n"
      "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"
      "*4\r\n$8\r\npmessage\r\n$2\r\np*\r\n$2\r\npx\r\n$2\r\nyo\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return rec.pushes.size() == 3; }));
  EXPECT_EQ(replies, (std::vector<std::string>{"[\"subscribe\", \"a\", (integer) 1]",
                                                "[\"psubscribe\", \"p*\", (integer) 3]"}));
  EXPECT_EQ(rec.pushes[0].DebugString(), "[\"subscribe\", \"b\", (integer) 2]") << "the 2nd confirmation";
  EXPECT_EQ(rec.pushes[1].DebugString(), "[\"message\", \"a\", \"hi\"]");
  EXPECT_EQ(rec.pushes[2][0].str, "pmessage");
  EXPECT_EQ(link.pending(), 0u);
  // A message between replies does not consume a callback; PING's RESP2
  // subscribed-mode reply (an array) is a plain reply.
  link.Send({"PING"}, Into(&replies));
  srv.Write("*3\r\n$7\r\nMESSAGE\r\n$1\r\nb\r\n$1\r\nx\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 3; }));
  EXPECT_EQ(replies[2], "[\"pong\", \"\"]");
  EXPECT_EQ(rec.pushes.size(), 4u);
  // UNSUBSCRIBE without arguments: one confirmation per channel subscribed
  // (a, b); the first to the callback, the second to on_push.
  link.Send({"UNSUBSCRIBE"}, Into(&replies));
  link.Send({"PUNSUBSCRIBE", "p*"}, Into(&replies));
  srv.Write(
      "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n"
      "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n"
      "*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 5; }));
  EXPECT_EQ(replies[3], "[\"unsubscribe\", \"a\", (integer) 2]");
  EXPECT_EQ(replies[4], "[\"punsubscribe\", \"p*\", (integer) 0]");
  ASSERT_EQ(rec.pushes.size(), 5u);
  EXPECT_EQ(rec.pushes[4][1].str, "b");
  EXPECT_EQ(link.pending(), 0u);
}

TEST_F(RedisLinkTest, ArraysAreRepliesWhenNotSubscribed) {
  RedisLink& link = Connected();
  link.Send({"LRANGE", "l", "0", "-1"}, Into(&replies));
  srv.Write("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 1; }));
  EXPECT_TRUE(rec.pushes.empty());
}

TEST_F(RedisLinkTest, Resp3PushFrames) {
  RedisLink& link = Connected();
  link.Send({"SUBSCRIBE", "c"}, Into(&replies));
  link.Send({"GET", "k"}, Into(&replies));
  srv.Write(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  srv.Write(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 2; }));
  EXPECT_EQ(replies[0], ">[\"subscribe\", \"c\", (integer) 1]");
  EXPECT_EQ(replies[1], "[\"message\", \"c\", \"m\"]") << "in RESP3 an array is a reply";
  ASSERT_EQ(rec.pushes.size(), 2u);
  EXPECT_EQ(rec.pushes[0][0].str, "message");
  EXPECT_EQ(rec.pushes[1][0].str, "invalidate");
}

TEST_F(RedisLinkTest, PeerCloseFailsPendingAndReportsDisconnect) {
  RedisLink& link = Connected();
  link.Send({"PING"}, Into(&replies));
  link.Send({"PING"}, Into(&replies));
  srv.Read(loop, 28);
  srv.Write("+PONG\r\n");
  srv.ClosePeer();
  ASSERT_TRUE(RunUntil(loop, [&] { return !rec.disconnects.empty(); }));
  EXPECT_EQ(replies, (std::vector<std::string>{"PONG", "<null>"}));
  EXPECT_EQ(rec.disconnects, std::vector<std::string>{"Server closed the connection"});
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.pending(), 0u);
  EXPECT_EQ(link.fd(), -1);
  // A command on the dead link fails, later (posted).
  link.Send({"PING"}, Into(&replies));
  EXPECT_EQ(replies.size(), 2u);
  loop.RunOnce(0);
  EXPECT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[2], "<null>");
}

TEST_F(RedisLinkTest, ProtocolErrorClosesTheLink) {
  RedisLink& link = Connected();
  link.Send({"PING"}, Into(&replies));
  link.Send({"PING"}, Into(&replies));
  srv.Write("+PONG\r\n@oops\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return !rec.disconnects.empty(); }));
  EXPECT_EQ(replies, (std::vector<std::string>{"PONG", "<null>"}));
  EXPECT_EQ(rec.disconnects[0], "Protocol error, got \"@\" as reply type byte");
}

TEST_F(RedisLinkTest, CloseInsideAReplyCallbackStopsDelivery) {
  RedisLink& link = Connected();
  link.Send({"PING"}, [&](const RespValue* r) {
    replies.push_back(r ? r->DebugString() : "<null>");
    link.Close();
    link.Close();  // twice is harmless
  });
  link.Send({"PING"}, Into(&replies));
  link.Send({"PING"}, Into(&replies));
  srv.Write("+one\r\n+two\r\n+three\r\n*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 3; }));
  EXPECT_EQ(replies, (std::vector<std::string>{"one", "<null>", "<null>"}));
  EXPECT_TRUE(rec.disconnects.empty()) << "Close() does not report a disconnect";
  EXPECT_TRUE(rec.pushes.empty());
  EXPECT_FALSE(link.connected());
  loop.RunOnce(20);
  EXPECT_EQ(replies.size(), 3u);
}

TEST_F(RedisLinkTest, CloseInsideOnPushAndSendInsideCallback) {
  RedisLink& link = Connected();
  link.Send({"PING"}, [&](const RespValue* r) {
    replies.push_back(r ? r->DebugString() : "<null>");
    if (r) link.Send({"ECHO", "again"}, Into(&replies));
  });
  srv.Read(loop, 14);
  srv.Write("+PONG\r\n");
  const std::string echo = "*2\r\n$4\r\nECHO\r\n$5\r\nagain\r\n";
  EXPECT_EQ(srv.Read(loop, echo.size()), echo);
  EXPECT_EQ(link.pending(), 1u);
  link.set_on_push([&](const RespValue&) { link.Close(); });
  srv.Write(">2\r\n+x\r\n+y\r\n$5\r\nagain\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 2; }));
  EXPECT_EQ(replies[1], "<null>") << "the link was closed by on_push first";
}

TEST_F(RedisLinkTest, DestructorFailsPending) {
  {
    RedisLink link(&loop);
    rec.Attach(link);
    ConnectAndAccept(link);
    link.Send({"PING"}, Into(&replies));
  }
  EXPECT_EQ(replies, std::vector<std::string>{"<null>"});
  EXPECT_TRUE(rec.disconnects.empty());
}

TEST_F(RedisLinkTest, ReconnectAfterClose) {
  RedisLink link(&loop);
  rec.Attach(link);
  ConnectAndAccept(link);
  link.Close();
  Listener other;
  std::string err;
  ASSERT_TRUE(link.Connect("127.0.0.1", other.port(), "", &err)) << err;
  ASSERT_TRUE(other.Accept());
  ASSERT_TRUE(RunUntil(loop, [&] { return link.connected(); }));
  link.Send({"PING"}, Into(&replies));
  other.Read(loop, 14);
  other.Write("+PONG\r\n");
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 1; }));
  EXPECT_EQ(rec.connects, (std::vector<std::string>{"", ""}));
}

// --- Against a real redis-server -------------------------------------------

class RealRedis {
 public:
  RealRedis() {
    if (access("/usr/bin/redis-server", X_OK) != 0) return;
    port_ = UnusedPort();
    std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      execl("/usr/bin/redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", "/tmp", nullptr);
      _exit(127);
    }
    // Wait until it accepts connections.
    for (int i = 0; i < 100; i++) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
      close(fd);
      if (ok) {
        up_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~RealRedis() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool up() const { return up_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool up_ = false;
};

TEST(RedisLinkRealServer, SetGetAndPubSub) {
  if (access("/usr/bin/redis-server", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/redis-server";
  RealRedis redis;
  ASSERT_TRUE(redis.up());
  EventLoop loop;
  RedisLink a(&loop), b(&loop), c(&loop);
  std::string err;
  ASSERT_TRUE(a.Connect("127.0.0.1", redis.port(), "", &err)) << err;
  ASSERT_TRUE(b.Connect("127.0.0.1", redis.port(), "", &err)) << err;
  ASSERT_TRUE(c.Connect("127.0.0.1", redis.port(), "", &err)) << err;

  // SET / GET of a value larger than one read.
  std::string big(100000, 'v');
  std::vector<std::string> replies;
  a.Send({"SET", "k", big}, Into(&replies));
  std::string got;
  a.Send({"GET", "k"}, [&](const RespValue* r) { got = r ? r->str : "<null>"; });
  a.Send({"GET", "nokey"}, Into(&replies));
  a.Send({"NOSUCHCMD"}, Into(&replies));
  ASSERT_TRUE(RunUntil(loop, [&] { return replies.size() == 3; }));
  EXPECT_EQ(replies[0], "OK");
  EXPECT_EQ(got, big);
  EXPECT_EQ(replies[1], "(nil)");
  EXPECT_EQ(replies[2].rfind("(error) ERR unknown command", 0), 0u) << replies[2];

  // RESP2 SUBSCRIBE on a, PUBLISH from b.
  std::vector<RespValue> pushes;
  a.set_on_push([&](const RespValue& m) { pushes.push_back(m); });
  std::vector<std::string> sub;
  a.Send({"SUBSCRIBE", "ch1", "ch2"}, Into(&sub));
  ASSERT_TRUE(RunUntil(loop, [&] { return !sub.empty() && !pushes.empty(); }));
  EXPECT_EQ(sub[0], "[\"subscribe\", \"ch1\", (integer) 1]");
  EXPECT_EQ(pushes[0].DebugString(), "[\"subscribe\", \"ch2\", (integer) 2]");
  int64_t receivers = -1;
  b.Send({"PUBLISH", "ch2", "hello"}, [&](const RespValue* r) { receivers = r ? r->integer : -2; });
  ASSERT_TRUE(RunUntil(loop, [&] { return pushes.size() == 2; }));
  EXPECT_EQ(receivers, 1);
  EXPECT_EQ(pushes[1].DebugString(), "[\"message\", \"ch2\", \"hello\"]");
  a.Send({"UNSUBSCRIBE"}, Into(&sub));
  ASSERT_TRUE(RunUntil(loop, [&] { return sub.size() == 2 && pushes.size() == 3; }));
  EXPECT_EQ(a.pending(), 0u);

  // RESP3 on c: confirmations and messages are push frames.
  std::vector<RespValue> c_pushes;
  c.set_on_push([&](const RespValue& m) { c_pushes.push_back(m); });
  std::vector<std::string> c_replies;
  c.Send({"HELLO", "3"}, Into(&c_replies));
  c.Send({"SUBSCRIBE", "ch3"}, Into(&c_replies));
  c.Send({"GET", "k"}, [&](const RespValue* r) { c_replies.push_back(r ? std::to_string(r->str.size()) : "<null>"); });
  ASSERT_TRUE(RunUntil(loop, [&] { return c_replies.size() == 3; }));
  EXPECT_EQ(c_replies[1], ">[\"subscribe\", \"ch3\", (integer) 1]");
  EXPECT_EQ(c_replies[2], "100000") << "RESP3 allows commands while subscribed";
  b.Send({"PUBLISH", "ch3", "x"}, nullptr);
  ASSERT_TRUE(RunUntil(loop, [&] { return c_pushes.size() == 1; }));
  EXPECT_EQ(c_pushes[0].DebugString(), ">[\"message\", \"ch3\", \"x\"]");
  EXPECT_EQ(c.pending(), 0u);
}

}  // namespace
}  // namespace vireo::net
