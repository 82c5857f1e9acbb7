"""Sentinel mode without failovers (issue 11): start-up checks, the command
table, INFO / ROLE, every SENTINEL subcommand's reply shape and error text,
SENTINEL SET / CONFIG SET / MONITOR / REMOVE and what they write into the
config file, myid persistence, discovery of replicas and of the other
sentinels, hello messages, client names on the data nodes, +slave /
+sentinel events, and authentication (auth-pass towards the data nodes,
requirepass / sentinel-pass between sentinels).

Ported from Redis 7.0.15's tests/sentinel/tests (00-base, 03-runtime-reconf,
06-ckquorum, 09-acl-support, 10-replica-priority, 11-port-0, 13-info-command,
includes/start-init-tests); the expected texts are sentinel.c's. Failovers
are in test_sentinel_failover.py, mixed binaries in test_sentinel_interop.py.
Helpers: sentinel_util.py. Run with VIREO_BIN=/usr/bin/redis-server to
validate. Replies that are hash-ordered in Redis are compared as sets.
"""
import collections
import os
import shutil
import tempfile

import pytest
import redis

import sentinel_util as su
from integ_util import VIREO_BIN, Raw, wait_exit
from sentinel_util import HOST, NAME

MASTER_FIELDS = ["name", "ip", "port", "runid", "flags", "link-pending-commands",
                 "link-refcount", "last-ping-sent", "last-ok-ping-reply", "last-ping-reply",
                 "down-after-milliseconds", "info-refresh", "role-reported",
                 "role-reported-time", "config-epoch", "num-slaves", "num-other-sentinels",
                 "quorum", "failover-timeout", "parallel-syncs"]
REPLICA_FIELDS = ["name", "ip", "port", "runid", "flags", "link-pending-commands",
                  "link-refcount", "last-ping-sent", "last-ok-ping-reply", "last-ping-reply",
                  "down-after-milliseconds", "info-refresh", "role-reported",
                  "role-reported-time", "master-link-down-time", "master-link-status",
                  "master-host", "master-port", "slave-priority", "slave-repl-offset",
                  "replica-announced"]
SENTINEL_FIELDS = ["name", "ip", "port", "runid", "flags", "link-pending-commands",
                   "link-refcount", "last-ping-sent", "last-ok-ping-reply", "last-ping-reply",
                   "down-after-milliseconds", "last-hello-message", "voted-leader",
                   "voted-leader-epoch"]
# why 15 / this list: 00-base.tcl "Sentinel commands sanity check" (72 names
# with the subcommands): only these exist in sentinel mode.
COMMANDS = {"shutdown", "psubscribe", "punsubscribe", "client", "hello", "ping", "role",
            "info", "auth", "unsubscribe", "subscribe", "command", "acl", "publish",
            "sentinel"}
SENTINEL_SUBCOMMANDS = {"is-master-down-by-addr", "replicas", "reset", "ckquorum", "failover",
                        "simulate-failure", "pending-scripts", "myid", "flushconfig",
                        "monitor", "set", "info-cache", "help", "slaves", "config",
                        "get-master-addr-by-name", "remove", "master", "masters", "debug",
                        "sentinels"}
NO_SUCH_MASTER = "-ERR No such master with that name"
SCRIPTS_DENIED = ("-ERR Reconfiguration of scripts path is denied for security reasons. "
                  "Check the deny-scripts-reconfig configuration directive in your "
                  "Sentinel configuration")


@pytest.fixture
def cluster(server_factory, procs, tmp_path):
    """Master, 2 replicas, 3 sentinels (quorum 2), all discovered."""
    with su.running(server_factory, procs, tmp_path) as cl:
        yield cl


@pytest.fixture
def solo(server_factory, procs, tmp_path):
    """Master, 1 replica, 1 sentinel (quorum 1)."""
    with su.running(server_factory, procs, tmp_path, replicas=1, sentinels=1,
                    quorum=1) as cl:
        yield cl


def arity(sub):
    return "-ERR wrong number of arguments for 'sentinel|%s' command" % sub


# ---------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------

def test_no_config_file_exits(procs, tmp_path):
    # why this text: sentinelCheckConfigFile(), not "started without a
    # config file" (the state must be saved somewhere)
    p = procs.start([VIREO_BIN, "--sentinel"], cwd=str(tmp_path))
    assert wait_exit(p) == 1
    with open(p.log_path) as f:
        log = f.read()
    assert "Sentinel needs config file on disk to save state. Exiting..." in log, log


