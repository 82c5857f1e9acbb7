// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw]
// [KEYS k...]: moves keys to another server as DUMP payloads sent with
// RESTORE, as Redis 7.0.15's cluster.c does — synchronously (the event loop
// waits, bounded by `timeout`), over a cached connection per target
// (MIGRATE_SOCKET_CACHE_ITEMS 64, closed after 10 s unused), retrying once
// on a broken cached connection.
//
// Why blocking like Redis: MIGRATE's reply means "the target has the keys
// (and they are gone here)"; doing it asynchronously would change what a
// client sees meanwhile, and Redis users (redis-cli --cluster reshard)
// rely on the key being in exactly one place after the reply.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/clock.h"
#include "commands/common.h"
#include "commands/registry.h"
#include "persistence/rdb_save.h"

namespace vireo::commands {
namespace {

using engine::Entry;
using server::Client;

constexpr size_t kCacheItems = 64;      // MIGRATE_SOCKET_CACHE_ITEMS
constexpr int64_t kCacheTtlSec = 10;    // MIGRATE_SOCKET_CACHE_TTL

struct CachedSocket {
  int fd = -1;
  int64_t last_dbid = -1;
  int64_t last_use = 0;  // unix seconds
};

std::map<std::string, CachedSocket>& Cache() {
  static std::map<std::string, CachedSocket> cache;
  return cache;
}

// Waits for `events` on fd until deadline_ms (monotonic); false on timeout
// (errno ETIMEDOUT) or error.
bool WaitFd(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    int64_t left = deadline_ms - base::MonotonicUs() / 1000;
    if (left <= 0) {
      errno = ETIMEDOUT;
      return false;
    }
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

// connBlockingConnect: a non-blocking connect bounded by `timeout_ms`.
int Connect(const std::string& host, const std::string& port, int64_t timeout_ms) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int64_t deadline = base::MonotonicUs() / 1000 + timeout_ms;
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    if (errno == EINPROGRESS && WaitFd(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) break;
      errno = err;
    }
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

// connSyncWrite of everything; false on error or timeout.
bool SyncWrite(int fd, const std::string& buf, int64_t timeout_ms) {
  int64_t deadline = base::MonotonicUs() / 1000 + timeout_ms;
  size_t pos = 0;
  while (pos < buf.size()) {
    ssize_t n = write(fd, buf.data() + pos, buf.size() - pos);
    if (n > 0) {
      pos += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (!WaitFd(fd, POLLOUT, deadline)) return false;
  }
  return true;
}

// connSyncReadLine: one reply line without its CRLF; false on error,
// timeout or a closed connection.
bool SyncReadLine(int fd, std::string* line, int64_t timeout_ms) {
  int64_t deadline = base::MonotonicUs() / 1000 + timeout_ms;
  line->clear();
  for (;;) {
    char ch;
    ssize_t n = read(fd, &ch, 1);
    if (n == 1) {
      if (ch == '\n') {
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return true;
      }
      if (line->size() < 1024) line->push_back(ch);
      continue;
    }
    if (n == 0) {
      errno = ECONNRESET;
      return false;
    }
    if (errno != EAGAIN && errno != EINTR) return false;
    if (!WaitFd(fd, POLLIN, deadline)) return false;
  }
}

void CloseCached(const std::string& name) {
  auto& cache = Cache();
  auto it = cache.find(name);
  if (it == cache.end()) return;
  close(it->second.fd);
  cache.erase(it);
}

// migrateCloseTimedoutSockets, from the cron once the first MIGRATE ran.
void CloseTimedOut() {
  auto& cache = Cache();
  int64_t now = g_server->unixtime();
  for (auto it = cache.begin(); it != cache.end();) {
    if (now - it->second.last_use > kCacheTtlSec) {
      close(it->second.fd);
      it = cache.erase(it);
    } else {
      ++it;
    }
  }
}

CachedSocket* GetSocket(Client& c, const std::string& name, const std::string& host,
                        const std::string& port, int64_t timeout_ms) {
  static bool cron_added = false;
  if (!cron_added) {
    g_server->AddCronHook(CloseTimedOut);
    cron_added = true;
  }
  auto& cache = Cache();
  if (auto it = cache.find(name); it != cache.end()) {
    it->second.last_use = g_server->unixtime();
    return &it->second;
  }
  if (cache.size() == kCacheItems) {
    // Why any: Redis drops a random cached connection to make room.
    auto victim = cache.begin();
    std::advance(victim, static_cast<long>(static_cast<size_t>(rand()) % cache.size()));
    close(victim->second.fd);
    cache.erase(victim);
  }
  int fd = Connect(host, port, timeout_ms);
  if (fd < 0) {
    Err(c, "IOERR error or timeout connecting to the client");
    return nullptr;
  }
  CachedSocket& cs = cache[name];
  cs.fd = fd;
  cs.last_use = g_server->unixtime();
  return &cs;
}

void AppendBulk(std::string* out, std::string_view s) {
  *out += "$" + std::to_string(s.size()) + "\r\n";
  out->append(s.data(), s.size());
  *out += "\r\n";
}

void CmdMigrate(Client& c) {
  bool copy = false, replace = false;
  std::string username, password;
  bool with_password = false, with_username = false;
  size_t first_key = 3, num_keys = 1;
  for (size_t j = 6; j < c.argv.size(); j++) {
    size_t moreargs = c.argv.size() - 1 - j;
    std::string_view a = c.argv[j];
    if (base::EqNoCase(a, "copy")) {
      copy = true;
    } else if (base::EqNoCase(a, "replace")) {
      replace = true;
    } else if (base::EqNoCase(a, "auth")) {
      if (!moreargs) return ErrSyntax(c);
      password = std::string(c.argv[++j]);
      with_password = true;
      // Why: slowlog and MONITOR must not show the password (Redis's
      // redactClientCommandArgument); they read argv after the handler.
      c.argv[j] = "(redacted)";
    } else if (base::EqNoCase(a, "auth2")) {
      if (moreargs < 2) return ErrSyntax(c);
      username = std::string(c.argv[++j]);
      c.argv[j] = "(redacted)";
      password = std::string(c.argv[++j]);
      c.argv[j] = "(redacted)";
      with_password = with_username = true;
    } else if (base::EqNoCase(a, "keys")) {
      if (!c.argv[3].empty()) {
        return Err(c, "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
      }
      first_key = j + 1;
      num_keys = c.argv.size() - j - 1;
      break;
    } else {
      return ErrSyntax(c);
    }
  }
  int64_t timeout, dbid;
  if (!ParseInt(c, c.argv[5], &timeout, server::err::kNotInt) ||
      !ParseInt(c, c.argv[4], &dbid, server::err::kNotInt))
    return;
  if (timeout <= 0) timeout = 1000;

  engine::Keyspace& ks = KS();
  std::vector<std::string> keys;
  for (size_t j = 0; j < num_keys; j++) {
    if (ks.Find(c.db_index, c.argv[first_key + j])) keys.emplace_back(c.argv[first_key + j]);
  }
  if (keys.empty()) return c.reply.Simple("NOKEY");

  const std::string host(c.argv[1]), port(c.argv[2]);
  const std::string name = host + ":" + port;
  bool may_retry = true;
  for (;;) {
    bool write_error = false;
    CachedSocket* cs = GetSocket(c, name, host, port, timeout);
    if (!cs) return;
    std::string cmd;
    if (with_password) {
      cmd += with_username ? "*3\r\n" : "*2\r\n";
      AppendBulk(&cmd, "AUTH");
      if (with_username) AppendBulk(&cmd, username);
      AppendBulk(&cmd, password);
    }
    bool select = cs->last_dbid != dbid;
    if (select) {
      cmd += "*2\r\n";
      AppendBulk(&cmd, "SELECT");
      AppendBulk(&cmd, std::to_string(dbid));
    }
    // Keys may expire while large values are serialized: skip those.
    std::vector<std::string> sent;
    for (const std::string& k : keys) {
      Entry* e = ks.db(c.db_index).Find(k);
      if (!e) continue;
      int64_t ttl = 0;
      int64_t at = ks.GetExpire(c.db_index, e);
      if (at != -1) {
        ttl = at - base::UnixTimeMs();
        if (ttl < 0) continue;
        if (ttl < 1) ttl = 1;
      }
      sent.push_back(k);
      cmd += replace ? "*5\r\n" : "*4\r\n";
      AppendBulk(&cmd, g_server->cfg().cluster_enabled ? "RESTORE-ASKING" : "RESTORE");
      AppendBulk(&cmd, k);
      AppendBulk(&cmd, std::to_string(ttl));
      AppendBulk(&cmd, persistence::rdb::DumpPayload(e, g_server->cfg().rdbcompression));
      if (replace) AppendBulk(&cmd, "REPLACE");
    }
    errno = 0;
    std::string r0, r1, r2;
    bool ok = SyncWrite(cs->fd, cmd, timeout);
    if (!ok) write_error = true;
    if (ok && with_password) ok = SyncReadLine(cs->fd, &r0, timeout);
    if (ok && select) ok = SyncReadLine(cs->fd, &r1, timeout);
    if (ok) {
      bool error_from_target = false, socket_error = false;
      std::vector<std::string> deleted;
      size_t j = 0;
      for (; j < sent.size(); j++) {
        if (!SyncReadLine(cs->fd, &r2, timeout)) {
          socket_error = true;
          break;
        }
        if ((with_password && r0[0] == '-') || (select && r1[0] == '-') || r2[0] == '-') {
          if (!error_from_target) {
            cs->last_dbid = -1;
            const std::string& e = (with_password && r0[0] == '-') ? r0 : (select && r1[0] == '-') ? r1 : r2;
            error_from_target = true;
            Err(c, "ERR Target instance replied with error: " + e.substr(1));
          }
        } else if (!copy) {
          ks.Delete(c.db_index, sent[j], ks.options().lazyfree_lazy_server_del);
          deleted.push_back(sent[j]);
        }
      }
      // Why: a cached connection that broke before the first reply is
      // retried once on a fresh one (Redis's may_retry).
      if (!error_from_target && socket_error && j == 0 && may_retry && errno != ETIMEDOUT) {
        ok = false;
      } else {
        if (socket_error) CloseCached(name);
        if (!deleted.empty()) {
          std::vector<std::string_view> v{"DEL"};
          for (const std::string& k : deleted) v.emplace_back(k);
          PropagateAs(c, v);
        }
        if (!error_from_target && socket_error) {
          may_retry = false;
          ok = false;
          // The keys deleted so far are gone: no retry of the same batch.
          Err(c, "IOERR error or timeout reading to target instance");
          return;
        }
        if (!error_from_target) {
          cs->last_dbid = dbid;
          c.reply.Ok();
        }
        return;
      }
    }
    // socket_err:
    CloseCached(name);
    if (errno != ETIMEDOUT && may_retry) {
      may_retry = false;
      continue;
    }
    return Err(c, std::string("IOERR error or timeout ") + (write_error ? "writing" : "reading") +
                      " to target instance");
  }
}

}  // namespace

size_t MigrateCachedSockets() { return Cache().size(); }

void RegisterMigrateFamily(server::CommandTable& t) { t.Register("migrate", CmdMigrate); }

}  // namespace vireo::commands
