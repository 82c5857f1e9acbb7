// Hash commands through the real dispatcher (socket-less clients, as in
// dispatch_test.cc): what reaches the propagation sink (HINCRBYFLOAT as
// HSET with the stored result, writes that changed nothing not propagated,
// MULTI/EXEC wrapping), and reply bytes in RESP2 and RESP3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "in_process.h"

namespace vireo::server {
namespace {

class HashCommandsTest : public testing::InProcessServer {
 protected:
  HashCommandsTest() : InProcessServer(/*sink_with_db=*/false) {}
  std::string Run(std::vector<std::string_view> args) {
    return InProcessServer::Run(c, std::move(args));
  }
  Client c{&srv};
};

TEST_F(HashCommandsTest, PropagatesEffects) {
  EXPECT_EQ(Run({"HSET", "h", "a", "1"}), ":1\r\n");
  EXPECT_EQ(Run({"HSETNX", "h", "a", "2"}), ":0\r\n");   // no change: nothing
  EXPECT_EQ(Run({"HDEL", "h", "nofield"}), ":0\r\n");    // no change: nothing
  EXPECT_EQ(Run({"HDEL", "nokey", "f"}), ":0\r\n");      // no key: nothing
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", "1.10"}), "$3\r\n1.1\r\n");
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", "abc"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(Run({"HINCRBY", "h", "a", "5"}), ":6\r\n");
  EXPECT_EQ(Run({"HGET", "h", "a"}), "$1\r\n6\r\n");     // a read: nothing
  EXPECT_EQ(Run({"HDEL", "h", "a", "f"}), ":2\r\n");
  ASSERT_EQ(sink.fed.size(), 4u);
  EXPECT_EQ(sink.fed[0], "HSET h a 1");
  EXPECT_EQ(sink.fed[1], "HSET h f 1.1") << "HINCRBYFLOAT goes out as HSET with the result";
  EXPECT_EQ(sink.fed[2], "HINCRBY h a 5");
  EXPECT_EQ(sink.fed[3], "HDEL h a f");
}

TEST_F(HashCommandsTest, MultiWrapsSeveralHashWrites) {
  Run({"MULTI"});
  Run({"HSET", "t", "a", "1"});
  Run({"HINCRBYFLOAT", "t", "b", "2.5"});
  EXPECT_EQ(Run({"EXEC"}), "*2\r\n:1\r\n$3\r\n2.5\r\n");
  EXPECT_EQ(sink.fed, (std::vector<std::string>{"MULTI", "HSET t a 1", "HSET t b 2.5", "EXEC"}));
}

TEST_F(HashCommandsTest, Resp3Shapes) {
  Run({"HSET", "h", "a", "1", "b", "x"});
  Run({"HELLO", "3"});
  EXPECT_EQ(Run({"HGETALL", "h"}), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run({"HGETALL", "nokey"}), "%0\r\n");
  EXPECT_EQ(Run({"HKEYS", "nokey"}), "*0\r\n");
  EXPECT_EQ(Run({"HGET", "h", "nofield"}), "_\r\n");
  EXPECT_EQ(Run({"HRANDFIELD", "nokey"}), "_\r\n");
  EXPECT_EQ(Run({"HRANDFIELD", "nokey", "2"}), "*0\r\n");
  EXPECT_EQ(Run({"HRANDFIELD", "h", "2", "WITHVALUES"}),
            "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run({"HSCAN", "h", "0"}), "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n");
}

}  // namespace
}  // namespace vireo::server
