// Admin command family: SLOWLOG (Redis slowlog.c), LATENCY (latency.c,
// sparkline.c), MONITOR, MEMORY (object.c), SHUTDOWN (server.c); COMMAND
// lives in command_cmd.cc and DEBUG in debug.cc, registered from here.
//
// The data these commands show is collected elsewhere: Server::SlowlogPush
// and Server::LatencyAdd (from Server::Call and the cron), the per-command
// latency histograms (latency_histogram.h), the monitors list fed by
// Server::Call.
#include <strings.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "base/memory.h"
#include "commands/admin_internal.h"
#include "commands/client_cmd.h"
#include "commands/latency_histogram.h"
#include "commands/registry.h"
#include "server/log.h"

#ifdef VIREO_HAVE_JEMALLOC
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
extern "C" void malloc_stats_print(void (*write_cb)(void*, const char*), void* cbopaque,
                                   const char* opts);
#endif

namespace vireo::commands {

void ReplySubcommandSyntaxError(Client& c) {
  std::string cmd(c.argv[0]);
  for (char& ch : cmd) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  Err(c, "ERR unknown subcommand or wrong number of arguments for '" +
             std::string(c.argv[1].substr(0, 128)) + "'. Try " + cmd + " HELP.");
}

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
                       "ERR count should be greater than or equal to -1"))
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
// LATENCY

using server::LatencyEvent;

server::LatencyEvent* FindEvent(std::string_view name) {
  // Why: Redis looks events up with strcmp: "COMMAND" is not "command".
  auto it = g_server->latency_events.find(std::string(name));
  return it == g_server->latency_events.end() ? nullptr : &it->second;
}

void CmdLatencyLatest(Client& c) {
  auto& events = g_server->latency_events;
  c.reply.ArrayLen(static_cast<int64_t>(events.size()));
  for (const auto& [name, ev] : events) {
    int last = (ev.idx + LatencyEvent::kHistory - 1) % LatencyEvent::kHistory;
    c.reply.ArrayLen(4);
    c.reply.Bulk(name);
    c.reply.Int(ev.samples[last].time);
    c.reply.Int(ev.samples[last].latency_ms);
    c.reply.Int(ev.max);
  }
}

void CmdLatencyHistory(Client& c) {
  const LatencyEvent* ev = FindEvent(c.argv[2]);
  if (!ev) {
    c.reply.EmptyArray();
    return;
  }
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  for (int j = 0; j < LatencyEvent::kHistory; j++) {
    int i = (ev->idx + j) % LatencyEvent::kHistory;
    if (ev->samples[i].time == 0) continue;
    c.reply.ArrayLen(2);
    c.reply.Int(ev->samples[i].time);
    c.reply.Int(ev->samples[i].latency_ms);
    n++;
  }
  c.reply.EndDeferredArray(d, n);
}

void CmdLatencyReset(Client& c) {
  auto& events = g_server->latency_events;
  int64_t resets = 0;
  if (c.argv.size() == 2) {
    resets = static_cast<int64_t>(events.size());
    events.clear();
  } else {
    // Why: RESET matches event names case-insensitively (strcasecmp).
    for (size_t j = 2; j < c.argv.size(); j++) {
      for (auto it = events.begin(); it != events.end();) {
        if (EqNoCase(it->first, c.argv[j])) {
          it = events.erase(it);
          resets++;
        } else {
          ++it;
        }
      }
    }
  }
  c.reply.Int(resets);
}

// Redis's sparkline.c, rendering a sequence of samples as ASCII rows.
struct Sparkline {
  struct Sample {
    double value;
    std::string label;
  };
  std::vector<Sample> samples;
  double min = 0, max = 0;
  int labels = 0;

  void Add(double v, std::string label) {
    if (samples.empty()) {
      min = max = v;
    } else if (v < min) {
      min = v;
    } else if (v > max) {
      max = v;
    }
    if (!label.empty()) labels++;
    samples.push_back({v, std::move(label)});
  }

