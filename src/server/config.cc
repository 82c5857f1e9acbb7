// ConfigManager: the redis.conf grammar, the redis-server command line,
// CONFIG GET / SET / REWRITE (Redis 7.0.15's config.c and main()).
//
// Owns the behaviour around the directive table (config_table.cc): how lines
// are split, trimmed and dispatched, the special non-config directives
// (include, rename-command, user, loadmodule, sentinel, module configs), the
// FATAL CONFIG FILE ERROR report, CONFIG SET's all-or-nothing protocol with
// hooks and rollback, and the comment-preserving rewrite. Every message is
// Redis's, byte for byte, because clients and tests compare them.
#include "server/config.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "base/glob.h"
#include "base/sha256.h"
#include "base/split_args.h"
#include "server/config_table.h"

namespace vireo::server {

using config_internal::ConfigDef;
using config_internal::ConfigTable;
using config_internal::ConfigType;
using config_internal::RewriteState;
using config_internal::Slot;
using config_internal::SlotContext;
using config_internal::ToLower;

namespace {

constexpr const char* kRedisVersion = "7.0.15";

std::string_view Trim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return std::string_view();
  size_t e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

std::string_view CStr(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

std::string ErrnoString(int e) { return std::strerror(e); }

// Reads a whole file like Redis's fgets() loop. Returns false with errno set.
bool ReadWholeFile(FILE* fp, std::string* out) {
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), fp)) > 0) out->append(buf, n);
  return true;
}

// loadServerConfig()'s file part: a path with wildcards is globbed (no match
// is fine), otherwise it must open. On failure *err is the log message.
bool ReadConfigSource(const std::string& path, std::string* content, std::string* err) {
  if (path.find_first_of("*?[") != std::string::npos) {
    glob_t g;
    if (glob(path.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE* fp = std::fopen(g.gl_pathv[i], "r");
        if (fp == nullptr) {
          *err = std::string("Fatal error, can't open config file '") + g.gl_pathv[i] +
                 "': " + ErrnoString(errno);
          globfree(&g);
          return false;
        }
        ReadWholeFile(fp, content);
        std::fclose(fp);
      }
      globfree(&g);
    }
    return true;
  }
  FILE* fp = std::fopen(path.c_str(), "r");
  if (fp == nullptr) {
    *err = "Fatal error, can't open config file '" + path + "': " + ErrnoString(errno);
    return false;
  }
  ReadWholeFile(fp, content);
  std::fclose(fp);
  return true;
}

// Redis's getAbsolutePath(): cwd + path with leading "../" folded.
std::string GetAbsolutePath(std::string_view filename) {
  std::string rel(Trim(filename, " \r\n\t"));
  if (!rel.empty() && rel[0] == '/') return rel;
  char cwd[1024];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return rel;
  std::string abs = cwd;
  if (!abs.empty() && abs.back() != '/') abs.push_back('/');
  while (rel.size() >= 3 && rel[0] == '.' && rel[1] == '.' && rel[2] == '/') {
    rel.erase(0, 3);
    if (abs.size() > 1) {
      size_t p = abs.size() - 2;
      while (abs[p] != '/') p--;
      abs.resize(p + 1);
    }
  }
  return abs + rel;
}

// The non-config directives CONFIG REWRITE keeps as they are (others that
// are not configs become "# ??? <line>").
bool IsKeptNonConfigDirective(std::string_view lower_name) {
  return lower_name == "include" || lower_name == "rename-command" || lower_name == "user" ||
         lower_name == "loadmodule" || lower_name == "sentinel";
}

}  // namespace

// ---------------------------------------------------------------------------
// Impl
// ---------------------------------------------------------------------------
struct ConfigManager::Impl {
  // One entry per name Redis registers in its configs dict: the canonical
  // name and, separately, the alias (they are distinct for duplicate checks
  // and are both listed by CONFIG GET *).
  struct Key {
    std::string name;
    size_t slot;
    bool alias;
  };

