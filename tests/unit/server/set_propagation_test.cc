// Set commands through the dispatcher with a recording propagation sink:
// what reaches the AOF and replicas is Redis 7.0's form (SPOP -> SREM, SPOP
// with a count -> one SREM per member in MULTI/EXEC, or DEL when the count
// takes the whole set; a write that changed nothing is not propagated).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "in_process.h"

namespace vireo::server {
namespace {

class SetPropagationTest : public testing::InProcessServer {
 protected:
  void Run(std::vector<std::string_view> args) { InProcessServer::Run(c, std::move(args)); }
  std::vector<std::string> Take() { return sink.Take(); }

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
