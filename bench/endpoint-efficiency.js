// Endpoint efficiency: images/s achieved against the MME's theoretical capacity, mean invocation batch size,
// and cold loads per 1 000 images across 20 models — with the worker's LoRA-affinity deferral off and on.
// The emulator models a realistic GPU endpoint (2 s + 1 s per image, 4 concurrent invocations, 8 models
// loaded per instance, 20 s cold loads) with time compressed by BENCH_TIME_SCALE; figures are in emulated time.
// Usage: npm run bench:efficiency   (BENCH_MODELS=20 BENCH_ITEMS=264 BENCH_TIME_SCALE=0.02)
'use strict';
const s = require('./lib/generation-stack');
const { runBench } = require('./lib/run-bench');

const MODELS = Number(process.env.BENCH_MODELS ?? 20);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 264);
const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.02);
const GPU = {
  fixedLatencyMs: 2000,
  perImageLatencyMs: 1000,
  mmeCapacity: 4,
  coldLoadSeconds: 20,
  modelsPerInstance: 8,
  mmeInstances: 1,
};
const CAPACITY = (GPU.mmeCapacity * 8) / ((GPU.fixedLatencyMs + 8 * GPU.perImageLatencyMs) / 1000); // images/s at full batches

async function run(redis, affinity) {
  const emulator = await s.startEmulator({ timeScale: SCALE, ...GPU });
  const clients = s.awsClients(emulator);
  const prefix = `{bench-eff-${affinity ? 'on' : 'off'}}`;
  const api = await s.buildApi({ redisUrl: redis.url, prefix, emulator, s3: clients.s3 });
  const server = await s.listen(api.app);
  const key = await api.keyFor('bench');
  for (let m = 0; m < MODELS; m++) await api.registerModel('bench', `mdl_m${m}`, [[m * 10, 100, 200 - m * 5]]);
  const defer = Math.max(10, Math.round(10_000 * SCALE)); // 10 s emulated
  const gen = await s.startGenerateWorker({
    redisUrl: redis.url,
    prefix,
    emulator,
    ...clients,
    env: {
      GENERATE_CONCURRENCY: '8',
      GENERATE_INITIAL_PERMITS: '4',
      GENERATE_AFFINITY: String(affinity),
      GENERATE_AFFINITY_DEFER: `${defer}ms`,
      GENERATE_AFFINITY_MAX_DEFERRALS: '3',
      GENERATE_WARM_MODELS: String(GPU.modelsPerInstance),
      GENERATE_THROTTLE_BACKOFF: `${Math.max(5, Math.round(500 * SCALE))}ms`,
      GENERATE_COLD_RETRY_DELAY: `${Math.max(5, Math.round(5000 * SCALE))}ms`,
    },
  });
  const chunks = MODELS * Math.ceil(ITEMS / 8);
  let done = 0;
  const finished = new Promise((resolve) => gen.worker.on('completed', () => ++done === chunks && resolve()));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: MODELS }, async (_, m) => {
      const items = Array.from({ length: ITEMS }, (_, i) => ({ prompt: `model ${m} item ${i}`, seed: i }));
      const res = await fetch(`${server.base}/v1/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: `mdl_m${m}`, items }),
      });
      if (res.status !== 202) throw new Error(`batch intake answered ${res.status}: ${await res.text()}`);
    }),
  );
  await finished;
  const emulatedSeconds = (performance.now() - t0) / 1000 / SCALE;
  const stats = emulator.stats();
  const images = MODELS * ITEMS;
  const invocations = Object.entries(stats.batchSizes).filter(([n]) => n !== '1' || true);
  let rows = 0,
    calls = 0;
  for (const [n, count] of invocations) {
    rows += Number(n) * count;
    calls += count;
  }
  const setupCalls = stats.modelInvocations['model_setup.tar.gz'] ?? 0;
  const result = {
    affinity,
    images,
    emulatedSeconds,
    achieved: images / emulatedSeconds,
    meanBatch: (rows - setupCalls) / (calls - setupCalls),
    coldLoads: stats.coldLoads - 1,
    throttles: stats.throttles,
    finalLimit: gen.limiter.limit,
  };
  await gen.close();
  await server.close();
  await api.close();
  clients.s3.destroy();
  clients.runtime.destroy();
  await emulator.close();
  return result;
}

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(
    `endpoint: ${GPU.fixedLatencyMs / 1000} s + ${GPU.perImageLatencyMs / 1000} s/image, ${GPU.mmeCapacity} concurrent, ${GPU.modelsPerInstance} models/instance, ${GPU.coldLoadSeconds} s cold load; theoretical ${CAPACITY.toFixed(2)} images/s`,
  );
  console.log(
    `workload: ${MODELS} models × ${ITEMS}-item batches submitted together; time scale ${SCALE} (figures in emulated time)`,
  );
  const redis = await s.startRedis();
  try {
    const rows = [];
    for (const affinity of [false, true]) rows.push(await run(redis, affinity));
    console.log('affinity  images/s  efficiency  mean batch  cold loads  cold/1000 img  throttles  emulated s');
    for (const r of rows) {
      console.log(
        `${(r.affinity ? 'on' : 'off').padEnd(9)} ${r.achieved.toFixed(2).padStart(8)}  ${(r.achieved / CAPACITY).toFixed(3).padStart(10)}  ${r.meanBatch.toFixed(2).padStart(10)}  ${String(r.coldLoads).padStart(10)}  ${((r.coldLoads * 1000) / r.images).toFixed(2).padStart(13)}  ${String(r.throttles).padStart(9)}  ${r.emulatedSeconds.toFixed(0).padStart(10)}`,
      );
    }
    const [off, on] = rows;
    console.log(
      `cold loads per 1000 images, affinity on / off: ${(on.coldLoads / on.images / (off.coldLoads / off.images)).toFixed(2)}`,
    );
  } finally {
    await redis.stop();
  }
}

runBench(main);
