// INFO (Redis server.c genRedisInfoString): every section and field of
// Redis 7.0.15, in its order and format, with values from Vireo's state.
//
// Features Vireo does not have yet (AOF, replication, scripting, defrag)
// report what they truly are here: idle, zero, never run — the same values
// a fresh Redis with them disabled shows. The RDB fields come from
// server/snapshot.cc. `vireo_version` follows `redis_version` in # Server.
#include "commands/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <set>
#include <string>

#include "base/hash.h"
#include "base/memory.h"
#include "cluster/cluster.h"
#include "commands/client_cmd.h"
#include "commands/common.h"
#include "commands/sentinel_cmd.h"
#include "commands/registry.h"
#include "engine/lazyfree.h"
#include "server/client_admin.h"
#include "server/latency_histogram.h"
#include "vireo/version.h"

#ifdef VIREO_HAVE_JEMALLOC
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
#endif

namespace vireo::commands {
namespace {

size_t g_startup_memory = 0;

// Redis's bytesToHuman.
std::string Human(unsigned long long n) {
  char s[64];
  double d;
  if (n < 1024) {
    snprintf(s, sizeof(s), "%lluB", n);
  } else if (n < 1024ull * 1024) {
    d = static_cast<double>(n) / 1024;
    snprintf(s, sizeof(s), "%.2fK", d);
  } else if (n < 1024ull * 1024 * 1024) {
    d = static_cast<double>(n) / (1024 * 1024);
    snprintf(s, sizeof(s), "%.2fM", d);
  } else if (n < 1024ull * 1024 * 1024 * 1024) {
    d = static_cast<double>(n) / (1024ull * 1024 * 1024);
    snprintf(s, sizeof(s), "%.2fG", d);
  } else if (n < 1024ull * 1024 * 1024 * 1024 * 1024) {
    d = static_cast<double>(n) / (1024ull * 1024 * 1024 * 1024);
    snprintf(s, sizeof(s), "%.2fT", d);
  } else if (n < 1024ull * 1024 * 1024 * 1024 * 1024 * 1024) {
    d = static_cast<double>(n) / (1024ull * 1024 * 1024 * 1024 * 1024);
    snprintf(s, sizeof(s), "%.2fP", d);
  } else {
    snprintf(s, sizeof(s), "%lluB", n);
  }
  return s;
}

const char* PolicyName(int p) {
  switch (p) {
    case server::kMaxmemoryVolatileLru: return "volatile-lru";
    case server::kMaxmemoryVolatileLfu: return "volatile-lfu";
    case server::kMaxmemoryVolatileRandom: return "volatile-random";
    case server::kMaxmemoryVolatileTtl: return "volatile-ttl";
    case server::kMaxmemoryAllkeysLru: return "allkeys-lru";
    case server::kMaxmemoryAllkeysLfu: return "allkeys-lfu";
    case server::kMaxmemoryAllkeysRandom: return "allkeys-random";
    default: return "noeviction";
  }
}

std::string ConfigValue(std::string_view name) {
  auto v = g_server->config.Get({name});
  return v.empty() ? std::string() : v[0].second;
}

// A build id stable for one binary (Redis hashes its build environment).
const char* BuildId() {
  static char id[17];
  if (!id[0]) {
    const char* src = VIREO_VERSION " " __DATE__ " " __TIME__;
    uint64_t h = 1469598103934665603ull;
    for (const char* p = src; *p; p++) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
    snprintf(id, sizeof(id), "%016llx", static_cast<unsigned long long>(h));
  }
  return id;
}

std::string AbsoluteExecutable() {
  const std::string& exe = g_server->executable;
  if (exe.empty() || exe[0] == '/') return exe;
  char cwd[4096];
  if (!getcwd(cwd, sizeof(cwd))) return exe;
  std::string rel = exe;
  std::string dir = cwd;
  // Redis's getAbsolutePath: fold leading "./" and "../".
  for (;;) {
    if (rel.rfind("./", 0) == 0) {
      rel.erase(0, 2);
    } else if (rel.rfind("../", 0) == 0) {
      rel.erase(0, 3);
      size_t slash = dir.rfind('/');
      dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
    } else {
      break;
    }
  }
  if (dir.empty() || dir.back() != '/') dir.push_back('/');
  return dir + rel;
}

struct AllocatorStats {
  size_t allocated = 0, active = 0, resident = 0;
};

AllocatorStats GetAllocatorStats(size_t used, size_t rss) {
  AllocatorStats st;
#ifdef VIREO_HAVE_JEMALLOC
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
  sz = sizeof(size_t);
  mallctl("stats.allocated", &st.allocated, &sz, nullptr, 0);
  sz = sizeof(size_t);
  mallctl("stats.active", &st.active, &sz, nullptr, 0);
  sz = sizeof(size_t);
  mallctl("stats.resident", &st.resident, &sz, nullptr, 0);
#endif
  // Why: like Redis's cron, fake what the allocator does not report so the
  // fragmentation ratios still mean something.
  if (!st.resident) st.resident = rss;
  if (!st.active) st.active = st.resident;
  if (!st.allocated) st.allocated = used;
  return st;
}

double Ratio(size_t a, size_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0; }

long long Instantaneous(const server::Stats::Metric& m) {
  uint64_t sum = 0;
  for (uint64_t v : m.samples) sum += v;
  return static_cast<long long>(sum / server::Stats::kSamples);
}

void AddRusage(std::string* s, const char* name, const timeval& tv) {
  base::AppendPrintf(s, "%s:%ld.%06ld\r\n", name, static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

void CommandStats(std::string* s, const std::vector<server::Command*>& cmds) {
  for (const server::Command* cmd : cmds) {
    if (cmd->calls || cmd->failed_calls || cmd->rejected_calls) {
      double per = cmd->calls ? static_cast<double>(static_cast<float>(cmd->usec) /
                                                    static_cast<float>(cmd->calls))
                              : 0.0;
      base::AppendPrintf(s,
          "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
          "failed_calls=%llu\r\n",
          cmd->name.c_str(), static_cast<unsigned long long>(cmd->calls),
          static_cast<unsigned long long>(cmd->usec), per,
          static_cast<unsigned long long>(cmd->rejected_calls),
          static_cast<unsigned long long>(cmd->failed_calls));
    }
    if (!cmd->subcommands.empty()) CommandStats(s, cmd->subcommands);
  }
}

// Redis's fillPercentileDistributionLatencies for every command (and
// subcommand) that has a latency histogram.
void LatencyStats(std::string* s, const std::vector<server::Command*>& cmds,
                  const std::vector<double>& percentiles) {
  for (const server::Command* cmd : cmds) {
    if (const LatencyHistogram* h = FindCommandLatencyHistogram(cmd)) {
      base::AppendPrintf(s, "latency_percentiles_usec_%s:", cmd->name.c_str());
      for (size_t j = 0; j < percentiles.size(); j++) {
        // Why: Redis prints the percentile with "%f" and trims trailing
        // zeros and the dot (trimDoubleString): p50, p99.9.
        char pbuf[64];
        snprintf(pbuf, sizeof(pbuf), "%f", percentiles[j]);
        std::string p = pbuf;
        if (p.find('.') != std::string::npos) {
          while (!p.empty() && p.back() == '0') p.pop_back();
          if (!p.empty() && p.back() == '.') p.pop_back();
        }
        base::AppendPrintf(s, "p%s=%.3f", p.c_str(),
            static_cast<double>(h->ValueAtPercentile(percentiles[j])) / 1000.0);
        if (j + 1 != percentiles.size()) s->push_back(',');
      }
      *s += "\r\n";
    }
    if (!cmd->subcommands.empty()) LatencyStats(s, cmd->subcommands, percentiles);
  }
}

}  // namespace


std::string GenInfoString(const std::vector<std::string_view>& args) {
  static const char* const kDefault[] = {"server", "clients", "memory", "persistence",
                                         "stats", "replication", "cpu", "module_list",
                                         "errorstats", "cluster", "keyspace"};
  std::set<std::string> want;
  bool all = false;
  if (args.empty()) {
    for (const char* d : kDefault) want.insert(d);
  }
  for (std::string_view a : args) {
    if (EqNoCase(a, "default")) {
      for (const char* d : kDefault) want.insert(d);
    } else if (EqNoCase(a, "all") || EqNoCase(a, "everything")) {
      // "everything" adds module-generated sections; there are none.
      all = true;
    } else {
      std::string sec(a);
      for (char& ch : sec) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
      want.insert(std::move(sec));
    }
  }
  auto on = [&](const char* name) { return all || want.count(name) > 0; };

  server::Server& srv = *g_server;
  const server::Config& cfg = srv.cfg();
  std::string s;
  int sections = 0;
  auto header = [&](const char* title) {
    if (sections++) s += "\r\n";
    s += "# ";
    s += title;
    s += "\r\n";
  };

  if (on("server")) {
    header("Server");
    utsname name;
    if (uname(&name) != 0) {
      snprintf(name.sysname, sizeof(name.sysname), "?");
      name.release[0] = name.machine[0] = '\0';
    }
    int64_t uptime = (srv.now_ms() - srv.start_time_ms) / 1000;
    std::string supervised = ConfigValue("supervised");
    if (supervised != "upstart" && supervised != "systemd") supervised = "no";
    base::AppendPrintf(&s,
        "redis_version:%s\r\n"
        "vireo_version:%s\r\n"
        "redis_git_sha1:%s\r\n"
        "redis_git_dirty:%d\r\n"
        "redis_build_id:%s\r\n"
        "redis_mode:%s\r\n"
        "os:%s %s %s\r\n"
        "arch_bits:%d\r\n"
        "monotonic_clock:%s\r\n"
        "multiplexing_api:%s\r\n"
        "atomicvar_api:%s\r\n"
        "gcc_version:%d.%d.%d\r\n"
        "process_id:%lld\r\n"
        "process_supervised:%s\r\n"
        "run_id:%s\r\n"
        "tcp_port:%d\r\n"
        "server_time_usec:%lld\r\n"
        "uptime_in_seconds:%lld\r\n"
        "uptime_in_days:%lld\r\n"
        "hz:%d\r\n"
        "configured_hz:%d\r\n"
        "lru_clock:%u\r\n"
        "executable:%s\r\n"
        "config_file:%s\r\n"
        "io_threads_active:%d\r\n",
        VIREO_REDIS_VERSION, VIREO_VERSION, "00000000", 0, BuildId(), srv.sentinel_mode ? "sentinel" : cfg.cluster_enabled ? "cluster" : "standalone", name.sysname,
        name.release, name.machine, static_cast<int>(sizeof(long) * 8), "POSIX clock_gettime",
        "epoll", "c11-builtin",
#ifdef __GNUC__
        __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
        0, 0, 0,
#endif
        static_cast<long long>(getpid()), supervised.c_str(), srv.run_id, srv.tcp_port,
        static_cast<long long>(srv.now_us()), static_cast<long long>(uptime),
        static_cast<long long>(uptime / 86400), srv.hz, cfg.hz, srv.keyspace().options().lru_clock(),
        AbsoluteExecutable().c_str(), srv.config.config_file().c_str(), 0);
  }

  if (on("clients")) {
    header("Clients");
    size_t max_in = 0, max_out = 0;
    for (Client* cl = srv.clients_head(); cl; cl = cl->next) {
      max_in = std::max(max_in, cl->qbuf_cap());
      max_out = std::max(max_out, cl->out().allocated());
    }
    base::AppendPrintf(&s,
        "connected_clients:%zu\r\n"
        "cluster_connections:%d\r\n"
        "maxclients:%d\r\n"
        "client_recent_max_input_buffer:%zu\r\n"
        "client_recent_max_output_buffer:%zu\r\n"
        "blocked_clients:%zu\r\n"
        "tracking_clients:%zu\r\n"
        "clients_in_timeout_table:%zu\r\n",
        // Why nodes-1 times 2: Redis counts one link each way per other node.
        srv.num_clients(), cluster::Get() ? static_cast<int>(cluster::Get()->nodes().size() - 1) * 2 : 0,
        cfg.maxclients, max_in, max_out,
        // Why: clients held by CLIENT PAUSE are blocked clients in Redis.
        server::HeldClientCount(srv) + srv.blocking().blocked_clients(), srv.tracking().clients(),
        srv.blocking().clients_with_timeout());
  }

  if (on("memory")) {
    header("Memory");
    size_t used = base::UsedMemory();
    size_t rss = base::ProcessRss();
    if (used > srv.stats.peak_memory) {
      srv.stats.peak_memory = used;
      srv.stats.peak_memory_time = srv.now_ms();
    }
    size_t peak = srv.stats.peak_memory;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    unsigned long total_system = pages > 0 && page > 0 ? static_cast<unsigned long>(pages) *
                                                             static_cast<unsigned long>(page)
                                                       : 0;
    // Redis's getMemoryOverheadData.
    size_t clients_normal = 0;
    for (Client* cl = srv.clients_head(); cl; cl = cl->next)
      if (!(cl->flags & server::kClientSlave)) clients_normal += ClientMemoryUsage(*cl);
    server::ReplicationHooks::Memory rm = srv.replication() ? srv.replication()->memory() : server::ReplicationHooks::Memory{};
    size_t overhead = g_startup_memory + clients_normal + rm.backlog + rm.replicas;
    for (int i = 0; i < srv.num_dbs(); i++) {
      engine::Db* d = &srv.keyspace().db(i);
      if (d->size() == 0) continue;
      overhead += d->keys().buckets() * sizeof(void*);
      overhead += d->expires().buckets() * sizeof(void*) + d->expires_size() * sizeof(engine::ExpireNode);
    }
    size_t dataset = used > overhead ? used - overhead : 0;
    size_t net = used > g_startup_memory ? used - g_startup_memory : 1;
    AllocatorStats al = GetAllocatorStats(used, rss);
    const char* zero_h = "0B";
    base::AppendPrintf(&s,
        "used_memory:%zu\r\n"
        "used_memory_human:%s\r\n"
        "used_memory_rss:%zu\r\n"
        "used_memory_rss_human:%s\r\n"
        "used_memory_peak:%zu\r\n"
        "used_memory_peak_human:%s\r\n"
        "used_memory_peak_perc:%.2f%%\r\n"
        "used_memory_overhead:%zu\r\n"
        "used_memory_startup:%zu\r\n"
        "used_memory_dataset:%zu\r\n"
        "used_memory_dataset_perc:%.2f%%\r\n"
        "allocator_allocated:%zu\r\n"
        "allocator_active:%zu\r\n"
        "allocator_resident:%zu\r\n"
        "total_system_memory:%lu\r\n"
        "total_system_memory_human:%s\r\n",
        used, Human(used).c_str(), rss, Human(rss).c_str(), peak, Human(peak).c_str(),
        peak ? static_cast<double>(static_cast<float>(used) * 100 / static_cast<float>(peak)) : 0.0,
        overhead, g_startup_memory, dataset,
        static_cast<double>(static_cast<float>(dataset) * 100 / static_cast<float>(net)),
        al.allocated, al.active, al.resident, total_system, Human(total_system).c_str());
    // No scripting engine or functions exist: their VMs use no memory.
    base::AppendPrintf(&s,
        "used_memory_lua:%d\r\n"
        "used_memory_vm_eval:%d\r\n"
        "used_memory_lua_human:%s\r\n"
        "used_memory_scripts_eval:%d\r\n"
        "number_of_cached_scripts:%d\r\n"
        "number_of_functions:%d\r\n"
        "number_of_libraries:%d\r\n"
        "used_memory_vm_functions:%d\r\n"
        "used_memory_vm_total:%d\r\n"
        "used_memory_vm_total_human:%s\r\n"
        "used_memory_functions:%d\r\n"
        "used_memory_scripts:%d\r\n"
        "used_memory_scripts_human:%s\r\n",
        0, 0, zero_h, 0, 0, 0, 0, 0, 0, zero_h, 0, 0, zero_h);
    long long frag_bytes = static_cast<long long>(al.active) - static_cast<long long>(al.allocated);
    long long rss_bytes = static_cast<long long>(al.resident) - static_cast<long long>(al.active);
    long long extra_bytes = static_cast<long long>(rss) - static_cast<long long>(al.resident);
    long long total_frag_bytes = static_cast<long long>(rss) - static_cast<long long>(used);
    base::AppendPrintf(&s,
        "maxmemory:%llu\r\n"
        "maxmemory_human:%s\r\n"
        "maxmemory_policy:%s\r\n"
        "allocator_frag_ratio:%.2f\r\n"
        "allocator_frag_bytes:%llu\r\n"
        "allocator_rss_ratio:%.2f\r\n"
        "allocator_rss_bytes:%lld\r\n"
        "rss_overhead_ratio:%.2f\r\n"
        "rss_overhead_bytes:%lld\r\n"
        "mem_fragmentation_ratio:%.2f\r\n"
        "mem_fragmentation_bytes:%lld\r\n"
        "mem_not_counted_for_evict:%zu\r\n"
        "mem_replication_backlog:%zu\r\n"
        "mem_total_replication_buffers:%zu\r\n"
        "mem_clients_slaves:%zu\r\n"
        "mem_clients_normal:%zu\r\n"
        "mem_cluster_links:%d\r\n"
        "mem_aof_buffer:%zu\r\n"
        "mem_allocator:%s\r\n"
        "active_defrag_running:%d\r\n"
        "lazyfree_pending_objects:%zu\r\n"
        "lazyfreed_objects:%zu\r\n",
        cfg.maxmemory, Human(cfg.maxmemory).c_str(), PolicyName(cfg.maxmemory_policy),
        Ratio(al.active, al.allocated), static_cast<unsigned long long>(frag_bytes),
        Ratio(al.resident, al.active), rss_bytes, Ratio(rss, al.resident), extra_bytes,
        Ratio(rss, used), total_frag_bytes, srv.evictor().NotCounted(), rm.backlog, rm.total, rm.replicas, clients_normal,
        srv.cluster() ? static_cast<int>(srv.cluster()->links_memory()) : 0, srv.aof().buffer_length(),
        base::AllocatorName(), 0, engine::lazyfree::PendingObjects(),
        engine::lazyfree::FreedObjects());
  }

  if (on("persistence")) {
    header("Persistence");
    srv.snapshots().AppendInfo(&s);
    srv.aof().AppendInfo(&s);
    srv.snapshots().AppendLoadingInfo(&s);
  }

  if (on("stats")) {
    header("Stats");
    const server::Stats& st = srv.stats;
    const engine::KeyspaceStats& ks = srv.keyspace().stats();
    server::ReplicationHooks::Stats rs = srv.replication() ? srv.replication()->stats() : server::ReplicationHooks::Stats{};
    auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    base::AppendPrintf(&s,
        "total_connections_received:%llu\r\n"
        "total_commands_processed:%llu\r\n"
        "instantaneous_ops_per_sec:%lld\r\n"
        "total_net_input_bytes:%llu\r\n"
        "total_net_output_bytes:%llu\r\n"
        "total_net_repl_input_bytes:%llu\r\n"
        "total_net_repl_output_bytes:%llu\r\n"
        "instantaneous_input_kbps:%.2f\r\n"
        "instantaneous_output_kbps:%.2f\r\n"
        "instantaneous_input_repl_kbps:0.00\r\n"
        "instantaneous_output_repl_kbps:0.00\r\n"
        "rejected_connections:%llu\r\n"
        "sync_full:%llu\r\n"
        "sync_partial_ok:%llu\r\n"
        "sync_partial_err:%llu\r\n"
        "expired_keys:%llu\r\n"
        "expired_stale_perc:%.2f\r\n"
        "expired_time_cap_reached_count:%llu\r\n"
        "expire_cycle_cpu_milliseconds:%llu\r\n"
        "evicted_keys:%llu\r\n"
        "evicted_clients:%llu\r\n"
        "total_eviction_exceeded_time:%llu\r\n"
        "current_eviction_exceeded_time:%llu\r\n"
        "keyspace_hits:%llu\r\n"
        "keyspace_misses:%llu\r\n"
        "pubsub_channels:%llu\r\n"
        "pubsub_patterns:%llu\r\n"
        "pubsubshard_channels:%llu\r\n"
        "latest_fork_usec:%llu\r\n"
        "total_forks:%llu\r\n"
        "migrate_cached_sockets:%llu\r\n"
        "slave_expires_tracked_keys:%zu\r\n"
        "active_defrag_hits:0\r\n"
        "active_defrag_misses:0\r\n"
        "active_defrag_key_hits:0\r\n"
        "active_defrag_key_misses:0\r\n"
        "total_active_defrag_time:0\r\n"
        "current_active_defrag_time:0\r\n"
        "tracking_total_keys:%llu\r\n"
        "tracking_total_items:%llu\r\n"
        "tracking_total_prefixes:%llu\r\n"
        "unexpected_error_replies:%llu\r\n"
        "total_error_replies:%llu\r\n"
        "dump_payload_sanitizations:%llu\r\n"
        "total_reads_processed:%llu\r\n"
        "total_writes_processed:%llu\r\n"
        "io_threaded_reads_processed:0\r\n"
        "io_threaded_writes_processed:0\r\n"
        "reply_buffer_shrinks:0\r\n"
        "reply_buffer_expands:0\r\n",
        u(st.numconnections), u(st.numcommands), Instantaneous(st.ops), u(st.net.input_bytes),
        u(st.net.output_bytes), u(rs.net_input), u(rs.net_output),
        static_cast<double>(static_cast<float>(Instantaneous(st.net_in)) / 1024),
        static_cast<double>(static_cast<float>(Instantaneous(st.net_out)) / 1024),
        u(st.rejected_conn), u(rs.sync_full), u(rs.sync_partial_ok), u(rs.sync_partial_err), u(ks.expired_keys), ks.expired_stale_perc * 100,
        u(ks.expired_time_cap_reached_count), u(ks.expire_cycle_time_used / 1000),
        u(ks.evicted_keys), u(st.evictedclients), u(srv.evictor().total_exceeded_ms()),
        u(srv.evictor().current_exceeded_ms()), u(ks.hits), u(ks.misses),
        u(g_server->pubsub().num_channels()), u(g_server->pubsub().num_patterns()),
        u(g_server->pubsub().num_shard_channels()), u(static_cast<uint64_t>(st.last_fork_usec)), u(st.total_forks), u(MigrateCachedSockets()),
        srv.keyspace().replica_keys_with_expire(), u(g_server->tracking().total_keys()), u(g_server->tracking().total_items()),
        u(g_server->tracking().total_prefixes()), u(st.unexpected_error_replies), u(st.total_error_replies),
        u(st.dump_payload_sanitizations), u(st.net.reads_processed),
        u(st.net.writes_processed));
  }

  if (on("replication")) {
    header("Replication");
    if (srv.replication()) srv.replication()->AppendInfo(&s);
  }

  if (on("cpu")) {
    header("CPU");
    rusage self{}, children{}, thread{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
#ifdef RUSAGE_THREAD
    getrusage(RUSAGE_THREAD, &thread);
#else
    thread = self;
#endif
    AddRusage(&s, "used_cpu_sys", self.ru_stime);
    AddRusage(&s, "used_cpu_user", self.ru_utime);
    AddRusage(&s, "used_cpu_sys_children", children.ru_stime);
    AddRusage(&s, "used_cpu_user_children", children.ru_utime);
    AddRusage(&s, "used_cpu_sys_main_thread", thread.ru_stime);
    AddRusage(&s, "used_cpu_user_main_thread", thread.ru_utime);
  }

  if (on("module_list") || on("modules")) header("Modules");

  if (on("commandstats")) {
    header("Commandstats");
    CommandStats(&s, srv.commands().all());
  }

  if (on("errorstats")) {
    header("Errorstats");
    // Why: Redis keeps error codes in a radix tree, so they come sorted.
    std::vector<std::pair<std::string, uint64_t>> errs(srv.errorstats.begin(), srv.errorstats.end());
    std::sort(errs.begin(), errs.end());
    for (const auto& [code, count] : errs)
      base::AppendPrintf(&s, "errorstat_%s:count=%llu\r\n", code.c_str(), static_cast<unsigned long long>(count));
  }

  if (on("latencystats")) {
    header("Latencystats");
    LatencyStats(&s, srv.commands().all(), cfg.latency_tracking_info_percentiles);
  }

  if (on("cluster")) {
    header("Cluster");
    base::AppendPrintf(&s, "cluster_enabled:%d\r\n", cfg.cluster_enabled ? 1 : 0);
  }

  if (on("keyspace")) {
    header("Keyspace");
    for (int i = 0; i < srv.num_dbs(); i++) {
      engine::Db* d = &srv.keyspace().db(i);
      long long keys = static_cast<long long>(d->size());
      if (!keys) continue;
      base::AppendPrintf(&s, "db%d:keys=%lld,expires=%lld,avg_ttl=%lld\r\n", i, keys,
          static_cast<long long>(d->expires_size()), d->avg_ttl);
    }
  }
  return s;
}

namespace {

void CmdInfo(Client& c) {
  if (g_server->sentinel_mode) return SentinelInfo(c);
  std::vector<std::string_view> args(c.argv.begin() + 1, c.argv.end());
  c.reply.Verbatim(GenInfoString(args));
}

}  // namespace

void RegisterInfoFamily(server::CommandTable& t) {
  // Startup state INFO reports against (Redis's initial_memory_usage and
  // replid are taken when the server initializes).
  if (!g_startup_memory) g_startup_memory = base::UsedMemory();
  t.Register("info", CmdInfo);
}

}  // namespace vireo::commands
