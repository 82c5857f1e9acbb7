// Typed values of the config directives: Redis 7.0.15's per-type
// set / get / rewrite rules (bool, string, enum, numeric and the special
// directives save, bind, client-output-buffer-limit, ...).
//
// Owns how a directive's value is parsed (memtoull units, string2ll
// strictness, octal, percentages), validated (bounds, with Redis's exact
// messages), printed for CONFIG GET and written back by CONFIG REWRITE,
// including Redis's quirks (no overflow check in memory units, int
// truncation of soft_seconds, ...). The table itself is config_table.cc.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/split_args.h"
#include "server/config_table.h"

namespace vireo::server::config_internal {
namespace {

// ---------------------------------------------------------------------------
// Storage access.
// ---------------------------------------------------------------------------
long long ReadNum(const Slot& s) {
  switch (s.kind) {
    case FieldKind::kInt32: return *static_cast<const int*>(s.field);
    case FieldKind::kUInt32: return *static_cast<const unsigned*>(s.field);
    case FieldKind::kInt64: return *static_cast<const int64_t*>(s.field);
    case FieldKind::kUInt64: return static_cast<long long>(*static_cast<const uint64_t*>(s.field));
    default: return 0;
  }
}

void WriteNum(Slot* s, long long v) {
  switch (s->kind) {
    case FieldKind::kInt32: *static_cast<int*>(s->field) = static_cast<int>(v); break;
    case FieldKind::kUInt32: *static_cast<unsigned*>(s->field) = static_cast<unsigned>(v); break;
    case FieldKind::kInt64: *static_cast<int64_t*>(s->field) = v; break;
    case FieldKind::kUInt64: *static_cast<uint64_t*>(s->field) = static_cast<uint64_t>(v); break;
    default: break;
  }
}

bool& BoolRef(Slot* s) { return *static_cast<bool*>(s->field); }
bool BoolVal(const Slot& s) { return *static_cast<const bool*>(s.field); }
int& IntRef(Slot* s) { return *static_cast<int*>(s->field); }
int IntVal(const Slot& s) { return *static_cast<const int*>(s.field); }
std::string& StrRef(Slot* s) { return *static_cast<std::string*>(s->field); }
const std::string& StrVal(const Slot& s) { return *static_cast<const std::string*>(s.field); }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Redis compares C strings: an argument ends at its first NUL.
std::string_view CStr(const std::string& s) { return std::string_view(s.c_str()); }

// ---------------------------------------------------------------------------
// Enum helpers (Redis 7.0.15 configEnumGetValue / configEnumGetName).
// ---------------------------------------------------------------------------
constexpr int kEnumInvalid = INT_MIN;

int EnumGetValue(const EnumItem* items, const std::vector<std::string>& args, bool bitflags) {
  if (args.empty() || (!bitflags && args.size() != 1)) return kEnumInvalid;
  int values = 0;
  for (const std::string& arg : args) {
    bool matched = false;
    for (const EnumItem* e = items; e->name != nullptr; e++) {
      if (EqualsNoCase(CStr(arg), e->name)) {
        values |= e->value;
        matched = true;
      }
    }
    if (!matched) return kEnumInvalid;
  }
  return values;
}

std::string EnumGetName(const EnumItem* items, int values, bool bitflags) {
  std::string names;
  bool have_names = false;
  int unmatched = values;
  for (const EnumItem* e = items; e->name != nullptr; e++) {
    if (values == e->value) return e->name;  // perfect match first
    if (bitflags && e->value && e->value == (unmatched & e->value)) {
      if (have_names) names.push_back(' ');
      names += e->name;
      have_names = true;
      unmatched &= ~e->value;
    }
  }
  if (!have_names || unmatched) return "unknown";
  return names;
}

// ---------------------------------------------------------------------------
// Numeric parsing (Redis numericParseString / numericBoundaryCheck).
// ---------------------------------------------------------------------------
bool IsUnsignedType(NumType t) {
  return t == NumType::kULongLong || t == NumType::kUInt || t == NumType::kSizeT;
}

bool NumericParse(const ConfigDef& def, const std::string& value, long long* res, std::string* err) {
  const uint32_t flags = def.num_flags;
  if (flags & kNumMemory) {
    unsigned long long v;
    if (MemToUll(value, &v)) {
      *res = static_cast<long long>(v);
      return true;
    }
  }
  std::string_view sv = CStr(value);
  if ((flags & kNumPercent) && sv.size() > 1 && sv.back() == '%' &&
      StringToLL(sv.substr(0, sv.size() - 1), res) && *res >= 0) {
    *res = -*res;  // percentages are stored negative
    return true;
  }
  if (flags & kNumOctal) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(value.c_str(), &end, 8);
    if (errno == 0 && *end == '\0') {
      *res = v;
      return true;
    }
  }
  if (flags == kNumInteger && StringToLL(sv, res)) return true;

