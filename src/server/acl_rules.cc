// ACL rules: the command-ID space over the reference command table, the
// categories, Redis's ACLSetUser / ACLSetSelector rule language, and the
// describe functions that print a user back as rules (acl.h).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>

#include "base/ascii.h"
#include "base/sha256.h"
#include "base/split_args.h"
#include "server/acl.h"
#include "server/command.h"
#include "server/command_meta.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server::acl {

namespace {

constexpr const char* kCategories[] = {
    "keyspace", "read",     "write",     "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap",   "hyperloglog", "geo",     "stream",     "pubsub",      "admin",
    "fast",     "slow",     "blocking",  "dangerous", "connection", "transaction", "scripting"};
constexpr int kNumCategories = sizeof(kCategories) / sizeof(kCategories[0]);

// The reference table as a tree: top-level IDs, each with its
// subcommands' IDs, and a name index ("get", "config|get").
struct CmdIndex {
  std::vector<int> top;
  std::vector<std::vector<int>> subs;  // by ID
  std::vector<std::string> fullname;   // by ID
  std::unordered_map<std::string, int> by_name;
  std::vector<bool> active;  // by ID: exists in the server's mode
  CmdIndex() {
    size_t n = kCommandMetaCount;
    subs.resize(n);
    fullname.resize(n);
    active.resize(n);
    // Why: like Redis's command table, ACL knows only the commands of the
    // mode the server runs in (SENTINEL only in sentinel mode, GET only
    // outside it). Built on first use, after main chose the mode.
    bool sentinel = g_server && g_server->commands().sentinel_mode();
    for (size_t i = 0; i < n; i++) {
      const CommandMeta& m = kCommandMeta[i];
      active[i] = InCommandMode(m, sentinel);
      fullname[i] = m.parent ? std::string(m.parent) + "|" + m.name : std::string(m.name);
      if (active[i]) by_name[fullname[i]] = static_cast<int>(i);
    }
    for (size_t i = 0; i < n; i++) {
      const CommandMeta& m = kCommandMeta[i];
      if (!active[i]) continue;
      if (!m.parent) {
        top.push_back(static_cast<int>(i));
      } else if (auto it = by_name.find(m.parent); it != by_name.end()) {
        subs[static_cast<size_t>(it->second)].push_back(static_cast<int>(i));
      }
    }
  }
  int Find(std::string_view name) const {
    std::string low(name);
    for (char& ch : low) ch = base::AsciiLower(ch);
    auto it = by_name.find(low);
    return it == by_name.end() ? -1 : it->second;
  }
};

const CmdIndex& Index() {
  static const CmdIndex idx;
  return idx;
}


bool PubsubDefaultAll() {
  if (!g_server) return false;
  auto v = g_server->config.Get({"acl-pubsub-default"});
  return !v.empty() && v[0].second == "allchannels";
}

Selector NewSelector(uint32_t flags) {
  Selector s;
  s.flags = flags | (PubsubDefaultAll() ? static_cast<uint32_t>(kSelAllChannels) : 0u);
  return s;
}

// Redis's ACLChangeSelectorPerm: a container carries its subcommands.
void ChangePerm(Selector* s, int id, bool allow) {
  s->SetBit(id, allow);
  s->firstargs.erase(id);
  for (int sub : Index().subs[static_cast<size_t>(id)]) s->SetBit(sub, allow);
}

void SetCategory(Selector* s, uint64_t flag, bool allow) {
  const CmdIndex& ix = Index();
  for (int id : ix.top) {
    if (kCommandMeta[id].acl_categories & flag) ChangePerm(s, id, allow);
    for (int sub : ix.subs[static_cast<size_t>(id)])
      if (kCommandMeta[sub].acl_categories & flag) ChangePerm(s, sub, allow);
  }
}

void CountCategory(const Selector& s, uint64_t flag, unsigned long* on, unsigned long* off) {
  *on = *off = 0;
  const CmdIndex& ix = Index();
  for (size_t id = 0; id < kCommandMetaCount; id++) {
    if (!ix.active[id] || !(kCommandMeta[id].acl_categories & flag)) continue;
    if (s.Bit(static_cast<int>(id)))
      (*on)++;
    else
      (*off)++;
  }
}

bool IsHash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char ch : h)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

constexpr const char* kErrNotFound = err::kAclUnknownName;
constexpr const char* kErrSyntax = err::kAclSyntax;

