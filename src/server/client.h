// Client: one connection's state — socket, query buffer, parser, reply
// buffer, selected db, auth, transaction and flags.
//
// I/O model (see server.h for the loop): the socket is non-blocking; we wait
// for readability with async_wait and read ourselves (no buffer is held by a
// pending read, so an idle client keeps no query buffer once the cron has
// released it). Replies accumulate in `out` and are written by the server's
// BeforeSleep with one writev per client per loop iteration, like Redis's
// handleClientsWithPendingWrites; only what the kernel does not take is left
// to an async_wait for writability.
//
// Lifetime: a client is freed only when no asio wait references it
// (`waits_` == 0) after it was closed; handlers check `closed_` first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio.hpp>

#include "engine/db.h"
#include "protocol/parser.h"
#include "protocol/reply.h"
#include "protocol/reply_buffer.h"

namespace vireo::server {

struct Command;
class Server;

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
};

struct QueuedCommand {
  Command* cmd;
  std::vector<std::string> argv;
};

struct WatchedKey {
  int db;
  std::string key;
  bool expired_at_watch;
};

class Client {
 public:
  using Socket = asio::generic::stream_protocol::socket;

  Client(Server* srv, Socket sock, bool unix_socket);
  ~Client();
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
  engine::Db* db = nullptr;
  bool authenticated = false;
  std::vector<std::string_view> argv;  // current command's arguments
  Command* cmd = nullptr;              // current command
  Command* last_cmd = nullptr;
  protocol::ReplyBuilder reply;
  // Arguments as the command should be propagated when it differs from argv
  // (SET EX -> SET PXAT, INCRBYFLOAT -> SET ...). Empty = propagate argv.
  std::vector<std::string> rewritten_argv;
  // Propagate the command even if it changed nothing (FLUSHALL on an empty
  // server), like Redis's forceCommandPropagation.
  bool force_propagate = false;

  // MULTI / WATCH
  std::vector<QueuedCommand> mstate;
  std::vector<WatchedKey> watched;

  int resp() const { return reply.resp; }
  protocol::ReplyBuffer& out() { return out_; }

  // --- connection -------------------------------------------------------
  // Starts reading. Called once by the server after accept.
  void Start();
  // Writes pending output now (non-blocking); arms a write wait for the rest.
  // Returns false if the client was closed by an error.
  bool Flush();
  // Closes now (or after pending output when flags has CloseAfterReply).
  void Close();
  bool closed() const { return closed_; }
  // Redis's checkClientOutputBufferLimits: true when the client must be
  // closed for its output buffer (hard limit, or soft limit for too long).
  bool OutputBufferLimitReached();
  // Closes the client (logging why) if its output buffer is over the limits.
  void EnforceOutputLimits();
  // Releases idle buffers (cron): query buffer and reply chunk.
  void ReleaseIdleBuffers();
  // Resumes processing buffered commands (after CLIENT UNPAUSE).
  void ResumeProcessing();

  // Bytes in the query buffer (CLIENT LIST qbuf) and its free space.
  size_t qbuf_len() const { return qlen_ - qpos_; }
  size_t qbuf_free() const { return qcap_ - qlen_; }
  size_t qbuf_cap() const { return qcap_; }
  size_t argv_mem() const;
  size_t output_memory() const { return out_.overflow_bytes(); }
  int64_t obuf_soft_limit_reached_time = 0;
  const char* EventsString() const;

  Server* server() const { return srv_; }

 private:
  friend class Server;
  void ArmRead();
  void OnReadable(const asio::error_code& ec);
  void OnWritable(const asio::error_code& ec);
  // Parses and runs every complete command in the query buffer.
  void ProcessInput();
  void ProtocolError(const std::string& msg);
  void EnsureRoom(size_t need);
  void MaybeFree();

  Server* srv_;
  Socket sock_;
  protocol::ReplyBuffer out_;
  protocol::RequestParser parser_;
  char* qbuf_ = nullptr;
  size_t qcap_ = 0, qlen_ = 0, qpos_ = 0;
  int waits_ = 0;  // outstanding asio waits referencing this
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool in_free_list_ = false;

 public:
  // Intrusive list of all clients (creation order, as CLIENT LIST shows).
  Client* prev = nullptr;
  Client* next = nullptr;
};

}  // namespace vireo::server
