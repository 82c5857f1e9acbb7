// Quicklist: Redis 7.0's list representation, a doubly linked list of nodes
// that each hold a listpack (PACKED) or one big element on its own (PLAIN),
// with the inner nodes optionally LZF-compressed (quicklist.c).
//
// Why Redis's exact rules: RDB files and DUMP payloads of a list are the
// sequence of its nodes (RDB type 18, quicklist2: per node its container
// type and its listpack, possibly LZF-compressed), so where a node ends and
// what bytes it holds must be what redis-server would have after the same
// operations. Every decision that shapes nodes is ported: the fill factor
// (`list-max-listpack-size`: > 0 entries per node, -1..-5 = 4/8/16/32/64 KB),
// _quicklistNodeAllowInsert with its 8-byte estimate and the 8 KB safety
// limit, the merge attempts after a split, the packed threshold for PLAIN
// nodes, and `list-compress-depth` with MIN_COMPRESS_BYTES 48 and
// MIN_COMPRESS_IMPROVE 8.
//
// The API mirrors quicklist.c (push, pop, iterators in both directions,
// insert before/after, replace, delete entry / range, dup) so the list
// commands can follow t_list.c line by line. Nodes are also reachable
// directly (`head`, `next`) for the RDB writer: `NodeData` gives a node's
// container and raw (possibly compressed) bytes, `AppendListpack` /
// `AppendPlain` rebuild a list from saved nodes after `ValidateNode`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/encoding/listpack.h"

namespace vireo::engine::ql {

// Node encodings and containers (Redis's QUICKLIST_NODE_*; the container
// number is what RDB stores per node).
inline constexpr unsigned kEncRaw = 1;
inline constexpr unsigned kEncLzf = 2;
inline constexpr unsigned kPlain = 1;
inline constexpr unsigned kPacked = 2;

struct Node {
  Node* prev;
  Node* next;
  uint8_t* entry;  // listpack, plain bytes, or an Lzf block when compressed
  size_t sz;       // uncompressed bytes of `entry`
  unsigned count : 16;              // elements in this node
  unsigned encoding : 2;            // kEncRaw / kEncLzf
  unsigned container : 2;           // kPlain / kPacked
  unsigned recompress : 1;          // decompressed for use, compress back after
  unsigned attempted_compress : 1;  // (reported by Repr, as Redis's tests read it)
  unsigned dont_compress : 1;       // keep raw while an operation needs it

  bool plain() const { return container == kPlain; }
  bool compressed() const { return encoding == kEncLzf; }
};

// A compressed node's block (Redis's quicklistLZF).
struct Lzf {
  size_t sz;  // compressed bytes
  uint8_t compressed[];
};

struct Quicklist {
  Node* head;
  Node* tail;
  unsigned long count;  // elements
  unsigned long len;    // nodes
  int fill;             // list-max-listpack-size
  unsigned compress;    // list-compress-depth (0 = off)
};

enum Direction { kStartHead = 0, kStartTail = 1 };

// An element seen by an iterator (Redis's quicklistEntry). `value` is null
// for an integer stored in a listpack (then `longval` holds it).
struct Item {
  Quicklist* ql = nullptr;
  Node* node = nullptr;
  uint8_t* zi = nullptr;
  const uint8_t* value = nullptr;
  size_t sz = 0;
  int64_t longval = 0;
  long offset = 0;

  bool is_int() const { return value == nullptr; }
  // The element as text; integers are formatted into buf (>= 21 bytes).
  std::string_view View(char* buf) const;
};

// ---- global tunables --------------------------------------------------------
// Elements of at least this many bytes get a PLAIN node of their own
// (Redis's packed_threshold, 1 GB by default, a process-wide setting that
// DEBUG QUICKLIST-PACKED-THRESHOLD changes). 0 restores the default; false
// (nothing changed) above 4 GB - 1 MB, as quicklistisSetPackedThreshold.
bool SetPackedThreshold(size_t sz);
size_t PackedThreshold();

// ---- lifetime -----------------------------------------------------------------
Quicklist* Create(int fill, int compress);
void Release(Quicklist* ql);
// Clamps as quicklistSetFill / quicklistSetCompressDepth do.
void SetOptions(Quicklist* ql, int fill, int compress);
// A deep copy, node for node (compressed nodes are copied compressed).
Quicklist* Dup(const Quicklist* ql);

// ---- ends -----------------------------------------------------------------------
void PushHead(Quicklist* ql, std::string_view s);
void PushTail(Quicklist* ql, std::string_view s);
inline void Push(Quicklist* ql, std::string_view s, bool head) {
  head ? PushHead(ql, s) : PushTail(ql, s);
}
// Removes the first (head) or last element, showing it to `fn(const Item&)`
// before it is deleted (no copy; Redis's quicklistPopCustom). False when
// the list is empty.
template <class F>
bool Pop(Quicklist* ql, bool head, F&& fn);
// Moves the tail element to the head (Redis's quicklistRotate).
void Rotate(Quicklist* ql);

// ---- iteration ------------------------------------------------------------------
// Redis's quicklistIter. Construct at an end, or with Seek at an index
// (negative from the tail); the destructor compresses the node it stopped
// on back (quicklistReleaseIterator). Inserting or replacing through an
// iterator invalidates it (as Redis's resetIterator): create a new one.
class Iter {
 public:
  Iter(Quicklist* ql, Direction dir);
  ~Iter() { Release(); }
  Iter(const Iter&) = delete;
  Iter& operator=(const Iter&) = delete;

