// A TCP proxy between an app and redis-server that counts what the app sends, per connection:
// - round trips: bursts of client bytes, a burst being everything sent after the last reply (or the start)
//   and before the next reply. With requests sent one at a time, each burst is one wait on Redis, however
//   many commands it pipelines;
// - commands: top-level RESP arrays the client sends (an EVALSHA of a script is one command).
// Commands Redis executes inside scripts are not visible here; `commandStats` reads them from the server.
'use strict';
const net = require('node:net');

/** Counts complete top-level RESP arrays in a client's byte stream, across chunk boundaries. */
class RespCommandCounter {
  constructor() {
    this.pending = Buffer.alloc(0);
    this.commands = 0;
  }

  push(chunk) {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      const end = commandEnd(this.pending, offset);
      if (end < 0) break;
      this.commands += 1;
      offset = end;
    }
    this.pending = this.pending.subarray(offset);
  }
}

/** Where the command starting at `offset` ends, or -1 while it is incomplete. Inline commands: one line. */
function commandEnd(buf, offset) {
  if (offset >= buf.length) return -1;
  const line = (from) => {
    const cr = buf.indexOf('\r\n', from);
    return cr < 0 ? undefined : { text: buf.toString('latin1', from, cr), next: cr + 2 };
  };
  if (buf[offset] !== 0x2a /* '*' */) {
    const inline = line(offset);
    return inline ? inline.next : -1;
  }
  const header = line(offset + 1);
  if (!header) return -1;
  let at = header.next;
  for (let i = 0; i < Number(header.text); i += 1) {
    if (at >= buf.length) return -1;
    const size = line(at + 1);
    if (!size) return -1;
    at = size.next + Number(size.text) + 2;
    if (at > buf.length) return -1;
  }
  return at;
}

/** Starts the proxy on a free loopback port in front of `redisUrl`. */
async function startRedisWireCounter(redisUrl) {
  const target = new URL(redisUrl);
  const totals = { roundTrips: 0, commands: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    totals.connections += 1;
    const upstream = net.connect(Number(target.port), target.hostname);
    const counter = new RespCommandCounter();
    let awaitingReply = false;
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!awaitingReply) totals.roundTrips += 1;
      awaitingReply = true;
      const before = counter.commands;
      counter.push(chunk);
      totals.commands += counter.commands - before;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      awaitingReply = false;
      client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `redis://127.0.0.1:${port}`,
    snapshot: () => ({ ...totals }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `INFO commandstats` as {command: calls}; Redis counts the commands scripts run here too. */
async function commandStats(redis) {
  const info = await redis.info('commandstats');
  const calls = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

/** Calls per command between two `commandStats` readings, without the reading's own INFO. */
function commandStatsDelta(before, after) {
  const delta = {};
  for (const [name, calls] of Object.entries(after)) {
    const d = calls - (before[name] ?? 0) - (name === 'info' ? 1 : 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

module.exports = { RespCommandCounter, commandStats, commandStatsDelta, startRedisWireCounter };
