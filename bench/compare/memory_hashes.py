#!/usr/bin/python3
"""Memory per hash field: vireo-server vs redis-server (issue 7's targets).

For each dataset, starts a fresh pair of servers (common.Server: same
command line for both), records used_memory and RSS, loads the same data
with pipelined HMSETs over one socket, waits for the servers to settle,
and reports the growth divided by the number of fields:

  bighash:    one hash "bighash" of N fields "field:<i>" -> "value:<i>"
              (the hashtable encoding)
  smallhashes: N/10 hashes "hash:<i>" of 10 fields "f<j>" -> "v<i*j>"
              (the listpack encoding: the per-key overhead decides)

  bench/compare/memory_hashes.py            # N = 1,000,000 fields
  bench/compare/memory_hashes.py --quick    # N = 50,000
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def commands(kind, n):
    if kind == "bighash":
        per = 100
        for start in range(0, n, per):
            args = [b"HMSET", b"bighash"]
            for i in range(start, min(n, start + per)):
                args += [b"field:%d" % i, b"value:%d" % i]
            yield common.encode(args)
    else:
        for i in range(n // 10):
            args = [b"HMSET", b"hash:%d" % i]
            for j in range(10):
                args += [b"f%d" % j, b"v%d" % (i * j)]
            yield common.encode(args)


def measure(args, kind):
    res = {}
    for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
        with common.Server(name, binary) as s:
            before = (s.used_memory(), s.rss())
            common.pipeline_load(s.port, commands(kind, args.fields))
            time.sleep(args.settle)
            enc = s.command("OBJECT", "ENCODING", "bighash" if kind == "bighash" else "hash:1")
            after = (s.used_memory(), s.rss())
            res[name] = ((after[0] - before[0]) / args.fields, (after[1] - before[1]) / args.fields,
                         enc.decode())
            common.log(f"[{kind}] {name}: used_memory {before[0]:,} -> {after[0]:,}, "
                       f"RSS {before[1]:,} -> {after[1]:,}, encoding {enc.decode()}")
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vireo", default="build/vireo-server")
    ap.add_argument("--redis", default="/usr/bin/redis-server")
    ap.add_argument("--fields", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--settle", type=float, default=2.0)
    args = ap.parse_args()
    if args.quick:
        args.fields = 50_000
    rows = []
    for kind in ("bighash", "smallhashes"):
        r = measure(args, kind)
        v, rd = r["vireo"], r["redis"]
        rows.append([kind, f"{args.fields:,}", v[2], f"{v[0]:.1f}", f"{rd[0]:.1f}",
                     common.fmt_ratio(common.ratio(v[0], rd[0])), f"{v[1]:.1f}", f"{rd[1]:.1f}"])
    sys.stdout.write(common.md_table(
        ["dataset", "fields", "encoding", "vireo used B/field", "redis used B/field",
         "ratio", "vireo RSS B/field", "redis RSS B/field"], rows))


if __name__ == "__main__":
    main()
