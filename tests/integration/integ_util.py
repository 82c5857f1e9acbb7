"""Helpers shared by the integration tests (imported as `integ_util`; the
test modules do not import `conftest`, whose module name is ambiguous when
several suites run in one pytest session).

The root tests/conftest.py is loaded here by path (as a private module) to
reuse ServerProcess, free_port and the VIREO_BIN / REDIS_BIN selection.
"""
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time

_ROOT_CONFTEST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "conftest.py")
_spec = importlib.util.spec_from_file_location("vireo_root_conftest", _ROOT_CONFTEST)
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)

ServerProcess = _root.ServerProcess
free_port = _root.free_port
VIREO_BIN = _root.VIREO_BIN
REDIS_BIN = _root.REDIS_BIN
ROOT = _root.ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
CONF_DIR = os.path.join(ROOT, "conf")
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
# Sanitizer builds are several times slower: stretch the time limits.
SLOW = 4.0 if os.environ.get("VIREO_SANITIZED") else 1.0


def _binary_is_redis(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return os.path.basename(binary).startswith("redis")
    return out.startswith(b"Redis server")


IS_REDIS = _binary_is_redis(VIREO_BIN)


class Procs:
    """Arbitrary processes (servers with custom command lines, daemons).

    Each started process is killed by PID at teardown; `adopt_pid` records a
    PID we did not spawn ourselves (a daemonized server) for the same.
    """

    def __init__(self):
        self.procs = []
        self.extra_pids = []
        self.files = []

    def start(self, argv, cwd, stdin=subprocess.DEVNULL, log_name="proc.log", **kw):
        log_path = os.path.join(cwd, log_name)
        log = open(log_path, "ab")
        self.files.append(log)
        p = subprocess.Popen([str(a) for a in argv], cwd=cwd, stdin=stdin, stdout=log,
                             stderr=subprocess.STDOUT, **kw)
        p.log_path = log_path
        self.procs.append(p)
        return p

    def adopt_pid(self, pid, exe):
        """Kill `pid` at teardown, but only if it still runs `exe` (a
        recycled PID is left alone)."""
        self.extra_pids.append((pid, os.path.realpath(exe)))

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        for pid, exe in self.extra_pids:
            try:
                if os.path.realpath("/proc/%d/exe" % pid) == exe:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for f in self.files:
            f.close()



def wait_port(port, proc=None, timeout=10.0, host="127.0.0.1"):
    """Wait until a PING on host:port gets an answer (any answer)."""
    deadline = time.time() + timeout * SLOW
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited with %s" % proc.returncode)
        try:
            with socket.create_connection((host, port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64):
                    return
        except OSError as e:
            last = e
        time.sleep(0.02)
    raise RuntimeError("nothing answers on %s:%d (%s)" % (host, port, last))


def wait_exit(proc, timeout=10.0):
    try:
        return proc.wait(timeout=timeout * SLOW)
    except subprocess.TimeoutExpired:
        return None


def wait_for(pred, timeout=5.0, step=0.02):
    """Poll `pred` until it returns a truthy value or `timeout` passes."""
    deadline = time.time() + timeout * SLOW
    while True:
        v = pred()
        if v or time.time() >= deadline:
            return v
        time.sleep(step)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0): look at its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def two_free_ports_cluster():
    """A free port P such that P+10000 (cluster bus) is free too."""
    for _ in range(50):
        p = free_port()
        if p + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 10000))
        except OSError:
            continue
        return p
    raise RuntimeError("no free port pair for a cluster node")


# ---------------------------------------------------------------------------
# Raw RESP connections
# ---------------------------------------------------------------------------

class Closed(Exception):
    pass


class Raw:
    """A raw TCP (or unix) connection with a small RESP2/RESP3 reader."""

    def __init__(self, port=None, host="127.0.0.1", unix=None, timeout=5.0):
        if unix:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout * SLOW)
            self.sock.connect(unix)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout * SLOW)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout * SLOW
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, *args):
        """Send one multibulk command."""
        self.send(encode(*args))

    def call(self, *args):
        """Send one multibulk command and read one reply."""
        self.cmd(*args)
        return self.read_reply()

    def _fill(self, timeout=None):
        self.sock.settimeout(timeout if timeout is not None else self.timeout)
        try:
            d = self.sock.recv(1 << 20)
        except ConnectionResetError:
            d = b""
        if not d:
            raise Closed()
        self.buf += d

    def recv_exact(self, n, timeout=None):
        deadline = time.time() + (timeout if timeout is not None else self.timeout)
        while len(self.buf) < n:
            left = deadline - time.time()
            if left <= 0:
                raise socket.timeout("got %r, wanted %d bytes" % (self.buf[:200], n))
            self._fill(left)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def readline(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_reply(self):
        """Parse one reply. Errors come back as RespError values; RESP3 maps
        as dicts (keys made hashable), sets as sets, nulls as None."""
        line = self.readline()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            return RespError(rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.recv_exact(n + 2)
            return data[:-2]
        if t in (b"*", b">", b"~"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read_reply() for _ in range(n)]
            if t == b"~":
                return set(_hashable(i) for i in items)
            return items
        if t == b"%" or t == b"|":
            n = int(rest)
            d = {}
            for _ in range(n):
                k = self.read_reply()
                d[_hashable(k)] = self.read_reply()
            return d
        if t == b"_":
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        if t in (b"!", b"="):
            n = int(rest)
            data = self.recv_exact(n + 2)[:-2]
            return RespError(data) if t == b"!" else data
        raise ValueError("bad reply type %r (line %r)" % (t, line))

    def recv_until_idle(self, idle=0.3):
        """Everything that arrives until nothing more comes for `idle` s.
        Returns (data, closed)."""
        out = self.buf
        self.buf = b""
        self.sock.settimeout(idle)
        closed = False
        while True:
            try:
                d = self.sock.recv(1 << 20)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not d:
                closed = True
                break
            out += d
        return out, closed

    def wait_closed(self, timeout=5.0):
        """True once the peer closed the connection (EOF or reset) within
        `timeout`; data that arrives before that is discarded."""
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                d = self.sock.recv(1 << 20)
            except socket.timeout:
                return False
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not d:
                return True
        return False


class RespError(bytes):
    """An error reply (its bytes, without the leading '-')."""

    def __repr__(self):
        return "RespError(%s)" % bytes.__repr__(self)


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(i) for i in v)
    if isinstance(v, dict):
        return tuple(sorted(v.items()))
    if isinstance(v, set):
        return frozenset(v)
    return v


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Watcher:
    """The second client, connected for the whole test, that must keep
    getting PING answers whatever the other connections do."""

    def __init__(self, port):
        self.conn = Raw(port)
        self.pings = 0

    def ping(self, timeout=5.0):
        self.conn.send(b"PING\r\n")
        got = self.conn.recv_exact(7, timeout=timeout * SLOW)
        assert got == b"+PONG\r\n", "watcher got %r" % got
        self.pings += 1

    def close(self):
        self.conn.close()



def cli(port, *args, input=None, timeout=30, extra=()):
    """Run redis-cli against 127.0.0.1:port; returns CompletedProcess (bytes)."""
    argv = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port)] + list(extra) + [str(a) for a in args]
    return subprocess.run(argv, input=input, capture_output=True, timeout=timeout * SLOW)

