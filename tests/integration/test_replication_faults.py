"""Replication faults (issue 10): processes killed, stopped and restarted,
backlogs too small or freed, output buffers overrun, masters gone stale.
Owns the fault checks; the interop checks are in test_replication_interop.py.

The server under test (VIREO_BIN) plays every role, except where a test is
parametrized with "redis_master": there the master is redis-server 7.0.15
(REDIS_BIN) and the replica that is killed is the server under test. After
every fault the data on each replica equals the master's (DEBUG DIGEST and
DBSIZE per db), and in test_acknowledged_writes_survive_replica_kill no
WAIT-acknowledged write is missing. With VIREO_BIN=/usr/bin/redis-server
these run Redis against itself (how they are validated).

Ported from Redis's tests/integration: replication.tcl (diskless replicas
dropped during the RDB transfer, "replication child dies when parent is
killed"), replication-psync.tcl ("no backlog", "backlog expired"),
psync2-master-restart.tcl (partial resync after a master restart on its RDB
aux fields; full resync when the replica is ahead), replication-2.tcl (the
SIGSTOPped replica), replication-buffer.tcl (output buffer limits of a
replica in a full sync).
"""
import re
import signal
import threading
import time

import pytest
import redis

from integ_util import REDIS_BIN, SLOW, VIREO_BIN, Raw, RespError
import repl_mixed_util as rm
from repl_mixed_util import Node

pytestmark = pytest.mark.requires_commands("replicaof", "psync", "wait")
MASTERS = {"vireo_master": VIREO_BIN, "redis_master": REDIS_BIN}


def replica_of(server_factory, tmp_path, master, args=(), binary=VIREO_BIN, name="replica"):
    r = Node(server_factory, binary, tmp_path / name, args)
    r.replicaof(master)
    return r


def sync_in_progress(replica):
    return replica.field("master_sync_in_progress") == "1"


# ---------------------------------------------------------------------------
# Replica killed during the RDB transfer
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("sync", ["diskless", "disk"])
@pytest.mark.parametrize("master_kind", list(MASTERS))
def test_replica_sigkill_during_transfer(server_factory, tmp_path, master_kind, sync):
    """replication.tcl "diskless ... replicas drop during rdb pipe": the
    replica dies in the middle of a full sync (with rdb-key-save-delay the
    RDB takes ~2 s to produce), is started again in its directory (only a
    temp file of the transfer there) and completes a new full sync."""
    master = Node(server_factory, MASTERS[master_kind], tmp_path / "master",
                  rm.pair_args("yes" if sync == "diskless" else "no"))
    rm.slow_transfer_dataset(master, 20000, 100)
    replica = replica_of(server_factory, tmp_path, master)
    rm._poll(lambda: sync_in_progress(replica), 10, "sync in progress")
    time.sleep(0.5)
    assert sync_in_progress(replica)
    replica.kill9()
    # why: Redis kills an RDB child that only served replicas once no
    # replica waits for it (replication.tcl "Kill rdb child process if its
    # dumping RDB is not useful"; diskless: "Diskless rdb transfer, last
    # replica dropped, killing fork child."), well before the ~2 s save ends.
    rm._poll(lambda: master.field("rdb_bgsave_in_progress", "persistence") == "0", 1.2,
             "the RDB child killed")
    rm.write_small(master, "after-kill", 200)
    master.config_set("rdb-key-save-delay", 0)
    replica.restart()
    rm.wait_link_up(replica, 60)
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") == 2
    assert rm.replid(replica) == rm.replid(master)


# ---------------------------------------------------------------------------
# Master killed and restarted on its RDB
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["sigkill_after_bgsave", "shutdown_save",
                                 "sigkill_writes_after_bgsave", "sigkill_keys_expire_in_rdb"])
