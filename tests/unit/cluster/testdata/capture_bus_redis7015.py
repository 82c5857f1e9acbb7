#!/usr/bin/python3
# Captures real cluster bus packets from redis-server 7.0.15 for
# bus_message_test.cc (the golden interop fixtures next to this script).
#
# Two cluster nodes A (master of slots 0-5460 and 16383, announcing the
# hostname "node-a.example") and B (its replica) meet, then each is told to
# CLUSTER MEET a fake node whose bus port is a plain Python listener: the
# first frame each sends there is the MEET of clusterSendPing, saved as
# meet_master_redis7015.bin / meet_replica_redis7015.bin. The facts the test
# checks (names, ports, epochs, flags) are printed.
#
#   /usr/bin/python3 tests/unit/cluster/testdata/capture_bus_redis7015.py [redis-server]
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import redis

SERVER = sys.argv[1] if len(sys.argv) > 1 else "/usr/bin/redis-server"
OUT = os.path.dirname(os.path.abspath(__file__))


def free_port_pair():
    # A port p with p+10000 free too (the node's bus port).
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        if p + 10000 > 65535:
            continue
        t = socket.socket()
        try:
            t.bind(("127.0.0.1", p + 10000))
            return p
        except OSError:
            continue
        finally:
            t.close()


def start(tmp, name, extra):
    port = free_port_pair()
    args = [SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp,
            "--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{name}.conf",
            "--save", "", "--appendonly", "no", "--cluster-require-full-coverage", "no", "--logfile", f"{name}.log"] + extra
    proc = subprocess.Popen(args)
    r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    for _ in range(100):
        try:
            r.ping()
            return proc, r, port
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start")


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("closed mid-frame")
        buf += chunk
    return buf


def main():
    tmp = tempfile.mkdtemp(prefix="vireo-bus-capture-")
    procs = []
    try:
        pa, a, port_a = start(tmp, "a", ["--cluster-announce-hostname", "node-a.example"])
        procs.append(pa)
        pb, b, port_b = start(tmp, "b", [])
        procs.append(pb)
        a.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 5460)
        a.execute_command("CLUSTER", "ADDSLOTS", 16383)
        a.execute_command("CLUSTER", "BUMPEPOCH")
        a.execute_command("CLUSTER", "MEET", "127.0.0.1", port_b)
        id_a = a.execute_command("CLUSTER", "MYID")
        id_b = b.execute_command("CLUSTER", "MYID")
        for _ in range(200):
            if id_a in b.execute_command("CLUSTER", "NODES") and \
               "handshake" not in a.execute_command("CLUSTER", "NODES"):
                break
            time.sleep(0.05)
        b.execute_command("CLUSTER", "REPLICATE", id_a)
        for _ in range(200):
            if b.info("replication").get("master_link_status") == "up":
                break
            time.sleep(0.05)
        for _ in range(100):  # a new master's state turns ok after a short delay
            if "cluster_state:ok" in a.execute_command("CLUSTER", "INFO"):
                break
            time.sleep(0.1)
        n = 0
        for i in range(200):
            k = f"k{i}"
            if a.execute_command("CLUSTER", "KEYSLOT", k) <= 5460:
                a.set(k, "v" * i)
                n += 1
        a.execute_command("WAIT", 1, 2000)
        time.sleep(0.3)  # a PING round so A and B exchange their offsets

        frames = {}

        def grab(node):
            # A fresh fake bus port each time: the node MEETs it from cron.
            lst = socket.socket()
            lst.bind(("127.0.0.1", 0))
            lst.listen(1)
            fake_bus = lst.getsockname()[1]
            node.execute_command("CLUSTER", "MEET", "127.0.0.1", max(fake_bus - 10000, 1), fake_bus)
            lst.settimeout(5)
            conn, _ = lst.accept()
            head = recv_exact(conn, 8)
            assert head[:4] == b"RCmb"
            totlen = struct.unpack(">I", head[4:])[0]
            data = head + recv_exact(conn, totlen - 8)
            conn.close()
            lst.close()
            return data

        # The gossip entries are picked at random among the known nodes:
        # MEET again until the master's packet carries one (B) next to its
        # hostname extension (2256 + 104 + 24 bytes).
        for _ in range(20):
            frames["master"] = grab(a)
            if len(frames["master"]) == 2256 + 104 + 24:
                break
        frames["replica"] = grab(b)
        for tag, data in frames.items():
            with open(os.path.join(OUT, f"meet_{tag}_redis7015.bin"), "wb") as f:
                f.write(data)
        info_a = a.execute_command("CLUSTER", "INFO")
        print("A id", id_a, "port", port_a, "bus", port_a + 10000, "keys", n)
        print("B id", id_b, "port", port_b, "bus", port_b + 10000)
        print("A offset", a.info("replication")["master_repl_offset"],
              "B offset", b.info("replication").get("slave_repl_offset"))
        print("A", " ".join(l for l in info_a.split() if "epoch" in l))
        for tag, data in frames.items():
            print(tag, len(data), "bytes")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