  if ((flags & kNumMemory) && (flags & kNumPercent))
    *err = "argument must be a memory or percent value";
  else if (flags & kNumMemory)
    *err = "argument must be a memory value";
  else if (flags & kNumOctal)
    *err = "argument couldn't be parsed as an octal number";
  else
    *err = "argument couldn't be parsed into an integer";
  return false;
}

bool NumericBoundaryCheck(const ConfigDef& def, long long ll, std::string* err) {
  char buf[256];
  if (IsUnsignedType(def.num_type)) {
    unsigned long long ull = static_cast<unsigned long long>(ll);
    unsigned long long upper = static_cast<unsigned long long>(def.upper);
    unsigned long long lower = static_cast<unsigned long long>(def.lower);
    if (ull > upper || ull < lower) {
      if (def.num_flags & kNumOctal)
        std::snprintf(buf, sizeof(buf), "argument must be between %llo and %llo inclusive", lower, upper);
      else
        std::snprintf(buf, sizeof(buf), "argument must be between %llu and %llu inclusive", lower, upper);
      *err = buf;
      return false;
    }
    return true;
  }
  if ((def.num_flags & kNumPercent) && ll < 0) {
    if (ll < def.lower) {
      std::snprintf(buf, sizeof(buf), "percentage argument must be less or equal to %lld", -def.lower);
      *err = buf;
      return false;
    }
  } else if (ll > def.upper || ll < def.lower) {
    std::snprintf(buf, sizeof(buf), "argument must be between %lld and %lld inclusive", def.lower, def.upper);
    *err = buf;
    return false;
  }
  return true;
}

// rewriteConfigFormatMemory(): the largest exact unit.
std::string FormatMemory(long long bytes) {
  const long long gb = 1024ll * 1024 * 1024, mb = 1024ll * 1024, kb = 1024;
  char buf[64];
  if (bytes && bytes % gb == 0)
    std::snprintf(buf, sizeof(buf), "%lldgb", bytes / gb);
  else if (bytes && bytes % mb == 0)
    std::snprintf(buf, sizeof(buf), "%lldmb", bytes / mb);
  else if (bytes && bytes % kb == 0)
    std::snprintf(buf, sizeof(buf), "%lldkb", bytes / kb);
  else
    std::snprintf(buf, sizeof(buf), "%lld", bytes);
  return buf;
}

// ---------------------------------------------------------------------------
// Special configs.
// ---------------------------------------------------------------------------
std::string Cwd() {
  char buf[1024];
  if (getcwd(buf, sizeof(buf)) == nullptr) return std::string();
  return buf;
}

int SetDir(const std::vector<std::string>& args, const SlotContext& ctx, std::string* err) {
  if (args.size() != 1) {
    *err = "wrong number of arguments";
    return 0;
  }
  if (chdir(args[0].c_str()) == -1) {
    *err = std::strerror(errno);
    return 0;
  }
  ctx.cfg->dir = Cwd();
  return 1;
}

int SetSave(const std::vector<std::string>& args, const SlotContext& ctx, std::string* err) {
  Config* c = ctx.cfg;
  size_t argc = args.size();
  // A single "" means "no save points"; Redis 7.0.15 clears the list right
  // away, even for a second `save ""` line of the same file.
  if (argc == 1 && args[0].empty()) {
    c->save_params.clear();
    argc = 0;
  }
  if (argc & 1) {
    *err = "Invalid save parameters";
    return 0;
  }
  for (size_t j = 0; j < argc; j++) {
    char* end = nullptr;
    long long val = std::strtoll(args[j].c_str(), &end, 10);
    if (end[0] != '\0' || ((j & 1) == 0 && val < 1) || ((j & 1) == 1 && val < 0)) {
      *err = "Invalid save parameters";
      return 0;
    }
  }
  if (!ctx.reading_config_file) {
    c->save_params.clear();
  } else if (ctx.save_loaded && !*ctx.save_loaded) {
    // In a config file the first `save` line replaces the defaults and the
    // following ones add to it.
    *ctx.save_loaded = true;
    c->save_params.clear();
  }
  for (size_t j = 0; j < argc; j += 2) {
    Config::SaveParam p;
    p.seconds = std::strtoll(args[j].c_str(), nullptr, 10);
    p.changes = static_cast<int>(std::strtoll(args[j + 1].c_str(), nullptr, 10));
    c->save_params.push_back(p);
  }
  return 1;
}

int ClientTypeByName(std::string_view name) {
  // getClientTypeByName(): 0 normal, 1 slave/replica, 2 pubsub, 3 master.
  if (EqualsNoCase(name, "normal")) return 0;
  if (EqualsNoCase(name, "slave") || EqualsNoCase(name, "replica")) return 1;
  if (EqualsNoCase(name, "pubsub")) return 2;
  if (EqualsNoCase(name, "master")) return 3;
  return -1;
}

Config::ClientOutputBufferLimit* CoblByClass(Config* c, int cls) {
  switch (cls) {
    case 0: return &c->cobl_normal;
    case 1: return &c->cobl_replica;
    default: return &c->cobl_pubsub;
  }
}

int SetClientOutputBufferLimit(const std::vector<std::string>& args, const SlotContext& ctx,
                               std::string* err) {
  if (args.size() % 4) {
    *err = "Wrong number of arguments in buffer limit configuration.";
    return 0;
  }
  Config::ClientOutputBufferLimit values[3];
  bool classes[3] = {false, false, false};
  for (size_t j = 0; j < args.size(); j += 4) {
    int cls = ClientTypeByName(CStr(args[j]));
    if (cls == -1 || cls == 3) {
      *err = "Invalid client class specified in buffer limit configuration.";
      return 0;
    }
    unsigned long long hard = 0, soft = 0;
    bool hard_ok = MemToUll(args[j + 1], &hard);
    bool soft_ok = MemToUll(args[j + 2], &soft);
    char* end = nullptr;
    // Redis keeps soft_seconds in an int: larger values wrap.
    int soft_seconds = static_cast<int>(std::strtoll(args[j + 3].c_str(), &end, 10));
    if (!hard_ok || !soft_ok || soft_seconds < 0 || *end != '\0') {
      *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return 0;
    }
    values[cls] = {hard, soft, soft_seconds};
    classes[cls] = true;
  }
  for (int j = 0; j < 3; j++) {
    if (classes[j]) *CoblByClass(ctx.cfg, j) = values[j];
  }
  return 1;
}

int SetOomScoreAdjValues(const std::vector<std::string>& args, const SlotContext& ctx,
                         std::string* err) {
  if (args.size() != 3) {
    *err = "wrong number of arguments";
    return 0;
  }
  int values[3];
  for (int i = 0; i < 3; i++) {
    char* end = nullptr;
    long long val = std::strtoll(args[i].c_str(), &end, 10);
    if (*end != '\0' || val < -2000 || val > 2000) {
      *err = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
      return 0;
    }
    values[i] = static_cast<int>(val);
  }
  bool change = false;
  for (int i = 0; i < 3; i++) {
    if (ctx.cfg->oom_score_adj_values[i] != values[i]) {
      ctx.cfg->oom_score_adj_values[i] = values[i];
      change = true;
    }
  }
  return change ? 1 : 2;
}

int KeyspaceEventsStringToFlags(std::string_view classes) {
  int flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A': flags |= kNotifyAll; break;
      case 'g': flags |= kNotifyGeneric; break;
      case '$': flags |= kNotifyString; break;
      case 'l': flags |= kNotifyList; break;
      case 's': flags |= kNotifySet; break;
      case 'h': flags |= kNotifyHash; break;
      case 'z': flags |= kNotifyZset; break;
      case 'x': flags |= kNotifyExpired; break;
      case 'e': flags |= kNotifyEvicted; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 't': flags |= kNotifyStream; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      case 'd': flags |= kNotifyModule; break;
      case 'n': flags |= kNotifyNew; break;
      default: return -1;
    }
  }
  return flags;
}

