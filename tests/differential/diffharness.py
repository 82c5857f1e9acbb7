"""Differential test harness: run a corpus file against two servers, compare replies.

Side A is the server under test (Vireo), side B the reference redis-server.
See README.md in this directory for the corpus format.
"""
import os
import re
import selectors
import socket
import time

CORPUS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

REPLY_TIMEOUT = 10.0     # seconds to wait for one ordinary reply
RAW_QUIET = 0.05         # !raw: silence after a complete reply that ends reading
RAW_FIRST_TIMEOUT = 0.3  # !raw: how long to wait when no complete reply arrives at all
RAW_SETTLE_LIMIT = 2.0   # !raw: how long to keep reading while the two sides disagree
NOREPLY_WAIT = 0.15      # !noreply: how long to watch for an unexpected reply
MAX_MISMATCHES = 500     # stop a file after this many mismatches


# ---------------------------------------------------------------------------
# sdssplitargs
# ---------------------------------------------------------------------------

_C_ISSPACE = b" \t\n\v\f\r"
_HEX = b"0123456789abcdefABCDEF"


def split_args(line):
    """Split a line exactly like Redis's sdssplitargs (the redis-cli / inline parser).

    Accepts bytes or str; returns a list of bytes. Raises ValueError on
    unbalanced quotes (sdssplitargs returns NULL there).
    """
    if isinstance(line, str):
        line = line.encode("utf-8")
    # sdssplitargs works on a C string: stop at the first NUL.
    nul = line.find(b"\0")
    if nul >= 0:
        line = line[:nul]
    n = len(line)

    def ch(i):
        return line[i] if i < n else 0

    args = []
    p = 0
    while True:
        while p < n and line[p] in _C_ISSPACE:
            p += 1
        if p >= n:
            return args
        inq = insq = done = False
        cur = bytearray()
        while not done:
            c = ch(p)
            if inq:
                if c == 0x5C and ch(p + 1) == ord("x") and ch(p + 2) and ch(p + 2) in _HEX \
                        and ch(p + 3) and ch(p + 3) in _HEX:
                    cur.append(int(bytes([ch(p + 2), ch(p + 3)]), 16))
                    p += 3
                elif c == 0x5C and ch(p + 1):
                    p += 1
                    e = ch(p)
                    cur.append({ord("n"): 10, ord("r"): 13, ord("t"): 9,
                                ord("b"): 8, ord("a"): 7}.get(e, e))
                elif c == ord('"'):
                    if ch(p + 1) and ch(p + 1) not in _C_ISSPACE:
                        raise ValueError("closing quote must be followed by a space")
                    done = True
                elif c == 0:
                    raise ValueError("unbalanced double quotes")
                else:
                    cur.append(c)
            elif insq:
                if c == 0x5C and ch(p + 1) == ord("'"):
                    p += 1
                    cur.append(ord("'"))
                elif c == ord("'"):
                    if ch(p + 1) and ch(p + 1) not in _C_ISSPACE:
                        raise ValueError("closing quote must be followed by a space")
                    done = True
                elif c == 0:
                    raise ValueError("unbalanced single quotes")
                else:
                    cur.append(c)
            else:
                if c in (0x20, 0x0A, 0x0D, 0x09, 0):
                    done = True
                elif c == ord('"'):
                    inq = True
                elif c == ord("'"):
                    insq = True
                else:
                    cur.append(c)
            if ch(p):
                p += 1
        args.append(bytes(cur))


