#!/usr/bin/python3
"""RDB snapshots: vireo-server vs redis-server (issue 9's persistence figures).

Owns the issue-9 benchmarks: BGSAVE time, dump.rdb size, restart-to-loaded
time and the memory peak of a BGSAVE under a concurrent SET load, for both
servers on the same dataset (same settings and CPUs as compare.py: the
server on CPU 0, its fork child inherits CPU 0, every client on CPU 1).

The dataset: --keys keys `key:%012d` (redis-benchmark's `-r` key names, so
its SETs later hit existing keys), by i % 10: 0-5 a string of 90-110 bytes
(text from a small vocabulary, so LZF finds something), 6 a list (RPUSH),
7 a hash (HSET), 8 a set (SADD; even i/10 integers, an intset, odd ones
strings) and 9 a sorted set (ZADD), each of 10-100 small elements. The
RESP is generated from --seed and streamed into `redis-cli --pipe` (on
CPU 1); both servers get the same bytes (checked with a SHA-1).

Each server is loaded once and SAVEs a pristine dump.rdb. Then, for
--rounds rounds alternating vireo, redis, vireo, ..., a fresh server
process starts on a copy of its own pristine file and:

  load      restart-to-loaded: from spawning the server until PING answers
            +PONG (not -LOADING; polled every 10 ms on one connection) and
            INFO keyspace shows every key; the server's own "DB loaded from
            disk" figure is kept too;
  save      BGSAVE: from its reply until INFO persistence shows
            rdb_bgsave_in_progress:0 (polled every 10 ms; both servers reap
            the child in their cron, at hz 10, so this carries up to 100 ms
            of detection delay) and the fork child's own run time (from the
            reply until /proc shows it exited); the dump.rdb size;
  peak      redis-benchmark `-t set -c 50 -P 16 -d 100 -r <keys>` runs on
            CPU 1; after --warmup s a BGSAVE starts and every 20 ms the
            server's VmRSS plus the child's Private_Dirty
            (/proc/<child>/smaps_rollup: the pages copy-on-write gave it)
            are read until the save ends. Reported: the peak of that sum,
            the RSS before the BGSAVE, rdb_last_cow_size, the save's time
            and the SETs/s served meanwhile (INFO total_commands_processed).

Figures are medians over the rounds; ratios (vireo/redis, lower is better,
target <= 1.00) are medians of the per-round ratios. SET throughput with
appendonly (AOF) is not measured: vireo has no AOF yet.

  bench/compare/persistence.py            # 1,000,000 keys, 3 rounds
  bench/compare/persistence.py --quick    # 50,000 keys, 1 round
  bench/compare/persistence.py --keys 200000 --only save
"""
import glob
import hashlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, fmt_ratio, log, median, ratio  # noqa: E402

PARTS = ["save", "peak"]
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
# (key in a round's figures, label, lower is better and has the <= 1.00 target)
MEASURES = [
    ("load_s", "restart to loaded (spawn -> PONG, all keys), s", True),
    ("load_log_s", "load time in the server's log (\"DB loaded from disk\"), s", False),
    ("loaded_rss", "RSS after loading, bytes", False),
    ("bgsave_s", "BGSAVE (reply -> rdb_bgsave_in_progress:0), s", True),
    ("child_s", "BGSAVE fork child's run time, s", False),
    ("rdb_bytes", "dump.rdb size, bytes", True),
    ("peak_bytes", "peak RSS during BGSAVE under SET load (server RSS + child Private_Dirty), bytes", True),
    ("rss_before", "server RSS before that BGSAVE, bytes", False),
    ("cow_bytes", "rdb_last_cow_size after it, bytes", False),
    ("load_bgsave_s", "that BGSAVE's time under the SET load, s", False),
    ("load_sets_per_s", "SETs/s served during that BGSAVE", False),
]
TARGETS = [m for m, _, t in MEASURES if t]


# ---- dataset ---------------------------------------------------------------

def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


