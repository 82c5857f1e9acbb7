// Helpers of the decoder fuzz targets (ziplist, zipmap). FUZZ_CHECK_IN
// prints the target, the failed condition and its line, then aborts so
// libFuzzer keeps the input as a crash (a target defines its one-argument
// FUZZ_CHECK on top of it); Blob and ShallowImpliedByDeep are the common
// start of a target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vireo::fuzz {

[[noreturn]] inline void CheckFailed(const char* target, const char* cond, int line) {
  fprintf(stderr, "%s: check failed: %s (line %d)\n", target, cond, line);
  abort();
}

// The input in an exact-size heap block, so ASan sees any read past it;
// data() is nullptr for an empty input.
class Blob {
 public:
  Blob(const uint8_t* data, size_t size) : bytes_(data, data + size) {}
  const uint8_t* data() const { return bytes_.empty() ? nullptr : bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

// validate(deep) run shallow then deep; a blob the deep validation accepts
// must pass the shallow one. Returns the deep answer.
template <typename Validate>
bool ShallowImpliedByDeep(const char* target, Validate&& validate) {
  bool shallow = validate(false);
  bool deep = validate(true);
  if (deep && !shallow) CheckFailed(target, "deep implies shallow", __LINE__);
  return deep;
}

}  // namespace vireo::fuzz

#define FUZZ_CHECK_IN(target, cond) \
  do {                              \
    if (!(cond)) ::vireo::fuzz::CheckFailed(target, #cond, __LINE__); \
  } while (0)