  // sparklineRenderRange with SPARKLINE_FILL (LATENCY GRAPH's mode).
  void RenderRange(std::string* out, int rows, size_t offset, size_t len) const {
    static const char kCharsetFill[] = "_o#";
    const int charset_len = 3;
    const int label_margin_top = 1;
    double relmax = max - min;
    if (relmax == 0) relmax = 1;
    int steps = charset_len * rows;
    int row = 0;
    std::string chars(len, ' ');
    bool loop = true;
    while (loop) {
      loop = false;
      std::fill(chars.begin(), chars.end(), ' ');
      for (size_t j = 0; j < len; j++) {
        const Sample& s = samples[j + offset];
        double relval = s.value - min;
        int step = static_cast<int>((relval * steps) / relmax);
        if (step < 0) step = 0;
        if (step >= steps) step = steps - 1;
        if (row < rows) {
          int charidx = step - ((rows - row - 1) * charset_len);
          loop = true;
          if (charidx >= 0 && charidx < charset_len)
            chars[j] = kCharsetFill[charidx];
          else if (charidx >= charset_len)
            chars[j] = '|';
        } else {
          if (labels && row - rows < label_margin_top) {
            loop = true;
            break;
          }
          if (!s.label.empty()) {
            int label_char = row - rows - label_margin_top;
            if (static_cast<int>(s.label.size()) > label_char) {
              loop = true;
              chars[j] = s.label[static_cast<size_t>(label_char)];
            }
          }
        }
      }
      if (loop) {
        row++;
        *out += chars;
        *out += '\n';
      }
    }
  }

  void Render(std::string* out, size_t columns, int rows) const {
    for (size_t j = 0; j < samples.size(); j += columns) {
      size_t sublen = std::min(samples.size() - j, columns);
      if (j != 0) *out += '\n';
      RenderRange(out, rows, j, sublen);
    }
  }
};

void CmdLatencyGraph(Client& c) {
  const LatencyEvent* ev = FindEvent(c.argv[2]);
  if (!ev) {
    Err(c, "ERR No samples available for event '" + std::string(c.argv[2]) + "'");
    return;
  }
  Sparkline seq;
  uint32_t min = 0, max = 0;
  int64_t now = g_server->unixtime();
  for (int j = 0; j < LatencyEvent::kHistory; j++) {
    int i = (ev->idx + j) % LatencyEvent::kHistory;
    const auto& s = ev->samples[i];
    if (s.time == 0) continue;
    if (seq.samples.empty()) {
      min = max = s.latency_ms;
    } else {
      max = std::max(max, s.latency_ms);
      min = std::min(min, s.latency_ms);
    }
    // Label: how long ago, in s / m / h / d.
    int elapsed = static_cast<int>(now - s.time);
    char buf[64];
    if (elapsed < 60)
      snprintf(buf, sizeof(buf), "%ds", elapsed);
    else if (elapsed < 3600)
      snprintf(buf, sizeof(buf), "%dm", elapsed / 60);
    else if (elapsed < 3600 * 24)
      snprintf(buf, sizeof(buf), "%dh", elapsed / 3600);
    else
      snprintf(buf, sizeof(buf), "%dd", elapsed / (3600 * 24));
    seq.Add(s.latency_ms, buf);
  }
  char head[256];
  snprintf(head, sizeof(head), "%s - high %lu ms, low %lu ms (all time high %lu ms)\n",
           std::string(c.argv[2]).c_str(), static_cast<unsigned long>(max),
           static_cast<unsigned long>(min), static_cast<unsigned long>(ev->max));
  std::string graph = head;
  graph.append(80, '-');
  graph += '\n';
  seq.Render(&graph, 80, 4);
  c.reply.Verbatim(graph);
}

// Redis's THPGetAnonHugePagesSize: AnonHugePages summed over smaps.
size_t AnonHugePagesBytes() {
  FILE* fp = fopen("/proc/self/smaps", "r");
  if (!fp) return 0;
  char line[1024];
  size_t bytes = 0;
  const char* field = "AnonHugePages:";
  size_t flen = strlen(field);
  while (fgets(line, sizeof(line), fp)) {
    if (strncmp(line, field, flen) == 0) {
      char* p = strchr(line, 'k');
      if (p) {
        *p = '\0';
        bytes += strtoul(line + flen, nullptr, 10) * 1024;
      }
    }
  }
  fclose(fp);
  return bytes;
}

struct LatencyStats {
  uint32_t all_time_high = 0, avg = 0, min = 0, max = 0, mad = 0, samples = 0;
  int64_t period = 0;
};