class Dataset:
    """The deterministic mixed-type dataset (see the module doc). Elements
    of aggregates are slices of pools built once, so generating 1M keys
    takes seconds, not minutes."""

    POOL = 4096
    WORDS = [b"alpha", b"bravo", b"charlie", b"delta", b"echo", b"foxtrot", b"golf", b"hotel",
             b"india", b"juliet", b"kilo", b"lima", b"mike", b"november", b"oscar", b"papa",
             b"quebec", b"romeo", b"sierra", b"tango", b"uniform", b"victor", b"whiskey",
             b"xray", b"yankee", b"zulu", b"red", b"green", b"blue", b"amber", b"slate", b"ivory"]

    def __init__(self, keys, seed):
        self.keys, self.seed = keys, seed
        rng = random.Random(seed)
        words = [rng.choice(self.WORDS) for _ in range(40000)]
        self.text = b" ".join(words)
        small = [rng.choice(self.WORDS) + b"%d" % rng.randrange(1000) if rng.random() < 0.5
                 else b"%d" % rng.randrange(-50000, 1000000) for _ in range(self.POOL)]
        self.list_pool = [bulk(e) for e in small]
        self.hash_pool = [bulk(b"field:%d" % j) + bulk(small[(j * 7) % self.POOL]) for j in range(self.POOL)]
        ints = rng.sample(range(0, 5000000), self.POOL)
        self.intset_pool = [bulk(b"%d" % v) for v in ints]
        self.strset_pool = [bulk(b"member:%s" % w) for w in (b"%d" % v for v in ints)]
        self.zset_pool = [bulk(b"%d.%02d" % (rng.randrange(100000), rng.randrange(100))) +
                          bulk(b"m:%d" % j) for j in range(self.POOL)]

    def _agg(self, cmd, key, pool, n, start, per):
        return b"*%d\r\n%s%s%s" % (2 + n * per, bulk(cmd), bulk(key), b"".join(pool[start:start + n]))

    def chunks(self, per_chunk=2000):
        """The RESP commands, a list of byte strings per chunk of keys."""
        rng = random.Random(self.seed + 1)
        text, tl = self.text, len(self.text) - 128
        out = []
        for i in range(self.keys):
            key = b"key:%012d" % i
            kind = i % 10
            if kind < 6:
                off = rng.randrange(tl)
                val = text[off:off + rng.randint(90, 110)]
                out.append(b"*3\r\n$3\r\nSET\r\n%s%s" % (bulk(key), bulk(val)))
            else:
                n = rng.randint(10, 100)
                start = rng.randrange(self.POOL - n)
                if kind == 6:
                    out.append(self._agg(b"RPUSH", key, self.list_pool, n, start, 1))
                elif kind == 7:
                    out.append(self._agg(b"HSET", key, self.hash_pool, n, start, 2))
                elif kind == 8:
                    pool = self.intset_pool if (i // 10) % 2 == 0 else self.strset_pool
                    out.append(self._agg(b"SADD", key, pool, n, start, 1))
                else:
                    out.append(self._agg(b"ZADD", key, self.zset_pool, n, start, 2))
            if len(out) >= per_chunk:
                yield out
                out = []
        if out:
            yield out


def load_dataset(server, ds):
    """Streams the dataset into `redis-cli --pipe` (CPU 1); returns the
    SHA-1 of the bytes sent and the wall time."""
    cmd = common.pin([REDIS_CLI, "-h", "127.0.0.1", "-p", str(server.port), "--pipe"], common.CLIENT_CPU)
    sha = hashlib.sha1()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for chunk in ds.chunks():
            data = b"".join(chunk)
            sha.update(data)
            p.stdin.write(data)
        p.stdin.close()
        out = p.stdout.read().decode(errors="replace")
        p.wait(timeout=600)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    wall = time.perf_counter() - t0
    if p.returncode != 0 or "errors: 0," not in out:
        raise RuntimeError(f"{server.name}: redis-cli --pipe failed (rc={p.returncode}):\n{out[-2000:]}")
    return sha.hexdigest(), wall


# ---- talking to a server over one connection ---------------------------------

class Conn:
    """One connection reused for the 10 ms / 20 ms polls (a fresh connection
    per poll would cost more than the poll)."""

    def __init__(self, port, timeout=600.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(self, *args):
        self.sock.sendall(common.encode(args))
        return common.read_reply(self.sock)

    def info(self, section):
        d = {}
        for line in self.call("INFO", section).decode(errors="replace").splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                d[k] = v
        return d

    def keys(self):
        """Keys of db 0 from INFO keyspace (0 when empty)."""
        db0 = self.info("keyspace").get("db0", "")
        return int(db0.split(",")[0].split("=")[1]) if db0 else 0

    def close(self):
        self.sock.close()


class LoadingServer(common.Server):
    """A server started on an existing dump.rdb (passed as a later --dir,
    which wins): its startup wait polls every 10 ms on one connection and
    records when PING first answered +PONG instead of -LOADING."""

    def _wait_ready(self, timeout):
        self.t_spawn = time.perf_counter()  # Popen has just returned
        self.loading_replies = 0
        deadline = time.time() + timeout
        conn = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at startup (rc={self.proc.returncode})\n"
                                   f"{self.tail_log()}")
            try:
                if conn is None:
                    conn = Conn(self.port, timeout=timeout)
                reply = conn.call("PING")
                if reply == b"+PONG":
                    self.t_pong = time.perf_counter()
                    conn.close()
                    return
                if reply.startswith(b"-LOADING"):
                    self.loading_replies += 1
            except OSError:
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not load within {timeout}s\n{self.tail_log()}")


def child_pid(pid):
    """The server's fork child, from /proc/<pid>/task/*/children."""
    for f in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(f) as fh:
                kids = fh.read().split()
        except OSError:
            continue
        if kids:
            return int(kids[0])
    return None


def proc_gone(pid):
    """True once the process exited (a zombie waiting to be reaped counts)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
        return data[data.rindex(")") + 2] in "ZX"
    except (OSError, ValueError, IndexError):
        return True


def private_dirty(pid):
    """Private_Dirty of a process in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def bgsave(conn, server, poll, sample=None):
    """BGSAVE, then polls INFO persistence every `poll` s until the save is
    over; calls sample(child) each poll. Returns (save s, child s)."""
    reply = conn.call("BGSAVE")
    t0 = time.perf_counter()
    if not reply.startswith(b"+Background saving started"):
        raise RuntimeError(f"{server.name}: BGSAVE answered {reply!r}")
    child = child_pid(server.pid)
    child_end = None
    while True:
        if sample:
            sample(child)
        if child and child_end is None and proc_gone(child):
            child_end = time.perf_counter()
        if conn.info("persistence").get("rdb_bgsave_in_progress") == "0":
            t1 = time.perf_counter()
            break
        time.sleep(poll)
    status = conn.info("persistence").get("rdb_last_bgsave_status")
    if status != "ok":
        raise RuntimeError(f"{server.name}: rdb_last_bgsave_status:{status}\n{server.tail_log()}")
    return t1 - t0, (child_end or t1) - t0


def logged_load_s(server):
    """The "DB loaded from disk: X seconds" figure of the server's log."""
    with open(server.logfile, errors="replace") as f:
        for line in f:
            if "DB loaded from disk:" in line:
                return float(line.split("DB loaded from disk:")[1].split()[0])
    return None


# ---- one round on one server --------------------------------------------------

def one_round(name, binary, pristine, args):
    """A fresh server on a copy of `pristine`: load, save and peak figures."""
    d = tempfile.mkdtemp(prefix=f"vireo-bench-rdb-{name}-")
    shutil.copyfile(pristine, os.path.join(d, "dump.rdb"))
    out = {}
    s = LoadingServer(name, binary, hz=args.hz, extra=["--dir", d], start_timeout=args.timeout)
    try:
        conn = Conn(s.port, timeout=args.timeout)
        t_done = s.t_pong
        while conn.keys() != args.keys:
            if time.perf_counter() - s.t_pong > 30:
                raise RuntimeError(f"{name}: INFO keyspace shows {conn.keys()} keys, want {args.keys}")
            time.sleep(0.01)
            t_done = time.perf_counter()
        out["load_s"] = t_done - s.t_spawn
        out["loading_replies"] = s.loading_replies
        out["load_log_s"] = logged_load_s(s)
        out["loaded_rss"] = s.rss()
        out["loaded_used_memory"] = int(conn.info("memory")["used_memory"])
        if "save" in args.parts:
            os.unlink(os.path.join(d, "dump.rdb"))
            out["bgsave_s"], out["child_s"] = bgsave(conn, s, 0.01)
            out["rdb_bytes"] = os.path.getsize(os.path.join(d, "dump.rdb"))
        if "peak" in args.parts:
            out.update(peak_under_sets(conn, s, args))
        conn.close()
    finally:
        s.stop()
        shutil.rmtree(d, ignore_errors=True)
    log(f"[persistence] {name}: " + ", ".join(f"{k}={v:,.3f}" if isinstance(v, float) else f"{k}={v:,}"
                                              for k, v in out.items() if v is not None))
    return out


def set_calls(conn):
    """SET calls so far (INFO commandstats cmdstat_set)."""
    stat = conn.info("commandstats").get("cmdstat_set", "calls=0")
    return int(stat.split(",")[0].split("=")[1])


def peak_under_sets(conn, s, args):
    """BGSAVE while redis-benchmark SETs over the keyspace; RSS peak."""
    cmd = common.pin([common.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(s.port), "-n", "2000000000",
                      "-c", "50", "-P", "16", "-d", "100", "-r", str(args.keys), "-t", "set", "-q"],
                     common.CLIENT_CPU)
    bench = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        time.sleep(args.warmup)
        if bench.poll() is not None:
            raise RuntimeError(f"{s.name}: redis-benchmark exited early: {bench.stderr.read()[-2000:]!r}")
        rss_before = s.rss()
        sets0 = set_calls(conn)
        peak = {"total": 0, "rss": 0, "child_dirty": 0}

        def sample(child):
            # Why RSS + the child's Private_Dirty: after fork the two share
            # every page; the child's RSS counts them again, its private
            # dirty pages are only the copies copy-on-write made (what
            # Redis reports as rdb_last_cow_size).
            rss = s.rss()
            dirty = private_dirty(child) if child else 0
            peak["total"] = max(peak["total"], rss + dirty)
            peak["rss"] = max(peak["rss"], rss)
            peak["child_dirty"] = max(peak["child_dirty"], dirty)

        save_s, child_s = bgsave(conn, s, 0.02, sample)
        sets1 = set_calls(conn)
        if bench.poll() is not None:
            raise RuntimeError(f"{s.name}: redis-benchmark exited during the save")
    finally:
        if bench.poll() is None:
            bench.terminate()
        bench.wait()
    return {"peak_bytes": peak["total"], "peak_rss": peak["rss"], "peak_child_dirty": peak["child_dirty"],
            "rss_before": rss_before,
            "cow_bytes": int(conn.info("persistence")["rdb_last_cow_size"]),
            "load_bgsave_s": save_s, "load_child_s": child_s,
            "load_sets_per_s": (sets1 - sets0) / save_s}


def prepare(name, binary, ds, work, args):
    """Loads the dataset into a fresh server and SAVEs its pristine file."""
    with common.Server(name, binary, hz=args.hz) as s:
        sha, wall = load_dataset(s, ds)
        n = int(s.command("DBSIZE")[1:])
        if n != args.keys:
            raise RuntimeError(f"{name}: DBSIZE {n} after loading {args.keys} keys")
        if s.command("SAVE", timeout=args.timeout) != b"+OK":
            raise RuntimeError(f"{name}: SAVE failed\n{s.tail_log()}")
        path = os.path.join(work, f"pristine-{name}.rdb")
        shutil.copyfile(os.path.join(s.dir, "dump.rdb"), path)
        log(f"[persistence] {name}: loaded {n:,} keys in {wall:.1f}s with redis-cli --pipe, "
            f"pristine dump {os.path.getsize(path):,} bytes")
        return path, sha, wall


def run(args):
    common.check_binaries(args.vireo, args.redis)
    servers = (("vireo", args.vireo), ("redis", args.redis))
    res = {"tool": "persistence", "machine": common.machine_info(), "keys": args.keys, "rounds": args.rounds, "seed": args.seed,
           "parts": args.parts, "hz": args.hz, "warmup_s": args.warmup,
           "server_cpu": common.SERVER_CPU, "client_cpu": common.CLIENT_CPU,
           "prepare": {}, "per_round": {n: [] for n, _ in servers}}
    work = tempfile.mkdtemp(prefix="vireo-bench-persistence-")
    try:
        t0 = time.perf_counter()
        ds = Dataset(args.keys, args.seed)
        pristine = {}
        for name, binary in servers:
            path, sha, wall = prepare(name, binary, ds, work, args)
            pristine[name] = path
            res["prepare"][name] = {"sha1": sha, "pipe_load_s": wall, "pristine_bytes": os.path.getsize(path)}
        if res["prepare"]["vireo"]["sha1"] != res["prepare"]["redis"]["sha1"]:
            raise RuntimeError("the two servers were sent different datasets")
        log(f"[persistence] dataset ready in {time.perf_counter() - t0:.1f}s")
        for rnd in range(args.rounds):
            for name, binary in servers:
                log(f"[persistence] round {rnd + 1}/{args.rounds}: {name}")
                res["per_round"][name].append(one_round(name, binary, pristine[name], args))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    v, r = res["per_round"]["vireo"], res["per_round"]["redis"]
    res["rows"] = []
    for key, label, target in MEASURES:
        if key not in v[0]:
            continue
        res["rows"].append({"id": key, "label": label, "target": target,
                            "vireo": median([x[key] for x in v]), "redis": median([x[key] for x in r]),
                            "ratio": median([ratio(a[key], b[key]) for a, b in zip(v, r)])})
    return res


# ---- rendering ---------------------------------------------------------------

def fmt_value(key, v):
    if v is None:
        return "n/a"
    if key.endswith("_s") and not key.endswith("per_s"):
        return fmt_num(v, 3)
    return fmt_num(v)


def render(res):
    headers = ["measure", "vireo", "redis", "vireo/redis", "target"]
    rows = []
    for row in res["rows"]:
        tgt = "—"
        if row["target"]:
            tgt = "—" if row["ratio"] is None else ("met" if row["ratio"] <= 1.0 else "**NOT met**")
        rows.append([row["label"], fmt_value(row["id"], row["vireo"]), fmt_value(row["id"], row["redis"]),
                     fmt_ratio(row["ratio"]), tgt])
    order = ", ".join(["vireo, redis"] * min(res["rounds"], 2)) + (", ..." if res["rounds"] > 2 else "")
    note = (f"{fmt_num(res['keys'])} keys of mixed types (60% strings of 90-110 bytes; 10% each lists, "
            "hashes, sets, sorted sets of 10-100 elements), the same RESP for both (redis-cli --pipe). "
            f"Medians over {res['rounds']} rounds ({order}), each a fresh server on a copy of its own "
            "pristine dump.rdb; ratios are medians of the per-round ratios (lower is better). "
            f"The SET load is redis-benchmark `-t set -c 50 -P 16 -d 100 -r {res['keys']}` on CPU "
            f"{res['client_cpu']}; the server and its fork child share CPU {res['server_cpu']}. "
            "Both servers reap the child in their cron (hz "
            f"{res['hz']}), so the BGSAVE time includes up to {1000 // res['hz']} ms of detection; "
            "the child's run time does not.")
    return common.md_table(headers, rows) + "\n\n" + note + "\n"


def targets(res):
    """Issue 9's targets: [(target, measured, met)], met None when not measured."""
    rows = []
    res = res or {}
    got = {r["id"]: r for r in res.get("rows", [])}
    keys = f", {fmt_num(res['keys'])} mixed keys" if "keys" in res else ""
    for key, label, target in MEASURES:
        if not target:
            continue
        r = got.get(key)
        q = r["ratio"] if r else None
        name = label.rsplit(",", 1)[0]
        rows.append((f"{name} <= 1.00x Redis{keys}", f"vireo/redis {fmt_ratio(q)}",
                     None if q is None else q <= 1.0))
    return rows


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--keys", type=int, default=1000000, help="keys in the dataset")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--warmup", type=float, default=1.0, help="s of SET load before the BGSAVE")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=600, help="per load or save, s")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(PARTS))
    ap.add_argument("--quick", action="store_true", help="50,000 keys, 1 round (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    args.parts = common.select_ids(args.only, PARTS)
    if args.quick:
        if args.keys == 1000000:
            args.keys = 50000
        args.rounds, args.warmup = 1, 0.3


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
