"""Persistence interoperability: the server under test (VIREO_BIN) and the
reference redis-server 7.0.15 (REDIS_BIN) read each other's files and
payloads.

(a) the server under test saves every type and encoding; redis-check-rdb
    accepts the file and redis-server loads it into the same dataset;
(b) redis-server saves, the server under test loads the same dataset;
(c) DUMP from one, RESTORE into the other, both ways;
(d) the old-format files of Redis's test suite (assets/redis: zipmap,
    ziplist, RDB 3-10), loaded by both into the same dataset and encodings
    (Redis's convert-*-on-load.tcl cases included).

"The same dataset" is persistence_util.dataset_digest: DEBUG DIGEST plus,
per key, type, DEBUG DIGEST-VALUE, OBJECT ENCODING and TTL presence. With
VIREO_BIN=/usr/bin/redis-server these compare Redis with itself.
"""
import os
import re
import shutil
import subprocess

import pytest

from integ_util import HERE, REDIS_BIN, SLOW, VIREO_BIN
import persistence_util as pu
from persistence_util import DEBUG_ARGS

ASSETS = os.path.join(HERE, "assets", "redis")
CHECK_RDB = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"

needs_save = pytest.mark.requires_commands("save")
needs_dump = pytest.mark.requires_commands("dump", "restore")

# Settings of the saving server: each changes how values are written
# (LZF or not, a zero checksum, lists LZF-compressed in memory).
VARIANTS = {
    "default": [],
    "rdbcompression_no": ["--rdbcompression", "no"],
    "rdbchecksum_no": ["--rdbchecksum", "no"],
    "list_compress_depth_2": ["--list-compress-depth", "2"],
}


def start(server_factory, binary, d, *args):
    d.mkdir(exist_ok=True)
    return server_factory(args=DEBUG_ARGS + [str(a) for a in args], cwd=str(d), binary=binary)


def check_rdb(path):
    """redis-check-rdb's verdict: (AUX field names, {info name: count})."""
    p = subprocess.run([CHECK_RDB, path], capture_output=True, timeout=60 * SLOW)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert p.returncode == 0, out
    assert "\\o/ RDB looks OK! \\o/" in out, out
    aux = re.findall(r"AUX FIELD (\S+) = ", out)
    info = dict((k, int(v)) for v, k in re.findall(r"\[info\] (\d+) (.+)", out))
    return aux, info


def streams_for(*clients):
    """Streams go into the dataset only when every server has them."""
    return all(pu.has_command(c, "xadd") for c in clients)


def save_dataset(server_factory, binary, d, args, streams):
    """Start `binary` in `d`, fill it, SAVE; returns (digest, dump path)."""
    s = start(server_factory, binary, d, *args)
    c = s.client()
    pu.populate_all_types(c, streams=streams)
    c.execute_command("DEBUG", "POPULATE", 2000, "bulk", 50)
    digest = pu.dataset_digest(c)
    assert c.save() is True
    s.stop()
    return digest, os.path.join(str(d), "dump.rdb")


def load_copy(server_factory, binary, path, d):
    """Start `binary` on a copy of the RDB file `path`; returns its digest."""
    d.mkdir()
    shutil.copy(path, str(d / "dump.rdb"))
    s = start(server_factory, binary, d)
    c = s.client()
    pu.wait_loaded(c)
    return pu.dataset_digest(c)


def probe_streams(server_factory, tmp_path):
    s = start(server_factory, VIREO_BIN, tmp_path / "probe")
    try:
        return pu.has_command(s.client(), "xadd")
    finally:
        s.stop()


# ---------------------------------------------------------------------------
# (a) and (b): RDB files both ways
# ---------------------------------------------------------------------------

@needs_save
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("direction", ["redis_loads_ours", "we_load_redis"])
def test_rdb_file_across_servers(server_factory, tmp_path, direction, variant):
    streams = probe_streams(server_factory, tmp_path)
    saver, loader = (VIREO_BIN, REDIS_BIN) if direction == "redis_loads_ours" \
        else (REDIS_BIN, VIREO_BIN)
    saved, path = save_dataset(server_factory, saver, tmp_path / "saver",
                               VARIANTS[variant], streams)
    loaded = load_copy(server_factory, loader, path, tmp_path / "loader")
    pu.assert_same_dataset(saved, loaded)


@needs_save
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_check_rdb_accepts_our_rdb(server_factory, tmp_path, variant):
    """redis-check-rdb says OK, and reports the same aux fields and key /
    expire counts as for redis-server's file of the same dataset."""
    streams = probe_streams(server_factory, tmp_path)
    _, path = save_dataset(server_factory, VIREO_BIN, tmp_path / "ours",
                           VARIANTS[variant], streams)
    _, ref_path = save_dataset(server_factory, REDIS_BIN, tmp_path / "ref",
                               VARIANTS[variant], streams)
    aux, info = check_rdb(path)
    ref_aux, ref_info = check_rdb(ref_path)
    assert sorted(aux) == sorted(ref_aux)
    assert info == ref_info
    with open(path, "rb") as f:
        zero = f.read()[-8:] == b"\x00" * 8
    assert zero == (variant == "rdbchecksum_no")


