"""CLIENT KILL / LIST / INFO / PAUSE / UNPAUSE with several real connections.

Ported from Redis 7.0's tests/unit/introspection.tcl and tests/unit/pause.tcl
(each case names its source test); the cases that need ACL users, tracking,
scripts or replication stay in those files. The others check what those
files do not: every CLIENT KILL filter against live connections, the
CLIENT LIST fields of clients in MULTI, blocked, held by a pause, MONITOR,
and the rules for a pause issued while one is running. All pass on
redis-server 7.0.15 (VIREO_BIN=/usr/bin/redis-server).
"""
import re
import time

import pytest

from integ_util import Raw, RespError, encode, wait_for

# ---------------------------------------------------------------- helpers


def info_field(c, section, field):
    text = c.call("INFO", section).decode()
    m = re.search(r"^%s:(\S+)\r$" % re.escape(field), text, re.M)
    return m.group(1) if m else None


def blocked_clients(c):
    return int(info_field(c, "clients", "blocked_clients"))


def wait_blocked(c, n):
    assert wait_for(lambda: blocked_clients(c) == n, timeout=5), blocked_clients(c)


def parse_line(line):
    """One CLIENT LIST line as a dict (values are str)."""
    out = {}
    for part in line.split(" "):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def client_list(c, *args):
    text = c.call("CLIENT", "LIST", *args).decode()
    return [parse_line(line) for line in text.split("\n") if line]


def line_of(c, cid):
    rows = client_list(c, "ID", str(cid))
    assert len(rows) == 1, rows
    return rows[0]


def is_held(c, idle=0.2):
    """True when `c` got no reply (and was not closed) within `idle` s."""
    got, closed = c.recv_until_idle(idle)
    assert not closed
    c.buf = got + c.buf
    return got == b""


