#!/usr/bin/python3
"""Cluster mode: vireo-server vs redis-server (issue 12's performance figures).

Owns the issue-12 benchmarks: what cluster mode costs on one node
(throughput, memory per key) and what moving slots costs the clients (the
time of a reshard under load and the errors they see; other clients'
latency while a slot holding one big value moves). Every node is the usual
common.Server command line plus `cluster-enabled yes`, its own
nodes.conf, a free `cluster-port` (the bus) and `cluster-node-timeout
15000`; all nodes on CPU 0, every client (redis-benchmark, redis-cli, the
load processes) on CPU 1. A cluster is always one binary.

  set-get-p16   one node per server, CLUSTER ADDSLOTSRANGE 0 16383 (it owns
                every slot, so every key of redis-benchmark lands on it),
                started together and used for the whole part; redis-benchmark
                -t set / -t get -c 50 -P 16 -d 100 -r 1000000 -n N
                (compare.py's set-p16 and get-p16) against each, alternating
                (vireo, redis, vireo, ...) for --rounds rounds. Target: ops/s
                vireo >= 1.20x redis.
  memory        the same single nodes, before the benchmarks: used_memory
                (and RSS) before and after --keys SETs key:<i> -> a 100-byte
                value (memory.py's strings100, pipelined), divided by the
                keys; then FLUSHALL. Target: vireo <= redis.
  reshard       per round and server a fresh 3-master cluster (the slot
                ranges of redis-cli --cluster create, formed with
                SET-CONFIG-EPOCH, ADDSLOTSRANGE and MEET; used once every
                node reports cluster_state:ok and all agree on the owners);
                --keys-per-slot keys `r:{<tag>}:<j>` (100-byte values) in
                each of the first --slots slots of the third master, then
                `redis-cli --cluster reshard <it> --cluster-from <it>
                --cluster-to <the first> --cluster-slots <--slots>
                --cluster-yes`, timed (the wall time of redis-cli), while a
                separate process SETs and GETs those keys in a closed loop
                through a cluster client that follows MOVED (updating its
                slot map) and ASK (ASKING first) and checks every GET against
                the last value it wrote. Afterwards every node must agree on
                the new owner and every key must be on the target. Reported:
                the time (target: vireo <= redis) and the errors the client
                saw (error replies other than MOVED / ASK / TRYAGAIN, lost
                connections, wrong values; target 0), redirections and ops.
  zset-move     on the same cluster after the reshard (a fresh one when
                reshard is not run): one sorted set of --members members
                (ZADD of 1,000 per command) in the first slot the third
                master still owns; an open-loop GET load (latency.py's, one
                connection, --rate GETs/s) on another key of that master;
                after --quiet s `redis-cli --cluster reshard ...
                --cluster-slots 1` moves that slot (SETSLOT, MIGRATE of the
                one key, SETSLOT NODE). Reported: the move's time and the
                GETs' p99 / max from its start to its end (at least
                --min-window s), the quiet period's p99 (the floor); issue
                12's aim: p99 <= 10 ms on vireo.

Figures are medians over the rounds, ratios vireo/redis the medians of the
per-round ratios.

  bench/compare/cluster.py                    # 1M keys, 1000 slots x 100 keys, 1M-member zset, 3 rounds
  bench/compare/cluster.py --quick            # a few seconds per part (smoke)
  bench/compare/cluster.py --only reshard,zset-move --rounds 5
  bench/compare/cluster.py --vireo /usr/bin/redis-server   # both sides Redis: checks the tool
"""
import collections
import multiprocessing
import os
import random
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import compare  # noqa: E402
import latency  # noqa: E402
import memory  # noqa: E402
from common import fmt_num, fmt_ratio, log, median, ratio  # noqa: E402
from persistence import REDIS_CLI  # noqa: E402
from sentinel import Err, Resp  # noqa: E402

PARTS = ["set-get-p16", "memory", "reshard", "zset-move"]
WORKLOADS = [("set-p16", "set", 50, 16), ("get-p16", "get", 50, 16)]  # compare.py's
SLOTS = 16384
MASTERS = 3
SRC, DST = 2, 0  # the reshard's source (owns latency.GET_KEY's slot 16099) and target
NODE_TIMEOUT_MS = 15000
ZSET_CHUNK = 1000
ZSET_TARGET_MS = 10.0
NOT_MEASURED = "not measured (cluster.py not run)"
POLL = 0.05


