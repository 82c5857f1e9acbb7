#!/usr/bin/python3
"""PUBLISH throughput and delivery rate: vireo-server vs redis-server
(issue 8: "PUBLISH to 1 and to 100 subscribers: at least 1.2x Redis").

For each server (same settings and CPU pinning as compare.py; rounds
alternate vireo, redis, vireo, ...) and each subscriber count S:

  - a subscriber process on the client CPU opens S connections, SUBSCRIBEs
    each to one channel and then only reads, counting bytes;
  - redis-benchmark (-c 4 -P 16) on the client CPU sends --messages
    PUBLISH <channel> <payload of --size bytes>; its requests/s is the
    publisher throughput;
  - delivered/s is S x messages divided by the time from the first PUBLISH
    until the last subscriber has read its last frame.

Both numbers are medians over --rounds; the ratios are vireo / redis.

  bench/compare/pubsub.py                  # S = 1 and 100, 200,000 messages
  bench/compare/pubsub.py --quick          # 20,000 messages, 1 round
  bench/compare/pubsub.py --subscribers 1,10,100 --size 1024
"""
import multiprocessing
import os
import selectors
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, fmt_ratio, log, median, ratio  # noqa: E402

CHANNEL = b"bench:ch"
TARGET = 1.2


def frame_len(size):
    """Bytes of one RESP2 'message' frame for CHANNEL and a payload of size."""
    return len(b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n" % (len(CHANNEL), CHANNEL, size)) + size + 2


def _subscribers(port, count, expect_bytes, cpu, ready, out):
    """Child: `count` subscribed sockets; reads until each got expect_bytes
    (plus its SUBSCRIBE confirmation), then reports the last read time."""
    try:
        os.sched_setaffinity(0, {int(cpu)})
    except (AttributeError, OSError, ValueError):
        pass
    confirm = len(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(CHANNEL), CHANNEL))
    sel = selectors.DefaultSelector()
    left = {}
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(common.encode([b"SUBSCRIBE", CHANNEL]))
        got = 0
        while got < confirm:
            got += len(s.recv(confirm - got))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        left[s] = expect_bytes
    ready.set()
    last = time.perf_counter()
    deadline = time.time() + 600
    while left and time.time() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            data = s.recv(1 << 20)
            if not data:
                left.pop(s, None)
                sel.unregister(s)
                continue
            left[s] -= len(data)
            last = time.perf_counter()
            if left[s] <= 0:
                left.pop(s)
                sel.unregister(s)
    out.send((last, len(left)))


def publish(port, n, size, cpu):
    """redis-benchmark PUBLISH load; returns (requests/s, start perf_counter)."""
    payload = "x" * size
    cmd = common.pin([common.REDIS_BENCHMARK, "-p", str(port), "-c", "4", "-P", "16", "-n", str(n),
                      "--csv", "publish", CHANNEL.decode(), payload], cpu)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    rps = None
    for line in r.stdout.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) > 1 and parts[0].lower().startswith("publish"):
            rps = float(parts[1])
    if rps is None:
        raise RuntimeError(f"redis-benchmark gave no result:\n{r.stdout}\n{r.stderr}")
    return rps, t0


def one_run(binary, name, subs, args):
    with common.Server(name, binary) as s:
        ready = multiprocessing.Event()
        recv, send = multiprocessing.Pipe(duplex=False)
        p = multiprocessing.Process(target=_subscribers,
                                    args=(s.port, subs, args.messages * frame_len(args.size),
                                          common.CLIENT_CPU, ready, send))
        p.start()
        if not ready.wait(60):
            p.kill()
            raise RuntimeError("subscribers did not connect")
        rps, t0 = publish(s.port, args.messages, args.size, common.CLIENT_CPU)
        last, missing = recv.recv()
        p.join(30)
        if missing:
            raise RuntimeError(f"{name}: {missing} subscribers did not get every message")
        return {"publish_rps": rps, "delivered_per_s": subs * args.messages / max(last - t0, 1e-9)}


def run(args):
    common.check_binaries(args.vireo, args.redis)
    res = {"tool": "pubsub", "messages": args.messages, "size": args.size, "rows": []}
    for subs in args.subscribers:
        runs = {"vireo": [], "redis": []}
        for rnd in range(args.rounds):
            for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
                log(f"pubsub: {name} S={subs} round {rnd + 1}/{args.rounds}")
                runs[name].append(one_run(binary, name, subs, args))
        row = {"subscribers": subs}
        for name in runs:
            row[name] = {k: median([r[k] for r in runs[name]]) for k in runs[name][0]}
        row["ratio_publish"] = ratio(row["vireo"]["publish_rps"], row["redis"]["publish_rps"])
        row["ratio_delivered"] = ratio(row["vireo"]["delivered_per_s"], row["redis"]["delivered_per_s"])
        res["rows"].append(row)
    return res


def render(res):
    headers = ["subscribers", "vireo PUBLISH/s", "redis PUBLISH/s", "ratio",
               "vireo delivered/s", "redis delivered/s", "ratio", f"target >= {TARGET}x"]
    rows = []
    for r in res["rows"]:
        met = r["ratio_publish"] >= TARGET and r["ratio_delivered"] >= TARGET
        rows.append([str(r["subscribers"]), fmt_num(r["vireo"]["publish_rps"]),
                     fmt_num(r["redis"]["publish_rps"]), fmt_ratio(r["ratio_publish"]),
                     fmt_num(r["vireo"]["delivered_per_s"]), fmt_num(r["redis"]["delivered_per_s"]),
                     fmt_ratio(r["ratio_delivered"]), "met" if met else "NOT met"])
    return (f"PUBLISH of {fmt_num(res['messages'])} messages of {res['size']} bytes "
            "(redis-benchmark -c 4 -P 16), medians:\n\n" + common.md_table(headers, rows))


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--messages", type=int, default=200000)
    ap.add_argument("--size", type=int, default=32, help="payload bytes")
    ap.add_argument("--subscribers", default="1,100", help="comma list of subscriber counts")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small variant (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    args.subscribers = [int(x) for x in str(args.subscribers).split(",") if x.strip()]
    if args.quick:
        args.messages, args.rounds = 5000, 1


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
