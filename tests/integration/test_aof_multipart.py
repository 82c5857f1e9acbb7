"""The multi-part AOF of Redis 7.0 in the server under test: the manifest
(<appendfilename>.manifest in <dir>/<appenddirname>) and its base / incr /
history files. Part 1 writes manifests and files and starts a server on
them: bad manifests are refused with Redis's log lines, good ones (gaps in
the sequence, unknown keys, empty files) load, pre-7.0 single AOFs
(`appendonly.aof` in the server dir, RESP or RDB preamble) are upgraded, and
a first start creates the base. Part 2 runs one server through CONFIG SET
appendonly yes/no, BGREWRITEAOF (killed or not), aof-disable-auto-gc, DEBUG
LOADAOF, a BGSAVE that delays the first rewrite, and the limit on failing
auto rewrites, checking the manifest after every step.

Ported from Redis 7.0.15's tests/integration/aof-multi-part.tcl. Every
expectation is redis-server's: run with VIREO_BIN=/usr/bin/redis-server.
"""
import os

import pytest

from integ_util import ServerProcess, VIREO_BIN, wait_for
import aof_util as au
from aof_util import BASE_AOF, BASE_RDB, INCR_AOF, AofDir, resp, start_aof
from persistence_util import DEBUG_ARGS

B1 = "file appendonly.aof.1.base.aof seq 1 type b\n"
I1, I2, I3 = ["file appendonly.aof.%d.incr.aof seq %d type i\n" % (n, n) for n in (1, 2, 3)]
INVALID = "Invalid AOF manifest file format"
UPGRADED = ("file appendonly.aof seq 1 type b", "file appendonly.aof.1.incr.aof seq 1 type i")
AFTER_FIRST_REWRITE = ("file appendonly.aof.2.base.rdb seq 2 type b",
                       "file appendonly.aof.2.incr.aof seq 2 type i")


def set_cmds(*pairs):
    """RESP SETs for "k1", "k2"... -> set k1 v1, set k2 v2..."""
    return [resp("set", k, "v" + k[1:]) for k in pairs]


def layout(tmp_path, files, manifest):
    """Write `files` ({(kind, seq): [chunks]}, kind "b" for an AOF-format
    base or "i") and the manifest's lines into <tmp_path>/appendonlydir."""
    a = AofDir(tmp_path)
    for (kind, seq), chunks in files.items():
        a.write(a.base(seq) if kind == "b" else a.incr(seq), *chunks)
    a.write_manifest(*manifest)
    return a


def get_all(c, *keys):
    return [c.get(k) for k in keys]


# ---------------------------------------------------------------------------
# Part 1: loading what the test wrote
# ---------------------------------------------------------------------------

