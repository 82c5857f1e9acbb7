#!/usr/bin/python3
"""Sentinel: vireo-server --sentinel vs redis-server --sentinel (issue 11's figures).

Owns the issue-11 benchmarks: how fast three sentinels fail over a dead
master, and what a client loses over repeated switchovers, Vireo's
`SENTINEL FAILOVER <master> COORDINATED` against the plain SENTINEL
FAILOVER. A setup is always one binary: 1 master + 2 replicas (the usual
command line of common.Server, plus `repl-diskless-sync-delay 0` so that a
full resync is not held 5 s) and 3 sentinels (`<binary> <dir>/sentinel.conf
--sentinel`, quorum 2, `down-after-milliseconds 1000`, `failover-timeout
10000`), every process on 127.0.0.1 on a free port, pinned to CPU 0; the
pollers and the writer run on CPU 1. A setup is ready when each sentinel's
SENTINEL MASTER shows num-slaves 2 and num-other-sentinels 2.

  failover-time           per round, vireo then redis (the order swapped
                          every round): SIGKILL of the master, then every
                          10 ms each sentinel's SENTINEL
                          GET-MASTER-ADDR-BY-NAME; timed until all three
                          report the same new address (also: until the
                          first one does). Median and max over --rounds.
                          Target: vireo's median <= redis's.
  coordinated-switchover  a writer thread does SET k:<n> <n> then WAIT 1 100
                          against the current master (resolved through the
                          sentinels; on an error, READONLY, a lost connection
                          or WAIT < 1 it resolves again and retries the same
                          n), recording each n WAIT acknowledged. Meanwhile
                          --switchovers times (--plain-switchovers for the
                          plain modes): SENTINEL FAILOVER mymaster
                          [COORDINATED] on sentinel i % 3 (retried while it
                          answers NOGOODSLAVE / INPROG / NOGOODMASTER), then
                          wait until all three report a new address and none
                          has failover_in_progress. Then the writer stops,
                          the data nodes must settle (one master, two
                          replicas linked and at its offset), and the final
                          master must hold every acknowledged k:<n> (lost
                          writes; target 0 for COORDINATED); full resyncs =
                          INFO stats sync_full summed over the nodes minus
                          its value before the loop (target 0), also
                          sync_partial_ok. Modes: vireo-coordinated, and for
                          contrast the plain failover on redis-plain and
                          vireo-plain (losses there are the point).

A round that does not finish within --timeout (a failover that never
completes, a crash) is recorded as failed with its reason, and the logs
and configs of all six processes are kept in a directory named in the
result (also with --keep). Failed rounds show in the table (either side).

  bench/compare/sentinel.py                   # 5 rounds, 20 switchovers per mode
  bench/compare/sentinel.py --quick           # 1 round, 3 COORDINATED + 1 plain switchover (smoke)
  bench/compare/sentinel.py --only coordinated-switchover --modes vireo-coordinated
  bench/compare/sentinel.py --vireo /usr/bin/redis-server --modes redis-plain,vireo-plain
  bench/compare/sentinel.py --json /dev/stdout    # the raw result as JSON, then the table
"""
import collections
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import fmt_num, fmt_ratio, log, median  # noqa: E402

PARTS = ["failover-time", "coordinated-switchover"]
# mode -> (implementation, COORDINATED?)
MODES = {"vireo-coordinated": ("vireo", True), "redis-plain": ("redis", False),
         "vireo-plain": ("vireo", False)}
NAME = "mymaster"
REPLICAS = 2
SENTINELS = 3
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 10000
POLL = 0.01
# Answers of SENTINEL FAILOVER meaning "not now": right after a switchover
# the sentinel has reset the master's entry and must first PING and INFO
# the replicas again (NOGOODSLAVE), or the last one is still ending (INPROG).
RETRY_ERRORS = ("NOGOODSLAVE", "INPROG", "NOGOODMASTER")
NOT_MEASURED = "not measured (sentinel.py not run)"


class Err(str):
    """An error reply."""


