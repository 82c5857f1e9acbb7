"""Hashes through redis-py: the cases of Redis 7.0.15's tests/unit/type/hash.tcl
ported (each test names the .tcl test it comes from), plus pipelines,
MULTI/EXEC, RESP3 shapes, big values crossing the encoding thresholds, the
generic commands on both encodings, and a randomized model check.
Every test passes against redis-server 7.0.15 too (VIREO_BIN=/usr/bin/redis-server).
"""
import random
import string

import pytest
import redis

from integ_util import Raw

DEBUG = ["--enable-debug-command", "yes"]


@pytest.fixture
def dsrv(server_factory, tmp_path):
    return server_factory(args=DEBUG, cwd=str(tmp_path))


@pytest.fixture
def r(dsrv):
    c = dsrv.client(decode_responses=True)
    yield c
    c.close()


@pytest.fixture
def rb(dsrv):
    """Bytes client (binary-safe values)."""
    c = dsrv.client()
    yield c
    c.close()


def enc(r, key):
    return r.object("encoding", key)


def randstring(lo, hi, kind="alpha"):
    n = random.randint(lo, hi)
    if kind == "alpha":
        return "".join(random.choice(string.ascii_letters) for _ in range(n))
    if kind == "compr":
        return "".join(random.choice("0123456789") for _ in range(n))
    return bytes(random.randrange(256) for _ in range(n))


def random_value():
    """util.tcl's randomValue."""
    kind = random.randrange(4)
    if kind == 0:
        return str(random.randint(-1000, 1000))
    if kind == 1:
        return str(random.choice([random.randint(-2000000000, 2000000000),
                                  random.randint(-4000000000, 4000000000)]))
    if kind == 2:
        return str(random.randint(-1000000000000, 1000000000000))
    return randstring(0, 256, random.choice(["alpha", "compr"]))


def chi_square_value(res):
    """util.tcl's chi_square_value."""
    counts = {}
    for k in res:
        counts[k] = counts.get(k, 0) + 1
    p = len(res) // len(counts)
    return sum((v - p) ** 2 / p for v in counts.values())


def create_hash(r, key, entries):
    r.delete(key)
    for f, v in entries:
        r.hset(key, f, v)


def make_small_big(r):
    """hash.tcl's 'Small hash creation' / 'Big hash creation'."""
    small, big = {}, {}
    while len(small) < 8:
        k = "__avoid_collisions__" + randstring(0, 8)
        v = "__avoid_collisions__" + randstring(0, 8)
        if k in small:
            continue
        r.hset("smallhash", k, v)
        small[k] = v
    while len(big) < 1024:
        k = "__avoid_collisions__" + randstring(0, 8)
        v = "__avoid_collisions__" + randstring(0, 8)
        if k in big:
            continue
        big[k] = v
    r.hset("bighash", mapping=big)
    return small, big


# ---------------------------------------------------------------- hash.tcl ports

def test_small_and_big_hash_creation_and_encoding(r):
    """hash.tcl: HSET/HLEN - Small/Big hash creation; Is the small/big hash encoded with ..."""
    small, big = make_small_big(r)
    assert r.hlen("smallhash") == 8
    assert enc(r, "smallhash") == "listpack"
    assert r.hlen("bighash") == 1024
    assert enc(r, "bighash") == "hashtable"
    # HGET against the small / big hash, and non existing fields
    for h, d in (("smallhash", small), ("bighash", big)):
        for k, v in d.items():
            assert r.hget(h, k) == v
        assert r.hget(h, "__123123123__") is None
    # HKEYS / HVALS / HGETALL - small / big hash
    for h, d in (("smallhash", small), ("bighash", big)):
        assert sorted(r.hkeys(h)) == sorted(d)
        assert sorted(r.hvals(h)) == sorted(d.values())
        assert r.hgetall(h) == d
    # HMGET - small / big hash, and against non existing key and fields
    for h, d in (("smallhash", small), ("bighash", big)):
        keys = list(d)
        assert r.hmget(h, keys) == [d[k] for k in keys]
        assert r.hmget(h, "__123123123__", "__456456456__") == [None, None]
    assert r.hmget("doesntexist", "__123123123__", "__456456456__") == [None, None]
    # HSTRLEN against the small / big hash
    for h, d in (("smallhash", small), ("bighash", big)):
        for k, v in d.items():
            assert r.hstrlen(h, k) == len(v)
        assert r.hstrlen(h, "__123123123__") == 0


