// RegisterAllCommands: the one place that lists the command families.
// (No static self-registration: a static library drops unreferenced objects.)
#include "commands/registry.h"

namespace vireo::server {

void RegisterAllCommands(CommandTable& t) {
  commands::RegisterStringFamily(t);
  commands::RegisterKeysFamily(t);
  commands::RegisterConnectionFamily(t);
  commands::RegisterServerFamily(t);
  commands::RegisterTransactionFamily(t);
  commands::RegisterClientFamily(t);
  commands::RegisterConfigFamily(t);
  commands::RegisterInfoFamily(t);
  commands::RegisterAdminFamily(t);
}

}  // namespace vireo::server
