#!/usr/bin/python3
"""AOF: vireo-server vs redis-server (issue 9's append-only-file figures).

Owns the issue-9 AOF benchmarks: SET throughput with the AOF on, and the
time and size of a BGREWRITEAOF. Same settings and CPUs as compare.py: each
server on CPU 0 (its fork child inherits CPU 0), every client on CPU 1;
the AOF directory in the server's private temp dir (the file system is
reported: fsync costs depend on it).

  set-no        redis-benchmark -t set -c 50 -P 16 -d 100 -r 1000000 -n N
                (compare.py's set-p16) with appendonly no: the reference;
  set-everysec  the same with appendonly yes, appendfsync everysec
                (target: vireo >= 1.20x redis);
  set-always    the same with appendfsync always (target: >= 1.00x).
                Each run starts a fresh server (an empty AOF and keyspace),
                alternating vireo, redis, vireo, ... for --rounds rounds;
                auto-aof-rewrite-percentage is 0 (no rewrite forks in the
                middle of a run; --auto-rewrite keeps Redis's default 100).
                The AOF's size after the run is reported: the same commands
                make the same bytes in Redis's format.
  rewrite       --keys keys of persistence.py's mixed dataset (1M: 60%
                strings, lists, hashes, sets, sorted sets) loaded into each
                server (appendonly yes); then per round and per
                aof-use-rdb-preamble (yes, no: CONFIG SET) a BGREWRITEAOF,
                timed from its reply until aof_rewrite_in_progress:0 and
                aof_rewrite_scheduled:0 (polled every 10 ms; both servers
                notice the child's exit in their cron at hz 10, up to 100 ms),
                the child's own run time, and the new base file's size.

A vireo-server without the AOF (INFO persistence aof_enabled:0 under
appendonly yes, or no BGREWRITEAOF) shows "n/a (unsupported)" on its side
and counts as not measured. Figures are medians over the rounds; ratios
vireo/redis the median of the per-round ratios.

  bench/compare/aof.py                      # 2,000,000 SETs per run, 3 rounds, 1M keys
  bench/compare/aof.py --quick              # a few seconds (CI smoke)
  bench/compare/aof.py --only set-always --requests 500000
  bench/compare/aof.py --vireo /usr/bin/redis-server   # both sides Redis: checks the tool
"""
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import compare  # noqa: E402
import persistence  # noqa: E402
from common import UNSUPPORTED, fmt_num, fmt_ratio, log, median, ratio  # noqa: E402

PARTS = ["set-no", "set-everysec", "set-always", "rewrite"]
MODES = {"set-no": None, "set-everysec": "everysec", "set-always": "always"}
WORKLOAD = ("set-p16", "set", 50, 16)  # compare.py's: -d 100 -r 1000000
TARGETS = {"set-everysec": 1.2, "set-always": 1.0}
PREAMBLES = ["yes", "no"]
NOT_MEASURED = "not measured (aof.py not run)"


def mode_label(part):
    policy = MODES[part]
    what = "appendonly no (reference)" if policy is None else f"appendonly yes, appendfsync {policy}"
    return f"SET c=50 P=16, {what}"


def fs_of(path):
    """(file system type, mount point) holding `path`, from /proc/mounts."""
    best = ("unknown", "")
    path = os.path.realpath(path)
    try:
        with open("/proc/mounts") as f:
            for line in f:
                dev, mnt, fstype = line.split()[:3]
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best[1]):
                    best = (fstype, mnt)
    except OSError:
        pass
    return best


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def aof_args(policy, args):
    if policy is None:
        return []
    out = ["--appendonly", "yes", "--appendfsync", policy]
    if not args.auto_rewrite:
        out += ["--auto-aof-rewrite-percentage", "0"]
    return out


def check_aof_on(s):
    """Raises Unsupported unless the server really writes an AOF."""
    if s.info("persistence").get("aof_enabled") != "1":
        raise common.Unsupported("appendonly (INFO persistence aof_enabled is not 1)")


# ---- SET throughput -------------------------------------------------------

