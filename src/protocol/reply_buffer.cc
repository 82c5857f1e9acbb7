// See reply_buffer.h.
#include "protocol/reply_buffer.h"

#include "base/memory.h"

namespace vireo::protocol {

SharedBlock* SharedBlock::Create(std::string_view bytes) {
  auto* b = static_cast<SharedBlock*>(base::Alloc(sizeof(SharedBlock) + bytes.size()));
  b->refs_ = 1;
  b->len_ = bytes.size();
  memcpy(b->data_, bytes.data(), bytes.size());
  return b;
}

void SharedBlock::Unref() {
  if (--refs_ == 0) base::Free(this);
}

ReplyBuffer::~ReplyBuffer() {
  for (Chunk& c : chunks_) FreeChunk(c);
}

void ReplyBuffer::FreeChunk(Chunk& c) {
  if (c.shared)
    c.shared->Unref();
  else
    base::Free(c.data);
}

void ReplyBuffer::AppendShared(SharedBlock* b, size_t skip) {
  if (skip >= b->size()) return;
  b->Ref();
  size_t n = b->size() - skip;
  chunks_.push_back(Chunk{const_cast<char*>(b->data()) + skip, n, n, b});
  pending_ += n;
}

void ReplyBuffer::NewChunk(size_t min) {
  size_t cap = min < kChunkSize ? kChunkSize : min;
  Chunk c{static_cast<char*>(base::Alloc(cap)), 0, 0, nullptr};
  c.cap = base::AllocSize(c.data);
  chunks_.push_back(c);
}

void ReplyBuffer::AppendSlow(const char* p, size_t n) {
  while (n > 0) {
    if (chunks_.empty() || chunks_.back().used == chunks_.back().cap) NewChunk(n);
    Chunk& c = chunks_.back();
    size_t k = c.cap - c.used < n ? c.cap - c.used : n;
    memcpy(c.data + c.used, p, k);
    c.used += k;
    pending_ += k;
    p += k;
    n -= k;
  }
}

char* ReplyBuffer::Reserve(size_t n) {
  if (chunks_.empty() || chunks_.back().cap - chunks_.back().used < n) NewChunk(n);
  Chunk& c = chunks_.back();
  return c.data + c.used;
}

ReplyBuffer::Pos ReplyBuffer::Tell() const {
  if (chunks_.empty()) return {0, 0};
  return {chunks_.size() - 1, chunks_.back().used};
}

void ReplyBuffer::InsertAt(Pos pos, const char* p, size_t n) {
  if (pos.chunk >= chunks_.size()) {
    Append(p, n);
    return;
  }
  Chunk& c = chunks_[pos.chunk];
  if (c.cap - c.used >= n) {
    memmove(c.data + pos.offset + n, c.data + pos.offset, c.used - pos.offset);
    memcpy(c.data + pos.offset, p, n);
    c.used += n;
    pending_ += n;
    return;
  }
  // Split the chunk: [0, offset) + header chunk + [offset, used) moved to a new chunk.
  size_t tail_len = c.used - pos.offset;
  Chunk hdr{static_cast<char*>(base::Alloc(n + tail_len)), n + tail_len, 0, nullptr};
  hdr.cap = base::AllocSize(hdr.data);
  memcpy(hdr.data, p, n);
  memcpy(hdr.data + n, c.data + pos.offset, tail_len);
  c.used = pos.offset;
  chunks_.insert(chunks_.begin() + static_cast<long>(pos.chunk) + 1, hdr);
  pending_ += n;
}

void ReplyBuffer::TruncateTo(Pos pos) {
  if (chunks_.empty()) return;
  while (chunks_.size() > pos.chunk + 1) {
    pending_ -= chunks_.back().used;
    FreeChunk(chunks_.back());
    chunks_.pop_back();
  }
  Chunk& c = chunks_.back();
  if (c.used > pos.offset) {
    pending_ -= c.used - pos.offset;
    c.used = pos.offset;
    if (c.shared) c.cap = c.used;  // never append into a shared block
  }
}

size_t ReplyBuffer::allocated() const {
  size_t n = 0;
  for (const Chunk& c : chunks_) n += c.cap;
  return n;
}

int ReplyBuffer::FillIov(struct iovec* iov, int max) const {
  int k = 0;
  for (size_t i = 0; i < chunks_.size() && k < max; i++) {
    const Chunk& c = chunks_[i];
    size_t start = i == 0 ? sent_ : 0;
    if (c.used <= start) continue;
    iov[k].iov_base = c.data + start;
    iov[k].iov_len = c.used - start;
    k++;
  }
  return k;
}

void ReplyBuffer::Consume(size_t n) {
  pending_ -= n;
  while (n > 0 && !chunks_.empty()) {
    Chunk& c = chunks_.front();
    size_t avail = c.used - sent_;
    if (n < avail) {
      sent_ += n;
      return;
    }
    n -= avail;
    sent_ = 0;
    if (chunks_.size() == 1 && !c.shared && c.cap == base::AllocSize(c.data) &&
        c.cap <= 2 * kChunkSize) {
      c.used = 0;  // keep the hot chunk
      return;
    }
    FreeChunk(c);
    chunks_.erase(chunks_.begin());
  }
  // Everything written: keep at most one (own) chunk, reset.
  if (pending_ == 0 && !chunks_.empty()) {
    sent_ = 0;
    while (chunks_.size() > 1 || (!chunks_.empty() && chunks_.back().shared)) {
      FreeChunk(chunks_.back());
      chunks_.pop_back();
    }
    if (!chunks_.empty()) chunks_.front().used = 0;
  }
}

void ReplyBuffer::Release() {
  if (pending_ != 0) return;
  for (Chunk& c : chunks_) FreeChunk(c);
  chunks_.clear();
  chunks_.shrink_to_fit();
  sent_ = 0;
}

}  // namespace vireo::protocol
