// SENTINEL SET, SENTINEL CONFIG GET/SET and SENTINEL DEBUG: the commands
// that change a sentinel's parameters at run time (Redis 7.0.15's
// sentinelSetCommand, sentinelConfigGetCommand / SetCommand and
// sentinelSetDebugConfigParameters). Every accepted change is persisted
// with a config flush before the reply.
#include <unistd.h>

#include "base/glob.h"
#include "base/numbers.h"
#include "commands/common.h"
#include "commands/registry.h"
#include "commands/sentinel_cmd.h"
#include "sentinel/sentinel.h"
#include "server/log.h"

namespace vireo::commands {

using sentinel::Instance;
using server::LogLevel;

namespace {

sentinel::Sentinel& S() { return *sentinel::Get(); }

int YesNo(std::string_view s) {
  if (EqNoCase(s, "yes")) return 1;
  if (EqNoCase(s, "no")) return 0;
  return -1;
}

constexpr std::string_view kScriptsDenied =
    "ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig "
    "configuration directive in your Sentinel configuration";

void Set(Client& c) {
  auto& s = S();
  Instance* ri = s.GetMaster(c.argv[2]);
  if (!ri) {
    Err(c, "ERR No such master with that name");
    return;
  }
  int changes = 0;
  size_t badarg = 0;
  std::string_view option;
  auto argc = c.argv.size();
  for (size_t j = 3; j < argc; j++) {
    size_t moreargs = argc - 1 - j;
    option = c.argv[j];
    size_t old_j = j;
    bool redacted = false;
    int64_t ll = 0;
    // Positive integers (zero allowed where `min` is 0).
    auto number = [&](int64_t min) {
      j++;
      if (!base::StringToInt64(c.argv[j], &ll) || ll < min) {
        badarg = j;
        return false;
      }
      return true;
    };
    if (EqNoCase(option, "down-after-milliseconds") && moreargs > 0) {
      if (!number(1)) break;
      ri->down_after_period = ll;
      s.PropagateDownAfterPeriod(ri);
    } else if (EqNoCase(option, "failover-timeout") && moreargs > 0) {
      if (!number(1)) break;
      ri->failover_timeout = ll;
    } else if (EqNoCase(option, "parallel-syncs") && moreargs > 0) {
      if (!number(1)) break;
      ri->parallel_syncs = static_cast<int>(ll);
    } else if ((EqNoCase(option, "notification-script") || EqNoCase(option, "client-reconfig-script")) &&
               moreargs > 0) {
      bool notif = EqNoCase(option, "notification-script");
      std::string value(c.argv[++j]);
      if (s.deny_scripts_reconfig) {
        Err(c, kScriptsDenied);
        if (changes) s.FlushConfig();
        return;
      }
      if (!value.empty() && access(value.c_str(), X_OK) == -1) {
        Err(c, notif ? "ERR Notification script seems non existing or non executable"
                     : "ERR Client reconfiguration script seems non existing or non executable");
        if (changes) s.FlushConfig();
        return;
      }
      (notif ? ri->notification_script : ri->client_reconfig_script) = value;
    } else if (EqNoCase(option, "auth-pass") && moreargs > 0) {
      std::string_view value = c.argv[++j];
      ri->auth_pass = std::string(value);
      ri->has_auth_pass = !value.empty();
      s.DropInstanceConnections(ri);
      redacted = true;
    } else if (EqNoCase(option, "auth-user") && moreargs > 0) {
      std::string_view value = c.argv[++j];
      ri->auth_user = std::string(value);
      ri->has_auth_user = !value.empty();
      s.DropInstanceConnections(ri);
    } else if (EqNoCase(option, "quorum") && moreargs > 0) {
      if (!number(1)) break;
      ri->quorum = static_cast<unsigned>(ll);
    } else if (EqNoCase(option, "rename-command") && moreargs > 1) {
      std::string_view oldname = c.argv[++j];
      std::string_view newname = c.argv[++j];
      if (oldname.empty() || newname.empty()) {
        badarg = newname.empty() ? j : j - 1;
        break;
      }
      std::string key = base::AsciiLowerCopy(oldname);
      ri->renamed_commands.erase(key);
      // Renaming a command to itself just removes the renaming.
      if (!EqNoCase(oldname, newname)) ri->renamed_commands[key] = {std::string(oldname), std::string(newname)};
    } else if (EqNoCase(option, "master-reboot-down-after-period") && moreargs > 0) {
      if (!number(0)) break;
      ri->master_reboot_down_after_period = ll;
    } else {
      Err(c, "ERR Unknown option or number of arguments for SENTINEL SET '" + std::string(option) + "'");
      if (changes) s.FlushConfig();
      return;
    }
    changes++;
    size_t numargs = j - old_j + 1;
    std::string rest = " " + std::string(c.argv[old_j]);
    if (numargs == 2) {
      rest += " " + (redacted ? std::string("******") : std::string(c.argv[old_j + 1]));
    } else if (numargs == 3) {
      rest += " " + std::string(c.argv[old_j + 1]) + " " + std::string(c.argv[old_j + 2]);
    }
    s.Event(LogLevel::kWarning, "+set", ri, true, rest);
  }
  if (badarg) {
    Err(c, "ERR Invalid argument '" + std::string(c.argv[badarg]) + "' for SENTINEL SET '" + std::string(option) +
               "'");
    if (changes) s.FlushConfig();
    return;
  }
  // Why no reply without changes: Redis replies only through the flush, so
  // `SENTINEL SET <master>` alone gets no reply at all; arity (>= 3) keeps
  // that from happening through the command table.
  if (changes) {
    if (s.FlushConfig()) c.reply.Ok();
    else Err(c, "ERR Failed to save config file. Check server logs.");
  }
}

void ConfigSet(Client& c) {
  auto& s = S();
  std::string_view o = c.argv[3], val = c.argv[4];
  bool drop_conns = false;
  auto badfmt = [&]() {
    Err(c, "ERR Invalid value '" + std::string(val) + "' to SENTINEL CONFIG SET '" + std::string(o) + "'");
  };
  int v;
  int64_t n;
  if (EqNoCase(o, "resolve-hostnames")) {
    if ((v = YesNo(val)) == -1) return badfmt();
    s.resolve_hostnames = v;
  } else if (EqNoCase(o, "announce-hostnames")) {
    if ((v = YesNo(val)) == -1) return badfmt();
    s.announce_hostnames = v;
  } else if (EqNoCase(o, "announce-ip")) {
    s.announce_ip = std::string(val);
    s.announce_ip_set = true;
  } else if (EqNoCase(o, "announce-port")) {
    if (!base::StringToInt64(val, &n) || n < 0 || n > 65535) return badfmt();
    s.announce_port = static_cast<int>(n);
  } else if (EqNoCase(o, "sentinel-user")) {
    s.sentinel_auth_user = std::string(val);
    drop_conns = true;
  } else if (EqNoCase(o, "sentinel-pass")) {
    s.sentinel_auth_pass = std::string(val);
    drop_conns = true;
  } else {
    Err(c, "ERR Invalid argument '" + std::string(o) + "' to SENTINEL CONFIG SET");
    return;
  }
  if (s.FlushConfig()) c.reply.Ok();
  else Err(c, "ERR Failed to save config file. Check server logs.");
  // New credentials: reconnect to the other sentinels with them.
  if (drop_conns) s.DropSentinelConnections();
}

void ConfigGet(Client& c) {
  auto& s = S();
  std::string_view pattern = c.argv[3];
  auto d = c.reply.BeginDeferred();
  int matches = 0;
  auto pair = [&](const char* name, const std::string& value) {
    if (!base::GlobMatch(pattern, name, true)) return;
    c.reply.Bulk(name);
    c.reply.Bulk(value);
    matches++;
  };
  pair("resolve-hostnames", s.resolve_hostnames ? "yes" : "no");
  pair("announce-hostnames", s.announce_hostnames ? "yes" : "no");
  pair("announce-ip", s.announce_ip);
  if (base::GlobMatch(pattern, "announce-port", true)) {
    c.reply.Bulk("announce-port");
    c.reply.BulkInt(s.announce_port);
    matches++;
  }
  pair("sentinel-user", s.sentinel_auth_user);
  pair("sentinel-pass", s.sentinel_auth_pass);
  c.reply.EndDeferredMap(d, matches);
}

void Config(Client& c) {
  if (c.argv.size() == 5 && EqNoCase(c.argv[2], "set")) return ConfigSet(c);
  if (c.argv.size() == 4 && EqNoCase(c.argv[2], "get")) return ConfigGet(c);
  Err(c, "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
}

struct DebugParam {
  const char* name;  // lower case, as SENTINEL DEBUG takes it
  const char* shown;
  int64_t sentinel::Periods::*field;
};
constexpr DebugParam kDebugParams[] = {
    {"info-period", "INFO-PERIOD", &sentinel::Periods::info},
    {"ping-period", "PING-PERIOD", &sentinel::Periods::ping},
    {"ask-period", "ASK-PERIOD", &sentinel::Periods::ask},
    {"publish-period", "PUBLISH-PERIOD", &sentinel::Periods::publish},
    {"default-down-after", "DEFAULT-DOWN-AFTER", &sentinel::Periods::default_down_after},
    {"default-failover-timeout", "DEFAULT-FAILOVER-TIMEOUT", &sentinel::Periods::default_failover_timeout},
    {"tilt-trigger", "TILT-TRIGGER", &sentinel::Periods::tilt_trigger},
    {"tilt-period", "TILT-PERIOD", &sentinel::Periods::tilt_period},
    {"slave-reconf-timeout", "SLAVE-RECONF-TIMEOUT", &sentinel::Periods::slave_reconf_timeout},
    {"min-link-reconnect-period", "MIN-LINK-RECONNECT-PERIOD", &sentinel::Periods::min_link_reconnect},
    {"election-timeout", "ELECTION-TIMEOUT", &sentinel::Periods::election_timeout},
    {"script-max-runtime", "SCRIPT-MAX-RUNTIME", &sentinel::Periods::script_max_runtime},
    {"script-retry-delay", "SCRIPT-RETRY-DELAY", &sentinel::Periods::script_retry_delay},
};

void Debug(Client& c) {
  auto& p = S().periods;
  if (c.argv.size() == 2) {
    c.reply.MapLen(std::size(kDebugParams));
    for (const DebugParam& d : kDebugParams) {
      c.reply.Bulk(d.shown);
      c.reply.BulkInt(p.*d.field);
    }
    return;
  }
  for (size_t j = 2; j < c.argv.size(); j++) {
    std::string_view option = c.argv[j];
    size_t moreargs = c.argv.size() - 1 - j;
    const DebugParam* found = nullptr;
    for (const DebugParam& d : kDebugParams) {
      if (EqNoCase(option, d.name)) found = &d;
    }
    if (!found || moreargs == 0) {
      Err(c, "ERR Unknown option or number of arguments for SENTINEL DEBUG '" + std::string(option) + "'");
      return;
    }
    int64_t ll;
    j++;
    if (!base::StringToInt64(c.argv[j], &ll) || ll <= 0) {
      Err(c, "ERR Invalid argument '" + std::string(c.argv[j]) + "' for SENTINEL DEBUG '" + std::string(option) + "'");
      return;
    }
    p.*found->field = ll;
  }
  c.reply.Ok();
}

}  // namespace

void RegisterSentinelSetFamily(server::CommandTable& t) {
  t.Register("sentinel|set", Set);
  t.Register("sentinel|config", Config);
  t.Register("sentinel|debug", Debug);
}

}  // namespace vireo::commands
