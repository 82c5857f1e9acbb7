// Replication commands: SYNC PSYNC REPLCONF REPLICAOF SLAVEOF ROLE WAIT
// FAILOVER.
// The handlers only hand over to the replication module
// (src/replication/replication.h), which owns the state they act on.
#include "commands/common.h"
#include "commands/sentinel_cmd.h"
#include "commands/registry.h"
#include "replication/replication.h"

namespace vireo::commands {
namespace {

replication::Replication& R() { return *replication::Get(); }

void CmdSync(Client& c) { R().SyncCommand(c); }
void CmdReplconf(Client& c) { R().ReplconfCommand(c); }
void CmdReplicaof(Client& c) { R().ReplicaofCommand(c); }
void CmdRole(Client& c) {
  if (g_server->sentinel_mode) return SentinelRole(c);
  R().RoleCommand(c);
}
void CmdWait(Client& c) { R().WaitCommand(c); }
void CmdFailover(Client& c) { R().FailoverCommand(c); }

}  // namespace

void RegisterReplicationFamily(server::CommandTable& t) {
  t.Register("sync", CmdSync);
  t.Register("psync", CmdSync);
  t.Register("replconf", CmdReplconf);
  t.Register("replicaof", CmdReplicaof);
  t.Register("slaveof", CmdReplicaof);
  t.Register("role", CmdRole);
  t.Register("wait", CmdWait);
  t.Register("failover", CmdFailover);
}

}  // namespace vireo::commands
