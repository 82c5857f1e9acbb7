// Per-command latency histograms (Redis 7.0's latency tracking), the data
// behind LATENCY HISTOGRAM and INFO latencystats.
//
// Redis keeps one hdr_histogram per command (1 ns .. 1 s, 2 significant
// figures) and records every call's duration in ns when latency-tracking is
// on. The bucket layout below is hdr_histogram's with that configuration, so
// LATENCY HISTOGRAM's bucket labels and cumulative counts (a log-2 walk from
// 1024 ns) and the percentiles come out as Redis prints them.
//
// Wiring (outside this module): Server::Call records each call with
// RecordCommandLatency(cmd, duration_us); CONFIG RESETSTAT clears them with
// ResetCommandLatencyHistograms().
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "server/command.h"

namespace vireo::server {

class LatencyHistogram {
 public:
  // Redis's LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE (ns); values are clamped.
  static constexpr int64_t kMinValue = 1;
  static constexpr int64_t kMaxValue = 1000000000;

  void Record(int64_t value_ns);
  int64_t total_count() const { return total_; }
  // hdr_value_at_percentile (ns).
  int64_t ValueAtPercentile(double percentile) const;
  // Redis's fillCommandCDF: (bucket label in us, cumulative count) for every
  // log-2 step from 1024 ns where the cumulative count grew.
  std::vector<std::pair<int64_t, int64_t>> CumulativeBuckets() const;
  void Reset();

 private:
  std::vector<int64_t> counts_;  // allocated on first Record
  int64_t total_ = 0;
};

// Records one call of `cmd` (the subcommand for container commands) if
// latency-tracking is enabled.
void RecordCommandLatency(const Command* cmd, int64_t duration_us);
// Drops every histogram (CONFIG RESETSTAT).
void ResetCommandLatencyHistograms();
// The command's histogram, or nullptr when it has no recorded call.
const LatencyHistogram* FindCommandLatencyHistogram(const Command* cmd);

}  // namespace vireo::server