class Resp:
    """One connection with a whole RESP2 reply parser (arrays too, which
    common.read_reply does not read: SENTINEL answers in arrays)."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def call(self, *args):
        self.sock.sendall(common.encode(args))
        return self._value()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _value(self):
        line = self._line()
        kind, rest = line[:1], line[1:].decode(errors="replace")
        if kind == b"+":
            return rest
        if kind == b"-":
            return Err(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v.decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._value() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line[:80]!r}")

    def info(self, section):
        d = {}
        for line in self.call("INFO", section).splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                d[k] = v
        return d

    def close(self):
        self.sock.close()


def master_addr(conn):
    """SENTINEL GET-MASTER-ADDR-BY-NAME as (ip, port), None if unknown."""
    r = conn.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME)
    return (r[0], int(r[1])) if isinstance(r, list) and len(r) == 2 else None


def master_fields(conn):
    """SENTINEL MASTER as a dict (its reply is a flat field/value array)."""
    r = conn.call("SENTINEL", "MASTER", NAME)
    if not isinstance(r, list):
        raise RuntimeError(f"SENTINEL MASTER {NAME}: {r}")
    return dict(zip(r[::2], r[1::2]))


class SentinelServer(common.Server):
    """`<binary> <dir>/sentinel.conf --sentinel`, the rest as common.Server.

    Why its own start: the sentinel's config file must be argv[1] (both
    refuse to run without a writable one), common.Server puts options there."""

    def __init__(self, name, binary, master_port, cpu=common.SERVER_CPU):
        self.name = name
        self.binary = os.path.abspath(binary)
        self.port = common.free_port()
        self.dir = tempfile.mkdtemp(prefix=f"vireo-bench-{name}-")
        self.logfile = os.path.join(self.dir, "server.log")
        conf = os.path.join(self.dir, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndaemonize no\n"
                    f"logfile \"{self.logfile}\"\ndir \"{self.dir}\"\n"
                    f"sentinel monitor {NAME} 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds {NAME} {DOWN_AFTER_MS}\n"
                    f"sentinel failover-timeout {NAME} {FAILOVER_TIMEOUT_MS}\n")
        self.cmd = common.pin([self.binary, conf, "--sentinel"], cpu)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.dir, "stdout.log"), "w"),
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        self.pid = self.proc.pid
        try:
            self._wait_ready(10.0)
        except BaseException:
            self.stop()
            raise


class Setup:
    """1 master + 2 replicas + 3 sentinels of one binary."""

    def __init__(self, label, binary, args):
        self.label, self.procs = label, []
        try:
            extra = ["--repl-diskless-sync-delay", "0"]
            self.master = self._add(common.Server(f"{label}-node0", binary, hz=args.hz, extra=extra))
            self.nodes = [self.master] + [
                self._add(common.Server(f"{label}-node{i + 1}", binary, hz=args.hz, extra=extra + [
                    "--replicaof", "127.0.0.1", str(self.master.port)])) for i in range(REPLICAS)]
            self.sentinels = [self._add(SentinelServer(f"{label}-sentinel{i + 1}", binary, self.master.port))
                              for i in range(SENTINELS)]
        except BaseException:
            self.stop()
            raise

    def _add(self, p):
        self.procs.append(p)
        return p

    def node_by_port(self, port):
        return next((n for n in self.nodes if n.port == port), None)

    def wait_ready(self, timeout):
        """Until every sentinel knows 2 replicas and 2 other sentinels."""
        conns = [Resp(s.port) for s in self.sentinels]
        t0 = time.perf_counter()
        try:
            while True:
                seen = [master_fields(c) for c in conns]
                if all(m.get("num-slaves") == str(REPLICAS) and
                       m.get("num-other-sentinels") == str(SENTINELS - 1) for m in seen):
                    return time.perf_counter() - t0
                if time.perf_counter() - t0 > timeout:
                    raise RuntimeError(f"{self.label}: sentinels not ready after {timeout}s: " + "; ".join(
                        f"slaves {m.get('num-slaves')} sentinels {m.get('num-other-sentinels')}" for m in seen))
                time.sleep(POLL * 5)
        finally:
            for c in conns:
                c.close()

    def sync_counts(self):
        """INFO stats sync_full / sync_partial_ok / sync_partial_err summed
        over the live data nodes (Why summed: each node counts the resyncs it
        served as a master, and every node is a master at some point)."""
        out = collections.Counter()
        for n in self.nodes:
            if n.alive():
                st = n.info("stats")
                for k in ("sync_full", "sync_partial_ok", "sync_partial_err"):
                    out[k] += int(st.get(k, 0))
        return out

    def keep(self, why):
        """Copies every process's directory (logs, sentinel.conf) aside."""
        d = tempfile.mkdtemp(prefix=f"vireo-bench-sentinel-kept-{self.label}-")
        for p in self.procs:
            shutil.copytree(p.dir, os.path.join(d, p.name), dirs_exist_ok=True)
        with open(os.path.join(d, "WHY"), "w") as f:
            f.write(why + "\n")
        log(f"[sentinel] {self.label}: logs kept in {d}")
        return d

    def stop(self):
        for p in reversed(self.procs):  # sentinels first: no failover while stopping
            p.stop()


