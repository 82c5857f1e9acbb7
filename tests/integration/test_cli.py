"""redis-cli and redis-benchmark (7.0.15) against the server under test."""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from integ_util import REDIS_BENCHMARK, REDIS_CLI, SLOW, cli

ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")

STDIN_SCRIPT = (b"SET a 1\nGET a\nINCR a\nNOSUCH x\nGET missing\nMGET a missing\n"
                b"SELECT 2\nSET b 2\nPING\nECHO \"quoted value\"\n")


def test_cli_commands_on_stdin_raw(srv):
    """Not a tty: redis-cli reads the commands from stdin and prints raw."""
    p = cli(srv.port, input=STDIN_SCRIPT)
    assert p.returncode == 0, p.stderr
    assert p.stdout == (b"OK\n1\n2\nERR unknown command 'NOSUCH', with args beginning with: "
                        b"'x' \n\n\n2\n\nOK\nOK\nPONG\nquoted value\n")


def test_cli_commands_on_stdin_no_raw(srv):
    p = cli(srv.port, input=STDIN_SCRIPT, extra=["--no-raw"])
    assert p.returncode == 0, p.stderr
    assert p.stdout == (b'OK\n"1"\n(integer) 2\n(error) ERR unknown command \'NOSUCH\', with '
                        b'args beginning with: \'x\' \n(nil)\n1) "2"\n2) (nil)\nOK\nOK\nPONG\n'
                        b'"quoted value"\n')
    r = srv.client(db=2)
    assert r.get("b") == b"2"
    r.close()


def test_cli_options(srv):
    p = cli(srv.port, "-x", "SET", "xk", input=b"hello world")
    assert p.stdout == b"OK\n"
    assert cli(srv.port, "GET", "xk").stdout == b"hello world\n"
    assert cli(srv.port, "-r", "3", "INCR", "cnt").stdout == b"1\n2\n3\n"
    assert cli(srv.port, "-n", "4", "SET", "in4", "v").stdout == b"OK\n"
    assert cli(srv.port, "-n", "4", "--no-raw", "GET", "in4").stdout == b'"v"\n'
    assert cli(srv.port, "--no-raw", "GET", "in4").stdout == b"(nil)\n"
    p = cli(srv.port, "--no-raw", "-n", "99", "PING")
    assert b"ERR DB index is out of range" in p.stdout + p.stderr
    r = srv.client()
    r.mset({"scan:%d" % i: "x" * i for i in range(20)})
    p = cli(srv.port, "--scan", "--pattern", "scan:1*")
    assert sorted(p.stdout.split()) == sorted(b"scan:%d" % i for i in [1] + list(range(10, 20)))
    r.close()


def test_cli_bigkeys_memkeys(srv):
    r = srv.client()
    r.set("small", "x")
    r.set("biggest", "y" * 1000)
    r.set("n", 12345)
    r.close()
    p = cli(srv.port, "--bigkeys")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert "Sampled 3 keys in the keyspace!" in out
    assert "Biggest string found '\"biggest\"' has 1000 bytes" in out
    assert "3 strings with 1006 bytes (100.00% of keys, avg size 335.33)" in out
    assert "0 lists with 0 items" in out
    p = cli(srv.port, "--memkeys")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert "Sampled 3 keys in the keyspace!" in out
    assert re.search(r"Biggest string found '\"biggest\"' has \d+ bytes", out), out
    assert re.search(r"3 strings with \d+ bytes \(100\.00% of keys", out), out


def test_cli_pipe_10000_sets(srv):
    parts = []
    for i in range(10000):
        k = b"key:%d" % i
        v = b"value:%d" % i
        parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
    data = b"".join(parts)
    p = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(srv.port), "--pipe"],
                       input=data, capture_output=True, timeout=60 * SLOW)
    assert p.returncode == 0, p.stdout + p.stderr
    assert b"errors: 0, replies: 10000" in p.stdout
    assert b"All data transferred. Waiting for the last reply..." in p.stdout
    assert b"Last reply received from server." in p.stdout
    r = srv.client()
    assert r.dbsize() == 10000
    assert r.get("key:9999") == b"value:9999"
    r.close()


def test_cli_pipe_counts_errors(srv):
    data = (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nx\r\n" + b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"
            + b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" * 98)
    p = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(srv.port), "--pipe"],
                       input=data, capture_output=True, timeout=60 * SLOW)
    assert p.returncode == 1
    assert b"errors: 1, replies: 100" in p.stdout
    assert b"ERR value is not an integer or out of range" in p.stdout + p.stderr


def test_benchmark(srv):
    p = subprocess.run([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port),
                        "-t", "ping,set,get,incr,mset", "-P", "16", "-c", "50", "-n", "20000",
                        "-q"], capture_output=True, timeout=180 * SLOW)
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, out
    assert "ERR" not in out and "error" not in out.lower(), out
    assert "WARNING" not in out, out
    final = [line.rsplit("\r", 1)[-1] for line in out.splitlines() if line.strip()]
    for name in ("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)"):
        assert any(line.startswith(name + ": ") and "requests per second" in line
                   for line in final), (name, out)
    r = srv.client()
    assert r.get("counter:__rand_int__") == b"20000"  # INCR ran 20000 times
    assert len(r.get("key:__rand_int__")) == 3  # -d 3 (the default)
    r.close()


