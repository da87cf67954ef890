// Intake cost of `POST /v1/generations`: the dreamqueue API (auth, validation, model check, record, event,
// job) against a bare Express 5 server doing validate + `queue.add`, on the same redis-server, in one run.
// 1. Redis round trips and commands per request, requests one at a time through a counting proxy, for the
//    main API routes and the bare server.
// 2. wrk against each server (same connections, same duration, rounds alternating ABBA), req/s and p99,
//    CPU per request of each server process and of Redis, and the ratio dreamqueue / bare.
// No generate worker runs: jobs wait in the queue, so only intake is measured.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const s = require('./lib/generation-stack');
const { call, countPerRequest } = require('./lib/intake-round-trips');
const { seedTenant, startBareServer, startDreamqueueApi } = require('./lib/intake-servers');
const { startRedisWireCounter } = require('./lib/redis-wire-counter');
const { requireWrk, runWrk, writePostScript } = require('./lib/wrk');

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
/** BENCH_API_ENV='{"LOG_LEVEL":"warn"}': settings for the measured API that differ from its defaults (printed). */
const API_ENV = JSON.parse(process.env.BENCH_API_ENV ?? '{}');
const DQ_PREFIX = '{dq}';
const BARE_PREFIX = '{bare}';

async function main() {
  requireWrk();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-bench-intake-'));
  console.log(
    `machine: ${s.machine()}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`wrk: ${CONNECTIONS} connections, ${THREADS} threads, ${DURATION} s per run, ${ROUNDS} rounds (ABBA)`);
  console.log(`logs: ${logDir}`);
  if (Object.keys(API_ENV).length > 0)
    console.log(`dreamqueue API settings changed from their defaults: ${JSON.stringify(API_ENV)}`);
  console.log(
    'dreamqueue: apps/api/dist/main.js with production defaults (LOG_LEVEL=info, one JSON line per request to a\n' +
      '  file, /metrics timing every request, OTEL off); bare: Express 5 + express.json + the same zod schema +\n' +
      '  queue.add, no auth, no logging, no metrics. Same redis-server, no generate worker.',
  );
  const cleanups = [];
  try {
    const redisServer = await s.startRedis();
    cleanups.push(() => redisServer.stop());
    const emulator = await s.startEmulator();
    cleanups.push(() => emulator.close());
    const { createRedisConnection, waitForReady } = s.dist('libs/redis/dist/index.js');
    const stats = createRedisConnection({ url: redisServer.url, role: 'producer' });
    stats.on('error', (err) => console.error(`bench redis connection: ${err.message}`));
    await waitForReady(stats);
    cleanups.push(() => stats.disconnect());
    const tenant = await seedTenant({ redisUrl: redisServer.url, prefix: DQ_PREFIX });
    const body = { model: tenant.modelId, prompt: 'a portrait in the rain' };

    await printRoundTrips({ redisUrl: redisServer.url, emulator, logDir, stats, tenant, body });

    // BENCH_CPU_PROF=1: both servers write a V8 CPU profile (open it in Chrome DevTools) into the log folder.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`] : [];
    const servers = {
      dreamqueue: await startDreamqueueApi({
        redisUrl: redisServer.url,
        prefix: DQ_PREFIX,
        emulator,
        logDir,
        nodeArgs: profile,
        extraEnv: API_ENV,
      }),
      bare: await startBareServer({ redisUrl: redisServer.url, prefix: BARE_PREFIX, logDir, nodeArgs: profile }),
    };
    cleanups.push(() => Promise.all(Object.values(servers).map((p) => p.kill('SIGTERM'))));
    const script = writePostScript(logDir, {
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tenant.key}` },
    });
    const load = (name, durationSeconds) =>
      measured(stats, servers[name].pid, () =>
        runWrk({
          url: `${servers[name].base}/v1/generations`,
          script,
          connections: CONNECTIONS,
          threads: THREADS,
          durationSeconds,
        }),
      );
    for (const name of Object.keys(servers)) await load(name, 3); // warm-up: JIT, connections, scripts
    const runs = { dreamqueue: [], bare: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? ['dreamqueue', 'bare'] : ['bare', 'dreamqueue'];
      for (const name of order) {
        const run = await load(name, DURATION);
        runs[name].push(run);
        console.log(`round ${round + 1} ${name.padEnd(10)} ${describe(run)}`);
      }
    }
    const dq = summarize(runs.dreamqueue);
    const bare = summarize(runs.bare);
    console.log(`mean       dreamqueue ${describe(dq)}`);
    console.log(`mean       bare       ${describe(bare)}`);
    console.log(
      `intake: dreamqueue ${dq.requestsPerSecond.toFixed(0)} req/s (p99 ${dq.p99Ms.toFixed(1)} ms), ` +
        `bare ${bare.requestsPerSecond.toFixed(0)} req/s (p99 ${bare.p99Ms.toFixed(1)} ms), ` +
        `ratio ${(dq.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error(`cleanup: ${err.message}`);
      }
    }
  }
}

