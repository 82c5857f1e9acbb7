// RDB writing (see rdb_save.h).
#include "persistence/rdb_save.h"

#include <unistd.h>

#include <cstdlib>

#include "base/numbers.h"
#include "engine/encoding/intset.h"
#include "engine/encoding/listpack.h"
#include "engine/encoding/quicklist.h"
#include "engine/encoding/skiplist.h"
#include "engine/encoding/strmap.h"
#include "engine/encoding/strset.h"
#include "engine/lru.h"
#include "persistence/rdb_format.h"

namespace vireo::persistence::rdb {

using engine::Enc;
using engine::Entry;
using engine::ObjType;

void WriteValueType(Writer& w, const Entry* e) {
  switch (e->otype()) {
    case ObjType::kString:
      w.Byte(kTypeString);
      return;
    case ObjType::kList:
      w.Byte(kTypeListQuicklist2);
      return;
    case ObjType::kSet:
      w.Byte(e->encoding() == Enc::kIntset ? kTypeSetIntset : kTypeSet);
      return;
    case ObjType::kZset:
      w.Byte(e->encoding() == Enc::kListpack ? kTypeZsetListpack : kTypeZset2);
      return;
    case ObjType::kHash:
      w.Byte(e->encoding() == Enc::kListpack ? kTypeHashListpack : kTypeHash);
      return;
    case ObjType::kStream:
      w.Byte(kTypeStreamListpacks2);
      return;
    case ObjType::kModule:
      w.Byte(kTypeModule2);
      return;
  }
}

namespace {

void WriteList(Writer& w, const Entry* e) {
  const auto* ql = static_cast<const engine::ql::Quicklist*>(e->v.ptr);
  w.Len(ql->len);
  for (const engine::ql::Node* n = ql->head; n; n = n->next) {
    w.Len(n->container);
    const uint8_t* data;
    size_t len;
    bool compressed;
    engine::ql::NodeData(n, &data, &len, &compressed);
    if (compressed) {
      // Why: a compressed node is written as the LZF block it already is
      // (rdbSaveLzfBlob), no decompress / recompress.
      w.LzfBlob(data, len, n->sz);
    } else {
      w.String({reinterpret_cast<const char*>(data), len});
    }
  }
}

void WriteSet(Writer& w, const Entry* e) {
  if (e->encoding() == Enc::kIntset) {
    const auto* is = static_cast<const uint8_t*>(e->v.ptr);
    w.String({reinterpret_cast<const char*>(is), engine::intset::BlobLen(is)});
    return;
  }
  const auto* s = static_cast<const engine::strset::StrSet*>(e->v.ptr);
  w.Len(s->size());
  s->ForEach([&](std::string_view m) { w.String(m); });
}

void WriteListpack(Writer& w, const Entry* e) {
  const auto* lp = static_cast<const uint8_t*>(e->v.ptr);
  w.String({reinterpret_cast<const char*>(lp), engine::lp::Bytes(lp)});
}

void WriteZset(Writer& w, const Entry* e) {
  if (e->encoding() == Enc::kListpack) return WriteListpack(w, e);
  const auto* zs = static_cast<const engine::zsl::ZSet*>(e->v.ptr);
  w.Len(zs->size());
  // Why from the tail: the loader's inserts then always land at the head.
  for (const engine::zsl::Node* n = zs->last(); n; n = n->backward) {
    w.String(n->member());
    w.BinaryDouble(n->score);
  }
}

void WriteHash(Writer& w, const Entry* e) {
  if (e->encoding() == Enc::kListpack) return WriteListpack(w, e);
  const auto* m = static_cast<const engine::StrMap*>(e->v.ptr);
  w.Len(m->size());
  m->ForEach([&](const engine::StrMapNode* n) {
    w.String(n->field());
    w.String(n->value());
  });
}

}  // namespace

void WriteValue(Writer& w, const Entry* e) {
  switch (e->otype()) {
    case ObjType::kString:
      if (e->is_int()) {
        w.LongLongAsString(e->v.ival);
      } else {
        w.String(e->str());
      }
      return;
    case ObjType::kList:
      return WriteList(w, e);
    case ObjType::kSet:
      return WriteSet(w, e);
    case ObjType::kZset:
      return WriteZset(w, e);
    case ObjType::kHash:
      return WriteHash(w, e);
    case ObjType::kStream:
    case ObjType::kModule:
      // No such values exist in Vireo yet (the engine cannot create them).
      abort();
  }
}

void WriteKeyValue(Writer& w, const Entry* e, int64_t expire_ms, const engine::KeyspaceOptions& ko) {
  if (expire_ms != -1) {
    w.Byte(kOpExpireTimeMs);
    w.MillisecondTime(expire_ms);
  }
  // Why: Redis saves the idle time only under an LRU policy and the
  // counter only under an LFU one (MAXMEMORY_FLAG_LRU / _LFU).
  if (ko.lfu()) {
    w.Byte(kOpFreq);
    w.Byte(static_cast<uint8_t>(engine::LfuDecrAndReturn(e, ko)));
  } else if (ko.lru_or_lfu()) {
    w.Byte(kOpIdle);
    w.Len(engine::EstimateIdleTimeMs(e, ko) / 1000);
  }
  WriteValueType(w, e);
  w.String(e->key());
  WriteValue(w, e);
}

std::string DumpPayload(const Entry* e, bool compression) {
  Writer w;
  w.set_compression(compression);
  WriteValueType(w, e);
  WriteValue(w, e);
  uint8_t ver[2] = {kVersion & 0xFF, (kVersion >> 8) & 0xFF};
  w.Raw(ver, 2);
  uint64_t crc = w.crc();
  w.Raw(&crc, 8);
  return std::move(w.buffer());
}

size_t SerializedLength(const Entry* e, bool compression) {
  Writer w;
  w.set_checksum(false);
  w.set_compression(compression);
  WriteValue(w, e);
  return w.written();
}

void DebugDelay(int usec) {
  if (usec < 0) usec = (rand() % -usec) == 0 ? 1 : 0;
  if (usec) usleep(static_cast<useconds_t>(usec));
}

namespace {

void AuxStr(Writer& w, std::string_view key, std::string_view val) {
  w.Byte(kOpAux);
  w.String(key);
  w.String(val);
}

void AuxInt(Writer& w, std::string_view key, int64_t v) {
  char buf[base::kLongStrSize];
  AuxStr(w, key, {buf, base::Int64ToChars(v, buf)});
}

}  // namespace

bool WriteSnapshot(Writer& w, engine::Keyspace& ks, const AuxFields& aux, const SaveOptions& opts,
                   const std::function<void(uint64_t)>& on_key) {
  w.set_compression(opts.compression);
  w.set_checksum(opts.checksum);
  char magic[16];
  snprintf(magic, sizeof(magic), "REDIS%04d", kVersion);
  w.Raw(magic, 9);
  AuxStr(w, "redis-ver", aux.redis_ver);
  AuxInt(w, "redis-bits", sizeof(void*) * 8);
  AuxInt(w, "ctime", aux.ctime);
  AuxInt(w, "used-mem", aux.used_mem);
  if (aux.with_repl) {
    AuxInt(w, "repl-stream-db", aux.repl_stream_db);
    AuxStr(w, "repl-id", aux.repl_id);
    AuxInt(w, "repl-offset", aux.repl_offset);
  }
  AuxInt(w, "aof-base", aux.aof_base ? 1 : 0);
  // (Function libraries would go here: Vireo has no scripting yet.)
  const engine::KeyspaceOptions& ko = ks.options();
  uint64_t keys = 0;
  for (int i = 0; i < ks.num_dbs() && w.ok(); i++) {
    engine::Db& db = ks.db(i);
    if (db.size() == 0) continue;
    w.Byte(kOpSelectDb);
    w.Len(static_cast<uint64_t>(i));
    w.Byte(kOpResizeDb);
    w.Len(db.size());
    w.Len(db.expires_size());
    db.keys().ForEach([&](Entry* e) {
      if (!w.ok()) return;
      WriteKeyValue(w, e, e->has_expire() ? db.GetExpire(e) : -1, ko);
      if (opts.key_save_delay) DebugDelay(opts.key_save_delay);
      ++keys;
      if (on_key) on_key(keys);
    });
  }
  w.Byte(kOpEof);
  uint64_t crc = w.crc();
  w.Raw(&crc, 8);
  return w.Flush();
}

}  // namespace vireo::persistence::rdb
