// See propagation.h.
#include "server/propagation.h"

#include <algorithm>

namespace vireo::server {

void Propagator::RemoveSink(PropagationSink* s) {
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), s), sinks_.end());
}

void Propagator::Add(int dbid, std::span<const std::string_view> argv, int targets) {
  if (sinks_.empty()) return;
  ops_.push_back(
      Op{dbid, static_cast<uint32_t>(args_.size()), static_cast<uint32_t>(argv.size()), targets});
  for (std::string_view a : argv) {
    args_.push_back(Arg{bytes_.size(), a.size()});
    bytes_.append(a);
  }
}

void Propagator::FeedAll(int dbid, std::span<const std::string_view> argv, int targets) {
  for (PropagationSink* s : sinks_)
    if (s->target() & targets) s->Feed(dbid, argv);
}

void Propagator::FlushPending(bool wrap) {
  bool transaction = wrap && ops_.size() > 1;
  // Why: MULTI takes the first command's db so that the sink emits its
  // SELECT before it, and EXEC the last one's so it emits none in between
  // (Redis's propagatePendingCommands). The wrapping goes to every target,
  // as in Redis, even if one target receives a single command inside.
  static constexpr std::string_view kMulti[] = {"MULTI"};
  static constexpr std::string_view kExec[] = {"EXEC"};
  if (transaction) FeedAll(ops_.front().dbid, kMulti, kPropagateAll);
  for (const Op& op : ops_) {
    scratch_.clear();
    for (uint32_t i = 0; i < op.argc; i++) {
      const Arg& a = args_[op.first_arg + i];
      scratch_.emplace_back(bytes_.data() + a.offset, a.len);
    }
    FeedAll(op.dbid, scratch_, op.targets);
  }
  if (transaction) FeedAll(ops_.back().dbid, kExec, kPropagateAll);
  ops_.clear();
  args_.clear();
  bytes_.clear();
}

}  // namespace vireo::server