# (files, manifest lines, log pattern). aof-multi-part.tcl counts the
# "Invalid AOF manifest file format" lines in one log shared by all its
# servers (1, 2, 3, 4); here every case has its own log: one line each.
REFUSED = {
    "some-file-missing": ({("b", 1): set_cmds("k1"), ("i", 2): set_cmds("k2")},
                          [B1, I1, I2], r"appendonly.aof.1.incr.aof .*No such file or directory"),
    "sequence-not-increasing": ({("i", 1): set_cmds("k1"), ("i", 2): set_cmds("k2")},
                                [I2, I1], "Found a non-monotonic sequence number"),
    "blank-line": ({("i", 1): set_cmds("k1"), ("i", 3): set_cmds("k2")}, [I1, "\n", I3], INVALID),
    "duplicate-base": ({("b", 1): set_cmds("k1"), ("b", 2): set_cmds("k2"),
                        ("i", 1): set_cmds("k3")},
                       [B1, "file appendonly.aof.2.base.aof seq 2 type b\n", I1],
                       "Found duplicate base file information"),
    "type-unknown": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k3")},
                     ["file appendonly.aof.1.base.aof seq 1 type x\n", I1],
                     "Unknown AOF file type"),
    "missing-key": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k3")},
                    ["filx appendonly.aof.1.base.aof seq 1 type b\n", I1], INVALID),
    "line-too-short": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k3")},
                       [B1, "file appendonly.aof.1.incr.aof type i\n"], INVALID),
    # why: a line longer than 1024 bytes (MANIFEST_MAX_LINE) is refused.
    "line-too-long": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k3")},
                      [B1[:-1] + (" " + B1[:-1]) * 44 + "\n", I1],
                      "The AOF manifest file contains too long line"),
    "odd-parameter": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k3")},
                      [B1, "file appendonly.aof.1.incr.aof seq 1 type i newkey\n"], INVALID),
    "empty-manifest": ({}, [], "Found an empty AOF manifest"),
    # The manifest names the old AOF, which is neither in the server dir nor
    # in the AOF dir.
    "old-name-missing": ({}, ["file appendonly.aof seq 1 type b\n"],
                         r"appendonly.aof .*No such file or directory"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_layout(server_factory, tmp_path, case):
    # "Multi Part AOF can't load data when some file missing", "... when the
    # sequence not increase monotonically", "... when there are blank lines
    # in the manifest file", "... when there is a duplicate base file",
    # "... the manifest format is wrong (type unknown / missing key / line
    # too short / line too long / odd parameter)", "... the manifest file is
    # empty", "... the manifest contains the old AOF file name but the file
    # does not exist in server dir and aof dir"
    files, manifest, pattern = REFUSED[case]
    layout(tmp_path, files, manifest)
    s = start_aof(server_factory, tmp_path, wait=False)
    au.assert_refused(s, pattern)


def test_starts_without_aof_and_manifest(server_factory, tmp_path):
    # "Multi Part AOF can start when no aof and no manifest"
    c = start_aof(server_factory, tmp_path).client(decode_responses=True)
    assert c.set("k1", "v1") is True and c.get("k1") == "v1"


def test_starts_with_empty_aof_dir(server_factory, tmp_path):
    # "Multi Part AOF can start when we have en empty AOF dir"
    os.makedirs(AofDir(tmp_path).path)
    assert start_aof(server_factory, tmp_path).alive()


LOADED = {
    # "Multi Part AOF can load data discontinuously increasing sequence"
    "sequence-gap": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k2"),
                      ("i", 3): set_cmds("k3")}, [B1, I1, I3], ["v1", "v2", "v3"]),
    # "... when manifest add new k-v": unknown key/value pairs are ignored
    # (forward compatibility).
    "new-key-value": ({("b", 1): set_cmds("k1"), ("i", 1): set_cmds("k2"),
                       ("i", 3): set_cmds("k3")},
                      ["file appendonly.aof.1.base.aof seq 1 type b newkey newvalue\n", I1, I3],
                      ["v1", "v2", "v3"]),
    # "... when some AOFs are empty"
    "empty-incr": ({("b", 1): set_cmds("k1"), ("i", 1): [], ("i", 3): set_cmds("k3")},
                   [B1, I1, I3], ["v1", None, "v3"]),
}


@pytest.mark.parametrize("case", list(LOADED))
def test_loaded_layout(server_factory, tmp_path, case):
    files, manifest, want = LOADED[case]
    layout(tmp_path, files, manifest)
    c = start_aof(server_factory, tmp_path).client(decode_responses=True)
    au.wait_done_loading(c)
    assert get_all(c, "k1", "k2", "k3") == want


@pytest.mark.parametrize("preamble", ["no", "yes"])
def test_upgrade_old_single_aof(server_factory, tmp_path, preamble):
    # "Multi Part AOF can load data from old version redis (rdb preamble
    # no)" / "(rdb preamble yes)": the old file is moved into the AOF dir and
    # becomes the base, under its old name; the first rewrite replaces it.
    a = AofDir(tmp_path)
    if preamble == "yes":
        au.create_aof(a.server_dir, a.old_path, au.RDB_PREAMBLE_AOF)  # k1 k2 RDB, k3 RESP
    else:
        au.create_aof(a.server_dir, a.old_path, *set_cmds("k1", "k2", "k3"))
    c = start_aof(server_factory, tmp_path).client(decode_responses=True)
    au.wait_done_loading(c)
    assert get_all(c, "k1", "k2", "k3") == ["v1", "v2", "v3"]
    assert not os.path.exists(a.old_path) and a.exists(a.basename)
    a.assert_manifest(*UPGRADED)
    assert c.set("k4", "v4") is True
    c.bgrewriteaof()
    au.wait_rewrite_done(c)
    assert c.set("k5", "v5") is True
    a.assert_manifest(*AFTER_FIRST_REWRITE)
    au.loadaof_keeps_digest(c)


