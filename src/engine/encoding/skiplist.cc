// See skiplist.h. Redis t_zset.c's zsl* algorithms over nodes that are also
// the member index's hash nodes.
#include "engine/encoding/skiplist.h"

#include <cstring>

#include "base/hash.h"
#include "base/memory.h"

namespace vireo::engine::zsl {

namespace {

// sdscmplex with "-"/"+" as the smallest/largest strings.
int CompareBound(LexRange::Kind ak, std::string_view a, LexRange::Kind bk, std::string_view b) {
  if (ak == bk && ak != LexRange::kValue) return 0;
  if (ak == LexRange::kMinusInf || bk == LexRange::kPlusInf) return -1;
  if (ak == LexRange::kPlusInf || bk == LexRange::kMinusInf) return 1;
  return CompareMembers(a, b);
}

}  // namespace

bool LexRange::GteMin(std::string_view v) const {
  int cmp = CompareBound(kValue, v, min_kind, min);
  return minex ? cmp > 0 : cmp >= 0;
}

bool LexRange::LteMax(std::string_view v) const {
  int cmp = CompareBound(kValue, v, max_kind, max);
  return maxex ? cmp < 0 : cmp <= 0;
}

bool LexRange::Empty() const {
  int cmp = CompareBound(min_kind, min, max_kind, max);
  return cmp > 0 || (cmp == 0 && (minex || maxex));
}

int RandomLevel() {
  // Why: ZSKIPLIST_P = 0.25 with Redis's 16-bit draw.
  int level = 1;
  while ((base::Random64() & 0xFFFF) < static_cast<uint64_t>(0.25 * 0xFFFF)) level++;
  return level < kMaxLevel ? level : kMaxLevel;
}

Node* ZSet::NewNode(int level, double score, std::string_view member) {
  size_t sz = sizeof(Node) + static_cast<size_t>(level) * sizeof(Level) + member.size();
  auto* n = static_cast<Node*>(base::Alloc(sz));
  n->next = nullptr;
  n->score = score;
  n->backward = nullptr;
  n->len = static_cast<uint32_t>(member.size());
  n->nlevel = static_cast<uint8_t>(level);
  for (int i = 0; i < level; i++) n->level[i] = {nullptr, 0};
  if (!member.empty()) memcpy(n->level + level, member.data(), member.size());
  return n;
}

void ZSet::FreeNode(Node* n) { base::Free(n); }

ZSet::ZSet() { header_ = NewNode(kMaxLevel, 0, {}); }

ZSet::~ZSet() {
  Node* n = header_->level[0].forward;
  while (n) {
    Node* next = n->level[0].forward;
    FreeNode(n);
    n = next;
  }
  FreeNode(header_);
  // dict_ frees its buckets; the nodes are gone already.
}

void ZSet::Link(Node* x) {
  Node* update[kMaxLevel];
  uint64_t rank[kMaxLevel];
  Node* p = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (p->level[i].forward && Before(p->level[i].forward, x->score, x->member())) {
      rank[i] += p->level[i].span;
      p = p->level[i].forward;
    }
    update[i] = p;
  }
  int level = x->nlevel;
  if (level > level_) {
    for (int i = level_; i < level; i++) {
      rank[i] = 0;
      update[i] = header_;
      header_->level[i].span = length_;
    }
    level_ = level;
  }
  for (int i = 0; i < level; i++) {
    x->level[i].forward = update[i]->level[i].forward;
    update[i]->level[i].forward = x;
    x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
    update[i]->level[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; i++) update[i]->level[i].span++;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->level[0].forward)
    x->level[0].forward->backward = x;
  else
    tail_ = x;
  length_++;
}

void ZSet::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; i++) {
    if (update[i]->level[i].forward == x) {
      update[i]->level[i].span += x->level[i].span - 1;
      update[i]->level[i].forward = x->level[i].forward;
    } else {
      update[i]->level[i].span -= 1;
    }
  }
  if (x->level[0].forward)
    x->level[0].forward->backward = x->backward;
  else
    tail_ = x->backward;
  while (level_ > 1 && header_->level[level_ - 1].forward == nullptr) level_--;
  length_--;
}

void ZSet::FindUpdate(const Node* x, Node** update) const {
  Node* p = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (p->level[i].forward && p->level[i].forward != x &&
           Before(p->level[i].forward, x->score, x->member()))
      p = p->level[i].forward;
    update[i] = p;
  }
}

void ZSet::Drop(Node* x, Node** update) {
  Unlink(x, update);
  dict_.Remove(x->member());
  FreeNode(x);
}

Node* ZSet::Insert(double score, std::string_view member) {
  Node* x = NewNode(RandomLevel(), score, member);
  Link(x);
  dict_.Insert(x);
  return x;
}

