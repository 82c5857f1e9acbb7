"""A sentinel that dies in the middle of a failover continues from its
rewritten config file when it is restarted (issue 11's fault list).

The leader crashes right after promoting the replica (SENTINEL
SIMULATE-FAILURE crash-after-promotion, exit code 99): what it flushed at
the promotion (the new config epoch, the promoted replica as the master's
address) is all the cluster has, since the other sentinels never saw a
+switch-master. Restarted on that file, it announces the new
configuration, the others switch to it, and the remaining replica ends up
replicating from the new master.

Owned by the sentinel suite. Passes against redis-server 7.0.15 as well.
"""
import pytest

import sentinel_util as su

NAME = su.NAME
HOST = su.HOST


@pytest.mark.slow
def test_leader_crashing_after_promotion_continues_after_restart(server_factory, procs, tmp_path):
    with su.running(server_factory, procs, tmp_path) as cl:
        cl.wait_links_up()
        for s in cl.sentinels:
            assert s.call("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion") == b"OK"
        old = cl.master
        old.kill9()
        # One of them wins the election, promotes, and exits.
        crashed = su.poll(lambda: next((s for s in cl.sentinels if not s.alive()), None),
                          "no sentinel crashed after the promotion", timeout=60)
        assert crashed.proc.returncode == 99
        lines = su.sentinel_lines(crashed.config_file())
        monitor = [line for line in lines if line.startswith("sentinel monitor ")]
        assert len(monitor) == 1
        new_port = int(monitor[0].split()[4])
        assert new_port != old.port, "the promotion was not persisted: %r" % monitor
        assert "sentinel config-epoch %s 1" % NAME in lines
        new = cl.node_at(new_port)
        assert su.role(new) == "master"
        crashed.start()
        assert cl.wait_addr_changed(old.port, timeout=60) is new
        for r in cl.replicas:
            if r is not new:
                cl.wait_replica_of(r, new, timeout=60)
        assert all(s.master()["config-epoch"] == "1" for s in cl.sentinels)