  ConfigManager* owner = nullptr;
  Config* cfg = nullptr;
  std::vector<Slot> slots;
  std::vector<Key> keys;
  std::unordered_map<std::string, size_t> key_index;  // lower-case name -> keys[]
  std::vector<std::string> defaults;                  // CONFIG GET value at startup, per slot

  std::vector<Hook> hooks;
  std::vector<std::vector<size_t>> slot_hooks;  // slot -> hooks[] indexes

  RenameCommandHandler rename_handler;
  SentinelHooks sentinel;
  UserHandler user_handler;
  UserLinesProvider user_lines_provider;

  std::vector<RenamedCommand> renames;
  std::vector<std::vector<std::string>> users;
  std::vector<std::vector<std::string>> loadmodules;
  std::vector<std::pair<std::string, std::string>> module_configs;
  std::vector<std::string> seen;  // candidate inactive directives, first-seen order
  std::unordered_set<std::string> seen_set;
  std::vector<std::string> inactive_used;

  bool save_loaded = false;
  bool loading = false;
  LoadErrorKind last_error = LoadErrorKind::kNone;

  const Key* Lookup(std::string_view name) const {
    auto it = key_index.find(ToLower(name));
    return it == key_index.end() ? nullptr : &keys[it->second];
  }

  size_t SlotByName(std::string_view canonical) const {
    const Key* k = Lookup(canonical);
    return k ? k->slot : SIZE_MAX;
  }

  SlotContext Ctx(bool reading) {
    SlotContext ctx;
    ctx.cfg = cfg;
    ctx.reading_config_file = reading;
    ctx.save_loaded = &save_loaded;
    ctx.title_var = [this](std::string_view var) { return TitleVar(var); };
    return ctx;
  }

  SlotContext ConstCtx() const { return const_cast<Impl*>(this)->Ctx(false); }

  long long NumericValue(std::string_view name) const {
    size_t s = SlotByName(name);
    if (s == SIZE_MAX) return 0;
    long long v = 0;
    config_internal::StringToLL(config_internal::GetSlot(slots[s], ConstCtx()), &v);
    return v;
  }

  // redisProcTitleGetVariable() (without {title}, supplied by the caller).
  std::optional<std::string> TitleVar(std::string_view var) const {
    if (var == "listen-addr") {
      long long tls_port = NumericValue("tls-port");
      if (cfg->port || tls_port) {
        return (cfg->bind.empty() ? std::string("*") : cfg->bind[0]) + ":" +
               std::to_string(cfg->port ? cfg->port : tls_port);
      }
      return "unixsocket:" + cfg->unixsocket;
    }
    if (var == "server-mode") return cfg->cluster_enabled ? std::string("[cluster]") : std::string();
    // Without a config file Redis 7.0.15 expands {config-file} to "-".
    if (var == "config-file") return owner->config_file_.empty() ? std::string("-") : owner->config_file_;
    if (var == "port") return std::to_string(static_cast<unsigned>(cfg->port));
    if (var == "tls-port") return std::to_string(static_cast<unsigned>(NumericValue("tls-port")));
    if (var == "unixsocket") return cfg->unixsocket;
    return std::nullopt;
  }

  void See(std::string name) {
    if (seen_set.insert(name).second) seen.push_back(std::move(name));
  }

  static std::string Report(bool with_line, size_t linenum, std::string_view line, std::string_view err) {
    std::string r = "\n*** FATAL CONFIG FILE ERROR (Redis ";
    r += kRedisVersion;
    r += ") ***\n";
    if (with_line) {
      r += "Reading the configuration file, at line " + std::to_string(linenum) + "\n";
      r += ">>> '";
      r += CStr(line);
      r += "'\n";
    }
    r += err;
    r += "\n";
    return r;
  }

