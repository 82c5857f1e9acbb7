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
  // Why: Redis's dictGetFairRandomKey samples GETFAIR_NUM_ENTRIES (20)
  // members from consecutive buckets starting at a random one (at most
  // count*10 buckets) and picks one of them uniformly, so a member's chance
  // does not depend on the length of its chain.
  constexpr size_t kFair = 20;
  const Node* picked[kFair];
  size_t want = size() < kFair ? size() : kFair;
  size_t got = 0;
  uint64_t cursor = base::Random64();
  for (size_t steps = want * 10; steps > 0 && got < want; steps--) {
    cursor = table_.Scan(cursor, [&](const Node* n) {
      if (got < want) picked[got++] = n;
    });
  }
  if (got == 0) return table_.RandomNode()->member();
  return picked[base::Random64() % got]->member();
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
