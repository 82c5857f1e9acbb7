"""The append-only file of the server under test: loading AOFs written by
the test (truncated, corrupt, unfinished MULTI, unknown command, timestamp
annotations, files fixed or truncated by redis-check-aof), what commands put
in the AOF (GETEX nothing, FLUSHDB/FLUSHALL always, EXPIRE -1, SPOP,
LMPOP/ZMPOP and their blocking forms), `appendfsync always` acknowledging a
write only after it reached the file, `aof-timestamp-enabled`, a rewrite
racing a benchmark, and: nothing acknowledged is lost by a SIGKILL under
`appendfsync always`, BGREWRITEAOF under a concurrent write load, and a
failing AOF write (-MISCONF with everysec, exit with always).

Ported from Redis 7.0.15's tests/integration/aof.tcl and aof-race.tcl (the
multi-part manifest cases are in test_aof_multipart.py). Every expectation is
redis-server's: run with VIREO_BIN=/usr/bin/redis-server to validate.
"""
import os
import random
import shutil
import subprocess
import time

import pytest

from integ_util import REDIS_BENCHMARK, SLOW, Closed, Raw, RespError, wait_for
import aof_util as au
import persistence_util as pu
from aof_util import AofDir, resp, start_aof

CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"
INCR1_ONLY = "file appendonly.aof.1.incr.aof seq 1 type i\n"
BASE1_INCR1 = ("file appendonly.aof.1.base.aof seq 1 type b\n", INCR1_ONLY)
# Redis's loader messages (aof.c), grepped as aof.tcl does.
BAD_FORMAT = "Bad file format reading the append only file"
UNEXPECTED_EOF = "Unexpected end of file reading the append only file"
# Six timestamp annotations around three SETs (aof.tcl).
TS_AOF = ("#TS:1628217470\r\n", resp("set", "foo1", "bar1"), "#TS:1628217471\r\n",
          resp("set", "foo2", "bar2"), "#TS:1628217472\r\n", "#TS:1628217473\r\n",
          resp("set", "foo3", "bar3"), "#TS:1628217474\r\n")


def incr_only(tmp_path, *chunks):
    """The layout most aof.tcl cases use: one INCR file and its manifest."""
    a = AofDir(tmp_path)
    a.write(a.incr(1), *chunks)
    a.write_manifest(INCR1_ONLY)
    return a


def check_aof(*args, input=None):
    p = subprocess.run([CHECK_AOF] + [str(x) for x in args], input=input,
                       capture_output=True, timeout=60 * SLOW)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


def last_log_line(s):
    lines = [ln for ln in au.server_log(s).splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def client(s, db=0):
    c = s.client(decode_responses=True, db=db)
    au.wait_done_loading(c)
    return c


# ---------------------------------------------------------------------------
# Loading truncated and corrupt AOFs
# ---------------------------------------------------------------------------

def test_unfinished_multi_starts_with_load_truncated(server_factory, tmp_path):
    # "Unfinished MULTI: Server should start if load-truncated is yes"
    incr_only(tmp_path, resp("set", "foo", "hello"), resp("multi"), resp("set", "bar", "world"))
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "yes")
    assert s.alive()
    c = client(s)
    # why: the unfinished transaction is cut off, the SET before it stays.
    assert c.get("foo") == "hello" and c.get("bar") is None


def test_short_read_loads_and_appends(server_factory, tmp_path):
    # "Short read: Server should start if load-truncated is yes",
    # "Truncated AOF loaded: we expect foo to be equal to 5", "Append a new
    # command after loading an incomplete AOF", "... equal to 6 now"
    incr = resp("incr", "foo")
    incr_only(tmp_path, *([incr] * 5), incr[:-1])
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "yes")
    c = client(s)
    assert c.get("foo") == "5"
    # why: Redis truncates the file to the last whole command before it
    # appends, so the new INCR is readable on the next start.
    assert c.incr("foo") == 6
    au.wait_log(s, "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated "
                   "is enabled")
    s = au.restart(server_factory, s, "--aof-load-truncated", "yes")
    assert client(s).get("foo") == "6"


