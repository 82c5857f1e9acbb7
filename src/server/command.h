// The runtime command table: metadata from command_table_data.cc joined with
// the handlers the command families register.
//
// Only commands (and subcommands) that have a handler are in the table, so
// lookups, COMMAND COUNT/LIST/INFO/DOCS and redis-cli's hints all see exactly
// what is implemented; anything else gets Redis's unknown-command error.
// Container commands (CONFIG, CLIENT, OBJECT, ...) hold their subcommands and
// are listed when at least one subcommand is implemented.
//
// Modes: the families register every handler they have, sentinel ones
// ("sentinel|masters", ...) included; ApplyMode then keeps what the server's
// mode has, as Redis's populateCommandStructure does at startup: in sentinel
// mode only entries with kCmdSentinel, otherwise none with kCmdOnlySentinel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/ascii.h"
#include "server/command_meta.h"

namespace vireo::server {

class Client;
struct Command;
using Handler = void (*)(Client& c);

// Command names are looked up case-insensitively straight from argv (no
// lowercased copy): FNV-1a over the lowercased bytes, compared with
// EqNoCase. Keys are stored lowercase. Heterogeneous (string_view) lookup.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    uint64_t h = 1469598103934665603ull;
    for (char c : s) {
      h ^= static_cast<unsigned char>(base::AsciiLower(c));
      h *= 1099511628211ull;
    }
    return h;
  }
};
struct NameEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return base::EqNoCase(a, b); }
};
using NameMap = std::unordered_map<std::string, Command*, NameHash, NameEq>;

struct Command {
  std::string name;      // "get", "config|get" (Redis's fullname)
  std::string declared;  // the name alone ("get")
  const CommandMeta* meta = nullptr;
  Handler handler = nullptr;
  Command* parent = nullptr;
  std::vector<Command*> subcommands;  // in registration order
  NameMap sub_index;
  int arity = 0;
  uint64_t flags = 0;
  uint64_t acl = 0;
  // commandstats
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;

  bool has(uint64_t f) const { return flags & f; }
  bool is_container() const { return !subcommands.empty() || (handler == nullptr); }
};

class CommandTable {
 public:
  CommandTable();
  ~CommandTable();

  // Registers a handler for "name" or "container|sub". The metadata must
  // exist in the generated table (the server refuses to start otherwise).
  void Register(std::string_view fullname, Handler h);
  // Checks that every registered name had metadata; returns missing names.
  const std::vector<std::string>& missing() const { return missing_; }

  // Called once, after every family registered and before the config is
  // loaded (rename-command sees the mode's table). Removes from lookups and
  // COMMAND the commands the mode lacks, as if never registered: in sentinel
  // mode every command and subcommand without kCmdSentinel, otherwise every
  // one with kCmdOnlySentinel. A subcommand is judged by its own flags, like
  // Redis; in 7.0.15 they always match their container's. A container left
  // without subcommands goes too. Later Register calls obey the mode.
  void ApplyMode(bool sentinel_mode);
  bool sentinel_mode() const { return sentinel_mode_; }

  // Redis's lookupCommand over argv: the command, or its subcommand when the
  // command is a container and argc >= 2. nullptr when unknown.
  Command* Lookup(const std::vector<std::string_view>& argv) const;
  // Top-level lookup by (case-insensitive) name.
  Command* Find(std::string_view name) const;
  // "container|sub" or plain name, case-insensitive.
  Command* FindByFullName(std::string_view fullname) const;
  // True when argv[0] names a container command (for the unknown-subcommand error).
  bool IsContainer(std::string_view name) const;

  const std::vector<Command*>& all() const { return top_; }
  // rename-command: `to` empty removes the command. Errors are Redis's
  // config-file reasons.
  bool Rename(std::string_view from, std::string_view to, std::string* err);
  void ResetStats();

  // COMMAND subcommand replies (server/command_cmd.cc).
  static void WriteInfo(Client& c, const Command* cmd);
  static void WriteDocs(Client& c, const Command* cmd);

 private:
  bool InMode(const CommandMeta* m) const;

  std::vector<Command*> top_;
  std::vector<Command*> removed_;  // renamed to "" or not in the mode: kept until destruction
  std::vector<Command*> removed_subs_;  // subcommands not in the mode
  bool sentinel_mode_ = false;
  bool mode_applied_ = false;
  NameMap index_;
  std::unordered_map<std::string, const CommandMeta*> meta_index_;
  std::vector<std::string> missing_;
};


}  // namespace vireo::server
