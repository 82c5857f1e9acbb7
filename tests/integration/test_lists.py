"""Lists through redis-py: the non-blocking cases of Redis 7.0.15's
tests/unit/type/list.tcl (each test names the .tcl case it ports), bounded
forms of list-2.tcl (LTRIM stress) and list-3.tcl (ziplist/quicklist
regressions and the #3343 stress tester), plus pipelines, MULTI/EXEC,
big values crossing the node-size limits, compression settings and the
generic commands (COPY, RENAME, OBJECT, MEMORY USAGE, DEBUG DIGEST-VALUE).

Every test also passes with VIREO_BIN=/usr/bin/redis-server.
"""
import random

import pytest
import redis

LARGE = {"ziplist": "hello", "linkedlist": "hello" * 4}  # list-common.tcl
TYPES = sorted(LARGE.items())


@pytest.fixture
def srv(server_factory, tmp_path):
    return server_factory(args=["--enable-debug-command", "yes"], cwd=str(tmp_path))


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True)
    c.config_set("list-max-listpack-size", 5)  # list.tcl's override
    yield c
    c.close()


def create_list(r, key, entries):
    r.delete(key)
    for e in entries:
        r.rpush(key, e)
    assert r.object("encoding", key) == "quicklist"


# ---------------------------------------------------------------- LPOS

