"""ACL users, rules and checks against a real server: cases ported from
Redis 7.0.15's tests/unit/acl.tcl, acl-v2.tcl and auth.tcl (each test names
its source), plus users from a config file and an aclfile, ACL SAVE/LOAD,
CONFIG REWRITE of the users, killed clients, CLIENT KILL USER and redis-py's
acl_* helpers. Every test passes on redis-server 7.0.15 too.
"""
import os

import pytest
import redis

from integ_util import Raw, RespError, free_port, read_file, wait_exit

NOAUTH = RespError(b"NOAUTH Authentication required.")
WRONGPASS = RespError(b"WRONGPASS invalid username-password pair or user is disabled.")


def noperm_cmd(name):
    return RespError(b"NOPERM this user has no permissions to run the '%s' command" % name.encode())


NOPERM_KEY = RespError(b"NOPERM this user has no permissions to access one of the keys used as arguments")
NOPERM_CHANNEL = RespError(
    b"NOPERM this user has no permissions to access one of the channels used as arguments")


def log_entries(c, n=None):
    raw = c.execute_command("ACL", "LOG", *([n] if n is not None else []))
    out = []
    for e in raw:
        d = dict(zip(e[0::2], e[1::2]))
        out.append({k.decode() if isinstance(k, bytes) else k:
                    v.decode() if isinstance(v, bytes) else v for k, v in d.items()})
    return out


# ---------------------------------------------------------------------------
# acl.tcl: users, passwords, keys, commands
# ---------------------------------------------------------------------------

def test_connections_start_with_default_user(srv, rc):
    # acl.tcl "Connections start with the default user"
    assert rc.execute_command("ACL", "WHOAMI") == "default"
    assert "user=default" in rc.execute_command("CLIENT", "INFO")


def test_new_users_start_disabled_and_passwords(srv, rc):
    # acl.tcl "It is possible to create new users", "New users start disabled",
    # "Enabling the user allows the login", "Only the set of correct passwords work",
    # "It is possible to remove passwords from the set of valid ones"
    rc.execute_command("ACL", "SETUSER", "newuser")
    assert "newuser" in rc.execute_command("ACL", "USERS")
    rc.execute_command("ACL", "SETUSER", "newuser", ">passwd1")
    with Raw(srv.port) as c:
        assert c.call("AUTH", "newuser", "passwd1") == WRONGPASS
        rc.execute_command("ACL", "SETUSER", "newuser", "on", "+acl")
        assert c.call("AUTH", "newuser", "passwd1") == b"OK"
        assert c.call("ACL", "WHOAMI") == b"newuser"
        rc.execute_command("ACL", "SETUSER", "newuser", ">passwd2")
        assert c.call("AUTH", "newuser", "passwd2") == b"OK"
        assert c.call("AUTH", "newuser", "passwd3") == WRONGPASS
        rc.execute_command("ACL", "SETUSER", "newuser", "<passwd1")
        assert c.call("AUTH", "newuser", "passwd1") == WRONGPASS
        rc.execute_command("ACL", "SETUSER", "newuser", "nopass")
        assert c.call("AUTH", "newuser", "zipzapblabla") == b"OK"


def test_password_hashes(srv, rc):
    # acl.tcl "Test password hashes can be added", "Test password hashes validate input",
    # "ACL GETUSER returns the password hash correctly"
    h = "34344e4d60718c9d4d7a77ad89e4cd1e73ca1e5a0d0c4e2e4ac2a94e2e1ca1a3"
    rc.execute_command("ACL", "SETUSER", "newuser", "on", "#" + h, "+acl")
    with Raw(srv.port) as c:
        assert c.call("ACL", "GETUSER", "newuser")[3] == [h.encode()]
    with pytest.raises(redis.ResponseError, match="password hash must be exactly 64"):
        rc.execute_command("ACL", "SETUSER", "newuser", "#34344e4d60718c9d4d7a77ad89e4cd1e73ca1e5a")
    import hashlib
    rc.execute_command("ACL", "SETUSER", "newuser", "resetpass", ">passwd1")
    with Raw(srv.port) as c:
        assert c.call("ACL", "GETUSER", "newuser")[3] == [
            hashlib.sha256(b"passwd1").hexdigest().encode()]


