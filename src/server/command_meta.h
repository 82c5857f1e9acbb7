// Command metadata, generated from the reference server (redis-server 7.0.15).
//
// The table is data, not code: tools/gen_command_table.py asks a running
// redis-server 7.0.15 for COMMAND INFO and COMMAND DOCS and writes
// command_table_data.cc. The server only advertises (COMMAND, COMMAND COUNT,
// COMMAND DOCS, ...) the entries that also have a handler, so a command that
// is not implemented yet answers the unknown-command error and is invisible.
//
// Reply bytes: for every command and subcommand we keep the exact bytes the
// reference server sent for its COMMAND INFO entry and its COMMAND DOCS value,
// in both RESP2 and RESP3, *without* the trailing subcommands part, so the
// server can append only the implemented subcommands.
//
// Reassembly rule, verified byte for byte against redis-server 7.0.15 for
// every command by tools/check_command_table.py (RESP2 and RESP3):
//   INFO entry  = "*10\r\n" + info_respN + subcommands, where subcommands is
//                 "*<n>\r\n" + for each implemented subcommand
//                 ("*10\r\n" + its info_respN + EMPTY).
//                 DEVIATION from the naive rule: a command without
//                 subcommands (every subcommand, and most top-level commands)
//                 ends with EMPTY = "*0\r\n" in RESP2 but "~0\r\n" in RESP3,
//                 because Redis replies addReplySetLen(c, 0) there. Only a
//                 non-empty subcommands list is an array ("*<n>") in RESP3.
//   DOCS value  = header + docs_respN [+ "$11\r\nsubcommands\r\n" + map
//                 header(n) + for each subcommand: bulk "parent|sub" + that
//                 sub's DOCS value]; header = "*<2k>\r\n" (RESP2) or
//                 "%<k>\r\n" (RESP3), k = docs_pairs (+1 with subcommands).
//                 The "subcommands" pair is always the last one.
//   COMMAND DOCS reply = map header(#found) + per found name: bulk full name
//                 ("config|get") + DOCS value. COMMAND / COMMAND INFO reply =
//                 "*<n>\r\n" + entries.
// Subcommands (and COMMAND's entries) come in Redis dict order, which we
// cannot and need not reproduce; the check compares those lists unordered.
// Other reference behaviours seen while checking (for the COMMAND handler):
//   * COMMAND INFO of an unknown name gives a null element: "$-1\r\n" in
//     RESP2 (not "*-1"), "_\r\n" in RESP3; "config|nosuch" is unknown too.
//   * COMMAND DOCS skips unknown names (reply "*0"/"%0" if none is known) and
//     repeats duplicates: "COMMAND DOCS get GET" answers "*4" / "%2" with the
//     key "get" twice. Names are case-insensitive, replies use the lowercase
//     full name, and "CONFIG|GET" works for both INFO and DOCS.
//   * A container with no implemented subcommand has no reference reply;
//     presumably send "*0\r\n" for INFO and an empty subcommands map for DOCS.
// Flags: kCmdProtected is set on DEBUG and on MODULE LOAD / LOADEX / UNLOAD
// (not on the MODULE container: MODULE LIST and MODULE HELP work with
// enable-module-command no).
// Modes: kCmdSentinel marks every command and subcommand `redis-server
// --sentinel` lists (COMMAND LIST), kCmdOnlySentinel every one the plain
// server does not know (SENTINEL and its subcommands, which have both, as
// in Redis's commands.c). COMMAND INFO shows neither, so the generator asks
// both servers; their metadata for the commands they share is identical in
// 7.0.15 (only the dict order of subcommands differs). The table holds both
// modes' entries: whatever walks kCommandMeta directly (ACL categories and
// rules) should skip the entries InCommandMode rejects for the server's mode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vireo::server {

