#!/usr/bin/python3
"""Self-check of src/server/command_table_data.cc against redis-server 7.0.15.

Why: the server rebuilds COMMAND / COMMAND INFO / COMMAND DOCS replies from
the per-command byte fragments in the generated table. This script proves the
fragments and the reassembly rule documented in src/server/command_meta.h
give byte-identical replies to the reference server, in RESP2 and RESP3.

How: it compiles a tiny C++ dumper together with the generated .cc (so the C++
string literals themselves are tested, not the generator's Python data),
starts redis-server (or uses --port), then for each command:
  * compares arity, flags, ACL categories, first/last/step and key specs with
    the reference COMMAND INFO;
  * rebuilds COMMAND INFO <cmd> and COMMAND DOCS <cmd> (and <cmd>|<sub>) and
    compares them byte for byte with the real replies. Subcommands come in
    dict order in the real reply, so we order ours like the real one and
    separately check that the *sets* of subcommands are equal;
  * rebuilds the full COMMAND and COMMAND DOCS replies likewise.
All of that runs twice: against the plain redis-server with the table as
CommandTable::ApplyMode(false) leaves it (no kCmdOnlySentinel entry), and
against `redis-server sentinel.conf --sentinel` with the table as
ApplyMode(true) leaves it (kCmdSentinel entries only). Why: that proves the
two mode flags, which COMMAND INFO does not show, select exactly the commands
and subcommands each mode of Redis has (expected flags: SENTINEL = in the
sentinel's COMMAND LIST, ONLY_SENTINEL = not in the plain server's).

Usage: /usr/bin/python3 tools/check_command_table.py [--port N]
           [--sentinel-port N] [--all]
Without --all only get, set, config, client, command, object, xadd (and their
subcommands) are checked per command against the plain server; every
sentinel-mode command is always checked; the full-reply checks always run.
No vireo-server build is needed: the table is compiled into a small dumper.
Exit status 0 when everything matches.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TOOLS)
TABLE_CC = os.path.join(REPO_ROOT, 'src', 'server', 'command_table_data.cc')
DEFAULT_COMMANDS = ['get', 'set', 'config', 'client', 'command', 'object',
                    'xadd']

_spec = importlib.util.spec_from_file_location(
    'gen_command_table', os.path.join(TOOLS, 'gen_command_table.py'))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

DUMPER_CC = r'''
// Dumps kCommandMeta for tools/check_command_table.py.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "server/command_meta.h"

using namespace vireo::server;

namespace {

const std::pair<uint64_t, const char*> kFlagNames[] = {
    {kCmdWrite, "write"}, {kCmdReadonly, "readonly"},
    {kCmdDenyOom, "denyoom"}, {kCmdModule, "module"}, {kCmdAdmin, "admin"},
    {kCmdPubsub, "pubsub"}, {kCmdNoscript, "noscript"},
    {kCmdBlocking, "blocking"}, {kCmdLoading, "loading"},
    {kCmdStale, "stale"}, {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"}, {kCmdAsking, "asking"},
    {kCmdFast, "fast"}, {kCmdNoAuth, "no_auth"},
    {kCmdMayReplicate, "may_replicate"},
    {kCmdNoMandatoryKeys, "no_mandatory_keys"}, {kCmdNoMulti, "no_multi"},
    {kCmdMovableKeys, "movablekeys"}, {kCmdAllowBusy, "allow_busy"},
    {kCmdNoAsyncLoading, "no_async_loading"}, {kCmdProtected, "PROTECTED"},
    {kCmdSentinel, "SENTINEL"}, {kCmdOnlySentinel, "ONLY_SENTINEL"}};
const std::pair<uint64_t, const char*> kAclNames[] = {
    {kAclKeyspace, "@keyspace"}, {kAclRead, "@read"}, {kAclWrite, "@write"},
    {kAclSet, "@set"}, {kAclSortedset, "@sortedset"}, {kAclList, "@list"},
    {kAclHash, "@hash"}, {kAclString, "@string"}, {kAclBitmap, "@bitmap"},
    {kAclHyperloglog, "@hyperloglog"}, {kAclGeo, "@geo"},
    {kAclStream, "@stream"}, {kAclPubsub, "@pubsub"}, {kAclAdmin, "@admin"},
    {kAclFast, "@fast"}, {kAclSlow, "@slow"}, {kAclBlocking, "@blocking"},
    {kAclDangerous, "@dangerous"}, {kAclConnection, "@connection"},
    {kAclTransaction, "@transaction"}, {kAclScripting, "@scripting"}};
const std::pair<uint64_t, const char*> kKsNames[] = {
    {kKsRO, "RO"}, {kKsRW, "RW"}, {kKsOW, "OW"}, {kKsRM, "RM"},
    {kKsAccess, "access"}, {kKsUpdate, "update"}, {kKsInsert, "insert"},
    {kKsDelete, "delete"}, {kKsNotKey, "not_key"},
    {kKsIncomplete, "incomplete"}, {kKsVariableFlags, "variable_flags"}};

template <size_t N>
std::string Names(uint64_t bits, const std::pair<uint64_t, const char*> (&t)[N]) {
  std::string out;
  for (const auto& [bit, name] : t) {
    if (bits & bit) {
      if (!out.empty()) out += ',';
      out += name;
      bits &= ~bit;
    }
  }
  if (bits) out += out.empty() ? "UNKNOWN" : ",UNKNOWN";
  return out.empty() ? "-" : out;
}

}  // namespace

int main() {
  std::printf("N %zu\n", kCommandMetaCount);
  for (size_t i = 0; i < kCommandMetaCount; ++i) {
    const CommandMeta& m = kCommandMeta[i];
    std::printf("E %s %s %d %d %d %d %d %d %s %s %zu %zu %zu %zu\n", m.name,
                m.parent ? m.parent : "-", m.arity, m.first_key, m.last_key,
                m.key_step, m.num_key_specs, m.docs_pairs,
                Names(m.flags, kFlagNames).c_str(),
                Names(m.acl_categories, kAclNames).c_str(),
                m.info_resp2.size(), m.info_resp3.size(), m.docs_resp2.size(),
                m.docs_resp3.size());
    for (int k = 0; k < m.num_key_specs; ++k) {
      const KeySpecMeta& s = m.key_specs[k];
      std::printf("K %s %d %d %s %d %d %d %d %d %d %d %d\n",
                  Names(s.flags, kKsNames).c_str(), s.bs_type, s.bs_index,
                  s.bs_keyword ? s.bs_keyword : "-", s.bs_startfrom, s.fk_type,
                  s.fk_lastkey, s.fk_keystep, s.fk_limit, s.fk_keynumidx,
                  s.fk_firstkey, s.fk_keystep_num);
    }
    for (std::string_view v :
         {m.info_resp2, m.info_resp3, m.docs_resp2, m.docs_resp3}) {
      std::fwrite(v.data(), 1, v.size(), stdout);
    }
  }
  return 0;
}
'''


class Meta:
  pass


def build_and_dump(workdir):
  src = os.path.join(workdir, 'dump.cc')
  exe = os.path.join(workdir, 'dump')
  with open(src, 'w') as f:
    f.write(DUMPER_CC)
  subprocess.run(['g++', '-std=c++20', '-Wall', '-Wextra', '-Werror', '-O0',
                  '-I', os.path.join(REPO_ROOT, 'src'), src, TABLE_CC,
                  '-o', exe], check=True)
  data = subprocess.run([exe], check=True, stdout=subprocess.PIPE).stdout
  pos = 0

  def line():
    nonlocal pos
    i = data.index(b'\n', pos)
    out = data[pos:i].decode()
    pos = i + 1
    return out

  count = int(line().split()[1])
  table = []
  for _ in range(count):
    f = line().split(' ')
    m = Meta()
    m.name, m.parent = f[1], (None if f[2] == '-' else f[2])
    (m.arity, m.first, m.last, m.step, nks, m.docs_pairs) = map(int, f[3:9])
    m.flags = set() if f[9] == '-' else set(f[9].split(','))
    m.acl = set() if f[10] == '-' else set(f[10].split(','))
    lens = list(map(int, f[11:15]))
    m.key_specs = []
    for _ in range(nks):
      k = line().split(' ')
      m.key_specs.append((set() if k[1] == '-' else set(k[1].split(',')),
                          int(k[2]), int(k[3]), None if k[4] == '-' else k[4],
                          int(k[5]), int(k[6])) + tuple(map(int, k[7:13])))
    chunks = []
    for n in lens:
      chunks.append(data[pos:pos + n])
      pos += n
    m.info = {'resp2': chunks[0], 'resp3': chunks[1]}
    m.docs = {'resp2': chunks[2], 'resp3': chunks[3]}
    m.full = m.name if m.parent is None else m.parent + '|' + m.name
    table.append(m)
  if pos != len(data):
    raise gen.GenError('trailing bytes in dump')
  return table


# ---- The reassembly rule (mirror of what the server does). ----------------

def empty_subcommands(proto):
  # Redis replies addReplySetLen(c, 0) when a command has no subcommands:
  # '~0' in RESP3, '*0' in RESP2.
  return b'*0\r\n' if proto == 'resp2' else b'~0\r\n'


def bulk(s):
  s = s.encode() if isinstance(s, str) else s
  return b'$%d\r\n%s\r\n' % (len(s), s)


def info_entry(m, subs, proto):
  out = b'*10\r\n' + m.info[proto]
  if m.parent is None and subs is not None:
    out += b'*%d\r\n' % len(subs)
    out += b''.join(info_entry(s, None, proto) for s in subs)
  else:
    out += empty_subcommands(proto)
  return out


def map_header(n, proto):
  return b'*%d\r\n' % (2 * n) if proto == 'resp2' else b'%%%d\r\n' % n


def docs_value(m, subs, proto):
  has_subs = m.parent is None and subs is not None
  out = map_header(m.docs_pairs + (1 if has_subs else 0), proto)
  out += m.docs[proto]
  if has_subs:
    out += bulk('subcommands') + map_header(len(subs), proto)
    for s in subs:
      out += bulk(s.full) + docs_value(s, None, proto)
  return out


# ---- Comparison. ------------------------------------------------------------

class Checker:
  """Compares one server with the part of the table its mode keeps.
  mode_flags(full) gives the SENTINEL / ONLY_SENTINEL flags expected."""

  def __init__(self, table, mode_flags):
    self.mode_flags = mode_flags
    self.by_full = {m.full: m for m in table}
    self.subs_of = {}
    for m in table:
      if m.parent is not None:
        self.subs_of.setdefault(m.parent, []).append(m)
    self.failures = 0
    self.checks = 0

  def fail(self, what, want, got):
    self.failures += 1
    i = next((j for j in range(min(len(want), len(got)))
              if want[j] != got[j]), min(len(want), len(got)))
    print('MISMATCH %s at byte %d\n  real: %r\n  ours: %r' %
          (what, i, want[max(0, i - 40):i + 60], got[max(0, i - 40):i + 60]))

  def same(self, what, want, got):
    self.checks += 1
    if want != got:
      self.fail(what, want, got)
      return False
    return True

  def ordered_subs(self, full, real_names):
    """Our subcommands of `full` in the order the real reply listed them,
    after checking the two sets are equal."""
    ours = {s.full: s for s in self.subs_of.get(full, [])}
    self.checks += 1
    if set(real_names) != set(ours):
      self.failures += 1
      print('MISMATCH subcommand set of %s: real-only %s ours-only %s' %
            (full, sorted(set(real_names) - set(ours)),
             sorted(set(ours) - set(real_names))))
      return None
    return [ours[n] for n in real_names]

  def info_subnames(self, entry):
    return [s.children[0].text() for s in entry.children[9].children]

  def check_meta(self, full, entry, proto):
    """Metadata in the table vs one real COMMAND INFO entry."""
    m = self.by_full[full]
    c = entry.children
    flags = {f.text() for f in c[2].children}
    if full in gen.PROTECTED_COMMANDS:
      flags.add('PROTECTED')
    if full in gen.MAY_REPLICATE_COMMANDS:
      flags.add('may_replicate')
    flags |= self.mode_flags(full)
    want = (c[1].value, flags, c[3].value, c[4].value, c[5].value,
            {a.text() for a in c[6].children})
    got = (m.arity, m.flags, m.first, m.last, m.step, m.acl)
    self.checks += 1
    if want != got:
      self.failures += 1
      print('MISMATCH metadata of %s (%s): real %r ours %r' %
            (full, proto, want, got))
    specs = []
    for k in c[8].children:
      ks = gen.parse_key_spec(k)
      bs_types = ['kBsUnknown', 'kBsIndex', 'kBsKeyword']
      fk_types = ['kFkUnknown', 'kFkRange', 'kFkKeynum']
      flag_names = {n for n, e in gen.KEYSPEC_FLAGS.items()
                    if e in ks['flags']}
      bs, fk = ks['bs'], ks['fk']
      specs.append((flag_names, bs_types.index(bs[0]), bs[1], bs[2], bs[3],
                    fk_types.index(fk[0])) + tuple(fk[1:]))
    self.checks += 1
    if specs != m.key_specs:
      self.failures += 1
      print('MISMATCH key specs of %s: real %r ours %r' %
            (full, specs, m.key_specs))

  def check_command(self, conn, proto, full):
    m = self.by_full.get(full)
    if m is None:
      self.failures += 1
      print('MISSING %s in table' % full)
      return
    # COMMAND INFO <full>
    reply = conn.call('COMMAND', 'INFO', full)
    real = conn.span(reply)
    entry = reply.children[0]
    self.check_meta(full, entry, proto)
    subs = None
    if m.parent is None and self.subs_of.get(full):
      subs = self.ordered_subs(full, self.info_subnames(entry))
      if subs is None:
        return
      for s in entry.children[9].children:
        self.check_meta(s.children[0].text(), s, proto)
    self.same('COMMAND INFO %s (%s)' % (full, proto), real,
              b'*1\r\n' + info_entry(m, subs, proto))
    # COMMAND DOCS <full>
    reply = conn.call('COMMAND', 'DOCS', full)
    real = conn.span(reply)
    if subs is not None:
      d = dict((k.text(), v) for k, v in reply.children[1].pairs())
      names = [k.text() for k, _ in d['subcommands'].pairs()]
      subs = self.ordered_subs(full, names)
      if subs is None:
        return
    ours = ((b'*2\r\n' if proto == 'resp2' else b'%1\r\n') + bulk(full) +
            docs_value(m, subs, proto))
    self.same('COMMAND DOCS %s (%s)' % (full, proto), real, ours)

  def check_full_replies(self, conn, proto):
    top = [m for m in self.by_full.values() if m.parent is None]
    # COMMAND COUNT
    reply = conn.call('COMMAND', 'COUNT')
    self.checks += 1
    if reply.value != len(top):
      self.failures += 1
      print('MISMATCH COMMAND COUNT: real %r ours %d' % (reply.value, len(top)))
    # COMMAND (all entries, dict order)
    reply = conn.call('COMMAND')
    real = conn.span(reply)
    names = [e.children[0].text() for e in reply.children]
    ordered = []
    for e in reply.children:
      m = self.by_full.get(e.children[0].text())
      if m is None:
        self.failures += 1
        print('MISSING %s in table' % e.children[0].text())
        return
      subs = None
      if e.children[9].children:
        subs = self.ordered_subs(m.full, self.info_subnames(e))
        if subs is None:
          return
      ordered.append(info_entry(m, subs, proto))
    self.checks += 1
    if set(names) != {m.full for m in top}:
      self.failures += 1
      print('MISMATCH top-level command set')
    self.same('COMMAND (%s)' % proto, real,
              b'*%d\r\n' % len(ordered) + b''.join(ordered))
    # COMMAND DOCS (all)
    reply = conn.call('COMMAND', 'DOCS')
    real = conn.span(reply)
    parts = []
    for k, v in reply.pairs():
      m = self.by_full[k.text()]
      subs = None
      d = dict((kk.text(), vv) for kk, vv in v.pairs())
      if 'subcommands' in d:
        subs = self.ordered_subs(
            m.full, [kk.text() for kk, _ in d['subcommands'].pairs()])
        if subs is None:
          return
      parts.append(bulk(m.full) + docs_value(m, subs, proto))
    self.same('COMMAND DOCS (%s)' % proto, real,
              map_header(len(parts), proto) + b''.join(parts))


def run_checks(checker, port, names):
  for proto in ('resp2', 'resp3'):
    conn = gen.Conn(port, resp3=(proto == 'resp3'))
    for name in names:
      checker.check_command(conn, proto, name)
      for s in checker.subs_of.get(name, []):
        checker.check_command(conn, proto, s.full)
    checker.check_full_replies(conn, proto)
    conn.close()


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--port', type=int)
  ap.add_argument('--sentinel-port', type=int)
  ap.add_argument('--server', default='/usr/bin/redis-server')
  ap.add_argument('--all', action='store_true',
                  help='check every command and subcommand individually')
  args = ap.parse_args()
  with tempfile.TemporaryDirectory(prefix='vireo-check-') as workdir:
    table = build_and_dump(workdir)
  # The table as each mode of CommandTable::ApplyMode keeps it.
  plain_table = [m for m in table if 'ONLY_SENTINEL' not in m.flags]
  sentinel_table = [m for m in table if 'SENTINEL' in m.flags]
  servers = []
  try:
    if args.port is None:
      servers.append(gen.ReferenceServer(args.server))
      port = servers[-1].port
    else:
      port = args.port
    if args.sentinel_port is None:
      servers.append(gen.ReferenceServer(args.server, sentinel=True))
      sentinel_port = servers[-1].port
    else:
      sentinel_port = args.sentinel_port
    plain_names = gen.command_list(port)
    sentinel_names = gen.command_list(sentinel_port)

    def mode_flags(full):
      return (({'SENTINEL'} if full in sentinel_names else set()) |
              (set() if full in plain_names else {'ONLY_SENTINEL'}))

    plain = Checker(plain_table, mode_flags)
    top = sorted(m.full for m in plain_table if m.parent is None)
    run_checks(plain, port, top if args.all else DEFAULT_COMMANDS)
    sentinel = Checker(sentinel_table, mode_flags)
    sentinel_top = sorted(m.full for m in sentinel_table if m.parent is None)
    run_checks(sentinel, sentinel_port, sentinel_top)
  finally:
    for s in servers:
      s.stop()
  for what, part, checker in (('plain', plain_table, plain),
                              ('sentinel', sentinel_table, sentinel)):
    ntop = sum(1 for m in part if m.parent is None)
    print('%s mode: %d top-level commands, %d subcommands; '
          '%d checks, %d failures' % (what, ntop, len(part) - ntop,
                                      checker.checks, checker.failures))
  failures = plain.failures + sentinel.failures
  print('table: %d entries; %d failures in all' % (len(table), failures))
  return 1 if failures else 0


if __name__ == '__main__':
  sys.exit(main())