def test_master_restarted_on_its_rdb(server_factory, tmp_path, how):
    """psync2-master-restart.tcl. The master's RDB carries its replid and
    offset (aux repl-id / repl-offset); started on it, Redis takes a new
    replid, keeps the old one as replid2 valid up to offset+1, and so the
    replica continues partially when it is not ahead of the RDB. When it is
    (writes after the BGSAVE died with the master) the master refuses the
    offset and the replica full-resyncs to the master's (older) data."""
    # No PINGs from the master: they would move the offset past the RDB's.
    args = ["--repl-ping-replica-period", "3600", "--repl-timeout", "60"]
    if how == "shutdown_save":
        args += ["--save", "3600 1"]
    master = Node(server_factory, VIREO_BIN, tmp_path / "master", args)
    replica = replica_of(server_factory, tmp_path, master, ["--repl-timeout", "60"])
    rm.wait_link_up(replica)
    rm.write_everything(master, rm.optional_groups(master))
    rm.write_small(master, "pre")
    c = master.client()
    if how == "sigkill_keys_expire_in_rdb":
        # psync2-master-restart.tcl "with expire": keys that expire while
        # the master is down (active expiry off: they are in the RDB).
        c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
        for j in range(200):
            c.execute_command("SELECT", j % 16)
            c.set("exp:%d" % j, "v", px=500)
        c.execute_command("SELECT", 0)
        expire_at = time.time() + 0.6
    rm.assert_synced(master, replica)
    old_id = rm.replid(master)
    if how != "shutdown_save":
        c.bgsave()
        rm._poll(lambda: master.field("rdb_bgsave_in_progress", "persistence") == "0"
                 and master.field("rdb_last_bgsave_status", "persistence") == "ok", 20,
                 "BGSAVE done")
    saved_offset = int(master.field("master_repl_offset"))
    if how == "sigkill_writes_after_bgsave":
        rm.write_small(master, "lost-with-the-master")
        rm.wait_offsets(master, replica)
    c.close()
    if how == "shutdown_save":
        master.shutdown()
    else:
        master.kill9()
    rm._poll(lambda: replica.field("master_link_status") == "down", 10, "link down")
    # What the replica processed: for SHUTDOWN more than saved_offset when
    # the replica's last ACK lagged. why: Redis's SHUTDOWN then sends
    # REPLCONF GETACK * (37 bytes of stream), logs "Waiting for replicas
    # before shutting down.", waits up to shutdown-timeout for the ACKs,
    # logs "1 of 1 replicas are in sync when shutting down." and saves the
    # offset after the GETACK in the RDB.
    replica_offset = int(replica.field("master_repl_offset"))
    if how in ("sigkill_after_bgsave", "sigkill_keys_expire_in_rdb"):
        assert replica_offset == saved_offset
    elif how == "shutdown_save":
        assert replica_offset in (saved_offset, saved_offset + 37), (replica_offset, saved_offset)
        saved_offset = replica_offset
    before_restart = rm.keyspace(replica)
    if how == "sigkill_keys_expire_in_rdb":
        time.sleep(max(0, expire_at - time.time()))
    master.restart()
    rm.wait_link_up(replica, 30)
    rm.assert_synced(master, replica)

    i = master.info()
    assert i["master_replid"] != old_id
    assert i["master_replid2"] == old_id
    assert int(i["second_repl_offset"]) == saved_offset + 1
    assert rm.replid(replica) == i["master_replid"]
    if how == "sigkill_writes_after_bgsave":
        assert (master.stat("sync_full"), master.stat("sync_partial_ok")) == (1, 0)
        assert master.stat("sync_partial_err") == 1
        # why: Redis's words when the replica asks past the old id's end.
        assert any(re.search(r"Partial resynchronization not accepted: Requested offset for "
                             r"second ID was \d+, but I can reply up to %d" % (saved_offset + 1),
                             ln) for ln in master.log().splitlines()), master.log()[-3000:]
        assert replica.client().get("lost-with-the-master:n") is None
    else:
        assert (master.stat("sync_full"), master.stat("sync_partial_ok")) == (0, 1)
        # why: Redis feeds a DEL for each key found expired while loading
        # into the new backlog: the offset moves on by what it holds.
        expired = 200 if how == "sigkill_keys_expire_in_rdb" else 0
        assert int(master.field("rdb_last_load_keys_expired", "persistence")) == expired
        assert int(i["master_repl_offset"]) == saved_offset + int(i["repl_backlog_histlen"])
        assert (int(i["repl_backlog_histlen"]) > 0) == bool(expired)
        if expired:
            # db 14 held only expiring keys: the DELs emptied it on the
            # replica (which never expires keys by itself).
            assert before_restart[14] == 12 and 14 not in rm.keyspace(replica)


