#!/usr/bin/python3
"""Runs every comparison and writes bench/RESULTS.md (to stdout or --out).

  bench/compare/report.py --out bench/RESULTS.md     # full run (about 10 min)
  bench/compare/run.sh --all > bench/RESULTS.md      # the same, via the wrapper
  bench/compare/report.py --quick                    # tiny smoke variant
  bench/compare/report.py --template                 # layout only, no runs

Sections: machine and commit, the issues' targets with met / NOT met, then
the tables of compare.py (throughput, latency, CPU; the data types of issue
7 in a table of their own), memory.py (bytes per key, per idle connection),
types_memory.py (bytes per list / hash / set / sorted-set element),
latency.py (other clients' latency while a big value is deleted),
instructions.py (instructions per request), pubsub.py, eviction.py and
acl.py (issue 8), persistence.py (issue 9: BGSAVE, dump.rdb size, restart
to loaded, memory peak of a BGSAVE under SET load), aof.py (issue 9: SET
throughput with appendonly yes, everysec / always, BGREWRITEAOF time and
size; its targets replace persistence.py's AOF placeholder rows),
replication.py (issue 10: full sync to master_link_status:up, disk and
diskless; SET throughput on a master with 2 replicas, lag and replication
buffers), sentinel.py (issue 11: failover time after SIGKILL of the
master; writes lost and full resyncs over SENTINEL FAILOVER COORDINATED
switchovers, the plain failover for contrast), cluster.py (issue 12: SET /
GET -P 16 and memory per key on a single-node cluster, a reshard of 1000
slots under a client load, other clients' latency while the slot of a 1M-
member sorted set moves) and, with --micro DIR, the
micro benchmarks' output. --json FILE keeps the raw numbers; --from-json
FILE re-renders a report without running anything.

--baseline BIN adds an earlier vireo-server ("before") to the compare.py and
instructions.py runs, for the "no lower / no higher than before" targets;
--baseline-label names it in the report (e.g. the commit it was built from):

  B=$(bench/compare/build-baseline.sh e0d1328) && \
    bench/compare/run.sh --all --baseline "$B" --baseline-label e0d1328 > bench/RESULTS.md
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import acl  # noqa: E402
import aof  # noqa: E402
import cluster  # noqa: E402
import compare  # noqa: E402
import eviction  # noqa: E402
import instructions  # noqa: E402
import latency  # noqa: E402
import memory  # noqa: E402
import persistence  # noqa: E402
import pubsub  # noqa: E402
import replication  # noqa: E402
import sentinel  # noqa: E402
import types_memory  # noqa: E402
from common import UNSUPPORTED, fmt_num, fmt_ratio, log  # noqa: E402

# vireo/before ops/s below 1.00 by less than this counts as "no lower than
# before": the run-to-run noise of the -P 16 workloads on the 2-core machine.
BEFORE_NOISE = 0.97

MICRO = ["resp_parser_bench", "reply_bench", "hashtable_bench", "numbers_bench"]


def tool_args(mod, argv):
    ap = argparse.ArgumentParser()
    mod.add_args(ap)
    a = ap.parse_args(argv)
    mod.fix_args(a)
    return a


def commands(args):
    """The exact command lines equivalent to this report's runs."""
    v = os.path.relpath(args.vireo, common.REPO) if args.vireo.startswith(common.REPO) else args.vireo
    q = " --quick" if args.quick else ""
    r = f" --rounds {args.rounds}" if args.rounds != 3 else ""
    b = f" --baseline {args.baseline}" if args.baseline else ""
    cmds = [f"bench/compare/compare.py --vireo {v}{b}{q}{r}",
            f"bench/compare/memory.py --vireo {v}{q}",
            f"bench/compare/types_memory.py --vireo {v}{q}",
            f"bench/compare/latency.py --vireo {v}{q}",
            f"bench/compare/instructions.py --vireo {v}{b}{q}",
            f"bench/compare/pubsub.py --vireo {v}{q}",
            f"bench/compare/eviction.py --vireo {v}{q}",
            f"bench/compare/acl.py --vireo {v}{q}",
            f"bench/compare/persistence.py --vireo {v}{q}",
            f"bench/compare/aof.py --vireo {v}{q}",
            f"bench/compare/replication.py --vireo {v}{q}",
            f"bench/compare/sentinel.py --vireo {v}{q}",
            f"bench/compare/cluster.py --vireo {v}{q}"]
    if args.micro:
        cmds.append(f"{args.micro}/<name>_bench --benchmark_min_time={args.micro_min_time}")
    return cmds


