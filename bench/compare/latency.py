#!/usr/bin/python3
"""Latency of other clients while a big value is deleted: vireo-server vs
redis-server (issue 7: "DEL of a 1M-element value with lazyfree does not
stall other clients").

For each server (vireo, then redis; same settings and CPU as compare.py),
each value type (a list, a set, a sorted set, a hash of --elements
elements, loaded as types_memory.py loads list_big, set_strings, zset_big
and hash_big) and each way of deleting it:

  del-sync   DEL with lazyfree-lazy-user-del no (the reference: a stall)
  del-lazy   DEL with lazyfree-lazy-user-del yes
  unlink     UNLINK

a GET load runs on its own connection from a separate process (pinned to
the client CPU) at a fixed rate (--rate GETs/s, open loop: each GET is sent
at its scheduled time whether or not the previous ones were answered, and
its latency is measured from that time, so a stalled server shows as the
whole stall, not as one slow request). After --quiet s the key is deleted;
the window runs from sending the deletion until the server has freed the
value (INFO memory lazyfree_pending_objects back to 0, polled every 10 ms),
and at least --min-window s. Reported per row: the deletion's own reply time,
the time until the value was freed, and p50 / p99 / max latency of the GETs
scheduled in the window, plus the p99 of the quiet period before it (the
floor of this measurement). Issue 7's target: p99 < 1 ms for del-lazy and
unlink.

A server that answers "unknown command" for a type (or UNLINK, or refuses
the config) is reported as "n/a (unsupported)" for that row.

  bench/compare/latency.py                   # 1,000,000 elements, 5,000 GETs/s
  bench/compare/latency.py --quick           # 10,000 elements, short windows
  bench/compare/latency.py --only list --modes del-lazy,unlink
"""
import math
import multiprocessing
import os
import select
import socket
import sys
import time
from collections import deque

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import types_memory  # noqa: E402
from common import UNSUPPORTED, fmt_num, log  # noqa: E402

# type -> (label, types_memory dataset, key)
TYPES = {"list": ("list", "list_big", b"list:big"),
         "set": ("set (strings)", "set_strings", b"set:strings"),
         "zset": ("sorted set", "zset_big", b"zset:big"),
         "hash": ("hash", "hash_big", b"hash:big")}
# mode -> (label, command, lazyfree-lazy-user-del)
MODES = {"del-sync": ("DEL, lazyfree-lazy-user-del no", "DEL", "no"),
         "del-lazy": ("DEL, lazyfree-lazy-user-del yes", "DEL", "yes"),
         "unlink": ("UNLINK", "UNLINK", "yes")}
GET_KEY = b"latency:get"
GET_VALUE = b"v" * 16
TARGET_MS = 1.0


def _get_load(port, rate, cpu, stop, out):
    """Child process: GETs at a fixed rate until `stop` is set, then sends
    ([scheduled time], [latency s]) on `out` (perf_counter: CLOCK_MONOTONIC,
    the same clock as the parent's)."""
    try:
        os.sched_setaffinity(0, {int(cpu)})
    except (AttributeError, OSError, ValueError):
        pass
    cmd = common.encode([b"GET", GET_KEY])
    expect = b"$%d\r\n%s\r\n" % (len(GET_VALUE), GET_VALUE)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    interval = 1.0 / rate
    pending = deque()
    sched, lat = [], []
    received = completed = 0
    first = b""
    stopping = False
    next_t = time.perf_counter()
    deadline = None
    while True:
        now = time.perf_counter()
        if not stopping and stop.is_set():
            stopping, deadline = True, now + 30
        if not stopping:
            n = 0
            while next_t <= now:
                pending.append(next_t)
                next_t += interval
                n += 1
            if n:
                sock.sendall(cmd * n)
        elif not pending or now > deadline:
            break
        wait = 0.05 if stopping else max(0.0, next_t - time.perf_counter())
        ready, _, _ = select.select([sock], [], [], wait)
        if not ready:
            continue
        data = sock.recv(1 << 16)
        t = time.perf_counter()
        if not data:
            raise ConnectionError("server closed the GET connection")
        if len(first) < len(expect):
            first += data[:len(expect) - len(first)]
            if not expect.startswith(first):
                raise RuntimeError(f"unexpected GET reply {first!r}")
        received += len(data)
        done = received // len(expect) - completed
        for _ in range(done):
            s0 = pending.popleft()
            sched.append(s0)
            lat.append(t - s0)
        completed += done
    sock.close()
    out.send((sched, lat, len(pending)))


