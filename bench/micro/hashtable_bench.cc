// Keyspace hash table micro benchmarks: engine::Db (HashTable<Entry>) insert,
// find hit/miss, delete, find while an incremental rehash is running, and a
// full SCAN.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/object.h"
#include "engine/types/string.h"
#include "engine/value.h"

namespace {

using vireo::engine::Db;
using vireo::engine::Enc;
using vireo::engine::Entry;
using vireo::engine::str::NewStringEntry;

std::vector<std::string> MakeKeys(size_t n, const char* prefix = "key:") {
  std::vector<std::string> keys;
  keys.reserve(n);
  char buf[48];
  for (size_t i = 0; i < n; i++) {
    snprintf(buf, sizeof(buf), "%s%012zu", prefix, i);
    keys.emplace_back(buf);
  }
  return keys;
}

const std::string& Value() {
  static const std::string v(100, 'x');
  return v;
}

void Fill(Db& db, const std::vector<std::string>& keys) {
  for (const auto& k : keys) db.Add(NewStringEntry(k, Value(), Enc::kRaw));
}

// Lookup order: a shuffled copy so the access pattern is not sequential.
std::vector<std::string> Shuffled(std::vector<std::string> keys) {
  std::mt19937_64 rng(42);
  std::shuffle(keys.begin(), keys.end(), rng);
  return keys;
}

// Inserting N fresh keys (entry allocation + table growth with incremental rehash).
void BM_DbInsert(benchmark::State& state) {
  auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto db = std::make_unique<Db>(0);
    Fill(*db, keys);
    benchmark::DoNotOptimize(db->size());
    state.PauseTiming();
    db.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DbInsert)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

void BM_DbFindHit(benchmark::State& state) {
  auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  Db db(0);
  Fill(db, keys);
  while (db.keys().rehashing()) db.keys().Rehash(100);
  auto order = Shuffled(keys);
  size_t i = 0;
  for (auto _ : state) {
    Entry* e = db.Find(order[i]);
    benchmark::DoNotOptimize(e);
    if (++i == order.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbFindHit)->Arg(1000)->Arg(1000000);

void BM_DbFindMiss(benchmark::State& state) {
  auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  Db db(0);
  Fill(db, keys);
  while (db.keys().rehashing()) db.keys().Rehash(100);
  auto misses = Shuffled(MakeKeys(keys.size(), "nokey:"));
  size_t i = 0;
  for (auto _ : state) {
    Entry* e = db.Find(misses[i]);
    benchmark::DoNotOptimize(e);
    if (++i == misses.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbFindMiss)->Arg(1000)->Arg(1000000);

// Deleting all N keys (unlink + free); the refill is not timed.
void BM_DbDelete(benchmark::State& state) {
  auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  auto order = Shuffled(keys);
  Db db(0);
  for (auto _ : state) {
    state.PauseTiming();
    Fill(db, keys);
    state.ResumeTiming();
    for (const auto& k : order) benchmark::DoNotOptimize(db.Delete(k));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DbDelete)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Lookups while the table grows from 2^k to 2^(k+1) buckets: every Find also
// moves one bucket, and misses probe both tables. A fresh table (not timed)
// replaces the current one when its rehash finishes.
void BM_DbFindDuringRehash(benchmark::State& state) {
  const size_t n = size_t{1} << state.range(0);
  auto keys = MakeKeys(n + 1);
  auto order = Shuffled(keys);
  std::unique_ptr<Db> db;
  auto rebuild = [&] {
    db = std::make_unique<Db>(0);
    Fill(*db, keys);  // the (n+1)-th insert starts the resize
  };
  rebuild();
  size_t i = 0;
  int64_t finds = 0;
  for (auto _ : state) {
    if (!db->keys().rehashing()) {
      state.PauseTiming();
      rebuild();
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(db->Find(order[i]));
    if (++i == order.size()) i = 0;
    finds++;
  }
  state.SetItemsProcessed(finds);
}
BENCHMARK(BM_DbFindDuringRehash)->Arg(14)->Arg(16);

// A full SCAN (cursor loop until 0) over N keys.
void BM_DbScanFull(benchmark::State& state) {
  auto keys = MakeKeys(static_cast<size_t>(state.range(0)));
  Db db(0);
  Fill(db, keys);
  while (db.keys().rehashing()) db.keys().Rehash(100);
  for (auto _ : state) {
    size_t seen = 0;
    uint64_t cursor = 0;
    do {
      cursor = db.keys().Scan(cursor, [&](Entry* e) {
        benchmark::DoNotOptimize(e);
        seen++;
      });
    } while (cursor != 0);
    if (seen < keys.size()) state.SkipWithError("SCAN missed keys");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DbScanFull)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

}  // namespace
