// Tenant fairness under model-aware dispatch: two tenants submit large batches at once (each its own model),
// a third tenant submits a small batch a minute later, and a fourth sends one-image interactive generations
// throughout. Prints each tenant's share of the images generated in every emulated minute, how far a's share
// of a + b is from its weight's share, the small batch's completion time against its size alone, and the
// interactive requests' latency.
// Endpoint and time scale as bench:efficiency (per instance: 4 concurrent, 2 s + 1 s/image, 20 s cold loads;
// N instances run at N × BENCH_TIME_SCALE).
// Usage: npm run bench:fairness   (BENCH_BIG=2000 BENCH_SMALL=100 BENCH_TIME_SCALE=0.1 BENCH_MINUTES=0
// BENCH_INSTANCES=1)
// The issue's workload: BENCH_BIG=50000 BENCH_MINUTES=15 (the first 15 emulated minutes of 2 × 50 000 items).
'use strict';
const s = require('./lib/generation-stack');
const { GPU, capacityOf, describeEndpoint, startEndpointStack } = require('./lib/endpoint-bench');
const { runBench } = require('./lib/run-bench');

const BIG = Number(process.env.BENCH_BIG ?? 2000);
const SMALL = Number(process.env.BENCH_SMALL ?? 100);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.1) * INSTANCES;
/** Emulated minutes to measure; 0: until every batch is done. */
const MINUTES = Number(process.env.BENCH_MINUTES ?? 0);
/** Emulated seconds between two interactive generations. */
const INTERACTIVE_EVERY_S = Number(process.env.BENCH_INTERACTIVE_EVERY ?? 15);
const SMALL_AT_S = 60;
const CAPACITY = capacityOf(INSTANCES);
const TOLERANCE = 0.1;
const real = (emulatedMs) => `${Math.max(1, Math.round(emulatedMs * SCALE))}ms`;
const emulated = (realMs) => realMs / SCALE / 1000;

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(describeEndpoint());
  console.log(
    `workload: tenants a and b ${BIG} items each (one model each, weights 1:1), tenant c ${SMALL} items ${SMALL_AT_S} s later, ` +
      `tenant i one interactive image every ${INTERACTIVE_EVERY_S} s; ${INSTANCES} instance(s), ${CAPACITY.toFixed(2)} images/s; ` +
      `time scale ${SCALE} (figures in emulated time)${MINUTES > 0 ? `; measured for ${MINUTES} min` : ''}`,
  );
  const redis = await s.startRedis();
  const stack = await startEndpointStack({
    redisUrl: redis.url,
    prefix: '{bench-fair}',
    scale: SCALE,
    instances: INSTANCES,
    models: ['a', 'b', 'c', 'i'].map((t) => [t, `mdl_${t}`]),
  });
  const submit = (t, n) =>
    stack.submit(
      t,
      `mdl_${t}`,
      Array.from({ length: n }, (_, i) => ({ prompt: `${t} ${i}`, seed: i })),
    );
  await Promise.all([submit('a', BIG), submit('b', BIG)]);
  const t0 = performance.now();
  const at = () => emulated(performance.now() - t0);
  const gen = await stack.startWorker({
    GENERATE_DISPATCH: 'true',
    GENERATE_DISPATCH_MAX_WAIT: real(600_000),
  });
  const perMinute = [];
  // GPU-seconds each tenant's invocations ran in each minute: an invocation's inference time (the slot it
  // holds, its model's load excluded) spread over the minutes it ran in, ending when it completed.
  const gpuPerMinute = [];
  const addGpu = (t, end, seconds) => {
    for (let from = end - seconds; from < end;) {
      const minute = Math.floor(from / 60);
      const to = Math.min(end, (minute + 1) * 60);
      gpuPerMinute[minute] ??= { a: 0, b: 0, c: 0, i: 0 };
      gpuPerMinute[minute][t] += to - from;
      from = to;
    }
  };
  const chunks = { a: Math.ceil(BIG / 8), b: Math.ceil(BIG / 8), c: Math.ceil(SMALL / 8) };
  const left = { ...chunks };
  const firstAt = {};
  const lastAt = {};
  const interactiveSentAt = new Map();
  const interactiveLatency = [];
  let cSubmitted;
  let cDone;
  let stopInteractive = false;
  const batchesDone = new Promise((resolve) =>
    gen.worker.on('completed', (job, result) => {
      const t = job.data.tenantId;
      const now = at();
      const minute = Math.floor(now / 60);
      perMinute[minute] ??= { a: 0, b: 0, c: 0, i: 0 };
      perMinute[minute][t] += result?.images ?? 0;
      const images = result?.images ?? 0;
      if (images > 0) addGpu(t, now, (GPU.fixedLatencyMs + images * GPU.perImageLatencyMs) / 1000);
      if (t === 'i') {
        const sent = interactiveSentAt.get(job.data.generationId);
        if (sent !== undefined) interactiveLatency.push(now - sent);
        return;
      }
      left[t] -= 1;
      firstAt[t] ??= now;
      lastAt[t] = now;
      if (t === 'c' && left.c === 0) cDone = now;
      if (left.a + left.b + left.c === 0) resolve();
    }),
  );
  const interactive = (async () => {
    for (let n = 0; !stopInteractive; n++) {
      const id = await stack.generate('i', 'mdl_i', `i ${n}`);
      interactiveSentAt.set(id, at());
      await s.sleep(INTERACTIVE_EVERY_S * 1000 * SCALE);
    }
  })();
  // BENCH_TRACE=1: every 10 emulated seconds, each instance's busy slots (in all, per model, and requests
  // waiting for a load) and the models it holds, the invocations the dispatcher counts per tenant, and the
  // lanes it gave the models (and a placement under way).
  const traceRedis = process.env.BENCH_TRACE ? new (require('ioredis').Redis)(redis.url) : undefined;
  // BENCH_TRACE=N (N > 1): every N emulated seconds instead.
  const traceEveryS = Number(process.env.BENCH_TRACE) > 1 ? Number(process.env.BENCH_TRACE) : 10;
  const tracer = traceRedis
    ? setInterval(() => void trace().catch(() => undefined), traceEveryS * 1000 * SCALE)
    : undefined;
  async function trace() {
    const st = await stack.emulator.stats();
    const lanes = await traceRedis.hgetall('{bench-fair}:dispatch:lanes');
    const placing = await traceRedis.hgetall('{bench-fair}:dispatch:placing');
    // Invocations running per tenant, as the dispatcher counts them.
    const running = {};
    for (const id of await traceRedis.zrange('{bench-fair}:dispatch:inflight', 0, -1)) {
      const group = await traceRedis.hget('{bench-fair}:dispatch:jobs', id);
      if (group) running[group.split('|')[0]] = (running[group.split('|')[0]] ?? 0) + 1;
    }
    const interactiveRunning = await traceRedis.hlen('{bench-fair}:dispatch:interactive');
    const name = (m) => m.split('-')[0]; // the target model name starts with its tenant
    const instances = st.instances
      .map(
        (i) =>
          `${i.id}:${i.inFlight}(${Object.entries(i.inFlightByModel ?? {})
            .map(([m, n]) => `${name(m)}${n}`)
            .sort()
            .join('')}${i.waitingForLoad ? ` w${i.waitingForLoad}` : ''})[${i.models
            .filter((m) => !m.startsWith('model_setup'))
            .map(name)
            .join('')}]`,
      )
      .join(' ');
    const laneText = Object.entries(lanes)
      .map(([m, l]) => `${name(m)}@${l}`)
      .join(' ');
    const runningText = Object.entries(running)
      .sort()
      .map(([t, n]) => `${t}${n}`)
      .join(' ');
    console.log(
      `t=${at().toFixed(0)}s ${instances}  running ${runningText} i${interactiveRunning}  lanes ${laneText}  placing ${JSON.stringify(placing)}`,
    );
  }
  await s.sleep(SMALL_AT_S * 1000 * SCALE);
  cSubmitted = at();
  await submit('c', SMALL);
  const deadline = MINUTES > 0 ? s.sleep(MINUTES * 60_000 * SCALE) : new Promise(() => undefined);
  await Promise.race([batchesDone, deadline]);
  stopInteractive = true;
  clearInterval(tracer);
  traceRedis?.disconnect();
  await interactive;
  const end = at();

  // Minutes in which both big batches had work all along: the last one of a batch is not a share.
  const measured = Math.min(
    MINUTES > 0 ? MINUTES : Infinity,
    Math.floor(Math.min(end, lastAt.a ?? end, lastAt.b ?? end) / 60),
  );
  console.log(
    'shares of the images generated in each minute; a of a+b: 50 % ±10 %, by images and by GPU time (see below)',
  );
  console.log('minute   a share  b share  c share  i share   a of a+b, images     a of a+b, GPU time');
  let worst = { deviation: 0, minute: -1 };
  let worstGpu = { deviation: 0, minute: -1 };
  for (let m = 0; m < measured; m++) {
    const row = perMinute[m] ?? { a: 0, b: 0, c: 0, i: 0 };
    const total = row.a + row.b + row.c + row.i;
    const pct = (n) => `${((100 * n) / Math.max(1, total)).toFixed(1)} %`.padStart(7);
    const aShare = row.a / Math.max(1, row.a + row.b);
    const deviation = aShare / 0.5 - 1;
    if (Math.abs(deviation) > Math.abs(worst.deviation) || worst.minute < 0) worst = { deviation, minute: m };
    const gpu = gpuPerMinute[m] ?? { a: 0, b: 0 };
    const aGpu = gpu.a / Math.max(1e-9, gpu.a + gpu.b);
    const gpuDeviation = aGpu / 0.5 - 1;
    if (Math.abs(gpuDeviation) > Math.abs(worstGpu.deviation) || worstGpu.minute < 0) {
      worstGpu = { deviation: gpuDeviation, minute: m };
    }
    console.log(
      `${String(m).padStart(6)}  ${pct(row.a)}  ${pct(row.b)}  ${pct(row.c)}  ${pct(row.i)}   ` +
        `${`${(100 * aShare).toFixed(1)} % (${signed(deviation)})`.padEnd(20)} ${(100 * aGpu).toFixed(1)} % (${signed(gpuDeviation)})`,
    );
  }
  // Images are counted in the minute their invocation ended: a minute holds whole invocations, so with
  // about 24 a minute on one instance (9 in minute 0) one more for a tenant moves its share by 4–11 %. GPU
  // time counts each invocation's seconds in the minutes it ran in.
  console.log(
    `GPU time: worst minute a share ${signed(worstGpu.deviation)} (minute ${worstGpu.minute} of ${measured}, ` +
      `${Math.abs(worstGpu.deviation) <= TOLERANCE ? 'within' : 'outside'} ±${100 * TOLERANCE} %)`,
  );
  // Minute 0 holds only the rounds after the cold loads: a round (4 invocations ending together) finishing
  // a second after the minute moves a tenant's share there by a third.
  console.log(
    `first images (emulated s): ${['a', 'b', 'c'].map((t) => `${t} ${firstAt[t]?.toFixed(1) ?? '-'}`).join(', ')}`,
  );
  let used = 0;
  for (let m = 0; m < measured; m++) {
    const row = perMinute[m] ?? {};
    used += Object.values(row).reduce((x, y) => x + y, 0);
  }
  console.log(
    `endpoint: ${(used / Math.max(1, 60 * measured)).toFixed(2)} images/s over the ${measured} minutes, ${((100 * used) / Math.max(1, 60 * measured * CAPACITY)).toFixed(0)} % of its capacity`,
  );
  const small = cDone === undefined ? undefined : cDone - cSubmitted;
  const alone = SMALL / CAPACITY;
  console.log(
    small === undefined
      ? `small batch (${SMALL} items): not done within the measured time`
      : `small batch (${SMALL} items): completed in ${small.toFixed(0)} s; alone at full capacity ${alone.toFixed(0)} s, at a 1/3 share ${(3 * alone).toFixed(0)} s (+ one ${20} s cold load); behind both big batches it would take ${((2 * BIG + SMALL) / CAPACITY).toFixed(0)} s`,
  );
  const sorted = [...interactiveLatency].sort((x, y) => x - y);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  console.log(
    `interactive (${sorted.length} one-image generations, the first one waits for its model's cold load): ` +
      `first ${interactiveLatency[0]?.toFixed(1)} s, p50 ${q(0.5).toFixed(1)} s, p99 ${q(0.99).toFixed(1)} s, max ${sorted.at(-1)?.toFixed(1)} s ` +
      `(alone: 3 s, plus up to one invocation's 10 s for a free slot)`,
  );
  const within = Math.abs(worst.deviation) <= TOLERANCE;
  console.log(
    `fairness: worst minute a share ${signed(worst.deviation)} (minute ${worst.minute} of ${measured}, ${within ? 'within' : 'outside'} ±${100 * TOLERANCE} %), ` +
      `small batch ${small === undefined ? '-' : `${small.toFixed(0)} s (${(small / alone).toFixed(1)}× alone)`}, ` +
      `interactive p50 ${q(0.5).toFixed(1)} s / p99 ${q(0.99).toFixed(1)} s`,
  );
  await gen.close();
  await stack.close();
  await redis.stop();
}

const signed = (x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;

runBench(main);
