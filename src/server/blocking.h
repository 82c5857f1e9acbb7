// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP,
// BZPOPMIN, BZPOPMAX, BZMPOP): who waits on which key, in arrival order,
// their timeouts, and serving them when a key becomes ready.
//
// How a client blocks: the handler finds nothing to pop and calls Block();
// the client's connection holds the command in its input (as CLIENT PAUSE
// does) and reads nothing more. When the engine reports a key created
// (KeyspaceListener::KeyReady, Redis's signalKeyAsReady from dbAdd), the
// key is queued; at the end of the top-level command that created it
// (Redis's handleClientsBlockedOnKeys after call()), and before the loop
// sleeps, the clients waiting on each ready key are served in FIFO order:
// each one's command runs again, now finding data (or blocking again,
// keeping its place in time: the deadline is kept). A timeout or CLIENT
// UNBLOCK runs the command once more with an outcome set, and the
// dispatcher answers it (null array / -UNBLOCKED) without the handler.
//
// Why re-run the command instead of serving from saved state (Redis 7.0's
// bpop fields): one code path pops, replies and propagates the effect form
// (BLPOP -> LPOP, BLMOVE -> LMOVE), whether the data was there at once or
// arrived later, which is how Redis 7.2 does it too.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/object.h"

namespace vireo::server {

class Client;
class Server;

// A blocked client's state (Client::bstate).
struct BlockState {
  enum class Outcome { kNone, kTimeout, kError };
  int db = 0;
  engine::ObjType type = engine::ObjType::kList;  // what the keys must hold to serve
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;  // unix ms, 0 = forever
  uint64_t timer = 0;       // event-loop timer of the deadline
  Outcome outcome = Outcome::kNone;
  // WAIT: a timeout (or CLIENT UNBLOCK TIMEOUT) runs the command again to
  // answer (with the replicas counted), not the dispatcher's null array.
  bool answer_on_timeout = false;
  int64_t blocked_since_us = 0;
  // kError with this text instead of -UNBLOCKED (a cluster redirection).
  std::string error;
};

class BlockingRegistry {
 public:
  explicit BlockingRegistry(Server* srv) : srv_(srv) {}
  BlockingRegistry(const BlockingRegistry&) = delete;
  BlockingRegistry& operator=(const BlockingRegistry&) = delete;

  // Whether `c` may block now: a client with a connection, outside
  // MULTI/EXEC (Redis's CLIENT_DENY_BLOCKING), not a socket-less caller.
  bool CanBlock(const Client& c) const;
  // Blocks `c` on `keys` of its db until one holds `type`. deadline_ms is
  // absolute (0 = forever); when the client's command is running again
  // after a wake-up, its first deadline is kept.
  void Block(Client& c, std::span<const std::string_view> keys, engine::ObjType type,
             int64_t deadline_ms);
  // Runs a blocked client's command again now (WAIT, when its replicas
  // acknowledged): it answers, or blocks again keeping its deadline.
  void Wake(Client& c);
  // CLIENT UNBLOCK: false when `c` is not blocked on keys.
  bool Unblock(Client& c, bool with_error);
  // A client closing: removes every trace of it.
  void Forget(Client& c);
  // The listener's KeyReady.
  void SignalReady(int db, std::string_view key);
  // SWAPDB: every key waited on in `db` may now hold data (Redis's
  // scanDatabaseForReadyKeys); serving checks what is really there.
  void SignalDb(int db);
  // Serves the clients waiting on ready keys and re-runs the unblocked
  // ones (timeouts, CLIENT UNBLOCK). Not re-entrant: a call made while
  // serving returns at once and the outer loop picks up the new work.
  void ServeReady();
  bool has_work() const { return !ready_.empty() || !unblocked_.empty(); }
  // A served or answered client: forgets its state (called when its
  // command ran to the end without blocking again).
  void Finished(Client& c);

  size_t blocked_clients() const { return num_blocked_; }
  size_t clients_with_timeout() const { return num_with_timeout_; }
  // Keys with at least one waiting client.
  size_t blocking_keys() const { return waiting_.size(); }

 private:
  struct KeyHash {
    size_t operator()(const std::pair<int, std::string>& k) const {
      return std::hash<std::string>()(k.second) ^ static_cast<size_t>(k.first);
    }
  };
  using KeyRef = std::pair<int, std::string>;
  // Takes `c` off every wait list and cancels its timer.
  void Detach(Client& c);
  // Runs the held command of an unblocked client.
  void Rerun(Client* c);

  Server* srv_;
  std::unordered_map<KeyRef, std::list<Client*>, KeyHash> waiting_;
  std::vector<KeyRef> ready_;
  std::unordered_map<KeyRef, bool, KeyHash> ready_set_;
  std::vector<Client*> unblocked_;
  size_t num_blocked_ = 0;
  size_t num_with_timeout_ = 0;
  bool serving_ = false;
};

}  // namespace vireo::server
