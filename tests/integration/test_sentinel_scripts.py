"""Sentinel scripts and TILT (issue 11): the notification script run for
warning-level events, the client-reconfig script run by the failover
leader, the retry of a script that exits 1 (SENTINEL PENDING-SCRIPTS), the
kill of a script running too long, and TILT after the sentinel's timer was
held up (SIGSTOP).

Owned by the sentinel suite. Every test passes against redis-server 7.0.15
in sentinel mode as well.
"""
import os
import signal
import stat
import time

import sentinel_util as su
from integ_util import SLOW

NAME = su.NAME
HOST = su.HOST


def script(path, body):
    """An executable /bin/sh script."""
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


def read_lines(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n") for line in f]
    except FileNotFoundError:
        return []


def test_notification_and_client_reconfig_scripts(server_factory, procs, tmp_path):
    notes = tmp_path / "notes.txt"
    reconf = tmp_path / "reconf.txt"
    notify = script(tmp_path / "notify.sh", 'echo "$@" >> %s' % notes)
    reconfig = script(tmp_path / "reconfig.sh", 'echo "$@" >> %s' % reconf)
    extra = ["sentinel notification-script %s %s" % (NAME, notify),
             "sentinel client-reconfig-script %s %s" % (NAME, reconfig)]
    with su.running(server_factory, procs, tmp_path, replicas=1, sentinels=1, quorum=1,
                    sentinel_extra=extra) as cl:
        s = cl.sentinels[0]
        m = s.master()
        assert m["notification-script"] == notify
        assert m["client-reconfig-script"] == reconfig
        # A warning-level event of the master runs the notification script
        # with the event name and its text.
        assert s.call("SENTINEL", "SET", NAME, "quorum", 1) == b"OK"
        want = "+set %s quorum 1" % su.master_text(cl.master.port)
        su.poll(lambda: want in read_lines(notes), lambda: read_lines(notes))
        # The failover leader calls the reconfig script once: leader start.
        old, new = cl.master, cl.replicas[0]
        cl.wait_links_up()
        assert s.call("SENTINEL", "FAILOVER", NAME) == b"OK"
        cl.wait_addr_changed(old.port)
        line = "%s leader start %s %d %s %d" % (NAME, HOST, old.port, HOST, new.port)
        su.poll(lambda: line in read_lines(reconf), lambda: read_lines(reconf))
        su.poll(lambda: any(x.startswith("+switch-master ") for x in read_lines(notes)),
                lambda: read_lines(notes))


def test_script_exiting_1_is_retried_and_long_scripts_are_killed(server_factory, procs, tmp_path):
    runs = tmp_path / "runs.txt"
    failing = script(tmp_path / "fail.sh", 'echo run >> %s; exit 1' % runs)
    with su.running(server_factory, procs, tmp_path, replicas=0, sentinels=1, quorum=1,
                    sentinel_extra=["sentinel notification-script %s %s" % (NAME, failing)],
                    events=False) as cl:
        s = cl.sentinels[0]
        # The +monitor event at startup (warning level) ran it once; it
        # failed with 1, so it waits for its retry (30 s later by default).
        su.poll(lambda: read_lines(runs) == ["run"], lambda: read_lines(runs))

        def scheduled():
            jobs = [su.pairs(j) for j in s.cmd("SENTINEL", "PENDING-SCRIPTS")]
            return jobs if jobs and jobs[0]["flags"] == "scheduled" else None
        jobs = su.poll(scheduled, "the failed script is not waiting for its retry")
        (job,) = jobs
        assert job["argv"] == [failing, "+monitor", su.master_text(cl.master.port) + " quorum 1"]
        assert job["retry-num"] == "1" and job["pid"] == "0"
        assert 0 < int(job["run-delay"]) <= 30000
        assert "sentinel_scripts_queue_length:1\r\n" in s.info("sentinel")
        assert read_lines(runs) == ["run"]

    # A script that runs past script-max-runtime is killed (SIGKILL) and,
    # killed by a signal, waits for a retry.
    slow = script(tmp_path / "slow.sh", "exec sleep 30")
    with su.running(server_factory, procs, tmp_path / "b", replicas=0, sentinels=1, quorum=1,
                    sentinel_extra=["sentinel notification-script %s %s" % (NAME, slow)]) as cl:
        s = cl.sentinels[0]
        ev = cl.events[s.name]
        # The +monitor event at startup started it.
        assert s.call("SENTINEL", "DEBUG", "script-max-runtime", 300,
                      "script-retry-delay", 600000) == b"OK"
        payload = ev.wait("-script-timeout", slow, timeout=20)
        pid = int(payload.split()[-1])
        su.poll(lambda: not _alive(pid), "the slow script was not killed")


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_tilt_after_the_timer_was_held_up(server_factory, procs, tmp_path):
    with su.running(server_factory, procs, tmp_path, replicas=0, sentinels=1, quorum=1) as cl:
        s = cl.sentinels[0]
        ev = cl.events[s.name]
        assert s.call("SENTINEL", "DEBUG", "tilt-period", 1500) == b"OK"
        os.kill(s.pid, signal.SIGSTOP)
        try:
            time.sleep(2.5)  # longer than tilt-trigger (2 s): the gap is the point
        finally:
            os.kill(s.pid, signal.SIGCONT)
        ev.wait("+tilt", "#tilt mode entered")
        ev.wait("-tilt", "#tilt mode exited", timeout=20 * SLOW)
        assert "sentinel_tilt:0\r\n" in s.info("sentinel")