  // loadServerConfigFromString().
  bool LoadString(std::string_view text, std::string* report) {
    text = CStr(text);  // Redis works on a C string
    std::vector<std::string> lines = base::SplitLen(text, '\n');
    std::string err;
    size_t i = 0;
    std::string_view line;
    for (; i < lines.size(); i++) {
      line = Trim(lines[i], " \t\r\n");
      if (line.empty() || line[0] == '#') continue;

      std::optional<std::vector<std::string>> parsed = base::SplitArgs(line);
      if (!parsed) {
        err = "Unbalanced quotes in configuration line";
        break;
      }
      std::vector<std::string>& argv = *parsed;
      if (argv.empty()) continue;
      argv[0] = ToLower(argv[0]);
      const size_t argc = argv.size();

      if (const Key* key = Lookup(argv[0])) {
        Slot& slot = slots[key->slot];
        if (!(slot.def->flags & config_internal::kMultiArg) && argc != 2) {
          err = "wrong number of arguments";
          break;
        }
        std::vector<std::string> args(argv.begin() + 1, argv.end());
        // Why: Redis 7.0 splits the single non-empty argument of a
        // multi-arg directive (--save "900 1 300 10", bind "a b").
        if ((slot.def->flags & config_internal::kMultiArg) && argc == 2 && !args[0].empty()) {
          std::optional<std::vector<std::string>> split = base::SplitArgs(args[0]);
          args = split ? std::move(*split) : std::vector<std::string>{};
        }
        if (!config_internal::SetSlot(&slot, args, Ctx(true), &err)) break;
        if (!slot.active) See(slot.def->name);
        continue;
      }
      if (config_internal::IsIgnoredDeprecatedDirective(argv[0], argc)) continue;

      const std::string& name = argv[0];
      if (name == "include" && argc == 2) {
        if (!LoadInclude(argv[1], report)) return false;
      } else if (name == "rename-command" && argc == 3) {
        if (rename_handler) {
          if (!rename_handler(argv[1], argv[2], &err)) break;
        } else {
          See("rename-command");
        }
        renames.push_back({argv[1], argv[2]});
      } else if (name == "user" && argc >= 2) {
        std::vector<std::string> args(argv.begin() + 1, argv.end());
        if (user_handler) {
          if (!user_handler(args, &err)) break;
        } else {
          See("user");
        }
        users.push_back(std::move(args));
      } else if (name == "loadmodule" && argc >= 2) {
        loadmodules.emplace_back(argv.begin() + 1, argv.end());
        See("loadmodule");
      } else if (CStr(name).find('.') != std::string_view::npos) {
        if (argc < 2) {
          err = "Module config specified without value";
          break;
        }
        std::string value = argv[1];
        for (size_t a = 2; a < argc; a++) value += " " + argv[a];
        auto it = std::find_if(module_configs.begin(), module_configs.end(),
                               [&name](const auto& p) { return p.first == name; });
        if (it != module_configs.end()) {
          it->second = value;
        } else {
          module_configs.emplace_back(name, value);
        }
        See(name);
      } else if (name == "sentinel") {
        // A bare "sentinel" is how main() detects sentinel mode (nothing to
        // do here); the others are queued for the sentinel, which applies
        // them after the whole text is read.
        if (argc != 1) {
          if (!sentinel.queue) {
            err = "sentinel directive while not in sentinel mode";
            break;
          }
          sentinel.queue(std::vector<std::string>(argv.begin() + 1, argv.end()), static_cast<int>(i + 1),
                         std::string(CStr(line)));
        }
      } else {
        err = "Bad directive or wrong number of arguments";
        break;
      }
    }
    if (i < lines.size()) {
      last_error = LoadErrorKind::kFatalReport;
      *report = Report(true, i + 1, line, err);
      return false;
    }

    // Checks Redis runs after every parsed string (the included ones too).
    if (!cfg->logfile.empty()) {
      FILE* fp = std::fopen(cfg->logfile.c_str(), "a");
      if (fp == nullptr) {
        last_error = LoadErrorKind::kFatalReport;
        *report = Report(false, 0, {}, "Can't open the log file: " + ErrnoString(errno));
        return false;
      }
      std::fclose(fp);
    }
    if (cfg->cluster_enabled && !cfg->masterhost.empty()) {
      last_error = LoadErrorKind::kFatalReport;
      *report = Report(false, 0, {}, "replicaof directive not allowed in cluster mode");
      return false;
    }
    ClampHz();
    return true;
  }

