// List commands (Redis t_list.c): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN
// LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS RPOPLPUSH LMOVE LMPOP, and the
// blocking BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH (they pop like the others
// when there is data, else wait through commands/blocking.h; a woken
// client runs its command again, so the propagated forms are the same:
// B[LR]POP -> [LR]POP key, BLMPOP -> [LR]POP key <n>, BLMOVE -> LMOVE).
//
// The handlers parse arguments in Redis's order (some commands parse before
// the key lookup, LINDEX and LSET after it, which decides which error a
// bad call gets) and reply; the quicklist work, events and dirty are
// engine/types/list.h's. LMPOP is propagated as LPOP/RPOP key <count>, as
// Redis rewrites it; the others propagate themselves.
#include <vector>

#include "commands/blocking.h"
#include "commands/common.h"
#include "engine/types/list.h"

namespace vireo::commands {
namespace {

namespace list = engine::list;

// An ElemFn writing each element as a bulk string; with `array` an array
// header of the element count first.
struct BulkWriter {
  Client& c;
  bool array;
  void operator()(std::string_view s, size_t i, size_t n) const {
    if (array && i == 0) c.reply.ArrayLen(static_cast<int64_t>(n));
    c.reply.Bulk(s);
  }
};

// getListPositionFromObjectOrReply: LEFT (head) / RIGHT (tail).
bool ParseWhere(Client& c, std::string_view arg, bool* left) {
  if (EqNoCase(arg, "right")) {
    *left = false;
  } else if (EqNoCase(arg, "left")) {
    *left = true;
  } else {
    ErrSyntax(c);
    return false;
  }
  return true;
}

// An integer reply where a missing key counts as 0 (LLEN, LREM, LINSERT,
// LPUSHX...).
template <class T>
void ReplyIntOrZero(Client& c, const engine::OpResult<T>& r) {
  if (r.status() == OpStatus::kNotFound)
    c.reply.Int(0);
  else if (!r.ok())
    ErrStatus(c, r.status());
  else
    c.reply.Int(static_cast<int64_t>(*r));
}

// pushGenericCommand.
void PushGeneric(Client& c, bool left, bool xx) {
  std::span<const std::string_view> elems(c.argv.data() + 2, c.argv.size() - 2);
  ReplyIntOrZero(c, list::Push(KS(), c.db_index, c.argv[1], elems, left, xx));
}

void CmdLPush(Client& c) { PushGeneric(c, true, false); }
void CmdRPush(Client& c) { PushGeneric(c, false, false); }
void CmdLPushX(Client& c) { PushGeneric(c, true, true); }
void CmdRPushX(Client& c) { PushGeneric(c, false, true); }

// popGenericCommand.
void PopGeneric(Client& c, bool left) {
  bool hascount = c.argv.size() == 3;
  int64_t count = -1;
  if (c.argv.size() > 3) {
    Err(c, server::err::WrongArgs(CmdName(c)));
    return;
  }
  if (hascount && !ParsePositive(c, c.argv[2], &count, server::err::kPositive)) return;
  BulkWriter w{c, hascount};
  auto r = list::Pop(KS(), c.db_index, c.argv[1], left, count, w);
  if (r.status() == OpStatus::kNotFound) {
    // Why: with a count the missing key is a null array (RESP2 *-1).
    if (hascount)
      c.reply.NullArray();
    else
      c.reply.Null();
  } else if (!r.ok()) {
    ErrStatus(c, r.status());
  } else if (*r == 0) {
    c.reply.EmptyArray();  // LPOP key 0
  }
}

void CmdLPop(Client& c) { PopGeneric(c, true); }
void CmdRPop(Client& c) { PopGeneric(c, false); }

void CmdLLen(Client& c) { ReplyIntOrZero(c, list::Length(KS(), c.db_index, c.argv[1])); }

void CmdLRange(Client& c) {
  int64_t start, end;
  if (!ParseInt(c, c.argv[2], &start) || !ParseInt(c, c.argv[3], &end)) return;
  BulkWriter w{c, true};
  auto r = list::Range(KS(), c.db_index, c.argv[1], start, end, w);
  if (r.status() == OpStatus::kNotFound || (r.ok() && *r == 0))
    c.reply.EmptyArray();
  else if (!r.ok())
    ErrStatus(c, r.status());
}

// LINDEX and LSET look the key up before parsing the index: a missing key
// or a wrong type wins over a bad index.
bool ParseIndexAfterLookup(Client& c, int lookup, std::string_view missing_reply_err,
                           int64_t* idx) {
  if (base::StringToInt64(c.argv[2], idx)) return true;
  auto r = list::Length(KS(), c.db_index, c.argv[1], lookup);
  if (r.status() == OpStatus::kNotFound) {
    if (missing_reply_err.empty())
      c.reply.Null();
    else
      Err(c, missing_reply_err);
  } else if (!r.ok()) {
    ErrStatus(c, r.status());
  } else {
    Err(c, server::err::kNotInt);
  }
  return false;
}

void CmdLIndex(Client& c) {
  int64_t idx;
  if (!ParseIndexAfterLookup(c, engine::kLookupRead, {}, &idx)) return;
  BulkWriter w{c, false};
  auto r = list::Index(KS(), c.db_index, c.argv[1], idx, w);
  if (r.status() == OpStatus::kNotFound || (r.ok() && !*r))
    c.reply.Null();
  else if (!r.ok())
    ErrStatus(c, r.status());
}

void CmdLSet(Client& c) {
  int64_t idx;
  if (!ParseIndexAfterLookup(c, engine::kLookupWrite, server::err::kNoKey, &idx)) return;
  OpStatus s = list::Set(KS(), c.db_index, c.argv[1], idx, c.argv[3]);
  if (s == OpStatus::kOk)
    c.reply.Ok();
  else
    ErrStatus(c, s);
}

void CmdLInsert(Client& c) {
  bool after;
  if (EqNoCase(c.argv[2], "after")) {
    after = true;
  } else if (EqNoCase(c.argv[2], "before")) {
    after = false;
  } else {
    ErrSyntax(c);
    return;
  }
  ReplyIntOrZero(c, list::Insert(KS(), c.db_index, c.argv[1], after, c.argv[3], c.argv[4]));
}

void CmdLRem(Client& c) {
  int64_t count;
  if (!ParseInt(c, c.argv[2], &count)) return;
  ReplyIntOrZero(c, list::Rem(KS(), c.db_index, c.argv[1], count, c.argv[3]));
}

void CmdLTrim(Client& c) {
  int64_t start, end;
  if (!ParseInt(c, c.argv[2], &start) || !ParseInt(c, c.argv[3], &end)) return;
  OpStatus s = list::Trim(KS(), c.db_index, c.argv[1], start, end);
  if (s == OpStatus::kOk || s == OpStatus::kNotFound)
    c.reply.Ok();
  else
    ErrStatus(c, s);
}

constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void CmdLPos(Client& c) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: the option was not given
  for (size_t j = 3; j < c.argv.size(); j++) {
    std::string_view opt = c.argv[j];
    bool moreargs = j + 1 < c.argv.size();
    if (EqNoCase(opt, "RANK") && moreargs) {
      if (!ParseInt(c, c.argv[++j], &rank)) return;
      if (rank == 0) {
        Err(c, kRankZero);
        return;
      }
    } else if (EqNoCase(opt, "COUNT") && moreargs) {
      if (!ParsePositive(c, c.argv[++j], &count, kCountNegative)) return;
    } else if (EqNoCase(opt, "MAXLEN") && moreargs) {
      if (!ParsePositive(c, c.argv[++j], &maxlen, kMaxlenNegative)) return;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  std::vector<int64_t> matches;
  OpStatus s = list::Pos(KS(), c.db_index, c.argv[1], c.argv[2], rank, count, maxlen, &matches);
  if (s != OpStatus::kOk && s != OpStatus::kNotFound) {
    ErrStatus(c, s);
    return;
  }
  if (count != -1) {
    c.reply.ArrayLen(static_cast<int64_t>(matches.size()));
    for (int64_t m : matches) c.reply.Int(m);
  } else if (!matches.empty()) {
    c.reply.Int(matches[0]);
  } else {
    c.reply.Null();
  }
}

// lmoveGenericCommand.
void MoveGeneric(Client& c, bool from_left, bool to_left) {
  BulkWriter w{c, false};
  OpStatus s = list::Move(KS(), c.db_index, c.argv[1], c.argv[2], from_left, to_left, w);
  if (s == OpStatus::kNotFound)
    c.reply.Null();
  else if (s != OpStatus::kOk)
    ErrStatus(c, s);
}

void CmdLMove(Client& c) {
  bool from_left, to_left;
  if (!ParseWhere(c, c.argv[3], &from_left) || !ParseWhere(c, c.argv[4], &to_left)) return;
  MoveGeneric(c, from_left, to_left);
}

void CmdRPopLPush(Client& c) { MoveGeneric(c, false, true); }

constexpr std::string_view kNumkeys = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountPositive = "ERR count should be greater than 0";

// Pops from the first non-empty list of `keys` (count < 0: one element,
// the BLPOP/BRPOP reply [key, elem]; else up to count, the LMPOP reply
// [key, [elems]]) and propagates the pop as Redis does: [LR]POP key, or
// [LR]POP key <popped> for the COUNT forms. kNotFound when all are empty.
OpStatus PopFirstNonEmpty(Client& c, std::span<const std::string_view> keys, bool left,
                          int64_t count) {
  size_t key_index = 0;
  auto writer = [&](std::string_view s, size_t i, size_t n) {
    if (i == 0) {
      c.reply.ArrayLen(2);
      c.reply.Bulk(keys[key_index]);
      if (count >= 0) c.reply.ArrayLen(static_cast<int64_t>(n));
    }
    c.reply.Bulk(s);
  };
  auto r = list::MPop(KS(), c.db_index, keys, left, count, &key_index, writer);
  if (!r.ok()) return r.status();
  std::string_view op = left ? "LPOP" : "RPOP";
  if (count < 0) {
    // Why: B[LR]POP is replicated as [LR]POP key.
    PropagateAs(c, {op, keys[key_index]});
  } else {
    // Why: [B]LMPOP is replicated as [LR]POP key <popped>.
    char buf[base::kLongStrSize];
    PropagateAs(c, {op, keys[key_index], {buf, base::Int64ToChars(static_cast<int64_t>(*r), buf)}});
  }
  return OpStatus::kOk;
}

// [B]LMPOP [timeout] numkeys key [key ...] LEFT|RIGHT [COUNT count]
// (lmpopGenericCommand): numkeys_idx is 1 for LMPOP, 2 for BLMPOP.
void MPopGeneric(Client& c, size_t numkeys_idx, bool block) {
  int64_t numkeys, count = -1;
  if (!ParseIntRange(c, c.argv[numkeys_idx], 1, INT64_MAX, &numkeys, kNumkeys)) return;
  // Why: the direction follows the keys; a numkeys past the arguments is
  // a syntax error (compared without overflowing).
  if (static_cast<uint64_t>(numkeys) >= c.argv.size() - numkeys_idx - 1) {
    ErrSyntax(c);
    return;
  }
  size_t where_idx = numkeys_idx + 1 + static_cast<size_t>(numkeys);
  bool left;
  if (!ParseWhere(c, c.argv[where_idx], &left)) return;
  for (size_t j = where_idx + 1; j < c.argv.size(); j++) {
    if (count == -1 && EqNoCase(c.argv[j], "COUNT") && j + 1 < c.argv.size()) {
      if (!ParseIntRange(c, c.argv[++j], 1, INT64_MAX, &count, kCountPositive)) return;
    } else {
      ErrSyntax(c);
      return;
    }
  }
  if (count == -1) count = 1;
  std::span<const std::string_view> keys(c.argv.data() + numkeys_idx + 1,
                                         static_cast<size_t>(numkeys));
  int64_t deadline = 0;
  // Why: the timeout is checked after the other arguments (Redis parses it
  // in blockingPopGenericCommand).
  if (block && !ParseBlockTimeout(c, c.argv[1], &deadline)) return;
  OpStatus s = PopFirstNonEmpty(c, keys, left, count);
  if (s == OpStatus::kNotFound) {
    if (block)
      BlockOrTimeout(c, keys, engine::ObjType::kList, deadline);
    else
      c.reply.NullArray();
  } else if (s != OpStatus::kOk) {
    ErrStatus(c, s);
  }
}

void CmdLMPop(Client& c) { MPopGeneric(c, 1, false); }
void CmdBLMPop(Client& c) { MPopGeneric(c, 2, true); }

// BLPOP/BRPOP key [key ...] timeout (blockingPopGenericCommand).
void BlockingPopGeneric(Client& c, bool left) {
  int64_t deadline;
  if (!ParseBlockTimeout(c, c.argv.back(), &deadline)) return;
  std::span<const std::string_view> keys(c.argv.data() + 1, c.argv.size() - 2);
  OpStatus s = PopFirstNonEmpty(c, keys, left, -1);
  if (s == OpStatus::kNotFound)
    BlockOrTimeout(c, keys, engine::ObjType::kList, deadline);
  else if (s != OpStatus::kOk)
    ErrStatus(c, s);
}

void CmdBLPop(Client& c) { BlockingPopGeneric(c, true); }
void CmdBRPop(Client& c) { BlockingPopGeneric(c, false); }

// BLMOVE / BRPOPLPUSH (blmoveGenericCommand): the move when the source
// has elements, else wait on the source alone.
void BlockingMoveGeneric(Client& c, bool from_left, bool to_left, size_t timeout_idx) {
  int64_t deadline;
  if (!ParseBlockTimeout(c, c.argv[timeout_idx], &deadline)) return;
  BulkWriter w{c, false};
  OpStatus s = list::Move(KS(), c.db_index, c.argv[1], c.argv[2], from_left, to_left, w);
  if (s == OpStatus::kOk) {
    // Why: replicated as the non-blocking form.
    if (timeout_idx == 3)
      PropagateAs(c, {"RPOPLPUSH", c.argv[1], c.argv[2]});
    else
      PropagateAs(c, {"LMOVE", c.argv[1], c.argv[2], c.argv[3], c.argv[4]});
  } else if (s == OpStatus::kNotFound) {
    // Why: inside MULTI an empty source answers a null bulk, not an array.
    BlockOrTimeout(c, std::span<const std::string_view>(c.argv.data() + 1, 1), engine::ObjType::kList, deadline,
                   /*null_bulk=*/true);
  } else {
    ErrStatus(c, s);
  }
}

void CmdBLMove(Client& c) {
  bool from_left, to_left;
  if (!ParseWhere(c, c.argv[3], &from_left) || !ParseWhere(c, c.argv[4], &to_left)) return;
  BlockingMoveGeneric(c, from_left, to_left, 5);
}
void CmdBRPopLPush(Client& c) { BlockingMoveGeneric(c, false, true, 3); }

}  // namespace

void RegisterListFamily(server::CommandTable& t) {
  t.Register("lpush", CmdLPush);
  t.Register("rpush", CmdRPush);
  t.Register("lpushx", CmdLPushX);
  t.Register("rpushx", CmdRPushX);
  t.Register("lpop", CmdLPop);
  t.Register("rpop", CmdRPop);
  t.Register("llen", CmdLLen);
  t.Register("lrange", CmdLRange);
  t.Register("lindex", CmdLIndex);
  t.Register("lset", CmdLSet);
  t.Register("linsert", CmdLInsert);
  t.Register("lrem", CmdLRem);
  t.Register("ltrim", CmdLTrim);
  t.Register("lpos", CmdLPos);
  t.Register("rpoplpush", CmdRPopLPush);
  t.Register("lmove", CmdLMove);
  t.Register("lmpop", CmdLMPop);
  t.Register("blpop", CmdBLPop);
  t.Register("brpop", CmdBRPop);
  t.Register("blmpop", CmdBLMPop);
  t.Register("blmove", CmdBLMove);
  t.Register("brpoplpush", CmdBRPopLPush);
}

}  // namespace vireo::commands
