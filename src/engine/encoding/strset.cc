// See strset.h.
#include "engine/encoding/strset.h"

#include "base/hash.h"
#include "base/memory.h"

namespace vireo::engine::strset {

Node* Node::Create(std::string_view m) {
  size_t hdr = m.size() < 0xFF ? 1 : 5;
  auto* n = static_cast<Node*>(base::Alloc(sizeof(Node) + hdr + m.size()));
  n->next = nullptr;
  if (hdr == 1) {
    n->data[0] = static_cast<uint8_t>(m.size());
  } else {
    n->data[0] = 0xFF;
    uint32_t len = static_cast<uint32_t>(m.size());
    memcpy(n->data + 1, &len, 4);
  }
  if (!m.empty()) memcpy(n->data + hdr, m.data(), m.size());
  return n;
}

bool StrSet::Add(std::string_view m) {
  if (table_.Find(m)) return false;
  table_.Insert(Node::Create(m));
  return true;
}

bool StrSet::Remove(std::string_view m) {
  Node* n = table_.Remove(m);
  if (!n) return false;
  base::Free(n);
  table_.ShrinkIfNeeded();
  return true;
}

std::string_view StrSet::Random() {
  // Why: Redis's dictGetFairRandomKey: one of up to 15 members sampled from
  // a linear stretch of buckets (cache-friendly, unlike a SCAN-order walk,
  // which made SPOP on a sparse table twice as slow as Redis), so a
  // member's chance does not depend on the length of its chain.
  return table_.FairRandomNode()->member();
}

void StrSet::Clear() {
  table_.Clear([](Node* n) { base::Free(n); });
}

size_t StrSet::MemoryUsage(size_t samples) const {
  size_t n = table_.MemoryUsage();
  size_t elesize = 0, seen = 0;
  auto add = [&](const Node* node) {
    elesize += base::AllocSize(node);
    seen++;
  };
  if (samples == 0 || samples >= size()) {
    table_.ForEach(add);
  } else {
    // Why SCAN order: Redis stops its iterator after `samples` members;
    // walking from cursor 0 stops as early without visiting the rest.
    uint64_t cursor = 0;
    do {
      cursor = table_.Scan(cursor, add);
    } while (cursor != 0 && seen < samples);
  }
  if (seen) n += static_cast<size_t>(static_cast<double>(elesize) / double(seen) * double(size()));
  return n;
}

}  // namespace vireo::engine::strset