@pytest.fixture
def conns(srv):
    made = []

    def make(**kw):
        c = Raw(srv.port, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


# ---------------------------------------------------------------- CLIENT LIST / INFO

LINE_RE = (r"^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= age=\d+ idle=\d+ "
           r"flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=\d+ argv-mem=\d+ "
           r"multi-mem=0 rbs=\d+ rbp=\d+ obl=0 oll=0 omem=0 tot-mem=\d+ events=r "
           r"cmd=client\|%s user=default redir=-1 resp=2\n$")


def test_client_list_and_info_line(conns):
    """introspection.tcl: CLIENT LIST, CLIENT INFO, CLIENT LIST with IDs,
    CLIENT LIST shows empty fields for unassigned names."""
    a = conns()
    assert re.match(LINE_RE % "list", a.call("CLIENT", "LIST").decode())
    assert re.match(LINE_RE % "info", a.call("CLIENT", "INFO").decode())
    myid = a.call("CLIENT", "ID")
    row = client_list(a, "ID", str(myid))[0]
    assert row["id"] == str(myid) and row["cmd"] == "client|list"


def test_client_list_id_filter_order_and_duplicates(conns):
    a, b = conns(), conns()
    ida, idb = a.call("CLIENT", "ID"), b.call("CLIENT", "ID")
    ids = [r["id"] for r in client_list(a, "ID", str(idb), "999999", str(ida), str(idb))]
    assert ids == [str(idb), str(ida), str(idb)]
    assert a.call("CLIENT", "LIST", "ID", str(ida), "x") == RespError(b"ERR Invalid client ID")


def test_client_list_type_filter(conns):
    a, b, m = conns(), conns(), conns()
    assert m.call("MONITOR") == b"OK"
    b.call("PING")
    normal = {r["id"] for r in client_list(a, "TYPE", "normal")}
    everyone = {r["id"] for r in client_list(a)}
    # Why: MONITOR clients are replicas inside Redis but listed as normal.
    assert normal == everyone and len(everyone) == 3
    for t in ("master", "replica", "slave", "pubsub", "PUBSUB"):
        assert client_list(a, "TYPE", t) == []
    assert a.call("CLIENT", "LIST", "TYPE", "x") == RespError(b"ERR Unknown client type 'x'")


def test_client_list_fields_of_other_clients(conns):
    a, b = conns(), conns()
    idb = b.call("CLIENT", "ID")
    assert b.call("CLIENT", "SETNAME", "bee") == b"OK"
    assert b.call("SELECT", "3") == b"OK"
    assert b.call("HELLO", "3")[b"proto"] == 3
    row = line_of(a, idb)
    assert (row["name"], row["db"], row["resp"], row["cmd"], row["flags"]) == \
        ("bee", "3", "3", "hello", "N")
    # MULTI: flag x, queued count, their argument bytes + one pointer each
    assert b.call("MULTI") == b"OK"
    assert b.call("SET", "k", "vv") == b"QUEUED"
    assert b.call("GET", "k") == b"QUEUED"
    row = line_of(a, idb)
    assert (row["flags"], row["multi"], row["cmd"]) == ("x", "2", "get")
    assert int(row["multi-mem"]) > len("setkvvgetk")
    # a WATCHed key touched: flag d next to x
    assert b.call("DISCARD") == b"OK"
    assert b.call("SELECT", "0") == b"OK"
    assert b.call("WATCH", "w") == b"OK"
    assert b.call("MULTI") == b"OK"
    assert a.call("SET", "w", "1") == b"OK"
    assert line_of(a, idb)["flags"] == "xd"
    assert b.call("EXEC") is None
    # an unknown command leaves cmd=NULL (Redis sets lastcmd at lookup)
    assert isinstance(b.call("NOSUCHCMD"), RespError)
    assert line_of(a, idb)["cmd"] == "NULL"
    # a command rejected for its arity still names it
    assert isinstance(b.call("GET"), RespError)
    assert line_of(a, idb)["cmd"] == "get"
    assert b.call("CLIENT", "NO-EVICT", "on") == b"OK"
    assert line_of(a, idb)["flags"] == "e"


def test_client_list_blocked_and_monitor_flags(conns):
    a, b, m = conns(), conns(), conns()
    idb, idm = b.call("CLIENT", "ID"), m.call("CLIENT", "ID")
    b.cmd("BLPOP", "nolist", "0")
    wait_blocked(a, 1)
    row = line_of(a, idb)
    # Why: Redis moved the blocked command into argv: qbuf is empty and
    # argv-mem counts "BLPOP" "nolist" "0".
    assert (row["flags"], row["cmd"], row["qbuf"], row["argv-mem"]) == ("b", "blpop", "0", "12")
    assert m.call("MONITOR") == b"OK"
    assert line_of(a, idm)["flags"] == "O"


def test_client_idle_and_age(conns):
    a, b = conns(), conns()
    idb = b.call("CLIENT", "ID")
    time.sleep(1.1)
    row = line_of(a, idb)
    assert int(row["idle"]) >= 1 and int(row["age"]) >= 1
    assert b.call("PING") == b"PONG"
    assert line_of(a, idb)["idle"] == "0"


def test_client_setname_then_close_unlists(conns):
    """introspection.tcl: After CLIENT SETNAME, connection can still be closed."""
    a, b = conns(), conns()
    assert b.call("CLIENT", "SETNAME", "foobar") == b"OK"
    assert b"foobar" in a.call("CLIENT", "LIST")
    b.close()
    assert wait_for(lambda: b"foobar" not in a.call("CLIENT", "LIST"), timeout=5)


# ---------------------------------------------------------------- CLIENT KILL

def test_client_kill_illegal_arguments(conns):
    """introspection.tcl: CLIENT KILL with illegal arguments."""
    a = conns()
    assert a.call("CLIENT", "KILL") == \
        RespError(b"ERR wrong number of arguments for 'client|kill' command")
    assert a.call("CLIENT", "KILL", "id", "10", "wrong_arg") == RespError(b"ERR syntax error")
    for bad in ("str", "-1", "0"):
        assert a.call("CLIENT", "KILL", "id", bad) == \
            RespError(b"ERR client-id should be greater than 0")
    assert a.call("CLIENT", "KILL", "type", "wrong_type") == \
        RespError(b"ERR Unknown client type 'wrong_type'")
    assert a.call("CLIENT", "KILL", "user", "wrong_user") == \
        RespError(b"ERR No such user 'wrong_user'")
    assert a.call("CLIENT", "KILL", "skipme", "yes_or_no") == RespError(b"ERR syntax error")
    # MAXAGE came with Redis 7.4
    assert a.call("CLIENT", "KILL", "maxage", "1") == RespError(b"ERR syntax error")


def test_client_kill_skipme_yes_no(conns, srv):
    """introspection.tcl: CLIENT KILL SKIPME YES/NO will kill all clients."""
    a, b, c = conns(), conns(), conns()
    for x in (b, c):
        x.call("PING")
    connected = int(info_field(a, "clients", "connected_clients"))
    assert connected == 3
    assert a.call("CLIENT", "KILL", "SKIPME", "yes") == connected - 1
    assert b.wait_closed() and c.wait_closed()
    d, e = conns(), conns()
    for x in (d, e):
        x.call("PING")
    assert a.call("CLIENT", "KILL", "SKIPME", "no") == 3
    # the caller got its reply, then was closed
    assert a.wait_closed() and d.wait_closed() and e.wait_closed()
    f = conns()
    assert f.call("PING") == b"PONG"


def test_client_kill_old_form(conns):
    a, b = conns(), conns()
    idb = b.call("CLIENT", "ID")
    addr_b = line_of(a, idb)["addr"]
    assert a.call("CLIENT", "KILL", addr_b) == b"OK"
    assert b.wait_closed()
    assert a.call("CLIENT", "KILL", addr_b) == RespError(b"ERR No such client")
    # the old form may kill the caller: OK first, then closed
    my_addr = parse_line(a.call("CLIENT", "INFO").decode().strip())["addr"]
    assert a.call("CLIENT", "KILL", my_addr) == b"OK"
    assert a.wait_closed()


def test_client_kill_filters(conns):
    a, b, c = conns(), conns(), conns()
    ida, idb, idc = (x.call("CLIENT", "ID") for x in (a, b, c))
    row_b, row_c = line_of(a, idb), line_of(a, idc)
    # filters are ANDed: matching ADDR and another client's ID kills nobody
    assert a.call("CLIENT", "KILL", "ADDR", row_b["addr"], "ID", str(idc)) == 0
    assert a.call("CLIENT", "KILL", "ID", str(idb), "TYPE", "pubsub") == 0
    assert a.call("CLIENT", "KILL", "ID", str(idb), "TYPE", "master") == 0
    assert a.call("CLIENT", "KILL", "ID", str(idb), "USER", "default", "LADDR",
                  row_b["laddr"], "ADDR", row_b["addr"], "TYPE", "NORMAL") == 1
    assert b.wait_closed()
    # the caller is skipped by default, even by its own ID
    assert a.call("CLIENT", "KILL", "ID", str(ida)) == 0
    # LADDR: every client of this listener but the caller
    assert a.call("CLIENT", "KILL", "LADDR", row_c["laddr"]) == 1
    assert c.wait_closed()
    assert a.call("CLIENT", "KILL", "ID", str(ida), "SKIPME", "no") == 1
    assert a.wait_closed()


def test_client_kill_user_default_and_type_normal(conns):
    a, b, c = conns(), conns(), conns()
    for x in (b, c):
        x.call("PING")
    assert a.call("CLIENT", "KILL", "USER", "default") == 2
    assert b.wait_closed() and c.wait_closed()
    d = conns()
    d.call("PING")
    assert a.call("CLIENT", "KILL", "TYPE", "normal") == 1
    assert d.wait_closed()
    assert a.call("PING") == b"PONG"


def test_client_kill_blocked_multi_and_monitor(conns):
    a, b, c, m = conns(), conns(), conns(), conns()
    idb, idc, idm = (x.call("CLIENT", "ID") for x in (b, c, m))
    b.cmd("BLPOP", "nolist", "0")
    wait_blocked(a, 1)
    assert c.call("MULTI") == b"OK"
    assert c.call("SET", "k", "v") == b"QUEUED"
    assert m.call("MONITOR") == b"OK"
    for cid, conn in ((idb, b), (idc, c), (idm, m)):
        assert a.call("CLIENT", "KILL", "ID", str(cid)) == 1
        assert conn.wait_closed()
    assert blocked_clients(a) == 0
    # the BLPOP left no waiter behind: a push stays in the list
    assert a.call("RPUSH", "nolist", "x") == 1
    assert a.call("LLEN", "nolist") == 1
    assert a.call("GET", "k") is None


@pytest.mark.requires_commands("SUBSCRIBE")
def test_client_kill_type_pubsub(conns):
    a, b = conns(), conns()
    assert b.call("SUBSCRIBE", "ch")[0] == b"subscribe"
    assert len(client_list(a, "TYPE", "pubsub")) == 1
    assert a.call("CLIENT", "KILL", "TYPE", "normal") == 0
    assert a.call("CLIENT", "KILL", "TYPE", "pubsub") == 1
    assert b.wait_closed()


# ---------------------------------------------------------------- CLIENT PAUSE (pause.tcl)

def test_pause_read_commands_not_blocked(conns):
    """pause.tcl: Test read commands are not blocked by client pause."""
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "100000", "WRITE") == b"OK"
    assert rd.call("GET", "FOO") is None
    assert rd.call("PING") == b"PONG"
    assert rd.call("INFO").startswith(b"# Server")
    assert blocked_clients(a) == 0
    assert a.call("CLIENT", "UNPAUSE") == b"OK"


