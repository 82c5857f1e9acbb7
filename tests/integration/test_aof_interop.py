"""AOF interoperability (issue 9, multi-part AOF): the server under test
(VIREO_BIN) and the reference redis-server 7.0.15 (REDIS_BIN) read each
other's append-only directories, and redis-check-aof judges both alike.

Owns the two-server AOF checks; single-server AOF behaviour (fsync
policies, aof-load-truncated, CONFIG SET appendonly, INFO) is tested
elsewhere.

(a) the server under test writes an AOF directory (RDB or RESP base,
    with and without aof-timestamp-enabled, after a BGREWRITEAOF with an
    incr file after it, without a rewrite, after failed rewrites that leave
    several incr files, with names that the manifest must quote), holding
    every type and encoding of persistence_util plus expiring keys, several
    databases and MULTI/EXEC; it is stopped with SIGTERM; redis-check-aof
    says the manifest and every file are valid, and redis-server started
    on a copy has the same data (dataset_digest, absolute expire times
    within a second);
(b) the same with the roles swapped: redis-server writes, the server under
    test loads;
(c) an old-style single appendonly.aof (plain RESP, or a redis-server
    dump.rdb as RDB preamble followed by commands), as Redis <= 6 wrote it:
    the server under test moves it into the AOF directory, writes Redis
    7.0's manifest and log line, loads what redis-server loads, and
    redis-server then loads the directory it leaves;
(d) a truncated last incr file written by the server under test is
    reported by redis-check-aof (no --fix: nothing is modified) exactly as
    the same truncation of redis-server's file, and redis-server loads both
    (aof-load-truncated) into the same data.

Every test needs BGREWRITEAOF (skipped while the server under test has no
AOF). With VIREO_BIN=/usr/bin/redis-server they compare Redis with itself.
"""
import glob
import os
import re
import shutil
import signal
import struct
import subprocess
import time

import pytest

from integ_util import REDIS_BIN, SLOW, VIREO_BIN, wait_exit, wait_for
import persistence_util as pu
from persistence_util import FAR_TTL
# start(server_factory, binary, dir, *args): a server with debug commands;
# probe_streams: whether the server under test has streams (both must).
from test_persistence_interop import probe_streams as streams_ok, start

CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"
DEFAULT_NAMES = ("appendonlydir", "appendonly.aof")
# why: Redis quotes a manifest file name that needs it (sdscatrepr); the
# space makes both servers write and parse `file "my append.aof.2.base.aof"`.
SPACED_NAMES = ("aof dir", "my append.aof")
EXEC = b"*1\r\n$4\r\nEXEC\r\n"  # how Redis propagates EXEC (its shared object)

needs_aof = pytest.mark.requires_commands("bgrewriteaof")
# Why slow: two servers, big datasets and rewrites per case; CI runs these
# once on the release build (scripts/test-all.sh).
pytestmark = pytest.mark.slow

# name: (aof-use-rdb-preamble, aof-timestamp-enabled, (appenddirname,
# appendfilename), what happens between start and shutdown)
VARIANTS = {
    "preamble_rewrite": (True, False, DEFAULT_NAMES, "rewrite"),
    "preamble_ts_rewrite": (True, True, DEFAULT_NAMES, "rewrite"),
    "resp_rewrite": (False, False, DEFAULT_NAMES, "rewrite"),
    "resp_ts_rewrite": (False, True, DEFAULT_NAMES, "rewrite"),
    "preamble_no_rewrite": (True, False, DEFAULT_NAMES, "none"),
    "resp_ts_no_rewrite": (False, True, DEFAULT_NAMES, "none"),
    "preamble_failed_rewrites": (True, False, DEFAULT_NAMES, "failed"),
    "resp_spaced_names": (False, False, SPACED_NAMES, "rewrite"),
}
DIRECTIONS = {"redis_loads_ours": (VIREO_BIN, REDIS_BIN), "we_load_redis": (REDIS_BIN, VIREO_BIN)}


# ---------------------------------------------------------------------------
# Servers and files
# ---------------------------------------------------------------------------