std::string KeyspaceEventsFlagsToString(int flags) {
  std::string res;
  if ((flags & kNotifyAll) == kNotifyAll) {
    res.push_back('A');
  } else {
    if (flags & kNotifyGeneric) res.push_back('g');
    if (flags & kNotifyString) res.push_back('$');
    if (flags & kNotifyList) res.push_back('l');
    if (flags & kNotifySet) res.push_back('s');
    if (flags & kNotifyHash) res.push_back('h');
    if (flags & kNotifyZset) res.push_back('z');
    if (flags & kNotifyExpired) res.push_back('x');
    if (flags & kNotifyEvicted) res.push_back('e');
    if (flags & kNotifyStream) res.push_back('t');
    if (flags & kNotifyModule) res.push_back('d');
    if (flags & kNotifyNew) res.push_back('n');
  }
  if (flags & kNotifyKeyspace) res.push_back('K');
  if (flags & kNotifyKeyevent) res.push_back('E');
  if (flags & kNotifyKeyMiss) res.push_back('m');
  return res;
}

int SetNotifyKeyspaceEvents(const std::vector<std::string>& args, const SlotContext& ctx,
                            std::string* err) {
  if (args.size() != 1) {
    *err = "wrong number of arguments";
    return 0;
  }
  int flags = KeyspaceEventsStringToFlags(CStr(args[0]));
  if (flags == -1) {
    *err = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    return 0;
  }
  ctx.cfg->notify_keyspace_events = flags;
  return 1;
}

