// The server side of CLIENT KILL / CLIENT LIST TYPE and CLIENT PAUSE:
// client types, the kill filter, and the pause rules (Redis 7.0
// networking.c getClientType / clientCommand's kill loop / pauseClients /
// updateClientPauseTypeAndEndTime, and processCommand's pause check).
//
// Why a separate file: the command handlers (commands/client_cmd.cc) only
// parse and reply; the dispatcher needs the same pause rule to hold a
// command, so the rules live in the server module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/client.h"

namespace vireo::server {

class Server;
struct Command;

// Redis's CLIENT_TYPE_*; kAny is "no TYPE filter" (also the unknown name).
enum class ClientType { kNormal, kReplica, kPubsub, kMaster, kAny };

// Redis's getClientTypeByName: normal | slave | replica | pubsub | master
// (any case); kAny for an unknown name.
ClientType ClientTypeByName(std::string_view name);
// Redis's getClientType.
ClientType ClientTypeOf(const Client& cl);

// The filters of CLIENT KILL (Redis clientCommand "kill"); an empty view /
// kAny / 0 matches every client.
struct KillFilter {
  std::string_view addr;
  std::string_view laddr;
  std::string_view user;
  bool by_addr = false;
  bool by_laddr = false;
  bool by_user = false;
  ClientType type = ClientType::kAny;
  uint64_t id = 0;
  bool skipme = true;
};

// Closes every client `f` matches and returns how many matched. `self`
// (the caller) is never closed here: *close_self says whether it matched,
// so the caller closes it after its reply.
int64_t KillClients(Server& s, const Client& self, const KillFilter& f, bool* close_self);

// CLIENT PAUSE <ms> [WRITE|ALL]: Redis's pauseClients for the client-command
// purpose. `ms` >= 0 (0 only makes an existing pause stricter).
void PauseClients(Server& s, int64_t ms, bool write_only);
// CLIENT UNPAUSE: ends the pause; held commands run again from the loop.
void UnpauseClientsByCommand(Server& s);
// Redis's pauseClients / unpauseClients for the other purposes (SHUTDOWN
// waiting for replicas, FAILOVER): `end` is absolute (INT64_MAX: until
// unpaused). Held commands run again once nothing pauses them.
void PauseFor(Server& s, int purpose, int64_t end, bool write_only);
void UnpauseFor(Server& s, int purpose);
// Drops the purposes whose time is over (the cron).
void ExpirePauses(Server& s);
// Clients a pause holds (INFO blocked_clients), without those CLIENT
// UNPAUSE released already.
size_t HeldClientCount(const Server& s);
// processCommand's check: true when the current pause holds `cmd` for `c`.
bool PauseHoldsCommand(const Server& s, const Client& c, const Command& cmd);

}  // namespace vireo::server
