// Pub/Sub commands (Redis pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE
// PUNSUBSCRIBE PUBLISH SSUBSCRIBE SUNSUBSCRIBE SPUBLISH and PUBSUB
// CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP.
//
// The registry and the delivery live in server/pubsub.h; these handlers
// check Redis's preconditions, call it and reply. Each (un)subscription is
// confirmed by the registry with a push frame (an array in RESP2), one per
// channel, as Redis does.
#include "commands/common.h"
#include "commands/sentinel_cmd.h"
#include "server/pubsub.h"

namespace vireo::commands {

namespace {

server::PubSub& PS() { return g_server->pubsub(); }

// Why: a client that expects exactly one reply per command (a blocked-
// command context such as a script, or MULTI in 7.0's special case below)
// cannot enter subscribed mode. Redis keeps MULTI allowed for
// SUBSCRIBE/PSUBSCRIBE "for backward compatibility" but not for SSUBSCRIBE.
bool DenySubscribe(Client& c, std::string_view what, bool allow_multi) {
  if (!(c.flags & server::kClientDenyBlocking)) return false;
  if (allow_multi && (c.flags & server::kClientMulti)) return false;
  Err(c, server::err::DenyBlockingSubscribe(what));
  return true;
}

void CmdSubscribe(Client& c) {
  if (DenySubscribe(c, "SUBSCRIBE", true)) return;
  for (size_t i = 1; i < c.argv.size(); i++) PS().Subscribe(c, c.argv[i], false);
  c.flags |= server::kClientPubsub;
}

void CmdSSubscribe(Client& c) {
  if (DenySubscribe(c, "SSUBSCRIBE", false)) return;
  for (size_t i = 1; i < c.argv.size(); i++) PS().Subscribe(c, c.argv[i], true);
  c.flags |= server::kClientPubsub;
}

void CmdPSubscribe(Client& c) {
  if (DenySubscribe(c, "PSUBSCRIBE", true)) return;
  for (size_t i = 1; i < c.argv.size(); i++) PS().PSubscribe(c, c.argv[i]);
  c.flags |= server::kClientPubsub;
}

void Unsubscribe(Client& c, bool shard) {
  if (c.argv.size() == 1) {
    PS().UnsubscribeAll(c, shard, true);
  } else {
    for (size_t i = 1; i < c.argv.size(); i++) PS().Unsubscribe(c, c.argv[i], shard, true);
  }
  server::PubSub::UpdateFlag(c);
}

void CmdUnsubscribe(Client& c) { Unsubscribe(c, false); }
void CmdSUnsubscribe(Client& c) { Unsubscribe(c, true); }

void CmdPUnsubscribe(Client& c) {
  if (c.argv.size() == 1) {
    PS().PUnsubscribeAll(c, true);
  } else {
    for (size_t i = 1; i < c.argv.size(); i++) PS().PUnsubscribe(c, c.argv[i], true);
  }
  server::PubSub::UpdateFlag(c);
}

void Publish(Client& c, bool shard) {
  int receivers = PS().Publish(c.argv[1], c.argv[2], shard);
  // Why: outside cluster mode Redis sends PUBLISH down the replication
  // stream (not to the AOF) so that subscribers of replicas hear it; in a
  // cluster the bus carries it instead.
  if (!g_server->cfg().cluster_enabled) {
    ForceReplicaPropagation(c);
  } else if (auto* cl = g_server->cluster()) {
    cl->PropagatePublish(c.argv[1], c.argv[2], shard);
  }
  c.reply.Int(receivers);
}

void CmdPublish(Client& c) {
  // In sentinel mode PUBLISH only takes hello messages from other sentinels.
  if (g_server->sentinel_mode) return SentinelPublish(c);
  Publish(c, false);
}
void CmdSPublish(Client& c) { Publish(c, true); }

const char* const kPubsubHelp[] = {
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    nullptr};

void CmdPubsubHelp(Client& c) { ReplyHelp(c, kPubsubHelp); }

void ListChannels(Client& c, bool shard) {
  // Why: the arity (-2) admits any count; pubsubCommand takes at most one
  // pattern and answers more with the subcommand syntax error.
  if (c.argv.size() > 3) {
    ReplySubcommandSyntaxError(c);
    return;
  }
  std::string_view pat;
  if (c.argv.size() == 3) pat = c.argv[2];
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  PS().ListChannels(shard, c.argv.size() == 3 ? &pat : nullptr, [&](std::string_view ch) {
    c.reply.Bulk(ch);
    n++;
  });
  c.reply.EndDeferredArray(d, n);
}

void NumSub(Client& c, bool shard) {
  // Why: a flat array of channel, count pairs in RESP3 too (Redis uses
  // addReplyArrayLen, not a map).
  c.reply.ArrayLen(static_cast<int64_t>((c.argv.size() - 2) * 2));
  for (size_t i = 2; i < c.argv.size(); i++) {
    c.reply.Bulk(c.argv[i]);
    c.reply.Int(static_cast<int64_t>(PS().NumSubscribers(c.argv[i], shard)));
  }
}

void CmdPubsubChannels(Client& c) { ListChannels(c, false); }
void CmdPubsubShardChannels(Client& c) { ListChannels(c, true); }
void CmdPubsubNumSub(Client& c) { NumSub(c, false); }
void CmdPubsubShardNumSub(Client& c) { NumSub(c, true); }
void CmdPubsubNumPat(Client& c) { c.reply.Int(static_cast<int64_t>(PS().num_patterns())); }

}  // namespace

void RegisterPubsubFamily(server::CommandTable& t) {
  t.Register("subscribe", CmdSubscribe);
  t.Register("unsubscribe", CmdUnsubscribe);
  t.Register("psubscribe", CmdPSubscribe);
  t.Register("punsubscribe", CmdPUnsubscribe);
  t.Register("ssubscribe", CmdSSubscribe);
  t.Register("sunsubscribe", CmdSUnsubscribe);
  t.Register("publish", CmdPublish);
  t.Register("spublish", CmdSPublish);
  t.Register("pubsub|help", CmdPubsubHelp);
  t.Register("pubsub|channels", CmdPubsubChannels);
  t.Register("pubsub|numsub", CmdPubsubNumSub);
  t.Register("pubsub|numpat", CmdPubsubNumPat);
  t.Register("pubsub|shardchannels", CmdPubsubShardChannels);
  t.Register("pubsub|shardnumsub", CmdPubsubShardNumSub);
}

}  // namespace vireo::commands
