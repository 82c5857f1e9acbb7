"""Sets through redis-py: the cases of Redis 7.0.15's tests/unit/type/set.tcl
(each test names the .tcl test it ports), plus pipelines, MULTI/EXEC, big
sets crossing set-max-intset-entries, SSCAN over a hashtable that resizes,
and the distribution of SRANDMEMBER / SPOP checked with the chi-square bound
set.tcl uses. Every test passes against redis-server 7.0.15 too."""
import random

import pytest
import redis

pytestmark = pytest.mark.requires_commands("SADD", "SINTERCARD", "SSCAN")

HT = list("abcdefghijklmnopqrstuvwxyz")
INTS = [str(i) for i in range(1, 27)]


def create_set(r, key, members):
    r.delete(key)
    for m in members:
        r.sadd(key, m)


def enc(r, key):
    return r.object("encoding", key)


def chi_square(values):
    """set.tcl's chi_square_value (integer expected count, as Tcl's expr)."""
    hist = {}
    for v in values:
        hist[v] = hist.get(v, 0) + 1
    p = len(values) // len(hist)
    return sum((n - p) ** 2 / p for n in hist.values())


# --- basics ---------------------------------------------------------------

@pytest.mark.parametrize("kind,a,b,c", [("hashtable", "foo", "bar", "zap"),
                                        ("intset", "16", "17", "18")])
def test_basics(rc, kind, a, b, c):
    # "SADD, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS basics - regular set/intset"
    assert rc.sadd("myset", a) == 1
    assert enc(rc, "myset") == kind
    assert rc.sadd("myset", b) == 1
    assert rc.sadd("myset", a) == 0
    assert rc.scard("myset") == 2
    assert rc.sismember("myset", a) and rc.sismember("myset", b)
    assert not rc.sismember("myset", c)
    assert rc.smismember("myset", [a, b, c]) == [1, 1, 0]
    assert rc.smismember("myset", [a]) == [1]
    assert sorted(rc.smembers("myset")) == sorted([a, b])


