// The sentinel-mode command handlers (sentinel_cmd.cc, sentinel_set_cmd.cc)
// that other families call when the server runs as a sentinel: INFO, ROLE
// and PUBLISH answer differently there, as in Redis 7.0.15.
#pragma once

#include "server/client.h"
#include "server/command.h"

namespace vireo::commands {

void SentinelInfo(server::Client& c);     // INFO: server, clients, cpu, stats, sentinel
void SentinelRole(server::Client& c);     // ROLE: ["sentinel", [master names]]
void SentinelPublish(server::Client& c);  // PUBLISH: hello messages only
// SENTINEL SET / CONFIG / DEBUG (sentinel_set_cmd.cc).
void RegisterSentinelSetFamily(server::CommandTable& t);

}  // namespace vireo::commands
