#!/usr/bin/python3
"""Replication: vireo-server vs redis-server (issue 10's performance figures).

Owns the issue-10 benchmarks: how long a fresh replica takes to become a
working copy of a loaded master (full sync, disk and diskless), and SET
throughput on a master feeding two replicas, with the replication lag and
the master's replication-buffer memory under that load. Master and
replicas are always the same binary (vireo with vireo, redis with redis);
the usual command line of common.Server for every process.

  full-sync-disk      --keys keys of persistence.py's mixed dataset (1M: 60%
  full-sync-diskless  strings, lists, hashes, sets, sorted sets; the same
                      RESP for both, loaded once per server and SAVEd as a
                      pristine dump.rdb). Per round a master starts on a copy
                      of that file (CPU 0) and, for each of the two parts,
                      a fresh empty replica (CPU 0 too: one server works at
                      a time) with repl-diskless-load disabled gets
                      REPLICAOF; timed from the +OK reply until its INFO
                      replication shows master_link_status:up (polled every
                      10 ms on one connection), then INFO keyspace must show
                      every key. The master has repl-diskless-sync no (a
                      BGSAVE to disk, then the file is sent) or yes with
                      repl-diskless-sync-delay 0 (the RDB straight to the
                      socket). Target: vireo's time <= redis's.
  set-p16-2replicas   an empty master and 2 empty replicas linked to it, then
                      redis-benchmark -t set -c 50 -P 16 -d 100 -r 1000000
                      -n N (compare.py's set-p16) against the master, a fresh
                      trio per run. Every --sample s (on the client CPU) the
                      master's master_repl_offset, each replica's
                      slave_repl_offset and the master's INFO memory are
                      read: lag = the master's offset (mean of a read before
                      and after the replicas') minus the replica's, max and
                      median over both replicas; mem_total_replication_buffers
                      (target: vireo <= redis), mem_replication_backlog and
                      mem_clients_slaves, max. After the run: the time until
                      both replicas reach the master's offset, and DBSIZE
                      must be equal on all three. Throughput target: vireo
                      >= 1.20x redis.

CPUs (2 cores): the master on CPU 0, redis-benchmark and the sampler on CPU
1 as in compare.py, and the replicas on CPU 0 with the master (--replica-cpu
changes it). Why CPU 0: with the replicas beside the client, the client
would get what the replicas leave of CPU 1 and the figure would measure
redis-benchmark; beside the master, the throughput is what one CPU does
for a replicated SET in total (the master's work, feeding two replicas,
and both replicas applying it), and the client runs alone as in compare.py.

A server that refuses REPLICAOF (or a CONFIG SET of the repl-* settings
used here) gets "n/a (unsupported)" on its side, counted as not measured;
the redis side must always be measured. Rounds alternate vireo, redis,
vireo, ...; figures are medians, ratios vireo/redis the medians of the
per-round ratios.

  bench/compare/replication.py                # 1M keys, 2,000,000 SETs, 3 rounds
  bench/compare/replication.py --quick        # 20,000 keys, 100,000 SETs, 1 round (smoke)
  bench/compare/replication.py --only set-p16-2replicas --requests 1000000
  bench/compare/replication.py --vireo /usr/bin/redis-server   # both sides Redis: checks the tool
"""
import os
import shutil
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aof  # noqa: E402
import common  # noqa: E402
import compare  # noqa: E402
import persistence  # noqa: E402
from common import UNSUPPORTED, fmt_num, fmt_ratio, log, median  # noqa: E402
from persistence import Conn  # noqa: E402

PARTS = ["full-sync-disk", "full-sync-diskless", "set-p16-2replicas"]
# repl-diskless-sync of the master per full-sync part. Why both are set
# explicitly: 7.0 changed the default to yes (with a 5 s delay).
SYNC_MODES = {"full-sync-disk": "no", "full-sync-diskless": "yes"}
WORKLOAD = ("set-p16", "set", 50, 16)  # compare.py's: -d 100 -r 1000000
REPLICAS = 2
MEM_FIELDS = ["mem_total_replication_buffers", "mem_replication_backlog", "mem_clients_slaves"]
NOT_MEASURED = "not measured (replication.py not run)"
POLL = 0.01


