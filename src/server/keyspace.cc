// See keyspace.h.
#include "server/keyspace.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "base/numbers.h"
#include "server/lazyfree.h"
#include "server/server.h"

namespace vireo::server {

using engine::Db;
using engine::Entry;

bool KeyIsExpired(Db* db, Entry* e) {
  if (!e->has_expire()) return false;
  int64_t when = db->GetExpire(e);
  return when >= 0 && Db::IsExpiredAt(when, g_server->now_ms());
}

void DeleteExpiredKey(Db* db, std::string_view key) {
  std::string k(key);  // key bytes live in the entry being freed
  bool lazy = g_server->cfg().lazyfree_lazy_expire;
  Entry* e = db->Unlink(k);
  if (!e) return;
  FreeEntryMaybeLazy(e, lazy);
  g_server->stats.expiredkeys++;
  SignalModifiedKey(db, k);
  // Why: a master propagates expiry as an explicit DEL (UNLINK when
  // lazyfree-lazy-expire), so replicas and the AOF stay consistent.
  std::vector<std::string_view> argv{lazy ? "UNLINK" : "DEL", k};
  g_server->Propagate(db->id(), argv);
}

Entry* LookupKey(Client& c, Db* db, std::string_view key, int flags) {
  Entry* e = db->Find(key);
  if (e && e->has_expire() && !(flags & kLookupNoExpire) && KeyIsExpired(db, e)) {
    DeleteExpiredKey(db, key);
    e = nullptr;
  }
  bool stats = !(flags & (kLookupNoStats | kLookupWrite));
  if (!e) {
    if (stats) g_server->stats.keyspace_misses++;
    return nullptr;
  }
  if (stats) g_server->stats.keyspace_hits++;
  if (!(flags & kLookupNoTouch)) TouchEntry(e);
  return e;
}

void SetKey(Client& c, Db* db, Entry* e, bool keep_ttl) {
  Entry** link = db->FindLink(e->key());
  // Why: under an LFU policy Redis's dbOverwrite keeps the old value's
  // access counter; otherwise the new object starts with a fresh LRU.
  e->lru = (link && LfuPolicy()) ? (*link)->lru : NewObjectLru();
  if (link) {
    db->ReplaceEntry(link, e, keep_ttl);
  } else {
    db->Add(e);
  }
  SignalModifiedKey(db, e->key());
}

void ReplaceValue(Db* db, Entry** link, Entry* e) {
  e->lru = (*link)->lru;
  db->ReplaceEntry(link, e, true);
}

bool DeleteKey(Client& c, Db* db, std::string_view key, bool lazy) {
  Entry* e = db->Unlink(key);
  if (!e) return false;
  std::string k(key);
  FreeEntryMaybeLazy(e, lazy);
  SignalModifiedKey(db, k);
  return true;
}

void FreeEntryMaybeLazy(Entry* e, bool lazy) { lazyfree::FreeEntry(e, lazy); }

void SignalModifiedKey(Db* db, std::string_view key) {
  Server* s = g_server;
  if (s->watched_count == 0) return;
  auto& m = s->watched_keys[static_cast<size_t>(db->id())];
  auto it = m.find(std::string(key));
  if (it == m.end()) return;
  for (Client* c : it->second) c->flags |= kClientDirtyCas;
}

void TouchAllWatchedKeysInDb(Db* db, Db* other) {
  Server* s = g_server;
  if (s->watched_count == 0) return;
  auto& m = s->watched_keys[static_cast<size_t>(db->id())];
  for (auto& [key, clients] : m) {
    // Why: Redis 7.0 only touches watched keys that exist in either db.
    bool exists = db->Find(key) != nullptr || (other && other->Find(key) != nullptr);
    if (!exists) continue;
    for (Client* c : clients) c->flags |= kClientDirtyCas;
  }
}

void WatchKey(Client& c, std::string_view key) {
  for (const WatchedKey& w : c.watched)
    if (w.db == c.db_index && w.key == key) return;
  Server* s = g_server;
  auto& m = s->watched_keys[static_cast<size_t>(c.db_index)];
  m[std::string(key)].push_back(&c);
  Entry* e = c.db->Find(key);
  bool expired = e && KeyIsExpired(c.db, e);
  c.watched.push_back(WatchedKey{c.db_index, std::string(key), expired});
  s->watched_count++;
}

void UnwatchAllKeys(Client& c) {
  Server* s = g_server;
  for (const WatchedKey& w : c.watched) {
    auto& m = s->watched_keys[static_cast<size_t>(w.db)];
    auto it = m.find(w.key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &c), v.end());
    if (v.empty()) m.erase(it);
    s->watched_count--;
  }
  c.watched.clear();
}

