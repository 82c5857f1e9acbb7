// CommandTable::ApplyMode: which commands exist in sentinel mode and which
// only there, as redis-server 7.0.15 decides in populateCommandStructure.
//
// Covers: the generated mode flags (the 15 top-level commands of
// `redis-server --sentinel`, SENTINEL and its subcommands sentinel-only),
// registering "sentinel|..." handlers, ApplyMode(true) / ApplyMode(false)
// for lookups and the COMMAND listing (all()), subcommands following their
// container, Register after ApplyMode, and rename-command after the mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "server/command.h"
#include "server/command_meta.h"

namespace vireo::server {
namespace {

void Dummy(Client&) {}

std::set<std::string> Listed(const CommandTable& t) {
  std::set<std::string> out;
  for (const Command* c : t.all()) out.insert(c->name);
  return out;
}

// A few handlers of both modes, as the families (and sentinel_cmd.cc) do.
void RegisterSome(CommandTable& t) {
  t.Register("ping", Dummy);
  t.Register("get", Dummy);
  t.Register("client|id", Dummy);
  t.Register("client|setname", Dummy);
  t.Register("config|get", Dummy);
  t.Register("sentinel|myid", Dummy);
  t.Register("sentinel|masters", Dummy);
}

TEST(CommandModeTest, GeneratedFlagsMatchRedisSentinel) {
  // Why: the sentinel's COMMAND LIST in 7.0.15 (top-level part).
  const std::set<std::string> want = {
      "acl",        "auth",    "client",    "command",      "hello",
      "info",       "ping",    "psubscribe", "publish",     "punsubscribe",
      "role",       "sentinel", "shutdown", "subscribe",    "unsubscribe"};
  std::set<std::string> got;
  int only = 0;
  for (size_t i = 0; i < kCommandMetaCount; i++) {
    const CommandMeta& m = kCommandMeta[i];
    if (!m.parent && (m.flags & kCmdSentinel)) got.insert(m.name);
    if (m.flags & kCmdOnlySentinel) {
      only++;
      // SENTINEL and its subcommands carry both flags, like commands.c.
      EXPECT_TRUE(m.flags & kCmdSentinel) << m.name;
      EXPECT_EQ(std::string(m.parent ? m.parent : m.name), "sentinel");
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(only, 22) << "SENTINEL and its 21 subcommands";
  size_t normal = 0, sentinel = 0;
  for (size_t i = 0; i < kCommandMetaCount; i++) {
    normal += InCommandMode(kCommandMeta[i], false);
    sentinel += InCommandMode(kCommandMeta[i], true);
  }
  EXPECT_EQ(normal, kCommandMetaCount - 22);
  EXPECT_EQ(sentinel, 72u) << "15 commands, 57 subcommands";
}

TEST(CommandModeTest, RegisterAcceptsSentinelSubcommands) {
  CommandTable t;
  RegisterSome(t);
  EXPECT_TRUE(t.missing().empty());
  ASSERT_NE(t.FindByFullName("sentinel|myid"), nullptr);
  EXPECT_TRUE(t.IsContainer("sentinel"));
  EXPECT_FALSE(t.sentinel_mode());
}

TEST(CommandModeTest, SentinelModeKeepsOnlySentinelCommands) {
  CommandTable t;
  RegisterSome(t);
  t.ApplyMode(true);
  EXPECT_TRUE(t.sentinel_mode());
  EXPECT_EQ(t.Find("get"), nullptr);
  EXPECT_EQ(t.Find("config"), nullptr);
  EXPECT_EQ(t.FindByFullName("config|get"), nullptr);
  EXPECT_NE(t.Find("ping"), nullptr);
  ASSERT_NE(t.FindByFullName("sentinel|myid"), nullptr);
  EXPECT_NE(t.FindByFullName("SENTINEL|MASTERS"), nullptr);
  EXPECT_NE(t.FindByFullName("client|setname"), nullptr);
  EXPECT_EQ(Listed(t), (std::set<std::string>{"ping", "client", "sentinel"}));
  EXPECT_EQ(t.Lookup({"get", "k"}), nullptr);
  const Command* myid = t.Lookup({"sentinel", "myid"});
  ASSERT_NE(myid, nullptr);
  EXPECT_EQ(myid->name, "sentinel|myid");
  EXPECT_EQ(myid->handler, &Dummy);
}

TEST(CommandModeTest, NormalModeDropsSentinelOnly) {
  CommandTable t;
  RegisterSome(t);
  t.ApplyMode(false);
  EXPECT_FALSE(t.sentinel_mode());
  EXPECT_EQ(t.Find("sentinel"), nullptr);
  EXPECT_EQ(t.FindByFullName("sentinel|myid"), nullptr);
  EXPECT_EQ(t.Lookup({"sentinel", "myid"}), nullptr);
  EXPECT_FALSE(t.IsContainer("sentinel"));
  EXPECT_NE(t.Find("get"), nullptr);
  EXPECT_NE(t.Find("ping"), nullptr);
  EXPECT_NE(t.FindByFullName("config|get"), nullptr);
  EXPECT_EQ(Listed(t), (std::set<std::string>{"ping", "get", "client", "config"}));
  // The kept container still has both subcommands.
  EXPECT_EQ(t.Find("client")->subcommands.size(), 2u);
}

TEST(CommandModeTest, RegisterAfterApplyModeObeysTheMode) {
  CommandTable t;
  RegisterSome(t);
  t.ApplyMode(true);
  t.Register("set", Dummy);
  t.Register("sentinel|reset", Dummy);
  t.Register("role", Dummy);
  EXPECT_TRUE(t.missing().empty()) << "a command of the other mode is not missing";
  EXPECT_EQ(t.Find("set"), nullptr);
  EXPECT_NE(t.FindByFullName("sentinel|reset"), nullptr);
  EXPECT_NE(t.Find("role"), nullptr);

  CommandTable n;
  n.ApplyMode(false);
  n.Register("sentinel|reset", Dummy);
  n.Register("set", Dummy);
  EXPECT_EQ(n.Find("sentinel"), nullptr);
  EXPECT_NE(n.Find("set"), nullptr);
}

TEST(CommandModeTest, RenameSeesTheModesTable) {
  CommandTable t;
  RegisterSome(t);
  t.ApplyMode(true);
  std::string err;
  // Why: in sentinel mode GET is not in Redis's command dict at config time.
  EXPECT_FALSE(t.Rename("get", "", &err));
  EXPECT_EQ(err, "No such command in rename-command");
  EXPECT_TRUE(t.Rename("sentinel", "sentinel2", &err));
  EXPECT_NE(t.FindByFullName("sentinel2|myid"), nullptr);
  EXPECT_EQ(t.Find("sentinel"), nullptr);
}

}  // namespace
}  // namespace vireo::server