def test_config_file_not_writable_exits(procs):
    # The file is read-only for the user running the sentinel. As root
    # access(W_OK) always succeeds, so the sentinel runs as nobody there.
    d = tempfile.mkdtemp(prefix="vireo-sentinel-ro-")
    try:
        os.chmod(d, 0o755)
        conf = os.path.join(d, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(su.conf_text(su.free_port(), None))
        os.chmod(conf, 0o444)
        argv = [VIREO_BIN, conf, "--sentinel"]
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if not setpriv:
                pytest.skip("running as root without setpriv")
            argv = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        p = procs.start(argv, cwd=d)
        assert wait_exit(p) == 1
        with open(p.log_path) as f:
            log = f.read()
        want = ("Sentinel config file %s is not writable: Permission denied. Exiting..."
                % conf)
        assert want in log, log
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------
# Command table, INFO, ROLE
# ---------------------------------------------------------------------------

def test_command_table_and_unknown_commands(solo):
    s = solo.sentinels[0]
    assert s.call("COMMAND", "COUNT") == 15
    names = {n.decode() for n in s.call("COMMAND", "LIST")}
    assert {n for n in names if "|" not in n} == COMMANDS
    assert {n.split("|")[1] for n in names if n.startswith("sentinel|")} == SENTINEL_SUBCOMMANDS
    assert len(names) == 72
    # why the trailing space: Redis's unknown-command text lists each
    # argument as "'arg' "
    assert s.call("GET", "x") == "-ERR unknown command 'GET', with args beginning with: 'x' "
    assert s.call("SET", "k", "v") == \
        "-ERR unknown command 'SET', with args beginning with: 'k' 'v' "
    assert s.call("CONFIG", "GET", "port") == \
        "-ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' "
    assert s.call("PUBLISH", "foo", "bar") == \
        "-ERR Only HELLO messages are accepted by Sentinel instances."
    assert s.call("SENTINEL", "FOO") == "-ERR unknown subcommand 'FOO'. Try SENTINEL HELP."
    for sub in ("MASTER", "REPLICAS", "SLAVES", "SENTINELS", "CKQUORUM", "REMOVE", "FAILOVER",
                "RESET", "GET-MASTER-ADDR-BY-NAME"):
        assert s.call("SENTINEL", sub) == arity(sub.lower()), sub
    assert s.call("SENTINEL", "MYID", "x") == arity("myid")
    assert s.call("SENTINEL", "MASTERS", "x") == arity("masters")
    assert s.call("SENTINEL", "MONITOR", "a", HOST, 1) == arity("monitor")
    assert s.call("SENTINEL", "SET", NAME) == arity("set")
    assert s.call("SENTINEL", "CONFIG") == arity("config")
    helptext = [l.decode() for l in s.call("SENTINEL", "HELP")]
    assert helptext[0] == "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert helptext[-2:] == ["HELP", "    Prints this help."]
    assert "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]" in helptext
    assert len(helptext) == 49
    assert s.call("PING") == b"PONG"


def _sections(text):
    return [l[2:] for l in text.splitlines() if l.startswith("# ")]


def _fields(text):
    return [l.split(":", 1)[0] for l in text.splitlines() if l and not l.startswith("#")]


def test_info(solo):
    # 13-info-command.tcl: only Server, Clients, Stats, CPU and Sentinel
    s = solo.sentinels[0]
    everything = ["Server", "Clients", "Stats", "CPU", "Sentinel"]
    for args in ((), ("all",), ("default",), ("everything",), ("cpu", "all")):
        text = s.call("INFO", *args).decode()
        assert _sections(text) == everything, args
        assert "redis_mode:sentinel" in text.splitlines()
        for absent in ("used_memory", "rdb_last_bgsave", "master_repl_offset",
                       "cluster_enabled"):
            assert absent not in text, (args, absent)
    assert _sections(s.call("INFO", "cpu").decode()) == ["CPU"]
    assert _sections(s.call("INFO", "server", "sentinel", "replication").decode()) == \
        ["Server", "Sentinel"]
    for absent in ("keyspace", "replication", "memory", "bogus"):
        assert s.call("INFO", absent) == b"", absent
    text = s.call("INFO", "sentinel").decode()
    assert _fields(text) == ["sentinel_masters", "sentinel_tilt", "sentinel_tilt_since_seconds",
                             "sentinel_running_scripts", "sentinel_scripts_queue_length",
                             "sentinel_simulate_failure_flags", "master0"]
    info = dict(l.split(":", 1) for l in text.splitlines() if ":" in l)
    assert info["sentinel_masters"] == "1"
    assert info["sentinel_tilt"] == "0"
    assert info["sentinel_tilt_since_seconds"] == "-1"
    assert info["master0"] == "name=%s,status=ok,address=%s:%d,slaves=1,sentinels=1" % (
        NAME, HOST, solo.master.port)
    server = s.call("INFO", "server").decode()
    assert "config_file:%s" % s.conf in server.splitlines()
    assert "tcp_port:%d" % s.port in server.splitlines()


def test_role_and_hello(solo):
    s = solo.sentinels[0]
    assert s.call("ROLE") == [b"sentinel", [NAME.encode()]]
    with Raw(s.port) as c:
        hello = c.call("HELLO", "3")
        assert hello[b"mode"] == b"sentinel"
        assert hello[b"proto"] == 3
        # why a map: the instance replies are maps in RESP3 (flat in RESP2)
        m = c.call("SENTINEL", "MASTER", NAME)
        assert isinstance(m, dict) and list(m)[:3] == [b"name", b"ip", b"port"]
    assert s.call("SENTINEL", "REMOVE", NAME) == b"OK"
    assert s.call("ROLE") == [b"sentinel", []]


# ---------------------------------------------------------------------------
# Instance replies, discovery
# ---------------------------------------------------------------------------

def test_master_replicas_sentinels_replies(cluster):
    cluster.wait_links_up()
    s0 = cluster.sentinels[0]
    m = s0.master()
    assert list(m) == MASTER_FIELDS
    master_runid = cluster.master.info("server")["run_id"]
    assert (m["name"], m["ip"], m["port"], m["runid"], m["flags"]) == (
        NAME, HOST, str(cluster.master.port), master_runid, "master")
    assert (m["num-slaves"], m["num-other-sentinels"], m["quorum"]) == ("2", "2", "2")
    assert (m["down-after-milliseconds"], m["failover-timeout"], m["parallel-syncs"],
            m["config-epoch"], m["role-reported"]) == ("1000", "10000", "1", "0", "master")
    masters = s0.sentinel("MASTERS")
    assert len(masters) == 1 and list(su.pairs(masters[0])) == MASTER_FIELDS

    reps = s0.replicas()
    assert all(list(r) == REPLICA_FIELDS for r in reps)
    assert {(r["name"], r["ip"], r["port"]) for r in reps} == {
        ("%s:%d" % (HOST, n.port), HOST, str(n.port)) for n in cluster.replicas}
    for r in reps:
        assert (r["flags"], r["role-reported"], r["master-link-status"], r["master-host"],
                r["master-port"], r["slave-priority"], r["replica-announced"]) == (
            "slave", "slave", "ok", HOST, str(cluster.master.port), "100", "1")
    assert {su.pairs(r)["name"] for r in s0.sentinel("SLAVES", NAME)} == \
        {r["name"] for r in reps}

    others = s0.sentinels()
    assert all(list(x) == SENTINEL_FIELDS for x in others)
    want = {(x.myid(), str(x.port)) for x in cluster.sentinels[1:]}
    assert {(x["runid"], x["port"]) for x in others} == want
    assert all(x["name"] == x["runid"] and x["ip"] == HOST and x["flags"] == "sentinel"
               and x["voted-leader"] == "?" and x["voted-leader-epoch"] == "0"
               for x in others)
    for sub in ("MASTER", "REPLICAS", "SLAVES", "SENTINELS", "CKQUORUM", "FAILOVER",
                "REMOVE"):
        assert s0.call("SENTINEL", sub, "nope") == NO_SUCH_MASTER, sub


def test_addr_ckquorum_myid(cluster):
    s0, s1, s2 = cluster.sentinels
    assert s0.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME) == [
        HOST.encode(), str(cluster.master.port).encode()]
    assert s0.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "nope") is None
    ids = [s.myid() for s in cluster.sentinels]
    assert len(set(ids)) == 3 and all(len(i) == 40 and int(i, 16) >= 0 for i in ids)
    ok = b"OK 3 usable Sentinels. Quorum and failover authorization can be reached"
    for s in cluster.sentinels:
        assert s.call("SENTINEL", "CKQUORUM", NAME) == ok
    # 06-ckquorum.tcl
    assert s0.call("SENTINEL", "SET", NAME, "quorum", 4) == b"OK"
    assert s0.call("SENTINEL", "CKQUORUM", NAME) == (
        "-NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach the "
        "specified quorum for this master")
    assert s0.call("SENTINEL", "SET", NAME, "quorum", 1) == b"OK"
    s1.kill()
    s2.kill()
    both = ("-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the "
            "majority and authorize a failover")
    su.poll(lambda: s0.call("SENTINEL", "CKQUORUM", NAME) == both,
            lambda: "CKQUORUM: %r" % s0.call("SENTINEL", "CKQUORUM", NAME))
    assert s0.call("SENTINEL", "SET", NAME, "quorum", 2) == b"OK"
    assert s0.call("SENTINEL", "CKQUORUM", NAME) == (
        "-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the "
        "specified quorum for this master. Not enough available Sentinels to reach the "
        "majority and authorize a failover")


