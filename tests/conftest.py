"""Shared pytest fixtures: start servers on free ports, kill exactly them.

VIREO_BIN selects the server under test (default: build/vireo-server of this
checkout). Setting VIREO_BIN=/usr/bin/redis-server runs the same tests against
the reference server, which is how the tests themselves are validated.
REDIS_BIN is the reference redis-server 7.0.15 for differential tests.
"""
import os
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIREO_BIN = os.environ.get("VIREO_BIN", os.path.join(ROOT, "build", "vireo-server"))
REDIS_BIN = os.environ.get("REDIS_BIN", "/usr/bin/redis-server")


def free_port():
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One server process on 127.0.0.1:port, started from `binary`.

    `args` are extra command-line words (e.g. ["--maxclients", "10"]);
    `conf` is an optional config file path placed first as redis does.
    """

    def __init__(self, binary, args=(), conf=None, port=None, cwd=None, wait=True):
        self.binary = binary
        self.port = port if port is not None else free_port()
        self.dir = cwd or tempfile.mkdtemp(prefix="vireo-test-")
        self.logpath = os.path.join(self.dir, "server.log")
        cmd = [binary]
        if conf:
            cmd.append(conf)
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self.dir]
        cmd += [str(a) for a in args]
        self.cmd = cmd
        self.log = open(self.logpath, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.read_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    data = s.recv(64)
                    if data:
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"server on port {self.port} not ready: {self.read_log()}")

    def read_log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def client(self, **kw):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10, **kw)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # kills exactly this PID
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.log.close()


@pytest.fixture
def server_factory():
    """Start any number of servers under test; all are killed at teardown."""
    started = []

    def start(args=(), conf=None, binary=None, **kw):
        s = ServerProcess(binary or VIREO_BIN, args=args, conf=conf, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def server(server_factory):
    """One fresh server under test."""
    return server_factory()


@pytest.fixture
def r(server):
    """redis-py client on the fresh server under test."""
    c = server.client(decode_responses=True)
    yield c
    c.close()


@pytest.fixture(scope="session")
def reference_server():
    """The reference redis-server 7.0.15, shared by a session's differential tests."""
    s = ServerProcess(REDIS_BIN, args=["--enable-debug-command", "yes"])
    yield s
    s.stop()
