"""DUMP / RESTORE (and MIGRATE, when the server has it) against Redis 7.0.15's
behaviour: round trips of every type and encoding (persistence_util), the
RESTORE options (REPLACE, ABSTTL, IDLETIME, FREQ), every error text for bad
arguments and bad payloads, sanitize-dump-payload (payloads forged with a
valid CRC64), payloads from Redis's corrupt-dump.tcl, and DEBUG OBJECT's
serializedlength.

Ported from Redis 7.0.15's tests/unit/dump.tcl (each test names its case)
and a selection of tests/integration/corrupt-dump.tcl. Validate with
VIREO_BIN=/usr/bin/redis-server.
"""
import re
import time

import pytest

from integ_util import REDIS_BIN, Raw, RespError, SLOW
import persistence_util as pu
from persistence_util import DEBUG_ARGS

needs_dump = pytest.mark.requires_commands("dump", "restore")
needs_migrate = pytest.mark.requires_commands("dump", "restore", "migrate")

BAD_PAYLOAD = RespError(b"ERR DUMP payload version or checksum are wrong")
BAD_FORMAT = RespError(b"ERR Bad data format")
BUSYKEY = RespError(b"BUSYKEY Target key name already exists.")
SYNTAX = RespError(b"ERR syntax error")


@pytest.fixture
def srv(server_factory, tmp_path):
    """Overrides conftest's `srv` (so that its `watcher` watches this one):
    the server under test with DEBUG enabled."""
    return server_factory(args=DEBUG_ARGS, cwd=str(tmp_path))


@pytest.fixture
def s(srv):
    return srv


@pytest.fixture
def r(s):
    c = Raw(s.port)
    yield c
    c.close()


def payload_of(r, key):
    p = r.call("DUMP", key)
    assert isinstance(p, bytes), p
    return p


def string_offset(body):
    """Offset of the first string after the type byte of a DUMP body (the
    RDB length is 6-bit, 14-bit or 32/64-bit big-endian)."""
    b = body[1]
    if b >> 6 == 0:
        return 2
    if b >> 6 == 1:
        return 3
    return 6 if b == 0x80 else 10


# ---------------------------------------------------------------------------
# dump.tcl
# ---------------------------------------------------------------------------

@needs_dump
def test_dump_restore_simple_key(r):
    # "DUMP / RESTORE are able to serialize / unserialize a simple key"
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    body, ver, crc = pu.split_payload(p)
    assert (body, ver) == (b"\x00\x03bar", pu.RDB_VERSION)
    assert crc == pu.crc64(p[:-8])
    r.call("DEL", "foo")
    assert r.call("EXISTS", "foo") == 0
    assert r.call("RESTORE", "foo", 0, p) == b"OK"
    assert r.call("TTL", "foo") == -1
    assert r.call("GET", "foo") == b"bar"
    # "DUMP of non existing key returns nil"
    assert r.call("DUMP", "nonexisting_key") is None


@needs_dump
@pytest.mark.parametrize("ttl,lo,hi", [(5000, 3000, 5000),
                                       (2569591501, 2569591501 - 3000, 2569591501)],
                         ids=["ttl", "ttl_over_32_bits"])
def test_restore_with_ttl(r, ttl, lo, hi):
    # "RESTORE can set an arbitrary expire to the materialized key",
    # "RESTORE can set an expire that overflows a 32 bit integer"
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    r.call("DEL", "foo")
    assert r.call("RESTORE", "foo", ttl, p) == b"OK"
    assert lo <= r.call("PTTL", "foo") <= hi
    assert r.call("GET", "foo") == b"bar"


@needs_dump
def test_restore_absttl(r):
    # "RESTORE can set an absolute expire"
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    r.call("DEL", "foo")
    now = int(time.time() * 1000)
    assert r.call("RESTORE", "foo", now + 3000, p, "ABSTTL") == b"OK"
    assert 2000 <= r.call("PTTL", "foo") <= 3100
    assert r.call("GET", "foo") == b"bar"


@needs_dump
def test_restore_absttl_in_the_past(r):
    # "RESTORE with ABSTTL in the past": the key is not created (and with
    # REPLACE the old one is gone), even with active expiry off.
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    now = int(time.time() * 1000)
    assert r.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"OK"
    assert r.call("RESTORE", "foo", now - 3000, p, "ABSTTL", "REPLACE") == b"OK"
    assert r.call("DEBUG", "OBJECT", "foo") == RespError(b"ERR no such key")
    assert r.call("RESTORE", "other", now - 3000, p, "ABSTTL") == b"OK"
    assert r.call("DEBUG", "OBJECT", "other") == RespError(b"ERR no such key")
    assert r.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"OK"