def test_pause_write_commands_paused(conns):
    """pause.tcl: Test write commands are paused by RO."""
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    rd.cmd("SET", "FOO", "BAR")
    wait_blocked(a, 1)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == b"OK"


@pytest.mark.requires_commands("PUBLISH")
def test_pause_publish_paused(conns):
    """pause.tcl: Test special commands are paused by RO (PUBLISH part)."""
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "100000", "WRITE") == b"OK"
    rd.cmd("PUBLISH", "foo", "bar")
    wait_blocked(a, 1)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == 0


def test_pause_read_multi_exec_not_blocked(conns):
    """pause.tcl: Test read/admin mutli-execs are not blocked by pause RO."""
    a, rr = conns(), conns()
    assert a.call("SET", "FOO", "BAR") == b"OK"
    assert a.call("CLIENT", "PAUSE", "100000", "WRITE") == b"OK"
    assert rr.call("MULTI") == b"OK"
    assert rr.call("PING") == b"QUEUED"
    assert rr.call("GET", "FOO") == b"QUEUED"
    assert rr.call("EXEC") == [b"PONG", b"BAR"]
    assert blocked_clients(a) == 0
    assert a.call("CLIENT", "UNPAUSE") == b"OK"


def test_pause_write_multi_exec_blocked(conns):
    """pause.tcl: Test write mutli-execs are blocked by pause RO."""
    a, rd = conns(), conns()
    assert rd.call("MULTI") == b"OK"
    assert rd.call("SET", "FOO", "BAR") == b"QUEUED"
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    rd.cmd("EXEC")
    wait_blocked(a, 1)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == [b"OK"]


