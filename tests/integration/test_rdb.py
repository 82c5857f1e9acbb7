"""RDB snapshots of the server under test: SAVE / BGSAVE / LASTSAVE, save
points, the save at SIGTERM / SHUTDOWN / FLUSHALL, DEBUG RELOAD, loading at
startup (every type and encoding, old-format files from Redis's test suite,
-LOADING while a big file loads, corrupt and truncated files refused with
Redis's log lines), -MISCONF after a failed BGSAVE, and the rdbchecksum /
rdbcompression / dbfilename / dir settings.

Ported from Redis 7.0.15's tests/integration/rdb.tcl, tests/unit/other.tcl
(SAVE/BGSAVE/FLUSHALL), tests/unit/shutdown.tcl and multi.tcl (SAVE in
MULTI). Every expectation is redis-server's: run with
VIREO_BIN=/usr/bin/redis-server to validate. AOF is out of scope here.
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

from integ_util import HERE, REDIS_BIN, SLOW, Raw, RespError, ServerProcess, Watcher, wait_for
import persistence_util as pu
from persistence_util import DEBUG_ARGS, EMPTY_DIGEST

ASSETS = os.path.join(HERE, "assets", "redis")
CHECK_RDB = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"
CHECK_OK = "\\o/ RDB looks OK! \\o/"
MISCONF = (b"MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           b"persist to disk. Commands that may modify the data set are disabled, because this "
           b"instance is configured to report errors during writes if RDB snapshotting fails "
           b"(stop-writes-on-bgsave-error option). Please check the Redis logs for details "
           b"about the RDB error.")
# Save points that never fire during a test but make -MISCONF possible:
# Redis denies writes after a failed BGSAVE only when save points exist.
IDLE_SAVE = ["--save", "3600 100000"]

needs_save = pytest.mark.requires_commands("save")
needs_bgsave = pytest.mark.requires_commands("save", "bgsave", "lastsave")


def start(server_factory, d, *args, **kw):
    """The server under test in directory `d` (debug commands on)."""
    return server_factory(args=DEBUG_ARGS + [str(a) for a in args], cwd=str(d), **kw)


def restart(server_factory, s, *args):
    s.stop()  # SIGKILL: nothing is saved on the way out
    return start(server_factory, s.dir, *args)


def dump_path(s, name="dump.rdb"):
    return os.path.join(s.dir, name)


def check_rdb(path):
    p = subprocess.run([CHECK_RDB, path], capture_output=True, timeout=60 * SLOW)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert p.returncode == 0 and CHECK_OK in out, out
    return out


def copy_asset(name, d):
    shutil.copy(os.path.join(ASSETS, name), str(d))


def child_pids(pid):
    """PIDs whose parent is `pid` (a forked BGSAVE child)."""
    out = []
    for st in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(st) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(st.split("/")[2]))
    return out


def wait_log(s, pattern, timeout=10.0):
    """Wait until the server log matches the regex `pattern`."""
    ok = wait_for(lambda: re.search(pattern, s.read_log()), timeout)
    assert ok, "log never matched %r:\n%s" % (pattern, s.read_log()[-3000:])


def slow_bgsave_setup(c, keys=2000, delay_us=1000):
    """`keys` keys and a per-key save delay: a BGSAVE takes keys*delay."""
    c.execute_command("DEBUG", "POPULATE", keys)
    c.config_set("rdb-key-save-delay", delay_us)


# ---------------------------------------------------------------------------
# Loading: old files, empty starts
# ---------------------------------------------------------------------------

@needs_save
def test_old_version_rdb_file(server_factory, tmp_path):
    # rdb.tcl "test old version rdb file": RDB 8, ziplist quicklist nodes
    copy_asset("list-quicklist.rdb", tmp_path)
    s = start(server_factory, tmp_path, "--dbfilename", "list-quicklist.rdb")
    c = s.client()
    assert c.get("x") == b"7"
    assert c.lpop("list") == b"7"


@needs_save
def test_rdb_encoding_loading(server_factory, tmp_path):
    # rdb.tcl "RDB encoding loading test": RDB 4 with zipmap / ziplist /
    # intset / linkedlist values, converted to today's encodings on load.
    copy_asset("encodings.rdb", tmp_path)
    s = start(server_factory, tmp_path, "--dbfilename", "encodings.rdb")
    got = pu.dataset_values(s.client())
    b = lambda *a: [x.encode() for x in a]  # noqa: E731
    pairs = lambda *a: list(zip(b(*a[0::2]), b(*a[1::2])))  # noqa: E731
    assert got == {
        (0, b"compressible"): ("string", b"a" * 137),
        (0, b"hash"): ("hash", pairs("a", "1", "aa", "10", "aaa", "100", "b", "2", "bb", "20",
                                     "bbb", "200", "c", "3", "cc", "30", "ccc", "300",
                                     "ddd", "400", "eee", "5000000000")),
        (0, b"hash_zipped"): ("hash", pairs("a", "1", "b", "2", "c", "3")),
        (0, b"list"): ("list", b("1", "2", "3", "a", "b", "c", "100000", "6000000000") * 3),
        (0, b"list_zipped"): ("list", b("1", "2", "3", "a", "b", "c", "100000", "6000000000")),
        (0, b"number"): ("string", b"10"),
        (0, b"set"): ("set", b("1", "100000", "2", "3", "6000000000", "a", "b", "c")),
        (0, b"set_zipped_1"): ("set", b("1", "2", "3", "4")),
        (0, b"set_zipped_2"): ("set", b("100000", "200000", "300000", "400000")),
        (0, b"set_zipped_3"): ("set", b("1000000000", "2000000000", "3000000000",
                                        "4000000000", "5000000000", "6000000000")),
        (0, b"string"): ("string", b"Hello World"),
        (0, b"zset"): ("zset", pairs("a", "1", "b", "2", "c", "3", "aa", "10", "bb", "20",
                                     "cc", "30", "aaa", "100", "bbb", "200", "ccc", "300",
                                     "aaaa", "1000", "cccc", "123456789", "bbbb", "5000000000")),
        (0, b"zset_zipped"): ("zset", pairs("a", "1", "b", "2", "c", "3")),
    }


@needs_save
def test_script_in_rdb_is_not_loaded(server_factory, tmp_path):
    # rdb.tcl "script won't load anymore if it's in rdb": the old `lua` aux
    # field is accepted and ignored.
    copy_asset("scriptbackup.rdb", tmp_path)
    s = start(server_factory, tmp_path, "--dbfilename", "scriptbackup.rdb")
    c = s.client()
    assert c.dbsize() == 0
    if pu.has_command(c, "script"):
        assert c.script_exists("a0c38691e9fffe4563723c32ba77a34398e090e6") == [False]


@needs_save
def test_started_empty_without_and_with_empty_rdb(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    assert c.execute_command("DEBUG", "DIGEST") == EMPTY_DIGEST
    assert not os.path.exists(dump_path(s))
    assert c.save() is True
    check_rdb(dump_path(s))
    s = restart(server_factory, s)
    c = s.client()
    assert c.execute_command("DEBUG", "DIGEST") == EMPTY_DIGEST
    assert pu.info_field(c, "rdb_last_load_keys_loaded") == "0"


# ---------------------------------------------------------------------------
# SAVE / BGSAVE / DEBUG RELOAD round trips
# ---------------------------------------------------------------------------

@needs_save
def test_save_restart_keeps_every_type_and_encoding(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    expect = pu.populate_all_types(c)
    assert pu.encodings(c, expect) == expect
    before = pu.dataset_digest(c)
    assert c.save() is True
    check_rdb(dump_path(s))
    s = restart(server_factory, s)
    c = s.client()
    pu.assert_same_dataset(before, pu.dataset_digest(c))
    assert pu.encodings(c, expect) == expect
    assert int(pu.info_field(c, "rdb_last_load_keys_loaded")) == len(expect)


@needs_bgsave
def test_bgsave_then_restart(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    pu.populate_all_types(c)
    before = pu.dataset_digest(c)
    saves = int(pu.info_field(c, "rdb_saves"))
    with Raw(s.port) as r:
        assert r.call("BGSAVE") == b"Background saving started"
    assert pu.wait_bgsave_done(c) == "ok"
    inf = pu.info(c)
    assert inf["rdb_changes_since_last_save"] == "0"
    assert int(inf["rdb_saves"]) == saves + 1
    assert int(inf["rdb_last_bgsave_time_sec"]) >= 0
    with Raw(s.port) as r:
        assert inf["rdb_last_save_time"] == str(r.call("LASTSAVE"))
    assert not glob.glob(os.path.join(s.dir, "temp-*.rdb"))
    check_rdb(dump_path(s))
    s = restart(server_factory, s)
    pu.assert_same_dataset(before, pu.dataset_digest(s.client()))


@needs_save
def test_debug_reload_keeps_dataset(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    expect = pu.populate_all_types(c)
    before = pu.dataset_digest(c)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    pu.assert_same_dataset(before, pu.dataset_digest(c))
    assert pu.encodings(c, expect) == expect
    # other.tcl "BGSAVE": a BGSAVE'd key survives DEBUG RELOAD
    c.flushall()
    assert c.save() is True
    c.set("x", 10)
    assert c.bgsave() is True
    assert pu.wait_bgsave_done(c) == "ok"
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert c.get("x") == b"10"


@pytest.mark.requires_commands("save", "xadd")
def test_stream_encoding_reload(server_factory, tmp_path):
    # rdb.tcl "Test RDB stream encoding" (+ "- sanitize dump")
    s = start(server_factory, tmp_path)
    c = s.client()
    for j in range(1000):
        c.xadd("stream", {"foo": "abc"} if j % 10 else {"bar": j})
    c.xgroup_create("stream", "mygroup", id="0")
    recs = c.xreadgroup("mygroup", "Alice", {"stream": ">"}, count=2)[0][1]
    c.xdel("stream", recs[1][0])
    c.xack("stream", "mygroup", recs[0][0])
    digest = c.execute_command("DEBUG", "DIGEST")
    for sanitize in ("no", "yes"):
        c.config_set("sanitize-dump-payload", sanitize)
        assert c.execute_command("DEBUG", "RELOAD") == b"OK"
        assert c.execute_command("DEBUG", "DIGEST") == digest


@needs_bgsave
def test_save_and_bgsave_replies(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    slow_bgsave_setup(c, keys=3000, delay_us=1000)  # a BGSAVE of >= 3 s
    in_progress = RespError(b"ERR Background save already in progress")
    with Raw(s.port) as r:
        assert r.call("BGSAVE", "FOO") == RespError(b"ERR syntax error")
        assert r.call("BGSAVE", "SCHEDULE", "X") == RespError(b"ERR syntax error")
        assert r.call("BGSAVE") == b"Background saving started"
        # why: Redis tests "an RDB child runs" before SCHEDULE, so SCHEDULE
        # only helps while another kind of child (AOF rewrite) runs.
        assert r.call("BGSAVE") == in_progress
        assert r.call("BGSAVE", "SCHEDULE") == in_progress
        assert r.call("SAVE") == in_progress
        inf = pu.info(c)
        assert inf["rdb_bgsave_in_progress"] == "1"
        assert int(inf["rdb_current_bgsave_time_sec"]) >= 0
        assert inf["current_save_keys_total"] == "3000"
        # SAVE inside MULTI is refused (multi.tcl "MULTI with SAVE")
        assert r.call("MULTI") == b"OK"
        assert r.call("SET", "foo", "bar") == b"QUEUED"
        assert r.call("SAVE") == RespError(b"ERR Command not allowed inside a transaction")
        assert r.call("EXEC") == RespError(
            b"EXECABORT Transaction discarded because of previous errors.")
        assert r.call("EXISTS", "foo") == 0
        # FLUSHALL aborts the running BGSAVE (rdb.tcl "Test FLUSHALL aborts
        # bgsave"): it ends well before its 3 s, the counter stays high.
        assert r.call("FLUSHALL") == b"OK"
        pu.wait_info(c, "rdb_bgsave_in_progress", "0", timeout=2.5)
        assert int(pu.info_field(c, "rdb_changes_since_last_save")) >= 3000
        assert r.call("SET", "x", "xx") == b"OK"
        # "bgsave resets the change counter"
        assert r.call("CONFIG", "SET", "rdb-key-save-delay", "0") == b"OK"
        # BGSAVE inside MULTI/EXEC is scheduled, then run by the cron
        saves = int(pu.info_field(c, "rdb_saves"))
        assert r.call("MULTI") == b"OK"
        assert r.call("BGSAVE") == b"QUEUED"
        assert r.call("EXEC") == [b"Background saving scheduled"]
    assert wait_for(lambda: int(pu.info_field(c, "rdb_saves")) > saves, 10)
    assert pu.wait_bgsave_done(c) == "ok"
    assert pu.info_field(c, "rdb_changes_since_last_save") == "0"


@needs_bgsave
def test_lastsave_changes(server_factory, tmp_path):
    s = start(server_factory, tmp_path)
    c = s.client()
    with Raw(s.port) as r:
        t0 = r.call("LASTSAVE")
        assert isinstance(t0, int)
        assert str(t0) == pu.info_field(c, "rdb_last_save_time")
        # LASTSAVE has one-second resolution: wait for the next second.
        # Why the margin: servers read time() (the coarse clock), which
        # lags Python's time.time() by up to a tick.
        assert wait_for(lambda: time.time() > t0 + 1.05, 3)
        assert r.call("SAVE") == b"OK"
        t1 = r.call("LASTSAVE")
        assert t0 < t1 <= int(time.time())
        assert wait_for(lambda: time.time() > t1 + 1.05, 3)
        assert r.call("BGSAVE") == b"Background saving started"
        assert pu.wait_bgsave_done(c) == "ok"
        t2 = r.call("LASTSAVE")
        assert t1 < t2 <= int(time.time())
        assert str(t2) == pu.info_field(c, "rdb_last_save_time")


@needs_bgsave
def test_save_point_triggers_bgsave(server_factory, tmp_path):
    s = start(server_factory, tmp_path, "--save", "1 1")
    c = s.client()
    with Raw(s.port) as r:
        t0 = r.call("LASTSAVE")  # the start time
    c.set("k", "v")
    assert pu.info_field(c, "rdb_changes_since_last_save") == "1"
    # why: the cron saves once more than 1 s passed since the last save
    # (the start) and there is >= 1 change.
    assert wait_for(lambda: pu.info_field(c, "rdb_changes_since_last_save") == "0", 15)
    assert pu.wait_bgsave_done(c) == "ok"
    wait_log(s, r"1 changes in 1 seconds\. Saving\.\.\.")
    with Raw(s.port) as r:
        assert r.call("LASTSAVE") > t0
    check_rdb(dump_path(s))
    s = restart(server_factory, s)
    assert s.client().get("k") == b"v"


@needs_bgsave
def test_bgsave_reports_progress(server_factory, tmp_path):
    # rdb.tcl "Test child sending info" (the key counters, not COW sizes)
    s = start(server_factory, tmp_path)
    c = s.client()
    slow_bgsave_setup(c, keys=5000, delay_us=1000)
    assert pu.info_field(c, "current_save_keys_processed") == "0"
    assert c.bgsave() is True
    assert wait_for(lambda: int(pu.info_field(c, "current_save_keys_processed")) > 0, 10)
    inf = pu.info(c)
    assert inf["current_save_keys_total"] == "5000"
    assert int(inf["current_save_keys_processed"]) <= 5000
    c.flushall()  # aborts it
    pu.wait_bgsave_done(c)


# ---------------------------------------------------------------------------
# Saving at shutdown, FLUSHALL
# ---------------------------------------------------------------------------

@needs_save
@pytest.mark.parametrize("save,how,saved", [
    ("3600 1", "sigterm", True), ("", "sigterm", False),
    ("3600 1", "shutdown", True), ("3600 1", "shutdown nosave", False),
    ("", "shutdown save", True), ("", "shutdown", False)])
def test_save_on_shutdown(server_factory, tmp_path, save, how, saved):
    s = start(server_factory, tmp_path, "--save", save)
    c = s.client()
    c.set("k", "v")
    c.rpush("l", 1, 2, 3)
    if how == "sigterm":
        os.kill(s.pid, signal.SIGTERM)
    else:
        with Raw(s.port) as r:
            r.cmd(*how.split())
            assert r.wait_closed()
    assert s.proc.wait(timeout=15 * SLOW) == 0
    log = s.read_log()
    assert "Redis is now ready to exit, bye bye..." in log
    assert os.path.exists(dump_path(s)) == saved
    if saved:
        assert "Saving the final RDB snapshot before exiting." in log
        assert "DB saved on disk" in log
        check_rdb(dump_path(s))
        s2 = start(server_factory, tmp_path)
        assert s2.client().lrange("l", 0, -1) == [b"1", b"2", b"3"]
    else:
        assert "Saving the final RDB snapshot" not in log


@needs_bgsave
def test_shutdown_nosave_removes_temp_file(server_factory, tmp_path):
    # shutdown.tcl "Temp rdb will be deleted if we use bg_unlink when shutdown"
    s = start(server_factory, tmp_path)
    c = s.client()
    slow_bgsave_setup(c, keys=20, delay_us=100000)  # 2 s
    assert c.bgsave() is True
    temps = lambda: glob.glob(os.path.join(s.dir, "temp-*.rdb"))  # noqa: E731
    assert wait_for(temps, 5)
    with Raw(s.port) as r:
        r.cmd("SHUTDOWN", "NOSAVE")
        assert r.wait_closed()
    assert s.proc.wait(timeout=10 * SLOW) == 0
    assert wait_for(lambda: not temps(), 5), temps()


@needs_save
def test_shutdown_refused_when_save_fails(server_factory, tmp_path):
    # shutdown.tcl: a directory named dump.rdb makes the final rename fail
    s = start(server_factory, tmp_path, "--save", "3600 1")
    c = s.client()
    for i in range(20):
        c.set(i, i)
    os.makedirs(os.path.join(s.dir, "dump.rdb", "sub"))
    os.kill(s.pid, signal.SIGINT)
    wait_log(s, r"Error trying to save the DB, can't exit")
    assert c.ping()
    with Raw(s.port) as r:
        assert r.call("SHUTDOWN") == RespError(b"ERR Errors trying to SHUTDOWN. Check logs.")
        assert r.call("PING") == b"PONG"
        r.cmd("SHUTDOWN", "NOSAVE")
        assert r.wait_closed()
    assert s.proc.wait(timeout=10 * SLOW) == 0
    assert not glob.glob(os.path.join(s.dir, "temp-*.rdb"))


@needs_save
def test_flushall_with_save_points_writes_empty_dump(server_factory, tmp_path):
    # other.tcl "FLUSHALL should (not) reset the dirty counter ..."
    s = start(server_factory, tmp_path)
    c = s.client()
    c.set("key", "value")
    c.flushall()
    assert int(pu.info_field(c, "rdb_changes_since_last_save")) > 0
    assert not os.path.exists(dump_path(s))
    c.config_set("save", "3600 1 300 100 60 10000")
    c.set("key", "value")
    assert c.save() is True
    c.set("key2", "value")
    c.flushall()
    assert pu.info_field(c, "rdb_changes_since_last_save") == "0"
    check_rdb(dump_path(s))
    s = restart(server_factory, s)
    assert s.client().execute_command("DEBUG", "DIGEST") == EMPTY_DIGEST


# ---------------------------------------------------------------------------
# Failed BGSAVE: -MISCONF
# ---------------------------------------------------------------------------

def assert_misconf_then_recover(s, c, r, fix):
    """After a failed BGSAVE: writes get -MISCONF, reads work, the setting
    `stop-writes-on-bgsave-error no` lets writes through; after `fix()`
    a good BGSAVE makes the server writable again."""
    assert pu.info_field(c, "rdb_last_bgsave_status") == "err"
    assert r.call("SET", "x", "y") == RespError(MISCONF)
    assert r.call("DEL", "x") == RespError(MISCONF)
    assert r.call("GET", "x") == b"x"
    # why: Redis refuses PING too (processCommand treats it as a write
    # so that replicas and sentinels notice the disk error).
    assert r.call("PING") == RespError(MISCONF)
    assert r.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no") == b"OK"
    assert r.call("SET", "x", "x2") == b"OK"
    assert r.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes") == b"OK"
    assert r.call("SET", "x", "x") == RespError(MISCONF)
    assert not glob.glob(os.path.join(s.dir, "temp-*.rdb"))
    fix()
    assert r.call("BGSAVE") == b"Background saving started"
    assert pu.wait_bgsave_done(c) == "ok"
    assert r.call("SET", "x", "y") == b"OK"


@needs_bgsave
def test_failed_bgsave_rename_prevents_writes(server_factory, tmp_path):
    # A non-empty directory named like the dbfilename: the final rename
    # fails even for root (chmod would not stop root).
    s = start(server_factory, tmp_path, *IDLE_SAVE)
    c = s.client()
    w = Watcher(s.port)
    c.set("x", "x")
    blocker = os.path.join(s.dir, "dump.rdb")
    os.makedirs(os.path.join(blocker, "sub"))
    with Raw(s.port) as r:
        assert r.call("SAVE") == RespError(b"ERR")  # a failed SAVE: bare "ERR"
        assert r.call("SET", "x", "x") == b"OK"    # ... and no MISCONF for it
        assert r.call("BGSAVE") == b"Background saving started"
        assert pu.wait_bgsave_done(c) == "err"
        assert r.call("GET", "x") == b"x"  # still serving
        wait_log(s, r"Background saving error")
        assert "Error moving temp DB file" in s.read_log()
        assert_misconf_then_recover(s, c, r, lambda: shutil.rmtree(blocker))
    w.ping()
    w.close()


@needs_bgsave
def test_failed_bgsave_killed_child_prevents_writes(server_factory, tmp_path):
    # rdb.tcl "failed bgsave prevents writes": the child is killed
    s = start(server_factory, tmp_path, *IDLE_SAVE)
    c = s.client()
    c.execute_command("DEBUG", "POPULATE", 1000)
    c.set("x", "x")
    c.config_set("rdb-key-save-delay", 10000000)
    assert c.bgsave() is True
    kids = wait_for(lambda: child_pids(s.pid), 5)
    if not kids:
        c.flushall()
        pytest.skip("no BGSAVE child process to kill (a fork-less snapshot)")
    os.kill(kids[0], signal.SIGKILL)
    assert pu.wait_bgsave_done(c) == "err"
    wait_log(s, r"Background saving terminated by signal 9")
    with Raw(s.port) as r:
        assert_misconf_then_recover(
            s, c, r, lambda: c.config_set("rdb-key-save-delay", 0))


# ---------------------------------------------------------------------------
# Corrupt files are refused at startup
# ---------------------------------------------------------------------------

def reference_rdb(tmp_path):
    """A small dump.rdb written by the reference redis-server: a string, a
    3-element list (one listpack node) and a 300-byte string."""
    d = tmp_path / "ref"
    d.mkdir()
    ref = ServerProcess(REDIS_BIN, cwd=str(d))
    try:
        c = ref.client()
        c.set("a", 1)
        c.rpush("l", "a", "b", "c")
        c.set("big", "x" * 300)
        c.save()
    finally:
        ref.stop()
    with open(str(d / "dump.rdb"), "rb") as f:
        return f.read()


def with_crc(body):
    return body + struct.pack("<Q", pu.crc64(body))


def corruptions(good):
    """name -> (file bytes, expected log line regex)."""
    body = good[:-8]
    stored = struct.unpack("<Q", good[-8:])[0]
    t = body.index(b"\xfb\x03\x00") + 3  # first key's type byte (after RESIZEDB)
    lp = body.index(b"\x12\x01l") + 6    # the list's listpack header
    bad_lp = bytearray(body)
    bad_lp[lp] += 1                      # total-bytes field != blob length
    short = r"Short read or OOM loading DB\. Unrecoverable error, aborting now\."
    fatal = r"Fatal error loading the DB: Invalid argument\. Exiting\."
    return {
        # why: Redis prints the checksum it computed as "expected", the
        # stored one as "got", both with %llx (no leading zeros).
        "crc": (body + b"foobar00", r"Wrong RDB checksum expected: \(%x\) but got \(%x\)\. "
                r"Aborting now\." % (stored, struct.unpack("<Q", b"foobar00")[0])),
        "truncated_half": (good[:len(good) // 2], short),
        "truncated_no_checksum": (body, short),
        "truncated_header": (good[:5], short),
        "garbage": (b"hello world, this is not an RDB file",
                    r"Wrong signature trying to load DB from file(.|\n)*" + fatal),
        "version_99": (b"REDIS0099" + good[9:],
                       r"Can't handle RDB format version 99(.|\n)*" + fatal),
        "unknown_type": (with_crc(body[:t] + b"\x63" + body[t + 1:]),
                         r"Internal error in RDB reading offset \d+, function at \S+ -> "
                         r"Unknown RDB encoding type 99"),
        "bad_listpack": (with_crc(bytes(bad_lp)),
                         r"Internal error in RDB reading offset \d+, function at \S+ -> "
                         r"Listpack integrity check failed\."),
    }


CORRUPTIONS = ["crc", "truncated_half", "truncated_no_checksum", "truncated_header",
               "garbage", "version_99", "unknown_type", "bad_listpack"]


@needs_save
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_rdb_refuses_to_start(server_factory, tmp_path, kind):
    data, line = corruptions(reference_rdb(tmp_path))[kind]
    d = tmp_path / "srv"
    d.mkdir()
    (d / "dump.rdb").write_bytes(data)
    s = start(server_factory, d, wait=False)
    try:
        rc = s.proc.wait(timeout=20 * SLOW)
    except subprocess.TimeoutExpired:
        pytest.fail("server started on a corrupt file:\n" + s.read_log()[-2000:])
    assert rc == 1, "exit %s (negative: killed by a signal)\n%s" % (rc, s.read_log()[-2000:])
    assert re.search(line, s.read_log()), s.read_log()[-3000:]


@needs_save
def test_dump_rdb_directory_refuses_to_start(server_factory, tmp_path):
    # An unreadable dump (rdb.tcl uses chmod, which root ignores; a
    # directory is unreadable for root too): a short read for Redis.
    os.makedirs(str(tmp_path / "dump.rdb" / "x"))
    s = start(server_factory, tmp_path, wait=False)
    assert s.proc.wait(timeout=20 * SLOW) == 1
    assert "Short read or OOM loading DB. Unrecoverable error, aborting now." in s.read_log()


@needs_save
@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-0222 file anyway")
def test_unreadable_rdb_refuses_to_start(server_factory, tmp_path):
    # rdb.tcl "Server should not start if RDB file can't be open"
    p = tmp_path / "dump.rdb"
    p.write_bytes(b"REDIS0010")
    os.chmod(str(p), 0o222)
    s = start(server_factory, tmp_path, wait=False)
    assert s.proc.wait(timeout=20 * SLOW) == 1
    assert "Fatal error loading" in s.read_log()


# ---------------------------------------------------------------------------
# Loading a big file: -LOADING, INFO loading fields, expired keys
# ---------------------------------------------------------------------------

LOADING_FIELDS = {"loading_start_time", "loading_total_bytes", "loading_rdb_used_mem",
                  "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"}


@needs_save
def test_loading_replies_and_info(server_factory, tmp_path):
    # rdb.tcl "client freed during loading", as Redis makes the load slow:
    # key-load-delay (us per key) and events every 1024 bytes.
    s = start(server_factory, tmp_path, "--rdbcompression", "no")
    c = s.client()
    c.execute_command("DEBUG", "POPULATE", 20000, "key", 100)
    assert c.save() is True
    size = os.path.getsize(dump_path(s))
    s = restart(server_factory, s, "--key-load-delay", 500,  # >= 10 s in all
                "--loading-process-events-interval-bytes", 1024)
    c = s.client()
    r = Raw(s.port)
    loading = RespError(b"LOADING Redis is loading the dataset in memory")
    assert r.call("GET", "key:1") == loading
    assert r.call("SET", "a", "b") == loading
    inf = pu.info(c)
    assert inf["loading"] == "1"
    assert inf["async_loading"] == "0"
    assert LOADING_FIELDS <= set(inf), sorted(set(inf))
    assert inf["loading_total_bytes"] == str(size)
    assert 0 <= int(inf["loading_loaded_bytes"]) < size
    # five clients connect, talk and leave while it loads: they are freed
    others = [Raw(s.port) for _ in range(5)]
    for o in others:
        assert o.call("DEBUG", "LOG", "bla") == b"OK"
    for o in others:
        o.close()
    assert wait_for(lambda: int(pu.info_field(c, "connected_clients", "clients")) < 3, 10)
    assert pu.info_field(c, "loading") == "1"
    # introspection.tcl "config during loading": some configs may change,
    # those flagged deny-loading may not
    assert r.call("CONFIG", "SET", "loglevel", "debug") == b"OK"
    assert r.call("CONFIG", "GET", "loglevel") == [b"loglevel", b"debug"]
    assert r.call("CONFIG", "SET", "appendonly", "yes") == loading
    assert pu.info_field(c, "loading") == "1"
    # let it finish
    assert r.call("CONFIG", "SET", "key-load-delay", "0") == b"OK"
    pu.wait_loaded(c)
    assert r.call("DBSIZE") == 20000
    assert r.call("GET", "key:1") == b"value:1".ljust(100, b"\x00")
    inf = pu.info(c)
    assert not LOADING_FIELDS & set(inf)
    assert inf["rdb_last_load_keys_loaded"] == "20000"
    r.close()


@needs_save
def test_expired_keys_not_loaded(server_factory, tmp_path):
    # rdb.tcl "Test RDB load info"
    s = start(server_factory, tmp_path)
    c = s.client()
    c.execute_command("DEBUG", "POPULATE", 1000)
    assert c.save() is True
    s = restart(server_factory, s)
    c = s.client()
    assert pu.info_field(c, "rdb_last_load_keys_expired") == "0"
    assert pu.info_field(c, "rdb_last_load_keys_loaded") == "1000"
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    dbs = [pu.conn(c, db) for db in range(16)]
    for j in range(1024):
        dbs[j % 16].set(j, "somevalue", px=10)
    deadline = time.time() + 0.05
    while time.time() < deadline:  # the TTLs must have passed at save
        time.sleep(0.01)
    assert c.save() is True
    for d in dbs:
        d.close()
    s = restart(server_factory, s)
    c = s.client()
    pu.wait_loaded(c)
    assert pu.info_field(c, "rdb_last_load_keys_expired") == "1024"
    assert pu.info_field(c, "rdb_last_load_keys_loaded") == "1000"
    assert "Done loading RDB, keys loaded: 1000, keys expired: 1024." in s.read_log()
    sizes = []
    for db in range(16):
        d = pu.conn(c, db)
        sizes.append(d.dbsize())
        d.close()
    assert sum(sizes) == 1000


# ---------------------------------------------------------------------------
# INFO persistence, rdbchecksum, rdbcompression, dbfilename / dir
# ---------------------------------------------------------------------------

def test_info_persistence_fields_match_redis(srv, reference_server):
    ours = pu.info(srv.client())
    theirs = pu.info(reference_server.client())
    assert sorted(ours) == sorted(theirs)


@needs_save
def test_rdbchecksum_no_writes_zero_checksum(server_factory, tmp_path):
    s = start(server_factory, tmp_path, "--rdbchecksum", "no")
    c = s.client()
    pu.populate_all_types(c)
    before = pu.dataset_digest(c)
    assert c.save() is True
    with open(dump_path(s), "rb") as f:
        assert f.read()[-8:] == b"\x00" * 8
    check_rdb(dump_path(s))
    s = restart(server_factory, s, "--rdbchecksum", "yes")
    pu.assert_same_dataset(before, pu.dataset_digest(s.client()))
    assert "RDB file was saved with checksum disabled: no check performed." in s.read_log()


@needs_save
def test_rdbcompression(server_factory, tmp_path):
    s = start(server_factory, tmp_path, "--enable-protected-configs", "yes")
    c = s.client()
    for i in range(50):
        c.set("k%d" % i, "a" * 1000)
    c.rpush("l", *["abcdefgh" * 10] * 500)
    before = pu.dataset_digest(c)
    sizes = {}
    for comp in ("yes", "no"):
        c.config_set("rdbcompression", comp)
        c.config_set("dbfilename", "dump-%s.rdb" % comp)
        assert c.save() is True
        sizes[comp] = os.path.getsize(dump_path(s, "dump-%s.rdb" % comp))
        check_rdb(dump_path(s, "dump-%s.rdb" % comp))
    assert sizes["no"] > 50 * 1000 > 10 * sizes["yes"], sizes
    for comp in ("yes", "no"):
        s = restart(server_factory, s, "--dbfilename", "dump-%s.rdb" % comp)
        pu.assert_same_dataset(before, pu.dataset_digest(s.client()))


@needs_save
def test_dbfilename_and_dir(server_factory, tmp_path):
    d1, d2 = tmp_path / "one", tmp_path / "two"
    d1.mkdir()
    d2.mkdir()
    # why: dir and dbfilename are protected configs in 7.0 (CONFIG SET
    # refused unless enable-protected-configs allows it).
    s = start(server_factory, tmp_path, "--dir", d1, "--dbfilename", "custom.rdb")
    with Raw(s.port) as r:
        assert r.call("CONFIG", "SET", "dir", str(d2)) == RespError(
            b"ERR CONFIG SET failed (possibly related to argument 'dir') - "
            b"can't set protected config")
    s.stop()
    s = start(server_factory, tmp_path, "--dir", d1, "--dbfilename", "custom.rdb",
              "--enable-protected-configs", "yes")
    c = s.client()
    c.set("k", "v1")
    assert c.save() is True
    assert os.path.exists(str(d1 / "custom.rdb"))
    assert not os.path.exists(str(d1 / "dump.rdb"))
    c.config_set("dir", str(d2))
    c.set("k", "v2")
    assert c.save() is True
    assert os.path.exists(str(d2 / "custom.rdb"))
    with Raw(s.port) as r:
        assert r.call("CONFIG", "SET", "dbfilename", "sub/x.rdb") == RespError(
            b"ERR CONFIG SET failed (possibly related to argument 'dbfilename') - "
            b"dbfilename can't be a path, just a filename")
    s.stop()
    for d, want in ((d1, b"v1"), (d2, b"v2")):
        s = start(server_factory, tmp_path, "--dir", d, "--dbfilename", "custom.rdb")
        assert s.client().get("k") == want
        s.stop()


@pytest.mark.vireo_only
def test_loads_rdb11_file_with_listpack_set(server_factory, tmp_path):
    # A Redis 7.2 / Valkey 8 dump (RDB 11) with RDB_TYPE_SET_LISTPACK: Vireo
    # loads it (Redis 7.0 refuses the version) as the set 7.0 would build.
    items = [b"a", b"b"]
    body = b"".join(bytes([0x80 | len(i)]) + i + bytes([len(i) + 1]) for i in items) + b"\x05\x01"
    lp = (6 + len(body) + 1).to_bytes(4, "little") + (3).to_bytes(2, "little") + body + b"\xff"
    data = b"REDIS0011" + b"\xfe\x00" + b"\x14" + b"\x01s" + bytes([len(lp)]) + lp + b"\xff"
    data += pu.crc64(data).to_bytes(8, "little")
    (tmp_path / "dump.rdb").write_bytes(data)
    s = start(server_factory, tmp_path)
    c = s.client()
    assert sorted(c.smembers("s")) == [b"5", b"a", b"b"]
    assert c.object("encoding", "s") == b"hashtable"


def test_shutdown_abort_cancels_sigterm(server_factory, tmp_path):
    # shutdown.tcl "SHUTDOWN ABORT can cancel SIGTERM": the signal's shutdown
    # runs from the cron, so a paused cron leaves time to abort it.
    s = start(server_factory, tmp_path)
    r = Raw(s.port)
    assert r.call("DEBUG", "PAUSE-CRON", 1) == b"OK"
    os.kill(s.pid, signal.SIGTERM)
    assert wait_for(lambda: "Received SIGTERM scheduling shutdown" in s.read_log(), 10 * SLOW)
    assert r.call("SHUTDOWN", "ABORT") == b"OK"
    assert wait_for(lambda: "Shutdown manually aborted" in s.read_log(), 10 * SLOW)
    assert r.call("DEBUG", "PAUSE-CRON", 0) == b"OK"
    time.sleep(0.3)  # a few cron ticks: the shutdown must not happen now
    assert r.call("PING") == b"PONG"
    assert s.alive()
    assert r.call("SHUTDOWN", "ABORT") == RespError(b"ERR No shutdown in progress.")


@needs_save
def test_second_sigint_removes_temp_rdb_and_exits(server_factory, tmp_path):
    # shutdown.tcl "Temp rdb will be deleted in signal handle": SIGINT
    # starts the final save; a second SIGINT during it means "now": the
    # temp file goes and the process exits 1.
    s = start(server_factory, tmp_path, "--save", "900 1")
    c = s.client()
    for i in range(20):
        c.set(str(i), i)
    c.config_set("rdb-key-save-delay", 100000)  # 2 s for the save
    temp = os.path.join(s.dir, "temp-%d.rdb" % s.pid)
    os.kill(s.pid, signal.SIGINT)
    assert wait_for(lambda: os.path.exists(temp), 5 * SLOW)
    os.kill(s.pid, signal.SIGINT)
    assert s.proc.wait(timeout=10 * SLOW) == 1
    assert not os.path.exists(temp)


@needs_bgsave
def test_bgsave_is_the_dataset_at_fork_time(server_factory, tmp_path):
    # What a snapshot means: the file holds the dataset as it was when the
    # BGSAVE started, whatever the clients write while the child saves; the
    # writes count as changes since that save.
    s = start(server_factory, tmp_path)
    c = s.client()
    pu.populate_all_types(c)
    for i in range(200):
        c.set("k%d" % i, "before")
    before = pu.dataset_digest(c)
    c.config_set("rdb-key-save-delay", 10000)  # 10 ms per key: a few seconds
    assert c.bgsave()
    pu.wait_info(c, "rdb_bgsave_in_progress", "1")
    for i in range(200):
        c.set("k%d" % i, "after")
    c.delete("k0")
    c.set("added", "during the save")
    c.config_set("rdb-key-save-delay", 0)  # the child keeps its own copy
    assert pu.wait_bgsave_done(c, timeout=60) == "ok"
    assert int(pu.info_field(c, "rdb_changes_since_last_save")) >= 201
    assert c.get("k1") == b"after"
    s = restart(server_factory, s)
    c = s.client()
    pu.assert_same_dataset(before, pu.dataset_digest(c))
    assert c.get("added") is None
