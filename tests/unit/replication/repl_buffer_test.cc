// Unit tests for replication/repl_buffer: the shared replication stream
// (Redis 7.0's replication buffer). Offsets of the backlog and of the
// master, block sizing (16 KB floor, backlog_size/16 ceiling, usable size
// taken over), Append across block boundaries, CanServe bounds, cursors
// attached at every offset and at Append's start, Pending/FillIov/Advance
// against a std::string model of the whole stream, the trimming rule
// (Redis's incrementalTrimReplicationBacklog), Rebase, FreeBacklog, memory
// accounting and Tail. A randomized differential test drives all of it at
// once and checks the block chain after every step (run it under the ASan
// build too: freed blocks still referenced are caught there).
//
// White-box where the rules are about blocks: the chain is walked from the
// head, found with a probe cursor whose reference is dropped by hand
// (Detach would trim and change the state under test).
#include "replication/repl_buffer.h"

#include <gtest/gtest.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/memory.h"

namespace vireo::replication {
namespace {

using Cursor = ReplBuffer::Cursor;

constexpr size_t kMinBlock = 16 * 1024;
constexpr int64_t kMinBacklog = 16 * 1024;

// The byte at stream index i: not periodic at block sizes, so a byte read
// from the wrong place shows.
char ByteAt(size_t i) {
  uint32_t x = static_cast<uint32_t>(i) * 2654435761u;
  x ^= x >> 15;
  return static_cast<char>(x);
}

std::vector<ReplBlock*> Chain(ReplBuffer& rb) {
  std::vector<ReplBlock*> v;
  if (!rb.backlog_active()) return v;
  Cursor probe;
  rb.AttachAt(&probe, rb.backlog_offset());
  if (!probe.block) return v;
  probe.block->refcount--;  // undo the probe by hand: Detach would Trim
  for (ReplBlock* b = probe.block; b; b = b->next) v.push_back(b);
  return v;
}

// The request Append makes for a block when `n` bytes remain.
size_t WantedBlock(int64_t backlog_size, size_t n) {
  size_t limit = std::max(static_cast<size_t>(backlog_size / 16), kMinBlock);
  return std::min(std::max(n, kMinBlock), limit);
}

// FillIov's bytes, concatenated.
std::string Read(const ReplBuffer& rb, const Cursor& c, int max) {
  std::vector<iovec> iov(static_cast<size_t>(max));
  int n = rb.FillIov(c, iov.data(), max);
  std::string s;
  for (int i = 0; i < n; i++) {
    EXPECT_GT(iov[i].iov_len, 0u) << "FillIov returned an empty iovec";
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  }
  return s;
}

std::string ReadAll(const ReplBuffer& rb, const Cursor& c) { return Read(rb, c, static_cast<int>(rb.blocks()) + 1); }

class ReplBufferTest : public ::testing::Test {
 protected:
  void Create(int64_t master_offset = 0) {
    rb.set_master_offset(master_offset);
    rb.CreateBacklog();
    model.clear();
    origin = master_offset + 1;
  }
  // Appends n bytes of the model's pattern; checks that the only memory
  // Append takes or gives back is the blocks' (memory() tracks it).
  // With `trim` (no replica waits for these bytes) the buffer is trimmed
  // as the master does after a new block; a caller that attaches at the
  // returned start passes false and calls rb.Trim() after attaching.
  Cursor Append(size_t n, bool* new_block = nullptr, bool trim = true) {
    std::string s;
    s.reserve(n);
    for (size_t i = 0; i < n; i++) s.push_back(ByteAt(model.size() + i));
    if (rb.backlog_active()) model += s;
    size_t used0 = base::UsedMemory(), mem0 = rb.memory();
    bool nb = false;
    Cursor c = rb.Append(s.data(), s.size(), &nb);
    if (new_block) *new_block = nb;
    if (trim && nb) rb.Trim();
    EXPECT_EQ(base::UsedMemory() - used0, rb.memory() - mem0);
    return c;
  }
  // Appends and attaches `c` at the start before trimming (FeedBytes).
  void AppendAttach(size_t n, Cursor* c) {
    bool nb = false;
    Cursor start = Append(n, &nb, false);
    rb.Attach(c, start);
    if (nb) rb.Trim();
  }
  int64_t End() const { return rb.master_offset() + 1; }
  std::string Want(int64_t from) const { return model.substr(static_cast<size_t>(from - origin)); }
  // Sum of allocations == memory(), one of them per block, usable size
  // taken over, non-tail blocks full, offsets contiguous.
  void ExpectChainConsistent() {
    std::vector<ReplBlock*> ch = Chain(rb);
    size_t mem = 0;
    int64_t hist = 0;
    for (size_t i = 0; i < ch.size(); i++) {
      ReplBlock* b = ch[i];
      EXPECT_EQ(b->alloc, base::AllocSize(b));
      EXPECT_EQ(b->size, b->alloc - sizeof(ReplBlock));
      EXPECT_GT(b->used, 0u);
      EXPECT_LE(b->used, b->size);
      if (i + 1 < ch.size()) {
        EXPECT_EQ(b->used, b->size) << "block " << i << " is not the tail but not full";
        EXPECT_EQ(ch[i + 1]->repl_offset, b->repl_offset + static_cast<int64_t>(b->used));
      }
      mem += b->alloc;
      hist += static_cast<int64_t>(b->used);
    }
    EXPECT_EQ(rb.memory(), mem);
    EXPECT_EQ(rb.blocks(), ch.size());
    EXPECT_EQ(rb.histlen(), hist);
    if (!ch.empty()) {
      EXPECT_EQ(ch.front()->repl_offset, rb.backlog_offset());
      EXPECT_EQ(ch.back()->repl_offset + static_cast<int64_t>(ch.back()->used), End());
    }
  }

