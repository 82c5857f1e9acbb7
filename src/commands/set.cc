// Set commands (Redis t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER
// SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION
// SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
//
// The handlers parse arguments in Redis's order and reply; encodings,
// conversions and change reports are engine/types/set.h's. SPOP is
// propagated as Redis does: SREM of the popped member without a count, one
// SREM per member with a count, DEL when the count took the whole set.
#include <span>
#include <string>
#include <vector>

#include "base/glob.h"
#include "commands/common.h"
#include "commands/scan.h"
#include "engine/types/set.h"

namespace vireo::commands {
namespace {

namespace set = engine::set;

std::span<const std::string_view> Args(Client& c, size_t first, size_t end) {
  return std::span<const std::string_view>(c.argv.data() + first, end - first);
}
std::span<const std::string_view> ArgsFrom(Client& c, size_t first) {
  return Args(c, first, c.argv.size());
}

// Replies members as a RESP3 set (RESP2 array) of a length known at the end.
template <class Op>
void ReplyMemberSet(Client& c, Op&& op) {
  auto d = c.reply.BeginDeferred();
  set::FnSink sink([&](std::string_view m) { c.reply.Bulk(m); });
  auto r = op(sink);
  if (!r.ok()) {
    // Nothing was written after the deferred position on an error.
    ErrStatus(c, r.status());
    return;
  }
  c.reply.EndDeferredSet(d, *r);
}

void CmdSAdd(Client& c) {
  auto r = set::Add(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdSRem(Client& c) {
  auto r = set::Rem(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdSCard(Client& c) {
  auto r = set::Card(KS(), c.db_index, c.argv[1]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdSIsMember(Client& c) {
  auto r = set::IsMember(KS(), c.db_index, c.argv[1], c.argv[2]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r ? 1 : 0);
}

void CmdSMIsMember(Client& c) {
  auto r = set::MIsMember(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.ArrayLen(static_cast<int64_t>(r->size()));
  for (uint8_t b : *r) c.reply.Int(b);
}

void CmdSMove(Client& c) {
  auto r = set::Move(KS(), c.db_index, c.argv[1], c.argv[2], c.argv[3]);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r ? 1 : 0);
}

// SINTER and SMEMBERS (Redis runs SMEMBERS as a one-key SINTER).
void CmdSInter(Client& c) {
  ReplyMemberSet(c, [&](set::MemberSink& s) {
    return set::Inter(KS(), c.db_index, ArgsFrom(c, 1), s);
  });
}

void CmdSInterCard(Client& c) {
  int64_t numkeys;
  if (!ParseIntRange(c, c.argv[1], 1, INT64_MAX, &numkeys, server::err::kNumkeysPositive)) return;
  if (numkeys > static_cast<int64_t>(c.argv.size()) - 2) return Err(c, server::err::kNumkeysTooMany);
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < c.argv.size(); j++) {
    bool more = j + 1 < c.argv.size();
    if (EqNoCase(c.argv[j], "limit") && more) {
      if (!ParsePositive(c, c.argv[++j], &limit, server::err::kLimitNegative)) return;
    } else {
      return ErrSyntax(c);
    }
  }
  auto r = set::InterCard(KS(), c.db_index, Args(c, 2, 2 + static_cast<size_t>(numkeys)),
                          static_cast<uint64_t>(limit));
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void CmdSInterStore(Client& c) {
  auto r = set::InterStore(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2));
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}

void UnionDiff(Client& c, set::SetOp op) {
  ReplyMemberSet(c, [&](set::MemberSink& s) {
    return set::UnionDiff(KS(), c.db_index, ArgsFrom(c, 1), op, s);
  });
}
void UnionDiffStore(Client& c, set::SetOp op) {
  auto r = set::UnionDiffStore(KS(), c.db_index, c.argv[1], ArgsFrom(c, 2), op);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.Int(*r);
}
void CmdSUnion(Client& c) { UnionDiff(c, set::SetOp::kUnion); }
void CmdSDiff(Client& c) { UnionDiff(c, set::SetOp::kDiff); }
void CmdSUnionStore(Client& c) { UnionDiffStore(c, set::SetOp::kUnion); }
void CmdSDiffStore(Client& c) { UnionDiffStore(c, set::SetOp::kDiff); }

void CmdSPop(Client& c) {
  if (c.argv.size() > 3) return ErrSyntax(c);
  std::string_view key = c.argv[1];
  if (c.argv.size() == 2) {
    auto r = set::Pop(KS(), c.db_index, key);
    if (r.status() == OpStatus::kNotFound) return c.reply.Null();
    if (!r.ok()) return ErrStatus(c, r.status());
    // Why: replicas and the AOF get the member removed, not a random pop.
    PropagateAs(c, {"SREM", key, *r});
    c.reply.Bulk(*r);
    return;
  }
  int64_t count;
  if (!ParsePositive(c, c.argv[2], &count, server::err::kPositive)) return;
  bool whole = false;
  auto d = c.reply.BeginDeferred();
  set::FnSink sink([&](std::string_view m) {
    c.reply.Bulk(m);
    if (!whole) PropagateAs(c, {"SREM", key, m});
  });
  // Why: when the count takes the whole set Redis propagates one DEL
  // instead of the SREMs; the engine sets `whole` before the first member.
  auto r = set::PopCount(KS(), c.db_index, key, static_cast<uint64_t>(count), sink, &whole);
  if (r.status() == OpStatus::kNotFound) return c.reply.EndDeferredSet(d, 0);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.EndDeferredSet(d, *r);
  if (whole) PropagateAs(c, {"DEL", key});
}

void CmdSRandMember(Client& c) {
  if (c.argv.size() > 3) return ErrSyntax(c);
  if (c.argv.size() == 2) {
    char buf[base::kLongStrSize];
    auto r = set::RandMember(KS(), c.db_index, c.argv[1], buf);
    if (r.status() == OpStatus::kNotFound) return c.reply.Null();
    if (!r.ok()) return ErrStatus(c, r.status());
    c.reply.Bulk(*r);
    return;
  }
  int64_t count;
  if (!ParseInt(c, c.argv[2], &count)) return;
  // Why: Redis takes the count as a long in [-LONG_MAX, LONG_MAX].
  if (count == INT64_MIN) return Err(c, server::err::kSrandmemberRange);
  auto d = c.reply.BeginDeferred();
  set::FnSink sink([&](std::string_view m) { c.reply.Bulk(m); });
  auto r = set::RandMemberCount(KS(), c.db_index, c.argv[1], count, sink);
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.EndDeferredArray(d, *r);
}

// SSCAN's receiver: parses the options once the key is known to be a set.
class SScanSink final : public set::ScanSink {
 public:
  explicit SScanSink(Client& c) : c_(c) {}
  int64_t Start() override {
    if (!ParseScanOptions(c_, 3, /*allow_type=*/false, &opt_)) return -1;
    return opt_.count;
  }
  void Member(std::string_view m) override {
    if (opt_.use_pattern && !base::GlobMatch(opt_.pattern, m, false)) return;
    out_.emplace_back(m);
  }
  const std::vector<std::string>& out() const { return out_; }

 private:
  Client& c_;
  ScanOptions opt_;
  std::vector<std::string> out_;
};

void CmdSScan(Client& c) {
  uint64_t cursor;
  if (!ParseScanCursor(c, c.argv[2], &cursor)) return;
  SScanSink sink(c);
  auto r = set::Scan(KS(), c.db_index, c.argv[1], cursor, sink);
  if (r.status() == OpStatus::kSkipped) return;  // the options error was replied
  if (r.status() == OpStatus::kNotFound) {
    c.reply.ArrayLen(2);
    c.reply.Bulk("0");
    c.reply.EmptyArray();
    return;
  }
  if (!r.ok()) return ErrStatus(c, r.status());
  c.reply.ArrayLen(2);
  c.reply.BulkInt(static_cast<int64_t>(*r));
  c.reply.ArrayLen(static_cast<int64_t>(sink.out().size()));
  for (const std::string& m : sink.out()) c.reply.Bulk(m);
}

}  // namespace

void RegisterSetFamily(server::CommandTable& t) {
  t.Register("sadd", CmdSAdd);
  t.Register("srem", CmdSRem);
  t.Register("smembers", CmdSInter);
  t.Register("sismember", CmdSIsMember);
  t.Register("smismember", CmdSMIsMember);
  t.Register("scard", CmdSCard);
  t.Register("spop", CmdSPop);
  t.Register("srandmember", CmdSRandMember);
  t.Register("smove", CmdSMove);
  t.Register("sinter", CmdSInter);
  t.Register("sintercard", CmdSInterCard);
  t.Register("sinterstore", CmdSInterStore);
  t.Register("sunion", CmdSUnion);
  t.Register("sunionstore", CmdSUnionStore);
  t.Register("sdiff", CmdSDiff);
  t.Register("sdiffstore", CmdSDiffStore);
  t.Register("sscan", CmdSScan);
}

}  // namespace vireo::commands
