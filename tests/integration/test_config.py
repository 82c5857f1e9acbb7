"""Configuration: the shipped config files, the FATAL CONFIG FILE ERROR
report, config from stdin, command-line overrides, CONFIG SET/GET/REWRITE,
-v / --help. Where the exact output matters, the server under test is run
side by side with the reference redis-server (REDIS_BIN) on the same input.
"""
import os
import re
import shutil
import socket
import subprocess

import pytest
import redis

from integ_util import (CONF_DIR, IS_REDIS, REDIS_BIN, SLOW, VIREO_BIN, free_port,
                        read_file, two_free_ports_cluster, wait_for, wait_port)


def start(procs, binary, argv, cwd, stdin=subprocess.DEVNULL, log_name="server.log"):
    """Start `binary argv...` in cwd and wait until it answers on its port
    (the value after --port)."""
    p = procs.start([binary] + list(argv), cwd=str(cwd), stdin=stdin, log_name=log_name)
    port = int(argv[list(argv).index("--port") + 1])
    try:
        wait_port(port, proc=p)
    except RuntimeError as e:
        raise AssertionError("%s; log:\n%s" % (e, read_file(p.log_path)[-3000:]))
    return p


def client(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=10 * SLOW,
                       decode_responses=True)


def run_fail(binary, argv, cwd, stdin_data=None):
    """Run a server that must refuse to start; returns CompletedProcess."""
    return subprocess.run([binary] + list(argv), cwd=str(cwd), capture_output=True,
                          input=stdin_data, timeout=20 * SLOW)


# ---------------------------------------------------------------------------
# The shipped config files
# ---------------------------------------------------------------------------