def test_hello_messages_and_client_names(cluster):
    c = su.node_client(cluster.master)
    p = c.pubsub()
    p.subscribe("__sentinel__:hello")
    ids = {s.myid(): s for s in cluster.sentinels}
    seen = {}

    def collect():
        m = p.get_message(timeout=0.2)
        if m and m["type"] == "message":
            f = m["data"].split(",")
            assert len(f) == 8, f
            seen[f[2]] = f
        return len(seen) == 3
    su.poll(collect, lambda: "hello messages from %r only" % list(seen), step=0)
    p.close()
    for runid, f in seen.items():
        s = ids[runid]
        # ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch
        assert f == [HOST, str(s.port), runid, "0", NAME, HOST, str(cluster.master.port), "0"]
    for node in cluster.nodes:
        cl = node_client_list(node)
        names = {e["name"] for e in cl if e["name"].startswith("sentinel-")}
        want = {"sentinel-%s-%s" % (i[:8], kind) for i in ids for kind in ("cmd", "pubsub")}
        assert names == want, node.name
        for e in cl:
            if e["name"].endswith("-pubsub"):
                assert (e["flags"], e["sub"], e["cmd"]) == ("P", "1", "subscribe")
    c.close()


def node_client_list(node):
    c = su.node_client(node)
    try:
        text = c.execute_command("CLIENT", "LIST")
    finally:
        c.close()
    if isinstance(text, list):
        return text
    return [dict(kv.split("=", 1) for kv in line.split()) for line in text.splitlines()]