  bool LoadInclude(const std::string& path, std::string* report) {
    std::string content, err;
    if (!ReadConfigSource(path, &content, &err)) {
      last_error = LoadErrorKind::kLogMessage;
      *report = err;
      return false;
    }
    return LoadString(content, report);
  }

  // Redis accepts any hz but caps it to 1..500 (CONFIG_MIN_HZ/CONFIG_MAX_HZ).
  void ClampHz() {
    if (cfg->hz < 1) cfg->hz = 1;
    if (cfg->hz > 500) cfg->hz = 500;
  }

  std::vector<std::string> DefaultUserLines() const {
    // What Redis's ACLDescribeUser() gives without the ACL module: the
    // default user (password from requirepass) plus the `user` lines as read.
    std::vector<std::pair<std::string, std::string>> lines;
    bool have_default = false;
    for (const std::vector<std::string>& u : users) {
      std::string line = "user";
      for (const std::string& a : u) line += " " + a;
      if (u[0] == "default") have_default = true;
      lines.emplace_back(u[0], std::move(line));
    }
    if (!have_default) {
      std::string pass = cfg->requirepass.empty() ? "nopass" : "#" + base::Sha256Hex(cfg->requirepass);
      lines.emplace_back("default", "user default on " + pass + " ~* &* +@all");
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& l : lines) out.push_back(std::move(l.second));
    return out;
  }

  void RunHooksIgnoringErrors(const std::vector<size_t>& hook_ids) {
    for (size_t id : hook_ids) {
      std::string ignored;
      hooks[id](&ignored);
    }
  }
};

// ---------------------------------------------------------------------------
// ConfigManager
// ---------------------------------------------------------------------------
ConfigManager::ConfigManager() : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.owner = this;
  m.cfg = &cfg_;
  const std::vector<ConfigDef>& table = ConfigTable();
  m.slots.resize(table.size());
  for (size_t i = 0; i < table.size(); i++) {
    m.slots[i].def = &table[i];
    m.slots[i].active = config_internal::IsActiveDirective(table[i].name);
  }
  config_internal::BindSlots(&cfg_, &m.slots);
  SlotContext ctx = m.Ctx(false);
  m.defaults.resize(m.slots.size());
  for (size_t i = 0; i < m.slots.size(); i++) {
    config_internal::InitSlot(&m.slots[i], ctx);
    m.defaults[i] = config_internal::GetSlot(m.slots[i], ctx);
    m.keys.push_back({table[i].name, i, false});
    m.key_index[table[i].name] = m.keys.size() - 1;
    if (table[i].alias != nullptr) {
      m.keys.push_back({table[i].alias, i, true});
      m.key_index[table[i].alias] = m.keys.size() - 1;
    }
  }
  m.slot_hooks.resize(m.slots.size());
}

ConfigManager::~ConfigManager() = default;

bool ConfigManager::BuildFromArgs(int argc, char** argv, std::string* text, std::string* config_file,
                                  std::string* err) {
  text->clear();
  if (argc < 2) return true;  // redis-server without arguments loads nothing

  int j = 1;
  std::string file;
  bool have_file = false;
  bool from_stdin = false;
  if (argv[1][0] != '-') {
    file = GetAbsolutePath(argv[1]);
    have_file = true;
    j = 2;
  }
  // Redis 7.0 main(): "--name" starts a new line, its arguments follow
  // quoted; "--name value" in one argument is copied as is; "-" as first or
  // last argument reads stdin; `--save` followed by another option (or last)
  // means save "".
  std::string options;
  bool handled_last_config_arg = true;
  for (; j < argc; j++) {
    const char* a = argv[j];
    if (a[0] == '-' && a[1] == '\0' && (j == 1 || j == argc - 1)) {
      from_stdin = true;
    } else if (handled_last_config_arg && a[0] == '-' && a[1] == '-') {
      if (!options.empty()) options += "\n";
      options += a + 2;
      options += " ";
      std::optional<std::vector<std::string>> parts = base::SplitArgs(a);
      if (parts && parts->size() == 1) {
        handled_last_config_arg = false;
        bool next_is_option = j != argc - 1 && argv[j + 1][0] == '-' && argv[j + 1][1] == '-';
        if (next_is_option && EqualsNoCase(a, "--save")) {
          options += "\"\"";
          handled_last_config_arg = true;
        } else if (j == argc - 1 && EqualsNoCase(a, "--save")) {
          options += "\"\"";
        } else if (next_is_option && EqualsNoCase(a, "--sentinel")) {
          handled_last_config_arg = true;
        }
      } else {
        handled_last_config_arg = true;
      }
    } else {
      base::AppendRepr(&options, a);
      options += " ";
      handled_last_config_arg = true;
    }
  }

  if (have_file) {
    config_file_ = file;
    if (config_file != nullptr) *config_file = file;
    if (!ReadConfigSource(file, text, err)) return false;
  }
  if (from_stdin) ReadWholeFile(stdin, text);
  *text += "\n";
  *text += options;
  return true;
}

