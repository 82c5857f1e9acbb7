// ReplyBuilder micro benchmarks: the replies SET/GET/INCR/MGET/SCAN produce.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/reply.h"
#include "protocol/reply_buffer.h"

namespace {

using vireo::protocol::ReplyBuffer;
using vireo::protocol::ReplyBuilder;

// Writes `batch` replies, then drains the buffer as the socket writer would
// (the first chunk is kept, so steady state allocates nothing).
constexpr int kBatch = 64;

void BM_ReplyOk(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; i++) rb.Ok();
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ReplyOk);

void BM_ReplyInt(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  int64_t v = state.range(0);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; i++) rb.Int(v + i);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ReplyInt)->Arg(1)->Arg(123456789)->Arg(-4611686018427387904LL);

void BM_ReplyBulk(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  std::string val(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    for (int i = 0; i < kBatch; i++) rb.Bulk(val);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * state.range(0));
}
BENCHMARK(BM_ReplyBulk)->Arg(3)->Arg(100)->Arg(4096)->Arg(64 * 1024);

void BM_ReplyNull(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.resp = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int i = 0; i < kBatch; i++) rb.Null();
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ReplyNull)->Arg(2)->Arg(3);

// An MGET-style reply: array header then N bulks.
void BM_ReplyArrayLenBulks(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  std::string val(100, 'x');
  int64_t n = state.range(0);
  for (auto _ : state) {
    rb.ArrayLen(n);
    for (int64_t i = 0; i < n; i++) rb.Bulk(val);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ReplyArrayLenBulks)->Arg(10)->Arg(100);

// A SCAN/KEYS-style reply whose length is known only at the end.
void BM_ReplyDeferredArray(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  std::string key = "key:000000001234";
  int64_t n = state.range(0);
  for (auto _ : state) {
    auto d = rb.BeginDeferred();
    for (int64_t i = 0; i < n; i++) rb.Bulk(key);
    rb.EndDeferredArray(d, n);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ReplyDeferredArray)->Arg(10)->Arg(1000);

// Deferred map in RESP3 behind a partly filled buffer (header insert moves bytes).
void BM_ReplyDeferredMapResp3(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  rb.resp = 3;
  for (auto _ : state) {
    rb.Ok();
    auto d = rb.BeginDeferred();
    for (int i = 0; i < 8; i++) {
      rb.Bulk("field");
      rb.Int(i);
    }
    rb.EndDeferredMap(d, 8);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplyDeferredMapResp3);

void BM_ReplyDouble(benchmark::State& state) {
  ReplyBuffer buf;
  ReplyBuilder rb(&buf);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; i++) rb.Double(3.14159 + i);
    buf.Consume(buf.pending());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ReplyDouble);

}  // namespace
