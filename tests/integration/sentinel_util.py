"""Helpers of the Sentinel tests (issue 11): test_sentinel.py,
test_sentinel_failover.py and test_sentinel_interop.py. Owned by those three
files.

A SentinelCluster is a master, N replicas and M sentinels on free 127.0.0.1
ports, each in its own directory under the test's tmp_path:

- data nodes are repl_mixed_util.Node (server_factory: killed by PID at
  teardown; restartable in the same dir on the same port), of `data_bin`;
- sentinels are `<binary> <dir>/sentinel.conf --sentinel` (how a sentinel of
  either redis-server or vireo-server is started), through the `procs`
  fixture (killed by PID at teardown), each with a sentinel.conf written
  here: port, bind, `sentinel monitor mymaster 127.0.0.1 <port> <quorum>`,
  down-after-milliseconds, failover-timeout, parallel-syncs and any extra
  lines a test needs.

`fast=True` then shortens the sentinels' internal periods with SENTINEL
DEBUG, as Redis's own tests/sentinel does, so that discovery, failover and
the reconfiguration of a returning old master take seconds instead of tens
of seconds (why: +convert-to-slave waits 4 publish periods, 8 s by default).

Every wait is a poll with a deadline scaled by SLOW, never a bare sleep.
Events are collected by an EventLog: a PSUBSCRIBE * connection to a
sentinel read by a background thread.
"""
import contextlib
import os
import signal
import socket
import threading

import redis

from integ_util import (SLOW, VIREO_BIN, Closed, Raw, RespError, free_port, wait_exit,
                        wait_port)
import repl_mixed_util as rm
import repl_util as ru

HOST = "127.0.0.1"
NAME = "mymaster"
DOWN_AFTER = 1000
FAILOVER_TIMEOUT = 10000
# SENTINEL DEBUG values of fast mode (milliseconds; Redis's defaults are
# info 10000, publish 2000, ask 1000, ping 1000). why publish 750: a sentinel
# turns a replica that reports role master back into a replica after 4
# publish periods (3 s here); the leader of a manual failover must have told
# the others about the promotion before that, and during a failover it only
# sends INFO every second.
FAST_PERIODS = ("info-period", 500, "publish-period", 750, "ask-period", 250,
                "ping-period", 250)


def pairs(flat):
    """A flat [k1, v1, k2, v2, ...] reply as an (ordered) dict."""
    return dict(zip(flat[0::2], flat[1::2]))


def poll(pred, what, timeout=20.0, step=0.05):
    """repl_util.poll, with any connection / reply error of `pred` (a
    sentinel being restarted, a raw socket refused) counting as false."""
    def safe():
        try:
            return pred()
        except (redis.exceptions.RedisError, OSError, Closed):
            return None
    return ru.poll(safe, what, timeout, step)


def conf_text(port, master_port, quorum=2, down_after=DOWN_AFTER,
              failover_timeout=FAILOVER_TIMEOUT, parallel_syncs=1, extra=(), name=NAME):
    """The sentinel.conf a test writes. `extra` lines come before the
    monitor line (global options such as resolve-hostnames must be read
    first) unless they start with 'sentinel auth-' / name-specific options,
    which need the master already declared: those go after it."""
    lines = ["port %d" % port, "bind %s" % HOST]
    late = []
    for line in extra:
        words = line.split()
        if len(words) >= 3 and words[0] == "sentinel" and words[2] == name:
            late.append(line)
        else:
            lines.append(line)
    if master_port is not None:
        lines += ["sentinel monitor %s %s %d %d" % (name, HOST, master_port, quorum),
                  "sentinel down-after-milliseconds %s %d" % (name, down_after),
                  "sentinel failover-timeout %s %d" % (name, failover_timeout),
                  "sentinel parallel-syncs %s %d" % (name, parallel_syncs)]
    return "\n".join(lines + late) + "\n"