def test_slave_and_sentinel_events(cluster, procs, server_factory, tmp_path):
    mport = cluster.master.port
    extra = su.rm.Node(server_factory, cluster.master.binary, tmp_path / "replica-new")
    cluster.nodes.append(extra)
    cluster.replicas.append(extra)
    cluster.replicaof(extra, cluster.master)
    for ev in cluster.events.values():
        assert ev.wait("+slave", su.slave_text(extra.port, mport)) == \
            su.slave_text(extra.port, mport)
    port = su.free_port_not(cluster.used_ports())
    s3 = su.Sentinel(procs, VIREO_BIN, tmp_path / "sentinel3",
                     su.conf_text(port, mport), port=port, fast=True, name="sentinel3")
    s3.start()
    cluster.sentinels.append(s3)
    want = su.sentinel_text(s3.myid(), port, mport)
    for ev in cluster.events.values():
        assert ev.wait("+sentinel", want) == want
    cluster.wait_discovery(replicas=3, sentinels=3)


def test_replica_announced_no_hides_replica(cluster):
    # 10-replica-priority.tcl: replica-announced no hides it from REPLICAS
    r0 = cluster.replicas[0]
    r0.config_set("replica-announced", "no")
    for s in cluster.sentinels:
        su.poll(lambda: len(s.replicas()) == 1, "%s still lists the replica" % s.name)
        assert s.master()["num-slaves"] == "2"
    r0.config_set("replica-announced", "yes")
    for s in cluster.sentinels:
        su.poll(lambda: len(s.replicas()) == 2, "%s does not list the replica" % s.name)


# ---------------------------------------------------------------------------
# Runtime configuration and the config file
# ---------------------------------------------------------------------------

def test_sentinel_config_get_set(solo):
    s = solo.sentinels[0]
    defaults = ["resolve-hostnames", "no", "announce-hostnames", "no", "announce-ip", "",
                "announce-port", "0", "sentinel-user", "", "sentinel-pass", ""]
    assert s.sentinel("CONFIG", "GET", "*") == defaults
    assert s.sentinel("CONFIG", "GET", "announce-*") == defaults[2:8]
    assert s.sentinel("CONFIG", "GET", "nomatch") == []
    for opt, val in (("resolve-hostnames", "yes"), ("announce-hostnames", "yes"),
                     ("announce-ip", "10.1.2.3"), ("announce-port", "7777"),
                     ("sentinel-user", "su"), ("sentinel-pass", "sp")):
        assert s.call("SENTINEL", "CONFIG", "SET", opt, val) == b"OK"
        assert s.sentinel("CONFIG", "GET", opt) == [opt, val]
    lines = su.sentinel_lines(s.config_file())
    # why the quotes: announce-ip is written with sdscatrepr
    for line in ('sentinel announce-ip "10.1.2.3"', "sentinel announce-port 7777",
                 "sentinel resolve-hostnames yes", "sentinel announce-hostnames yes",
                 "sentinel sentinel-user su", "sentinel sentinel-pass sp"):
        assert line in lines, (line, lines)
    for opt in ("resolve-hostnames", "announce-hostnames"):
        assert s.call("SENTINEL", "CONFIG", "SET", opt, "maybe") == \
            "-ERR Invalid value 'maybe' to SENTINEL CONFIG SET '%s'" % opt
    for bad in ("70000", "-1", "x"):
        assert s.call("SENTINEL", "CONFIG", "SET", "announce-port", bad) == \
            "-ERR Invalid value '%s' to SENTINEL CONFIG SET 'announce-port'" % bad
    assert s.call("SENTINEL", "CONFIG", "SET", "foo", "bar") == \
        "-ERR Invalid argument 'foo' to SENTINEL CONFIG SET"
    only = "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported."
    for args in (("GET",), ("foo",), ("SET", "announce-ip"), ("GET", "a", "b")):
        assert s.call("SENTINEL", "CONFIG", *args) == only, args
    assert s.call("SENTINEL", "CONFIG", "SET", "ANNOUNCE-IP", "") == b"OK"
    for opt, val in (("announce-port", "0"), ("sentinel-user", ""), ("sentinel-pass", ""),
                     ("resolve-hostnames", "no"), ("announce-hostnames", "no")):
        assert s.call("SENTINEL", "CONFIG", "SET", opt, val) == b"OK"
    assert s.sentinel("CONFIG", "GET", "*") == defaults
    lines = su.sentinel_lines(s.config_file())
    # why announce-ip "" stays: an empty announce-ip is a set (empty)
    # string, not "unset"; the yes/no options already in the file are
    # rewritten in place with their default value
    assert 'sentinel announce-ip ""' in lines
    assert "sentinel resolve-hostnames no" in lines and "sentinel announce-hostnames no" in lines
    assert not [l for l in lines if l.split()[1] in ("announce-port", "sentinel-user",
                                                     "sentinel-pass")]