bool ConfigManager::Load(std::string_view text, std::string* fatal_report) {
  Impl& m = *impl_;
  m.last_error = LoadErrorKind::kNone;
  m.save_loaded = false;
  m.renames.clear();
  m.users.clear();
  m.loadmodules.clear();
  m.module_configs.clear();
  m.seen.clear();
  m.seen_set.clear();
  m.inactive_used.clear();
  std::string report;
  bool ok = m.LoadString(text, &report);
  if (!ok && fatal_report != nullptr) *fatal_report = report;

  SlotContext ctx = m.Ctx(false);
  for (const std::string& name : m.seen) {
    size_t s = m.SlotByName(name);
    // A directive left at its default value has no effect to lose.
    if (s != SIZE_MAX && config_internal::GetSlot(m.slots[s], ctx) == m.defaults[s]) continue;
    m.inactive_used.push_back(name);
  }
  return ok;
}

ConfigManager::LoadErrorKind ConfigManager::last_load_error_kind() const { return impl_->last_error; }

const std::vector<std::string>& ConfigManager::InactiveUsed() const { return impl_->inactive_used; }

std::vector<std::pair<std::string, std::string>> ConfigManager::Get(
    const std::vector<std::string_view>& patterns) const {
  const Impl& m = *impl_;
  SlotContext ctx = m.ConstCtx();
  std::vector<std::pair<std::string, std::string>> out;
  std::unordered_set<std::string> matched;  // case-insensitive, like Redis's dict
  for (std::string_view raw : patterns) {
    std::string_view pattern = CStr(raw);
    if (pattern.find_first_of("[*?") == std::string_view::npos) {
      // Exact name: echoed as typed, hidden configs included.
      std::string lower = ToLower(raw);
      if (matched.count(lower)) continue;
      if (const Impl::Key* k = m.Lookup(raw)) {
        out.emplace_back(std::string(raw), config_internal::GetSlot(m.slots[k->slot], ctx));
        matched.insert(std::move(lower));
      }
      continue;
    }
    for (const Impl::Key& k : m.keys) {
      if (m.slots[k.slot].def->flags & config_internal::kHidden) continue;
      if (matched.count(k.name)) continue;
      if (base::GlobMatch(pattern, k.name, true)) {
        out.emplace_back(k.name, config_internal::GetSlot(m.slots[k.slot], ctx));
        matched.insert(k.name);
      }
    }
  }
  return out;
}

bool ConfigManager::Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                        std::string* err) {
  return Set(pairs, err, false);
}

