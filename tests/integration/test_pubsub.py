"""Pub/Sub: SUBSCRIBE PSUBSCRIBE SSUBSCRIBE, their UNSUBSCRIBEs, PUBLISH
SPUBLISH, PUBSUB introspection, the RESP2 subscribed context, RESP3 pushes,
redis-py's PubSub. Big messages, slow subscribers, CLIENT PAUSE and many
channels / patterns are in test_pubsub_load.py.

Cases ported from Redis 7.0.15's tests/unit/pubsub.tcl and pubsubshard.tcl
(the ones that need no replication, cluster or scripting); each docstring
names the .tcl test. The keyspace-notification cases of pubsub.tcl are in
test_keyspace_events.py. Every test passes against redis-server 7.0.15 too
(VIREO_BIN=/usr/bin/redis-server).

Subscribers are raw connections (integ_util.Raw), so the exact frames are
checked, in RESP2 and RESP3; redis-py's PubSub object is used too, as a
client library would.
"""
import re

import pytest
import redis

from integ_util import RespError, encode, wait_for
from pubsub_util import (  # noqa: F401  (rd is a fixture)
    CTX_ERR, error_count, msg, nothing_pending, psubscribe, punsubscribe, rd, ssubscribe,
    subscribe, sunsubscribe, unsub_all, unsubscribe, _sub)

pytestmark = pytest.mark.requires_commands(
    "subscribe", "psubscribe", "ssubscribe", "publish", "spublish", "pubsub")


# --------------------------------------------------------------------------
# pubsub.tcl
# --------------------------------------------------------------------------

def test_pubsub_ping(rd):
    """pubsub.tcl: Pub/Sub PING"""
    c = rd()
    subscribe(c, "somechannel")
    c.cmd("PING")
    c.cmd("PING", "foo")
    assert c.read_reply() == [b"pong", b""]
    assert c.read_reply() == [b"pong", b"foo"]
    unsubscribe(c, "somechannel")
    assert c.call("PING") == b"PONG"


def test_ping_subscribed_raw_bytes(rd):
    """pubsub.tcl: Pub/Sub PING — the exact RESP2 frames, and RESP3 (plain
    replies there, as outside subscribed mode)."""
    c = rd()
    subscribe(c, "ch")
    c.send(encode("PING") + encode("PING", "x"))
    want = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n"
    assert c.recv_exact(len(want)) == want
    c3 = rd(resp3=True)
    subscribe(c3, "ch")
    c3.send(encode("PING") + encode("PING", "x"))
    want3 = b"+PONG\r\n$1\r\nx\r\n"
    assert c3.recv_exact(len(want3)) == want3


def test_publish_subscribe_basics(rc, rd):
    """pubsub.tcl: PUBLISH/SUBSCRIBE basics"""
    c = rd()
    assert subscribe(c, "chan1", "chan2") == [1, 2]
    assert rc.publish("chan1", "hello") == 1
    assert rc.publish("chan2", "world") == 1
    assert c.read_reply() == msg("message", "chan1", "hello")
    assert c.read_reply() == msg("message", "chan2", "world")
    unsubscribe(c, "chan1")
    assert rc.publish("chan1", "hello") == 0
    assert rc.publish("chan2", "world") == 1
    assert c.read_reply() == msg("message", "chan2", "world")
    unsubscribe(c, "chan2")
    assert rc.publish("chan1", "hello") == 0
    assert rc.publish("chan2", "world") == 0
    assert nothing_pending(c)


def test_publish_subscribe_two_clients(rc, rd):
    """pubsub.tcl: PUBLISH/SUBSCRIBE with two clients"""
    c1, c2 = rd(), rd()
    assert subscribe(c1, "chan1") == [1]
    assert subscribe(c2, "chan1") == [1]
    assert rc.publish("chan1", "hello") == 2
    assert c1.read_reply() == msg("message", "chan1", "hello")
    assert c2.read_reply() == msg("message", "chan1", "hello")


