"""The command scripts that test_keyspace_events.py runs against the
server under test and redis-server 7.0.15 at once, one list per command
family, and the notify-keyspace-events flag sets they run under.

A step is a command (its words), or a directive of test_keyspace_events.Side:
("!sleep", s), ("!blocked", n) waits for n blocked clients, ("@name", ...)
sends on another connection without reading, ("@name?",) reads its reply.
Every step must give the same replies and events on both servers, so
nothing here depends on hash order or timing.
"""

STRINGS = [
    ("SET", "s", "v"), ("SET", "s", "v2", "NX"), ("SET", "s", "v3", "XX"),
    ("SET", "nx1", "v", "NX"), ("SETNX", "nx1", "x"), ("SETNX", "nx2", "x"),
    ("SETEX", "se", 100, "v"), ("PSETEX", "pse", 100000, "v"),
    ("SET", "ex", "v", "EX", 100), ("SET", "ex", "w", "KEEPTTL"), ("SET", "ex", "w2", "GET"),
    ("GETSET", "s", "g"), ("GETSET", "gs-new", "g"),
    ("GETDEL", "nx2"), ("GETDEL", "missing"),
    ("GETEX", "s", "EX", 1000), ("GETEX", "s", "PERSIST"), ("GETEX", "s"),
    ("GETEX", "s", "PX", -1), ("GETEX", "s", "EXAT", 1),
    ("APPEND", "ap", "a"), ("APPEND", "ap", "b"),
    ("INCR", "n"), ("INCRBY", "n", 5), ("DECR", "n"), ("DECRBY", "n", 2),
    ("INCRBYFLOAT", "f", "1.5"), ("INCR", "s"),
    ("SETRANGE", "sr", 3, "x"), ("SETRANGE", "sr", 0, ""), ("SETRANGE", "none", 0, ""),
    ("MSET", "m1", 1, "m2", 2), ("MSETNX", "m3", 3, "m4", 4), ("MSETNX", "m1", 1, "m5", 5),
    ("GET", "nokey"), ("MGET", "nokey", "m1", "nokey2"), ("STRLEN", "nokey"),
    ("GETRANGE", "nokey", 0, 1), ("EXISTS", "nokey"), ("TYPE", "nokey"),
    ("SUBSTR", "m1", 0, 1), ("LCS", "m1", "m2"),
    ("SET", "big", "x" * 100), ("APPEND", "big", "y"),
    ("SET", "ex", "v", "PX", 100000), ("SET", "ex", "v", "EXAT", 1),
    ("SET", "m1", "v", "PXAT", 1), ("SET", "m2", "v", "EX", 0),
]

KEYS = [
    ("SET", "a", 1), ("SET", "b", 2), ("SET", "c", 3), ("RPUSH", "l", "x"),
    ("DEL", "a", "nokey", "b"), ("UNLINK", "c", "nokey"),
    ("SET", "a", 1), ("RENAME", "a", "a2"), ("RENAME", "a2", "a2"),
    ("SET", "x", 1), ("RENAMENX", "a2", "x"), ("RENAMENX", "a2", "a3"),
    ("RENAME", "nokey", "y"), ("RENAME", "l", "x"),
    ("COPY", "a3", "c1"), ("COPY", "a3", "c1"), ("COPY", "a3", "c1", "REPLACE"),
    ("COPY", "a3", "c9", "DB", 3), ("COPY", "x", "a3", "REPLACE"),
    ("MOVE", "c1", 2), ("MOVE", "c1", 2), ("SELECT", 2), ("MOVE", "c1", 0),
    ("MOVE", "c1", 0), ("SET", "c1", "db2"), ("MOVE", "c1", 0), ("SELECT", 0),
    ("SET", "e", 1), ("EXPIRE", "e", 100), ("PEXPIRE", "e", 100000),
    ("EXPIREAT", "e", 4000000000), ("PEXPIREAT", "e", 4000000000000),
    ("EXPIRE", "e", 100, "NX"), ("EXPIRE", "e", 100, "XX"), ("EXPIRE", "e", 50, "GT"),
    ("EXPIRE", "e", 50, "LT"), ("PERSIST", "e"), ("PERSIST", "e"), ("PERSIST", "nokey"),
    ("EXPIRE", "nokey", 10), ("EXPIRE", "e", -1), ("SET", "e", 1), ("PEXPIRE", "e", 0),
    ("SET", "e", 1), ("EXPIREAT", "e", 1), ("SET", "e", 1), ("PEXPIREAT", "e", 1),
    ("SET", "t", 1), ("TOUCH", "t", "nokey"), ("TTL", "nokey"), ("PTTL", "t"),
    ("OBJECT", "ENCODING", "nokey"), ("OBJECT", "ENCODING", "t"),
    ("OBJECT", "REFCOUNT", "nokey"), ("OBJECT", "IDLETIME", "nokey"),
    ("OBJECT", "FREQ", "nokey"), ("MEMORY", "USAGE", "nokey"), ("TYPE", "nokey"),
    ("EXISTS", "nokey"), ("SCAN", 0, "MATCH", "nokey"), ("KEYS", "nokey"),
    ("DEBUG", "OBJECT", "nokey"),
    ("RPUSH", "srt", 3, 1, 2), ("SORT", "srt", "STORE", "sorted"),
    ("SORT", "nokey", "STORE", "sorted"), ("SORT", "srt", "STORE", "sorted2"),
    ("SORT_RO", "srt"),
    ("SWAPDB", 0, 1), ("SWAPDB", 0, 1),
    ("SELECT", 5), ("SET", "in5", 1), ("DEL", "in5"), ("FLUSHDB",), ("SELECT", 0),
    ("SET", "z", 1), ("FLUSHDB",), ("SET", "z", 1), ("FLUSHALL",),
]