def test_sentinel_set(solo):
    s = solo.sentinels[0]
    ev = solo.events[s.name]
    mport = solo.master.port
    assert s.call("SENTINEL", "SET", NAME, "quorum", 3, "down-after-milliseconds", 2000,
                  "parallel-syncs", 2, "failover-timeout", 9000, "auth-pass", "pw",
                  "auth-user", "u", "rename-command", "CONFIG", "XCONFIG",
                  "master-reboot-down-after-period", 100) == b"OK"
    m = s.master()
    assert (m["quorum"], m["down-after-milliseconds"], m["parallel-syncs"],
            m["failover-timeout"]) == ("3", "2000", "2", "9000")
    prefix = su.master_text(mport) + " "
    want = ["quorum 3", "down-after-milliseconds 2000", "parallel-syncs 2",
            "failover-timeout 9000", "auth-pass ******", "auth-user u",
            "rename-command CONFIG XCONFIG", "master-reboot-down-after-period 100"]
    su.poll(lambda: len(ev.of("+set")) == len(want), lambda: ev.all())
    assert ev.of("+set") == [prefix + w for w in want]
    lines = su.sentinel_lines(s.config_file())
    for line in ("sentinel monitor %s %s %d 3" % (NAME, HOST, mport),
                 "sentinel down-after-milliseconds %s 2000" % NAME,
                 "sentinel failover-timeout %s 9000" % NAME,
                 "sentinel parallel-syncs %s 2" % NAME, "sentinel auth-pass %s pw" % NAME,
                 "sentinel auth-user %s u" % NAME,
                 "sentinel master-reboot-down-after-period %s 100" % NAME,
                 "sentinel rename-command %s CONFIG XCONFIG" % NAME):
        assert line in lines, (line, lines)
    # errors (03-runtime-reconf.tcl)
    for opt in ("quorum", "down-after-milliseconds", "failover-timeout", "parallel-syncs"):
        for bad in ("0", "-20", "abc"):
            assert s.call("SENTINEL", "SET", NAME, opt, bad) == \
                "-ERR Invalid argument '%s' for SENTINEL SET '%s'" % (bad, opt)
    assert s.call("SENTINEL", "SET", NAME, "master-reboot-down-after-period", -1) == \
        "-ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'"
    assert s.call("SENTINEL", "SET", NAME, "rename-command", "CONFIG", "") == \
        "-ERR Invalid argument '' for SENTINEL SET 'rename-command'"
    assert s.call("SENTINEL", "SET", NAME, "rename-command", "CONFIG") == \
        "-ERR Unknown option or number of arguments for SENTINEL SET 'rename-command'"
    assert s.call("SENTINEL", "SET", NAME, "fakeoption", "fakevalue") == \
        "-ERR Unknown option or number of arguments for SENTINEL SET 'fakeoption'"
    assert s.call("SENTINEL", "SET", "nope", "quorum", 1) == NO_SUCH_MASTER
    # why: deny-scripts-reconfig defaults to yes
    for opt in ("notification-script", "client-reconfig-script"):
        assert s.call("SENTINEL", "SET", NAME, opt, "/bin/true") == SCRIPTS_DENIED
    # the pairs before a bad one are applied (and saved)
    assert s.call("SENTINEL", "SET", NAME, "quorum", 1, "parallel-syncs", "x") == \
        "-ERR Invalid argument 'x' for SENTINEL SET 'parallel-syncs'"
    assert s.master()["quorum"] == "1"
    assert "sentinel monitor %s %s %d 1" % (NAME, HOST, mport) in \
        su.sentinel_lines(s.config_file())
    assert s.call("SENTINEL", "SET", NAME, "auth-pass", "", "auth-user", "",
                  "rename-command", "CONFIG", "CONFIG") == b"OK"
    lines = su.sentinel_lines(s.config_file())
    assert not [l for l in lines if l.split()[1] in ("auth-pass", "auth-user",
                                                     "rename-command")], lines


def test_sentinel_set_save_failure(solo):
    # 03-runtime-reconf.tcl: the config file replaced by a directory
    s = solo.sentinels[0]
    os.rename(s.conf, s.conf + ".bak")
    os.mkdir(s.conf)
    try:
        assert s.call("SENTINEL", "SET", NAME, "quorum", 2) == \
            "-ERR Failed to save config file. Check server logs."
        assert s.call("SENTINEL", "FLUSHCONFIG") == \
            "-ERR Failed to save config file. Check server logs."
    finally:
        os.rmdir(s.conf)
        os.rename(s.conf + ".bak", s.conf)
    assert s.master()["quorum"] == "2"
    assert "WARNING: Sentinel was not able to save the new configuration on disk!!!" in s.log()