def test_publish_after_unsubscribe_without_args(rc, rd):
    """pubsub.tcl: PUBLISH/SUBSCRIBE after UNSUBSCRIBE without arguments"""
    c = rd()
    assert subscribe(c, "chan1", "chan2", "chan3") == [1, 2, 3]
    frames = unsub_all(c, "UNSUBSCRIBE", "unsubscribe", 3)
    assert sorted(f[1] for f in frames) == [b"chan1", b"chan2", b"chan3"]
    assert [f[2] for f in frames] == [2, 1, 0]
    for ch in ("chan1", "chan2", "chan3"):
        assert rc.publish(ch, "hello") == 0
    # Out of subscribed mode: ordinary commands work again.
    assert c.call("GET", "x") is None


def test_subscribe_one_channel_more_than_once(rc, rd):
    """pubsub.tcl: SUBSCRIBE to one channel more than once"""
    c = rd()
    assert subscribe(c, "chan1", "chan1", "chan1") == [1, 1, 1]
    assert rc.publish("chan1", "hello") == 1
    assert c.read_reply() == msg("message", "chan1", "hello")
    assert nothing_pending(c)


def test_unsubscribe_from_non_subscribed(rd):
    """pubsub.tcl: UNSUBSCRIBE from non-subscribed channels"""
    c = rd()
    assert unsubscribe(c, "foo", "bar", "quux") == [0, 0, 0]
    # Never entered subscribed mode.
    assert c.call("GET", "x") is None


def test_publish_psubscribe_basics(rc, rd):
    """pubsub.tcl: PUBLISH/PSUBSCRIBE basics"""
    c = rd()
    assert psubscribe(c, "foo.*", "bar.*") == [1, 2]
    assert rc.publish("foo.1", "hello") == 1
    assert rc.publish("bar.1", "hello") == 1
    assert rc.publish("foo1", "hello") == 0
    assert rc.publish("barfoo.1", "hello") == 0
    assert rc.publish("qux.1", "hello") == 0
    assert c.read_reply() == msg("pmessage", "foo.*", "foo.1", "hello")
    assert c.read_reply() == msg("pmessage", "bar.*", "bar.1", "hello")
    assert punsubscribe(c, "foo.*") == [1]
    assert rc.publish("foo.1", "hello") == 0
    assert rc.publish("bar.1", "hello") == 1
    assert c.read_reply() == msg("pmessage", "bar.*", "bar.1", "hello")
    assert punsubscribe(c, "bar.*") == [0]
    assert rc.publish("foo.1", "hello") == 0
    assert rc.publish("bar.1", "hello") == 0
    assert nothing_pending(c)


def test_publish_psubscribe_two_clients(rc, rd):
    """pubsub.tcl: PUBLISH/PSUBSCRIBE with two clients"""
    c1, c2 = rd(), rd()
    assert psubscribe(c1, "chan.*") == [1]
    assert psubscribe(c2, "chan.*") == [1]
    assert rc.publish("chan.foo", "hello") == 2
    assert c1.read_reply() == msg("pmessage", "chan.*", "chan.foo", "hello")
    assert c2.read_reply() == msg("pmessage", "chan.*", "chan.foo", "hello")


def test_publish_after_punsubscribe_without_args(rc, rd):
    """pubsub.tcl: PUBLISH/PSUBSCRIBE after PUNSUBSCRIBE without arguments"""
    c = rd()
    assert psubscribe(c, "chan1.*", "chan2.*", "chan3.*") == [1, 2, 3]
    frames = unsub_all(c, "PUNSUBSCRIBE", "punsubscribe", 3)
    # Redis walks the client's pattern list: subscription order.
    assert frames == [msg("punsubscribe", "chan1.*") + [2], msg("punsubscribe", "chan2.*") + [1],
                      msg("punsubscribe", "chan3.*") + [0]]
    for ch in ("chan1.hi", "chan2.hi", "chan3.hi"):
        assert rc.publish(ch, "hello") == 0


def test_pubsub_messages_with_client_reply_off(rc, rd):
    """pubsub.tcl: PubSub messages with CLIENT REPLY OFF"""
    c = rd(resp3=True)
    c.cmd("CLIENT", "REPLY", "OFF")
    assert subscribe(c, "channel") == [1]
    assert psubscribe(c, "ch*") == [2]
    c.cmd("CLIENT", "REPLY", "OFF")
    assert rc.publish("channel", "hello") == 2
    assert c.read_reply() == msg("message", "channel", "hello")
    assert c.read_reply() == msg("pmessage", "ch*", "channel", "hello")
    c.cmd("CLIENT", "REPLY", "OFF")
    assert unsubscribe(c, "channel") == [1]
    assert punsubscribe(c, "ch*") == [0]
    # Ordinary replies stay muted.
    c.cmd("PING")
    assert nothing_pending(c)


