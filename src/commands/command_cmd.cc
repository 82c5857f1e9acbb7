// The COMMAND command (Redis server.c commandCommand & co.): COMMAND, COUNT,
// INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP.
//
// Everything is a view of the runtime CommandTable: a command exists only
// when a family registered a handler for it, so COMMAND COUNT / LIST / INFO
// grow as families land. The INFO / DOCS bytes come from the generated
// metadata (CommandTable::WriteInfo / WriteDocs).
//
// GETKEYS follows Redis's getKeysFromCommandWithSpecs: key specs first
// (unless a spec has VARIABLE_FLAGS), and when a spec is invalid or
// INCOMPLETE for these arguments, the command's own getkeys function, which
// Redis has for a fixed set of commands (table below).
#include <cstdlib>
#include <string>
#include <vector>

#include "base/glob.h"
#include "commands/admin_internal.h"
#include "server/command_keys.h"
#include "server/command_meta.h"

namespace vireo::commands {
namespace {

using server::Command;
using server::KeySpecMeta;

using Args = std::vector<std::string_view>;
using server::GetCommandKeys;
using server::HasGetKeysProc;
using server::HasKeySpec;
using server::KeyRef;

void ReplyKeyFlags(Client& c, uint32_t flags) {
  static const char* const kNames[] = {"RO",     "RW",     "OW",     "RM",
                                       "access", "update", "insert", "delete",
                                       "not_key", "incomplete", "variable_flags"};
  int n = 0;
  for (int b = 0; b < 11; b++)
    if (flags & (1u << b)) n++;
  c.reply.SetLen(n);
  for (int b = 0; b < 11; b++)
    if (flags & (1u << b)) c.reply.Simple(kNames[b]);
}

void GetKeysCommon(Client& c, bool with_flags) {
  Args argv(c.argv.begin() + 2, c.argv.end());
  // Like Redis's lookupCommand: "CONFIG GET" finds the subcommand.
  const Command* cmd = g_server->commands().Lookup(argv);
  if (!cmd) {
    Err(c, server::err::kInvalidCommand);
    return;
  }
  if (!(HasGetKeysProc(cmd) || HasKeySpec(cmd))) {
    Err(c, server::err::kNoKeyArguments);
    return;
  }
  int argc = static_cast<int>(argv.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    Err(c, server::err::kInvalidArgCount);
    return;
  }
  std::vector<KeyRef> keys;
  if (!GetCommandKeys(cmd, argv, &keys)) {
    if (cmd->has(server::kCmdNoMandatoryKeys))
      c.reply.EmptyArray();
    else
      Err(c, server::err::kInvalidArgs);
    return;
  }
  c.reply.ArrayLen(static_cast<int64_t>(keys.size()));
  for (const KeyRef& k : keys) {
    if (with_flags) {
      c.reply.ArrayLen(2);
      c.reply.Bulk(argv[static_cast<size_t>(k.pos)]);
      ReplyKeyFlags(c, k.flags);
    } else {
      c.reply.Bulk(argv[static_cast<size_t>(k.pos)]);
    }
  }
}

// ---------------------------------------------------------------------------
// Handlers

void ReplyAllInfo(Client& c) {
  const auto& all = g_server->commands().all();
  c.reply.ArrayLen(static_cast<int64_t>(all.size()));
  for (const Command* cmd : all) server::CommandTable::WriteInfo(c, cmd);
}

// COMMAND
void CmdCommand(Client& c) { ReplyAllInfo(c); }

void CmdCommandCount(Client& c) {
  c.reply.Int(static_cast<int64_t>(g_server->commands().all().size()));
}

void CmdCommandInfo(Client& c) {
  if (c.argv.size() == 2) {
    ReplyAllInfo(c);
    return;
  }
  c.reply.ArrayLen(static_cast<int64_t>(c.argv.size() - 2));
  for (size_t i = 2; i < c.argv.size(); i++) {
    const Command* cmd = g_server->commands().FindByFullName(c.argv[i]);
    // Why: Redis replies a null *bulk* ($-1 in RESP2) for unknown names.
    if (cmd)
      server::CommandTable::WriteInfo(c, cmd);
    else
      c.reply.Null();
  }
}

void CmdCommandDocs(Client& c) {
  if (c.argv.size() == 2) {
    const auto& all = g_server->commands().all();
    c.reply.MapLen(static_cast<int64_t>(all.size()));
    for (const Command* cmd : all) {
      c.reply.Bulk(cmd->name);
      server::CommandTable::WriteDocs(c, cmd);
    }
    return;
  }
  // Unknown names are skipped; duplicates are answered twice.
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  for (size_t i = 2; i < c.argv.size(); i++) {
    const Command* cmd = g_server->commands().FindByFullName(c.argv[i]);
    if (!cmd) continue;
    c.reply.Bulk(cmd->name);
    server::CommandTable::WriteDocs(c, cmd);
    n++;
  }
  c.reply.EndDeferredMap(d, n);
}

enum class ListFilter { kNone, kModule, kAclCat, kPattern };

// ACL category names, in the bit order of server::AclCategory.
constexpr const char* kAclCategoryNames[] = {
    "keyspace", "read",   "write",    "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",    "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting"};

bool ListMatches(const Command* cmd, ListFilter type, std::string_view arg, uint64_t aclcat) {
  switch (type) {
    case ListFilter::kNone: return true;
    case ListFilter::kModule: return false;  // no modules
    case ListFilter::kAclCat: return aclcat != 0 && (cmd->acl & aclcat);
    case ListFilter::kPattern: return base::GlobMatch(arg, cmd->name, true);
  }
  return false;
}

void CmdCommandList(Client& c) {
  ListFilter type = ListFilter::kNone;
  std::string_view arg;
  for (size_t i = 2; i < c.argv.size(); i++) {
    size_t moreargs = c.argv.size() - 1 - i;
    if (EqNoCase(c.argv[i], "filterby") && moreargs == 2) {
      std::string_view ft = c.argv[i + 1];
      if (EqNoCase(ft, "module")) {
        type = ListFilter::kModule;
      } else if (EqNoCase(ft, "aclcat")) {
        type = ListFilter::kAclCat;
      } else if (EqNoCase(ft, "pattern")) {
        type = ListFilter::kPattern;
      } else {
        ErrSyntax(c);
        return;
      }
      arg = c.argv[i + 2];
      i += 2;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  uint64_t aclcat = 0;
  if (type == ListFilter::kAclCat) {
    for (size_t b = 0; b < sizeof(kAclCategoryNames) / sizeof(kAclCategoryNames[0]); b++)
      if (EqNoCase(arg, kAclCategoryNames[b])) aclcat = 1ull << b;
  }
  auto d = c.reply.BeginDeferred();
  int64_t n = 0;
  for (const Command* cmd : g_server->commands().all()) {
    if (ListMatches(cmd, type, arg, aclcat)) {
      c.reply.Bulk(cmd->name);
      n++;
    }
    for (const Command* sub : cmd->subcommands) {
      if (ListMatches(sub, type, arg, aclcat)) {
        c.reply.Bulk(sub->name);
        n++;
      }
    }
  }
  c.reply.EndDeferredArray(d, n);
}

void CmdCommandGetKeys(Client& c) { GetKeysCommon(c, false); }
void CmdCommandGetKeysAndFlags(Client& c) { GetKeysCommon(c, true); }

void CmdCommandHelp(Client& c) {
  static const char* const kHelp[] = {
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      nullptr};
  ReplyHelp(c, kHelp);
}

}  // namespace

void RegisterCommandCommand(server::CommandTable& t) {
  t.Register("command", CmdCommand);
  t.Register("command|count", CmdCommandCount);
  t.Register("command|info", CmdCommandInfo);
  t.Register("command|docs", CmdCommandDocs);
  t.Register("command|list", CmdCommandList);
  t.Register("command|getkeys", CmdCommandGetKeys);
  t.Register("command|getkeysandflags", CmdCommandGetKeysAndFlags);
  t.Register("command|help", CmdCommandHelp);
}

}  // namespace vireo::commands
