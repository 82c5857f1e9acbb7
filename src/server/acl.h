// ACL: users, their rules and the per-command permission check (Redis
// 7.0.15's acl.c).
//
// What it owns: the user set (sorted by name, as Redis's rax), each user's
// flags, password hashes (SHA-256 hex) and selectors (the root one first,
// then the "(...)" ones); the rule language of ACL SETUSER / `user` lines;
// the description Redis prints back (ACL LIST, GETUSER, ACL SAVE, CONFIG
// REWRITE); the check dispatch.cc runs for every command; the ACL LOG.
//
// Command IDs: every command and subcommand of the reference table
// (kCommandMeta, implemented or not) has an ID, its index there, so rules
// name commands the way Redis does regardless of rename-command or of what
// Vireo implements, and category counts (the describe heuristic) are
// Redis's.
//
// Cost: a user whose root selector has allcommands + allkeys + allchannels
// ("superuser", e.g. the default user) is never checked: dispatch tests
// one bool. Others pay a bit test, and key / channel matching only when
// the selector restricts keys / channels.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::server {

class Client;
class Server;
struct Command;
struct CommandMeta;

namespace acl {

// Redis's USER_COMMAND_BITS_COUNT; the last bit means "future commands"
// (set only by +@all / allcommands).
constexpr int kCommandBits = 1024;

enum SelectorFlag : uint32_t {
  kSelRoot = 1u << 0,
  kSelAllKeys = 1u << 1,
  kSelAllCommands = 1u << 2,
  kSelAllChannels = 1u << 3,
};
enum KeyPerm : int { kPermRead = 1, kPermWrite = 2, kPermAll = 3 };

struct KeyPattern {
  std::string pattern;
  int flags;  // KeyPerm bits
  // "literal*" patterns (the common case) match by prefix: its length, or
  // -1 for a pattern that needs the glob matcher.
  int prefix = -1;
};
// True when `key` matches `p` (Redis's stringmatchlen, prefix fast path).
bool KeyMatches(const KeyPattern& p, std::string_view key);
// Sets p->prefix.
void ClassifyPattern(KeyPattern* p);

struct Selector {
  uint32_t flags = 0;
  uint64_t allowed[kCommandBits / 64] = {};
  // Allowed first arguments of otherwise denied commands (+select|0).
  std::map<int, std::vector<std::string>> firstargs;
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;

  bool Bit(int id) const { return (allowed[id / 64] >> (id % 64)) & 1; }
  void SetBit(int id, bool on);
};

enum UserFlag : uint32_t {
  kUserOn = 1u << 0,
  kUserOff = 1u << 1,
  kUserNopass = 1u << 2,
  kUserSkipSanitize = 1u << 3,
  kUserSanitize = 1u << 4,
};

struct User {
  std::string name;
  uint32_t flags = 0;
  std::vector<std::string> passwords;  // SHA-256 hex, in insertion order
  std::vector<Selector> selectors;     // [0] is the root selector
  // Root selector has allcommands + allkeys + allchannels: no check at all.
  bool superuser = false;
  // One selector with all commands whose key patterns are all "literal*"
  // with read+write: for commands without channels the check only compares
  // key prefixes (the common "~app:* +@all" user).
  bool prefix_keys_only = false;

  User();
  void Refresh();
  bool enabled() const { return !(flags & kUserOff); }
};

// Redis's ACL_OK / ACL_DENIED_* (the order matters: the check reports the
// "largest" denial when no selector allows the command).
enum Result : int { kOk = 0, kDeniedCmd = 1, kDeniedKey = 2, kDeniedAuth = 3, kDeniedChannel = 4 };
enum LogContext : int { kCtxToplevel = 0, kCtxMulti = 1, kCtxLua = 2, kCtxModule = 3 };

struct LogEntry {
  uint64_t count = 1;
  int reason = 0;
  int context = 0;
  std::string object;
  std::string username;
  int64_t ctime_ms = 0;
  std::string cinfo;
};

// One key position found by the key specs, with the spec's flags.
struct KeyRef {
  int pos;
  uint32_t flags;  // KeySpecFlag bits
};

// --- the rule language -----------------------------------------------------

// Applies one rule to `u` (Redis's ACLSetUser). On error returns false and
// *err is Redis's ACLSetUserStringError() text; *not_found is set when the
// error was an unknown command/category (config loading defers those).
bool ApplyRule(User* u, std::string_view op, std::string* err, bool* not_found = nullptr);
// Joins "(a" "b)" arguments into one selector argument (Redis's
// ACLMergeSelectorArguments). Returns false and *bad = index of the
// unmatched opening argument.
bool MergeSelectorArgs(const std::vector<std::string>& in, std::vector<std::string>* out, size_t* bad);
// The rules that rebuild a selector's command bitmap ("+@all -debug").
std::string DescribeCommandRules(const Selector& s);
// ACL LIST's text after "user <name> ".
std::string DescribeUser(const User& u);
// "~pat", "%R~pat", "%W~pat".
std::string PatternString(const KeyPattern& p);
// Category name -> bit (0 when unknown); the names in Redis's order.
uint64_t CategoryFlag(std::string_view name);
const std::vector<const char*>& CategoryNames();
// Full names ("config|get") of every command of the reference table in a
// category, containers' subcommands after the container.
std::vector<std::string> CommandsInCategory(uint64_t flag);
// Redis's ACLStringHasSpaces (usernames, patterns).
bool HasSpaces(std::string_view s);
// The ID of a command (its reference metadata), or -1.
int CommandId(const Command* cmd);

// --- checks ----------------------------------------------------------------

// Keys of argv by the command's key specs (Redis's
// getKeysFromCommandWithSpecs, with the native fallbacks of SET, BITFIELD,
// SORT). `out` is cleared first.
void GetKeys(const Command* cmd, const std::vector<std::string_view>& argv, std::vector<KeyRef>* out);
// Redis's ACLCheckAllUserCommandPerm: kOk or the denial; *idx = the argv
// index of the key / channel denied.
int CheckCommand(const User& u, const Command* cmd, const std::vector<std::string_view>& argv, int* idx);
// Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess: some selector allows
// the command and grants `keyspec_flags` access (e.g. kKsAccess) to every
// key (SORT's BY / GET patterns). True for internal clients (no user).
bool UnrestrictedKeyAccess(const Client& c, const Command* cmd, uint32_t keyspec_flags);
// Redis's ACLUserCheckChannelPerm (is_pattern: PSUBSCRIBE's literal match).
bool ChannelAllowed(const User& u, std::string_view channel, bool is_pattern);
// The error line for a denial at dispatch ("NOPERM this user has no ...").
std::string NopermMessage(int result, const Command* cmd);
// EXEC's message when rules changed after queueing.
std::string ExecNopermMessage(int result);

// --- the users ---------------------------------------------------------------

class Acl {
 public:
  Acl();
  ~Acl();

