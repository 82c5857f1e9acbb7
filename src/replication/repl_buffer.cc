// See repl_buffer.h.
#include "replication/repl_buffer.h"

#include <algorithm>
#include <cstring>

#include "base/memory.h"

namespace vireo::replication {
namespace {

// Redis's PROTO_REPLY_CHUNK_BYTES: the smallest block.
constexpr size_t kMinBlock = 16 * 1024;
// Redis's CONFIG_REPL_BACKLOG_MIN_SIZE.
constexpr int64_t kMinBacklog = 16 * 1024;

void FreeBlock(ReplBlock* b) { base::Free(b); }

}  // namespace

ReplBuffer::~ReplBuffer() {
  for (ReplBlock* b = head_; b;) {
    ReplBlock* n = b->next;
    FreeBlock(b);
    b = n;
  }
}

void ReplBuffer::CreateBacklog() {
  active_ = true;
  histlen_ = 0;
}

void ReplBuffer::FreeBacklog() {
  for (ReplBlock* b = head_; b;) {
    ReplBlock* n = b->next;
    FreeBlock(b);
    b = n;
  }
  head_ = tail_ = nullptr;
  mem_ = 0;
  nblocks_ = 0;
  histlen_ = 0;
  active_ = false;
}

void ReplBuffer::set_backlog_size(int64_t bytes) {
  // Why the floor: Redis's resizeReplicationBacklog never goes under 16k.
  backlog_size_ = std::max(bytes, kMinBacklog);
  if (active_) Trim();
}

void ReplBuffer::Rebase(int64_t base) {
  for (ReplBlock* b = head_; b; b = b->next) b->repl_offset += base;
}

ReplBuffer::Cursor ReplBuffer::Append(const char* p, size_t n, bool* new_block) {
  Cursor start;
  if (new_block) *new_block = false;
  if (!active_ || n == 0) return start;
  if (tail_ && tail_->used < tail_->size) {
    start = Cursor{tail_, tail_->used};
    size_t k = std::min(n, tail_->size - tail_->used);
    memcpy(tail_->buf + tail_->used, p, k);
    tail_->used += k;
    p += k;
    n -= k;
    master_offset_ += static_cast<int64_t>(k);
    histlen_ += static_cast<int64_t>(k);
  }
  bool added = false;
  while (n > 0) {
    // Why these bounds (Redis's feedReplicationBuffer): at least a reply
    // chunk so small writes share blocks, at most a 16th of the backlog so
    // a trimmed head never pins much more than the backlog needs.
    size_t limit = std::max(static_cast<size_t>(backlog_size_ / 16), kMinBlock);
    size_t want = std::min(std::max(n, kMinBlock), limit);
    auto* b = static_cast<ReplBlock*>(base::Alloc(sizeof(ReplBlock) + want));
    size_t alloc = base::AllocSize(b);
    b->next = nullptr;
    b->refcount = 0;
    b->size = alloc - sizeof(ReplBlock);
    b->alloc = alloc;
    b->repl_offset = master_offset_ + 1;
    size_t k = std::min(n, b->size);
    memcpy(b->buf, p, k);
    b->used = k;
    if (tail_) {
      tail_->next = b;
    } else {
      head_ = b;
      b->refcount++;  // the backlog's reference
    }
    tail_ = b;
    mem_ += alloc;
    nblocks_++;
    if (!start.block) start = Cursor{b, 0};
    p += k;
    n -= k;
    master_offset_ += static_cast<int64_t>(k);
    histlen_ += static_cast<int64_t>(k);
    added = true;
  }
  // Why no trim here: the caller first attaches the replicas waiting for
  // this data at `start` (pinning its block), then calls Trim() — Redis's
  // feedReplicationBuffer order; trimming first could free `start`.
  if (added && new_block) *new_block = true;
  return start;
}

void ReplBuffer::Trim() {
  // incrementalTrimReplicationBacklog: drop head blocks while the backlog
  // stays at least repl-backlog-size long and no replica starts in them.
  while (histlen_ > backlog_size_ && head_ && head_->next) {
    if (head_->refcount != 1) break;
    if (histlen_ - static_cast<int64_t>(head_->size) <= backlog_size_) break;
    ReplBlock* old = head_;
    histlen_ -= static_cast<int64_t>(old->used);
    head_ = old->next;
    head_->refcount++;
    mem_ -= old->alloc;
    nblocks_--;
    FreeBlock(old);
  }
}

void ReplBuffer::AttachAt(Cursor* c, int64_t offset) {
  ReplBlock* b = head_;
  while (b && b->repl_offset + static_cast<int64_t>(b->used) < offset) b = b->next;
  if (!b) {
    // Nothing written yet, or offset is the next byte: wait for Append.
    c->block = nullptr;
    c->pos = 0;
    return;
  }
  b->refcount++;
  c->block = b;
  c->pos = static_cast<size_t>(offset - b->repl_offset);
}

void ReplBuffer::Attach(Cursor* c, const Cursor& at) {
  if (!at.block) return;
  at.block->refcount++;
  *c = at;
}

void ReplBuffer::Detach(Cursor* c) {
  if (!c->block) return;
  c->block->refcount--;
  c->block = nullptr;
  c->pos = 0;
  Trim();
}

size_t ReplBuffer::Pending(const Cursor& c) const {
  if (!c.block || !tail_) return 0;
  return static_cast<size_t>(tail_->repl_offset + static_cast<int64_t>(tail_->used) -
                             (c.block->repl_offset + static_cast<int64_t>(c.pos)));
}

int ReplBuffer::FillIov(const Cursor& c, struct iovec* iov, int max) const {
  int n = 0;
  size_t pos = c.pos;
  for (ReplBlock* b = c.block; b && n < max; b = b->next, pos = 0) {
    if (b->used > pos) {
      iov[n].iov_base = b->buf + pos;
      iov[n].iov_len = b->used - pos;
      n++;
    }
  }
  return n;
}

void ReplBuffer::Advance(Cursor* c, size_t n) {
  ReplBlock* start = c->block;
  ReplBlock* b = c->block;
  size_t pos = c->pos + n;
  // Why stay on a fully sent block while it is the tail: new bytes go
  // into it, and the cursor then points right at them.
  while (b && pos >= b->used && b->next) {
    pos -= b->used;
    b = b->next;
  }
  c->pos = pos;
  if (b != start) {
    start->refcount--;
    b->refcount++;
    c->block = b;
    Trim();
  }
}

std::string ReplBuffer::Tail(size_t n) const {
  std::string out;
  size_t total = static_cast<size_t>(histlen());
  if (n > total) n = total;
  size_t skip = total - n;
  for (ReplBlock* b = head_; b; b = b->next) {
    if (skip >= b->used) {
      skip -= b->used;
      continue;
    }
    out.append(b->buf + skip, b->used - skip);
    skip = 0;
  }
  return out;
}

}  // namespace vireo::replication