# ---- hash slots -----------------------------------------------------------------

def _crc_table():
    t = []
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
        t.append(c & 0xFFFF)
    return t


CRC_TABLE = _crc_table()


def key_slot(key):
    """CRC16-XMODEM of the key, or of its first non-empty {tag}, mod 16384."""
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        if e > s + 1:  # Why: "{}" hashes the whole key (Redis's keyHashSlot)
            key = key[s + 1:e]
    crc = 0
    for b in key:
        crc = ((crc << 8) & 0xFFFF) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xFF]
    return crc % SLOTS


def tags_for(slots):
    """{slot: a short hash tag that maps to it}, by trying the integers."""
    want, out, i = set(slots), {}, 0
    while want:
        t = b"%d" % i
        s = key_slot(t)
        if s in want:
            out[s] = t
            want.discard(s)
        i += 1
    return out


# ---- nodes and clusters -----------------------------------------------------------

class Node(common.Server):
    """A cluster-enabled server; its bus on a free port of its own (Why
    cluster-port: the default, port + 10000, may be taken, and free_port
    only checks the client port)."""

    def __init__(self, name, binary, hz):
        self.bus_port = common.free_port()
        super().__init__(name, binary, hz=hz, extra=[
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-port", str(self.bus_port),
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS)])
        self.id = self.command("CLUSTER", "MYID").decode()

    def call(self, *args, timeout=30.0):
        c = Resp(self.port, timeout=timeout)
        try:
            return c.call(*args)
        finally:
            c.close()

    def ok(self, *args):
        r = self.call(*args)
        if isinstance(r, Err):
            raise RuntimeError(f"{self.name}: {' '.join(map(str, args))}: {r}")
        return r

    def cluster_info(self):
        return dict(ln.split(":", 1) for ln in self.ok("CLUSTER", "INFO").splitlines() if ":" in ln)

    def view(self):
        return parse_nodes(self.ok("CLUSTER", "NODES"))

    def dbsize(self):
        return self.ok("DBSIZE")


def parse_nodes(text):
    """CLUSTER NODES as {id: (port, flags, link, [slot fields])}."""
    out = {}
    for line in text.splitlines():
        f = line.split(" ")
        if len(f) >= 8:
            out[f[0]] = (int(f[1].split("@")[0].rsplit(":", 1)[1]), f[2], f[7], f[8:])
    return out


def slot_ranges(n):
    """redis-cli --cluster create's split of the 16384 slots over n masters."""
    out, first, cursor, per = [], 0, 0.0, SLOTS / n
    for i in range(n):
        last = SLOTS - 1 if i == n - 1 else int(cursor + per - 1 + 0.5)
        out.append((first, last))
        first, cursor = last + 1, cursor + per
    return out


def owned(fields):
    out = set()
    for s in fields:
        if not s.startswith("["):  # a migrating / importing mark, not ownership
            a, _, b = s.partition("-")
            out.update(range(int(a), int(b or a) + 1))
    return out


def wait_agreed(nodes, timeout):
    """Until every node reports cluster_state:ok, knows all the others
    (connected, no handshake / fail flag), no slot is migrating and all
    views give the same owners (what redis-cli --cluster checks first).
    Returns {node id: owned slots} and the seconds waited."""
    t0 = time.perf_counter()
    while True:
        views, why = [n.view() for n in nodes], None
        for n, v in zip(nodes, views):
            if n.cluster_info().get("cluster_state") != "ok":
                why = f"{n.name}: cluster_state not ok"
            elif len(v) != len(nodes) or any(
                    link != "connected" or set(flags.split(",")) & {"handshake", "fail", "fail?", "noaddr"}
                    or any(s.startswith("[") for s in sl) for _, flags, link, sl in v.values()):
                why = f"{n.name}: {sorted((p, fl, ln) for p, fl, ln, _ in v.values())}"
        owners = [{i: frozenset(owned(x[3])) for i, x in v.items()} for v in views]
        if why is None and all(o == owners[0] for o in owners):
            return owners[0], time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"cluster not agreed after {timeout}s: {why or 'slot owners differ'}")
        time.sleep(POLL)


