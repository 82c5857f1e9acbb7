"""An unmodified ioredis 5 subscriber against the server under test (RESP2:
ioredis speaks only RESP2).

tests/integration/node/ holds package.json + package-lock.json (ioredis
pinned) and subscriber.js, an ordinary ioredis program. The test installs
the locked packages with `npm ci` into build/ioredis-node of this checkout
(VIREO_NODE_CACHE overrides; reinstalled when the lock file changes; never
committed), runs the script against a fresh server and drives it from
redis-py: SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE, messages (small, binary,
100 KB), a keyspace event, PUBSUB NUMSUB / SHARDNUMSUB / NUMPAT seen by
ioredis, CLIENT KILL followed by ioredis's own reconnect and re-subscribe,
then the UNSUBSCRIBEs and plain commands after leaving subscribed mode.

Skipped only when node or npm is missing (scripts/install-deps.sh installs
them). Passes against redis-server 7.0.15 too.
"""
import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading

import pytest

from integ_util import ROOT, SLOW, wait_for

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
NODE = shutil.which("node")
NPM = shutil.which("npm")
CACHE = os.environ.get("VIREO_NODE_CACHE", os.path.join(ROOT, "build", "ioredis-node"))

pytestmark = [
    pytest.mark.skipif(not NODE or not NPM,
                       reason="node/npm not installed (scripts/install-deps.sh installs them)"),
    pytest.mark.requires_commands("subscribe", "psubscribe", "ssubscribe", "spublish"),
]


def _read(path):
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def node_dir():
    """CACHE with package.json, package-lock.json, subscriber.js and the
    node_modules `npm ci` installed from the lock file."""
    os.makedirs(CACHE, exist_ok=True)
    lock = _read(os.path.join(NODE_DIR, "package-lock.json"))
    stamp = os.path.join(CACHE, ".lock-sha1")
    want = hashlib.sha1(lock).hexdigest()
    for name in ("package.json", "package-lock.json", "subscriber.js"):
        shutil.copyfile(os.path.join(NODE_DIR, name), os.path.join(CACHE, name))
    have = _read(stamp).decode() if os.path.exists(stamp) else ""
    if have != want or not os.path.isdir(os.path.join(CACHE, "node_modules", "ioredis")):
        r = subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=CACHE, capture_output=True, timeout=300)
        assert r.returncode == 0, "npm ci failed in %s:\n%s\n%s" % (
            CACHE, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"))
        with open(stamp, "w") as f:
            f.write(want)
    return CACHE


class NodeProc:
    def __init__(self, cwd, port):
        self.p = subprocess.Popen([NODE, "subscriber.js", str(port)], cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.p.stderr), daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self, timeout=10):
        try:
            ev = self.lines.get(timeout=timeout * SLOW)
        except queue.Empty:
            raise AssertionError("no output from the ioredis script; stderr: %r" % self.stderr)
        assert ev is not None, "ioredis script exited (%s); stderr: %s" % (
            self.p.poll(), b"".join(self.stderr).decode(errors="replace"))
        assert ev["ev"] != "error", ev["message"]
        return ev

    def until(self, name):
        seen = []
        while True:
            ev = self.next()
            if ev["ev"] == name:
                return ev, seen
            seen.append(ev)

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=10)


def sha(b):
    return hashlib.sha1(b).hexdigest()


def test_ioredis_subscriber(node_dir, srv):
    pub = srv.client()
    assert pub.config_set("notify-keyspace-events", "E$")
    node = NodeProc(node_dir, srv.port)
    try:
        ev = node.next()
        assert ev == {"ev": "subscribed", "subscribe": 3, "psubscribe": 5, "ssubscribe": 1,
                      "numsub": ["news", 1, "shard1", 0], "shardnumsub": ["shard1", 1],
                      "numpat": 2}
        big = os.urandom(100000)
        binary = b"\x00\r\n\xff" * 300
        sent = [
            ("PUBLISH", "news", b"hello", {"ev": "message", "channel": "news"}),
            ("PUBLISH", "sports", big, {"ev": "message", "channel": "sports"}),
            ("PUBLISH", "news", binary, {"ev": "message", "channel": "news"}),
            ("PUBLISH", "p.x", b"pat", {"ev": "pmessage", "pattern": "p.*", "channel": "p.x"}),
            ("SPUBLISH", "shard1", b"sh" * 5000, {"ev": "smessage", "channel": "shard1"}),
            ("PUBLISH", "nobody", b"x", None),
            ("PUBLISH", "news", b"", {"ev": "message", "channel": "news"}),
        ]
        expected = [e for *_, e in sent if e] + [
            {"ev": "keyevent", "channel": "__keyevent@0__:set", "key": "ioredis:k"}]
        assert pub.publish("control", str(len(expected))) == 1
        for cmd, ch, payload, e in sent:
            assert pub.execute_command(cmd, ch, payload) == (1 if e else 0)
            if e:
                e.update(len=len(payload), sha1=sha(payload))
        assert pub.set("ioredis:k", "v")
        done, got = node.until("batch1-done")
        # ioredis's own PUBLISH (after the batch) may be seen before or
        # after batch1-done is printed.
        mine = {"ev": "message", "channel": "news", "len": 12, "sha1": sha(b"from-ioredis")}
        assert [g for g in got if g != mine] == expected
        assert done["receivers"] == 1

        # Kill the subscriber's connection: ioredis reconnects and
        # re-subscribes by itself.
        assert pub.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
        assert wait_for(lambda: pub.execute_command("PUBSUB", "NUMSUB", "news")[1] == 1
                        and pub.execute_command("PUBSUB", "NUMPAT") == 2
                        and pub.execute_command("PUBSUB", "SHARDNUMSUB", "shard1")[1] == 1,
                        timeout=10)
        node.until("reconnected")
        assert pub.publish("news", "after-reconnect") == 1
        ev, _ = node.until("after-reconnect")
        assert ev["channel"] == "news"

        done, _ = node.until("done")
        assert done == {"ev": "done", "unsubscribe": 4, "punsubscribe": 2, "sunsubscribe": 0,
                        "unsubscribe_all": 0, "pong": "PONG", "get": "v"}
        assert node.p.wait(timeout=10 * SLOW) == 0
        assert pub.execute_command("PUBSUB", "CHANNELS") == []
        assert pub.execute_command("PUBSUB", "NUMPAT") == 0
    finally:
        node.stop()
        pub.close()