int SetBind(const std::vector<std::string>& args, const SlotContext& ctx, std::string* err) {
  constexpr size_t kBindAddrMax = 16;
  if (args.size() > kBindAddrMax) {
    *err = "Too many bind addresses specified.";
    return 0;
  }
  // A single empty argument means no bind address at all.
  if (args.size() == 1 && args[0].empty()) {
    ctx.cfg->bind.clear();
    return 1;
  }
  ctx.cfg->bind.clear();
  for (const std::string& a : args) ctx.cfg->bind.emplace_back(CStr(a));
  return 1;
}

int SetReplicaOf(const std::vector<std::string>& args, const SlotContext& ctx, std::string* err) {
  if (args.size() != 2) {
    *err = "wrong number of arguments";
    return 0;
  }
  Config* c = ctx.cfg;
  c->masterhost.clear();
  if (EqualsNoCase(CStr(args[0]), "no") && EqualsNoCase(CStr(args[1]), "one")) return 1;
  char* end = nullptr;
  c->masterport = static_cast<int>(std::strtol(args[1].c_str(), &end, 10));
  if (c->masterport < 0 || c->masterport > 65535 || *end != '\0') {
    *err = "Invalid master port";
    return 0;
  }
  c->masterhost = std::string(CStr(args[0]));
  return 1;
}

// Redis string2d().
bool StringToDoubleStrict(const std::string& s, double* out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (static_cast<size_t>(end - s.c_str()) != s.size()) return false;
  if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL || std::fpclassify(d) == FP_ZERO)) return false;
  if (std::isnan(d)) return false;
  *out = d;
  return true;
}

int SetLatencyTrackingInfoPercentiles(const std::vector<std::string>& args, const SlotContext& ctx,
                                      std::string* err) {
  std::vector<double>& p = ctx.cfg->latency_tracking_info_percentiles;
  p.clear();
  // A single "" means an empty list.
  if (args.size() == 1 && args[0].empty()) return 1;
  for (const std::string& a : args) {
    double d;
    if (!StringToDoubleStrict(a, &d)) {
      *err = "Invalid latency-tracking-info-percentiles parameters";
      p.clear();
      return 0;
    }
    if (d > 100.0 || d < 0.0) {
      *err = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
      p.clear();
      return 0;
    }
    p.push_back(d);
  }
  return 1;
}

// "%f" with trailing zeroes (and a bare '.') removed: trimDoubleString().
std::string FormatPercentile(double d) {
  char buf[128];
  int len = std::snprintf(buf, sizeof(buf), "%f", d);
  std::string s(buf, len);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

std::string GetSpecial(const Slot& slot, const SlotContext& ctx) {
  const Config& c = *ctx.cfg;
  std::string out;
  switch (slot.def->special) {
    case Special::kDir:
      return Cwd();
    case Special::kSave:
      for (size_t j = 0; j < c.save_params.size(); j++) {
        if (j) out.push_back(' ');
        out += std::to_string(c.save_params[j].seconds) + " " + std::to_string(c.save_params[j].changes);
      }
      return out;
    case Special::kClientOutputBufferLimit: {
      const char* names[3] = {"normal", "slave", "pubsub"};
      const Config::ClientOutputBufferLimit* v[3] = {&c.cobl_normal, &c.cobl_replica, &c.cobl_pubsub};
      for (int j = 0; j < 3; j++) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "%s%s %llu %llu %lld", j ? " " : "", names[j], v[j]->hard,
                      v[j]->soft, v[j]->soft_seconds);
        out += buf;
      }
      return out;
    }
    case Special::kOomScoreAdjValues:
      for (int j = 0; j < 3; j++) {
        if (j) out.push_back(' ');
        out += std::to_string(c.oom_score_adj_values[j]);
      }
      return out;
    case Special::kNotifyKeyspaceEvents:
      return KeyspaceEventsFlagsToString(c.notify_keyspace_events);
    case Special::kBind:
      for (size_t j = 0; j < c.bind.size(); j++) {
        if (j) out.push_back(' ');
        out += c.bind[j];
      }
      return out;
    case Special::kReplicaOf:
      if (c.masterhost.empty()) return out;
      return c.masterhost + " " + std::to_string(c.masterport);
    case Special::kLatencyTrackingInfoPercentiles:
      for (size_t j = 0; j < c.latency_tracking_info_percentiles.size(); j++) {
        if (j) out.push_back(' ');
        out += FormatPercentile(c.latency_tracking_info_percentiles[j]);
      }
      return out;
    case Special::kNone:
      break;
  }
  return out;
}

