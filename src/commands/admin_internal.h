// Pieces of the admin family (admin.cc) that live in their own files:
// COMMAND (command_cmd.cc), DEBUG (debug.cc) and LATENCY (latency_cmd.cc).
// RegisterAdminFamily calls these; nothing else should.
#pragma once

#include "commands/common.h"
#include "server/command.h"

namespace vireo::commands {

void RegisterCommandCommand(server::CommandTable& t);  // command_cmd.cc
void RegisterDebugCommand(server::CommandTable& t);    // debug.cc
void RegisterLatencyCommand(server::CommandTable& t);  // latency_cmd.cc

}  // namespace vireo::commands
