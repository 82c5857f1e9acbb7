// RDB writing: one value (rdbSaveObjectType + rdbSaveObject), one key with
// its expire / LRU / LFU opcodes, a DUMP payload, and a whole snapshot of a
// Keyspace (header, aux fields, SELECTDB + RESIZEDB per database, EOF, CRC64)
// exactly as Redis 7.0.15 writes them.
//
// Why the same bytes and not only the same format: redis-server and
// redis-check-rdb read our files, DEBUG OBJECT's serializedlength reports the
// size, and a Vireo master streams this to Redis replicas. The value layouts
// come straight from the engine's encodings, which are Redis's (listpacks,
// intsets, quicklist nodes, possibly already LZF-compressed, are written as
// the blobs they are); hash tables and skiplists are written element by
// element in the order Redis uses (skiplists from the tail, so loading
// inserts at the head).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "persistence/rdb_io.h"

namespace vireo::persistence::rdb {

struct SaveOptions {
  bool compression = true;  // rdbcompression
  bool checksum = true;     // rdbchecksum
  // rdb-key-save-delay: microseconds slept after each key (tests use it to
  // make a save slow); negative = sleep 1us with probability 1/-n.
  int key_save_delay = 0;
};

// The aux fields (rdbSaveInfoAuxFields).
struct AuxFields {
  std::string redis_ver;
  int64_t ctime = 0;
  int64_t used_mem = 0;
  // repl-stream-db / repl-id / repl-offset: only when there is replication
  // state to save (Redis's rdbPopulateSaveInfo returned non-NULL).
  bool with_repl = false;
  int repl_stream_db = 0;
  std::string repl_id;
  int64_t repl_offset = 0;
  bool aof_base = false;  // the RDB preamble of an AOF
};

// rdbSaveObjectType.
void WriteValueType(Writer& w, const engine::Entry* e);
// rdbSaveObject.
void WriteValue(Writer& w, const engine::Entry* e);
// rdbSaveKeyValuePair: [EXPIRETIME_MS] [IDLE | FREQ] type key value.
void WriteKeyValue(Writer& w, const engine::Entry* e, int64_t expire_ms,
                   const engine::KeyspaceOptions& ko);

// DUMP's payload: type + value + RDB version (2 bytes LE) + CRC64 (8 LE).
std::string DumpPayload(const engine::Entry* e, bool compression);
// rdbSavedObjectLen (DEBUG OBJECT serializedlength).
size_t SerializedLength(const engine::Entry* e, bool compression);

// A whole RDB file. `on_key` (optional) is called after each key with the
// number of keys written so far (progress reports, fork child info).
// Returns false on a write error (w.error()).
bool WriteSnapshot(Writer& w, engine::Keyspace& ks, const AuxFields& aux,
                   const SaveOptions& opts,
                   const std::function<void(uint64_t keys)>& on_key = nullptr);

// The sleep of rdb-key-save-delay / key-load-delay (Redis's debugDelay).
void DebugDelay(int usec);

}  // namespace vireo::persistence::rdb