@pytest.mark.parametrize("chunks,truncated,pattern", [
    # "Bad format: Server should have logged an error"
    ((resp("set", "foo", "hello"), "!!!", resp("set", "foo", "hello")), "yes", BAD_FORMAT),
    # "Unfinished MULTI: Server should have logged an error"
    ((resp("set", "foo", "hello"), resp("multi"), resp("set", "bar", "world")), "no",
     UNEXPECTED_EOF),
    # "Short read: Server should have logged an error"
    ((resp("set", "foo", "hello"), resp("set", "bar", "world")[:-1]), "no", UNEXPECTED_EOF),
    # "Unknown command: Server should have logged an error"
    ((resp("set", "foo", "hello"), resp("bla", "foo", "hello"), resp("set", "foo", "hello")),
     "yes", "Unknown command 'bla' reading the append only file"),
], ids=["bad-format", "unfinished-multi", "short-read", "unknown-command"])
def test_bad_aof_refused(server_factory, tmp_path, chunks, truncated, pattern):
    incr_only(tmp_path, *chunks)
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", truncated, wait=False)
    au.assert_refused(s, pattern)
    # why: aof.tcl reads `tail -1` of the log: the error is the last line.
    assert pattern in last_log_line(s)


def test_check_aof_fix_then_start(server_factory, tmp_path):
    # "Short read: Utility should confirm the AOF is not valid", "... show
    # the abnormal line num in AOF", "... be able to fix the AOF", "Fixed
    # AOF: Server should have been started", "Fixed AOF: Keyspace should
    # contain values that were parseable"
    a = incr_only(tmp_path, resp("set", "foo", "hello"), resp("set", "bar", "world")[:-1])
    assert "not valid" in check_aof(a.manifest)[1]
    a.write(a.incr(1), resp("set", "foo", "hello"), "!!!")
    assert "ok_up_to_line=8" in check_aof(a.manifest)[1]
    assert "Successfully truncated AOF" in check_aof("--fix", a.manifest, input=b"y\n")[1]
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "no")
    c = client(s)
    assert c.get("foo") == "hello" and c.get("bar") is None


# ---------------------------------------------------------------------------
# Commands replayed from the AOF
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("pop", [("spop", "set"), ("spop", "set", "2")], ids=["spop", "count"])
def test_spop_replayed(server_factory, tmp_path, pop):
    # "AOF+SPOP: Server should have been started", "AOF+SPOP: Set should have
    # 1 member" (SPOP rewrites its argv; SPOP with a count uses
    # alsoPropagate()): three SADDs for the count case, two otherwise.
    members = ["foo", "bar"] + (["gah"] if len(pop) == 3 else [])
    incr_only(tmp_path, *[resp("sadd", "set", m) for m in members], resp(*pop))
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "no")
    assert client(s).scard("set") == 1


def test_pexpireat_in_the_past_replayed(server_factory, tmp_path):
    # "AOF+EXPIRE: List should be empty": while loading, an expire in the
    # past does not delete the key (the RPUSH after it extends the same
    # list); the key is expired once the server serves.
    incr_only(tmp_path, resp("rpush", "list", "foo"), resp("pexpireat", "list", "1000"),
              resp("rpush", "list", "bar"))
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "no")
    assert client(s).llen("list") == 0


def test_expire_minus_one(server_factory, tmp_path):
    # "Redis should not try to convert DEL into EXPIREAT for EXPIRE -1"
    s = start_aof(server_factory, tmp_path, "--appendfsync", "always")
    c = client(s)
    aof = au.get_last_incr_aof_path(c)
    assert c.set("x", 10) and c.expire("x", -1) == 1
    assert c.exists("x") == 0
    # why: an expire in the past deletes the key and propagates a DEL.
    au.assert_aof_content(aof, ["select *", "set x 10", "del x"])


