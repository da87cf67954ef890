import { createQueue, generateQueue, type TypedQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { createKeySpace, createRedisConnection, waitForReady, type Redis } from '@dreamqueue/redis';
import { eventually, startRedisServer, uniquePrefix, type RedisServer } from '@dreamqueue/testing';
import { type ProcessorRegistry } from '../processor-registry';
import { closeWorkers, startWorkers } from '../start-workers';
import { createWorkerMetrics } from '../observability/worker-metrics';
import { startOperations, type Operations } from './start-operations';

const OUTAGE_MS = 20_000;

async function probe(port: number, path: '/readyz' | '/healthz'): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.arrayBuffer();
  return res.status;
}

// R3 (bullmq#4585): a worker can stay "connected" after an outage longer than drainDelay + 1 s and never
// fetch again. The canary health check must go red during the outage and green only once jobs flow again.
describe('R3: worker health across a 20 s Redis outage (real redis-server, real BullMQ)', () => {
  let server: RedisServer;
  let redis: Redis;
  let operations: Operations | undefined;
  let workers: ReturnType<typeof startWorkers> | undefined;
  let queue: TypedQueue<typeof generateQueue> | undefined;

  afterAll(async () => {
    await operations?.stop();
    if (workers) await closeWorkers(workers);
    await queue?.close();
    redis?.disconnect();
    await server?.stop();
  });

  it('goes red during the outage, processes jobs added after Redis returns, and goes green again', async () => {
    server = await startRedisServer({ appendonly: true });
    const logger = createLogger({ name: 'outage-test', level: 'silent' });
    const keySpace = createKeySpace(uniquePrefix());
    const connection = { url: server.url, maxRetriesPerRequest: null };
    redis = createRedisConnection({ url: server.url, role: 'worker' });
    redis.on('error', () => undefined);
    await waitForReady(redis);

    const processed = new Set<string>();
    const record = async (job: { id?: string }) => {
      processed.add(job.id!);
      return {} as never;
    };
    const registry: ProcessorRegistry = {
      train: { process: record },
      generate: { process: record },
      webhooks: { process: record },
    };
    workers = startWorkers({
      registry,
      connection,
      prefix: keySpace.queuePrefix,
      logger,
      lockDuration: 30_000,
      stalledInterval: 30_000,
    });
    for (const w of workers.values()) w.on('error', () => undefined);
    operations = await startOperations({
      config: {
        WORKER_HEALTH_PORT: 0,
        WORKER_HEALTH_HOST: '127.0.0.1',
        CANARY_INTERVAL: 250,
        READY_MAX_AGE: 3_000,
        LIVE_MAX_AGE: 60_000,
        METRICS_TOKEN: undefined,
        WEBHOOK_BACKOFF: 1_000,
        JOB_INDEX_RETENTION: 3_600_000,
        JOB_INDEX_PRUNE_INTERVAL: 600_000,
      },
      logger,
      redis,
      keySpace,
      connection,
      metrics: createWorkerMetrics({ defaultMetrics: false }),
    });
    const port = operations.healthPort;
    await eventually(
      async () => (await probe(port, '/readyz')) === 200 || undefined,
      10_000,
      'ready before the outage',
    );

    await server.kill();
    const outageStarted = Date.now();
    await eventually(async () => (await probe(port, '/readyz')) === 503 || undefined, 10_000, 'readiness to go red');
    let livenessRedDuringOutage = 0;
    while (Date.now() - outageStarted < OUTAGE_MS) {
      // A plain outage is not a reason to restart the process: liveness stays green.
      if ((await probe(port, '/healthz')) !== 200) livenessRedDuringOutage++;
      expect(await probe(port, '/readyz')).toBe(503);
      await new Promise((r) => setTimeout(r, 500));
    }
    server = await server.restart();

    queue = createQueue(generateQueue, { connection, prefix: keySpace.queuePrefix });
    queue.on('error', () => undefined);
    const payload = {
      tenantId: 'acme',
      modelId: 'mdl_x',
      generationId: 'gen_x',
      items: [{ index: 0, prompt: 'p', negativePrompt: '', seed: 1 }],
      steps: 1,
      guidance: 1,
    };
    const added = await Promise.all(
      [...Array(10).keys()].map((i) => queue!.add(generateQueue.name, payload, { jobId: `after-outage-${i}` })),
    );
    const restartedAt = Date.now();
    await eventually(
      () => added.every((j) => processed.has(j.id!)) || undefined,
      45_000,
      'jobs added after the outage to be processed',
    );
    await eventually(async () => (await probe(port, '/readyz')) === 200 || undefined, 45_000, 'readiness to recover');

    expect(added.filter((j) => processed.has(j.id!))).toHaveLength(10);
    expect(livenessRedDuringOutage).toBe(0);
    console.log(
      `R3: processed 10/10 after a ${OUTAGE_MS / 1000} s outage; ready again ${Date.now() - restartedAt} ms after Redis returned`,
    );
  }, 120_000);
});
