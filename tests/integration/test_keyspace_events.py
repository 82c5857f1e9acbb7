"""Keyspace notifications (notify-keyspace-events), checked two ways.

1. The keyspace-event cases of Redis 7.0.15's tests/unit/pubsub.tcl, ported
   one by one (each docstring names the .tcl test).
2. Differential: the same command script runs against the server under test
   and the reference redis-server 7.0.15 (REDIS_BIN), each with a
   PSUBSCRIBE '__key*__:*' listener, under several notify-keyspace-events
   flag sets; the sequences of (channel, message) events must be identical,
   and so must the replies of the script's commands. The scripts cover every
   command family the server has (strings, keys, lists, sets, sorted sets,
   hashes, blocking pops served later, lazy and active expiry, keymiss,
   new); families the server under test lacks yet are skipped.

Every test passes against redis-server 7.0.15 too
(VIREO_BIN=/usr/bin/redis-server).
"""
import time

import pytest

from integ_util import REDIS_BIN, Raw, RespError, ServerProcess, wait_for
from keyspace_scripts import FAMILIES, FLAG_SETS

pytestmark = pytest.mark.requires_commands("psubscribe", "publish")

DEBUG = ["--enable-debug-command", "yes"]
END_CHANNEL = b"__keyevent@0__:zz-end-of-script"


@pytest.fixture
def srv(server_factory, tmp_path):
    return server_factory(args=DEBUG, cwd=str(tmp_path))


@pytest.fixture
def ref(tmp_path):
    d = tmp_path / "ref"
    d.mkdir()
    s = ServerProcess(REDIS_BIN, args=DEBUG, cwd=str(d))
    yield s
    s.stop()


@pytest.fixture
def rd(srv):
    conns = []

    def make(port=None):
        c = Raw(port or srv.port)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


def psub(c, pattern="*"):
    assert c.call("PSUBSCRIBE", pattern) == [b"psubscribe", pattern.encode(), 1]


def ev(c):
    """One pmessage: (channel, message)."""
    f = c.read_reply()
    assert f[0] == b"pmessage", f
    return (f[2].decode(), f[3].decode())


def nothing_pending(conn, idle=0.1):
    data, closed = conn.recv_until_idle(idle)
    return data == b"" and not closed


# --------------------------------------------------------------------------
# pubsub.tcl (keyspace events), ported. The .tcl runs in db 9.
# --------------------------------------------------------------------------

@pytest.fixture
def r(srv):
    c = Raw(srv.port)
    assert c.call("SELECT", "9") == b"OK"
    yield c
    c.close()


def config(r, flags):
    assert r.call("CONFIG", "SET", "notify-keyspace-events", flags) == b"OK"


def test_keyspace_notifications_keyspace(r, rd):
    """pubsub.tcl: Keyspace notifications: we receive keyspace notifications"""
    config(r, "KA")
    c = rd()
    c.cmd("CLIENT", "REPLY", "OFF")
    psub(c)
    r.call("SET", "foo", "bar")
    assert ev(c) == ("__keyspace@9__:foo", "set")


def test_keyspace_notifications_keyevent(r, rd):
    """pubsub.tcl: Keyspace notifications: we receive keyevent notifications"""
    config(r, "EA")
    c = rd()
    c.cmd("CLIENT", "REPLY", "SKIP")
    psub(c)
    r.call("SET", "foo", "bar")
    assert ev(c) == ("__keyevent@9__:set", "foo")


def test_keyspace_notifications_both(r, rd):
    """pubsub.tcl: Keyspace notifications: we can receive both kind of events"""
    config(r, "KEA")
    c = rd()
    assert c.call("CLIENT", "REPLY", "ON") == b"OK"
    psub(c)
    r.call("SET", "foo", "bar")
    assert ev(c) == ("__keyspace@9__:foo", "set")
    assert ev(c) == ("__keyevent@9__:set", "foo")


def test_keyspace_notifications_mask(r, rd):
    """pubsub.tcl: Keyspace notifications: we are able to mask events"""
    config(r, "KEl")
    r.call("DEL", "mylist")
    c = rd()
    psub(c)
    r.call("SET", "foo", "bar")
    r.call("LPUSH", "mylist", "a")
    assert ev(c) == ("__keyspace@9__:mylist", "lpush")
    assert ev(c) == ("__keyevent@9__:lpush", "mylist")
    assert nothing_pending(c)