class GetLoad:
    def __init__(self, port, rate):
        ctx = multiprocessing.get_context("fork")
        self.stop_evt = ctx.Event()
        self.rx, tx = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_get_load, args=(port, rate, common.CLIENT_CPU,
                                                        self.stop_evt, tx), daemon=True)
        self.proc.start()

    def finish(self):
        self.stop_evt.set()
        if not self.rx.poll(60):
            self.proc.kill()
            raise RuntimeError("the GET load did not report")
        sched, lat, lost = self.rx.recv()
        self.proc.join(10)
        if lost:
            raise RuntimeError(f"{lost} GETs unanswered")
        return sched, lat

    def kill(self):
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)


def percentile(sorted_xs, p):
    if not sorted_xs:
        return None
    return sorted_xs[max(0, math.ceil(p / 100 * len(sorted_xs)) - 1)]


def stats_ms(lat):
    xs = sorted(x * 1000 for x in lat)
    return {"samples": len(xs), "p50_ms": percentile(xs, 50), "p99_ms": percentile(xs, 99),
            "p999_ms": percentile(xs, 99.9), "max_ms": xs[-1] if xs else None}


def pending_objects(server):
    return int(server.info("memory").get("lazyfree_pending_objects", "0"))


def set_lazy_user_del(server, value):
    reply = server.command("CONFIG", "SET", "lazyfree-lazy-user-del", value)
    if reply != b"+OK":
        raise common.Unsupported(f"CONFIG SET lazyfree-lazy-user-del: {reply[:80]!r}")


def measure_row(server, args, typ, mode, cmds):
    """One deletion under the GET load; {stats} or {"unsupported": why}."""
    _, ds, key = TYPES[typ]
    _, command, lazy = MODES[mode]
    try:
        set_lazy_user_del(server, lazy)
        if mode == "unlink":
            common.probe(server, "UNLINK", "latency:none")
        common.pipeline_lines(server.port, cmds, batch=50)
    except common.Unsupported as e:
        log(f"[{typ} {mode}] {server.name}: {UNSUPPORTED}: {e}")
        return {"unsupported": str(e)}
    time.sleep(args.settle)
    load = GetLoad(server.port, args.rate)
    try:
        t_start = time.perf_counter()
        time.sleep(args.quiet)
        t_del = time.perf_counter()
        reply = server.command(command, key, timeout=120)
        t_reply = time.perf_counter()
        if reply != b":1":
            raise RuntimeError(f"{server.name}: {command} {key!r} answered {reply!r}")
        while pending_objects(server) > 0 and time.perf_counter() - t_del < 120:
            time.sleep(0.01)
        t_freed = time.perf_counter()
        t_end = max(t_freed, t_del + args.min_window)
        time.sleep(max(0.0, t_end - time.perf_counter()) + 0.05)
        sched, lat = load.finish()
    finally:
        load.kill()
    window = [l for s, l in zip(sched, lat) if t_del <= s <= t_end]
    quiet = [l for s, l in zip(sched, lat) if t_start + 0.1 <= s < t_del]
    r = {"del_ms": (t_reply - t_del) * 1000, "free_ms": (t_freed - t_del) * 1000,
         "window_ms": (t_end - t_del) * 1000}
    r.update(stats_ms(window))
    q = stats_ms(quiet)
    r["quiet_p99_ms"], r["quiet_max_ms"], r["quiet_samples"] = q["p99_ms"], q["max_ms"], q["samples"]
    log(f"[{typ} {mode}] {server.name}: {command} {r['del_ms']:.1f} ms, freed after "
        f"{r['free_ms']:.1f} ms; GETs in the window ({r['samples']}): p99 {r['p99_ms']:.3f} ms, "
        f"max {r['max_ms']:.3f} ms (quiet p99 {r['quiet_p99_ms']:.3f} ms)")
    return r


