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
#include "server/command_meta.h"

namespace vireo::commands {
namespace {

using server::Command;
using server::KeySpecMeta;

// ---------------------------------------------------------------------------
// Key extraction

struct KeyRef {
  int pos;
  uint32_t flags;
};

using Args = std::vector<std::string_view>;

bool HasKeySpec(const Command* cmd) {
  // Redis: getAllKeySpecsFlags(cmd, 1) & CMD_KEY_NOT_KEY — some spec is a real key.
  for (int j = 0; j < cmd->meta->num_key_specs; j++)
    if (!(cmd->meta->key_specs[j].flags & server::kKsNotKey)) return true;
  return false;
}

bool HasVariableFlags(const Command* cmd) {
  for (int j = 0; j < cmd->meta->num_key_specs; j++)
    if (cmd->meta->key_specs[j].flags & server::kKsVariableFlags) return true;
  return false;
}

// Redis's getKeysUsingKeySpecs with the default search flags. Returns the
// number of keys, or -1 when a spec does not fit the arguments.
int KeysFromSpecs(const Command* cmd, const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  for (int j = 0; j < cmd->meta->num_key_specs; j++) {
    const KeySpecMeta& spec = cmd->meta->key_specs[j];
    if (spec.flags & server::kKsNotKey) continue;
    int first = 0, last = 0, step = 1;
    bool invalid = false;
    if (spec.bs_type == KeySpecMeta::kBsIndex) {
      first = spec.bs_index;
    } else if (spec.bs_type == KeySpecMeta::kBsKeyword) {
      int start = spec.bs_startfrom > 0 ? spec.bs_startfrom : argc + spec.bs_startfrom;
      int end = spec.bs_startfrom > 0 ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqNoCase(argv[static_cast<size_t>(i)], spec.bs_keyword)) {
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
      if (spec.flags & server::kKsIncomplete) invalid = true;
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
int GenericKeys(int store_ofs, int count_ofs, int first_ofs, int step, const Args& argv,
                std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int num = Atoi(argv[static_cast<size_t>(count_ofs)]);
  if (num < 1 || num > (argc - first_ofs) / step) return 0;
  for (int i = 0; i < num; i++) keys->push_back({first_ofs + i * step, 0});
  if (store_ofs) keys->push_back({store_ofs, 0});
  return static_cast<int>(keys->size());
}

int SortKeys(const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  keys->push_back({1, server::kKsRO | server::kKsAccess});
  bool found_store = false;
  KeyRef store{0, server::kKsOW | server::kKsUpdate};
  static const struct {
    const char* name;
    int skip;
  } kSkip[] = {{"limit", 2}, {"get", 1}, {"by", 1}};
  for (int i = 2; i < argc; i++) {
    for (const auto& s : kSkip) {
      if (EqNoCase(argv[static_cast<size_t>(i)], s.name)) {
        i += s.skip;
        break;
      } else if (EqNoCase(argv[static_cast<size_t>(i)], "store") && i + 1 < argc) {
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

int MigrateKeys(const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int first = 3, num = 1;
  static const struct {
    const char* name;
    int skip;
  } kSkip[] = {{"copy", 0}, {"replace", 0}, {"auth", 1}, {"auth2", 2}};
  if (argc > 6) {
    for (int i = 6; i < argc; i++) {
      if (EqNoCase(argv[static_cast<size_t>(i)], "keys")) {
        if (!argv[3].empty()) {
          num = 0;  // syntax error, left to MIGRATE itself
        } else {
          first = i + 1;
          num = argc - first;
        }
        break;
      }
      for (const auto& s : kSkip) {
        if (EqNoCase(argv[static_cast<size_t>(i)], s.name)) {
          i += s.skip;
          break;
        }
      }
    }
  }
  for (int i = 0; i < num; i++)
    keys->push_back({first + i, server::kKsRW | server::kKsAccess | server::kKsDelete});
  return num;
}

int GeoradiusKeys(const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int stored = -1;
  for (int i = 5; i < argc; i++) {
    std::string_view a = argv[static_cast<size_t>(i)];
    if ((EqNoCase(a, "store") || EqNoCase(a, "storedist")) && i + 1 < argc) {
      stored = i + 1;
      i++;
    }
  }
  keys->push_back({1, 0});
  if (stored != -1) keys->push_back({stored, 0});
  return static_cast<int>(keys->size());
}

int XreadKeys(const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  int streams_pos = -1;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[static_cast<size_t>(i)];
    if (EqNoCase(a, "block") || EqNoCase(a, "count")) {
      i++;
    } else if (EqNoCase(a, "group")) {
      i += 2;
    } else if (EqNoCase(a, "noack")) {
    } else if (EqNoCase(a, "streams")) {
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

int SetKeys(const Args& argv, std::vector<KeyRef>* keys) {
  // Why: with GET, SET reads the old value (RW access), otherwise it only
  // overwrites (OW update). Redis tests the C string, so "get\0..." counts.
  for (size_t i = 3; i < argv.size(); i++) {
    std::string_view a = argv[i];
    if (a.size() >= 3 && EqNoCase(a.substr(0, 3), "get") && (a.size() == 3 || a[3] == '\0')) {
      keys->push_back({1, server::kKsRW | server::kKsAccess | server::kKsUpdate});
      return 1;
    }
  }
  keys->push_back({1, server::kKsOW | server::kKsUpdate});
  return 1;
}

int BitfieldKeys(const Args& argv, std::vector<KeyRef>* keys) {
  int argc = static_cast<int>(argv.size());
  bool readonly = true;
  for (int i = 2; i < argc; i++) {
    int remargs = argc - i - 1;
    std::string_view a = argv[static_cast<size_t>(i)];
    if (EqNoCase(a, "get") && remargs >= 2) {
      i += 2;
    } else if ((EqNoCase(a, "set") || EqNoCase(a, "incrby")) && remargs >= 3) {
      readonly = false;
      break;
    } else if (EqNoCase(a, "overflow") && remargs >= 1) {
      i += 1;
    } else {
      readonly = false;  // syntax error: assume a write
      break;
    }
  }
  keys->push_back({1, readonly ? static_cast<uint32_t>(server::kKsRO | server::kKsAccess)
                               : static_cast<uint32_t>(server::kKsRW | server::kKsAccess |
                                                       server::kKsUpdate)});
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

int RunProc(Proc proc, const Args& argv, std::vector<KeyRef>* keys) {
  switch (proc) {
    case Proc::kStoreNumkeys: return GenericKeys(1, 2, 3, 1, argv, keys);
    case Proc::kNumkeys1: return GenericKeys(0, 1, 2, 1, argv, keys);
    case Proc::kNumkeys2: return GenericKeys(0, 2, 3, 1, argv, keys);
    case Proc::kSort: return SortKeys(argv, keys);
    case Proc::kSortRo: keys->push_back({1, server::kKsRO | server::kKsAccess}); return 1;
    case Proc::kMigrate: return MigrateKeys(argv, keys);
    case Proc::kGeoradius: return GeoradiusKeys(argv, keys);
    case Proc::kXread: return XreadKeys(argv, keys);
    case Proc::kSet: return SetKeys(argv, keys);
    case Proc::kBitfield: return BitfieldKeys(argv, keys);
    case Proc::kNone: break;
  }
  return 0;
}

// Redis's getKeysFromCommandWithSpecs.
int GetKeys(const Command* cmd, const Args& argv, std::vector<KeyRef>* keys) {
  if (HasKeySpec(cmd) && !HasVariableFlags(cmd)) {
    int n = KeysFromSpecs(cmd, argv, keys);
    if (n >= 0) return n;
  }
  keys->clear();
  Proc proc = GetKeysProc(cmd);
  if (proc != Proc::kNone) return RunProc(proc, argv, keys);
  return 0;
}

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
  if (!(GetKeysProc(cmd) != Proc::kNone || HasKeySpec(cmd))) {
    Err(c, server::err::kNoKeyArguments);
    return;
  }
  int argc = static_cast<int>(argv.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    Err(c, server::err::kInvalidArgCount);
    return;
  }
  std::vector<KeyRef> keys;
  if (!GetKeys(cmd, argv, &keys)) {
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