def in_round(label, binary, args, body):
    """body(setup) on a fresh Setup; a failure becomes {"error", "kept"}."""
    setup = None
    try:
        setup = Setup(label, binary, args)
        out = body(setup)
        if args.keep:
            out["kept"] = setup.keep("--keep")
        return out
    except (RuntimeError, OSError) as e:
        log(f"[sentinel] {label}: FAILED: {e}")
        return {"error": str(e)[:2000], "kept": setup.keep(str(e)) if setup else None}
    finally:
        if setup:
            setup.stop()


def client_cpu():
    """Pins the calling thread to the client CPU (Why a thread: report.py
    runs other tools in this process afterwards)."""
    if common.NCPU > 1:
        os.sched_setaffinity(0, {int(common.CLIENT_CPU)})


# ---- failover-time ----------------------------------------------------------

def failover_once(setup, args):
    ready = setup.wait_ready(args.timeout)
    conns = [Resp(s.port) for s in setup.sentinels]
    try:
        old = master_addr(conns[0])
        t0 = time.perf_counter()
        setup.master.proc.kill()  # SIGKILL to exactly this pid
        setup.master.proc.wait()
        seen = [None] * SENTINELS  # (s after the kill, address)
        while True:
            for i, c in enumerate(conns):
                if seen[i] is None:
                    a = master_addr(c)
                    if a is not None and a != old:
                        seen[i] = (time.perf_counter() - t0, a)
            # Why "the same address" as well: a sentinel may follow a
            # failover that another one later supersedes.
            if None not in seen and len({a for _, a in seen}) == 1:
                break
            if time.perf_counter() - t0 > args.timeout:
                raise RuntimeError(f"failover not complete {args.timeout}s after SIGKILL of {old}: "
                                   f"sentinels report {[master_addr(c) for c in conns]}")
            time.sleep(POLL)
        new = seen[0][1]
        if setup.node_by_port(new[1]) is None:
            raise RuntimeError(f"sentinels switched to {new}, not one of the replicas")
        return {"s": max(t for t, _ in seen), "first_s": min(t for t, _ in seen), "ready_s": ready,
                "from": list(old), "to": list(new)}
    finally:
        for c in conns:
            c.close()


def run_failover_time(servers, args):
    per = {n: [] for n, _ in servers}
    for rnd in range(args.rounds):
        order = servers if rnd % 2 == 0 else servers[::-1]
        for name, binary in order:
            log(f"[sentinel failover-time round {rnd + 1}/{args.rounds}] {name}")
            r = in_round(f"{name}-ft", binary, args, lambda s: failover_once(s, args))
            if "s" in r:
                log(f"[sentinel failover-time] {name}: all 3 switched after {r['s']:.3f}s "
                    f"(first {r['first_s']:.3f}s)")
            per[name].append(r)
    return {"rounds": per}


# ---- coordinated-switchover ---------------------------------------------------

