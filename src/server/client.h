// Client: the state a command runs against — selected db, authentication,
// flags, the current argv and command, MULTI/WATCH state, and the reply
// buffer — with or without a socket.
//
// Why socket-less: Lua scripts, AOF loading, the replication master link and
// the cluster need to run commands through the same dispatcher as network
// clients. A Client built without a connection (`Client(Server*)`) collects
// its replies in `out()`, where the caller reads them; one built by the
// listener owns a net::Connection that feeds it requests and flushes `out()`
// once per loop iteration (server.h).
//
// Lifetime: Close() unlinks the client from the server at once; the server
// frees it before the loop sleeps again, never inside a callback.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/connection.h"
#include "protocol/reply.h"
#include "protocol/reply_buffer.h"
#include "server/blocking.h"
#include "server/replication_hooks.h"

namespace vireo::server {

struct Command;
class Server;
class Client;
struct ClientPubSub;
struct ClientTracking;
namespace acl {
struct User;
}

// Client flags (a subset of Redis's CLIENT_* with the same meaning).
enum ClientFlag : uint64_t {
  kClientMulti = 1ull << 0,
  kClientDirtyCas = 1ull << 1,   // a WATCHed key was touched
  kClientDirtyExec = 1ull << 2,  // a command failed while queueing
  kClientCloseAfterReply = 1ull << 3,
  kClientCloseAsap = 1ull << 4,
  kClientMonitor = 1ull << 5,
  kClientPubsub = 1ull << 6,
  kClientNoEvict = 1ull << 7,
  kClientReplyOff = 1ull << 8,
  kClientReplySkipNext = 1ull << 9,
  kClientReplySkip = 1ull << 10,
  kClientUnixSocket = 1ull << 11,
  kClientProtected = 1ull << 12,  // internal, never closed by CLIENT KILL
  kClientPendingWrite = 1ull << 13,
  kClientExecuting = 1ull << 14,
  kClientPendingCommand = 1ull << 15,  // paused: a command waits to be run
  kClientForceProp = 1ull << 16,       // propagate even without a change
  kClientPreventProp = 1ull << 17,     // the command propagated its own form
  kClientBlocked = 1ull << 18,         // waiting on keys (blocking.h)
  kClientDenyBlocking = 1ull << 19,    // EXEC: blocking commands do not block
  kClientForcePropRepl = 1ull << 20,   // propagate to replicas only (PUBLISH)
  // Client-side caching (tracking.h), Redis's CLIENT_TRACKING_*.
  kClientTracking = 1ull << 21,
  kClientTrackingBrokenRedir = 1ull << 22,
  kClientTrackingBcast = 1ull << 23,
  kClientTrackingOptin = 1ull << 24,
  kClientTrackingOptout = 1ull << 25,
  kClientTrackingCaching = 1ull << 26,  // CLIENT CACHING yes/no for the next command
  kClientTrackingNoloop = 1ull << 27,
  kClientUnblocked = 1ull << 28,  // released by CLIENT UNPAUSE, not run again yet (flag u)
  // Replication (src/replication/): the link to our master (flag M), a
  // replica attached to us (flag S).
  kClientMaster = 1ull << 29,
  kClientSlave = 1ull << 30,
  kClientWaitAcks = 1ull << 31,  // blocked in WAIT
  // Cluster (src/cluster/): ASKING for the next command, READONLY reads on
  // a replica (flag r).
  kClientAsking = 1ull << 32,
  kClientReadonly = 1ull << 33,
};

struct QueuedCommand {
  Command* cmd;
  std::vector<std::string> argv;
};

// One WATCHed key of one client (Redis's watchedKey): the registry in
// watch.h points at these.
struct WatchedKey {
  Client* client;
  int db;
  std::string key;
  bool expired;  // the key was logically expired when WATCHed
};

class Client final : public net::ConnectionHandler {
 public:
  // A client without a socket.
  explicit Client(Server* srv);
  // A network client on an accepted (non-blocking) socket, owned from here.
  Client(Server* srv, net::EventLoop* loop, int fd, bool unix_socket);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // --- identity -----------------------------------------------------------
  uint64_t id = 0;
  std::string name;
  std::string addr;   // "ip:port" or "/path:0"
  std::string laddr;
  int fd = -1;
  int64_t ctime_ms = 0;
  int64_t last_interaction_ms = 0;