def setting(conn, name, value):
    """CONFIG SET; a refusal means the server lacks that part of replication."""
    reply = conn.call("CONFIG", "SET", name, value)
    if reply != b"+OK":
        raise common.Unsupported(f"CONFIG SET {name} {value}: {reply.decode(errors='replace')[:120]}")


def replicaof(conn, master_port):
    """REPLICAOF 127.0.0.1 <port>; returns the time of the reply. Any error
    reply ("unknown command", or "wrong number of arguments" from a server
    without the handler) counts as no replication."""
    reply = conn.call("REPLICAOF", "127.0.0.1", str(master_port))
    t = time.perf_counter()
    # Why a prefix: Redis answers "+OK Already connected to specified
    # master" when it already follows that master.
    if not reply.startswith(b"+OK"):
        raise common.Unsupported(f"REPLICAOF answered {reply.decode(errors='replace')[:120]}")
    return t


def wait_link_up(conn, server, timeout):
    """Polls INFO replication every 10 ms until master_link_status:up."""
    deadline = time.perf_counter() + timeout
    while True:
        info = conn.info("replication")
        if info.get("master_link_status") == "up":
            return time.perf_counter()
        if "master_link_status" not in info:
            raise RuntimeError(f"{server.name}: INFO replication has no master_link_status "
                               f"after REPLICAOF (role:{info.get('role')})")
        if not server.alive() or time.perf_counter() > deadline:
            raise RuntimeError(f"{server.name}: master_link_status:{info['master_link_status']} "
                               f"after {timeout}s (alive={server.alive()})\n{server.tail_log()}")
        time.sleep(POLL)


def online_replicas(info):
    """How many slaveN lines of the master's INFO replication say state=online."""
    return sum(1 for k, v in info.items() if k.startswith("slave") and k[5:].isdigit()
               and "state=online" in v)


def wait_master_sees(conn, server, n, timeout):
    """Until the master lists n replicas, all online (n=0: all gone)."""
    deadline = time.perf_counter() + timeout
    while True:
        info = conn.info("replication")
        if info.get("connected_slaves") == str(n) and online_replicas(info) == n:
            return
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{server.name}: connected_slaves:{info.get('connected_slaves')}, "
                               f"{online_replicas(info)} online after {timeout}s, want {n}")
        time.sleep(POLL)


def offset(info, field):
    v = info.get(field)
    return int(v) if v is not None and v.lstrip("-").isdigit() else None


def probe(name, binary, args):
    """Raises common.Unsupported when the server refuses REPLICAOF NO ONE or
    one of the settings the parts use."""
    with common.Server(f"{name}-probe", binary, hz=args.hz) as s:
        conn = Conn(s.port, timeout=10)
        try:
            reply = conn.call("REPLICAOF", "NO", "ONE")
            if not reply.startswith(b"+OK"):
                raise common.Unsupported(f"REPLICAOF NO ONE answered "
                                         f"{reply.decode(errors='replace')[:120]}")
            for k, v in (("repl-diskless-sync", "yes"), ("repl-diskless-sync-delay", "0"),
                         ("repl-diskless-load", "disabled"), ("repl-backlog-size", args.backlog)):
                setting(conn, k, v)
        finally:
            conn.close()


def alternate(servers, args, unsupported, part, one):
    """one(name, binary) for --rounds rounds, alternating the servers (vireo,
    redis, vireo, ...); {name: [its results]}. A server whose run raises
    common.Unsupported goes into `unsupported` and is skipped from then on."""
    per = {n: [] for n, _ in servers}
    for rnd in range(args.rounds):
        for name, binary in servers:
            if name in unsupported:
                continue
            log(f"[replication {part} round {rnd + 1}/{args.rounds}] {name}")
            try:
                per[name].append(one(name, binary))
            except common.Unsupported as e:
                unsupported[name] = str(e)
                log(f"[replication {part}] {name}: {UNSUPPORTED}: {e}")
    return per


# ---- full sync ----------------------------------------------------------------