class Writer(threading.Thread):
    """SET k:<n> <n>; WAIT 1 100 against the current master until stop()."""

    def __init__(self, sentinel_ports, timeout):
        super().__init__(daemon=True)
        self.sentinel_ports, self.timeout = sentinel_ports, timeout
        self.done = threading.Event()
        self.acked, self.ack_times = [], []
        self.errors = collections.Counter()
        self.resolves, self.error = 0, None

    def resolve(self):
        self.resolves += 1
        for port in self.sentinel_ports:
            try:
                c = Resp(port, timeout=2.0)
                try:
                    a = master_addr(c)
                finally:
                    c.close()
                if a:
                    return a
            except OSError:
                continue
        return None

    def run(self):
        client_cpu()
        try:
            self.loop()
        except Exception as e:  # reported by stop(): a thread cannot raise
            self.error = e

    def loop(self):
        n, conn, addr = 1, None, None
        while not self.done.is_set():
            try:
                if conn is None:
                    addr = self.resolve()
                    if addr is None:
                        self.errors["no master"] += 1
                        time.sleep(POLL)
                        continue
                    conn = Resp(addr[1], timeout=self.timeout)
                r = conn.call("SET", f"k:{n}", n)
                if isinstance(r, Err) or r != "OK":
                    self.errors["SET " + str(r).split(" ")[0]] += 1
                    conn.close()
                    conn = None
                    time.sleep(POLL)
                    continue
                w = conn.call("WAIT", 1, 100)
                if isinstance(w, int) and w >= 1:
                    self.acked.append(n)
                    self.ack_times.append(time.perf_counter())
                    n += 1
                    continue
                # Not acknowledged: the master may have changed; the same n
                # again (SET is idempotent), on the master the sentinels name.
                self.errors["WAIT " + (str(w).split(" ")[0] if isinstance(w, Err) else str(w))] += 1
                if isinstance(w, Err) or self.resolve() != addr:
                    conn.close()
                    conn = None
                    time.sleep(POLL)
            except OSError:
                self.errors["connection"] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(POLL)
        if conn is not None:
            conn.close()

    def max_gap(self, since):
        ts = [since] + [t for t in self.ack_times if t > since]
        return max((b - a for a, b in zip(ts, ts[1:])), default=None)

    def stop(self):
        self.done.set()
        self.join(timeout=self.timeout + 5)
        if self.error is not None:
            raise RuntimeError(f"writer: {self.error!r}")


def failover_command(conn, coordinated, timeout):
    """SENTINEL FAILOVER [COORDINATED], retried while "not now"; returns
    (seconds until +OK, attempts, the distinct refusals)."""
    t0 = time.perf_counter()
    refusals, attempts = set(), 0
    while True:
        attempts += 1
        r = conn.call("SENTINEL", "FAILOVER", NAME, *(["COORDINATED"] if coordinated else []))
        if r == "OK":
            return time.perf_counter() - t0, attempts, sorted(refusals)
        code = str(r).split(" ")[0]
        if not isinstance(r, Err) or code not in RETRY_ERRORS:
            raise RuntimeError(f"SENTINEL FAILOVER answered {r}")
        refusals.add(code)
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"SENTINEL FAILOVER still refused after {timeout}s: {r}")
        time.sleep(POLL * 5)


def wait_switched(conns, old, timeout):
    """Until every sentinel reports one new address and none is in a failover."""
    t0 = time.perf_counter()
    while True:
        addrs = [master_addr(c) for c in conns]
        if addrs[0] != old and len(set(addrs)) == 1:
            flags = [master_fields(c).get("flags", "") for c in conns]
            if not any("failover_in_progress" in f for f in flags):
                return addrs[0]
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"switchover from {old} not complete after {timeout}s: sentinels report "
                               f"{addrs}, flags {[master_fields(c).get('flags') for c in conns]}")
        time.sleep(POLL)


def settle(setup, master_port, timeout):
    """Until the data nodes agree with the sentinels: one master, both
    others its replicas with the link up, all at its offset. Returns (the
    seconds it took, None), or (None, what the nodes report) at timeout."""
    t0 = time.perf_counter()
    while True:
        infos = {n.port: n.info("replication") for n in setup.nodes}
        m = infos[master_port]
        ok = m.get("role") == "master" and all(
            i.get("role") == "slave" and i.get("master_port") == str(master_port)
            and i.get("master_link_status") == "up"
            and i.get("slave_repl_offset") == m.get("master_repl_offset")
            for p, i in infos.items() if p != master_port)
        if ok:
            return time.perf_counter() - t0, None
        if time.perf_counter() - t0 > timeout:
            return None, (f"not settled on {master_port} after {timeout}s: " + "; ".join(
                f"{p}: role {i.get('role')} master_port {i.get('master_port')} link "
                f"{i.get('master_link_status')} offset {i.get('slave_repl_offset', i.get('master_repl_offset'))}"
                for p, i in infos.items()))
        time.sleep(POLL * 5)


def missing(port, ns, batch=1000):
    """The n of `ns` whose k:<n> is not <n> on the server at `port`."""
    out = []
    c = Resp(port, timeout=60)
    try:
        for i in range(0, len(ns), batch):
            part = ns[i:i + batch]
            vals = c.call("MGET", *[f"k:{n}" for n in part])
            out += [n for n, v in zip(part, vals) if v != str(n)]
    finally:
        c.close()
    return out


