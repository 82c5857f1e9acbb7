// CONFIG (Redis config.c configCommand): GET SET RESETSTAT REWRITE HELP, on
// top of server::ConfigManager, plus RegisterConfigHooks(): the apply
// functions that make a CONFIG SET take effect at run time for the
// directives whose value is not simply read where it is used.
#include "commands/config_cmd.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "commands/client_cmd.h"
#include "commands/common.h"
#include "server/acl.h"
#include "server/latency_histogram.h"
#include "server/log.h"

namespace vireo::commands {
namespace {

const char* const kConfigHelp[] = {
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    nullptr,
};

bool IsLocalClient(const Client& c) {
  return (c.flags & server::kClientUnixSocket) || c.addr.rfind("127.", 0) == 0 ||
         c.addr.rfind("::1:", 0) == 0 || c.addr.rfind("[::1]:", 0) == 0;
}

void CmdConfigHelp(Client& c) { ReplyHelp(c, kConfigHelp); }

void CmdConfigGet(Client& c) {
  std::vector<std::string_view> patterns(c.argv.begin() + 2, c.argv.end());
  auto pairs = g_server->config.Get(patterns);
  c.reply.MapLen(static_cast<int64_t>(pairs.size()));
  for (const auto& [name, value] : pairs) {
    c.reply.Bulk(name);
    c.reply.Bulk(value);
  }
}

void CmdConfigSet(Client& c) {
  // Why: an odd number of name/value arguments is Redis's "syntax error"
  // (the arity check only guarantees one pair).
  if ((c.argv.size() - 2) % 2 != 0) {
    ErrSyntax(c);
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < c.argv.size(); i += 2) pairs.emplace_back(c.argv[i], c.argv[i + 1]);
  std::string err;
  bool ok = g_server->config.Set(pairs, &err, IsLocalClient(c));
  // Why: Redis redacts the value of every sensitive config (requirepass,
  // masterauth...) from SLOWLOG and MONITOR, whether or not the SET worked.
  for (size_t i = 2; i + 1 < c.argv.size(); i += 2)
    if (g_server->config.IsSensitive(c.argv[i])) RedactArgument(c, i + 1);
  if (!ok) {
    Err(c, err);
    return;
  }
  c.reply.Ok();
}

void CmdConfigResetstat(Client& c) {
  g_server->ResetStats();
  ResetCommandLatencyHistograms();
  c.reply.Ok();
}

void CmdConfigRewrite(Client& c) {
  std::string err;
  if (!g_server->config.Rewrite(&err)) {
    if (!g_server->config.config_file().empty())
      server::Log(server::LogLevel::kWarning, "CONFIG-REWRITE failed: %s", err.c_str());
    Err(c, err);
    return;
  }
  server::Log(server::LogLevel::kWarning, "CONFIG REWRITE executed with success.");
  c.reply.Ok();
}

// Redis's adjustOpenFilesLimit for a raised maxclients: the process needs
// maxclients + 32 descriptors (CONFIG_MIN_RESERVED_FDS).
bool ApplyMaxclients(std::string* err) {
  server::Config& cfg = g_server->cfg();
  rlim_t want = static_cast<rlim_t>(cfg.maxclients) + 32;
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == -1) return true;
  if (lim.rlim_cur >= want) return true;
  rlimit nl = lim;
  nl.rlim_cur = want;
  if (nl.rlim_max < want) nl.rlim_max = want;  // works for root only
  if (setrlimit(RLIMIT_NOFILE, &nl) == 0) return true;
  nl.rlim_max = lim.rlim_max;
  nl.rlim_cur = lim.rlim_max;
  if (lim.rlim_max >= want && setrlimit(RLIMIT_NOFILE, &nl) == 0) return true;
  rlim_t best = lim.rlim_max > lim.rlim_cur ? lim.rlim_max : lim.rlim_cur;
  if (best > lim.rlim_cur) {
    nl.rlim_cur = best;
    if (setrlimit(RLIMIT_NOFILE, &nl) != 0) best = lim.rlim_cur;
  }
  long long possible = static_cast<long long>(best) - 32;
  if (possible < 1) possible = 1;
  cfg.maxclients = static_cast<int>(possible);
  *err = "The operating system is not able to handle the specified number of clients, try with " +
         std::to_string(possible);
  return false;
}

}  // namespace

void RegisterConfigHooks(server::Server& s) {
  server::ConfigManager& m = s.config;
  m.OnChange("loglevel", [](std::string*) {
    server::SetLogLevel(g_server->cfg().loglevel);
    return true;
  });
  m.OnChange("maxclients", ApplyMaxclients);
  m.OnChange("slowlog-max-len", [](std::string*) {
    auto& log = g_server->slowlog;
    while (log.size() > g_server->cfg().slowlog_max_len) log.pop_back();
    return true;
  });
  // Why: requirepass is the default user's password (Redis's
  // ACLUpdateDefaultUserPassword); clearing it makes the user nopass, so
  // no connection needs AUTH any more (dispatch asks the ACL).
  m.OnChange("requirepass", [](std::string*) {
    server::acl::Get().SetDefaultPassword(g_server->cfg().requirepass);
    return true;
  });
}

void RegisterConfigFamily(server::CommandTable& t) {
  t.Register("config|help", CmdConfigHelp);
  t.Register("config|get", CmdConfigGet);
  t.Register("config|set", CmdConfigSet);
  t.Register("config|resetstat", CmdConfigResetstat);
  t.Register("config|rewrite", CmdConfigRewrite);
  // The command table is built from Server::Init, with g_server set; the
  // hooks are registered once per server.
  static server::Server* hooked = nullptr;
  if (g_server && hooked != g_server) {
    hooked = g_server;
    RegisterConfigHooks(*g_server);
  }
}

}  // namespace vireo::commands