def aof_args(preamble=True, ts=False, names=DEFAULT_NAMES):
    return ["--appendonly", "yes", "--appendfsync", "everysec",
            "--aof-use-rdb-preamble", "yes" if preamble else "no",
            "--aof-timestamp-enabled", "yes" if ts else "no",
            "--appenddirname", names[0], "--appendfilename", names[1]]


def sigterm(s):
    """Stops a server the way an operator does (the AOF is flushed and
    fsynced on the way out) and checks it exited cleanly."""
    s.proc.send_signal(signal.SIGTERM)
    rc = wait_exit(s.proc, 30)
    assert rc == 0, "exit %r after SIGTERM:\n%s" % (rc, s.read_log()[-3000:])
    s.stop()


def manifest_entry(name):
    """A file name as the manifest spells it (Redis's sdsneedsrepr +
    sdscatrepr for names with spaces, quotes or unprintable bytes)."""
    if all(c.isprintable() and c not in ' "\\\'' for c in name):
        return name
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def manifest_text(fname, entries):
    """The manifest Redis writes for [(seq, 'b'|'i', format suffix)]."""
    lines = []
    for seq, kind, ext in entries:
        name = fname if ext is None else "%s.%d.%s.%s" % (
            fname, seq, "base" if kind == "b" else "incr", ext)
        lines.append("file %s seq %d type %s\n" % (manifest_entry(name), seq, kind))
    return "".join(lines)


def manifest_files(aof_dir, fname):
    """[(file name, type)] from the manifest, in its order."""
    out = []
    with open(os.path.join(aof_dir, fname + ".manifest")) as f:
        for line in f:
            m = re.match(r'file ("(?:[^"\\]|\\.)*"|\S+) seq (\d+) type (\w)$', line.rstrip("\n"))
            assert m, "bad manifest line %r" % line
            name = m.group(1)
            if name.startswith('"'):
                name = re.sub(r"\\(.)", r"\1", name[1:-1])
            out.append((name, m.group(3)))
    return out


def read_manifest(aof_dir, fname):
    with open(os.path.join(aof_dir, fname + ".manifest")) as f:
        return f.read()


