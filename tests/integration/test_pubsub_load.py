"""Pub/Sub under load: big messages around and above the shared-frame
threshold (4096 bytes) and 64 KB to many subscribers, slow subscribers cut
by client-output-buffer-limit pubsub (hard and soft limits, RESP2 and RESP3,
channels and patterns) while the others are served, 5000 channels in one
SUBSCRIBE, hundreds of patterns, CLIENT PAUSE holding PUBLISH.

No .tcl counterpart (pubsub.tcl has none of these); the expectations are
redis-server 7.0.15's, checked with VIREO_BIN=/usr/bin/redis-server.
"""
import socket
import time

import pytest

from integ_util import encode, wait_for
from pubsub_util import (  # noqa: F401  (rd is a fixture)
    msg, nothing_pending, psubscribe, rd, ssubscribe, subscribe, unsub_all)

pytestmark = pytest.mark.requires_commands(
    "subscribe", "psubscribe", "ssubscribe", "publish", "spublish", "pubsub")


# --------------------------------------------------------------------------
# Big messages and slow subscribers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("size", [4095, 4096, 5000, 65536, 70000, 300000])
def test_big_messages_many_subscribers(srv, rd, size):
    """Messages around and above the shared-frame threshold (4096 bytes) and
    above 64 KB, to many subscribers (RESP2 and RESP3, channel and pattern):
    every subscriber gets identical bytes, in order with small messages."""
    pub = srv.client()
    subs2 = [rd() for _ in range(8)]
    subs3 = [rd(resp3=True) for _ in range(4)]
    pats = [rd() for _ in range(3)]
    for c in subs2 + subs3:
        subscribe(c, "big")
    for c in pats:
        psubscribe(c, "b*")
    big1 = bytes((i * 7 + size) % 251 for i in range(size))
    big2 = b"Z" * size
    seq = [b"small-1", big1, b"small-2", big2, b"s3"]
    pipe = pub.pipeline(transaction=False)
    for m in seq:
        pipe.publish("big", m)
    assert pipe.execute() == [15] * len(seq)

    def frames(prefix_byte, pattern):
        out = b""
        for m in seq:
            if pattern:
                out += (prefix_byte + b"4\r\n$8\r\npmessage\r\n$2\r\nb*\r\n$3\r\nbig\r\n"
                        b"$%d\r\n%s\r\n" % (len(m), m))
            else:
                out += (prefix_byte + b"3\r\n$7\r\nmessage\r\n$3\r\nbig\r\n"
                        b"$%d\r\n%s\r\n" % (len(m), m))
        return out

    want2, want3, wantp = frames(b"*", False), frames(b">", False), frames(b"*", True)
    for c in subs2:
        assert c.recv_exact(len(want2), timeout=10) == want2
    for c in subs3:
        assert c.recv_exact(len(want3), timeout=10) == want3
    for c in pats:
        assert c.recv_exact(len(wantp), timeout=10) == wantp
    for c in subs2 + subs3 + pats:
        assert nothing_pending(c, 0.05)
    pub.close()


