"""String, generic key, transaction and connection commands through redis-py
(and raw sockets where the exact bytes matter), plus RESP3 through raw
sockets and `redis-cli -3`. Expectations are redis-server 7.0.15's replies.
"""
import socket
import threading
import time

import pytest
import redis

from integ_util import SLOW, Raw, RespError, cli, encode, free_port, wait_for


def err(excinfo):
    return str(excinfo.value)


def expect(conn, data):
    """The next bytes on `conn` are exactly `data`."""
    got = conn.recv_exact(len(data))
    assert got == data
    return True


# ---------------------------------------------------------------------------
# Strings
# ---------------------------------------------------------------------------

def test_set_get_basic(rc):
    assert rc.set("k", "v") is True
    assert rc.get("k") == "v"
    assert rc.get("missing") is None
    assert rc.set("k", "") is True
    assert rc.get("k") == ""
    big = "x" * 100000
    rc.set("big", big)
    assert rc.get("big") == big
    assert rc.strlen("big") == 100000


def test_set_binary_values(srv):
    r = srv.client()
    v = bytes(range(256)) * 4 + b"\r\n\x00"
    r.set(b"bin\x00key\r\n", v)
    assert r.get(b"bin\x00key\r\n") == v
    r.close()


def test_set_options(rc):
    assert rc.set("k", "1", nx=True) is True
    assert rc.set("k", "2", nx=True) is None
    assert rc.get("k") == "1"
    assert rc.set("k", "3", xx=True) is True
    assert rc.set("nokey", "3", xx=True) is None
    assert rc.exists("nokey") == 0
    assert rc.set("k", "4", get=True) == "3"
    assert rc.set("new", "x", get=True) is None
    assert rc.get("new") == "x"
    assert rc.set("k", "5", ex=100) is True
    assert 99 <= rc.ttl("k") <= 100
    assert rc.set("k", "6", keepttl=True) is True
    assert 99 <= rc.ttl("k") <= 100
    assert rc.set("k", "7") is True
    assert rc.ttl("k") == -1
    assert rc.set("k", "8", px=100000) is True
    assert 99000 < rc.pttl("k") <= 100000
    now = int(time.time())
    assert rc.set("k", "9", exat=now + 100) is True
    assert 98 <= rc.ttl("k") <= 100
    assert rc.set("k", "10", pxat=int(time.time() * 1000) + 100000) is True
    assert 99000 < rc.pttl("k") <= 100000
    # SET ... GET NX is accepted by 7.0
    with Raw(rc.connection_pool.connection_kwargs["port"]) as c:
        assert c.call("SET", "k", "11", "GET", "NX") == b"10"
        assert c.call("GET", "k") == b"10"


@pytest.mark.parametrize("args,msg", [
    (("SET", "k", "v", "NX", "XX"), "syntax error"),
    (("SET", "k", "v", "EX", "10", "PX", "100"), "syntax error"),
    (("SET", "k", "v", "EX", "100", "KEEPTTL"), "syntax error"),
    (("SET", "k", "v", "EX"), "syntax error"),
    (("SET", "k", "v", "FOO"), "syntax error"),
    (("SET", "k", "v", "EX", "0"), "invalid expire time in 'set' command"),
    (("SET", "k", "v", "PX", "-1"), "invalid expire time in 'set' command"),
    (("SET", "k", "v", "EX", "x"), "value is not an integer or out of range"),
    (("SET", "k"), "wrong number of arguments for 'set' command"),
    (("SETEX", "k", "0", "v"), "invalid expire time in 'setex' command"),
    (("PSETEX", "k", "-5", "v"), "invalid expire time in 'psetex' command"),
    (("GETEX", "k", "EX", "0"), "invalid expire time in 'getex' command"),
    (("GETEX", "k", "PERSIST", "EX", "1"), "syntax error"),
    (("MSET", "a"), "wrong number of arguments for 'mset' command"),
    (("MSET", "a", "1", "b"), "wrong number of arguments for 'mset' command"),
    (("MSETNX", "a", "b", "c"), "wrong number of arguments for 'msetnx' command"),
    (("APPEND", "a"), "wrong number of arguments for 'append' command"),
    (("GETRANGE", "k", "a", "1"), "value is not an integer or out of range"),
    (("SETRANGE", "k", "-1", "x"), "offset is out of range"),
    (("LCS", "s1"), "wrong number of arguments for 'lcs' command"),
    (("LCS", "s1", "s2", "LEN", "IDX"),
     "If you want both the length and indexes, please just use IDX."),
])
def test_string_errors(rc, args, msg):
    rc.set("k", "v")
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command(*args)
    assert err(e) == msg


def test_setnx_setex_psetex_getset_getdel(rc):
    assert rc.setnx("k", "1") is True
    assert rc.setnx("k", "2") is False
    assert rc.setex("e", 100, "v") is True
    assert 99 <= rc.ttl("e") <= 100
    assert rc.psetex("p", 100000, "v") is True
    assert 99000 < rc.pttl("p") <= 100000
    assert rc.getset("k", "new") == "1"
    assert rc.getset("none", "x") is None
    rc.expire("k", 100)
    rc.getset("k", "newer")
    assert rc.ttl("k") == -1  # GETSET clears the TTL
    assert rc.getdel("k") == "newer"
    assert rc.getdel("k") is None
    assert rc.exists("k") == 0


def test_getex(rc):
    rc.set("k", "v")
    assert rc.getex("k") == "v"
    assert rc.ttl("k") == -1
    assert rc.getex("k", ex=100) == "v"
    assert 99 <= rc.ttl("k") <= 100
    assert rc.getex("k", px=50000) == "v"
    assert 49000 < rc.pttl("k") <= 50000
    assert rc.getex("k", exat=int(time.time()) + 200) == "v"
    assert 198 <= rc.ttl("k") <= 200
    assert rc.getex("k", pxat=int(time.time() * 1000) + 300000) == "v"
    assert 298 <= rc.ttl("k") <= 300
    assert rc.getex("k", persist=True) == "v"
    assert rc.ttl("k") == -1
    assert rc.getex("missing", ex=10) is None


