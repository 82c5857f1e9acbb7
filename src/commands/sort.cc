// SORT and SORT_RO (Redis sort.c): the option parsing, in Redis's order and
// with its errors, then one engine::sort::Sort and the reply (an array of
// values and nulls, or the stored length with STORE). SORT ... STORE
// propagates itself; SORT_RO has no STORE (it is a syntax error there).
#include "commands/common.h"
#include "commands/registry.h"
#include "engine/types/sort.h"
#include "server/acl.h"

namespace vireo::commands {
namespace {

void SortGeneric(Client& c, bool readonly) {
  engine::sort::Spec spec;
  // Why: BY / GET patterns read arbitrary keys, so Redis allows them only
  // to users with read access to every key.
  bool full_key_access = server::acl::UnrestrictedKeyAccess(c, c.cmd, server::kKsAccess);
  for (size_t j = 2; j < c.argv.size(); j++) {
    std::string_view a = c.argv[j];
    size_t left = c.argv.size() - j - 1;
    if (EqNoCase(a, "asc")) {
      spec.desc = false;
    } else if (EqNoCase(a, "desc")) {
      spec.desc = true;
    } else if (EqNoCase(a, "alpha")) {
      spec.alpha = true;
    } else if (EqNoCase(a, "limit") && left >= 2) {
      if (!ParseInt(c, c.argv[j + 1], &spec.limit_start) ||
          !ParseInt(c, c.argv[j + 2], &spec.limit_count))
        return;
      j += 2;
    } else if (!readonly && EqNoCase(a, "store") && left >= 1) {
      spec.has_store = true;
      spec.store = c.argv[++j];
    } else if (EqNoCase(a, "by") && left >= 1) {
      spec.has_by = true;
      spec.by = c.argv[++j];
      // Why: BY without '*' sorts nothing ("BY nosort"); Redis never
      // clears this on a later BY.
      if (spec.by.find('*') == std::string_view::npos)
        spec.dontsort = true;
      else if (!full_key_access)
        return Err(c, server::err::kSortByAcl);
    } else if (EqNoCase(a, "get") && left >= 1) {
      if (!full_key_access) return Err(c, server::err::kSortGetAcl);
      spec.gets.push_back(c.argv[++j]);
    } else {
      return ErrSyntax(c);
    }
  }
  engine::sort::Output out;
  int64_t stored = 0;
  OpStatus s = engine::sort::Sort(KS(), c.db_index, c.argv[1], spec, &out, &stored);
  if (s != OpStatus::kOk) return ErrStatus(c, s);
  if (spec.has_store) return c.reply.Int(stored);
  c.reply.ArrayLen(static_cast<int64_t>(out.size()));
  for (const auto& v : out) {
    if (v)
      c.reply.Bulk(*v);
    else
      c.reply.Null();
  }
}

void CmdSort(Client& c) { SortGeneric(c, false); }
void CmdSortRo(Client& c) { SortGeneric(c, true); }

}  // namespace

void RegisterSortFamily(server::CommandTable& t) {
  t.Register("sort", CmdSort);
  t.Register("sort_ro", CmdSortRo);
}

}  // namespace vireo::commands
