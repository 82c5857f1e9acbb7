// Descriptions of a client's state: the CLIENT LIST / CLIENT INFO line and
// the memory Redis attributes to a client. Used by CLIENT, INFO and the
// server log (a verbose "Client closed connection" line names the client).
#pragma once

#include <cstddef>
#include <string>

#include "server/client.h"

namespace vireo::server {

// One CLIENT LIST line for `cl` (without the trailing newline), Redis 7.0's
// catClientInfoString.
std::string ClientInfoString(Client& cl);

// Redis's getClientMemoryUsage: what CLIENT LIST tot-mem and INFO
// mem_clients_normal count for one client.
size_t ClientMemoryUsage(Client& cl);

}  // namespace vireo::server
