// libFuzzer target for persistence/aof_manifest: the text of an AOF
// manifest (appendonlydir/<appendfilename>.manifest), which the server
// reads at startup and DEBUG LOADAOF, and which a user may have edited.
//
// Invariants checked (abort on violation):
//  - Parse never reads outside the input and fails with a message;
//  - what it accepts has file names without '/' or '\\', positive sequence
//    numbers and strictly increasing incr sequences;
//  - Format of an accepted manifest parses back to the same files (when
//    every formatted line fits Redis's 1024-byte line limit, and no name
//    is empty or holds a single quote: Redis's sdsneedsrepr quotes
//    neither, so "" and a'b are written bare and cannot be read back — by
//    Redis either; Vireo writes the same bytes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "persistence/aof_manifest.h"

namespace mf = vireo::persistence::aof;

#define FUZZ_CHECK(cond) FUZZ_CHECK_IN("aof_manifest_fuzz", cond)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vireo::fuzz::Blob blob(data, size);
  std::string_view text(reinterpret_cast<const char*>(blob.data()), size);
  mf::Manifest m;
  std::string err, line;
  int line_no = 0;
  if (!mf::Parse(text, &m, &err, &line_no, &line)) {
    FUZZ_CHECK(!err.empty());
    return 0;
  }
  int64_t prev = 0;
  for (const mf::FileInfo& fi : m.incrs) {
    FUZZ_CHECK(fi.seq > prev);
    FUZZ_CHECK(mf::IsBaseName(fi.name));
    prev = fi.seq;
  }
  if (m.base) FUZZ_CHECK(m.base->seq != 0 && mf::IsBaseName(m.base->name));
  for (const mf::FileInfo& fi : m.history) FUZZ_CHECK(fi.seq != 0 && mf::IsBaseName(fi.name));

  auto has_quote = [](const mf::FileInfo& fi) {
    return fi.name.empty() || fi.name.find('\'') != std::string::npos;
  };
  if (m.base && has_quote(*m.base)) return 0;
  for (const mf::FileInfo& fi : m.incrs)
    if (has_quote(fi)) return 0;
  for (const mf::FileInfo& fi : m.history)
    if (has_quote(fi)) return 0;
  std::string out = mf::Format(m);
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl - start + 1 > 1024) return 0;  // would be "too long" for Redis too
    start = nl + 1;
  }
  if (out.empty()) return 0;  // an empty text is "empty manifest"
  mf::Manifest back;
  FUZZ_CHECK(mf::Parse(out, &back, &err, &line_no, &line));
  FUZZ_CHECK(back.base == m.base);
  FUZZ_CHECK(back.incrs == m.incrs);
  FUZZ_CHECK(back.history == m.history);
  return 0;
}