def run_all(args):
    base = ["--vireo", args.vireo, "--redis", args.redis] + (["--quick"] if args.quick else [])
    # Only compare.py and instructions.py measure the baseline.
    with_baseline = base + (["--baseline", args.baseline] if args.baseline else [])
    out = {"machine": common.machine_info(), "quick": args.quick, "vireo": args.vireo,
           "commands": commands(args)}
    if args.baseline:
        out["baseline"] = args.baseline
        out["baseline_label"] = args.baseline_label
    t0 = time.time()
    # Why a list: "memory" is a substring of "types_memory".
    skip = [k.strip() for k in args.skip.split(",")]
    if "compare" not in skip:
        log("== compare.py")
        out["compare"] = compare.run(tool_args(compare, with_baseline + ["--rounds", str(args.rounds)]))
    if "memory" not in skip:
        log("== memory.py")
        out["memory"] = memory.run(tool_args(memory, base))
    if "types_memory" not in skip:
        log("== types_memory.py")
        out["types_memory"] = types_memory.run(tool_args(types_memory, base))
    if "latency" not in skip:
        log("== latency.py")
        out["latency"] = latency.run(tool_args(latency, base))
    if "instructions" not in skip:
        log("== instructions.py")
        out["instructions"] = instructions.run(tool_args(instructions, with_baseline))
    for name, mod in (("pubsub", pubsub), ("eviction", eviction), ("acl", acl),
                      ("persistence", persistence), ("aof", aof), ("replication", replication),
                      ("sentinel", sentinel), ("cluster", cluster)):
        if name not in skip:
            log(f"== {name}.py")
            out[name] = mod.run(tool_args(mod, base))
    if args.micro:
        log("== micro benchmarks")
        out["micro"] = run_micro(args)
    out["elapsed_s"] = time.time() - t0
    return out


def run_micro(args):
    res = {}
    for name in MICRO:
        exe = os.path.join(args.micro, name)
        if not os.access(exe, os.X_OK):
            res[name] = f"(not built: {exe})"
            continue
        p = subprocess.run(common.pin([exe, f"--benchmark_min_time={args.micro_min_time}"],
                                      common.SERVER_CPU),
                           capture_output=True, text=True, timeout=1800)
        if p.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{p.stderr[-2000:]}")
        res[name] = p.stdout.strip()
    return res


# ---- targets ---------------------------------------------------------------

def targets(res):
    """[(target, measured, met)] with met None when not measured."""
    rows = []
    ins = res.get("instructions", {}).get("callgrind")
    for pid_, test, clients, pipe in instructions.PHASES:
        r = ins["ratio"].get(pid_) if ins else None
        rows.append((f"instructions/request {test.upper()} c={clients} P={pipe} <= 0.80x Redis",
                     fmt_ratio(r), None if r is None else r <= 0.80))
    cmp_ = {w["id"]: w for w in res.get("compare", {}).get("workloads", [])}
    for t in ("set", "get", "incr", "mset"):
        w = cmp_.get(f"{t}-p16")
        name = "MSET" if t == "mset" else t.upper()
        if w and w["ratio_rps"] is not None and w["ratio_p99_ms"] is not None:
            met = w["ratio_rps"] >= 1.2 and w["ratio_p99_ms"] <= 1.0
            measured = f"ops {fmt_ratio(w['ratio_rps'])}, p99 {fmt_ratio(w['ratio_p99_ms'])}"
        else:
            met, measured = None, fmt_ratio(None)
        rows.append((f"throughput {name} c=50 P=16 >= 1.20x Redis, p99 <= 1.00x", measured, met))
    for wid, test, clients, pipe in compare.workloads():
        if pipe != 1:
            continue
        w = cmp_.get(wid)
        r = w["ratio_cpu_s_per_mreq"] if w else None
        rows.append((f"server CPU/request {compare.label((wid, test, clients, pipe))} <= 1.00x Redis",
                     fmt_ratio(r), None if r is None else r <= 1.0))
    mem = {d["dataset"]: d for d in res.get("memory", {}).get("datasets", [])}
    for ds in ("strings100", "smallints"):
        d = mem.get(ds)
        for k, what in (("used_per_key", "used_memory"), ("rss_per_key", "RSS")):
            r = d[f"ratio_{k}"] if d else None
            rows.append((f"{what} per key, {memory.DATASET_LABEL[ds]} <= 1.00x Redis",
                         fmt_ratio(r), None if r is None else r <= 1.0))
    idle = res.get("memory", {}).get("idle")
    r = idle["ratio_rss_per_conn_idle"] if idle else None
    rows.append(("RSS per idle connection <= 1.00x Redis", fmt_ratio(r), None if r is None else r <= 1.0))
    return rows