  User* default_user() { return default_; }
  User* Find(std::string_view name);
  const std::map<std::string, std::unique_ptr<User>, std::less<>>& users() const { return users_; }

  // ACL SETUSER: all rules or none (Redis's ACLStringSetUser). Returns ""
  // on success or the error line ("ERR Error in ACL SETUSER modifier ...").
  std::string SetUser(std::string_view name, const std::vector<std::string>& rules,
                      Client* current = nullptr);
  // ACL DELUSER of one user (not "default"): true if it existed. Clients
  // authenticated as it are disconnected (the current one after its reply).
  bool DelUser(std::string_view name, Client* current);

  // Redis's authRequired(): the default user needs a password or is off.
  bool DefaultNeedsAuth() const {
    return !(default_->flags & kUserNopass) || (default_->flags & kUserOff);
  }
  // ACLCheckUserCredentials + the client's user/authenticated update; a
  // failure is logged (reason auth) when `log_failure`.
  bool Authenticate(Client& c, std::string_view user, std::string_view pass);
  // requirepass mapped onto the default user (ACLUpdateDefaultUserPassword).
  void SetDefaultPassword(std::string_view pass);
  // A new (or RESET) client: the default user, authenticated when it needs no password.
  void AttachDefault(Client& c);

  // Runs the check for the client's command; on denial logs it and fills
  // *msg with the error line. True when allowed.
  bool CheckClient(Client& c, const Command* cmd, std::string* msg);

  // Redis 7.0's ACLKillPubsubClientsIfNeeded: after `original` changed to
  // `updated`, disconnects the pub/sub clients of `original` subscribed to
  // a channel or pattern that `updated` no longer allows. The pub/sub code
  // installs `subscriptions` (channels, shard channels, patterns of a
  // client); until it does, nothing is killed.
  using SubscriptionLister = void (*)(Client& c, std::vector<std::string>* channels,
                                      std::vector<std::string>* patterns);
  void SetSubscriptionLister(SubscriptionLister f) { subscriptions_ = f; }
  void KillPubsubClientsIfNeeded(const User& updated, const User& original, Client* current);

  // --- ACL LOG ---------------------------------------------------------------
  void Log(Client& c, int reason, int context, int argpos, std::string_view username,
           std::string_view object);
  const std::deque<LogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }
  void TrimLog();

  // --- files -----------------------------------------------------------------
  // `user` lines of the config file, checked at load (Redis's
  // ACLAppendUserForLoading) and applied at startup.
  bool AppendConfigUser(const std::vector<std::string>& args, std::string* err);
  // Startup: the config users, then the aclfile. False with *err = the log
  // line Redis writes before exiting.
  bool LoadAtStartup(std::string* err);
  // ACL LOAD: "" or the error text (nothing changed then).
  std::string LoadFile(const std::string& path, Client* current = nullptr);
  // ACL SAVE.
  bool SaveFile(const std::string& path);
  // "user <name> <rules>" for every user, by name (CONFIG REWRITE, ACL LIST).
  std::vector<std::string> UserLines();

  // CLIENT KILL USER <name>: does `c` belong to `username`?
  static bool ClientMatchesUser(const Client& c, std::string_view username);

 private:
  void KillClientsOf(User* u, Client* current);
  std::map<std::string, std::unique_ptr<User>, std::less<>> users_;
  User* default_ = nullptr;
  std::deque<LogEntry> log_;
  std::vector<std::vector<std::string>> to_load_;  // config `user` lines
  SubscriptionLister subscriptions_ = nullptr;
};

// The process's ACL (lives as long as the server).
Acl& Get();
// Creates the default user with Redis's defaults.
std::unique_ptr<User> MakeDefaultUser();

}  // namespace acl
}  // namespace vireo::server