def test_smismember_errors(rc):
    # "SMISMEMBER against non set", "SMISMEMBER non existing key",
    # "SMISMEMBER requires one or more members"
    rc.set("mylist", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.smismember("mylist", ["foo"])
    assert rc.smismember("nokey", ["a", "b"]) == [0, 0]
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        rc.execute_command("SMISMEMBER", "zmscoretest")


def test_sadd_conversions(rc):
    # "SADD against non set", "SADD a non-integer against an intset",
    # "SADD an integer larger than 64 bits", "SADD overflows the maximum
    # allowed integers in an intset", "Variadic SADD"
    rc.set("mylist", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.sadd("mylist", "bar")
    create_set(rc, "myset", [1, 2, 3])
    assert enc(rc, "myset") == "intset"
    assert rc.sadd("myset", "a") == 1
    assert enc(rc, "myset") == "hashtable"
    create_set(rc, "myset", [1, 2, 3])
    assert rc.sadd("myset", "213244124402402314402033402") == 1
    assert enc(rc, "myset") == "hashtable"
    assert rc.sismember("myset", "213244124402402314402033402")
    rc.delete("myset")
    rc.sadd("myset", *range(512))
    assert enc(rc, "myset") == "intset"
    assert rc.sadd("myset", 512) == 1
    assert enc(rc, "myset") == "hashtable"
    rc.delete("myset")
    assert rc.sadd("myset", "a", "b", "c") == 3
    assert rc.sadd("myset", "A", "a", "b", "c", "B") == 2
    assert sorted(rc.smembers("myset")) == ["A", "B", "a", "b", "c"]


@pytest.mark.parametrize("kind,members,probe", [("hashtable", ["foo", "bar", "ciao"], "qux"),
                                                ("intset", ["3", "4", "5"], "6")])
def test_srem_basics(rc, kind, members, probe):
    # "SREM basics - regular set", "SREM basics - intset"
    create_set(rc, "myset", members)
    assert enc(rc, "myset") == kind
    assert rc.srem("myset", probe) == 0
    assert rc.srem("myset", members[1]) == 1
    assert sorted(rc.smembers("myset")) == sorted([members[0], members[2]])


def test_srem_multiple(rc):
    # "SREM with multiple arguments", "SREM variadic version with more args
    # needed to destroy the key"
    rc.sadd("myset", "a", "b", "c", "d")
    assert rc.srem("myset", "k", "k", "k") == 0
    assert rc.srem("myset", "b", "d", "x", "y") == 2
    assert sorted(rc.smembers("myset")) == ["a", "c"]
    rc.delete("myset")
    rc.sadd("myset", 1, 2, 3)
    assert rc.srem("myset", 1, 2, 3, 4, 5, 6, 7, 8) == 3
    assert rc.exists("myset") == 0


# --- SINTERCARD / SINTER / SUNION / SDIFF -------------------------------------

def test_sintercard_errors(rc):
    # "SINTERCARD with illegal arguments", "SINTERCARD against non-set should
    # throw error", "SINTERCARD against non-existing key"
    cases = [
        (["SINTERCARD"], "wrong number of arguments"),
        (["SINTERCARD", "1"], "wrong number of arguments"),
        (["SINTERCARD", "0", "myset{t}"], "numkeys*"),
        (["SINTERCARD", "a", "myset{t}"], "numkeys*"),
        (["SINTERCARD", "2", "myset{t}"], "Number of keys*"),
        (["SINTERCARD", "1", "myset{t}", "myset2{t}"], "syntax*"),
        (["SINTERCARD", "1", "myset{t}", "bar_arg"], "syntax*"),
        (["SINTERCARD", "1", "myset{t}", "LIMIT"], "syntax*"),
        (["SINTERCARD", "1", "myset{t}", "LIMIT", "-1"], "LIMIT*"),
        (["SINTERCARD", "1", "myset{t}", "LIMIT", "a"], "LIMIT*"),
    ]
    for args, pat in cases:
        with pytest.raises(redis.ResponseError, match=pat.rstrip("*")):
            rc.execute_command(*args)
    rc.set("key1{t}", "x")
    rc.sadd("set{t}", "a")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.execute_command("SINTERCARD", 1, "key1{t}")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.execute_command("SINTERCARD", 2, "set{t}", "key1{t}")
    assert rc.execute_command("SINTERCARD", 1, "non-existing-key") == 0
    assert rc.execute_command("SINTERCARD", 1, "non-existing-key", "LIMIT", 0) == 0
    assert rc.execute_command("SINTERCARD", 1, "non-existing-key", "LIMIT", 10) == 0


@pytest.fixture(params=["hashtable", "intset"])
def generated(rc, request):
    """set.tcl's generated sets: set1..set5 for the algebra tests."""
    kind = request.param
    for i in range(1, 6):
        rc.delete("set%d{t}" % i)
    for i in range(200):
        rc.sadd("set1{t}", i)
        rc.sadd("set2{t}", i + 195)
    for i in (199, 195, 1000, 2000):
        rc.sadd("set3{t}", i)
    for i in range(5, 200):
        rc.sadd("set4{t}", i)
    rc.sadd("set5{t}", 0)
    if kind == "hashtable":
        for i in range(1, 6):
            rc.sadd("set%d{t}" % i, "foo")
            rc.srem("set%d{t}" % i, "foo")
    # "Generated sets must be encoded as $type"
    for i in range(1, 6):
        assert enc(rc, "set%d{t}" % i) == kind
    return kind


def ints(xs):
    return sorted(int(x) for x in xs)


def test_set_algebra(rc, generated):
    # "SINTER/SINTERCARD/SINTERSTORE/SUNION/SUNIONSTORE/SDIFF/SDIFFSTORE with
    # two/three sets - $type", "SUNION with non existing keys - $type"
    assert ints(rc.sinter("set1{t}", "set2{t}")) == [195, 196, 197, 198, 199]
    assert rc.execute_command("SINTERCARD", 2, "set1{t}", "set2{t}") == 5
    for lim, want in ((0, 5), (1, 1), (2, 2), (3, 3), (10, 5)):
        assert rc.execute_command("SINTERCARD", 2, "set1{t}", "set2{t}", "LIMIT", lim) == want
    assert rc.sinterstore("setres{t}", ["set1{t}", "set2{t}"]) == 5
    # A store rebuilds from an empty intset: integers give an intset even
    # when the sources are hashtables.
    assert enc(rc, "setres{t}") == "intset"
    assert ints(rc.smembers("setres{t}")) == [195, 196, 197, 198, 199]
    expected = sorted(set(range(200)) | set(range(195, 395)))
    assert ints(rc.sunion("set1{t}", "set2{t}")) == expected
    assert rc.sunionstore("setres{t}", ["set1{t}", "set2{t}"]) == len(expected)
    assert enc(rc, "setres{t}") == "intset"
    assert ints(rc.smembers("setres{t}")) == expected
    assert ints(rc.sinter("set1{t}", "set2{t}", "set3{t}")) == [195, 199]
    assert rc.execute_command("SINTERCARD", 3, "set1{t}", "set2{t}", "set3{t}") == 2
    assert rc.sinterstore("setres{t}", ["set1{t}", "set2{t}", "set3{t}"]) == 2
    assert ints(rc.sunion("set1{t}", "set2{t}", "nokey1{t}", "nokey2{t}")) == expected
    assert ints(rc.sdiff("set1{t}", "set4{t}")) == [0, 1, 2, 3, 4]
    assert ints(rc.sdiff("set1{t}", "set4{t}", "set5{t}")) == [1, 2, 3, 4]
    assert rc.sdiffstore("setres{t}", ["set1{t}", "set4{t}", "set5{t}"]) == 4
    assert ints(rc.smembers("setres{t}")) == [1, 2, 3, 4]
    # "SINTER/SUNION/SDIFF with three same sets - $type"
    s1 = ints(rc.smembers("set1{t}"))
    assert ints(rc.sinter("set1{t}", "set1{t}", "set1{t}")) == s1
    assert ints(rc.sunion("set1{t}", "set1{t}", "set1{t}")) == s1
    assert rc.sdiff("set1{t}", "set1{t}", "set1{t}") == set()


def test_sdiff_edge_cases(rc):
    # "SDIFF with first set empty", "SDIFF with same set two times"
    rc.sadd("set2{t}", 1, 2, 3, 4)
    rc.sadd("set3{t}", "a", "b", "c", "d")
    assert rc.sdiff("set1{t}", "set2{t}", "set3{t}") == set()
    rc.sadd("set1{t}", "a", "b", "c", 1, 2, 3, 4, 5, 6)
    assert sorted(rc.sdiff("set1{t}", "set1{t}")) == []


def test_sdiff_fuzzing(rc):
    # "SDIFF fuzzing"
    rng = random.Random(1)
    for _ in range(100):
        sets = []
        for i in range(rng.randint(1, 5)):
            rc.delete("set%d{t}" % i)
            members = set()
            for _ in range(rng.randint(0, 50)):
                if rng.random() < 0.5:
                    m = str(rng.randint(0, 30))
                else:
                    m = rng.choice("abcdefghij") + str(rng.randint(0, 5))
                members.add(m)
            if members:
                rc.sadd("set%d{t}" % i, *members)
            sets.append(members)
        want = set(sets[0])
        for s in sets[1:]:
            want -= s
        keys = ["set%d{t}" % i for i in range(len(sets))]
        assert rc.sdiff(*keys) == want


def test_against_non_set_and_missing(rc):
    # "SDIFF/SDIFFSTORE/SINTER/SINTERSTORE/SUNION/SUNIONSTORE against non-set
    # should throw error", "... should handle non existing key as empty",
    # "SINTERSTORE/SUNIONSTORE against non existing keys should delete dstkey"
    rc.delete("key1{t}")
    rc.set("key1{t}", "x")
    rc.sadd("set1{t}", "a", "b", "c")
    rc.sadd("set2{t}", "b", "c", "d")
    for cmd in ("SDIFF", "SINTER", "SUNION"):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            rc.execute_command(cmd, "key1{t}", "noset{t}")
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            rc.execute_command(cmd, "noset{t}", "key1{t}")
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            rc.execute_command(cmd, "set1{t}", "key1{t}")
    for cmd in ("SDIFFSTORE", "SINTERSTORE", "SUNIONSTORE"):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            rc.execute_command(cmd, "set3{t}", "key1{t}", "noset{t}")
        assert rc.exists("set3{t}") == 0
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            rc.execute_command(cmd, "set3{t}", "noset{t}", "key1{t}")
    assert sorted(rc.sdiff("set1{t}", "set4{t}", "set2{t}")) == ["a"]
    assert rc.sinter("set1{t}", "set2{t}", "set5{t}") == set()
    assert sorted(rc.sunion("set1{t}", "set4{t}")) == ["a", "b", "c"]
    rc.set("setres{t}", "xxx")
    assert rc.sinterstore("setres{t}", ["foo111{t}", "bar222{t}"]) == 0
    assert rc.exists("setres{t}") == 0
    rc.set("setres{t}", "xxx")
    assert rc.sunionstore("setres{t}", ["foo111{t}", "bar222{t}"]) == 0
    assert rc.exists("setres{t}") == 0
    rc.set("setres{t}", "xxx")
    assert rc.sdiffstore("setres{t}", ["foo111{t}", "set1{t}"]) == 0
    assert rc.exists("setres{t}") == 0
    assert rc.sdiffstore("setres{t}", ["set1{t}", "foo111{t}"]) == 3
    assert sorted(rc.smembers("setres{t}")) == ["a", "b", "c"]


def test_sinter_mixed_encodings(rc):
    # "SINTER with same integer elements but different encoding"
    rc.sadd("set1{t}", 1, 2, 3)
    rc.sadd("set2{t}", 1, 2, 3, "a")
    rc.srem("set2{t}", "a")
    assert enc(rc, "set1{t}") == "intset"
    assert enc(rc, "set2{t}") == "hashtable"
    assert sorted(rc.sinter("set1{t}", "set2{t}")) == ["1", "2", "3"]


# --- SPOP / SRANDMEMBER ----------------------------------------------------

@pytest.mark.parametrize("kind,contents", [("hashtable", ["a", "b", "c"]),
                                           ("intset", ["1", "2", "3"])])
def test_spop_basics(rc, kind, contents):
    # "SPOP basics - $type", "SPOP with <count>=1 - $type", "SRANDMEMBER - $type"
    create_set(rc, "myset", contents)
    assert enc(rc, "myset") == kind
    assert sorted([rc.spop("myset") for _ in range(3)]) == contents
    assert rc.scard("myset") == 0
    create_set(rc, "myset", contents)
    got = []
    for _ in range(3):
        got += rc.spop("myset", 1)
    assert sorted(got) == contents
    create_set(rc, "myset", contents)
    seen = {rc.srandmember("myset") for _ in range(100)}
    assert sorted(seen) == contents


@pytest.mark.parametrize("kind,contents", [("hashtable", HT), ("intset", INTS)])
def test_spop_with_count(rc, kind, contents):
    # "SPOP with <count>"
    create_set(rc, "myset", contents)
    assert enc(rc, "myset") == kind
    got = []
    for n in (11, 9, 0, 4, 1, 0, 1, 0):
        got += rc.spop("myset", n)
    assert sorted(got) == sorted(contents)
    assert rc.scard("myset") == 0


def test_spop_integers_and_paths(rc):
    # "SPOP using integers, testing Knuth's and Floyd's algorithm",
    # "SPOP using integers with Knuth's algorithm", "SPOP new
    # implementation: code path #1/#2/#3"
    content = [str(i) for i in range(1, 21)]
    create_set(rc, "myset", content)
    assert enc(rc, "myset") == "intset"
    for n, left in ((1, 19), (2, 17), (3, 14), (10, 4), (10, 0), (1, 0)):
        rc.spop("myset", n)
        assert rc.scard("myset") == left
    assert rc.spop("nonexisting_key", 100) == []
    create_set(rc, "myset", content)
    assert sorted(rc.spop("myset", 30)) == sorted(content)
    for n in (2, 18):
        create_set(rc, "myset", content)
        res = rc.spop("myset", n)
        assert len(res) == n and rc.scard("myset") == 20 - n
        assert sorted(list(rc.smembers("myset")) + res) == sorted(content)


def test_spop_path3_reencodes(rc):
    # Redis's path #3 keeps the remaining members in a new set built like
    # SADD: a hashtable of integers comes back as an intset.
    rc.sadd("myset", "x", *range(20))
    rc.srem("myset", "x")
    assert enc(rc, "myset") == "hashtable"
    rc.spop("myset", 18)
    assert enc(rc, "myset") == "intset"
    assert rc.scard("myset") == 2


def test_srandmember_count_edges(rc, srv):
    # "SRANDMEMBER count of 0 is handled correctly", "SRANDMEMBER with
    # <count> against non existing key", "SRANDMEMBER count overflow",
    # "... - emptyarray" (raw replies)
    rc.sadd("myset", "a")
    assert rc.srandmember("myset", 0) == []
    assert rc.srandmember("nonexisting_key", 100) == []
    with pytest.raises(redis.ResponseError, match="value is out of range"):
        rc.srandmember("myset", -9223372036854775808)
    from integ_util import Raw
    with Raw(srv.port) as raw:
        assert raw.call("SRANDMEMBER", "myset", "0") == []
        raw.send(b"*3\r\n$11\r\nSRANDMEMBER\r\n$15\r\nnonexisting_key\r\n$3\r\n100\r\n")
        assert raw.recv_exact(4) == b"*0\r\n"


SRAND_CONTENTS = {
    "hashtable": ("1 5 10 50 125 50000 33959417 4775547 65434162 12098459 427716 483706 "
                  "2726473884 72615637475 MARY PATRICIA LINDA BARBARA ELIZABETH JENNIFER MARIA "
                  "SUSAN MARGARET DOROTHY LISA NANCY KAREN BETTY HELEN SANDRA DONNA CAROL RUTH "
                  "SHARON MICHELLE LAURA SARAH KIMBERLY DEBORAH JESSICA SHIRLEY CYNTHIA ANGELA "
                  "MELISSA BRENDA AMY ANNA REBECCA VIRGINIA KATHLEEN").split(),
    "intset": [str(i) for i in range(50)],
}


@pytest.mark.parametrize("kind", ["hashtable", "intset"])
def test_srandmember_with_count(rc, kind):
    # "SRANDMEMBER with <count> - $type": the four code paths
    contents = SRAND_CONTENTS[kind]
    create_set(rc, "myset", contents)
    assert enc(rc, "myset") == kind
    allm = set(contents)
    assert rc.srandmember("myset", 0) == []
    # PATH 1: negative count, repetitions
    for _ in range(100):
        res = rc.srandmember("myset", -10)
        assert len(res) == 10 and set(res) <= allm
    # PATH 2: count >= size -> the whole set
    for size in (50, 100):
        res = rc.srandmember("myset", size)
        assert sorted(res) == sorted(contents)
    # PATH 3 (count*3 > size) and PATH 4: distinct members
    for size in (45, 5, 1, 2, 10):
        for _ in range(20):
            res = rc.srandmember("myset", size)
            assert len(res) == size and len(set(res)) == size and set(res) <= allm


@pytest.mark.parametrize("kind,contents", [("hashtable", list("abcdefghij")),
                                           ("intset", [str(i) for i in range(10)])])
def test_srandmember_histogram(rc, kind, contents):
    # "SRANDMEMBER histogram distribution - $type": df = 9, 40 means 0.00001
    create_set(rc, "myset", contents)
    assert enc(rc, "myset") == kind
    assert chi_square(rc.srandmember("myset", -1000)) < 40
    for size in (8, 2):
        allkey = []
        for _ in range(1000 // size):
            allkey += rc.srandmember("myset", size)
        assert chi_square(allkey) < 40


def test_spop_distribution(rc):
    # Not in set.tcl: SPOP's draw is uniform too (same chi-square bound).
    counts = []
    for _ in range(1000):
        rc.delete("s")
        rc.sadd("s", *list("abcdefghij"))
        counts.append(rc.spop("s"))
    assert chi_square(counts) < 40


# --- SMOVE -----------------------------------------------------------------

def setup_move(rc):
    rc.delete("myset3{t}", "myset4{t}")
    create_set(rc, "myset1{t}", ["1", "a", "b"])
    create_set(rc, "myset2{t}", ["2", "3", "4"])
    assert enc(rc, "myset1{t}") == "hashtable"
    assert enc(rc, "myset2{t}") == "intset"


def test_smove(rc):
    # "SMOVE basics - from regular set to intset"
    setup_move(rc)
    assert rc.smove("myset1{t}", "myset2{t}", "a") == 1
    assert sorted(rc.smembers("myset1{t}")) == ["1", "b"]
    assert sorted(rc.smembers("myset2{t}")) == ["2", "3", "4", "a"]
    assert enc(rc, "myset2{t}") == "hashtable"
    setup_move(rc)
    assert rc.smove("myset1{t}", "myset2{t}", "1") == 1
    assert sorted(rc.smembers("myset1{t}")) == ["a", "b"]
    assert sorted(rc.smembers("myset2{t}")) == ["1", "2", "3", "4"]
    assert enc(rc, "myset2{t}") == "intset"
    # "SMOVE basics - from intset to regular set"
    setup_move(rc)
    assert rc.smove("myset2{t}", "myset1{t}", "2") == 1
    assert sorted(rc.smembers("myset1{t}")) == ["1", "2", "a", "b"]
    assert sorted(rc.smembers("myset2{t}")) == ["3", "4"]
    # "SMOVE non existing key"
    setup_move(rc)
    assert rc.smove("myset1{t}", "myset2{t}", "foo") == 0
    assert rc.smove("myset1{t}", "myset1{t}", "foo") == 0
    assert sorted(rc.smembers("myset1{t}")) == ["1", "a", "b"]
    assert sorted(rc.smembers("myset2{t}")) == ["2", "3", "4"]
    # "SMOVE non existing src set"
    setup_move(rc)
    assert rc.smove("noset{t}", "myset2{t}", "foo") == 0
    # "SMOVE from regular set to non existing destination set"
    setup_move(rc)
    assert rc.smove("myset1{t}", "myset3{t}", "a") == 1
    assert sorted(rc.smembers("myset1{t}")) == ["1", "b"]
    assert sorted(rc.smembers("myset3{t}")) == ["a"]
    assert enc(rc, "myset3{t}") == "hashtable"
    # "SMOVE from intset to non existing destination set"
    setup_move(rc)
    assert rc.smove("myset2{t}", "myset3{t}", "2") == 1
    assert sorted(rc.smembers("myset2{t}")) == ["3", "4"]
    assert sorted(rc.smembers("myset3{t}")) == ["2"]
    assert enc(rc, "myset3{t}") == "intset"
    # "SMOVE wrong src key type", "SMOVE wrong dst key type"
    rc.set("x{t}", "10")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.smove("x{t}", "myset2{t}", "foo")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        rc.smove("myset2{t}", "x{t}", "foo")
    # "SMOVE with identical source and destination"
    rc.delete("set{t}")
    rc.sadd("set{t}", "a", "b", "c")
    rc.smove("set{t}", "set{t}", "b")
    assert sorted(rc.smembers("set{t}")) == ["a", "b", "c"]


# --- big data, stress, SSCAN -----------------------------------------------

def test_intset_stress(rc):
    # "intsets implementation stress testing"
    rng = random.Random(5)
    for _ in range(20):
        s = set()
        rc.delete("s")
        n = rng.randint(0, 1023)
        for _ in range(n):
            v = rng.randint(0, 2 ** 20)
            s.add(str(v))
            rc.sadd("s", v)
        assert sorted(rc.smembers("s"), key=int) == sorted(s, key=int)
        n = len(s)
        for _ in range(n):
            e = rc.spop("s")
            assert e in s
            s.discard(e)
        assert rc.smembers("s") == set()


def test_large_data(rc):
    # "SADD, SCARD, SISMEMBER - large data"
    rng = random.Random(9)
    members = set()
    pipe = rc.pipeline(transaction=False)
    for _ in range(1000):
        m = "%x" % rng.getrandbits(64)
        members.add(m)
        pipe.sadd("bigset", m)
    assert sum(pipe.execute()) == len(members)
    assert rc.scard("bigset") == len(members)
    assert enc(rc, "bigset") == "hashtable"
    pipe = rc.pipeline(transaction=False)
    for m in members:
        pipe.sismember("bigset", m)
    assert all(pipe.execute())
    assert rc.smembers("bigset") == members


def test_big_intset_crossing_threshold(rc):
    rc.config_set("set-max-intset-entries", 1000)
    rc.sadd("big", *range(1000))
    assert enc(rc, "big") == "intset"
    assert rc.sadd("big", 1000) == 1
    assert enc(rc, "big") == "hashtable"
    assert rc.scard("big") == 1001
    rc.config_set("set-max-intset-entries", 512)
    # Stores rebuild from an empty intset: 1001 integers are a hashtable
    # again at the default threshold, 10 of them an intset.
    assert rc.sunionstore("u", ["big"]) == 1001
    assert enc(rc, "u") == "hashtable"
    rc.sadd("small", *range(10))
    assert rc.sinterstore("i", ["big", "small"]) == 10
    assert enc(rc, "i") == "intset"


def test_sscan_hashtable_full_iteration(rc):
    # scan.tcl's "SSCAN with encoding hashtable": a complete iteration
    # returns every member, while the table grows between calls.
    rc.sadd("s", *["m%d" % i for i in range(2000)])
    seen = set()
    cursor = 0
    added = 0
    while True:
        cursor, items = rc.sscan("s", cursor, count=20)
        seen.update(items)
        if added < 3000:
            rc.sadd("s", *["n%d" % (added + k) for k in range(100)])
            added += 100
        if cursor == 0:
            break
    assert {"m%d" % i for i in range(2000)} <= seen
    # intsets come back whole with cursor 0
    rc.sadd("i", *range(100))
    cursor, items = rc.sscan("i", 0, count=1)
    assert cursor == 0 and len(items) == 100
    cursor, items = rc.sscan("i", 0, match="1*")
    assert cursor == 0 and sorted(items, key=int) == sorted(
        [str(i) for i in range(100) if str(i).startswith("1")], key=int)


def test_multi_exec_and_pipeline(rc):
    p = rc.pipeline(transaction=True)
    p.sadd("s", 1, 2, 3)
    p.sadd("s", "x")
    p.smove("s", "d", "x")
    p.scard("s")
    p.sinterstore("d2", ["s", "d"])
    p.exists("d2")
    assert p.execute() == [3, 1, 1, 3, 0, 0]
    assert enc(rc, "s") == "hashtable"
    assert rc.smembers("d") == {"x"}


def test_watch_sees_set_changes(srv, rc):
    other = srv.client(decode_responses=True)
    try:
        rc.sadd("w", 1)
        with rc.pipeline() as p:
            p.watch("w")
            other.srem("w", "nothing")   # no change: EXEC runs
            p.multi()
            p.ping()
            assert p.execute() == [True]
        with rc.pipeline() as p:
            p.watch("w")
            other.spop("w")              # emptied and deleted: EXEC aborts
            p.multi()
            p.ping()
            with pytest.raises(redis.WatchError):
                p.execute()
    finally:
        other.close()


def test_keyspace_commands_on_sets(rc):
    rc.sadd("i", 1, 2, 3)
    rc.sadd("h", "a", "b")
    assert rc.type("i") == "set" and rc.type("h") == "set"
    assert rc.copy("h", "h2")
    assert enc(rc, "h2") == "hashtable" and rc.smembers("h2") == {"a", "b"}
    assert rc.copy("i", "i2")
    assert enc(rc, "i2") == "intset"
    assert rc.rename("h2", "h3")
    assert rc.smembers("h3") == {"a", "b"}
    assert rc.memory_usage("h") > 0 and rc.memory_usage("i") > 0
    assert sorted(rc.scan_iter(_type="set")) == ["h", "h3", "i", "i2"]
    big = ["m%d" % i for i in range(5000)]
    rc.sadd("big", *big)
    assert rc.unlink("big") == 1
    assert rc.exists("big") == 0
