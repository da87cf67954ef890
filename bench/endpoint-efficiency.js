// Endpoint efficiency: images/s achieved against the MME's theoretical capacity (the instances' summed
// inference slots at full 8-row batches), cold loads against the minimum, and throttles — for three ways of
// ordering generate work: FIFO (the guidance's way: one queue, in order), LoRA affinity (one queue, a cold
// model's job deferred a bounded number of times), and model-aware dispatch (per-model backlogs in Redis,
// warm models first, pre-warming), each on 1, 2 and 4 instances.
// The emulator models a realistic GPU endpoint per instance (2 s + 1 s per image, 4 concurrent inferences,
// 8 models loaded, 20 s cold loads) with time compressed by BENCH_TIME_SCALE; figures are in emulated time.
// Usage: npm run bench:efficiency   (BENCH_MODELS=20 BENCH_ITEMS=264 BENCH_TIME_SCALE=0.05 BENCH_INSTANCES=1,2,4)
'use strict';
const s = require('./lib/generation-stack');
const { runBench } = require('./lib/run-bench');

const MODELS = Number(process.env.BENCH_MODELS ?? 20);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 264);
const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.05);
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'fifo,affinity,dispatch').split(',');
const GPU = {
  fixedLatencyMs: 2000,
  perImageLatencyMs: 1000,
  mmeCapacity: 4,
  coldLoadSeconds: 20,
  modelsPerInstance: 8,
};
/** Images/s at full batches on `instances` instances. */
const capacityOf = (instances) =>
  (instances * GPU.mmeCapacity * 8) / ((GPU.fixedLatencyMs + 8 * GPU.perImageLatencyMs) / 1000);
/** Emulated duration as real ms. */
const real = (emulatedMs) => `${Math.max(1, Math.round(emulatedMs * SCALE))}ms`;

