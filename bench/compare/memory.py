#!/usr/bin/python3
"""Memory per key and per idle connection: vireo-server vs redis-server.

For each dataset, starts a fresh pair of servers (same settings as
compare.py), records used_memory (INFO memory) and RSS (VmRSS from
/proc/PID/status), loads the data with pipelined raw RESP SETs over one
socket, waits for the servers to settle (incremental rehash, cron), and
reports the growth divided by the number of keys:

  strings100: N keys "key:<i>" -> 100-byte string values
  smallints:  N keys "key:<i>" -> str(i % 10000) (small integers)

Then, on another fresh pair, opens C client connections (each sends one
PING and reads the reply, then stays idle), waits --idle-wait seconds (the
servers' cron may shrink idle clients' buffers) and reports the growth per
connection, right after connecting and after the idle wait.

  bench/compare/memory.py            # N = 1,000,000 keys, C = 1,000 clients
  bench/compare/memory.py --quick    # N = 20,000, C = 100
"""
import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, fmt_ratio, log, ratio  # noqa: E402

VALUE100 = (b"0123456789abcdefghijklmnopqrstuvwxyz" * 3)[:100]


def dataset_commands(kind, n):
    for i in range(n):
        key = b"key:%d" % i
        if kind == "strings100":
            val = VALUE100
        else:
            val = b"%d" % (i % 10000)
        yield b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(val), val)


def snapshot(server):
    return {"used_memory": server.used_memory(), "rss": server.rss()}


def measure_dataset(args, kind):
    out = {"dataset": kind, "keys": args.keys}
    for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
        with common.Server(name, binary, hz=args.hz) as s:
            before = snapshot(s)
            t0 = time.time()
            common.pipeline_load(s.port, dataset_commands(kind, args.keys))
            load_s = time.time() - t0
            time.sleep(args.settle)
            dbsize = int(s.command("DBSIZE")[1:])
            if dbsize != args.keys:
                raise RuntimeError(f"{name}: DBSIZE {dbsize} after loading {args.keys} keys")
            after = snapshot(s)
            out[name] = {"before": before, "after": after, "load_s": load_s,
                         "used_per_key": (after["used_memory"] - before["used_memory"]) / args.keys,
                         "rss_per_key": (after["rss"] - before["rss"]) / args.keys}
            log(f"[{kind}] {name}: used_memory {before['used_memory']:,} -> "
                f"{after['used_memory']:,}, RSS {before['rss']:,} -> {after['rss']:,} "
                f"(load {load_s:.1f}s)")
    for k in ("used_per_key", "rss_per_key"):
        out[f"ratio_{k}"] = ratio(out["vireo"][k], out["redis"][k])
    return out