def test_key_and_command_permissions(srv, rc):
    # acl.tcl "By default users are not able to access any command", "By default users
    # are not able to access any key", "It's possible to allow the access of a subset of keys"
    rc.execute_command("ACL", "SETUSER", "newuser", "on", "nopass", "+set")
    with Raw(srv.port) as c:
        assert c.call("AUTH", "newuser", "x") == b"OK"
        assert c.call("GET", "foo") == noperm_cmd("get")
        assert c.call("SET", "foo", "bar") == NOPERM_KEY
        rc.execute_command("ACL", "SETUSER", "newuser", "allcommands", "~foo:*", "~bar:*")
        assert c.call("SET", "foo:1", "a") == b"OK"
        assert c.call("SET", "bar:2", "b") == b"OK"
        assert c.call("SET", "zap:3", "c") == NOPERM_KEY
        assert c.call("MSET", "foo:1", "a", "zap:3", "c") == NOPERM_KEY


def test_exclude_commands_and_subcommands(srv, rc):
    # acl.tcl "ACLs can exclude single commands", "ACLs can include single subcommands",
    # "ACLs can block SELECT of all but a specific DB"
    rc.execute_command("ACL", "SETUSER", "newuser", "on", "nopass", "allkeys", "+@all",
                       "-ping", "-client", "+client|id")
    with Raw(srv.port) as c:
        c.call("AUTH", "newuser", "x")
        assert c.call("INCR", "mycounter") == 1
        assert c.call("PING") == noperm_cmd("ping")
        assert isinstance(c.call("CLIENT", "ID"), int)
        assert c.call("CLIENT", "KILL", "TYPE", "xxx") == noperm_cmd("client|kill")
        rc.execute_command("ACL", "SETUSER", "newuser", "-select", "+select|0")
        assert c.call("SELECT", "0") == b"OK"
        assert c.call("SELECT", "1") == noperm_cmd("select")


def test_read_write_key_permissions(srv, rc):
    # acl-v2.tcl "Test R+W is the same as all permissions", "Test basic multiple selectors",
    # "Test DRYRUN with wrong number of arguments"
    rc.execute_command("ACL", "SETUSER", "sel", "on", "nopass", "+@all", "%R~read*",
                       "%W~write*", "(~sel* +get)")
    assert rc.execute_command("ACL", "DRYRUN", "sel", "get", "read1") == "OK"
    assert "write1" in rc.execute_command("ACL", "DRYRUN", "sel", "get", "write1")
    assert rc.execute_command("ACL", "DRYRUN", "sel", "set", "write1", "v") == "OK"
    assert rc.execute_command("ACL", "DRYRUN", "sel", "get", "sel1") == "OK"
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'get'"):
        rc.execute_command("ACL", "DRYRUN", "sel", "get")
    rc.execute_command("ACL", "SETUSER", "rw", "on", "nopass", "+@all", "%RW~x*")
    with Raw(srv.port) as c:
        u = c.call("ACL", "GETUSER", "rw")
    assert dict(zip(u[0::2], u[1::2]))[b"keys"] == b"~x*"


def test_multi_queue_time_check_and_exec_recheck(srv, rc):
    # acl.tcl "ACL LOG can distinguish the transaction context (1)" and
    # multi.c's EXEC re-check after the rules changed
    rc.execute_command("ACL", "SETUSER", "antirez", "on", ">foo", "+set", "+get", "+multi",
                       "+exec", "~object:*")
    rc.execute_command("ACL", "LOG", "RESET")
    with Raw(srv.port) as c:
        c.call("AUTH", "antirez", "foo")
        assert c.call("MULTI") == b"OK"
        assert c.call("INCR", "object:1") == noperm_cmd("incr")
        assert c.call("EXEC").startswith(b"EXECABORT")
        e = log_entries(rc)[0]
        assert (e["context"], e["reason"], e["object"], e["username"]) == (
            "multi", "command", "incr", "antirez")
        assert c.call("MULTI") == b"OK"
        assert c.call("SET", "object:1", "v") == b"QUEUED"
        assert c.call("GET", "object:1") == b"QUEUED"
        rc.execute_command("ACL", "SETUSER", "antirez", "-get")
        reply = c.call("EXEC")
        assert reply[0] == b"OK"
        assert reply[1] == RespError(
            b"NOPERM ACLs rules changed between the moment the transaction was accumulated and "
            b"the EXEC call. This command is no longer allowed for the following reason: no "
            b"permission to execute the command or subcommand")