bool IsWatchedKeyExpired(Client& c) {
  for (const WatchedKey& w : c.watched) {
    if (w.expired_at_watch) continue;
    Db* db = g_server->db(w.db);
    Entry* e = db->Find(w.key);
    if (e && KeyIsExpired(db, e)) return true;
  }
  return false;
}

long long EmptyData(int dbnum, bool async) {
  Server* s = g_server;
  if (dbnum < -1 || dbnum >= s->num_dbs()) return -1;
  int start = dbnum < 0 ? 0 : dbnum;
  int end = dbnum < 0 ? s->num_dbs() : dbnum + 1;
  // Why: Redis's signalFlushedDb touches the watchers while the keys are
  // still there (only keys that exist make EXEC fail).
  for (int i = start; i < end; i++) TouchAllWatchedKeysInDb(s->db(i), nullptr);
  long long removed = 0;
  for (int i = start; i < end; i++) {
    Db* db = s->db(i);
    removed += static_cast<long long>(db->size());
    if (async && db->size() > 0) {
      // Redis's emptyDbAsync: swap in empty tables, free the old ones on the
      // lazyfree thread.
      auto old = std::make_unique<Db>(db->id());
      db->MoveContentTo(*old);
      lazyfree::FreeDbAsync(std::move(old));
    } else {
      db->Clear();
    }
    db->avg_ttl = 0;
    db->expires_cursor = 0;
  }
  return removed;
}

bool ExpireIfNeeded(Db* db, std::string_view key) {
  Entry* e = db->Find(key);
  if (!e || !KeyIsExpired(db, e)) return false;
  DeleteExpiredKey(db, key);
  return true;
}

// ----------------------------------------------------------------- LRU / LFU

namespace {

// Redis's LFU_INIT_VAL.
constexpr uint32_t kLfuInitVal = 5;

// lfu-log-factor / lfu-decay-time are not typed fields of Config; they are
// read only under an LFU policy.
long long ConfigInt(std::string_view name, long long def) {
  auto v = g_server->config.Get({name});
  if (v.empty()) return def;
  int64_t n;
  return base::StringToInt64(v[0].second, &n) ? n : def;
}

uint32_t LfuTimeInMinutes() { return static_cast<uint32_t>((g_server->unixtime() / 60) & 65535); }

uint32_t LfuTimeElapsed(uint32_t ldt) {
  uint32_t now = LfuTimeInMinutes();
  if (now >= ldt) return now - ldt;
  return 65535 - ldt + now;
}

uint32_t LfuLogIncr(uint32_t counter) {
  if (counter == 255) return 255;
  double r = static_cast<double>(rand()) / RAND_MAX;
  double baseval = static_cast<double>(counter) - kLfuInitVal;
  if (baseval < 0) baseval = 0;
  double p = 1.0 / (baseval * static_cast<double>(ConfigInt("lfu-log-factor", 10)) + 1);
  if (r < p) counter++;
  return counter;
}

}  // namespace

bool LfuPolicy() {
  int p = g_server->cfg().maxmemory_policy;
  return p == kMaxmemoryVolatileLfu || p == kMaxmemoryAllkeysLfu;
}

uint32_t NewObjectLru() {
  if (LfuPolicy()) return (LfuTimeInMinutes() << 8) | kLfuInitVal;
  return g_server->lru_clock();
}

