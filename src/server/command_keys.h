// Key extraction from a command's arguments (Redis's
// getKeysFromCommandWithSpecs): the key specs of the generated command
// table first (unless a spec has VARIABLE_FLAGS), and when a spec is
// invalid or INCOMPLETE for these arguments, the command's own getkeys
// function, which Redis has for a fixed set of commands.
//
// Why in server/: COMMAND GETKEYS, client-side caching (the keys a read
// command fetched) and ACL key permissions all need the same answer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "server/command.h"

namespace vireo::server {

// One key: its argv position and its key-spec flags (KeySpecFlag bits).
struct KeyRef {
  int pos;
  uint32_t flags;
};

// Keys of `argv` (argv[0] is the command name) for `cmd`; returns their
// number (0 when none or when the arguments do not fit).
int GetCommandKeys(const Command* cmd, std::span<const std::string_view> argv,
                   std::vector<KeyRef>* keys);
// Whether the command declares a real key in its specs / has a getkeys
// function (COMMAND GETKEYS's "no key arguments" check).
bool HasKeySpec(const Command* cmd);
bool HasGetKeysProc(const Command* cmd);

}  // namespace vireo::server