LISTS = [
    ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "l", "d"), ("RPUSHX", "l", "e"),
    ("LPUSHX", "nol", "d"), ("RPUSHX", "nol", "e"),
    ("LINSERT", "l", "BEFORE", "a", "z"), ("LINSERT", "l", "AFTER", "nope", "z"),
    ("LSET", "l", 0, "q"), ("LSET", "l", 100, "q"),
    ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", 2), ("LPOP", "l", 0), ("LPOP", "nol"),
    ("LREM", "l", 0, "nope"), ("RPUSH", "l", "a", "a", "b"), ("LREM", "l", 1, "a"),
    ("LTRIM", "l", 0, -1), ("LTRIM", "l", 1, 1), ("LTRIM", "l", 5, 10),
    ("RPUSH", "src", "1", "2", "3"), ("RPOPLPUSH", "src", "dst"), ("RPOPLPUSH", "src", "src"),
    ("LMOVE", "src", "dst", "LEFT", "RIGHT"), ("LMOVE", "src", "dst", "RIGHT", "LEFT"),
    ("LMOVE", "src", "dst", "LEFT", "LEFT"), ("LMOVE", "nol", "dst", "LEFT", "LEFT"),
    ("RPUSH", "m1", "a", "b", "c"), ("LMPOP", 2, "nol", "m1", "LEFT", "COUNT", 2),
    ("LMPOP", 1, "m1", "RIGHT", "COUNT", 5),
    ("RPUSH", "bl", "x", "y"), ("BLPOP", "nol", "bl", 1), ("BRPOP", "bl", 1),
    ("RPUSH", "bl", "x"), ("BRPOPLPUSH", "bl", "bl2", 1), ("BLMOVE", "bl2", "bl3", "RIGHT",
                                                           "LEFT", 1),
    ("BLMPOP", 1, 1, "bl3", "LEFT"),
    ("LRANGE", "nol", 0, -1), ("LLEN", "nol"), ("LINDEX", "nol", 0), ("LPOS", "nol", "a"),
    ("RPUSH", "s", "a"), ("DEL", "s"),
    ("RPUSH", "all", "a", "a"), ("LREM", "all", 0, "a"),
    ("RPUSH", "one", "x"), ("LMOVE", "one", "one", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "one", "one"), ("LMOVE", "one", "other", "LEFT", "LEFT"),
    ("RPUSH", "k y:z", "a"), ("LPOP", "k y:z"),
    ("RPUSH", "tr", "a"), ("LTRIM", "tr", 1, 0), ("RPUSH", "ins", "a"),
    ("LINSERT", "ins", "AFTER", "a", "b"), ("LSET", "ins", -1, "c"),
]

SETS = [
    ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "x"), ("SREM", "s", "a"),
    ("SADD", "s2", "b", "z"), ("SMOVE", "s", "s2", "b"), ("SMOVE", "s", "s2", "nope"),
    ("SMOVE", "s", "s3", "c"),
    ("SADD", "i1", 1, 2, 3), ("SADD", "i2", 2, 3, 4),
    ("SINTERSTORE", "d", "i1", "i2"), ("SINTERSTORE", "d", "i1", "nokey"),
    ("SUNIONSTORE", "d", "i1", "i2"), ("SDIFFSTORE", "d", "i1", "i2"),
    ("SDIFFSTORE", "d", "i1", "i1"), ("SDIFFSTORE", "d", "i1", "i1"),
    ("SPOP", "i1", 0), ("SADD", "one", "x"), ("SPOP", "one"), ("SPOP", "nokey"),
    ("SADD", "two", "x"), ("SPOP", "two", 5),
    ("SADD", "ints", 1, 2, 3), ("SREM", "ints", 1, 2, 3),
    ("SMEMBERS", "nokey"), ("SISMEMBER", "nokey", "a"), ("SCARD", "nokey"),
    ("SINTERCARD", 1, "nokey"), ("SRANDMEMBER", "nokey"), ("SINTER", "nokey", "i2"),
]

