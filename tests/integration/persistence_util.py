"""Helpers for the persistence tests (test_rdb.py, test_dump_restore.py,
test_persistence_interop.py): a dataset with every type and encoding Redis
7.0 has, a per-key fingerprint to compare two servers (or one server before
and after a restart), Redis's CRC64 to forge DUMP payloads, INFO parsing and
bounded waits on background saves.

Servers used with these helpers need `--enable-debug-command yes`
(DEBUG_ARGS): the fingerprint is DEBUG DIGEST / DEBUG DIGEST-VALUE, which
hash values by content (not by encoding), and the plain quicklist node is
made with DEBUG QUICKLIST-PACKED-THRESHOLD.
"""
import random
import struct
import time

import redis

from integ_util import SLOW

DEBUG_ARGS = ["--enable-debug-command", "yes"]
RDB_VERSION = 10          # Redis 7.0 writes RDB 10 (and DUMP payloads carry it)
EMPTY_DIGEST = b"0" * 40  # DEBUG DIGEST of an empty dataset
# The dataset lives in these databases (keys with the same name in several
# of them check that SELECTDB is honoured).
DBS = (0, 1, 9)
FAR_TTL = 100_000_000     # seconds (~3 years): never expires during a test


# ---------------------------------------------------------------------------
# CRC64 (Jones), as Redis's crc64.c: reflected, poly 0xad93d23594c935a9,
# init 0, no final xor. It ends every RDB file and every DUMP payload.
# ---------------------------------------------------------------------------

def _crc64_table():
    # The reflected form of the polynomial (bit-reversed 0xad93d23594c935a9).
    poly = int("{:064b}".format(0xad93d23594c935a9)[::-1], 2)
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC64_TABLE = _crc64_table()


def crc64(data, crc=0):
    t = _CRC64_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


assert crc64(b"123456789") == 0xe9c6d914c4b8d9ca  # Redis's own check value


def split_payload(payload):
    """A DUMP payload is <type byte + value> <RDB version, u16 LE> <CRC64 LE
    of everything before it>. Returns (body, version, crc)."""
    body, ver, crc = payload[:-10], payload[-10:-8], payload[-8:]
    return body, struct.unpack("<H", ver)[0], struct.unpack("<Q", crc)[0]


def make_payload(body, version=RDB_VERSION, crc=None):
    """A DUMP payload around `body` with a correct CRC (or the given one)."""
    head = body + struct.pack("<H", version)
    if crc is None:
        crc = crc64(head)
    return head + struct.pack("<Q", crc)


# ---------------------------------------------------------------------------
# Connections and INFO
# ---------------------------------------------------------------------------

def conn(client, db=0):
    """A new single-connection, non-decoding client to the same server as
    `client` (any redis-py client), selected on `db`. SELECT on a pooled
    client would leak the db into other pooled connections."""
    kw = client.connection_pool.connection_kwargs
    return redis.Redis(host=kw.get("host", "127.0.0.1"), port=kw["port"], db=db,
                       socket_timeout=30 * SLOW, single_connection_client=True)


def info(client, section="persistence"):
    """INFO <section> as {name: str value} (no type guessing)."""
    raw = client.execute_command("INFO", section)
    if isinstance(raw, dict):  # a client with redis-py's INFO parser
        return {k: str(v) for k, v in raw.items()}
    if isinstance(raw, bytes):
        raw = raw.decode()
    out = {}
    for line in raw.splitlines():
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            out[k] = v
    return out


def info_field(client, name, section="persistence"):
    return info(client, section).get(name)


def wait_info(client, name, want, timeout=20.0, section="persistence"):
    """Poll INFO until field `name` equals `want` (a str), or fail."""
    deadline = time.time() + timeout * SLOW
    got = None
    while time.time() < deadline:
        got = info_field(client, name, section)
        if got == want:
            return
        time.sleep(0.02)
    raise AssertionError("INFO %s stayed %r, wanted %r" % (name, got, want))


def wait_bgsave_done(client, timeout=30.0):
    """Wait until no BGSAVE child runs; returns rdb_last_bgsave_status."""
    wait_info(client, "rdb_bgsave_in_progress", "0", timeout)
    return info_field(client, "rdb_last_bgsave_status")