def test_keyspace_notifications_general(r, rd):
    """pubsub.tcl: Keyspace notifications: general events test"""
    config(r, "KEg")
    c = rd()
    psub(c)
    r.call("SET", "foo", "bar")
    r.call("EXPIRE", "foo", "1")
    r.call("DEL", "foo")
    assert ev(c) == ("__keyspace@9__:foo", "expire")
    assert ev(c) == ("__keyevent@9__:expire", "foo")
    assert ev(c) == ("__keyspace@9__:foo", "del")
    assert ev(c) == ("__keyevent@9__:del", "foo")


def test_keyspace_notifications_list(r, rd):
    """pubsub.tcl: Keyspace notifications: list events test"""
    config(r, "KEl")
    r.call("DEL", "mylist")
    c = rd()
    psub(c)
    r.call("LPUSH", "mylist", "a")
    r.call("RPUSH", "mylist", "a")
    r.call("RPOP", "mylist")
    for e in ("lpush", "rpush", "rpop"):
        assert ev(c) == ("__keyspace@9__:mylist", e)
        assert ev(c) == ("__keyevent@9__:%s" % e, "mylist")


def test_keyspace_notifications_set(r, rd):
    """pubsub.tcl: Keyspace notifications: set events test"""
    config(r, "Ks")
    r.call("DEL", "myset")
    c = rd()
    psub(c)
    r.call("SADD", "myset", "a", "b", "c", "d")
    r.call("SREM", "myset", "x")
    r.call("SADD", "myset", "x", "y", "z")
    r.call("SREM", "myset", "x")
    assert ev(c) == ("__keyspace@9__:myset", "sadd")
    assert ev(c) == ("__keyspace@9__:myset", "sadd")
    assert ev(c) == ("__keyspace@9__:myset", "srem")
    assert nothing_pending(c)


def test_keyspace_notifications_zset(r, rd):
    """pubsub.tcl: Keyspace notifications: zset events test"""
    config(r, "Kz")
    r.call("DEL", "myzset")
    c = rd()
    psub(c)
    r.call("ZADD", "myzset", "1", "a", "2", "b")
    r.call("ZREM", "myzset", "x")
    r.call("ZADD", "myzset", "3", "x", "4", "y", "5", "z")
    r.call("ZREM", "myzset", "x")
    assert ev(c) == ("__keyspace@9__:myzset", "zadd")
    assert ev(c) == ("__keyspace@9__:myzset", "zadd")
    assert ev(c) == ("__keyspace@9__:myzset", "zrem")
    assert nothing_pending(c)


def test_keyspace_notifications_hash(r, rd):
    """pubsub.tcl: Keyspace notifications: hash events test"""
    config(r, "Kh")
    r.call("DEL", "myhash")
    c = rd()
    psub(c)
    r.call("HMSET", "myhash", "yes", "1", "no", "0")
    r.call("HINCRBY", "myhash", "yes", "10")
    assert ev(c) == ("__keyspace@9__:myhash", "hset")
    assert ev(c) == ("__keyspace@9__:myhash", "hincrby")


@pytest.mark.requires_commands("xadd", "xgroup", "xreadgroup", "xclaim", "xautoclaim")
def test_keyspace_notifications_stream(r, rd):
    """pubsub.tcl: Keyspace notifications: stream events test"""
    config(r, "Kt")
    r.call("DEL", "mystream")
    c = rd()
    psub(c)
    r.call("XGROUP", "CREATE", "mystream", "mygroup", "$", "MKSTREAM")
    r.call("XGROUP", "CREATECONSUMER", "mystream", "mygroup", "Bob")
    sid = r.call("XADD", "mystream", "1", "field1", "A")
    r.call("XREADGROUP", "GROUP", "mygroup", "Alice", "STREAMS", "mystream", ">")
    r.call("XCLAIM", "mystream", "mygroup", "Mike", "0", sid, "FORCE")
    r.call("XGROUP", "DELCONSUMER", "mystream", "mygroup", "Lee")
    r.call("XAUTOCLAIM", "mystream", "mygroup", "Bob", "0", sid)
    r.call("XGROUP", "DELCONSUMER", "mystream", "mygroup", "Bob")
    for e in ("xgroup-create", "xgroup-createconsumer", "xadd", "xgroup-createconsumer",
              "xgroup-createconsumer", "xgroup-delconsumer"):
        assert ev(c) == ("__keyspace@9__:mystream", e)