class Sentinel:
    """One sentinel process; survives its own restarts (same dir, port and
    config file, which the sentinel rewrites)."""

    def __init__(self, procs, binary, d, text=None, port=None, password=None, fast=False,
                 name="sentinel"):
        os.makedirs(str(d), exist_ok=True)
        self.procs = procs
        self.binary = binary
        self.dir = str(d)
        self.conf = os.path.join(self.dir, "sentinel.conf")
        self.port = port
        self.password = password
        self.fast = fast
        self.name = name
        self.proc = None
        if text is not None:
            with open(self.conf, "w") as f:
                f.write(text)

    def start(self, wait=True):
        self.proc = self.procs.start([self.binary, self.conf, "--sentinel"], cwd=self.dir,
                                     log_name="sentinel.log")
        self.pid = self.proc.pid
        if wait:
            wait_port(self.port, self.proc)
            if self.fast:
                self.debug(*FAST_PERIODS)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL, reaped."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            wait_exit(self.proc)

    def restart(self):
        self.kill()
        return self.start()

    def log(self):
        with open(os.path.join(self.dir, "sentinel.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def config_file(self):
        with open(self.conf) as f:
            return f.read()

    # -- commands -----------------------------------------------------------
    def client(self, **kw):
        return redis.Redis(host=HOST, port=self.port, decode_responses=True,
                           socket_timeout=10 * SLOW, password=self.password,
                           single_connection_client=True, **kw)

    def cmd(self, *args):
        """One command, decoded reply (redis-py raises ResponseError)."""
        c = self.client()
        try:
            c.set_response_callback(str(args[0]).upper(), lambda r, **kw: r)
            return c.execute_command(*args)
        finally:
            c.close()

    def call(self, *args):
        """One command on a raw connection: the reply exactly as sent, error
        replies as str "-<text>" (redis-py would strip the error code)."""
        with Raw(self.port) as c:
            if self.password:
                assert c.call("AUTH", self.password) == b"OK"
            rep = c.call(*args)
        if isinstance(rep, RespError):
            return "-" + rep.decode()
        return rep

    def sentinel(self, *args):
        return self.cmd("SENTINEL", *args)

    def debug(self, *args):
        assert self.sentinel("DEBUG", *args) == "OK"

    def master(self, name=NAME):
        return pairs(self.sentinel("MASTER", name))

    def replicas(self, name=NAME):
        return [pairs(r) for r in self.sentinel("REPLICAS", name)]

    def sentinels(self, name=NAME):
        return [pairs(r) for r in self.sentinel("SENTINELS", name)]

    def addr(self, name=NAME):
        a = self.sentinel("GET-MASTER-ADDR-BY-NAME", name)
        return None if a is None else (a[0], int(a[1]))

    def myid(self):
        return self.sentinel("MYID")

    def info(self, section=None):
        c = self.client()
        try:
            c.set_response_callback("INFO", lambda r, **kw: r)
            return c.execute_command("INFO", *([section] if section else []))
        finally:
            c.close()


class EventLog:
    """PSUBSCRIBE * on a sentinel, read by a thread: every event as
    (channel, payload). Stopped by close() (shutdown of the socket)."""

    def __init__(self, sentinel, pattern="*"):
        self.name = sentinel.name
        self.conn = Raw(sentinel.port, timeout=3600)
        if sentinel.password:
            assert self.conn.call("AUTH", sentinel.password) == b"OK"
        rep = self.conn.call("PSUBSCRIBE", pattern)
        assert rep == [b"psubscribe", pattern.encode(), 1], rep
        self.events = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            try:
                m = self.conn.read_reply()
            except (Closed, OSError):
                return
            if isinstance(m, list) and len(m) == 4 and m[0] == b"pmessage":
                with self.lock:
                    self.events.append((m[2].decode(), m[3].decode()))

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=5)
        self.conn.close()

    def all(self):
        with self.lock:
            return list(self.events)

    def names(self):
        return [ch for ch, _ in self.all()]

    def of(self, channel):
        """Payloads of `channel` so far."""
        return [p for ch, p in self.all() if ch == channel]

    def wait(self, channel, contains="", timeout=30.0):
        """The first payload of `channel` containing `contains`."""
        def find():
            for p in self.of(channel):
                if contains in p:
                    return p
            return None
        return poll(find, lambda: "%s: no %s %r event; got %r" % (
            self.name, channel, contains, self.all()[-40:]), timeout)


class SentinelCluster:
    """A master, replicas and sentinels (see the module comment)."""

    def __init__(self, server_factory, procs, tmp_path, replicas=2, sentinels=3, quorum=2,
                 data_bin=VIREO_BIN, sentinel_bins=None, down_after=DOWN_AFTER,
                 failover_timeout=FAILOVER_TIMEOUT, parallel_syncs=1, sentinel_extra=(),
                 data_args=(), replica_args=None, fast=True, events=True, password=None,
                 start_sentinels=True):
        self.tmp = tmp_path
        self.procs = procs
        self.quorum = quorum
        self.master = rm.Node(server_factory, data_bin, tmp_path / "master", data_args)
        self.replicas = []
        for i in range(replicas):
            args = replica_args[i] if replica_args else data_args
            self.replicas.append(rm.Node(server_factory, data_bin, tmp_path / ("replica%d" % i),
                                         args))
        self.nodes = [self.master] + self.replicas
        for r in self.replicas:
            self.replicaof(r, self.master)
        for r in self.replicas:
            self.wait_replica_of(r, self.master)
        bins = sentinel_bins or [VIREO_BIN] * sentinels
        self.sentinels = []
        for i, b in enumerate(bins):
            port = free_port_not(self.used_ports())
            s = Sentinel(procs, b, tmp_path / ("sentinel%d" % i),
                         conf_text(port, self.master.port, quorum, down_after, failover_timeout,
                                   parallel_syncs, sentinel_extra),
                         port=port, password=password, fast=fast, name="sentinel%d" % i)
            self.sentinels.append(s)
        self.events = {}
        self.want_events = events
        if start_sentinels:
            self.start_sentinels()

    def used_ports(self):
        return {n.port for n in self.nodes} | {s.port for s in getattr(self, "sentinels", [])}

    def replicaof(self, replica, master):
        """REPLICAOF through a client that authenticates if the data nodes
        have a requirepass."""
        c = node_client(replica)
        try:
            assert c.execute_command("REPLICAOF", HOST, master.port) in ("OK", b"OK", True)
        finally:
            c.close()
        replica.replicaof_args = ["--replicaof", HOST, str(master.port)]

    def start_sentinels(self):
        for s in self.sentinels:
            s.start()
            if self.want_events:
                self.events[s.name] = EventLog(s)

    def close(self):
        for e in self.events.values():
            e.close()

    # -- lookups ------------------------------------------------------------
    def alive_sentinels(self):
        return [s for s in self.sentinels if s.alive()]

    def node_at(self, port):
        for n in self.nodes:
            if n.port == port:
                return n
        raise KeyError(port)

    # -- waits --------------------------------------------------------------
    def wait_discovery(self, replicas=None, sentinels=None, among=None, timeout=30.0):
        """Every sentinel (of `among`) sees `replicas` replicas and
        `sentinels` other sentinels (SENTINEL MASTER num-slaves /
        num-other-sentinels)."""
        among = among or self.alive_sentinels()
        want_r = len(self.replicas) if replicas is None else replicas
        want_s = len(among) - 1 if sentinels is None else sentinels

        def seen():
            return all(int(m["num-slaves"]) == want_r and
                       int(m["num-other-sentinels"]) == want_s
                       for m in (s.master() for s in among))
        poll(seen, lambda: "discovery incomplete: %r" % [
            (s.name, s.master().get("num-slaves"), s.master().get("num-other-sentinels"))
            for s in among], timeout)

    def wait_addr_changed(self, old_port, among=None, timeout=60.0):
        """Every sentinel (of `among`) reports a master other than
        old_port, the same on all; returns the new master's Node."""
        among = among or self.alive_sentinels()

        def changed():
            addrs = {s.addr() for s in among}
            if len(addrs) == 1:
                (a,) = addrs
                if a[1] != old_port:
                    return a
            return None
        addr = poll(changed, lambda: "master address still %d on some sentinel: %r" % (
            old_port, [(s.name, s.addr()) for s in among]), timeout)
        assert addr[0] == HOST
        return self.node_at(addr[1])

    def wait_replica_of(self, node, master, timeout=40.0):
        """`node` is a replica of `master` with its link up."""
        def ok():
            i = node_info(node)
            return (i.get("role") == "slave" and i.get("master_port") == str(master.port)
                    and i.get("master_link_status") == "up")
        poll(ok, lambda: "%s is not a replica of %s: %r" % (
            node.name, master.name, node_info(node)), timeout)

    def wait_replicas_settled(self, master, timeout=30.0):
        """Every sentinel sees every other data node as a replica of
        `master` reporting role slave with its link up. (A manual failover
        asked before that can be undone: a sentinel that still sees the
        chosen replica as a wrongly-configured master sends it REPLICAOF
        again, and the promotion times out.)"""
        want = {n.port for n in self.nodes if n is not master}

        def settled(s):
            reps = {int(r["port"]): r for r in s.replicas()}
            return set(reps) == want and all(
                (r["flags"], r["role-reported"], r["master-link-status"], r["master-port"]) ==
                ("slave", "slave", "ok", str(master.port)) for r in reps.values())
        poll(lambda: all(settled(s) for s in self.alive_sentinels()),
             lambda: "replicas not settled: %r" % [(s.name, s.replicas())
                                                   for s in self.alive_sentinels()], timeout)

    def wait_links_up(self, timeout=20.0):
        """Every sentinel's links are connected and the replicas have
        answered INFO: flags exactly master / slave / sentinel (a
        just-discovered instance is "disconnected" until the sentinel's
        next timer tick connects it)."""
        def up(s):
            return (s.master()["flags"] == "master" and
                    # (master-host is "?" until the replica's first INFO)
                    all(r["flags"] == "slave" and r["master-host"] != "?"
                        for r in s.replicas()) and
                    all(x["flags"] == "sentinel" for x in s.sentinels()))
        poll(lambda: all(up(s) for s in self.alive_sentinels()),
             lambda: "links not up: %r" % [(s.name, s.master()["flags"],
                                           [r["flags"] for r in s.replicas()],
                                           [x["flags"] for x in s.sentinels()])
                                          for s in self.alive_sentinels()], timeout)

    def wait_failover_end(self, among=None, timeout=40.0):
        """No sentinel has a failover in progress (no failover-state field)."""
        among = among or self.alive_sentinels()
        poll(lambda: all("failover-state" not in s.master() for s in among),
             "a failover is still in progress", timeout)


def node_client(node):
    """A decoded client of a data node; authenticates with the node's
    --requirepass argument if it has one."""
    pw = None
    if "--requirepass" in node.args:
        pw = node.args[node.args.index("--requirepass") + 1]
    return redis.Redis(host=HOST, port=node.port, password=pw, decode_responses=True,
                       socket_timeout=10 * SLOW, single_connection_client=True)


def free_port_not(used):
    """A free port not in `used` (ports of nodes started but not listening
    yet could otherwise be handed out twice)."""
    while True:
        p = free_port()
        if p not in used:
            return p


def node_info(node, section="replication"):
    """INFO <section> of a data node as {field: str}."""
    c = node_client(node)
    try:
        c.set_response_callback("INFO", lambda r, **kw: r)
        raw = c.execute_command("INFO", section)
    finally:
        c.close()
    return dict(line.split(":", 1) for line in raw.splitlines()
                if line and not line.startswith("#") and ":" in line)


def role(node):
    return node_info(node)["role"]


@contextlib.contextmanager
def running(server_factory, procs, tmp_path, discover=True, **kw):
    """A SentinelCluster (arguments as its constructor), after discovery
    unless discover=False; its event logs closed at the end."""
    cl = SentinelCluster(server_factory, procs, tmp_path, **kw)
    try:
        if discover:
            cl.wait_discovery()
        yield cl
    finally:
        cl.close()


# ---------------------------------------------------------------------------
# Event payloads (sentinelEvent's "%@": the instance, then for a replica or
# a sentinel "@ <master name> <master ip> <master port>")
# ---------------------------------------------------------------------------

def master_text(port, name=NAME):
    return "master %s %s %d" % (name, HOST, port)


def slave_text(port, master_port, name=NAME):
    return "slave %s:%d %s %d @ %s %s %d" % (HOST, port, HOST, port, name, HOST, master_port)


def sentinel_text(runid, port, master_port, name=NAME):
    return "sentinel %s %s %d @ %s %s %d" % (runid, HOST, port, name, HOST, master_port)


def sentinel_lines(text):
    """The `sentinel ...` lines of a config file, in file order."""
    return [line for line in text.splitlines() if line.startswith("sentinel ")]


# The leader's events of one failover, in order (others may come between).
LEADER_SEQUENCE = ["+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader",
                   "+elected-leader", "+failover-state-select-slave", "+selected-slave",
                   "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion",
                   "+promoted-slave", "+failover-state-reconf-slaves", "+slave-reconf-sent",
                   "+slave-reconf-inprog", "+slave-reconf-done", "+failover-end",
                   "+switch-master"]


def is_subsequence(want, got):
    it = iter(got)
    return all(any(w == g for g in it) for w in want)


def check_failover_events(cl, old, new, epoch=1, sdown=True):
    """After a failover from port `old` to Node `new` decided by the
    sentinels' vote: exactly one leader, whose events follow
    LEADER_SEQUENCE; every sentinel announced +switch-master; the others
    learned the new configuration from the leader (+config-update-from).
    Returns the leader's EventLog."""
    switch = "%s %s %d %s %d" % (NAME, HOST, old, HOST, new.port)
    for ev in cl.events.values():
        ev.wait("+switch-master", switch)
    leaders = [ev for ev in cl.events.values() if ev.of("+elected-leader")]
    assert len(leaders) == 1, {n: ev.names() for n, ev in cl.events.items()}
    leader = leaders[0]
    seq = LEADER_SEQUENCE if sdown else LEADER_SEQUENCE[2:]
    assert is_subsequence(seq, leader.names()), leader.all()
    assert leader.of("+elected-leader") == [master_text(old)]
    assert leader.of("+selected-slave") == [slave_text(new.port, old)]
    assert leader.of("+promoted-slave") == [slave_text(new.port, old)]
    assert leader.of("+new-epoch") == [str(epoch)]
    assert leader.of("+failover-end") == [master_text(old)]
    leader_id = [s for s in cl.sentinels if s.name == leader.name][0].myid()
    assert leader.of("+vote-for-leader") == ["%s %d" % (leader_id, epoch)]
    if sdown:
        assert leader.of("+odown")[0].startswith(master_text(old) + " #quorum ")
    for ev in cl.events.values():
        if ev is not leader:
            assert ev.wait("+config-update-from").startswith("sentinel %s " % leader_id)
            if sdown:
                assert master_text(old) in ev.of("+sdown")
    return leader