class Cluster:
    """n masters of one binary, the slots split as redis-cli --cluster create does."""

    def __init__(self, label, binary, n, args):
        self.label, self.nodes = label, []
        try:
            self.nodes = [Node(f"{label}-node{i}", binary, args.hz) for i in range(n)]
            for i, (node, (a, b)) in enumerate(zip(self.nodes, slot_ranges(n))):
                # Why distinct epochs (as redis-cli create sets them): equal
                # ones would wait for the bus's epoch collision resolution.
                node.ok("CLUSTER", "SET-CONFIG-EPOCH", i + 1)
                node.ok("CLUSTER", "ADDSLOTSRANGE", a, b)
            first = self.nodes[0]
            for node in self.nodes[1:]:
                node.ok("CLUSTER", "MEET", "127.0.0.1", first.port, first.bus_port)
            _, self.formed_s = wait_agreed(self.nodes, args.timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for n in self.nodes:
            n.stop()


def single_node(name, binary, args):
    """One node owning all 16384 slots, cluster_state:ok."""
    node = Node(name, binary, args.hz)
    try:
        node.ok("CLUSTER", "ADDSLOTSRANGE", 0, SLOTS - 1)
        wait_agreed([node], args.timeout)
    except BaseException:
        node.stop()
        raise
    return node


def reshard(src, dst, nslots, timeout):
    """redis-cli --cluster reshard of src's first nslots slots to dst; its wall time, s."""
    cmd = common.pin([REDIS_CLI, "--cluster", "reshard", f"127.0.0.1:{src.port}",
                      "--cluster-from", src.id, "--cluster-to", dst.id,
                      "--cluster-slots", str(nslots), "--cluster-yes"], common.CLIENT_CPU)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0 or "[ERR]" in p.stdout:
        raise RuntimeError(f"redis-cli --cluster reshard failed (rc={p.returncode}):\n"
                           f"{p.stdout[-2000:]}\n{p.stderr[-1000:]}\n{src.tail_log()}\n{dst.tail_log()}")
    return wall


# ---- a cluster client for the reshard load ---------------------------------------------

class ClientError(Exception):
    pass


class ClusterClient:
    """One connection per node, a slot map from CLUSTER NODES; follows MOVED
    (and updates the map) and ASK (ASKING, then the command, on that node)."""

    def __init__(self, port):
        self.conns, self.slots = {}, [port] * SLOTS
        self.count = collections.Counter()
        for p, _, _, fields in parse_nodes(self._conn(port).call("CLUSTER", "NODES")).values():
            for s in owned(fields):
                self.slots[s] = p

    def _conn(self, port):
        c = self.conns.get(port)
        if c is None:
            c = self.conns[port] = Resp(port, timeout=60)
        return c

    def call(self, slot, *args):
        port, asking = self.slots[slot], False
        for _ in range(16):
            c = self._conn(port)
            try:
                if asking:
                    c.call("ASKING")
                r = c.call(*args)
            except OSError as e:
                self.conns.pop(port).close()
                raise ClientError(f"connection to {port}: {e}")
            if not isinstance(r, Err):
                return r
            kind, _, rest = r.partition(" ")
            if kind == "MOVED":
                s, addr = rest.split(" ")
                port = self.slots[int(s)] = int(addr.rsplit(":", 1)[1])
                asking = False
            elif kind == "ASK":
                port, asking = int(rest.split(" ")[1].rsplit(":", 1)[1]), True
            elif kind == "TRYAGAIN":
                time.sleep(0.001)
            else:
                raise ClientError(r)
            self.count[kind.lower()] += 1
        raise ClientError(f"more than 16 redirections for slot {slot}")


def _reshard_load(port, keys, value, cpu, stop, out):
    """Child process: SET / GET of random keys until `stop`, then a check of
    every key it wrote; sends its counters and latencies on `out`."""
    try:
        os.sched_setaffinity(0, {int(cpu)})
    except (AttributeError, OSError, ValueError):
        pass
    rng = random.Random(12)
    cl = ClusterClient(port)
    slots = [key_slot(k) for k in keys]
    written, lat, errors, samples = {}, [], 0, []
    initial = value.decode()
    n = 0
    while not stop.is_set():
        i = rng.randrange(len(keys))
        t0 = time.perf_counter()
        try:
            if n % 2 == 0:
                v = "w:%d" % n
                r = cl.call(slots[i], "SET", keys[i], v)
                if r != "OK":
                    raise ClientError(f"SET answered {r!r}")
                written[i] = v
            else:
                r = cl.call(slots[i], "GET", keys[i])
                if r != written.get(i, initial):
                    raise ClientError(f"GET {keys[i]!r}: {str(r)[:40]!r}, wrote {written.get(i, initial)[:40]!r}")
        except ClientError as e:
            errors += 1
            if len(samples) < 5:
                samples.append(str(e)[:200])
        lat.append((t0, time.perf_counter() - t0))
        n += 1
    lost = 0
    for i, v in written.items():
        try:
            if cl.call(slots[i], "GET", keys[i]) != v:
                lost += 1
        except ClientError:
            lost += 1
    out.send({"ops": n, "errors": errors, "error_samples": samples, "lost": lost,
              "checked": len(written), "redirects": dict(cl.count), "lat": lat})


def run_load(port, keys, value):
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    rx, tx = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_reshard_load, args=(port, keys, value, common.CLIENT_CPU, stop, tx), daemon=True)
    p.start()
    return p, stop, rx