def conf_args(name, tmp_path):
    """Command-line overrides that keep a shipped config inside tmp_path
    and on free ports, plus what CONFIG GET must then report."""
    port = two_free_ports_cluster() if name == "redis-cluster.conf" else free_port()
    args = ["--port", str(port), "--dir", str(tmp_path), "--pidfile", str(tmp_path / "r.pid"),
            "--logfile", ""]
    expect = {}
    if name == "redis.conf":
        expect = {"databases": "16", "hz": "10", "tcp-backlog": "511", "maxclients": "10000",
                  "proto-max-bulk-len": "536870912", "client-query-buffer-limit": "1073741824",
                  "slowlog-max-len": "128", "save": "3600 1 300 100 60 10000",
                  "dbfilename": "dump.rdb", "bind": "127.0.0.1 -::1",
                  "protected-mode": "yes",
                  "client-output-buffer-limit":
                      "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}
    elif name == "redis-master.conf":
        expect = {"maxmemory": "8589934592", "maxmemory-policy": "allkeys-lru",
                  "repl-backlog-size": "67108864", "min-replicas-to-write": "1",
                  "timeout": "300", "tcp-keepalive": "60", "repl-diskless-sync-delay": "5"}
    elif name == "redis-replica.conf":
        # Point the replica at a port where nothing listens, never at 6379.
        dead = free_port()
        args += ["--replicaof", "127.0.0.1", str(dead)]
        expect = {"replicaof": "127.0.0.1 %d" % dead, "replica-read-only": "yes",
                  "replica-priority": "100", "replica-lazy-flush": "yes",
                  "replica-serve-stale-data": "yes"}
    elif name == "redis-cluster.conf":
        args += ["--cluster-config-file", str(tmp_path / "nodes.conf"),
                 "--cluster-announce-port", str(port),
                 "--cluster-announce-bus-port", str(port + 10000)]
        expect = {"cluster-enabled": "yes", "cluster-node-timeout": "15000",
                  "cluster-require-full-coverage": "no",
                  "cluster-config-file": str(tmp_path / "nodes.conf")}
    return port, args, expect


SHIPPED = ["redis.conf", "redis-master.conf", "redis-replica.conf", "redis-cluster.conf"]

# Directives each file sets to a non-default value for a feature Vireo does
# not run yet: the startup log must name them (alias or canonical name).
INACTIVE = {
    "redis-master.conf": [],
    "redis-replica.conf": [],
    "redis-cluster.conf": [],
    "redis.conf": [],
}
ACTIVE = ["port", "bind", "maxclients", "dir", "logfile", "loglevel", "hz", "databases",
          "maxmemory", "maxmemory-policy",
          # issue 10: replication
          "repl-backlog-size", "min-slaves-to-write", "min-replicas-to-write", "slaveof",
          "replicaof", "slave-lazy-flush", "replica-lazy-flush", "repl-diskless-sync",
          # issue 12: cluster
          "cluster-enabled", "cluster-config-file", "cluster-announce-ip",
          "cluster-announce-port", "cluster-announce-bus-port", "cluster-require-full-coverage",
          "cluster-slave-validity-factor", "cluster-migration-barrier",
          "cluster-allow-reads-when-down", "cluster-slave-no-failover"]
# Directives left at their default value are not worth a warning.
AT_DEFAULT = {"redis-cluster.conf": ["cluster-node-timeout"],
              "redis-master.conf": ["repl-diskless-sync", "repl-backlog-ttl"]}


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_loads(procs, tmp_path, name):
    port, args, expect = conf_args(name, tmp_path)
    start(procs, VIREO_BIN, [os.path.join(CONF_DIR, name)] + args, tmp_path)
    r = client(port)
    assert r.ping() is True
    for k, v in expect.items():
        assert r.config_get(k) == {k: v}, k
    assert r.config_get("dir") == {"dir": str(tmp_path)}
    # nothing escaped the temp dir
    assert not os.path.exists(os.path.join(CONF_DIR, "nodes-7000.conf"))
    r.close()


@pytest.mark.vireo_only
@pytest.mark.parametrize("name", SHIPPED)
def test_startup_log_names_inactive_directives(procs, tmp_path, name):
    port, args, _ = conf_args(name, tmp_path)
    p = start(procs, VIREO_BIN, [os.path.join(CONF_DIR, name)] + args, tmp_path)
    log = read_file(p.log_path)
    named = set(re.findall(r"Directive '([^']+)' is accepted but not active yet", log))
    for names in INACTIVE[name]:
        assert named & set(names), "no startup warning for %s in:\n%s" % (names, log)
    for n in ACTIVE:
        assert n not in named, "%s is active but the log says it is not" % n
    for n in AT_DEFAULT.get(name, []):
        assert n not in named, "%s is at its default value but is named" % n


@pytest.mark.vireo_only
def test_no_inactive_warning_for_active_directives(procs, tmp_path):
    conf = tmp_path / "a.conf"
    conf.write_text("timeout 100\nmaxclients 50\nhz 20\nslowlog-max-len 10\n")
    port = free_port()
    p = start(procs, VIREO_BIN, [str(conf), "--port", str(port), "--dir", str(tmp_path),
                                 "--save", ""], tmp_path)
    log = read_file(p.log_path)
    named = set(re.findall(r"Directive '([^']+)' is accepted but not active yet", log))
    assert not named & {"timeout", "maxclients", "hz", "slowlog-max-len", "port", "dir"}


# ---------------------------------------------------------------------------
# Bad configuration: the FATAL CONFIG FILE ERROR report
# ---------------------------------------------------------------------------

BAD_FILES = {
    "unknown_directive": "port 1234\n# a comment\n\nnosuchdirective foo\n",
    "not_an_integer": "port abc\n",
    "bad_enum": "maxmemory-policy foo\n",
    "bad_save": "save 1\n",
    "unbalanced_quotes": 'bind "127.0.0.1\n',
    "missing_argument": "timeout\n",
    "bad_memory_value": "maxmemory 10zz\n",
    "buffer_limit_args": "client-output-buffer-limit normal 1 2\n",
    "bad_bool": "daemonize maybe\n",
    "out_of_range": "databases 0\n",
    "second_of_two": "maxclients 10\nmaxclients -1\n",
    "indented_line": "   loglevel   loud   \n",
    "crlf_file_bad_line": "port 1234\r\nhz x\r\n",
    "too_many_args": "timeout 1 2\n",
}


@pytest.mark.parametrize("content", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_bad_config_file_report_matches_redis(tmp_path, content):
    conf = tmp_path / "bad.conf"
    conf.write_text(content)
    mine = run_fail(VIREO_BIN, [str(conf)], tmp_path)
    ref = run_fail(REDIS_BIN, [str(conf)], tmp_path)
    assert ref.returncode == 1
    assert mine.returncode == 1
    assert mine.stderr.startswith(b"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                                  b"Reading the configuration file, at line ")
    assert mine.stderr.decode() == ref.stderr.decode()
    assert mine.stdout == ref.stdout == b""


@pytest.mark.parametrize("argv", [["--nosuch", "1"], ["--port", "abc"],
                                  ["--maxmemory", "1", "2"], ["--loglevel"],
                                  ["--logfile", "/nonexistent/dir/x.log"],
                                  ["--dir", "/nonexistent/dir"]],
                         ids=["unknown_option", "bad_port", "extra_arg", "missing_value",
                              "unwritable_logfile", "missing_dir"])
def test_bad_command_line_report_matches_redis(tmp_path, argv):
    mine = run_fail(VIREO_BIN, argv, tmp_path)
    ref = run_fail(REDIS_BIN, argv, tmp_path)
    assert ref.returncode == 1
    assert mine.returncode == 1
    assert mine.stderr.decode() == ref.stderr.decode()


def test_bad_line_in_file_with_command_line_options(tmp_path):
    """File + options: the options come after the file, numbered on."""
    conf = tmp_path / "c.conf"
    conf.write_text("hz 10\n")
    argv = [str(conf), "--port", str(free_port()), "--timeout", "x"]
    mine = run_fail(VIREO_BIN, argv, tmp_path)
    ref = run_fail(REDIS_BIN, argv, tmp_path)
    assert mine.returncode == ref.returncode == 1
    assert mine.stderr.decode() == ref.stderr.decode()


def test_missing_config_file(tmp_path):
    p = run_fail(VIREO_BIN, [str(tmp_path / "nonexistent.conf")], tmp_path)
    assert p.returncode == 1
    out = (p.stdout + p.stderr).decode()
    assert ("Fatal error, can't open config file '%s': No such file or directory"
            % (tmp_path / "nonexistent.conf")) in out


def test_bad_config_from_stdin(tmp_path):
    mine = run_fail(VIREO_BIN, ["-"], tmp_path, stdin_data=b"port 1\nbogus yes\n")
    ref = run_fail(REDIS_BIN, ["-"], tmp_path, stdin_data=b"port 1\nbogus yes\n")
    assert mine.returncode == ref.returncode == 1
    assert mine.stderr.decode() == ref.stderr.decode()


# ---------------------------------------------------------------------------
# Sources of configuration
# ---------------------------------------------------------------------------

def test_config_from_stdin(procs, tmp_path):
    port = free_port()
    data = ("port %d\ndir %s\nmaxclients 123\nsave \"\"\n" % (port, tmp_path)).encode()
    stdin = open(tmp_path / "stdin.conf", "wb+")
    stdin.write(data)
    stdin.seek(0)
    p = procs.start([VIREO_BIN, "-"], cwd=str(tmp_path), stdin=stdin)
    stdin.close()
    wait_port(port, proc=p)
    r = client(port)
    assert r.config_get("maxclients") == {"maxclients": "123"}
    r.close()


def test_config_file_plus_stdin_plus_options(procs, tmp_path):
    """file, then stdin, then command-line options: the last one wins."""
    port = free_port()
    conf = tmp_path / "f.conf"
    conf.write_text("maxclients 11\nhz 11\ntimeout 11\nport %d\n" % free_port())
    stdin = open(tmp_path / "stdin.conf", "wb+")
    stdin.write(b"hz 22\ntimeout 22\n")
    stdin.seek(0)
    p = procs.start([VIREO_BIN, str(conf), "--timeout", "33", "--port", str(port),
                     "--dir", str(tmp_path), "-"], cwd=str(tmp_path), stdin=stdin)
    stdin.close()
    wait_port(port, proc=p)
    r = client(port)
    assert r.config_get("maxclients")["maxclients"] == "11"
    assert r.config_get("hz")["hz"] == "22"
    assert r.config_get("timeout")["timeout"] == "33"
    r.close()


def test_command_line_port_overrides_file(procs, tmp_path):
    file_port = free_port()
    port = free_port()
    conf = tmp_path / "p.conf"
    conf.write_text("port %d\nbind 127.0.0.1\n" % file_port)
    start(procs, VIREO_BIN, [str(conf), "--port", str(port), "--dir", str(tmp_path)], tmp_path)
    r = client(port)
    assert r.config_get("port") == {"port": str(port)}
    r.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", file_port), timeout=1).close()


def test_crlf_config_file_and_include(procs, tmp_path):
    inc = tmp_path / "inc.conf"
    inc.write_text("maxclients 77\r\nhz 15\r\n")
    port = free_port()
    conf = tmp_path / "main.conf"
    conf.write_text("# CRLF line ends\r\nport %d\r\ninclude %s\r\nhz 16\r\n"
                    "slowlog-max-len 9\r\n" % (port, inc))
    start(procs, VIREO_BIN, [str(conf), "--dir", str(tmp_path), "--port", str(port)], tmp_path)
    r = client(port)
    assert r.config_get("maxclients")["maxclients"] == "77"
    assert r.config_get("hz")["hz"] == "16"  # after the include: later line wins
    assert r.config_get("slowlog-max-len")["slowlog-max-len"] == "9"
    r.close()


def test_multi_value_directives_given_as_one_quoted_argument(procs, tmp_path):
    """Redis splits a single quoted value of save / client-output-buffer-limit
    / bind / oom-score-adj-values itself, in a file and on the command line."""
    port = free_port()
    conf = tmp_path / "q.conf"
    conf.write_text('client-output-buffer-limit "normal 10mb 5mb 10"\n'
                    'bind "127.0.0.1 -::1"\n')
    start(procs, VIREO_BIN, [str(conf), "--port", str(port), "--dir", str(tmp_path),
                             "--save", "900 1 300 10",
                             "--client-output-buffer-limit", "pubsub 1mb 1mb 0"], tmp_path)
    r = client(port)
    assert r.config_get("save") == {"save": "900 1 300 10"}
    assert r.config_get("client-output-buffer-limit") == {"client-output-buffer-limit":
        "normal 10485760 5242880 10 slave 268435456 67108864 60 pubsub 1048576 1048576 0"}
    assert r.config_get("bind") == {"bind": "127.0.0.1 -::1"}
    r.close()


def test_rename_command(procs, tmp_path):
    port = free_port()
    conf = tmp_path / "rn.conf"
    conf.write_text('rename-command FLUSHALL ""\nrename-command GET MYGET\n')
    start(procs, VIREO_BIN, [str(conf), "--port", str(port), "--dir", str(tmp_path)], tmp_path)
    r = client(port)
    r.set("k", "v")
    assert r.execute_command("MYGET", "k") == "v"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("GET", "k")
    assert str(e.value) == "unknown command 'GET', with args beginning with: 'k' "
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("FLUSHALL")
    assert str(e.value) == "unknown command 'FLUSHALL', with args beginning with: "
    r.close()


# ---------------------------------------------------------------------------
# CONFIG SET / GET
# ---------------------------------------------------------------------------

ROUND_TRIPS = [
    ("maxmemory", "100mb", "104857600"),
    ("maxmemory", "1gb", "1073741824"),
    ("maxmemory", "0", "0"),
    ("timeout", "50", "50"),
    ("hz", "20", "20"),
    ("hz", "1000", "500"),  # clamped to CONFIG_MAX_HZ
    ("maxclients", "50", "50"),
    ("slowlog-log-slower-than", "-1", "-1"),
    ("slowlog-max-len", "1000", "1000"),
    ("loglevel", "warning", "warning"),
    ("loglevel", "VERBOSE", "verbose"),
    ("maxmemory-policy", "allkeys-lru", "allkeys-lru"),
    ("proto-max-bulk-len", "1mb", "1048576"),
    ("client-query-buffer-limit", "2mb", "2097152"),
    ("save", "100 10 50 20", "100 10 50 20"),
    ("save", "", ""),
    ("client-output-buffer-limit", "normal 1mb 512kb 30",
     "normal 1048576 524288 30 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    ("client-output-buffer-limit", "pubsub 1 2 3 replica 4 5 6",
     "normal 0 0 0 slave 4 5 6 pubsub 1 2 3"),
    ("latency-monitor-threshold", "100", "100"),
    ("lazyfree-lazy-user-del", "yes", "yes"),
    ("active-expire-effort", "5", "5"),
    ("tcp-keepalive", "100", "100"),
    ("protected-mode", "no", "no"),
    ("appendonly", "no", "no"),
    ("notify-keyspace-events", "KEA", "AKE"),
    ("notify-keyspace-events", "", ""),
    ("dynamic-hz", "no", "no"),
]


@pytest.mark.parametrize("name,value,got", ROUND_TRIPS,
                         ids=["%s=%s" % (n, v) for n, v, _ in ROUND_TRIPS])
def test_config_set_get_round_trip(rc, name, value, got):
    assert rc.config_set(name, value) is True
    assert rc.config_get(name) == {name: got}


def test_config_set_many_and_errors(rc):
    assert rc.execute_command("CONFIG", "SET", "maxmemory", "10mb", "timeout", "7") == "OK"
    assert rc.config_get("maxmemory")["maxmemory"] == "10485760"
    assert rc.config_get("timeout")["timeout"] == "7"
    cases = [
        (("nosuch", "1"), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
        (("maxmemory", "10zz"), "ERR CONFIG SET failed (possibly related to argument "
                                "'maxmemory') - argument must be a memory value"),
        (("daemonize", "yes"), "ERR CONFIG SET failed (possibly related to argument "
                               "'daemonize') - can't set immutable config"),
        (("maxmemory", "10mb", "maxmemory", "20mb"),
         "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"),
        (("maxmemory", "10mb", "timeout"), "ERR syntax error"),
        (("maxmemory", "20mb", "timeout", "x"),
         "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be "
         "parsed into an integer"),
        (("maxmemory-policy", "foo"),
         "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) "
         "must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
         "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"),
        (("save", "1"), "ERR CONFIG SET failed (possibly related to argument 'save') - "
                        "Invalid save parameters"),
    ]
    for args, msg in cases:
        with pytest.raises(redis.ResponseError) as e:
            rc.execute_command("CONFIG", "SET", *args)
        assert "ERR " + str(e.value) == msg or str(e.value) == msg
    # all-or-nothing: the failed multi-parameter SET changed nothing
    assert rc.config_get("maxmemory")["maxmemory"] == "10485760"
    assert rc.config_get("timeout")["timeout"] == "7"


def test_config_get_patterns(rc):
    got = rc.config_get("maxmemory*")
    assert set(got) == {"maxmemory", "maxmemory-policy", "maxmemory-samples",
                        "maxmemory-eviction-tenacity", "maxmemory-clients"}
    got = rc.execute_command("CONFIG", "GET", "port", "timeout", "hz", "nosuch")
    assert set(got[0::2]) == {"port", "timeout", "hz"}
    assert rc.config_get("nosuch*") == {}
    # aliases answer under the name asked for
    assert rc.config_get("slaveof") == {"slaveof": ""}
    assert rc.config_get("replica-read-only") == {"replica-read-only": "yes"}


def test_config_get_all_matches_redis(server_factory, tmp_path):
    """CONFIG GET * lists the same parameters with the same defaults as
    redis-server started with the same command line."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mine = server_factory(cwd=str(tmp_path / "a"))
    ref = server_factory(binary=REDIS_BIN, cwd=str(tmp_path / "b"))
    a = client(mine.port).config_get("*")
    b = client(ref.port).config_get("*")
    for d in (a, b):
        for k in ("port", "dir", "pidfile", "logfile", "unixsocket"):
            d.pop(k, None)
    missing = sorted(set(b) - set(a))
    extra = sorted(set(a) - set(b))
    differ = {k: (a[k], b[k]) for k in set(a) & set(b) if a[k] != b[k]}
    assert (missing, extra, differ) == ([], [], {})


def test_config_set_port_rebinds(procs, tmp_path):
    port = free_port()
    start(procs, VIREO_BIN, ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)],
          tmp_path)
    r = client(port)
    new = free_port()
    assert r.config_set("port", new) is True
    r2 = client(new)
    assert r2.ping() is True
    assert r2.config_get("port") == {"port": str(new)}
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert r.ping() is True  # connections made before stay
    # a bind that fails leaves the old listeners in place
    with pytest.raises(redis.ResponseError) as e:
        r2.config_set("bind", "127.0.0.1 192.0.2.1")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'bind') - "
                            "Failed to bind to specified addresses.")
    assert r2.config_get("bind") == {"bind": "127.0.0.1"}
    assert client(new).ping() is True
    for args, msg in ((("dir", str(tmp_path)), "can't set protected config"),
                      (("logfile", "x.log"), "can't set immutable config"),
                      (("databases", "4"), "can't set immutable config"),
                      (("unixsocket", "/tmp/x.sock"), "can't set immutable config")):
        with pytest.raises(redis.ResponseError) as e:
            r.config_set(*args)
        assert str(e.value) == "CONFIG SET failed (possibly related to argument '%s') - %s" % (
            args[0], msg)
    r.close()
    r2.close()


def test_loglevel_verbose_logs_connections(procs, tmp_path):
    port = free_port()
    log = tmp_path / "v.log"
    start(procs, VIREO_BIN, ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
                             "--logfile", str(log)], tmp_path)
    r = client(port)
    r.ping()
    assert "Accepted 127.0.0.1:" not in read_file(str(log))  # notice level
    assert r.config_set("loglevel", "verbose") is True
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"PING\r\n")
    s.recv(10)
    s.close()
    assert wait_for_text(str(log), "Accepted 127.0.0.1:")
    assert wait_for_text(str(log), "Client closed connection id=")
    r.close()


def wait_for_text(path, text):
    return wait_for(lambda: text in read_file(path), timeout=3.0)


def test_config_resetstat(rc):
    rc.set("a", 1)
    rc.get("a")
    assert rc.info("stats")["total_commands_processed"] > 0
    assert rc.config_resetstat() is True
    assert rc.info("stats")["keyspace_hits"] == 0
    assert rc.info("commandstats") == {} or "cmdstat_get" not in rc.info("commandstats")


# ---------------------------------------------------------------------------
# CONFIG REWRITE
# ---------------------------------------------------------------------------

def normalize(text, port, dirpath):
    """Port and dir made neutral; the lines Redis appends after "# Generated
    by CONFIG REWRITE" come in hash-table order, so that block is sorted."""
    out = []
    for line in text.splitlines():
        if line == "port %d" % port:
            line = "port <PORT>"
        line = line.replace(str(dirpath), "<DIR>")
        out.append(line)
    marker = "# Generated by CONFIG REWRITE"
    if marker in out:
        i = out.index(marker) + 1
        out[i:] = sorted(out[i:])
    return "\n".join(out) + "\n"


REWRITE_STEPS = [
    ("maxmemory", "100mb"), ("timeout", "42"), ("loglevel", "warning"),
    ("save", "900 1 300 10"), ("client-output-buffer-limit", "normal 1mb 512kb 30"),
    ("maxmemory-policy", "allkeys-lru"), ("slowlog-max-len", "256"), ("hz", "10"),
    ("notify-keyspace-events", "Ex"), ("lazyfree-lazy-user-del", "yes"),
]


def rewrite_with(procs, binary, src, workdir, steps):
    workdir.mkdir()
    conf = workdir / os.path.basename(src)
    shutil.copy(src, conf)
    port = free_port()
    p = start(procs, binary, [str(conf), "--port", str(port), "--dir", str(workdir)], workdir)
    r = client(port)
    for name, value in steps:
        assert r.config_set(name, value) is True
    assert r.config_rewrite() in (True, "OK")
    r.close()
    p.kill()
    p.wait()
    return normalize(conf.read_text(), port, workdir), conf


@pytest.mark.parametrize("src", ["redis.conf", "redis-master.conf", "empty"])
def test_config_rewrite_matches_redis(procs, tmp_path, src):
    if src == "empty":
        path = tmp_path / "empty.conf"
        path.write_text("")
    else:
        path = os.path.join(CONF_DIR, src)
    steps = REWRITE_STEPS if src != "redis-master.conf" else \
        REWRITE_STEPS + [("maxmemory-policy", "noeviction"), ("repl-backlog-size", "1mb")]
    mine, mine_path = rewrite_with(procs, VIREO_BIN, path, tmp_path / "mine", steps)
    ref, _ = rewrite_with(procs, REDIS_BIN, path, tmp_path / "ref", steps)
    assert mine == ref
    # the comments of the original are all still there
    original = open(path).read()
    for line in original.splitlines():
        if line.startswith("#"):
            assert line in mine
    # and the rewritten file loads, with the changed values
    port = free_port()
    wd = tmp_path / "reload"
    wd.mkdir()
    start(procs, VIREO_BIN, [str(mine_path), "--port", str(port), "--dir", str(wd)], wd)
    r = client(port)
    assert r.config_get("maxmemory")["maxmemory"] == "104857600"
    assert r.config_get("timeout")["timeout"] == "42"
    assert r.config_get("save")["save"] == "900 1 300 10"
    r.close()


def test_config_rewrite_without_config_file(rc):
    with pytest.raises(redis.ResponseError) as e:
        rc.config_rewrite()
    assert str(e.value) == "The server is running without a config file"


# ---------------------------------------------------------------------------
# Version and help
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["-v", "--version"])
def test_version(flag):
    p = subprocess.run([VIREO_BIN, flag], capture_output=True, timeout=10)
    assert p.returncode == 0
    out = p.stdout.decode()
    assert out.endswith("\n") and out.count("\n") == 1
    assert " v=" in out and "7.0.15" in out
    if IS_REDIS:
        assert out.startswith("Redis server v=7.0.15 ")


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag):
    p = subprocess.run([VIREO_BIN, flag], capture_output=True, timeout=10)
    assert p.returncode == 1  # Redis's usage() exits with 1
    assert p.stdout == b""
    err = p.stderr.decode()
    assert err.startswith("Usage: ")
    assert "[/path/to/redis.conf] [options] [-]" in err
    assert "-v or --version" in err and "-h or --help" in err
    assert "echo 'maxmemory 128mb' |" in err
