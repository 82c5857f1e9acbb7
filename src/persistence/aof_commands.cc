// The AOF's command form (see aof_commands.h).
#include "persistence/aof_commands.h"

#include "base/numbers.h"
#include "engine/encoding/intset.h"
#include "engine/encoding/listpack.h"
#include "engine/encoding/quicklist.h"
#include "engine/types/hash.h"
#include "engine/types/set.h"
#include "engine/types/zset_internal.h"
#include "persistence/rdb_save.h"

namespace vireo::persistence::aof {
namespace {

using engine::Entry;
using engine::ObjType;

template <class Out>
void Header(Out& out, char type, uint64_t n) {
  char buf[32];
  buf[0] = type;
  size_t len = 1 + base::Uint64ToChars(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out.append(buf, len);
}

// rdb::Writer as an append target for Header.
struct WriterOut {
  rdb::Writer& w;
  void append(const char* p, size_t n) { w.Raw(p, n); }
};

void Bulk(rdb::Writer& w, std::string_view s) {
  WriterOut o{w};
  Header(o, '$', s.size());
  w.Raw(s.data(), s.size());
  w.Raw("\r\n", 2);
}

void BulkLL(rdb::Writer& w, int64_t v) {
  char buf[base::kLongStrSize];
  Bulk(w, {buf, base::Int64ToChars(v, buf)});
}

// Redis's rioWriteBulkDouble: "%.17g".
void BulkDouble(rdb::Writer& w, double d) {
  char buf[64];
  Bulk(w, {buf, base::DoubleToChars(d, buf, sizeof(buf))});
}

void BulkElem(rdb::Writer& w, const engine::lp::Elem& e) {
  if (e.is_int()) return BulkLL(w, e.v);
  Bulk(w, e.sv());
}

// The command header for the next batch of a big value: RPUSH/SADD/ZADD/
// HMSET key, sized for min(remaining, 64) items of `per_item` arguments.
class Batcher {
 public:
  Batcher(rdb::Writer& w, std::string_view cmd, std::string_view key, uint64_t items, int per_item)
      : w_(w), cmd_(cmd), key_(key), items_(items), per_item_(per_item) {}
  void BeforeItem() {
    if (count_ == 0) {
      uint64_t n = items_ > kItemsPerCommand ? kItemsPerCommand : items_;
      WriterOut o{w_};
      Header(o, '*', 2 + n * static_cast<uint64_t>(per_item_));
      Bulk(w_, cmd_);
      Bulk(w_, key_);
    }
  }
  void AfterItem() {
    if (++count_ == kItemsPerCommand) count_ = 0;
    items_--;
  }

 private:
  rdb::Writer& w_;
  std::string_view cmd_, key_;
  uint64_t items_;
  int per_item_;
  uint64_t count_ = 0;
};

void RewriteList(rdb::Writer& w, Entry* e) {
  auto* ql = static_cast<engine::ql::Quicklist*>(e->v.ptr);
  Batcher b(w, "RPUSH", e->key(), ql->count, 1);
  engine::ql::Iter it(ql, engine::ql::kStartHead);
  engine::ql::Item item;
  while (it.Next(&item)) {
    b.BeforeItem();
    if (item.value) {
      Bulk(w, {reinterpret_cast<const char*>(item.value), item.sz});
    } else {
      BulkLL(w, item.longval);
    }
    b.AfterItem();
  }
}

void RewriteSet(rdb::Writer& w, Entry* e) {
  Batcher b(w, "SADD", e->key(), engine::set::Size(e), 1);
  engine::set::FnSink sink([&](std::string_view m) {
    b.BeforeItem();
    Bulk(w, m);
    b.AfterItem();
  });
  engine::set::ForEachMember(e, sink);
}

void RewriteZset(rdb::Writer& w, Entry* e) {
  namespace zd = engine::zset::detail;
  uint64_t n = 0;
  for (zd::Cursor c = zd::First(e); c.valid(); c.Next()) n++;
  Batcher b(w, "ZADD", e->key(), n, 2);
  char buf[base::kLongStrSize];
  for (zd::Cursor c = zd::First(e); c.valid(); c.Next()) {
    b.BeforeItem();
    BulkDouble(w, c.score());
    Bulk(w, c.member(buf));
    b.AfterItem();
  }
}

void RewriteHash(rdb::Writer& w, Entry* e) {
  uint64_t n = 0;
  engine::hash::ForEach(e, [&](const engine::lp::Elem&, const engine::lp::Elem&) { n++; });
  Batcher b(w, "HMSET", e->key(), n, 2);
  engine::hash::ForEach(e, [&](const engine::lp::Elem& f, const engine::lp::Elem& v) {
    b.BeforeItem();
    BulkElem(w, f);
    BulkElem(w, v);
    b.AfterItem();
  });
}

}  // namespace

void AppendCommand(std::string* out, std::span<const std::string_view> argv) {
  Header(*out, '*', argv.size());
  for (std::string_view a : argv) {
    Header(*out, '$', a.size());
    out->append(a);
    out->append("\r\n", 2);
  }
}

void AppendSelect(std::string* out, int db) {
  char buf[base::kLongStrSize];
  std::string_view argv[] = {"SELECT", {buf, base::Int64ToChars(db, buf)}};
  AppendCommand(out, argv);
}

void AppendTimestamp(std::string* out, int64_t unix_s) {
  char buf[base::kLongStrSize];
  out->append("#TS:");
  out->append(buf, base::Int64ToChars(unix_s, buf));
  out->append("\r\n");
}

bool WriteCommands(rdb::Writer& w, engine::Keyspace& ks, const RewriteOptions& opts,
                   const std::function<void(uint64_t keys)>& on_key) {
  if (opts.timestamp) {
    std::string ts;
    AppendTimestamp(&ts, opts.now_s);
    w.Raw(ts.data(), ts.size());
  }
  // (Function libraries would come first here: Vireo has no scripting yet.)
  uint64_t keys = 0;
  for (int i = 0; i < ks.num_dbs() && w.ok(); i++) {
    engine::Db& db = ks.db(i);
    if (db.size() == 0) continue;
    std::string sel;
    AppendSelect(&sel, i);
    w.Raw(sel.data(), sel.size());
    db.keys().ForEach([&](Entry* e) {
      if (!w.ok()) return;
      switch (e->otype()) {
        case ObjType::kString: {
          w.Raw("*3\r\n$3\r\nSET\r\n", 13);
          Bulk(w, e->key());
          if (e->is_int()) {
            BulkLL(w, e->v.ival);
          } else {
            Bulk(w, e->str());
          }
          break;
        }
        case ObjType::kList:
          RewriteList(w, e);
          break;
        case ObjType::kSet:
          RewriteSet(w, e);
          break;
        case ObjType::kZset:
          RewriteZset(w, e);
          break;
        case ObjType::kHash:
          RewriteHash(w, e);
          break;
        case ObjType::kStream:
        case ObjType::kModule:
          // No such values exist in Vireo yet (the engine cannot create them).
          abort();
      }
      if (e->has_expire()) {
        w.Raw("*3\r\n$9\r\nPEXPIREAT\r\n", 19);
        Bulk(w, e->key());
        BulkLL(w, db.GetExpire(e));
      }
      if (opts.key_save_delay) rdb::DebugDelay(opts.key_save_delay);
      ++keys;
      if (on_key) on_key(keys);
    });
  }
  return w.Flush();
}

}  // namespace vireo::persistence::aof