uint64_t LfuDecrAndReturn(const Entry* e) {
  uint32_t ldt = e->lru >> 8;
  uint64_t counter = e->lru & 255;
  long long decay = ConfigInt("lfu-decay-time", 1);
  uint64_t periods = decay > 0 ? LfuTimeElapsed(ldt) / static_cast<uint64_t>(decay) : 0;
  if (periods) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

void TouchEntry(Entry* e) {
  if (LfuPolicy()) {
    uint32_t counter = LfuLogIncr(static_cast<uint32_t>(LfuDecrAndReturn(e)));
    e->lru = (LfuTimeInMinutes() << 8) | counter;
  } else {
    e->lru = g_server->lru_clock();
  }
}

uint64_t EstimateIdleTimeMs(const Entry* e) {
  constexpr uint64_t kLruClockMax = (1u << 24) - 1;
  uint64_t clock = g_server->lru_clock();
  uint64_t lru = e->lru;
  if (clock >= lru) return (clock - lru) * 1000;
  return (clock + (kLruClockMax - lru)) * 1000;
}

// ----------------------------------------------------------------- RENAME / COPY

Entry* RekeyEntry(Entry* e, std::string_view newkey) {
  // Layout (object.h): header, key bytes, then inline_len value bytes.
  size_t inl = e->inline_len;
  auto* n = static_cast<Entry*>(base::Alloc(sizeof(Entry) + newkey.size() + inl));
  n->next = nullptr;
  n->key_len = static_cast<uint32_t>(newkey.size());
  n->type = e->type;
  n->enc = e->enc;
  n->flags = static_cast<uint8_t>(e->flags & ~Entry::kFlagHasExpire);
  n->reserved = e->reserved;
  n->lru = e->lru;
  n->inline_len = e->inline_len;
  n->v = e->v;
  if (!newkey.empty()) memcpy(n->data, newkey.data(), newkey.size());
  if (inl) memcpy(n->data + newkey.size(), e->data + e->key_len, inl);
  base::Free(e);  // the block only: the value now belongs to n
  return n;
}

namespace {
DupFn g_dup[8] = {};
}  // namespace

void RegisterDup(engine::ObjType type, DupFn fn) {
  auto t = static_cast<size_t>(type);
  if (t < sizeof(g_dup) / sizeof(g_dup[0])) g_dup[t] = fn;
}

Entry* DupEntry(const Entry* e, std::string_view newkey) {
  Entry* n = nullptr;
  if (e->otype() == engine::ObjType::kString) {
    // Why: dupStringObject keeps the encoding (int stays int but is never
    // the shared integer, embstr stays embstr, raw stays raw).
    if (e->is_int())
      n = engine::NewIntEntry(newkey, e->v.ival);
    else
      n = engine::NewStringEntry(newkey, e->str(), e->encoding());
  } else {
    auto t = static_cast<size_t>(e->type);
    if (t < sizeof(g_dup) / sizeof(g_dup[0]) && g_dup[t]) n = g_dup[t](e, newkey);
  }
  if (n) n->lru = NewObjectLru();
  return n;
}

bool IsSharedInteger(const Entry* e) {
  if (e->otype() != engine::ObjType::kString || !e->is_int()) return false;
  if (e->v.ival < 0 || e->v.ival >= engine::kSharedIntegers) return false;
  // Why: with maxmemory set and an LRU/LFU policy Redis stops sharing
  // integers (MAXMEMORY_FLAG_NO_SHARED_INTEGERS): each key needs its own
  // LRU/LFU field.
  const auto& cfg = g_server->cfg();
  int p = cfg.maxmemory_policy;
  bool lru_lfu = p == kMaxmemoryVolatileLru || p == kMaxmemoryAllkeysLru ||
                 p == kMaxmemoryVolatileLfu || p == kMaxmemoryAllkeysLfu;
  return cfg.maxmemory == 0 || !lru_lfu;
}

}  // namespace vireo::server
