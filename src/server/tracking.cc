// See tracking.h.
#include "server/tracking.h"

#include <algorithm>
#include <cstdio>

#include "base/hash.h"
#include "server/client.h"
#include "server/command.h"
#include "server/command_keys.h"
#include "server/command_meta.h"
#include "server/server.h"

namespace vireo::server {

namespace {

constexpr uint64_t kModeFlags = kClientTrackingBcast | kClientTrackingOptin |
                                kClientTrackingOptout | kClientTrackingNoloop;

// Redis's stringCheckPrefix: one is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

// Why: Redis formats the prefixes of its collision errors with %s, so a
// prefix is cut at its first NUL byte.
std::string CStr(std::string_view s) { return std::string(s.substr(0, s.find('\0'))); }

}  // namespace

void Tracking::Enable(Client& c, uint64_t redirect, uint64_t options,
                      const std::vector<std::string_view>& prefixes) {
  if (!(c.flags & kClientTracking)) {
    tracking_clients_++;
    // Why: the keyspace reports KeyModified only while someone needs it.
    srv_->keyspace().AddModifiedInterest(1);
  }
  c.flags |= kClientTracking;
  c.flags &= ~(kClientTrackingBrokenRedir | kModeFlags);
  if (!c.tracking) c.tracking = std::make_unique<ClientTracking>();
  c.tracking->redirect = redirect;
  if (options & kClientTrackingBcast) {
    c.flags |= kClientTrackingBcast;
    std::vector<std::string_view> all = prefixes;
    if (all.empty()) all.emplace_back();  // the empty prefix: every key
    for (std::string_view p : all) {
      Bcast& bs = prefixes_[std::string(p)];
      if (bs.clients.insert(&c).second) c.tracking->prefixes.emplace(p);
    }
  }
  c.flags |= options & (kClientTrackingOptin | kClientTrackingOptout | kClientTrackingNoloop);
}

void Tracking::Disable(Client& c) {
  if (c.flags & kClientTrackingBcast) {
    for (const std::string& p : c.tracking->prefixes) {
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) continue;
      it->second.clients.erase(&c);
      if (it->second.clients.empty()) prefixes_.erase(it);
    }
  }
  // Why: the client's entries in the tracking table are left in place and
  // dropped lazily when their key is invalidated (Redis: freeing a client
  // with many tracked keys must stay cheap).
  if (c.flags & kClientTracking) {
    tracking_clients_--;
    srv_->keyspace().AddModifiedInterest(-1);
    c.flags &= ~(kClientTracking | kClientTrackingBrokenRedir | kClientTrackingCaching | kModeFlags);
  }
  c.tracking.reset();
}