def test_keyspace_notifications_expired_triggered(r, rd):
    """pubsub.tcl: Keyspace notifications: expired events (triggered expire)"""
    config(r, "Ex")
    r.call("DEL", "foo")
    c = rd()
    psub(c)
    r.call("PSETEX", "foo", "100", "1")
    assert wait_for(lambda: r.call("EXISTS", "foo") == 0, timeout=5, step=0.1)
    assert ev(c) == ("__keyevent@9__:expired", "foo")


def test_keyspace_notifications_expired_background(r, rd):
    """pubsub.tcl: Keyspace notifications: expired events (background expire)"""
    config(r, "Ex")
    r.call("DEL", "foo")
    c = rd()
    psub(c)
    r.call("PSETEX", "foo", "100", "1")
    assert ev(c) == ("__keyevent@9__:expired", "foo")


def test_keyspace_notifications_expired_lazy_only(r, rd):
    """pubsub.tcl: expired events (triggered expire), with active expiry off:
    the access expires the key (expireIfNeeded), which emits 'expired' and
    then, for GET, 'keymiss'."""
    assert r.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    config(r, "Exm")
    c = rd()
    psub(c)
    r.call("PSETEX", "foo", "50", "1")
    time.sleep(0.2)
    assert nothing_pending(c)
    assert r.call("GET", "foo") is None
    assert ev(c) == ("__keyevent@9__:expired", "foo")
    assert ev(c) == ("__keyevent@9__:keymiss", "foo")
    assert r.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"OK"


def test_keyspace_notifications_evicted(r, rd):
    """pubsub.tcl: Keyspace notifications: evicted events"""
    config(r, "Ee")
    assert r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru") == b"OK"
    r.call("FLUSHDB")
    c = rd()
    psub(c)
    r.call("SET", "foo", "bar")
    r.call("CONFIG", "SET", "maxmemory", "1")
    c.timeout = 2.0
    try:
        got = ev(c)
    except OSError:
        got = None
    r.call("CONFIG", "SET", "maxmemory", "0")
    r.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
    assert got == ("__keyevent@9__:evicted", "foo")


def test_keyspace_notifications_config_get_set(r):
    """pubsub.tcl: Keyspace notifications: test CONFIG GET/SET of event flags"""
    cases = [("gKE", b"gKE"), ("$lshzxeKE", b"$lshzxeKE"), ("KA", b"AK"), ("EA", b"AE"),
             # Beyond the .tcl: every flag, A's expansion, m and n outside A.
             # Why: keyspaceEventsFlagsToString writes 'n' only when the
             # flags are not all of A, so "AKEmn" reads back without it.
             ("AKEmn", b"AKEm"), ("g$lshzxetdK", b"AK"), ("g$lshzxetd", b"A"),
             ("", b""), ("K", b"K"), ("Em", b"Em"), ("mK", b"Km"), ("nE", b"nE"), ("tE", b"tE"),
             ("dE", b"dE"), ("ghK", b"ghK")]
    for flags, want in cases:
        config(r, flags)
        assert r.call("CONFIG", "GET", "notify-keyspace-events") == [
            b"notify-keyspace-events", want], flags
    err = r.call("CONFIG", "SET", "notify-keyspace-events", "KQ")
    assert isinstance(err, RespError)
    assert err.startswith(b"ERR CONFIG SET failed (possibly related to argument "
                          b"'notify-keyspace-events')")


def test_keyspace_notifications_new_key(r, rd):
    """pubsub.tcl: Keyspace notifications: new key test"""
    config(r, "En")
    c = rd()
    psub(c)
    r.call("SET", "foo", "bar")
    r.call("SET", "foo", "baz")
    r.call("SET", "bar", "bar")
    assert ev(c) == ("__keyevent@9__:new", "foo")
    assert ev(c) == ("__keyevent@9__:new", "bar")
    assert nothing_pending(c)


def test_keyspace_notifications_off_by_default(srv, rd):
    """notify-keyspace-events defaults to "": nothing is published."""
    c = rd()
    psub(c)
    r = rd()
    r.call("SET", "a", "1")
    r.call("DEL", "a")
    assert nothing_pending(c)