def test_mget_mset_msetnx(rc):
    assert rc.mset({"a": "1", "b": "2", "c": "3"}) is True
    assert rc.mget("a", "b", "missing", "c") == ["1", "2", None, "3"]
    assert rc.msetnx({"d": "4", "a": "x"}) is False
    assert rc.exists("d") == 0
    assert rc.msetnx({"d": "4", "e": "5"}) is True
    assert rc.mget(["d", "e"]) == ["4", "5"]
    # the last value wins for a repeated key
    rc.execute_command("MSET", "z", "1", "z", "2")
    assert rc.get("z") == "2"


def test_append_strlen_ranges(rc):
    assert rc.append("k", "Hello") == 5
    assert rc.append("k", " World") == 11
    assert rc.get("k") == "Hello World"
    assert rc.strlen("k") == 11
    assert rc.strlen("missing") == 0
    assert rc.getrange("k", 0, 4) == "Hello"
    assert rc.getrange("k", -5, -1) == "World"
    assert rc.getrange("k", 5, 2) == ""
    assert rc.getrange("k", 0, 1000) == "Hello World"
    assert rc.getrange("missing", 0, 10) == ""
    assert rc.execute_command("SUBSTR", "k", 0, 2) == "Hel"
    assert rc.setrange("k", 6, "Redis") == 11
    assert rc.get("k") == "Hello Redis"
    assert rc.setrange("pad", 5, "x") == 6
    assert rc.get("pad") == "\x00\x00\x00\x00\x00x"
    assert rc.setrange("missing2", 0, "") == 0
    assert rc.exists("missing2") == 0
    rc.set("num", 12345)
    assert rc.append("num", "6") == 6
    assert rc.get("num") == "123456"


def test_setrange_beyond_proto_max_bulk_len(server_factory, tmp_path):
    srv = server_factory(args=["--proto-max-bulk-len", "1mb"], cwd=str(tmp_path))
    r = srv.client(decode_responses=True)
    with pytest.raises(redis.ResponseError) as e:
        r.setrange("k", 1 << 20, "x")
    assert err(e) == "string exceeds maximum allowed size (proto-max-bulk-len)"
    assert r.setrange("k", (1 << 20) - 1, "x") == 1 << 20
    r.set("a", "x" * 1000)
    with pytest.raises(redis.ResponseError) as e:
        r.append("a", "y" * (1 << 20))
    assert err(e) == "string exceeds maximum allowed size (proto-max-bulk-len)"
    r.close()


def test_counters(rc):
    assert rc.incr("n") == 1
    assert rc.incrby("n", 10) == 11
    assert rc.decr("n") == 10
    assert rc.decrby("n", 20) == -10
    assert rc.get("n") == "-10"
    assert rc.incrbyfloat("f", 1.5) == 1.5
    assert rc.incrbyfloat("f", "-0.25") == 1.25
    assert rc.get("f") == "1.25"
    rc.set("f2", "10.50")
    with Raw(rc.connection_pool.connection_kwargs["port"]) as c:
        assert c.call("INCRBYFLOAT", "f2", "0.1") == b"10.6"
        # long double arithmetic, printed with %.17Lg then trimmed
        assert c.call("INCRBYFLOAT", "f2", "5.0e3") == b"5010.60000000000000009"
        assert c.call("INCRBYFLOAT", "f2", "-5010.6") == b"0"
        c.call("SET", "f3", "3")
        assert c.call("INCRBYFLOAT", "f3", "1.0000000000000001") == b"4.0000000000000001"
        assert c.call("INCRBYFLOAT", "f4", "0.1") == b"0.1"
        assert c.call("INCRBYFLOAT", "f4", "0.2") == b"0.3"
        assert c.call("INCRBYFLOAT", "f5", "1e20") == b"100000000000000000000"
    rc.set("big", "9223372036854775807")
    with pytest.raises(redis.ResponseError) as e:
        rc.incr("big")
    assert err(e) == "increment or decrement would overflow"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("DECRBY", "n", "-9223372036854775808")
    assert err(e) == "decrement would overflow"
    rc.set("s", "abc")
    for cmd in (("INCR", "s"), ("DECR", "s"), ("INCRBY", "s", 1), ("INCRBY", "n", "x"),
                ("INCRBY", "n", "1.5")):
        with pytest.raises(redis.ResponseError) as e:
            rc.execute_command(*cmd)
        assert err(e) == "value is not an integer or out of range"
    rc.set("sp", " 1")
    with pytest.raises(redis.ResponseError) as e:
        rc.incr("sp")
    assert err(e) == "value is not an integer or out of range"
    for cmd in (("INCRBYFLOAT", "s", "1"), ("INCRBYFLOAT", "n", "abc")):
        with pytest.raises(redis.ResponseError) as e:
            rc.execute_command(*cmd)
        assert err(e) == "value is not a valid float"
    rc.set("fl", "1e4932")
    for cmd in (("INCRBYFLOAT", "fl", "1e4932"), ("INCRBYFLOAT", "n", "inf")):
        with pytest.raises(redis.ResponseError) as e:
            rc.execute_command(*cmd)
        assert err(e) == "increment would produce NaN or Infinity"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("INCRBYFLOAT", "n", "nan")
    assert err(e) == "value is not a valid float"
    # counters keep the TTL
    rc.set("t", 5, ex=100)
    rc.incr("t")
    assert 99 <= rc.ttl("t") <= 100


