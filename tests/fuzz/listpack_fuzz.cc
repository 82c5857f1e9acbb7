// libFuzzer target: lp::ValidateIntegrity on arbitrary bytes (what RESTORE
// and the RDB loader will hand it), then, for input it accepts, every read
// the types do (walks both ways, Get, Seek, Find) and a few writes, which
// must stay in bounds (ASan) and keep the listpack valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "engine/encoding/listpack.h"

using namespace vireo::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint32_t count = 0;
  if (!lp::ValidateIntegrity(data, size, true, &count)) return 0;
  char buf[32];
  uint32_t n = 0;
  for (const uint8_t* p = lp::First(data); p; p = lp::Next(data, p), n++) lp::Get(p).ToString(buf);
  if (n != count) abort();
  for (const uint8_t* p = lp::Last(data); p; p = lp::Prev(data, p)) n--;
  if (n != 0) abort();
  lp::Seek(data, -1);
  lp::Find(data, lp::First(data), "a", 1);
  // Writes on a private copy.
  auto* copy = static_cast<uint8_t*>(malloc(size));
  memcpy(copy, data, size);
  uint8_t* l = lp::New();
  l = lp::AppendAll(l, copy);
  free(copy);
  l = lp::Append(l, "tail");
  uint8_t* p = lp::First(l);
  l = lp::Delete(l, &p);
  if (!lp::ValidateIntegrity(l, lp::Bytes(l), true)) abort();
  lp::Free(l);
  return 0;
}
