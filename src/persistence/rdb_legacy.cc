// The pre-7.0 RDB value types, converted on load as Redis 7.0.15 does
// (rdbLoadObject's RDB_TYPE_HASH_ZIPMAP, _LIST_ZIPLIST, _ZSET_ZIPLIST,
// _HASH_ZIPLIST branches and the ziplist nodes of RDB_TYPE_LIST_QUICKLIST).
//
// Why: users arrive with dump.rdb files written by Redis 2.x-6.x; Redis
// 7.0 loads them, converting ziplists and zipmaps to listpacks, so Vireo
// must too. Ziplists are always validated deeply here, as Redis does
// (their conversion walks every entry anyway); the byte-level decoders are
// persistence/ziplist.h and zipmap.h.
#include <string>

#include "base/memory.h"
#include "engine/encoding/listpack.h"
#include "engine/encoding/quicklist.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_load_internal.h"
#include "persistence/ziplist.h"
#include "persistence/zipmap.h"

namespace vireo::persistence::rdb::detail {

using engine::Enc;
using engine::Entry;
using engine::ObjType;

uint8_t* ZiplistNodeToListpack(const uint8_t* zl, size_t len) {
  return ziplist::ToListpack(zl, len);  // validates deeply as it converts
}

namespace {

Entry* Fail(Reader& r, uint8_t* blob, const char* msg) {
  base::Free(blob);
  r.Corrupt(msg);
  return nullptr;
}

}  // namespace

Entry* ReadLegacyValue(Reader& r, int type, std::string_view key, const engine::KeyspaceOptions& ko,
                       const LoadOptions& lo, bool* empty) {
  (void)lo;  // legacy blobs are always validated deeply
  size_t n = 0;
  uint8_t* blob = r.Blob(&n);
  if (!blob) return nullptr;
  switch (type) {
    case kTypeHashZipmap: {
      if (!zipmap::ValidateIntegrity(blob, n, true)) return Fail(r, blob, "Zipmap integrity check failed.");
      bool dups = false;
      size_t maxlen = 0;
      uint8_t* lp = zipmap::ToListpack(blob, n, &dups, &maxlen);
      base::Free(blob);
      if (!lp || dups) {
        if (lp) engine::lp::Free(lp);
        r.Corrupt("Hash zipmap with dup elements, or big length");
        return nullptr;
      }
      if (engine::lp::Length(lp) == 0) {
        engine::lp::Free(lp);
        *empty = true;
        return nullptr;
      }
      Entry* e = NewEntry(key, ObjType::kHash, Enc::kListpack, lp);
      HashAfterLoad(e, ko, maxlen);
      return e;
    }
    case kTypeListZiplist: {
      if (!ziplist::ValidateIntegrity(blob, n, true)) return Fail(r, blob, "List ziplist integrity check failed.");
      uint8_t* lp = ziplist::ToListpack(blob, n);
      base::Free(blob);
      // Why element by element: Redis pushes each entry into a new quicklist
      // (_listZiplistEntryConvertAndValidate), so nodes follow today's fill.
      auto* ql = engine::ql::Create(ko.list_max_listpack_size, ko.list_compress_depth);
      char buf[32];
      for (const uint8_t* p = engine::lp::First(lp); p; p = engine::lp::Next(lp, p)) {
        engine::ql::PushTail(ql, engine::lp::Get(p).ToString(buf));
      }
      engine::lp::Free(lp);
      if (ql->count == 0) {
        engine::ql::Release(ql);
        *empty = true;
        return nullptr;
      }
      return NewEntry(key, ObjType::kList, Enc::kQuicklist, ql);
    }
    case kTypeZsetZiplist:
    case kTypeHashZiplist: {
      bool is_hash = type == kTypeHashZiplist;
      const char* msg = is_hash ? "Hash ziplist integrity check failed." : "Zset ziplist integrity check failed.";
      if (!ziplist::ValidateIntegrity(blob, n, true)) return Fail(r, blob, msg);
      uint8_t* lp = ziplist::ToListpack(blob, n);
      base::Free(blob);
      // Why: ziplistPairsConvertAndValidateIntegrity refuses odd counts and
      // repeated fields / members.
      if (!ListpackPairsNoDups(lp)) {
        engine::lp::Free(lp);
        r.Corrupt(msg);
        return nullptr;
      }
      if (engine::lp::Length(lp) == 0) {
        engine::lp::Free(lp);
        *empty = true;
        return nullptr;
      }
      lp = engine::lp::ShrinkToFit(lp);
      Entry* e = NewEntry(key, is_hash ? ObjType::kHash : ObjType::kZset, Enc::kListpack, lp);
      if (is_hash) {
        HashAfterLoad(e, ko);
      } else {
        ZsetAfterLoad(e, ko);
      }
      return e;
    }
    default:
      return Fail(r, blob, "Unknown RDB encoding type");
  }
}

}  // namespace vireo::persistence::rdb::detail
