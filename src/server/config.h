// Server configuration: the redis.conf grammar, every Redis 7.0 directive,
// CONFIG GET / SET / REWRITE semantics.
//
// CONTRACT (owned by the config module; the rest of the server reads the
// typed fields of Config directly and registers change hooks):
//  - Every directive of Redis 7.0.15's redis.conf (and its deprecated aliases,
//    e.g. slaveof -> replicaof, slave-read-only -> replica-read-only) is known.
//  - A directive whose feature does not exist yet in Vireo is accepted and
//    stored (CONFIG GET shows it) but InactiveUsed() names it so the server
//    can log one warning at startup: never a silent ignore.
//  - Unknown or malformed directives make Load() fail with Redis's exact
//    "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***" report.
//
// The directive table (names, aliases, types, bounds, defaults, flags) and
// the list of directives that are active in Vireo today live in
// config_table.cc. The fields of Config below are the live storage of the
// directives bound to them (CONFIG GET reads them, CONFIG SET writes them);
// every other directive is stored inside the ConfigManager.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vireo::server {

// Values of enum-typed fields (same numbering as Redis's server.h).
enum ConfigLogLevel : int { kLogDebug = 0, kLogVerbose = 1, kLogNotice = 2, kLogWarning = 3 };
enum MaxmemoryPolicy : int {
  kMaxmemoryNoEviction = 0,
  kMaxmemoryVolatileLru,
  kMaxmemoryVolatileLfu,
  kMaxmemoryVolatileRandom,
  kMaxmemoryVolatileTtl,
  kMaxmemoryAllkeysLru,
  kMaxmemoryAllkeysLfu,
  kMaxmemoryAllkeysRandom,
};
// enable-debug-command / enable-protected-configs / enable-module-command.
enum ProtectedAction : int { kProtectedNo = 0, kProtectedYes = 1, kProtectedLocal = 2 };
enum OomScoreAdjMode : int { kOomScoreAdjNo = 0, kOomScoreRelative = 1, kOomScoreAbsolute = 2 };
enum AppendFsync : int { kAofFsyncNo = 0, kAofFsyncAlways = 1, kAofFsyncEverysec = 2 };
// shutdown-on-sigint / shutdown-on-sigterm bit flags (0 = "default").
enum ShutdownFlag : int { kShutdownSave = 1, kShutdownNoSave = 2, kShutdownNow = 4, kShutdownForce = 8 };
// notify-keyspace-events bit flags (Redis's NOTIFY_*).
enum NotifyFlag : int {
  kNotifyKeyspace = 1 << 0,   // K
  kNotifyKeyevent = 1 << 1,   // E
  kNotifyGeneric = 1 << 2,    // g
  kNotifyString = 1 << 3,     // $
  kNotifyList = 1 << 4,       // l
  kNotifySet = 1 << 5,        // s
  kNotifyHash = 1 << 6,       // h
  kNotifyZset = 1 << 7,       // z
  kNotifyExpired = 1 << 8,    // x
  kNotifyEvicted = 1 << 9,    // e
  kNotifyStream = 1 << 10,    // t
  kNotifyKeyMiss = 1 << 11,   // m (not part of 'A')
  kNotifyLoaded = 1 << 12,    // module only
  kNotifyModule = 1 << 13,    // d
  kNotifyNew = 1 << 14,       // n (not part of 'A')
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Typed values of the directives the server uses. Field names follow the
// directive names (dashes -> underscores). The config module keeps the
// string view of every other directive itself. The initializers equal the
// Redis defaults; ConfigManager re-applies the table defaults anyway.
struct Config {
  // network
  std::vector<std::string> bind{"*", "-::*"};  // empty = listen on no TCP address
  int port = 6379;
  std::string unixsocket;  // "" = none
  int unixsocketperm = 0;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;
  int timeout = 0;
  bool protected_mode = true;
  int maxclients = 10000;  // Redis: unsigned int, 1..UINT_MAX
  // general
  bool daemonize = false;
  std::string pidfile;
  int loglevel = kLogNotice;
  std::string logfile;
  bool syslog_enabled = false;
  std::string syslog_ident = "redis";
  int syslog_facility = 16 << 3;  // LOG_LOCAL0
  bool always_show_logo = false;
  int databases = 16;
  int hz = 10;  // clamped to 1..500 like Redis's config_hz
  bool dynamic_hz = true;
  std::string dir;  // current working directory (CONFIG GET dir answers getcwd)
  std::string requirepass;  // "" = none
  // limits
  long long proto_max_bulk_len = 512ll * 1024 * 1024;
  long long client_query_buffer_limit = 1024ll * 1024 * 1024;
  struct ClientOutputBufferLimit {
    unsigned long long hard = 0, soft = 0;
    long long soft_seconds = 0;
  };
  ClientOutputBufferLimit cobl_normal{0, 0, 0};
  ClientOutputBufferLimit cobl_replica{256ull << 20, 64ull << 20, 60};
  ClientOutputBufferLimit cobl_pubsub{32ull << 20, 8ull << 20, 60};
  unsigned long long maxmemory = 0;
  int maxmemory_policy = kMaxmemoryNoEviction;
  int maxmemory_samples = 5;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  long long maxmemory_clients = 0;  // < 0: percentage of maxmemory (-10 = 10%)
  int maxmemory_eviction_tenacity = 10;
  bool replica_ignore_maxmemory = true;
  // slowlog / latency
  long long slowlog_log_slower_than = 10000;
  unsigned long slowlog_max_len = 128;
  long long latency_monitor_threshold = 0;
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles{50.0, 99.0, 99.9};
  // expiry
  int active_expire_effort = 1;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_eviction = false;
  // debug
  int enable_debug_command = kProtectedNo;
  int enable_protected_configs = kProtectedNo;
  int enable_module_command = kProtectedNo;
  // misc
  bool crash_log_enabled = true;
  std::string proc_title_template = "{title} {listen-addr} {server-mode}";
  int oom_score_adj = kOomScoreAdjNo;
  std::array<int, 3> oom_score_adj_values{0, 200, 800};  // master, replica, bgchild
  bool set_proc_title = true;
  int io_threads = 1;
  long long busy_reply_threshold = 5000;  // lua-time-limit
  int notify_keyspace_events = 0;         // NotifyFlag bits
  int shutdown_on_sigint = 0;             // ShutdownFlag bits
  int shutdown_on_sigterm = 0;
  int shutdown_timeout = 10;
  // persistence (server/snapshot.cc) and replication (typed for later)
  struct SaveParam {
    long long seconds = 0;
    int changes = 0;
  };
  std::vector<SaveParam> save_params{{3600, 1}, {300, 100}, {60, 10000}};
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool rdb_del_sync_files = false;
  bool rdb_save_incremental_fsync = true;
  bool stop_writes_on_bgsave_error = true;
  int rdb_key_save_delay = 0;    // us per key (tests)
  int key_load_delay = 0;        // us per key (tests)
  long long loading_process_events_interval_bytes = 2 * 1024 * 1024;
  int sanitize_dump_payload = 0;  // 0 no, 1 yes, 2 clients
  bool appendonly = false;
  int appendfsync = kAofFsyncEverysec;
  // The AOF (server/aof.cc).
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_load_truncated = true;
  bool aof_rewrite_incremental_fsync = true;
  bool no_appendfsync_on_rewrite = false;
  bool aof_disable_auto_gc = false;
  int auto_aof_rewrite_percentage = 100;
  long long auto_aof_rewrite_min_size = 64ll * 1024 * 1024;
  std::string masterhost;  // "" = not a replica (replicaof)
  int masterport = 0;
  std::string masterauth;
  std::string masteruser;
  bool replica_read_only = true;
  // Replication (src/replication/).
  bool replica_serve_stale_data = true;
  bool replica_lazy_flush = false;
  bool replica_announced = true;
  int replica_priority = 100;
  std::string replica_announce_ip;
  int replica_announce_port = 0;
  bool repl_diskless_sync = true;
  int repl_diskless_sync_delay = 5;
  int repl_diskless_sync_max_replicas = 0;
  int repl_diskless_load = 0;  // 0 disabled, 1 on-empty-db, 2 swapdb
  bool repl_disable_tcp_nodelay = false;
  long long repl_backlog_size = 1024 * 1024;
  long long repl_backlog_ttl = 3600;
  int repl_timeout = 60;
  int repl_ping_replica_period = 10;
  int min_replicas_to_write = 0;
  int min_replicas_max_lag = 10;
  bool cluster_enabled = false;
  // Redis Cluster (src/cluster/); empty strings are Redis's NULL.
  std::string cluster_config_file = "nodes.conf";
  long long cluster_node_timeout = 15000;
  int cluster_port = 0;
  std::string cluster_announce_ip;
  int cluster_announce_port = 0;
  int cluster_announce_bus_port = 0;
  std::string cluster_announce_hostname;
  int cluster_preferred_endpoint_type = 0;  // 0 ip, 1 hostname, 2 unknown-endpoint
  int cluster_replica_validity_factor = 10;
  int cluster_migration_barrier = 1;
  bool cluster_allow_replica_migration = true;
  bool cluster_require_full_coverage = true;
  bool cluster_replica_no_failover = false;
  bool cluster_allow_reads_when_down = false;
  bool cluster_allow_pubsubshard_when_down = true;
  unsigned long long cluster_link_sendbuf_limit = 0;
  std::string bind_source_addr;
  // ACL
  std::string aclfile;
  unsigned long acllog_max_len = 128;
  // encodings (used by later data types; kept typed now)
  long long hash_max_listpack_entries = 512, hash_max_listpack_value = 64;
  long long set_max_intset_entries = 512;
  long long zset_max_listpack_entries = 128, zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  long long stream_node_max_bytes = 4096, stream_node_max_entries = 100;
  long long hll_sparse_max_bytes = 3000;
  long long tracking_table_max_keys = 1000000;
};

class ConfigManager {
 public:
  ConfigManager();
  ~ConfigManager();
  ConfigManager(const ConfigManager&) = delete;
  ConfigManager& operator=(const ConfigManager&) = delete;

