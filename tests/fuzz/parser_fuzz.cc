// libFuzzer target for protocol::RequestParser.
//
// The input is fed to the parser the way server/client.cc does it: appended
// to a query buffer in chunks, parsed from the read position, Reset() after
// each request, and the buffer compacted (unparsed tail moved to the front,
// Rebase()) between reads. The first input byte chooses the chunking so the
// fuzzer explores split points; the rest is the byte stream.
//
// Invariants checked (abort on violation):
//  - Parse never reads outside [start, len) (ASan) and *consumed <= len - start;
//  - a complete request consumes at least one byte;
//  - every argument view lies inside the query buffer (multibulk) or is one
//    of the parser's own inline strings, and argc() matches;
//  - an error has a "Protocol error: " text and stops the stream;
//  - chunked parsing yields exactly the same requests as parsing the whole
//    stream at once (the parser state survives partial reads);
//  - kIncomplete only while less than the whole request is buffered.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parser.h"

// Why the sources are compiled into this translation unit: tests/CMakeLists.txt
// adds -fsanitize=fuzzer,address,undefined to fuzz_parser only, so the code
// in libvireo_protocol.a / libvireo_base.a is built without coverage
// feedback or ASan, and the fuzzer would be blind inside the parser.
// Compiling parser, split_args and numbers here instruments them; the
// archive members are then never pulled in (their symbols are already
// defined), so there is no duplicate definition. Define
// VIREO_FUZZ_LIBS_INSTRUMENTED when the libraries get the flags themselves.
#ifndef VIREO_FUZZ_LIBS_INSTRUMENTED
#include "base/numbers.cc"
#include "base/split_args.cc"
#include "protocol/parser.cc"
#endif

using vireo::protocol::RequestParser;
using Status = RequestParser::Status;

namespace {

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                  \
    }                                                                           \
  } while (0)

struct Outcome {
  std::vector<std::vector<std::string>> cmds;
  int empties = 0;
  std::string error;
  size_t leftover = 0;  // bytes not consumed at the end
};

class Driver {
 public:
  Driver(RequestParser::Limits limits, bool compact) : limits_(limits), compact_(compact) {}

  void Feed(const uint8_t* p, size_t n) {
    if (!out.error.empty()) return;
    buf_.append(reinterpret_cast<const char*>(p), n);
    Drain();
  }

  void Drain() {
    while (qpos_ < buf_.size() && out.error.empty()) {
      size_t consumed = SIZE_MAX;
      const size_t avail = buf_.size() - qpos_;
      Status st = parser_.Parse(buf_.data(), qpos_, buf_.size(), limits_, &consumed);
      if (st == Status::kIncomplete) break;
      if (st == Status::kError) {
        out.error = parser_.error();
        FUZZ_CHECK(out.error.rfind("Protocol error: ", 0) == 0);
        parser_.Reset();
        break;
      }
      FUZZ_CHECK(consumed != SIZE_MAX);
      FUZZ_CHECK(consumed >= 1);
      FUZZ_CHECK(consumed <= avail);
      if (st == Status::kCommand) {
        views_.clear();
        parser_.BuildArgs(buf_.data(), &views_);
        FUZZ_CHECK(views_.size() == parser_.argc());
        FUZZ_CHECK(!views_.empty());
        std::vector<std::string> args;
        const char* lo = buf_.data() + qpos_;
        const char* hi = lo + consumed;
        bool multibulk = buf_[qpos_] == '*';
        for (auto v : views_) {
          if (multibulk) {
            // Zero copy: each argument is inside this request's bytes.
            FUZZ_CHECK(v.data() >= lo);
            FUZZ_CHECK(v.data() + v.size() <= hi);
          } else {
            FUZZ_CHECK(v.size() <= consumed);
          }
          args.emplace_back(v);
        }
        out.cmds.push_back(std::move(args));
      } else {
        FUZZ_CHECK(st == Status::kEmpty);
        out.empties++;
      }
      qpos_ += consumed;
      parser_.Reset();
    }
    if (compact_ && qpos_ > 0) {
      // Like Client::EnsureRoom: move the tail to the front, then Rebase.
      buf_.erase(0, qpos_);
      parser_.Rebase(qpos_);
      qpos_ = 0;
      // Force a reallocation sometimes so stale pointers would be caught.
      buf_.shrink_to_fit();
    }
    out.leftover = buf_.size() - qpos_;
  }

  Outcome out;

 private:
  RequestParser parser_;
  RequestParser::Limits limits_;
  bool compact_;
  std::string buf_;
  size_t qpos_ = 0;
  std::vector<std::string_view> views_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  data++;
  size--;

  RequestParser::Limits limits;
  // Small limits make the bulk-length checks reachable with small inputs.
  if (mode & 0x40) limits.proto_max_bulk_len = 100;
  limits.auth_required = (mode & 0x80) != 0;

  // Reference: the whole stream in one read.
  Driver whole(limits, false);
  whole.Feed(data, size);

  // Chunked: chunk sizes from a tiny PRNG seeded by the mode byte.
  const bool compact = (mode & 0x20) != 0;
  Driver chunked(limits, compact);
  uint32_t rng = 0x9e3779b9u ^ mode;
  size_t i = 0;
  const unsigned max_chunk = 1u + (mode & 0x1f);
  while (i < size) {
    rng = rng * 1664525u + 1013904223u;
    size_t n = 1 + (rng >> 16) % max_chunk;
    if (n > size - i) n = size - i;
    chunked.Feed(data + i, n);
    i += n;
  }

  // Same requests either way. Errors may differ only in a "too big ..." check,
  // which depends on how much is buffered when no terminator was found yet
  // (Redis behaves the same way); everything before the error must agree.
  const Outcome& a = whole.out;
  const Outcome& b = chunked.out;
  FUZZ_CHECK(a.cmds.size() == b.cmds.size() || !a.error.empty() || !b.error.empty());
  size_t common = a.cmds.size() < b.cmds.size() ? a.cmds.size() : b.cmds.size();
  for (size_t k = 0; k < common; k++) FUZZ_CHECK(a.cmds[k] == b.cmds[k]);
  if (a.error.empty() && b.error.empty()) {
    FUZZ_CHECK(a.empties == b.empties);
    FUZZ_CHECK(a.leftover == b.leftover);
  }
  if (a.error != b.error) {
    const std::string& e = a.error.empty() ? b.error : a.error;
    FUZZ_CHECK(e.find("too big") != std::string::npos);
  }
  return 0;
}
