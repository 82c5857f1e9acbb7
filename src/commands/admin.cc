// Admin command family: SLOWLOG (Redis slowlog.c), MONITOR, MEMORY
// (object.c), SHUTDOWN (server.c); LATENCY lives in latency_cmd.cc, COMMAND
// in command_cmd.cc and DEBUG in debug.cc, all registered from here.
//
// The data these commands show is collected elsewhere: Server::SlowlogPush
// (from Server::Call) and the monitors list Server::Call feeds.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/memory.h"
#include "commands/admin_internal.h"
#include "commands/client_cmd.h"
#include "commands/registry.h"
#include "engine/value.h"
#include "server/log.h"

#ifdef VIREO_HAVE_JEMALLOC
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
extern "C" void malloc_stats_print(void (*write_cb)(void*, const char*), void* cbopaque,
                                   const char* opts);
#endif

namespace vireo::commands {

namespace {

// Memory in use once the server finished initializing (Redis's
// initial_memory_usage), for MEMORY STATS startup.allocated.
size_t g_startup_memory = 0;

// ---------------------------------------------------------------------------
// SLOWLOG

void CmdSlowlogGet(Client& c) {
  if (c.argv.size() > 3) {
    ReplySubcommandSyntaxError(c);
    return;
  }
  auto& log = g_server->slowlog;
  int64_t count = 10;
  if (c.argv.size() == 3) {
    if (!ParseIntRange(c, c.argv[2], -1, INT64_MAX, &count,
                       server::err::kSlowlogCount))
      return;
    // -1 means the whole log.
    if (count == -1) count = static_cast<int64_t>(log.size());
  }
  if (count > static_cast<int64_t>(log.size())) count = static_cast<int64_t>(log.size());
  c.reply.ArrayLen(count);
  for (int64_t i = 0; i < count; i++) {
    const server::SlowlogEntry& e = log[static_cast<size_t>(i)];
    c.reply.ArrayLen(6);
    c.reply.Int(e.id);
    c.reply.Int(e.time);
    c.reply.Int(e.duration_us);
    c.reply.ArrayLen(static_cast<int64_t>(e.argv.size()));
    for (const auto& a : e.argv) c.reply.Bulk(a);
    c.reply.Bulk(e.peer);
    c.reply.Bulk(e.cname);
  }
}

void CmdSlowlogLen(Client& c) { c.reply.Int(static_cast<int64_t>(g_server->slowlog.size())); }

void CmdSlowlogReset(Client& c) {
  g_server->slowlog.clear();
  c.reply.Ok();
}

void CmdSlowlogHelp(Client& c) {
  static const char* const kHelp[] = {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      nullptr};
  ReplyHelp(c, kHelp);
}

// ---------------------------------------------------------------------------
// MONITOR

void CmdMonitor(Client& c) {
  // Why: a second MONITOR is ignored without a reply (Redis returns early
  // for clients already flagged as replica/monitor).
  if (c.flags & server::kClientMonitor) return;
  c.flags |= server::kClientMonitor;
  g_server->monitors.push_back(&c);
  c.reply.Ok();
}

// ---------------------------------------------------------------------------
// MEMORY

void CmdMemoryUsage(Client& c) {
  // Options are validated before the key is looked at.
  // Why: Redis samples 5 elements of an aggregate by default
  // (OBJ_COMPUTE_SIZE_DEF_SAMPLES); SAMPLES 0 counts them all.
  int64_t samples = 5;
  for (size_t j = 3; j < c.argv.size(); j++) {
    if (EqNoCase(c.argv[j], "samples") && j + 1 < c.argv.size()) {
      if (!ParseInt(c, c.argv[j + 1], &samples)) return;
      if (samples < 0) {
        ErrSyntax(c);
        return;
      }
      j++;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  // Why: Redis reads the dict directly (no lazy expiry, no stats).
  engine::Entry* e = KS().db(c.db_index).Find(c.argv[2]);
  if (!e) {
    c.reply.Null();
    return;
  }
  size_t usage = engine::EntryMemoryUsage(e, static_cast<size_t>(samples));
  if (e->has_expire()) {
    engine::ExpireNode* n = KS().db(c.db_index).expires().Find(e->key());
    if (n) usage += base::AllocSize(n);
  }
  c.reply.Int(static_cast<int64_t>(usage));
}

struct MemoryOverhead {
  size_t peak = 0, total = 0, startup = 0, clients_normal = 0, overhead_total = 0;
  size_t total_keys = 0, bytes_per_key = 0, dataset = 0;
  float dataset_perc = 0, peak_perc = 0;
  struct DbOverhead {
    int id;
    size_t main, expires;
  };
  std::vector<DbOverhead> dbs;
  size_t allocated = 0, active = 0, resident = 0, rss = 0;
};

// Redis's getMemoryOverheadData, with what Vireo measures.
MemoryOverhead GetMemoryOverhead() {
  MemoryOverhead mh;
  server::Server& srv = *g_server;
  mh.total = base::UsedMemory();
  if (mh.total > srv.stats.peak_memory) {
    srv.stats.peak_memory = mh.total;
    srv.stats.peak_memory_time = srv.now_ms();
  }
  mh.peak = srv.stats.peak_memory;
  mh.startup = g_startup_memory;
  size_t mem_total = mh.startup;
  for (Client* cl = srv.clients_head(); cl; cl = cl->next)
    mh.clients_normal += ClientMemoryUsage(*cl);
  mem_total += mh.clients_normal;
  for (int j = 0; j < srv.num_dbs(); j++) {
    engine::Db* d = &srv.keyspace().db(j);
    if (d->size() == 0) continue;
    mh.total_keys += d->size();
    MemoryOverhead::DbOverhead o;
    o.id = j;
    o.main = d->keys().buckets() * sizeof(void*);
    o.expires =
        d->expires().buckets() * sizeof(void*) + d->expires_size() * sizeof(engine::ExpireNode);
    mem_total += o.main + o.expires;
    mh.dbs.push_back(o);
  }
  mh.overhead_total = mem_total;
  mh.dataset = mh.total > mem_total ? mh.total - mem_total : 0;
  mh.peak_perc = static_cast<float>(mh.total) * 100 / static_cast<float>(mh.peak ? mh.peak : 1);
  size_t net_usage = mh.total > mh.startup ? mh.total - mh.startup : 1;
  mh.dataset_perc = static_cast<float>(mh.dataset) * 100 / static_cast<float>(net_usage);
  mh.bytes_per_key = mh.total_keys ? net_usage / mh.total_keys : 0;
  // Vireo has no allocator statistics: the allocator is taken to hold what
  // is in use, and the rest of the RSS is the process overhead.
  mh.rss = base::ProcessRss();
  mh.allocated = mh.total;
  mh.active = mh.total;
  mh.resident = mh.total;
  return mh;
}

void CmdMemoryStats(Client& c) {
  MemoryOverhead mh = GetMemoryOverhead();
  auto& r = c.reply;
  auto ratio = [](size_t a, size_t b) {
    return static_cast<double>(static_cast<float>(a) / static_cast<float>(b ? b : 1));
  };
  auto diff = [](size_t a, size_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); };
  r.MapLen(27 + static_cast<int64_t>(mh.dbs.size()));
  r.Bulk("peak.allocated");
  r.Int(static_cast<int64_t>(mh.peak));
  r.Bulk("total.allocated");
  r.Int(static_cast<int64_t>(mh.total));
  r.Bulk("startup.allocated");
  r.Int(static_cast<int64_t>(mh.startup));
  r.Bulk("replication.backlog");
  r.Int(0);
  r.Bulk("clients.slaves");
  r.Int(0);
  r.Bulk("clients.normal");
  r.Int(static_cast<int64_t>(mh.clients_normal));
  r.Bulk("cluster.links");
  r.Int(0);
  r.Bulk("aof.buffer");
  r.Int(0);
  r.Bulk("lua.caches");
  r.Int(0);
  r.Bulk("functions.caches");
  r.Int(0);
  for (const auto& d : mh.dbs) {
    r.Bulk("db." + std::to_string(d.id));
    r.MapLen(3);
    r.Bulk("overhead.hashtable.main");
    r.Int(static_cast<int64_t>(d.main));
    r.Bulk("overhead.hashtable.expires");
    r.Int(static_cast<int64_t>(d.expires));
    r.Bulk("overhead.hashtable.slot-to-keys");
    r.Int(0);
  }
  r.Bulk("overhead.total");
  r.Int(static_cast<int64_t>(mh.overhead_total));
  r.Bulk("keys.count");
  r.Int(static_cast<int64_t>(mh.total_keys));
  r.Bulk("keys.bytes-per-key");
  r.Int(static_cast<int64_t>(mh.bytes_per_key));
  r.Bulk("dataset.bytes");
  r.Int(static_cast<int64_t>(mh.dataset));
  // Why: Redis computes these as float and prints the float widened to double.
  r.Bulk("dataset.percentage");
  r.Double(static_cast<double>(mh.dataset_perc));
  r.Bulk("peak.percentage");
  r.Double(static_cast<double>(mh.peak_perc));
  r.Bulk("allocator.allocated");
  r.Int(static_cast<int64_t>(mh.allocated));
  r.Bulk("allocator.active");
  r.Int(static_cast<int64_t>(mh.active));
  r.Bulk("allocator.resident");
  r.Int(static_cast<int64_t>(mh.resident));
  r.Bulk("allocator-fragmentation.ratio");
  r.Double(ratio(mh.active, mh.allocated));
  r.Bulk("allocator-fragmentation.bytes");
  r.Int(diff(mh.active, mh.allocated));
  r.Bulk("allocator-rss.ratio");
  r.Double(ratio(mh.resident, mh.active));
  r.Bulk("allocator-rss.bytes");
  r.Int(diff(mh.resident, mh.active));
  r.Bulk("rss-overhead.ratio");
  r.Double(ratio(mh.rss, mh.resident));
  r.Bulk("rss-overhead.bytes");
  r.Int(diff(mh.rss, mh.resident));
  r.Bulk("fragmentation");
  r.Double(ratio(mh.rss, mh.total));
  r.Bulk("fragmentation.bytes");
  r.Int(diff(mh.rss, mh.total));
}

// Redis's getMemoryDoctorReport.
std::string MemoryDoctorReport() {
  MemoryOverhead mh = GetMemoryOverhead();
  bool empty = false, big_peak = false, high_frag = false, high_alloc_frag = false,
       high_proc_rss = false, high_alloc_rss = false, big_client_buf = false;
  int num_reports = 0;
  auto ratio = [](size_t a, size_t b) {
    return static_cast<float>(a) / static_cast<float>(b ? b : 1);
  };
  auto big = [](size_t a, size_t b) { return a > b && a - b > (10u << 20); };
  if (mh.total < 1024 * 1024 * 5) {
    empty = true;
    num_reports++;
  } else {
    if (static_cast<float>(mh.peak) / static_cast<float>(mh.total) > 1.5) {
      big_peak = true;
      num_reports++;
    }
    if (ratio(mh.rss, mh.total) > 1.4 && big(mh.rss, mh.total)) {
      high_frag = true;
      num_reports++;
    }
    if (ratio(mh.active, mh.allocated) > 1.1 && big(mh.active, mh.allocated)) {
      high_alloc_frag = true;
      num_reports++;
    }
    if (ratio(mh.resident, mh.active) > 1.1 && big(mh.resident, mh.active)) {
      high_alloc_rss = true;
      num_reports++;
    }
    if (ratio(mh.rss, mh.resident) > 1.1 && big(mh.rss, mh.resident)) {
      high_proc_rss = true;
      num_reports++;
    }
    size_t numclients = g_server->num_clients();
    if (numclients && mh.clients_normal / numclients > 1024 * 200) {
      big_client_buf = true;
      num_reports++;
    }
  }
  if (num_reports == 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill it "
           "with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, so "
         "you can expect to see a big fragmentation ratio, however this is actually harmless and "
         "is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is "
         "currently bigger than expected, the memory will be used as soon as you fill the Redis "
         "instance with more data. If the memory peak was only occasional and you want to try to "
         "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is "
         "to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    s += std::string(
             " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
             "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
             "than the sum of the logical allocations Redis performed). This problem is usually "
             "due either to a large peak memory (check if there is a peak memory entry above in "
             "the report) or may result from a workload that causes the allocator to fragment "
             "memory a lot. If the problem is a large peak memory, then there is no issue. "
             "Otherwise, make sure you are using the Jemalloc allocator and not the default libc "
             "malloc. Note: The currently used allocator is \"") +
         base::AllocatorName() + "\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external fragmentation "
         "greater than 1.1. This problem is usually due either to a large peak memory (check if "
         "there is a peak memory entry above in the report) or may result from a workload that "
         "causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' "
         "config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than the "
         "sum what the allocator actually holds). This problem is usually due to a large peak "
         "memory (check if there is a peak memory entry above in the report), you can try the "
         "MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles "
         "on the Redis instance output buffer, or clients sending commands with large replies or "
         "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
         "command in order to investigate the issue if it causes problems in your instance, or to "
         "understand better why certain clients are using a big amount of memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

void CmdMemoryDoctor(Client& c) { c.reply.Verbatim(MemoryDoctorReport()); }

void CmdMemoryMallocStats(Client& c) {
#ifdef VIREO_HAVE_JEMALLOC
  std::string info;
  malloc_stats_print(
      [](void* opaque, const char* s) { static_cast<std::string*>(opaque)->append(s); }, &info,
      nullptr);
  c.reply.Verbatim(info);
#else
  c.reply.Verbatim("Stats not supported for the current allocator");
#endif
}

void CmdMemoryPurge(Client& c) {
#ifdef VIREO_HAVE_JEMALLOC
  unsigned narenas = 0;
  size_t sz = sizeof(unsigned);
  if (!mallctl("arenas.narenas", &narenas, &sz, nullptr, 0)) {
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "arena.%u.purge", narenas);
    if (!mallctl(tmp, nullptr, nullptr, nullptr, 0)) {
      c.reply.Ok();
      return;
    }
  }
  Err(c, server::err::kPurgeFailed);
#else
  c.reply.Ok();  // nothing to do for other allocators
#endif
}

void CmdMemoryHelp(Client& c) {
  static const char* const kHelp[] = {
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      nullptr};
  ReplyHelp(c, kHelp);
}

// ---------------------------------------------------------------------------
// SHUTDOWN

void CmdShutdown(Client& c) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < c.argv.size(); i++) {
    std::string_view a = c.argv[i];
    if (EqNoCase(a, "nosave")) {
      nosave = true;
    } else if (EqNoCase(a, "save")) {
      save = true;
    } else if (EqNoCase(a, "now")) {
      now = true;
    } else if (EqNoCase(a, "force")) {
      force = true;
    } else if (EqNoCase(a, "abort")) {
      abort = true;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ErrSyntax(c);
    return;
  }
  if (abort) {
    // Why: a signal's shutdown waits for the cron and can be aborted until
    // then, and so can one waiting for lagging replicas.
    if (!g_server->AbortShutdown()) return Err(c, server::err::kNoShutdown);
    server::Log(server::LogLevel::kNotice, "Shutdown manually aborted.");
    c.reply.Ok();
    return;
  }
  std::string err;
  if (!g_server->PrepareShutdown(nosave, save, now, force, &err, &c)) {
    // An empty error: waiting for replicas, the reply comes only if the
    // shutdown fails.
    if (!err.empty()) Err(c, err);
    return;
  }
  // Like Redis, the connection is closed by the exit, without a reply.
}

}  // namespace

void RegisterAdminFamily(server::CommandTable& t) {
  if (!g_startup_memory) g_startup_memory = base::UsedMemory();
  t.Register("slowlog|get", CmdSlowlogGet);
  t.Register("slowlog|len", CmdSlowlogLen);
  t.Register("slowlog|reset", CmdSlowlogReset);
  t.Register("slowlog|help", CmdSlowlogHelp);
  t.Register("monitor", CmdMonitor);
  t.Register("memory|usage", CmdMemoryUsage);
  t.Register("memory|stats", CmdMemoryStats);
  t.Register("memory|doctor", CmdMemoryDoctor);
  t.Register("memory|malloc-stats", CmdMemoryMallocStats);
  t.Register("memory|purge", CmdMemoryPurge);
  t.Register("memory|help", CmdMemoryHelp);
  t.Register("shutdown", CmdShutdown);
  RegisterLatencyCommand(t);
  RegisterCommandCommand(t);
  RegisterDebugCommand(t);
}

}  // namespace vireo::commands