def test_client_reply_off_resp2(rc, rd):
    """pubsub.tcl: PubSub messages with CLIENT REPLY OFF — in RESP2 too the
    confirmations and messages are pushes, written while replies are off."""
    c = rd()
    c.cmd("CLIENT", "REPLY", "OFF")
    assert subscribe(c, "channel") == [1]
    assert rc.publish("channel", "hello") == 1
    assert c.read_reply() == msg("message", "channel", "hello")
    assert unsubscribe(c, "channel") == [0]
    c.cmd("PING")
    assert nothing_pending(c)


def test_punsubscribe_from_non_subscribed(rd):
    """pubsub.tcl: PUNSUBSCRIBE from non-subscribed channels"""
    c = rd()
    assert punsubscribe(c, "foo.*", "bar.*", "quux.*") == [0, 0, 0]


def test_numsub_returns_numbers(rc):
    """pubsub.tcl: NUMSUB returns numbers, not strings (#1561)"""
    assert rc.execute_command("PUBSUB", "NUMSUB", "abc", "def") == ["abc", 0, "def", 0]
    assert rc.execute_command("PUBSUB", "NUMSUB") == []


def test_numpat_unique_patterns(rc, rd):
    """pubsub.tcl: NUMPATs returns the number of unique patterns"""
    c1, c2 = rd(), rd()
    psubscribe(c1, "foo*")
    psubscribe(c2, "foo*")
    psubscribe(c1, "bar*")
    psubscribe(c2, "baz*")
    assert rc.execute_command("PUBSUB", "NUMPAT") == 3
    unsub_all(c1, "PUNSUBSCRIBE", "punsubscribe", 2)
    unsub_all(c2, "PUNSUBSCRIBE", "punsubscribe", 2)
    assert rc.execute_command("PUBSUB", "NUMPAT") == 0


def test_mix_subscribe_and_psubscribe(rc, rd):
    """pubsub.tcl: Mix SUBSCRIBE and PSUBSCRIBE"""
    c = rd()
    assert subscribe(c, "foo.bar") == [1]
    assert psubscribe(c, "foo.*") == [2]
    assert rc.publish("foo.bar", "hello") == 2
    assert c.read_reply() == msg("message", "foo.bar", "hello")
    assert c.read_reply() == msg("pmessage", "foo.*", "foo.bar", "hello")


def test_unsubscribes_always_reply(rd):
    """pubsub.tcl: PUNSUBSCRIBE and UNSUBSCRIBE should always reply"""
    c = rd()
    assert c.call("PUNSUBSCRIBE") == [b"punsubscribe", None, 0]
    assert c.call("UNSUBSCRIBE") == [b"unsubscribe", None, 0]
    assert c.call("SUNSUBSCRIBE") == [b"sunsubscribe", None, 0]
    # The exact bytes: a null bulk for the missing name.
    c.send(encode("UNSUBSCRIBE"))
    want = b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    assert c.recv_exact(len(want)) == want
    c3 = rd(resp3=True)
    c3.send(encode("PUNSUBSCRIBE"))
    want3 = b">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n"
    assert c3.recv_exact(len(want3)) == want3


# --------------------------------------------------------------------------
# pubsubshard.tcl
# --------------------------------------------------------------------------

def test_spublish_ssubscribe_basics(rc, rd):
    """pubsubshard.tcl: SPUBLISH/SSUBSCRIBE basics"""
    c = rd()
    assert ssubscribe(c, "chan1") == [1]
    assert ssubscribe(c, "chan2") == [2]
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 1
    assert rc.execute_command("SPUBLISH", "chan2", "world") == 1
    assert c.read_reply() == msg("smessage", "chan1", "hello")
    assert c.read_reply() == msg("smessage", "chan2", "world")
    sunsubscribe(c, "chan1")
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 0
    assert rc.execute_command("SPUBLISH", "chan2", "world") == 1
    assert c.read_reply() == msg("smessage", "chan2", "world")
    sunsubscribe(c, "chan2")
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 0
    assert rc.execute_command("SPUBLISH", "chan2", "world") == 0