@needs_dump
def test_restore_idletime_and_freq(r):
    # "RESTORE can set LRU", "RESTORE can set LFU"
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    r.call("DEL", "foo")
    assert r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru") == b"OK"
    assert r.call("RESTORE", "foo", 0, p, "IDLETIME", 1000) == b"OK"
    assert 1000 <= r.call("OBJECT", "IDLETIME", "foo") <= 1010
    assert r.call("GET", "foo") == b"bar"
    err = r.call("OBJECT", "FREQ", "foo")
    assert err.startswith(b"ERR An LFU maxmemory policy is not selected")
    assert r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu") == b"OK"
    assert r.call("RESTORE", "lfu", 0, p, "FREQ", 100) == b"OK"
    assert r.call("OBJECT", "FREQ", "lfu") == 100
    assert r.call("GET", "lfu") == b"bar"
    # why: under LFU, IDLETIME is accepted and ignored (the default
    # counter, LFU_INIT_VAL 5, is kept); under LRU, FREQ is ignored.
    assert r.call("RESTORE", "lfu2", 0, p, "IDLETIME", 100) == b"OK"
    assert r.call("OBJECT", "FREQ", "lfu2") == 5
    assert r.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru") == b"OK"
    assert r.call("RESTORE", "lru2", 0, p, "FREQ", 100) == b"OK"
    assert r.call("OBJECT", "IDLETIME", "lru2") <= 2
    assert r.call("CONFIG", "SET", "maxmemory-policy", "noeviction") == b"OK"


@needs_dump
def test_restore_busykey_and_replace(r):
    # "RESTORE returns an error of the key already exists",
    # "RESTORE can overwrite an existing key with REPLACE"
    r.call("SET", "foo", "bar1")
    p1 = payload_of(r, "foo")
    assert r.call("RESTORE", "foo", 0, "...") == BUSYKEY  # checked before the payload
    assert r.call("RESTORE", "foo", 0, p1) == BUSYKEY
    r.call("SET", "foo", "bar2")
    p2 = payload_of(r, "foo")
    r.call("DEL", "foo")
    assert r.call("RESTORE", "foo", 0, p1) == b"OK"
    assert r.call("RESTORE", "foo", 0, p2, "REPLACE") == b"OK"
    assert r.call("GET", "foo") == b"bar2"
    # REPLACE across types, keeping no old TTL
    r.call("RPUSH", "l", "a")
    r.call("EXPIRE", "l", 100)
    assert r.call("RESTORE", "l", 0, p2, "replace") == b"OK"
    assert r.call("TYPE", "l") == b"string"
    assert r.call("TTL", "l") == -1


@needs_dump
def test_restore_argument_errors(r):
    # "RESTORE can detect a syntax error for unrecongized options", and the
    # other argument checks of restoreCommand
    r.call("SET", "foo", "bar")
    p = payload_of(r, "foo")
    cases = [
        (("new", 0, "...", "invalid-option"), SYNTAX),
        (("new", 0, p, "FOO"), SYNTAX),
        (("new", 0, p, "IDLETIME"), SYNTAX),
        (("new", 0, p, "FREQ", 1, "IDLETIME", 1), SYNTAX),
        (("new", -1, p), RespError(b"ERR Invalid TTL value, must be >= 0")),
        (("new", "abc", p), RespError(b"ERR value is not an integer or out of range")),
        (("new", 0, p, "IDLETIME", -1), RespError(b"ERR Invalid IDLETIME value, must be >= 0")),
        (("new", 0, p, "IDLETIME", "x"), RespError(b"ERR value is not an integer or out of range")),
        (("new", 0, p, "FREQ", 256),
         RespError(b"ERR Invalid FREQ value, must be >= 0 and <= 255")),
        (("new", 0, p, "FREQ", -1),
         RespError(b"ERR Invalid FREQ value, must be >= 0 and <= 255")),
        (("new",), RespError(b"ERR wrong number of arguments for 'restore' command")),
    ]
    for args, want in cases:
        assert r.call("RESTORE", *args) == want, args
    assert r.call("DUMP") == RespError(b"ERR wrong number of arguments for 'dump' command")
    assert r.call("EXISTS", "new") == 0