bool ConfigManager::Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                        std::string* err, bool client_is_local) {
  Impl& m = *impl_;
  const size_t n = pairs.size();
  std::vector<const Impl::Key*> set_keys(n, nullptr);
  bool invalid_args = false, deny_loading_error = false, have_invalid_name = false, have_errstr = false;
  std::string invalid_arg_name, err_arg_name, errstr;

  auto fail = [&]() {
    if (deny_loading_error) {
      // Takes precedence: clients handle -LOADING differently.
      *err = "LOADING Redis is loading the dataset in memory";
    } else if (have_invalid_name) {
      *err = "ERR Unknown option or number of arguments for CONFIG SET - '" + invalid_arg_name + "'";
    } else if (have_errstr) {
      *err = "ERR CONFIG SET failed (possibly related to argument '" + err_arg_name + "') - " + errstr;
    } else {
      *err = "ERR CONFIG SET failed (possibly related to argument '" + err_arg_name + "')";
    }
    return false;
  };

  // 1. Resolve and vet every name before touching anything.
  const bool protected_allowed = cfg_.enable_protected_configs == kProtectedYes ||
                                 (cfg_.enable_protected_configs == kProtectedLocal && client_is_local);
  for (size_t i = 0; i < n; i++) {
    const Impl::Key* key = m.Lookup(pairs[i].first);
    if (key == nullptr) {
      if (!invalid_args) {
        invalid_arg_name = std::string(CStr(pairs[i].first));
        have_invalid_name = true;
        invalid_args = true;
      }
      continue;
    }
    if (invalid_args) continue;
    const uint32_t flags = m.slots[key->slot].def->flags;
    if ((flags & config_internal::kImmutable) ||
        ((flags & config_internal::kProtected) && !protected_allowed)) {
      errstr = (flags & config_internal::kImmutable) ? "can't set immutable config"
                                                     : "can't set protected config";
      have_errstr = true;
      err_arg_name = std::string(CStr(pairs[i].first));
      invalid_args = true;
      continue;
    }
    if (m.loading && (flags & config_internal::kDenyLoading)) {
      deny_loading_error = true;
      invalid_args = true;
      continue;
    }
    // The same dict entry twice is a duplicate; a name and its alias are
    // distinct entries in Redis, so "lua-time-limit x busy-reply-threshold y"
    // is accepted (the last one wins).
    for (size_t j = 0; j < i; j++) {
      if (set_keys[j] == key) {
        errstr = "duplicate parameter";
        have_errstr = true;
        err_arg_name = std::string(CStr(pairs[i].first));
        invalid_args = true;
        break;
      }
    }
    set_keys[i] = key;
  }
  if (invalid_args) return fail();

  // 2. Back up, then set every value (not applied yet).
  SlotContext ctx = m.Ctx(false);
  std::vector<std::string> old_values(n);
  for (size_t i = 0; i < n; i++) old_values[i] = config_internal::GetSlot(m.slots[set_keys[i]->slot], ctx);

  auto split_value = [&m](size_t slot, std::string_view value) {
    if (m.slots[slot].def->flags & config_internal::kMultiArg) return base::SplitLen(value, ' ');
    return std::vector<std::string>{std::string(value)};
  };
  auto restore = [&](size_t count) {
    for (size_t i = 0; i < count; i++) {
      std::string ignored;
      size_t s = set_keys[i]->slot;
      config_internal::SetSlot(&m.slots[s], split_value(s, old_values[i]), ctx, &ignored);
    }
    m.ClampHz();
  };

  std::vector<size_t> apply_hooks;     // hooks[] ids, first-registration order
  std::vector<size_t> apply_trigger;   // index into pairs of the config that queued it
  for (size_t i = 0; i < n; i++) {
    size_t s = set_keys[i]->slot;
    std::string e;
    int res = config_internal::SetSlot(&m.slots[s], split_value(s, pairs[i].second), ctx, &e);
    if (res == 0) {
      restore(i + 1);
      err_arg_name = set_keys[i]->name;
      errstr = e;
      have_errstr = true;
      return fail();
    }
    if (res == 1) {
      for (size_t id : m.slot_hooks[s]) {
        if (std::find(apply_hooks.begin(), apply_hooks.end(), id) == apply_hooks.end()) {
          apply_hooks.push_back(id);
          apply_trigger.push_back(i);
        }
      }
    }
  }

  // 3. Apply: Redis's own updateHZ, then the server's hooks.
  m.ClampHz();
  for (size_t h = 0; h < apply_hooks.size(); h++) {
    std::string e;
    if (!m.hooks[apply_hooks[h]](&e)) {
      restore(n);
      m.RunHooksIgnoringErrors(apply_hooks);
      err_arg_name = set_keys[apply_trigger[h]]->name;
      errstr = e;
      have_errstr = !e.empty();
      return fail();
    }
  }
  return true;
}