def encode_command(args):
    """RESP multibulk encoding of a list of bytes arguments."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


# ---------------------------------------------------------------------------
# RESP2 / RESP3 parsing
# ---------------------------------------------------------------------------

class Incomplete(Exception):
    pass


class BadReply(Exception):
    pass


class Node:
    """One parsed reply. t: type byte as str ('+', '$', '*', '%', ...).

    payload: bytes for scalars (None for nulls), children: list for aggregates
    (maps/attributes hold key, value, key, value...), raw: exact bytes.
    """
    __slots__ = ("t", "payload", "children", "raw", "null", "attrib")

    def __init__(self, t, raw, payload=None, children=None, null=False, attrib=None):
        self.t, self.raw, self.payload, self.children = t, raw, payload, children
        self.null, self.attrib = null, attrib

    def is_aggregate(self):
        return self.children is not None

    def __repr__(self):
        return "Node(%r)" % (self.raw,)


_LINE_TYPES = set(b"+-:_,#(")
_BULK_TYPES = set(b"$!=")
_AGG_TYPES = set(b"*~>")
_MAP_TYPES = set(b"%|")


def _read_line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return bytes(buf[pos:end]), end + 2


def parse_reply(buf, pos=0):
    """Parse one complete reply from buf at pos. Returns (node, end_pos).

    Raises Incomplete if more bytes are needed, BadReply if malformed.
    """
    if pos >= len(buf):
        raise Incomplete()
    start = pos
    t = buf[pos]
    if t in _LINE_TYPES:
        line, end = _read_line(buf, pos + 1)
        if t == ord("_"):
            return Node("_", bytes(buf[start:end]), null=True), end
        return Node(chr(t), bytes(buf[start:end]), payload=line), end
    if t in _BULK_TYPES:
        line, p = _read_line(buf, pos + 1)
        try:
            ln = int(line)
        except ValueError:
            raise BadReply("bad bulk length %r" % line)
        if ln < 0:
            return Node(chr(t), bytes(buf[start:p]), null=True), p
        if len(buf) < p + ln + 2:
            raise Incomplete()
        if buf[p + ln:p + ln + 2] != b"\r\n":
            raise BadReply("bulk not terminated by CRLF")
        end = p + ln + 2
        return Node(chr(t), bytes(buf[start:end]), payload=bytes(buf[p:p + ln])), end
    if t in _AGG_TYPES or t in _MAP_TYPES:
        line, p = _read_line(buf, pos + 1)
        try:
            cnt = int(line)
        except ValueError:
            raise BadReply("bad aggregate length %r" % line)
        if cnt < 0:
            return Node(chr(t), bytes(buf[start:p]), children=[], null=True), p
        if t in _MAP_TYPES:
            cnt *= 2
        children = []
        for _ in range(cnt):
            child, p = parse_reply(buf, p)
            children.append(child)
        if t == ord("|"):
            # An attribute precedes the real reply: both together are one reply.
            real, p = parse_reply(buf, p)
            real.attrib = children
            real.raw = bytes(buf[start:p])
            return real, p
        return Node(chr(t), bytes(buf[start:p]), children=children), p
    raise BadReply("unknown reply type byte %r at offset %d" % (bytes([t]), pos))


def split_replies(data):
    """All complete replies in data; returns (list of raw bytes, leftover bytes)."""
    replies = []
    pos = 0
    while pos < len(data):
        try:
            node, end = parse_reply(data, pos)
        except (Incomplete, BadReply):
            break
        replies.append(node.raw)
        pos = end
    return replies, bytes(data[pos:])


# ---------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------

class Outcome:
    """What one side produced for one step.

    kind: 'reply' (node set), 'closed' (connection closed before a full reply),
    'timeout', 'noreply' (nothing, as expected by !noreply), 'raw' (!raw result),
    'error' (local error such as connect failure), 'scan' (!scanall result).
    """

    def __init__(self, kind, node=None, detail=None, partial=b""):
        self.kind, self.node, self.detail, self.partial = kind, node, detail, partial

    def __repr__(self):
        if self.kind == "reply":
            return repr(self.node.raw)
        if self.kind == "raw":
            replies, leftover, closed = self.detail
            s = "replies=%r" % (replies,)
            if leftover:
                s += " leftover=%r" % (leftover,)
            return s + (" +connection closed" if closed else " (connection open)")
        if self.kind == "scan":
            return repr(self.detail)
        s = "<%s>" % self.kind
        if self.detail:
            s += " %s" % (self.detail,)
        if self.partial:
            s += " partial=%r" % (self.partial,)
        return s


class ServerUnreachable(Exception):
    pass


class Conn:
    def __init__(self, host, port, timeout):
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise ServerUnreachable("%s:%s: %s" % (host, port, e))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.closed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            # The peer may have closed; what it sent before is still readable.
            pass

    def _recv(self, timeout):
        """Receive once. Returns True if data arrived, False on timeout; sets closed on EOF."""
        if self.closed:
            return False
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            self.closed = True
            return False
        if not data:
            self.closed = True
            return False
        self.buf += data
        return True

    def read_reply(self, timeout=REPLY_TIMEOUT):
        """Exactly one complete reply, as an Outcome."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                node, end = parse_reply(self.buf, 0)
                del self.buf[:end]
                return Outcome("reply", node=node)
            except Incomplete:
                pass
            except BadReply as e:
                partial = bytes(self.buf)
                self.buf.clear()
                self.closed = True  # unusable: force a reconnect
                return Outcome("error", detail="malformed reply: %s" % e, partial=partial)
            if self.closed:
                partial = bytes(self.buf)
                self.buf.clear()
                return Outcome("closed", partial=partial)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                partial = bytes(self.buf)
                self.buf.clear()
                self.closed = True  # desynchronised: force a reconnect
                return Outcome("timeout", partial=partial)
            self._recv(remaining)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True