# ---------------------------------------------------------------------------
# Bad payloads
# ---------------------------------------------------------------------------

def bad_payloads(p):
    body, _, crc = pu.split_payload(p)
    return {
        "wrong_crc": (body + p[-10:-8] + b"\x01" * 8, BAD_PAYLOAD),
        # why: unlike an RDB file, a zero CRC is not "checksum disabled"
        "zero_crc": (body + p[-10:-8] + b"\x00" * 8, BAD_PAYLOAD),
        # Why +2: Vireo also restores RDB 11 payloads (Redis 7.2 / Valkey 8,
        # e.g. MIGRATE from them), which Redis 7.0 refuses; 12 is too new
        # for both.
        "version_too_new": (pu.make_payload(body, pu.RDB_VERSION + 2), BAD_PAYLOAD),
        "version_max": (pu.make_payload(body, 0xffff), BAD_PAYLOAD),
        "truncated": (p[:5], BAD_PAYLOAD),
        "empty": (b"", BAD_PAYLOAD),
        "garbage": (b"hello world, not a payload", BAD_PAYLOAD),
        "unknown_type": (pu.make_payload(b"\x63" + body[1:]), BAD_FORMAT),
        "module_type": (pu.make_payload(b"\x07" + body[1:]), BAD_FORMAT),
        "lies_about_length": (pu.make_payload(b"\x00\x3fab"), BAD_FORMAT),
    }


@needs_dump
@pytest.mark.parametrize("kind", ["wrong_crc", "zero_crc", "version_too_new", "version_max",
                                  "truncated", "empty", "garbage", "unknown_type",
                                  "module_type", "lies_about_length"])
def test_restore_bad_payload(s, r, watcher, kind):
    r.call("SET", "foo", "bar")
    data, want = bad_payloads(payload_of(r, "foo"))[kind]
    assert r.call("RESTORE", "k", 0, data) == want
    assert r.call("RESTORE", "foo", 0, data, "REPLACE") == want
    assert r.call("GET", "foo") == b"bar"  # REPLACE kept the old value
    assert r.call("EXISTS", "k") == 0
    watcher.ping()


@needs_dump
def test_restore_older_rdb_version_accepted(r):
    r.call("SET", "foo", "bar")
    body, _, _ = pu.split_payload(payload_of(r, "foo"))
    for ver in (1, 6, 9):
        assert r.call("RESTORE", "v%d" % ver, 0, pu.make_payload(body, ver)) == b"OK"
        assert r.call("GET", "v%d" % ver) == b"bar"


@needs_dump
def test_sanitize_dump_payload(s, r, watcher):
    """A listpack / intset corrupted inside, with a recomputed CRC: shallow
    checks (header size) always reject; deep checks (entry count, intset
    order) only with sanitize-dump-payload yes or clients."""
    assert r.call("CONFIG", "SET", "rdbcompression", "no") == b"OK"  # plain blobs
    r.call("HSET", "h", "f1", "v1", "f2", "v2")
    r.call("SADD", "s", 1, 2, 3)
    hbody, _, _ = pu.split_payload(payload_of(r, "h"))
    sbody, _, _ = pu.split_payload(payload_of(r, "s"))
    lp = string_offset(hbody)
    bad_count = bytearray(hbody)
    bad_count[lp + 4] += 1          # listpack element count: 4 -> 5
    bad_size = bytearray(hbody)
    bad_size[lp] += 1               # listpack total bytes != blob length
    iset = string_offset(sbody) + 8
    unsorted = bytearray(sbody)     # intset 16-bit members 1,2,3 -> 2,1,3
    unsorted[iset:iset + 4] = sbody[iset + 2:iset + 4] + sbody[iset:iset + 2]
    deep = [bytes(bad_count), bytes(unsorted)]
    for mode in ("no", "yes", "clients"):
        assert r.call("CONFIG", "SET", "sanitize-dump-payload", mode) == b"OK"
        assert r.call("RESTORE", "k", 0, pu.make_payload(bytes(bad_size))) == BAD_FORMAT
        for i, body in enumerate(deep):
            key = "deep-%s-%d" % (mode, i)
            got = r.call("RESTORE", key, 0, pu.make_payload(body))
            assert got == (b"OK" if mode == "no" else BAD_FORMAT), (mode, i)
            r.call("DEL", key)  # never read a corrupt value back
        # the intact payloads still restore
        assert r.call("RESTORE", "h-%s" % mode, 0, pu.make_payload(hbody)) == b"OK"
        assert r.call("HGET", "h-%s" % mode, "f2") == b"v2"
    watcher.ping()