@pytest.mark.slow
def test_fsync_always_barrier(server_factory, tmp_path):
    # "AOF fsync always barrier issue": the reply of a write must not leave
    # before the write reached the AOF. DEBUG AOF-FLUSH-SLEEP stalls the
    # flush; a big GET reply still being written to the socket must not let
    # the INCR's reply overtake the file write.
    s = start_aof(server_factory, tmp_path, "--appendfsync", "always")
    c = client(s)
    rd = Raw(s.port, timeout=30)
    try:
        for _ in range(10):
            c.execute_command("DEBUG", "AOF-FLUSH-SLEEP", 0)
            c.delete("x")
            c.setrange("x", random.randint(10_000_000, 15_000_000), "x")
            c.execute_command("DEBUG", "AOF-FLUSH-SLEEP", 500000)
            aof = au.get_last_incr_aof_path(c)
            size1 = os.path.getsize(aof)
            rd.cmd("get", "x")
            time.sleep(random.random() * 0.03)
            rd.cmd("incr", "new_value")
            rd.read_reply()
            assert isinstance(rd.read_reply(), int)
            assert os.path.getsize(aof) != size1
    finally:
        rd.close()
        c.execute_command("DEBUG", "AOF-FLUSH-SLEEP", 0)


def test_getex_without_options_not_in_aof(server_factory, tmp_path):
    # "GETEX should not append to AOF"
    s = start_aof(server_factory, tmp_path)
    c = client(s)
    aof = au.get_last_incr_aof_path(c)
    c.set("foo", "bar")
    before = os.path.getsize(aof)
    assert c.getex("foo") == "bar"
    assert os.path.getsize(aof) == before


# The aof.tcl script: pop everything from the first two keys (the blocking
# form on a key that has elements, then a client blocked until a push), and
# leave two elements in the third key. (type, create commands, steps, check)
MPOP_CASES = {
    "list": ([("lpush", "mylist", "a", "b", "c"), ("rpush", "mylist2", "1", "2", "3"),
              ("lpush", "mylist3", "a", "b", "c", "d", "e")],
             ["lmpop 1 mylist left count 1", "blmpop 0 1 mylist left count 10",
              "blmpop 0 2 mylist mylist2 right count 10", "lmpop 2 mylist mylist2 right count 2",
              "BLOCK blmpop 0 2 mylist mylist2 left count 2", "lpush mylist2 a b c",
              "blmpop 0 3 mylist mylist2 mylist3 left count 1",
              "blmpop 0 3 mylist mylist2 mylist3 right count 3"], ("llen", "mylist3")),
    "zset": ([("zadd", "myzset", 1, "one", 2, "two", 3, "three"),
              ("zadd", "myzset2", 4, "four", 5, "five", 6, "six"),
              ("zadd", "myzset3", 1, "one", 2, "two", 3, "three", 4, "four", 5, "five")],
             ["zmpop 1 myzset min count 1", "bzmpop 0 1 myzset min count 10",
              "bzmpop 0 2 myzset myzset2 max count 10", "zmpop 2 myzset myzset2 max count 2",
              "BLOCK bzmpop 0 2 myzset myzset2 min count 2", "zadd myzset2 1 one 2 two 3 three",
              "bzmpop 0 3 myzset myzset2 myzset3 min count 1",
              "bzmpop 0 3 myzset myzset2 myzset3 max count 3"], ("zcard", "myzset3")),
}


