#!/usr/bin/python3
"""Run differential corpus files from the command line (debugging aid).

  /usr/bin/python3 tests/differential/run.py corpus/strings.txt --port-a P --port-b Q
  /usr/bin/python3 tests/differential/run.py corpus/strings.txt      # spawns both servers
  /usr/bin/python3 tests/differential/run.py -v corpus/*.txt         # full transcript

Side A is the server under test (Vireo), side B the reference. Without
--port-a / --port-b the missing side is spawned from VIREO_BIN / REDIS_BIN
(see tests/conftest.py) with --enable-debug-command yes, and killed at the end.
A file whose `!requires` names a command that side A lacks is reported as
"skipped: ..." and counts as passed.
Exit status: 0 if no mismatches, 1 otherwise.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import diffharness  # noqa: E402

SERVER_ARGS = ["--enable-debug-command", "yes"]


def resolve(path):
    for cand in (path, os.path.join(HERE, path), os.path.join(diffharness.CORPUS_DIR, path)):
        if os.path.isfile(cand):
            return cand
    sys.exit("no such corpus file: %s" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", help="corpus files (path, or name under corpus/)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port-a", type=int, help="server under test (Vireo)")
    ap.add_argument("--port-b", type=int, help="reference server")
    ap.add_argument("--bin-a", help="binary to spawn for side A (default VIREO_BIN)")
    ap.add_argument("--bin-b", help="binary to spawn for side B (default REDIS_BIN)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every step with both replies")
    opts = ap.parse_args()

    spawned = []
    try:
        ports = []
        for port, binary, envname in ((opts.port_a, opts.bin_a, "VIREO_BIN"),
                                      (opts.port_b, opts.bin_b, "REDIS_BIN")):
            if port is None:
                from conftest import ServerProcess, VIREO_BIN, REDIS_BIN
                binary = binary or (VIREO_BIN if envname == "VIREO_BIN" else REDIS_BIN)
                s = ServerProcess(binary, args=SERVER_ARGS)
                spawned.append(s)
                print("spawned %s on port %d (pid %d)" % (binary, s.port, s.pid), file=sys.stderr)
                port = s.port
            ports.append(port)
        a = diffharness.Side("vireo", opts.host, ports[0])
        b = diffharness.Side("redis", opts.host, ports[1])
        runner = diffharness.Runner(a, b, log=print if opts.verbose else None)
        total = 0
        for f in opts.files:
            path = resolve(f)
            try:
                mm = runner.run_file(path)
            except diffharness.FileSkipped as e:
                print("skipped: %s" % e)
                continue
            total += len(mm)
            if not opts.verbose:
                for m in mm:
                    print(m)
            print("%s: %d mismatch(es)" % (os.path.basename(path), len(mm)))
        return 1 if total else 0
    finally:
        for s in spawned:
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