std::optional<std::string> ConfigManager::ExpandProcTitle(std::string_view title) const {
  const Impl& m = *impl_;
  return config_internal::ExpandTemplate(cfg_.proc_title_template, [&](std::string_view var) {
    if (var == "title") return std::optional<std::string>(std::string(title));
    return m.TitleVar(var);
  });
}

bool ConfigManager::Rewrite(std::string* err, bool force_all, int* errno_out) {
  Impl& m = *impl_;
  if (config_file_.empty()) {
    *err = "ERR The server is running without a config file";
    if (errno_out) *errno_out = 0;
    return false;
  }
  auto io_error = [err, errno_out](int e) {
    *err = "ERR Rewriting config file: " + ErrnoString(e);
    if (errno_out) *errno_out = e;
    return false;
  };

  // Step 1: read the old file into the rewrite state.
  RewriteState state;
  state.force_write = force_all;
  FILE* fp = std::fopen(config_file_.c_str(), "r");
  if (fp == nullptr && errno != ENOENT) return io_error(errno);
  if (fp != nullptr) {
    std::string content;
    struct stat sb;
    if (fstat(fileno(fp), &sb) == -1) {
      int e = errno;
      std::fclose(fp);
      return io_error(e);
    }
    if (sb.st_size > 0) {
      ReadWholeFile(fp, &content);
      if (content.empty()) {
        int e = errno;
        std::fclose(fp);
        return io_error(e);
      }
    }
    std::fclose(fp);
    std::vector<std::string> lines = base::SplitLen(content, '\n');
    for (size_t linenum = 0; linenum < lines.size(); linenum++) {
      std::string line(Trim(lines[linenum], "\r\n\t "));
      if (line.empty() || line[0] == '#') {
        if (state.needs_signature && line == config_internal::kRewriteSignature) state.needs_signature = false;
        state.lines.push_back(std::move(line));
        continue;
      }
      std::optional<std::vector<std::string>> argv = base::SplitArgs(line);
      const Impl::Key* key = (argv && !argv->empty()) ? m.Lookup((*argv)[0]) : nullptr;
      if (!argv || argv->empty() || (key == nullptr && !IsKeptNonConfigDirective(ToLower((*argv)[0])))) {
        // Unparsable, or a directive that is no config (anymore): kept as a
        // comment.
        state.lines.push_back("# ??? " + line);
        continue;
      }
      state.lines.push_back(line);
      // Lines are indexed by canonical name, so an alias line ("slaveof",
      // "lua-time-limit") is rewritten in place under the canonical name.
      std::string option = key ? std::string(m.slots[key->slot].def->name) : ToLower((*argv)[0]);
      // Why: Redis indexes sentinel lines by "sentinel <subdirective>", so
      // each kind is rewritten in place and in order.
      if (m.sentinel.rewrite && argv->size() > 1 && option == "sentinel") option += " " + ToLower((*argv)[1]);
      if (size_t p = option.find("slave"); p != std::string::npos) option.replace(p, 5, "replica");
      state.option_to_line[option].push_back(state.lines.size() - 1);
    }
  }

  // Step 2: rewrite every option (canonical names only).
  SlotContext ctx = m.Ctx(false);
  for (const Slot& slot : m.slots) {
    // Why: in sentinel mode Redis does not rewrite the save parameters.
    if (m.sentinel.rewrite && slot.def->name == std::string_view("save")) {
      state.MarkProcessed("save");
      continue;
    }
    config_internal::RewriteSlot(slot, slot.def->name, ctx, &state);
  }
  if (!cfg_.aclfile.empty()) {
    state.MarkProcessed("user");  // users live in the ACL file
  } else {
    std::vector<std::string> users = m.user_lines_provider ? m.user_lines_provider() : m.DefaultUserLines();
    for (std::string& line : users) state.RewriteLine("user", std::move(line), true);
    state.MarkProcessed("user");
  }
  for (const std::vector<std::string>& mod : m.loadmodules) {
    std::string line = "loadmodule";
    for (const std::string& a : mod) line += " " + a;
    state.RewriteLine("loadmodule", std::move(line), true);
  }
  state.MarkProcessed("loadmodule");
  if (m.sentinel.rewrite) {
    m.sentinel.rewrite(
        [&state](std::string_view option, std::string line, bool force) {
          state.RewriteLine(option, std::move(line), force);
        },
        [&state](std::string_view option) { state.MarkProcessed(option); });
  }

  // Step 3: blank the lines of processed options that were not reused.
  state.RemoveOrphaned();

  // Step 4: write atomically (temp file, fsync, chmod, rename).
  std::string content = state.Content();
  std::string tmp = config_file_ + ".XXXXXX";
  if (tmp.size() >= PATH_MAX) return io_error(ENAMETOOLONG);
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd == -1) return io_error(errno);
  size_t offset = 0;
  while (offset < content.size()) {
    ssize_t w = write(fd, content.data() + offset, content.size() - offset);
    if (w <= 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return io_error(e);
    }
    offset += static_cast<size_t>(w);
  }
  mode_t mask = umask(0);
  umask(mask);
  int e = 0;
  if (fsync(fd) == -1 || fchmod(fd, 0644 & ~mask) == -1 || rename(tmp.c_str(), config_file_.c_str()) == -1) {
    e = errno;
  }
  close(fd);
  if (e != 0) {
    unlink(tmp.c_str());
    return io_error(e);
  }
  return true;
}

