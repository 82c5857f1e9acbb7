"""Helpers shared by the Pub/Sub integration tests (test_pubsub.py,
test_pubsub_load.py): the `rd` fixture of deferring raw clients and the
subscribe helpers of Redis's tests/helpers/util.tcl, reading one
confirmation per channel.
"""
import re

import pytest

from integ_util import Raw

CTX_ERR = (b"ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
           b"RESET are allowed in this context")


@pytest.fixture
def rd(srv):
    """Deferring clients (redis_deferring_client): raw connections."""
    conns = []

    def make(resp3=False):
        c = Raw(srv.port)
        conns.append(c)
        if resp3:
            assert isinstance(c.call("HELLO", "3"), dict)
        return c

    yield make
    for c in conns:
        c.close()


def b(x):
    return x.encode() if isinstance(x, str) else x


# The helpers of tests/helpers/util.tcl: send the command, read one
# confirmation per channel, return the counts.
def _sub(conn, cmd, kind, names):
    conn.cmd(cmd, *names)
    counts = []
    for name in names:
        frame = conn.read_reply()
        assert frame[0] == b(kind) and frame[1] == b(name), frame
        counts.append(frame[2])
    return counts


def subscribe(c, *ch):
    return _sub(c, "SUBSCRIBE", "subscribe", ch)


def psubscribe(c, *p):
    return _sub(c, "PSUBSCRIBE", "psubscribe", p)


def ssubscribe(c, *ch):
    return _sub(c, "SSUBSCRIBE", "ssubscribe", ch)


def unsubscribe(c, *ch):
    return _sub(c, "UNSUBSCRIBE", "unsubscribe", ch)


def punsubscribe(c, *p):
    return _sub(c, "PUNSUBSCRIBE", "punsubscribe", p)


def sunsubscribe(c, *ch):
    return _sub(c, "SUNSUBSCRIBE", "sunsubscribe", ch)


def unsub_all(c, cmd, kind, n):
    """UNSUBSCRIBE-style command without arguments from `n` subscriptions:
    reads the n confirmations (one with a null name when n is 0)."""
    c.cmd(cmd)
    frames = []
    for _ in range(max(n, 1)):
        f = c.read_reply()
        assert f[0] == b(kind), f
        frames.append(f)
    return frames


def msg(*parts):
    return [b(p) for p in parts]


def error_count(port):
    """errorstat_ERR's count, from the raw INFO text."""
    with Raw(port) as c:
        text = c.call("INFO", "errorstats").decode()
    m = re.search(r"errorstat_ERR:count=(\d+)", text)
    return int(m.group(1)) if m else 0


def nothing_pending(conn, idle=0.1):
    data, closed = conn.recv_until_idle(idle)
    return data == b"" and not closed