bool SelectorRule(Selector* s, std::string_view op, std::string* err, bool* not_found) {
  auto fail = [&](const char* msg) {
    *err = msg;
    if (not_found && msg == kErrNotFound) *not_found = true;
    return false;
  };
  const CmdIndex& ix = Index();
  if (base::EqNoCase(op, "allkeys") || op == "~*") {
    s->flags |= kSelAllKeys;
    s->keys.clear();
  } else if (base::EqNoCase(op, "resetkeys")) {
    s->flags &= ~kSelAllKeys;
    s->keys.clear();
  } else if (base::EqNoCase(op, "allchannels") || op == "&*") {
    s->flags |= kSelAllChannels;
    s->channels.clear();
  } else if (base::EqNoCase(op, "resetchannels")) {
    s->flags &= ~kSelAllChannels;
    s->channels.clear();
  } else if (base::EqNoCase(op, "allcommands") || base::EqNoCase(op, "+@all")) {
    std::fill(std::begin(s->allowed), std::end(s->allowed), ~0ull);
    s->flags |= kSelAllCommands;
    s->firstargs.clear();
  } else if (base::EqNoCase(op, "nocommands") || base::EqNoCase(op, "-@all")) {
    std::fill(std::begin(s->allowed), std::end(s->allowed), 0ull);
    s->flags &= ~kSelAllCommands;
    s->firstargs.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (s->flags & kSelAllKeys)
      return fail(err::kAclKeyAfterAll);
    int flags = 0;
    size_t off = 1;
    if (op[0] == '%') {
      for (; off < op.size(); off++) {
        char ch = static_cast<char>(toupper(static_cast<unsigned char>(op[off])));
        if (ch == 'R' && !(flags & kPermRead)) {
          flags |= kPermRead;
        } else if (ch == 'W' && !(flags & kPermWrite)) {
          flags |= kPermWrite;
        } else if (op[off] == '~') {
          off++;
          break;
        } else {
          return fail(kErrSyntax);
        }
      }
    } else {
      flags = kPermAll;
    }
    std::string_view pat = op.substr(std::min(off, op.size()));
    if (HasSpaces(pat)) return fail(kErrSyntax);
    auto it = std::find_if(s->keys.begin(), s->keys.end(),
                           [&](const KeyPattern& k) { return k.pattern == pat; });
    if (it == s->keys.end()) {
      s->keys.push_back({std::string(pat), flags});
      ClassifyPattern(&s->keys.back());
    }
    else
      it->flags |= flags;
    s->flags &= ~kSelAllKeys;
  } else if (op[0] == '&') {
    if (s->flags & kSelAllChannels)
      return fail(err::kAclChannelAfterAll);
    std::string_view pat = op.substr(1);
    if (HasSpaces(pat)) return fail(kErrSyntax);
    if (std::find(s->channels.begin(), s->channels.end(), pat) == s->channels.end())
      s->channels.emplace_back(pat);
    s->flags &= ~kSelAllChannels;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view name = op.substr(1);
    size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      int id = ix.Find(name);
      if (id < 0) return fail(kErrNotFound);
      ChangePerm(s, id, true);
    } else {
      std::string_view parent = name.substr(0, bar), sub = name.substr(bar + 1);
      int id = ix.Find(parent);
      if (id < 0) return fail(kErrNotFound);
      if (kCommandMeta[id].parent) return fail(err::kAclFirstArgOfSub);
      if (sub.empty()) return fail(kErrSyntax);
      if (!ix.subs[static_cast<size_t>(id)].empty()) {
        int sid = ix.Find(name);
        if (sid < 0) return fail(kErrNotFound);
        ChangePerm(s, sid, true);
      } else {
        // Why: Redis 7.0 still allows a first argument of a plain command
        // (+select|0), case-insensitively deduplicated, with a warning.
        server::Log(LogLevel::kWarning,
                    "Deprecation warning: Allowing a first arg of an otherwise blocked command is a "
                    "misuse of ACL and may get disabled in the future (offender: +%.*s)",
                    static_cast<int>(name.size()), name.data());
        auto& v = s->firstargs[id];
        bool have = false;
        for (auto& a : v) have = have || base::EqNoCase(a, sub);
        if (!have) v.emplace_back(sub);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    int id = ix.Find(op.substr(1));
    if (id < 0) return fail(kErrNotFound);
    ChangePerm(s, id, false);
  } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
    uint64_t flag = CategoryFlag(op.substr(2));
    if (!flag) return fail(kErrNotFound);
    SetCategory(s, flag, op[0] == '+');
  } else {
    return fail(kErrSyntax);
  }
  return true;
}

}  // namespace

bool HasSpaces(std::string_view s) {
  for (char ch : s)
    if (isspace(static_cast<unsigned char>(ch)) || ch == '\0') return true;
  return false;
}