# ---------------------------------------------------------------------------
# Backlog too small or freed: full resync, never a wrong partial one
# ---------------------------------------------------------------------------

def cut_and_wait(master, replica, during):
    """The replica is stopped, the master drops it, `during()` runs, then the
    replica resumes (and finds its link closed)."""
    full, perr = master.stat("sync_full"), master.stat("sync_partial_err")
    replica.signal(signal.SIGSTOP)
    try:
        mc = master.client()
        assert mc.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1
        mc.close()
        during()
    finally:
        replica.signal(signal.SIGCONT)
    rm._poll(lambda: master.stat("sync_full") == full + 1, 30, "a new full sync")
    rm.wait_link_up(replica)
    rm.assert_synced(master, replica)
    assert master.stat("sync_partial_err") == perr + 1
    return full


@pytest.mark.parametrize("master_kind", list(MASTERS))
def test_backlog_too_small_forces_full_resync(server_factory, tmp_path, master_kind):
    """replication-psync.tcl "no backlog": the gap (256 KB) is larger than
    the 16 KB backlog: PSYNC is refused ("for lack of backlog")."""
    master = Node(server_factory, MASTERS[master_kind], tmp_path / "master",
                  ["--repl-backlog-size", "16384"])
    replica = replica_of(server_factory, tmp_path, master)
    rm.wait_link_up(replica)
    rm.write_small(master, "pre")
    rm.assert_synced(master, replica)
    cut_and_wait(master, replica, lambda: (rm.write_bytes(master, "gap", 256 * 1024, 1000),
                                           rm.write_small(master, "gap2", 50, db=4)))
    assert master.stat("sync_partial_ok") == 0
    assert re.search(r"Unable to partial resync with replica 127\.0\.0\.1:%d for lack of "
                     r"backlog \(Replica request was: \d+\)\." % replica.port,
                     master.log()), master.log()[-3000:]


def test_backlog_freed_after_ttl_forces_full_resync(server_factory, tmp_path):
    """replication-psync.tcl "backlog expired": with no replica for
    repl-backlog-ttl seconds the master frees its backlog and takes a new
    replid; the returning replica's PSYNC no longer matches."""
    master = Node(server_factory, VIREO_BIN, tmp_path / "master", ["--repl-backlog-ttl", "1"])
    replica = replica_of(server_factory, tmp_path, master)
    rm.wait_link_up(replica)
    rm.write_small(master, "pre")
    rm.assert_synced(master, replica)
    old_id = rm.replid(master)

    def during():
        rm._poll(lambda: master.field("repl_backlog_active") == "0", 10, "backlog freed")
        rm.write_small(master, "gap", 20)

    cut_and_wait(master, replica, during)
    assert rm.replid(master) != old_id
    # why: Redis logs the free (with the configured ttl) and the id mismatch.
    assert "Replication backlog freed after 1 seconds without connected replicas." \
        in master.log(), master.log()[-3000:]
    assert "Partial resynchronization not accepted: Replication ID mismatch" in master.log()


