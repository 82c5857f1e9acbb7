// Sentinel failure detection and failover (Redis 7.0.15's sentinel.c):
// SDOWN from this sentinel's own pings, ODOWN when a quorum of sentinels
// agrees (SENTINEL IS-MASTER-DOWN-BY-ADDR every second), the epoch vote
// that elects one leader, and the leader's state machine:
//   wait-start -> select-slave -> send SLAVEOF NO ONE -> wait promotion
//   -> reconfigure the other replicas (parallel-syncs at a time)
//   -> update config (+switch-master: the promoted replica is the master).
// Plus TILT (the timer ran late or the clock jumped: act on nothing for
// 30 s) and the timer that drives everything (from the server cron).
#include <cstdlib>
#include <ctime>

#include "base/ascii.h"
#include "base/hash.h"
#include "sentinel/sentinel.h"
#include "server/log.h"

namespace vireo::sentinel {

using protocol::RespValue;
using server::Log;
using server::LogLevel;

void Sentinel::CheckSubjectivelyDown(Instance* ri) {
  Link* link = ri->link.get();
  int64_t now = Now();
  int64_t elapsed = 0;
  if (link->act_ping_time) {
    elapsed = now - link->act_ping_time;
  } else if (link->disconnected) {
    elapsed = now - link->last_avail_time;
  }
  // A connection that is up but silent for half the down period is
  // reconnected (it may be half-open), at most once per 15 s.
  if (link->cc && now - link->cc_conn_time > periods.min_link_reconnect && link->act_ping_time != 0 &&
      now - link->act_ping_time > ri->down_after_period / 2 && now - link->last_pong_time > ri->down_after_period / 2) {
    CloseLinkConnection(link, false);
  }
  // The pub/sub link must see our own hellos at least every 3 periods.
  if (link->pc && now - link->pc_conn_time > periods.min_link_reconnect &&
      now - link->pc_last_activity > periods.publish * 3) {
    CloseLinkConnection(link, true);
  }
  // Down: no valid reply for down-after-milliseconds, or a master that
  // keeps reporting itself a replica, or a rebooted master still not
  // answering PONG after master-reboot-down-after-period.
  if (elapsed > ri->down_after_period ||
      (ri->is_master() && ri->role_reported == kSlave &&
       now - ri->role_reported_time > ri->down_after_period + periods.info * 2) ||
      ((ri->flags & kMasterReboot) && now - ri->master_reboot_since_time > ri->master_reboot_down_after_period)) {
    if (!(ri->flags & kSDown)) {
      Event(LogLevel::kWarning, "+sdown", ri, true, "");
      ri->s_down_since_time = now;
      ri->flags |= kSDown;
    }
  } else if (ri->flags & kSDown) {
    Event(LogLevel::kWarning, "-sdown", ri, true, "");
    ri->flags &= ~(kSDown | kScriptKillSent);
  }
}

void Sentinel::CheckObjectivelyDown(Instance* master) {
  unsigned quorum = 0;
  bool odown = false;
  if (master->flags & kSDown) {
    quorum = 1;  // this sentinel
    for (auto& [k, ri] : master->sentinels) {
      if (ri->flags & kMasterDown) quorum++;
    }
    if (quorum >= master->quorum) odown = true;
  }
  if (odown) {
    if (!(master->flags & kODown)) {
      Event(LogLevel::kWarning, "+odown", master, true,
            " #quorum " + std::to_string(quorum) + "/" + std::to_string(master->quorum));
      master->flags |= kODown;
      master->o_down_since_time = Now();
    }
  } else if (master->flags & kODown) {
    Event(LogLevel::kWarning, "-odown", master, true, "");
    master->flags &= ~kODown;
  }
}

void Sentinel::AskMasterStateToOtherSentinels(Instance* master, bool forced) {
  for (auto& [k, sp] : master->sentinels) {
    Instance* ri = sp.get();
    int64_t elapsed = Now() - ri->last_master_down_reply_time;
    // An old answer no longer counts.
    if (elapsed > periods.ask * 5) {
      ri->flags &= ~kMasterDown;
      ri->leader.clear();
    }
    if (!(master->flags & kSDown)) continue;
    if (ri->link->disconnected) continue;
    if (!forced && Now() - ri->last_master_down_reply_time < periods.ask) continue;
    // Asking with our run id (during a failover) is also asking for a vote.
    std::string runid = master->failover_state > FailoverState::kNone ? myid_ : "*";
    SendCommand(ri,
                {MapCommand(ri, "SENTINEL"), "is-master-down-by-addr", AnnounceAddr(master->addr),
                 std::to_string(master->addr.port), std::to_string(current_epoch_), runid},
                [](Instance* si, const RespValue& r) {
                  if (r.type != RespValue::Type::kArray || r.elements.size() != 3 || !r.elements[0].is_integer() ||
                      r.elements[1].type != RespValue::Type::kBulk || !r.elements[2].is_integer()) {
                    return;
                  }
                  si->last_master_down_reply_time = Get()->Now();
                  if (r.elements[0].integer == 1) si->flags |= kMasterDown;
                  else si->flags &= ~kMasterDown;
                  if (r.elements[1].str != "*") {
                    if (static_cast<int64_t>(si->leader_epoch) != r.elements[2].integer) {
                      Log(LogLevel::kWarning, "%s voted for %s %llu", si->name.c_str(), r.elements[1].str.c_str(),
                          static_cast<unsigned long long>(r.elements[2].integer));
                    }
                    si->leader = r.elements[1].str;
                    si->leader_epoch = static_cast<uint64_t>(r.elements[2].integer);
                  }
                });
  }
}

void Sentinel::SimFailureCrash() {
  Log(LogLevel::kWarning, "Sentinel CRASH because of SENTINEL simulate-failure");
  exit(99);
}

std::string Sentinel::VoteLeader(Instance* master, uint64_t req_epoch, const std::string& req_runid,
                                 uint64_t* leader_epoch) {
  if (req_epoch > current_epoch_) {
    current_epoch_ = req_epoch;
    FlushConfig();
    Event(LogLevel::kWarning, "+new-epoch", master, false, std::to_string(current_epoch_));
  }
  // One vote per epoch: the first asker wins it.
  if (master->leader_epoch < req_epoch && current_epoch_ <= req_epoch) {
    master->leader = req_runid;
    master->leader_epoch = current_epoch_;
    FlushConfig();
    Event(LogLevel::kWarning, "+vote-for-leader", master, false,
          master->leader + " " + std::to_string(master->leader_epoch));
    // Why: having voted for someone else, we do not start our own failover
    // for a while, so the elected one can act.
    if (!base::EqNoCase(master->leader, myid_)) master->failover_start_time = Now() + rand() % 1000;
  }
  *leader_epoch = master->leader_epoch;
  return master->leader;
}

std::string Sentinel::GetLeader(Instance* master, uint64_t epoch) {
  std::map<std::string, uint64_t> counters;
  unsigned voters = static_cast<unsigned>(master->sentinels.size()) + 1;
  for (auto& [k, ri] : master->sentinels) {
    if (!ri->leader.empty() && ri->leader_epoch == current_epoch_) counters[ri->leader]++;
  }
  std::string winner;
  uint64_t max_votes = 0;
  for (auto& [id, votes] : counters) {
    if (votes > max_votes) {
      max_votes = votes;
      winner = id;
    }
  }
  // Our own vote goes to the winner so far, or to ourselves.
  uint64_t leader_epoch = 0;
  std::string myvote = VoteLeader(master, epoch, winner.empty() ? myid_ : winner, &leader_epoch);
  if (!myvote.empty() && leader_epoch == epoch) {
    uint64_t votes = ++counters[myvote];
    if (votes > max_votes) {
      max_votes = votes;
      winner = myvote;
    }
  }
  // A leader needs a majority of all voters and at least the quorum.
  unsigned voters_quorum = voters / 2 + 1;
  if (!winner.empty() && (max_votes < voters_quorum || max_votes < master->quorum)) winner.clear();
  return winner;
}

void Sentinel::StartFailover(Instance* master) {
  master->failover_state = FailoverState::kWaitStart;
  master->flags |= kFailoverInProgress;
  master->failover_epoch = ++current_epoch_;
  Event(LogLevel::kWarning, "+new-epoch", master, false, std::to_string(current_epoch_));
  Event(LogLevel::kWarning, "+try-failover", master, true, "");
  // Why the random delay: sentinels that all saw ODOWN at once should not
  // all ask for votes in the same millisecond (split votes).
  master->failover_start_time = Now() + rand() % 1000;
  master->failover_state_change_time = Now();
}

bool Sentinel::StartFailoverIfNeeded(Instance* master) {
  if (!(master->flags & kODown)) return false;
  if (master->flags & kFailoverInProgress) return false;
  // Not again before twice the failover timeout.
  if (Now() - master->failover_start_time < master->failover_timeout * 2) {
    if (master->failover_delay_logged != master->failover_start_time) {
      time_t clock = static_cast<time_t>((master->failover_start_time + master->failover_timeout * 2) / 1000);
      char buf[26];
      ctime_r(&clock, buf);
      buf[24] = '\0';
      master->failover_delay_logged = master->failover_start_time;
      Log(LogLevel::kWarning, "Next failover delay: I will not start a failover before %s", buf);
    }
    return false;
  }
  StartFailover(master);
  return true;
}

Instance* Sentinel::SelectSlave(Instance* master) {
  std::vector<Instance*> candidates;
  int64_t now = Now();
  int64_t max_master_down_time = 0;
  if (master->flags & kSDown) max_master_down_time += now - master->s_down_since_time;
  max_master_down_time += master->down_after_period * 10;
  for (auto& [k, sp] : master->slaves) {
    Instance* s = sp.get();
    if (s->flags & (kSDown | kODown)) continue;
    if (s->link->disconnected) continue;
    if (now - s->link->last_avail_time > periods.ping * 5) continue;
    if (s->slave_priority == 0) continue;
    // INFO must be fresh: within 5 s while the master is down (we ask
    // every second then), within 3 INFO periods otherwise.
    int64_t info_validity = (master->flags & kSDown) ? periods.ping * 5 : periods.info * 3;
    if (now - s->info_refresh > info_validity) continue;
    if (s->master_link_down_time > max_master_down_time) continue;
    candidates.push_back(s);
  }
  if (candidates.empty()) return nullptr;
  // Lower priority, then more data (offset), then the smaller run id.
  auto better = [](const Instance* a, const Instance* b) {
    if (a->slave_priority != b->slave_priority) return a->slave_priority < b->slave_priority;
    if (a->slave_repl_offset != b->slave_repl_offset) return a->slave_repl_offset > b->slave_repl_offset;
    if (a->runid.empty() || b->runid.empty()) return !a->runid.empty() && b->runid.empty();
    return strcasecmp(a->runid.c_str(), b->runid.c_str()) < 0;
  };
  return *std::min_element(candidates.begin(), candidates.end(), better);
}

void Sentinel::FailoverWaitStart(Instance* ri) {
  std::string leader = GetLeader(ri, ri->failover_epoch);
  bool isleader = !leader.empty() && base::EqNoCase(leader, myid_);
  if (!isleader && !(ri->flags & kForceFailover)) {
    int64_t election_timeout = std::min(periods.election_timeout, ri->failover_timeout);
    if (Now() - ri->failover_start_time > election_timeout) {
      Event(LogLevel::kWarning, "-failover-abort-not-elected", ri, true, "");
      AbortFailover(ri);
    }
    return;
  }
  Event(LogLevel::kWarning, "+elected-leader", ri, true, "");
  if (simfailure_flags & kSimCrashAfterElection) SimFailureCrash();
  ri->failover_state = FailoverState::kSelectSlave;
  ri->failover_state_change_time = Now();
  Event(LogLevel::kWarning, "+failover-state-select-slave", ri, true, "");
}

void Sentinel::FailoverSelectSlave(Instance* ri) {
  Instance* slave = SelectSlave(ri);
  if (!slave) {
    Event(LogLevel::kWarning, "-failover-abort-no-good-slave", ri, true, "");
    AbortFailover(ri);
    return;
  }
  Event(LogLevel::kWarning, "+selected-slave", slave, true, "");
  slave->flags |= kPromoted;
  ri->promoted_slave = slave;
  ri->failover_state = FailoverState::kSendSlaveofNoOne;
  ri->failover_state_change_time = Now();
  Event(LogLevel::kNotice, "+failover-state-send-slaveof-noone", slave, true, "");
}

void Sentinel::FailoverSendSlaveOfNoOne(Instance* ri) {
  // Not connected: retry until the failover timeout.
  if (ri->promoted_slave->link->disconnected) {
    if (Now() - ri->failover_state_change_time > ri->failover_timeout) {
      Event(LogLevel::kWarning, "-failover-abort-slave-timeout", ri, true, "");
      AbortFailover(ri);
    }
    return;
  }
  if (ri->coordinated) {
    if (!SendCoordinatedFailover(ri)) return;
  } else if (!SendSlaveOf(ri->promoted_slave, nullptr)) {
    return;
  }
  Event(LogLevel::kNotice, "+failover-state-wait-promotion", ri->promoted_slave, true, "");
  ri->failover_state = FailoverState::kWaitPromotion;
  ri->failover_state_change_time = Now();
}

// The coordinated switchover: instead of SLAVEOF NO ONE to the replica,
// the master is asked `FAILOVER TO <replica> TIMEOUT <failover-timeout>`.
// The master pauses writes, waits until the replica has its whole stream,
// hands over (PSYNC FAILOVER) and becomes the new master's replica, so
// every write the old master acknowledged is on the new one; the other
// replicas then move with a partial resync (same history, PSYNC2). The
// promotion is detected in the replica's INFO as in a plain failover.
bool Sentinel::SendCoordinatedFailover(Instance* master) {
  if (master->link->disconnected) return false;
  Instance* target = master->promoted_slave;
  return SendCommand(master,
                     {MapCommand(master, "FAILOVER"), "TO", target->addr.ip, std::to_string(target->addr.port),
                      "TIMEOUT", std::to_string(master->failover_timeout)},
                     [this](Instance* m, const RespValue& r) {
                       if (!r.is_error()) return;
                       // Refused (e.g. the replica is not in sync): abort,
                       // nothing changed on the data nodes.
                       Event(LogLevel::kWarning, "-failover-abort-coordinated", m, true, " " + r.str);
                       if ((m->flags & kFailoverInProgress) && m->failover_state <= FailoverState::kWaitPromotion) {
                         AbortFailover(m);
                       }
                     });
}

void Sentinel::FailoverWaitPromotion(Instance* ri) {
  // The promotion itself is seen in the replica's INFO (monitor.cc). A
  // coordinated switchover happens on the master's schedule (the catch-up,
  // then the handover), with writes paused meanwhile: ask the replica
  // every 100 ms instead of every second, so the pause ends sooner for the
  // clients that follow the sentinels.
  Instance* promoted = ri->promoted_slave;
  if (ri->coordinated && promoted && !promoted->link->disconnected && promoted->link->pending_commands < 4 &&
      Now() - promoted->info_refresh > 100) {
    SendInfo(promoted);
  }
  if (Now() - ri->failover_state_change_time > ri->failover_timeout) {
    Event(LogLevel::kWarning, "-failover-abort-slave-timeout", ri, true, "");
    AbortFailover(ri);
  }
}

void Sentinel::FailoverDetectEnd(Instance* master) {
  int64_t elapsed = Now() - master->failover_state_change_time;
  if (!master->promoted_slave || (master->promoted_slave->flags & kSDown)) return;
  int not_reconfigured = 0;
  bool timeout = false;
  for (auto& [k, s] : master->slaves) {
    if (s->flags & (kPromoted | kReconfDone)) continue;
    if (s->flags & kSDown) continue;
    not_reconfigured++;
  }
  if (elapsed > master->failover_timeout) {
    not_reconfigured = 0;
    timeout = true;
    Event(LogLevel::kWarning, "+failover-end-for-timeout", master, true, "");
  }
  if (not_reconfigured == 0) {
    Event(LogLevel::kWarning, "+failover-end", master, true, "");
    master->failover_state = FailoverState::kUpdateConfig;
    master->failover_state_change_time = Now();
  }
  // On timeout, a best-effort SLAVEOF to every replica not yet told.
  if (timeout) {
    for (auto& [k, sp] : master->slaves) {
      Instance* s = sp.get();
      if (s->flags & (kPromoted | kReconfDone | kReconfSent)) continue;
      if (s->link->disconnected) continue;
      if (SendSlaveOf(s, &master->promoted_slave->addr)) {
        Event(LogLevel::kNotice, "+slave-reconf-sent-be", s, true, "");
        s->flags |= kReconfSent;
      }
    }
  }
}

void Sentinel::FailoverReconfNextSlave(Instance* master) {
  int in_progress = 0;
  for (auto& [k, s] : master->slaves) {
    if (!(s->flags & (kReconfSent | kReconfInprog))) continue;
    in_progress++;
    // Beyond Redis (timing only): a replica being moved is asked every
    // 100 ms, not every second, so its link coming up ends the failover
    // sooner.
    if (!s->link->disconnected && s->link->pending_commands < 4 && Now() - s->info_refresh > 100) SendInfo(s.get());
  }
  for (auto it = master->slaves.begin(); in_progress < master->parallel_syncs && it != master->slaves.end(); ++it) {
    Instance* s = it->second.get();
    if (s->flags & (kPromoted | kReconfDone)) continue;
    // A replica that never confirmed is taken as done after the timeout.
    if ((s->flags & kReconfSent) && Now() - s->slave_reconf_sent_time > periods.slave_reconf_timeout) {
      Event(LogLevel::kNotice, "-slave-reconf-sent-timeout", s, true, "");
      s->flags &= ~kReconfSent;
      s->flags |= kReconfDone;
    }
    if (s->flags & (kReconfSent | kReconfInprog)) continue;
    if (s->link->disconnected) continue;
    if (SendSlaveOf(s, &master->promoted_slave->addr)) {
      s->flags |= kReconfSent;
      s->slave_reconf_sent_time = Now();
      Event(LogLevel::kNotice, "+slave-reconf-sent", s, true, "");
      in_progress++;
    }
  }
  FailoverDetectEnd(master);
}

void Sentinel::FailoverSwitchToPromotedSlave(Instance* master) {
  Instance* ref = master->promoted_slave ? master->promoted_slave : master;
  Addr to = ref->addr;
  Event(LogLevel::kWarning, "+switch-master", master, false,
        master->name + " " + AnnounceAddr(master->addr) + " " + std::to_string(master->addr.port) + " " +
            AnnounceAddr(to) + " " + std::to_string(to.port));
  ResetMasterAndChangeAddress(master, to.hostname, to.port);
}

void Sentinel::FailoverStateMachine(Instance* ri) {
  if (!(ri->flags & kFailoverInProgress)) return;
  switch (ri->failover_state) {
    case FailoverState::kWaitStart: FailoverWaitStart(ri); break;
    case FailoverState::kSelectSlave: FailoverSelectSlave(ri); break;
    case FailoverState::kSendSlaveofNoOne: FailoverSendSlaveOfNoOne(ri); break;
    case FailoverState::kWaitPromotion: FailoverWaitPromotion(ri); break;
    case FailoverState::kReconfSlaves: FailoverReconfNextSlave(ri); break;
    default: break;
  }
}

void Sentinel::AbortFailover(Instance* ri) {
  ri->flags &= ~(kFailoverInProgress | kForceFailover);
  ri->coordinated = false;
  ri->failover_state = FailoverState::kNone;
  ri->failover_state_change_time = Now();
  if (ri->promoted_slave) {
    ri->promoted_slave->flags &= ~kPromoted;
    ri->promoted_slave = nullptr;
  }
}

void Sentinel::HandleInstance(Instance* ri) {
  ReconnectInstance(ri);
  SendPeriodicCommands(ri);
  // In TILT we keep monitoring but act on nothing.
  if (tilt_) {
    if (Now() - tilt_start_time_ < periods.tilt_period) return;
    tilt_ = false;
    Event(LogLevel::kWarning, "-tilt", nullptr, false, "#tilt mode exited");
  }
  CheckSubjectivelyDown(ri);
  if (ri->is_master()) {
    CheckObjectivelyDown(ri);
    if (StartFailoverIfNeeded(ri)) AskMasterStateToOtherSentinels(ri, true);
    FailoverStateMachine(ri);
    AskMasterStateToOtherSentinels(ri, false);
  }
}

void Sentinel::HandleInstances(std::map<std::string, std::unique_ptr<Instance>>& table) {
  Instance* switch_to_promoted = nullptr;
  for (auto& [k, ri] : table) {
    HandleInstance(ri.get());
    if (ri->is_master()) {
      HandleInstances(ri->slaves);
      HandleInstances(ri->sentinels);
      if (ri->failover_state == FailoverState::kUpdateConfig) switch_to_promoted = ri.get();
    }
  }
  // After the loop: the switch rebuilds the replica table we iterate.
  if (switch_to_promoted) FailoverSwitchToPromotedSlave(switch_to_promoted);
}

void Sentinel::CheckTiltCondition() {
  int64_t now = Now();
  int64_t delta = now - previous_time_;
  if (delta < 0 || delta > periods.tilt_trigger) {
    tilt_ = true;
    tilt_start_time_ = Now();
    Event(LogLevel::kWarning, "+tilt", nullptr, false, "#tilt mode entered");
  }
  previous_time_ = Now();
}

void Sentinel::Timer() {
  CheckTiltCondition();
  HandleInstances(masters_);
  RunPendingScripts();
  CollectTerminatedScripts();
  KillTimedoutScripts();
}

void Sentinel::Start() {
  if (myid_.empty()) {
    char id[41];
    base::RandomHex(id, 40);
    myid_.assign(id, 40);
    FlushConfig();
  }
  Log(LogLevel::kWarning, "Sentinel ID is %s", myid_.c_str());
  for (auto& [name, ri] : masters_) {
    Event(LogLevel::kWarning, "+monitor", ri.get(), true, " quorum " + std::to_string(ri->quorum));
  }
  previous_time_ = Now();
  ArmTimer(100000);
  started_ = true;
}

// Why a timer of its own at 10-19 Hz: Redis runs sentinelTimer from
// serverCron and then sets hz to 10 + rand() % 10, so the sentinels'
// timers drift apart (fewer simultaneous elections).
void Sentinel::ArmTimer(int64_t delay_us) {
  timer_ = srv_->loop().AddTimer(delay_us, [this]() {
    timer_ = 0;
    Timer();
    ArmTimer(1000000 / (10 + rand() % 10));
  });
}

}  // namespace vireo::sentinel