void Selector::SetBit(int id, bool on) {
  if (id < 0 || id >= kCommandBits) return;
  uint64_t bit = 1ull << (id % 64);
  if (on) {
    allowed[id / 64] |= bit;
  } else {
    allowed[id / 64] &= ~bit;
    flags &= ~kSelAllCommands;
  }
}

void User::Refresh() {
  const Selector& r = selectors[0];
  const uint32_t all = kSelAllCommands | kSelAllKeys | kSelAllChannels;
  superuser = (r.flags & all) == all;
  prefix_keys_only = selectors.size() == 1 && (r.flags & (kSelAllCommands | kSelAllKeys)) == kSelAllCommands;
  for (const KeyPattern& p : r.keys)
    if (p.prefix < 0 || p.flags != kPermAll) prefix_keys_only = false;
}

User::User() {
  flags = kUserOff;
  selectors.push_back(NewSelector(kSelRoot));
}

uint64_t CategoryFlag(std::string_view name) {
  for (int i = 0; i < kNumCategories; i++)
    if (base::EqNoCase(name, kCategories[i])) return 1ull << i;
  return 0;
}

const std::vector<const char*>& CategoryNames() {
  static const std::vector<const char*> v(std::begin(kCategories), std::end(kCategories));
  return v;
}

std::vector<std::string> CommandsInCategory(uint64_t flag) {
  const CmdIndex& ix = Index();
  std::vector<std::string> out;
  for (int id : ix.top) {
    if (kCommandMeta[id].acl_categories & flag) out.push_back(ix.fullname[static_cast<size_t>(id)]);
    for (int sub : ix.subs[static_cast<size_t>(id)])
      if (kCommandMeta[sub].acl_categories & flag) out.push_back(ix.fullname[static_cast<size_t>(sub)]);
  }
  return out;
}

int CommandId(const Command* cmd) {
  if (!cmd || !cmd->meta) return -1;
  return static_cast<int>(cmd->meta - kCommandMeta);
}

bool ApplyRule(User* u, std::string_view op, std::string* err, bool* not_found) {
  if (op.empty()) return true;  // Why: an empty rule is a no-op in Redis.
  if (base::EqNoCase(op, "on")) {
    u->flags = (u->flags | kUserOn) & ~kUserOff;
  } else if (base::EqNoCase(op, "off")) {
    u->flags = (u->flags | kUserOff) & ~kUserOn;
  } else if (base::EqNoCase(op, "skip-sanitize-payload")) {
    u->flags = (u->flags | kUserSkipSanitize) & ~kUserSanitize;
  } else if (base::EqNoCase(op, "sanitize-payload")) {
    u->flags = (u->flags | kUserSanitize) & ~kUserSkipSanitize;
  } else if (base::EqNoCase(op, "nopass")) {
    u->flags |= kUserNopass;
    u->passwords.clear();
  } else if (base::EqNoCase(op, "resetpass")) {
    u->flags &= ~kUserNopass;
    u->passwords.clear();
  } else if (op[0] == '>' || op[0] == '#' || op[0] == '<' || op[0] == '!') {
    // >pass / #hash add a password, <pass / !hash remove one.
    bool add = op[0] == '>' || op[0] == '#';
    std::string hash;
    if (op[0] == '>' || op[0] == '<') {
      hash = base::Sha256Hex(op.substr(1));
    } else if (IsHash(op.substr(1))) {
      hash = std::string(op.substr(1));
    } else {
      *err = err::kAclBadHash;
      return false;
    }
    auto it = std::find(u->passwords.begin(), u->passwords.end(), hash);
    if (add) {
      if (it == u->passwords.end()) u->passwords.push_back(std::move(hash));
      u->flags &= ~kUserNopass;
    } else if (it == u->passwords.end()) {
      *err = err::kAclNoSuchPassword;
      return false;
    } else {
      u->passwords.erase(it);
    }
  } else if (op[0] == '(' && op.back() == ')') {
    Selector s = NewSelector(0);
    std::string inner(op.substr(1, op.size() - 2));
    std::vector<std::string> args = base::SplitArgs(inner).value_or(std::vector<std::string>{});
    for (const std::string& a : args)
      if (!SelectorRule(&s, a, err, not_found)) return false;
    u->selectors.push_back(std::move(s));
  } else if (base::EqNoCase(op, "clearselectors")) {
    u->selectors.resize(1);
  } else if (base::EqNoCase(op, "reset")) {
    std::string e;
    for (const char* r : {"resetpass", "resetkeys", "resetchannels"}) ApplyRule(u, r, &e);
    if (PubsubDefaultAll()) ApplyRule(u, "allchannels", &e);
    for (const char* r : {"off", "sanitize-payload", "clearselectors", "-@all"}) ApplyRule(u, r, &e);
  } else {
    if (!SelectorRule(&u->selectors[0], op, err, not_found)) return false;
  }
  u->Refresh();
  return true;
}