def test_acl_log(srv, rc):
    # acl.tcl "ACL LOG shows failed command executions at toplevel", "ACL LOG is able to
    # test similar events", "ACL LOG is able to log keys access violations and key name",
    # "ACL LOG RESET is able to flush the entries in the log", "ACL LOG can log failed
    # auth attempts", "ACL LOG can accept a numerical argument to show less entries",
    # "ACL LOG entries are limited to a maximum amount"
    rc.execute_command("ACL", "LOG", "RESET")
    rc.execute_command("ACL", "SETUSER", "antirez", ">foo", "on", "+set", "~object:1234")
    with Raw(srv.port) as c:
        c.call("AUTH", "antirez", "foo")
        for _ in range(3):
            assert c.call("GET", "foo") == noperm_cmd("get")
        assert c.call("SET", "somekeynotallowed", "1234") == NOPERM_KEY
    entries = log_entries(rc)
    assert entries[0]["reason"] == "key" and entries[0]["object"] == "somekeynotallowed"
    assert entries[1]["count"] == 3 and entries[1]["object"] == "get"
    assert entries[1]["context"] == "toplevel" and entries[1]["username"] == "antirez"
    assert "user=antirez" in entries[1]["client-info"]
    assert float(entries[1]["age-seconds"]) < 5
    assert sorted(entries[0]) == sorted(["count", "reason", "context", "object", "username",
                                         "age-seconds", "client-info"])
    with Raw(srv.port) as c:
        assert c.call("AUTH", "antirez", "wrong") == WRONGPASS
    e = log_entries(rc)[0]
    assert (e["reason"], e["object"], e["username"]) == ("auth", "AUTH", "antirez")
    assert len(log_entries(rc, 2)) == 2
    rc.execute_command("ACL", "LOG", "RESET")
    assert log_entries(rc) == []
    rc.config_set("acllog-max-len", 5)
    with Raw(srv.port) as c:
        for j in range(10):
            c.call("AUTH", "user%d" % j, "x")
    assert len(log_entries(rc, 100)) == 5
    rc.config_set("acllog-max-len", 2)
    with Raw(srv.port) as c:
        c.call("AUTH", "another", "x")
    assert len(log_entries(rc, 100)) == 2


def test_delete_user_kills_its_clients(srv, rc):
    # acl.tcl "Delete a user that the client doesn't use", "Delete a user that the
    # client is using", "Default user can not be removed"
    rc.execute_command("ACL", "SETUSER", "test", "on", "nopass", "+@all", "~*")
    with Raw(srv.port) as c, Raw(srv.port) as other:
        c.call("AUTH", "test", "x")
        other.call("AUTH", "test", "x")
        assert c.call("ACL", "DELUSER", "test") == 1
        c.wait_closed()
        other.wait_closed()
    with pytest.raises(redis.ResponseError, match="The 'default' user cannot be removed"):
        rc.execute_command("ACL", "DELUSER", "default")
    assert rc.execute_command("ACL", "DELUSER", "nosuch") == 0


def test_default_user_off_new_connections_not_authenticated(srv, rc):
    # acl.tcl "When default user is off, new connections are not authenticated"
    rc.execute_command("ACL", "SETUSER", "default", "off")
    try:
        with Raw(srv.port) as c:
            assert c.call("PING") == NOAUTH
    finally:
        rc.execute_command("ACL", "SETUSER", "default", "on")


def test_hello_auth_and_client_kill_user(srv, rc):
    # acl.tcl "When default user has no command permission, hello command still works for
    # other users"; CLIENT KILL USER (networking.c)
    rc.execute_command("ACL", "SETUSER", "secure", "on", ">supass", "+@all", "~*")
    rc.execute_command("ACL", "SETUSER", "default", "-@all")
    try:
        with Raw(srv.port) as c:
            assert c.call("HELLO", "2", "AUTH", "secure", "wrong") == WRONGPASS
            reply = c.call("HELLO", "2", "AUTH", "secure", "supass")
            assert reply[0] == b"server"
            assert b"user=secure" in c.call("CLIENT", "INFO")
            assert c.call("ACL", "SETUSER", "default", "+@all") == b"OK"
            assert rc.execute_command("CLIENT", "KILL", "USER", "secure") == 1
            c.wait_closed()
    finally:
        with Raw(srv.port) as c:
            c.call("AUTH", "secure", "supass")
            c.call("ACL", "SETUSER", "default", "+@all")
    with pytest.raises(redis.ResponseError, match="No such user 'nosuch'"):
        rc.execute_command("CLIENT", "KILL", "USER", "nosuch")