@needs_save
def test_rdb_round_trip_through_both(server_factory, tmp_path):
    """ours -> redis loads and saves again -> ours loads: unchanged."""
    streams = probe_streams(server_factory, tmp_path)
    first, path = save_dataset(server_factory, VIREO_BIN, tmp_path / "ours",
                               [], streams)
    (tmp_path / "redis").mkdir()
    shutil.copy(path, str(tmp_path / "redis" / "dump.rdb"))
    ref = start(server_factory, REDIS_BIN, tmp_path / "redis")
    assert ref.client().save() is True
    ref.stop()
    again = load_copy(server_factory, VIREO_BIN, str(tmp_path / "redis" / "dump.rdb"),
                      tmp_path / "ours2")
    pu.assert_same_dataset(first, again)


# ---------------------------------------------------------------------------
# (c) DUMP / RESTORE both ways
# ---------------------------------------------------------------------------

@pytest.fixture
def both(server_factory, tmp_path):
    ours = start(server_factory, VIREO_BIN, tmp_path / "ours").client()
    ref = start(server_factory, REDIS_BIN, tmp_path / "ref").client()
    return ours, ref


@needs_dump
@pytest.mark.parametrize("direction", ["ours_to_redis", "redis_to_ours"])
def test_dump_restore_across_servers(both, direction):
    ours, ref = both
    src, dst = (ours, ref) if direction == "ours_to_redis" else (ref, ours)
    pu.populate_all_types(src, streams=streams_for(ours, ref))
    before = pu.dataset_digest(src)
    pu.restore_all(dst, pu.dump_all(src))
    pu.assert_same_dataset(before, pu.dataset_digest(dst))


@pytest.mark.requires_commands("migrate")
@pytest.mark.parametrize("direction", ["ours_to_redis", "redis_to_ours"])
def test_migrate_across_servers(both, direction):
    # MIGRATE ... KEYS between a Vireo and a Redis: every type arrives with
    # its TTL, the source keeps none of them.
    ours, ref = both
    src, dst = (ours, ref) if direction == "ours_to_redis" else (ref, ours)
    pu.populate_all_types(src, streams=streams_for(ours, ref))
    before = pu.dataset_digest(src, dbs=[0])
    keys = [k for k in src.scan_iter(count=1000)]
    port = dst.connection_pool.connection_kwargs["port"]
    assert src.execute_command("MIGRATE", "127.0.0.1", port, "", 0, 5000, "KEYS", *keys) == b"OK"
    assert src.dbsize() == 0
    # Per key (DEBUG DIGEST covers every db; only db 0 moved).
    assert before[1] == pu.dataset_digest(dst, dbs=[0])[1]


COMPACT = {b"int", b"embstr", b"raw", b"listpack", b"intset", b"quicklist"}


@needs_dump
def test_dump_payloads_identical_for_compact_encodings(both):
    """Values whose bytes have no hash-table order (strings, listpacks,
    intsets, quicklists) DUMP to the same payload on both servers."""
    ours, ref = both
    pu.populate_all_types(ours, streams=False)
    pu.populate_all_types(ref, streams=False)
    a, b = pu.dump_all(ours), pu.dump_all(ref)
    assert sorted(a) == sorted(b)
    _, keys = pu.dataset_digest(ours)
    for k, (p, _) in sorted(a.items()):
        if keys[k][2] in COMPACT:
            assert p == b[k][0], (k, keys[k][2], p[:60], b[k][0][:60])


# ---------------------------------------------------------------------------
# (d) Redis's old-format test files
# ---------------------------------------------------------------------------

# (file, extra args, {key: encoding the load must give}); the encodings are
# Redis's convert-*-on-load.tcl expectations.
LEGACY = [
    ("encodings.rdb", [], {}),
    ("list-quicklist.rdb", [], {b"list": b"quicklist"}),
    ("hash-zipmap.rdb", [], {b"hash": b"listpack"}),
    ("hash-zipmap.rdb", ["--hash-max-ziplist-entries", 1], {b"hash": b"hashtable"}),
    ("hash-zipmap.rdb", ["--hash-max-ziplist-value", 1], {b"hash": b"hashtable"}),
    ("hash-ziplist.rdb", [], {b"hash": b"listpack"}),
    ("hash-ziplist.rdb", ["--hash-max-ziplist-entries", 1], {b"hash": b"hashtable"}),
    ("zset-ziplist.rdb", [], {b"zset": b"listpack"}),
    ("zset-ziplist.rdb", ["--zset-max-ziplist-entries", 1], {b"zset": b"skiplist"}),
    ("scriptbackup.rdb", [], {}),
]


@needs_save
@pytest.mark.parametrize("name,args,want", LEGACY,
                         ids=["%s%s" % (n[:-4], "".join(str(a) for a in args[:1]))
                              for n, args, _ in LEGACY])
def test_legacy_rdb_same_as_redis(server_factory, tmp_path, name, args, want):
    digests = {}
    for label, binary in (("ours", VIREO_BIN), ("redis", REDIS_BIN)):
        d = tmp_path / label
        d.mkdir()
        shutil.copy(os.path.join(ASSETS, name), str(d))
        s = start(server_factory, binary, d, "--dbfilename", name, *args)
        c = s.client()
        pu.wait_loaded(c)
        digests[label] = pu.dataset_digest(c)
        for key, enc in want.items():
            assert c.object("encoding", key) == enc, (label, key)
        if name.startswith("hash-"):
            assert c.hlen("hash") == 2
            assert c.hmget("hash", "f1", "f2") == [b"v1", b"v2"]
        if name.startswith("zset-"):
            assert c.zrange("zset", 0, -1, withscores=True) == [(b"one", 1.0), (b"two", 2.0)]
        s.stop()
    pu.assert_same_dataset(digests["redis"], digests["ours"])
