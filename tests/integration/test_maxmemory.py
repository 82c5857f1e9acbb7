"""maxmemory, key eviction and client eviction: Redis's
tests/unit/maxmemory.tcl and tests/unit/client-eviction.tcl cases ported
(each names its source), plus checks of which keys each policy removes.

Limits are set relative to the server's own used_memory (as maxmemory.tcl
does: "used + 100k"), so the same tests hold for Vireo and redis-server,
whose base memory differ.

Not here: the "evicted" keyspace event (needs SUBSCRIBE / pub/sub, which
the coordinator adds) and the propagation cases (need a replica).
"""
import random
import re
import socket
import time

import pytest
import redis

from integ_util import SLOW, wait_for

ALL_POLICIES = ["allkeys-random", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu",
                "volatile-random", "volatile-ttl"]
OOM = "OOM command not allowed when used memory > 'maxmemory'."


def used(r):
    return r.info("memory")["used_memory"]


def rand_key():
    return "key:%d" % random.randrange(10**9)


def set_limit(r, policy, extra=100 * 1024):
    r.flushall()
    r.config_set("maxmemory-policy", policy)
    # warm up the first-use allocations (tables, buffers) before measuring
    r.setex("warmup", 10000, "x")
    r.set("warmup2", "x")
    r.delete("warmup", "warmup2")
    limit = used(r) + extra
    r.config_set("maxmemory", limit)
    return limit


def fill_until(r, limit, setter):
    """Adds keys with setter(key) until used_memory is 4 KB from the limit
    (maxmemory.tcl's loop); returns the number of keys added."""
    n = 0
    while True:
        setter(rand_key())
        n += 1
        if used(r) + 4096 > limit:
            assert n > 10
            return n


def pipe(r, cmds):
    """Runs (method, args...) tuples in one non-transactional pipeline."""
    p = r.pipeline(transaction=False)
    for name, *args in cmds:
        getattr(p, name)(*args)
    p.execute()


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True)
    yield c
    c.close()


# ---------------------------------------------------------------------------
# maxmemory.tcl
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_limit_honoured(r, policy):
    # maxmemory.tcl: "maxmemory - is the memory limit honoured? (policy $policy)"
    limit = set_limit(r, policy)
    n = fill_until(r, limit, lambda k: r.setex(k, 10000, "x"))
    for _ in range(n):
        r.setex(rand_key(), 10000, "x")
    assert used(r) < limit + 4096
    assert r.info("stats")["evicted_keys"] > 0


@pytest.mark.parametrize("policy", ["allkeys-random", "allkeys-lru", "volatile-lru",
                                    "volatile-random", "volatile-ttl"])
def test_only_allkeys_remove_non_volatile(r, policy):
    # maxmemory.tcl: "maxmemory - only allkeys-* should remove non-volatile keys ($policy)"
    limit = set_limit(r, policy)
    n = fill_until(r, limit, lambda k: r.set(k, "x"))
    err = False
    for _ in range(n):
        try:
            r.set(rand_key(), "x")
        except redis.exceptions.ResponseError as e:
            if "used memory" in str(e):
                err = True
    if policy.startswith("allkeys-"):
        assert used(r) < limit + 4096
    else:
        assert err


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policy_only_removes_volatile(r, policy):
    # maxmemory.tcl: "maxmemory - policy $policy should only remove volatile keys."
    limit = set_limit(r, policy)
    n = 0
    while True:
        # half the keys with a TTL, half without
        r.set("key:%d" % n, "x")
        r.setex("vkey:%d" % n, 10000, "x")
        n += 1
        if used(r) + 4096 > limit:
            assert n > 10
            break
    for _ in range(n):
        r.setex(rand_key(), 10000, "x")
    assert used(r) < limit + 4096
    # every non-volatile key is still there
    for j in range(n):
        assert r.exists("key:%d" % j), "non-volatile key:%d evicted" % j