def test_spublish_ssubscribe_two_clients(rc, rd):
    """pubsubshard.tcl: SPUBLISH/SSUBSCRIBE with two clients (both cases of
    that name: delivery, then SHARDNUMSUB and SHARDCHANNELS)"""
    c1, c2 = rd(), rd()
    assert ssubscribe(c1, "chan1") == [1]
    assert ssubscribe(c2, "chan1") == [1]
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 2
    assert c1.read_reply() == msg("smessage", "chan1", "hello")
    assert c2.read_reply() == msg("smessage", "chan1", "hello")
    assert rc.execute_command("PUBSUB", "SHARDNUMSUB", "chan1") == ["chan1", 2]
    assert rc.execute_command("PUBSUB", "SHARDCHANNELS") == ["chan1"]


def test_spublish_after_sunsubscribe_without_args(rc, rd):
    """pubsubshard.tcl: SPUBLISH/SSUBSCRIBE after UNSUBSCRIBE without arguments"""
    c = rd()
    assert ssubscribe(c, "chan1") == [1]
    assert ssubscribe(c, "chan2") == [2]
    assert ssubscribe(c, "chan3") == [3]
    frames = unsub_all(c, "SUNSUBSCRIBE", "sunsubscribe", 3)
    assert sorted(f[1] for f in frames) == [b"chan1", b"chan2", b"chan3"]
    for ch in ("chan1", "chan2", "chan3"):
        assert rc.execute_command("SPUBLISH", ch, "hello") == 0


def test_ssubscribe_one_channel_more_than_once(rc, rd):
    """pubsubshard.tcl: SSUBSCRIBE to one channel more than once"""
    c = rd()
    assert ssubscribe(c, "chan1", "chan1", "chan1") == [1, 1, 1]
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 1
    assert c.read_reply() == msg("smessage", "chan1", "hello")
    assert nothing_pending(c)


def test_sunsubscribe_from_non_subscribed(rd):
    """pubsubshard.tcl: SUNSUBSCRIBE from non-subscribed channels"""
    c = rd()
    assert sunsubscribe(c, "foo") == [0]
    assert sunsubscribe(c, "bar") == [0]
    assert sunsubscribe(c, "quux") == [0]


def test_pubsub_shardnumsub_basics(rc):
    """pubsubshard.tcl: PUBSUB command basics"""
    assert rc.execute_command("PUBSUB", "SHARDNUMSUB", "abc", "def") == ["abc", 0, "def", 0]


def test_spublish_with_publish(rc, rd):
    """pubsubshard.tcl: SPUBLISH/SSUBSCRIBE with PUBLISH/SUBSCRIBE"""
    c1, c2 = rd(), rd()
    assert ssubscribe(c1, "chan1") == [1]
    assert subscribe(c2, "chan1") == [1]
    assert rc.execute_command("SPUBLISH", "chan1", "hello") == 1
    assert rc.publish("chan1", "hello") == 1
    assert rc.execute_command("PUBSUB", "SHARDNUMSUB", "chan1") == ["chan1", 1]
    assert rc.execute_command("PUBSUB", "NUMSUB", "chan1") == ["chan1", 1]
    assert rc.execute_command("PUBSUB", "SHARDCHANNELS") == ["chan1"]
    assert rc.execute_command("PUBSUB", "CHANNELS") == ["chan1"]
    assert c1.read_reply() == msg("smessage", "chan1", "hello")
    assert c2.read_reply() == msg("message", "chan1", "hello")
    assert nothing_pending(c1) and nothing_pending(c2)


def test_pubsubshard_client_reply_off(rc, rd):
    """pubsubshard.tcl: PubSubShard with CLIENT REPLY OFF"""
    c = rd(resp3=True)
    c.cmd("CLIENT", "REPLY", "OFF")
    c.cmd("PING")
    assert ssubscribe(c, "channel") == [1]
    c.cmd("CLIENT", "REPLY", "OFF")
    c.cmd("PING")
    assert rc.execute_command("SPUBLISH", "channel", "hello") == 1
    assert c.read_reply() == msg("smessage", "channel", "hello")
    c.cmd("CLIENT", "REPLY", "OFF")
    c.cmd("PING")
    assert sunsubscribe(c, "channel") == [0]
    assert nothing_pending(c)