def wait_loaded(client, timeout=30.0):
    """Wait until the server answers commands and INFO says loading:0."""
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        try:
            if info_field(client, "loading") == "0":
                return
        except redis.exceptions.BusyLoadingError:
            pass
        time.sleep(0.02)
    raise AssertionError("server still loading after %ss" % timeout)


def has_command(client, name):
    c = conn(client)
    try:
        c.set_response_callback("COMMAND", lambda r, **kw: r)
        return c.execute_command("COMMAND", "INFO", name)[0] is not None
    finally:
        c.close()


# ---------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------

def _rng_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def populate_all_types(client, streams="auto"):
    """Create every type and encoding of Redis 7.0 on the server behind
    `client`, in DBS. Returns {(db, key): expected OBJECT ENCODING}.

    Only values whose encoding survives a save/load are made (e.g. no short
    string made "raw" by APPEND: Redis loads it back as embstr; no hash
    shrunk back under the listpack limits: it loads as a listpack). The
    config changed on the way (list-compress-depth, the packed threshold)
    is restored. `streams`: True, False or "auto" (if XADD exists)."""
    if streams == "auto":
        streams = has_command(client, "xadd")
    rng = random.Random(9)
    c = conn(client, 0)
    expect = {}

    def put(db, key, enc):
        expect[(db, key if isinstance(key, bytes) else key.encode())] = enc

    # Strings: int (int64 range, beyond int32), embstr (<= 44 bytes), raw,
    # LZF-compressible, incompressible, empty, binary.
    strings = [
        ("s:int", b"12345", "int"), ("s:int:neg", b"-123456", "int"),
        ("s:int:small", b"7", "int"), ("s:int:i32", b"2147483648", "int"),
        ("s:int:max", b"9223372036854775807", "int"),
        ("s:int:min", b"-9223372036854775808", "int"),
        ("s:notint:zero-prefix", b"007", "embstr"),
        ("s:notint:toobig", b"9223372036854775808", "embstr"),
        ("s:float", b"3.14159", "embstr"),
        ("s:embstr", b"hello world", "embstr"),
        ("s:raw", b"r" * 30 + b"0123456789abcdef" * 3, "raw"),
        ("s:compressible", b"a" * 1000, "raw"),
        ("s:random", _rng_bytes(rng, 3000), "raw"),
        ("s:empty", b"", "embstr"),
        ("s:binary", bytes(range(256)), "raw"),
        ("s:binary:short", b"\x00\r\n\xff\x00", "embstr"),
    ]
    for k, v, enc in strings:
        c.set(k, v)
        put(0, k, enc)
    # A binary key name.
    c.set(b"s:key:\x00\xff\r\n", b"binary key")
    put(0, b"s:key:\x00\xff\r\n", "embstr")

    # Lists (all "quicklist" in 7.0): one listpack node, many nodes, nodes
    # LZF-compressed in memory, a PLAIN node for a large element.
    c.rpush("l:small", b"a", b"b", b"1", b"-2", b"300000", b"9223372036854775807",
            b"", b"\x00bin")
    put(0, "l:small", "quicklist")
    c.rpush("l:long", *[b"element-%06d-" % i + b"x" * 40 for i in range(3000)])
    put(0, "l:long", "quicklist")
    c.rpush("l:ints", *[str(i * 7919 - 10 ** 6).encode() for i in range(1500)])
    put(0, "l:ints", "quicklist")
    old_depth = c.config_get("list-compress-depth")["list-compress-depth"]
    c.config_set("list-compress-depth", 1)
    try:
        c.rpush("l:compressed", *[b"compress-me-%d-" % (i % 10) + b"z" * 60
                                  for i in range(2000)])
    finally:
        c.config_set("list-compress-depth", old_depth)
    put(0, "l:compressed", "quicklist")
    # why: DEBUG QUICKLIST-PACKED-THRESHOLD makes elements >= 100 bytes
    # PLAIN nodes (saved with container type 1 in RDB quicklist 2).
    c.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    try:
        c.rpush("l:plain", b"small", b"P" * 500, b"small2", _rng_bytes(rng, 300), b"end")
    finally:
        c.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")  # 0: default
    put(0, "l:plain", "quicklist")

    # Hashes: listpack (int-looking values stored as listpack integers) and
    # hashtable (by count and by a long value).
    c.hset("h:lp", mapping={b"f1": b"v1", b"int": b"12345", b"neg": b"-7",
                            b"big": b"123456789012345", b"zp": b"007", b"": b"empty-field",
                            b"emptyval": b"", b"12": b"twelve"})
    put(0, "h:lp", "listpack")
    # > hash-max-listpack-entries (512 by default in 7.0)
    c.hset("h:ht", mapping={b"field:%d" % i: str(i * 3).encode() for i in range(600)})
    put(0, "h:ht", "hashtable")
    c.hset("h:ht:longval", mapping={b"a": b"1", b"long": b"v" * 100})
    put(0, "h:ht:longval", "hashtable")

    # Sets: intsets of each width, hashtables (strings; too many ints).
    c.sadd("set:i16", 1, 2, -3, 32767, -32768)
    c.sadd("set:i32", 1, 70000, -70000, 2147483647)
    c.sadd("set:i64", 1, 2 ** 40, -(2 ** 62), 9223372036854775807, -9223372036854775808)
    for k in ("set:i16", "set:i32", "set:i64"):
        put(0, k, "intset")
    c.sadd("set:ht", b"a", b"b", b"c", b"1", b"\x00\xff")
    put(0, "set:ht", "hashtable")
    c.sadd("set:ht:ints", *range(600))  # > set-max-intset-entries (512)
    put(0, "set:ht:ints", "hashtable")

    # Sorted sets: listpack and skiplist, special scores in both.
    special = {b"inf": float("inf"), b"-inf": float("-inf"), b"frac": 0.1,
               b"pi": 3.141592653589793, b"huge": 1.5e300, b"tiny": -2.5e-300,
               b"neg": -17.0, b"int": 42.0}
    c.zadd("z:lp", special)
    c.execute_command("ZADD", "z:lp", "-0", "negzero")
    put(0, "z:lp", "listpack")
    c.zadd("z:sl", {b"m:%d" % i: i * 1.5 - 100 for i in range(300)})
    c.zadd("z:sl", special)
    c.execute_command("ZADD", "z:sl", "-0", "negzero")
    put(0, "z:sl", "skiplist")
    c.zadd("z:sl:longmember", {b"x" * 100: 1.0, b"short": 2.0})
    put(0, "z:sl:longmember", "skiplist")

    # TTLs (far future) on several types.
    c.set("ttl:s", b"v", ex=FAR_TTL)
    put(0, "ttl:s", "embstr")
    c.rpush("ttl:l", b"a", b"b")
    c.expire("ttl:l", FAR_TTL)
    put(0, "ttl:l", "quicklist")
    c.hset("ttl:h", b"f", b"v")
    c.expire("ttl:h", FAR_TTL)
    put(0, "ttl:h", "listpack")
    c.zadd("ttl:z", {b"a": 1})
    c.expire("ttl:z", FAR_TTL)
    put(0, "ttl:z", "listpack")

    if streams:
        for i in range(50):
            c.xadd("x:stream", {b"f": b"v%d" % i, b"n": str(i).encode()})
        c.xgroup_create("x:stream", "g1", id="0")
        c.xreadgroup("g1", "alice", {"x:stream": ">"}, count=5)
        put(0, "x:stream", "stream")
    c.close()

    # Other databases: a key with the same name as in db 0, and more types.
    for db in DBS[1:]:
        d = conn(client, db)
        d.set("s:embstr", b"db%d" % db)
        put(db, "s:embstr", "embstr")
        d.set("s:int", 1000 + db)
        put(db, "s:int", "int")
        d.rpush("l:small", b"db", str(db).encode())
        put(db, "l:small", "quicklist")
        d.sadd("set:i16", db, -db)
        put(db, "set:i16", "intset")
        d.zadd("z:sl", {b"m:%d" % i: i for i in range(200)})
        put(db, "z:sl", "skiplist")
        d.hset("h:lp", b"db", str(db).encode())
        d.expire("h:lp", FAR_TTL)
        put(db, "h:lp", "listpack")
        d.close()
    return expect


