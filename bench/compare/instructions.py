#!/usr/bin/python3
"""Instructions per request: vireo-server vs redis-server.

Runs each server under `valgrind --tool=callgrind` (no cache simulation),
preloads the benchmark keyspace so every GET hits, then for each phase:
`callgrind_control -z` (zero the counters), run redis-benchmark with a fixed
number of requests, `callgrind_control -d` (dump), and read the dump's
`totals:` (instructions executed by the server in user space, all threads,
during the phase). An idle phase measures the event loop's background rate
(cron at the configured hz), which is subtracted pro rata from each phase's
duration. Reports instructions per request for both servers and the ratio.

If `perf stat -e instructions:u` works on this machine (needs hardware
counters: not in most VMs), the same phases are also measured natively with
`perf stat -p PID`; otherwise that is reported as unavailable.

With --baseline BIN, an earlier vireo-server ("before", e.g. from
bench/compare/build-baseline.sh COMMIT) is measured the same way, and the
table adds its instructions per request and the ratio vireo/before.

Then issue 7's data types at c=50 -P 16: LPUSH, LPOP, SADD, HSET, ZADD
(before each the test's key is deleted, and LPOP's list filled with -n
elements, untimed); a server without the type shows "n/a (unsupported)".

  bench/compare/instructions.py                  # -n 20000 per phase
  bench/compare/instructions.py --quick          # -n 1000
  bench/compare/instructions.py --baseline /tmp/vireo-baseline-e0d1328/build/vireo-server
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import compare  # noqa: E402
from common import fmt_num, fmt_ratio, log, ratio  # noqa: E402

KEYSPACE = 10000
DATA_SIZE = 100

# (id, test, clients, pipeline)
PHASES = [
    ("set-c1-p1", "set", 1, 1),
    ("get-c1-p1", "get", 1, 1),
    ("set-c50-p1", "set", 50, 1),
    ("get-c50-p1", "get", 50, 1),
    ("set-c50-p16", "set", 50, 16),
    ("get-c50-p16", "get", 50, 16),
    ("incr-c50-p1", "incr", 50, 1),
    ("incr-c50-p16", "incr", 50, 16),
    ("ping-c50-p1", "ping_mbulk", 50, 1),
]
# Issue 7's data types, after the phases above. Before each, the test's key
# is deleted (and for LPOP filled with -n elements) as compare.py does; a
# server that lacks the type shows "n/a (unsupported)".
TYPE_PHASES = [
    ("lpush-c50-p16", "lpush", 50, 16),
    ("lpop-c50-p16", "lpop", 50, 16),
    ("sadd-c50-p16", "sadd", 50, 16),
    ("hset-c50-p16", "hset", 50, 16),
    ("zadd-c50-p16", "zadd", 50, 16),
]


def preload(server):
    """Keys as redis-benchmark -r names them (key:%012d), so GETs hit."""
    val = b"x" * DATA_SIZE
    cmds = (b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n" % (i, len(val), val)
            for i in range(KEYSPACE))
    common.pipeline_load(server.port, cmds, batch=1000, timeout=300)


def bench_cmd(server, test, n, clients, pipe):
    return common.pin([common.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(server.port),
                       "-n", str(n), "-c", str(clients), "-P", str(pipe),
                       "-r", str(KEYSPACE), "-d", str(DATA_SIZE), "-t", test, "-q"],
                      common.CLIENT_CPU)


def run_bench(server, test, n, clients, pipe, timeout):
    p = subprocess.run(bench_cmd(server, test, n, clients, pipe), capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0 or not server.alive():
        raise RuntimeError(f"{server.name}: redis-benchmark {test} failed rc={p.returncode}\n"
                           f"{p.stderr[-2000:]}\n{server.tail_log()}")


class Callgrind:
    def __init__(self, server, outdir):
        self.server = server
        self.outdir = outdir

    def ctl(self, flag):
        p = subprocess.run(["callgrind_control", flag, str(self.server.pid)],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0 or "Error" in p.stdout:
            raise RuntimeError(f"callgrind_control {flag} failed: {p.stdout}{p.stderr}")

    def zero(self):
        self.ctl("-z")

    def dump(self):
        before = set(glob.glob(os.path.join(self.outdir, "cg.out.*")))
        self.ctl("-d")
        deadline = time.time() + 60
        while time.time() < deadline:
            new = set(glob.glob(os.path.join(self.outdir, "cg.out.*"))) - before
            for f in sorted(new):
                with open(f, errors="replace") as fh:
                    text = fh.read()
                m = re.search(r"^totals:\s+(\d+)", text, re.M) or re.search(r"^summary:\s+(\d+)", text, re.M)
                if m:
                    os.unlink(f)
                    return int(m.group(1))
            time.sleep(0.05)
        raise RuntimeError("callgrind dump did not appear")


def perf_available():
    if not shutil.which("perf"):
        return False, "perf not installed (Debian package linux-perf)"
    try:
        p = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u", "true"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"perf failed: {e}"
    if p.returncode != 0 or "<not supported>" in p.stderr or "<not counted>" in p.stderr:
        return False, "perf stat -e instructions:u: not supported here (no hardware counters)"
    return True, ""


class Perf:
    """perf stat attached to the server for the duration of one phase."""

    def __init__(self, server):
        self.server = server

    def start(self):
        self.proc = subprocess.Popen(["perf", "stat", "-x,", "-e", "instructions:u",
                                      "-p", str(self.server.pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=30)
        for line in err.splitlines():
            parts = line.split(",")
            if len(parts) > 2 and parts[2].startswith("instructions"):
                try:
                    return int(parts[0])
                except ValueError:
                    return None
        return None


def measure_server(name, binary, args, mode):
    """mode: 'callgrind' or 'perf'. Returns {phase id: {...}} plus idle rate."""
    outdir = None
    wrapper = []
    timeout_scale = 1
    if mode == "callgrind":
        outdir = os.path.join(args.workdir, name)
        os.makedirs(outdir, exist_ok=True)
        wrapper = ["valgrind", "--tool=callgrind", "--cache-sim=no", "--branch-sim=no",
                   f"--callgrind-out-file={outdir}/cg.out.%p"]
        timeout_scale = 50
    res = {"phases": {}}
    with common.Server(name, binary, hz=args.hz, wrapper=wrapper,
                       start_timeout=args.start_timeout) as s:
        preload(s)
        counter = Callgrind(s, outdir) if mode == "callgrind" else Perf(s)

        def phase(fn):
            if mode == "callgrind":
                counter.zero()
                t1 = time.time()
                fn()
                t2 = time.time()
                total = counter.dump()
            else:
                counter.start()
                t1 = time.time()
                fn()
                t2 = time.time()
                total = counter.stop()
            return total, t2 - t1

        idle_total, idle_s = phase(lambda: time.sleep(args.idle_seconds))
        idle_rate = (idle_total or 0) / idle_s if idle_s > 0 else 0
        res["idle_instructions_per_s"] = idle_rate
        log(f"[{mode}] {name}: idle {idle_rate:,.0f} instructions/s")
        for pid_, test, clients, pipe in select(args.only, args.quick):
            n = args.requests
            if test in compare.TYPE_TESTS:
                try:
                    compare.probe_type_test(s, test)
                except common.Unsupported as e:
                    res["phases"][pid_] = {"unsupported": str(e)}
                    log(f"[{mode}] {name} {pid_}: {common.UNSUPPORTED}: {e}")
                    continue
                compare.prepare_type_test(s, test, n)
            total, secs = phase(lambda: run_bench(s, test, n, clients, pipe,
                                                  args.timeout * timeout_scale))
            if total is None:
                res["phases"][pid_] = None
                continue
            net = max(0.0, total - idle_rate * secs)
            res["phases"][pid_] = {"total": total, "seconds": secs, "requests": n,
                                   "per_request": net / n, "per_request_raw": total / n}
            log(f"[{mode}] {name} {pid_}: {total:,} instructions in {secs:.1f}s, "
                f"{net / n:,.0f} per request")
    if outdir:
        shutil.rmtree(outdir, ignore_errors=True)
    return res


def select(only, quick=False):
    if not only:
        # Why: under valgrind each phase costs about a second per server;
        # the smoke run keeps two data-type phases (a push, a prefilled pop).
        return PHASES + (TYPE_PHASES[:2] if quick else TYPE_PHASES)
    keys = [k.strip().lower() for k in only.split(",") if k.strip()]
    sel = [p for p in PHASES + TYPE_PHASES if p[0] in keys or p[1] in keys]
    if not sel:
        raise SystemExit(f"--only {only}: no phase matches; ids: "
                         f"{', '.join(p[0] for p in PHASES + TYPE_PHASES)}")
    return sel


def run(args):
    common.check_binaries(args.vireo, args.redis)
    common.check_baseline(args.baseline)
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found (Debian package valgrind)")
    import tempfile
    args.workdir = tempfile.mkdtemp(prefix="vireo-callgrind-")
    out = {"tool": "instructions", "requests": args.requests, "phases": [p[0] for p in select(args.only, args.quick)]}
    servers = [("vireo", args.vireo), ("redis", args.redis)]
    if args.baseline:
        out["baseline"] = os.path.abspath(args.baseline)
        servers.append(("before", args.baseline))
    try:
        modes = ["callgrind"]
        ok, why = perf_available()
        out["perf_available"] = ok
        out["perf_note"] = why
        if ok and not args.no_perf:
            modes.append("perf")
        for mode in modes:
            out[mode] = {}
            for name, binary in servers:
                out[mode][name] = measure_server(name, binary, args, mode)
    finally:
        shutil.rmtree(args.workdir, ignore_errors=True)
    for mode in ("callgrind", "perf"):
        if mode not in out:
            continue
        out[mode]["ratio"] = {}
        out[mode]["ratio_raw"] = {}
        for pid_ in out["phases"]:
            v = out[mode]["vireo"]["phases"].get(pid_)
            r = out[mode]["redis"]["phases"].get(pid_)
            out[mode]["ratio"][pid_] = ratio(figure(v), figure(r))
            out[mode]["ratio_raw"][pid_] = ratio(figure(v, "per_request_raw"),
                                                 figure(r, "per_request_raw"))
        if "before" in out[mode]:
            out[mode]["ratio_before"] = {}
            out[mode]["vs_before"] = {}
            for pid_ in out["phases"]:
                v = out[mode]["vireo"]["phases"].get(pid_)
                r = out[mode]["redis"]["phases"].get(pid_)
                b = out[mode]["before"]["phases"].get(pid_)
                out[mode]["ratio_before"][pid_] = ratio(figure(b), figure(r))
                out[mode]["vs_before"][pid_] = ratio(figure(v), figure(b))
    return out


def figure(phase, k="per_request"):
    """A phase's figure; None when not measured or unsupported."""
    if not phase or "unsupported" in phase:
        return None
    return phase[k]


