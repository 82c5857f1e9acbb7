// CLIENT (Redis networking.c clientCommand): LIST INFO ID SETNAME GETNAME
// KILL PAUSE UNPAUSE REPLY NO-EVICT UNBLOCK HELP.
//
// TRACKING / CACHING / GETREDIR / TRACKINGINFO are not implemented and stay
// unregistered (so they get Redis's unknown-subcommand error); CLIENT HELP
// still prints Redis's full text so clients see the same help.
//
// CLIENT REPLY SKIP mutes exactly the next command: the handler sets
// kClientReplySkipNext; Client::ProcessInput turns it into kClientReplySkip
// (muted) for the next command and clears it once that command completed,
// like Redis's resetClient.
#include "commands/client_cmd.h"

#include <climits>
#include <cstdio>

#include "commands/common.h"
#include "server/acl.h"
#include "server/client_admin.h"

namespace vireo::commands {

using server::ClientFlag;

bool SetClientNameOrReply(Client& c, std::string_view name) {
  for (char ch : name) {
    // Why: Redis checks p[j] < '!' || p[j] > '~' on a signed char, so every
    // byte outside printable ASCII (including >= 0x80) is refused.
    if (ch < '!' || ch > '~') {
      Err(c, server::err::kClientName);
      return false;
    }
  }
  c.name.assign(name);
  return true;
}

void UpdateReplyMute(Client& c) {
  // Why: Redis adds no reply to a client flagged close-after-reply
  // (prepareClientToWrite), e.g. the rest of an EXEC after CLIENT KILL of
  // itself.
  c.reply.muted = (c.flags & (server::kClientReplyOff | server::kClientReplySkip |
                              server::kClientCloseAfterReply)) != 0;
}

namespace {

using server::ClientType;

const char* const kClientHelp[] = {
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    nullptr,
};

void CmdClientHelp(Client& c) { ReplyHelp(c, kClientHelp); }

void CmdClientId(Client& c) { c.reply.Int(static_cast<int64_t>(c.id)); }

void CmdClientInfo(Client& c) {
  std::string s = ClientInfoString(c);
  s.push_back('\n');
  c.reply.Verbatim(s);
}

void CmdClientList(Client& c) {
  std::string out;
  ClientType type = ClientType::kAny;
  size_t argc = c.argv.size();
  if (argc == 4 && EqNoCase(c.argv[2], "type")) {
    type = server::ClientTypeByName(c.argv[3]);
    if (type == ClientType::kAny) {
      Err(c, server::err::UnknownClientType(c.argv[3]));
      return;
    }
  } else if (argc > 3 && EqNoCase(c.argv[2], "id")) {
    for (size_t j = 3; j < argc; j++) {
      int64_t id;
      if (!ParseInt(c, c.argv[j], &id, server::err::kInvalidClientId)) return;
      Client* cl = g_server->FindClient(static_cast<uint64_t>(id));
      if (cl) {
        out += ClientInfoString(*cl);
        out.push_back('\n');
      }
    }
    c.reply.Verbatim(out);
    return;
  } else if (argc != 2) {
    ErrSyntax(c);
    return;
  }
  for (Client* cl = g_server->clients_head(); cl; cl = cl->next) {
    if (cl->closed()) continue;
    if (type != ClientType::kAny && server::ClientTypeOf(*cl) != type) continue;
    out += ClientInfoString(*cl);
    out.push_back('\n');
  }
  c.reply.Verbatim(out);
}

void CmdClientSetname(Client& c) {
  if (SetClientNameOrReply(c, c.argv[2])) c.reply.Ok();
}

void CmdClientGetname(Client& c) {
  if (c.name.empty())
    c.reply.Null();
  else
    c.reply.Bulk(c.name);
}

void CmdClientKill(Client& c) {
  size_t argc = c.argv.size();
  server::KillFilter f;
  if (argc == 3) {
    // Old form CLIENT KILL <addr>: a client may kill itself.
    f.addr = c.argv[2];
    f.by_addr = true;
    f.skipme = false;
  } else {
    // Why: Redis reads options in pairs and answers a syntax error for an
    // unknown option or one without its value (MAXAGE is Redis 7.4's).
    for (size_t i = 2; i < argc; i += 2) {
      bool more = argc > i + 1;
      std::string_view opt = c.argv[i];
      std::string_view val = more ? c.argv[i + 1] : std::string_view();
      if (EqNoCase(opt, "id") && more) {
        int64_t v;
        if (!ParseIntRange(c, val, 1, INT64_MAX, &v, server::err::kClientIdPositive)) return;
        f.id = static_cast<uint64_t>(v);
      } else if (EqNoCase(opt, "type") && more) {
        f.type = server::ClientTypeByName(val);
        if (f.type == ClientType::kAny) {
          Err(c, server::err::UnknownClientType(val));
          return;
        }
      } else if (EqNoCase(opt, "addr") && more) {
        f.addr = val;
        f.by_addr = true;
      } else if (EqNoCase(opt, "laddr") && more) {
        f.laddr = val;
        f.by_laddr = true;
      } else if (EqNoCase(opt, "user") && more) {
        if (!server::acl::Get().Find(val)) {
          Err(c, server::err::NoSuchUser(val));
          return;
        }
        f.user = val;
        f.by_user = true;
      } else if (EqNoCase(opt, "skipme") && more) {
        if (EqNoCase(val, "yes")) {
          f.skipme = true;
        } else if (EqNoCase(val, "no")) {
          f.skipme = false;
        } else {
          ErrSyntax(c);
          return;
        }
      } else {
        ErrSyntax(c);
        return;
      }
    }
  }
  bool close_self = false;
  int64_t killed = server::KillClients(*g_server, c, f, &close_self);
  if (argc == 3) {
    if (killed == 0)
      Err(c, server::err::kNoSuchClient);
    else
      c.reply.Ok();
  } else {
    c.reply.Int(killed);
  }
  // Why: flagged only after the reply is queued, so the client gets it
  // (and nothing after it).
  if (close_self) {
    c.flags |= server::kClientCloseAfterReply;
    UpdateReplyMute(c);
  }
}

void CmdClientPause(Client& c) {
  if (c.argv.size() > 4) {
    ReplySubcommandSyntaxError(c);
    return;
  }
  bool write_only = false;
  if (c.argv.size() == 4) {
    if (EqNoCase(c.argv[3], "write")) {
      write_only = true;
    } else if (!EqNoCase(c.argv[3], "all")) {
      Err(c, server::err::kPauseMode);
      return;
    }
  }
  // Redis's getTimeoutFromObjectOrReply in milliseconds.
  int64_t ms;
  if (!ParseInt(c, c.argv[2], &ms, server::err::kTimeout)) return;
  if (ms < 0) {
    Err(c, server::err::kTimeoutNegative);
    return;
  }
  server::PauseClients(*g_server, ms, write_only);
  c.reply.Ok();
}

void CmdClientUnpause(Client& c) {
  server::UnpauseClientsByCommand(*g_server);
  c.reply.Ok();
}

void CmdClientReply(Client& c) {
  std::string_view mode = c.argv[2];
  if (EqNoCase(mode, "on")) {
    c.flags &= ~(server::kClientReplySkip | server::kClientReplyOff);
    UpdateReplyMute(c);
    c.reply.Ok();
  } else if (EqNoCase(mode, "off")) {
    c.flags |= server::kClientReplyOff;
    UpdateReplyMute(c);
  } else if (EqNoCase(mode, "skip")) {
    if (!(c.flags & server::kClientReplyOff)) c.flags |= server::kClientReplySkipNext;
  } else {
    ErrSyntax(c);
  }
}

void CmdClientNoEvict(Client& c) {
  std::string_view v = c.argv[2];
  if (EqNoCase(v, "on")) {
    c.flags |= server::kClientNoEvict;
  } else if (EqNoCase(v, "off")) {
    c.flags &= ~server::kClientNoEvict;
  } else {
    ErrSyntax(c);
    return;
  }
  c.reply.Ok();
}

void CmdClientUnblock(Client& c) {
  if (c.argv.size() > 4) {
    ReplySubcommandSyntaxError(c);
    return;
  }
  if (c.argv.size() == 4 && !EqNoCase(c.argv[3], "timeout") && !EqNoCase(c.argv[3], "error")) {
    Err(c, server::err::kUnblockReason);
    return;
  }
  int64_t id;
  if (!ParseInt(c, c.argv[2], &id)) return;
  // Why: only clients blocked on keys can be unblocked (not ones held by
  // CLIENT PAUSE); the target answers once this command has ended.
  Client* target = g_server->FindClient(static_cast<uint64_t>(id));
  bool with_error = c.argv.size() == 4 && EqNoCase(c.argv[3], "error");
  c.reply.Int(target && g_server->blocking().Unblock(*target, with_error) ? 1 : 0);
}

}  // namespace

void RegisterClientFamily(server::CommandTable& t) {
  t.Register("client|help", CmdClientHelp);
  t.Register("client|id", CmdClientId);
  t.Register("client|info", CmdClientInfo);
  t.Register("client|list", CmdClientList);
  t.Register("client|setname", CmdClientSetname);
  t.Register("client|getname", CmdClientGetname);
  t.Register("client|kill", CmdClientKill);
  t.Register("client|pause", CmdClientPause);
  t.Register("client|unpause", CmdClientUnpause);
  t.Register("client|reply", CmdClientReply);
  t.Register("client|no-evict", CmdClientNoEvict);
  t.Register("client|unblock", CmdClientUnblock);
}

}  // namespace vireo::commands