def test_pause_write_held_before_multi_queues_it(conns):
    """Redis checks the pause before MULTI queues a command: a write sent
    inside MULTI waits too; a read is queued."""
    a, rd = conns(), conns()
    assert rd.call("MULTI") == b"OK"
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    assert rd.call("GET", "x") == b"QUEUED"
    rd.cmd("SET", "x", "1")
    wait_blocked(a, 1)
    assert is_held(rd)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == b"QUEUED"
    assert rd.call("EXEC") == [None, b"OK"]


def test_pause_multiple_clients_queued_and_unblocked(conns):
    """pause.tcl: Test multiple clients can be queued up and unblocked."""
    a = conns()
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    clients = [conns() for _ in range(3)]
    for c in clients:
        c.cmd("SET", "FOO", "BAR")
    wait_blocked(a, 3)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    for c in clients:
        assert c.read_reply() == b"OK"


def test_pause_syntax_errors_answer_at_once(conns):
    """pause.tcl: Test clients with syntax errors will get responses immediately."""
    a = conns()
    assert a.call("CLIENT", "PAUSE", "100000", "WRITE") == b"OK"
    assert a.call("SET", "FOO") == \
        RespError(b"ERR wrong number of arguments for 'set' command")
    assert a.call("CLIENT", "UNPAUSE") == b"OK"