# ---------------------------------------------------------------------------
# Output buffer limit of a replica in a full sync
# ---------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("sync", ["diskless", "disk"])
def test_replica_output_buffer_limit_during_full_sync(server_factory, tmp_path, sync):
    """While the RDB is produced slowly, writes pile up in the replica's
    output buffer past `client-output-buffer-limit replica 256kb 128kb 1`:
    the master drops it with Redis's log line, the replica retries, and
    syncs once the writes stop."""
    master = Node(server_factory, VIREO_BIN, tmp_path / "master",
                  rm.pair_args("yes" if sync == "diskless" else "no") +
                  ["--client-output-buffer-limit", "replica 256kb 128kb 1"])
    rm.slow_transfer_dataset(master, 10000, 200)  # ~2 s per RDB
    replica = replica_of(server_factory, tmp_path, master)
    rm._poll(lambda: sync_in_progress(replica), 10, "sync in progress")
    # why: Redis's line (catClientInfoString of the replica, flags=S).
    closed = re.compile(r"Client id=\d+ addr=127\.0\.0\.1:\d+ .*flags=S.* scheduled to be "
                        r"closed ASAP for overcoming of output buffer limits\.")
    # Flood for 4 s: the first sync and the retries during the flood all
    # overrun the limit.
    deadline = time.time() + 4 * SLOW
    i = 0
    while time.time() < deadline:
        rm.write_bytes(master, "flood%d" % (i % 8), 64 * 1024, 1024)
        i += 1
        time.sleep(0.01)
    drops = closed.findall(master.log())
    assert len(drops) >= 2, master.log()[-3000:]
    master.config_set("rdb-key-save-delay", 0)
    rm.wait_link_up(replica, 60)
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") >= len(drops) + 1


# ---------------------------------------------------------------------------
# Stale master, stopped replica
# ---------------------------------------------------------------------------

# The whole error line, as Redis sends it (-MASTERDOWN ...\r\n).
MASTERDOWN = RespError(b"MASTERDOWN Link with MASTER is down and replica-serve-stale-data "
                       b"is set to 'no'.")


def test_stale_replica_answers_masterdown(server_factory, tmp_path):
    """The master is SIGSTOPped past repl-timeout: the replica with
    replica-serve-stale-data no refuses data commands with -MASTERDOWN,
    the default one serves its stale data; both recover after SIGCONT."""
    master = Node(server_factory, VIREO_BIN, tmp_path / "master", ["--repl-timeout", "3"])
    strict = replica_of(server_factory, tmp_path, master,
                        ["--repl-timeout", "3", "--replica-serve-stale-data", "no"], name="strict")
    lax = replica_of(server_factory, tmp_path, master, ["--repl-timeout", "3"], name="lax")
    rm.wait_link_up(strict)
    rm.wait_link_up(lax)
    master.client().set("k", "v1")
    rm.assert_synced(master, strict, lax)
    assert strict.client().get("k") == b"v1"

    master.signal(signal.SIGSTOP)
    try:
        rm._poll(lambda: strict.field("master_link_status") == "down", 15, "strict: link down")
        rm._poll(lambda: lax.field("master_link_status") == "down", 15, "lax: link down")
        with Raw(strict.port) as c:
            assert c.call("GET", "k") == MASTERDOWN
            assert c.call("DBSIZE") == MASTERDOWN
            # why: Redis checks read-only before stale data: a write gets
            # -READONLY, not -MASTERDOWN.
            assert c.call("SET", "k", "x") == \
                RespError(b"READONLY You can't write against a read only replica.")
            # why: PING has no "stale" flag in Redis 7.0: it is refused too.
            assert c.call("PING") == MASTERDOWN
            # Commands flagged "stale" still answer.
            assert b"master_link_status:down" in c.call("INFO", "replication")
            assert c.call("ECHO", "e") == b"e"
            assert c.call("SELECT", 1) == b"OK"
            assert c.call("ROLE")[0] == b"slave"
            assert c.call("CONFIG", "GET", "replica-serve-stale-data") == \
                [b"replica-serve-stale-data", b"no"]
        assert lax.client().get("k") == b"v1"
        # why: the replica's log line when the master went quiet.
        assert rm.log_lines(strict, "MASTER timeout: no data nor PING received..."), \
            strict.log()[-2000:]
    finally:
        master.signal(signal.SIGCONT)
    master.client().set("k", "v2")
    rm.wait_link_up(strict)
    rm.wait_link_up(lax)
    rm.assert_synced(master, strict, lax)
    assert strict.client().get("k") == b"v2"


