// See db.h.
#include "engine/db.h"

#include "engine/value.h"

namespace vireo::engine {

void Db::ReplaceEntry(Entry** link, Entry* e, bool keep_ttl, bool free_old) {
  Entry* old = *link;
  KeyTable::Replace(link, e);
  e->flags &= static_cast<uint8_t>(~Entry::kFlagHasExpire);
  if (old->has_expire()) {
    if (keep_ttl) {
      ExpireNode* n = expires_.Find(old->key());
      n->entry = e;
      e->flags |= Entry::kFlagHasExpire;
    } else {
      ExpireNode* n = expires_.Remove(old->key());
      base::Free(n);
    }
  }
  if (free_old) FreeEntry(old);
}

Entry* Db::Unlink(std::string_view key) {
  Entry* e = keys_.Remove(key);
  if (!e) return nullptr;
  if (e->has_expire()) {
    ExpireNode* n = expires_.Remove(e->key());
    base::Free(n);
    e->flags &= static_cast<uint8_t>(~Entry::kFlagHasExpire);
  }
  return e;
}

bool Db::Delete(std::string_view key) {
  Entry* e = Unlink(key);
  if (!e) return false;
  FreeEntry(e);
  return true;
}

int64_t Db::GetExpire(const Entry* e) {
  if (!e->has_expire()) return -1;
  ExpireNode* n = expires_.Find(e->key());
  return n ? n->when : -1;
}

void Db::SetExpire(Entry* e, int64_t when_ms) {
  if (e->has_expire()) {
    expires_.Find(e->key())->when = when_ms;
    return;
  }
  auto* n = static_cast<ExpireNode*>(base::Alloc(sizeof(ExpireNode)));
  n->next = nullptr;
  n->entry = e;
  n->when = when_ms;
  expires_.Insert(n);
  e->flags |= Entry::kFlagHasExpire;
}

bool Db::RemoveExpire(Entry* e) {
  if (!e->has_expire()) return false;
  ExpireNode* n = expires_.Remove(e->key());
  base::Free(n);
  e->flags &= static_cast<uint8_t>(~Entry::kFlagHasExpire);
  return true;
}

void Db::Clear() {
  expires_.Clear([](ExpireNode* n) { base::Free(n); });
  keys_.Clear([](Entry* e) { FreeEntry(e); });
  avg_ttl = 0;
  expires_cursor = 0;
}

void Db::MoveContentTo(Db& other) {
  other.keys_.Swap(keys_);
  other.expires_.Swap(expires_);
  other.avg_ttl = avg_ttl;
  avg_ttl = 0;
  expires_cursor = 0;
}

void Db::SwapContent(Db& other) {
  keys_.Swap(other.keys_);
  expires_.Swap(other.expires_);
  std::swap(avg_ttl, other.avg_ttl);
  std::swap(expires_cursor, other.expires_cursor);
}

}  // namespace vireo::engine
