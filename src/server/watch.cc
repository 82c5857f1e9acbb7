// See watch.h.
#include "server/watch.h"

#include <algorithm>

namespace vireo::server {

WatchRegistry::WatchRegistry(engine::Keyspace* ks) : ks_(ks), by_db_(static_cast<size_t>(ks->num_dbs())) {}

void WatchRegistry::Watch(Client& c, std::string_view key) {
  for (const auto& w : c.watched)
    if (w->db == c.db_index && w->key == key) return;  // already watched
  auto wk = std::make_unique<WatchedKey>();
  wk->client = &c;
  wk->db = c.db_index;
  wk->key.assign(key);
  wk->expired = ks_->IsExpired(c.db_index, key);
  auto& m = by_db_[static_cast<size_t>(c.db_index)];
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), std::vector<WatchedKey*>{}).first;
  it->second.push_back(wk.get());
  c.watched.push_back(std::move(wk));
  // The keyspace reports changes only while somebody watches.
  if (count_++ == 0) ks_->AddModifiedInterest(1);
}

void WatchRegistry::UnwatchAll(Client& c) {
  for (const auto& w : c.watched) {
    auto& m = by_db_[static_cast<size_t>(w->db)];
    auto it = m.find(w->key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), w.get()), v.end());
    if (v.empty()) m.erase(it);
    if (--count_ == 0) ks_->AddModifiedInterest(-1);
  }
  c.watched.clear();
}

bool WatchRegistry::AnyWatchedKeyExpired(const Client& c) {
  for (const auto& w : c.watched) {
    if (w->expired) continue;  // was expired when WATCH was called
    if (ks_->IsExpired(w->db, w->key)) return true;
  }
  return false;
}

void WatchRegistry::MarkDirty(Client* c) {
  c->flags |= kClientDirtyCas;
  // Why: as Redis, a dirty client stops watching: later changes cannot
  // make it more dirty, and the memory goes now rather than at EXEC.
  UnwatchAll(*c);
}

void WatchRegistry::Touch(int db, std::string_view key) {
  if (count_ == 0) return;
  auto& m = by_db_[static_cast<size_t>(db)];
  auto it = m.find(key);
  if (it == m.end()) return;
  // A copy: MarkDirty unwatches a client, which edits this list (each
  // client appears once per key, so the pointers left stay valid).
  std::vector<WatchedKey*> watchers = it->second;
  for (WatchedKey* wk : watchers) {
    if (wk->expired) {
      if (ks_->db(db).Find(key) == nullptr) {
        // The stale key was deleted: no logical change.
        wk->expired = false;
        continue;
      }
      // Why: Redis 7.0.15's touchWatchedKey leaves the loop here (a
      // changed stale key that still exists stops the walk), so the
      // watchers after this one are not marked either.
      break;
    }
    MarkDirty(wk->client);
  }
}

void WatchRegistry::TouchAllInDb(int emptied, int replaced_with) {
  if (count_ == 0) return;
  auto& m = by_db_[static_cast<size_t>(emptied)];
  engine::Db& edb = ks_->db(emptied);
  std::vector<Client*> dirty;
  for (auto& [key, watchers] : m) {
    bool exists_in_emptied = edb.Find(key) != nullptr;
    bool exists_in_replacement = replaced_with >= 0 && ks_->db(replaced_with).Find(key) != nullptr;
    if (!exists_in_emptied && !exists_in_replacement) continue;
    for (WatchedKey* wk : watchers) {
      if (wk->expired) {
        if (!exists_in_replacement) {
          // The expired key is now gone: no logical change.
          wk->expired = false;
          continue;
        }
        if (ks_->IsExpired(replaced_with, key)) continue;  // stays expired
      } else if (!exists_in_emptied && ks_->IsExpired(replaced_with, key)) {
        // A missing key replaced by an expired one: no logical change.
        wk->expired = true;
        continue;
      }
      dirty.push_back(wk->client);
    }
  }
  // Why: Redis marks these clients without unwatching them (that would
  // edit the table it walks).
  for (Client* c : dirty) c->flags |= kClientDirtyCas;
}

}  // namespace vireo::server