def test_upgrade_continues_after_interruption(server_factory, tmp_path):
    # "Multi Part AOF can continue the upgrade from the interrupted upgrade
    # state": the manifest was written but the rename did not happen.
    a = AofDir(tmp_path)
    au.create_aof(a.server_dir, a.old_path, *set_cmds("k1", "k2", "k3"))
    a.write_manifest("file appendonly.aof seq 1 type b\n")
    c = start_aof(server_factory, tmp_path).client(decode_responses=True)
    au.wait_done_loading(c)
    assert get_all(c, "k1", "k2", "k3") == ["v1", "v2", "v3"]
    assert not os.path.exists(a.old_path) and a.exists(a.basename)
    a.assert_manifest(*UPGRADED)


def test_old_aof_in_both_dirs(server_factory, tmp_path):
    # "Multi Part AOF can be loaded correctly when both server dir and aof
    # dir contain old AOF": the one in the AOF dir wins; the other stays.
    a = AofDir(tmp_path)
    au.create_aof(a.server_dir, a.old_path, *set_cmds("k1", "k2", "k3"))
    a.write_manifest("file appendonly.aof seq 1 type b\n")
    a.write(a.file(a.basename), *set_cmds("k4", "k5", "k6"))
    c = start_aof(server_factory, tmp_path).client(decode_responses=True)
    au.wait_done_loading(c)
    assert c.exists("k1", "k2", "k3") == 0
    assert get_all(c, "k4", "k5", "k6") == ["v4", "v5", "v6"]
    assert os.path.exists(a.old_path) and a.exists(a.basename)
    a.assert_manifest(*UPGRADED)


def test_two_servers_upgrade_in_one_dir(server_factory, tmp_path):
    # "Multi Part AOF can upgrade when when two redis share the same server
    # dir" (redis1, redis2): appendonly.aof and appendonly.aof2 in one dir,
    # one server each; each upgrade touches only its own files.
    a1, a2 = AofDir(tmp_path), AofDir(tmp_path, "appendonly.aof2")
    au.create_aof(a1.server_dir, a1.old_path, *set_cmds("k1", "k2", "k3"))
    au.create_aof(a2.server_dir, a2.old_path, *set_cmds("k4", "k5", "k6"))
    s1 = start_aof(server_factory, tmp_path)
    s2 = start_aof(server_factory, tmp_path, "--appendfilename", "appendonly.aof2",
                   defaults=("--appendonly", "yes"))
    for s, a, mine, other in [(s1, a1, "k1", "k4"), (s2, a2, "k4", "k1")]:
        c = s.client(decode_responses=True)
        au.wait_done_loading(c)
        n = int(mine[1:])
        assert get_all(c, *["k%d" % i for i in range(n, n + 3)]) == [
            "v%d" % i for i in range(n, n + 3)]
        m = int(other[1:])
        assert c.exists(*["k%d" % i for i in range(m, m + 3)]) == 0
        name = a.basename
        a.assert_manifest("file %s seq 1 type b" % name, "file %s.1.incr.aof seq 1 type i" % name)
        c.bgrewriteaof()
        au.wait_rewrite_done(c)
        assert c.set("k", "v") is True
        a.assert_manifest("file %s.2.base.rdb seq 2 type b" % name,
                          "file %s.2.incr.aof seq 2 type i" % name)
        au.loadaof_keeps_digest(c)


def test_appendfilename_with_whitespace(server_factory, tmp_path):
    # "Multi Part AOF can handle appendfilename contains whitespaces": names
    # with spaces and newlines are quoted in the manifest (\n escaped).
    name = " file seq \n\n.aof "
    s = start_aof(server_factory, tmp_path, "--appendfilename", name,
                  defaults=("--appendonly", "yes"))
    c = s.client(decode_responses=True)
    assert c.set("k1", "v1") is True
    c.bgrewriteaof()
    au.wait_rewrite_done(c)
    au.assert_aof_manifest_content(AofDir(tmp_path, name).manifest, [
        r'file " file seq \n\n.aof .2.base.rdb" seq 2 type b',
        r'file " file seq \n\n.aof .2.incr.aof" seq 2 type i'])
    au.loadaof_keeps_digest(c)


@pytest.mark.parametrize("preamble,suffix", [("yes", BASE_RDB), ("no", BASE_AOF)])
def test_first_start_creates_base(server_factory, tmp_path, preamble, suffix):
    # "Multi Part AOF can create BASE (RDB format) when redis starts from
    # empty" / "(AOF format)"
    a = AofDir(tmp_path)
    c = start_aof(server_factory, tmp_path, "--aof-use-rdb-preamble", preamble).client()
    au.wait_done_loading(c)
    assert a.exists(a.name(1, suffix))
    a.assert_manifest("file appendonly.aof.1%s seq 1 type b" % suffix,
                      "file appendonly.aof.1.incr.aof seq 1 type i")
    c.set("foo", "behavior")
    au.loadaof_keeps_digest(c)