class Side:
    """One server with its numbered connections (!conn N)."""

    def __init__(self, name, host, port, timeout=REPLY_TIMEOUT):
        self.name, self.host, self.port, self.timeout = name, host, port, timeout
        self.conns = {}
        self.cur = 1

    def conn(self):
        c = self.conns.get(self.cur)
        if c is None or c.closed:
            if c is not None:
                c.close()
            c = Conn(self.host, self.port, self.timeout)
            self.conns[self.cur] = c
        return c

    def new_conn(self):
        c = self.conns.pop(self.cur, None)
        if c is not None:
            c.close()
        return self.conn()

    def drop_current(self):
        c = self.conns.pop(self.cur, None)
        if c is not None:
            c.close()

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}
        self.cur = 1


def collect_raw(conns, quiet=RAW_QUIET, first_timeout=RAW_FIRST_TIMEOUT,
                settle_limit=RAW_SETTLE_LIMIT, agree=None):
    """Read from several connections at once after a !raw send.

    A connection is settled when it was closed, or when it has been silent for
    `quiet` seconds after a complete reply (or for `first_timeout` seconds
    without any complete reply). Once all are settled, the results are
    returned if `agree(results)` holds (default: all equal); otherwise reading
    goes on, so that a slow side can catch up, until `settle_limit` seconds
    have passed. Returns [(replies, leftover, closed)] per connection.
    """
    if agree is None:
        def agree(results):
            return all(r == results[0] for r in results)
    start = time.monotonic()
    last = [start] * len(conns)
    sel = selectors.DefaultSelector()
    registered = set()

    def snapshot():
        return [split_replies(c.buf) + (c.closed,) for c in conns]

    try:
        for i, c in enumerate(conns):
            if not c.closed:
                sel.register(c.sock, selectors.EVENT_READ, i)
                registered.add(i)
        while True:
            now = time.monotonic()
            waits = []
            for i, c in enumerate(conns):
                if c.closed:
                    continue
                complete = bool(split_replies(c.buf)[0])
                limit = last[i] + quiet
                if not complete:
                    limit = max(limit, start + first_timeout)
                if now < limit:
                    waits.append(limit - now)
            if not waits:
                results = snapshot()
                if agree(results) or now - start >= settle_limit:
                    break
                waits.append(min(quiet, settle_limit - (now - start)))
            for key, _ in sel.select(timeout=max(min(waits), 0.001)):
                i = key.data
                c = conns[i]
                if c._recv(0.001):
                    last[i] = time.monotonic()
                if c.closed and i in registered:
                    sel.unregister(c.sock)
                    registered.discard(i)
    finally:
        sel.close()
    results = snapshot()
    for c in conns:
        c.buf.clear()
    return results


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def _canon_unordered(node, depth):
    if not node.is_aggregate() or node.null or depth <= 0:
        return node.raw
    kids = [_canon_unordered(c, depth - 1) for c in node.children]
    if node.t in ("%", "|"):
        pairs = sorted(repr(p) for p in zip(kids[0::2], kids[1::2]))
        return (node.t, len(node.children), tuple(pairs))
    return (node.t, len(node.children), tuple(sorted(repr(k) for k in kids)))


def _canon_pairs(node):
    if not node.is_aggregate() or node.null or len(node.children) % 2:
        return node.raw
    kids = [c.raw for c in node.children]
    t = node.t if node.t in ("%", "|") else "pairs:" + node.t
    return (t, tuple(sorted(zip(kids[0::2], kids[1::2]))))


