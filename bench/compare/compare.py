#!/usr/bin/python3
"""Throughput, latency and server CPU: vireo-server vs redis-server.

Starts both servers with the same settings (no persistence, loopback, same
hz, protected mode off), pins each server to CPU 0 and redis-benchmark to
CPU 1, and runs every workload against both alternately (A, B, A, B, ...),
`--rounds` times. Reports, per workload, the median of each server's ops/s,
p50 and p99 latency (redis-benchmark --csv) and server CPU seconds per
million requests (utime+stime from /proc/PID/stat before/after the run), and
the median of the per-round ratios vireo/redis.

With --baseline BIN, a third server "before" (an earlier vireo-server, e.g.
from bench/compare/build-baseline.sh COMMIT) runs the same workloads in the
same rounds (vireo, redis, before, vireo, ...), and a second table compares
vireo and the baseline, each against redis and against each other.

Then the data-type workloads of issue 7 (LPUSH RPUSH LPOP RPOP SADD HSET
SPOP ZADD ZPOPMIN LRANGE_100 LRANGE_600 at -P 16, 50 clients) on the same
servers, the same way, in a table of their own; a server that answers
"unknown command" to one of a test's commands is shown as "n/a
(unsupported)" for it.

  bench/compare/compare.py                     # full run (a few minutes)
  bench/compare/compare.py --quick             # tiny smoke run
  bench/compare/compare.py --only set,get-p16  # a subset (test name or id)
  bench/compare/compare.py --only lpush,lrange_600-p16 --quick --rounds 1
  bench/compare/compare.py --baseline /tmp/vireo-baseline-e0d1328/build/vireo-server
"""
import csv
import io
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, fmt_ratio, log, median, ratio  # noqa: E402

TESTS = ["ping_mbulk", "set", "get", "incr", "mset"]
# Issue 7: the data-type tests, at -P 16 with 50 clients only, in a table of
# their own (the workloads above and their figures stay as they are).
TYPE_TESTS = ["lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin",
              "lrange_100", "lrange_600"]
KEYSPACE = 1000000
DATA_SIZE = 100
# The key each type test works on (redis-benchmark's names), what the run
# needs before it (so that every pop hits) and one command per server-side
# command it sends, to probe for "unknown command" first.
TYPE_KEY = {"lpush": "mylist", "rpush": "mylist", "lpop": "mylist", "rpop": "mylist",
            "sadd": "myset", "spop": "myset", "hset": "myhash", "zadd": "myzset",
            "zpopmin": "myzset", "lrange_100": "mylist", "lrange_600": "mylist"}
PREFILL = {"lpop": "list", "rpop": "list", "spop": "set", "zpopmin": "zset"}
PROBE_KEY = "vireo-bench:probe"
TYPE_PROBES = {
    "lpush": [("LPUSH", PROBE_KEY, "x")],
    "rpush": [("RPUSH", PROBE_KEY, "x")],
    "lpop": [("RPUSH", PROBE_KEY, "x"), ("LPOP", PROBE_KEY)],
    "rpop": [("RPUSH", PROBE_KEY, "x"), ("RPOP", PROBE_KEY)],
    "sadd": [("SADD", PROBE_KEY, "x")],
    "spop": [("SADD", PROBE_KEY, "x"), ("SPOP", PROBE_KEY)],
    "hset": [("HSET", PROBE_KEY, "f", "x")],
    "zadd": [("ZADD", PROBE_KEY, "1", "x")],
    "zpopmin": [("ZADD", PROBE_KEY, "1", "x"), ("ZPOPMIN", PROBE_KEY)],
    "lrange_100": [("LPUSH", PROBE_KEY, "x"), ("LRANGE", PROBE_KEY, "0", "99")],
    "lrange_600": [("LPUSH", PROBE_KEY, "x"), ("LRANGE", PROBE_KEY, "0", "599")],
}


def workloads():
    """(id, redis-benchmark test, clients, pipeline, label)."""
    out = []
    for t in TESTS:
        out.append((f"{t}-p1", t, 50, 1))
        out.append((f"{t}-p16", t, 50, 16))
    for t in ("set", "get"):
        out.append((f"{t}-c1000", t, 1000, 1))
    return out


