// The dispatcher's cluster step (Redis 7.0.15's getNodeByQuery,
// clusterRedirectClient and clusterRedirectBlockedClientIfNeeded).
//
// Order of the checks, as Redis: every key of the command (of each queued
// command for EXEC) must hash to one slot (-CROSSSLOT); an unassigned
// slot is -CLUSTERDOWN Hash slot not served; then the cluster state
// (-CLUSTERDOWN, unless reads are allowed when down); then a slot being
// migrated away answers -ASK for keys already gone (-TRYAGAIN when a
// multi-key command finds some here and some gone); a slot being
// imported serves ASKING clients; READONLY clients read from a replica of
// the slot's master; anything else in another node's slot is -MOVED.
#include <vector>

#include "base/crc16.h"
#include "cluster/cluster.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/command.h"
#include "server/command_keys.h"
#include "server/server.h"

namespace vireo::cluster {

namespace {

enum class Redir { kNone, kCrossSlot, kUnstable, kAsk, kMoved, kDownState, kDownRoState, kDownUnbound };

bool IsShardPubsub(const server::Command* cmd) {
  const std::string& n = cmd->name;
  return n == "ssubscribe" || n == "sunsubscribe" || n == "spublish";
}

// The keys of one command: its key specs / getkeys proc, or the shard
// channels of the sharded Pub/Sub commands (NOT_KEY specs that Redis's
// legacy range counts as keys for routing).
void CommandKeys(const server::Command* cmd, std::span<const std::string_view> argv,
                 std::vector<std::string_view>* out) {
  out->clear();
  if (IsShardPubsub(cmd)) {
    size_t last = cmd->name == "spublish" ? std::min<size_t>(2, argv.size()) : argv.size();
    for (size_t i = 1; i < last; i++) out->push_back(argv[i]);
    return;
  }
  std::vector<server::KeyRef> refs;
  int n = server::GetCommandKeys(cmd, argv, &refs);
  for (int i = 0; i < n; i++) out->push_back(argv[static_cast<size_t>(refs[static_cast<size_t>(i)].pos)]);
}

}  // namespace

bool Cluster::Route(server::Client& c, server::Command* cmd, std::string* err) {
  bool is_exec = cmd->name == "exec";
  if (is_exec && !(c.flags & server::kClientMulti)) return true;
  bool is_pubsubshard = IsShardPubsub(cmd);
  Node* n = nullptr;
  std::string_view firstkey;
  bool have_first = false, multiple_keys = false;
  bool migrating_slot = false, importing_slot = false;
  int slot = 0, missing_keys = 0, existing_keys = 0;
  Redir code = Redir::kNone;
  bool exec_writes = false;
  auto examine = [&](const server::Command* mcmd, std::span<const std::string_view> argv) -> bool {
    if (mcmd->has(server::kCmdWrite)) exec_writes = true;
    std::vector<std::string_view> keys;
    CommandKeys(mcmd, argv, &keys);
    for (std::string_view key : keys) {
      int thisslot = base::KeyHashSlot(key);
      if (!have_first) {
        have_first = true;
        firstkey = key;
        slot = thisslot;
        n = slots_[slot];
        if (n == nullptr) {
          code = Redir::kDownUnbound;
          return false;
        }
        if (n == myself_ && migrating_[slot] != nullptr) {
          migrating_slot = true;
        } else if (importing_[slot] != nullptr) {
          importing_slot = true;
        }
      } else if (key != firstkey) {
        if (slot != thisslot) {
          code = Redir::kCrossSlot;
          return false;
        }
        multiple_keys = true;
      }
      if ((migrating_slot || importing_slot) && !is_pubsubshard) {
        int flags = engine::kLookupNoTouch | engine::kLookupNoStats | engine::kLookupNoNotify |
                    engine::kLookupNoExpire;
        if (srv_->keyspace().Find(0, key, flags) == nullptr) {
          missing_keys++;
        } else {
          existing_keys++;
        }
      }
    }
    return true;
  };
  bool ok = true;
  if (is_exec) {
    for (const server::QueuedCommand& q : c.mstate) {
      std::vector<std::string_view> argv(q.argv.begin(), q.argv.end());
      if (!(ok = examine(q.cmd, argv))) break;
    }
  } else {
    ok = examine(cmd, c.argv);
  }
  auto reply = [&](Redir r, Node* target) {
    switch (r) {
      case Redir::kCrossSlot: *err = "CROSSSLOT Keys in request don't hash to the same slot"; break;
      case Redir::kUnstable: *err = "TRYAGAIN Multiple keys request during rehashing of slot"; break;
      case Redir::kDownState: *err = "CLUSTERDOWN The cluster is down"; break;
      case Redir::kDownRoState: *err = "CLUSTERDOWN The cluster is down and only accepts read commands"; break;
      case Redir::kDownUnbound: *err = "CLUSTERDOWN Hash slot not served"; break;
      case Redir::kMoved:
      case Redir::kAsk:
        *err = std::string(r == Redir::kAsk ? "ASK " : "MOVED ") + std::to_string(slot) + " " +
               PreferredEndpoint(target) + ":" + std::to_string(target->port);
        break;
      case Redir::kNone: break;
    }
    return false;
  };
  if (!ok) return reply(code, nullptr);
  if (n == nullptr) return true;  // no keys
  bool is_write = cmd->has(server::kCmdWrite) || (is_exec && exec_writes);
  if (!state_ok_) {
    if (is_pubsubshard) {
      if (!srv_->cfg().cluster_allow_pubsubshard_when_down) return reply(Redir::kDownState, nullptr);
    } else if (!srv_->cfg().cluster_allow_reads_when_down) {
      return reply(Redir::kDownState, nullptr);
    } else if (is_write) {
      return reply(Redir::kDownRoState, nullptr);
    }
  }
  // MIGRATE moves keys out of a migrating slot: it must run here.
  if ((migrating_slot || importing_slot) && cmd->name == "migrate") return true;
  if (migrating_slot && missing_keys) {
    if (existing_keys) return reply(Redir::kUnstable, nullptr);
    return reply(Redir::kAsk, migrating_[slot]);
  }
  if (importing_slot && ((c.flags & server::kClientAsking) || cmd->has(server::kCmdAsking))) {
    if (multiple_keys && missing_keys) return reply(Redir::kUnstable, nullptr);
    return true;
  }
  if (((c.flags & server::kClientReadonly) || is_pubsubshard) && !is_write && myself_->is_replica() &&
      myself_->replicaof == n) {
    return true;
  }
  if (n != myself_) return reply(Redir::kMoved, n);
  return true;
}

bool Cluster::RedirectBlocked(server::Client& c) {
  if (!(c.flags & server::kClientBlocked) || !c.bstate || c.bstate->keys.empty()) return false;
  // Why only keyed blocking: WAIT and paused clients are not about a slot.
  if (c.flags & server::kClientWaitAcks) return false;
  std::string msg;
  if (!state_ok_) {
    msg = "CLUSTERDOWN The cluster is down";
  } else {
    const std::string& key = c.bstate->keys.front();
    int slot = base::KeyHashSlot(key);
    Node* node = slots_[slot];
    if ((c.flags & server::kClientReadonly) && c.last_cmd && !c.last_cmd->has(server::kCmdWrite) &&
        myself_->is_replica() && myself_->replicaof == node) {
      node = myself_;
    }
    if (node == myself_ || importing_[slot] != nullptr) return false;
    if (node == nullptr) {
      msg = "CLUSTERDOWN Hash slot not served";
    } else {
      msg = "MOVED " + std::to_string(slot) + " " + PreferredEndpoint(node) + ":" + std::to_string(node->port);
    }
  }
  c.bstate->error = msg;
  return srv_->blocking().Unblock(c, true);
}

}  // namespace vireo::cluster