  // --- state the commands use ----------------------------------------------
  uint64_t flags = 0;
  int db_index = 0;
  bool authenticated = false;
  // ACL user (acl.h); nullptr for internal clients, which are never checked.
  acl::User* user = nullptr;
  std::vector<std::string_view> argv;  // current command's arguments
  Command* cmd = nullptr;              // current command
  Command* last_cmd = nullptr;
  protocol::ReplyBuilder reply;

  // MULTI / WATCH
  std::vector<QueuedCommand> mstate;
  std::vector<std::unique_ptr<WatchedKey>> watched;
  // Blocked on keys (BLPOP...), or running again after a wake-up.
  std::unique_ptr<BlockState> bstate;
  // Channels, patterns and shard channels (pubsub.h); null until the first
  // subscription.
  std::unique_ptr<ClientPubSub> pubsub;
  // CLIENT TRACKING's redirect and BCAST prefixes (tracking.h); null when off.
  std::unique_ptr<ClientTracking> tracking;
  // A replica's sync state or our master link's offsets (replication_hooks.h).
  std::unique_ptr<ClientReplState> repl;
  // master_repl_offset after this client's last command (WAIT).
  int64_t woff = 0;
  // The connection (nullptr for socket-less clients): replication writes
  // replicas' sockets from the shared stream through it.
  net::Connection* connection() { return conn_.get(); }

  int resp() const { return reply.resp; }
  protocol::ReplyBuffer& out() { return out_; }
  bool has_connection() const { return conn_ != nullptr; }

  // --- running commands without a socket ------------------------------------
  // Runs one command through the full dispatcher (as if it arrived on a
  // socket); the reply bytes are appended to out().
  void Execute(const std::vector<std::string_view>& args);

  // --- connection -------------------------------------------------------
  // Starts reading (network clients); false when the socket cannot be
  // watched.
  bool Start();
  // Writes pending output now; returns false if the client was closed.
  bool Flush();
  // Closes now (unlinks from the server; freed before the loop sleeps).
  void Close();
  bool closed() const { return closed_; }
  // Redis's checkClientOutputBufferLimits: true when the client must be
  // closed for its output buffer (hard limit, or soft limit for too long).
  bool OutputBufferLimitReached();
  // Closes the client (logging why) if its output buffer is over the limits.
  void EnforceOutputLimits();
  // Cron: query buffer resizing and, when idle, the reply chunk release.
  void CronResizeBuffers(bool idle);
  // Resumes processing buffered commands (after CLIENT UNPAUSE).
  void ResumeProcessing();

  // Bytes in the query buffer (CLIENT LIST qbuf) and its free space.
  size_t qbuf_len() const { return conn_ ? conn_->qbuf_len() : 0; }
  size_t qbuf_free() const { return conn_ ? conn_->qbuf_free() : 0; }
  size_t qbuf_cap() const { return conn_ ? conn_->qbuf_cap() : 0; }
  size_t argv_mem() const;
  size_t output_memory() const {
    return out_.overflow_bytes() + (repl ? repl->output_memory() : 0);
  }
  int64_t obuf_soft_limit_reached_time = 0;
  const char* EventsString() const { return conn_ ? conn_->EventsString() : ""; }

  Server* server() const { return srv_; }

  // --- net::ConnectionHandler ---------------------------------------------
  void FillLimits(protocol::RequestParser::Limits* limits) override;
  size_t QueryBufferLimit() override;
  bool AcceptingInput() override;
  Verdict OnRequest(protocol::RequestParser::Limits* limits) override;
  void OnProtocolError(const std::string& msg) override;
  void OnInputProcessed() override;
  void OnWritable() override;
  void OnConnectionLost(CloseReason why) override;

 private:
  Server* srv_;
  protocol::ReplyBuffer out_;
  std::unique_ptr<net::Connection> conn_;
  bool closed_ = false;

 public:
  // Intrusive list of all network clients (creation order, as CLIENT LIST
  // shows); socket-less clients are not linked.
  Client* prev = nullptr;
  Client* next = nullptr;
  bool linked = false;
  // Client eviction (server/maxmemory.cc): the memory last counted for
  // this client in the server's total.
  size_t evict_mem = 0;
};

}  // namespace vireo::server