std::string Tracking::CheckPrefixCollisions(const Client& c,
                                            const std::vector<std::string_view>& prefixes,
                                            bool* proceed) const {
  *proceed = false;
  for (size_t i = 0; i < prefixes.size(); i++) {
    if (c.tracking) {
      for (const std::string& mine : c.tracking->prefixes) {
        if (Overlap(mine, prefixes[i]))
          return "ERR Prefix '" + CStr(prefixes[i]) + "' overlaps with an existing prefix '" +
                 CStr(mine) + "'. Prefixes for a single client must not overlap.";
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); j++) {
      if (Overlap(prefixes[i], prefixes[j])) {
        // Why: Redis 7.0.15 returns the index i here, which its caller
        // takes as success unless it is 0: past the first prefix, the error
        // is replied and tracking is still enabled (then +OK as well).
        *proceed = i != 0;
        return "ERR Prefix '" + CStr(prefixes[i]) + "' overlaps with another provided prefix '" +
               CStr(prefixes[j]) + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return "";
}

void Tracking::RememberKeys(Client& c) {
  bool optin = c.flags & kClientTrackingOptin;
  bool optout = c.flags & kClientTrackingOptout;
  bool caching = c.flags & kClientTrackingCaching;
  if ((optin && !caching) || (optout && caching)) return;
  // Why: shard channels are "keys" in SSUBSCRIBE's key specs (for cluster
  // routing), not data to invalidate.
  if (c.cmd->has(kCmdPubsub)) return;
  static thread_local std::vector<KeyRef> keys;
  keys.clear();
  if (GetCommandKeys(c.cmd, c.argv, &keys) == 0) return;
  for (const KeyRef& k : keys) {
    std::string_view key = c.argv[static_cast<size_t>(k.pos)];
    auto it = table_.find(key);
    if (it == table_.end()) it = table_.emplace(std::string(key), Ids{}).first;
    Ids& ids = it->second;
    // Sorted, so a key read by many tracking clients costs a binary search
    // per read (new clients have the highest ids: usually an append).
    auto pos = std::lower_bound(ids.begin(), ids.end(), c.id);
    if (pos == ids.end() || *pos != c.id) {
      ids.insert(pos, c.id);
      total_items_++;
    }
  }
}

void Tracking::Send(Client* c, std::string_view value, bool proto) {
  Client* target = c;
  bool redirected = false;
  if (c->tracking && c->tracking->redirect) {
    Client* redir = srv_->FindClient(c->tracking->redirect);
    if (!redir) {
      c->flags |= kClientTrackingBrokenRedir;
      // Why: the tracking connection learns (RESP3 only) that its
      // invalidations have nowhere to go.
      if (c->resp() > 2) {
        scratch_.assign(">2\r\n$21\r\ntracking-redir-broken\r\n:");
        scratch_.append(std::to_string(c->tracking->redirect));
        scratch_.append("\r\n");
        PushBytes(srv_, c, scratch_);
      }
      return;
    }
    target = redir;
    redirected = true;
  }
  if (target->resp() > 2) {
    scratch_.assign(">2\r\n$10\r\ninvalidate\r\n");
  } else if (redirected && (target->flags & kClientPubsub)) {
    scratch_.assign("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
  } else {
    return;  // RESP2 without redirection: nowhere to say it
  }
  if (proto) {
    scratch_.append(value);
  } else {
    scratch_.append("*1\r\n");
    AppendRespBulk(&scratch_, value);
  }
  PushBytes(srv_, target, scratch_);
}

void Tracking::InvalidateKey(std::string_view key, bool bcast) {
  if (bcast && !prefixes_.empty()) {
    // Why: remember who changed the key, for NOLOOP clients.
    const Client* modifier = srv_->current_client();
    for (auto& [prefix, bs] : prefixes_) {
      if (prefix.size() > key.size() || key.compare(0, prefix.size(), prefix) != 0) continue;
      bs.keys.insert_or_assign(std::string(key), modifier);
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  // The key may view the table's own string (LimitUsedSlots): take the
  // node out and keep its key alive while the clients are told.
  auto node = table_.extract(it);
  std::string name = std::move(node.key());
  Ids ids = std::move(node.mapped());
  total_items_ -= ids.size();
  Client* current = srv_->current_client();
  for (uint64_t id : ids) {
    Client* target = srv_->FindClient(id);
    // Why: a client that switched to BCAST after reading in default mode
    // gets no invalidations from the table.
    if (!target || !(target->flags & kClientTracking) || (target->flags & kClientTrackingBcast))
      continue;
    if ((target->flags & kClientTrackingNoloop) && target == current) continue;
    // Why: an invalidation for the client running a command waits until
    // the command replied, so it is not interleaved with the reply.
    if (target == current && srv_->in_call()) {
      pending_keys_.push_back(name);
      pending_null_.push_back(false);
    } else {
      Send(target, name, false);
    }
  }
}

void Tracking::ModifiedByServer(std::string_view key) {
  // Why: Redis signals expiry and eviction with no client
  // (signalModifiedKey(NULL, ...)), so the BCAST batch records no
  // modifier and a NOLOOP client is not filtered out.
  for (auto& [prefix, bs] : prefixes_) {
    if (prefix.size() > key.size() || key.compare(0, prefix.size(), prefix) != 0) continue;
    auto it = bs.keys.find(key);
    if (it != bs.keys.end()) it->second = nullptr;
  }
}

void Tracking::InvalidateAll() {
  if (tracking_clients_ > 0) {
    Client* current = srv_->current_client();
    for (Client* c = srv_->clients_head(); c; c = c->next) {
      if (!(c->flags & kClientTracking)) continue;
      if (c == current) {
        pending_keys_.emplace_back();
        pending_null_.push_back(true);
      } else {
        // Why: the null is in the tracking client's protocol even when it
        // is redirected (Redis sends shared.null[c->resp]).
        Send(c, c->resp() > 2 ? "_\r\n" : "$-1\r\n", true);
      }
    }
  }
  table_.clear();
  total_items_ = 0;
}

void Tracking::HandlePending() {
  if (pending_keys_.empty()) return;
  Client* c = srv_->current_client();
  if (c && !c->closed()) {
    for (size_t i = 0; i < pending_keys_.size(); i++) {
      if (pending_null_[i])
        Send(c, c->resp() > 2 ? "_\r\n" : "$-1\r\n", true);
      else
        Send(c, pending_keys_[i], false);
    }
  }
  pending_keys_.clear();
  pending_null_.clear();
}

void Tracking::LimitUsedSlots() {
  size_t max_keys = static_cast<size_t>(srv_->cfg().tracking_table_max_keys);
  if (max_keys == 0) return;
  if (table_.size() <= max_keys) {
    limit_timeout_counter_ = 0;
    return;
  }
  // Why: Redis's effort grows with each call that found the table still
  // too big (100, 200, ... random keys).
  int effort = 100 * (limit_timeout_counter_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    size_t nb = table_.bucket_count();
    size_t b = static_cast<size_t>(base::Random64() % nb);
    while (table_.bucket_size(b) == 0) b = (b + 1) % nb;
    std::string key = table_.begin(b)->first;
    InvalidateKey(key, false);  // not a change: no BCAST entry
    if (table_.size() <= max_keys) {
      limit_timeout_counter_ = 0;
      return;
    }
  }
  limit_timeout_counter_++;
}

void Tracking::BroadcastPending() {
  if (tracking_clients_ == 0) return;
  std::string proto, adhoc;
  for (auto& [prefix, bs] : prefixes_) {
    if (bs.keys.empty()) continue;
    proto.assign("*" + std::to_string(bs.keys.size()) + "\r\n");
    for (const auto& [key, who] : bs.keys) AppendRespBulk(&proto, key);
    for (Client* c : bs.clients) {
      if (c->closed()) continue;
      if (c->flags & kClientTrackingNoloop) {
        // Why: a NOLOOP client does not hear about the keys it changed
        // itself; nothing at all when those were all of them.
        size_t n = 0;
        for (const auto& [key, who] : bs.keys)
          if (who != c) n++;
        if (n == 0) continue;
        adhoc.assign("*" + std::to_string(n) + "\r\n");
        for (const auto& [key, who] : bs.keys)
          if (who != c) AppendRespBulk(&adhoc, key);
        Send(c, adhoc, true);
      } else {
        Send(c, proto, true);
      }
    }
    bs.keys.clear();
  }
}

}  // namespace vireo::server
