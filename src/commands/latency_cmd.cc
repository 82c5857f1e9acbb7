// LATENCY (Redis latency.c and sparkline.c): LATEST, HISTORY, RESET, GRAPH,
// DOCTOR, HISTOGRAM, HELP.
//
// The events are recorded by Server::LatencyAdd (when
// latency-monitor-threshold > 0) into g_server->latency_events; the
// per-command histograms by RecordCommandLatency (latency_histogram.h).
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "commands/admin_internal.h"
#include "server/latency_histogram.h"

namespace vireo::commands {
namespace {

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
    Err(c, server::err::NoLatencySamples(c.argv[2]));
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

}  // namespace

void RegisterLatencyCommand(server::CommandTable& t) {
  t.Register("latency|latest", CmdLatencyLatest);
  t.Register("latency|history", CmdLatencyHistory);
  t.Register("latency|reset", CmdLatencyReset);
  t.Register("latency|graph", CmdLatencyGraph);
  t.Register("latency|doctor", CmdLatencyDoctor);
  t.Register("latency|histogram", CmdLatencyHistogram);
  t.Register("latency|help", CmdLatencyHelp);
}

}  // namespace vireo::commands