def test_pause_skips_active_and_passive_expiry(conns):
    """pause.tcl: Test both active and passive expires are skipped during client pause."""
    r = conns()
    expired = int(info_field(r, "stats", "expired_keys"))
    assert r.call("MULTI") == b"OK"
    r.call("SET", "foo{t}", "bar{t}", "PX", "10")
    r.call("SET", "bar{t}", "foo{t}", "PX", "10")
    r.call("CLIENT", "PAUSE", "50000", "WRITE")
    assert r.call("EXEC") == [b"OK", b"OK", b"OK"]
    assert wait_for(lambda: r.call("GET", "foo{t}") is None and r.call("GET", "bar{t}") is None,
                    timeout=2)
    time.sleep(0.2)  # a few active expire cycles
    assert int(info_field(r, "stats", "expired_keys")) == expired
    assert r.call("DBSIZE") == 2
    assert r.call("CLIENT", "UNPAUSE") == b"OK"
    r.call("GET", "foo{t}")
    r.call("GET", "bar{t}")
    assert int(info_field(r, "stats", "expired_keys")) == expired + 2


def test_pause_starts_at_end_of_transaction(conns):
    """pause.tcl: Test that client pause starts at the end of a transaction."""
    r, rd = conns(), conns()
    assert r.call("MULTI") == b"OK"
    r.call("SET", "FOO1{t}", "BAR")
    r.call("CLIENT", "PAUSE", "60000", "WRITE")
    r.call("SET", "FOO2{t}", "BAR")
    assert r.call("EXEC") == [b"OK", b"OK", b"OK"]
    rd.cmd("SET", "FOO3{t}", "BAR")
    wait_blocked(r, 1)
    assert r.call("GET", "FOO1{t}") == b"BAR"
    assert r.call("GET", "FOO2{t}") == b"BAR"
    assert r.call("GET", "FOO3{t}") is None
    assert r.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == b"OK"


# ---------------------------------------------------------------- CLIENT PAUSE rules

def test_pause_held_client_in_client_list(conns):
    a, rd = conns(), conns()
    idr = rd.call("CLIENT", "ID")
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    rd.send(encode("SET", "x", "y") + encode("PING"))
    wait_blocked(a, 1)
    row = line_of(a, idr)
    # Why: the held command was moved out of the query buffer into argv
    # (argv-mem "SET" "x" "y"); the pipelined PING still waits in qbuf.
    assert (row["flags"], row["cmd"], row["argv-mem"], row["qbuf"]) == \
        ("b", "set", "5", str(len(encode("PING"))))
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd.read_reply() == b"OK" and rd.read_reply() == b"PONG"
    assert line_of(a, idr)["flags"] == "N"


def test_pause_all_holds_everything_until_it_ends(conns):
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "300", "ALL") == b"OK"
    t = time.time()
    rd.cmd("PING")
    assert is_held(rd, 0.1)
    assert rd.read_reply() == b"PONG"
    assert time.time() - t >= 0.25
    # the pausing client itself is held too
    assert a.call("CLIENT", "PAUSE", "200", "ALL") == b"OK"
    t = time.time()
    assert a.call("PING") == b"PONG"
    assert time.time() - t >= 0.15