@pytest.mark.requires_commands("lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd",
                                "zpopmin", "lrange")
def test_benchmark_types(srv):
    """redis-benchmark's data-type tests run without an error (issue 7)."""
    p = subprocess.run([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port), "-t",
                        "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange", "-P", "16",
                        "-c", "50", "-n", "5000", "-r", "1000", "-q"],
                       capture_output=True, timeout=300 * SLOW)
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, out
    assert "ERR" not in out and "error" not in out.lower() and "WRONGTYPE" not in out, out
    final = [line.rsplit("\r", 1)[-1] for line in out.splitlines() if line.strip()]
    for name in ("LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                 "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
                 "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
                 "LRANGE_600 (first 600 elements)"):
        assert any(line.startswith(name + ": ") and "requests per second" in line
                   for line in final), (name, out)
    r = srv.client()
    assert r.type("mylist") == b"list" and r.llen("mylist") > 0
    assert r.type("myhash") == b"hash"
    r.close()


@pytest.mark.parametrize("args", [("COMMAND", "DOCS", "get"), ("COMMAND", "DOCS", "set"),
                                  ("COMMAND", "DOCS", "mset"), ("COMMAND", "DOCS", "expire"),
                                  ("COMMAND", "INFO", "get"), ("COMMAND", "INFO", "set"),
                                  ("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2")],
                         ids=lambda a: "_".join(a[1:3]).lower())
def test_cli_command_docs_like_redis(srv, reference_server, args):
    """`redis-cli --no-raw COMMAND DOCS get` prints what redis-server prints."""
    mine = cli(srv.port, *args, extra=["--no-raw"])
    ref = cli(reference_server.port, *args, extra=["--no-raw"])
    assert mine.returncode == 0 and ref.returncode == 0
    assert mine.stdout.decode() == ref.stdout.decode()


class Pty:
    """redis-cli on a pseudo-terminal (interactive mode with hints)."""

    def __init__(self, port):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.environ["TERM"] = "xterm"
            os.environ.pop("NO_COLOR", None)
            os.execv(REDIS_CLI, [REDIS_CLI, "-h", "127.0.0.1", "-p", str(port)])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.out = b""

    def read_until(self, needle, timeout=5.0, then=None):
        """Read until `needle` (bytes, ANSI sequences stripped) appears, and
        then `then` after it, if given (e.g. the next prompt)."""
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            text = ANSI.sub(b"", self.out)
            i = text.find(needle)
            if i >= 0 and (then is None or then in text[i + len(needle):]):
                break
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    d = os.read(self.fd, 65536)
                except OSError:
                    break
                if not d:
                    break
                self.out += d
        text = ANSI.sub(b"", self.out)
        self.out = b""
        return text

    def type(self, data):
        os.write(self.fd, data)

    def close(self):
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def test_cli_interactive_with_hints(srv):
    """Interactive redis-cli: prompt, replies, hints (redis-cli 7.0.15 takes
    them from COMMAND DOCS at startup), `help <command>`, SELECT in the
    prompt, QUIT."""
    t = Pty(srv.port)
    try:
        prompt = b"127.0.0.1:%d> " % srv.port
        assert prompt in t.read_until(prompt)
        t.type(b"SET ")
        out = t.read_until(b"KEEPTTL]")
        assert (b"SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|"
                b"EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]") in out
        t.type(b"k v\r")
        assert b"OK\r\n" in t.read_until(b"OK\r\n", then=prompt)
        t.type(b"get k\r")
        assert b'"v"\r\n' in t.read_until(b'"v"\r\n', then=prompt)
        t.type(b"GETEX ")
        out = t.read_until(b"PERSIST]")
        assert b"GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|" \
               b"PXAT unix-time-milliseconds|PERSIST]" in out
        t.type(b"\x15")  # ^U clears the line
        t.read_until(prompt)
        t.type(b"help incrbyfloat\r")
        out = t.read_until(b"group: string", then=prompt)
        assert b"INCRBYFLOAT key increment" in out
        assert b"summary: Increment the float value of a key by the given amount" in out
        assert b"since: 2.6.0" in out
        assert b"group: string" in out
        t.type(b"select 3\r")
        p3 = b"127.0.0.1:%d[3]> " % srv.port
        assert p3 in t.read_until(p3)
        t.type(b"nosuch\r")
        out = t.read_until(b"beginning with: ", then=p3)
        assert b"(error) ERR unknown command 'nosuch', with args beginning with: " in out
        t.type(b"quit\r")
        deadline = time.time() + 5 * SLOW
        status = None
        while time.time() < deadline:
            pid, status = os.waitpid(t.pid, os.WNOHANG)
            if pid:
                break
            t.read_until(b"\x00", timeout=0.05)
        assert pid == t.pid and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        t.close()
