// Skiplist: the big encoding of sorted sets (Redis's OBJ_ENCODING_SKIPLIST:
// a zskiplist ordered by (score, member) plus a dict member -> score).
//
// The skiplist is Redis's (t_zset.c zsl*): up to 32 levels, a node gets one
// more level with probability 1/4, every forward link carries a span (the
// number of level-0 steps it jumps) so ranks are O(log N), and level 0 has
// backward links for reverse walks.
//
// Why one node for both structures: Redis spends a dictEntry (24 bytes), an
// sds member (header + bytes) and a skiplist node per member, ~126 bytes for
// a short member. Here the skiplist node *is* the hash node: it carries the
// hash chain pointer and the member bytes after its levels, so a member is
// stored once and costs one allocation plus its bucket slot (see
// docs/types/zset.md for the measured bytes per member). The member -> score
// index is the engine's HashTable (dict.h) threaded through `Node::next`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/dict.h"

namespace vireo::engine::zsl {

inline constexpr int kMaxLevel = 32;  // ZSKIPLIST_MAXLEVEL

struct Node;
struct Level {
  Node* forward;
  uint64_t span;
};

struct Node {
  Node* next;       // hash chain (HashTable)
  double score;
  Node* backward;   // level 0, nullptr for the first node
  uint32_t len;     // member bytes
  uint8_t nlevel;
  Level level[];    // nlevel entries, then the member bytes

  std::string_view member() const {
    return {reinterpret_cast<const char*>(level + nlevel), len};
  }
};

struct NodeKey {
  static std::string_view Key(const Node* n) { return n->member(); }
};
using Dict = HashTable<Node, NodeKey>;

// A score interval (Redis's zrangespec): min/max, exclusive flags.
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
  // Whether the range can contain anything.
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
};

// A lexicographic interval (Redis's zlexrangespec): "-" / "+" are the
// minimum / maximum string (kind), otherwise a bound with its exclusivity.
struct LexRange {
  enum Kind : uint8_t { kValue, kMinusInf, kPlusInf };
  std::string_view min, max;
  Kind min_kind = kValue, max_kind = kValue;
  bool minex = false, maxex = false;
  bool GteMin(std::string_view v) const;
  bool LteMax(std::string_view v) const;
  bool Empty() const;
};

// Redis's sdscmp: memcmp, then the shorter first.
inline int CompareMembers(std::string_view a, std::string_view b) {
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

class ZSet {
 public:
  ZSet();
  ~ZSet();
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  size_t size() const { return length_; }
  Node* first() const { return header_->level[0].forward; }
  Node* last() const { return tail_; }
  static Node* next(const Node* n) { return n->level[0].forward; }
  int level() const { return level_; }
  Dict& dict() { return dict_; }
  const Dict& dict() const { return dict_; }

  Node* Find(std::string_view member) { return dict_.Find(member); }
  // Adds a member known to be absent; returns its node.
  Node* Insert(double score, std::string_view member);
  // Bulk building (ZUNION's accumulator): AddUnlinked puts a node in the
  // member index only (its score may still change), LinkAll then threads
  // every indexed node into the skiplist. Nothing else may run in between.
  Node* AddUnlinked(double score, std::string_view member);
  void LinkAll();
  // Changes the score of a member's node, moving it in place if needed
  // (the node, hence the dict entry, stays the same).
  void UpdateScore(Node* n, double score);
  // Removes and frees the node of `member`; false when absent.
  bool Delete(std::string_view member);
  // Removes and frees a node known to be in the set.
  void DeleteNode(Node* n);

  // 1-based rank of a node (Redis's zslGetRank).
  uint64_t Rank(const Node* n) const;
  // The node at 1-based rank, or nullptr.
  Node* ByRank(uint64_t rank) const;
  Node* FirstInRange(const ScoreRange& r) const;
  Node* LastInRange(const ScoreRange& r) const;
  Node* FirstInLexRange(const LexRange& r) const;
  Node* LastInLexRange(const LexRange& r) const;
  // Range deletions (nodes freed); return the number removed.
  uint64_t DeleteRangeByScore(const ScoreRange& r);
  uint64_t DeleteRangeByLex(const LexRange& r);
  uint64_t DeleteRangeByRank(uint64_t start, uint64_t end);  // 1-based, inclusive
  // Redis's htNeedsResize + dictResize after deletions.
  void ShrinkIfNeeded() { dict_.ShrinkIfNeeded(); }

  // Bytes of the structure and every node (MEMORY USAGE with no sampling).
  size_t HeaderBytes() const;
  static size_t NodeBytes(const Node* n);

 private:
  static Node* NewNode(int level, double score, std::string_view member);
  static void FreeNode(Node* n);
  void Link(Node* x);  // inserts x (score/member set) at its levels
  void Unlink(Node* x, Node** update);
  // The predecessors of x at every level (zslDelete's update[]).
  void FindUpdate(const Node* x, Node** update) const;
  // Unlinks x, removes it from the index and frees it.
  void Drop(Node* x, Node** update);
  bool Before(const Node* n, double score, std::string_view member) const {
    return n->score < score || (n->score == score && CompareMembers(n->member(), member) < 0);
  }

  Dict dict_;
  Node* header_;
  Node* tail_ = nullptr;
  uint64_t length_ = 0;
  int level_ = 1;
};

// Redis's zslRandomLevel.
int RandomLevel();

}  // namespace vireo::engine::zsl
