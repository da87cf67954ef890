// Pipeline throughput: generations/s through API → queue → generate worker → emulator MME (zero model
// latency) → S3, against bare BullMQ (no-op processor, same Redis, same worker concurrency) in the same run.
// Usage: npm run bench:throughput   (BENCH_GENERATIONS=1500 BENCH_CONCURRENCY=8)
'use strict';
const { Queue, Worker } = require('bullmq');
const s = require('./lib/generation-stack');

const N = Number(process.env.BENCH_GENERATIONS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CLIENTS = 32;

async function pool(n, clients, task) {
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < n) await task(next++);
  }));
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
  const gen = await s.startGenerateWorker({ redisUrl: redis.url, prefix, emulator, ...clients, env: { GENERATE_CONCURRENCY: String(CONCURRENCY), GENERATE_INITIAL_PERMITS: String(CONCURRENCY), GENERATE_AFFINITY: 'false' } });
  const post = (i) => fetch(`${server.base}/v1/generations`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mdl_bench', prompt: `bench ${i}`, seed: i + 1 }),
  }).then((r) => { if (r.status !== 202) throw new Error(`POST answered ${r.status}`); });
  const warm = completions(gen.worker, 1);
  await post(-1); // bootstraps the MME and loads the model, outside the measurement
  await warm;
  const all = completions(gen.worker, N);
  const t0 = performance.now();
  await pool(N, CLIENTS, post);
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await gen.close();
  await server.close();
  await api.close();
  return N / seconds;
}

async function bare(redis) {
  const connection = { url: redis.url };
  const queue = new Queue('bare', { connection, prefix: '{bench-bare}' });
  const worker = new Worker('bare', async () => ({ ok: true }), { connection: { ...connection, maxRetriesPerRequest: null }, prefix: '{bench-bare}', concurrency: CONCURRENCY });
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
  console.log(`workload: ${N} generations of 1 image, ${CLIENTS} HTTP clients, worker concurrency ${CONCURRENCY}, emulator latency 0`);
  const redis = await s.startRedis();
  const emulator = await s.startEmulator({ timeScale: 0.001, fixedLatencyMs: 0, perImageLatencyMs: 0, coldLoadSeconds: 0, mmeCapacity: 1000 });
  const clients = s.awsClients(emulator);
  try {
    const bareRate = await bare(redis);
    const pipeRate = await pipeline(redis, emulator, clients);
    console.log(`bare BullMQ (no-op):           ${bareRate.toFixed(0)} jobs/s`);
    console.log(`dreamqueue pipeline (to S3):   ${pipeRate.toFixed(0)} generations/s`);
    console.log(`ratio pipeline / bare:         ${(pipeRate / bareRate).toFixed(3)}`);
  } finally {
    clients.s3.destroy();
    clients.runtime.destroy();
    await emulator.close();
    await redis.stop();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