  ReplBuffer rb;
  std::string model;  // every byte appended since CreateBacklog
  int64_t origin = 1;  // the replication offset of model[0]
};

TEST_F(ReplBufferTest, NoBacklogKeepsNothing) {
  EXPECT_FALSE(rb.backlog_active());
  EXPECT_EQ(rb.backlog_offset() + rb.histlen(), 0);
  EXPECT_FALSE(rb.CanServe(1));
  bool nb = true;
  size_t used0 = base::UsedMemory();
  Cursor c = rb.Append("hello", 5, &nb);
  EXPECT_EQ(base::UsedMemory(), used0);
  EXPECT_FALSE(c.attached());
  EXPECT_FALSE(nb);
  EXPECT_EQ(rb.master_offset(), 0) << "a master without backlog does not move its offset";
  EXPECT_EQ(rb.memory() + rb.blocks(), 0u);
  EXPECT_EQ(rb.Tail(10), "");
}

TEST_F(ReplBufferTest, CreateBacklogStartsAfterMasterOffset) {
  Create(1000);
  EXPECT_TRUE(rb.backlog_active());
  EXPECT_EQ(rb.backlog_offset(), 1001);
  EXPECT_EQ(rb.histlen(), 0);
  EXPECT_EQ(rb.memory(), 0u);
  // Empty backlog: only "the next byte" is servable (nothing to send).
  EXPECT_TRUE(rb.CanServe(1001));
  EXPECT_FALSE(rb.CanServe(1000));
  EXPECT_FALSE(rb.CanServe(1002));
  bool nb = true;
  EXPECT_FALSE(Append(0, &nb).attached());
  EXPECT_FALSE(nb);
  Cursor c = Append(10, &nb);
  EXPECT_TRUE(nb);
  ASSERT_TRUE(c.attached());
  EXPECT_EQ(rb.OffsetOf(c), 1001);
  EXPECT_EQ(rb.master_offset(), 1010);
  EXPECT_EQ(rb.histlen(), 10);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, MasterOffsetArithmetic) {
  Create(41);
  int64_t total = 0;
  for (size_t n : {1u, 7u, 16383u, 1u, 40000u, 3u, 100000u}) {
    Append(n);
    total += static_cast<int64_t>(n);
    EXPECT_EQ(rb.master_offset(), 41 + total);
    EXPECT_EQ(rb.histlen(), total);  // 1 MB backlog: nothing trimmed yet
    EXPECT_EQ(rb.backlog_offset() + rb.histlen(), rb.master_offset() + 1);
  }
  EXPECT_EQ(rb.Tail(static_cast<size_t>(total)), model);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, BlockSizing) {
  Create();
  bool nb = false;
  Cursor c = Append(100, &nb);
  EXPECT_TRUE(nb);
  ReplBlock* first = c.block;
  EXPECT_GE(first->size, kMinBlock) << "small writes get a whole reply chunk";
  EXPECT_EQ(first->alloc, base::AllocSize(first));
  EXPECT_EQ(first->size, first->alloc - sizeof(ReplBlock)) << "capacity takes the usable size";
  // Fits in the tail: no new block, start points into it.
  Cursor d = Append(200, &nb);
  EXPECT_FALSE(nb);
  EXPECT_EQ(d.block, first);
  EXPECT_EQ(d.pos, 100u);
  // A big write: the tail is filled, then blocks of at most backlog_size/16.
  size_t room = first->size - first->used;
  Cursor e = Append(room + 200000, &nb);
  EXPECT_TRUE(nb);
  EXPECT_EQ(e.block, first);
  std::vector<ReplBlock*> ch = Chain(rb);
  ASSERT_GE(ch.size(), 4u);
  size_t left = 200000;
  for (size_t i = 1; i < ch.size(); i++) {
    size_t want = WantedBlock(rb.backlog_size(), left);
    EXPECT_GE(ch[i]->size, want);
    EXPECT_LE(ch[i]->size, want + want / 4 + 64) << "block " << i << " bigger than requested";
    left -= ch[i]->used;
  }
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(WantedBlock(rb.backlog_size(), 200000), 64u * 1024) << "1 MB backlog: 64 KB blocks";
  EXPECT_EQ(ReadAll(rb, Cursor{first, 0}), model);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, BigBacklogMakesBigBlocks) {
  rb.set_backlog_size(32 * 1024 * 1024);  // limit 2 MB
  Create();
  Cursor c = Append(3 * 1024 * 1024);
  std::vector<ReplBlock*> ch = Chain(rb);
  ASSERT_EQ(ch.size(), 2u);
  EXPECT_GE(ch[0]->size, 2u * 1024 * 1024);
  EXPECT_EQ(ReadAll(rb, c), model);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, CanServeBounds) {
  rb.set_backlog_size(kMinBacklog);
  Create(5);
  for (int i = 0; i < 10; i++) Append(9000);
  ASSERT_GT(rb.backlog_offset(), 6) << "expected a trimmed backlog";
  int64_t lo = rb.backlog_offset(), hi = lo + rb.histlen();
  EXPECT_FALSE(rb.CanServe(lo - 1));
  EXPECT_TRUE(rb.CanServe(lo));
  EXPECT_TRUE(rb.CanServe(hi - 1));
  EXPECT_TRUE(rb.CanServe(hi)) << "the next byte: nothing to send, still a partial resync";
  EXPECT_FALSE(rb.CanServe(hi + 1));
  rb.FreeBacklog();
  EXPECT_FALSE(rb.CanServe(rb.master_offset() + 1));
}

TEST_F(ReplBufferTest, AttachAtEveryOffset) {
  rb.set_backlog_size(256 * 1024);  // 16 KB blocks, nothing trimmed
  Create(77);
  Append(5 * kMinBlock + 123);
  std::vector<ReplBlock*> ch = Chain(rb);
  ASSERT_GE(ch.size(), 5u);
  std::vector<int> refs;
  for (ReplBlock* b : ch) refs.push_back(b->refcount);
  EXPECT_EQ(refs[0], 1) << "the backlog's reference";
  std::set<int64_t> edges;
  for (int64_t d : {-1, 0, 1}) {
    for (ReplBlock* b : ch) edges.insert(b->repl_offset + d);  // blocks are contiguous
    edges.insert(End() + d);
  }
  for (int64_t off = rb.backlog_offset(); off <= End(); off++) {
    ASSERT_TRUE(rb.CanServe(off));
    Cursor c;
    rb.AttachAt(&c, off);
    ASSERT_TRUE(c.attached()) << off;
    EXPECT_EQ(rb.OffsetOf(c), off);
    EXPECT_LE(c.pos, c.block->used);
    ASSERT_EQ(rb.Pending(c), static_cast<size_t>(End() - off));
    iovec iov[8];
    int n = rb.FillIov(c, iov, 8);
    size_t sum = 0;
    for (int i = 0; i < n; i++) sum += iov[i].iov_len;
    EXPECT_EQ(sum, rb.Pending(c));
    if (n > 0) {
      EXPECT_EQ(*static_cast<char*>(iov[0].iov_base), model[static_cast<size_t>(off - origin)]);
    }
    if (edges.count(off)) {
      EXPECT_EQ(ReadAll(rb, c), Want(off)) << off;
    }
    EXPECT_EQ(c.block->refcount, refs[std::find(ch.begin(), ch.end(), c.block) - ch.begin()] + 1);
    rb.Detach(&c);
    EXPECT_FALSE(c.attached());
    if (HasFailure()) break;
  }
  for (size_t i = 0; i < ch.size(); i++) EXPECT_EQ(ch[i]->refcount, refs[i]);
  // At the end: on the tail, sees what comes next.
  Cursor c;
  rb.AttachAt(&c, End());
  EXPECT_EQ(c.block, ch.back());
  EXPECT_EQ(rb.Pending(c), 0u);
  Append(40000);
  EXPECT_EQ(ReadAll(rb, c), model.substr(model.size() - 40000));
  rb.Detach(&c);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, AttachAtOnEmptyBacklogWaitsThenDetach) {
  Create(9);
  Cursor c;
  rb.AttachAt(&c, 10);
  EXPECT_FALSE(c.attached());
  EXPECT_EQ(rb.OffsetOf(c), 10);
  EXPECT_EQ(rb.Pending(c), 0u);
  iovec iov[2];
  EXPECT_EQ(rb.FillIov(c, iov, 2), 0);
  AppendAttach(300, &c);
  EXPECT_EQ(rb.OffsetOf(c), 10);
  EXPECT_EQ(ReadAll(rb, c), model);
  ReplBlock* b = c.block;
  EXPECT_EQ(b->refcount, 2);
  rb.Detach(&c);
  EXPECT_FALSE(c.attached());
  EXPECT_EQ(c.pos, 0u);
  EXPECT_EQ(b->refcount, 1);
  EXPECT_EQ(rb.Pending(c), 0u);
  EXPECT_EQ(rb.OffsetOf(c), End());
  rb.Detach(&c);  // not attached: nothing
}

TEST_F(ReplBufferTest, AttachAtAppendStart) {
  Create();
  Append(500);
  // Start inside the tail (room left) and in a new block (tail full).
  Cursor a, b;
  AppendAttach(1000, &a);
  EXPECT_EQ(rb.OffsetOf(a), 501);
  ReplBlock* tail = a.block;
  Append(tail->size - tail->used);
  Cursor s = Append(70000, nullptr, false);
  EXPECT_NE(s.block, tail);
  EXPECT_EQ(s.pos, 0u);
  rb.Attach(&b, s);
  rb.Trim();
  EXPECT_EQ(s.block->refcount, 1);
  EXPECT_EQ(rb.OffsetOf(b), static_cast<int64_t>(model.size()) - 70000 + 1);
  Append(10);
  EXPECT_EQ(ReadAll(rb, a), Want(501));
  EXPECT_EQ(ReadAll(rb, b), model.substr(model.size() - 70010));
  rb.Detach(&a);
  rb.Detach(&b);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, PendingFillIovAdvanceReproduceTheStream) {
  rb.set_backlog_size(512 * 1024);  // 32 KB blocks
  Create(1234);
  Cursor c;
  AppendAttach(10, &c);
  std::mt19937 rng(7);
  std::string got;
  for (int round = 0; round < 200; round++) {
    Append(rng() % 9000);
    // A short iovec array gives a prefix of the same bytes.
    std::string one = Read(rb, c, 1);
    std::string all = ReadAll(rb, c);
    ASSERT_EQ(all.size(), rb.Pending(c));
    ASSERT_EQ(all.compare(0, one.size(), one), 0);
    size_t n = rng() % (all.size() + 1);
    if (round % 10 == 0) n = all.size();
    rb.Advance(&c, n);
    got.append(all, 0, n);
    EXPECT_EQ(rb.OffsetOf(c), 1235 + static_cast<int64_t>(got.size()));
    EXPECT_TRUE(!c.block->next || c.pos < c.block->used) << "only the tail may hold a cursor at its end";
  }
  got += ReadAll(rb, c);
  EXPECT_EQ(got, model);
  rb.Detach(&c);
}

TEST_F(ReplBufferTest, AdvanceToABlockEdgeMovesTheReference) {
  rb.set_backlog_size(256 * 1024);
  Create();
  Cursor c;
  AppendAttach(3 * kMinBlock, &c);
  std::vector<ReplBlock*> ch = Chain(rb);
  ASSERT_GE(ch.size(), 3u);
  EXPECT_EQ(ch[0]->refcount, 2);
  rb.Advance(&c, ch[0]->used);  // exactly the first block
  EXPECT_EQ(c.block, ch[1]);
  EXPECT_EQ(c.pos, 0u);
  EXPECT_EQ(ch[0]->refcount, 1);
  EXPECT_EQ(ch[1]->refcount, 1);
  rb.Advance(&c, ch[1]->used + 5);
  EXPECT_EQ(c.block, ch[2]);
  EXPECT_EQ(c.pos, 5u);
  rb.Detach(&c);
  EXPECT_EQ(ch[2]->refcount, 0);
}

TEST_F(ReplBufferTest, CursorStaysOnAFullTailAndSeesLaterAppends) {
  Create();
  Cursor c;
  AppendAttach(100, &c);
  ReplBlock* tail = c.block;
  // Not full: the cursor waits at the end of the tail, the next bytes go there.
  rb.Advance(&c, rb.Pending(c));
  EXPECT_EQ(c.block, tail);
  EXPECT_EQ(c.pos, 100u);
  bool nb = true;
  Append(50, &nb);
  EXPECT_FALSE(nb);
  EXPECT_EQ(ReadAll(rb, c), model.substr(100));
  // Full: the cursor still stays on it (there is no next block yet).
  Append(tail->size - tail->used);
  rb.Advance(&c, rb.Pending(c));
  EXPECT_EQ(c.block, tail);
  EXPECT_EQ(c.pos, tail->size);
  EXPECT_EQ(rb.Pending(c), 0u);
  iovec iov[4];
  EXPECT_EQ(rb.FillIov(c, iov, 4), 0);
  Append(777, &nb);
  EXPECT_TRUE(nb);
  EXPECT_EQ(rb.Pending(c), 777u);
  EXPECT_EQ(rb.FillIov(c, iov, 4), 1) << "the spent tail yields no empty iovec";
  EXPECT_EQ(ReadAll(rb, c), model.substr(model.size() - 777));
  rb.Advance(&c, 777);
  EXPECT_EQ(c.block, tail->next);
  EXPECT_EQ(c.pos, 777u);
  EXPECT_EQ(tail->refcount, 1);
  rb.Detach(&c);
  ExpectChainConsistent();
}

// --- trimming ----------------------------------------------------------------

struct Blk {
  int64_t off;
  size_t size, alloc;
};

std::vector<Blk> Snapshot(ReplBuffer& rb) {
  std::vector<Blk> v;
  for (ReplBlock* b : Chain(rb)) v.push_back(Blk{b->repl_offset, b->size, b->alloc});
  return v;
}

// The rule (Redis's incrementalTrimReplicationBacklog): the head goes while
// the backlog is longer than backlog_size, another block follows, no cursor
// starts in it and what remains is still longer than backlog_size. Returns
// how many of `chain`'s blocks go; *hist becomes the remaining histlen.
size_t PredictTrim(const std::vector<Blk>& chain, int64_t* hist, int64_t bs, const std::set<int64_t>& pinned) {
  size_t drop = 0;
  while (*hist > bs && drop + 1 < chain.size() && !pinned.count(chain[drop].off) &&
         *hist - static_cast<int64_t>(chain[drop].size) > bs) {
    *hist -= static_cast<int64_t>(chain[drop].size);  // non-tail blocks are full
    drop++;
  }
  return drop;
}

TEST_F(ReplBufferTest, TrimDropsTheHeadOnlyPastBacklogSizeAndUnpinned) {
  const int64_t bs = 64 * 1024;
  rb.set_backlog_size(bs);  // 16 KB blocks
  Create();
  Cursor pin;
  auto expect_trimmed = [&](const std::vector<Blk>& full, int64_t hist, int step) {
    std::set<int64_t> pinned;
    if (pin.attached()) pinned.insert(pin.block->repl_offset);
    size_t drop = PredictTrim(full, &hist, bs, pinned);
    EXPECT_EQ(rb.backlog_offset(), full[drop].off) << "step " << step;
    EXPECT_EQ(rb.histlen(), hist) << "step " << step;
    size_t mem = 0;
    for (size_t i = drop; i < full.size(); i++) mem += full[i].alloc;
    EXPECT_EQ(rb.memory(), mem) << "memory drops by the trimmed blocks";
  };
  int64_t pinned_off = 0;
  for (int step = 0; step < 400 && !HasFailure(); step++) {
    if (step == 100) {  // a slow replica starts in the head
      pinned_off = rb.backlog_offset();
      rb.AttachAt(&pin, pinned_off);
    }
    if (step == 250 || step == 330) {  // it catches up: the head goes at once (Redis trims there too)
      std::vector<Blk> full = Snapshot(rb);
      int64_t hist = rb.histlen();
      size_t used0 = base::UsedMemory(), mem0 = rb.memory();
      rb.Advance(&pin, rb.Pending(pin));
      EXPECT_EQ(used0 - base::UsedMemory(), mem0 - rb.memory());
      expect_trimmed(full, hist, step);
      EXPECT_LE(rb.histlen(), bs + static_cast<int64_t>(full.front().size) * 2);
    }
    std::vector<Blk> full = Snapshot(rb);
    int64_t hist = rb.histlen() + 1000;
    int64_t off0 = rb.backlog_offset();
    bool nb = false;
    Append(1000, &nb);  // 1000 bytes: at most one new block, never trimmed itself
    if (!nb) {
      EXPECT_EQ(rb.backlog_offset(), off0) << "no trim without a new block";
      EXPECT_EQ(rb.histlen(), hist);
      continue;
    }
    full.push_back(Snapshot(rb).back());
    expect_trimmed(full, hist, step);
    if (step >= 100 && step < 250) {
      EXPECT_EQ(rb.backlog_offset(), pinned_off) << "the pinned head stays";
    }
  }
  EXPECT_GT(rb.histlen(), bs) << "the pin moved with the tail and pins again";
  std::vector<Blk> full = Snapshot(rb);
  int64_t hist = rb.histlen();
  rb.Detach(&pin);
  expect_trimmed(full, hist, -1);
  EXPECT_EQ(rb.Tail(static_cast<size_t>(rb.histlen())), Want(rb.backlog_offset()));
  ExpectChainConsistent();
}

// The edge of the rule: a head whose removal would leave exactly
// backlog_size bytes stays (Redis: histlen - size <= backlog_size breaks).
TEST_F(ReplBufferTest, TrimKeepsAHeadThatLeavesExactlyBacklogSize) {
  rb.set_backlog_size(kMinBacklog);
  Create();
  Append(1);
  const size_t s = Chain(rb).front()->size;  // every 16 KB block gets this capacity
  rb.set_backlog_size(static_cast<int64_t>(4 * s));  // still 16 KB requests
  Append(s - 1);
  for (size_t k = 2; k <= 6; k++) {
    Append(s);  // exactly one more full block
    ASSERT_EQ(Chain(rb).back()->size, s);
    // k blocks: drop one only if (k - 1) * s > 4 * s.
    EXPECT_EQ(rb.blocks(), std::min<size_t>(k, 5)) << k;
    EXPECT_EQ(rb.histlen(), static_cast<int64_t>(std::min<size_t>(k, 5) * s));
  }
}

TEST_F(ReplBufferTest, SlowCursorMakesTheBacklogGrow) {
  rb.set_backlog_size(kMinBacklog);
  Create();
  Cursor c;
  AppendAttach(10, &c);
  for (int i = 0; i < 40; i++) Append(5000);
  EXPECT_EQ(rb.backlog_offset(), 1);
  EXPECT_EQ(rb.histlen(), 200010);
  EXPECT_EQ(ReadAll(rb, c), model);
  size_t mem = rb.memory();
  rb.Advance(&c, 150000);
  EXPECT_LT(rb.memory(), mem);
  EXPECT_GT(rb.backlog_offset(), 1);
  EXPECT_LE(rb.backlog_offset(), 150001) << "the cursor's block is kept";
  EXPECT_EQ(ReadAll(rb, c), Want(150001));
  rb.Detach(&c);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, ShrinkingBacklogSizeTrims) {
  rb.set_backlog_size(1);
  EXPECT_EQ(rb.backlog_size(), kMinBacklog) << "floor of 16 KB, also without a backlog";
  rb.set_backlog_size(1024 * 1024);
  Create();
  Append(900 * 1024);
  EXPECT_EQ(rb.histlen(), 900 * 1024);
  for (int64_t bs : {int64_t{1024 * 1024}, int64_t{200 * 1024}, int64_t{1}}) {
    std::vector<Blk> full = Snapshot(rb);
    int64_t hist = rb.histlen();
    size_t used0 = base::UsedMemory(), mem0 = rb.memory();
    rb.set_backlog_size(bs);
    EXPECT_EQ(used0 - base::UsedMemory(), mem0 - rb.memory());
    int64_t eff = std::max(bs, kMinBacklog);
    EXPECT_EQ(rb.backlog_size(), eff);
    size_t drop = PredictTrim(full, &hist, eff, {});
    EXPECT_EQ(rb.backlog_offset(), full[drop].off) << bs;
    EXPECT_EQ(rb.histlen(), hist) << bs;
    EXPECT_EQ(rb.Tail(1 << 30), Want(rb.backlog_offset()));
  }
  EXPECT_LT(rb.histlen(), 200 * 1024);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, RebaseShiftsEveryOffset) {
  Create();
  Append(21000);
  Cursor c;
  rb.AttachAt(&c, 500);
  const int64_t kBase = 5000000000LL;
  // As loadDataFromDisk does: the master offset moves by the caller.
  rb.set_master_offset(rb.master_offset() + kBase);
  rb.Rebase(kBase);
  origin += kBase;
  EXPECT_EQ(rb.backlog_offset(), kBase + 1);
  EXPECT_EQ(rb.OffsetOf(c), kBase + 500);
  EXPECT_TRUE(rb.CanServe(kBase + 1));
  EXPECT_TRUE(rb.CanServe(End()));
  EXPECT_FALSE(rb.CanServe(kBase));
  Cursor d;
  rb.AttachAt(&d, kBase + 17000);
  EXPECT_EQ(ReadAll(rb, d), Want(kBase + 17000));
  Append(70000);
  EXPECT_EQ(ReadAll(rb, c), Want(kBase + 500));
  EXPECT_EQ(ReadAll(rb, d), Want(kBase + 17000));
  rb.Detach(&c);
  rb.Detach(&d);
  ExpectChainConsistent();
}

TEST_F(ReplBufferTest, FreeBacklogReleasesEverything) {
  Create(10);
  Append(300000);
  size_t used0 = base::UsedMemory(), mem = rb.memory();
  EXPECT_GT(mem, 300000u);
  rb.FreeBacklog();
  EXPECT_EQ(used0 - base::UsedMemory(), mem);
  EXPECT_FALSE(rb.backlog_active());
  EXPECT_EQ(rb.memory() + rb.blocks(), 0u);
  EXPECT_EQ(rb.histlen() + rb.backlog_offset(), 0);
  EXPECT_EQ(rb.master_offset(), 300010) << "the offset survives the backlog";
  EXPECT_FALSE(Append(5).attached());
  EXPECT_EQ(rb.master_offset(), 300010);
  rb.CreateBacklog();
  EXPECT_EQ(rb.backlog_offset(), 300011);
  EXPECT_EQ(rb.histlen(), 0);
}

TEST_F(ReplBufferTest, TailReturnsTheLastBytes) {
  Create();
  EXPECT_EQ(rb.Tail(5), "");
  Append(100);
  EXPECT_EQ(rb.Tail(0), "");
  EXPECT_EQ(rb.Tail(10), model.substr(90));
  EXPECT_EQ(rb.Tail(1000), model);
  Append(200000);
  EXPECT_EQ(rb.Tail(70000), model.substr(model.size() - 70000));
  EXPECT_EQ(rb.Tail(200100), model);
  rb.set_backlog_size(kMinBacklog);
  EXPECT_LT(rb.histlen(), 100000);
  EXPECT_EQ(rb.Tail(1 << 30), Want(rb.backlog_offset()));
}

// A replica waiting for the stream (after the fork of a full sync, or a
// PSYNC on an empty backlog) is attached at Append's start, after Append
// returns (master.cc's FeedBytes -> AttachWaitingReplicas). Redis's
// feedReplicationBuffer attaches waiting replicas before it trims, so their
// start block is pinned; the start Append returns must still be alive.
TEST_F(ReplBufferTest, AppendStartSurvivesItsOwnTrim) {
  rb.set_backlog_size(kMinBacklog);
  for (bool tail_full : {false, true}) {
    SCOPED_TRACE(tail_full ? "start in a new block" : "start in the old tail");
    Create(rb.master_offset());
    Append(100);  // one block: head == tail
    if (tail_full) Append(Chain(rb).back()->size - 100);
    int64_t start_off = End();
    Cursor start = Append(64 * 1024, nullptr, false);
    std::vector<ReplBlock*> ch = Chain(rb);
    bool alive = std::find(ch.begin(), ch.end(), start.block) != ch.end();
    EXPECT_TRUE(alive) << "Append trimmed the block its returned start points into; backlog now starts at "
                       << rb.backlog_offset() << ", start offset " << start_off;
    if (alive) {
      Cursor c;
      rb.Attach(&c, start);
      // Trimming after the attach keeps the block the cursor starts in.
      rb.Trim();
      EXPECT_EQ(rb.OffsetOf(c), start_off);
      EXPECT_EQ(ReadAll(rb, c), Want(start_off));
      rb.Detach(&c);
    }
    rb.FreeBacklog();
  }
}

// --- randomized differential ---------------------------------------------------

struct SimCursor {
  enum State { kOff, kWaiting, kOn } state = kOff;
  Cursor c;
  int64_t off = 0;  // the next byte it must get
};

TEST_F(ReplBufferTest, DifferentialRandomOps) {
  int dead_starts = 0;
  for (uint32_t seed = 1; seed <= 10 && !HasFailure(); seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto rnd = [&](uint64_t n) { return n ? rng() % n : 0; };
    const int64_t sizes[] = {1, 16 * 1024, 20 * 1024, 40 * 1024, 100 * 1024, 300 * 1024, 1024 * 1024};
    rb.set_backlog_size(sizes[rnd(4)]);
    Create(static_cast<int64_t>(rnd(1000000)));
    std::vector<SimCursor> cs(2 + seed % 4);
    int64_t last_backlog_off = rb.backlog_offset();
    for (int step = 0; step < 3000 && !HasFailure(); step++) {
      SCOPED_TRACE("step " + std::to_string(step));
      bool trims = false;
      size_t used0 = base::UsedMemory(), mem0 = rb.memory();
      bool measured = true;  // the op allocates nothing but blocks
      uint32_t op = static_cast<uint32_t>(rnd(100));
      SimCursor& sc = cs[rnd(cs.size())];
      if (op < 35) {
        size_t n = rnd(10) < 7 ? rnd(2000) : rnd(10) < 9 ? rnd(40000) : rnd(300000);
        int64_t at = End();
        bool nb = false;
        Cursor start = Append(n, &nb, false);
        measured = false;  // Append checks memory itself (the model grows)
        trims = nb;
        if (n > 0) {
          std::vector<ReplBlock*> ch = Chain(rb);
          for (SimCursor& w : cs) {
            if (w.state != SimCursor::kWaiting) continue;
            if (std::find(ch.begin(), ch.end(), start.block) == ch.end()) {
              dead_starts++;  // AppendStartSurvivesItsOwnTrim; never touch it
              w.state = SimCursor::kOff;
              continue;
            }
            rb.Attach(&w.c, start);
            w.state = SimCursor::kOn;
            EXPECT_EQ(w.off, at);
          }
        }
        // As FeedBytes: trim after the waiting cursors attached.
        if (nb) rb.Trim();
      } else if (op < 65) {
        if (sc.state == SimCursor::kOn) {
          size_t pending = rb.Pending(sc.c);
          size_t to_edge = sc.c.block->used - sc.c.pos;
          size_t n = rnd(4) == 0 ? pending : rnd(4) == 0 ? std::min(to_edge, pending) : rnd(pending + 1);
          ReplBlock* b0 = sc.c.block;
          rb.Advance(&sc.c, n);
          sc.off += static_cast<int64_t>(n);
          trims = sc.c.block != b0;
        }
      } else if (op < 77) {
        if (sc.state == SimCursor::kOff) {
          if (rnd(2)) {
            sc.off = rb.backlog_offset() + static_cast<int64_t>(rnd(static_cast<uint64_t>(rb.histlen()) + 1));
            ASSERT_TRUE(rb.CanServe(sc.off));
            rb.AttachAt(&sc.c, sc.off);
            sc.state = sc.c.attached() ? SimCursor::kOn : SimCursor::kWaiting;
            EXPECT_TRUE(sc.c.attached() || sc.off == End()) << "unattached only on an empty backlog";
          } else {  // waits for the next Append, as a full sync's replica
            sc.state = SimCursor::kWaiting;
            sc.off = End();
          }
        }
      } else if (op < 85) {
        if (sc.state == SimCursor::kOn) {
          rb.Detach(&sc.c);
          trims = true;
        }
        sc.state = SimCursor::kOff;
      } else if (op < 90) {
        rb.set_backlog_size(sizes[rnd(7)]);
        trims = true;
      } else if (op < 95) {
        size_t n = rnd(static_cast<uint64_t>(rb.histlen()) + 100);
        std::string t = rb.Tail(n);
        measured = false;
        size_t k = std::min(n, static_cast<size_t>(rb.histlen()));
        EXPECT_EQ(t, model.substr(model.size() - k));
      } else if (op == 99) {
        int64_t shift = static_cast<int64_t>(rnd(1u << 30));
        rb.set_master_offset(rb.master_offset() + shift);
        rb.Rebase(shift);
        origin += shift;
        last_backlog_off += shift;
        for (SimCursor& x : cs) x.off += shift;
      }
      if (measured) {
        EXPECT_EQ(static_cast<int64_t>(base::UsedMemory() - used0), static_cast<int64_t>(rb.memory() - mem0));
      }

      // Every referenced block alive, refcounts exact, every cursor's bytes.
      std::vector<ReplBlock*> ch = Chain(rb);
      std::vector<int> refs(ch.size(), 0);
      if (!ch.empty()) refs[0] = 1;
      bool head_pinned = false;
      for (SimCursor& x : cs) {
        if (x.state != SimCursor::kOn) continue;
        auto it = std::find(ch.begin(), ch.end(), x.c.block);
        if (it == ch.end()) {
          ADD_FAILURE() << "a cursor's block was freed (offset " << x.off << ", backlog starts at "
                        << rb.backlog_offset() << ")";
          x.state = SimCursor::kOff;
          x.c = Cursor{};
          continue;
        }
        refs[static_cast<size_t>(it - ch.begin())]++;
        head_pinned |= it == ch.begin();
        EXPECT_EQ(rb.OffsetOf(x.c), x.off);
        ASSERT_EQ(rb.Pending(x.c), static_cast<size_t>(End() - x.off));
        iovec iov[64];
        int max = rnd(3) == 0 ? 1 + static_cast<int>(rnd(3)) : 64;
        int n = rb.FillIov(x.c, iov, max);
        size_t at = static_cast<size_t>(x.off - origin), sum = 0;
        for (int i = 0; i < n; i++) {
          ASSERT_LE(at + iov[i].iov_len, model.size());
          ASSERT_EQ(memcmp(iov[i].iov_base, model.data() + at, iov[i].iov_len), 0) << "iov " << i;
          at += iov[i].iov_len;
          sum += iov[i].iov_len;
        }
        EXPECT_TRUE(n == max || sum == rb.Pending(x.c)) << "FillIov gave " << sum << " bytes of " << rb.Pending(x.c);
      }
      for (size_t i = 0; i < ch.size(); i++) EXPECT_EQ(ch[i]->refcount, refs[i]) << "block " << i;
      ExpectChainConsistent();
      int64_t lo = rb.backlog_offset();
      EXPECT_TRUE(rb.CanServe(lo) && rb.CanServe(End()) && !rb.CanServe(lo - 1) && !rb.CanServe(End() + 1));
      if (lo != last_backlog_off) {
        EXPECT_TRUE(trims) << "trimmed by an op that must not trim";
        EXPECT_GT(rb.histlen(), rb.backlog_size()) << "trimmed below backlog_size";
      }
      if (trims && ch.size() >= 2) {
        bool droppable = rb.histlen() > rb.backlog_size() && !head_pinned &&
                         rb.histlen() - static_cast<int64_t>(ch[0]->size) > rb.backlog_size();
        EXPECT_FALSE(droppable) << "a droppable head was kept";
      }
      last_backlog_off = lo;
    }
    for (SimCursor& x : cs) rb.Detach(&x.c);  // unattached ones: nothing
    rb.FreeBacklog();
  }
  EXPECT_EQ(dead_starts, 0) << "Append returned starts in blocks it had trimmed (see AppendStartSurvivesItsOwnTrim)";
}

}  // namespace
}  // namespace vireo::replication
