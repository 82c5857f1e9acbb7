// The AOF's command form: how one command is stored (RESP multi-bulk, the
// same bytes a client sends) and how a whole dataset is written as the
// commands that rebuild it (Redis's catAppendOnlyGenericCommand and
// rewriteAppendOnlyFileRio, used when aof-use-rdb-preamble is no).
//
// Why a separate file from the manifest: these are the bytes inside AOF
// files; the manifest says which files there are. Both know no server.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "engine/keyspace.h"
#include "persistence/rdb_io.h"

namespace vireo::persistence::aof {

// Redis's AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH / SADD / ZADD /
// HMSET when a big value is rewritten.
inline constexpr size_t kItemsPerCommand = 64;

// Appends "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" per argument.
void AppendCommand(std::string* out, std::span<const std::string_view> argv);
// "*2\r\n$6\r\nSELECT\r\n$<n>\r\n<db>\r\n".
void AppendSelect(std::string* out, int db);
// "#TS:<unix seconds>\r\n" (aof-timestamp-enabled annotations).
void AppendTimestamp(std::string* out, int64_t unix_s);

struct RewriteOptions {
  bool timestamp = false;  // aof-timestamp-enabled: a #TS line first
  int64_t now_s = 0;
  int key_save_delay = 0;  // rdb-key-save-delay (tests slow rewrites with it)
};

// Writes every key as commands (SET / RPUSH / SADD / ZADD / HMSET, then
// PEXPIREAT for a TTL), each db after a SELECT. `on_key` sees the running
// key count. False on a write error (w.error()).
bool WriteCommands(rdb::Writer& w, engine::Keyspace& ks, const RewriteOptions& opts,
                   const std::function<void(uint64_t keys)>& on_key = nullptr);

}  // namespace vireo::persistence::aof