def test_keyspace_events_count_as_publish(r, rd):
    """Keyspace events are ordinary PUBLISHes: channel subscribers get them,
    PUBSUB NUMSUB sees the channel, RESP3 gets pushes."""
    config(r, "KEA")
    c = rd()
    assert c.call("SUBSCRIBE", "__keyspace@9__:k") == [b"subscribe", b"__keyspace@9__:k", 1]
    c3 = rd()
    assert isinstance(c3.call("HELLO", "3"), dict)
    c3.cmd("SUBSCRIBE", "__keyevent@9__:del")
    assert c3.read_reply() == [b"subscribe", b"__keyevent@9__:del", 1]
    r.call("SET", "k", "v")
    r.call("DEL", "k")
    assert c.read_reply() == [b"message", b"__keyspace@9__:k", b"set"]
    assert c.read_reply() == [b"message", b"__keyspace@9__:k", b"del"]
    want = b">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@9__:del\r\n$1\r\nk\r\n"
    assert c3.recv_exact(len(want)) == want


# --------------------------------------------------------------------------
# Differential: the same script against the server under test and Redis.
# --------------------------------------------------------------------------

STEP_CHANNEL = b"__keyevent@0__:zz-step"


class Side:
    """One server: the script's client(s) and the listener. After each step
    outside MULTI the main client publishes a step marker, so the events are
    grouped by the step that caused them (and a difference names it)."""

    def __init__(self, port, flags):
        self.port = port
        self.main = Raw(port)
        self.others = {}
        assert self.main.call("FLUSHALL") == b"OK"
        assert self.main.call("CONFIG", "SET", "notify-keyspace-events", flags) == b"OK"
        self.listener = Raw(port)
        psub(self.listener, "__key*__:*")
        self.replies = []
        self.in_multi = False

    def conn(self, name):
        if name not in self.others:
            self.others[name] = Raw(self.port)
        return self.others[name]

    def step(self, args, index):
        self._step(args)
        # Why not after a send on another connection: the server may run
        # the marker before that command (another connection); its events
        # are attributed to the next step that waits for it (its reply or
        # "!blocked").
        sent_elsewhere = args[0].startswith("@") and not args[0].endswith("?")
        if not self.in_multi and not sent_elsewhere:
            self.main.call("PUBLISH", STEP_CHANNEL, str(index))

    def _step(self, args):
        if args[0] == "!sleep":
            time.sleep(float(args[1]))
            return
        if args[0] == "!blocked":
            want = int(args[1])

            def blocked():
                info = self.main.call("INFO", "clients").decode()
                return "blocked_clients:%d\r\n" % want in info
            assert wait_for(blocked, timeout=5), "blocked_clients never reached %d" % want
            return
        if args[0].startswith("@"):
            name = args[0][1:]
            if name.endswith("?"):
                self.replies.append((args[0], self.conn(name[:-1]).read_reply()))
            else:
                self.conn(name).cmd(*args[1:])
            return
        cmd = args[0].upper()
        if cmd == "MULTI":
            self.in_multi = True
        elif cmd in ("EXEC", "DISCARD"):
            self.in_multi = False
        self.replies.append((args, self.main.call(*args)))

    def events(self):
        """The events, grouped per step: {step index: [(channel, msg)...]}
        (events after the last marker go under None)."""
        self.main.call("PUBLISH", END_CHANNEL, "end")
        out = {}
        cur = []
        while True:
            f = self.listener.read_reply()
            assert f[0] == b"pmessage", f
            if f[2] == END_CHANNEL:
                if cur:
                    out[None] = cur
                return out
            if f[2] == STEP_CHANNEL:
                if cur:
                    out[int(f[3])] = cur
                cur = []
                continue
            cur.append((f[2].decode(errors="replace"), f[3].decode(errors="replace")))

    def close(self):
        self.main.call("CONFIG", "SET", "notify-keyspace-events", "")
        for c in [self.main, self.listener] + list(self.others.values()):
            c.close()


def run_both(srv, ref, flags, script):
    a, b = Side(srv.port, flags), Side(ref.port, flags)
    try:
        for i, step in enumerate(script):
            args = [str(x) for x in step]
            a.step(args, i)
            b.step(args, i)
        ea, eb = a.events(), b.events()
        return a.replies, b.replies, ea, eb
    finally:
        a.close()
        b.close()


