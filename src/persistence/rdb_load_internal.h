// What the RDB value loader (rdb_load.cc) shares with the legacy-type
// loader (rdb_legacy.cc): entry construction and Redis's post-load
// conversions, so both apply the same rules.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/keyspace_options.h"
#include "engine/object.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_load.h"

namespace vireo::persistence::rdb::detail {

// An entry of `type`/`enc` owning `ptr`.
engine::Entry* NewEntry(std::string_view key, engine::ObjType type, engine::Enc enc, void* ptr);
// A listpack hash just loaded: Redis's hashTypeConvert when it has more
// than hash-max-listpack-entries fields (or `maxlen` exceeds the value limit,
// for the zipmap path that checks it).
void HashAfterLoad(engine::Entry* e, const engine::KeyspaceOptions& ko, size_t maxlen = 0);
// A listpack zset just loaded: to a skiplist over zset-max-listpack-entries.
void ZsetAfterLoad(engine::Entry* e, const engine::KeyspaceOptions& ko);
// Whether a listpack of (field, value) pairs has an even count and no
// repeated field (Redis's lpPairsValidateIntegrityAndDups, deep part).
bool ListpackPairsNoDups(const uint8_t* lp);

// The legacy types: RDB_TYPE_HASH_ZIPMAP, _LIST_ZIPLIST, _ZSET_ZIPLIST,
// _HASH_ZIPLIST (rdb_legacy.cc).
engine::Entry* ReadLegacyValue(Reader& r, int type, std::string_view key,
                               const engine::KeyspaceOptions& ko, const LoadOptions& lo, bool* empty);
// A quicklist v1 node (a ziplist) as a new listpack; nullptr when invalid.
uint8_t* ZiplistNodeToListpack(const uint8_t* zl, size_t len);

}  // namespace vireo::persistence::rdb::detail