def targets6(res):
    """Issue 6: [(target, measured, met)] with met None when not measured."""
    rows = []
    cmp_ = {w["id"]: w for w in res.get("compare", {}).get("workloads", [])}
    for t in ("ping_mbulk", "set", "get", "incr"):
        wid = f"{t}-p1"
        w = cmp_.get(wid)
        r = w.get("ratio_cpu_s_per_mreq") if w else None
        rows.append((f"server CPU/request {compare.label((wid, t, 50, 1))} <= 1.00x Redis",
                     f"vireo/redis {fmt_ratio(r)}", None if r is None else r <= 1.0))
    for t in ("set", "get", "incr", "mset"):
        w = cmp_.get(f"{t}-p16")
        name = "MSET" if t == "mset" else t.upper()
        vb = w.get("vs_before_rps") if w else None
        if w and "before_rps" in w:
            measured = (f"vireo/redis {fmt_ratio(w.get('ratio_rps'))}, "
                        f"before/redis {fmt_ratio(w.get('ratio_before_rps'))}, "
                        f"vireo/before {fmt_ratio(vb)}")
        else:
            measured = "—"
        rows.append((f"throughput {name} c=50 P=16 no lower than before "
                     f"(vireo/before ops >= {BEFORE_NOISE:.2f}, the run-to-run noise here)",
                     measured, None if vb is None else vb >= BEFORE_NOISE))
    w = cmp_.get("incr-p16")
    r = w.get("ratio_rps") if w else None
    rows.append(("throughput INCR c=50 P=16 >= 1.20x Redis", f"vireo/redis {fmt_ratio(r)}",
                 None if r is None else r >= 1.2))
    ins = res.get("instructions", {}).get("callgrind") or {}
    vs = ins.get("vs_before") or {}
    for pid_, test, clients, pipe in instructions.PHASES:
        r = vs.get(pid_)
        rows.append((f"instructions/request {test.upper()} c={clients} P={pipe} no higher than "
                     f"before (vireo/before <= 1.00x)",
                     f"vireo/before {fmt_ratio(r)}" if vs else "—", None if r is None else r <= 1.0))
    return rows


def targets7(res):
    """Issue 7: [(target, measured, met)] with met None when not measured
    (a type the server does not have yet shows as n/a (unsupported))."""
    rows = []
    for d in res.get("types_memory", {}).get("datasets", []):
        label = types_memory.DATASETS[d["dataset"]][0]
        for k, what in (("used_per_element", "used_memory"), ("rss_per_element", "RSS")):
            r = d.get(f"ratio_{k}")
            measured = UNSUPPORTED if "unsupported" in d["vireo"] else fmt_ratio(r)
            rows.append((f"{what} per element, {label} <= 1.00x Redis", measured,
                         None if r is None else r <= 1.0))
        ref = types_memory.REFERENCE.get(d["dataset"])
        if ref:
            v = d["vireo"].get("used_per_element")
            measured = UNSUPPORTED if "unsupported" in d["vireo"] else (
                fmt_num(v) if v is None else f"{fmt_num(v, 1)} B")
            rows.append((f"used_memory per member, {label} <= {ref['valkey']} B (Valkey 8.0.1; "
                         f"Redis 7.0.15 {ref['redis']} B)", measured, None if v is None else v <= ref["valkey"]))
    for w in res.get("compare", {}).get("types", []):
        uns = w.get("unsupported", {})
        if uns.keys() & {"vireo", "redis"}:
            met, measured = None, UNSUPPORTED
        elif w["ratio_rps"] is not None and w["ratio_p99_ms"] is not None:
            met = w["ratio_rps"] >= 1.2 and w["ratio_p99_ms"] <= 1.0
            measured = f"ops {fmt_ratio(w['ratio_rps'])}, p99 {fmt_ratio(w['ratio_p99_ms'])}"
        else:
            met, measured = None, fmt_ratio(None)
        rows.append((f"throughput {w['label']} >= 1.20x Redis, p99 <= 1.00x", measured, met))
    for w in res.get("compare", {}).get("workloads", []):
        vb = w.get("vs_before_rps")
        rows.append((f"existing figures do not regress: {w['label']} vireo/before ops >= "
                     f"{BEFORE_NOISE:.2f}", "—" if "before_rps" not in w else
                     f"vireo/before {fmt_ratio(vb)}", None if vb is None else vb >= BEFORE_NOISE))
    for r in res.get("latency", {}).get("rows", []):
        if r["mode"] == "del-sync":
            continue
        v = r.get("vireo", {})
        p99 = v.get("p99_ms")
        measured = UNSUPPORTED if "unsupported" in v else fmt_num(None) if p99 is None else (
            f"p99 {fmt_num(p99, 3)} ms, max {fmt_num(v.get('max_ms'), 3)} ms")
        rows.append((f"GET p99 < {latency.TARGET_MS:g} ms while deleting a "
                     f"{latency.TYPES[r['type']][0]} of {fmt_num(res['latency']['elements'])} "
                     f"elements ({latency.MODES[r['mode']][0]})", measured,
                     None if p99 is None else p99 < latency.TARGET_MS))
    return rows