def one_set_run(name, binary, part, args):
    """A fresh server in `part`'s mode, one redis-benchmark run."""
    policy = MODES[part]
    with common.Server(name, binary, hz=args.hz, extra=aof_args(policy, args)) as s:
        if policy is not None:
            check_aof_on(s)
        res = compare.run_benchmark(s, WORKLOAD, args.requests, args.timeout)
        if policy is not None:
            res["aof_bytes"] = dir_bytes(os.path.join(s.dir, "appendonlydir"))
            # Why a floor: a server that says aof_enabled:1 but writes
            # nothing would measure as a fast appendonly no.
            if res["aof_bytes"] < 30 * args.requests:
                raise RuntimeError(f"{name} {part}: {res['aof_bytes']:,} AOF bytes after "
                                   f"{args.requests:,} SETs\n{s.tail_log()}")
        res["fs"] = fs_of(s.dir)
    log(f"[aof {part}] {name}: {res['rps']:,.0f} ops/s p99={res['p99_ms']} ms "
        f"wall={res['wall_s']:.1f}s" + (f" aof={res['aof_bytes']:,} B" if "aof_bytes" in res else ""))
    return res


def run_sets(part, servers, args):
    per = {n: [] for n, _ in servers}
    unsupported = {}
    for rnd in range(args.rounds):
        for name, binary in servers:
            if name in unsupported:
                continue
            try:
                per[name].append(one_set_run(name, binary, part, args))
            except common.Unsupported as e:
                unsupported[name] = str(e)
                log(f"[aof {part}] {name}: {UNSUPPORTED}: {e}")
    if "redis" in unsupported:
        raise RuntimeError(f"redis-server: {unsupported['redis']}")
    return {"id": part, "label": mode_label(part), "requests": args.requests,
            "rounds": per, "unsupported": unsupported}


# ---- BGREWRITEAOF -----------------------------------------------------------

