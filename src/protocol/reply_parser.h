// ReplyParser: incremental parser of the replies another Redis server sends
// (RESP2 and RESP3), and RespValue, the tree a reply is parsed into.
//
// Why apart from RequestParser (parser.h): that one parses what clients
// send us (multibulks of strings, inline commands) in place in a query
// buffer. Sentinel, replication handshakes and cluster links are clients of
// other servers: they receive every reply type, nested to any depth, and
// keep the values after the bytes are gone, so a reply is copied out into a
// RespValue tree.
//
// The parser keeps its state between Feed() calls: the aggregates under
// construction are a stack of frames, a header line is scanned once even when
// it arrives byte by byte, and a bulk body is waited for by length, so
// feeding a stream in any split costs about the same as feeding it whole.
//
// Decisions (hiredis's where it has one):
//  - RESP2 null bulk ($-1) and null array (*-1) and RESP3 null (_) are kNull.
//  - A RESP3 blob error (!) is a kError like a simple error (-).
//  - A RESP3 attribute (|) is parsed and dropped: the value after it is the
//    reply (or the aggregate element) and the attribute counts for nothing.
//    Redis 7.0 sends attributes only for DEBUG PROTOCOL attrib.
//  - A verbatim string (=) keeps its three-letter format in `format` and the
//    text after "xxx:" in `str`.
//  - Streamed RESP3 strings and aggregates ($?, *?) are not accepted: Redis
//    never sends them.
//  - Limits: 64 levels of nesting, 512 MB per bulk or line, 2^31-1 elements
//    per aggregate. Memory for elements grows as they arrive: a header's
//    count is never reserved in full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::protocol {

struct RespValue {
  enum class Type {
    kSimple,
    kError,
    kInteger,
    kBulk,
    kNull,
    kArray,
    kMap,
    kSet,
    kPush,
    kDouble,
    kBool,
    kBigNum,
    kVerbatim,
    kAttribute,  // only while parsing: attributes are dropped (see above)
  };

  Type type = Type::kNull;
  // Text of simple / error / bulk / double / bignum / verbatim values.
  std::string str;
  int64_t integer = 0;
  bool boolean = false;
  // Verbatim strings: the format ("txt", "mkd").
  std::string format;
  // Array / set / push elements; map: k1, v1, k2, v2, ...
  std::vector<RespValue> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_null() const { return type == Type::kNull; }
  bool is_integer() const { return type == Type::kInteger; }
  // Array, set or push: a flat list of elements.
  bool is_array() const { return type == Type::kArray || type == Type::kSet || type == Type::kPush; }
  bool is_map() const { return type == Type::kMap; }
  // A value carrying text (simple, error, bulk, verbatim, double, bignum).
  bool is_string() const {
    return type == Type::kSimple || type == Type::kError || type == Type::kBulk ||
           type == Type::kVerbatim || type == Type::kDouble || type == Type::kBigNum;
  }
  std::string_view text() const { return str; }
  // Case-insensitive comparison of text() (an error's whole text).
  bool TextEquals(std::string_view s) const;
  size_t size() const { return elements.size(); }
  const RespValue& operator[](size_t i) const { return elements[i]; }

  // Readable one-line rendering for logs and test failures.
  std::string DebugString() const;

  bool operator==(const RespValue& o) const;
};

class ReplyParser {
 public:
  enum class Status {
    kNeedMore,  // bytes of an unfinished reply are buffered
    kDone,      // everything fed so far formed complete replies
    kError,     // malformed input: error() explains; sticky until Reset()
  };

  static constexpr int kMaxDepth = 64;
  static constexpr int64_t kMaxBulkLen = 512ll * 1024 * 1024;
  static constexpr int64_t kMaxAggregateLen = (1ll << 31) - 1;

  // Feeds bytes; appends every reply they complete to *out.
  Status Feed(std::string_view bytes, std::vector<RespValue>* out);
  const std::string& error() const { return error_; }
  // Forgets the buffered bytes, the partial reply and the error.
  void Reset();
  // Bytes buffered but not yet part of a complete reply.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  struct Frame {
    RespValue value;
    int64_t remaining;  // elements still to come
  };

  // Parses what is buffered; false on error.
  bool Parse(std::vector<RespValue>* out);
  // Handles a header line (type byte + text without CRLF); false on error.
  bool OnLine(char type, std::string_view line, std::vector<RespValue>* out);
  bool OnBulk(std::string_view body, std::vector<RespValue>* out);
  bool PushAggregate(RespValue::Type type, int64_t count, std::vector<RespValue>* out);
  // A value is complete: add it to the enclosing aggregate (completing
  // those that it fills) or hand it out.
  void Complete(RespValue v, std::vector<RespValue>* out);
  bool Fail(std::string msg);
  void Compact();

  std::string buf_;
  size_t pos_ = 0;        // start of the unparsed bytes
  size_t scan_ = 0;       // where the search for the header's CRLF resumes
  int64_t bulk_len_ = -1; // >= 0: waiting for a bulk body of this length
  char bulk_type_ = 0;    // '$', '!' or '='
  std::vector<Frame> stack_;
  std::string error_;
};

}  // namespace vireo::protocol
