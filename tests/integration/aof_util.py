"""Helpers for the AOF tests (test_aof.py, test_aof_multipart.py): the
Python twins of Redis 7.0.15's tests/support/aofmanifest.tcl and the AOF
helpers of tests/support/util.tcl (formatCommand, create_aof,
create_aof_manifest, assert_aof_manifest_content, assert_aof_content,
get_last_incr_aof_path, waitForBgrewriteaof, get_child_pid, count_log_message,
start_write_load), plus starting / stopping a server on an AOF directory.

Owned by the AOF test port. The file layouts written here are Redis's
multi-part AOF (7.0): <dir>/<appenddirname>/<appendfilename>.manifest lists
`file <name> seq <n> type b|h|i` lines; base files are
<appendfilename>.<seq>.base.rdb|aof, incr files <appendfilename>.<seq>.incr.aof.
"""
import fnmatch
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time

import redis

from integ_util import SLOW, encode, wait_for
import persistence_util as pu
from persistence_util import DEBUG_ARGS

MANIFEST_SUFFIX = ".manifest"
BASE_AOF = ".base.aof"
BASE_RDB = ".base.rdb"
INCR_AOF = ".incr.aof"

# The `defaults` of aof.tcl / aof-multi-part.tcl: every AOF test server runs
# with these (auto rewrite off so that sequence numbers stay predictable).
AOF_DEFAULTS = ["--appendonly", "yes", "--appendfilename", "appendonly.aof",
                "--appenddirname", "appendonlydir", "--auto-aof-rewrite-percentage", "0"]

# formatCommand: a command as the AOF stores it (a RESP multibulk).
resp = encode

# Redis 7.0.15's tests/assets/rdb-preamble.aof, byte for byte (169 bytes): an
# old-style single AOF whose head is an RDB 10 (k1, k2; aux "aof-preamble" 1)
# and whose tail is RESP (SELECT 0, SET k3 v3). Inlined because the assets
# folder belongs to another file owner (see the report of this port).
RDB_PREAMBLE_AOF = bytes.fromhex(
    "5245444953303031" "30fa097265646973" "2d7665720b323535" "2e3235352e323535"
    "fa0a72656469732d" "62697473c040fa05" "6374696d65c2d610" "cb61fa0875736564"
    "2d6d656dc2a08d10" "00fa0c616f662d70" "7265616d626c65c0" "01fe00fb02000002"
    "6b320276320002" "6b31027631fffbcb6d" "c9b70c80a42a320d" "0a24360d0a53454c"
    "4543540d0a24310d" "0a300d0a2a330d0a" "24330d0a7365740d" "0a24320d0a6b330d"
    "0a24320d0a76330d" "0a")
assert len(RDB_PREAMBLE_AOF) == 169


# ---------------------------------------------------------------------------
# Files: the AOF directory, AOF files, the manifest
# ---------------------------------------------------------------------------

def create_aof(dirpath, path, *chunks):
    """create_aof + append_to_aof: mkdir -p `dirpath`, write the chunks
    (bytes or str) to `path`, replacing it."""
    os.makedirs(dirpath, exist_ok=True)
    with open(path, "wb") as f:
        for c in chunks:
            f.write(c.encode() if isinstance(c, str) else c)


def create_aof_manifest(dirpath, path, *lines):
    """create_aof_manifest + append_to_manifest: each line written as given
    (the caller adds the "\\n", as the tcl does)."""
    create_aof(dirpath, path, *lines)


def read_manifest(path):
    """The manifest's lines, without their newlines (tcl `gets`)."""
    with open(path, "rb") as f:
        return f.read().decode().split("\n")[:-1]


def assert_aof_manifest_content(path, expected):
    assert read_manifest(path) == list(expected)


class AofDir:
    """The paths of one server's AOF: <server_dir>/<dirname>/<basename>.*"""

    def __init__(self, server_dir, basename="appendonly.aof", dirname="appendonlydir"):
        self.server_dir = str(server_dir)
        self.basename = basename
        self.path = os.path.join(self.server_dir, dirname)
        self.manifest_name = basename + MANIFEST_SUFFIX
        self.manifest = os.path.join(self.path, self.manifest_name)
        # The pre-7.0 single AOF, in the server dir (old name, old path).
        self.old_path = os.path.join(self.server_dir, basename)

    def name(self, seq, suffix):
        return "%s.%d%s" % (self.basename, seq, suffix)

    def file(self, name):
        return os.path.join(self.path, name)

    def base(self, seq, suffix=BASE_AOF):
        return self.file(self.name(seq, suffix))

    def incr(self, seq):
        return self.file(self.name(seq, INCR_AOF))

    def exists(self, name):
        """check_file_exist $aof_dirpath name"""
        return os.path.exists(self.file(name))

    def write(self, path, *chunks):
        create_aof(self.path, path, *chunks)

    def write_manifest(self, *lines):
        create_aof_manifest(self.path, self.manifest, *lines)

    def assert_manifest(self, *lines):
        assert_aof_manifest_content(self.manifest, lines)

    def wait_gone(self, *names, timeout=10.0):
        """History files are deleted by a background thread: poll."""
        ok = wait_for(lambda: not any(self.exists(n) for n in names), timeout)
        assert ok, "still there: %s (dir: %s)" % (
            [n for n in names if self.exists(n)], sorted(os.listdir(self.path)))

    def clean(self):
        """clean_aof_persistence"""
        shutil.rmtree(self.path, ignore_errors=True)