def test_volatile_ttl_evicts_shortest_ttl_first(r):
    # Not in maxmemory.tcl: volatile-ttl's pool ranks the nearest expire
    # best, so the keys with short TTLs go before the long ones.
    r.config_set("maxmemory-policy", "volatile-ttl")
    r.flushall()
    base = used(r)
    p = r.pipeline(transaction=False)
    for j in range(2000):
        p.setex("short:%d" % j, 1000 + j, "x" * 50)
        p.setex("long:%d" % j, 1000000 + j, "x" * 50)
    p.execute()
    grown = used(r) - base
    # make a quarter of the dataset's memory go away
    r.config_set("maxmemory", base + grown * 3 // 4)
    r.set("trigger", "x")  # a command runs the eviction
    wait_for(lambda: used(r) <= base + grown * 3 // 4 + 4096, timeout=5 * SLOW)
    short_left = sum(1 for j in range(2000) if r.exists("short:%d" % j))
    long_left = sum(1 for j in range(2000) if r.exists("long:%d" % j))
    assert long_left > 1900, (short_left, long_left)
    assert short_left < 1700, (short_left, long_left)


def test_lru_keeps_recently_read_keys(r):
    # The LRU policy: keys read after a pause (the LRU clock ticks in
    # seconds) survive an eviction wave that removes most untouched keys.
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.flushall()
    pipe(r, (("set", "k:%d" % j, "x" * 100) for j in range(5000)))
    base_used = used(r)
    time.sleep(2.1)
    hot = range(0, 5000, 10)  # 500 keys
    pipe(r, (("get", "k:%d" % j) for j in hot))
    r.config_set("maxmemory", base_used)
    pipe(r, (("set", "new:%d" % j, "x" * 100) for j in range(3000)))
    assert r.info("stats")["evicted_keys"] > 2000
    hot_left = sum(1 for j in hot if r.exists("k:%d" % j))
    cold_left = sum(1 for j in range(5000) if j % 10 and r.exists("k:%d" % j))
    assert hot_left >= 450, hot_left
    assert cold_left < 4500 * 0.6, cold_left


def test_lfu_keeps_frequently_read_keys(r):
    # The LFU policy: keys read many times have a higher counter than new
    # keys (LFU_INIT_VAL) and survive the eviction of the rest.
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.flushall()
    pipe(r, (("set", "k:%d" % j, "x" * 100) for j in range(3000)))
    hot = range(0, 3000, 10)  # 300 keys
    pipe(r, (("get", "k:%d" % j) for _ in range(30) for j in hot))
    assert r.object("freq", "k:0") > 5
    r.config_set("maxmemory", used(r))
    pipe(r, (("set", "new:%d" % j, "x" * 100) for j in range(3000)))
    assert r.info("stats")["evicted_keys"] > 2000
    hot_left = sum(1 for j in hot if r.exists("k:%d" % j))
    assert hot_left >= 290, hot_left


def test_config_set_maxmemory_below_usage_evicts_at_once(r):
    # Redis's updateMaxmemory starts the eviction timer: memory goes under
    # the new limit without any further command.
    r.config_set("maxmemory-policy", "allkeys-random")
    pipe(r, (("set", "k:%d" % j, "x" * 100) for j in range(20000)))
    before = used(r)
    limit = before - 1024 * 1024
    r.config_set("maxmemory", limit)
    # INFO itself is not a deny-oom command and runs fine; the keys are gone
    wait_for(lambda: used(r) <= limit, timeout=5 * SLOW)
    assert r.dbsize() < 20000


def test_noeviction_rejects_denyoom_commands(r):
    r.config_set("maxmemory-policy", "noeviction")
    r.set("a", "1")
    r.config_set("maxmemory", 1)
    with pytest.raises(redis.exceptions.ResponseError, match="^" + OOM.replace(".", r"\.") + "$"):
        r.set("b", "x")
    with pytest.raises(redis.exceptions.ResponseError, match="OOM"):
        r.incr("a")
    # reads and non-deny-oom writes still run
    assert r.get("a") == "1"
    assert r.delete("a") == 1
    assert r.info("stats")["evicted_keys"] == 0
    assert "errorstat_OOM" in r.info("errorstats")
    r.config_set("maxmemory", 0)
    assert r.set("b", "x")


def test_oom_in_multi(srv, r):
    # processCommand's reject_cmd_on_oom: inside MULTI every command but
    # EXEC/DISCARD/QUIT/RESET is refused, which aborts the EXEC.
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory", 1)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    try:
        s.sendall(b"MULTI\r\nGET a\r\nEXEC\r\nMULTI\r\nDISCARD\r\n")
        want = (b"+OK\r\n-" + OOM.encode() + b"\r\n"
                b"-EXECABORT Transaction discarded because of previous errors.\r\n"
                b"+OK\r\n+OK\r\n")
        got = b""
        deadline = time.time() + 5
        while len(got) < len(want) and time.time() < deadline:
            got += s.recv(4096)
        assert got == want
    finally:
        s.close()


def test_oom_at_exec_with_denyoom_commands_queued(srv, r):
    # EXEC is refused (execCommandAbort) when it holds deny-oom commands
    # and memory went over the limit after they were queued.
    r.config_set("maxmemory-policy", "noeviction")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    try:
        s.sendall(b"MULTI\r\nSET a b\r\n")
        got = b""
        while got.count(b"\r\n") < 2:
            got += s.recv(4096)
        assert got == b"+OK\r\n+QUEUED\r\n"
        r.config_set("maxmemory", 1)
        s.sendall(b"EXEC\r\n")
        want = b"-EXECABORT Transaction discarded because of: " + OOM.encode() + b"\r\n"
        got = b""
        while not got.endswith(b"\r\n"):
            got += s.recv(4096)
        assert got == want
        r.config_set("maxmemory", 0)
        assert r.exists("a") == 0
    finally:
        s.close()


def test_exec_without_denyoom_commands_runs_under_oom(srv, r):
    r.config_set("maxmemory-policy", "noeviction")
    r.set("a", "1")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    try:
        s.sendall(b"MULTI\r\nGET a\r\n")
        got = b""
        while got.count(b"\r\n") < 2:
            got += s.recv(4096)
        r.config_set("maxmemory", 1)
        s.sendall(b"EXEC\r\n")
        got = b""
        while got.count(b"\r\n") < 3:
            got += s.recv(4096)
        assert got == b"*1\r\n$1\r\n1\r\n"
    finally:
        s.close()
        r.config_set("maxmemory", 0)


def test_lazyfree_eviction(r):
    # lazyfree-lazy-eviction: big values are freed by the lazyfree thread
    # and the limit is still honoured; evictions propagate as UNLINK.
    r.config_set("lazyfree-lazy-eviction", "yes")
    limit = set_limit(r, "allkeys-lru", extra=2 * 1024 * 1024)
    n = 0
    while used(r) + 64 * 1024 < limit:
        r.sadd("set:%d" % n, *["member-%d" % i for i in range(200)])
        n += 1
    for j in range(n):
        try:
            r.sadd("more:%d" % j, *["member-%d" % i for i in range(200)])
        except redis.exceptions.ResponseError as e:
            # Why: when the lazyfree thread lags, everything sampled is
            # already evicted and the short wait for the thread ends:
            # Redis then answers -OOM too (performEvictions's cant_free).
            assert str(e) == OOM
    wait_for(lambda: used(r) < limit + 64 * 1024, timeout=5 * SLOW)
    assert r.info("stats")["evicted_keys"] > 0
    assert r.info("memory")["lazyfree_pending_objects"] >= 0


def test_info_fields(r):
    mem = r.info("memory")
    assert mem["maxmemory"] == 0
    assert mem["maxmemory_policy"] == "noeviction"
    assert mem["mem_not_counted_for_evict"] == 0
    st = r.info("stats")
    for f in ("evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
              "current_eviction_exceeded_time"):
        assert f in st
    r.config_set("maxmemory-policy", "allkeys-lfu")
    assert r.info("memory")["maxmemory_policy"] == "allkeys-lfu"


def test_eviction_exceeded_time_counts_while_over(r):
    r.config_set("maxmemory-policy", "noeviction")
    r.set("a", "x")
    r.config_set("maxmemory", 1)
    with pytest.raises(redis.exceptions.ResponseError):
        r.set("b", "x")
    time.sleep(0.05)
    assert r.info("stats")["current_eviction_exceeded_time"] > 0
    # Why: with maxmemory 0 processCommand never calls performEvictions,
    # so the metric only stops once a command finds memory under a limit.
    r.config_set("maxmemory", 1 << 30)
    r.set("b", "x")
    st = r.info("stats")
    assert st["current_eviction_exceeded_time"] == 0
    assert st["total_eviction_exceeded_time"] > 0


def test_object_freq(r):
    # OBJECT FREQ needs an LFU policy; the counter starts at LFU_INIT_VAL
    # and grows with accesses.
    r.set("k", "v")
    with pytest.raises(redis.exceptions.ResponseError, match="LFU maxmemory policy is not"):
        r.object("freq", "k")
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.set("k2", "v")
    f0 = r.object("freq", "k2")
    for _ in range(200):
        r.get("k2")
    assert r.object("freq", "k2") > f0
    r.config_set("lfu-log-factor", 0)
    for _ in range(100):
        r.get("k2")
    assert r.object("freq", "k2") > 100


# ---------------------------------------------------------------------------
# client-eviction.tcl
# ---------------------------------------------------------------------------

MAXMEMORY_CLIENTS = 3 * 1024 * 1024


def client_exists(r, name):
    return any(c.get("name") == name for c in r.client_list())


def gen_client(srv, name):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(b"CLIENT SETNAME %s\r\n" % name.encode())
    assert s.recv(64) == b"+OK\r\n"
    return s


def test_client_evicted_due_to_large_query_buf(srv, r):
    # client-eviction.tcl: "client evicted due to large query buf"
    r.config_set("maxmemory-clients", MAXMEMORY_CLIENTS)
    r.client_no_evict("on")
    s = gen_client(srv, "big")
    try:
        try:
            s.sendall(b"*1\r\n$%d\r\n" % MAXMEMORY_CLIENTS + b"v" * MAXMEMORY_CLIENTS)
        except OSError:
            pass  # evicted while sending
        wait_for(lambda: not client_exists(r, "big"), timeout=5 * SLOW)
        assert r.info("stats")["evicted_clients"] == 1
    finally:
        s.close()


@pytest.mark.parametrize("no_evict", ["on", "off"])
def test_client_no_evict(srv, r, no_evict):
    # client-eviction.tcl: "client no-evict $no_evict"
    r.config_set("maxmemory-clients", MAXMEMORY_CLIENTS)
    r.client_setname("control")
    r.client_no_evict("on")
    s = gen_client(srv, "rr")
    try:
        s.sendall(b"CLIENT NO-EVICT %s\r\n" % no_evict.encode())
        assert s.recv(64) == b"+OK\r\n"
        size = MAXMEMORY_CLIENTS + 1
        try:
            s.sendall(b"*1\r\n$%d\r\n" % size + b"v" * size)
        except OSError:
            pass
        if no_evict == "off":
            wait_for(lambda: not client_exists(r, "rr"), timeout=5 * SLOW)
        else:
            def qbuf_full():
                for c in r.client_list():
                    if c.get("name") == "rr":
                        return int(c["qbuf"]) == size
                return False
            wait_for(qbuf_full, timeout=5 * SLOW)
            info = [c for c in r.client_list() if c.get("name") == "rr"][0]
            assert int(info["tot-mem"]) > MAXMEMORY_CLIENTS
    finally:
        s.close()


def test_client_evicted_due_to_percentage_of_maxmemory(srv, r):
    # client-eviction.tcl: "client evicted due to percentage of maxmemory"
    r.config_set("maxmemory", 16 * 1024 * 1024)
    r.config_set("maxmemory-clients", "20%")  # 3.2 MB
    r.client_no_evict("on")
    s = gen_client(srv, "pct")
    try:
        size = 4 * 1024 * 1024
        try:
            s.sendall(b"*1\r\n$%d\r\n" % size + b"v" * size)
        except OSError:
            pass
        wait_for(lambda: not client_exists(r, "pct"), timeout=5 * SLOW)
    finally:
        s.close()
        r.config_set("maxmemory", 0)


def test_evicted_client_smaller_ones_survive(srv, r):
    # client-eviction.tcl: "evict clients in right order (large to small)",
    # reduced: one big client goes, the small ones stay.
    r.config_set("maxmemory-clients", MAXMEMORY_CLIENTS)
    r.client_no_evict("on")
    small = [gen_client(srv, "small%d" % i) for i in range(3)]
    big = gen_client(srv, "big")
    try:
        size = 2 * 1024 * 1024
        # small ones hold 200 KB of query buffer each
        for s in small:
            s.sendall(b"*1\r\n$%d\r\n" % (300 * 1024) + b"v" * (200 * 1024))
        wait_for(lambda: len([c for c in r.client_list()
                              if c.get("name", "").startswith("small")
                              and int(c["qbuf"]) >= 200 * 1024]) == 3, timeout=5 * SLOW)
        try:
            big.sendall(b"*1\r\n$%d\r\n" % (size * 2) + b"v" * size)
        except OSError:
            pass
        wait_for(lambda: not client_exists(r, "big"), timeout=5 * SLOW)
        assert all(client_exists(r, "small%d" % i) for i in range(3))
    finally:
        for s in small + [big]:
            s.close()


def test_evicted_keyspace_event(srv, r):
    # Each evicted key is notified as "evicted" (class 'e'), as Redis's
    # performEvictions does (notifyKeyspaceEvent NOTIFY_EVICTED).
    r.config_set("notify-keyspace-events", "Ee")
    sub = srv.client(decode_responses=True)
    ps = sub.pubsub()
    ps.subscribe("__keyevent@0__:evicted")
    assert ps.get_message(timeout=5)["type"] == "subscribe"
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.set("victim", "x")
    r.config_set("maxmemory", 1)
    r.get("victim")  # any command runs the eviction first
    msg = ps.get_message(timeout=5)
    assert msg is not None and msg["type"] == "message"
    assert msg["channel"] == "__keyevent@0__:evicted"
    assert msg["data"] == "victim"
    r.config_set("maxmemory", 0)
    ps.close()
    sub.close()


def test_client_tracking_does_not_cause_eviction_feedback_loop(srv, r):
    # maxmemory.tcl: "client tracking don't cause eviction feedback loop":
    # the invalidation messages an eviction sends must not count against
    # the memory it freed, or eviction drains the database.
    r.config_set("latency-tracking", "no")
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory-eviction-tenacity", 100)
    clients = []
    for _ in range(10):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"HELLO 3\r\nCLIENT TRACKING on\r\n")
        got = b""
        while not got.endswith(b"+OK\r\n"):
            got += s.recv(65536)
        clients.append(s)
    keys = ["%d%s" % (j, "x" * 1000) for j in range(300)]
    pipe(r, (("set", k, "x") for k in keys))
    get = b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k.encode()) for k in keys)
    for s in clients:
        s.sendall(get)
        got = b""
        while got.count(b"$1\r\nx\r\n") < 300:
            got += s.recv(1 << 20)
    time.sleep(1.1)  # the cron trims the clients' query buffers
    limit = used(r) - 40000
    r.config_set("maxmemory", limit)
    evicted = r.info("stats")["evicted_keys"]
    assert 200 <= r.dbsize() <= 300
    assert 10 <= evicted <= 50, evicted
    for s in clients:
        assert s.recv(65536)  # invalidation messages are waiting
        s.close()


def test_debug_client_eviction(server_factory, tmp_path):
    # DEBUG CLIENT-EVICTION: Redis's table of client memory buckets, an
    # error while maxmemory-clients is 0.
    s = server_factory(args=["--enable-debug-command", "yes"], cwd=str(tmp_path))
    r = s.client(decode_responses=True)
    with pytest.raises(redis.exceptions.ResponseError, match="^maxmemory-clients is disabled.$"):
        r.execute_command("DEBUG", "CLIENT-EVICTION")
    r.config_set("maxmemory-clients", "10mb")
    lines = r.execute_command("DEBUG", "CLIENT-EVICTION").splitlines()
    assert len(lines) == 19
    assert lines[0].startswith("bucket          0 -      32767: tot-mem: ")
    assert lines[-1].startswith("bucket 4294967296+            : tot-mem: ")
    assert all(re.match(r"^bucket .{10}.{15}tot-mem: +\d+, clients: \d+$", x) for x in lines)
    r.close()
