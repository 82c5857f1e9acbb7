// Hash commands (Redis t_hash.c): HSET HSETNX HGET HMGET HMSET HDEL HLEN
// HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// The handlers parse arguments in Redis's order (so the same bad input
// gets the same error first) and reply; the encodings, conversions and
// change reports are engine/types/hash.h's. HINCRBYFLOAT is propagated as
// HSET with the stored result, as Redis does.
#include <climits>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "commands/common.h"
#include "commands/scan.h"
#include "engine/types/hash.h"

namespace vireo::commands {
namespace {

namespace hash = engine::hash;
using hash::Elem;

void ReplyElem(Client& c, const Elem& e) {
  if (e.is_int())
    c.reply.BulkInt(e.v);
  else
    c.reply.Bulk(e.sv());
}

// argv[from..] as one span (the handler's views stay valid meanwhile).
std::span<const std::string_view> ArgsFrom(Client& c, size_t from) {
  return std::span<const std::string_view>(c.argv.data() + from, c.argv.size() - from);
}

// Looks the hash up for a read; on a missing key replies `missing` (raw
// RESP; empty: the null of the client's protocol) and on a wrong type the
// error. nullptr when it replied.
engine::Entry* ReadOrReply(Client& c, std::string_view missing) {
  auto r = hash::Find(KS(), c.db_index, c.argv[1]);
  if (r.ok()) return *r;
  if (r.status() == OpStatus::kNotFound && missing.empty())
    c.reply.Null();
  else if (r.status() == OpStatus::kNotFound)
    c.reply.Raw(missing);
  else
    ErrStatus(c, r.status());
  return nullptr;
}

// HSET key field value [field value ...] / HMSET (the same, replying OK).
void SetGeneric(Client& c, bool hmset) {
  if (c.argv.size() % 2 == 1) {
    Err(c, server::err::WrongArgs(CmdName(c)));
    return;
  }
  auto r = hash::Set(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  if (hmset)
    c.reply.Ok();
  else
    c.reply.Int(*r);
}

void CmdHSet(Client& c) { SetGeneric(c, false); }
void CmdHMSet(Client& c) { SetGeneric(c, true); }

void CmdHSetNx(Client& c) {
  auto r = hash::SetNx(KS(), c.db_index, c.argv[1], c.argv[2], c.argv[3]);
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  c.reply.Int(*r ? 1 : 0);
}

void CmdHGet(Client& c) {
  engine::Entry* e = ReadOrReply(c, "");
  if (!e) return;
  Elem v;
  if (hash::GetField(e, c.argv[2], &v))
    ReplyElem(c, v);
  else
    c.reply.Null();
}

void CmdHMGet(Client& c) {
  // Why no early reply: a missing key is an empty hash, every field null.
  auto r = hash::Find(KS(), c.db_index, c.argv[1]);
  if (!r.ok() && r.status() != OpStatus::kNotFound) {
    ErrStatus(c, r.status());
    return;
  }
  engine::Entry* e = r.ok() ? *r : nullptr;
  c.reply.ArrayLen(static_cast<int64_t>(c.argv.size() - 2));
  for (size_t i = 2; i < c.argv.size(); i++) {
    Elem v;
    if (e && hash::GetField(e, c.argv[i], &v))
      ReplyElem(c, v);
    else
      c.reply.Null();
  }
}

void CmdHDel(Client& c) {
  auto r = hash::Del(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (r.status() == OpStatus::kNotFound) {
    c.reply.Int(0);
    return;
  }
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  c.reply.Int(*r);
}

void CmdHLen(Client& c) {
  engine::Entry* e = ReadOrReply(c, ":0\r\n");
  if (e) c.reply.Int(static_cast<int64_t>(hash::Length(e)));
}

void CmdHStrlen(Client& c) {
  engine::Entry* e = ReadOrReply(c, ":0\r\n");
  if (!e) return;
  Elem v;
  c.reply.Int(hash::GetField(e, c.argv[2], &v) ? static_cast<int64_t>(hash::ElemLength(v)) : 0);
}

void CmdHExists(Client& c) {
  engine::Entry* e = ReadOrReply(c, ":0\r\n");
  if (!e) return;
  Elem v;
  c.reply.Int(hash::GetField(e, c.argv[2], &v) ? 1 : 0);
}

// genericHgetallCommand: fields, values, or both (a map in RESP3).
void GetAllGeneric(Client& c, bool fields, bool values) {
  bool both = fields && values;
  engine::Entry* e = ReadOrReply(c, both && c.reply.resp >= 3 ? "%0\r\n" : "*0\r\n");
  if (!e) return;
  auto n = static_cast<int64_t>(hash::Length(e));
  if (both)
    c.reply.MapLen(n);
  else
    c.reply.ArrayLen(n);
  hash::ForEach(e, [&](const Elem& f, const Elem& v) {
    if (fields) ReplyElem(c, f);
    if (values) ReplyElem(c, v);
  });
}

void CmdHKeys(Client& c) { GetAllGeneric(c, true, false); }
void CmdHVals(Client& c) { GetAllGeneric(c, false, true); }
void CmdHGetAll(Client& c) { GetAllGeneric(c, true, true); }

void CmdHIncrBy(Client& c) {
  int64_t incr;
  if (!ParseInt(c, c.argv[3], &incr)) return;
  auto r = hash::IncrBy(KS(), c.db_index, c.argv[1], c.argv[2], incr);
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  c.reply.Int(*r);
}

void CmdHIncrByFloat(Client& c) {
  long double incr;
  if (!base::StringToLongDouble(c.argv[3], &incr)) {
    Err(c, server::err::kNotFloat);
    return;
  }
  if (std::isnan(incr) || std::isinf(incr)) {
    Err(c, server::err::kValueNanOrInfinity);
    return;
  }
  auto r = hash::IncrByFloat(KS(), c.db_index, c.argv[1], c.argv[2], incr);
  if (!r.ok()) {
    ErrStatus(c, r.status());
    return;
  }
  c.reply.Bulk(*r);
  // Why: Redis always propagates HINCRBYFLOAT as HSET with the result, so
  // replicas and the AOF do not depend on float precision or formatting.
  PropagateAs(c, {"HSET", c.argv[1], c.argv[2], *r});
}

// Writes HRANDFIELD <count> results: flat in RESP2, [field, value] pairs
// in RESP3 with WITHVALUES.
class ReplySink : public hash::RandomSink {
 public:
  ReplySink(Client& c, bool withvalues) : c_(c), withvalues_(withvalues) {}
  void Begin(uint64_t n) override {
    c_.reply.ArrayLen(static_cast<int64_t>(withvalues_ && c_.reply.resp == 2 ? n * 2 : n));
  }
  bool Emit(const Elem& field, const Elem* value) override {
    if (value && c_.reply.resp > 2) c_.reply.ArrayLen(2);
    ReplyElem(c_, field);
    if (value) ReplyElem(c_, *value);
    // Why: like Redis's CLIENT_CLOSE_ASAP check, a huge negative count
    // stops once the client passed its output buffer limit.
    if (++emitted_ % 1024 == 0) {
      c_.EnforceOutputLimits();
      if (c_.closed()) return false;
    }
    return true;
  }

 private:
  Client& c_;
  bool withvalues_;
  uint64_t emitted_ = 0;
};

void CmdHRandField(Client& c) {
  if (c.argv.size() >= 3) {
    // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): LONG_MIN is
    // refused so that -count cannot overflow.
    int64_t l;
    if (!ParseInt(c, c.argv[2], &l)) return;
    if (l < -LONG_MAX) {
      Err(c, server::err::kSrandmemberRange);  // the same text for HRANDFIELD
      return;
    }
    bool withvalues = false;
    if (c.argv.size() > 4 || (c.argv.size() == 4 && !EqNoCase(c.argv[3], "withvalues"))) {
      ErrSyntax(c);
      return;
    }
    if (c.argv.size() == 4) {
      withvalues = true;
      // Why: the reply length (count * 2) must not overflow.
      if (l < -LONG_MAX / 2 || l > LONG_MAX / 2) {
        Err(c, server::err::kValueOutOfRange);
        return;
      }
    }
    ReplySink sink(c, withvalues);
    OpStatus s = hash::RandomFields(KS(), c.db_index, c.argv[1], l, withvalues, sink);
    if (s == OpStatus::kNotFound)
      c.reply.EmptyArray();
    else if (s != OpStatus::kOk)
      ErrStatus(c, s);
    return;
  }
  Elem f;
  OpStatus s = hash::RandomField(KS(), c.db_index, c.argv[1], &f);
  if (s == OpStatus::kNotFound)
    c.reply.Null();
  else if (s != OpStatus::kOk)
    ErrStatus(c, s);
  else
    ReplyElem(c, f);
}

void CmdHScan(Client& c) {
  uint64_t cursor;
  if (!ParseScanCursor(c, c.argv[2], &cursor)) return;
  // Why this order: Redis looks the key up (empty reply / WRONGTYPE)
  // before parsing COUNT / MATCH.
  engine::Entry* e = ReadOrReply(c, "*2\r\n$1\r\n0\r\n*0\r\n");
  if (!e) return;
  ScanOptions opt;
  if (!ParseScanOptions(c, 3, /*allow_type=*/false, &opt)) return;
  std::vector<Elem> out;
  cursor = hash::Scan(e, cursor, opt.count, opt.pattern, opt.use_pattern, &out);
  c.reply.ArrayLen(2);
  char buf[base::kLongStrSize];
  c.reply.Bulk({buf, base::Uint64ToChars(cursor, buf)});
  c.reply.ArrayLen(static_cast<int64_t>(out.size()));
  for (const Elem& x : out) ReplyElem(c, x);
}

}  // namespace

void RegisterHashFamily(server::CommandTable& t) {
  t.Register("hset", CmdHSet);
  t.Register("hmset", CmdHMSet);
  t.Register("hsetnx", CmdHSetNx);
  t.Register("hget", CmdHGet);
  t.Register("hmget", CmdHMGet);
  t.Register("hdel", CmdHDel);
  t.Register("hlen", CmdHLen);
  t.Register("hstrlen", CmdHStrlen);
  t.Register("hexists", CmdHExists);
  t.Register("hkeys", CmdHKeys);
  t.Register("hvals", CmdHVals);
  t.Register("hgetall", CmdHGetAll);
  t.Register("hincrby", CmdHIncrBy);
  t.Register("hincrbyfloat", CmdHIncrByFloat);
  t.Register("hrandfield", CmdHRandField);
  t.Register("hscan", CmdHScan);
}

}  // namespace vireo::commands
