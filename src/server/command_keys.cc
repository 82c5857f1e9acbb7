// See command_keys.h.
#include "server/command_keys.h"

#include <cstdlib>
#include <string>

#include "base/ascii.h"
#include "base/numbers.h"
#include "server/command_meta.h"

namespace vireo::server {

namespace {

using Args = std::span<const std::string_view>;

bool HasVariableFlags(const Command* cmd) {
  for (int j = 0; j < cmd->meta->num_key_specs; j++)
    if (cmd->meta->key_specs[j].flags & kKsVariableFlags) return true;
  return false;
}

// Redis's getKeysUsingKeySpecs with the default search flags. Returns the
// number of keys, or -1 when a spec does not fit the arguments.
int KeysFromSpecs(const Command* cmd, Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  for (int j = 0; j < cmd->meta->num_key_specs; j++) {
    const KeySpecMeta& spec = cmd->meta->key_specs[j];
    if (spec.flags & kKsNotKey) continue;
    int first = 0, last = 0, step = 1;
    bool invalid = false;
    if (spec.bs_type == KeySpecMeta::kBsIndex) {
      first = spec.bs_index;
    } else if (spec.bs_type == KeySpecMeta::kBsKeyword) {
      int start = spec.bs_startfrom > 0 ? spec.bs_startfrom : argc + spec.bs_startfrom;
      int end = spec.bs_startfrom > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (base::EqNoCase(argv[static_cast<size_t>(i)], spec.bs_keyword)) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;  // keyword absent: this spec has no keys
    } else {
      invalid = true;
    }
    if (!invalid) {
      if (spec.fk_type == KeySpecMeta::kFkRange) {
        step = spec.fk_keystep;
        if (spec.fk_lastkey >= 0) {
          last = first + spec.fk_lastkey;
        } else if (!spec.fk_limit) {
          last = argc + spec.fk_lastkey;
        } else {
          last = first + ((argc - first) / spec.fk_limit + spec.fk_lastkey);
        }
      } else if (spec.fk_type == KeySpecMeta::kFkKeynum) {
        step = spec.fk_keystep_num;
        int64_t numkeys;
        int idx = first + spec.fk_keynumidx;
        if (spec.fk_keynumidx >= argc || idx >= argc ||
            !base::StringToInt64(argv[static_cast<size_t>(idx)], &numkeys) || numkeys < 0) {
          invalid = true;
        } else {
          first += spec.fk_firstkey;
          last = first + static_cast<int>(numkeys) - 1;
        }
      } else {
        invalid = true;
      }
    }
    if (!invalid && (last >= argc || last < first || first >= argc)) invalid = true;
    if (!invalid) {
      for (int i = first; i <= last; i += step) {
        if (i >= argc || i < first) continue;
        keys->push_back({i, spec.flags});
      }
      // Why: Redis adds the keys of an INCOMPLETE spec, then gives up on the
      // whole command (the caller falls back to the getkeys function).
      if (spec.flags & kKsIncomplete) invalid = true;
    }
    if (invalid) {
      keys->clear();
      return -1;
    }
  }
  return static_cast<int>(keys->size());
}

// C's atoi as glibc has it: (int)strtol(s, NULL, 10).
int Atoi(std::string_view s) {
  std::string tmp(s);
  return static_cast<int>(strtol(tmp.c_str(), nullptr, 10));
}

// Redis's genericGetKeys.
int GenericKeys(int store_ofs, int count_ofs, int first_ofs, int step, Args argv,
                std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int num = Atoi(argv[static_cast<size_t>(count_ofs)]);
  if (num < 1 || num > (argc - first_ofs) / step) return 0;
  for (int i = 0; i < num; i++) keys->push_back({first_ofs + i * step, 0});
  if (store_ofs) keys->push_back({store_ofs, 0});
  return static_cast<int>(keys->size());
}

int SortKeys(Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  keys->push_back({1, kKsRO | kKsAccess});
  bool found_store = false;
  KeyRef store{0, kKsOW | kKsUpdate};
  static const struct {
    const char* name;
    int skip;
  } kSkip[] = {{"limit", 2}, {"get", 1}, {"by", 1}};
  for (int i = 2; i < argc; i++) {
    for (const auto& s : kSkip) {
      if (base::EqNoCase(argv[static_cast<size_t>(i)], s.name)) {
        i += s.skip;
        break;
      } else if (base::EqNoCase(argv[static_cast<size_t>(i)], "store") && i + 1 < argc) {
        // The last STORE wins, as SORT itself does.
        found_store = true;
        store.pos = i + 1;
        break;
      }
    }
  }
  if (found_store) keys->push_back(store);
  return static_cast<int>(keys->size());
}

int MigrateKeys(Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int first = 3, num = 1;
  static const struct {
    const char* name;
    int skip;
  } kSkip[] = {{"copy", 0}, {"replace", 0}, {"auth", 1}, {"auth2", 2}};
  if (argc > 6) {
    for (int i = 6; i < argc; i++) {
      if (base::EqNoCase(argv[static_cast<size_t>(i)], "keys")) {
        if (!argv[3].empty()) {
          num = 0;  // syntax error, left to MIGRATE itself
        } else {
          first = i + 1;
          num = argc - first;
        }
        break;
      }
      for (const auto& s : kSkip) {
        if (base::EqNoCase(argv[static_cast<size_t>(i)], s.name)) {
          i += s.skip;
          break;
        }
      }
    }
  }
  for (int i = 0; i < num; i++)
    keys->push_back({first + i, kKsRW | kKsAccess | kKsDelete});
  return num;
}

int GeoradiusKeys(Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int stored = -1;
  for (int i = 5; i < argc; i++) {
    std::string_view a = argv[static_cast<size_t>(i)];
    if ((base::EqNoCase(a, "store") || base::EqNoCase(a, "storedist")) && i + 1 < argc) {
      stored = i + 1;
      i++;
    }
  }
  keys->push_back({1, 0});
  if (stored != -1) keys->push_back({stored, 0});
  return static_cast<int>(keys->size());
}

int XreadKeys(Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int streams_pos = -1;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[static_cast<size_t>(i)];
    if (base::EqNoCase(a, "block") || base::EqNoCase(a, "count")) {
      i++;
    } else if (base::EqNoCase(a, "group")) {
      i += 2;
    } else if (base::EqNoCase(a, "noack")) {
    } else if (base::EqNoCase(a, "streams")) {
      streams_pos = i;
      break;
    } else {
      break;
    }
  }
  int num = streams_pos == -1 ? 0 : argc - streams_pos - 1;
  if (streams_pos == -1 || num == 0 || num % 2 != 0) return 0;
  num /= 2;
  for (int i = streams_pos + 1; i < argc - num; i++) keys->push_back({i, 0});
  return num;
}

int SetKeys(Args argv, std::vector<KeyRef>* keys) {
  // Why: with GET, SET reads the old value (RW access), otherwise it only
  // overwrites (OW update). Redis tests the C string, so "get\0..." counts.
  for (size_t i = 3; i < argv.size(); i++) {
    std::string_view a = argv[i];
    if (a.size() >= 3 && base::EqNoCase(a.substr(0, 3), "get") && (a.size() == 3 || a[3] == '\0')) {
      keys->push_back({1, kKsRW | kKsAccess | kKsUpdate});
      return 1;
    }
  }
  keys->push_back({1, kKsOW | kKsUpdate});
  return 1;
}

int BitfieldKeys(Args argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  bool readonly = true;
  for (int i = 2; i < argc; i++) {
    int remargs = argc - i - 1;
    std::string_view a = argv[static_cast<size_t>(i)];
    if (base::EqNoCase(a, "get") && remargs >= 2) {
      i += 2;
    } else if ((base::EqNoCase(a, "set") || base::EqNoCase(a, "incrby")) && remargs >= 3) {
      readonly = false;
      break;
    } else if (base::EqNoCase(a, "overflow") && remargs >= 1) {
      i += 1;
    } else {
      readonly = false;  // syntax error: assume a write
      break;
    }
  }
  keys->push_back({1, readonly ? static_cast<uint32_t>(kKsRO | kKsAccess)
                               : static_cast<uint32_t>(kKsRW | kKsAccess |
                                                       kKsUpdate)});
  return 1;
}

enum class Proc {
  kNone,
  kStoreNumkeys,  // zunionstore zinterstore zdiffstore
  kNumkeys1,      // zunion zinter zdiff zintercard sintercard lmpop zmpop
  kNumkeys2,      // eval* fcall* blmpop bzmpop
  kSort,
  kSortRo,
  kMigrate,
  kGeoradius,
  kXread,
  kSet,
  kBitfield,
};

// The commands Redis 7.0 declares a getkeys function for.
Proc GetKeysProc(const Command* cmd) {
  static const struct {
    const char* name;
    Proc proc;
  } kProcs[] = {
      {"zunionstore", Proc::kStoreNumkeys}, {"zinterstore", Proc::kStoreNumkeys},
      {"zdiffstore", Proc::kStoreNumkeys},  {"zunion", Proc::kNumkeys1},
      {"zinter", Proc::kNumkeys1},          {"zdiff", Proc::kNumkeys1},
      {"zintercard", Proc::kNumkeys1},      {"sintercard", Proc::kNumkeys1},
      {"lmpop", Proc::kNumkeys1},           {"zmpop", Proc::kNumkeys1},
      {"eval", Proc::kNumkeys2},            {"eval_ro", Proc::kNumkeys2},
      {"evalsha", Proc::kNumkeys2},         {"evalsha_ro", Proc::kNumkeys2},
      {"fcall", Proc::kNumkeys2},           {"fcall_ro", Proc::kNumkeys2},
      {"blmpop", Proc::kNumkeys2},          {"bzmpop", Proc::kNumkeys2},
      {"sort", Proc::kSort},                {"sort_ro", Proc::kSortRo},
      {"migrate", Proc::kMigrate},          {"georadius", Proc::kGeoradius},
      {"georadiusbymember", Proc::kGeoradius}, {"xread", Proc::kXread},
      {"xreadgroup", Proc::kXread},         {"set", Proc::kSet},
      {"bitfield", Proc::kBitfield},
  };
  if (cmd->parent) return Proc::kNone;
  for (const auto& p : kProcs)
    if (cmd->name == p.name) return p.proc;
  return Proc::kNone;
}

int RunProc(Proc proc, Args argv, std::vector<KeyRef>* keys) {
  switch (proc) {
    case Proc::kStoreNumkeys: return GenericKeys(1, 2, 3, 1, argv, keys);
    case Proc::kNumkeys1: return GenericKeys(0, 1, 2, 1, argv, keys);
    case Proc::kNumkeys2: return GenericKeys(0, 2, 3, 1, argv, keys);
    case Proc::kSort: return SortKeys(argv, keys);
    case Proc::kSortRo: keys->push_back({1, kKsRO | kKsAccess}); return 1;
    case Proc::kMigrate: return MigrateKeys(argv, keys);
    case Proc::kGeoradius: return GeoradiusKeys(argv, keys);
    case Proc::kXread: return XreadKeys(argv, keys);
    case Proc::kSet: return SetKeys(argv, keys);
    case Proc::kBitfield: return BitfieldKeys(argv, keys);
    case Proc::kNone: break;
  }
  return 0;
}

}  // namespace

bool HasKeySpec(const Command* cmd) {
  // Redis: getAllKeySpecsFlags(cmd, 1) & CMD_KEY_NOT_KEY — some spec is a real key.
  for (int j = 0; j < cmd->meta->num_key_specs; j++)
    if (!(cmd->meta->key_specs[j].flags & kKsNotKey)) return true;
  return false;
}

bool HasGetKeysProc(const Command* cmd) { return GetKeysProc(cmd) != Proc::kNone; }

// Redis's getKeysFromCommandWithSpecs.
int GetCommandKeys(const Command* cmd, std::span<const std::string_view> argv,
                   std::vector<KeyRef>* keys) {
  if (HasKeySpec(cmd) && !HasVariableFlags(cmd)) {
    int n = KeysFromSpecs(cmd, argv, keys);
    if (n >= 0) return n;
  }
  keys->clear();
  Proc proc = GetKeysProc(cmd);
  if (proc != Proc::kNone) return RunProc(proc, argv, keys);
  return 0;
}


}  // namespace vireo::server