Node* ZSet::AddUnlinked(double score, std::string_view member) {
  Node* x = NewNode(RandomLevel(), score, member);
  dict_.Insert(x);
  return x;
}

void ZSet::LinkAll() {
  dict_.ForEach([this](Node* x) { Link(x); });
}

void ZSet::UpdateScore(Node* x, double score) {
  // Why: as zslUpdateScore, a node that stays in place only gets its score.
  if ((x->backward == nullptr || x->backward->score < score) &&
      (x->level[0].forward == nullptr || x->level[0].forward->score > score)) {
    x->score = score;
    return;
  }
  Node* update[kMaxLevel];
  FindUpdate(x, update);
  Unlink(x, update);
  x->score = score;
  for (int i = 0; i < x->nlevel; i++) x->level[i] = {nullptr, 0};
  Link(x);
}

void ZSet::DeleteNode(Node* x) {
  Node* update[kMaxLevel];
  FindUpdate(x, update);
  Drop(x, update);
}

bool ZSet::Delete(std::string_view member) {
  Node* x = dict_.Find(member);
  if (!x) return false;
  DeleteNode(x);
  return true;
}

uint64_t ZSet::Rank(const Node* n) const {
  uint64_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->level[i].forward &&
           (x->level[i].forward == n || Before(x->level[i].forward, n->score, n->member()))) {
      rank += x->level[i].span;
      x = x->level[i].forward;
    }
    if (x == n) return rank;
  }
  return 0;
}

Node* ZSet::ByRank(uint64_t rank) const {
  uint64_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->level[i].forward && traversed + x->level[i].span <= rank) {
      traversed += x->level[i].span;
      x = x->level[i].forward;
    }
    if (traversed == rank) return x == header_ ? nullptr : x;
  }
  return nullptr;
}

Node* ZSet::FirstInRange(const ScoreRange& r) const {
  if (r.Empty() || !tail_ || !r.GteMin(tail_->score) || !r.LteMax(first()->score)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->score)) x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->score) ? x : nullptr;
}

Node* ZSet::LastInRange(const ScoreRange& r) const {
  if (r.Empty() || !tail_ || !r.GteMin(tail_->score) || !r.LteMax(first()->score)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--)
    while (x->level[i].forward && r.LteMax(x->level[i].forward->score)) x = x->level[i].forward;
  return x != header_ && r.GteMin(x->score) ? x : nullptr;
}

Node* ZSet::FirstInLexRange(const LexRange& r) const {
  if (r.Empty() || !tail_ || !r.GteMin(tail_->member()) || !r.LteMax(first()->member()))
    return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--)
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->member()))
      x = x->level[i].forward;
  x = x->level[0].forward;
  return x && r.LteMax(x->member()) ? x : nullptr;
}

Node* ZSet::LastInLexRange(const LexRange& r) const {
  if (r.Empty() || !tail_ || !r.GteMin(tail_->member()) || !r.LteMax(first()->member()))
    return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--)
    while (x->level[i].forward && r.LteMax(x->level[i].forward->member()))
      x = x->level[i].forward;
  return x != header_ && r.GteMin(x->member()) ? x : nullptr;
}

uint64_t ZSet::DeleteRangeByScore(const ScoreRange& r) {
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->score)) x = x->level[i].forward;
    update[i] = x;
  }
  x = x->level[0].forward;
  uint64_t removed = 0;
  while (x && r.LteMax(x->score)) {
    Node* next = x->level[0].forward;
    Drop(x, update);
    removed++;
    x = next;
  }
  return removed;
}

uint64_t ZSet::DeleteRangeByLex(const LexRange& r) {
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->level[i].forward && !r.GteMin(x->level[i].forward->member()))
      x = x->level[i].forward;
    update[i] = x;
  }
  x = x->level[0].forward;
  uint64_t removed = 0;
  while (x && r.LteMax(x->member())) {
    Node* next = x->level[0].forward;
    Drop(x, update);
    removed++;
    x = next;
  }
  return removed;
}

uint64_t ZSet::DeleteRangeByRank(uint64_t start, uint64_t end) {
  Node* update[kMaxLevel];
  uint64_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->level[i].forward && traversed + x->level[i].span < start) {
      traversed += x->level[i].span;
      x = x->level[i].forward;
    }
    update[i] = x;
  }
  traversed++;
  x = x->level[0].forward;
  uint64_t removed = 0;
  while (x && traversed <= end) {
    Node* next = x->level[0].forward;
    Drop(x, update);
    removed++;
    traversed++;
    x = next;
  }
  return removed;
}

size_t ZSet::HeaderBytes() const {
  return base::AllocSize(this) + dict_.MemoryUsage() + base::AllocSize(header_);
}

size_t ZSet::NodeBytes(const Node* n) { return base::AllocSize(n); }

}  // namespace vireo::engine::zsl