# ---- the parts ------------------------------------------------------------------

def measure_memory(node, args):
    """used_memory / RSS growth per key over memory.py's strings100 load, then FLUSHALL."""
    time.sleep(args.settle)
    before = memory.snapshot(node)
    t0 = time.perf_counter()
    common.pipeline_load(node.port, memory.dataset_commands("strings100", args.keys))
    load_s = time.perf_counter() - t0
    time.sleep(args.settle)
    if node.dbsize() != args.keys:
        raise RuntimeError(f"{node.name}: DBSIZE {node.dbsize()} after loading {args.keys} keys")
    after = memory.snapshot(node)
    node.ok("FLUSHALL")
    out = {"before": before, "after": after, "load_s": load_s,
           "used_per_key": (after["used_memory"] - before["used_memory"]) / args.keys,
           "rss_per_key": (after["rss"] - before["rss"]) / args.keys}
    log(f"[cluster memory] {node.name}: used_memory {before['used_memory']:,} -> {after['used_memory']:,}"
        f" ({out['used_per_key']:.1f} B/key), RSS {before['rss']:,} -> {after['rss']:,}")
    return out


def run_single(servers, args):
    """memory, then set-get-p16, on one single-node cluster per server."""
    nodes, out = {}, {}
    try:
        for name, binary in servers:
            nodes[name] = single_node(f"{name}-single", binary, args)
        if "memory" in args.parts:
            m = {name: measure_memory(node, args) for name, node in nodes.items()}
            for k in ("used_per_key", "rss_per_key"):
                m[f"ratio_{k}"] = ratio(m["vireo"][k], m["redis"][k])
            out["memory"] = m
        if "set-get-p16" in args.parts:
            out["set_get"] = []
            for w in WORKLOADS:
                per = {name: [] for name in nodes}
                for rnd in range(args.rounds):
                    for name, node in nodes.items():
                        r = compare.run_benchmark(node, w, args.requests, args.timeout)
                        per[name].append(r)
                        log(f"[cluster {w[0]} round {rnd + 1}/{args.rounds}] {name}: {r['rps']:,.0f} ops/s "
                            f"p99={r['p99_ms']} ms cpu={r['cpu_s']:.2f}s")
                out["set_get"].append(compare.summarize(w, args.requests, per))
            for name, node in nodes.items():
                if node.cluster_info().get("cluster_state") != "ok":
                    raise RuntimeError(f"{node.name}: cluster_state not ok after the benchmark")
    finally:
        for node in nodes.values():
            node.stop()
    return out


