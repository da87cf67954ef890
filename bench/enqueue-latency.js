// Enqueue latency of POST /v1/generations (p50/p99) at a fixed request rate (open loop: requests are sent
// on schedule whether or not earlier ones answered), from this process against the API in its own process.
// Usage: npm run bench:enqueue   (BENCH_RATE=200 BENCH_SECONDS=10)
'use strict';
const s = require('./lib/generation-stack');
const { startApiChildWithModel } = require('./lib/api-child');
const { runBench } = require('./lib/run-bench');

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  console.log(`machine: ${s.machine()}`);
  console.log(
    `workload: ${RATE} requests/s for ${SECONDS} s (open loop), 1 image each, API in its own process, no worker draining`,
  );
  const redis = await s.startRedis();
  const emulator = await s.startEmulator({ timeScale: 0.001 });
  const prefix = '{bench-enqueue}';
  try {
    const child = await startApiChildWithModel({
      redisUrl: redis.url,
      prefix,
      emulator,
      tenantId: 'bench',
      modelId: 'mdl_lat',
    });
    const post = async (i) => {
      const t0 = performance.now();
      const res = await fetch(`${child.base}/v1/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${child.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mdl_lat', prompt: `latency ${i}`, seed: i }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`answered ${res.status}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 50; i++) await post(i); // warm-up (JIT, connections, ETag cache)
    const total = RATE * SECONDS;
    const start = performance.now();
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await s.sleep(wait);
      pending.push(post(1000 + i));
    }
    const latencies = (await Promise.all(pending)).sort((a, b) => a - b);
    const achieved = total / ((performance.now() - start) / 1000);
    console.log(`requests: ${total}, achieved rate ${achieved.toFixed(0)}/s`);
    console.log(
      `latency ms: p50 ${pct(latencies, 50).toFixed(1)}  p90 ${pct(latencies, 90).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${latencies[latencies.length - 1].toFixed(1)}`,
    );
    await child.stop();
  } finally {
    await emulator.close();
    await redis.stop();
  }
}

runBench(main);
