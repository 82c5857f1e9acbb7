// Connection commands (Redis server.c / networking.c / acl.c / db.c):
// PING ECHO QUIT HELLO AUTH SELECT RESET.
//
// Authentication goes through the ACL users (server/acl.h); requirepass is
// the default user's password.
#include <climits>

#include "commands/client_cmd.h"
#include "commands/common.h"
#include "server/acl.h"
#include "vireo/version.h"

namespace vireo::commands {
namespace {

void CmdPing(Client& c) {
  // Why: PING's arity is -1 but Redis rejects more than one argument
  // itself, with the generic arity message.
  if (c.argv.size() > 2) {
    Err(c, server::err::WrongArgs("ping"));
    return;
  }
  // Why: a RESP2 client in subscribed mode gets ["pong", message], since it
  // can only read push-shaped arrays there.
  if ((c.flags & server::kClientPubsub) && c.resp() == 2) {
    c.reply.ArrayLen(2);
    c.reply.Bulk("pong");
    c.reply.Bulk(c.argv.size() == 1 ? std::string_view() : c.argv[1]);
    return;
  }
  if (c.argv.size() == 1)
    c.reply.Simple("PONG");
  else
    c.reply.Bulk(c.argv[1]);
}

void CmdEcho(Client& c) { c.reply.Bulk(c.argv[1]); }

// Normally never reached: Server::ProcessCommand answers QUIT before the
// lookup, as Redis 7.0 does. Registered so the command table lists it.
void CmdQuit(Client& c) {
  c.reply.Ok();
  c.flags |= server::kClientCloseAfterReply;
}

// Redis's ACLAuthenticateUser (a failure goes to the ACL LOG).
bool AuthenticateUser(Client& c, std::string_view user, std::string_view pass) {
  return server::acl::Get().Authenticate(c, user, pass);
}

void CmdAuth(Client& c) {
  if (c.argv.size() > 3) {
    ErrSyntax(c);
    return;
  }
  std::string_view user = "default", pass;
  // The views stay valid: redaction only repoints argv.
  std::string_view a1 = c.argv[1], a2 = c.argv.size() == 3 ? c.argv[2] : std::string_view();
  RedactArgument(c, 1);
  if (c.argv.size() == 3) RedactArgument(c, 2);
  if (c.argv.size() == 2) {
    // Why: Redis keeps the pre-ACL error for the one-argument form when the
    // default user has no password.
    if (server::acl::Get().default_user()->flags & server::acl::kUserNopass) {
      Err(c, server::err::kAuthNoPassword);
      return;
    }
    pass = a1;
  } else {
    user = a1;
    pass = a2;
  }
  if (AuthenticateUser(c, user, pass))
    c.reply.Ok();
  else
    Err(c, server::err::kWrongPass);
}

void CmdHello(Client& c) {
  int64_t ver = 0;
  size_t next = 1;
  if (c.argv.size() >= 2) {
    if (!ParseInt(c, c.argv[next++], &ver,
                  server::err::kProtoVersion))
      return;
    if (ver < 2 || ver > 3) {
      Err(c, server::err::kNoProto);
      return;
    }
  }
  // Why: Redis applies AUTH and SETNAME as it parses, so a later bad option
  // still leaves the client authenticated / named, and SETNAME works even
  // when the NOAUTH error follows.
  for (size_t j = next; j < c.argv.size(); j++) {
    size_t more = c.argv.size() - 1 - j;
    std::string_view opt = c.argv[j];
    if (EqNoCase(opt, "AUTH") && more >= 2) {
      std::string_view user = c.argv[j + 1], pass = c.argv[j + 2];
      RedactArgument(c, j + 1);
      RedactArgument(c, j + 2);
      if (!AuthenticateUser(c, user, pass)) {
        Err(c, server::err::kWrongPass);
        return;
      }
      j += 2;
    } else if (EqNoCase(opt, "SETNAME") && more >= 1) {
      if (!SetClientNameOrReply(c, c.argv[j + 1])) return;
      j++;
    } else {
      Err(c, server::err::HelloSyntax(opt));
      return;
    }
  }
  if (!c.authenticated) {
    Err(c, server::err::kHelloNoAuth);
    return;
  }
  if (ver) c.reply.resp = static_cast<int>(ver);
  c.reply.MapLen(7);
  c.reply.Bulk("server");
  c.reply.Bulk("redis");
  c.reply.Bulk("version");
  c.reply.Bulk(VIREO_REDIS_VERSION);
  c.reply.Bulk("proto");
  c.reply.Int(c.resp());
  c.reply.Bulk("id");
  c.reply.Int(static_cast<int64_t>(c.id));
  c.reply.Bulk("mode");
  c.reply.Bulk(g_server->sentinel_mode ? "sentinel" : "standalone");
  c.reply.Bulk("role");
  c.reply.Bulk(g_server->replication() && g_server->replication()->is_replica() ? "replica" : "master");
  c.reply.Bulk("modules");
  c.reply.EmptyArray();
}

void CmdSelect(Client& c) {
  // Why: Redis's getIntFromObjectOrReply has two messages: not a number at
  // all, or a long long outside the int range.
  int64_t id;
  if (!ParseInt(c, c.argv[1], &id)) return;
  if (id < INT_MIN || id > INT_MAX) {
    Err(c, server::err::kIntRange);
    return;
  }
  if (g_server->cfg().cluster_enabled && id != 0) {
    Err(c, server::err::kSelectInCluster);
    return;
  }
  if (id < 0 || id >= g_server->num_dbs()) {
    Err(c, server::err::kDbIndex);
    return;
  }
  c.db_index = static_cast<int>(id);
  c.reply.Ok();
}

// Redis 7.0's resetCommand / clearClientConnectionState.
void CmdReset(Client& c) {
  if (c.flags & server::kClientMonitor) {
    auto& m = g_server->monitors;
    for (size_t i = 0; i < m.size(); i++) {
      if (m[i] == &c) {
        m.erase(m.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    c.flags &= ~server::kClientMonitor;
  }
  c.db_index = 0;
  c.reply.resp = 2;
  // Back to the default user: authenticated only when it needs no password.
  server::acl::Get().AttachDefault(c);
  c.mstate.clear();
  c.flags &= ~(server::kClientMulti | server::kClientDirtyCas | server::kClientDirtyExec);
  g_server->watches().UnwatchAll(c);
  c.name.clear();
  // Why: RESET leaves subscribed mode without confirmations
  // (clearClientConnectionState unsubscribes with notify off).
  g_server->pubsub().Forget(c);
  g_server->tracking().Disable(c);
  // Why: Redis 7.0.15 clears these flags only; NO-EVICT survives RESET, and
  // a CLIENT REPLY SKIP that targets RESET itself still mutes its reply.
  c.flags &= ~(server::kClientPubsub | server::kClientReplyOff | server::kClientReplySkipNext);
  UpdateReplyMute(c);
  c.reply.Simple("RESET");
}

}  // namespace

void RegisterConnectionFamily(server::CommandTable& t) {
  t.Register("ping", CmdPing);
  t.Register("echo", CmdEcho);
  t.Register("quit", CmdQuit);
  t.Register("hello", CmdHello);
  t.Register("auth", CmdAuth);
  t.Register("select", CmdSelect);
  t.Register("reset", CmdReset);
}

}  // namespace vireo::commands
