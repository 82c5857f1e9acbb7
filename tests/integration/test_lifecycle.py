"""Process lifecycle and connection-level settings: SHUTDOWN, signals,
daemonize + pidfile, timeout, maxclients, unix sockets, requirepass, bind.
"""
import os
import signal
import socket
import stat
import subprocess
import time

import pytest
import redis

from integ_util import (REDIS_CLI, SLOW, VIREO_BIN, Raw, RespError, encode, free_port,
                        pid_alive, read_file, wait_exit, wait_for, wait_port)

BYE = "Redis is now ready to exit, bye bye..."


def start(procs, tmp_path, *args, bind=("--bind", "127.0.0.1"), logfile=True):
    """The server under test with exactly these options (plus port, dir,
    save "" and a log file in tmp_path)."""
    port = free_port()
    argv = [VIREO_BIN, "--port", str(port), "--dir", str(tmp_path), "--save", ""]
    argv += list(bind)
    log = str(tmp_path / "server.log")
    if logfile:
        argv += ["--logfile", log]
    argv += [str(a) for a in args]
    p = procs.start(argv, cwd=str(tmp_path))
    p.port = port
    p.log = log if logfile else p.log_path
    try:
        wait_port(port, proc=p)
    except RuntimeError as e:
        raise AssertionError("%s\n%s\n%s" % (e, read_file(p.log_path), read_file(log)))
    return p


# ---------------------------------------------------------------------------
# Shutdown
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("SHUTDOWN", "NOSAVE"), ("SHUTDOWN",), ("SHUTDOWN", "NOW"),
                                  ("shutdown", "nosave", "now", "force")],
                         ids=["nosave", "plain_without_save_points", "now", "nosave_now_force"])
def test_shutdown_command(procs, tmp_path, args):
    p = start(procs, tmp_path)
    other = Raw(p.port)
    c = Raw(p.port)
    c.send(encode(*args))
    got, closed = c.recv_until_idle(3 * SLOW)
    assert (got, closed) == (b"", True)
    assert wait_exit(p) == 0
    assert other.wait_closed()
    log = read_file(p.log)
    assert "User requested shutdown..." in log
    assert BYE in log
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", p.port), timeout=1).close()


def test_shutdown_errors(procs, tmp_path):
    p = start(procs, tmp_path)
    with Raw(p.port) as c:
        assert c.call("SHUTDOWN", "FOO") == RespError(b"ERR syntax error")
        assert c.call("SHUTDOWN", "NOSAVE", "SAVE") == RespError(b"ERR syntax error")
        assert c.call("SHUTDOWN", "ABORT") == RespError(b"ERR No shutdown in progress.")
        assert c.call("MULTI") == b"OK"
        assert c.call("SHUTDOWN") == \
            RespError(b"ERR Command not allowed inside a transaction")
        assert c.call("DISCARD") == b"OK"
        assert c.call("PING") == b"PONG"
    assert p.poll() is None


@pytest.mark.parametrize("sig,name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")],
                         ids=["sigterm", "sigint"])
def test_signal_shutdown(procs, tmp_path, sig, name):
    pidfile = tmp_path / "s.pid"
    p = start(procs, tmp_path, "--pidfile", str(pidfile))
    assert int(pidfile.read_text().strip()) == p.pid
    c = Raw(p.port)
    c.call("SET", "k", "v")
    p.send_signal(sig)
    assert wait_exit(p) == 0
    assert c.wait_closed()
    log = read_file(p.log)
    assert "Received %s scheduling shutdown..." % name in log
    assert "User requested shutdown..." in log
    assert "Removing the pid file." in log
    assert BYE in log
    assert not pidfile.exists()


def test_sighup_is_ignored(procs, tmp_path):
    p = start(procs, tmp_path)
    p.send_signal(signal.SIGHUP)
    time.sleep(0.1)
    assert p.poll() is None
    with Raw(p.port) as c:
        assert c.call("PING") == b"PONG"


def test_daemonize_and_pidfile(procs, tmp_path):
    pidfile = tmp_path / "daemon.pid"
    port = free_port()
    log = tmp_path / "daemon.log"
    launcher = procs.start([VIREO_BIN, "--daemonize", "yes", "--pidfile", str(pidfile),
                            "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
                            "--save", "", "--logfile", str(log)], cwd=str(tmp_path))
    # the process we started exits at once; the daemon keeps running
    assert wait_exit(launcher) == 0
    assert wait_for(lambda: pidfile.exists() and pidfile.read_text().strip())
    pid = int(pidfile.read_text().strip())
    procs.adopt_pid(pid, VIREO_BIN)  # killed at teardown if still alive
    assert pid != launcher.pid
    assert pid_alive(pid)
    wait_port(port)
    assert os.path.realpath("/proc/%d/exe" % pid) == os.path.realpath(VIREO_BIN)
    r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10, decode_responses=True)
    assert r.info("server")["process_id"] == pid
    assert r.config_get("daemonize") == {"daemonize": "yes"}
    # the daemon's stdio is detached from us
    assert os.readlink("/proc/%d/fd/0" % pid) == "/dev/null"
    r.shutdown(nosave=True)  # redis-py expects (and swallows) the disconnect
    assert wait_for(lambda: not pid_alive(pid), timeout=10)
    assert not pidfile.exists(), "pidfile not removed on shutdown"
    assert BYE in read_file(str(log))


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------