void ConfigManager::SetSentinelHooks(SentinelHooks hooks) { impl_->sentinel = std::move(hooks); }

bool ConfigManager::sentinel_mode() const { return static_cast<bool>(impl_->sentinel.queue); }

void ConfigManager::OnChange(std::string_view name, Hook hook) { OnChange({name}, std::move(hook)); }

void ConfigManager::OnChange(std::initializer_list<std::string_view> names, Hook hook) {
  Impl& m = *impl_;
  size_t id = m.hooks.size();
  m.hooks.push_back(std::move(hook));
  for (std::string_view name : names) {
    // Unknown names are ignored (no directive can trigger them).
    if (const Impl::Key* k = m.Lookup(name)) m.slot_hooks[k->slot].push_back(id);
  }
}

void ConfigManager::SetRenameCommandHandler(RenameCommandHandler handler) {
  impl_->rename_handler = std::move(handler);
}

void ConfigManager::SetUserHandler(UserHandler handler) { impl_->user_handler = std::move(handler); }

void ConfigManager::SetUserLinesProvider(UserLinesProvider provider) {
  impl_->user_lines_provider = std::move(provider);
}

const std::vector<ConfigManager::RenamedCommand>& ConfigManager::renamed_commands() const {
  return impl_->renames;
}

const std::vector<std::vector<std::string>>& ConfigManager::user_directives() const { return impl_->users; }

const std::vector<std::vector<std::string>>& ConfigManager::loadmodule_directives() const {
  return impl_->loadmodules;
}

const std::vector<std::pair<std::string, std::string>>& ConfigManager::module_configs() const {
  return impl_->module_configs;
}

bool ConfigManager::Exists(std::string_view name) const { return impl_->Lookup(name) != nullptr; }

bool ConfigManager::IsActive(std::string_view name) const {
  const Impl::Key* k = impl_->Lookup(name);
  return k != nullptr && impl_->slots[k->slot].active;
}

bool ConfigManager::IsSensitive(std::string_view name) const {
  const Impl::Key* k = impl_->Lookup(name);
  return k != nullptr && (impl_->slots[k->slot].def->flags & config_internal::kSensitive);
}

void ConfigManager::set_loading(bool loading) { impl_->loading = loading; }

void ConfigManager::SetConfigFilePath(std::string path) { config_file_ = std::move(path); }

}  // namespace vireo::server