def test_monitor_remove(solo):
    s = solo.sentinels[0]
    ev = solo.events[s.name]
    other = solo.replicas[0].port
    errors = [(("mymaster", HOST, 6379, 2), "-ERR Duplicate master name."),
              (("x", HOST, 6379, 0), "-ERR Quorum must be 1 or greater."),
              (("x", HOST, 6379, -1), "-ERR Quorum must be 1 or greater."),
              (("x", HOST, "abc", 1), "-ERR Invalid port"),
              (("x", HOST, 6379, "q"), "-ERR Invalid quorum"),
              (("x", "not-an-ip", 6379, 1), "-ERR Invalid IP address or hostname specified"),
              (("x", HOST, 70000, 1), "-ERR Invalid port number."),
              (("x", HOST, -1, 1), "-ERR Invalid port number.")]
    for args, err in errors:
        assert s.call("SENTINEL", "MONITOR", *args) == err, args
    assert s.call("SENTINEL", "MONITOR", "second", HOST, other, 4) == b"OK"
    assert ev.wait("+monitor", "second") == su.master_text(other, "second") + " quorum 4"
    assert {m[1] for m in s.sentinel("MASTERS")} == {NAME, "second"}
    assert s.call("ROLE")[0] == b"sentinel" and set(s.call("ROLE")[1]) == {b"mymaster",
                                                                            b"second"}
    lines = su.sentinel_lines(s.config_file())
    assert "sentinel monitor second %s %d 4" % (HOST, other) in lines
    assert "sentinel config-epoch second 0" in lines
    assert s.call("SENTINEL", "REMOVE", NAME) == b"OK"
    assert ev.wait("-monitor") == su.master_text(solo.master.port)
    assert [m[1] for m in s.sentinel("MASTERS")] == ["second"]
    lines = su.sentinel_lines(s.config_file())
    assert not [l for l in lines if " %s " % NAME in l + " "], lines
    assert s.call("SENTINEL", "REMOVE", NAME) == NO_SUCH_MASTER
    assert s.call("SENTINEL", "REMOVE", "second") == b"OK"
    assert s.sentinel("MASTERS") == []
    assert su.sentinel_lines(s.config_file()) == [
        "sentinel myid %s" % s.myid(), "sentinel current-epoch 0"]


def test_is_master_down_by_addr(solo):
    s = solo.sentinels[0]
    ev = solo.events[s.name]
    mport = solo.master.port
    q = ("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", HOST)
    assert s.call(*q, mport, 0, "*") == [0, b"*", 0]
    assert s.call(*q, 1, 0, "*") == [0, b"*", 0]
    # a vote request: the sentinel votes and moves to the requested epoch
    assert s.call(*q, mport, 5, "abcd") == [0, b"abcd", 5]
    assert ev.wait("+new-epoch") == "5"
    assert ev.wait("+vote-for-leader") == "abcd 5"
    # one vote per epoch: an older or equal epoch gets the earlier vote
    assert s.call(*q, mport, 3, "other") == [0, b"abcd", 5]
    assert s.call(*q, mport, 5, "other") == [0, b"abcd", 5]
    assert s.call(*q, mport, 6, "other") == [0, b"other", 6]
    lines = su.sentinel_lines(s.config_file())
    assert "sentinel leader-epoch %s 6" % NAME in lines
    assert "sentinel current-epoch 6" in lines
    for bad in (("x", 1), (mport, "x")):
        assert s.call(*q, *bad, "*") == "-ERR value is not an integer or out of range"
    assert s.call(*q, mport, 1) == arity("is-master-down-by-addr")


