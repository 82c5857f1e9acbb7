// An ordinary ioredis 5 subscriber, run by tests/integration/test_ioredis.py
// against the server under test: nothing here knows it is not Redis.
//
// Usage: node subscriber.js PORT
// Prints one JSON object per line on stdout; the Python side reacts to them:
//   {"ev":"subscribed", counts...}    -> Python publishes the first batch
//   {"ev":"message"|"pmessage"|"smessage"|"keyevent", ...}
//   {"ev":"batch1-done"}              -> Python kills this connection
//   {"ev":"reconnected"}              (ioredis re-subscribed by itself)
//   {"ev":"after-reconnect", ...}     -> the message sent after the kill
//   {"ev":"done", ...}                after unsubscribing and plain commands
// Exits 0 on success, 1 on any error (printed as {"ev":"error"}).
"use strict";

const Redis = require("ioredis");

const port = parseInt(process.argv[2], 10);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const fail = (e) => {
  out({ ev: "error", message: String(e && e.stack ? e.stack : e) });
  process.exit(1);
};

const opts = { host: "127.0.0.1", port, maxRetriesPerRequest: 5, retryStrategy: () => 50 };
const sub = new Redis(opts);
const pub = new Redis(opts);

const sha = (buf) => require("crypto").createHash("sha1").update(buf).digest("hex");

async function main() {
  let phase = 1;
  let got = 0;
  let expected = 0;
  let reconnecting = false;
  let resolveReconnect;
  const reconnected = new Promise((r) => (resolveReconnect = r));
  let resolveBatch;
  const batch = new Promise((r) => (resolveBatch = r));
  let resolveAfter;
  const after = new Promise((r) => (resolveAfter = r));

  // Buffers, so binary and big messages are checked exactly.
  sub.on("messageBuffer", (channel, message) => {
    const ch = channel.toString();
    if (phase === 2) {
      // (The "from-ioredis" message may still arrive here.)
      if (message.toString() === "after-reconnect") {
        out({ ev: "after-reconnect", channel: ch, message: message.toString() });
        resolveAfter();
      }
      return;
    }
    if (ch === "control") {
      expected = parseInt(message.toString(), 10);
    } else {
      out({ ev: "message", channel: ch, len: message.length, sha1: sha(message) });
      got++;
    }
    if (expected && got === expected) resolveBatch();
  });
  sub.on("pmessageBuffer", (pattern, channel, message) => {
    const ch = channel.toString();
    if (ch.startsWith("__keyevent@")) {
      out({ ev: "keyevent", channel: ch, key: message.toString() });
    } else {
      out({ ev: "pmessage", pattern: pattern.toString(), channel: ch,
            len: message.length, sha1: sha(message) });
    }
    got++;
    if (expected && got === expected) resolveBatch();
  });
  sub.on("smessageBuffer", (channel, message) => {
    out({ ev: "smessage", channel: channel.toString(), len: message.length, sha1: sha(message) });
    got++;
    if (expected && got === expected) resolveBatch();
  });
  sub.on("close", () => { reconnecting = true; });
  sub.on("ready", () => {
    if (reconnecting) resolveReconnect();
  });
  sub.on("error", (e) => {
    // A killed connection reports ECONNRESET / "Connection is closed";
    // ioredis reconnects on its own.
    if (phase !== 2) fail(e);
  });

  const n1 = await sub.subscribe("news", "sports", "control");
  const n2 = await sub.psubscribe("p.*", "__keyevent@0__:*");
  const n3 = await sub.ssubscribe("shard1");
  // The publisher counts the receivers.
  const numsub = await pub.pubsub("NUMSUB", "news", "shard1");
  const shardnumsub = await pub.pubsub("SHARDNUMSUB", "shard1");
  const numpat = await pub.pubsub("NUMPAT");
  out({ ev: "subscribed", subscribe: n1, psubscribe: n2, ssubscribe: n3,
        numsub, shardnumsub, numpat });

  await batch;
  // ioredis-side publishing reaches its own subscriber too.
  const receivers = await pub.publish("news", "from-ioredis");
  out({ ev: "batch1-done", receivers });

  phase = 2;
  await reconnected;
  out({ ev: "reconnected" });
  await after;

  // Unsubscribe: counts as Redis replies them, then back to normal mode.
  const u1 = await sub.unsubscribe("news");
  // (ioredis resolves an argument-less PUNSUBSCRIBE only once the total
  // count reaches 0, so the patterns are named here.)
  const u2 = await sub.punsubscribe("p.*", "__keyevent@0__:*");
  const u3 = await sub.sunsubscribe();
  const u4 = await sub.unsubscribe();
  const pong = await sub.ping();
  await sub.set("ioredis-key", "v");
  const v = await sub.get("ioredis-key");
  out({ ev: "done", unsubscribe: u1, punsubscribe: u2, sunsubscribe: u3, unsubscribe_all: u4,
        pong, get: v });
  sub.disconnect();
  pub.disconnect();
}

main().then(() => process.exit(0), fail);
setTimeout(() => fail("timeout"), 30000).unref();