def test_shard_channels_ignore_patterns(rc, rd):
    """pubsubshard.tcl (semantics): SPUBLISH reaches no pattern subscriber
    and PUBLISH no shard subscriber."""
    p, s = rd(), rd()
    psubscribe(p, "*")
    ssubscribe(s, "chan")
    assert rc.execute_command("SPUBLISH", "chan", "x") == 1
    assert rc.publish("chan", "y") == 1
    assert s.read_reply() == msg("smessage", "chan", "x")
    assert p.read_reply() == msg("pmessage", "*", "chan", "y")
    assert nothing_pending(p) and nothing_pending(s)


# --------------------------------------------------------------------------
# Beyond the .tcl files: patterns, contexts, RESP3, RESET, introspection
# --------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,matches,misses", [
    ("h?llo", ["hello", "hallo", "hxllo"], ["hllo", "heello"]),
    ("h*llo", ["hllo", "heeeello"], ["hell", "ahllo"]),
    ("h[ae]llo", ["hello", "hallo"], ["hillo"]),
    ("h[^e]llo", ["hallo", "hbllo"], ["hello"]),
    ("h[a-b]llo", ["hallo", "hbllo"], ["hcllo"]),
    ("h\\*llo", ["h*llo"], ["hello"]),
    # Why: stringmatchlen stops at the end of the string, so "*" matches
    # no empty channel in Redis 7.0.
    ("*", ["anything", "*"], [""]),
    # Why: an unterminated class matches nothing in stringmatchlen.
    ("a[", [], ["a[", "ab", "a"]),
])
def test_pattern_glob(rc, rd, pattern, matches, misses):
    """Redis glob (stringmatchlen) in PSUBSCRIBE patterns."""
    c = rd()
    psubscribe(c, pattern)
    for ch in matches:
        assert rc.publish(ch, "m") == 1, ch
        assert c.read_reply() == msg("pmessage", pattern, ch, "m")
    for ch in misses:
        assert rc.publish(ch, "m") == 0, ch
    assert nothing_pending(c)


def test_several_patterns_and_channel_one_message_each(rc, rd):
    """A channel matched by a channel subscription and two patterns of the
    same client: three deliveries, the channel's first."""
    c = rd()
    subscribe(c, "news.tech")
    psubscribe(c, "news.*", "*.tech")
    assert rc.publish("news.tech", "x") == 3
    first = c.read_reply()
    rest = [c.read_reply(), c.read_reply()]
    assert first == msg("message", "news.tech", "x")
    assert sorted(rest) == sorted([msg("pmessage", "news.*", "news.tech", "x"),
                                   msg("pmessage", "*.tech", "news.tech", "x")])


