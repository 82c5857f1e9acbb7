// RequestParser micro benchmarks: one command, pipelined bursts, big bulk,
// and a command split over many reads (the incremental path).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/parser.h"

namespace {

using vireo::protocol::RequestParser;

std::string Encode(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

std::string SetCommand(int i) {
  char key[32];
  snprintf(key, sizeof(key), "key:%012d", i);
  return Encode({"SET", key, std::string(100, 'x')});
}

// Parses every command in buf; returns the number of commands.
size_t ParseAll(RequestParser& p, const std::string& buf, std::vector<std::string_view>& args) {
  RequestParser::Limits limits;
  size_t pos = 0, n = 0;
  while (pos < buf.size()) {
    size_t consumed = 0;
    auto st = p.Parse(buf.data(), pos, buf.size(), limits, &consumed);
    if (st != RequestParser::Status::kCommand) break;
    p.BuildArgs(buf.data(), &args);
    benchmark::DoNotOptimize(args.data());
    pos += consumed;
    p.Reset();
    n++;
  }
  return n;
}

void BM_ParseSingleSet(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::string buf = SetCommand(1234);
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(p, buf, args));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_ParseSingleSet);

void BM_ParseSingleGet(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::string buf = Encode({"GET", "key:000000001234"});
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(p, buf, args));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSingleGet);

void BM_ParseInlinePing(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::string buf = "PING\r\n";
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(p, buf, args));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseInlinePing);

// A pipelined burst of N SETs in one buffer (redis-benchmark -P N).
void BM_ParsePipelinedSet(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::string buf;
  for (int i = 0; i < state.range(0); i++) buf += SetCommand(i);
  size_t n = 0;
  for (auto _ : state) n = ParseAll(p, buf, args);
  if (n != static_cast<size_t>(state.range(0))) state.SkipWithError("parse count mismatch");
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_ParsePipelinedSet)->Arg(16)->Arg(100);

// MSET with 10 keys (redis-benchmark's MSET).
void BM_ParseMset10(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::vector<std::string> a{"MSET"};
  for (int i = 0; i < 10; i++) {
    a.push_back("key:00000000000" + std::to_string(i));
    a.push_back(std::string(100, 'x'));
  }
  std::string buf = Encode(a);
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(p, buf, args));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseMset10);

// One SET with a big value arriving in one read.
void BM_ParseBigBulk(benchmark::State& state) {
  RequestParser p;
  std::vector<std::string_view> args;
  std::string buf = Encode({"SET", "bigkey", std::string(static_cast<size_t>(state.range(0)), 'v')});
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(p, buf, args));
  // Why no bytes/s: arguments are views into the buffer, so the payload is
  // skipped, not read; the cost is per command.
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseBigBulk)->Arg(64 * 1024)->Arg(1 << 20);

// The same big SET arriving in 16 KB reads: the parser must resume, not rescan.
void BM_ParseBigBulkIncremental(benchmark::State& state) {
  RequestParser p;
  RequestParser::Limits limits;
  std::vector<std::string_view> args;
  std::string buf = Encode({"SET", "bigkey", std::string(1 << 20, 'v')});
  const size_t step = 16 * 1024;
  for (auto _ : state) {
    size_t consumed = 0;
    RequestParser::Status st = RequestParser::Status::kIncomplete;
    for (size_t len = step; st == RequestParser::Status::kIncomplete; len += step) {
      if (len > buf.size()) len = buf.size();
      st = p.Parse(buf.data(), 0, len, limits, &consumed);
    }
    p.BuildArgs(buf.data(), &args);
    benchmark::DoNotOptimize(args.data());
    p.Reset();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseBigBulkIncremental);

}  // namespace