def full_sync(name, binary, master, mconn, args):
    """A fresh replica of `master`: REPLICAOF -> master_link_status:up."""
    replica = common.Server(f"{name}-replica", binary, hz=args.hz, start_timeout=args.timeout)
    try:
        conn = Conn(replica.port, timeout=args.timeout)
        try:
            # Why explicitly: the replica must write the RDB to disk and
            # load it (Redis's default, but a test of the default too).
            setting(conn, "repl-diskless-load", "disabled")
            t0 = replicaof(conn, master.port)
            t1 = wait_link_up(conn, replica, args.timeout)
            keys = conn.keys()
            if keys != args.keys:
                raise RuntimeError(f"{replica.name}: {keys:,} keys after the sync, want {args.keys:,}")
            out = {"s": t1 - t0, "replica_rss": replica.rss(),
                   "replica_used_memory": int(conn.info("memory")["used_memory"])}
        finally:
            conn.close()
    finally:
        replica.stop()
    # The next part's replica must not find this one's sync still going.
    wait_master_sees(mconn, master, 0, 30)
    return out


def sync_round(name, binary, pristine, parts, args):
    """A master on a copy of its pristine dump.rdb; one full sync per part."""
    d = tempfile.mkdtemp(prefix=f"vireo-bench-repl-{name}-")
    shutil.copyfile(pristine, os.path.join(d, "dump.rdb"))
    out = {}
    master = persistence.LoadingServer(f"{name}-master", binary, hz=args.hz, extra=["--dir", d],
                                       start_timeout=args.timeout)
    try:
        mconn = Conn(master.port, timeout=args.timeout)
        try:
            deadline = time.perf_counter() + 30
            while mconn.keys() != args.keys:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"{master.name}: {mconn.keys():,} keys, want {args.keys:,}")
                time.sleep(POLL)
            for part in parts:
                setting(mconn, "repl-diskless-sync", SYNC_MODES[part])
                setting(mconn, "repl-diskless-sync-delay", "0")
                out[part] = full_sync(name, binary, master, mconn, args)
                log(f"[replication {part}] {name}: link up after {out[part]['s']:.3f}s, "
                    f"replica RSS {out[part]['replica_rss']:,}")
        finally:
            mconn.close()
    finally:
        master.stop()
        shutil.rmtree(d, ignore_errors=True)
    return out


def run_full_sync(parts, servers, args, unsupported):
    ds = persistence.Dataset(args.keys, args.seed)
    work = tempfile.mkdtemp(prefix="vireo-bench-repl-")
    per = {p: {n: [] for n, _ in servers} for p in parts}
    prep, pristine = {}, {}
    try:
        for name, binary in servers:
            if name in unsupported:
                continue
            pristine[name], sha, wall = persistence.prepare(name, binary, ds, work, args)
            prep[name] = {"sha1": sha, "pipe_load_s": wall,
                          "pristine_bytes": os.path.getsize(pristine[name])}
        if len({p["sha1"] for p in prep.values()}) > 1:
            raise RuntimeError("the two servers were sent different datasets")
        sides = alternate(servers, args, unsupported, "full sync",
                          lambda name, binary: sync_round(name, binary, pristine[name], parts, args))
        for p in parts:
            for name, rounds in sides.items():
                per[p][name] = [r[p] for r in rounds]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"keys": args.keys, "prepare": prep, "rounds": per}


# ---- SET with two replicas ----------------------------------------------------

