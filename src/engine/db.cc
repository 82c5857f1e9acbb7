// See db.h.
#include "engine/db.h"

#include "engine/value.h"

namespace vireo::engine {

void Db::ReplaceEntry(Entry** link, Entry* e, bool keep_ttl, bool free_old) {
  Entry* old = *link;
  KeyTable::Replace(link, e);
  if (slots_ && old != e) slots_->Replace(old, e);
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
  if (slots_) slots_->Remove(e);
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
  if (slots_) slots_->Clear();
  avg_ttl = 0;
  expires_cursor = 0;
}

void Db::MoveContentTo(Db& other) {
  other.keys_.Swap(keys_);
  other.expires_.Swap(expires_);
  other.avg_ttl = avg_ttl;
  avg_ttl = 0;
  expires_cursor = 0;
  if (slots_) {
    // Why the index goes along even to an unindexed Db: FLUSHALL ASYNC
    // moves the content into a Db bound for the lazyfree thread, which
    // then frees the index's arrays too (Redis's emptyDbAsync hands its
    // slots_to_keys to the background job the same way). Ours starts anew.
    other.slots_ = std::move(slots_);
    slots_ = std::make_unique<SlotIndex>();
  } else if (other.slots_) {
    other.ReindexSlots();
  }
}

void Db::SwapContent(Db& other) {
  keys_.Swap(other.keys_);
  expires_.Swap(other.expires_);
  std::swap(avg_ttl, other.avg_ttl);
  std::swap(expires_cursor, other.expires_cursor);
  if (slots_ && other.slots_) {
    std::swap(slots_, other.slots_);
  } else if (slots_) {
    ReindexSlots();
  } else if (other.slots_) {
    other.ReindexSlots();
  }
}

void Db::EnableSlotIndex() {
  if (slots_) return;
  slots_ = std::make_unique<SlotIndex>();
  ReindexSlots();
}

void Db::ReindexSlots() {
  slots_->Clear();
  keys_.ForEach([this](Entry* e) { slots_->Add(e); });
}

}  // namespace vireo::engine
