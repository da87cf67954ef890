/**
 * Operator job search (`GET /v1/admin/jobs`) latency over a large side index.
 *
 *   node -r ./tools/swc-register.js bench/job-search.ts [entries=1000000] [queriesPerShape=300]
 *
 * Starts a private redis-server, bulk-loads the index directly with pipelines (the same layout the worker's
 * indexer writes: one hash per entry, sorted sets per facet scored by time), then times JobIndex.search —
 * the code behind the endpoint, without HTTP — for several query shapes, sequentially from one client.
 * Prints p50/p99 per shape, Redis memory, and the machine used.
 */
import { cpus, totalmem } from 'node:os';
import { JobIndex, type JobSearchQuery } from '@dreamqueue/records';
import { createKeySpace, createRedisConnection, waitForReady } from '@dreamqueue/redis';
import { startRedisServer } from '@dreamqueue/testing';

const N = Number(process.argv[2] ?? 1_000_000);
const Q = Number(process.argv[3] ?? 300);
const TENANTS = 1_000;
const MODELS = 20_000;
const DAYS = 30;
const NOW = Date.now();

// Deterministic pseudo-random numbers, so runs are comparable.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
/** Skewed pick: a few tenants and models hold most entries, as in production. */
const skewed = (n: number) => Math.floor(n * rand() ** 3);

const STATUS = (r: number) =>
  r < 0.8 ? 'succeeded' : r < 0.9 ? 'failed' : r < 0.95 ? 'running' : r < 0.99 ? 'queued' : 'expired';
const KIND = (r: number) => (r < 0.85 ? 'generation' : r < 0.95 ? 'batch' : 'model');

async function load(index: JobIndex, redis: ReturnType<typeof createRedisConnection>): Promise<number> {
  const started = Date.now();
  const CHUNK = 5_000;
  for (let base = 0; base < N; base += CHUNK) {
    const pipeline = redis.pipeline();
    for (let i = base; i < Math.min(N, base + CHUNK); i++) {
      const kind = KIND(rand());
      const id = `${kind === 'model' ? 'mdl' : kind === 'batch' ? 'bat' : 'gen'}_${i.toString(36).padStart(8, '0')}`;
      const tenantId = `t${skewed(TENANTS)}`;
      const modelId = `mdl_m${skewed(MODELS)}`;
      const status = STATUS(rand());
      const at = NOW - Math.floor(rand() * DAYS * 86_400_000);
      pipeline.hset(index.entryKey(id), {
        id,
        kind,
        tenantId,
        modelId,
        status,
        type: `${kind}.${status}`,
        createdAt: at,
        updatedAt: at,
        eventId: `${at}-0`,
      });
      pipeline.zadd(index.facetKey('all'), at, id);
      pipeline.zadd(index.facetKey('tenant', tenantId), at, id);
      pipeline.zadd(index.facetKey('model', modelId), at, id);
      pipeline.zadd(index.facetKey('status', status), at, id);
      pipeline.zadd(index.facetKey('kind', kind), at, id);
    }
    await pipeline.exec();
  }
  return Date.now() - started;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(index: JobIndex, label: string, makeQuery: () => JobSearchQuery, pages = 1): Promise<number[]> {
  const samples: number[] = [];
  let returned = 0;
  for (let i = 0; i < Q; i++) {
    let query = makeQuery();
    for (let page = 0; page < pages; page++) {
      const t0 = process.hrtime.bigint();
      const result = await index.search(query);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      returned += result.entries.length;
      if (!result.nextCursor) break;
      query = { ...query, cursor: result.nextCursor };
    }
  }
  samples.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} p50 ${pct(samples, 50).toFixed(2).padStart(7)} ms   p99 ${pct(samples, 99).toFixed(2).padStart(7)} ms   (${samples.length} queries, avg ${(returned / samples.length).toFixed(1)} rows)`,
  );
  return samples;
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  const server = await startRedisServer();
  const redis = createRedisConnection({ url: server.url, role: 'worker' });
  try {
    await waitForReady(redis);
    const index = new JobIndex(redis, createKeySpace('{bench-jobidx}'));
    const loadMs = await load(index, redis);
    const memory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1];
    console.log(
      `loaded ${N.toLocaleString('en')} entries in ${(loadMs / 1000).toFixed(1)} s; Redis used_memory ${memory}`,
    );
    console.log(
      `workload: ${Q} queries per shape, sequential, limit 50, ${TENANTS} tenants and ${MODELS} models (skewed), ${DAYS} days`,
    );

    const tenant = () => `t${skewed(TENANTS)}`;
    const model = () => `mdl_m${skewed(MODELS)}`;
    const all: number[] = [];
    all.push(...(await time(index, 'newest across all tenants', () => ({ limit: 50 }))));
    all.push(...(await time(index, 'tenant', () => ({ tenant: tenant(), limit: 50 }))));
    all.push(
      ...(await time(index, 'tenant + status=failed', () => ({ tenant: tenant(), status: 'failed', limit: 50 }))),
    );
    all.push(
      ...(await time(index, 'model + kind=generation', () => ({ model: model(), kind: 'generation', limit: 50 }))),
    );
    all.push(
      ...(await time(index, 'status=failed + kind=batch + since 7 days', () => ({
        status: 'failed',
        kind: 'batch',
        since: NOW - 7 * 86_400_000,
        limit: 50,
      }))),
    );
    all.push(
      ...(await time(index, 'largest tenant + status=expired (rare intersection)', () => ({
        tenant: 't0',
        status: 'expired',
        limit: 50,
      }))),
    );
    all.push(
      ...(await time(
        index,
        'tenant + status=succeeded, first 5 pages by cursor',
        () => ({ tenant: tenant(), status: 'succeeded', limit: 50 }),
        5,
      )),
    );
    all.sort((a, b) => a - b);
    console.log(
      `${'all shapes'.padEnd(58)} p50 ${pct(all, 50).toFixed(2).padStart(7)} ms   p99 ${pct(all, 99).toFixed(2).padStart(7)} ms   (${all.length} queries)`,
    );
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