def switchovers(setup, coordinated, count, args):
    ready = setup.wait_ready(args.timeout)
    base = setup.sync_counts()
    conns = [Resp(s.port, timeout=args.timeout) for s in setup.sentinels]
    writer = Writer([s.port for s in setup.sentinels], args.timeout)
    recs = []
    writer.start()
    try:
        t0 = time.perf_counter()
        while len(writer.acked) < 100:
            if not writer.is_alive() or time.perf_counter() - t0 > args.timeout:
                raise RuntimeError(f"writer: {len(writer.acked)} writes acknowledged after "
                                   f"{time.perf_counter() - t0:.1f}s, errors {dict(writer.errors)}")
            time.sleep(POLL)
        for i in range(count):
            old = master_addr(conns[i % SENTINELS])
            t0 = time.perf_counter()
            wait_s, attempts, refusals = failover_command(conns[i % SENTINELS], coordinated, args.timeout)
            t1 = time.perf_counter()
            new = wait_switched(conns, old, args.timeout)
            t2 = time.perf_counter()
            recs.append({"s": t2 - t1, "accept_wait_s": wait_s, "attempts": attempts,
                         "refusals": refusals, "from": old[1], "to": new[1],
                         "max_write_gap_s": writer.max_gap(t0)})
            log(f"[sentinel switchover {i + 1}/{count}] {old[1]} -> {new[1]} in "
                f"{t2 - t1:.3f}s (FAILOVER accepted after {wait_s:.3f}s, {attempts} attempts), "
                f"{len(writer.acked)} writes acknowledged")
        time.sleep(0.5)  # writes on the final master too
    finally:
        writer.stop()
        for c in conns:
            c.close()
    c = Resp(setup.sentinels[0].port)
    try:
        final = master_addr(c)
    finally:
        c.close()
    settle_s, unsettled = settle(setup, final[1], args.settle)
    lost = missing(final[1], writer.acked)
    syncs = setup.sync_counts()
    out = {"ready_s": ready, "switchovers": recs, "acked": len(writer.acked), "lost": len(lost),
           "lost_first": lost[:20], "writer_errors": dict(writer.errors), "settle_s": settle_s,
           "unsettled": unsettled,
           "sync_full": syncs["sync_full"] - base["sync_full"],
           "sync_partial_ok": syncs["sync_partial_ok"] - base["sync_partial_ok"],
           "sync_partial_err": syncs["sync_partial_err"] - base["sync_partial_err"],
           "sync_full_initial": base["sync_full"],
           "s_median": median([r["s"] for r in recs]), "s_max": max(r["s"] for r in recs),
           "max_write_gap_s": max((r["max_write_gap_s"] or 0) for r in recs)}
    # Why only COORDINATED: losses and full resyncs of the plain failover
    # are expected (the contrast), not something to look into.
    if coordinated and (out["lost"] or out["sync_full"] or unsettled):
        out["kept"] = setup.keep(f"lost {out['lost']} acknowledged writes, {out['sync_full']} full "
                                 f"resyncs, {unsettled or 'settled'}")
    return out


def run_switchovers(servers, args):
    binaries = dict(servers)
    out = {}
    for mode in args.modes:
        impl, coordinated = MODES[mode]
        count = args.switchovers if coordinated else args.plain_switchovers
        log(f"[sentinel coordinated-switchover] {mode}: {count} switchovers")
        r = in_round(f"{mode}-sw", binaries[impl], args, lambda s: switchovers(s, coordinated, count, args))
        if "error" not in r:
            log(f"[sentinel coordinated-switchover] {mode}: {r['acked']} acknowledged, {r['lost']} lost, "
                f"{r['sync_full']} full / {r['sync_partial_ok']} partial resyncs, errors {r['writer_errors']}")
        out[mode] = r
    return out


# ---- the run and its rows -----------------------------------------------------

def ft_summary(rounds):
    ok = [r for r in rounds if "s" in r]
    return {"median_s": median([r["s"] for r in ok]), "max_s": max((r["s"] for r in ok), default=None),
            "first_median_s": median([r["first_s"] for r in ok]), "ok": len(ok), "failed": len(rounds) - len(ok),
            "errors": [r["error"] for r in rounds if "error" in r]}


