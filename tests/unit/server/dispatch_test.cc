// In-process command tests: a real Server (no sockets), socket-less Clients
// running commands through the full dispatcher, and a fake propagation sink
// that records what would reach the AOF and replicas.
//
// Covers: socket-less clients, the one propagation door (effect forms,
// expiry DELs, MULTI/EXEC wrapping only for several commands, no wrapping
// for SCAN/RANDOMKEY, nothing recorded without a sink), WATCH with keys
// that were already expired (Redis 7.0.15's multi.tcl cases), and
// failed_calls inside MULTI/EXEC.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "in_process.h"

namespace vireo::server {
namespace {

using testing::RecordingSink;
using testing::Replies;

class DispatchTest : public testing::InProcessServer {
 protected:
  // Makes `key` logically expired without deleting it.
  void Expire(int db, std::string_view key) {
    engine::Keyspace& ks = srv.keyspace();
    engine::Entry* e = ks.db(db).Find(key);
    ASSERT_NE(e, nullptr);
    ks.SetExpire(db, e, srv.now_ms() - 10);
  }

  Client a{&srv};
  Client b{&srv};
};

TEST_F(DispatchTest, SocketLessClientRunsCommands) {
  EXPECT_FALSE(a.has_connection());
  EXPECT_EQ(Run(a, {"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(Run(a, {"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(Run(a, {"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Run(a, {"NOSUCH"}), "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
  EXPECT_EQ(Run(a, {"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(Run(a, {"GET", "k"}), "$-1\r\n");
  EXPECT_EQ(Run(b, {"GET", "k"}), "$1\r\nv\r\n");
}

TEST_F(DispatchTest, WritesPropagateInEffectForm) {
  Run(a, {"SET", "k", "v"});
  Run(a, {"GET", "k"});           // a read: nothing
  Run(a, {"SET", "k", "v", "XX", "NX"});  // a syntax error: nothing
  Run(a, {"SETNX", "k", "w"});    // no change: nothing
  std::string ex = Run(a, {"SET", "t", "1", "EX", "100"});
  EXPECT_EQ(ex, "+OK\r\n");
  Run(a, {"SET", "g", "1", "GET"});
  Run(a, {"INCRBYFLOAT", "f", "1.5"});
  Run(a, {"GETDEL", "g"});
  Run(a, {"EXPIRE", "k", "100"});
  // The clock of that command (each command takes a new one: read it
  // before the next, or a millisecond boundary makes the test flaky).
  int64_t at = srv.now_ms() + 100000;
  Run(a, {"EXPIRE", "f", "-1"});
  ASSERT_EQ(sink.fed.size(), 7u);
  EXPECT_EQ(sink.fed[0], "0:SET k v");
  EXPECT_EQ(sink.fed[1].substr(0, 17), "0:SET t 1 PXAT 17");
  EXPECT_EQ(sink.fed[2], "0:SET g 1") << "GET is dropped from what SET propagates";
  EXPECT_EQ(sink.fed[3], "0:SET f 1.5 KEEPTTL");
  EXPECT_EQ(sink.fed[4], "0:DEL g");
  EXPECT_EQ(sink.fed[5], "0:PEXPIREAT k " + std::to_string(at));
  EXPECT_EQ(sink.fed[6], "0:DEL f") << "an expire in the past is a DEL";
}

TEST_F(DispatchTest, ExpiredKeysPropagateDelBeforeTheCommand) {
  Run(a, {"SET", "x", "1"});
  Expire(0, "x");
  sink.fed.clear();
  EXPECT_EQ(Run(a, {"GET", "x"}), "$-1\r\n");
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"0:DEL x"}));
  // A write that also expired a key: both, wrapped in MULTI/EXEC.
  Run(a, {"SET", "y", "1"});
  Expire(0, "y");
  sink.fed.clear();
  Run(a, {"SET", "y", "2"});
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"0:MULTI", "0:DEL y", "0:SET y 2", "0:EXEC"}));
}

TEST_F(DispatchTest, MultiExecWrapsOnlySeveralCommands) {
  Run(a, {"MULTI"});
  Run(a, {"SET", "a", "1"});
  Run(a, {"GET", "a"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*2\r\n+OK\r\n$1\r\n1\r\n");
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"0:SET a 1"}))
      << "Redis 7.0 propagates a single write of a transaction unwrapped";
  sink.fed.clear();
  Run(a, {"MULTI"});
  Run(a, {"SET", "a", "2"});
  Run(a, {"SELECT", "1"});
  Run(a, {"INCR", "n"});
  Run(a, {"EXEC"});
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"0:MULTI", "0:SET a 2", "1:INCR n", "1:EXEC"}));
}

TEST_F(DispatchTest, ScanAndRandomKeyExpiryIsNotWrapped) {
  Run(a, {"SET", "x", "1"});
  Run(a, {"SET", "y", "1"});
  Expire(0, "x");
  Expire(0, "y");
  sink.fed.clear();
  Run(a, {"SCAN", "0"});
  ASSERT_EQ(sink.fed.size(), 2u);
  EXPECT_EQ(sink.fed[0].substr(0, 6), "0:DEL ");
  EXPECT_EQ(sink.fed[1].substr(0, 6), "0:DEL ");
}

TEST_F(DispatchTest, FlushIsAlwaysPropagated) {
  Run(a, {"FLUSHALL"});
  Run(a, {"FLUSHDB"});
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"0:FLUSHALL", "0:FLUSHDB"}));
}

TEST_F(DispatchTest, NothingIsRecordedWithoutASink) {
  srv.propagator().RemoveSink(&sink);
  Run(a, {"SET", "k", "v"});
  EXPECT_EQ(srv.propagator().pending(), 0u);
  EXPECT_TRUE(sink.fed.empty());
}

