// Connection: one client socket — its query buffer, the request parser, and
// the flushing of replies — and nothing of what the requests mean.
//
// Why apart from the Client (server/client.h): Lua scripts, AOF loading, the
// replication link and the cluster all run commands through clients that
// have no socket; the Client holds the command state, the Connection the
// bytes. The server gives a Connection to a Client only for real sockets.
//
// I/O model (see event_loop.h for why our own reactor): the socket is
// registered once, level-triggered, for readability. Each readiness event
// reads once (up to 16 KB, or the rest of a big bulk argument straight into
// place) and processes every complete request; replies are written by the
// server once per loop iteration with one writev (Flush). Only when the
// kernel does not take everything is writability watched, until the reply
// is out. A query buffer is needed only while bytes are in it: the cron
// gives idle buffers back and trims oversized ones as Redis does.
//
// The owner (ConnectionHandler) receives each parsed request and decides
// whether parsing goes on. Close() unregisters and closes the socket at
// once; the owner frees the connection later (never inside a callback).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.h"
#include "protocol/parser.h"
#include "protocol/reply_buffer.h"

namespace vireo::net {

// Byte and call counters shared by all connections (INFO stats).
struct NetStats {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t reads_processed = 0;
  uint64_t writes_processed = 0;
};

// What a connection asks of its owner.
class ConnectionHandler {
 public:
  enum class Verdict {
    kContinue,  // the request was handled; parse the next one
    kHold,      // not executed now (CLIENT PAUSE): keep it, stop parsing
    kStop,      // handled, but no more input now (closing, close-after-reply)
  };
  enum class CloseReason { kPeerClosed, kError, kQueryBufferLimit };

  virtual ~ConnectionHandler() = default;
  // Limits for parsing the next request (they depend on authentication).
  virtual void FillLimits(protocol::RequestParser::Limits* limits) = 0;
  // client-query-buffer-limit now (asked once per read: CONFIG SET may
  // change it at any time).
  virtual size_t QueryBufferLimit() = 0;
  // Whether the owner accepts input now (false: stop before parsing more).
  // Asked once per batch of input; within a batch OnRequest's verdict says.
  virtual bool AcceptingInput() = 0;
  // One complete request, parsed into the argv vector given at
  // construction (views valid during the call only). The owner also
  // refreshes `limits` for the next request (saves a call per request).
  virtual Verdict OnRequest(protocol::RequestParser::Limits* limits) = 0;
  // A malformed request: the owner replies and closes after the reply.
  virtual void OnProtocolError(const std::string& msg) = 0;
  // The input at hand was processed (replies may be pending).
  virtual void OnInputProcessed() = 0;
  // The socket became writable after a partial write.
  virtual void OnWritable() = 0;
  // The connection failed or the peer left: the owner closes.
  virtual void OnConnectionLost(CloseReason why) = 0;
};

class Connection final : public EventLoop::Handler {
 public:
  // Takes ownership of the (non-blocking) socket `fd`. Requests are parsed
  // into *argv (the owner's argument vector; cleared after each request).
  Connection(EventLoop* loop, int fd, ConnectionHandler* handler, NetStats* stats,
             std::vector<std::string_view>* argv);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  // Starts reading; false (errno set) when the socket cannot be watched.
  bool Start();

  enum class FlushResult { kDone, kPending, kError };
  // Writes as much of `out` as the kernel takes (one writev per 64 chunks);
  // kPending watches writability, which calls OnWritable.
  FlushResult Flush(protocol::ReplyBuffer& out);
  // One writev of the owner's own iovecs (a replica's shared stream, an
  // RDB transfer): the bytes written, 0 when the kernel took nothing (then
  // writability is watched), -1 on a socket error.
  ssize_t WriteIov(const struct iovec* iov, int cnt);
  // Writability is no longer needed (the owner wrote everything).
  void StopWatchingWritable();
  // Watches writability so that OnWritable comes (an owner that writes
  // from its own buffers when the socket can take them).
  void WatchWritable();
  // The raw bytes of the request being handled (valid inside OnRequest):
  // a replica proxies its master's stream byte for byte.
  std::string_view current_request() const { return {qbuf_ + qpos_, cur_len_}; }
  // Unregisters and closes the socket now.
  void Close();
  bool closed() const { return closed_; }
  // Parses and hands over the buffered requests again (after CLIENT PAUSE).
  void ResumeInput();

  // Query buffer accounting (CLIENT LIST qbuf / qbuf-free, INFO).
  // Why: Redis has already moved a held (paused or blocked) command out of
  // its query buffer into argv, so qbuf leaves it out and argv-mem counts it.
  // The same for the complete arguments of a request still being read.
  size_t qbuf_len() const {
    return parser_.in_multibulk() ? qlen_ - parser_.scan_pos() : qlen_ - qpos_ - held_len_;
  }
  size_t pending_argv_bytes() const {
    return parser_.in_multibulk() ? parser_.partial_arg_bytes() : held_argv_bytes_;
  }
  size_t qbuf_free() const { return qcap_ - qlen_; }
  size_t qbuf_cap() const { return qcap_; }
  size_t qbuf_peak() const { return qpeak_; }
  // Cron: gives an idle client's buffer back (Redis's idle query buffer
  // release), or trims a buffer much larger than its recent peak; then
  // restarts the peak measurement (Redis's clientsCronResizeQueryBuffer).
  void ResizeQueryBuffer(bool idle);
  // "r", "w", "rw" or "" (CLIENT LIST events).
  const char* EventsString() const;

  void OnEvents(uint32_t events) override;

 private:
  void ReadFromSocket();
  void ProcessInput();
  void EnsureRoom(size_t need);
  // Room the next read needs (a big bulk argument is read into place).
  size_t ReadWant() const;

  EventLoop* loop_;
  int fd_;
  ConnectionHandler* handler_;
  NetStats* stats_;
  protocol::RequestParser parser_;
  std::vector<std::string_view>* argv_;
  char* qbuf_ = nullptr;
  size_t qcap_ = 0, qlen_ = 0, qpos_ = 0;
  size_t qpeak_ = 0;
  bool writing_ = false;  // writability is watched
  bool closed_ = false;
  bool held_ = false;     // a request is held (kHold)
  size_t held_len_ = 0;         // its bytes in the buffer
  size_t held_argv_bytes_ = 0;  // its arguments' bytes
  size_t cur_len_ = 0;          // bytes of the request being handled
};

}  // namespace vireo::net
