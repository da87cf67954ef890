// Pipeline throughput: generations/s through API → queue → generate worker → emulator MME (zero model
// latency) → S3, against bare BullMQ (no-op processor, same Redis, same worker concurrency) in the same run.
// Usage: npm run bench:throughput   (BENCH_GENERATIONS=1500 BENCH_CONCURRENCY=8)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { Queue, Worker } = require('bullmq');
const s = require('./lib/generation-stack');
const { runBench } = require('./lib/run-bench');

const N = Number(process.env.BENCH_GENERATIONS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CLIENTS = 32;

async function pool(n, clients, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

function completions(worker, target) {
  let done = 0;
  return new Promise((resolve) => worker.on('completed', () => ++done === target && resolve()));
}

async function pipeline(redis, emulator, clients) {
  const prefix = '{bench-pipe}';
  const api = await s.buildApi({ redisUrl: redis.url, prefix, emulator, s3: clients.s3 });
  const server = await s.listen(api.app);
  await api.registerModel('bench', 'mdl_bench', [[120, 80, 200]]);
  const key = await api.keyFor('bench');
  const gen = await s.startGenerateWorker({
    redisUrl: redis.url,
    prefix,
    emulator,
    ...clients,
    env: {
      GENERATE_CONCURRENCY: String(CONCURRENCY),
      GENERATE_INITIAL_PERMITS: String(CONCURRENCY),
      GENERATE_AFFINITY: 'false',
    },
  });
  const post = (i) =>
    fetch(`${server.base}/v1/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mdl_bench', prompt: `bench ${i}`, seed: i + 1 }),
    }).then((r) => {
      if (r.status !== 202) throw new Error(`POST answered ${r.status}`);
    });
  const warm = completions(gen.worker, 1);
  await post(-1); // bootstraps the MME and loads the model, outside the measurement
  await warm;
  const all = completions(gen.worker, N);
  const cpu0 = cpuNow();
  const t0 = performance.now();
  await pool(N, CLIENTS, post);
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(cpu0);
  await gen.close();
  await server.close();
  await api.close();
  return { rate: N / seconds, cpu };
}

/** CPU seconds of this process and of its children (redis-server, the emulator's s3rver), Linux only. */
function cpuNow() {
  const own = process.cpuUsage();
  const children = {};
  try {
    const rows = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)])
      .toString()
      .trim()
      .split('\n');
    for (const row of rows) {
      const [pid, ...args] = row.trim().split(/\s+/);
      const name = args.join(' ').startsWith('redis-server')
        ? 'redis'
        : args.join(' ').includes('--openssl-legacy-provider')
          ? 's3rver'
          : undefined;
      if (!name) continue;
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      children[name] = (Number(f[11]) + Number(f[12])) / 100;
    }
  } catch {
    // not Linux or no ps: the breakdown is left out
  }
  return { own: (own.user + own.system) / 1e6, children };
}

function cpuSince(before) {
  const now = cpuNow();
  const out = { 'this process (load generator, API, worker, emulator MME + S3 proxy)': now.own - before.own };
  for (const [name, value] of Object.entries(now.children)) {
    if (before.children[name] !== undefined)
      out[name === 's3rver' ? 'emulator s3rver child' : 'redis-server'] = value - before.children[name];
  }
  return out;
}

async function bare(redis) {
  const connection = { url: redis.url };
  const queue = new Queue('bare', { connection, prefix: '{bench-bare}' });
  const worker = new Worker('bare', async () => ({ ok: true }), {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix: '{bench-bare}',
    concurrency: CONCURRENCY,
  });
  const all = completions(worker, N);
  const t0 = performance.now();
  await pool(N, CLIENTS, (i) => queue.add('noop', { i }, { removeOnComplete: { count: 10_000 } }));
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await worker.close();
  await queue.close();
  return N / seconds;
}

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(
    `workload: ${N} generations of 1 image, ${CLIENTS} HTTP clients, worker concurrency ${CONCURRENCY}, emulator latency 0`,
  );
  const redis = await s.startRedis();
  const emulator = await s.startEmulator({
    timeScale: 0.001,
    fixedLatencyMs: 0,
    perImageLatencyMs: 0,
    coldLoadSeconds: 0,
    mmeCapacity: 1000,
  });
  const clients = s.awsClients(emulator);
  try {
    const bareRate = await bare(redis);
    const { rate: pipeRate, cpu } = await pipeline(redis, emulator, clients);
    console.log(`bare BullMQ (no-op):           ${bareRate.toFixed(0)} jobs/s`);
    console.log(`dreamqueue pipeline (to S3):   ${pipeRate.toFixed(0)} generations/s`);
    console.log(`ratio pipeline / bare:         ${(pipeRate / bareRate).toFixed(3)}`);
    console.log('pipeline CPU per generation (all on the same cores):');
    for (const [name, seconds] of Object.entries(cpu))
      console.log(`  ${((seconds * 1000) / N).toFixed(2).padStart(6)} ms  ${name}`);
    console.log(
      'Not like for like: the baseline makes no HTTP request, no AWS SDK call (SigV4 signing, middleware), no S3',
    );
    console.log(
      'write and no status record; the pipeline makes one API request, one MME invocation and one S3 PutObject',
    );
    console.log(
      'per generation, and the emulator serving them (image rendering, S3 proxy, s3rver) runs on the same cores.',
    );
  } finally {
    clients.s3.destroy();
    clients.runtime.destroy();
    await emulator.close();
    await redis.stop();
  }
}

runBench(main);