def test_timeout_closes_idle_clients(procs, tmp_path):
    p = start(procs, tmp_path, "--timeout", "1")
    idle = Raw(p.port)
    busy = Raw(p.port)
    assert idle.call("PING") == b"PONG"
    t = time.time()
    closed = False
    while time.time() - t < 5 * SLOW:
        assert busy.call("PING") == b"PONG"  # an active client stays
        idle.sock.settimeout(0.25)
        try:
            if idle.sock.recv(1) == b"":
                closed = True
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
            break
    assert closed, "idle client not closed after 5 s with timeout 1"
    assert time.time() - t >= 0.9
    assert busy.call("PING") == b"PONG"
    # timeout 0 (CONFIG SET) disables it
    assert busy.call("CONFIG", "SET", "timeout", "0") == b"OK"
    idle = Raw(p.port)
    idle.call("PING")
    time.sleep(2.2)
    assert idle.call("PING") == b"PONG"


def test_maxclients(procs, tmp_path):
    p = start(procs, tmp_path, "--maxclients", "2")
    a = Raw(p.port)
    b = Raw(p.port)
    assert a.call("PING") == b"PONG"
    assert b.call("PING") == b"PONG"
    c = Raw(p.port)
    got, closed = c.recv_until_idle(1.0 * SLOW)
    assert got == b"-ERR max number of clients reached\r\n"
    assert closed
    c.close()
    assert a.call("PING") == b"PONG"
    info = a.call("INFO", "stats").decode()
    assert "rejected_connections:1\r\n" in info
    # a slot freed is a slot available
    b.close()
    assert wait_for(lambda: a.call("CLIENT", "LIST").count(b"\n") == 1)
    d = Raw(p.port)
    assert d.call("PING") == b"PONG"
    # CONFIG SET maxclients applies to new connections
    assert a.call("CONFIG", "SET", "maxclients", "3") == b"OK"
    e = Raw(p.port)
    assert e.call("PING") == b"PONG"
    f = Raw(p.port)
    got, closed = f.recv_until_idle(1.0 * SLOW)
    assert got == b"-ERR max number of clients reached\r\n" and closed
    for x in (a, d, e, f):
        x.close()


def test_unixsocket_and_perm(procs, tmp_path):
    path = str(tmp_path / "vireo.sock")
    p = start(procs, tmp_path, "--unixsocket", path, "--unixsocketperm", "700")
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o700
    with Raw(unix=path) as c:
        assert c.call("PING") == b"PONG"
        assert c.call("SET", "k", "unix") == b"OK"
        info = c.call("CLIENT", "INFO")
        assert b" addr=%s:0 " % path.encode() in info
        assert b" laddr=%s:0 " % path.encode() in info
        assert b" flags=U " in info
    # TCP sees the same data
    with Raw(p.port) as c:
        assert c.call("GET", "k") == b"unix"
    out = subprocess.run([REDIS_CLI, "-s", path, "GET", "k"], capture_output=True, timeout=10)
    assert out.stdout == b"unix\n"
    r = redis.Redis(unix_socket_path=path, socket_timeout=10, decode_responses=True)
    assert r.config_get("unixsocketperm") == {"unixsocketperm": "700"}
    assert r.config_get("unixsocket") == {"unixsocket": path}
    r.close()
    p.send_signal(signal.SIGTERM)
    assert wait_exit(p) == 0
    assert not os.path.exists(path), "unix socket file not removed on shutdown"


def test_unixsocketperm_other_mode(procs, tmp_path):
    path = str(tmp_path / "v2.sock")
    start(procs, tmp_path, "--unixsocket", path, "--unixsocketperm", "755")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755


