// See client.h.
#include "server/client.h"

#include "server/acl.h"
#include "server/client_info.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/pubsub.h"
#include "server/tracking.h"
#include "server/server.h"

namespace vireo::server {

Client::Client(Server* srv) : reply(&out_), srv_(srv) {
  // Why: like Redis's internal clients (AOF loading, Lua), a socket-less
  // client is trusted: no AUTH, its own id.
  id = srv->next_client_id++;
  authenticated = true;
}

Client::Client(Server* srv, net::EventLoop* loop, int sock, bool unix_socket)
    : reply(&out_), srv_(srv) {
  conn_ = std::make_unique<net::Connection>(loop, sock, this, &srv->stats.net, &argv);
  fd = sock;
  if (unix_socket) flags |= kClientUnixSocket;
}

Client::~Client() {
  // Why here and not at Close(): a closed client stays subscribed until it
  // is freed (Redis's CLOSE_ASAP), so a delivery never edits the list it
  // walks.
  srv_->pubsub().Forget(*this);
  srv_->tracking().Disable(*this);
  // A client destroyed without Close() (socket-less ones, or at shutdown)
  // still leaves the server's registries (WATCH, MONITOR, pauses).
  if (!closed_) {
    closed_ = true;
    srv_->OnClientClosed(this);
  }
}

size_t Client::argv_mem() const {
  size_t n = 0;
  for (auto a : argv) n += a.size();
  // A command held by CLIENT PAUSE or blocked on keys keeps its arguments,
  // and so do the complete arguments of a request still being read.
  if (conn_) n += conn_->pending_argv_bytes();
  return n;
}

bool Client::Start() {
  last_interaction_ms = srv_->now_ms();
  return conn_->Start();
}

void Client::Execute(const std::vector<std::string_view>& args) {
  argv = args;
  flags |= kClientExecuting;
  srv_->ProcessCommand(*this);
  flags &= ~kClientExecuting;
  argv.clear();
}

// ---------------------------------------------------------------- input

void Client::FillLimits(protocol::RequestParser::Limits* limits) {
  limits->proto_max_bulk_len = srv_->cfg().proto_max_bulk_len;
  limits->auth_required = !authenticated && acl::Get().DefaultNeedsAuth();
}

size_t Client::QueryBufferLimit() {
  return static_cast<size_t>(srv_->cfg().client_query_buffer_limit);
}

bool Client::AcceptingInput() {
  return !(flags &
           (kClientCloseAfterReply | kClientCloseAsap | kClientPendingCommand | kClientBlocked));
}

net::ConnectionHandler::Verdict Client::OnRequest(protocol::RequestParser::Limits* limits) {
  flags |= kClientExecuting;
  // Why: while our master's commands run no key counts as expired, so the
  // stream applies exactly as on the master (Redis's expireIfNeeded
  // returns "not expired" for the master client).
  bool from_master = (flags & kClientMaster) != 0;
  if (from_master) srv_->keyspace().options().applying_master = true;
  bool ran = srv_->ProcessCommand(*this);
  if (from_master) srv_->keyspace().options().applying_master = false;
  flags &= ~kClientExecuting;
  // Our master's stream: the offset moves by the bytes applied, and the
  // same bytes go to our own replicas (Redis's commandProcessed).
  if ((flags & kClientMaster) && ran && !(flags & kClientBlocked) && conn_ && srv_->replication()) {
    std::string_view raw = conn_->current_request();
    srv_->replication()->MasterCommandDone(*this, raw.data(), raw.size());
  }
  // Client eviction counts the reply just produced (Redis updates the
  // client's memory bucket after each command).
  if (srv_->cfg().maxmemory_clients != 0) srv_->UpdateClientMemory(this);
  if (!ran) {
    // CLIENT PAUSE holds this command: parse it again once unpaused.
    flags |= kClientPendingCommand;
    srv_->paused_clients.push_back(this);
    return Verdict::kHold;
  }
  // Blocked on keys: the command stays in the input and runs again when
  // served, timed out or unblocked (blocking.h).
  if (flags & kClientBlocked) return Verdict::kHold;
  // CLIENT REPLY SKIP, as Redis's resetClient: a command's end clears the
  // skip, and turns a pending SKIP (set by this command) into one, so
  // everything until the next command's end is muted.
  flags &= ~kClientReplySkip;
  if (flags & kClientReplySkipNext) flags = (flags & ~kClientReplySkipNext) | kClientReplySkip;
  // Why kClientMaster: a replica never answers its master (REPLCONF ACK
  // is written by the replication module itself).
  reply.muted = (flags & (kClientReplyOff | kClientReplySkip | kClientMaster)) != 0;
  // Why: CLIENT CACHING yes/no applies to the next command only, or to the
  // whole MULTI ... EXEC; any CLIENT subcommand keeps it (Redis's
  // resetClient compares the previous command's proc with clientCommand).
  if ((flags & kClientTrackingCaching) && !(flags & kClientMulti) &&
      !(last_cmd && last_cmd->parent && last_cmd->parent->name == "client"))
    flags &= ~kClientTrackingCaching;
  // Why: ASKING opens an importing slot to the next command only (or to a
  // whole MULTI ... EXEC), as Redis's resetClient.
  if ((flags & kClientAsking) && !(flags & kClientMulti) && !(last_cmd && last_cmd->name == "asking"))
    flags &= ~kClientAsking;
  if (closed_) return Verdict::kStop;
  EnforceOutputLimits();
  if (closed_ || !AcceptingInput()) return Verdict::kStop;
  FillLimits(limits);
  return Verdict::kContinue;
}

void Client::OnProtocolError(const std::string& msg) {
  // Why: Redis replies "-ERR Protocol error: ..." and closes after the reply.
  std::string line = err::ProtocolError(msg);
  reply.Error(line);
  srv_->CountError(line);
  flags |= kClientCloseAfterReply;
}

void Client::OnInputProcessed() {
  last_interaction_ms = srv_->now_ms();
  // Client eviction sees the query buffer after each read (Redis's
  // readQueryFromClient updates the client's memory bucket).
  if (srv_->cfg().maxmemory_clients != 0) srv_->UpdateClientMemory(this);
  // Why: Redis closes "after the reply"; with CLIENT REPLY OFF/SKIP no reply
  // is ever queued, so the connection stays open (Redis does the same).
  if (!out_.empty()) srv_->AddPendingWrite(this);
}

void Client::ResumeProcessing() {
  flags &= ~(kClientPendingCommand | kClientUnblocked);
  if (closed_ || !conn_) return;
  conn_->ResumeInput();
}

// ---------------------------------------------------------------- output

bool Client::Flush() {
  if (closed_) return false;
  flags &= ~kClientPendingWrite;
  if (!conn_) return true;  // socket-less: the caller reads out()
  if (repl && repl->owns_output()) return repl->Flush(*this);
  switch (conn_->Flush(out_)) {
    case net::Connection::FlushResult::kPending:
      return true;
    case net::Connection::FlushResult::kError:
      Close();
      return false;
    case net::Connection::FlushResult::kDone:
      break;
  }
  if (flags & kClientCloseAfterReply) {
    Close();
    return false;
  }
  return true;
}

void Client::OnWritable() {
  // Why defer with the AOF on: a reply may have been queued in this same
  // loop iteration (the socket was readable too) and must not go out
  // before the AOF holds its write; BeforeSleep writes the AOF, then the
  // clients (Redis's AE_BARRIER for appendfsync always).
  if (srv_->aof().enabled()) {
    srv_->AddPendingWrite(this);
    return;
  }
  Flush();
}

bool Client::OutputBufferLimitReached() {
  const Config& cfg = srv_->cfg();
  // Why: Redis counts only what overflows the static reply buffer, and
  // classes clients as normal or pubsub (monitors count as normal).
  const Config::ClientOutputBufferLimit& lim =
      (flags & kClientPubsub) ? cfg.cobl_pubsub : cfg.cobl_normal;
  size_t used = out_.overflow_bytes();
  bool hard = lim.hard && used >= lim.hard;
  bool soft = lim.soft && used >= lim.soft;
  if (soft) {
    if (obuf_soft_limit_reached_time == 0) {
      obuf_soft_limit_reached_time = srv_->now_ms() / 1000;
      soft = false;  // first time we see the soft limit reached
    } else if (srv_->now_ms() / 1000 - obuf_soft_limit_reached_time <= lim.soft_seconds) {
      soft = false;  // not long enough yet
    }
  } else {
    obuf_soft_limit_reached_time = 0;
  }
  return hard || soft;
}

void Client::EnforceOutputLimits() {
  if (closed_ || !conn_ || out_.overflow_bytes() == 0) return;
  if (!OutputBufferLimitReached()) return;
  Log(LogLevel::kWarning,
      "Client id=%llu addr=%s laddr=%s fd=%d name=%s scheduled to be closed ASAP for overcoming "
      "of output buffer limits.",
      static_cast<unsigned long long>(id), addr.c_str(), laddr.c_str(), fd, name.c_str());
  srv_->stats.client_outbuf_limit_disconnections++;
  Close();
}

void Client::CronResizeBuffers(bool idle) {
  if (conn_) conn_->ResizeQueryBuffer(idle);
  if (idle && out_.empty()) out_.Release();
}

// ---------------------------------------------------------------- closing

void Client::Close() {
  if (closed_) return;
  closed_ = true;
  srv_->OnClientClosed(this);
  if (conn_) {
    conn_->Close();
    fd = -1;
    srv_->ScheduleFree(this);
  }
}

void Client::OnConnectionLost(CloseReason why) {
  if (why == CloseReason::kQueryBufferLimit) {
    // Why: Redis logs the client and the first bytes, then closes without
    // a reply.
    Log(LogLevel::kWarning,
        "Closing client that reached max query buffer length: id=%llu addr=%s (qbuf initial "
        "bytes: ...)",
        static_cast<unsigned long long>(id), addr.c_str());
    srv_->stats.client_qbuf_limit_disconnections++;
  } else if (why == CloseReason::kPeerClosed && LogEnabled(LogLevel::kVerbose)) {
    Log(LogLevel::kVerbose, "Client closed connection %s", ClientInfoString(*this).c_str());
  }
  Close();
}

}  // namespace vireo::server
