// FAILOVER: the coordinated switchover of Redis 7.0 (replication.c's
// failoverCommand / updateFailoverStatus).
//
// The master pauses writes (a pause purpose of its own, so CLIENT UNPAUSE
// does not end it), waits until a replica — the one named with TO, or the
// first that catches up — has acknowledged everything, then turns itself
// into that replica's replica and sends `PSYNC <replid> <offset> FAILOVER`.
// The target, seeing its own master's id, promotes itself (its old id
// becomes replid2, so the old master continues partially) and answers the
// PSYNC. Writes acknowledged before the pause are on the target: none is
// lost. With FORCE and a TIMEOUT the switch happens at the deadline even if
// the target is behind (Redis's semantics: those writes may be lost).
#include <strings.h>

#include <cinttypes>

#include "base/ascii.h"
#include "base/numbers.h"
#include "replication/replication.h"
#include "server/client_admin.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::replication {

using server::Log;
using server::LogLevel;

const char* Replication::failover_state_name() const {
  switch (failover_state_) {
    case FailoverState::kNone: return "no-failover";
    case FailoverState::kInProgress: return "failover-in-progress";
    case FailoverState::kWaitForSync: return "waiting-for-sync";
  }
  return "unknown";
}

Client* Replication::FindReplica(const std::string& host, int port) {
  for (Client* c : replicas_) {
    auto& l = static_cast<ReplicaLink&>(*c->repl);
    if (strcasecmp(host.c_str(), ReplicaIp(*c).c_str()) == 0 && l.listening_port == port) return c;
  }
  return nullptr;
}