def targets8(res):
    """Issue 8: [(target, measured, met)] with met None when not measured."""
    rows = []
    for r in res.get("pubsub", {}).get("rows", []):
        for k, what in (("ratio_publish", "publisher PUBLISH/s"), ("ratio_delivered", "messages delivered/s")):
            v = r.get(k)
            rows.append((f"PUBLISH to {r['subscribers']} subscriber(s): {what} >= {pubsub.TARGET:.2f}x Redis",
                         f"vireo/redis {fmt_ratio(v)}", None if v is None else v >= pubsub.TARGET))
    ev = res.get("eviction", {})
    sl = ev.get("set_lru")
    if sl:
        v, r = sl["vireo"], sl["redis"]
        q = common.ratio(v["rps"], r["rps"])
        rows.append((f"SET -P 16 under maxmemory {ev['limit_mb']}mb + allkeys-lru >= 1.00x Redis",
                     f"vireo/redis {fmt_ratio(q)}", None if q is None else q >= 1.0))
        rows.append((f"used_memory after that load <= maxmemory ({fmt_num(v['limit'])})",
                     f"{fmt_num(v['used'])} (redis {fmt_num(r['used'])})", v["used"] <= v["limit"]))
    for row in ev.get("hit_rate", []):
        v, r = row["vireo"]["hit_rate"], row["redis"]["hit_rate"]
        rows.append((f"zipfian read-through hit rate, {row['policy']}, data 2x the limit >= Redis's",
                     f"{100 * v:.2f}% vs {100 * r:.2f}%", v >= r))
    for r in res.get("acl", {}).get("rows", []):
        v = r.get("vireo", {}).get("ratio")
        rows.append((f"{r['command']} as a user restricted to ~app:* within 5% of the default user",
                     f"restricted/default {fmt_ratio(v)} (redis {fmt_ratio(r.get('redis', {}).get('ratio'))})",
                     None if v is None else v >= acl.TARGET))
    return rows


def targets9(res):
    """Issue 9: [(target, measured, met)]: persistence.py's RDB rows, then
    aof.py's AOF rows."""
    return persistence.targets(res.get("persistence")) + aof.targets(res.get("aof"))


def targets10(res):
    """Issue 10: [(target, measured, met)] from replication.py."""
    return replication.targets(res.get("replication"))


def targets11(res):
    """Issue 11: [(target, measured, met)] from sentinel.py."""
    return sentinel.targets(res.get("sentinel"))


def targets12(res):
    """Issue 12: [(target, measured, met)] from cluster.py."""
    return cluster.targets(res.get("cluster"))


def target_section(title, rows, measured_header):
    """A '## title' section: the targets table and the met count."""
    L = [f"## {title}", ""]
    trows = [[t, meas, "—" if met is None else ("met" if met else "**NOT met**")] for t, meas, met in rows]
    L.append(common.md_table(["target", measured_header, "result"], trows))
    done = [r for r in rows if r[2] is not None]
    uns = sum(1 for r in rows if r[1] == UNSUPPORTED)
    L += ["", f"{sum(1 for r in done if r[2])} of {len(done)} measured targets met"
          + (f" ({len(rows) - len(done)} not measured"
             + (f", {uns} of them for want of the commands" if uns else "") + ")"
             if len(done) < len(rows) else "") + ".", ""]
    return L


