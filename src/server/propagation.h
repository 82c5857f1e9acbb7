// Propagation: the one door through which writes reach the AOF and the
// replicas (Redis's also_propagate array and propagatePendingCommands).
//
// During a call the server collects what must be propagated, in order:
// DELs of keys that expired on access (from the keyspace listener), the
// effect form a handler emitted (SET ... PXAT for SET EX, PEXPIREAT for
// EXPIRE, DEL for GETDEL, ...), and the command's own argv when it changed
// the dataset and emitted nothing itself. When the outermost call ends, the
// list goes to every sink: as is when it holds one command, wrapped in
// MULTI ... EXEC when it holds several (so a replica applies them
// atomically), never wrapped for commands that touch arbitrary keys (SCAN,
// RANDOMKEY) or for the active expire cycle, as Redis 7.0 does. EXEC itself
// is never propagated: its commands are, wrapped.
//
// Nothing is recorded while no sink is attached, so a server without AOF or
// replicas pays nothing. The storage is reused from call to call: no
// allocation per command once warmed up.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::server {

// Where a command goes (Redis's PROPAGATE_AOF / PROPAGATE_REPL): PUBLISH
// reaches replicas but not the AOF.
enum PropagationTarget : int {
  kPropagateAof = 1,
  kPropagateRepl = 2,
  kPropagateAll = kPropagateAof | kPropagateRepl,
};

class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  // The target this sink is (kPropagateAof or kPropagateRepl).
  virtual int target() const = 0;
  // A write in db `dbid`, in its deterministic form. The views are valid
  // during the call only.
  virtual void Feed(int dbid, std::span<const std::string_view> argv) = 0;
};

class Propagator {
 public:
  void AddSink(PropagationSink* s) { sinks_.push_back(s); }
  void RemoveSink(PropagationSink* s);
  bool active() const { return !sinks_.empty(); }

  // Appends one command to the pending list (copied).
  void Add(int dbid, std::span<const std::string_view> argv, int targets = kPropagateAll);
  void Add(int dbid, std::initializer_list<std::string_view> argv, int targets = kPropagateAll) {
    Add(dbid, std::span<const std::string_view>(argv.begin(), argv.size()), targets);
  }
  size_t pending() const { return ops_.size(); }
  // Hands one command to the sinks now, without copying it: only when it
  // is all there is to propagate (nothing pending).
  void FeedNow(int dbid, std::span<const std::string_view> argv, int targets) { FeedAll(dbid, argv, targets); }

  // Hands the pending commands to every sink, in MULTI/EXEC when there are
  // several and `wrap` allows, then clears the list.
  void Flush(bool wrap) {
    if (!ops_.empty()) FlushPending(wrap);
  }

 private:
  struct Op {
    int dbid;
    uint32_t first_arg;
    uint32_t argc;
    int targets;
  };
  struct Arg {
    size_t offset;
    size_t len;
  };
  void FlushPending(bool wrap);
  void FeedAll(int dbid, std::span<const std::string_view> argv, int targets);

  std::vector<PropagationSink*> sinks_;
  std::vector<Op> ops_;
  std::vector<Arg> args_;
  std::string bytes_;
  std::vector<std::string_view> scratch_;
};

}  // namespace vireo::server