def test_debug_simulate_pending_infocache_reset(solo):
    s = solo.sentinels[0]
    dbg = su.pairs(s.sentinel("DEBUG"))
    assert list(dbg) == ["INFO-PERIOD", "PING-PERIOD", "ASK-PERIOD", "PUBLISH-PERIOD",
                         "DEFAULT-DOWN-AFTER", "DEFAULT-FAILOVER-TIMEOUT", "TILT-TRIGGER",
                         "TILT-PERIOD", "SLAVE-RECONF-TIMEOUT", "MIN-LINK-RECONNECT-PERIOD",
                         "ELECTION-TIMEOUT", "SCRIPT-MAX-RUNTIME", "SCRIPT-RETRY-DELAY"]
    # the fixture set the first four (fast mode); the rest are Redis's defaults
    assert list(dbg.values()) == ["500", "250", "250", "750", "30000", "180000", "2000",
                                  "30000", "10000", "15000", "10000", "60000", "30000"]
    assert s.call("SENTINEL", "DEBUG", "tilt-period", 5000, "SCRIPT-RETRY-DELAY", 7) == b"OK"
    dbg = su.pairs(s.sentinel("DEBUG"))
    assert (dbg["TILT-PERIOD"], dbg["SCRIPT-RETRY-DELAY"]) == ("5000", "7")
    assert s.call("SENTINEL", "DEBUG", "info-period", 0) == \
        "-ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'"
    assert s.call("SENTINEL", "DEBUG", "bogus", 1) == \
        "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'bogus'"
    assert s.call("SENTINEL", "DEBUG", "ping-period") == \
        "-ERR Unknown option or number of arguments for SENTINEL DEBUG 'ping-period'"

    assert s.call("SENTINEL", "SIMULATE-FAILURE", "HELP") == [b"crash-after-election",
                                                              b"crash-after-promotion"]
    assert s.call("SENTINEL", "SIMULATE-FAILURE", "x") == \
        "-ERR Unknown failure simulation specified"
    assert s.call("SENTINEL", "SIMULATE-FAILURE", "crash-after-election",
                  "CRASH-AFTER-PROMOTION") == b"OK"
    assert "sentinel_simulate_failure_flags:3" in s.call("INFO", "sentinel").decode()
    assert s.call("SENTINEL", "SIMULATE-FAILURE") == arity("simulate-failure")
    # why HELP clears the flags: they are reset before the arguments are read
    assert s.call("SENTINEL", "SIMULATE-FAILURE", "help")
    assert "sentinel_simulate_failure_flags:0" in s.call("INFO", "sentinel").decode()
    assert s.call("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion", "x") == \
        "-ERR Unknown failure simulation specified"
    assert "sentinel_simulate_failure_flags:2" in s.call("INFO", "sentinel").decode()

    assert s.call("SENTINEL", "PENDING-SCRIPTS") == []
    assert s.call("SENTINEL", "INFO-CACHE", "nope") == []
    # (a replica's entry is null until its first INFO reply)
    cache = su.poll(lambda: (lambda c: c if all(t for _, t in c[1]) else None)(
        s.call("SENTINEL", "INFO-CACHE", NAME)), "no INFO cached for the replica")
    assert cache[0] == NAME.encode() and len(cache) == 2 and len(cache[1]) == 2
    for age, text in cache[1]:
        assert isinstance(age, int) and age >= 0
        assert text.startswith(b"# Server\r\nredis_version:")
    assert s.call("SENTINEL", "INFO-CACHE") == arity("info-cache")
    assert s.call("SENTINEL", "INFO-CACHE", "nope", NAME, NAME)[0] == NAME.encode()

    ev = solo.events[s.name]
    assert s.call("SENTINEL", "RESET", "nope*") == 0
    assert s.call("SENTINEL", "RESET", "my*") == 1
    assert ev.wait("+reset-master") == su.master_text(solo.master.port)
    # the replica is found again from the master's INFO
    solo.wait_discovery(replicas=1, sentinels=0)


def test_flushconfig_keeps_file_layout(server_factory, procs, tmp_path):
    # includes/start-init-tests.tcl: FLUSHCONFIG keeps the lines (and
    # comments) that were there, in place
    port = su.free_port()
    dead = su.free_port()
    original = ["# assume master is down after being unresponsive for 20s",
                "sentinel down-after-milliseconds setmaster 20000",
                "# reconfigure one slave at a time",
                "sentinel parallel-syncs setmaster 2",
                "# wait for 4m before assuming failover went wrong",
                "sentinel failover-timeout setmaster 240000",
                "# monitoring set",
                "sentinel monitor setmaster %s %d 2" % (HOST, dead),
                "port %d" % port, "bind %s" % HOST]
    s = su.Sentinel(procs, VIREO_BIN, tmp_path / "s", "\n".join(original) + "\n", port=port)
    s.start()
    assert s.call("SENTINEL", "FLUSHCONFIG") == b"OK"
    text = s.config_file()
    lines = text.splitlines()
    assert lines[:len(original)] == original
    assert lines[len(original):len(original) + 2] == ["", "# Generated by CONFIG REWRITE"]
    rest = [l for l in lines[len(original) + 2:] if l]
    myid = s.myid()
    assert collections.Counter(su.sentinel_lines("\n".join(rest))) == collections.Counter([
        "sentinel myid %s" % myid, "sentinel config-epoch setmaster 0",
        "sentinel leader-epoch setmaster 0", "sentinel current-epoch 0"])
    # why these too: CONFIG REWRITE writes every non-default option, and
    # sentinel mode changes protected-mode and dir
    assert {l for l in rest if not l.startswith("sentinel ")} == {
        "protected-mode no", 'dir "%s"' % s.dir, "latency-tracking-info-percentiles 50 99 99.9",
        "user default on nopass ~* &* +@all"}