def shape(node):
    """Type/shape of a reply: type byte, nullness, and for aggregates the child shapes."""
    if node.is_aggregate():
        return (node.t, node.null, tuple(shape(c) for c in node.children))
    return (node.t, node.null)


def _match_text(node):
    if node.is_aggregate() or node.payload is None:
        return node.raw.decode("latin-1")
    if node.t == "=":
        return node.payload[4:].decode("latin-1")  # strip the "txt:" format prefix
    return node.payload.decode("latin-1")


def _canon_at(node, paths):
    """Canonical form where the aggregates selected by paths have their children sorted.

    A path is a list of steps, each an int index or '*' (any child); the empty
    path selects the node itself.
    """
    if not node.is_aggregate() or node.null:
        return node.raw
    here = any(len(p) == 0 for p in paths)
    kids = []
    for i, c in enumerate(node.children):
        sub = [p[1:] for p in paths if p and (p[0] == "*" or p[0] == i)]
        kids.append(_canon_at(c, sub) if sub else c.raw)
    if here:
        if node.t in ("%", "|"):
            return (node.t, len(kids), tuple(sorted(repr(p) for p in zip(kids[0::2], kids[1::2]))))
        return (node.t, len(kids), tuple(sorted(repr(k) for k in kids)))
    return (node.t, len(kids), tuple(kids))


class Mods:
    """Modifiers set by directives, applying to the next command only."""

    def __init__(self):
        self.mode = "exact"   # exact | unordered | pairs | type | unordered-at
        self.depth = 1
        self.paths = []
        self.matches = []
        self.masks = []
        self.noreply = False

    def any(self):
        return self.mode != "exact" or self.matches or self.masks or self.noreply


def compare(a, b, mods):
    """Return None if the outcomes agree under mods, else a reason string."""
    if a.kind != b.kind:
        return "different outcome kinds"
    if a.kind != "reply":
        if a.kind == "raw" and mods.masks:
            ra = _apply_masks_list(a.detail, mods.masks)
            rb = _apply_masks_list(b.detail, mods.masks)
            return None if ra == rb else "raw outcome differs (masked)"
        if (a.detail, a.partial) == (b.detail, b.partial):
            return None
        return "outcome differs"
    na, nb = a.node, b.node
    if mods.matches:
        if na.t != nb.t:
            return "different reply types"
        for rx in mods.matches:
            for side, n in (("A", na), ("B", nb)):
                if not re.search(rx, _match_text(n), re.M):
                    return "reply of side %s does not match /%s/" % (side, rx)
        return None
    if mods.mode == "type":
        return None if shape(na) == shape(nb) else "reply shapes differ"
    if mods.mode == "unordered":
        return None if _canon_unordered(na, mods.depth) == _canon_unordered(nb, mods.depth) \
            else "replies differ (as multisets)"
    if mods.mode == "unordered-at":
        return None if _canon_at(na, mods.paths) == _canon_at(nb, mods.paths) \
            else "replies differ (with unordered parts)"
    if mods.mode == "pairs":
        return None if _canon_pairs(na) == _canon_pairs(nb) else "replies differ (as maps)"
    ra, rb = na.raw, nb.raw
    if mods.masks:
        ra, rb = _apply_masks(ra, mods.masks), _apply_masks(rb, mods.masks)
    return None if ra == rb else "replies differ"


def _apply_masks(raw, masks):
    s = raw.decode("latin-1")
    for rx in masks:
        s = re.sub(rx, "<masked>", s)
    return s


def _apply_masks_list(detail, masks):
    replies, leftover, closed = detail
    return ([_apply_masks(r, masks) for r in replies], _apply_masks(leftover, masks), closed)


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

class Step:
    __slots__ = ("lineno", "text", "kind", "arg", "args")

    def __init__(self, lineno, text, kind, arg=None, args=None):
        self.lineno, self.text, self.kind, self.arg, self.args = lineno, text, kind, arg, args


DIRECTIVES = {
    "unordered", "sorted-pairs", "type", "match", "mask", "sleep", "resp2", "resp3",
    "newconn", "raw", "send", "sendrep", "flushall", "conn", "scanall", "noreply",
    "unordered-at", "requires",
}


