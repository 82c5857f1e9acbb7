"""Fixtures for the integration suite (tests/integration).

The server under test is VIREO_BIN (see tests/conftest.py). Every test must
also pass with VIREO_BIN=/usr/bin/redis-server: that is how the expectations
(exact error texts, exit codes, log lines) are validated. Tests that check a
Vireo-only behaviour carry the `vireo_only` marker and are skipped when the
binary under test is redis-server.

Processes: every server or helper process started here is recorded and killed
by its own PID at teardown (never by name).
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from integ_util import (  # noqa: E402,F401  (re-exported: see below)
    IS_REDIS, REDIS_BIN, VIREO_BIN, Procs, Raw, ServerProcess, Watcher, free_port)

# ServerProcess / VIREO_BIN / REDIS_BIN / free_port are re-exported because
# other suites do `from conftest import ServerProcess`, which can resolve to
# this module when several suites run in one pytest session.


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "vireo_only: checks a Vireo-only behaviour; skipped against redis-server")
    config.addinivalue_line(
        "markers", "requires_commands(*names): skipped while the server under test lacks one "
        "of these commands (features of later milestones)")
    config.addinivalue_line(
        "markers", "slow: a long interop / fault / load test, run once in CI on the release "
        "build (scripts/test-all.sh deselects it for the sanitizer build)")


_command_cache = {}


def _server_has_commands(names):
    """COMMAND INFO on one throwaway server of the binary under test."""
    unknown = [n for n in names if n not in _command_cache]
    if unknown:
        s = ServerProcess(VIREO_BIN)
        try:
            c = s.client()
            # raw reply: redis-py's COMMAND parser chokes on null entries
            c.set_response_callback("COMMAND", lambda r, **kw: r)
            info = c.execute_command("COMMAND", "INFO", *unknown)
            for n, entry in zip(unknown, info):
                _command_cache[n] = entry is not None
            c.close()
        finally:
            s.stop()
    return [n for n in names if not _command_cache[n]]


@pytest.fixture(autouse=True)
def _requires_commands(request):
    marker = request.node.get_closest_marker("requires_commands")
    if marker is None:
        return
    missing = _server_has_commands(list(marker.args))
    if missing:
        pytest.skip("server under test lacks %s (later milestone)" % ", ".join(missing))


def pytest_collection_modifyitems(config, items):
    if not IS_REDIS:
        return
    skip = pytest.mark.skip(reason="Vireo-only behaviour (VIREO_BIN is redis-server)")
    for item in items:
        if "vireo_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _check_binary():
    if not os.path.isfile(VIREO_BIN):
        pytest.exit("server under test not found: VIREO_BIN=%s" % VIREO_BIN, returncode=2)


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------

@pytest.fixture
def srv(server_factory, tmp_path):
    """One fresh server under test whose dir/log live in the test's tmp_path."""
    return server_factory(cwd=str(tmp_path))


@pytest.fixture
def rc(srv):
    """redis-py client (decoded) on `srv`."""
    c = srv.client(decode_responses=True)
    yield c
    c.close()



@pytest.fixture
def procs():
    p = Procs()
    yield p
    p.cleanup()


@pytest.fixture
def watcher(srv):
    w = Watcher(srv.port)
    w.ping()
    yield w
    # The server must still be alive and answering at the end of the test.
    assert srv.alive(), "server died:\n" + srv.read_log()[-3000:]
    w.ping()
    w.close()


@pytest.fixture
def raw(srv):
    conns = []

    def make(**kw):
        c = Raw(srv.port, **kw)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


