// The directive table of Redis 7.0.15 and the field bindings.
//
// Owns: every directive's name, alias, flags, bounds and default (the order
// follows Redis's static_configs[] so CONFIG GET / REWRITE iterate alike),
// the list of directives Vireo implements today (kActiveDirectives), the
// validators with Redis's exact messages, and which directives live in a
// typed Config field. How values are parsed / printed / rewritten is in
// config_values.cc.
#include "server/config_table.h"

#include <syslog.h>

#include <climits>
#include <string>
#include <type_traits>

namespace vireo::server::config_internal {
namespace {

// ---------------------------------------------------------------------------
// The directives Vireo implements today. A directive not listed here is still
// parsed, validated, stored and shown by CONFIG GET, but InactiveUsed() names
// it when a config file sets it. Flip entries here as features land.
// ---------------------------------------------------------------------------
constexpr std::string_view kActiveDirectives[] = {
    "bind",
    "port",
    "unixsocket",
    "unixsocketperm",
    "tcp-backlog",
    "tcp-keepalive",
    "timeout",
    "protected-mode",
    "maxclients",
    "daemonize",
    "pidfile",
    "loglevel",
    "logfile",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "databases",
    "hz",
    "dynamic-hz",
    "dir",
    "requirepass",
    "proto-max-bulk-len",
    "client-query-buffer-limit",
    "client-output-buffer-limit",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "active-expire-effort",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del",
    "enable-debug-command",
    "enable-protected-configs",
    "crash-log-enabled",
    "always-show-logo",
    "set-proc-title",
    "proc-title-template",
    // issue 7: the data types' encodings
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "list-max-listpack-size",
    "list-compress-depth",
    "set-max-intset-entries",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    // issue 8: notifications and client-side caching
    "notify-keyspace-events",
    "tracking-table-max-keys",
    "aclfile",
    "acllog-max-len",
    "acl-pubsub-default",
    // maxmemory and eviction (server/maxmemory.cc, engine/evict.cc)
    "maxmemory",
    "maxmemory-policy",
    // issue 9: RDB persistence (server/snapshot.cc, src/persistence/)
    "save",
    "dbfilename",
    "rdbcompression",
    "rdbchecksum",
    "rdb-save-incremental-fsync",
    "stop-writes-on-bgsave-error",
    "sanitize-dump-payload",
    // issue 9: the AOF (server/aof.cc)
    "appendonly",
    "appendfsync",
    "appendfilename",
    "appenddirname",
    "aof-use-rdb-preamble",
    "aof-timestamp-enabled",
    "aof-load-truncated",
    "aof-rewrite-incremental-fsync",
    "no-appendfsync-on-rewrite",
    "aof-disable-auto-gc",
    "auto-aof-rewrite-percentage",
    "auto-aof-rewrite-min-size",
    "maxmemory-samples",
    "maxmemory-eviction-tenacity",
    "maxmemory-clients",
    "lfu-log-factor",
    "lfu-decay-time",
    "lazyfree-lazy-eviction",
    "replica-ignore-maxmemory",
    // issue 10: replication (src/replication/)
    "replicaof",
    "masterauth",
    "masteruser",
    "replica-read-only",
    "replica-serve-stale-data",
    "replica-lazy-flush",
    "replica-announced",
    "replica-priority",
    "replica-announce-ip",
    "replica-announce-port",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "repl-diskless-load",
    "repl-disable-tcp-nodelay",
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-timeout",
    "repl-ping-replica-period",
    "min-replicas-to-write",
    "min-replicas-max-lag",
    "rdb-del-sync-files",
    // issue 12: Redis Cluster (src/cluster/)
    "cluster-enabled",
    "cluster-config-file",
    "cluster-node-timeout",
    "cluster-port",
    "cluster-announce-ip",
    "cluster-announce-port",
    "cluster-announce-bus-port",
    "cluster-announce-hostname",
    "cluster-preferred-endpoint-type",
    "cluster-replica-validity-factor",
    "cluster-migration-barrier",
    "cluster-allow-replica-migration",
    "cluster-require-full-coverage",
    "cluster-replica-no-failover",
    "cluster-allow-reads-when-down",
    "cluster-allow-pubsubshard-when-down",
    "cluster-link-sendbuf-limit",
    "bind-source-addr",
};

// Deprecated directives that Redis 7.0.15 accepts and ignores (only with
// exactly two words; otherwise "Bad directive or wrong number of arguments").
constexpr std::string_view kIgnoredDeprecated[] = {
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
};

// ---------------------------------------------------------------------------
// Enum value lists (Redis's configEnum arrays, same order: the order shows in
// the "argument(s) must be one of the following" error).
// ---------------------------------------------------------------------------
constexpr EnumItem kMaxmemoryPolicyEnum[] = {
    {"volatile-lru", kMaxmemoryVolatileLru},
    {"volatile-lfu", kMaxmemoryVolatileLfu},
    {"volatile-random", kMaxmemoryVolatileRandom},
    {"volatile-ttl", kMaxmemoryVolatileTtl},
    {"allkeys-lru", kMaxmemoryAllkeysLru},
    {"allkeys-lfu", kMaxmemoryAllkeysLfu},
    {"allkeys-random", kMaxmemoryAllkeysRandom},
    {"noeviction", kMaxmemoryNoEviction},
    {nullptr, 0},
};
constexpr EnumItem kSyslogFacilityEnum[] = {
    {"user", LOG_USER},     {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    {nullptr, 0},
};
constexpr EnumItem kLoglevelEnum[] = {
    {"debug", kLogDebug}, {"verbose", kLogVerbose}, {"notice", kLogNotice},
    {"warning", kLogWarning}, {nullptr, 0},
};
// SUPERVISED_NONE 0, AUTODETECT 1, SYSTEMD 2, UPSTART 3.
constexpr EnumItem kSupervisedEnum[] = {
    {"upstart", 3}, {"systemd", 2}, {"auto", 1}, {"no", 0}, {nullptr, 0},
};
constexpr EnumItem kAofFsyncEnum[] = {
    {"everysec", kAofFsyncEverysec}, {"always", kAofFsyncAlways}, {"no", kAofFsyncNo}, {nullptr, 0},
};
constexpr EnumItem kReplDisklessLoadEnum[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {nullptr, 0},
};
constexpr EnumItem kTlsAuthClientsEnum[] = {
    {"no", 0}, {"yes", 1}, {"optional", 2}, {nullptr, 0},
};
// "yes" and "relative" share a value: CONFIG GET prints the first, "yes".
constexpr EnumItem kOomScoreAdjEnum[] = {
    {"no", kOomScoreAdjNo}, {"yes", kOomScoreRelative}, {"relative", kOomScoreRelative},
    {"absolute", kOomScoreAbsolute}, {nullptr, 0},
};
// SELECTOR_FLAG_ALLCHANNELS is 1<<2 in Redis.
constexpr EnumItem kAclPubsubDefaultEnum[] = {
    {"allchannels", 1 << 2}, {"resetchannels", 0}, {nullptr, 0},
};
constexpr EnumItem kSanitizeDumpPayloadEnum[] = {
    {"no", 0}, {"yes", 1}, {"clients", 2}, {nullptr, 0},
};
constexpr EnumItem kProtectedActionEnum[] = {
    {"no", kProtectedNo}, {"yes", kProtectedYes}, {"local", kProtectedLocal}, {nullptr, 0},
};
constexpr EnumItem kClusterPreferredEndpointTypeEnum[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {nullptr, 0},
};
constexpr EnumItem kPropagationErrorBehaviorEnum[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {nullptr, 0},
};
// Bit flags (the directive is kMultiArg): "save now" = 1|4.
constexpr EnumItem kShutdownOnSigEnum[] = {
    {"default", 0}, {"save", kShutdownSave}, {"nosave", kShutdownNoSave},
    {"now", kShutdownNow}, {"force", kShutdownForce}, {nullptr, 0},
};

// ---------------------------------------------------------------------------
// Validators (Redis's is_valid_fn), same messages.
// ---------------------------------------------------------------------------
bool ValidActiveDefrag(long long val, std::string* err) {
  // The reference build has no HAVE_DEFRAG (Debian's redis-server links the
  // system jemalloc): enabling it fails there, and so it does here.
  if (val) {
    *err =
        "Active defragmentation cannot be enabled: it requires a Redis server compiled with a "
        "modified Jemalloc like the one shipped by default with the Redis source distribution";
    return false;
  }
  return true;
}

bool PathIsBaseName(const std::string& path) {
  return path.find('/') == std::string::npos && path.find('\\') == std::string::npos;
}

bool ValidDbFilename(const std::string& val, const SlotContext&, std::string* err) {
  if (!PathIsBaseName(val)) {
    *err = "dbfilename can't be a path, just a filename";
    return false;
  }
  return true;
}

bool ValidAofFilename(const std::string& val, const SlotContext&, std::string* err) {
  if (val.empty()) {
    *err = "appendfilename can't be empty";
    return false;
  }
  if (!PathIsBaseName(val)) {
    *err = "appendfilename can't be a path, just a filename";
    return false;
  }
  return true;
}

bool ValidAofDirname(const std::string& val, const SlotContext&, std::string* err) {
  if (val.empty()) {
    *err = "appenddirname can't be empty";
    return false;
  }
  if (!PathIsBaseName(val)) {
    *err = "appenddirname can't be a path, just a dirname";
    return false;
  }
  return true;
}

bool ValidAnnouncedHostname(const std::string& val, const SlotContext&, std::string* err) {
  constexpr size_t kNetHostStrLen = 256;
  // Redis uses strlen(): the value ends at its first NUL.
  std::string_view v(val.c_str());
  if (v.size() >= kNetHostStrLen) {
    *err = "Hostnames must be less than 256 characters";
    return false;
  }
  for (char c : v) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.')) {
      *err = "Hostnames may only contain alphanumeric characters, hyphens or dots";
      return false;
    }
  }
  return true;
}

bool ValidProcTitleTemplate(const std::string& val, const SlotContext& ctx, std::string* err) {
  // validateProcTitleTemplate(): expand with an empty title; the template
  // must be well formed, use known variables and not expand to blanks only.
  auto var = [&ctx](std::string_view name) -> std::optional<std::string> {
    if (name == "title") return std::string();
    if (ctx.title_var) return ctx.title_var(name);
    return std::nullopt;
  };
  std::optional<std::string> res = ExpandTemplate(std::string_view(val.c_str()), var);
  if (res) {
    size_t b = res->find_first_not_of(' ');
    if (b != std::string::npos) return true;
  }
  *err = "template format is invalid or contains unknown variables";
  return false;
}

bool ValidShutdownOnSig(long long val, std::string* err) {
  if ((val & kShutdownNoSave) && (val & kShutdownSave)) {
    *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Table construction helpers (Redis's create*Config macros).
// ---------------------------------------------------------------------------
ConfigDef Bool(const char* name, const char* alias, uint32_t flags, bool def,
               IntValidator valid = nullptr) {
  ConfigDef d;
  d.name = name;
  d.alias = alias;
  d.flags = flags;
  d.type = ConfigType::kBool;
  d.bool_default = def;
  d.int_valid = valid;
  return d;
}

constexpr bool kAllowEmpty = false;
constexpr bool kEmptyIsNull = true;

ConfigDef Str(const char* name, const char* alias, uint32_t flags, bool empty_is_null,
              const char* def, StringValidator valid = nullptr) {
  ConfigDef d;
  d.name = name;
  d.alias = alias;
  d.flags = flags;
  d.type = ConfigType::kString;
  d.empty_is_null = empty_is_null;
  d.str_default = def;
  d.str_valid = valid;
  return d;
}

ConfigDef Enum(const char* name, const char* alias, uint32_t flags, const EnumItem* items, int def,
               IntValidator valid = nullptr) {
  ConfigDef d;
  d.name = name;
  d.alias = alias;
  d.flags = flags;
  d.type = ConfigType::kEnum;
  d.enum_items = items;
  d.enum_default = def;
  d.int_valid = valid;
  return d;
}

ConfigDef Num(const char* name, const char* alias, uint32_t flags, NumType type, long long lower,
              long long upper, long long def, uint32_t num_flags = kNumInteger) {
  ConfigDef d;
  d.name = name;
  d.alias = alias;
  d.flags = flags;
  d.type = ConfigType::kNumeric;
  d.num_type = type;
  d.lower = lower;
  d.upper = upper;
  d.num_default = def;
  d.num_flags = num_flags;
  return d;
}

ConfigDef Spec(const char* name, const char* alias, uint32_t flags, Special special) {
  ConfigDef d;
  d.name = name;
  d.alias = alias;
  d.flags = flags;
  d.type = ConfigType::kSpecial;
  d.special = special;
  return d;
}

constexpr uint32_t M = kModifiable;
constexpr uint32_t I = kImmutable;
constexpr long long kUllMax = static_cast<long long>(ULLONG_MAX);  // stored as -1, like Redis

std::vector<ConfigDef> BuildTable() {
  using NT = NumType;
  const long long kMb = 1024ll * 1024;
  return {
      // Bool configs
      Bool("rdbchecksum", nullptr, I, true),
      Bool("daemonize", nullptr, I, false),
      Bool("io-threads-do-reads", nullptr, kDebug | I, false),
      Bool("always-show-logo", nullptr, I, false),
      Bool("protected-mode", nullptr, M, true),
      Bool("rdbcompression", nullptr, M, true),
      Bool("rdb-del-sync-files", nullptr, M, false),
      Bool("activerehashing", nullptr, M, true),
      Bool("stop-writes-on-bgsave-error", nullptr, M, true),
      Bool("set-proc-title", nullptr, I, true),
      Bool("dynamic-hz", nullptr, M, true),
      Bool("lazyfree-lazy-eviction", nullptr, kDebug | M, false),
      Bool("lazyfree-lazy-expire", nullptr, kDebug | M, false),
      Bool("lazyfree-lazy-server-del", nullptr, kDebug | M, false),
      Bool("lazyfree-lazy-user-del", nullptr, kDebug | M, false),
      Bool("lazyfree-lazy-user-flush", nullptr, kDebug | M, false),
      Bool("repl-disable-tcp-nodelay", nullptr, M, false),
      Bool("repl-diskless-sync", nullptr, kDebug | M, true),
      Bool("aof-rewrite-incremental-fsync", nullptr, M, true),
      Bool("no-appendfsync-on-rewrite", nullptr, M, false),
      Bool("cluster-require-full-coverage", nullptr, M, true),
      Bool("rdb-save-incremental-fsync", nullptr, M, true),
      Bool("aof-load-truncated", nullptr, M, true),
      Bool("aof-use-rdb-preamble", nullptr, M, true),
      Bool("aof-timestamp-enabled", nullptr, M, false),
      Bool("cluster-replica-no-failover", "cluster-slave-no-failover", M, false),
      Bool("replica-lazy-flush", "slave-lazy-flush", M, false),
      Bool("replica-serve-stale-data", "slave-serve-stale-data", M, true),
      Bool("replica-read-only", "slave-read-only", kDebug | M, true),
      Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", M, true),
      Bool("jemalloc-bg-thread", nullptr, M, true),
      Bool("activedefrag", nullptr, kDebug | M, false, ValidActiveDefrag),
      Bool("syslog-enabled", nullptr, I, false),
      Bool("cluster-enabled", nullptr, I, false),
      Bool("appendonly", nullptr, M | kDenyLoading, false),
      Bool("cluster-allow-reads-when-down", nullptr, M, false),
      Bool("cluster-allow-pubsubshard-when-down", nullptr, M, true),
      Bool("crash-log-enabled", nullptr, M, true),
      Bool("crash-memcheck-enabled", nullptr, M, true),
      Bool("use-exit-on-panic", nullptr, M | kHidden, false),
      Bool("disable-thp", nullptr, I, true),
      Bool("cluster-allow-replica-migration", nullptr, M, true),
      Bool("replica-announced", nullptr, M, true),
      Bool("latency-tracking", nullptr, M, true),
      Bool("aof-disable-auto-gc", nullptr, M, false),
      Bool("replica-ignore-disk-write-errors", nullptr, M, false),
      Bool("lua-enable-deprecated-api", nullptr, I | kHidden, false),

      // String configs
      Str("aclfile", nullptr, I, kAllowEmpty, ""),
      Str("unixsocket", nullptr, I, kEmptyIsNull, nullptr),
      Str("pidfile", nullptr, I, kEmptyIsNull, nullptr),
      Str("replica-announce-ip", "slave-announce-ip", M, kEmptyIsNull, nullptr),
      Str("masteruser", nullptr, M | kSensitive, kEmptyIsNull, nullptr),
      Str("cluster-announce-ip", nullptr, M, kEmptyIsNull, nullptr),
      Str("cluster-config-file", nullptr, I, kAllowEmpty, "nodes.conf"),
      Str("cluster-announce-hostname", nullptr, M, kEmptyIsNull, nullptr, ValidAnnouncedHostname),
      Str("syslog-ident", nullptr, I, kAllowEmpty, "redis"),
      Str("dbfilename", nullptr, M | kProtected, kAllowEmpty, "dump.rdb", ValidDbFilename),
      Str("appendfilename", nullptr, I, kAllowEmpty, "appendonly.aof", ValidAofFilename),
      Str("appenddirname", nullptr, I, kAllowEmpty, "appendonlydir", ValidAofDirname),
      Str("server_cpulist", nullptr, I, kEmptyIsNull, nullptr),
      Str("bio_cpulist", nullptr, I, kEmptyIsNull, nullptr),
      Str("aof_rewrite_cpulist", nullptr, I, kEmptyIsNull, nullptr),
      Str("bgsave_cpulist", nullptr, I, kEmptyIsNull, nullptr),
      Str("ignore-warnings", nullptr, M, kAllowEmpty, ""),
      Str("proc-title-template", nullptr, M, kAllowEmpty, "{title} {listen-addr} {server-mode}",
          ValidProcTitleTemplate),
      Str("bind-source-addr", nullptr, M, kEmptyIsNull, nullptr),
      Str("logfile", nullptr, I, kAllowEmpty, ""),
      // SDS configs (same behaviour as strings here)
      // Why: these two are SDS configs in Redis 7.0 (binary-safe: a password
      // may hold NUL bytes and is compared whole).
      Str("masterauth", nullptr, M | kSensitive | kBinarySafe, kEmptyIsNull, nullptr),
      Str("requirepass", nullptr, M | kSensitive | kBinarySafe, kEmptyIsNull, nullptr),

      // Enum configs
      Enum("supervised", nullptr, I, kSupervisedEnum, 0),
      Enum("syslog-facility", nullptr, I, kSyslogFacilityEnum, LOG_LOCAL0),
      Enum("repl-diskless-load", nullptr, kDebug | M | kDenyLoading, kReplDisklessLoadEnum, 0),
      Enum("loglevel", nullptr, M, kLoglevelEnum, kLogNotice),
      Enum("maxmemory-policy", nullptr, M, kMaxmemoryPolicyEnum, kMaxmemoryNoEviction),
      Enum("appendfsync", nullptr, M, kAofFsyncEnum, kAofFsyncEverysec),
      Enum("oom-score-adj", nullptr, M, kOomScoreAdjEnum, kOomScoreAdjNo),
      Enum("acl-pubsub-default", nullptr, M, kAclPubsubDefaultEnum, 0),
      Enum("sanitize-dump-payload", nullptr, kDebug | M, kSanitizeDumpPayloadEnum, 0),
      Enum("enable-protected-configs", nullptr, I, kProtectedActionEnum, kProtectedNo),
      Enum("enable-debug-command", nullptr, I, kProtectedActionEnum, kProtectedNo),
      Enum("enable-module-command", nullptr, I, kProtectedActionEnum, kProtectedNo),
      Enum("cluster-preferred-endpoint-type", nullptr, M, kClusterPreferredEndpointTypeEnum, 0),
      Enum("propagation-error-behavior", nullptr, M, kPropagationErrorBehaviorEnum, 0),
      Enum("shutdown-on-sigint", nullptr, M | kMultiArg, kShutdownOnSigEnum, 0, ValidShutdownOnSig),
      Enum("shutdown-on-sigterm", nullptr, M | kMultiArg, kShutdownOnSigEnum, 0, ValidShutdownOnSig),

      // Integer configs
      Num("databases", nullptr, I, NT::kInt, 1, INT_MAX, 16),
      Num("port", nullptr, M, NT::kInt, 0, 65535, 6379),
      Num("io-threads", nullptr, kDebug | I, NT::kInt, 1, 128, 1),
      Num("auto-aof-rewrite-percentage", nullptr, M, NT::kInt, 0, INT_MAX, 100),
      Num("cluster-replica-validity-factor", "cluster-slave-validity-factor", M, NT::kInt, 0, INT_MAX, 10),
      Num("list-max-listpack-size", "list-max-ziplist-size", M, NT::kInt, INT_MIN, INT_MAX, -2),
      Num("tcp-keepalive", nullptr, M, NT::kInt, 0, INT_MAX, 300),
      Num("cluster-migration-barrier", nullptr, M, NT::kInt, 0, INT_MAX, 1),
      Num("active-defrag-cycle-min", nullptr, M, NT::kInt, 1, 99, 1),
      Num("active-defrag-cycle-max", nullptr, M, NT::kInt, 1, 99, 25),
      Num("active-defrag-threshold-lower", nullptr, M, NT::kInt, 0, 1000, 10),
      Num("active-defrag-threshold-upper", nullptr, M, NT::kInt, 0, 1000, 100),
      Num("lfu-log-factor", nullptr, M, NT::kInt, 0, INT_MAX, 10),
      Num("lfu-decay-time", nullptr, M, NT::kInt, 0, INT_MAX, 1),
      Num("replica-priority", "slave-priority", M, NT::kInt, 0, INT_MAX, 100),
      Num("repl-diskless-sync-delay", nullptr, M, NT::kInt, 0, INT_MAX, 5),
      Num("maxmemory-samples", nullptr, M, NT::kInt, 1, INT_MAX, 5),
      Num("maxmemory-eviction-tenacity", nullptr, M, NT::kInt, 0, 100, 10),
      Num("timeout", nullptr, M, NT::kInt, 0, INT_MAX, 0),
      Num("replica-announce-port", "slave-announce-port", M, NT::kInt, 0, 65535, 0),
      Num("tcp-backlog", nullptr, I, NT::kInt, 0, INT_MAX, 511),
      Num("cluster-port", nullptr, I, NT::kInt, 0, 65535, 0),
      Num("cluster-announce-bus-port", nullptr, M, NT::kInt, 0, 65535, 0),
      Num("cluster-announce-port", nullptr, M, NT::kInt, 0, 65535, 0),
      Num("cluster-announce-tls-port", nullptr, M, NT::kInt, 0, 65535, 0),
      Num("repl-timeout", nullptr, M, NT::kInt, 1, INT_MAX, 60),
      Num("repl-ping-replica-period", "repl-ping-slave-period", M, NT::kInt, 1, INT_MAX, 10),
      Num("list-compress-depth", nullptr, kDebug | M, NT::kInt, 0, INT_MAX, 0),
      Num("rdb-key-save-delay", nullptr, M | kHidden, NT::kInt, INT_MIN, INT_MAX, 0),
      Num("key-load-delay", nullptr, M | kHidden, NT::kInt, INT_MIN, INT_MAX, 0),
      Num("active-expire-effort", nullptr, M, NT::kInt, 1, 10, 1),
      Num("hz", nullptr, M, NT::kInt, 0, INT_MAX, 10),
      Num("min-replicas-to-write", "min-slaves-to-write", M, NT::kInt, 0, INT_MAX, 0),
      Num("min-replicas-max-lag", "min-slaves-max-lag", M, NT::kInt, 0, INT_MAX, 10),
      Num("watchdog-period", nullptr, M | kHidden, NT::kInt, 0, INT_MAX, 0),
      Num("shutdown-timeout", nullptr, M, NT::kInt, 0, INT_MAX, 10),
      Num("repl-diskless-sync-max-replicas", nullptr, M, NT::kInt, 0, INT_MAX, 0),

      // Unsigned int configs
      Num("maxclients", nullptr, M, NT::kUInt, 1, UINT_MAX, 10000),
      Num("unixsocketperm", nullptr, I, NT::kUInt, 0, 0777, 0, kNumOctal),
      Num("socket-mark-id", nullptr, I, NT::kUInt, 0, UINT_MAX, 0),

      // Unsigned long configs
      Num("active-defrag-max-scan-fields", nullptr, M, NT::kULong, 1, LONG_MAX, 1000),
      Num("slowlog-max-len", nullptr, M, NT::kULong, 0, LONG_MAX, 128),
      Num("acllog-max-len", nullptr, M, NT::kULong, 0, LONG_MAX, 128),

      // Long long configs
      Num("busy-reply-threshold", "lua-time-limit", M, NT::kLongLong, 0, LONG_MAX, 5000),
      Num("cluster-node-timeout", nullptr, M, NT::kLongLong, 0, LLONG_MAX, 15000),
      Num("slowlog-log-slower-than", nullptr, M, NT::kLongLong, -1, LLONG_MAX, 10000),
      Num("latency-monitor-threshold", nullptr, M, NT::kLongLong, 0, LLONG_MAX, 0),
      Num("proto-max-bulk-len", nullptr, kDebug | M, NT::kLongLong, kMb, LONG_MAX, 512 * kMb, kNumMemory),
      Num("stream-node-max-entries", nullptr, M, NT::kLongLong, 0, LLONG_MAX, 100),
      Num("repl-backlog-size", nullptr, M, NT::kLongLong, 1, LLONG_MAX, kMb, kNumMemory),

      // Unsigned long long configs
      Num("maxmemory", nullptr, M, NT::kULongLong, 0, kUllMax, 0, kNumMemory),
      Num("cluster-link-sendbuf-limit", nullptr, M, NT::kULongLong, 0, kUllMax, 0, kNumMemory),

      // Size_t configs
      Num("hash-max-listpack-entries", "hash-max-ziplist-entries", M, NT::kSizeT, 0, LONG_MAX, 512),
      Num("set-max-intset-entries", nullptr, M, NT::kSizeT, 0, LONG_MAX, 512),
      Num("zset-max-listpack-entries", "zset-max-ziplist-entries", M, NT::kSizeT, 0, LONG_MAX, 128),
      Num("active-defrag-ignore-bytes", nullptr, M, NT::kSizeT, 1, LLONG_MAX, 100 * kMb, kNumMemory),
      Num("hash-max-listpack-value", "hash-max-ziplist-value", M, NT::kSizeT, 0, LONG_MAX, 64, kNumMemory),
      Num("stream-node-max-bytes", nullptr, M, NT::kSizeT, 0, LONG_MAX, 4096, kNumMemory),
      Num("zset-max-listpack-value", "zset-max-ziplist-value", M, NT::kSizeT, 0, LONG_MAX, 64, kNumMemory),
      Num("hll-sparse-max-bytes", nullptr, M, NT::kSizeT, 0, LONG_MAX, 3000, kNumMemory),
      Num("tracking-table-max-keys", nullptr, M, NT::kSizeT, 0, LONG_MAX, 1000000),
      Num("client-query-buffer-limit", nullptr, kDebug | M, NT::kSizeT, kMb, LONG_MAX, 1024 * kMb, kNumMemory),
      Num("maxmemory-clients", nullptr, M, NT::kSSizeT, -100, LLONG_MAX, 0, kNumMemory | kNumPercent),

      // Other configs
      Num("repl-backlog-ttl", nullptr, M, NT::kTimeT, 0, LONG_MAX, 3600),
      Num("auto-aof-rewrite-min-size", nullptr, M, NT::kOffT, 0, LLONG_MAX, 64 * kMb, kNumMemory),
      Num("loading-process-events-interval-bytes", nullptr, M | kHidden, NT::kOffT, 1024, INT_MAX, 2 * kMb),

      // TLS configs (the reference build has TLS support)
      Num("tls-port", nullptr, M, NT::kInt, 0, 65535, 0),
      Num("tls-session-cache-size", nullptr, M, NT::kInt, 0, INT_MAX, 20 * 1024),
      Num("tls-session-cache-timeout", nullptr, M, NT::kInt, 0, INT_MAX, 300),
      Bool("tls-cluster", nullptr, M, false),
      Bool("tls-replication", nullptr, M, false),
      Enum("tls-auth-clients", nullptr, M, kTlsAuthClientsEnum, 1),
      Bool("tls-prefer-server-ciphers", nullptr, M, false),
      Bool("tls-session-caching", nullptr, M, true),
      Str("tls-cert-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-key-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-key-file-pass", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-client-cert-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-client-key-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-client-key-file-pass", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-dh-params-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-ca-cert-file", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-ca-cert-dir", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-protocols", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-ciphers", nullptr, M, kEmptyIsNull, nullptr),
      Str("tls-ciphersuites", nullptr, M, kEmptyIsNull, nullptr),

      // Special configs
      Spec("dir", nullptr, M | kProtected | kDenyLoading, Special::kDir),
      Spec("save", nullptr, M | kMultiArg, Special::kSave),
      Spec("client-output-buffer-limit", nullptr, M | kMultiArg, Special::kClientOutputBufferLimit),
      Spec("oom-score-adj-values", nullptr, M | kMultiArg, Special::kOomScoreAdjValues),
      Spec("notify-keyspace-events", nullptr, M, Special::kNotifyKeyspaceEvents),
      Spec("bind", nullptr, M | kMultiArg, Special::kBind),
      Spec("replicaof", "slaveof", I | kMultiArg, Special::kReplicaOf),
      Spec("latency-tracking-info-percentiles", nullptr, M | kMultiArg,
           Special::kLatencyTrackingInfoPercentiles),
  };
}

// ---------------------------------------------------------------------------
// Field bindings: directives whose value lives in a typed Config field.
// ---------------------------------------------------------------------------
template <class T>
constexpr FieldKind KindOf() {
  if constexpr (std::is_same_v<T, bool>) return FieldKind::kBool;
  else if constexpr (std::is_same_v<T, std::string>) return FieldKind::kString;
  else if constexpr (std::is_integral_v<T> && sizeof(T) == 4 && std::is_signed_v<T>) return FieldKind::kInt32;
  else if constexpr (std::is_integral_v<T> && sizeof(T) == 4) return FieldKind::kUInt32;
  else if constexpr (std::is_integral_v<T> && sizeof(T) == 8 && std::is_signed_v<T>) return FieldKind::kInt64;
  else if constexpr (std::is_integral_v<T> && sizeof(T) == 8) return FieldKind::kUInt64;
  else return FieldKind::kNone;
}

struct Binding {
  const char* name;
  void* ptr;
  FieldKind kind;
};

template <class T>
Binding B(const char* name, T* field) {
  return {name, field, KindOf<T>()};
}

bool KindFits(const ConfigDef& def, FieldKind kind) {
  switch (def.type) {
    case ConfigType::kBool: return kind == FieldKind::kBool;
    case ConfigType::kString: return kind == FieldKind::kString;
    case ConfigType::kEnum: return kind == FieldKind::kInt32;
    case ConfigType::kNumeric:
      return kind == FieldKind::kInt32 || kind == FieldKind::kUInt32 || kind == FieldKind::kInt64 ||
             kind == FieldKind::kUInt64;
    case ConfigType::kSpecial: return false;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public (module-internal) API.
// ---------------------------------------------------------------------------
const std::vector<ConfigDef>& ConfigTable() {
  static const std::vector<ConfigDef> table = BuildTable();
  return table;
}

bool IsActiveDirective(std::string_view canonical_name) {
  for (std::string_view n : kActiveDirectives) {
    if (n == canonical_name) return true;
  }
  return false;
}

bool IsIgnoredDeprecatedDirective(std::string_view lower_name, size_t argc) {
  if (argc != 2) return false;
  for (std::string_view n : kIgnoredDeprecated) {
    if (n == lower_name) return true;
  }
  return false;
}

void BindSlots(Config* c, std::vector<Slot>* slots) {
  const Binding bindings[] = {
      B("port", &c->port),
      B("unixsocket", &c->unixsocket),
      B("unixsocketperm", &c->unixsocketperm),
      B("tcp-backlog", &c->tcp_backlog),
      B("tcp-keepalive", &c->tcp_keepalive),
      B("timeout", &c->timeout),
      B("protected-mode", &c->protected_mode),
      B("maxclients", &c->maxclients),
      B("daemonize", &c->daemonize),
      B("pidfile", &c->pidfile),
      B("loglevel", &c->loglevel),
      B("logfile", &c->logfile),
      B("syslog-enabled", &c->syslog_enabled),
      B("syslog-ident", &c->syslog_ident),
      B("syslog-facility", &c->syslog_facility),
      B("always-show-logo", &c->always_show_logo),
      B("databases", &c->databases),
      B("hz", &c->hz),
      B("lfu-log-factor", &c->lfu_log_factor),
      B("lfu-decay-time", &c->lfu_decay_time),
      B("dynamic-hz", &c->dynamic_hz),
      B("requirepass", &c->requirepass),
      B("proto-max-bulk-len", &c->proto_max_bulk_len),
      B("client-query-buffer-limit", &c->client_query_buffer_limit),
      B("maxmemory", &c->maxmemory),
      B("maxmemory-policy", &c->maxmemory_policy),
      B("maxmemory-samples", &c->maxmemory_samples),
      B("maxmemory-clients", &c->maxmemory_clients),
      B("maxmemory-eviction-tenacity", &c->maxmemory_eviction_tenacity),
      B("replica-ignore-maxmemory", &c->replica_ignore_maxmemory),
      B("slowlog-log-slower-than", &c->slowlog_log_slower_than),
      B("slowlog-max-len", &c->slowlog_max_len),
      B("latency-monitor-threshold", &c->latency_monitor_threshold),
      B("latency-tracking", &c->latency_tracking),
      B("active-expire-effort", &c->active_expire_effort),
      B("lazyfree-lazy-user-del", &c->lazyfree_lazy_user_del),
      B("lazyfree-lazy-user-flush", &c->lazyfree_lazy_user_flush),
      B("lazyfree-lazy-expire", &c->lazyfree_lazy_expire),
      B("lazyfree-lazy-server-del", &c->lazyfree_lazy_server_del),
      B("lazyfree-lazy-eviction", &c->lazyfree_lazy_eviction),
      B("enable-debug-command", &c->enable_debug_command),
      B("enable-protected-configs", &c->enable_protected_configs),
      B("enable-module-command", &c->enable_module_command),
      B("crash-log-enabled", &c->crash_log_enabled),
      B("proc-title-template", &c->proc_title_template),
      B("oom-score-adj", &c->oom_score_adj),
      B("set-proc-title", &c->set_proc_title),
      B("io-threads", &c->io_threads),
      B("busy-reply-threshold", &c->busy_reply_threshold),
      B("shutdown-on-sigint", &c->shutdown_on_sigint),
      B("shutdown-on-sigterm", &c->shutdown_on_sigterm),
      B("shutdown-timeout", &c->shutdown_timeout),
      B("dbfilename", &c->dbfilename),
      B("rdbcompression", &c->rdbcompression),
      B("rdbchecksum", &c->rdbchecksum),
      B("rdb-del-sync-files", &c->rdb_del_sync_files),
      B("rdb-save-incremental-fsync", &c->rdb_save_incremental_fsync),
      B("stop-writes-on-bgsave-error", &c->stop_writes_on_bgsave_error),
      B("rdb-key-save-delay", &c->rdb_key_save_delay),
      B("key-load-delay", &c->key_load_delay),
      B("loading-process-events-interval-bytes", &c->loading_process_events_interval_bytes),
      B("sanitize-dump-payload", &c->sanitize_dump_payload),
      B("appendonly", &c->appendonly),
      B("appendfsync", &c->appendfsync),
      B("appendfilename", &c->appendfilename),
      B("appenddirname", &c->appenddirname),
      B("aof-use-rdb-preamble", &c->aof_use_rdb_preamble),
      B("aof-timestamp-enabled", &c->aof_timestamp_enabled),
      B("aof-load-truncated", &c->aof_load_truncated),
      B("aof-rewrite-incremental-fsync", &c->aof_rewrite_incremental_fsync),
      B("no-appendfsync-on-rewrite", &c->no_appendfsync_on_rewrite),
      B("aof-disable-auto-gc", &c->aof_disable_auto_gc),
      B("auto-aof-rewrite-percentage", &c->auto_aof_rewrite_percentage),
      B("auto-aof-rewrite-min-size", &c->auto_aof_rewrite_min_size),
      B("masterauth", &c->masterauth),
      B("masteruser", &c->masteruser),
      B("replica-read-only", &c->replica_read_only),
      B("replica-serve-stale-data", &c->replica_serve_stale_data),
      B("replica-lazy-flush", &c->replica_lazy_flush),
      B("replica-announced", &c->replica_announced),
      B("replica-priority", &c->replica_priority),
      B("replica-announce-ip", &c->replica_announce_ip),
      B("replica-announce-port", &c->replica_announce_port),
      B("repl-diskless-sync", &c->repl_diskless_sync),
      B("repl-diskless-sync-delay", &c->repl_diskless_sync_delay),
      B("repl-diskless-sync-max-replicas", &c->repl_diskless_sync_max_replicas),
      B("repl-diskless-load", &c->repl_diskless_load),
      B("repl-disable-tcp-nodelay", &c->repl_disable_tcp_nodelay),
      B("repl-backlog-size", &c->repl_backlog_size),
      B("repl-backlog-ttl", &c->repl_backlog_ttl),
      B("repl-timeout", &c->repl_timeout),
      B("repl-ping-replica-period", &c->repl_ping_replica_period),
      B("min-replicas-to-write", &c->min_replicas_to_write),
      B("min-replicas-max-lag", &c->min_replicas_max_lag),
      B("cluster-enabled", &c->cluster_enabled),
      B("cluster-config-file", &c->cluster_config_file),
      B("cluster-node-timeout", &c->cluster_node_timeout),
      B("cluster-port", &c->cluster_port),
      B("cluster-announce-ip", &c->cluster_announce_ip),
      B("cluster-announce-port", &c->cluster_announce_port),
      B("cluster-announce-bus-port", &c->cluster_announce_bus_port),
      B("cluster-announce-hostname", &c->cluster_announce_hostname),
      B("cluster-preferred-endpoint-type", &c->cluster_preferred_endpoint_type),
      B("cluster-replica-validity-factor", &c->cluster_replica_validity_factor),
      B("cluster-migration-barrier", &c->cluster_migration_barrier),
      B("cluster-allow-replica-migration", &c->cluster_allow_replica_migration),
      B("cluster-require-full-coverage", &c->cluster_require_full_coverage),
      B("cluster-replica-no-failover", &c->cluster_replica_no_failover),
      B("cluster-allow-reads-when-down", &c->cluster_allow_reads_when_down),
      B("cluster-allow-pubsubshard-when-down", &c->cluster_allow_pubsubshard_when_down),
      B("cluster-link-sendbuf-limit", &c->cluster_link_sendbuf_limit),
      B("bind-source-addr", &c->bind_source_addr),
      B("aclfile", &c->aclfile),
      B("acllog-max-len", &c->acllog_max_len),
      B("hash-max-listpack-entries", &c->hash_max_listpack_entries),
      B("hash-max-listpack-value", &c->hash_max_listpack_value),
      B("set-max-intset-entries", &c->set_max_intset_entries),
      B("zset-max-listpack-entries", &c->zset_max_listpack_entries),
      B("zset-max-listpack-value", &c->zset_max_listpack_value),
      B("list-max-listpack-size", &c->list_max_listpack_size),
      B("list-compress-depth", &c->list_compress_depth),
      B("stream-node-max-bytes", &c->stream_node_max_bytes),
      B("stream-node-max-entries", &c->stream_node_max_entries),
      B("hll-sparse-max-bytes", &c->hll_sparse_max_bytes),
      B("tracking-table-max-keys", &c->tracking_table_max_keys),
  };
  for (Slot& s : *slots) {
    s.field = nullptr;
    s.kind = FieldKind::kNone;
    for (const Binding& b : bindings) {
      if (std::string_view(b.name) == s.def->name && KindFits(*s.def, b.kind)) {
        s.field = b.ptr;
        s.kind = b.kind;
        break;
      }
    }
    if (s.field != nullptr) continue;
    // Own storage for everything else.
    switch (s.def->type) {
      case ConfigType::kBool:
        s.field = &s.own_bool;
        s.kind = FieldKind::kBool;
        break;
      case ConfigType::kString:
        s.field = &s.own_str;
        s.kind = FieldKind::kString;
        break;
      case ConfigType::kEnum:
        s.field = &s.own_int;
        s.kind = FieldKind::kInt32;
        break;
      case ConfigType::kNumeric:
        s.field = &s.own_ll;
        s.kind = FieldKind::kInt64;
        break;
      case ConfigType::kSpecial:
        break;
    }
  }
}

}  // namespace vireo::server::config_internal
