// ReplyBuffer: a client's pending output as a chain of chunks.
//
// Why chunks and not one string: a pipelined burst of small replies fills
// the first chunk and goes out in one write; a huge reply (a 100 MB GET, a
// KEYS *) grows by whole chunks without reallocating and copying what is
// already queued, and the socket writer sends them with one writev. The first
// chunk is kept across flushes (a hot client allocates nothing per command);
// the cron releases it when the client has been idle, so idle connections
// cost little (Redis frees idle clients' buffers the same way).
//
// Positions (chunk index + offset) let a reply whose length is only known at
// the end (deferred array headers) insert its header afterwards.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace vireo::protocol {

// An immutable, refcounted block of reply bytes referenced by several
// clients' outputs (a PUBLISH frame for many subscribers): serialised once,
// freed when the last output that references it has written it.
class SharedBlock {
 public:
  // A block holding a copy of `bytes`, with one reference (the caller's).
  static SharedBlock* Create(std::string_view bytes);
  void Ref() { refs_++; }
  void Unref();
  const char* data() const { return data_; }
  size_t size() const { return len_; }

 private:
  SharedBlock() = default;
  uint32_t refs_;
  size_t len_;
  char data_[];
};

class ReplyBuffer {
 public:
  static constexpr size_t kChunkSize = 16 * 1024;

  ReplyBuffer() = default;
  ~ReplyBuffer();
  ReplyBuffer(const ReplyBuffer&) = delete;
  ReplyBuffer& operator=(const ReplyBuffer&) = delete;

  void Append(const char* p, size_t n) {
    if (!chunks_.empty()) {
      Chunk& c = chunks_.back();
      if (c.cap - c.used >= n) {
        memcpy(c.data + c.used, p, n);
        c.used += n;
        pending_ += n;
        return;
      }
    }
    AppendSlow(p, n);
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  // Appends the bytes of a shared block from `skip` on, by reference (the
  // buffer takes a reference and drops it once they are written).
  void AppendShared(SharedBlock* b, size_t skip = 0);
  // Returns a pointer to `n` contiguous writable bytes at the tail; the
  // caller must Commit(k) with k <= n.
  char* Reserve(size_t n);
  void Commit(size_t n) {
    chunks_.back().used += n;
    pending_ += n;
  }

  struct Pos {
    size_t chunk;
    size_t offset;
  };
  Pos Tell() const;
  // Inserts bytes at a position taken with Tell() (positions taken after it
  // become invalid).
  void InsertAt(Pos pos, const char* p, size_t n);
  // Drops everything appended since `pos` (CLIENT REPLY OFF/SKIP, MULTI errors).
  void TruncateTo(Pos pos);

  // Bytes not yet written.
  size_t pending() const { return pending_; }
  bool empty() const { return pending_ == 0; }
  // Bytes held beyond the first chunk (what client-output-buffer-limit counts,
  // like Redis's reply list beside the static buffer).
  size_t overflow_bytes() const { return pending_ > kChunkSize ? pending_ - kChunkSize : 0; }
  // Total allocated bytes.
  size_t allocated() const;
  size_t chunk_count() const { return chunks_.size(); }

  // Fills up to max iovecs with pending bytes; returns the count.
  int FillIov(struct iovec* iov, int max) const;
  // Marks n bytes as written, releasing fully written chunks (the first
  // chunk is kept for reuse when it is standard-sized).
  void Consume(size_t n);
  // Frees all chunks (idle client); only when empty.
  void Release();

 private:
  struct Chunk {
    char* data;
    size_t used;
    size_t cap;  // == used for a shared chunk: nothing is ever written into it
    SharedBlock* shared = nullptr;
  };
  static void FreeChunk(Chunk& c);
  void AppendSlow(const char* p, size_t n);
  void NewChunk(size_t min);

  std::vector<Chunk> chunks_;
  size_t sent_ = 0;  // bytes of chunks_[0] already written
  size_t pending_ = 0;
};

}  // namespace vireo::protocol
