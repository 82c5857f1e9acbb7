// Sentinel configuration: the `sentinel ...` directives of the config file,
// the lines CONFIG REWRITE writes for the sentinel state, and the flush
// that persists the state after every change (Redis's
// sentinelHandleConfiguration, rewriteConfigSentinelOption and
// sentinelFlushConfig).
//
// Why queued: like Redis 7.0, directives are applied after the whole file
// is read, in three passes (the global ones such as myid and
// current-epoch, then every `monitor`, then the per-master ones), so a
// rewritten file whose lines come in any order loads the same state.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/ascii.h"
#include "base/numbers.h"
#include "base/split_args.h"
#include "sentinel/sentinel.h"
#include "server/log.h"
#include "vireo/version.h"

namespace vireo::sentinel {

using server::Log;
using server::LogLevel;

namespace {

// Why: Redis applies these before any `monitor` line (preMonitorCfgName).
bool IsPreMonitor(std::string_view name) {
  static const char* const kNames[] = {"announce-ip",   "announce-port", "deny-scripts-reconfig",
                                       "sentinel-user", "sentinel-pass", "current-epoch",
                                       "myid",          "resolve-hostnames", "announce-hostnames"};
  for (const char* n : kNames) {
    if (base::EqNoCase(name, n)) return true;
  }
  return false;
}

// Redis's yesnotoi.
int YesNo(const std::string& s) {
  if (base::EqNoCase(s, "yes")) return 1;
  if (base::EqNoCase(s, "no")) return 0;
  return -1;
}

// Redis parses numbers of these directives with atoi / strtoull: leading
// digits count, anything else is 0.
long long Atoi(const std::string& s) { return atoll(s.c_str()); }
uint64_t Strtoull(const std::string& s) { return strtoull(s.c_str(), nullptr, 10); }

}  // namespace

void Sentinel::InstallConfigHooks() {
  server::Config& cfg = srv_->cfg();
  // initSentinelConfig: a sentinel listens on 26379 and must be reachable.
  cfg.port = kDefaultPort;
  cfg.protected_mode = false;
  server::ConfigManager::SentinelHooks hooks;
  hooks.queue = [this](std::vector<std::string> argv, int linenum, const std::string& line) {
    QueuedLine q{std::move(argv), linenum, line};
    if (base::EqNoCase(q.argv[0], "monitor")) {
      monitor_.push_back(std::move(q));
    } else if (IsPreMonitor(q.argv[0])) {
      pre_monitor_.push_back(std::move(q));
    } else {
      post_monitor_.push_back(std::move(q));
    }
  };
  hooks.rewrite = [this](const std::function<void(std::string_view, std::string, bool)>& rewrite,
                         const std::function<void(std::string_view)>& mark) {
    RewriteConfigLines(rewrite, mark);
  };
  srv_->config.SetSentinelHooks(std::move(hooks));
}

bool Sentinel::LoadQueuedConfig(std::string* report) {
  for (auto* queue : {&pre_monitor_, &monitor_, &post_monitor_}) {
    for (const QueuedLine& q : *queue) {
      if (const char* err = HandleConfiguration(q.argv)) {
        // Why the exact framing: Redis prints this report for sentinel
        // lines with its own fprintf (no space before the parenthesis).
        *report = std::string("\n*** FATAL CONFIG FILE ERROR (Redis ") + VIREO_REDIS_VERSION + ") ***\n" +
                  "Reading the configuration file, at line " + std::to_string(q.linenum) + "\n>>> '" + q.line +
                  "'\n" + err + "\n";
        return false;
      }
    }
  }
  pre_monitor_.clear();
  monitor_.clear();
  post_monitor_.clear();
  return true;
}

bool Sentinel::CheckConfigFile(std::string* err) const {
  const std::string& path = srv_->config.config_file();
  if (path.empty()) {
    *err = "Sentinel needs config file on disk to save state. Exiting...";
    return false;
  }
  if (access(path.c_str(), W_OK) == -1) {
    *err = "Sentinel config file " + path + " is not writable: " + strerror(errno) + ". Exiting...";
    return false;
  }
  return true;
}

const char* Sentinel::HandleConfiguration(const std::vector<std::string>& argv) {
  const size_t argc = argv.size();
  const std::string& d = argv[0];
  auto master_or = [&](Instance** ri) -> const char* {
    *ri = GetMaster(argv[1]);
    return *ri ? nullptr : "No such master with specified name.";
  };
  Instance* ri = nullptr;
  const char* err = nullptr;
  if (base::EqNoCase(d, "monitor") && argc == 5) {
    long long quorum = Atoi(argv[4]);
    if (quorum <= 0) return "Quorum must be 1 or greater.";
    if (!CreateInstance(argv[1], kMaster, argv[2], static_cast<int>(Atoi(argv[3])), static_cast<unsigned>(quorum),
                        nullptr, &err)) {
      return err;
    }
  } else if (base::EqNoCase(d, "down-after-milliseconds") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->down_after_period = static_cast<int>(Atoi(argv[2]));
    if (ri->down_after_period <= 0) return "negative or zero time parameter.";
    PropagateDownAfterPeriod(ri);
  } else if (base::EqNoCase(d, "failover-timeout") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->failover_timeout = static_cast<int>(Atoi(argv[2]));
    if (ri->failover_timeout <= 0) return "negative or zero time parameter.";
  } else if (base::EqNoCase(d, "parallel-syncs") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->parallel_syncs = static_cast<int>(Atoi(argv[2]));
  } else if (base::EqNoCase(d, "notification-script") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    if (access(argv[2].c_str(), X_OK) == -1) return "Notification script seems non existing or non executable.";
    ri->notification_script = argv[2];
  } else if (base::EqNoCase(d, "client-reconfig-script") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    if (access(argv[2].c_str(), X_OK) == -1) {
      return "Client reconfiguration script seems non existing or non executable.";
    }
    ri->client_reconfig_script = argv[2];
  } else if (base::EqNoCase(d, "auth-pass") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->auth_pass = argv[2];
    ri->has_auth_pass = true;
  } else if (base::EqNoCase(d, "auth-user") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->auth_user = argv[2];
    ri->has_auth_user = true;
  } else if (base::EqNoCase(d, "current-epoch") && argc == 2) {
    uint64_t e = Strtoull(argv[1]);
    if (e > current_epoch_) current_epoch_ = e;
  } else if (base::EqNoCase(d, "myid") && argc == 2) {
    if (argv[1].size() != 40) return "Malformed Sentinel id in myid option.";
    myid_ = argv[1];
  } else if (base::EqNoCase(d, "config-epoch") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->config_epoch = Strtoull(argv[2]);
    // Why: a config epoch greater than ours means we missed an epoch bump.
    if (ri->config_epoch > current_epoch_) current_epoch_ = ri->config_epoch;
  } else if (base::EqNoCase(d, "leader-epoch") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->leader_epoch = Strtoull(argv[2]);
  } else if ((base::EqNoCase(d, "known-slave") || base::EqNoCase(d, "known-replica")) && argc == 4) {
    if ((err = master_or(&ri))) return err;
    if (!CreateInstance("", kSlave, argv[2], static_cast<int>(Atoi(argv[3])), ri->quorum, ri, &err)) return err;
  } else if (base::EqNoCase(d, "known-sentinel") && (argc == 4 || argc == 5)) {
    // Why: the old form without a run id (argc 4) is ignored, as Redis does.
    if (argc == 5) {
      if ((err = master_or(&ri))) return err;
      Instance* si = CreateInstance(argv[4], kSentinel, argv[2], static_cast<int>(Atoi(argv[3])), ri->quorum, ri, &err);
      if (!si) return err;
      si->runid = argv[4];
      TryConnectionSharing(si);
    }
  } else if (base::EqNoCase(d, "rename-command") && argc == 4) {
    if ((err = master_or(&ri))) return err;
    std::string key = base::AsciiLowerCopy(argv[2]);
    if (ri->renamed_commands.count(key)) return "Same command renamed multiple times with rename-command.";
    ri->renamed_commands[key] = {argv[2], argv[3]};
  } else if (base::EqNoCase(d, "announce-ip") && argc == 2) {
    if (!argv[1].empty()) {
      announce_ip = argv[1];
      announce_ip_set = true;
    }
  } else if (base::EqNoCase(d, "announce-port") && argc == 2) {
    announce_port = static_cast<int>(Atoi(argv[1]));
  } else if (base::EqNoCase(d, "deny-scripts-reconfig") && argc == 2) {
    int v = YesNo(argv[1]);
    if (v == -1) return "Please specify yes or no for the deny-scripts-reconfig options.";
    deny_scripts_reconfig = v;
  } else if (base::EqNoCase(d, "sentinel-user") && argc == 2) {
    if (!argv[1].empty()) sentinel_auth_user = argv[1];
  } else if (base::EqNoCase(d, "sentinel-pass") && argc == 2) {
    if (!argv[1].empty()) sentinel_auth_pass = argv[1];
  } else if (base::EqNoCase(d, "resolve-hostnames") && argc == 2) {
    int v = YesNo(argv[1]);
    if (v == -1) return "Please specify yes or no for the resolve-hostnames option.";
    resolve_hostnames = v;
  } else if (base::EqNoCase(d, "announce-hostnames") && argc == 2) {
    int v = YesNo(argv[1]);
    if (v == -1) return "Please specify yes or no for the announce-hostnames option.";
    announce_hostnames = v;
  } else if (base::EqNoCase(d, "master-reboot-down-after-period") && argc == 3) {
    if ((err = master_or(&ri))) return err;
    ri->master_reboot_down_after_period = static_cast<int>(Atoi(argv[2]));
    if (ri->master_reboot_down_after_period < 0) return "negative time parameter.";
  } else {
    return "Unrecognized sentinel configuration statement.";
  }
  return nullptr;
}

void Sentinel::RewriteConfigLines(const std::function<void(std::string_view, std::string, bool)>& rewrite,
                                  const std::function<void(std::string_view)>& mark) {
  auto put = [&rewrite](std::string_view option, std::string line) { rewrite(option, std::move(line), true); };
  put("sentinel myid", "sentinel myid " + myid_);
  // Why these three only when not default: Redis passes force = (value !=
  // default), so a default value keeps an existing line but adds none.
  rewrite("sentinel deny-scripts-reconfig",
          std::string("sentinel deny-scripts-reconfig ") + (deny_scripts_reconfig ? "yes" : "no"),
          !deny_scripts_reconfig);
  rewrite("sentinel resolve-hostnames", std::string("sentinel resolve-hostnames ") + (resolve_hostnames ? "yes" : "no"),
          resolve_hostnames);
  rewrite("sentinel announce-hostnames",
          std::string("sentinel announce-hostnames ") + (announce_hostnames ? "yes" : "no"), announce_hostnames);

  for (auto& [name, mp] : masters_) {
    Instance* master = mp.get();
    const Addr& maddr = CurrentMasterAddress(master);
    put("sentinel monitor", "sentinel monitor " + master->name + " " + AnnounceAddr(maddr) + " " +
                                    std::to_string(maddr.port) + " " + std::to_string(master->quorum));
    if (master->down_after_period != periods.default_down_after) {
      put("sentinel down-after-milliseconds",
              "sentinel down-after-milliseconds " + master->name + " " + std::to_string(master->down_after_period));
    }
    if (master->failover_timeout != periods.default_failover_timeout) {
      put("sentinel failover-timeout",
              "sentinel failover-timeout " + master->name + " " + std::to_string(master->failover_timeout));
    }
    if (master->parallel_syncs != 1) {
      put("sentinel parallel-syncs",
              "sentinel parallel-syncs " + master->name + " " + std::to_string(master->parallel_syncs));
    }
    if (!master->notification_script.empty()) {
      put("sentinel notification-script",
              "sentinel notification-script " + master->name + " " + master->notification_script);
    }
    if (!master->client_reconfig_script.empty()) {
      put("sentinel client-reconfig-script",
              "sentinel client-reconfig-script " + master->name + " " + master->client_reconfig_script);
    }
    if (master->has_auth_pass) {
      put("sentinel auth-pass", "sentinel auth-pass " + master->name + " " + master->auth_pass);
    }
    if (master->has_auth_user) {
      put("sentinel auth-user", "sentinel auth-user " + master->name + " " + master->auth_user);
    }
    if (master->master_reboot_down_after_period != 0) {
      put("sentinel master-reboot-down-after-period", "sentinel master-reboot-down-after-period " +
                                                              master->name + " " +
                                                              std::to_string(master->master_reboot_down_after_period));
    }
    put("sentinel config-epoch", "sentinel config-epoch " + master->name + " " + std::to_string(master->config_epoch));
    put("sentinel leader-epoch", "sentinel leader-epoch " + master->name + " " + std::to_string(master->leader_epoch));
    for (auto& [sname, sp] : master->slaves) {
      const Addr* a = &sp->addr;
      // Why: while the promoted replica is the current address, the old
      // master takes its place in the replica list.
      if (a->port == maddr.port && (a->ip == maddr.ip || base::EqNoCase(a->hostname, maddr.hostname))) a = &master->addr;
      put("sentinel known-replica",
              "sentinel known-replica " + master->name + " " + AnnounceAddr(*a) + " " + std::to_string(a->port));
    }
    for (auto& [rid, si] : master->sentinels) {
      if (si->runid.empty()) continue;
      put("sentinel known-sentinel", "sentinel known-sentinel " + master->name + " " + AnnounceAddr(si->addr) +
                                             " " + std::to_string(si->addr.port) + " " + si->runid);
    }
    for (auto& [key, names] : master->renamed_commands) {
      put("sentinel rename-command", "sentinel rename-command " + master->name + " " + names.first + " " + names.second);
    }
  }
  put("sentinel current-epoch", "sentinel current-epoch " + std::to_string(current_epoch_));
  // Quoted as Redis writes it (sdscatrepr).
  if (announce_ip_set) put("sentinel announce-ip", "sentinel announce-ip " + base::Repr(announce_ip));
  else mark("sentinel announce-ip");
  if (announce_port) put("sentinel announce-port", "sentinel announce-port " + std::to_string(announce_port));
  else mark("sentinel announce-port");
  if (!sentinel_auth_user.empty()) put("sentinel sentinel-user", "sentinel sentinel-user " + sentinel_auth_user);
  else mark("sentinel sentinel-user");
  if (!sentinel_auth_pass.empty()) put("sentinel sentinel-pass", "sentinel sentinel-pass " + sentinel_auth_pass);
  else mark("sentinel sentinel-pass");
  // Per-master directives of masters that are gone: their old lines go.
  for (const char* o : {"sentinel monitor", "sentinel down-after-milliseconds", "sentinel failover-timeout",
                        "sentinel parallel-syncs", "sentinel notification-script", "sentinel client-reconfig-script",
                        "sentinel auth-pass", "sentinel auth-user", "sentinel config-epoch", "sentinel leader-epoch",
                        "sentinel known-replica", "sentinel known-sentinel", "sentinel rename-command",
                        "sentinel master-reboot-down-after-period"}) {
    mark(o);
  }
}

bool Sentinel::FlushConfig() {
  std::string err;
  int e = 0;
  // Why hz: Redis rewrites with the default hz, since the sentinel timer
  // randomizes server.hz.
  bool ok = srv_->config.Rewrite(&err, false, &e);
  if (ok) {
    int fd = open(srv_->config.config_file().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd == -1 || fsync(fd) == -1) {
      ok = false;
      e = errno;
    }
    if (fd != -1) close(fd);
  }
  if (!ok) {
    Log(LogLevel::kWarning, "WARNING: Sentinel was not able to save the new configuration on disk!!!: %s",
        strerror(e));
    return false;
  }
  Log(LogLevel::kNotice, "Sentinel new configuration saved on disk");
  return true;
}

}  // namespace vireo::sentinel