# From Redis's tests/integration/corrupt-dump.tcl: payloads with a valid
# CRC that must be refused with "Bad data format" (ziplist/listpack/
# quicklist/stream corruptions, a 2^63-byte string length), never a crash.
CORRUPT_DUMPS = [
    ("hash with valid zip list header, invalid entry len", "no",
     "0d1b1b00000016000000040000026100040262000414630004026400ff0900d910549215f55f52"),
    ("invalid zlbytes header", "no",
     "0d1b2500000016000000040000026100040262000402630004026400ff0900b7f76e9f434314c6"),
    ("valid zipped hash header, dup records", "no",
     "0d1b1b00000016000000040000026100040262000402610004026400ff0900a1983678cc8e932e"),
    ("quicklist big ziplist prev len", "no",
     "0e0113130000000e0000000200000261000e026200ff0900499730b20da1edaa"),
    ("quicklist small ziplist prev len", "yes",
     "0e0113130000000e00000002000002610002026200ff0900c77103970775b063"),
    ("quicklist ziplist wrong count", "no",
     "0e0113130000000e00000003000002610004026200ff09004de20a2f0825df91"),
    ("#3080 - quicklist", "no",
     "0e01800000001041414141414141410200008041414141070003c71def5468ccf3"),
    ("quicklist encoded_len is 0", "no",
     "120101000a008fc6c0571c0ab33c"),
    ("quicklist listpack entry start with EOF", "yes",
     "1201020b0b0000000100816102ffff0a007ed8de5b0dd770b8"),
    ("#3080 - ziplist", "no",
     "0a8000000010414141414141414102000080414141410700395b49e0c1c6dd76"),
    ("listpack invalid size header", "no",
     "0f01100000000000000002000000000000000240555f0000000f00010100010201883100000000000000"
     "098832000000000000000900010001000100010202883100000000000000098861000000000000000988"
     "320000000000000009886200000000000000090801ff0a010000090045910a872fa5f92e"),
    ("OOM in rdbGenericLoadStringObject", "no",
     "0a817fffffffffffffff130000000e00000002000002610004026200ff09005704e5cdd4376c57"),
]


@needs_dump
@pytest.mark.parametrize("name,sanitize,payload", CORRUPT_DUMPS,
                         ids=[re.sub(r"\W+", "_", c[0]).strip("_") for c in CORRUPT_DUMPS])
def test_corrupt_dump_payloads(s, r, watcher, name, sanitize, payload):
    assert r.call("CONFIG", "SET", "sanitize-dump-payload", sanitize) == b"OK"
    data = bytes.fromhex(payload)
    body, _, crc = pu.split_payload(data)
    assert crc == pu.crc64(data[:-8])  # the checksum is valid: the body is bad
    assert r.call("RESTORE", "key", 0, data, "REPLACE") == BAD_FORMAT
    assert r.call("EXISTS", "key") == 0
    assert r.call("PING") == b"PONG"
    watcher.ping()
    assert s.alive()


# ---------------------------------------------------------------------------
# Every type and encoding
# ---------------------------------------------------------------------------

@needs_dump
def test_dump_restore_every_type_and_encoding(server_factory, s, tmp_path):
    c = s.client()
    expect = pu.populate_all_types(c)
    before = pu.dataset_digest(c)
    dumps = pu.dump_all(c)
    # onto itself with REPLACE: nothing changes
    pu.restore_all(c, dumps, replace=True)
    pu.assert_same_dataset(before, pu.dataset_digest(c))
    # into a fresh server of the same kind
    d = tmp_path / "other"
    d.mkdir()
    other = server_factory(args=DEBUG_ARGS, cwd=str(d)).client()
    pu.restore_all(other, dumps)
    pu.assert_same_dataset(before, pu.dataset_digest(other))
    assert pu.encodings(other, expect) == expect
    # every payload verifies, and carries RDB version 10
    for (db, k), (p, _) in dumps.items():
        _, ver, crc = pu.split_payload(p)
        assert ver == pu.RDB_VERSION and crc == pu.crc64(p[:-8]), (db, k)


