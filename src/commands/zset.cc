// Sorted-set commands (Redis t_zset.c): ZADD ZINCRBY ZREM ZCARD ZCOUNT
// ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK ZRANGE ZRANGESTORE ZREVRANGE
// ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX
// ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP
// ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE
// ZINTERCARD ZSCAN, and the blocking BZPOPMIN BZPOPMAX BZMPOP (they pop
// like ZMPOP when a set has members, else wait through commands/blocking.h
// and run again when woken).
//
// The handlers parse arguments in Redis's order with its error texts, call
// one engine::zset operation and reply; scores are replied with
// ReplyBuilder::Double (Redis's addReplyDouble: "%.17g" bulk in RESP2, a
// ',' double in RESP3). ZMPOP propagates as ZPOPMIN/ZPOPMAX key count.
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "commands/blocking.h"
#include "commands/common.h"
#include "commands/registry.h"
#include "commands/scan.h"
#include "engine/types/zset.h"

namespace vireo::commands {
namespace {

namespace zs = engine::zset;
namespace err = server::err;

// getDoubleFromObjectOrReply.
bool ParseDouble(Client& c, std::string_view s, double* out,
                 std::string_view msg = err::kNotFloat) {
  if (base::StringToDouble(s, out)) return true;
  Err(c, msg);
  return false;
}

// Replies ranges / set-operation results: a flat array in RESP2 (member,
// score, ...) and [member, score] pairs in RESP3 when scores are wanted.
class ReplySink : public zs::Sink {
 public:
  ReplySink(Client& c, bool withscores) : c_(c), ws_(withscores) { want_scores = withscores; }
  void Begin(int64_t n) override {
    if (n > 0) {
      c_.reply.ArrayLen(ws_ && c_.reply.resp == 2 ? n * 2 : n);
      deferred_ = false;
      return;
    }
    // Why: zrangeResultBeginClient defers the length when it is unknown (or 0).
    d_ = c_.reply.BeginDeferred();
    deferred_ = true;
  }
  void Item(std::string_view member, double score) override {
    if (ws_ && c_.reply.resp > 2) c_.reply.ArrayLen(2);
    c_.reply.Bulk(member);
    if (ws_) c_.reply.Double(score);
  }
  void End(size_t count) override {
    if (!deferred_) return;
    auto n = static_cast<int64_t>(count);
    c_.reply.EndDeferredArray(d_, ws_ && c_.reply.resp == 2 ? n * 2 : n);
  }

 private:
  Client& c_;
  bool ws_;
  bool deferred_ = false;
  protocol::ReplyBuilder::Deferred d_{};
};

// ZRANDMEMBER without a count: a plain bulk string.
class OneMember : public zs::Sink {
 public:
  explicit OneMember(Client& c) : c_(c) { want_scores = false; }
  void Begin(int64_t) override {}
  void Item(std::string_view member, double) override { c_.reply.Bulk(member); }
  void End(size_t) override {}