# ---------------------------------------------------------------------------
# Part 2: one server through rewrites, failures, enable / disable
# ---------------------------------------------------------------------------

def lines(*entries):
    """("5.base.rdb", "b"), ... -> manifest lines of appendonly.aof.*"""
    return ["file appendonly.aof.%s seq %s type %s" % (n, n.split(".")[0], t) for n, t in entries]


@pytest.fixture(scope="class")
def part2(tmp_path_factory):
    """The Part 2 server (`start_server ... aof-use-rdb-preamble yes
    appendonly no`): the steps of this class run on it in order, each
    expecting the sequence numbers the previous ones left."""
    d = tmp_path_factory.mktemp("multipart")
    s = ServerProcess(VIREO_BIN, args=DEBUG_ARGS + ["--aof-use-rdb-preamble", "yes"], cwd=str(d))
    s.c = s.client(decode_responses=True, single_connection_client=True, db=9)
    s.a = AofDir(d)
    yield s
    s.c.close()
    s.stop()


def rewrite(c):
    c.bgrewriteaof()
    au.wait_rewrite_done(c)


class TestRewriteLifecycle:
    """Part 2 of aof-multi-part.tcl: steps on one server, in file order
    (test_01..07); each expects the manifest the previous steps left, so
    the class runs as a whole (a -k selection of one step fails)."""

    def test_01_enable_creates_manifest(self, part2):
        # "Make sure aof manifest appendonly.aof.manifest not in aof
        # directory", "AOF enable will create manifest file"
        c, a = part2.c, part2.a
        assert not os.path.exists(a.manifest)
        c.config_set("appendonly", "yes")
        c.config_set("auto-aof-rewrite-percentage", 0)
        au.wait_rewrite_done(c)
        load = au.start_write_load(part2.port)
        assert wait_for(lambda: c.dbsize() > 0), "no write load"
        a.assert_manifest(*lines(("1.base.rdb", "b"), ("1.incr.aof", "i")))
        assert a.exists(a.manifest_name) and a.exists(a.name(1, BASE_RDB))
        assert a.exists(a.name(1, INCR_AOF))
        rewrite(c)
        a.assert_manifest(*lines(("2.base.rdb", "b"), ("2.incr.aof", "i")))
        a.wait_gone(a.name(1, BASE_RDB), a.name(1, INCR_AOF))
        assert a.exists(a.name(2, BASE_RDB)) and a.exists(a.name(2, INCR_AOF))
        load.stop()
        au.wait_load_handlers_disconnected(c)
        au.loadaof_keeps_digest(c)

    def test_02_rewrite_failures_open_incr_files(self, part2):
        # "AOF multiple rewrite failures will open multiple INCR AOFs"
        c, a = part2.c, part2.a
        c.config_set("rdb-key-save-delay", 10000000)
        orig = c.dbsize()
        load = au.start_write_load(part2.port)
        assert wait_for(lambda: c.dbsize() > orig), "no write load"
        pids = []
        for _ in range(3):
            c.bgrewriteaof()
            pids.append(au.kill_child(part2))
            au.wait_rewrite_done(c)
        for pid in pids:
            assert not os.path.exists(os.path.join(a.server_dir, "temp-rewriteaof-bg-%d.aof" % pid))
        incrs = [("%d.incr.aof" % n, "i") for n in (2, 3, 4, 5)]
        a.assert_manifest(*lines(("2.base.rdb", "b"), *incrs))
        assert a.exists(a.name(2, BASE_RDB))
        assert all(a.exists(a.name(n, INCR_AOF)) for n in (2, 3, 4, 5))
        load.stop()
        au.wait_load_handlers_disconnected(c)
        au.loadaof_keeps_digest(c)
        c.config_set("rdb-key-save-delay", 0)
        au.kill_child(part2, required=False)
        au.wait_status(c, "rdb_bgsave_in_progress", lambda v: v == "0")
        rewrite(c)
        # All previous INCR AOFs became history and are deleted.
        a.assert_manifest(*lines(("3.base.rdb", "b"), ("6.incr.aof", "i")))
        a.wait_gone(a.name(2, BASE_RDB), *[a.name(n, INCR_AOF) for n in (2, 3, 4, 5)])
        assert a.exists(a.name(3, BASE_RDB)) and a.exists(a.name(6, INCR_AOF))
        au.loadaof_keeps_digest(c)

    def test_03_rewrite_with_aof_off(self, part2):
        # "AOF rewrite doesn't open new aof when AOF turn off"
        c, a = part2.c, part2.a
        c.config_set("appendonly", "no")
        rewrite(c)
        a.assert_manifest(*lines(("4.base.rdb", "b")))
        assert a.exists(a.name(4, BASE_RDB))
        a.wait_gone(a.name(6, INCR_AOF), a.name(7, INCR_AOF))
        au.loadaof_keeps_digest(c)
        c.config_set("appendonly", "yes")
        au.wait_rewrite_done(c)
        # why: the new INCR numbering restarts at 1 (no INCR was listed).
        a.assert_manifest(*lines(("5.base.rdb", "b"), ("1.incr.aof", "i")))
        a.wait_gone(a.name(4, BASE_RDB))
        assert a.exists(a.name(5, BASE_RDB)) and a.exists(a.name(1, INCR_AOF))

    def test_04_auto_gc(self, part2):
        # "AOF enable/disable auto gc"
        c, a = part2.c, part2.a
        c.config_set("aof-disable-auto-gc", "yes")
        rewrite(c)
        rewrite(c)
        # Four history files (two BASE, two INCR), listed after the base.
        a.assert_manifest(*lines(("7.base.rdb", "b"), ("2.incr.aof", "h"), ("6.base.rdb", "h"),
                                 ("1.incr.aof", "h"), ("5.base.rdb", "h"), ("3.incr.aof", "i")))
        kept = [a.name(5, BASE_RDB), a.name(6, BASE_RDB), a.name(1, INCR_AOF), a.name(2, INCR_AOF)]
        assert all(a.exists(n) for n in kept)
        c.config_set("aof-disable-auto-gc", "no")
        # why: re-enabling GC rewrites the manifest at once; files go later.
        a.assert_manifest(*lines(("7.base.rdb", "b"), ("3.incr.aof", "i")))
        a.wait_gone(*kept)

    def test_05_sequence_after_reload(self, part2):
        # "AOF can produce consecutive sequence number after reload"
        c, a = part2.c, part2.a
        a.assert_manifest(*lines(("7.base.rdb", "b"), ("3.incr.aof", "i")))
        c.execute_command("DEBUG", "LOADAOF")
        rewrite(c)
        a.assert_manifest(*lines(("8.base.rdb", "b"), ("4.incr.aof", "i")))

    def test_06_enable_during_bgsave(self, part2):
        # "AOF enable during BGSAVE will not write data util AOFRW finish"
        c, a = part2.c, part2.a
        c.config_set("appendonly", "no")
        c.config_set("save", "")
        c.config_set("rdb-key-save-delay", 10000000)
        c.set("k1", "v1")
        c.bgsave()
        au.wait_status(c, "rdb_bgsave_in_progress", lambda v: v == "1")
        # why: a child already runs: the rewrite is only scheduled, and no
        # new INCR file is opened until it is done.
        c.config_set("appendonly", "yes")
        assert au.status(c, "aof_rewrite_scheduled") == "1"
        a.assert_manifest(*lines(("8.base.rdb", "b"), ("4.incr.aof", "i")))
        c.set("k2", "v2")
        c.execute_command("DEBUG", "LOADAOF")
        assert c.exists("k1") == 0 and c.exists("k2") == 0
        forks = int(au.status(c, "total_forks"))
        assert au.status(c, "rdb_bgsave_in_progress") == "1"
        c.config_set("rdb-key-save-delay", 0)
        au.kill_child(part2, required=False)
        au.wait_status(c, "rdb_bgsave_in_progress", lambda v: v == "0")
        au.wait_status(c, "total_forks", lambda v: int(v) == forks + 1)
        au.wait_rewrite_done(c)
        a.assert_manifest(*lines(("9.base.rdb", "b"), ("5.incr.aof", "i")))
        c.set("k3", "v3")
        c.execute_command("DEBUG", "LOADAOF")
        assert c.get("k3") == "v3"

    def test_07_failing_auto_rewrites_limited(self, part2):
        # "AOF will trigger limit when AOFRW fails many times"
        c, a = part2.c, part2.a
        c.flushall()
        rewrite(c)  # aof_current_size back to (almost) 0
        c.config_set("rdb-key-save-delay", 10000000)
        c.config_set("auto-aof-rewrite-percentage", 1)
        c.config_set("auto-aof-rewrite-min-size", "1kb")
        c.set("k", "v")  # a key, so that the rewrite child sleeps
        for _ in range(3):
            c.bgrewriteaof()
            au.kill_child(part2)
            au.wait_rewrite_done(c)
        failed = lines(("10.base.rdb", "b"), *[("%d.incr.aof" % n, "i") for n in (6, 7, 8, 9)])
        a.assert_manifest(*failed)
        c.set("x", "x" * 1024)  # past auto-aof-rewrite-min-size
        au.wait_log(part2, "triggered the limit", timeout=50)
        assert au.count_log_lines(part2, "triggered the limit") == 1
        assert au.status(c, "aof_rewrite_in_progress") == "0"
        a.assert_manifest(*failed)
        c.config_set("auto-aof-rewrite-percentage", 0)
        c.config_set("rdb-key-save-delay", 0)
        au.kill_child(part2, required=False)
        au.wait_rewrite_done(c)
        # A manual rewrite is not limited.
        rewrite(c)
        assert a.exists(a.name(10, INCR_AOF))
        a.assert_manifest(*lines(("11.base.rdb", "b"), ("10.incr.aof", "i")))
        au.loadaof_keeps_digest(c)