ZSETS = [
    ("ZADD", "z", 1, "a", 2, "b"), ("ZADD", "z", 1, "a"), ("ZADD", "z", "XX", 5, "a"),
    ("ZADD", "z", "NX", 5, "a"), ("ZADD", "z", "INCR", 1, "a"), ("ZADD", "z", "NX", "INCR", 1, "a"),
    ("ZINCRBY", "z", 2, "b"), ("ZINCRBY", "z2", 2, "b"), ("ZREM", "z", "nope"),
    ("ZREM", "z", "a"), ("ZADD", "z", 1, "a", 2, "c", 3, "d", 4, "e"),
    ("ZREMRANGEBYSCORE", "z", 100, 200), ("ZREMRANGEBYSCORE", "z", 1, 1),
    ("ZREMRANGEBYRANK", "z", 0, 0), ("ZREMRANGEBYLEX", "z", "-", "+"),
    ("ZADD", "z", 1, "a", 2, "b", 3, "c"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z", 5),
    ("ZPOPMIN", "nokey"), ("ZADD", "m", 1, "a", 2, "b"), ("ZMPOP", 1, "m", "MIN"),
    ("ZMPOP", 2, "nokey", "m", "MAX", "COUNT", 10),
    ("ZADD", "u1", 1, "a", 2, "b"), ("ZADD", "u2", 3, "b", 4, "c"),
    ("ZUNIONSTORE", "d", 2, "u1", "u2"), ("ZINTERSTORE", "d", 2, "u1", "u2"),
    ("ZINTERSTORE", "d", 2, "u1", "nokey"), ("ZDIFFSTORE", "d", 2, "u1", "u2"),
    ("ZDIFFSTORE", "d", 1, "nokey"), ("ZRANGESTORE", "d", "u1", 0, -1),
    ("ZRANGESTORE", "d", "u1", 5, 10),
    ("BZPOPMIN", "nokey", "u1", 1), ("BZPOPMAX", "u1", 1), ("BZMPOP", 1, 1, "u2", "MIN"),
    ("ZRANGE", "nokey", 0, -1), ("ZSCORE", "nokey", "a"), ("ZCARD", "nokey"),
    ("ZADD", "g", 5, "a"), ("ZADD", "g", "GT", 1, "a"), ("ZADD", "g", "LT", 9, "a"),
    ("ZADD", "g", "GT", "CH", 9, "a"), ("ZADD", "g", "LT", "INCR", 1, "a"),
    ("ZADD", "g", "XX", "CH", 1, "nomember"), ("ZADD", "g", "NX", "CH", 1, "b"),
    ("ZINCRBY", "g", 0, "a"), ("ZREM", "g", "a", "b"),
]

HASHES = [
    ("HSET", "h", "a", 1, "b", 2), ("HSET", "h", "a", 1), ("HMSET", "h", "c", 3),
    ("HSETNX", "h", "a", 5), ("HSETNX", "h", "d", 4), ("HDEL", "h", "nope"),
    ("HDEL", "h", "a", "b"), ("HINCRBY", "h", "n", 5), ("HINCRBYFLOAT", "h", "f", "1.5"),
    ("HDEL", "h", "c", "d", "n", "f"), ("HGET", "nokey", "a"), ("HGETALL", "nokey"),
    ("HLEN", "nokey"), ("HEXISTS", "nokey", "a"), ("HRANDFIELD", "nokey"),
    ("HSET", "hh", "x", "y"), ("HGET", "hh", "nofield"),
    ("HSET", "hh", "x", "y"), ("HINCRBYFLOAT", "hh", "n", "0"), ("HINCRBY", "hh", "i", 0),
    ("HSETNX", "new", "f", "v"), ("HDEL", "new", "f"), ("HMSET", "big", "f", "v" * 100),
]

BLOCKING = [
    # Clients blocked on an empty key, served by a later push (Redis's
    # handleClientsBlockedOnKeys after the pushing command).
    ("@b1", "BLPOP", "q", 5), ("!blocked", 1), ("RPUSH", "q", "a", "b"), ("@b1?",),
    ("@b1", "BRPOP", "q", 5), ("@b1?",),
    ("@b1", "BLMOVE", "q2", "dst", "LEFT", "RIGHT", 5), ("!blocked", 1),
    ("LPUSH", "q2", "x"), ("@b1?",),
    ("@b2", "BRPOPLPUSH", "q3", "dst2", 5), ("!blocked", 1), ("RPUSH", "q3", "y"), ("@b2?",),
    ("@b1", "BLMPOP", 5, 1, "q4", "RIGHT", "COUNT", 2), ("!blocked", 1),
    ("RPUSH", "q4", 1, 2, 3), ("@b1?",),
    ("@b1", "BZPOPMIN", "zq", 5), ("!blocked", 1), ("ZADD", "zq", 1, "a", 2, "b"), ("@b1?",),
    ("@b2", "BZPOPMAX", "zq2", 5), ("!blocked", 1), ("ZADD", "zq2", 1, "a"), ("@b2?",),
    ("@b1", "BZMPOP", 5, 1, "zq3", "MIN", "COUNT", 5), ("!blocked", 1),
    ("ZADD", "zq3", 1, "a", 2, "b"), ("@b1?",),
    # Two waiters; the push serves both, the key is deleted by the second.
    ("@b1", "BLPOP", "q5", 5), ("!blocked", 1), ("@b2", "BLPOP", "q5", 5),
    ("!blocked", 2),
    ("RPUSH", "q5", "a", "b"), ("@b1?",), ("@b2?",),
    # Served from MULTI/EXEC: events in the transaction's order, then the pop.
    ("@b1", "BLPOP", "q6", 5), ("!blocked", 1), ("MULTI",), ("RPUSH", "q6", "a"),
    ("SET", "after", 1), ("EXEC",), ("@b1?",),
    # Woken by a RENAME onto the key.
    ("@b1", "BLPOP", "q7", 5), ("!blocked", 1), ("RPUSH", "tmp", "z"),
    ("RENAME", "tmp", "q7"), ("@b1?",),
    # Woken by SWAPDB (the waiter is in db 1, the list arrives from db 0),
    # by MOVE and by COPY ... DB into its db.
    ("@b3", "SELECT", 1), ("@b3?",), ("@b3", "BLPOP", "sw", 5), ("!blocked", 1),
    ("RPUSH", "sw", "a", "b"), ("SWAPDB", 0, 1), ("@b3?",), ("SWAPDB", 0, 1),
    ("@b3", "BLPOP", "mv", 5), ("!blocked", 1), ("RPUSH", "mv", "m"), ("MOVE", "mv", 1),
    ("@b3?",),
    ("@b3", "BZPOPMIN", "cp", 5), ("!blocked", 1), ("ZADD", "cp", 1, "m"),
    ("COPY", "cp", "cp", "DB", 1), ("@b3?",),
    # A blocked client whose key gets the wrong type, then the right one.
    ("@b3", "BLPOP", "wt", 5), ("!blocked", 1), ("SELECT", 1), ("SET", "wt", "str"),
    ("DEL", "wt"), ("RPUSH", "wt", "ok"), ("SELECT", 0), ("@b3?",),
]

TRANSACTIONS = [
    ("MULTI",), ("SET", "a", 1), ("INCR", "a"), ("LPUSH", "l", 1), ("DEL", "a"), ("EXEC",),
    ("MULTI",), ("SET", "a", 1), ("NOSUCH",), ("EXEC",),
    ("MULTI",), ("SET", "a", 1), ("LPUSH", "a", 1), ("DEL", "a"), ("EXEC",),
]

FLAG_SETS = ["KEA", "KA", "EA", "KEg", "KE$", "KEl", "KEs", "KEh", "KEz", "KEx", "KEm",
             "KEn", "KEAmn", "Ed", "Kt", "K", "E"]

FAMILIES = {
    "strings": (STRINGS, ()),
    "keys": (KEYS, ("copy", "sort", "swapdb")),
    "lists": (LISTS, ("rpush", "lmpop", "blmpop", "lmove", "blmove", "lpos")),
    "sets": (SETS, ("sadd", "smove", "sintercard")),
    "zsets": (ZSETS, ("zadd", "zmpop", "bzmpop", "zrangestore", "zdiffstore")),
    "hashes": (HASHES, ("hset", "hrandfield")),
    "blocking": (BLOCKING, ("blpop", "blmove", "blmpop", "bzpopmin", "bzmpop")),
    "transactions": (TRANSACTIONS, ("lpush",)),
}