  // Builds the config text exactly as redis-server does from its command
  // line: optional config file path (or "-" for stdin) and "--name value ..."
  // options appended as lines. Sets *config_file (absolute path) when a file
  // was given (and remembers it for Rewrite()). Returns false with *err set
  // when the file cannot be read; *err is then Redis's log message
  // ("Fatal error, can't open config file '/abs/x.conf': No such file or
  // directory"), which redis-server logs at WARNING level before exit(1).
  // -v/--version/-h/--help/--test-memory are handled by main before this.
  bool BuildFromArgs(int argc, char** argv, std::string* text, std::string* config_file,
                     std::string* err);

  // Parses and applies a full config text (file contents + appended options).
  // On failure *fatal_report holds Redis's exact multi-line report
  // ("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line N\n>>> '...'\nreason\n"),
  // which redis-server prints raw to stderr before exit(1). Exception: an
  // `include` whose file cannot be opened makes Redis *log* a message
  // instead; then last_load_error_kind() is kLogMessage and *fatal_report
  // holds just that message (no framing, no newline).
  bool Load(std::string_view text, std::string* fatal_report);

  enum class LoadErrorKind { kNone, kFatalReport, kLogMessage };
  LoadErrorKind last_load_error_kind() const;

  // Directives present in the loaded text whose feature is not active yet
  // (canonical names, deduplicated, in first-seen order). Table directives
  // are listed only when the loaded value differs from the default; the
  // non-table directives loadmodule, sentinel, module configs ("x.y") and
  // rename-command / user (until a handler is installed) always are.
  const std::vector<std::string>& InactiveUsed() const;

