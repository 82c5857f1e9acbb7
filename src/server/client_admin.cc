// See client_admin.h.
#include "server/client_admin.h"

#include <algorithm>

#include "base/ascii.h"
#include "server/acl.h"
#include "server/command.h"
#include "server/server.h"

namespace vireo::server {

ClientType ClientTypeByName(std::string_view s) {
  if (base::EqNoCase(s, "normal")) return ClientType::kNormal;
  if (base::EqNoCase(s, "slave") || base::EqNoCase(s, "replica")) return ClientType::kReplica;
  if (base::EqNoCase(s, "pubsub")) return ClientType::kPubsub;
  if (base::EqNoCase(s, "master")) return ClientType::kMaster;
  return ClientType::kAny;
}

ClientType ClientTypeOf(const Client& cl) {
  // Why: MONITOR clients are replicas inside Redis but Redis lists them as
  // normal clients.
  if (cl.flags & kClientMaster) return ClientType::kMaster;
  if (cl.flags & kClientSlave) return ClientType::kReplica;
  if (cl.flags & kClientPubsub) return ClientType::kPubsub;
  return ClientType::kNormal;
}

int64_t KillClients(Server& s, const Client& self, const KillFilter& f, bool* close_self) {
  int64_t killed = 0;
  *close_self = false;
  for (Client* cl = s.clients_head(); cl;) {
    Client* next = cl->next;  // Close() unlinks cl
    bool match = !cl->closed() && !(cl->flags & kClientProtected);
    if (match && f.by_addr && cl->addr != f.addr) match = false;
    if (match && f.by_laddr && cl->laddr != f.laddr) match = false;
    if (match && f.type != ClientType::kAny && ClientTypeOf(*cl) != f.type) match = false;
    if (match && f.id != 0 && cl->id != f.id) match = false;
    if (match && f.by_user && !acl::Acl::ClientMatchesUser(*cl, f.user)) match = false;
    if (match && cl == &self && f.skipme) match = false;
    if (match) {
      if (cl == &self)
        *close_self = true;
      else
        cl->Close();
      killed++;
    }
    cl = next;
  }
  return killed;
}

namespace {

// Re-runs the commands held by CLIENT PAUSE from the event loop (not from
// inside the current command), like Redis's unblocked-clients queue; the
// ones a pause still holds queue themselves again.
void ScheduleResumeHeldClients(Server& s) {
  if (s.paused_clients.empty()) return;
  // Why: Redis unblocks them at once (CLIENT LIST flag u instead of b)
  // and runs them again before the loop sleeps.
  for (Client* cl : s.paused_clients) cl->flags |= kClientUnblocked;
  s.loop().Post([] {
    if (!g_server) return;
    auto held = std::move(g_server->paused_clients);
    g_server->paused_clients.clear();
    for (Client* cl : held) cl->ResumeProcessing();
  });
}

}  // namespace

namespace {

// updateClientPauseTypeAndEndTime: the effective pause over the purposes.
void RecomputePause(Server& s, bool from_cron = false) {
  int64_t end = 0;
  bool any = false, write_only = true;
  for (const Server::PauseEvent& e : s.pause_events) {
    if (!e.active) continue;
    any = true;
    end = std::max(end, e.end);
    write_only = write_only && e.write_only;
  }
  bool was_paused = s.pause_end_ms != 0;
  s.pause_end_ms = any ? end : 0;
  s.pause_write_only = any && write_only;
  // Commands a pause held run again when the pause is lifted or relaxed
  // (a WRITE pause lets the reads through).
  if (!was_paused || (any && !write_only)) return;
  if (from_cron) {
    // Why at once: a pause that ran out frees its clients in the cron
    // (Redis's unblockPostponedClients from clientsCron), no 'u' phase.
    auto held = std::move(s.paused_clients);
    s.paused_clients.clear();
    for (Client* cl : held) cl->ResumeProcessing();
  } else {
    ScheduleResumeHeldClients(s);
  }
}

}  // namespace

void PauseFor(Server& s, int purpose, int64_t end, bool write_only) {
  Server::PauseEvent& e = s.pause_events[purpose];
  if (e.active) {
    // Why: a purpose keeps its later end and its stricter mode.
    e.end = std::max(e.end, end);
    e.write_only = e.write_only && write_only;
  } else {
    e = Server::PauseEvent{true, end, write_only};
  }
  RecomputePause(s);
}

void UnpauseFor(Server& s, int purpose) {
  if (!s.pause_events[purpose].active) return;
  s.pause_events[purpose] = Server::PauseEvent{};
  RecomputePause(s);
}

void ExpirePauses(Server& s) {
  int64_t now = s.now_ms();
  bool changed = false;
  for (Server::PauseEvent& e : s.pause_events) {
    if (e.active && e.end <= now) {
      e = Server::PauseEvent{};
      changed = true;
    }
  }
  if (changed) RecomputePause(s, true);
}

void PauseClients(Server& s, int64_t ms, bool write_only) {
  int64_t now = s.now_ms();
  // Why: Redis's getTimeoutFromObjectOrReply adds mstime() to a positive
  // timeout in 64-bit arithmetic, so a huge timeout wraps into the past and
  // pauses nothing; 0 stays 0 (also in the past).
  int64_t end = ms > 0 ? static_cast<int64_t>(static_cast<uint64_t>(ms) + static_cast<uint64_t>(now))
                       : 0;
  // Why: Redis keeps one pause per purpose; a new CLIENT PAUSE while one is
  // running keeps the later end and the stricter mode (ALL beats WRITE), so
  // a shorter or WRITE pause never shortens or relaxes the current one.
  Server::PauseEvent& e = s.pause_events[Server::kPauseByCommand];
  if (e.active && e.end > now) {
    end = std::max(end, e.end);
    write_only = write_only && e.write_only;
  }
  if (end <= now) return;  // expired at once (Redis frees it on the spot)
  e = Server::PauseEvent{true, end, write_only};
  RecomputePause(s);
}

void UnpauseClientsByCommand(Server& s) {
  s.pause_events[Server::kPauseByCommand] = Server::PauseEvent{};
  bool any = false;
  for (const Server::PauseEvent& e : s.pause_events) any = any || e.active;
  if (any) {
    RecomputePause(s);
    return;
  }
  s.pause_end_ms = 0;
  s.pause_write_only = false;
  ScheduleResumeHeldClients(s);
}

size_t HeldClientCount(const Server& s) {
  size_t n = 0;
  for (const Client* cl : s.paused_clients)
    if (!(cl->flags & kClientUnblocked)) n++;
  return n;
}

bool PauseHoldsCommand(const Server& s, const Client& c, const Command& cmd) {
  // A blocked command running again after a wake-up was admitted when it
  // first ran.
  if (!s.paused() || c.bstate) return false;
  // Why: Redis never pauses replicas, and a MONITOR client is one.
  if (c.flags & kClientMonitor) return false;
  if (!s.pause_write_only) return true;
  // Why: WRITE mode holds what may reach the replication stream: write and
  // may-replicate commands (PUBLISH, PFCOUNT, EVAL, FCALL...), EXEC of a
  // transaction holding one, and such a command even when MULTI would only
  // queue it (Redis checks the pause before queueing).
  if (cmd.has(kCmdWrite) || cmd.has(kCmdMayReplicate)) return true;
  if ((c.flags & kClientMulti) && cmd.name == "exec") {
    for (const auto& q : c.mstate)
      if (q.cmd->has(kCmdWrite) || q.cmd->has(kCmdMayReplicate)) return true;
  }
  return false;
}

}  // namespace vireo::server