def reshard_round(cl, args):
    """--slots slots of --keys-per-slot keys from the source to the target under the load."""
    src, dst = cl.nodes[SRC], cl.nodes[DST]
    first = slot_ranges(MASTERS)[SRC][0]
    moved = range(first, first + args.slots)
    tags = tags_for(moved)
    keys = [b"r:{%s}:%d" % (tags[s], j) for s in moved for j in range(args.keys_per_slot)]
    common.pipeline_load(src.port, (common.encode([b"SET", k, memory.VALUE100]) for k in keys))
    if src.dbsize() != len(keys):
        raise RuntimeError(f"{src.name}: DBSIZE {src.dbsize()}, loaded {len(keys)} keys")
    proc, stop, rx = run_load(src.port, keys, memory.VALUE100)
    try:
        time.sleep(args.quiet)
        t0 = time.perf_counter()
        wall = reshard(src, dst, args.slots, args.timeout)
        t1 = time.perf_counter()
        stop.set()
        if not rx.poll(120):
            raise RuntimeError("the reshard load did not report")
        st = rx.recv()
    finally:
        if proc.is_alive():
            proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    owners, agree_s = wait_agreed(cl.nodes, args.timeout)
    if not set(moved) <= owners[dst.id] or set(moved) & owners[src.id]:
        raise RuntimeError(f"after the reshard the nodes do not give slots {first}.. to {dst.name}")
    sizes = (src.dbsize(), dst.dbsize())
    if sizes != (0, len(keys)):
        raise RuntimeError(f"after the reshard DBSIZE source {sizes[0]}, target {sizes[1]}; want 0, {len(keys)}")
    window = [d for t, d in st.pop("lat") if t0 <= t <= t1]
    r = {"s": wall, "agreed_after_s": agree_s, "keys": len(keys), "ops_in_window": len(window),
         "ops_per_s": len(window) / (t1 - t0), **latency.stats_ms(window), **st}
    r["client_errors"] = r["errors"] + r["lost"]
    log(f"[cluster reshard] {cl.label}: {args.slots} slots, {len(keys):,} keys in {wall:.3f}s; client "
        f"{r['ops_in_window']:,} ops ({r['ops_per_s']:,.0f}/s), p99 {r['p99_ms']:.2f} ms, max "
        f"{r['max_ms']:.1f} ms, redirects {r['redirects']}, errors {r['errors']}, lost {r['lost']} "
        f"of {r['checked']:,} written {r['error_samples']}")
    return r


def zset_commands(key, members):
    out = []
    for start in range(0, members, ZSET_CHUNK):
        args = [b"ZADD", key]
        for i in range(start, min(start + ZSET_CHUNK, members)):
            args += [b"%d" % i, b"member:%d" % i]
        out.append(common.encode(args))
    return out


def zset_round(cl, args):
    """One slot holding a --members sorted set moved off the source under a GET load on it."""
    src, dst = cl.nodes[SRC], cl.nodes[DST]
    owners, _ = wait_agreed(cl.nodes, args.timeout)
    slot = min(owners[src.id])  # Why the first: redis-cli reshard moves a source's lowest slots
    if key_slot(latency.GET_KEY) not in owners[src.id] or key_slot(latency.GET_KEY) == slot:
        raise RuntimeError(f"{latency.GET_KEY!r} is not on {src.name} outside slot {slot}")
    key = b"{%s}zset:big" % tags_for([slot])[slot]
    src.ok("SET", latency.GET_KEY, latency.GET_VALUE)
    t0 = time.perf_counter()
    added = sum(int(x[1:]) for x in common.pipeline_lines(src.port, zset_commands(key, args.members), batch=20))
    load_s = time.perf_counter() - t0
    if added != args.members:
        raise RuntimeError(f"{src.name}: ZADD added {added} members, want {args.members}")
    time.sleep(args.settle)
    load = latency.GetLoad(src.port, args.rate)
    at = {"load": time.perf_counter()}  # the load's start, the move's start, the window's end
    try:
        time.sleep(args.quiet)
        at["move"] = time.perf_counter()
        wall = reshard(src, dst, 1, args.timeout)
        at["end"] = max(time.perf_counter(), at["move"] + args.min_window)
        time.sleep(max(0.0, at["end"] - time.perf_counter()) + 0.05)
        sched, lat = load.finish()
    finally:
        load.kill()
    n = dst.ok("ZCARD", key)
    if n != args.members:
        raise RuntimeError(f"{dst.name}: ZCARD {key!r} = {n} after the move, want {args.members}")
    r = {"s": wall, "slot": slot, "load_s": load_s,
         **latency.stats_ms([x for s, x in zip(sched, lat) if at["move"] <= s <= at["end"]])}
    q = latency.stats_ms([x for s, x in zip(sched, lat) if at["load"] + 0.1 <= s < at["move"]])
    r["quiet_p99_ms"], r["quiet_max_ms"] = q["p99_ms"], q["max_ms"]
    log(f"[cluster zset-move] {cl.label}: slot {slot} ({args.members:,} members) moved in {wall:.3f}s; "
        f"GETs on the source: p99 {r['p99_ms']:.3f} ms, max {r['max_ms']:.1f} ms "
        f"(quiet p99 {r['quiet_p99_ms']:.3f} ms)")
    return r


