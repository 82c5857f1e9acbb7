"""The shipped conf/sentinel.conf (the deployment guide's sentinel settings)
loads and works: a sentinel started on a copy of it (only the monitored
master's port changed to a test port, and the sentinel's own port given on
the command line) authenticates to a password-protected master with
`auth-pass`, discovers its replica, reports the guide's timings, and
persists its state in the copy.

Owned by the sentinel suite (issue 11). Runs against VIREO_BIN (vireo in
sentinel mode) and passes against redis-server 7.0.15 too.
"""
import os
import re
import shutil

import redis

from integ_util import CONF_DIR, SLOW, wait_for

PASSWORD = "your_password"  # the password conf/sentinel.conf carries


def pairs(flat):
    """A flat [k1, v1, k2, v2, ...] reply as a dict."""
    return dict(zip(flat[::2], flat[1::2]))


def test_shipped_sentinel_conf_loads_and_monitors(server_factory, tmp_path):
    master = server_factory(args=["--requirepass", PASSWORD, "--masterauth", PASSWORD])
    replica = server_factory(args=["--requirepass", PASSWORD, "--masterauth", PASSWORD,
                                   "--replicaof", "127.0.0.1", str(master.port)])
    conf = tmp_path / "sentinel.conf"
    text = open(os.path.join(CONF_DIR, "sentinel.conf")).read()
    assert "sentinel monitor mymaster 127.0.0.1 6379 2" in text
    conf.write_text(text.replace("127.0.0.1 6379 2", f"127.0.0.1 {master.port} 2"))
    shutil.copy(conf, tmp_path / "original.conf")
    sentinel = server_factory(conf=str(conf), args=["--sentinel"], cwd=str(tmp_path))
    s = redis.Redis(host="127.0.0.1", port=sentinel.port, decode_responses=True, socket_timeout=10)

    def master_state():
        return pairs(s.execute_command("SENTINEL", "MASTER", "mymaster"))

    # Connected and authenticated: INFO worked (the replica is known) and the
    # master is not flagged disconnected or down.
    assert wait_for(lambda: master_state()["num-slaves"] == "1", timeout=15 * SLOW), master_state()
    state = master_state()
    assert state["flags"] == "master"
    assert state["down-after-milliseconds"] == "5000"
    assert state["failover-timeout"] == "60000"
    assert state["parallel-syncs"] == "1"
    assert state["quorum"] == "2"
    assert state["role-reported"] == "master"
    assert s.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster") == \
        ["127.0.0.1", str(master.port)]
    assert pairs(s.execute_command("SENTINEL", "CONFIG", "GET", "*hostnames")) == \
        {"resolve-hostnames": "yes", "announce-hostnames": "yes"}
    replicas = s.execute_command("SENTINEL", "REPLICAS", "mymaster")
    assert [pairs(r)["port"] for r in replicas] == [str(replica.port)]

    # The state went to the config file: an ID, the epochs, the replica.
    def persisted():
        return open(conf).read()
    assert wait_for(lambda: "sentinel known-replica mymaster 127.0.0.1 %d" % replica.port in persisted(),
                    timeout=10 * SLOW), persisted()
    content = persisted()
    assert re.search(r"^sentinel myid [0-9a-f]{40}$", content, re.M)
    assert "sentinel current-epoch 0" in content
    assert "sentinel auth-pass mymaster your_password" in content
    assert "sentinel deny-scripts-reconfig yes" in content
    s.close()


def test_sentinel_mode_from_the_program_name(server_factory, tmp_path):
    # Redis's checkForSentinelMode: a program named *redis-sentinel* runs as a
    # sentinel without --sentinel; vireo-server answers to vireo-sentinel too.
    from integ_util import IS_REDIS, VIREO_BIN
    link = tmp_path / ("redis-sentinel" if IS_REDIS else "vireo-sentinel")
    os.symlink(VIREO_BIN, link)
    conf = tmp_path / "s.conf"
    conf.write_text("sentinel monitor mymaster 127.0.0.1 1 1\n")
    s = server_factory(conf=str(conf), binary=str(link), cwd=str(tmp_path))
    c = redis.Redis(host="127.0.0.1", port=s.port, decode_responses=True, socket_timeout=10)
    c.set_response_callback("INFO", lambda r, **kw: r)
    assert "redis_mode:sentinel\r\n" in c.execute_command("INFO", "server")
    assert c.execute_command("ROLE") == ["sentinel", ["mymaster"]]
    c.close()


def test_shutdown_in_sentinel_mode_exits_without_saving(server_factory, tmp_path):
    # Redis forces NOSAVE in sentinel mode: SHUTDOWN (even SHUTDOWN SAVE)
    # exits 0 and writes no dump.rdb; the config file keeps the state.
    conf = tmp_path / "s.conf"
    conf.write_text("sentinel monitor mymaster 127.0.0.1 1 1\n")
    s = server_factory(conf=str(conf), args=["--sentinel", "--save", "1 1"], cwd=str(tmp_path))
    c = redis.Redis(host="127.0.0.1", port=s.port, socket_timeout=10)
    try:
        c.execute_command("SHUTDOWN", "SAVE")
    except redis.ConnectionError:
        pass  # the server closed the connection: no reply, as from Redis
    s.proc.wait(timeout=10 * SLOW)
    assert s.proc.returncode == 0, s.read_log()[-2000:]
    assert not os.path.exists(tmp_path / "dump.rdb")
    assert re.search(r"^sentinel myid [0-9a-f]{40}$", conf.read_text(), re.M)
