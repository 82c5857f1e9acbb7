// See blocking.h.
#include "server/blocking.h"

#include <algorithm>

#include "base/clock.h"
#include "server/client.h"
#include "server/server.h"

namespace vireo::server {

bool BlockingRegistry::CanBlock(const Client& c) const {
  // Why: Redis's CLIENT_DENY_BLOCKING: inside MULTI/EXEC (and scripts) a
  // blocking command behaves as its non-blocking form and times out at once.
  return c.has_connection() && !(c.flags & (kClientDenyBlocking | kClientMulti));
}

void BlockingRegistry::Block(Client& c, std::span<const std::string_view> keys,
                             engine::ObjType type, int64_t deadline_ms) {
  bool rerun = c.bstate != nullptr;
  if (!rerun) {
    c.bstate = std::make_unique<BlockState>();
    c.bstate->deadline_ms = deadline_ms;
    c.bstate->blocked_since_us = srv_->now_us();
  }
  BlockState& b = *c.bstate;
  b.db = c.db_index;
  b.type = type;
  b.outcome = BlockState::Outcome::kNone;
  b.keys.clear();
  for (std::string_view k : keys) {
    // Why: a key named twice (BLPOP k k 0) waits once (Redis's dictAdd of
    // the client's bpop.keys fails for the duplicate).
    if (std::find(b.keys.begin(), b.keys.end(), k) != b.keys.end()) continue;
    b.keys.emplace_back(k);
    waiting_[{b.db, std::string(k)}].push_back(&c);
  }
  c.flags |= kClientBlocked;
  num_blocked_++;
  srv_->keyspace().AddReadyInterest(1);
  if (b.deadline_ms > 0) {
    num_with_timeout_++;
    int64_t delay_us = (b.deadline_ms - srv_->now_ms()) * 1000;
    if (delay_us < 0) delay_us = 0;
    Client* cp = &c;
    b.timer = srv_->loop().AddTimer(delay_us, [this, cp] {
      if (!cp->bstate || !(cp->flags & kClientBlocked)) return;
      cp->bstate->timer = 0;
      cp->bstate->outcome = BlockState::Outcome::kTimeout;
      Detach(*cp);
      unblocked_.push_back(cp);
      ServeReady();
    });
  }
}

void BlockingRegistry::Detach(Client& c) {
  if (!(c.flags & kClientBlocked) || !c.bstate) return;
  BlockState& b = *c.bstate;
  for (const std::string& k : b.keys) {
    auto it = waiting_.find({b.db, k});
    if (it == waiting_.end()) continue;
    it->second.remove(&c);
    if (it->second.empty()) waiting_.erase(it);
  }
  if (b.deadline_ms > 0) num_with_timeout_--;
  if (b.timer) {
    srv_->loop().CancelTimer(b.timer);
    b.timer = 0;
  }
  c.flags &= ~kClientBlocked;
  num_blocked_--;
  srv_->keyspace().AddReadyInterest(-1);
}

bool BlockingRegistry::Unblock(Client& c, bool with_error) {
  if (!(c.flags & kClientBlocked) || !c.bstate) return false;
  c.bstate->outcome = with_error ? BlockState::Outcome::kError : BlockState::Outcome::kTimeout;
  Detach(c);
  unblocked_.push_back(&c);
  return true;
}

void BlockingRegistry::Wake(Client& c) {
  if (!(c.flags & kClientBlocked) || !c.bstate) return;
  Detach(c);
  unblocked_.push_back(&c);
}

void BlockingRegistry::Forget(Client& c) {
  Detach(c);
  unblocked_.erase(std::remove(unblocked_.begin(), unblocked_.end(), &c), unblocked_.end());
  c.bstate.reset();
}

void BlockingRegistry::Finished(Client& c) { c.bstate.reset(); }

void BlockingRegistry::SignalReady(int db, std::string_view key) {
  KeyRef k{db, std::string(key)};
  if (!waiting_.count(k)) return;
  if (ready_set_.emplace(k, true).second) ready_.push_back(std::move(k));
}

void BlockingRegistry::SignalDb(int db) {
  for (const auto& [k, clients] : waiting_)
    if (k.first == db && ready_set_.emplace(k, true).second) ready_.push_back(k);
}

void BlockingRegistry::Rerun(Client* c) {
  if (c->closed()) return;
  c->ResumeProcessing();
}

void BlockingRegistry::ServeReady() {
  if (serving_) return;
  serving_ = true;
  engine::Keyspace& ks = srv_->keyspace();
  while (has_work()) {
    // Timeouts and CLIENT UNBLOCKs first: their answers were decided.
    while (!unblocked_.empty()) {
      Client* c = unblocked_.front();
      unblocked_.erase(unblocked_.begin());
      Rerun(c);
    }
    std::vector<KeyRef> ready = std::move(ready_);
    ready_.clear();
    ready_set_.clear();
    for (const KeyRef& k : ready) {
      auto it = waiting_.find(k);
      if (it == waiting_.end()) continue;
      // Why: FIFO per key; each served client takes what it pops before the
      // next one looks (a snapshot, so a client that blocks again goes to
      // the back and is not served twice in one pass).
      std::vector<Client*> clients(it->second.begin(), it->second.end());
      for (Client* c : clients) {
        if (!(c->flags & kClientBlocked) || !c->bstate) continue;
        engine::Entry* e =
            ks.Find(k.first, k.second, engine::kLookupWrite | engine::kLookupNoTouch);
        if (e == nullptr) break;  // emptied by an earlier client
        // Why: Redis serves only clients waiting for the type the key now
        // holds (a BLPOP stays blocked when a zset appears under its key).
        if (e->otype() != c->bstate->type) continue;
        Detach(*c);
        Rerun(c);
      }
    }
  }
  serving_ = false;
}

}  // namespace vireo::server
