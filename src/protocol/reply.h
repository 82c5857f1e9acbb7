// ReplyBuilder: writes RESP2 / RESP3 replies into a ReplyBuffer.
//
// One builder per client; `resp` selects the protocol (HELLO). Every method
// appends the exact bytes redis-server 7.0 would send for the same reply
// type in that protocol (e.g. a null is "$-1" in RESP2 and "_" in RESP3, a
// map is a flat array in RESP2). Nothing here allocates per reply once the
// client's first chunk exists.
//
// Deferred lengths: BeginDeferred() remembers a position, EndDeferred*(n)
// inserts the header there once the number of elements is known.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/reply_buffer.h"

namespace vireo::protocol {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(ReplyBuffer* buf) : buf_(buf) {}

  int resp = 2;
  // CLIENT REPLY OFF / SKIP: replies are dropped while set.
  bool muted = false;

  ReplyBuffer* buffer() { return buf_; }

  void Raw(std::string_view bytes) {
    if (!muted) buf_->Append(bytes);
  }
  void Simple(std::string_view s);  // +s
  void Ok() { Raw("+OK\r\n"); }
  // `msg` is the whole error line without '-' and CRLF, e.g. "ERR syntax error".
  // Newlines in msg are replaced by spaces as Redis does.
  void Error(std::string_view msg);
  void Int(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);  // an integer as a bulk string
  void Null();              // $-1 / _
  void NullArray();         // *-1 / _
  void ArrayLen(int64_t n);
  void MapLen(int64_t n);   // %n / *2n
  void SetLen(int64_t n);   // ~n / *n
  void PushLen(int64_t n);  // >n / *n
  void Double(double d);    // ,d / bulk "%.17g"
  void Bool(bool b);        // #t / :1
  void Verbatim(std::string_view s, std::string_view ext = "txt");  // =len\r\ntxt:... / bulk
  void EmptyArray() { Raw("*0\r\n"); }
  void BigNumber(std::string_view s);  // (s / bulk

  struct Deferred {
    ReplyBuffer::Pos pos;
  };
  Deferred BeginDeferred() { return Deferred{buf_->Tell()}; }
  void EndDeferredArray(Deferred d, int64_t n) { EndDeferred(d, '*', n); }
  void EndDeferredMap(Deferred d, int64_t n) {
    if (resp >= 3)
      EndDeferred(d, '%', n);
    else
      EndDeferred(d, '*', n * 2);
  }
  void EndDeferredSet(Deferred d, int64_t n) { EndDeferred(d, resp >= 3 ? '~' : '*', n); }

 private:
  void Header(char type, int64_t n);
  void EndDeferred(Deferred d, char type, int64_t n);
  ReplyBuffer* buf_;
};

}  // namespace vireo::protocol