def test_big_messages_interleaved_with_replies(srv, rd):
    """A RESP3 subscriber that also runs commands: big pushes and its own
    replies keep their order."""
    pub = srv.client()
    c = rd(resp3=True)
    subscribe(c, "ch")
    big = b"x" * 100000
    pub.publish("ch", big)
    c.cmd("PING")
    want = (b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$100000\r\n" + big + b"\r\n+PONG\r\n")
    assert c.recv_exact(len(want), timeout=10) == want
    pub.publish("ch", b"y" * 5000)
    c.cmd("ECHO", "e")
    want = (b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5000\r\n" + b"y" * 5000 + b"\r\n$1\r\ne\r\n")
    assert c.recv_exact(len(want), timeout=10) == want
    pub.close()


LIMIT_LOG = "scheduled to be closed ASAP for overcoming of output buffer limits"


def slow_socket(port, channel):
    """A subscriber that never reads, with a small receive buffer."""
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", port))
    slow.sendall(encode("SUBSCRIBE", channel))
    return slow


def closed_by_server(sock, timeout=5.0):
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(1 << 20):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_slow_subscriber_disconnected(srv, rd, rc, watcher):
    """client-output-buffer-limit pubsub (hard limit): a subscriber that
    never reads is closed once its pending output passes the limit; the
    publisher, another subscriber and a second client are served all along
    (closeClientOnOutputBufferLimitReached). Redis 7.0 has no INFO counter
    for this: the log line and PUBSUB NUMSUB show it."""
    assert rc.config_set("client-output-buffer-limit", "pubsub 256kb 0 0")
    slow = slow_socket(srv.port, "flood")
    fast = rd()
    subscribe(fast, "flood")
    assert wait_for(lambda: rc.execute_command("PUBSUB", "NUMSUB", "flood")[1] == 2)
    payload = b"p" * 16384
    frame = b"*3\r\n$7\r\nmessage\r\n$5\r\nflood\r\n$16384\r\n" + payload + b"\r\n"
    cut = False
    for i in range(1000):
        n = rc.publish("flood", payload)
        assert n in (1, 2)
        # The fast subscriber keeps reading, the watcher keeps getting PONGs.
        assert fast.recv_exact(len(frame), timeout=5) == frame
        if i % 50 == 0:
            watcher.ping()
        if n == 1:
            cut = True
            break
    assert cut, "the slow subscriber was never disconnected"
    assert rc.execute_command("PUBSUB", "NUMSUB", "flood") == ["flood", 1]
    assert wait_for(lambda: LIMIT_LOG in srv.read_log())
    assert srv.read_log().count(LIMIT_LOG) == 1
    assert closed_by_server(slow)
    slow.close()
    watcher.ping()
    assert rc.publish("flood", "after") == 1
    assert fast.read_reply() == msg("message", "flood", "after")


def test_slow_subscriber_soft_limit(srv, rc):
    """client-output-buffer-limit pubsub (soft limit): over the soft limit
    for longer than its seconds closes the subscriber, checked as its
    output grows."""
    assert rc.config_set("client-output-buffer-limit", "pubsub 0 64kb 1")
    slow = slow_socket(srv.port, "s")
    assert wait_for(lambda: rc.execute_command("PUBSUB", "NUMSUB", "s")[1] == 1)
    payload = "q" * 32768
    deadline = time.time() + 20
    while time.time() < deadline:
        if rc.publish("s", payload) == 0:
            break
        time.sleep(0.01)
    assert rc.execute_command("PUBSUB", "NUMSUB", "s") == ["s", 0]
    assert wait_for(lambda: LIMIT_LOG in srv.read_log())
    assert closed_by_server(slow)
    slow.close()


def test_slow_subscriber_not_cut_without_limit(srv, rc):
    """client-output-buffer-limit pubsub 0 0 0: no limit, the subscriber
    stays subscribed however much is pending."""
    assert rc.config_set("client-output-buffer-limit", "pubsub 0 0 0")
    slow = slow_socket(srv.port, "n")
    assert wait_for(lambda: rc.execute_command("PUBSUB", "NUMSUB", "n")[1] == 1)
    for _ in range(200):
        assert rc.publish("n", "z" * 32768) == 1
    assert LIMIT_LOG not in srv.read_log()
    slow.close()


def test_publish_to_closed_subscriber_counts(srv, rd, rc):
    """Many publishers and subscribers at once: counts are exact."""
    subs = [rd() for _ in range(20)]
    for i, c in enumerate(subs):
        subscribe(c, "all", "c%d" % i)
    pubs = [srv.client() for _ in range(5)]
    for j, p in enumerate(pubs):
        assert p.publish("all", "from%d" % j) == 20
    for i, c in enumerate(subs):
        assert [c.read_reply() for _ in range(5)] == [
            msg("message", "all", "from%d" % j) for j in range(5)]
        assert rc.publish("c%d" % i, "me") == 1
        assert c.read_reply() == msg("message", "c%d" % i, "me")
    for p in pubs:
        p.close()


def test_subscribe_many_channels_one_command(rc, rd):
    """One SUBSCRIBE of 5000 channels: 5000 confirmations in argument order,
    counting up; PUBSUB and INFO see them all; UNSUBSCRIBE without
    arguments confirms each once."""
    n = 5000
    names = ["ch:%d" % i for i in range(n)]
    c = rd()
    c.cmd("SUBSCRIBE", *names)
    for i, name in enumerate(names):
        assert c.read_reply() == [b"subscribe", name.encode(), i + 1]
    assert rc.info("stats")["pubsub_channels"] == n
    assert len(rc.execute_command("PUBSUB", "CHANNELS", "ch:1*")) == 1111
    assert rc.publish("ch:4999", "last") == 1
    assert c.read_reply() == msg("message", "ch:4999", "last")
    frames = unsub_all(c, "UNSUBSCRIBE", "unsubscribe", n)
    assert sorted(f[1] for f in frames) == sorted(x.encode() for x in names)
    assert [f[2] for f in frames] == list(range(n - 1, -1, -1))
    assert rc.info("stats")["pubsub_channels"] == 0


def test_many_patterns_fan_out(rc, rd):
    """302 patterns on two clients: PUBLISH counts
    one delivery per (client, matching pattern)."""
    c1, c2 = rd(), rd()
    pats = ["a%d*" % i for i in range(150)] + ["b%d*" % i for i in range(150)]
    c1.cmd("PSUBSCRIBE", *pats)
    for i, p in enumerate(pats):
        assert c1.read_reply() == [b"psubscribe", p.encode(), i + 1]
    psubscribe(c2, "*", "a*")
    assert rc.execute_command("PUBSUB", "NUMPAT") == 302
    # "a1..." matches a1*, a1x* only when the channel starts with them:
    # a channel "a1" matches a1* (not a10* ...).
    want = 1 + 2  # a1* on c1; * and a* on c2
    assert rc.publish("a1", "m") == want
    assert c1.read_reply() == msg("pmessage", "a1*", "a1", "m")
    got2 = sorted([c2.read_reply(), c2.read_reply()])
    assert got2 == sorted([msg("pmessage", "*", "a1", "m"), msg("pmessage", "a*", "a1", "m")])
    # "a100" matches a1*, a10*, a100*.
    assert rc.publish("a100", "m") == 3 + 2
    got1 = sorted(c1.read_reply() for _ in range(3))
    assert got1 == sorted(msg("pmessage", p, "a100", "m") for p in ("a1*", "a10*", "a100*"))
    assert nothing_pending(c1, 0.05)


def test_slow_pattern_subscriber_resp3_disconnected(srv, rd, rc, watcher):
    """client-output-buffer-limit pubsub applies to RESP3 pattern
    subscribers too; the others keep receiving every message."""
    assert rc.config_set("client-output-buffer-limit", "pubsub 128kb 0 0")
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", srv.port))
    slow.sendall(encode("HELLO", "3") + encode("PSUBSCRIBE", "fl*"))
    fast = rd(resp3=True)
    psubscribe(fast, "fl*")
    # Both pattern subscriptions are in place once a publish reaches two.
    assert wait_for(lambda: rc.publish("nothing-matches", "x") == 0 and
                    rc.execute_command("PUBSUB", "NUMPAT") == 1)
    assert wait_for(lambda: sum(1 for l in rc.execute_command("CLIENT", "LIST").splitlines()
                                if " psub=1 " in l) == 2)
    payload = b"f" * 20000
    frame = (b">4\r\n$8\r\npmessage\r\n$3\r\nfl*\r\n$5\r\nflood\r\n$20000\r\n" + payload +
             b"\r\n")
    for i in range(1000):
        n = rc.publish("flood", payload)
        assert fast.recv_exact(len(frame), timeout=5) == frame
        if i % 100 == 0:
            watcher.ping()
        if n == 1:
            break
    else:
        pytest.fail("the slow subscriber was never disconnected")
    assert wait_for(lambda: LIMIT_LOG in srv.read_log())
    assert closed_by_server(slow)
    slow.close()
    assert rc.publish("flood", "x") == 1


@pytest.mark.parametrize("mode", ["WRITE", "ALL"])
def test_client_pause_holds_publish(srv, rd, rc, mode):
    """CLIENT PAUSE WRITE holds PUBLISH and SPUBLISH (may-replicate
    commands) until the pause ends; SUBSCRIBE and PUBSUB are not writes
    (held only by PAUSE ALL)."""
    c = rd()
    subscribe(c, "p")
    ssubscribe(c, "sp")
    other = rd()
    assert rc.execute_command("CLIENT", "PAUSE", 400, mode) == "OK"
    t0 = time.time()
    other.cmd("PUBLISH", "p", "held")
    other.cmd("SPUBLISH", "sp", "held")
    q = rd()
    q.cmd("PUBSUB", "NUMSUB", "p")
    if mode == "WRITE":
        assert q.read_reply() == [b"p", 1]
        assert time.time() - t0 < 0.3
    assert other.read_reply() == 1
    assert other.read_reply() == 1
    assert time.time() - t0 >= 0.3
    if mode == "ALL":
        assert q.read_reply() == [b"p", 1]
    assert c.read_reply() == msg("message", "p", "held")
    assert c.read_reply() == msg("smessage", "sp", "held")


def test_big_channel_name_and_many_subscribers(srv, rd):
    """A 70 KB channel name (in the confirmation, the message and the
    pattern message) and 200 subscribers of one shared 100 KB frame."""
    pub = srv.client()
    name = b"c" * 70000
    c = rd()
    c.cmd("SUBSCRIBE", name)
    assert c.read_reply() == [b"subscribe", name, 1]
    psubscribe(c, "c*")
    subs = [rd() for _ in range(200)]
    for s in subs:
        subscribe(s, "wide")
    assert pub.publish(name, b"m") == 2
    assert c.read_reply() == [b"message", name, b"m"]
    assert c.read_reply() == [b"pmessage", b"c*", name, b"m"]
    payload = bytes(range(256)) * 400
    assert pub.publish("wide", payload) == 200
    frame = b"*3\r\n$7\r\nmessage\r\n$4\r\nwide\r\n$102400\r\n" + payload + b"\r\n"
    for s in subs:
        assert s.recv_exact(len(frame), timeout=10) == frame
    # Half of them go away; the rest still get the next one.
    for s in subs[:100]:
        s.close()
    assert wait_for(lambda: pub.execute_command("PUBSUB", "NUMSUB", "wide")[1] == 100)
    assert pub.publish("wide", payload) == 100
    for s in subs[100:]:
        assert s.recv_exact(len(frame), timeout=10) == frame
    pub.close()