def read_aof_commands(path, annotations=False):
    """The commands of a RESP AOF file, as lists of str with the command name
    lowercased (tcl read_from_aof). `#...` annotation lines are skipped, or
    returned as one-item lists with `annotations=True`."""
    with open(path, "rb") as f:
        data = f.read()
    out, pos = [], 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        line = data[pos:end]
        pos = end + 2
        if line.startswith(b"#"):
            if annotations:
                out.append([line.decode()])
            continue
        assert line.startswith(b"*"), "not a multibulk at %d: %r" % (pos, line)
        args = []
        for _ in range(int(line[1:])):
            end = data.index(b"\r\n", pos)
            n = int(data[pos + 1:end])
            args.append(data[end + 2:end + 2 + n].decode(errors="replace"))
            pos = end + 2 + n + 2
        args[0] = args[0].lower()
        out.append(args)
    return out


def assert_aof_content(path, patterns):
    """Each command of the AOF, joined by spaces, matches the glob pattern at
    its position (tcl assert_aof_content); and there are no more commands."""
    cmds = [" ".join(c) for c in read_aof_commands(path)]
    assert len(cmds) == len(patterns), cmds
    for got, pat in zip(cmds, patterns):
        assert fnmatch.fnmatchcase(got, pat), "%r does not match %r in %r" % (got, pat, cmds)


def _aof_paths(client):
    cfg = {k: client.config_get(k)[k] for k in ("dir", "appenddirname", "appendfilename")}
    d = AofDir(cfg["dir"], cfg["appendfilename"], cfg["appenddirname"])
    return d, read_manifest(d.manifest)


def _manifest_name(line):
    """The file name of a manifest line; names with spaces or escapes are
    quoted by Redis (sdscatrepr), which these helpers do not undo."""
    parts = line.split(" ")
    return parts[1], parts[5]


def get_last_incr_aof_path(client):
    d, lines = _aof_paths(client)
    name, kind = _manifest_name(lines[-1])
    return d.file(name) if kind == "i" else ""


def get_base_aof_path(client):
    d, lines = _aof_paths(client)
    name, kind = _manifest_name(lines[0])
    return d.file(name) if kind == "b" else ""


# ---------------------------------------------------------------------------
# Servers: start, stop, logs, INFO, the fork child
# ---------------------------------------------------------------------------

def start_aof(factory, d, *args, wait=True, defaults=AOF_DEFAULTS):
    """start_server_aof: the server under test in directory `d` with the AOF
    defaults (and debug commands) plus `args`. `wait=False` for a server that
    is expected to refuse to start. The server's log lines start at
    `s.log_offset` of <d>/server.log (restarts in one dir append to it)."""
    logpath = os.path.join(str(d), "server.log")
    offset = os.path.getsize(logpath) if os.path.exists(logpath) else 0
    s = factory(args=DEBUG_ARGS + list(defaults) + [str(a) for a in args],
                cwd=str(d), wait=wait)
    s.log_offset = offset
    return s


def shutdown(s, timeout=20.0):
    """kill_server: SIGTERM (Redis flushes and fsyncs the AOF on its way
    out), then wait; SIGKILL only if it hangs."""
    if s.alive():
        s.proc.send_signal(signal.SIGTERM)
        try:
            s.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:  # a hung server is killed below
            pass
    s.stop()


def restart(factory, s, *args, wait=True):
    shutdown(s)
    return start_aof(factory, s.dir, *args, wait=wait)


def server_log(s):
    """This server's own log lines (see start_aof)."""
    with open(s.logpath, "rb") as f:
        f.seek(getattr(s, "log_offset", 0))
        return f.read().decode(errors="replace")


def count_log_lines(s, pattern):
    """count_message_lines: lines of this server's log matching regex."""
    return sum(1 for line in server_log(s).splitlines() if re.search(pattern, line))


def wait_log(s, pattern, count=1, timeout=10.0):
    ok = wait_for(lambda: count_log_lines(s, pattern) >= count, timeout)
    assert ok, "log never had %d x %r:\n%s" % (count, pattern, server_log(s)[-3000:])


