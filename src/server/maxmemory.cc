// maxmemory: the server's side of key eviction (engine/evict.h does the
// choosing and deleting) and of client eviction (maxmemory-clients).
//
// What lives here and why not in the engine: when eviction may run (not
// inside a nested call or script, Redis's !isInsideYieldingLongCommand),
// the DELs of evicted keys going out at once, the loop timer that keeps
// evicting after a cycle ran out of time (Redis's evictionTimeProc), the
// -OOM decision of processCommand (reject_cmd_on_oom), the config hooks,
// and client eviction, which is about clients, not keys (networking.c's
// evictClients and server.c's client memory buckets).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "server/client_info.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server {

void Server::SyncEvictOptions() {
  const Config& c = cfg();
  engine::EvictOptions& o = evictor_->options();
  o.samples = c.maxmemory_samples;
  o.tenacity = c.maxmemory_eviction_tenacity;
  o.lazy = c.lazyfree_lazy_eviction;
  o.replica_ignore = c.replica_ignore_maxmemory;
}

void Server::InitMaxmemory() {
  evictor_ = std::make_unique<engine::Evictor>(keyspace_.get());
  SyncEvictOptions();
  engine::SetExpandGuard(evictor_.get());
  // Redis's freeMemoryGetNotCountedMemory: the AOF buffer and the part of
  // the shared replication buffer beyond the backlog (what replicas hold
  // on to): evicting keys would not give that memory back.
  evictor_->set_not_counted([this] {
    size_t n = aof_ && aof_->enabled() ? aof_->buffer_length() : 0;
    if (repl_) {
      size_t total = repl_->memory().total;
      auto backlog = static_cast<size_t>(cfg().repl_backlog_size);
      // Why the extra: Redis adds the approximate block headers of a full
      // backlog to what it counts.
      size_t counted = backlog + (backlog / (16 * 1024) + 1) * 48;
      if (total > counted) n += total - counted;
    }
    return n;
  });
  evictor_->set_latency_hook([this](const char* ev, uint64_t ms) { LatencyAdd(ev, ms); });
  config.OnChange({"maxmemory-samples", "maxmemory-eviction-tenacity", "lazyfree-lazy-eviction",
                   "replica-ignore-maxmemory"},
                  [this](std::string*) {
                    SyncEvictOptions();
                    return true;
                  });
  // Why: Redis's updateMaxmemory warns when the new limit is below the
  // current usage and starts the eviction timer, so memory goes down
  // without waiting for a command.
  config.OnChange("maxmemory", [this](std::string*) {
    SyncKeyspaceOptions();
    unsigned long long max = cfg().maxmemory;
    if (max) {
      size_t used = base::UsedMemory() - std::min(base::UsedMemory(), evictor_->NotCounted());
      if (max < used)
        Log(LogLevel::kWarning,
            "WARNING: the new maxmemory value set via CONFIG SET (%llu) is smaller than the "
            "current memory usage (%zu). This will result in key eviction and/or the inability "
            "to accept new write commands depending on the maxmemory-policy.",
            max, used);
      StartEvictionTimer();
    }
    return true;
  });
  // Turning client eviction on counts every client's memory from now.
  config.OnChange("maxmemory-clients", [this](std::string*) {
    for (Client* c = clients_head_; c; c = c->next) UpdateClientMemory(c);
    return true;
  });
}

engine::EvictResult Server::PerformEvictions() {
  engine::EvictResult r = evictor_->Perform();
  // Why: the evicted keys' DELs are propagated right away, one by one,
  // never wrapped in MULTI (Redis's propagate_no_multi in performEvictions).
  propagator_.Flush(false);
  // Why: invalidations of evicted keys held for the current client go out
  // now, before its command, or they would look like they are about the
  // value the command writes (trackingHandlePendingKeyInvalidations).
  tracking_.HandlePending();
  if (evictor_->running() && !evict_timer_armed_) ArmEvictionTimer();
  return r;
}

void Server::StartEvictionTimer() {
  evictor_->StartRunning();
  if (!evict_timer_armed_) ArmEvictionTimer();
}

void Server::ArmEvictionTimer() {
  evict_timer_armed_ = true;
  // Why: Redis's evictionTimeProc runs on the next loop iteration (a 0 ms
  // time event) and again while performEvictions says EVICT_RUNNING.
  loop_.AddTimer(0, [this] {
    UpdateTime();
    engine::EvictResult r = evictor_->Perform();
    propagator_.Flush(false);
    if (r == engine::EvictResult::kRunning) {
      ArmEvictionTimer();
      return;
    }
    evictor_->StopRunning();
    evict_timer_armed_ = false;
  });
}

bool Server::CheckMaxmemory(Client& c, Command* cmd, std::string_view* reject) {
  // Why: commands of a script or EXEC run inside another call; Redis checks
  // (and evicts) once, before the outer command.
  if (call_depth_ > 0) return true;
  // Why: client eviction comes first, after the previous command grew
  // some output buffers; when it frees this client, nothing more happens.
  if (cfg().maxmemory_clients != 0 && EvictClients(&c)) return false;
  if (cfg().maxmemory == 0) return true;
  bool out_of_memory = PerformEvictions() == engine::EvictResult::kFail;
  if (!out_of_memory) return true;
  bool is_exec = cmd == exec_cmd_;
  bool reject_on_oom = cmd->has(kCmdDenyOom);
  if (is_exec) {
    for (const QueuedCommand& q : c.mstate)
      if (q.cmd->has(kCmdDenyOom)) reject_on_oom = true;
  }
  // Why: inside MULTI queueing may use unbounded memory, so every command
  // is refused except EXEC (unless it holds deny-oom commands), DISCARD,
  // QUIT and RESET.
  if ((c.flags & kClientMulti) && !is_exec && cmd->name != "discard" && cmd->name != "quit" &&
      cmd->name != "reset")
    reject_on_oom = true;
  if (!reject_on_oom) return true;
  *reject = err::kOom;
  return false;
}

