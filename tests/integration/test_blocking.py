"""Blocking pops: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP.

Cases ported from Redis 7.0.15's tests/unit/type/list.tcl and zset.tcl (the
blocking sections) and info.tcl (stats of blocked commands); each docstring
names the .tcl test. Every test passes against redis-server 7.0.15 too
(VIREO_BIN=/usr/bin/redis-server). Blocked clients are raw connections
(integ_util.Raw) so a test can send a command, see the server count the
client as blocked, act from another client, then read the answer.
"""
import threading
import time

import pytest
import redis

from integ_util import Raw, RespError, wait_for

pytestmark = pytest.mark.requires_commands(
    "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "rpush", "lpush", "lrange")
needs_zsets = pytest.mark.requires_commands("bzpopmin", "bzpopmax", "bzmpop", "zadd")

DEBUG = ["--enable-debug-command", "yes"]


def blocked(rc):
    return int(rc.info("clients")["blocked_clients"])


def wait_blocked(rc, n=1):
    assert wait_for(lambda: blocked(rc) == n, timeout=5), "blocked_clients != %d" % n


@pytest.fixture
def rd(srv):
    conns = []

    def make():
        c = Raw(srv.port)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


# The BLMPOP forms of list.tcl's bpop_command helper.
def bpop(conn, pop, keys, timeout):
    if pop == "BLMPOP_LEFT":
        conn.cmd("BLMPOP", timeout, len(keys), *keys, "LEFT")
    elif pop == "BLMPOP_RIGHT":
        conn.cmd("BLMPOP", timeout, len(keys), *keys, "RIGHT")
    else:
        conn.cmd(pop, *keys, timeout)


def popped(pop, key, elem):
    """The reply of a served pop of one element (BLMPOP: key + array)."""
    if pop.startswith("BLMPOP"):
        return [key, [elem]]
    return [key, elem]


# ---------------------------------------------------------------- list.tcl

@pytest.mark.parametrize("pop", ["BLPOP", "BRPOP", "BLMPOP_LEFT", "BLMPOP_RIGHT"])
def test_single_empty_list_argument(rc, rd, pop):
    """list.tcl: $pop: with single empty list argument."""
    c = rd()
    bpop(c, pop, ["blist1"], 1)
    wait_blocked(rc)
    rc.rpush("blist1", "foo")
    assert c.read_reply() == popped(pop, b"blist1", b"foo")
    assert rc.exists("blist1") == 0


@pytest.mark.parametrize("pop", ["BLPOP", "BRPOP", "BLMPOP_LEFT", "BLMPOP_RIGHT"])
def test_timeout_errors(rd, pop):
    """list.tcl: $pop: with negative timeout / non-float timeout."""
    c = rd()
    bpop(c, pop, ["blist1"], -1)
    assert c.read_reply() == RespError(b"ERR timeout is negative")
    bpop(c, pop, ["blist1"], "abc")
    assert c.read_reply() == RespError(b"ERR timeout is not a float or out of range")
    # Why: Redis 7.0 converts with (long long)ceill(t * 1000): on x86 an
    # infinite or huge timeout becomes LLONG_MIN, hence "negative".
    bpop(c, pop, ["blist1"], "inf")
    assert c.read_reply() == RespError(b"ERR timeout is negative")
    bpop(c, pop, ["blist1"], "1e30")
    assert c.read_reply() == RespError(b"ERR timeout is negative")
    bpop(c, pop, ["blist1"], " 1")
    assert c.read_reply() == RespError(b"ERR timeout is not a float or out of range")


@pytest.mark.parametrize("pop", ["BLPOP", "BRPOP", "BLMPOP_LEFT", "BLMPOP_RIGHT"])
def test_fractional_timeout(rc, rd, pop):
    """list.tcl: $pop: with non-integer timeout / with 0.001 timeout."""
    c = rd()
    bpop(c, pop, ["blist1"], 0.001)
    assert c.read_reply() is None
    wait_blocked(rc, 0)
    t = time.time()
    bpop(c, pop, ["blist1", "blist2"], 0.3)
    assert c.read_reply() is None
    assert time.time() - t >= 0.25


@pytest.mark.parametrize("pop", ["BLPOP", "BLMPOP_LEFT"])
def test_zero_timeout_blocks_indefinitely(rc, rd, pop):
    """list.tcl: $pop: with zero timeout should block indefinitely."""
    c = rd()
    bpop(c, pop, ["blist1"], 0)
    wait_blocked(rc)
    time.sleep(0.5)
    assert blocked(rc) == 1
    rc.rpush("blist1", "foo")
    assert c.read_reply() == popped(pop, b"blist1", b"foo")


@pytest.mark.parametrize("pop", ["BLPOP", "BRPOP", "BLMPOP_LEFT"])
def test_second_argument_not_a_list(rc, rd, pop):
    """list.tcl: $pop: second argument is not a list."""
    rc.set("blist2", "nolist")
    c = rd()
    bpop(c, pop, ["blist1", "blist2"], 1)
    assert c.read_reply().startswith(b"WRONGTYPE")


@pytest.mark.parametrize("pop", ["BLPOP", "BRPOP", "BLMPOP_LEFT"])
def test_arguments_are_empty(rc, rd, pop):
    """list.tcl: $pop: arguments are empty."""
    c = rd()
    bpop(c, pop, ["blist1", "blist2"], 1)
    wait_blocked(rc)
    rc.rpush("blist1", "foo")
    assert c.read_reply() == popped(pop, b"blist1", b"foo")
    bpop(c, pop, ["blist1", "blist2"], 1)
    wait_blocked(rc)
    rc.rpush("blist2", "foo")
    assert c.read_reply() == popped(pop, b"blist2", b"foo")
    assert rc.exists("blist1", "blist2") == 0


@pytest.mark.parametrize("pop", ["BLPOP", "BLMPOP_LEFT"])
def test_push_and_del_in_multi_do_not_wake(rc, rd, pop):
    """list.tcl: $pop, LPUSH + DEL (+ SET) should not awake blocked client."""
    c = rd()
    bpop(c, pop, ["list"], 0)
    wait_blocked(rc)
    p = rc.pipeline(transaction=True)
    p.lpush("list", "a").delete("list").execute()
    p = rc.pipeline(transaction=True)
    p.lpush("list", "a").delete("list").set("list", "foo").execute()
    assert blocked(rc) == 1
    rc.delete("list")
    rc.lpush("list", "b")
    assert c.read_reply() == popped(pop, b"list", b"b")


def test_same_key_multiple_times(rc, rd):
    """list.tcl: BLPOP with same key multiple times should work (issue #801)."""
    c = rd()
    keys = ["list1", "list2", "list2", "list1"]
    c.cmd("BLPOP", *keys, 0)
    wait_blocked(rc)
    rc.lpush("list1", "a")
    assert c.read_reply() == [b"list1", b"a"]
    c.cmd("BLPOP", *keys, 0)
    wait_blocked(rc)
    rc.lpush("list2", "b")
    assert c.read_reply() == [b"list2", b"b"]
    rc.lpush("list1", "a")
    rc.lpush("list2", "b")
    assert c.call("BLPOP", *keys, 0) == [b"list1", b"a"]
    assert c.call("BLPOP", *keys, 0) == [b"list2", b"b"]


@pytest.mark.parametrize("pop", ["BLPOP", "BLMPOP_LEFT"])
def test_multi_exec_is_isolated(rc, rd, pop):
    """list.tcl: MULTI/EXEC is isolated from the point of view of $pop."""
    c = rd()
    bpop(c, pop, ["list"], 0)
    wait_blocked(rc)
    p = rc.pipeline(transaction=True)
    p.lpush("list", "a").lpush("list", "b").lpush("list", "c").execute()
    assert c.read_reply() == popped(pop, b"list", b"c")


def test_variadic_lpush(rc, rd):
    """list.tcl: BLPOP with variadic LPUSH."""
    c = rd()
    c.cmd("BLPOP", "blist", 0)
    wait_blocked(rc)
    assert rc.lpush("blist", "foo", "bar") == 2
    assert c.read_reply() == [b"blist", b"bar"]
    assert rc.lrange("blist", 0, -1) == ["foo"]


@pytest.mark.parametrize("wherefrom", ["LEFT", "RIGHT"])
@pytest.mark.parametrize("whereto", ["LEFT", "RIGHT"])
def test_blmove_zero_timeout(rc, rd, wherefrom, whereto):
    """list.tcl: BLMOVE $wherefrom $whereto with zero timeout should block indefinitely."""
    rc.rpush("target", "bar")
    c = rd()
    c.cmd("BLMOVE", "blist", "target", wherefrom, whereto, 0)
    wait_blocked(rc)
    rc.rpush("blist", "foo")
    assert c.read_reply() == b"foo"
    want = ["bar", "foo"] if whereto == "RIGHT" else ["foo", "bar"]
    assert rc.lrange("target", 0, -1) == want


@pytest.mark.parametrize("wherefrom", ["LEFT", "RIGHT"])
@pytest.mark.parametrize("whereto", ["LEFT", "RIGHT"])
def test_blmove_chain_to_blpop(rc, rd, wherefrom, whereto):
    """list.tcl: BLMOVE ($wherefrom, $whereto) with a client BLPOPing the target list."""
    c2 = rd()
    c2.cmd("BLPOP", "target", 0)
    wait_blocked(rc, 1)
    c = rd()
    c.cmd("BLMOVE", "blist", "target", wherefrom, whereto, 0)
    wait_blocked(rc, 2)
    rc.rpush("blist", "foo")
    assert c.read_reply() == b"foo"
    assert c2.read_reply() == [b"target", b"foo"]
    assert rc.exists("target") == 0


def test_brpoplpush_wrong_types(rc, rd):
    """list.tcl: BRPOPLPUSH with wrong source type / wrong destination type /
    maintains order of elements after failure."""
    rc.set("blist", "nolist")
    c = rd()
    assert c.call("BRPOPLPUSH", "blist", "target", 1).startswith(b"WRONGTYPE")
    rc.delete("blist")
    rc.set("target", "nolist")
    rc.lpush("blist", "foo")
    assert c.call("BRPOPLPUSH", "blist", "target", 1).startswith(b"WRONGTYPE")
    rc.delete("blist")
    c.cmd("BRPOPLPUSH", "blist", "target", 0)
    wait_blocked(rc)
    rc.rpush("blist", "a", "b", "c")
    assert c.read_reply().startswith(b"WRONGTYPE")
    assert rc.lrange("blist", 0, -1) == ["a", "b", "c"]


def test_brpoplpush_multiple_blocked_clients(rc, rd):
    """list.tcl: BRPOPLPUSH with multiple blocked clients."""
    rc.set("target1", "nolist")
    c1, c2 = rd(), rd()
    c1.cmd("BRPOPLPUSH", "blist", "target1", 0)
    wait_blocked(rc, 1)
    c2.cmd("BRPOPLPUSH", "blist", "target2", 0)
    wait_blocked(rc, 2)
    rc.lpush("blist", "foo")
    assert c1.read_reply().startswith(b"WRONGTYPE")
    assert c2.read_reply() == b"foo"
    assert rc.lrange("target2", 0, -1) == ["foo"]


def test_blmpop_multiple_blocked_clients(rc, rd):
    """list.tcl: BLMPOP with multiple blocked clients (FIFO, counts)."""
    cs = [rd() for _ in range(4)]
    args = [("LEFT", 1), ("RIGHT", 10), ("LEFT", 10), ("RIGHT", 1)]
    for i, (c, (where, count)) in enumerate(zip(cs, args)):
        c.cmd("BLMPOP", 0, 2, "blist", "blist2", where, "COUNT", count)
        wait_blocked(rc, i + 1)
    p = rc.pipeline(transaction=True)
    p.lpush("blist", "a", "b", "c", "d", "e").lpush("blist2", 1, 2, 3, 4, 5).execute()
    assert cs[0].read_reply() == [b"blist", [b"e"]]
    assert cs[1].read_reply() == [b"blist", [b"a", b"b", b"c", b"d"]]
    assert cs[2].read_reply() == [b"blist2", [b"5", b"4", b"3", b"2", b"1"]]
    rc.lpush("blist2", 1, 2, 3)
    assert cs[3].read_reply() == [b"blist2", [b"1"]]


def test_linked_and_circular_moves(rc, rd):
    """list.tcl: Linked LMOVEs / Circular BRPOPLPUSH / Self-referential BRPOPLPUSH."""
    c1, c2 = rd(), rd()
    c1.cmd("BLMOVE", "list1", "list2", "RIGHT", "LEFT", 0)
    wait_blocked(rc, 1)
    c2.cmd("BLMOVE", "list2", "list3", "LEFT", "RIGHT", 0)
    wait_blocked(rc, 2)
    rc.rpush("list1", "foo")
    assert c1.read_reply() == b"foo" and c2.read_reply() == b"foo"
    assert rc.lrange("list1", 0, -1) == [] and rc.lrange("list2", 0, -1) == []
    assert rc.lrange("list3", 0, -1) == ["foo"]

    rc.delete("list1", "list2")
    c1.cmd("BRPOPLPUSH", "list1", "list2", 0)
    wait_blocked(rc, 1)
    c2.cmd("BRPOPLPUSH", "list2", "list1", 0)
    wait_blocked(rc, 2)
    rc.rpush("list1", "foo")
    assert c1.read_reply() == b"foo" and c2.read_reply() == b"foo"
    assert rc.lrange("list1", 0, -1) == ["foo"] and rc.lrange("list2", 0, -1) == []

    rc.delete("blist")
    c1.cmd("BRPOPLPUSH", "blist", "blist", 0)
    wait_blocked(rc, 1)
    rc.rpush("blist", "foo")
    assert c1.read_reply() == b"foo"
    assert rc.lrange("blist", 0, -1) == ["foo"]


def test_blocking_inside_transaction(rc):
    """list.tcl: BLPOP / BRPOPLPUSH inside a transaction (no blocking)."""
    rc.lpush("xlist", "foo", "bar")
    p = rc.pipeline(transaction=True)
    p.blpop("xlist", 0).blpop("xlist", 0).blpop("xlist", 0)
    assert p.execute() == [("xlist", "bar"), ("xlist", "foo"), None]
    p = rc.pipeline(transaction=True)
    p.brpoplpush("xlist", "target", 0).execute_command("BLMPOP", 0, 1, "xlist", "LEFT")
    assert p.execute() == [None, None]


def test_push_from_brpoplpush_affects_watch(srv, rc, rd):
    """list.tcl: PUSH resulting from BRPOPLPUSH affect WATCH /
    BRPOPLPUSH does not affect WATCH while still blocked."""
    c = rd()
    c.cmd("BRPOPLPUSH", "srclist", "dstlist", 0)
    wait_blocked(rc)
    w = srv.client(decode_responses=True)
    p = w.pipeline(transaction=True)
    p.watch("dstlist")
    p.multi()
    p.lpush("dstlist", "a")
    rc.rpush("srclist", "foo")  # serves the BRPOPLPUSH: dstlist changes
    assert c.read_reply() == b"foo"
    with pytest.raises(redis.WatchError):
        p.execute()

    c.cmd("BRPOPLPUSH", "srclist2", "dstlist2", 0)
    wait_blocked(rc)
    p = w.pipeline(transaction=True)
    p.watch("dstlist2")
    p.multi()
    p.lpush("dstlist2", "a")
    assert p.execute() == [1]  # still blocked: nothing touched dstlist2
    rc.rpush("srclist2", "x")
    assert c.read_reply() == b"x"
    w.close()


def test_brpoplpush_timeout(rc, rd):
    """list.tcl: BRPOPLPUSH timeout (a null array, not a null bulk)."""
    c = rd()
    c.cmd("BRPOPLPUSH", "foo_list", "bar_list", 0.2)
    wait_blocked(rc, 1)
    c.send(b"")
    line = None
    deadline = time.time() + 5
    while time.time() < deadline and b"\r\n" not in c.buf:
        c._fill(5)
    line = c.buf
    assert line == b"*-1\r\n"


def test_swapdb_awakes_blocked_client(srv, rc, rd):
    """list.tcl: SWAPDB awakes blocked client."""
    one = srv.client(db=1)
    one.rpush("k", "hello")
    c = rd()
    assert c.call("SELECT", 9) == b"OK"
    c.cmd("BRPOP", "k", 5)
    wait_blocked(rc)
    rc.swapdb(1, 9)
    assert c.read_reply() == [b"k", b"hello"]
    one.close()


@pytest.mark.parametrize("pop", ["BLPOP", "BLMPOP_LEFT"])
def test_new_key_moved_into_place(rc, rd, pop):
    """list.tcl: $pop when new key is moved into place / created by SORT..STORE."""
    c = rd()
    bpop(c, pop, ["foo"], 0)
    wait_blocked(rc)
    rc.lpush("bob", "abc", "def", "hij")
    rc.rename("bob", "foo")
    assert c.read_reply() == popped(pop, b"foo", b"hij")


@pytest.mark.requires_commands("sort")
def test_sort_store_wakes(rc, rd):
    """list.tcl: BLPOP when result key is created by SORT..STORE."""
    pytest.importorskip("redis")
    c = rd()
    c.cmd("BLPOP", "foo", 5)
    wait_blocked(rc)
    rc.lpush("notfoo", "hello", "hola", "aguacate", "konichiwa", "zanzibar")
    rc.sort("notfoo", alpha=True, store="foo")
    assert c.read_reply() == [b"foo", b"aguacate"]


@pytest.mark.parametrize("pop", ["BLPOP", "BLMPOP_RIGHT"])
def test_client_unblock(rc, rd, pop):
    """list.tcl: client unblock tests."""
    c = rd()
    cid = c.call("CLIENT", "ID")
    bpop(c, pop, ["l"], 0)
    wait_blocked(rc)
    assert rc.execute_command("CLIENT", "UNBLOCK", cid) == 1
    assert c.read_reply() is None
    bpop(c, pop, ["l"], 0)
    wait_blocked(rc)
    assert rc.execute_command("CLIENT", "UNBLOCK", cid, "TIMEOUT") == 1
    assert c.read_reply() is None
    bpop(c, pop, ["l"], 0)
    wait_blocked(rc)
    assert rc.execute_command("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert c.read_reply() == RespError(b"UNBLOCKED client unblocked via CLIENT UNBLOCK")
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        rc.execute_command("CLIENT", "UNBLOCK", "asd")
    assert rc.execute_command("CLIENT", "UNBLOCK", rc.client_id()) == 0
    bpop(c, pop, ["l"], 0)
    wait_blocked(rc)
    rc.lpush("l", "foo")
    assert c.read_reply() == popped(pop, b"l", b"foo")


def test_blocked_client_flags_and_disconnect(rc, rd):
    """A blocked client shows flags=b and cmd=blpop; one that disconnects
    leaves nothing behind (blocked_clients back to 0, the key still served
    to the next waiter)."""
    c = rd()
    cid = c.call("CLIENT", "ID")
    c.cmd("BLPOP", "dl", 0)
    wait_blocked(rc)
    info = rc.execute_command("CLIENT", "LIST", "ID", cid)
    assert "flags=b" in info and "cmd=blpop" in info
    c.close()
    wait_blocked(rc, 0)
    c2 = rd()
    c2.cmd("BLPOP", "dl", 0)
    wait_blocked(rc)
    rc.rpush("dl", "x")
    assert c2.read_reply() == [b"dl", b"x"]
    assert rc.exists("dl") == 0


def test_pipelined_push_then_read_sees_the_pop(rc, rd):
    """The waiter is served right after the push, before the pusher's next
    pipelined command (Redis's handleClientsBlockedOnKeys after call())."""
    c = rd()
    c.cmd("BLPOP", "pl", 0)
    wait_blocked(rc)
    p = rc.pipeline(transaction=False)
    p.rpush("pl", "a").llen("pl")
    assert p.execute() == [1, 0]
    assert c.read_reply() == [b"pl", b"a"]


def test_blocked_then_pipelined_commands_wait(rc, rd):
    """Commands pipelined after a blocking one wait for it."""
    c = rd()
    c.send(b"*3\r\n$5\r\nBLPOP\r\n$2\r\npq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n")
    wait_blocked(rc)
    time.sleep(0.1)
    assert c.buf == b""
    rc.rpush("pq", "v")
    assert c.read_reply() == [b"pq", b"v"]
    assert c.read_reply() == b"PONG"


def test_redis_py_blpop_woken_by_another_client(srv, rc):
    """redis-py: a blocking BLPOP in a thread woken by another client."""
    out = {}

    def worker():
        c = srv.client(decode_responses=True)
        out["r"] = c.blpop(["q1", "q2"], timeout=5)
        c.close()

    t = threading.Thread(target=worker)
    t.start()
    wait_blocked(rc)
    rc.rpush("q2", "job")
    t.join(5)
    assert out["r"] == ("q2", "job")


# ---------------------------------------------------------------- info.tcl

def test_stats_of_blocked_commands(rc, rd):
    """info.tcl: errorstats: blocking commands; introspection-2.tcl: command
    stats for BRPOP."""
    rc.config_resetstat()
    c = rd()
    cid = c.call("CLIENT", "ID")
    c.cmd("BLPOP", "list1", 0)
    wait_blocked(rc)
    rc.execute_command("CLIENT", "UNBLOCK", cid, "ERROR")
    assert c.read_reply().startswith(b"UNBLOCKED")
    stats = rc.info("commandstats")["cmdstat_blpop"]
    assert stats["calls"] == 1 and stats["failed_calls"] == 1 and stats["rejected_calls"] == 0
    assert "count=1" in str(rc.execute_command("INFO", "errorstats"))
    assert rc.info("stats")["total_error_replies"] == 1
    rc.config_resetstat()
    rc.lpush("list", "foo")
    rc.brpop("list", 0)
    cs = rc.info("commandstats")
    assert cs["cmdstat_brpop"]["calls"] == 1 and "cmdstat_rpop" not in cs


def test_blocked_clients_timeout_table(rc, rd):
    """INFO clients: blocked_clients and clients_in_timeout_table."""
    c1, c2 = rd(), rd()
    c1.cmd("BLPOP", "t1", 0)
    c2.cmd("BLPOP", "t2", 10)
    wait_blocked(rc, 2)
    info = rc.info("clients")
    assert info["clients_in_timeout_table"] == 1
    rc.rpush("t1", "x")
    rc.rpush("t2", "y")
    assert c1.read_reply() == [b"t1", b"x"] and c2.read_reply() == [b"t2", b"y"]
    wait_blocked(rc, 0)
    assert rc.info("clients")["clients_in_timeout_table"] == 0


# ---------------------------------------------------------------- zset.tcl

@needs_zsets
@pytest.mark.parametrize("cmd,want", [("BZPOPMIN", [b"zs", b"a", b"1"]),
                                      ("BZPOPMAX", [b"zs", b"b", b"2"])])
def test_bzpop_woken(rc, rd, cmd, want):
    """zset.tcl: BZPOPMIN/BZPOPMAX with a single existing sorted set / woken."""
    c = rd()
    c.cmd(cmd, "zs", 0)
    wait_blocked(rc)
    rc.zadd("zs", {"a": 1, "b": 2})
    assert c.read_reply() == want
    assert c.call(cmd, "nope", "zs", 0)[0] == b"zs"


@needs_zsets
def test_bzpop_timeout_and_errors(rc, rd):
    """zset.tcl: BZPOPMIN with a timeout / against a wrong type / negative timeout."""
    c = rd()
    assert c.call("BZPOPMIN", "z1", 0.05) is None
    rc.set("str", "x")
    assert c.call("BZPOPMAX", "z1", "str", 1).startswith(b"WRONGTYPE")
    assert c.call("BZPOPMAX", "z1", -1) == RespError(b"ERR timeout is negative")


@needs_zsets
def test_bzmpop(rc, rd):
    """zset.tcl: BZMPOP readraw / multiple blocked clients (MIN, MAX, COUNT)."""
    c1, c2 = rd(), rd()
    c1.cmd("BZMPOP", 0, 2, "za", "zb", "MIN")
    wait_blocked(rc, 1)
    c2.cmd("BZMPOP", 0, 2, "za", "zb", "MAX", "COUNT", 10)
    wait_blocked(rc, 2)
    rc.zadd("zb", {"a": 1, "b": 2, "c": 3})
    assert c1.read_reply() == [b"zb", [[b"a", b"1"]]]
    assert c2.read_reply() == [b"zb", [[b"c", b"3"], [b"b", b"2"]]]
    assert rc.exists("zb") == 0
    assert c1.call("BZMPOP", 0.01, 1, "za", "MIN") is None


@needs_zsets
def test_blpop_does_not_take_a_zset(rc, rd):
    """A BLPOP stays blocked when a sorted set appears under its key, and a
    BZPOPMIN on the same key is served."""
    c1, c2 = rd(), rd()
    c1.cmd("BLPOP", "mixed", 0)
    wait_blocked(rc, 1)
    c2.cmd("BZPOPMIN", "mixed", 0)
    wait_blocked(rc, 2)
    rc.zadd("mixed", {"m": 5})
    assert c2.read_reply() == [b"mixed", b"m", b"5"]
    assert blocked(rc) == 1
    rc.rpush("mixed", "l")
    assert c1.read_reply() == [b"mixed", b"l"]


def test_resp3_null_on_timeout(rd):
    """RESP3: a timed-out blocking pop answers the RESP3 null."""
    c = rd()
    c.call("HELLO", 3)
    c.cmd("BLPOP", "r3", 0.05)
    deadline = time.time() + 5
    while time.time() < deadline and b"\r\n" not in c.buf:
        c._fill(5)
    assert c.buf == b"_\r\n"


# ---------------------------------------------------------------- CLIENT PAUSE

def test_blocked_client_times_out_during_pause(rc, rd):
    """A client blocked before CLIENT PAUSE WRITE still times out on time
    (the pause holds new writes, not waiting clients); one that sends a
    BLPOP during the pause is held until the pause ends, then waits."""
    c = rd()
    c.cmd("BLPOP", "pz", 0.3)
    wait_blocked(rc)
    rc.execute_command("CLIENT", "PAUSE", 2000, "WRITE")
    t = time.time()
    assert c.read_reply() is None
    assert time.time() - t < 1.5
    c2 = rd()
    c2.cmd("BLPOP", "pz2", 0)
    time.sleep(0.2)
    rc.execute_command("CLIENT", "UNPAUSE")
    rc.rpush("pz2", "v")
    assert c2.read_reply() == [b"pz2", b"v"]
