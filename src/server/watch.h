// WATCH: which clients watch which keys, and what a change does to them
// (Redis's multi.c watch functions, including their 7.0 rules for keys that
// were already logically expired when WATCHed).
//
// Rules (Redis 7.0.15):
//  - WATCH records whether the key was expired at that moment (`expired`).
//  - A change of a watched key marks every watcher dirty (EXEC then fails)
//    and unwatches that client, except a watch flagged expired whose key is
//    now gone from the table: the stale key was only deleted, which is no
//    logical change, so the flag is cleared and the client stays clean.
//  - FLUSHDB/FLUSHALL/SWAPDB touch the watchers of keys that exist in the
//    emptied db (or, for SWAPDB, in the db replacing it), with the same
//    stale-key exceptions, and flag a watch expired when a missing key is
//    replaced by an expired one.
//  - EXEC fails when a key not flagged expired has become logically
//    expired since WATCH.
// The registry is fed by the keyspace listener (server.cc), never by
// command handlers.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/keyspace.h"
#include "server/client.h"

namespace vireo::server {

class WatchRegistry {
 public:
  explicit WatchRegistry(engine::Keyspace* ks);

  // Redis's watchForKey (WATCH key in the client's db).
  void Watch(Client& c, std::string_view key);
  // Redis's unwatchAllKeys.
  void UnwatchAll(Client& c);
  // Redis's isWatchedKeyExpired (at EXEC).
  bool AnyWatchedKeyExpired(const Client& c);
  // Redis's touchWatchedKey: a key changed.
  void Touch(int db, std::string_view key);
  // Redis's touchAllWatchedKeysInDb: `emptied` is being flushed (replaced
  // by nothing, replaced_with = -1) or swapped with `replaced_with`.
  void TouchAllInDb(int emptied, int replaced_with);
  // Number of watched (client, key) pairs.
  size_t count() const { return count_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyMap = std::unordered_map<std::string, std::vector<WatchedKey*>, Hash, std::equal_to<>>;

  void MarkDirty(Client* c);

  engine::Keyspace* ks_;
  std::vector<KeyMap> by_db_;
  size_t count_ = 0;
};

}  // namespace vireo::server