def cluster_round(name, binary, args):
    cl = Cluster(f"{name}-c3", binary, MASTERS, args)
    out = {"formed_s": cl.formed_s}
    try:
        if "reshard" in args.parts:
            out["reshard"] = reshard_round(cl, args)
        if "zset-move" in args.parts:
            out["zset"] = zset_round(cl, args)
    finally:
        cl.stop()
    return out


def run(args):
    common.check_binaries(args.vireo, args.redis)
    common.raise_fd_limit()
    servers = (("vireo", args.vireo), ("redis", args.redis))
    res = {"tool": "cluster", "machine": common.machine_info(), "parts": args.parts, "rounds": args.rounds,
           "requests": args.requests, "keys": args.keys, "slots": args.slots,
           "keys_per_slot": args.keys_per_slot, "members": args.members, "rate": args.rate,
           "quiet_s": args.quiet, "min_window_s": args.min_window, "hz": args.hz,
           "node_timeout_ms": NODE_TIMEOUT_MS, "server_cpu": common.SERVER_CPU,
           "client_cpu": common.CLIENT_CPU}
    t0 = time.perf_counter()
    if {"set-get-p16", "memory"} & set(args.parts):
        res.update(run_single(servers, args))
    if {"reshard", "zset-move"} & set(args.parts):
        per = {name: [] for name, _ in servers}
        for rnd in range(args.rounds):
            for name, binary in servers:
                log(f"[cluster 3 masters round {rnd + 1}/{args.rounds}] {name}")
                per[name].append(cluster_round(name, binary, args))
        res["rounds_c3"] = per
    res["rows"] = rows_of(res)
    res["elapsed_s"] = time.perf_counter() - t0
    return res


# ---- rows, rendering, targets ----------------------------------------------------

def rows_of(res):
    """[{id, label, vireo, redis, ratio, digits, target}]; target (side, op,
    value): "ratio" compares vireo/redis, "vireo" vireo's own figure."""
    rows = []

    def add(rid, label, v, r, q=None, digits=0, target=None):
        rows.append({"id": rid, "label": label, "vireo": v, "redis": r, "ratio": q,
                     "digits": digits, "target": target})

    for w in res.get("set_get", []):
        what = f"{compare.label((w['id'], w['test'], w['clients'], w['pipeline']))} on a single-node cluster"
        add(f"{w['id']}_rps", f"{what}, ops/s", w["vireo_rps"], w["redis_rps"], w["ratio_rps"],
            target=("ratio", ">=", 1.2))
        add(f"{w['id']}_p99_ms", f"{what}, p99 ms", w["vireo_p99_ms"], w["redis_p99_ms"], w["ratio_p99_ms"], 2)
        add(f"{w['id']}_cpu", f"{what}, server CPU s per 1M requests", w["vireo_cpu_s_per_mreq"],
            w["redis_cpu_s_per_mreq"], w["ratio_cpu_s_per_mreq"], 3)
    m = res.get("memory")
    if m:
        what = f"{fmt_num(res['keys'])} keys of 100-byte strings on a single-node cluster"
        add("used_per_key", f"{what}: used_memory per key, bytes", m["vireo"]["used_per_key"],
            m["redis"]["used_per_key"], m["ratio_used_per_key"], 1, ("ratio", "<=", 1.0))
        add("rss_per_key", f"{what}: RSS per key, bytes", m["vireo"]["rss_per_key"],
            m["redis"]["rss_per_key"], m["ratio_rss_per_key"], 1)
    c3 = res.get("rounds_c3")
    if c3 and "reshard" in c3["vireo"][0]:
        v, r = ([x["reshard"] for x in c3[n]] for n in ("vireo", "redis"))

        def med(k, digits=0, target=None, label=""):
            add(f"reshard_{k}", label, median([x[k] for x in v]), median([x[k] for x in r]),
                median([ratio(a[k], b[k]) for a, b in zip(v, r)]), digits, target)
        med("s", 3, ("ratio", "<=", 1.0), f"redis-cli --cluster reshard of {fmt_num(res['slots'])} slots "
            f"({fmt_num(res['slots'] * res['keys_per_slot'])} keys) under a client load, s")
        add("reshard_client_errors", "errors surfaced to the load client (error replies other than "
            "MOVED / ASK / TRYAGAIN, lost connections, wrong values), all rounds",
            sum(x["client_errors"] for x in v), sum(x["client_errors"] for x in r), None, 0, ("vireo", "=", 0))
        med("ops_per_s", label="load client ops/s during the reshard")
        med("p99_ms", 2, label="load client latency during the reshard, p99 ms")
        add("reshard_max_ms", "load client latency during the reshard, max ms (max over the rounds)",
            max(x["max_ms"] for x in v), max(x["max_ms"] for x in r), None, 1)
        for k in ("moved", "ask"):
            add(f"reshard_{k}", f"{k.upper()} redirections followed by the load client (median)",
                median([x["redirects"].get(k, 0) for x in v]), median([x["redirects"].get(k, 0) for x in r]))
    if c3 and "zset" in c3["vireo"][0]:
        v, r = ([x["zset"] for x in c3[n]] for n in ("vireo", "redis"))
        what = f"moving the slot of one {fmt_num(res['members'])}-member sorted set"
        for k, label, digits, target in (
                ("s", f"{what} (redis-cli --cluster reshard, 1 slot), s", 3, None),
                ("p99_ms", "GETs on the source node during the move, p99 ms", 3, ("vireo", "<=", ZSET_TARGET_MS)),
                ("quiet_p99_ms", "the same GETs before the move (the floor), p99 ms", 3, None)):
            add(f"zset_{k}", label, median([x[k] for x in v]), median([x[k] for x in r]),
                median([ratio(a[k], b[k]) for a, b in zip(v, r)]), digits, target)
        add("zset_max_ms", "GETs on the source node during the move, max ms (max over the rounds)",
            max(x["max_ms"] for x in v), max(x["max_ms"] for x in r), None, 1)
    return rows