def _fail_twice_then_succeed(s, c, removed_before, after_first_kill):
    """Kill the rewrite that CONFIG SET appendonly yes started, then the
    retried one (the server retries by itself), and let the third succeed.
    The temp INCR file that took the writes meanwhile is removed after each
    failure."""
    assert au.status(c, "aof_rewrite_in_progress") == "1"
    au.kill_child(s)
    au.wait_log(s, "Removing the temp incr aof file", count=removed_before + 1, timeout=100)
    after_first_kill()
    au.wait_status(c, "aof_rewrite_in_progress", lambda v: v == "1", timeout=50)
    forks = int(au.status(c, "total_forks"))
    c.config_set("rdb-key-save-delay", 0)
    au.kill_child(s, required=False)
    au.wait_status(c, "total_forks", lambda v: int(v) == forks + 1)
    au.wait_rewrite_done(c)
    assert au.count_log_lines(s, "Removing the temp incr aof file") == removed_before + 2


def test_temp_incr_until_first_rewrite(server_factory, tmp_path):
    # "AOF will open a temporary INCR AOF to accumulate data until the first
    # AOFRW success when AOF is dynamically enabled"
    s = start_aof(server_factory, tmp_path, defaults=("--aof-use-rdb-preamble", "yes"))
    c = s.client(decode_responses=True, single_connection_client=True, db=9)
    a = AofDir(tmp_path)
    c.config_set("save", "")
    c.config_set("rdb-key-save-delay", 10000000)  # the rewrite sleeps until killed
    load = au.start_write_load(s.port)
    assert wait_for(lambda: c.dbsize() > 0), "no write load"
    c.config_set("appendonly", "yes")

    def nothing_written():
        # A failed first rewrite writes neither a manifest nor a BASE.
        assert not a.exists(a.manifest_name) and not a.exists(a.name(1, BASE_RDB))
    _fail_twice_then_succeed(s, c, 0, nothing_written)
    a.assert_manifest(*lines(("1.base.rdb", "b"), ("1.incr.aof", "i")))
    load.stop()
    au.wait_load_handlers_disconnected(c)
    d1 = au.loadaof_keeps_digest(c)
    # Disabling the AOF keeps its files: DEBUG LOADAOF still reads them.
    c.config_set("appendonly", "no")
    assert au.loadaof_keeps_digest(c) == d1
    assert au.status(c, "rdb_changes_since_last_save") == "0"
    c.config_set("rdb-key-save-delay", 10000000)
    load = au.start_write_load(s.port)
    au.wait_status(c, "rdb_changes_since_last_save", lambda v: int(v) > 0)
    # Re-enable: no new INCR file until a rewrite succeeds.
    c.config_set("appendonly", "yes")
    _fail_twice_then_succeed(s, c, 2, lambda: a.assert_manifest(
        *lines(("1.base.rdb", "b"), ("1.incr.aof", "i"))))
    a.assert_manifest(*lines(("2.base.rdb", "b"), ("2.incr.aof", "i")))
    load.stop()
    au.wait_load_handlers_disconnected(c)
    au.loadaof_keeps_digest(c)
