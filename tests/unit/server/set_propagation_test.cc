// Set commands through the dispatcher with a recording propagation sink:
// what reaches the AOF and replicas is Redis 7.0's form (SPOP -> SREM, SPOP
// with a count -> one SREM per member in MULTI/EXEC, or DEL when the count
// takes the whole set; a write that changed nothing is not propagated).
#include <gtest/gtest.h>
#include <sys/uio.h>

#include <string>
#include <vector>

#include "commands/registry.h"
#include "server/client.h"
#include "server/server.h"

namespace vireo::server {
namespace {

class Sink : public PropagationSink {
 public:
  std::vector<std::string> fed;
  void Feed(int dbid, std::span<const std::string_view> argv) override {
    std::string line = std::to_string(dbid) + ":";
    for (size_t i = 0; i < argv.size(); i++) {
      if (i) line += ' ';
      line += argv[i];
    }
    fed.push_back(line);
  }
};

class SetPropagationTest : public ::testing::Test {
 protected:
  SetPropagationTest() {
    commands::RegisterAllCommands(srv.commands());
    std::string err;
    EXPECT_TRUE(srv.Init(&err)) << err;
    srv.propagator().AddSink(&sink);
    srv.UpdateTime();
  }
  ~SetPropagationTest() override { srv.propagator().RemoveSink(&sink); }
  void Run(std::vector<std::string_view> args) {
    srv.UpdateTime();
    c.Execute(args);
    c.out().Consume(c.out().pending());
  }
  std::vector<std::string> Take() {
    auto f = std::move(sink.fed);
    sink.fed.clear();
    return f;
  }

  Server srv;
  Sink sink;
  Client c{&srv};
};

using V = std::vector<std::string>;

TEST_F(SetPropagationTest, SpopForms) {
  Run({"SADD", "s", "7"});
  EXPECT_EQ(Take(), (V{"0:SADD s 7"}));
  Run({"SADD", "s", "7"});
  EXPECT_TRUE(Take().empty());  // nothing changed
  Run({"SPOP", "s"});
  EXPECT_EQ(Take(), (V{"0:SREM s 7"}));
  Run({"SPOP", "s"});
  EXPECT_TRUE(Take().empty());
  Run({"SADD", "s", "1", "2", "3", "4", "5"});
  Take();
  Run({"SPOP", "s", "2"});
  V f = Take();
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], "0:MULTI");
  EXPECT_EQ(f[1].rfind("0:SREM s ", 0), 0u);
  EXPECT_EQ(f[2].rfind("0:SREM s ", 0), 0u);
  EXPECT_EQ(f[3], "0:EXEC");
  Run({"SPOP", "s", "1"});
  f = Take();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rfind("0:SREM s ", 0), 0u);
  Run({"SPOP", "s", "0"});
  EXPECT_TRUE(Take().empty());
  Run({"SPOP", "s", "10"});
  EXPECT_EQ(Take(), (V{"0:DEL s"}));
}

TEST_F(SetPropagationTest, OtherWritesPropagateThemselves) {
  Run({"SADD", "a", "1", "2"});
  Run({"SMOVE", "a", "b", "1"});
  Run({"SMOVE", "a", "b", "9"});
  Run({"SINTERSTORE", "d", "b", "b"});
  Run({"SREM", "a", "nothing"});
  EXPECT_EQ(Take(), (V{"0:SADD a 1 2", "0:SMOVE a b 1", "0:SINTERSTORE d b b"}));
  Run({"SUNIONSTORE", "nokey2", "nokey"});  // empty result, no key deleted
  EXPECT_TRUE(Take().empty());
}

}  // namespace
}  // namespace vireo::server
