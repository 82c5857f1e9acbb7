// ACL command family (Redis 7.0.15's aclCommand): SETUSER GETUSER DELUSER
// LIST USERS WHOAMI CAT GENPASS LOG DRYRUN SAVE LOAD HELP. The users, rules
// and checks live in server/acl.h; this file parses and replies. It also
// connects the ACL to the config (the `user` directive at load, the `user`
// lines of CONFIG REWRITE).
#include <chrono>
#include <climits>
#include <random>

#include "commands/client_cmd.h"
#include "commands/common.h"
#include "server/acl.h"
#include "server/client_info.h"

namespace vireo::commands {
namespace {

namespace acl = server::acl;

void CmdAclSetuser(Client& c) {
  // Why: every argument is redacted (SLOWLOG, MONITOR) not to leak secrets.
  std::vector<std::string> rules;
  std::string name(c.argv[2]);
  for (size_t j = 3; j < c.argv.size(); j++) rules.emplace_back(c.argv[j]);
  for (size_t j = 2; j < c.argv.size(); j++) RedactArgument(c, j);
  if (acl::HasSpaces(name)) return Err(c, server::err::kAclUsernameSpaces);
  std::string err = acl::Get().SetUser(name, rules, &c);
  if (err.empty())
    c.reply.Ok();
  else
    Err(c, err);
}

void CmdAclDeluser(Client& c) {
  for (size_t j = 2; j < c.argv.size(); j++) {
    if (c.argv[j] == "default") {
      Err(c, server::err::kAclDefaultUndeletable);
      return;
    }
  }
  int64_t deleted = 0;
  for (size_t j = 2; j < c.argv.size(); j++)
    if (acl::Get().DelUser(c.argv[j], &c)) deleted++;
  c.reply.Int(deleted);
}

void ReplySelector(Client& c, const acl::Selector& s) {
  c.reply.Bulk("commands");
  c.reply.Bulk(acl::DescribeCommandRules(s));
  c.reply.Bulk("keys");
  if (s.flags & acl::kSelAllKeys) {
    c.reply.Bulk("~*");
  } else {
    std::string d;
    for (const auto& p : s.keys) d += (d.empty() ? "" : " ") + acl::PatternString(p);
    c.reply.Bulk(d);
  }
  c.reply.Bulk("channels");
  if (s.flags & acl::kSelAllChannels) {
    c.reply.Bulk("&*");
  } else {
    std::string d;
    for (const auto& ch : s.channels) d += (d.empty() ? "&" : " &") + ch;
    c.reply.Bulk(d);
  }
}

void CmdAclGetuser(Client& c) {
  acl::User* u = acl::Get().Find(c.argv[2]);
  if (!u) {
    c.reply.Null();
    return;
  }
  c.reply.MapLen(6);
  c.reply.Bulk("flags");
  static constexpr std::pair<uint32_t, const char*> kFlags[] = {
      {acl::kUserOn, "on"}, {acl::kUserOff, "off"}, {acl::kUserNopass, "nopass"},
      {acl::kUserSkipSanitize, "skip-sanitize-payload"}, {acl::kUserSanitize, "sanitize-payload"}};
  int n = 0;
  for (auto& [f, name] : kFlags) n += (u->flags & f) ? 1 : 0;
  c.reply.SetLen(n);
  for (auto& [f, name] : kFlags)
    if (u->flags & f) c.reply.Bulk(name);
  c.reply.Bulk("passwords");
  c.reply.ArrayLen(static_cast<int64_t>(u->passwords.size()));
  for (const auto& p : u->passwords) c.reply.Bulk(p);
  ReplySelector(c, u->selectors[0]);
  c.reply.Bulk("selectors");
  c.reply.ArrayLen(static_cast<int64_t>(u->selectors.size() - 1));
  for (size_t i = 1; i < u->selectors.size(); i++) {
    c.reply.MapLen(3);
    ReplySelector(c, u->selectors[i]);
  }
}

void CmdAclList(Client& c) {
  std::vector<std::string> lines = acl::Get().UserLines();
  c.reply.ArrayLen(static_cast<int64_t>(lines.size()));
  for (const auto& l : lines) c.reply.Bulk(l);
}

void CmdAclUsers(Client& c) {
  const auto& users = acl::Get().users();
  c.reply.ArrayLen(static_cast<int64_t>(users.size()));
  for (const auto& [name, u] : users) c.reply.Bulk(name);
}

void CmdAclWhoami(Client& c) {
  if (c.user)
    c.reply.Bulk(c.user->name);
  else
    c.reply.Null();
}

void CmdAclCat(Client& c) {
  if (c.argv.size() == 2) {
    const auto& names = acl::CategoryNames();
    c.reply.ArrayLen(static_cast<int64_t>(names.size()));
    for (const char* n : names) c.reply.Bulk(n);
    return;
  }
  if (c.argv.size() != 3) return ReplySubcommandSyntaxError(c);
  uint64_t flag = acl::CategoryFlag(c.argv[2]);
  if (!flag) {
    Err(c, server::err::AclUnknownCategory(c.argv[2]));
    return;
  }
  std::vector<std::string> cmds = acl::CommandsInCategory(flag);
  c.reply.ArrayLen(static_cast<int64_t>(cmds.size()));
  for (const auto& n : cmds) c.reply.Bulk(n);
}

void CmdAclGenpass(Client& c) {
  if (c.argv.size() > 3) return ReplySubcommandSyntaxError(c);
  int64_t bits = 256;
  if (c.argv.size() == 3 && !ParseInt(c, c.argv[2], &bits)) return;
  if (bits <= 0 || bits > 4096) {
    Err(c, server::err::kAclGenpassBits);
    return;
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  static std::random_device rd;
  static std::mt19937_64 rng(rd());
  std::string pass;
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < chars; i++) pass.push_back(kHex[rng() & 15]);
  c.reply.Bulk(pass);
}

void CmdAclLog(Client& c) {
  if (c.argv.size() > 3) return ReplySubcommandSyntaxError(c);
  int64_t count = 10;
  if (c.argv.size() == 3) {
    if (EqNoCase(c.argv[2], "reset")) {
      acl::Get().ResetLog();
      c.reply.Ok();
      return;
    }
    if (!ParseInt(c, c.argv[2], &count)) return;
    if (count < 0) count = 0;
  }
  const auto& log = acl::Get().log();
  if (static_cast<size_t>(count) > log.size()) count = static_cast<int64_t>(log.size());
  c.reply.ArrayLen(count);
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  static constexpr const char* kReasons[] = {"unknown", "command", "key", "auth", "channel"};
  static constexpr const char* kContexts[] = {"toplevel", "multi", "lua", "module"};
  for (int64_t i = 0; i < count; i++) {
    const acl::LogEntry& le = log[static_cast<size_t>(i)];
    c.reply.MapLen(7);
    c.reply.Bulk("count");
    c.reply.Int(static_cast<int64_t>(le.count));
    c.reply.Bulk("reason");
    c.reply.Bulk(le.reason >= 0 && le.reason <= 4 ? kReasons[le.reason] : "unknown");
    c.reply.Bulk("context");
    c.reply.Bulk(le.context >= 0 && le.context <= 3 ? kContexts[le.context] : "unknown");
    c.reply.Bulk("object");
    c.reply.Bulk(le.object);
    c.reply.Bulk("username");
    c.reply.Bulk(le.username);
    c.reply.Bulk("age-seconds");
    c.reply.Double(static_cast<double>(now - le.ctime_ms) / 1000);
    c.reply.Bulk("client-info");
    c.reply.Bulk(le.cinfo);
  }
}

void CmdAclDryrun(Client& c) {
  acl::User* u = acl::Get().Find(c.argv[2]);
  if (!u) {
    Err(c, server::err::AclUserNotFound(c.argv[2]));
    return;
  }
  std::vector<std::string_view> args(c.argv.begin() + 3, c.argv.end());
  server::Command* cmd = g_server->commands().Lookup(args);
  if (!cmd) {
    Err(c, server::err::AclCommandNotFound(args[0]));
    return;
  }
  int argc = static_cast<int>(args.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    Err(c, server::err::WrongArgs(cmd->name));
    return;
  }
  int idx = 0;
  int r = acl::CheckCommand(*u, cmd, args, &idx);
  if (r == acl::kDeniedCmd) {
    c.reply.Bulk("This user has no permissions to run the '" + cmd->name + "' command");
  } else if (r == acl::kDeniedKey) {
    c.reply.Bulk("This user has no permissions to access the '" + std::string(args[static_cast<size_t>(idx)]) +
                 "' key");
  } else if (r == acl::kDeniedChannel) {
    c.reply.Bulk("This user has no permissions to access the '" +
                 std::string(args[static_cast<size_t>(idx)]) + "' channel");
  } else {
    c.reply.Ok();
  }
}

void CmdAclSave(Client& c) {
  const std::string& file = g_server->cfg().aclfile;
  if (file.empty()) return Err(c, server::err::kAclNoFile);
  if (acl::Get().SaveFile(file))
    c.reply.Ok();
  else
    Err(c, server::err::kAclSaveFailed);
}

void CmdAclLoad(Client& c) {
  const std::string& file = g_server->cfg().aclfile;
  if (file.empty()) return Err(c, server::err::kAclNoFile);
  std::string errors = acl::Get().LoadFile(file, &c);
  if (errors.empty())
    c.reply.Ok();
  else
    Err(c, "ERR " + errors);
}

constexpr const char* kAclHelp[] = {
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    nullptr};

void CmdAclHelp(Client& c) { ReplyHelp(c, kAclHelp); }

}  // namespace

void RegisterAclFamily(server::CommandTable& t) {
  t.Register("acl|setuser", CmdAclSetuser);
  t.Register("acl|deluser", CmdAclDeluser);
  t.Register("acl|getuser", CmdAclGetuser);
  t.Register("acl|list", CmdAclList);
  t.Register("acl|users", CmdAclUsers);
  t.Register("acl|whoami", CmdAclWhoami);
  t.Register("acl|cat", CmdAclCat);
  t.Register("acl|genpass", CmdAclGenpass);
  t.Register("acl|log", CmdAclLog);
  t.Register("acl|dryrun", CmdAclDryrun);
  t.Register("acl|save", CmdAclSave);
  t.Register("acl|load", CmdAclLoad);
  t.Register("acl|help", CmdAclHelp);
  // The config side: `user` lines are checked at load and applied at
  // startup (acl::Acl::LoadAtStartup); CONFIG REWRITE writes the users.
  if (g_server) {
    g_server->config.SetUserHandler([](const std::vector<std::string>& args, std::string* err) {
      return acl::Get().AppendConfigUser(args, err);
    });
    g_server->config.SetUserLinesProvider([] { return acl::Get().UserLines(); });
  }
}

}  // namespace vireo::commands