def run(args):
    common.check_binaries(args.vireo, args.redis)
    servers = (("vireo", args.vireo), ("redis", args.redis))
    res = {"tool": "sentinel", "machine": common.machine_info(), "parts": args.parts, "hz": args.hz,
           "rounds": args.rounds, "switchovers": args.switchovers,
           "plain_switchovers": args.plain_switchovers, "modes": args.modes,
           "down_after_ms": DOWN_AFTER_MS, "failover_timeout_ms": FAILOVER_TIMEOUT_MS,
           "server_cpu": common.SERVER_CPU, "client_cpu": common.CLIENT_CPU}
    t0 = time.perf_counter()
    saved = os.sched_getaffinity(0)
    try:
        client_cpu()
        if "failover-time" in args.parts:
            ft = run_failover_time(servers, args)
            ft["summary"] = {n: ft_summary(rs) for n, rs in ft["rounds"].items()}
            s = ft["summary"]
            ft["ratio_median"] = common.ratio(s["vireo"]["median_s"], s["redis"]["median_s"])
            res["failover_time"] = ft
        if "coordinated-switchover" in args.parts:
            res["switchover"] = run_switchovers(servers, args)
    finally:
        os.sched_setaffinity(0, saved)
    res["elapsed_s"] = time.perf_counter() - t0
    return res


# ---- rendering ----------------------------------------------------------------

def fmt_s(v):
    return fmt_num(v, 3)


def render(res):
    out = []
    ft = res.get("failover_time")
    if ft:
        s = ft["summary"]
        v, r = s["vireo"], s["redis"]
        ok = met_median(ft)
        rows = [["failover time: SIGKILL of the master -> all 3 sentinels report the new address, "
                 "median, s", fmt_s(v["median_s"]), fmt_s(r["median_s"]), fmt_ratio(ft["ratio_median"]),
                 "<= 1.00: " + ("—" if ok is None else "met" if ok else "**NOT met**")],
                ["the same, max, s", fmt_s(v["max_s"]), fmt_s(r["max_s"]),
                 fmt_ratio(common.ratio(v["max_s"], r["max_s"])), "—"],
                ["SIGKILL -> the first sentinel reports it, median, s", fmt_s(v["first_median_s"]),
                 fmt_s(r["first_median_s"]), fmt_ratio(common.ratio(v["first_median_s"], r["first_median_s"])), "—"],
                ["rounds completed / failed", f"{v['ok']} / {v['failed']}", f"{r['ok']} / {r['failed']}", "", "—"]]
        out += [common.md_table(["measure", "vireo", "redis", "vireo/redis", "target"], rows), ""]
        out.append(f"1 master + {REPLICAS} replicas + {SENTINELS} sentinels of one binary, quorum 2, "
                   f"down-after-milliseconds {res['down_after_ms']}, failover-timeout {res['failover_timeout_ms']}; "
                   f"{res['rounds']} round{'s' if res['rounds'] != 1 else ''} (vireo, redis; then redis, vireo; ...), "
                   "a fresh setup each, started when every sentinel knows 2 replicas and 2 other sentinels; "
                   "GET-MASTER-ADDR-BY-NAME polled every 10 ms; ratio = vireo's median / redis's."
                   + "".join(f" Vireo round failed: {e[:300]}" for e in v["errors"]))
        out.append("")
    sw = res.get("switchover")
    if sw:
        rows = []
        for mode, r in sw.items():
            if "error" in r:
                rows.append([mode, f"FAILED: {r['error'][:200]} (logs: {r.get('kept')})"] + [""] * 6)
                continue
            rows.append([mode, str(len(r["switchovers"])), f"{fmt_s(r['s_median'])} / {fmt_s(r['s_max'])}",
                         fmt_s(r["max_write_gap_s"]), f"{fmt_num(r['lost'])} of {fmt_num(r['acked'])}",
                         fmt_num(r["sync_full"]), fmt_num(r["sync_partial_ok"]), fmt_s(r["settle_s"])])
        out += [common.md_table(["mode", "switchovers", "FAILOVER -> all switched, median / max, s",
                                 "longest write gap, s", "acknowledged writes lost", "full resyncs",
                                 "partial resyncs", "settle, s"], rows), ""]
        out.append("A writer does `SET k:<n> <n>` + `WAIT 1 100` on the master the sentinels name (a write "
                   "counts once WAIT says >= 1 replica has it; on an error, READONLY, a lost connection or "
                   "WAIT 0 it asks again and retries the same n) while `SENTINEL FAILOVER mymaster "
                   "[COORDINATED]` is sent to sentinel i % 3, each switchover complete when all 3 report the "
                   "new address without failover_in_progress. Then the data nodes settle (one master, two "
                   "linked replicas at its offset; 'settle' is that wait), lost = acknowledged k:<n> missing "
                   "on the final master; resyncs = INFO stats sync_full / sync_partial_ok summed over the 3 "
                   "nodes, minus their values before the loop (the 2 initial full syncs). Targets for "
                   "vireo-coordinated: 0 lost, 0 full resyncs; the plain failover rows are the contrast.")
        out.append("")
    return "\n".join(out) + "\n"


