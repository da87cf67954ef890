// Tenant fairness under model-aware dispatch: two tenants submit large batches at once (each its own model),
// a third tenant submits a small batch a little later. Prints each tenant's share of the images generated in
// every emulated minute, and the small batch's completion time against what its size alone would take at
// full capacity and at a one-third share.
// Endpoint and time scale as bench:efficiency (1 instance: 4 concurrent, 2 s + 1 s/image, 20 s cold loads).
// Usage: npm run bench:fairness   (BENCH_BIG=2000 BENCH_SMALL=100 BENCH_TIME_SCALE=0.05)
'use strict';
const s = require('./lib/generation-stack');
const { capacityOf, describeEndpoint, startEndpointStack } = require('./lib/endpoint-bench');
const { runBench } = require('./lib/run-bench');

const BIG = Number(process.env.BENCH_BIG ?? 2000);
const SMALL = Number(process.env.BENCH_SMALL ?? 100);
const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.05);
const CAPACITY = capacityOf(1);
const real = (emulatedMs) => `${Math.max(1, Math.round(emulatedMs * SCALE))}ms`;
const emulated = (realMs) => realMs / SCALE / 1000;

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(describeEndpoint());
  console.log(
    `workload: tenants a and b ${BIG} items each (one model each), tenant c ${SMALL} items 60 s later; 1 instance, ${CAPACITY.toFixed(2)} images/s; time scale ${SCALE} (figures in emulated time)`,
  );
  const redis = await s.startRedis();
  const stack = await startEndpointStack({
    redisUrl: redis.url,
    prefix: '{bench-fair}',
    scale: SCALE,
    instances: 1,
    models: ['a', 'b', 'c'].map((t) => [t, `mdl_${t}`]),
  });
  const submit = (t, n) =>
    stack.submit(
      t,
      `mdl_${t}`,
      Array.from({ length: n }, (_, i) => ({ prompt: `${t} ${i}`, seed: i })),
    );
  await Promise.all([submit('a', BIG), submit('b', BIG)]);
  const t0 = performance.now();
  const gen = await stack.startWorker({
    GENERATE_DISPATCH: 'true',
    GENERATE_DISPATCH_MAX_WAIT: real(600_000),
  });
  const perMinute = [];
  const chunks = { a: Math.ceil(BIG / 8), b: Math.ceil(BIG / 8), c: Math.ceil(SMALL / 8) };
  const left = { ...chunks };
  let cSubmitted;
  let cDone;
  const finished = new Promise((resolve) =>
    gen.worker.on('completed', (job, result) => {
      const t = job.data.tenantId;
      const minute = Math.floor(emulated(performance.now() - t0) / 60);
      perMinute[minute] ??= { a: 0, b: 0, c: 0 };
      perMinute[minute][t] += result?.images ?? 0;
      left[t] -= 1;
      if (t === 'c' && left.c === 0) cDone = performance.now();
      if (left.a + left.b + left.c === 0) resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 60_000 * SCALE));
  cSubmitted = performance.now();
  await submit('c', SMALL);
  await finished;
  console.log(
    'minute   a share  b share  c share  (share of the images generated in that minute; a:b target 1:1 ±10 %)',
  );
  for (const [m, row] of perMinute.entries()) {
    if (!row) continue;
    const total = row.a + row.b + row.c;
    const pct = (n) => `${((100 * n) / Math.max(1, total)).toFixed(1)} %`.padStart(7);
    const ab = row.b > 0 ? (row.a / row.b).toFixed(2) : '-';
    console.log(`${String(m).padStart(6)}  ${pct(row.a)}  ${pct(row.b)}  ${pct(row.c)}   a/b ${ab}`);
  }
  const small = emulated(cDone - cSubmitted);
  console.log(
    `small batch (${SMALL} items): completed in ${small.toFixed(0)} s; alone at full capacity ${(SMALL / CAPACITY).toFixed(0)} s, at a 1/3 share ${((3 * SMALL) / CAPACITY).toFixed(0)} s; behind both big batches it would take ${((2 * BIG + SMALL) / CAPACITY).toFixed(0)} s`,
  );
  await gen.close();
  await stack.close();
  await redis.stop();
}

runBench(main);
