// Endpoint efficiency: images/s achieved against the MME's theoretical capacity (the instances' summed
// inference slots at full 8-row batches), cold loads against the minimum, and throttles — for three ways of
// ordering generate work: FIFO (the guidance's way: one queue, in order), LoRA affinity (one queue, a cold
// model's job deferred a bounded number of times), and model-aware dispatch (per-model backlogs in Redis,
// warm models first, pre-warming), each on 1, 2 and 4 instances.
// The emulator models a realistic GPU endpoint per instance (2 s + 1 s per image, 4 concurrent inferences,
// 8 models loaded, 20 s cold loads) with time compressed by BENCH_TIME_SCALE; figures are in emulated time.
// Usage: npm run bench:efficiency   (BENCH_MODELS=20 BENCH_ITEMS=264 BENCH_TIME_SCALE=0.1 BENCH_INSTANCES=1,2,4
// BENCH_MODES=fifo,affinity,dispatch, or floor: the machine alone; N instances run at N × BENCH_TIME_SCALE)
'use strict';
const s = require('./lib/generation-stack');
const { GPU, capacityOf, describeEndpoint, startEndpointStack } = require('./lib/endpoint-bench');
const { runBench } = require('./lib/run-bench');

const MODELS = Number(process.env.BENCH_MODELS ?? 20);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 264);
const BASE_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.1);
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2,4').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'fifo,affinity,dispatch').split(',');
/**
 * N instances run N times the invocations per second: their time scale is N × BENCH_TIME_SCALE, so this
 * machine does the same orchestration work per real second on every row and the figure measures the
 * endpoint, not how fast this machine runs Redis scripts and HTTP round trips.
 */
const scaleFor = (instances) => BASE_SCALE * instances;

async function run(redis, mode, instances) {
  const scale = scaleFor(instances);
  const prefix = `{bench-eff-${mode}-${instances}}`;
  const models = Array.from({ length: MODELS }, (_, m) => ['bench', `mdl_m${m}`]);
  const stack = await startEndpointStack({
    redisUrl: redis.url,
    prefix,
    scale,
    instances,
    models,
  });
  if (mode === 'floor') {
    const result = await machineFloor(stack, instances, scale);
    await stack.close();
    return result;
  }
  // The whole workload is accepted first; the clock starts with the worker, so intake is not measured.
  await Promise.all(
    models.map(([tenant, model], m) =>
      stack.submit(
        tenant,
        model,
        Array.from({ length: ITEMS }, (_, i) => ({ prompt: `model ${m} item ${i}`, seed: i })),
      ),
    ),
  );
  const t0 = performance.now();
  const gen = await stack.startWorker({
    GENERATE_DISPATCH: String(mode === 'dispatch'),
    GENERATE_AFFINITY: String(mode === 'affinity'),
  });
  const chunks = MODELS * Math.ceil(ITEMS / 8);
  let done = 0;
  const finished = new Promise((resolve) => gen.worker.on('completed', () => ++done === chunks && resolve()));
  // BENCH_TRACE=1: how many inference slots were busy over the run (where the GPU time went).
  // With several instances, a row per instance follows: its busy slots and the model it used last.
  const traceRedis = process.env.BENCH_TRACE ? new (require('ioredis').Redis)(redis.url) : undefined;
  const busy = [];
  const perInstance = Array.from({ length: instances }, () => []);
  const sampler = process.env.BENCH_TRACE
    ? setInterval(async () => {
        const st = await stack.emulator.stats();
        busy.push(st.inFlight.toString(36));
        for (const i of st.instances) perInstance[i.id].push(i.inFlight.toString(36));
        if (busy.length % 40 === 0) {
          console.log(
            `t=${((performance.now() - t0) / 1000 / scale).toFixed(0)}s busy ${busy.slice(-40).join('')} cold ${st.coldLoads} thr ${st.throttles} limit ${gen.limiter.limit}`,
          );
          if (instances > 1) {
            // The models each instance holds (least recently used first), each with the lane the dispatcher gave it.
            const lanes = mode === 'dispatch' ? await traceRedis.hgetall(`${prefix}:dispatch:lanes`) : {};
            for (const i of st.instances) {
              const held = i.models
                .filter((m) => m.startsWith('bench-'))
                .map(
                  (m) =>
                    `${m.replace(/^bench-mdl-(m\d+)-v\d+\.tar\.gz$/, '$1')}${m in lanes ? `@${lanes[m] % instances}` : ''}`,
                );
              console.log(`   instance ${i.id} ${perInstance[i.id].slice(-40).join('')} holds ${held.join(' ')}`);
            }
          }
        }
      }, 500 * scale)
    : undefined;
  await finished;
  const emulatedSeconds = (performance.now() - t0) / 1000 / scale;
  clearInterval(sampler);
  traceRedis?.disconnect();
  const stats = await stack.emulator.stats();
  let rows = 0;
  let calls = 0;
  for (const [n, count] of Object.entries(stats.batchSizes)) {
    rows += Number(n) * count;
    calls += count;
  }
  const setupCalls = stats.modelInvocations['model_setup.tar.gz'] ?? 0;
  const warmups = (stats.batchSizes['1'] ?? 0) - setupCalls;
  const result = resultRow({
    mode,
    instances,
    scale,
    images: MODELS * ITEMS,
    emulatedSeconds,
    stats,
    meanBatch: (rows - setupCalls - warmups) / Math.max(1, calls - setupCalls - warmups),
    // One load per model, and per further instance a model must run on: with more instances than models
    // each instance's slots need a model of their own.
    minimum: Math.max(MODELS, instances),
    finalLimit: gen.limiter.limit,
  });
  await gen.close();
  await stack.close();
  return result;
}