def cell(phase, k="per_request"):
    if phase and "unsupported" in phase:
        return common.UNSUPPORTED
    return fmt_num(figure(phase, k))


def skeleton():
    """Empty results with the full layout (RESULTS.md template)."""
    side = {"phases": {}, "idle_instructions_per_s": None}
    ids = [p[0] for p in PHASES + TYPE_PHASES]
    return {"requests": 20000, "phases": ids, "perf_note": "not measured",
            "callgrind": {"vireo": side, "redis": side, "ratio": {p: None for p in ids},
                          "ratio_raw": {p: None for p in ids}}}


def phase_label(pid_):
    test, c, p = pid_.split("-")
    return f"{test.upper()} c={c[1:]} P={p[1:]}"


def render(res):
    lines = []
    for mode, title in (("callgrind", "callgrind (valgrind, user-space instructions)"),
                        ("perf", "perf stat -e instructions:u")):
        if mode not in res:
            continue
        d = res[mode]
        base = "before" in d
        headers = ["workload", "vireo instr/req", "redis instr/req", "ratio"]
        if base:
            headers += ["before instr/req", "vireo/before"]
        headers += ["vireo incl. idle", "redis incl. idle", "ratio incl. idle"]
        rows = []
        for pid_ in res["phases"]:
            v = d["vireo"]["phases"].get(pid_)
            r = d["redis"]["phases"].get(pid_)
            row = [phase_label(pid_), cell(v), cell(r), fmt_ratio(d["ratio"][pid_])]
            if base:
                b = d["before"]["phases"].get(pid_)
                row += [cell(b), fmt_ratio(d.get("vs_before", {}).get(pid_))]
            row += [cell(v, "per_request_raw"), cell(r, "per_request_raw"),
                    fmt_ratio(d.get("ratio_raw", {}).get(pid_))]
            rows.append(row)
        before_idle = (f", before {fmt_num(d['before']['idle_instructions_per_s'])}/s"
                       if base else "")
        lines.append(f"{title}, -n {res['requests']} per workload, `-r {KEYSPACE} -d {DATA_SIZE}` "
                     f"(keyspace preloaded, GETs hit; for the data types the test's key is "
                     f"deleted first and LPOP's list filled with -n elements). The idle event loop's rate (cron at hz 10: "
                     f"vireo {fmt_num(d['vireo']['idle_instructions_per_s'])}/s, "
                     f"redis {fmt_num(d['redis']['idle_instructions_per_s'])}/s{before_idle}) is "
                     f"subtracted pro rata from each run's duration; the 'incl. idle' columns do "
                     f"not subtract it"
                     + (" (\"before\" is the baseline vireo-server" +
                        (f" `{res['baseline']}`" if res.get("baseline") else "") + ")" if base else "")
                     + ":")
        lines.append("")
        lines.append(common.md_table(headers, rows))
        lines.append("")
    if "perf" not in res:
        lines.append(f"perf: {res.get('perf_note') or 'skipped'}.")
        lines.append("")
    return "\n".join(lines)


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--baseline", default="", metavar="BIN",
                    help="an earlier vireo-server, measured as \"before\" (default: none)")
    ap.add_argument("--requests", type=int, default=20000, help="-n per workload")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--idle-seconds", type=float, default=2.0, help="idle baseline duration")
    ap.add_argument("--start-timeout", type=float, default=120.0, help="server start under valgrind, s")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="per redis-benchmark run natively, s (x50 under valgrind)")
    ap.add_argument("--only", default="", help="comma list of phase ids or test names (set, get)")
    ap.add_argument("--no-perf", action="store_true", help="skip perf even if it works")
    ap.add_argument("--quick", action="store_true",
                    help="tiny -n, only LPUSH and LPOP of the data types (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.requests, args.idle_seconds = 1000, 0.5


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