bool MergeSelectorArgs(const std::vector<std::string>& in, std::vector<std::string>* out, size_t* bad) {
  out->clear();
  std::string sel;
  bool open = false;
  size_t start = 0;
  for (size_t j = 0; j < in.size(); j++) {
    const std::string& op = in[j];
    if (!open && !op.empty() && op[0] == '(' && op.back() != ')') {
      sel = op;
      open = true;
      start = j;
      continue;
    }
    if (open) {
      sel += " " + op;
      if (!op.empty() && op.back() == ')') {
        open = false;
        out->push_back(std::move(sel));
      }
      continue;
    }
    out->push_back(op);
  }
  if (open) {
    if (bad) *bad = start;
    return false;
  }
  return true;
}

std::string PatternString(const KeyPattern& p) {
  const char* pre = p.flags == kPermAll ? "~" : p.flags == kPermRead ? "%R~" : "%W~";
  return pre + p.pattern;
}

// Redis's ACLDescribeSelectorCommandRules: start from +@all or -@all, add
// the best-fitting categories greedily, then the single commands that still
// differ (and the allowed first-args), replaying them on a scratch selector.
std::string DescribeCommandRules(const Selector& s) {
  const CmdIndex& ix = Index();
  std::string rules;
  Selector fake, temp;
  std::string e;
  bool additive = !s.Bit(kCommandBits - 1);
  rules = additive ? "-@all " : "+@all ";
  SelectorRule(&fake, additive ? "-@all" : "+@all", &e, nullptr);
  std::copy(std::begin(s.allowed), std::end(s.allowed), std::begin(temp.allowed));
  bool applied[kNumCategories] = {};
  while (true) {
    int best = -1;
    unsigned long mindiff = INT32_MAX, maxsame = 0;
    for (int j = 0; j < kNumCategories; j++) {
      if (applied[j]) continue;
      unsigned long on, off;
      CountCategory(temp, 1ull << j, &on, &off);
      unsigned long diff = additive ? off : on, same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = j;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best == -1) break;
    SetCategory(&fake, 1ull << best, additive);
    SetCategory(&temp, 1ull << best, !additive);
    rules += additive ? "+@" : "-@";
    rules += kCategories[best];
    rules += ' ';
    applied[best] = true;
  }
  auto single = [&](int id) {
    bool ubit = s.Bit(id), fbit = fake.Bit(id);
    if (ubit != fbit) {
      rules += ubit ? '+' : '-';
      rules += ix.fullname[static_cast<size_t>(id)];
      rules += ' ';
      ChangePerm(&fake, id, ubit);
    }
  };
  for (int id : ix.top) {
    single(id);
    for (int sub : ix.subs[static_cast<size_t>(id)]) single(sub);
    if (!s.Bit(id)) {
      auto it = s.firstargs.find(id);
      if (it != s.firstargs.end())
        for (const std::string& a : it->second) rules += "+" + ix.fullname[static_cast<size_t>(id)] + "|" + a + " ";
    }
  }
  if (!rules.empty()) rules.pop_back();
  return rules;
}

namespace {
std::string DescribeSelector(const Selector& s) {
  std::string res;
  if (s.flags & kSelAllKeys) {
    res += "~* ";
  } else {
    for (const KeyPattern& p : s.keys) res += PatternString(p) + " ";
  }
  if (s.flags & kSelAllChannels) {
    res += "&* ";
  } else {
    res += "resetchannels ";
    for (const std::string& ch : s.channels) res += "&" + ch + " ";
  }
  res += DescribeCommandRules(s);
  return res;
}
}  // namespace

std::string DescribeUser(const User& u) {
  std::string res;
  static constexpr std::pair<uint32_t, const char*> kFlags[] = {
      {kUserOn, "on"}, {kUserOff, "off"}, {kUserNopass, "nopass"},
      {kUserSkipSanitize, "skip-sanitize-payload"}, {kUserSanitize, "sanitize-payload"}};
  for (auto& [f, name] : kFlags)
    if (u.flags & f) res += std::string(name) + " ";
  for (const std::string& p : u.passwords) res += "#" + p + " ";
  for (size_t i = 0; i < u.selectors.size(); i++) {
    if (i == 0)
      res += DescribeSelector(u.selectors[i]);
    else
      res += " (" + DescribeSelector(u.selectors[i]) + ")";
  }
  return res;
}

}  // namespace vireo::server::acl