def test_lcs(rc):
    rc.set("s1", "ohmytext")
    rc.set("s2", "mynewtext")
    assert rc.execute_command("LCS", "s1", "s2") == "mytext"
    assert rc.execute_command("LCS", "s1", "s2", "LEN") == 6
    assert rc.execute_command("LCS", "s1", "s2", "IDX") == \
        ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]
    assert rc.execute_command("LCS", "s1", "s2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == \
        ["matches", [[[4, 7], [5, 8], 4]], "len", 6]
    assert rc.execute_command("LCS", "s1", "missing") == ""


def test_object_encoding(rc):
    rc.set("i", "123")
    rc.set("e", "hello")
    rc.set("r", "x" * 45)
    assert rc.object("encoding", "i") == "int"
    assert rc.object("encoding", "e") == "embstr"
    assert rc.object("encoding", "r") == "raw"
    rc.append("e", "!")
    assert rc.object("encoding", "e") == "raw"
    assert rc.object("encoding", "missing") is None
    assert rc.object("refcount", "i") == 2147483647  # shared integer
    rc.set("i2", "12345")
    assert rc.object("refcount", "i2") == 1
    assert rc.object("idletime", "e") == 0
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("OBJECT", "FREQ", "i")
    assert err(e).startswith("An LFU maxmemory policy is not selected")
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("OBJECT", "NOSUCH")
    assert err(e) == "unknown subcommand 'NOSUCH'. Try OBJECT HELP."


# ---------------------------------------------------------------------------
# Generic keys
# ---------------------------------------------------------------------------

def test_del_unlink_exists_type_touch(rc):
    rc.mset({"a": 1, "b": 2, "c": 3})
    assert rc.exists("a", "a", "missing") == 2
    assert rc.type("a") == "string"
    assert rc.type("missing") == "none"
    assert rc.touch("a", "b", "missing") == 2
    assert rc.delete("a", "missing") == 1
    assert rc.unlink("b", "c", "missing") == 2
    assert rc.dbsize() == 0


def test_keys_scan_randomkey(rc):
    names = ["user:%d" % i for i in range(300)] + ["other", "h?llo", "hello", "hallo"]
    rc.mset({n: "v" for n in names})
    assert sorted(rc.keys("user:1?")) == ["user:%d" % i for i in range(10, 20)]
    assert sorted(rc.keys("h[ae]llo")) == ["hallo", "hello"]
    assert rc.keys("h\\?llo") == ["h?llo"]
    assert len(rc.keys("*")) == len(names)
    # SCAN returns every key at least once
    seen = set()
    cursor = 0
    for _ in range(10000):
        cursor, keys = rc.scan(cursor, count=17)
        seen.update(keys)
        if cursor == 0:
            break
    assert seen == set(names)
    got = set(rc.scan_iter(match="user:2*", count=50))
    assert got == {n for n in names if n.startswith("user:2")}
    assert set(rc.scan_iter(_type="string")) == set(names)
    assert list(rc.scan_iter(_type="list")) == []
    assert rc.randomkey() in names
    for args, msg in ((("SCAN", "x"), "invalid cursor"),
                      (("SCAN", "0", "COUNT", "0"), "syntax error"),
                      (("SCAN", "0", "FOO"), "syntax error")):
        with pytest.raises(redis.ResponseError) as e:
            rc.execute_command(*args)
        assert err(e) == msg
    rc.flushdb()
    assert rc.randomkey() is None
    assert rc.scan(0) == (0, [])


def test_rename_copy_move(rc):
    rc.set("a", "1", ex=100)
    assert rc.rename("a", "b") is True
    assert rc.get("b") == "1" and 99 <= rc.ttl("b") <= 100
    with pytest.raises(redis.ResponseError) as e:
        rc.rename("missing", "x")
    assert err(e) == "no such key"
    assert rc.rename("b", "b") is True
    rc.set("c", "2")
    assert rc.renamenx("b", "c") is False
    assert rc.renamenx("b", "d") is True
    assert rc.renamenx("d", "d") is False
    assert rc.copy("d", "e") is True
    assert rc.get("e") == "1" and 99 <= rc.ttl("e") <= 100
    assert rc.copy("d", "c") is False
    assert rc.copy("d", "c", replace=True) is True
    assert rc.get("c") == "1"
    assert rc.copy("d", "d2", destination_db=3) is True
    with pytest.raises(redis.ResponseError) as e:
        rc.copy("d", "d")
    assert err(e) == "source and destination objects are the same"
    assert rc.move("d", 1) is True
    assert rc.exists("d") == 0
    rc.set("d", "again")
    assert rc.move("d", 1) is False  # exists in the destination
    with pytest.raises(redis.ResponseError) as e:
        rc.move("d", 0)
    assert err(e) == "source and destination objects are the same"
    rc.execute_command("SELECT", 1)
    assert rc.get("d") == "1"
    rc.execute_command("SELECT", 3)
    assert rc.get("d2") == "1"
    rc.execute_command("SELECT", 0)


def test_select_dbsize_flush_swapdb(rc):
    rc.set("k0", "0")
    rc.execute_command("SELECT", 5)
    assert rc.get("k0") is None
    rc.set("k5", "5")
    assert rc.dbsize() == 1
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("SELECT", 16)
    assert err(e) == "DB index is out of range"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("SELECT", "x")
    assert err(e) == "value is not an integer or out of range"
    assert rc.swapdb(0, 5) is True
    assert rc.get("k0") == "0"
    assert rc.get("k5") is None
    with pytest.raises(redis.ResponseError) as e:
        rc.swapdb(0, 99)
    assert err(e) == "DB index is out of range"
    assert rc.flushdb() is True
    assert rc.dbsize() == 0
    rc.execute_command("SELECT", 0)
    assert rc.get("k5") == "5"
    assert rc.flushall() is True
    assert rc.dbsize() == 0
    assert rc.execute_command("FLUSHALL", "ASYNC") is True
    assert rc.execute_command("FLUSHDB", "SYNC") is True
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("FLUSHALL", "NOW")
    assert err(e) == "syntax error"


def test_expire_family(rc):
    rc.set("k", "v")
    assert rc.ttl("k") == -1 and rc.pttl("k") == -1
    assert rc.ttl("missing") == -2 and rc.pttl("missing") == -2
    assert rc.expire("k", 100) is True
    assert 99 <= rc.ttl("k") <= 100
    assert rc.pexpire("k", 200000) is True
    assert 199000 < rc.pttl("k") <= 200000
    at = int(time.time()) + 300
    assert rc.expireat("k", at) is True
    assert rc.execute_command("EXPIRETIME", "k") == at
    assert rc.execute_command("PEXPIRETIME", "k") == at * 1000
    assert rc.pexpireat("k", at * 1000 + 500) is True
    assert rc.execute_command("PEXPIRETIME", "k") == at * 1000 + 500
    assert rc.persist("k") is True
    assert rc.persist("k") is False
    assert rc.execute_command("EXPIRETIME", "k") == -1
    assert rc.execute_command("EXPIRETIME", "missing") == -2
    assert rc.expire("missing", 10) is False
    # 7.0 options
    assert rc.execute_command("EXPIRE", "k", 100, "XX") == 0
    assert rc.execute_command("EXPIRE", "k", 100, "GT") == 0  # no TTL = infinite
    assert rc.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert rc.execute_command("EXPIRE", "k", 200, "NX") == 0
    assert rc.execute_command("EXPIRE", "k", 50, "GT") == 0
    assert rc.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert rc.execute_command("EXPIRE", "k", 300, "LT") == 0
    assert rc.execute_command("EXPIRE", "k", 150, "LT") == 1
    assert 149 <= rc.ttl("k") <= 150
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("EXPIRE", "k", 10, "NX", "XX")
    assert err(e) == "NX and XX, GT or LT options at the same time are not compatible"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("EXPIRE", "k", 10, "GT", "LT")
    assert err(e) == "GT and LT options at the same time are not compatible"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("EXPIRE", "k", 10, "FOO")
    assert err(e) == "Unsupported option FOO"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("EXPIRE", "k", "x")
    assert err(e) == "value is not an integer or out of range"
    with pytest.raises(redis.ResponseError) as e:
        rc.execute_command("EXPIRE", "k", "9223372036854775807")
    assert err(e) == "invalid expire time in 'expire' command"
    # a time in the past deletes the key at once
    assert rc.expire("k", -1) is True
    assert rc.exists("k") == 0
    rc.set("k", "v")
    assert rc.expireat("k", int(time.time()) - 10) is True
    assert rc.get("k") is None


def test_ttl_real_time_lazy_and_active_expiry(rc):
    rc.set("px", "v", px=150)
    rc.set("ex", "v", ex=1)
    assert rc.ttl("ex") == 1
    assert 0 < rc.pttl("px") <= 150
    # lazy: reading after the deadline finds nothing
    time.sleep(0.2)
    assert rc.get("px") is None
    assert rc.exists("px") == 0
    assert rc.pttl("px") == -2
    # active: keys never touched again disappear by themselves
    with rc.pipeline(transaction=False) as p:
        for i in range(200):
            p.set("t:%d" % i, "v", px=100)
        p.execute()
    assert rc.dbsize() >= 200
    assert wait_for(lambda: rc.dbsize() == 0, timeout=4.0), \
        "active expiry left %d keys" % rc.dbsize()
    assert rc.get("ex") is None
    info = rc.info("stats")
    assert info["expired_keys"] >= 202


def test_ttl_survives_and_is_cleared_as_in_redis(rc):
    rc.set("k", "1", ex=100)
    rc.append("k", "2")
    rc.setrange("k", 0, "9")
    rc.incr("k")
    assert 99 <= rc.ttl("k") <= 100
    rc.set("k", "x")
    assert rc.ttl("k") == -1
    rc.set("k", "x", ex=100)
    rc.getdel("k")
    rc.set("k", "x")
    assert rc.ttl("k") == -1


@pytest.mark.requires_commands("dump", "restore")
def test_dump_restore(srv):
    r = srv.client()
    r.set("k", "hello")
    r.set("n", "12345")
    r.set("l", "x" * 100)
    # Redis's serialization: RDB type + encoded value, RDB version 10, CRC64
    assert r.dump("k") == b"\x00\x05hello\n\x00cr\xdfve4 \n"
    assert r.dump("n") == b"\x00\xc190\n\x00\x9d\x94\xea'\x93\xfc\x08\xb9"
    assert r.dump("l") == b"\x00\xc3\t@d\x01xx\xe0W\x00\x01xx\n\x00]\xb7\xf6c\xbb\x08b_"
    assert r.dump("missing") is None
    d = r.dump("k")
    assert r.restore("k2", 0, d) == b"OK"
    assert r.get("k2") == b"hello"
    assert r.restore("l2", 0, r.dump("l")) == b"OK"
    assert r.get("l2") == b"x" * 100
    with pytest.raises(redis.ResponseError) as e:
        r.restore("k2", 0, d)
    assert str(e.value) == "BUSYKEY Target key name already exists."
    assert r.restore("k2", 100000, d, replace=True) == b"OK"
    assert 99000 < r.pttl("k2") <= 100000
    with pytest.raises(redis.ResponseError) as e:
        r.restore("k3", 0, b"garbage")
    assert str(e.value) == "DUMP payload version or checksum are wrong"
    r.close()


def test_time(rc):
    sec, usec = rc.execute_command("TIME")
    assert abs(int(sec) - time.time()) < 5
    assert 0 <= int(usec) < 1000000


@pytest.mark.requires_commands("wait",)
def test_wait_without_replicas(rc):
    rc.set("k", "v")
    assert rc.execute_command("WAIT", 0, 0) == 0
    assert rc.execute_command("WAIT", 1, 50) == 0


# ---------------------------------------------------------------------------
# Transactions
# ---------------------------------------------------------------------------

def test_multi_exec_basic(srv):
    with Raw(srv.port) as c:
        assert c.call("MULTI") == b"OK"
        assert c.call("SET", "a", "1") == b"QUEUED"
        assert c.call("INCR", "a") == b"QUEUED"
        assert c.call("GET", "a") == b"QUEUED"
        assert c.call("EXEC") == [b"OK", 2, b"2"]
        assert c.call("MULTI") == b"OK"
        assert c.call("EXEC") == []
        assert c.call("MULTI") == b"OK"
        assert c.call("SET", "a", "x") == b"QUEUED"
        assert c.call("DISCARD") == b"OK"
        assert c.call("GET", "a") == b"2"


def test_multi_errors(srv):
    with Raw(srv.port) as c:
        assert c.call("EXEC") == RespError(b"ERR EXEC without MULTI")
        assert c.call("DISCARD") == RespError(b"ERR DISCARD without MULTI")
        assert c.call("MULTI") == b"OK"
        assert c.call("MULTI") == RespError(b"ERR MULTI calls can not be nested")
        assert c.call("WATCH", "x") == RespError(b"ERR WATCH inside MULTI is not allowed")
        assert c.call("SET", "q", "1") == b"QUEUED"
        # queue-time errors abort the transaction
        assert c.call("GET") == RespError(b"ERR wrong number of arguments for 'get' command")
        assert c.call("NOSUCH", "a") == \
            RespError(b"ERR unknown command 'NOSUCH', with args beginning with: 'a' ")
        assert c.call("EXEC") == \
            RespError(b"EXECABORT Transaction discarded because of previous errors.")
        assert c.call("EXISTS", "q") == 0
        # run-time errors do not: the other commands run
        assert c.call("MULTI") == b"OK"
        assert c.call("SET", "n", "x") == b"QUEUED"
        assert c.call("INCR", "n") == b"QUEUED"
        assert c.call("SET", "m", "1") == b"QUEUED"
        assert c.call("EXEC") == \
            [b"OK", RespError(b"ERR value is not an integer or out of range"), b"OK"]
        assert c.call("GET", "m") == b"1"
        # after EXECABORT / EXEC the connection is out of MULTI
        assert c.call("EXEC") == RespError(b"ERR EXEC without MULTI")


def test_watch_with_second_client(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        a.call("SET", "w", "1")
        # touched by another client: EXEC returns a null array
        assert a.call("WATCH", "w") == b"OK"
        assert b.call("SET", "w", "2") == b"OK"
        assert a.call("MULTI") == b"OK"
        assert a.call("SET", "w", "3") == b"QUEUED"
        a.send(encode("EXEC"))
        assert expect(a, b"*-1\r\n")
        assert a.call("GET", "w") == b"2"
        # untouched: EXEC runs
        assert a.call("WATCH", "w") == b"OK"
        assert a.call("MULTI") == b"OK"
        assert a.call("SET", "w", "4") == b"QUEUED"
        assert a.call("EXEC") == [b"OK"]
        # UNWATCH forgets the watched keys
        assert a.call("WATCH", "w") == b"OK"
        assert b.call("SET", "w", "5") == b"OK"
        assert a.call("UNWATCH") == b"OK"
        assert a.call("MULTI") == b"OK"
        assert a.call("GET", "w") == b"QUEUED"
        assert a.call("EXEC") == [b"5"]
        # deleting, expiring by a command, flushing all count as touching
        for touch in (("DEL", "w"), ("EXPIRE", "w", "100"), ("FLUSHALL",),
                      ("RENAME", "w", "w2")):
            a.call("SET", "w", "x")
            assert a.call("WATCH", "w") == b"OK"
            assert b.call(*touch) in (1, b"OK")
            assert a.call("MULTI") == b"OK"
            assert a.call("PING") == b"QUEUED"
            a.send(encode("EXEC"))
            assert expect(a, b"*-1\r\n"), touch
        # watching a missing key that another client creates
        a.call("DEL", "nw")
        assert a.call("WATCH", "nw") == b"OK"
        assert b.call("SET", "nw", "1") == b"OK"
        assert a.call("MULTI") == b"OK"
        a.send(encode("EXEC"))
        assert expect(a, b"*-1\r\n")
        # a write in another DB to a key of the same name does not count
        a.call("SET", "w", "x")
        assert a.call("WATCH", "w") == b"OK"
        assert b.call("SELECT", "1") == b"OK"
        assert b.call("SET", "w", "other-db") == b"OK"
        assert a.call("MULTI") == b"OK"
        assert a.call("GET", "w") == b"QUEUED"
        assert a.call("EXEC") == [b"x"]
    finally:
        a.close()
        b.close()


def test_watch_redis_py_optimistic_locking(srv):
    r1 = srv.client(decode_responses=True)
    r2 = srv.client(decode_responses=True)
    r1.set("counter", 0)

    def incr_with_retry(r, n):
        for _ in range(n):
            while True:
                with r.pipeline() as p:
                    try:
                        p.watch("counter")
                        v = int(p.get("counter"))
                        p.multi()
                        p.set("counter", v + 1)
                        p.execute()
                        break
                    except redis.WatchError:
                        continue

    t = threading.Thread(target=incr_with_retry, args=(r2, 200))
    t.start()
    incr_with_retry(r1, 200)
    t.join(timeout=30)
    assert r1.get("counter") == "400"
    with r1.pipeline() as p:
        p.watch("counter")
        r2.set("counter", "x")
        p.multi()
        p.set("counter", "y")
        with pytest.raises(redis.WatchError):
            p.execute()
    r1.close()
    r2.close()


def test_pipelines_of_1000(rc):
    with rc.pipeline(transaction=False) as p:
        for i in range(1000):
            p.set("p:%d" % i, i)
        assert p.execute() == [True] * 1000
    with rc.pipeline(transaction=False) as p:
        for i in range(1000):
            p.get("p:%d" % i)
        assert p.execute() == [str(i) for i in range(1000)]
    with rc.pipeline(transaction=True) as p:
        for i in range(1000):
            p.incr("tx")
        assert p.execute() == list(range(1, 1001))
    # errors inside a pipeline come back in place
    with rc.pipeline(transaction=False) as p:
        p.set("s", "abc")
        p.incr("s")
        p.get("s")
        res = p.execute(raise_on_error=False)
    assert res[0] is True and res[2] == "abc"
    assert isinstance(res[1], redis.ResponseError)
    assert str(res[1]) == "value is not an integer or out of range"


# ---------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------

def test_ping_echo_quit(srv):
    with Raw(srv.port) as c:
        assert c.call("PING") == b"PONG"
        assert c.call("PING", "hi") == b"hi"
        assert c.call("PING", "a", "b") == \
            RespError(b"ERR wrong number of arguments for 'ping' command")
        assert c.call("ECHO", "x\r\ny") == b"x\r\ny"
        c.send(encode("QUIT") + encode("PING"))
        assert expect(c, b"+OK\r\n")
        assert c.wait_closed()


def test_select_per_connection(srv):
    a = srv.client(decode_responses=True, db=2)
    b = srv.client(decode_responses=True, db=3)
    a.set("k", "a")
    b.set("k", "b")
    assert a.get("k") == "a" and b.get("k") == "b"
    a.close()
    b.close()


def test_auth_without_password(srv):
    with Raw(srv.port) as c:
        assert c.call("AUTH", "x") == RespError(
            b"ERR AUTH <password> called without any password configured for the default "
            b"user. Are you sure your configuration is correct?")
        # the default user is "nopass": any password is accepted
        assert c.call("AUTH", "default", "x") == b"OK"
        assert c.call("AUTH", "nosuchuser", "x") == \
            RespError(b"WRONGPASS invalid username-password pair or user is disabled.")


def test_reset(srv):
    with Raw(srv.port) as c:
        c.call("SELECT", "3")
        c.call("CLIENT", "SETNAME", "n")
        c.call("HELLO", "3")
        c.call("MULTI")
        assert c.call("RESET") == b"RESET"
        assert c.call("CLIENT", "GETNAME") is None
        info = c.call("CLIENT", "INFO")
        assert b" db=0 " in info and b" resp=2" in info and b" multi=-1 " in info
        # back in RESP2: a missing key is $-1
        c.send(encode("GET", "missing"))
        assert expect(c, b"$-1\r\n")


def test_client_commands(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        ida = a.call("CLIENT", "ID")
        idb = b.call("CLIENT", "ID")
        assert isinstance(ida, int) and idb > ida
        assert a.call("CLIENT", "GETNAME") is None
        assert a.call("CLIENT", "SETNAME", "alpha") == b"OK"
        assert a.call("CLIENT", "GETNAME") == b"alpha"
        assert a.call("CLIENT", "SETNAME", "a b") == RespError(
            b"ERR Client names cannot contain spaces, newlines or special characters.")
        info = a.call("CLIENT", "INFO")
        assert info.startswith(b"id=%d addr=127.0.0.1:" % ida) and info.endswith(b"\n")
        for field in (b" laddr=127.0.0.1:%d " % srv.port, b" name=alpha ", b" db=0 ",
                      b" cmd=client|info ", b" user=default ", b" resp=2", b" flags=N "):
            assert field in info
        lst = b.call("CLIENT", "LIST")
        lines = lst.decode().strip("\n").split("\n")
        assert len(lines) == 2
        assert any(line.startswith("id=%d " % ida) and " name=alpha " in line for line in lines)
        assert b.call("CLIENT", "LIST", "ID", ida).startswith(b"id=%d " % ida)
        assert b.call("CLIENT", "LIST", "TYPE", "normal").count(b"\n") == 2
        assert b.call("CLIENT", "LIST", "ID", "x") == RespError(b"ERR Invalid client ID")
        assert b.call("CLIENT", "LIST", "TYPE", "x") == RespError(b"ERR Unknown client type 'x'")
        assert b.call("CLIENT", "NOSUCH") == \
            RespError(b"ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")
        assert b.call("CLIENT", "KILL", "ID", "x") == \
            RespError(b"ERR client-id should be greater than 0")
        assert b.call("CLIENT", "KILL", "ID", "999999") == 0
        assert b.call("CLIENT", "KILL", "1.2.3.4:5") == RespError(b"ERR No such client")
        assert b.call("CLIENT", "KILL", "ID", ida) == 1
        assert a.wait_closed()
        help_lines = b.call("CLIENT", "HELP")
        assert help_lines[0].startswith(b"CLIENT <subcommand>")
    finally:
        a.close()
        b.close()


@pytest.mark.requires_commands("client|getredir", "client|trackinginfo")
def test_client_getredir_noevict_trackinginfo(srv):
    with Raw(srv.port) as c:
        assert c.call("CLIENT", "GETREDIR") == -1
        assert c.call("CLIENT", "NO-EVICT", "on") == b"OK"
        assert c.call("CLIENT", "NO-EVICT", "off") == b"OK"
        assert c.call("CLIENT", "NO-EVICT", "x") == RespError(b"ERR syntax error")
        assert c.call("CLIENT", "TRACKINGINFO") == \
            [b"flags", [b"off"], b"redirect", -1, b"prefixes", []]


def test_client_info_fields_like_redis(srv, reference_server):
    """CLIENT INFO / CLIENT LIST: same fields in the same order as Redis."""
    def fields(port):
        with Raw(port) as c:
            c.call("CLIENT", "SETNAME", "x")
            line = c.call("CLIENT", "INFO").decode()
        return [kv.split("=", 1)[0] for kv in line.split()]
    assert fields(srv.port) == fields(reference_server.port)


def test_client_kill_by_addr_and_skipme(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        addr = a.sock.getsockname()
        assert b.call("CLIENT", "KILL", "%s:%d" % addr) == b"OK"
        assert a.wait_closed()
        a = Raw(srv.port)
        a.call("PING")
        assert b.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") == 1
        assert a.wait_closed()
        assert b.call("PING") == b"PONG"
    finally:
        a.close()
        b.close()


def test_client_reply(srv):
    with Raw(srv.port) as c:
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("SET", "a", "1") + encode("GET", "a"))
        c.send(encode("CLIENT", "REPLY", "ON"))
        assert expect(c, b"+OK\r\n")
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("GET", "a") + encode("PING"))
        assert expect(c, b"+PONG\r\n")
        assert c.call("CLIENT", "REPLY", "x") == RespError(b"ERR syntax error")


def test_client_pause(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        # WRITE: reads go on, writes wait for the end of the pause
        assert a.call("CLIENT", "PAUSE", "300", "WRITE") == b"OK"
        t = time.time()
        assert b.call("GET", "k") is None
        assert time.time() - t < 0.2
        b.send(encode("SET", "k", "v"))
        expect(b, b"+OK\r\n")
        assert time.time() - t >= 0.25
        # CLIENT UNPAUSE ends it early
        assert a.call("CLIENT", "PAUSE", "10000", "WRITE") == b"OK"
        b.send(encode("SET", "k", "w"))
        got, closed = b.recv_until_idle(0.2)
        assert (got, closed) == (b"", False)
        assert a.call("CLIENT", "UNPAUSE") == b"OK"
        expect(b, b"+OK\r\n")
        # ALL: every command of every normal client waits
        assert a.call("CLIENT", "PAUSE", "300", "ALL") == b"OK"
        t = time.time()
        b.send(encode("PING"))
        got, closed = b.recv_until_idle(0.15)
        assert (got, closed) == (b"", False)
        expect(b, b"+PONG\r\n")
        assert time.time() - t >= 0.25
        assert a.call("CLIENT", "PAUSE", "x") == \
            RespError(b"ERR timeout is not an integer or out of range")
        assert a.call("CLIENT", "PAUSE", "100", "X") == \
            RespError(b"ERR CLIENT PAUSE mode must be WRITE or ALL")
    finally:
        a.close()
        b.close()


def test_hello(srv):
    with Raw(srv.port) as c:
        r = c.call("HELLO")
        assert r[:6] == [b"server", b"redis", b"version", b"7.0.15", b"proto", 2]
        assert r[8:] == [b"mode", b"standalone", b"role", b"master", b"modules", []]
        assert c.call("HELLO", "4") == RespError(b"NOPROTO unsupported protocol version")
        assert c.call("HELLO", "x") == \
            RespError(b"ERR Protocol version is not an integer or out of range")
        assert c.call("HELLO", "2", "FOO") == RespError(b"ERR Syntax error in HELLO option 'FOO'")
        r = c.call("HELLO", "2", "SETNAME", "me")
        assert c.call("CLIENT", "GETNAME") == b"me"
        assert c.call("HELLO", "2", "AUTH", "nosuchuser", "x") == \
            RespError(b"WRONGPASS invalid username-password pair or user is disabled.")
        assert c.call("HELLO", "2", "AUTH", "default", "x")[5] == 2


# ---------------------------------------------------------------------------
# RESP3
# ---------------------------------------------------------------------------

def test_resp3_raw_socket(srv):
    with Raw(srv.port) as c:
        c.send(encode("HELLO", "3"))
        head = b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n" \
               b"$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"
        assert c.recv_exact(len(head)) == head
        c.readline()  # the id
        tail = b"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n" \
               b"$7\r\nmodules\r\n*0\r\n"
        assert c.recv_exact(len(tail)) == tail
        c.send(encode("GET", "missing"))
        assert expect(c, b"_\r\n")
        c.send(encode("SET", "a", "1") + encode("MGET", "a", "missing"))
        assert expect(c, b"+OK\r\n*2\r\n$1\r\n1\r\n_\r\n")
        c.send(encode("SET", "a", "2", "GET") + encode("SET", "new", "1", "GET"))
        assert expect(c, b"$1\r\n1\r\n_\r\n")
        c.send(encode("OBJECT", "ENCODING", "missing"))
        assert expect(c, b"_\r\n")
        c.send(encode("INCRBYFLOAT", "f", "1.5"))
        assert expect(c, b"$3\r\n1.5\r\n")
        c.send(encode("EXISTS", "a"))
        assert expect(c, b":1\r\n")
        c.send(encode("NOSUCH"))
        assert c.readline() == b"-ERR unknown command 'NOSUCH', with args beginning with: "
        # map replies
        assert c.call("CONFIG", "GET", "port") == {b"port": str(srv.port).encode()}
        c.call("SET", "s1", "ohmytext")
        c.call("SET", "s2", "mynewtext")
        c.send(encode("LCS", "s1", "s2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"))
        want = (b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
                b"$3\r\nlen\r\n:6\r\n")
        assert c.recv_exact(len(want)) == want
        # a transaction aborted by WATCH is a null in RESP3
        c.call("WATCH", "a")
        with Raw(srv.port) as other:
            other.call("SET", "a", "x")
        c.call("MULTI")
        c.send(encode("EXEC"))
        assert expect(c, b"_\r\n")
        # HELLO 2 switches back
        c.call("HELLO", "2")
        c.send(encode("GET", "missing"))
        assert expect(c, b"$-1\r\n")


def test_resp3_redis_cli(srv):
    nr = ["-3", "--no-raw"]
    p = cli(srv.port, "GET", "missing", extra=nr)
    assert p.returncode == 0 and p.stdout == b"(nil)\n"
    p = cli(srv.port, "HELLO", "3", extra=nr)
    assert p.returncode == 0
    out = p.stdout.decode()
    assert out.startswith('1# "server" => "redis"\n2# "version" => "7.0.15"\n'
                          '3# "proto" => (integer) 3\n')
    assert '5# "mode" => "standalone"\n6# "role" => "master"\n7# "modules" => (empty array)\n' \
        in out
    p = cli(srv.port, "HELLO", "3", extra=["-3"])  # not a tty: raw output
    assert p.stdout.decode().startswith("server redis\nversion 7.0.15\nproto 3\nid ")
    p = cli(srv.port, "CONFIG", "GET", "port", extra=nr)
    assert p.stdout.decode() == '1# "port" => "%d"\n' % srv.port
    cli(srv.port, "SET", "k", "v")
    p = cli(srv.port, "MGET", "k", "nokey", extra=nr)
    assert p.stdout == b'1) "v"\n2) (nil)\n'


# ---------------------------------------------------------------------------
# Several clients, real time
# ---------------------------------------------------------------------------

def test_watched_key_expiring_aborts_exec(srv):
    """Redis 7.0: a watched key that expires before EXEC counts as
    modified, whether or not it was accessed in between."""
    with Raw(srv.port) as c:
        for touch in (False, True):
            assert c.call("SET", "wk", "v", "PX", "100") == b"OK"
            assert c.call("WATCH", "wk") == b"OK"
            time.sleep(0.2)
            if touch:
                assert c.call("GET", "wk") is None
            assert c.call("MULTI") == b"OK"
            assert c.call("PING") == b"QUEUED"
            c.send(encode("EXEC"))
            expect(c, b"*-1\r\n")
        # a key already missing at WATCH time that stays missing: EXEC runs
        assert c.call("WATCH", "wk") == b"OK"
        assert c.call("MULTI") == b"OK"
        assert c.call("PING") == b"QUEUED"
        assert c.call("EXEC") == [b"PONG"]


def test_active_expiry_in_all_databases(rc):
    for db in (0, 3, 15):
        rc.execute_command("SELECT", db)
        with rc.pipeline(transaction=False) as p:
            for i in range(50):
                p.set("e:%d" % i, "v", px=50)
            p.set("keep", "v")
            p.execute()
    time.sleep(0.06)

    def left():
        n = 0
        for db in (0, 3, 15):
            rc.execute_command("SELECT", db)
            n += rc.dbsize()
        return n

    assert wait_for(lambda: left() == 3, timeout=5.0), "keys left: %d" % left()


def test_concurrent_incr_is_atomic(srv):
    clients = [srv.client() for _ in range(4)]

    def work(r):
        for _ in range(5):
            with r.pipeline(transaction=False) as p:
                for _ in range(500):
                    p.incr("ctr")
                p.execute()
            with r.pipeline(transaction=True) as p:
                for _ in range(100):
                    p.incrby("ctr2", 2)
                p.execute()

    threads = [threading.Thread(target=work, args=(r,)) for r in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert clients[0].get("ctr") == b"10000"
    assert clients[0].get("ctr2") == b"4000"
    for r in clients:
        r.close()


def test_slow_reader_gets_every_byte(srv):
    """Replies far larger than the socket buffers, read slowly in small
    pieces: the server's partial writes must deliver everything in order."""
    r = srv.client()
    vals = [bytes([65 + i]) * (3 << 20) + b"%d" % i for i in range(4)]
    for i, v in enumerate(vals):
        r.set("v%d" % i, v)
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.sendall(b"".join(encode("GET", "v%d" % i) for i in range(4)) + encode("PING"))
    expect_bytes = b"".join(b"$%d\r\n%s\r\n" % (len(v), v) for v in vals) + b"+PONG\r\n"
    got = bytearray()
    s.settimeout(10 * SLOW)
    n = 0
    while len(got) < len(expect_bytes):
        d = s.recv(65536)
        if not d:
            break
        got += d
        n += 1
        if n % 20 == 0:
            time.sleep(0.005)
            assert r.ping()  # others are served meanwhile
    s.close()
    assert bytes(got) == expect_bytes
    r.close()


def test_many_clients_pipelining_at_once(srv):
    r = srv.client()
    r.set("v", b"x" * 10000)
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(encode("GET", "v") * 200)
        socks.append(s)
    one = b"$10000\r\n" + b"x" * 10000 + b"\r\n"
    for s in socks:
        s.settimeout(10 * SLOW)
        got = bytearray()
        while len(got) < len(one) * 200:
            d = s.recv(1 << 20)
            if not d:
                break
            got += d
        assert bytes(got) == one * 200
        s.close()
    r.close()


def test_client_kill_during_multi(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        ida = a.call("CLIENT", "ID")
        assert a.call("MULTI") == b"OK"
        assert a.call("SET", "never", "1") == b"QUEUED"
        assert b.call("CLIENT", "KILL", "ID", ida) == 1
        assert a.wait_closed()
        assert b.call("EXISTS", "never") == 0
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------------------
# Commands that involve another server or another client
# ---------------------------------------------------------------------------

@pytest.mark.requires_commands("migrate",)
def test_migrate_between_two_servers(server_factory, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    src = server_factory(cwd=str(tmp_path / "a"))
    dst = server_factory(cwd=str(tmp_path / "b"))
    a = Raw(src.port)
    b = Raw(dst.port)
    try:
        a.call("SET", "mk", "hello", "PX", "100000")
        a.call("SET", "mk2", "x")
        a.call("SET", "mk3", "y")
        host, port = "127.0.0.1", str(dst.port)
        assert a.call("MIGRATE", host, port, "mk", "0", "5000") == b"OK"
        assert a.call("EXISTS", "mk") == 0
        assert b.call("GET", "mk") == b"hello"
        assert 90000 < b.call("PTTL", "mk") <= 100000  # the TTL travels too
        assert a.call("MIGRATE", host, port, "nokey", "0", "5000") == b"NOKEY"
        assert a.call("MIGRATE", host, port, "", "3", "5000", "COPY", "KEYS", "mk2", "mk3") == \
            b"OK"
        assert a.call("EXISTS", "mk2", "mk3") == 2
        assert b.call("SELECT", "3") == b"OK"
        assert b.call("MGET", "mk2", "mk3") == [b"x", b"y"]
        a.call("SET", "mk", "again")
        assert a.call("MIGRATE", host, port, "mk", "0", "5000") == RespError(
            b"ERR Target instance replied with error: BUSYKEY Target key name already exists.")
        assert a.call("MIGRATE", host, port, "mk", "0", "5000", "REPLACE") == b"OK"
        assert b.call("SELECT", "0") == b"OK"
        assert b.call("GET", "mk") == b"again"
        dead = str(free_port())
        got = a.call("MIGRATE", host, dead, "mk2", "0", "500")
        assert isinstance(got, RespError) and got.startswith(b"IOERR error or timeout ")
    finally:
        a.close()
        b.close()


@pytest.mark.requires_commands("sort", "sort_ro")
def test_sort_on_strings_and_missing_keys(rc):
    rc.set("s", "1")
    assert rc.sort("missing") == []
    assert rc.execute_command("SORT_RO", "missing") == []
    with pytest.raises(redis.ResponseError) as e:
        rc.sort("s")
    assert str(e.value) == "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.mark.requires_commands("client|tracking", "client|caching")
def test_client_tracking_invalidation_resp3(srv):
    a = Raw(srv.port)
    b = Raw(srv.port)
    try:
        assert a.call("HELLO", "3")[b"proto"] == 3
        assert a.call("CLIENT", "TRACKING", "on") == b"OK"
        assert a.call("CLIENT", "TRACKINGINFO") == \
            {b"flags": {b"on"}, b"redirect": 0, b"prefixes": []}
        a.call("SET", "tk", "1")
        assert a.call("GET", "tk") == b"1"
        assert b.call("SET", "tk", "2") == b"OK"
        expect(a, b">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ntk\r\n")
        assert a.call("CLIENT", "CACHING", "yes") == RespError(
            b"ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
        assert a.call("CLIENT", "TRACKING", "off") == b"OK"
        assert b.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:") == b"OK"
        assert b.call("CLIENT", "TRACKINGINFO") == \
            [b"flags", [b"on", b"bcast"], b"redirect", 0, b"prefixes", [b"p:"]]
    finally:
        a.close()
        b.close()


def test_client_unblock_without_blocked_client(srv):
    with Raw(srv.port) as c:
        assert c.call("CLIENT", "UNBLOCK", "12345") == 0
        assert c.call("CLIENT", "UNBLOCK", "x") == \
            RespError(b"ERR value is not an integer or out of range")
        assert c.call("CLIENT", "UNBLOCK", "1", "FOO") == \
            RespError(b"ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
