// See quicklist.h. A port of Redis 7.0.15's quicklist.c decisions (which
// node receives an element, when a node splits or merges, which nodes are
// compressed), so node boundaries and bytes match redis-server's.
#include "engine/encoding/quicklist.h"

#include <cstring>
#include <string>

#include "base/lzf.h"
#include "base/memory.h"
#include "base/numbers.h"
#include "engine/encoding/listpack.h"

namespace vireo::engine::ql {
namespace {

// Size classes of negative fill values (Redis's optimization_level).
constexpr size_t kOptimizationLevel[] = {4096, 8192, 16384, 32768, 65536};
// Why: Redis caps multi-element nodes at 8 KB when the fill is a count.
constexpr size_t kSizeSafetyLimit = 8192;
// Why: Redis's overestimate of an entry's listpack overhead in
// _quicklistNodeAllowInsert.
constexpr size_t kSizeEstimateOverhead = 8;
constexpr size_t kMinCompressBytes = 48;
constexpr size_t kMinCompressImprove = 8;
constexpr size_t kDefaultPackedThreshold = size_t(1) << 30;
constexpr int kFillMax = (1 << 15) - 1;
constexpr unsigned kCompressMax = (1 << 16) - 1;

size_t g_packed_threshold = kDefaultPackedThreshold;

bool IsLarge(size_t sz) { return sz >= g_packed_threshold; }

Node* CreateNode() {
  auto* n = static_cast<Node*>(base::Alloc(sizeof(Node)));
  n->prev = n->next = nullptr;
  n->entry = nullptr;
  n->sz = 0;
  n->count = 0;
  n->encoding = kEncRaw;
  n->container = kPacked;
  n->recompress = 0;
  n->attempted_compress = 0;
  n->dont_compress = 0;
  return n;
}

void UpdateSz(Node* n) { n->sz = lp::Bytes(n->entry); }

// __quicklistCompressNode.
bool CompressNode(Node* node) {
  // Why: Redis sets attempted_compress only in its REDIS_TEST builds, so
  // DEBUG QUICKLIST always reports 0; it is never set here.
  if (node->dont_compress) return false;
  node->recompress = 0;
  if (node->sz < kMinCompressBytes) return false;
  auto* lzf = static_cast<Lzf*>(base::Alloc(sizeof(Lzf) + node->sz));
  lzf->sz = base::LzfCompress(node->entry, node->sz, lzf->compressed, node->sz);
  if (lzf->sz == 0 || lzf->sz + kMinCompressImprove >= node->sz) {
    base::Free(lzf);
    return false;
  }
  lzf = static_cast<Lzf*>(base::Realloc(lzf, sizeof(Lzf) + lzf->sz));
  base::Free(node->entry);
  node->entry = reinterpret_cast<uint8_t*>(lzf);
  node->encoding = kEncLzf;
  return true;
}

void CompressIfRaw(Node* n) {
  if (n && n->encoding == kEncRaw) CompressNode(n);
}

// __quicklistDecompressNode.
bool DecompressNodeRaw(Node* node) {
  node->recompress = 0;
  auto* out = static_cast<uint8_t*>(base::Alloc(node->sz));
  auto* lzf = reinterpret_cast<Lzf*>(node->entry);
  if (base::LzfDecompress(lzf->compressed, lzf->sz, out, node->sz) == 0) {
    base::Free(out);
    return false;
  }
  base::Free(lzf);
  node->entry = out;
  node->encoding = kEncRaw;
  return true;
}

void DecompressIfLzf(Node* n) {
  if (n && n->encoding == kEncLzf) DecompressNodeRaw(n);
}

// quicklistDecompressNodeForUse: decompress and remember to compress back.
void DecompressForUse(Node* n) {
  if (n && n->encoding == kEncLzf) {
    DecompressNodeRaw(n);
    n->recompress = 1;
  }
}

// __quicklistCompress: keeps `compress` nodes raw at each end and
// compresses `node` (when inside) and the first node past each depth.
void CompressList(const Quicklist* ql, Node* node) {
  if (ql->len == 0) return;
  if (ql->compress == 0 || ql->len < ql->compress * 2) return;
  Node* forward = ql->head;
  Node* reverse = ql->tail;
  unsigned depth = 0;
  bool in_depth = false;
  while (depth++ < ql->compress) {
    DecompressIfLzf(forward);
    DecompressIfLzf(reverse);
    if (forward == node || reverse == node) in_depth = true;
    // Why: the two depths met: nothing in between to compress.
    if (forward == reverse || forward->next == reverse) return;
    forward = forward->next;
    reverse = reverse->prev;
  }
  if (!in_depth && node) CompressIfRaw(node);
  CompressIfRaw(forward);
  CompressIfRaw(reverse);
}

// quicklistCompress.
void Compress(const Quicklist* ql, Node* node) {
  if (node->recompress)
    CompressIfRaw(node);
  else
    CompressList(ql, node);
}

void RecompressOnly(Node* node) {
  if (node->recompress) CompressIfRaw(node);
}

// __quicklistInsertNode.
void InsertNode(Quicklist* ql, Node* old_node, Node* new_node, bool after) {
  if (after) {
    new_node->prev = old_node;
    if (old_node) {
      new_node->next = old_node->next;
      if (old_node->next) old_node->next->prev = new_node;
      old_node->next = new_node;
    }
    if (ql->tail == old_node) ql->tail = new_node;
  } else {
    new_node->next = old_node;
    if (old_node) {
      new_node->prev = old_node->prev;
      if (old_node->prev) old_node->prev->next = new_node;
      old_node->prev = new_node;
    }
    if (ql->head == old_node) ql->head = new_node;
  }
  if (ql->len == 0) ql->head = ql->tail = new_node;
  ql->len++;
  if (old_node) Compress(ql, old_node);
  Compress(ql, new_node);
}

bool SizeMeetsOptimization(size_t sz, int fill) {
  if (fill >= 0) return false;
  size_t offset = static_cast<size_t>(-fill) - 1;
  if (offset < sizeof(kOptimizationLevel) / sizeof(kOptimizationLevel[0]))
    return sz <= kOptimizationLevel[offset];
  return false;
}

// _quicklistNodeAllowInsert: `sz` is the element's text length.
bool AllowInsert(const Node* node, int fill, size_t sz) {
  if (!node) return false;
  if (node->plain() || IsLarge(sz)) return false;
  size_t new_sz = node->sz + sz + kSizeEstimateOverhead;
  if (SizeMeetsOptimization(new_sz, fill)) return true;
  if (new_sz > kSizeSafetyLimit) return false;
  return static_cast<int>(node->count) < fill;
}

// _quicklistNodeAllowMerge.
bool AllowMerge(const Node* a, const Node* b, int fill) {
  if (!a || !b) return false;
  if (a->plain() || b->plain()) return false;
  // Why: Redis's estimate removes one header+terminator (11 bytes) and
  // does it in `unsigned int`.
  unsigned merge_sz = static_cast<unsigned>(a->sz + b->sz - 11);
  if (SizeMeetsOptimization(merge_sz, fill)) return true;
  if (merge_sz > kSizeSafetyLimit) return false;
  return static_cast<int>(a->count + b->count) <= fill;
}

Node* CreatePlainNode(std::string_view s) {
  Node* n = CreateNode();
  n->entry = static_cast<uint8_t*>(base::Alloc(s.size() ? s.size() : 1));
  n->container = kPlain;
  if (!s.empty()) memcpy(n->entry, s.data(), s.size());
  n->sz = s.size();
  n->count = 1;
  return n;
}

void InsertPlainNode(Quicklist* ql, Node* old_node, std::string_view s, bool after) {
  InsertNode(ql, old_node, CreatePlainNode(s), after);
  ql->count++;
}

void FreeNode(Node* n) {
  base::Free(n->entry);
  base::Free(n);
}

// __quicklistDelNode.
void DelNode(Quicklist* ql, Node* node) {
  if (node->next) node->next->prev = node->prev;
  if (node->prev) node->prev->next = node->next;
  if (node == ql->tail) ql->tail = node->prev;
  if (node == ql->head) ql->head = node->next;
  ql->len--;
  ql->count -= node->count;
  // Why: a node removed within the depth brings a compressed one inside.
  CompressList(ql, nullptr);
  FreeNode(node);
}

// _quicklistListpackMerge: `a` is left of `b`; returns the kept node.
Node* ListpackMerge(Quicklist* ql, Node* a, Node* b) {
  DecompressIfLzf(a);
  DecompressIfLzf(b);
  // Why: lpMerge keeps the bigger listpack and moves the other's entries
  // into it; the bytes are the concatenation either way.
  Node* keep;
  Node* nokeep;
  if (lp::Bytes(a->entry) >= lp::Bytes(b->entry)) {
    a->entry = lp::AppendAll(a->entry, b->entry);
    keep = a, nokeep = b;
  } else {
    uint8_t* merged = lp::AppendAll(a->entry, b->entry);
    a->entry = nullptr;
    base::Free(b->entry);
    b->entry = merged;
    keep = b, nokeep = a;
  }
  keep->count = lp::Length(keep->entry);
  UpdateSz(keep);
  nokeep->count = 0;
  DelNode(ql, nokeep);
  Compress(ql, keep);
  return keep;
}

// _quicklistMergeNodes.
void MergeNodes(Quicklist* ql, Node* center) {
  int fill = ql->fill;
  Node *prev = nullptr, *prev_prev = nullptr, *next = nullptr, *next_next = nullptr, *target;
  if (center->prev) {
    prev = center->prev;
    if (center->prev->prev) prev_prev = center->prev->prev;
  }
  if (center->next) {
    next = center->next;
    if (center->next->next) next_next = center->next->next;
  }
  if (AllowMerge(prev, prev_prev, fill)) ListpackMerge(ql, prev_prev, prev);
  if (AllowMerge(next, next_next, fill)) ListpackMerge(ql, next, next_next);
  if (AllowMerge(center, center->prev, fill)) {
    target = ListpackMerge(ql, center->prev, center);
  } else {
    target = center;
  }
  if (AllowMerge(target, target->next, fill)) ListpackMerge(ql, target, target->next);
}

// _quicklistSplitNode: with `after` the returned node has [offset+1, end]
// and `node` keeps [0, offset]; otherwise the returned node has
// [0, offset-1] and `node` keeps [offset, end].
Node* SplitNode(Node* node, long offset, bool after) {
  size_t zl_sz = node->sz;
  Node* new_node = CreateNode();
  new_node->entry = static_cast<uint8_t*>(base::Alloc(zl_sz));
  memcpy(new_node->entry, node->entry, zl_sz);
  if (offset < 0) offset = node->count + offset;
  long orig_start = after ? offset + 1 : 0;
  size_t orig_extent = after ? SIZE_MAX : static_cast<size_t>(offset);
  long new_start = after ? 0 : offset;
  size_t new_extent = after ? static_cast<size_t>(offset + 1) : SIZE_MAX;
  node->entry = lp::DeleteRange(node->entry, orig_start, orig_extent);
  node->count = lp::Length(node->entry);
  UpdateSz(node);
  new_node->entry = lp::DeleteRange(new_node->entry, new_start, new_extent);
  new_node->count = lp::Length(new_node->entry);
  UpdateSz(new_node);
  return new_node;
}

uint8_t* NewListpackWith(std::string_view s) { return lp::Prepend(lp::New(0), s); }

}  // namespace

// ============================================================== public

std::string_view Item::View(char* buf) const {
  if (value) return {reinterpret_cast<const char*>(value), sz};
  return {buf, base::Int64ToChars(longval, buf)};
}

bool SetPackedThreshold(size_t sz) {
  // Why: Redis refuses thresholds above or even slightly below 4 GB.
  if (sz > (size_t(1) << 32) - (size_t(1) << 20)) return false;
  if (sz == 0) sz = kDefaultPackedThreshold;
  g_packed_threshold = sz;
  return true;
}

size_t PackedThreshold() { return g_packed_threshold; }

Quicklist* Create(int fill, int compress) {
  auto* ql = static_cast<Quicklist*>(base::Alloc(sizeof(Quicklist)));
  ql->head = ql->tail = nullptr;
  ql->count = 0;
  ql->len = 0;
  ql->fill = -2;
  ql->compress = 0;
  SetOptions(ql, fill, compress);
  return ql;
}

void SetOptions(Quicklist* ql, int fill, int compress) {
  if (fill > kFillMax) fill = kFillMax;
  if (fill < -5) fill = -5;
  ql->fill = fill;
  if (compress < 0) compress = 0;
  if (static_cast<unsigned>(compress) > kCompressMax) compress = kCompressMax;
  ql->compress = static_cast<unsigned>(compress);
}

void Release(Quicklist* ql) {
  Node* n = ql->head;
  while (n) {
    Node* next = n->next;
    FreeNode(n);
    n = next;
  }
  base::Free(ql);
}

Quicklist* Dup(const Quicklist* orig) {
  Quicklist* copy = Create(orig->fill, static_cast<int>(orig->compress));
  for (Node* cur = orig->head; cur; cur = cur->next) {
    Node* node = CreateNode();
    if (cur->encoding == kEncLzf) {
      auto* lzf = reinterpret_cast<const Lzf*>(cur->entry);
      size_t lzf_sz = sizeof(Lzf) + lzf->sz;
      node->entry = static_cast<uint8_t*>(base::Alloc(lzf_sz));
      memcpy(node->entry, cur->entry, lzf_sz);
    } else {
      node->entry = static_cast<uint8_t*>(base::Alloc(cur->sz ? cur->sz : 1));
      memcpy(node->entry, cur->entry, cur->sz);
    }
    node->count = cur->count;
    copy->count += node->count;
    node->sz = cur->sz;
    node->encoding = cur->encoding;
    node->container = cur->container;
    InsertNode(copy, copy->tail, node, true);
  }
  return copy;
}

void PushHead(Quicklist* ql, std::string_view s) {
  if (IsLarge(s.size())) {
    InsertPlainNode(ql, ql->head, s, false);
    return;
  }
  if (AllowInsert(ql->head, ql->fill, s.size())) {
    ql->head->entry = lp::Prepend(ql->head->entry, s);
    UpdateSz(ql->head);
  } else {
    Node* node = CreateNode();
    node->entry = NewListpackWith(s);
    UpdateSz(node);
    InsertNode(ql, ql->head, node, false);
  }
  ql->count++;
  ql->head->count++;
}

void PushTail(Quicklist* ql, std::string_view s) {
  if (IsLarge(s.size())) {
    InsertPlainNode(ql, ql->tail, s, true);
    return;
  }
  if (AllowInsert(ql->tail, ql->fill, s.size())) {
    ql->tail->entry = lp::Append(ql->tail->entry, s);
    UpdateSz(ql->tail);
  } else {
    Node* node = CreateNode();
    node->entry = lp::Append(lp::New(0), s);
    UpdateSz(node);
    InsertNode(ql, ql->tail, node, true);
  }
  ql->count++;
  ql->tail->count++;
}

void AppendListpack(Quicklist* ql, uint8_t* l) {
  // Why: Redis's loader silently skips empty listpacks.
  if (lp::Length(l) == 0) {
    lp::Free(l);
    return;
  }
  Node* node = CreateNode();
  node->entry = l;
  node->count = lp::Length(l);
  node->sz = lp::Bytes(l);
  InsertNode(ql, ql->tail, node, true);
  ql->count += node->count;
}

void AppendPlain(Quicklist* ql, uint8_t* data, size_t sz) {
  Node* node = CreateNode();
  node->entry = data;
  node->count = 1;
  node->sz = sz;
  node->container = kPlain;
  InsertNode(ql, ql->tail, node, true);
  ql->count += node->count;
}

namespace detail {

bool DelIndex(Quicklist* ql, Node* node, uint8_t** p) {
  if (node->plain()) {
    DelNode(ql, node);
    return true;
  }
  node->entry = lp::Delete(node->entry, p);
  node->count--;
  bool gone = false;
  if (node->count == 0) {
    gone = true;
    DelNode(ql, node);
  } else {
    UpdateSz(node);
  }
  ql->count--;
  return gone;
}

bool DecompressNode(Node* n) { return n->encoding != kEncLzf || DecompressNodeRaw(n); }

void FillItem(Node* node, uint8_t* zi, Item* e) {
  e->node = node;
  e->zi = zi;
  if (node->plain()) {
    e->value = node->entry;
    e->sz = node->sz;
    return;
  }
  lp::Elem el = lp::Get(zi);
  if (el.is_int()) {
    e->value = nullptr;
    e->sz = 0;
    e->longval = el.v;
  } else {
    e->value = el.s;
    e->sz = el.len;
  }
}

}  // namespace detail

void Rotate(Quicklist* ql) {
  if (ql->count <= 1) return;
  if (ql->tail->plain()) {
    // Why: a plain tail node moves to the head as a whole.
    Node* new_head = ql->tail;
    Node* new_tail = ql->tail->prev;
    ql->head->prev = new_head;
    new_tail->next = nullptr;
    new_head->next = ql->head;
    new_head->prev = nullptr;
    ql->head = new_head;
    ql->tail = new_tail;
    // Not in Redis (which never rotates a list with a plain tail from a
    // command): the new tail may be a compressed inner node; restore the
    // depth rule so the ends stay raw.
    CompressList(ql, nullptr);
    return;
  }
  uint8_t* p = lp::Last(ql->tail->entry);
  lp::Elem el = lp::Get(p);
  char buf[32];
  std::string copy;
  std::string_view v;
  if (el.is_int()) {
    v = {buf, base::Int64ToChars(el.v, buf)};
  } else {
    copy.assign(el.sv());  // PushHead may move the listpack
    v = copy;
  }
  PushHead(ql, v);
  p = lp::Last(ql->tail->entry);
  detail::DelIndex(ql, ql->tail, &p);
}

// ============================================================== iterator

Iter::Iter(Quicklist* ql, Direction dir) : ql_(ql), direction_(dir) {
  if (dir == kStartHead) {
    current_ = ql->head;
    offset_ = 0;
  } else {
    current_ = ql->tail;
    offset_ = -1;
  }
}

void Iter::Release() {
  if (current_) Compress(ql_, current_);
  current_ = nullptr;
  zi_ = nullptr;
}

bool Iter::Seek(long long idx) {
  bool forward = idx >= 0;
  unsigned long long index = forward ? static_cast<unsigned long long>(idx)
                                     : static_cast<unsigned long long>(-(idx + 1));
  current_ = nullptr;
  zi_ = nullptr;
  if (index >= ql_->count) return false;
  // Why: like Redis, walk from whichever end is nearer.
  bool seek_forward = forward;
  unsigned long long seek_index = index;
  if (index > (ql_->count - 1) / 2) {
    seek_forward = !forward;
    seek_index = ql_->count - 1 - index;
  }
  Node* n = seek_forward ? ql_->head : ql_->tail;
  unsigned long long accum = 0;
  while (n) {
    if (accum + n->count > seek_index) break;
    accum += n->count;
    n = seek_forward ? n->next : n->prev;
  }
  if (!n) return false;
  if (seek_forward != forward) accum = ql_->count - n->count - accum;
  current_ = n;
  if (forward)
    offset_ = static_cast<long>(index - accum);
  else
    offset_ = static_cast<long>(-static_cast<long long>(index) - 1 + static_cast<long long>(accum));
  return true;
}

bool Iter::Next(Item* e) {
  for (;;) {
    e->ql = ql_;
    e->node = current_;
    e->zi = nullptr;
    e->value = nullptr;
    if (!current_) return false;
    bool plain = current_->plain();
    if (!zi_) {
      DecompressForUse(current_);
      zi_ = plain ? current_->entry : lp::Seek(current_->entry, offset_);
    } else if (plain) {
      zi_ = nullptr;
    } else if (direction_ == kStartHead) {
      zi_ = lp::Next(current_->entry, zi_);
      offset_ += 1;
    } else {
      zi_ = lp::Prev(current_->entry, zi_);
      offset_ -= 1;
    }
    e->offset = offset_;
    if (zi_) {
      detail::FillItem(current_, zi_, e);
      return true;
    }
    // Out of entries in this node: on to the next one.
    Compress(ql_, current_);
    if (direction_ == kStartHead) {
      current_ = current_->next;
      offset_ = 0;
    } else {
      current_ = current_->prev;
      offset_ = -1;
    }
    zi_ = nullptr;
  }
}

void Iter::Delete(Item* entry) {
  Node* prev = entry->node->prev;
  Node* next = entry->node->next;
  bool deleted_node = detail::DelIndex(ql_, entry->node, &entry->zi);
  zi_ = nullptr;
  if (deleted_node) {
    if (direction_ == kStartHead) {
      current_ = next;
      offset_ = 0;
    } else {
      current_ = prev;
      offset_ = -1;
    }
  }
}

void Iter::Insert(Item* entry, std::string_view s, bool after) {
  Quicklist* ql = ql_;
  size_t sz = s.size();
  bool full = false, at_tail = false, at_head = false, avail_next = false, avail_prev = false;
  int fill = ql->fill;
  Node* node = entry->node;
  Node* new_node = nullptr;

  if (!node) {
    // No reference node: the list's only node.
    if (IsLarge(sz)) {
      InsertPlainNode(ql, ql->tail, s, after);
      return;
    }
    new_node = CreateNode();
    new_node->entry = NewListpackWith(s);
    InsertNode(ql, nullptr, new_node, after);
    new_node->count++;
    ql->count++;
    return;
  }

  if (!AllowInsert(node, fill, sz)) full = true;
  if (after && (entry->offset == node->count - 1 || entry->offset == -1)) {
    at_tail = true;
    if (AllowInsert(node->next, fill, sz)) avail_next = true;
  }
  if (!after && (entry->offset == 0 || entry->offset == -static_cast<long>(node->count))) {
    at_head = true;
    if (AllowInsert(node->prev, fill, sz)) avail_prev = true;
  }

  if (IsLarge(sz)) {
    if (node->plain() || (at_tail && after) || (at_head && !after)) {
      InsertPlainNode(ql, node, s, after);
    } else {
      DecompressForUse(node);
      new_node = SplitNode(node, entry->offset, after);
      Node* entry_node = CreatePlainNode(s);
      InsertNode(ql, node, entry_node, after);
      InsertNode(ql, entry_node, new_node, after);
      ql->count++;
    }
    return;
  }

  if (!full) {
    DecompressForUse(node);
    node->entry = lp::Insert(node->entry, s, entry->zi, after ? lp::Where::kAfter : lp::Where::kBefore);
    node->count++;
    UpdateSz(node);
    RecompressOnly(node);
  } else if (at_tail && avail_next && after) {
    // Full at its tail and the next node has room: the next node's head.
    new_node = node->next;
    DecompressForUse(new_node);
    new_node->entry = lp::Prepend(new_node->entry, s);
    new_node->count++;
    UpdateSz(new_node);
    RecompressOnly(new_node);
    RecompressOnly(node);
  } else if (at_head && avail_prev && !after) {
    // Full at its head and the previous node has room: its tail.
    new_node = node->prev;
    DecompressForUse(new_node);
    new_node->entry = lp::Append(new_node->entry, s);
    new_node->count++;
    UpdateSz(new_node);
    RecompressOnly(new_node);
    RecompressOnly(node);
  } else if ((at_tail && !avail_next && after) || (at_head && !avail_prev && !after)) {
    // Full, and the neighbour too: a new node.
    new_node = CreateNode();
    new_node->entry = NewListpackWith(s);
    new_node->count++;
    UpdateSz(new_node);
    InsertNode(ql, node, new_node, after);
  } else {
    // Full in the middle: split the node around the position.
    DecompressForUse(node);
    new_node = SplitNode(node, entry->offset, after);
    if (after)
      new_node->entry = lp::Prepend(new_node->entry, s);
    else
      new_node->entry = lp::Append(new_node->entry, s);
    new_node->count++;
    UpdateSz(new_node);
    InsertNode(ql, node, new_node, after);
    MergeNodes(ql, node);
  }
  ql->count++;
  current_ = nullptr;
  zi_ = nullptr;
}

void Iter::Replace(Item* entry, std::string_view s) {
  Quicklist* ql = ql_;
  size_t sz = s.size();
  Node* node = entry->node;
  if (!node->plain() && !IsLarge(sz)) {
    node->entry = lp::Replace(node->entry, &entry->zi, s);
    UpdateSz(node);
    Compress(ql, node);
  } else if (node->plain()) {
    if (IsLarge(sz)) {
      base::Free(node->entry);
      node->entry = static_cast<uint8_t*>(base::Alloc(sz ? sz : 1));
      node->sz = sz;
      memcpy(node->entry, s.data(), sz);
      Compress(ql, node);
    } else {
      InsertAfter(entry, s);
      DelNode(ql, node);
    }
  } else {
    // A large element in a packed node: insert it after, then delete the
    // old element (or the node if it was its only one).
    node->dont_compress = 1;
    InsertAfter(entry, s);
    if (node->count == 1) {
      DelNode(ql, node);
    } else {
      uint8_t* p = lp::Last(node->entry);
      detail::DelIndex(ql, node, &p);
      node->dont_compress = 0;
      Compress(ql, node);
      Compress(ql, node->next);
    }
  }
  current_ = nullptr;
  zi_ = nullptr;
}

bool GetAtIndex(Iter* it, long long idx, Item* e) {
  if (!it->Seek(idx)) return false;
  return it->Next(e);
}

bool ReplaceAtIndex(Quicklist* ql, long index, std::string_view s) {
  Iter it(ql, kStartTail);
  Item e;
  if (!GetAtIndex(&it, index, &e)) return false;
  it.Replace(&e, s);
  return true;
}

bool DelRange(Quicklist* ql, long start, long count) {
  if (count <= 0) return false;
  unsigned long extent = static_cast<unsigned long>(count);
  if (start >= 0 && extent > ql->count - static_cast<unsigned long>(start)) {
    extent = ql->count - static_cast<unsigned long>(start);
  } else if (start < 0 && extent > static_cast<unsigned long>(-start)) {
    extent = static_cast<unsigned long>(-start);
  }
  Node* node;
  long offset;
  {
    Iter it(ql, kStartTail);
    if (!it.Seek(start)) return false;
    node = it.node();
    offset = it.offset();
    it.Release();
  }
  while (extent) {
    Node* next = node->next;
    unsigned long del;
    bool delete_entire_node = false;
    if (offset == 0 && extent >= node->count) {
      delete_entire_node = true;
      del = node->count;
    } else if (offset >= 0 && extent + offset >= node->count) {
      del = node->count - offset;
    } else if (offset < 0) {
      del = static_cast<unsigned long>(-offset);
      if (del > extent) del = extent;
    } else {
      del = extent;
    }
    if (delete_entire_node || node->plain()) {
      DelNode(ql, node);
    } else {
      DecompressForUse(node);
      node->entry = lp::DeleteRange(node->entry, offset, del);
      UpdateSz(node);
      node->count -= del;
      ql->count -= del;
      if (node->count == 0) {
        DelNode(ql, node);
      } else {
        RecompressOnly(node);
      }
    }
    extent -= del;
    node = next;
    offset = 0;
  }
  return true;
}

bool Compare(const Item& e, std::string_view s) {
  if (e.node->plain())
    return e.sz == s.size() && (s.empty() || memcmp(e.value, s.data(), s.size()) == 0);
  return lp::Equals(e.zi, s);
}

}  // namespace vireo::engine::ql
