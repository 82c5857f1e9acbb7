#!/usr/bin/python3
"""Cost of ACL checks: GET/SET throughput as a user restricted to `~app:*`
vs the default user, vireo-server and redis-server (issue 8: "GET/SET
throughput with a user restricted to ~app:* within 5 % of the default
user").

For each server (same settings and CPU pinning as compare.py) a user
`app` is created with `ACL SETUSER app on >benchpw ~app:* +@all`; then
redis-benchmark (-c 50 -P 16, keys app:<random> so both users may touch
them) runs SET and GET as the default user and as `app`, alternating,
--rounds times. Reported: median requests/s per user, and restricted /
default per server (the target applies to vireo's; redis's is shown for
reference). A vireo/redis ratio per user is shown too.

  bench/compare/acl.py
  bench/compare/acl.py --quick
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import UNSUPPORTED, fmt_num, fmt_ratio, log, median, ratio  # noqa: E402

TARGET = 0.95
PASSWORD = "benchpw"
COMMANDS = {"set": ["set", "app:__rand_int__", "x" * 16], "get": ["get", "app:__rand_int__"]}


def bench(port, args, cmd, user):
    auth = ["--user", "app", "-a", PASSWORD] if user == "app" else []
    argv = common.pin([common.REDIS_BENCHMARK, "-p", str(port), "-c", "50", "-P", "16",
                       "-n", str(args.requests), "-r", "100000", "--csv"] + auth + COMMANDS[cmd],
                      common.CLIENT_CPU)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    for line in r.stdout.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) > 1 and parts[0].lower().startswith(cmd):
            return float(parts[1])
    raise RuntimeError(f"redis-benchmark gave no result:\n{r.stdout}\n{r.stderr}")


def run(args):
    common.check_binaries(args.vireo, args.redis)
    res = {"tool": "acl", "requests": args.requests, "rows": []}
    for cmd in ("set", "get"):
        row = {"command": cmd.upper()}
        for name, binary in (("vireo", args.vireo), ("redis", args.redis)):
            with common.Server(name, binary) as s:
                reply = s.command("ACL", "SETUSER", "app", "on", ">" + PASSWORD, "~app:*", "+@all")
                if common.is_unknown_command(reply):
                    row[name] = {"unsupported": True, "default": None, "app": None, "ratio": None}
                    continue
                if reply != b"+OK":
                    raise RuntimeError(f"{name}: ACL SETUSER failed: {reply!r}")
                runs = {"default": [], "app": []}
                for rnd in range(args.rounds):
                    for user in ("default", "app"):
                        log(f"acl: {name} {cmd} as {user} round {rnd + 1}/{args.rounds}")
                        runs[user].append(bench(s.port, args, cmd, user))
                row[name] = {u: median(v) for u, v in runs.items()}
                row[name]["ratio"] = ratio(row[name]["app"], row[name]["default"])
        res["rows"].append(row)
    return res


def render(res):
    headers = ["command", "vireo default", "vireo ~app:*", "vireo restricted/default",
               "redis default", "redis ~app:*", "redis restricted/default",
               "vireo/redis (~app:*)", f"target >= {TARGET}"]
    rows = []
    for r in res["rows"]:
        v, d = r["vireo"], r["redis"]
        if v.get("unsupported"):
            rows.append([r["command"]] + [UNSUPPORTED] * 3 + [fmt_num(d["default"]), fmt_num(d["app"]),
                                                             fmt_ratio(d["ratio"]), UNSUPPORTED, "—"])
            continue
        rows.append([r["command"], fmt_num(v["default"]), fmt_num(v["app"]), fmt_ratio(v["ratio"]),
                     fmt_num(d["default"]), fmt_num(d["app"]), fmt_ratio(d["ratio"]),
                     fmt_ratio(ratio(v["app"], d["app"])),
                     "met" if v["ratio"] >= TARGET else "NOT met"])
    return (f"redis-benchmark -c 50 -P 16 -n {fmt_num(res['requests'])} -r 100000, requests/s "
            "(medians):\n\n" + common.md_table(headers, rows))


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small variant (CI smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    if args.quick:
        args.requests, args.rounds = 20000, 1


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
