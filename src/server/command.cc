// See command.h. Also implements the COMMAND command family, because it is
// a view over this table.
#include "server/command.h"

#include <algorithm>
#include <cstring>

#include "base/ascii.h"
#include "base/glob.h"
#include "server/client.h"
#include "server/server.h"

namespace vireo::server {

static std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return r;
}

CommandTable::CommandTable() {
  for (size_t i = 0; i < kCommandMetaCount; i++) {
    const CommandMeta& m = kCommandMeta[i];
    std::string full = m.parent ? std::string(m.parent) + "|" + m.name : std::string(m.name);
    meta_index_[full] = &m;
  }
}

bool CommandTable::Rename(std::string_view from, std::string_view to, std::string* err) {
  std::string f = Lower(from);
  auto it = index_.find(f);
  if (it == index_.end()) {
    *err = "No such command in rename-command";
    return false;
  }
  Command* cmd = it->second;
  if (to.empty()) {
    // Why: Redis removes it from the command dict; COMMAND no longer lists it.
    index_.erase(it);
    top_.erase(std::remove(top_.begin(), top_.end(), cmd), top_.end());
    removed_.push_back(cmd);
    return true;
  }
  std::string t = Lower(to);
  if (index_.count(t)) {
    *err = "Target command name already exists";
    return false;
  }
  index_.erase(it);
  index_[t] = cmd;
  return true;
}

CommandTable::~CommandTable() {
  for (Command* s : removed_subs_) delete s;
  for (Command* c : removed_) top_.push_back(c);
  for (Command* c : top_) {
    for (Command* s : c->subcommands) delete s;
    delete c;
  }
}

static Command* MakeCommand(const CommandMeta* m, std::string full) {
  auto* c = new Command();
  c->name = std::move(full);
  c->declared = m->name;
  c->meta = m;
  c->arity = m->arity;
  c->flags = m->flags;
  c->acl = m->acl_categories;
  // Why: Redis's TOUCHES_ARBITRARY_KEYS (commands/*.json, not shown by
  // COMMAND INFO): their lazy-expire DELs are propagated unwrapped.
  if (c->name == "scan" || c->name == "randomkey") c->flags |= kCmdTouchesArbitraryKeys;
  return c;
}

// SENTINEL and its subcommands have both flags; see InCommandMode.
bool CommandTable::InMode(const CommandMeta* m) const { return InCommandMode(*m, sentinel_mode_); }

void CommandTable::ApplyMode(bool sentinel_mode) {
  sentinel_mode_ = sentinel_mode;
  mode_applied_ = true;
  std::vector<Command*> kept;
  for (Command* c : top_) {
    bool keep = InMode(c->meta);
    if (keep && !c->subcommands.empty()) {
      std::vector<Command*> subs;
      for (Command* s : c->subcommands) {
        if (InMode(s->meta)) {
          subs.push_back(s);
        } else {
          c->sub_index.erase(s->declared);
          removed_subs_.push_back(s);
        }
      }
      c->subcommands = std::move(subs);
      // A container is listed only with at least one subcommand (see top).
      keep = !c->subcommands.empty() || c->handler != nullptr;
    }
    if (keep) {
      kept.push_back(c);
    } else {
      // By value: the index key differs from c->name after a rename.
      std::erase_if(index_, [c](const auto& kv) { return kv.second == c; });
      removed_.push_back(c);
    }
  }
  top_ = std::move(kept);
}

void CommandTable::Register(std::string_view fullname, Handler h) {
  std::string full = Lower(fullname);
  auto mit = meta_index_.find(full);
  if (mit == meta_index_.end()) {
    missing_.push_back(full);
    return;
  }
  // After ApplyMode a command the mode lacks stays unknown (not missing).
  if (mode_applied_ && !InMode(mit->second)) return;
  size_t bar = full.find('|');
  if (bar == std::string::npos) {
    auto it = index_.find(full);
    if (it != index_.end()) {
      it->second->handler = h;
      return;
    }
    Command* c = MakeCommand(mit->second, full);
    c->handler = h;
    top_.push_back(c);
    index_[full] = c;
    return;
  }
  std::string parent_name = full.substr(0, bar);
  Command* parent;
  auto it = index_.find(parent_name);
  if (it == index_.end()) {
    auto pm = meta_index_.find(parent_name);
    if (pm == meta_index_.end()) {
      missing_.push_back(parent_name);
      return;
    }
    parent = MakeCommand(pm->second, parent_name);
    top_.push_back(parent);
    index_[parent_name] = parent;
  } else {
    parent = it->second;
  }
  Command* sub = MakeCommand(mit->second, full);
  sub->handler = h;
  sub->parent = parent;
  parent->subcommands.push_back(sub);
  parent->sub_index[full.substr(bar + 1)] = sub;
}

Command* CommandTable::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

Command* CommandTable::Lookup(const std::vector<std::string_view>& argv) const {
  Command* base = Find(argv[0]);
  if (!base) return nullptr;
  // Why: Redis's lookupCommandLogic returns the container itself when only
  // its name was given (arity check then fails with the container's name).
  if (base->subcommands.empty() || argv.size() == 1) return base;
  auto it = base->sub_index.find(argv[1]);
  return it == base->sub_index.end() ? nullptr : it->second;
}

Command* CommandTable::FindByFullName(std::string_view fullname) const {
  size_t bar = fullname.find('|');
  if (bar == std::string_view::npos) return Find(fullname);
  Command* base = Find(fullname.substr(0, bar));
  if (!base) return nullptr;
  auto it = base->sub_index.find(fullname.substr(bar + 1));
  return it == base->sub_index.end() ? nullptr : it->second;
}

bool CommandTable::IsContainer(std::string_view name) const {
  Command* c = Find(name);
  return c && !c->subcommands.empty();
}

void CommandTable::ResetStats() {
  for (Command* c : top_) {
    c->calls = c->usec = c->rejected_calls = c->failed_calls = 0;
    for (Command* s : c->subcommands) s->calls = s->usec = s->rejected_calls = s->failed_calls = 0;
  }
}

void CommandTable::WriteInfo(Client& c, const Command* cmd) {
  auto& r = c.reply;
  bool r3 = c.resp() >= 3;
  r.Raw("*10\r\n");
  r.Raw(r3 ? cmd->meta->info_resp3 : cmd->meta->info_resp2);
  if (cmd->subcommands.empty()) {
    // Why: Redis sends addReplySetLen(c, 0) for "no subcommands".
    r.Raw(r3 ? "~0\r\n" : "*0\r\n");
    return;
  }
  r.ArrayLen(static_cast<int64_t>(cmd->subcommands.size()));
  for (const Command* s : cmd->subcommands) WriteInfo(c, s);
}

void CommandTable::WriteDocs(Client& c, const Command* cmd) {
  auto& r = c.reply;
  bool r3 = c.resp() >= 3;
  int pairs = cmd->meta->docs_pairs + (cmd->subcommands.empty() ? 0 : 1);
  r.MapLen(pairs);
  r.Raw(r3 ? cmd->meta->docs_resp3 : cmd->meta->docs_resp2);
  if (cmd->subcommands.empty()) return;
  r.Bulk("subcommands");
  r.MapLen(static_cast<int64_t>(cmd->subcommands.size()));
  for (const Command* s : cmd->subcommands) {
    r.Bulk(s->name);
    WriteDocs(c, s);
  }
}

}  // namespace vireo::server
