#!/usr/bin/python3
"""Generates quicklist_redis7015.txt: scripted list operations and the node
layout redis-server 7.0.15 ends up with, read from DUMP (rdbcompression no,
so raw nodes are stored as they are; compressed nodes are LZF blobs).

quicklist_test.cc replays each scenario through engine::list and compares
node for node: container, compressed or not, the saved bytes (length and
SHA-1) and the element count.

Usage: gen_quicklist_golden.py [REDIS_BIN]  (writes next to this script)

File format, one scenario after another:
  scenario NAME
  config FILL DEPTH PACKED_THRESHOLD
  cmd ARG...           arguments: literal, or r:C:N = C repeated N times,
                       or p:N:SUFFIX = 'x' * N + SUFFIX
  nodes N              then N lines: node CONTAINER COMPRESSED LEN SHA1 [COUNT]
  (or `nodes 0` when the key no longer exists)
  end
"""
import hashlib
import os
import random
import socket
import subprocess
import sys
import time

REDIS = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quicklist_redis7015.txt")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(1 << 16)
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def read(self):
        ln = self.line()
        t, rest = ln[:1], ln[1:]
        if t in (b"+", b":"):
            return rest
        if t == b"-":
            return Exception(rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(1 << 16)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(ln)


def load_len(b, i):
    c = b[i]
    k = c >> 6
    if k == 0:
        return c & 0x3F, i + 1, False
    if k == 1:
        return ((c & 0x3F) << 8) | b[i + 1], i + 2, False
    if c == 0x80:
        return int.from_bytes(b[i + 1:i + 5], "big"), i + 5, False
    if c == 0x81:
        return int.from_bytes(b[i + 1:i + 9], "big"), i + 9, False
    return c & 0x3F, i + 1, True  # special string encoding


def parse_dump(d):
    assert d[0] == 18, d[0]  # RDB_TYPE_LIST_QUICKLIST_2
    n, i, _ = load_len(d, 1)
    nodes = []
    for _ in range(n):
        container, i, _ = load_len(d, i)
        ln, i, special = load_len(d, i)
        if special:
            assert ln == 3, ln  # RDB_ENC_LZF
            clen, i, _ = load_len(d, i)
            _ulen, i, _ = load_len(d, i)
            data, i = d[i:i + clen], i + clen
            nodes.append((container, 1, data))
        else:
            data, i = d[i:i + ln], i + ln
            nodes.append((container, 0, data))
    return nodes


def enc_arg(a):
    if len(a) > 40 and a == a[0] * len(a):
        return "r:%s:%d" % (a[0], len(a))
    if len(a) > 40 and a.startswith("x" * 30):
        stripped = a.lstrip("x")
        return "p:%d:%s" % (len(a) - len(stripped), stripped)
    assert " " not in a and a, a
    return a


def scenario(r, name, fill, depth, threshold, cmds):
    r.cmd("DEL", "k")
    r.cmd("CONFIG", "SET", "list-max-listpack-size", fill)
    r.cmd("CONFIG", "SET", "list-compress-depth", depth)
    r.cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", threshold)
    lines = ["scenario %s" % name, "config %d %d %d" % (fill, depth, threshold)]
    for c in cmds:
        res = r.cmd(*c)
        if isinstance(res, Exception) and "index out of range" not in str(res):
            raise res
        lines.append("cmd " + " ".join(enc_arg(a) for a in c))
    d = r.cmd("DUMP", "k")
    if d is None:
        lines.append("nodes 0")
    else:
        nodes = parse_dump(d)
        lines.append("nodes %d" % len(nodes))
        for container, comp, data in nodes:
            lines.append("node %d %d %d %s" % (container, comp, len(data),
                                                hashlib.sha1(data).hexdigest()))
    lines.append("end")
    r.cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", 0)
    return lines


def rand_value(rng, big):
    k = rng.randrange(6)
    if k == 0:
        return str(rng.randrange(-100000, 100000))
    if k == 1:
        return str(rng.randrange(-(1 << 63), 1 << 63))
    if k == 2:
        return rng.choice("abcdefgh") * rng.randrange(1, 30)
    if k == 3:
        return "x" * rng.randrange(30, big) + str(rng.randrange(1000))
    if k == 4:
        return "v%d" % rng.randrange(50)
    return rng.choice("abc") * rng.randrange(41, 200)


def random_ops(rng, n, big, model):
    cmds = []
    for _ in range(n):
        op = rng.randrange(10)
        v = rand_value(rng, big)
        if op <= 2 or not model:
            side = rng.choice(["LPUSH", "RPUSH"])
            vals = [rand_value(rng, big) for _ in range(rng.randrange(1, 4))]
            cmds.append([side, "k"] + vals)
            for x in vals:
                if side == "LPUSH":
                    model.insert(0, x)
                else:
                    model.append(x)
        elif op == 3:
            cmds.append([rng.choice(["LPOP", "RPOP"]), "k"])
            model.pop(0 if cmds[-1][0] == "LPOP" else -1)
        elif op == 4:
            idx = rng.randrange(-len(model), len(model))
            cmds.append(["LSET", "k", str(idx), v])
            model[idx] = v
        elif op == 5 or op == 6:
            i = rng.randrange(len(model))
            pivot = model[i]
            where = rng.choice(["BEFORE", "AFTER"])
            cmds.append(["LINSERT", "k", where, pivot, v])
            j = model.index(pivot)
            model.insert(j if where == "BEFORE" else j + 1, v)
        elif op == 7:
            x = model[rng.randrange(len(model))]
            cnt = rng.choice([0, 1, -1, 2])
            cmds.append(["LREM", "k", str(cnt), x])
            if cnt >= 0:
                removed = 0
                j = 0
                while j < len(model):
                    if model[j] == x and (cnt == 0 or removed < cnt):
                        model.pop(j)
                        removed += 1
                    else:
                        j += 1
            else:
                removed = 0
                j = len(model) - 1
                while j >= 0:
                    if model[j] == x and removed < -cnt:
                        model.pop(j)
                        removed += 1
                    j -= 1
        elif op == 8 and len(model) > 6:
            s = rng.randrange(0, 3)
            e = -rng.randrange(1, 3)
            cmds.append(["LTRIM", "k", str(s), str(e)])
            del model[len(model) + e + 1:]
            del model[:s]
        else:
            a, b = rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"])
            cmds.append(["LMOVE", "k", "k", a, b])
            x = model.pop(0 if a == "LEFT" else -1)
            if b == "LEFT":
                model.insert(0, x)
            else:
                model.append(x)
    return cmds


def main():
    port = free_port()
    p = subprocess.Popen([REDIS, "--port", str(port), "--save", "", "--appendonly", "no",
                          "--rdbcompression", "no", "--enable-debug-command", "yes"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                r = Conn(port)
                break
            except OSError:
                time.sleep(0.05)
        rng = random.Random(7015)
        out = []
        # Size fill, plain pushes from both ends.
        vals = [rand_value(rng, 300) for _ in range(3000)]
        out += scenario(r, "push_size_fill_-2", -2, 0, 0,
                        [["RPUSH", "k"] + vals[:1500], ["LPUSH", "k"] + vals[1500:]])
        out += scenario(r, "push_size_fill_-1_depth1", -1, 1, 0,
                        [["RPUSH", "k"] + vals[:800], ["LPUSH", "k"] + vals[800:1600]])
        out += scenario(r, "push_count_fill_5_depth2", 5, 2, 0,
                        [["RPUSH", "k"] + vals[:200], ["LPUSH", "k"] + vals[200:300]])
        # Count fill with the 8 KB safety limit.
        out += scenario(r, "count_fill_100_safety", 100, 0, 0,
                        [["RPUSH", "k"] + ["y" * 500 + str(i) for i in range(60)]])
        # Random operations under several settings.
        settings = [("ops_fill_5", 5, 0, 0, 300, 400),
                    ("ops_fill_3_depth1", 3, 1, 0, 300, 400),
                    ("ops_fill_-1_depth1", -1, 1, 0, 600, 600),
                    ("ops_fill_-2_depth2", -2, 2, 0, 600, 3000),
                    ("ops_fill_1_depth2", 1, 2, 0, 200, 300),
                    ("ops_fill_4_plain100_depth1", 4, 1, 100, 300, 400),
                    ("ops_fill_-1_plain500_depth1", -1, 1, 500, 400, 3000),
                    ("ops_fill_16_plain5000_depth3", 16, 3, 5000, 500, 10000)]
        for name, fill, depth, thr, n, big in settings:
            model = []
            cmds = random_ops(rng, n, big, model)
            out += scenario(r, name, fill, depth, thr, cmds)
        # Trim to empty and pops of counts.
        out += scenario(r, "pop_counts", 3, 1, 0,
                        [["RPUSH", "k"] + vals[:50], ["LPOP", "k", "7"], ["RPOP", "k", "11"],
                         ["LTRIM", "k", "2", "-3"]])
        out += scenario(r, "emptied", 3, 1, 0,
                        [["RPUSH", "k"] + vals[:20], ["LTRIM", "k", "5", "1"]])
        with open(OUT, "w") as f:
            f.write("# Generated by gen_quicklist_golden.py from redis-server 7.0.15; do not edit.\n")
            f.write("\n".join(out) + "\n")
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