def test_redis_py_helpers(srv, rc):
    rc.acl_setuser("py", enabled=True, passwords=["+pw"], keys=["app:*"],
                   commands=["+get", "+set"])
    u = rc.acl_getuser("py")
    assert "on" in u["flags"]
    assert u["keys"] in (["~app:*"], ["app:*"], "~app:*")
    assert rc.acl_whoami() == "default"
    assert sorted(rc.acl_users()) == ["default", "py"]
    assert any(l.startswith("user py on #") for l in rc.acl_list())
    py = redis.Redis(host="127.0.0.1", port=srv.port, username="py", password="pw",
                     decode_responses=True)
    assert py.set("app:1", "v")
    with pytest.raises(redis.exceptions.NoPermissionError):
        py.get("other")
    py.close()
    assert rc.acl_log()[0]["object"] == "other"
    assert rc.acl_deluser("py") == 1
    assert len(rc.acl_genpass()) == 64
    assert "keyspace" in rc.acl_cat()


# ---------------------------------------------------------------------------
# channels (needs the pub/sub commands)
# ---------------------------------------------------------------------------

@pytest.mark.requires_commands("PUBLISH", "SUBSCRIBE", "PSUBSCRIBE")
def test_channel_permissions(srv, rc):
    # acl.tcl "It's possible to allow publishing to a subset of channels", "It's possible
    # to allow subscribing to a subset of channel patterns", "Validate subset of channels
    # is prefixed with resetchannels flag"
    rc.execute_command("ACL", "SETUSER", "psuser", "on", "nopass", "resetchannels",
                       "&foo:1", "&bar:*", "+@all", "~*")
    assert "resetchannels &foo:1 &bar:*" in rc.execute_command("ACL", "LIST")[1]
    with Raw(srv.port) as c:
        c.call("AUTH", "psuser", "x")
        assert c.call("PUBLISH", "foo:1", "m") == 0
        assert c.call("PUBLISH", "bar:2", "m") == 0
        assert c.call("PUBLISH", "zap", "m") == NOPERM_CHANNEL
        assert c.call("PSUBSCRIBE", "bar:2*") == NOPERM_CHANNEL
        assert c.call("SUBSCRIBE", "foo:1", "zap") == NOPERM_CHANNEL
    assert log_entries(rc)[0]["reason"] == "channel"


# ---------------------------------------------------------------------------
# auth.tcl: requirepass is the default user's password
# ---------------------------------------------------------------------------

def test_auth_without_password_configured(srv, rc):
    # auth.tcl "AUTH fails if there is no password configured server side",
    # "Arity check for auth command"
    with pytest.raises(redis.ResponseError, match="without any password configured"):
        rc.execute_command("AUTH", "foo")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        rc.execute_command("AUTH", "a", "b", "c")


def test_requirepass(server_factory, tmp_path):
    # auth.tcl "AUTH fails when a wrong password is given", "Arbitrary command gives an
    # error when AUTH is required", "AUTH succeeds when the right password is given",
    # "AUTH succeeds when binary password is correct"
    s = server_factory(["--requirepass", "foobar"], cwd=str(tmp_path))
    with Raw(s.port) as c:
        assert c.call("AUTH", "wrong!") == WRONGPASS
        assert c.call("SET", "foo", "bar") == NOAUTH
        assert c.call("AUTH", "foobar") == b"OK"
        assert c.call("ACL", "GETUSER", "default")[1] == [b"on"]
        assert c.call("CONFIG", "SET", "requirepass", "abc\x00def") == b"OK"
    with Raw(s.port) as c:
        assert c.call("AUTH", "abc") == WRONGPASS
        assert c.call("AUTH", "abc\x00def") == b"OK"
        assert c.call("CONFIG", "SET", "requirepass", "") == b"OK"
    with Raw(s.port) as c:
        assert c.call("PING") == b"PONG"


# ---------------------------------------------------------------------------
# users from the config file and the aclfile
# ---------------------------------------------------------------------------