@pytest.mark.parametrize("kind", sorted(MPOP_CASES))
def test_mpop_replayed(server_factory, tmp_path, kind):
    # "AOF+LMPOP/BLMPOP: pop elements from the list" / "... after pop
    # elements from the list", and the ZMPOP/BZMPOP pair: the pops (blocking
    # or not, one key or the first non-empty of several) are written to the
    # AOF so that the restart sees the same keys.
    create, steps, (card, last) = MPOP_CASES[kind]
    incr_only(tmp_path, *[resp(*cmd) for cmd in create])
    s = start_aof(server_factory, tmp_path, "--aof-load-truncated", "no")
    c = client(s)
    blocked = Raw(s.port)
    try:
        for step in steps:
            if step.startswith("BLOCK "):
                blocked.cmd(*step.split()[1:])
                ok = wait_for(lambda: pu.info_field(c, "blocked_clients", "clients") == "1")
                assert ok, "client never blocked"
            else:
                c.execute_command(*step.split())
        assert blocked.read_reply()[1] is not None
    finally:
        blocked.close()
    first, second = create[0][1], create[1][1]
    s = au.restart(server_factory, s, "--aof-load-truncated", "no")
    c = client(s)
    assert c.exists(first, second) == 0
    assert c.execute_command(card, last) == 2


# ---------------------------------------------------------------------------
# Timestamp annotations and redis-check-aof
# ---------------------------------------------------------------------------

def test_timestamp_annotations_generated(server_factory, tmp_path):
    # "Generate timestamp annotations in AOF"
    s = start_aof(server_factory, tmp_path)
    c = client(s)
    c.config_set("aof-timestamp-enabled", "yes")
    c.config_set("aof-use-rdb-preamble", "no")
    aof = au.get_last_incr_aof_path(c)
    c.set("foo", "bar")
    with open(aof, "rb") as f:
        assert f.readline().startswith(b"#TS:")
    ts, select, cmd = au.read_aof_commands(aof, annotations=True)
    assert ts[0].startswith("#TS:") and select[0] == "select" and cmd == ["set", "foo", "bar"]
    c.bgrewriteaof()
    au.wait_rewrite_done(c)
    with open(au.get_base_aof_path(c), "rb") as f:
        assert f.readline().startswith(b"#TS:")


def test_timestamp_annotations_loaded_and_truncated(server_factory, tmp_path):
    # "Successfully load AOF which has timestamp annotations inside",
    # "Truncate AOF to specific timestamp": redis-check-aof cuts the file at
    # the first annotation after the timestamp; the server loads the rest.
    a = incr_only(tmp_path, *TS_AOF)
    s = start_aof(server_factory, tmp_path)
    c = client(s)
    assert [c.get("foo1"), c.get("foo2"), c.get("foo3")] == ["bar1", "bar2", "bar3"]
    au.shutdown(s)
    for ts, want in [(1628217473, ["bar1", "bar2", "bar3"]),
                     (1628217471, ["bar1", "bar2", None]),
                     (1628217470, ["bar1", None, None])]:
        rc, out = check_aof("--truncate-to-timestamp", ts, a.manifest)
        assert rc == 0, out
        s = start_aof(server_factory, tmp_path)
        c = client(s)
        assert [c.get("foo1"), c.get("foo2"), c.get("foo3")] == want
        au.shutdown(s)
    assert "aborting" in check_aof("--truncate-to-timestamp", 1628217469, a.manifest)[1]


def _old_resp(a):
    a.write(a.incr(1), resp("set", "foo", "hello"), resp("set", "bar", "world"))
    return a.incr(1)


def _old_preamble(a):
    a.write(a.incr(1), au.RDB_PREAMBLE_AOF)
    return a.incr(1)


def _multi(base):
    def make(a):
        a.write(a.base(1), *base)
        a.write(a.incr(1), resp("set", "foo", "hello"), resp("set", "bar", "world"))
        a.write_manifest(*BASE1_INCR1)
        return a.manifest
    return make


