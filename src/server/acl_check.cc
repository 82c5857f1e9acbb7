// The ACL permission check (Redis 7.0.15's ACLCheckAllUserCommandPerm and
// ACLSelectorCheckCmd) and the key extraction it needs: key positions from
// the command's key specs (db.c getKeysUsingKeySpecs), with Redis's native
// fallbacks where the specs are not enough (SET and BITFIELD have
// variable flags, SORT and MIGRATE incomplete specs). Channels come from
// argv for the publish/subscribe commands.
#include <cstring>

#include "base/ascii.h"
#include "base/glob.h"
#include "base/numbers.h"
#include "server/acl.h"
#include "server/command.h"
#include "server/client.h"
#include "server/command_meta.h"
#include "server/errors.h"

namespace vireo::server::acl {

namespace {

using Argv = std::vector<std::string_view>;

// Redis's setGetKeys: GET makes the key read too.
uint32_t SetKeyFlags(const Argv& argv) {
  uint32_t f = kKsOW | kKsUpdate;
  for (size_t i = 3; i < argv.size(); i++)
    if (base::EqNoCase(argv[i], "get")) f = kKsRW | kKsAccess | kKsUpdate;
  return f;
}

// Redis's bitfieldGetKeys: read-only when only GET / OVERFLOW are used.
uint32_t BitfieldKeyFlags(const Argv& argv) {
  bool readonly = true;
  int argc = static_cast<int>(argv.size());
  for (int i = 2; i < argc; i++) {
    int rem = argc - i - 1;
    if (base::EqNoCase(argv[i], "get") && rem >= 2) {
      i += 2;
    } else if ((base::EqNoCase(argv[i], "set") || base::EqNoCase(argv[i], "incrby")) && rem >= 3) {
      readonly = false;
      break;
    } else if (base::EqNoCase(argv[i], "overflow") && rem >= 1) {
      i += 1;
    } else {
      readonly = false;
      break;
    }
  }
  return readonly ? kKsRO | kKsAccess : kKsRW | kKsAccess | kKsUpdate;
}

// Redis's sortGetKeys: the key, and the STORE destination (the last one).
void SortKeys(const Argv& argv, std::vector<KeyRef>* out) {
  out->push_back({1, kKsRO | kKsAccess});
  int store = -1;
  int argc = static_cast<int>(argv.size());
  for (int i = 2; i < argc; i++) {
    int skip = 0;
    if (base::EqNoCase(argv[i], "limit")) skip = 2;
    else if (base::EqNoCase(argv[i], "get") || base::EqNoCase(argv[i], "by")) skip = 1;
    else if (base::EqNoCase(argv[i], "store") && i + 1 < argc) store = i + 1;
    i += skip;
  }
  if (store >= 0) out->push_back({store, kKsOW | kKsUpdate});
}

// Redis's migrateGetKeys: the key, or the KEYS list when the key is "".
void MigrateKeys(const Argv& argv, std::vector<KeyRef>* out) {
  const uint32_t f = kKsRW | kKsAccess | kKsDelete;
  int argc = static_cast<int>(argv.size());
  if (argc > 6 && argv[3].empty()) {
    for (int i = 6; i < argc; i++) {
      if (base::EqNoCase(argv[i], "keys")) {
        for (int k = i + 1; k < argc; k++) out->push_back({k, f});
        return;
      }
    }
  }
  out->push_back({3, f});
}

// getKeysUsingKeySpecs; false for an invalid / incomplete spec.
bool KeysFromSpecs(const CommandMeta& m, int arity, const Argv& argv, std::vector<KeyRef>* out) {
  int argc = static_cast<int>(argv.size());
  for (int j = 0; j < m.num_key_specs; j++) {
    const KeySpecMeta& ks = m.key_specs[j];
    if (ks.flags & kKsNotKey) continue;
    int first = 0, last, step;
    if (ks.bs_type == KeySpecMeta::kBsIndex) {
      first = ks.bs_index;
    } else if (ks.bs_type == KeySpecMeta::kBsKeyword) {
      int start = ks.bs_startfrom > 0 ? ks.bs_startfrom : argc + ks.bs_startfrom;
      int end = ks.bs_startfrom > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (base::EqNoCase(argv[i], ks.bs_keyword)) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else {
      return false;
    }
    if (ks.fk_type == KeySpecMeta::kFkRange) {
      step = ks.fk_keystep;
      if (ks.fk_lastkey >= 0)
        last = first + ks.fk_lastkey;
      else if (!ks.fk_limit)
        last = argc + ks.fk_lastkey;
      else
        last = first + ((argc - first) / ks.fk_limit + ks.fk_lastkey);
    } else if (ks.fk_type == KeySpecMeta::kFkKeynum) {
      step = ks.fk_keystep_num;
      if (ks.fk_keynumidx >= argc || first + ks.fk_keynumidx >= argc) return false;
      int64_t n;
      if (!base::StringToInt64(argv[first + ks.fk_keynumidx], &n) || n < 0) return false;
      first += ks.fk_firstkey;
      last = first + static_cast<int>(n) - 1;
    } else {
      return false;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += step) {
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        return false;
      }
      out->push_back({i, ks.flags});
    }
    if (ks.flags & kKsIncomplete) return false;
  }
  return true;
}

// "literal*" patterns compare a prefix; others use the glob matcher.
[[gnu::always_inline]] inline bool Matches(const KeyPattern& p, std::string_view key) {
  if (p.prefix >= 0) {
    size_t n = static_cast<size_t>(p.prefix);
    if (key.size() < n) return false;
    // Why a loop: prefixes are short ("app:"), a memcmp call costs more.
    const char* a = key.data();
    const char* b = p.pattern.data();
    for (size_t i = 0; i < n; i++)
      if (a[i] != b[i]) return false;
    return true;
  }
  return base::GlobMatch(p.pattern, key, false);
}

// ACLSelectorCheckKey.
[[gnu::always_inline]] inline bool KeyAllowed(const Selector& s, std::string_view key, uint32_t spec_flags) {
  if (s.flags & kSelAllKeys) return true;
  int need = 0;
  if (spec_flags & kKsAccess) need |= kPermRead;
  if (spec_flags & (kKsInsert | kKsDelete | kKsUpdate)) need |= kPermWrite;
  for (const KeyPattern& p : s.keys) {
    if ((p.flags & need) != need) continue;
    if (Matches(p, key)) return true;
  }
  return false;
}

// ACLCheckChannelAgainstList.
bool ChannelInList(const std::vector<std::string>& list, std::string_view ch, bool is_pattern) {
  for (const std::string& p : list) {
    // Why: a PSUBSCRIBE pattern must equal an ACL pattern literally.
    if (is_pattern ? p == ch : base::GlobMatch(p, ch, false)) return true;
  }
  return false;
}

// What the check needs to know of each command ID, computed once: whether
// it has keys, which native key finder it needs, whether it names channels.
// kOneKey: a single "index N, range 0" spec (GET, INCR, HSET...): the key
// is argv[N], checked without building a key list.
enum KeyMode : uint8_t { kNoKeys, kSpecs, kOneKey, kSetKeys, kBitfieldKeys, kSortKeys, kMigrateKeys };
enum ChannelMode : uint8_t { kNoChannels, kPublish, kSubscribe, kPsubscribe };
struct CmdTraits {
  std::vector<uint8_t> keys, channels;
  std::vector<int> one_pos;  // kOneKey: the key's index
  CmdTraits()
      : keys(kCommandMetaCount, kNoKeys), channels(kCommandMetaCount, kNoChannels),
        one_pos(kCommandMetaCount, 0) {
    for (size_t i = 0; i < kCommandMetaCount; i++) {
      const CommandMeta& m = kCommandMeta[i];
      bool has = false;
      for (int j = 0; j < m.num_key_specs; j++) has = has || !(m.key_specs[j].flags & kKsNotKey);
      std::string_view n = m.parent ? std::string_view() : std::string_view(m.name);
      keys[i] = !has ? kNoKeys
                : n == "set" ? kSetKeys
                : n == "bitfield" ? kBitfieldKeys
                : n == "sort" ? kSortKeys
                : n == "migrate" ? kMigrateKeys
                : kSpecs;
      const KeySpecMeta* ks = m.key_specs;
      if (keys[i] == kSpecs && m.num_key_specs == 1 && ks->bs_type == KeySpecMeta::kBsIndex &&
          ks->fk_type == KeySpecMeta::kFkRange && ks->fk_lastkey == 0 &&
          !(ks->flags & kKsIncomplete)) {
        keys[i] = kOneKey;
        one_pos[i] = ks->bs_index;
      }
      channels[i] = (n == "publish" || n == "spublish") ? kPublish
                    : (n == "subscribe" || n == "ssubscribe") ? kSubscribe
                    : n == "psubscribe" ? kPsubscribe
                    : kNoChannels;
    }
  }
};

// Why a namespace-scope object: no init guard on the hot path (the
// reference table is constant-initialized, so it is ready before this).
const CmdTraits g_traits;
inline const CmdTraits& Traits() { return g_traits; }

// The one key of kOneKey / SET / BITFIELD, with its flags; false for other
// commands.
[[gnu::always_inline]] inline bool SingleKey(uint8_t km, int id, const Command* cmd, const Argv& argv, KeyRef* k) {
  switch (km) {
    case kOneKey:
      *k = {Traits().one_pos[static_cast<size_t>(id)], cmd->meta->key_specs[0].flags};
      return true;
    case kSetKeys: *k = {1, SetKeyFlags(argv)}; return true;
    case kBitfieldKeys: *k = {1, BitfieldKeyFlags(argv)}; return true;
    default: return false;
  }
}

[[gnu::always_inline]] inline int CheckSelector(const Selector& s, const Command* cmd, int id, const Argv& argv, int* idx,
                  std::vector<KeyRef>* keys, bool* keys_init) {
  if (!(s.flags & kSelAllCommands) && !cmd->has(kCmdNoAuth)) {
    if (id < 0 || !s.Bit(id)) {
      auto it = id < 0 ? s.firstargs.end() : s.firstargs.find(id);
      size_t pos = cmd->parent ? 2 : 1;
      if (argv.size() < 2 || it == s.firstargs.end() || argv.size() <= pos) return kDeniedCmd;
      bool ok = false;
      for (const std::string& a : it->second) ok = ok || base::EqNoCase(argv[pos], a);
      if (!ok) return kDeniedCmd;
    }
  }
  uint8_t km = id >= 0 ? Traits().keys[static_cast<size_t>(id)] : uint8_t{kNoKeys};
  KeyRef one;
  if (!(s.flags & kSelAllKeys) && SingleKey(km, id, cmd, argv, &one)) {
    size_t pos = static_cast<size_t>(one.pos);
    if (pos < argv.size() && !KeyAllowed(s, argv[pos], one.flags)) {
      *idx = one.pos;
      return kDeniedKey;
    }
  } else if (!(s.flags & kSelAllKeys) && km != kNoKeys) {
    if (!*keys_init) {
      GetKeys(cmd, argv, keys);
      *keys_init = true;
    }
    for (const KeyRef& k : *keys) {
      if (!KeyAllowed(s, argv[static_cast<size_t>(k.pos)], k.flags)) {
        *idx = k.pos;
        return kDeniedKey;
      }
    }
  }
  // Channels (getChannelsFromCommand's publish / subscribe arguments).
  uint8_t ch = id >= 0 ? Traits().channels[static_cast<size_t>(id)] : uint8_t{kNoChannels};
  if (!(s.flags & kSelAllChannels) && ch != kNoChannels) {
    {
      size_t end = ch == kPublish ? 2 : argv.size();
      for (size_t i = 1; i < end && i < argv.size(); i++) {
        if (!ChannelInList(s.channels, argv[i], ch == kPsubscribe)) {
          *idx = static_cast<int>(i);
          return kDeniedChannel;
        }
      }
    }
  }
  return kOk;
}

}  // namespace

void GetKeys(const Command* cmd, const Argv& argv, std::vector<KeyRef>* out) {
  out->clear();
  int id = CommandId(cmd);
  if (id < 0) return;
  uint8_t mode = Traits().keys[static_cast<size_t>(id)];
  if (mode == kSetKeys) return out->push_back({1, SetKeyFlags(argv)});
  if (mode == kBitfieldKeys) return out->push_back({1, BitfieldKeyFlags(argv)});
  if (mode == kNoKeys || KeysFromSpecs(*cmd->meta, cmd->meta->arity, argv, out)) return;
  out->clear();
  if (mode == kSortKeys) return SortKeys(argv, out);
  if (mode == kMigrateKeys) return MigrateKeys(argv, out);
}

void ClassifyPattern(KeyPattern* p) {
  const std::string& s = p->pattern;
  p->prefix = -1;
  if (s.empty() || s.back() != '*') return;
  for (size_t i = 0; i + 1 < s.size(); i++)
    if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\') return;
  p->prefix = static_cast<int>(s.size() - 1);
}

bool KeyMatches(const KeyPattern& p, std::string_view key) { return Matches(p, key); }

int CheckCommand(const User& u, const Command* cmd, const Argv& argv, int* idx) {
  int id = cmd->meta ? static_cast<int>(cmd->meta - kCommandMeta) : -1;
  if (u.prefix_keys_only && id >= 0 && Traits().channels[static_cast<size_t>(id)] == kNoChannels) {
    // Fast path: every command is allowed, keys by prefix only.
    uint8_t km = Traits().keys[static_cast<size_t>(id)];
    if (km == kNoKeys) return kOk;
    if (km == kOneKey || km == kSetKeys || km == kBitfieldKeys) {
      size_t pos = km == kOneKey ? static_cast<size_t>(Traits().one_pos[static_cast<size_t>(id)]) : 1;
      if (pos >= argv.size()) return kOk;
      for (const KeyPattern& p : u.selectors[0].keys)
        if (Matches(p, argv[pos])) return kOk;
      *idx = static_cast<int>(pos);
      return kDeniedKey;
    }
  }
  int relevant = kDeniedCmd, last_idx = 0;
  // Why static: the key list is reused, no allocation per command (all
  // commands run on the main thread).
  static std::vector<KeyRef> keys;
  bool keys_init = false;
  for (const Selector& s : u.selectors) {
    int local = 0;
    int r = CheckSelector(s, cmd, id, argv, &local, &keys, &keys_init);
    if (r == kOk) return kOk;
    if (r > relevant || (r == relevant && local > last_idx)) {
      relevant = r;
      last_idx = local;
    }
  }
  *idx = last_idx;
  return relevant;
}

bool UnrestrictedKeyAccess(const Client& c, const Command* cmd, uint32_t keyspec_flags) {
  if (!c.user) return true;
  int id = CommandId(cmd);
  int need = 0;
  if (keyspec_flags & kKsAccess) need |= kPermRead;
  if (keyspec_flags & (kKsInsert | kKsDelete | kKsUpdate)) need |= kPermWrite;
  static std::vector<KeyRef> keys;
  bool keys_init = false;
  for (const Selector& s : c.user->selectors) {
    int idx = 0;
    if (CheckSelector(s, cmd, id, c.argv, &idx, &keys, &keys_init) != kOk) continue;
    if (s.flags & kSelAllKeys) return true;
    for (const KeyPattern& p : s.keys)
      if ((p.flags & need) == need && p.pattern == "*") return true;
  }
  return false;
}

bool ChannelAllowed(const User& u, std::string_view channel, bool is_pattern) {
  for (const Selector& s : u.selectors) {
    if (s.flags & kSelAllChannels) return true;
    if (ChannelInList(s.channels, channel, is_pattern)) return true;
  }
  return false;
}

std::string NopermMessage(int result, const Command* cmd) {
  switch (result) {
    case kDeniedCmd: return err::NopermCommand(cmd->name);
    case kDeniedKey: return std::string(err::kNopermKey);
    case kDeniedChannel: return std::string(err::kNopermChannel);
    default: return std::string(err::kNoPermission);
  }
}

std::string ExecNopermMessage(int result) {
  return err::ExecNoperm(result == kDeniedCmd   ? "no permission to execute the command or subcommand"
                         : result == kDeniedKey ? "no permission to touch the specified keys"
                         : result == kDeniedChannel
                             ? "no permission to access one of the channels used as arguments"
                             : "no permission");
}

bool Acl::CheckClient(Client& c, const Command* cmd, std::string* msg) {
  int idx = 0;
  int r = CheckCommand(*c.user, cmd, c.argv, &idx);
  if (r == kOk) return true;
  Log(c, r, (c.flags & kClientMulti) ? kCtxMulti : kCtxToplevel, idx, {}, {});
  *msg = NopermMessage(r, cmd);
  return false;
}

}  // namespace vireo::server::acl