class Sampler(threading.Thread):
    """Reads the offsets and the master's INFO memory every `interval` s
    until stop(), from the client CPU."""

    def __init__(self, master_port, replica_ports, interval):
        super().__init__(daemon=True)
        self.ports = (master_port, replica_ports)
        self.interval = interval
        self.done = threading.Event()
        self.lags, self.mem = [], {k: [] for k in MEM_FIELDS}
        self.samples, self.error = 0, None
        self.t_first, self.lag_max_at = None, (0, None)  # (lag, s after the first write seen)

    def run(self):
        if common.NCPU > 1:
            os.sched_setaffinity(0, {int(common.CLIENT_CPU)})  # this thread only
        conns = []
        try:
            m = Conn(self.ports[0], timeout=30)
            conns.append(m)
            rs = [Conn(p, timeout=30) for p in self.ports[1]]
            conns += rs
            start = offset(m.info("replication"), "master_repl_offset")
            while not self.done.is_set():
                self.sample(m, rs, start)
                self.done.wait(self.interval)
        except Exception as e:  # reported by stop(): a thread cannot raise
            self.error = e
        finally:
            for c in conns:
                c.close()

    def sample(self, m, rs, start):
        m0 = offset(m.info("replication"), "master_repl_offset")
        rr = [offset(c.info("replication"), "slave_repl_offset") for c in rs]
        m1 = offset(m.info("replication"), "master_repl_offset")
        mem = m.info("memory")
        if m1 is None or m1 == start:
            return  # the benchmark has not written yet
        now = time.perf_counter()
        if self.t_first is None:
            self.t_first = now
        self.samples += 1
        # Why the replicas' own slave_repl_offset, not the master's slaveN
        # offset=: the latter is what the replica last ACKed, once a second.
        # Why the mean of two master reads: the replicas are read between
        # them, so it is the master's offset at about that time.
        for r in rr:
            if r is not None and m0 is not None:
                self.lags.append(max(0, (m0 + m1) // 2 - r))
                if self.lags[-1] > self.lag_max_at[0]:
                    self.lag_max_at = (self.lags[-1], now - self.t_first)
        for k in MEM_FIELDS:
            if offset(mem, k) is not None:
                self.mem[k].append(int(mem[k]))

    def stop(self):
        self.done.set()
        self.join(timeout=30)
        if self.error is not None:
            raise RuntimeError(f"sampler: {self.error!r}")
        out = {"samples": self.samples, "lag_max_at_s": self.lag_max_at[1],
               "lag_max": max(self.lags) if self.lags else None, "lag_median": median(self.lags)}
        for k in MEM_FIELDS:
            xs = self.mem[k]
            # Why 0 counts as not reported for the total (not for the
            # backlog / replicas split): with two replicas under a write
            # load the shared buffer is never empty.
            if k == MEM_FIELDS[0] and xs and max(xs) == 0:
                xs = []
            out[f"{k}_max"] = max(xs) if xs else None
            out[f"{k}_median"] = median(xs)
        return out


def wait_caught_up(mconn, rconns, timeout):
    """Until every replica's slave_repl_offset equals the master's offset
    (the same in two reads around them); returns the time."""
    deadline = time.perf_counter() + timeout
    while True:
        m0 = offset(mconn.info("replication"), "master_repl_offset")
        rr = [offset(c.info("replication"), "slave_repl_offset") for c in rconns]
        m1 = offset(mconn.info("replication"), "master_repl_offset")
        if m0 is not None and m0 == m1 and all(r == m0 for r in rr):
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise RuntimeError(f"replicas at {rr} after {timeout}s, the master at {m1}")
        time.sleep(POLL)


def set_round(name, binary, args):
    """A fresh master and two replicas, one redis-benchmark run."""
    procs, conns = [], []
    try:
        master = common.Server(f"{name}-master", binary, hz=args.hz)
        procs.append(master)
        mconn = Conn(master.port, timeout=args.timeout)
        conns.append(mconn)
        setting(mconn, "repl-backlog-size", args.backlog)
        # Why delay 0: 7.0's default is a diskless sync 5 s after the first
        # replica asks (to gather more); here the dataset is empty.
        setting(mconn, "repl-diskless-sync-delay", "0")
        replicas = []
        for i in range(REPLICAS):
            r = common.Server(f"{name}-replica{i + 1}", binary, hz=args.hz, cpu=args.replica_cpu)
            procs.append(r)
            replicas.append(r)
        rconns = [Conn(r.port, timeout=args.timeout) for r in replicas]
        conns += rconns
        for c in rconns:
            replicaof(c, master.port)
        for c, r in zip(rconns, replicas):
            wait_link_up(c, r, 60)
        wait_master_sees(mconn, master, REPLICAS, 60)
        sampler = Sampler(master.port, [r.port for r in replicas], args.sample)
        cpu0 = sum(r.cpu_seconds() for r in replicas)
        sampler.start()
        try:
            res = compare.run_benchmark(master, WORKLOAD, args.requests, args.timeout)
        finally:
            sampled = sampler.stop()
        t_end = time.perf_counter()
        res["catchup_s"] = wait_caught_up(mconn, rconns, args.timeout) - t_end
        res["replicas_cpu_s_per_mreq"] = (sum(r.cpu_seconds() for r in replicas) - cpu0) / args.requests * 1e6
        res.update(sampled)
        sizes = [int(c.call("DBSIZE")[1:]) for c in [mconn] + rconns]
        if len(set(sizes)) != 1:
            raise RuntimeError(f"{name}: DBSIZE master/replicas {sizes} after catching up")
        res["keys"] = sizes[0]
    finally:
        for c in conns:
            c.close()
        for p in reversed(procs):  # replicas first: no reconnect attempts
            p.stop()
    log(f"[replication set-p16-2replicas] {name}: {res['rps']:,.0f} ops/s p99={res['p99_ms']} ms, "
        f"lag max {res['lag_max']} B ({res['lag_max_at_s']} s in) median {res['lag_median']} B "
        f"({res['samples']} samples), "
        f"buffers max {res['mem_total_replication_buffers_max']} B, caught up {res['catchup_s']:.3f}s")
    return res


def run_sets(servers, args, unsupported):
    per = alternate(servers, args, unsupported, "set-p16-2replicas",
                    lambda name, binary: set_round(name, binary, args))
    return {"requests": args.requests, "rounds": per}


# ---- the run and its rows -----------------------------------------------------

# (id, label, key in a round's figures, target: (">=" / "<=", value) or None)
def sync_measures(part, keys):
    what = (f"full sync of {fmt_num(keys)} mixed keys, repl-diskless-sync "
            f"{SYNC_MODES[part]}{' (delay 0)' if SYNC_MODES[part] == 'yes' else ''}")
    return [(f"{part}_s", f"{what}: REPLICAOF -> master_link_status:up, s", "s", ("<=", 1.0)),
            (f"{part}_replica_rss", f"{what}: the replica's RSS after it, bytes", "replica_rss", None)]


SET_LABEL = f"SET c=50 P=16 on a master with {REPLICAS} replicas"
SET_MEASURES = [
    ("set_rps", f"{SET_LABEL}, ops/s", "rps", (">=", 1.2)),
    ("set_p99_ms", f"{SET_LABEL}, p99 ms", "p99_ms", None),
    ("set_lag_max", "replication lag during the run (master offset - replica's), max, bytes", "lag_max", None),
    ("set_lag_median", "replication lag during the run, median, bytes", "lag_median", None),
    ("set_catchup_s", "replicas caught up after the run ended, s", "catchup_s", None),
    ("set_mem_total_replication_buffers", "master's mem_total_replication_buffers during the run, max, bytes",
     "mem_total_replication_buffers_max", ("<=", 1.0)),
    ("set_mem_total_replication_buffers_median", "master's mem_total_replication_buffers during the run, "
     "median, bytes", "mem_total_replication_buffers_median", None),
    ("set_mem_replication_backlog", "master's mem_replication_backlog during the run, max, bytes",
     "mem_replication_backlog_max", None),
    ("set_mem_clients_slaves", "master's mem_clients_slaves during the run, max, bytes",
     "mem_clients_slaves_max", None),
    ("set_master_cpu", "master's CPU s per 1M SETs", "cpu_s_per_mreq", None),
    ("set_replicas_cpu", f"the {REPLICAS} replicas' CPU s per 1M SETs", "replicas_cpu_s_per_mreq", None),
]


def rows_of(res):
    rows = []
    fs = res.get("full_sync")
    measures = []
    if fs:
        for part in fs["rounds"]:
            measures += [(m, fs["rounds"][part], part) for m in sync_measures(part, fs["keys"])]
    if res.get("set"):
        measures += [(m, res["set"]["rounds"], "set-p16-2replicas") for m in SET_MEASURES]
    for (rid, label, key, target), rounds, part in measures:
        row = aof.summary_row(rid, label, rounds["vireo"], rounds["redis"], key,
                              unsupported="vireo" in res["unsupported"].get(part, {}))
        row["target"] = target
        rows.append(row)
    return rows


def run(args):
    common.check_binaries(args.vireo, args.redis)
    common.raise_fd_limit()
    servers = (("vireo", args.vireo), ("redis", args.redis))
    res = {"tool": "replication", "machine": common.machine_info(), "rounds": args.rounds,
           "keys": args.keys, "requests": args.requests, "parts": args.parts, "hz": args.hz,
           "backlog": args.backlog, "sample_s": args.sample, "server_cpu": common.SERVER_CPU,
           "replica_cpu": args.replica_cpu, "client_cpu": common.CLIENT_CPU, "unsupported": {}}
    t0 = time.perf_counter()
    probed = {}
    for name, binary in servers:
        try:
            probe(name, binary, args)
        except common.Unsupported as e:
            probed[name] = str(e)
            log(f"[replication] {name}: {UNSUPPORTED}: {e}")
    sync_parts = [p for p in args.parts if p in SYNC_MODES]
    if sync_parts:
        uns = dict(probed)
        res["full_sync"] = run_full_sync(sync_parts, servers, args, uns)
        res["unsupported"].update({p: uns for p in sync_parts})
    if "set-p16-2replicas" in args.parts:
        uns = dict(probed)
        res["set"] = run_sets(servers, args, uns)
        res["unsupported"]["set-p16-2replicas"] = uns
    for part, uns in res["unsupported"].items():
        if "redis" in uns:
            raise RuntimeError(f"redis-server, {part}: {uns['redis']}")
    res["elapsed_s"] = time.perf_counter() - t0
    res["rows"] = rows_of(res)
    return res


# ---- rendering ----------------------------------------------------------------

def fmt_value(rid, v, unsupported=False):
    if unsupported:
        return UNSUPPORTED
    if v is None:
        return "n/a"
    if rid.endswith("_s") or rid.endswith("_cpu"):
        return fmt_num(v, 3)
    if rid.endswith("_ms"):
        return fmt_num(v, 2)
    return fmt_num(v)


def met(target, q):
    """True / False against (op, value); None when not measured."""
    if target is None or q is None:
        return None
    return q >= target[1] if target[0] == ">=" else q <= target[1]


def render(res):
    headers = ["measure", "vireo", "redis", "vireo/redis", "target"]
    rows = []
    for row in res["rows"]:
        tgt = "—"
        if row["target"] is not None:
            ok = met(row["target"], None if row["unsupported"] else row["ratio"])
            tgt = (f"{row['target'][0]} {row['target'][1]:.2f}: "
                   + ("—" if ok is None else "met" if ok else "**NOT met**"))
        rows.append([row["label"], fmt_value(row["id"], row["vireo"], row["unsupported"]),
                     fmt_value(row["id"], row["redis"]),
                     UNSUPPORTED if row["unsupported"] else fmt_ratio(row["ratio"]), tgt])
    order = ", ".join(["vireo, redis"] * min(res["rounds"], 2)) + (", ..." if res["rounds"] > 2 else "")
    rounds = f"{res['rounds']} round" + ("s" if res["rounds"] != 1 else "")
    note = (f"Master and replicas the same binary; medians over {rounds} ({order}), ratios the "
            "medians of the per-round ratios (ops/s: higher is better; times, lag, memory: lower "
            f"is better); hz {res['hz']}.")
    if res.get("full_sync"):
        note += (f" Full sync: persistence.py's mixed dataset, the master restarted per round on "
                 f"its pristine dump.rdb (CPU {res['server_cpu']}), a fresh replica per part "
                 f"(CPU {res['server_cpu']}, repl-diskless-load disabled), timed from REPLICAOF's "
                 "+OK until master_link_status:up (polled every 10 ms); the disk sync includes "
                 f"the master noticing its BGSAVE child's end in its cron (up to {1000 // res['hz']} ms).")
    if res.get("set"):
        note += (f" SET: redis-benchmark `-t set -c 50 -P 16 -d 100 -r 1000000 -n "
                 f"{fmt_num(res['requests'])}` on CPU {res['client_cpu']}, the master on CPU "
                 f"{res['server_cpu']}, both replicas on CPU {res['replica_cpu']}, a fresh trio per "
                 f"run, repl-backlog-size {res['backlog']}; offsets and INFO memory sampled every "
                 f"{res['sample_s'] * 1000:g} ms from CPU {res['client_cpu']} (lag over both "
                 "replicas; a mem_total_replication_buffers of 0 counts as not reported).")
    reasons = sorted({u["vireo"] for u in res["unsupported"].values() if "vireo" in u})
    if reasons:
        note += f" Vireo's side {UNSUPPORTED}: {'; '.join(reasons)}."
    return common.md_table(headers, rows) + "\n\n" + note + "\n"


TARGET_IDS = ["full-sync-disk_s", "full-sync-diskless_s", "set_rps", "set_mem_total_replication_buffers"]


def targets(res):
    """Issue 10's targets: [(target, measured, met)], met None when not
    measured (replication.py not run, or vireo without replication)."""
    res = res or {}
    got = {r["id"]: r for r in res.get("rows", [])}
    keys = fmt_num(res.get("keys", 1000000))
    names = {"full-sync-disk_s": f"full sync of {keys} mixed keys (disk) to master_link_status:up <= Redis's",
             "full-sync-diskless_s": f"full sync of {keys} mixed keys (diskless) to master_link_status:up "
                                     "<= Redis's",
             "set_rps": f"{SET_LABEL} >= 1.20x Redis",
             "set_mem_total_replication_buffers": f"replication buffers (mem_total_replication_buffers, max) "
                                                  f"with {REPLICAS} replicas under that load <= Redis's"}
    out = []
    for rid in TARGET_IDS:
        r = got.get(rid)
        if r is None:
            out.append((names[rid], NOT_MEASURED, None))
        elif r["unsupported"]:
            out.append((names[rid], UNSUPPORTED, None))
        else:
            out.append((names[rid], f"{fmt_value(rid, r['vireo'])} vs {fmt_value(rid, r['redis'])}, "
                        f"{fmt_ratio(r['ratio'])}", met(r["target"], r["ratio"])))
    # The issue asks for the lag to be reported for both: met when it is.
    lag = [got.get("set_lag_max"), got.get("set_lag_median")]
    name = "replication lag under that load reported for both"
    if None in lag:
        out.append((name, NOT_MEASURED, None))
    elif lag[0]["unsupported"]:
        out.append((name, UNSUPPORTED, None))
    else:
        out.append((name, f"max {fmt_num(lag[0]['vireo'])} vs {fmt_num(lag[0]['redis'])} B, median "
                    f"{fmt_num(lag[1]['vireo'])} vs {fmt_num(lag[1]['redis'])} B",
                    None not in (lag[0]["vireo"], lag[0]["redis"])))
    return out


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--keys", type=int, default=1000000, help="keys of the full-sync dataset")
    ap.add_argument("--seed", type=int, default=9, help="of the full-sync dataset")
    ap.add_argument("--requests", type=int, default=2000000, help="-n of each SET run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backlog", default="1mb", help="repl-backlog-size of the SET runs' master "
                    "(Redis's default)")
    ap.add_argument("--replica-cpu", default=common.SERVER_CPU,
                    help="CPU of the SET runs' replicas (default: the master's)")
    ap.add_argument("--sample", type=float, default=0.05, help="s between lag / memory samples")
    ap.add_argument("--hz", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=600, help="per load, sync or run, s")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(PARTS))
    ap.add_argument("--quick", action="store_true", help="20,000 keys, 100,000 SETs, 1 round (smoke)")
    ap.add_argument("--json", default="", help="also write raw results to this file")


def fix_args(args):
    args.parts = common.select_ids(args.only, PARTS)
    if args.quick:
        if args.keys == 1000000:
            args.keys = 20000
        if args.requests == 2000000:
            args.requests = 100000
        args.rounds = 1
    if args.rounds < 1:
        raise SystemExit("--rounds must be >= 1")
    if int(args.replica_cpu) >= common.NCPU:
        args.replica_cpu = common.SERVER_CPU


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
