"""Unit tests of the harness itself (no real server needed)."""
import os
import socketserver
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from diffharness import (split_args, parse_reply, split_replies, Incomplete, BadReply,  # noqa: E402
                         encode_command, compare, Outcome, Mods, parse_corpus,
                         file_requirements, FileSkipped, Runner, Side)


@pytest.mark.parametrize("line,expected", [
    ("set a b", [b"set", b"a", b"b"]),
    ("  set   a\tb  ", [b"set", b"a", b"b"]),
    ('set "a b" c', [b"set", b"a b", b"c"]),
    ('"\\x00\\xff\\x4A" x', [b"\x00\xff\x4a", b"x"]),
    ('"\\xZZ"', [b"xZZ"]),
    ('"a\\nb\\r\\t\\b\\a\\"\\\\q"', [b"a\nb\r\t\b\a\"\\q"]),
    ("'it\\'s' 'a\\nb'", [b"it's", b"a\\nb"]),
    ('""', [b""]),
    ("''", [b""]),
    ('foo"bar"', [b"foobar"]),
    ("a\x0bb", [b"a\x0bb"]),
    ("", []),
    ("   ", []),
])
def test_split_args(line, expected):
    assert split_args(line) == expected


@pytest.mark.parametrize("line", ['"abc', "'abc", '"a"b', "'a'b", '"abc\\"'])
def test_split_args_unbalanced(line):
    with pytest.raises(ValueError):
        split_args(line)


@pytest.mark.parametrize("raw", [
    b"+OK\r\n", b"-ERR x\r\n", b":12\r\n", b"$-1\r\n", b"$0\r\n\r\n", b"$3\r\na\r\n\r\n",
    b"*-1\r\n", b"*0\r\n", b"*2\r\n$1\r\na\r\n:1\r\n", b"_\r\n", b",1.5\r\n", b"#t\r\n",
    b"(123\r\n", b"=7\r\ntxt:abc\r\n", b"!3\r\nerr\r\n", b"%1\r\n+a\r\n*1\r\n:1\r\n",
    b"~2\r\n:1\r\n:2\r\n", b">2\r\n+a\r\n+b\r\n", b"|1\r\n+k\r\n+v\r\n:5\r\n",
])
def test_parse_reply_exact(raw):
    node, end = parse_reply(raw + b"+NEXT\r\n")
    assert end == len(raw) and node.raw == raw
    for cut in range(len(raw)):
        with pytest.raises(Incomplete):
            parse_reply(raw[:cut])


def test_parse_bad():
    with pytest.raises(BadReply):
        parse_reply(b"?x\r\n")
    assert split_replies(b"+A\r\n:1\r\n$5\r\nab") == ([b"+A\r\n", b":1\r\n"], b"$5\r\nab")


def test_encode():
    assert encode_command([b"GET", b""]) == b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n"


def _o(raw):
    return Outcome("reply", node=parse_reply(raw)[0])


def test_compare_modes():
    m = Mods()
    assert compare(_o(b":1\r\n"), _o(b":1\r\n"), m) is None
    assert compare(_o(b":1\r\n"), _o(b":2\r\n"), m)
    m = Mods(); m.mode = "unordered"
    assert compare(_o(b"*2\r\n+a\r\n+b\r\n"), _o(b"*2\r\n+b\r\n+a\r\n"), m) is None
    assert compare(_o(b"*2\r\n+a\r\n+a\r\n"), _o(b"*2\r\n+b\r\n+a\r\n"), m)
    m = Mods(); m.mode = "pairs"
    assert compare(_o(b"*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n"), _o(b"*4\r\n+b\r\n:2\r\n+a\r\n:1\r\n"), m) is None
    assert compare(_o(b"*4\r\n+a\r\n:2\r\n+b\r\n:1\r\n"), _o(b"*4\r\n+b\r\n:2\r\n+a\r\n:1\r\n"), m)
    m = Mods(); m.mode = "type"
    assert compare(_o(b"*2\r\n$1\r\n1\r\n$2\r\n22\r\n"), _o(b"*2\r\n$2\r\n33\r\n$1\r\n4\r\n"), m) is None
    assert compare(_o(b"$-1\r\n"), _o(b"$1\r\n1\r\n"), m)
    m = Mods(); m.matches = [r"^\d+$"]
    assert compare(_o(b":15\r\n"), _o(b":7\r\n"), m) is None
    assert compare(_o(b":15\r\n"), _o(b"+x\r\n"), m)


def test_compare_unordered_at():
    m = Mods(); m.mode = "unordered-at"; m.paths = [["*", 1]]
    a = _o(b"*2\r\n*2\r\n+x\r\n*2\r\n:1\r\n:2\r\n*2\r\n+y\r\n*0\r\n")
    b = _o(b"*2\r\n*2\r\n+x\r\n*2\r\n:2\r\n:1\r\n*2\r\n+y\r\n*0\r\n")
    c = _o(b"*2\r\n*2\r\n+y\r\n*0\r\n*2\r\n+x\r\n*2\r\n:2\r\n:1\r\n")
    assert compare(a, b, m) is None
    assert compare(a, c, m)
    m = Mods(); m.mode = "unordered-at"; m.paths = [[]]
    assert compare(_o(b"*2\r\n:1\r\n:2\r\n"), _o(b"*2\r\n:2\r\n:1\r\n"), m) is None