def check_same(srv, ref, flags, script, expect_events=True):
    ra, rb, ea, eb = run_both(srv, ref, flags, script)
    for (cmd, x), (_, y) in zip(ra, rb):
        assert x == y, "reply of %r differs: %r (under test) vs %r (redis)" % (cmd, x, y)
    diffs = []
    for i in sorted(set(ea) | set(eb), key=lambda k: -1 if k is None else k):
        if ea.get(i, []) != eb.get(i, []):
            step = script[i] if i is not None else "(after the script)"
            diffs.append("step %s %r:\n  under test: %r\n  redis:      %r"
                         % (i, step, ea.get(i, []), eb.get(i, [])))
    if diffs:
        pytest.fail("events differ under %r:\n%s" % (flags, "\n".join(diffs)))
    if expect_events:
        assert ea, "the script produced no events under %r" % flags
    return ea


def _families():
    out = []
    for name, (script, cmds) in FAMILIES.items():
        marks = [pytest.mark.requires_commands(*cmds)] if cmds else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("family", _families())
def test_differential_events_kea(srv, ref, family):
    """Every command of the family under KEA plus m and n: the same events
    in the same order as redis-server 7.0.15."""
    script = FAMILIES[family][0]
    check_same(srv, ref, "KEAmn", script)


@pytest.mark.parametrize("flags", FLAG_SETS)
def test_differential_events_flag_sets(srv, ref, flags):
    """All the scripts (except the blocking one) under each flag set."""
    have = set()
    for name, (script, cmds) in FAMILIES.items():
        if name == "blocking":
            continue
        with Raw(srv.port) as c:
            info = c.call("COMMAND", "INFO", *cmds) if cmds else []
        if any(x is None for x in info):
            continue
        have.add(name)
        check_same(srv, ref, flags, script, expect_events=False)
    assert have


def test_differential_expired_lazy(srv, ref):
    """Lazy expiry (active expiry off): 'expired' on access, then the
    command's own events (keymiss for reads; 'new' and 'set' for a SET that
    recreates the key; lpush on a list recreated)."""
    for s in (srv, ref):
        with Raw(s.port) as c:
            assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    script = [
        ("PSETEX", "k1", 50, "v"), ("PSETEX", "k2", 50, "v"), ("PSETEX", "k3", 50, "v"),
        ("SET", "k4", "v", "PX", 50), ("PSETEX", "k5", 50, "v"), ("PSETEX", "k6", 50, "v"),
        ("!sleep", 0.2),
        ("GET", "k1"), ("SET", "k2", "new"), ("EXISTS", "k3"), ("LPUSH", "k4", "a"),
        ("TTL", "k5"), ("DEL", "k6"), ("DBSIZE",),
    ]
    try:
        check_same(srv, ref, "KEA", script)
        check_same(srv, ref, "KEAmn", script)
    finally:
        for s in (srv, ref):
            with Raw(s.port) as c:
                c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_differential_expired_active(srv, ref):
    """Active expiry: each key's 'expired' event arrives without access, in
    keyevent and keyspace forms (order across keys may differ: compared as
    a set)."""
    for s in (srv, ref):
        with Raw(s.port) as c:
            c.call("FLUSHALL")
    results = []
    for s in (srv, ref):
        side = Side(s.port, "KEA")
        for i in range(5):
            side.step(["PSETEX", "ak%d" % i, "100", "v"], i)
        side.step(["RPUSH", "al", "a"], 5)
        side.step(["PEXPIRE", "al", "100"], 6)
        # Other types, and keys in another db.
        side.step(["HSET", "ah", "f", "v"], 7)
        side.step(["PEXPIRE", "ah", "100"], 8)
        side.step(["SELECT", "3"], 9)
        side.step(["ZADD", "az", "1", "m"], 10)
        side.step(["PEXPIRE", "az", "120"], 11)
        side.step(["SADD", "as", "m"], 12)
        side.step(["PEXPIREAT", "as", str(int(time.time() * 1000) + 150)], 13)
        side.step(["SELECT", "0"], 14)

        def expired_count():
            info = side.main.call("INFO", "keyspace").decode()
            return "keys=" not in info
        assert wait_for(expired_count, timeout=5, step=0.05)
        results.append(side.events())
        side.close()
    # Flattened: when a key expires relative to the step markers is timing.
    a, b = [sorted(sum(r.values(), [])) for r in results]
    assert a == b
    assert ("__keyevent@0__:expired", "al") in a


