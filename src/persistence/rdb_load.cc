// RDB reading (see rdb_load.h). Values of today's types are here; the
// pre-7.0 types are in rdb_legacy.cc.
#include "persistence/rdb_load.h"

#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>

#include "base/crc64.h"
#include "base/memory.h"
#include "base/numbers.h"
#include "engine/encoding/intset.h"
#include "engine/encoding/listpack.h"
#include "engine/encoding/quicklist.h"
#include "engine/encoding/skiplist.h"
#include "engine/encoding/strmap.h"
#include "engine/encoding/strset.h"
#include "engine/lru.h"
#include "engine/types/hash.h"
#include "engine/types/string.h"
#include "engine/types/zset_internal.h"
#include "engine/value.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_load_internal.h"
#include "persistence/rdb_save.h"

namespace vireo::persistence::rdb {

using engine::Enc;
using engine::Entry;
using engine::KeyspaceOptions;
using engine::ObjType;

namespace detail {

Entry* NewEntry(std::string_view key, ObjType type, Enc enc, void* ptr) {
  Entry* e = engine::AllocEntry(key, 0);
  e->type = static_cast<uint8_t>(type);
  e->enc = static_cast<uint8_t>(enc);
  e->v.ptr = ptr;
  return e;
}

void HashAfterLoad(Entry* e, const KeyspaceOptions& ko, size_t maxlen) {
  const auto* lp = static_cast<const uint8_t*>(e->v.ptr);
  if (engine::lp::Length(lp) / 2 > ko.hash_max_listpack_entries || maxlen > ko.hash_max_listpack_value) {
    engine::hash::ConvertToTable(e);
  }
}

void ZsetAfterLoad(Entry* e, const KeyspaceOptions& ko) {
  if (engine::zset::detail::LpPairs(static_cast<const uint8_t*>(e->v.ptr)) > ko.zset_max_listpack_entries) {
    engine::zset::detail::Convert(e, Enc::kSkiplist);
  }
}

bool ListpackPairsNoDups(const uint8_t* lp) {
  if (engine::lp::Length(lp) % 2 != 0) return false;
  std::unordered_set<std::string> seen;
  char buf[base::kLongStrSize];
  bool field = true;
  for (const uint8_t* p = engine::lp::First(lp); p; p = engine::lp::Next(lp, p)) {
    if (field && !seen.emplace(engine::lp::Get(p).ToString(buf)).second) return false;
    field = !field;
  }
  return true;
}

}  // namespace detail

namespace {

// Frees a half-built value on every error path.
struct Guard {
  Entry* e;
  ~Guard() {
    if (e) engine::FreeEntry(e);
  }
  Entry* release() {
    Entry* r = e;
    e = nullptr;
    return r;
  }
};

constexpr const char* kShortRead = "Short read or OOM loading DB. Unrecoverable error, aborting now.";

uint64_t MaxIntsetEntries(const KeyspaceOptions& ko) {
  // Why: Redis caps set-max-intset-entries at 1G on load ("intset internals").
  return std::min<uint64_t>(ko.set_max_intset_entries, 1u << 30);
}

// An intset set over the limit becomes a table (setTypeConvert).
void IntsetToTable(Entry* e) {
  auto* is = static_cast<uint8_t*>(e->v.ptr);
  auto* s = new engine::strset::StrSet();
  char buf[base::kLongStrSize];
  uint32_t n = engine::intset::Length(is);
  for (uint32_t i = 0; i < n; i++) {
    int64_t v = engine::intset::Get(is, i);
    s->Add({buf, base::Int64ToChars(v, buf)});
  }
  engine::intset::Free(is);
  e->v.ptr = s;
  e->enc = static_cast<uint8_t>(Enc::kHashtable);
}

Entry* ReadList(Reader& r, std::string_view key, const KeyspaceOptions& ko, bool* empty) {
  uint64_t len;
  if (!r.Len(&len)) return nullptr;
  if (len == 0) {
    *empty = true;
    return nullptr;
  }
  Guard g{detail::NewEntry(key, ObjType::kList, Enc::kQuicklist,
                           engine::ql::Create(ko.list_max_listpack_size, ko.list_compress_depth))};
  auto* ql = static_cast<engine::ql::Quicklist*>(g.e->v.ptr);
  std::string s;
  while (len--) {
    if (!r.String(&s)) return nullptr;
    engine::ql::PushTail(ql, s);
  }
  return g.release();
}

Entry* ReadSet(Reader& r, std::string_view key, const KeyspaceOptions& ko, bool* empty) {
  uint64_t len;
  if (!r.Len(&len)) return nullptr;
  if (len == 0) {
    *empty = true;
    return nullptr;
  }
  Guard g{nullptr};
  if (len > MaxIntsetEntries(ko)) {
    g.e = detail::NewEntry(key, ObjType::kSet, Enc::kHashtable, new engine::strset::StrSet());
  } else {
    g.e = detail::NewEntry(key, ObjType::kSet, Enc::kIntset, engine::intset::New());
  }
  std::string m;
  for (uint64_t i = 0; i < len; i++) {
    if (!r.String(&m)) return nullptr;
    if (g.e->encoding() == Enc::kIntset) {
      int64_t v;
      if (base::StringToInt64(m, &v)) {
        bool added;
        g.e->v.ptr = engine::intset::Add(static_cast<uint8_t*>(g.e->v.ptr), v, &added);
        if (!added) {
          r.Corrupt("Duplicate set members detected");
          return nullptr;
        }
        continue;
      }
      IntsetToTable(g.e);
    }
    if (!static_cast<engine::strset::StrSet*>(g.e->v.ptr)->Add(m)) {
      r.Corrupt("Duplicate set members detected");
      return nullptr;
    }
  }
  return g.release();
}

Entry* ReadZset(Reader& r, int type, std::string_view key, const KeyspaceOptions& ko, bool* empty) {
  uint64_t len;
  if (!r.Len(&len)) return nullptr;
  if (len == 0) {
    *empty = true;
    return nullptr;
  }
  Guard g{engine::zset::detail::NewEntry(key, Enc::kSkiplist)};
  auto* zs = engine::zset::detail::Sl(g.e);
  size_t maxelelen = 0, totelelen = 0;
  std::string m;
  while (len--) {
    double score;
    if (!r.String(&m)) return nullptr;
    if (!(type == kTypeZset2 ? r.BinaryDouble(&score) : r.LegacyDouble(&score))) return nullptr;
    if (std::isnan(score)) {
      r.Corrupt("Zset with NAN score detected");
      return nullptr;
    }
    if (zs->Find(m)) {
      r.Corrupt("Duplicate zset fields detected");
      return nullptr;
    }
    maxelelen = std::max(maxelelen, m.size());
    totelelen += m.size();
    zs->Insert(score, m);
  }
  // Why after loading: the saved order is not the listpack's (score) order.
  engine::zset::detail::ConvertToListpackIfNeeded(g.e, maxelelen, totelelen, ko);
  return g.release();
}

Entry* ReadHash(Reader& r, std::string_view key, const KeyspaceOptions& ko, const LoadOptions& lo,
                bool* empty) {
  uint64_t len;
  if (!r.Len(&len)) return nullptr;
  if (len == 0) {
    *empty = true;
    return nullptr;
  }
  Guard g{engine::hash::NewHashEntry(key)};
  if (len > ko.hash_max_listpack_entries) engine::hash::ConvertToTable(g.e);
  std::unordered_set<std::string> dups;  // deep validation of the listpack part
  bool check_dups = lo.deep && g.e->encoding() == Enc::kListpack;
  std::string f, v;
  while (len > 0) {
    len--;
    if (!r.String(&f) || !r.String(&v)) return nullptr;
    if (g.e->encoding() == Enc::kListpack) {
      if (check_dups && !dups.insert(f).second) {
        r.Corrupt("Hash with dup elements");
        return nullptr;
      }
      auto* lp = static_cast<uint8_t*>(g.e->v.ptr);
      if (f.size() > ko.hash_max_listpack_value || v.size() > ko.hash_max_listpack_value ||
          !engine::lp::SafeToAdd(lp, f.size() + v.size())) {
        // Why: the conversion inserts every field unchecked; Redis panics
        // on a repeated one there, we refuse it.
        if (!check_dups && !detail::ListpackPairsNoDups(lp)) {
          r.Corrupt("Hash with dup elements");
          return nullptr;
        }
        engine::hash::ConvertToTable(g.e);
      } else {
        lp = engine::lp::Append(lp, f);
        g.e->v.ptr = engine::lp::Append(lp, v);
        continue;
      }
    }
    if (!static_cast<engine::StrMap*>(g.e->v.ptr)->Set(f, v)) {
      r.Corrupt("Duplicate hash fields detected");
      return nullptr;
    }
  }
  return g.release();
}

Entry* ReadQuicklist(Reader& r, int type, std::string_view key, const KeyspaceOptions& ko,
                     const LoadOptions& lo, bool* empty) {
  uint64_t len;
  if (!r.Len(&len)) return nullptr;
  if (len == 0) {
    *empty = true;
    return nullptr;
  }
  Guard g{detail::NewEntry(key, ObjType::kList, Enc::kQuicklist,
                           engine::ql::Create(ko.list_max_listpack_size, ko.list_compress_depth))};
  auto* ql = static_cast<engine::ql::Quicklist*>(g.e->v.ptr);
  while (len--) {
    uint64_t container = engine::ql::kPacked;
    if (type == kTypeListQuicklist2) {
      if (!r.Len(&container)) return nullptr;
      if (container != engine::ql::kPacked && container != engine::ql::kPlain) {
        r.Corrupt("Quicklist integrity check failed.");
        return nullptr;
      }
    }
    size_t n = 0;
    uint8_t* data = r.Blob(&n);
    if (!data) return nullptr;
    if (n == 0) {
      base::Free(data);
      r.Corrupt("Quicklist integrity check failed.");
      return nullptr;
    }
    if (container == engine::ql::kPlain) {
      engine::ql::AppendPlain(ql, data, n);
      continue;
    }
    uint8_t* lp = data;
    if (type == kTypeListQuicklist2) {
      if (lo.deep && lo.sanitizations) ++*lo.sanitizations;
      if (!engine::ql::ValidateNode(engine::ql::kPacked, data, n, lo.deep)) {
        base::Free(data);
        r.Corrupt("Listpack integrity check failed.");
        return nullptr;
      }
    } else {
      lp = detail::ZiplistNodeToListpack(data, n);
      base::Free(data);
      if (!lp) {
        r.Corrupt("Ziplist integrity check failed.");
        return nullptr;
      }
    }
    // Empty listpacks are skipped (AppendListpack frees them), as Redis does.
    engine::ql::AppendListpack(ql, lp);
  }
  if (ql->count == 0) {
    *empty = true;
    return nullptr;
  }
  return g.release();
}

// Whether a listpack of pairs that passed only the shallow check (header
// and terminator: sanitize-dump-payload no, and every file load) cannot be
// walked and converted safely although loading is about to: a header that
// does not count its elements (the recount walks), or more elements than
// `max_elems` (the conversion walks and inserts every field). Why: Redis
// asserts there (lpNext's integrity assert, "Listpack corruption detected"
// on a duplicate), a crash; we refuse the value instead.
bool UnsafeToConvert(const uint8_t* lp, size_t n, uint64_t max_elems) {
  uint16_t hdr = static_cast<uint16_t>(lp[4] | lp[5] << 8);
  if (hdr != 65535 && hdr <= max_elems) return false;
  return !engine::lp::ValidateIntegrity(lp, n, true) || !detail::ListpackPairsNoDups(lp);
}

// A value stored as one blob: intset, listpack hash / zset / set.
Entry* ReadBlobValue(Reader& r, int type, std::string_view key, const KeyspaceOptions& ko,
                     const LoadOptions& lo, bool* empty) {
  size_t n = 0;
  uint8_t* blob = r.Blob(&n);
  if (!blob) return nullptr;
  auto fail = [&](const char* msg) -> Entry* {
    base::Free(blob);
    r.Corrupt(msg);
    return nullptr;
  };
  if (lo.deep && lo.sanitizations) ++*lo.sanitizations;
  switch (type) {
    case kTypeSetIntset: {
      if (!engine::intset::ValidateIntegrity(blob, n, lo.deep)) return fail("Intset integrity check failed.");
      Entry* e = detail::NewEntry(key, ObjType::kSet, Enc::kIntset, blob);
      if (engine::intset::Length(blob) > ko.set_max_intset_entries) IntsetToTable(e);
      return e;
    }
    case kTypeHashListpack:
    case kTypeZsetListpack: {
      bool is_hash = type == kTypeHashListpack;
      uint64_t max_pairs = is_hash ? ko.hash_max_listpack_entries : ko.zset_max_listpack_entries;
      if (!engine::lp::ValidateIntegrity(blob, n, lo.deep) || (lo.deep && !detail::ListpackPairsNoDups(blob)) ||
          (!lo.deep && UnsafeToConvert(blob, n, 2 * max_pairs))) {
        return fail(is_hash ? "Hash listpack integrity check failed." : "Zset listpack integrity check failed.");
      }
      if (engine::lp::Length(blob) == 0) {
        base::Free(blob);
        *empty = true;
        return nullptr;
      }
      Entry* e = detail::NewEntry(key, is_hash ? ObjType::kHash : ObjType::kZset, Enc::kListpack, blob);
      if (is_hash) {
        detail::HashAfterLoad(e, ko);
      } else {
        detail::ZsetAfterLoad(e, ko);
      }
      return e;
    }
    case kTypeSetListpack: {
      // RDB 11 (Redis 7.2 / Valkey 8). Why rebuilt member by member: 7.0 has
      // no listpack sets, so the set gets the intset or table SADD would give.
      // Deep whatever the setting: every member is read below.
      if (!engine::lp::ValidateIntegrity(blob, n, true)) return fail("Set listpack integrity check failed.");
      if (engine::lp::Length(blob) == 0) {
        base::Free(blob);
        *empty = true;
        return nullptr;
      }
      Guard g{detail::NewEntry(key, ObjType::kSet, Enc::kIntset, engine::intset::New())};
      if (engine::lp::Length(blob) > MaxIntsetEntries(ko)) IntsetToTable(g.e);
      char buf[base::kLongStrSize];
      for (const uint8_t* p = engine::lp::First(blob); p; p = engine::lp::Next(blob, p)) {
        std::string_view m = engine::lp::Get(p).ToString(buf);
        int64_t v;
        bool added;
        if (g.e->encoding() == Enc::kIntset && base::StringToInt64(m, &v)) {
          g.e->v.ptr = engine::intset::Add(static_cast<uint8_t*>(g.e->v.ptr), v, &added);
        } else {
          if (g.e->encoding() == Enc::kIntset) IntsetToTable(g.e);
          added = static_cast<engine::strset::StrSet*>(g.e->v.ptr)->Add(m);
        }
        if (!added) return fail("Duplicate set members detected");
      }
      base::Free(blob);
      return g.release();
    }
    default:
      return fail("Unknown RDB encoding type");
  }
}

}  // namespace

Entry* ReadValue(Reader& r, int type, std::string_view key, const KeyspaceOptions& ko, const LoadOptions& lo,
                 bool* empty) {
  *empty = false;
  switch (type) {
    case kTypeString: {
      std::string s;
      if (!r.String(&s)) return nullptr;
      return engine::str::MakeString(key, s);
    }
    case kTypeList:
      return ReadList(r, key, ko, empty);
    case kTypeSet:
      return ReadSet(r, key, ko, empty);
    case kTypeZset:
    case kTypeZset2:
      return ReadZset(r, type, key, ko, empty);
    case kTypeHash:
      return ReadHash(r, key, ko, lo, empty);
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      return ReadQuicklist(r, type, key, ko, lo, empty);
    case kTypeSetIntset:
    case kTypeHashListpack:
    case kTypeZsetListpack:
    case kTypeSetListpack:
      return ReadBlobValue(r, type, key, ko, lo, empty);
    case kTypeHashZipmap:
    case kTypeListZiplist:
    case kTypeZsetZiplist:
    case kTypeHashZiplist:
      return detail::ReadLegacyValue(r, type, key, ko, lo, empty);
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3:
      r.Corrupt("The RDB data contains a stream (key '" + std::string(key) +
                "'): Vireo does not support streams yet");
      return nullptr;
    case kTypeModulePreGa:
    case kTypeModule2:
      r.Corrupt("The RDB data contains module data (key '" + std::string(key) +
                "'): Vireo does not support modules");
      return nullptr;
    default:
      r.Corrupt("Unknown RDB encoding type " + std::to_string(type));
      return nullptr;
  }
}

bool VerifyDumpPayload(std::string_view p, bool check_crc, int* version) {
  if (p.size() < kDumpTrailer) return false;
  const auto* footer = reinterpret_cast<const uint8_t*>(p.data() + p.size() - kDumpTrailer);
  int ver = footer[0] | (footer[1] << 8);
  if (version) *version = ver;
  // Why up to 11: payloads of Redis 7.2 / Valkey 8 (MIGRATE from them) load
  // here, where Redis 7.0 would refuse them.
  if (ver > kMaxLoadVersion) return false;
  if (!check_crc) return true;
  uint64_t crc = base::Crc64(0, p.data(), p.size() - 8);
  return memcmp(&crc, footer + 2, 8) == 0;
}

Entry* ReadDumpPayload(std::string_view payload, std::string_view key, const KeyspaceOptions& ko,
                       const LoadOptions& lo) {
  Reader r(payload.data(), payload.size() - kDumpTrailer);
  uint8_t type;
  if (!r.Byte(&type) || !IsObjectType(type)) return nullptr;
  bool empty;
  return ReadValue(r, type, key, ko, lo, &empty);
}

// ---------------------------------------------------------------------------
// Whole files

namespace {

void NoteAux(const std::string& k, const std::string& v, LoadInfo* info) {
  if (k == "redis-ver") {
    info->redis_ver = v;
    info->notes.push_back("Loading RDB produced by version " + v);
  } else if (k == "ctime") {
    int64_t t = 0;
    base::StringToInt64(v, &t);
    info->ctime = t;
  } else if (k == "used-mem") {
    int64_t m = 0;
    base::StringToInt64(v, &m);
    info->used_mem = m;
  } else if (k == "repl-stream-db") {
    int64_t d = -1;
    base::StringToInt64(v, &d);
    info->repl_stream_db = static_cast<int>(d);
  } else if (k == "repl-id") {
    if (v.size() == 40) info->repl_id = v;
  } else if (k == "repl-offset") {
    int64_t o = -1;
    base::StringToInt64(v, &o);
    info->repl_offset = o;
  } else if (k == "aof-base" || k == "aof-preamble") {
    info->aof_base = v == "1";
  }
  // "redis-bits", "lua" (pre-7.0 scripts, not loaded by 7.0 either) and
  // unknown fields are ignored, as Redis does.
}

}  // namespace

bool LoadSnapshot(Reader& r, engine::Keyspace& ks, const FileLoadOptions& o, LoadInfo* info,
                  std::string* err) {
  auto fail = [&](const std::string& m) {
    *err = m;
    return false;
  };
  char magic[10] = {};
  if (!r.Raw(magic, 9)) return fail(kShortRead);
  if (memcmp(magic, "REDIS", 5) != 0) return fail("Wrong signature trying to load DB from file");
  int ver = atoi(magic + 5);
  info->version = ver;
  if (ver < 1 || ver > kMaxLoadVersion) return fail("Can't handle RDB format version " + std::to_string(ver));

  const KeyspaceOptions& ko = ks.options();
  int dbid = 0;
  int64_t expire = -1, lfu_freq = -1, lru_idle = -1;
  uint64_t next_progress = o.progress_interval;
  std::string key, k2, v2;
  for (;;) {
    uint8_t type;
    if (!r.Byte(&type)) return fail(r.error());
    if (type == kOpExpireTime) {
      int32_t t;
      if (!r.Raw(&t, 4)) return fail(r.error());
      expire = int64_t(t) * 1000;
      continue;
    }
    if (type == kOpExpireTimeMs) {
      if (!r.MillisecondTime(&expire)) return fail(r.error());
      continue;
    }
    if (type == kOpFreq) {
      uint8_t f;
      if (!r.Byte(&f)) return fail(r.error());
      lfu_freq = f;
      continue;
    }
    if (type == kOpIdle) {
      uint64_t idle;
      if (!r.Len(&idle)) return fail(r.error());
      lru_idle = static_cast<int64_t>(idle);
      continue;
    }
    if (type == kOpEof) break;
    if (type == kOpSelectDb) {
      uint64_t id;
      if (!r.Len(&id)) return fail(r.error());
      if (id >= static_cast<uint64_t>(ks.num_dbs())) {
        return fail("FATAL: Data file was created with a Redis server configured to handle more than " +
                    std::to_string(ks.num_dbs()) + " databases. Exiting\n");
      }
      dbid = static_cast<int>(id);
      continue;
    }
    if (type == kOpResizeDb) {
      uint64_t dsize, esize;
      if (!r.Len(&dsize) || !r.Len(&esize)) return fail(r.error());
      // Why capped: the sizes are hints from the file; a corrupt one must
      // not make us allocate a huge table up front
      // (A key takes at least 3 bytes of the file.)
      ks.db(dbid).keys().Reserve(std::min<uint64_t>({dsize, r.remaining() / 3, 1u << 26}));
      continue;
    }
    if (type == kOpAux) {
      if (!r.String(&k2) || !r.String(&v2)) return fail(r.error());
      NoteAux(k2, v2, info);
      continue;
    }
    if (type == kOpModuleAux) {
      return fail("The RDB file contains AUX module data I can't load: Vireo does not support modules");
    }
    if (type == kOpFunction2 || type == kOpFunctionPreGa) {
      return fail("The RDB file contains function libraries: Vireo does not support functions yet");
    }
    // A key and its value.
    if (!r.String(&key)) return fail(r.error());
    bool empty = false;
    Entry* e = ReadValue(r, type, key, ko, o.value, &empty);
    if (!e) {
      if (empty) {
        if (info->empty_keys_skipped++ < 10) {
          info->notes.push_back("rdbLoadObject skipping empty key: " + key);
        }
        expire = lfu_freq = lru_idle = -1;
        continue;
      }
      return fail(r.error().empty() ? kShortRead : r.error());
    }
    engine::Db& db = ks.db(dbid);
    if (o.skip_expired && expire != -1 && expire < o.now_ms) {
      engine::FreeEntry(e);
      info->keys_expired++;
      if (o.on_expired) o.on_expired(dbid, key);
    } else {
      if (Entry* old = db.Find(key)) {
        (void)old;
        if (!o.allow_dup) {
          engine::FreeEntry(e);
          return fail("RDB has duplicated key '" + key + "' in DB " + std::to_string(dbid));
        }
        db.Delete(key);
      }
      if (!engine::SetLruOrLfu(e, lfu_freq, lru_idle, ko)) e->lru = engine::NewObjectLru(ko);
      db.Add(e);
      if (expire != -1) db.SetExpire(e, expire);
      info->keys_loaded++;
    }
    expire = lfu_freq = lru_idle = -1;
    if (o.key_load_delay && *o.key_load_delay) DebugDelay(*o.key_load_delay);
    if (o.progress && r.processed() >= next_progress) {
      o.progress(r.processed());
      next_progress = r.processed() + o.progress_interval;
    }
  }
  if (ver >= 5) {
    uint64_t expected = r.crc();
    uint64_t got;
    if (!r.Raw(&got, 8)) return fail(r.error());
    if (!o.verify_checksum) {
      // rdbchecksum no: nothing checked.
    } else if (got == 0) {
      info->checksum_skipped = true;
      info->notes.push_back("RDB file was saved with checksum disabled: no check performed.");
    } else if (got != expected) {
      char buf[128];
      snprintf(buf, sizeof(buf), "Wrong RDB checksum expected: (%llx) but got (%llx). Aborting now.",
               static_cast<unsigned long long>(expected), static_cast<unsigned long long>(got));
      return fail(buf);
    }
  }
  return true;
}

}  // namespace vireo::persistence::rdb