def render(res):
    m = res.get("machine", {})
    L = ["# Vireo vs redis-server: benchmark results", ""]
    if res.get("template"):
        L += ["_Template: regenerate with the command below; every figure is filled in by the tools._", ""]
    L += ["| | |", "|---|---|",
          f"| date | {m.get('date', '—')} |",
          f"| commit | `{m.get('commit', '—')}` |",
          f"| nproc | {m.get('nproc', '—')} |",
          f"| CPU | {m.get('cpu', '—')} |",
          f"| redis-server | {m.get('redis_version', '—')} (`{common.DEFAULT_REDIS}`) |",
          f"| vireo-server | `{res.get('vireo', '—')}` |",
          f"| baseline | {baseline_cell(res)} |",
          f"| mode | {'—' if res.get('template') else 'quick (smoke sizes, not a measurement)' if res.get('quick') else 'full'} |",
          "", "Generated by:", "", "```sh",
          ] + generated_by(res) + ["# which runs:"] + res.get("commands", []) + ["```", ""]
    L += ["Servers: same command line for both (`--save '' --appendonly no --bind 127.0.0.1 "
          "--protected-mode no --hz 10`), pinned to CPU 0 with `taskset -c 0`; redis-benchmark "
          "pinned to CPU 1."
          + (" The baseline (\"before\") gets the same command line and CPU; compare.py runs "
             "it in the same rounds as the other two." if res.get("baseline") else ""), ""]
    L += target_section("Targets (issue 3)", targets(res), "measured (vireo/redis)")
    L += target_section("Targets (issue 6)", targets6(res), "measured")
    L += target_section("Targets (issue 7)", targets7(res), "measured")
    L += target_section("Targets (issue 8)", targets8(res), "measured")
    L += target_section("Targets (issue 9)", targets9(res), "measured")
    L += target_section("Targets (issue 10)", targets10(res), "measured")
    L += target_section("Targets (issue 11)", targets11(res), "measured")
    L += target_section("Targets (issue 12)", targets12(res), "measured")
    L += ["## Throughput, latency and server CPU (compare.py)", ""]
    L += [compare.render(res["compare"]) if "compare" in res else "_not run_", ""]
    L += ["## Data types: throughput and latency at -P 16 (compare.py, issue 7)", ""]
    L += [compare.render_types(res["compare"]) if "types" in res.get("compare", {}) else "_not run_", ""]
    L += ["## Memory (memory.py)", ""]
    L += [memory.render(res["memory"]) if "memory" in res else "_not run_", ""]
    L += ["## Data types: memory per element (types_memory.py, issue 7)", ""]
    L += [types_memory.render(res["types_memory"]) if "types_memory" in res else "_not run_", ""]
    L += ["## Deleting a big value under a GET load (latency.py, issue 7)", ""]
    L += [latency.render(res["latency"]) if "latency" in res else "_not run_", ""]
    L += ["## Instructions per request (instructions.py)", ""]
    L += [instructions.render(res["instructions"]) if "instructions" in res else "_not run_", ""]
    L += ["## PUBLISH to subscribers (pubsub.py, issue 8)", ""]
    L += [pubsub.render(res["pubsub"]) if "pubsub" in res else "_not run_", ""]
    L += ["## maxmemory eviction (eviction.py, issue 8)", ""]
    L += [eviction.render(res["eviction"]) if "eviction" in res else "_not run_", ""]
    L += ["## ACL: a restricted user vs the default user (acl.py, issue 8)", ""]
    L += [acl.render(res["acl"]) if "acl" in res else "_not run_", ""]
    L += ["## Persistence: RDB snapshots (persistence.py, issue 9)", ""]
    L += [persistence.render(res["persistence"]) if "persistence" in res else "_not run_", ""]
    L += ["## AOF: SET throughput and BGREWRITEAOF (aof.py, issue 9)", ""]
    L += [aof.render(res["aof"]) if "aof" in res else "_not run_", ""]
    L += ["## Replication: full sync and SET with 2 replicas (replication.py, issue 10)", ""]
    L += [replication.render(res["replication"]) if "replication" in res else "_not run_", ""]
    L += ["## Sentinel: failover time and switchovers under writes (sentinel.py, issue 11)", ""]
    L += [sentinel.render(res["sentinel"]) if "sentinel" in res else "_not run_", ""]
    L += ["## Cluster: single-node throughput and memory, resharding under load (cluster.py, issue 12)", ""]
    L += [cluster.render(res["cluster"]) if "cluster" in res else "_not run_", ""]
    if res.get("micro"):
        L += ["## Micro benchmarks", ""]
        for name, text in res["micro"].items():
            L += [f"### {name}", "", "```", text, "```", ""]
    if "elapsed_s" in res:
        L += [f"_Total run time {res['elapsed_s']:.0f} s._", ""]
    return "\n".join(L)