def met(row):
    t = row["target"]
    if t is None:
        return None
    x = row["ratio"] if t[0] == "ratio" else row["vireo"]
    if x is None:
        return None
    return {">=": x >= t[2], "<=": x <= t[2], "=": x == t[2]}[t[1]]


def fmt_target(row):
    t = row["target"]
    if t is None:
        return "—"
    ok = met(row)
    what = f"{t[1]} {t[2]:.2f}" if t[0] == "ratio" else f"vireo {t[1]} {t[2]:g}"
    return f"{what}: " + ("—" if ok is None else "met" if ok else "**NOT met**")


def render(res):
    rows = [[r["label"], fmt_num(r["vireo"], r["digits"]), fmt_num(r["redis"], r["digits"]),
             fmt_ratio(r["ratio"]) if r["ratio"] is not None else "", fmt_target(r)] for r in res["rows"]]
    rounds = f"{res['rounds']} round" + ("s" if res["rounds"] != 1 else "")
    note = (f"Medians over {rounds} alternating vireo, redis; ratios the medians of the per-round "
            f"ratios. Nodes: the usual command line plus cluster-enabled yes, cluster-node-timeout "
            f"{res['node_timeout_ms']}, hz {res['hz']}, all on CPU {res['server_cpu']}; clients on CPU "
            f"{res['client_cpu']}.")
    if "set_get" in res or "memory" in res:
        note += (" Single-node cluster: one node per server with CLUSTER ADDSLOTSRANGE 0 16383, "
                 "used once cluster_state:ok")
        if "memory" in res:
            note += (f"; memory first, once per server (memory.py's strings100: {fmt_num(res['keys'])} "
                     "pipelined SETs, growth of used_memory / RSS per key; then FLUSHALL)")
        if "set_get" in res:
            note += (f"; redis-benchmark `-t set|get -c 50 -P 16 -d 100 -r 1000000 -n "
                     f"{fmt_num(res['requests'])}` (compare.py's set-p16 / get-p16)")
        note += "."
    if "rounds_c3" in res:
        note += (f" Reshard: per round a fresh cluster of {MASTERS} masters (redis-cli create's slot "
                 f"ranges), {fmt_num(res['keys_per_slot'])} keys `r:{{tag}}:j` (100-byte values) in each "
                 f"of the third master's first {fmt_num(res['slots'])} slots, moved to the first with "
                 "`redis-cli --cluster reshard ... --cluster-slots N --cluster-yes` (timed: redis-cli's "
                 "wall time) while one client process alternates SET and GET of random keys of those "
                 "slots (closed loop, follows MOVED and ASK, checks each GET against its last write and "
                 "at the end every key it wrote). Zset move: on the same cluster, ZADD of "
                 f"{fmt_num(res['members'])} members into the source's first slot, then an open-loop GET "
                 f"load ({fmt_num(res['rate'])}/s, latency.py's) on another key of the source and after "
                 f"{res['quiet_s']:g} s that slot moved with `--cluster-slots 1`; the window runs from "
                 f"starting redis-cli to its exit (at least {res['min_window_s']:g} s).")
    return common.md_table(["measure", "vireo", "redis", "vireo/redis", "target"], rows) + "\n\n" + note + "\n"


