"""Shared helpers for the Vireo vs redis-server comparison tools.

Starts both servers with equivalent settings, pins them to a CPU, reads
their CPU time and memory from /proc, and talks RESP over raw sockets.
Standard library only (runs under /usr/bin/python3).
"""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VIREO = os.path.join(REPO, "build", "vireo-server")
DEFAULT_REDIS = "/usr/bin/redis-server"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1
SERVER_CPU = "0"
CLIENT_CPU = "1" if NCPU > 1 else "0"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pin(cmd, cpu):
    """Prefixes cmd with taskset when the machine has the CPU."""
    if shutil.which("taskset") and int(cpu) < NCPU:
        return ["taskset", "-c", cpu] + cmd
    return cmd


def raise_fd_limit(want=20000):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class Server:
    """One server process (vireo-server or redis-server) on a free port.

    Both get the same command line: no persistence, loopback only, protected
    mode off, the same hz, logging to a file in a private temp dir.
    `wrapper` (e.g. valgrind) goes between taskset and the binary.
    """

    def __init__(self, name, binary, hz=10, extra=(), wrapper=(), cpu=SERVER_CPU,
                 start_timeout=10.0):
        self.name = name
        self.binary = binary = os.path.abspath(binary)  # the server runs in its own dir
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix=f"vireo-bench-{name}-")
        self.logfile = os.path.join(self.dir, "server.log")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--hz", str(hz), "--daemonize", "no", "--dir", self.dir,
                "--logfile", self.logfile, "--maxclients", "10000"] + list(extra)
        self.cmd = pin(list(wrapper) + args, cpu)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.dir, "stdout.log"), "w"),
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        # taskset execs, so the pid is the server's (or valgrind's, which is
        # the same process running the server).
        self.pid = self.proc.pid
        try:
            self._wait_ready(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at startup (rc={self.proc.returncode}): "
                                   f"{' '.join(self.cmd)}\n{self.tail_log()}")
            try:
                if self.command("PING", timeout=1.0) == b"+PONG":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer PING within {timeout}s\n{self.tail_log()}")

    def tail_log(self, n=20):
        out = []
        for f in ("server.log", "stdout.log"):
            p = os.path.join(self.dir, f)
            if os.path.exists(p):
                with open(p, errors="replace") as fh:
                    out += fh.read().splitlines()[-n:]
        return "\n".join(out)

    def command(self, *args, timeout=10.0):
        """Sends one command on a fresh connection; returns the raw first line
        (without CRLF) for simple replies, or the whole payload for bulk."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(encode(args))
            return read_reply(s)

    def info(self, section=""):
        raw = self.command("INFO", section) if section else self.command("INFO")
        d = {}
        for line in raw.decode(errors="replace").splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                d[k] = v
        return d

    def used_memory(self):
        return int(self.info("memory")["used_memory"])

    def rss(self):
        """VmRSS in bytes from /proc/PID/status."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self):
        """utime + stime of the whole process (all threads) from /proc/PID/stat."""
        with open(f"/proc/{self.pid}/stat") as f:
            data = f.read()
        fields = data[data.rindex(")") + 2:].split()
        # fields[0] is field 3 (state); utime/stime are fields 14/15.
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=30.0):
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _readline(s, buf):
    while b"\r\n" not in buf[0]:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        buf[0] += chunk
    line, rest = buf[0].split(b"\r\n", 1)
    buf[0] = rest
    return line


def read_reply(s):
    buf = [b""]
    line = _readline(s, buf)
    if line[:1] == b"$":
        n = int(line[1:])
        if n < 0:
            return None
        while len(buf[0]) < n + 2:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            buf[0] += chunk
        return buf[0][:n]
    return line


