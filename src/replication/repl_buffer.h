// ReplBuffer: the replication stream in memory — one chain of blocks that
// the backlog and every replica's output share (Redis 7.0's shared
// replication buffer, replication.c's feedReplicationBuffer and friends).
//
// Why shared: before 7.0 Redis copied every write into the backlog and
// into each replica's output buffer, so N replicas cost N+1 copies of the
// stream. Here the stream is written once into a linked list of blocks;
// the backlog is a reference to the first block it still covers, and each
// replica is a cursor (block + position) that the socket writer advances.
// A block holds a reference count of the cursors that start in it; blocks
// are freed only from the head, when the backlog is longer than
// repl-backlog-size and nobody else starts in the head block — so a slow
// replica makes the backlog longer (more partial resyncs possible), never
// a second copy.
//
// Offsets follow Redis: master_repl_offset is the offset of the last byte
// written; the backlog covers [backlog_offset, backlog_offset + histlen).
// Without a backlog nothing is kept and the offset does not move (a master
// that never had replicas).
//
// Knows nothing of sockets or clients: the master side (master.h) owns the
// cursors of its replicas and writes what they point at.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace vireo::replication {

struct ReplBlock {
  ReplBlock* next;
  int refcount;     // cursors (and the backlog) starting in this block
  int64_t repl_offset;  // replication offset of buf[0]
  size_t size;      // capacity of buf
  size_t used;      // bytes written
  size_t alloc;     // bytes allocated (memory accounting)
  char buf[];
};

class ReplBuffer {
 public:
  struct Cursor {
    ReplBlock* block = nullptr;
    size_t pos = 0;
    bool attached() const { return block != nullptr; }
  };

  ReplBuffer() = default;
  ~ReplBuffer();
  ReplBuffer(const ReplBuffer&) = delete;
  ReplBuffer& operator=(const ReplBuffer&) = delete;

  // --- the backlog ---------------------------------------------------------
  bool backlog_active() const { return active_; }
  // createReplicationBacklog: empty, the next byte is master_offset + 1.
  void CreateBacklog();
  // freeReplicationBacklog: every block goes (no replica may hold a cursor).
  void FreeBacklog();
  // repl-backlog-size (bytes); trims at once when it shrinks.
  void set_backlog_size(int64_t bytes);
  int64_t backlog_size() const { return backlog_size_; }
  int64_t backlog_offset() const { return active_ ? master_offset_ - histlen_ + 1 : 0; }
  int64_t histlen() const { return active_ ? histlen_ : 0; }

  // --- the stream ----------------------------------------------------------
  int64_t master_offset() const { return master_offset_; }
  void set_master_offset(int64_t off) { master_offset_ = off; }
  // Rebases every block after a restart that learnt the offset from the
  // RDB (rebaseReplicationBuffer).
  void Rebase(int64_t base);
  // Appends bytes (nothing without a backlog). Returns where they start,
  // for replicas not attached yet; *new_block tells whether a block was
  // added (when Redis checks output buffer limits and trims). The caller
  // attaches at the start first, then calls Trim() when a block was added.
  Cursor Append(const char* p, size_t n, bool* new_block = nullptr);
  // incrementalTrimReplicationBacklog: drops head blocks nobody else starts
  // in while the backlog stays at least repl-backlog-size long.
  void Trim();
  // Whether `offset` (the next byte a replica wants) can be served.
  bool CanServe(int64_t offset) const {
    return active_ && offset >= backlog_offset() && offset <= backlog_offset() + histlen_;
  }

  // --- cursors ---------------------------------------------------------------
  // A cursor at the replication offset `offset` (CanServe must hold).
  void AttachAt(Cursor* c, int64_t offset);
  // A cursor at a position returned by Append.
  void Attach(Cursor* c, const Cursor& at);
  void Detach(Cursor* c);
  // Bytes from the cursor to the end of the stream.
  size_t Pending(const Cursor& c) const;
  // The replication offset of the cursor's next byte.
  int64_t OffsetOf(const Cursor& c) const { return c.block ? c.block->repl_offset + static_cast<int64_t>(c.pos) : master_offset_ + 1; }
  int FillIov(const Cursor& c, struct iovec* iov, int max) const;
  void Advance(Cursor* c, size_t n);

  // --- accounting ------------------------------------------------------------
  // All blocks' memory (INFO mem_total_replication_buffers).
  size_t memory() const { return mem_; }
  size_t blocks() const { return nblocks_; }
  // The last `n` bytes, for logs of protocol errors (showLatestBacklog).
  std::string Tail(size_t n) const;

 private:
  bool active_ = false;
  int64_t backlog_size_ = 1024 * 1024;
  int64_t master_offset_ = 0;
  int64_t histlen_ = 0;
  ReplBlock* head_ = nullptr;  // the backlog's first block
  ReplBlock* tail_ = nullptr;
  size_t mem_ = 0;
  size_t nblocks_ = 0;
};

}  // namespace vireo::replication