def _parse_path(text):
    steps = []
    for part in text.split("/"):
        if part == "*":
            steps.append("*")
        elif part != "":
            steps.append(int(part))
    return steps


def parse_corpus(path):
    """Parse a corpus file into Steps. Raises ValueError with file:line on syntax errors."""
    steps = []
    with open(path, "rb") as f:
        data = f.read()
    for lineno, raw_line in enumerate(data.split(b"\n"), 1):
        line = raw_line.rstrip(b"\r")
        stripped = line.strip()
        text = line.decode("utf-8", "replace")
        if not stripped or stripped.startswith(b"#"):
            continue
        try:
            if stripped.startswith(b"!"):
                name, _, rest = stripped[1:].partition(b" ")
                name = name.decode()
                rest = rest.strip()
                if name not in DIRECTIVES:
                    raise ValueError("unknown directive !%s" % name)
                if name in ("match", "mask"):
                    if not rest:
                        raise ValueError("!%s needs a regex" % name)
                    re.compile(rest.decode("utf-8"))
                    steps.append(Step(lineno, text, name, arg=rest.decode("utf-8")))
                elif name in ("sleep",):
                    steps.append(Step(lineno, text, name, arg=float(rest)))
                elif name in ("conn",):
                    steps.append(Step(lineno, text, name, arg=int(rest)))
                elif name == "unordered-at":
                    steps.append(Step(lineno, text, name, arg=_parse_path(rest.decode())))
                elif name == "unordered":
                    steps.append(Step(lineno, text, name, arg=(int(rest) if rest else 1)))
                elif name == "sendrep":
                    parts = split_args(rest)
                    if len(parts) < 2:
                        raise ValueError("!sendrep COUNT BYTES...")
                    steps.append(Step(lineno, text, name, arg=int(parts[0]),
                                      args=b"".join(parts[1:])))
                elif name in ("raw", "send"):
                    steps.append(Step(lineno, text, name, args=b"".join(split_args(rest))))
                elif name == "scanall":
                    steps.append(Step(lineno, text, name, args=split_args(rest)))
                elif name == "requires":
                    if any(st.kind != "requires" for st in steps):
                        raise ValueError("!requires must come before any other step")
                    cmds = split_args(rest)
                    if not cmds:
                        raise ValueError("!requires needs at least one command name")
                    steps.append(Step(lineno, text, name, args=cmds))
                else:
                    if rest:
                        raise ValueError("!%s takes no argument" % name)
                    steps.append(Step(lineno, text, name))
            else:
                args = split_args(line)
                if args:
                    steps.append(Step(lineno, text, "cmd", args=args))
        except ValueError as e:
            raise ValueError("%s:%d: %s" % (path, lineno, e))
    return steps


def file_requirements(steps):
    """Command names required by a file's leading !requires lines (bytes, in order)."""
    cmds = []
    for st in steps:
        if st.kind != "requires":
            break
        cmds.extend(a for a in st.args if a not in cmds)
    return cmds


class FileSkipped(Exception):
    """Raised by Runner.run_file when side A lacks a command named by !requires."""

    def __init__(self, path, missing, side_name="vireo"):
        self.path, self.missing = path, missing
        names = ", ".join(m.decode("utf-8", "replace") for m in missing)
        super().__init__("%s: %s lacks %s (!requires)" % (os.path.basename(path), side_name, names))


class Mismatch:
    def __init__(self, path, lineno, text, reason, a, b, names):
        self.path, self.lineno, self.text, self.reason = path, lineno, text, reason
        self.a, self.b, self.names = a, b, names

    def __str__(self):
        return "%s:%d: %s\n    command: %s\n    %-8s %r\n    %-8s %r" % (
            os.path.basename(self.path), self.lineno, self.reason, self.text,
            self.names[0] + ":", self.a, self.names[1] + ":", self.b)