def test_differential_keymiss_only(srv, ref):
    """'m' alone: every read of a missing key, nothing for writes."""
    script = [("GET", "x"), ("SET", "x", 1), ("GET", "x"), ("DEL", "x"), ("GET", "x"),
              ("HGET", "h", "f"), ("LRANGE", "l", 0, -1), ("SMEMBERS", "s"),
              ("ZSCORE", "z", "m"), ("MGET", "a", "b"), ("EXISTS", "x"),
              ("INCR", "n"), ("APPEND", "ap", "x"), ("LPOP", "nol"), ("TTL", "x")]
    check_same(srv, ref, "Em", script)
    check_same(srv, ref, "Km", script)


def test_differential_new_only(srv, ref):
    """'n' alone: key creations (SET, pushes, SADD, ZADD, HSET, COPY, RENAME
    onto a new name, INCR on a missing key), not overwrites."""
    script = [("SET", "a", 1), ("SET", "a", 2), ("RPUSH", "l", 1), ("RPUSH", "l", 2),
              ("SADD", "s", 1), ("ZADD", "z", 1, "m"), ("HSET", "h", "f", "v"),
              ("INCR", "n"), ("INCR", "n"), ("COPY", "a", "a2"), ("RENAME", "a2", "a3"),
              ("SETEX", "e", 100, "v"), ("MSET", "m1", 1, "m2", 2, "a", 3),
              ("APPEND", "ap", "x"), ("SETRANGE", "sr", 1, "x"),
              ("SINTERSTORE", "st", "s", "s"), ("ZUNIONSTORE", "zs", 1, "z"),
              ("RPOPLPUSH", "l", "l2"), ("HINCRBY", "h2", "f", 1),
              ("SELECT", 3), ("SET", "a", 1), ("SELECT", 0), ("MOVE", "a", 4)]
    check_same(srv, ref, "En", script)
    check_same(srv, ref, "KEAn", script)


def test_differential_expired_lazy_by_every_access(srv, ref):
    """Lazy expiry (active expiry off) through each kind of access, one
    expired key at a time so the order is deterministic: KEYS, SCAN,
    RANDOMKEY, TYPE, OBJECT, RENAME, COPY, MOVE, MGET, SET NX, EXPIRE,
    PERSIST, LPUSHX, SADD, TOUCH, UNLINK, and a key in another db."""
    for s in (srv, ref):
        with Raw(s.port) as c:
            assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    accesses = [
        ("KEYS", "*"), ("SCAN", 0), ("RANDOMKEY",), ("TYPE", "{k}"),
        ("OBJECT", "ENCODING", "{k}"), ("RENAME", "{k}", "other"), ("COPY", "{k}", "other2"),
        ("MOVE", "{k}", 1), ("MGET", "{k}", "nokey"), ("SET", "{k}", "v", "NX"),
        ("EXPIRE", "{k}", 100), ("PERSIST", "{k}"), ("LPUSHX", "{k}", "a"),
        ("SADD", "{k}", "a"), ("TOUCH", "{k}"), ("UNLINK", "{k}"), ("STRLEN", "{k}"),
        ("GETDEL", "{k}"), ("APPEND", "{k}", "x"), ("INCR", "{k}"),
    ]
    script = []
    for i, acc in enumerate(accesses):
        k = "lazy%d" % i
        script += [("PSETEX", k, 30, "1"), ("!sleep", 0.08)]
        script.append(tuple(str(a).replace("{k}", k) for a in acc))
        # Clean up what the access created, so the next KEYS sees one key.
        script.append(("FLUSHALL",))
    script += [("SELECT", 7), ("PSETEX", "in7", 30, "1"), ("!sleep", 0.08), ("GET", "in7"),
               ("SELECT", 0)]
    try:
        check_same(srv, ref, "KEAmn", script)
    finally:
        for s in (srv, ref):
            with Raw(s.port) as c:
                c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_notify_keyspace_events_from_command_line(server_factory, tmp_path):
    """notify-keyspace-events given at startup (command line; a config file
    reads the same directive) is in effect from the first command."""
    s = server_factory(args=["--notify-keyspace-events", "Elg"], cwd=str(tmp_path))
    with Raw(s.port) as r, Raw(s.port) as c:
        assert r.call("CONFIG", "GET", "notify-keyspace-events") == [
            b"notify-keyspace-events", b"glE"]
        psub(c)
        r.call("SET", "a", "1")
        r.call("RPUSH", "l", "x")
        r.call("DEL", "a")
        assert ev(c) == ("__keyevent@0__:rpush", "l")
        assert ev(c) == ("__keyevent@0__:del", "a")
        assert nothing_pending(c)