def test_requirepass_auth_noauth(procs, tmp_path):
    p = start(procs, tmp_path, "--requirepass", "s3cret")
    noauth = RespError(b"NOAUTH Authentication required.")
    wrong = RespError(b"WRONGPASS invalid username-password pair or user is disabled.")
    with Raw(p.port) as c:
        assert c.call("PING") == noauth
        assert c.call("GET", "k") == noauth
        assert c.call("CLIENT", "ID") == noauth
        assert c.call("NOSUCHCOMMAND") == \
            RespError(b"ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ")
        assert c.call("HELLO", "3") == RespError(
            b"NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            b"HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            b"the RESP protocol version at the same time")
        assert c.call("AUTH", "bad") == wrong
        assert c.call("AUTH", "default", "bad") == wrong
        assert c.call("AUTH", "a", "b", "c") == RespError(b"ERR syntax error")
        assert c.call("AUTH", "s3cret") == b"OK"
        assert c.call("SET", "k", "v") == b"OK"
        # a failed AUTH does not log an authenticated client out
        assert c.call("AUTH", "bad") == wrong
        assert c.call("GET", "k") == b"v"
        # RESET logs the client out again
        assert c.call("RESET") == b"RESET"
        assert c.call("GET", "k") == noauth
        assert c.call("AUTH", "default", "s3cret") == b"OK"
        assert c.call("GET", "k") == b"v"
    with Raw(p.port) as c:
        r = c.call("HELLO", "3", "AUTH", "default", "s3cret")
        assert r[b"proto"] == 3
        assert c.call("GET", "k") == b"v"
    with Raw(p.port) as c:
        c.send(encode("QUIT"))
        assert c.recv_exact(5) == b"+OK\r\n"  # QUIT needs no auth
    r = redis.Redis(host="127.0.0.1", port=p.port, password="s3cret", socket_timeout=10)
    assert r.get("k") == b"v"
    r.close()
    out = subprocess.run([REDIS_CLI, "-p", str(p.port), "-a", "s3cret", "--no-auth-warning",
                          "GET", "k"], capture_output=True, timeout=10)
    assert out.stdout == b"v\n"
    # CONFIG SET requirepass changes it for the next AUTH
    with Raw(p.port) as c:
        assert c.call("AUTH", "s3cret") == b"OK"
        assert c.call("CONFIG", "SET", "requirepass", "other") == b"OK"
        assert c.call("GET", "k") == b"v"  # this connection stays authenticated
    with Raw(p.port) as c:
        assert c.call("AUTH", "s3cret") == wrong
        assert c.call("AUTH", "other") == b"OK"


@pytest.mark.skip(reason="protected-mode needs a non-loopback address; tests use 127.0.0.1 only")
def test_protected_mode():
    pass


def _ipv6_loopback():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_bind_ipv4_and_optional_ipv6(procs, tmp_path):
    p = start(procs, tmp_path, bind=("--bind", "127.0.0.1", "-::1"))
    with Raw(p.port) as c:
        assert c.call("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1 -::1"]
    if _ipv6_loopback():
        with socket.create_connection(("::1", p.port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            assert s.recv(7) == b"+PONG\r\n"


def test_bind_optional_unavailable_address(procs, tmp_path):
    """A '-' address that cannot be bound is skipped (192.0.2.1 is TEST-NET,
    never configured locally)."""
    p = start(procs, tmp_path, bind=("--bind", "127.0.0.1", "-192.0.2.1"))
    with Raw(p.port) as c:
        assert c.call("PING") == b"PONG"


def test_bind_unavailable_address_fails(tmp_path):
    port = free_port()
    log = tmp_path / "b.log"
    out = subprocess.run([VIREO_BIN, "--port", str(port), "--bind", "127.0.0.1", "192.0.2.1",
                          "--dir", str(tmp_path), "--save", "", "--logfile", str(log)],
                         capture_output=True, timeout=20 * SLOW)
    assert out.returncode == 1
    text = read_file(str(log))
    assert "Could not create server TCP listening socket 192.0.2.1:%d" % port in text
    assert "Failed listening on port %d (TCP), aborting." % port in text


def test_port_in_use_fails(procs, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        log = tmp_path / "inuse.log"
        out = subprocess.run([VIREO_BIN, "--port", str(port), "--bind", "127.0.0.1",
                              "--dir", str(tmp_path), "--save", "", "--logfile", str(log)],
                             capture_output=True, timeout=20 * SLOW)
    assert out.returncode == 1
    text = read_file(str(log))
    assert ("Could not create server TCP listening socket 127.0.0.1:%d: bind: "
            "Address already in use" % port) in text
    assert "Failed listening on port %d (TCP), aborting." % port in text


def test_sigterm_with_stuck_client_and_many_connections(procs, tmp_path):
    """Shutdown does not wait for a client that never reads its (large)
    pending replies, nor for idle connections."""
    p = start(procs, tmp_path)
    r = redis.Redis(host="127.0.0.1", port=p.port, socket_timeout=10)
    r.set("big", b"x" * (1 << 20))
    stuck = socket.create_connection(("127.0.0.1", p.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.sendall(encode("GET", "big") * 20)
    idle = [Raw(p.port) for _ in range(50)]
    for c in idle[:5]:
        assert c.call("PING") == b"PONG"
    time.sleep(0.1)
    p.send_signal(signal.SIGTERM)
    assert wait_exit(p, timeout=5) == 0
    assert BYE in read_file(p.log)
    for c in idle:
        assert c.wait_closed(timeout=2)
        c.close()
    stuck.close()
    r.close()


def test_port_zero_unixsocket_only(procs, tmp_path):
    path = str(tmp_path / "only.sock")
    log = tmp_path / "u.log"
    p = procs.start([VIREO_BIN, "--port", "0", "--unixsocket", path, "--dir", str(tmp_path),
                     "--save", "", "--logfile", str(log)], cwd=str(tmp_path))
    assert wait_for(lambda: os.path.exists(path) or p.poll() is not None), read_file(str(log))
    assert p.poll() is None, read_file(str(log))

    def ping():
        try:
            with Raw(unix=path) as c:
                return c.call("PING") == b"PONG"
        except OSError:
            return False

    assert wait_for(ping)
    with Raw(unix=path) as c:
        assert c.call("CONFIG", "GET", "port") == [b"port", b"0"]
