// CONFIG command family (config_cmd.cc).
#pragma once

#include "server/server.h"

namespace vireo::commands {

// Registers the run-time apply hooks of the directives whose new value must
// be pushed somewhere (log level, fd limit for maxclients, slowlog trim,
// requirepass). RegisterConfigFamily calls it once for g_server.
void RegisterConfigHooks(server::Server& s);

}  // namespace vireo::commands
