// libFuzzer target for protocol::ReplyParser (the replies of another Redis
// server: Sentinel and replication links parse them from the network).
//
// The first input byte chooses how the rest is split into Feed() calls (a
// tiny PRNG seeded by it gives chunk sizes of 1 .. 1 + (mode & 0x3f)); the
// rest is the byte stream, fed once whole and once in those chunks.
//
// Invariants checked (abort on violation):
//  - no crash, leak or out-of-bounds access (ASan/UBSan) on any input;
//  - whole and split feeding give the same replies, the same final status
//    and the same error text (the parser keeps its state across Feed calls
//    and checks everything at the same points whatever the split);
//  - an error text starts with "Protocol error, " and is sticky: a Feed
//    after it returns kError and hands out nothing;
//  - kDone means nothing is buffered; after Reset() the parser parses a
//    fresh "+OK\r\n" again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/reply_parser.h"

// Why the sources are compiled here: see parser_fuzz.cc (the libraries are
// not built with coverage feedback or ASan, so the fuzzer would be blind
// inside the parser).
#ifndef VIREO_FUZZ_LIBS_INSTRUMENTED
#include "base/numbers.cc"
#include "protocol/reply_parser.cc"
#endif

using vireo::protocol::ReplyParser;
using vireo::protocol::RespValue;
using Status = ReplyParser::Status;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("fuzz_reply", cond)

namespace {

struct Outcome {
  std::vector<RespValue> replies;
  Status status = Status::kDone;
  std::string error;
};

void Finish(ReplyParser& p, Status st, Outcome* o) {
  o->status = st;
  if (st == Status::kError) {
    o->error = p.error();
    FUZZ_CHECK(o->error.rfind("Protocol error, ", 0) == 0);
    std::vector<RespValue> more;
    FUZZ_CHECK(p.Feed("+OK\r\n", &more) == Status::kError);
    FUZZ_CHECK(more.empty());
  } else if (st == Status::kDone) {
    FUZZ_CHECK(p.buffered() == 0);
  }
  // Rendering walks the whole tree (depth and sizes are what they say).
  for (const RespValue& v : o->replies) (void)v.DebugString();
  p.Reset();
  std::vector<RespValue> fresh;
  FUZZ_CHECK(p.Feed("+OK\r\n", &fresh) == Status::kDone);
  FUZZ_CHECK(fresh.size() == 1 && fresh[0].str == "OK");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string stream(reinterpret_cast<const char*>(data + 1), size - 1);

  Outcome whole;
  {
    ReplyParser p;
    Status st = p.Feed(stream, &whole.replies);
    Finish(p, st, &whole);
  }

  Outcome split;
  {
    ReplyParser p;
    Status st = Status::kDone;
    uint32_t rng = 0x9e3779b9u ^ mode;
    const unsigned max_chunk = 1u + (mode & 0x3f);
    size_t i = 0;
    while (i < stream.size()) {
      rng = rng * 1664525u + 1013904223u;
      size_t n = 1 + (rng >> 16) % max_chunk;
      if (n > stream.size() - i) n = stream.size() - i;
      // Each chunk in an exact-size heap block: a read past it is caught.
      std::string chunk = stream.substr(i, n);
      st = p.Feed(chunk, &split.replies);
      i += n;
      if (st == Status::kError) break;
    }
    Finish(p, st, &split);
  }

  FUZZ_CHECK(whole.status == split.status);
  FUZZ_CHECK(whole.error == split.error);
  FUZZ_CHECK(whole.replies.size() == split.replies.size());
  for (size_t k = 0; k < whole.replies.size(); k++) FUZZ_CHECK(whole.replies[k] == split.replies[k]);
  return 0;
}
