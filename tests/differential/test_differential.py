"""Differential tests: every corpus file is run against the server under test
(VIREO_BIN) and the reference redis-server (REDIS_BIN); replies must agree.

Each corpus file gets a fresh pair of servers (both with
--enable-debug-command yes), so that configuration changes, statistics,
client ids and slowlog entries of one file cannot leak into another.
A file whose `!requires` names a command the server under test lacks is
skipped.
"""
import glob
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import diffharness  # noqa: E402
from conftest import ServerProcess, VIREO_BIN, REDIS_BIN  # noqa: E402

SERVER_ARGS = ["--enable-debug-command", "yes"]
CORPUS = sorted(glob.glob(os.path.join(diffharness.CORPUS_DIR, "*.txt")))


@pytest.fixture
def server_pair():
    if not os.path.isfile(VIREO_BIN):
        pytest.fail("server under test not found: VIREO_BIN=%s" % VIREO_BIN)
    started = []
    try:
        started.append(ServerProcess(VIREO_BIN, args=SERVER_ARGS))
        started.append(ServerProcess(REDIS_BIN, args=SERVER_ARGS))
        yield started
    finally:
        for s in started:
            s.stop()


def test_corpus_parses():
    """Every corpus file is syntactically valid (no server needed)."""
    assert CORPUS, "no corpus files found"
    for path in CORPUS:
        diffharness.parse_corpus(path)


@pytest.mark.parametrize("path", CORPUS, ids=[os.path.basename(p)[:-4] for p in CORPUS])
def test_differential(path, server_pair):
    vireo, ref = server_pair
    a = diffharness.Side("vireo", "127.0.0.1", vireo.port)
    b = diffharness.Side("redis", "127.0.0.1", ref.port)
    skipped = None
    try:
        mismatches = diffharness.Runner(a, b).run_file(path)
    except diffharness.FileSkipped as e:
        skipped, mismatches = str(e), []
    problems = [str(m) for m in mismatches]
    if not vireo.alive():
        problems.append("server under test died (exit %s); log tail:\n%s"
                        % (vireo.proc.returncode, vireo.read_log()[-3000:]))
    if not ref.alive():
        problems.append("reference server died; log tail:\n%s" % ref.read_log()[-3000:])
    if problems:
        pytest.fail("%s: %d mismatch(es)\n%s" % (os.path.basename(path), len(mismatches),
                                                  "\n".join(problems)), pytrace=False)
    if skipped:
        pytest.skip(skipped)
