// RequestParser: incremental RESP request parser (multibulk and inline).
//
// Works on the client's query buffer in place. A multibulk command's
// arguments are recorded as (offset, length) pairs into that buffer, so the
// handler gets std::string_view arguments without copying (zero-copy), and
// the parse state survives partial reads: a command split over any number of
// reads is scanned once. Inline commands need unescaping (quotes), so their
// arguments are copied into `inline_storage_`.
//
// Limits and error texts are Redis 7.0's (networking.c processMultibulkBuffer
// / processInlineBuffer): the caller sends the error and closes the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::protocol {

// Redis's PROTO_INLINE_MAX_SIZE and PROTO_MBULK_BIG_ARG.
inline constexpr size_t kInlineMaxSize = 64 * 1024;
inline constexpr size_t kMbulkBigArg = 32 * 1024;

class RequestParser {
 public:
  enum class Status {
    kCommand,     // a full command is ready: Args() / consumed
    kEmpty,       // a full but empty request (e.g. "\r\n", "*0\r\n"): skip
    kIncomplete,  // need more bytes
    kError,       // protocol error: error() holds the reply text
  };

  struct Limits {
    int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
    bool auth_required = false;  // unauthenticated clients get tighter limits
  };

  // Parses from buf[start, len). On kCommand/kEmpty, *consumed is the number
  // of bytes of the request (from start). Parser state is kept between calls
  // for the same request; call Reset() after a command was consumed.
  Status Parse(const char* buf, size_t start, size_t len, const Limits& limits, size_t* consumed);

  // Valid after kCommand; views point into the buffer passed to Parse (or to
  // inline storage) and stay valid until the buffer changes.
  size_t argc() const { return argc_; }
  void BuildArgs(const char* buf, std::vector<std::string_view>* out) const;
  const std::string& error() const { return error_; }
  // Bytes the current multibulk argument still needs (to size the buffer for
  // big arguments, as Redis does for PROTO_MBULK_BIG_ARG).
  int64_t pending_bulk_len() const { return bulk_len_; }
  bool in_multibulk() const { return multibulk_len_ > 0; }
  // While in_multibulk(): where parsing stopped (absolute in the buffer) and
  // the bytes of the arguments complete so far. Redis has moved those out of
  // its query buffer into argv already (CLIENT LIST qbuf / argv-mem).
  size_t scan_pos() const { return pos_; }
  size_t partial_arg_bytes() const {
    size_t n = 0;
    for (const auto& o : offsets_) n += o.second;
    return n;
  }
  // Shifts recorded offsets after the caller moved the buffer content left.
  void Rebase(size_t delta);
  void Reset();

 private:
  Status ParseInline(const char* buf, size_t start, size_t len, size_t* consumed);
  Status ParseMultibulk(const char* buf, size_t start, size_t len, const Limits& limits,
                        size_t* consumed);

  int64_t multibulk_len_ = 0;  // args still to read of the current command
  int64_t bulk_len_ = -1;      // length of the argument being read, -1 = need header
  size_t pos_ = 0;             // absolute scan position within the buffer
  bool started_ = false;
  bool inline_ = false;
  size_t argc_ = 0;
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::vector<std::string> inline_storage_;
  std::string error_;
};

}  // namespace vireo::protocol
