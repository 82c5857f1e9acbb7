// See strmap.h. Node layout and the in-place value update policy.
#include "engine/encoding/strmap.h"

#include <cstring>

#include "base/memory.h"

namespace vireo::engine {
namespace {

// LEB128: 7 bits per byte, low bits first, high bit = more bytes follow.
size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}
uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
const uint8_t* GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t r = 0;
  int shift = 0;
  while (*p & 0x80) {
    r |= uint64_t(*p++ & 0x7f) << shift;
    shift += 7;
  }
  *v = r | (uint64_t(*p++) << shift);
  return p;
}

size_t NodeSize(std::string_view f, std::string_view v) {
  return sizeof(StrMapNode) + VarintSize(f.size()) + f.size() + VarintSize(v.size()) + v.size();
}

// Writes the value part after the field (whose bytes are already in place).
void PutValue(StrMapNode* n, std::string_view field, std::string_view value) {
  uint8_t* p = n->data + VarintSize(field.size()) + field.size();
  p = PutVarint(p, value.size());
  if (!value.empty()) memcpy(p, value.data(), value.size());
}

StrMapNode* NewNode(std::string_view field, std::string_view value) {
  auto* n = static_cast<StrMapNode*>(base::Alloc(NodeSize(field, value)));
  n->next = nullptr;
  uint8_t* p = PutVarint(n->data, field.size());
  if (!field.empty()) memcpy(p, field.data(), field.size());
  PutValue(n, field, value);
  return n;
}

}  // namespace

std::string_view StrMapNode::field() const {
  uint64_t len;
  const uint8_t* p = GetVarint(data, &len);
  return {reinterpret_cast<const char*>(p), len};
}

std::string_view StrMapNode::value() const {
  uint64_t len;
  const uint8_t* p = GetVarint(data, &len);
  p = GetVarint(p + len, &len);
  return {reinterpret_cast<const char*>(p), len};
}

StrMap::~StrMap() {
  t_.Clear([](StrMapNode* n) { base::Free(n); });
}

bool StrMap::Set(std::string_view field, std::string_view value) {
  StrMapNode** link = t_.FindLink(field);
  if (link == nullptr) {
    t_.Insert(NewNode(field, value));
    return true;
  }
  StrMapNode* n = *link;
  size_t need = NodeSize(field, value);
  size_t have = base::AllocSize(n);
  if (need > have || need < have / 2) {
    // Why not in place: too small, or keeping a block more than twice the
    // size of the new value would leak memory over repeated updates
    // (Redis frees the old sds and allocates the new one exactly).
    n = static_cast<StrMapNode*>(base::Realloc(n, need));
    *link = n;  // the chain pointer was copied with the node
  }
  // The field view points into the caller's argument, not the node: the
  // field bytes stay where they were.
  PutValue(n, field, value);
  return false;
}

void StrMap::Add(std::string_view field, std::string_view value) {
  t_.Insert(NewNode(field, value));
}

bool StrMap::Erase(std::string_view field) {
  StrMapNode* n = t_.Remove(field);
  if (n == nullptr) return false;
  base::Free(n);
  t_.ShrinkIfNeeded();
  return true;
}

StrMap* StrMap::Dup() const {
  auto* m = new StrMap();
  m->Reserve(size());
  ForEach([&](const StrMapNode* n) { m->Add(n->field(), n->value()); });
  return m;
}

size_t StrMap::AllocatedSize() const {
  size_t n = t_.MemoryUsage();
  ForEach([&](const StrMapNode* node) { n += base::AllocSize(node); });
  return n;
}

size_t StrMap::SampledSize(size_t samples) const {
  // Why: objectComputeSize counts sizeof(dict) + one pointer per slot, then
  // extrapolates the average of the first `samples` entries to the whole
  // dict. The first ones in SCAN order here: the iterator cannot stop early,
  // and which nodes are sampled is hash order in Redis too.
  size_t asize = t_.MemoryUsage();
  if (samples == 0) samples = SIZE_MAX;
  size_t elesize = 0, seen = 0;
  uint64_t cursor = 0;
  do {
    cursor = Scan(cursor, [&](const StrMapNode* node) {
      if (seen >= samples) return;
      elesize += base::AllocSize(node);
      seen++;
    });
  } while (cursor != 0 && seen < samples);
  if (seen) asize += static_cast<size_t>(static_cast<double>(elesize) / seen * size());
  return asize;
}

}  // namespace vireo::engine