// Redis's analyzeLatencyForEvent.
LatencyStats AnalyzeEvent(const LatencyEvent& ev) {
  LatencyStats ls;
  ls.all_time_high = ev.max;
  uint64_t sum = 0;
  for (const auto& s : ev.samples) {
    if (s.time == 0) continue;
    ls.samples++;
    if (ls.samples == 1) {
      ls.min = ls.max = s.latency_ms;
    } else {
      ls.min = std::min(ls.min, s.latency_ms);
      ls.max = std::max(ls.max, s.latency_ms);
    }
    sum += s.latency_ms;
    if (ls.period == 0 || s.time < ls.period) ls.period = s.time;
  }
  if (ls.samples) {
    ls.avg = static_cast<uint32_t>(sum / ls.samples);
    ls.period = time(nullptr) - ls.period;
    if (ls.period == 0) ls.period = 1;
  }
  sum = 0;
  for (const auto& s : ev.samples) {
    if (s.time == 0) continue;
    int64_t delta = static_cast<int64_t>(ls.avg) - s.latency_ms;
    if (delta < 0) delta = -delta;
    sum += static_cast<uint64_t>(delta);
  }
  if (ls.samples) ls.mad = static_cast<uint32_t>(sum / ls.samples);
  return ls;
}

// Redis's createLatencyReport.
std::string LatencyReport() {
  auto& cfg = g_server->cfg();
  auto& events = g_server->latency_events;
  std::string report;
  bool advise_better_vm = false, advise_slowlog_enabled = false, advise_slowlog_tuning = false,
       advise_slowlog_inspect = false, advise_disk_contention = false, advise_scheduler = false,
       advise_data_writeback = false, advise_no_appendfsync = false, advise_local_disk = false,
       advise_ssd = false, advise_write_load_info = false, advise_hz = false,
       advise_large_objects = false, advise_mass_eviction = false,
       advise_relax_fsync_policy = false, advise_disable_thp = false;
  int advices = 0;
  if (events.empty() && cfg.latency_monitor_threshold == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  int eventnum = 0;
  char buf[1024];
  for (const auto& [name, ev] : events) {
    eventnum++;
    if (eventnum == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    LatencyStats ls = AnalyzeEvent(ev);
    snprintf(buf, sizeof(buf),
             "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f sec). "
             "Worst all time event %lums.",
             eventnum, name.c_str(), static_cast<int>(ls.samples),
             static_cast<unsigned long>(ls.avg), static_cast<unsigned long>(ls.mad),
             static_cast<double>(ls.period) / ls.samples, static_cast<unsigned long>(ev.max));
    report += buf;
    const char* ev_name = name.c_str();
    auto is = [&](const char* n) { return strcasecmp(ev_name, n) == 0; };
    if (is("fork")) {
      // Vireo never forks, so its fork rate is Redis's zero.
      advise_better_vm = true;
      advices++;
      report += " Fork rate is 0.00 GB/sec (terrible).";
    }
    if (is("command")) {
      if (cfg.slowlog_log_slower_than < 0) {
        advise_slowlog_enabled = true;
        advices++;
      } else if (cfg.slowlog_log_slower_than / 1000 > cfg.latency_monitor_threshold) {
        advise_slowlog_tuning = true;
        advices++;
      }
      advise_slowlog_inspect = true;
      advise_large_objects = true;
      advices += 2;
    }
    if (is("fast-command")) {
      advise_scheduler = true;
      advices++;
    }
    if (is("aof-write-pending-fsync")) {
      advise_local_disk = advise_disk_contention = advise_ssd = advise_data_writeback = true;
      advices += 4;
    }
    if (is("aof-write-active-child")) {
      advise_no_appendfsync = advise_data_writeback = advise_ssd = true;
      advices += 3;
    }
    if (is("aof-write-alone")) {
      advise_local_disk = advise_data_writeback = advise_ssd = true;
      advices += 3;
    }
    if (is("aof-fsync-always")) {
      advise_relax_fsync_policy = true;
      advices++;
    }
    if (is("aof-fstat") || is("rdb-unlink-temp-file")) {
      advise_disk_contention = advise_local_disk = true;
      advices += 2;
    }
    if (is("aof-rewrite-diff-write") || is("aof-rename")) {
      advise_write_load_info = advise_data_writeback = advise_ssd = advise_local_disk = true;
      advices += 4;
    }
    if (is("expire-cycle")) {
      advise_hz = advise_large_objects = true;
      advices += 2;
    }
    if (is("eviction-del")) {
      advise_large_objects = true;
      advices++;
    }
    if (is("eviction-cycle")) {
      advise_mass_eviction = true;
      advices++;
    }
    report += "\n";
  }
  if (AnonHugePagesBytes() > 0) {
    advise_disable_thp = true;
    advices++;
  }
  if (eventnum == 0 && advices == 0) {
    report +=
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and "
        "think things over.\n";
  } else if (eventnum > 0 && advices == 0) {
    report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use "
        "the Redis community to get some help, providing this report in your help request.\n";
  } else {
    report += "\nI have a few advices for you:\n\n";
    if (advise_better_vm) {
      report +=
          "- If you are using a virtual machine, consider upgrading it with a faster one using a "
          "hypervisior that provides less latency during fork() calls. Xen is known to have poor "
          "fork() performance. Even in the context of the same VM provider, certain kinds of "
          "instances can execute fork faster than others.\n";
    }
    if (advise_slowlog_enabled) {
      snprintf(buf, sizeof(buf),
               "- There are latency issues with potentially slow commands you are using. Try to "
               "enable the Slow Log Redis feature using the command 'CONFIG SET "
               "slowlog-log-slower-than %llu'. If the Slow log is disabled Redis is not able to "
               "log slow commands execution for you.\n",
               static_cast<unsigned long long>(cfg.latency_monitor_threshold) * 1000);
      report += buf;
    }
    if (advise_slowlog_tuning) {
      snprintf(buf, sizeof(buf),
               "- Your current Slow Log configuration only logs events that are slower than your "
               "configured latency monitor threshold. Please use 'CONFIG SET "
               "slowlog-log-slower-than %llu'.\n",
               static_cast<unsigned long long>(cfg.latency_monitor_threshold) * 1000);
      report += buf;
    }
    if (advise_slowlog_inspect) {
      report +=
          "- Check your Slow Log to understand what are the commands you are running which are too "
          "slow to execute. Please check https://redis.io/commands/slowlog for more "
          "information.\n";
    }
    if (advise_scheduler) {
      report +=
          "- The system is slow to execute Redis code paths not containing system calls. This "
          "usually means the system does not provide Redis CPU time to run for long periods. You "
          "should try to:\n"
          "  1) Lower the system load.\n"
          "  2) Use a computer / VM just for Redis if you are running other software in the same "
          "system.\n"
          "  3) Check if you have a \"noisy neighbour\" problem.\n"
          "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
          "your system.\n"
          "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, "
          "if you are using Jemalloc. However this may create fragmentation problems.\n";
    }
    if (advise_local_disk) {
      report +=
          "- It is strongly advised to use local disks for persistence, especially if you are "
          "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
          "slow.\n";
    }
    if (advise_ssd) {
      report +=
          "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting "
          "and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite "
          "buffer flushes). With extremely high write load SSD disks can be a good option. However "
          "Redis should perform reasonably with high load using normal disks. Use this advice as a "
          "last resort.\n";
    }
    if (advise_data_writeback) {
      report +=
          "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
          "compared to data=ordered, however this mode of operation provides less guarantees, and "
          "sometimes it can happen that after a hard crash the AOF file will have a half-written "
          "command at the end and will require to be repaired before Redis restarts.\n";
    }
    if (advise_disk_contention) {
      report +=
          "- Try to lower the disk contention. This is often caused by other disk intensive "
          "processes running in the same computer (including other Redis instances).\n";
    }
    if (advise_no_appendfsync) {
      report +=
          "- Assuming from the point of view of data safety this is viable in your environment, "
          "you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not "
          "be performed while there is a child rewriting the AOF file or producing an RDB file "
          "(the moment where there is high disk contention).\n";
    }
    if (advise_relax_fsync_policy && cfg.appendfsync == server::kAofFsyncAlways) {
      report +=
          "- Your fsync policy is set to 'always'. It is very hard to get good performances with "
          "such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
    }
    if (advise_write_load_info) {
      report +=
          "- Latency during the AOF atomic rename operation or when the final difference is "
          "flushed to the AOF file at the end of the rewrite, sometimes is caused by very high "
          "write load, causing the AOF buffer to get very large. If possible try to send less "
          "commands to accomplish the same work, or use Lua scripts to group multiple operations "
          "into a single EVALSHA call.\n";
    }
    if (advise_hz && cfg.hz < 100) {
      report +=
          "- In order to make the Redis keys expiring process more incremental, try to set the "
          "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
    }
    if (advise_large_objects) {
      report +=
          "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
          "blocking operation. If you have very large objects that are often deleted, expired, or "
          "evicted, try to fragment those objects into multiple smaller objects.\n";
    }
    if (advise_mass_eviction) {
      report +=
          "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large "
          "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster "
          "large keys migrations (RESTORE command), may create sudden memory pressure forcing the "
          "server to block trying to evict keys. \n";
    }
    if (advise_disable_thp) {
      report +=
          "- I detected a non zero amount of anonymous huge pages used by your process. This "
          "creates very serious latency events in different conditions, especially when Redis is "
          "persisting on disk. To disable THP support use the command 'echo never > "
          "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
          "/etc/rc.local so that the command will be executed again after a reboot. Note that even "
          "if you have already disabled THP, you still need to restart the Redis process to get "
          "rid of the huge pages already created.\n";
    }
  }
  return report;
}

void CmdLatencyDoctor(Client& c) { c.reply.Verbatim(LatencyReport()); }

// Redis's fillCommandCDF.
void ReplyCommandCdf(Client& c, const LatencyHistogram& h) {
  c.reply.MapLen(2);
  c.reply.Bulk("calls");
  c.reply.Int(h.total_count());
  c.reply.Bulk("histogram_usec");
  auto buckets = h.CumulativeBuckets();
  c.reply.MapLen(static_cast<int64_t>(buckets.size()));
  for (const auto& [usec, count] : buckets) {
    c.reply.Int(usec);
    c.reply.Int(count);
  }
}

// Appends `cmd`'s histogram if it has one; returns whether it did.
bool AddCommandCdf(Client& c, const server::Command* cmd) {
  const LatencyHistogram* h = FindCommandLatencyHistogram(cmd);
  if (!h) return false;
  c.reply.Bulk(cmd->name);
  ReplyCommandCdf(c, *h);
  return true;
}

void CmdLatencyHistogram(Client& c) {
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  if (c.argv.size() == 2) {
    for (const server::Command* cmd : g_server->commands().all()) {
      n += AddCommandCdf(c, cmd);
      for (const server::Command* sub : cmd->subcommands) n += AddCommandCdf(c, sub);
    }
  } else {
    // Unknown names are skipped; a container also reports its subcommands.
    for (size_t j = 2; j < c.argv.size(); j++) {
      const server::Command* cmd = g_server->commands().FindByFullName(c.argv[j]);
      if (!cmd) continue;
      n += AddCommandCdf(c, cmd);
      for (const server::Command* sub : cmd->subcommands) n += AddCommandCdf(c, sub);
    }
  }
  c.reply.EndDeferredMap(d, n);
}

void CmdLatencyHelp(Client& c) {
  static const char* const kHelp[] = {
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
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
  for (size_t j = 3; j < c.argv.size(); j++) {
    if (EqNoCase(c.argv[j], "samples") && j + 1 < c.argv.size()) {
      int64_t samples;
      if (!ParseInt(c, c.argv[j + 1], &samples)) return;
      if (samples < 0) {
        ErrSyntax(c);
        return;
      }
      j++;  // samples only matter for aggregate types, which are sized exactly here
    } else {
      ErrSyntax(c);
      return;
    }
  }
  // Why: Redis reads the dict directly (no lazy expiry, no stats).
  engine::Entry* e = c.db->Find(c.argv[2]);
  if (!e) {
    c.reply.Null();
    return;
  }
  size_t usage = engine::EntryMemoryUsage(e);
  if (e->has_expire()) {
    engine::ExpireNode* n = c.db->expires().Find(e->key());
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
    engine::Db* d = srv.db(j);
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
  Err(c, "ERR Error purging dirty pages");
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
    // Why: only a shutdown waiting for replicas can be aborted, and Vireo
    // never waits (no replicas), so there is never one in progress.
    Err(c, "ERR No shutdown in progress.");
    return;
  }
  std::string err;
  if (!g_server->PrepareShutdown(nosave, save, now, force, &err)) {
    Err(c, err);
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
  t.Register("latency|latest", CmdLatencyLatest);
  t.Register("latency|history", CmdLatencyHistory);
  t.Register("latency|reset", CmdLatencyReset);
  t.Register("latency|graph", CmdLatencyGraph);
  t.Register("latency|doctor", CmdLatencyDoctor);
  t.Register("latency|histogram", CmdLatencyHistogram);
  t.Register("latency|help", CmdLatencyHelp);
  t.Register("monitor", CmdMonitor);
  t.Register("memory|usage", CmdMemoryUsage);
  t.Register("memory|stats", CmdMemoryStats);
  t.Register("memory|doctor", CmdMemoryDoctor);
  t.Register("memory|malloc-stats", CmdMemoryMallocStats);
  t.Register("memory|purge", CmdMemoryPurge);
  t.Register("memory|help", CmdMemoryHelp);
  t.Register("shutdown", CmdShutdown);
  RegisterCommandCommand(t);
  RegisterDebugCommand(t);
}

}  // namespace vireo::commands