def baseline_cell(res):
    b, label = res.get("baseline"), res.get("baseline_label")
    if not b:
        return "—"
    return (f"`{label}` " if label else "") + f"(`{b}`)"


def run_options(res):
    """--rounds / --micro as the run used them (read back from the results)."""
    opts = ""
    rounds = res.get("compare", {}).get("rounds", 3)
    if rounds != 3 and not res.get("quick"):
        opts += f" --rounds {rounds}"
    for c in res.get("commands", []):
        if c.endswith("--benchmark_min_time=0.5") and "/<name>_bench" in c:
            opts += " --micro " + c.split("/<name>_bench")[0]
    return opts


def generated_by(res):
    """The command line that regenerates this report."""
    b, label = res.get("baseline"), res.get("baseline_label")
    opts = run_options(res)
    if not b:
        return [f"bench/compare/run.sh --all{opts} > bench/RESULTS.md   # = bench/compare/report.py"]
    lab = f" --baseline-label {label}" if label else ""
    if label and is_commit(label):
        return [f'B=$(bench/compare/build-baseline.sh {label})   # = {b}',
                f'bench/compare/run.sh --all --baseline "$B"{lab}{opts} > bench/RESULTS.md   '
                f'# = bench/compare/report.py']
    return [f"bench/compare/run.sh --all --baseline {b}{lab}{opts} > bench/RESULTS.md   "
            f"# = bench/compare/report.py"]


def is_commit(rev):
    try:
        return subprocess.run(["git", "-C", common.REPO, "rev-parse", "--verify", "--quiet",
                               f"{rev}^{{commit}}"], capture_output=True).returncode == 0
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="accepted for run.sh --all (the default)")
    ap.add_argument("--vireo", default=common.DEFAULT_VIREO)
    ap.add_argument("--redis", default=common.DEFAULT_REDIS)
    ap.add_argument("--baseline", default="", metavar="BIN",
                    help="an earlier vireo-server (bench/compare/build-baseline.sh COMMIT), "
                         "run as \"before\" by compare.py and instructions.py")
    ap.add_argument("--baseline-label", default="", metavar="TEXT",
                    help="the baseline's name in the report, e.g. its commit")
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke)")
    ap.add_argument("--rounds", type=int, default=3, help="compare.py rounds")
    ap.add_argument("--skip", default="",
                    help="comma list of: compare, memory, types_memory, latency, instructions, "
                         "pubsub, eviction, acl, persistence, aof, replication, sentinel, cluster")
    ap.add_argument("--micro", default="", help="build dir with the *_bench programs to include")
    ap.add_argument("--micro-min-time", default="0.5", help="--benchmark_min_time for --micro")
    ap.add_argument("--out", default="", help="write the report here instead of stdout")
    ap.add_argument("--json", default="", help="also write the raw results here")
    ap.add_argument("--from-json", default="", help="render a saved --json file, run nothing")
    ap.add_argument("--template", action="store_true", help="print the empty layout")
    args = ap.parse_args()
    args.vireo = os.path.abspath(args.vireo)
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        if not args.template and not args.from_json:
            common.check_baseline(args.baseline)
    if args.template:
        res = {"template": True, "commands": commands(args), "vireo": os.path.relpath(args.vireo, common.REPO),
               "compare": compare.skeleton(), "memory": memory.skeleton(),
               "types_memory": types_memory.skeleton(), "latency": latency.skeleton(),
               "instructions": instructions.skeleton()}
        if args.baseline:
            res["baseline"], res["baseline_label"] = args.baseline, args.baseline_label
    elif args.from_json:
        with open(args.from_json) as f:
            res = json.load(f)
    else:
        if args.rounds < 3 and not args.quick:
            raise SystemExit("--rounds must be at least 3 (use --quick for a smoke run)")
        res = run_all(args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)
    text = render(res)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
        log(f"wrote {args.out}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
