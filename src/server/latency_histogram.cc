// See latency_histogram.h. The index arithmetic is hdr_histogram's for
// lowest value 1, highest 1e9 and 2 significant figures: 256 sub-buckets
// (half count 128, magnitude 7), unit magnitude 0, 23 buckets, 3072 counts.
#include "server/latency_histogram.h"

#include <memory>
#include <unordered_map>

#include "server/server.h"

namespace vireo::server {

namespace {

constexpr int32_t kSubHalfMagnitude = 7;
constexpr int32_t kSubCount = 256;
constexpr int32_t kSubHalfCount = 128;
constexpr int64_t kSubMask = kSubCount - 1;
constexpr int32_t kBucketCount = 23;
constexpr int32_t kCountsLen = (kBucketCount + 1) * kSubHalfCount;

int32_t BucketIndex(int64_t value) {
  int32_t pow2ceiling = 64 - __builtin_clzll(static_cast<uint64_t>(value | kSubMask));
  return pow2ceiling - (kSubHalfMagnitude + 1);
}
int32_t SubBucketIndex(int64_t value, int32_t bucket) {
  return static_cast<int32_t>(value >> bucket);
}
int32_t CountsIndex(int32_t bucket, int32_t sub) {
  return ((bucket + 1) << kSubHalfMagnitude) + (sub - kSubHalfCount);
}
int64_t ValueFromIndex(int32_t bucket, int32_t sub) { return static_cast<int64_t>(sub) << bucket; }
int64_t ValueAtIndex(int32_t index) {
  int32_t bucket = (index >> kSubHalfMagnitude) - 1;
  int32_t sub = (index & (kSubHalfCount - 1)) + kSubHalfCount;
  if (bucket < 0) {
    sub -= kSubHalfCount;
    bucket = 0;
  }
  return ValueFromIndex(bucket, sub);
}
int64_t RangeSize(int32_t bucket, int32_t sub) {
  return int64_t{1} << (sub >= kSubCount ? bucket + 1 : bucket);
}
int64_t LowestEquivalent(int64_t value) {
  int32_t b = BucketIndex(value);
  return ValueFromIndex(b, SubBucketIndex(value, b));
}
int64_t HighestEquivalent(int64_t value) {
  int32_t b = BucketIndex(value);
  int32_t s = SubBucketIndex(value, b);
  return ValueFromIndex(b, s) + RangeSize(b, s) - 1;
}

using HistogramMap = std::unordered_map<const Command*, std::unique_ptr<LatencyHistogram>>;

HistogramMap& Histograms() {
  static auto* map = new HistogramMap();
  return *map;
}

}  // namespace

void LatencyHistogram::Record(int64_t value) {
  if (value < kMinValue) value = kMinValue;
  if (value > kMaxValue) value = kMaxValue;
  if (counts_.empty()) counts_.assign(kCountsLen, 0);
  int32_t b = BucketIndex(value);
  int32_t idx = CountsIndex(b, SubBucketIndex(value, b));
  if (idx < 0 || idx >= kCountsLen) return;
  counts_[static_cast<size_t>(idx)]++;
  total_++;
}

void LatencyHistogram::Reset() {
  counts_.clear();
  total_ = 0;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  double requested = percentile < 100.0 ? percentile : 100.0;
  int64_t count_at = static_cast<int64_t>((requested / 100) * static_cast<double>(total_) + 0.5);
  if (count_at < 1) count_at = 1;
  int64_t value = 0;
  int64_t running = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(counts_.size()); i++) {
    running += counts_[static_cast<size_t>(i)];
    if (running >= count_at) {
      value = ValueAtIndex(i);
      break;
    }
  }
  if (percentile == 0.0) return LowestEquivalent(value);
  return HighestEquivalent(value);
}

std::vector<std::pair<int64_t, int64_t>> LatencyHistogram::CumulativeBuckets() const {
  // hdr_iter_log_init(1024 ns, base 2) walked the way fillCommandCDF does.
  std::vector<std::pair<int64_t, int64_t>> out;
  if (counts_.empty()) return out;
  int32_t index = -1;
  int64_t cumulative = 0, value = 0, highest = 0;
  int64_t level = 1024;
  int64_t level_lowest = LowestEquivalent(level);
  int64_t previous = 0;
  auto move_next = [&]() {
    index++;
    if (index >= kCountsLen) return false;
    cumulative += counts_[static_cast<size_t>(index)];
    value = ValueAtIndex(index);
    int32_t b = BucketIndex(value);
    int32_t s = SubBucketIndex(value, b);
    highest = ValueFromIndex(b, s) + RangeSize(b, s) - 1;
    return true;
  };
  for (;;) {
    bool more = cumulative < total_ ||
                (index < kCountsLen && ValueAtIndex(index + 1) > level_lowest);
    if (!more) break;
    for (;;) {
      if (value >= level_lowest) {
        level *= 2;
        level_lowest = LowestEquivalent(level);
        break;
      }
      if (!move_next()) break;
    }
    if (cumulative > previous) out.emplace_back(highest / 1000, cumulative);
    previous = cumulative;
  }
  return out;
}

void RecordCommandLatency(const Command* cmd, int64_t duration_us) {
  if (!server::g_server->cfg().latency_tracking) return;
  auto& h = Histograms()[cmd];
  if (!h) h = std::make_unique<LatencyHistogram>();
  h->Record(duration_us * 1000);
}

void ResetCommandLatencyHistograms() { Histograms().clear(); }

const LatencyHistogram* FindCommandLatencyHistogram(const Command* cmd) {
  auto& m = Histograms();
  auto it = m.find(cmd);
  if (it == m.end() || it->second->total_count() == 0) return nullptr;
  return it->second.get();
}

}  // namespace vireo::server