# (layout, redis-check-aof options, what its output must contain, in order)
CHECK_AOF_CASES = {
    "old-style-resp": (_old_resp, (), ["Start checking Old-Style AOF", "is valid"]),
    "old-style-rdb-preamble": (_old_preamble, (), [
        "Start checking Old-Style AOF", "RDB preamble is OK, proceeding with AOF tail",
        "is valid"]),
    "multi-part-resp-base": (_multi([resp("set", "foo", "hello"), resp("set", "bar", "world")]),
                             (), ["Start checking Multi Part AOF",
                                  "Start to check BASE AOF (RESP format)", "BASE AOF", "is valid",
                                  "Start to check INCR files", "INCR AOF", "is valid",
                                  "All AOF files and manifest are valid"]),
    "multi-part-rdb-base": (_multi([au.RDB_PREAMBLE_AOF]), (), [
        "Start checking Multi Part AOF", "Start to check BASE AOF (RDB format)",
        "DB preamble is OK, proceeding with AOF tail", "BASE AOF", "is valid",
        "Start to check INCR files", "INCR AOF", "is valid",
        "All AOF files and manifest are valid"]),
    "fix-only-last-file": (
        _multi([resp("set", "foo", "hello"), resp("multi"), resp("set", "bar", "world")]),
        ("--fix",), ["Failed to truncate AOF", "because it is not the last file"]),
    "truncate-only-last-file": (_multi(TS_AOF), ("--truncate-to-timestamp", 1628217473),
                                ["Failed to truncate AOF", "to timestamp",
                                 "because it is not the last file"]),
}


@pytest.mark.parametrize("case", list(CHECK_AOF_CASES))
def test_redis_check_aof_on_layouts(tmp_path, case):
    # "Test redis-check-aof for old style resp AOF", "... old style
    # rdb-preamble AOF", "... Multi Part AOF with resp AOF base", "... with
    # rdb-preamble AOF base", "... only truncates the last file for Multi Part
    # AOF in fix mode", "... in truncate-to-timestamp mode". These check that
    # the layouts the other tests write are the ones Redis's tool reads.
    make, opts, want = CHECK_AOF_CASES[case]
    target = make(AofDir(tmp_path))
    out = check_aof(*opts, target)[1]
    pos = 0
    for piece in want:
        i = out.find(piece, pos)
        assert i >= 0, "%r not found after offset %d in:\n%s" % (piece, pos, out)
        pos = i + len(piece)


# ---------------------------------------------------------------------------
# Scripts in the AOF (need EVAL: skipped while the server has none)
# ---------------------------------------------------------------------------

@pytest.mark.requires_commands("eval")
def test_slow_script_from_aof(server_factory, tmp_path):
    # "EVAL timeout with slow verbatim Lua script from AOF": a script that
    # outlives lua-time-limit while loading leaves clients with -LOADING.
    s = start_aof(server_factory, tmp_path, "--lua-time-limit", 1,
                  "--aof-use-rdb-preamble", "no")
    client(s)
    # why: the server made base 1 + incr 1 at start; the INCR is replaced.
    a = AofDir(tmp_path)
    a.write(a.incr(1), resp("select", 9), resp(
        "eval", "redis.call('set',KEYS[1],'y'); for i=1,1500000 do redis.call('ping') end "
        "return 'ok'", 1, "x"))
    rd = Raw(s.port, timeout=60)
    try:
        rd.cmd("debug", "loadaof")
        probe = Raw(s.port)
        try:
            got = wait_for(lambda: isinstance(probe.call("ping"), RespError), 5)
            assert got and probe.call("ping").startswith(b"LOADING")
        finally:
            probe.close()
        assert rd.read_reply() == b"OK"
    finally:
        rd.close()
    au.wait_log(s, "Slow script detected")
    assert s.client(db=9).get("x") == b"y"


@pytest.mark.requires_commands("eval", "replicaof")
def test_eval_writes_from_aof_on_read_only_replica(server_factory, tmp_path):
    # "EVAL can process writes from AOF in read-only replicas"
    incr_only(tmp_path, resp("select", 9),
              resp("eval", 'redis.call("set",KEYS[1],"100")', 1, "foo"),
              resp("eval", 'redis.call("incr",KEYS[1])', 1, "foo"),
              resp("eval", 'redis.call("incr",KEYS[1])', 1, "foo"))
    s = start_aof(server_factory, tmp_path, "--replica-read-only", "yes",
                  "--replicaof", "127.0.0.1 0")
    assert client(s, db=9).get("foo") == "102"


