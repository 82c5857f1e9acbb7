// Declarations of every command family's Register function, and the one
// function that registers them all.
#pragma once

#include <cstddef>

#include "server/command.h"

namespace vireo::commands {

void RegisterStringFamily(server::CommandTable& t);       // string.cc
void RegisterKeysFamily(server::CommandTable& t);         // keys.cc
void RegisterConnectionFamily(server::CommandTable& t);   // connection.cc: PING ECHO HELLO AUTH SELECT RESET QUIT
void RegisterServerFamily(server::CommandTable& t);       // server_cmds.cc: DBSIZE FLUSHDB FLUSHALL SWAPDB TIME
void RegisterTransactionFamily(server::CommandTable& t);  // transaction.cc
void RegisterClientFamily(server::CommandTable& t);       // client_cmd.cc: CLIENT ...
void RegisterConfigFamily(server::CommandTable& t);       // config_cmd.cc: CONFIG ...
void RegisterInfoFamily(server::CommandTable& t);         // info.cc: INFO
void RegisterListFamily(server::CommandTable& t);         // list.cc: LPUSH ... LMPOP, BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH
void RegisterZsetFamily(server::CommandTable& t);         // zset.cc: the sorted-set commands, BZPOPMIN BZPOPMAX BZMPOP
void RegisterHashFamily(server::CommandTable& t);         // hash.cc
void RegisterSortFamily(server::CommandTable& t);         // sort.cc: SORT SORT_RO
void RegisterAdminFamily(server::CommandTable& t);        // admin.cc (+ command_cmd.cc, debug.cc, latency_cmd.cc): COMMAND SLOWLOG LATENCY MONITOR MEMORY DEBUG SHUTDOWN
void RegisterPubsubFamily(server::CommandTable& t);       // pubsub.cc: (P|S)(UN)SUBSCRIBE (S)PUBLISH PUBSUB
void RegisterTrackingFamily(server::CommandTable& t);     // tracking_cmd.cc: CLIENT TRACKING CACHING GETREDIR TRACKINGINFO
void RegisterAclFamily(server::CommandTable& t);          // acl_cmd.cc: ACL ...
void RegisterSetFamily(server::CommandTable& t);          // set.cc: SADD SREM SMEMBERS ... SSCAN
void RegisterPersistenceFamily(server::CommandTable& t);  // persistence_cmd.cc: SAVE BGSAVE LASTSAVE DUMP RESTORE
void RegisterMigrateFamily(server::CommandTable& t);      // migrate_cmd.cc: MIGRATE
void RegisterReplicationFamily(server::CommandTable& t);
void RegisterClusterFamily(server::CommandTable& t);      // cluster_cmd.cc: CLUSTER ASKING READONLY READWRITE
void RegisterSentinelFamily(server::CommandTable& t);     // sentinel_cmd.cc: SENTINEL (sentinel mode only)  // replication_cmd.cc: SYNC PSYNC REPLCONF REPLICAOF SLAVEOF ROLE WAIT
// INFO stats migrate_cached_sockets (migrate_cmd.cc).
size_t MigrateCachedSockets();

// Every family: the one place that lists them (no static self-registration:
// a static library drops unreferenced objects). The server binary, and any
// test embedding a server, calls it before loading the config.
void RegisterAllCommands(server::CommandTable& t);

}  // namespace vireo::commands
