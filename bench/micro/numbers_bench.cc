// Number formatting/parsing micro benchmarks (Redis's ll2string, string2ll,
// ld2string, "%.17g" contracts).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "base/numbers.h"

namespace {

namespace base = vireo::base;

const std::vector<int64_t>& Ints() {
  static const std::vector<int64_t> v = {0, 7, 42, 1234, 99999, 1234567, -1, -98765,
                                         4294967296LL, 9223372036854775807LL,
                                         -9223372036854775807LL - 1, 100000000000LL};
  return v;
}

void BM_Int64ToChars(benchmark::State& state) {
  char buf[base::kLongStrSize];
  const auto& v = Ints();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::Int64ToChars(v[i], buf));
    benchmark::ClobberMemory();
    if (++i == v.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Int64ToChars);

void BM_Int64ToCharsSmall(benchmark::State& state) {
  char buf[base::kLongStrSize];
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::Int64ToChars(i, buf));
    benchmark::ClobberMemory();
    i = (i + 1) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Int64ToCharsSmall);

void BM_StringToInt64(benchmark::State& state) {
  std::vector<std::string> s;
  for (int64_t v : Ints()) s.push_back(std::to_string(v));
  size_t i = 0;
  int64_t out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::StringToInt64(s[i], &out));
    benchmark::DoNotOptimize(out);
    if (++i == s.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StringToInt64);

// Values that are not integers (what SET's tryObjectEncoding mostly sees).
void BM_StringToInt64Reject(benchmark::State& state) {
  std::vector<std::string> s = {"hello", "01", "+1", "-0", " 1", "1.5", "99999999999999999999",
                                std::string(100, 'x')};
  size_t i = 0;
  int64_t out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::StringToInt64(s[i], &out));
    if (++i == s.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StringToInt64Reject);

void BM_LongDoubleToString(benchmark::State& state) {
  const long double v[] = {3.0L, 10.5L, 0.1L, 1.0e17L, -2.25L, 5.0e-5L, 123456.789L};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::LongDoubleToString(v[i]));
    if (++i == sizeof(v) / sizeof(v[0])) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LongDoubleToString);

void BM_DoubleToChars(benchmark::State& state) {
  const double v[] = {3.0, 10.5, 0.1, 1.0e17, -2.25, 5.0e-5, 123456.789, 1.0 / 3.0};
  char buf[64];
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::DoubleToChars(v[i], buf, sizeof(buf)));
    benchmark::ClobberMemory();
    if (++i == sizeof(v) / sizeof(v[0])) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DoubleToChars);

}  // namespace
