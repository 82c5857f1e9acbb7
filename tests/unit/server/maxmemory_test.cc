// In-process tests of the server's maxmemory step (server/maxmemory.cc):
// evictions before a command, their DEL/UNLINK propagated one by one (never
// wrapped in MULTI), -OOM for deny-oom commands and inside MULTI, EXECABORT
// for an EXEC holding deny-oom commands, commands that are not deny-oom
// still running.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "in_process.h"

namespace vireo::server {
namespace {

constexpr const char* kOomReply = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

class MaxmemoryTest : public testing::InProcessServer {
 protected:
  std::string Run(std::vector<std::string_view> args) { return InProcessServer::Run(c, std::move(args)); }
  std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  Client c{&srv};
};

using V = std::vector<std::string>;

TEST_F(MaxmemoryTest, EvictsBeforeTheCommandAndPropagatesEachDel) {
  Run({"SET", "a", "1"});
  Run({"SET", "b", "2"});
  Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  sink.Take();
  Run({"CONFIG", "SET", "maxmemory", "1"});
  // Every key goes, memory stays over: the write is refused.
  EXPECT_EQ(Run({"SET", "c", "3"}), kOomReply);
  EXPECT_EQ(Sorted(sink.Take()), (V{"0:DEL a", "0:DEL b"}));
  EXPECT_EQ(srv.keyspace().stats().evicted_keys, 2u);
  // Reads still run.
  EXPECT_EQ(Run({"GET", "a"}), "$-1\r\n");
}

TEST_F(MaxmemoryTest, LazyEvictionPropagatesUnlink) {
  Run({"SET", "a", "1"});
  Run({"CONFIG", "SET", "lazyfree-lazy-eviction", "yes"});
  Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
  Run({"CONFIG", "SET", "maxmemory", "1"});
  sink.Take();
  Run({"GET", "a"});
  EXPECT_EQ(sink.Take(), (V{"0:UNLINK a"}));
}

TEST_F(MaxmemoryTest, NoevictionRefusesOnlyDenyOomCommands) {
  Run({"SET", "a", "1"});
  Run({"CONFIG", "SET", "maxmemory", "1"});
  EXPECT_EQ(Run({"SET", "b", "2"}), kOomReply);
  EXPECT_EQ(Run({"APPEND", "a", "x"}), kOomReply);
  EXPECT_EQ(Run({"DEL", "a"}), ":1\r\n");
  EXPECT_EQ(srv.errorstats["OOM"], 2u);
}

TEST_F(MaxmemoryTest, MultiQueueingAndExec) {
  Run({"SET", "a", "1"});
  // Queued while memory is fine, then over the limit at EXEC.
  EXPECT_EQ(Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run({"SET", "b", "2"}), "+QUEUED\r\n");
  srv.cfg().maxmemory = 1;
  srv.SyncKeyspaceOptions();
  EXPECT_EQ(Run({"EXEC"}),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  // Over the limit while queueing: even a read is refused, EXEC aborts.
  EXPECT_EQ(Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run({"GET", "a"}), kOomReply);
  EXPECT_EQ(Run({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // DISCARD is never refused.
  EXPECT_EQ(Run({"MULTI"}), "+OK\r\n");
  EXPECT_EQ(Run({"DISCARD"}), "+OK\r\n");
}

}  // namespace
}  // namespace vireo::server
