// Unit tests for net::EventLoop (readiness, level-triggered registration,
// writability on demand, removal inside a batch, timers, deferred calls)
// and net::Connection over a socketpair (requests handed over one by one,
// held requests parsed again on resume, partial writes).
#include "net/event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/connection.h"

namespace vireo::net {
namespace {

struct Pair {
  int a = -1, b = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    a = fds[0];
    b = fds[1];
  }
  ~Pair() {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
  }
};

class Counter : public EventLoop::Handler {
 public:
  int readable = 0, writable = 0;
  void OnEvents(uint32_t ev) override {
    if (ev & EventLoop::kReadable) readable++;
    if (ev & EventLoop::kWritable) writable++;
  }
};

TEST(EventLoop, LevelTriggeredReadabilityAndWritabilityOnDemand) {
  EventLoop loop;
  ASSERT_TRUE(loop.ok());
  Pair p;
  Counter h;
  ASSERT_TRUE(loop.Add(p.a, EventLoop::kReadable, &h));
  EXPECT_EQ(loop.RunOnce(0), 0);
  ASSERT_EQ(write(p.b, "x", 1), 1);
  loop.RunOnce(100);
  loop.RunOnce(100);
  EXPECT_EQ(h.readable, 2) << "level-triggered: unread data is reported again";
  EXPECT_EQ(h.writable, 0) << "writability is not watched unless asked for";
  loop.SetMask(p.a, EventLoop::kReadable | EventLoop::kWritable);
  loop.RunOnce(100);
  EXPECT_EQ(h.writable, 1);
  loop.Remove(p.a);
  EXPECT_EQ(loop.RunOnce(0), 0);
  EXPECT_EQ(h.readable, 3);
}

TEST(EventLoop, TimersRunInOrderAndCanBeCancelled) {
  EventLoop loop;
  std::vector<int> order;
  // Why tens of ms: a posted call runs after the timers already due, and
  // under ASan on a loaded machine 1 ms passes before the first RunOnce.
  loop.AddTimer(40000, [&] { order.push_back(2); });
  loop.AddTimer(20000, [&] { order.push_back(1); });
  auto id = loop.AddTimer(30000, [&] { order.push_back(99); });
  loop.CancelTimer(id);
  loop.Post([&] { order.push_back(0); });
  for (int i = 0; i < 20 && order.size() < 3; i++) loop.RunOnce(50);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

class Owner : public ConnectionHandler {
 public:
  std::vector<std::string> got;
  std::vector<std::string_view> argv;
  bool hold_next = false;
  bool lost = false;
  int writable = 0;
  void FillLimits(protocol::RequestParser::Limits*) override {}
  size_t QueryBufferLimit() override { return 1 << 20; }
  bool AcceptingInput() override { return true; }
  Verdict OnRequest(protocol::RequestParser::Limits*) override {
    if (hold_next) {
      hold_next = false;
      return Verdict::kHold;
    }
    std::string s;
    for (auto a : argv) s += std::string(a) + " ";
    got.push_back(s);
    return Verdict::kContinue;
  }
  void OnProtocolError(const std::string& msg) override { got.push_back("ERR " + msg); }
  void OnInputProcessed() override {}
  void OnWritable() override { writable++; }
  void OnConnectionLost(CloseReason) override { lost = true; }
};

TEST(Connection, RequestsHeldAndResumed) {
  EventLoop loop;
  Pair p;
  NetStats stats;
  Owner o;
  Connection conn(&loop, p.a, &o, &stats, &o.argv);
  p.a = -1;  // owned by the connection now
  ASSERT_TRUE(conn.Start());
  const char req[] = "*1\r\n$4\r\nPING\r\nECHO a\r\n";
  ASSERT_EQ(write(p.b, req, sizeof(req) - 1), static_cast<ssize_t>(sizeof(req) - 1));
  o.hold_next = true;
  loop.RunOnce(100);
  EXPECT_TRUE(o.got.empty());
  // The held request stays in the buffer, but CLIENT LIST counts it as
  // argv (as Redis, which has parsed it out of its query buffer).
  EXPECT_EQ(conn.qbuf_len(), sizeof(req) - 1 - 14) << "only the inline ECHO is left";
  EXPECT_EQ(conn.pending_argv_bytes(), 4u);
  conn.ResumeInput();
  EXPECT_EQ(conn.pending_argv_bytes(), 0u);
  EXPECT_EQ(o.got, (std::vector<std::string>{"PING ", "ECHO a "}));
  EXPECT_EQ(stats.reads_processed, 1u);
  // The peer leaves: the owner hears it.
  close(p.b);
  p.b = -1;
  loop.RunOnce(100);
  EXPECT_TRUE(o.lost);
}

TEST(Connection, PartialWritesWaitForWritability) {
  EventLoop loop;
  Pair p;
  int small = 4096;
  setsockopt(p.a, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  NetStats stats;
  Owner o;
  Connection conn(&loop, p.a, &o, &stats, &o.argv);
  p.a = -1;
  ASSERT_TRUE(conn.Start());
  protocol::ReplyBuffer out;
  std::string big(1 << 20, 'x');
  out.Append(big);
  EXPECT_EQ(conn.Flush(out), Connection::FlushResult::kPending);
  EXPECT_STREQ(conn.EventsString(), "rw");
  // Drain the peer so the socket becomes writable again.
  char buf[65536];
  size_t drained = 0;
  for (int i = 0; i < 200 && !out.empty(); i++) {
    ssize_t n;
    while ((n = read(p.b, buf, sizeof(buf))) > 0) drained += static_cast<size_t>(n);
    loop.RunOnce(10);
    if (o.writable) {
      o.writable = 0;
      conn.Flush(out);
    }
  }
  EXPECT_TRUE(out.empty());
  ssize_t n;
  while ((n = read(p.b, buf, sizeof(buf))) > 0) drained += static_cast<size_t>(n);
  EXPECT_EQ(drained, big.size());
  EXPECT_STREQ(conn.EventsString(), "r");
}

}  // namespace
}  // namespace vireo::net
