// An ordinary ioredis 5 client that finds its master through sentinels, run
// by tests/integration/test_sentinel_failover.py (owned by that test).
//
// Usage: node sentinel_ioredis.js PORT,PORT,... (the sentinels; the test
// runs it as subscriber.js through test_ioredis.NodeProc)
// Every 100 ms: INCR ioredis:n on the master, then INFO server to learn
// which server answered; prints {"ev":"write","port":P,"n":N} after each
// successful write. Errors while the master is down are expected (ioredis
// asks the sentinels again and reconnects); they are printed as
// {"ev":"retry"} and the loop goes on.
"use strict";

const Redis = require("ioredis");

const sentinels = process.argv[2].split(",").map((p) => ({ host: "127.0.0.1", port: parseInt(p, 10) }));
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const r = new Redis({
  sentinels,
  name: "mymaster",
  role: "master",
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  retryStrategy: () => 100,
  sentinelRetryStrategy: () => 100,
  connectTimeout: 1000,
});
r.on("error", () => {}); // reconnects are handled by ioredis itself

async function tick() {
  try {
    const n = await r.incr("ioredis:n");
    const info = await r.info("server");
    const m = /tcp_port:(\d+)/.exec(info);
    out({ ev: "write", port: m ? parseInt(m[1], 10) : -1, n });
  } catch (e) {
    out({ ev: "retry", message: String(e && e.message) });
  }
  setTimeout(tick, 100);
}

tick();