def target_names(res):
    """{row id: the issue-12 target it checks}, with the run's sizes."""
    res = res or {}
    keys = fmt_num(res.get("slots", 1000) * res.get("keys_per_slot", 100))
    return {"set-p16_rps": "SET c=50 P=16 against a single-node cluster >= 1.20x Redis",
            "get-p16_rps": "GET c=50 P=16 against a single-node cluster >= 1.20x Redis",
            "used_per_key": "used_memory per key in cluster mode <= Redis's",
            "reshard_s": f"redis-cli --cluster reshard of {fmt_num(res.get('slots', 1000))} slots "
                         f"({keys} keys) under a client load, time <= Redis's",
            "reshard_client_errors": "errors surfaced to that client (MOVED / ASK followed) = 0",
            "zset_p99_ms": f"p99 of another client of the source node while the slot of a "
                           f"{fmt_num(res.get('members', 1000000))}-member sorted set moves "
                           f"<= {ZSET_TARGET_MS:g} ms"}


def targets(res):
    """Issue 12's targets: [(target, measured, met)], met None when not measured."""
    got = {r["id"]: r for r in (res or {}).get("rows", [])}
    out = []
    for rid, name in target_names(res).items():
        r = got.get(rid)
        if r is None:
            out.append((name, NOT_MEASURED, None))
            continue
        d = r["digits"]
        unit = next((u for end, u in (("_rps", " ops/s"), ("_per_key", " B"), ("_s", " s"), ("_ms", " ms"))
                     if rid.endswith(end)), "")
        measured = f"{fmt_num(r['vireo'], d)} vs {fmt_num(r['redis'], d)}{unit}"
        if r["ratio"] is not None:
            measured += f", {fmt_ratio(r['ratio'])}"
        out.append((name, measured, met(r)))
    return out


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=2000000, help="-n of each redis-benchmark run")
    ap.add_argument("--keys", type=int, default=1000000, help="keys of the memory part")
    ap.add_argument("--slots", type=int, default=1000, help="slots the reshard moves")
    ap.add_argument("--keys-per-slot", type=int, default=100, help="keys in each of those slots")
    ap.add_argument("--members", type=int, default=1000000, help="of the moved sorted set")
    ap.add_argument("--rate", type=int, default=5000, help="GETs/s during the zset move")
    ap.add_argument("--quiet", type=float, default=1.0, help="s of load before a reshard / move")
    ap.add_argument("--min-window", type=float, default=0.5, help="the zset move's window lasts at least this, s")
    ap.add_argument("--settle", type=float, default=0.5, help="s to wait after loading")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=600, help="per benchmark, reshard or wait, s")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(PARTS))
    ap.add_argument("--quick", action="store_true", help="tiny sizes, 1 round (smoke, a few seconds per part)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    args.parts = common.select_ids(args.only, PARTS)
    if args.quick:
        for k, full, small in (("requests", 2000000, 20000), ("keys", 1000000, 2000), ("slots", 1000, 100),
                               ("keys_per_slot", 100, 20), ("members", 1000000, 20000)):
            if getattr(args, k) == full:
                setattr(args, k, small)
        args.rounds, args.quiet, args.min_window, args.settle = 1, 0.3, 0.2, 0.1
    if min(args.rounds, args.requests, args.keys, args.slots, args.keys_per_slot, args.members) < 1:
        raise SystemExit("--rounds and the sizes must be >= 1")


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