// ------------------------------------------------------------- clients

namespace {

// Redis's CLIENT_MEM_USAGE_BUCKET_MIN_LOG / _MAX_LOG: clients are grouped
// by the power of two of their memory, 32 KB and below in the first group,
// above 4 GB in the last.
constexpr int kBucketMinLog = 15;
constexpr int kBucketMaxLog = 33;

int MemBucket(size_t mem) {
  int log = mem ? 64 - __builtin_clzll(static_cast<unsigned long long>(mem)) : 0;
  return std::clamp(log, kBucketMinLog, kBucketMaxLog) - kBucketMinLog;
}

}  // namespace

size_t Server::ClientEvictionLimit() const {
  const Config& c = config.cfg();
  size_t limit;
  if (c.maxmemory_clients < 0 && c.maxmemory > 0) {
    limit = static_cast<size_t>(static_cast<double>(c.maxmemory) *
                                -static_cast<double>(c.maxmemory_clients) / 100);
  } else if (c.maxmemory_clients > 0) {
    limit = static_cast<size_t>(c.maxmemory_clients);
  } else {
    return 0;
  }
  // Why: Redis never goes below 128 KB, so a bad setting cannot cut off
  // every client.
  return std::max<size_t>(limit, 128 * 1024);
}

void Server::UpdateClientMemory(Client* c) {
  if (!c->linked || c->closed()) return;
  size_t now = ClientMemoryUsage(*c);
  clients_mem_ = clients_mem_ + now - c->evict_mem;
  c->evict_mem = now;
}

void Server::ForgetClientMemory(Client* c) {
  clients_mem_ -= std::min(clients_mem_, c->evict_mem);
  c->evict_mem = 0;
}

bool Server::EvictClients(Client* current) {
  size_t limit = ClientEvictionLimit();
  if (limit == 0) return false;
  // (The current client was counted after its last read and command, as
  // Redis does; not again here.)
  if (clients_mem_ < limit) return false;
  // Biggest memory group first; within a group, the list order (Redis
  // walks each bucket's list from its head).
  struct Candidate {
    Client* c;
    int bucket;
  };
  std::vector<Candidate> cands;
  for (Client* c = clients_head_; c; c = c->next) {
    // Why not replicas nor our master: Redis's clientEvictionAllowed
    // never evicts replication links.
    if (c->closed() || (c->flags & (kClientNoEvict | kClientProtected | kClientSlave | kClientMaster))) continue;
    cands.push_back({c, MemBucket(c->evict_mem)});
  }
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Candidate& a, const Candidate& b) { return a.bucket > b.bucket; });
  bool evicted_current = false;
  for (const Candidate& cand : cands) {
    if (clients_mem_ < limit) break;
    Log(LogLevel::kNotice, "Evicting client: %s", ClientInfoString(*cand.c).c_str());
    if (cand.c == current) evicted_current = true;
    ForgetClientMemory(cand.c);
    cand.c->Close();
    // Why: Redis frees an evicted client at once; here the object goes at
    // the end of the loop iteration, so give back its unsent replies now,
    // or key eviction would still see them. (Eviction runs between
    // commands, so no reply is being built, not even the current client's.)
    cand.c->out().Consume(cand.c->out().pending());
    cand.c->out().Release();
    stats.evictedclients++;
  }
  if (clients_mem_ >= limit)
    Log(LogLevel::kWarning, "Over client maxmemory after evicting all evictable clients");
  return evicted_current;
}

std::string Server::ClientEvictionBuckets() {
  constexpr int kBuckets = kBucketMaxLog - kBucketMinLog + 1;
  size_t sum[kBuckets] = {};
  unsigned long count[kBuckets] = {};
  for (Client* c = clients_head_; c; c = c->next) {
    if (c->closed() || (c->flags & (kClientNoEvict | kClientProtected | kClientSlave | kClientMaster))) continue;
    int b = MemBucket(c->evict_mem);
    sum[b] += c->evict_mem;
    count[b]++;
  }
  std::string out;
  char line[160];
  for (int j = 0; j < kBuckets; j++) {
    int n = j == 0 ? snprintf(line, sizeof(line), "bucket          0")
                   : snprintf(line, sizeof(line), "bucket %10zu", size_t{1} << (j - 1 + kBucketMinLog));
    out.append(line, static_cast<size_t>(n));
    n = j == kBuckets - 1
            ? snprintf(line, sizeof(line), "+            : ")
            : snprintf(line, sizeof(line), " - %10zu: ", (size_t{1} << (j + kBucketMinLog)) - 1);
    out.append(line, static_cast<size_t>(n));
    n = snprintf(line, sizeof(line), "tot-mem: %10zu, clients: %lu\n", sum[j], count[j]);
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace vireo::server
