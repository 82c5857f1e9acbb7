"""Sentinel interoperability (issue 11): sentinels of the binary under test
(VIREO_BIN) and of the reference redis-server 7.0.15 (REDIS_BIN, started as
`redis-server sentinel.conf --sentinel`) in one quorum, and sentinels of one
binary managing data nodes of the other.

Each case: discovery (every sentinel sees both replicas and the other two
sentinels, by run ID), then the master SIGKILLed and a failover decided by
the vote of all three, every sentinel reporting the new master, the other
replica following it and the old master turned into a replica when it
returns; then a SENTINEL FAILOVER asked of the last sentinel (a redis-server
one in the mixed quorum) that the others follow (config-epoch 2).

With VIREO_BIN=/usr/bin/redis-server every process is Redis, which is how
the expectations are validated. Helpers: sentinel_util.py.
"""
import pytest

import sentinel_util as su
from integ_util import REDIS_BIN, VIREO_BIN
from sentinel_util import HOST, NAME

CASES = {
    # 2 sentinels under test + 1 redis-server sentinel over nodes under test
    "mixed_quorum": ([VIREO_BIN, VIREO_BIN, REDIS_BIN], VIREO_BIN),
    # sentinels under test managing redis-server data nodes
    "vireo_sentinels_redis_nodes": ([VIREO_BIN] * 3, REDIS_BIN),
    # redis-server sentinels managing data nodes under test
    "redis_sentinels_vireo_nodes": ([REDIS_BIN] * 3, VIREO_BIN),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_sentinel_interop_failover(server_factory, procs, tmp_path, case):
    bins, data_bin = CASES[case]
    with su.running(server_factory, procs, tmp_path, sentinel_bins=bins,
                    data_bin=data_bin) as cl:
        ids = {s.name: s.myid() for s in cl.sentinels}
        for s in cl.sentinels:
            assert {x["runid"] for x in s.sentinels()} == {
                i for n, i in ids.items() if n != s.name}
            assert {int(r["port"]) for r in s.replicas()} == {r.port for r in cl.replicas}
            assert s.call("SENTINEL", "CKQUORUM", NAME) == (
                b"OK 3 usable Sentinels. Quorum and failover authorization can be reached")

        # 1. the master crashes: the three vote, one leads
        old = cl.master
        old.kill9()
        new = cl.wait_addr_changed(old.port)
        su.check_failover_events(cl, old.port, new)
        assert su.role(new) == "master"
        other = [r for r in cl.replicas if r is not new][0]
        cl.wait_replica_of(other, new)
        cl.wait_failover_end()
        old.restart()
        cl.wait_replica_of(old, new)
        for s in cl.sentinels:
            m = s.master()
            assert (m["port"], m["config-epoch"]) == (str(new.port), "1")

        # 2. a manual failover asked of the last sentinel; the others follow
        last = cl.sentinels[-1]
        cl.wait_replicas_settled(new)
        assert last.call("SENTINEL", "FAILOVER", NAME) == b"OK"
        newer = cl.wait_addr_changed(new.port)
        for ev in cl.events.values():
            ev.wait("+switch-master", "%s %s %d %s %d" % (NAME, HOST, new.port, HOST,
                                                           newer.port))
        cl.wait_failover_end()
        for n in cl.nodes:
            if n is not newer:
                cl.wait_replica_of(n, newer)
        for s in cl.sentinels:
            assert s.master()["config-epoch"] == "2"
            assert "sentinel monitor %s %s %d 2" % (NAME, HOST, newer.port) in \
                su.sentinel_lines(s.config_file())
