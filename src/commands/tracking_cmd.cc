// CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR, CLIENT TRACKINGINFO
// (Redis networking.c clientCommand): the client-side caching controls.
//
// The state and the invalidation machinery are server/tracking.h; these
// handlers parse Redis's options, check them in Redis's order with its
// error texts, and switch the client's tracking on or off.
#include <vector>

#include "commands/common.h"
#include "server/tracking.h"

namespace vireo::commands {

namespace {

using server::kClientTracking;
using server::kClientTrackingBcast;
using server::kClientTrackingBrokenRedir;
using server::kClientTrackingCaching;
using server::kClientTrackingNoloop;
using server::kClientTrackingOptin;
using server::kClientTrackingOptout;

// CLIENT TRACKING (ON|OFF) [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP]
void CmdClientTracking(Client& c) {
  int64_t redir = 0;
  uint64_t options = 0;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < c.argv.size(); j++) {
    bool more = j + 1 < c.argv.size();
    std::string_view a = c.argv[j];
    if (EqNoCase(a, "redirect") && more) {
      j++;
      if (redir != 0) return Err(c, "ERR A client can only redirect to a single other client");
      if (!ParseInt(c, c.argv[j], &redir)) return;
      // Why: Redis requires the target to exist now, although it may go
      // away later (then the client is flagged broken_redirect).
      if (!g_server->FindClient(static_cast<uint64_t>(redir)))
        return Err(c, "ERR The client ID you want redirect to does not exist");
    } else if (EqNoCase(a, "bcast")) {
      options |= kClientTrackingBcast;
    } else if (EqNoCase(a, "optin")) {
      options |= kClientTrackingOptin;
    } else if (EqNoCase(a, "optout")) {
      options |= kClientTrackingOptout;
    } else if (EqNoCase(a, "noloop")) {
      options |= kClientTrackingNoloop;
    } else if (EqNoCase(a, "prefix") && more) {
      prefixes.push_back(c.argv[++j]);
    } else {
      return ErrSyntax(c);
    }
  }
  server::Tracking& t = g_server->tracking();
  if (EqNoCase(c.argv[2], "on")) {
    if (!(options & kClientTrackingBcast) && !prefixes.empty())
      return Err(c, "ERR PREFIX option requires BCAST mode to be enabled");
    if ((c.flags & kClientTracking) &&
        ((c.flags & kClientTrackingBcast) != 0) != ((options & kClientTrackingBcast) != 0))
      return Err(c,
                 "ERR You can't switch BCAST mode on/off before disabling tracking for this "
                 "client, and then re-enabling it with a different mode.");
    if ((options & kClientTrackingBcast) &&
        (options & (kClientTrackingOptin | kClientTrackingOptout)))
      return Err(c, "ERR OPTIN and OPTOUT are not compatible with BCAST");
    if ((options & kClientTrackingOptin) && (options & kClientTrackingOptout))
      return Err(c, "ERR You can't specify both OPTIN mode and OPTOUT mode");
    if (((options & kClientTrackingOptin) && (c.flags & kClientTrackingOptout)) ||
        ((options & kClientTrackingOptout) && (c.flags & kClientTrackingOptin)))
      return Err(c,
                 "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                 "client, and then re-enabling it with a different mode.");
    if (options & kClientTrackingBcast) {
      std::string err = t.CheckPrefixCollisions(c, prefixes);
      if (!err.empty()) return Err(c, err);
    }
    t.Enable(c, static_cast<uint64_t>(redir), options, prefixes);
  } else if (EqNoCase(c.argv[2], "off")) {
    t.Disable(c);
  } else {
    return ErrSyntax(c);
  }
  c.reply.Ok();
}

void CmdClientCaching(Client& c) {
  if (!(c.flags & kClientTracking))
    return Err(c,
               "ERR CLIENT CACHING can be called only when the client is in tracking mode with "
               "OPTIN or OPTOUT mode enabled");
  std::string_view opt = c.argv[2];
  if (EqNoCase(opt, "yes")) {
    if (!(c.flags & kClientTrackingOptin))
      return Err(c, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  } else if (EqNoCase(opt, "no")) {
    if (!(c.flags & kClientTrackingOptout))
      return Err(c, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  } else {
    return ErrSyntax(c);
  }
  c.flags |= kClientTrackingCaching;
  c.reply.Ok();
}

int64_t Redirect(const Client& c) {
  if (!(c.flags & kClientTracking)) return -1;
  return c.tracking ? static_cast<int64_t>(c.tracking->redirect) : 0;
}

void CmdClientGetredir(Client& c) { c.reply.Int(Redirect(c)); }

void CmdClientTrackinginfo(Client& c) {
  c.reply.MapLen(3);
  c.reply.Bulk("flags");
  auto d = c.reply.BeginDeferred();
  int n = 1;
  c.reply.Bulk((c.flags & kClientTracking) ? "on" : "off");
  auto flag = [&](uint64_t f, const char* name) {
    if (!(c.flags & f)) return false;
    c.reply.Bulk(name);
    n++;
    return true;
  };
  flag(kClientTrackingBcast, "bcast");
  if (flag(kClientTrackingOptin, "optin")) flag(kClientTrackingCaching, "caching-yes");
  if (flag(kClientTrackingOptout, "optout")) flag(kClientTrackingCaching, "caching-no");
  flag(kClientTrackingNoloop, "noloop");
  flag(kClientTrackingBrokenRedir, "broken_redirect");
  c.reply.EndDeferredSet(d, n);
  c.reply.Bulk("redirect");
  c.reply.Int(Redirect(c));
  c.reply.Bulk("prefixes");
  if (!c.tracking) {
    c.reply.ArrayLen(0);
    return;
  }
  c.reply.ArrayLen(static_cast<int64_t>(c.tracking->prefixes.size()));
  for (const std::string& p : c.tracking->prefixes) c.reply.Bulk(p);
}

}  // namespace

void RegisterTrackingFamily(server::CommandTable& t) {
  t.Register("client|tracking", CmdClientTracking);
  t.Register("client|caching", CmdClientCaching);
  t.Register("client|getredir", CmdClientGetredir);
  t.Register("client|trackinginfo", CmdClientTrackinginfo);
}

}  // namespace vireo::commands