def test_pause_new_pause_keeps_later_end_and_stricter_mode(conns):
    """Redis's pauseClients: a running pause takes the later end time and the
    stricter mode of the two; a shorter or WRITE pause changes nothing."""
    a, rd, rd2 = conns(), conns(), conns()
    t = time.time()
    assert a.call("CLIENT", "PAUSE", "1000", "WRITE") == b"OK"
    # shorter: the writes still wait after it would have ended
    assert a.call("CLIENT", "PAUSE", "10", "WRITE") == b"OK"
    rd.cmd("SET", "x", "1")
    time.sleep(0.1)
    assert is_held(rd)
    # ALL for 10 ms: the mode becomes ALL until the end of the first pause
    assert a.call("CLIENT", "PAUSE", "10", "ALL") == b"OK"
    time.sleep(0.05)
    rd2.cmd("GET", "x")
    assert is_held(rd2)
    # CLIENT UNPAUSE is held in ALL mode like any command
    a.cmd("CLIENT", "UNPAUSE")
    assert is_held(a)
    assert rd.read_reply() == b"OK"
    assert time.time() - t >= 0.9
    assert rd2.read_reply() == b"1"
    assert a.read_reply() == b"OK"


def test_pause_zero_makes_running_pause_stricter(conns):
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "400", "WRITE") == b"OK"
    assert a.call("CLIENT", "PAUSE", "0", "ALL") == b"OK"
    t = time.time()
    rd.cmd("GET", "x")
    assert is_held(rd, 0.1)
    assert rd.read_reply() is None
    assert time.time() - t >= 0.25


def test_pause_zero_or_wrapping_timeout_pauses_nothing(conns):
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "0", "ALL") == b"OK"
    assert rd.call("SET", "x", "1") == b"OK"
    # Why: Redis adds the clock to the timeout in 64 bits: it wraps into
    # the past.
    assert a.call("CLIENT", "PAUSE", "9223372036854775807", "ALL") == b"OK"
    assert rd.call("SET", "x", "2") == b"OK"
    assert blocked_clients(a) == 0


def test_pause_monitor_client_not_held(conns):
    a, m = conns(), conns()
    assert m.call("MONITOR") == b"OK"
    assert a.call("CLIENT", "PAUSE", "60000", "ALL") == b"OK"
    # Why: MONITOR clients are replicas in Redis, and replicas are never
    # paused.
    assert m.call("PING") == b"PONG"


def test_pause_kill_held_client(conns):
    a, rd, rd2 = conns(), conns(), conns()
    idr = rd.call("CLIENT", "ID")
    assert a.call("CLIENT", "PAUSE", "60000", "WRITE") == b"OK"
    rd.cmd("SET", "x", "1")
    rd2.cmd("SET", "y", "1")
    wait_blocked(a, 2)
    assert a.call("CLIENT", "KILL", "ID", str(idr)) == 1
    assert rd.wait_closed()
    wait_blocked(a, 1)
    assert a.call("CLIENT", "UNPAUSE") == b"OK"
    assert rd2.read_reply() == b"OK"
    assert a.call("EXISTS", "x") == 0


def test_pause_expires_by_itself(conns):
    a, rd = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "200", "WRITE") == b"OK"
    t = time.time()
    rd.cmd("INCR", "n")
    assert rd.read_reply() == 1
    assert time.time() - t >= 0.15
    assert blocked_clients(a) == 0


@pytest.mark.requires_commands("PUBLISH")
def test_monitor_client_may_not_run_may_replicate_commands(conns):
    """PUBLISH is CMD_MAY_REPLICATE (hidden by COMMAND INFO): a MONITOR
    client, a replica inside Redis, may not run it."""
    m = conns()
    assert m.call("MONITOR") == b"OK"
    assert m.call("PUBLISH", "ch", "x") == RespError(b"ERR Replica can't interact with the keyspace")


def test_client_kill_self_inside_exec_cuts_the_reply(conns):
    """A client that kills itself inside EXEC gets the kill's reply and
    nothing after it (Redis adds no reply to a close-after-reply client),
    though the rest of the transaction still runs."""
    a = conns()
    myid = a.call("CLIENT", "ID")
    assert a.call("MULTI") == b"OK"
    for cmd in (("CLIENT", "KILL", "ID", str(myid), "SKIPME", "no"), ("CLIENT", "REPLY", "ON"),
                ("CLIENT", "INFO"), ("SET", "k", "v")):
        assert a.call(*cmd) == b"QUEUED"
    a.cmd("EXEC")
    assert a.recv_until_idle(0.3) == (b"*4\r\n:1\r\n", True)
    assert conns().call("GET", "k") == b"v"


