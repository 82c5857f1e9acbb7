#!/usr/bin/python3
"""maxmemory eviction: vireo-server vs redis-server (issue 8).

Two workloads, each run on vireo then redis (same settings and CPUs as
compare.py: server on CPU 0, the client on CPU 1):

  set-lru   redis-benchmark `-t set -c 50 -P 16 -d 100 -r <keys>` with
            `maxmemory <limit>` and `allkeys-lru`, over a key range that
            writes several times the limit, so eviction runs during the
            whole load. Reported: requests/s, server CPU, evicted_keys, and
            used_memory after the run (must be <= the limit).
  hit-rate  a read-through cache: a zipfian (s = --zipf) stream of GETs
            over a key space holding about twice the limit in data; on a
            miss the client SETs the key (100-byte value). Run for
            allkeys-lru and allkeys-lfu. Reported: the hit rate over the
            second half of the requests (the first half warms the cache)
            and the keys left. The key count is fixed from redis-server's
            bytes per key (measured once without a limit), so both servers
            see the same stream; a server with smaller per-key overhead
            keeps more keys under the same limit.

  bench/compare/eviction.py          # set-lru: 100 MB, 2M SETs; hit-rate: 32 MB, 3M GETs
  bench/compare/eviction.py --quick  # set-lru: 16 MB, 400k SETs; hit-rate: 4 MB, 400k GETs
  bench/compare/eviction.py --only hit-rate
"""
import bisect
import csv
import io
import os
import random
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, log  # noqa: E402

WORKLOADS = ["set-lru", "hit-rate"]
HIT_POLICIES = ["allkeys-lru", "allkeys-lfu"]
VALUE = b"v" * 100


def start(name, binary, limit_mb, policy, hz):
    s = common.Server(name, binary, hz=hz)
    s.command("CONFIG", "SET", "maxmemory-policy", policy)
    s.command("CONFIG", "SET", "maxmemory", f"{limit_mb}mb")
    return s


def stat(server, section, field):
    return int(server.info(section)[field])


def run_set_lru(name, binary, args):
    s = start(name, binary, args.limit_mb, "allkeys-lru", args.hz)
    try:
        cmd = common.pin([common.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(s.port),
                          "-n", str(args.sets), "-c", "50", "-P", "16", "-r", str(args.sets * 4),
                          "-d", "100", "-t", "set", "--csv"], common.CLIENT_CPU)
        cpu0 = s.cpu_seconds()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        cpu1 = s.cpu_seconds()
        if p.returncode != 0 or not s.alive():
            raise RuntimeError(f"{name}: redis-benchmark rc={p.returncode}\n{p.stderr[-2000:]}")
        rows = [r for r in csv.DictReader(io.StringIO(p.stdout)) if r.get("test") == "SET"]
        used = stat(s, "memory", "used_memory")
        return {"rps": float(rows[0]["rps"]), "p99_ms": float(rows[0]["p99_latency_ms"]),
                "cpu_s": cpu1 - cpu0, "evicted": stat(s, "stats", "evicted_keys"),
                "used": used, "limit": args.limit_mb << 20, "keys": int(s.command("DBSIZE")[1:])}
    finally:
        s.stop()


def bytes_per_key(binary, hz):
    """used_memory per 100-byte-value key, without a limit."""
    s = common.Server("probe", binary, hz=hz)
    try:
        before = s.used_memory()
        n = 50000
        common.pipeline_load(s.port, (common.encode([b"SET", b"key:%d" % i, VALUE])
                                      for i in range(n)))
        return (s.used_memory() - before) / n
    finally:
        s.stop()


class Zipf:
    """Ranks 0..n-1 drawn with P(k) ~ 1/(k+1)^s (inverse CDF + bisect),
    the ranks shuffled onto key ids so hot keys are spread over the space."""

    def __init__(self, n, s, rng):
        acc, cdf = 0.0, []
        for k in range(n):
            acc += 1.0 / (k + 1) ** s
            cdf.append(acc)
        self.cdf = [c / acc for c in cdf]
        self.ids = list(range(n))
        rng.shuffle(self.ids)
        self.rng = rng

    def draw(self):
        return self.ids[bisect.bisect_left(self.cdf, self.rng.random())]


def read_replies(sock, buf, count):
    """Reads `count` replies to GET/SET: returns a list of hit booleans
    (True for a bulk string, False for a null bulk or +OK)."""
    return [_read_one(sock, buf) for _ in range(count)]


def _fill(sock, buf):
    chunk = sock.recv(1 << 20)
    if not chunk:
        raise ConnectionError("server closed the connection")
    buf += chunk


def _read_one(sock, buf):
    while True:
        nl = buf.find(b"\r\n")
        if nl < 0:
            _fill(sock, buf)
            continue
        head = bytes(buf[:nl])
        if head[:1] == b"$":
            n = int(head[1:])
            if n < 0:
                del buf[:nl + 2]
                return False
            while len(buf) < nl + 2 + n + 2:
                _fill(sock, buf)
            del buf[:nl + 2 + n + 2]
            return True
        if head[:1] == b"-":
            raise RuntimeError(f"error reply: {head!r}")
        del buf[:nl + 2]
        return False