def test_stopped_replica_is_dropped_and_comes_back(server_factory, tmp_path):
    """replication-2.tcl's SIGSTOP: a replica that sends no ACK for longer
    than repl-timeout is disconnected by the master; on SIGCONT it finds
    its link closed, reconnects and resyncs (partially: the backlog has
    what it missed)."""
    master = Node(server_factory, VIREO_BIN, tmp_path / "master", ["--repl-timeout", "2"])
    replica = replica_of(server_factory, tmp_path, master, ["--repl-timeout", "2"])
    rm.wait_link_up(replica)
    rm.wait_online(master, 1)
    rm.write_small(master, "pre")
    rm.assert_synced(master, replica)
    full, ok = master.stat("sync_full"), master.stat("sync_partial_ok")
    replica.signal(signal.SIGSTOP)
    try:
        rm._poll(lambda: master.field("connected_slaves") == "0", 15, "replica dropped")
        rm.write_small(master, "while-stopped", 300, db=2)
    finally:
        replica.signal(signal.SIGCONT)
    # why: the master's exact log line for a replica that stopped ACKing.
    assert "Disconnecting timedout replica (streaming sync): 127.0.0.1:%d" % replica.port \
        in master.log(), master.log()[-3000:]
    rm._poll(lambda: master.stat("sync_partial_ok") >= ok + 1, 20, "partial resync")
    rm.wait_link_up(replica)
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") == full


# ---------------------------------------------------------------------------
# No acknowledged write lost
# ---------------------------------------------------------------------------

class Workload:
    """A thread doing INCR / RPUSH batches, each followed by WAIT 1 200.
    `acked` is (counter value, list length) after the last batch that WAIT
    confirmed on at least one replica."""

    def __init__(self, master):
        self.master = master
        self.stop = threading.Event()
        self.acked = (0, 0)
        self.batches = self.acked_batches = 0
        self.error = None
        self.t = threading.Thread(target=self.run)
        self.t.start()

    def run(self):
        c = self.master.client(timeout=10)
        n = 0
        try:
            while not self.stop.is_set():
                p = c.pipeline(transaction=False)
                for _ in range(20):
                    n += 1
                    p.incr("acked:ctr")
                    p.rpush("acked:list", n)
                got = p.execute()
                ctr, length = got[-2], got[-1]
                assert (ctr, length) == (n, n), got[-2:]
                self.batches += 1
                if c.execute_command("WAIT", 1, 200) >= 1:
                    self.acked = (ctr, length)
                    self.acked_batches += 1
        except Exception as e:  # noqa: BLE001 -- reported by finish()
            self.error = e
        finally:
            c.close()

    def finish(self):
        self.stop.set()
        self.t.join()
        assert self.error is None, self.error
        return self.acked


def check_acked(node, acked):
    ctr, length = acked
    c = node.client()
    try:
        got_ctr = int(c.get("acked:ctr") or 0)
        got_list = [int(x) for x in c.lrange("acked:list", 0, length - 1)]
    finally:
        c.close()
    assert got_ctr >= ctr, "%s lost acknowledged INCRs: %d < %d" % (node.name, got_ctr, ctr)
    assert got_list == list(range(1, length + 1)), "%s lost acknowledged RPUSHes" % node.name


@pytest.mark.slow
@pytest.mark.parametrize("master_kind", list(MASTERS))
def test_acknowledged_writes_survive_replica_kill(server_factory, tmp_path, master_kind):
    master = Node(server_factory, MASTERS[master_kind], tmp_path / "master")
    replica = replica_of(server_factory, tmp_path, master)
    rm.wait_link_up(replica)
    rm.wait_online(master, 1)
    w = Workload(master)
    try:
        time.sleep(1.0)
        for _ in range(2):
            acked_before = w.acked
            replica.kill9()
            time.sleep(0.3)
            replica.restart()
            rm.wait_link_up(replica, 30)
            # Once the replica has processed what the master had written
            # when the link came up, everything acknowledged before the kill
            # is there again.
            target = int(master.field("master_repl_offset"))
            rm._poll(lambda: int(replica.field("master_repl_offset")) >= target, 30,
                     "replica caught up")
            check_acked(replica, acked_before)
            time.sleep(0.5)
    finally:
        acked = w.finish()
    assert w.acked_batches > 0 and acked[0] > 0
    rm.assert_synced(master, replica)
    check_acked(master, acked)
    check_acked(replica, acked)