class Runner:
    def __init__(self, side_a, side_b, log=None):
        self.sides = (side_a, side_b)
        self.log = log  # optional callable(str) for a transcript

    # -- low-level helpers ---------------------------------------------------

    def _conns(self):
        return [s.conn() for s in self.sides]

    def _exchange(self, payload, noreply=False):
        conns = self._conns()
        for c in conns:
            c.send(payload)
        if noreply:
            return self._expect_silence(conns)
        return [c.read_reply() for c in conns]

    def _expect_silence(self, conns):
        time.sleep(NOREPLY_WAIT)
        out = []
        for c in conns:
            c._recv(0.001)
            if c.buf:
                try:
                    node, end = parse_reply(c.buf, 0)
                    del c.buf[:end]
                    out.append(Outcome("reply", node=node))
                except (Incomplete, BadReply):
                    out.append(Outcome("error", detail="unexpected bytes", partial=bytes(c.buf)))
                    c.buf.clear()
            elif c.closed:
                out.append(Outcome("closed"))
            else:
                out.append(Outcome("noreply"))
        return out

    def _resync(self, outs):
        """If either side lost its connection, give both sides a fresh one."""
        if any(s.conns.get(s.cur) is None or s.conns[s.cur].closed for s in self.sides):
            for s in self.sides:
                s.drop_current()
            return True
        return False

    # -- running -------------------------------------------------------------

    def missing_commands(self, cmds, report=None, step=None):
        """Ask both sides `COMMAND INFO cmds...`; return the commands side A lacks.

        A command is missing when its entry in the reply is null. If side A
        cannot answer (error, wrong shape, lost connection) or the reference
        lacks a command (a corpus error), report() is called and None returned.
        """
        outs = self._exchange(encode_command([b"COMMAND", b"INFO"] + list(cmds)))
        self._resync(outs)
        missing = {}
        for i, (s, o) in enumerate(zip(self.sides, outs)):
            n = o.node if o.kind == "reply" else None
            if n is None or not n.is_aggregate() or n.null or len(n.children) != len(cmds):
                if report:
                    report(step, "!requires: COMMAND INFO gave no usable answer on %s" % s.name,
                           outs[0], outs[1])
                return None
            missing[i] = [c for c, e in zip(cmds, n.children) if e.null]
        if missing[1]:
            if report:
                report(step, "!requires: the reference (%s) lacks %s" % (
                    self.sides[1].name, b", ".join(missing[1]).decode("utf-8", "replace")),
                    outs[0], outs[1])
            return None
        return missing[0]

    def run_file(self, path):
        """Run one corpus file; returns the list of Mismatches.

        Raises FileSkipped (before anything else is sent) when the file's
        !requires names a command that side A does not have.
        """
        steps = parse_corpus(path)
        mismatches = []
        names = (self.sides[0].name, self.sides[1].name)

        def report(step, reason, a, b):
            m = Mismatch(path, step.lineno, step.text, reason, a, b, names)
            mismatches.append(m)
            if self.log:
                self.log("MISMATCH " + str(m))

        for s in self.sides:
            s.close_all()
        required = file_requirements(steps)
        if required:
            first = steps[0]
            try:
                missing = self.missing_commands(required, report, first)
            except ServerUnreachable as e:
                report(first, "server unreachable, giving up on this file: %s" % e, None, None)
                missing = None
            if missing is None:
                for s in self.sides:
                    s.close_all()
                return mismatches
            if missing:
                for s in self.sides:
                    s.close_all()
                raise FileSkipped(path, missing, self.sides[0].name)
            if self.log:
                self.log("%d: %s\n    -> all present on %s" % (first.lineno, first.text, names[0]))
        start = Step(0, "FLUSHALL + SELECT 0 (file start)", "cmd")
        for cmd in ([b"FLUSHALL"], [b"SELECT", b"0"]):
            outs = self._exchange(encode_command(cmd))
            for s, o in zip(self.sides, outs):
                if o.kind != "reply" or o.node.raw != b"+OK\r\n":
                    report(start, "%s failed on %s" % (cmd[0].decode(), s.name), outs[0], outs[1])

        mods = Mods()
        for step in steps:
            if len(mismatches) >= MAX_MISMATCHES:
                report(step, "too many mismatches, giving up on this file", None, None)
                break
            try:
                mods = self._run_step(step, mods, report)
            except ServerUnreachable as e:
                report(step, "server unreachable, giving up on this file: %s" % e, None, None)
                break
        for s in self.sides:
            s.close_all()
        return mismatches

    def _run_step(self, step, mods, report):
        k = step.kind
        if k == "requires":
            return mods  # checked by run_file before the first step
        if k == "unordered":
            mods.mode, mods.depth = "unordered", step.arg
            return mods
        if k == "unordered-at":
            mods.mode = "unordered-at"
            mods.paths.append(step.arg)
            return mods
        if k == "sorted-pairs":
            mods.mode = "pairs"
            return mods
        if k == "type":
            mods.mode = "type"
            return mods
        if k == "match":
            mods.matches.append(step.arg)
            return mods
        if k == "mask":
            mods.masks.append(step.arg)
            return mods
        if k == "noreply":
            mods.noreply = True
            return mods
        if k == "sleep":
            time.sleep(step.arg)
            return mods
        if k == "conn":
            for s in self.sides:
                s.cur = step.arg
            return mods
        if k == "newconn":
            for s in self.sides:
                s.new_conn()
            return mods
        if k == "send":
            for c in self._conns():
                c.send(step.args)
            return mods
        if k == "sendrep":
            for c in self._conns():
                c.send(step.args * step.arg)
            return mods

        if k in ("cmd", "flushall", "resp2", "resp3"):
            if k == "cmd":
                args = step.args
            elif k == "flushall":
                args = [b"FLUSHALL"]
            else:
                args = [b"HELLO", b"2" if k == "resp2" else b"3"]
                mods.masks.append(r"(?<=\$2\r\nid\r\n):\d+")
            outs = self._exchange(encode_command(args), noreply=mods.noreply)
        elif k == "raw":
            conns = self._conns()
            for c in conns:
                c.send(step.args)
            masks = mods.masks

            def agree(results):
                if masks:
                    results = [_apply_masks_list(r, masks) for r in results]
                return all(r == results[0] for r in results)
            outs = [Outcome("raw", detail=d) for d in collect_raw(conns, agree=agree)]
        elif k == "scanall":
            outs = [self._scanall(s, step.args) for s in self.sides]
        else:
            raise AssertionError(k)

        if self.log:
            ra, rb = repr(outs[0]), repr(outs[1])
            if ra == rb:
                self.log("%d: %s\n    -> %s" % (step.lineno, step.text, ra))
            else:
                self.log("%d: %s\n    %s -> %s\n    %s -> %s" % (
                    step.lineno, step.text, self.sides[0].name, ra, self.sides[1].name, rb))
        reason = compare(outs[0], outs[1], mods)
        if reason:
            report(step, reason, outs[0], outs[1])
        resynced = self._resync(outs)
        if resynced and k != "raw" and self.log:
            self.log("    (connection lost: both sides reconnected)")
        return Mods()

    def _scanall(self, side, args):
        """Full SCAN-family iteration on one side; returns a 'scan' outcome with the sorted items."""
        if args and args[0].upper() in (b"SCAN", b"SSCAN", b"HSCAN", b"ZSCAN"):
            cmd, rest = args[0].upper(), list(args[1:])
        else:
            cmd, rest = b"SCAN", list(args)
        key = []
        if cmd != b"SCAN":
            key, rest = rest[:1], rest[1:]
        pairs = cmd in (b"HSCAN", b"ZSCAN")
        cursor = b"0"
        items = []
        calls = 0
        while True:
            c = side.conn()
            c.send(encode_command([cmd] + key + [cursor] + rest))
            o = c.read_reply()
            calls += 1
            if o.kind != "reply":
                return o
            n = o.node
            if n.t == "-":
                return Outcome("scan", detail=("error", n.raw))
            if (not n.is_aggregate() or len(n.children) != 2 or n.children[0].t != "$"
                    or not n.children[1].is_aggregate()):
                return Outcome("scan", detail=("malformed", n.raw))
            cursor = n.children[0].payload
            elems = [e.raw for e in n.children[1].children]
            if pairs:
                if len(elems) % 2:
                    return Outcome("scan", detail=("odd pair list", n.raw))
                items.extend(zip(elems[0::2], elems[1::2]))
            else:
                items.extend(elems)
            if cursor == b"0":
                break
            if calls > 100000:
                return Outcome("scan", detail=("scan does not terminate",))
        # Keys may legitimately be returned more than once; compare the set.
        return Outcome("scan", detail=("items", sorted(set(items))))