def run_hit_rate(name, binary, policy, nkeys, args):
    s = start(name, binary, args.hit_limit_mb, policy, args.hz)
    rng = random.Random(args.seed)
    zipf = Zipf(nkeys, args.zipf, rng)
    hits = misses = 0
    batch = 200
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=60) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = bytearray()
            done = 0
            t0 = time.time()
            while done < args.gets:
                keys = [b"key:%d" % zipf.draw() for _ in range(batch)]
                sock.sendall(b"".join(common.encode([b"GET", k]) for k in keys))
                got = read_replies(sock, buf, batch)
                missed = [k for k, hit in zip(keys, got) if not hit]
                if done >= args.gets // 2:
                    hits += batch - len(missed)
                    misses += len(missed)
                if missed:
                    sock.sendall(b"".join(common.encode([b"SET", k, VALUE]) for k in missed))
                    read_replies(sock, buf, len(missed))
                done += batch
            wall = time.time() - t0
        return {"hit_rate": hits / max(1, hits + misses), "keys": int(s.command("DBSIZE")[1:]),
                "used": s.used_memory(), "evicted": stat(s, "stats", "evicted_keys"),
                "wall_s": wall}
    finally:
        s.stop()


def run(args):
    common.check_binaries(args.vireo, args.redis)
    sel = common.select_ids(args.only, WORKLOADS)
    res = {"machine": common.machine_info(), "limit_mb": args.limit_mb,
           "hit_limit_mb": args.hit_limit_mb, "sets": args.sets,
           "gets": args.gets, "zipf": args.zipf, "set_lru": None, "hit_rate": []}
    servers = (("vireo", args.vireo), ("redis", args.redis))
    if "set-lru" in sel:
        res["set_lru"] = {}
        for name, binary in servers:
            log(f"set-lru: {name}")
            res["set_lru"][name] = run_set_lru(name, binary, args)
    if "hit-rate" in sel:
        per_key = bytes_per_key(args.redis, args.hz)
        nkeys = int(2 * (args.hit_limit_mb << 20) / per_key)
        res["hit_keys"], res["redis_bytes_per_key"] = nkeys, per_key
        for policy in HIT_POLICIES:
            row = {"policy": policy}
            for name, binary in servers:
                log(f"hit-rate {policy}: {name} ({nkeys} keys)")
                row[name] = run_hit_rate(name, binary, policy, nkeys, args)
            res["hit_rate"].append(row)
    return res


def render(res):
    out = []
    mb = res["limit_mb"]
    if res["set_lru"]:
        v, r = res["set_lru"]["vireo"], res["set_lru"]["redis"]
        rows = []
        for name, d in (("vireo", v), ("redis", r)):
            rows.append([name, fmt_num(d["rps"]), fmt_num(d["p99_ms"], 3), fmt_num(d["cpu_s"], 2),
                         fmt_num(d["evicted"]), fmt_num(d["keys"]), fmt_num(d["used"]),
                         "yes" if d["used"] <= d["limit"] else "NO"])
        rows.append(["vireo / redis", common.fmt_ratio(common.ratio(v["rps"], r["rps"])),
                     "", "", "", "", "", ""])
        out.append(common.md_table(["server", "SET req/s", "p99 ms", "server CPU s", "evicted keys",
                                    "keys left", "used_memory after", f"<= {mb} MB"], rows))
        out.append(f"\nredis-benchmark `-t set -c 50 -P 16 -d 100 -r {4 * res['sets']} "
                   f"-n {res['sets']}` with `maxmemory {mb}mb`, `allkeys-lru`.\n")
    if res["hit_rate"]:
        rows = []
        for row in res["hit_rate"]:
            v, r = row["vireo"], row["redis"]
            rows.append([row["policy"], f"{100 * v['hit_rate']:.2f}%", f"{100 * r['hit_rate']:.2f}%",
                         fmt_num(v["keys"]), fmt_num(r["keys"]), fmt_num(v["used"]),
                         fmt_num(r["used"])])
        out.append(common.md_table(["policy", "vireo hit rate", "redis hit rate", "vireo keys",
                                    "redis keys", "vireo used_memory", "redis used_memory"], rows))
        out.append(f"\nRead-through cache, `maxmemory {res['hit_limit_mb']}mb`: {fmt_num(res['gets'])} GETs, "
                   f"zipfian (s = {res['zipf']}) over {fmt_num(res['hit_keys'])} keys (about 2x the "
                   f"limit at redis-server's {res['redis_bytes_per_key']:.0f} bytes per key), "
                   "pipelined 200 at a time, a SET of a 100-byte value for every miss; hit rate "
                   "over the second half of the GETs.\n")
    return "\n".join(out) + "\n"


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--limit-mb", type=int, default=100, help="maxmemory, MB")
    ap.add_argument("--sets", type=int, default=2000000, help="SET requests of set-lru")
    ap.add_argument("--hit-limit-mb", type=int, default=32, help="maxmemory of hit-rate, MB")
    ap.add_argument("--gets", type=int, default=3000000, help="GET requests of hit-rate")
    ap.add_argument("--zipf", type=float, default=0.99, help="zipf exponent")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=600, help="per redis-benchmark run, s")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(WORKLOADS))
    ap.add_argument("--quick", action="store_true", help="16 MB limit, short runs (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.limit_mb, args.sets, args.hit_limit_mb, args.gets = 16, 400000, 4, 400000


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