def test_users_from_config_file_and_rewrite(server_factory, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("user alice on >alice ~alice:* +@all\n"
                    "user default on nopass ~* &* +@all\n")
    s = server_factory(conf=str(conf), cwd=str(tmp_path))
    c = s.client(decode_responses=True)
    assert c.execute_command("ACL", "USERS") == ["alice", "default"]
    a = s.client(decode_responses=True, username="alice", password="alice")
    assert a.set("alice:1", "v")
    with pytest.raises(redis.exceptions.NoPermissionError):
        a.set("bob:1", "v")
    a.close()
    c.execute_command("ACL", "SETUSER", "bob", "on", ">bob", "~bob:*", "+get")
    assert c.config_rewrite()
    text = conf.read_text()
    assert "user bob on #" in text and "~bob:* resetchannels -@all +get" in text
    assert "user alice on #" in text
    with pytest.raises(redis.ResponseError, match="not configured to use an ACL file"):
        c.execute_command("ACL", "SAVE")
    with pytest.raises(redis.ResponseError, match="not configured to use an ACL file"):
        c.execute_command("ACL", "LOAD")
    c.close()


def test_config_user_errors(procs, tmp_path):
    # config.c "Error in user declaration": the FATAL CONFIG FILE ERROR report
    from integ_util import VIREO_BIN
    conf = tmp_path / "bad.conf"
    conf.write_text("user alice on badrule\n")
    p = procs.start([VIREO_BIN, str(conf)], cwd=str(tmp_path))
    assert wait_exit(p) == 1
    assert "Error in user declaration 'alice': Syntax error" in read_file(p.log_path)


def test_users_and_aclfile_are_exclusive(procs, tmp_path):
    from integ_util import VIREO_BIN
    (tmp_path / "users.acl").write_text("user default on nopass ~* &* +@all\n")
    conf = tmp_path / "both.conf"
    conf.write_text("user alice on\naclfile %s\n" % (tmp_path / "users.acl"))
    p = procs.start([VIREO_BIN, str(conf), "--port", str(free_port())], cwd=str(tmp_path))
    assert wait_exit(p) == 1
    assert "Configuring Redis with users defined in redis.conf and at the same setting an ACL " \
           "file path is invalid" in read_file(p.log_path)


def test_aclfile_load_and_save(server_factory, tmp_path):
    # acl.tcl "ACL load and save", "Test loading an ACL file with duplicate users",
    # "Test loading an ACL file with duplicate default user" (errors leave rules unchanged)
    aclfile = tmp_path / "user.acl"
    aclfile.write_text("user alice on allcommands allkeys &* >alice\n"
                       "user bob on -@all +@set +acl ~set* &* >bob\n"
                       "user default on nopass ~* &* +@all\n")
    s = server_factory(["--aclfile", str(aclfile)], cwd=str(tmp_path))
    with Raw(s.port) as c:
        assert c.call("AUTH", "alice", "alice") == b"OK"
        assert c.call("ACL", "SETUSER", "eve", "+get", "allkeys", ">eve", "on") == b"OK"
        assert c.call("ACL", "SAVE") == b"OK"
        assert "user eve on #" in aclfile.read_text()
        # ACL LOAD frees the old users and kills their clients, after the reply
        assert c.call("ACL", "LOAD") == b"OK"
        c.wait_closed()
    with Raw(s.port) as c:
        assert c.call("AUTH", "alice", "alice") == b"OK"
        assert c.call("SET", "key", "value") == b"OK"
        assert c.call("AUTH", "eve", "eve") == b"OK"
        assert c.call("GET", "key") == b"value"
        assert c.call("SET", "key", "value") == noperm_cmd("set")
    aclfile.write_text("user alice on >a\nuser alice on >b\n")
    with Raw(s.port) as c:
        err = c.call("ACL", "LOAD")
        assert err.startswith(b"ERR WARNING: Duplicate user 'alice' found on line 2.")
        assert err.endswith(b"no change to the previously active ACL rules was performed")
        aclfile.write_text("user alice on nosuchrule\n")
        err = c.call("ACL", "LOAD")
        assert err.startswith(b"ERR " + str(aclfile).encode() + b":1: Syntax error. ")
        assert c.call("AUTH", "eve", "eve") == b"OK"  # nothing changed


def test_aclfile_errors_at_startup(procs, tmp_path):
    from integ_util import VIREO_BIN
    (tmp_path / "bad.acl").write_text("user alice on +nosuchcommand\n")
    p = procs.start([VIREO_BIN, "--port", str(free_port()), "--aclfile", str(tmp_path / "bad.acl")],
                    cwd=str(tmp_path))
    assert wait_exit(p) == 1
    assert "Aborting Redis startup because of ACL errors: " in read_file(p.log_path)


def test_hello_applies_auth_and_setname_while_parsing(server_factory, tmp_path):
    # networking.c helloCommand: AUTH / SETNAME take effect option by option
    s = server_factory(["--requirepass", "pw"], cwd=str(tmp_path))
    with Raw(s.port) as c:
        assert c.call("HELLO", "2", "SETNAME", "foo").startswith(b"NOAUTH HELLO must be called")
        assert c.call("AUTH", "pw") == b"OK"
        assert c.call("CLIENT", "GETNAME") == b"foo"
    with Raw(s.port) as c:
        assert c.call("HELLO", "2", "AUTH", "default", "pw", "BADOPT") == RespError(
            b"ERR Syntax error in HELLO option 'BADOPT'")
        assert isinstance(c.call("CLIENT", "ID"), int)