// multi.tcl: "WATCH stale keys should not fail EXEC" and friends.
TEST_F(DispatchTest, WatchStaleKeyThenDeleteDoesNotFailExec) {
  Run(a, {"SET", "x", "foo"});
  Expire(0, "x");
  Run(a, {"WATCH", "x"});
  EXPECT_EQ(Run(b, {"EXISTS", "x"}), ":0\r\n");  // lazily deletes the stale key
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*1\r\n+PONG\r\n");
}

TEST_F(DispatchTest, FlushdbWhileWatchingStaleKeysDoesNotFailExec) {
  Run(a, {"SET", "x", "foo"});
  Expire(0, "x");
  Run(a, {"WATCH", "x"});
  Run(b, {"FLUSHDB"});
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*1\r\n+PONG\r\n");
}

TEST_F(DispatchTest, SwapdbAndStaleKeys) {
  // Expired key replaced with no key: no change.
  Run(b, {"SELECT", "1"});
  Run(b, {"SET", "x", "foo"});
  Expire(1, "x");
  Run(a, {"SELECT", "1"});
  Run(a, {"WATCH", "x"});
  Run(b, {"SWAPDB", "0", "1"});
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*1\r\n+PONG\r\n");
  // No key replaced with an expired key: no change.
  Run(b, {"FLUSHALL"});
  Run(b, {"SELECT", "0"});
  Run(b, {"SET", "x", "foo"});
  Expire(0, "x");
  Run(a, {"WATCH", "x"});  // a is in db 1, where x does not exist
  Run(b, {"SWAPDB", "0", "1"});
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*1\r\n+PONG\r\n");
  // A live key replacing a watched one fails EXEC.
  Run(b, {"FLUSHALL"});
  Run(b, {"SET", "x", "live"});
  Run(a, {"WATCH", "x"});
  Run(b, {"SWAPDB", "0", "1"});
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*-1\r\n");
}

TEST_F(DispatchTest, WatchConsidersTouchedExpiredKeys) {
  Run(a, {"SET", "x", "foo"});
  Run(a, {"WATCH", "x"});
  Expire(0, "x");  // expires after WATCH
  Run(a, {"MULTI"});
  Run(a, {"PING"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*-1\r\n");
  // A modified watched key fails EXEC, and the client stops watching.
  Run(a, {"SET", "y", "1"});
  Run(a, {"WATCH", "y"});
  Run(b, {"SET", "y", "2"});
  EXPECT_TRUE(a.watched.empty());
  EXPECT_TRUE(a.flags & kClientDirtyCas);
  Run(a, {"MULTI"});
  EXPECT_EQ(Run(a, {"EXEC"}), "*-1\r\n");
}

// info.tcl: "errorstats: failed call within MULTI/EXEC".
TEST_F(DispatchTest, FailedCallsInsideExecAreTheQueuedCommands) {
  Run(a, {"MULTI"});
  Run(a, {"SET", "a", "b"});
  Run(a, {"AUTH", "a"});
  std::string r = Run(a, {"EXEC"});
  EXPECT_EQ(r.substr(0, 9), "*2\r\n+OK\r\n");
  EXPECT_EQ(srv.commands().Find("exec")->failed_calls, 0u);
  EXPECT_EQ(srv.commands().Find("auth")->failed_calls, 1u);
  EXPECT_EQ(srv.commands().Find("set")->failed_calls, 0u);
  Run(a, {"EXEC"});  // EXEC without MULTI: EXEC's own error
  EXPECT_EQ(srv.commands().Find("exec")->failed_calls, 1u);
  EXPECT_EQ(srv.stats.total_error_replies, 2u);
}

// Lists (list.tcl "LMPOP propagate as pop with count command to replica"):
// LMPOP goes out as LPOP/RPOP key <popped>, LMOVE/RPOPLPUSH as themselves,
// and calls that change nothing are not propagated.
TEST_F(DispatchTest, ListCommandsPropagation) {
  Run(a, {"LPUSH", "mylist", "a", "b", "c"});
  EXPECT_EQ(Run(a, {"LMPOP", "1", "mylist", "left", "count", "1"}),
            "*2\r\n$6\r\nmylist\r\n*1\r\n$1\r\nc\r\n");
  Run(a, {"LMPOP", "1", "mylist", "right", "count", "1"});
  Run(a, {"LMPOP", "2", "mylist", "mylist2", "left", "count", "10"});
  EXPECT_EQ(Run(a, {"LMPOP", "2", "mylist", "mylist2", "left", "count", "10"}), "*-1\r\n");
  Run(a, {"RPUSH", "mylist2", "1", "2", "3"});
  Run(a, {"LMPOP", "2", "mylist", "mylist2", "left", "count", "2"});
  Run(a, {"LPOP", "mylist2", "0"});
  Run(a, {"RPOPLPUSH", "mylist2", "dst"});
  Run(a, {"LMOVE", "dst", "dst", "LEFT", "RIGHT"});
  Run(a, {"LMOVE", "nosuch", "dst", "LEFT", "RIGHT"});
  EXPECT_EQ(sink.fed, (std::vector<std::string>{
                          "0:LPUSH mylist a b c", "0:LPOP mylist 1", "0:RPOP mylist 1",
                          "0:LPOP mylist 1", "0:RPUSH mylist2 1 2 3", "0:LPOP mylist2 2",
                          "0:RPOPLPUSH mylist2 dst", "0:LMOVE dst dst LEFT RIGHT"}));
}

}  // namespace
}  // namespace vireo::server
