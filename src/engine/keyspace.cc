// See keyspace.h. Lookups, writes and the generic key operations; the
// active expire cycle and table resizing are in expire.cc.
#include "engine/keyspace.h"

#include <algorithm>

#include "engine/encoding/skiplist.h"
#include "engine/encoding/strmap.h"
#include "engine/encoding/strset.h"

#include <cstring>

#include "base/clock.h"
#include "base/hash.h"
#include "base/memory.h"
#include "engine/lazyfree.h"
#include "engine/lru.h"
#include "engine/value.h"

namespace vireo::engine {

Keyspace::Keyspace(int num_dbs) {
  dbs_.reserve(static_cast<size_t>(num_dbs));
  for (int i = 0; i < num_dbs; i++) dbs_.push_back(std::make_unique<Db>(i));
}

Keyspace::~Keyspace() = default;

void SetTableResizeAllowed(bool allowed) {
  KeyTable::SetResizeAllowed(allowed);
  ExpireTable::SetResizeAllowed(allowed);
  StrMap::Table::SetResizeAllowed(allowed);
  strset::StrSet::Table::SetResizeAllowed(allowed);
  zsl::Dict::SetResizeAllowed(allowed);
}

void Keyspace::Release(Entry* e, bool lazy) {
  if (lazy)
    lazyfree::FreeEntry(e, true);
  else
    FreeEntry(e);
}

// ---------------------------------------------------------------- lookups

bool Keyspace::IsExpired(int db, const Entry* e) const {
  if (!e->has_expire() || options_.loading || options_.applying_master) return false;
  int64_t when = dbs_[static_cast<size_t>(db)]->GetExpire(e);
  return when >= 0 && Db::IsExpiredAt(when, options_.now_ms);
}

bool Keyspace::IsExpired(int db, std::string_view key) {
  Entry* e = D(db).Find(key);
  return e && IsExpired(db, e);
}

void Keyspace::SetTtl(int db, Entry* e, int64_t when_ms) {
  D(db).SetExpire(e, when_ms);
  // Why only then: a read-only replica takes no writes of its own, and the
  // master's keys expire through the master's DELs.
  if (options_.replica && !options_.replica_read_only && !options_.applying_master && db < 64) {
    replica_expire_keys_[std::string(e->key())] |= uint64_t{1} << db;
  }
}

void Keyspace::ExpireReplicaKeys() {
  if (replica_expire_keys_.empty()) return;
  int64_t start = base::MonotonicUs();
  int cycles = 0, noexpire = 0;
  while (!replica_expire_keys_.empty()) {
    // A random entry: a random non-empty bucket, its first key.
    size_t nb = replica_expire_keys_.bucket_count();
    size_t b = static_cast<size_t>(base::Random64()) % nb;
    while (replica_expire_keys_.bucket_size(b) == 0) b = (b + 1) % nb;
    auto it = replica_expire_keys_.find(replica_expire_keys_.begin(b)->first);
    uint64_t dbids = it->second, left = 0;
    for (int dbid = 0; dbids && dbid < num_dbs(); dbid++, dbids >>= 1) {
      if (!(dbids & 1)) continue;
      Entry* e = D(dbid).Find(it->first);
      if (!e) continue;
      int64_t when = D(dbid).GetExpire(e);
      if (when == -1) continue;  // persisted since: no longer ours to expire
      if (when <= options_.now_ms) {
        DeleteExpired(dbid, it->first);
      } else {
        noexpire++;
        left |= uint64_t{1} << dbid;
      }
    }
    if (left) it->second = left;
    else replica_expire_keys_.erase(it);
    cycles++;
    if (noexpire > 3) break;
    if ((cycles % 64) == 0 && base::MonotonicUs() - start > 1000) break;
  }
}

void Keyspace::DeleteExpired(int db, std::string_view key) {
  // The key bytes live in the entry being freed: keep a copy for the
  // reports that follow the deletion.
  std::string k(key);
  Entry* e = D(db).Unlink(k);
  if (!e) return;
  Release(e, options_.lazyfree_lazy_expire);
  // Why this order: Redis's deleteExpiredKeyAndPropagate notifies
  // "expired", signals WATCH/tracking, then propagates the DEL.
  Event(notify::kExpired, "expired", db, k);
  SignalModified(db, k);
  listener_->KeyExpired(db, k);
  stats_.expired_keys++;
}

bool Keyspace::Evict(int db, std::string_view key, bool lazy, long long* freed) {
  std::string k(key);  // `key` may point into the entry
  long long before = static_cast<long long>(base::UsedMemory());
  Entry* e = D(db).Unlink(k);
  if (!e) return false;
  Release(e, lazy);
  if (freed) *freed = before - static_cast<long long>(base::UsedMemory());
  stats_.evicted_keys++;
  // Why this order: Redis's performEvictions counts, signals WATCH/tracking,
  // notifies "evicted", then propagates the DEL (propagateDeletion).
  SignalModified(db, k);
  Event(notify::kEvicted, "evicted", db, k);
  listener_->KeyEvicted(db, k);
  return true;
}

bool Keyspace::ExpireIfNeeded(int db, std::string_view key) {
  Entry* e = D(db).Find(key);
  if (!e || !IsExpired(db, e)) return false;
  // Why: while clients are paused Redis keeps the dataset constant and
  // only reports the key as missing; a replica waits for its master's DEL.
  if (!options_.expire_paused && !options_.replica) DeleteExpired(db, key);
  return true;
}

Entry* Keyspace::Find(int db, std::string_view key, int flags) {
  Entry* e = D(db).Find(key);
  if (e && e->has_expire() && IsExpired(db, e)) {
    bool keep = options_.replica && !((flags & kLookupWrite) && !options_.replica_read_only);
    if (!(flags & kLookupNoExpire) && !options_.expire_paused && !keep) DeleteExpired(db, key);
    e = nullptr;
  }
  if (e) {
    if (!(flags & kLookupNoTouch)) TouchEntry(e, options_);
    if (!(flags & (kLookupNoStats | kLookupWrite))) stats_.hits++;
    return e;
  }
  if (!(flags & (kLookupNoNotify | kLookupWrite))) Event(notify::kKeyMiss, "keymiss", db, key);
  if (!(flags & (kLookupNoStats | kLookupWrite))) stats_.misses++;
  return nullptr;
}

OpResult<Entry*> Keyspace::FindOfType(int db, std::string_view key, ObjType type, int flags) {
  Entry* e = Find(db, key, flags);
  if (!e) return OpStatus::kNotFound;
  if (e->otype() != type) return OpStatus::kWrongType;
  return e;
}

Entry** Keyspace::ExpiredForWrite(int db, std::string_view key) {
  if (!options_.expire_paused && !(options_.replica && options_.replica_read_only)) DeleteExpired(db, key);
  return nullptr;
}

// ---------------------------------------------------------------- writes

void Keyspace::SetKey(int db, Entry* e, int flags) {
  SetKeyAt(db, FindLinkForWrite(db, e->key()), e, flags);
}

void Keyspace::Overwrite(int db, Entry** link, Entry* e, int flags) {
  // Why: under an LFU policy Redis's dbOverwrite keeps the old value's
  // access counter; otherwise the new object has a fresh LRU.
  e->lru = options_.lfu() ? (*link)->lru : NewObjectLru(options_);
  Entry* old = *link;
  D(db).ReplaceEntry(link, e, flags & kSetKeyKeepTtl, /*free_old=*/false);
  Release(old, options_.lazyfree_lazy_server_del);
}

void Keyspace::ReplaceEntry(int db, Entry** link, Entry* e) {
  e->lru = (*link)->lru;
  D(db).ReplaceEntry(link, e, /*keep_ttl=*/true, /*free_old=*/true);
}

void Keyspace::Modified(int db, std::string_view key, int type_class, std::string_view event,
                        long long dirty_incr) {
  SignalModified(db, key);
  Event(type_class, event, db, key);
  dirty += dirty_incr;
}

void Keyspace::DeleteEmptied(int db, std::string_view key) {
  Entry* e = D(db).Unlink(key);
  if (!e) return;
  std::string k(key);  // `key` may point into the entry
  Release(e, options_.lazyfree_lazy_server_del);
  Event(notify::kGeneric, "del", db, k);
}

bool Keyspace::Delete(int db, std::string_view key, bool lazy) {
  Entry* e = D(db).Unlink(key);
  if (!e) return false;
  std::string k(key);  // `key` may point into the entry
  Release(e, lazy);
  SignalModified(db, k);
  Event(notify::kGeneric, "del", db, k);
  dirty++;
  return true;
}

OpStatus Keyspace::Restore(int db, Entry* e, int64_t when_ms, bool replace, bool* deleted) {
  std::string key(e->key());
  *deleted = false;
  if (replace) {
    if (Entry* old = D(db).Unlink(key)) {
      Release(old, options_.lazyfree_lazy_server_del);
      *deleted = true;
    }
  }
  // Why: Redis's checkAlreadyExpired: a TTL already past stores nothing on a
  // master (what was replaced is gone: reported as a DEL).
  if (when_ms != -1 && when_ms <= options_.now_ms && !options_.replica && !options_.loading) {
    FreeEntry(e);
    if (*deleted) {
      SignalModified(db, key);
      Event(notify::kGeneric, "del", db, key);
      dirty++;
    }
    return OpStatus::kSkipped;
  }
  D(db).Add(e);
  Event(notify::kNew, "new", db, key);
  if (when_ms != -1) SetTtl(db, e, when_ms);
  SignalModified(db, key);
  SignalReady(db, key);
  Event(notify::kGeneric, "restore", db, key);
  dirty++;
  return OpStatus::kOk;
}

OpStatus Keyspace::Expire(int db, std::string_view key, int64_t when_ms, int flags, bool* deleted) {
  *deleted = false;
  Entry* e = Find(db, key, kLookupWrite);
  if (!e) return OpStatus::kNotFound;
  if (flags) {
    int64_t current = D(db).GetExpire(e);
    if ((flags & kExpireNx) && current != -1) return OpStatus::kSkipped;
    if ((flags & kExpireXx) && current == -1) return OpStatus::kSkipped;
    // Why: no TTL counts as an infinite one: GT always fails on it, LT
    // always passes.
    if ((flags & kExpireGt) && (when_ms <= current || current == -1)) return OpStatus::kSkipped;
    if ((flags & kExpireLt) && current != -1 && when_ms >= current) return OpStatus::kSkipped;
  }
  // Why: Redis's checkAlreadyExpired: a time already past deletes the key
  // now (a replica waits for the master's DEL instead).
  if (when_ms <= options_.now_ms && !options_.replica && !options_.loading) {
    std::string k(key);
    Entry* gone = D(db).Unlink(k);
    Release(gone, options_.lazyfree_lazy_expire);
    SignalModified(db, k);
    Event(notify::kGeneric, "del", db, k);
    dirty++;
    *deleted = true;
    return OpStatus::kOk;
  }
  SetTtl(db, e, when_ms);
  Modified(db, key, notify::kGeneric, "expire");
  return OpStatus::kOk;
}

bool Keyspace::Persist(int db, std::string_view key) {
  Entry* e = Find(db, key, kLookupWrite);
  if (!e || !D(db).RemoveExpire(e)) return false;
  Modified(db, key, notify::kGeneric, "persist");
  return true;
}

// Moves an entry, already unlinked, under another name: a new block with
// the same value, LRU and encoding; the old block is released without
// freeing the value.
static Entry* RekeyEntry(Entry* e, std::string_view newkey) {
  // Layout (object.h): header, key bytes, then inline_len value bytes.
  size_t inl = e->inline_len;
  Entry* n = AllocEntry(newkey, inl);
  n->type = e->type;
  n->enc = e->enc;
  n->flags = static_cast<uint8_t>(e->flags & ~Entry::kFlagHasExpire);
  n->reserved = e->reserved;
  n->lru = e->lru;
  n->inline_len = e->inline_len;
  n->v = e->v;
  if (inl) memcpy(n->data + newkey.size(), e->data + e->key_len, inl);
  base::Free(e);  // the block only: the value now belongs to n
  return n;
}

void Keyspace::AddMoved(int db, Entry* e, int64_t expire) {
  D(db).Add(e);
  Event(notify::kNew, "new", db, e->key());
  if (expire != -1) SetTtl(db, e, expire);
  SignalReady(db, e->key());
}

OpStatus Keyspace::Rename(int db, std::string_view src, std::string_view dst, bool nx) {
  Db& d = D(db);
  Entry* o = Find(db, src, kLookupWrite);
  if (!o) return OpStatus::kNotFound;
  // Why: renaming a key to itself does nothing, but only once the source
  // is known to exist (a missing key still errors).
  if (src == dst) return OpStatus::kSkipped;
  int64_t expire = d.GetExpire(o);
  if (Find(db, dst, kLookupWrite)) {
    if (nx) return OpStatus::kExists;
    Entry* old = d.Unlink(dst);
    Release(old, options_.lazyfree_lazy_server_del);
  }
  std::string from(src), to(dst);
  AddMoved(db, RekeyEntry(d.Unlink(from), to), expire);
  SignalModified(db, from);
  SignalModified(db, to);
  Event(notify::kGeneric, "rename_from", db, from);
  Event(notify::kGeneric, "rename_to", db, to);
  dirty++;
  return OpStatus::kOk;
}

OpStatus Keyspace::Move(int src_db, std::string_view key, int dst_db) {
  if (src_db == dst_db) return OpStatus::kSameObject;
  Entry* o = Find(src_db, key, kLookupWrite);
  if (!o) return OpStatus::kNotFound;
  int64_t expire = D(src_db).GetExpire(o);
  if (Find(dst_db, key, kLookupWrite)) return OpStatus::kExists;
  std::string k(key);
  // The entry itself moves: same key, same value, LRU kept.
  AddMoved(dst_db, D(src_db).Unlink(k), expire);
  SignalModified(src_db, k);
  SignalModified(dst_db, k);
  Event(notify::kGeneric, "move_from", src_db, k);
  Event(notify::kGeneric, "move_to", dst_db, k);
  dirty++;
  return OpStatus::kOk;
}

OpStatus Keyspace::Copy(int src_db, std::string_view key, int dst_db, std::string_view newkey,
                        bool replace) {
  if (src_db == dst_db && key == newkey) return OpStatus::kSameObject;
  // Why: COPY reads its source with a normal read lookup (stats, touch).
  Entry* o = Find(src_db, key, kLookupRead);
  if (!o) return OpStatus::kNotFound;
  int64_t expire = D(src_db).GetExpire(o);
  bool del = false;
  if (Find(dst_db, newkey, kLookupWrite)) {
    if (!replace) return OpStatus::kExists;
    del = true;
  }
  Entry* n = DupEntry(o, newkey);
  if (!n) return OpStatus::kUnknownType;
  n->lru = NewObjectLru(options_);
  if (del) Release(D(dst_db).Unlink(newkey), options_.lazyfree_lazy_server_del);
  AddMoved(dst_db, n, expire);
  SignalModified(dst_db, n->key());
  Event(notify::kGeneric, "copy_to", dst_db, n->key());
  dirty++;
  return OpStatus::kOk;
}

void Keyspace::ClearDb(Db& d, bool async) {
  if (async && d.size() > 0) {
    // Redis's emptyDbAsync: swap in empty tables, free the old ones on
    // the lazyfree thread.
    auto old = std::make_unique<Db>(d.id());
    d.MoveContentTo(*old);
    lazyfree::FreeDbAsync(std::move(old));
  } else {
    d.Clear();
  }
}

long long Keyspace::Flush(int dbnum, bool async) {
  int start = dbnum < 0 ? 0 : dbnum;
  int end = dbnum < 0 ? num_dbs() : dbnum + 1;
  // Why: Redis's signalFlushedDb touches the watchers while the keys are
  // still there (only keys that exist make EXEC fail).
  for (int i = start; i < end; i++) listener_->BeforeFlush(i);
  // Why only FLUSHALL: as Redis (flushSlaveKeysWithExpireList in
  // emptyData(-1)); a key of a flushed db is simply not found later.
  if (dbnum < 0) replica_expire_keys_.clear();
  long long removed = 0;
  for (int i = start; i < end; i++) {
    Db& d = D(i);
    removed += static_cast<long long>(d.size());
    ClearDb(d, async);
    d.avg_ttl = 0;
    d.expires_cursor = 0;
  }
  dirty += removed;
  listener_->Flushed(dbnum < 0 ? -1 : dbnum);
  return removed;
}

void Keyspace::AdoptContents(Keyspace& loaded, bool async) {
  int n = std::min(num_dbs(), loaded.num_dbs());
  for (int i = 0; i < n; i++) listener_->BeforeFlush(i);
  replica_expire_keys_.clear();
  for (int i = 0; i < n; i++) {
    D(i).SwapContent(loaded.D(i));
    ClearDb(loaded.D(i), async);
  }
  dirty++;
  listener_->Flushed(-1);
}

void Keyspace::SwapDb(int db1, int db2) {
  if (db1 != db2) {
    listener_->BeforeSwap(db1, db2);
    // Why: the contents move, not the Db objects, so every client keeps its
    // db index and sees the other dataset (Redis swaps the dicts inside its
    // redisDb structs for the same reason).
    D(db1).SwapContent(D(db2));
  }
  dirty++;
}

// ---------------------------------------------------------------- hash slots

void Keyspace::EnableSlotIndex() {
  for (auto& d : dbs_) d->EnableSlotIndex();
}

size_t Keyspace::CountKeysInSlot(int slot) const {
  const SlotIndex* idx = db(0).slot_index();
  return idx ? idx->Count(slot) : 0;
}

void Keyspace::GetKeysInSlot(int slot, size_t max, std::vector<std::string>* out) const {
  if (max == 0) return;
  size_t n = 0;
  ForEachKeyInSlot(slot, [&](Entry* e) {
    out->emplace_back(e->key());
    return ++n < max;
  });
}

unsigned Keyspace::DeleteKeysInSlot(int slot) {
  const SlotIndex* idx = D(0).slot_index();
  if (!idx || idx->Count(slot) == 0) return 0;
  // The entries first, then the deletions: the walk must not see the
  // index change under it. Deleting one key frees no other entry.
  std::vector<Entry*> victims;
  victims.reserve(idx->Count(slot));
  idx->ForEach(slot, [&](Entry* e) { victims.push_back(e); });
  for (Entry* e : victims) {
    // Why nothing is reported: Redis 7.0.15's delKeysInSlot calls only
    // dbDelete, so no "del" event, no WATCH/tracking signal, no DEL to
    // replicas or the AOF and no dirty; the value is freed per
    // lazyfree-lazy-server-del, dbDelete's choice.
    Release(D(0).Unlink(e->key()), options_.lazyfree_lazy_server_del);
  }
  return static_cast<unsigned>(victims.size());
}

// ---------------------------------------------------------------- iteration

bool Keyspace::RandomKey(int db, std::string* key) {
  Db& d = D(db);
  int maxtries = 100;
  bool allvolatile = d.size() == d.expires_size();
  for (;;) {
    Entry* e = d.keys().RandomNode();
    if (!e) return false;
    key->assign(e->key());
    if (e->has_expire()) {
      // Why: Redis's dbRandomKey guard: a replica does not delete expired
      // keys, so a database made only of them would loop forever. Redis
      // 7.0.15 has the same endless loop while clients are paused (expired
      // keys are kept then); Vireo applies the guard there too.
      if (allvolatile && (options_.replica || options_.expire_paused) && --maxtries == 0) return true;
      if (ExpireIfNeeded(db, *key)) continue;
    }
    return true;
  }
}

uint64_t Keyspace::ScanKeys(int db, uint64_t cursor, int64_t count, std::vector<std::string>* out) {
  // Why: at most COUNT*10 bucket steps, so a sparse table cannot block the
  // server; the reply may then hold few or no keys. An empty table ends the
  // iteration (cursor 0) whatever cursor was given.
  int64_t maxiterations = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  Db& d = D(db);
  do {
    cursor = d.keys().Scan(cursor, [&](Entry* e) { out->emplace_back(e->key()); });
  } while (cursor && maxiterations-- && out->size() < static_cast<uint64_t>(count));
  return cursor;
}

}  // namespace vireo::engine