def each_key(client, dbs=None):
    """Yield (connection selected on db, db, key) for every key of every
    database (or of `dbs`); keys are bytes."""
    c = conn(client, 0)
    try:
        if dbs is None:
            dbs = range(int(c.config_get("databases")["databases"]))
        for db in dbs:
            c.execute_command("SELECT", db)
            for k in list(c.scan_iter(count=1000)):
                yield c, db, k
    finally:
        c.close()


def dataset_digest(client, dbs=None):
    """(DEBUG DIGEST, {(db, key): (type, DEBUG DIGEST-VALUE, OBJECT ENCODING,
    has a TTL)}) over every database (or `dbs`). Keys are bytes."""
    c = conn(client, 0)
    try:
        digest = c.execute_command("DEBUG", "DIGEST")
        if dbs is None:
            dbs = range(int(c.config_get("databases")["databases"]))
    finally:
        c.close()
    keys = {}
    for db in dbs:
        # why a client per db: a redis-py pipeline takes its own pooled
        # connection, which is on the pool's db, not on a SELECTed one.
        d = conn(client, db)
        try:
            names = list(d.scan_iter(count=1000))
            p = d.pipeline(transaction=False)
            for k in names:
                p.type(k)
                p.execute_command("DEBUG", "DIGEST-VALUE", k)
                p.object("encoding", k)
                p.pttl(k)
            got = p.execute()
        finally:
            d.close()
        for i, k in enumerate(names):
            t, dv, enc, pttl = got[4 * i:4 * i + 4]
            keys[(db, k)] = (t, dv[0], enc, pttl > 0)
    return digest, keys