def met_median(ft):
    q = ft.get("ratio_median")
    return None if q is None else q <= 1.0


def targets(res):
    """Issue 11's targets: [(target, measured, met)], met None when not measured."""
    res = res or {}
    out = []
    name = "failover time (SIGKILL of the master -> all 3 sentinels report the new address), median <= Redis's"
    ft = res.get("failover_time")
    if not ft:
        out.append((name, NOT_MEASURED, None))
    else:
        s = ft["summary"]
        out.append((name, f"{fmt_s(s['vireo']['median_s'])} vs {fmt_s(s['redis']['median_s'])} s, "
                    f"{fmt_ratio(ft['ratio_median'])}", met_median(ft)))
    r = (res.get("switchover") or {}).get("vireo-coordinated")
    for key, what in (("lost", "acknowledged writes lost"), ("sync_full", "full resyncs")):
        name = f"SENTINEL FAILOVER COORDINATED, {res.get('switchovers', 20)} switchovers under writes: {what} = 0"
        if r is None:
            out.append((name, NOT_MEASURED, None))
        elif "error" in r:
            out.append((name, f"failed: {r['error'][:120]}", False))
        else:
            plain = ", ".join(f"{m} {fmt_num(x[key])}" for m, x in res["switchover"].items()
                              if m != "vireo-coordinated" and "error" not in x)
            out.append((name, fmt_num(r[key]) + (f" (plain: {plain})" if plain else ""), r[key] == 0))
    return out


def add_args(ap):
    common.add_server_args(ap)
    ap.add_argument("--rounds", type=int, default=5, help="failover-time rounds")
    ap.add_argument("--switchovers", type=int, default=20, help="of the COORDINATED mode")
    ap.add_argument("--plain-switchovers", type=int, default=0,
                    help="of the plain failover modes (default: --switchovers; --quick: 1)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma list of: " + ", ".join(MODES))
    ap.add_argument("--hz", type=int, default=10, help="of the data nodes")
    ap.add_argument("--timeout", type=float, default=60, help="per failover / switchover / readiness, s")
    ap.add_argument("--settle", type=float, default=60, help="s for the data nodes to settle at the end")
    ap.add_argument("--only", default="", help="comma list of: " + ", ".join(PARTS))
    ap.add_argument("--keep", action="store_true", help="keep every setup's logs, not only failed ones")
    ap.add_argument("--quick", action="store_true", help="1 round, 3 COORDINATED switchovers, 1 plain "
                    "one per mode (smoke, under 60 s)")
    ap.add_argument("--json", default="", help="also write raw results to this file (/dev/stdout: print)")


def fix_args(args):
    args.parts = common.select_ids(args.only, PARTS)
    args.modes = common.select_ids(args.modes, MODES, "--modes")
    if args.quick:
        args.rounds = 1
        if args.switchovers == 20:
            args.switchovers = 3
        # Why 1: a plain switchover's run ends waiting ~9 s for the old
        # master to be converted (Redis's 8 s +convert-to-slave delay).
        args.plain_switchovers = args.plain_switchovers or 1
    args.plain_switchovers = args.plain_switchovers or args.switchovers
    if min(args.rounds, args.switchovers, args.plain_switchovers) < 1:
        raise SystemExit("--rounds and --(plain-)switchovers must be >= 1")


def main():
    common.tool_main(sys.modules[__name__])


if __name__ == "__main__":
    main()