def assert_refused(s, pattern, timeout=10.0):
    """The server exits with status 1 (Redis's exit(1) on a bad AOF) and its
    log has exactly one line matching `pattern`."""
    try:
        rc = s.proc.wait(timeout=timeout * SLOW)
    except subprocess.TimeoutExpired:
        rc = None
    log = server_log(s)
    assert rc == 1, "server still running or wrong exit (%r):\n%s" % (rc, log[-3000:])
    assert count_log_lines(s, pattern) == 1, "%r not logged once:\n%s" % (pattern, log[-3000:])
    return log


def status(client, name):
    """`s name` / `status r name`: a field of INFO persistence or stats."""
    v = pu.info_field(client, name, "persistence")
    return v if v is not None else pu.info_field(client, name, "stats")


def wait_status(client, name, pred, timeout=20.0):
    got = wait_for(lambda: pred(status(client, name)), timeout)
    assert got, "INFO %s is %r" % (name, status(client, name))


def wait_rewrite_done(client, timeout=60.0):
    """waitForBgrewriteaof: until aof_rewrite_in_progress is 0."""
    pu.wait_info(client, "aof_rewrite_in_progress", "0", timeout)


def wait_done_loading(client, timeout=30.0):
    """wait_done_loading: until PING is answered (not -LOADING)."""
    deadline = time.time() + timeout * SLOW
    while True:
        try:
            client.ping()
            return
        except redis.exceptions.BusyLoadingError:
            if time.time() > deadline:
                raise
            time.sleep(0.02)


def child_pids(pid):
    """The PIDs whose parent is `pid` (a fork child: BGSAVE or AOFRW)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(name))
    return out


def kill_child(s, required=True, timeout=10.0):
    """exec kill -9 [get_child_pid 0]: SIGKILL the server's fork child (this
    test's own server's child, by PID). Returns its PID. `required=False` is
    the tcl's `catch {...}`: no child is fine."""
    kids = wait_for(lambda: child_pids(s.pid), timeout if required else 0)
    if not required and not kids:
        return None
    assert kids, "server %d has no child" % s.pid
    for k in kids:
        try:
            os.kill(k, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return kids[0]


def loadaof_keeps_digest(client):
    """set d1 [r debug digest]; r debug loadaof; set d2 ...; assert equal."""
    d1 = client.execute_command("DEBUG", "DIGEST")
    assert client.execute_command("DEBUG", "LOADAOF") in (b"OK", "OK", True)
    d2 = client.execute_command("DEBUG", "DIGEST")
    assert d1 == d2
    return d1


# ---------------------------------------------------------------------------
# Write load (tests/helpers/gen_write_load.tcl), with acknowledgements
# ---------------------------------------------------------------------------

class WriteLoad(threading.Thread):
    """start_write_load: SET <rand> <rand> in db 9 on its own connection
    named LOAD_HANDLER, until stop() (or `seconds`). Every acknowledged SET
    is kept in `acked` ({key bytes: value bytes}), so the data can be
    compared with what the writer was told was written."""

    def __init__(self, port, seconds=60.0, db=9):
        super().__init__(daemon=True)
        self.port, self.seconds, self.db = port, seconds, db
        self.acked = {}
        self.error = None
        self._stop_ev = threading.Event()
        self._rng = random.Random()
        self.started_ev = threading.Event()

    def run(self):
        c = redis.Redis(host="127.0.0.1", port=self.port, db=self.db,
                        socket_timeout=30 * SLOW, single_connection_client=True)
        try:
            c.client_setname("LOAD_HANDLER")
            end = time.time() + self.seconds
            while not self._stop_ev.is_set() and time.time() < end:
                k = repr(self._rng.random()).encode()
                v = repr(self._rng.random()).encode()
                c.set(k, v)
                self.acked[k] = v
                self.started_ev.set()
        except Exception as e:  # noqa: BLE001 - reported by stop()
            self.error = e
        finally:
            self.started_ev.set()
            c.close()

    def stop(self):
        """stop_write_load; returns the acknowledged writes."""
        self._stop_ev.set()
        self.join(30 * SLOW)
        assert not self.is_alive(), "write load did not stop"
        assert self.error is None, "write load failed: %r" % (self.error,)
        return self.acked


def start_write_load(port, **kw):
    w = WriteLoad(port, **kw)
    w.start()
    assert w.started_ev.wait(10 * SLOW) and w.error is None, w.error
    return w


def wait_load_handlers_disconnected(client, timeout=5.0):
    def gone():
        return not any(e.get("name") == "LOAD_HANDLER" for e in client.client_list())
    assert wait_for(gone, timeout), "load handler still connected"