def test_config_file_after_discovery_and_restart(cluster):
    s0 = cluster.sentinels[0]
    mport = cluster.master.port
    before = s0.config_file()
    lines = su.sentinel_lines(before)
    # the lines the test wrote stay first, rewritten in place; the default
    # parallel-syncs 1 is dropped
    assert before.splitlines()[:6] == [
        "port %d" % s0.port, "bind %s" % HOST, "sentinel monitor %s %s %d 2" % (NAME, HOST, mport),
        "sentinel down-after-milliseconds %s 1000" % NAME,
        "sentinel failover-timeout %s 10000" % NAME, ""]
    assert "# Generated by CONFIG REWRITE" in before.splitlines()
    myid = s0.myid()
    assert collections.Counter(lines) == collections.Counter(
        ["sentinel monitor %s %s %d 2" % (NAME, HOST, mport),
         "sentinel down-after-milliseconds %s 1000" % NAME,
         "sentinel failover-timeout %s 10000" % NAME,
         "sentinel myid %s" % myid, "sentinel config-epoch %s 0" % NAME,
         "sentinel leader-epoch %s 0" % NAME, "sentinel current-epoch 0"] +
        ["sentinel known-replica %s %s %d" % (NAME, HOST, r.port) for r in cluster.replicas] +
        ["sentinel known-sentinel %s %s %d %s" % (NAME, HOST, s.port, s.myid())
         for s in cluster.sentinels[1:]])
    # restart: same id, and the known replicas / sentinels are there at once
    s0.restart()
    assert s0.myid() == myid
    m = s0.master()
    assert (m["num-slaves"], m["num-other-sentinels"]) == ("2", "2")
    cluster.wait_discovery()
    assert su.sentinel_lines(s0.config_file()).count("sentinel myid %s" % myid) == 1


def test_restart_with_new_id_keeps_sentinel_count(cluster):
    # 11-port-0.tcl: a sentinel restarted on the same port with a new ID
    # replaces its old entry in the others' tables
    s2 = cluster.sentinels[2]
    old = s2.myid()
    s2.kill()
    with open(s2.conf) as f:
        kept = [l for l in f if not l.startswith("sentinel myid")]
    with open(s2.conf, "w") as f:
        f.writelines(kept)
    s2.start()
    new = s2.myid()
    assert new != old
    for s in cluster.sentinels[:2]:
        su.poll(lambda: new in {x["runid"] for x in s.sentinels()},
                "%s did not learn the new id" % s.name)
        assert s.master()["num-other-sentinels"] == "2"
        assert old not in {x["runid"] for x in s.sentinels()}
    # (not checked: Redis 7.0.15's restarted sentinel itself may end up
    # listing its own new ID among the others)


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------

def test_master_requirepass_and_auth_pass(server_factory, procs, tmp_path):
    # 03-runtime-reconf.tcl "(re)connection following SENTINEL SET auth-pass"
    auth = ["--requirepass", "pw", "--masterauth", "pw"]
    with su.running(server_factory, procs, tmp_path, replicas=1, data_args=auth,
                    sentinel_extra=["sentinel auth-pass %s pw" % NAME]) as cl:
        for s in cl.sentinels:
            assert "disconnected" not in s.master()["flags"]
            assert [r["flags"] for r in s.replicas()] == ["slave"]
        # a sentinel without the password cannot use the links
        port = su.free_port_not(cl.used_ports())
        s3 = su.Sentinel(procs, VIREO_BIN, tmp_path / "sentinel3",
                         su.conf_text(port, cl.master.port), port=port, fast=True)
        s3.start()
        su.poll(lambda: "disconnected" in s3.master()["flags"], "s3 is connected")
        assert s3.master()["num-slaves"] == "0"
        assert s3.call("SENTINEL", "SET", NAME, "auth-pass", "pw") == b"OK"
        su.poll(lambda: "disconnected" not in s3.master()["flags"], "s3 is not connected")
        su.poll(lambda: s3.master()["num-slaves"] == "1", "s3 does not see the replica")
        assert "sentinel auth-pass %s pw" % NAME in su.sentinel_lines(s3.config_file())


def test_sentinel_requirepass_and_sentinel_pass(server_factory, procs, tmp_path):
    # 09-acl-support.tcl: sentinel-pass is what a sentinel sends to the
    # others; a wrong one leaves them unusable until CONFIG SET fixes it
    extra = ["requirepass spw", "sentinel sentinel-pass wrong"]
    with su.running(server_factory, procs, tmp_path, replicas=1, sentinel_extra=extra,
                    password="spw") as cl:
        s0 = cl.sentinels[0]
        with Raw(s0.port) as c:
            assert c.call("SENTINEL", "MASTERS") == b"NOAUTH Authentication required."
            assert c.call("PING") == b"NOAUTH Authentication required."
            assert c.call("AUTH", "nope") == \
                b"WRONGPASS invalid username-password pair or user is disabled."
            assert c.call("AUTH", "spw") == b"OK"
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(port=s0.port).ping()
        noquorum = ("-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach "
                    "the specified quorum for this master. Not enough available Sentinels "
                    "to reach the majority and authorize a failover")
        for s in cl.sentinels:
            su.poll(lambda: s.call("SENTINEL", "CKQUORUM", NAME) == noquorum,
                    lambda: "%s: %r" % (s.name, s.call("SENTINEL", "CKQUORUM", NAME)))
        for s in cl.sentinels:
            assert s.call("SENTINEL", "CONFIG", "SET", "sentinel-pass", "spw") == b"OK"
        ok = b"OK 3 usable Sentinels. Quorum and failover authorization can be reached"
        for s in cl.sentinels:
            su.poll(lambda: s.call("SENTINEL", "CKQUORUM", NAME) == ok,
                    lambda: "%s: %r" % (s.name, s.call("SENTINEL", "CKQUORUM", NAME)))
            assert "sentinel sentinel-pass spw" in su.sentinel_lines(s.config_file())