def test_hrandfield_small_and_hashtable(r):
    """hash.tcl: HRANDFIELD - listpack / hashtable (every field shows up in 100 draws)."""
    orig = r.config_get("hash-max-ziplist-value")["hash-max-ziplist-value"]
    r.config_set("hash-max-ziplist-value", 10)
    for typ, contents in (("listpack", [("a", 1), ("b", 2), ("c", 3)]),
                          ("hashtable", [("a", 1), ("b", 2), (randstring(70, 90), 3)])):
        create_hash(r, "myhash", contents)
        assert enc(r, "myhash") == typ
        assert r.memory_usage("myhash") > 0  # coverage for objectComputeSize
        seen = {r.hrandfield("myhash") for _ in range(100)}
        assert seen == {f for f, _ in contents}
    r.config_set("hash-max-ziplist-value", orig)


def test_hrandfield_resp3(dsrv):
    """hash.tcl: HRANDFIELD with RESP3 (nested pairs with WITHVALUES). Raw sockets: this
    redis-py speaks RESP2 only."""
    raw = Raw(dsrv.port)
    raw.call("HELLO", "3")
    raw.call("HSET", "myhash", "a", "1", "b", "2", "c", "3")
    res = raw.call("HRANDFIELD", "myhash", "3", "WITHVALUES")
    assert len(res) == 3 and all(len(p) == 2 for p in res)
    res = raw.call("HRANDFIELD", "myhash", "3")
    assert len(res) == 3 and all(isinstance(x, bytes) for x in res)
    res = raw.call("HRANDFIELD", "myhash", "-5", "WITHVALUES")
    assert len(res) == 5 and all(len(p) == 2 for p in res)
    assert raw.call("HRANDFIELD", "nokey") is None
    assert raw.call("HGETALL", "myhash") == {b"a": b"1", b"b": b"2", b"c": b"3"}
    raw.close()


def test_hrandfield_count_zero_overflow_and_missing(rb):
    """hash.tcl: HRANDFIELD count of 0 / count overflow / against non existing key (emptyarray)."""
    rb.hset("myhash", "a", "1")
    assert rb.hrandfield("myhash", 0) == []
    for args in (("-9223372036854770000", "withvalues"), ("-9223372036854775808", "withvalues"),
                 ("-9223372036854775808",)):
        with pytest.raises(redis.ResponseError, match="value is out of range"):
            rb.execute_command("HRANDFIELD", "myhash", *args)
    assert rb.hrandfield("nonexisting_key", 100) == []
    assert rb.hrandfield("nonexisting_key") is None


