// DEBUG (Redis debug.c): the subcommands Vireo implements, with Redis's
// argument-count rules, and a clear refusal for the ones it does not.
//
// Implemented: HELP, LOG, OBJECT, PROTOCOL, SLEEP, SET-ACTIVE-EXPIRE,
// POPULATE, ERROR, LEAK, STRINGMATCH-TEST, DIGEST, DIGEST-VALUE,
// CONFIG-REWRITE-FORCE-ALL, PAUSE-CRON.
// Every other subcommand Redis 7.0 knows answers "ERR DEBUG <SUB> is not
// supported by Vireo yet" when called with the argument count Redis would
// accept, and Redis's subcommand syntax error otherwise, like an unknown one.
// The dispatcher already enforces enable-debug-command (DEBUG is protected).
#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/glob.h"
#include "base/hash.h"
#include "base/ascii.h"
#include "cluster/cluster.h"
#include "commands/admin_internal.h"
#include "engine/encoding/quicklist.h"
#include "engine/lru.h"
#include "engine/encoding/strmap.h"
#include "engine/encoding/strset.h"
#include "engine/types/list.h"
#include "engine/types/zset_internal.h"
#include "server/config_table.h"
#include "engine/types/string.h"
#include "engine/value.h"
#include "server/log.h"
#include "persistence/rdb_save.h"
#include "replication/replication.h"
#include "server/snapshot.h"