def test_compare_mask_and_verbatim_match():
    m = Mods(); m.masks = [r"(?<=\$2\r\nid\r\n):\d+"]
    a = _o(b"*4\r\n$2\r\nid\r\n:5\r\n$1\r\nx\r\n:1\r\n")
    b = _o(b"*4\r\n$2\r\nid\r\n:17\r\n$1\r\nx\r\n:1\r\n")
    c = _o(b"*4\r\n$2\r\nid\r\n:17\r\n$1\r\nx\r\n:2\r\n")
    assert compare(a, b, m) is None
    assert compare(a, c, m)
    m = Mods(); m.matches = [r"^id=\d+$"]
    assert compare(_o(b"=8\r\ntxt:id=1\r\n"), _o(b"=8\r\ntxt:id=2\r\n"), m) is None


# ---------------------------------------------------------------------------
# !requires
# ---------------------------------------------------------------------------

def _corpus(tmp_path, text, name="t.txt"):
    p = tmp_path / name
    p.write_bytes(text.encode())
    return str(p)


def test_requires_parse(tmp_path):
    steps = parse_corpus(_corpus(tmp_path, "# c\n\n!requires RPUSH SADD\n!requires zadd RPUSH\nGET a\n"))
    assert file_requirements(steps) == [b"RPUSH", b"SADD", b"zadd"]
    assert file_requirements(parse_corpus(_corpus(tmp_path, "GET a\n"))) == []
    for bad in ("GET a\n!requires RPUSH\n", "!unordered\n!requires RPUSH\nKEYS *\n", "!requires\n"):
        with pytest.raises(ValueError, match="requires"):
            parse_corpus(_corpus(tmp_path, bad))


class FakeServer:
    """A minimal RESP2 server in a thread: knows the commands in `known` (for
    COMMAND INFO; unknown ones get a null entry like Redis 7.0), answers +OK to
    everything else, or an error to COMMAND if command_error is set. `log`
    records every command received."""

    def __init__(self, known, command_error=False):
        self.known = {k.lower() for k in known}
        self.command_error = command_error
        self.log = []
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                buf = bytearray()
                while True:
                    try:
                        node, end = parse_reply(buf)
                    except Incomplete:
                        data = self.request.recv(65536)
                        if not data:
                            return
                        buf += data
                        continue
                    del buf[:end]
                    args = [c.payload for c in node.children]
                    fake.log.append(args)
                    self.request.sendall(fake.answer(args))

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, args):
        if args[0].upper() == b"COMMAND":
            if self.command_error:
                return b"-ERR unknown command 'COMMAND'\r\n"
            out = [b"*%d\r\n" % (len(args) - 2)]
            for name in args[2:]:
                if name.decode().lower() in self.known:
                    out.append(b"*2\r\n$%d\r\n%s\r\n:-1\r\n" % (len(name), name.lower()))
                else:
                    out.append(b"$-1\r\n")
            return b"".join(out)
        return b"+OK\r\n"

    def commands(self):
        return [a[0].upper() for a in self.log]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fakes():
    made = []

    def make(*a, **kw):
        f = FakeServer(*a, **kw)
        made.append(f)
        return f
    yield make
    for f in made:
        f.close()


ALL = ["GET", "SET", "RPUSH", "SADD"]
TYPES_FILE = "!requires RPUSH SADD GET\n# comment\nRPUSH l a\nGET l\n"


def _runner(a, b):
    return Runner(Side("vireo", "127.0.0.1", a.port), Side("redis", "127.0.0.1", b.port))


def test_requires_skips_when_side_a_lacks_a_command(tmp_path, fakes):
    a, b = fakes(["GET", "SET", "SADD"]), fakes(ALL)   # side A has no RPUSH
    with pytest.raises(FileSkipped) as ei:
        _runner(a, b).run_file(_corpus(tmp_path, TYPES_FILE, "types_x.txt"))
    assert ei.value.missing == [b"RPUSH"]
    assert "RPUSH" in str(ei.value) and "types_x.txt" in str(ei.value)
    # nothing but the check was sent: no FLUSHALL, no corpus step
    assert a.commands() == [b"COMMAND"] and a.log[0][1:] == [b"INFO", b"RPUSH", b"SADD", b"GET"]
    assert b.commands() == [b"COMMAND"]


def test_requires_runs_when_all_present(tmp_path, fakes):
    a, b = fakes(ALL), fakes(ALL)
    assert _runner(a, b).run_file(_corpus(tmp_path, TYPES_FILE)) == []
    for f in (a, b):
        assert f.commands() == [b"COMMAND", b"FLUSHALL", b"SELECT", b"RPUSH", b"GET"]


def test_requires_unanswerable_or_reference_lacking(tmp_path, fakes):
    path = _corpus(tmp_path, TYPES_FILE)
    # side A cannot answer COMMAND INFO: a mismatch at the !requires line, file not run
    a, b = fakes(ALL, command_error=True), fakes(ALL)
    mm = _runner(a, b).run_file(path)
    assert len(mm) == 1 and mm[0].lineno == 1 and "!requires" in mm[0].reason
    assert a.commands() == [b"COMMAND"]
    # the reference lacks a required command: a corpus error, reported, not skipped
    a, b = fakes(ALL), fakes(["GET", "SET", "SADD"])
    mm = _runner(a, b).run_file(path)
    assert len(mm) == 1 and "reference" in mm[0].reason and "RPUSH" in mm[0].reason


def test_run_py_prints_skipped(tmp_path, fakes):
    a, b = fakes(["GET"]), fakes(ALL)
    path = _corpus(tmp_path, TYPES_FILE, "types_y.txt")
    plain = _corpus(tmp_path, "GET x\n", "plain.txt")
    p = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), path, plain,
                        "--port-a", str(a.port), "--port-b", str(b.port)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "skipped: types_y.txt: vireo lacks RPUSH, SADD (!requires)" in p.stdout
    assert "plain.txt: 0 mismatch(es)" in p.stdout