  // CONFIG GET: every (name, value) matching any of the glob patterns, each
  // config once, names as Redis prints them (an exact name is echoed as
  // typed; a pattern returns the matching table names, aliases included,
  // hidden configs excluded).
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;

  // CONFIG SET name value [name value ...]: all-or-nothing as Redis 7.0
  // (validate all, apply all, run hooks, roll back on hook failure).
  // On error returns false and *err holds the full error line without the
  // leading '-', e.g. "ERR CONFIG SET failed (possibly related to argument 'port') - ...".
  // The arity check (odd argument count -> "syntax error") is the command's.
  // This overload treats the client as non-local for protected configs.
  bool Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
           std::string* err);
  // Same; `client_is_local` (loopback or unix socket client) allows the
  // protected configs (dir, dbfilename) when enable-protected-configs is
  // "local".
  bool Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
           std::string* err, bool client_is_local);

  // CONFIG REWRITE: rewrite the loaded file in place as Redis does (keeps
  // comments and unknown lines, updates changed directives, appends new
  // ones after "# Generated by CONFIG REWRITE"). Errors as Redis.
  bool Rewrite(std::string* err) { return Rewrite(err, false); }
  // proc-title-template expanded with `title` for {title} (Redis's
  // expandProcTitleTemplate); nullopt for an invalid template.
  std::optional<std::string> ExpandProcTitle(std::string_view title) const;
  // force_all (DEBUG CONFIG-REWRITE-FORCE-ALL): every directive is written,
  // defaults included. On an I/O error *err is "ERR Rewriting config file:
  // <strerror>" and *errno_out (when given) the errno.
  bool Rewrite(std::string* err, bool force_all, int* errno_out = nullptr);

  // Hook run after a directive changed through CONFIG SET (not at Load, like
  // Redis's apply functions). Returning false with *err makes CONFIG SET
  // fail and roll back. A hook runs only when the value actually changed.
  using Hook = std::function<bool(std::string* err)>;
  void OnChange(std::string_view name, Hook hook);
  // One hook shared by several directives: it runs once per CONFIG SET even
  // when several of them change (Redis dedups apply functions the same way).
  void OnChange(std::initializer_list<std::string_view> names, Hook hook);

  // rename-command at load: called for each `rename-command <from> <to>`
  // line; returns false with *err set to Redis's reason ("No such command
  // in rename-command", "Target command name already exists"). Until a
  // handler is installed the lines are only recorded.
  using RenameCommandHandler =
      std::function<bool(std::string_view from, std::string_view to, std::string* err)>;
  void SetRenameCommandHandler(RenameCommandHandler handler);
  // `user <name> <rules...>` at load: `args` excludes the word "user".
  // Returns false with *err set to the full reason ("Error in user
  // declaration 'x': Syntax error"). Until installed, lines are recorded.
  using UserHandler = std::function<bool(const std::vector<std::string>& args, std::string* err)>;
  void SetUserHandler(UserHandler handler);
  // CONFIG REWRITE's "user" lines ("user default on nopass ~* &* +@all", in
  // user-name order). Until installed, Vireo writes the default user Redis
  // would describe (password from requirepass) plus the recorded `user`
  // lines verbatim.
  using UserLinesProvider = std::function<std::vector<std::string>()>;
  void SetUserLinesProvider(UserLinesProvider provider);

  // Sentinel mode (installed before Load): `sentinel <args>` lines go to
  // `queue` (Redis's queueSentinelConfig; args exclude the word
  // "sentinel"), and CONFIG REWRITE asks `rewrite` for the sentinel lines
  // (Redis's rewriteConfigSentinelOption), indexed by "sentinel <subname>".
  // In this mode `save` lines are not rewritten either.
  struct SentinelHooks {
    std::function<void(std::vector<std::string> args, int linenum, const std::string& line)> queue;
    std::function<void(const std::function<void(std::string_view option, std::string line, bool force)>& rewrite,
                       const std::function<void(std::string_view option)>& mark)>
        rewrite;
  };
  void SetSentinelHooks(SentinelHooks hooks);
  bool sentinel_mode() const;

  // Directives that are not configs, as recorded by the last Load().
  struct RenamedCommand {
    std::string from, to;
  };
  const std::vector<RenamedCommand>& renamed_commands() const;
  const std::vector<std::vector<std::string>>& user_directives() const;        // args after "user"
  const std::vector<std::vector<std::string>>& loadmodule_directives() const;  // path + args
  // Module configs ("module.name value") waiting for their module. Redis
  // aborts startup when any is left ("Module Configuration detected without
  // loadmodule directive or no ApplyConfig call: aborting").
  const std::vector<std::pair<std::string, std::string>>& module_configs() const;

  // Facts about a directive (name or alias, any case).
  bool Exists(std::string_view name) const;
  bool IsActive(std::string_view name) const;
  bool IsSensitive(std::string_view name) const;  // CONFIG SET redacts its value

  // While true, CONFIG SET of a DENY_LOADING directive (dir, appendonly,
  // repl-diskless-load) fails with "LOADING Redis is loading the dataset in
  // memory".
  void set_loading(bool loading);

  void SetConfigFilePath(std::string path);

  Config& cfg() { return cfg_; }
  const Config& cfg() const { return cfg_; }
  const std::string& config_file() const { return config_file_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Config cfg_;
  std::string config_file_;
};

}  // namespace vireo::server