@pytest.mark.parametrize("enter", ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"])
def test_subscribed_context_errors(rc, rd, enter):
    """processCommand: in RESP2 subscribed mode only (P|S)SUBSCRIBE /
    (P|S)UNSUBSCRIBE / PING / QUIT / RESET run; the error names the full
    command name (subcommands too)."""
    c = rd()
    _sub(c, enter, enter.lower(), ["x"])
    assert c.call("GET", "k") == RespError(CTX_ERR % b"get")
    assert c.call("SET", "k", "v") == RespError(CTX_ERR % b"set")
    assert c.call("PUBLISH", "x", "y") == RespError(CTX_ERR % b"publish")
    assert c.call("PUBSUB", "NUMPAT") == RespError(CTX_ERR % b"pubsub|numpat")
    assert c.call("CLIENT", "ID") == RespError(CTX_ERR % b"client|id")
    # Still subscribed: a message arrives after the errors.
    if enter == "SSUBSCRIBE":
        rc.execute_command("SPUBLISH", "x", "m")
        assert c.read_reply() == msg("smessage", "x", "m")
    elif enter == "PSUBSCRIBE":
        rc.publish("x", "m")
        assert c.read_reply() == msg("pmessage", "x", "x", "m")
    else:
        rc.publish("x", "m")
        assert c.read_reply() == msg("message", "x", "m")
    # An unknown command is an unknown command, not a context error.
    r = c.call("NOSUCHCMD")
    assert isinstance(r, RespError) and r.startswith(b"ERR unknown command")
    # The errors are counted in errorstats.
    assert error_count(rc.connection_pool.connection_kwargs["port"]) >= 5
    # QUIT is allowed.
    assert c.call("QUIT") == b"OK"


def test_subscribed_context_resp3_no_limits(rc, rd):
    """processCommand: with RESP3 there are no limits in subscribed mode;
    replies and pushes interleave."""
    c = rd(resp3=True)
    subscribe(c, "ch")
    assert c.call("SET", "k", "v") == b"OK"
    c.send(encode("PUBLISH", "ch", "self") + encode("GET", "k"))
    # The push is written during PUBLISH, before PUBLISH's own reply.
    want = b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\nself\r\n:1\r\n$1\r\nv\r\n"
    assert c.recv_exact(len(want)) == want


def test_subscribe_in_multi(rd):
    """SUBSCRIBE inside MULTI/EXEC (allowed for backward compatibility):
    the confirmation arrives in EXEC's array."""
    c = rd()
    assert c.call("MULTI") == b"OK"
    assert c.call("SUBSCRIBE", "a") == b"QUEUED"
    assert c.call("EXEC") == [[b"subscribe", b"a", 1]]
    # Now in subscribed mode.
    assert c.call("GET", "x") == RespError(CTX_ERR % b"get")


def test_ssubscribe_in_multi_denied(rd):
    """SSUBSCRIBE inside MULTI is refused (ssubscribeCommand's
    CLIENT_DENY_BLOCKING check without the MULTI exception)."""
    c = rd()
    c.call("MULTI")
    assert c.call("SSUBSCRIBE", "a") == b"QUEUED"
    assert c.call("EXEC") == [RespError(b"ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")]
    assert c.call("GET", "x") is None


def test_reset_leaves_subscribed_mode(rc, rd):
    """RESET (clearClientConnectionState) unsubscribes from everything,
    without confirmations, and the client leaves subscribed mode."""
    c = rd()
    subscribe(c, "a", "b")
    psubscribe(c, "p*")
    ssubscribe(c, "s")
    assert rc.execute_command("PUBSUB", "NUMPAT") == 1
    assert c.call("RESET") == b"RESET"
    assert c.call("GET", "x") is None
    assert rc.publish("a", "m") == 0
    assert rc.publish("pa", "m") == 0
    assert rc.execute_command("SPUBLISH", "s", "m") == 0
    assert rc.execute_command("PUBSUB", "NUMPAT") == 0
    assert rc.execute_command("PUBSUB", "CHANNELS") == []
    assert rc.execute_command("PUBSUB", "SHARDCHANNELS") == []
    assert nothing_pending(c)


def test_resp3_frames(rc, rd):
    """RESP3: confirmations and messages are push frames ('>')."""
    c = rd(resp3=True)
    c.send(encode("SUBSCRIBE", "ch"))
    want = b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert c.recv_exact(len(want)) == want
    c.send(encode("PSUBSCRIBE", "c*"))
    want = b">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n"
    assert c.recv_exact(len(want)) == want
    c.send(encode("SSUBSCRIBE", "ch"))
    want = b">3\r\n$10\r\nssubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert c.recv_exact(len(want)) == want
    assert rc.publish("ch", "hi") == 2
    want = (b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
            b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n")
    assert c.recv_exact(len(want)) == want
    assert rc.execute_command("SPUBLISH", "ch", "s") == 1
    want = b">3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$1\r\ns\r\n"
    assert c.recv_exact(len(want)) == want


def test_resp2_frames(rc, rd):
    """RESP2: the exact message frames."""
    c = rd()
    subscribe(c, "ch")
    psubscribe(c, "c*")
    rc.publish("ch", "")
    want = (b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$0\r\n\r\n"
            b"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$0\r\n\r\n")
    assert c.recv_exact(len(want)) == want


def test_binary_channel_and_message(rd, srv):
    """Channels and messages are binary safe."""
    pub = srv.client()
    c = rd()
    ch = b"c\x00h\r\n\xff"
    c.cmd("SUBSCRIBE", ch)
    assert c.read_reply() == [b"subscribe", ch, 1]
    psubscribe(c, "c?h*")
    m = b"\x00\r\n\xfe" * 10
    assert pub.publish(ch, m) == 2
    assert c.read_reply() == [b"message", ch, m]
    assert c.read_reply() == [b"pmessage", b"c?h*", ch, m]
    pub.close()


def test_pubsub_channels_pattern(rc, rd):
    """PUBSUB CHANNELS [pattern] / SHARDCHANNELS [pattern]; channels with
    no subscriber left disappear; patterns are not channels."""
    c1, c2 = rd(), rd()
    subscribe(c1, "news.a", "news.b", "sport")
    subscribe(c2, "news.a")
    psubscribe(c2, "news.*")
    ssubscribe(c2, "s1", "s2")
    assert sorted(rc.execute_command("PUBSUB", "CHANNELS")) == ["news.a", "news.b", "sport"]
    assert sorted(rc.execute_command("PUBSUB", "CHANNELS", "news.*")) == ["news.a", "news.b"]
    assert rc.execute_command("PUBSUB", "CHANNELS", "x*") == []
    assert sorted(rc.execute_command("PUBSUB", "SHARDCHANNELS")) == ["s1", "s2"]
    assert rc.execute_command("PUBSUB", "SHARDCHANNELS", "*2") == ["s2"]
    assert rc.execute_command("PUBSUB", "NUMSUB", "news.a", "news.b", "nope", "news.*") == [
        "news.a", 2, "news.b", 1, "nope", 0, "news.*", 0]
    assert rc.execute_command("PUBSUB", "SHARDNUMSUB", "s1", "news.a") == ["s1", 1, "news.a", 0]
    assert rc.execute_command("PUBSUB", "NUMPAT") == 1
    unsubscribe(c1, "news.b")
    assert sorted(rc.execute_command("PUBSUB", "CHANNELS")) == ["news.a", "sport"]
    c1.close()
    assert wait_for(lambda: rc.execute_command("PUBSUB", "CHANNELS") == ["news.a"])
    assert rc.execute_command("PUBSUB", "NUMSUB", "news.a") == ["news.a", 1]


def test_info_pubsub_fields(rc, rd):
    """INFO stats: pubsub_channels, pubsub_patterns, pubsubshard_channels
    count distinct channels / patterns; they drop when clients go."""
    def stats():
        i = rc.info("stats")
        return (i["pubsub_channels"], i["pubsub_patterns"], i["pubsubshard_channels"])

    assert stats() == (0, 0, 0)
    c1, c2 = rd(), rd()
    subscribe(c1, "a", "b")
    subscribe(c2, "b", "c")
    psubscribe(c1, "p*", "q*")
    psubscribe(c2, "p*")
    ssubscribe(c2, "s")
    assert stats() == (3, 2, 1)
    punsubscribe(c1, "q*")
    assert stats() == (3, 1, 1)
    c2.close()
    assert wait_for(lambda: stats() == (2, 1, 0))
    c1.close()
    assert wait_for(lambda: stats() == (0, 0, 0))


def test_client_list_sub_fields(rc, rd):
    """CLIENT LIST / CLIENT INFO: sub=, psub=, ssub= and the P flag."""
    c = rd()
    subscribe(c, "a", "b", "c")
    psubscribe(c, "x*", "y*")
    ssubscribe(c, "s")
    line = [l for l in rc.execute_command("CLIENT", "LIST").splitlines()
            if "cmd=ssubscribe" in l]
    assert len(line) == 1, line
    fields = dict(kv.split("=", 1) for kv in line[0].split(" ") if "=" in kv)
    assert (fields["sub"], fields["psub"], fields["ssub"]) == ("3", "2", "1")
    assert "P" in fields["flags"]
    # The publisher has no subscriptions.
    me = rc.execute_command("CLIENT", "INFO")
    assert " sub=0 psub=0 ssub=0 " in me
    unsub_all(c, "UNSUBSCRIBE", "unsubscribe", 3)
    unsub_all(c, "PUNSUBSCRIBE", "punsubscribe", 2)
    line = [l for l in rc.execute_command("CLIENT", "LIST").splitlines()
            if "cmd=punsubscribe" in l][0]
    fields = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
    assert (fields["sub"], fields["psub"], fields["ssub"]) == ("0", "0", "1")
    assert "P" in fields["flags"]
    sunsubscribe(c, "s")
    line = [l for l in rc.execute_command("CLIENT", "LIST").splitlines()
            if "cmd=sunsubscribe" in l][0]
    assert "flags=N " in line


def test_client_kill_type_pubsub(rc, rd):
    """CLIENT KILL TYPE pubsub kills the subscribed clients only."""
    c1, c2 = rd(), rd()
    subscribe(c1, "a")
    c2.call("PING")
    assert rc.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    assert c1.wait_closed()
    assert c2.call("PING") == b"PONG"
    assert rc.execute_command("PUBSUB", "CHANNELS") == []


def test_redis_py_pubsub(srv):
    """redis-py's PubSub object (RESP2): subscribe, psubscribe, messages,
    unsubscribe, and its health-check PING in subscribed mode."""
    r = srv.client(decode_responses=True)
    p = r.pubsub()
    p.subscribe("ch1", "ch2")
    p.psubscribe("p.*")
    got = [p.get_message(timeout=2) for _ in range(3)]
    assert [(m["type"], m["channel"], m["data"]) for m in got] == [
        ("subscribe", "ch1", 1), ("subscribe", "ch2", 2), ("psubscribe", "p.*", 3)]
    assert r.publish("ch1", "hello") == 1
    assert r.publish("p.x", "world") == 1
    m1 = p.get_message(timeout=2)
    m2 = p.get_message(timeout=2)
    assert (m1["type"], m1["channel"], m1["data"]) == ("message", "ch1", "hello")
    assert (m2["type"], m2["pattern"], m2["channel"], m2["data"]) == (
        "pmessage", "p.*", "p.x", "world")
    p.ping("hc")
    m = p.get_message(timeout=2)
    assert m["type"] == "pong" and m["data"] == "hc"
    assert r.execute_command("PUBSUB", "NUMSUB", "ch1") == ["ch1", 1]
    p.unsubscribe()
    p.punsubscribe()
    kinds = set()
    for _ in range(3):
        m = p.get_message(timeout=2)
        kinds.add((m["type"], m["channel"]))
    assert kinds == {("unsubscribe", "ch1"), ("unsubscribe", "ch2"), ("punsubscribe", "p.*")}
    assert r.execute_command("PUBSUB", "NUMSUB", "ch1") == ["ch1", 0]
    p.close()
    r.close()


def test_redis_py_pubsub_listen_handlers(srv):
    """redis-py's PubSub with handlers in a worker thread."""
    r = srv.client(decode_responses=True)
    p = r.pubsub(ignore_subscribe_messages=True)
    got = []
    p.subscribe(**{"events": lambda m: got.append(m["data"])})
    t = p.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        assert wait_for(lambda: r.execute_command("PUBSUB", "NUMSUB", "events")[1] == 1)
        for i in range(50):
            r.publish("events", str(i))
        assert wait_for(lambda: len(got) == 50)
        assert got == [str(i) for i in range(50)]
    finally:
        t.stop()
        t.join(timeout=5)
        p.close()
        r.close()


def test_publish_wrong_arity_and_pubsub_errors(rc):
    """Error replies of the pub/sub commands (also in corpus/pubsub.txt)."""
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'publish'"):
        rc.execute_command("PUBLISH", "a")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'subscribe'"):
        rc.execute_command("SUBSCRIBE")
    with pytest.raises(redis.ResponseError, match="unknown subcommand 'NOPE'. Try PUBSUB HELP."):
        rc.execute_command("PUBSUB", "NOPE")
    # The arity (-2) admits it; pubsubCommand answers with the subcommand
    # syntax error, naming the subcommand as typed.
    with pytest.raises(redis.ResponseError, match=re.escape(
            "unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.")):
        rc.execute_command("PUBSUB", "CHANNELS", "a", "b")
    with pytest.raises(redis.ResponseError, match=re.escape(
            "unknown subcommand or wrong number of arguments for 'shardChannels'.")):
        rc.execute_command("PUBSUB", "shardChannels", "a", "b")