async function run(redis, mode, instances) {
  const emulator = await s.startEmulator({ timeScale: SCALE, ...GPU, mmeInstances: instances });
  const clients = s.awsClients(emulator);
  const prefix = `{bench-eff-${mode}-${instances}}`;
  const api = await s.buildApi({ redisUrl: redis.url, prefix, emulator, s3: clients.s3 });
  const server = await s.listen(api.app);
  const key = await api.keyFor('bench');
  for (let m = 0; m < MODELS; m++) await api.registerModel('bench', `mdl_m${m}`, [[m * 10, 100, 200 - m * 5]]);
  const slots = instances * GPU.mmeCapacity;
  // The whole workload is accepted first; the clock starts with the worker, so intake is not measured.
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
  const t0 = performance.now();
  const gen = await s.startGenerateWorker({
    redisUrl: redis.url,
    prefix,
    emulator,
    ...clients,
    env: {
      // Concurrency as an operator sets it: the endpoint's instances × slots (BENCH_CONCURRENCY_FACTOR=2 leaves
      // the adaptive limit room above it to find the capacity itself).
      GENERATE_CONCURRENCY: String(Math.round(slots * Number(process.env.BENCH_CONCURRENCY_FACTOR ?? 1))),
      GENERATE_INITIAL_PERMITS: String(slots),
      GENERATE_DISPATCH: String(mode === 'dispatch'),
      GENERATE_AFFINITY: String(mode === 'affinity'),
      GENERATE_AFFINITY_DEFER: real(10_000),
      GENERATE_AFFINITY_MAX_DEFERRALS: '3',
      GENERATE_WARM_MODELS: String(GPU.modelsPerInstance * instances),
      GENERATE_WARM_WINDOW: real(60_000),
      GENERATE_MODEL_SLOTS: String(GPU.mmeCapacity),
      GENERATE_WARMUP_ABORT: real(5_000),
      GENERATE_COLD_LOAD_ESTIMATE: real(60_000),
      GENERATE_LIMIT_PROBE_INTERVAL: real(60_000),
      GENERATE_THROTTLE_BACKOFF: real(500),
      GENERATE_COLD_RETRY_DELAY: real(5_000),
    },
  });
  const chunks = MODELS * Math.ceil(ITEMS / 8);
  let done = 0;
  const finished = new Promise((resolve) => gen.worker.on('completed', () => ++done === chunks && resolve()));
  // BENCH_TRACE=1: how many inference slots were busy over the run (where the GPU time went).
  const busy = [];
  const sampler = process.env.BENCH_TRACE
    ? setInterval(() => {
        const st = emulator.stats();
        busy.push(st.inFlight.toString(36));
        if (busy.length % 40 === 0) {
          console.log(
            `t=${((performance.now() - t0) / 1000 / SCALE).toFixed(0)}s busy ${busy.slice(-40).join('')} cold ${st.coldLoads} thr ${st.throttles} limit ${gen.limiter.limit}`,
          );
        }
      }, 25)
    : undefined;
  await finished;
  clearInterval(sampler);
  const emulatedSeconds = (performance.now() - t0) / 1000 / SCALE;
  const stats = emulator.stats();
  let rows = 0;
  let calls = 0;
  for (const [n, count] of Object.entries(stats.batchSizes)) {
    rows += Number(n) * count;
    calls += count;
  }
  const setupCalls = stats.modelInvocations['model_setup.tar.gz'] ?? 0;
  const warmups = (stats.batchSizes['1'] ?? 0) - setupCalls;
  const images = MODELS * ITEMS;
  const result = {
    mode,
    instances,
    images,
    emulatedSeconds,
    achieved: images / emulatedSeconds,
    efficiency: images / emulatedSeconds / capacityOf(instances),
    meanBatch: (rows - setupCalls - warmups) / Math.max(1, calls - setupCalls - warmups),
    // model_setup loads once per instance; every other load is a LoRA model's.
    coldLoads: stats.coldLoads - stats.instances.filter((i) => i.bootstrapped).length,
    minimum: MODELS,
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
    `endpoint instance: ${GPU.fixedLatencyMs / 1000} s + ${GPU.perImageLatencyMs / 1000} s/image, ${GPU.mmeCapacity} concurrent, ${GPU.modelsPerInstance} models, ${GPU.coldLoadSeconds} s cold load; theoretical ${capacityOf(1).toFixed(2)} images/s per instance`,
  );
  console.log(
    `workload: ${MODELS} models × ${ITEMS}-item batches submitted together; time scale ${SCALE} (1 emulated s = ${1000 * SCALE} real ms; figures in emulated time)`,
  );
  console.log('minimum cold loads: one per model (each model fits on one instance)');
  const redis = await s.startRedis();
  const rows = [];
  try {
    console.log(
      'mode       instances  images/s  efficiency  mean batch  cold loads  minimum  throttles  final limit  emulated s',
    );
    for (const instances of INSTANCES) {
      for (const mode of MODES) {
        const r = await run(redis, mode, instances);
        rows.push(r);
        console.log(
          `${r.mode.padEnd(10)} ${String(r.instances).padStart(9)}  ${r.achieved.toFixed(2).padStart(8)}  ${r.efficiency.toFixed(3).padStart(10)}  ${r.meanBatch.toFixed(2).padStart(10)}  ${String(r.coldLoads).padStart(10)}  ${String(r.minimum).padStart(7)}  ${String(r.throttles).padStart(9)}  ${String(r.finalLimit).padStart(11)}  ${r.emulatedSeconds.toFixed(0).padStart(10)}`,
        );
      }
    }
  } finally {
    await redis.stop();
  }
  const last = rows.find((r) => r.mode === 'dispatch' && r.instances === 1);
  if (last) {
    console.log(
      `dispatch: efficiency ${last.efficiency.toFixed(3)}, cold loads ${last.coldLoads} (minimum ${last.minimum}), throttles ${last.throttles}`,
    );
  }
}

runBench(main);
