// RDB reading: one value (rdbLoadObject) with Redis 7.0.15's conversions on
// load, a DUMP payload's verification (verifyDumpPayload), and a whole file
// into a Keyspace (rdbLoadRioWithLoadingCtx).
//
// Why Redis's conversions: a value loaded here must end up in the encoding
// redis-server would give it with the same configuration (a listpack hash
// over hash-max-listpack-entries becomes a table, a small skiplist zset a
// listpack, an intset over set-max-intset-entries a table...), because
// OBJECT ENCODING, DEBUG OBJECT and the next save show it. Older types
// (zipmap, ziplists, quicklist v1 from RDB 7-9) are converted to today's
// encodings as Redis does; RDB 11's listpack sets (Redis 7.2 / Valkey 8)
// become the intset or table Redis 7.0 would build. Types Vireo does not
// have (streams until they exist, modules, function libraries) are refused
// with a message that says so.
//
// Nothing here trusts its input: every length is checked against what is
// left, every blob is validated (deeply under sanitize-dump-payload) before
// the engine uses it, and errors come back as messages, never a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "persistence/rdb_io.h"

namespace vireo::persistence::rdb {

struct LoadOptions {
  // Deep validation of listpacks / intsets / ziplists (sanitize-dump-payload
  // yes, or "clients" for a RESTORE from a normal client).
  bool deep = false;
  // Counts the deep validations done (INFO dump_payload_sanitizations).
  uint64_t* sanitizations = nullptr;
};

// Reads the value of `type` for `key` (rdbLoadObject). nullptr on error
// (r.error() says why) or when the value is empty (*empty set: Redis skips
// such keys when loading a file and refuses them in RESTORE).
engine::Entry* ReadValue(Reader& r, int type, std::string_view key, const engine::KeyspaceOptions& ko,
                         const LoadOptions& lo, bool* empty);

// verifyDumpPayload: the trailer's RDB version (at most what we read) and
// CRC64. *version gets the payload's version.
bool VerifyDumpPayload(std::string_view payload, bool check_crc, int* version);

// RESTORE's decoding: the type byte and the value of a verified payload.
// nullptr with *err ("Bad data format" cases) on failure.
engine::Entry* ReadDumpPayload(std::string_view payload, std::string_view key,
                               const engine::KeyspaceOptions& ko, const LoadOptions& lo);

struct FileLoadOptions {
  LoadOptions value;
  // A master skips keys whose TTL is already past (iAmMaster()); a replica
  // and an AOF preamble keep them.
  bool skip_expired = true;
  int64_t now_ms = 0;
  // A key skipped as expired (a master feeds its DEL to the replication
  // backlog: Redis's RDBFLAGS_FEED_REPL).
  std::function<void(int db, std::string_view key)> on_expired;
  // DEBUG RELOAD MERGE: a key already present is replaced, not an error.
  bool allow_dup = false;
  // rdbchecksum: when off the trailing CRC is not verified.
  bool verify_checksum = true;
  // key-load-delay (tests), read per key so that a CONFIG SET during the
  // load applies, as in Redis.
  const int* key_load_delay = nullptr;
  // Called every `progress_interval` bytes (loading-process-events-
  // interval-bytes) with the bytes read so far: the server serves -LOADING
  // and updates INFO from there.
  uint64_t progress_interval = 0;
  std::function<void(uint64_t bytes)> progress;
};

// What the file said and what the load did.
struct LoadInfo {
  int version = 0;
  std::string redis_ver;
  int64_t ctime = -1;
  int64_t used_mem = -1;
  int repl_stream_db = -1;
  std::string repl_id;
  int64_t repl_offset = -1;
  bool aof_base = false;
  bool checksum_skipped = false;  // saved with rdbchecksum no
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
  uint64_t empty_keys_skipped = 0;
  std::vector<std::string> notes;  // lines Redis logs while loading
};

// Loads a whole RDB stream into `ks` (which the caller normally emptied).
// False with *err in Redis's words on a bad file; keys loaded before the
// error stay (the caller decides: exit at startup, flush on a replica).
bool LoadSnapshot(Reader& r, engine::Keyspace& ks, const FileLoadOptions& o, LoadInfo* info,
                  std::string* err);

}  // namespace vireo::persistence::rdb
