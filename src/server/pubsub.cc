// See pubsub.h.
#include "server/pubsub.h"

#include <algorithm>
#include <cstdio>

#include "base/crc16.h"
#include "base/glob.h"
#include "protocol/reply_buffer.h"
#include "server/client.h"
#include "server/config.h"
#include "server/server.h"

namespace vireo::server {

void AppendRespBulk(std::string* out, std::string_view s) {
  char hdr[32];
  int n = snprintf(hdr, sizeof(hdr), "$%zu\r\n", s.size());
  out->append(hdr, static_cast<size_t>(n));
  out->append(s);
  out->append("\r\n", 2);
}

namespace {

// The channel kinds: the confirmation names and the message type.
struct Kind {
  std::string_view subscribe, unsubscribe, message_hdr;
};
constexpr Kind kChannel{"subscribe", "unsubscribe", "*3\r\n$7\r\nmessage\r\n"};
constexpr Kind kShard{"ssubscribe", "sunsubscribe", "*3\r\n$8\r\nsmessage\r\n"};

}  // namespace

void PushBytes(Server* srv, Client* c, std::string_view bytes) {
  if (c->closed()) return;
  c->out().Append(bytes);
  if (c->has_connection()) srv->AddPendingWrite(c);
  c->EnforceOutputLimits();
}

ClientPubSub& PubSub::StateOf(Client& c) {
  if (!c.pubsub) c.pubsub = std::make_unique<ClientPubSub>();
  return *c.pubsub;
}

int PubSub::SubscriptionCount(const Client& c) {
  if (!c.pubsub) return 0;
  return static_cast<int>(c.pubsub->channels.size() + c.pubsub->patterns.size());
}

int PubSub::ShardSubscriptionCount(const Client& c) {
  return c.pubsub ? static_cast<int>(c.pubsub->shard_channels.size()) : 0;
}

void PubSub::UpdateFlag(Client& c) {
  if (SubscriptionCount(c) + ShardSubscriptionCount(c) > 0)
    c.flags |= kClientPubsub;
  else
    c.flags &= ~kClientPubsub;
}

void PubSub::Confirm(Client& c, std::string_view kind, const std::string_view* name, int count) {
  // Why: confirmations are pushes in Redis (CLIENT_PUSHING), written even
  // under CLIENT REPLY OFF / SKIP.
  bool muted = c.reply.muted;
  c.reply.muted = false;
  c.reply.PushLen(3);
  c.reply.Bulk(kind);
  if (name)
    c.reply.Bulk(*name);
  else
    c.reply.Null();
  c.reply.Int(count);
  c.reply.muted = muted;
}

void PubSub::RemoveFrom(ChannelMap& map, std::string_view name, Client* c) {
  auto it = map.find(name);
  if (it == map.end()) return;
  Subscribers& subs = it->second;
  subs.erase(std::find(subs.begin(), subs.end(), c));
  // Why: Redis drops a channel nobody listens to, so PUBSUB CHANNELS and
  // memory do not grow with channels used once.
  if (subs.empty()) map.erase(it);
}

void PubSub::Subscribe(Client& c, std::string_view channel, bool shard) {
  ClientPubSub& st = StateOf(c);
  auto& mine = shard ? st.shard_channels : st.channels;
  if (mine.emplace(channel).second) {
    ChannelMap& map = shard ? shard_channels_ : channels_;
    auto it = map.find(channel);
    if (it == map.end()) it = map.emplace(std::string(channel), Subscribers{}).first;
    it->second.push_back(&c);
  }
  const Kind& k = shard ? kShard : kChannel;
  Confirm(c, k.subscribe, &channel, shard ? ShardSubscriptionCount(c) : SubscriptionCount(c));
}

void PubSub::Unsubscribe(Client& c, std::string_view channel, bool shard, bool notify) {
  if (c.pubsub) {
    auto& mine = shard ? c.pubsub->shard_channels : c.pubsub->channels;
    auto it = mine.find(channel);
    if (it != mine.end()) {
      RemoveFrom(shard ? shard_channels_ : channels_, channel, &c);
      // `channel` may view the erased string: confirm before erasing.
      if (notify) {
        const Kind& k = shard ? kShard : kChannel;
        std::string name = *it;
        mine.erase(it);
        std::string_view v = name;
        Confirm(c, k.unsubscribe, &v, shard ? ShardSubscriptionCount(c) : SubscriptionCount(c));
        return;
      }
      mine.erase(it);
      return;
    }
  }
  if (notify) {
    const Kind& k = shard ? kShard : kChannel;
    Confirm(c, k.unsubscribe, &channel, shard ? ShardSubscriptionCount(c) : SubscriptionCount(c));
  }
}

int PubSub::UnsubscribeAll(Client& c, bool shard, bool notify) {
  int count = 0;
  if (c.pubsub) {
    auto& mine = shard ? c.pubsub->shard_channels : c.pubsub->channels;
    while (!mine.empty()) {
      std::string name = *mine.begin();
      Unsubscribe(c, name, shard, notify);
      count++;
    }
  }
  // Why: Redis still confirms, with a null channel, when there was nothing.
  if (notify && count == 0) {
    const Kind& k = shard ? kShard : kChannel;
    Confirm(c, k.unsubscribe, nullptr, shard ? ShardSubscriptionCount(c) : SubscriptionCount(c));
  }
  return count;
}

void PubSub::PSubscribe(Client& c, std::string_view pattern) {
  ClientPubSub& st = StateOf(c);
  if (std::find(st.patterns.begin(), st.patterns.end(), pattern) == st.patterns.end()) {
    st.patterns.emplace_back(pattern);
    auto it = patterns_.find(pattern);
    if (it == patterns_.end()) it = patterns_.emplace(std::string(pattern), Subscribers{}).first;
    it->second.push_back(&c);
  }
  Confirm(c, "psubscribe", &pattern, SubscriptionCount(c));
}

void PubSub::PUnsubscribe(Client& c, std::string_view pattern, bool notify) {
  if (c.pubsub) {
    auto& pats = c.pubsub->patterns;
    auto it = std::find(pats.begin(), pats.end(), pattern);
    if (it != pats.end()) {
      std::string name = std::move(*it);
      pats.erase(it);
      RemoveFrom(patterns_, name, &c);
      if (notify) {
        std::string_view v = name;
        Confirm(c, "punsubscribe", &v, SubscriptionCount(c));
      }
      return;
    }
  }
  if (notify) Confirm(c, "punsubscribe", &pattern, SubscriptionCount(c));
}

int PubSub::PUnsubscribeAll(Client& c, bool notify) {
  int count = 0;
  if (c.pubsub) {
    // Why: in subscription order, as Redis walks the client's pattern list.
    while (!c.pubsub->patterns.empty()) {
      std::string name = c.pubsub->patterns.front();
      PUnsubscribe(c, name, notify);
      count++;
    }
  }
  if (notify && count == 0) Confirm(c, "punsubscribe", nullptr, SubscriptionCount(c));
  return count;
}

void PubSub::Forget(Client& c) {
  if (!c.pubsub) return;
  for (const std::string& ch : c.pubsub->channels) RemoveFrom(channels_, ch, &c);
  for (const std::string& ch : c.pubsub->shard_channels) RemoveFrom(shard_channels_, ch, &c);
  for (const std::string& p : c.pubsub->patterns) RemoveFrom(patterns_, p, &c);
  c.pubsub.reset();
  c.flags &= ~kClientPubsub;
}

protocol::SharedBlock* PubSub::MaybeShare() {
  if (frame_.size() < kShareThreshold) return nullptr;
  return protocol::SharedBlock::Create(frame_);
}

void PubSub::Deliver(Client* c, protocol::SharedBlock* shared) {
  if (c->closed()) return;
  protocol::ReplyBuffer& out = c->out();
  // Why: the RESP3 frame differs from the RESP2 one only by its first
  // byte ('>' push instead of '*' array).
  if (!shared) {
    if (c->resp() >= 3) out.Append(">", 1);
    // Why: Redis checks the output limits as the reply grows
    // (closeClientOnOutputBufferLimitReached); a slow subscriber is closed
    // and the publisher and everyone else go on.
    PushBytes(srv_, c, c->resp() >= 3 ? std::string_view(frame_).substr(1) : frame_);
    return;
  }
  if (c->resp() >= 3) {
    out.Append(">", 1);
    out.AppendShared(shared, 1);
  } else {
    out.AppendShared(shared);
  }
  if (c->has_connection()) srv_->AddPendingWrite(c);
  c->EnforceOutputLimits();
}

void PubSub::RemoveShardChannelsInSlot(int slot) {
  if (shard_channels_.empty()) return;
  std::vector<std::string> names;
  for (const auto& [name, subs] : shard_channels_) {
    if (base::KeyHashSlot(name) == slot) names.push_back(name);
  }
  for (const std::string& name : names) {
    auto it = shard_channels_.find(name);
    if (it == shard_channels_.end()) continue;
    auto subs = it->second;
    for (Client* c : subs) {
      Unsubscribe(*c, name, true, true);
      UpdateFlag(*c);
      // Why: the notice goes to another client than the running one.
      srv_->AddPendingWrite(c);
    }
  }
}

int PubSub::Publish(std::string_view channel, std::string_view message, bool shard) {
  int receivers = 0;
  const Kind& k = shard ? kShard : kChannel;
  ChannelMap& map = shard ? shard_channels_ : channels_;
  auto it = map.find(channel);
  if (it != map.end()) {
    frame_.assign(k.message_hdr);
    AppendRespBulk(&frame_, channel);
    AppendRespBulk(&frame_, message);
    protocol::SharedBlock* shared = MaybeShare();
    for (Client* c : it->second) {
      Deliver(c, shared);
      receivers++;
    }
    if (shared) shared->Unref();
  }
  // Why: shard channels have no pattern subscriptions (Redis 7.0).
  if (shard) return receivers;
  for (auto& [pattern, subs] : patterns_) {
    if (!base::GlobMatch(pattern, channel, false)) continue;
    frame_.assign("*4\r\n$8\r\npmessage\r\n");
    AppendRespBulk(&frame_, pattern);
    AppendRespBulk(&frame_, channel);
    AppendRespBulk(&frame_, message);
    protocol::SharedBlock* shared = MaybeShare();
    for (Client* c : subs) {
      Deliver(c, shared);
      receivers++;
    }
    if (shared) shared->Unref();
  }
  return receivers;
}

void PubSub::NotifyKeyspaceEvent(int flags, int type, std::string_view event, int db,
                                 std::string_view key) {
  if (!(flags & type)) return;
  char dbbuf[24];
  int dblen = snprintf(dbbuf, sizeof(dbbuf), "%d", db);
  auto publish = [&](std::string_view prefix, std::string_view suffix, std::string_view msg) {
    channel_.assign(prefix);
    channel_.append(dbbuf, static_cast<size_t>(dblen));
    channel_.append("__:");
    channel_.append(suffix);
    Publish(channel_, msg, false);
  };
  // __keyspace@<db>__:<key> <event>, then __keyevent@<db>__:<event> <key>
  if (flags & kNotifyKeyspace) publish("__keyspace@", key, event);
  if (flags & kNotifyKeyevent) publish("__keyevent@", event, key);
}

size_t PubSub::NumSubscribers(std::string_view channel, bool shard) const {
  const ChannelMap& map = shard ? shard_channels_ : channels_;
  auto it = map.find(channel);
  return it == map.end() ? 0 : it->second.size();
}

void PubSub::ListChannels(bool shard, const std::string_view* pattern,
                          const std::function<void(std::string_view)>& fn) const {
  const ChannelMap& map = shard ? shard_channels_ : channels_;
  for (const auto& [name, subs] : map) {
    if (!pattern || base::GlobMatch(*pattern, name, false)) fn(name);
  }
}

size_t PubSub::MemoryOverhead(const Client& c) const {
  if (!c.pubsub) return 0;
  // Redis's pubsubMemOverhead: list nodes for patterns, dict entries and
  // buckets for channels.
  size_t mem = c.pubsub->patterns.size() * 3 * sizeof(void*);
  mem += (c.pubsub->channels.size() + c.pubsub->shard_channels.size()) * 3 * sizeof(void*);
  mem += (c.pubsub->channels.bucket_count() + c.pubsub->shard_channels.bucket_count()) *
         sizeof(void*);
  return mem;
}

}  // namespace vireo::server
