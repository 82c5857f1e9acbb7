// Redis's exact error replies, kept in one place (server.c createSharedObjects
// and the command files). Handlers reply with these constants, and with
// For() for the status an engine operation returned; texts are without the
// leading '-' and trailing CRLF.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

#include "engine/op_status.h"

namespace vireo::server::err {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoKey = "ERR no such key";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInt = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
// (S|P)SUBSCRIBE from a client that expects one reply per command
// (addReplyError adds the "ERR ").
inline std::string DenyBlockingSubscribe(std::string_view cmd) {
  return "ERR " + std::string(cmd) + " isn't allowed for a DENY BLOCKING client";
}
// RESP2 subscribed context (processCommand).
inline std::string PubsubContext(std::string_view fullname) {
  return "ERR Can't execute '" + std::string(fullname) +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}
// Persistence (server/snapshot.cc, server/aof.cc).
inline std::string MisconfAof(int err) {
  return std::string("MISCONF Errors writing to the AOF file: ") + strerror(err);
}
inline constexpr std::string_view kMisconfRdb =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
// Replication (src/replication/, processCommand).
inline constexpr std::string_view kReadonlyReplica = "READONLY You can't write against a read only replica.";
inline constexpr std::string_view kNoReplicas = "NOREPLICAS Not enough good replicas to write.";
inline constexpr std::string_view kMasterDown =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
inline constexpr std::string_view kLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kTimeout = "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kUnknownType = "ERR unknown type object";

// --- generic -----------------------------------------------------------------
inline constexpr std::string_view kIntRange =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kPositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kProtoVersion =
    "ERR Protocol version is not an integer or out of range";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kResp2NotSupported = "ERR RESP2 is not supported by this command";

// --- cluster mode ----------------------------------------------------------
inline constexpr std::string_view kSelectInCluster = "ERR SELECT is not allowed in cluster mode";
inline constexpr std::string_view kMoveInCluster = "ERR MOVE is not allowed in cluster mode";
inline constexpr std::string_view kSwapdbInCluster = "ERR SWAPDB is not allowed in cluster mode";
inline constexpr std::string_view kCopyDbInCluster =
    "ERR Copying to another database is not allowed in cluster mode";

// --- transactions ------------------------------------------------------------
inline constexpr std::string_view kNestedMulti = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kWatchInMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kNotInMulti = "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kReplicaKeyspace = "ERR Replica can't interact with the keyspace";

// --- connection / auth -------------------------------------------------------
inline constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
    "protocol version at the same time";

// --- keys ----------------------------------------------------------------------
inline constexpr std::string_view kExpireNxAndOthers =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
inline constexpr std::string_view kExpireGtAndLt =
    "ERR GT and LT options at the same time are not compatible";
inline constexpr std::string_view kLfuIdletime =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kNoLfuFreq =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
inline constexpr std::string_view kFirstDbIndex = "ERR invalid first DB index";
inline constexpr std::string_view kSecondDbIndex = "ERR invalid second DB index";

// --- strings -------------------------------------------------------------------
inline constexpr std::string_view kDecrOverflow = "ERR decrement would overflow";
inline constexpr std::string_view kLcsNotStrings = "ERR The specified keys must contain string values";
inline constexpr std::string_view kLcsIdxAndLen =
    "ERR If you want both the length and indexes, please just use IDX.";
inline constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
inline constexpr std::string_view kLcsMemory =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

// --- sorted sets -------------------------------------------------------------
inline constexpr std::string_view kSortNotDouble =
    "ERR One or more scores can't be converted into double";
inline constexpr std::string_view kNanScore = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kZaddXxNx = "ERR XX and NX options at the same time are not compatible";
inline constexpr std::string_view kZaddGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
inline constexpr std::string_view kZaddIncrPair = "ERR INCR option supports a single increment-element pair";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotLex = "ERR min or max not valid string range item";
inline constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";
inline constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
inline constexpr std::string_view kNumkeysPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kCountPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kZrangeLimit =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
inline constexpr std::string_view kZrangeLexScores =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
inline std::string AtLeastOneKey(std::string_view cmd) {
  return "ERR at least 1 input key is needed for '" + std::string(cmd) + "' command";
}
// --- hashes ------------------------------------------------------------------
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kValueNanOrInfinity = "ERR value is NaN or Infinity";

// --- CLIENT --------------------------------------------------------------------
inline constexpr std::string_view kClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";
inline constexpr std::string_view kInvalidClientId = "ERR Invalid client ID";
inline constexpr std::string_view kClientIdPositive = "ERR client-id should be greater than 0";
inline constexpr std::string_view kNoSuchClient = "ERR No such client";
inline constexpr std::string_view kPauseMode = "ERR CLIENT PAUSE mode must be WRITE or ALL";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutOutOfRange = "ERR timeout is out of range";
// Why: Redis's unblockClientOnError text has its own code, not ERR.
inline constexpr std::string_view kUnblocked = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
inline constexpr std::string_view kUnblockReason =
    "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR";

// --- COMMAND, SLOWLOG, MEMORY, SHUTDOWN, DEBUG --------------------------------
inline constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
inline constexpr std::string_view kNoKeyArguments = "ERR The command has no key arguments";
inline constexpr std::string_view kInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
inline constexpr std::string_view kInvalidArgs = "ERR Invalid arguments specified for command";
inline constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";
inline constexpr std::string_view kPurgeFailed = "ERR Error purging dirty pages";
inline constexpr std::string_view kNoShutdown = "ERR No shutdown in progress.";
inline constexpr std::string_view kDebugProtocolType =
    "ERR Wrong protocol type name. Please use one of the following: "
    "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

// --- sets (kNumkeysPositive, kLimitNegative: above); kSrandmemberRange also
// serves HRANDFIELD and ZRANDMEMBER ---------------------------------------------
inline constexpr std::string_view kNumkeysTooMany =
    "ERR Number of keys can't be greater than number of args";
inline constexpr std::string_view kSrandmemberRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// --- maxmemory / eviction (kOom: above) -------------------------------------------
inline constexpr std::string_view kClientEvictionDisabled = "ERR maxmemory-clients is disabled.";

// --- messages with a part filled in ----------------------------------------------
inline std::string WrongArgs(std::string_view cmd) {
  return "ERR wrong number of arguments for '" + std::string(cmd) + "' command";
}
inline std::string InvalidExpireTime(std::string_view cmd) {
  return "ERR invalid expire time in '" + std::string(cmd) + "' command";
}
// Redis's addReplySubcommandSyntaxError.
inline std::string SubcommandSyntax(std::string_view sub, std::string_view container) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
         "'. Try " + std::string(container) + " HELP.";
}
inline std::string UnsupportedOption(std::string_view opt) {
  return "ERR Unsupported option " + std::string(opt);
}
inline std::string HelloSyntax(std::string_view opt) {
  return "ERR Syntax error in HELLO option '" + std::string(opt) + "'";
}
inline std::string UnknownClientType(std::string_view type) {
  return "ERR Unknown client type '" + std::string(type) + "'";
}
inline std::string NoSuchUser(std::string_view user) {
  return "ERR No such user '" + std::string(user) + "'";
}
inline std::string NoLatencySamples(std::string_view event) {
  return "ERR No samples available for event '" + std::string(event) + "'";
}
inline std::string UnknownCommand(std::string_view name, std::string_view quoted_args) {
  return "ERR unknown command '" + std::string(name) +
         "', with args beginning with: " + std::string(quoted_args);
}
inline std::string UnknownSubcommand(std::string_view sub, std::string_view container) {
  return "ERR unknown subcommand '" + std::string(sub) + "'. Try " + std::string(container) +
         " HELP.";
}
// DEBUG / MODULE refused by enable-debug-command / enable-module-command.
inline std::string ProtectedCommand(std::string_view what, std::string_view option) {
  return "ERR " + std::string(what) + " command not allowed. If the " + std::string(option) +
         " option is set to \"local\", you can run it from a local connection, otherwise you "
         "need to set this option in the configuration file, and then restart the server.";
}
inline std::string ForceRewriteFailed(std::string_view why) {
  return "ERR CONFIG-REWRITE-FORCE-ALL failed: " + std::string(why);
}
inline std::string ProtocolError(std::string_view why) { return "ERR " + std::string(why); }
// A rejected EXEC (Redis's execCommandAbort): the original error without
// its "ERR ".
inline std::string ExecAbort(std::string_view why) {
  if (why.substr(0, 4) == "ERR ") why.remove_prefix(4);
  return "EXECABORT Transaction discarded because of: " + std::string(why);
}
// Vireo's answer for what a later milestone brings.
inline std::string NotSupportedYet(std::string_view what) {
  return "ERR " + std::string(what) + " is not supported by Vireo yet";
}