@needs_dump
def test_debug_object_serializedlength(server_factory, s, tmp_path):
    """serializedlength is the RDB size of the value (DUMP minus the type
    byte, version and CRC), and equals redis-server's for the same value."""
    c = s.client()
    ref_dir = tmp_path / "ref"
    ref_dir.mkdir()
    ref = server_factory(args=DEBUG_ARGS, cwd=str(ref_dir), binary=REDIS_BIN).client()
    streams = pu.has_command(c, "xadd")
    pu.populate_all_types(c, streams=streams)
    pu.populate_all_types(ref, streams=streams)

    def lengths(client):
        out = {}
        for conn, db, k in pu.each_key(client):
            line = conn.execute_command("DEBUG", "OBJECT", k)
            line = line.decode() if isinstance(line, bytes) else line
            n = int(re.search(r"serializedlength:(\d+)", line).group(1))
            out[(db, k)] = (n, len(conn.dump(k)) - 11)
        return out

    ours, theirs = lengths(c), lengths(ref)
    for key, (n, dump_len) in ours.items():
        if key == (0, b"x:stream"):
            continue  # stream IDs depend on the clock: sizes may differ
        assert n == dump_len, key
        assert n == theirs[key][0], (key, n, theirs[key])


# ---------------------------------------------------------------------------
# MIGRATE (dump.tcl), when the server has it
# ---------------------------------------------------------------------------

@pytest.fixture
def pair(server_factory, tmp_path):
    d = tmp_path / "target"
    d.mkdir()
    src = server_factory(args=DEBUG_ARGS, cwd=str(tmp_path))
    dst = server_factory(args=DEBUG_ARGS, cwd=str(d))
    return src.client(), dst.client(), dst.port


@needs_migrate
def test_migrate_move_copy_replace_ttl(pair):
    first, second, port = pair
    # "MIGRATE is able to migrate a key between two instances"
    first.set("key", "Some Value")
    assert first.migrate("127.0.0.1", port, "key", 9, 5000) == b"OK"
    assert first.exists("key") == 0
    dst9 = pu.conn(second, 9)
    assert dst9.get("key") == b"Some Value" and dst9.ttl("key") == -1
    # "... able to copy", "... will not overwrite existing keys, unless REPLACE"
    first.lpush("list", "a", "b", "c", "d")
    dst9.set("list", "somevalue")
    with pytest.raises(Exception, match="^Target instance replied with error: BUSYKEY "
                       "Target key name already exists.$"):
        first.migrate("127.0.0.1", port, "list", 9, 5000, copy=True)
    assert first.migrate("127.0.0.1", port, "list", 9, 5000, copy=True, replace=True) == b"OK"
    assert first.exists("list") == 1
    assert dst9.lrange("list", 0, -1) == first.lrange("list", 0, -1)
    # "MIGRATE propagates TTL correctly"
    first.set("t", "v", ex=10)
    assert first.migrate("127.0.0.1", port, "t", 9, 5000) == b"OK"
    assert 7 <= dst9.ttl("t") <= 10
    dst9.close()


@needs_migrate
def test_migrate_large_values_and_hashes(pair):
    # "MIGRATE can correctly transfer large values" / "... hashes"
    first, second, port = pair
    first.config_set("rdbcompression", "no")  # a payload of > 64 KB with 80,000 elements
    p = first.pipeline(transaction=False)
    for _ in range(4000):
        p.rpush("key", *range(1, 11))
        p.rpush("key", *["item %d" % i for i in range(1, 11)])
    p.execute()
    assert len(first.dump("key")) > 64 * 1024
    first.hset("h", mapping={"field%d" % i: "item %d" % i for i in range(1, 7)})
    assert first.migrate("127.0.0.1", port, "key", 0, 10000) == b"OK"
    assert first.migrate("127.0.0.1", port, "h", 0, 10000) == b"OK"
    assert first.exists("key", "h") == 0
    assert second.llen("key") == 4000 * 20 and second.ttl("key") == -1
    assert second.hget("h", "field6") == b"item 6"


