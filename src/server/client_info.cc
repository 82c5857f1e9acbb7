// See client_info.h.
#include "server/client_info.h"

#include <cstdio>

#include "server/acl.h"
#include "server/command.h"
#include "server/pubsub.h"
#include "server/tracking.h"
#include "server/server.h"

namespace vireo::server {

namespace {

size_t MultiMem(const Client& cl) {
  // Redis's mstate.argv_len_sums: argument bytes plus one robj* per argument.
  size_t n = 0;
  for (const auto& q : cl.mstate) {
    for (const auto& a : q.argv) n += a.size();
    n += sizeof(void*) * q.argv.size();
  }
  return n;
}

}  // namespace

size_t ClientMemoryUsage(Client& cl) {
  size_t mem = sizeof(Client);
  mem += cl.qbuf_cap();
  mem += cl.out().allocated();
  mem += cl.argv_mem() + sizeof(void*) * cl.argv.size();
  mem += MultiMem(cl) + sizeof(QueuedCommand) * cl.mstate.capacity();
  for (const auto& w : cl.watched) mem += sizeof(WatchedKey) + w->key.size();
  mem += cl.server()->pubsub().MemoryOverhead(cl);
  // Why: Redis counts the BCAST prefixes too (client eviction must see a
  // client that registers prefixes without end): here a set node each.
  if (cl.tracking) {
    for (const std::string& p : cl.tracking->prefixes)
      mem += 4 * sizeof(void*) + sizeof(std::string) + (p.capacity() > 15 ? p.capacity() + 1 : 0);
  }
  mem += cl.name.capacity() > 15 ? cl.name.capacity() + 1 : 0;
  return mem;
}

std::string ClientInfoString(Client& cl) {
  char flags[24];
  char* p = flags;
  if (cl.flags & kClientMonitor) *p++ = 'O';
  if (cl.flags & kClientSlave) *p++ = 'S';
  if (cl.flags & kClientMaster) *p++ = 'M';
  if (cl.flags & kClientPubsub) *p++ = 'P';
  if (cl.flags & kClientMulti) *p++ = 'x';
  // Why: a command held by CLIENT PAUSE blocks its client in Redis too;
  // once released it is "unblocked" (u) until it runs again.
  if ((cl.flags & kClientBlocked) ||
      (cl.flags & (kClientPendingCommand | kClientUnblocked)) == kClientPendingCommand)
    *p++ = 'b';
  if (cl.flags & kClientTracking) *p++ = 't';
  if (cl.flags & kClientTrackingBrokenRedir) *p++ = 'R';
  if (cl.flags & kClientTrackingBcast) *p++ = 'B';
  if (cl.flags & kClientDirtyCas) *p++ = 'd';
  if (cl.flags & kClientCloseAfterReply) *p++ = 'c';
  if (cl.flags & kClientUnblocked) *p++ = 'u';
  if (cl.flags & kClientCloseAsap) *p++ = 'A';
  if (cl.flags & kClientUnixSocket) *p++ = 'U';
  if (cl.flags & kClientReadonly) *p++ = 'r';
  if (cl.flags & kClientNoEvict) *p++ = 'e';
  if (p == flags) *p++ = 'N';
  *p = '\0';

  // Why: the running client is registered for reads in Redis while its
  // command executes; our read wait is re-armed only after the batch.
  std::string events = cl.EventsString();
  if ((cl.flags & kClientExecuting) && events.find('r') == std::string::npos &&
      !(cl.flags & kClientCloseAfterReply))
    events.insert(events.begin(), 'r');

  protocol::ReplyBuffer& out = cl.out();
  size_t pending = out.pending();
  size_t obl = pending < protocol::ReplyBuffer::kChunkSize ? pending : protocol::ReplyBuffer::kChunkSize;
  size_t oll = out.chunk_count() > 1 ? out.chunk_count() - 1 : 0;
  size_t rbs = out.chunk_count() ? protocol::ReplyBuffer::kChunkSize : 0;
  int64_t now_s = cl.server()->unixtime();
  int64_t age = now_s - cl.ctime_ms / 1000;
  int64_t idle = now_s - cl.last_interaction_ms / 1000;
  int multi = (cl.flags & kClientMulti) ? static_cast<int>(cl.mstate.size()) : -1;

  char buf[512];
  snprintf(buf, sizeof(buf),
           "id=%llu addr=%s laddr=%s fd=%d name=", static_cast<unsigned long long>(cl.id),
           cl.addr.c_str(), cl.laddr.c_str(), cl.fd);
  std::string s = buf;
  s += cl.name;
  snprintf(buf, sizeof(buf),
           " age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu ssub=%zu multi=%d qbuf=%zu qbuf-free=%zu "
           "argv-mem=%zu multi-mem=%zu rbs=%zu rbp=%zu obl=%zu oll=%zu omem=%zu tot-mem=%zu "
           "events=%s cmd=%s user=%s redir=%lld resp=%d",
           static_cast<long long>(age), static_cast<long long>(idle), flags, cl.db_index,
           cl.pubsub ? cl.pubsub->channels.size() : 0, cl.pubsub ? cl.pubsub->patterns.size() : 0,
           cl.pubsub ? cl.pubsub->shard_channels.size() : 0, multi,
           cl.qbuf_len(), cl.qbuf_free(), cl.argv_mem(), MultiMem(cl), rbs, pending, obl, oll,
           cl.output_memory(), ClientMemoryUsage(cl), events.c_str(),
           cl.last_cmd ? cl.last_cmd->name.c_str() : "NULL",
           cl.user ? cl.user->name.c_str() : "(superuser)",
           (cl.flags & kClientTracking) && cl.tracking
               ? static_cast<long long>(cl.tracking->redirect)
               : -1LL,
           cl.resp());
  s += buf;
  return s;
}


}  // namespace vireo::server