def type_workloads():
    """Issue 7's data-type workloads, same tuple as workloads()."""
    return [(f"{t}-p16", t, 50, 16) for t in TYPE_TESTS]


def label(w):
    wid, test, clients, pipe = w
    name = "MSET (10 keys)" if test == "mset" else test.upper()
    return f"{name} c={clients} P={pipe}"


def select(only):
    ws = workloads() + type_workloads()
    if not only:
        return ws
    keys = [k.strip().lower() for k in only.split(",") if k.strip()]
    sel = [w for w in ws if w[0] in keys or w[1] in keys]
    if not sel:
        raise SystemExit(f"--only {only}: no workload matches; ids: {', '.join(w[0] for w in ws)}")
    return sel


def requests_for(w, args):
    _, test, clients, pipe = w
    if test in TYPE_TESTS:
        return requests_for_type(test, args.requests_types)
    if pipe > 1:
        n = args.requests_pipelined
    elif clients >= 1000:
        n = args.requests_c1000
    else:
        n = args.requests
    # Why: one MSET writes 10 keys; a fifth of the requests keeps its runs
    # about as long as the others'.
    if test == "mset":
        n = max(n // 5, 1000)
    return n


# Why: an LRANGE_100 reply is 100 x 100 bytes, an LRANGE_600 one 600 x 100
# (tens to hundreds of times a push's work); these divisors of -n keep each
# run at a few seconds like the others'.
LRANGE_DIVISOR = {"lrange_100": 40, "lrange_600": 200}


def requests_for_type(test, n):
    return max(n // LRANGE_DIVISOR.get(test, 1), 1000)


def probe_type_test(server, test):
    """Raises common.Unsupported when the server lacks a command the test sends."""
    try:
        for cmd in TYPE_PROBES[test]:
            common.probe(server, *cmd)
    finally:
        server.command("DEL", PROBE_KEY)


_prefill_cache = {}


def prefill_commands(kind, n):
    """n elements for the key of a pop test: the list gets redis-benchmark's
    LPUSH value ('x' * DATA_SIZE), the set and sorted set its member names
    (element:%012d, scores 0..n-1). Built once per (kind, n)."""
    if (kind, n) in _prefill_cache:
        return _prefill_cache[(kind, n)]
    chunk = 1000
    cmds = []
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        if kind == "list":
            args = [b"RPUSH", b"mylist"] + [b"x" * DATA_SIZE] * count
        elif kind == "set":
            args = [b"SADD", b"myset"] + [b"element:%012d" % i for i in range(start, start + count)]
        else:
            args = [b"ZADD", b"myzset"]
            for i in range(start, start + count):
                args += [b"%d" % i, b"element:%012d" % i]
        cmds.append(common.encode(args))
    _prefill_cache.clear()  # keep one payload at a time
    _prefill_cache[(kind, n)] = cmds
    return cmds


def prepare_type_test(server, test, n):
    """Every run starts from the same state: the key deleted, then for the
    pop tests filled with n elements (untimed)."""
    server.command("DEL", TYPE_KEY[test], timeout=120)
    if test in PREFILL:
        common.pipeline_lines(server.port, prefill_commands(PREFILL[test], n), batch=20)


def run_benchmark(server, w, n, timeout):
    wid, test, clients, pipe = w
    cmd = common.pin([common.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(server.port),
                      "-n", str(n), "-c", str(clients), "-P", str(pipe),
                      "-r", str(KEYSPACE), "-d", str(DATA_SIZE), "-t", test, "--csv"],
                     common.CLIENT_CPU)
    cpu0 = server.cpu_seconds()
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    wall = time.time() - t0
    cpu1 = server.cpu_seconds()
    if p.returncode != 0 or not server.alive():
        raise RuntimeError(f"{server.name} {wid}: redis-benchmark rc={p.returncode} "
                           f"alive={server.alive()}\n{p.stderr[-2000:]}\n{server.tail_log()}")
    # Why: -t lrange_N prints two rows, "LPUSH (needed to benchmark LRANGE)"
    # first; the test's own row is the one whose first word is its name.
    rows = [r for r in csv.DictReader(io.StringIO(p.stdout))
            if r.get("test") and r["test"].split()[0].lower() == test]
    if len(rows) != 1:
        raise RuntimeError(f"{server.name} {wid}: unexpected redis-benchmark output:\n"
                           f"{p.stdout}\n{p.stderr}")
    r = rows[0]
    return {
        "rps": float(r["rps"]),
        "avg_ms": float(r["avg_latency_ms"]),
        "p50_ms": float(r["p50_latency_ms"]),
        "p99_ms": float(r["p99_latency_ms"]),
        "max_ms": float(r["max_latency_ms"]),
        "cpu_s": cpu1 - cpu0,
        "cpu_s_per_mreq": (cpu1 - cpu0) / n * 1e6,
        "wall_s": wall,
        "requests": n,
    }


def run(args):
    common.check_binaries(args.vireo, args.redis)
    common.check_baseline(args.baseline)
    common.raise_fd_limit()
    sel = select(args.only)
    results = {"tool": "compare", "rounds": args.rounds, "hz": args.hz,
               "server_cpu": common.SERVER_CPU, "client_cpu": common.CLIENT_CPU,
               "workloads": []}
    if args.baseline:
        results["baseline"] = os.path.abspath(args.baseline)
    types = [w for w in sel if w[1] in TYPE_TESTS]
    sel = [w for w in sel if w[1] not in TYPE_TESTS]
    if types:
        results["types"] = []
    servers = []
    try:
        vireo = common.Server("vireo", args.vireo, hz=args.hz)
        servers.append(vireo)
        redis = common.Server("redis", args.redis, hz=args.hz)
        servers.append(redis)
        if args.baseline:
            servers.append(common.Server("before", args.baseline, hz=args.hz))
        for w in sel:
            n = requests_for(w, args)
            per = {s.name: [] for s in servers}
            for rnd in range(args.rounds):
                for s in servers:
                    res = run_benchmark(s, w, n, args.timeout)
                    per[s.name].append(res)
                    log(f"[{w[0]} round {rnd + 1}/{args.rounds}] {s.name}: "
                        f"{res['rps']:,.0f} ops/s p50={res['p50_ms']} p99={res['p99_ms']} "
                        f"cpu={res['cpu_s']:.2f}s")
            results["workloads"].append(summarize(w, n, per))
        for w in types:
            results["types"].append(run_type_workload(servers, w, args))
    finally:
        for s in servers:
            s.stop()
    return results


def run_type_workload(servers, w, args):
    """One data-type workload, alternating servers per round like the others;
    a server lacking one of its commands is skipped ("unsupported")."""
    n = requests_for(w, args)
    unsupported = {}
    for s in servers:
        try:
            probe_type_test(s, w[1])
        except common.Unsupported as e:
            unsupported[s.name] = str(e)
            log(f"[{w[0]}] {s.name}: {common.UNSUPPORTED}: {e}")
    per = {s.name: [] for s in servers}
    for rnd in range(args.rounds):
        for s in servers:
            if s.name in unsupported:
                continue
            prepare_type_test(s, w[1], n)
            res = run_benchmark(s, w, n, args.timeout)
            s.command("DEL", TYPE_KEY[w[1]], timeout=120)
            if w[1].startswith("lrange"):
                # Why: redis-benchmark's own LPUSH fill runs in the same
                # process call; the server's CPU covers both.
                res["cpu_s"] = res["cpu_s_per_mreq"] = None
            per[s.name].append(res)
            log(f"[{w[0]} round {rnd + 1}/{args.rounds}] {s.name}: "
                f"{res['rps']:,.0f} ops/s p50={res['p50_ms']} p99={res['p99_ms']}")
    return summarize(w, n, per, unsupported)


def summarize(w, n, per, unsupported=None):
    v, r = per["vireo"], per["redis"]
    out = {"id": w[0], "label": label(w), "test": w[1], "clients": w[2], "pipeline": w[3],
           "requests": n, "rounds": {"vireo": v, "redis": r}}
    if unsupported:
        out["unsupported"] = unsupported
    for k in ("rps", "p50_ms", "p99_ms", "cpu_s_per_mreq"):
        out[f"vireo_{k}"] = median([x[k] for x in v])
        out[f"redis_{k}"] = median([x[k] for x in r])
        out[f"ratio_{k}"] = median([ratio(a[k], b[k]) for a, b in zip(v, r)])
    if "before" in per:
        b = per["before"]
        out["rounds"]["before"] = b
        for k in ("rps", "p50_ms", "p99_ms", "cpu_s_per_mreq"):
            out[f"before_{k}"] = median([x[k] for x in b])
        for k in ("rps", "p99_ms", "cpu_s_per_mreq"):
            out[f"ratio_before_{k}"] = median([ratio(x[k], y[k]) for x, y in zip(b, r)])
        out["vs_before_rps"] = median([ratio(x["rps"], y["rps"]) for x, y in zip(v, b)])
        out["vs_before_cpu"] = median([ratio(x["cpu_s_per_mreq"], y["cpu_s_per_mreq"])
                                       for x, y in zip(v, b)])
    return out


def has_baseline(results):
    return any("before_rps" in w for w in results.get("workloads", []))


def skeleton():
    """Empty results with the full layout (RESULTS.md template)."""
    per = {"vireo": [], "redis": []}
    return {"rounds": 3, "hz": 10, "server_cpu": common.SERVER_CPU, "client_cpu": common.CLIENT_CPU,
            "workloads": [summarize(w, 0, per) for w in workloads()],
            "types": [summarize(w, 0, per) for w in type_workloads()]}


def render(results):
    headers = ["workload", "vireo ops/s", "redis ops/s", "ops ratio",
               "vireo p50 ms", "redis p50 ms", "vireo p99 ms", "redis p99 ms", "p99 ratio",
               "vireo CPU s/Mreq", "redis CPU s/Mreq", "CPU ratio"]
    rows = []
    for w in results["workloads"]:
        rows.append([w["label"], fmt_num(w["vireo_rps"]), fmt_num(w["redis_rps"]),
                     fmt_ratio(w["ratio_rps"]),
                     fmt_num(w["vireo_p50_ms"], 3), fmt_num(w["redis_p50_ms"], 3),
                     fmt_num(w["vireo_p99_ms"], 3), fmt_num(w["redis_p99_ms"], 3),
                     fmt_ratio(w["ratio_p99_ms"]),
                     fmt_num(w["vireo_cpu_s_per_mreq"], 2), fmt_num(w["redis_cpu_s_per_mreq"], 2),
                     fmt_ratio(w["ratio_cpu_s_per_mreq"])])
    base = has_baseline(results)
    order = "vireo, redis, before, vireo, ..." if base else "vireo, redis, vireo, ..."
    note = (f"Medians over {results['rounds']} alternating rounds ({order}); "
            f"ratios are the median of per-round vireo/redis. Servers on CPU "
            f"{results['server_cpu']}, redis-benchmark on CPU {results['client_cpu']}; "
            f"`-r {KEYSPACE} -d {DATA_SIZE}`, hz {results['hz']}. CPU = server utime+stime "
            f"per million requests.")
    out = common.md_table(headers, rows) + "\n\n" + note + "\n"
    if base:
        out += "\n" + render_baseline(results)
    return out


def render_types(results):
    """Issue 7's data-type workloads (-P 16, 50 clients): their own table."""
    base = any("before" in w["rounds"] for w in results.get("types", []))
    headers = ["workload", "vireo ops/s", "redis ops/s", "ops ratio", "vireo p99 ms",
               "redis p99 ms", "p99 ratio", "vireo CPU s/Mreq", "redis CPU s/Mreq", "CPU ratio"]
    if base:
        headers += ["before ops/s", "vireo/before ops"]
    rows = []
    for w in results.get("types", []):
        uns = w.get("unsupported", {})

        def side(name, k, digits=0):
            return common.UNSUPPORTED if name in uns else fmt_num(w.get(f"{name}_{k}"), digits)

        def both(k):
            return common.UNSUPPORTED if uns.keys() & {"vireo", "redis"} else fmt_ratio(w.get(k))
        row = [w["label"], side("vireo", "rps"), side("redis", "rps"), both("ratio_rps"),
               side("vireo", "p99_ms", 3), side("redis", "p99_ms", 3), both("ratio_p99_ms"),
               side("vireo", "cpu_s_per_mreq", 2), side("redis", "cpu_s_per_mreq", 2),
               both("ratio_cpu_s_per_mreq")]
        if base:
            row += [side("before", "rps"),
                    common.UNSUPPORTED if uns.keys() & {"vireo", "before"}
                    else fmt_ratio(w.get("vs_before_rps"))]
        rows.append(row)
    order = "vireo, redis, before, vireo, ..." if base else "vireo, redis, vireo, ..."
    note = (f"redis-benchmark `-t <test> -c 50 -P 16 -r {KEYSPACE} -d {DATA_SIZE}`, medians over "
            f"{results['rounds']} alternating rounds ({order}), ratios the median of per-round "
            "vireo/redis. Before each run the test's key (mylist, myset, myhash, myzset) is "
            "deleted, and for LPOP, RPOP, SPOP and ZPOPMIN filled with as many elements as the "
            "run pops (untimed), so every pop hits; after it the key is deleted again. -n is "
            f"divided by {LRANGE_DIVISOR['lrange_100']} for LRANGE_100 and by "
            f"{LRANGE_DIVISOR['lrange_600']} for LRANGE_600 (redis-benchmark fills the list "
            "with as many LPUSHes first; its CPU is in the same run, so no CPU figure there). "
            f"\"{common.UNSUPPORTED}\": the server answered \"unknown command\" to a command of "
            "the test (probed before the rounds).")
    return common.md_table(headers, rows) + "\n\n" + note + "\n"


def render_baseline(results):
    """The second table: vireo and the baseline ("before"), against redis and each other."""
    headers = ["workload", "vireo/redis ops", "before/redis ops", "vireo/before ops",
               "vireo/redis CPU", "before/redis CPU", "vireo/before CPU"]
    rows = []
    for w in results["workloads"]:
        rows.append([w["label"], fmt_ratio(w["ratio_rps"]), fmt_ratio(w.get("ratio_before_rps")),
                     fmt_ratio(w.get("vs_before_rps")), fmt_ratio(w["ratio_cpu_s_per_mreq"]),
                     fmt_ratio(w.get("ratio_before_cpu_s_per_mreq")),
                     fmt_ratio(w.get("vs_before_cpu"))])
    bin_ = results.get("baseline")
    note = ("Every ratio is the median of the per-round ratios (the three servers run each "
            "workload in the same round). \"before\" is the baseline vireo-server"
            + (f" (`{bin_}`)" if bin_ else "") + ", same command line and CPU as the others.")
    return "Against the baseline:\n\n" + common.md_table(headers, rows) + "\n\n" + note + "\n"


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--baseline", default="", metavar="BIN",
                    help="an earlier vireo-server, run as \"before\" in every round (default: none)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (>= 3)")
    ap.add_argument("--requests", type=int, default=200000, help="-n for the -P 1 workloads")
    ap.add_argument("--requests-pipelined", type=int, default=2000000,
                    help="-n for the -P 16 workloads")
    ap.add_argument("--requests-c1000", type=int, default=200000,
                    help="-n for the 1000-client workloads")
    ap.add_argument("--requests-types", type=int, default=2000000,
                    help="-n for the data-type workloads (LRANGE_100 / 40, LRANGE_600 / 200)")
    ap.add_argument("--hz", type=int, default=10, help="hz for both servers")
    ap.add_argument("--only", default="", help="comma list of workload ids or test names")
    ap.add_argument("--timeout", type=float, default=600, help="per redis-benchmark run, s")
    ap.add_argument("--quick", action="store_true", help="tiny -n (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.requests, args.requests_pipelined, args.requests_c1000 = 1000, 10000, 1000
        args.requests_types = 5000
    elif args.rounds < 3:
        raise SystemExit("--rounds must be at least 3 (use --quick for a smoke run)")
    if args.rounds < 1:
        raise SystemExit("--rounds must be >= 1")


def render_all(results):
    """Both tables (the command line's output)."""
    out = render(results) if results["workloads"] else ""
    if results.get("types"):
        out += ("\n" if out else "") + "Data types (issue 7):\n\n" + render_types(results)
    return out


def main():
    common.tool_main(sys.modules[__name__], render_all)


if __name__ == "__main__":
    main()