def open_clients(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        socks.append(s)
    for s in socks:
        got = b""
        while not got.endswith(b"\r\n"):
            chunk = s.recv(64)
            if not chunk:
                raise ConnectionError("server closed an idle client")
            got += chunk
        if got != b"+PONG\r\n":
            raise RuntimeError(f"unexpected PING reply {got!r}")
    return socks


def measure_idle(args):
    common.raise_fd_limit(args.clients * 2 + 1000)
    out = {"clients": args.clients, "idle_wait_s": args.idle_wait}
    for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
        with common.Server(name, binary, hz=args.hz) as s:
            time.sleep(args.settle)
            before = snapshot(s)
            socks = open_clients(s.port, args.clients)
            try:
                connected = snapshot(s)
                time.sleep(args.idle_wait)
                idle = snapshot(s)
                nclients = int(s.info("clients")["connected_clients"])
            finally:
                for sk in socks:
                    sk.close()
            if nclients < args.clients:
                raise RuntimeError(f"{name}: only {nclients} clients connected")
            r = {"before": before, "connected": connected, "idle": idle}
            for phase in ("connected", "idle"):
                r[f"used_per_conn_{phase}"] = (r[phase]["used_memory"] - before["used_memory"]) / args.clients
                r[f"rss_per_conn_{phase}"] = (r[phase]["rss"] - before["rss"]) / args.clients
            out[name] = r
            log(f"[idle clients] {name}: RSS {before['rss']:,} -> {connected['rss']:,} "
                f"(connected) -> {idle['rss']:,} (after {args.idle_wait}s idle); used_memory "
                f"{before['used_memory']:,} -> {connected['used_memory']:,} -> {idle['used_memory']:,}")
    for phase in ("connected", "idle"):
        for k in (f"used_per_conn_{phase}", f"rss_per_conn_{phase}"):
            out[f"ratio_{k}"] = ratio(out["vireo"][k], out["redis"][k])
    return out


def run(args):
    common.check_binaries(args.vireo, args.redis)
    res = {"tool": "memory", "datasets": []}
    for kind in ("strings100", "smallints"):
        if args.only and kind not in args.only.split(","):
            continue
        res["datasets"].append(measure_dataset(args, kind))
    if not args.only or "idle" in args.only.split(","):
        res["idle"] = measure_idle(args)
    return res


def skeleton():
    """Empty results with the full layout (RESULTS.md template)."""
    empty = {k: None for k in ("used_per_key", "rss_per_key")}
    ds = [{"dataset": k, "keys": 1000000, "vireo": empty, "redis": empty,
           "ratio_used_per_key": None, "ratio_rss_per_key": None} for k in ("strings100", "smallints")]
    conn = {f"{m}_per_conn_{p}": None for m in ("used", "rss") for p in ("connected", "idle")}
    idle = {"clients": 1000, "idle_wait_s": 3.0, "vireo": conn, "redis": conn}
    idle.update({f"ratio_{k}": None for k in conn})
    return {"datasets": ds, "idle": idle}


DATASET_LABEL = {"strings100": "100-byte string values", "smallints": "small integer values (i % 10000)"}


def render(res):
    lines = []
    if res["datasets"]:
        headers = ["dataset", "keys", "vireo used_memory B/key", "redis used_memory B/key", "ratio",
                   "vireo RSS B/key", "redis RSS B/key", "ratio"]
        rows = []
        for d in res["datasets"]:
            v, r = d["vireo"], d["redis"]
            rows.append([DATASET_LABEL[d["dataset"]], fmt_num(d["keys"]),
                         fmt_num(v["used_per_key"], 1), fmt_num(r["used_per_key"], 1),
                         fmt_ratio(d["ratio_used_per_key"]),
                         fmt_num(v["rss_per_key"], 1), fmt_num(r["rss_per_key"], 1),
                         fmt_ratio(d["ratio_rss_per_key"])])
        lines.append(common.md_table(headers, rows))
        lines.append("")
        lines.append("Per key = (value after loading - value before) / keys; keys are `key:<i>`, "
                     "loaded with pipelined SET.")
        lines.append("")
    if "idle" in res:
        d = res["idle"]
        v, r = d["vireo"], d["redis"]
        headers = ["connections", "phase", "vireo used_memory B/conn", "redis used_memory B/conn",
                   "ratio", "vireo RSS B/conn", "redis RSS B/conn", "ratio"]
        rows = []
        for phase, label in (("connected", "just connected (after one PING)"),
                             ("idle", f"idle for {d['idle_wait_s']:g} s")):
            rows.append([fmt_num(d["clients"]), label,
                         fmt_num(v[f"used_per_conn_{phase}"], 0), fmt_num(r[f"used_per_conn_{phase}"], 0),
                         fmt_ratio(d[f"ratio_used_per_conn_{phase}"]),
                         fmt_num(v[f"rss_per_conn_{phase}"], 0), fmt_num(r[f"rss_per_conn_{phase}"], 0),
                         fmt_ratio(d[f"ratio_rss_per_conn_{phase}"])])
        lines.append(common.md_table(headers, rows))
        lines.append("")
    return "\n".join(lines)


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--keys", type=int, default=1000000, help="keys per dataset")
    ap.add_argument("--clients", type=int, default=1000, help="idle connections")
    ap.add_argument("--idle-wait", type=float, default=3.0, help="seconds idle before measuring")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds to wait after loading")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--only", default="", help="comma list of: strings100, smallints, idle")
    ap.add_argument("--quick", action="store_true", help="small variant (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.keys, args.clients, args.idle_wait, args.settle = 20000, 100, 0.5, 0.2


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