@pytest.mark.parametrize("typ", ["hashtable", "listpack"])
def test_hrandfield_with_count(r, typ):
    """hash.tcl: HRANDFIELD with <count> - hashtable / listpack (the four code paths)."""
    r.config_set("hash-max-ziplist-value", 10)
    contents = [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("6", "f"), ("7", "g"),
                ("8", "h"), ("9", "i")]
    contents.append((randstring(70, 90), 10) if typ == "hashtable" else ("10", "j"))
    create_hash(r, "myhash", contents)
    assert enc(r, "myhash") == typ
    mydict = r.hgetall("myhash")
    # PATH 1: negative count, repetitions, with and without values.
    assert len(r.hrandfield("myhash", -20)) == 20
    assert len(r.hrandfield("myhash", -1001)) == 1001
    assert len(r.hrandfield("myhash", -20, withvalues=True)) == 40
    assert len(r.hrandfield("myhash", -1001, withvalues=True)) == 2002
    res = r.hrandfield("myhash", -1000)
    assert chi_square_value(res) < 40
    assert all(k in mydict for k in res)
    pairs = r.hrandfield("myhash", -100, withvalues=True)
    for k, v in zip(pairs[::2], pairs[1::2]):
        assert mydict[k] == v
    # PATH 2: count >= size: everything.
    for size in (10, 20):
        assert sorted(r.hrandfield("myhash", size)) == sorted(mydict)
        res = r.hrandfield("myhash", size, withvalues=True)
        assert dict(zip(res[::2], res[1::2])) == mydict
    # PATH 3 / 4: almost all, and few.
    for size in (8, 2):
        res = r.hrandfield("myhash", size)
        assert len(res) == size and len(set(res)) == size
        res = r.hrandfield("myhash", size, withvalues=True)
        assert len(res) == size * 2
        for k, v in zip(res[::2], res[1::2]):
            assert mydict[k] == v
        allkeys = []
        seen = set()
        for i in range(1000 // size):
            res = r.hrandfield("myhash", size, withvalues=bool(i % 2))
            keys = res[::2] if i % 2 else res
            seen.update(keys)
            allkeys += keys
        assert seen == set(mydict)
        assert chi_square_value(allkeys) < 40


def test_hset_update_and_insert_hsetnx(r):
    """hash.tcl: HSET in update and insert mode; HSETNX target key missing / exists."""
    small, big = make_small_big(r)
    k = next(iter(small))
    assert r.hset("smallhash", k, "newval1") == 0
    assert r.hget("smallhash", k) == "newval1"
    assert r.hset("smallhash", "__foobar123__", "newval") == 1
    k = next(iter(big))
    assert r.hset("bighash", k, "newval2") == 0
    assert r.hget("bighash", k) == "newval2"
    assert r.hset("bighash", "__foobar123__", "newval") == 1
    assert r.hdel("smallhash", "__foobar123__") == 1
    assert r.hdel("bighash", "__foobar123__") == 1
    for h in ("smallhash", "bighash"):
        assert r.hsetnx(h, "__123123123__", "foo") == 1
        assert r.hget(h, "__123123123__") == "foo"
        assert r.hsetnx(h, "__123123123__", "bar") == 0
        assert r.hget(h, "__123123123__") == "foo"
        r.hdel(h, "__123123123__")


def test_hset_hmset_wrong_number_of_args(r):
    """hash.tcl: HSET/HMSET wrong number of args; HMSET - small/big hash."""
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'hset' command"):
        r.execute_command("HSET", "smallhash", "key1", "val1", "key2")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'hmset' command"):
        r.execute_command("HMSET", "smallhash", "key1", "val1", "key2")
    small, big = make_small_big(r)
    for h, d in (("smallhash", small), ("bighash", big)):
        new = {k: randstring(0, 8) for k in d}
        assert r.execute_command("HMSET", h, *[x for kv in new.items() for x in kv]) is True
        assert r.hgetall(h) == new


def test_hmget_wrong_type(r):
    """hash.tcl: HMGET against wrong type."""
    r.set("wrongtype", "somevalue")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.hmget("wrongtype", "field1", "field2")


def test_hdel(r):
    """hash.tcl: HDEL and return value; HDEL - more than a single value; HDEL - hash becomes
    empty before deleting all specified fields; HEXISTS."""
    small, big = make_small_big(r)
    assert r.hdel("smallhash", "nokey") == 0
    assert r.hdel("bighash", "nokey") == 0
    for h, d in (("smallhash", small), ("bighash", big)):
        k = next(iter(d))
        assert r.hexists(h, k) is True
        assert r.hdel(h, k) == 1
        assert r.hdel(h, k) == 0
        assert r.hget(h, k) is None
        assert r.hexists(h, k) is False
        assert r.hexists(h, "nokey") is False
    r.delete("myhash")
    r.hset("myhash", mapping={"a": 1, "b": 2, "c": 3})
    assert r.hdel("myhash", "x", "y") == 0
    assert r.hdel("myhash", "a", "c", "f") == 2
    assert r.hgetall("myhash") == {"b": "2"}
    r.delete("myhash")
    r.hset("myhash", mapping={"a": 1, "b": 2, "c": 3})
    assert r.hdel("myhash", "a", "b", "c", "d", "e") == 3
    assert r.exists("myhash") == 0


def test_listpack_promoted_on_big_payload(r):
    """hash.tcl: Is a ziplist encoded Hash promoted on big payload?"""
    r.hset("smallhash", "a", "b")
    r.hset("smallhash", "foo", "a" * 1024)
    assert "hashtable" in str(r.debug_object("smallhash"))


def test_hincrby(r):
    """hash.tcl: HINCRBY against non existing database key / hash key / key created by hincrby
    itself / originally set with HSET / over 32bit value (with over 32bit increment) / fails
    against hash value with spaces (left, right) / can detect overflows."""
    make_small_big(r)
    r.delete("htest")
    assert r.hincrby("htest", "foo", 2) == 2
    for h in ("smallhash", "bighash"):
        r.hdel(h, "tmp")
        assert r.hincrby(h, "tmp", 2) == 2
        assert r.hget(h, "tmp") == "2"
        assert r.hincrby(h, "tmp", 3) == 5
        assert r.hget(h, "tmp") == "5"
        r.hset(h, "tmp", 100)
        assert r.hincrby(h, "tmp", 2) == 102
        r.hset(h, "tmp", 17179869184)
        assert r.hincrby(h, "tmp", 1) == 17179869185
        r.hset(h, "tmp", 17179869184)
        assert r.hincrby(h, "tmp", 17179869184) == 34359738368
        for bad in (" 11", "11 "):
            r.hset(h, "str", bad)
            with pytest.raises(redis.ResponseError, match="^hash value is not an integer$"):
                r.hincrby(h, "str", 1)
    r.hset("hash", "n", -9223372036854775484)
    assert r.hincrby("hash", "n", -1) == -9223372036854775485
    with pytest.raises(redis.ResponseError, match="overflow"):
        r.hincrby("hash", "n", -10000)


def test_hincrbyfloat(r):
    """hash.tcl: HINCRBYFLOAT against non existing database key / hash key / key created by
    hincrby itself / originally set with HSET / over 32bit value / fails against hash value
    with spaces / with a null-terminator in the middle / does not allow NaN or Infinity;
    Test HINCRBYFLOAT for correct float representation (issue #2846)."""
    make_small_big(r)
    r.delete("htest")
    assert r.hincrbyfloat("htest", "foo", 2.5) == 2.5
    for h in ("smallhash", "bighash"):
        r.hdel(h, "tmp")
        assert r.hincrbyfloat(h, "tmp", 2.5) == 2.5
        assert r.hget(h, "tmp") == "2.5"
        assert r.hincrbyfloat(h, "tmp", 3.5) == 6
        r.hset(h, "tmp", 100)
        assert r.hincrbyfloat(h, "tmp", 2.5) == 102.5
        r.hset(h, "tmp", 17179869184)
        r.hincrbyfloat(h, "tmp", 1)
        assert r.hget(h, "tmp") == "17179869185"
        r.hset(h, "tmp", 17179869184)
        r.hincrbyfloat(h, "tmp", 17179869184)
        assert r.hget(h, "tmp") == "34359738368"
        for bad in (" 11", "11 "):
            r.hset(h, "str", bad)
            with pytest.raises(redis.ResponseError, match="^hash value is not a float$"):
                r.hincrbyfloat(h, "str", 1)
    r.hset("h", "f", "1\x002")
    with pytest.raises(redis.ResponseError, match="not a float"):
        r.hincrbyfloat("h", "f", 1)
    r.delete("myhash")
    for incr, text in (("1.23", "1.23"), ("0.77", "2"), ("-0.1", "1.9")):
        r.execute_command("HINCRBYFLOAT", "myhash", "float", incr)
        assert r.hget("myhash", "float") == text
    with pytest.raises(redis.ResponseError, match="value is NaN or Infinity"):
        r.execute_command("HINCRBYFLOAT", "hfoo", "field", "+inf")
    assert r.exists("hfoo") == 0


def test_hstrlen_corner_cases(r):
    """hash.tcl: HSTRLEN corner cases."""
    make_small_big(r)
    for v in ("-9223372036854775808", "9223372036854775807", "9223372036854775808", "", "0",
              "-1", "x"):
        r.hset("smallhash", "field", v)
        r.hset("bighash", "field", v)
        assert r.hstrlen("smallhash", "field") == len(v)
        assert r.hstrlen("bighash", "field") == len(v)


def test_hincrbyfloat_over_listpack_value(r):
    """hash.tcl: HINCRBYFLOAT over hash-max-listpack-value encoded with a listpack."""
    r.config_set("hash-max-listpack-value", 8)
    r.hset("smallhash", "tmp", 0)
    r.hset("bighash", "tmp", 0)
    r.hincrbyfloat("smallhash", "tmp", 0.000005)
    r.hincrbyfloat("bighash", "tmp", 0.0000005)
    assert enc(r, "smallhash") == "listpack"
    assert enc(r, "bighash") == "hashtable"
    r.delete("smallhash", "bighash")
    r.hincrbyfloat("smallhash", "abcdefgh", 1)
    r.hincrbyfloat("bighash", "abcdefghi", 1)
    assert enc(r, "smallhash") == "listpack"
    assert enc(r, "bighash") == "hashtable"


def test_listpack_regression_large_keys(r):
    """hash.tcl: Hash ziplist regression test for large keys."""
    k = "k" * 336
    r.hset("hash", k, "a")
    r.hset("hash", k, "b")
    assert r.hget("hash", k) == "b"


@pytest.mark.parametrize("size", [10, 512])
def test_hash_fuzzing(rb, size):
    """hash.tcl: Hash fuzzing #1 and #2 - 10 / 512 fields."""
    for _ in range(5):
        model = {}
        rb.delete("hash")
        for _ in range(size):
            f, v = random_value(), random_value()
            rb.hset("hash", f, v)
            model[f] = v
        for f, v in model.items():
            assert rb.hget("hash", f) == (v.encode() if isinstance(v, str) else v)
        assert rb.hlen("hash") == len(model)
    for _ in range(5):
        model = {}
        rb.delete("hash")
        for _ in range(size):
            p = random.randrange(3)
            if p == 0:
                f, v = random_value(), random_value()
            elif p == 1:
                f, v = str(random.randint(-512, 512)), str(random.randint(-512, 512))
            else:
                f = random.choice([random_value(), str(random.randint(-512, 512))])
                rb.hdel("hash", f)
                model.pop(f, None)
                continue
            rb.hset("hash", f, v)
            model[f] = v
        for f, v in model.items():
            assert rb.hget("hash", f) == v.encode()
        assert rb.hlen("hash") == len(model)


def test_stress_listpack_to_hashtable_conversion(r):
    """hash.tcl: Stress test the hash ziplist -> hashtable encoding conversion."""
    r.config_set("hash-max-ziplist-entries", 32)
    for _ in range(20):
        r.delete("myhash")
        p = r.pipeline(transaction=False)
        for _ in range(64):
            p.hset("myhash", random_value(), random_value())
        p.execute()
        assert enc(r, "myhash") == "hashtable"


def test_listpack_of_various_encodings(r):
    """hash.tcl: Hash ziplist of various encodings (the HGETALL part; DUMP/RESTORE are a later
    milestone)."""
    r.config_set("hash-max-ziplist-entries", 1000000000)
    r.config_set("hash-max-ziplist-value", 1000000000)
    vals = {"ZIP_INT_8B": "127", "ZIP_INT_16B": "32767", "ZIP_INT_32B": "2147483647",
            "ZIP_INT_64B": "9223372036854775808", "ZIP_INT_IMM_MIN": "0",
            "ZIP_INT_IMM_MAX": "12", "ZIP_STR_06B": "x" * 31, "ZIP_STR_14B": "x" * 8191,
            "ZIP_STR_32B": "x" * 65535}
    for f, v in vals.items():
        r.hset("k", f, v)
    assert enc(r, "k") == "listpack"
    assert r.hgetall("k") == vals
    # Lowering the limit converts on the next write; the values survive.
    r.config_set("hash-max-ziplist-entries", 2)
    r.hset("k", "ZIP_INT_8B", "127")
    assert enc(r, "k") == "hashtable"
    assert r.hgetall("k") == vals


# ---------------------------------------------------------------- beyond hash.tcl

def test_pipeline_and_transaction(r):
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.hset("pl", f"f{i}", i)
    assert p.execute() == [1] * 1000
    assert r.hlen("pl") == 1000
    assert enc(r, "pl") == "hashtable"
    p = r.pipeline(transaction=True)
    p.hset("tx", "a", 1)
    p.hincrby("tx", "a", 5)
    p.hincrbyfloat("tx", "b", 1.5)
    p.hget("tx", "a")
    p.hdel("tx", "a", "b")
    p.exists("tx")
    assert p.execute() == [1, 6, 1.5, "6", 2, 0]
    # WRONGTYPE inside EXEC does not abort the rest.
    r.set("s", "x")
    p = r.pipeline(transaction=True)
    p.hset("s", "a", 1)
    p.hset("t", "a", 1)
    res = p.execute(raise_on_error=False)
    assert isinstance(res[0], redis.ResponseError) and res[1] == 1


def test_watch_is_touched_by_hash_writes(dsrv):
    a = dsrv.client(decode_responses=True)
    b = dsrv.client(decode_responses=True)
    a.hset("w", "f", 1)
    for write in (lambda: b.hset("w", "f", 2), lambda: b.hincrby("w", "f", 1),
                  lambda: b.hincrbyfloat("w", "f", 1), lambda: b.hsetnx("w", "g", 1),
                  lambda: b.hdel("w", "g")):
        p = a.pipeline(transaction=True)
        p.watch("w")
        p.multi()
        p.hget("w", "f")
        write()
        with pytest.raises(redis.WatchError):
            p.execute()
    # No change, no touch: HSETNX of an existing field, HDEL of a missing one.
    for noop in (lambda: b.hsetnx("w", "f", 9), lambda: b.hdel("w", "nofield")):
        p = a.pipeline(transaction=True)
        p.watch("w")
        p.multi()
        p.hget("w", "f")
        noop()
        assert len(p.execute()) == 1


def test_big_values_cross_thresholds(rb):
    rb.hset("h", "small", "x" * 64)
    assert rb.object("encoding", "h") == b"listpack"
    big = bytes(range(256)) * 4096  # 1 MB, binary
    rb.hset("h", "big", big)
    assert rb.object("encoding", "h") == b"hashtable"
    assert rb.hget("h", "big") == big
    assert rb.hstrlen("h", "big") == len(big)
    rb.hset("h", "big", b"y")  # shrink in place
    assert rb.hget("h", "big") == b"y"
    rb.hset("h", b"f\x00\xff", big[:1000])
    assert rb.hget("h", b"f\x00\xff") == big[:1000]
    assert rb.hgetall("h") == {b"small": b"x" * 64, b"big": b"y", b"f\x00\xff": big[:1000]}


def test_hscan_big_hash_returns_everything(rb):
    data = {b"field:%d" % i: b"v%d" % i for i in range(5000)}
    rb.hset("big", mapping=data)
    got = dict(rb.hscan_iter("big", count=100))
    assert got == data
    got = dict(rb.hscan_iter("big", match="field:1*", count=50))
    assert got == {k: v for k, v in data.items() if k.startswith(b"field:1")}
    # A listpack hash comes back whole with cursor 0, whatever COUNT says.
    rb.hset("small", mapping={"a": 1, "b": 2, "c": 3})
    assert rb.hscan("small", 0, count=1) == (0, {b"a": b"1", b"b": b"2", b"c": b"3"})


def test_generic_commands_on_both_encodings(r):
    r.config_set("hash-max-listpack-entries", 4)
    r.hset("lp", mapping={"a": 1, "b": 2})
    r.hset("ht", mapping={str(i): i for i in range(10)})
    assert (enc(r, "lp"), enc(r, "ht")) == ("listpack", "hashtable")
    for k in ("lp", "ht"):
        assert r.type(k) == "hash"
        assert r.copy(k, k + "2")
        assert enc(r, k + "2") == enc(r, k)
        assert r.hgetall(k + "2") == r.hgetall(k)
        d1 = r.execute_command("DEBUG", "DIGEST-VALUE", k)
        assert r.execute_command("DEBUG", "DIGEST-VALUE", k + "2") == d1
        r.rename(k + "2", k + "3")
        assert r.move(k + "3", 1)
        assert r.memory_usage(k) > 0
    assert sorted(r.scan_iter(_type="hash")) == ["ht", "lp"]
    # Same content, different encodings: same digest.
    r.config_set("hash-max-listpack-entries", 128)
    r.hset("lp2", mapping={str(i): i for i in range(10)})
    assert enc(r, "lp2") == "listpack"
    assert r.execute_command("DEBUG", "DIGEST-VALUE", "lp2") == \
        r.execute_command("DEBUG", "DIGEST-VALUE", "ht")
    assert r.delete("lp", "ht") == 2
    assert r.unlink("lp2") == 1


def test_lazyfree_of_big_hash(dsrv):
    r = dsrv.client(decode_responses=True)
    p = r.pipeline(transaction=False)
    for i in range(0, 100000, 1000):
        p.hset("huge", mapping={f"f{j}": j for j in range(i, i + 1000)})
    p.execute()
    assert r.hlen("huge") == 100000
    assert r.unlink("huge") == 1
    assert r.exists("huge") == 0
    r.config_set("lazyfree-lazy-user-del", "yes")
    r.hset("huge2", mapping={f"f{j}": j for j in range(70000)})
    assert r.delete("huge2") == 1
    assert r.ping()


def test_model_check_against_dict(rb):
    """Random HSET/HSETNX/HDEL/HINCRBY across both encodings vs a Python dict."""
    rng = random.Random(1234)
    rb.config_set("hash-max-listpack-entries", 16)
    model = {}
    for step in range(4000):
        f = b"f%d" % rng.randrange(40)
        op = rng.randrange(5)
        if op == 0:
            v = b"%d" % rng.randrange(-100, 100) if rng.random() < 0.5 else \
                b"s" * rng.randrange(0, 80)
            assert rb.hset("m", f, v) == (f not in model)
            model[f] = v
        elif op == 1:
            v = b"nx%d" % step
            assert rb.hsetnx("m", f, v) == (f not in model)
            model.setdefault(f, v)
        elif op == 2:
            assert rb.hdel("m", f) == (1 if model.pop(f, None) is not None else 0)
        elif op == 3:
            cur = model.get(f, b"0")
            try:
                n = int(cur)
                ok = str(n).encode() == cur
            except ValueError:
                ok = False
            if ok:
                assert rb.hincrby("m", f, 3) == n + 3
                model[f] = b"%d" % (n + 3)
            else:
                with pytest.raises(redis.ResponseError):
                    rb.hincrby("m", f, 3)
        else:
            assert rb.hget("m", f) == model.get(f)
        if step % 500 == 0:
            assert rb.hgetall("m") == model
    assert rb.hgetall("m") == model
    assert rb.hlen("m") == len(model)