  // Positions at `idx` (quicklistGetIteratorAtIdx); false when out of range.
  bool Seek(long long idx);
  // The next element in the iterator's direction; false at the end.
  bool Next(Item* e);
  void SetDirection(Direction d) { direction_ = d; }
  // The node and offset the iterator stands on (after Seek).
  Node* node() const { return current_; }
  long offset() const { return offset_; }
  // Compresses the current node back and detaches (idempotent).
  void Release();

  // Writes through the iterator at the element `e` it returned.
  void InsertBefore(Item* e, std::string_view s) { Insert(e, s, false); }
  void InsertAfter(Item* e, std::string_view s) { Insert(e, s, true); }
  void Replace(Item* e, std::string_view s);
  // Deletes `e`; iteration may continue with Next (quicklistDelEntry).
  void Delete(Item* e);

 private:
  friend bool ReplaceAtIndex(Quicklist*, long, std::string_view);
  void Insert(Item* e, std::string_view s, bool after);

  Quicklist* ql_;
  Node* current_ = nullptr;
  uint8_t* zi_ = nullptr;
  long offset_ = 0;
  Direction direction_;
};

// The element at `idx` into *e with an iterator left on it
// (quicklistGetIteratorEntryAtIdx); false when out of range.
bool GetAtIndex(Iter* it, long long idx, Item* e);
// LSET: false when idx is out of range.
bool ReplaceAtIndex(Quicklist* ql, long index, std::string_view s);
// Deletes `count` elements from `start` (negative from the tail), clamped
// to the list (quicklistDelRange). False when nothing was deleted.
bool DelRange(Quicklist* ql, long start, long count);
// Whether the element equals `s` (integers compare by their text).
bool Compare(const Item& e, std::string_view s);

// ---- nodes (RDB, DUMP, RESTORE, DEBUG) -----------------------------------------
// A node's bytes as RDB saves them: `*data`/`*len` are the listpack or the
// plain element, or the LZF stream when `*compressed` (then `node->sz` is
// the uncompressed size, as rdbSaveLzfBlob needs).
void NodeData(const Node* n, const uint8_t** data, size_t* len, bool* compressed);
// Appends a node made from a listpack / a plain element (ownership of a
// base::Alloc'd block is taken), compressing inner nodes per the depth.
// An empty listpack is freed and skipped, as Redis's RDB loader does (a
// list left with no element must then not be created).
void AppendListpack(Quicklist* ql, uint8_t* lp);
void AppendPlain(Quicklist* ql, uint8_t* data, size_t sz);
// Checks a saved node before AppendListpack/AppendPlain (RESTORE, RDB
// load): a PACKED node must be a valid listpack of `size` bytes (every
// entry with `deep`) of at most 65535 elements; a PLAIN node any bytes.
bool ValidateNode(unsigned container, const uint8_t* data, size_t size, bool deep);
// Consistency of a whole quicklist (links, counts, sizes, the compression
// state of the ends); for tests and DEBUG.
bool CheckConsistency(const Quicklist* ql);
// Decompresses a node's bytes into `out` (node->sz bytes); false when the
// stream is corrupt.
bool Decompress(const Node* n, uint8_t* out);

// ---- DEBUG -------------------------------------------------------------------------
// Print to stdout exactly as Redis's quicklistRepr(ql, full) / lpRepr(lp).
void Repr(Quicklist* ql, bool full);
void LpRepr(const uint8_t* lp);

// ---------------------------------------------------------------------------------
namespace detail {
// Deletes the element at *p of `node` (quicklistDelIndex); true when the
// node went away.
bool DelIndex(Quicklist* ql, Node* node, uint8_t** p);
// Decompresses a node in place (no recompress mark); false on a corrupt stream.
bool DecompressNode(Node* n);
void FillItem(Node* node, uint8_t* zi, Item* e);
}  // namespace detail

template <class F>
bool Pop(Quicklist* ql, bool head, F&& fn) {
  if (ql->count == 0) return false;
  Node* node = head ? ql->head : ql->tail;
  // The head and tail are never compressed.
  Item e;
  e.ql = ql;
  e.node = node;
  if (node->plain()) {
    e.value = node->entry;
    e.sz = node->sz;
    fn(static_cast<const Item&>(e));
    detail::DelIndex(ql, node, nullptr);
    return true;
  }
  uint8_t* p = head ? lp::First(node->entry) : lp::Last(node->entry);
  detail::FillItem(node, p, &e);
  fn(static_cast<const Item&>(e));
  detail::DelIndex(ql, node, &p);
  return true;
}

}  // namespace vireo::engine::ql
