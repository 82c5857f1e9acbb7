"""Bad and unusual protocol input, byte for byte against redis-server 7.0.15.

For every case: the exact reply bytes Redis sends, whether Redis closes the
connection, and a second client (the `watcher` fixture), connected for the
whole test, must keep getting PING answers.
"""
import socket
import time

import pytest

from integ_util import SLOW, Raw, Watcher, encode, rss_kb, wait_for

PE = b"-ERR Protocol error: "

# (id, request bytes, exact reply bytes, connection closed by the server)
# After a case that leaves the connection open, a PING on the same
# connection must still be answered.
CASES = [
    # -- multibulk header ------------------------------------------------------
    ("negative_multibulk_ignored", b"*-5\r\nPING\r\n", b"+PONG\r\n", False),
    ("null_multibulk_ignored", b"*-1\r\n*-2\r\nPING\r\n", b"+PONG\r\n", False),
    ("zero_multibulk_ignored", b"*0\r\nPING\r\n", b"+PONG\r\n", False),
    ("multibulk_not_a_number", b"*abc\r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_plus_sign", b"*+1\r\n$4\r\nPING\r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_trailing_space", b"*1 \r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_over_int_max", b"*2147483648\r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_10_digits", b"*3000000000\r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_count_string_too_big", b"*" + b"1" * 70000,
     PE + b"too big mbulk count string\r\n", True),
    ("multibulk_leading_zero", b"*01\r\n$4\r\nPING\r\n", PE + b"invalid multibulk length\r\n",
     True),
    ("multibulk_minus_zero", b"*-0\r\nPING\r\n", PE + b"invalid multibulk length\r\n", True),
    ("multibulk_lf_only_then_crlf", b"*1\n$4\nPING\n\r\n", PE + b"invalid multibulk length\r\n",
     True),
    # -- bulk header -------------------------------------------------------------
    ("bulk_len_leading_zero", b"*1\r\n$04\r\nPING\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_leading_zeros", b"*1\r\n$0004\r\nPING\r\n", PE + b"invalid bulk length\r\n",
     True),
    ("bulk_len_minus_zero", b"*1\r\n$-0\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_trailing_space", b"*1\r\n$4 \r\nPING\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_lf_only", b"*1\r\n$4\nPING\r\n", PE + b"invalid bulk length\r\n", True),
    ("nested_array", b"*2\r\n$4\r\nECHO\r\n*1\r\n", PE + b"expected '$', got '*'\r\n", True),
    ("expected_dollar", b"*1\r\nfoo\r\n", PE + b"expected '$', got 'f'\r\n", True),
    ("bulk_len_not_a_number", b"*1\r\n$abc\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_negative", b"*1\r\n$-1\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_minus_5", b"*1\r\n$-5\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_plus_sign", b"*1\r\n$+5\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_leading_space", b"*1\r\n$ 5\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_9999999999", b"*1\r\n$9999999999\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_600mb", b"*1\r\n$600000000\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_len_512mb_plus_1", b"*1\r\n$536870913\r\n", PE + b"invalid bulk length\r\n", True),
    ("bulk_count_string_too_big", b"*1\r\n" + b"x" * 70000,
     PE + b"too big bulk count string\r\n", True),
    ("bulk_len_digits_too_big", b"*1\r\n$" + b"1" * 70000,
     PE + b"too big bulk count string\r\n", True),
    # -- replies already produced are sent before the error; what follows the
    #    error in the same write is never executed
    ("pong_then_protocol_error", b"*1\r\n$4\r\nPING\r\n*1\r\n$abc\r\n",
     b"+PONG\r\n" + PE + b"invalid bulk length\r\n", True),
    ("nothing_after_protocol_error", b"*1\r\n$abc\r\n*1\r\n$4\r\nPING\r\n",
     PE + b"invalid bulk length\r\n", True),
    ("pong_then_too_big_inline", b"*1\r\n$4\r\nPING\r\n" + b"x" * 70000,
     b"+PONG\r\n" + PE + b"too big inline request\r\n", True),
    # -- bulk payloads -----------------------------------------------------------
    ("binary_safe_bulk",
     b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
     b"+OK\r\n$4\r\na\r\nb\r\n", False),
    ("bulk_terminator_not_checked", b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
     b"+PONG\r\n+PONG\r\n", False),
    ("empty_command_name", b"*1\r\n$0\r\n\r\n",
     b"-ERR unknown command '', with args beginning with: \r\n", False),
    ("empty_argument", b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", b"$-1\r\n", False),
    ("multibulk_wrong_arity", b"*1\r\n$3\r\nGET\r\n",
     b"-ERR wrong number of arguments for 'get' command\r\n", False),
    # -- inline commands ---------------------------------------------------------
    ("inline_ping", b"PING\r\n", b"+PONG\r\n", False),
    ("inline_lf_only", b"PING\n", b"+PONG\r\n", False),
    ("inline_case_insensitive", b"pInG\r\n", b"+PONG\r\n", False),
    ("inline_surrounding_spaces", b"   PING   \r\n", b"+PONG\r\n", False),
    ("inline_empty_lines", b"\r\n\r\n\n   \r\nPING\r\n", b"+PONG\r\n", False),
    ("inline_double_quotes_escapes", b'SET k "a\\x41\\n"\r\nGET k\r\n',
     b"+OK\r\n$3\r\naA\n\r\n", False),
    ("inline_bad_hex_escape", b'ECHO "\\x4"\r\n', b"$2\r\nx4\r\n", False),
    ("inline_single_quotes", b"SET k 'a b'\r\nGET k\r\n", b"+OK\r\n$3\r\na b\r\n", False),
    ("inline_escaped_single_quote", b"ECHO 'a\\'b'\r\n", b"$3\r\na'b\r\n", False),
    ("inline_empty_quoted_arg", b'ECHO ""\r\n', b"$0\r\n\r\n", False),
    ("inline_tab_separates", b"ECHO a\tb\r\n",
     b"-ERR wrong number of arguments for 'echo' command\r\n", False),
    ("inline_wrong_arity", b"GET\r\n", b"-ERR wrong number of arguments for 'get' command\r\n",
     False),
    ("inline_unknown_with_args", b"NOSUCH a b\r\n",
     b"-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n", False),
    ("unknown_name_truncated_128", b"x" * 200 + b"\r\n",
     b"-ERR unknown command '" + b"x" * 128 + b"', with args beginning with: \r\n", False),
    ("unknown_args_truncated_128", b"NOSUCH " + b"a" * 100 + b" " + b"b" * 100 + b" c\r\n",
     b"-ERR unknown command 'NOSUCH', with args beginning with: '" + b"a" * 100 + b"' '"
     + b"b" * 25 + b"' \r\n", False),
    ("unbalanced_double_quote", b'SET "a b\r\n', PE + b"unbalanced quotes in request\r\n",
     True),
    ("unbalanced_single_quote", b"SET 'a b\r\n", PE + b"unbalanced quotes in request\r\n",
     True),
    ("closing_quote_followed_by_char", b'"ab"c\r\n',
     PE + b"unbalanced quotes in request\r\n", True),
    ("nothing_after_unbalanced_quotes", b'SET "a\r\nSET k v\r\n',
     PE + b"unbalanced quotes in request\r\n", True),
    ("too_big_inline", b"x" * 70000, PE + b"too big inline request\r\n", True),
    ("quit_inside_multi", b"MULTI\r\nSET a 1\r\nQUIT\r\n", b"+OK\r\n+QUEUED\r\n+OK\r\n", True),
    ("protocol_error_inside_multi", b"MULTI\r\nSET a 1\r\n*1\r\n$x\r\n",
     b"+OK\r\n+QUEUED\r\n" + PE + b"invalid bulk length\r\n", True),
    ("quit_stops_the_pipeline", b"PING\r\nQUIT\r\nPING\r\n", b"+PONG\r\n+OK\r\n", True),
    # -- other RESP types where a request is expected are inline commands ---------
    ("bare_bulk_is_inline", b"$4\r\nPING\r\n",
     b"-ERR unknown command '$4', with args beginning with: \r\n+PONG\r\n", False),
    ("simple_string_and_integer", b"+PING\r\n:1\r\n",
     b"-ERR unknown command '+PING', with args beginning with: \r\n"
     b"-ERR unknown command ':1', with args beginning with: \r\n", False),
    ("error_reply_as_request", b"-ERR x\r\n",
     b"-ERR unknown command '-ERR', with args beginning with: 'x' \r\n", False),
    # -- garbage -----------------------------------------------------------------
    ("garbage_bytes", b"\xff\xfegarbage\r\n",
     b"-ERR unknown command '\xff\xfegarbage', with args beginning with: \r\n", False),
    ("garbage_control_chars", b"\x01\x02\x03 \x04\r\n",
     b"-ERR unknown command '\x01\x02\x03', with args beginning with: '\x04' \r\n", False),
]


@pytest.mark.parametrize("data,reply,closed", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input(srv, watcher, raw, data, reply, closed):
    c = raw()
    c.send(data)
    got = c.recv_exact(len(reply))
    assert got == reply
    if closed:
        assert c.wait_closed(), "Redis closes the connection after this reply"
    else:
        more, was_closed = c.recv_until_idle(0.1)
        assert (more, was_closed) == (b"", False), "extra data or close after the reply"
        c.send(b"PING\r\n")
        assert c.recv_exact(7) == b"+PONG\r\n"
    watcher.ping()


# Requests that are not complete: no reply, the connection stays open, and
# the rest of the request completes it.
PARTIAL = [
    ("multibulk_header_only", b"*1\r\n", b"$4\r\nPING\r\n", b"+PONG\r\n"),
    ("bulk_header_only", b"*1\r\n$4\r\n", b"PING\r\n", b"+PONG\r\n"),
    ("half_a_bulk", b"*1\r\n$4\r\nPI", b"NG\r\n", b"+PONG\r\n"),
    ("bulk_without_crlf", b"*1\r\n$4\r\nPING", b"\r\n", b"+PONG\r\n"),
    ("half_a_header", b"*", b"1\r\n$4\r\nPING\r\n", b"+PONG\r\n"),
    ("half_a_bulk_len", b"*1\r\n$", b"4\r\nPING\r\n", b"+PONG\r\n"),
    ("inline_without_newline", b"PING", b"\r\n", b"+PONG\r\n"),
    ("inline_cr_only", b"PING\r", b"\n", b"+PONG\r\n"),
    ("set_missing_value", b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n", b"$1\r\nv\r\n", b"+OK\r\n"),
    ("multibulk_lf_only", b"*1\n$4\nPING\n", b"\r\n",
     PE + b"invalid multibulk length\r\n"),
    ("inline_64k_without_newline", b"ECHO " + b"y" * 60000, b"\r\n",
     b"$60000\r\n" + b"y" * 60000 + b"\r\n"),
]


@pytest.mark.parametrize("first,rest,reply", [c[1:] for c in PARTIAL],
                         ids=[c[0] for c in PARTIAL])
def test_unterminated_request(srv, watcher, raw, first, rest, reply):
    c = raw()
    c.send(first)
    got, closed = c.recv_until_idle(0.2)
    assert (got, closed) == (b"", False)
    watcher.ping()
    c.send(rest)
    assert c.recv_exact(len(reply)) == reply
    if reply.startswith(PE):
        assert c.wait_closed()
    else:
        c.send(b"PING\r\n")
        assert c.recv_exact(7) == b"+PONG\r\n"


@pytest.mark.parametrize("data", [b"CLIENT REPLY OFF\r\n*1\r\n$abc\r\nPING\r\n",
                                  b"CLIENT REPLY SKIP\r\n*1\r\n$abc\r\nPING\r\n",
                                  b"CLIENT REPLY OFF\r\nQUIT\r\nPING\r\n"],
                         ids=["reply_off_protocol_error", "reply_skip_protocol_error",
                              "reply_off_quit"])
def test_close_after_reply_without_reply_redis_quirk(srv, watcher, raw, data):
    """Redis quirk: a client whose replies are muted (CLIENT REPLY OFF/SKIP)
    is marked close-after-reply by a protocol error or QUIT, but since no
    reply is ever written the connection is never closed; everything it
    sends afterwards is ignored."""
    c = raw()
    c.send(data)
    got, closed = c.recv_until_idle(0.3)
    assert (got, closed) == (b"", False)
    c.send(b"PING\r\n")
    got, closed = c.recv_until_idle(0.2)
    assert (got, closed) == (b"", False)
    watcher.ping()


def test_inline_nul_byte_hides_the_newline(srv, watcher, raw):
    """Redis looks for the end of an inline request with strchr(), so a NUL
    byte before the newline hides it: nothing is executed (not even the PING
    behind it) until more than 64 KB are buffered, which is then a "too big
    inline request"."""
    c = raw()
    c.send(b"\x00\x01\x02garbage\xff\r\nPING\r\n")
    got, closed = c.recv_until_idle(0.2)
    assert (got, closed) == (b"", False)
    watcher.ping()
    c.send(b"PING\r\n" * 11000)
    reply = PE + b"too big inline request\r\n"
    assert c.recv_exact(len(reply)) == reply
    assert c.wait_closed()


@pytest.mark.parametrize("data", [b"*2147483647\r\n" + b"$1\r\na\r\n" * 3,
                                  b"*1048577\r\n" + b"$1\r\na\r\n" * 3,
                                  b"*1048576\r\n$3\r\nSET\r\n",
                                  b"*1\r\n$536870912\r\nabc"],
                         ids=["int_max", "1M_plus_1", "1M", "bulk_exactly_512mb"])
def test_huge_counts_wait_without_allocating(srv, watcher, raw, data):
    """A huge (but valid) count is accepted and the server waits for the
    elements; it must not touch memory for the count up front, and a client
    that then disconnects leaves nothing behind."""
    base = rss_kb(srv.pid)
    c = raw()
    c.send(data)
    got, closed = c.recv_until_idle(0.3)
    assert (got, closed) == (b"", False)
    watcher.ping()
    assert rss_kb(srv.pid) - base < 100 * 1024, "RSS grew by more than 100 MB"
    c.close()
    watcher.ping()
    assert rss_kb(srv.pid) - base < 100 * 1024


def test_600mb_header_with_raised_limit_then_disconnect(server_factory, tmp_path):
    """proto-max-bulk-len raised above 600 MB: a client announces a 600 MB
    argument, sends a few bytes and disconnects. Nothing hangs, the memory
    is not touched (RSS) and is given back after the disconnect."""
    srv = server_factory(args=["--proto-max-bulk-len", "1gb"], cwd=str(tmp_path))
    r = srv.client()
    w = Raw(srv.port)
    base_rss = rss_kb(srv.pid)
    base_used = r.info("memory")["used_memory"]
    c = Raw(srv.port)
    c.send(b"*1\r\n$600000000\r\n" + b"abcdef")
    got, closed = c.recv_until_idle(0.3)
    assert (got, closed) == (b"", False)
    t = time.time()
    w.send(b"PING\r\n")
    assert w.recv_exact(7) == b"+PONG\r\n"
    assert time.time() - t < 1.0 * SLOW
    assert rss_kb(srv.pid) - base_rss < 100 * 1024, "RSS grew by more than 100 MB"
    c.close()
    # Once the client is gone, what it held is released.
    assert wait_for(lambda: r.info("memory")["used_memory"] < base_used + 10 * 1024 * 1024), \
        "used_memory not back near its baseline after the disconnect"
    w.send(b"PING\r\n")
    assert w.recv_exact(7) == b"+PONG\r\n"
    assert rss_kb(srv.pid) - base_rss < 100 * 1024
    # The limit itself is honoured: 600 MB is fine, 1 GB + 1 is not.
    c2 = Raw(srv.port)
    c2.send(b"*1\r\n$1073741825\r\n")
    assert c2.recv_exact(len(PE) + 21) == PE + b"invalid bulk length\r\n"
    assert c2.wait_closed()
    w.close()
    r.close()


@pytest.mark.parametrize("size", [32 * 1024 - 1, 32 * 1024, 100000, 1 << 20, 8 << 20],
                         ids=["32k-1", "32k", "100k", "1m", "8m"])
def test_big_arguments_in_odd_chunks(srv, watcher, raw, size):
    """Big bulk arguments (Redis switches to its big-argument path at 32 KB)
    arriving in chunks cut at awkward places: inside the header, between
    the payload and its CRLF, between CR and LF."""
    import random
    rnd = random.Random(size)
    value = bytes(rnd.getrandbits(8) for _ in range(1024)) * (size // 1024) + b"z" * (size % 1024)
    data = encode("SET", "big", value) + encode("STRLEN", "big") + encode("GET", "big") \
        + encode("MSET", "a", value[:40000], "b", value[:50000]) + encode("STRLEN", "b")
    cuts = sorted({5, 12, len(data) // 3, len(data) - len(value) // 2, len(data) - 1,
                   data.index(value) + size, data.index(value) + size + 1})
    c = raw(timeout=20)
    prev = 0
    for cut in cuts + [len(data)]:
        c.send(data[prev:cut])
        prev = cut
        time.sleep(0.005)
    expect = b"+OK\r\n:%d\r\n$%d\r\n%s\r\n+OK\r\n:%d\r\n" % (size, size, value,
                                                               min(size, 50000))
    assert c.recv_exact(len(expect), timeout=20 * SLOW) == expect
    watcher.ping()


def test_commands_with_100000_and_1m_arguments(srv, watcher, raw):
    args = ["MSET"]
    for i in range(50000):
        args += ["k%d" % i, "v%d" % i]
    c = raw(timeout=20)
    c.send(encode(*args) + encode("DBSIZE") + encode("GET", "k49999"))
    expect = b"+OK\r\n:50000\r\n$6\r\nv49999\r\n"
    assert c.recv_exact(len(expect), timeout=20 * SLOW) == expect
    watcher.ping()
    # 1M arguments (the largest count Redis allocates up front is 1024)
    n = 1 << 20
    c.send(b"*%d\r\n$3\r\nDEL\r\n" % n + b"$2\r\nzz\r\n" * (n - 1)
           + b"*%d\r\n$4\r\nECHO\r\n" % n + b"$1\r\na\r\n" * (n - 1))
    expect = b":0\r\n-ERR wrong number of arguments for 'echo' command\r\n"
    assert c.recv_exact(len(expect), timeout=30 * SLOW) == expect
    watcher.ping()


def test_request_in_one_byte_writes(srv, watcher, raw):
    """A pipeline of multibulk and inline requests, delivered one byte per
    write (TCP_NODELAY, with a short pause so the server sees the pieces)."""
    c = raw()
    data = (encode("SET", "key", "hello\r\nworld") + b"GET key\r\n" + encode("PING")
            + b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n" + b'ECHO "a b"\n' + encode("INCR", "n")
            + encode("INCR", "n") + encode("GET", "key"))
    expect = (b"+OK\r\n$12\r\nhello\r\nworld\r\n+PONG\r\n$0\r\n\r\n$3\r\na b\r\n:1\r\n:2\r\n"
              b"$12\r\nhello\r\nworld\r\n")
    for i in range(len(data)):
        c.send(data[i:i + 1])
        if i % 4 == 0:
            time.sleep(0.001)
        if i % 50 == 0:
            watcher.ping()
    assert c.recv_exact(len(expect)) == expect
    more, closed = c.recv_until_idle(0.1)
    assert (more, closed) == (b"", False)


def test_10000_pipelined_commands_in_one_write(srv, watcher, raw):
    c = raw(timeout=20)
    parts, expect = [], []
    for i in range(10000):
        if i % 3 == 0:
            parts.append(encode("INCR", "counter"))
            expect.append(b":%d\r\n" % (i // 3 + 1))
        elif i % 3 == 1:
            parts.append(encode("ECHO", str(i)))
            expect.append(b"$%d\r\n%d\r\n" % (len(str(i)), i))
        else:
            parts.append(b"PING\r\n")
            expect.append(b"+PONG\r\n")
    data = b"".join(parts)
    expect = b"".join(expect)
    c.send(data)
    assert c.recv_exact(len(expect), timeout=20 * SLOW) == expect
    watcher.ping()
    more, closed = c.recv_until_idle(0.1)
    assert (more, closed) == (b"", False)


def test_client_that_never_reads_hits_output_buffer_limit(server_factory, tmp_path):
    """A client pipelines GETs of a 1 MB value and never reads. With
    `client-output-buffer-limit normal 10mb 5mb 10` Redis disconnects it
    once its output buffer passes 10 MB (and stops executing its commands),
    so the server does not grow; other clients keep being served."""
    srv = server_factory(args=["--client-output-buffer-limit", "normal", "10mb", "5mb", "10"],
                         cwd=str(tmp_path))
    r = srv.client()
    w = Watcher(srv.port)
    r.set("big", b"x" * (1 << 20))
    base_rss = rss_kb(srv.pid)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.connect(("127.0.0.1", srv.port))
    c.settimeout(0.2)
    sent_error = None
    try:
        for _ in range(30):  # 300 GETs: 300 MB of replies if nothing stops them
            c.sendall(encode("GET", "big") * 10)
    except OSError as e:
        sent_error = e
    # Without reading anything, wait for the server to drop the client
    # (it disappears from CLIENT LIST), watching the server's memory.
    max_rss = rss_kb(srv.pid)
    deadline = time.time() + 5 * SLOW
    dropped = False
    while time.time() < deadline:
        max_rss = max(max_rss, rss_kb(srv.pid))
        if len(r.client_list()) <= 2:  # only `r` and the watcher are left
            dropped = True
            break
        time.sleep(0.05)
    grown_mb = (max_rss - base_rss) // 1024
    # Now read: what the kernel still holds, then EOF or a reset.
    closed = False
    total = 0
    c.settimeout(2 * SLOW)
    while total < 50 * (1 << 20):
        try:
            d = c.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
        except socket.timeout:
            break
        if not d:
            closed = True
            break
        total += len(d)
    c.close()
    assert dropped and closed, "client not disconnected (still in CLIENT LIST after 5 s: %s, " \
        "read %d bytes, send error %r, RSS grew by %d MB)" % (not dropped, total, sent_error,
                                                              grown_mb)
    assert grown_mb < 100, "RSS grew by %d MB" % grown_mb
    w.ping()
    # The client is gone from CLIENT LIST, and the log says why.
    assert wait_for(lambda: all(x.get("cmd") != "get" for x in r.client_list()))
    assert wait_for(lambda: "for overcoming of output buffer limits" in srv.read_log()), \
        srv.read_log()[-2000:]
    assert r.info("memory")["used_memory"] < 64 * 1024 * 1024
    w.close()
    r.close()


def test_query_buffer_limit_closes_client(server_factory, tmp_path):
    """client-query-buffer-limit 1mb: a 2 MB argument closes the client
    without a reply (Redis logs why); others are not affected."""
    srv = server_factory(args=["--client-query-buffer-limit", "1mb"], cwd=str(tmp_path))
    w = Watcher(srv.port)
    c = Raw(srv.port)
    v = b"x" * (2 << 20)
    try:
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$%d\r\n" % len(v) + v + b"\r\n")
    except (ConnectionResetError, BrokenPipeError):
        pass
    got, closed = c.recv_until_idle(1.0 * SLOW)
    assert (got, closed) == (b"", True)
    w.ping()
    c = Raw(srv.port)
    try:
        c.send(b"y" * (2 << 20))  # an inline request without newline
    except (ConnectionResetError, BrokenPipeError):
        pass
    got, closed = c.recv_until_idle(1.0 * SLOW)
    # Redis checks the query buffer limit before the inline size limit.
    assert closed
    assert got in (b"", PE + b"too big inline request\r\n")
    w.ping()
    assert wait_for(lambda: "Closing client that reached max query buffer length"
                    in srv.read_log()), srv.read_log()[-2000:]
    r = srv.client()
    assert r.get("q") is None
    r.close()
    w.close()


def test_disconnect_mid_request_many_times(srv, watcher):
    """Clients that vanish in the middle of every kind of request."""
    pieces = [b"*3\r\n$3\r\nSET\r\n$1\r\nk", b"*1\r\n$100000\r\n" + b"z" * 50000,
              b"PING", b'SET "unterminated', b"*1048576\r\n", b"*2\r\n$4\r\nECHO\r\n$5\r\nab"]
    for _ in range(5):
        for p in pieces:
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(p)
            s.close()
        watcher.ping()


@pytest.mark.parametrize("n", [1, 100], ids=["one", "hundred"])
def test_reset_by_peer_with_pending_replies(srv, watcher, n):
    """A client that sends work and resets the connection (RST) before
    reading the replies."""
    import struct
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(encode("SET", "k", "v" * 1000) + encode("GET", "k") * 50)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    watcher.ping()
    assert srv.client().get("k") in (None, b"v" * 1000)


def test_query_buffer_limit_set_at_runtime_applies_to_open_clients(srv):
    """CONFIG SET client-query-buffer-limit reaches connections that are
    already open (Redis reads the limit on every read)."""
    c = Raw(srv.port)
    assert c.call("PING") == b"PONG"
    r = srv.client()
    assert r.config_set("client-query-buffer-limit", "1mb")
    v = b"x" * (2 << 20)
    try:
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$%d\r\n" % len(v) + v + b"\r\n")
    except (ConnectionResetError, BrokenPipeError):
        pass
    got, closed = c.recv_until_idle(1.0 * SLOW)
    assert (got, closed) == (b"", True)
    assert r.get("q") is None
    r.close()