def pipeline_load(port, commands, batch=2000, timeout=120.0):
    """Sends encoded commands in pipelined batches; every reply must be +OK."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = []
        sent = 0

        def flush():
            nonlocal pending, sent
            if not pending:
                return
            s.sendall(b"".join(pending))
            want = 5 * len(pending)
            got = bytearray()
            while len(got) < want:
                chunk = s.recv(max(65536, want - len(got)))
                if not chunk:
                    raise ConnectionError("server closed the connection during load")
                got += chunk
            if bytes(got) != b"+OK\r\n" * len(pending):
                raise RuntimeError(f"unexpected reply during load: {bytes(got[:200])!r}")
            sent += len(pending)
            pending = []

        for c in commands:
            pending.append(c)
            if len(pending) >= batch:
                flush()
        flush()
        return sent


class Unsupported(Exception):
    """The server answered "unknown command": the type is not there (yet).

    Every tool records such a workload as "n/a (unsupported)" instead of
    failing the run; str(e) is the command that was refused."""


UNSUPPORTED = "n/a (unsupported)"


def is_unknown_command(reply):
    """True for an error reply like Redis's "-ERR unknown command 'X', ..."."""
    if isinstance(reply, (bytes, bytearray)):
        reply = bytes(reply).decode(errors="replace")
    return reply.startswith("-ERR unknown command")


def unknown_command_name(reply):
    """'LPUSH' from "-ERR unknown command 'lpush', with args beginning with: ..."."""
    text = bytes(reply).decode(errors="replace")
    m = re.search(r"unknown command '([^']*)'", text)
    return m.group(1).upper() if m else text


def probe(server, *args):
    """Sends one command; raises Unsupported on "unknown command", returns the reply."""
    reply = server.command(*args)
    if isinstance(reply, bytes) and is_unknown_command(reply):
        raise Unsupported(unknown_command_name(reply))
    return reply


def pipeline_lines(port, commands, batch=200, timeout=300.0):
    """Sends encoded commands whose replies are one line each (integers,
    +OK, errors) in pipelined batches; returns the reply lines (without
    CRLF). Raises Unsupported when the server answers "unknown command",
    RuntimeError on any other error reply."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = []

        def flush():
            s.sendall(b"".join(pending))
            buf = bytearray()
            while buf.count(b"\r\n") < len(pending):
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection during load")
                buf += chunk
            lines = bytes(buf).split(b"\r\n")[:len(pending)]
            for line in lines:
                if line[:1] == b"-":
                    if is_unknown_command(line):
                        raise Unsupported(unknown_command_name(line))
                    raise RuntimeError(f"error reply during load: {line[:200]!r}")
            replies.extend(lines)
            pending.clear()

        for c in commands:
            pending.append(c)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    return replies


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_num(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def fmt_ratio(v):
    return "n/a" if v is None else f"{v:.2f}x"


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def select_ids(only, ids, option="--only"):
    """The ids named in a comma list (all when empty), in the order of ids;
    exits on an unknown one."""
    ids = list(ids)
    if not only:
        return ids
    sel = [k.strip() for k in only.split(",") if k.strip()]
    bad = [k for k in sel if k not in ids]
    if bad:
        raise SystemExit(f"{option}: unknown {', '.join(bad)}; one of {', '.join(ids)}")
    return [k for k in ids if k in sel]


def add_server_args(ap):
    """--vireo and --redis, the same in every tool."""
    ap.add_argument("--vireo", default=DEFAULT_VIREO, help="vireo-server binary")
    ap.add_argument("--redis", default=DEFAULT_REDIS, help="redis-server binary")


def tool_main(mod, render=None):
    """A tool's command line: mod's add_args / fix_args / run, --json, then
    render(results) (default mod.render) on stdout."""
    import argparse
    import json
    ap = argparse.ArgumentParser(description=mod.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    mod.add_args(ap)
    args = ap.parse_args()
    mod.fix_args(args)
    res = mod.run(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    sys.stdout.write((render or mod.render)(res))


def check_binaries(vireo, redis):
    for b in (vireo, redis):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise SystemExit(f"not an executable: {b} (build with scripts/build.sh, or pass --vireo)")


def check_baseline(baseline):
    """--baseline BIN (empty: no baseline) must be an executable."""
    if baseline and not (os.path.isfile(baseline) and os.access(baseline, os.X_OK)):
        raise SystemExit(f"--baseline: not an executable: {baseline} "
                         f"(build one with bench/compare/build-baseline.sh COMMIT)")


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "none"
    except OSError:
        commit = "none"
    try:
        rv = subprocess.run([DEFAULT_REDIS, "--version"], capture_output=True, text=True).stdout
        m = re.search(r"v=(\S+)", rv)
        redis_version = m.group(1) if m else "unknown"
    except OSError:
        redis_version = "unknown"
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "commit": commit, "nproc": NCPU,
            "cpu": cpu, "redis_version": redis_version}
