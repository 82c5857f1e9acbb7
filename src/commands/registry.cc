// RegisterAllCommands: the one place that lists the command families.
// (No static self-registration: a static library drops unreferenced objects.)
#include "commands/registry.h"

namespace vireo::commands {

void RegisterAllCommands(server::CommandTable& t) {
  RegisterStringFamily(t);
  RegisterKeysFamily(t);
  RegisterConnectionFamily(t);
  RegisterServerFamily(t);
  RegisterTransactionFamily(t);
  RegisterClientFamily(t);
  RegisterConfigFamily(t);
  RegisterInfoFamily(t);
  RegisterListFamily(t);
  RegisterAdminFamily(t);
  RegisterSetFamily(t);
  RegisterPersistenceFamily(t);
  RegisterMigrateFamily(t);
  RegisterReplicationFamily(t);
  RegisterPubsubFamily(t);
  RegisterTrackingFamily(t);
  RegisterZsetFamily(t);
  RegisterHashFamily(t);
  RegisterSortFamily(t);
  RegisterAclFamily(t);
  RegisterClusterFamily(t);
  RegisterSentinelFamily(t);
}

}  // namespace vireo::commands
