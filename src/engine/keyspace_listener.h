// KeyspaceListener: the one channel through which the engine tells the rest
// of the server that the dataset changed.
//
// Why one listener: WATCH, keyspace notifications, client-side caching
// (tracking), and the DELs that replicas and the AOF need for expired and
// evicted keys all react to the same events. In Redis these are calls
// sprinkled over every command (signalModifiedKey, notifyKeyspaceEvent,
// propagateDeletion); here the engine makes them from the mutation itself,
// so a command handler can never forget one or signal twice.
//
// Contract (the order is Redis's):
//  - KeyModified after every change of a key's value, creation or deletion
//    (Redis's signalModifiedKey), once per key per change, after the change.
//  - KeyEvent for every keyspace notification Redis 7.0 would emit, with its
//    class bit (NotifyClass below, Redis's NOTIFY_* values) and event name.
//  - KeyExpired / KeyEvicted when a key was removed by expiry or eviction,
//    after its KeyEvent and KeyModified; the server propagates a DEL/UNLINK.
//  - KeyReady when a key is created (added, renamed/moved/copied in, or
//    overwritten), so clients blocked on it (BLPOP, BZPOPMIN...) can be
//    served: Redis's signalKeyAsReady from dbAdd. Only while someone waits
//    (Keyspace::AddReadyInterest).
//  - BeforeFlush / BeforeSwap before FLUSHDB/FLUSHALL empty a database or
//    SWAPDB exchanges two, while the keys are still in place (WATCH decides
//    from what exists); Flushed once after a flush (db -1: FLUSHALL), as
//    Redis's signalFlushedDb (client tracking invalidates everything).
// Keys passed in are only valid during the call.
#pragma once

#include <string_view>

namespace vireo::engine {

// Redis's NOTIFY_* bits (the classes of notify-keyspace-events).
namespace notify {
inline constexpr int kGeneric = 1 << 2;   // g
inline constexpr int kString = 1 << 3;    // $
inline constexpr int kList = 1 << 4;      // l
inline constexpr int kSet = 1 << 5;       // s
inline constexpr int kHash = 1 << 6;      // h
inline constexpr int kZset = 1 << 7;      // z
inline constexpr int kExpired = 1 << 8;   // x
inline constexpr int kEvicted = 1 << 9;   // e
inline constexpr int kStream = 1 << 10;   // t
inline constexpr int kKeyMiss = 1 << 11;  // m
inline constexpr int kNew = 1 << 14;      // n
}  // namespace notify

class KeyspaceListener {
 public:
  virtual ~KeyspaceListener() = default;
  virtual void KeyModified(int db, std::string_view key) = 0;
  virtual void KeyEvent(int type_class, std::string_view event, int db, std::string_view key) = 0;
  virtual void KeyExpired(int db, std::string_view key) = 0;
  virtual void KeyEvicted(int db, std::string_view key) = 0;
  virtual void KeyReady(int db, std::string_view key) = 0;
  virtual void BeforeFlush(int db) = 0;
  virtual void Flushed(int db) { (void)db; }
  virtual void BeforeSwap(int db1, int db2) = 0;
};

// A listener that ignores everything (a Keyspace without a server).
class NullKeyspaceListener final : public KeyspaceListener {
 public:
  void KeyModified(int, std::string_view) override {}
  void KeyEvent(int, std::string_view, int, std::string_view) override {}
  void KeyExpired(int, std::string_view) override {}
  void KeyEvicted(int, std::string_view) override {}
  void KeyReady(int, std::string_view) override {}
  void BeforeFlush(int) override {}
  void Flushed(int) override {}
  void BeforeSwap(int, int) override {}
};

}  // namespace vireo::engine