void RewriteSpecial(const Slot& slot, std::string_view name, const SlotContext& ctx, RewriteState* state) {
  const Config& c = *ctx.cfg;
  const std::string n(name);
  switch (slot.def->special) {
    case Special::kDir: {
      // Always written, as an absolute path.
      char buf[1024];
      if (getcwd(buf, sizeof(buf)) == nullptr) {
        state->MarkProcessed(name);
        return;
      }
      state->RewriteLine(name, n + " " + base::Repr(buf), true);
      return;
    }
    case Special::kSave:
      // An empty list is written as save "" so the defaults don't come back.
      if (c.save_params.empty()) {
        state->RewriteLine(name, "save \"\"", true);
      } else {
        for (const Config::SaveParam& p : c.save_params) {
          state->RewriteLine(name, "save " + std::to_string(p.seconds) + " " + std::to_string(p.changes), true);
        }
      }
      state->MarkProcessed(name);
      return;
    case Special::kClientOutputBufferLimit: {
      const Config::ClientOutputBufferLimit defaults[3] = {
          {0, 0, 0}, {256ull << 20, 64ull << 20, 60}, {32ull << 20, 8ull << 20, 60}};
      const Config::ClientOutputBufferLimit* v[3] = {&c.cobl_normal, &c.cobl_replica, &c.cobl_pubsub};
      const char* names[3] = {"normal", "replica", "pubsub"};
      for (int j = 0; j < 3; j++) {
        bool force = v[j]->hard != defaults[j].hard || v[j]->soft != defaults[j].soft ||
                     v[j]->soft_seconds != defaults[j].soft_seconds;
        std::string line = n + " " + names[j] + " " + FormatMemory(static_cast<long long>(v[j]->hard)) +
                           " " + FormatMemory(static_cast<long long>(v[j]->soft)) + " " +
                           std::to_string(v[j]->soft_seconds);
        state->RewriteLine(name, std::move(line), force);
      }
      return;
    }
    case Special::kOomScoreAdjValues: {
      const int defaults[3] = {0, 200, 800};
      bool force = false;
      std::string line = n + " ";
      for (int j = 0; j < 3; j++) {
        if (c.oom_score_adj_values[j] != defaults[j]) force = true;
        line += std::to_string(c.oom_score_adj_values[j]);
        if (j != 2) line.push_back(' ');
      }
      state->RewriteLine(name, std::move(line), force);
      return;
    }
    case Special::kNotifyKeyspaceEvents: {
      std::string line = n + " " + base::Repr(KeyspaceEventsFlagsToString(c.notify_keyspace_events));
      state->RewriteLine(name, std::move(line), c.notify_keyspace_events != 0);
      return;
    }
    case Special::kBind: {
      // The default bind is not written (and old bind lines are dropped).
      if (c.bind.size() == 2 && c.bind[0] == "*" && c.bind[1] == "-::*") {
        state->MarkProcessed(name);
        return;
      }
      std::string line = n + " ";
      if (c.bind.empty()) {
        line += "\"\"";
      } else {
        for (size_t j = 0; j < c.bind.size(); j++) {
          if (j) line.push_back(' ');
          line += c.bind[j];
        }
      }
      state->RewriteLine(name, std::move(line), true);
      return;
    }
    case Special::kReplicaOf:
      // A master (or a cluster node) has no replicaof line at all.
      if (c.cluster_enabled || c.masterhost.empty()) {
        state->MarkProcessed(name);
        return;
      }
      state->RewriteLine(name, n + " " + c.masterhost + " " + std::to_string(c.masterport), true);
      return;
    case Special::kLatencyTrackingInfoPercentiles: {
      std::string line = n;
      if (c.latency_tracking_info_percentiles.empty()) {
        line += " \"\"";
      } else {
        for (double d : c.latency_tracking_info_percentiles) line += " " + FormatPercentile(d);
      }
      state->RewriteLine(name, std::move(line), true);
      return;
    }
    case Special::kNone:
      return;
  }
}

}  // namespace

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool MemToUll(const std::string& str, unsigned long long* out) {
  const char* p = str.c_str();
  // memtoull(): digits then an optional unit; "-" rejected up front.
  if (*p == '-') return false;
  const char* u = p;
  while (*u && std::isdigit(static_cast<unsigned char>(*u))) u++;
  std::string_view unit(u);
  unsigned long long mul;
  if (unit.empty() || EqualsNoCase(unit, "b")) {
    mul = 1;
  } else if (EqualsNoCase(unit, "k")) {
    mul = 1000;
  } else if (EqualsNoCase(unit, "kb")) {
    mul = 1024;
  } else if (EqualsNoCase(unit, "m")) {
    mul = 1000ull * 1000;
  } else if (EqualsNoCase(unit, "mb")) {
    mul = 1024ull * 1024;
  } else if (EqualsNoCase(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (EqualsNoCase(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  size_t digits = static_cast<size_t>(u - p);
  if (digits >= 128) return false;
  std::string buf(p, digits);
  char* end = nullptr;
  errno = 0;
  unsigned long long val = std::strtoull(buf.c_str(), &end, 10);
  if ((val == 0 && errno == EINVAL) || *end != '\0') return false;
  // Redis 7.0.15 checks neither ERANGE nor the multiplication: "kb" is 0,
  // an overlong number saturates, a huge "...gb" wraps around.
  *out = val * mul;
  return true;
}

bool StringToLL(std::string_view s, long long* value) {
  constexpr size_t kLongStrSize = 21;
  size_t slen = s.size();
  if (slen == 0 || slen >= kLongStrSize) return false;
  if (slen == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i++;
    if (i == slen) return false;
  }
  unsigned long long v;
  if (s[i] >= '1' && s[i] <= '9') {
    v = static_cast<unsigned long long>(s[i] - '0');
    i++;
  } else {
    return false;
  }
  while (i < slen && s[i] >= '0' && s[i] <= '9') {
    if (v > ULLONG_MAX / 10) return false;
    v *= 10;
    if (v > ULLONG_MAX - static_cast<unsigned long long>(s[i] - '0')) return false;
    v += static_cast<unsigned long long>(s[i] - '0');
    i++;
  }
  if (i < slen) return false;
  if (negative) {
    if (v > static_cast<unsigned long long>(-(LLONG_MIN + 1)) + 1) return false;
    *value = static_cast<long long>(0ull - v);
  } else {
    if (v > static_cast<unsigned long long>(LLONG_MAX)) return false;
    *value = static_cast<long long>(v);
  }
  return true;
}

std::optional<std::string> ExpandTemplate(
    std::string_view tmpl, const std::function<std::optional<std::string>(std::string_view)>& var) {
  // sdstemplate(): {name} is replaced, {{ is a literal '{', a '}' outside a
  // variable is literal; an unterminated variable or an unknown name fails.
  std::string res;
  size_t p = 0;
  while (p < tmpl.size()) {
    size_t sv = tmpl.find('{', p);
    if (sv == std::string_view::npos) {
      res.append(tmpl.substr(p));
      break;
    }
    res.append(tmpl.substr(p, sv - p));
    sv++;
    if (sv >= tmpl.size()) return std::nullopt;
    if (tmpl[sv] == '{') {
      res.push_back('{');
      p = sv + 1;
      continue;
    }
    size_t ev = tmpl.find('}', sv);
    if (ev == std::string_view::npos) return std::nullopt;
    std::optional<std::string> value = var(tmpl.substr(sv, ev - sv));
    if (!value) return std::nullopt;
    res += *value;
    p = ev + 1;
  }
  // expandProcTitleTemplate() trims spaces on both ends.
  size_t b = res.find_first_not_of(' ');
  if (b == std::string::npos) return std::string();
  size_t e = res.find_last_not_of(' ');
  return res.substr(b, e - b + 1);
}

void InitSlot(Slot* slot, const SlotContext& ctx) {
  const ConfigDef& d = *slot->def;
  Config* c = ctx.cfg;
  switch (d.type) {
    case ConfigType::kBool: BoolRef(slot) = d.bool_default; return;
    case ConfigType::kString: StrRef(slot) = d.str_default ? d.str_default : ""; return;
    case ConfigType::kEnum: IntRef(slot) = d.enum_default; return;
    case ConfigType::kNumeric: WriteNum(slot, d.num_default); return;
    case ConfigType::kSpecial: break;
  }
  switch (d.special) {
    case Special::kDir: c->dir = Cwd(); return;
    case Special::kSave: c->save_params = {{3600, 1}, {300, 100}, {60, 10000}}; return;
    case Special::kClientOutputBufferLimit:
      c->cobl_normal = {0, 0, 0};
      c->cobl_replica = {256ull << 20, 64ull << 20, 60};
      c->cobl_pubsub = {32ull << 20, 8ull << 20, 60};
      return;
    case Special::kOomScoreAdjValues: c->oom_score_adj_values = {0, 200, 800}; return;
    case Special::kNotifyKeyspaceEvents: c->notify_keyspace_events = 0; return;
    case Special::kBind: c->bind = {"*", "-::*"}; return;
    case Special::kReplicaOf:
      c->masterhost.clear();
      c->masterport = 6379;
      return;
    case Special::kLatencyTrackingInfoPercentiles:
      c->latency_tracking_info_percentiles = {50.0, 99.0, 99.9};
      return;
    case Special::kNone: return;
  }
}

int SetSlot(Slot* slot, const std::vector<std::string>& args, const SlotContext& ctx, std::string* err) {
  const ConfigDef& d = *slot->def;
  switch (d.type) {
    case ConfigType::kBool: {
      std::string_view v = CStr(args[0]);
      int yn = EqualsNoCase(v, "yes") ? 1 : EqualsNoCase(v, "no") ? 0 : -1;
      if (yn == -1) {
        *err = "argument must be 'yes' or 'no'";
        return 0;
      }
      if (d.int_valid && !d.int_valid(yn, err)) return 0;
      if (BoolVal(*slot) != static_cast<bool>(yn)) {
        BoolRef(slot) = yn;
        return 1;
      }
      return 2;
    }
    case ConfigType::kString: {
      if (d.str_valid && !d.str_valid(args[0], ctx, err)) return 0;
      // Redis keeps C strings: the value ends at its first NUL (except its
      // SDS configs, kept whole). An empty value of an EMPTY_STRING_IS_NULL
      // config is NULL, printed as "".
      std::string v = (d.flags & kBinarySafe) ? args[0] : std::string(CStr(args[0]));
      if (StrVal(*slot) != v) {
        StrRef(slot) = std::move(v);
        return 1;
      }
      return 2;
    }
    case ConfigType::kEnum: {
      bool bitflags = (d.flags & kMultiArg) != 0;
      int v = EnumGetValue(d.enum_items, args, bitflags);
      if (v == kEnumInvalid) {
        std::string e = "argument(s) must be one of the following: ";
        for (const EnumItem* it = d.enum_items; it->name != nullptr; it++) {
          e += it->name;
          e += ", ";
        }
        e.resize(e.size() - 2);
        if (e.size() > 255) e.resize(255);  // Redis's 256-byte static buffer
        *err = e;
        return 0;
      }
      if (d.int_valid && !d.int_valid(v, err)) return 0;
      if (IntVal(*slot) != v) {
        IntRef(slot) = v;
        return 1;
      }
      return 2;
    }
    case ConfigType::kNumeric: {
      long long ll;
      if (!NumericParse(d, args[0], &ll, err)) return 0;
      if (!NumericBoundaryCheck(d, ll, err)) return 0;
      if (d.int_valid && !d.int_valid(ll, err)) return 0;
      if (ReadNum(*slot) != ll) {
        WriteNum(slot, ll);
        return 1;
      }
      return 2;
    }
    case ConfigType::kSpecial:
      break;
  }
  switch (d.special) {
    case Special::kDir: return SetDir(args, ctx, err);
    case Special::kSave: return SetSave(args, ctx, err);
    case Special::kClientOutputBufferLimit: return SetClientOutputBufferLimit(args, ctx, err);
    case Special::kOomScoreAdjValues: return SetOomScoreAdjValues(args, ctx, err);
    case Special::kNotifyKeyspaceEvents: return SetNotifyKeyspaceEvents(args, ctx, err);
    case Special::kBind: return SetBind(args, ctx, err);
    case Special::kReplicaOf: return SetReplicaOf(args, ctx, err);
    case Special::kLatencyTrackingInfoPercentiles: return SetLatencyTrackingInfoPercentiles(args, ctx, err);
    case Special::kNone: break;
  }
  return 0;
}

std::string GetSlot(const Slot& slot, const SlotContext& ctx) {
  const ConfigDef& d = *slot.def;
  switch (d.type) {
    case ConfigType::kBool: return BoolVal(slot) ? "yes" : "no";
    case ConfigType::kString: return StrVal(slot);
    case ConfigType::kEnum: return EnumGetName(d.enum_items, IntVal(slot), (d.flags & kMultiArg) != 0);
    case ConfigType::kNumeric: {
      long long v = ReadNum(slot);
      char buf[64];
      if ((d.num_flags & kNumPercent) && v < 0) {
        std::snprintf(buf, sizeof(buf), "%lld%%", -v);
      } else if (d.num_flags & kNumMemory) {
        std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(v));
      } else if (d.num_flags & kNumOctal) {
        std::snprintf(buf, sizeof(buf), "%llo", static_cast<unsigned long long>(v));
      } else {
        std::snprintf(buf, sizeof(buf), "%lld", v);
      }
      return buf;
    }
    case ConfigType::kSpecial: return GetSpecial(slot, ctx);
  }
  return std::string();
}

void RewriteSlot(const Slot& slot, std::string_view name, const SlotContext& ctx, RewriteState* state) {
  const ConfigDef& d = *slot.def;
  const std::string n(name);
  switch (d.type) {
    case ConfigType::kBool: {
      bool v = BoolVal(slot);
      state->RewriteLine(name, n + (v ? " yes" : " no"), v != d.bool_default);
      return;
    }
    case ConfigType::kString: {
      const std::string& v = StrVal(slot);
      // A NULL string must be absent from the file to stay NULL.
      if (d.empty_is_null && v.empty()) {
        state->MarkProcessed(name);
        return;
      }
      bool force = !(d.str_default != nullptr && v == d.str_default);
      state->RewriteLine(name, n + " " + base::Repr(v), force);
      return;
    }
    case ConfigType::kEnum: {
      int v = IntVal(slot);
      std::string line = n + " " + EnumGetName(d.enum_items, v, (d.flags & kMultiArg) != 0);
      state->RewriteLine(name, std::move(line), v != d.enum_default);
      return;
    }
    case ConfigType::kNumeric: {
      long long v = ReadNum(slot);
      char buf[64];
      if ((d.num_flags & kNumPercent) && v < 0) {
        std::snprintf(buf, sizeof(buf), " %lld%%", -v);
        state->RewriteLine(name, n + buf, -v != d.num_default);
      } else if (d.num_flags & kNumMemory) {
        state->RewriteLine(name, n + " " + FormatMemory(v), v != d.num_default);
      } else if (d.num_flags & kNumOctal) {
        std::snprintf(buf, sizeof(buf), " %llo", static_cast<unsigned long long>(v));
        state->RewriteLine(name, n + buf, v != d.num_default);
      } else {
        state->RewriteLine(name, n + " " + std::to_string(v), v != d.num_default);
      }
      return;
    }
    case ConfigType::kSpecial:
      RewriteSpecial(slot, name, ctx, state);
      return;
  }
}

// ---------------------------------------------------------------------------
// RewriteState (Redis's rewriteConfigRewriteLine & co).
// ---------------------------------------------------------------------------
void RewriteState::MarkProcessed(std::string_view option) { rewritten.insert(ToLower(option)); }

void RewriteState::RewriteLine(std::string_view option, std::string line, bool force) {
  std::string key = ToLower(option);
  rewritten.insert(key);
  auto it = option_to_line.find(key);
  // Not in the file and at its default (unless everything is forced).
  if (it == option_to_line.end() && !force && !force_write) return;
  if (it != option_to_line.end()) {
    size_t linenum = it->second.front();
    it->second.pop_front();
    if (it->second.empty()) option_to_line.erase(it);
    lines[linenum] = std::move(line);
    return;
  }
  if (needs_signature) {
    lines.emplace_back(kRewriteSignature);
    needs_signature = false;
  }
  lines.push_back(std::move(line));
}

void RewriteState::RemoveOrphaned() {
  for (auto& [option, linenums] : option_to_line) {
    // Lines of options the rewrite does not handle stay untouched.
    if (rewritten.count(option) == 0) continue;
    for (size_t l : linenums) lines[l].clear();
    linenums.clear();
  }
}

std::string RewriteState::Content() const {
  std::string content;
  bool was_empty = false;
  for (const std::string& l : lines) {
    if (l.empty()) {
      if (was_empty) continue;
      was_empty = true;
    } else {
      was_empty = false;
    }
    content += l;
    content.push_back('\n');
  }
  return content;
}

}  // namespace vireo::server::config_internal