#!/usr/bin/python3
"""Memory per element of lists, hashes, sets and sorted sets: vireo-server
vs redis-server (issue 7).

For each dataset, starts a fresh server (same settings as compare.py; vireo
first, then redis), records used_memory (INFO memory) and RSS (VmRSS from
/proc/PID/status), loads the data with pipelined raw RESP (RPUSH / HSET /
SADD / ZADD with up to 100 elements per command, over one socket), waits
--settle seconds and reports the growth divided by the number of elements
(list elements, hash fields, set or sorted-set members). Both servers get
byte-identical commands:

  hash_big      1 hash "hash:big", 1,000,000 fields field:<i> -> value:<i>
  hash_small    100,000 hashes "hash:<k>" of 10 fields field:<j> -> value:<j> (listpack)
  zset_big      1 sorted set "zset:big", 1,000,000 members member:<i>, score i
  zset_small    100,000 sorted sets "zset:<k>" of 10 members member:<j>, score j (listpack)
  list_big      1 list "list:big", 1,000,000 elements element:<i>
  set_ints      1 set "set:ints", 1,000,000 integers 0 .. 999,999
  set_strings   1 set "set:strings", 1,000,000 members member:<i>
  sets_1k       1,000 sets "set:<k>" of 1,000 members member:%012d (j)
  zsets_1k      1,000 sorted sets "zset:<k>" of 1,000 members member:%012d (j), score j

sets_1k and zsets_1k are the shape of issue 7's reference figures (bytes
per member measured on this machine kind: Redis 7.0.15 72 and 126, Valkey
8.0.1 38 and 103), shown next to the measured ones. Their 19-byte members
(an sds of 32 bytes in Redis's allocator, like any member of 13 to 28
bytes) give Redis 7.0.15 those same 72 and 126 bytes per member.

A server that answers "unknown command" for a type is reported as
"n/a (unsupported)" for that dataset; the run goes on.

  bench/compare/types_memory.py                   # the sizes above
  bench/compare/types_memory.py --quick           # every size / 100
  bench/compare/types_memory.py --only list_big,sets_1k
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import UNSUPPORTED, fmt_num, fmt_ratio, log, ratio  # noqa: E402

CHUNK = 100  # elements per loading command

# id -> (label, command, keys, elements per key, key name, element(i) -> args)
DATASETS = {
    "hash_big": ("one hash of 1M fields", "HSET", 1, 1000000, lambda k: b"hash:big",
                 lambda i: (b"field:%d" % i, b"value:%d" % i)),
    "hash_small": ("100k hashes of 10 fields (listpack)", "HSET", 100000, 10,
                   lambda k: b"hash:%d" % k, lambda i: (b"field:%d" % i, b"value:%d" % i)),
    "zset_big": ("one sorted set of 1M members", "ZADD", 1, 1000000, lambda k: b"zset:big",
                 lambda i: (b"%d" % i, b"member:%d" % i)),
    "zset_small": ("100k sorted sets of 10 members (listpack)", "ZADD", 100000, 10,
                   lambda k: b"zset:%d" % k, lambda i: (b"%d" % i, b"member:%d" % i)),
    "list_big": ("one list of 1M elements", "RPUSH", 1, 1000000, lambda k: b"list:big",
                 lambda i: (b"element:%d" % i,)),
    "set_ints": ("one set of 1M integers", "SADD", 1, 1000000, lambda k: b"set:ints",
                 lambda i: (b"%d" % i,)),
    "set_strings": ("one set of 1M strings", "SADD", 1, 1000000, lambda k: b"set:strings",
                    lambda i: (b"member:%d" % i,)),
    "sets_1k": ("1,000 sets of 1,000 string members", "SADD", 1000, 1000,
                lambda k: b"set:%d" % k, lambda i: (b"member:%012d" % i,)),
    "zsets_1k": ("1,000 sorted sets of 1,000 string members", "ZADD", 1000, 1000,
                 lambda k: b"zset:%d" % k, lambda i: (b"%d" % i, b"member:%012d" % i)),
}
ORDER = list(DATASETS)

# Issue 7's reference figures, bytes per member (used_memory), measured on
# this machine kind with 1,000 sets / sorted sets of 1,000 string members.
REFERENCE = {"sets_1k": {"redis": 72, "valkey": 38},
             "zsets_1k": {"redis": 126, "valkey": 103}}


def sizes(ds, quick):
    """(keys, elements per key): --quick divides the total by 100."""
    _, _, keys, per_key, _, _ = DATASETS[ds]
    if not quick:
        return keys, per_key
    if keys >= 100:
        return keys // 100, per_key
    return keys, per_key // 100


def dataset_commands(ds, keys, per_key):
    _, cmd, _, _, keyname, element = DATASETS[ds]
    out = []
    for k in range(keys):
        key = keyname(k)
        for start in range(0, per_key, CHUNK):
            args = [cmd.encode(), key]
            for i in range(start, min(start + CHUNK, per_key)):
                args.extend(element(i))
            out.append(common.encode(args))
    return out


def check_loaded(ds, server, replies, keys, per_key):
    """DBSIZE and the integer replies (elements added, or the list length)."""
    dbsize = int(server.command("DBSIZE")[1:])
    if dbsize != keys:
        raise RuntimeError(f"{server.name} {ds}: DBSIZE {dbsize}, expected {keys}")
    nums = [int(r[1:]) for r in replies]
    if DATASETS[ds][1] == "RPUSH":
        got = max(nums)  # the length after the last push
    else:
        got = sum(nums) // keys  # elements added per key
    if got != per_key:
        raise RuntimeError(f"{server.name} {ds}: {got} elements per key, expected {per_key}")


def snapshot(server):
    return {"used_memory": server.used_memory(), "rss": server.rss()}


def measure_one(args, ds, name, binary, cmds, keys, per_key):
    elements = keys * per_key
    with common.Server(name, binary, hz=args.hz) as s:
        before = snapshot(s)
        t0 = time.time()
        try:
            replies = common.pipeline_lines(s.port, cmds, batch=50)
        except common.Unsupported as e:
            log(f"[{ds}] {name}: {UNSUPPORTED}: {e}")
            return {"unsupported": str(e)}
        load_s = time.time() - t0
        check_loaded(ds, s, replies, keys, per_key)
        time.sleep(args.settle)
        after = snapshot(s)
    r = {"before": before, "after": after, "load_s": load_s,
         "used_per_element": (after["used_memory"] - before["used_memory"]) / elements,
         "rss_per_element": (after["rss"] - before["rss"]) / elements}
    log(f"[{ds}] {name}: used_memory {before['used_memory']:,} -> {after['used_memory']:,} "
        f"({r['used_per_element']:.1f} B/element), RSS {before['rss']:,} -> {after['rss']:,} "
        f"({r['rss_per_element']:.1f} B/element), load {load_s:.1f}s")
    return r


def measure_dataset(args, ds):
    keys, per_key = sizes(ds, args.quick)
    cmds = dataset_commands(ds, keys, per_key)
    out = {"dataset": ds, "keys": keys, "per_key": per_key, "elements": keys * per_key}
    for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
        out[name] = measure_one(args, ds, name, binary, cmds, keys, per_key)
    for k in ("used_per_element", "rss_per_element"):
        out[f"ratio_{k}"] = ratio(out["vireo"].get(k), out["redis"].get(k))
    return out


def run(args):
    common.check_binaries(args.vireo, args.redis)
    res = {"tool": "types_memory", "quick": args.quick, "datasets": []}
    for ds in common.select_ids(args.only, ORDER):
        res["datasets"].append(measure_dataset(args, ds))
    return res


def skeleton():
    """Empty results with the full layout (RESULTS.md template)."""
    empty = {"used_per_element": None, "rss_per_element": None}
    out = []
    for ds in ORDER:
        keys, per_key = sizes(ds, False)
        out.append({"dataset": ds, "keys": keys, "per_key": per_key, "elements": keys * per_key,
                    "vireo": empty, "redis": empty,
                    "ratio_used_per_element": None, "ratio_rss_per_element": None})
    return {"datasets": out}


def cell(side, k):
    """A per-element figure, or n/a (unsupported)."""
    if "unsupported" in side:
        return UNSUPPORTED
    return fmt_num(side.get(k), 1)


def render(res):
    headers = ["dataset", "elements", "vireo used_memory B/elem", "redis used_memory B/elem",
               "ratio", "vireo RSS B/elem", "redis RSS B/elem", "ratio"]
    rows = []
    for d in res["datasets"]:
        v, r = d["vireo"], d["redis"]
        label = DATASETS[d["dataset"]][0]
        if d["keys"] * d["per_key"] != DATASETS[d["dataset"]][2] * DATASETS[d["dataset"]][3]:
            label += f" (here {fmt_num(d['keys'])} x {fmt_num(d['per_key'])})"
        rows.append([label, fmt_num(d["elements"]),
                     cell(v, "used_per_element"), cell(r, "used_per_element"),
                     fmt_ratio(d["ratio_used_per_element"]),
                     cell(v, "rss_per_element"), cell(r, "rss_per_element"),
                     fmt_ratio(d["ratio_rss_per_element"])])
    refs = ", ".join(f"{DATASETS[ds][0]}: Redis 7.0.15 {REFERENCE[ds]['redis']}, "
                     f"Valkey 8.0.1 {REFERENCE[ds]['valkey']}" for ds in REFERENCE)
    return "\n".join([
        common.md_table(headers, rows), "",
        "Per element = (value after loading - value before) / elements (list elements, hash "
        "fields, set or sorted-set members); a fresh server per dataset, loaded with pipelined "
        f"RPUSH / HSET / SADD / ZADD of up to {CHUNK} elements (same bytes for both servers; "
        "names as in `types_memory.py`). Issue 7's reference figures, B/member on this machine "
        f"kind: {refs}.", ""])


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--settle", type=float, default=1.0, help="seconds to wait after loading")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(ORDER))
    ap.add_argument("--quick", action="store_true", help="every size / 100 (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.settle = 0.2


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