# ---------------------------------------------------------------------------
# What the AOF holds
# ---------------------------------------------------------------------------

def test_flushdb_flushall_persist(server_factory, tmp_path):
    # "FLUSHDB / FLUSHALL should persist in AOF": each one is written, even
    # on empty databases.
    s = start_aof(server_factory, tmp_path, "--appendfsync", "always")
    c = client(s)
    aof = au.get_last_incr_aof_path(c)
    c.set("key", "value"); c.flushdb(); c.set("key", "value2"); c.flushdb()  # noqa: E702
    for _ in range(3):
        c.flushdb()
    c.set("key", "value"); c.flushall(); c.set("key", "value2"); c.flushall()  # noqa: E702
    for _ in range(3):
        c.flushall()
    au.assert_aof_content(aof, [
        "select *", "set key value", "flushdb", "set key value2", "flushdb", "flushdb",
        "flushdb", "flushdb", "set key value", "flushall", "set key value2", "flushall",
        "flushall", "flushall", "flushall"])


@pytest.mark.slow
def test_rewrite_during_benchmark(server_factory, tmp_path):
    # aof-race.tcl: buffers of a finished rewrite child were appended again
    # to the new AOF (duplicate commands). 20 clients INCR while a rewrite
    # runs; the count is exact, before and after a restart.
    args = ("--aof-use-rdb-preamble", "no")
    s = start_aof(server_factory, tmp_path, *args)
    c = client(s)
    bench = subprocess.Popen([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(s.port), "-q",
                              "-c", "20", "-n", "20000", "incr", "foo"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: c.get("foo") is not None, 10)
        c.bgrewriteaof()
        assert bench.wait(timeout=120 * SLOW) == 0
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
    assert c.get("foo") == "20000"
    au.wait_rewrite_done(c)
    s = au.restart(server_factory, s, *args)
    assert client(s).get("foo") == "20000"


# ---------------------------------------------------------------------------
# Durability (issue 9: kill -9 under `appendfsync always`, rewrite under load)
# ---------------------------------------------------------------------------

def write_mixed(c, n=2000):
    """About `n` keys over every type and two databases, through single
    commands, pipelines and MULTI/EXEC, with EXPIRE, PERSIST, DEL and INCR;
    every reply is read (acknowledged)."""
    rng = random.Random(7)
    for i in range(0, n // 2, 100):
        p = c.pipeline(transaction=False)
        for j in range(i, i + 100):
            p.set("s:%d" % j, "v%d-%s" % (j, "x" * rng.randint(0, 60)))
            p.rpush("l:%d" % (j % 50), j)
            p.hset("h:%d" % (j % 40), "f%d" % j, j * 3)
            p.sadd("set:%d" % (j % 30), j, "m%d" % j)
            p.zadd("z:%d" % (j % 20), {"m%d" % j: j / 7})
            p.incrby("counter:%d" % (j % 10), j)
        p.execute()
    for j in range(200):
        t = c.pipeline(transaction=True)
        t.set("tx:%d" % j, j).lpush("txl:%d" % (j % 5), j).incr("txcount")
        t.expire("tx:%d" % j, pu.FAR_TTL).hincrby("txh", "f%d" % (j % 9), 1)
        assert t.execute()[-1] is not None
    for j in range(0, n // 2, 5):
        c.expire("s:%d" % j, pu.FAR_TTL + j)
    for j in range(0, n // 2, 10):
        c.persist("s:%d" % j)
    assert c.delete(*["s:%d" % j for j in range(1, n // 2, 7)]) > 0
    c.execute_command("SPOP", "set:3", 5)
    c.lpop("l:7", 3)
    d3 = pu.conn(c, 3)
    for j in range(n // 2):
        d3.set("db3:%d" % j, j)
    d3.close()
    assert c.set("last", "acknowledged")


def full_dump(c):
    """DEBUG DIGEST (covers values and expire times) and every key's value."""
    return c.execute_command("DEBUG", "DIGEST"), pu.dataset_values(c)


@pytest.mark.slow
def test_sigkill_after_always_loses_nothing(server_factory, tmp_path):
    args = ("--appendfsync", "always")
    s = start_aof(server_factory, tmp_path, *args)
    c = client(s)
    write_mixed(c)
    before = full_dump(c)
    assert len(before[1]) > 2000
    s.proc.kill()  # SIGKILL right after the last acknowledged write
    s.proc.wait(10)
    s = start_aof(server_factory, tmp_path, *args)
    assert full_dump(client(s)) == before


@pytest.mark.slow
def test_bgrewriteaof_under_write_load(server_factory, tmp_path):
    # Rewrites (RDB preamble) while a writer keeps writing: after it, the
    # data is exactly what the writer was acknowledged, live, after DEBUG
    # LOADAOF and after a SIGKILL + restart (`appendfsync always`).
    args = ("--appendfsync", "always")
    s = start_aof(server_factory, tmp_path, *args)
    c = client(s)
    c.execute_command("DEBUG", "POPULATE", 5000)
    # why: a per-key delay so that each rewrite lasts ~0.25 s of writes.
    c.config_set("rdb-key-save-delay", 50)
    load = au.start_write_load(s.port)
    overlapped = 0
    for _ in range(3):
        n0 = len(load.acked)
        c.bgrewriteaof()
        au.wait_rewrite_done(c)
        overlapped += len(load.acked) > n0
        assert au.status(c, "aof_last_bgrewrite_status") == "ok"
    acked = load.stop()
    assert overlapped == 3 and len(acked) > 100
    c.config_set("rdb-key-save-delay", 0)
    c9 = pu.conn(c, 9)
    assert c9.dbsize() == len(acked)
    keys = list(acked)
    assert c9.mget(keys) == [acked[k] for k in keys]
    digest = au.loadaof_keeps_digest(c)
    s.proc.kill()
    s.proc.wait(10)
    s = start_aof(server_factory, tmp_path, *args)
    c = client(s)
    assert c.execute_command("DEBUG", "DIGEST") == digest
    assert pu.conn(c, 9).mget(keys) == [acked[k] for k in keys]


# A failing AOF write. As root, a read-only directory or file does not stop
# writes (root ignores permission bits), so that case is not tested; the
# write error is made real instead: the INCR file is a symlink to /dev/full,
# which takes the open for append and fails every write with ENOSPC (and
# reads as empty, so loading it is fine).

def _dev_full_incr(server_factory, tmp_path, *args):
    s = start_aof(server_factory, tmp_path, *args)
    au.shutdown(s)
    a = AofDir(tmp_path)
    os.remove(a.incr(1))
    os.symlink("/dev/full", a.incr(1))
    return start_aof(server_factory, tmp_path, *args)


def test_write_error_everysec_denies_writes(server_factory, tmp_path):
    s = _dev_full_incr(server_factory, tmp_path)
    c = client(s)
    # why: the reply of the write that fails to reach the file still goes
    # out (the write error is found after the command ran); later writes
    # are refused while aof_last_write_status is err. Reads still work.
    assert c.set("a", 1)
    au.wait_log(s, "Error writing to the AOF file: No space left on device")
    au.wait_status(c, "aof_last_write_status", lambda v: v == "err")
    with Raw(s.port) as raw:
        assert raw.call("set", "b", 1) == RespError(
            b"MISCONF Errors writing to the AOF file: No space left on device")
    assert c.get("a") == "1" and s.alive()


def test_write_error_always_exits(server_factory, tmp_path):
    s = _dev_full_incr(server_factory, tmp_path, "--appendfsync", "always")
    # why: with `always` an acknowledged write must be on disk: Redis exits
    # before replying rather than acknowledge a write it could not persist.
    with Raw(s.port) as raw:
        with pytest.raises(Closed):
            raw.call("set", "a", 1)
    au.assert_refused(s, "Can't recover from AOF write error when the AOF fsync policy "
                         "is 'always'. Exiting...")