/**
 * BENCH_MODES=floor: the most this machine measures at this time scale, with no Redis and no worker. One
 * model per instance, loaded before the clock starts; each instance's slots are busy with back-to-back 8-row
 * invocations (the same images as the workload) straight from this process. What it loses against 1.000 is
 * the HTTP round trips, the emulator's own CPU time and timer lag on this machine.
 */
async function machineFloor(stack, instances, scale) {
  const { SageMakerMultiModelInference, encodeGenerationRequest } = s.dist('libs/aws/dist/index.js');
  const { targetModelName } = s.dist('libs/storage/dist/index.js');
  const mme = new SageMakerMultiModelInference(stack.clients.runtime);
  const endpoint = stack.emulator.mmeEndpoint;
  const rows = (n) =>
    encodeGenerationRequest(
      Array.from({ length: n }, (_, i) => ({
        prompt: `floor ${i}`,
        negativePrompt: '',
        seed: i,
        steps: 1,
        guidance: 0,
      })),
    );
  // One load at a time: a model held nowhere goes to the instance with the fewest outstanding requests.
  const targets = [];
  for (let m = 0; m < instances; m++) {
    const targetModel = targetModelName('bench', `mdl_m${m}`, 1);
    const loading = mme.invoke({ endpoint, targetModel, body: rows(1) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    targets.push({ targetModel, loading });
  }
  await Promise.all(targets.map((t) => t.loading));
  const calls = Math.ceil((MODELS * ITEMS) / 8 / (instances * GPU.mmeCapacity));
  const t0 = performance.now();
  await Promise.all(
    targets.flatMap(({ targetModel }) =>
      Array.from({ length: GPU.mmeCapacity }, async () => {
        for (let c = 0; c < calls; c++) await mme.invoke({ endpoint, targetModel, body: rows(8) });
      }),
    ),
  );
  const emulatedSeconds = (performance.now() - t0) / 1000 / scale;
  const images = calls * 8 * instances * GPU.mmeCapacity;
  return resultRow({
    mode: 'floor',
    instances,
    scale,
    images,
    emulatedSeconds,
    stats: await stack.emulator.stats(),
    meanBatch: 8,
    minimum: instances,
    finalLimit: instances * GPU.mmeCapacity,
  });
}

/** One printed row: the rates from images over emulated time, the loads and throttles from the emulator. */
function resultRow({ mode, instances, scale, images, emulatedSeconds, stats, meanBatch, minimum, finalLimit }) {
  return {
    mode,
    instances,
    scale,
    images,
    emulatedSeconds,
    achieved: images / emulatedSeconds,
    efficiency: images / emulatedSeconds / capacityOf(instances),
    meanBatch,
    // model_setup loads once per instance; every other load is a LoRA model's.
    coldLoads: stats.coldLoads - stats.instances.filter((i) => i.bootstrapped).length,
    minimum,
    throttles: stats.throttles,
    finalLimit,
  };
}

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(describeEndpoint());
  console.log(
    `workload: ${MODELS} models × ${ITEMS}-item batches submitted together, every instance bootstrapped (model_setup) and every model cold when the clock starts`,
  );
  console.log(
    `time scale: ${BASE_SCALE} × instances (${INSTANCES.map((n) => `${n}: 1 emulated s = ${+(1000 * scaleFor(n)).toFixed(2)} real ms`).join(', ')}); figures in emulated time`,
  );
  console.log(`minimum cold loads: one per model (${GPU.modelsPerInstance} models fit on one instance)`);
  const redis = await s.startRedis();
  const rows = [];
  try {
    console.log(
      'mode       instances  scale  images/s  efficiency  mean batch  cold loads  minimum  throttles  final limit  emulated s',
    );
    for (const instances of INSTANCES) {
      for (const mode of MODES) {
        const r = await run(redis, mode, instances);
        rows.push(r);
        console.log(
          `${r.mode.padEnd(10)} ${String(r.instances).padStart(9)}  ${String(r.scale).padStart(5)}  ${r.achieved.toFixed(2).padStart(8)}  ${r.efficiency.toFixed(3).padStart(10)}  ${r.meanBatch.toFixed(2).padStart(10)}  ${String(r.coldLoads).padStart(10)}  ${String(r.minimum).padStart(7)}  ${String(r.throttles).padStart(9)}  ${String(r.finalLimit).padStart(11)}  ${r.emulatedSeconds.toFixed(0).padStart(10)}`,
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