def base_file(aof_dir):
    """The base file named by the manifest (appendonly.aof.manifest)."""
    with open(os.path.join(aof_dir, "appendonly.aof.manifest")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 6 and w[5] == "b":
                return os.path.join(aof_dir, w[1])
    raise RuntimeError(f"no base file in {aof_dir}/appendonly.aof.manifest")


def rewrite_once(conn, s, preamble, timeout):
    """CONFIG SET aof-use-rdb-preamble, BGREWRITEAOF, wait: its figures."""
    if conn.call("CONFIG", "SET", "aof-use-rdb-preamble", preamble) != b"+OK":
        raise RuntimeError(f"{s.name}: CONFIG SET aof-use-rdb-preamble {preamble} refused")
    reply = conn.call("BGREWRITEAOF")
    t0 = time.perf_counter()
    if common.is_unknown_command(reply):
        raise common.Unsupported("BGREWRITEAOF")
    if not reply.startswith(b"+Background append only file rewriting"):
        raise RuntimeError(f"{s.name}: BGREWRITEAOF answered {reply!r}")
    child = persistence.child_pid(s.pid)
    child_end = None
    deadline = t0 + timeout
    while True:
        if child and child_end is None and persistence.proc_gone(child):
            child_end = time.perf_counter()
        info = conn.info("persistence")
        if info.get("aof_rewrite_in_progress") == "0" and info.get("aof_rewrite_scheduled") == "0":
            t1 = time.perf_counter()
            break
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{s.name}: BGREWRITEAOF still running after {timeout}s")
        time.sleep(0.01)
    if info.get("aof_last_bgrewrite_status") != "ok":
        raise RuntimeError(f"{s.name}: aof_last_bgrewrite_status:{info.get('aof_last_bgrewrite_status')}"
                           f"\n{s.tail_log()}")
    base = base_file(os.path.join(s.dir, "appendonlydir"))
    with open(base, "rb") as f:
        is_rdb = f.read(5) == b"REDIS"
    if is_rdb != (preamble == "yes"):
        raise RuntimeError(f"{s.name}: aof-use-rdb-preamble {preamble} but the base is {base}")
    return {"s": t1 - t0, "child_s": (child_end or t1) - t0, "bytes": os.path.getsize(base)}


def run_rewrite(servers, args):
    ds = persistence.Dataset(args.keys, args.seed)
    live, unsupported, prep = {}, {}, {}
    per = {p: {n: [] for n, _ in servers} for p in PREAMBLES}
    try:
        for name, binary in servers:
            s = common.Server(name, binary, hz=args.hz, extra=aof_args("everysec", args),
                              start_timeout=args.timeout)
            try:
                check_aof_on(s)
            except common.Unsupported as e:
                s.stop()
                unsupported[name] = str(e)
                log(f"[aof rewrite] {name}: {UNSUPPORTED}: {e}")
                continue
            live[name] = s
            sha, wall = persistence.load_dataset(s, ds)
            prep[name] = {"sha1": sha, "pipe_load_s": wall}
            log(f"[aof rewrite] {name}: loaded {args.keys:,} keys in {wall:.1f}s")
        if "redis" in unsupported:
            raise RuntimeError(f"redis-server: {unsupported['redis']}")
        if len({p["sha1"] for p in prep.values()}) > 1:
            raise RuntimeError("the two servers were sent different datasets")
        for rnd in range(args.rounds):
            for preamble in PREAMBLES:
                for name, _ in servers:
                    if name not in live:
                        continue
                    s = live[name]
                    conn = persistence.Conn(s.port, timeout=args.timeout)
                    try:
                        r = rewrite_once(conn, s, preamble, args.timeout)
                    except common.Unsupported as e:
                        unsupported[name] = str(e)
                        live.pop(name).stop()
                        log(f"[aof rewrite] {name}: {UNSUPPORTED}: {e}")
                        continue
                    finally:
                        conn.close()
                    per[preamble][name].append(r)
                    log(f"[aof rewrite round {rnd + 1}/{args.rounds}] {name} preamble={preamble}: "
                        f"{r['s']:.3f}s (child {r['child_s']:.3f}s), base {r['bytes']:,} B")
    finally:
        for s in live.values():
            s.stop()
    return {"keys": args.keys, "prepare": prep, "rounds": per, "unsupported": unsupported}


# ---- the run and its rows ---------------------------------------------------

def summary_row(rid, label, v, r, key, target=None, unsupported=False):
    return {"id": rid, "label": label, "target": target, "unsupported": unsupported,
            "vireo": median([x[key] for x in v]), "redis": median([x[key] for x in r]),
            "ratio": median([ratio(a[key], b[key]) for a, b in zip(v, r)])}


def rows_of(res):
    rows = []
    for m in res.get("modes", []):
        v, r = m["rounds"]["vireo"], m["rounds"]["redis"]
        uns = "vireo" in m["unsupported"]
        rows.append(summary_row(f"{m['id']}_rps", f"{m['label']}, ops/s", v, r, "rps",
                                TARGETS.get(m["id"]), uns))
        rows.append(summary_row(f"{m['id']}_p99_ms", f"{m['label']}, p99 ms", v, r, "p99_ms",
                                unsupported=uns))
        if MODES[m["id"]] is not None:
            rows.append(summary_row(f"{m['id']}_aof_bytes", f"{m['label']}, AOF size after the run, bytes",
                                    v, r, "aof_bytes", unsupported=uns))
    rw = res.get("rewrite")
    if rw:
        uns = "vireo" in rw["unsupported"]
        for p in PREAMBLES:
            v, r = rw["rounds"][p]["vireo"], rw["rounds"][p]["redis"]
            what = f"BGREWRITEAOF of {fmt_num(rw['keys'])} mixed keys, aof-use-rdb-preamble {p}"
            rows.append(summary_row(f"rewrite_{p}_s", f"{what}: reply -> done, s", v, r, "s",
                                    unsupported=uns))
            rows.append(summary_row(f"rewrite_{p}_child_s", f"{what}: the child's run time, s", v, r,
                                    "child_s", unsupported=uns))
            rows.append(summary_row(f"rewrite_{p}_bytes", f"{what}: base file size, bytes", v, r,
                                    "bytes", unsupported=uns))
    return rows


def run(args):
    common.check_binaries(args.vireo, args.redis)
    common.raise_fd_limit()
    servers = (("vireo", args.vireo), ("redis", args.redis))
    res = {"tool": "aof", "machine": common.machine_info(), "rounds": args.rounds,
           "requests": args.requests, "parts": args.parts, "hz": args.hz,
           "auto_rewrite": args.auto_rewrite, "server_cpu": common.SERVER_CPU,
           "client_cpu": common.CLIENT_CPU, "modes": []}
    t0 = time.perf_counter()
    for part in args.parts:
        if part in MODES:
            res["modes"].append(run_sets(part, servers, args))
    if "rewrite" in args.parts:
        res["rewrite"] = run_rewrite(servers, args)
    fs = [x["fs"] for m in res["modes"] for side in m["rounds"].values() for x in side]
    res["fs"] = fs[0] if fs else list(fs_of(tempfile.gettempdir()))
    res["elapsed_s"] = time.perf_counter() - t0
    res["rows"] = rows_of(res)
    return res


# ---- rendering ---------------------------------------------------------------

def fmt_value(rid, v, unsupported):
    if unsupported:
        return UNSUPPORTED
    if v is None:
        return "n/a"
    if rid.endswith("_ms"):
        return fmt_num(v, 2)
    if rid.endswith("_s"):
        return fmt_num(v, 3)
    return fmt_num(v)


def render(res):
    headers = ["measure", "vireo", "redis", "vireo/redis", "target"]
    rows = []
    for row in res["rows"]:
        tgt = "—"
        if row["target"] is not None:
            q = None if row["unsupported"] else row["ratio"]
            tgt = (f">= {row['target']:.2f}: " + ("—" if q is None else "met" if q >= row["target"]
                                                   else "**NOT met**"))
        rows.append([row["label"], fmt_value(row["id"], row["vireo"], row["unsupported"]),
                     fmt_value(row["id"], row["redis"], False),
                     UNSUPPORTED if row["unsupported"] else fmt_ratio(row["ratio"]), tgt])
    order = ", ".join(["vireo, redis"] * min(res["rounds"], 2)) + (", ..." if res["rounds"] > 2 else "")
    fstype, mnt = res.get("fs") or ("unknown", "")
    rounds = f"{res['rounds']} round" + ("s" if res["rounds"] != 1 else "")
    note = (f"SET rows: redis-benchmark `-t set -c 50 -P 16 -d 100 -r 1000000 -n "
            f"{fmt_num(res['requests'])}` on CPU {res['client_cpu']}, the server on CPU "
            f"{res['server_cpu']}, a fresh server per run ({order}; {rounds}), "
            f"aof-use-rdb-preamble yes, auto-aof-rewrite-percentage "
            f"{'100 (default)' if res.get('auto_rewrite') else '0'}; the AOF files on {fstype} "
            f"({mnt}). Medians; ratios are medians of the per-round ratios (ops/s: higher is "
            "better; times and sizes: lower is better).")
    if res.get("rewrite"):
        note += (" BGREWRITEAOF rows: persistence.py's mixed dataset loaded through redis-cli "
                 "--pipe with appendonly yes, then per round a rewrite with each preamble setting "
                 f"(CONFIG SET); both servers notice the child's end in their cron (hz {res['hz']}).")
    return common.md_table(headers, rows) + "\n\n" + note + "\n"


def targets(res):
    """Issue 9's AOF targets: [(target, measured, met)], met None when not
    measured (aof.py not run, or vireo without the AOF)."""
    got = {r["id"]: r for r in (res or {}).get("rows", [])}
    out = []
    for part, target in TARGETS.items():
        r = got.get(f"{part}_rps")
        name = f"{mode_label(part)} >= {target:.2f}x Redis"
        if r is None:
            out.append((name, NOT_MEASURED, None))
        elif r["unsupported"]:
            out.append((name, UNSUPPORTED, None))
        else:
            q = r["ratio"]
            out.append((name, f"vireo/redis {fmt_ratio(q)}", None if q is None else q >= target))
    return out


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=2000000,
                    help="-n of each SET run (about 10 s each on the 2-core CI machine)")
    ap.add_argument("--keys", type=int, default=1000000, help="keys in the BGREWRITEAOF dataset")
    ap.add_argument("--seed", type=int, default=9, help="of the BGREWRITEAOF dataset")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--auto-rewrite", action="store_true",
                    help="keep auto-aof-rewrite-percentage 100 during the SET runs")
    ap.add_argument("--timeout", type=float, default=600, help="per run, load or rewrite, s")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(PARTS))
    ap.add_argument("--quick", action="store_true", help="50,000 SETs, 20,000 keys, 1 round (smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    args.parts = common.select_ids(args.only, PARTS)
    if args.quick:
        if args.requests == 2000000:
            args.requests = 50000
        if args.keys == 1000000:
            args.keys = 20000
        args.rounds = 1
    if args.rounds < 1:
        raise SystemExit("--rounds must be >= 1")


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
