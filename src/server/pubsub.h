// PubSub: channels, patterns and shard channels, who listens to them, and
// the delivery of messages (PUBLISH, SPUBLISH, keyspace notifications, and
// later Sentinel's hello messages and tracking's RESP2 redirection).
//
// Why here and not in commands/: delivery is a server service — the
// keyspace listener publishes notifications, the cluster bus will deliver
// PUBLISH from other nodes, tracking publishes invalidations — so the
// registry lives beside the clients it writes to; commands/pubsub.cc only
// parses and replies.
//
// Redis's model (pubsub.c): the server maps each channel / pattern / shard
// channel to its subscribers in subscription order; each client keeps its
// own set of channels and shard channels and its list of patterns. A
// message to a channel goes to its subscribers, then, for every pattern
// that matches the channel (Redis's glob, base/glob.h), to that pattern's
// subscribers (shard channels have no patterns).
//
// A message is serialised once per PUBLISH: the RESP2 frame is built in a
// reused buffer and every subscriber's output gets those bytes (a RESP3
// client the same frame with '>' for '*'). Frames of kShareThreshold bytes
// or more are not copied per subscriber: one refcounted block is referenced
// from each subscriber's output chain (protocol::ReplyBuffer::AppendShared).
//
// Closed clients stay registered until they are freed (before the loop
// sleeps), like Redis's CLOSE_ASAP clients: a message skips them but counts
// them as receivers, and nothing is removed while a delivery iterates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vireo::protocol {
class SharedBlock;
}

namespace vireo::server {

class Client;
class Server;

// Transparent hashing so maps keyed by std::string are searched with a
// string_view (no temporary string per lookup).
struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Appends a push frame (or any out-of-band bytes: pub/sub messages,
// tracking invalidations) to a client's output, whatever CLIENT REPLY says
// (Redis's CLIENT_PUSHING), schedules the write and applies the output
// buffer limits. Closed clients get nothing.
void PushBytes(Server* srv, Client* c, std::string_view bytes);
// Appends "$<len>\r\n<s>\r\n" (frames built once for many clients).
void AppendRespBulk(std::string* out, std::string_view s);

// One client's subscriptions (Client::pubsub, created on first subscribe).
struct ClientPubSub {
  std::unordered_set<std::string, SvHash, std::equal_to<>> channels;
  std::unordered_set<std::string, SvHash, std::equal_to<>> shard_channels;
  // Why a list: Redis keeps a client's patterns in subscription order and
  // PUNSUBSCRIBE without arguments answers in that order.
  std::vector<std::string> patterns;
};

class PubSub {
 public:
  // Frames at least this long are shared between subscribers, not copied.
  static constexpr size_t kShareThreshold = 4096;

  explicit PubSub(Server* srv) : srv_(srv) {}
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // --- subscriptions (each replies Redis's (un)subscribe confirmation) -----
  // `shard` selects the shard channels (SSUBSCRIBE / SUNSUBSCRIBE).
  void Subscribe(Client& c, std::string_view channel, bool shard);
  void Unsubscribe(Client& c, std::string_view channel, bool shard, bool notify);
  // UNSUBSCRIBE / SUNSUBSCRIBE without arguments: every channel, or one
  // confirmation with a null channel when there was none. Returns the count.
  int UnsubscribeAll(Client& c, bool shard, bool notify);
  void PSubscribe(Client& c, std::string_view pattern);
  void PUnsubscribe(Client& c, std::string_view pattern, bool notify);
  int PUnsubscribeAll(Client& c, bool notify);
  // RESET and client release: drop everything, no confirmations.
  void Forget(Client& c);
  // Sets or clears the client's pubsub flag from its subscription count
  // (Redis: CLIENT_PUBSUB while it has any channel, pattern or shard channel).
  static void UpdateFlag(Client& c);

  // Redis's clientSubscriptionsCount (channels + patterns) and
  // clientShardSubscriptionsCount.
  static int SubscriptionCount(const Client& c);
  static int ShardSubscriptionCount(const Client& c);

  // --- messages -------------------------------------------------------------
  // Delivers to the subscribers of `channel` (and of matching patterns
  // unless shard); returns the number of receivers.
  int Publish(std::string_view channel, std::string_view message, bool shard);
  // Cluster: the shard channels of a slot this shard no longer serves are
  // unsubscribed from every client, each told with "sunsubscribe"
  // (Redis's removeChannelsInSlot).
  void RemoveShardChannelsInSlot(int slot);
  // Redis's notifyKeyspaceEvent: `flags` is notify-keyspace-events.
  void NotifyKeyspaceEvent(int flags, int type, std::string_view event, int db,
                           std::string_view key);

  // --- introspection ------------------------------------------------------
  size_t num_channels() const { return channels_.size(); }
  size_t num_patterns() const { return patterns_.size(); }
  size_t num_shard_channels() const { return shard_channels_.size(); }
  // Subscribers of a channel (PUBSUB NUMSUB / SHARDNUMSUB).
  size_t NumSubscribers(std::string_view channel, bool shard) const;
  // Active channels matching `pattern` (all when empty view and !has_pattern).
  void ListChannels(bool shard, const std::string_view* pattern,
                    const std::function<void(std::string_view)>& fn) const;
  // A client's subscription bookkeeping (CLIENT LIST tot-mem), as Redis's
  // pubsubMemOverhead.
  size_t MemoryOverhead(const Client& c) const;

 private:
  using Subscribers = std::vector<Client*>;
  using ChannelMap = std::unordered_map<std::string, Subscribers, SvHash, std::equal_to<>>;

  ClientPubSub& StateOf(Client& c);
  // The confirmation frame: kind ("subscribe"...), the name (null when
  // empty optional) and the count.
  void Confirm(Client& c, std::string_view kind, const std::string_view* name, int count);
  // Appends the frame in frame_ (RESP2 form) to one subscriber's output.
  void Deliver(Client* c, protocol::SharedBlock* shared);
  // Builds the shared block for frame_ when it is long enough (else null).
  protocol::SharedBlock* MaybeShare();
  static void RemoveFrom(ChannelMap& map, std::string_view name, Client* c);

  Server* srv_;
  ChannelMap channels_;
  ChannelMap shard_channels_;
  ChannelMap patterns_;
  std::string frame_;    // the message being delivered (RESP2 form)
  std::string channel_;  // scratch for keyspace notification channels
};

}  // namespace vireo::server