namespace vireo::commands {
namespace {

using engine::Entry;

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back (Redis's
// debug.c): the check that everything the server holds survives a save.
void DebugReload(Client& c) {
  bool flush = true, save = true, merge = false;
  for (size_t j = 2; j < c.argv.size(); j++) {
    std::string_view o = c.argv[j];
    if (base::EqNoCase(o, "merge")) {
      merge = true;
    } else if (base::EqNoCase(o, "noflush")) {
      flush = false;
    } else if (base::EqNoCase(o, "nosave")) {
      save = false;
    } else {
      return Err(c, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  server::Snapshotter& snap = g_server->snapshots();
  if (save && !snap.SaveForeground()) return Err(c, "ERR");
  // Why dirty is kept: Redis's emptyData here does not count as changes.
  long long dirty = KS().dirty;
  if (flush) KS().Flush(-1, false);
  KS().dirty = dirty;
  if (snap.LoadFile(false, merge) != server::Snapshotter::LoadResult::kOk) {
    return Err(c, "ERR Error trying to load the RDB dump, check server logs.");
  }
  server::Log(server::LogLevel::kWarning, "DB reloaded by DEBUG RELOAD");
  c.reply.Ok();
}

size_t SerializedLength(const Entry* e) {
  return persistence::rdb::SerializedLength(e, g_server->cfg().rdbcompression);
}

// ---------------------------------------------------------------------------
// DEBUG DIGEST (Redis's xorDigest / mixDigest over SHA-1; the value part is
// the value table's, engine/value.h).

// xorObjectDigest; false when the value's type has no digest in Vireo yet.
bool XorObjectDigest(int db, Entry* e, uint8_t digest[20]) {
  uint32_t aux = htonl(static_cast<uint32_t>(e->type));
  engine::MixDigest(digest, &aux, sizeof(aux));
  if (!engine::DigestValue(e, digest)) return false;
  if (KS().GetExpire(db, e) != -1) engine::XorDigest(digest, "!!expire!!", 10);
  return true;
}

std::string DigestHex(const uint8_t d[20]) {
  static const char* kHex = "0123456789abcdef";
  std::string out(40, '0');
  for (int i = 0; i < 20; i++) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

void ErrDigestType(Client& c, const Entry* e) {
  Err(c, server::err::NotSupportedYet(std::string("DEBUG DIGEST of ") +
                                      engine::TypeName(e->otype()) + " values"));
}

void DebugDigest(Client& c) {
  uint8_t final_digest[20] = {};
  engine::Keyspace& ks = KS();
  for (int j = 0; j < ks.num_dbs(); j++) {
    engine::Db& db = ks.db(j);
    if (db.size() == 0) continue;
    uint32_t aux = htonl(static_cast<uint32_t>(j));
    engine::MixDigest(final_digest, &aux, sizeof(aux));
    Entry* unsupported = nullptr;
    db.keys().ForEach([&](Entry* e) {
      if (unsupported) return;
      uint8_t digest[20] = {};
      std::string_view key = e->key();
      engine::MixDigest(digest, key.data(), key.size());
      if (!XorObjectDigest(j, e, digest)) {
        unsupported = e;
        return;
      }
      engine::XorDigest(final_digest, digest, 20);
    });
    if (unsupported) {
      ErrDigestType(c, unsupported);
      return;
    }
  }
  c.reply.Simple(DigestHex(final_digest));
}

void DebugDigestValue(Client& c) {
  std::vector<std::string> out;
  for (size_t j = 2; j < c.argv.size(); j++) {
    uint8_t digest[20] = {};
    Entry* e = KS().Find(c.db_index, c.argv[j], engine::kLookupNoTouch);
    if (e && !XorObjectDigest(c.db_index, e, digest)) {
      ErrDigestType(c, e);
      return;
    }
    out.push_back(DigestHex(digest));
  }
  c.reply.ArrayLen(static_cast<int64_t>(out.size()));
  for (auto& s : out) c.reply.Simple(s);
}

// ---------------------------------------------------------------------------

void DebugObject(Client& c) {
  // Why: Redis reads the dict directly: no lazy expiry, no LRU touch.
  Entry* e = KS().db(c.db_index).Find(c.argv[2]);
  if (!e) {
    Err(c, server::err::kNoKey);
    return;
  }
  char buf[512];
  int n = snprintf(buf, sizeof(buf),
           "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%d lru_seconds_idle:%llu",
           static_cast<const void*>(e), engine::str::IsSharedInteger(e, KS().options()) ? INT_MAX : 1,
           engine::EncodingName(e->encoding()), SerializedLength(e), static_cast<int>(e->lru),
           static_cast<unsigned long long>(engine::EstimateIdleTimeMs(e, KS().options()) / 1000));
  if (e->encoding() == engine::Enc::kQuicklist) {
    // Why: Redis appends the quicklist's shape for lists.
    const engine::ql::Quicklist* ql = engine::list::QL(e);
    unsigned long sz = 0;
    for (const engine::ql::Node* node = ql->head; node; node = node->next) sz += node->sz;
    snprintf(buf + n, sizeof(buf) - static_cast<size_t>(n),
             " ql_nodes:%lu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d "
             "ql_uncompressed_size:%lu",
             ql->len, static_cast<double>(ql->count) / static_cast<double>(ql->len), ql->fill,
             ql->compress != 0 ? 1 : 0, sz);
  }
  c.reply.Simple(buf);
}

// DEBUG HTSTATS <dbid>: the key table's and the expire table's stats
// (Redis's dictGetStats). Our tables size and chain differently from
// Redis's (see dict.h), so the figures are ours; the format is Redis's.
void DebugHtStats(Client& c) {
  int64_t dbid;
  if (!ParseInt(c, c.argv[2], &dbid)) return;
  if (!KS().valid_db(dbid)) return Err(c, "ERR Out of range database");
  engine::Db& db = KS().db(static_cast<int>(dbid));
  std::string s = "[Dictionary HT]\n" + db.keys().Stats() + "[Expires HT]\n" + db.expires().Stats();
  c.reply.Verbatim(s);
}

// DEBUG HTSTATS-KEY <key>: the same for a value held in a hash table.
void DebugHtStatsKey(Client& c) {
  Entry* e = KS().Find(c.db_index, c.argv[2], engine::kLookupNoTouch | engine::kLookupNoNotify);
  if (!e) return Err(c, server::err::kNoKey);
  std::string s;
  if (e->encoding() == engine::Enc::kSkiplist) {
    s = engine::zset::detail::Sl(e)->dict().Stats();
  } else if (e->encoding() == engine::Enc::kHashtable && e->otype() == engine::ObjType::kSet) {
    s = static_cast<const engine::strset::StrSet*>(e->v.ptr)->Stats();
  } else if (e->encoding() == engine::Enc::kHashtable && e->otype() == engine::ObjType::kHash) {
    s = static_cast<const engine::StrMap*>(e->v.ptr)->Stats();
  } else {
    return Err(c, "ERR The value stored at the specified key is not represented using an hash table");
  }
  c.reply.Verbatim(s);
}

void DebugProtocol(Client& c) {
  std::string_view name = c.argv[2];
  auto& r = c.reply;
  if (EqNoCase(name, "string")) {
    r.Bulk("Hello World");
  } else if (EqNoCase(name, "integer")) {
    r.Int(12345);
  } else if (EqNoCase(name, "double")) {
    r.Double(3.141);
  } else if (EqNoCase(name, "bignum")) {
    r.BigNumber("1234567999999999999999999999999999999");
  } else if (EqNoCase(name, "null")) {
    r.Null();
  } else if (EqNoCase(name, "array")) {
    r.ArrayLen(3);
    for (int j = 0; j < 3; j++) r.Int(j);
  } else if (EqNoCase(name, "set")) {
    r.SetLen(3);
    for (int j = 0; j < 3; j++) r.Int(j);
  } else if (EqNoCase(name, "map")) {
    r.MapLen(3);
    for (int j = 0; j < 3; j++) {
      r.Int(j);
      r.Bool(j == 1);
    }
  } else if (EqNoCase(name, "attrib")) {
    // Why: RESP2 has no attributes; Redis sends only the real reply.
    if (c.resp() >= 3) {
      r.Raw("|1\r\n");
      r.Bulk("key-popularity");
      r.ArrayLen(2);
      r.Bulk("key:123");
      r.Int(90);
    }
    r.Bulk("Some real reply following the attribute");
  } else if (EqNoCase(name, "push")) {
    if (c.resp() < 3) {
      Err(c, server::err::kResp2NotSupported);
      return;
    }
    r.PushLen(2);
    r.Bulk("server-cpu-usage");
    r.Int(42);
    r.Bulk("Some real reply following the push reply");
  } else if (EqNoCase(name, "true")) {
    r.Bool(true);
  } else if (EqNoCase(name, "false")) {
    r.Bool(false);
  } else if (EqNoCase(name, "verbatim")) {
    r.Verbatim("This is a verbatim\nstring", "txt");
  } else {
    Err(c, server::err::kDebugProtocolType);
  }
}

void DebugSleep(Client& c) {
  // Why: Redis uses strtod without validation ("abc" sleeps 0) and blocks
  // the whole server in nanosleep.
  std::string arg(c.argv[2]);
  double dtime = strtod(arg.c_str(), nullptr);
  long long utime = static_cast<long long>(dtime * 1000000);
  struct timespec tv;
  tv.tv_sec = static_cast<time_t>(utime / 1000000);
  tv.tv_nsec = static_cast<long>((utime % 1000000) * 1000);
  nanosleep(&tv, nullptr);
  c.reply.Ok();
}

void DebugPopulate(Client& c) {
  int64_t count, valsize = 0;
  std::string_view kMsg = server::err::kPositive;
  if (!ParsePositive(c, c.argv[2], &count, kMsg)) return;
  if (c.argv.size() == 5 && !ParsePositive(c, c.argv[4], &valsize, kMsg)) return;
  std::string prefix = c.argv.size() >= 4 ? std::string(c.argv[3]) : std::string("key");
  char buf[128];
  for (int64_t j = 0; j < count; j++) {
    // Why: Redis formats into a 128-byte buffer, truncating long prefixes.
    snprintf(buf, sizeof(buf), "%s:%lu", prefix.c_str(), static_cast<unsigned long>(j));
    std::string key(buf);
    if (KS().Find(c.db_index, key, engine::kLookupWrite)) continue;
    snprintf(buf, sizeof(buf), "value:%lu", static_cast<unsigned long>(j));
    std::string val(buf);
    if (valsize != 0) {
      // Zero-padded (or truncated) to exactly valsize bytes.
      std::string padded(static_cast<size_t>(valsize), '\0');
      memcpy(padded.data(), val.data(), std::min(val.size(), padded.size()));
      val = std::move(padded);
    }
    // Why: createStringObject never int-encodes: "value:1" is embstr.
    engine::Enc enc =
        val.size() <= engine::kEmbstrSizeLimit ? engine::Enc::kEmbstr : engine::Enc::kRaw;
    // Why: Redis's POPULATE adds with dbAdd: no signal, no dirty, never
    // propagated.
    KS().SetKey(c.db_index, engine::str::NewStringEntry(key, val, enc), engine::kSetKeyNoSignal);
  }
  c.reply.Ok();
}

void DebugStringmatchTest(Client& c) {
  // Redis's stringmatchlen_fuzz_test: random patterns against random
  // strings; the point is not crashing (fewer cycles than Redis's 10M).
  char str[32], pat[32];
  long matches = 0;
  for (int cycles = 0; cycles < 1000000; cycles++) {
    size_t slen = base::Random64() % sizeof(str);
    size_t plen = base::Random64() % sizeof(pat);
    for (size_t j = 0; j < slen; j++) str[j] = static_cast<char>(base::Random64() % 128);
    for (size_t j = 0; j < plen; j++) pat[j] = static_cast<char>(base::Random64() % 128);
    matches += base::GlobMatch(std::string_view(pat, plen), std::string_view(str, slen), false);
  }
  (void)matches;
  c.reply.Simple("Apparently Redis did not crash: test passed");
}

void DebugConfigRewriteForceAll(Client& c) {
  std::string err;
  int e = 0;
  if (g_server->config.Rewrite(&err, /*force_all=*/true, &e)) {
    c.reply.Ok();
    return;
  }
  // Why: Redis replies "CONFIG-REWRITE-FORCE-ALL failed: <strerror>".
  Err(c, server::err::ForceRewriteFailed(e ? strerror(e) : "The server is running without a config file"));
}

// DEBUG CLUSTERLINK KILL <to|from|all> <node-id>: drops bus links (the
// cron reconnects the outbound one).
void DebugClusterLinkKill(Client& c) {
  cluster::Cluster* cl = cluster::Get();
  if (!cl) return Err(c, "ERR Debug option only available for cluster mode enabled setup!");
  cluster::Node* n = cl->LookupNode(c.argv[4]);
  if (!n) return Err(c, "ERR Unknown node " + std::string(c.argv[4]));
  std::string_view dir = c.argv[3];
  bool from = EqNoCase(dir, "from"), to = EqNoCase(dir, "to"), all = EqNoCase(dir, "all");
  if ((from || all) && n->inbound_link) cl->FreeLink(n->inbound_link);
  if ((to || all) && n->link) cl->FreeLink(n->link);
  // Why OK after the error: Redis's handler falls through to addReply.
  if (!from && !to && !all) Err(c, "ERR Unknown direction " + std::string(dir));
  c.reply.Ok();
}

void NotSupported(Client& c) {
  std::string sub(c.argv[1]);
  for (char& ch : sub) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  Err(c, server::err::NotSupportedYet("DEBUG " + sub));
}

void DebugHelp(Client& c) {
  static const char* const kHelp[] = {
      "AOF-FLUSH-SLEEP <microsec>",
      "    Server will sleep before flushing the AOF, this is used for testing.",
      "ASSERT",
      "    Crash by assertion failed.",
      "CHANGE-REPL-ID",
      "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem.",
      "CONFIG-REWRITE-FORCE-ALL",
      "    Like CONFIG REWRITE but writes all configuration options, including",
      "    keywords not listed in original configuration file or default values.",
      "CRASH-AND-RECOVER [<milliseconds>]",
      "    Hard crash and restart after a <milliseconds> delay (default 0).",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "ERROR <string>",
      "    Return a Redis protocol error with <string> as message. Useful for clients",
      "    unit tests to simulate Redis errors.",
      "LEAK <string>",
      "    Create a memory leak of the input string.",
      "LOG <message>",
      "    Write <message> to the server log.",
      "HTSTATS <dbid>",
      "    Return hash table statistics of the specified Redis database.",
      "HTSTATS-KEY <key>",
      "    Like HTSTATS but for the hash table stored at <key>'s value.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "REPLICATE <string>",
      "    Replicates the provided string to replicas, allowing data divergence.",
      "MALLCTL <key> [<val>]",
      "    Get or set a malloc tuning integer.",
      "MALLCTL-STR <key> [<val>]",
      "    Get or set a malloc tuning string.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "DROP-CLUSTER-PACKET-FILTER <packet-type>",
      "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
      "OOM",
      "    Crash the server simulating an out-of-memory error.",
      "PANIC",
      "    Crash the server simulating a panic.",
      "POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas. Cluster slots are not respected so keys not belonging to the",
      "    current node can be created in cluster mode.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database.",
      "RESTART [<milliseconds>]",
      "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
      "SDSLEN <key>",
      "    Show low level SDS string info representing `key` and value.",
      "SEGFAULT",
      "    Crash the server with sigsegv.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "QUICKLIST-PACKED-THRESHOLD <size>",
      "    Sets the threshold for elements to be inserted as plain vs packed nodes",
      "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
      "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
      "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "STRINGMATCH-TEST",
      "    Run a fuzz tester against the stringmatchlen() function.",
      "STRUCTSIZE",
      "    Return the size of different Redis core C structures.",
      "LISTPACK <key>",
      "    Show low level info about the listpack encoding of <key>.",
      "QUICKLIST <key> [<0|1>]",
      "    Show low level info about the quicklist encoding of <key>.",
      "    The optional argument (0 by default) sets the level of detail",
      "CLIENT-EVICTION",
      "    Show low level client eviction pools info (maxmemory-clients).",
      "PAUSE-CRON <0|1>",
      "    Stop periodic cron job processing.",
      "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
      "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
      "    In case NEVER is provided the last observed peak will never be reset",
      "    In case RESET is provided the peak reset time will be restored to the default value",
      "REPLYBUFFER RESIZING <0|1>",
      "    Enable or disable the reply buffer resize cron job",
      "CLUSTERLINK KILL <to|from|all> <node-id>",
      "    Kills the link based on the direction to/from (both) with the provided node.",
      nullptr};
  ReplyHelp(c, kHelp);
}

// Redis's debugCommand dispatch, in its order, with its argc conditions.
void CmdDebug(Client& c) {
  std::string_view sub = c.argv[1];
  size_t argc = c.argv.size();
  auto is = [&](const char* name) { return EqNoCase(sub, name); };
  if (is("help") && argc == 2) {
    DebugHelp(c);
  } else if (is("segfault") || is("panic") || is("restart") || is("crash-and-recover") ||
             is("oom") || is("assert")) {
    NotSupported(c);
  } else if (is("log") && argc == 3) {
    std::string msg(c.argv[2]);
    server::Log(server::LogLevel::kWarning, "DEBUG LOG: %s", msg.c_str());
    c.reply.Ok();
  } else if (is("leak") && argc == 3) {
    // Nothing to leak on purpose; the reply is what clients check.
    c.reply.Ok();
  } else if (is("reload")) {
    DebugReload(c);
  } else if (is("loadaof")) {
    // Redis's DEBUG LOADAOF: flush the buffer, empty the dataset, replay the
    // AOF files (a load failure ends the process, as in Redis).
    g_server->aof().DebugLoad();
    c.reply.Ok();
  } else if (is("listpack") && argc == 3) {
    // Small hashes and sorted sets: their value is one listpack.
    Entry* e = KS().Find(c.db_index, c.argv[2], engine::kLookupNoTouch | engine::kLookupNoNotify);
    if (!e) {
      Err(c, server::err::kNoKey);
    } else if (e->encoding() != engine::Enc::kListpack) {
      Err(c, "ERR Not a listpack encoded object.");
    } else {
      engine::ql::LpRepr(static_cast<const uint8_t*>(e->v.ptr));
      c.reply.Simple("Listpack structure printed on stdout");
    }
  } else if (is("drop-cluster-packet-filter") && argc == 3) {
    // Why without cluster mode too: Redis only stores the number.
    int64_t type;
    if (!ParseInt(c, c.argv[2], &type)) return;
    if (cluster::Get()) cluster::Get()->drop_packet_filter = type;
    c.reply.Ok();
  } else if (is("sdslen") && argc == 3) {
    NotSupported(c);
  } else if (is("object") && argc == 3) {
    DebugObject(c);
  } else if (is("quicklist") && (argc == 3 || argc == 4)) {
    Entry* e = KS().Find(c.db_index, c.argv[2], engine::kLookupNoTouch | engine::kLookupNoNotify);
    if (!e) {
      Err(c, server::err::kNoKey);
    } else if (e->encoding() != engine::Enc::kQuicklist) {
      Err(c, "ERR Not a quicklist encoded object.");
    } else {
      engine::list::Repr(e, argc == 4 && atoi(std::string(c.argv[3]).c_str()) != 0);
      c.reply.Simple("Quicklist structure printed on stdout");
    }
  } else if (is("quicklist-packed-threshold") && argc == 3) {
    unsigned long long sz;
    if (!server::config_internal::MemToUll(std::string(c.argv[2]), &sz) || !engine::ql::SetPackedThreshold(sz))
      Err(c, "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    else
      c.reply.Ok();
  } else if (is("populate") && argc >= 3 && argc <= 5) {
    DebugPopulate(c);
  } else if (is("digest") && argc == 2) {
    DebugDigest(c);
  } else if (is("digest-value") && argc >= 2) {
    DebugDigestValue(c);
  } else if (is("protocol") && argc == 3) {
    DebugProtocol(c);
  } else if (is("sleep") && argc == 3) {
    DebugSleep(c);
  } else if (is("set-active-expire") && argc == 3) {
    // Why: Redis stores atoi() of the argument, so "abc" disables it.
    g_server->active_expire_enabled = atoi(std::string(c.argv[2]).c_str());
    c.reply.Ok();
  } else if (is("set-skip-checksum-validation") && argc == 3) {
    NotSupported(c);
  } else if (is("aof-flush-sleep") && argc == 3) {
    // Tests slow the AOF writes down with it (atoi, as Redis).
    g_server->aof().flush_sleep_us = atoi(std::string(c.argv[2]).c_str());
    c.reply.Ok();
  } else if (is("replicate") && argc >= 3) {
    NotSupported(c);
  } else if (is("error") && argc == 3) {
    // Why: Redis writes the raw line (addReplySds), so errorstats do not
    // count it; CR/LF become spaces.
    std::string line = "-" + std::string(c.argv[2]);
    for (char& ch : line)
      if (ch == '\r' || ch == '\n') ch = ' ';
    line += "\r\n";
    c.reply.Raw(line);
  } else if (is("structsize") && argc == 2) {
    NotSupported(c);
  } else if (is("htstats") && argc == 3) {
    DebugHtStats(c);
  } else if (is("htstats-key") && argc == 3) {
    DebugHtStatsKey(c);
  } else if (is("config-rewrite-force-all") && argc == 2) {
    DebugConfigRewriteForceAll(c);
  } else if (is("change-repl-id") && argc == 2) {
    replication::Get()->DebugChangeReplId();
    c.reply.Ok();
  } else if (is("client-eviction") && argc == 2) {
    // Redis's buckets exist only while maxmemory-clients is set.
    if (g_server->cfg().maxmemory_clients == 0)
      Err(c, server::err::kClientEvictionDisabled);
    else
      c.reply.Verbatim(g_server->ClientEvictionBuckets());
  } else if (is("stringmatch-test") && argc == 2) {
    DebugStringmatchTest(c);
  } else if ((is("mallctl") || is("mallctl-str")) && argc >= 3) {
    NotSupported(c);
  } else if (is("pause-cron") && argc == 3) {
    // Why: Redis stores atoi() of the argument (DEBUG PAUSE-CRON).
    g_server->cron_paused = atoi(std::string(c.argv[2]).c_str()) != 0;
    c.reply.Ok();
  } else if (is("replybuffer") && argc == 4) {
    NotSupported(c);
  } else if (is("clusterlink") && argc == 5 && EqNoCase(c.argv[2], "kill")) {
    DebugClusterLinkKill(c);
  } else {
    ReplySubcommandSyntaxError(c);
  }
}

}  // namespace

void RegisterDebugCommand(server::CommandTable& t) { t.Register("debug", CmdDebug); }

}  // namespace vireo::commands
