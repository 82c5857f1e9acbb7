// CLUSTER and its subcommands, ASKING, READONLY, READWRITE (Redis
// 7.0.15's clusterCommand, askingCommand, readonlyCommand,
// readwriteCommand). They parse, change the node's view through
// cluster/cluster.h and reply with Redis's texts. Without cluster-enabled
// every one of them answers "This instance has cluster support disabled".
#include <cerrno>
#include <cstring>

#include "base/crc16.h"
#include "cluster/cluster.h"
#include "commands/common.h"
#include "server/log.h"

namespace vireo::commands {

namespace {

using cluster::Cluster;
using cluster::Node;
using cluster::kSlots;

constexpr std::string_view kDisabled = "ERR This instance has cluster support disabled";

// The cluster, or null after replying the disabled error.
Cluster* Cl(Client& c) {
  Cluster* cl = cluster::Get();
  if (!cl) Err(c, kDisabled);
  return cl;
}

// Redis's getSlotOrReply.
bool GetSlot(Client& c, std::string_view s, int* slot) {
  int64_t v;
  if (!base::StringToInt64(s, &v) || v < 0 || v >= kSlots) {
    Err(c, "ERR Invalid or out of range slot");
    return false;
  }
  *slot = static_cast<int>(v);
  return true;
}

Node* LookupOrErr(Client& c, Cluster* cl, std::string_view name) {
  Node* n = cl->LookupNode(name);
  if (!n) Err(c, "ERR Unknown node " + std::string(name));
  return n;
}

const char* const kHelp[] = {
    "ADDSLOTS <slot> [<slot> ...]",
    "    Assign slots to current node.",
    "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Assign slots which are between <start-slot> and <end-slot> to current node.",
    "BUMPEPOCH",
    "    Advance the cluster config epoch.",
    "COUNT-FAILURE-REPORTS <node-id>",
    "    Return number of failure reports for <node-id>.",
    "COUNTKEYSINSLOT <slot>",
    "    Return the number of keys in <slot>.",
    "DELSLOTS <slot> [<slot> ...]",
    "    Delete slots information from current node.",
    "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
    "FAILOVER [FORCE|TAKEOVER]",
    "    Promote current replica node to being a master.",
    "FORGET <node-id>",
    "    Remove a node from the cluster.",
    "GETKEYSINSLOT <slot> <count>",
    "    Return key names stored by current node in a slot.",
    "FLUSHSLOTS",
    "    Delete current node own slots information.",
    "INFO",
    "    Return information about the cluster.",
    "KEYSLOT <key>",
    "    Return the hash slot for <key>.",
    "MEET <ip> <port> [<bus-port>]",
    "    Connect nodes into a working cluster.",
    "MYID",
    "    Return the node id.",
    "NODES",
    "    Return cluster configuration seen by node. Output format:",
    "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
    "REPLICATE <node-id>",
    "    Configure current node as replica to <node-id>.",
    "RESET [HARD|SOFT]",
    "    Reset current node (default: soft).",
    "SET-CONFIG-EPOCH <epoch>",
    "    Set config epoch of current node.",
    "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
    "    Set slot state.",
    "REPLICAS <node-id>",
    "    Return <node-id> replicas.",
    "SAVECONFIG",
    "    Force saving cluster configuration on disk.",
    "SLOTS",
    "    Return information about slots range mappings. Each range is made of:",
    "    start, end, master and replicas IP addresses, ports and ids",
    "SHARDS",
    "    Return information about slot range mappings and the nodes associated with them.",
    "LINKS",
    "    Return information about all network links between this node and its peers.",
    "    Output format is an array where each array element is a map containing attributes of a link",
    nullptr,
};

void Help(Client& c) {
  if (Cl(c)) ReplyHelp(c, kHelp);
}

void Meet(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  if (c.argv.size() != 4 && c.argv.size() != 5) return ReplySubcommandSyntaxError(c);
  int64_t port, cport;
  if (!base::StringToInt64(c.argv[3], &port)) {
    return Err(c, "ERR Invalid TCP base port specified: " + std::string(c.argv[3]));
  }
  if (c.argv.size() == 5) {
    if (!base::StringToInt64(c.argv[4], &cport)) {
      return Err(c, "ERR Invalid TCP bus port specified: " + std::string(c.argv[4]));
    }
  } else {
    cport = port + 10000;
  }
  // Why only EINVAL: a handshake already in progress (EAGAIN) is fine.
  if (!cl->StartHandshake(std::string(c.argv[2]), static_cast<int>(port), static_cast<int>(cport)) &&
      errno == EINVAL) {
    return Err(c, "ERR Invalid node address specified: " + std::string(c.argv[2]) + ":" + std::string(c.argv[3]));
  }
  c.reply.Ok();
}

void Nodes(Client& c) {
  if (Cluster* cl = Cl(c)) c.reply.Verbatim(cl->NodesDescription(0, false));
}

void MyId(Client& c) {
  if (Cluster* cl = Cl(c)) c.reply.Bulk(cl->myself()->name);
}

// addNodeToNodeReply (CLUSTER SLOTS).
void NodeReply(Client& c, Node* n) {
  int pref = g_server->cfg().cluster_preferred_endpoint_type;
  c.reply.ArrayLen(4);
  if (pref == 0) {
    c.reply.Bulk(n->ip);
  } else if (pref == 1) {
    c.reply.Bulk(n->hostname.empty() ? "?" : n->hostname);
  } else {
    c.reply.Null();
  }
  c.reply.Int(n->port);
  c.reply.Bulk(n->name);
  int len = (pref != 0 ? 1 : 0) + (pref != 1 && !n->hostname.empty() ? 1 : 0);
  c.reply.MapLen(len);
  if (pref != 0) {
    c.reply.Bulk("ip");
    c.reply.Bulk(n->ip);
  }
  if (pref != 1 && !n->hostname.empty()) {
    c.reply.Bulk("hostname");
    c.reply.Bulk(n->hostname);
  }
}

// isReplicaAvailable: not failed, and has synced something.
bool ReplicaAvailable(Cluster* cl, Node* n) {
  if (n->failed()) return false;
  int64_t off = n->myself() ? cl->MyReplOffset() : n->repl_offset;
  return off != 0;
}

void Slots(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  auto d = c.reply.BeginDeferred();
  int count = 0;
  Node* n = nullptr;
  int start = -1;
  for (int i = 0; i <= kSlots; i++) {
    Node* cur = i < kSlots ? cl->slot_owner(i) : nullptr;
    if (n && (i == kSlots || cur != n)) {
      int nested = 3;
      for (Node* r : n->replicas) nested += ReplicaAvailable(cl, r) ? 1 : 0;
      c.reply.ArrayLen(nested);
      c.reply.Int(start);
      c.reply.Int(i - 1);
      NodeReply(c, n);
      for (Node* r : n->replicas) {
        if (ReplicaAvailable(cl, r)) NodeReply(c, r);
      }
      count++;
    }
    if (i < kSlots && cur != n) {
      n = cur;
      start = i;
    }
  }
  c.reply.EndDeferredArray(d, count);
}

// addNodeDetailsToShardReply.
void ShardNodeReply(Client& c, Cluster* cl, Node* n) {
  auto d = c.reply.BeginDeferred();
  int count = 0;
  auto kv = [&](std::string_view k) {
    c.reply.Bulk(k);
    count++;
  };
  kv("id");
  c.reply.Bulk(n->name);
  if (n->port) {
    kv("port");
    c.reply.Int(n->port);
  }
  kv("ip");
  c.reply.Bulk(n->ip);
  kv("endpoint");
  c.reply.Bulk(cl->PreferredEndpoint(n));
  if (!n->hostname.empty()) {
    kv("hostname");
    c.reply.Bulk(n->hostname);
  }
  int64_t off = n->myself() ? cl->MyReplOffset() : n->repl_offset;
  kv("role");
  c.reply.Bulk(n->is_replica() ? "replica" : "master");
  kv("replication-offset");
  c.reply.Int(off);
  kv("health");
  c.reply.Bulk(n->failed() ? "fail" : (n->is_replica() && off == 0) ? "loading" : "online");
  c.reply.EndDeferredMap(d, count);
}

void Shards(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  std::map<Node*, std::vector<int>> ranges;
  Node* cur = nullptr;
  int start = -1;
  for (int i = 0; i <= kSlots; i++) {
    Node* n = i < kSlots ? cl->slot_owner(i) : nullptr;
    if (n == cur) continue;
    if (cur) {
      ranges[cur].push_back(start);
      ranges[cur].push_back(i - 1);
    }
    cur = n;
    start = i;
  }
  auto d = c.reply.BeginDeferred();
  int shards = 0;
  for (Node* n : cl->nodes()) {
    if (!n->is_master()) continue;
    shards++;
    c.reply.MapLen(2);
    c.reply.Bulk("slots");
    auto it = ranges.find(n);
    if (it == ranges.end()) {
      c.reply.ArrayLen(0);
    } else {
      c.reply.ArrayLen(static_cast<int64_t>(it->second.size()));
      for (int s : it->second) c.reply.Int(s);
    }
    c.reply.Bulk("nodes");
    c.reply.ArrayLen(1 + static_cast<int64_t>(n->replicas.size()));
    ShardNodeReply(c, cl, n);
    for (Node* r : n->replicas) ShardNodeReply(c, cl, r);
  }
  c.reply.EndDeferredArray(d, shards);
}

void FlushSlots(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  if (KS().size(0) != 0) return Err(c, "ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
  cl->DelNodeSlots(cl->myself());
  cl->DoBeforeSleep(cluster::kTodoUpdateState | cluster::kTodoSaveConfig);
  c.reply.Ok();
}

// checkSlotAssignmentsOrReply for [start, end].
bool CheckSlots(Client& c, Cluster* cl, std::vector<uint8_t>* seen, bool del, int start, int end) {
  for (int slot = start; slot <= end; slot++) {
    if (del && cl->slot_owner(slot) == nullptr) {
      Err(c, "ERR Slot " + std::to_string(slot) + " is already unassigned");
      return false;
    }
    if (!del && cl->slot_owner(slot)) {
      Err(c, "ERR Slot " + std::to_string(slot) + " is already busy");
      return false;
    }
    if ((*seen)[static_cast<size_t>(slot)]++ == 1) {
      Err(c, "ERR Slot " + std::to_string(slot) + " specified multiple times");
      return false;
    }
  }
  return true;
}

// clusterUpdateSlots.
void UpdateSlots(Cluster* cl, const std::vector<uint8_t>& seen, bool del) {
  for (int j = 0; j < kSlots; j++) {
    if (!seen[static_cast<size_t>(j)]) continue;
    // We are the owner now: no longer importing.
    cl->set_importing(j, nullptr);
    if (del) {
      cl->DelSlot(j);
    } else {
      cl->AddSlot(cl->myself(), j);
    }
  }
  cl->DoBeforeSleep(cluster::kTodoUpdateState | cluster::kTodoSaveConfig);
}

void AddDelSlots(Client& c, bool del) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  std::vector<uint8_t> seen(kSlots, 0);
  int slot;
  for (size_t j = 2; j < c.argv.size(); j++) {
    if (!GetSlot(c, c.argv[j], &slot)) return;
  }
  for (size_t j = 2; j < c.argv.size(); j++) {
    GetSlot(c, c.argv[j], &slot);
    if (!CheckSlots(c, cl, &seen, del, slot, slot)) return;
  }
  UpdateSlots(cl, seen, del);
  c.reply.Ok();
}
void AddSlots(Client& c) { AddDelSlots(c, false); }
void DelSlots(Client& c) { AddDelSlots(c, true); }

void AddDelSlotsRange(Client& c, bool del) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  if (c.argv.size() % 2 == 1) return Err(c, server::err::WrongArgs(c.cmd->name));
  std::vector<uint8_t> seen(kSlots, 0);
  for (size_t j = 2; j + 1 < c.argv.size(); j += 2) {
    int start, end;
    if (!GetSlot(c, c.argv[j], &start) || !GetSlot(c, c.argv[j + 1], &end)) return;
    if (start > end) {
      return Err(c, "ERR start slot number " + std::to_string(start) + " is greater than end slot number " +
                        std::to_string(end));
    }
    if (!CheckSlots(c, cl, &seen, del, start, end)) return;
  }
  UpdateSlots(cl, seen, del);
  c.reply.Ok();
}
void AddSlotsRange(Client& c) { AddDelSlotsRange(c, false); }
void DelSlotsRange(Client& c) { AddDelSlotsRange(c, true); }

void SetSlot(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  Node* me = cl->myself();
  if (me->is_replica()) return Err(c, "ERR Please use SETSLOT only with masters.");
  int slot;
  if (!GetSlot(c, c.argv[2], &slot)) return;
  std::string_view action = c.argv[3];
  size_t argc = c.argv.size();
  auto target = [&](const char* unknown_fmt) -> Node* {
    Node* n = cl->LookupNode(c.argv[4]);
    if (!n) {
      Err(c, std::string(unknown_fmt) + std::string(c.argv[4]));
      return nullptr;
    }
    if (n->is_replica()) {
      Err(c, "ERR Target node is not a master");
      return nullptr;
    }
    return n;
  };
  if (EqNoCase(action, "migrating") && argc == 5) {
    if (cl->slot_owner(slot) != me) return Err(c, "ERR I'm not the owner of hash slot " + std::to_string(slot));
    Node* n = target("ERR I don't know about node ");
    if (!n) return;
    cl->set_migrating(slot, n);
  } else if (EqNoCase(action, "importing") && argc == 5) {
    if (cl->slot_owner(slot) == me) {
      return Err(c, "ERR I'm already the owner of hash slot " + std::to_string(slot));
    }
    Node* n = target("ERR I don't know about node ");
    if (!n) return;
    cl->set_importing(slot, n);
  } else if (EqNoCase(action, "stable") && argc == 4) {
    cl->set_importing(slot, nullptr);
    cl->set_migrating(slot, nullptr);
  } else if (EqNoCase(action, "node") && argc == 5) {
    Node* n = target("ERR Unknown node ");
    if (!n) return;
    size_t keys = KS().CountKeysInSlot(slot);
    if (cl->slot_owner(slot) == me && n != me && keys != 0) {
      return Err(c, "ERR Can't assign hashslot " + std::to_string(slot) +
                        " to a different node while I still hold keys for this hash slot.");
    }
    // The last key moved: the migration is over.
    if (keys == 0 && cl->migrating_to(slot)) cl->set_migrating(slot, nullptr);
    bool was_mine = cl->slot_owner(slot) == me;
    cl->DelSlot(slot);
    cl->AddSlot(n, slot);
    // Why: a master that gave away its last slot becomes a replica of the
    // receiver (cluster-allow-replica-migration), as Redis.
    if (was_mine && n != me && me->numslots == 0 && g_server->cfg().cluster_allow_replica_migration) {
      server::Log(server::LogLevel::kWarning,
                  "Configuration change detected. Reconfiguring myself as a replica of %.40s", n->name.c_str());
      cl->SetMyMaster(n);
      cl->DoBeforeSleep(cluster::kTodoSaveConfig | cluster::kTodoUpdateState | cluster::kTodoFsyncConfig);
    }
    // The importing side takes a new epoch so its ownership wins.
    if (n == me && cl->importing_from(slot)) {
      if (cl->BumpConfigEpochWithoutConsensus()) {
        server::Log(server::LogLevel::kWarning, "configEpoch updated after importing slot %d", slot);
      }
      cl->set_importing(slot, nullptr);
      cl->BroadcastPong(false);
    }
  } else {
    return Err(c, "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
  }
  cl->DoBeforeSleep(cluster::kTodoSaveConfig | cluster::kTodoUpdateState);
  c.reply.Ok();
}

void BumpEpoch(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  bool bumped = cl->BumpConfigEpochWithoutConsensus();
  c.reply.Simple(std::string(bumped ? "BUMPED " : "STILL ") + std::to_string(cl->myself()->config_epoch));
}

void Info(Client& c) {
  if (Cluster* cl = Cl(c)) c.reply.Verbatim(cl->InfoText());
}

void SaveConfig(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  if (cl->SaveConfig(true)) return c.reply.Ok();
  Err(c, std::string("ERR error saving the cluster node config: ") + strerror(errno));
}

void KeySlot(Client& c) {
  if (Cl(c)) c.reply.Int(base::KeyHashSlot(c.argv[2]));
}

void CountKeysInSlot(Client& c) {
  if (!Cl(c)) return;
  int64_t slot;
  if (!ParseInt(c, c.argv[2], &slot)) return;
  if (slot < 0 || slot >= kSlots) return Err(c, "ERR Invalid slot");
  c.reply.Int(static_cast<int64_t>(KS().CountKeysInSlot(static_cast<int>(slot))));
}

void GetKeysInSlot(Client& c) {
  if (!Cl(c)) return;
  int64_t slot, maxkeys;
  if (!ParseInt(c, c.argv[2], &slot) || !ParseInt(c, c.argv[3], &maxkeys)) return;
  if (slot < 0 || slot >= kSlots || maxkeys < 0) return Err(c, "ERR Invalid slot or number of keys");
  std::vector<std::string> keys;
  KS().GetKeysInSlot(static_cast<int>(slot), static_cast<size_t>(maxkeys), &keys);
  c.reply.ArrayLen(static_cast<int64_t>(keys.size()));
  for (const std::string& k : keys) c.reply.Bulk(k);
}

void Forget(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  Node* n = LookupOrErr(c, cl, c.argv[2]);
  if (!n) return;
  if (n == cl->myself()) return Err(c, "ERR I tried hard but I can't forget myself...");
  if (cl->myself()->is_replica() && cl->myself()->replicaof == n) return Err(c, "ERR Can't forget my master!");
  cl->BlacklistAdd(n);
  cl->DelNode(n);
  cl->DoBeforeSleep(cluster::kTodoUpdateState | cluster::kTodoSaveConfig);
  c.reply.Ok();
}

void Replicate(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  Node* n = LookupOrErr(c, cl, c.argv[2]);
  if (!n) return;
  Node* me = cl->myself();
  if (n == me) return Err(c, "ERR Can't replicate myself");
  if (n->is_replica()) return Err(c, "ERR I can only replicate a master, not a replica.");
  if (me->is_master() && (me->numslots != 0 || KS().size(0) != 0)) {
    return Err(c, "ERR To set a master the node must be empty and without assigned slots.");
  }
  cl->SetMyMaster(n);
  cl->DoBeforeSleep(cluster::kTodoUpdateState | cluster::kTodoSaveConfig);
  c.reply.Ok();
}

void Replicas(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  Node* n = LookupOrErr(c, cl, c.argv[2]);
  if (!n) return;
  if (n->is_replica()) return Err(c, "ERR The specified node is not a master");
  c.reply.ArrayLen(static_cast<int64_t>(n->replicas.size()));
  for (Node* r : n->replicas) c.reply.Bulk(cl->NodeDescription(r, false, nullptr));
}

void CountFailureReports(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  Node* n = LookupOrErr(c, cl, c.argv[2]);
  if (n) c.reply.Int(cl->FailureReportsCount(n));
}

void Failover(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  bool force = false, takeover = false;
  if (c.argv.size() == 3) {
    if (EqNoCase(c.argv[2], "force")) {
      force = true;
    } else if (EqNoCase(c.argv[2], "takeover")) {
      takeover = force = true;
    } else {
      return ErrSyntax(c);
    }
  } else if (c.argv.size() > 3) {
    return ReplySubcommandSyntaxError(c);
  }
  std::string err = cl->StartManualFailover(force, takeover);
  if (!err.empty()) return Err(c, err);
  c.reply.Ok();
}

void SetConfigEpoch(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  int64_t epoch;
  if (!ParseInt(c, c.argv[2], &epoch)) return;
  if (epoch < 0) return Err(c, "ERR Invalid config epoch specified: " + std::to_string(epoch));
  if (cl->nodes().size() > 1) {
    return Err(c, "ERR The user can assign a config epoch only when the node does not know any other node.");
  }
  if (cl->myself()->config_epoch != 0) return Err(c, "ERR Node config epoch is already non-zero");
  cl->myself()->config_epoch = static_cast<uint64_t>(epoch);
  server::Log(server::LogLevel::kWarning, "configEpoch set to %llu via CLUSTER SET-CONFIG-EPOCH",
              static_cast<unsigned long long>(epoch));
  if (cl->current_epoch < static_cast<uint64_t>(epoch)) cl->current_epoch = static_cast<uint64_t>(epoch);
  cl->DoBeforeSleep(cluster::kTodoUpdateState | cluster::kTodoSaveConfig);
  c.reply.Ok();
}

void Reset(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  bool hard = false;
  if (c.argv.size() == 3) {
    if (EqNoCase(c.argv[2], "hard")) {
      hard = true;
    } else if (!EqNoCase(c.argv[2], "soft")) {
      return ErrSyntax(c);
    }
  } else if (c.argv.size() > 3) {
    return ReplySubcommandSyntaxError(c);
  }
  if (cl->myself()->is_master() && KS().size(c.db_index) != 0) {
    return Err(c, "ERR CLUSTER RESET can't be called with master nodes containing keys");
  }
  cl->Reset(hard);
  c.reply.Ok();
}

void LinkReply(Client& c, cluster::Link* l) {
  c.reply.MapLen(6);
  c.reply.Bulk("direction");
  c.reply.Bulk(l->inbound ? "from" : "to");
  c.reply.Bulk("node");
  c.reply.Bulk(l->node ? l->node->name : std::string());
  c.reply.Bulk("create-time");
  c.reply.Int(l->ctime);
  c.reply.Bulk("events");
  std::string ev = "r";
  if (l->send_pending() > 0 || l->connecting) ev += 'w';
  c.reply.Bulk(ev);
  c.reply.Bulk("send-buffer-allocated");
  c.reply.Int(static_cast<int64_t>(l->memory()));
  c.reply.Bulk("send-buffer-used");
  c.reply.Int(static_cast<int64_t>(l->send_pending()));
}

void Links(Client& c) {
  Cluster* cl = Cl(c);
  if (!cl) return;
  auto d = c.reply.BeginDeferred();
  int n = 0;
  for (Node* node : cl->nodes()) {
    if (node->link) {
      LinkReply(c, node->link);
      n++;
    }
    if (node->inbound_link) {
      LinkReply(c, node->inbound_link);
      n++;
    }
  }
  c.reply.EndDeferredArray(d, n);
}

void Asking(Client& c) {
  if (!Cl(c)) return;
  c.flags |= server::kClientAsking;
  c.reply.Ok();
}

void ReadOnly(Client& c) {
  if (!Cl(c)) return;
  c.flags |= server::kClientReadonly;
  c.reply.Ok();
}

void ReadWrite(Client& c) {
  if (!Cl(c)) return;
  c.flags &= ~server::kClientReadonly;
  c.reply.Ok();
}

}  // namespace

void RegisterClusterFamily(server::CommandTable& t) {
  t.Register("cluster|help", Help);
  t.Register("cluster|meet", Meet);
  t.Register("cluster|nodes", Nodes);
  t.Register("cluster|myid", MyId);
  t.Register("cluster|slots", Slots);
  t.Register("cluster|shards", Shards);
  t.Register("cluster|flushslots", FlushSlots);
  t.Register("cluster|addslots", AddSlots);
  t.Register("cluster|delslots", DelSlots);
  t.Register("cluster|addslotsrange", AddSlotsRange);
  t.Register("cluster|delslotsrange", DelSlotsRange);
  t.Register("cluster|setslot", SetSlot);
  t.Register("cluster|bumpepoch", BumpEpoch);
  t.Register("cluster|info", Info);
  t.Register("cluster|saveconfig", SaveConfig);
  t.Register("cluster|keyslot", KeySlot);
  t.Register("cluster|countkeysinslot", CountKeysInSlot);
  t.Register("cluster|getkeysinslot", GetKeysInSlot);
  t.Register("cluster|forget", Forget);
  t.Register("cluster|replicate", Replicate);
  t.Register("cluster|replicas", Replicas);
  t.Register("cluster|slaves", Replicas);
  t.Register("cluster|count-failure-reports", CountFailureReports);
  t.Register("cluster|failover", Failover);
  t.Register("cluster|set-config-epoch", SetConfigEpoch);
  t.Register("cluster|reset", Reset);
  t.Register("cluster|links", Links);
  t.Register("asking", Asking);
  t.Register("readonly", ReadOnly);
  t.Register("readwrite", ReadWrite);
}

}  // namespace vireo::commands