def check_aof(manifest_path):
    """redis-check-aof (no --fix): (exit code, stdout + stderr)."""
    p = subprocess.run([CHECK_AOF, manifest_path], capture_output=True, timeout=120 * SLOW,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def assert_check_aof_ok(aof_dir, fname, preamble):
    """redis-check-aof accepts the manifest: exit 0 and, per file of the
    manifest, its "is valid" (or "is empty") line, in Redis's words."""
    rc, out = check_aof(os.path.join(aof_dir, fname + ".manifest"))
    assert rc == 0, out
    assert "Start checking Multi Part AOF" in out, out
    files = manifest_files(aof_dir, fname)
    base = [n for n, t in files if t == "b"]
    if base:
        with open(os.path.join(aof_dir, base[0]), "rb") as f:
            rdb = f.read(5) == b"REDIS"
        # The base is an RDB exactly when aof-use-rdb-preamble was on.
        assert rdb == preamble, (base[0], preamble)
        assert "Start to check BASE AOF (%s format)." % ("RDB" if preamble else "RESP") in out, out
        assert re.search(r"^BASE AOF %s is (valid|empty)$" % re.escape(base[0]), out, re.M), out
    for n in [n for n, t in files if t == "i"]:
        assert re.search(r"^INCR AOF %s is (valid|empty)$" % re.escape(n), out, re.M), out
    assert out.rstrip().endswith("All AOF files and manifest are valid"), out


def wait_rewrite(c):
    """Waits for the end of a BGREWRITEAOF; returns its status."""
    pu.wait_info(c, "aof_rewrite_in_progress", "0", 60)
    pu.wait_info(c, "aof_rewrite_scheduled", "0", 60)
    return pu.info_field(c, "aof_last_bgrewrite_status")


def fork_child(pid):
    """The server's fork child (the rewrite), from /proc, checked to be
    a child of that very server."""
    def find():
        for f in glob.glob("/proc/%d/task/*/children" % pid):
            try:
                with open(f) as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            for k in kids:
                try:
                    with open("/proc/%d/stat" % k) as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                            return k
                except (OSError, ValueError, IndexError):
                    pass
        return None
    return wait_for(find, 10)


def expire_times(client):
    """{(db, key): PEXPIRETIME} of every key with a TTL."""
    out = {}
    for c, db, k in pu.each_key(client):
        t = c.execute_command("PEXPIRETIME", k)
        if t > 0:
            out[(db, k)] = t
    return out


def assert_same_expires(a, b, tolerance_ms=1000):
    """The same keys expire at the same absolute time (roughly)."""
    assert sorted(a) == sorted(b)
    off = {k: (a[k], b[k]) for k in a if abs(a[k] - b[k]) > tolerance_ms}
    assert not off, off


def state(client):
    pu.wait_loaded(client)
    return pu.dataset_digest(client), expire_times(client)


def assert_same_state(a, b):
    pu.assert_same_dataset(a[0], b[0])
    assert_same_expires(a[1], b[1])


# ---------------------------------------------------------------------------
# What the writer does
# ---------------------------------------------------------------------------

def more_writes(client, streams, tag="x"):
    """Writes after the dataset of populate_all_types, the kinds of
    commands an incr file holds: every type, expiring keys (some expire
    before the shutdown), several databases, MULTI/EXEC."""
    now = int(time.time())
    c = pu.conn(client, 0)
    p = c.pipeline(transaction=False)
    for i in range(500):
        p.execute_command("MSET", "%s:bulk:%d" % (tag, 2 * i), "v" * (i % 40),
                          "%s:bulk:%d" % (tag, 2 * i + 1), i)
    p.execute()
    c.set(tag + ":ex", "v", ex=3600)
    c.set(tag + ":px", "v", px=7_200_000)
    c.setex(tag + ":setex", 5000, "v")
    c.psetex(tag + ":psetex", 6_000_000, "v")
    c.set(tag + ":exat", "v", exat=now + 9000)
    c.set(tag + ":pxat", "v", pxat=(now + 9500) * 1000 + 123)
    c.set(tag + ":keepttl", "a", ex=3000)
    c.set(tag + ":keepttl", "b", keepttl=True)
    c.expire("l:long", 4000)
    c.pexpire("h:ht", 8_000_000)
    c.expireat("set:ht", now + 10000)
    c.pexpireat("z:sl", (now + 11000) * 1000 + 7)
    c.persist("ttl:l")
    c.getex("s:embstr", ex=12000)
    # Keys that are gone before the shutdown: expired (deleted when next
    # touched, which propagates a DEL), an expire in the past, a negative TTL.
    c.set(tag + ":short", "gone", px=30)
    c.rpush(tag + ":short:l", "a")
    c.pexpire(tag + ":short:l", 30)
    c.set(tag + ":past", "v")
    c.pexpireat(tag + ":past", 1000)
    c.set(tag + ":neg", "v")
    c.expire(tag + ":neg", -1)
    # Strings.
    c.incr(tag + ":n")
    c.incrby(tag + ":n", 41)
    c.decrby(tag + ":n", 2)
    c.incrbyfloat(tag + ":f", 1.25)   # propagated as SET ... KEEPTTL
    # why long: APPEND / SETRANGE make "raw" strings, which a reload from an
    # RDB turns into embstr when <= 44 bytes; beyond that both stay raw.
    c.append(tag + ":ex", "-appended" * 6)
    c.setrange(tag + ":range", 50, "abc")
    c.getset(tag + ":gs", "new")
    c.setnx(tag + ":nx", "first")
    c.msetnx({tag + ":m1": "1", tag + ":m2": "2"})
    c.getdel("s:float")
    c.set(tag + ":big", os.urandom(100_000))
    # Lists.
    c.rpush(tag + ":list", *range(300))
    c.lpush(tag + ":list", "head")
    c.linsert(tag + ":list", "BEFORE", "5", "five")
    c.lset(tag + ":list", 3, "three")
    c.lrem(tag + ":list", 1, "7")
    c.ltrim(tag + ":list", 0, 250)
    c.lpop(tag + ":list", 2)
    c.rpoplpush(tag + ":list", tag + ":list2")
    c.lmove(tag + ":list", tag + ":list2", "LEFT", "RIGHT")
    c.blpop([tag + ":list2"], 1)      # propagated as LPOP
    # Hashes.
    c.hset(tag + ":hash", mapping={"a": 1, "b": "two", "c": "3.5"})
    c.hsetnx(tag + ":hash", "d", "4")
    c.hincrby(tag + ":hash", "a", 10)
    c.hincrbyfloat(tag + ":hash", "c", 0.25)  # propagated as HSET
    c.hdel(tag + ":hash", "b")
    c.hset("h:lp", "added", "later")
    # Sets.
    c.sadd(tag + ":set", *range(20))
    c.srem(tag + ":set", 3, 4)
    c.spop(tag + ":set")                     # propagated as SREM
    c.smove(tag + ":set", tag + ":set2", 10)
    c.sadd(tag + ":sset", "a", "b", "c")
    c.sinterstore(tag + ":sinter", [tag + ":set", "set:i16"])
    c.sunionstore(tag + ":sunion", [tag + ":sset", "set:ht"])
    # Sorted sets.
    c.zadd(tag + ":zset", {"a": 1, "b": 2, "c": 3, "d": -1.5})
    c.zadd(tag + ":zset", {"a": 5}, gt=True)
    c.zincrby(tag + ":zset", 2.5, "b")
    c.zrem(tag + ":zset", "c")
    c.zpopmin(tag + ":zset")
    c.zunionstore(tag + ":zunion", [tag + ":zset", "z:lp"])
    c.zremrangebyscore("z:sl", 0, 20)
    c.bzpopmin([tag + ":zunion"], 1)          # propagated as ZPOPMIN
    if streams:
        c.xadd(tag + ":xs", {"f": "v"}, id="1-1")
        c.xadd(tag + ":xs", {"f": "w"}, maxlen=10, approximate=False)
        c.xdel("x:stream", c.xrange("x:stream", count=1)[0][0])
    # Generic.
    c.rename(tag + ":gs", tag + ":renamed")
    c.renamenx(tag + ":nx", tag + ":renamednx")
    c.delete("s:compressible")
    c.unlink("s:random")
    c.restore(tag + ":restored", 0, c.dump("h:lp"))
    c.set(tag + ":move", "moved")
    c.move(tag + ":move", 5)
    c.copy(tag + ":hash", tag + ":hash-copy", destination_db=6)
    c.swapdb(1, 2)
    c.execute_command("SELECT", 7)
    c.set("flushed", "1")
    c.flushdb()
    c.close()
    # MULTI/EXEC: across databases, with a failing command (the rest is
    # still applied and propagated), discarded, read-only, with expires.
    d = pu.conn(client, 3)
    p = d.pipeline(transaction=True)
    p.set("t:a", 1).incr("t:a").rpush("t:l", "a", "b", "c").hset("t:h", "f", "v")
    p.execute_command("SELECT", 4)
    p.set("t:other", "x").zadd("t:z", {"a": 1}).expire("t:other", 4000)
    p.execute()
    d.close()
    d = pu.conn(client, 3)
    p = d.pipeline(transaction=True)
    p.set("t:ok", 1).lpush("t:ok", "x").set("t:after", 2).set("t:ttl", "v", px=5_000_000)
    p.execute(raise_on_error=False)
    d.execute_command("MULTI")
    d.execute_command("SET", "t:discarded", 1)
    d.execute_command("DISCARD")
    p = d.pipeline(transaction=True)
    p.get("t:a").exists("t:l")
    p.execute()
    d.close()
    # Let the short TTLs pass and touch those keys (the DELs go to the AOF).
    time.sleep(0.1)
    c = pu.conn(client, 0)
    assert c.exists(tag + ":short", tag + ":short:l", tag + ":past", tag + ":neg") == 0
    c.close()


def write_aof(server_factory, binary, d, variant, streams):
    """Runs `variant` on `binary` in `d`, stops it with SIGTERM and checks
    the files (manifest, names, timestamps, redis-check-aof). Returns the
    state before the shutdown and the AOF directory."""
    preamble, ts, names, scenario = VARIANTS[variant]
    s = start(server_factory, binary, d, *aof_args(preamble, ts, names))
    c = s.client()
    pu.populate_all_types(c, streams=streams)
    base_ext = "rdb" if preamble else "aof"
    if scenario == "rewrite":
        assert c.bgrewriteaof()
        assert wait_rewrite(c) == "ok", s.read_log()[-3000:]
        expect = [(2, "b", base_ext), (2, "i", "aof")]
    elif scenario == "failed":
        # Redis's aof-multi-part.tcl "AOF multiple rewrite failures will
        # open multiple INCR AOFs": each BGREWRITEAOF opens a new incr file
        # first; its child is killed, so no base replaces the first one.
        c.config_set("rdb-key-save-delay", 1_000_000)
        for i in range(2):
            assert c.bgrewriteaof()
            child = fork_child(s.pid)
            assert child, "no rewrite child:\n" + s.read_log()[-2000:]
            os.kill(child, signal.SIGKILL)
            assert wait_rewrite(c) == "err"
            c.set("between:%d" % i, i)
            c.rpush("between:l", i)
        c.config_set("rdb-key-save-delay", 0)
        expect = [(1, "b", base_ext), (1, "i", "aof"), (2, "i", "aof"), (3, "i", "aof")]
    else:
        expect = [(1, "b", base_ext), (1, "i", "aof")]
    if ts:
        # why: Redis annotates only when the second changed since the last
        # #TS line (never reset per file): the incr file after a rewrite
        # gets one only in a new second.
        time.sleep(1.1)
    more_writes(c, streams)
    before = state(c)
    sigterm(s)
    aof_dir = os.path.join(str(d), names[0])
    assert read_manifest(aof_dir, names[1]) == manifest_text(names[1], expect)
    # History files are deleted (in the background) after a rewrite: only
    # the manifest's files stay.
    want = sorted([n for n, _ in manifest_files(aof_dir, names[1])] + [names[1] + ".manifest"])
    assert wait_for(lambda: sorted(os.listdir(aof_dir)) == want, 10), (os.listdir(aof_dir), want)
    annotated = False
    for n in want:
        with open(os.path.join(aof_dir, n), "rb") as f:
            data = f.read()
        annotated |= re.search(rb"(^|\n)#TS:\d+\r\n", data) is not None
    assert annotated == ts
    assert_check_aof_ok(aof_dir, names[1], preamble)
    return before, aof_dir


def load_aof(server_factory, binary, aof_dir, d, variant):
    """`binary` started on a copy of `aof_dir` with the same AOF names."""
    preamble, ts, names, _ = VARIANTS[variant]
    d.mkdir()
    shutil.copytree(aof_dir, str(d / names[0]))
    s = start(server_factory, binary, d, *aof_args(preamble, ts, names))
    return s, s.client()


# ---------------------------------------------------------------------------
# (a) and (b): AOF directories both ways
# ---------------------------------------------------------------------------

@needs_aof
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_aof_dir_across_servers(server_factory, tmp_path, direction, variant):
    writer, loader = DIRECTIONS[direction]
    streams = streams_ok(server_factory, tmp_path)
    before, aof_dir = write_aof(server_factory, writer, tmp_path / "writer", variant, streams)
    _, c = load_aof(server_factory, loader, aof_dir, tmp_path / "loader", variant)
    assert_same_state(before, state(c))


@needs_aof
def test_aof_dir_round_trip_through_both(server_factory, tmp_path):
    """ours writes -> redis-server loads and appends to our last incr file
    -> ours loads that: redis-server's final data."""
    streams = streams_ok(server_factory, tmp_path)
    variant = "preamble_rewrite"
    _, aof_dir = write_aof(server_factory, VIREO_BIN, tmp_path / "ours", variant, streams)
    ref, c = load_aof(server_factory, REDIS_BIN, aof_dir, tmp_path / "redis", variant)
    pu.wait_loaded(c)
    more_writes(c, streams, tag="y")
    after = state(c)
    sigterm(ref)
    redis_dir = str(tmp_path / "redis" / DEFAULT_NAMES[0])
    assert_check_aof_ok(redis_dir, DEFAULT_NAMES[1], True)
    _, c2 = load_aof(server_factory, VIREO_BIN, redis_dir, tmp_path / "ours2", variant)
    assert_same_state(after, state(c2))


# ---------------------------------------------------------------------------
# (c) upgrading an old-style appendonly.aof
# ---------------------------------------------------------------------------

def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def old_commands(far_ms):
    """What Redis <= 6 appended: SELECT first, absolute PEXPIREATs,
    MULTI/EXEC, several databases, command names in any case."""
    return b"".join([
        resp("SELECT", 0), resp("SET", "old:str", "hello"), resp("set", "old:int", 42),
        resp("RPUSH", "old:list", "a", "b", "c"), resp("HSET", "old:hash", "f1", "v1", "f2", 2),
        resp("SADD", "old:iset", 1, 2, 3), resp("SADD", "old:sset", "a", "b"),
        resp("ZADD", "old:zset", 1, "a", 2.5, "b"), resp("SET", "old:ttl", "v"),
        resp("PEXPIREAT", "old:ttl", far_ms), resp("MULTI"), resp("INCR", "old:int"),
        resp("LPUSH", "old:list", "z"), resp("EXEC"), resp("SELECT", 3),
        resp("SET", "old:str", "db3"), resp("DEL", "old:none"), resp("SELECT", 0),
        resp("APPEND", "old:str", " world" * 10),  # raw before and after a reload
    ])


def rdb_with_aux(rdb, key, value):
    """A dump.rdb with one more AUX field after the header and a new CRC64
    (Redis <= 6 marked its preambles with AUX aof-preamble 1)."""
    def s(b):  # short strings: a 6-bit length, or an int8 for small ints
        if b.isdigit() and int(b) < 128:
            return b"\xc0" + bytes([int(b)])
        return bytes([len(b)]) + b
    body = rdb[:9] + b"\xfa" + s(key) + s(value) + rdb[9:-8]
    return body + struct.pack("<Q", pu.crc64(body))


def old_style_file(server_factory, tmp_path, kind, streams):
    far_ms = (int(time.time()) + FAR_TTL) * 1000
    if kind == "resp":
        return old_commands(far_ms)
    src = start(server_factory, REDIS_BIN, tmp_path / "src")
    c = src.client()
    pu.populate_all_types(c, streams=streams)
    assert c.save()
    src.stop()
    with open(str(tmp_path / "src" / "dump.rdb"), "rb") as f:
        rdb = f.read()
    return rdb_with_aux(rdb, b"aof-preamble", b"1") + old_commands(far_ms)


def upgrade(server_factory, binary, d, data, names, *args):
    d.mkdir()
    with open(str(d / names[1]), "wb") as f:
        f.write(data)
    s = start(server_factory, binary, d, *aof_args(True, False, names), *args)
    return s, s.client()


UPGRADES = {  # name: (old file, names, BGREWRITEAOF after the upgrade)
    "resp": ("resp", DEFAULT_NAMES, False),
    "preamble_then_rewrite": ("preamble", DEFAULT_NAMES, True),
    "resp_spaced_names_then_rewrite": ("resp", ("aof dir", "old style.aof"), True),
}


@needs_aof
@pytest.mark.parametrize("case", list(UPGRADES))
def test_old_style_aof_upgrade(server_factory, tmp_path, case):
    kind, names, rewrite = UPGRADES[case]
    dirname, fname = names
    streams = streams_ok(server_factory, tmp_path)
    data = old_style_file(server_factory, tmp_path, kind, streams)
    _, rc = upgrade(server_factory, REDIS_BIN, tmp_path / "redis", data, names)
    want = state(rc)
    s, c = upgrade(server_factory, VIREO_BIN, tmp_path / "ours", data, names)
    got = state(c)
    assert_same_state(want, got)
    log = s.read_log()
    assert ("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s)."
            % (fname, dirname)) in log, log
    if kind == "preamble":
        assert "Reading RDB preamble from AOF file..." in log, log
    ours = tmp_path / "ours"
    aof_dir = str(ours / dirname)
    # The old file is moved (not copied) and becomes the base, named as it
    # was; the first incr file is created next to it.
    assert not os.path.exists(str(ours / fname))
    with open(os.path.join(aof_dir, fname), "rb") as f:
        assert f.read() == data
    assert read_manifest(aof_dir, fname) == manifest_text(fname, [(1, "b", None), (1, "i", "aof")])
    c.set("after:upgrade", 1)
    c.rpush("old:list", "tail")
    if rewrite:
        assert c.bgrewriteaof()
        assert wait_rewrite(c) == "ok", s.read_log()[-3000:]
        c.set("after:rewrite", 2)
        assert read_manifest(aof_dir, fname) == manifest_text(fname, [(2, "b", "rdb"), (2, "i", "aof")])
        # The old file became history and is deleted.
        assert wait_for(lambda: not os.path.exists(os.path.join(aof_dir, fname)), 10)
    final = state(c)
    sigterm(s)
    assert_check_aof_ok(aof_dir, fname, rewrite or kind == "preamble")
    d = tmp_path / "redis2"
    d.mkdir()
    shutil.copytree(aof_dir, str(d / dirname))
    ref = start(server_factory, REDIS_BIN, d, *aof_args(True, False, names))
    assert_same_state(final, state(ref.client()))
    assert "Successfully migrated" not in ref.read_log()


# ---------------------------------------------------------------------------
# (d) a truncated last incr file, as redis-check-aof sees it
# ---------------------------------------------------------------------------

def write_incr(server_factory, binary, d):
    """The same commands, on the same single connection, into a fresh AOF
    of `binary`; returns (AOF dir, the incr file's name)."""
    s = start(server_factory, binary, d, *aof_args(True, False))
    c = pu.conn(s.client(), 0)
    for i in range(50):
        c.execute_command("SET", "k:%d" % i, "v" * i)
    c.execute_command("RPUSH", "list", *range(20))
    c.execute_command("HSET", "hash", "a", 1, "b", 2)
    p = c.pipeline(transaction=True)
    p.execute_command("SET", "t", 1).execute_command("INCR", "t").execute_command("RPUSH", "tl", "a")
    p.execute()
    c.execute_command("SET", "last", "value-of-the-last-command")
    c.close()
    sigterm(s)
    aof_dir = os.path.join(str(d), DEFAULT_NAMES[0])
    files = manifest_files(aof_dir, DEFAULT_NAMES[1])
    assert [t for _, t in files] == ["b", "i"], files
    return aof_dir, files[-1][0]


def cut(data, how):
    if how == "mid_command":
        return data[:-7]
    if how == "inside_multi":
        assert EXEC in data, "no EXEC in the incr file"
        return data[:data.rindex(EXEC)]
    return data + b"*3\r\n$3\r\nSET\r\n$4\r\nlast"  # a torn write


@needs_aof
@pytest.mark.parametrize("how", ["mid_command", "inside_multi", "torn_append"])
def test_check_aof_reports_truncation_as_for_redis(server_factory, tmp_path, how):
    reports, states = {}, {}
    for label, binary in (("ours", VIREO_BIN), ("redis", REDIS_BIN)):
        aof_dir, incr = write_incr(server_factory, binary, tmp_path / label)
        path = os.path.join(aof_dir, incr)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(cut(data, how))
        rc, out = check_aof(os.path.join(aof_dir, DEFAULT_NAMES[1] + ".manifest"))
        assert "BASE AOF %s.1.base.rdb is valid" % DEFAULT_NAMES[1] in out, out
        # The base's RDB lines carry ctime and used-mem: compare from the
        # incr files on.
        reports[label] = (rc, out[out.index("Start to check INCR files."):])
        # redis-server loads it (aof-load-truncated yes, the default).
        d = tmp_path / (label + "-load")
        d.mkdir()
        shutil.copytree(aof_dir, str(d / DEFAULT_NAMES[0]))
        ref = start(server_factory, REDIS_BIN, d, *aof_args(True, False))
        states[label] = state(ref.client())
    rc, out = reports["redis"]
    assert rc == 1, out
    assert re.search(r"^AOF analyzed: filename=\S+\.incr\.aof, size=\d+, ok_up_to=\d+, "
                     r"ok_up_to_line=\d+, diff=[1-9]\d*$", out, re.M), out
    assert "is not valid. Use the --fix option to try fixing it." in out, out
    if how == "inside_multi":
        assert "Reached EOF before reading EXEC for MULTI" in out, out
    assert reports["ours"] == reports["redis"]
    assert_same_state(states["redis"], states["ours"])
