#!/usr/bin/python3
"""Generates src/server/command_table_data.cc from a reference redis-server.

Why: Vireo advertises commands (COMMAND, COMMAND INFO, COMMAND DOCS, ...) with
exactly the bytes redis-server 7.0.15 sends, in RESP2 and RESP3. Rather than
hand-writing ~370 entries, we ask the real server and keep its raw reply
bytes, split per command so the server can re-assemble replies containing only
the commands / subcommands it implements (see src/server/command_meta.h).

Usage (always with /usr/bin/python3):
  /usr/bin/python3 tools/gen_command_table.py            # starts its own server
  /usr/bin/python3 tools/gen_command_table.py --port 6379  # use a running one
Options: --server PATH (default /usr/bin/redis-server), --out FILE.

The RESP parsing is done here on raw socket bytes (not redis-py), because we
need the exact byte span of every element.

Sentinel mode: a second reference, `redis-server <tmp>/sentinel.conf
--sentinel`, tells which commands exist in sentinel mode (its COMMAND LIST,
subcommands included) and describes the sentinel-only SENTINEL container and
its subcommands. Why: Redis 7.0's populateCommandStructure drops a command or
subcommand without CMD_SENTINEL in sentinel mode and one with
CMD_ONLY_SENTINEL otherwise; COMMAND INFO shows neither flag, so we derive
them: kCmdSentinel = listed by the sentinel, kCmdOnlySentinel = unknown to
the plain server. The entries both servers know are kept from the plain
server; the generator warns if the sentinel's bytes for one of them differ
(in 7.0.15 they are identical apart from the dict order of subcommands).
--sentinel-port N uses a running sentinel instead of starting one.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, 'src', 'server', 'command_table_data.cc')
EXPECTED_VERSION = '7.0.15'

# COMMAND INFO flag name -> CmdFlag enumerator (src/server/command_meta.h).
CMD_FLAGS = {
    'write': 'kCmdWrite',
    'readonly': 'kCmdReadonly',
    'denyoom': 'kCmdDenyOom',
    'module': 'kCmdModule',
    'admin': 'kCmdAdmin',
    'pubsub': 'kCmdPubsub',
    'noscript': 'kCmdNoscript',
    'blocking': 'kCmdBlocking',
    'loading': 'kCmdLoading',
    'stale': 'kCmdStale',
    'skip_monitor': 'kCmdSkipMonitor',
    'skip_slowlog': 'kCmdSkipSlowlog',
    'asking': 'kCmdAsking',
    'fast': 'kCmdFast',
    'no_auth': 'kCmdNoAuth',
    'may_replicate': 'kCmdMayReplicate',
    'no_mandatory_keys': 'kCmdNoMandatoryKeys',
    'no_multi': 'kCmdNoMulti',
    'movablekeys': 'kCmdMovableKeys',
    'allow_busy': 'kCmdAllowBusy',
    'no_async_loading': 'kCmdNoAsyncLoading',
}
CMD_FLAG_ORDER = list(CMD_FLAGS.values()) + ['kCmdProtected', 'kCmdSentinel',
                                             'kCmdOnlySentinel']

# Redis marks these CMD_PROTECTED (enable-debug-command / enable-module-command);
# COMMAND INFO does not show the flag, so it is added from this fixed list.
# In 7.0.15 the MODULE container itself is not protected: MODULE LIST and
# MODULE HELP run with enable-module-command=no, only LOAD/LOADEX/UNLOAD fail.
PROTECTED_COMMANDS = {'debug', 'module|load', 'module|loadex', 'module|unload'}

# Redis marks these CMD_MAY_REPLICATE (src/commands/*.json) but COMMAND INFO
# hides the flag ("Hidden on purpose" in server.c), so it is added from this
# fixed list. CLIENT PAUSE WRITE holds them and MONITOR clients may not run
# them, as write commands.
MAY_REPLICATE_COMMANDS = {'eval', 'evalsha', 'fcall', 'pfcount', 'publish', 'spublish'}

ACL_CATEGORIES = {
    '@keyspace': 'kAclKeyspace',
    '@read': 'kAclRead',
    '@write': 'kAclWrite',
    '@set': 'kAclSet',
    '@sortedset': 'kAclSortedset',
    '@list': 'kAclList',
    '@hash': 'kAclHash',
    '@string': 'kAclString',
    '@bitmap': 'kAclBitmap',
    '@hyperloglog': 'kAclHyperloglog',
    '@geo': 'kAclGeo',
    '@stream': 'kAclStream',
    '@pubsub': 'kAclPubsub',
    '@admin': 'kAclAdmin',
    '@fast': 'kAclFast',
    '@slow': 'kAclSlow',
    '@blocking': 'kAclBlocking',
    '@dangerous': 'kAclDangerous',
    '@connection': 'kAclConnection',
    '@transaction': 'kAclTransaction',
    '@scripting': 'kAclScripting',
}
ACL_ORDER = list(ACL_CATEGORIES.values())

KEYSPEC_FLAGS = {
    'RO': 'kKsRO',
    'RW': 'kKsRW',
    'OW': 'kKsOW',
    'RM': 'kKsRM',
    'access': 'kKsAccess',
    'update': 'kKsUpdate',
    'insert': 'kKsInsert',
    'delete': 'kKsDelete',
    'not_key': 'kKsNotKey',
    'incomplete': 'kKsIncomplete',
    'variable_flags': 'kKsVariableFlags',
}
KEYSPEC_ORDER = list(KEYSPEC_FLAGS.values())


class GenError(Exception):
  pass


# --------------------------------------------------------------------------
# RESP parsing with byte spans.
# --------------------------------------------------------------------------

class Node:
  """One RESP element: its type byte, [start, end) span in the buffer, and
  either a scalar value or a list of children (maps are flat k, v, k, v)."""
  __slots__ = ('kind', 'start', 'end', 'value', 'children')

  def __init__(self, kind, start):
    self.kind = kind
    self.start = start
    self.end = start
    self.value = None
    self.children = None

  def is_null(self):
    return self.kind == '_' or (self.kind in '$*' and self.value == -1)

  def text(self):
    if self.kind not in '+$-':
      raise GenError('expected a string element, got %r' % self.kind)
    return self.value.decode()

  def pairs(self):
    """Key/value pairs of a map (RESP3 '%') or a flat array (RESP2 '*')."""
    if self.kind not in '%*' or len(self.children) % 2:
      raise GenError('expected a map, got %r' % self.kind)
    c = self.children
    return [(c[i], c[i + 1]) for i in range(0, len(c), 2)]

  def as_dict(self):
    return {k.text(): v for k, v in self.pairs()}


class RespReader:
  """Reads RESP2/RESP3 replies from a socket, keeping every byte received in
  self.buf so that element spans index into it."""

  def __init__(self, sock):
    self.sock = sock
    self.buf = bytearray()
    self.pos = 0

  def _fill(self):
    chunk = self.sock.recv(1 << 20)
    if not chunk:
      raise GenError('connection closed by server')
    self.buf += chunk

  def _line(self):
    while True:
      i = self.buf.find(b'\r\n', self.pos)
      if i >= 0:
        line = bytes(self.buf[self.pos:i])
        self.pos = i + 2
        return line
      self._fill()

  def _exact(self, n):
    while len(self.buf) < self.pos + n + 2:
      self._fill()
    data = bytes(self.buf[self.pos:self.pos + n])
    if self.buf[self.pos + n:self.pos + n + 2] != b'\r\n':
      raise GenError('bulk string not terminated by CRLF')
    self.pos += n + 2
    return data

  def read(self):
    start = self.pos
    line = self._line()
    if not line:
      raise GenError('empty RESP line')
    kind = chr(line[0])
    rest = line[1:]
    node = Node(kind, start)
    if kind in '+-,#(':
      node.value = rest
    elif kind == ':':
      node.value = int(rest)
    elif kind == '_':
      pass
    elif kind in '$!=':
      n = int(rest)
      node.value = -1 if n < 0 else self._exact(n)
    elif kind in '*~>%':
      n = int(rest)
      if n < 0:
        node.value = -1
      else:
        if kind == '%':
          n *= 2
        node.children = [self.read() for _ in range(n)]
    elif kind == '|':
      raise GenError('RESP3 attributes are not expected here')
    else:
      raise GenError('unknown RESP type byte %r' % kind)
    node.end = self.pos
    return node

  def span(self, node):
    return bytes(self.buf[node.start:node.end])


def encode_command(*args):
  out = [b'*%d\r\n' % len(args)]
  for a in args:
    if isinstance(a, str):
      a = a.encode()
    out.append(b'$%d\r\n%s\r\n' % (len(a), a))
  return b''.join(out)


class Conn:

  def __init__(self, port, resp3):
    self.sock = socket.create_connection(('127.0.0.1', port), timeout=30)
    self.reader = RespReader(self.sock)
    if resp3:
      reply = self.call('HELLO', '3')
      if reply.kind != '%':
        raise GenError('HELLO 3 did not answer a map')

  def call(self, *args):
    self.sock.sendall(encode_command(*args))
    reply = self.reader.read()
    if reply.kind == '-':
      raise GenError('server error: %s' % reply.value.decode())
    return reply

  def span(self, node):
    return self.reader.span(node)

  def close(self):
    self.sock.close()


# --------------------------------------------------------------------------
# Reference server management.
# --------------------------------------------------------------------------

def free_port():
  s = socket.socket()
  s.bind(('127.0.0.1', 0))
  port = s.getsockname()[1]
  s.close()
  return port


class ReferenceServer:
  """Starts redis-server in a temp dir; stop() kills exactly that PID.
  sentinel=True starts it as `redis-server <dir>/sentinel.conf --sentinel`."""

  def __init__(self, binary, sentinel=False):
    self.dir = tempfile.mkdtemp(prefix='vireo-gen-')
    self.port = free_port()
    self.log = open(os.path.join(self.dir, 'server.log'), 'wb')
    if sentinel:
      # Why: Sentinel refuses to start without a writable config file. The
      # monitored master (port 1) never answers; only the command table of
      # the process matters here.
      conf = os.path.join(self.dir, 'sentinel.conf')
      with open(conf, 'w') as f:
        f.write('port %d\nbind 127.0.0.1\ndir %s\ndaemonize no\n'
                'sentinel monitor m 127.0.0.1 1 1\n' % (self.port, self.dir))
      argv = [binary, conf, '--sentinel']
    else:
      argv = [binary, '--port', str(self.port), '--bind', '127.0.0.1',
              '--save', '', '--appendonly', 'no', '--dir', self.dir,
              '--daemonize', 'no']
    self.proc = subprocess.Popen(argv, stdout=self.log,
                                 stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while True:
      try:
        socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
        return
      except OSError:
        if self.proc.poll() is not None or time.time() > deadline:
          self.stop()
          raise GenError('reference %s did not start' %
                         ('sentinel' if sentinel else 'redis-server'))
        time.sleep(0.05)

  def stop(self):
    if self.proc.poll() is None:
      self.proc.terminate()
      try:
        self.proc.wait(timeout=10)
      except subprocess.TimeoutExpired:
        self.proc.kill()
        self.proc.wait()
    self.log.close()
    shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------
# Extraction.
# --------------------------------------------------------------------------

class Entry:

  def __init__(self, full_name, parent):
    self.full_name = full_name          # "get" or "config|get"
    self.parent = parent                # None or "config"
    self.name = full_name.split('|', 1)[-1].lower()
    self.arity = 0
    self.flags = []
    self.acl = []
    self.first = self.last = self.step = 0
    self.key_specs = []
    self.info = {}        # proto -> bytes
    self.docs = {}        # proto -> bytes
    self.docs_pairs = {}  # proto -> int
    self.subcommands = []  # full names, in server order (top-level only)


def parse_key_spec(node):
  d = node.as_dict()
  ks = {'flags': [], 'bs': ('kBsUnknown', 0, None, 0),
        'fk': ('kFkUnknown', 0, 0, 0, 0, 0, 0)}
  for f in d['flags'].children:
    name = f.text()
    if name not in KEYSPEC_FLAGS:
      raise GenError('unknown key spec flag %r' % name)
    ks['flags'].append(KEYSPEC_FLAGS[name])
  bs = d['begin_search'].as_dict()
  bs_type = bs['type'].text()
  spec = bs['spec'].as_dict()
  if bs_type == 'index':
    ks['bs'] = ('kBsIndex', spec['index'].value, None, 0)
  elif bs_type == 'keyword':
    ks['bs'] = ('kBsKeyword', 0, spec['keyword'].text(),
                spec['startfrom'].value)
  elif bs_type != 'unknown':
    raise GenError('unknown begin_search type %r' % bs_type)
  fk = d['find_keys'].as_dict()
  fk_type = fk['type'].text()
  spec = fk['spec'].as_dict()
  if fk_type == 'range':
    ks['fk'] = ('kFkRange', spec['lastkey'].value, spec['keystep'].value,
                spec['limit'].value, 0, 0, 0)
  elif fk_type == 'keynum':
    ks['fk'] = ('kFkKeynum', 0, 0, 0, spec['keynumidx'].value,
                spec['firstkey'].value, spec['keystep'].value)
  elif fk_type != 'unknown':
    raise GenError('unknown find_keys type %r' % fk_type)
  extra = set(d) - {'flags', 'begin_search', 'find_keys', 'notes'}
  if extra:
    raise GenError('unexpected key spec fields %r' % extra)
  return ks


def fill_info(entries, conn, proto, node, parent):
  """node: one 10-element COMMAND INFO entry. Records it (and, for top-level
  entries, its nested subcommands) into entries."""
  c = node.children
  if node.kind != '*' or len(c) != 10:
    raise GenError('COMMAND INFO entry is not a 10-element array')
  full = c[0].text()
  e = entries.get(full)
  if e is None:
    e = entries[full] = Entry(full, parent)
  e.info[proto] = bytes(conn.reader.buf[c[0].start:c[8].end])
  if proto == 'resp2':  # metadata is the same in both protocols
    e.arity = c[1].value
    for f in c[2].children:
      name = f.text()
      if name not in CMD_FLAGS:
        raise GenError('unknown command flag %r on %s' % (name, full))
      e.flags.append(CMD_FLAGS[name])
    if full in PROTECTED_COMMANDS:
      e.flags.append('kCmdProtected')
    if full in MAY_REPLICATE_COMMANDS:
      e.flags.append('kCmdMayReplicate')
    e.first, e.last, e.step = c[3].value, c[4].value, c[5].value
    for a in c[6].children:
      name = a.text()
      if name not in ACL_CATEGORIES:
        raise GenError('unknown ACL category %r on %s' % (name, full))
      e.acl.append(ACL_CATEGORIES[name])
    e.key_specs = [parse_key_spec(k) for k in c[8].children]
  subs = c[9].children
  if parent is not None and subs:
    raise GenError('nested subcommands under %s' % full)
  for sub in subs:
    sub_name = sub.children[0].text()
    if not sub_name.startswith(full + '|'):
      raise GenError('subcommand %s not under %s' % (sub_name, full))
    fill_info(entries, conn, proto, sub, full)
    if proto == 'resp2':
      e.subcommands.append(sub_name)


def fill_docs(entries, conn, proto, full, docs_node, parent):
  if docs_node.kind != ('*' if proto == 'resp2' else '%'):
    raise GenError('unexpected docs container %r for %s' %
                   (docs_node.kind, full))
  e = entries.get(full)
  if e is None:
    raise GenError('%s has docs but no COMMAND INFO entry' % full)
  parts = []
  pairs = 0
  subs = None
  for k, v in docs_node.pairs():
    if k.text() == 'subcommands':
      subs = v
      continue
    parts.append(bytes(conn.reader.buf[k.start:v.end]))
    pairs += 1
  e.docs[proto] = b''.join(parts)
  e.docs_pairs[proto] = pairs
  if subs is not None:
    if parent is not None:
      raise GenError('nested subcommand docs under %s' % full)
    for k, v in subs.pairs():
      fill_docs(entries, conn, proto, k.text(), v, full)


def collect(port):
  entries = {}
  for proto in ('resp2', 'resp3'):
    conn = Conn(port, resp3=(proto == 'resp3'))
    info = conn.call('INFO', 'server')
    if b'redis_version:%s\r\n' % EXPECTED_VERSION.encode() not in info.value:
      print('warning: reference server is not redis %s' % EXPECTED_VERSION,
            file=sys.stderr)
    reply = conn.call('COMMAND', 'INFO')
    for node in reply.children:
      fill_info(entries, conn, proto, node, None)
    reply = conn.call('COMMAND', 'DOCS')
    for k, v in reply.pairs():
      fill_docs(entries, conn, proto, k.text(), v, None)
    conn.close()
  for e in entries.values():
    for proto in ('resp2', 'resp3'):
      if proto not in e.info or proto not in e.docs:
        raise GenError('%s lacks %s info or docs' % (e.full_name, proto))
    if e.docs_pairs['resp2'] != e.docs_pairs['resp3']:
      raise GenError('%s: docs pair count differs by protocol' % e.full_name)
  return entries


def command_list(port):
  """COMMAND LIST of the server on port: full names, subcommands included."""
  conn = Conn(port, resp3=False)
  names = {n.text() for n in conn.call('COMMAND', 'LIST').children}
  conn.close()
  return names


def describe_difference(a, b):
  """Names of the fields where two entries of the same command differ;
  subcommands are compared as sets (they come in dict order)."""
  out = [f for f in ('arity', 'flags', 'acl', 'first', 'last', 'step',
                     'key_specs', 'info', 'docs', 'docs_pairs')
         if getattr(a, f) != getattr(b, f)]
  if set(a.subcommands) != set(b.subcommands):
    out.append('subcommands')
  return out


def merge_sentinel(entries, sentinel_entries, sentinel_names):
  """Adds the sentinel-mode flags to entries (from the plain server) and the
  entries only the sentinel knows. Returns warnings for shared entries whose
  sentinel metadata differs (the plain server's is kept)."""
  warnings = []
  plain = set(entries)
  for full in sorted(sentinel_names):
    if full not in sentinel_entries:
      raise GenError('sentinel lists %s but has no COMMAND INFO for it' % full)
  for full, se in sorted(sentinel_entries.items()):
    if full not in sentinel_names:
      raise GenError('sentinel describes %s but does not list it' % full)
    e = entries.get(full)
    if e is None:
      # Why: CMD_SENTINEL|CMD_ONLY_SENTINEL, like SENTINEL and its
      # subcommands in Redis's commands.c.
      if se.parent is not None and se.parent in plain:
        raise GenError('sentinel-only %s under a shared container' % full)
      se.flags += ['kCmdSentinel', 'kCmdOnlySentinel']
      entries[full] = se
      continue
    diff = describe_difference(e, se)
    if diff:
      warnings.append('%s differs in sentinel mode (%s); kept the plain one' %
                      (full, ', '.join(diff)))
    e.flags.append('kCmdSentinel')
  return warnings


# --------------------------------------------------------------------------
# C++ emission.
# --------------------------------------------------------------------------

def escape_byte(b):
  if b == 0x22:
    return '\\"'
  if b == 0x5c:
    return '\\\\'
  if b == 0x3f:
    return '\\?'  # never form a trigraph
  if b == 0x0d:
    return '\\r'
  if b == 0x0a:
    return '\\n'
  if b == 0x09:
    return '\\t'
  if 0x20 <= b < 0x7f:
    return chr(b)
  return '\\%03o' % b  # octal escapes stop after 3 digits, unlike \x


def cxx_literal_lines(data, indent, width=79):
  """Adjacent string literals, one RESP line per literal where it fits."""
  avail = width - indent - 2
  lines = []
  cur = ''
  for i, b in enumerate(data):
    esc = escape_byte(b)
    if len(cur) + len(esc) > avail:
      lines.append(cur)
      cur = ''
    cur += esc
    # Break after CRLF unless the next RESP line would still fit.
    if b == 0x0a and i > 0 and data[i - 1] == 0x0d:
      nxt = data.find(b'\r\n', i + 1)
      nxt_len = sum(len(escape_byte(x)) for x in data[i + 1:nxt + 2]) \
          if nxt >= 0 else 0
      if len(cur) + nxt_len > avail:
        lines.append(cur)
        cur = ''
  if cur or not lines:
    lines.append(cur)
  pad = ' ' * indent
  return [pad + '"' + l + '"' for l in lines]


def string_view_expr(data, indent):
  lines = cxx_literal_lines(data, indent + 2)
  return ('std::string_view(\n' + '\n'.join(lines) + ',\n' + ' ' * (indent + 2)
          + '%d)' % len(data))


def bits_expr(names, order, indent=5, width=80):
  names = [n for n in order if n in set(names)]
  if not names:
    return '0'
  lines = [names[0]]
  for n in names[1:]:
    if indent + len(lines[-1]) + len(' | ' + n) + 1 > width:
      lines.append('| ' + n)
    else:
      lines[-1] += ' | ' + n
  return ('\n' + ' ' * (indent + 1)).join(lines)


def cstr(s):
  return 'nullptr' if s is None else '"' + ''.join(
      escape_byte(b) for b in s.encode()) + '"'


def sort_key(e):
  return (e.parent or '', e.name)


def emit(entries, out_path):
  ordered = sorted(entries.values(), key=sort_key)
  o = []
  o.append('// Command metadata of redis-server %s: arity, flags, ACL '
           'categories, key' % EXPECTED_VERSION)
  o.append('// specs and the exact COMMAND INFO / COMMAND DOCS reply bytes '
           '(RESP2 and')
  o.append('// RESP3) of every command and subcommand. See command_meta.h.')
  o.append('//')
  o.append('// GENERATED by tools/gen_command_table.py -- do not edit by hand.')
  o.append('// Regenerate: /usr/bin/python3 tools/gen_command_table.py')
  o.append('// kCmdSentinel / kCmdOnlySentinel come from redis-server --sentinel.')
  o.append('')
  o.append('#include <cstddef>')
  o.append('#include <string_view>')
  o.append('')
  o.append('#include "server/command_meta.h"')
  o.append('')
  o.append('namespace vireo::server {')
  o.append('namespace {')
  o.append('')
  o.append('using KS = KeySpecMeta;')
  o.append('')
  spec_names = {}
  for idx, e in enumerate(ordered):
    if not e.key_specs:
      continue
    var = 'kKeySpecs%d' % idx
    spec_names[e.full_name] = var
    o.append('// %s' % e.full_name)
    o.append('constexpr KeySpecMeta %s[] = {' % var)
    for ks in e.key_specs:
      bs = ks['bs']
      fk = ks['fk']
      o.append('    {%s,' % bits_expr(ks['flags'], KEYSPEC_ORDER))
      o.append('     KS::%s, %d, %s, %d,' % (bs[0], bs[1], cstr(bs[2]), bs[3]))
      o.append('     KS::%s, %d, %d, %d, %d, %d, %d},' % fk)
    o.append('};')
    o.append('')
  o.append('}  // namespace')
  o.append('')
  o.append('const CommandMeta kCommandMeta[] = {')
  for e in ordered:
    o.append('    // %s' % e.full_name)
    o.append('    {%s, %s, %d,' % (cstr(e.name), cstr(e.parent), e.arity))
    o.append('     %s,' % bits_expr(e.flags, CMD_FLAG_ORDER))
    o.append('     %s,' % bits_expr(e.acl, ACL_ORDER))
    o.append('     %d, %d, %d, %s, %d,' % (
        e.first, e.last, e.step, spec_names.get(e.full_name, 'nullptr'),
        len(e.key_specs)))
    for field in ('info_resp2', 'info_resp3', 'docs_resp2', 'docs_resp3'):
      kind, proto = field.split('_')
      data = (e.info if kind == 'info' else e.docs)[proto]
      o.append('     // %s' % field)
      o.append('     ' + string_view_expr(data, 5) + ',')
    o.append('     %d},' % e.docs_pairs['resp2'])
  o.append('};')
  o.append('')
  o.append('const size_t kCommandMetaCount = '
           'sizeof(kCommandMeta) / sizeof(kCommandMeta[0]);')
  o.append('')
  o.append('}  // namespace vireo::server')
  o.append('')
  text = '\n'.join(o)
  tmp = out_path + '.tmp'
  with open(tmp, 'w') as f:
    f.write(text)
  os.replace(tmp, out_path)
  return len(text.encode())


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--port', type=int,
                  help='use a running redis-server on 127.0.0.1:PORT')
  ap.add_argument('--sentinel-port', type=int,
                  help='use a running redis-server --sentinel on 127.0.0.1:N')
  ap.add_argument('--server', default='/usr/bin/redis-server')
  ap.add_argument('--out', default=DEFAULT_OUT)
  args = ap.parse_args()
  servers = []
  try:
    if args.port is None:
      servers.append(ReferenceServer(args.server))
      port = servers[-1].port
    else:
      port = args.port
    if args.sentinel_port is None:
      servers.append(ReferenceServer(args.server, sentinel=True))
      sentinel_port = servers[-1].port
    else:
      sentinel_port = args.sentinel_port
    entries = collect(port)
    sentinel_entries = collect(sentinel_port)
    sentinel_names = command_list(sentinel_port)
  finally:
    for s in servers:
      s.stop()
  for w in merge_sentinel(entries, sentinel_entries, sentinel_names):
    print('warning: %s' % w, file=sys.stderr)
  size = emit(entries, args.out)
  top = sum(1 for e in entries.values() if e.parent is None)
  sub = len(entries) - top
  in_sentinel = sum(1 for e in entries.values()
                    if e.parent is None and 'kCmdSentinel' in e.flags)
  only = sum(1 for e in entries.values() if 'kCmdOnlySentinel' in e.flags)
  print('%s: %d top-level commands, %d subcommands, %d entries, %d bytes; '
        '%d top-level commands in sentinel mode, %d sentinel-only entries' %
        (args.out, top, sub, len(entries), size, in_sentinel, only))


if __name__ == '__main__':
  try:
    main()
  except GenError as err:
    print('gen_command_table: %s' % err, file=sys.stderr)
    sys.exit(1)