def test_client_list_request_being_read(conns):
    """Redis moves each complete argument of a multibulk request out of the
    query buffer as it arrives: qbuf is what is left, argv-mem what was read
    (a big argument is read in place: qbuf is its bytes so far)."""
    a, b = conns(), conns()
    idb = b.call("CLIENT", "ID")
    b.send(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nxy")
    assert wait_for(lambda: line_of(a, idb)["qbuf"] == "2")
    assert line_of(a, idb)["argv-mem"] == "4"
    b.send(b"zzz\r\n")
    assert b.read_reply() == b"OK"
    b.send(b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$100000\r\nxx")
    assert wait_for(lambda: line_of(a, idb)["qbuf"] == "2")
    assert line_of(a, idb)["argv-mem"] == "4"
    b.send(b"x" * 99998 + b"\r\n")
    assert b.read_reply() == b"OK"
    b.send(b"PING")  # inline: nothing is parsed before the newline
    assert wait_for(lambda: line_of(a, idb)["qbuf"] == "4")
    assert line_of(a, idb)["argv-mem"] == "0"
    b.send(b"\r\n")
    assert b.read_reply() == b"PONG"


def test_pause_released_client_flag_u(conns):
    """CLIENT UNPAUSE unblocks the held clients at once (CLIENT LIST flag u
    instead of b); they run again before the server sleeps."""
    a, c = conns(), conns()
    idc = c.call("CLIENT", "ID")
    assert a.call("CLIENT", "PAUSE", "10000", "WRITE") == b"OK"
    c.cmd("SET", "k", "v")
    wait_blocked(a, 1)
    assert line_of(a, idc)["flags"] == "b"
    a.send(encode("CLIENT", "UNPAUSE") + encode("CLIENT", "LIST", "ID", str(idc)))
    assert a.read_reply() == b"OK"
    assert parse_line(a.read_reply().decode().strip())["flags"] == "u"
    assert c.read_reply() == b"OK"
    assert line_of(a, idc)["flags"] == "N"


def test_pause_unpause_counts_blocked_clients_at_once(conns):
    a, c = conns(), conns()
    assert a.call("CLIENT", "PAUSE", "10000", "WRITE") == b"OK"
    c.cmd("SET", "k", "v")
    wait_blocked(a, 1)
    a.send(encode("CLIENT", "UNPAUSE") + encode("INFO", "clients"))
    assert a.read_reply() == b"OK"
    assert b"blocked_clients:0\r\n" in a.read_reply()
    assert c.read_reply() == b"OK"


@pytest.mark.requires_commands("ACL")
def test_client_kill_user(conns):
    """CLIENT KILL USER kills the connections authenticated as that user."""
    a, b, c = conns(), conns(), conns()
    assert a.call("ACL", "SETUSER", "u1", "on", ">pw", "+@all", "~*") == b"OK"
    assert a.call("ACL", "SETUSER", "u2", "on", ">pw", "+@all", "~*") == b"OK"
    assert b.call("AUTH", "u1", "pw") == b"OK"
    c.call("PING")
    idb = b.call("CLIENT", "ID")
    assert line_of(a, idb)["user"] == "u1"
    assert a.call("CLIENT", "KILL", "USER", "u2") == 0
    assert a.call("CLIENT", "KILL", "USER", "u1", "ID", "999999") == 0
    assert a.call("CLIENT", "KILL", "USER", "u1") == 1
    assert b.wait_closed()
    assert a.call("CLIENT", "KILL", "USER", "default") == 1
    assert c.wait_closed()
    assert a.call("CLIENT", "KILL", "USER", "nosuch") == RespError(b"ERR No such user 'nosuch'")