/** Phase 1: both servers talk to Redis through the counting proxy; requests go one at a time. */
async function printRoundTrips({ redisUrl, emulator, logDir, stats, tenant, body }) {
  const counter = await startRedisWireCounter(redisUrl);
  const api = await startDreamqueueApi({
    redisUrl: counter.url,
    prefix: DQ_PREFIX,
    emulator,
    logDir,
    name: 'api-counted',
  });
  const bare = await startBareServer({ redisUrl: counter.url, prefix: BARE_PREFIX, logDir, name: 'bare-counted' });
  try {
    const key = tenant.key;
    const created = await call(api.base, { method: 'POST', path: '/v1/generations', key, body, expected: 202 });
    const batch = { model: tenant.modelId, items: Array.from({ length: 10 }, (_, i) => ({ prompt: `item ${i}` })) };
    const routes = [
      [
        'POST /v1/generations',
        () => call(api.base, { method: 'POST', path: '/v1/generations', key, body, expected: 202 }),
      ],
      ['GET /v1/generations/:id', () => call(api.base, { path: `/v1/generations/${created.id}`, key, expected: 200 })],
      [
        'POST /v1/batches (10 items)',
        () => call(api.base, { method: 'POST', path: '/v1/batches', key, body: batch, expected: 202 }),
      ],
      ['GET /v1/models/:id', () => call(api.base, { path: `/v1/models/${tenant.modelId}`, key, expected: 200 })],
      [
        'bare POST /v1/generations',
        () => call(bare.base, { method: 'POST', path: '/v1/generations', body, expected: 202 }),
      ],
    ];
    console.log('\nRedis per request (one at a time; commands executed include those run inside scripts):');
    console.log(`${'route'.padEnd(30)} ${'round trips'.padStart(11)} ${'sent'.padStart(6)} ${'executed'.padStart(9)}`);
    for (const [route, send] of routes) {
      const count = await countPerRequest({
        counter,
        redis: stats,
        send,
        requests: route.includes('batches') ? 20 : 50,
      });
      console.log(
        `${route.padEnd(30)} ${String(count.roundTrips).padStart(11)} ${String(count.commandsSent).padStart(6)} ` +
          `${String(count.commandsExecuted).padStart(9)}`,
      );
      if (process.env.BENCH_VERBOSE) console.log(`  ${JSON.stringify(count.byCommand)}`);
    }
    console.log('');
  } finally {
    await Promise.all([api.kill('SIGTERM'), bare.kill('SIGTERM')]);
    await counter.close();
  }
}

/** Runs `fn` and adds the CPU the server process and Redis spent per request meanwhile. */
async function measured(stats, pid, fn) {
  const before = { server: processCpuMs(pid), redis: await redisCpuMs(stats) };
  const run = await fn();
  const perRequest = (ms) => (run.requests > 0 ? ms / run.requests : NaN);
  return {
    ...run,
    serverCpuMsPerRequest: perRequest(processCpuMs(pid) - before.server),
    redisCpuMsPerRequest: perRequest((await redisCpuMs(stats)) - before.redis),
  };
}

function processCpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
}

async function redisCpuMs(redis) {
  const info = await redis.info('cpu');
  const read = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
}

function summarize(runs) {
  const mean = (field) => runs.reduce((sum, r) => sum + r[field], 0) / runs.length;
  return {
    requestsPerSecond: mean('requestsPerSecond'),
    p99Ms: mean('p99Ms'),
    serverCpuMsPerRequest: mean('serverCpuMsPerRequest'),
    redisCpuMsPerRequest: mean('redisCpuMsPerRequest'),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    socketErrors: runs.reduce((sum, r) => sum + r.socketErrors, 0),
  };
}

function describe(r) {
  return (
    `${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${r.p99Ms.toFixed(1).padStart(6)} ms  ` +
    `CPU/request: server ${r.serverCpuMsPerRequest.toFixed(3)} ms, redis ${r.redisCpuMsPerRequest.toFixed(3)} ms` +
    (r.non2xx || r.socketErrors ? `  (non-2xx ${r.non2xx}, socket errors ${r.socketErrors})` : '')
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