@needs_migrate
def test_migrate_multiple_keys(pair):
    first, second, port = pair
    with Raw(first.connection_pool.connection_kwargs["port"]) as r:
        # "MIGRATE with multiple keys must have empty key arg"
        got = r.call("MIGRATE", "127.0.0.1", port, "NotEmpty", 9, 5000, "KEYS", "a", "b")
        assert isinstance(got, RespError) and b"empty string" in got
        # "... migrate just existing ones"
        assert r.call("MIGRATE", "127.0.0.1", port, "", 9, 5000, "KEYS",
                      "nokey-1", "nokey-2") == b"NOKEY"
        r.call("MSET", "key1", "v1", "key2", "v2", "key3", "v3")
        assert r.call("MIGRATE", "127.0.0.1", port, "", 9, 5000, "KEYS", "nokey-1", "key1",
                      "nokey-2", "key2", "key3") == b"OK"
        assert r.call("EXISTS", "key1", "key2", "key3") == 0
        # "... delete just ack keys": two busy keys, no REPLACE
        r.call("MSET", *[x for i in range(15) for x in ("k%d" % i, i)])
        dst9 = pu.conn(second, 9)
        dst9.mset({"k2": "_", "k3": "_"})
        got = r.call("MIGRATE", "127.0.0.1", port, "", 9, 5000, "KEYS",
                     *["k%d" % i for i in range(15)])
        assert isinstance(got, RespError)
        assert r.call("DBSIZE") == 2 and r.call("EXISTS", "k2", "k3") == 2
        assert dst9.dbsize() == 3 + 15
        assert [dst9.get(k) for k in ("key1", "key2", "key3")] == [b"v1", b"v2", b"v3"]
        dst9.close()


@needs_migrate
def test_migrate_auth_and_timeout(pair):
    # "MIGRATE AUTH: correct and wrong password cases", "MIGRATE timeout
    # actually works"
    first, second, port = pair
    first.lpush("list", "a", "b", "c", "d")
    second.config_set("requirepass", "foobar")
    second.execute_command("AUTH", "foobar")
    assert first.migrate("127.0.0.1", port, "list", 9, 5000, auth="foobar") == b"OK"
    first.lpush("list", "a", "b", "c", "d")
    second.config_set("requirepass", "foobar2")
    with pytest.raises(Exception, match="WRONGPASS"):
        first.migrate("127.0.0.1", port, "list", 9, 5000, auth="foobar")
    second.execute_command("AUTH", "foobar2")
    sleeper = Raw(port)
    sleeper.call("AUTH", "foobar2")
    timeout_ms = int(500 * SLOW)
    # the target stops answering for well over the timeout (both scale)
    sleeper.cmd("DEBUG", "SLEEP", 2 * timeout_ms / 1000 + 0.5)
    with pytest.raises(Exception, match="IOERR"):
        first.migrate("127.0.0.1", port, "list", 9, timeout_ms, auth="foobar2")
    assert sleeper.read_reply() == b"OK"
    sleeper.close()


# ---------------------------------------------------------------------------
# RDB 11 payloads (Redis 7.2 / Valkey 8): Vireo restores them, Redis 7.0
# refuses them (version too new), so these run against Vireo only.

def _lp_small(items):
    """A listpack of short strings (< 64 bytes) and 7-bit uints, by hand."""
    body = b""
    for it in items:
        if isinstance(it, int):
            assert 0 <= it < 128
            entry = bytes([it])
        else:
            b = it.encode()
            assert len(b) < 64
            entry = bytes([0x80 | len(b)]) + b
        body += entry + bytes([len(entry)])
    total = 6 + len(body) + 1
    return total.to_bytes(4, "little") + len(items).to_bytes(2, "little") + body + b"\xff"


def _rdb_string(b):
    assert len(b) < 64
    return bytes([len(b)]) + b


@pytest.mark.vireo_only
@pytest.mark.parametrize("members,encoding", [
    ([1, 2, 3], "intset"),
    (["a", "b", 7], "hashtable"),
])
def test_restore_rdb11_listpack_set(r, members, encoding):
    # RDB_TYPE_SET_LISTPACK (20): rebuilt as the set Redis 7.0's SADD makes.
    payload = pu.make_payload(b"\x14" + _rdb_string(_lp_small(members)), 11)
    assert r.call("RESTORE", "s", 0, payload) == b"OK"
    got = sorted(m.decode() for m in r.call("SMEMBERS", "s"))
    assert got == sorted(str(m) for m in members)
    assert r.call("OBJECT", "ENCODING", "s") == encoding.encode()


@pytest.mark.vireo_only
def test_restore_rdb11_listpack_set_duplicates_refused(r):
    payload = pu.make_payload(b"\x14" + _rdb_string(_lp_small(["a", "a"])), 11)
    assert r.call("RESTORE", "s", 0, payload) == RespError(b"ERR Bad data format")
    assert r.call("PING") == b"PONG"