std::string Replication::ReplicaIp(const Client& c) const {
  const auto& l = static_cast<const ReplicaLink&>(*c.repl);
  if (!l.announced_ip.empty()) return l.announced_ip;
  std::string ip = c.addr.substr(0, c.addr.rfind(':'));
  if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void Replication::ClearFailoverState() {
  failover_end_time_ = 0;
  force_failover_ = false;
  failover_host_.clear();
  failover_port_ = 0;
  failover_state_ = FailoverState::kNone;
  server::UnpauseFor(*srv_, Server::kPauseDuringFailover);
}

void Replication::AbortFailover(const char* why) {
  if (failover_state_ == FailoverState::kNone) return;
  if (!failover_host_.empty()) {
    Log(LogLevel::kNotice, "FAILOVER to %s:%d aborted: %s", failover_host_.c_str(), failover_port_, why);
  } else {
    Log(LogLevel::kNotice, "FAILOVER to any replica aborted: %s", why);
  }
  if (failover_state_ == FailoverState::kInProgress) UnsetMaster();
  ClearFailoverState();
}

void Replication::FailoverCommand(Client& c) {
  auto error = [&](std::string_view msg) {
    c.reply.Error(msg);
    srv_->CountError(msg);
  };
  if (srv_->cfg().cluster_enabled) {
    error("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
    return;
  }
  auto& argv = c.argv;
  if (argv.size() == 2 && base::EqNoCase(argv[1], "abort")) {
    if (failover_state_ == FailoverState::kNone) {
      error("ERR No failover in progress.");
      return;
    }
    AbortFailover("Failover manually aborted");
    c.reply.Ok();
    return;
  }
  int64_t timeout_ms = 0, port = 0;
  bool force = false;
  std::string host;
  bool have_host = false;
  for (size_t j = 1; j < argv.size(); j++) {
    if (base::EqNoCase(argv[j], "timeout") && j + 1 < argv.size() && timeout_ms == 0) {
      if (!base::StringToInt64(argv[j + 1], &timeout_ms)) {
        error(server::err::kNotInt);
        return;
      }
      if (timeout_ms <= 0) {
        error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      j++;
    } else if (base::EqNoCase(argv[j], "to") && j + 2 < argv.size() && !have_host) {
      if (!base::StringToInt64(argv[j + 2], &port)) {
        error(server::err::kNotInt);
        return;
      }
      host = std::string(argv[j + 1]);
      have_host = true;
      j += 2;
    } else if (base::EqNoCase(argv[j], "force") && !force) {
      force = true;
    } else {
      error(server::err::kSyntax);
      return;
    }
  }
  if (failover_state_ != FailoverState::kNone) {
    error("ERR FAILOVER already in progress.");
    return;
  }
  if (is_replica()) {
    error("ERR FAILOVER is not valid when server is a replica.");
    return;
  }
  if (replicas_.empty()) {
    error("ERR FAILOVER requires connected replicas.");
    return;
  }
  if (force && (!timeout_ms || !have_host)) {
    error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    return;
  }
  if (have_host) {
    Client* r = FindReplica(host, static_cast<int>(port));
    if (!r) {
      error("ERR FAILOVER target HOST and PORT is not a replica.");
      return;
    }
    if (static_cast<ReplicaLink&>(*r->repl).state != ReplicaState::kOnline) {
      error("ERR FAILOVER target replica is not online.");
      return;
    }
    failover_host_ = host;
    failover_port_ = static_cast<int>(port);
    Log(LogLevel::kNotice, "FAILOVER requested to %s:%" PRId64 ".", host.c_str(), port);
  } else {
    Log(LogLevel::kNotice, "FAILOVER requested to any replica.");
  }
  int64_t now = srv_->now_ms();
  if (timeout_ms) failover_end_time_ = now + timeout_ms;
  force_failover_ = force;
  failover_state_ = FailoverState::kWaitForSync;
  // Beyond Redis (timing only): a GETACK as the last thing in the stream
  // before the pause, so the target's ACK of everything arrives now rather
  // than with its once-a-second ACK (Redis sends no GETACK while paused,
  // since it would move the offset the target must reach).
  failover_getack_from_ = failover_getack_to_ = -1;
  if (!replicas_.empty()) {
    failover_getack_from_ = buf_.master_offset();
    SendGetack();
    failover_getack_to_ = buf_.master_offset();
  }
  // Why write-only: reads go on; writes wait so the target can catch up.
  server::PauseFor(*srv_, Server::kPauseDuringFailover, INT64_MAX, true);
  c.reply.Ok();
}

// The target has everything: its ACK covers the whole stream, or (the
// answer to our GETACK, which a replica sends before counting the GETACK
// itself) everything up to the GETACK, with nothing but it after.
bool Replication::FailoverTargetSynced(const Client& c) const {
  int64_t ack = static_cast<const ReplicaLink&>(*c.repl).ack_off;
  if (ack == buf_.master_offset()) return true;
  return failover_getack_from_ >= 0 && buf_.master_offset() == failover_getack_to_ && ack >= failover_getack_from_;
}

void Replication::UpdateFailoverStatus() {
  if (failover_state_ != FailoverState::kWaitForSync) return;
  int64_t now = srv_->now_ms();
  if (failover_end_time_ && failover_end_time_ <= now) {
    if (force_failover_) {
      Log(LogLevel::kNotice, "FAILOVER to %s:%d time out exceeded, failing over.", failover_host_.c_str(),
          failover_port_);
      failover_state_ = FailoverState::kInProgress;
      SetMaster(failover_host_, failover_port_);
    } else {
      AbortFailover("Replica never caught up before timeout");
    }
    return;
  }
  Client* target = nullptr;
  if (!failover_host_.empty()) {
    target = FindReplica(failover_host_, failover_port_);
  } else {
    for (Client* c : replicas_) {
      if (FailoverTargetSynced(*c)) {
        target = c;
        failover_host_ = ReplicaIp(*c);
        failover_port_ = static_cast<ReplicaLink&>(*c->repl).listening_port;
        break;
      }
    }
  }
  if (target && FailoverTargetSynced(*target)) {
    failover_state_ = FailoverState::kInProgress;
    Log(LogLevel::kNotice, "Failover target %s:%d is synced, failing over.", failover_host_.c_str(),
        failover_port_);
    SetMaster(failover_host_, failover_port_);
  }
}

}  // namespace vireo::replication