def run(args):
    common.check_binaries(args.vireo, args.redis)
    types = common.select_ids(args.only, TYPES)
    modes = common.select_ids(args.modes, MODES, "--modes")
    res = {"tool": "latency", "elements": args.elements, "rate": args.rate, "quiet_s": args.quiet,
           "min_window_s": args.min_window, "server_cpu": common.SERVER_CPU,
           "client_cpu": common.CLIENT_CPU, "rows": []}
    cmds = {t: types_memory.dataset_commands(TYPES[t][1], 1, args.elements) for t in types}
    rows = {(t, m): {"type": t, "mode": m} for t in types for m in modes}
    for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
        with common.Server(name, binary, hz=args.hz) as s:
            s.command("SET", GET_KEY, GET_VALUE)
            for t in types:
                for m in modes:
                    rows[(t, m)][name] = measure_row(s, args, t, m, cmds[t])
    res["rows"] = list(rows.values())
    return res


def skeleton():
    """Empty results with the full layout (RESULTS.md template)."""
    empty = {k: None for k in ("del_ms", "free_ms", "p50_ms", "p99_ms", "max_ms", "quiet_p99_ms")}
    return {"elements": 1000000, "rate": 5000, "quiet_s": 1.0, "min_window_s": 0.5,
            "server_cpu": common.SERVER_CPU, "client_cpu": common.CLIENT_CPU,
            "rows": [{"type": t, "mode": m, "vireo": empty, "redis": empty}
                     for t in TYPES for m in MODES]}


def render(res):
    headers = ["value", "deletion"]
    for side in ("vireo", "redis"):
        headers += [f"{side} deletion ms", f"{side} freed after ms", f"{side} GET p99 ms",
                    f"{side} GET max ms", f"{side} quiet p99 ms"]
    rows = []
    for r in res["rows"]:
        row = [f"{TYPES[r['type']][0]}, {fmt_num(res['elements'])} elements", MODES[r["mode"]][0]]
        for side in ("vireo", "redis"):
            d = r.get(side, {})
            if "unsupported" in d:
                row += [UNSUPPORTED] + ["—"] * 4
            else:
                row += [fmt_num(d.get("del_ms"), 1), fmt_num(d.get("free_ms"), 1),
                        fmt_num(d.get("p99_ms"), 3), fmt_num(d.get("max_ms"), 3),
                        fmt_num(d.get("quiet_p99_ms"), 3)]
        rows.append(row)
    note = (f"A GET load at {fmt_num(res['rate'])} requests/s (open loop: latency from each "
            "GET's scheduled send time, one connection, a separate process on CPU "
            f"{res['client_cpu']}; the server on CPU {res['server_cpu']}, its background "
            f"threads too) runs for {res['quiet_s']:g} s (\"quiet\"), then the value is deleted. "
            "GET p99 / max: the GETs scheduled from sending the deletion until the server has "
            "freed the value (lazyfree_pending_objects back to 0), at least "
            f"{res['min_window_s']:g} s. \"deletion ms\": the DEL / UNLINK's own reply time. "
            f"Issue 7's target: GET p99 < {TARGET_MS:g} ms with lazyfree (DEL with "
            "lazyfree-lazy-user-del yes, UNLINK); the lazyfree-off row shows what a stall looks "
            "like here.")
    return common.md_table(headers, rows) + "\n\n" + note + "\n"


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--elements", type=int, default=1000000, help="elements of the deleted value")
    ap.add_argument("--rate", type=int, default=5000, help="GETs per second")
    ap.add_argument("--quiet", type=float, default=1.0, help="seconds of load before the deletion")
    ap.add_argument("--min-window", type=float, default=0.5,
                    help="the measured window lasts at least this long, s")
    ap.add_argument("--settle", type=float, default=0.5, help="seconds to wait after loading")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--only", default="", help="comma list of types: " + ", ".join(TYPES))
    ap.add_argument("--modes", default="", help="comma list of: " + ", ".join(MODES))
    ap.add_argument("--quick", action="store_true", help="10,000 elements, short windows (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.elements, args.quiet, args.min_window, args.settle = 10000, 0.15, 0.05, 0.0


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