// The error line for an engine status. Statuses that are outcomes rather
// than errors (kOk, kExists, kSkipped) have none: "" is returned, and a
// handler that gets one there has a bug.
constexpr std::string_view For(engine::OpStatus s) {
  using engine::OpStatus;
  switch (s) {
    case OpStatus::kNotFound: return kNoKey;
    case OpStatus::kWrongType: return kWrongType;
    case OpStatus::kNotInteger: return kNotInt;
    case OpStatus::kNotFloat: return kNotFloat;
    case OpStatus::kOverflow: return kOverflow;
    case OpStatus::kNanOrInfinity: return kNanOrInfinity;
    case OpStatus::kStringTooLong: return kStringTooLong;
    case OpStatus::kSameObject: return kSameObject;
    case OpStatus::kDbOutOfRange: return kDbIndex;
    case OpStatus::kOffsetOutOfRange: return kOffsetOutOfRange;
    case OpStatus::kUnknownType: return kUnknownType;
    case OpStatus::kIndexOutOfRange: return kOutOfRange;
    case OpStatus::kNanScore: return kNanScore;
    case OpStatus::kHashNotInteger: return kHashNotInteger;
    case OpStatus::kHashNotFloat: return kHashNotFloat;
    case OpStatus::kNotDouble: return kSortNotDouble;
    case OpStatus::kOk:
    case OpStatus::kExists:
    case OpStatus::kSkipped:
      break;
  }
  return "";
}