 private:
  Client& c_;
};

// ---------------------------------------------------------------- ZADD

void ZaddGeneric(Client& c, int flags) {
  size_t idx = 2;
  bool ch = false;
  for (; idx < c.argv.size(); idx++) {
    std::string_view o = c.argv[idx];
    if (EqNoCase(o, "nx")) flags |= zs::kAddNx;
    else if (EqNoCase(o, "xx")) flags |= zs::kAddXx;
    else if (EqNoCase(o, "ch")) ch = true;
    else if (EqNoCase(o, "incr")) flags |= zs::kAddIncr;
    else if (EqNoCase(o, "gt")) flags |= zs::kAddGt;
    else if (EqNoCase(o, "lt")) flags |= zs::kAddLt;
    else break;
  }
  size_t elements = c.argv.size() - idx;
  if (elements % 2 || elements == 0) return ErrSyntax(c);
  elements /= 2;
  bool nx = flags & zs::kAddNx, xx = flags & zs::kAddXx, gt = flags & zs::kAddGt,
       lt = flags & zs::kAddLt, incr = flags & zs::kAddIncr;
  if (nx && xx) return Err(c, err::kZaddXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return Err(c, err::kZaddGtLtNx);
  if (incr && elements > 1) return Err(c, err::kZaddIncrPair);
  // The common small ZADD parses its pairs without allocating.
  zs::ScoreMember small[8];
  std::vector<zs::ScoreMember> big;
  zs::ScoreMember* p = small;
  if (elements > std::size(small)) {
    big.resize(elements);
    p = big.data();
  }
  std::span<const zs::ScoreMember> pairs(p, elements);
  for (size_t j = 0; j < elements; j++) {
    if (!ParseDouble(c, c.argv[idx + j * 2], &p[j].score)) return;
    p[j].member = c.argv[idx + j * 2 + 1];
  }
  zs::AddResult res;
  OpStatus st = zs::Add(KS(), c.db_index, c.argv[1], flags, pairs, &res);
  if (st != OpStatus::kOk) return ErrStatus(c, st);
  if (incr) {
    if (res.processed)
      c.reply.Double(res.score);
    else
      c.reply.Null();
  } else {
    c.reply.Int(ch ? res.added + res.updated : res.added);
  }
}

void CmdZadd(Client& c) { ZaddGeneric(c, 0); }
void CmdZincrby(Client& c) { ZaddGeneric(c, zs::kAddIncr); }

void CmdZrem(Client& c) {
  std::span<const std::string_view> members(c.argv.data() + 2, c.argv.size() - 2);
  auto r = zs::Rem(KS(), c.db_index, c.argv[1], members);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

// ---------------------------------------------------------------- reads

void CmdZcard(Client& c) {
  auto r = zs::Card(KS(), c.db_index, c.argv[1]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdZscore(Client& c) {
  auto r = zs::Score(KS(), c.db_index, c.argv[1], c.argv[2]);
  if (r.status() == OpStatus::kNotFound) return c.reply.Null();
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Double(*r);
}

void CmdZmscore(Client& c) {
  size_t n = c.argv.size() - 2;
  std::vector<double> scores(n);
  std::vector<char> found_buf(n);
  bool* found = reinterpret_cast<bool*>(found_buf.data());
  std::span<const std::string_view> members(c.argv.data() + 2, n);
  OpStatus st = zs::MScore(KS(), c.db_index, c.argv[1], members, scores.data(), found);
  if (st != OpStatus::kOk) return ErrStatus(c, st);
  c.reply.ArrayLen(static_cast<int64_t>(n));
  for (size_t i = 0; i < n; i++) {
    if (found[i])
      c.reply.Double(scores[i]);
    else
      c.reply.Null();
  }
}

void RankGeneric(Client& c, bool reverse) {
  auto r = zs::Rank(KS(), c.db_index, c.argv[1], c.argv[2], reverse);
  if (r.status() == OpStatus::kNotFound) return c.reply.Null();
  if (!r.ok()) return ErrStatus(c, r.status());
  if (*r < 0) return c.reply.Null();
  c.reply.Int(*r);
}
void CmdZrank(Client& c) { RankGeneric(c, false); }
void CmdZrevrank(Client& c) { RankGeneric(c, true); }

void CmdZcount(Client& c) {
  zs::ScoreRange range;
  if (!zs::ParseScoreRange(c.argv[2], c.argv[3], &range)) return Err(c, err::kMinMaxNotFloat);
  auto r = zs::Count(KS(), c.db_index, c.argv[1], range);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdZlexcount(Client& c) {
  zs::LexRange range;
  if (!zs::ParseLexRange(c.argv[2], c.argv[3], &range)) return Err(c, err::kMinMaxNotLex);
  auto r = zs::LexCount(KS(), c.db_index, c.argv[1], range);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

// ---------------------------------------------------------------- ZRANGE family

enum class Dir { kAuto, kForward, kReverse };
enum class RType { kAuto, kRank, kScore, kLex };

// Redis's zrangeGenericCommand.
void ZrangeGeneric(Client& c, size_t argc_start, bool store, RType type, Dir dir) {
  std::string_view key = c.argv[argc_start];
  size_t minidx = argc_start + 1, maxidx = argc_start + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = argc_start + 3; j < c.argv.size(); j++) {
    size_t left = c.argv.size() - j - 1;
    std::string_view o = c.argv[j];
    if (!store && EqNoCase(o, "withscores")) {
      withscores = true;
    } else if (EqNoCase(o, "limit") && left >= 2) {
      if (!ParseInt(c, c.argv[j + 1], &offset) || !ParseInt(c, c.argv[j + 2], &limit)) return;
      j += 2;
    } else if (dir == Dir::kAuto && EqNoCase(o, "rev")) {
      dir = Dir::kReverse;
    } else if (type == RType::kAuto && EqNoCase(o, "bylex")) {
      type = RType::kLex;
    } else if (type == RType::kAuto && EqNoCase(o, "byscore")) {
      type = RType::kScore;
    } else {
      return ErrSyntax(c);
    }
  }
  if (dir == Dir::kAuto) dir = Dir::kForward;
  if (type == RType::kAuto) type = RType::kRank;
  if (limit != -1 && type == RType::kRank) return Err(c, err::kZrangeLimit);
  if (withscores && type == RType::kLex) return Err(c, err::kZrangeLexScores);
  zs::RangeSpec spec;
  spec.reverse = dir == Dir::kReverse;
  // Why: BYSCORE/BYLEX with REV take the range as max, min.
  if (spec.reverse && type != RType::kRank) std::swap(minidx, maxidx);
  switch (type) {
    case RType::kAuto:
    case RType::kRank:
      spec.type = zs::RangeSpec::kRank;
      if (!ParseInt(c, c.argv[minidx], &spec.start) || !ParseInt(c, c.argv[maxidx], &spec.end))
        return;
      break;
    case RType::kScore:
      spec.type = zs::RangeSpec::kScore;
      if (!zs::ParseScoreRange(c.argv[minidx], c.argv[maxidx], &spec.score))
        return Err(c, err::kMinMaxNotFloat);
      break;
    case RType::kLex:
      spec.type = zs::RangeSpec::kLex;
      if (!zs::ParseLexRange(c.argv[minidx], c.argv[maxidx], &spec.lex))
        return Err(c, err::kMinMaxNotLex);
      break;
  }
  spec.offset = offset;
  spec.limit = limit;
  if (store) {
    auto r = zs::RangeStore(KS(), c.db_index, c.argv[1], key, spec);
    if (!r.ok()) return ErrStatus(c, r.status());
    return c.reply.Int(*r);
  }
  ReplySink sink(c, withscores);
  OpStatus st = zs::Range(KS(), c.db_index, key, spec, sink);
  if (st == OpStatus::kNotFound) return c.reply.EmptyArray();
  if (st != OpStatus::kOk) return ErrStatus(c, st);
}

void CmdZrange(Client& c) { ZrangeGeneric(c, 1, false, RType::kAuto, Dir::kAuto); }
void CmdZrangestore(Client& c) { ZrangeGeneric(c, 2, true, RType::kAuto, Dir::kAuto); }
void CmdZrevrange(Client& c) { ZrangeGeneric(c, 1, false, RType::kRank, Dir::kReverse); }
void CmdZrangebyscore(Client& c) { ZrangeGeneric(c, 1, false, RType::kScore, Dir::kForward); }
void CmdZrevrangebyscore(Client& c) { ZrangeGeneric(c, 1, false, RType::kScore, Dir::kReverse); }
void CmdZrangebylex(Client& c) { ZrangeGeneric(c, 1, false, RType::kLex, Dir::kForward); }
void CmdZrevrangebylex(Client& c) { ZrangeGeneric(c, 1, false, RType::kLex, Dir::kReverse); }

void RemRangeGeneric(Client& c, zs::RangeSpec::Type type) {
  zs::RangeSpec spec;
  spec.type = type;
  if (type == zs::RangeSpec::kRank) {
    if (!ParseInt(c, c.argv[2], &spec.start) || !ParseInt(c, c.argv[3], &spec.end)) return;
  } else if (type == zs::RangeSpec::kScore) {
    if (!zs::ParseScoreRange(c.argv[2], c.argv[3], &spec.score))
      return Err(c, err::kMinMaxNotFloat);
  } else if (!zs::ParseLexRange(c.argv[2], c.argv[3], &spec.lex)) {
    return Err(c, err::kMinMaxNotLex);
  }
  auto r = zs::RemRange(KS(), c.db_index, c.argv[1], spec);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}
void CmdZremrangebyrank(Client& c) { RemRangeGeneric(c, zs::RangeSpec::kRank); }
void CmdZremrangebyscore(Client& c) { RemRangeGeneric(c, zs::RangeSpec::kScore); }
void CmdZremrangebylex(Client& c) { RemRangeGeneric(c, zs::RangeSpec::kLex); }

// ---------------------------------------------------------------- pops

// genericZpopCommand's reply shapes: ZPOPMIN/ZPOPMAX flat (nested pairs in
// RESP3 with a count), ZMPOP [key, [[member, score], ...]].
class PopReply : public zs::PopSink {
 public:
  PopReply(Client& c, bool nested, bool emitkey) : c_(c), nested_(nested), emitkey_(emitkey) {}
  void Begin(std::string_view key, int64_t n) override {
    key_ = key;
    n_ = n;
    if (n == 0 && !emitkey_) return c_.reply.EmptyArray();
    if (emitkey_) {
      c_.reply.ArrayLen(2);
      c_.reply.Bulk(key);
      c_.reply.ArrayLen(n);
    } else {
      c_.reply.ArrayLen(nested_ ? n : n * 2);
    }
  }
  void Item(std::string_view member, double score) override {
    if (nested_) c_.reply.ArrayLen(2);
    c_.reply.Bulk(member);
    c_.reply.Double(score);
  }
  std::string_view key_;
  int64_t n_ = 0;

 private:
  Client& c_;
  bool nested_, emitkey_;
};

void PopMinMaxCommand(Client& c, bool max) {
  if (c.argv.size() > 3) return ErrSyntax(c);
  int64_t count = -1;
  if (c.argv.size() == 3 && !ParsePositive(c, c.argv[2], &count, err::kPositive)) return;
  PopReply out(c, c.reply.resp > 2 && count != -1, false);
  OpStatus st = zs::PopMinMax(KS(), c.db_index, c.argv[1], max, count == -1 ? 1 : count, out);
  if (st == OpStatus::kNotFound) return c.reply.EmptyArray();
  if (st != OpStatus::kOk) return ErrStatus(c, st);
}
void CmdZpopmin(Client& c) { PopMinMaxCommand(c, false); }
void CmdZpopmax(Client& c) { PopMinMaxCommand(c, true); }

// BZPOPMIN/BZPOPMAX's reply: [key, member, score].
class BlockingPopReply : public zs::PopSink {
 public:
  explicit BlockingPopReply(Client& c) : c_(c) {}
  void Begin(std::string_view key, int64_t) override {
    c_.reply.ArrayLen(3);
    c_.reply.Bulk(key);
    key_ = key;
  }
  void Item(std::string_view member, double score) override {
    c_.reply.Bulk(member);
    c_.reply.Double(score);
  }
  std::string_view key_;

 private:
  Client& c_;
};

// [B]ZMPOP [timeout] numkeys key [key ...] MIN|MAX [COUNT count]
// (zmpopGenericCommand): numkeys_idx 1 for ZMPOP, 2 for BZMPOP.
void MPopGeneric(Client& c, size_t numkeys_idx, bool block) {
  int64_t numkeys;
  if (!ParseIntRange(c, c.argv[numkeys_idx], 1, INT64_MAX, &numkeys, err::kNumkeysPositive))
    return;
  if (static_cast<uint64_t>(numkeys) >= c.argv.size() - numkeys_idx - 1) return ErrSyntax(c);
  size_t where_idx = numkeys_idx + 1 + static_cast<size_t>(numkeys);
  bool max;
  if (EqNoCase(c.argv[where_idx], "min"))
    max = false;
  else if (EqNoCase(c.argv[where_idx], "max"))
    max = true;
  else
    return ErrSyntax(c);
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < c.argv.size(); j++) {
    bool more = j + 1 < c.argv.size();
    if (count == -1 && EqNoCase(c.argv[j], "count") && more) {
      if (!ParseIntRange(c, c.argv[++j], 1, INT64_MAX, &count, err::kCountPositive)) return;
    } else {
      return ErrSyntax(c);
    }
  }
  if (count == -1) count = 1;
  int64_t deadline = 0;
  // Why: the timeout is parsed last (blockingGenericZpopCommand).
  if (block && !ParseBlockTimeout(c, c.argv[1], &deadline)) return;
  PopReply out(c, true, true);
  std::span<const std::string_view> keys(c.argv.data() + numkeys_idx + 1,
                                         static_cast<size_t>(numkeys));
  OpStatus st = zs::MPop(KS(), c.db_index, keys, max, count, out);
  if (st == OpStatus::kNotFound) {
    if (block) return BlockOrTimeout(c, keys, engine::ObjType::kZset, deadline);
    return c.reply.NullArray();
  }
  if (st != OpStatus::kOk) return ErrStatus(c, st);
  // Why: ZMPOP is replicated as ZPOPMIN/ZPOPMAX key <popped>; BZMPOP with
  // the COUNT it asked for (blockingGenericZpopCommand).
  std::string n = std::to_string(block ? count : out.n_);
  PropagateAs(c, {max ? "ZPOPMAX" : "ZPOPMIN", out.key_, n});
}

void CmdZmpop(Client& c) { MPopGeneric(c, 1, false); }
void CmdBzmpop(Client& c) { MPopGeneric(c, 2, true); }

// BZPOPMIN/BZPOPMAX key [key ...] timeout: pops one member from the first
// non-empty sorted set, else waits; replicated as ZPOPMIN/ZPOPMAX key.
void BlockingPopMinMax(Client& c, bool max) {
  int64_t deadline;
  if (!ParseBlockTimeout(c, c.argv.back(), &deadline)) return;
  std::span<const std::string_view> keys(c.argv.data() + 1, c.argv.size() - 2);
  BlockingPopReply out(c);
  OpStatus st = zs::MPop(KS(), c.db_index, keys, max, 1, out);
  if (st == OpStatus::kNotFound) return BlockOrTimeout(c, keys, engine::ObjType::kZset, deadline);
  if (st != OpStatus::kOk) return ErrStatus(c, st);
  PropagateAs(c, {max ? "ZPOPMAX" : "ZPOPMIN", out.key_});
}
void CmdBzpopmin(Client& c) { BlockingPopMinMax(c, false); }
void CmdBzpopmax(Client& c) { BlockingPopMinMax(c, true); }

// ---------------------------------------------------------------- ZRANDMEMBER

void CmdZrandmember(Client& c) {
  int64_t l = 0;
  bool withscores = false;
  if (c.argv.size() >= 3) {
    // Why: getRangeLongFromObjectOrReply without a message: the generic
    // integer error, then the range text.
    if (!ParseInt(c, c.argv[2], &l)) return;
    if (l == INT64_MIN)
      return Err(c, err::kSrandmemberRange);  // the same text for ZRANDMEMBER
    if (c.argv.size() > 4 || (c.argv.size() == 4 && !EqNoCase(c.argv[3], "withscores")))
      return ErrSyntax(c);
    if (c.argv.size() == 4) {
      withscores = true;
      if (l < -INT64_MAX / 2 || l > INT64_MAX / 2) return Err(c, err::kValueOutOfRange);
    }
  }
  bool has_count = c.argv.size() >= 3;
  ReplySink sink(c, withscores);
  OneMember one(c);
  zs::Sink& out = has_count ? static_cast<zs::Sink&>(sink) : one;
  OpStatus st = zs::RandMember(KS(), c.db_index, c.argv[1], has_count, l, out);
  if (st == OpStatus::kNotFound) return has_count ? c.reply.EmptyArray() : c.reply.Null();
  if (st != OpStatus::kOk) return ErrStatus(c, st);
}

// ---------------------------------------------------------------- set operations

enum class SetCmd { kReply, kStore, kCard };

void SetOpGeneric(Client& c, size_t numkeys_idx, zs::SetOpKind op, SetCmd kind) {
  int64_t setnum;
  if (!ParseInt(c, c.argv[numkeys_idx], &setnum)) return;
  if (setnum < 1) return Err(c, err::AtLeastOneKey(CmdName(c)));
  if (setnum > static_cast<int64_t>(c.argv.size() - (numkeys_idx + 1))) return ErrSyntax(c);
  auto n = static_cast<size_t>(setnum);
  std::span<const std::string_view> keys(c.argv.data() + numkeys_idx + 1, n);
  // Options are parsed now but their errors replied after the key lookups,
  // which Redis does first (a WRONGTYPE key wins over a bad option).
  std::string error;
  std::vector<double> weights;
  zs::SetOpSpec spec;
  spec.op = op;
  spec.keys = keys;
  bool withscores = false;
  int64_t limit = 0;
  bool dst = kind == SetCmd::kStore, card = kind == SetCmd::kCard;
  for (size_t j = numkeys_idx + 1 + n; j < c.argv.size() && error.empty();) {
    size_t remaining = c.argv.size() - j;
    std::string_view o = c.argv[j];
    if (op != zs::SetOpKind::kDiff && !card && remaining >= n + 1 && EqNoCase(o, "weights")) {
      j++;
      weights.resize(n);
      for (size_t i = 0; i < n; i++, j++) {
        if (!base::StringToDouble(c.argv[j], &weights[i])) {
          error = err::kWeightNotFloat;
          break;
        }
      }
    } else if (op != zs::SetOpKind::kDiff && !card && remaining >= 2 &&
               EqNoCase(o, "aggregate")) {
      std::string_view a = c.argv[j + 1];
      if (EqNoCase(a, "sum"))
        spec.aggregate = zs::Aggregate::kSum;
      else if (EqNoCase(a, "min"))
        spec.aggregate = zs::Aggregate::kMin;
      else if (EqNoCase(a, "max"))
        spec.aggregate = zs::Aggregate::kMax;
      else
        error = err::kSyntax;
      j += 2;
    } else if (remaining >= 1 && !dst && !card && EqNoCase(o, "withscores")) {
      withscores = true;
      j++;
    } else if (card && remaining >= 2 && EqNoCase(o, "limit")) {
      int64_t v = 0;
      if (!base::StringToInt64(c.argv[j + 1], &v) || v < 0) error = err::kLimitNegative;
      limit = v;
      j += 2;
    } else {
      error = err::kSyntax;
    }
  }
  spec.invalid = !error.empty();
  if (!weights.empty()) spec.weights = weights.data();
  auto finish = [&](OpStatus st) {
    if (st == OpStatus::kSkipped) return Err(c, error);
    ErrStatus(c, st);
  };
  if (card) {
    auto r = zs::InterCard(KS(), c.db_index, keys, limit, spec.invalid);
    if (!r.ok()) return finish(r.status());
    return c.reply.Int(*r);
  }
  if (dst) {
    auto r = zs::SetOpStore(KS(), c.db_index, c.argv[1], spec);
    if (!r.ok()) return finish(r.status());
    return c.reply.Int(*r);
  }
  ReplySink sink(c, withscores);
  OpStatus st = zs::SetOp(KS(), c.db_index, spec, sink);
  if (st != OpStatus::kOk) return finish(st);
}

void CmdZunionstore(Client& c) { SetOpGeneric(c, 2, zs::SetOpKind::kUnion, SetCmd::kStore); }
void CmdZinterstore(Client& c) { SetOpGeneric(c, 2, zs::SetOpKind::kInter, SetCmd::kStore); }
void CmdZdiffstore(Client& c) { SetOpGeneric(c, 2, zs::SetOpKind::kDiff, SetCmd::kStore); }
void CmdZunion(Client& c) { SetOpGeneric(c, 1, zs::SetOpKind::kUnion, SetCmd::kReply); }
void CmdZinter(Client& c) { SetOpGeneric(c, 1, zs::SetOpKind::kInter, SetCmd::kReply); }
void CmdZdiff(Client& c) { SetOpGeneric(c, 1, zs::SetOpKind::kDiff, SetCmd::kReply); }
void CmdZintercard(Client& c) { SetOpGeneric(c, 1, zs::SetOpKind::kInter, SetCmd::kCard); }

// ---------------------------------------------------------------- ZSCAN

void CmdZscan(Client& c) {
  uint64_t cursor;
  if (!ParseScanCursor(c, c.argv[2], &cursor)) return;
  // Why: Redis looks the key up (empty reply / WRONGTYPE) before it parses
  // the options; the engine calls back for them once the key is valid.
  struct Ctx {
    Client* c;
    zs::ScanParams* p;
  };
  zs::ScanParams params;
  Ctx ctx{&c, &params};
  params.ctx = &ctx;
  params.prepare = [](void* p) {
    auto* x = static_cast<Ctx*>(p);
    ScanOptions opt;
    if (!ParseScanOptions(*x->c, 3, false, &opt)) return false;
    x->p->count = opt.count;
    x->p->pattern = opt.pattern;
    x->p->use_pattern = opt.use_pattern;
    return true;
  };
  std::vector<std::string> items;
  auto r = zs::Scan(KS(), c.db_index, c.argv[1], cursor, params, &items);
  if (r.status() == OpStatus::kNotFound) return c.reply.Raw("*2\r\n$1\r\n0\r\n*0\r\n");
  if (r.status() == OpStatus::kSkipped) return;  // the options' error was replied
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.ArrayLen(2);
  c.reply.BulkInt(static_cast<int64_t>(*r));
  c.reply.ArrayLen(static_cast<int64_t>(items.size()));
  for (const std::string& s : items) c.reply.Bulk(s);
}

}  // namespace

void RegisterZsetFamily(server::CommandTable& t) {
  t.Register("zadd", CmdZadd);
  t.Register("zincrby", CmdZincrby);
  t.Register("zrem", CmdZrem);
  t.Register("zcard", CmdZcard);
  t.Register("zscore", CmdZscore);
  t.Register("zmscore", CmdZmscore);
  t.Register("zrank", CmdZrank);
  t.Register("zrevrank", CmdZrevrank);
  t.Register("zcount", CmdZcount);
  t.Register("zlexcount", CmdZlexcount);
  t.Register("zrange", CmdZrange);
  t.Register("zrangestore", CmdZrangestore);
  t.Register("zrevrange", CmdZrevrange);
  t.Register("zrangebyscore", CmdZrangebyscore);
  t.Register("zrevrangebyscore", CmdZrevrangebyscore);
  t.Register("zrangebylex", CmdZrangebylex);
  t.Register("zrevrangebylex", CmdZrevrangebylex);
  t.Register("zremrangebyrank", CmdZremrangebyrank);
  t.Register("zremrangebyscore", CmdZremrangebyscore);
  t.Register("zremrangebylex", CmdZremrangebylex);
  t.Register("zpopmin", CmdZpopmin);
  t.Register("zpopmax", CmdZpopmax);
  t.Register("zmpop", CmdZmpop);
  t.Register("bzmpop", CmdBzmpop);
  t.Register("bzpopmin", CmdBzpopmin);
  t.Register("bzpopmax", CmdBzpopmax);
  t.Register("zrandmember", CmdZrandmember);
  t.Register("zunionstore", CmdZunionstore);
  t.Register("zinterstore", CmdZinterstore);
  t.Register("zdiffstore", CmdZdiffstore);
  t.Register("zunion", CmdZunion);
  t.Register("zinter", CmdZinter);
  t.Register("zdiff", CmdZdiff);
  t.Register("zintercard", CmdZintercard);
  t.Register("zscan", CmdZscan);
}

}  // namespace vireo::commands
