// The ACL user set and what happens around it (acl.h): authentication,
// the per-client check with its ACL LOG entry, disconnecting the clients
// of deleted or reloaded users, the ACL LOG itself, and the two ways users
// come from files (`user` lines of redis.conf, the aclfile) — Redis
// 7.0.15's acl.c.
#include "server/acl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/sha256.h"
#include "base/split_args.h"
#include "server/client.h"
#include "server/client_info.h"
#include "server/command.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace vireo::server::acl {

namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Keeps the name, takes everything else (Redis's ACLCopyUser).
void CopyRules(User* dst, const User& src) {
  std::string name = std::move(dst->name);
  *dst = src;
  dst->name = std::move(name);
  dst->Refresh();
}

// Redis's time_independent_strcmp over the fixed-size hashes.
bool HashEq(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Acl& Get() {
  static Acl acl;
  return acl;
}

std::unique_ptr<User> MakeDefaultUser() {
  auto u = std::make_unique<User>();
  u->name = "default";
  std::string e;
  for (const char* r : {"+@all", "~*", "&*", "on", "nopass"}) ApplyRule(u.get(), r, &e);
  return u;
}

Acl::Acl() {
  auto d = MakeDefaultUser();
  default_ = d.get();
  users_["default"] = std::move(d);
}

Acl::~Acl() = default;

User* Acl::Find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

std::string Acl::SetUser(std::string_view name, const std::vector<std::string>& rules,
                         Client* current) {
  std::vector<std::string> merged;
  size_t bad = 0;
  if (!MergeSelectorArgs(rules, &merged, &bad))
    return err::AclUnmatchedParen(rules[bad]);
  User* u = Find(name);
  User temp;
  if (u) temp = *u;
  for (const std::string& op : merged) {
    std::string err;
    if (!ApplyRule(&temp, op, &err)) return err::AclSetuserModifier(op, err);
  }
  if (u) {
    KillPubsubClientsIfNeeded(temp, *u, current);
  } else {
    auto nu = std::make_unique<User>();
    nu->name = std::string(name);
    u = nu.get();
    users_[std::string(name)] = std::move(nu);
  }
  CopyRules(u, temp);
  return "";
}

void Acl::KillClientsOf(User* u, Client* current) {
  if (!g_server) return;
  for (Client* cl = g_server->clients_head(); cl;) {
    Client* next = cl->next;
    if (cl->user == u) {
      // Why: as Redis, the client falls back to the unauthenticated
      // default user before it goes, and the one running the command is
      // closed only after its reply.
      cl->user = default_;
      cl->authenticated = false;
      if (cl == current)
        cl->flags |= kClientCloseAfterReply;
      else if (!cl->closed())
        cl->Close();
    }
    cl = next;
  }
  if (current && current->user == u) {
    current->user = default_;
    current->authenticated = false;
    current->flags |= kClientCloseAfterReply;
  }
}

bool Acl::DelUser(std::string_view name, Client* current) {
  auto it = users_.find(name);
  if (it == users_.end() || it->second.get() == default_) return false;
  std::unique_ptr<User> u = std::move(it->second);
  users_.erase(it);
  KillClientsOf(u.get(), current);
  return true;
}

bool Acl::Authenticate(Client& c, std::string_view user, std::string_view pass) {
  User* u = Find(user);
  bool ok = u && u->enabled();
  if (ok && !(u->flags & kUserNopass)) {
    std::string h = base::Sha256Hex(pass);
    ok = false;
    for (const std::string& p : u->passwords) ok = ok || HashEq(h, p);
  }
  if (ok) {
    c.authenticated = true;
    c.user = u;
    return true;
  }
  Log(c, kDeniedAuth, (c.flags & kClientMulti) ? kCtxMulti : kCtxToplevel, 0, user, c.argv[0]);
  return false;
}

void Acl::SetDefaultPassword(std::string_view pass) {
  std::string e;
  ApplyRule(default_, "resetpass", &e);
  if (!pass.empty())
    ApplyRule(default_, ">" + std::string(pass), &e);
  else
    ApplyRule(default_, "nopass", &e);
}

void Acl::AttachDefault(Client& c) {
  c.user = default_;
  c.authenticated = (default_->flags & kUserNopass) && default_->enabled();
}

void Acl::KillPubsubClientsIfNeeded(const User& updated, const User& original, Client* current) {
  for (const Selector& s : updated.selectors)
    if (s.flags & kSelAllChannels) return;
  std::vector<std::string> upcoming;
  for (const Selector& s : updated.selectors)
    upcoming.insert(upcoming.end(), s.channels.begin(), s.channels.end());
  // Why: nothing to do when the new channel list keeps every old one.
  bool superset = true;
  for (const Selector& s : original.selectors) {
    if (s.flags & kSelAllChannels) superset = false;
    for (const std::string& ch : s.channels)
      if (std::find(upcoming.begin(), upcoming.end(), ch) == upcoming.end()) superset = false;
  }
  if (superset || !subscriptions_ || !g_server) return;
  User probe;
  probe.selectors.resize(1);
  probe.selectors[0].flags = 0;
  probe.selectors[0].channels = upcoming;
  std::vector<std::string> channels, patterns;
  for (Client* cl = g_server->clients_head(); cl;) {
    Client* next = cl->next;
    if (cl->user == &original && !cl->closed()) {
      channels.clear();
      patterns.clear();
      subscriptions_(*cl, &channels, &patterns);
      bool kill = false;
      for (const std::string& p : patterns) kill = kill || !ChannelAllowed(probe, p, true);
      for (const std::string& ch : channels) kill = kill || !ChannelAllowed(probe, ch, false);
      if (kill) {
        if (cl == current)
          cl->flags |= kClientCloseAfterReply;
        else
          cl->Close();
      }
    }
    cl = next;
  }
}

bool Acl::ClientMatchesUser(const Client& c, std::string_view username) {
  return c.user && c.user->name == username;
}

// --- ACL LOG -----------------------------------------------------------------

void Acl::Log(Client& c, int reason, int context, int argpos, std::string_view username,
              std::string_view object) {
  LogEntry le;
  le.reason = reason;
  le.context = context;
  le.username = std::string(username.data() ? username : std::string_view(c.user ? c.user->name : "default"));
  le.ctime_ms = WallMs();
  if (object.data()) {
    le.object = std::string(object);
  } else if (reason == kDeniedCmd) {
    le.object = c.cmd ? c.cmd->name : "";
  } else if ((reason == kDeniedKey || reason == kDeniedChannel) &&
             static_cast<size_t>(argpos) < c.argv.size()) {
    le.object = std::string(c.argv[static_cast<size_t>(argpos)]);
  }
  le.cinfo = ClientInfoString(c);
  // Why: Redis groups an event with one of the 10 newest entries of the
  // same reason, context, object and user within 60 seconds.
  size_t scan = std::min<size_t>(10, log_.size());
  for (size_t i = 0; i < scan; i++) {
    LogEntry& cur = log_[i];
    int64_t delta = cur.ctime_ms - le.ctime_ms;
    if (cur.reason == le.reason && cur.context == le.context && (delta < 0 ? -delta : delta) <= 60000 &&
        cur.object == le.object && cur.username == le.username) {
      LogEntry m = std::move(cur);
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      m.cinfo = std::move(le.cinfo);
      m.ctime_ms = le.ctime_ms;
      m.count++;
      log_.push_front(std::move(m));
      return;
    }
  }
  log_.push_front(std::move(le));
  TrimLog();
}

void Acl::TrimLog() {
  size_t max = g_server ? g_server->cfg().acllog_max_len : 128;
  while (log_.size() > max) log_.pop_back();
}

// --- files -------------------------------------------------------------------

bool Acl::AppendConfigUser(const std::vector<std::string>& args, std::string* err) {
  // `args` is argv without "user"; Redis reports argv[idx] of the full
  // line, with idx counted in the rules (an off-by-two it has).
  auto word = [&](size_t idx) { return idx == 0 ? std::string("user") : args[idx - 1]; };
  for (const auto& u : to_load_) {
    if (u[0] == args[0]) {
      *err = "Error in user declaration '" + word(1) + "': " + err::kAclDuplicateUser;
      return false;
    }
  }
  std::vector<std::string> rules(args.begin() + 1, args.end()), merged;
  size_t bad = 0;
  if (!MergeSelectorArgs(rules, &merged, &bad)) {
    *err = "Error in user declaration '" + word(bad) + "': " + err::kAclSyntax;
    return false;
  }
  User fake;
  for (size_t j = 0; j < merged.size(); j++) {
    std::string e;
    bool not_found = false;
    if (!ApplyRule(&fake, merged[j], &e, &not_found) && !not_found) {
      *err = "Error in user declaration '" + word(j) + "': " + e;
      return false;
    }
  }
  std::vector<std::string> entry{args[0]};
  entry.insert(entry.end(), merged.begin(), merged.end());
  to_load_.push_back(std::move(entry));
  return true;
}

bool Acl::LoadAtStartup(std::string* err) {
  SetDefaultPassword(g_server ? g_server->cfg().requirepass : "");
  const std::string aclfile = g_server ? g_server->cfg().aclfile : "";
  if (!aclfile.empty() && !to_load_.empty()) {
    *err =
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.";
    return false;
  }
  for (const auto& rules : to_load_) {
    if (HasSpaces(rules[0])) {
      *err = "Spaces not allowed in ACL usernames";
      return false;
    }
    User* u = Find(rules[0]);
    if (!u) {
      auto nu = std::make_unique<User>();
      nu->name = rules[0];
      u = nu.get();
      users_[rules[0]] = std::move(nu);
    } else {
      std::string e;
      ApplyRule(u, "reset", &e);
    }
    for (size_t j = 1; j < rules.size(); j++) {
      std::string e;
      if (!ApplyRule(u, rules[j], &e)) {
        server::Log(LogLevel::kWarning, "Error loading ACL rule '%s' for the user named '%s': %s",
                    rules[j].c_str(), rules[0].c_str(), e.c_str());
        *err = "Critical error while loading ACLs. Exiting.";
        return false;
      }
    }
    if (!u->enabled())
      server::Log(LogLevel::kNotice,
                  "The user '%s' is disabled (there is no 'on' modifier in the user description). "
                  "Make sure this is not a configuration error.",
                  rules[0].c_str());
  }
  if (!aclfile.empty()) {
    std::string errors = LoadFile(aclfile);
    if (!errors.empty()) {
      *err = "Aborting Redis startup because of ACL errors: " + errors;
      return false;
    }
  }
  return true;
}

std::string Acl::LoadFile(const std::string& path, Client* current) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "Error loading ACLs, opening file '" + path + "': " + strerror(errno);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string& fname = g_server ? g_server->cfg().aclfile : path;
  std::string errors;
  std::map<std::string, std::unique_ptr<User>, std::less<>> fresh;
  int linenum = 0;
  for (std::string_view rest = text;; ) {
    size_t nl = rest.find('\n');
    std::string line(rest.substr(0, nl));
    linenum++;
    size_t b = line.find_first_not_of(" \t\r\n"), e = line.find_last_not_of(" \t\r\n");
    line = b == std::string::npos ? "" : line.substr(b, e - b + 1);
    if (!line.empty()) {
      std::vector<std::string> argv = base::SplitLen(line, ' ');
      if (argv.size() < 2 || argv[0] != "user") {
        errors += fname + ":" + std::to_string(linenum) +
                  " should start with user keyword followed by the username. ";
      } else if (HasSpaces(argv[1])) {
        errors += "'" + fname + ":" + std::to_string(linenum) + ": username '" + argv[1] +
                  "' contains invalid characters. ";
      } else if (fresh.count(argv[1])) {
        errors += "WARNING: Duplicate user '" + argv[1] + "' found on line " + std::to_string(linenum) + ". ";
      } else {
        auto u = std::make_unique<User>();
        u->name = argv[1];
        std::vector<std::string> rules(argv.begin() + 2, argv.end()), merged;
        if (!MergeSelectorArgs(rules, &merged, nullptr))
          errors += fname + ":" + std::to_string(linenum) + ": Unmatched parenthesis in selector definition.";
        bool syntax_error = false;
        for (std::string& op : merged) {
          size_t ob = op.find_first_not_of("\t\r\n"), oe = op.find_last_not_of("\t\r\n");
          op = ob == std::string::npos ? "" : op.substr(ob, oe - ob + 1);
          std::string err;
          bool not_found = false;
          if (!ApplyRule(u.get(), op, &err, &not_found)) {
            if (not_found) {
              errors += fname + ":" + std::to_string(linenum) + ": Error in applying operation '" + op +
                        "': " + err + ". ";
            } else if (!syntax_error) {
              errors += fname + ":" + std::to_string(linenum) + ": " + err + ". ";
              syntax_error = true;
            }
          }
        }
        fresh[argv[1]] = std::move(u);
      }
    }
    if (nl == std::string_view::npos) break;
    rest = rest.substr(nl + 1);
  }
  if (!errors.empty())
    return errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
  // Why: the default user object stays (clients point at it); it takes the
  // file's rules. Every other old user goes, with its clients.
  auto it = fresh.find("default");
  std::unique_ptr<User> new_default = it != fresh.end() ? std::move(it->second) : MakeDefaultUser();
  if (it != fresh.end()) fresh.erase(it);
  CopyRules(default_, *new_default);
  std::unique_ptr<User> keep = std::move(users_["default"]);
  users_.erase("default");
  auto old = std::move(users_);
  users_ = std::move(fresh);
  users_["default"] = std::move(keep);
  for (auto& [name, u] : old) KillClientsOf(u.get(), current);
  return "";
}

std::vector<std::string> Acl::UserLines() {
  std::vector<std::string> out;
  for (auto& [name, u] : users_) out.push_back("user " + name + " " + DescribeUser(*u));
  return out;
}

bool Acl::SaveFile(const std::string& path) {
  std::string text;
  for (std::string& l : UserLines()) text += l + "\n";
  std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(WallMs());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd == -1) {
    server::Log(LogLevel::kWarning, "Opening temp ACL file for ACL SAVE: %s", strerror(errno));
    return false;
  }
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!ok) server::Log(LogLevel::kWarning, "Writing ACL file for ACL SAVE: %s", strerror(errno));
  close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) == -1) {
    server::Log(LogLevel::kWarning, "Renaming ACL file for ACL SAVE: %s", strerror(errno));
    ok = false;
  }
  if (!ok) unlink(tmp.c_str());
  return ok;
}

}  // namespace vireo::server::acl