// --- ACL (server/acl.h) ------------------------------------------------------
// NOPERM at dispatch (server.c processCommand) and at EXEC (multi.c).
inline std::string NopermCommand(std::string_view fullname) {
  return "NOPERM this user has no permissions to run the '" + std::string(fullname) + "' command";
}
inline constexpr std::string_view kNopermKey =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
inline constexpr std::string_view kNopermChannel =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
inline constexpr std::string_view kNoPermission = "ERR no permission";
inline std::string ExecNoperm(std::string_view reason) {
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
         "EXEC call. This command is no longer allowed for the following reason: " +
         std::string(reason);
}
// ACL SETUSER rule errors (Redis's ACLSetUserStringError), without "ERR ".
inline constexpr const char* kAclUnknownName = "Unknown command or category name in ACL";
inline constexpr const char* kAclSyntax = "Syntax error";
inline constexpr const char* kAclKeyAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
inline constexpr const char* kAclChannelAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
inline constexpr const char* kAclNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
inline constexpr const char* kAclBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
inline constexpr const char* kAclDuplicateUser =
    "Duplicate user found. A user can only be defined once in config files";
inline constexpr const char* kAclFirstArgOfSub = "Allowing first-arg of a subcommand is not supported";
// ACL command replies (acl.c aclCommand).
inline constexpr std::string_view kAclNoFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";
inline constexpr std::string_view kAclUsernameSpaces =
    "ERR Usernames can't contain spaces or null characters";
inline constexpr std::string_view kAclDefaultUndeletable = "ERR The 'default' user cannot be removed";
inline constexpr std::string_view kAclGenpassBits =
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
    "number up to 4096";
inline constexpr std::string_view kAclSaveFailed =
    "ERR There was an error trying to save the ACLs. Please check the server logs for more "
    "information";
inline std::string AclUnknownCategory(std::string_view cat) {
  return "ERR Unknown category '" + std::string(cat.substr(0, 128)) + "'";
}
inline std::string AclUserNotFound(std::string_view user) {
  return "ERR User '" + std::string(user) + "' not found";
}
inline std::string AclCommandNotFound(std::string_view cmd) {
  return "ERR Command '" + std::string(cmd) + "' not found";
}
inline std::string AclSetuserModifier(std::string_view op, std::string_view why) {
  return "ERR Error in ACL SETUSER modifier '" + std::string(op) + "': " + std::string(why);
}
inline std::string AclUnmatchedParen(std::string_view arg) {
  return "ERR Unmatched parenthesis in acl selector starting at '" + std::string(arg) + "'.";
}
inline constexpr std::string_view kSortByAcl =
    "ERR BY option of SORT denied due to insufficient ACL permissions.";
inline constexpr std::string_view kSortGetAcl =
    "ERR GET option of SORT denied due to insufficient ACL permissions.";

}  // namespace vireo::server::err
