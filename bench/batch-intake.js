// Batch intake: time and peak memory (RSS) of the API process to accept a 100 000-item batch, as an NDJSON
// stream and as one JSON body. The API runs in its own process; 12 500 jobs are added to Redis.
// Usage: npm run bench:intake   (BENCH_ITEMS=100000)
'use strict';
const { Readable } = require('node:stream');
const s = require('./lib/generation-stack');
const { startApiChildWithModel } = require('./lib/api-child');
const { runBench } = require('./lib/run-bench');

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);

function* ndjsonLines() {
  yield (
    JSON.stringify({
      model: 'mdl_bulk',
      defaults: { steps: 30, guidance: 7.5, negativePrompt: 'blurry, low quality' },
    }) + '\n'
  );
  for (let i = 0; i < ITEMS; i++)
    yield (
      JSON.stringify({
        prompt: `a portrait of {trigger} as character number ${i} in a painted fantasy style`,
        seed: i,
      }) + '\n'
    );
}

async function once(emulator, redis, format, n) {
  const prefix = `{bench-intake-${format}-${n}}`;
  const child = await startApiChildWithModel({
    redisUrl: redis.url,
    prefix,
    emulator,
    tenantId: 'bench',
    modelId: 'mdl_bulk',
  });
  const before = await child.report();
  let body, contentType;
  if (format === 'ndjson') {
    body = Readable.from(ndjsonLines());
    contentType = 'application/x-ndjson';
  } else {
    const items = Array.from({ length: ITEMS }, (_, i) => ({
      prompt: `a portrait of {trigger} as character number ${i} in a painted fantasy style`,
      seed: i,
    }));
    body = JSON.stringify({
      model: 'mdl_bulk',
      defaults: { steps: 30, guidance: 7.5, negativePrompt: 'blurry, low quality' },
      items,
    });
    contentType = 'application/json';
  }
  const t0 = performance.now();
  const res = await fetch(`${child.base}/v1/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${child.key}`, 'content-type': contentType },
    body,
    duplex: 'half',
  });
  const text = await res.text();
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${text.slice(0, 300)}`);
  const after = await child.report();
  await child.stop();
  return { format, seconds, rssBefore: before.rssMB, peak: after.maxRssMB };
}

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(
    `workload: one batch of ${ITEMS} items (~${Math.round([...ndjsonLines()].join('').length / 2 ** 20)} MB), API in its own process, no worker`,
  );
  const redis = await s.startRedis();
  const emulator = await s.startEmulator({ timeScale: 0.001 });
  try {
    console.log('format  accept time (s)  items/s   API RSS before (MB)  API peak RSS (MB)');
    for (const format of ['ndjson', 'json']) {
      const r = await once(emulator, redis, format, 0);
      console.log(
        `${format.padEnd(6)}  ${r.seconds.toFixed(2).padStart(15)}  ${(ITEMS / r.seconds).toFixed(0).padStart(7)}  ${r.rssBefore.toFixed(0).padStart(19)}  ${r.peak.toFixed(0).padStart(17)}`,
      );
    }
  } finally {
    await emulator.close();
    await redis.stop();
  }
}

runBench(main);
