"""Unit tests of the harness itself (no server needed)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from diffharness import (split_args, parse_reply, split_replies, Incomplete, BadReply,  # noqa: E402
                         encode_command, compare, Outcome, Mods)


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