def _value(c, k, t):
    if t == "string":
        return c.get(k)
    if t == "list":
        return c.lrange(k, 0, -1)
    if t == "set":
        return sorted(c.smembers(k))
    if t == "zset":
        flat = c.execute_command("ZRANGE", k, 0, -1, "WITHSCORES")
        return list(zip(flat[0::2], flat[1::2]))
    if t == "hash":
        return sorted(c.hgetall(k).items())
    return None


def dataset_values(client, dbs=None):
    """{(db, key): (type, value)} with plain Python values (list; sorted
    list for sets; [(member, score string)] for zsets; sorted [(field,
    value)] for hashes), like Redis's csvdump: readable failure messages."""
    out = {}
    for c, db, k in each_key(client, dbs):
        t = c.type(k).decode()
        out[(db, k)] = (t, _value(c, k, t))
    return out


def dump_all(client):
    """{(db, key): (payload, pttl)} for every key."""
    out = {}
    for c, db, k in each_key(client):
        out[(db, k)] = (c.dump(k), c.pttl(k))
    return out


def restore_all(client, dumps, replace=False):
    conns = {}
    try:
        for (db, k), (p, pttl) in dumps.items():
            if db not in conns:
                conns[db] = conn(client, db)
            conns[db].restore(k, max(pttl, 0), p, replace=replace)
    finally:
        for c in conns.values():
            c.close()


def encodings(client, expect):
    """{(db, key): OBJECT ENCODING} for the keys of `expect`."""
    out = {}
    for db in sorted({db for db, _ in expect}):
        c = conn(client, db)
        for (d, k) in expect:
            if d == db:
                out[(d, k)] = (c.object("encoding", k) or b"").decode()
        c.close()
    return out


def diff_digests(a, b):
    """A readable difference between two dataset_digest() results."""
    lines = []
    ka, kb = a[1], b[1]
    for k in sorted(set(ka) | set(kb)):
        if ka.get(k) != kb.get(k):
            lines.append("%r: %r != %r" % (k, ka.get(k), kb.get(k)))
    if a[0] != b[0]:
        lines.insert(0, "DEBUG DIGEST %r != %r" % (a[0], b[0]))
    return "\n".join(lines[:40])


def assert_same_dataset(a, b):
    assert a == b, diff_digests(a, b)