// Command flags as COMMAND INFO lists them (bit per flag).
enum CmdFlag : uint64_t {
  kCmdWrite = 1ull << 0,
  kCmdReadonly = 1ull << 1,
  kCmdDenyOom = 1ull << 2,
  kCmdModule = 1ull << 3,
  kCmdAdmin = 1ull << 4,
  kCmdPubsub = 1ull << 5,
  kCmdNoscript = 1ull << 6,
  kCmdBlocking = 1ull << 7,
  kCmdLoading = 1ull << 8,
  kCmdStale = 1ull << 9,
  kCmdSkipMonitor = 1ull << 10,
  kCmdSkipSlowlog = 1ull << 11,
  kCmdAsking = 1ull << 12,
  kCmdFast = 1ull << 13,
  kCmdNoAuth = 1ull << 14,
  kCmdMayReplicate = 1ull << 15,
  kCmdNoMandatoryKeys = 1ull << 16,
  kCmdNoMulti = 1ull << 17,
  kCmdMovableKeys = 1ull << 18,
  kCmdAllowBusy = 1ull << 19,
  kCmdNoAsyncLoading = 1ull << 20,
  // Not shown by COMMAND INFO; set by the generator from a fixed list.
  kCmdProtected = 1ull << 32,  // DEBUG, MODULE: enable-debug-command / enable-module-command
  kCmdSentinel = 1ull << 33,      // exists in sentinel mode
  kCmdOnlySentinel = 1ull << 34,  // exists only in sentinel mode
  kCmdTouchesArbitraryKeys = 1ull << 35,  // may lazy-expire any key (SCAN, RANDOMKEY)
};

// ACL categories, bit per category, in Redis's order (ACLCommandCategories).
enum AclCategory : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedset = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclHyperloglog = 1ull << 9,
  kAclGeo = 1ull << 10,
  kAclStream = 1ull << 11,
  kAclPubsub = 1ull << 12,
  kAclAdmin = 1ull << 13,
  kAclFast = 1ull << 14,
  kAclSlow = 1ull << 15,
  kAclBlocking = 1ull << 16,
  kAclDangerous = 1ull << 17,
  kAclConnection = 1ull << 18,
  kAclTransaction = 1ull << 19,
  kAclScripting = 1ull << 20,
};

// Key spec flags (bit per flag as COMMAND INFO names them).
enum KeySpecFlag : uint32_t {
  kKsRO = 1u << 0,
  kKsRW = 1u << 1,
  kKsOW = 1u << 2,
  kKsRM = 1u << 3,
  kKsAccess = 1u << 4,
  kKsUpdate = 1u << 5,
  kKsInsert = 1u << 6,
  kKsDelete = 1u << 7,
  kKsNotKey = 1u << 8,
  kKsIncomplete = 1u << 9,
  kKsVariableFlags = 1u << 10,
};

struct KeySpecMeta {
  uint32_t flags;
  enum BeginSearch : uint8_t { kBsUnknown, kBsIndex, kBsKeyword } bs_type;
  int bs_index;                 // kBsIndex: argv position
  const char* bs_keyword;       // kBsKeyword: keyword (uppercase as Redis has it)
  int bs_startfrom;             // kBsKeyword: start index, negative = from end
  enum FindKeys : uint8_t { kFkUnknown, kFkRange, kFkKeynum } fk_type;
  int fk_lastkey, fk_keystep, fk_limit;            // kFkRange
  int fk_keynumidx, fk_firstkey, fk_keystep_num;   // kFkKeynum
};

struct CommandMeta {
  const char* name;        // lowercase; a subcommand's own name, e.g. "get" for CONFIG GET
  const char* parent;      // lowercase container name ("config"), or nullptr
  int arity;
  uint64_t flags;          // CmdFlag bits
  uint64_t acl_categories; // AclCategory bits
  int first_key, last_key, key_step;
  const KeySpecMeta* key_specs;
  int num_key_specs;
  // COMMAND INFO entry: the first 9 elements (name .. key specs), without the
  // outer array header and without the 10th element (subcommands).
  std::string_view info_resp2;
  std::string_view info_resp3;
  // COMMAND DOCS value: the key/value pairs of the docs map, without the map
  // (RESP3) / array (RESP2) header and without the "subcommands" pair;
  // docs_pairs counts the pairs kept.
  std::string_view docs_resp2;
  std::string_view docs_resp3;
  int docs_pairs;
};

extern const CommandMeta kCommandMeta[];
extern const size_t kCommandMetaCount;

// Why: Redis's populateCommandStructure leaves out a command or subcommand
// without CMD_SENTINEL in sentinel mode and one with CMD_ONLY_SENTINEL in
// the normal mode.
constexpr bool InCommandMode(const CommandMeta& m, bool sentinel_mode) {
  return sentinel_mode ? (m.flags & kCmdSentinel) != 0 : (m.flags & kCmdOnlySentinel) == 0;
}

}  // namespace vireo::server