def test_lpos(r):
    """LPOS basic usage / RANK / COUNT / COUNT + RANK / non existing key /
    no match / MAXLEN / when RANK is greater than matches."""
    r.rpush("mylist", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("mylist", "a") == 0
    assert r.lpos("mylist", "c") == 2
    assert r.lpos("mylist", "c", rank=1) == 2
    assert r.lpos("mylist", "c", rank=2) == 6
    assert r.lpos("mylist", "c", rank=4) is None
    assert r.lpos("mylist", "c", rank=-1) == 7
    assert r.lpos("mylist", "c", rank=-2) == 6
    with pytest.raises(redis.ResponseError, match="RANK can't be zero: use 1 to start from the "
                       "first match, 2 from the second ... or use negative to start"):
        r.lpos("mylist", "c", rank=0)
    assert r.lpos("mylist", "c", count=0) == [2, 6, 7]
    assert r.lpos("mylist", "c", count=1) == [2]
    assert r.lpos("mylist", "c", count=2) == [2, 6]
    assert r.lpos("mylist", "c", count=100) == [2, 6, 7]
    assert r.lpos("mylist", "c", count=0, rank=2) == [6, 7]
    assert r.lpos("mylist", "c", count=2, rank=-1) == [7, 6]
    assert r.lpos("mylistxxx", "c", count=0, rank=2) == []
    assert r.lpos("mylist", "x", count=2, rank=-1) == []
    assert r.lpos("mylist", "x", rank=-1) is None
    assert r.lpos("mylist", "a", count=0, maxlen=1) == [0]
    assert r.lpos("mylist", "c", count=0, maxlen=1) == []
    assert r.lpos("mylist", "c", count=0, maxlen=3) == [2]
    assert r.lpos("mylist", "c", count=0, maxlen=3, rank=-1) == [7, 6]
    assert r.lpos("mylist", "c", count=0, maxlen=7, rank=2) == [6]
    r.delete("mylist")
    r.lpush("mylist", "a")
    assert r.lpos("mylist", "b", count=10, rank=5) == []


# ---------------------------------------------------------------- push / pop / index

def test_push_llen_lindex_pop_ziplist(r):
    """LPUSH, RPUSH, LLENGTH, LINDEX, LPOP - ziplist."""
    assert r.lpush("myziplist1", "aa") == 1
    assert r.rpush("myziplist1", "bb") == 2
    assert r.rpush("myziplist1", "cc") == 3
    assert r.llen("myziplist1") == 3
    assert [r.lindex("myziplist1", i) for i in range(3)] == ["aa", "bb", "cc"]
    assert r.lindex("myziplist2", 3) is None
    assert r.rpop("myziplist1") == "cc"
    assert r.lpop("myziplist1") == "aa"
    assert r.object("encoding", "myziplist1") == "quicklist"
    assert r.rpush("myziplist2", "a") == 1
    assert r.lpush("myziplist2", "b") == 2
    assert r.lpush("myziplist2", "c") == 3
    assert [r.lindex("myziplist2", i) for i in range(4)] == ["c", "b", "a", None]
    assert r.rpop("myziplist2") == "a"
    assert r.lpop("myziplist2") == "c"


def test_push_llen_lindex_pop_regular(r):
    """LPUSH, RPUSH, LLENGTH, LINDEX, LPOP - regular list."""
    big = LARGE["linkedlist"]
    assert r.lpush("mylist1", big) == 1
    assert r.rpush("mylist1", "b") == 2
    assert r.rpush("mylist1", "c") == 3
    assert [r.lindex("mylist1", i) for i in range(4)] == [big, "b", "c", None]
    assert r.rpop("mylist1") == "c"
    assert r.lpop("mylist1") == big


def test_pop_count(r):
    """LPOP/RPOP with wrong number of arguments; RPOP/LPOP with the optional
    count argument."""
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'lpop' command"):
        r.execute_command("LPOP", "key", 1, 1)
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'rpop' command"):
        r.execute_command("RPOP", "key", 2, 2)
    assert r.lpush("listcount", "aa", "bb", "cc", "dd", "ee", "ff", "gg") == 7
    assert r.lpop("listcount", 1) == ["gg"]
    assert r.lpop("listcount", 2) == ["ff", "ee"]
    assert r.rpop("listcount", 2) == ["aa", "bb"]
    assert r.rpop("listcount", 1) == ["cc"]
    assert r.rpop("listcount", 123) == ["dd"]
    with pytest.raises(redis.ResponseError, match="range"):
        r.lpop("forbarqaz", -123)


@pytest.mark.parametrize("resp", [2, 3])
def test_pop_count_zero_and_missing_raw(raw, resp):
    """LPOP/RPOP with the count 0 returns an empty array / against non
    existing key / with <count> against non existing key, RESP2 and RESP3."""
    c = raw()

    def call_raw(*args):  # the replies here are one line each
        c.cmd(*args)
        return c.readline() + b"\r\n"

    c.call_raw = call_raw
    if resp == 3:
        c.call("HELLO", "3")
    c.call("LPUSH", "listcount", "zero")
    assert c.call_raw("LPOP", "listcount", "0") == b"*0\r\n"
    assert c.call_raw("RPOP", "listcount", "0") == b"*0\r\n"
    null, nullarray = (b"$-1\r\n", b"*-1\r\n") if resp == 2 else (b"_\r\n", b"_\r\n")
    assert c.call_raw("LPOP", "non_existing_key") == null
    assert c.call_raw("RPOP", "non_existing_key") == null
    for cmd in ("LPOP", "RPOP"):
        assert c.call_raw(cmd, "non_existing_key", "0") == nullarray
        assert c.call_raw(cmd, "non_existing_key", "1") == nullarray


def test_variadic_push_and_del(r):
    """Variadic RPUSH/LPUSH; DEL a list."""
    assert r.lpush("mylist", "a", "b", "c", "d") == 4
    assert r.rpush("mylist", 0, 1, 2, 3) == 8
    assert r.lrange("mylist", 0, -1) == ["d", "c", "b", "a", "0", "1", "2", "3"]
    assert r.delete("mylist") == 1
    assert r.exists("mylist") == 0
    assert r.llen("mylist") == 0


@pytest.mark.parametrize("typ,large", TYPES)
def test_pushx_and_linsert(r, typ, large):
    """LPUSHX, RPUSHX - generic / - $type; LINSERT - $type; LINSERT raise
    error on bad syntax."""
    r.delete("xlist")
    assert r.lpushx("xlist", "a") == 0
    assert r.rpushx("xlist", "a") == 0
    assert r.llen("xlist") == 0
    create_list(r, "xlist", [large, "c"])
    assert r.rpushx("xlist", "d") == 3
    assert r.lpushx("xlist", "a") == 4
    assert r.execute_command("RPUSHX", "xlist", 42, "x") == 6
    assert r.execute_command("LPUSHX", "xlist", "y3", "y2", "y1") == 9
    assert r.lrange("xlist", 0, -1) == ["y1", "y2", "y3", "a", large, "c", "d", "42", "x"]
    create_list(r, "xlist", ["a", large, "c", "d"])
    assert r.linsert("xlist", "before", "c", "zz") == 5
    assert r.lrange("xlist", 0, 10) == ["a", large, "zz", "c", "d"]
    assert r.linsert("xlist", "after", "c", "yy") == 6
    assert r.linsert("xlist", "after", "d", "dd") == 7
    assert r.linsert("xlist", "after", "bad", "ddd") == -1
    assert r.lrange("xlist", 0, 10) == ["a", large, "zz", "c", "yy", "d", "dd"]
    assert r.linsert("xlist", "before", "a", "aa") == 8
    assert r.linsert("xlist", "before", "bad", "aaa") == -1
    assert r.linsert("xlist", "before", "aa", 42) == 9
    assert r.lrange("xlist", 0, 0) == ["42"]
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("LINSERT", "xlist", "aft3r", "aa", 42)


@pytest.mark.parametrize("num", [250, 500])
def test_lindex_consistency(r, num):
    """LINDEX consistency test / LINDEX random access - quicklist."""
    r.delete("mylist")
    p = r.pipeline(transaction=False)
    for i in range(num):
        p.rpush("mylist", i)
    p.execute()
    assert r.object("encoding", "mylist") == "quicklist"
    p = r.pipeline(transaction=False)
    for i in range(num):
        p.lindex("mylist", i)
        p.lindex("mylist", -i - 1)
    got = p.execute()
    assert got == [x for i in range(num) for x in (str(i), str(num - 1 - i))]
    rnd = random.Random(num)
    for _ in range(100):
        i = rnd.randrange(num)
        assert r.lindex("mylist", i) == str(i)
        assert r.lindex("mylist", -i - 1) == str(num - 1 - i)


def test_wrongtype_errors(r):
    """LLEN / LINDEX / LPUSH / RPUSH against non-list value error, against
    non existing key."""
    r.set("mylist", "foobar")
    for cmd in (lambda: r.llen("mylist"), lambda: r.lindex("mylist", 0),
                lambda: r.lpush("mylist", 0), lambda: r.rpush("mylist", 0)):
        with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
            cmd()
    assert r.llen("not-a-key") == 0
    assert r.lindex("not-a-key", 10) is None


# ---------------------------------------------------------------- RPOPLPUSH / LMOVE

@pytest.mark.parametrize("typ,large", TYPES)
def test_rpoplpush_lmove(r, typ, large):
    """RPOPLPUSH base case; LMOVE $wherefrom $whereto base case; the same
    list as src and dst; with $type source and existing target $othertype."""
    r.delete("mylist1", "mylist2")
    create_list(r, "mylist1", ["a", large, "c", "d"])
    assert r.rpoplpush("mylist1", "mylist2") == "d"
    assert r.rpoplpush("mylist1", "mylist2") == "c"
    assert r.lrange("mylist1", 0, -1) == ["a", large]
    assert r.lrange("mylist2", 0, -1) == ["c", "d"]
    for wf in ("left", "right"):
        for wt in ("left", "right"):
            r.delete("mylist1", "mylist2")
            create_list(r, "mylist1", ["c", "d", large, "a"] if wf == "right" else ["a", large, "c", "d"])
            assert r.lmove("mylist1", "mylist2", wf, wt) == "a"
            assert r.lmove("mylist1", "mylist2", wf, wt) == large
            assert r.lrange("mylist1", 0, -1) == ["c", "d"]
            assert r.lrange("mylist2", 0, -1) == (["a", large] if wt == "right" else [large, "a"])
            # same list as src and dst
            create_list(r, "mylist", ["a", large, "c"] if wf == "right" else ["c", "a", large])
            assert r.lmove("mylist", "mylist", wf, wt) == "c"
            assert r.lrange("mylist", 0, -1) == (["a", large, "c"] if wt == "right" else ["c", "a", large])
    create_list(r, "mylist", ["a", large, "c"])
    assert r.rpoplpush("mylist", "mylist") == "c"
    assert r.lrange("mylist", 0, -1) == ["c", "a", large]
    for _, other in TYPES:
        create_list(r, "srclist", ["a", "b", "c", large])
        create_list(r, "dstlist", [other])
        assert r.rpoplpush("srclist", "dstlist") == large
        assert r.rpoplpush("srclist", "dstlist") == "c"
        assert r.lrange("srclist", 0, -1) == ["a", "b"]
        assert r.lrange("dstlist", 0, -1) == ["c", large, other]


def test_rpoplpush_errors(r):
    """RPOPLPUSH against non existing key / non list src key / non list dst
    key / non existing src key."""
    r.delete("srclist", "dstlist")
    assert r.rpoplpush("srclist", "dstlist") is None
    assert r.exists("srclist", "dstlist") == 0
    r.set("srclist", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.rpoplpush("srclist", "dstlist")
    assert r.type("srclist") == "string"
    assert r.exists("newlist") == 0
    create_list(r, "srclist", ["a", "b", "c", "d"])
    r.set("dstlist", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.rpoplpush("srclist", "dstlist")
    assert r.type("dstlist") == "string"
    assert r.lrange("srclist", 0, -1) == ["a", "b", "c", "d"]


# ---------------------------------------------------------------- LPOP / RPOP / LMPOP

@pytest.mark.parametrize("typ,large", TYPES)
def test_basic_pops_and_lmpop(r, typ, large):
    """Basic LPOP/RPOP/LMPOP - $type; LPOP/RPOP/LMPOP against empty list and
    against non list value (the non-blocking half)."""
    create_list(r, "mylist", [large, "1", "2"])
    assert r.lpop("mylist") == large
    assert r.rpop("mylist") == "2"
    assert r.lpop("mylist") == "1"
    assert r.llen("mylist") == 0
    create_list(r, "mylist", [large, "1", "2"])
    assert r.lmpop(1, "mylist", direction="left", count=1) == ["mylist", [large]]
    assert r.lmpop(2, "mylist", "mylist", direction="right", count=2) == ["mylist", ["2", "1"]]
    r.delete("ne1", "ne2")
    assert r.lpop("ne1") is None
    assert r.rpop("ne2") is None
    assert r.lmpop(1, "ne1", direction="left", count=1) is None
    assert r.lmpop(2, "ne1", "ne2", direction="right", count=10) is None
    r.set("notalist", "foo")
    for f in (lambda: r.lpop("notalist"), lambda: r.rpop("notalist"),
              lambda: r.lmpop(2, "notalist", "ne2", direction="left", count=1)):
        with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
            f()
    r.delete("notalist")
    r.set("ne2", "nolist")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.lmpop(2, "notalist", "ne2", direction="right", count=10)


@pytest.mark.parametrize("num", [250, 500])
def test_mass_pop(r, num):
    """Mass RPOP/LPOP - quicklist."""
    r.delete("mylist")
    for i in range(num):
        r.lpush("mylist", i)
    s = 0
    for _ in range(num // 2):
        s += int(r.lpop("mylist")) + int(r.rpop("mylist"))
    assert s == sum(range(num))


def test_lmpop_illegal_arguments(r):
    """LMPOP with illegal argument."""
    for args in ([], [1], [1, "mylist"]):
        with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'lmpop' command"):
            r.execute_command("LMPOP", *args)
    for args, msg in (([0, "mylist", "LEFT"], "numkeys"), (["a", "mylist", "LEFT"], "numkeys"),
                      ([-1, "mylist", "RIGHT"], "numkeys"),
                      ([1, "mylist", "bad_where"], "syntax error"),
                      ([1, "mylist", "LEFT", "bar_arg"], "syntax error"),
                      ([1, "mylist", "RIGHT", "LEFT"], "syntax error"),
                      ([1, "mylist", "COUNT"], "syntax error"),
                      ([1, "mylist", "LEFT", "COUNT", 1, "COUNT", 2], "syntax error"),
                      ([2, "mylist", "mylist2", "bad_arg"], "syntax error"),
                      ([1, "mylist", "LEFT", "COUNT", 0], "count"),
                      ([1, "mylist", "RIGHT", "COUNT", "a"], "count"),
                      ([1, "mylist", "LEFT", "COUNT", -1], "count"),
                      ([2, "mylist", "mylist2", "RIGHT", "COUNT", -1], "count")):
        with pytest.raises(redis.ResponseError, match="^" + msg):
            r.execute_command("LMPOP", *args)


def test_lmpop_single_and_multiple(r):
    """LMPOP single existing list; LMPOP multiple existing lists."""
    create_list(r, "mylist", list("abcdef"))
    assert r.lmpop(2, "mylist", "mylist", direction="left", count=2) == ["mylist", ["a", "b"]]
    assert r.lmpop(2, "mylist", "mylist", direction="right", count=2) == ["mylist", ["f", "e"]]
    assert r.llen("mylist") == 2
    create_list(r, "mylist", list("abcde"))
    r.delete("mylist2")
    assert r.lmpop(2, "mylist", "mylist2", direction="left", count=1) == ["mylist", ["a"]]
    assert r.lmpop(2, "mylist", "mylist2", direction="right", count=10) == ["mylist", ["e", "d", "c", "b"]]
    assert r.lmpop(2, "mylist", "mylist2", direction="right", count=1) is None
    create_list(r, "mylist2", list("12345"))
    assert r.lmpop(2, "mylist", "mylist2", direction="right", count=1) == ["mylist2", ["5"]]
    assert r.lmpop(2, "mylist", "mylist2", direction="left", count=10) == ["mylist2", ["1", "2", "3", "4"]]
    assert r.exists("mylist", "mylist2") == 0
    create_list(r, "mylist", list("abc"))
    create_list(r, "mylist2", list("123"))
    assert r.lmpop(2, "mylist", "mylist2", direction="left", count=10) == ["mylist", ["a", "b", "c"]]
    assert r.lmpop(2, "mylist", "mylist2", direction="right", count=10) == ["mylist2", ["3", "2", "1"]]
    assert r.exists("mylist", "mylist2") == 0


# ---------------------------------------------------------------- LRANGE / LTRIM / LSET / LREM

@pytest.mark.parametrize("typ,large", TYPES)
def test_lrange_ltrim_lset(r, typ, large):
    """LRANGE basics / inverted indexes / out of range indexes / out of
    range negative end index; LTRIM basics / out of range negative end
    index; LSET / LSET out of range index."""
    create_list(r, "mylist", [large] + [str(i) for i in range(1, 10)])
    assert r.lrange("mylist", 1, -2) == [str(i) for i in range(1, 9)]
    assert r.lrange("mylist", -3, -1) == ["7", "8", "9"]
    assert r.lrange("mylist", 4, 4) == ["4"]
    assert r.lrange("mylist", 6, 2) == []
    create_list(r, "mylist", [large, "1", "2", "3"])
    assert r.lrange("mylist", -1000, 1000) == [large, "1", "2", "3"]
    assert r.lrange("mylist", 0, -4) == [large]
    assert r.lrange("mylist", 0, -5) == []

    def trim(s, e):
        create_list(r, "mylist", [large, "1", "2", "3", "4"])
        r.ltrim("mylist", s, e)
        return r.lrange("mylist", 0, -1)

    assert trim(0, 0) == [large]
    assert trim(0, 1) == [large, "1"]
    assert trim(0, 2) == [large, "1", "2"]
    assert trim(1, 2) == ["1", "2"]
    assert trim(1, -1) == ["1", "2", "3", "4"]
    assert trim(1, -2) == ["1", "2", "3"]
    assert trim(-2, -1) == ["3", "4"]
    assert trim(-1, -1) == ["4"]
    assert trim(-5, -1) == [large, "1", "2", "3", "4"]
    assert trim(-10, 10) == [large, "1", "2", "3", "4"]
    assert trim(0, 5) == [large, "1", "2", "3", "4"]
    assert trim(0, 10) == [large, "1", "2", "3", "4"]
    assert trim(0, -5) == [large]
    assert trim(0, -10) == []
    create_list(r, "mylist", ["99", "98", large, "96", "95"])
    r.lset("mylist", 1, "foo")
    r.lset("mylist", -1, "bar")
    assert r.lrange("mylist", 0, -1) == ["99", "foo", large, "96", "bar"]
    with pytest.raises(redis.ResponseError, match="index out of range"):
        r.lset("mylist", 10, "foo")


def test_lrange_lset_missing(r):
    """LRANGE against non existing key; LRANGE with start > end yields an
    empty array; LSET against non existing key / non list value."""
    assert r.lrange("nosuchkey", 0, 1) == []
    r.rpush("list", 1, 2, 3)
    assert r.lrange("list", 1, 0) == []
    assert r.lrange("list", -1, -2) == []
    with pytest.raises(redis.ResponseError, match="^no such key"):
        r.lset("nosuchkey", 10, "foo")
    r.set("nolist", "foobar")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.lset("nolist", 0, "foo")


@pytest.mark.parametrize("typ,large", TYPES)
def test_lrem(r, typ, large):
    """LREM remove all the occurrences / the first occurrence / non existing
    element / starting from tail with negative count (and (2)) / deleting
    objects that may be int encoded."""
    create_list(r, "mylist", [large, "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo"])
    assert r.lrem("mylist", 0, "bar") == 2
    assert r.lrange("mylist", 0, -1) == [large, "foo", "foobar", "foobared", "zap", "test", "foo"]
    assert r.lrem("mylist", 1, "foo") == 1
    assert r.lrange("mylist", 0, -1) == [large, "foobar", "foobared", "zap", "test", "foo"]
    assert r.lrem("mylist", 1, "nosuchelement") == 0
    create_list(r, "mylist", [large, "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo"])
    assert r.lrem("mylist", -1, "bar") == 1
    assert r.lrange("mylist", 0, -1) == [large, "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"]
    assert r.lrem("mylist", -2, "foo") == 2
    assert r.lrange("mylist", 0, -1) == [large, "foo", "bar", "foobar", "foobared", "zap", "test"]
    create_list(r, "myotherlist", [large, "1", "2", "3"])
    assert r.lrem("myotherlist", 1, 2) == 1
    assert r.llen("myotherlist") == 3


# ---------------------------------------------------------------- list-2.tcl / list-3.tcl

@pytest.mark.parametrize("typ,large", TYPES)
def test_ltrim_stress(srv, typ, large):
    """list-2.tcl: LTRIM stress testing - $type (bounded: 200 rounds)."""
    r = srv.client(decode_responses=True)
    r.config_set("list-max-listpack-size", 4)
    rnd = random.Random(7)
    model = [large]
    r.rpush("mylist", large)
    for _ in range(32):
        s = str(rnd.randrange(1 << 63))
        r.rpush("mylist", s)
        model.append(s)
    for _ in range(200):
        lo = rnd.randrange(32)
        hi = lo + rnd.randrange(32)
        assert r.llen("mylist") == len(model)
        model = model[lo:hi + 1]
        r.ltrim("mylist", lo, hi)
        assert r.lrange("mylist", 0, -1) == model
        p = r.pipeline(transaction=False)
        for _ in range(len(model), 32):
            s = str(rnd.randrange(1 << 63))
            p.rpush("mylist", s)
            model.append(s)
        p.execute()
        assert r.lrange("mylist", 0, -1) == model


def test_list3_regressions(srv):
    """list-3.tcl: Explicit regression for a list bug; Regression for
    quicklist #3343 bug; Check compression with recompress; Crash due to
    wrongly recompress after lrem; LINSERT correctly recompress full
    quicklistNode after inserting a element before/after it."""
    r = srv.client(decode_responses=True)
    r.config_set("list-max-listpack-size", 16)
    vals = ["49376042582", "BkG2o\\pIC]4YYJa9cJ4GWZalG[4tin;1D2whSkCOW`mX;SFXGyS8sedcff3fQI^tgPCC@^Nu1J6o]meM@Lko]t_jRyo<xSJ1oObDYd`ppZuW6P@fS278YaOx=s6lvdFlMbP0[SbkI^Kr\\HBXtuFaA^mDx:yzS4a[skiiPWhT<nNfAf=aQVfclcuwDrfe;iVuKdNvB9kbfq>tK?tH[\\EvWqS]b`o2OCtjg:?nUTwdjpcUm]y:pg5q24q7LlCOwQE^"]
    r.rpush("l", *vals)
    assert [r.lindex("l", 0), r.lindex("l", 1)] == vals
    r.lpush("mylist", 401)
    r.lpush("mylist", 392)
    r.rpush("mylist", "x" * 5105 + "799")
    r.lset("mylist", -1, "x" * 1014 + "702")
    r.lpop("mylist")
    r.lset("mylist", -1, "x" * 4149 + "852")
    r.linsert("mylist", "before", 401, "x" * 9927 + "12")
    r.lrange("mylist", 0, -1)
    assert r.ping()
    r.config_set("list-compress-depth", 1)
    r.delete("key")
    r.rpush("key", "a")
    r.rpush("key", "b" * 50000)
    r.rpush("key", "c")
    r.lset("key", 1, "d")
    r.rpop("key")
    r.rpush("key", "e" * 5000)
    r.linsert("key", "before", "f", 1)
    r.rpush("key", "g")
    assert r.lrange("key", 0, -1) == ["a", "d", "e" * 5000, "g"]
    r.config_set("list-compress-depth", 2)
    r.delete("key")
    r.lpush("key", "a")
    r.lpush("key", "a" * 5000)
    r.lpush("key", "b" * 5000)
    r.lpush("key", "c" * 5000)
    r.rpush("key", "x" * 10000 + "969")
    r.rpush("key", "b")
    r.lrem("key", 1, "a")
    r.rpop("key")
    r.lrem("key", 1, "x" * 10000 + "969")
    r.rpush("key", "crash")
    assert r.lrange("key", 0, -1) == ["c" * 5000, "b" * 5000, "a" * 5000, "crash"]
    r.config_set("list-compress-depth", 1)
    for where, pivot, pop in (("before", "b", r.rpop), ("after", "c", r.lpop)):
        r.delete("key")
        r.rpush("key", "b")
        r.rpush("key", "c")
        r.lset("key", -1 if where == "before" else 0, "x" * 8192 + "969")
        r.lpush("key", "a")
        r.rpush("key", "d")
        r.linsert("key", where, pivot, "f")
        pop("key")
        assert r.ping()


@pytest.mark.parametrize("comp", [2, 1, 0])
def test_stress_3343(srv, comp):
    """list-3.tcl: Stress tester for #3343-alike bugs comp: $comp, checked
    against a model (bounded: 600 commands)."""
    r = srv.client(decode_responses=True)
    r.config_set("list-max-listpack-size", 16)
    r.config_set("list-compress-depth", comp)
    rnd = random.Random(3343 + comp)
    model = []
    for _ in range(600):
        op = rnd.randrange(7)
        cnt = 5 - rnd.randrange(10)
        ele = str(rnd.randrange(1000)) if rnd.randrange(2) == 0 else "x" * rnd.randrange(10000) + str(rnd.randrange(1000))
        if op == 0:
            r.lpush("key", ele)
            model.insert(0, ele)
        elif op == 1:
            r.rpush("key", ele)
            model.append(ele)
        elif op == 2:
            assert r.lpop("key") == (model.pop(0) if model else None)
        elif op == 3:
            assert r.rpop("key") == (model.pop() if model else None)
        elif op == 4:
            if -len(model) <= cnt < len(model):
                r.lset("key", cnt, ele)
                model[cnt] = ele
            else:
                with pytest.raises(redis.ResponseError):
                    r.lset("key", cnt, ele)
        elif op == 5:
            other = str(rnd.randrange(1000))
            where = rnd.choice(["before", "after"])
            res = r.linsert("key", where, other, ele)
            if other in model:
                i = model.index(other)
                model.insert(i if where == "before" else i + 1, ele)
                assert res == len(model)
            else:
                assert res == (-1 if model else 0)
        else:
            other = model[rnd.randrange(len(model))] if model else ""
            removed = r.lrem("key", 1, other)
            if other in model:
                model.remove(other)
                assert removed == 1
    assert r.lrange("key", 0, -1) == model
    assert r.ping()


def test_ziplist_value_encoding_and_backlink(r):
    """list-3.tcl: ziplist implementation: value encoding and backlink;
    encoding stress testing (bounded)."""
    rnd = random.Random(11)
    for _ in range(3):
        r.delete("l")
        model = []
        p = r.pipeline(transaction=False)
        for _ in range(200):
            k = rnd.randrange(7)
            if k == 0:
                d = "x" * rnd.randrange(20000)
            elif k == 1:
                d = str(rnd.randrange(65536))
            elif k == 2:
                d = str(rnd.randrange(1 << 32))
            elif k == 3:
                d = str(rnd.randrange(1 << 64))
            else:
                d = str(-rnd.randrange([65536, 1 << 32, 1 << 64][k - 4]))
                if d == "-0":
                    d = "0"
            model.append(d)
            p.rpush("l", d)
        p.execute()
        assert r.llen("l") == 200
        p = r.pipeline(transaction=False)
        for i in range(199, -1, -1):
            p.lindex("l", i)
        assert p.execute() == model[::-1]


# ---------------------------------------------------------------- beyond list.tcl

def test_pipeline_and_multi(r):
    p = r.pipeline(transaction=True)
    p.rpush("t", *range(1000))
    p.lpop("t", 10)
    p.rpop("t")
    p.llen("t")
    p.lrange("t", 0, 2)
    res = p.execute()
    assert res[0] == 1000
    assert res[1] == [str(i) for i in range(10)]
    assert res[2] == "999"
    assert res[3] == 989
    assert res[4] == ["10", "11", "12"]
    # An error inside MULTI does not stop the others.
    r.set("s", "x")
    p = r.pipeline(transaction=True)
    p.lpush("s", 1)
    p.lpush("t2", 1)
    res = p.execute(raise_on_error=False)
    assert isinstance(res[0], redis.ResponseError) and res[1] == 1


def test_big_values_and_node_limits(r):
    r.config_set("list-max-listpack-size", -2)
    vals = ["v" * n for n in (1, 63, 64, 4095, 4096, 8191, 8192, 20000, 70000)] + ["123", "-5"]
    r.rpush("big", *vals)
    assert r.lrange("big", 0, -1) == vals
    assert r.lindex("big", -3) == "v" * 70000
    r.lset("big", 0, "w" * 10000)
    r.linsert("big", "before", "v" * 8192, "ins")
    assert r.lrange("big", 0, 1) == ["w" * 10000, "v" * 63]
    assert r.lpos("big", "ins") == 6
    assert r.object("encoding", "big") == "quicklist"
    assert r.memory_usage("big") > 20000


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_compression_settings(r, depth):
    r.config_set("list-max-listpack-size", 2)
    r.config_set("list-compress-depth", depth)
    vals = [("abc" * 30) + str(i) for i in range(50)]
    r.rpush("c", *vals)
    assert r.lrange("c", 0, -1) == vals
    assert [r.lindex("c", i) for i in (0, 10, 25, 49, -20)] == [vals[i] for i in (0, 10, 25, 49, -20)]
    r.lrem("c", 0, vals[20])
    del vals[20]
    r.ltrim("c", 3, -4)
    vals = vals[3:-3]
    assert r.lrange("c", 0, -1) == vals
    r.copy("c", "c2")
    assert r.lrange("c2", 0, -1) == vals
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "c") == r.execute_command("DEBUG", "DIGEST-VALUE", "c2")


def test_generic_commands(r):
    r.rpush("g", "a", "b", 1)
    assert r.type("g") == "list"
    assert r.rename("g", "g2")
    assert r.lrange("g2", 0, -1) == ["a", "b", "1"]
    assert r.move("g2", 1)
    r.execute_command("SELECT", 1)
    assert r.lrange("g2", 0, -1) == ["a", "b", "1"]
    assert r.unlink("g2") == 1
    r.execute_command("SELECT", 0)
    r.rpush("h", *range(100))
    assert r.scan(0, _type="list", count=1000)[1] == ["h"]
    assert r.delete("h") == 1


def test_dirty_counts(r):
    def dirty():
        return int(r.info("persistence")["rdb_changes_since_last_save"])
    d0 = dirty()
    r.rpush("d", "a", "b", "c", "d")
    assert dirty() - d0 == 4
    d0 = dirty()
    r.lpop("d", 2)
    assert dirty() - d0 == 2
    d0 = dirty()
    r.lmove("d", "e", "left", "left")
    assert dirty() - d0 == 1
    d0 = dirty()
    r.ltrim("d", 5, 10)
    assert dirty() - d0 == 1
    d0 = dirty()
    r.rpush("f", 1, 2, 1, 1)
    r.lrem("f", 0, 1)
    assert dirty() - d0 == 7
