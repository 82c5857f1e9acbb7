// Tracking: server-assisted client-side caching (Redis 7.0 tracking.c).
//
// A client with CLIENT TRACKING ON is told when a key it may have cached
// changes. Two modes, as Redis:
//  - default: after a read-only command the keys it read are remembered in
//    the tracking table (key -> ids of the clients that read it; OPTIN /
//    OPTOUT with CLIENT CACHING select which reads count). When such a key
//    is modified (the keyspace listener's KeyModified: commands, expiry,
//    eviction), each remembered client gets one `invalidate` message and
//    the key leaves the table until it is read again.
//  - BCAST: no table; the client registers prefixes, every key modified
//    under a prefix is collected and, before the loop sleeps, the clients of
//    that prefix receive all of them in one message (NOLOOP clients without
//    the keys they changed themselves).
// FLUSHALL / FLUSHDB send a null invalidation (everything) to every
// tracking client and empty the table (SWAPDB does not, as in Redis 7.0).
//
// Messages: RESP3 clients get a push `>2 invalidate [keys]`; with REDIRECT
// the message goes to the other client — as a push if it speaks RESP3, as a
// Pub/Sub `message` on `__redis__:invalidate` if it is a RESP2 subscriber
// (Redis sends nothing otherwise). A redirect target that went away marks
// the client broken (flag R) and, for RESP3, pushes `tracking-redir-broken`.
// An invalidation for the client running the current command waits until
// its reply is written (Redis's tracking_pending_keys), so it never lands
// inside the reply.
//
// `tracking-table-max-keys`: before each command (and in the cron) random
// keys are evicted from the table, invalidating their clients, until the
// table fits, with Redis's growing effort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/pubsub.h"

namespace vireo::server {

class Client;
class Server;

// One client's tracking settings (Client::tracking while tracking is on,
// or BCAST prefixes; flags live in Client::flags).
struct ClientTracking {
  uint64_t redirect = 0;
  std::set<std::string> prefixes;  // BCAST prefixes, ordered as Redis's rax
};

class Tracking {
 public:
  explicit Tracking(Server* srv) : srv_(srv) {}
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // CLIENT TRACKING ON after its checks; `options` are the kClientTracking*
  // option flags (BCAST OPTIN OPTOUT NOLOOP).
  void Enable(Client& c, uint64_t redirect, uint64_t options,
              const std::vector<std::string_view>& prefixes);
  // CLIENT TRACKING OFF, RESET, client release.
  void Disable(Client& c);
  // Redis's checkPrefixCollisionsOrReply: the error text, or empty;
  // `*proceed` tells whether CLIENT TRACKING goes on after the error.
  std::string CheckPrefixCollisions(const Client& c, const std::vector<std::string_view>& prefixes,
                                    bool* proceed) const;

  // After a read-only command of a tracking (non-BCAST) client.
  void RememberKeys(Client& c);
  // A key changed (KeyModified); `current` is the client running the command.
  void InvalidateKey(std::string_view key, bool bcast);
  // The key just reported by InvalidateKey was removed by expiry or
  // eviction: for BCAST it changed by nobody's command (NOLOOP clients are
  // told even when their own read expired it).
  void ModifiedByServer(std::string_view key);
  // FLUSHALL / FLUSHDB.
  void InvalidateAll();
  // After the outermost command: the invalidations held for its client.
  void HandlePending();
  bool has_pending() const { return !pending_keys_.empty(); }
  // Before the loop sleeps: BCAST messages.
  void BroadcastPending();
  // tracking-table-max-keys.
  void LimitUsedSlots();

  size_t clients() const { return tracking_clients_; }
  size_t total_keys() const { return table_.size(); }
  size_t total_items() const { return total_items_; }
  size_t total_prefixes() const { return prefixes_.size(); }

 private:
  struct Bcast {
    std::map<std::string, const Client*, std::less<>> keys;  // key -> who changed it last
    std::set<Client*> clients;
  };
  using Ids = std::vector<uint64_t>;

  // Redis's sendTrackingMessage: `value` is RESP bytes when `proto`, a
  // key name otherwise.
  void Send(Client* c, std::string_view value, bool proto);

  Server* srv_;
  size_t tracking_clients_ = 0;
  std::unordered_map<std::string, Ids, SvHash, std::equal_to<>> table_;
  size_t total_items_ = 0;
  std::map<std::string, Bcast> prefixes_;
  // Held for the current client: keys, and "" + flush_pending_ for a null.
  std::vector<std::string> pending_keys_;
  std::vector<bool> pending_null_;
  int limit_timeout_counter_ = 0;
  std::string scratch_;
};

}  // namespace vireo::server
