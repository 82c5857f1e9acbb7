// client_admin: the CLIENT PAUSE rules (Redis 7.0 pauseClients /
// processCommand's pause check) and the client type names, on an
// in-process server.
#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "in_process.h"
#include "server/client_admin.h"
#include "server/command.h"

namespace vireo::server {
namespace {

class ClientAdminTest : public testing::InProcessServer {
 protected:
  Command& Cmd(std::vector<std::string_view> argv) {
    Command* cmd = srv.commands().Lookup(argv);
    EXPECT_NE(cmd, nullptr);
    return *cmd;
  }
  bool Holds(std::vector<std::string_view> argv) {
    return PauseHoldsCommand(srv, a, Cmd(std::move(argv)));
  }

  Client a{&srv};
};

TEST_F(ClientAdminTest, TypeNames) {
  EXPECT_EQ(ClientTypeByName("NORMAL"), ClientType::kNormal);
  EXPECT_EQ(ClientTypeByName("slave"), ClientType::kReplica);
  EXPECT_EQ(ClientTypeByName("Replica"), ClientType::kReplica);
  EXPECT_EQ(ClientTypeByName("pubsub"), ClientType::kPubsub);
  EXPECT_EQ(ClientTypeByName("master"), ClientType::kMaster);
  EXPECT_EQ(ClientTypeByName("x"), ClientType::kAny);
  EXPECT_EQ(ClientTypeOf(a), ClientType::kNormal);
}

TEST_F(ClientAdminTest, WriteModeHoldsWritesAndMayReplicate) {
  EXPECT_FALSE(Holds({"SET", "k", "v"}));  // not paused
  PauseClients(srv, 60000, true);
  EXPECT_TRUE(Holds({"SET", "k", "v"}));
  EXPECT_TRUE(Holds({"PUBLISH", "c", "m"}));
  EXPECT_FALSE(Holds({"GET", "k"}));
  EXPECT_FALSE(Holds({"CLIENT", "UNPAUSE"}));
  // MULTI: a queued write is held; EXEC only with a write queued
  a.flags |= kClientMulti;
  EXPECT_TRUE(Holds({"SET", "k", "v"}));
  EXPECT_FALSE(Holds({"EXEC"}));
  a.mstate.push_back({&Cmd({"SET", "k", "v"}), {"SET", "k", "v"}});
  EXPECT_TRUE(Holds({"EXEC"}));
  a.flags &= ~kClientMulti;
  a.mstate.clear();
  // MONITOR clients (replicas in Redis) are never held
  a.flags |= kClientMonitor;
  EXPECT_FALSE(Holds({"PING"}));
  a.flags &= ~kClientMonitor;
  UnpauseClientsByCommand(srv);
  EXPECT_FALSE(Holds({"SET", "k", "v"}));
}

TEST_F(ClientAdminTest, NewPauseKeepsLaterEndAndStricterMode) {
  PauseClients(srv, 60000, true);
  int64_t end = srv.pause_end_ms;
  PauseClients(srv, 10, true);
  EXPECT_EQ(srv.pause_end_ms, end);
  EXPECT_TRUE(srv.pause_write_only);
  PauseClients(srv, 0, false);  // 0: only the mode
  EXPECT_EQ(srv.pause_end_ms, end);
  EXPECT_FALSE(srv.pause_write_only);
  EXPECT_TRUE(Holds({"GET", "k"}));
  PauseClients(srv, 120000, true);  // longer, but ALL stays
  EXPECT_GT(srv.pause_end_ms, end);
  EXPECT_FALSE(srv.pause_write_only);
  UnpauseClientsByCommand(srv);
  EXPECT_FALSE(srv.paused());
}

TEST_F(ClientAdminTest, ZeroOrWrappingTimeoutPausesNothing) {
  PauseClients(srv, 0, false);
  EXPECT_FALSE(srv.paused());
  PauseClients(srv, INT64_MAX, false);
  EXPECT_FALSE(srv.paused());
  PauseClients(srv, 1000, true);
  EXPECT_TRUE(srv.paused());
}

}  // namespace
}  // namespace vireo::server
